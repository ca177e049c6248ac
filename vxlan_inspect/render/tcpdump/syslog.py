"""Syslog over UDP (RFC 3164 / RFC 5424, port 514) as tcpdump's ``print-syslog.c`` prints it.

A message starts with its priority in angle brackets, ``<PRI>``, 1 to 3 decimal digits;
PRI = facility * 8 + severity. tcpdump reads at most 3 digits, then wants ``>``; anything
else is `` (invalid)``. Without ``-v`` it prints ``SYSLOG facility.severity, length: N``;
with ``-v`` the numbers and the message text (every byte, unprintables escaped as ``^X``
and ``M-x``); with ``-vv`` also a hex dump of the whole payload.
"""

from __future__ import annotations

from vxlan_inspect.render.tcpdump.context import CHARS, Ctx, Truncated, tok2str
from vxlan_inspect.render.tcpdump.hexdump import hex_only

SYSLOG_PORT = 514

_SEVERITIES = {0: "emergency", 1: "alert", 2: "critical", 3: "error", 4: "warning", 5: "notice", 6: "info",
               7: "debug"}
_FACILITIES = {0: "kernel", 1: "user", 2: "mail", 3: "daemon", 4: "auth", 5: "syslog", 6: "lpr", 7: "news",
               8: "uucp", 9: "cron", 10: "authpriv", 11: "ftp", 12: "ntp", 13: "security", 14: "console",
               15: "cron", 16: "local0", 17: "local1", 18: "local2", 19: "local3", 20: "local4", 21: "local5",
               22: "local6", 23: "local7"}
_MAX_DIGITS = 3


def syslog_print(ctx: Ctx, off: int, length: int) -> None:
    """Print the syslog message of ``length`` bytes at ``off``."""
    w = ctx.out.append
    ctx.proto = "syslog"
    if ctx.u8(off) != 0x3C:  # '<'
        w(" (invalid)")
        return
    msg_off = 1
    pri = 0
    while msg_off <= _MAX_DIGITS and 0x30 <= ctx.u8(off + msg_off) <= 0x39:
        pri = pri * 10 + ctx.buf[off + msg_off] - 0x30
        msg_off += 1
    if ctx.u8(off + msg_off) != 0x3E:  # '>'
        w(" (invalid)")
        return
    msg_off += 1
    pri &= 0xFFFF  # uint16_t
    facility = (pri & 0x03F8) >> 3
    severity = pri & 0x0007
    fac = tok2str(_FACILITIES, "unknown (%u)", facility)
    sev = tok2str(_SEVERITIES, "unknown (%u)", severity)
    if ctx.opts.vflag < 1:
        w("SYSLOG %s.%s, length: %u" % (fac, sev, length))
        return
    w("SYSLOG, length: %u\n\tFacility %s (%u), Severity %s (%u)\n\tMsg: " % (length, fac, facility, sev, severity))
    if length > msg_off:
        # nd_printn: every byte escaped; GET_U_1 longjmps at the end of the capture.
        start = off + msg_off
        stop = start + length - msg_off
        w("".join(CHARS[c] for c in ctx.buf[start : min(stop, ctx.end)]))
        if stop > ctx.end:
            raise Truncated
    if ctx.opts.vflag > 1:
        w(hex_only(ctx.buf[off : off + min(length, ctx.avail(off))]))
