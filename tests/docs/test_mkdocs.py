"""The documentation site builds with ``mkdocs build --strict`` (broken links, missing snippets, bad nav fail),
and its notebook pages carry the notebooks' outputs, executed at build time."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

NOTEBOOK_PAGES = ["01-anatomy", "02-arp-proxy", "03-fdb-path", "04-control-plane", "05-troubleshooting"]


@pytest.mark.slow
def test_mkdocs_build_strict(built_site: Path) -> None:
    site = built_site
    cli = (site / "reference" / "cli" / "index.html").read_text()
    assert "vxlan-inspect read" in cli and "vxlan-inspect state diff" in cli  # generated from the typer app
    assert "(repeatable). (repeatable)" not in cli and "(repeatable) (repeatable)" not in cli
    runbook = (site / "runbooks" / "missing-fdb" / "index.html").read_text()
    assert "Final verdict: missing-fdb" in runbook and "--8&lt;--" not in runbook  # snippets were included
    home = (site / "index.html").read_text()
    assert "stylesheets/extra.css" in home and (site / "stylesheets" / "extra.css").exists()  # outputs scroll, uncut
    nav = re.findall(r'<span class="md-ellipsis">\s*(.*?)\s*</span>', home, re.S)
    assert nav and not [n for n in nav if "`" in n], nav  # titles taken from headings lose their code marks


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOK_PAGES)
def test_notebook_page_has_outputs(built_site: Path, name: str) -> None:
    html = (built_site / "notebooks" / name / "index.html").read_text()
    outputs = re.findall(r'class="[^"]*jp-OutputArea-output[^"]*"', html)
    assert len(outputs) >= 5, f"{name}: {len(outputs)} output areas: notebook not executed at build time?"
    if name == "01-anatomy":  # its picture is the coloured hexdump, an HTML table output
        assert '<table style="border-collapse:collapse;font-size:12px">' in html, name
    else:
        assert re.search(r'<img[^>]+src="data:image/png;base64,', html), f"{name}: no plot output"
    if name != "02-arp-proxy":  # notebook 2's outputs are text and plots; the others show DataFrames too
        assert '<table border="1" class="dataframe">' in html, f"{name}: no DataFrame output"
    assert not re.search(r'<div[^>]*data-mime-type="application/vnd.jupyter.stderr"', html), f"{name}: stderr output"


@pytest.mark.slow
def test_root_cells_say_so_without_root(built_site: Path) -> None:
    """The needs-root cells are shown, not run, at build time; their source checks for root and says so."""
    html = (built_site / "notebooks" / "02-arp-proxy" / "index.html").read_text()
    assert "geteuid" in html and "needs root" in html
    assert html.count("--prefix") >= 3 and "nb2" in html  # lab up, ping and down all name the prefix
