"""PDF pages through PDFium (pypdfium2): characters with boxes, rules, images.

PDFium parses content streams in C++, about ten times faster than pdfminer.
This module only turns what it gives into :class:`~govopen.readers.pdf.PageContent`,
in pdfplumber's terms (top-left origin, the page as displayed); everything else
— duplicate glyphs, tables, lines, cells — is the engine-independent code of
:mod:`govopen.readers.pdf`, so both engines give the same cells.

What is matched to pdfminer (and so to pdfplumber):

* a character's box runs from its origin over its advance width (PDFium's
  "loose" box), and from its baseline one font size up (see
  :func:`govopen.readers.pdf.plumber_page`: the font's descent, which the two
  engines take from different places, is left out on both sides); for vertical
  writing, where PDFium's loose box is not scaled to the page, it is one font
  size square from the origin, as pdfminer's;
* paths are split into subpaths; a subpath that is one segment is a line, an
  axis-aligned closed four-point one a rectangle, anything else a curve whose
  edges join its points (Bézier control points left out), exactly as pdfminer
  classifies them; paths inside form XObjects are included, with the form's
  matrix applied;
* ``/Rotate`` is applied as pdfminer's device matrix does, so coordinates are
  those of the page as displayed.

PDFium is not thread-safe: pages are read under one lock per process (threads
of a Dask worker take turns; worker processes are independent).

Example:
    >>> pdf = open_pdfium("tests/fixtures/pdf/borderless.pdf")  # doctest: +SKIP
    >>> with pdf:  # doctest: +SKIP
    ...     page = next(pdf.pages())
    >>> page.page_number, page.edges  # doctest: +SKIP
    (1, [])
"""

from __future__ import annotations

import ctypes
import re
import threading
from collections.abc import Iterator
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from govopen.errors import ReportError
from govopen.readers.pdf import (
    METADATA_KEYS,
    PageContent,
    _decode_pdf_string,
    _is_rule,
    _PlumberPdf,
    plumber_page,
)

# PDFium may be called from one thread at a time.
_LOCK = threading.RLock()
# Form XObjects nest; deeper than this is a malicious file, not a report.
_MAX_DEPTH = 16

Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _fast(name: str, restype: Any, *argtypes: Any) -> Any:
    """A PDFium function called with plain integers and pointers.

    pypdfium2's bindings convert every argument and wrap returned handles in
    ctypes pointer objects; in the per-character loop that conversion costs
    more than PDFium's work, so the hot functions are re-typed here.
    """
    address = ctypes.cast(getattr(raw, name), ctypes.c_void_p).value
    assert address is not None  # a function of the loaded library: never NULL
    return ctypes.CFUNCTYPE(restype, *argtypes)(address)


_V, _I = ctypes.c_void_p, ctypes.c_int
_RECT_P = ctypes.POINTER(raw.FS_RECTF)
_get_unicode = _fast("FPDFText_GetUnicode", ctypes.c_uint, _V, _I)
_is_generated = _fast("FPDFText_IsGenerated", _I, _V, _I)
_map_error = _fast("FPDFText_HasUnicodeMapError", _I, _V, _I)
_get_object = _fast("FPDFText_GetTextObject", _V, _V, _I)
_get_box = _fast("FPDFText_GetLooseCharBox", _I, _V, _I, _RECT_P)
_get_origin = _fast("FPDFText_GetCharOrigin", _I, _V, _I, ctypes.POINTER(ctypes.c_double),
                    ctypes.POINTER(ctypes.c_double))


_get_matrix = _fast("FPDFText_GetMatrix", _I, _V, _I, ctypes.POINTER(raw.FS_MATRIX))
_get_font = _fast("FPDFTextObj_GetFont", _V, _V)
_get_size = _fast("FPDFText_GetFontSize", ctypes.c_double, _V, _I)


