"""Acceptance 4: golden text, markdown and mermaid renderings of the healthy ping and three faults.

The goldens in tests/explain/golden/ were produced by ``python3 tests/explain/make_goldens.py``
(real runs of ``vxlan-inspect explain`` on the shipped bundles), reviewed by reading, never
hand-edited. They pin the tool's own output for regression.
"""

from __future__ import annotations

import pytest

from tests.explain.make_goldens import CASES, FORMATS, GOLDEN, render


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_rendering_matches_golden(name: str, fmt: str) -> None:
    expected = (GOLDEN / f"{name}.{FORMATS[fmt]}").read_text(encoding="utf-8")
    assert render(name, fmt) == expected


def test_tree_renders_without_colour() -> None:
    from rich.console import Console

    from vxlan_inspect.explain import explain_bundle
    from vxlan_inspect.render.trace import render_tree

    console = Console(width=100, no_color=True, record=True, file=__import__("io").StringIO())
    console.print(render_tree(explain_bundle(GOLDEN.parents[2] / "captures" / "bundles" / "wrong-vtep")))
    text = console.export_text()
    assert "verdict wrong-vtep" in text and "fdb-lookup" in text
