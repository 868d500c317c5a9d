"""``manifest.csv``: what a person knows about each report file, which a build trusts first.

One row per report file (``file`` is its path under the raw folder). Columns:
``agency``, ``year``, ``level``, ``province``, ``prefecture``, ``county``, ``url``,
``retrieved``, ``notes`` and ``agency_id`` (set it to link the reports of a renamed
agency across years). A non-empty value overrides what is read from the
document; an empty one leaves the document's reading (and the gazetteer's
inference) in place. Other columns a person adds are carried into ``reports``.

:func:`update` writes the file from the documents: rows of new files are filled
in from what the reports say; existing rows keep every value a person entered,
and only their empty cells are filled — never from folder names alone, which are
hints, and never ``agency_id``, which is only for people to set.

Example:
    >>> merge_row({"file": "a.txt", "agency": "某局", "year": ""},
    ...           {"agency": "某某局", "year": "2020", "level": "department"})
    {'file': 'a.txt', 'agency': '某局', 'year': '2020', 'level': 'department'}
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

from govopen.readers import reader_for

NAME = "manifest.csv"
COLUMNS = ["file", "agency", "year", "level", "province", "prefecture", "county", "url",
           "retrieved", "notes", "agency_id"]
# Columns `update` fills from the documents (where empty).
INFERRED = ("agency", "year", "level", "province", "prefecture", "county", "url")
REGION = ("province", "prefecture", "county")
_NOT_REPORTS = {NAME, "INDEX.tsv", "links.tsv"}


def report_files(raw: str | Path) -> list[str]:
    """Every report file under ``raw`` (by extension), as sorted relative paths."""
    raw = Path(raw)
    return sorted(p.relative_to(raw).as_posix() for p in raw.rglob("*")
                  if p.is_file() and reader_for(p) is not None and p.name not in _NOT_REPORTS
                  and not p.name.startswith(".") and not p.name.upper().startswith("README"))


def read(raw: str | Path) -> dict[str, dict[str, str]]:
    """Rows keyed by file (empty when there is no manifest)."""
    path = Path(raw) / NAME
    if not path.exists():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        return {row["file"]: {k: (v or "").strip() for k, v in row.items() if k}
                for row in csv.DictReader(f)}


def columns_of(raw: str | Path) -> list[str]:
    """The manifest's columns: its own order, then any standard ones it lacks."""
    path = Path(raw) / NAME
    header: list[str] = []
    if path.exists():
        with path.open(encoding="utf-8-sig", newline="") as f:
            header = next(csv.reader(f), [])
    return header + [c for c in COLUMNS if c not in header]


def warm_up() -> None:
    """Load the gazetteer, with its pinyin index, once per worker process."""
    from govopen.gazetteer import gazetteer

    gazetteer().from_pinyin("henan")


def infer_row(path: str, rel: str) -> dict[str, str]:
    """What the document says for its manifest row (run in a worker)."""
    from govopen.gazetteer import infer_region
    from govopen.report import read_report

    report = read_report(path, report_id=rel)
    meta = report.meta
    parts = (*Path(rel).parent.parts, Path(rel).stem)
    text = report.document.text if report.document is not None else ""
    region = infer_region(meta.get("agency"), text, parts)
    row = {"agency": meta.get("agency"), "year": meta.get("year"), "level": region["level"],
           "url": meta.get("url")}
    if region["region_source"] != "folder":
        row.update({k: region[k] for k in REGION})
    return {k: "" if v is None else str(v) for k, v in row.items()}


def merge_row(existing: dict[str, str], inferred: dict[str, str]) -> dict[str, str]:
    """``existing`` with its empty cells filled from ``inferred`` (never overwritten)."""
    out = dict(existing)
    for key, value in inferred.items():
        if key in INFERRED and not (out.get(key) or "").strip() and value:
            out[key] = value
    return out


def update(raw: str | Path, *, jobs: int | None = None, timeout: float | None = 120,
           dask: Any = None, progress: bool | None = None) -> dict[str, Any]:
    """Write ``RAW/manifest.csv`` from the documents, keeping what people entered.

    Returns counts: ``added`` (new files), ``filled`` (empty cells filled),
    ``dropped`` (rows of files no longer present, listed in ``dropped_files``) and
    ``failures`` (files that could not be read: their rows keep what they had).
    """
    from govopen.progress import bar
    from govopen.runner import Task, run

    raw = Path(raw)
    rows = read(raw)
    files = report_files(raw)
    columns = columns_of(raw)
    todo = [rel for rel in files
            if rel not in rows or any(not rows[rel].get(k) for k in INFERRED)]
    inferred: dict[str, dict[str, str]] = {}
    failures = []
    tasks = [Task(rel, (str(raw / rel), rel)) for rel in todo]
    with bar(len(tasks), "manifest", progress) as tick:
        for outcome in run(infer_row, tasks, jobs=jobs, timeout=timeout, dask=dask,
                           warmup=warm_up):
            if outcome.ok:
                inferred[outcome.key] = outcome.value
            else:
                failures.append({"file": outcome.key, "error": outcome.error,
                                 "message": outcome.message})
            tick()
    out, filled = [], 0
    for rel in files:
        old = rows.get(rel, {"file": rel})
        new = merge_row(old, inferred.get(rel, {}))
        filled += sum(1 for k in INFERRED if not old.get(k) and new.get(k)) if rel in rows else 0
        out.append({c: new.get(c, "") or "" for c in columns} | {"file": rel})
    dropped = sorted(set(rows) - set(files))
    write(raw, out, columns)
    return {"rows": len(out), "added": len(set(files) - set(rows)), "filled": filled,
            "dropped": len(dropped), "dropped_files": dropped, "failures": failures}


def write(raw: str | Path, rows: list[dict[str, str]], columns: list[str]) -> None:
    """Write the manifest atomically (UTF-8, no BOM, ``\\n`` line ends)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path = Path(raw) / NAME
    tmp = path.with_name(f".tmp-{os.getpid()}-{NAME}")
    tmp.write_text(buf.getvalue(), encoding="utf-8")
    os.replace(tmp, path)
