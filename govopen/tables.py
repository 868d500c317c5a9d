"""Template match: the segments of sections 二, 三 and 四 → cells with values.

For each table the format (2019 or 2021) is detected from the labels actually
printed; the template's rows are then found in order among the segments of
:mod:`govopen.tokens`, and each row's value tokens are read as its cells with
:mod:`govopen.split`. Where digits are glued, the identities the template
guarantees (row totals, column totals, the balance of requests) choose between
readings; a row of table 三 that prints fewer numbers than cells is placed by
the column identities of the whole table, jointly with the other rows
(:mod:`govopen.joint`). Cells on which the surviving readings disagree stay NaN
and an ``ambiguous_cells`` issue lists the candidates. Nothing here repairs a number:
identities are used only to choose between readings of what is printed.

Example:
    >>> text = "二、主动公开政府信息情况\\n规章 1 0 5\\n三、收到和处理政府信息公开申请情况\\n"
    >>> result = read_tables(text, year=2021)
    >>> cell = result.cells[0]
    >>> (cell.table, cell.row, cell.col, cell.value)
    ('proactive', 'rules', 'issued', 1.0)
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import combinations, takewhile

from govopen.apart import ROW_START, columns_apart, place_blanks
from govopen.issues import Issue, shown
from govopen.joint import Sum, solve
from govopen.limits import check
from govopen.sections import Section, find_sections
from govopen.spans import header_spans, placements
from govopen.split import MAX_READINGS, Budget, Piece, consistent, readings
from govopen.templates import Template, Term, identities, template
from govopen.tokens import Segment, Token, segment

# Where in section 二/三 the table itself starts (after any prose).
_TABLE_START = {
    "proactive": re.compile(r"信息内容|第二十条|第\s*20\s*条"),
    "requests": re.compile(r"申请人情况|本列数据|自然人|本年新收"),
    "appeals": re.compile(r"行政复议"),
}
_FORMAT_MARKS = {
    "proactive": {"2021": re.compile(r"制发|废止|废纸|现行有效|收费金额|本年处理决定"),
                  "2019": re.compile(r"新制作|新公开|上一年项目|公开总数|采购|其他对外管理")},
    "requests": {"2021": re.compile(r"不补正|缴纳费用|收费通知")},
}
# Labels that are column headers or sub-headings, never data rows.
_HEADERISH = re.compile(r"^(?:信息内容|第二十条|第\d+条)|申请人情况|办理结果$|[,;，；。]")
# The number a row label of table 三 starts with: "(七)", "四、".
_ROW_NUMBER = re.compile(r"^[(（][一二三四五六七八九十][)）]|^[一二三四五六七八九十][、.]")
_SECTION_OF = {"proactive": 2, "requests": 3, "appeals": 4}
# How many template rows ahead a label without numbers may match: a row whose
# label is lost may be skipped, but a header word must not jump to the end of the
# table. A labelled row with numbers is found anywhere further down.
_WINDOW = 4
_APPEAL_ROWS = ("review", "suit_direct", "suit_after_review")
# The identities a report's own cells obey: they choose between readings of glued digits.
_OWN_IDENTITIES = tuple(i for i in identities() if not i.across_years)

# Input forms that may print two cells without a separator (crawled pages, text
# pasted from anywhere, documents whose form is not recorded).
GLUING_FORMS = frozenset({"", "text-flat", "text-spaces", "text-tabs"})

# Input forms whose empty cells may stand where no cell is (converters' markdown).
LOOSE_GRID_FORMS = frozenset({"markdown"})
# Input forms whose blank cells are placed by the column their numbers stand in.
POSITION_FORMS = frozenset({"text-layout"})
# Past this many ways to place unprinted blank cells in a row, it is left NaN.
_MAX_PLACEMENTS = 5_000

# Ways to drop a row's padding tried at most; past that the row is ambiguous.
MAX_ALIGNMENTS = 200


@dataclass
class Cell:
    """One cell of a table as read from the report."""

    table: str
    row: str
    col: str
    value: float | None
    raw: str
    status: str  # ok, blank, ambiguous, unreadable, missing
    start: int | None = None  # offset of the printed text in the document
    unit: str = ""
    candidates: tuple[float, ...] = ()  # an ambiguous cell's possible values, ascending


@dataclass
class TableResult:
    """Everything read from a report's tables."""

    cells: list[Cell] = field(default_factory=list)
    findings: list[Issue] = field(default_factory=list)
    formats: dict[str, str] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    # A row of a loose grid (markdown) did not fit its cells: the converter shifted
    # columns, so no empty cell of that grid is trusted from there on.
    shifted: bool = False
    # The blank cells of rows were placed by the column their numbers stand in
    # (pdftotext -layout): a converter whose spacing is off moves a number a column.
    placed_by_position: bool = False
    budget: Budget = field(default_factory=Budget, repr=False)  # of glued-digit cuts


@dataclass
class _Row:
    """A template row (or an extra row) and what was found for it."""

    code: str
    cols: tuple[str, ...]
    kinds: tuple[str, ...]
    segment: Segment | None
    options: list[list[Piece]] | None = None
    unit_hint: str = ""
    too_many: bool = False  # more readings than can be listed: ambiguous
    unread: tuple[int, ...] = ()  # cells left NaN though the row is read (apart.py)
    # Cells the column identities of the whole table settled (see _place_jointly).
    by_identity: frozenset[int] = frozenset()
    # Its empty cells did not say where its blanks stand and several placements
    # of its numbers were read: the identities chose (said in an info issue).
    placed: bool = False
    doubted: bool = False  # its numbers may not be its own: not read (_doubt_label_lists)
    # A row of a loose grid with more cells than columns, alone in its width, no
    # header of that width naming its columns, whose empty cells at an edge stand
    # where no line of its width prints text: they may be value cells left blank,
    # not padding, so any empty cell may be its extra one (see _open_edges).
    open_edges: bool = False


def read_tables(text: str, year: int | None = None,
                sections: list[Section] | None = None, form: str = "",
                line_of: Callable[[int], int | None] | None = None) -> TableResult:
    """Read the three tables of a report's normalised text.

    ``year`` (the year reported on) breaks ties when a table's labels do not show
    its format. ``sections`` may be given if already found. ``form`` is the input
    form the reader detected (:attr:`govopen.document.Document.form`): in the
    dump of a PDF converter two cells are never glued, so a row printing fewer
    numbers than cells has blank cells not printed, and the identities choose
    where they are; in markdown the empty cells of a row that has too many or too
    few cells do not say where its blank cells are, so they are placed the same way.
    ``line_of`` gives the line of the text file an offset was printed on (plain
    text dumps): a table printed column by column is then read in printed order.
    """
    result = TableResult(sections=sections if sections is not None else find_sections(text),
                         placed_by_position=form in POSITION_FORMS)
    by_number = {s.number: s for s in result.sections if s.number}
    regions = {table: _region(text, table, by_number) for table in ("proactive", "requests",
                                                                    "appeals")}
    glued = form in GLUING_FORMS
    for table, region in regions.items():
        if region is None:
            result.findings.append(Issue(
                "table_not_found", "error", f"section {_zh(table)} ({table}) was not found",
                table=table))
            continue
        lo, hi = region
        m = _TABLE_START[table].search(text, lo, hi)
        start = m.start() if m else lo
        segs = _spaced(segment(text[start:hi], offset=start, glued=glued,
                               grid=form not in LOOSE_GRID_FORMS), form)
        # Each row costs milliseconds (its readings, identities, cells): a text of
        # thousands of table rows (real tables have < 100) would take minutes.
        check("<text>", "rows", len(segs))
        fmt = _detect_format(table, text[start:hi], year)
        if table == "requests":
            # Table 二 is often drawn as its own grids; table 四 shares 三's grid.
            result.shifted = False
        if table == "appeals":
            segs += _appeals_rest(text, hi, segs, form, glued)
            _read_appeals(segs, template("appeals", fmt), result)
        else:
            _read_rows(text, segs, template(table, fmt), result,
                       line_of if form == "text-lines" else None)
        result.formats[table] = fmt
    return result



def _spaced(segs: list[Segment], form: str) -> list[Segment]:
    """``segs`` with the numbers of rows printed in single spaces made whole.

    Text in single spaces glues cells where it is a crawled page, and then a run
    of glued cells shows it: one starts with a zero (``230 000023``, zeros being
    a table's commonest cell), or two numbers touch (``0-10``). A row of two or
    more numbers, each apart from the next and none starting with a zero, is
    a PDF's or Word's text (pdfplumber's ``extract_text``), whose cells are never
    glued: cutting its numbers would only find readings that fit a row total by
    chance (``15 850 498 86972`` read as 15/850/4/9/8/86/972).

    Example:
        >>> segs = _spaced(segment("（一）予以公开 15 850 498 86972"), "text-spaces")
        >>> [t.glued for t in segs[0].values]
        [False, False, False, False]
    """
    if form != "text-spaces":
        return segs
    for seg in segs:
        nums = [t for t in seg.values if t.kind == "num"]
        if len(nums) >= 2 and not any(
                len(t.digits) > 1 and t.digits[0] == "0" and t.digits[1] != "." for t in nums
        ) and not any(a.end == b.start for a, b in zip(nums, nums[1:], strict=False)):
            for t in nums:
                t.joinable = False
    return segs

# The start of the part of section 四's table a dump prints after the report's end,
# and how many of its blank cells (not printed) are looked for.
_APPEALS_REST_BLANKS = 2
_APPEALS_REST = re.compile(r"^\s*(?:结果维持|行政诉讼|未经复议直接起诉|复议后起诉)", re.M)


