"""Measurement: does the OCR reader's second look keep misread digits?

A number whose least certain digit scores below the confidence threshold is
recognised twice more (``govopen.readers.ocr._look_again``: with a white margin,
and enlarged) and kept only if both looks read the same digits, every one at or
above the threshold. This script checks that rule on misreadings made on
purpose: the cells that OCR read confidently on scans of the two rendered
round-trip reports (tests/fixtures/roundtrip rt_004.pdf page 1, rt_005.pdf
page 2, at 200 and 150 dpi) are degraded (shrunk to 50-15%, cut tight, made
faint, blurred, their bottom cut off), read again, and each uncertain reading
is given the second look (a reading with a digit lost or added counts as wrong
too). It prints, for wrong and for right readings (right:
the same digits the undegraded cell gave), how many were uncertain and how many
of those the second look kept. A kept wrong reading is a wrong number nobody is
warned of.

    PATH=.venv/bin:$PATH .venv/bin/python benchmarks/bench_second_look.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import scans  # noqa: E402

from govopen.readers import ocr  # noqa: E402

PAGES = [("rt_004.pdf", 1), ("rt_005.pdf", 2)]


def degraded(crop: np.ndarray) -> list[np.ndarray]:
    """Versions of a line crop that the recogniser misreads now and then."""
    import cv2

    g = crop[:, :, 0]
    h, w = g.shape
    out = [cv2.resize(g, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA)
           for f in (0.5, 0.3, 0.2, 0.15)]
    ink = g < 128
    cols, rows = np.flatnonzero(ink.any(axis=0)), np.flatnonzero(ink.any(axis=1))
    if cols.size and rows.size:
        out.append(g[rows[0]:rows[-1] + 1, cols[0] + 1:cols[-1]])  # cuts the outer strokes
    faint = cv2.dilate(g, np.ones((2, 2), np.uint8)).astype(np.float32)
    out.append((255 - (255 - faint) * 0.5).astype(np.uint8))
    small = cv2.resize(g, None, fx=0.4, fy=0.4, interpolation=cv2.INTER_AREA)
    out.append(cv2.GaussianBlur(small, (3, 3), 1.0))
    out.append(g[: max(2, int(h * 0.8))])
    return [cv2.cvtColor(np.ascontiguousarray(v), cv2.COLOR_GRAY2BGR) for v in out
            if min(v.shape[:2]) >= 4]


def page_images(work: Path) -> list[np.ndarray]:
    fixtures = ROOT / "tests" / "fixtures" / "roundtrip"
    out = []
    for name, page in PAGES:
        for dpi, how in ((200, {}), (150, {"noise": 12.0, "blur": 0.6, "quality": 60})):
            stem = f"{Path(name).stem}_{page}_{dpi}"
            png = scans.rasterise(fixtures / name, page, dpi, work / f"{stem}.png")
            if how:
                png = scans.degrade(png, work / f"{stem}d", seed=page, **how)
            out += ocr._load_frames(str(png))
    return out


def main() -> None:
    counts = {"wrong": [0, 0], "right": [0, 0]}  # [uncertain, kept by the second look]
    confident_wrong = 0
    with tempfile.TemporaryDirectory() as tmp:
        for image in page_images(Path(tmp)):
            result = ocr.read_page_image(image)
            gray = np.ascontiguousarray(np.asarray(result.picture()))
            ink = ocr._ink(gray)
            for _, _, kind, item in result.items:
                if kind != "row":
                    continue
                for cell in item[2]:
                    if not cell.text.isdigit() or cell.readings is not None or cell.bbox is None:
                        continue
                    lines = ocr._cell_lines(gray, ink, cell.bbox)
                    if len(lines) != 1:
                        continue
                    crops = degraded(lines[0])
                    for crop, glyphs in zip(crops, ocr.recognise(crops), strict=True):
                        first = ocr._cell_text([glyphs], cell.bbox, inked=True)
                        if not first.text.isdigit():
                            continue  # not read as a number at all
                        kind_ = "right" if first.text == cell.text else "wrong"
                        if first.readings is None:
                            confident_wrong += kind_ == "wrong"
                            continue
                        if not ocr._only_digits([glyphs]):
                            continue
                        counts[kind_][0] += 1
                        if ocr._look_again({0: (first, [crop])}):
                            counts[kind_][1] += 1
                            if kind_ == "wrong":
                                print(f"  kept a misreading: {cell.text} read {first.text}")
            print(f"page done: {counts}", flush=True)
    for k, (uncertain, kept) in counts.items():
        print(f"{k} readings below the threshold: {uncertain}, kept by the second look: {kept}")
    print(f"wrong readings at or above the threshold on the first look: {confident_wrong}")


if __name__ == "__main__":
    main()