_F = ctypes.POINTER(ctypes.c_float)
_count_objects = _fast("FPDFPage_CountObjects", _I, _V)
_get_page_object = _fast("FPDFPage_GetObject", _V, _V, _I)
_count_form_objects = _fast("FPDFFormObj_CountObjects", _I, _V)
_get_form_object = _fast("FPDFFormObj_GetObject", _V, _V, ctypes.c_ulong)
_get_type = _fast("FPDFPageObj_GetType", _I, _V)
_get_obj_matrix = _fast("FPDFPageObj_GetMatrix", _I, _V, ctypes.POINTER(raw.FS_MATRIX))
_get_draw_mode = _fast("FPDFPath_GetDrawMode", _I, _V, ctypes.POINTER(_I), ctypes.POINTER(_I))
_count_segments = _fast("FPDFPath_CountSegments", _I, _V)
_get_segment = _fast("FPDFPath_GetPathSegment", _V, _V, _I)
_segment_type = _fast("FPDFPathSegment_GetType", _I, _V)
_segment_point = _fast("FPDFPathSegment_GetPoint", _I, _V, _F, _F)
_segment_close = _fast("FPDFPathSegment_GetClose", _I, _V)
_PATH, _IMAGE, _FORM = raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_FORM
_MOVETO, _BEZIERTO = raw.FPDF_SEGMENT_MOVETO, raw.FPDF_SEGMENT_BEZIERTO
# Half of a character outside the BMP: the page's text then needs the per-index path.
_SURROGATE = re.compile("[\ud800-\udfff]")




def open_pdfium(source: str) -> PdfiumPdf | None:
    """``source`` opened with PDFium, or ``None`` if PDFium cannot open it.

    Raises:
        ReportError: the PDF needs a password.
    """
    with _LOCK:
        try:
            return PdfiumPdf(source)
        except pdfium.PdfiumError as err:
            if getattr(err, "err_code", None) == raw.FPDF_ERR_PASSWORD:
                raise ReportError(source, "the PDF is encrypted (a password is needed to "
                                          "open it)") from None
            return None  # pdfminer gets its chance, and its error message


class PdfiumPdf:
    """A PDF opened with PDFium, giving :class:`PageContent` page by page.

    A page PDFium cannot load is read with pdfplumber instead.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self._pdf = pdfium.PdfDocument(source)
        self.page_count = len(self._pdf)
        self._plumber: _PlumberPdf | None = None

    def __enter__(self) -> PdfiumPdf:
        return self

    def __exit__(self, *exc: object) -> None:
        with _LOCK:
            self._pdf.close()
        if self._plumber is not None:
            self._plumber.__exit__()

    def metadata(self) -> dict[str, str]:
        """Title and dates from the Info dictionary.

        PDFium decodes UTF-16 (either byte order) and UTF-8 with their BOMs; a
        string without a BOM it reads as PDFDocEncoding, which turns raw GBK
        into mojibake, so such a string is mapped back to its bytes and decoded
        as the pdfplumber path does.
        """
        out: dict[str, str] = {}
        with _LOCK:
            for key in METADATA_KEYS:
                text = _redecode(self._pdf.get_metadata_value(key))
                text = text.replace("\x00", "").strip()
                if text:
                    out[key] = text
        return out

    def pages(self) -> Iterator[PageContent]:
        for index in range(self.page_count):
            with _LOCK:
                content = self._page(index)
            yield content if content is not None else self._fallback(index)

    def _page(self, index: int) -> PageContent | None:
        try:
            page = self._pdf[index]
        except pdfium.PdfiumError:
            return None
        try:
            textpage = page.get_textpage()
        except pdfium.PdfiumError:
            page.close()
            return None
        try:
            return _content(page, textpage, index + 1)
        finally:
            textpage.close()
            page.close()

    def _fallback(self, index: int) -> PageContent:
        if self._plumber is None:
            self._plumber = _PlumberPdf(self.source)
        page = self._plumber._pdf.pages[index]
        try:
            return plumber_page(page)
        finally:
            page.close()


def _redecode(text: str) -> str:
    from pdfminer.utils import PDFDocEncoding

    if not text or all(ord(c) < 0x80 for c in text):
        return text
    try:
        data = bytes(PDFDocEncoding.index(c) for c in text)
    except ValueError:  # not PDFDocEncoding: PDFium decoded it as Unicode
        return text
    return _decode_pdf_string(data)


# --------------------------------------------------------------------------- geometry


class _Device:
    """PDF user space → pdfplumber's coordinates of the displayed page.

    pdfminer maps user space through a device matrix that undoes the MediaBox
    origin and applies ``/Rotate``; pdfplumber then flips y against the page
    height and adds the MediaBox offsets back (its own convention, kept here).
    """

    def __init__(self, mediabox: tuple[float, float, float, float], rotation: int) -> None:
        x0, x1 = sorted((mediabox[0], mediabox[2]))
        y0, y1 = sorted((mediabox[1], mediabox[3]))
        self.rotation = rotation % 360
        self.ctm = {90: (0.0, -1.0, 1.0, 0.0, -y0, x1), 180: (-1.0, 0.0, 0.0, -1.0, x1, y1),
                    270: (0.0, 1.0, -1.0, 0.0, y1, -x0)}.get(self.rotation,
                                                            (1.0, 0.0, 0.0, 1.0, -x0, -y0))
        if self.rotation in (90, 270):
            self.width, self.height, self.dx, self.dy = y1 - y0, x1 - x0, y0, -x0
        else:
            self.width, self.height, self.dx, self.dy = x1 - x0, y1 - y0, x0, -y0

        # The whole map as one affine (X = A x + C y + E, Y = B x + D y + F).
        a, b, c, d, e, f = self.ctm
        self.affine = (a, -b, c, -d, e + self.dx, self.height - f + self.dy)

    def point(self, x: float, y: float) -> tuple[float, float]:
        A, B, C, D, E, F = self.affine
        return A * x + C * y + E, B * x + D * y + F

    def box(self, left: float, bottom: float, right: float, top: float
            ) -> tuple[float, float, float, float]:
        """(x0, top, x1, bottom) of a user-space rectangle."""
        xa, ya = self.point(left, bottom)
        xb, yb = self.point(right, top)
        return min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb)


def _content(page: Any, textpage: Any, number: int) -> PageContent:
    device = _Device(page.get_mediabox(), page.get_rotation())
    edges: list[dict[str, Any]] = []
    images = [0]
    _walk(ctypes.cast(page.raw, ctypes.c_void_p).value, None, _IDENTITY, device, edges,
          images, 0)
    return PageContent(page_number=number, width=device.width, height=device.height,
                       chars=_chars(textpage.raw, device), edges=edges, images=images[0])


def _mul(m: Matrix, n: Matrix) -> Matrix:
    """``m`` then ``n`` (row-vector convention, as PDF writes ``m × n``)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F)


