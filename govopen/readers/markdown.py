r"""Markdown as converters write it: pipe tables, headings, emphasis.

Crawlers and PDF converters (pymupdf4llm, markitdown, docling, MinerU) emit
markdown: tables as pipe rows (``| 规章 | 0 | 0 | 3 |``) under a rule line
(``|---|---|``), ``<br>`` for a line break inside a cell, ``## 三、…`` headings and
``**bold**``. The text reader turns a pipe row into a row of cells (what every
reader produces for a table), drops rule lines, and strips heading and emphasis
marks from other lines, so markdown reads like any other layout.

Example:
    >>> pipe_cells("|三、<br>本<br>年|（一）予以公开|1288| |")
    ['三、\n本\n年', '（一）予以公开', '1288', '']
    >>> is_rule("| --- | :---: |"), pipe_cells("规章 0 0 3")
    (True, None)
    >>> plain("## 二、主动公开政府信息情况 **（单位：件）**")
    '二、主动公开政府信息情况 （单位：件）'
"""

from __future__ import annotations

import re

from govopen.sections import find_sections
from govopen.spans import header_spans, requests_columns

_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_BREAK = re.compile(r"^\s*([-*_=])(?:\s*\1){2,}\s*$")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_SPLIT = re.compile(r"(?<!\\)\|")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_EMPHASIS = re.compile(r"\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])")
_TAGS = re.compile(r"</?(?:b|strong|i|em|span|sup|sub|u)\b[^>]*>", re.IGNORECASE)


def is_rule(line: str) -> bool:
    """Whether ``line`` is a markdown table rule (``|---|:---:|``)."""
    return "|" in line and bool(_RULE.match(line))


def pipe_cells(line: str) -> list[str] | None:
    r"""The cells of a markdown pipe row, or None if ``line`` is not one.

    A pipe row starts and ends with ``|``; ``<br>`` inside a cell is a line break
    (``\n``, joined later like any wrapped cell); ``\|`` is a literal bar.
    """
    s = line.strip()
    if len(s) < 2 or not (s.startswith("|") and s.endswith("|")) or is_rule(s):
        return None
    parts = _SPLIT.split(s[1:-1])
    return [plain(_BR.sub("\n", p)).replace("\\|", "|").strip() for p in parts]


_SECTION_START = re.compile(r"^[一二三四五六七八九十][、.．]")
_NUMERIC = re.compile(r"^[+\-−]?\d[\d,]*(?:\.\d+)?(?: ?(?:万元|元))?$")


def trusted_cells(cells: list[str]) -> list[str]:
    """The cells of a pipe row, with its value cells merged where they cannot be trusted.

    A converter that misjudges a table's columns prints two numbers in one cell
    (``| 0 87 |``) and empty cells where no column is. In such a row (a cell
    with several numbers and an empty cell among the values) the empty cells
    say nothing about where a blank cell was, so all its numbers become one cell
    and the parser places the blanks by the table's identities, or leaves NaN.

    Example:
        >>> trusted_cells(["三、本", "", "73", "", "", "0 87", "92", "252"])
        ['三、本', '', '73 0 87 92 252']
        >>> trusted_cells(["", "21 0", "0 0", "0 0", "21"])
        ['', '21 0', '0 0', '0 0', '21']
    """
    numeric = [i for i, c in enumerate(cells) if c and all(_NUMERIC.match(p) for p in c.split())]
    if not numeric or not any(len(cells[i].split()) > 1 for i in numeric):
        return cells
    first = numeric[0]
    rest = cells[first:]
    if all(c for c in rest) or any(c and i + first not in numeric for i, c in enumerate(rest)):
        return cells
    return cells[:first] + [" ".join(c for c in rest if c)]


def table_rows(lines: list[str]) -> dict[int, list[str]]:
    """The cells of every pipe row of ``lines`` (by index), judged table by table.

    A converter that misjudges a table's columns in one row (two numbers in one
    cell, see :func:`trusted_cells`) has drawn the columns of the whole table
    from the same guess: rows of it without such a cell may have a number in the
    next column all the same (markitdown prints ``| 0 87 |`` in one row and
    ``| | 0 |`` for the social column in the next). So when any row of a table
    (pipe rows one after another, rule lines between them allowed) needs its
    numbers merged, so do all the rows of that table (a table ends at a line
    that is no pipe row, or where a rule line makes the next header).

    Example:
        >>> rows = table_rows(["|规章|1| |", "|---|---|---|", "|行政许可|0 87| |",
        ...                    "", "|行政处罚| |5|"])
        >>> rows[0], rows[2], rows[4]
        (['规章', '1'], ['行政许可', '0 87'], ['行政处罚', '', '5'])
    """
    out: dict[int, list[str]] = {}
    table: list[int] = []

    def close(rows: list[int]) -> None:
        # A header naming the columns each cell spans explains a cell of several
        # numbers (see govopen.spans): the cells are trusted, the parser reads them.
        merged = any(trusted_cells(out[i]) != out[i] for i in rows) and not spanned(
            [out[i] for i in rows])
        for i in rows:
            out[i] = merge_values(out[i]) if merged else out[i]

    for i, line in enumerate(lines):
        cells = pipe_cells(line)
        if cells is not None:
            out[i] = _heading_joined(cells)
            table.append(i)
        elif is_rule(line):
            # A rule under a row makes that row the header of a new table.
            close(table[:-1])
            del table[:-1]
        else:
            close(table)
            table.clear()
    close(table)
    return out


