"""A folder of reports → the research dataset (``govopen build RAW -o OUT``).

What a build writes to ``OUT``:

* ``reports``, ``cells``, ``issues``, ``sections``, ``failures`` as Parquet and CSV
  (UTF-8 with BOM), rows in ``report_id`` order;
* ``wide``: one row per report, its metadata and one column per template cell
  (``requests__new__total``), as Parquet, CSV and Stata ``.dta`` (118, labelled);
* ``codebook.md`` and ``codebook.csv``: every column of every table, labelled;
* ``build.json``: the record of the build, written last (see :mod:`govopen.export`).

How: files are parsed in worker processes (:mod:`govopen.runner`; ``jobs``,
``timeout``, or a Dask cluster), each result is kept in ``OUT/.cache``
(:mod:`govopen.cache`) so a file that has not changed is never parsed again, and the
tables are then streamed from the cache, batch by batch, into temporary files
that replace the previous outputs only once all are complete: the memory a build
needs does not grow with the number of reports (but for a few short strings per
report: its path, content hash and panel key). A build with nothing changed only
checks the inputs against ``build.json``. One bad file never stops a build: it is a
``failures`` row with the reason (``ReportError``, ``Timeout``, ``WorkerCrashed``,
or the type of an unexpected exception).

Per report, manifest values (agency, year, level, region …) override what is read
from the document (kept as ``agency_printed``); level and region are otherwise
inferred (:mod:`govopen.gazetteer`), and reports of one agency are linked across
years by ``agency_id`` for the cross-year checks of :mod:`govopen.panel`.

Example:
    >>> from govopen.corpus import build  # doctest: +SKIP
    >>> build("data/raw", "data/processed")  # doctest: +SKIP
    {'reports': 121, 'failures': 0, 'parsed': 121, 'cached': 0, 'up_to_date': False}
"""

from __future__ import annotations

import functools
import hashlib
import json
import pickle
import time
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd

from govopen import export
from govopen.cache import Cache, code_version, entry_key, input_hashes
from govopen.codebook import codebook, schema, to_markdown, wide_cell_columns, wide_schema
from govopen.manifest import REGION, report_files, warm_up
from govopen.manifest import read as read_manifest
from govopen.panel import (
    Grid,
    agency_id,
    check_report,
    copy_issue,
    duplicates,
    panel_grid,
    previous_reports,
)
from govopen.progress import bar
from govopen.report import read_report
from govopen.runner import Outcome, Task, run

TABLES = ("reports", "cells", "issues", "sections", "failures")
DEFAULT_TIMEOUT = 120.0
# Rows of cells, issues and sections gathered before they are written out.
BATCH_ROWS = 20_000
# Reports gathered (their reports and wide rows) before they are written out.
REPORT_ROWS = 1_000
# Changes whenever the layout of the outputs changes (part of the inputs digest).
OUTPUT_FORMAT = 1
CACHE_DIR = ".cache"


def build(raw: str | Path, out: str | Path, *, jobs: int | None = None,
          timeout: float | None = DEFAULT_TIMEOUT, dask: Any = None,
          progress: bool | None = None, ocr: bool = True) -> dict[str, Any]:
    """Parse every report under ``raw`` and write the dataset to ``out``.

    Args:
        jobs: worker processes (default: all cores; 0 parses in this process).
        timeout: seconds allowed per file (None: no limit).
        dask: a Dask scheduler address or ``distributed.Client``: parse there.
        progress: show a progress bar (default: when stderr is a terminal).
        ocr: read scanned pages and images by OCR (in the worker processes);
            False leaves them unread with a ``needs_ocr`` issue.

    Returns counts: ``reports``, ``failures``, ``parsed`` (files parsed this time),
    ``cached`` (files taken from the cache) and ``up_to_date`` (nothing to do).
    """
    raw, out = Path(raw), Path(out)
    if not raw.is_dir():
        raise FileNotFoundError(f"no such folder: {raw}")
    with export.locked(out):
        manifest = read_manifest(raw)
        files = report_files(raw)
        code = code_version() + ("" if ocr else "+no-ocr")  # cached apart
        hashes = input_hashes(raw, files, out / CACHE_DIR / "inputs.json")
        keys = {rel: entry_key(hashes[rel], rel, manifest.get(rel), code) for rel in files}
        inputs = hashlib.sha256(json.dumps([OUTPUT_FORMAT, sorted(keys.items())])
                                .encode()).hexdigest()
        record = export.read_record(out)
        if (record and record.get("inputs") == inputs and not record.get("retry")
                and not export.torn(out, record)):
            return {"reports": record["reports"], "failures": record["failures"], "parsed": 0,
                    "cached": len(files), "up_to_date": True}
        cache = Cache(out / CACHE_DIR)
        todo = [rel for rel in files if keys[rel] not in cache]
        transient: dict[str, dict[str, str]] = {}
        tasks = [Task(rel, (str(raw / rel), rel, manifest.get(rel, {}), ocr)) for rel in todo]
        with bar(len(tasks), "parse", progress) as tick:
            for outcome in run(parse_entry, tasks, jobs=jobs, timeout=timeout, dask=dask,
                               warmup=warm_up):
                if outcome.ok:
                    cache.put(keys[outcome.key], outcome.value)
                elif outcome.retry:  # may not happen again: not cached
                    transient[outcome.key] = _failure(outcome)
                else:
                    cache.put(keys[outcome.key], _pack({"failure": _failure(outcome)}))
                tick()
        stage, counts = _assemble(out, files, keys, cache, transient)
        stage.commit({"inputs": inputs, "code": code, **counts, "retry": sorted(transient),
                      "created": time.strftime("%Y-%m-%dT%H:%M:%S")})
        cache.prune(set(keys.values()))
        return {"reports": counts["reports"], "failures": counts["failures"],
                "parsed": len(todo), "cached": len(files) - len(todo), "up_to_date": False}


