"""Benchmark: ``govopen build`` on a synthetic corpus — throughput, no-op rebuild, memory.

Writes a corpus of text reports (the official table structure, drawn by the
test renderer ``tests/render.py`` with random values, for agencies named after
real counties, five years each) into a temporary folder, then builds it in a fresh
interpreter each time and prints:

* reports per second with ``--jobs 1`` and with all cores (parse + tables +
  Parquet/CSV/Stata/codebook, from an empty output folder), and the CPU time
  per report of the build and its workers together (which, unlike the wall
  time, does not depend on what else the machine is running);
* the time of a second build with nothing changed (interpreter start included);
* peak memory of the build process (``ru_maxrss``, and the Python heap peak from
  ``tracemalloc`` in a separate run) and of its largest worker, at two corpus
  sizes, and how much it grows per 1,000 reports: the build streams every table,
  so its memory should stay flat as the corpus grows.

With ``--pdfs N`` it builds, instead, a folder of ``N`` real PDFs (the PDF
fixtures and ``data/raw`` PDFs, copied round-robin, each copy with a short
comment appended after its end so that every file has its own hash) with one
and with two workers, and prints PDF reports per second, CPU per report, the
speed-up of two workers over one, and the projected time for 10,000 PDFs.

    .venv/bin/python benchmarks/bench_build.py                 # 1,000 and 4,000 reports
    .venv/bin/python benchmarks/bench_build.py --sizes 500 1000 --jobs 4
    .venv/bin/python benchmarks/bench_build.py --pdfs 110      # PDF throughput, -j1 and -j2
    .venv/bin/python benchmarks/bench_build.py --pdfs 110 --rounds 3   # interleaved, medians

Timings depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

BUREAUS = ("财政局", "教育局", "公安局", "自然资源局", "人民政府办公室", "市场监督管理局",
           "交通运输局", "卫生健康委员会", "人民政府")
LAYOUTS = ("space", "tab", "lines")


# --------------------------------------------------------------------------- the corpus


def random_values(rng: random.Random, fmt_: str) -> dict:
    """Plausible values: small counts, consistent request and appeal totals, some blanks."""
    from govopen.templates import template

    values: dict = {}
    tmpl = template("proactive", fmt_)
    for row in tmpl.rows:
        for col in row.cols:
            kind = tmpl.col(col).kind
            if kind == "money":
                v = round(rng.uniform(0, 500), 2)
            elif kind == "signed":
                v = float(rng.randint(-5, 5))
            else:
                v = float(rng.choice([0, 0, 1, 2, 3, 5, 8, 13, 40, 120]))
            values[("proactive", row.code, col)] = v
    for row in template("requests", fmt_).rows:
        parts = [float(rng.choice([0, 0, 0, 1, 2, 3, 7])) for _ in range(6)]
        for col, v in zip(("natural_person", "business", "research", "social_org",
                           "legal_service", "other_org", "total"), [*parts, sum(parts)],
                          strict=True):
            values[("requests", row.code, col)] = v
    for row in ("review", "suit_direct", "suit_after_review"):
        parts = [float(rng.choice([0, 0, 1, 2])) for _ in range(4)]
        for col, v in zip(("upheld", "corrected", "other", "pending", "total"),
                          [*parts, sum(parts)], strict=True):
            values[("appeals", row, col)] = v
    return values


def write_corpus(raw: Path, n: int, seed: int = 0) -> None:
    """``n`` reports: ``n // 5`` agencies × 2019–2023 (2019 format up to 2020)."""
    from render import TITLE, render

    from govopen.gazetteer import gazetteer

    rng = random.Random(seed)
    counties = sorted(p.name for p in gazetteer().places.values()
                      if p.level == "county" and len(gazetteer().lookup(p.name)) == 1)
    placeholder = TITLE.split("{year}")[0]
    raw.mkdir(parents=True)
    for i in range(n):
        agency_no, year = divmod(i, 5)
        year += 2019
        a_rng = random.Random(seed * 1_000_003 + agency_no)
        name = a_rng.choice(counties) + a_rng.choice(BUREAUS)
        fmt_ = "2019" if year <= 2020 else "2021"
        text = render(random_values(rng, fmt_), fmt_, year, rng.choice(LAYOUTS))
        folder = raw / f"a{agency_no:05d}"
        folder.mkdir(exist_ok=True)
        (folder / f"{year}.txt").write_text(text.replace(placeholder, name, 1), encoding="utf-8")


# --------------------------------------------------------------------------- one build


