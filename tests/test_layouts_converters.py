"""Reports as researchers' converters leave them: every cell against the document.

The fixtures in ``tests/fixtures/converters/`` are what ``pdftotext`` (raw and
``-layout``), ``pymupdf4llm``, ``markitdown`` and pypdfium2 made of the real Hongze
district PDF, of the 50 LibreOffice-rendered round-trip PDFs and of 50 more whose
table 三 satisfies its column identities (the balanced set; ``make_converter_fixtures.py``
regenerates them). The values come from the hand-read fixture of the Hongze report,
from ``roundtrip/expected.json`` and from ``converters/balanced.expected.json``.

A cell is *right* when it equals the printed value (NaN for a blank cell),
*flagged* when it is NaN with status ``unreadable``, ``ambiguous`` or ``missing``,
and *wrong* otherwise (a number that differs, or a number read where nothing was
printed, or ``blank`` where a number was printed): the outcome never accepted.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest
from render import CONVERTERS, MORE, hand_read, handread_values, values_from_list

import govopen
from govopen.validate import check_identities

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CONVERTED = FIXTURES / "converters"
FLAGS = {"unreadable", "ambiguous", "missing"}


def outcome(cell, expected: float | None) -> str:
    """``right``, ``flagged`` or ``wrong`` for one parsed cell (None: not parsed)."""
    if cell is None:
        return "flagged"
    value = cell.value
    if expected is None:
        return "right" if math.isnan(value) and cell.status in ("blank", "missing") else (
            "flagged" if math.isnan(value) and cell.status in FLAGS else "wrong")
    if not math.isnan(value):
        return "right" if math.isclose(value, expected, rel_tol=1e-12, abs_tol=1e-9) else "wrong"
    return "flagged" if cell.status in FLAGS else "wrong"


def tally(report: govopen.Report, values: dict) -> dict[str, list]:
    got = {(c.table, c.row, c.col): c for c in report.cells.itertuples()}
    out: dict[str, list] = {"right": [], "flagged": [], "wrong": []}
    for key, expected in values.items():
        cell = got.get(key)
        out[outcome(cell, expected)].append((key, expected, None if cell is None else
                                             (cell.value, cell.raw, cell.status)))
    return out


def hongze_values() -> dict:
    return hand_read("jiangsu_huaian_hongze_2023")


def converted(stem: str, converter: str) -> Path:
    return next(CONVERTED.glob(f"{stem}.{converter}.*"))


@pytest.mark.parametrize("converter", CONVERTERS)
def test_hongze_pdf_through_every_converter(converter: str) -> None:
    path = converted("jiangsu_huaian_hongze_2023", converter)
    report = govopen.read_report(path)
    result = tally(report, hongze_values())
    print(f"{converter}: {len(result['right'])} of {sum(map(len, result.values()))} cells right, "
          f"{len(result['flagged'])} flagged, {len(result['wrong'])} wrong")
    assert not result["wrong"], result["wrong"][:10]
    # Raw pdftotext prints the middle of table 三 column by column and its
    # labels apart from its numbers; it reads in full all the same.
    assert not result["flagged"], result["flagged"][:10]
    assert report.meta["year"] == 2023 and report.meta["format"] == "mixed"  # 二 2021, 三 2019
    assert report.meta["n_extra_rows"] == 0


def test_hongze_converters_name_their_form() -> None:
    forms = {c: govopen.read_report(converted("jiangsu_huaian_hongze_2023", c)).meta["input_form"]
             for c in CONVERTERS}
    assert forms == {"pdftotext": "text-lines", "pdftotext_layout": "text-layout",
                     "pymupdf4llm": "markdown", "markitdown": "markdown",
                     "pypdfium2": "text-pages"}


# The zoo: converters applied to 50 LibreOffice-rendered random reports. The random
# tables are harder than real ones (blank cells anywhere, numbers of up to eight
# digits in narrow cells that wrap), so the share right is measured and locked:
# it may only go up. A wrong number is never accepted.
# Plain pdftotext and pypdfium2 leave no trace of a blank cell, so in the random
# reports with blank cells many rows have several placements that fit.
# Plain pdftotext fell from 71.4% to 71.0% when a row placed only by putting a
# blank in it that breaks its total was no longer read (see the hand-read set below).
ZOO_FLOOR = {"pdftotext": 0.710, "pdftotext_layout": 0.934, "pymupdf4llm": 0.936,
             "markitdown": 0.923, "pypdfium2": 0.684}
ZOO_WRONG = {"pdftotext": 0, "pdftotext_layout": 0, "pymupdf4llm": 0, "markitdown": 0,
             "pypdfium2": 0}
# The other Python tools' text of the same PDFs (see MORE below).
# pdfminer at 28.6% with 35 wrong cells before the four fixes tested below.
ZOO_FLOOR |= {"pdfplumber": 0.684, "pdfplumber_layout": 0.978, "pdfminer": 0.291,
              "pymupdf": 0.684, "pymupdf_sort": 0.698}
ZOO_WRONG |= dict.fromkeys(("pdfplumber", "pdfplumber_layout", "pdfminer", "pymupdf",
                            "pymupdf_sort"), 0)
# Known wrong numbers not yet fixed, per tool (the test fails while they are there).
ZOO_KNOWN_WRONG = {"pymupdf_sort": "a long label moves the numbers after it, so -layout "
                   "columns misplace them (10 cells: table 二, which has no row identity, "
                   "and section 四)"}


def zoo(name: str, converter: str) -> tuple[dict[str, int], list, int]:
    """Cells right, flagged and wrong of one converter's outputs of the set ``name``
    (``roundtrip``: the round-trip PDFs; ``balanced``: see below), examples of the
    wrong ones, and the number of reports."""
    path = (FIXTURES / "roundtrip" / "expected.json" if name == "roundtrip"
            else CONVERTED / f"{name}.expected.json")
    expected = json.loads(path.read_text(encoding="utf-8"))
    texts = json.loads((CONVERTED / f"{name}.{converter}.json").read_text(encoding="utf-8"))
    totals = {"right": 0, "flagged": 0, "wrong": 0}
    examples = []
    for report, text in sorted(texts.items()):
        case = expected["reports"][report]
        values = values_from_list(case["values"], case["format"])
        result = tally(govopen.read_text(text, report_id=report), values)
        for k, v in result.items():
            totals[k] += len(v)
        examples += [(report, *w) for w in result["wrong"][:2]]
    return totals, examples, len(texts)


@pytest.mark.parametrize("converter", [
    *CONVERTERS, *(pytest.param(c, marks=pytest.mark.xfail(reason=ZOO_KNOWN_WRONG[c], strict=True))
                   if c in ZOO_KNOWN_WRONG else c for c in MORE)])
def test_converter_zoo(converter: str) -> None:
    totals, examples, reports = zoo("roundtrip", converter)
    assert reports >= 50
    share = report_share(converter, totals, reports)
    assert share >= ZOO_FLOOR[converter]
    assert totals["wrong"] <= ZOO_WRONG[converter], examples[:10]


def report_share(label: str, totals: dict[str, int], reports: int) -> float:
    """Print a set's figures for one converter; the share of cells right."""
    n = sum(totals.values())
    share = totals["right"] / n
    print(f"\n{label}: {reports} reports, {n} cells: {100 * share:.2f}% right, "
          f"{totals['flagged']} flagged, {totals['wrong']} wrong-unflagged", file=sys.stderr)
    return share


