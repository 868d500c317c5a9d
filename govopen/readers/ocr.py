"""Reading scanned pages and pictures with OCR, into the same rows of cells.

A page image (a PDF page without a text layer, or a ``.png``/``.jpg``/``.tif``/
``.bmp`` report) goes through these steps:

1. **Normalise**: scaled so that its long side is :data:`LONG_SIDE` pixels (A4
   at 200 dpi); the red channel is used as the grey image, so that a red seal
   stamped over the numbers fades out while black and blue print stays.
2. **Orientation**: a page whose text boxes are mostly taller than wide is
   turned by 90°; the recogniser's direction classifier then decides between
   upright and upside down (so 90°, 180° and 270° scans are all read).
3. **Deskew**: the angle (within ±:data:`MAX_SKEW`°) at which the rows of ink
   line up best (sharpest horizontal projection profile) is undone.
4. **Grid**: the ruled tables are found in the pixels (:mod:`govopen.readers.grid`),
   in the thin dark print only (:func:`_thin_ink`), so a shaded band stays paper.
   Every grid cell is recognised on its own: its ink, split into lines, is
   cropped and read, so a number can only ever land in the cell it is printed
   in, a cell without ink is known to be empty, and a missed cell is never
   filled by shifting its neighbour left.
5. **Text outside tables**: found by the detector and read line by line.

Recognition uses RapidOCR (PP-OCRv4 Chinese models shipped inside the
``rapidocr-onnxruntime`` wheel; nothing is downloaded). Its CTC output is
decoded here to keep, for every character, its probability and the runner-up
characters: a cell's ``confidence`` is that of its least certain digit, and its
``readings`` list the other plausible digit strings, which
:mod:`govopen.uncertain` uses to flag the cell or to let the table's identities
confirm one reading. An uncertain number in a grid cell first gets a second
look (:func:`_look_again`).

Example:
    >>> doc = read_image("scanned_report.png")  # doctest: +SKIP
    >>> doc.file_type  # doctest: +SKIP
    'png'
"""

from __future__ import annotations

import functools
import hashlib
import io
import itertools
import math
import os
import signal
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np

from govopen.document import Document, DocumentBuilder, is_cjk, join_wrapped
from govopen.errors import ReportError
from govopen.issues import shown_box
from govopen.limits import time_limit

# Long side, in pixels, of the page image that is read (A4 at 200 dpi): enough
# for 8-pt digits, and the cost of the detector grows with the area.
LONG_SIDE = 2339
# A digit whose probability is below this is uncertain (see govopen.uncertain).
# Calibrated on the rasterised test scans: every wrongly read digit scored below
# 0.80, while right digits of clean and noisy scans score above 0.9 (README).
CONFIDENCE_THRESHOLD = 0.90
# Scale of the page image the text detector sees (see _detect).
DETECT_SCALE = 0.5
# Thickest print (pixels of the normalised page) the grid's rules are looked for
# in: rules are 1-3 px at 200 dpi, 5 px blurred; a flat shade is wider.
_THIN = 15
# Largest skew corrected, in degrees, and the step of the search.
MAX_SKEW = 3.0
_SKEW_STEP = 0.1
# Threads of one onnxruntime session: builds parallelise over files, so each
# worker stays on one core unless told otherwise.
THREADS = max(1, int(os.environ.get("GOVOPEN_OCR_THREADS", "1") or 1))
# Characters OCR confuses with digits in a numeric cell; read as that digit
# but always uncertain.
_LOOKALIKE = {"O": "0", "o": "0", "〇": "0", "D": "0", "Q": "0", "l": "1", "I": "1", "|": "1",
              "i": "1", "!": "1", "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2", "g": "9",
              "０": "0", "１": "1", "２": "2", "３": "3", "４": "4", "５": "5", "６": "6",
              "７": "7", "８": "8", "９": "9"}
_NUMERIC = set("0123456789.,-")
# Characters the recogniser reads for another of the same shape that reports
# print: the radical 丶 for the enumeration comma 、 (the heading
# 四、政府信息公开行政复议、行政诉讼情况 read as 四丶…丶… is no heading, and table
# 三's row 四、结转下年度继续办理 was then taken for section 四).
_READ_AS = {"丶": "、"}
# Letters that are the very shape of a digit (their probability counts for it).
_SAME_SHAPE = {"O": "0", "o": "0", "○": "0", "〇": "0", "l": "1", "I": "1", "|": "1"}
# Blank stretch, in line heights, that separates two items of one detected box.
_GAP = 0.9
# Widest to narrowest aspect ratio of the crops recognised in one batch.
_BATCH_SPREAD = 1.3
# How much a second look enlarges the crop of an uncertain number (_look_again).
_ENLARGE = 1.5
# Readings of one cell enumerated at most (alternatives of uncertain digits).
_MAX_READINGS = 64
IMAGE_TYPES = {".png": "png", ".jpg": "jpg", ".jpeg": "jpg", ".tif": "tif", ".tiff": "tif",
               ".bmp": "bmp"}

Bbox = tuple[float, float, float, float]


