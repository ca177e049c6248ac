"""Every input a fuzzing harness ever crashed on, replayed through that harness."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from vxlan_inspect.capture import open_capture
from vxlan_inspect.decode import LinuxSLL, decode_record

HERE = Path(__file__).resolve().parent / "regressions"
CASES = sorted(p for p in HERE.glob("*/*.bin"))


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_regression_replays_clean(path: Path, harness: Callable[[str], ModuleType]) -> None:
    if path.parent.name == "filter":
        pytest.importorskip("vxlan_inspect.filter")
    harness(path.parent.name).test_one_input(path.read_bytes())


def test_regressions_exist() -> None:
    assert CASES, "the regression directory lost its cases"


def test_sll2_frames_decode() -> None:
    """frame/sll2-struct-unpack: every SLL2 record of the shipped capture decodes with its header fields."""
    with open_capture(Path(__file__).resolve().parents[2] / "captures/basic/overlay-any-sll2.pcap") as cap:
        packets = [decode_record(r) for r in cap]
    assert packets
    for p in packets:
        sll = p.layers[0]
        assert isinstance(sll, LinuxSLL) and sll.version == 2 and sll.length == 20
        assert sll.protocol in (0x0800, 0x0806, 0x86DD)
        assert sll.ifindex > 0 and len(sll.addr) == 17
        assert len(p.layers) > 1


def test_link_text_bad_vxlan_option_is_a_warning() -> None:
    """state/link-bad-vxlan-option: a bad word on the vxlan detail line was a ValueError escaping parse_dump."""
    from vxlan_inspect.state import parse_dump

    text = (HERE / "state/link-bad-vxlan-option.bin").read_bytes()[1:].decode()
    result = parse_dump(text)
    assert result.kind == "link" and len(result.entries) == 1
    link = result.entries[0]
    assert link.ifname == "vxlan0" and link.info_kind == "vxlan" and link.vxlan is None
    assert [w.line for w in result.warnings] == [3]
    assert "unknown vxlan option 'lladdr'" in result.warnings[0].message


def test_link_header_bad_number_is_a_warning() -> None:
    """state/link-header-bad-mtu: a non-numeric mtu/qlen in a link header was a ValueError escaping parse_dump."""
    from vxlan_inspect.state import parse_dump

    text = (HERE / "state/link-header-bad-mtu.bin").read_bytes()[1:].decode()
    result = parse_dump(text)
    assert result.kind == "link" and len(result.entries) == 4
    assert result.warnings[0].line == 13 and "is not a number" in result.warnings[0].message
    text = ("1: lo: <UP> mtu 65536 qdisc noqueue\n    inet 127.0.0.1/8 scope host lo\n"
            "2: eth0: <UP> mtu x qdisc q\n    inet 10.0.0.1/24 scope global eth0\n")
    result = parse_dump(text)
    assert result.kind == "addr" and [a.local for a in result.entries] == ["127.0.0.1"]
    assert result.warnings[0].line == 3 and result.warnings[0].message == "bad link header: mtu 'x' is not a number"
    assert result.warnings[1].line == 4  # the broken interface's address is not given to another one


@pytest.mark.parametrize("expression", [
    "not " * 300 + "ip", "(" * 2000 + "ip" + ")" * 2000, " and ".join(["ip"] * 300),
    "ip[" * 150 + "0" + "]" * 150 + " > 1",
    "len > " + "+".join(["1"] * 150), "len > " + "-" * 150 + "1", "(not (" * 100 + "len > 1" + "))" * 100,
])
def test_deeply_nested_filter_is_a_syntax_error(expression: str) -> None:
    """filter/nested-too-deep: deep nesting escaped as SyntaxError/RecursionError/MemoryError from compile_filter."""
    pytest.importorskip("vxlan_inspect.filter")
    from vxlan_inspect.errors import FilterSyntaxError
    from vxlan_inspect.filter import compile_filter

    with pytest.raises(FilterSyntaxError, match="nested too deeply"):
        compile_filter(expression)


def test_filter_nesting_up_to_the_limit_still_compiles() -> None:
    pytest.importorskip("vxlan_inspect.filter")
    from vxlan_inspect.filter import compile_filter

    compile_filter(" or ".join(f"host 10.0.0.{i}" for i in range(1, 60)))
    compile_filter("not " * 60 + "ip")
    compile_filter("(" * 60 + "udp port 4789" + ")" * 60)
