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
import os
import re
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any, cast

import numpy as np
import pandas as pd
import pyarrow as pa

from govopen import export
from govopen.cache import BODY, Cache, code_version, entry_key, input_hashes, pack
from govopen.codebook import (
    codebook,
    conform,
    schema,
    to_markdown,
    wide_cell_columns,
    wide_formats,
    wide_schema,
)
from govopen.corrections import Corrections
from govopen.errors import ReportError
from govopen.limits import DEFAULT_TIMEOUT
from govopen.manifest import REGION, display_name, preload, refusal, report_files, warm_up
from govopen.manifest import read as read_manifest
from govopen.manifest import refused as refused_rows
from govopen.missing import expected_cells, mark_conflicts, status_column, wide_status
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
from govopen.runner import Outcome, Task, prestart, run

TABLES = ("reports", "cells", "issues", "sections", "failures")
# Rows of cells, issues and sections gathered before they are written out.
BATCH_ROWS = 20_000
# Reports gathered (their reports and wide rows) before they are written out.
REPORT_ROWS = 1_000
# Reports whose rows are checked against the tables' columns together: one
# conversion per group instead of one per report (the build's serial part).
CHECK_GROUP = 64
# Changes whenever the layout of the outputs changes (part of the inputs digest).
OUTPUT_FORMAT = 2
CACHE_DIR = ".cache"
# The columns a cache entry's body tables must have (its workers conform them).
_BODY_SCHEMAS = {t: export.arrow_schema(schema(t)) for t in BODY}


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
    try:
        with export.locked(out):
            return _build(raw, out, jobs=jobs, timeout=timeout, dask=dask, progress=progress,
                          ocr=ocr)
    except export.ReadOnly as exc:  # nothing to write may still be up to date
        inputs, got = _inputs(raw, out, write=False, ocr=ocr)
        record = export.read_record(out)
        if (record and record.get("inputs") == inputs and not record.get("retry")
                and not export.torn(out, record)):
            return _up_to_date({**record, "files": len(got["files"])})
        raise BuildError(str(exc)) from None
    except OSError as exc:
        raise BuildError(export.explain(exc, out)) from None


class BuildError(RuntimeError):
    """A build could not write its outputs (the previous build is left as it was)."""


def _inputs(raw: Path, out: Path, write: bool = True, ocr: bool = True,
            changed: Callable[[], Any] | None = None) -> tuple[str, dict[str, Any]]:
    """The digest of everything the outputs depend on, and what went into it.

    ``changed`` is called once if an input file is new or changed (before it is hashed).
    """
    manifest = read_manifest(raw)
    paths = {display_name(rel): raw / rel for rel in report_files(raw, exclude=out)}
    files = sorted(paths)
    hashes = input_hashes(raw, files, out / CACHE_DIR / "inputs.json", paths=paths,
                          write=write, changed=changed)
    code = code_version() + ("" if ocr else "+no-ocr")  # cached apart
    keys = {rel: entry_key(hashes[rel], rel, manifest.get(rel), code) for rel in files}
    refused = refused_rows(raw)
    fixes = Corrections.read(raw, files)
    inputs = hashlib.sha256(json.dumps([OUTPUT_FORMAT, sorted(keys.items()), refused,
                                        fixes.digest]).encode()).hexdigest()
    return inputs, {"manifest": manifest, "paths": paths, "files": files, "code": code,
                    "keys": keys, "refused": refused, "fixes": fixes}


def _up_to_date(record: dict[str, Any]) -> dict[str, Any]:
    return {"reports": record["reports"], "failures": record["failures"], "parsed": 0,
            "cached": record.get("files", 0), "up_to_date": True}


