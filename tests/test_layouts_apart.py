"""Plain pdftotext: tables printed apart from their labels, column by column.

The random reports of ``roundtrip.pdftotext.json`` print section 二's row labels
first and its columns after them, and table 三 page by page: the labels of the
rows on the page, then each column (or the columns under one header, row by
row) as a block of numbers. A blank cell leaves no line; where it stands is
worked out from the row totals or the cells it could shift stay NaN.
"""

from __future__ import annotations

import json
import math

from render import values_from_list
from test_layouts_converters import CONVERTED, FIXTURES, outcome, tally

import govopen
from govopen.apart import place_blanks
from govopen.tokens import tokenize

TEXTS = json.loads((CONVERTED / "roundtrip.pdftotext.json").read_text(encoding="utf-8"))
EXPECTED = json.loads((FIXTURES / "roundtrip" / "expected.json").read_text(encoding="utf-8"))


def parsed(name: str) -> tuple[govopen.Report, dict]:
    case = EXPECTED["reports"][f"{name}.pdf"]
    return (govopen.read_text(TEXTS[f"{name}.pdf"], report_id=name),
            values_from_list(case["values"], case["format"]))


def outcomes(report: govopen.Report, values: dict, table: str) -> dict[tuple[str, str], str]:
    cells = report.cells[report.cells.table == table]
    return {(c.row, c.col): outcome(c, values[(c.table, c.row, c.col)])
            for c in cells.itertuples() if not c.row.startswith("extra:")}


def test_section_two_printed_column_by_column_is_read() -> None:
    """rt_000 (2021 form, no blank) prints 二's six labels, then 一's three columns
    and the one column of (五), (六) and (八), each under its header."""
    report, values = parsed("rt_000")
    assert report.value("proactive", "rules", "issued") == 40
    assert report.value("proactive", "normative_docs", "repealed") == 49114427
    assert report.value("proactive", "compulsory", "decisions") == 817
    assert report.value("proactive", "fees", "amount_wan") == 0.006
    assert set(outcomes(report, values, "proactive").values()) == {"right"}
    rules = set(report.issues[report.issues.table == "proactive"].rule)
    assert "columns_read_apart" in rules
    assert not rules & {"values_unlabelled", "row_values_missing"}
    assert report.meta["n_extra_rows"] == 0  # the headers over the numbers are no rows


def test_section_two_column_one_short_stays_nan() -> None:
    """rt_045 prints one number in 一's first column of two rows: either row's
    cell could be the blank, so both stay NaN; the other columns are read."""
    report, values = parsed("rt_045")
    got = outcomes(report, values, "proactive")
    assert got[("rules", "issued")] == got[("normative_docs", "issued")] == "flagged"
    assert values[("proactive", "rules", "issued")] is None
    del got[("rules", "issued")], got[("normative_docs", "issued")]
    assert set(got.values()) == {"right"}
    assert report.value("proactive", "normative_docs", "in_force") == 524149


def test_section_two_of_2019_is_not_read() -> None:
    """The 2019 form has sub-tables of three columns one under another, which
    plain pdftotext interleaves (rt_001): none of its cells is guessed."""
    report, values = parsed("rt_001")
    got = outcomes(report, values, "proactive")
    assert len(got) == 22 and set(got.values()) == {"flagged"}


def test_table_three_with_few_blanks() -> None:
    """rt_005 (5% blank): page 1 of 三 lists rows new … withheld_query; its
    自然人, 其他 and 总计 blocks hold a number per row and are read; 商业企业 and
    the block of three columns are one number short each. Where the blank
    stands, the row totals of the rows below tell: the rows from 部分公开 down are
    read in full, the three rows above where the blanks may be stay NaN."""
    report, values = parsed("rt_005")
    got = outcomes(report, values, "requests")
    assert "wrong" not in got.values()
    page = ["new", "carried_over", "granted", "partial", "withheld_secret", "withheld_law",
            "withheld_security", "withheld_third_party", "withheld_internal",
            "withheld_process", "withheld_enforcement", "withheld_query"]
    cols = ["natural_person", "business", "research", "social_org", "legal_service",
            "other_org", "total"]
    for row in page:
        for col in ("natural_person", "other_org", "total"):
            assert got[(row, col)] == "right", (row, col)
    for row in page[3:]:
        assert all(got[(row, col)] == "right" for col in cols), row
    for row in page[:3]:
        assert all(got[(row, col)] == "flagged" for col in cols[1:5]), row
    assert report.value("requests", "new", "total") == 60089
    assert report.value("requests", "withheld_law", "social_org") == 42844
    rules = set(report.issues.rule)
    assert {"columns_read_apart", "blanks_placed_by_identity", "blanks_unplaced"} <= rules
    assert sum(v == "right" for v in got.values()) >= 12 * 7 - 12


def test_the_few_blanks_reports_gain() -> None:
    """The nine random reports with about 5% blank cells lost table 三 whole; a
    column block with a number per row is read on any of them, never a wrong one."""
    right = 0
    for name in ("rt_002", "rt_005", "rt_010", "rt_016", "rt_028", "rt_035", "rt_037",
                 "rt_040", "rt_045"):
        result = tally(*parsed(name))
        assert not result["wrong"], (name, result["wrong"][:3])
        right += len(result["right"])
    assert right >= 800  # 164 before tables printed apart were read


