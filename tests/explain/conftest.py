"""Shared helpers for the explain tests: run the CLI in-process and parse its JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUNDLES = ROOT / "captures" / "bundles"
SEED = ROOT / "tests" / "data" / "seed"


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from vxlan_inspect.cli import main

    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def explain_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code, out, err = run_cli(["explain", *args, "--format", "json"], capsys)
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data