# The balanced set: 50 more rendered random reports whose table 三 satisfies its
# column identities, as real reports mostly do (the round-trip reports above draw
# each row by itself, so their column identities fail and cannot place a blank).
# Blank cells stand for 0 there. Rows printing fewer numbers than cells are
# placed by the identities of the whole table (``tables._place_jointly``).
# Before they were (pdftotext 57.9%, -layout 78.8%, pymupdf4llm 94.3%, markitdown
# 94.1%, pypdfium2 73.1% right): the floors below may only go up.
# Plain pdftotext 66.9% before the change noted at ZOO_FLOOR.
BALANCED_FLOOR = {"pdftotext": 0.667, "pdftotext_layout": 0.966, "pymupdf4llm": 0.987,
                  "markitdown": 0.964, "pypdfium2": 0.866}
# No wrong number is accepted here either. This set found 14 wrong cells when it
# was made, in readers the identities do not touch, all fixed since: plain
# pdftotext gave table 三's 四、结转下年度 the numbers printed after its label that
# are not its own (rt_020, rt_028: now left NaN, see
# test_numbers_after_a_list_of_labels_are_not_the_last_rows);
# pymupdf4llm moved a number of table 二 one cell along (rt_045) and markitdown
# the row other_no_fee of rt_014 (see the two tests below).
BALANCED_WRONG = dict.fromkeys(CONVERTERS, 0)


