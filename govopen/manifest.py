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
import re
from pathlib import Path
from typing import Any

from govopen.limits import DEFAULT_TIMEOUT

NAME = "manifest.csv"
COLUMNS = ["file", "agency", "year", "level", "province", "prefecture", "county", "url",
           "retrieved", "notes", "agency_id"]
# Columns `update` fills from the documents (where empty).
INFERRED = ("agency", "year", "level", "province", "prefecture", "county", "url")
REGION = ("province", "prefecture", "county")
# Files of a report folder that are never reports, skipped without a word: tables
# kept beside the reports (manifest.csv, corrections.csv, a crawler's INDEX.tsv),
# README files, hidden files and what file managers leave behind. Every other
# file is listed, so one of a type govopen does not read (.ofd, .xls, .odt …)
# becomes a failures row of the build saying so, not a silent gap.
_NOT_REPORTS = {NAME, "INDEX.tsv", "links.tsv", "Thumbs.db", "desktop.ini"}
_TABLE_SUFFIXES = (".csv", ".tsv")


def is_report_name(name: str) -> bool:
    """Whether a file of this name in a report folder is taken for a report.

    Example:
        >>> [is_report_name(n) for n in ("a.pdf", "a.ofd", "README.md", ".x.txt", "c.csv")]
        [True, True, False, False, False]
    """
    return not (name in _NOT_REPORTS or name.startswith(".") or name.upper().startswith("README")
                or name.lower().endswith(_TABLE_SUFFIXES))


def report_files(raw: str | Path, exclude: str | Path | None = None) -> list[str]:
    """Every report file under ``raw`` (see :func:`is_report_name`), as sorted relative
    paths; files of a type no reader reads are listed too (a build makes each a
    failures row, ``unsupported file type``).

    Directory symlinks are not followed (a loop cannot trap the walk), folders
    whose names start with ``.`` are skipped, and so is ``exclude`` (an
    output folder inside ``raw``, whose ``codebook.md`` is no report). A file
    symlink is listed like a file; :func:`refusal` says whether it may be read.
    Names are as the file system gives them (undecodable bytes as surrogate
    escapes); :func:`display_name` shows them as text.
    """
    raw = Path(raw)
    skip = os.path.realpath(exclude) if exclude is not None else None
    found = []
    for folder, dirs, names in os.walk(raw):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                         and (skip is None or os.path.realpath(os.path.join(folder, d)) != skip))
        for name in names:
            p = Path(folder, name)
            if not is_report_name(name):
                continue
            if not p.is_symlink() and not p.is_file():
                continue  # a fifo, socket or device is never read
            found.append(p.relative_to(raw).as_posix())
    return sorted(found, key=display_name)


def display_name(rel: str) -> str:
    """A file name as text, losslessly: bytes that are not UTF-8 appear as ``\\xNN``.

    Example:
        >>> display_name(os.fsdecode(b"henan/r\\xff.txt"))
        'henan/r\\\\xff.txt'
    """
    try:
        rel.encode("utf-8")
        return rel
    except UnicodeEncodeError:
        return os.fsencode(rel).decode("utf-8", "backslashreplace")


def refusal(raw: str | Path, rel: str) -> str | None:
    """Why ``raw/rel`` may not be read (a symlink out of ``raw``, a loop), or None."""
    path = Path(raw, rel)
    if not path.is_symlink():
        return None
    try:
        target = Path(os.path.realpath(path, strict=True))
    except (OSError, RuntimeError):
        return "the file is a symbolic link that loops or points nowhere; not read"
    root = Path(os.path.realpath(raw))
    if root != target and root not in target.parents:
        return "the file is a symbolic link to outside the raw folder; not read"
    if not target.is_file():
        return "the file is a symbolic link to something that is not a file; not read"
    return None


def unsafe_path(file: str) -> bool:
    """A manifest ``file`` that would reach outside the raw folder (absolute, ``..``)."""
    return (file.startswith(("/", "\\")) or (len(file) > 1 and file[1] == ":")
            or ".." in re.split(r"[/\\]", file))


def read(raw: str | Path) -> dict[str, dict[str, str]]:
    """Rows keyed by file (empty when there is no manifest).

    The file may be UTF-8 (with or without BOM) or GBK/GB18030, which Excel on a
    Chinese Windows writes. Rows whose ``file`` is absolute or contains ``..``
    are refused (see :func:`refused`).
    """
    rows = {}
    for row in csv.DictReader(io.StringIO(_text(raw))):
        file = (row.get("file") or "").strip()
        if file and not unsafe_path(file):
            rows[file] = {k: (v or "").strip() if isinstance(v, str) else ""
                          for k, v in row.items() if k}
    return rows


def refused(raw: str | Path) -> list[str]:
    """Manifest ``file`` values refused because they reach outside the raw folder."""
    return sorted({(row.get("file") or "").strip()
                   for row in csv.DictReader(io.StringIO(_text(raw)))
                   if unsafe_path((row.get("file") or "").strip())})


def _text(raw: str | Path) -> str:
    path = Path(raw) / NAME
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return ""
    from govopen.readers.encoding import decode_bytes

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = decode_bytes(data, path)
    return text.replace("\x00", "")


def columns_of(raw: str | Path) -> list[str]:
    """The manifest's columns: its own order, then any standard ones it lacks."""
    header = next(csv.reader(io.StringIO(_text(raw))), [])
    return header + [c for c in COLUMNS if c not in header]


# GOVOPEN_PREWARM=0: each worker warms up by itself (see preload).
PREWARM_SWITCH = "GOVOPEN_PREWARM"


def preload() -> tuple[str, ...]:
    """What a pool's fork server imports so that :func:`warm_up` runs there once, before
    it forks the workers (:mod:`govopen.prewarm`), instead of in each worker; nothing
    when ``GOVOPEN_PREWARM=0``.

    Example:
        >>> preload()  # doctest: +SKIP
        ('govopen.prewarm',)
    """
    return () if os.environ.get(PREWARM_SWITCH, "").strip() == "0" else ("govopen.prewarm",)


def warm_up() -> None:
    """Load the gazetteer, with its pinyin index, and the readers' libraries once per
    worker process (outside the time limit, which is for reading, not importing)."""
    import govopen.readers.html  # noqa: F401
    import govopen.readers.pdf  # noqa: F401
    import govopen.readers.word  # noqa: F401
    from govopen.gazetteer import gazetteer

    gazetteer().from_pinyin("henan")


def infer_row(path: str, rel: str, timeout: float | None = DEFAULT_TIMEOUT) -> dict[str, str]:
    """What the document says for its manifest row (run in a worker)."""
    from govopen.gazetteer import infer_region
    from govopen.report import read_report

    report = read_report(path, report_id=rel, timeout=timeout)
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


def update(raw: str | Path, *, jobs: int | None = None,
           timeout: float | None = DEFAULT_TIMEOUT,
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
    paths = {display_name(rel): raw / rel for rel in report_files(raw)}
    files = sorted(paths)
    columns = columns_of(raw)
    todo = [rel for rel in files
            if rel not in rows or any(not rows[rel].get(k) for k in INFERRED)]
    inferred: dict[str, dict[str, str]] = {}
    failures = []
    tasks = [Task(rel, (str(paths[rel]), rel, timeout)) for rel in todo
             if not refusal(raw, os.path.relpath(paths[rel], raw))]
    with bar(len(tasks), "manifest", progress) as tick:
        for outcome in run(infer_row, tasks, jobs=jobs, timeout=timeout, dask=dask,
                           warmup=warm_up, preload=preload()):
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
