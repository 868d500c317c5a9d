"""Reading PDF reports: pages → lines and table rows, whichever engine read the page.

Two engines give the characters (with boxes) and the drawn rules of a page:
PDFium (:mod:`govopen.readers.pdfium`, through pypdfium2: the default, about
ten times faster) and pdfplumber (pdfminer, in pure Python; the reference, and
the fallback for files and pages PDFium cannot give). Both fill the same
:class:`PageContent`, and everything after that — duplicate glyphs, the
pdfplumber table finder on the rules, the grid rule, text lines, borderless
tables, page furniture — is this module's engine-independent code, so both
engines give the same cells.

Each page becomes lines of the common text form (see :mod:`govopen.document`),
top to bottom: running text as one line per visual line, ruled tables as one
line per table row with tab-separated cells. Page numbers in provenance are
1-based; bounding boxes are pdfplumber's ``(x0, top, x1, bottom)`` in PDF points
from the top-left corner of the page.

Tables follow the grid rule the parser relies on: every row lists each cell that
*starts* in that row once, in column order; a grid position covered by a cell
merged down from an earlier row is an empty string; a position covered by a cell
merged across from the left in the same row is not listed again.

Example:
    >>> doc = read_pdf("data/raw/jiangsu/jiangsu_huaian_hongze_2023.pdf")  # doctest: +SKIP
    >>> doc.pages  # doctest: +SKIP
    5
    >>> [line for line in doc.text.splitlines() if line.startswith("行政许可")]  # doctest: +SKIP
    ['行政许可\\t550']
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from govopen.document import Document, DocumentBuilder, is_cjk, join_wrapped
from govopen.errors import ReportError
from govopen.limits import DEFAULT_TIMEOUT, check, time_limit
from govopen.readers.pdf_guard import check_streams
from govopen.readers.pdf_guard import install as _guard_pdfminer

_guard_pdfminer()

# The engine that reads pages: "pdfium" (default) or "pdfplumber". The
# environment variable reaches build workers, which inherit it.
ENGINES = ("pdfium", "pdfplumber")
ENGINE_VARIABLE = "GOVOPEN_PDF_ENGINE"
DEFAULT_ENGINE = "pdfium"

# Table detection uses only drawn rules ("lines" strategy). The snap/join
# tolerances absorb the small offsets between the strokes of adjacent cells that
# Word and WPS exports produce (typically 0.2-0.5 pt); 3 pt is well below the
# height of any row, so separate rows never merge.
TABLE_SETTINGS: dict[str, Any] = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "intersection_tolerance": 3,
    "edge_min_length": 3,
}

# A filled rectangle no thicker than this is a drawn rule (many exporters draw
# borders as thin filled boxes); a thicker fill-only rectangle is cell shading
# or a paragraph background and must not create cell boundaries.
_RULE_THICKNESS = 2.0
# Horizontal gap, in units of the font size, that separates two cells of a
# borderless table; justified Chinese text never spreads characters this far.
_CELL_GAP = 2.0
# Gap, in units of the font size, that reads as a space between Latin words.
_SPACE_GAP = 0.25
# Page numbers are only dropped from these top and bottom bands of the page.
_HEADER_BAND = 0.10
_FOOTER_BAND = 0.12
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－_·•\s]*\d{1,4}[-—–－_·•\s]*"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*[,，]?\s*第\s*\d{1,4}\s*页"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?)$",
    re.IGNORECASE,
)
_CID = re.compile(r"^\(cid:\d+\)$")
# Share of a page's characters without a Unicode mapping above which its text
# layer is considered unreadable.
_CID_SHARE = 0.1

Bbox = tuple[float, float, float, float]


def read_pdf(path: str | os.PathLike[str], timeout: float | None = DEFAULT_TIMEOUT,
             engine: str | None = None, ocr: bool = True) -> Document:
    """Read a PDF report into a :class:`Document`.

    Args:
        path: the PDF file.
        timeout: seconds allowed for the whole file (``None``: no limit); see
            :func:`govopen.limits.time_limit` for where this is enforced.
            Pages read by OCR do not count against it (a build's limit still counts them).
        ocr: read pages without a text layer with OCR (:mod:`govopen.readers.ocr`).
        engine: ``"pdfium"`` or ``"pdfplumber"``; default: the
            ``GOVOPEN_PDF_ENGINE`` environment variable, else ``"pdfium"``.
            PDFium hands a file it cannot open (other than for a password) or
            fails on, a file without its ``%%EOF`` end marker, and any page it
            cannot load to pdfplumber.

    Raises:
        ReportError: the file is missing, empty, encrypted, not a PDF, corrupt
            or truncated, or took longer than ``timeout``.

    A page without a text layer (a scanned image) is read by OCR; with
    ``ocr=False`` (or when OCR finds no text) it yields no text and a
    ``needs_ocr`` note of severity ``error``; a PDF made only of such pages
    gives a Document with empty text and that note.

    Example:
        >>> doc = read_pdf("tests/fixtures/pdf/report_merged.pdf")  # doctest: +SKIP
        >>> doc.text.splitlines()[0]  # doctest: +SKIP
        '某某县人民政府2023年政府信息公开工作年度报告'
    """
    source = os.fspath(path)
    engine = pdf_engine(engine)
    _check_file(Path(source), source)
    with time_limit(timeout, source):
        try:
            if engine == "pdfium" and _has_end_marker(source):
                from govopen.readers.pdfium import open_pdfium
                check_streams(source, Path(source).read_bytes())  # PDFium has no bounds
                pdf = open_pdfium(source)
                if pdf is not None:
                    try:
                        return _read(source, pdf, ocr)
                    except ReportError:
                        raise
                    except Exception:  # noqa: BLE001 - PDFium failed mid-file: the reference reads it
                        pass
            return _read(source, _PlumberPdf(source), ocr)
        except ReportError:
            raise
        except Exception as err:  # pdfminer raises many unrelated types on bad input
            from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

            inner = _root_cause(err)
            if isinstance(inner, ReportError):  # a limit of govopen.limits, met inside
                raise ReportError(source, inner.problem) from err
            if isinstance(inner, PDFPasswordIncorrect):
                raise ReportError(source, "the PDF is encrypted (a password is needed to "
                                          "open it)") from err
            if isinstance(inner, PDFEncryptionError):
                raise ReportError(source, "the PDF is encrypted with a method that cannot "
                                          f"be read ({_describe(inner)})") from err
            raise ReportError(
                source, f"not a valid PDF (truncated or corrupt): {_describe(inner)}"
            ) from err


def pdf_engine(engine: str | None = None) -> str:
    """The engine to use: ``engine`` if given, else the environment's, else PDFium.

    Example:
        >>> pdf_engine("pdfplumber")
        'pdfplumber'
    """
    engine = engine or os.environ.get(ENGINE_VARIABLE) or DEFAULT_ENGINE
    if engine not in ENGINES:
        raise ValueError(f"unknown PDF engine {engine!r}; choose one of {', '.join(ENGINES)}")
    return engine


def _check_file(path: Path, source: str) -> None:
    """Fail early, with a plain message, on files pdfminer would choke on."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(1024)
    except FileNotFoundError:
        raise ReportError(source, "file not found") from None
    except OSError as err:
        raise ReportError(source, f"cannot read the file ({err.strerror or err})") from None
    if size == 0:
        raise ReportError(source, "the file is empty")
    if b"%PDF" not in head:
        raise ReportError(source, "not a PDF file (no %PDF header)")


def _root_cause(err: BaseException) -> BaseException:
    # pdfplumber wraps pdfminer errors in PdfminerException(original).
    chain = [err]
    while True:
        last = chain[-1]
        nxt = last.__cause__ or (last.args[0] if last.args and isinstance(
            last.args[0], BaseException) else None)
        if nxt is None or any(nxt is e for e in chain):
            return last
        chain.append(nxt)


def _describe(err: BaseException) -> str:
    text = str(err).strip()
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def _read(source: str, pdf: Any, ocr: bool = True) -> Document:
    """Read the pages ``pdf`` (an engine's open file) gives into a Document.

    ``pdf`` has ``page_count``, ``metadata()`` and ``pages()``, an iterator of
    :class:`PageContent`.
    """
    with pdf:
        check(source, "pages", pdf.page_count)
        builder = DocumentBuilder(file_type="pdf", pages=pdf.page_count)
        builder.header.update(pdf.metadata())
        scanned: list[int] = []
        for page in pdf.pages():
            if _read_page(page, builder) == "scanned":
                if ocr:
                    from govopen.readers.ocr import ocr_pdf_page
                    if ocr_pdf_page(source, page, builder):
                        continue
                scanned.append(page.page_number)
        if scanned:
            many = len(scanned) > 1
            builder.note(
                "needs_ocr",
                f"{'pages' if many else 'page'} {_ranges(scanned)} "
                f"{'have' if many else 'has'} no text layer "
                f"(scanned {'images' if many else 'image'}); OCR needed",
                "error",
            )
        if not _has_end_marker(source):
            builder.note("pdf_truncated",
                         "the PDF has no %%EOF end marker; it may be truncated", "warning")
        return builder.build()


def _has_end_marker(source: str) -> bool:
    with open(source, "rb") as fh:
        fh.seek(max(0, os.path.getsize(source) - 2048))
        return b"%%EOF" in fh.read()


def _ranges(numbers: list[int]) -> str:
    """``[1, 2, 3, 5]`` -> ``"1-3, 5"``."""
    out: list[str] = []
    start = prev = numbers[0]
    for n in numbers[1:] + [None]:  # type: ignore[list-item]
        if n is not None and n == prev + 1:
            prev = n
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(out)


# The PDF Info entries kept in Document.header.
METADATA_KEYS = ("Title", "Subject", "CreationDate", "ModDate")


def _decode_pdf_string(value: bytes | str) -> str:
    if isinstance(value, str):
        return value
    if value.startswith(b"\xfe\xff"):
        return value[2:].decode("utf-16-be", errors="replace")
    if value.startswith(b"\xff\xfe"):
        return value[2:].decode("utf-16-le", errors="replace")
    if value.startswith(b"\xef\xbb\xbf"):
        return value[3:].decode("utf-8", errors="replace")
    if not any(b > 0x7F for b in value):
        return value.decode("ascii")
    for encoding in ("utf-8", "gb18030"):
        try:
            return value.decode(encoding)
        except UnicodeDecodeError:
            pass
    from pdfminer.utils import decode_text

    return decode_text(value)


# --------------------------------------------------------------------------- pdfplumber


class _PlumberPdf:
    """A PDF opened with pdfplumber, giving :class:`PageContent` page by page."""

    def __init__(self, source: str) -> None:
        import pdfplumber

        self._pdf = pdfplumber.open(source)
        self.page_count = len(self._pdf.pages)

    def __enter__(self) -> _PlumberPdf:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pdf.close()

    def metadata(self) -> dict[str, str]:
        """Title and dates from the PDF Info dictionary, decoded properly.

        pdfminer only recognises big-endian UTF-16; WPS writes little-endian UTF-16
        with a BOM and some Chinese tools write raw GBK, both of which pdfminer
        turns into mojibake, so the raw bytes are decoded here.
        """
        from pdfminer.pdftypes import resolve1

        out: dict[str, str] = {}
        for info in self._pdf.doc.info:
            for key in METADATA_KEYS:
                value = resolve1(info.get(key))
                text = _decode_pdf_string(value) if isinstance(value, (bytes, str)) else ""
                text = text.replace("\x00", "").strip()
                if text and key not in out:
                    out[key] = text
        return out

    def pages(self) -> Iterator[PageContent]:
        for page in self._pdf.pages:
            yield plumber_page(page)
            page.close()  # frees the page's cached layout objects


def plumber_page(page: Any) -> PageContent:
    """What the engine-independent code needs of a pdfplumber page.

    An upright character's box is set to run from its baseline one font size
    up. pdfminer starts it at the font's descent, read from the font
    descriptor (often 0: LibreOffice writes 0), while PDFium falls back to the
    font program's own descent; the baseline and the size both engines agree
    on, so the same characters land in the same cells and lines.
    """
    height, offset = float(page.height), float(page.mediabox[1])
    chars = []
    for ch in page.chars:
        a, b, c, d, _, f = ch.get("matrix") or (0, 1, 1, 0, 0, 0)
        if abs(b) < 1e-6 and abs(c) < 1e-6 and a > 0 and d > 0:
            baseline = height - f + offset
            ch = dict(ch, top=baseline - ch["size"], bottom=baseline,
                      doctop=ch["doctop"] - ch["top"] + baseline - ch["size"])
        chars.append(ch)
    return PageContent(page_number=page.page_number, width=float(page.width),
                       height=height, chars=chars,
                       edges=page.filter(_is_rule).edges, images=len(page.images))


# --------------------------------------------------------------------------- pages


@dataclass
class PageContent:
    """One page as an engine gives it, in pdfplumber's terms.

    Coordinates are PDF points from the top-left corner of the page as
    displayed (``/Rotate`` applied). ``chars`` are dicts with ``text``, ``x0``,
    ``x1``, ``top``, ``bottom``, ``doctop``, ``size``, ``fontname`` and
    ``upright``; ``edges`` the visible rules (see :func:`_is_rule`) as
    pdfplumber edge dicts (``orientation`` ``"h"``/``"v"``, ``x0``, ``x1``,
    ``top``, ``bottom``, ``width``, ``height``); ``images`` the number of
    images drawn on the page.
    """

    page_number: int
    width: float
    height: float
    chars: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    images: int = 0


def _read_page(page: PageContent, builder: DocumentBuilder) -> str | None:
    """Emit one page; return ``"scanned"`` for a page that needs OCR."""
    number = page.page_number
    # WPS and some printers fake bold by drawing each glyph twice.
    chars = [c for c in _dedupe_chars(page.chars) if c.get("text")]
    cid = sum(1 for c in chars if c["text"].startswith("(cid:") and _CID.match(c["text"]))
    if chars and cid > _CID_SHARE * len(chars):
        builder.note(
            "needs_ocr",
            f"page {number}: {cid} of {len(chars)} characters have no Unicode mapping "
            "(embedded fonts without ToUnicode); the text layer is unreadable; OCR needed",
            "error",
        )

    tables = _find_tables(page)
    items: list[tuple[float, float, int, Any]] = []  # (top, x0, order, item)
    in_cells: set[int] = set()
    centres = [((c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2) for c in chars] if tables else []
    for ti, table in enumerate(tables):
        left = table.bbox[0]  # a property that goes over every cell: once per table
        for ri, row in enumerate(_table_rows(table, chars, centres, in_cells)):
            items.append((row["top"], left, len(items), ("row", ti, ri, row)))

    loose = [c for i, c in enumerate(chars) if i not in in_cells]
    lines = [ln for ln in _text_lines(loose) if not _is_page_furniture(ln, page)]
    for ln in lines:
        items.append((ln["top"], ln["bbox"][0], len(items), ("line", ln)))

    if not items:
        return "scanned" if page.images else None

    items.sort(key=lambda it: (round(it[0], 1), it[1], it[2]))
    block_table = len(tables) - 1  # borderless "tables" are numbered after ruled ones
    block_row = 0
    previous_multi = False
    for line_no, (_, _, _, item) in enumerate(items, start=1):
        if item[0] == "row":
            _, ti, ri, row = item
            builder.add_row(row["cells"], cols=row["cols"], bboxes=row["bboxes"],
                            page=number, line=line_no, table=ti, row=ri)
            previous_multi = False
            continue
        ln = item[1]
        if len(ln["cells"]) == 1:
            builder.add_line(ln["cells"][0], page=number, line=line_no, bbox=ln["bbox"])
            previous_multi = False
            continue
        # A line split by wide gaps is a row of a borderless table: consecutive
        # such lines form one table.
        if not previous_multi:
            block_table += 1
            block_row = 0
        builder.add_row(ln["cells"], bboxes=ln["cell_bboxes"], page=number, line=line_no,
                        table=block_table, row=block_row)
        block_row += 1
        previous_multi = True
    return None


def _dedupe_chars(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The characters without duplicates, exactly as pdfplumber's ``dedupe_chars``.

    Same rule: characters with the same text, font and size are clustered by
    ``doctop``, then by ``x0``, each chaining values at most 1 pt apart, and only
    the first of a cluster (smallest ``doctop``, ``x0``; page order among equals)
    is kept, in page order. pdfplumber ends with ``sorted(..., key=chars.index)``,
    which compares dicts for every character kept and cost a fifth of the parse
    of a page; here most characters have no twin and are passed over at once.
    """
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    key = itemgetter("upright", "text", "fontname", "size")
    for ch in chars:
        k = key(ch)
        group = groups.get(k)
        if group is None:
            groups[k] = [ch]
        else:
            group.append(ch)
    first = itemgetter("doctop", "x0")
    dropped: set[int] = set()
    doctop = itemgetter("doctop")
    for group in groups.values():
        if len(group) < 2:
            continue
        tops = sorted(map(doctop, group))
        if not any(b <= a + 1 for a, b in zip(tops, tops[1:], strict=False)):
            continue  # no two on one line (_chains' test): no duplicate, as most groups
        for line in _chains(group, "doctop"):
            if len(line) < 2:
                continue
            for cluster in _chains(line, "x0"):
                if len(cluster) > 1:
                    keep = min(cluster, key=first)
                    dropped.update(id(ch) for ch in cluster if ch is not keep)
    if not dropped:
        return list(chars)
    return [ch for ch in chars if id(ch) not in dropped]


def _chains(objs: list[dict[str, Any]], key: str, tolerance: float = 1) -> list[list[dict[str, Any]]]:
    """``objs`` in runs whose ``key`` values step by at most ``tolerance``
    (pdfplumber's ``cluster_objects``), page order kept among equal values."""
    ordered = sorted(objs, key=itemgetter(key))
    runs = [[ordered[0]]]
    for prev, ch in zip(ordered, ordered[1:], strict=False):
        if ch[key] <= prev[key] + tolerance:
            runs[-1].append(ch)
        else:
            runs.append([ch])
    return runs


def _is_rule(obj: dict[str, Any]) -> bool:
    """Whether a drawing object is a visible rule that can bound table cells."""
    kind = obj.get("object_type")
    if kind != "rect":
        return True
    if obj.get("stroke"):
        return True
    thin = min(obj["width"], obj["height"]) <= _RULE_THICKNESS
    return bool(obj.get("fill")) and thin and not _is_white(obj.get("non_stroking_color"))


def _is_white(color: Any) -> bool:
    if color is None:
        return False
    if isinstance(color, (int, float)):
        color = (color,)
    try:
        values = [float(v) for v in color]
    except (TypeError, ValueError):  # pattern colours and the like
        return False
    if len(values) == 4:  # CMYK: no ink is white
        return all(v <= 0.05 for v in values)
    return bool(values) and all(v >= 0.95 for v in values)


def _edge(x0: float, top: float, x1: float, bottom: float) -> dict[str, Any]:
    orientation = "h" if top == bottom else "v"
    return {"object_type": "explicit_edge", "orientation": orientation, "x0": x0, "x1": x1,
            "top": top, "bottom": bottom, "width": x1 - x0, "height": bottom - top}


def _find_tables(page: PageContent) -> list[Any]:
    """Ruled tables on the page, with their outline closed.

    Fill-only rectangles (cell shading, white paragraph backgrounds that WPS
    draws behind every line) are ignored: they are not rules, and counting them
    turns body text into one-column "tables" and splits merged header cells.

    A table split by a page break usually has no rule along the break: its
    column rules just stop at the bottom of one page and start at the top of
    the next, and the cells of the cut row are lost. So the tables are found
    twice, the second time with an outline added around each first-pass table,
    stretched to the ends of the rules that run into it. Where every such
    outline is already drawn (no rule runs more than the snap tolerance past a
    table, and each side of the table is one rule), the outline would only snap
    onto those rules, the second pass would find the same cells, and it is
    skipped: most pages need one pass.

    The tables are pdfplumber's (``TableFinder``), found on the page's edges
    whichever engine gave them.
    """
    edges = page.edges
    ruled = SimpleNamespace(edges=edges, bbox=(0, 0, page.width, page.height))
    merged, tables = _table_finder(ruled, TABLE_SETTINGS)
    if not tables:
        return []
    tol = TABLE_SETTINGS["snap_tolerance"]
    extra_v: list[dict[str, Any]] = []
    extra_h: list[dict[str, Any]] = []
    closed = True
    for table in tables:
        x0, top, x1, bottom = table.bbox
        for e in edges:
            if (e["orientation"] == "v" and x0 - tol <= e["x0"] <= x1 + tol
                    and e["top"] <= bottom + tol and e["bottom"] >= top - tol):
                top, bottom = min(top, e["top"]), max(bottom, e["bottom"])
        for e in edges:
            if (e["orientation"] == "h" and top - tol <= e["top"] <= bottom + tol
                    and e["x0"] <= x1 + tol and e["x1"] >= x0 - tol):
                x0, x1 = min(x0, e["x0"]), max(x1, e["x1"])
        extra_h += [_edge(x0, top, x1, top), _edge(x0, bottom, x1, bottom)]
        extra_v += [_edge(x0, top, x0, bottom), _edge(x1, top, x1, bottom)]
        closed = closed and _outline_drawn(table.bbox, (x0, top, x1, bottom), merged, tol)
    if not closed:
        settings = dict(TABLE_SETTINGS, explicit_vertical_lines=extra_v,
                        explicit_horizontal_lines=extra_h)
        tables = _table_finder(ruled, settings)[1]
    # A single framed cell is a text box, not a table: its text is read as lines.
    return [t for t in tables if len(t.cells) > 1]


def _table_finder(ruled: Any, settings: dict[str, Any]) -> tuple[list[dict[str, Any]], list[Any]]:
    """pdfplumber's ``TableFinder(ruled, settings)``: its merged edges and tables.

    The same steps, with :func:`_intersections_to_cells` for pdfplumber's
    ``intersections_to_cells``.
    """
    from pdfplumber.table import Table, TableFinder, TableSettings

    resolved = TableSettings.resolve(settings)
    edges = TableFinder.get_edges(SimpleNamespace(page=ruled, settings=resolved))  # type: ignore[arg-type]
    intersections = _edges_to_intersections(edges, resolved.intersection_x_tolerance,
                                            resolved.intersection_y_tolerance)
    cells = _intersections_to_cells(intersections)
    return edges, [Table(ruled, group) for group in _cells_to_tables(cells)]


def _edges_to_intersections(edges: list[dict[str, Any]], x_tolerance: float,
                            y_tolerance: float) -> dict[Any, dict[str, list[Any]]]:
    """pdfplumber's ``edges_to_intersections``: the same points, edges and order.

    pdfplumber sorts the horizontal rules again for every vertical one and
    compares every pair; here they are sorted once, and only those whose
    ``top`` lies within a vertical rule's reach (a run of the sorted list,
    found by bisection) are compared, in the same order.
    """
    from bisect import bisect_left, bisect_right

    v_edges = sorted((e for e in edges if e["orientation"] == "v"), key=itemgetter("x0", "top"))
    h_edges = sorted((e for e in edges if e["orientation"] == "h"), key=itemgetter("top", "x0"))
    tops = [h["top"] for h in h_edges]
    intersections: dict[Any, dict[str, list[Any]]] = {}
    for v in v_edges:
        vx, vtop, vbottom = v["x0"], v["top"], v["bottom"]
        # The run of every h with v.top - tol <= h.top <= v.bottom + tol, widened
        # against rounding: pdfplumber's own comparisons below decide.
        start = bisect_left(tops, vtop - y_tolerance - 1e-6)
        end = bisect_right(tops, vbottom + y_tolerance + 1e-6)
        for h in h_edges[start:end]:
            if (vtop <= h["top"] + y_tolerance and vbottom >= h["top"] - y_tolerance
                    and h["x0"] - x_tolerance <= vx <= h["x1"] + x_tolerance):
                vertex = (vx, h["top"])
                found = intersections.get(vertex)
                if found is None:
                    found = intersections[vertex] = {"v": [], "h": []}
                found["v"].append(v)
                found["h"].append(h)
    return intersections


def _cells_to_tables(cells: list[Bbox]) -> list[list[Bbox]]:
    """pdfplumber's ``cells_to_tables``: the same tables, cells in the same order.

    ``cells`` are distinct (one per top-left point, as the cell search gives
    them). The same sweeps (a cell joins the table being grown if it shares a corner
    with it; a sweep that adds none closes the table), without pdfplumber's
    ``list.remove`` of every cell placed, which made a page of cells quadratic.
    """
    def corners(c: Bbox) -> tuple[tuple[float, float], ...]:
        x0, top, x1, bottom = c
        return ((x0, top), (x0, bottom), (x1, top), (x1, bottom))

    tables: list[list[Bbox]] = []
    remaining = list(cells)
    while remaining:
        group = [remaining[0]]
        seen = set(corners(remaining[0]))
        rest = remaining[1:]
        while True:
            left: list[Bbox] = []
            for cell in rest:
                cc = corners(cell)
                if cc[0] in seen or cc[1] in seen or cc[2] in seen or cc[3] in seen:
                    seen.update(cc)
                    group.append(cell)
                else:
                    left.append(cell)
            grown, rest = len(left) < len(rest), left
            if not grown:
                break
        tables.append(group)
        remaining = rest
    tables.sort(key=lambda t: min((c[1], c[0]) for c in t))
    return [t for t in tables if len(t) > 1]


def _intersections_to_cells(intersections: dict[Any, dict[str, list[Any]]]) -> list[Bbox]:
    """pdfplumber's ``intersections_to_cells``, with what it recomputes computed once.

    Same result, cell for cell and in the same order: for each intersection
    point (sorted), the first point below and the first point to the right it
    is joined to by a rule, whose corner point is joined to both, close the
    smallest cell. pdfplumber rebuilds each point's set of rules for every
    pair of points it compares, which was most of the table finding.
    """
    bbox = itemgetter("x0", "top", "x1", "bottom")  # pdfplumber's obj_to_bbox, uncalled
    vertical = {p: set(map(bbox, d["v"])) for p, d in intersections.items()}
    horizontal = {p: set(map(bbox, d["h"])) for p, d in intersections.items()}

    # Two points are joined by a rule if one rule passes through both: a common
    # vertical one for points of one column, a horizontal one for one row
    # (pdfplumber's edge_connects). Points are never NaN (a NaN rule crosses
    # nothing), so a point below shares only the column, one to the right only
    # the row, and each test below is the one edge_connects would decide by.
    points = sorted(intersections)
    same_x: dict[float, list[tuple[float, float]]] = {}
    same_y: dict[float, list[tuple[float, float]]] = {}
    place: dict[tuple[float, float], tuple[int, int]] = {}
    for pt in points:
        column, row = same_x.setdefault(pt[0], []), same_y.setdefault(pt[1], [])
        place[pt] = (len(column), len(row))
        column.append(pt)
        row.append(pt)
    cells: list[Bbox] = []
    for pt in points:
        i, j = place[pt]
        right = same_y[pt[1]][j + 1:]
        v_pt, h_pt = vertical[pt], horizontal[pt]
        joined: dict[tuple[float, float], bool] = {}  # right-hand point -> joined to pt
        cell = None
        for below in same_x[pt[0]][i + 1:]:
            if v_pt.isdisjoint(vertical[below]):
                continue
            h_below = horizontal[below]
            for r in right:
                ok = joined.get(r)
                if ok is None:
                    ok = joined[r] = not h_pt.isdisjoint(horizontal[r])
                if not ok:
                    continue
                corner = (r[0], below[1])
                v_corner = vertical.get(corner)
                if (v_corner is not None and not v_corner.isdisjoint(vertical[r])
                        and not horizontal[corner].isdisjoint(h_below)):
                    cell = (pt[0], pt[1], corner[0], corner[1])
                    break
            if cell is not None:
                break
        if cell is not None:
            cells.append(cell)
    return cells


def _outline_drawn(bbox: Bbox, outline: Bbox, merged: list[dict[str, Any]],
                   tol: float) -> bool:
    """Whether a table's outline is already drawn: each side within ``tol`` of
    the table's own side, and each of those covered by one merged rule of the
    first pass (cells' corners lie on merged rules, so positions compare exactly).
    """
    if any(abs(a - b) > tol for a, b in zip(bbox, outline, strict=True)):
        return False
    x0, top, x1, bottom = bbox

    def covered(orientation: str, at: float, start: float, end: float) -> bool:
        lo, hi = ("x0", "x1") if orientation == "h" else ("top", "bottom")
        pos = "top" if orientation == "h" else "x0"
        return any(e["orientation"] == orientation and e[pos] == at
                   and e[lo] <= start + tol and e[hi] >= end - tol for e in merged)

    return (covered("h", top, x0, x1) and covered("h", bottom, x0, x1)
            and covered("v", x0, top, bottom) and covered("v", x1, top, bottom))


def _table_rows(table: Any, chars: list[dict[str, Any]], centres: list[tuple[float, float]],
                used: set[int]) -> list[dict[str, Any]]:
    """A table's rows under the grid rule, with cell text and provenance.

    ``centres`` are the characters' centres (worked out once per page, not
    per table). Indices of the characters placed in a cell are added to ``used``.
    """
    cells: list[Bbox] = [tuple(c) for c in table.cells]
    xs = sorted({c[0] for c in cells})
    tops = sorted({c[1] for c in cells})
    col_of = {x: i for i, x in enumerate(xs)}

    # Assign each character to the (first) cell that contains its centre.
    x0, top, x1, bottom = table.bbox
    content: dict[Bbox, list[dict[str, Any]]] = {c: [] for c in cells}
    find = _cell_index(cells)
    for i, (cx, cy) in enumerate(centres):
        if not (x0 <= cx <= x1 and top <= cy <= bottom):
            continue
        cell = find(cx, cy)
        if cell is not None:
            content[cell].append(chars[i])
            used.add(i)

    # The cells starting in each row, once (not a scan of every cell per row).
    by_top: dict[float, list[Bbox]] = {}
    for c in cells:
        by_top.setdefault(c[1], []).append(c)
    rows = []
    for row_top in tops:
        starting = sorted(by_top[row_top], key=lambda c: c[0])
        at: dict[float, Bbox] = {}
        for c in starting:
            at.setdefault(c[0], c)  # the first cell starting at x, as before
        texts: list[str] = []
        cols: list[int] = []
        boxes: list[Bbox | None] = []
        for x in xs:
            cell = at.get(x)  # type: ignore[assignment]
            if cell is not None:
                texts.append(_cell_text(content[cell]))
                cols.append(col_of[x])
                boxes.append(cell)
            elif any(c[0] < x < c[2] for c in starting):
                continue  # merged across from the left: listed once already
            else:
                texts.append("")  # merged down from an earlier row (or a hole)
                cols.append(col_of[x])
                boxes.append(None)
        rows.append({"top": row_top, "cells": texts, "cols": cols, "bboxes": boxes})
    return rows


def _cell_index(cells: list[Bbox]) -> Any:
    """A function giving the first of ``cells`` that contains a point (bounds
    included), or ``None``: the cells indexed by the grid of their sides."""
    from bisect import bisect_right

    xs = sorted({c[0] for c in cells} | {c[2] for c in cells})
    ys = sorted({c[1] for c in cells} | {c[3] for c in cells})
    col, row = {x: i for i, x in enumerate(xs)}, {y: i for i, y in enumerate(ys)}
    grid: dict[tuple[int, int], list[int]] = {}
    for k, (cx0, ctop, cx1, cbottom) in enumerate(cells):
        for i in range(col[cx0], col[cx1]):
            for j in range(row[ctop], row[cbottom]):
                grid.setdefault((i, j), []).append(k)
    first = {pos: ks[0] for pos, ks in grid.items()}  # ks ascend: ks[0] is the first cell
    last_x, last_y = len(xs) - 1, len(ys) - 1

    def spans(values: list[float], v: float) -> list[int]:
        i = bisect_right(values, v) - 1  # values[i] <= v < values[i + 1]
        out = [i] if 0 <= i < len(values) - 1 else []
        if 0 < i <= len(values) - 1 and values[i] == v:
            out.append(i - 1)  # on a side: the span before it holds v too
        return out

    def find(x: float, y: float) -> Bbox | None:
        i, j = bisect_right(xs, x) - 1, bisect_right(ys, y) - 1
        if 0 <= i < last_x and 0 <= j < last_y and xs[i] != x and ys[j] != y:
            k = first.get((i, j))  # inside one span of the grid: most characters
            return None if k is None else cells[k]
        found = [k for i in spans(xs, x) for j in spans(ys, y) for k in grid.get((i, j), ())]
        return cells[min(found)] if found else None

    return find


def _cell_text(chars: list[dict[str, Any]]) -> str:
    if len(chars) < 2:  # most cells: empty, or one digit
        if not chars:
            return ""
        t = chars[0]["text"]
        if t.startswith("(cid:") and _CID.match(t):
            t = "\ufffd"
        return join_wrapped([t])
    top, bottom = chars[0]["top"], chars[0]["bottom"]
    if bottom >= top and all(c["top"] == top and c["bottom"] == bottom for c in chars):
        # One line (most cells): what _text_lines would make of it, without its grouping.
        cells, _ = _split_line(sorted(chars, key=itemgetter("x0")), False)
        return join_wrapped(cells)
    return join_wrapped([" ".join(ln["cells"]) for ln in _text_lines(chars, split=False)])


# --------------------------------------------------------------------------- text


def _text_lines(chars: Iterable[dict[str, Any]], split: bool = True) -> list[dict[str, Any]]:
    """Group characters into visual lines, top to bottom.

    Each line is ``{"top", "bbox", "cells", "cell_bboxes"}``. With ``split``,
    gaps wider than ``_CELL_GAP`` font sizes separate cells (a borderless
    table); otherwise a line is one cell.
    """
    groups: list[list[Any]] = []  # [top, bottom, chars]
    for ch in sorted(chars, key=itemgetter("top", "x0")):
        top, bottom = ch["top"], ch["bottom"]
        height = max(bottom - top, 0.1)
        # Characters are sorted by top, so only the latest lines can overlap.
        for group in reversed(groups[-3:]):
            gtop, gbottom = group[0], group[1]
            overlap = (bottom if bottom < gbottom else gbottom) - (top if top > gtop else gtop)
            if overlap >= 0.5 * min(height, gbottom - gtop):
                group[2].append(ch)
                if bottom > gbottom:
                    group[1] = bottom
                break
        else:
            groups.append([top, bottom, [ch]])

    lines = []
    by_x0 = itemgetter("x0")
    for gtop, _, group_chars in groups:
        if len(group_chars) > 1:
            group_chars.sort(key=by_x0)
        cells, boxes = _split_line(group_chars, split)
        if not cells:
            continue
        if len(boxes) == 1:
            bbox = boxes[0]
        else:
            bbox = (min(b[0] for b in boxes), min(b[1] for b in boxes),
                    max(b[2] for b in boxes), max(b[3] for b in boxes))
        lines.append({"top": gtop, "bbox": bbox, "cells": cells, "cell_bboxes": boxes})
    return lines


def _split_line(chars: list[dict[str, Any]], split: bool) -> tuple[list[str], list[Bbox]]:
    """Text of one line (chars sorted left to right), as cells."""
    cells: list[str] = []
    boxes: list[Bbox] = []
    text = ""
    bx0 = btop = bx1 = bbottom = 0.0
    has_box = False
    prev: dict[str, Any] | None = None
    prev_size = 0.0
    literal_space = False
    for ch in chars:
        t = ch["text"]
        if t.startswith("(cid:") and _CID.match(t):
            t = "\ufffd"  # an unmapped glyph; "(cid:12)" would read as a number
        if t.isspace():  # (t is never empty: _read_page drops empty characters)
            literal_space = prev is not None
            continue
        # The font size, at least 1 pt (a missing size: the box's height).
        ch_size = ch.get("size") or (ch["bottom"] - ch["top"])
        ch_size = 1.0 if ch_size <= 1.0 else float(ch_size)
        if prev is not None:
            gap = ch["x0"] - prev["x1"]
            size = ch_size if ch_size > prev_size else prev_size  # max(), per character
            if split and gap >= _CELL_GAP * size:
                cells.append(text)
                boxes.append((bx0, btop, bx1, bbottom))
                text, has_box = "", False
            elif literal_space:
                text += " "  # a space in the text layer is kept as it is
            elif gap > _SPACE_GAP * size and not (is_cjk(text[-1]) or is_cjk(t[0])):
                text += " "  # Latin words; Chinese is never spaced by position
        text += t
        x0, top, x1, bottom = ch["x0"], ch["top"], ch["x1"], ch["bottom"]
        if has_box:
            if x0 < bx0:
                bx0 = x0
            if top < btop:
                btop = top
            if x1 > bx1:
                bx1 = x1
            if bottom > bbottom:
                bbottom = bottom
        else:
            bx0, btop, bx1, bbottom, has_box = x0, top, x1, bottom, True
        prev, prev_size = ch, ch_size
        literal_space = False
    if text:
        cells.append(text)
        boxes.append((bx0, btop, bx1, bbottom))
    return cells, boxes


def _is_page_furniture(line: dict[str, Any], page: PageContent) -> bool:
    """A page number (``- 3 -``, ``第 3 页``, ``3 / 8``) in the header or footer band."""
    top, bottom = line["bbox"][1], line["bbox"][3]
    in_band = bottom <= page.height * _HEADER_BAND or top >= page.height * (1 - _FOOTER_BAND)
    return in_band and bool(_PAGE_NUMBER.match(" ".join(line["cells"]).strip()))
