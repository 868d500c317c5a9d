"""Where a value was printed: a picture of the page with the cell boxed, or its source lines.

:func:`show` (``Report.show(table, row, col)``) returns a :class:`View`:

* for a PDF cell with a bounding box, a crop of the rendered page (pdfplumber's
  ``page.to_image``) with the cell boxed in red and its row and column labels
  shaded in yellow;
* for an OCR'd page, the same drawn on the page image OCR read (upright and
  deskewed, so a box sits on its number even on a turned or skewed scan): the
  OCR reader puts it in ``Document.page_images[page]`` as ``(PIL image, pixels
  per bbox unit)`` (a bare image means bboxes in its pixels); :func:`show` then
  crops that image instead of rendering the PDF;
* for text, HTML and Word reports (and PDF cells without a box), the lines of the
  normalised text around the cell, the cell marked — in an HTML report a line is a
  table row, its cells separated by tabs.

A :class:`View` renders in Jupyter (``_repr_png_`` for page crops, ``_repr_html_``
for both) and saves to ``.png`` or ``.html``. :func:`show_issue` shows the cells an
``issues`` row names.

Example:
    >>> import govopen
    >>> r = govopen.read_text("某局2021年政府信息公开工作年度报告\\n二、主动公开政府信息情况\\n"
    ...                       "信息内容\\t本年制发件数\\t本年废止件数\\t现行有效件数\\n规章\\t0\\t0\\t3\\n")
    >>> v = r.show("proactive", "rules", "in_force")
    >>> v.kind, v.lines[v.mark_line][1]
    ('source', '规章\\t0\\t0\\t3')
"""

from __future__ import annotations

import base64
import bisect
import html
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

RESOLUTION = 144  # dpi of page crops (2 pixels per PDF point)
MARGIN = 36.0  # points of page kept around the cell and its labels
CONTEXT = 3  # lines of source shown before and after the cell's line
CLIP = 80  # characters shown each side of the cell in a very long line
MAX_LINES = 40  # lines one source view spans at most (an issue's cells)
CELL = (220, 30, 30)  # the cell's box
LABEL = (255, 200, 0)  # row and column labels


@dataclass
class View:
    """What :func:`show` returns: a page crop or a source excerpt of one cell.

    Attributes:
        kind: ``"image"`` (a page crop) or ``"source"`` (lines of text).
        title: the cell's key and what was read.
        image: the crop, with the boxes drawn (PIL image; ``image`` views).
        box: the cell's box in ``image`` pixels (x0, top, x1, bottom).
        label_boxes: the row and column label boxes in ``image`` pixels.
        lines: ``(label, text)`` per source line (``source`` views).
        mark_line, mark: the cell's line (an index into ``lines``) and its
            character span in that line.
        boxes, marks: every cell shown, when a view shows several (an issue's
            cells): their boxes in ``image`` pixels, or their spans in the line.
    """

    kind: str
    title: str
    image: Any = None
    box: tuple[float, float, float, float] | None = None
    label_boxes: list[tuple[float, float, float, float]] = field(default_factory=list)
    lines: list[tuple[str, str]] = field(default_factory=list)
    mark_line: int | None = None
    mark: tuple[int, int] | None = None
    boxes: list[tuple[float, float, float, float]] = field(default_factory=list)
    marks: list[tuple[int, int, int]] = field(default_factory=list)  # (line, start, end)

    def __post_init__(self) -> None:
        if self.box is not None and not self.boxes:
            self.boxes = [self.box]
        if self.mark is not None and not self.marks and self.mark_line is not None:
            self.marks = [(self.mark_line, *self.mark)]

    def _marks_of(self, i: int) -> list[tuple[int, int]]:
        """The marks of line ``i``, sorted, overlaps merged (cells sharing glued digits)."""
        out: list[tuple[int, int]] = []
        for a, b in sorted({(a, b) for line, a, b in self.marks if line == i}):
            if out and a < out[-1][1]:
                out[-1] = (out[-1][0], max(b, out[-1][1]))
            else:
                out.append((a, b))
        return out

    def png(self) -> bytes:
        """The crop as PNG bytes (``image`` views)."""
        if self.image is None:
            raise ValueError("a source view has no image; use .html()")
        buf = io.BytesIO()
        self.image.save(buf, format="PNG")
        return buf.getvalue()

    def html(self) -> str:
        """A self-contained HTML fragment (the crop embedded as a data URI)."""
        head = f'<div class="govopen-view"><div class="title">{html.escape(self.title)}</div>'
        if self.kind == "image":
            data = base64.b64encode(self.png()).decode("ascii")
            return (f'{head}<img alt="{html.escape(self.title)}" '
                    f'src="data:image/png;base64,{data}" style="max-width:100%"></div>')
        rows = []
        for i, (label, text) in enumerate(self.lines):
            if self._marks_of(i):
                body, pos = "", 0
                for a, b in self._marks_of(i):
                    body += (html.escape(_tabs(text[pos:a])) + '<mark style="background:#ffd54f;'
                             'outline:2px solid #dc1e1e">' + html.escape(_tabs(text[a:b]) or "∅")
                             + "</mark>")
                    pos = b
                body += html.escape(_tabs(text[pos:]))
                style = ' style="background:#fff8e1"'
            else:
                body, style = html.escape(_tabs(text)), ""
            rows.append(f'<tr{style}><td style="color:#888;padding-right:1em;'
                        f'text-align:right">{html.escape(label)}</td>'
                        f'<td style="white-space:pre-wrap;overflow-wrap:anywhere">{body}</td></tr>')
        return (f'{head}<table style="font-family:monospace;border-collapse:collapse">'
                f'{"".join(rows)}</table></div>')

    def text(self) -> str:
        """The source lines as plain text, the cell between ⟦ ⟧."""
        out = []
        for i, (label, line) in enumerate(self.lines):
            if self._marks_of(i):
                for a, b in reversed(self._marks_of(i)):
                    line = f"{line[:a]}⟦{line[a:b]}⟧{line[b:]}"
            out.append(f"{label:>8}  {line}")
        return "\n".join(out)

    def save(self, path: str | Path) -> Path:
        """Write the view: ``.png`` (page crops only) or ``.html``."""
        path = Path(path)
        if path.suffix.lower() == ".png":
            path.write_bytes(self.png())
        else:
            path.write_text(f"<!doctype html><meta charset='utf-8'>{self.html()}",
                            encoding="utf-8")
        return path

    def _repr_png_(self) -> bytes | None:
        return self.png() if self.image is not None else None

    def _repr_html_(self) -> str:
        return self.html()

    def __repr__(self) -> str:
        if self.kind == "image":
            return f"<View {self.title}: {self.image.width}×{self.image.height} crop>"
        return f"{self.title}\n{self.text()}"


