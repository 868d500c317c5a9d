"""Scans made from a real PDF, the way reports reach us: rasterised, degraded, re-wrapped.

Each variant is made with poppler's ``pdftoppm`` (pages → pictures), Pillow
(JPEG, noise, blur, rotation, a red seal) and ``img2pdf`` (pictures → a PDF
without a text layer); pikepdf (an img2pdf dependency) splices scanned pages
between text pages for the mixed PDFs.

    python tests/scans.py tests/fixtures/corpus/jiangsu/jiangsu_huaian_hongze_2023.pdf /tmp/scans
"""

from __future__ import annotations

import functools
import importlib.util
import io
import math
import random
import shutil
import subprocess
import sys
from pathlib import Path

TOOLS = ("pdftoppm",)  # programs on PATH
MODULES = ("img2pdf", "pikepdf")  # Python packages (the dev extras)


def missing_tools() -> list[str]:
    """What making the scans needs and this machine lacks."""
    return ([t for t in TOOLS if shutil.which(t) is None]
            + [m for m in MODULES if importlib.util.find_spec(m) is None])


@functools.cache
def printed_on(pdf: Path) -> dict[tuple[str, str, str], int]:
    """The page of every cell of ``pdf``'s text layer (a blank cell: its row's page).

    Scan tests score the cells printed on the scanned pages from this, not from
    the OCR'd report, so that a printed cell OCR lost counts as wrong.
    """
    import govopen

    cells = govopen.read_report(pdf).cells
    rows = cells.dropna(subset=["page"]).groupby(["table", "row"])["page"].first()
    out = {}
    for c in cells.itertuples():
        page = c.page if not pd_na(c.page) else rows.get((c.table, c.row))
        if page is not None and not pd_na(page):
            out[c.table, c.row, c.col] = int(page)
    return out


def pd_na(x) -> bool:
    try:
        return x is None or math.isnan(x)
    except TypeError:
        return x is None or str(x) == "<NA>"


def rasterise(pdf: Path, page: int, dpi: int, out: Path) -> Path:
    """One page of ``pdf`` as a PNG at ``dpi``."""
    stem = out.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png",
                    "-singlefile", str(pdf), str(stem)], check=True, capture_output=True)
    return stem.with_suffix(".png")


