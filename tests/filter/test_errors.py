"""Acceptance 4: malformed expressions give one line, exit code 1, and the column of the bad token."""

from __future__ import annotations

from pathlib import Path

import pytest

from vxlan_inspect.cli import main
from vxlan_inspect.errors import FilterSyntaxError
from vxlan_inspect.filter import compile_filter

CAPTURE = str(Path(__file__).resolve().parents[2] / "captures" / "basic" / "vxlan-icmp.pcap")

# (expression, column of the offending token, words the message must contain)
BAD = [
    ("host", 5, "expected a value after 'host'"),
    ("port 99999", 6, "port must be 0..65535"),
    ("vni 256 andd inner icmp", 9, "'andd'"),
    ("inner", 6, "expected a primitive after 'inner'"),
    ("inner inner icmp", 7, "cannot be nested"),
    ("(icmp or arp", 13, "expected ')'"),
    ("icmp or arp)", 12, "unbalanced ')'"),
    ("ip[0:3] == 1", 6, "size must be 1, 2 or 4"),
    ("tcp port 80 and", 16, "expected a primitive"),
    ("host 300.1.1.1", 6, "expected an IP address"),
    ("ether host 02:42:c0:a8:0a", 12, "expected a MAC address"),
    ("net 10.0.0.1/8", 5, "non-network bits"),
    ("vni 300-200", 5, "backwards"),
    ("vlan 5000", 6, "VLAN id must be 0..4095"),
    ("icmp[icmptype] ==", 18, "end of expression"),
    ("ip proto 300", 10, "0..255"),
    ("udp portrange 10-", 15, "port range"),
    ("inner[9] icmp", 7, "tunnel depth"),
    ("tcp host 10.0.0.1", 10, "host takes ip, ip6, arp or rarp"),
    ("$", 1, "unexpected character"),
    ("== 5", 1, "before the operator"),
    ("host 10.0.0.1 or or host 10.0.0.2", 18, "'or'"),
    ("inner icmp[icmptype == icmp-echo", 21, "expected ']'"),
    ("ip6 host 10.0.0.1", 10, "IPv4 address with 'ip6'"),
]


@pytest.mark.parametrize(("expr", "column", "words"), BAD, ids=[b[0] for b in BAD])
def test_bad_expression_points_at_the_token(expr: str, column: int, words: str) -> None:
    with pytest.raises(FilterSyntaxError) as info:
        compile_filter(expr)
    assert info.value.column == column
    assert words in info.value.one_line()
    assert info.value.exit_code == 1


@pytest.mark.parametrize(("expr", "column", "words"), BAD, ids=[b[0] for b in BAD])
def test_read_reports_one_line_and_exit_1(expr: str, column: int, words: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["read", "-r", CAPTURE, *expr.split(" ")])
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"vxlan-inspect: bad filter at column {column}: ")
    assert words in err


def test_empty_expression_is_no_filter(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["read", "-r", CAPTURE]) == 0
    assert capsys.readouterr().out.count("VXLAN") == 8