def child(raw: str, out: str, jobs: int, trace: bool) -> None:
    """Run one build in this (fresh) interpreter and print what it cost, as JSON."""
    if trace:
        import tracemalloc
        tracemalloc.start()
    import threading

    import psutil

    import govopen.corpus as corpus
    from govopen.corpus import build

    # The parse phase (workers busy) apart from the serial rest of the build:
    # set-up before the first task, and the assembly of the tables after the last.
    run, phase = corpus.run, {}

    def timed_run(*a: object, **k: object):  # type: ignore[no-untyped-def]
        t_run = time.perf_counter()
        yield from run(*a, **k)
        phase["parse_seconds"] = time.perf_counter() - t_run

    corpus.run = timed_run
    # Workers are children of the fork server, not of this process, so
    # RUSAGE_CHILDREN does not see them: sample them instead. Listing the
    # processes reads all of /proc (~4 ms): done every 0.5 s only, or the sampler
    # takes CPU from two workers on two cores (and none from one).
    worker_peak, worker_cpu, done = [0], {}, threading.Event()

    def sample() -> None:
        me, known, tick = psutil.Process(), [], 0
        while not done.wait(0.05):
            if tick % 10 == 0:
                known = me.children(recursive=True)
            tick += 1
            for p in known:
                try:
                    worker_peak[0] = max(worker_peak[0], p.memory_info().rss)
                    t = p.cpu_times()
                    worker_cpu[p.pid] = t.user + t.system
                except psutil.Error:
                    pass

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    summary = build(raw, out, jobs=jobs, progress=False)
    seconds = time.perf_counter() - t0
    done.set()
    sampler.join()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result = {"seconds": seconds, **summary, **phase, "rss_mb": usage.ru_maxrss / 1024,
              "worker_rss_mb": worker_peak[0] / 2**20,
              "parent_cpu": usage.ru_utime + usage.ru_stime,
              "worker_cpu": _forkserver_cpu() or sum(worker_cpu.values())}
    result["cpu"] = result["parent_cpu"] + result["worker_cpu"]
    if trace:
        result["heap_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    print(json.dumps(result))


def _forkserver_cpu() -> float | None:
    """CPU seconds of the fork server and of every worker it forked (and reaped: all of
    them, once the pool is shut down), or None if there is no fork server."""
    from multiprocessing import forkserver

    import psutil

    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    if pid is None:
        return None
    try:
        t = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return None
    return t.user + t.system + t.children_user + t.children_system


def measure(raw: Path, out: Path, jobs: int, trace: bool = False) -> dict:
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--child", str(raw), str(out), str(jobs),
                           *(["--trace"] if trace else [])],
                          capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - t0  # interpreter start-up included
    return result


# --------------------------------------------------------------------------- main


