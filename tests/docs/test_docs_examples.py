"""Every example output in the docs is what ``scripts/make-docs-examples.py`` produces now, byte for byte;
every verdict code has a runbook that includes them; the README's picture is made by a script."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from vxlan_inspect.explain import VERDICTS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "runbooks" / "examples"


def _script(name: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(name.replace("-", "_"), ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("examples")
    _script("make-docs-examples").generate(out)  # TZ=UTC, fixed width, the CLI in-process; environment restored
    return out


def test_examples_are_regenerated_identically(regenerated: Path) -> None:
    fresh = {p.name: p.read_bytes() for p in regenerated.glob("*.txt")}
    shipped = {p.name: p.read_bytes() for p in EXAMPLES.glob("*.txt")}
    assert sorted(fresh) == sorted(shipped), "run python3 scripts/make-docs-examples.py, commit docs/runbooks/examples"
    stale = [name for name in fresh if fresh[name] != shipped[name]]
    assert not stale, f"out of date (python3 scripts/make-docs-examples.py): {stale}"


def test_no_example_failed(regenerated: Path) -> None:
    for path in regenerated.glob("*.txt"):
        text = path.read_text()
        assert "[exit status" not in text and "Traceback" not in text, path.name


def test_every_verdict_code_has_a_runbook_in_the_nav() -> None:
    nav = (ROOT / "mkdocs.yml").read_text()
    for code in VERDICTS:
        page = ROOT / "docs" / "runbooks" / f"{code}.md"
        assert page.exists(), f"no runbook for verdict {code}"
        assert f"runbooks/{code}.md" in nav
        text = page.read_text()
        for heading in ("## Symptom", "## What to capture", "## The command", "## Example", "## The fix"):
            assert heading in text, f"{page.name}: {heading}"
        assert f'--8<-- "docs/runbooks/examples/meaning.{code}.txt"' in text


def test_every_included_output_exists_and_every_example_is_used() -> None:
    pages = list((ROOT / "docs").rglob("*.md"))
    included = set()
    for page in pages:
        for ref in re.findall(r'--8<-- "([^"]+)"', page.read_text()):
            assert (ROOT / ref).exists(), f"{page}: {ref}"
            included.add(Path(ref).name)
    unused = {p.name for p in EXAMPLES.glob("*.txt")} - included
    assert not unused, f"examples no page includes: {sorted(unused)}"


def test_readme_links_the_docs_and_shows_a_generated_picture() -> None:
    readme = (ROOT / "README.md").read_text()
    pictures = re.findall(r"!\[[^\]]*\]\((docs/img/[^)]+\.png)\)", readme)
    assert pictures and all((ROOT / p).exists() for p in pictures)
    assert "mkdocs" in readme and "docs/observations.md" in readme
    script = (ROOT / "scripts" / "make-docs-images.py").read_text()
    assert all(Path(p).name in script for p in pictures), "README pictures are drawn by scripts/make-docs-images.py"
