"""Benchmark: govopen's full PDF parse on both engines against bare text extraction.

For the same files in the same run it times four sides:

* ``govopen pdfium``      — ``govopen.read_report`` with the PDFium engine (default);
* ``govopen pdfplumber``  — ``govopen.read_report`` with the pdfplumber engine;
* ``pdfplumber text``     — pdfplumber's bare ``page.extract_text()`` of every page;
* ``pypdfium2 text``      — bare pypdfium2: load each page, its text page, and
  ``get_text_range()`` (the floor: what any PDFium-based reader pays).

Each file is handled by all four back to back, in an order that rotates from
pass to pass, so other load on the machine hits every side alike; times are CPU
seconds of this process (``time.process_time``). It prints, per side, the
median and minimum CPU seconds per pass, and the ratios of govopen's PDFium parse
to the two bare extractions (targets: ≤ 0.15 × pdfplumber's, ≤ 3 × pypdfium2's,
both medians).

    .venv/bin/python benchmarks/bench_pdf.py [--repeat 5] [--profile] [FILE ...]

Files none can open (the encrypted fixture) are left out of every side.
``--profile`` runs one more govopen PDFium pass under cProfile.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import platform
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pdfplumber  # noqa: E402
import pypdfium2 as pdfium  # noqa: E402

import govopen  # noqa: E402
from govopen.errors import ReportError  # noqa: E402

TARGET_PLUMBER = 0.15
TARGET_PDFIUM = 3.0


def fixtures() -> list[Path]:
    return sorted([*ROOT.glob("tests/fixtures/**/*.pdf"), *ROOT.glob("data/raw/**/*.pdf")])


def pdfplumber_text(path: Path) -> int:
    """pdfplumber's bare text extraction of every page; returns the page count."""
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
        return len(pdf.pages)


def pypdfium2_text(path: Path) -> int:
    """Bare pypdfium2 text extraction of every page; returns the page count."""
    pdf = pdfium.PdfDocument(path)
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
        return len(pdf)
    finally:
        pdf.close()


SIDES = {
    "govopen pdfium": lambda p: govopen.read_report(p, pdf_engine="pdfium"),
    "govopen pdfplumber": lambda p: govopen.read_report(p, pdf_engine="pdfplumber"),
    "pdfplumber text": pdfplumber_text,
    "pypdfium2 text": pypdfium2_text,
}


def timed_pass(files: list[Path], shift: int) -> dict[str, float]:
    """One pass: each file handled by every side back to back, the order rotated
    by ``shift``. Returns CPU seconds per side."""
    names = list(SIDES)
    order = names[shift % len(names):] + names[:shift % len(names)]
    spent = dict.fromkeys(names, 0.0)
    for path in files:
        for name in order:
            start = time.process_time()
            SIDES[name](path)
            spent[name] += time.process_time() - start
    return spent


def usable(files: list[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    ok, skipped = [], []
    for path in files:
        try:
            for side in SIDES.values():
                side(path)  # also warms imports and caches
        except (ReportError, pdfium.PdfiumError, Exception) as err:  # noqa: BLE001
            skipped.append((path, str(err)))
            continue
        ok.append(path)
    return ok, skipped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="PDFs (default: all fixtures)")
    parser.add_argument("--repeat", type=int, default=5, help="passes over the files (default 5)")
    parser.add_argument("--profile", action="store_true",
                        help="profile one more govopen pass and print the top functions")
    args = parser.parse_args(argv)

    files, skipped = usable(args.files or fixtures())
    if not files:
        print("no PDF to benchmark", file=sys.stderr)
        return 1
    pages = sum(pypdfium2_text(p) for p in files)
    times: dict[str, list[float]] = {name: [] for name in SIDES}
    for i in range(max(args.repeat, 1)):
        for name, spent in timed_pass(files, i).items():
            times[name].append(spent)

    print(f"python {platform.python_version()}, pdfplumber {pdfplumber.__version__}, "
          f"pypdfium2 {pdfium.PYPDFIUM_INFO}, govopen {govopen.__version__}, "
          f"{platform.machine()}, load average {os.getloadavg()[0]:.1f}")
    print(f"{len(files)} PDFs, {pages} pages, {args.repeat} passes, interleaved"
          + (f" (left out: {', '.join(p.name for p, _ in skipped)})" if skipped else ""))
    print(f"{'side':20s} {'median':>8s} {'min':>8s}  CPU s per pass   reports/s  pages/s")
    for name, spent in times.items():
        med = statistics.median(spent)
        print(f"{name:20s} {med:8.3f} {min(spent):8.3f}  {'':15s} {len(files) / med:9.1f} "
              f"{pages / med:8.1f}")
    ours = times["govopen pdfium"]
    for other, target in (("pdfplumber text", TARGET_PLUMBER), ("pypdfium2 text", TARGET_PDFIUM)):
        ratio = statistics.median(ours) / statistics.median(times[other])
        print(f"govopen pdfium / {other:16s} {ratio:6.3f} (medians), "
              f"{min(ours) / min(times[other]):6.3f} (minima); target <= {target}: "
              + ("OK" if ratio <= target else "ABOVE TARGET"))
    speedup = statistics.median(times["govopen pdfplumber"]) / statistics.median(ours)
    print(f"govopen pdfium is {speedup:.1f}x faster than govopen pdfplumber (medians)")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for path in files:
            govopen.read_report(path, pdf_engine="pdfium")
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