def _build(raw: Path, out: Path, *, jobs: int | None, timeout: float | None, dask: Any,
           progress: bool | None, ocr: bool = True) -> dict[str, Any]:
    # A new or changed file is (most likely) parsed: the workers' fork server then
    # starts, and warms up, while the inputs are hashed.
    start = (None if jobs == 0 or dask is not None
             else functools.partial(prestart, parse_entry, preload()))
    inputs, got = _inputs(raw, out, ocr=ocr, changed=start)
    files, keys, manifest = got["files"], got["keys"], got["manifest"]
    record = export.read_record(out)
    if (record and record.get("inputs") == inputs and not record.get("retry")
            and not export.torn(out, record)):
        return _up_to_date({**record, "files": len(files)})
    cache = Cache(out / CACHE_DIR)
    todo = [rel for rel in files if not cache.valid(keys[rel])]
    transient: dict[str, dict[str, str]] = {}
    tasks = [Task(rel, (str(got["paths"][rel]), rel, manifest.get(rel, {}), str(raw), timeout,
                  ocr))
             for rel in todo]
    with bar(len(tasks), "parse", progress) as tick:
        for outcome in run(parse_entry, tasks, jobs=jobs, timeout=timeout, dask=dask,
                           warmup=warm_up, preload=preload()):
            if outcome.ok:
                cache.put(keys[outcome.key], outcome.value)
            elif outcome.retry:  # may not happen again: not cached
                transient[outcome.key] = _failure(outcome)
            else:
                cache.put(keys[outcome.key], _pack({"failure": _failure(outcome)}))
            tick()
    failures = [{"file": f, "error": "Refused",
                 "message": "the manifest names a file outside the raw folder; row ignored"}
                for f in got["refused"]]
    stage, counts = _assemble(out, files, keys, cache, transient, failures, got["fixes"])
    stage.commit({"inputs": inputs, "code": got["code"], **counts, "retry": sorted(transient),
                  "created": time.strftime("%Y-%m-%dT%H:%M:%S")})
    cache.prune(set(keys.values()))
    return {"reports": counts["reports"], "failures": counts["failures"],
            "parsed": len(todo), "cached": len(files) - len(todo), "up_to_date": False}


def _failure(outcome: Outcome) -> dict[str, str]:
    return {"file": outcome.key, "error": outcome.error or "", "message": outcome.message}


# --------------------------------------------------------------------------- one report


def parse_entry(path: str, rel: str, row: dict[str, str], raw: str | None = None,
                timeout: float | None = DEFAULT_TIMEOUT, ocr: bool = True) -> bytes:
    """Parse one file into its cache entry (runs in a worker process).

    An entry (:func:`govopen.cache.pack`) is a small JSON head (the ``reports``
    row and the cells the cross-year checks read), which a build reads for every
    report before it writes anything, then the body (cells, issues, sections).
    """
    if raw is not None:
        reason = refusal(raw, os.path.relpath(path, raw))
        if reason:
            raise ReportError(rel, reason)
    report = read_report(path, report_id=rel, timeout=timeout, ocr=ocr)
    text = report.document.text if report.document is not None else ""
    meta = finalize_meta(report.meta, rel, row, text)
    if row.get("year") and manifest_year(row["year"]) is None:
        _add_issues(report, [{"rule": "manifest_value_ignored", "table": "", "row": "",
                              "col": "", "expected": None, "observed": None,
                              "severity": "warning",
                              "message": f"manifest year {row['year'][:20]!r} is not a year; "
                                         "the year read from the document is kept"}])
    report.meta = meta
    _storable(report)
    head = {"meta": report.meta,
            "panel": [[*k, *v] for k, v in panel_grid(report.cells).items()],
            "readable": int(report.cells["value"].notna().sum())}
    return _pack(head, {t: export.arrow_table(getattr(report, t), t, schema(t)) for t in BODY})


def _storable(report: Any) -> None:
    """Values no output format can hold: missing, with issues rows (see export.storable)."""
    _add_issues(report, export.storable(report.meta, {
        "cells": report.cells, "issues": report.issues, "sections": report.sections}))