def _appeals_rest(text: str, hi: int, segs: list[Segment], form: str,
                  glued: bool) -> list[Segment]:
    """The rest of section 四 printed after the sections that follow it.

    A dump of a page in two flows (plain ``pdftotext``) prints the left part of
    table 四 in its place and the right part after the last section. When
    section 四 holds fewer than its 15 numbers, a run of section 四's column
    headers and numbers later in the text (nothing but headers and numbers) that
    brings them to exactly 15, each row of five adding up to its 总计, is the rest;
    so is one that brings them to 14 or 13 where some place for the blank cells
    (printed as nothing) lets every row add up (:func:`_read_appeals` then
    places them by the identities, or leaves the cells NaN).
    """
    def nums(ss: list[Segment]) -> list[Token]:
        return [t for seg in ss for t in seg.values if t.kind == "num"]

    have = nums(segs)
    if not have or len(have) >= 15 or not (m := _APPEALS_REST.search(text, hi)):
        return []
    rest: list[Segment] = []
    for seg in _spaced(segment(text[m.start():], offset=m.start(), glued=glued,
                               grid=form not in LOOSE_GRID_FORMS), form):
        if len(seg.label) > 40 or re.search(r"[,;:，。；：、]", seg.label) or any(
                t.kind != "num" for t in seg.values):
            break
        rest.append(seg)
    tokens = have + nums(rest)
    blanks = 15 - len(tokens)
    if not 0 <= blanks <= _APPEALS_REST_BLANKS or any(t.glued for t in tokens):
        return []
    values = [t.sign * float(t.digits.replace(",", "")) for t in tokens]
    # A blank cell prints nothing: some place for the blanks must let every row add up.
    for gaps in combinations(range(15), blanks):
        it = iter(values)
        cells = [0.0 if i in gaps else next(it) for i in range(15)]
        if all(math.isclose(sum(cells[k:k + 4]), cells[k + 4]) for k in (0, 5, 10)):
            return rest
    return []


def _zh(table: str) -> str:
    return "二三四"[_SECTION_OF[table] - 2]


def _region(text: str, table: str, sections: dict[int, Section]) -> tuple[int, int] | None:
    number = _SECTION_OF[table]
    if number in sections:
        sec = sections[number]
        return sec.body, sec.end
    # The heading is missing or unrecognisable: look for the table's own labels
    # between the neighbouring sections that were found.
    lo = max((s.body for n, s in sections.items() if n and n < number), default=0)
    hi = min((s.start for n, s in sections.items() if n and n > number), default=len(text))
    anchor = {"proactive": r"第二十条第|信息内容\s*本年", "requests": r"本年新收",
              "appeals": r"复议后起诉|未经复议"}[table]
    m = re.search(anchor, text[lo:hi])
    if not m:
        return None
    return lo + max(0, m.start() - 200), hi


def _detect_format(table: str, text: str, year: int | None) -> str:
    marks = _FORMAT_MARKS.get(table)
    flat = re.sub(r"\s+", "", text)
    if marks and table == "proactive":
        n21 = len(marks["2021"].findall(flat))
        n19 = len(marks["2019"].findall(flat))
        if n21 != n19:
            return "2021" if n21 > n19 else "2019"
    elif marks and table == "requests":
        return "2021" if marks["2021"].search(flat) else "2019"
    return "2021" if (year or 0) >= 2021 else "2019"


# --- rows of sections 二 and 三 -------------------------------------------

def _read_rows(text: str, segs: list[Segment], tmpl: Template, result: TableResult,
               line_of: Callable[[int], int | None] | None = None) -> None:
    segs = _rejoin_wrapped(segs, tmpl)
    rows = _match(segs, tmpl, result)
    if line_of is not None:
        _doubt_label_lists(segs, rows, tmpl.table, result)
    _doubt_after_overflow(segs, rows, tmpl.table, result)
    _doubt_after_unnumbered(segs, rows, tmpl.table, result)
    pieces = _pieces(rows, segs, tmpl)
    result.shifted |= any(row.segment is not None and not pieces.get(row.code)
                          and _misfit(row.segment.values, len(row.cols))
                          and len(row.segment.values) > len(row.cols) for row in rows)
    spans = _row_spans(rows, segs, tmpl)
    for row in rows:
        if not _read_spans(row, tmpl.table, result, spans.get(row.code)):
            _read_options(row, tmpl.table, result, pieces.get(row.code, ()))
    if tmpl.table == "requests":
        _read_in_order(segs, rows, tmpl, result)
    if line_of is not None:
        _read_apart(segs, rows, tmpl, result, line_of)
    if tmpl.table == "requests":  # after every other reading: the rows' readings are all known
        _place_jointly(rows, tmpl.table, result)
    for prev, row in zip([None, *rows[:-1]], rows, strict=True):
        if row.segment is not None and "money" in row.kinds:
            row.unit_hint = _money_unit(text, prev, row)
        _emit(row, tmpl.table, result)


def _rejoin_wrapped(segs: list[Segment], tmpl: Template) -> list[Segment]:
    """Labels wrapped in running text, their numbers on the first or a middle line.

    Such a row prints the start of its label, its numbers, then the rest of its
    label, which runs into the next row's label: ``5.属于三类 676 …`` then
    ``内部事务信息6.属于四 3 …``. Where a label holds a numbered row's start
    after other text, that text ends the label of the row of numbers before it;
    each row of numbers keeps the label from its own start to the next start.
    A label without a number (``行政规 0 5 5`` / ``范性文件``) is rejoined where
    the start of the next label completes a row's label that the numbers' own
    fragment does not name. Only running text (no cells) is rejoined, and only
    after a row of numbers.
    """
    out = [Segment(s.label, labels=list(s.labels), values=s.values, detached=s.detached)
           for s in segs]
    for prev, seg in zip(out, out[1:], strict=False):
        if not (prev.values and _numbers(prev) and all(t.cell is None for t in prev.values)
                and seg.labels and all(t.cell is None for t in seg.labels)):
            continue
        if not any(d.pattern.search(prev.label) for d in tmpl.rows):
            joined = prev.label + seg.label
            cut = next((m.end() - len(prev.label) for d in tmpl.rows
                        for m in d.pattern.finditer(joined)
                        if m.start() < len(prev.label) < m.end()), 0)
            if cut:
                prev.label, seg.label = joined[:len(prev.label) + cut], seg.label[cut:]
                continue
        m = ROW_START.search(seg.label)
        if m is None or m.start() == 0 or not ROW_START.search(prev.label):
            continue
        prev.label += seg.label[:m.start()]
        seg.label = seg.label[m.start():]
    return out


def _match(segs: list[Segment], tmpl: Template, result: TableResult) -> list[_Row]:
    """Assign segments to template rows, in template order.

    Rows are found by their labels wherever they stand; values printed in a row
    of their own (``detached``, see :class:`govopen.tokens.Segment`) go to the
    row before them if its label printed no number, else to the next row found
    whose label printed none (converters put a wrapped row's numbers above or
    below its label).
    """
    defs = list(tmpl.rows)
    found: dict[str, Segment] = {}
    extras: list[tuple[int, Segment]] = []
    pending: list[Segment] = []  # detached values waiting for their label
    last: Segment | None = None  # the segment of the last row found
    ti = 0
    # Detached rows one after another are a block whose labels stand elsewhere:
    # the row before them does not take the first of them.
    runs = {id(seg) for a, seg in enumerate(segs) if seg.detached and any(
        0 <= b < len(segs) and segs[b].detached for b in (a - 1, a + 1))}
    held: Segment | None = None  # numbers under a column header, printed above their label
    for seg in segs:
        above, held = held, None
        if seg.detached:
            if last is not None and not _numbers(last) and not pending and id(seg) not in runs:
                last.values = seg.values
            else:
                pending.append(seg)
            continue
        label = _label_tail(seg.label)
        hits: list[int] = []
        pos = 0
        while ti < len(defs):
            best = None
            for j in range(ti, min(len(defs), ti + _WINDOW)):
                m = defs[j].pattern.search(label, pos)
                if m and (best is None or m.start() < best[1].start()):
                    best = (j, m)
            if best is None and not hits and _numbers(seg) and _ROW_NUMBER.search(label):
                # A numbered row with numbers whose label is further down the template:
                # the report left rows out (a header word such as 总计 never jumps).
                best = next(((j, m) for j in range(ti + _WINDOW, len(defs))
                             if (m := defs[j].pattern.search(label, pos))), None)
            if best is None:
                break
            hits.append(best[0])
            ti, pos = best[0] + 1, best[1].end()
        if hits and any(c.pattern.search(label, pos) for c in tmpl.cols):
            # Column headers printed after the row's label (a dump that lists a
            # table's labels before its numbers): what follows is not this row's.
            seg = Segment(seg.label, labels=list(seg.labels))
        if hits and above is not None and (len(hits) > 1 or not _numbers(seg)) \
                and defs[hits[0]].code not in found and _heads(above, defs[hits[0]].cols, tmpl):
            if len(hits) == 1:
                seg.values = above.values
            else:
                found[defs[hits[0]].code] = Segment(label, labels=list(seg.labels),
                                                    values=above.values)
        if hits:
            for j in hits[:-1]:
                found.setdefault(defs[j].code, Segment(label, labels=list(seg.labels)))
            found.setdefault(defs[hits[-1]].code, seg)
            hit_rows = [found[defs[j].code] for j in hits]
            _give_detached(pending, [r for r in hit_rows if not _numbers(r)], tmpl.table, result)
            pending, last = [], hit_rows[-1]
        elif ti > 0 and _is_extra(seg, label):
            extras.append((ti, seg))
        elif _numbers(seg):
            held = seg
    _give_detached(pending, [], tmpl.table, result)
    rows: list[_Row] = []
    for j, d in enumerate(defs):
        for at, seg in extras:
            if at == j:
                rows.append(_extra_row(seg, rows[-1] if rows else None, tmpl))
        kinds = tuple(tmpl.col(c).kind for c in d.cols)
        matched = found.get(d.code)
        if matched is None:
            result.findings.append(Issue(
                "row_not_found", "warning",
                f"row {d.code} ({d.zh}) was not found in section {_zh(tmpl.table)}",
                table=tmpl.table, row=d.code))
        rows.append(_Row(d.code, d.cols, kinds, matched))
    rows.extend(_extra_row(seg, rows[-1], tmpl) for at, seg in extras if at >= len(defs))
    return rows



def _unnumbered_in_run(row: _Row, rows: list[_Row]) -> list[_Row]:
    """The other rows whose labels stand in ``row``'s run of label lines (see
    :func:`_match`: they share its segment's first label token) and took no numbers."""
    seg = row.segment
    assert seg is not None
    return [r for r in rows if r is not row and r.segment is not None
            and r.segment.labels[:1] == seg.labels[:1] and not _numbers(r.segment)]

