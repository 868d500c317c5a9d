"""Blank cells of ``pdftotext -layout`` dumps: numbers placed by where they stand.

A blank cell of a layout dump is only spaces where the number would stand; the
numbers of a block of rows gather in columns, so the columns a row leaves empty
are its blank cells (:mod:`govopen.readers.columns`). The hypothesis test blanks
random cells of the -layout dumps of the fully printed round-trip reports the
way pdftotext prints a blank cell (spaces in the number's place) and checks
every cell against what the full report reads.
"""

from __future__ import annotations

import json
import re
from functools import cache

import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from render import values_from_list
from test_layouts_converters import CONVERTED, FIXTURES, outcome, tally

import govopen
from govopen.readers.columns import _printed, align_columns

_TEXTS = json.loads((CONVERTED / "roundtrip.pdftotext_layout.json").read_text(encoding="utf-8"))
_EXPECTED = json.loads((FIXTURES / "roundtrip" / "expected.json").read_text(encoding="utf-8"))
_NUMBER = re.compile(r"(?<!\S)[+\-−]?\d[\d,]*(?:\.\d+)?(?!\S)")


def _values(name: str) -> dict:
    case = _EXPECTED["reports"][name]
    return values_from_list(case["values"], case["format"])


_FULL = sorted(n for n in _TEXTS if all(v is not None for v in _values(n).values()))


def test_blank_cells_by_column_positions() -> None:
    lines = ["表头                 自然人   商业企业   总计",
             "一、本年新收            12        3        15",
             "二、上年结转                      7         7",   # first column blank
             "（一）予以公开           4                   ",   # last two blank
             "（三）不予公开          100       20       120",
             "3.危及“三安全一稳定”      5     6     11",      # a new page, new columns
             "4.保护第三方合法权益             9      9"]
    pages = [1, 1, 1, 1, 1, 2, 2]
    rows = align_columns(lines, pages)
    assert rows[1] == ["一、本年新收", "12", "3", "15"]
    assert rows[2] == ["二、上年结转", "", "7", "7"]
    assert rows[3] == ["（一）予以公开", "4", "", ""]
    assert rows[4] == ["（三）不予公开", "100", "20", "120"]
    assert rows[5] == ["3.危及“三安全一稳定”", "5", "6", "11"]
    assert rows[6] == ["4.保护第三方合法权益", "", "9", "9"]


def test_rows_printed_all_blank_do_not_end_the_table() -> None:
    lines = ["一、本年新收            12        3        15",
             "（一）予以公开",                                  # all blank
             "  （二）部分公开",                                # all blank
             "（三）不予公开                    20          "]
    assert align_columns(lines)[3] == ["（三）不予公开", "", "20", ""]
    # Text reaching into the numbers' columns is a header: the table ends there.
    lines[2] = "（二）部分公开          自然人"
    assert align_columns(lines)[3] is None


def test_rows_whose_columns_move_are_placed_apart() -> None:
    """pdftotext moved the columns of the last three rows five characters right."""
    def row(label: str, cells: list[str], shift: int) -> str:
        line = label.ljust(19 + shift)
        for cell in cells:
            line += (cell or "  ").ljust(10)
        return line.rstrip()

    lines = [row("规章", ["11", "12", "13"], 0), row("行政规范性文件", ["", "22", "23"], 0),
             row("行政许可", ["", "32", "33"], 5), row("行政处罚", ["41", "", "43"], 5),
             row("行政强制", ["51", "52", ""], 5)]
    assert [r[1:] for r in align_columns(lines) if r] == [
        ["11", "12", "13"], ["", "22", "23"], ["", "32", "33"], ["41", "", "43"],
        ["51", "52", ""]]


def test_a_number_between_two_columns_is_not_placed() -> None:
    lines = ["行政许可          1      2      3",
             "行政处罚          4      5      6",
             "行政强制             77         "]   # halfway between columns one and two
    assert align_columns(lines)[2] is None


