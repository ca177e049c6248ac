"""``explain --format html``: a self-contained page, opened in a real headless Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.explain.conftest import BUNDLES, run_cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def _page(name: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, *extra: str) -> Path:
    code, out, err = run_cli(["explain", str(BUNDLES / name), "--format", "html", *extra], capsys)
    assert code == 0, err
    path = tmp_path / f"{name}.html"
    path.write_text(out, encoding="utf-8")
    return path


def chromium(tmp_path: Path, *args: str) -> str:
    """Run headless Chromium with a fresh profile; return its stdout."""
    assert CHROMIUM is not None
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    done = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_page_is_self_contained(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = _page("healthy-ping", capsys, tmp_path).read_text()
    assert text.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), "nothing fetched from the network"
    assert "<svg" in text and 'data-code="delivered"' in text and "<details>" in text


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)")
@pytest.mark.parametrize(("name", "code", "fails"), [("healthy-ping", "delivered", 0), ("wrong-vtep", "wrong-vtep", 1)])
def test_chromium_renders_diagram_and_verdict(name: str, code: str, fails: int, capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    page = _page(name, capsys, tmp_path)
    dom = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert '<section class="verdict' in dom and f'data-code="{code}"' in dom
    svg = re.search(r"<svg[^>]*class=\"sequence\".*?</svg>", dom, re.S)
    assert svg is not None
    steps = re.findall(r'<g class="step" data-n="\d+">', svg.group(0))
    assert len(steps) == dom.count("<li><b>")  # one drawing per step
    assert svg.group(0).count("\u2716") == fails
    # and it is painted: the screenshot has the verdict box's colour and the diagram's lifelines
    from PIL import Image

    shot = tmp_path / "shot.png"
    chromium(tmp_path, "--window-size=1200,900", f"--screenshot={shot}", page.as_uri())
    colours = Image.open(shot).convert("RGB").getcolors(maxcolors=1 << 20) or []
    counts = {rgb: n for n, rgb in colours}
    box = (0xFF, 0xEB, 0xEE) if fails else (0xE8, 0xF5, 0xE9)
    assert counts.get(box, 0) > 5000, "verdict box painted"
    assert counts.get((0xE8, 0xEA, 0xF6), 0) > 2000, "participant boxes of the diagram painted"


def test_simulated_page(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = _page("missing-fdb", capsys, tmp_path, "--simulate", "192.168.10.2", "192.168.10.100").read_text()
    assert "what-if" in text and 'data-code="missing-fdb"' in text and "would" in text


def test_tree_is_not_cut_when_piped(capsys: pytest.CaptureFixture[str]) -> None:
    """--format tree into a pipe keeps whole lines (rich cropped them at about 90 columns)."""
    code, out, _ = run_cli(["explain", str(BUNDLES / "healthy-ping"), "--format", "tree"], capsys)
    assert code == 0
    assert "answered by the vxlan0 proxy from the PERMANENT neighbour entry (02:42:c0:a8:0a:64); nothing tunnelled" \
        in out
    lines = out.splitlines()
    assert max(len(line) for line in lines) > 120 and not any(line.endswith(" ") for line in lines)
