"""Tables whose labels are printed apart from their numbers, column by column (plain pdftotext).

Plain ``pdftotext`` writes a page's text in blocks: a table's row labels come
first, one a line, then its columns, each a block of numbers one a line (or the
columns under one header as one block, row by row), each under its header. A
blank cell leaves no line, so a column block one number short could have its
blank in any row. Here the blocks are read in the order they were printed (the
lines of the text file, not the order the reader reassembled them in): a block
with exactly one number per cell is read; in a shorter one the blank cells are
placed where the row identities say (:func:`place_blanks`) or its cells stay
unread (NaN). Nothing is read unless every label and header stands where this
layout puts it.

Example:
    >>> from govopen.templates import template
    >>> from govopen.tokens import segment
    >>> text = "一、本年新收政府信息公开申请数量\\n二、上年结转政府信息公开申请数量\\n\\n自然人\\n3\\n4\\n"
    >>> lines = {i: text.count("\\n", 0, i) + 1 for i in range(len(text))}
    >>> [(got, short)] = columns_apart(segment(text), template("requests", "2021"), lines.get)
    >>> [(row, [t.text if t else None for t in cells][:2]) for row, cells in got.items()]
    [('new', ['3', None]), ('carried_over', ['4', None])]
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from math import prod

from govopen.templates import Template
from govopen.tokens import Segment, Token

# A row's cells as read (None: not read), by row code.
Read = dict[str, list[Token | None]]
# Blocks holding fewer numbers than cells: (row codes, column codes, the numbers),
# the columns' cells row by row.
Short = list[tuple[tuple[str, ...], tuple[str, ...], list[Token]]]
# Past this many ways to take a row's cells of a page's short blocks (counts of
# blanks used times blank-or-number choices of the row's cells), their blank
# cells are not placed: the walk costs that much per row.
MAX_PLACEMENTS = 10_000
# Where a sub-table of section 二 starts: its clause of the regulations.
# How many column headers may stand before a block of table 二 besides its own
# (see :func:`_proactive`).
_HEADERS_AHEAD = 1
_CLAUSE = re.compile(r"第二十条|第20条")


@dataclass
class _Chunk:
    """Consecutive lines of label text, or a block of numbers on consecutive lines."""

    lines: list[int]
    texts: list[str]  # one per line (label chunks)
    numbers: list[Token]  # number blocks

    @property
    def text(self) -> str:
        return re.sub(r"\s+", "", "".join(self.texts))


def _chunks(segs: list[Segment], line_of: Callable[[int], int | None]) -> list[_Chunk] | None:
    """The table's label chunks and number blocks in printed order, or None when a
    line prints a label and a number (not this layout) or a token's line is unknown."""
    by_line: dict[int, list[Token]] = {}
    seen: set[int] = set()
    for seg in segs:
        for tok in (*seg.labels, *seg.values):
            if tok.start in seen or tok.kind == "blank":
                continue
            seen.add(tok.start)
            line = line_of(tok.start)
            if line is None:
                return None
            by_line.setdefault(line, []).append(tok)
    out: list[_Chunk] = []
    last = -2
    for line in sorted(by_line):
        toks = sorted(by_line[line], key=lambda t: t.start)
        kinds = {t.kind for t in toks}
        if len(kinds) > 1 or (kinds == {"num"} and len(toks) > 1):
            return None
        number = kinds == {"num"}
        prev = out[-1] if out else None
        # Chunks are cut by any line between them (a blank line too).
        if prev is not None and bool(prev.numbers) == number and line == last + 1:
            prev.lines.append(line)
        else:
            prev = _Chunk([line], [], [])
            out.append(prev)
        if number:
            prev.numbers.append(toks[0])
        else:
            prev.texts.append(" ".join(t.text for t in toks))
        last = line
    return out


def _rows_named(text: str, tmpl: Template) -> list[int]:
    """The template rows a label chunk names, in order: consecutive rows of the
    template each found after the one before, and no other row named (else [])."""
    found = [(m.start(), j) for j, d in enumerate(tmpl.rows) if (m := d.pattern.search(text))]
    if not found:
        return []
    j, pos, named = min(found)[1], 0, []
    while j < len(tmpl.rows) and (m := tmpl.rows[j].pattern.search(text, pos)):
        named.append(j)
        pos, j = m.end(), j + 1
    rest = text[pos:]
    if any(d.pattern.search(rest) for d in tmpl.rows[j:]) or any(
            tmpl.rows[i].pattern.search(text) for i in range(named[0])):
        return []
    return named