def test_a_column_blank_in_every_row_from_the_header() -> None:
    """No number stands under 商业企业: the header says a column is there, but only
    when a table has that many columns."""
    lines = ["信息内容          自然人    商业企业    总计",
             "一、本年新收         12            15",
             "二、上年结转         7              7",
             "三、本年办理",
             "四、结转下年        100            100"]
    rows = align_columns(lines, None, frozenset({3}))
    assert rows[1:] == [["一、本年新收", "12", "", "15"], ["二、上年结转", "7", "", "7"], None,
                        ["四、结转下年", "100", "", "100"]]
    assert align_columns(lines, None, frozenset({7}))[1] == ["一、本年新收", "12", "15"]
    # A number between two header cells: not placed by the header.
    lines[2] = "二、上年结转" + " " * 12 + "77" + " " * 9 + "7"  # 77 halfway
    assert align_columns(lines, None, frozenset({3}))[1] == ["一、本年新收", "12", "15"]


def test_section_four_row_with_a_blank_by_its_header() -> None:
    """rt_010 prints section 四 as one row of 14 numbers under a three-line header of
    its 15 columns; the blank is its eighth cell."""
    report = govopen.read_text(_TEXTS["rt_010.pdf"], report_id="rt_010")
    values = {k: v for k, v in _values("rt_010.pdf").items() if k[0] == "appeals"}
    assert sum(v is None for v in values.values()) == 1
    result = tally(report, values)
    assert len(result["right"]) == 15, result["flagged"]


def test_blanks_across_a_page_break_read_right() -> None:
    """rt_002's table 三 goes on over a page, whose columns stand elsewhere: the row
    before the break has its first cell blank, rows after it theirs."""
    report = govopen.read_text(_TEXTS["rt_002.pdf"], report_id="rt_002")
    got = {(c.row, c.col): (c.value, c.status) for c in report.cells.itertuples()
           if c.table == "requests"}
    assert got[("unable_unclear", "natural_person")][1] == "blank"
    assert [got[("unable_unclear", c)][0] for c in ("business", "research", "social_org",
                                             "legal_service", "other_org", "total")] == [
        165, 1897, 5053, 1112, 90270, 98497]
    result = tally(report, _values("rt_002.pdf"))
    assert not result["wrong"] and not result["flagged"], result["flagged"][:5]


@cache
def _spans(name: str) -> tuple[dict, list[tuple[int, int, int, tuple[str, str, str]]]]:
    """The values the full dump reads, and where each of its cells stands
    (line, start, end, key)."""
    report = govopen.read_text(_TEXTS[name], report_id=name)
    lines = _TEXTS[name].split("\n")
    cells = [c for c in report.cells.itertuples()
             if not pd.isna(c.source_col)]
    width = {c.line: max(x.source_col for x in cells if x.line == c.line) for c in cells}
    spans = []
    for c in cells:
        numbers = list(_NUMBER.finditer(lines[c.line - 1]))
        m = numbers[len(numbers) - width[c.line] + c.source_col - 1]
        assert m.group() == c.raw
        spans.append((c.line - 1, m.start(), m.end(), (c.table, c.row, c.col)))
    return {(c.table, c.row, c.col): c.value for c in report.cells.itertuples()}, spans


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(_FULL), data=st.data())
def test_random_blanks_in_a_layout_dump(name: str, data: st.DataObject) -> None:
    full, spans = _spans(name)
    chosen = data.draw(st.lists(st.sampled_from(spans), min_size=1, max_size=40, unique=True))
    lines = _TEXTS[name].split("\n")
    values = dict(full)
    for line, start, end, key in chosen:
        lines[line] = lines[line][:start] + " " * (end - start) + lines[line][end:]
        values[key] = None
    result = tally(govopen.read_text("\n".join(lines), report_id=name), values)
    assert not result["wrong"], result["wrong"][:5]
    # The blanks are placed, not only flagged: most cells of most draws read right.
    assert len(result["right"]) >= 0.8 * len(values), result["flagged"][:5]


