r"""Columns of text laid out with spaces (``pdftotext -layout``): where blank cells are.

A layout dump keeps each number where it stood on the page, but a blank cell
leaves only spaces. pdftotext sets each word at the column the words left of
it push it to, giving each character one column (a Chinese character counting
as one, though printed two wide), so a word under a Chinese one starts at the
column of the character above its x, and a word right of one starts after its
characters: a header cell 自然人 at column 40 reaches over the numbers under it
from 40 to somewhere between 43 and 46. It lays out each page anew (the same x
may print several columns further right on the next page), so a block of rows
ends at a page break. Rows of one block share their column positions: the
numbers of all its rows gather in narrow groups, the columns, and each row's
numbers are placed in their groups; the columns a row leaves empty are its
blank cells. A column blank in every row leaves no group, so the header's
lowest cells stand for the columns where the groups fall clearly on them,
measured each way a cell may reach, and only where the ways agree (a lone
group, too; a block after a page break has no header: it is placed by its
groups alone; tables under the same header line on one page are placed
together); a block whose columns move
(pdftotext lays out groups of rows apart) is placed in two parts, and without
a header two groups that may be one column's two places are not placed. Where the
groups are not clear-cut (a number between two), the rows that print a number
in every column show where the columns are, and every other row's numbers are
placed in the nearest column. A row is converted only where this is certain:
its numbers each fall clearly into one column, in order. Anything else stays
text, and the parser places its blanks by the identities or leaves them NaN.

Example:
    >>> lines = ["规章              1        2        3",
    ...          "行政规范性文件         4                 6"]
    >>> align_columns(lines)
    [['规章', '1', '2', '3'], ['行政规范性文件', '4', '', '6']]
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

_CHUNK = re.compile(r"\S+(?: \S+)*")
_VALUE = re.compile(r"^(?:[+\-−]?\d[\d,]*(?:\.\d+)?(?:万元|元)?|[-/—–−\\]+)$")


def _items(line: str) -> tuple[list[str], list[tuple[int, int, str]], int] | None:
    """Label chunks, value items (start, end, text) and where the label ends, or None."""
    labels: list[str] = []
    end = 0
    values: list[tuple[int, int, str]] = []
    for m in _CHUNK.finditer(line):
        parts = m.group().split(" ")
        if all(_VALUE.match(p) for p in parts):
            pos = m.start()
            for p in parts:
                values.append((pos, pos + len(p), p))
                pos += len(p) + 1
        elif values:
            return None  # text after the numbers: not a plain row
        else:
            labels.append(m.group())
            end = m.end()
    if values and labels:
        # A number one space after a long label (pdftotext gives a Chinese
        # character one column) is the row's first cell, not part of its label.
        parts = labels[-1].split(" ")
        k = len(parts)
        while k > 1 and _VALUE.match(parts[k - 1]):
            k -= 1
        pos = end - len(" ".join(parts[k:]))
        first = []
        for p in parts[k:]:
            first.append((pos, pos + len(p), p))
            pos += len(p) + 1
        if first:
            labels[-1], end = " ".join(parts[:k]), first[0][0] - 1
            values[:0] = first
    return (labels, values, end) if values else None


def align_columns(lines: list[str], pages: list[int] | None = None,
                  widths: frozenset[int] = frozenset()) -> list[list[str] | None]:
    """For each line, its cells (labels, then one cell per column) or None (keep as text).

    ``pages``: the page of each line; a page break ends a block of rows, since
    pdftotext lays out each page's columns anew; a line of text only where the
    labels stand (a row whose cells are all blank) does not end it.
    ``widths``: how many columns a table may have; the header above a block
    gives its columns only when it has that many (:func:`_header_columns`).
    """
    blocks: list[tuple[list[int], list[str]]] = []
    block: list[int] = []
    quiet = 0
    rows = [_items(ln) for ln in lines]
    text: list[int] = []  # lines of text since the last row: a header, perhaps
    head: list[str] = []
    numbers = 0  # where the block's first numbers start, the leftmost
    labels = 0  # where the block's labels end, the rightmost
    for i, ln in enumerate(lines):
        if block and pages is not None and pages[i] != pages[block[-1]]:
            blocks.append((block, head))
            block, quiet = [], 0
        if (row := rows[i]) is not None:
            if not block:
                head = _head(lines, [j for j in text if pages is None or pages[j] == pages[i]],
                             row[2])
            numbers = min(numbers, row[1][0][0]) if block else row[1][0][0]
            labels = max(labels, row[2]) if block else row[2]
            block.append(i)
            quiet, text = 0, []
            continue
        if not ln.strip():
            continue
        if block and len(ln.rstrip()) < numbers and not _header_line(ln, labels):
            # Text only where the labels stand: a row whose cells are all blank.
            continue
        text.append(i)
        quiet += 1
        # A header line (several chunks, no number) or two lines of text end a table.
        if quiet >= 2 or len(_CHUNK.findall(ln)) >= 2:
            blocks.append((block, head))
            block, quiet = [], 0
    blocks.append((block, head))
    out: list[list[str] | None] = [None] * len(lines)
    for block, head in _same_header(blocks, pages):
        _place(block, rows, out, head, widths)
    return out


def _same_header(blocks: list[tuple[list[int], list[str]]], pages: list[int] | None
                 ) -> list[tuple[list[int], list[str]]]:
    """The blocks of rows, those one after another under the same header on one
    page joined (table 二's 行政许可 and 行政处罚 tables print one header each, in
    the same columns: their numbers together show the columns better).

    Example:
        >>> _same_header([([1], ["h"]), ([3], ["h"]), ([5], ["g"])], None)
        [([1, 3], ['h']), ([5], ['g'])]
    """
    out: list[tuple[list[int], list[str]]] = []
    for block, head in blocks:
        if not block:
            continue
        if out and head and out[-1][1] == head and (
                pages is None or pages[out[-1][0][0]] == pages[block[0]]):
            out[-1] = (out[-1][0] + block, head)
        else:
            out.append((block, head))
    return out


def _header_line(line: str, label_end: int) -> bool:
    """Whether a line of text is a header: several chunks, one of them right of
    where the rows' labels end (a header ending before the numbers start, as
    table 二's 信息内容 本年增/减 处理决定数量 may, ends the table above it).

    Example:
        >>> _header_line("信息内容       上一年项目数量", 10), _header_line("年度办  （二）部分公开", 16)
        (True, False)
    """
    chunks = list(_CHUNK.finditer(line))
    return len(chunks) >= 2 and any(m.start() > label_end for m in chunks)


def _head(lines: list[str], text: list[int], label_end: int) -> list[str]:
    """The header of a block of rows: the lines of ``text`` right above its first
    row, at most :data:`_HEAD_LINES`. Rows printed all blank (text only left of
    ``label_end``, where the labels stand) may stand between it and the first
    row; above the header, such a line (a heading) ends it.

    Example:
        >>> _head(["第二十条", "信息内容    本年制发件数", "一、本年新收"], [0, 1, 2], 6)
        ['信息内容    本年制发件数']
    """
    out: list[str] = []
    for j in reversed(text):
        if any(m.start() >= label_end for m in _CHUNK.finditer(lines[j])):
            out.insert(0, lines[j])
            if len(out) == _HEAD_LINES:
                break
        elif out:
            break
    return out


_KEYS = (lambda v: v[0], lambda v: v[1], lambda v: (v[0] + v[1]) / 2)


def _place(block: list[int], rows: list, out: list[list[str] | None],
           head: Sequence[str] = (), widths: frozenset[int] = frozenset()) -> None:
    """Place the numbers of a block of rows in its columns (see the module doc).

    Converters shift and stretch groups of rows (a wider label column), so each
    row is placed by the nearest rows above and below that print every column,
    and only where every way of measuring (left edge, right edge, centre) gives
    the same placement.
    """
    if not block:
        return
    if (placed := _split_clusters(block, rows, head, widths)) is not None:
        for i in block:
            out[i] = [*rows[i][0], *placed[i]]
        return
    k = max(len(rows[i][1]) for i in block)
    refs = [i for i in block if len(rows[i][1]) == k]
    if k < 2:
        return
    for i in block:
        labels, values, _ = rows[i]
        if i in refs:
            out[i] = [*labels, *(v[2] for v in values)]
            continue
        near = [r for r in (max((r for r in refs if r < i), default=None),
                            min((r for r in refs if r > i), default=None)) if r is not None]
        found: set[tuple[str, ...] | None] = set()
        for r in near:
            for key in _KEYS:
                slots = [key(v) for v in rows[r][1]]
                tol = min(b - a for a, b in zip(slots, slots[1:], strict=False)) / 2 - 0.5
                found.add(_fit(values, slots, 0.0, tol, key) if tol > 0 else None)
        fit = found.pop() if len(found) == 1 else None
        if fit is not None:
            out[i] = [*labels, *fit]


def _split_clusters(block: list[int], rows: list, head: Sequence[str],
                    widths: frozenset[int]) -> dict[int, list[str]] | None:
    """:func:`_clusters` of the block, or of its rows above and below the row
    where its columns move (pdftotext lays out groups of rows apart), each part
    on its own, both under the header (of the same page: the header's cells
    reach over a column that moved a few characters); where the block splits
    at more than one row, only if every split places every row alike."""
    def part(rs: list[int], head: Sequence[str]) -> dict[int, list[str]] | None:
        return _clusters(rs, rows, head, widths, max(rows[i][2] for i in rs))

    if (placed := part(block, head)) is not None or not 2 * _PART <= len(block) <= _SPLIT_MAX:
        return placed
    found = []
    for k in range(_PART, len(block) - _PART + 1):
        if (upper := part(block[:k], head)) is not None and (
                lower := part(block[k:], head)) is not None:
            found.append(upper | lower)
    # Every row placed alike wherever the block is split, or not at all.
    return found[0] if found and all(f == found[0] for f in found) else None


# The fewest rows in each part of a block split where its columns move, and the
# most rows of a block that is tried split (a table has a few dozen rows; each
# split costs a pass over the block).
_PART = 2
_SPLIT_MAX = 80

# pdftotext rounds each word's x to a character, so the centres of one column's
# numbers (of different widths) stand up to a character or so apart: centres at
# most _JOIN apart are one column, a column spans at most _SPREAD, and two
# columns stand at least _APART apart (measured on the zoo's 50 reports: within
# a column at most 1, a column at most 1.5 wide, columns at least 4 apart).
# A number between (a gap of more than _JOIN but less than _APART) leaves
# the block to the row-by-row placement below.
_JOIN = 1.5
_SPREAD = 2.0
_APART = 3.5


def _clusters(block: list[int], rows: list, head: Sequence[str] = (),
              widths: frozenset[int] = frozenset(), label_end: float = 0.0
              ) -> dict[int, list[str]] | None:
    """Each row's cells, its numbers placed by the columns all the block's numbers form.

    The centres of all the numbers of the block, sorted, fall into groups with
    wide gaps between them: the columns. Placement is certain when every group is
    narrow, groups stand well apart, no row has two numbers in one group, and
    every group holds two numbers or more or some row fills every group (a lone
    number halfway between two columns would else pass for a column); None
    otherwise. Where each group falls on one of the header's cells
    (:func:`_header_columns`), those are the columns (a column blank in every
    row has its header cell too). Else a column blank in every row of the
    block forms no group, so its rows come out a cell short, which the parser
    does not read (NaN, a ``row_cells_mismatch`` issue), never a number in the
    wrong column. Without the header, the groups must be as many as a table
    has columns (one of ``widths``): more, and a column moved between rows.
    """
    centres = sorted((v[0] + v[1]) / 2 for i in block for v in rows[i][1])
    groups: list[list[float]] = [[centres[0]]]
    for c in centres[1:]:
        if c - groups[-1][-1] > _JOIN:
            groups.append([c])
        else:
            groups[-1].append(c)
    if any(g[-1] - g[0] > _SPREAD for g in groups):
        return None
    if any(b[0] - a[-1] < _APART for a, b in zip(groups, groups[1:], strict=False)):
        return None
    slot, width = list(range(len(groups))), len(groups)
    numbers = [v for i in block for v in rows[i][1]]
    if (found := _header_columns(head, groups, widths, label_end,
                                 _centred(numbers, groups))) is not None:
        slot, width = list(found[0]), found[1]
    elif len(groups) < 2:
        return None  # one group: only a header says which column it is
    elif _moved_apart(block, rows, groups):
        return None
    elif min(map(len, groups)) < 2 and not any(len(rows[i][1]) == width for i in block):
        return None
    elif widths and width not in widths:
        # More groups than a table has columns: a column whose numbers moved
        # between rows (pdftotext lays out groups of rows apart) forms two,
        # and the parser would fit the row's cells one column off.
        return None
    out: dict[int, list[str]] = {}
    for i in block:
        cells = [""] * width
        last = -1
        for v in rows[i][1]:
            c = (v[0] + v[1]) / 2
            s = slot[next(j for j, g in enumerate(groups) if g[0] <= c <= g[-1])]
            if s <= last:
                return None
            cells[s], last = v[2], s
        out[i] = cells
    return out


def _moved_apart(block: list[int], rows: list, groups: list[list[float]]) -> bool:
    """Whether two neighbouring groups may be one column that moved: no row has
    a number in both, the rows of one all stand above the other's, and they
    stand no further apart than a column moves (:data:`_MOVED`).

    pdftotext moves a column a few characters from some row on; where another
    column is blank in every row, the moved column's two places make up the
    table's count of columns, and each group alone would pass for a column.
    Such a block is split where the column moves (:func:`_split_clusters`), but
    a part that takes in a row above the move has both places too: that split
    (one row too high) would read the moved numbers one column right. Without a
    header to tell them apart, such groups are not placed.

    Example:
        >>> rows = {0: ([], [(16, 17, "0")], 4), 1: ([], [(19, 21, "10")], 4)}
        >>> _moved_apart([0, 1], rows, [[16.5], [20.0]])
        True
    """
    def lines(g: list[float]) -> list[int]:
        return [i for i in block for v in rows[i][1] if g[0] <= (v[0] + v[1]) / 2 <= g[-1]]

    for a, b in zip(groups, groups[1:], strict=False):
        if b[0] - a[-1] >= _MOVED:
            continue
        above, below = lines(a), lines(b)
        if max(above) < min(below) or max(below) < min(above):
            return True
    return False


# How far apart the two places of a column that moved between rows may stand
# (centres): pdftotext moves a column up to six characters (rt_018's table 三),
# and numbers of different lengths move their centres up to two more.
_MOVED = 8.5


# A table's header stands in the few lines of text right above its first row;
# its cells are short (a longer chunk is a title or prose).
_HEAD_LINES = 4
_HEAD_CELL = 12
# A group of numbers falls on a header cell when its centre is at most
# _HEAD_NEAR from the cell's and the next nearest cell is _HEAD_CLEAR further.
_HEAD_NEAR = 3.0
_HEAD_CLEAR = 2.5


def _centred(numbers: list[tuple[int, int, str]], groups: list[list[float]]) -> bool:
    """Whether the numbers are set in the middle of their cells: in some group,
    numbers of different lengths start apart and end apart (set left, they
    would start alike; set right, end alike).

    Example:
        >>> _centred([(10, 11, "5"), (8, 13, "12345")], [[10.5, 10.5]])
        True
        >>> _centred([(10, 11, "5"), (10, 15, "12345")], [[10.5, 12.5]])
        False
    """
    for g in groups:
        inside = [v for v in numbers if g[0] <= (v[0] + v[1]) / 2 <= g[-1]]
        if (max(v[0] for v in inside) - min(v[0] for v in inside) >= _CENTRED
                and max(v[1] for v in inside) - min(v[1] for v in inside) >= _CENTRED):
            return True
    return False


# Numbers of one column that start and end this far apart are set in the middle.
_CENTRED = 2


def _header_columns(head: Sequence[str], groups: list[list[float]], widths: frozenset[int],
                    label_end: float, centred: bool = False
                    ) -> tuple[tuple[int, ...], int] | None:
    """The column of each group of numbers, and how many there are, by the header.

    The header's columns are its lowest cells: a cell with none printed under it
    and right of the rows' labels. How far a cell reaches is not certain in a
    dump (:func:`_leaves`), so the cells are found with each of
    :data:`_REACHES`, and the groups fitted to them in three ways: each group
    near one cell's middle (:func:`_on_leaves`), within its span of middles
    (:func:`_spans`) or, where the numbers are ``centred`` (:func:`_centred`:
    set left under cells set in the middle, a number would stand right of the
    cell before its own), from its start to the next cell's (:func:`_from_starts`).
    The columns must be one of ``widths``. The groups are placed only where
    the ways that fit all give the same; None otherwise.

    Example:
        >>> _header_columns(["      自然人  其他  总计"], [[7.5], [16.5]], frozenset({3}), 4)
        ((0, 2), 3)
    """
    found = {_on_leaves(_leaves(head, reach, label_end), groups, widths)
             for reach in _REACHES}
    for reach in _REACHES:
        cells = _cells(head, reach, label_end)
        found.add(_in_spans(_spans(cells), groups, widths))
        if centred:
            found.add(_from_starts(cells, groups, widths))
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def _cells(head: Sequence[str], reach: Callable[[str], int],
           label_end: float) -> list[tuple[int, str]]:
    """The header's lowest cells (start, text), each reaching ``reach`` columns.

    A cell is under another where they overlap. A lowest cell that is the only
    one under the cell above it, and within its characters, is that cell's last
    characters, wrapped (社会公益组 over 织): the cell above is the column.

    Example:
        >>> _cells(["自然人   社会公益组", "        织"], len, 0)
        [(0, '自然人'), (6, '社会公益组')]
    """
    words = [[(m.start(), m.group()) for m in re.finditer(r"\S+", ln)] for ln in head]

    def over(a: tuple[int, str], b: tuple[int, str]) -> bool:
        return a[0] < b[0] + reach(b[1]) and b[0] < a[0] + reach(a[1])

    out = set()
    for k, line in enumerate(words):
        for w in line:
            if any(over(w, b) for below in words[k + 1:] for b in below):
                continue
            above = [a for a in words[k - 1] if over(a, w)] if k else []
            if (len(above) == 1 and [b for b in line if over(above[0], b)] == [w]
                    and above[0][0] <= w[0] and w[0] + len(w[1]) <= above[0][0] + len(above[0][1])):
                w = above[0]  # the wrapped end of the cell above, within it
            if len(w[1]) <= _HEAD_CELL and w[0] + len(w[1]) / 2 > label_end:
                out.add(w)
    return sorted(out)


def _spans(cells: list[tuple[int, str]]) -> list[tuple[float, float]]:
    """Where the numbers under each cell have their middles: between the cell's
    middle counted in characters and its middle counted in printed width (see
    :func:`_leaves`), give or take :data:`_SPAN_SLACK`.

    Example:
        >>> _spans([(0, '自然人'), (6, '社会公益组')])
        [(0.5, 4.0), (7.5, 12.0)]
    """
    return [(start + len(text) / 2 - _SPAN_SLACK, start + _printed(text) / 2 + _SPAN_SLACK)
            for start, text in cells]


def _in_spans(spans: list[tuple[float, float]], groups: list[list[float]],
              widths: frozenset[int]) -> tuple[tuple[int, ...], int] | None:
    """The span each group lies in, all of it, and how many spans, or None
    (spans that overlap, or a group in none)."""
    if len(spans) not in widths or any(
            b[0] <= a[1] for a, b in zip(spans, spans[1:], strict=False)):
        return None
    slot: list[int] = []
    for g in groups:
        inside = [j for j, (lo, hi) in enumerate(spans) if lo <= g[0] and g[-1] <= hi]
        if len(inside) != 1 or (slot and inside[0] <= slot[-1]):
            return None
        slot.append(inside[0])
    return tuple(slot), len(spans)


def _from_starts(cells: list[tuple[int, str]], groups: list[list[float]],
                 widths: frozenset[int]) -> tuple[tuple[int, ...], int] | None:
    """Each group's cell where the header's cells start where their columns do
    (set left, over numbers set in the middle: 本年制发件数 of table 二): each
    group from one cell's start to the next's, all as far from their cell's
    start (:data:`_SPREAD`), a lone group under its cell's printed width (no
    other group shows how far from their starts the numbers stand); or None.

    Example:
        >>> _from_starts([(4, "本年制发件数"), (20, "本年废止件数"), (36, "现行有效件数")],
        ...              [[26.5], [42.0]], frozenset({3}))
        ((1, 2), 3)
    """
    starts = [c[0] for c in cells]
    if len(starts) not in widths:
        return None
    slot: list[int] = []
    for g in groups:
        inside = [j for j, (s, text) in enumerate(cells)
                  if s <= g[0] and (len(groups) > 1 or g[-1] <= s + _printed(text)) and (
                      j + 1 == len(starts) or g[-1] < starts[j + 1])]
        if len(inside) != 1 or (slot and inside[0] <= slot[-1]):
            return None
        slot.append(inside[0])
    offsets = [(g[0] + g[-1]) / 2 - starts[j] for g, j in zip(groups, slot, strict=True)]
    if max(offsets) - min(offsets) > _SPREAD:
        return None
    return tuple(slot), len(starts)


def _leaves(head: Sequence[str], reach: Callable[[str], int], label_end: float) -> list[float]:
    """The middles of the header's lowest cells, each reaching ``reach`` columns.

    pdftotext sets a word at the column of its x but gives each character one
    column, so a Chinese word reaches over at least its characters and at most
    its printed width (two a character) of the words under it: 自然人 at column
    40 ends by 43 or by 46.

    Example:
        >>> _leaves(["自然人", "      商业企业"], len, 0)
        [1.5, 8.0]
        >>> _leaves(["自然人", "      商业企业"], _printed, 0)
        [8.0]
    """
    cells = [[((m.start() + m.end()) / 2, reach(m.group()) / 2, m.group())
              for m in re.finditer(r"\S+", ln)] for ln in head]
    leaves = []
    for k, line in enumerate(cells):
        for mid, half, t in line:
            under = any(abs(mid2 - mid) < half + half2
                        for below in cells[k + 1:] for mid2, half2, _ in below)
            if not under and len(t) <= _HEAD_CELL and mid > label_end:
                leaves.append(mid)
    return sorted(leaves)


def _on_leaves(leaves: list[float], groups: list[list[float]],
               widths: frozenset[int]) -> tuple[tuple[int, ...], int] | None:
    """The leaf each group falls on clearly (at most :data:`_HEAD_NEAR` from its
    middle, :data:`_HEAD_CLEAR` nearer than to the next), each on its own, all
    shifted alike, and how many leaves; or None."""
    if len(leaves) not in widths or any(
            b - a < _APART for a, b in zip(leaves, leaves[1:], strict=False)):
        return None
    slot: list[int] = []
    shift: list[float] = []
    for g in groups:
        mid = (g[0] + g[-1]) / 2
        near = sorted(range(len(leaves)), key=lambda j: abs(leaves[j] - mid))
        d = [abs(leaves[j] - mid) for j in near[:2]]
        if d[0] > _HEAD_NEAR or (len(d) > 1 and d[1] - d[0] < _HEAD_CLEAR):
            return None
        if slot and near[0] <= slot[-1]:
            return None
        slot.append(near[0])
        shift.append(mid - leaves[near[0]])
    if max(shift) - min(shift) > _SPREAD:
        return None
    return tuple(slot), len(leaves)


def _printed(text: str) -> int:
    """How many columns ``text`` prints over: a wide (Chinese) character two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# How far a header cell reaches over the cells under it: by its characters or
