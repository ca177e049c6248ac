"""Shared plumbing for the Atheris harnesses in this directory.

A harness module defines ``test_one_input(data: bytes) -> None`` that raises
only for a *finding* (any exception that is not a
:class:`~vxlan_inspect.errors.VxlanInspectError`, or a broken invariant as an
``AssertionError``). It imports the package inside :func:`instrumented`, so
the code under test is coverage-instrumented when the harness runs under
Atheris, and is a plain import when tests replay corpora or regressions.

Hangs and memory blow-ups are libFuzzer's job: ``run.py`` passes ``-timeout``
and ``-rss_limit_mb``.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

try:  # atheris is an optional extra (".[fuzz]"); replaying seeds works without it.
    import atheris
except ImportError:  # pragma: no cover - depends on the machine
    atheris = None


@contextlib.contextmanager
def instrumented(enabled: bool) -> Iterator[None]:
    """Instrument ``vxlan_inspect`` imports for coverage when ``enabled`` and atheris is present."""
    if enabled and atheris is not None:
        with atheris.instrument_imports(include=["vxlan_inspect"]):
            yield
    else:
        yield


def fuzz_main(test_one_input: Callable[[bytes], None]) -> None:
    """Run ``test_one_input`` under libFuzzer with this process's command-line arguments."""
    if atheris is None:
        sys.exit("atheris is not installed: pip install -e '.[fuzz]'")
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
