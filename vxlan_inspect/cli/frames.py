"""`vxlan-inspect stats` and `vxlan-inspect export`: captures as tables (the frames feature)."""

from __future__ import annotations

import json
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from vxlan_inspect.errors import InputError

if TYPE_CHECKING:
    from rich.progress import Progress

FilesArg = Annotated[list[str], typer.Argument(help="Capture files (pcap/pcapng) or directories of them.",
                                               show_default=False)]
PortOpt = Annotated[list[int] | None, typer.Option("--vxlan-port", help="Extra UDP port carrying VXLAN "
                                                   "(4789 and 8472 always are).", show_default=False)]
JobsOpt = Annotated[int | None, typer.Option("--jobs", "-j", help="Worker processes for several files.")]


class ExportFormat(StrEnum):
    """Output formats of `export`."""

    parquet = "parquet"
    csv = "csv"
    jsonl = "jsonl"


class _Reporter:
    """A rich progress bar on stderr, shown only once reading has taken more than a second."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.progress: Progress | None = None
        self.tasks: dict[str, Any] = {}

    def __call__(self, label: str, done: int, total: int) -> None:
        if self.progress is None:
            if time.monotonic() - self.start < 1.0 or done >= total:
                return
            from rich.console import Console
            from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

            self.progress = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                                     TimeRemainingColumn(), console=Console(stderr=True), transient=True)
            self.progress.start()
        if label not in self.tasks:
            self.tasks[label] = self.progress.add_task(label, total=total)
        self.progress.update(self.tasks[label], completed=done)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def _read(files: list[str], ports: list[int] | None, jobs: int | None) -> Any:
    from vxlan_inspect.frames import read_packets

    reporter = _Reporter()
    try:
        return read_packets(files, vxlan_ports={4789, 8472, *(ports or [])}, jobs=jobs, progress=reporter)
    finally:
        reporter.close()


def _records(table: Any) -> list[dict[str, Any]]:
    text = table.to_json(orient="records", date_format="iso", date_unit="us")
    return list(json.loads(text))


def _show(table: Any, title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, soft_wrap=True)
    view = Table(title=title)
    for col in table.columns:
        view.add_column(str(col), justify="right" if table[col].dtype.kind in "iuf" else "left")
    for row in table.astype(object).itertuples(index=False):
        view.add_row(*("" if _missing(v) else _cell(v) for v in row))
    console.print(view)


def _missing(value: Any) -> bool:
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(value, float) and value != value


def _cell(value: Any) -> str:
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def stats(
    files: FilesArg,
    pings: Annotated[bool, typer.Option("--pings", help="ICMP echo requests, replies and RTT.")] = False,
    arp: Annotated[bool, typer.Option("--arp", help="ARP requests and their replies.")] = False,
    endpoints: Annotated[bool, typer.Option("--endpoints", help="Inner MAC/IP -> VTEP it was seen behind.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON records instead of a table.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")] = False,
    vxlan_port: PortOpt = None,
    jobs: JobsOpt = None,
) -> None:
    """Tables of whole captures: VXLAN flows per VNI and VTEP pair (default), pings, ARP or endpoints."""
    from vxlan_inspect.errors import UsageError

    if sum((pings, arp, endpoints)) > 1:
        raise UsageError("choose one of --pings, --arp, --endpoints")
    if as_json and as_csv:
        raise UsageError("choose one of --json and --csv")
    df = _read(files, vxlan_port, jobs)
    if pings:
        table, title = df.vxlan.pings(), "pings"
    elif arp:
        table, title = df.vxlan.arp(), "ARP exchanges"
    elif endpoints:
        table, title = df.vxlan.endpoints(), "endpoints (inner MAC -> VTEP)"
    else:
        table, title = df.vxlan.flows(), "VXLAN flows"
    if as_json:
        sys.stdout.write(json.dumps(_records(table), indent=2) + "\n")
    elif as_csv:
        sys.stdout.write(table.to_csv(index=False, date_format="%Y-%m-%dT%H:%M:%S.%fZ"))
    else:
        _show(table, f"{title} ({len(df)} packets)")


def export(
    files: FilesArg,
    output: Annotated[str, typer.Option("--output", "-o", help="Output file ('-' = stdout for csv/jsonl).",
                                        show_default=False)],
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="parquet, csv or jsonl.")] = ExportFormat.parquet,
    vxlan_port: PortOpt = None,
    jobs: JobsOpt = None,
) -> None:
    """Write the packet table (one row per packet; schema in docs/frames.md) as Parquet, CSV or JSON lines."""
    from vxlan_inspect.errors import UsageError

    if output == "-" and fmt is ExportFormat.parquet:
        raise UsageError("Parquet cannot go to stdout", hint="give a file with -o")
    if output != "-" and not Path(output).parent.exists():
        raise InputError(f"{output}: the directory does not exist")
    df = _read(files, vxlan_port, jobs)
    if fmt is ExportFormat.parquet:
        df.to_parquet(output, engine="pyarrow", index=False)
        return
    target: Any = sys.stdout if output == "-" else output
    if fmt is ExportFormat.csv:
        df.to_csv(target, index=False, date_format="%Y-%m-%dT%H:%M:%S.%fZ")
    else:
        df.to_json(target, orient="records", lines=True, date_format="iso", date_unit="ns")
        if output == "-":
            sys.stdout.write("\n")


def register(app: typer.Typer) -> None:
    """Add `stats` and `export` to the app."""
    app.command("stats")(stats)
    app.command("export")(export)
