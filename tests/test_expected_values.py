"""Every cell of every hand-transcribed report, against the parser.

``tests/fixtures/expected/<report>.csv`` lists every template cell of sections
二/三/四 with the value read off the document by a person (value empty = blank
cell, ``?`` = digits printed so that more than one reading is consistent with the
table's identities, so the cell must stay NaN). ``<report>.issues.csv`` lists the
identity failures the report really has; ``<report>.meta.json`` its agency, year
and formats.
"""

from __future__ import annotations

import csv
import json
import math

import pytest
from conftest import EXPECTED, source_of

import govopen

IDENTITY_RULES = {"row_total", "balance", "outcomes", "appeals_total"}
STEMS = sorted(p.name[:-4] for p in EXPECTED.glob("*.csv") if not p.name.endswith(".issues.csv"))


@pytest.fixture(scope="module", params=STEMS)
def case(request):
    stem = request.param
    report = govopen.read_report(source_of(stem))
    with (EXPECTED / f"{stem}.csv").open(encoding="utf-8") as f:
        cells = list(csv.DictReader(f))
    with (EXPECTED / f"{stem}.issues.csv").open(encoding="utf-8") as f:
        issues = list(csv.DictReader(f))
    meta = json.loads((EXPECTED / f"{stem}.meta.json").read_text(encoding="utf-8"))
    return stem, report, cells, issues, meta


def test_every_cell(case):
    stem, report, expected, _, _ = case
    got = {(r.table, r.row, r.col): r for r in report.cells.itertuples()}
    wrong = []
    for e in expected:
        key = (e["table"], e["row"], e["col"])
        cell = got.get(key)
        if cell is None:
            wrong.append(f"{key}: not in the parsed cells")
        elif e["value"] == "?":
            if not math.isnan(cell.value) or cell.status not in ("ambiguous", "unreadable"):
                wrong.append(f"{key}: expected an unreadable/ambiguous NaN, got {cell.value} "
                             f"({cell.status})")
        elif e["value"] == "":
            if not math.isnan(cell.value) or cell.status not in ("blank", "missing"):
                wrong.append(f"{key}: expected blank, got {cell.value} ({cell.status})")
        elif math.isnan(cell.value) or not math.isclose(cell.value, float(e["value"]),
                                                        abs_tol=1e-9):
            wrong.append(f"{key}: expected {e['value']}, got {cell.value} (raw {cell.raw!r})")
    assert not wrong, f"{stem}: {len(wrong)} wrong cells:\n" + "\n".join(wrong[:40])
    extra = set(got) - {(e["table"], e["row"], e["col"]) for e in expected}
    assert not extra, f"{stem}: cells not in the report: {sorted(extra)[:10]}"


def test_identity_failures_are_the_reports_own(case):
    stem, report, _, expected, _ = case
    got = {(i.rule, i.table, i.row or "", i.col or ""): (i.expected, i.observed)
           for i in report.issues.itertuples() if i.rule in IDENTITY_RULES}
    want = {(e["rule"], e["table"], e["row"], e["col"]): (float(e["expected"]),
                                                          float(e["observed"]))
            for e in expected}
    assert got == want


def test_meta(case):
    stem, report, _, _, meta = case
    assert report.meta["year"] == meta["year"]
    assert report.meta["format"] == meta["format"]
    for table in ("proactive", "requests"):
        if table in meta["table_formats"]:
            assert report.meta[f"format_{table}"] == meta["table_formats"][table]
    # Where the report names itself in its title the agency must match exactly;
    # otherwise the name found must be the printed one or contain it.
    agency = report.meta["agency"]
    if report.meta["agency_source"] == "title":
        assert agency == meta["agency"]
    else:
        assert agency and (meta["agency"] in agency or agency in meta["agency"])
