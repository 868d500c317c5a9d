"""Benchmark: govopen's full PDF parse against pdfplumber's bare text extraction.

Parses every PDF fixture (tests/fixtures/**/*.pdf and data/raw/**/*.pdf) with
``govopen.read_report`` and, in the same run, extracts the text of every page of
the same files with pdfplumber's own ``page.extract_text()``. Each file is parsed by
both back to back (alternating which goes first from pass to pass), and times
are CPU seconds of this process (``time.process_time``), so other processes on
the machine hardly disturb the comparison; the passes are repeated
``--repeat`` times and the medians compared. Prints reports per second for
govopen and the ratio of the two total times (target: ≤ 1.5).

    .venv/bin/python benchmarks/bench_pdf.py [--repeat 5] [--profile] [FILE ...]

Files pdfplumber cannot open (the encrypted fixture) are left out of both sides.
``--profile`` runs one extra govopen pass under cProfile and prints where the
time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import platform
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pdfplumber  # noqa: E402

import govopen  # noqa: E402
from govopen.errors import ReportError  # noqa: E402

TARGET = 1.5


def fixtures() -> list[Path]:
    return sorted([*ROOT.glob("tests/fixtures/**/*.pdf"), *ROOT.glob("data/raw/**/*.pdf")])


def govopen_pass(files: list[Path]) -> float:
    start = time.process_time()
    for path in files:
        govopen.read_report(path)
    return time.process_time() - start


def pdfplumber_text(path: Path) -> int:
    """pdfplumber's bare text extraction of every page; returns the page count."""
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
        return len(pdf.pages)


def timed_pass(files: list[Path], plumber_first: bool) -> tuple[float, float, int]:
    """One pass: each file parsed by both, back to back. Returns CPU seconds
    (govopen, pdfplumber) and the number of pages."""
    ours = theirs = 0.0
    pages = 0
    for path in files:
        for side in ((1, 0) if plumber_first else (0, 1)):
            start = time.process_time()
            if side:
                pages += pdfplumber_text(path)
                theirs += time.process_time() - start
            else:
                govopen.read_report(path)
                ours += time.process_time() - start
    return ours, theirs, pages


def usable(files: list[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    ok, skipped = [], []
    for path in files:
        try:
            govopen.read_report(path)  # also warms imports and caches
        except ReportError as err:
            skipped.append((path, err.problem))
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
    ours: list[float] = []
    theirs: list[float] = []
    pages = 0
    for i in range(args.repeat):
        ours_t, theirs_t, pages = timed_pass(files, plumber_first=bool(i % 2))
        ours.append(ours_t)
        theirs.append(theirs_t)

    ours_med, theirs_med = statistics.median(ours), statistics.median(theirs)
    ratio = ours_med / theirs_med
    print(f"python {platform.python_version()}, pdfplumber {pdfplumber.__version__}, "
          f"govopen {govopen.__version__}, {platform.machine()}")
    print(f"{len(files)} PDFs, {pages} pages, {args.repeat} passes"
          + (f" (left out: {', '.join(p.name for p, _ in skipped)})" if skipped else ""))
    rows = [("govopen.read_report", ours, "reports/s"),
            ("pdfplumber page.extract_text", theirs, "files/s")]
    for name, times, per in rows:
        med = statistics.median(times)
        print(f"{name:29s} {med:6.2f} CPU s per pass (median; min {min(times):.2f})  "
              f"{len(files) / med:5.1f} {per:9s} {pages / med:5.1f} pages/s")
    print(f"{'ratio govopen / pdfplumber':29s} {ratio:.2f} (medians), "
          f"{min(ours) / min(theirs):.2f} (minima); target <= {TARGET}: "
          + ("OK" if ratio <= TARGET else "ABOVE TARGET"))

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        govopen_pass(files)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
        stats.print_stats(40)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
