"""``vxlan-inspect read``: print a capture exactly as ``tcpdump -r`` does.

Options are parsed with getopt, like tcpdump's, so combined short flags
(``-nner``, ``-#ne``, ``-vvv``, ``-tttt``) work as users type them.
"""

from __future__ import annotations

import getopt
import json
import sys
from pathlib import Path

from vxlan_inspect.errors import InputError, UsageError
from vxlan_inspect.read import ReadOptions, run_read

USAGE = """\
Usage: vxlan-inspect read [-#eqnxXAUlp] [-c count] [-r file | file] [-w file] [-t...] [-v...]
                          [--nano] [--vxlan-port N]... [--ifnames FILE] [expression]

Print the packets of a pcap or pcapng capture exactly as `tcpdump -r` prints them,
VXLAN decapsulated (UDP 4789 and 8472, plus every --vxlan-port).

  -r FILE        read this capture ("-" for stdin); a positional FILE works too
  -n             numeric output (accepted; output is always numeric)
  -e             print link-level headers (MAC addresses, ethertypes), inner ones too
  -v, -vv, -vvv  more detail (IP ttl/id/flags, checksums, options)
  -q             quick (less protocol information)
  -t             no timestamp        -tt   seconds since the epoch
  -ttt           delta since previous packet   -tttt  date and time
  -ttttt         delta since the first packet
  --nano         nanosecond timestamps
  -#             number the packets
  -c N           stop after N packets (reading stops there: a pipe is not read to its end)
  -l             flush after each packet: with -r - (a pipe, tail -f, tcpdump -w -) each
                 packet prints as soon as its record has arrived
  -x, -xx        hex dump (without / with the link header)
  -X, -XX        hex and ASCII dump (without / with the link header)
  -w FILE        write the selected packets to a pcap file instead of printing
  -F FILE        take the filter expression from FILE ('#' starts a comment); as in
                 tcpdump, an expression on the command line is then ignored
  --vxlan-port N decode UDP port N as VXLAN too (repeatable)
  --ifnames FILE interface index -> name map for Linux cooked v2 (SLL2) captures:
                 JSON {"3": "eth0"}, lines "3 eth0", or a scenario bundle's scenario.json
                 (then the map of the namespace where the -r capture was recorded)
  expression     print only the matching packets: pcap-filter syntax plus overlay keywords
                 (vxlan, vni N[-M], vtep ADDR, gbp, vxlan-invalid, inner PRIMITIVE, inner[N] ...),
                 e.g. 'vni 256 and inner icmp[icmptype] == icmp-echo' (docs/filters.md)

Exit codes: 0 ok, 1 usage, 2 not a readable capture, 3 capture cut short or corrupt
(every complete packet before the fault was printed), 4 environment.
"""

_SHORT = "#c:eE:nNqr:tvw:xXAUlps:hZ:y:F:i:"
_LONG = ["nano", "vxlan-port=", "ifnames=", "help", "time-stamp-precision=", "micro", "number",
         "no-system-ifnames", "jobs="]


def _bundle_ifnames(path: str, data: dict[str, object], capture: str | None) -> dict[int, str]:
    """The index -> name map of the namespace where ``capture`` (a file of that bundle) was taken."""
    bundle = Path(path).resolve().parent
    if capture is None or capture == "-":
        raise InputError(f"{path}: a scenario bundle's map depends on the capture file", hint="use -r FILE")
    want = Path(capture).resolve()
    points = data.get("captures")
    spaces = data.get("namespaces")
    if not isinstance(points, list) or not isinstance(spaces, list):
        raise InputError(f"{path}: not a scenario bundle (no captures/namespaces lists)")
    for point in points:
        if isinstance(point, dict) and (bundle / str(point.get("file", ""))).resolve() == want:
            for space in spaces:
                if isinstance(space, dict) and space.get("netns") == point.get("netns"):
                    table = space.get("ifindex")
                    if isinstance(table, dict):
                        return {int(k): str(v) for k, v in table.items() if str(k).isdigit()}
            raise InputError(f"{path}: no interface map for namespace {point.get('netns')!r}")
    raise InputError(f"{path}: {capture} is not one of this bundle's captures",
                     hint="pass the scenario.json of the bundle the capture belongs to")