def _matrix(obj: int) -> Matrix:
    m = raw.FS_MATRIX()
    if not _get_obj_matrix(obj, ctypes.byref(m)):
        return _IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _walk(page: int | None, form: int | None, ctm: Matrix, device: _Device,
          edges: list[dict[str, Any]], images: list[int], depth: int) -> None:
    """Collect rule edges and count images of a page or a form XObject."""
    if form is None:
        objects = [_get_page_object(page, i) for i in range(_count_objects(page))]
    else:
        objects = [_get_form_object(form, i) for i in range(_count_form_objects(form))]
    for obj in objects:
        if not obj:
            continue
        kind = _get_type(obj)
        if kind == _PATH:
            _path_edges(obj, _mul(_matrix(obj), ctm), device, edges)
        elif kind == _IMAGE:
            images[0] += 1
        elif kind == _FORM and depth < _MAX_DEPTH:
            _walk(page, obj, _mul(_matrix(obj), ctm), device, edges, images, depth + 1)


def _color(obj: int, getter: Any) -> tuple[float, ...] | None:
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not getter(ctypes.cast(obj, raw.FPDF_PAGEOBJECT), r, g, b, a):
        return None
    return (r.value / 255, g.value / 255, b.value / 255)


def _path_edges(obj: int, m: Matrix, device: _Device, edges: list[dict[str, Any]]) -> None:
    fillmode, stroke = ctypes.c_int(), ctypes.c_int()
    if not _get_draw_mode(obj, ctypes.byref(fillmode), ctypes.byref(stroke)):
        return
    fill, stroke_ = bool(fillmode.value), bool(stroke.value)
    if not fill and not stroke_:
        return  # a clipping path, or nothing painted
    # Path space → user space → the displayed page, as one affine.
    a, b, c, d, e, f = _mul(m, device.affine)
    x, y = ctypes.c_float(), ctypes.c_float()
    x_p, y_p = ctypes.byref(x), ctypes.byref(y)
    subpaths: list[list[tuple[str, tuple[float, float]]]] = []
    bezier = 0
    for i in range(_count_segments(obj)):
        seg = _get_segment(obj, i)
        kind = _segment_type(seg)
        _segment_point(seg, x_p, y_p)
        px, py = x.value, y.value
        pt = (a * px + c * py + e, b * px + d * py + f)
        if kind == _MOVETO or not subpaths:
            subpaths.append([("m", pt)])
            bezier = 0
        elif kind == _BEZIERTO:
            bezier += 1
            if bezier % 3 == 0:  # the first two of three points are control points
                subpaths[-1].append(("c", pt))
        else:
            subpaths[-1].append(("l", pt))
            bezier = 0
        if _segment_close(seg):
            subpaths[-1].append(("h", subpaths[-1][0][1]))
    if not subpaths:
        return
    color = None  # looked up only for the fill-only rectangles that need it
    for sub in subpaths:
        shape = "".join(op for op, _ in sub)
        pts = [p for _, p in sub]
        if len(shape) > 3 and shape.endswith("lh") and pts[-2] == pts[0]:
            shape, pts = shape[:-2] + "h", pts[:-1]
        if shape in ("ml", "mlh"):
            edges.extend(_line_edges(pts[0], pts[1], line=True))
        elif shape in ("mlllh", "mllll") and len(pts) == 5 and _is_rect(pts):
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            x0, x1, top, bottom = min(xs), max(xs), min(ys), max(ys)
            if not stroke_ and color is None:
                color = _color(obj, raw.FPDFPageObj_GetFillColor)
            rect = {"object_type": "rect", "stroke": stroke_, "fill": fill,
                    "non_stroking_color": color, "width": x1 - x0, "height": bottom - top}
            if _is_rule(rect):
                edges.extend(_rect_edges(x0, top, x1, bottom))
        elif len(pts) > 1:
            for p0, p1 in zip(pts, pts[1:], strict=False):
                edges.extend(_line_edges(p0, p1))


