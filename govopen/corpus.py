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
tables are then streamed from the cache into temporary files that replace the
previous outputs only once all are complete. A build with nothing changed only
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
from govopen.codebook import codebook, conform, schema, to_markdown, wide_cell_columns, wide_schema
from govopen.manifest import REGION, report_files, warm_up
from govopen.manifest import read as read_manifest
from govopen.panel import agency_id, check_panel, panel_cells, previous_reports
from govopen.progress import bar
from govopen.report import read_report
from govopen.runner import Outcome, Task, run

TABLES = ("reports", "cells", "issues", "sections", "failures")
DEFAULT_TIMEOUT = 120.0
# Rows of cells/issues/sections gathered before they are written out.
BATCH_ROWS = 20_000
# Changes whenever the layout of the outputs changes (part of the inputs digest).
OUTPUT_FORMAT = 1
CACHE_DIR = ".cache"


def build(raw: str | Path, out: str | Path, *, jobs: int | None = None,
          timeout: float | None = DEFAULT_TIMEOUT, dask: Any = None,
          progress: bool | None = None) -> dict[str, Any]:
    """Parse every report under ``raw`` and write the dataset to ``out``.

    Args:
        jobs: worker processes (default: all cores; 0 parses in this process).
        timeout: seconds allowed per file (None: no limit).
        dask: a Dask scheduler address or ``distributed.Client``: parse there.
        progress: show a progress bar (default: when stderr is a terminal).

    Returns counts: ``reports``, ``failures``, ``parsed`` (files parsed this time),
    ``cached`` (files taken from the cache) and ``up_to_date`` (nothing to do).
    """
    raw, out = Path(raw), Path(out)
    if not raw.is_dir():
        raise FileNotFoundError(f"no such folder: {raw}")
    with export.locked(out):
        manifest = read_manifest(raw)
        files = report_files(raw)
        code = code_version()
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
        tasks = [Task(rel, (str(raw / rel), rel, manifest.get(rel, {}))) for rel in todo]
        with bar(len(tasks), "parse", progress) as tick:
            for outcome in run(parse_entry, tasks, jobs=jobs, timeout=timeout, dask=dask,
                               warmup=warm_up):
                if outcome.ok:
                    cache.put(keys[outcome.key], outcome.value)
                elif outcome.retry:  # may not happen again: not cached
                    transient[outcome.key] = _failure(outcome)
                else:
                    cache.put(keys[outcome.key], pickle.dumps({"failure": _failure(outcome)}))
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


def parse_entry(path: str, rel: str, row: dict[str, str]) -> bytes:
    """Parse one file into its cache entry (runs in a worker process)."""
    report = read_report(path, report_id=rel)
    text = report.document.text if report.document is not None else ""
    entry = {"meta": finalize_meta(report.meta, rel, row, text), "cells": report.cells,
             "issues": report.issues, "sections": report.sections}
    return pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)


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

    ``cells`` and ``sections`` are written batch by batch. What is kept of every
    report (its ``reports`` and ``wide`` rows, its issues, and the cells the
    cross-year checks need) is compacted once per batch.
    """
    stage = export.Staging(out)
    try:
        writers = {t: export.TableWriter(stage, t, schema(t)) for t in ("cells", "sections")}
        wide_names = wide_cell_columns()
        wide_index = {tuple(name.split("__")): i for i, name in enumerate(wide_names)}
        failures: list[dict[str, str]] = []
        kept: dict[str, list[Any]] = {"meta": [], "wide": [], "issues": [], "panel": []}
        batch: dict[str, list[Any]] = {t: [] for t in ("cells", "sections", "issues", "meta",
                                                       "wide")}
        batch_rows = 0
        for rel in files:
            data = None if rel in transient else cache.get(keys[rel])
            entry = pickle.loads(data) if data is not None else {"failure": transient.get(
                rel, {"file": rel, "error": "CacheMissing",
                      "message": "the parsed report vanished from the cache; build again"})}
            if "failure" in entry:
                failures.append(entry["failure"])
                continue
            batch["meta"].append(entry["meta"])
            batch["wide"].append(_wide_values(entry["cells"], wide_index))
            for t in ("cells", "sections", "issues"):
                batch[t].append(entry[t])
            batch_rows += len(entry["cells"])
            if batch_rows >= BATCH_ROWS:
                _flush(writers, batch, kept)
                batch_rows = 0
        _flush(writers, batch, kept)
        for writer in writers.values():
            writer.close()

        reports = pd.concat(kept["meta"], ignore_index=True) if kept["meta"] else pd.DataFrame(
            columns=[c.name for c in schema("reports")])
        prev = previous_reports(reports.reindex(columns=["report_id", "agency_id", "year"]))
        reports["prev_report_id"] = [prev.get(r, [None])[0] for r in reports["report_id"]]
        report_columns = schema("reports", list(reports.columns))
        reports = conform(reports, "reports", report_columns)
        export.write_table(stage, "reports", reports, report_columns)

        # a report's cross-year issues follow its own
        panel = _concat(kept["panel"], ["report_id", "table", "row", "col", "value", "status"])
        issues = _concat([*kept["issues"], conform(pd.DataFrame(check_panel(reports, panel)),
                                                   "issues")], [c.name for c in schema("issues")])
        issues = issues.sort_values("report_id", kind="stable", ignore_index=True)
        export.write_table(stage, "issues", issues, schema("issues"))
        export.write_table(stage, "failures", pd.DataFrame(failures, columns=["file", "error",
                                                                               "message"]))
        wide_columns = wide_schema(list(reports.columns))
        values = (np.concatenate(kept["wide"]) if kept["wide"]
                  else np.empty((0, len(wide_index)), dtype="float64"))
        wide = pd.concat([reports, pd.DataFrame(values, columns=wide_names)], axis=1)
        export.write_table(stage, "wide", wide, wide_columns)
        export.write_stata(stage, "wide", wide, wide_columns)
        book = codebook({"reports": report_columns,
                         **{t: schema(t) for t in ("cells", "issues", "sections", "failures")},
                         "wide": wide_columns})
        book.to_csv(stage.path("codebook.csv"), index=False, encoding="utf-8-sig",
                    lineterminator="\n")
        export.write_text(stage, "codebook.md", to_markdown(book))
    except BaseException:
        stage.abort()
        raise
    return stage, {"reports": len(reports), "failures": len(failures)}


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


def _flush(writers: dict[str, export.TableWriter], batch: dict[str, list[Any]],
           kept: dict[str, list[Any]]) -> None:
    if not batch["meta"]:
        return
    for t, writer in writers.items():
        frames = [f for f in batch[t] if not f.empty]
        if frames:
            frame = pd.concat(frames, ignore_index=True)
            writer.write(frame)
            if t == "cells":
                kept["panel"].append(panel_cells(frame))
    issues = [f for f in batch["issues"] if not f.empty]
    if issues:
        kept["issues"].append(conform(pd.concat(issues, ignore_index=True), "issues"))
    kept["meta"].append(pd.DataFrame(batch["meta"]))
    kept["wide"].append(np.vstack(batch["wide"]))
    for t in batch:
        batch[t] = []


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


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
