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

from govopen import __version__
from govopen.document import Document
from govopen.errors import ReportError
from govopen.meta import read_meta
from govopen.readers import read_document
from govopen.readers.text import read_text_string
from govopen.sections import find_sections
from govopen.tables import Finding, read_tables
from govopen.uncertain import resolve as resolve_uncertain
from govopen.validate import check_identities, check_narrative

CELL_COLUMNS = ["report_id", "table", "row", "col", "value", "raw", "status", "unit", "format",
                "page", "line", "source_table", "source_row", "source_col", "bbox", "offset",
                "confidence"]
ISSUE_COLUMNS = ["report_id", "rule", "table", "row", "col", "expected", "observed", "severity",
                 "message"]
SECTION_COLUMNS = ["report_id", "section", "printed_number", "heading", "text"]


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
        """The value of one cell (None when the cell is NaN or absent).

        Example: ``report.value("requests", "new", "total")``.
        """
        sel = self.cells[(self.cells["table"] == table) & (self.cells["row"] == row)
                         & (self.cells["col"] == col)]
        if sel.empty or pd.isna(sel["value"].iloc[0]):
            return None
        return float(sel["value"].iloc[0])

    def wide(self) -> pd.Series:
        """The cells as one wide row (``requests__new__total`` …) for this report."""
        cells = self.cells
        keys = cells["table"] + "__" + cells["row"] + "__" + cells["col"]
        return pd.Series(cells["value"].to_numpy(), index=keys, name=self.meta["report_id"])


def read_report(path: str | Path, report_id: str | None = None, ocr: bool = True) -> Report:
    """Parse one report file (PDF, Word, HTML or text) into a :class:`Report`.

    Raises :class:`govopen.ReportError` if the file cannot be read as a report
    (empty, binary junk, unsupported type, encrypted PDF, not an annual report).
    Scanned pages and images are read by OCR unless ``ocr=False``.

    Example:
        >>> import govopen
        >>> r = govopen.read_report("data/raw/henan/001_33e9900bc9823d6a.txt")  # doctest: +SKIP
        >>> r.meta["agency"], r.value("requests", "new", "total")  # doctest: +SKIP
        ('荥阳市广武镇人民政府', 1.0)
    """
    path = Path(path)
    document = read_document(path, ocr=ocr)
    info = {"source_file": str(path), "file_type": path.suffix.lower().lstrip("."),
            "sha256": file_sha256(path)}
    return parse_document(document, report_id or path.stem, info, source=path)


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
    sections = find_sections(text)
    meta = read_meta(text, document.header)
    ocr = [n for n in document.notes if n["rule"] == "needs_ocr"]
    if not text.strip() and not ocr:
        raise ReportError(source, "the file contains no text")
    tables = read_tables(text, meta["year"], sections)
    found = {c.table for c in tables.cells if c.status != "missing"}
    if not ocr and not found and not _looks_like_report(meta, sections):
        raise ReportError(source, "this does not look like a government information disclosure "
                                  "annual report (no report title, sections or tables found)")
    formats = tables.formats
    if "appeals" in formats:
        formats["appeals"] = _appeals_format(meta["year"], formats)
    cells, readings = _cells_frame(tables.cells, formats, document, report_id)
    cells, uncertain = resolve_uncertain(cells, readings)
    issues = [_finding_row(f) for f in tables.findings] + uncertain
    issues += [{"rule": n["rule"], "table": "", "row": "", "col": "", "expected": None,
                "observed": None, "severity": n["severity"], "message": n["message"]}
               for n in document.notes]
    issues += [{"rule": "section_not_found", "table": "", "row": "", "col": "", "expected": None,
                "observed": None, "severity": "info",
                "message": f"section {'一二三四五六'[n - 1]} was not found"}
               for n in range(1, 7) if n not in {s.number for s in sections}]
    if not cells.empty:
        issues += check_identities(cells)
        issues += check_narrative(_prose(text, sections), cells)
    issue_frame = pd.DataFrame(issues, columns=ISSUE_COLUMNS[1:])
    issue_frame.insert(0, "report_id", report_id)
    meta = {"report_id": report_id, **meta, **_format_meta(formats), **(info or {}),
            "pages": document.pages, "parser_version": __version__,
            "n_errors": int((issue_frame["severity"] == "error").sum()),
            "n_warnings": int((issue_frame["severity"] == "warning").sum())}
    section_frame = pd.DataFrame(
        [{"report_id": report_id, "section": s.number, "printed_number": s.printed,
          "heading": s.heading, "text": text[s.body:s.end].strip()} for s in sections],
        columns=SECTION_COLUMNS)
    section_frame["section"] = section_frame["section"].astype("Int64")
    return Report(meta, cells, issue_frame, section_frame, document)


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


def _cells_frame(cells: list, formats: dict[str, str], document: Document,
                 report_id: str) -> tuple[pd.DataFrame, dict[int, tuple[str, ...] | None]]:
    """The ``cells`` table, and the other OCR readings of each uncertain cell."""
    rows = []
    readings: dict[int, tuple[str, ...] | None] = {}
    for c in cells:
        prov = document.locate(c.start) if c.start is not None else {}
        if prov.get("readings"):
            readings[len(rows)] = prov["readings"]
        rows.append({
            "report_id": report_id, "table": c.table, "row": c.row, "col": c.col,
            "value": math.nan if c.value is None else c.value, "raw": c.raw, "status": c.status,
            "unit": c.unit, "format": formats.get(c.table),
            "page": prov.get("page"), "line": prov.get("line"),
            "source_table": prov.get("table"), "source_row": prov.get("row"),
            "source_col": prov.get("col"),
            "bbox": ",".join(f"{x:.1f}" for x in prov["bbox"]) if prov.get("bbox") else None,
            "offset": c.start, "confidence": prov.get("confidence"),
        })
    frame = pd.DataFrame(rows, columns=CELL_COLUMNS)
    frame["value"] = frame["value"].astype(float)
    frame["confidence"] = frame["confidence"].astype(float)
    for col in ("page", "line", "source_table", "source_row", "source_col", "offset"):
        frame[col] = frame[col].astype("Int64")
    return frame, readings


def _finding_row(f: Finding) -> dict[str, Any]:
    return {"rule": f.rule, "table": f.table, "row": f.row, "col": f.col, "expected": f.expected,
            "observed": f.observed, "severity": f.severity, "message": f.message}


def _prose(text: str, sections: list) -> str:
    """Text outside sections 二–四 (where the tables are), for narrative checks."""
    spans = [(s.start, s.end) for s in sections if s.number in (2, 3, 4)]
    out, pos = [], 0
    for start, end in sorted(spans):
        out.append(text[pos:start])
        pos = max(pos, end)
    out.append(text[pos:])
    return "\n".join(out)