def _upright(a: float, b: float, c: float, d: float) -> bool:
    return abs(b) < 1e-6 and abs(c) < 1e-6 and a > 0 and d > 0


def _is_rect(pts: list[tuple[float, float]]) -> bool:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3), end = pts
    return end == pts[0] and ((x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0)
                              or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0))


def _line_edges(p0: tuple[float, float], p1: tuple[float, float],
                line: bool = False) -> list[dict[str, Any]]:
    """The edge of one straight segment, oriented as pdfplumber does.

    A curve's segment is vertical, horizontal or dropped; a line that is not
    horizontal counts as vertical (pdfplumber's ``line_to_edge``).
    """
    if line:
        orientation = "h" if p0[1] == p1[1] else "v"
    elif p0[0] == p1[0]:
        orientation = "v"
    elif p0[1] == p1[1]:
        orientation = "h"
    else:
        return []
    x0, x1 = sorted((p0[0], p1[0]))
    top, bottom = sorted((p0[1], p1[1]))
    return [{"object_type": "line_edge", "orientation": orientation, "x0": x0, "x1": x1,
             "top": top, "bottom": bottom, "width": x1 - x0, "height": bottom - top}]


def _rect_edges(x0: float, top: float, x1: float, bottom: float) -> list[dict[str, Any]]:
    """A rectangle's four sides, as pdfplumber's ``rect_to_edges``."""
    w, h = x1 - x0, bottom - top
    side = {"object_type": "rect_edge"}
    return [
        {**side, "orientation": "h", "x0": x0, "x1": x1, "top": top, "bottom": top,
         "width": w, "height": 0},
        {**side, "orientation": "h", "x0": x0, "x1": x1, "top": bottom, "bottom": bottom,
         "width": w, "height": 0},
        {**side, "orientation": "v", "x0": x0, "x1": x0, "top": top, "bottom": bottom,
         "width": 0, "height": h},
        {**side, "orientation": "v", "x0": x1, "x1": x1, "top": top, "bottom": bottom,
         "width": 0, "height": h},
    ]


# --------------------------------------------------------------------------- characters


