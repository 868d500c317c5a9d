"""The ``govopen`` command line (``govopen --help``; ``python -m govopen`` is the same).

Example:
    >>> main(["--version"])  # doctest: +ELLIPSIS
    govopen ...
    0
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from govopen import __version__
from govopen.errors import ReportError
from govopen.limits import DEFAULT_TIMEOUT
from govopen.readers.pdf import DEFAULT_ENGINE, ENGINE_VARIABLE, ENGINES

DESCRIPTION = """\
Read the annual reports on government information disclosure
(政府信息公开工作年度报告) of Chinese administrative bodies -- text, HTML, PDF,
Word -- into tidy tables in which every number is traceable to where it was
printed, check the identities the State Council template implies, and build a
dataset from a folder of reports."""

EXAMPLES = """\
examples:
  govopen parse report.pdf                      cells and issues of one report
  govopen parse report.pdf --json > report.json the same as JSON, with sections
  govopen parse report.pdf | head               (output may be cut short)
  govopen parse report.pdf --pdf-engine pdfplumber   read the PDF with the reference engine
  govopen parse report.pdf --xlsx report.xlsx   also write its tables to check in Excel
  govopen manifest data/raw                     add rows for new files to data/raw/manifest.csv
  govopen build data/raw -o data/processed      parse every report, write the dataset
  govopen build data/raw -o data/processed --jobs 4 --timeout 60
  govopen build data/raw -o data/processed --dask tcp://scheduler:8786
  govopen review reports/review --status ambiguous,unreadable   a page to check flagged cells

Run `govopen COMMAND --help` for the options of one command."""


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    Output cut short by the reader (``govopen parse FILE | head``) ends the
    command quietly, as it does for other shell tools.
    """
    try:
        status = _main(argv)
        sys.stdout.flush()
        return status
    except SystemExit as exc:  # --help, --version, a usage error: argparse has said why
        return exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    except BrokenPipeError:
        # Python would report the failed flush at exit: point stdout at /dev/null first.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a tool stopped by a closed pipe


def _main(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="govopen", description=DESCRIPTION, epilog=EXAMPLES,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"govopen {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("parse", help="parse one report and print its cells and issues",
                       description="Parse one report (PDF, Word, HTML or text) and print its "
                                   "cells and issues.")
    p.add_argument("file", help="the report file")
    p.add_argument("--json", action="store_true", help="print JSON (meta, cells, issues, sections)")
    _engine_option(p)
    p.add_argument("--xlsx", metavar="OUT", help="also write the tables as an Excel workbook "
                                                 "laid out like the printed report")
    _ocr_option(p)
    b = sub.add_parser("build", help="parse a folder of reports into dataset tables",
                       description="Parse every report under RAW into OUT (Parquet, CSV, "
                                   "Stata, codebook). Unchanged files are taken from OUT/.cache.")
    b.add_argument("raw", nargs="?", default="data/raw",
                   help="folder of report files (default: data/raw)")
    b.add_argument("-o", "--out", default="data/processed",
                   help="output folder (default: data/processed)")
    _run_options(b)
    _ocr_option(b)
    b.add_argument("--dask", metavar="ADDRESS",
                   help="parse on this Dask scheduler (e.g. tcp://host:8786) instead")
    m = sub.add_parser("manifest", help="write RAW/manifest.csv from the documents",
                       description="Add rows for new report files and fill empty cells from "
                                   "what the documents say; values already entered are kept.")
    m.add_argument("raw", nargs="?", default="data/raw",
                   help="folder of report files (default: data/raw)")
    _run_options(m)
    r = sub.add_parser("review", help="write an HTML page to check flagged cells and failures",
                       description="One card per flagged cell and identity failure of a built "
                                   "dataset, with the page crop or source lines; and "
                                   "OUT/corrections_template.csv to fill in.")
    r.add_argument("out")
    r.add_argument("--raw", default="data/raw", help="the folder the dataset was built from")
    r.add_argument("--data", default="data/processed", help="the built dataset")
    r.add_argument("--rule", default=None,
                   help="issue rules to show, comma-separated (default: the identities)")
    r.add_argument("--status", default="ambiguous,unreadable",
                   help="cell statuses to show, comma-separated")
    r.add_argument("--report", action="append", default=[],
                   help="only these report IDs (patterns like 'fujian/*'; repeatable)")
    r.add_argument("--limit", type=int, default=None, help="at most this many cards")
    args = parser.parse_args(argv)
    if getattr(args, "pdf_engine", None):
        # Build workers inherit the environment, so every process reads PDFs alike.
        os.environ[ENGINE_VARIABLE] = args.pdf_engine
    if args.command == "parse":
        return _parse(args.file, args.json, args.xlsx, not args.no_ocr)
    if args.command == "review":
        return _review(args)
    if args.command == "manifest":
        return _manifest(args)
    return _build(args)


