"""What makes a build faster must not change what it writes or how workers start.

* :func:`govopen.export.arrow_table` (column by column) gives exactly the table
  ``pa.Table.from_pandas(conform(frame))`` gives, whatever the columns hold;
* a worker pool whose fork server imports :mod:`govopen.prewarm` starts its workers
  with the gazetteer loaded, before their own warm-up; ``GOVOPEN_PREWARM=0`` leaves
  it to them; :func:`govopen.runner.prestart` starts that fork server early.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from govopen import export
from govopen.codebook import conform, schema
from govopen.manifest import PREWARM_SWITCH, preload

# What a report's frames hold, column by column: text, numbers, gaps of every kind.
_CELL = st.one_of(st.none(), st.just(np.nan), st.just(pd.NA), st.text(max_size=4),
                  st.integers(-3, 10**12), st.floats(allow_nan=True, allow_infinity=True),
                  st.lists(st.floats(allow_nan=False, width=32), max_size=3))


def reference(frame: pd.DataFrame, table: str) -> pa.Table:
    """How arrow_table was defined before it went column by column."""
    columns = schema(table)
    return pa.Table.from_pandas(conform(frame, table, columns),
                                schema=export.arrow_schema(columns),
                                preserve_index=False).replace_schema_metadata(None)


def same(frame: pd.DataFrame, table: str) -> None:
    try:
        want = reference(frame, table)
    except (pa.ArrowException, TypeError, ValueError) as exc:  # cannot be written:
        try:
            export.arrow_table(frame, table, schema(table))
        except (pa.ArrowException, TypeError, ValueError):
            return  # refused by both
        raise AssertionError(f"arrow_table accepted what from_pandas refuses ({exc})") from None
    got = export.arrow_table(frame, table, schema(table))
    assert got.equals(want)
    assert got.schema.equals(want.schema, check_metadata=True)


@settings(max_examples=150, deadline=None)
@given(table=st.sampled_from(["cells", "issues", "sections", "failures"]), data=st.data(),
       n=st.integers(0, 4))
def test_arrow_table_is_from_pandas_of_conform(table: str, data: st.DataObject, n: int) -> None:
    frame = pd.DataFrame({c.name: pd.Series(data.draw(st.lists(_CELL, min_size=n, max_size=n)),
                                            dtype=object)
                          for c in schema(table) if data.draw(st.booleans())}, index=range(n))
    same(frame, table)
    same(frame.iloc[::-1], table)  # an index not 0..n-1


def test_arrow_table_keeps_typed_columns() -> None:
    """The columns as readers make them (pandas strings, Int64, float64) are kept as typed."""
    cells = pd.DataFrame({"report_id": pd.Series(["a", None], dtype="str"),
                          "table": pd.Series(["requests", "requests"], dtype="str"),
                          "value": [1.5, np.nan],
                          "source_row": pd.array([3, None], dtype="Int64"),
                          "candidates": [[1.0, 2.0], None]})
    same(cells, "cells")
    got = export.arrow_table(cells, "cells", schema("cells"))
    assert got.column("value").to_pylist() == [1.5, None]
    assert got.column("source_row").to_pylist() == [3, None]
    assert got.column("report_id").to_pylist() == ["a", None]


_PROBE = """
import json, sys
from govopen.runner import Task, prestart, run

def loaded():
    from govopen.gazetteer import gazetteer
    return gazetteer.cache_info().currsize

if __name__ == "__main__":
    preload = tuple(sys.argv[1:])
    prestart(loaded, preload)
    out = list(run(loaded, [Task("a", ())], jobs=1, preload=preload))
    print(json.dumps([o.value for o in out]))
"""


def probe(tmp_path, preload_: tuple[str, ...]) -> list[int]:
    script = tmp_path / "probe.py"
    script.write_text(_PROBE, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), *preload_], capture_output=True,
                          text=True, check=True, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_prewarm_loads_the_gazetteer_before_the_workers_start(tmp_path) -> None:
    assert probe(tmp_path, ("govopen.prewarm",)) == [1]  # loaded in the fork server
    assert probe(tmp_path, ()) == [0]  # (no warm-up given to the workers either)


def test_prewarm_switch(monkeypatch) -> None:
    monkeypatch.delenv(PREWARM_SWITCH, raising=False)
    assert preload() == ("govopen.prewarm",)
    monkeypatch.setenv(PREWARM_SWITCH, "0")
    assert preload() == ()
