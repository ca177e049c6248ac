"""Docker's overlay control plane: what the daemon knows about endpoints and VTEPs.

Read from any of:

* Serf event-handler output: event names ``jl <vtep> <network id> <endpoint id>``
  and payloads ``join|leave <ip> <mask> <mac>`` (a leave cancels a join);
* Consul KV, as ``consul kv export`` JSON (``key``/``value``) or the
  ``/v1/kv/...?recurse`` JSON (``Key``/``Value``), values base64: network
  records (``networkType``, ``ipamV4Config``), overlay records (``subnets`` with
  ``Vni``) and endpoint records (``ep_iface.addr``, ``ep_iface.mac``, ``locator``);
* one decoded network or endpoint record, or the seed's endpoint summary text;
* ``docker network inspect -v`` JSON (``Containers``, ``Peers``, per-task
  ``EndpointIP`` and ``Info["Host IP"]``; task MACs are derived from the IP the
  way Docker's overlay driver does, ``02:42:`` + the four address bytes).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
from dataclasses import dataclass, replace
from typing import Any

from vxlan_inspect.errors import StateParseError
from vxlan_inspect.state.text import clean_lines, load_json, looks_like_json, snippet


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One container endpoint on the overlay; ``vtep`` is the host that runs it."""

    ip: str
    mac: str
    prefixlen: int | None = None
    vtep: str | None = None
    name: str | None = None
    endpoint_id: str | None = None
    network_id: str | None = None
    local: bool = False
    mac_derived: bool = False


@dataclass(frozen=True, slots=True)
class ControlPlane:
    """What the control plane says: network identity and the live endpoints."""

    network_id: str | None = None
    network_name: str | None = None
    vni: int | None = None
    subnet: str | None = None
    endpoints: tuple[Endpoint, ...] = ()
    warnings: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


def mac_from_ip(ip: str) -> str:
    """Docker's overlay MAC for an IPv4 address: ``02:42`` then the address bytes."""
    raw = ipaddress.IPv4Address(ip).packed
    return "02:42:" + ":".join(f"{b:02x}" for b in raw)


def _prefixlen(mask: str) -> int | None:
    try:
        return ipaddress.IPv4Network(f"0.0.0.0/{mask}").prefixlen
    except ValueError:
        return None


def _split_addr(addr: str) -> tuple[str, int | None]:
    ip, _, plen = addr.partition("/")
    return ip, int(plen) if plen.isdigit() else None


# --- Serf ---------------------------------------------------------------------

def parse_serf(text: str) -> ControlPlane:
    """Replay a Serf event log: joins add endpoints, leaves remove them."""
    live: dict[str, Endpoint] = {}
    warnings: list[str] = []
    vtep = nid = eid = None
    seen = 0
    for number, line in clean_lines(text):
        tokens = line.split()
        if line.startswith("New event:"):
            tokens = tokens[3:]
            if not tokens:
                continue
        if tokens[0] == "jl" and len(tokens) >= 2:
            vtep = tokens[1]
            nid = tokens[2] if len(tokens) > 2 else None
            eid = tokens[3] if len(tokens) > 3 else None
            seen += 1
        elif tokens[0] in ("join", "leave") and len(tokens) == 4:
            action, ip, mask, mac = tokens
            try:
                ipaddress.ip_address(ip)
            except ValueError:
                warnings.append(f"line {number}: {ip!r} is not an IP address")
                continue
            seen += 1
            if action == "join":
                live[ip] = Endpoint(ip=ip, mac=mac.lower(), prefixlen=_prefixlen(mask), vtep=vtep,
                                    endpoint_id=eid, network_id=nid)
            else:
                live.pop(ip, None)
            vtep = nid = eid = None
        else:
            warnings.append(f"line {number}: not a Serf event: {snippet(line)!r}")
    if not seen:
        raise StateParseError(
            "no Serf events found",
            hint="expected 'jl <vtep> <nid> <eid>' and 'join|leave <ip> <mask> <mac>' lines",
        )
    return ControlPlane(endpoints=tuple(live.values()), warnings=tuple(warnings), sources=("serf",))


def parse_endpoint_summary(text: str) -> ControlPlane:
    """The seed's ``Endpoint Name: / IP address: / MAC address: / Locator:`` blocks."""
    endpoints: list[Endpoint] = []
    block: dict[str, str] = {}

    def flush() -> None:
        if "ip address" in block and "mac address" in block:
            ip, plen = _split_addr(block["ip address"])
            endpoints.append(Endpoint(ip=ip, prefixlen=plen, mac=block["mac address"].lower(),
                                      vtep=block.get("locator"), name=block.get("endpoint name")))
        block.clear()

    for _, line in clean_lines(text):
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key == "endpoint name" and block:
            flush()
        block[key] = value.strip()
    flush()
    if not endpoints:
        raise StateParseError("no endpoint records found", hint="expected 'IP address:'/'MAC address:' lines")
    return ControlPlane(endpoints=tuple(endpoints), sources=("endpoint summary",))


# --- Consul and docker JSON -----------------------------------------------------

def _decode_value(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str):
        raise StateParseError("a Consul KV 'value' is not a string")
    try:
        raw = base64.b64decode(value, validate=True)
        return json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise StateParseError("a Consul KV value is not base64-encoded JSON") from exc