@pytest.mark.parametrize("converter", CONVERTERS)
def test_balanced_zoo(converter: str) -> None:
    totals, examples, reports = zoo("balanced", converter)
    assert reports == 50
    share = report_share(f"{converter} (balanced)", totals, reports)
    assert share >= BALANCED_FLOOR[converter]
    assert totals["wrong"] <= BALANCED_WRONG[converter], examples[:10]


def test_balanced_set_satisfies_its_column_identities() -> None:
    expected = json.loads((CONVERTED / "balanced.expected.json").read_text(encoding="utf-8"))
    assert expected["balanced"] is True
    for case in expected["reports"].values():
        values = values_from_list(case["values"], case["format"])
        cells = {"table": [], "row": [], "col": [], "value": [], "status": []}
        for (table, row, col), v in values.items():
            for key, x in zip(cells, (table, row, col, v, "ok" if v is not None else "blank"),
                              strict=True):
                cells[key].append(x)
        failed = {i.rule for i in check_identities(cells) if i.table == "requests"}
        assert not failed & {"balance", "outcomes", "row_total"}, failed


def test_blanks_moved_by_identity_are_said() -> None:
    """markitdown moved a blank of rt_010's section 四 three columns along: the numbers are
    placed where the identities hold (NaN where two placements hold), and an info issue
    says so (never silently)."""
    texts = json.loads((CONVERTED / "roundtrip.markitdown.json").read_text(encoding="utf-8"))
    report = govopen.read_text(texts["rt_010.pdf"], report_id="rt_010")
    placed = report.issues[report.issues.rule == "cells_placed_by_identity"]
    assert len(placed) == 1 and (placed.severity == "info").all()
    expected = json.loads((FIXTURES / "roundtrip" / "expected.json").read_text(encoding="utf-8"))
    case = expected["reports"]["rt_010.pdf"]
    values = values_from_list(case["values"], case["format"])
    table = placed.table.iloc[0]
    row = placed.row.iloc[0]
    cells = report.cells[(report.cells.table == table)
                         & ((report.cells.row == row) if row else True)]
    got = [outcome(c, values[(c.table, c.row, c.col)]) for c in cells.itertuples()]
    assert len(got) == 15 and "wrong" not in got and got.count("right") >= 10, got


def test_rows_read_in_order_only_when_every_row_is_labelled() -> None:
    """Plain pdftotext prints Hongze's table 三 apart from its labels: read in the
    template's order only while every row's label is printed; with one label gone
    the numbers could belong to any row, and none of those rows is guessed."""
    text = converted("jiangsu_huaian_hongze_2023", "pdftotext").read_text(encoding="utf-8")
    full = govopen.read_text(text)
    assert "rows_read_in_order" in set(full.issues.rule)
    cut = govopen.read_text(text.replace("2.重复申请\n", ""))
    result = tally(cut, hongze_values())
    assert not result["wrong"], result["wrong"][:10]
    assert "rows_read_in_order" not in set(cut.issues.rule)
    assert {key[1] for key, *_ in result["flagged"]} >= {"unprocessed_repeat", "withheld_secret"}


def balanced_case(converter: str, name: str) -> tuple[govopen.Report, dict]:
    """One report of the balanced set as ``converter`` made it, and its printed values."""
    texts = json.loads((CONVERTED / f"balanced.{converter}.json").read_text(encoding="utf-8"))
    expected = json.loads((CONVERTED / "balanced.expected.json").read_text(encoding="utf-8"))
    case = expected["reports"][name]
    return (govopen.read_text(texts[name], report_id=name),
            values_from_list(case["values"], case["format"]))


