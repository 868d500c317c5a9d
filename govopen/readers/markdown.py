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