def _doubt_label_lists(segs: list[Segment], rows: list[_Row], table: str,
                       result: TableResult) -> None:
    """In a dump of one cell per line (plain pdftotext), a row whose label ends a
    list of several row labels, followed by its numbers and more numbers printed
    on their own below, may have been given a column of the table printed apart
    from its labels: its numbers are not taken (NaN ``unreadable``, a warning).
    """
    position = {id(s): k for k, s in enumerate(segs)}  # by identity: twins may be equal
    for row in rows:
        seg = row.segment
        if seg is None or not _numbers(seg) or id(seg) not in position:
            continue
        others = _unnumbered_in_run(row, rows) if seg.labels else []
        at = position[id(seg)]
        if others and at + 1 < len(segs) and segs[at + 1].detached and _numbers(segs[at + 1]):
            row.doubted = True
            result.findings.append(Issue(
                "row_values_doubtful", "warning",
                f"row {row.code}: its label ends a list of row labels and the numbers after it "
                f"({_shown(seg.values)}) are followed by more numbers printed apart; they may "
                "be a column of the table printed apart from its labels, not this row's: "
                "left NaN", table=table, row=row.code))



def _doubt_after_overflow(segs: list[Segment], rows: list[_Row], table: str,
                          result: TableResult) -> None:
    """Rows after a line of numbers that is not theirs are doubted.

    A dump that orders lines by height (pdfplumber's ``extract_text``) prints the
    numbers of a row whose label is set lower in its cell on a line of their own
    *above* the label. The row before then takes that line too, when its own
    numbers stand on its label's line (more numbers than cells: not read), or the
    line stands alone (a row of numbers without a label); either way each row
    after it whose numbers stand on lines of their own may hold the next row's
    numbers, up to a row that prints its numbers on its label's line. Those rows'
    numbers are not taken (NaN ``unreadable``, a warning).
    """
    label_lines = {t.line for sg in segs for t in sg.labels}
    row_of = {id(r.segment): r for r in rows if r.segment is not None}
    doubting = False
    for k, seg in enumerate(segs):
        values = [t for t in seg.values if t.kind != "text"]
        if not values:
            continue
        own_line = bool(seg.labels) and values[0].line == seg.labels[-1].line
        row = row_of.get(id(seg))
        if row is None:
            after = segs[k + 1] if k + 1 < len(segs) else None
            doubting = doubting or (not seg.labels and after is not None and bool(
                after.labels) and bool(after.values) and after.values[0].line != after.labels[
                    -1].line)
            continue
        if own_line:
            doubting = False
        elif doubting and not row.doubted:
            row.doubted = True
            result.findings.append(Issue(
                "row_values_doubtful", "warning",
                f"row {row.code}: a line of numbers above it is not the row's it follows; "
                f"the numbers printed apart from this row's label ({_shown(seg.values)}) "
                "may be the next row's: left NaN", table=table, row=row.code))
        if own_line and len(values) > len(row.cols) and any(
                t.line not in label_lines for t in values):
            doubting = True

# Rows labelled without numbers right before a row whose numbers are printed apart
# that make its numbers suspect (a table printed column by column).
_UNNUMBERED_RUN = 2


def _doubt_after_unnumbered(segs: list[Segment], rows: list[_Row], table: str,
                            result: TableResult) -> None:
    """A row whose label ends a run of row labels without numbers, its numbers
    printed apart from its label and fewer than its cells, or one per cell but not
    keeping its row identity, is doubted.

    A dump of a table printed column by column (pdfminer's, plain pdftotext's)
    lists row labels with no numbers after them, then a column's numbers, one a
    line, after the last: they are that column's, not the row's, though few
    enough to be the row's with blank cells, or as many as its cells (rt_043's
    8.属于行政查询事项 took 自然人's 0 66 35 34564 0 4362 9989, which do not add
    up to 9989). Only a row identity kept says they are the row's. Its numbers
    are not taken (NaN ``unreadable``, a warning).
    """
    for row in rows:
        seg = row.segment
        if seg is None or not seg.labels or row.doubted:
            continue
        values = [t for t in seg.values if t.kind != "text"]
        if not values or values[0].line == seg.labels[-1].line or len(values) > len(
                row.cols) or (len(values) == len(row.cols) and _unrefuted(row, values, table)):
            continue
        run = len(_unnumbered_in_run(row, rows))
        if run >= _UNNUMBERED_RUN:
            row.doubted = True
            result.findings.append(Issue(
                "row_values_doubtful", "warning",
                f"row {row.code}: its label ends a list of {run + 1} row labels, and its "
                f"numbers ({_shown(seg.values)}), "
                f"{'fewer than its cells' if len(values) < len(row.cols) else 'not adding up to its total'}"
                ", stand apart from it: "
                "they may be a column of the table printed apart, not this row's: left NaN",
                table=table, row=row.code))

def _unrefuted(row: _Row, values: list[Token], table: str) -> bool:
    """Whether a row's numbers, one per cell, keep its row identities (a column's
    numbers after its label would only by chance); True for a row without one
    (table 二's: nothing can tell)."""
    checks = _row_checks(table, row.cols)
    if not checks:
        return True
    options = readings(values, row.kinds) or []
    return bool(options) and all(
        all(check([p.value for p in o]) for check in checks) for o in options)


def _settled(row: _Row) -> list[float | None] | None:
    """The row's values when its readings agree on every cell, else None."""
    if not row.options:
        return None
    values = [p.value for p in row.options[0]]
    same = all([p.value for p in o] == values for o in row.options[1:])
    return values if same else None


def _read_in_order(segs: list[Segment], rows: list[_Row], tmpl: Template,
                   result: TableResult) -> None:
    """Table 三 whose labels stand apart from their numbers: the numbers in order.

    A dump that prints a table column by column, or its labels in one place and
    its numbers in another (plain ``pdftotext``), leaves rows the labels cannot
    give numbers to. The rows are then printed in the template's order: when
    every row of the template is labelled somewhere in the table (none left out,
    so none of the numbers belongs elsewhere), the printed values are exactly one
    per cell, and read row by row in the template's order every row adds up to
    its 总计 (the row identity: the rows are cut where they end), and every row
    whose label took numbers took them from where its own start (rows printed
    out of order would not), they are that table; otherwise nothing changes.
    The column identities are left to validation: a report's own sums may fail.
    """
    tmpl_rows = [r for r in rows if not r.code.startswith("extra:")]
    if all(_settled(r) is not None for r in tmpl_rows) or len(tmpl_rows) != len(rows):
        return
    width = len(tmpl_rows[0].cols)
    if any(r.cols != tmpl_rows[0].cols for r in tmpl_rows):
        return
    labels = "".join(s.label for s in segs)
    if any(not d.pattern.search(labels) for d in tmpl.rows):
        return
    # A detached segment's values may also have been given to a row: each once.
    tokens = list({t.start: t for s in segs for t in s.values
                   if t.kind == "num" or t.text.strip()}.values())
    if len(tokens) != width * len(tmpl_rows):
        return
    chunks = [tokens[k * width:(k + 1) * width] for k in range(len(tmpl_rows))]
    read: list[list[Piece]] = []
    for row, chunk in zip(tmpl_rows, chunks, strict=True):
        options = readings(chunk, row.kinds, result.budget)
        if not options or len({tuple(p.value for p in o) for o in options}) != 1:
            return
        values = [p.value for p in options[0]]
        # A row whose label took numbers took them from where its own start:
        # otherwise the rows are not printed in the template's order.
        taken = [t.start for t in (row.segment.values if row.segment is not None else [])
                 if t.kind == "num" or t.text.strip()]
        if taken and taken[0] != chunk[0].start:
            return
        if not all(check(values) for check in _row_checks("requests", row.cols)):
            return
        read.append(options[0])
    for row, chunk, option in zip(tmpl_rows, chunks, read, strict=True):
        label = row.segment.label if row.segment is not None else ""
        row.segment = Segment(label, values=list(chunk))
        row.options, row.too_many = [option], False
    result.findings[:] = [f for f in result.findings if not (
        f.table == "requests" and f.rule in ("row_not_found", "row_values_missing",
                                             "values_unlabelled", "row_cells_mismatch",
                                             "ambiguous_cells"))]
    result.findings.append(Issue(
        "rows_read_in_order", "info",
        "section 三: its labels are printed apart from its numbers; the numbers were read "
        "row by row in the template's order, every row adding up to its total",
        table="requests"))


