#!/usr/bin/env python3
"""A tiny authoritative DNS responder for the lab captures (scripts/make-captures.py).

    python3 scripts/dns_responder.py ADDRESS [ADDRESS...]

Serves the made-up zone ``overlay.test.`` (and two reverse names) on UDP and TCP port 53
of each ADDRESS, and answers unicast multicast-DNS queries (RFC 6762 6.7, "legacy
unicast") on UDP 5353. Prints ``ready`` once listening and runs until killed. Only meant
to run inside a lab namespace; it sends nothing except answers to the queries it gets.

Messages are built by hand (RFC 1035 wire format, with name compression, RFC 6891 EDNS0:
OPT echo with a server cookie, NSID, client-subnet echo, BADVERS for EDNS versions > 0,
and TC over UDP when the answer does not fit the client's buffer).
"""

from __future__ import annotations

import select
import socket
import struct
import sys
from collections.abc import Callable

ZONE = "overlay.test"
SOA = ("ns1.overlay.test", "hostmaster.overlay.test", 2024010101, 3600, 600, 86400, 60)
A, NS, CNAME, SOA_T, PTR, MX, TXT, AAAA, SRV, OPT, ANY = 1, 2, 5, 6, 12, 15, 16, 28, 33, 41, 255
BIG_TXT = tuple("chunk %02d of a record too big for 512 bytes" % i for i in range(16))

# name -> [(type, ttl, rdata)]; rdata: str for names, tuples for MX/SRV/TXT/SOA, bytes for addresses.
RECORDS: dict[str, list[tuple[int, int, object]]] = {
    ZONE: [(SOA_T, 3600, SOA), (NS, 3600, "ns1.overlay.test"), (MX, 300, (10, "mail.overlay.test")),
           (TXT, 300, ("v=spf1 ip4:192.168.10.0/24 -all",)), (TXT, 300, ("hello", "overlay world"))],
    "ns1.overlay.test": [(A, 3600, socket.inet_aton("192.168.10.100"))],
    "mail.overlay.test": [(A, 300, socket.inet_aton("192.168.10.100"))],
    "web.overlay.test": [(A, 30, socket.inet_aton("192.168.10.100")),
                         (AAAA, 30, socket.inet_pton(socket.AF_INET6, "fd00:10::100"))],
    "www.overlay.test": [(CNAME, 90061, "web.overlay.test")],
    "api.overlay.test": [(A, 0, socket.inet_aton("192.168.10.100")), (A, 0, socket.inet_aton("192.168.10.2"))],
    "_http._tcp.overlay.test": [(SRV, 120, (0, 5, 80, "web.overlay.test")),
                                (SRV, 120, (10, 1, 8080, "api.overlay.test"))],
    "big.overlay.test": [(TXT, 60, BIG_TXT)],
    "100.10.168.192.in-addr.arpa": [(PTR, 600, "web.overlay.test")],
    "web.local": [(A, 120, socket.inet_aton("192.168.10.100"))],
}
SERVER_COOKIE = bytes.fromhex("01000000665f1e2a5c0ffee0c0ffee00")


class Writer:
    """A DNS message being built, with RFC 1035 4.1.4 compression of names."""

    def __init__(self) -> None:
        self.buf = bytearray()
        self.seen: dict[str, int] = {}

    def name(self, name: str, compress: bool = True) -> None:
        labels = [x for x in name.strip(".").split(".") if x]
        for i in range(len(labels)):
            suffix = ".".join(labels[i:]).lower()
            if compress and suffix in self.seen:
                self.buf += struct.pack("!H", 0xC000 | self.seen[suffix])
                return
            if len(self.buf) < 0x3FFF:
                self.seen[suffix] = len(self.buf)
            raw = labels[i].encode()
            self.buf += bytes([len(raw)]) + raw
        self.buf.append(0)

    def rr(self, name: str, rtype: int, rclass: int, ttl: int, rdata: Callable[[Writer], None]) -> None:
        self.name(name)
        self.buf += struct.pack("!HHI", rtype, rclass, ttl)
        at = len(self.buf)
        self.buf += b"\0\0"
        rdata(self)
        struct.pack_into("!H", self.buf, at, len(self.buf) - at - 2)


