"""A folder of reports → the dataset tables (reports, cells, issues, sections, failures).

One bad file never stops a build: it becomes a ``failures`` row with the reason.
Outputs are written to a temporary name and renamed into place, so an interrupted
build never leaves a half-written table.

Example:
    >>> from govopen.corpus import build  # doctest: +SKIP
    >>> build("data/raw", "data/processed")  # doctest: +SKIP
    {'reports': 121, 'failures': 0}
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pandas as pd

from govopen.errors import ReportError
from govopen.readers import reader_for
from govopen.report import read_report

TABLES = ("reports", "cells", "issues", "sections", "failures")
_MANIFEST_FIELDS = ("agency", "year", "level", "province", "prefecture", "county", "url",
                    "retrieved", "notes")


def report_files(raw: Path) -> list[Path]:
    """Every file under ``raw`` that is a report (by extension), sorted."""
    return sorted(p for p in Path(raw).rglob("*")
                  if p.is_file() and reader_for(p) is not None and p.name != "manifest.csv")


def read_manifest(raw: Path) -> dict[str, dict[str, str]]:
    """``manifest.csv`` rows keyed by file path relative to ``raw`` (empty if absent)."""
    path = Path(raw) / "manifest.csv"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        return {row["file"]: row for row in csv.DictReader(f)}


def build(raw: str | Path, out: str | Path) -> dict[str, int]:
    """Parse every report under ``raw`` and write the tables to ``out``.

    Manifest values (agency, year, level, region …) override what is read from
    the documents; the document's own reading is kept as ``agency_printed``.
    """
    raw, out = Path(raw), Path(out)
    manifest = read_manifest(raw)
    frames: dict[str, list[pd.DataFrame]] = {t: [] for t in TABLES}
    metas, failures = [], []
    for path in report_files(raw):
        rel = path.relative_to(raw).as_posix()
        try:
            report = read_report(path, report_id=rel)
        except ReportError as exc:
            failures.append({"file": rel, "error": type(exc).__name__, "message": exc.problem})
            continue
        except Exception as exc:  # a parser bug must not stop the batch either
            failures.append({"file": rel, "error": type(exc).__name__, "message": str(exc)})
            continue
        meta = dict(report.meta, source_file=rel, agency_printed=report.meta.get("agency"))
        for key, value in manifest.get(rel, {}).items():
            if key in _MANIFEST_FIELDS and value:
                meta[key] = int(value) if key == "year" else value
        metas.append(meta)
        frames["cells"].append(report.cells)
        frames["issues"].append(report.issues)
        frames["sections"].append(report.sections)
    tables = {
        "reports": pd.DataFrame(metas),
        "cells": _concat(frames["cells"]),
        "issues": _concat(frames["issues"]),
        "sections": _concat(frames["sections"]),
        "failures": pd.DataFrame(failures, columns=["file", "error", "message"]),
    }
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        _write_atomic(frame, out / f"{name}.parquet", out / f"{name}.csv")
    return {"reports": len(metas), "failures": len(failures)}


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _write_atomic(frame: pd.DataFrame, parquet: Path, csv_path: Path) -> None:
    for target, write in ((parquet, lambda p: frame.to_parquet(p, index=False)),
                          (csv_path, lambda p: frame.to_csv(p, index=False, encoding="utf-8-sig"))):
        tmp = target.with_name(f".{target.name}.tmp")
        write(tmp)
        os.replace(tmp, target)


def load(out: str | Path = "data/processed") -> dict[str, pd.DataFrame]:
    """The dataset tables written by :func:`build`, as DataFrames.

    Example:
        >>> tables = load("data/processed")  # doctest: +SKIP
        >>> tables["cells"].query("table == 'requests' and row == 'new' and col == 'total'")  # doctest: +SKIP
    """
    out = Path(out)
    return {name: pd.read_parquet(out / f"{name}.parquet") for name in TABLES
            if (out / f"{name}.parquet").exists()}
