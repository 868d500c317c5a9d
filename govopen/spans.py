"""Which template columns each cell of a converter's table header spans.

pymupdf4llm and markitdown draw a sparse table with fewer columns than the
template: one header cell names several columns (``商业企业<br>科研机构<br>
社会公益组织`` over three). Where the header names every template column in
exactly one cell, in order, each cell of a row under it holds the cells of the
columns it spans: an empty cell is all of them blank, and the numbers in a cell
stand in its columns in the order printed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from govopen.templates import template

_SPACE = re.compile(r"\s+")


def header_spans(lines: Sequence[Sequence[str]], patterns: Sequence[re.Pattern[str]]
                 ) -> dict[int, tuple[int, ...]] | None:
    """Cell → the template columns (indices into ``patterns``) it names, or None
    unless every column is named in exactly one cell, the cells in column order.

    ``lines`` are the header lines of one table, each a list of its cells' texts.

    Example:
        >>> pats = [re.compile(p) for p in ("自然人", "商业企业", "科研机构", "^总计$")]
        >>> header_spans([["", "自然人", "", "总计"], ["", "", "商业企业 科研机构", ""]], pats)
        {1: (0,), 2: (1, 2), 3: (3,)}
        >>> header_spans([["自然人", "商业企业", "总计"]], pats) is None  # 科研机构 unnamed
        True
    """
    where: list[int] = []
    for pattern in patterns:
        cells = {k for line in lines for k, text in enumerate(line)
                 if pattern.search(_SPACE.sub("", text))}
        if len(cells) != 1:
            return None
        where.append(cells.pop())
    # Columns in order, each cell a run of them: the cells never go back.
    if where != sorted(where):
        return None
    out: dict[int, tuple[int, ...]] = {}
    for col, cell in enumerate(where):
        out.setdefault(cell, ())
        out[cell] += (col,)
    return out


def requests_columns() -> list[re.Pattern[str]]:
    """The patterns naming table 三's columns (the same in both formats)."""
    return [c.pattern for c in template("requests", "2021").cols]
