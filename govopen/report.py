"""One report, end to end: file → document → tables → validation → tidy DataFrames.

Example:
    >>> from govopen import read_text
    >>> r = read_text("某镇人民政府2020年政府信息公开工作年度报告\\n"
    ...               "四、政府信息公开行政复议、行政诉讼情况\\n" + "0 " * 14 + "1\\n")
    >>> r.value("appeals", "suit_after_review", "total")
    1.0
    >>> r.issues["rule"].tolist()[:1]
    ['table_not_found']
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from govopen import __version__, codebook
from govopen.corrections import HISTORY
from govopen.document import Document, Span
from govopen.errors import ReportError, ReportTimeout
from govopen.issues import Issue, shown_box
from govopen.limits import DEFAULT_TIMEOUT, check_text, signals_available, time_limit
from govopen.meta import read_meta
from govopen.readers import read_document
from govopen.readers.text import read_text_string
from govopen.sections import find_sections
from govopen.tables import read_tables
from govopen.templates import TABLES, check_cell
from govopen.uncertain import resolve as resolve_uncertain
from govopen.uncertain import unfound_rows
from govopen.validate import check_identities, check_narrative

# The columns of the three per-report tables, as the codebook defines them (a
# build adds a correction's history columns, :data:`govopen.corrections.HISTORY`).
CELL_COLUMNS = [c.name for c in codebook.CELLS if c.name not in HISTORY]
ISSUE_COLUMNS = [c.name for c in codebook.ISSUES]
SECTION_COLUMNS = [c.name for c in codebook.SECTIONS]


@dataclass
class Report:
    """A parsed report: metadata and three tidy tables (see the data contract).

    Attributes:
        meta: agency, year, format, title, period, source file … (one ``reports`` row).
        cells: one row per printed cell of sections 二, 三, 四, with provenance.
        issues: one row per identity failure or problem met while parsing.
        sections: the narrative sections 一–六 (and any extra ones) as text.
    """

    meta: dict[str, Any]
    cells: pd.DataFrame
    issues: pd.DataFrame
    sections: pd.DataFrame
    document: Document | None = field(default=None, repr=False)

    def value(self, table: str, row: str, col: str) -> float | None:
        """The value of one cell (None when the cell is NaN or the report has no such cell,
        e.g. a row of the other template format, or a table not found).

        Raises ``KeyError`` naming the valid codes for a code no template has (a
        typo), so that it is not taken for a cell left empty.

        Example:
            >>> r = read_text("某镇人民政府2020年政府信息公开工作年度报告\\n"
            ...               "四、政府信息公开行政复议、行政诉讼情况\\n" + "0 " * 14 + "1\\n")
            >>> r.value("appeals", "review", "total"), r.value("requests", "new", "total")
            (0.0, None)
            >>> r.value("appeals", "reveiw", "total")  # doctest: +ELLIPSIS
            Traceback (most recent call last):
            ...
            KeyError: "no row 'reveiw' in table 'appeals'; rows: review, suit_direct, ..."
        """
        if not (row.startswith("extra:") and table in TABLES):
            check_cell(table, row, col)
        sel = self.cells[(self.cells["table"] == table) & (self.cells["row"] == row)
                         & (self.cells["col"] == col)]
        if sel.empty or pd.isna(sel["value"].iloc[0]):
            return None
        return float(sel["value"].iloc[0])

    def show(self, table: str, row: str, col: str) -> Any:
        """Where a cell was printed: a page crop with the cell boxed, or its source lines.

        Returns a :class:`govopen.audit.View` (renders in Jupyter, ``.save(path)``).
        Example: ``report.show("requests", "new", "total")``.
        """
        from govopen.audit import show
        return show(self, table, row, col)

    def show_issue(self, i: int) -> list[Any]:
        """Views of the cells that row ``i`` of :attr:`issues` is about (see :meth:`show`)."""
        from govopen.audit import show_issue
        return show_issue(self, i)

    def wide(self) -> pd.Series:
        """The cells as one wide row (``requests__new__total`` …) for this report."""
        cells = self.cells
        keys = cells["table"] + "__" + cells["row"] + "__" + cells["col"]
        return pd.Series(cells["value"].to_numpy(), index=keys, name=self.meta["report_id"])


def read_report(path: str | Path, report_id: str | None = None,
                pdf_engine: str | None = None,
                timeout: float | None = DEFAULT_TIMEOUT, ocr: bool = True) -> Report:
    """Parse one report file (PDF, Word, HTML or text) into a :class:`Report`.

    ``pdf_engine`` is ``"pdfium"`` (the default) or ``"pdfplumber"``; both give
    the same cells (see :mod:`govopen.readers.pdf`).

    ``timeout`` (seconds, default :data:`govopen.limits.DEFAULT_TIMEOUT`; None: no
    limit) bounds the whole read, every reader and subprocess included. On the
    main thread it is a signal (:func:`govopen.limits.time_limit`); on any other
    thread, where signals cannot interrupt, the file is read in a child process
    that is killed if it overruns, so the limit holds there too.

    Raises :class:`govopen.ReportError` if the file cannot be read as a report
    (empty, binary junk, unsupported type, encrypted PDF, not an annual report,
    a size or structure limit of :mod:`govopen.limits` exceeded), and
    :class:`govopen.errors.ReportTimeout` (a ``ReportError``) after ``timeout``.
    Scanned pages and images are read by OCR unless ``ocr=False``.

    Example:
        >>> import govopen
        >>> r = govopen.read_report("data/raw/henan/001_33e9900bc9823d6a.txt")  # doctest: +SKIP
        >>> r.meta["agency"], r.value("requests", "new", "total")  # doctest: +SKIP
        ('荥阳市广武镇人民政府', 1.0)
    """
    path = Path(path)
    if timeout is not None and timeout > 0 and not signals_available():
        return _read_in_child(path, report_id, pdf_engine, timeout, ocr)
    with time_limit(timeout, path):
        document = read_document(path, pdf_engine=pdf_engine, timeout=timeout, ocr=ocr)
        info = {"source_file": str(path), "file_type": path.suffix.lower().lstrip("."),
                "sha256": file_sha256(path)}
        return parse_document(document, report_id or path.stem, info, source=path)


def _read_in_child(path: Path, report_id: str | None, pdf_engine: str | None,
                   timeout: float, ocr: bool = True) -> Report:
    """:func:`read_report` in a worker process, stopped if it overruns ``timeout``."""
    from govopen.runner import Task, run

    task = Task(str(path), (str(path), report_id, pdf_engine, timeout, ocr))
    outcome = next(iter(run(read_report, [task], jobs=1, timeout=timeout)))
    if outcome.ok:
        return outcome.value
    if outcome.error == "Timeout":
        raise ReportTimeout(path, outcome.message)
    if outcome.error == "ReportError":
        raise ReportError(path, outcome.message)
    raise ReportError(path, f"the reader failed ({outcome.error}: {outcome.message})")


def read_text(text: str, report_id: str = "text", source: str = "<text>") -> Report:
    """Parse a report held in memory as text (lines; tabs separate table cells).

    Example:
        >>> r = read_text("某局2021年政府信息公开工作年度报告\\n二、主动公开政府信息情况\\n"
        ...               "信息内容 本年制发件数 本年废止件数 现行有效件数\\n规章 0 0 3\\n")
        >>> r.value("proactive", "rules", "in_force")
        3.0
    """
    document = read_text_string(text, source)
    info = {"source_file": None, "file_type": "txt",
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}
    return parse_document(document, report_id, info, source=source)


def parse_document(document: Document, report_id: str, info: dict[str, Any] | None = None,
                   source: object = "<document>") -> Report:
    """Parse a :class:`Document` produced by any reader."""
    text = document.text
    check_text(source, text)
    sections = find_sections(text)
    meta = read_meta(text, document.header)
    ocr = [n for n in document.notes if n.rule == "needs_ocr"]
    if not text.strip() and not ocr:
        raise ReportError(source, "the file contains no text")
    try:
        tables = read_tables(text, meta["year"], sections, form=document.form,
                             line_of=lambda at: getattr(document.span_at(at), "line", None))
    except ReportError as err:  # a limit of govopen.limits, met in a table
        raise ReportError(source, err.problem) from None
    found = {c.table for c in tables.cells if c.status != "missing"}
    if not ocr and not found and not _looks_like_report(meta, sections):
        raise ReportError(source, "this does not look like a government information disclosure "
                                  "annual report (no report title, sections or tables found)")
    formats = tables.formats
    if "appeals" in formats:
        formats["appeals"] = _appeals_format(meta["year"], formats)
    cells, readings = _cells_frame(tables.cells, formats, document, report_id)
    cells, uncertain = resolve_uncertain(cells, readings)
    cells, unfound = unfound_rows(cells, tables.findings, _ocr_pages(document))
    issues: list[Issue] = [*tables.findings, *unfound, *uncertain, *document.notes]
    issues += [Issue("section_not_found", "info", f"section {'一二三四五六'[n - 1]} was not found")
               for n in range(1, 7) if n not in {s.number for s in sections}]
    if not cells.empty:
        issues += check_identities(cells)
        issues += check_narrative(_prose(text, sections), cells)
    issue_frame = pd.DataFrame([i.as_row(report_id) for i in issues], columns=ISSUE_COLUMNS)
    meta = {"report_id": report_id, **meta, **_format_meta(formats), **(info or {}),
            "pages": document.pages, "input_form": document.form or document.file_type,
            "n_extra_rows": _extra_rows(cells), "parser_version": __version__,
            "n_errors": sum(1 for i in issues if i.severity == "error"),
            "n_warnings": sum(1 for i in issues if i.severity == "warning")}
    section_frame = pd.DataFrame(
        [{"report_id": report_id, "section": s.number, "printed_number": s.printed,
          "heading": s.heading, "text": text[s.body:s.end].strip()} for s in sections],
        columns=SECTION_COLUMNS)
    section_frame["section"] = section_frame["section"].astype("Int64")
    return Report(meta, cells, issue_frame, section_frame, document)


def _ocr_pages(document: Document) -> dict[int, list[float]]:
    """Each OCR'd page's box, in the units of its cells' boxes."""
    out = {}
    for page, (picture, per_unit) in document.page_images.items():
        width, height = picture.size
        out[page] = [0.0, 0.0, width / per_unit, height / per_unit]
    return out


