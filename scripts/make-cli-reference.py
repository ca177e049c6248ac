#!/usr/bin/env python3
"""Generate the CLI reference (Markdown) from the typer app.

The docs build calls :func:`cli_reference` through ``scripts/mkdocs_hooks.py``,
so ``docs/reference/cli.md`` always describes the commands the code has now; it
is not a file in the repository. Run this script to see the page:

    python3 scripts/make-cli-reference.py > /tmp/cli.md
"""

from __future__ import annotations

import contextlib
import io
import sys
from typing import Any

import typer  # noqa: TID251 (a docs script reading the typer app)

from vxlan_inspect.cli import PROG, app, main


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def _param_row(param: Any) -> str:
    if param.param_type_name == "argument":
        name = f"`{(param.metavar or param.name or '').upper()}`"
        kind = "argument" + ("" if param.required else ", optional") + (", repeatable" if param.nargs == -1 else "")
        helptext = _escape(getattr(param, "help", None) or "")
        return f"| {name} | {helptext + ' ' if helptext else ''}({kind}) | |"
    names = ", ".join(f"`{n}`" for n in [*param.opts, *param.secondary_opts])
    helptext = _escape(param.help or "")
    default = ""
    if param.default not in (None, False, (), []) and not param.is_flag and param.show_default is not False:
        default = f" (default: `{param.default}`)"
    elif param.multiple and "repeatable" not in helptext.lower():
        default = " (repeatable)"
    return f"| {names} | {helptext}{default} | {'required' if param.required else ''} |"


def _own_help(path: list[str]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main([*path, "--help"])
    return out.getvalue()


def _command(path: list[str], cmd: Any, lines: list[str]) -> None:
    if cmd.hidden:
        return
    title = " ".join([PROG, *path])
    depth = min(2 + len(path) - 1, 4)
    lines += [f"{'#' * depth} `{title}`", ""]
    helptext = (cmd.help or cmd.short_help or "").strip()
    if helptext:
        lines += [helptext.split("\b")[0].strip(), ""]
    if hasattr(cmd, "commands"):
        subs = sorted(cmd.commands)
        lines += ["| command | summary |", "|---|---|"]
        for name in subs:
            sub = cmd.commands[name]
            if not sub.hidden:
                summary = _escape((sub.short_help or sub.help or "").split("\n\n")[0])
                lines.append(f"| `{name}` | {summary} |")
        lines.append("")
        for name in subs:
            _command([*path, name], cmd.commands[name], lines)
        return
    if cmd.context_settings.get("ignore_unknown_options"):
        # The command parses its own (tcpdump-style) options; its --help is the reference.
        lines += ["Its options are parsed tcpdump-style; this is its `--help`:", "", "```text",
                  _own_help(path).rstrip("\n"), "```", ""]
        return
    params = [p for p in cmd.params if not getattr(p, "hidden", False) and p.name != "help"]
    if params:
        lines += ["| parameter | meaning | |", "|---|---|---|"]
        lines += [_param_row(p) for p in params]
        lines.append("")


def cli_reference() -> str:
    """The whole reference page as Markdown."""
    group = typer.main.get_command(app)
    assert hasattr(group, "commands")
    lines = [
        "# CLI reference",
        "",
        "Generated from the typer app (`vxlan_inspect.cli.app`) by `scripts/make-cli-reference.py` at every",
        "docs build, so it lists exactly the commands and options the code has. Every command also",
        "answers `-h`/`--help`; errors are one line on stderr and `--traceback` shows the stack.",
        "",
        "| command | summary |",
        "|---|---|",
    ]
    for name in sorted(group.commands):
        sub = group.commands[name]
        if not sub.hidden:
            summary = _escape((sub.short_help or sub.help or "").split("\n\n")[0])
            lines.append(f"| [`{name}`](#{PROG}-{name}) | {summary} |")
    lines.append("")
    for name in sorted(group.commands):
        _command([name], group.commands[name], lines)
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(cli_reference())