def _read_apart(segs: list[Segment], rows: list[_Row], tmpl: Template, result: TableResult,
                line_of: Callable[[int], int | None]) -> None:
    """Rows no label gave numbers to, read from the columns printed apart
    (:func:`govopen.apart.columns_apart`); a column whose numbers are fewer than
    its rows stays NaN ``ambiguous``. Only rows left unread are read, only if
    none of the numbers was read for another row, and a page of which a row
    read in full breaks its row identity (its columns are not where they were
    taken to be, or the report's sums fail) is not read at all."""
    by_code = {r.code: r for r in rows}
    done: set[str] = set()
    used: set[int] = set()
    placed: list[str] = []
    for got, short in columns_apart(segs, tmpl, line_of):
        todo = [by_code[c] for c in got if c in by_code and not by_code[c].options]
        if any(c not in by_code for c in got):
            continue
        cols = {c: by_code[c].cols for c in got}
        found = place_blanks(got, short, cols, partial(_row_holds, tmpl.table, cols))
        if found is None:
            continue
        page = {t.start for _, _, numbers in short for t in numbers}
        short = [(codes, block_cols, numbers) for codes, block_cols, numbers in short if any(
            got[code][cols[code].index(c)] is None for code in codes for c in block_cols)]
        mine = {t.start for r in todo for t in got[r.code] if t is not None and t.kind == "num"}
        page |= mine
        # The numbers under a column header were taken for a row the template
        # lacks, labelled by that header: it is no row.
        headed = [r for r in rows if r.code.startswith("extra:") and r.segment is not None
                  and _numbers(r.segment) and all(t.start in page for t in r.segment.values
                                                  if t.kind == "num")]
        taken = {p.start for r in rows if r.options and r not in headed
                 for o in r.options for p in o}
        # (a row the template lacks, of the page's numbers, is dropped; one with
        # numbers of its own besides them makes the page not this layout)
        read = {r.code: _apart_pieces(got[r.code], r.kinds) for r in todo}
        if not todo or page & taken or any(
                t.kind == "num" and t.start not in page for r in todo if r.segment is not None
                for t in r.segment.values) or not all(
                check([p.value for p in read[r.code]]) for r in todo
                for check in _row_checks(tmpl.table, r.cols)
                if all(p.value is not None for p in read[r.code])):
            continue
        rows[:] = [r for r in rows if r not in headed]
        gone = {r.code for r in headed}
        result.findings[:] = [f for f in result.findings if not (f.table == tmpl.table
                                                                  and f.row in gone)]
        for row in todo:
            pieces = read[row.code]
            row.unread = tuple(k for k, p in enumerate(pieces) if p.value is None and not p.blank)
            if len(row.unread) == len(pieces):
                continue
            label = row.segment.label if row.segment is not None else ""
            row.segment = Segment(label, values=[t for t in got[row.code]
                                                 if t is not None and t.kind == "num"])
            row.options = [pieces]
            done.add(row.code)
        used |= mine
        placed += ["/".join(block_cols) for _, block_cols, _ in found]
        for codes, block_cols, numbers in short:
            result.findings.append(Issue(
                "blanks_unplaced", "warning",
                f"section {_zh(tmpl.table)}: column {'/'.join(block_cols)} prints {len(numbers)} "
                f"numbers for {len(codes) * len(block_cols)} cells of rows {codes[0]} … "
                f"{codes[-1]}: where its blank cells are cannot be told; the cells that "
                "depend on it are left NaN",
                table=tmpl.table, col=",".join(block_cols)))
    if not done:
        return
    # A row of numbers without a label whose every number was read is not unread.
    read_too = used | {p.start for r in rows if r.options for o in r.options for p in o}
    read_rows = {_unlabelled(seg, tmpl.table).message for seg in segs if _numbers(seg) and all(
        t.start in read_too for t in seg.values if t.kind == "num")}
    result.findings[:] = [f for f in result.findings if not (
        f.rule == "values_unlabelled" and f.table == tmpl.table and f.message in read_rows)]
    result.findings[:] = [f for f in result.findings if not (
        f.table == tmpl.table and f.row in done and f.rule in ("row_values_missing",
                                                               "row_not_found",
                                                               "row_cells_mismatch"))]
    result.findings.append(Issue(
        "columns_read_apart", "info",
        f"section {_zh(tmpl.table)}: its labels are printed apart from its numbers, column by "
        f"column; rows {', '.join(r.code for r in rows if r.code in done)} were read from "
        "the columns as printed", table=tmpl.table))
    if placed:
        result.findings.append(Issue(
            "blanks_placed_by_identity", "info",
            f"section {_zh(tmpl.table)}: the blank cells of column(s) {', '.join(placed)} "
            "are not printed; cells were read where every placement of the blanks that "
            "keeps every row total puts the same number or blank (no number changed)",
            table=tmpl.table))


def _row_holds(table: str, cols: dict[str, tuple[str, ...]], code: str,
               values: list[float | None]) -> bool:
    """Whether row ``code`` (cells ``cols[code]``) satisfies its row identities."""
    return all(check(values) for check in _row_checks(table, cols[code]))


def _apart_pieces(tokens: list[Token | None], kinds: tuple[str, ...]) -> list[Piece]:
    """One reading of a row's cells read apart (None: a cell left unread)."""
    pieces: list[Piece] = []
    for tok, kind in zip(tokens, kinds, strict=True):
        if tok is not None and tok.kind == "blank":  # placed by place_blanks
            pieces.append(Piece(None, "", tok.start, tok.end, blank=True))
            continue
        options = readings([tok], (kind,)) if tok is not None else None
        pieces.append(options[0][0] if options and len(options) == 1 else Piece(
            None, "", tok.start if tok is not None else 0, tok.end if tok is not None else 0))
    return pieces


def _heads(seg: Segment, cols: tuple[str, ...], tmpl: Template) -> bool:
    """Whether ``seg`` is the header of ``cols`` followed by one value per column.

    A text dump may print a one-row table's numbers under its column header and
    above its row label (``本年处理决定数量 / 550 / 行政许可``): a segment whose
    label names no row and ends with the headers of exactly these columns, with
    as many values as columns, holds that row's values.
    """
    if len(seg.values) != len(cols) or any(t.kind == "text" for t in seg.values):
        return False
    tail = seg.label
    for col in reversed(cols):
        m = next(reversed(list(tmpl.col(col).pattern.finditer(tail))), None)
        if m is None or _word(tail[m.end():]) not in _word(tmpl.col(col).zh):
            return False
        tail = tail[:m.start()]
    return True


def _word(text: str) -> str:
    return re.sub(r"[\W_]", "", text)


def _numbers(seg: Segment) -> bool:
    return any(t.kind == "num" for t in seg.values)


def _give_detached(pending: list[Segment], targets: list[Segment], table: str,
                   result: TableResult) -> None:
    """Give detached rows of values to the rows found without numbers, nearest first.

    Several rows of values and a different number of labels waiting for them (a
    table printed column by column, its labels elsewhere) do not say which row is
    whose: none is given. Nor do several rows printing different numbers of
    values: the rows of one table read back from its columns print as many each
    (:func:`govopen.readers.columns.stacked_columns`), so such rows are pieces of
    columns of different lengths (a dump that breaks a column into blocks, as
    pdfminer does), not rows.
    """
    if len(pending) > 1 and (len(pending) != len(targets)
                             or len({len(seg.values) for seg in pending}) > 1):
        targets = []
    while pending and targets:
        targets.pop().values = pending.pop().values
    for seg in pending:
        result.findings.append(_unlabelled(seg, table))


def _unlabelled(seg: Segment, table: str) -> Issue:
    return Issue("values_unlabelled", "warning",
                 f"section {_zh(table)}: a row of numbers printed without a label "
                 f"({_shown(seg.values)}) belongs to no row found; not read", table=table)


def _is_extra(seg: Segment, label: str) -> bool:
    """A row the template lacks: a short label of its own, numbers after it.

    Narrative sentences, header words and markdown rules never are: the label
    must not be a sentence (no comma or full stop), must be short and must hold
    Chinese text.
    """
    return (_numbers(seg) and bool(label) and not _HEADERISH.search(label)
            and len(label) <= 60 and len(re.findall(r"[\u4e00-\u9fff]", label)) >= 2)


def _label_tail(label: str) -> str:
    """The part of a label after the last sentence end (prose run into a table)."""
    return label.rsplit("。", 1)[-1]


def _extra_row(seg: Segment, prev: _Row | None, tmpl: Template) -> _Row:
    n = sum(1 for t in seg.values if t.kind != "blank") or len(seg.values)
    if tmpl.table == "requests":
        cols = tuple(c.code for c in tmpl.cols)
    elif prev is not None and n == len(prev.cols):
        cols = prev.cols
    elif n == 1:
        cols = ("value",)
    else:
        cols = tuple(f"v{i + 1}" for i in range(n))
    # No unit is assumed on a row the template lacks: its numbers stay as printed.
    kinds = tuple("count" if tmpl.table == "requests" else "number" for _ in cols)
    return _Row(f"extra:{_label_tail(seg.label).rstrip(':：')}", cols, kinds, seg)


def _pieces(rows: list[_Row], segs: list[Segment], tmpl: Template
            ) -> dict[str, tuple[tuple[int, ...], bool] | None]:
    """The value columns of each row of a loose grid, where its piece says which.

    A markdown table is rectangular, so a run of lines of one width is one table
    (or one piece of a table a converter cut up; where a piece prints too few
    numbers to tell, all pieces of its width are taken together): markitdown draws each stretch of a
    PDF table as a table of its own, with only the columns that stretch has text
    in, and adds empty columns where a header had text. The value columns of a
    piece lie between the first column any of its rows prints a number in and its
    right edge. Returned for each row of a loose grid:

    - None when its piece is narrower than another piece of rows with the same
      cells and has fewer value columns than the row has cells: the converter
      lost a column, so the empty cells do not say where the blank cells are
      (the numbers are placed by the identities, or left NaN);
    - (columns, True) when exactly as many columns of the piece as the row has
      cells print numbers: those are the value columns, the others empty
      columns a converter added (a column no row prints a number in);
    - (columns, False) when numbers stand in both the first and the last of
      exactly as many columns as the row has cells: the cells before them are
      padding, and a value column the row fills with its label's text
      (pymupdf4llm merges a narrow first value column into the label column:
      ``请数量<br>4`` in one row, ``请数量`` in the next) is a blank cell;
    - (columns, False) likewise when the piece's header names the table's first
      and last columns exactly as many columns apart, and its numbers stand
      between them;
    - None also when its own piece and all pieces of its width tell different
      value columns (pieces of one width need not share their columns);
    - rows of other pieces are not listed (their padding is judged row by row);
      nor is a row that may have been given a cell too many (``open_edges``, see
      :func:`_open_edges`) where its numbers do not fill the columns told: fitting
      ``|label||43||||||43|`` to the last 7 cells would put 商业企业's 43 under 自然人.
    """
    widths: dict[int, int] = {}  # line → cells on it, for the lines of a loose grid
    for seg in segs:
        for t in (*seg.labels, *seg.values):
            if t.loose and t.cell is not None:
                widths[t.line] = max(widths.get(t.line, 0), t.cell + 1)
    piece_of: dict[int, int] = {}  # line → its piece: a run of lines of one width
    for line in sorted(widths):
        prev = line - 1
        same = prev in widths and widths[prev] == widths[line]
        piece_of[line] = piece_of[prev] if same else len(piece_of)
    # The header of a piece: where the names of the first and last columns stand.
    heads: dict[tuple[int, str], int] = {}
    ends = [c for c in (tmpl.cols[0], tmpl.cols[-1]) if len(tmpl.cols) > 1]
    for seg in segs:
        for t in (*seg.labels, *seg.values):
            if t.kind != "text" or t.line not in piece_of or t.cell is None:
                continue
            for col in ends:
                if col.pattern.search(re.sub(r"\s+", "", t.text)):
                    heads.setdefault((piece_of[t.line], col.code), t.cell)
                    heads.setdefault((-1 - widths[t.line], col.code), t.cell)  # by width
    # The cells that print text (a label, a header) on some line of each width:
    # an empty cell there is a converter's padding, not a value left blank.
    texts: dict[int, set[int]] = {}
    for seg in segs:
        for t in (*seg.labels, *seg.values):
            if t.kind == "text" and t.line in piece_of and t.cell is not None:
                texts.setdefault(widths[t.line], set()).add(t.cell)
    place: dict[str, tuple[int, int]] = {}  # row → its piece and width
    filled: dict[tuple[tuple[str, ...], int, int], set[int]] = {}
    for row in rows:
        values = row.segment.values if row.segment is not None else []
        lines = [t.line for t in values if t.loose and t.cell is not None]
        if not lines:
            continue
        piece, w = piece_of[lines[-1]], widths[lines[-1]]
        place[row.code] = (piece, w)
        nums = {t.cell for t in values if t.kind == "num" and t.cell is not None}
        if nums:
            # Numbers by piece, and by width over all pieces of that width (when a
            # piece prints too few numbers to tell its columns by itself).
            filled.setdefault((row.cols, w, piece), set()).update(nums)
            filled.setdefault((row.cols, w, -1), set()).update(nums)
    widest: dict[tuple[str, ...], int] = {}
    for cols, w, _ in filled:
        widest[cols] = max(widest.get(cols, 0), w)
    out: dict[str, tuple[tuple[int, ...], bool] | None] = {}
    alike = Counter((r.cols, place[r.code][1]) for r in rows if r.code in place)
    for r in rows:
        if r.code not in place:
            continue
        piece, w = place[r.code]
        # A row alone in its width among the rows of its cells, no header line of its
        # width naming its columns, may have been given a cell too many anywhere.
        named = heads.get((-1 - w, r.cols[-1]), -1) - heads.get((-1 - w, r.cols[0]), w) + 1
        r.open_edges = alike[(r.cols, w)] == 1 and named != len(r.cols) and _open_edges(
            [t for t in r.segment.values if t.loose] if r.segment else [], len(r.cols),
            texts.get(w, set()))
        told: list[tuple[tuple[int, ...], bool] | None] = []
        for key in ((r.cols, w, piece), (r.cols, w, -1)):
            if key in filled:
                own = key[2] != -1  # the header's columns count in the row's own piece
                tells, columns = _piece_columns(
                    filled[key], len(r.cols), w, heads.get((piece, r.cols[0]), -1) if own else -1,
                    heads.get((piece, r.cols[-1]), -1) if own else -1,
                    not own and w < widest[r.cols])
                # Where its numbers do not fill the columns told, a row that may have
                # been given a cell too many is not fitted to them (its empty cells
                # are weighed by the identities, see _read_options).
                if tells and not (r.open_edges and columns is not None and not columns[1]):
                    told.append(columns)
        if told:
            # Pieces of one width need not share their columns (markitdown drew
            # rt_014's row 2 of （六） one column right of the rows above it): where
            # its own piece and all pieces of its width tell different value
            # columns, neither is certain, and the identities place the numbers.
            first = told[0]
            agree = all(t is None or first is None or t[0] == first[0] for t in told)
            out[r.code] = first if agree else None
    return out


