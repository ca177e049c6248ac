"""`vxlan-inspect stats` and `export` through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from frames_helpers import ROOT

from vxlan_inspect.cli import main
from vxlan_inspect.frames import read_packets

LOST = str(ROOT / "captures/basic/vxlan-icmp-lost-reply.pcap")
ICMP = str(ROOT / "captures/basic/vxlan-icmp.pcap")


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_stats_flows_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "stats", ICMP)
    assert code == 0, err
    assert "VXLAN flows (10 packets)" in out
    assert "256" in out


def test_stats_pings_json_has_the_lost_reply(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "stats", LOST, "--pings", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [r["seq"] for r in rows] == [1, 2, 3, 4]
    assert [r["seq"] for r in rows if r["rtt_ms"] is None] == [2]


def test_stats_endpoints_csv(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "stats", ICMP, "--endpoints", "--csv")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("vni,mac,vtep,ip,packets")
    assert any(line.startswith("256,02:42:c0:a8:0a:64,192.168.1.4,192.168.10.100,") for line in lines)


def test_stats_arp_directory(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "stats", str(ROOT / "captures/bundles/arp-proxy/captures"), "--arp", "--json")
    assert code == 0
    assert isinstance(json.loads(out), list)


def test_stats_errors_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "stats", "/nonexistent/x.pcap")
    assert code == 2
    assert err.startswith("vxlan-inspect: ") and err.count("\n") == 1 and "Traceback" not in err
    code, _, err = _run(capsys, "stats", ICMP, "--pings", "--arp")
    assert code == 1 and "choose one" in err
    code, _, err = _run(capsys, "stats", str(ROOT / "tests/data/bad/truncated-record-data.bin"))
    assert code == 3 and "Traceback" not in err


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_export_round_trip(capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str) -> None:
    out_file = tmp_path / f"t.{fmt}"
    code, _, err = _run(capsys, "export", ICMP, "--format", fmt, "-o", str(out_file))
    assert code == 0, err
    want = read_packets(ICMP)
    if fmt == "parquet":
        got = pd.read_parquet(out_file)
        pd.testing.assert_frame_equal(got, want, check_categorical=False, check_dtype=False)
    elif fmt == "csv":
        got = pd.read_csv(out_file)
        assert got["frame"].tolist() == want["frame"].tolist()
        assert got["vni"].tolist() == want["vni"].tolist()
    else:
        lines = out_file.read_text().splitlines()
        assert len(lines) == len(want)
        assert json.loads(lines[2])["inner_ip_dst"] == "192.168.10.100"


def test_export_parquet_to_stdout_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "export", ICMP, "-o", "-")
    assert code == 1 and "stdout" in err