# Where a numbered row label starts inside running text: "3.", "(四)", "五、"
# (not "第(八)项", a clause of the law).
ROW_START = re.compile(r"(?<!第)[(（][一二三四五六七八九十]{1,2}[)）]|[一二三四五六七八九十]{1,2}、"
                       r"|(?<![\d.])\d{1,2}[.．、](?!\d)")


def _rows_listed(text: str, tmpl: Template) -> list[int]:
    """The template rows a label chunk lists in another order (the labels of a
    wider label column first): each numbered label names at most one row, and
    the rows named are consecutive rows of the template, each once (else [])."""
    starts = [m.start() for m in ROW_START.finditer(text)]
    if not starts:
        return []
    named: list[int] = []
    for a, b in zip(starts, [*starts[1:], len(text)], strict=True):
        hits = [j for j, d in enumerate(tmpl.rows) if d.pattern.search(text, a, b)]
        if len(hits) > 1:
            return []
        named += hits
    if not named or text[:starts[0]].strip() and any(
            d.pattern.search(text, 0, starts[0]) for d in tmpl.rows):
        return []
    ordered = sorted(named)
    return ordered if ordered == list(range(ordered[0], ordered[-1] + 1)) else []


def _cols_named(chunk: _Chunk, tmpl: Template) -> list[int]:
    """The columns of the template a header chunk names (by line and as a whole)."""
    texts = [re.sub(r"\s+", "", t) for t in chunk.texts] + [chunk.text]
    return sorted({k for k, c in enumerate(tmpl.cols) if any(c.pattern.search(t) for t in texts)})


def columns_apart(segs: list[Segment], tmpl: Template,
                  line_of: Callable[[int], int | None]) -> list[tuple[Read, Short]]:
    """Rows of a table printed apart from their labels, column by column.

    ``line_of`` gives the line of the text file a document offset was printed on.
    Returns for each page the cells read of each row (None where a column's
    block is short) and the short columns. See the module doc.
    """
    chunks = _chunks(segs, line_of)
    if not chunks:
        return []
    pages = [_proactive(chunks, tmpl)] if tmpl.table == "proactive" else _pages(chunks, tmpl)
    return [page for page in pages if page[0]]


def _is_header(chunk: _Chunk, tmpl: Template) -> bool:
    """A chunk of column headers: it names a column and at most one row (总计, 其他)."""
    return bool(_cols_named(chunk, tmpl)) and len(_rows_named(chunk.text, tmpl)) <= 1


def _stretches(chunks: list[_Chunk], tmpl: Template
               ) -> list[tuple[list[_Chunk], list[_Chunk], _Chunk | None]]:
    """The text before each number block (and after the last), split into its label
    chunks and its header chunks (the first column's header may stand above the
    labels)."""
    out: list[tuple[list[_Chunk], list[_Chunk], _Chunk | None]] = []
    texts: list[_Chunk] = []
    for chunk in [*chunks, None]:
        if chunk is not None and not chunk.numbers:
            texts.append(chunk)
            continue
        heads = [c for c in texts if _is_header(c, tmpl)]
        out.append(([c for c in texts if c not in heads], heads, chunk))
        texts = []
    return out


def _merged(chunks: list[_Chunk]) -> _Chunk:
    return _Chunk([ln for c in chunks for ln in c.lines], [t for c in chunks for t in c.texts], [])