def test_pieces_of_one_width_that_disagree_place_nothing() -> None:
    """markitdown drew rt_014's row 2 of （六） (other_no_fee) as a table of its own,
    as wide as the rows above it but one column to the right: its empty cells do
    not say where its blank is. Read by its own piece, its numbers moved one cell
    left; now the identities place them, and an info issue says so."""
    report, values = balanced_case("markitdown", "rt_014.pdf")
    result = tally(report, values)
    assert not result["wrong"], result["wrong"]
    row = report.cells[report.cells.row == "other_no_fee"]
    got = {c.col: outcome(c, values[(c.table, c.row, c.col)]) for c in row.itertuples()}
    assert got["business"] == got["research"] == "right", got
    placed = report.issues[report.issues.rule == "cells_placed_by_identity"]
    assert (placed.severity == "info").all()
    # the row's own, and (row "") the table's: the column identities placed rows too
    assert list(placed.row[placed.row != ""]) == ["other_no_fee"], placed.message.tolist()


def test_an_empty_column_inside_a_markdown_row_may_be_its_padding() -> None:
    """pymupdf4llm split rt_045's header 本年新公开数量 over two columns and printed
    ``|规范性文件|0||28||``: the 28 (new_published) stands in the header's second
    column, so the empty cell before it, not the one after, is the padding. With
    nothing in table 二 to check which, both placements are read and the two cells
    they disagree on are NaN with an issue; the 0 both agree on is read."""
    report, values = balanced_case("pymupdf4llm", "rt_045.pdf")
    result = tally(report, values)
    assert not result["wrong"], result["wrong"]
    row = report.cells[report.cells.row == "normative_docs"]
    got = {c.col: (outcome(c, values[(c.table, c.row, c.col)]), c.status)
           for c in row.itertuples()}
    assert got == {"new_made": ("right", "ok"), "new_published": ("flagged", "ambiguous"),
                   "total_published": ("flagged", "ambiguous")}, got
    said = report.issues[(report.issues.rule == "ambiguous_cells")
                         & (report.issues.row == "normative_docs")]
    assert len(said) == 1 and "0/28/∅" in said.message.iloc[0]


def test_numbers_after_a_list_of_labels_are_not_the_last_rows() -> None:
    """Plain pdftotext printed the labels of rt_028's second page of table 三 as a
    list ending with 四、结转下年度继续办理, then the page's numbers column by column:
    the first of them (4355 4355 66606 1 48439 47405 1322) are not that row's
    (it prints none). They are left NaN with a warning, never read as its cells."""
    report, values = balanced_case("pdftotext", "rt_028.pdf")
    assert not tally(report, values)["wrong"]
    row = report.cells[(report.cells.table == "requests") & (report.cells.row == "carried_forward")]
    assert row.value.isna().all() and set(row.status) == {"unreadable"}
    doubt = report.issues[report.issues.rule == "row_values_doubtful"]
    mine = doubt[doubt.row == "carried_forward"]
    assert len(mine) == 1 and "4355" in mine.message.iloc[0]
    assert all(r == "carried_forward" or r.startswith("extra:") for r in doubt.row)
    # rt_020: the same, where every placement of the numbers gave its total 4305 (855 printed)
    report, values = balanced_case("pdftotext", "rt_020.pdf")
    assert not tally(report, values)["wrong"]
    assert "carried_forward" in set(report.issues.row[report.issues.rule == "row_values_doubtful"])


