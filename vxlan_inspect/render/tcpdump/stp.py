"""Spanning tree BPDUs (802.1D STP, 802.1w RSTP, 802.1s MSTP, 802.1aq SPB) as tcpdump's ``print-stp.c`` prints them.

A Linux bridge with ``stp_state 1`` sends 802.1D configuration BPDUs every
hello time on each port, so they cross VXLAN tunnels whose ``vxlan0`` is a
port of such a bridge. The BPDU follows an LLC header (DSAP = SSAP = 0x42,
UI), or a SNAP header for Cisco PVST+ and RFC 2684 bridged BPDUs::

    offset  size  field (config and RST BPDUs)
         0     2  protocol id (0)
         2     1  protocol version (0 STP, 2 RSTP, 3 MSTP, 4 SPB)
         3     1  BPDU type (0x00 config, 0x02 RST/MST, 0x80 TCN)
         4     1  flags: TC 0x01, proposal 0x02, port role 0x0c, learning 0x10,
                  forwarding 0x20, agreement 0x40, TC ack 0x80
         5     8  root id (priority 2 bytes, MAC 6 bytes)
        13     4  root path cost
        17     8  bridge id (MSTP: CIST regional root id)
        25     2  port id
        27     8  message age, max age, hello time, forward delay (1/256 s each)
        35     1  version 1 length (RST and MST BPDUs)
        36     2  version 3 length (MST BPDUs), then the MST configuration
                  id (39: name, 32 bytes; 71: revision; 73: MD5 digest, 16
                  bytes), 89: CIST internal root path cost, 93: CIST bridge
                  id, 101: CIST remaining hops, 102: MSTI records (16 bytes each)

Each ``w()`` below writes only after all of its fields were read, so a
truncated BPDU prints exactly the text tcpdump prints before ``[|stp]``.
"""

from __future__ import annotations

from vxlan_inspect.render.tcpdump.context import CHARS, Ctx, bittok2str, tok2str

_PROTO = {0x00: "802.1d", 0x02: "802.1w", 0x03: "802.1s", 0x04: "802.1aq"}
_TYPES = {0x00: "Config", 0x02: "Rapid STP", 0x80: "Topology Change"}
_FLAGS = ((0x01, "Topology change"), (0x02, "Proposal"), (0x10, "Learn"), (0x20, "Forward"),
          (0x40, "Agreement"), (0x80, "Topology change ACK"))
_ROLES = {0x00: "Unknown", 0x01: "Alternate", 0x02: "Root", 0x03: "Designated"}

_CONFIG_LEN = 35  # through forward delay
_RSTP_LEN = 36  # plus the version 1 length
_MSTP_MIN_LEN = 102
_MST_CONFIG_INFO_LEN = 64
_MSTI_LEN = 16
_SPB_MIN_LEN = 87


def _bridge_id(ctx: Ctx, off: int) -> str:
    """``8000.aa:bb:cc:dd:ee:ff``: priority in hex, then the MAC."""
    ctx.need(off, 8)
    b = ctx.buf
    return "%02x%02x.%s" % (b[off], b[off + 1], b[off + 2 : off + 8].hex(":"))


def _role(flags: int) -> str:
    return _ROLES[(flags & 0x0C) >> 2]


def _timers(ctx: Ctx, off: int) -> str:
    """The four 1/256-second timers at ``off``."""
    return "\n\tmessage-age %.2fs, max-age %.2fs, hello-time %.2fs, forwarding-delay %.2fs" % (
        ctx.u16(off) / 256, ctx.u16(off + 2) / 256, ctx.u16(off + 4) / 256, ctx.u16(off + 6) / 256)


def _print_name(ctx: Ctx, off: int, n: int) -> None:
    """Up to ``n`` bytes up to a NUL, unprintables as ``M-``/``^`` escapes (tcpdump's ``nd_printjnp``)."""
    w = ctx.out.append
    for i in range(n):
        c = ctx.u8(off + i)
        if c == 0:
            break
        w(CHARS[c])


def _digest(ctx: Ctx, off: int, words: int) -> str:
    return "".join("%08x" % ctx.u32(off + 4 * i) for i in range(words))


def _config(ctx: Ctx, bp: int, length: int) -> None:
    """Config and RST BPDUs."""
    w = ctx.out.append
    flags = ctx.u8(bp + 4)
    w(", Flags [%s]" % bittok2str(_FLAGS, "none", flags))
    w(", bridge-id %s.%04x, length %u" % (_bridge_id(ctx, bp + 17), ctx.u16(bp + 25), length))
    if not ctx.opts.vflag:
        return
    w(_timers(ctx, bp + 27))
    w("\n\troot-id %s, root-pathcost %u" % (_bridge_id(ctx, bp + 5), ctx.u32(bp + 13)))
    if ctx.u8(bp + 2) == 0x02:
        w(", port-role %s" % _role(flags))