@dataclass
class Glyph:
    """One recognised character with its probability and runner-up characters."""

    text: str
    prob: float
    alts: tuple[tuple[str, float], ...]
    x0: float
    x1: float


@dataclass
class CellText:
    """What OCR read in one place: text, least digit confidence, other readings."""

    text: str
    confidence: float | None = None
    readings: tuple[str, ...] | None = None
    bbox: Bbox | None = None


# --------------------------------------------------------------------------- entry points


def read_image(path: str | os.PathLike[str], timeout: float | None = None) -> Document:
    """Read a report published as a picture (one image file is one report).

    Multi-page TIFFs are read page by page. Raises :class:`ReportError` for a
    file that is not a readable image.

    Example:
        >>> doc = read_image("report.png")  # doctest: +SKIP
        >>> doc.pages  # doctest: +SKIP
        1
    """
    source = os.fspath(path)
    kind = IMAGE_TYPES.get(Path(source).suffix.lower(), "png")
    frames = _load_frames(source)
    builder = DocumentBuilder(file_type=kind, pages=len(frames))
    with time_limit(timeout, source):
        empty = []
        for number, frame in enumerate(frames, start=1):
            if not ocr_page(frame, builder, number, scale=None):
                empty.append(number)
    if empty:
        builder.note("ocr_no_text", f"OCR found no text on page(s) {', '.join(map(str, empty))}",
                     "error" if len(empty) == len(frames) else "warning")
    return builder.build()


def ocr_pdf_page(source: str, page: Any, builder: DocumentBuilder) -> bool:
    """OCR one PDF page without a text layer into ``builder``.

    ``page`` is the page as the PDF engine gave it (``page_number``, ``width``
    and ``height`` in points, ``/Rotate`` applied); it is rendered with PDFium,
    whichever engine read the text layer. Boxes are in PDF points like those of
    text-layer pages. Returns False if nothing was read. The reader's own time
    limit is paused while the page is read; the build's per-file limit still
    counts it.
    """
    with _paused_alarm():
        try:
            image = _render(source, page.page_number, _dpi_for(page))
            rgb = np.asarray(image)
            return ocr_page(rgb[:, :, ::-1].copy(), builder, page.page_number,
                            scale=float(page.width) / rgb.shape[1])
        except (ReportError, MemoryError, ValueError, RuntimeError, OSError) as err:
            # The page stays unread (needs_ocr); the rest of the report is kept.
            builder.note("ocr_failed", f"page {page.page_number}: OCR failed "
                                       f"({type(err).__name__}: {err})", "error")
            return False


def ocr_page(image: np.ndarray, builder: DocumentBuilder, page: int,
             scale: float | None) -> bool:
    """OCR a BGR page image and append its rows and lines to ``builder``.

    ``scale`` converts pixels of ``image`` to the units of the boxes (None:
    pixels of the normalised image). The upright, deskewed image that was read
    goes into ``builder.page_images`` with its pixels per box unit, so that the
    audit view draws each box on the picture it was measured on. Returns False
    when no text was found.
    """
    result = read_page_image(image)
    if not result.items:
        return False
    factor = (scale or 1.0) * (image.shape[1] / result.width) if scale else 1.0
    builder.page_images[page] = (result.picture(), 1.0 / factor)
    if result.rotation:
        builder.note("ocr_rotated", f"page {page} was scanned rotated by {result.rotation}°; "
                                    "read upright", "info")
    for cell, first in result.second:
        box = shown_box(_scaled(cell.bbox, factor))
        builder.note("ocr_second_look",
                     f"page {page}, bbox {box}: OCR read {cell.text!r} with confidence "
                     f"{first or 0:.2f} (below {CONFIDENCE_THRESHOLD:.2f}); read again with a "
                     f"white margin and enlarged {_ENLARGE}x: both looks read {cell.text!r}, "
                     f"least certain digit {cell.confidence:.3f}; kept", "info")
    table_rows: dict[int, int] = {}
    for line_no, (_, _, kind, item) in enumerate(sorted(result.items, key=lambda i: i[:2]),
                                                 start=1):
        if kind == "row":
            ti, cols, cells = item
            row = table_rows.get(ti, 0)
            table_rows[ti] = row + 1
            builder.add_row([c.text for c in cells], cols=cols,
                            bboxes=[_scaled(c.bbox, factor) for c in cells],
                            confidences=[c.confidence for c in cells],
                            readings=[c.readings for c in cells],
                            page=page, line=line_no, table=ti, row=row)
        elif len(item) == 1 and item[0].confidence is None:
            c = item[0]
            builder.add_line(c.text, page=page, line=line_no, bbox=_scaled(c.bbox, factor))
        else:  # widely spaced pieces (a row of a borderless table), or digits to vouch for
            builder.add_row([c.text for c in item], bboxes=[_scaled(c.bbox, factor) for c in item],
                            confidences=[c.confidence for c in item],
                            readings=[c.readings for c in item],
                            page=page, line=line_no, table=None, row=None)
    return True


# --------------------------------------------------------------------------- one page


