"""The long fuzz run: 10,000+ hostile inputs, each read in a child process with a hard limit.

    nice python benchmarks/fuzz.py --n 10000 --seed 1 --jobs 1 --limit 60 --out fuzz.md

Inputs are every crafted case of ``tests/fuzzing.py`` (PDF object loops, bombs,
encrypted files, deep HTML, absurd DOCX spans and numbering, XXE, wrong
charsets, …) and ``--n`` seeded mutations of rendered reports, across text,
HTML, PDF and DOCX. Each is read by ``govopen.read_report(path, timeout=LIMIT)``
in a worker process (:mod:`govopen.runner`) that the parent kills if it is still
running ``LIMIT + 30`` s later, with an address-space cap of 4 GB. The summary
table counts the outcomes per format (ok, ``ReportError``, ``Timeout`` at the
library's own limit, ``killed`` past the hard limit, ``exception:<type>``), the
time per input (median, max) and the peak resident memory of one read (max, and
how many passed 1 GB); the inputs behind anything but ok/ReportError are listed
and kept in ``--keep`` for reproduction.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import fuzzing  # noqa: E402

from govopen.runner import Task, run  # noqa: E402

CHUNK = 200  # inputs written to disk at a time


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000, help="random mutations (besides crafted)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--limit", type=float, default=60.0, help="read_report timeout (s)")
    ap.add_argument("--out", type=Path, help="write the summary (Markdown) here too")
    ap.add_argument("--keep", type=Path, default=Path("build/fuzz-findings"),
                    help="copy inputs with findings here")
    args = ap.parse_args(argv)
    results: list[tuple[str, dict]] = []
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="govopen-fuzz-") as tmp:
        batch: list[tuple[str, bytes]] = []
        for item in _inputs(args):
            batch.append(item)
            if len(batch) >= CHUNK:
                results += _run(batch, Path(tmp), args)
                batch = []
                print(f"{len(results)} inputs, {time.monotonic() - t0:.0f} s", file=sys.stderr,
                      flush=True)
                if args.out:  # the table so far, in case the run is cut short
                    args.out.write_text(summary(results, args, time.monotonic() - t0),
                                        encoding="utf-8")
        results += _run(batch, Path(tmp), args)
    text = summary(results, args, time.monotonic() - t0)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    bad = [r for _, r in results if r["outcome"] not in ("ok", "ReportError", "Timeout")]
    return 1 if bad or any(r["leak"] for _, r in results) else 0


def _inputs(args: argparse.Namespace):
    yield from fuzzing.crafted()
    # PDF and DOCX mutations cost the most; text and HTML are where most real
    # variation is: weights give roughly the mix.
    yield from fuzzing.mutations(args.seed, args.n, weights=(0.42, 0.15, 0.27, 0.16))


def _run(batch: list[tuple[str, bytes]], tmp: Path, args: argparse.Namespace):
    paths = {}
    for name, data in batch:
        path = tmp / name.replace("/", "__")
        path.write_bytes(data)
        paths[name] = path
    tasks = [Task(name, (str(path), args.limit)) for name, path in paths.items()]
    out = []
    for o in run(fuzzing.probe, tasks, jobs=args.jobs, timeout=args.limit + 30,
                 warmup=fuzzing.cap_memory):
        if o.ok:
            result = o.value
        else:  # the worker was killed past the hard limit, or died
            result = {"outcome": "killed" if o.error == "Timeout" else o.error or "crashed",
                      "seconds": o.seconds, "peak_mb": float("nan"), "leak": False,
                      "message": o.message}
        if result["outcome"] not in ("ok", "ReportError") or result["leak"] or (
                result["peak_mb"] > 1024):
            args.keep.mkdir(parents=True, exist_ok=True)
            shutil.copy(paths[o.key], args.keep / paths[o.key].name)
        out.append((o.key, result))
    for path in paths.values():
        path.unlink(missing_ok=True)
    return out


def summary(results: list[tuple[str, dict]], args: argparse.Namespace, seconds: float) -> str:
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for name, r in results:
        by_kind[name.split("/")[0]].append(r)
    outcomes = sorted({r["outcome"] for _, r in results})
    head = ["format", "inputs", *outcomes, "median s", "max s", "max MB", "> 1 GB", "leaks"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for kind in [*fuzzing.KINDS, "all"]:
        rs = [r for _, r in results] if kind == "all" else by_kind.get(kind, [])
        if not rs:
            continue
        secs = [r["seconds"] for r in rs]
        mem = [r["peak_mb"] for r in rs if r["peak_mb"] == r["peak_mb"]]
        row = [kind, str(len(rs)), *[str(sum(r["outcome"] == o for r in rs)) for o in outcomes],
               f"{statistics.median(secs):.2f}", f"{max(secs):.1f}",
               f"{max(mem):.0f}" if mem else "-", str(sum(m > 1024 for m in mem)),
               str(sum(r["leak"] for r in rs))]
        lines.append("| " + " | ".join(row) + " |")
    notable = [(n, r) for n, r in results if r["outcome"] not in ("ok", "ReportError")
               or r["leak"] or r["peak_mb"] > 1024]
    text = [f"govopen fuzz run: {len(results)} inputs, seed {args.seed}, limit {args.limit:g} s, "
            f"{args.jobs} worker(s), {seconds / 60:.1f} min", "", *lines, ""]
    if notable:
        text.append("Inputs with findings:")
        text += [f"- {n}: {r['outcome']} ({r['seconds']:.1f} s, {r['peak_mb']:.0f} MB) "
                 f"{r['message'][:120]}" for n, r in notable[:50]]
    return "\n".join(text) + "\n"


if __name__ == "__main__":
    sys.exit(main())