def load_ifnames(path: str, capture: str | None = None) -> dict[int, str]:
    """Read an index -> name map: JSON object, ``index name`` lines, or a bundle's scenario.json.

    For a scenario.json, the map is the one of the namespace ``capture`` was recorded in.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the interface map ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: the interface map is not text (byte {exc.start} is not UTF-8)",
                         hint="--ifnames takes JSON, 'INDEX NAME' lines or a bundle's scenario.json") from exc
    text = text.strip()
    result: dict[int, str] = {}
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
        if isinstance(data, dict) and "captures" in data and "namespaces" in data:
            return _bundle_ifnames(path, data, capture)
        if isinstance(data, dict) and "ifnames" in data and isinstance(data["ifnames"], dict):
            data = data["ifnames"]
        if not isinstance(data, dict):
            raise InputError(f"{path}: expected a JSON object of index -> name")
        for key, value in data.items():
            if isinstance(value, dict):  # per-namespace maps: merge them
                for k2, v2 in value.items():
                    if str(k2).isdigit():
                        result[int(k2)] = str(v2)
            elif str(key).isdigit():
                result[int(key)] = str(value)
        return result
    for lineno, line in enumerate(text.splitlines(), 1):
        fields = line.replace(":", " ").split()
        if not fields or fields[0].startswith("#"):
            continue
        if len(fields) < 2 or not fields[0].isdigit():
            raise InputError(f"{path}:{lineno}: expected 'INDEX NAME', got {line.strip()!r}")
        result[int(fields[0])] = fields[1]
    return result


def read_filter_file(path: str) -> str:
    """The filter expression in ``path`` (``-F``), with ``#`` comments blanked as tcpdump does."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the filter file ({exc.strerror})") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: the filter file is not text (byte {exc.start} is not UTF-8)") from exc
    # tcpdump's read_infile: every '#' to the end of its line becomes blanks.
    return "\n".join(line.split("#", 1)[0] for line in text.split("\n"))


def parse_args(argv: list[str]) -> ReadOptions:
    """Turn tcpdump-style arguments into :class:`ReadOptions` (raises :class:`UsageError`)."""
    try:
        pairs, rest = getopt.gnu_getopt(argv, _SHORT, _LONG)
    except getopt.GetoptError as exc:
        raise UsageError(f"read: {exc.msg}", hint="see 'vxlan-inspect read --help'") from exc
    o = ReadOptions()
    ifnames_file: str | None = None
    filter_file: str | None = None
    for flag, value in pairs:
        if flag in ("-h", "--help"):
            o.help = True
        elif flag in ("-#", "--number"):
            o.display.packet_number = True
        elif flag == "-c":
            if not value.isdigit() or int(value) <= 0:
                raise UsageError(f"read: invalid packet count {value!r}", hint="-c takes a positive number")
            o.count = int(value)
        elif flag == "-e":
            o.display.eflag += 1
        elif flag == "-q":
            o.display.qflag += 1
        elif flag == "-t":
            o.display.tflag += 1
        elif flag == "-v":
            o.display.vflag += 1
        elif flag == "-x":
            o.display.xflag += 1
        elif flag == "-X":
            o.display.Xflag += 1
        elif flag == "-A":
            o.display.Aflag += 1
        elif flag == "-r":
            o.file = value
        elif flag == "-w":
            o.write = value
        elif flag == "--nano":
            o.display.nano = True
        elif flag == "--micro":
            o.display.nano = False
        elif flag == "--time-stamp-precision":
            if value not in ("nano", "micro"):
                raise UsageError(f"read: unsupported time stamp precision {value!r}", hint="nano or micro")
            o.display.nano = value == "nano"
        elif flag == "--vxlan-port":
            if not value.isdigit() or not 0 < int(value) < 65536:
                raise UsageError(f"read: invalid port {value!r} for --vxlan-port")
            o.vxlan_ports.add(int(value))
        elif flag == "--ifnames":
            ifnames_file = value
        elif flag == "--jobs":
            if not value.isdigit():
                raise UsageError(f"read: invalid --jobs {value!r}", hint="a number of worker processes, 1 for none")
            o.jobs = int(value)
        elif flag == "--no-system-ifnames":
            o.display.system_ifnames = False
        elif flag == "-F":
            filter_file = value
        elif flag == "-l":
            o.line_buffered = True
        elif flag == "-i":
            raise UsageError("read: -i captures live; use 'vxlan-inspect capture -i IFACE'")
        # -n -N -U -p -s -E -Z -y: accepted for tcpdump compatibility, no effect when reading.
    if o.file is None:
        if not rest:
            if not o.help:
                raise UsageError("read: no capture given", hint="use -r FILE, a positional FILE, or -r - for stdin")
        else:
            o.file = rest.pop(0)
    o.expression = rest
    if filter_file is not None:  # like tcpdump: the file's expression, the command line's is ignored
        o.expression = [read_filter_file(filter_file)]
    if ifnames_file is not None:
        o.display.ifnames = load_ifnames(ifnames_file, o.file)
    if o.display.tflag > 5:
        o.display.tflag = 5
    return o


def read_main(argv: list[str]) -> int:
    """``vxlan-inspect read ARGS``: parse tcpdump-style, print; return the exit code."""
    opts = parse_args(argv)
    if opts.help:
        sys.stdout.write(USAGE)
        return 0
    run_read(opts)
    return 0