def _engine_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--pdf-engine", choices=ENGINES, default=None,
                   help=f"how PDFs are read (default {DEFAULT_ENGINE}; pdfplumber is the slower "
                        "reference, and PDFium's fallback for files and pages it cannot read)")


def _ocr_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-ocr", action="store_true",
                   help="do not OCR scanned pages and images (they get a needs_ocr issue)")


def _run_options(p: argparse.ArgumentParser) -> None:
    _engine_option(p)
    p.add_argument("-j", "--jobs", type=int, default=None,
                   help="worker processes (default: all cores; 0: parse in this process)")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="S",
                   help=f"seconds allowed per file (default {DEFAULT_TIMEOUT:g}; 0: no limit)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def _build(args: argparse.Namespace) -> int:
    from govopen.corpus import build
    from govopen.corrections import CorrectionError
    try:
        summary = build(Path(args.raw), Path(args.out), jobs=args.jobs,
                        timeout=args.timeout or None, dask=args.dask,
                        progress=False if args.no_progress else None, ocr=not args.no_ocr)
    except (FileNotFoundError, RuntimeError, CorrectionError) as exc:
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


def _review(args: argparse.Namespace) -> int:
    from govopen.review import STATUSES, write_review
    from govopen.validate import IDENTITY_RULES

    def split(text: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(x.strip() for x in text.split(",") if x.strip()) if text else default

    if Path(args.out).exists() and not Path(args.out).is_dir():
        print(f"error: {args.out} is a file; give a folder for the review page",
              file=sys.stderr)
        return 2
    try:
        summary = write_review(args.out, args.raw, args.data,
                               rules=split(args.rule, IDENTITY_RULES),
                               statuses=split(args.status, STATUSES),
                               reports=tuple(args.report), limit=args.limit)
    except (FileNotFoundError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # OUT cannot be made or written
        print(f"error: cannot write the review page to {args.out} "
              f"({exc.strerror or exc})", file=sys.stderr)
        return 2
    print(f"{summary['page']}: {summary['cards']} cards ({summary['cells']} cells, "
          f"{summary['issues']} identity failures) from {summary['reports']} reports; "
          f"corrections template: {summary['template']}")
    for problem in summary["problems"]:
        print(f"  {problem}", file=sys.stderr)
    return 0


def _parse(file: str, as_json: bool, xlsx: str | None = None, ocr: bool = True) -> int:
    from govopen.report import read_report
    # Checked before parsing, which can take minutes (OCR): a bad --xlsx fails at once.
    problem = _unwritable(Path(xlsx)) if xlsx else None
    if problem:
        print(f"error: --xlsx {xlsx}: {problem}", file=sys.stderr)
        return 2
    try:
        report = read_report(file, ocr=ocr)
    except ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if xlsx:
        from govopen.workbook import write_workbook
        try:
            write_workbook(report, xlsx)
        except OSError as exc:
            print(f"error: --xlsx {xlsx}: cannot write it ({exc.strerror or exc})",
                  file=sys.stderr)
            return 2
        print(f"wrote {xlsx}", file=sys.stderr)
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
    import pandas as pd

    m = report.meta
    print(f"{m['agency'] or 'agency not found'} · {m['year'] or 'year not found'} · "
          f"{_format_label(m['format'])} · {len(report.cells)} cells · "
          f"{m['n_errors']} errors, {m['n_warnings']} warnings")
    print(f"input form: {_form(m['input_form'])}")
    with pd.option_context("display.max_rows", None, "display.width", 200):
        if report.cells.empty:
            print("no cells: no table of sections 二, 三, 四 was found (see the issues)")
        else:
            print(report.cells[["table", "row", "col", "value", "raw", "status"]]
                  .to_string(index=False))
        if not report.issues.empty:
            print()
            print(report.issues[["rule", "severity", "table", "row", "col", "message"]]
                  .to_string(index=False))
    return 0


def _format_label(fmt: str | None) -> str:
    """The template format for the header line (None: no table was found to tell it)."""
    if fmt is None:
        return "no tables found"
    return "mixed formats" if fmt == "mixed" else f"format {fmt}"


def _unwritable(path: Path) -> str | None:
    """Why a file cannot be written at ``path``, or None if it looks writable."""
    if path.is_dir():
        return "is a folder; give a file name such as report.xlsx"
    parent = path.parent
    if not parent.is_dir():
        return f"the folder {parent} does not exist"
    if not os.access(parent, os.W_OK):
        return f"the folder {parent} is not writable"
    return None


def _form(code: str) -> str:
    from govopen.readers.text import FORMS
    return f"{code} ({FORMS[code]})" if code in FORMS else code


def _records(frame: Any) -> list[dict]:
    return json.loads(frame.to_json(orient="records", force_ascii=False))
