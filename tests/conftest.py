"""Shared pytest helpers.

``require_root``: a fixture for tests marked ``@pytest.mark.root``. It skips when
the process is not root or network namespaces are unavailable, except when the
environment sets ``VXLAN_INSPECT_REQUIRE_ROOT=1`` (CI): then it fails instead, so
a CI run can never pass by skipping the tests that matter.

``require_tool(name)``: the same rule for an external program such as tcpdump.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid

import pytest


def _must_not_skip() -> bool:
    return os.environ.get("VXLAN_INSPECT_REQUIRE_ROOT") == "1"


def skip_or_fail(reason: str) -> None:
    """Skip the test, or fail it when VXLAN_INSPECT_REQUIRE_ROOT=1."""
    if _must_not_skip():
        pytest.fail(f"{reason} (VXLAN_INSPECT_REQUIRE_ROOT=1 forbids skipping)")
    pytest.skip(reason)


def _netns_works() -> bool:
    name = "vtst" + uuid.uuid4().hex[:8]
    try:
        made = subprocess.run(["ip", "netns", "add", name], capture_output=True, check=False)
        return made.returncode == 0
    except OSError:
        return False
    finally:
        subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)


@pytest.fixture(scope="session")
def require_root() -> None:
    """Skip (or fail under VXLAN_INSPECT_REQUIRE_ROOT=1) unless root with netns support."""
    if os.geteuid() != 0:
        skip_or_fail("needs root")
    if shutil.which("ip") is None or not _netns_works():
        skip_or_fail("network namespaces are unavailable")


def require_tool(name: str) -> str:
    """Return the path of program ``name``; skip (or fail when required) if missing."""
    path = shutil.which(name)
    if path is None:
        skip_or_fail(f"{name} is not installed")
        raise AssertionError("unreachable")
    return path
