"""The cases of tcpdump's own test suite (tests/golden/tcpdump-suite, copied unchanged from
shared/tcpdump-tests): our ``read`` must print exactly what tcpdump 4.99.3 printed.

``VXLAN_INSPECT_GOLDEN_TOOL=tcpdump`` runs real tcpdump through the same harness instead.
"""

from __future__ import annotations

import pytest
from golden_harness import GOLDEN, Case, check_case, load_cases, tool_name

from tests.conftest import require_tool

SUITE = GOLDEN / "tcpdump-suite"
TOOL = tool_name()
CASES = load_cases(SUITE / "TESTLIST", SUITE, pcap_dir=SUITE)


def test_suite_is_present() -> None:
    assert len(CASES) == 15
    for case in CASES:
        assert case.pcap.is_file() and case.expected.is_file(), case.name


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_tcpdump_suite(case: Case) -> None:
    if TOOL == "tcpdump":
        require_tool("tcpdump")
    problem = check_case(case, TOOL)
    if problem:
        pytest.fail(f"{case.name}: output differs from tcpdump's\n{problem}", pytrace=False)