@dataclass
class _Result:
    items: list[tuple[float, float, str, Any]]
    width: int
    rotation: int
    skew: float
    # the upright, deskewed grey page the boxes are measured on, PNG-compressed
    # (a few hundred KB instead of megabytes in the page cache)
    png: bytes = b""
    # cells kept on a second look (:func:`_look_again`), with their first confidence
    second: list[tuple[CellText, float | None]] = field(default_factory=list)

    def picture(self) -> Any:
        """The page that was read as a (lazily decoded) PIL image."""
        from PIL import Image

        return Image.open(io.BytesIO(self.png))


def read_page_image(image: np.ndarray) -> _Result:
    """Orientation, deskew, grid and recognition of one BGR page image.

    The results of the last few pages are kept in this process, keyed by the
    pixels: the same page met again (a copy of a report) is not read twice.
    """
    key = hashlib.sha1(image.tobytes()).hexdigest() + repr(image.shape)
    if key in _SEEN:
        return _SEEN[key]
    result = _read_page_image(image)
    _SEEN[key] = result
    while len(_SEEN) > _SEEN_MAX:
        _SEEN.pop(next(iter(_SEEN)))
    return result


_SEEN: dict[str, _Result] = {}
_SEEN_MAX = 32


def _read_page_image(image: np.ndarray) -> _Result:
    import cv2

    img = _normalise(image)
    gray = img[:, :, 2]  # red channel: a red seal fades, black and blue print stay
    rotation = _orientation(gray)
    if rotation:
        gray = np.ascontiguousarray(np.rot90(gray, k=-rotation // 90))
    skew = _skew(_ink(gray))
    if abs(skew) >= _SKEW_STEP / 2:
        h, w = gray.shape
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), skew, 1.0)
        gray = cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    ink = _ink(gray)
    from govopen.readers.grid import find_tables

    tables = find_tables(_thin_ink(gray), scale=1.0)
    items: list[tuple[float, float, str, Any]] = []
    pending: list[tuple[int, list[int], list[Bbox | None], float, float]] = []
    crops: list[np.ndarray] = []
    owners: list[tuple[int, int]] = []  # (index in pending, cell index) per line crop
    for ti, table in enumerate(tables):
        for row in table.rows:
            pi = len(pending)
            pending.append((ti, row.cols, row.cells, row.top, table.bbox[0]))
            for ci, box in enumerate(row.cells):
                if box is None:
                    continue
                for crop in _cell_lines(gray, ink, box):
                    crops.append(crop)
                    owners.append((pi, ci))
    glyphs = recognise(crops)
    texts: dict[tuple[int, int], list[list[Glyph]]] = {}
    lines_of: dict[tuple[int, int], list[np.ndarray]] = {}
    for owner, crop, g in zip(owners, crops, glyphs, strict=True):
        texts.setdefault(owner, []).append(g)
        lines_of.setdefault(owner, []).append(crop)
    read: dict[tuple[int, int], CellText] = {}
    for pi, (_, _, boxes, _, _) in enumerate(pending):
        for ci, box in enumerate(boxes):
            if box is not None:
                read[pi, ci] = _cell_text(texts.get((pi, ci)), box, inked=(pi, ci) in texts)
    doubtful = {k: (c, lines_of[k]) for k, c in read.items()
                if c.readings is not None and _only_digits(texts.get(k))}
    looked = _look_again(doubtful)
    for pi, (ti, cols, boxes, top, left) in enumerate(pending):
        cells = [CellText("") if box is None else looked.get((pi, ci)) or read[pi, ci]
                 for ci, box in enumerate(boxes)]
        items.append((top, left, "row", (ti, cols, cells)))
    second = [(looked[k], read[k].confidence) for k in looked]
    # loose lines are pieces (_piece), each with a bbox
    items += [(cast(Bbox, ln[0].bbox)[1], cast(Bbox, ln[0].bbox)[0], "line", ln)
              for ln in _loose_lines(gray, [t.bbox for t in tables])]
    png = cv2.imencode(".png", gray)[1].tobytes()
    return _Result(items, img.shape[1], rotation, skew, png, second)


def _normalise(image: np.ndarray) -> np.ndarray:
    import cv2

    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    elif image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    h, w = image.shape[:2]
    factor = LONG_SIDE / max(h, w)
    if abs(factor - 1) > 0.05:
        interp = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
        image = cv2.resize(image, (round(w * factor), round(h * factor)), interpolation=interp)
    return image


def _ink(gray: np.ndarray) -> np.ndarray:
    """Ink 255 on 0 by Otsu's threshold after a median filter (JPEG and scan noise);
    the grid's rules are found in :func:`_thin_ink` instead."""
    import cv2

    gray = cv2.medianBlur(gray, 3)
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return ink