def _page_text(tp: Any, n: int) -> str | None:
    """The page's characters in one call, if they map one to one onto indices."""
    if n <= 0:
        return ""
    buffer = (ctypes.c_ushort * (n + 1))()
    written = raw.FPDFText_GetText(tp, 0, n, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
    text = bytes(buffer)[: max(written - 1, 0) * 2].decode("utf-16-le", errors="surrogatepass")
    if len(text) != n or _SURROGATE.search(text):
        return None
    return text


def _chars(tp: Any, device: _Device) -> list[dict[str, Any]]:
    """The page's characters as pdfplumber char dicts (the keys govopen reads).

    Three PDFium calls per character (map error, text object, box) after one
    for the page's text; what a text object's characters share (font, size,
    matrix, baseline) is asked once per text object.
    """
    n = raw.FPDFText_CountChars(tp)
    tpv = ctypes.cast(tp, ctypes.c_void_p).value
    text_all = _page_text(tp, n)
    rect, ox, oy = raw.FS_RECTF(), ctypes.c_double(), ctypes.c_double()
    rect_p, ox_p, oy_p = ctypes.byref(rect), ctypes.byref(ox), ctypes.byref(oy)
    A, B, C, D, E, F = device.affine
    objects: dict[int | None, tuple[Any, ...]] = {}
    out: list[dict[str, Any]] = []
    append = out.append
    pending_high = 0
    for i in range(max(n, 0)):
        code = ord(text_all[i]) if text_all is not None else _get_unicode(tpv, i)
        if code in (0x20, 0x0A, 0x0D) and _is_generated(tpv, i) == 1:
            continue  # spaces and line breaks PDFium inserts itself
        if 0xD800 <= code < 0xDC00:  # a character outside the BMP comes in two halves
            pending_high = code
            continue
        if 0xDC00 <= code < 0xE000 and pending_high:
            code = 0x10000 + ((pending_high - 0xD800) << 10) + (code - 0xDC00)
        pending_high = 0
        if code == 0 or code == 0xFFFE:
            continue
        text = f"(cid:{code})" if _map_error(tpv, i) == 1 else chr(code)
        key = _get_object(tpv, i)
        shared = objects.get(key)
        if shared is None:
            shared = objects[key] = _text_object(tpv, i, key, device)
        font, size, upright, axis, baseline = shared
        _get_box(tpv, i, rect_p)
        left, bottom_, right, top_ = rect.left, rect.bottom, rect.right, rect.top
        xa, xb = A * left + C * bottom_ + E, A * right + C * top_ + E
        ya, yb = B * left + D * bottom_ + F, B * right + D * top_ + F
        lx0, lx1 = (xa, xb) if xa <= xb else (xb, xa)
        ltop, lbottom = (ya, yb) if ya <= yb else (yb, ya)
        if size > 0 and (lx1 - lx0 > 2 * size + 1 or lbottom - ltop > 2 * size + 1):
            # Vertical writing: PDFium's loose box is not scaled to the page;
            # pdfminer's box is one font size square from the origin.
            _get_origin(tpv, i, ox_p, oy_p)
            x, y = ox.value, oy.value
            x0, bottom, height = A * x + C * y + E, B * x + D * y + F, size
            x1 = x0 + size
        elif axis:
            # Upright on the displayed page: the advance from PDFium's box, one
            # font size up from the text object's baseline (see pdf.plumber_page).
            x0, x1, bottom, height = lx0, lx1, baseline, size
        else:  # rotated or skewed text: the box as PDFium gives it
            x0, x1, bottom, height = lx0, lx1, lbottom, lbottom - ltop
        top = bottom - height
        append({"text": text, "x0": x0, "x1": x1, "top": top, "bottom": bottom,
                "doctop": top, "size": height, "fontname": font, "upright": upright})
    return out


def _text_object(tp: int | None, index: int, obj: int | None, device: _Device) -> tuple[Any, ...]:
    """What the characters of the text object drawing character ``index`` share:
    font, size on the page, pdfminer's ``upright``, whether it is upright on
    the displayed page, and (then) its baseline there.

    A text object is one run of glyphs from one position (rise included), so
    an upright one has one baseline: its matrix's origin.
    """
    m = raw.FS_MATRIX()
    _get_matrix(tp, index, ctypes.byref(m))
    font = (_get_font(obj) if obj else None) or 0
    ma, mb, mc, md = m.a, m.b, m.c, m.d
    # The font size on the page: the text-space size through the matrix.
    size = _get_size(tp, index) * (mc * mc + md * md) ** 0.5
    # The matrix's linear part through the device's (_mul's terms, once per text object).
    A, B, C, D = device.ctm[:4]
    a, b, c, d = ma * A + mb * C, ma * B + mb * D, mc * A + md * C, mc * B + md * D
    _, baseline = device.point(m.e, m.f)
    return font, size, a * d > 0 and b * c <= 0, _upright(a, b, c, d), baseline