def _failure(outcome: Outcome) -> dict[str, str]:
    return {"file": outcome.key, "error": outcome.error or "", "message": outcome.message}


# --------------------------------------------------------------------------- one report


def parse_entry(path: str, rel: str, row: dict[str, str], ocr: bool = True) -> bytes:
    """Parse one file into its cache entry (runs in a worker process).

    An entry is two pickles: a small head (the ``reports`` row and the cells the
    cross-year checks read), which a build reads for every report before it
    writes anything, then the body (cells, issues, sections).
    """
    report = read_report(path, report_id=rel, **({} if ocr else {"ocr": False}))
    text = report.document.text if report.document is not None else ""
    head = {"meta": finalize_meta(report.meta, rel, row, text),
            "panel": panel_grid(report.cells),
            "readable": int(report.cells["value"].notna().sum())}
    body = {"cells": report.cells, "issues": report.issues, "sections": report.sections}
    return _pack(head, body)


def _pack(head: dict[str, Any], body: dict[str, Any] | None = None) -> bytes:
    data = pickle.dumps(head, protocol=pickle.HIGHEST_PROTOCOL)
    return data + pickle.dumps(body, protocol=pickle.HIGHEST_PROTOCOL) if body else data


def _unpack(cache: Cache, key: str, body: bool) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """An entry's head, and its body if asked (None for a failure)."""
    try:
        handle = cache.path(key).open("rb")
    except FileNotFoundError:
        return {"failure": None}, None
    with handle:
        head = pickle.load(handle)
        return head, pickle.load(handle) if body and "failure" not in head else None


def finalize_meta(meta: dict[str, Any], rel: str, row: dict[str, str],
                  text: str = "") -> dict[str, Any]:
    """A report's ``reports`` row: its metadata, the manifest's values, its region."""
    meta = dict(meta, source_file=rel, agency_printed=meta.get("agency"))
    for key, value in row.items():
        if key != "file" and value:
            meta[key] = int(value) if key == "year" and value.isdigit() else value
    meta.update(region_of(meta.get("agency"), text, rel, row))
    meta["agency_id"] = row.get("agency_id") or agency_id(meta.get("agency"))
    return meta


def region_of(agency: str | None, text: str, rel: str, row: dict[str, str]) -> dict[str, Any]:
    """Level and region inferred from the documents, overridden by the manifest."""
    from govopen.gazetteer import describe, gazetteer, infer_region

    rel_path = PurePosixPath(rel)
    region = infer_region(agency, text, (*rel_path.parent.parts, rel_path.stem))
    given = {k: row[k] for k in REGION if row.get(k)}
    if given:
        gaz = gazetteer()
        place = gaz.resolve(**given)
        inferred = gaz.places.get(region["adcode"]) if region["adcode"] else None
        if place is not None and inferred is not None and inferred.within(place):
            place = inferred  # the documents say more than the manifest, consistently
        region.update(describe(place, gaz))
        region.update(given)
        region["region_source"] = "manifest"
    level = row.get("level")
    if level and level != region["level"]:
        if level != "department":
            region["region_level"] = level
        elif region["level"] is not None:  # a government's own level, as read
            region["region_level"] = region["level"]
        region["level"] = level
    if "township" not in (region["level"], region["region_level"]):
        region["township"] = None
    return region