def rdata_writer(rtype: int, data: object) -> Callable[[Writer], None]:
    def write(w: Writer) -> None:
        if rtype in (A, AAAA):
            assert isinstance(data, bytes)
            w.buf += data
        elif rtype in (NS, CNAME, PTR):
            assert isinstance(data, str)
            w.name(data)
        elif rtype == MX:
            assert isinstance(data, tuple)
            w.buf += struct.pack("!H", data[0])
            w.name(data[1])
        elif rtype == SRV:
            assert isinstance(data, tuple)
            w.buf += struct.pack("!HHH", *data[:3])
            w.name(data[3], compress=False)  # RFC 2782: the target is not compressed
        elif rtype == TXT:
            assert isinstance(data, tuple)
            for s in data:
                raw = s.encode()
                w.buf += bytes([len(raw)]) + raw
        elif rtype == SOA_T:
            assert isinstance(data, tuple)
            w.name(data[0])
            w.name(data[1])
            w.buf += struct.pack("!IIIII", *data[2:])

    return write


def read_name(msg: bytes, off: int) -> tuple[str, int]:
    labels = []
    while msg[off]:
        n = msg[off]
        labels.append(msg[off + 1 : off + 1 + n].decode("ascii", "replace"))
        off += 1 + n
    return ".".join(labels), off + 1


def parse_query(msg: bytes) -> dict[str, object]:
    ident, flags, qd, _an, _ns, ar = struct.unpack_from("!HHHHHH", msg)
    qname, off = read_name(msg, 12)
    qtype, qclass = struct.unpack_from("!HH", msg, off)
    off += 4
    q: dict[str, object] = {"id": ident, "flags": flags, "qname": qname, "qtype": qtype, "qclass": qclass,
                            "question": msg[12:off], "edns": None}
    if qd == 1 and ar:
        _, off = read_name(msg, off)
        rtype, size, ttl, rdlen = struct.unpack_from("!HHIH", msg, off)
        if rtype == OPT:
            opts: dict[int, bytes] = {}
            p = off + 10
            while p + 4 <= off + 10 + rdlen:
                code, ln = struct.unpack_from("!HH", msg, p)
                opts[code] = msg[p + 4 : p + 4 + ln]
                p += 4 + ln
            q["edns"] = {"size": size, "version": (ttl >> 16) & 0xFF, "do": bool(ttl & 0x8000), "opts": opts}
    return q