def show(report: Any, table: str, row: str, col: str) -> View:
    """Where cell ``table``/``row``/``col`` of ``report`` was printed.

    ``report`` is a :class:`govopen.Report` read from its file (it keeps the
    document). Raises ``KeyError`` for a cell the report does not have.

    Example: ``govopen.read_report("hongze.pdf").show("requests", "new", "total")``.
    """
    cells = report.cells
    hit = cells[(cells["table"] == table) & (cells["row"] == row) & (cells["col"] == col)]
    if hit.empty:
        raise KeyError(f"{report.meta.get('report_id')}: no cell {table}.{row}.{col}")
    return show_cell(report, hit.iloc[0])


def show_cell(report: Any, cell: pd.Series) -> View:
    """The view of one ``cells`` row of ``report``."""
    return show_cells(report, pd.DataFrame([cell]))[0]


def show_cells(report: Any, cells: pd.DataFrame, title: str | None = None) -> list[View]:
    """Views of several cells of ``report``: one page crop per page with every cell
    boxed, one source excerpt per line with every cell marked (in ``cells`` order)."""
    doc = report.document
    if doc is None:
        raise ValueError("this report has no document (read it with govopen.read_report)")
    groups: dict[tuple, list[pd.Series]] = {}
    for _, cell in cells.iterrows():
        page, bbox = _int(cell.get("page")), _bbox(cell.get("bbox"))
        if page is not None and bbox is not None:
            key: tuple = ("page", page)
        else:
            key = ("source", None)  # one excerpt, every cell marked
        groups.setdefault(key, []).append(cell)
    views = []
    for (kind, where), group in groups.items():
        head = title or _title(report, group[0])
        if len(group) > 1 and title is None:
            head += f" (+{len(group) - 1} more cells)"
        if kind == "page":
            image = _page_image(report, doc, where)
            if image is not None:
                # every cell of a page group has a bbox (see the grouping above)
                boxes = [b for c in group if (b := _bbox(c.get("bbox"))) is not None]
                views.append(_crop(image, head, boxes, _label_boxes(doc, group[0])))
                continue
        views.extend(_source(doc, group, head))
    return views


def show_issue(report: Any, i: int) -> list[View]:
    """Where the cells that row ``i`` of ``report.issues`` is about were printed.

    A row identity (``row_total``, ``appeals_total``) shows the whole row, a column
    identity (``balance``, ``outcomes``) the whole column, other issues the cells
    they name; a list of views (empty when the issue names no printed cell, like
    ``table_not_found``).
    """
    issue = report.issues.iloc[i]
    return show_cells(report, issue_cells(report.cells, issue),
                      title=f"{report.meta.get('report_id')} · {issue['rule']} "
                            f"({issue['severity']}): {issue['message']}")


