"""Golden tests on our own real captures (captures/basic): stdout must equal real tcpdump's.

The expected outputs in tests/golden/expected/ were produced by tcpdump 4.99.3
(scripts/make-goldens.py). ``VXLAN_INSPECT_GOLDEN_TOOL=tcpdump pytest tests/golden`` runs
real tcpdump through the same harness instead of our tool, which must pass 100%.
"""

from __future__ import annotations

import pytest
from golden_harness import GOLDEN, ROOT, Case, check_case, load_cases, needs_namespace, run, tool_name

from tests.conftest import require_tool

TOOL = tool_name()
CASES = load_cases(GOLDEN / "cases", GOLDEN / "expected")


def _param(case: Case) -> object:
    marks = [pytest.mark.root] if needs_namespace(case, for_tcpdump=TOOL == "tcpdump") else []
    return pytest.param(case, id=case.name, marks=marks)


def test_case_list_is_sane() -> None:
    names = [c.name for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    assert len(CASES) >= 200
    for case in CASES:
        assert case.pcap.is_file(), case.pcap
        assert case.expected.is_file(), case.expected
        if case.special_8472:
            assert case.rewritten_pcap.is_file(), case.rewritten_pcap
            assert not {"-x", "-xx", "-X", "-XX"} & set(case.options), "hex shows the rewritten port"


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_golden(case: Case, request: pytest.FixtureRequest) -> None:
    if TOOL == "tcpdump":
        require_tool("tcpdump")
    if needs_namespace(case, for_tcpdump=TOOL == "tcpdump"):
        request.getfixturevalue("require_root")
    problem = check_case(case, TOOL)
    if problem:
        pytest.fail(f"{case.name}: output differs from tcpdump's\n{problem}", pytrace=False)


def test_read_stdin() -> None:
    """``-r -`` reads the capture from stdin (same text as reading the file)."""
    pcap = ROOT / "captures" / "basic" / "vxlan-icmp.pcap"
    expected = (GOLDEN / "expected" / "vxlan-icmp-e.out").read_bytes()
    if TOOL == "tcpdump":
        argv = [require_tool("tcpdump")]
    else:
        import sys

        argv = [sys.executable, "-m", "vxlan_inspect", "read"]
    res = run([*argv, "-#", "-n", "-r", "-", "-tttt", "-e"], stdin=pcap.read_bytes())
    assert res.returncode == 0, res.stderr.decode("utf-8", "replace")
    assert res.stdout == expected