def _thin_ink(gray: np.ndarray) -> np.ndarray:
    """Thin dark print (rules, strokes) 255 on 0, whatever the shade behind it.

    Otsu's threshold on the page itself takes a grey-shaded header band of a
    noisy scan as ink, and the rules inside the band with it (the 150 dpi JPEG of
    Hongze page 2: the band became one block, and the grid under it twenty
    columns). A black-hat (closing minus the page) keeps only what is darker than
    its surroundings and thinner than :data:`_THIN` pixels: a flat shade, and the
    step at its edge, give nothing, a rule on it stays. No median filter: it would
    also erase the one-pixel rules the grid needs.
    """
    import cv2

    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (_THIN, _THIN))
    hat = cv2.morphologyEx(gray, cv2.MORPH_BLACKHAT, kernel)
    _, ink = cv2.threshold(hat, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return ink


def _skew(ink: np.ndarray) -> float:
    """The rotation (degrees, counter-clockwise positive for OpenCV) that levels the rows."""
    import cv2

    h, w = ink.shape
    f = 800 / w
    small = cv2.resize(ink, (800, max(1, round(h * f))), interpolation=cv2.INTER_AREA)
    sh, sw = small.shape
    best, best_score = 0.0, -1.0
    steps = int(round(MAX_SKEW / _SKEW_STEP))
    for k in range(-steps, steps + 1):
        angle = k * _SKEW_STEP
        m = cv2.getRotationMatrix2D((sw / 2, sh / 2), angle, 1.0)
        rotated = cv2.warpAffine(small, m, (sw, sh), flags=cv2.INTER_NEAREST)
        profile = rotated.sum(axis=1, dtype=np.float64)
        score = float(np.square(np.diff(profile)).sum())
        if score > best_score:
            best, best_score = angle, score
    return best


def _orientation(gray: np.ndarray) -> int:
    """Clockwise rotation (0, 90, 180, 270) that makes the page upright."""
    import cv2

    eng = _engine()
    small = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    boxes = _detect(small, 0.7)
    if not boxes:
        return 0
    wide = sum((b[2] - b[0]) * (b[3] - b[1]) for b in boxes if (b[2] - b[0]) >= (b[3] - b[1]))
    tall = sum((b[2] - b[0]) * (b[3] - b[1]) for b in boxes if (b[2] - b[0]) < (b[3] - b[1]))
    turn = 90 if tall > 1.5 * wide else 0
    page = np.rot90(small, k=-1) if turn else small
    if turn:
        boxes = _detect(np.ascontiguousarray(page), 0.7)
    # The direction classifier (0° or 180°) on the widest boxes decides.
    boxes = sorted(boxes, key=lambda b: b[0] - b[2])[:12]
    crops = [cv2.cvtColor(np.ascontiguousarray(page[int(b[1]):int(b[3]), int(b[0]):int(b[2])]),
                          cv2.COLOR_GRAY2BGR) for b in boxes if b[3] - b[1] >= 8]
    if not crops:
        return turn
    _, labels, _ = eng.text_cls(crops)
    flipped = sum(1 for label, score in labels if label == "180" and score > 0.6)
    upright = sum(1 for label, score in labels if label == "0" and score > 0.6)
    return (turn + 180) % 360 if flipped > upright else turn


# --------------------------------------------------------------------------- cells


def _cell_lines(gray: np.ndarray, ink: np.ndarray, box: Bbox) -> list[np.ndarray]:
    """Crops of the lines of ink inside a grid cell (none for an empty cell)."""
    import cv2

    x0, y0, x1, y1 = (int(round(v)) for v in box)
    margin = 3  # clear of the rules, which are 1-3 px thick at 200 dpi
    x0, y0, x1, y1 = x0 + margin, y0 + margin, x1 - margin, y1 - margin
    if x1 - x0 < 6 or y1 - y0 < 6:
        return []
    cell = ink[y0:y1, x0:x1]
    n, labels, stats, _ = cv2.connectedComponentsWithStats(cell, connectivity=8)
    keep = np.zeros(n, bool)
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        # Specks, and remnants of the rules (thin, at the edge of the cell), are not print.
        at_edge = x <= 1 or y <= 1 or x + w >= cell.shape[1] - 1 or y + h >= cell.shape[0] - 1
        thin = (w > 3 * h and h <= 3) or (h > 3 * w and w <= 3)
        if area >= 6 and not (thin and at_edge):
            keep[i] = True
    if not keep.any():
        return []
    mask = keep[labels]
    rows = np.flatnonzero(mask.any(axis=1))
    runs: list[list[int]] = []
    for r in rows:
        if runs and r - runs[-1][1] <= 3:
            runs[-1][1] = int(r)
        else:
            runs.append([int(r), int(r)])
    tallest = max(b - a + 1 for a, b in runs)
    out = []
    for a, b in runs:
        height = b - a + 1
        if height < 0.3 * tallest and height < 8:
            continue  # a dot or noise line, not a line of text
        cols = np.flatnonzero(mask[a:b + 1].any(axis=0))
        # Tight above and below (the recogniser wants the line to fill its height),
        # generous at the sides: faint strokes (the diagonal of a 4) may be lost
        # to the threshold, and a crop that cuts them reads 4 as 1.
        pad, side = max(2, round(0.12 * height)), max(3, round(0.4 * height))
        ya, yb = max(0, y0 + a - pad), min(gray.shape[0], y0 + b + 1 + pad)
        xa, xb = max(x0, x0 + cols[0] - side), min(x1, x0 + cols[-1] + 1 + side)
        crop = gray[ya:yb, xa:xb].copy()
        # Paint out what lies in the crop but outside the cell (neighbouring rules).
        crop[:, : max(0, x0 - xa)] = 255
        crop[:, crop.shape[1] - max(0, xb - x1):] = 255
        out.append(cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR))
    return out


