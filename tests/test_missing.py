"""Why a value is missing, kept in ``cells.candidates``, ``wide``'s status columns and
Stata's extended missing values (``wide.dta``), and listed in the codebook.

Fixture (tests/fixtures/corrections/raw): Pingtan's 2025 market regulation report
prints 部分公开 as the glued digits ``110000011`` (ambiguous), 结转下年度 as
``21件`` after 20000002 … (unreadable), and a label (行政执法案件) the template
does not know, so 属于行政执法案卷 is not printed; 广武镇 2020 leaves the
organisation columns empty (blank) and 平潭 2025 is a 2021-format report, so
its 2019-only cells are plain ``.``.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from conftest import ROOT

from govopen.codebook import stata_name
from govopen.corpus import build, load
from govopen.missing import CODES, status_column

FIXTURE = ROOT / "tests" / "fixtures" / "corrections" / "raw"
PINGTAN = "fujian/pingtan_panel/104786.txt"
GUANGWU = "henan/001_33e9900bc9823d6a.txt"


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("missing")
    raw = shutil.copytree(FIXTURE, tmp / "raw")
    build(raw, tmp / "out", jobs=0, progress=False)
    return tmp / "out"


def dta_value(dta: pd.DataFrame, rid: str, cell: str):
    return dta.set_index("report_id").loc[rid, stata_name(cell)]


def test_stata_file_has_the_extended_missing_codes(out):
    dta = pd.read_stata(out / "wide.dta", convert_missing=True, convert_categoricals=False)
    expected = {
        (PINGTAN, "requests__partial__natural_person"): ".a",
        (PINGTAN, "requests__carried_forward__total"): ".u",
        (PINGTAN, "requests__withheld_enforcement__natural_person"): ".m",
        (GUANGWU, "requests__new__business"): ".b",
        (PINGTAN, "proactive__licensing__prior_year"): ".",  # 2019 format only
    }
    for (rid, cell), code in expected.items():
        value = dta_value(dta, rid, cell)
        assert isinstance(value, pd.io.stata.StataMissingValue), (rid, cell, value)
        assert value.string == code, (rid, cell)
    assert dta_value(dta, PINGTAN, "requests__partial__total") == 11.0  # read values stay
    assert dta_value(dta, GUANGWU, "requests__new__natural_person") == 1.0
    # without convert_missing every code is NaN, as before
    plain = pd.read_stata(out / "wide.dta", convert_categoricals=False)
    assert pd.isna(dta_value(plain, PINGTAN, "requests__partial__natural_person"))


def test_stata_value_labels_name_the_codes(out):
    with pd.io.stata.StataReader(out / "wide.dta") as reader:
        reader.read(convert_categoricals=False)
        labels = reader.value_labels()
    label = labels[stata_name("requests__partial__natural_person")]
    assert sorted(v.split()[0] for v in label.values()) == [".a", ".b", ".c", ".m", ".u"]
    assert any("ambiguous" in v and "有歧义" in v for v in label.values())


def test_wide_status_columns_match_cells(out):
    t = load(out)
    wide, cells = t["wide"].set_index("report_id"), t["cells"]
    for row in cells.itertuples():
        if row.row.startswith("extra:"):
            continue
        name = f"{row.table}__{row.row}__{row.col}"
        first = cells[(cells.report_id == row.report_id) & (cells.table == row.table)
                      & (cells.row == row.row) & (cells.col == row.col)].iloc[0]
        assert wide.loc[row.report_id, status_column(name)] == first.status, name
    assert pd.isna(wide.loc[PINGTAN, status_column("proactive__licensing__prior_year")])
    # 平潭 prints 属于行政执法案件, not the template's 属于行政执法案卷: not printed
    assert wide.loc[PINGTAN, status_column("requests__withheld_enforcement__total")] == "missing"


def test_candidates_are_a_list_column(out):
    cells = load(out)["cells"]
    amb = cells[cells["status"] == "ambiguous"]
    assert len(amb) == 5 and amb["candidates"].map(len).min() >= 2
    row = amb[(amb.row == "partial") & (amb.col == "natural_person")].iloc[0]
    assert list(row.candidates) == [1.0, 11.0]
    assert cells[cells["status"] != "ambiguous"]["candidates"].isna().all()
    csv = pd.read_csv(out / "cells.csv", encoding="utf-8-sig")
    assert "[1.0, 11.0]" in set(csv["candidates"].dropna())


def test_codebook_lists_the_missing_codes(out):
    book = pd.read_csv(out / "codebook.csv", encoding="utf-8-sig", keep_default_na=False)
    codes = book.query("table == 'missing_codes'").set_index("column")["stata_name"].to_dict()
    assert codes == {s: f".{c.letter}" for s, c in CODES.items()}
    assert codes == {"blank": ".b", "ambiguous": ".a", "unreadable": ".u", "missing": ".m",
                     "conflicting": ".c"}
    md = (out / "codebook.md").read_text(encoding="utf-8")
    assert "## missing_codes" in md and "`.a`" in md and "`.c`" in md
    cells = book.query("table == 'cells'")["column"].tolist()
    assert {"candidates", "parsed_value", "parsed_status", "note"} <= set(cells)


def test_copies_that_read_a_cell_differently_are_conflicting(tmp_path):
    raw = tmp_path / "raw"
    (raw / "henan").mkdir(parents=True)
    text = (FIXTURE / GUANGWU).read_text(encoding="utf-8")
    (raw / GUANGWU).write_text(text, encoding="utf-8")
    lines = text.split("\n")
    assert lines[68].startswith("一、本年新收") and lines[68].endswith("\t\t1\t\t\t\t\t\t1\t")
    lines[68] = lines[68].replace("\t\t1\t", "\t\t2\t", 1)  # the copy prints 2 natural persons
    (raw / "henan" / "copy.txt").write_text("\n".join(lines), encoding="utf-8")
    out = tmp_path / "out"
    build(raw, out, jobs=0, progress=False)
    wide = load(out)["wide"].set_index("report_id")
    cell = "requests__new__natural_person"
    assert wide[status_column(cell)].tolist() == ["conflicting", "conflicting"]
    assert wide[cell].isna().all()
    assert (wide["requests__new__total"] == 1.0).all()  # the copies agree there
    cells = load(out)["cells"]
    read = cells[(cells.row == "new") & (cells.col == "natural_person")]
    assert sorted(read["value"]) == [1.0, 2.0]  # each copy's reading kept in cells
    dta = pd.read_stata(out / "wide.dta", convert_missing=True, convert_categoricals=False)
    assert {v.string for v in dta[cell]} == {".c"}
