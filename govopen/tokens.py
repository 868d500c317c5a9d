"""Rows of cells → segments: a row label followed by the values printed after it.

Reports reach the parser in very different shapes: cells separated by tabs (Word,
HTML, PDF tables), by spaces, one cell per line, labels broken over several lines,
or a whole web page flattened onto one line with numbers glued together
(``规范性文件898989``). This module reads any of them as the same sequence of
:class:`Segment` objects, each a label (the text of one or more label cells,
whitespace removed) and the value tokens that follow it.

A line that contains a tab is read cell by cell: cells are certain boundaries and
an empty cell is an explicit blank. Any other line is read as running text:
spaces are certain boundaries between numbers, but digits written together may
still be several cells (:mod:`govopen.split` decides how).

Example:
    >>> segs = segment("规章 0 0 3\\n行政规范性文件0011")
    >>> [(s.label, [t.text for t in s.values]) for s in segs]
    [('规章', ['0', '0', '3']), ('行政规范性文件', ['0011'])]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# A list enumerator such as "2.其他法律…" or "3、危及": one digit, a dot or 、,
# then a non-digit. Checked before numbers, so "00000002.其他" reads as the number
# 0000000 followed by the label "2.其他…" (crawler text glues them).
_ENUMERATOR = re.compile(r"[1-9][.、][ ]?(?=[^\d\s.,]|$)")
# Digits of a date ("2020年") are label text, not a table value.
_DATE = re.compile(r"\d+ ?[年月日号]")
_SIGN = r"(?P<sign>[+\-−]|减少|增加|减|增)?"
_NUMBER = re.compile(
    _SIGN + r"(?P<digits>\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:[ ]?(?P<unit>万元|元|笔|件|个|项|条|次|宗))?"
)
_DASHES = "-/—–−\\"
# Where any of the above can start (a digit, a sign, a dash, a space): every other
# character of a run is label text, passed over in one step.
_MAY_START = re.compile(r"[\d +\-−减增" + re.escape(_DASHES) + "]")
_SPACES = re.compile(r"\s+")
# What a blank cell may be printed as.
BLANK_MARKS = frozenset({"", "-", "/", "—", "——", "–", "−", "\\", "无", "空"})


@dataclass
class Token:
    """One piece of a table: a label fragment, a number, or a blank cell.

    ``kind`` is ``text``, ``num`` or ``blank``. ``start``/``end`` are offsets in
    the document text (for provenance). ``cell`` is the tab-separated cell index
    on its line (``None`` for running text); ``glued`` is true when the number
    may stand for several cells written without a separator.
    """

    kind: str
    text: str
    start: int
    end: int
    line: int
    cell: int | None = None
    sign: int = 1
    digits: str = ""
    unit: str = ""
    joinable: bool = True  # False where the text's form never glues cells
    loose: bool = False  # a cell of a grid whose empty cells may not be cells

    @property
    def glued(self) -> bool:
        return self.kind == "num" and self.cell is None and self.joinable


@dataclass
class Segment:
    """A label (whitespace removed) and the value tokens printed after it.

    ``detached`` marks the values of a row whose label cell is printed empty
    (``| | 1 0 | 0 0 |`` in a converter's markdown): the label they belong to
    stands on a line of its own, above or below (:func:`govopen.tables.read_tables`
    pairs them).
    """

    label: str
    labels: list[Token] = field(default_factory=list)
    values: list[Token] = field(default_factory=list)
    detached: bool = False

    @property
    def start(self) -> int:
        toks = self.labels or self.values
        return toks[0].start if toks else 0

    @property
    def end(self) -> int:
        toks = self.values or self.labels
        return toks[-1].end if toks else 0


def tokenize(text: str, offset: int = 0, glued: bool = True, grid: bool = True) -> list[Token]:
    """Split text into label, number and blank tokens, line by line.

    ``offset`` is added to every position, for text cut from a larger document.
    ``glued=False`` says the text never prints two cells without a separator
    (a PDF converter's dump): a run of digits is then always one cell.
    ``grid=False`` says the empty cells of tab-separated rows may stand where the
    table has no cell (a converter's markdown); their tokens are ``loose``.

    Example:
        >>> [(t.kind, t.text) for t in tokenize("政府集中采购\\t36\\t162000 元\\t")]
        [('text', '政府集中采购'), ('num', '36'), ('num', '162000 元'), ('blank', '')]
    """
    tokens: list[Token] = []
    pos = offset
    for lineno, line in enumerate(text.split("\n")):
        if "\t" in line:
            cell_start = pos
            for ci, cell in enumerate(line.split("\t")):
                tokens.extend(_tokenize_cell(cell, cell_start, lineno, ci))
                cell_start += len(cell) + 1
        else:
            tokens.extend(_tokenize_run(line, pos, lineno, None))
        pos += len(line) + 1
    for tok in tokens:
        tok.joinable = glued
        tok.loose = not grid and tok.cell is not None
    return tokens


def _tokenize_cell(cell: str, start: int, lineno: int, ci: int) -> list[Token]:
    stripped = cell.strip()
    if stripped in BLANK_MARKS:
        lead = len(cell) - len(cell.lstrip())
        return [Token("blank", stripped, start + lead, start + lead + len(stripped), lineno, ci)]
    return _tokenize_run(cell, start, lineno, ci)


def _tokenize_run(text: str, start: int, lineno: int, ci: int | None) -> list[Token]:
    """Tokens of running text: numbers, blank marks and label fragments."""
    out: list[Token] = []
    label_from: int | None = None
    i, n = 0, len(text)

    def flush_label(upto: int) -> None:
        nonlocal label_from
        if label_from is not None:
            piece = text[label_from:upto].strip()
            if piece:
                s = start + text.index(piece, label_from)
                out.append(Token("text", piece, s, s + len(piece), lineno, ci))
            label_from = None

    while i < n:
        if text[i] == " ":
            i += 1  # ends a number; inside a label ("结果 维持") it stays in the label
            continue
        m = _ENUMERATOR.match(text, i) or _DATE.match(text, i)
        if m:
            label_from = i if label_from is None else label_from
            i = m.end()
            continue
        m = _NUMBER.match(text, i)
        if m and not _sign_is_label(text, i, m, label_from is not None):
            end, digits = m.end(), m.group("digits").replace(",", "")
            if not m.group("unit") and "." not in digits and _ENUMERATOR.match(text, end - 1):
                # The last digit is the enumerator of the next label.
                end, digits = end - 1, digits[:-1]
            flush_label(i)
            sign = m.group("sign") or ""
            out.append(Token("num", text[i:end], start + i, start + end, lineno, ci,
                             sign=-1 if sign in ("-", "−", "减", "减少") else 1,
                             digits=digits, unit=m.group("unit") or ""))
            i = end
            continue
        if text[i] in _DASHES and _standalone(text, i):
            flush_label(i)
            j = i
            while j < n and text[j] in _DASHES:
                j += 1
            out.append(Token("blank", text[i:j], start + i, start + j, lineno, ci))
            i = j
            continue
        label_from = i if label_from is None else label_from
        nxt = _MAY_START.search(text, i + 1)
        i = nxt.start() if nxt else n
    flush_label(n)
    return out


def _sign_is_label(text: str, i: int, m: re.Match[str], in_label: bool) -> bool:
    """增/减 right after label text are label characters (``本年增/减3960181``)."""
    sign = m.group("sign")
    if not sign:
        return False
    # A "-" glued to digits ("88-720") starts the next, negative, value.
    return sign[0] in "增减" and in_label and i > 0 and text[i - 1] != " "


def _standalone(text: str, i: int) -> bool:
    """A dash or slash that is a whole cell (spaces or line edges around it)."""
    j = i
    while j < len(text) and text[j] in _DASHES:
        j += 1
    return (i == 0 or text[i - 1] == " ") and (j == len(text) or text[j] == " ")


def segment(text: str, offset: int = 0, glued: bool = True, grid: bool = True) -> list[Segment]:
    """Group the tokens of ``text`` into label + values segments.

    Rules that make all layouts read alike:

    * consecutive label tokens form one label, even across lines (labels broken
      over lines, vertical header text one character per line);
    * in a tab-separated line, empty cells before a label are merged-cell
      padding and are dropped, and values end at the end of the line;
    * in running text, values continue across lines until the next label;
    * a row of cells whose first (label) cell is empty and that prints numbers
      and no label is a segment of its own, ``detached`` (see :class:`Segment`).

    Example:
        >>> [(s.label, len(s.values)) for s in segment("\\t(二) 部分公开\\t1\\t\\t2\\n")]
        [('(二)部分公开', 3)]
    """
    segs: list[Segment] = []
    cur = Segment("")
    row_values = False  # cur holds the values of a tab-separated row
    for line in _lines(tokenize(text, offset, glued, grid)):
        if line[0].cell is not None:
            line = _drop_padding(line)
            filled = [t for t in line if t.kind != "blank"]
            if len(filled) == 1 and filled[0].kind == "num" and (filled[0].cell or 0) <= 2 \
                    and line[-1] is filled[0]:
                # One cell per line ("\t0" under "\t规章"): an indented value and
                # nothing after it continues the row instead of being a row of its own.
                line = filled
            elif _detached(line):
                if cur.labels or cur.values:
                    segs.append(cur)
                segs.append(Segment("", values=line, detached=True))
                cur, row_values = Segment(""), False
                continue
            elif any(t.kind != "text" for t in line):
                if cur.values and row_values:
                    segs.append(cur)
                    cur = Segment("")
                row_values = True
        for tok in line:
            if tok.kind == "text":
                if cur.values:
                    segs.append(cur)
                    cur = Segment("")
                    row_values = False
                cur.labels.append(tok)
                cur.label += _SPACES.sub("", tok.text)
            else:
                cur.values.append(tok)
    if cur.labels or cur.values:
        segs.append(cur)
    return segs


def _detached(line: list[Token]) -> bool:
    """A row of cells with an empty first cell, numbers, and no label."""
    return (line[0].kind == "blank" and line[0].cell == 0 and not line[0].text
            and all(t.kind != "text" for t in line)
            and sum(t.kind == "num" for t in line) >= 2)


def _lines(tokens: list[Token]) -> list[list[Token]]:
    lines: list[list[Token]] = []
    for tok in tokens:
        if lines and lines[-1][0].line == tok.line:
            lines[-1].append(tok)
        else:
            lines.append([tok])
    return lines


def _drop_padding(line: list[Token]) -> list[Token]:
    """Drop runs of empty cells that are followed by a label on the same line."""
    keep: list[Token] = []
    pending: list[Token] = []
    for tok in line:
        if tok.kind == "blank":
            pending.append(tok)
            continue
        if tok.kind == "num":
            keep.extend(pending)
        pending = []
        keep.append(tok)
    keep.extend(pending)
    return keep