def _pages(chunks: list[_Chunk], tmpl: Template) -> list[tuple[Read, Short]]:
    """Section 三: on each page a list of row labels, then column blocks.

    Under headers, a block whose headers name columns ``a`` … (up to where the
    next block's headers start) holds those columns row by row. A page printed
    without headers (the header stands on the page before) shows one block
    per column, left to right, when it shows as many blocks as columns. A block
    is read when it holds exactly one number per cell of the rows listed. A
    block without headers among blocks with, or text that names rows (another
    page) ends the page.
    """
    pages: list[tuple[Read, Short]] = []
    rows: list[int] = []
    headed = False
    blocks: list[tuple[list[int], _Chunk]] = []
    for labels, heads, block in _stretches(chunks, tmpl):
        text = _merged(labels).text if labels else ""
        named = _rows_named(text, tmpl) or _rows_listed(text, tmpl)
        # Text that names a row ends the page (the next page's labels, if in order).
        if block is None or any(d.pattern.search(text) for d in tmpl.rows):
            if rows and blocks:
                pages.append(_page(rows, blocks, headed, tmpl))
            rows, blocks, headed = named if len(named) >= 2 else [], [], bool(heads)
        elif headed and blocks and not heads and not labels:
            # A block straight under a block, no header between: the same columns
            # broken at a tall row.
            named, above = blocks.pop()
            block = _Chunk(above.lines + block.lines, [], above.numbers + block.numbers)
            blocks.append((named, block))
            continue
        elif bool(heads) != headed:
            rows, blocks = [], []  # a block without headers among blocks with: not this layout
        if rows and block is not None:
            blocks.append((_cols_named(_merged(heads), tmpl) if heads else [], block))
    return pages


def _page(rows: list[int], blocks: list[tuple[list[int], _Chunk]], headed: bool,
          tmpl: Template) -> tuple[Read, Short]:
    read: Read = {}
    short: Short = []
    widths = {tmpl.rows[j].cols for j in rows}
    if len(widths) != 1:
        return read, short
    row_cols = widths.pop()
    if headed:
        firsts = [named[0] for named, _ in blocks]
        ends = [*firsts[1:], blocks[-1][0][-1] + 1]
        if firsts != sorted(set(firsts)) or any(
                named[-1] >= end for (named, _), end in zip(blocks, ends, strict=True)):
            return read, short
    elif len(blocks) == len(row_cols) and all(len(b.numbers) <= len(rows) for _, b in blocks):
        firsts = [tmpl.cols.index(next(c for c in tmpl.cols if c.code == code))
                  for code in row_cols]
        ends = [f + 1 for f in firsts]
    else:
        return read, short
    codes = tuple(tmpl.rows[j].code for j in rows)
    for (_, block), first, end in zip(blocks, firsts, ends, strict=True):
        cols = tuple(c.code for c in tmpl.cols[first:end])
        if any(c not in row_cols for c in cols):
            continue
        for code in codes:
            read.setdefault(code, [None] * len(row_cols))
        if len(block.numbers) != len(cols) * len(codes):
            short.append((codes, cols, block.numbers))
            continue
        for r, code in enumerate(codes):
            for c, col in enumerate(cols):
                read[code][row_cols.index(col)] = block.numbers[r * len(cols) + c]
    return read, short