def _from_record(record: dict[str, Any], key: str = "") -> ControlPlane:
    """One decoded libnetwork record: network, overlay network, or endpoint."""
    if "ep_iface" in record:
        iface = record["ep_iface"]
        if not isinstance(iface, dict) or not isinstance(iface.get("addr"), str) \
                or not isinstance(iface.get("mac"), str):
            raise StateParseError(f"endpoint record {key or record.get('id')!r} lacks ep_iface.addr/mac")
        ip, plen = _split_addr(iface["addr"])
        parts = key.strip("/").split("/")
        nid = parts[-2] if "endpoint" in parts and len(parts) >= 2 else None
        ep = Endpoint(ip=ip, prefixlen=plen, mac=iface["mac"].lower(), vtep=record.get("locator") or None,
                      name=record.get("name"), endpoint_id=record.get("id"), network_id=nid)
        return ControlPlane(endpoints=(ep,))
    if "networkType" in record:
        subnet = None
        try:
            pools = json.loads(record.get("ipamV4Config") or "[]")
            subnet = pools[0].get("PreferredPool") if pools else None
        except (ValueError, AttributeError, IndexError):
            subnet = None
        return ControlPlane(network_id=record.get("id"), network_name=record.get("name"), subnet=subnet)
    if isinstance(record.get("subnets"), list):
        vnis = [s.get("Vni") for s in record["subnets"] if isinstance(s, dict)]
        nid = key.strip("/").split("/")[-1] if key else None
        return ControlPlane(network_id=nid, vni=vnis[0] if vnis and isinstance(vnis[0], int) else None)
    return ControlPlane()


def _from_docker_inspect(nets: list[Any]) -> ControlPlane:
    planes: list[ControlPlane] = []
    for net in nets:
        if not isinstance(net, dict):
            continue
        options = net.get("Options") or {}
        vni_list = str(options.get("com.docker.network.driver.overlay.vxlanid_list", ""))
        vni = int(vni_list.split(",")[0]) if vni_list.split(",")[0].isdigit() else None
        config = (net.get("IPAM") or {}).get("Config") or [{}]
        endpoints: list[Endpoint] = []
        for eid, c in (net.get("Containers") or {}).items():
            if isinstance(c, dict) and c.get("IPv4Address") and c.get("MacAddress"):
                ip, plen = _split_addr(c["IPv4Address"])
                endpoints.append(Endpoint(ip=ip, prefixlen=plen, mac=c["MacAddress"].lower(), local=True,
                                          name=c.get("Name"), endpoint_id=c.get("EndpointID", eid),
                                          network_id=net.get("Id")))
        known = {e.ip for e in endpoints}
        for service in (net.get("Services") or {}).values():
            for task in (service or {}).get("Tasks") or []:
                ip = task.get("EndpointIP")
                if not ip or ip in known:
                    continue
                endpoints.append(Endpoint(ip=ip, mac=mac_from_ip(ip), mac_derived=True,
                                          vtep=(task.get("Info") or {}).get("Host IP"), name=task.get("Name"),
                                          endpoint_id=task.get("EndpointID"), network_id=net.get("Id")))
                known.add(ip)
        planes.append(ControlPlane(network_id=net.get("Id"), network_name=net.get("Name"), vni=vni,
                                   subnet=config[0].get("Subnet") if config else None,
                                   endpoints=tuple(endpoints), sources=("docker network inspect",)))
    return merge_control_planes(planes)


def parse_control_plane(text: str, *, source: str = "input") -> ControlPlane:
    """Detect the control-plane format of ``text`` and parse it."""
    if looks_like_json(text):
        data = load_json(text, expected="Consul KV JSON or docker network inspect -v")
        if isinstance(data, dict):
            plane = _from_record(data)
            if plane == ControlPlane():
                raise StateParseError(f"{source} is JSON but not a Docker network or endpoint record")
            return replace(plane, sources=(source,))
        if isinstance(data, list) and data and all(isinstance(d, dict) for d in data):
            if any("Peers" in d or "Containers" in d or "Driver" in d for d in data):
                return replace(_from_docker_inspect(data), sources=(source,))
            if all(("key" in d or "Key" in d) for d in data):
                planes = []
                for d in data:
                    key = d.get("key", d.get("Key")) or ""
                    value = _decode_value(d.get("value", d.get("Value")))
                    if isinstance(value, dict) and str(key).startswith("docker/network/"):
                        planes.append(_from_record(value, str(key)))
                return replace(merge_control_planes(planes), sources=(source,))
        raise StateParseError(f"{source} is JSON but not a control-plane format we know",
                              hint="expected consul kv export, /v1/kv?recurse or docker network inspect -v")
    if "Endpoint Name:" in text or "MAC address:" in text:
        return replace(parse_endpoint_summary(text), sources=(source,))
    try:
        return replace(parse_serf(text), sources=(source,))
    except StateParseError as exc:
        raise StateParseError(f"{source} is not a control-plane dump we know ({exc.message})",
                              hint="expected Serf events, Consul KV JSON or docker network inspect -v",
                              ) from exc


def merge_control_planes(planes: list[ControlPlane]) -> ControlPlane:
    """Combine several sources; later endpoint records for an IP fill in missing fields."""
    merged = ControlPlane()
    by_ip: dict[str, Endpoint] = {}
    for plane in planes:
        merged = replace(merged, network_id=merged.network_id or plane.network_id,
                         network_name=merged.network_name or plane.network_name,
                         vni=merged.vni if merged.vni is not None else plane.vni,
                         subnet=merged.subnet or plane.subnet,
                         warnings=merged.warnings + plane.warnings, sources=merged.sources + plane.sources)
        for ep in plane.endpoints:
            old = by_ip.get(ep.ip)
            if old is not None:
                ep = replace(ep, vtep=ep.vtep or old.vtep, name=ep.name or old.name,
                             prefixlen=ep.prefixlen or old.prefixlen,
                             network_id=ep.network_id or old.network_id)
            by_ip[ep.ip] = ep
    return replace(merged, endpoints=tuple(by_ip.values()))
