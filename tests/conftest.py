"""Shared helpers: where the test corpus and the hand-read expectations live.

The tests never read ``data/raw`` or ``data/processed``: those folders belong to
the user, who adds reports to ``data/raw`` as the README says. ``tests/fixtures/corpus``
is a frozen copy of the bundled sample corpus (reports and manifest) that the tests
read instead, and an audit hook fails any test that opens a file under
``data/raw`` or ``data/processed`` all the same.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: The test corpus: a copy of the bundled reports of data/raw and their manifest.
CORPUS = ROOT / "tests" / "fixtures" / "corpus"
RAW = CORPUS  # the name the tests use for "the bundled corpus"
EXPECTED = ROOT / "tests" / "fixtures" / "expected"


def source_of(stem: str) -> Path:
    """The bundled report file whose name (without extension) is ``stem``."""
    matches = [p for p in RAW.rglob(f"{stem}.*") if p.suffix != ".csv"]
    assert len(matches) == 1, f"expected one report named {stem}, found {matches}"
    return matches[0]


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    return RAW


# --- the user's folders are off limits ------------------------------------------------

#: Folders of the user's own data that no test may read.
USER_DATA = (ROOT / "data" / "raw", ROOT / "data" / "processed")
_opened_user_data: list[str] = []


_READS = {"open", "os.listdir", "os.scandir"}


def _audit(event: str, args: tuple) -> None:
    if event not in _READS or not args or not isinstance(args[0], (str, bytes, os.PathLike)):
        return
    path = os.fsdecode(args[0])
    if not os.path.isabs(path):
        path = os.path.join(os.getcwd(), path)
    path = os.path.normpath(path)
    for folder in USER_DATA:
        if path == str(folder) or path.startswith(str(folder) + os.sep):
            _opened_user_data.append(path)


sys.addaudithook(_audit)


@pytest.fixture(autouse=True)
def _no_user_data() -> Iterator[None]:
    """A test that opens a file under data/raw or data/processed fails, naming the file."""
    before = len(_opened_user_data)
    yield
    opened = sorted(set(_opened_user_data[before:]))
    if opened:
        pytest.fail(f"the test opened the user's data: {opened[:3]}; use tests/fixtures/ "
                    "(conftest.CORPUS) instead", pytrace=False)