def _mstp(ctx: Ctx, bp: int, length: int) -> None:
    """MST BPDUs: the CIST, the MST configuration id, then one record per MSTI."""
    w = ctx.out.append
    flags = ctx.u8(bp + 4)
    w(", CIST Flags [%s], length %u" % (bittok2str(_FLAGS, "none", flags), length))
    if not ctx.opts.vflag:
        return
    w("\n\tport-role %s, " % _role(flags))
    w("CIST root-id %s, CIST ext-pathcost %u" % (_bridge_id(ctx, bp + 5), ctx.u32(bp + 13)))
    w("\n\tCIST regional-root-id %s, " % _bridge_id(ctx, bp + 17))
    w("CIST port-id %04x," % ctx.u16(bp + 25))
    w(_timers(ctx, bp + 27))
    w("\n\tv3len %u, " % ctx.u16(bp + 36))
    w("MCID Name ")
    _print_name(ctx, bp + 39, 32)
    w(", rev %u,\n\t\tdigest %s, " % (ctx.u16(bp + 71), _digest(ctx, bp + 73, 4)))
    w("CIST int-root-pathcost %u," % ctx.u32(bp + 89))
    w("\n\tCIST bridge-id %s, " % _bridge_id(ctx, bp + 93))
    w("CIST remaining-hops %u" % ctx.u8(bp + 101))
    v3len = ctx.u16(bp + 36)
    if v3len <= _MST_CONFIG_INFO_LEN:
        return
    left = v3len - _MST_CONFIG_INFO_LEN
    rec = bp + _MSTP_MIN_LEN
    while left >= _MSTI_LEN:
        msti = ctx.u16(rec + 1) & 0x0FFF
        mflags = ctx.u8(rec)
        w("\n\tMSTI %u, Flags [%s], port-role %s" % (msti, bittok2str(_FLAGS, "none", mflags), _role(mflags)))
        w("\n\t\tMSTI regional-root-id %s, pathcost %u" % (_bridge_id(ctx, rec + 1), ctx.u32(rec + 9)))
        w("\n\t\tMSTI bridge-prio %u, port-prio %u, hops %u"
          % (ctx.u8(rec + 13) >> 4, ctx.u8(rec + 14) >> 4, ctx.u8(rec + 15)))
        left -= _MSTI_LEN
        rec += _MSTI_LEN


def _spb(ctx: Ctx, bp: int) -> None:
    """The SPB (802.1aq) extension that follows an MST BPDU's MSTI records, at ``bp``."""
    if not ctx.opts.vflag:
        return
    w = ctx.out.append
    w("\n\tv4len %u, " % ctx.u16(bp))
    w("AUXMCID Name ")
    _print_name(ctx, bp + 3, 32)
    w(", Rev %u,\n\t\tdigest %s" % (ctx.u16(bp + 35), _digest(ctx, bp + 37, 4)))
    agree = ctx.u8(bp + 53)
    fmt = ctx.u8(bp + 55)
    conv = ctx.u8(bp + 56)
    w("\n\tAgreement num %u, Discarded Agreement num %u, Agreement valid-flag %u,"
      "\n\tRestricted role-flag: %u, Format id %u cap %u, Convention id %u cap %u,"
      "\n\tEdge count %u, Agreement digest %s"
      % (agree >> 6, (agree >> 4) & 3, (agree >> 3) & 1, (agree >> 2) & 1, fmt >> 4, fmt, conv >> 4, conv,
         ctx.u16(bp + 57), _digest(ctx, bp + 67, 5)))


def stp_print(ctx: Ctx, bp: int, length: int) -> None:
    """Print the BPDU at ``bp``; ``length`` is what the LLC or SNAP layer says remains."""
    w = ctx.out.append
    ctx.proto = "stp"
    if length < 4:
        w(" (invalid)")
        return
    if ctx.u16(bp):
        w("unknown STP version, length %u" % length)
        return
    version = ctx.u8(bp + 2)
    w("STP %s" % tok2str(_PROTO, "Unknown STP protocol (0x%02x)", version))
    if version not in _PROTO:
        return
    bpdu_type = ctx.u8(bp + 3)
    w(", %s" % tok2str(_TYPES, "Unknown BPDU Type (0x%02x)", bpdu_type))
    if bpdu_type == 0x00:
        if length < _CONFIG_LEN:
            w(" (invalid)")
            return
        _config(ctx, bp, length)
    elif bpdu_type == 0x02:
        if version == 0x02:
            if length < _RSTP_LEN:
                w(" (invalid)")
                return
            _config(ctx, bp, length)
        elif version in (0x03, 0x04):
            if length < _MSTP_MIN_LEN or ctx.u8(bp + 35) != 0:
                w(" (invalid)")
                return
            mstp_len = ctx.u16(bp + 36) + 2  # the length field counts itself
            if length < _RSTP_LEN + mstp_len:
                w(" (invalid)")
                return
            _mstp(ctx, bp, length)
            if version == 0x04:
                spb_len = ctx.u16(bp + 36 + mstp_len) + 2
                if length < _RSTP_LEN + mstp_len + spb_len or spb_len < _SPB_MIN_LEN:
                    w(" (invalid)")
                    return
                _spb(ctx, bp + _RSTP_LEN + mstp_len)