def _extra_rows(cells: pd.DataFrame) -> int:
    """How many rows the report adds to the template (``extra:…`` rows)."""
    return len({(t, r) for t, r in zip(cells["table"].tolist(), cells["row"].tolist(),
                                       strict=True) if r.startswith("extra:")})


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's content, read in blocks (the ``sha256`` of ``reports``)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _looks_like_report(meta: dict[str, Any], sections: list) -> bool:
    title = meta.get("title") or ""
    return "报告" in title or sum(1 for s in sections if s.number) >= 2


def _appeals_format(year: int | None, formats: dict[str, str]) -> str:
    """Section 四 is the same in both formats; label it by year, else by section 三."""
    if year is not None:
        return "2021" if year >= 2021 else "2019"
    return formats.get("requests", "2019")


def _format_meta(formats: dict[str, str]) -> dict[str, Any]:
    main = {formats[t] for t in ("proactive", "requests") if t in formats}
    fmt = main.pop() if len(main) == 1 else ("mixed" if main else None)
    return {"format": fmt, **{f"format_{t}": f for t, f in formats.items()}}


# Column types as the codebook gives them.
_FLOAT_COLUMNS = [c.name for c in codebook.CELLS if c.dtype == "float" and c.name in CELL_COLUMNS]
_INT_COLUMNS = [c.name for c in codebook.CELLS if c.dtype == "int" and c.name in CELL_COLUMNS]
_TEXT_COLUMNS = [c.name for c in codebook.CELLS
                 if c.dtype in ("str", "list") and c.name in CELL_COLUMNS]


