"""Helpers for the robustness tests: the fuzz/ harnesses as plain modules, shipped files."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
FUZZ = ROOT / "fuzz"


def load_harness(name: str) -> ModuleType:
    """The module ``fuzz/fuzz_<name>.py`` (imported without atheris instrumentation)."""
    if str(FUZZ) not in sys.path:
        sys.path.insert(0, str(FUZZ))
    return importlib.import_module(f"fuzz_{name}")


@pytest.fixture
def harness() -> Callable[[str], ModuleType]:
    return load_harness
