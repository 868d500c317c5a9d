"""Which template columns each cell of a converter's table header spans.

pymupdf4llm and markitdown draw a sparse table with fewer columns than the
template: one header cell names several columns (``商业企业<br>科研机构<br>
社会公益组织`` over three). Where the header names every template column, the
cells in column order, each cell of a row under it holds the cells of the
columns it spans: an empty cell is all of them blank, and the numbers in a cell
stand in its columns in the order printed.

markitdown also breaks a long name over two header lines and two cells
(``社会公益组`` above, ``织`` on the next line one cell to the right): the
column is then named by both cells, and a number in either stands in it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypeVar

from govopen.templates import template

_SPACE = re.compile(r"\s+")
T = TypeVar("T")


def header_spans(lines: Sequence[Sequence[str]], patterns: Sequence[re.Pattern[str]],
                 runs: bool = False) -> dict[int, tuple[int, ...]] | None:
    """Cell → the template columns (indices into ``patterns``) it names, or None
    unless every column is named, by one cell or by two neighbours (a wrapped
    name), and the cells name the columns in order.

    ``lines`` are the header lines of one table, each a list of its cells' texts.
    With ``runs``, the cells after a named one that no header line prints in, up
    to the next named cell (or the row's end), span its columns too: markitdown
    draws each column of table 二 as three cells, its name in the first and its
    number in the second.

    Example:
        >>> pats = [re.compile(p) for p in ("自然人", "商业企业", "科研机构", "^总计$")]
        >>> header_spans([["", "自然人", "", "总计"], ["", "", "商业企业 科研机构", ""]], pats)
        {1: (0,), 2: (1, 2), 3: (3,)}
        >>> header_spans([["自然人", "商业企业", "总计"]], pats) is None  # 科研机构 unnamed
        True
        >>> header_spans([["自然人", "商业企", "科研机构", "总计"], ["", "业", "", ""]], pats)
        {0: (0,), 1: (1,), 2: (2,), 3: (3,)}
        >>> header_spans([["自然人", "商业企", "", "科研机构", "总计"],
        ...               ["", "", "业", "", ""]], pats)  # 商业企业 over cells 1 and 2
        {0: (0,), 1: (1,), 2: (1,), 3: (2,), 4: (3,)}
        >>> header_spans([["信息内容", "", "本年制发件数", "", "本年废止件数 现行有效件数", ""]],
        ...              [re.compile(p) for p in ("制发", "废止", "现行有效")], runs=True)
        {2: (0,), 3: (0,), 4: (1, 2), 5: (1, 2)}
    """
    width = max((len(line) for line in lines), default=0)
    grid = [[_SPACE.sub("", line[k]) if k < len(line) else "" for k in range(width)]
            for line in lines]
    # A name wrapped over header lines (``社会公益组`` above ``织``) is read down its cell.
    down = ["".join(line[k] for line in grid) for k in range(width)]
    named: list[set[int]] = []
    for pattern in patterns:
        cells = {k for line in (*grid, down) for k, text in enumerate(line) if pattern.search(text)}
        cells |= _wrapped_tails(lines, pattern, cells)
        named.append(cells)
    if not all(named):
        return None
    # Columns in order, each cell a run of them: the cells never go back, and a
    # column named by two cells is named by neighbours.
    for cells, after in zip(named, named[1:], strict=False):
        if max(cells) > min(after) or max(cells) - min(cells) > 1:
            return None
    if max(named[-1]) - min(named[-1]) > 1:
        return None
    out: dict[int, tuple[int, ...]] = {}
    for col, cells in enumerate(named):
        for cell in sorted(cells):
            out.setdefault(cell, ())
            out[cell] += (col,)
    if runs:
        for cell, end in zip(sorted(out), [*sorted(out)[1:], width], strict=True):
            for k in range(cell + 1, end):
                if down[k]:
                    break  # a header text the template does not know: not the column's
                out[k] = out[cell]
    return dict(sorted(out.items()))


def _wrapped_tails(lines: Sequence[Sequence[str]], pattern: re.Pattern[str],
                   heads: set[int]) -> set[int]:
    """The cells holding the tail of a name wrapped onto a later header line one
    cell to the right of its head (``社会公益组`` in one cell, ``织`` below in the
    next), where neither names the column alone; empty unless ``heads`` is."""
    if heads:
        return set()
    out = set()
    for i, line in enumerate(lines):
        for k, text in enumerate(line):
            head = _SPACE.sub("", text)
            if not head or k + 1 >= max(len(x) for x in lines):
                continue
            for below in lines[i + 1:]:
                tails = below[k + 1].split() if k + 1 < len(below) else []
                if any(pattern.search(head + tail) for tail in tails):
                    out |= {k, k + 1}
    return out


def placements(cells: Sequence[tuple[int, Sequence[T]]], spans: dict[int, tuple[int, ...]],
               n: int, limit: int) -> list[list[T | None]] | None:
    """Every way to stand the numbers printed in each cell in the ``n`` columns
    its header spans, in the order printed (None: a blank column), or None when
    there are none or more than ``limit``.

    ``cells`` are (cell, its numbers) in cell order. A column two cells name holds
    a number printed in either, never two.

    Example:
        >>> placements([(0, ["5"]), (1, ["6", "7"])], {0: (0,), 1: (1, 2)}, 3, 10)
        [['5', '6', '7']]
        >>> placements([(0, []), (1, ["6"])], {0: (0, 1), 1: (1, 2)}, 3, 10)
        [[None, '6', None], [None, None, '6']]
    """
    numbers = [(cell, x) for cell, xs in cells for x in xs]
    out: list[list[T | None]] = []

    def place(i: int, low: int, row: list[T | None]) -> bool:
        if i == len(numbers):
            out.append(list(row))
            return len(out) <= limit
        cell, x = numbers[i]
        for col in spans.get(cell, ()):
            if col >= low:
                row[col] = x
                if not place(i + 1, col + 1, row):
                    return False
                row[col] = None
        return True

    if not place(0, 0, [None] * n):
        return None
    return out or None


def requests_columns() -> list[re.Pattern[str]]:
    """The patterns naming table 三's columns (the same in both formats)."""
    return [c.pattern for c in template("requests", "2021").cols]
