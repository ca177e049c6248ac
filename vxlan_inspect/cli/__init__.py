"""The command-line interface.

The outer :func:`main` maps :class:`~vxlan_inspect.errors.VxlanInspectError` to its
exit code and a one-line message on stderr; ``--traceback`` shows the full stack.
``read`` parses its tcpdump-style options itself and starts without loading typer
(start-up time on small files); every other command goes through the typer app in
:mod:`vxlan_inspect.cli.typer_app`.
"""

from __future__ import annotations

import os
import sys
import traceback as _traceback
from typing import Any

from vxlan_inspect.errors import VxlanInspectError

PROG = "vxlan-inspect"


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the process exit code (never raises for user errors)."""
    args = list(sys.argv[1:] if argv is None else argv)
    show_traceback = "--traceback" in args
    if show_traceback:
        args = [a for a in args if a != "--traceback"]
    try:
        if args[:1] == ["read"]:
            from vxlan_inspect.cli.read import read_main

            return read_main(args[1:])
        from vxlan_inspect.cli.typer_app import run_app

        return run_app(args, show_traceback, PROG)
    except VxlanInspectError as exc:
        if show_traceback:
            _traceback.print_exc()
        print(f"{PROG}: {exc.one_line()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Like tcpdump piped into head: stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def __getattr__(name: str) -> Any:
    """``app`` (the typer app) loads on first use."""
    if name == "app":
        import importlib

        return importlib.import_module("vxlan_inspect.cli.typer_app").app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