def _add_issues(report: Any, found: list[dict[str, Any]]) -> None:
    if found:
        rows = pd.DataFrame(found).assign(report_id=report.meta["report_id"])
        report.issues = pd.concat([report.issues, rows[report.issues.columns]],
                                  ignore_index=True)
        for key, severity in (("n_errors", "error"), ("n_warnings", "warning")):
            report.meta[key] = int((report.issues["severity"] == severity).sum())


def _pack(head: dict[str, Any], body: dict[str, Any] | None = None) -> bytes:
    return pack(head, body)


def _unpack(cache: Cache, key: str, body: bool) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """An entry's head, and its body if asked (None for a failure): the Arrow tables
    of :data:`govopen.cache.BODY` in their tables' columns. An entry that vanished
    or does not load reads as ``{"failure": None}``."""
    head, data = cache.load(key, body, _BODY_SCHEMAS)
    if head is None or (body and data is None and "failure" not in head):
        return {"failure": None}, None
    try:
        if "failure" not in head:
            meta = head["meta"]
            if not (isinstance(meta, dict) and isinstance(meta["report_id"], str)):
                raise TypeError("no report_id")
            head["panel"] = {(t, r, c): (v, s) for t, r, c, v, s in head["panel"]}
        elif head["failure"] is not None and not isinstance(head["failure"], dict):
            raise TypeError("not a failure")
    except (KeyError, TypeError, ValueError):  # a well-formed file, but not our entry
        cache.path(key).unlink(missing_ok=True)
        return {"failure": None}, None
    return head, data