def test_a_header_cell_naming_several_columns_places_the_cells_under_it() -> None:
    """pymupdf4llm drew rt_018's table 三 with 5 value cells for 7 columns: one
    header cell names 商业企业, 科研机构 and 社会公益组织. A number under 自然人 is
    natural_person, an empty merged cell is its three columns blank, and only the
    numbers inside the merged cell (``663<br>97317``) stay uncertain among its columns."""
    expected = json.loads((FIXTURES / "roundtrip" / "expected.json").read_text(encoding="utf-8"))
    case = expected["reports"]["rt_018.pdf"]
    values = values_from_list(case["values"], case["format"])
    text = json.loads((CONVERTED / "roundtrip.pymupdf4llm.json").read_text(encoding="utf-8"))
    report = govopen.read_text(text["rt_018.pdf"], report_id="rt_018.pdf")
    assert not tally(report, values)["wrong"]
    cells = {(c.row, c.col): c for c in report.cells.itertuples() if c.table == "requests"}

    def outcomes(row: str) -> dict[str, str]:
        return {col: outcome(c, values[("requests", row, col)])
                for (r, col), c in cells.items() if r == row}
    # |二、上年|结转政府信息公开申|请数量|1||0|||
    assert cells[("carried_over", "natural_person")].value == 1
    assert cells[("carried_over", "legal_service")].value == 0
    assert set(outcomes("carried_over").values()) == {"right"}
    assert {cells[("carried_over", c)].status for c in ("business", "research", "social_org")
            } == {"blank"}
    # |||7.属于行政执法案卷|71048|663<br>97317||||: 71048 and the blanks are certain,
    # the two numbers among the merged cell's three columns are not.
    assert cells[("withheld_enforcement", "natural_person")].value == 71048
    got = outcomes("withheld_enforcement")
    assert {c for c, o in got.items() if o != "right"} == {"business", "research", "social_org"}
    assert {cells[("withheld_enforcement", c)].status for c in ("business", "research",
                                                                 "social_org")} == {"ambiguous"}


# The hand-read reports' own values (the reports of one format whose every value is
# known), rendered as the round trip's PDFs and converted: real reports' patterns
# of blank cells, real totals left blank (``make_converter_fixtures.py --handread``).
# It found three wrong cells: a number ending a page taken for a page number (two
# pages ending in 2 and 3 read as numbered from 2), and two placements that kept
# an identity only by putting the blank in its total.
HANDREAD_FLOOR = {"pdftotext": 0.557, "pdftotext_layout": 0.970, "pymupdf4llm": 0.971,
                  "markitdown": 0.963, "pypdfium2": 0.930}


# Text other Python tools give (make_converter_fixtures.MORE), of the real PDF and
# of the hand-read set: no number wrong; the share right is locked. pdfplumber's
# extract_text sets a row's numbers above its label where the label sits lower in
# its cell, pdfminer prints table 三 column by column: cells whose row cannot be
# told are flagged.
HONGZE_MORE_FLOOR = {"pdfplumber": 144, "pdfplumber_layout": 151, "pdfminer": 17,
                     "pymupdf": 186, "pymupdf_sort": 179}
HANDREAD_FLOOR |= {"pdfplumber": 0.930, "pdfplumber_layout": 0.999, "pdfminer": 0.115,
                   "pymupdf": 0.927, "pymupdf_sort": 0.925}


@pytest.mark.parametrize("converter", MORE)
def test_hongze_pdf_through_more_tools(converter: str) -> None:
    report = govopen.read_report(converted("jiangsu_huaian_hongze_2023", converter))
    result = tally(report, hongze_values())
    print(f"{converter}: {len(result['right'])} of {sum(map(len, result.values()))} cells right, "
          f"{len(result['flagged'])} flagged, {len(result['wrong'])} wrong", file=sys.stderr)
    assert not result["wrong"], result["wrong"][:10]
    assert len(result["right"]) >= HONGZE_MORE_FLOOR[converter]


@pytest.mark.parametrize("converter", CONVERTERS + MORE)
def test_handread_values_through_every_converter(converter: str) -> None:

    cases = handread_values()
    texts = json.loads((CONVERTED / f"handread.{converter}.json").read_text(encoding="utf-8"))
    assert sorted(texts) == sorted(cases) and len(cases) >= 10
    totals = {"right": 0, "flagged": 0, "wrong": 0}
    wrong = []
    for stem, text in sorted(texts.items()):
        result = tally(govopen.read_text(text, report_id=stem), cases[stem][2])
        for k, v in result.items():
            totals[k] += len(v)
        wrong += [(stem, *w) for w in result["wrong"]]
    share = report_share(f"{converter} (hand-read values)", totals, len(texts))
    assert not wrong, wrong[:10]
    assert share >= HANDREAD_FLOOR[converter]



