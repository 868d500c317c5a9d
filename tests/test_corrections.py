"""Hand corrections (``corrections.csv``): applied by the build, identities re-checked,
stale when the file changes, a clear error for a cell that does not exist.

The fixture folder holds two bundled reports: the 2025 report of Pingtan's market
regulation bureau, a crawled page flattened onto one line whose digits are glued
(``(二)部分公开 … 110000011`` is 1|10|0|0|0|0|11 or 11|0|0|0|0|0|11, and
``规范性文件1173`` three readings), and the 2020 report of 广武镇 (untouched).
The report's own prose says "区分处理后公开11件": 部分公开 is 11 natural persons.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from govopen.cli import main
from govopen.corpus import build, load
from govopen.corrections import COLUMNS, CorrectionError, parse
from govopen.report import file_sha256

FIXTURE = ROOT / "tests" / "fixtures" / "corrections" / "raw"
PINGTAN = "fujian/pingtan_panel/104786.txt"
FIXES = [("requests", "partial", "natural_person", "11", "prose: 区分处理后公开11件"),
         ("requests", "partial", "business", "0", "the row total is 11"),
         ("proactive", "normative_docs", "in_force", "3", "read off the published page")]


def raw_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE, tmp_path / "raw"))


def write_corrections(raw: Path, fixes=FIXES, sha: str | None = None) -> None:
    sha = sha or file_sha256(raw / PINGTAN)
    rows = [dict(zip(COLUMNS, [PINGTAN, sha, t, r, c, v, note, "tester", "2026-12-01"],
                     strict=True)) for t, r, c, v, note in fixes]
    pd.DataFrame(rows, columns=COLUMNS).to_csv(raw / "corrections.csv", index=False)


def cell(tables: dict, table: str, row: str, col: str, rid: str = PINGTAN) -> pd.Series:
    c = tables["cells"]
    hit = c[(c.report_id == rid) & (c.table == table) & (c.row == row) & (c.col == col)]
    assert len(hit) == 1
    return hit.iloc[0]


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("base")
    raw = raw_copy(tmp)
    build(raw, tmp / "out", jobs=0, progress=False)
    return load(tmp / "out")


def test_the_fixture_cells_are_ambiguous_as_parsed(base):
    for table, row, col, _v, _n in FIXES:
        c = cell(base, table, row, col)
        assert c.status == "ambiguous" and np.isnan(c.value)
    assert list(cell(base, "requests", "partial", "natural_person").candidates) == [1.0, 11.0]
    assert list(cell(base, "requests", "partial", "business").candidates) == [0.0, 10.0]
    assert cell(base, "requests", "partial", "total").value == 11.0


def test_three_corrections_applied_and_everything_else_unchanged(base, tmp_path):
    raw = raw_copy(tmp_path)
    write_corrections(raw)
    out = tmp_path / "out"
    build(raw, out, jobs=0, progress=False)
    t = load(out)
    for table, row, col, value, note in FIXES:
        c = cell(t, table, row, col)
        assert c.value == float(value) and c.status == "corrected"
        assert c.parsed_status == "ambiguous" and np.isnan(c.parsed_value)
        assert c.note.startswith(note) and "tester" in c.note
        before = cell(base, table, row, col)
        assert c.raw == before.raw and c.offset == before.offset  # as printed, same place
        assert t["wide"].set_index("report_id").loc[PINGTAN, f"{table}__{row}__{col}"] == float(value)
        assert t["wide"].set_index("report_id").loc[
            PINGTAN, f"{table}__{row}__{col}__status"] == "corrected"
    # every other cell, and every other table, is what the build without corrections wrote
    key = ["report_id", "table", "row", "col"]
    fixed = pd.DataFrame([(PINGTAN, t_, r, c) for t_, r, c, _v, _n in FIXES], columns=key)

    def others(cells: pd.DataFrame) -> pd.DataFrame:
        m = cells.merge(fixed, on=key, how="left", indicator=True)
        return m[m["_merge"] == "left_only"].drop(columns="_merge").reset_index(drop=True)

    pd.testing.assert_frame_equal(others(t["cells"]), others(base["cells"]))
    for name in ("reports", "sections", "failures", "issues"):
        pd.testing.assert_frame_equal(t[name], base[name], obj=name)
    cols = [c for c in t["wide"].columns
            if not any(c.startswith(f"{a}__{b}__{d}") for a, b, d, _v, _n in FIXES)]
    pd.testing.assert_frame_equal(t["wide"][cols], base["wide"][cols])


def test_identities_are_checked_again_on_the_corrected_values(tmp_path):
    raw = raw_copy(tmp_path)
    typo = [("requests", "partial", "natural_person", "10", "typo"), *FIXES[1:]]
    write_corrections(raw, typo)
    out = tmp_path / "out"
    build(raw, out, jobs=0, progress=False)
    t = load(out)
    issues = t["issues"].query("report_id == @PINGTAN and rule == 'row_total'")
    assert issues[["row", "expected", "observed", "severity"]].values.tolist() == [
        ["partial", 10.0, 11.0, "error"]]
    assert t["reports"].set_index("report_id").loc[PINGTAN, "n_errors"] == (
        t["issues"].query("report_id == @PINGTAN and severity == 'error'").shape[0])


def test_corrections_survive_rebuilds_and_the_cache(tmp_path):
    raw = raw_copy(tmp_path)
    out = tmp_path / "out"
    build(raw, out, jobs=0, progress=False)
    write_corrections(raw)  # a new corrections file: re-assembled from the cache
    summary = build(raw, out, jobs=0, progress=False)
    assert not summary["up_to_date"] and summary["parsed"] == 0
    assert cell(load(out), "requests", "partial", "natural_person").value == 11.0
    assert build(raw, out, jobs=0, progress=False)["up_to_date"]
    for name in ("cells.parquet", "build.json"):
        (out / name).unlink()
    summary = build(raw, out, jobs=0, progress=False)
    assert summary["parsed"] == 0 and summary["cached"] == 2
    assert cell(load(out), "requests", "partial", "natural_person").status == "corrected"


def test_a_changed_file_makes_the_corrections_stale(tmp_path):
    raw = raw_copy(tmp_path)
    write_corrections(raw)
    with (raw / PINGTAN).open("a", encoding="utf-8") as f:
        f.write("\n")  # the content changed after the values were read
    out = tmp_path / "out"
    build(raw, out, jobs=0, progress=False)
    t = load(out)
    for table, row, col, _v, _n in FIXES:
        assert cell(t, table, row, col).status == "ambiguous"
    stale = t["issues"].query("rule == 'stale_correction'")
    assert len(stale) == 3 and set(stale.report_id) == {PINGTAN}
    assert set(stale.col) == {"natural_person", "business", "in_force"}
    msg = stale.iloc[0].message
    assert "the file changed" in msg and "not applied" in msg and "corrections.csv line 2" in msg


def test_a_cell_that_does_not_exist_is_a_clear_error(tmp_path, capsys):
    raw = raw_copy(tmp_path)
    out = tmp_path / "out"
    build(raw, out, jobs=0, progress=False)
    before = (out / "cells.parquet").read_bytes()
    write_corrections(raw, [("requests", "partial", "no_such_column", "1", ""), *FIXES])
    with pytest.raises(CorrectionError, match=r"corrections.csv line 2: .*104786.txt has no cell "
                                              r"requests.partial.no_such_column"):
        build(raw, out, jobs=0, progress=False)
    assert (out / "cells.parquet").read_bytes() == before  # the previous build is intact
    assert main(["build", str(raw), "-o", str(out), "--no-progress", "-j", "0"]) == 2
    assert "no cell requests.partial.no_such_column" in capsys.readouterr().err


@pytest.mark.parametrize(("line", "problem"), [
    ("henan/x.txt,{sha},requests,new,total,1,,,", "no report file"),
    ("{file},{sha},request,new,total,1,,,", "table 'request'"),
    ("{file},abc,requests,new,total,1,,,", "64-hex-digit"),
    ("{file},{sha},requests,new,total,one,,,", "not a number"),
])
def test_malformed_rows_name_their_line(line, problem):
    text = ",".join(COLUMNS) + "\n" + line.format(file=PINGTAN, sha="a" * 64) + "\n"
    with pytest.raises(CorrectionError, match=f"line 2: .*{problem}"):
        parse(text, "corrections.csv", [PINGTAN])


def test_rows_without_a_value_are_a_template_not_yet_filled():
    header = ",".join(COLUMNS)
    text = header + f"\n{PINGTAN},{'a' * 64},requests,new,total,,,,\n"
    assert parse(text, "corrections.csv", [PINGTAN]) == []
    # a template appended with its header: the second header is not a correction
    text += header + f"\n{PINGTAN},{'a' * 64},requests,new,total,21,,,\n"
    assert [(c.line, c.value) for c in parse(text, "corrections.csv", [PINGTAN])] == [(4, 21.0)]
