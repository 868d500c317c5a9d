"""Rows of table 三 printing fewer numbers than cells, placed by the column identities.

A PDF converter that prints nothing for a blank cell (pypdfium2's text, pages
joined with form feeds) leaves a row such as ``(一)予以公开 5 2 3 4 1 15`` for seven
cells: its own row total holds wherever its blank stands. The column identities
of the whole table (the outcome rows add up to （七）总计, new + carried over =
total + carried forward) can single out one joint placement
(:func:`govopen.tables._place_jointly`, :func:`govopen.joint.solve`).
"""

from __future__ import annotations

import math
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from render import REQUEST_COLS, random_values, render, value_keys
from test_layouts_converters import tally

import govopen
from govopen.joint import Sum, solve
from govopen.templates import template


def pages(text: str) -> str:
    """A rendered report as pypdfium2 prints it: cells one space apart (a blank cell
    leaves no trace) and a page break before section 三."""
    lines = (re.sub(r" +", " ", line).strip() for line in text.split("\n"))
    return "\n".join(lines).replace("三、收到和处理", "\f三、收到和处理")


def report_text(printed: dict[str, str]) -> tuple[str, dict]:
    """A 2019 report whose table 三 rows are ``printed`` (cells by column, ``_`` for a
    blank), every other row of table 三 zeros; the text and the cell values."""
    values: dict = dict.fromkeys(value_keys("2019"), 0.0)
    for row in template("requests", "2019").rows:
        cells = printed.get(row.code, "0 0 0 0 0 0 0").split()
        assert len(cells) == len(REQUEST_COLS)
        for col, cell in zip(REQUEST_COLS, cells, strict=True):
            values[("requests", row.code, col)] = None if cell == "_" else float(cell)
    return pages(render(values, "2019", 2020, "space")), values


def requests_cells(report: govopen.Report, row: str) -> list[tuple[float, str]]:
    cells = report.cells[(report.cells.table == "requests") & (report.cells.row == row)]
    return [(v, s) for v, s in zip(cells.value, cells.status, strict=True)]


# Two blanks, in 予以公开 and 部分公开: each row's total holds wherever its blank
# stands; only the columns of （七）总计 and of the balance say where.
UNIQUE = {
    "new": "10 9 5 7 5 2 38",
    "granted": "5 _ 2 3 4 1 15",
    "partial": "3 6 _ 2 1 1 13",
    "withheld_law": "2 3 3 2 0 0 10",
    "total": "10 9 5 7 5 2 38",
}


def test_two_blanks_placed_by_the_column_identities() -> None:
    text, values = report_text(UNIQUE)
    assert "5 2 3 4 1 15" in text and "3 6 2 1 1 13" in text  # nothing marks the blanks
    report = govopen.read_text(text)
    assert report.meta["input_form"] == "text-pages"
    result = tally(report, values)
    assert not result["wrong"] and not result["flagged"], (result["wrong"] + result["flagged"])
    granted = requests_cells(report, "granted")
    assert [v for v, _ in granted if not math.isnan(v)] == [5, 2, 3, 4, 1, 15]
    # The total stood last in every placement: read as printed; the blank is blank.
    assert [s for _, s in granted] == ["ok_by_identity", "blank", *["ok_by_identity"] * 4, "ok"]
    assert requests_cells(report, "partial")[1] == (6, "ok_by_identity")
    placed = report.issues[report.issues.rule == "cells_placed_by_identity"]
    assert len(placed) == 1 and placed.severity.iloc[0] == "info"
    assert placed.table.iloc[0] == "requests"
    assert "rows granted, partial" in placed.message.iloc[0]
    assert "ambiguous_cells" not in set(report.issues.rule)