_BALANCED = json.loads((CONVERTED / "balanced.pdftotext_layout.json").read_text(encoding="utf-8"))
_BALANCED_EXPECTED = json.loads((CONVERTED / "balanced.expected.json").read_text(encoding="utf-8"))


def test_a_column_that_moves_on_one_page_is_not_read_one_column_off() -> None:
    """rt_018's table 三 prints its legal_service column six characters further
    right from row 1.属于国家秘密 on, on the same page: its numbers form two
    groups, eight for seven columns, and rows placed in eight cells were read
    one column left (43 as natural_person where the report prints it under
    商业企业). Each cell is right or flagged, never another number."""
    case = _BALANCED_EXPECTED["reports"]["rt_018.pdf"]
    values = values_from_list(case["values"], case["format"])
    report = govopen.read_text(_BALANCED["rt_018.pdf"], report_id="rt_018")
    got = {(c.table, c.row, c.col): (c.value, c.status) for c in report.cells.itertuples()}
    for row in ("partial", "withheld_third_party", "withheld_process"):
        for key, expected in values.items():
            if key[:2] != ("requests", row):
                continue
            value, status = got[key]
            if expected is None:
                assert pd.isna(value), (key, value)
            else:
                assert value == expected or (pd.isna(value) and status != "ok"), (key, value)
    assert got[("requests", "partial", "business")][0] == 43
    assert not tally(report, values)["wrong"]


# Draws that failed before a column's two places stood for two columns
# (columns._moved_apart): a column blank in every row, or blank below the move.
@example(table=[[None, 51883, 19667, 91466], [None, 32454, None, None], [None, None, None, None],
                [None, None, 52123, None], [None, None, 21679, None], [None, 48274, 57380, None],
                [None, None, 57915, 46802], [None, None, 5906, 74362], [None, 74549, None, None],
                [None, 7784, None, None], [None, None, None, None], [None, None, None, 97194]],
         moved=2, at=4, shift=4)
@example(table=[[9339, 75184, 79138, 96243], [85174, None, 95372, 33146],
                [79900, 88851, 7134, 10298], [72357, 14047, 49977, None],
                [31828, 32051, 12977, None], [12409, 73107, 75516, None],
                [36209, 26138, 82818, None], [18315, 6773, None, None], [None, 48961, 68742, None]],
         moved=1, at=5, shift=4)
@example(table=[[88295, None, 62214, 51787], [None, None, None, None], [33168, None, None, None],
                [None, None, None, 85218], [65454, None, 85193, None], [14302, None, None, 27556],
                [68070, 19807, 5819, None], [28293, 22782, None, None],
                [61287, 46829, 19459, 36346], [75683, None, 83609, 60500],
                [None, None, 61188, None]], moved=0, at=3, shift=4)
@example(table=[[None, None, 10, None], [None, None, 0, None], [None, None, None, 0],
                [None, None, None, 5], [None, 5, 5, None], [None, None, 5, 5], [None, 5, None, None]],
         moved=2, at=4, shift=4)
@settings(max_examples=100, deadline=None)
@given(table=st.lists(st.lists(st.one_of(st.none(), st.integers(0, 99999)),
                               min_size=4, max_size=4), min_size=4, max_size=12),
       moved=st.integers(0, 3), at=st.integers(1, 11), shift=st.integers(3, 4))
def test_a_column_moving_between_rows_never_reads_a_number_elsewhere(
        table: list[list[int | None]], moved: int, at: int, shift: int) -> None:
    """pdftotext moves one column's numbers a few characters right from some row
    on (same page): a row of as many cells as the table has columns has each
    number in its column; else it is text or a row a cell short, which the
    parser does not read (``row_cells_mismatch``), never a cell too many."""
    _moving_column(table, moved, at, shift)