def _row_spans(rows: list[_Row], segs: list[Segment], tmpl: Template
               ) -> dict[str, dict[int, tuple[int, ...]]]:
    """The cells of a loose grid's rows and the columns each spans, where the header
    lines of the row's piece (its lines before the first that prints a number) name
    every column of the template (see :func:`govopen.spans.header_spans`).

    A later piece of the same width that names no column is read by the header
    of the piece before it when only lines of text stand between them (markitdown
    takes a wrapped label such as 年度办 out of the table, and draws the rest in the
    same columns). After a blank line (a page break) it is not: markitdown draws
    each table by its own words, and a piece of the same width may have other
    columns (rt_016: the cell a wrapped header name made is gone, a padding
    cell added). A piece whose numbers do not all fit the cells its header names
    (two numbers in one column, a number under no column) has other columns than
    its header says: none of its rows is read by it.
    """
    texts, numbers = _grid_cells(segs)
    printed = {t.line for seg in segs for t in (*seg.labels, *seg.values)}
    patterns = [c.pattern for c in tmpl.cols]
    found: dict[int, dict[int, tuple[int, ...]] | None] = {}  # first line of a piece → spans
    before: tuple[int, int, dict[int, tuple[int, ...]] | None] = (-1, -1, None)
    for first, piece in _grid_pieces(texts).items():
        width = max(texts[first])
        head = [[texts[k].get(c, "") for c in range(width + 1)]
                for k in takewhile(lambda k: k not in numbers, piece)]
        spans = header_spans(head, patterns) if head else None
        if spans is None and not any(_names_a_column(cells.values(), patterns)
                                     for cells in map(texts.get, piece[:len(head)]) if cells):
            last, was, spans_before = before
            if was == width and set(range(last + 1, first)) <= printed:
                spans = spans_before  # the same table, only lines of text between
        if spans is not None and not all(_fits(numbers[k], spans, len(patterns))
                                         for k in piece if k in numbers):
            spans = None
        found[first] = spans
        before = (piece[-1], width, spans)
    out: dict[str, dict[int, tuple[int, ...]]] = {}
    codes = tuple(c.code for c in tmpl.cols)
    pieces = _grid_pieces(texts)
    first_of = {k: first for first, piece in pieces.items() for k in piece}
    for row in rows:
        values = row.segment.values if row.segment is not None else []
        lines = {t.line for t in values if t.loose and t.cell is not None}
        if len(lines) != 1:
            continue
        line = lines.pop()
        spans = found.get(first_of[line]) if row.cols == codes else _subtable_spans(
            line, pieces[first_of[line]], texts, numbers, tmpl, row.cols)
        if spans is not None:
            out[row.code] = spans
    return out


def _subtable_spans(line: int, piece: list[int], texts: dict[int, dict[int, str]],
                    numbers: dict[int, dict[int, int]], tmpl: Template, cols: tuple[str, ...]
                    ) -> dict[int, tuple[int, ...]] | None:
    """The columns each cell of a row of table 二 spans, by the header line of its
    sub-table (``信息内容 | 本年制发件数 | …``: the last line of its piece above it
    that names a column, see :func:`govopen.spans.header_spans` with ``runs``),
    where every row of the sub-table fits them."""
    patterns = [c.pattern for c in tmpl.cols]
    heads = [k for k in piece if k not in numbers and _names_a_column(texts[k].values(), patterns)]
    head = max((k for k in heads if k < line), default=None)
    if head is None:
        return None
    width = max(texts[head])
    own = {c.code: c.pattern for c in tmpl.cols}
    spans = header_spans([[texts[head].get(c, "") for c in range(width + 1)]],
                         [own[c] for c in cols], runs=True)
    end = min((k for k in heads if k > head), default=piece[-1] + 1)
    if spans is None or not all(_fits(numbers[k], spans, len(cols))
                                for k in range(head + 1, end) if k in numbers):
        return None
    return spans


def _names_a_column(texts: Iterable[str], patterns: Sequence[re.Pattern[str]]) -> bool:
    """Whether some text (a header cell) names one of the template's columns."""
    return any(p.search(re.sub(r"\s+", "", t)) for p in patterns for t in texts)


def _grid_cells(segs: list[Segment]) -> tuple[dict[int, dict[int, str]], dict[int, dict[int, int]]]:
    """The text of each cell of a loose grid's lines (line → cell → text), and how
    many numbers each cell prints on the lines that print one."""
    texts: dict[int, dict[int, str]] = {}
    numbers: dict[int, dict[int, int]] = {}
    for seg in segs:
        for t in (*seg.labels, *seg.values):
            if t.loose and t.cell is not None:
                cells = texts.setdefault(t.line, {})
                cells[t.cell] = cells.get(t.cell, "") + (t.text if t.kind == "text" else "")
                if t.kind == "num":
                    counts = numbers.setdefault(t.line, {})
                    counts[t.cell] = counts.get(t.cell, 0) + 1
    return texts, numbers


def _grid_pieces(texts: dict[int, dict[int, str]]) -> dict[int, list[int]]:
    """The pieces of a loose grid (runs of lines one after another, of one width),
    by their first line.

    Example:
        >>> _grid_pieces({1: {0: "", 2: ""}, 2: {2: ""}, 3: {1: ""}, 5: {1: ""}})
        {1: [1, 2], 3: [3], 5: [5]}
    """
    out: dict[int, list[int]] = {}
    first = -2
    for line in sorted(texts):
        if not (line - 1 in texts and max(texts[line - 1]) == max(texts[line])):
            first = line
        out.setdefault(first, []).append(line)
    return out


def _fits(counts: dict[int, int], spans: dict[int, tuple[int, ...]], n: int) -> bool:
    """Whether the numbers a line prints in each cell (cell → how many) stand in the
    columns ``spans`` gives its cells, some way.

    Example:
        >>> spans = {3: (0,), 4: (1,), 5: (1,), 6: (2,)}  # column 1 named by cells 4 and 5
        >>> _fits({3: 1, 4: 1, 6: 1}, spans, 3), _fits({4: 1, 5: 1}, spans, 3)
        (True, False)
    """
    return all(c in spans for c in counts) and placements(
        [(c, [c] * counts[c]) for c in sorted(counts)], spans, n, MAX_ALIGNMENTS) is not None


def _read_spans(row: _Row, table: str, result: TableResult,
                spans: dict[int, tuple[int, ...]] | None) -> bool:
    """Read a row by the columns the header says each of its cells spans; False
    (nothing read) unless every value token stands in such a cell, numbers or blanks.

    An empty cell is all its columns blank; ``k`` numbers in a cell of ``m``
    columns stand in it in the order printed, and a number under a wrapped name
    in the column both its cells name (:func:`govopen.spans.placements`); each
    placement is a reading (the row's identities, then the table's column
    identities, choose, or the cells stay NaN).
    """
    if spans is None or row.segment is None or row.doubted:
        return False
    tokens = row.segment.values
    if any(t.cell not in spans and t.kind != "blank" for t in tokens) or any(
            t.kind == "text" for t in tokens):
        return False
    cells: list[tuple[int, list[Token]]] = []
    blanks: dict[int, Token] = {}  # column → the token standing for it when blank
    for cell in sorted(spans):
        printed = [t for t in tokens if t.cell == cell]
        here = [t for t in printed if t.kind == "num"]
        # A cell not printed, or numbers and a blank mark in one cell: not this reading.
        if not printed or len(here) > len(spans[cell]) or here and len(here) != len(printed):
            return False
        cells.append((cell, here))
        at = printed[0]
        for col in spans[cell]:
            # an empty cell (or one blank mark) stands for every column it spans
            if not here:
                blanks[col] = at
            elif col not in blanks:
                blanks[col] = Token("blank", "", at.start, at.start, at.line, joinable=False)
    ways = placements(cells, spans, len(row.cols), MAX_ALIGNMENTS)
    if ways is None:
        return False
    options: list[list[Piece]] = []
    seen: set[tuple[tuple[float | None, bool], ...]] = set()
    for way in ways:
        found = readings([blanks[k] if t is None else t for k, t in enumerate(way)], row.kinds,
                         result.budget)
        if found is None:
            return False
        _add_new(found, seen, options)
    row.options = options
    row.placed = len({tuple(p.value for p in o) for o in options}) > 1
    checks = _row_checks(table, row.cols)
    if checks:
        row.options = _placed(tokens, row, table, options, checks, result.budget,
                              result.findings)
        if result.placed_by_position:
            _replace_by_identity(row, tokens, table, checks, result)
    return True


