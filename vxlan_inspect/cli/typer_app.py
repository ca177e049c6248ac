"""The typer app: every command but the fast ``read`` path (see :mod:`vxlan_inspect.cli`).

Each sub-command lives in its own module and is added here explicitly.
"""

from __future__ import annotations

import sys
import traceback as _traceback

import typer

try:  # typer >= 0.20 carries its own copy of click's exceptions
    from typer._click import exceptions as _cli_exc
except ImportError:  # pragma: no cover - older typer on click
    from click import exceptions as _cli_exc  # type: ignore[no-redef]

app = typer.Typer(
    name="vxlan-inspect",
    help="Decode VXLAN captures like tcpdump, collect overlay state, and explain pings hop by hop.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help texts are plain: "HOST[/NETNS]" must not be read as markup
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _register_read() -> None:
    """List ``read`` in the app (its help); :func:`vxlan_inspect.cli.main` runs it without typer."""
    from vxlan_inspect.cli.read import read_main

    @app.command(
        "read",
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []},
        help="Print a capture exactly as tcpdump -r does (tcpdump flags: -r -n -e -v -q -t -# -c -x -X -w).",
        add_help_option=False,
    )
    def read_command(ctx: typer.Context) -> None:
        raise typer.Exit(read_main(list(ctx.args)))


def _register() -> None:
    from vxlan_inspect.cli import capture, explain, frames, lab, state

    _register_read()
    frames.register(app)
    explain.register(app)
    capture.register(app)
    app.add_typer(state.app, name="state")
    app.add_typer(lab.app, name="lab")


_register()

def run_app(args: list[str], show_traceback: bool, prog: str) -> int:
    """Run the typer app on ``args``; map typer's and click's own exits to exit codes."""
    try:
        result = app(args=args, prog_name=prog, standalone_mode=False)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        return 130
    except _cli_exc.ClickException as exc:
        if show_traceback:
            _traceback.print_exc()
        print(f"{prog}: {' '.join(exc.format_message().split())}", file=sys.stderr)
        return 1
    return int(result) if isinstance(result, int) else 0