def _cell_text(lines: list[list[Glyph]] | None, box: Bbox, inked: bool) -> CellText:
    if not lines:
        return CellText("", bbox=box)
    glyphs = [g for line in lines for g in line]
    if inked and not glyphs:
        # Ink in the cell but nothing recognised: a value no one can vouch for.
        return CellText("0", confidence=0.0, readings=(), bbox=box)
    text = join_wrapped(["".join(g.text for g in line) for line in lines])
    return _as_value(glyphs, text, box)


def _only_digits(lines: list[list[Glyph]] | None) -> bool:
    """Whether recognised lines hold digits and separators only (no letter read as one)."""
    glyphs = [g for line in lines or [] for g in line if g.text != " "]
    return bool(glyphs) and all(g.text in _NUMERIC for g in glyphs)


def _other_looks(crop: np.ndarray) -> list[np.ndarray]:
    """The crop of a line with a white margin, and enlarged (see :func:`_look_again`)."""
    import cv2

    h = crop.shape[0]
    m = max(2, h // 4)
    margin = cv2.copyMakeBorder(crop, m, m, 2 * m, 2 * m, cv2.BORDER_CONSTANT,
                                value=(255, 255, 255))
    return [margin, cv2.resize(crop, None, fx=_ENLARGE, fy=_ENLARGE,
                               interpolation=cv2.INTER_CUBIC)]


def _look_again(doubtful: dict[Any, tuple[CellText, list[np.ndarray]]]
                ) -> dict[Any, CellText]:
    """Uncertain numbers recognised twice more; kept where both looks agree, certain.

    A digit below :data:`CONFIDENCE_THRESHOLD` is often right and merely read at
    a scale the recogniser likes less (the 1s of ``14`` and ``16`` on a page at
    200 dpi scored 0.87 and 0.84, their probability lost to CTC blanks, not to
    another digit). Each line of such a cell is read again with a white margin
    and enlarged :data:`_ENLARGE` times; if both looks read exactly the same
    digits with every digit at or above the threshold, the value is kept with
    the lower confidence of the two looks (the caller notes it as an info
    issue). Anything else leaves the cell as it was (unreadable, or for the
    identities to confirm). Measured on degraded crops of the test scans
    (``benchmarks/bench_second_look.py``): no misread digit was kept, a fifth of
    the uncertain right ones were. Cells with a letter read for a digit are never
    given a second look: those stay uncertain.

    Example:
        >>> _look_again({})
        {}
    """
    keys, looks = [], []
    for key, (_, lines) in doubtful.items():
        for crop in lines:
            for look in _other_looks(crop):
                keys.append(key)
                looks.append(look)
    got: dict[Any, list[list[Glyph]]] = {}
    for key, glyphs in zip(keys, recognise(looks), strict=True):
        got.setdefault(key, []).append(glyphs)
    out = {}
    for key, (cell, _) in doubtful.items():
        read = got[key]
        again = [_cell_text(read[k::2], cast(Bbox, cell.bbox), inked=True) for k in (0, 1)]
        if all(a.text == cell.text and _only_digits(read[k::2]) and a.confidence is not None
               and a.confidence >= CONFIDENCE_THRESHOLD for k, a in enumerate(again)):
            confidence = min(cast(float, a.confidence) for a in again)
            out[key] = CellText(cell.text, confidence, None, cell.bbox)
    return out


def _as_value(glyphs: list[Glyph], text: str, box: Bbox | None) -> CellText:
    """Confidence and readings of a piece of text, if it is a number."""
    stripped = text.replace(" ", "")
    numeric = bool(stripped) and all(c in _NUMERIC or c in _LOOKALIKE for c in stripped)
    if not numeric or not any(c.isdigit() or c in _LOOKALIKE for c in stripped):
        digits = [_digit_prob(g) for g in glyphs if g.text.isdigit()]
        return CellText(text, confidence=min(digits) if digits else None, bbox=box)
    options: list[list[str]] = []
    probs: list[float] = []
    out = ""
    for g in glyphs:
        ch = g.text
        if ch == " ":
            continue
        if ch in _LOOKALIKE:  # read as the digit, but never trusted
            digit = _LOOKALIKE[ch]
            alts = [digit] + [a for a, _ in g.alts if a in "0123456789" and a != digit]
            out += digit
            probs.append(0.0)
            options.append(alts[:3])
        elif ch.isdigit():
            out += ch
            prob = _digit_prob(g)
            probs.append(prob)
            if prob < CONFIDENCE_THRESHOLD:
                options.append([ch] + [a for a, _ in g.alts if a in "0123456789" and a != ch][:2])
            else:
                options.append([ch])
        else:
            out += ch
            options.append([ch])
    confidence = min(probs) if probs else None
    readings = None
    if confidence is not None and confidence < CONFIDENCE_THRESHOLD:
        combos = itertools.islice(itertools.product(*options), _MAX_READINGS + 1)
        found = ["".join(c) for c in combos]
        readings = tuple(found) if len(found) <= _MAX_READINGS else ()
    return CellText(out, confidence=confidence, readings=readings, bbox=box)


def _digit_prob(g: Glyph) -> float:
    """Probability that a glyph is its digit, in whatever form it was read.

    Full-width ``２`` is 2, and in a number the letters of the same shape (``O``,
    ``○`` for 0; ``l``, ``I`` for 1) are that digit too: what matters is which
    digit, and a lone ``0`` always leaves some probability to ``O``.
    """
    return g.prob + sum(p for a, p in g.alts if unicodedata.normalize("NFKC", a) == g.text
                        or _SAME_SHAPE.get(a) == g.text)


# --------------------------------------------------------------------------- loose text


def _loose_lines(gray: np.ndarray, tables: list[Bbox]) -> list[list[CellText]]:
    """Lines of text outside the tables, each as one or more pieces (cells)."""
    import cv2

    boxes = []
    for b in _detect(gray):
        cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
        if any(t[0] <= cx <= t[2] and t[1] <= cy <= t[3] for t in tables):
            continue
        if b[3] - b[1] >= 6 and b[2] - b[0] >= 4:
            boxes.append(b)
    crops = [cv2.cvtColor(np.ascontiguousarray(gray[int(b[1]):int(b[3]), int(b[0]):int(b[2])]),
                          cv2.COLOR_GRAY2BGR) for b in boxes]
    read = recognise(crops)
    ink = _ink(gray)
    pieces = [p for b, g in zip(boxes, read, strict=True) if g for p in _split_box(b, g, ink)]
    pieces.sort(key=lambda p: (p[0][1], p[0][0]))
    lines: list[list[tuple[Bbox, list[Glyph]]]] = []
    for b, g in pieces:
        for line in reversed(lines[-3:]):
            lb = line[-1][0]
            overlap = min(lb[3], b[3]) - max(lb[1], b[1])
            if overlap >= 0.5 * min(lb[3] - lb[1], b[3] - b[1]):
                line.append((b, g))
                break
        else:
            lines.append([(b, g)])
    from govopen.readers.pdf import _FOOTER_BAND, _HEADER_BAND, _PAGE_NUMBER

    out = []
    page_h = gray.shape[0]
    for line in lines:
        line.sort(key=lambda p: p[0][0])
        top, bottom = min(b[1] for b, _ in line), max(b[3] for b, _ in line)
        text = "".join(x.text for _, g in line for x in g).strip()
        in_band = bottom <= page_h * _HEADER_BAND or top >= page_h * (1 - _FOOTER_BAND)
        if in_band and _PAGE_NUMBER.match(text):
            continue  # a page number, as the text-layer reader drops them
        cells: list[CellText] = []
        group: list[tuple[Bbox, list[Glyph]]] = []
        for b, g in line:
            if group:
                prev = group[-1][0]
                height = max(prev[3] - prev[1], b[3] - b[1])
                gap = b[0] - prev[2]
                # two numbers apart are two cells, whatever the gap (else "0 0" is 00)
                numbers = _numeric(group[-1][1]) and _numeric(g)
                if gap >= 2.0 * height or (numbers and gap >= _GAP * height / 2):
                    cells.append(_piece(group))
                    group = []
            group.append((b, g))
        cells.append(_piece(group))
        out.append(cells)
    return _align_columns(out, gray)


def _split_box(box: Bbox, glyphs: list[Glyph], ink: np.ndarray) -> list[tuple[Bbox, list[Glyph]]]:
    """A detected box cut where its ink has wide gaps (``0   0   3``).

    The detector may take several numbers of an unruled row as one box. Columns
    without ink over at least :data:`_GAP` line heights separate items (the gaps
    between Chinese characters or digits of one number are far narrower); each
    character goes with the stretch of ink its position falls in.
    """
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    crop = ink[y0:y1, x0:x1]
    if crop.size == 0 or len(glyphs) < 2:
        return [(box, glyphs)]
    inked = np.flatnonzero(crop.any(axis=0))
    if inked.size == 0:
        return [(box, glyphs)]
    stretches = [[int(inked[0]), int(inked[0])]]
    for c in inked[1:]:
        if c - stretches[-1][1] > _GAP * (y1 - y0):
            stretches.append([int(c), int(c)])
        else:
            stretches[-1][1] = int(c)
    if len(stretches) == 1:
        return [(box, glyphs)]
    parts: list[list[Glyph]] = [[] for _ in stretches]
    for g in glyphs:
        centre = (g.x0 + g.x1) / 2
        k = min(range(len(stretches)), key=lambda i: 0 if stretches[i][0] <= centre
                <= stretches[i][1] else min(abs(centre - stretches[i][0]),
                                            abs(centre - stretches[i][1])))
        parts[k].append(g)
    return [((float(x0 + a), box[1], float(x0 + b + 1), box[3]), part)
            for (a, b), part in zip(stretches, parts, strict=True) if part]


def _numeric(glyphs: list[Glyph]) -> bool:
    text = "".join(g.text for g in glyphs).strip()
    return bool(text) and all(c in _NUMERIC or c in _LOOKALIKE for c in text)


def _is_number(cell: CellText) -> bool:
    text = cell.text.replace(" ", "")
    return bool(text) and all(c in _NUMERIC for c in text) and any(c.isdigit() for c in text)


def _align_columns(lines: list[list[CellText]], gray: np.ndarray) -> list[list[CellText]]:
    """Rows of an unruled table put into the columns their numbers line up in.

    Consecutive lines of a label followed by numbers form a block; the numbers'
    x-centres, clustered over the whole block, give the columns. Each row then
    lists its label and one cell per column: a column where the row printed
    nothing is an empty cell (or, if there is ink but nothing was read, an
    unreadable one), so no number moves into its neighbour's column.
    """
    out: list[list[CellText]] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and len(lines[j]) >= 2 and any(_is_number(c) for c in lines[j]):
            j += 1
        block = lines[i:j]
        if len(block) >= 2:
            out += _aligned(block, gray)
            i = j
        else:
            out.append(lines[i])
            i += 1
    return out


def _aligned(block: list[list[CellText]], gray: np.ndarray) -> list[list[CellText]]:
    nums = sorted(((c.bbox[0] + c.bbox[2]) / 2, c.bbox[3] - c.bbox[1])
                  for line in block for c in line if _is_number(c) and c.bbox)
    tol = 1.5 * float(np.median([h for _, h in nums]))
    clusters: list[list[float]] = []
    for x, _ in nums:
        if clusters and x - clusters[-1][-1] <= tol:
            clusters[-1].append(x)
        else:
            clusters.append([x])
    if len(clusters) < 2:
        return block
    centres = [float(np.mean(c)) for c in clusters]
    reach = [(max(c) - min(c)) / 2 + tol for c in clusters]
    ink = _ink(gray)
    rows = []
    for line in block:
        # the pieces of loose lines (_piece) all have a bbox
        label = [c for c in line
                 if not _is_number(c) and cast(Bbox, c.bbox)[2] <= centres[0] - reach[0]]
        slots: list[CellText | None] = [None] * len(clusters)
        fits = True
        for c in line[len(label):]:
            assert c.bbox is not None
            centre = (c.bbox[0] + c.bbox[2]) / 2
            k = int(np.argmin([abs(centre - x) for x in centres]))
            if abs(centre - centres[k]) > reach[k] or slots[k] is not None or not _is_number(c):
                fits = False
                break
            slots[k] = c
        if not fits or len(label) + sum(s is not None for s in slots) != len(line):
            rows.append(line)  # not a row of this grid: left as read
            continue
        top = int(min(cast(Bbox, c.bbox)[1] for c in line))
        bottom = int(max(cast(Bbox, c.bbox)[3] for c in line)) + 1
        cells = list(label) or [CellText("")]
        for k, slot in enumerate(slots):
            if slot is not None:
                cells.append(slot)
                continue
            a, b = int(max(0, centres[k] - tol / 2)), int(centres[k] + tol / 2)
            region = ink[top:bottom, a:b]
            inked = region.size > 0 and np.count_nonzero(region) > 0.02 * region.size
            box = (float(a), float(top), float(b), float(bottom))
            cells.append(CellText("0", 0.0, (), box) if inked else CellText("", bbox=box))
        rows.append(cells)
    return rows


def _piece(group: list[tuple[Bbox, list[Glyph]]]) -> CellText:
    text = ""
    for _, g in group:
        t = "".join(x.text for x in g).strip()
        if text and t and not (is_cjk(text[-1]) or is_cjk(t[0])):
            text += " "
        text += t
    box = (min(b[0] for b, _ in group), min(b[1] for b, _ in group),
           max(b[2] for b, _ in group), max(b[3] for b, _ in group))
    return _as_value([x for _, g in group for x in g], text, box)


# --------------------------------------------------------------------------- engine


@functools.lru_cache(maxsize=1)
def _engine() -> Any:
    """The RapidOCR engine (models from the installed wheel), one per process."""
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as err:  # pragma: no cover - declared dependency
        raise ReportError("<ocr>", "OCR needs the rapidocr-onnxruntime package "
                                   f"({err})") from None
    return RapidOCR(intra_op_num_threads=THREADS, inter_op_num_threads=1)


def _detect(gray: np.ndarray, factor: float = DETECT_SCALE) -> list[Bbox]:
    """Axis-aligned boxes of the text the detector finds on a grey page.

    The detector runs on the page scaled by ``factor``: its cost grows with the
    area, and body text stays well above its smallest size at half resolution.
    """
    import cv2

    small = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    boxes, _ = _engine().text_det(cv2.cvtColor(small, cv2.COLOR_GRAY2BGR))
    if boxes is None:
        return []
    h, w = gray.shape
    out = []
    for quad in boxes:
        xs, ys = quad[:, 0] / factor, quad[:, 1] / factor
        out.append((max(0.0, float(xs.min())), max(0.0, float(ys.min())),
                    min(float(w), float(xs.max())), min(float(h), float(ys.max()))))
    return out


def recognise(crops: list[np.ndarray], batch: int = 8) -> list[list[Glyph]]:
    """Recognise text-line crops (BGR); per character: probability, runner-ups, x span.

    The CTC output is decoded greedily as RapidOCR does (repeats merged, blanks
    dropped), but every kept character also remembers its three most probable
    classes and the columns of the crop it was read from.

    Crops are batched by shape: a batch is padded to its widest crop and the
    recogniser's cost grows with the padded width, so a batch only holds crops
    of about the same aspect ratio (:data:`_BATCH_SPREAD`), and a long line of
    text no longer makes seven short ones as wide as itself. Crops are still
    padded to RapidOCR's own minimum width (320 px at height 48): narrower input
    made lone ``0`` digits less certain on the test scans (0.85-0.88 instead of
    above 0.9), so short crops are recognised exactly as RapidOCR would.
    """
    if not crops:
        return []
    rec = _engine().text_rec
    charset = rec.postprocess_op.character
    _, img_h, img_w = rec.rec_image_shape
    ratios = [max(img_w / img_h, c.shape[1] / max(1, c.shape[0])) for c in crops]
    order = sorted(range(len(crops)), key=lambda i: ratios[i])
    chunks: list[list[int]] = []
    for i in order:
        if chunks and len(chunks[-1]) < batch and ratios[i] <= _BATCH_SPREAD * ratios[chunks[-1][0]]:
            chunks[-1].append(i)
        else:
            chunks.append([i])
    out: list[list[Glyph]] = [[] for _ in crops]
    for chunk in chunks:
        ratio = max(ratios[i] for i in chunk)
        inputs = np.stack([rec.resize_norm_img(crops[i], ratio) for i in chunk]).astype(np.float32)
        preds = rec.session(inputs)[0]
        width = int(img_h * ratio)
        for k, i in enumerate(chunk):
            h, w = crops[i].shape[:2]
            resized = min(width, math.ceil(img_h * w / h))
            step = width / preds.shape[1] * (w / resized)  # crop pixels per time step
            out[i] = _decode(preds[k], charset, step)
    return out


def _decode(probs: np.ndarray, charset: list[str], step: float) -> list[Glyph]:
    best = probs.argmax(axis=1)
    glyphs: list[Glyph] = []
    prev = 0
    for t, idx in enumerate(best):
        if idx != 0 and idx != prev:
            part = np.argpartition(-probs[t], 6)[:6]  # the six most probable classes
            top = part[np.argsort(-probs[t][part])]
            alts = tuple((charset[j], float(probs[t, j])) for j in top
                         if j != idx and j != 0 and j < len(charset))[:5]
            char = _READ_AS.get(charset[idx], charset[idx])
            glyphs.append(Glyph(char, float(probs[t, idx]), alts, t * step, (t + 1) * step))
        elif idx != 0 and glyphs:
            glyphs[-1].x1 = (t + 1) * step
            glyphs[-1].prob = min(glyphs[-1].prob, float(probs[t, idx]))
        prev = idx
    return glyphs


# --------------------------------------------------------------------------- helpers


def _load_frames(source: str) -> list[np.ndarray]:
    """The pages of an image file as BGR arrays."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        with Image.open(source) as im:
            frames = [np.asarray(f.convert("RGB"))[:, :, ::-1].copy()
                      for f in ImageSequence.Iterator(im)]
    except FileNotFoundError:
        raise ReportError(source, "file not found") from None
    except (UnidentifiedImageError, OSError, ValueError) as err:
        raise ReportError(source, f"not a readable image ({err})") from None
    if not frames:
        raise ReportError(source, "the image has no pages")
    return frames


def _render(source: str, number: int, dpi: float) -> Any:
    """Page ``number`` (1-based) of the PDF ``source`` as an RGB picture at ``dpi``."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(source)
    try:
        return pdf[number - 1].render(scale=dpi / 72.0).to_pil().convert("RGB")
    finally:
        pdf.close()


def _dpi_for(page: Any) -> float:
    """Resolution that renders the page with its long side at LONG_SIDE pixels."""
    return 72.0 * LONG_SIDE / max(float(page.width), float(page.height), 1.0)


def _scaled(box: Bbox | None, factor: float) -> Bbox | None:
    if box is None:
        return None
    return (box[0] * factor, box[1] * factor, box[2] * factor, box[3] * factor)


@contextmanager
def _paused_alarm() -> Iterator[None]:
    """Pause a running ``time_limit`` alarm, then re-arm it with the time it had left."""
    if not hasattr(signal, "setitimer"):
        yield
        return
    try:
        left, interval = signal.setitimer(signal.ITIMER_REAL, 0)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        if left > 0:
            signal.setitimer(signal.ITIMER_REAL, left, interval)