def _frames(body: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """An entry's body tables as DataFrames (for the code that edits them)."""
    return {t: conform(body[t].to_pandas(types_mapper=export.NULLABLE.get), t, schema(t))
            for t in BODY}


def finalize_meta(meta: dict[str, Any], rel: str, row: dict[str, str],
                  text: str = "") -> dict[str, Any]:
    """A report's ``reports`` row: its metadata, the manifest's values, its region."""
    meta = dict(meta, source_file=rel, agency_printed=meta.get("agency"))
    for key, value in row.items():
        if key == "year" and value:
            year = manifest_year(value)
            if year is not None:  # else the document's own year stays
                meta[key] = year
        elif key != "file" and value:
            meta[key] = value
    meta.update(region_of(meta.get("agency"), text, rel, row))
    meta["agency_id"] = row.get("agency_id") or agency_id(meta.get("agency"))
    return meta


def manifest_year(value: str) -> int | None:
    """A manifest's year as a number: ``2020``, ``２０２０``, ``²⁰²⁰``, ``2020年`` (else None).

    Example:
        >>> manifest_year("²⁰²⁰"), manifest_year("2020年"), manifest_year("去年")
        (2020, 2020, None)
    """
    text = unicodedata.normalize("NFKC", value).strip().removesuffix("年").strip()
    return int(text) if re.fullmatch(r"[12]\d{3}", text, re.ASCII) else None


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
              transient: dict[str, dict[str, str]], failures: list[dict[str, str]] | None = None,
              fixes: Corrections | None = None
              ) -> tuple[export.Staging, dict[str, int]]:
    """Stream the cached entries, in report_id order, into staged output files.

    Two passes over the cache keep memory flat however large the corpus: the
    first reads only each entry's head, for the columns of ``reports`` and the
    links between years (a few short strings per report); the second writes every
    table batch by batch, reading again the head of a previous year's report when
    a cross-year check needs its cells. The Stata file is written last, from the
    staged wide Parquet file (:func:`govopen.export.write_stata`). Hand corrections
    (:mod:`govopen.corrections`) are applied to each report as it is read.

    Each report's own step is guarded: whatever goes wrong with one becomes its
    ``failures`` row (retried by the next build), never the end of the build.
    """
    fixes = fixes or Corrections(Path(), [], "")
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
        batch.failures += failures or []
        frame = index.frame
        copies = duplicates(frame)
        sha = dict(zip(frame["report_id"], frame["sha256"], strict=True))
        same_file = {rid for rid, kept in copies.items() if sha[rid] and sha[rid] == sha[kept]}
        del sha
        copies_of: dict[str, list[str]] = {}
        for copy, kept_rid in copies.items():
            copies_of.setdefault(kept_rid, []).append(copy)
        previous = previous_reports(frame, set(copies))
        fmt = dict(zip(frame["report_id"], frame["format_proactive"], strict=True))
        del frame

        def unpack(rel: str, body: bool) -> tuple[dict[str, Any], dict[str, Any] | None]:
            head, data = _unpack(cache, keys[rel], body=body or bool(fixes.of(rel)))
            if data is not None and fixes.of(rel):
                frames = _frames(data)
                changed = fixes.apply(rel, head["meta"].get("sha256"), frames, head["meta"])
                if changed:
                    head["panel"] = panel_grid(frames["cells"])
                data = {t: export.arrow_table(frames[t], t, schema(t)) for t in BODY}
            return head, data

        @functools.lru_cache(maxsize=256)
        def grid(rid: str) -> Grid:
            return unpack(index.file[rid], body=False)[0].get("panel", {})

        def fail(rel: str, exc: Exception) -> None:
            transient[rel] = {"file": rel, "error": type(exc).__name__,
                              "message": f"while writing the tables: {str(exc)[:500]}"}
            batch.failures.append(transient[rel])

        def values(rid: str) -> np.ndarray:
            body = unpack(index.file[rid], body=True)[1]
            if body is None:  # vanished from the cache since the first pass
                return np.full(len(batch.wide_index), np.nan)
            return batch.values(body["cells"])

        for rel in files:
            # (the cast: a failure head is read like any head, as dict[str, Any])
            head, body = ((cast(dict[str, Any], {"failure": transient[rel]}), None)
                          if rel in transient else unpack(rel, body=True))
            if "failure" in head:
                if head["failure"] is None:  # parsed again by the next build
                    head["failure"] = transient[rel] = {
                        "file": rel, "error": "CacheMissing",
                        "message": "the parsed report vanished from the cache or does not "
                                   "load; build again"}
                batch.failures.append(head["failure"])
                continue
            assert body is not None  # unpack(body=True) without a failure has one
            try:
                meta = head["meta"]
                rid = meta["report_id"]
                prevs = previous.get(rid, [])
                meta["prev_report_id"] = prevs[0] if prevs else None
                meta["duplicate_of"] = kept = copies.get(rid)
                cross_year = check_report(rid, fmt.get(rid), head["panel"],
                                          [(pid, fmt.get(pid), grid(pid)) for pid in prevs])
                wide = batch.values(body["cells"])
                status = batch.status(body["cells"], meta)
                if kept is not None:
                    other = values(kept)
                    cross_year.append(copy_issue(
                        rid, kept, batch.wide_names, wide, other,
                        same="same file content" if rid in same_file else "same agency and year"))
                    mark_conflicts(wide, status, other)
                for copy in copies_of.get(rid, []):  # which copy is right is unknown
                    mark_conflicts(wide, status, values(copy))
                cross = pd.DataFrame([i.as_row(rid) for i in cross_year])
            except Exception as exc:  # one report's fault is its failures row
                fail(rel, exc)
                continue
            for bad, reason in batch.offer(rel, meta, body, wide, cross, status):
                fail(bad, reason)
        for bad, reason in batch.settle():
            fail(bad, reason)
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
    year, format_proactive, readable, n_errors, sha256), the file of each report, and every
    metadata column seen."""

    def __init__(self) -> None:
        self.rows: list[tuple[Any, ...]] = []
        self.file: dict[str, str] = {}
        self.columns: dict[str, None] = {}

    @property
    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=["report_id", "agency_id", "year",
                                                "format_proactive", "readable", "n_errors",
                                                "sha256"])


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
                           meta.get("n_errors"), meta.get("sha256")))
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
        self.wide_formats = wide_formats()
        self.status_names = [status_column(n) for n in wide_names]
        self.meta: list[dict[str, Any]] = []
        self.wide: list[np.ndarray] = []
        self.wide_status: list[np.ndarray] = []
        self.failures: list[dict[str, str]] = []
        self.frames: dict[str, list[pa.Table]] = {t: [] for t in ("cells", "sections",
                                                                  "issues")}
        self.rows = 0
        self.pending: list[tuple[str, dict[str, Any], dict[str, Any], np.ndarray,
                                 pd.DataFrame, np.ndarray]] = []

    def values(self, cells: pa.Table) -> np.ndarray:
        """A report's ``wide`` values: one per template cell, NaN where not read."""
        return _wide_values(_keys(cells), cells.column("value").to_pylist(), self.wide_index)

    def check(self, meta: dict[str, Any], body: dict[str, Any], wide: np.ndarray,
              cross_year: pd.DataFrame) -> tuple[dict[str, Any], dict[str, Any], np.ndarray,
                                                 pa.Table]:
        """One report's rows, conformed to the tables' columns (raises if they cannot be
        written: the caller makes that report a failures row instead)."""
        self.writers["reports"].check(pd.DataFrame([meta]))
        return meta, body, wide, self._issues(cross_year)

    def _issues(self, frame: pd.DataFrame) -> pa.Table:
        return export.arrow_table(frame, "issues", self.writers["issues"].columns)

    def status(self, cells: pa.Table, meta: dict[str, Any]) -> np.ndarray:
        """Why each of a report's ``wide`` values is what it is (:mod:`govopen.missing`)."""
        return wide_status(_keys(cells), cells.column("status").to_pylist(), self.wide_index,
                           expected_cells(self.wide_formats, meta))

    def offer(self, rel: str, meta: dict[str, Any], body: dict[str, Any], wide: np.ndarray,
              cross_year: pd.DataFrame, status: np.ndarray) -> list[tuple[str, Exception]]:
        """Queue one report's rows; every :data:`CHECK_GROUP` reports, :meth:`settle`.
        Returns the reports whose rows cannot be written, with the reason."""
        self.pending.append((rel, meta, body, wide, cross_year, status))
        return self.settle() if len(self.pending) >= CHECK_GROUP else []

    def settle(self) -> list[tuple[str, Exception]]:
        """Check the queued reports' rows together and add them; if the group
        cannot be written, check them one by one, so that only the reports at
        fault are left out (returned with the reason). (The body tables are in
        their columns already: the cache holds them so.)"""
        group, self.pending = self.pending, []
        if not group:
            return []
        try:
            self.writers["reports"].check(pd.DataFrame([m for _r, m, *_ in group]))
            rows = [c for *_, c, _s in group if len(c)]
            cross = self._issues(pd.concat(rows, ignore_index=True) if rows else pd.DataFrame())
        except Exception:  # find the reports at fault
            failed: list[tuple[str, Exception]] = []
            for rel, meta, body, wide, cross_year, status in group:
                try:
                    checked = self.check(meta, body, wide, cross_year)
                except Exception as exc:
                    failed.append((rel, exc))
                    continue
                self.add(*checked, status)
            return failed
        offset = 0
        for _rel, meta, body, wide, cross_year, status in group:
            n = len(cross_year)
            self.add(meta, body, wide, cross.slice(offset, n), status)
            offset += n
        return []

    def add(self, meta: dict[str, Any], body: dict[str, Any], wide: np.ndarray,
            cross_year: pa.Table, status: np.ndarray) -> None:
        self.meta.append(meta)
        self.wide.append(wide)
        self.wide_status.append(status)
        for t in ("cells", "sections", "issues"):
            self.frames[t].append(body[t])
        self.frames["issues"].append(cross_year)  # a report's cross-year issues follow its own
        self.rows += body["cells"].num_rows + 1
        self._flush_if_full()

    def _flush_if_full(self) -> None:
        if self.rows >= BATCH_ROWS:
            self.flush_rows()
        if len(self.meta) >= REPORT_ROWS:
            self.flush_reports()

    def flush_rows(self) -> None:
        for t, tables in self.frames.items():
            tables = [f for f in tables if f.num_rows]
            if tables:
                self.writers[t].write_arrow(tables)
            self.frames[t] = []
        self.rows = 0

    def flush_reports(self) -> None:
        if self.meta:
            reports = self.writers["reports"].write(pd.DataFrame(self.meta))
            values = pd.DataFrame(np.vstack(self.wide), columns=self.wide_names)
            status = pd.DataFrame(np.vstack(self.wide_status), columns=self.status_names)
            self.writers["wide"].write(pd.concat([reports, values, status], axis=1))
        if self.failures:
            self.writers["failures"].write(pd.DataFrame(self.failures,
                                                        columns=["file", "error", "message"]))
        self.meta, self.wide, self.wide_status, self.failures = [], [], [], []

    def flush(self) -> None:
        self.flush_rows()
        self.flush_reports()