# --------------------------------------------------------------------------- tables


def _assemble(out: Path, files: list[str], keys: dict[str, str], cache: Cache,
              transient: dict[str, dict[str, str]]) -> tuple[export.Staging, dict[str, int]]:
    """Stream the cached entries, in report_id order, into staged output files.

    Two passes over the cache keep memory flat however large the corpus: the
    first reads only each entry's head, for the columns of ``reports`` and the
    links between years (a few short strings per report); the second writes every
    table batch by batch, reading again the head of a previous year's report when
    a cross-year check needs its cells. The Stata file is written last, from the
    staged wide Parquet file (:func:`govopen.export.write_stata`).
    """
    stage = export.Staging(out)
    try:
        index = _index(files, keys, cache, transient)
        report_columns = schema("reports", [*index.columns, "prev_report_id", "duplicate_of"])
        wide_columns = wide_schema([c.name for c in report_columns])
        writers = {t: export.TableWriter(stage, t, schema(t))
                   for t in ("cells", "sections", "issues", "failures")}
        writers["reports"] = export.TableWriter(stage, "reports", report_columns)
        writers["wide"] = export.TableWriter(stage, "wide", wide_columns)
        batch = _Batch(writers, wide_cell_columns())
        frame = index.frame
        copies = duplicates(frame)
        previous = previous_reports(frame, set(copies))
        fmt = dict(zip(frame["report_id"], frame["format_proactive"], strict=True))
        del frame

        @functools.lru_cache(maxsize=256)
        def grid(rid: str) -> Grid:
            return _unpack(cache, keys[index.file[rid]], body=False)[0].get("panel", {})

        def values(rid: str) -> np.ndarray:
            body = _unpack(cache, keys[index.file[rid]], body=True)[1]
            if body is None:  # vanished from the cache since the first pass
                return np.full(len(batch.wide_index), np.nan)
            return batch.values(body["cells"])

        for rel in files:
            head, body = (({"failure": transient[rel]}, None) if rel in transient
                          else _unpack(cache, keys[rel], body=True))
            if "failure" in head:
                batch.failures.append(head["failure"] or {
                    "file": rel, "error": "CacheMissing",
                    "message": "the parsed report vanished from the cache; build again"})
                continue
            meta = head["meta"]
            rid = meta["report_id"]
            prevs = previous.get(rid, [])
            meta["prev_report_id"] = prevs[0] if prevs else None
            meta["duplicate_of"] = kept = copies.get(rid)
            cross_year = check_report(rid, fmt.get(rid), head["panel"],
                                      [(pid, fmt.get(pid), grid(pid)) for pid in prevs])
            wide = batch.values(body["cells"])
            if kept is not None:
                cross_year.append(copy_issue(rid, kept, batch.wide_names, wide, values(kept)))
            batch.add(meta, body, wide, pd.DataFrame(cross_year))
        batch.flush()
        for writer in writers.values():
            writer.close()

        export.write_stata(stage, "wide", wide_columns)
        book = codebook({"reports": report_columns,
                         **{t: schema(t) for t in ("cells", "issues", "sections", "failures")},
                         "wide": wide_columns})
        book.to_csv(stage.path("codebook.csv"), index=False, encoding="utf-8-sig",
                    lineterminator="\n")
        export.write_text(stage, "codebook.md", to_markdown(book))
    except BaseException:
        stage.abort()
        raise
    return stage, {"reports": writers["reports"].rows, "failures": writers["failures"].rows}


class _Index:
    """What the first pass keeps of each report: ``frame`` (report_id, agency_id,
    year, format_proactive, readable, n_errors), the file of each report, and every
    metadata column seen."""

    def __init__(self) -> None:
        self.rows: list[tuple[Any, ...]] = []
        self.file: dict[str, str] = {}
        self.columns: dict[str, None] = {}

    @property
    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=["report_id", "agency_id", "year",
                                                "format_proactive", "readable", "n_errors"])