def _cells_frame(cells: list, formats: dict[str, str], document: Document,
                 report_id: str) -> tuple[pd.DataFrame, dict[int, tuple[str, ...] | None]]:
    """The ``cells`` table, built column by column (one pass over the cells,
    one array per column: no per-row dicts for pandas to take apart), and the
    other OCR readings of each uncertain cell."""
    readings: dict[int, tuple[str, ...] | None] = {}
    columns: dict[str, list[Any]] = {name: [] for name in CELL_COLUMNS if name != "report_id"}
    table, row, col, value, raw, status, unit, fmt, page, line, source_table, source_row, \
        source_col, bbox, offset, candidates, confidence = columns.values()
    nowhere = Span(0, 0)  # a cell with no provenance: every field None
    for i, c in enumerate(cells):
        # The span itself, not locate()'s dict of it: one lookup per cell.
        span = (document.span_at(c.start) if c.start is not None else None) or nowhere
        if span.confidence is not None and span.readings:  # OCR'd (see Span.as_dict)
            readings[i] = span.readings
        table.append(c.table)
        row.append(c.row)
        col.append(c.col)
        value.append(c.value)
        raw.append(c.raw)
        status.append(c.status)
        unit.append(c.unit)
        fmt.append(formats.get(c.table))
        page.append(span.page)
        line.append(span.line)
        source_table.append(span.table)
        source_row.append(span.row)
        source_col.append(span.col)
        bbox.append(shown_box(span.bbox) if span.bbox else None)
        offset.append(c.start)
        candidates.append(list(c.candidates) if c.candidates else None)
        confidence.append(span.confidence)
    data: dict[str, Any] = {"report_id": [report_id] * len(cells), **columns}
    for name in _FLOAT_COLUMNS:
        data[name] = pd.array([math.nan if x is None else x for x in data[name]], dtype=float)
    for name in _INT_COLUMNS:
        data[name] = pd.array(data[name], dtype="Int64")
    if not cells:  # an empty list has no type: give text columns theirs
        for name in _TEXT_COLUMNS:
            data[name] = pd.Series([], dtype=object)
    return pd.DataFrame(data, columns=CELL_COLUMNS), readings


def _prose(text: str, sections: list) -> str:
    """Text outside sections 二–四 (where the tables are), for narrative checks."""
    spans = [(s.start, s.end) for s in sections if s.number in (2, 3, 4)]
    out, pos = [], 0
    for start, end in sorted(spans):
        out.append(text[pos:start])
        pos = max(pos, end)
    out.append(text[pos:])
    return "\n".join(out)