def test_blank_or_zero_is_not_chosen() -> None:
    """A column 5, 0 for three rows whose blank could be the last row or the one
    holding 0 (both keep every row total): the first row is read, the other two
    stay NaN; a blank in the first row would break its total."""
    toks = [t for t in tokenize("5 0 5 0 7 7", glued=False) if t.kind == "num"]
    part, total = toks[:2], toks[2:]
    read = {"a": [None, total[0]], "b": [None, total[1]], "c": [None, None]}
    cols = {code: ("x", "total") for code in read}

    def holds(code: str, values: list[float | None]) -> bool:
        return math.isclose(values[0] or 0, values[1] or 0)

    placed = place_blanks(read, [(("a", "b", "c"), ("x",), part)], cols, holds)
    assert placed and read["a"][0] is part[0]
    assert read["b"][0] is None and read["c"][0] is None
    # A total of 7 the parts cannot make: no placement fits, nothing is read.
    read["a"][1] = total[2]
    assert place_blanks(read, [(("a", "b", "c"), ("x",), part)], cols, holds) is None



def test_a_blank_that_only_hides_a_broken_total_is_not_read() -> None:
    """A column of 3, 2 for rows whose totals are 3, 2, 5 (its third number lost, a
    page number taken, say): the one placement that keeps every row puts the blank in
    row c, whose total 5 it then leaves unchecked. Rows a and b are read; c's cell is
    not read as blank (it breaks c's total as 0), and stays NaN."""
    toks = [t for t in tokenize("3 2 3 2 5", glued=False) if t.kind == "num"]
    part, total = toks[:2], toks[2:]
    read = {"a": [None, total[0]], "b": [None, total[1]], "c": [None, total[2]]}
    cols = {code: ("x", "total") for code in read}

    def holds(code: str, values: list[float | None]) -> bool:
        return math.isclose(values[0] or 0, values[1] or 0)

    assert place_blanks(read, [(("a", "b", "c"), ("x",), part)], cols, holds)
    assert read["a"][0] is part[0] and read["b"][0] is part[1]
    assert read["c"][0] is None
    # With c's total 0 the blank keeps it: read as blank.
    zero = [t for t in tokenize("0", glued=False) if t.kind == "num"][0]
    read = {"a": [None, total[0]], "b": [None, total[1]], "c": [None, zero]}
    assert place_blanks(read, [(("a", "b", "c"), ("x",), part)], cols, holds)
    assert read["c"][0] is not None and read["c"][0].kind == "blank"

def test_rest_of_section_four_with_a_blank() -> None:
    """rt_010 prints 四's first row in place and the other two after section 六,
    one of its 15 cells blank (未经复议直接起诉 其他结果): 14 numbers. The rest is
    taken back since a place for the blank lets every row add up; the rows the
    blank cannot be in are read, the cells it could shift stay NaN."""
    report, values = parsed("rt_010")
    got = outcomes(report, values, "appeals")
    assert "wrong" not in got.values()
    assert [report.value("appeals", "review", c) for c in ("upheld", "total")] == [42, 1196]
    assert report.value("appeals", "suit_after_review", "other") == 264
    assert report.value("appeals", "suit_direct", "total") == 36
    flagged = {key for key, v in got.items() if v == "flagged"}
    assert flagged == {("suit_direct", c) for c in ("upheld", "corrected", "other", "pending")}


def test_numbers_above_their_label_are_not_the_next_rows() -> None:
    """pdfplumber's extract_text of the Hongze PDF prints the numbers of 1.本机关不掌握
    (10 … 10) above its label, after 8.属于行政查询事项 whose own stand on its label's
    line; the row after the label then holds the next row's numbers (3 … 3): they
    were read as 1.本机关不掌握's. Not taken now; the row after, on its own line, is."""
    report = govopen.read_report(CONVERTED / "jiangsu_huaian_hongze_2023.pdfplumber.txt")
    text = (CONVERTED / "jiangsu_huaian_hongze_2023.pdfplumber.txt").read_text(encoding="utf-8")
    assert "8.属于行政查询事项 0 0 0 0 0 0 0\n10 0 0 0 0 0 10\n1.本机关不掌握相关政府信息" in text
    assert report.value("requests", "unable_not_held", "total") is None
    assert status(report, "unable_not_held") == {"unreadable"}
    assert "unable_not_held" in set(report.issues[report.issues.rule == "row_values_doubtful"].row)
    assert report.value("requests", "unable_unclear", "total") == 0


def test_numbers_in_single_spaces_are_cut_only_where_the_text_glues_cells() -> None:
    """pdfplumber's text of a rendered report: ``2.重复申请 15 850 498 86972``, four
    numbers for seven cells, was read by cutting 498 and 86972 into 4/9/8 and
    86/972, a reading that fits the row total by chance. Text in single spaces that
    prints no number with a leading zero in its tables is a PDF's text: no number is
    cut, the blank cells stay unplaced. A crawled page's text that does (Pingtan's
    ``230 000023``) is still cut where the row total confirms it."""
    table = "三、收到和处理政府信息公开申请情况\n{}\n四、政府信息公开行政复议、行政诉讼情况\n"
    pdf_text = govopen.read_text(table.format("（一）予以公开 15 850 498 86972"))
    assert pdf_text.value("requests", "granted", "research") is None
    assert status(pdf_text, "granted") == {"ambiguous"}
    crawled = govopen.read_text(table.format("（一）予以公开 6\n（二）部分公开 230 000023"))
    assert [crawled.value("requests", "partial", c) for c in ("natural_person", "total")] == [23, 23]

def status(report: govopen.Report, row: str) -> set[str]:
    cells = report.cells
    return set(cells[(cells.table == "requests") & (cells.row == row)].status)