def _index(files: list[str], keys: dict[str, str], cache: Cache,
           transient: dict[str, dict[str, str]]) -> _Index:
    index = _Index()
    for rel in files:
        if rel in transient:
            continue
        head = _unpack(cache, keys[rel], body=False)[0]
        if "failure" in head:
            continue
        meta = head["meta"]
        index.rows.append((meta["report_id"], meta.get("agency_id"), meta.get("year"),
                           meta.get("format_proactive"), head.get("readable"),
                           meta.get("n_errors")))
        index.file[meta["report_id"]] = rel
        index.columns.update(dict.fromkeys(meta))
    return index


class _Batch:
    """Rows of every table gathered until there are enough to write out.

    Each write is a Parquet row group, and a Parquet file keeps the description
    of every row group until it is closed: rows are gathered in large groups
    (``BATCH_ROWS`` cells, ``REPORT_ROWS`` reports) so that this stays small.
    """

    def __init__(self, writers: dict[str, export.TableWriter], wide_names: list[str]) -> None:
        self.writers = writers
        self.wide_names = wide_names
        self.wide_index = {tuple(name.split("__")): i for i, name in enumerate(wide_names)}
        self.meta: list[dict[str, Any]] = []
        self.wide: list[np.ndarray] = []
        self.failures: list[dict[str, str]] = []
        self.frames: dict[str, list[pd.DataFrame]] = {t: [] for t in ("cells", "sections",
                                                                      "issues")}
        self.rows = 0

    def values(self, cells: pd.DataFrame) -> np.ndarray:
        """A report's ``wide`` values: one per template cell, NaN where not read."""
        return _wide_values(cells, self.wide_index)

    def add(self, meta: dict[str, Any], body: dict[str, Any], wide: np.ndarray,
            cross_year: pd.DataFrame) -> None:
        self.meta.append(meta)
        self.wide.append(wide)
        for t in ("cells", "sections", "issues"):
            self.frames[t].append(body[t])
        self.frames["issues"].append(cross_year)  # a report's cross-year issues follow its own
        self.rows += len(body["cells"]) + 1
        if self.rows >= BATCH_ROWS:
            self.flush_rows()
        if len(self.meta) >= REPORT_ROWS:
            self.flush_reports()

    def flush_rows(self) -> None:
        for t, frames in self.frames.items():
            frames = [f for f in frames if not f.empty]
            if frames:
                self.writers[t].write(pd.concat(frames, ignore_index=True))
            self.frames[t] = []
        self.rows = 0

    def flush_reports(self) -> None:
        if self.meta:
            reports = self.writers["reports"].write(pd.DataFrame(self.meta))
            values = pd.DataFrame(np.vstack(self.wide), columns=self.wide_names)
            self.writers["wide"].write(pd.concat([reports, values], axis=1))
        if self.failures:
            self.writers["failures"].write(pd.DataFrame(self.failures,
                                                        columns=["file", "error", "message"]))
        self.meta, self.wide, self.failures = [], [], []

    def flush(self) -> None:
        self.flush_rows()
        self.flush_reports()


def _wide_values(cells: pd.DataFrame, index: dict[tuple[str, str, str], int]) -> np.ndarray:
    row = np.full(len(index), np.nan)
    keys = zip(cells["table"].tolist(), cells["row"].tolist(), cells["col"].tolist(),
               strict=True)
    for key, value in zip(reversed(list(keys)), reversed(cells["value"].tolist()),
                          strict=True):  # the first of duplicates wins
        i = index.get(key)
        if i is not None:
            row[i] = value
    return row


# --------------------------------------------------------------------------- reading


def load(out: str | Path = "data/processed") -> dict[str, pd.DataFrame]:
    """The dataset tables written by :func:`build`, as DataFrames (``wide`` included).

    Raises ``RuntimeError`` if the files do not match the build record, i.e. a
    build was interrupted between two renames: run the build again.

    Example:
        >>> tables = load("data/processed")  # doctest: +SKIP
        >>> tables["cells"].query("table == 'requests' and row == 'new' and col == 'total'")  # doctest: +SKIP
    """
    out = Path(out)
    names = [n for n in (*TABLES, "wide") if (out / f"{n}.parquet").exists()]
    record = export.read_record(out)
    if record is not None:
        bad = export.torn(out, record, [f"{n}.parquet" for n in names])
        if bad:
            raise RuntimeError(f"{out}: {', '.join(bad)} do not match build.json (a build was "
                               "interrupted); run `govopen build` again to complete it")
    return {name: pd.read_parquet(out / f"{name}.parquet") for name in names}
