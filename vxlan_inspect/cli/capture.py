"""``vxlan-inspect capture``: capture live, in any namespace, and print like tcpdump.

Options are parsed with getopt like tcpdump's; the display options are those of
``read`` and are handed to its parser, so both commands print the same text.
"""

from __future__ import annotations

import getopt
import sys
from pathlib import Path

import typer

from vxlan_inspect.capture.bpf import parse_ddd
from vxlan_inspect.capture.session import CaptureOptions, run_capture
from vxlan_inspect.cli import read as read_cli
from vxlan_inspect.errors import InputError, UsageError

USAGE = """\
Usage: vxlan-inspect capture [-i IFACE|any] [--netns NAME|PATH | --pid PID] [-w FILE [-U]] [-c N]
                             [-s SNAPLEN] [-p] [-B KiB] [-Z USER] [--print] [--bpf FILE]
                             [-#eqnvtxX] [--nano] [--vxlan-port N]... [expression]

Capture live packets with an AF_PACKET socket (filtered in the kernel) and print them
exactly as `tcpdump` (and `vxlan-inspect read`) prints them, VXLAN decapsulated.

  -i IFACE        interface, or "any" (Linux cooked v2 records with In/Out and the
                  interface name); default any
  --netns NS      capture inside network namespace NS: a name in /run/netns, or a path
                  such as /var/run/docker/netns/1-0f222fcb18
  --pid PID       capture inside the network namespace of process PID
  -w FILE         write a pcap (readable by tcpdump and `read`) instead of printing;
                  "-" for stdout
  --print         print the packets even with -w
  -U              flush the pcap as soon as the kernel hands packets over
  -c N            stop after N packets
  -s SNAPLEN      keep at most SNAPLEN bytes of each packet (0 or default: 262144)
  -p              do not put the interface in promiscuous mode
  -B KiB          kernel ring size in KiB (default 8192)
  -Z USER         after opening the capture, switch to USER (as root); every
                  capability is dropped in any case
  --bpf FILE      attach this classic BPF program (the output of `tcpdump -ddd [-i any] EXPR`)
  expression      a filter expression (compiled to classic BPF when the filter module is present)
  Display: -# -e -q -n -v... -t... -x -X --nano --vxlan-port N --ifnames FILE, as for `read`.

At the end, prints tcpdump's counters on stderr: packets captured, received by
filter, dropped by kernel. Ctrl-C or SIGTERM stops cleanly and closes the pcap.

Exit codes: 0 ok, 1 usage (bad option or filter), 2 cannot write the output,
4 environment (no privilege, no such namespace or interface).
"""

_SHORT = "i:w:Uc:s:pB:Z:#eqnNvtxXAlhF:"
_LONG = ["netns=", "pid=", "print", "bpf=", "nano", "micro", "time-stamp-precision=", "vxlan-port=", "ifnames=",
         "help", "number", "immediate-mode", "buffer-size="]
_DISPLAY_SHORT = set("#eqnNvtxXAl")
_DISPLAY_LONG = {"--nano", "--micro", "--time-stamp-precision", "--vxlan-port", "--ifnames", "--number"}


def _positive(value: str, what: str, *, zero: bool = False) -> int:
    if not value.isdigit() or (int(value) == 0 and not zero):
        raise UsageError(f"capture: invalid {what} {value!r}", hint=f"{what} is a {'' if zero else 'positive '}number")
    return int(value)


def _read_text(path: str, what: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {what} ({exc.strerror})") from exc


def parse_args(argv: list[str]) -> CaptureOptions:
    """Turn tcpdump-style arguments into :class:`CaptureOptions` (raises :class:`UsageError`)."""
    try:
        pairs, rest = getopt.gnu_getopt(argv, _SHORT, _LONG)
    except getopt.GetoptError as exc:
        raise UsageError(f"capture: {exc.msg}", hint="see 'vxlan-inspect capture --help'") from exc
    o = CaptureOptions()
    display_args: list[str] = []
    expression_file: str | None = None
    for flag, value in pairs:
        if (flag.lstrip("-") in _DISPLAY_SHORT and not flag.startswith("--")) or flag in _DISPLAY_LONG:
            display_args.extend([flag, value] if value or flag in ("--vxlan-port", "--ifnames") else [flag])
        elif flag in ("-h", "--help"):
            o.help = True
        elif flag == "-i":
            o.interface = value
        elif flag == "--netns":
            o.netns = value
        elif flag == "--pid":
            o.netns = f"pid:{_positive(value, 'process id')}"
        elif flag == "-w":
            o.write = value
        elif flag == "-U":
            o.packet_buffered = True
        elif flag == "-c":
            o.count = _positive(value, "packet count")
        elif flag == "-s":
            o.snaplen = _positive(value, "snapshot length", zero=True)
            if o.snaplen > 262144:
                raise UsageError(f"capture: invalid snapshot length {value}", hint="0 to 262144")
        elif flag == "-p":
            o.promisc = False
        elif flag in ("-B", "--buffer-size"):
            o.buffer_size = _positive(value, "buffer size") * 1024
        elif flag == "-Z":
            o.user = value
        elif flag == "--print":
            o.print_too = True
        elif flag == "--bpf":
            o.program = parse_ddd(_read_text(value, "BPF program"))
        elif flag == "-F":
            expression_file = value
        # --immediate-mode: accepted; blocks are handed over within 20 ms anyway.
    if len([f for f, _ in pairs if f in ("--netns", "--pid")]) > 1:
        raise UsageError("capture: give one namespace (--netns or --pid)")
    if expression_file is not None:
        rest = _read_text(expression_file, "filter file").split()
    o.expression = rest
    if o.program is not None and o.expression:
        raise UsageError("capture: give either --bpf FILE or a filter expression, not both")
    if o.write == "-" and o.print_too:
        raise UsageError("capture: --print and -w - would both write to stdout")
    shown = read_cli.parse_args([*display_args, "-r", "-"])
    o.display = shown.display
    o.display.vxlan_ports = frozenset(shown.vxlan_ports)
    return o


def register(app: typer.Typer) -> None:
    """Add ``capture`` to the app; its arguments are parsed tcpdump-style, not by click."""

    @app.command(
        "capture",
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []},
        help="Capture live in any namespace and print like tcpdump (-i -w -U -c -s -p -Z, --netns/--pid).",
        add_help_option=False,
    )
    def capture_command(ctx: typer.Context) -> None:
        opts = parse_args(list(ctx.args))
        if opts.help:
            sys.stdout.write(USAGE)
            raise typer.Exit(0)
        run_capture(opts)