def issue_cells(cells: pd.DataFrame, issue: pd.Series) -> pd.DataFrame:
    """The printed cells an ``issues`` row is about (see :func:`show_issue`)."""
    cells = cells[cells["table"] == issue["table"]]
    rule = issue["rule"]
    if rule == "balance":
        cells = cells[cells["row"].isin(_BALANCE_ROWS)]
    elif rule == "outcomes":
        cells = cells[~cells["row"].isin(_BALANCE_ROWS[:2] + _BALANCE_ROWS[3:])]
    cols = [c for c in str(issue["col"] or "").split(",") if c]
    if issue["row"] and rule not in _COLUMN_RULES:
        cells = cells[cells["row"] == issue["row"]]
    if cols and rule not in _ROW_RULES:
        cells = cells[cells["col"].isin(cols)]
    if not issue["table"]:
        return cells.iloc[0:0]
    return cells[cells["offset"].notna()]


_ROW_RULES = ("row_total", "appeals_total")
_BALANCE_ROWS = ("new", "carried_over", "total", "carried_forward")
_COLUMN_RULES = ("balance", "outcomes")


# --------------------------------------------------------------------------- pages


def _page_image(report: Any, doc: Any, page: int) -> tuple[Any, float] | None:
    """The page as (PIL image, pixels per bbox unit); None if it cannot be drawn."""
    images = getattr(doc, "page_images", None) or {}
    if page in images:  # OCR'd page: the image OCR read, and its pixels per bbox unit
        image, scale = images[page] if isinstance(images[page], tuple) else (images[page], 1.0)
        return image.convert("RGB"), float(scale)
    source = report.meta.get("source_file")
    path = _source_path(report, source)
    if path is None or path.suffix.lower() != ".pdf":
        return None
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        if not 1 <= page <= len(pdf.pages):
            return None
        shown = pdf.pages[page - 1].to_image(resolution=RESOLUTION)
        return shown.original.convert("RGB"), RESOLUTION / 72


def _source_path(report: Any, source: str | None) -> Path | None:
    path = getattr(report, "path", None) or (Path(source) if source else None)
    return Path(path) if path is not None and Path(path).exists() else None


