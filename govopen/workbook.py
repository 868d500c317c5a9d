"""One report as an Excel workbook laid out like the printed tables, to check side by side.

``govopen parse FILE --xlsx out.xlsx`` writes one sheet per table (二 proactive,
三 requests, 四 appeals) with the template's row and column labels in the printed
order — rows sharing columns under one header, as the 2019 section 二 prints its
sub-tables — the values read in place, and every cell that is not a plain
reading coloured by its status (:data:`FILLS`), with a comment giving the text as
printed, the candidates and where it was printed. Rows a report adds
(``extra:…``) follow their table. A sheet ``issues`` lists the report's issues and
a sheet ``key`` explains the colours.

Example:
    >>> import govopen, tempfile, openpyxl
    >>> r = govopen.read_text("某局2021年政府信息公开工作年度报告\\n二、主动公开政府信息情况\\n"
    ...                       "信息内容 本年制发件数 本年废止件数 现行有效件数\\n规章 0 0 3\\n")
    >>> path = write_workbook(r, tempfile.mktemp(suffix=".xlsx"))
    >>> ws = openpyxl.load_workbook(path)["二 proactive"]
    >>> [c.value for c in ws[3]][:4]
    ['规章', 0, 0, 3]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from govopen.templates import template

# status → (fill colour, meaning); "ok" cells are not coloured.
FILLS = {
    "blank": ("EEEEEE", "blank as printed (empty, '-', '/')"),
    "ambiguous": ("FFC04D", "ambiguous: several readings (see the comment)"),
    "unreadable": ("FF8080", "unreadable: the printed text is not a number"),
    "missing": ("BDBDBD", "not printed: the row was not found"),
    "corrected": ("9AD89A", "corrected by hand (corrections.csv)"),
}
_SHEETS = {"proactive": "二 proactive", "requests": "三 requests", "appeals": "四 appeals"}


def write_workbook(report: Any, path: str | Path) -> Path:
    """Write ``report`` (a :class:`govopen.Report`) to ``path`` (.xlsx); returns the path."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    path = Path(path)
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    fills = {s: PatternFill("solid", start_color=c, end_color=c) for s, (c, _) in FILLS.items()}
    cells = report.cells
    for table, sheet in _SHEETS.items():
        fmt = report.meta.get(f"format_{table}")
        own = cells[cells["table"] == table]
        if fmt is None and own.empty:
            continue
        ws = book.create_sheet(sheet)
        ws.append([f"{report.meta.get('agency') or ''} {report.meta.get('year') or ''} · "
                   f"{table} · format {fmt or '?'}"])
        ws["A1"].font = bold
        ws.column_dimensions["A"].width = 48
        by_key = {(r.row, r.col): r for r in own.itertuples(index=False)}
        for header, rows in _blocks(table, fmt or "2019", own):
            ws.append(["", *header])
            for c in ws[ws.max_row]:
                c.font, c.alignment = bold, wrap
            for code, label, cols in rows:
                ws.append([label, *[_value(by_key.get((code, c))) for c in cols]])
                line = ws[ws.max_row]
                line[0].alignment = wrap
                for k, col in enumerate(cols, start=1):
                    cell = by_key.get((code, col))
                    if cell is None:
                        continue
                    if cell.status in fills:
                        line[k].fill = fills[cell.status]
                    note = _comment(cell)
                    if note:
                        line[k].comment = Comment(note, "govopen")
        for letter in "BCDEFGHIJKLMNOP":
            ws.column_dimensions[letter].width = 12
    issues = book.create_sheet("issues")
    cols = ["rule", "severity", "table", "row", "col", "expected", "observed", "message"]
    issues.append(cols)
    for r in report.issues[cols].itertuples(index=False):
        issues.append([None if isinstance(v, float) and pd.isna(v) else v for v in r])
    key = book.create_sheet("key")
    key.append(["status", "meaning"])
    for status, (_, meaning) in FILLS.items():
        key.append([status, meaning])
        key[key.max_row][0].fill = fills[status]
    book.save(path)
    return path


def _blocks(table: str, fmt: str, own: pd.DataFrame) -> list[tuple[list[str], list]]:
    """Consecutive template rows with the same columns, each block under its header."""
    t = template(table, fmt)
    rows = [(r.code, r.zh, r.cols) for r in t.rows]
    extra = list(dict.fromkeys(r for r in own["row"] if str(r).startswith("extra:")))
    for code in extra:
        cols = tuple(own[own["row"] == code]["col"])
        rows.append((code, code.removeprefix("extra:"), cols))
    blocks: list[tuple[list[str], list, tuple[str, ...]]] = []
    for code, label, cols in rows:
        if not blocks or blocks[-1][2] != cols:
            header = [_col_label(t, c) for c in cols]
            blocks.append((header, [], cols))
        blocks[-1][1].append((code, label, cols))
    return [(h, r) for h, r, _ in blocks]


def _col_label(t: Any, code: str) -> str:
    try:
        col = t.col(code)
    except StopIteration:
        return code
    return f"{col.zh}（{col.unit}）" if col.unit and col.unit not in col.zh else col.zh


def _value(cell: Any) -> Any:
    if cell is None or pd.isna(cell.value):
        return None
    v = float(cell.value)
    return int(v) if v.is_integer() else v


def _comment(cell: Any) -> str:
    if cell.status == "ok":
        return ""
    parts = [f"status: {cell.status}", f"printed: {cell.raw!r}"]
    cands = getattr(cell, "candidates", None)
    if cands is not None and not isinstance(cands, float) and len(cands):
        parts.append("candidates: " + ", ".join(f"{float(c):g}" for c in cands))
    where = [f"{k} {getattr(cell, k)}" for k in ("page", "line")
             if getattr(cell, k, None) is not None and not pd.isna(getattr(cell, k))]
    if where:
        parts.append("printed at " + ", ".join(where))
    note = getattr(cell, "note", None)
    if isinstance(note, str) and note:
        parts.append(f"note: {note}")
    return "\n".join(parts)