def spanned(table: list[list[str]]) -> bool:
    """Whether a table's header names the template columns each of its cells spans
    (table 三's, see :func:`govopen.spans.header_spans`), every number stands in such
    a cell with no more numbers than columns, and no text stands among them.

    Example:
        >>> spanned([["", "自然人", "商业企业科研机构社会公益组织", "法律服务机构", "其他", "总计"],
        ...          ["一、本年", "1", "2 3", "", "", "6"]])
        True
        >>> spanned([["", "自然人", "法人或其他组织", "总计"], ["一、本年", "1", "2 3", "6"]])
        False
    """
    first = next((k for k, cells in enumerate(table) if any(map(_numbers, cells))), None)
    if first is None or len({len(cells) for cells in table}) != 1:
        return False
    spans = header_spans(table[:first], requests_columns())
    if spans is None:
        return False
    low = min(spans)
    return all(_numbers(c) and len(c.split()) <= len(spans[k]) if k in spans
               else k < low and not _numbers(c)
               for cells in table[first:] for k, c in enumerate(cells) if c)


def _numbers(cell: str) -> bool:
    return bool(cell) and all(_NUMERIC.match(p) for p in cell.split())


def _heading_joined(cells: list[str]) -> list[str]:
    r"""A section heading a converter broke over a table's first cells, made whole.

    pymupdf4llm takes a heading printed just above a table into its header row,
    a piece in each of the first cells (``|三、收到和<br>（本列|处理政府信息公开申请情况<br>
    数据的…|``, or over three cells ``|三、收到和|处理政府信息公|开申请情况|``): the first
    lines of those cells, read left to right until they name a section, are the heading.

    Example:
        >>> _heading_joined(["三、收到和\n（本列", "处理政府信息公开申请情况\n数据的", "自然人"])
        ['三、收到和处理政府信息公开申请情况\n（本列', '数据的', '自然人']
        >>> _heading_joined(["三、收到和\n（本列", "处理政府信息公\n数据的", "开申请情况\n第一项", ""])
        ['三、收到和处理政府信息公开申请情况\n（本列', '数据的', '第一项', '']
        >>> _heading_joined(["三、本", "（一）予以公开", "3"])
        ['三、本', '（一）予以公开', '3']
    """
    if len(cells) < 2 or not _SECTION_START.match(cells[0]):
        return cells
    heads, rests = zip(*(c.partition("\n")[::2] for c in cells[:_HEADING_CELLS]), strict=True)
    if any(s.start == 0 for s in find_sections(heads[0])):
        return cells
    for n in range(2, len(heads) + 1):
        if any(s.number and s.start == 0 for s in find_sections("".join(heads[:n]))):
            first = f"{''.join(heads[:n])}\n{rests[0]}".rstrip("\n")
            return [first, *rests[1:n], *cells[n:]]
    return cells


# A heading is broken over at most this many cells (pymupdf4llm: two or three).
_HEADING_CELLS = 3


def merge_values(cells: list[str]) -> list[str]:
    """A row's value cells (from its first number on) merged into one cell.

    Example:
        >>> merge_values(["三、本", "", "73", "", "0 87", "92"])
        ['三、本', '', '73 0 87 92']
        >>> merge_values(["申请人情况", "", "自然人"])
        ['申请人情况', '', '自然人']
    """
    numeric = [i for i, c in enumerate(cells) if c and all(_NUMERIC.match(p) for p in c.split())]
    if not numeric:
        return cells
    rest = cells[numeric[0]:]
    if any(c and i + numeric[0] not in numeric for i, c in enumerate(rest)):
        return cells  # text after the numbers: not a row of values
    return cells[:numeric[0]] + [" ".join(c for c in rest if c)]


def plain(line: str) -> str:
    """A line without heading marks, emphasis and inline HTML tags."""
    line = _HEADING.sub("", line)
    line = _TAGS.sub("", _BR.sub(" ", line))
    return _EMPHASIS.sub("", line)


def is_break(line: str) -> bool:
    """A thematic break (``---``, ``***``, ``___``) between blocks of markdown."""
    return bool(_BREAK.match(line))


def looks_like_markdown(lines: list[str]) -> bool:
    """Whether the text has pipe tables (at least two pipe rows and a rule line)."""
    rows = sum(1 for ln in lines if pipe_cells(ln) is not None)
    rules = sum(1 for ln in lines if is_rule(ln))
    return rows >= 2 and rules >= 1