# by its printed width (see :func:`_leaves`).
_REACHES: tuple[Callable[[str], int], ...] = (len, _printed)
# How far the middle of a number may stand outside its header cell's span of
# middles (:func:`_spans`): pdftotext rounds each word's x to a column.
_SPAN_SLACK = 1.0


def _fit(values: list, slots: list[float], d: float, tol: float,
         key: Callable[[Any], float]) -> tuple[str, ...] | None:
    """The row's cells with its numbers in the columns ``slots`` shifted by ``d``."""
    cells = [""] * len(slots)
    last = -1
    for v in values:
        at = key(v) - d
        s = min(range(len(slots)), key=lambda j: abs(at - slots[j]))
        if abs(at - slots[s]) > tol or s <= last:
            return None
        cells[s], last = v[2], s
    return tuple(cells)


# --- columns printed one after another (plain pdftotext) ---------------------

_NUMBER_LINE = re.compile(r"^\s*[+\-−]?\d[\d,]*(?:\.\d+)?\s*$")
# Header lines between two columns of one table: how long each, how many.
_HEADER_MAX = 12
_HEADERS_BETWEEN = 8


def stacked_columns(lines: list[str],
                    is_header: Callable[[str], bool | None] = lambda _: False
                    ) -> dict[int, tuple[int, ...]]:
    r"""Tables printed column by column: their rows, by the line where each starts.

    Plain ``pdftotext`` writes the page's text in blocks; where the cells of one
    column stand one under another it writes them as one block, a number a line,
    and the cells of ``m`` columns under one header as one block, row by row.
    Two or more blocks of numbers of two lines or more in a row, with
    nothing between them but blank lines or a few short lines (no digits) of
    which one names a column (``is_header`` true) and none a row (``is_header``
    None: the numbers after a row's label are that row), all of a length that is a multiple of the shortest ``k``, are the
    columns, left to right, of ``k`` rows of a table. The result maps the line of each row's first
    number to the lines of its numbers, in column order.

    Example:
        >>> stacked_columns(["1", "2", "", "3", "4", "其他", "5", "6", "7", "8"],
        ...                 is_header=lambda line: line == "其他")
        {0: (0, 3, 6, 7), 1: (1, 4, 8, 9)}
        >>> stacked_columns(["规章", "1", "2", "", "规范性文件", "3", "4"])  # rows
        {}
        >>> stacked_columns(["1", "2", "", "3"])  # a block of one line
        {}
    """
    blocks: list[list[int]] = []
    near: list[bool] = []  # only blanks and short headers since the block before
    cur: list[int] = []
    between, header = 0, False
    for i, ln in enumerate([*lines, "\x00" * _HEADER_MAX]):
        if _NUMBER_LINE.match(ln):
            cur.append(i)
            continue
        if cur:
            near.append(bool(blocks) and between >= 0 and (header or not between))
            blocks.append(cur)
            cur, between, header = [], 0, False
        text = ln.strip()
        if text and between >= 0:
            short = len(text.replace(" ", "")) <= _HEADER_MAX and not re.search(r"\d", text)
            between = between + 1 if short and between < _HEADERS_BETWEEN else -1
            named = is_header(text)
            between = -1 if named is None else between
            header = header or bool(named)
    out: dict[int, tuple[int, ...]] = {}
    b = 0
    while b < len(blocks):
        k, e = len(blocks[b]), b + 1
        while e < len(blocks) and near[e]:
            k2 = min(k, len(blocks[e]))
            if k2 < 2 or any(len(blocks[x]) % k2 for x in range(b, e + 1)):
                break
            k, e = k2, e + 1
        if e - b >= 2 and k >= 2:
            # A block of m columns lists them row by row (pdftotext orders the
            # lines of a block top to bottom, then left to right).
            cols = [blocks[x][c::len(blocks[x]) // k] for x in range(b, e)
                    for c in range(len(blocks[x]) // k)]
            for r in range(k):
                out[cols[0][r]] = tuple(col[r] for col in cols)
        b = e
    return out