def write_pdf_corpus(raw: Path, n: int, exclude: list[str] | None = None) -> list[Path]:
    """``n`` PDFs: the repository's PDFs round-robin (but those whose name matches a
    pattern of ``exclude``), each copy made unique.

    Each copy gets its own ``agency_id`` in a manifest: otherwise the copies of
    one report are, rightly, copies of one report (same agency and year), and the
    build compares every one with the one it keeps — work a corpus of distinct
    agencies does not have.
    """
    sources = sorted(p for p in [*ROOT.glob("tests/fixtures/**/*.pdf"),
                                 *ROOT.glob("data/raw/**/*.pdf")]
                     if not any(fnmatch.fnmatch(p.name, pat) for pat in exclude or []))
    raw.mkdir(parents=True)
    rows = ["file,agency_id"]
    for i in range(n):
        src = sources[i % len(sources)]
        # A comment after %%EOF: the same document, a different hash.
        name = f"{i:05d}_{src.name}"
        (raw / name).write_bytes(src.read_bytes() + f"\n%{i}\n".encode())
        rows.append(f"{name},bench-{i:05d}")
    (raw / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return sources


def pdf_main(n: int, jobs_list: list[int], rounds: int = 1,
             exclude: list[str] | None = None) -> None:
    """Build ``n`` PDFs with each worker count of ``jobs_list``, ``rounds`` times,
    interleaved (the order reversed every other round, so that load that comes
    and goes on a shared machine hits every worker count alike); the medians
    over the rounds are compared."""
    import statistics

    print(f"python {platform.python_version()}, {os.cpu_count()} cores, "
          f"{platform.machine()}; load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="govopen-bench-pdf-") as tmp:
        tmp = Path(tmp)
        sources = write_pdf_corpus(tmp / "raw", n, exclude)
        print(f"{n} PDFs (copies of {len(sources)} fixtures), {rounds} round(s)")
        rates: dict[int, list[float]] = {j: [] for j in jobs_list}
        parse_rates: dict[int, list[float]] = {j: [] for j in jobs_list}
        runs = 0
        for k in range(max(rounds, 1)):
            for jobs in (jobs_list if k % 2 == 0 else jobs_list[::-1]):
                r = measure(tmp / "raw", tmp / f"out-{runs}", jobs)  # always a fresh folder
                runs += 1
                assert r["reports"] + r["failures"] == n and not r["up_to_date"], r
                rates[jobs].append(n / r["seconds"])
                parse_rates[jobs].append(n / r.get("parse_seconds", r["seconds"]))
                print(f"  --jobs {jobs}:  {r['seconds']:6.1f} s  {rates[jobs][-1]:6.1f} "
                      f"reports/s  ({1000 * r['cpu'] / n:5.1f} ms CPU per report, "
                      f"{r['parent_cpu']:.1f} s build process + {r['worker_cpu']:.1f} s workers; "
                      f"{r['reports']} reports, {r['failures']} failures)  of which parsing "
                      f"{r.get('parse_seconds', 0):.1f} s ({parse_rates[jobs][-1]:.1f} "
                      f"reports/s)  load average {os.getloadavg()[0]:.1f}")
        med = {j: statistics.median(v) for j, v in rates.items()}
        parse_med = {j: statistics.median(v) for j, v in parse_rates.items()}
        if 1 in med and len(med) > 1:
            for other in (j for j in med if j != 1):
                print(f"  --jobs {other} / --jobs 1 (medians): {med[other] / med[1]:.2f}x the "
                      f"whole build, {parse_med[other] / parse_med[1]:.2f}x the parse phase")
        fastest = max(med, key=lambda j: med[j])
        print(f"  projected time for 10,000 PDFs with --jobs {fastest}: "
              f"{10_000 / med[fastest] / 60:.1f} min")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[1000, 4000])
    parser.add_argument("--pdfs", type=int, default=0, metavar="N",
                        help="benchmark a folder of N real PDFs with --jobs 1 and 2 instead")
    parser.add_argument("--pdf-jobs", type=int, nargs="+", default=[1, 2],
                        help="worker counts for --pdfs (default: 1 2)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="with --pdfs: repeat the builds, interleaved (default 1)")
    parser.add_argument("--exclude", nargs="+", default=[], metavar="PATTERN",
                        help="with --pdfs: leave out the PDFs whose name matches "
                             "(e.g. '*scanned*': the ones read by OCR)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="'all cores' (default: os.cpu_count())")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]), args.trace)
        return
    if args.pdfs:
        pdf_main(args.pdfs, args.pdf_jobs, args.rounds, args.exclude)
        return

    small, large = args.sizes
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, "
          f"{platform.machine()}; all cores = --jobs {args.jobs}; "
          f"load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="govopen-bench-") as tmp:
        tmp = Path(tmp)
        for n in (small, large):
            t0 = time.perf_counter()
            write_corpus(tmp / f"raw{n}", n, args.seed)
            print(f"wrote {n} synthetic reports in {time.perf_counter() - t0:.1f} s")

        print("\nthroughput (fresh output folder):")
        rows = []
        for k, (n, jobs) in enumerate(((small, 1), (small, args.jobs), (large, args.jobs))):
            out = tmp / f"out{n}-{jobs}-{k}"  # one folder per row, even when --jobs 1
            r = measure(tmp / f"raw{n}", out, jobs)
            assert r["reports"] == n and r["failures"] == 0, r
            again = measure(tmp / f"raw{n}", out, jobs)
            assert again["up_to_date"], again
            rows.append((n, jobs, r, again))
            print(f"  {n:>6} reports  --jobs {jobs}:  {r['seconds']:6.1f} s  "
                  f"{n / r['seconds']:6.1f} reports/s  ({1000 * r['cpu'] / n:4.1f} ms CPU "
                  f"per report)   second run (nothing changed): {again['wall']:.2f} s")

        print("\nmemory (all cores; the build process, and its largest worker):")
        peaks = {}
        for n in (small, large):
            r = next(x for (m, j, x, _) in rows if m == n and j == args.jobs)
            traced = measure(tmp / f"raw{n}", tmp / f"trace{n}", args.jobs, trace=True)
            peaks[n] = (r["rss_mb"], traced["heap_peak_mb"])
            print(f"  {n:>6} reports:  peak RSS {r['rss_mb']:6.0f} MB   "
                  f"Python heap peak {traced['heap_peak_mb']:6.1f} MB   "
                  f"worker peak RSS {r['worker_rss_mb']:6.0f} MB")
        per = 1000 / (large - small)
        print(f"  growth per 1,000 more reports: peak RSS "
              f"{(peaks[large][0] - peaks[small][0]) * per:+.1f} MB, Python heap peak "
              f"{(peaks[large][1] - peaks[small][1]) * per:+.2f} MB")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