def _open_edges(values: list[Token], n: int, texts: set[int]) -> bool:
    """Whether the empty cells a row of ``n`` columns would drop at its edges may be
    value cells: some stands in a cell no line of the row's width prints text in.

    A converter's padding is a column a header line named, or stands outside the
    columns a header line of its width names the table's first and last columns
    in, ``n`` apart (the caller's test: markitdown's empty column before 自然人);
    a row given one cell too many (``|label||43||||||43|`` for 7 columns) has no
    header over its extra cell, so which empty cell is the extra one is not known.

    Example:
        >>> row = [Token(k, t, 0, 0, 0, i, loose=True) for i, (k, t) in
        ...        enumerate([("text", "label"), ("blank", ""), ("num", "43")])]
        >>> _open_edges(row[1:], 1, {0}), _open_edges(row[1:], 1, {0, 1})
        (True, False)
    """
    excess = len(values) - n
    if excess <= 0:
        return False
    edges = [*values[:excess], *values[len(values) - excess:]]
    return any(t.kind == "blank" and t.cell is not None and t.cell not in texts for t in edges)


def _piece_columns(nums: set[int], n: int, w: int, head: int, tail: int, narrower: bool
                   ) -> tuple[bool, tuple[tuple[int, ...], bool] | None]:
    """Whether one piece (or all pieces of its width) tells the value columns of a
    row of ``n`` cells, and which (see :func:`_pieces`).

    Example:
        >>> _piece_columns({6, 7, 8, 9, 11, 12, 13}, 7, 14, -1, -1, False)
        (True, ((6, 7, 8, 9, 11, 12, 13), True))
        >>> _piece_columns({7, 8, 9, 11, 12, 13}, 7, 14, -1, -1, False)
        (True, ((7, 8, 9, 10, 11, 12, 13), False))
    """
    first = min(nums)
    if len(nums) == n:
        return True, (tuple(sorted(nums)), True)
    if w - first == n and w - 1 in nums:
        return True, (tuple(range(first, w)), False)
    if tail - head + 1 == n and head >= 0 and head <= first and max(nums) <= tail:
        return True, (tuple(range(head, tail + 1)), False)
    if narrower and w - first < n:
        return True, None
    return False, None


def _read_options(row: _Row, table: str, result: TableResult,
                  piece: tuple[tuple[int, ...], bool] | None | tuple[()] = ()) -> None:
    """All readings of the row's value tokens as its cells.

    ``piece`` holds the value columns of the row's piece of a loose grid and
    whether its numbers fill them all (None: its value columns cannot be told;
    empty: the row is judged by itself; see :func:`_pieces`).
    """
    if row.segment is None or not row.segment.values:
        if row.segment is not None:
            result.findings.append(Issue(
                "row_values_missing", "warning",
                f"no values printed after the label of row {row.code}", table=table, row=row.code))
        return
    if row.doubted:
        return
    tokens = row.segment.values
    shifted = result.shifted or piece is None
    if piece:
        columns, filled = piece
        tokens = _piece_cells(tokens, columns)
        shifted = shifted and not filled
    checks = _row_checks(table, row.cols)
    # Nothing checks where a row without a row identity (table 二) has its blanks,
    # so any of its empty cells may be the padding. Rows with one keep their
    # padding at the edges (merged label columns), as the converters' grids of
    # tables 三 and 四 print it (markitdown's round-trip set reads 15 cells right
    # by it, and none wrong).
    # A row with one cell too many, its extra cell not a named column, may have it
    # anywhere: any of its empty cells is taken for the extra one, and the
    # identities choose (an info issue says so) or the cells stay NaN.
    wide = row.open_edges and len(tokens) > len(row.cols)
    options = _readings(tokens, row.kinds, shifted, result.budget, inside=not checks or wide)
    if options is None:
        _too_many(row, tokens, table, result)
        return
    if not options:
        result.findings.append(Issue(
            "row_cells_mismatch", "error",
            f"row {row.code}: expected {len(row.cols)} cells, found {_shown(tokens)}; left NaN",
            table=table, row=row.code))
    row.options = options
    row.placed = (piece is None or wide) and any(t.loose for t in tokens) and len(
        {tuple(p.value for p in o) for o in options}) > 1
    if checks:
        row.options = _placed(tokens, row, table, options, checks, result.budget,
                              result.findings)
        if result.placed_by_position:
            _replace_by_identity(row, tokens, table, checks, result)



def _replace_by_identity(row: _Row, tokens: list[Token], table: str,
                         checks: list[Callable[[list[float | None]], bool]],
                         result: TableResult) -> None:
    """A row whose numbers the columns they stand in place so that it breaks its
    identities, while another placement of the same numbers, in order, keeps
    them all: the positions are not trusted, and the row's readings are those
    placements (cells where they disagree stay NaN), with a warning.

    PyMuPDF's ``get_text(sort=True)`` spaces a line by its words' widths, so after
    a long Chinese label a number can stand under the next column's header
    (``6 56187 0 20083 76276`` read one cell left, its 总计 blank). A row that
    breaks its identities however its numbers stand (a total the report left
    blank, its own arithmetic) is read as printed.
    """
    options = row.options or []
    inferred = [t for t in tokens if t.kind == "blank" and not t.text]
    if not options or not inferred or any(c([p.value for p in o]) for o in options
                                          for c in checks):
        return
    printed = [t for t in tokens if not (t.kind == "blank" and not t.text)]
    n = len(row.cols)
    if not printed or math.comb(n, n - len(printed)) > _MAX_PLACEMENTS:
        return
    kept: list[list[Piece]] = []
    for slots in combinations(range(n), n - len(printed)):
        it = iter(printed)
        aligned = [inferred[0] if k in slots else next(it) for k in range(n)]
        for option in readings(aligned, row.kinds, result.budget) or []:
            if all(c([p.value for p in option]) for c in checks):
                kept.append(option)
    if kept:
        row.options = kept
        result.findings.append(Issue(
            "row_positions_doubtful", "warning",
            f"row {row.code}: its numbers {_shown(tokens)}, placed by the columns they stand "
            "in, break the row's identities, which another placement of them keeps: a "
            "number may stand a column off; the cells are read where every such placement "
            "agrees, the others left NaN", table=table, row=row.code))

def _piece_cells(tokens: list[Token], columns: tuple[int, ...]) -> list[Token]:
    """A row's value tokens in the value ``columns`` of its piece, with a blank for
    a value column its label's text fills (see :func:`_pieces`)."""
    kept = [t for t in tokens if t.cell in columns]
    have = {t.cell for t in kept}
    for c in columns:
        if c not in have:
            after = next((i for i, t in enumerate(kept) if t.cell is not None and t.cell > c),
                         len(kept))
            near = kept[after] if after < len(kept) else kept[-1] if kept else tokens[0]
            at = near.start if after < len(kept) else near.end
            kept.insert(after, Token("blank", "", at, at, near.line, c, joinable=False, loose=True))
    return kept


def _placed(tokens: list[Token], row: _Row, table: str, options: list[list[Piece]],
            checks: list[Callable[[list[float | None]], bool]], budget: Budget | None,
            findings: list[Issue]) -> list[list[Piece]]:
    """The readings that satisfy the most identities, the blanks of markdown moved if need be.

    In a converter's markdown an empty cell may stand one or more columns away
    from where the blank cell was printed (markitdown: ``| 0 | 36 | 0 | 36 | 4 |
    |`` for ``0 36 _ 0 36 | 4``). When the row as its empty cells place it
    breaks an identity whose total is printed, and placing its numbers anew
    (:func:`_unprinted_blanks`) satisfies more of them, those placements are the
    readings; where they disagree the cells are NaN. A number is never changed,
    only where it stands, and an info issue says the empty cells were overruled:
    a report whose own arithmetic is wrong could otherwise be read as right.
    """
    kept, _ = consistent(options, checks)
    if not kept or not any(t.loose for t in tokens) or not any(
            t.kind == "blank" for t in tokens):
        return kept
    values = [p.value for p in kept[0]]
    failed = [c for c in checks if not c(values)]
    # An identity whose total is printed blank says nothing of where cells stand.
    if not failed or not all(isinstance(c, partial) and all(
            values[i] is not None for i, _ in c.args[1]) for c in failed):
        return kept
    score = len(checks) - len(failed)
    moved = _readings(tokens, row.kinds, True, budget)
    if not moved:
        return kept
    better, _ = consistent(moved, checks)
    if better and sum(bool(c([p.value for p in better[0]])) for c in checks) > score:
        name = "四" if table == "appeals" else row.code  # section 四 is read as one row
        findings.append(Issue(
            "cells_placed_by_identity", "info",
            f"row {name}: the converter's empty cells break an identity whose total is "
            f"printed; the numbers {_shown(tokens)} are placed where the identities hold "
            "(none changed)", table=table, row=row.code))  # the caller blanks 四's row
        return better
    return kept