def _proactive(chunks: list[_Chunk], tmpl: Template) -> tuple[Read, Short]:
    """Section 二: all row labels first, then one block per column of each sub-table.

    The sub-tables are the rows under one clause heading (第二十条第(x)项). Plain
    pdftotext prints their columns left to right, the sub-tables top to bottom,
    each column's header before its block; where two sub-tables of several
    columns stand one under the other (the 2019 form) it interleaves their
    columns, so then nothing is read.
    """
    first = next((i for i, c in enumerate(chunks) if c.numbers or _is_header(c, tmpl)), 0)
    text = _merged(chunks[:first]).text if first else ""
    rows = _rows_named(text, tmpl)
    if len(rows) != len(tmpl.rows):
        return {}, []
    subs: list[list[int]] = []
    pos, clause = 0, -1
    for j in rows:
        m = tmpl.rows[j].pattern.search(text, pos)
        assert m is not None  # _rows_named found every row in this order
        here = len(_CLAUSE.findall(text, 0, m.start()))
        if here != clause:
            subs.append([])
            clause = here
        subs[-1].append(j)
        pos = m.end()
    if any(len({tmpl.rows[j].cols for j in sub}) != 1 for sub in subs) or sum(
            len(tmpl.rows[sub[0]].cols) > 1 for sub in subs) > 1:
        return {}, []
    wanted = [(sub, col) for sub in subs for col in tmpl.rows[sub[0]].cols]
    blocks = [c for c in chunks[first:] if c.numbers]
    heads = [c for c in chunks[first:] if not c.numbers]
    if len(blocks) != len(wanted) or any(_rows_named(c.text, tmpl) for c in heads):
        return {}, []
    # Each column's header is printed before its block (headers taken in order).
    lines = {col.code: [ln for c in heads for ln, t in zip(c.lines, c.texts, strict=True)
                        if col.pattern.search(re.sub(r"\s+", "", t))] for col in tmpl.cols}
    read: Read = {tmpl.rows[j].code: [None] * len(tmpl.rows[j].cols) for j in rows}
    short: Short = []
    # The headers run at most one column ahead of the blocks (pdftotext prints the
    # next column's header beside a block): a dump that prints every header, then
    # the numbers (pdfminer), says only by the count of its blocks which is whose,
    # and its blocks are pieces of columns broken at blank cells (rt_006: 0 read
    # for 行政许可, 12836 for 行政事业性收费, other columns' numbers).
    starts = sorted(ln for c in heads for ln, t in zip(c.lines, c.texts, strict=True)
                    if any(col.pattern.search(re.sub(r"\s+", "", t)) for col in tmpl.cols))
    if any(sum(h < block.lines[0] for h in starts) > k + 1 + _HEADERS_AHEAD
           for k, block in enumerate(blocks)):
        return {}, []
    for (sub, col), block in zip(wanted, blocks, strict=True):
        if not lines[col] or lines[col].pop(0) > block.lines[0] or len(block.numbers) > len(sub):
            return {}, []
        codes = tuple(tmpl.rows[j].code for j in sub)
        if len(block.numbers) < len(sub):
            short.append((codes, (col,), block.numbers))
            continue
        k = tmpl.rows[sub[0]].cols.index(col)
        for code, tok in zip(codes, block.numbers, strict=True):
            read[code][k] = tok
    return read, short


def _blank(at: Token) -> Token:
    """The cell a blank stands for, placed where ``at`` was printed."""
    return Token("blank", "", at.start, at.start, at.line, joinable=False)


def place_blanks(read: Read, short: Short, cols: dict[str, tuple[str, ...]],
                 holds: Callable[[str, list[float | None]], bool]) -> Short | None:
    """Place the blank cells of short blocks where the row identities say.

    A block of ``n`` numbers for ``n + k`` cells has its ``k`` blanks in some
    ``k`` of its cells, its numbers in order in the others. A placement of all
    blocks' blanks is possible when every row it fills with numbers (no cell
    unread or blank: reports break their sums over blank cells) satisfies its
    identities (``holds``). The rows are walked top to bottom, remembering
    only how many blanks each block has used; a cell is read where every
    possible placement puts the same number (or a blank) in it, and only in a
    row every placement keeps with its own blanks counted as 0 (a placement must
    not pass a row by putting a blank in it: where one does, the column may have
    lost a number). Returns the
    blocks of which cells were read (for the caller's issue), or None, leaving
    ``read`` as it was, when no placement is possible (the columns are not where they were
    taken to be, or the report's sums fail).

    Example (rows a, b whose ``x`` is their total; the column prints one number):
        >>> from govopen.tokens import tokenize
        >>> one, a_total, b_total = [t for t in tokenize("4 4 0") if t.kind == "num"]
        >>> read = {"a": [None, a_total], "b": [None, b_total]}
        >>> cols = {"a": ("x", "total"), "b": ("x", "total")}
        >>> place_blanks(read, [(("a", "b"), ("x",), [one])], cols,
        ...              lambda code, v: v[0] == v[1]) is not None
        True
        >>> [read["a"][0].text, read["b"][0].kind]  # 4 in b would break its total of 0
        ['4', 'blank']
    """
    gaps = [len(codes) * len(bcols) - len(numbers) for codes, bcols, numbers in short]
    if short and min(gaps) < 0:
        return None  # more numbers than cells: the block is not those columns
    if not short or prod(g + 1 for g in gaps) * prod(
            2 ** len(bcols) for _, bcols, _ in short) > MAX_PLACEMENTS:
        return []
    codes_in_order = list(read)
    kept = _placements(codes_in_order, read, short, cols, holds, gaps)
    if kept is None:
        return None
    placed: Short = []
    for cells_here, code in zip(kept, codes_in_order, strict=True):
        if not all(_fits(code, cells, read, cols, holds, strict=True) for cells in cells_here):
            # A placement keeps this row only by putting a blank in it (its sum
            # fails with the blank as 0): a number the column lost, or a total
            # the report left blank; which, the columns cannot tell.
            continue
        for slot in cells_here[0] if cells_here else {}:
            outs = {("blank" if c[slot].kind == "blank" else id(c[slot])) for c in cells_here}
            if len(outs) == 1:
                read[code][cols[code].index(slot)] = cells_here[0][slot]
    for block in short:
        if any(read[code][cols[code].index(c)] is not None for code in block[0] for c in block[1]):
            placed.append(block)
    return placed