def _crop(page: tuple[Any, float], title: str, cells: list[tuple[float, float, float, float]],
          labels: list[tuple[float, float, float, float]]) -> View:
    from PIL import Image, ImageDraw

    image, scale = page
    boxes = [*cells, *labels]
    margin = MARGIN * (scale if scale != 1.0 else 2.0)
    x0 = max(0, int(min(b[0] for b in boxes) * scale - margin))
    top = max(0, int(min(b[1] for b in boxes) * scale - margin))
    x1 = min(image.width, int(max(b[2] for b in boxes) * scale + margin))
    bottom = min(image.height, int(max(b[3] for b in boxes) * scale + margin))
    crop = image.crop((x0, top, x1, bottom))

    def local(b: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        return (b[0] * scale - x0, b[1] * scale - top, b[2] * scale - x0, b[3] * scale - top)

    shade = crop.copy()
    draw = ImageDraw.Draw(shade)
    for b in labels:
        draw.rectangle(local(b), fill=LABEL)
    crop = Image.blend(crop, shade, 0.35) if labels else crop
    draw = ImageDraw.Draw(crop)
    for b in cells:
        draw.rectangle(local(b), outline=CELL, width=3)
    return View("image", title, image=crop, box=local(cells[0]),
                boxes=[local(b) for b in cells], label_boxes=[local(b) for b in labels])


def _label_boxes(doc: Any, cell: pd.Series) -> list[tuple[float, float, float, float]]:
    """Boxes of the cell's row label (its line's first text cell) and column header
    (the text cells above it in the same source column)."""
    offset = _int(cell.get("offset"))
    if offset is None:
        return []
    here = doc.locate(offset)
    page, table, row, col = here["page"], here["table"], here["row"], here["col"]
    if table is None:
        return []
    out = []
    row_label = [s for s in doc.spans if s.page == page and s.table == table and s.row == row
                 and s.bbox and s.col is not None and s.col < (col or 0)
                 and _is_label(doc.text[s.start:s.end])]
    if row_label:
        out.append(min(row_label, key=lambda s: s.col).bbox)
    header = [s for s in doc.spans if s.page == page and s.table == table and s.col == col
              and s.row is not None and row is not None and s.row < row and s.bbox
              and _is_label(doc.text[s.start:s.end])]
    out += [s.bbox for s in header[-2:]]
    return out


def _is_label(text: str) -> bool:
    text = text.strip()
    return bool(text) and not text.replace(".", "").replace(",", "").isdigit()


# --------------------------------------------------------------------------- text


def _source(doc: Any, cells: list[pd.Series], title: str) -> list[View]:
    """The lines around the cells (at most ``MAX_LINES``), every cell marked."""
    text = doc.text
    offsets = [o for o in (_int(c.get("offset")) for c in cells) if o is not None]
    if not offsets:
        return [View("source", title + " — not printed", lines=[])]
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    where = [(bisect.bisect_right(starts, o) - 1, o, str(c.get("raw") or ""))
             for o, c in zip(offsets, [c for c in cells if _int(c.get("offset")) is not None],
                             strict=True)]
    first = where[0][0]
    where = [w for w in where if w[0] - first < MAX_LINES]
    lo = max(0, first - CONTEXT)
    hi = min(len(starts), max(w[0] for w in where) + CONTEXT + 1)
    lines, marks = [], []
    for j in range(lo, hi):
        end = starts[j + 1] - 1 if j + 1 < len(starts) else len(text)
        line = text[starts[j]:end]
        spans = [_span(line, o - starts[j], raw) for k, o, raw in where if k == j]
        if spans and len(line) > 2 * CLIP + 40:  # a page flattened onto one line
            line, shift = _clip(line, (min(a for a, _ in spans), max(b for _, b in spans)))
            spans = [(a - shift, b - shift) for a, b in spans]
        elif not spans:
            line = _clip(line, None)[0]
        lines.append((_line_label(doc, starts[j], j), line))
        marks += [(j - lo, a, b) for a, b in spans]
    return [View("source", title, lines=lines, mark_line=first - lo, mark=marks[0][1:],
                 marks=marks)]


def _span(line: str, a: int, raw: str) -> tuple[int, int]:
    """The printed text of the cell in its line: ``raw`` where it covers ``a`` (the
    digits of an ambiguous cell are one token that several cells share), else the
    number that starts at ``a``."""
    if raw:
        for start in range(max(0, a - len(raw) + 1), a + 1):
            if line[start:start + len(raw)] == raw:
                return start, start + len(raw)
    b = a
    while b < len(line) and (line[b].isdigit() or line[b] in ".,-"):
        b += 1
    return a, b  # empty for a blank cell: marked as ∅


def _clip(line: str, span: tuple[int, int] | None) -> tuple[str, int]:
    """``line`` cut to ``CLIP`` characters around ``span`` (or its start); the shift."""
    if len(line) <= 2 * CLIP + 40:
        return line, 0
    a, b = span if span is not None else (0, 0)
    lo, hi = max(0, a - CLIP), min(len(line), b + CLIP)
    if span is None:
        lo, hi = 0, 2 * CLIP
    head = "…" if lo > 0 else ""
    return head + line[lo:hi] + ("…" if hi < len(line) else ""), lo - len(head)


def _line_label(doc: Any, start: int, index: int) -> str:
    prov = doc.locate(start)
    if prov.get("line") is not None and doc.file_type in ("txt", "md", "text"):
        return f"line {prov['line']}"
    if prov.get("table") is not None:
        return f"t{prov['table']} r{prov['row']}"
    if prov.get("page") is not None:
        return f"p{prov['page']}"
    return ""


def _tabs(text: str) -> str:
    return text.replace("\t", " │ ")


# --------------------------------------------------------------------------- helpers


def _title(report: Any, cell: pd.Series) -> str:
    value = cell.get("value")
    shown = "NaN" if value is None or pd.isna(value) else f"{value:g}"
    where = []
    if _int(cell.get("page")) is not None:
        where.append(f"page {int(cell['page'])}")
    if _int(cell.get("line")) is not None:
        where.append(f"line {int(cell['line'])}")
    cands = cell.get("candidates")
    extra = ""
    if cands is not None and not (isinstance(cands, float) and pd.isna(cands)) and len(cands):
        extra = " · candidates " + ", ".join(f"{c:g}" for c in cands)
    return (f"{report.meta.get('report_id')} · {cell['table']}.{cell['row']}.{cell['col']} = "
            f"{shown} ({cell['status']}; printed {str(cell.get('raw') or '')!r}"
            f"{'; ' + ', '.join(where) if where else ''}){extra}")


def _int(value: Any) -> int | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return int(value)


def _bbox(value: Any) -> tuple[float, float, float, float] | None:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    if isinstance(value, str):
        parts = [float(x) for x in value.split(",")]
    else:
        parts = [float(x) for x in value]
    return (parts[0], parts[1], parts[2], parts[3]) if len(parts) == 4 else None