def _alignments(tokens: list[Token], n: int) -> list[list[Token]]:
    """The ways to drop the padding of a tab-separated row with too many cells.

    Word and PDF tables often add empty cells at the start or end of a row
    (merged label columns). Only empty cells at either end can be padding; every
    way to drop enough of them is a candidate, and the table's identities choose
    between the readings they give (:func:`_readings`).
    """
    excess = len(tokens) - n
    if excess <= 0:
        return [tokens]

    def pad(tok: Token) -> bool:
        return tok.kind == "blank" and tok.cell is not None

    # Linear, not quadratic in the row's length: ``lead`` cells can be dropped at
    # the start if the first ``lead`` are padding, likewise at the end.
    leading = next((i for i, t in enumerate(tokens) if not pad(t)), len(tokens))
    trailing = next((i for i, t in enumerate(reversed(tokens)) if not pad(t)), len(tokens))
    out = [tokens[lead:len(tokens) - (excess - lead)]
           for lead in range(max(0, excess - trailing), min(excess, leading) + 1)]
    return out or [tokens]


def _loose_alignments(tokens: list[Token], n: int) -> list[list[Token]] | None:
    """The ways to drop the padding of a markdown row with too many cells.

    A converter's grid may add an empty column inside a table as well as at its
    edges (pymupdf4llm split rt_045's header 本年新公开数量 in two columns, and
    ``|规范性文件|0||28||`` printed 28 in the second): any of the row's empty
    cells may be the padding, and where the ways to drop them disagree the cells
    stay NaN. None past :data:`MAX_ALIGNMENTS` ways (the row is ambiguous).

    Example:
        >>> cells = [Token(k, t, 0, 0, 0, i, loose=True)
        ...          for i, (k, t) in enumerate([("num", "0"), ("blank", ""), ("num", "28"),
        ...                                      ("blank", "")])]
        >>> [[t.text or "∅" for t in a] for a in _loose_alignments(cells, 3)]
        [['0', '28', '∅'], ['0', '∅', '28']]
    """
    excess = len(tokens) - n
    pads = [i for i, t in enumerate(tokens) if t.kind == "blank" and t.cell is not None]
    if excess <= 0 or len(pads) < excess:
        return _alignments(tokens, n)
    if math.comb(len(pads), excess) > MAX_ALIGNMENTS:
        return None
    return [[t for i, t in enumerate(tokens) if i not in dropped]
            for dropped in map(set, combinations(pads, excess))]


def _misfit(tokens: list[Token], n: int) -> bool:
    """A row of a loose grid whose cells do not fit ``n`` (padding aside)."""
    return any(t.loose for t in tokens) and len(_alignments(tokens, n)[0]) != n


def _unprinted_blanks(tokens: list[Token], n: int, shifted: bool = False
                      ) -> list[list[Token]] | None:
    """Where a text that never glues cells left out blank cells: every placement.

    The numbers of a row of a loose grid that does not fit (or of a grid found
    ``shifted``) are placed the same way, its empty cells set aside. None when
    the row is not such a row (or has too many placements to list).
    """
    if any(t.loose for t in tokens) and (shifted or _misfit(tokens, n)):
        printed = [t for t in tokens if t.kind != "blank"]
        if not printed:
            # A row that prints no number at all: wherever its cells are, all are blank.
            head = tokens[0]
            return [[Token("blank", "", head.start, head.start, head.line, joinable=False)
                     for _ in range(n)]]
        tokens = printed
    elif any(t.joinable for t in tokens) or len({t.cell for t in tokens}) > 1:
        return None
    missing = n - len(tokens)
    if missing < 0 or not tokens:
        return None
    if math.comb(n, missing) > _MAX_PLACEMENTS:
        return None
    out = []
    for slots in combinations(range(n), missing):
        it = iter(tokens)
        row: list[Token] = []
        for k in range(n):
            if k in slots:
                prev = row[-1] if row else tokens[0]
                at = prev.end if row else prev.start
                row.append(Token("blank", "", at, at, prev.line, joinable=False))
            else:
                row.append(next(it))
        out.append(row)
    return out


def _add_new(found: list[list[Piece]], seen: set[tuple[tuple[float | None, bool], ...]],
             options: list[list[Piece]]) -> None:
    """Append to ``options`` the readings of ``found`` not yet ``seen`` (by value and blank)."""
    for r in found:
        key = tuple((p.value, p.blank) for p in r)
        if key not in seen:
            seen.add(key)
            options.append(r)


def _readings(tokens: list[Token], kinds: tuple[str, ...], shifted: bool = False,
              budget: Budget | None = None, inside: bool = False) -> list[list[Piece]] | None:
    """Readings of a row under every alignment of its padding (None: too many).

    ``inside``: a markdown row's padding may be any of its empty cells, not only
    those at its edges (see :func:`_loose_alignments`).
    """
    options: list[list[Piece]] = []
    seen: set[tuple[tuple[float | None, bool], ...]] = set()
    # Placements of unprinted blanks have their own bound (_MAX_PLACEMENTS).
    alignments = _unprinted_blanks(tokens, len(kinds), shifted)
    if not alignments:
        alignments = (_loose_alignments if inside and any(t.loose for t in tokens)
                      else _alignments)(tokens, len(kinds))
        if alignments is None or len(alignments) > MAX_ALIGNMENTS:
            return None  # a budget: past it the row is ambiguous
    for aligned in alignments:
        found = readings(aligned, kinds, budget)
        if found is None:
            return None
        _add_new(found, seen, options)
        if len(seen) > MAX_READINGS:  # the same budget over all alignments together
            return None
    return options


def _too_many(row: _Row, tokens: Sequence[Token], table: str, result: TableResult) -> None:
    row.options, row.too_many = [], True
    result.findings.append(Issue(
        "ambiguous_cells", "warning",
        f"row {row.code}: {_shown(tokens)} can be read as too many combinations of cells "
        "to list; left NaN", table=table, row=row.code))


def _shown(tokens: Sequence[Token]) -> str:
    return " | ".join(t.text or "∅" for t in tokens) or "nothing"


def _row_checks(table: str, cols: Sequence[str],
                row: str | None = None) -> list[Callable[[list[float | None]], bool]]:
    """The row identities of ``table`` (``identities.csv``) as checks of a row's readings.

    ``cols`` are the row's cells; with ``row`` given, they are named ``row.col``
    (section 四, read as one row of all its cells).
    """
    checks: list[Callable[[list[float | None]], bool]] = []
    for ident in _OWN_IDENTITIES:
        if ident.table != table or ident.scope != "row":
            continue
        names = [t.code if row is None else f"{row}.{t.code}" for t in (*ident.parts,
                                                                        *ident.whole)]
        if not set(names) <= set(cols):
            continue
        idx = [(cols.index(n), t.sign) for n, t in zip(names, (*ident.parts, *ident.whole),
                                                        strict=True)]
        checks.append(partial(_holds, idx[:len(ident.parts)], idx[len(ident.parts):]))
    return checks


def _holds(parts: Sequence[tuple[int, int]], whole: Sequence[tuple[int, int]],
           values: Sequence[float | None]) -> bool:
    """Whether printed parts add up to a printed whole (blanks count as 0)."""
    return math.isclose(sum(sign * (values[i] or 0) for i, sign in parts),
                        sum(sign * (values[i] or 0) for i, sign in whole), abs_tol=1e-9)


# An identity's parts and whole, its ``group:`` terms expanded to the rows present.
_Terms = tuple[tuple[Term, ...], tuple[Term, ...]]


def _place_jointly(rows: list[_Row], table: str, result: TableResult) -> None:
    """Rows whose readings disagree, placed by the column identities of the whole table.

    Each row's own identities leave a row printing fewer numbers than cells
    with several placements of its blanks; the column identities (``identities.csv``)
    tie the rows together. Every joint choice of one reading per row that
    satisfies every identity it touches is found (:func:`govopen.joint.solve`);
    the cells on which those choices agree are taken, with status
    ``ok_by_identity`` and one info issue naming the rows. Only rows whose
    readings all satisfy their own row identities take part: an identity with a
    row that is missing (but for a markdown row printed as its label alone, see
    :func:`_label_only_rows`), unreadable or whose own total fails is not used. An
    identity that fails in some column whatever the choice (the report's
    arithmetic is broken) leaves every row it touches as it was, and so does a
    search past its bound; no number is changed, only where it stands.
    """
    # A row the template lacks may be part of any total: nothing is placed then.
    if any(r.code.startswith("extra:") for r in rows) or not any(
            r.options and len(r.options) > 1 for r in rows):
        return
    cols = rows[0].cols
    # (a row read apart with cells left unread: those cells are unknown, not 0)
    usable = {r.code: r for r in rows if r.options and r.cols == cols and not r.unread and all(
        all(check([p.value for p in o]) for check in _row_checks(table, r.cols))
        for o in r.options)}
    usable |= _label_only_rows(rows, cols)
    # The usable identities that touch a row with several readings, joined into
    # groups that share such rows: each group is searched by itself.
    groups: list[tuple[set[str], list[_Terms]]] = []
    for ident in _OWN_IDENTITIES:
        if ident.table != table or ident.scope != "col":
            continue
        parts, whole = ident.expand([r.code for r in rows])
        codes = [t.code for t in (*parts, *whole)]
        if not parts or len(set(codes)) < len(codes) or any(c not in usable for c in codes):
            continue
        touched = {c for c in codes if len(usable[c].options or []) > 1}
        if not touched:
            continue
        joined = [g for g in groups if g[0] & touched]
        groups = [g for g in groups if not g[0] & touched]
        groups.append((touched.union(*(g[0] for g in joined)),
                       [i for g in joined for i in g[1]] + [(parts, whole)]))
    placed = [code for _, idents in groups for code in _place_group(usable, idents, len(cols))]
    if placed:
        result.findings.append(Issue(
            "cells_placed_by_identity", "info",
            f"section {_zh(table)}: rows {', '.join(placed)} can be read in several ways "
            "(blank cells not printed, or digits without separators); their cells are taken "
            "where every choice of readings that satisfies the table's column identities "
            "agrees (no number changed, only where it stands)", table=table))


def _label_only_rows(rows: list[_Row], cols: tuple[str, ...]) -> dict[str, _Row]:
    """The rows of a markdown table printed as their label alone, each as one
    reading of blank cells, for the column identities (their cells stay ``missing``).

    markitdown takes a row whose cells are all empty out of its table and prints
    its label as a line of text (the balanced set's rt_012: ``二、上年结转政府信息
    公开申请数量`` between two pipe rows). Such a row adds nothing to a column's
    sum; were its numbers lost instead, no choice of the other rows' readings
    would satisfy every column, and nothing is placed.
    """
    if not any(t.loose for r in rows if r.segment is not None for t in r.segment.values):
        return {}
    out = {}
    for r in rows:
        if r.segment is not None and not r.segment.values and r.cols == cols and not r.doubted:
            at = r.segment.start
            out[r.code] = _Row(r.code, r.cols, r.kinds, r.segment,
                               [[Piece(None, "", at, at, blank=True) for _ in cols]])
    return out