def test_a_column_moving_below_a_blank_column_is_not_read_a_column_right() -> None:
    """The first column moves three characters right at row 10, and the second is
    blank below: split there, the lower part shows three groups for four columns
    and is not placed, so the split one row higher placed every row, its lower
    part taking the first column's two places (row 9's 0 at 16, row 10's 10 at
    19) for two columns and reading 10 as the second column's. Two groups no row
    shares, one above the other, a move apart, are not placed without a header."""
    table: list[list[int | None]] = [
        [None, None, None, None], [None, None, None, None], [None, None, 0, None],
        [None, 0, None, None], [None, 0, None, 0], [0, None, None, None],
        [None, None, 0, 0], [0, None, None, None], [0, None, None, None],
        [0, None, 0, 0], [10, None, 0, 0], [10, None, None, None]]
    _moving_column(table, moved=0, at=10, shift=3)
    lines = [f"第{r}行".ljust(16 + (3 if r >= 10 else 0)) for r in range(12)]
    assert align_columns([lines[8] + "0", lines[9] + "0", lines[10] + "10", lines[11] + "10"]
                         )[2:] == [None, None]
    # The same two places, both in one row, are two columns.
    assert align_columns([lines[8] + "0", lines[9] + "0  10", lines[10] + "10",
                          lines[11] + "10"])[2:] == [["第10行", "", "10"], ["第11行", "", "10"]]


def _moving_column(table: list[list[int | None]], moved: int, at: int, shift: int) -> None:
    lines = []
    for r, cells in enumerate(table):
        line = f"第{r}行".ljust(16)
        for c, v in enumerate(cells):
            start = 16 + 12 * c + (shift if c == moved and r >= at else 0)
            line = line.ljust(start) + ("" if v is None else str(v))
        lines.append(line.rstrip())
    for cells, got in zip(table, align_columns(lines, None, frozenset({4})), strict=True):
        if got is not None and len(got) == 5:
            assert got[1:] == ["" if v is None else str(v) for v in cells], (lines, got)
        assert got is None or len(got) <= 5, (lines, got)


# --- the header of a -layout dump (pdftotext gives a Chinese character one column) ---


def _outcomes(name: str, table: str, rows: set[str] | None = None,
              dumps: dict = _TEXTS, expected: dict = _EXPECTED) -> dict[str, list[str]]:
    """The outcome of each cell of ``table`` in the dump of report ``name``, by row."""
    case = expected["reports"][name]
    values = values_from_list(case["values"], case["format"])
    report = govopen.read_text(dumps[name], report_id=name)
    cells = {(c.table, c.row, c.col): c for c in report.cells.itertuples()}
    out: dict[str, list[str]] = {}
    for key, value in values.items():
        if key[0] == table and (rows is None or key[1] in rows):
            out.setdefault(key[1], []).append(outcome(cells.get(key), value))
    return out


_PAGE_ONE_043 = {"carried_over", "granted", "withheld_secret", "withheld_security",
                 "withheld_third_party", "withheld_internal", "withheld_enforcement",
                 "withheld_query", "unable_not_held"}


def test_a_header_cell_reaches_over_its_characters() -> None:
    """rt_043 prints 自然人 at column 40 and 商业企业 under the next line at 46:
    counted two a character (its printed width), 自然人 would reach over 商业企业
    and have a cell under it, and the header be found a column short; its lone
    0 stands at 41, 762 at 44. The rows of table 三 on page 1 read right."""
    lines = _TEXTS["rt_043.pdf"].split("\n")
    assert lines[23].index("自然人") == 40 and lines[24].index("商业企业") == 46
    assert lines[32].rstrip().endswith("0") and len(lines[32].rstrip()) == 42
    got = _outcomes("rt_043.pdf", "requests", _PAGE_ONE_043)
    assert {o for row in got.values() for o in row} == {"right"}, got