def test_two_joint_placements_that_fit_leave_the_cells_ambiguous() -> None:
    """予以公开 ``1 _ 2`` with 部分公开 ``_ 1 2`` adds up like ``_ 1 2`` with ``1 _ 2``."""
    text, values = report_text({
        "new": "1 1 4 0 0 0 6",
        "granted": "1 _ 2 0 0 0 3",
        "partial": "_ 1 2 0 0 0 3",
        "total": "1 1 4 0 0 0 6",
    })
    report = govopen.read_text(text)
    result = tally(report, values)
    assert not result["wrong"]
    for row in ("granted", "partial"):
        cells = requests_cells(report, row)
        assert all(math.isnan(v) and s == "ambiguous" for v, s in cells[:2]), cells
        # Where both placements agree the cells are taken.
        assert cells[2] == (2, "ok_by_identity") and cells[6] == (3, "ok")
    assert {key[1:] for key, *_ in result["flagged"]} == {
        (r, c) for r in ("granted", "partial") for c in ("natural_person", "business")}
    ambiguous = report.issues[report.issues.rule == "ambiguous_cells"]
    assert set(ambiguous.row) == {"granted", "partial"}


def test_broken_column_total_gives_no_placement() -> None:
    """The same rows with （七）总计 one off in a column: no placement satisfies every
    identity, and none is chosen (the report's own arithmetic is broken)."""
    broken = {**UNIQUE, "total": "10 9 5 7 6 2 39"}
    report = govopen.read_text(report_text(broken)[0])
    assert "cells_placed_by_identity" not in set(report.issues.rule)
    granted = requests_cells(report, "granted")
    assert all(math.isnan(v) and s == "ambiguous" for v, s in granted[1:6]), granted



def test_a_blank_total_a_choice_puts_there_is_no_placement() -> None:
    """New 1 + carried over 0 in a column whose (七)总计 is printed blank: carried
    forward prints one 0 for two cells. Only the choice that leaves its 0 out of
    the column (the blank in the total's place) passes the identity, unchecked; with
    that blank as 0 no choice does, so nothing is placed (it was, and wrong)."""
    rows = [[(1.0, 1.0)], [(0.0, 0.0)], [(None, None)], [(0.0, None), (None, 0.0)]]
    # new + carried over - total - carried forward = 0, totals (七) and carried forward
    sums = [Sum(((0, 1), (1, 1), (2, -1), (3, -1)), k, (2, 3)) for k in (0, 1)]
    assert solve(rows, sums) == [set()] * 4
    # The same with (七)总计 printed 1 1: carried forward's 0 may stand either side.
    rows[2] = [(1.0, 1.0)]
    assert solve(rows, sums) == [{0}, {0}, {0}, {0, 1}]

def test_solve_gives_up_past_its_bound() -> None:
    # Twelve rows, each 1 in one of two columns, their total 6 and 6: 924 ways.
    rows = [[(1.0, None), (None, 1.0)]] * 12 + [[(6.0, 6.0)]]
    sums = [Sum(tuple((i, 1) for i in range(12)) + ((12, -1),), k, (12,)) for k in (0, 1)]
    assert solve(rows, sums) == [{0, 1}] * 12 + [{0}]
    assert solve(rows, sums, max_work=500) is None
    assert solve(rows[:12] + [[(13.0, 0.0)]], sums) == [set()] * 13


# --- hypothesis: blanks anywhere in a table 三 whose identities hold ---------------------

@st.composite
def blanked_reports(draw):
    """A random report whose table 三 satisfies its identities, with blank cells drawn
    among its zeros (blank counts as 0: it stays consistent); and perhaps one
    change that breaks its arithmetic: a number printed blank, or a part and its
    row total both raised (the row adds up, the columns do not)."""
    def pick(lo, hi):
        return draw(st.integers(lo, hi))

    fmt_, year, values = random_values(pick, blanks=False, balanced=True)
    keys = [k for k in values if k[0] == "requests"]
    for key in keys:
        if values[key] == 0 and draw(st.booleans()):
            values[key] = None
    change = draw(st.sampled_from(["none", "blank", "typo"]))
    key = draw(st.sampled_from(keys))
    if change == "blank":
        values[key] = None
    elif change == "typo" and key[2] != "total" and values[key] is not None:
        total = (*key[:2], "total")
        if values[total] is not None:
            d = float(draw(st.integers(1, 9)))
            values[key] += d
            values[total] += d
    return fmt_, year, values


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(case=blanked_reports())
def test_blanked_cells_are_never_placed_wrong(case) -> None:
    fmt_, year, values = case
    report = govopen.read_text(pages(render(values, fmt_, year, "space")))
    result = tally(report, values)
    assert not result["wrong"], result["wrong"][:5]
