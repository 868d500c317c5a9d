"""The Pingtan panel (97 crawler texts, 2019–2025): every report parses.

Prints what a researcher wants to know about the panel: cells read, cells left
ambiguous, and identity failures that remain (checked by eye on a sample: each
is the report's own, e.g. 97003.txt prints 一、本年新收 as ``3000000`` — total 0).
"""

from __future__ import annotations

import pytest
from conftest import RAW

import govopen

PANEL = sorted((RAW / "fujian" / "pingtan_panel").glob("*.txt"))
IDENTITY_RULES = {"row_total", "balance", "outcomes", "appeals_total"}


@pytest.fixture(scope="module")
def panel():
    return {p.name: govopen.read_report(p) for p in PANEL}


def test_every_panel_report_parses(panel, capsys):
    assert len(panel) == 97
    cells = sum(len(r.cells) for r in panel.values())
    ok = sum(int((r.cells.status == "ok").sum()) for r in panel.values())
    ambiguous = sum(int((r.cells.status == "ambiguous").sum()) for r in panel.values())
    failures = sum(int(r.issues.rule.isin(IDENTITY_RULES).sum()) for r in panel.values())
    with capsys.disabled():
        print(f"\npanel: {len(panel)} reports, {cells} cells, {ok} read, "
              f"{ambiguous} ambiguous, {failures} identity failures")
    assert ok / cells > 0.97
    assert ambiguous / cells < 0.02


def test_formats_are_detected_per_table_not_by_year(panel):
    """Reports up to 2020 use the 2019 template; later ones mostly the 2021 one.

    Four do not, as printed: 80599.txt (2021) and 80619.txt (2022) keep the
    2019 template throughout; 80604.txt (2021) and 86513.txt (2023) print section 二 in the
    2021 format but keep the single （六）其他处理 row of 2019 in section 三.
    """
    late_2019 = {}
    for name, r in panel.items():
        if r.cells.empty:
            continue
        if r.meta["year"] <= 2020:
            assert r.meta["format"] == "2019", name
        elif r.meta["format"] != "2021":
            late_2019[name] = (r.meta["format_proactive"], r.meta["format_requests"])
    assert late_2019 == {"80599.txt": ("2019", "2019"), "80619.txt": ("2019", "2019"), "80604.txt": ("2021", "2019"),
                         "86513.txt": ("2021", "2019")}
    assert panel["86513.txt"].meta["format"] == "mixed"


def test_known_report_errors_are_reported_not_repaired(panel):
    # 97003.txt prints the new-requests row as 3000000: natural persons 3, total 0.
    r = panel["97003.txt"]
    assert r.value("requests", "new", "natural_person") == 3
    assert r.value("requests", "new", "total") == 0
    row_total = r.issues.query("rule == 'row_total' and row == 'new'")
    assert row_total[["expected", "observed"]].values.tolist() == [[3.0, 0.0]]
    narrative = r.issues.query("rule == 'narrative_mismatch'")
    assert narrative[["expected", "observed"]].values.tolist() == [[3.0, 0.0]]


def test_glued_signed_changes(panel):
    # 80594.txt: 行政许可1-10 → prior 1, change -1, decisions 0 (the only reading)
    r = panel["80594.txt"]
    assert [r.value("proactive", "licensing", c) for c in
            ("prior_year", "net_change", "decisions")] == [1, -1, 0]
    # 80580.txt: 行政许可88-720 → 88, then -7/20 or -72/0: ambiguous, left NaN
    r = panel["80580.txt"]
    assert r.value("proactive", "licensing", "prior_year") == 88
    assert r.value("proactive", "licensing", "net_change") is None
    assert "ambiguous_cells" in set(r.issues.query("row == 'licensing'").rule)


def test_six_values_for_seven_cells_is_an_error_not_a_guess(panel):
    # 80608.txt prints （一）予以公开 with six zeros for seven columns.
    r = panel["80608.txt"]
    assert r.value("requests", "granted", "total") is None
    assert "row_cells_mismatch" in set(r.issues.query("row == 'granted'").rule)


def test_extra_sections_do_not_shift_the_tables(panel):
    # 80582.txt inserts 二、政务公开工作主要任务落实情况, so 主动公开 is printed as 三.
    r = panel["80582.txt"]
    assert r.sections.dropna(subset=["section"]).section.tolist() == [1, 2, 3, 4, 5, 6]
    assert r.sections.printed_number.tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert not r.cells.empty and "table_not_found" not in set(r.issues.rule)