def _keys(cells: pa.Table) -> list[tuple[str, str, str]]:
    """The (table, row, col) of each of a report's cells rows."""
    return list(zip(*(cells.column(c).to_pylist() for c in ("table", "row", "col")),
                    strict=True))


def _wide_values(keys: list[tuple[str, str, str]], values: list[float | None],
                 index: dict[tuple[str, ...], int]) -> np.ndarray:
    row = np.full(len(index), np.nan)
    for key, value in zip(reversed(keys), reversed(values), strict=True):  # the first wins
        i = index.get(key)
        if i is not None:
            row[i] = np.nan if value is None else value
    return row


# --------------------------------------------------------------------------- reading


def load(out: str | Path = "data/processed") -> dict[str, pd.DataFrame]:
    """The dataset tables written by :func:`build`, as DataFrames (``wide`` included).

    Raises ``FileNotFoundError`` when ``out`` does not exist or holds no build
    (an empty dict would only fail later, at ``tables["reports"]``), and
    ``RuntimeError`` if the files do not match the build record, or if there is
    no record yet and a commit was started (a first build interrupted between
    two renames): run the build again. It never returns tables of two builds
    side by side, nor some tables of a build without the others.

    Example:
        >>> tables = load("data/processed")  # doctest: +SKIP
        >>> tables["cells"].query("table == 'requests' and row == 'new' and col == 'total'")  # doctest: +SKIP
        >>> load("no/such/folder")
        Traceback (most recent call last):
        ...
        FileNotFoundError: no/such/folder: no such folder; build the dataset first: `make data`, or `govopen build RAW -o no/such/folder`
    """
    out = Path(out)
    hint = f"build the dataset first: `make data`, or `govopen build RAW -o {out}`"
    if not out.is_dir():
        problem = "is a file, not a dataset folder" if out.exists() else "no such folder"
        raise FileNotFoundError(f"{out}: {problem}; {hint}")
    names = [n for n in (*TABLES, "wide") if (out / f"{n}.parquet").exists()]
    if not names:
        raise FileNotFoundError(f"{out} holds no built dataset (no cells.parquet); {hint}")
    record = export.read_record(out)
    if record is not None:
        bad = export.torn(out, record, [f"{n}.parquet" for n in names])
        if bad:
            raise RuntimeError(f"{out}: {', '.join(bad)} do not match build.json (a build was "
                               "interrupted); run `govopen build` again to complete it")
    elif names and export.interrupted(out):  # the first build, cut between two renames
        raise RuntimeError(f"{out}: the first build there was interrupted before all its "
                           "outputs were in place; run `govopen build` again to complete it")
    return {name: pd.read_parquet(out / f"{name}.parquet") for name in names}
