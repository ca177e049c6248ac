"""IEEE 802.2 LLC and SNAP as tcpdump's ``print-llc.c`` prints them.

Ethernet hands a frame here when its length/type field is a length (<= 1500,
802.3) or the Jumbo type 0x8870; Linux cooked captures do when the protocol
is 0x0004 (802.2). LLC header::

    +--------+--------+-----------------+---------
    |  DSAP  |  SSAP  | control (1 | 2) | payload
    +--------+--------+-----------------+---------

DSAP bit 0 is Individual/Group, SSAP bit 0 Command/Response. A control byte
with both low bits set is a U frame (one byte); I and S frames have a
two-byte control field, little-endian. SNAP (DSAP = SSAP = 0xaa, UI) adds a
3-byte OUI and a 2-byte protocol id.

What is decoded here as tcpdump 4.99.3 does: the LLC header (``-e``), STP
BPDUs (SAP 0x42, and over SNAP Cisco PVST+/VLAN Bridge and RFC 2684 BPDUs),
IP over SAP 0x06, SNAP with OUI 0 (or Cisco's 0x0000f8) by ethertype, RFC
2684 bridged Ethernet, and unknown SAPs or OUIs (a summary of the LLC frame,
then a hex dump). tcpdump also decodes IPX, ISO CLNS (IS-IS), NetBEUI, CDP,
DTP, UDLD, VTP, Appletalk and bridged Token Ring or FDDI here; we have no
printers for those, so they print like an unknown SAP or OUI does.
"""

from __future__ import annotations

from vxlan_inspect.render.tcpdump.context import Ctx, tok2str
from vxlan_inspect.render.tcpdump.hexdump import default_print
from vxlan_inspect.render.tcpdump.stp import stp_print

SAP_NAMES = {
    0x00: "Null", 0xFF: "Global", 0x02: "802.1B I", 0x03: "802.1B G", 0x06: "IP", 0x04: "SNA",
    0x0E: "ProWay NM", 0x42: "STP", 0x4E: "RS511", 0x7E: "ISO8208", 0x8E: "ProWay", 0xAA: "SNAP",
    0xE0: "IPX", 0xF0: "NetBeui", 0xFE: "OSI",
}
SAP_IP = 0x06
SAP_STP = 0x42
SAP_SNAP = 0xAA
LLC_UI = 0x03
LLC_XID = 0xAF
LLC_XID_FI = 0x81
LLC_U_POLL = 0x10
LLC_IS_POLL = 0x0100

_U_CMDS = {0x03: "ui", 0xE3: "test", 0xAF: "xid", 0x63: "ua", 0x43: "disc", 0x0F: "dm", 0x6F: "sabme", 0x87: "frmr"}
# The C/R bit of the SSAP combined with the poll/final bit of the control field.
_FLAGS = {0: "Command", 1: "Response", LLC_U_POLL: "Poll", 1 | LLC_U_POLL: "Final",
          LLC_IS_POLL: "Poll", 1 | LLC_IS_POLL: "Final"}
_SUPERVISORY = {0: "Receiver Ready", 1: "Receiver not Ready", 2: "Reject"}

OUI_ENCAP_ETHER = 0x000000
OUI_CISCO = 0x00000C
OUI_CISCO_90 = 0x0000F8
OUI_RFC2684 = 0x0080C2
OUI_APPLETALK = 0x080007
OUI_NAMES = {
    0x000000: "Ethernet", 0x00000C: "Cisco", 0x00005E: "IANA", 0x000081: "Nortel Networks SONMP",
    0x0000F8: "Cisco bridged", 0x0080C2: "Ethernet bridged", 0x00A03E: "ATM Forum",
    0x00E02F: "DOCSIS Spanning Tree", 0x080007: "Appletalk", 0x009069: "Juniper", 0x080009: "Hewlett-Packard",
    0x00120F: "IEEE 802.3 Private", 0x0012BB: "ANSI/TIA", 0x001B21: "DCBX", 0x002320: "Nicira Networks",
    0x5C16C7: "Big Switch Networks", 0xB0D2F5: "Vello Systems", 0x002481: "HP", 0x0004EA: "HP-Labs",
    0x748771: "Infoblox Inc", 0xA42305: "Open Networking Lab", 0x00049F: "Freescale", 0x0015AD: "Netronome",
    0x001018: "Broadcom", 0x00E004: "PMC-Sierra", 0xD0F0DB: "Ericsson",
}
_CISCO_PIDS = {0x2000: "CDP", 0x2003: "VTP", 0x2004: "DTP", 0x0111: "UDLD", 0x010B: "PVST", 0x010C: "VLAN Bridge"}
_BRIDGED_PIDS = {
    0x0001: "Ethernet + FCS", 0x0007: "Ethernet w/o FCS", 0x0002: "802.4 + FCS", 0x0008: "802.4 w/o FCS",
    0x0003: "Token Ring + FCS", 0x0009: "Token Ring w/o FCS", 0x0004: "FDDI + FCS", 0x000A: "FDDI w/o FCS",
    0x0005: "802.6 + FCS", 0x000B: "802.6 w/o FCS", 0x000E: "BPDU",
}
_PID_STP = frozenset({0x010B, 0x010C})  # Cisco PVST+, VLAN Bridge
_PID_BRIDGED_ETHER = frozenset({0x0001, 0x0007})
_PID_BRIDGED_BPDU = 0x000E