def test_rows_after_a_page_break_without_their_header_are_flagged() -> None:
    """pdftotext lays out rt_043's page 2 anew: the same x prints six columns
    further right (其他's 0 of 2.重复申请 at 83, on page 1 at 77; 总计's 472 at
    91, on page 1 at 85), not by the label's length. Page 2 prints no header and
    its numbers fall in six groups for seven columns: its rows are flagged,
    never read a column off."""
    lines = _TEXTS["rt_043.pdf"].split("\n")
    assert lines[42].rstrip().endswith("0") and len(lines[42].rstrip()) == 84
    assert lines[51].rstrip().endswith("472") and len(lines[51].rstrip()) == 94
    got = _outcomes("rt_043.pdf", "requests", {"unprocessed_repeat", "total"})
    assert {o for row in got.values() for o in row} == {"flagged"}, got


def test_numbers_between_a_header_cells_two_middles() -> None:
    """rt_038 prints 3448 (6.属于四类过程性信息) at 64..68 under 社会公益组 (61, over
    织): its middle 66 is the cell's middle in printed width, not in characters
    (63.5), nearer 法律服务机's (69.5) than the groups allow; it lies within
    社会公益组's span of middles. Page 1 of table 三 reads right."""
    line = next(ln for ln in _TEXTS["rt_038.pdf"].split("\n") if "6.属于四类过程性信息" in ln)
    assert line.index("3448") == 64
    got = _outcomes("rt_038.pdf", "requests", {
        "carried_over", "granted", "withheld_law", "withheld_security",
        "withheld_third_party", "withheld_internal", "withheld_process",
        "withheld_enforcement"})
    assert {o for row in got.values() for o in row} == {"right"}, got


def test_rows_printed_blank_under_the_header_are_not_part_of_it() -> None:
    """rt_042's first row with numbers is 年度办 (二)部分公开: three rows printed
    blank stand between it and the header, which must still be found."""
    got = _outcomes("rt_042.pdf", "requests", {"partial", "withheld_secret", "withheld_law"})
    assert {o for row in got.values() for o in row} == {"right"}, got


def test_header_cells_set_left_place_numbers_shown_set_in_the_middle() -> None:
    """Table 二 sets its header cells left (本年废止件数 of rt_004 at 48) and its
    numbers in the middle (424537 at 57..63), nearer no header middle. Each
    number stands from its cell's start to the next cell's, but only where the
    numbers are shown set in the middle (a column's numbers of different
    lengths start apart and end apart): numbers set left under cells set in the
    middle would stand right of the cell before their own. rt_004 prints one
    number a column, so it shows nothing: flagged, not guessed."""
    lines = _TEXTS["rt_004.pdf"].split("\n")
    assert lines[6].index("本年废止件数") == 48 and lines[7].index("424537") == 57
    got = _outcomes("rt_004.pdf", "proactive", {"rules", "normative_docs"})
    assert {o for row in got.values() for o in row} == {"flagged"}, got

    def line(*at: tuple[int, str]) -> str:
        out = ""
        for col, text in at:
            out = out.ljust(col) + text
        return out

    head = line((0, "信息内容"), (20, "本年制发件数"), (40, "本年废止件数"), (60, "现行有效件数"))
    middle = [head, line((0, "规章"), (47, "424537"), (70, "0")),
              line((0, "行政规范性文件"), (49, "7"), (68, "2041"))]
    assert align_columns(middle, None, frozenset({3}))[1:] == [
        ["规章", "", "424537", "0"], ["行政规范性文件", "", "7", "2041"]]
    # Set left, 7 and 2041 start where 424537 and 0 do: their columns are not certain.
    left = [head, line((0, "规章"), (47, "424537"), (66, "0")),
            line((0, "行政规范性文件"), (47, "7"), (66, "2041"))]
    assert [r is None or len(r) < 4 for r in align_columns(left, None, frozenset({3}))[1:]] == [
        True, True]