def _place_group(usable: dict[str, _Row], idents: list[_Terms], width: int) -> list[str]:
    """Narrow the readings of the rows of ``idents`` to those of the joint choices;
    the rows some of whose cells that settles."""
    index: dict[str, int] = {}
    sums: list[Sum] = []
    for parts, whole in idents:
        terms = tuple((index.setdefault(t.code, len(index)), t.sign) for t in parts) + tuple(
            (index.setdefault(t.code, len(index)), -t.sign) for t in whole)
        totals = tuple(index[t.code] for t in whole)
        sums += [Sum(terms, k, totals) for k in range(width)]
    variables = [usable[code] for code in index]
    used = solve([[tuple(p.value for p in o) for o in r.options or []] for r in variables],
                 sums)
    if used is None or not all(used):
        return []
    placed = []
    for row, keep in zip(variables, used, strict=True):
        options = row.options or []
        if len(keep) == len(options):
            continue
        row.options = [options[i] for i in sorted(keep)]
        row.by_identity = frozenset(
            k for k in range(width) if len({o[k].value for o in options}) > 1
            and len({o[k].value for o in row.options}) == 1)
        if row.by_identity:
            placed.append(row.code)
    return placed


def _money_unit(text: str, prev: _Row | None, row: _Row) -> str:
    """The money unit stated in the header above a row (元, 万元 or "")."""
    seg = row.segment
    if seg is None:
        return ""
    lo = prev.segment.end if prev is not None and prev.segment is not None else max(
        0, seg.start - 200)
    first_value = seg.values[0].start if seg.values else seg.end
    header = re.sub(r"\s+", "", text[lo:first_value])
    if "万元" in header:
        return "万元"
    if re.search(r"[(（:：单位]元|元[)）]", header):
        return "元"
    return ""


def _emit(row: _Row, table: str, result: TableResult) -> None:
    """Turn a row's surviving readings into cells (NaN where they disagree)."""
    n = len(row.cols)
    if not row.options:
        raw = "".join(t.text for t in row.segment.values) if row.segment else ""
        status = "missing" if row.segment is None or not row.segment.values else (
            "ambiguous" if row.too_many else "unreadable")
        for col in row.cols:
            result.cells.append(Cell(table, row.code, col, None, raw if status != "missing" else "",
                                     status, row.segment.start if row.segment else None))
        return
    ambiguous = []
    for k in range(n):
        if k in row.unread:
            result.cells.append(Cell(table, row.code, row.cols[k], None, "", "ambiguous", None))
            continue
        pieces = {p[k].value for p in row.options}
        piece = row.options[0][k]
        if len(pieces) == 1:
            value, unit = _canonical(piece, row.kinds[k], row.unit_hint, table, row, k, result)
            status = "blank" if piece.blank else "ok_by_identity" if k in row.by_identity else "ok"
            result.cells.append(Cell(table, row.code, row.cols[k], value, piece.raw, status,
                                     piece.start, unit))
        else:
            ambiguous.append(k)
            tok_raw = _token_text(row, piece)
            result.cells.append(Cell(table, row.code, row.cols[k], None, tok_raw, "ambiguous",
                                     piece.start, "万元" if row.kinds[k] == "money" else "",
                                     _candidates(row, k)))
    if row.placed and not ambiguous:
        result.findings.append(Issue(
            "cells_placed_by_identity", "info",
            f"row {row.code}: the converter's columns do not say where its blank cells stand; "
            f"the numbers {_shown(row.segment.values if row.segment else [])} are placed where "
            "the identities hold, the only placement that does (none changed)",
            table=table, row=row.code))
    if ambiguous:
        listed = sorted({"/".join(shown(p.value) for p in opt) for opt in row.options})
        more = f" (+{len(listed) - 8} more)" if len(listed) > 8 else ""
        result.findings.append(Issue(
            "ambiguous_cells", "warning",
            f"row {row.code}: the printed digits can be read as {'; '.join(listed[:8])}{more} "
            f"({'/'.join(row.cols)}); cells {', '.join(row.cols[k] for k in ambiguous)} "
            "left NaN", table=table, row=row.code, col=",".join(row.cols[k] for k in ambiguous)))


def _candidates(row: _Row, k: int) -> tuple[float, ...]:
    """The values the surviving readings give cell ``k`` (blank readings left out),
    in the cell's unit (money in 万元), ascending."""
    scratch = TableResult()  # unit findings are reported once, for the chosen cells
    assert row.options is not None  # only ambiguous rows, which have readings
    values = {_canonical(opt[k], row.kinds[k], row.unit_hint, "", row, k, scratch)[0]
              for opt in row.options}
    return tuple(sorted(float(v) for v in values if v is not None))


def _token_text(row: _Row, piece: Piece) -> str:
    for tok in row.segment.values if row.segment is not None else []:
        if tok.start <= piece.start < tok.end:
            return tok.text
    return piece.raw


def _canonical(piece: Piece, kind: str, hint: str, table: str, row: _Row, k: int,
               result: TableResult) -> tuple[float | None, str]:
    if kind == "number":
        return piece.value, piece.unit if piece.unit in ("元", "万元") else ""
    if piece.value is None or kind != "money":
        return piece.value, ""
    unit = piece.unit if piece.unit in ("元", "万元") else hint
    if unit == "元":
        return round(piece.value / 10_000, 10), "万元"
    if not unit:
        result.findings.append(Issue(
            "unit_assumed", "info",
            f"{row.code}.{row.cols[k]}: no unit printed for {piece.raw!r}; taken as 万元",
            table=table, row=row.code, col=row.cols[k]))
    return piece.value, "万元"


# --- section 四 --------------------------------------------------------------

def _read_appeals(segs: list[Segment], tmpl: Template, result: TableResult) -> None:
    """Section 四 is one row of 15 cells under a three-level header.

    Its only labels are column headers, so the values are all value tokens of
    segments that print at least one number, in order (this also reads tables
    printed as three labelled rows of five).
    """
    cols = [c.code for c in tmpl.cols]
    tokens = [t for s in segs if any(v.kind == "num" for v in s.values) for t in s.values]
    if not tokens:
        # No number at all: a printed row of empty cells is still 15 blank cells.
        rows = [s.values for s in segs if len(_alignments(s.values, 15)[0]) == 15]
        tokens = rows[-1] if rows else []
    if not tokens:
        result.findings.append(Issue("row_values_missing", "error",
                                       "no numbers found in section 四", table="appeals"))
        for r in _APPEAL_ROWS:
            for c in cols:
                result.cells.append(Cell("appeals", r, c, None, "", "missing"))
        return
    row = _Row("appeals", tuple(f"{r}.{c}" for r in _APPEAL_ROWS for c in cols),
               ("count",) * 15, Segment("", values=tokens))
    staged = TableResult()
    options = _readings(tokens, row.kinds, result.shifted, result.budget)
    if options:
        options = _from_first_cell(options, tokens, segs, tmpl)
    if options is None:
        _too_many(row, tokens, "appeals", staged)
    elif options:
        checks = [c for r in _APPEAL_ROWS for c in _row_checks("appeals", row.cols, r)]
        row.options = _placed(tokens, row, "appeals", options, checks, result.budget,
                              staged.findings)
        if _unplaced(tokens, options, segs, checks):
            row.options = options
    else:
        row.options = []
        staged.findings.append(Issue(
            "row_cells_mismatch", "error",
            f"section 四: expected 15 cells, found {_shown(tokens)}; left NaN", table="appeals"))
    _emit(row, "appeals", staged)
    for cell in staged.cells:
        r, c = cell.col.split(".")
        cell.row, cell.col = r, c
        result.cells.append(cell)
    for f in staged.findings:
        f.row = ""  # the staged row code "appeals" is not one of the contract's rows
        result.findings.append(f)


def _unplaced(tokens: list[Token], options: list[list[Piece]], segs: list[Segment],
              checks: list[Callable[[list[float | None]], bool]]) -> bool:
    """Whether section 四's unprinted blank cells are left unplaced: its numbers,
    one a line, are fewer than its cells, some stand above a header line (a dump
    of one cell per line that mixes the table's text with numbers from elsewhere:
    nothing says which are 四's) and no placement keeps all three row identities.
    A placement keeping one of them then says nothing of the rest (rt_038's
    pdfminer text printed numbers of table 三 between 四's headers: 731 = 731
    held by chance and moved 7277 60 0 0 7 into 复议后起诉); only cells all
    placements agree on are read."""
    printed = [t for t in tokens if t.kind == "num"]
    if not printed or len(printed) >= len(options[0]) or len(
            {t.line for t in printed}) < len(printed) or any(
            t.loose for t in tokens):
        return False
    heads = [t.line for s in segs for t in s.labels if t.line > printed[0].line]
    return bool(heads) and not consistent(options, checks)[1]


def _from_first_cell(options: list[list[Piece]], tokens: list[Token], segs: list[Segment],
                     tmpl: Template) -> list[list[Piece]]:
    """The readings of section 四's row that start with the number a markdown row
    prints in its first cell, where the header's first cell names 结果维持 alone.

    In markdown the empty cells of section 四 do not say where its blanks are
    (markitdown draws 15 columns as 12 or 13 cells), but nothing stands left of
    the first cell: a number there is the first column's, unless the first header
    cell names more columns than it (``结果维持 结果纠正``). The other readings,
    placing a blank before it, are dropped (all of them, if none is left).
    """
    first = tokens[0] if tokens else None
    if first is None or not first.loose or first.cell != 0 or first.kind != "num":
        return options
    heads = [t for s in segs for t in (*s.labels, *s.values)
             if t.loose and t.cell == 0 and t.line < first.line and t.kind == "text"]
    names = [c.pattern for c in tmpl.cols]
    if not any(names[0].search(t.text) and not any(p.search(t.text) for p in names[1:])
               for t in heads):
        return options
    kept = [o for o in options if o[0].value is not None and not o[0].blank
            and o[0].start == first.start]
    return kept or options