Macs = tuple[int, int] | None
"""Offsets of the source and destination MAC of the enclosing frame, or None (cooked captures)."""


def _pid_names(orgcode: int) -> dict[int, str]:
    from vxlan_inspect.render.tcpdump.link import ETHERTYPE_NAMES

    if orgcode in (OUI_ENCAP_ETHER, OUI_CISCO_90, OUI_APPLETALK):
        return ETHERTYPE_NAMES
    if orgcode == OUI_CISCO:
        return _CISCO_PIDS
    if orgcode == OUI_RFC2684:
        return _BRIDGED_PIDS
    return {}


def _short(ctx: Ctx, p: int, length: int, caplen: int, need: int) -> tuple[int, bool]:
    """An LLC header shorter than ``need``: `` [|llc]`` and a dump of what there is."""
    ctx.out.append(" [|llc]")
    default_print(ctx, p, caplen)
    return (caplen if caplen < need else length), True


def llc_print(ctx: Ctx, p: int, length: int, caplen: int, macs: Macs) -> tuple[int, bool]:
    """Print the LLC frame at ``p``; return (LLC + SNAP header length, payload printed).

    When the payload was not printed (unknown SAP or OUI), the caller dumps the
    whole frame from ``p`` in hex, as tcpdump does.
    """
    w = ctx.out.append
    ctx.proto = "llc"
    if caplen < 3 or length < 3:
        return _short(ctx, p, length, caplen, 3)
    dsap_field = ctx.u8(p)
    ssap_field = ctx.u8(p + 1)
    control = ctx.u8(p + 2)
    is_u = (control & 3) == 3  # U frame: one control byte
    if is_u:
        hdrlen = 3
    else:
        if caplen < 4 or length < 4:
            return _short(ctx, p, length, caplen, 4)
        control = ctx.u8(p + 2) | (ctx.u8(p + 3) << 8)
        hdrlen = 4
    dsap = dsap_field & 0xFE
    ssap = ssap_field & 0xFE
    if ctx.opts.eflag:
        w("LLC, dsap %s (0x%02x) %s, ssap %s (0x%02x) %s"
          % (tok2str(SAP_NAMES, "Unknown", dsap), dsap, "Group" if dsap_field & 1 else "Individual",
             tok2str(SAP_NAMES, "Unknown", ssap), ssap, "Response" if ssap_field & 1 else "Command"))
        w((", ctrl 0x%02x: " if is_u else ", ctrl 0x%04x: ") % control)
    p += hdrlen
    length -= hdrlen
    caplen -= hdrlen
    if control == LLC_UI and ssap == dsap:
        if ssap == SAP_SNAP:
            return hdrlen + 5, snap_print(ctx, p, length, caplen, macs, 2)
        if ssap == SAP_STP:
            stp_print(ctx, p, length)
            return hdrlen, True
        if ssap == SAP_IP:
            from vxlan_inspect.render.tcpdump.ip import ip_print

            ip_print(ctx, p, length)
            return hdrlen, True
    if not ctx.opts.eflag:
        if ssap == dsap:
            name = tok2str(SAP_NAMES, "Unknown DSAP 0x%02x", dsap)
            w("%s > %s %s " % (ctx.mac(macs[0]), ctx.mac(macs[1]), name) if macs else name + " ")
        else:
            names = (tok2str(SAP_NAMES, "Unknown SSAP 0x%02x", ssap), tok2str(SAP_NAMES, "Unknown DSAP 0x%02x", dsap))
            if macs:
                w("%s %s > %s %s " % (ctx.mac(macs[0]), names[0], ctx.mac(macs[1]), names[1]))
            else:
                w("%s > %s " % names)
    cr = ssap_field & 1
    if is_u:
        w("Unnumbered, %s, Flags [%s], length %u"
          % (tok2str(_U_CMDS, "%02x", control & 0xEF), tok2str(_FLAGS, "?", cr | (control & LLC_U_POLL)),
             length + hdrlen))
        if control & ~LLC_U_POLL == LLC_XID:
            if length == 0:
                return hdrlen, True  # an XID without payload (SNA "short form")
            if caplen < 1:
                w(" [|llc]")
                return hdrlen, True
            if ctx.u8(p) == LLC_XID_FI:
                if caplen < 3 or length < 3:
                    w(" [|llc]")
                    default_print(ctx, p, caplen)
                else:
                    w(": %02x %02x" % (ctx.u8(p + 1), ctx.u8(p + 2)))
                return hdrlen, True
    elif control & 1:
        w("Supervisory, %s, rcv seq %u, Flags [%s], length %u"
          % (tok2str(_SUPERVISORY, "?", (control >> 2) & 3), (control >> 9) & 0x7F,
             tok2str(_FLAGS, "?", cr | (control & LLC_IS_POLL)), length + hdrlen))
        return hdrlen, True  # no payload to print
    else:
        w("Information, send seq %u, rcv seq %u, Flags [%s], length %u"
          % ((control >> 1) & 0x7F, (control >> 9) & 0x7F, tok2str(_FLAGS, "?", cr | (control & LLC_IS_POLL)),
             length + hdrlen))
    return hdrlen, False


