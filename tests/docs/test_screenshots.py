"""Headless Chromium renders the built site: the home page shows its sequence diagram, a notebook page shows
the notebook's outputs (the plots executed at build time), not just its code.

``python3 tests/docs/test_screenshots.py SITE_DIR`` writes the screenshots shipped in docs/img/
(docs-home.png, docs-notebook-03.png) from a built site (``mkdocs build --site-dir SITE_DIR``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from matplotlib import image as mpimg

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--hide-scrollbars"]
WIDTH = 1280
#: matplotlib's first two default colours (C0 blue, C1 orange): notebook 3's round-trip-time bars, a cell OUTPUT.
C0_C1 = (np.array([0x1F, 0x77, 0xB4]) / 255, np.array([0xFF, 0x7F, 0x0E]) / 255)


def screenshot(url: str, out: Path, height: int) -> np.ndarray:
    """Render ``url`` in a fresh headless Chromium profile; return the screenshot as an RGB array in [0, 1]."""
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory(prefix="vxlan-inspect-chromium-") as profile:
        proc = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"--window-size={WIDTH},{height}",
                               f"--screenshot={out}", url], capture_output=True, text=True, timeout=120, check=False,
                              env={**os.environ, "HOME": profile})
    assert proc.returncode == 0 and out.exists(), proc.stderr[-2000:]
    rgb: np.ndarray = mpimg.imread(out)[:, :, :3]
    return rgb


def plot_rows(rgb: np.ndarray) -> np.ndarray:
    """Row indices holding both matplotlib C0 and C1 pixels (the theme uses neither: only a plot image has them)."""
    c0, c1 = ((np.abs(rgb - c).max(axis=2) < 0.03).sum(axis=1) >= 3 for c in C0_C1)
    rows: np.ndarray = np.nonzero(c0 | c1)[0]
    return rows if c0.any() and c1.any() else rows[:0]


def green_rows(rgb: np.ndarray) -> np.ndarray:
    """Row indices with the home sequence diagram's green strokes (ok steps, #2a7 and its anti-aliasing)."""
    r, g, b = rgb[:, :, 0], rgb[:, :, 1], rgb[:, :, 2]
    green = (g - r > 0.15) & (g > b)
    rows: np.ndarray = np.nonzero(green.sum(axis=1) >= 2)[0]
    return rows


def crop_to_rows(rgb: np.ndarray, rows: np.ndarray, pad: int = 120) -> np.ndarray:
    top, bottom = max(int(rows.min()) - pad, 0), min(int(rows.max()) + pad, rgb.shape[0])
    return rgb[top:bottom]


def home_and_notebook(site: Path, out_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    home = screenshot((site / "index.html").as_uri(), out_dir / "home.png", 900)
    page = screenshot((site / "notebooks" / "03-fdb-path" / "index.html").as_uri(), out_dir / "nb03.png", 12000)
    return home, page


pytestmark = pytest.mark.skipif(CHROMIUM is None and os.environ.get("CI") != "true",
                                reason="no chromium (scripts/setup.sh installs it as root)")


@pytest.mark.slow
def test_chromium_renders_home_and_notebook_outputs(built_site: Path, tmp_path: Path) -> None:
    assert CHROMIUM is not None, "chromium missing: scripts/setup.sh installs it"
    home, page = home_and_notebook(built_site, tmp_path)
    assert len(green_rows(home)) > 100  # the home page's sequence diagram is drawn, not a broken image
    rows = plot_rows(page)
    # notebook 3's RTT plot is a cell OUTPUT: it is on the page only if the build executed the notebook
    assert len(rows) > 100, f"notebook page shows no plot output ({len(rows)} rows)"
    assert (page.std(axis=(0, 1)) > 0.05).all()  # not a blank page


if __name__ == "__main__":
    site = Path(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        home, page = home_and_notebook(site, Path(tmp))
    mpimg.imsave(ROOT / "docs" / "img" / "docs-home.png", home)
    mpimg.imsave(ROOT / "docs" / "img" / "docs-notebook-03.png", crop_to_rows(page, plot_rows(page), pad=700))
    print("wrote docs/img/docs-home.png docs/img/docs-notebook-03.png")