def _placements(codes_in_order: list[str], read: Read, short: Short,
                cols: dict[str, tuple[str, ...]],
                holds: Callable[[str, list[float | None]], bool], gaps: list[int]
                ) -> list[list[dict]] | None:
    """For each row, top to bottom, the cells of every possible placement (None: none)."""
    start = tuple(0 for _ in short)
    # layers[r]: state before row r -> the (next state, cells) moves that lead on.
    layers: list[dict[tuple[int, ...], list[tuple[tuple[int, ...], dict]]]] = []
    reach = {start}
    for code in codes_in_order:
        moves: dict[tuple[int, ...], list[tuple[tuple[int, ...], dict]]] = {}
        for state in reach:
            moves[state] = [m for m in _moves(code, state, short, gaps, read, cols)
                            if _fits(code, m[1], read, cols, holds)]
        layers.append(moves)
        reach = {nxt for ms in moves.values() for nxt, _ in ms}
    # Walk back from the end (every block's blanks used) to keep the moves that get there.
    good = {tuple(gaps)}
    kept: list[list[dict]] = []
    for moves in reversed(layers):
        cells_here = [cells for state, ms in moves.items() for nxt, cells in ms if nxt in good]
        good = {state for state, ms in moves.items() if any(nxt in good for nxt, _ in ms)}
        kept.append(cells_here)
    return kept[::-1] if start in good else None


def _moves(code: str, state: tuple[int, ...], short: Short, gaps: list[int], read: Read,
           cols: dict[str, tuple[str, ...]]) -> list[tuple[tuple[int, ...], dict]]:
    """The ways row ``code`` may take its cells of the short blocks, given the
    blanks each block has used: (blanks used after the row, the row's cells)."""
    out: list[tuple[tuple[int, ...], dict]] = [(state, {})]
    for b, (codes, bcols, numbers) in enumerate(short):
        if code not in codes:
            continue
        before = codes.index(code) * len(bcols)
        grown = []
        for nxt, cells in out:
            for mask in range(1 << len(bcols)):
                used = nxt[b] + bin(mask).count("1")
                if used > gaps[b]:
                    continue
                if before + len(bcols) - used > len(numbers):
                    continue  # more numbers than the block printed
                mine = dict(cells)
                blanks = nxt[b]
                for c, col in enumerate(bcols):
                    if mask >> c & 1:
                        mine[col] = _blank(numbers[0])
                        blanks += 1
                    else:
                        mine[col] = numbers[before + c - blanks]
                grown.append(((*nxt[:b], used, *nxt[b + 1:]), mine))
        out = grown
    return out


def _fits(code: str, cells: dict, read: Read, cols: dict[str, tuple[str, ...]],
          holds: Callable[[str, list[float | None]], bool], strict: bool = False) -> bool:
    row = [cells.get(c, tok) for c, tok in zip(cols[code], read[code], strict=True)]
    values: list[float | None] = []
    for c, t in zip(cols[code], row, strict=True):
        if t is not None and t.kind == "num":
            values.append(t.sign * float(t.digits.replace(",", "")))
        elif strict and c in cells and t is not None and t.kind == "blank":
            values.append(0.0)  # the placement's own blank
        else:
            return True  # unread, or printed blank: reports break their sums over them
    return holds(code, values)