def snap_print(ctx: Ctx, p: int, length: int, caplen: int, macs: Macs, bridge_pad: int) -> bool:
    """Print a SNAP header and its payload; False when nothing knows the OUI/PID (dump it)."""
    from vxlan_inspect.render.tcpdump.link import ETHERTYPE_NAMES, ether_print, ethertype_print

    w = ctx.out.append
    ctx.proto = "snap"
    if ctx.avail(p) < 5 or caplen < 5 or length < 5:
        w(" [|snap]")
        return True
    orgcode = (ctx.u8(p) << 16) | ctx.u16(p + 1)
    et = ctx.u16(p + 3)
    if ctx.opts.eflag:
        w("oui %s (0x%06x), %s %s (0x%04x), length %u: "
          % (tok2str(OUI_NAMES, "Unknown", orgcode), orgcode, "ethertype" if orgcode == 0 else "pid",
             tok2str(_pid_names(orgcode), "Unknown", et), et, length - 5))
    p += 5
    length -= 5
    caplen -= 5
    if orgcode in (OUI_ENCAP_ETHER, OUI_CISCO_90):
        if ethertype_print(ctx, et, p, length, caplen):
            return True
    elif orgcode == OUI_CISCO and et in _PID_STP:
        stp_print(ctx, p, length)
        return True
    elif orgcode == OUI_RFC2684:
        if et in _PID_BRIDGED_ETHER:
            if ctx.avail(p) < bridge_pad:
                w(" [|snap]")
                return True
            ether_print(ctx, p + bridge_pad, length - bridge_pad, caplen - bridge_pad)
            return True
        if et == _PID_BRIDGED_BPDU:
            stp_print(ctx, p, length)
            return True
    if not ctx.opts.eflag:
        if macs:
            w("%s > %s " % (ctx.mac(macs[0]), ctx.mac(macs[1])))
        if orgcode == 0:
            w("SNAP, ethertype %s (0x%04x), length %u: " % (tok2str(ETHERTYPE_NAMES, "Unknown", et), et, length))
        else:
            w("SNAP, oui %s (0x%06x), pid %s (0x%04x), length %u: "
              % (tok2str(OUI_NAMES, "Unknown", orgcode), orgcode, tok2str(_pid_names(orgcode), "Unknown", et),
                 et, length))
    return False
