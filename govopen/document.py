"""The common form every reader produces: a report as text, with provenance.

Every file type (text, HTML, PDF, Word) becomes a :class:`Document`: one string in
which a table row is one line and its cells are separated by tab characters, and a
paragraph is one line. One parser then reads all file types the same way. Each
stretch of that string remembers where it came from (line, page, table, row,
column, bounding box), so every value the parser reads can be traced back to the
exact spot in the original file.

Example:
    >>> b = DocumentBuilder(file_type="txt")
    >>> b.add_line("二、主动公开政府信息情况", line=1)
    >>> b.add_row(["规章", "0", "0", "3"], table=0, row=0)
    >>> doc = b.build()
    >>> doc.text.splitlines()[1]
    '规章\\t0\\t0\\t3'
    >>> doc.locate(doc.text.index("3"))["col"]
    3
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from govopen.issues import Issue
from govopen.normalize import normalize_text

# Text inside one cell never contains a tab or newline: those are the grid.
_CELL_BREAK = re.compile(r"[\t\r\n\v\f]+")


@dataclass(frozen=True)
class Span:
    """Provenance of ``text[start:end]`` of a :class:`Document`.

    Each field has one meaning, whatever the reader (None where the file type has
    no such thing); they are the ``page``, ``line``, ``source_table``,
    ``source_row``, ``source_col`` and ``bbox`` columns of ``cells``:

    * ``page``: 1-based page of the file (PDF).
    * ``line``: 1-based number of the line in the reader's unit of reading order:
      the line of the file (text), the line of the page from the top (PDF), the
      paragraph or table row in document order (Word), the text block or table
      row in page order (HTML). It says where to look, not how to count.
    * ``table``: 0-based index of the table in the file (in reading order).
    * ``row``: 0-based row of that table, counting every row of the source.
    * ``col``: 0-based *grid* column of the cell: merged cells count every column
      they span (see :func:`grid_rows`), so one column of the template has one
      ``col`` in every row.
    * ``bbox``: the cell's or line's box on the page, ``(x0, top, x1, bottom)`` in
      PDF points from the top left (PDF).
    * ``offset`` (in ``cells``, not here): the character offset in :attr:`Document.text`.
    """

    start: int
    end: int
    page: int | None = None
    line: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    # OCR only: probability of the least certain digit, and the other readings
    # of the uncertain digits (see govopen.uncertain); None for a text layer.
    confidence: float | None = None
    readings: tuple[str, ...] | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "page": self.page,
            "line": self.line,
            "table": self.table,
            "row": self.row,
            "col": self.col,
            "bbox": self.bbox,
        }
        if self.confidence is not None:  # OCR'd text only
            out.update(confidence=self.confidence, readings=self.readings)
        return out


@dataclass
class Document:
    """A report turned into text with provenance; what readers return.

    Attributes:
        text: normalised text; table rows are lines with tab-separated cells.
        spans: provenance of stretches of ``text``, sorted by ``start``.
        file_type: ``txt``, ``html``, ``pdf``, ``docx`` ...
        pages: number of pages where the format has pages.
        header: metadata the file carries besides the report (a crawler's
            ``标题``/``发布时间``/``原文链接`` header, an HTML ``<title>`` or
            ``ArticleTitle`` meta tag, PDF metadata ...), keys as found.
        notes: problems the reader met that the parser should report as issues
            (:class:`govopen.issues.Issue`).
        form: the input form the reader detected (``markdown``, ``text-layout`` …;
            see :data:`govopen.readers.text.FORMS`); empty means the file type.
        page_images: for OCR'd pages, the upright page image OCR read, as
            ``{page: (PIL image, pixels per bbox unit)}`` (the audit view crops it).
    """

    text: str
    spans: list[Span] = field(default_factory=list)
    file_type: str = "txt"
    pages: int | None = None
    header: dict[str, str] = field(default_factory=dict)
    notes: list[Issue] = field(default_factory=list)
    form: str = ""
    page_images: dict[int, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._starts = [s.start for s in self.spans]

    def locate(self, offset: int) -> dict[str, Any]:
        """Provenance of the character at ``offset`` (empty values if unknown)."""
        span = self.span_at(offset)
        return (span if span is not None else Span(offset, offset)).as_dict()

    def span_at(self, offset: int) -> Span | None:
        """The :class:`Span` holding the character at ``offset``, or ``None``.

        Example:
            >>> b = DocumentBuilder(); b.add_row(["规章", "3"], table=0, row=0)
            >>> b.build().span_at(3).col
            1
        """
        i = bisect.bisect_right(self._starts, offset) - 1
        while i >= 0:
            span = self.spans[i]
            if span.start <= offset < max(span.end, span.start + 1):
                return span
            if span.end <= offset:
                break
            i -= 1
        return None


class DocumentBuilder:
    """Assembles a :class:`Document` line by line; used by every reader.

    Example:
        >>> b = DocumentBuilder(file_type="html")
        >>> b.add_line("三、收到和处理政府信息公开申请情况")
        >>> b.add_row(["一、本年新收政府信息公开申请数量", "1", "", "1"], table=0, row=3)
        >>> b.build().text.count("\\t")
        3
    """

    def __init__(self, file_type: str = "txt", pages: int | None = None) -> None:
        self.file_type = file_type
        self.pages = pages
        self.header: dict[str, str] = {}
        self.notes: list[Issue] = []
        self.form = ""
        self.page_images: dict[int, Any] = {}
        self._parts: list[str] = []
        self._spans: list[Span] = []
        self._length = 0

    def _append(self, piece: str, **prov: Any) -> None:
        if piece:
            self._spans.append(Span(self._length, self._length + len(piece), **prov))
        self._parts.append(piece)
        self._length += len(piece)

    def add_line(self, text: str, **prov: Any) -> None:
        """Add one line of running text (tabs in it are kept as cell breaks)."""
        text = normalize_text(text).replace("\n", " ")
        self._append(text, **prov)
        self._append("\n")

    def add_row(self, cells: Sequence[str | None], cols: Sequence[int] | None = None,
                bboxes: Sequence[Any] | None = None,
                confidences: Sequence[float | None] | None = None,
                readings: Sequence[tuple[str, ...] | None] | None = None,
                lines: Sequence[int | None] | None = None, **prov: Any) -> None:
        """Add one table row; ``None`` or "" is an empty cell.

        ``cols`` gives each cell's grid column (default: its position), ``bboxes``
        each cell's bounding box, ``confidences`` and ``readings`` what OCR said
        of each cell, ``lines`` the line each cell was printed on (a table a text
        dump prints column by column); ``prov`` holds what the whole row shares (``page``,
        ``table``, ``row``).
        """
        for i, cell in enumerate(cells):
            if i:
                self._append("\t")
            text = clean_cell(cell)
            col = cols[i] if cols is not None else i
            bbox = bboxes[i] if bboxes is not None else None
            extra = {}
            if confidences is not None and confidences[i] is not None:
                extra = {"confidence": confidences[i],
                         "readings": readings[i] if readings is not None else None}
            if lines is not None and lines[i] is not None:
                extra["line"] = lines[i]
            self._append(text, col=col, bbox=bbox, **({**prov, **extra} if extra else prov))
        self._append("\n")

    def add_grid(self, cells: list[GridCell], rows: int | None = None, **prov: Any) -> None:
        """Add a whole table, given its cells with their grid positions and spans.

        The rows follow :func:`grid_rows`; ``prov`` holds what the table shares
        (``page``, ``table``); each row gets its ``row`` index.

        Example:
            >>> b = DocumentBuilder(file_type="html")
            >>> b.add_grid([GridCell(0, 0, "A", 2, 2), GridCell(0, 2, "B"),
            ...             GridCell(0, 3, "C"), GridCell(1, 2, "D", colspan=2)], table=0)
            >>> b.build().text.splitlines()
            ['A\\tB\\tC', '\\t\\tD']
        """
        for r, placed in enumerate(grid_rows(cells, rows)):
            self.add_row([c.text if c is not None else "" for c, _col in placed],
                         cols=[col for _c, col in placed],
                         bboxes=[c.bbox if c is not None else None for c, _col in placed],
                         row=r, **prov)

    def note(self, rule: str, message: str, severity: str = "warning") -> None:
        """Record a problem for the parser to report as an issue row."""
        self.notes.append(Issue(rule, severity, message))

    def build(self) -> Document:
        return Document(
            text="".join(self._parts),
            spans=self._spans,
            file_type=self.file_type,
            pages=self.pages,
            header=dict(self.header),
            notes=list(self.notes),
            form=self.form,
            page_images=dict(self.page_images),
        )


@dataclass
class GridCell:
    """A table cell at its grid position: top-left ``row`` and ``col``, and its spans."""

    row: int
    col: int
    text: str = ""
    rowspan: int = 1
    colspan: int = 1
    bbox: Any = None
    key: Any = None  # the reader's own handle on the cell (an HTML tag's index …)


def grid_rows(cells: list[GridCell], rows: int | None = None
              ) -> list[list[tuple[GridCell | None, int]]]:
    """The grid rule: each row of a table as ``(cell or None, grid column)`` pairs.

    Every reader lays out merged cells this one way, so the same printed table
    gives the same rows whether it came as HTML, Word or PDF. In each row, in
    column order:

    * a cell whose top-left corner is in the row appears once, at its first
      column (the other columns a colspan covers are not listed again);
    * every grid column covered by a cell from an earlier row (a rowspan, a
      vertical merge) is one empty cell (``None``), so the values of the rows
      under a merged label line up with those of the label's own row;
    * a grid column no cell covers is left out.

    Where cells overlap (malformed HTML) the first one listed keeps the position.
    ``rows`` is the number of rows (default: as far down as a cell reaches).

    Example:
        >>> cells = [GridCell(0, 0, "A", 2, 2), GridCell(0, 2, "B"), GridCell(0, 3, "C"),
        ...          GridCell(1, 2, "D", colspan=2)]
        >>> [[(c.text if c else None, col) for c, col in row] for row in grid_rows(cells)]
        [[('A', 0), ('B', 2), ('C', 3)], [(None, 0), (None, 1), ('D', 2)]]
    """
    n = rows if rows is not None else max((c.row + c.rowspan for c in cells), default=0)
    owner: list[dict[int, GridCell]] = [{} for _ in range(n)]
    for cell in cells:
        for r in range(cell.row, min(n, cell.row + cell.rowspan)):
            for c in range(cell.col, cell.col + cell.colspan):
                owner[r].setdefault(c, cell)
    out = []
    for r in range(n):
        placed: list[tuple[GridCell | None, int]] = []
        for c in sorted(owner[r]):
            cell = owner[r][c]
            if cell.row != r:
                placed.append((None, c))
            elif c == cell.col:
                placed.append((cell, c))
        out.append(placed)
    return out


def clean_cell(cell: str | None) -> str:
    r"""Normalise a cell's text and keep it on one line.

    Lines of a wrapped cell are joined with :func:`join_wrapped` before Unicode
    normalisation, while full-width punctuation still marks Chinese text.

    Example:
        >>> clean_cell("本年新\n制作数量")
        '本年新制作数量'
        >>> clean_cell("（三）\n不予公开")
        '(三)不予公开'
        >>> clean_cell("Total\namount")
        'Total amount'
    """
    if not cell:
        return ""
    if cell.isascii() and cell.isalnum():  # a plain number or word (most cells): as it is
        return cell
    joined = join_wrapped(_CELL_BREAK.split(cell))
    return normalize_text(joined.replace("\n", " ")).strip()


def join_wrapped(lines: list[str]) -> str:
    r"""Join the lines of a wrapped cell or paragraph.

    Lines meeting at a CJK character (full-width punctuation included) join
    directly, because Chinese wraps anywhere (``2023年1`` + ``月1日``); other
    breaks stay ``\n`` (the builder makes them a space).

    Example:
        >>> join_wrapped(["（三）", "不予公开"])
        '（三）不予公开'
        >>> join_wrapped(["Total", "amount"])
        'Total\namount'
    """
    out = ""
    for line in (ln.strip() for ln in lines):
        if not line:
            continue
        if out and not (is_cjk(out[-1]) or is_cjk(line[0])):
            out += "\n"
        out += line
    return out


def is_cjk(ch: str) -> bool:
    """CJK ideographs, radicals, and full-width punctuation and forms."""
    o = ord(ch)
    return (0x2E80 <= o <= 0x2FDF or 0x3000 <= o <= 0x303F or 0x3400 <= o <= 0x9FFF
            or 0xF900 <= o <= 0xFAFF or 0xFE30 <= o <= 0xFE4F or 0xFF00 <= o <= 0xFFEF
            or 0x20000 <= o <= 0x3FFFF or ch in "“”‘’…—·")
