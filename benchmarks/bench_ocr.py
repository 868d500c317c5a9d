"""Benchmark: OCR seconds per page with 1 and 2 workers, and RapidOCR against Tesseract.

Scans the table pages (2-4) of tests/fixtures/corpus/jiangsu/jiangsu_huaian_hongze_2023.pdf
with ``pdftoppm`` at 200 dpi into PNG files, then reads them as reports with
``govopen.read_report`` (the whole path of a picture: orientation, deskew, grid,
recognition, template match):

* 1 worker: one after the other in this process;
* 2 workers: through the build's worker pool (:func:`govopen.runner.run`).

It prints wall and CPU seconds per page for each (on a shared machine the wall
time depends on the other load; the CPU time much less). ``--compare-tesseract`` also reads
every non-empty table cell of those pages with both engines (the same crops) and
prints, per engine, the share of numeric cells read exactly as printed (the
PDF's text layer says what is printed) and the seconds per cell.

    .venv/bin/python benchmarks/bench_ocr.py [--pages 2 3 4] [--compare-tesseract]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import govopen  # noqa: E402
from govopen.runner import Task, run  # noqa: E402

PDF = ROOT / "tests" / "fixtures" / "corpus" / "jiangsu" / "jiangsu_huaian_hongze_2023.pdf"


def parse(path: str) -> tuple[int, float]:
    """Readable cells of one picture, and the CPU seconds the reading took (in a worker
    too, whose CPU the parent cannot see while the pool lives)."""
    c0 = time.process_time()
    report = govopen.read_report(path, timeout=None)  # timed here, not limited
    return int(report.cells["value"].notna().sum()), time.process_time() - c0


def per_page(images: list[Path], jobs: int) -> tuple[float, float]:
    """Wall and CPU seconds per page (CPU summed over the processes that read)."""
    t0 = time.perf_counter()
    if jobs == 1:
        cpu = sum(parse(str(p))[1] for p in images)
    else:
        outcomes = list(run(parse, [Task(p.name, (str(p),)) for p in images], jobs=jobs))
        bad = [o for o in outcomes if not o.ok]
        if bad:
            raise SystemExit(f"failed: {bad}")
        cpu = sum(o.value[1] for o in outcomes)
    return (time.perf_counter() - t0) / len(images), cpu / len(images)


def compare(images: list[Path], pages: list[int], work: Path) -> None:
    """Every inked table cell read by RapidOCR and by Tesseract, against the text layer."""
    import cv2
    import pdfplumber

    from govopen.readers import grid, ocr

    crops, truth = [], []
    with pdfplumber.open(PDF) as pdf:
        for img_path, number in zip(images, pages, strict=True):
            page = pdf.pages[number - 1]
            img = ocr._normalise(cv2.imread(str(img_path)))
            gray = img[:, :, 2]
            ink = ocr._ink(gray)
            f = float(page.width) / img.shape[1]
            for table in grid.find_tables(ocr._ink(gray, smooth=False), 1.0):
                for box in table.cells:
                    lines = ocr._cell_lines(gray, ink, box)
                    if len(lines) != 1:
                        continue
                    x0, y0, x1, y1 = (v * f for v in box)
                    printed = (page.crop((x0, y0, x1, y1)).extract_text() or "").strip()
                    if re.fullmatch(r"\d+(?:\.\d+)?", printed):
                        crops.append(lines[0])
                        truth.append(printed)
    t0 = time.perf_counter()
    rapid = ["".join(g.text for g in glyphs) for glyphs in ocr.recognise(crops)]
    t_rapid = (time.perf_counter() - t0) / len(crops)
    listing = work / "crops.txt"
    names = []
    for i, crop in enumerate(crops):
        name = work / f"cell{i:04d}.png"
        cv2.imwrite(str(name), crop)
        names.append(str(name))
    listing.write_text("\n".join(names) + "\n")
    t0 = time.perf_counter()
    out = subprocess.run(["tesseract", str(listing), "-", "-l", "chi_sim+eng", "--psm", "7"],
                         capture_output=True, text=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    t_tess = (time.perf_counter() - t0) / len(crops)
    tess = [re.sub(r"\s+", "", t) for t in out.stdout.split("\f")][: len(crops)]
    tess += [""] * (len(crops) - len(tess))
    for name, got, secs in (("rapidocr", rapid, t_rapid), ("tesseract", tess, t_tess)):
        right = sum(g == t for g, t in zip(got, truth, strict=True))
        print(f"{name:10s} {right}/{len(truth)} numeric cells exact ({right / len(truth):.1%}), "
              f"{secs * 1000:.0f} ms per cell")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, nargs="+", default=[2, 3, 4])
    ap.add_argument("--dpi", type=int, default=200)
    ap.add_argument("--compare-tesseract", action="store_true")
    args = ap.parse_args()
    if shutil.which("pdftoppm") is None:
        raise SystemExit("needs pdftoppm (poppler-utils)")
    import scans

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        images = [scans.rasterise(PDF, n, args.dpi, work / f"page{n}.png") for n in args.pages]
        print(f"{len(images)} pages at {args.dpi} dpi, onnxruntime threads per worker: "
              f"{os.environ.get('GOVOPEN_OCR_THREADS', '1')}")
        from govopen.readers import ocr

        ocr._engine()  # load the models once before timing
        for jobs in (1, 2):
            ocr._SEEN.clear()  # no page may come from the per-process page cache
            wall, cpu = per_page(images, jobs)
            print(f"{jobs} worker{'s' if jobs > 1 else ''}: {wall:.1f} s per page "
                  f"(CPU {cpu:.1f} s per page; load average {os.getloadavg()[0]:.1f})")
        if args.compare_tesseract:
            if shutil.which("tesseract") is None:
                raise SystemExit("--compare-tesseract needs tesseract-ocr and tesseract-ocr-chi-sim")
            compare(images, args.pages, work)


if __name__ == "__main__":
    main()