def test_a_heading_broken_over_three_header_cells_is_found() -> None:
    """pymupdf4llm took rt_008's heading into table 三's header row over three cells
    (``|三、收到和<br>（本列|处理政府信息公<br>数据的…|开申请情况<br>第一项…|``): joined,
    the section is found and the table read in full, where before none of it was."""
    report, values = balanced_case("pymupdf4llm", "rt_008.pdf")
    result = tally(report, values)
    assert not result["wrong"], result["wrong"]
    assert "table_not_found" not in set(report.issues.rule)
    cells = {(c.row, c.col): c.value for c in report.cells.itertuples() if c.table == "requests"}
    # |一、本年|新收政府信息公开申|请数量|180178|42902|226751|31915|115122|150082|746950|
    assert cells[("new", "natural_person")] == 180178 and cells[("new", "total")] == 746950
    assert not [k for k, *_ in result["flagged"] if k[0] == "requests"]


def test_a_markdown_row_printed_as_its_label_alone_adds_nothing_to_a_column() -> None:
    """markitdown printed nine rows of the balanced rt_012's table 三 as their labels
    alone (all their cells empty), and its rows after the page break in other columns
    than the header's. The label-only rows take part in the column identities as
    blank (their cells stay ``missing``), so these place the rows after the break:
    ``| | | 3.补正后申请内容仍不明确 | | | | | | 44354 | 44354 |`` is 其他's 44354."""
    report, values = balanced_case("markitdown", "rt_012.pdf")
    result = tally(report, values)
    assert not result["wrong"], result["wrong"]
    cells = {(c.row, c.col): c for c in report.cells.itertuples() if c.table == "requests"}
    assert cells[("unable_unclear", "other_org")].value == 44354
    assert cells[("unprocessed_complaint", "natural_person")].value == 5229
    assert cells[("unprocessed_vexatious", "research")].value == 5
    assert cells[("carried_over", "total")].status == "missing"
    # A 0 adds nothing to any sum either: where it stands stays unknown.
    assert cells[("unable_create", "research")].status == "ambiguous"


def roundtrip_case(converter: str, name: str) -> tuple[govopen.Report, dict]:
    """One round-trip report as ``converter`` made it, and its printed values."""
    texts = json.loads((CONVERTED / f"roundtrip.{converter}.json").read_text(encoding="utf-8"))
    expected = json.loads((FIXTURES / "roundtrip" / "expected.json").read_text(encoding="utf-8"))
    case = expected["reports"][name]
    return (govopen.read_text(texts[name], report_id=name),
            values_from_list(case["values"], case["format"]))


def test_rows_read_back_from_broken_columns_are_given_no_label() -> None:
    """pdfminer broke rt_004's columns of table 三 into blocks at blank cells
    (自然人: ``98 7743 55771`` / ``339`` / ``70`` / ``9 990``): read back as rows
    they print different numbers of values (``9 848 22 9159 3 0 0``, then
    ``70062 5930 0`` …), so they are no table's rows, and the ten labels after them
    (（五） … 四、结转) take none of them (unprocessed_complaint took 9 848 22 …)."""
    report, values = roundtrip_case("pdfminer", "rt_004.pdf")
    assert not tally(report, values)["wrong"]
    cells = report.cells[(report.cells.table == "requests")
                         & (report.cells.row == "unprocessed_complaint")]
    assert cells.value.isna().all()
    unlabelled = report.issues[report.issues.rule == "values_unlabelled"].message
    assert unlabelled.str.contains("9 | 848 | 22 | 9159").any()


def test_a_full_row_after_a_list_of_labels_must_keep_its_total() -> None:
    """pdfminer printed rt_043's labels 一、… 8.属于行政查询事项, then 自然人's numbers
    ``0 66 35 34564 0 4362 9989``: seven, as many as the row's cells, but they do
    not add up to 9989, so they are not taken for 8.属于行政查询事项 (social_org 8
    printed); nor ``620 82 98 0 0 6135 105`` for 3.其他."""
    report, values = roundtrip_case("pdfminer", "rt_043.pdf")
    assert not tally(report, values)["wrong"]
    doubt = report.issues[report.issues.rule == "row_values_doubtful"]
    assert {"withheld_query", "other_misc"} <= set(doubt.row)
    assert doubt[doubt.row == "withheld_query"].message.str.contains("0 | 66 | 35").all()
    cells = report.cells[report.cells.row.isin(["withheld_query", "other_misc"])]
    assert cells.value.isna().all() and set(cells.status) == {"unreadable"}


