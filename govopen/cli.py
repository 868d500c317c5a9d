"""The ``govopen`` command line.

Examples::

    govopen parse data/raw/henan/001_33e9900bc9823d6a.txt
    govopen parse report.pdf --json > report.json
    govopen build data/raw -o data/processed
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
    b = sub.add_parser("build", help="parse a folder of reports into dataset tables")
    b.add_argument("raw", nargs="?", default="data/raw")
    b.add_argument("-o", "--out", default="data/processed")
    args = parser.parse_args(argv)
    if args.command == "parse":
        return _parse(args.file, args.json)
    from govopen.corpus import build
    summary = build(Path(args.raw), Path(args.out))
    print(f"{summary['reports']} reports parsed, {summary['failures']} failures "
          f"-> {args.out}")
    return 0


def _parse(file: str, as_json: bool) -> int:
    from govopen.report import read_report
    try:
        report = read_report(file)
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