def answer(msg: bytes, over_tcp: bool, mdns: bool = False) -> bytes | None:
    try:
        q = parse_query(msg)
    except (IndexError, struct.error):
        return None
    flags = int(q["flags"])  # type: ignore[call-overload]
    if flags & 0x8000:
        return None
    qname = str(q["qname"]).lower()
    qtype = int(q["qtype"])  # type: ignore[call-overload]
    edns = q["edns"]
    assert edns is None or isinstance(edns, dict)
    rcode = 0
    answers: list[tuple[str, int, int, object]] = []
    authority: list[tuple[str, int, int, object]] = []
    additional: list[tuple[str, int, int, object]] = []
    if edns is not None and edns["version"] > 0:
        rcode = 16  # BADVERS: extended rcode 1 in the OPT record, 0 in the header
    else:
        name = qname
        while True:
            rrs = RECORDS.get(name)
            if rrs is None:
                if name == qname:
                    rcode = 3
                authority.append((ZONE, SOA_T, 60, SOA))
                break
            cname = [r for r in rrs if r[0] == CNAME]
            if cname and qtype != CNAME:
                answers.append((name, CNAME, cname[0][1], cname[0][2]))
                name = str(cname[0][2])
                continue
            hits = [(name, t, ttl, d) for t, ttl, d in rrs if qtype in (t, ANY)]
            answers += hits
            if not hits:
                authority.append((ZONE, SOA_T, 60, SOA))
            break
        for _, t, _, d in answers:
            target = d[1] if t == MX else d[3] if t == SRV else d if t == NS else None  # type: ignore[index]
            for rt, ttl, rd in RECORDS.get(str(target), []) if target else []:
                if rt in (A, AAAA):
                    additional.append((str(target), rt, ttl, rd))
    resp_flags = 0x8000 | 0x0400 | (flags & 0x0100) | 0x0080 | (rcode & 0xF)
    if mdns:
        resp_flags = 0x8400
    limit = 65535 if over_tcp else (max(512, edns["size"]) if edns else 512)

    def build(with_records: bool, tc: bool) -> bytes:
        w = Writer()
        n_an = len(answers) if with_records else 0
        n_ns = len(authority) if with_records else 0
        n_ar = (len(additional) if with_records else 0) + (1 if edns is not None else 0)
        w.buf += struct.pack("!HHHHHH", q["id"], resp_flags | (0x0200 if tc else 0), 1, n_an, n_ns, n_ar)
        w.name(str(q["qname"]))
        w.buf += struct.pack("!HH", qtype, q["qclass"])
        rclass = 0x8001 if mdns else 1
        if with_records:
            for section in (answers, authority, additional):
                for name, t, ttl, d in section:
                    w.rr(name, t, rclass, ttl, rdata_writer(t, d))
        if edns is not None:
            opts = bytearray()
            cookie = edns["opts"].get(10)
            if cookie is not None:
                opts += struct.pack("!HH", 10, 8 + len(SERVER_COOKIE)) + cookie[:8] + SERVER_COOKIE
            if 3 in edns["opts"]:
                opts += struct.pack("!HH", 3, 4) + b"vdns"
            if 8 in edns["opts"]:
                ecs = edns["opts"][8]
                opts += struct.pack("!HH", 8, len(ecs)) + ecs[:3] + bytes([ecs[2]]) + ecs[4:]
            ttl = ((rcode >> 4) << 24) | (0x8000 if edns["do"] else 0)
            w.buf += b"\0" + struct.pack("!HHIH", OPT, 1232, ttl, len(opts)) + opts
        return bytes(w.buf)

    out = build(True, False)
    if len(out) > limit:
        out = build(False, True)
    return out


def main() -> int:
    udp: list[socket.socket] = []
    tcp: list[socket.socket] = []
    for addr in sys.argv[1:]:
        fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
        for port in (53, 5353):
            s = socket.socket(fam, socket.SOCK_DGRAM)
            s.bind((addr, port))
            udp.append(s)
        t = socket.socket(fam, socket.SOCK_STREAM)
        t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        t.bind((addr, 53))
        t.listen(4)
        tcp.append(t)
    print("ready", flush=True)
    conns: dict[socket.socket, bytearray] = {}
    while True:
        ready, _, _ = select.select([*udp, *tcp, *conns], [], [])
        for s in ready:
            if s in udp:
                msg, peer = s.recvfrom(65535)
                out = answer(msg, False, mdns=s.getsockname()[1] == 5353)
                if out is not None:
                    s.sendto(out, peer)
            elif s in tcp:
                c, _ = s.accept()
                conns[c] = bytearray()
            else:
                data = s.recv(65535)
                if not data:
                    s.close()
                    del conns[s]
                    continue
                pending = conns[s]
                pending += data
                while len(pending) >= 2 and len(pending) >= 2 + struct.unpack_from("!H", pending)[0]:
                    n = struct.unpack_from("!H", pending)[0]
                    out = answer(bytes(pending[2 : 2 + n]), True)
                    del pending[: 2 + n]
                    if out is not None:
                        s.sendall(struct.pack("!H", len(out)) + out)


if __name__ == "__main__":
    sys.exit(main())
