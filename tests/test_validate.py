"""Identity checks: failures reported with expected and observed, never repaired."""

import pandas as pd

from govopen.validate import check_identities, check_narrative

COLS = ["natural_person", "business", "research", "social_org", "legal_service", "other_org",
        "total"]


def frame(rows, status="ok"):
    out = []
    for row, vals in rows.items():
        for col, v in zip(COLS, vals, strict=True):
            out.append({"table": "requests", "row": row, "col": col, "value": v,
                        "status": "blank" if v != v else status})
    return pd.DataFrame(out)


NAN = float("nan")


def test_consistent_table_has_no_issues():
    cells = frame({"new": [2, 0, 0, 0, 0, 1, 3], "carried_over": [0] * 7,
                   "granted": [2, 0, 0, 0, 0, 1, 3], "total": [2, 0, 0, 0, 0, 1, 3],
                   "carried_forward": [0] * 7})
    assert check_identities(cells) == []


def test_row_total_balance_and_outcomes_failures():
    cells = frame({"new": [2, 0, 0, 0, 0, 1, 4], "carried_over": [0] * 7,
                   "granted": [1, 0, 0, 0, 0, 1, 2], "total": [2, 0, 0, 0, 0, 1, 3],
                   "carried_forward": [0] * 7})
    found = {(i.rule, i.row, i.col): (i.expected, i.observed)
             for i in check_identities(cells)}
    assert found[("row_total", "new", "total")] == (3, 4)
    assert found[("balance", "", "total")] == (4, 3)
    assert found[("outcomes", "total", "natural_person")] == (1, 2)
    assert found[("outcomes", "total", "total")] == (2, 3)
    assert all(v[0] != v[1] for v in found.values())


def test_blank_cells_count_as_zero_but_only_warn():
    cells = frame({"new": [1, NAN, NAN, NAN, NAN, NAN, 1], "carried_over": [0] * 7,
                   "partial": [1, NAN, NAN, NAN, NAN, NAN, 1],
                   "total": [NAN] * 7, "carried_forward": [0] * 7})
    issues = check_identities(cells)
    assert {(i.rule, i.col) for i in issues} == {
        ("balance", "natural_person"), ("balance", "total"),
        ("outcomes", "natural_person"), ("outcomes", "total")}
    assert {i.severity for i in issues} == {"warning"}


def test_ambiguous_cells_make_an_identity_uncheckable():
    cells = frame({"new": [2, 0, 0, 0, 0, 0, 2]})
    cells.loc[cells.col == "total", ["value", "status"]] = [NAN, "ambiguous"]
    assert check_identities(cells) == []


def test_narrative_mismatch():
    cells = frame({"new": [0] * 7, "carried_over": [0] * 7, "total": [0] * 7})
    issues = check_narrative("2020年，全年共办理各类政府信息公开申请20件。", cells)
    assert [(i.expected, i.observed) for i in issues] == [(20, 0)]
    assert check_narrative("全年未收到政府信息公开类行政复议申请。", cells) == []
    ok = frame({"new": [3, 0, 0, 0, 0, 0, 3], "carried_over": [0] * 7, "total": [3] * 7})
    assert check_narrative("收到政府信息公开申请3件", ok) == []
