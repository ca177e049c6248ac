"""`vxlan-inspect explain`: how a ping crossed the overlay, hop by hop, or why it did not."""

from __future__ import annotations

import ipaddress
import json
import sys
from typing import Annotated

import typer

from vxlan_inspect.errors import UsageError

FORMATS = ("text", "tree", "markdown", "json", "mermaid", "html")


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
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, tree, markdown, json, mermaid or html.")] = "text",
    label: Annotated[str | None, typer.Option("--label", help="Bundle snapshot set to use (default: after).")]
    = None,
    vxlan_port: Annotated[list[int] | None, typer.Option("--vxlan-port", help="Extra VXLAN UDP port.")] = None,
    simulate: Annotated[tuple[str, str] | None, typer.Option("--simulate", help="What-if: predict an echo SRC_IP "
                                                             "DST_IP from the tables (bundle: snapshots/before).")]
    = None,
    size: Annotated[int, typer.Option("--size", help="--simulate: ping payload bytes (ping -s).")] = 56,
    df: Annotated[bool, typer.Option("--df", help="--simulate: the echo has Don't Fragment set (ping -M do).")]
    = False,
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
    if simulate:
        _simulate(bundle, capture, state, control_plane, events, _ping(list(simulate)), size, df, fmt, label)
        return
    if bundle:
        inputs = with_extras(load_bundle(bundle, label=label), control_plane, events)
    else:
        inputs = load_explicit(capture or [], state or [], control_plane, events)
    config = DecodeConfig(vxlan_ports=frozenset({4789, 8472, *(vxlan_port or [])}))
    result = explain_inputs(inputs, ping=flow, config=config)
    if fmt == "json":
        sys.stdout.write(json.dumps(explanation_to_json(result), indent=2) + "\n")
    elif fmt == "html":
        from vxlan_inspect.render.explain_page import explanation_page

        sys.stdout.write(explanation_page(result))
    elif fmt == "markdown":
        sys.stdout.write(format_markdown(result))
    elif fmt == "mermaid":
        sys.stdout.write(format_mermaid(result))
    elif fmt == "tree":
        from rich.console import Console

        # piped: rich would crop every line at its default width (80-90 columns); a pipe has no width
        wide = None if sys.stdout.isatty() else 10_000
        Console(highlight=False, soft_wrap=True, width=wide).print(render_tree(result))
    else:
        sys.stdout.write(format_text(result))


def _simulate(bundle: str | None, capture: list[str] | None, state: list[str] | None,
              control_plane: list[str] | None, events: list[str] | None, flow: tuple[str, str] | None, size: int,
              df: bool, fmt: str, label: str | None) -> None:
    """``explain --simulate``: the predicted trace, and beside it the observed one when captures are given."""
    from vxlan_inspect.explain import explain_inputs, load_bundle, load_explicit
    from vxlan_inspect.explain.simulate import explain_simulated, format_side_by_side, simulation_to_json
    from vxlan_inspect.render.trace import format_markdown, format_mermaid, format_text

    assert flow is not None
    if not 0 <= size <= 65507:
        raise UsageError(f"--size {size}: a ping payload is 0 to 65507 bytes")
    if bundle:
        tables = load_bundle(bundle, label=label or "before")
        wire = load_bundle(bundle) if tables.captures else None
    else:
        tables = load_explicit(capture or [], state or [], control_plane, events)
        wire = tables if tables.captures else None
    if not tables.states:
        raise UsageError("--simulate needs tables", hint="pass --state HOST/NS=DUMP (or a bundle with snapshots)")
    observed = explain_inputs(wire, ping=flow) if wire is not None else None
    result = explain_simulated(tables, *flow, size=size, df=df, observed=observed)
    if fmt == "json":
        sys.stdout.write(json.dumps(simulation_to_json(result, observed), indent=2) + "\n")
    elif fmt == "html":
        from vxlan_inspect.render.explain_page import explanation_page

        sys.stdout.write(explanation_page(result, title="vxlan-inspect explain --simulate (what-if)"))
    elif fmt == "tree":
        from rich.console import Console

        from vxlan_inspect.render.trace import render_tree

        Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 10_000).print(
            render_tree(result))
    elif fmt == "markdown":
        sys.stdout.write(format_markdown(result))
    elif fmt == "mermaid":
        sys.stdout.write(format_mermaid(result))
    else:
        sys.stdout.write("What-if trace: predicted from the tables, nothing was sent.\n\n" + format_text(result))
        if observed is not None:
            sys.stdout.write("\nPredicted and observed, side by side\n\n" + format_side_by_side(result, observed))


def register(app: typer.Typer) -> None:
    """Add ``explain`` to the app."""
    app.command("explain")(explain)
