"""`vxlan-inspect lab ...`: build the seed overlay in namespaces, break it, record scenarios.

Each command calls one function of :mod:`vxlan_inspect.lab`. Commands that change
the machine take ``--dry-run``, which prints the exact commands without root.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from vxlan_inspect.errors import UsageError
from vxlan_inspect.lab import faults, ping, plan, record, runner, scenarios, topology

app = typer.Typer(
    help="Build the seed overlay in network namespaces, break it, record scenarios.", no_args_is_help=True
)

PrefixOpt = Annotated[
    str | None, typer.Option("--prefix", "-p", help="Lab name prefix (default: the only lab).")
]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Print the exact commands; change nothing.")]


def _emit(commands: plan.Plan) -> None:
    sys.stdout.write(plan.format_plan(commands))


@app.command()
def up(
    mode: Annotated[str, typer.Option("--mode", "-m", help="docker | learning | multicast | p2p")] = "docker",
    prefix: Annotated[
        str | None, typer.Option("--prefix", "-p", help="Name prefix (default: vxl + 4 hex).")
    ] = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Build the seed topology: two hosts, an underlay switch, overlay namespaces, two containers."""
    topo = topology.seed_topology(prefix or topology.new_prefix(), mode)
    commands = plan.plan_up(topo)
    if dry_run:
        _emit(commands)
        return
    runner.lab_up(topo, commands)
    print(
        f"lab {topo.prefix} is up ({mode} mode); lab down --prefix {topo.prefix} removes it", file=sys.stderr
    )
    print(topo.prefix)


@app.command()
def down(prefix: PrefixOpt = None, dry_run: DryRunOpt = False) -> None:
    """Remove a lab: processes in its namespaces, the namespaces, root links with its prefix."""
    if prefix is None:
        prefix = runner.resolve_prefix(None)
    topology.check_prefix(prefix)
    if dry_run:
        found = runner.find_leftovers(prefix)
        _emit(
            [["kill", str(pid)] for pid in found.pids] + [["ip", "netns", "del", n] for n in found.namespaces]
        )
        return
    found = runner.lab_down(prefix)
    print(
        f"lab {prefix}: removed {len(found.namespaces)} namespaces, {len(found.links)} links, "
        f"{len(found.pids)} processes",
        file=sys.stderr,
    )


@app.command()
def status(
    prefix: PrefixOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show the labs (or one lab): mode, hosts, containers, faults, namespaces present."""
    prefixes = [runner.resolve_prefix(prefix)] if prefix else runner.known_prefixes()
    labs = []
    for p in prefixes:
        topo = runner.load_state(p)
        present = set(runner.find_leftovers(p).namespaces)
        doc = topo.to_json()
        doc["namespaces"] = {ns: ns in present for ns in topo.namespaces()}
        labs.append(doc)
    if as_json:
        print(json.dumps(labs, indent=2))
        return
    if not labs:
        print("no lab is up")
    for doc in labs:
        print(f"lab {doc['prefix']}  mode {doc['mode']}")
        for h in doc["hosts"]:
            print(f"  host {h['name']:9} {h['underlay_ip']}")
        for c in doc["containers"]:
            print(f"  container {c['name']:5} on {c['host']:9} {c['ip']:15} {c['mac']}")
        for f in doc["faults"]:
            print(f"  fault {f['name']}: {f['detail']}")
        missing = [ns for ns, ok in doc["namespaces"].items() if not ok]
        print(
            f"  namespaces: {len(doc['namespaces']) - len(missing)} present"
            + (f", missing {missing}" if missing else "")
        )


@app.command("ping")
def ping_(
    src: Annotated[str, typer.Argument(help="Container (C-2) or host (docker-2) to ping from.")],
    dst: Annotated[str, typer.Argument(help="Container, host or lab IPv4 address.")],
    count: Annotated[int, typer.Option("-c", help="Number of echo requests.")] = 3,
    size: Annotated[int, typer.Option("-s", help="Payload size in bytes.")] = 56,
    df: Annotated[bool, typer.Option("--df", help="Set Don't Fragment (ping -M do).")] = False,
    prefix: PrefixOpt = None,
    dry_run: DryRunOpt = False,
) -> int:
    """Ping inside the lab with iputils ping; exits with ping's status."""
    topo = runner.load_state(runner.resolve_prefix(prefix))
    argv = ping.ping_argv(topo, src, dst, count=count, size=size, df=df)
    if dry_run:
        _emit([argv])
        return 0
    result = ping.run_ping(argv)
    sys.stdout.write(result.output)
    return result.returncode


@app.command("break")
def break_(
    fault: Annotated[str, typer.Argument(help="One of: " + ", ".join(faults.FAULTS))],
    prefix: PrefixOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Inject a fault into a docker-mode lab."""
    topo = runner.load_state(runner.resolve_prefix(prefix))
    commands, broken = faults.plan_break(topo, fault)
    if dry_run:
        _emit(commands)
        return
    runner.apply_change(broken, commands)
    print(f"lab {topo.prefix}: {fault}: {faults.FAULTS[fault]}", file=sys.stderr)


@app.command()
def fix(prefix: PrefixOpt = None, dry_run: DryRunOpt = False) -> None:
    """Undo every fault in force."""
    topo = runner.load_state(runner.resolve_prefix(prefix))
    commands, healed = faults.plan_fix(topo)
    if dry_run:
        _emit(commands)
        return
    runner.apply_change(healed, commands)
    print(f"lab {topo.prefix}: fixed {len(topo.faults)} fault(s)", file=sys.stderr)


@app.command("add-container")
def add_container(
    host: Annotated[str, typer.Argument(help="Host to run it on, e.g. docker-1.")],
    name: Annotated[str, typer.Argument(help="Container name, e.g. X-2.")],
    ip: Annotated[str, typer.Argument(help="Overlay address, e.g. 192.168.10.200.")],
    prefix: PrefixOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Start a container and program the other hosts like Docker's control plane (the seed's X-2)."""
    topo = runner.load_state(runner.resolve_prefix(prefix))
    try:
        mac = topology.mac_for_ip(ip)
    except ValueError:
        raise UsageError(f"{ip!r} is not an IPv4 address") from None
    grown = topo.with_container(topology.Container(name, host, ip, mac))
    commands = plan.plan_add_container(grown, name)
    if dry_run:
        _emit(commands)
        return
    runner.apply_change(grown, commands)
    print(f"lab {topo.prefix}: {name} {ip} {mac} on {host}", file=sys.stderr)


OutOpt = Annotated[Path, typer.Option("-o", "--output", help="Bundle directory.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace an earlier bundle in the directory.")]


@app.command("record")
def record_(
    scenario: Annotated[str, typer.Argument(help="One of: " + ", ".join(scenarios.SCENARIOS))],
    output: OutOpt,
    prefix: Annotated[
        str | None, typer.Option("--prefix", "-p", help="Name prefix of the lab it builds.")
    ] = None,
    force: ForceOpt = False,
) -> None:
    """Build a fresh lab, run SCENARIO while capturing everywhere, write a scenario bundle, tear down."""
    chosen = scenarios.get_scenario(scenario)
    record.record_scenario(
        chosen, output, topology.check_prefix(prefix or topology.new_prefix()), force=force
    )
    print(str(output))


@app.command("record-all")
def record_all(output: OutOpt, force: ForceOpt = False) -> None:
    """Record every scenario into OUTPUT/<scenario>/."""
    for name, chosen in scenarios.SCENARIOS.items():
        record.record_scenario(chosen, output / name, topology.new_prefix(), force=force)
        print(str(output / name))
