"""The ``govopen`` command line.

Examples::

    govopen parse data/raw/henan/001_33e9900bc9823d6a.txt
    govopen parse report.pdf --json > report.json
    govopen build data/raw -o data/processed --jobs 4 --timeout 60
    govopen build data/raw -o data/processed --no-ocr
    govopen build data/raw -o data/processed --dask tcp://scheduler:8786
    govopen manifest data/raw
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from govopen.errors import ReportError


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="govopen", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("parse", help="parse one report and print its cells and issues")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="print JSON (meta, cells, issues, sections)")
    _ocr_option(p)
    b = sub.add_parser("build", help="parse a folder of reports into dataset tables",
                       description="Parse every report under RAW into OUT (Parquet, CSV, "
                                   "Stata, codebook). Unchanged files are taken from OUT/.cache.")
    b.add_argument("raw", nargs="?", default="data/raw")
    b.add_argument("-o", "--out", default="data/processed")
    _run_options(b)
    _ocr_option(b)
    b.add_argument("--dask", metavar="ADDRESS",
                   help="parse on this Dask scheduler (e.g. tcp://host:8786) instead")
    m = sub.add_parser("manifest", help="write RAW/manifest.csv from the documents",
                       description="Add rows for new report files and fill empty cells from "
                                   "what the documents say; values already entered are kept.")
    m.add_argument("raw", nargs="?", default="data/raw")
    _run_options(m)
    args = parser.parse_args(argv)
    if args.command == "parse":
        return _parse(args.file, args.json, not args.no_ocr)
    if args.command == "manifest":
        return _manifest(args)
    return _build(args)


def _ocr_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-ocr", action="store_true",
                   help="do not OCR scanned pages and images (they get a needs_ocr issue)")


def _run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("-j", "--jobs", type=int, default=None,
                   help="worker processes (default: all cores; 0: parse in this process)")
    p.add_argument("--timeout", type=float, default=120.0, metavar="S",
                   help="seconds allowed per file (default 120; 0: no limit)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def _build(args: argparse.Namespace) -> int:
    from govopen.corpus import build
    try:
        summary = build(Path(args.raw), Path(args.out), jobs=args.jobs,
                        timeout=args.timeout or None, dask=args.dask,
                        progress=False if args.no_progress else None, ocr=not args.no_ocr)
    except (FileNotFoundError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if summary["up_to_date"]:
        print(f"{args.out} is up to date: {summary['reports']} reports, "
              f"{summary['failures']} failures")
    else:
        print(f"{summary['reports']} reports, {summary['failures']} failures "
              f"({summary['parsed']} files parsed, {summary['cached']} from the cache) "
              f"-> {args.out}")
    return 0


def _manifest(args: argparse.Namespace) -> int:
    from govopen.manifest import NAME, update
    raw = Path(args.raw)
    if not raw.is_dir():
        print(f"error: no such folder: {raw}", file=sys.stderr)
        return 2
    summary = update(raw, jobs=args.jobs, timeout=args.timeout or None,
                     progress=False if args.no_progress else None)
    print(f"{raw / NAME}: {summary['rows']} rows, {summary['added']} added, "
          f"{summary['filled']} empty cells filled, {summary['dropped']} dropped")
    for name in summary["dropped_files"]:
        print(f"  dropped (file no longer present): {name}")
    for f in summary["failures"]:
        print(f"  could not read {f['file']}: {f['error']}: {f['message']}", file=sys.stderr)
    return 0


def _parse(file: str, as_json: bool, ocr: bool = True) -> int:
    from govopen.report import read_report
    try:
        report = read_report(file, ocr=ocr)
    except ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if as_json:
        out = {
            "meta": report.meta,
            "cells": _records(report.cells),
            "issues": _records(report.issues),
            "sections": _records(report.sections),
        }
        json.dump(out, sys.stdout, ensure_ascii=False, indent=1, default=str)
        print()
        return 0
    m = report.meta
    print(f"{m['agency']} · {m['year']} · format {m['format']} · {len(report.cells)} cells · "
          f"{m['n_errors']} errors, {m['n_warnings']} warnings")
    with pd.option_context("display.max_rows", None, "display.width", 200):
        print(report.cells[["table", "row", "col", "value", "raw", "status"]].to_string(index=False))
        if not report.issues.empty:
            print()
            print(report.issues[["rule", "severity", "table", "row", "col", "message"]]
                  .to_string(index=False))
    return 0


def _records(frame: pd.DataFrame) -> list[dict]:
    return json.loads(frame.to_json(orient="records", force_ascii=False))
