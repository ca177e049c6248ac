"""The command-line interface: a thin typer app.

Each sub-command lives in its own module and is added here explicitly. The outer
:func:`main` maps :class:`~vxlan_inspect.errors.VxlanInspectError` to its exit
code and a one-line message on stderr; ``--traceback`` shows the full stack.
"""

from __future__ import annotations

import os
import sys
import traceback as _traceback

import typer

try:  # typer >= 0.20 carries its own copy of click's exceptions
    from typer._click import exceptions as _cli_exc
except ImportError:  # pragma: no cover - older typer on click
    from click import exceptions as _cli_exc  # type: ignore[no-redef]

from vxlan_inspect.errors import VxlanInspectError

app = typer.Typer(
    name="vxlan-inspect",
    help="Decode VXLAN captures like tcpdump, collect overlay state, and explain pings hop by hop.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help texts are plain: "HOST[/NETNS]" must not be read as markup
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _register() -> None:
    from vxlan_inspect.cli import capture, explain, frames, lab, state
    from vxlan_inspect.cli import read as read_cli

    read_cli.register(app)
    frames.register(app)
    explain.register(app)
    capture.register(app)
    app.add_typer(state.app, name="state")
    app.add_typer(lab.app, name="lab")


_register()

PROG = "vxlan-inspect"


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the process exit code (never raises for user errors)."""
    args = list(sys.argv[1:] if argv is None else argv)
    show_traceback = "--traceback" in args
    if show_traceback:
        args = [a for a in args if a != "--traceback"]
    try:
        result = app(args=args, prog_name=PROG, standalone_mode=False)
    except VxlanInspectError as exc:
        if show_traceback:
            _traceback.print_exc()
        print(f"{PROG}: {exc.one_line()}", file=sys.stderr)
        return exc.exit_code
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        return 130
    except _cli_exc.ClickException as exc:
        if show_traceback:
            _traceback.print_exc()
        print(f"{PROG}: {' '.join(exc.format_message().split())}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Like tcpdump piped into head: stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return int(result) if isinstance(result, int) else 0