def test_section_four_blank_by_the_printed_width_of_its_header() -> None:
    """Balanced rt_004 prints section 四 as one row of 14 numbers: 行政诉讼 (69) stands
    over 结果维持 (75) only by its printed width; its blank (尚未审结 of 复议后起诉)
    is read blank."""
    got = _outcomes("rt_004.pdf", "appeals", None, _BALANCED, _BALANCED_EXPECTED)
    assert {o for row in got.values() for o in row} == {"right"}, got


def test_a_number_one_space_after_a_long_label_is_a_cell() -> None:
    """A Chinese label of 13 characters prints 26 columns wide, so pdftotext may
    set the number after it one space on: it is the row's first cell (taken
    into the label, the row read one cell off)."""
    def line(*at: tuple[int, str]) -> str:
        out = ""
        for col, text in at:
            out = out.ljust(col) + text
        return out

    lines = [line((0, "信息内容"), (14, "自然人"), (22, "商业企业"), (31, "总计")),
             line((0, "5.要求行政机关确认或重新"), (14, "12"), (23, "3"), (32, "15")),
             line((0, "规章"), (23, "7"), (32, "7"))]
    assert lines[1] == "5.要求行政机关确认或重新 12       3        15"
    rows = align_columns(lines, None, frozenset({3}))
    assert rows[1] == ["5.要求行政机关确认或重新", "12", "3", "15"]
    assert rows[2] == ["规章", "", "7", "7"]


def _dump(lines: list[list[tuple[int, str]]]) -> list[str]:
    """A model of how ``pdftotext -layout`` sets words (x, text) printed on lines:
    each word at the column the words left of it push it to, a character one
    column (a Chinese one printed two wide): a word right of another starts
    after it and a space; one under another, at the column of the character
    above its x (poppler's ``TextPage::assignColumns``)."""
    words = sorted(((x, x + _printed(t), t, k) for k, ws in enumerate(lines) for x, t in ws),
                   key=lambda w: w[0])
    cols: list[int] = []
    for x0, _, _, _ in words:
        col = 0
        for (g0, g1, text, _), c in zip(words, cols, strict=False):
            if x0 >= g1:
                col = max(col, c + len(text) + 1)
                continue
            ends = [g0 + _printed(text[:n]) + _printed(text[n]) / 2 for n in range(len(text))]
            col = max(col, c + sum(x0 >= e for e in ends))
        cols.append(col)
    out = [""] * len(lines)
    for (_, _, text, k), col in sorted(zip(words, cols, strict=True), key=lambda w: w[1]):
        out[k] = out[k].ljust(col) + text
    return out


_HEADS = ("自然人", "商业企业", "科研机构", "社会公益组", "法律服务机", "其他", "总计", "个人")


@settings(max_examples=150, deadline=None)
@given(widths=st.lists(st.integers(8, 18), min_size=7, max_size=7),
       labels=st.integers(30, 44), heads=st.lists(st.sampled_from(_HEADS), min_size=7, max_size=7),
       left=st.booleans(), numbers=st.sampled_from(("middle", "left", "right")),
       parent=st.booleans(), wrap=st.lists(st.booleans(), min_size=7, max_size=7),
       table=st.lists(st.tuples(st.integers(2, 13), st.lists(
           st.one_of(st.none(), st.integers(0, 10 ** 8)), min_size=7, max_size=7),
           st.integers(0, 1)), min_size=2, max_size=10))