def degrade(png: Path, out: Path, *, seed: int, angle: float = 0.0, noise: float = 0.0,
            blur: float = 0.0, quality: int = 0, turn: int = 0, stamp: bool = False) -> Path:
    """A scanner's or camera's version of a page picture."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    rng = random.Random(seed)
    im = Image.open(png).convert("RGB")
    if stamp:
        im = _stamp(im, rng, ImageDraw, ImageFont, Image)
    if angle:
        im = im.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor="white")
    if blur:
        im = im.filter(ImageFilter.GaussianBlur(blur))
    if noise:
        arr = np.asarray(im).astype(np.float32)
        arr += np.random.default_rng(seed).normal(0, noise, arr.shape)
        im = Image.fromarray(arr.clip(0, 255).astype(np.uint8))
    if turn:
        im = im.rotate(turn, expand=True)
    if quality:
        out = out.with_suffix(".jpg")
        im.save(out, "JPEG", quality=quality)
    else:
        out = out.with_suffix(".png")
        im.save(out)
    return out


def _stamp(im, rng, ImageDraw, ImageFont, Image):
    """A red official seal (ring, star, ring of text) multiplied over the table's numbers."""
    w, h = im.size
    r = int(w * 0.12)
    cx, cy = int(w * 0.78), int(h * 0.30)  # over the right-hand columns of numbers
    seal = Image.new("RGB", im.size, "white")
    d = ImageDraw.Draw(seal)
    red = (220, 30, 30)
    d.ellipse([cx - r, cy - r, cx + r, cy + r], outline=red, width=max(3, r // 18))
    star = []
    for k in range(10):
        a = -math.pi / 2 + k * math.pi / 5
        s = r * (0.3 if k % 2 == 0 else 0.12)
        star.append((cx + s * math.cos(a), cy + s * math.sin(a)))
    d.polygon(star, fill=red)
    try:
        font = ImageFont.truetype("NotoSansCJK-Regular.ttc", max(10, r // 5))
    except OSError:
        font = ImageFont.load_default()
    d.text((cx - r * 0.6, cy + r * 0.45), "洪泽区人民政府", fill=red, font=font)
    from PIL import ImageChops

    return ImageChops.multiply(im, seal)


def erase_rules(png: Path, out: Path) -> Path:
    """The page with the ruled lines of its tables painted out: an unruled table."""
    import cv2
    import numpy as np

    img = cv2.imread(str(png))
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    h, w = ink.shape
    rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(
        cv2.MORPH_RECT, (w // 30, 1))) | cv2.morphologyEx(ink, cv2.MORPH_OPEN,
                                                          cv2.getStructuringElement(
                                                              cv2.MORPH_RECT, (1, h // 30)))
    rules = cv2.dilate(rules, np.ones((3, 3), np.uint8))
    img[rules > 0] = 255
    cv2.imwrite(str(out), img)
    return out


def paint_out(png: Path, out: Path, box: tuple[float, float, float, float], dpi: int) -> Path:
    """The page picture with ``box`` (PDF points) painted white: print lost to the scan."""
    from PIL import Image, ImageDraw

    im = Image.open(png).convert("RGB")
    k = dpi / 72
    ImageDraw.Draw(im).rectangle([v * k for v in box], fill="white")
    im.save(out)
    return out


# The label cell of row 3.要求提供公开出版物 (unprocessed_publication) on page 4 of
# the Hongze PDF, in points, inside its rules (its numbers start at x = 311).
HONGZE_LABEL = (182.0, 135.0, 308.0, 149.5)


def images_to_pdf(images: list[Path], out: Path, dpi: int) -> Path:
    import img2pdf

    layout = img2pdf.get_fixed_dpi_layout_fun((dpi, dpi))
    out.write_bytes(img2pdf.convert([str(p) for p in images], layout_fun=layout))
    return out


def splice(text_pdf: Path, scanned: dict[int, Path], out: Path) -> Path:
    """``text_pdf`` with the pages in ``scanned`` (1-based) replaced by scanned pages."""
    import pikepdf

    with pikepdf.open(text_pdf) as pdf:
        opened = []
        for number in sorted(scanned):
            src = pikepdf.open(io.BytesIO(scanned[number].read_bytes()))
            opened.append(src)
            pdf.pages.insert(number - 1, src.pages[0])
            del pdf.pages[number]
        pdf.save(out)
        for src in opened:
            src.close()
    return out


# How each variant of the issue is made: dpi of the scan, then what degrade() does.
SCANS = {
    "clean300": (300, {}),
    "noisy150": (150, {"angle": 1.0, "noise": 12.0, "blur": 0.6, "quality": 60}),
    "turned90": (200, {"turn": 90}),
    "stamp": (200, {"stamp": True}),
}


def scan_pages(pdf: Path, variant: str, pages: list[int], work: Path) -> Path:
    """``pdf`` with ``pages`` (1-based) replaced by scans made the ``variant`` way."""
    dpi, how = SCANS[variant]
    work.mkdir(parents=True, exist_ok=True)
    scanned = {}
    for n in pages:
        png = rasterise(pdf, n, dpi, work / f"{pdf.stem}_{variant}_{n}.png")
        picture = degrade(png, work / f"{pdf.stem}_{variant}_{n}d", seed=n, **how) if how else png
        scanned[n] = images_to_pdf([picture], work / f"{pdf.stem}_{variant}_{n}.pdf", dpi)
    return splice(pdf, scanned, work / f"{pdf.stem}_{variant}.pdf")


def make_variants(pdf: Path, work: Path) -> dict[str, tuple[Path, list[int]]]:
    """The scan variants of the issue, each with the pages that are pictures.

    * ``clean300``: every page at 300 dpi, a fully scanned report;
    * ``noisy150``: the table pages (2-4) at 150 dpi, JPEG q=60, Gaussian noise,
      blur and a 1° rotation, between the text pages (a mixed PDF);
    * ``turned90``: page 3 scanned at 200 dpi and turned by 90°;
    * ``stamp``: page 4 at 200 dpi with a red seal over the numbers;
    * ``unruled``: page 4 at 200 dpi with the table rules painted out;
    * ``unlabelled``: page 4 at 200 dpi with the label of one row painted out
      (:data:`HONGZE_LABEL`, made for the Hongze PDF).
    """
    work.mkdir(parents=True, exist_ok=True)
    out: dict[str, tuple[Path, list[int]]] = {}
    pages = [rasterise(pdf, n, 300, work / f"clean300_{n}.png") for n in range(1, 6)]
    out["clean300"] = (images_to_pdf(pages, work / "clean300.pdf", 300), [1, 2, 3, 4, 5])

    noisy = {}
    for n in (2, 3, 4):
        png = rasterise(pdf, n, 150, work / f"noisy150_{n}.png")
        jpg = degrade(png, work / f"noisy150_{n}", seed=n, angle=1.0, noise=12.0, blur=0.6,
                      quality=60)
        noisy[n] = images_to_pdf([jpg], work / f"noisy150_{n}.pdf", 150)
    out["noisy150"] = (splice(pdf, noisy, work / "noisy150.pdf"), [2, 3, 4])

    png = rasterise(pdf, 3, 200, work / "turned90_3.png")
    turned = degrade(png, work / "turned90_3t", seed=3, turn=90)
    out["turned90"] = (splice(pdf, {3: images_to_pdf([turned], work / "turned90_3.pdf", 200)},
                              work / "turned90.pdf"), [3])

    png = rasterise(pdf, 4, 200, work / "stamp_4.png")
    stamped = degrade(png, work / "stamp_4s", seed=4, stamp=True)
    out["stamp"] = (splice(pdf, {4: images_to_pdf([stamped], work / "stamp_4.pdf", 200)},
                           work / "stamp.pdf"), [4])

    png = rasterise(pdf, 4, 200, work / "unruled_4.png")
    unruled = erase_rules(png, work / "unruled_4u.png")
    out["unruled"] = (splice(pdf, {4: images_to_pdf([unruled], work / "unruled_4.pdf", 200)},
                             work / "unruled.pdf"), [4])

    png = rasterise(pdf, 4, 200, work / "unlabelled_4.png")
    unlabelled = paint_out(png, work / "unlabelled_4u.png", HONGZE_LABEL, 200)
    out["unlabelled"] = (splice(pdf, {4: images_to_pdf([unlabelled], work / "unlabelled_4.pdf",
                                                       200)}, work / "unlabelled.pdf"), [4])
    return out


if __name__ == "__main__":
    for name, (path, scanned) in make_variants(Path(sys.argv[1]), Path(sys.argv[2])).items():
        print(name, path, "scanned pages", scanned)
