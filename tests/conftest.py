"""Shared helpers: where the bundled reports and the hand-read expectations live."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
EXPECTED = ROOT / "tests" / "fixtures" / "expected"


def source_of(stem: str) -> Path:
    """The bundled report file whose name (without extension) is ``stem``."""
    matches = [p for p in RAW.rglob(f"{stem}.*") if p.suffix != ".csv"]
    assert len(matches) == 1, f"expected one report named {stem}, found {matches}"
    return matches[0]


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    return RAW