def test_a_header_never_places_a_number_in_another_column(
        widths: list[int], labels: int, heads: list[str], left: bool, numbers: str,
        parent: bool, wrap: list[bool], table: list[tuple[int, list[int | None], int]]) -> None:
    """Table 三 laid out the way pdftotext sets words (:func:`_dump`): cells of
    random widths (each wider than its header cell), the header's cells set
    left or in the middle, some wrapped (社会公益组 over 织), a cell over
    several; numbers set in the middle of their cells (give or take a point),
    left or right; blanks anywhere. A row read in as many cells as the table
    has columns has each number in its column."""
    def at(k: int, text: str, jitter: int) -> int:
        if numbers == "left":
            return edges[k] + 1
        if numbers == "right":
            return edges[k + 1] - 1 - len(text)
        return (edges[k] + edges[k + 1] - len(text)) // 2 + jitter

    edges = [labels]
    for w, h in zip(widths, heads, strict=True):
        edges.append(edges[-1] + max(w, _printed(h) + 2))
    head: list[tuple[int, str]] = [(0, "信息内容")]
    tails: list[tuple[int, str]] = []
    for k, h in enumerate(heads):
        x = edges[k] + 1 if left else (edges[k] + edges[k + 1] - _printed(h)) // 2
        if wrap[k] and len(h) >= 4:
            head.append((x, h[:-1]))
            tails.append((x + _printed(h[:-1]) // 2 - 1, h[-1]))
        else:
            head.append((x, h))
    printed = [[((edges[1] + edges[6]) // 2 - 7, "法人或其他组织")]] if parent else []
    printed += [head, tails] if tails else [head]
    for n, cells, jitter in table:
        printed.append([(0, "行" * min(n, (labels - 4) // 2))] + [
            (at(k, str(v), jitter), str(v)) for k, v in enumerate(cells) if v is not None])
    lines = _dump(printed)
    got = align_columns(lines, None, frozenset({1, 2, 3, 5, 7, 15}))[len(printed) - len(table):]
    for (_, cells, _), row in zip(table, got, strict=True):
        if row is not None and len(row) == 8:
            assert row[1:] == ["" if v is None else str(v) for v in cells], (lines, row)


def test_rows_below_a_moved_column_are_placed_by_the_header() -> None:
    """Balanced rt_006 prints legal_service's 3 of row 一 at 70 and the 3 of
    4.保护第三方合法权益 at 73, on the same page: the block is placed in two
    parts, and the lower one, too, by the header (法律服务机 at 68 reaches
    over both)."""
    lines = _BALANCED["rt_006.pdf"].split("\n")
    assert lines[30].index(" 3 ") + 1 == 70 and lines[37].index(" 3 ") + 1 == 73
    got = _outcomes("rt_006.pdf", "requests", {"new", "granted", "partial", "withheld_secret",
                                               "withheld_security", "withheld_third_party"},
                    _BALANCED, _BALANCED_EXPECTED)
    assert {o for row in got.values() for o in row} == {"right"}, got


def test_a_lone_number_under_its_header_cell() -> None:
    """One group of numbers (rt_026's table 二 prints only 250392, of 规章) is
    placed by the header alone, when it falls clearly within a cell's span
    of middles."""
    lines = ["信息内容            本年制发件数          本年废止件数          现行有效件数",
             "规章                              250392"]
    assert align_columns(lines, None, frozenset({3}))[1] == ["规章", "", "250392", ""]
    lines[1] = "规章                                      250392"  # between two cells
    assert align_columns(lines, None, frozenset({3}))[1] is None


def test_a_header_line_shorter_than_the_numbers_ends_the_table() -> None:
    """Table 二's next header may end before the numbers above it start: it is a
    header all the same (a chunk right of the labels), not a row printed blank,
    so the one-column table under it is placed by its own header."""
    lines = ["信息内容        本年制发件数        本年废止件数        现行有效件数",
             "规章                    1                   2                   3",
             "第二十条第（五）项",
             "信息内容        本年处理决定数量",
             "行政许可              5"]
    rows = align_columns(lines, None, frozenset({1, 3}))
    assert rows[1] == ["规章", "1", "2", "3"]
    assert rows[4] == ["行政许可", "5"]


def test_tables_under_the_same_header_are_placed_together() -> None:
    """rt_049's 行政许可 and 行政处罚 tables (2019 form) print the same header line:
    their numbers together fall in its three columns."""
    got = _outcomes("rt_049.pdf", "proactive", {"licensing", "other_services", "penalties",
                                                 "compulsory"})
    assert {o for row in got.values() for o in row} == {"right"}, got
