"""Issue 14: a build survives hostile inputs and a shared ``OUT`` is safe to open.

Each test plants one fault (a malicious cache file, a value no format can hold,
an odd file name, a second build) and asserts what the build does with it.
"""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import RAW

from govopen.cache import Cache
from govopen.corpus import build, load

HENAN = sorted((RAW / "henan").glob("*.txt"))


def small_raw(dest: Path, n: int = 2) -> Path:
    dest.mkdir(parents=True)
    shutil.copy(RAW / "manifest.csv", dest / "manifest.csv")
    (dest / "henan").mkdir()
    for p in HENAN[:n]:
        shutil.copy(p, dest / "henan" / p.name)
    return dest


def same_tables(a: Path, b: Path) -> None:
    ta, tb = load(a), load(b)
    assert ta.keys() == tb.keys()
    for name in ta:
        pd.testing.assert_frame_equal(ta[name], tb[name], obj=name)


class _Payload:
    """Unpickling this runs code: it creates ``marker``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


# --------------------------------------------------------------------------- the cache


def test_planted_cache_file_runs_no_code_and_is_parsed_again(tmp_path):
    raw = small_raw(tmp_path / "raw")
    out = tmp_path / "out"
    build(raw, out, jobs=0, progress=False)
    clean = tmp_path / "clean"
    shutil.copytree(out, clean)
    cache = Cache(out / ".cache")
    keys = sorted(cache.keys())
    assert len(keys) == 2
    marker = tmp_path / "pwned"
    evil = pickle.dumps(_Payload(marker))
    # a pickle where the entry is, and a pickle named as the old format named entries
    cache.path(keys[0]).write_bytes(evil)
    cache.path(keys[1]).with_suffix(".pkl").write_bytes(evil)
    (out / "build.json").unlink()  # so the build does not stop at "up to date"
    summary = build(raw, out, jobs=0, progress=False)
    assert not marker.exists()
    assert (summary["parsed"], summary["cached"], summary["failures"]) == (1, 1, 0)
    same_tables(out, clean)
    assert cache.valid(keys[0]) and not cache.path(keys[1]).with_suffix(".pkl").exists()
    # a truncated entry is parsed again too
    data = cache.path(keys[1]).read_bytes()
    cache.path(keys[1]).write_bytes(data[: len(data) // 2])
    (out / "build.json").unlink()
    assert build(raw, out, jobs=0, progress=False)["parsed"] == 1
    same_tables(out, clean)


def test_no_pickle_where_data_is_read_back():
    """The package never unpickles: no module imports pickle (nor marshal, shelve)."""
    import ast

    root = Path(__file__).resolve().parents[1] / "govopen"
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_bytes())
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        assert not names & {"pickle", "marshal", "shelve", "dill", "cloudpickle"}, path


def test_entry_body_with_a_forbidden_column_type_is_parsed_again(tmp_path):
    """The body is read by an allow-list of column types, never pandas metadata."""
    import io

    from govopen.cache import pack, unpack

    frame = pd.DataFrame({"a": [1, None]}, dtype="Int64")
    data = pack({"meta": {}}, {"cells": frame, "issues": frame, "sections": frame})
    head, body = unpack(io.BytesIO(data))
    assert str(body["cells"]["a"].dtype) == "Int64"
    bad = data.replace(b'"Int64"', b'"objec"', 1)
    assert b'"objec"' in bad
    with pytest.raises(ValueError, match="not allowed"):
        unpack(io.BytesIO(bad))
