"""The ``df.vxlan`` accessor (registered by ``import vxlan_inspect.frames``): questions of a packet table."""

from __future__ import annotations

import numpy as np
import pandas as pd


def _payload_ip(df: pd.DataFrame, which: str) -> pd.Series:
    """The IP address the payload fields belong to: inner when tunnelled, else outer."""
    inner = df[f"inner_ip_{which}"].astype(object)
    outer = df[f"ip_{which}"].astype(object)
    return inner.where(df["vni"] >= 0, outer)


@pd.api.extensions.register_dataframe_accessor("vxlan")
class VxlanAccessor:
    """Overlay views of a packet table from :func:`~vxlan_inspect.frames.read_packets`."""

    def __init__(self, df: pd.DataFrame) -> None:
        missing = {"vni", "ip_src", "ip_dst", "time", "capture_point"} - set(df.columns)
        if missing:
            raise AttributeError(f"not a packet table: missing columns {sorted(missing)}")
        self._df = df

    def flows(self) -> pd.DataFrame:
        """Tunnelled conversations: per capture point, VNI and VTEP pair (src -> dst), packets, bytes, first/last."""
        df = self._df[self._df["vni"] >= 0]
        keys = ["capture_point", "vni", "ip_src", "ip_dst"]
        out = (df.groupby(keys, observed=True, sort=True)
               .agg(packets=("frame", "size"), bytes=("wirelen", "sum"), first=("time", "min"), last=("time", "max"))
               .reset_index()
               .rename(columns={"ip_src": "vtep_src", "ip_dst": "vtep_dst"}))
        for col in ("capture_point", "vtep_src", "vtep_dst"):
            out[col] = out[col].astype(str)
        out["packets"] = out["packets"].astype("int64")
        out["bytes"] = out["bytes"].astype("int64")
        return out

    def pings(self) -> pd.DataFrame:
        """ICMP echo requests with their replies and RTT (ms); an unanswered request has NaN reply fields.

        A reply matches the first request before it with the same capture point, VNI, id and
        sequence, between the same two addresses (reversed).
        """
        df = self._df
        is_req = df["icmp_type"].isin([8, 128])
        is_rep = df["icmp_type"].isin([0, 129])
        sub = df[is_req | is_rep]
        base = pd.DataFrame({
            "capture_point": sub["capture_point"].astype(str),
            "vni": sub["vni"].astype("int64"),
            "src": _payload_ip(sub, "src").astype(str),
            "dst": _payload_ip(sub, "dst").astype(str),
            "id": sub["icmp_id"].astype("int64"),
            "seq": sub["icmp_seq"].astype("int64"),
            "frame": sub["frame"].astype("int64"),
            "time": sub["time"],
        })
        req = base[is_req[sub.index]].rename(columns={"frame": "request_frame", "time": "request_time"})
        rep = base[is_rep[sub.index]].rename(columns={"frame": "reply_frame", "time": "reply_time",
                                                      "src": "dst", "dst": "src"})
        keys = ["capture_point", "vni", "src", "dst", "id", "seq"]
        req = req.drop_duplicates(keys, keep="first")
        rep = rep.drop_duplicates(keys, keep="first")
        out = req.merge(rep, on=keys, how="left")
        late = out["reply_time"] < out["request_time"]
        out.loc[late, ["reply_frame", "reply_time"]] = np.nan, pd.NaT
        out["rtt_ms"] = (out["reply_time"] - out["request_time"]).dt.total_seconds() * 1000.0
        out["reply_frame"] = out["reply_frame"].astype("Int64")
        return out.sort_values(["capture_point", "request_time"], kind="stable").reset_index(drop=True)

    def arp(self) -> pd.DataFrame:
        """ARP requests (op 1) with the first matching reply (op 2) after them; unanswered ones keep NaN."""
        df = self._df
        sub = df[df["arp_op"].isin([1, 2])]
        base = pd.DataFrame({
            "capture_point": sub["capture_point"].astype(str),
            "vni": sub["vni"].astype("int64"),
            "op": sub["arp_op"].astype("int64"),
            "sha": sub["arp_sha"].astype(str),
            "spa": sub["arp_spa"].astype(str),
            "tpa": sub["arp_tpa"].astype(str),
            "frame": sub["frame"].astype("int64"),
            "time": sub["time"],
        }).sort_values("time", kind="stable")
        req = base[base["op"] == 1].rename(columns={"sha": "requester_mac", "spa": "requester_ip",
                                                    "tpa": "target_ip", "frame": "request_frame",
                                                    "time": "request_time"}).drop(columns="op")
        rep = base[base["op"] == 2].rename(columns={"sha": "answer_mac", "spa": "target_ip", "tpa": "requester_ip",
                                                    "frame": "reply_frame", "time": "reply_time"}).drop(columns="op")
        keys = ["capture_point", "vni", "requester_ip", "target_ip"]
        if req.empty:
            out = req.assign(answer_mac=pd.Series(dtype=object), reply_frame=pd.Series(dtype="Int64"),
                             reply_time=pd.Series(dtype=req["request_time"].dtype))
        else:
            out = pd.merge_asof(req, rep.assign(reply_key=rep["reply_time"]), left_on="request_time",
                                right_on="reply_key", by=keys, direction="forward").drop(columns="reply_key")
        out["rtt_ms"] = (out["reply_time"] - out["request_time"]).dt.total_seconds() * 1000.0
        out["reply_frame"] = out["reply_frame"].astype("Int64")
        return out.sort_values(["capture_point", "request_time"], kind="stable").reset_index(drop=True)

    def endpoints(self) -> pd.DataFrame:
        """Inner MAC (and IP) -> the VTEP it was seen behind: the data-plane view of an FDB.

        From tunnelled packets: inner source MAC, the outer source IP (the VTEP), and the
        inner source IP (or ARP sender address) seen with it.
        """
        df = self._df[(self._df["vni"] >= 0) & self._df["inner_eth_src"].notna()]
        ip = df["inner_ip_src"].astype(object).where(df["inner_ip_src"].notna(), df["arp_spa"].astype(object))
        tab = pd.DataFrame({
            "vni": df["vni"].astype("int64"),
            "mac": df["inner_eth_src"].astype(str),
            "vtep": df["ip_src"].astype(str),
            "ip": ip,
            "time": df["time"],
        })
        out = (tab.groupby(["vni", "mac", "vtep"], sort=True)
               .agg(ip=("ip", "first"), packets=("time", "size"), first_seen=("time", "min"),
                    last_seen=("time", "max"))
               .reset_index())
        out["packets"] = out["packets"].astype("int64")
        return out