def test_table_2_printed_headers_first_is_not_read_by_counting_blocks() -> None:
    """pdfminer printed rt_006's table 二 headers 本年制发件数 … 本年收费金额 all but
    one before its numbers ``0`` / ``0 9187`` / ``94136408`` / ``0`` / ``296.8`` /
    ``12836``: six blocks for six columns, but nothing says which is whose (0 was
    read for 行政许可, 94136408 printed; 12836 for 收费, 296.8 printed)."""
    report, values = roundtrip_case("pdfminer", "rt_006.pdf")
    assert not tally(report, values)["wrong"]
    cells = {c.row: c for c in report.cells.itertuples() if c.table == "proactive"}
    assert math.isnan(cells["licensing"].value) and math.isnan(cells["fees"].value)
    # plain pdftotext prints each header before its block: read block by block
    report, values = roundtrip_case("pdftotext", "rt_006.pdf")
    assert not tally(report, values)["wrong"]
    cells = {c.row: c.value for c in report.cells.itertuples() if c.table == "proactive"}
    assert (cells["licensing"], cells["fees"]) == (94136408, 296.8)


def test_section_4_numbers_among_its_headers_are_not_placed_by_one_identity() -> None:
    """pdfminer printed four numbers of rt_038's table 三 under 四's heading
    (``1 31410 26 867`` before 行政诉讼, ``731 731 7277 60`` after it), then 四's
    own ``0 0 7``: 11 numbers for 15 cells. Only placements keeping 731 = 731 kept
    any identity, and all of them put 7277 60 0 0 7 in 复议后起诉 (7 is its
    结果纠正). No placement keeps all three: the cells are NaN ``ambiguous``."""
    report, values = roundtrip_case("pdfminer", "rt_038.pdf")
    assert not tally(report, values)["wrong"]
    cells = report.cells[report.cells.table == "appeals"]
    assert cells.value.isna().all() and set(cells.status) == {"ambiguous"}
    # pymupdf prints 四's numbers after its headers: 0 9 542 7962 8513 keeps its total
    report, values = roundtrip_case("pymupdf", "rt_031.pdf")
    cells = {(c.row, c.col): c.value for c in report.cells.itertuples() if c.table == "appeals"}
    assert cells[("review", "upheld")] == 0 and cells[("review", "total")] == 8513


def test_a_row_its_positions_break_is_placed_by_its_identities() -> None:
    """PyMuPDF's get_text(sort=True) of rt_039 sets ``6 56187 0 20083 76276`` of （二）部分公开
    (printed under 商业企业, 科研机构, 法律服务机构, 其他, 总计) one column left after its long
    label: by position 6 was 自然人's and 76276 其他's, 总计 blank, breaking the row total.
    The placements of the five numbers that keep it all put 76276 in 总计: it is read,
    the other cells are NaN (ambiguous), with a warning."""
    report, values = roundtrip_case("pymupdf_sort", "rt_039.pdf")
    assert values[("requests", "partial", "business")] == 6
    cells = report.cells[(report.cells.table == "requests") & (report.cells.row == "partial")]
    got = dict(zip(cells.col, zip(cells.value, cells.status, strict=True), strict=True))
    assert got["total"] == (76276, "ok")
    assert all(math.isnan(v) and st == "ambiguous" for c, (v, st) in got.items() if c != "total")
    assert "partial" in set(report.issues[report.issues.rule == "row_positions_doubtful"].row)


# Crawled pages as researchers keep them: the real HTML pages of the corpus turned
# into markdown by markitdown and by markdownify (``make_converter_fixtures.py``),
# against the values read off the pages by hand.
PAGES = ("shanghai_007_shanghai_szfbgt_2019", "fujian_pingtan_2025_page")


@pytest.mark.parametrize("converter", ("markitdown_html", "markdownify"))
@pytest.mark.parametrize("stem", PAGES)
def test_crawled_pages_as_markdown_give_every_cell(stem: str, converter: str) -> None:
    values = hand_read(stem)
    report = govopen.read_report(converted(stem, converter))
    assert report.meta["input_form"] == "markdown"
    result = tally(report, values)
    assert len(values) >= 190
    assert not result["wrong"] and not result["flagged"], (result["wrong"] + result["flagged"])[:10]
