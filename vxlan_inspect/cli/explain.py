"""`vxlan-inspect explain`: how a ping crossed the overlay, hop by hop, or why it did not."""

from __future__ import annotations

import ipaddress
import json
import sys
from typing import Annotated

import typer

from vxlan_inspect.errors import UsageError

FORMATS = ("text", "tree", "markdown", "json", "mermaid")


def _ping(values: list[str] | None) -> tuple[str, str] | None:
    if not values:
        return None
    if len(values) != 2:
        raise UsageError("--ping takes two addresses: --ping SRC_IP DST_IP")
    for v in values:
        try:
            ipaddress.ip_address(v)
        except ValueError as exc:
            raise UsageError(f"--ping: {v!r} is not an IP address") from exc
    return values[0], values[1]


def explain(
    bundle: Annotated[str | None, typer.Argument(help="A scenario bundle directory (from 'lab record').")] = None,
    capture: Annotated[list[str] | None, typer.Option("--capture", help="HOST[/NETNS[/IFACE]]=PCAP (repeatable).")]
    = None,
    state: Annotated[list[str] | None, typer.Option("--state", help="HOST[/NETNS]=PATH: snapshot or saved ip/bridge "
                                                     "dump (repeatable).")] = None,
    control_plane: Annotated[list[str] | None, typer.Option("--control-plane", help="Serf log, Consul export or "
                                                             "'docker network inspect -v' (repeatable).")] = None,
    events: Annotated[list[str] | None, typer.Option("--events", help="HOST[/NETNS]=FILE: 'ip monitor neigh' "
                                                      "output with l2miss/l3miss lines (repeatable).")] = None,
    ping: Annotated[str | None, typer.Option("--ping", help="Explain only this flow: 'SRC_IP DST_IP' (or "
                                             "SRC_IP,DST_IP).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, tree, markdown, json or mermaid.")] = "text",
    label: Annotated[str | None, typer.Option("--label", help="Bundle snapshot set to use (default: after).")]
    = None,
    vxlan_port: Annotated[list[int] | None, typer.Option("--vxlan-port", help="Extra VXLAN UDP port.")] = None,
) -> None:
    """Explain every ICMP echo flow and unanswered ARP in a bundle or in explicit captures and dumps."""
    # Imported here: the other commands (read above all) should not pay for numpy at start-up.
    from vxlan_inspect.decode import DecodeConfig
    from vxlan_inspect.explain import explain_inputs, explanation_to_json, load_bundle, load_explicit
    from vxlan_inspect.explain.inputs import with_extras
    from vxlan_inspect.render.trace import format_markdown, format_mermaid, format_text, render_tree

    if fmt not in FORMATS:
        raise UsageError(f"unknown --format {fmt!r}", hint="use " + ", ".join(FORMATS))
    if bundle and (capture or state):
        raise UsageError("give a bundle directory or --capture/--state, not both")
    flow = _ping(ping.replace(",", " ").split() if ping else None)
    if bundle:
        inputs = with_extras(load_bundle(bundle, label=label), control_plane, events)
    else:
        inputs = load_explicit(capture or [], state or [], control_plane, events)
    config = DecodeConfig(vxlan_ports=frozenset({4789, 8472, *(vxlan_port or [])}))
    result = explain_inputs(inputs, ping=flow, config=config)
    if fmt == "json":
        sys.stdout.write(json.dumps(explanation_to_json(result), indent=2) + "\n")
    elif fmt == "markdown":
        sys.stdout.write(format_markdown(result))
    elif fmt == "mermaid":
        sys.stdout.write(format_mermaid(result))
    elif fmt == "tree":
        from rich.console import Console

        Console(highlight=False, soft_wrap=True).print(render_tree(result))
    else:
        sys.stdout.write(format_text(result))


def register(app: typer.Typer) -> None:
    """Add ``explain`` to the app."""
    app.command("explain")(explain)
