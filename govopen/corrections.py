"""Values fixed by hand: ``corrections.csv`` beside the reports, applied by every build.

A parser cannot read every cell (digits glued together, a scan, a smudge). A
person who has looked at the printed page (``Report.show``, ``govopen review``)
writes the value in ``RAW/corrections.csv``, one row per cell:

============  ==============================================================
``file``      the report, as its path under the raw folder (its ``report_id``)
``sha256``    the SHA-256 of the file's content when the value was read off it
``table``     ``proactive``, ``requests``, ``appeals``
``row``       the row code (``new``, ``granted`` …, or ``extra:<label>``)
``col``       the column code
``value``     the value as printed (money in 万元, as in ``cells.value``); a row
              with no value is ignored (a template row not filled in yet)
``note``      why (shown in ``cells.note``); ``who``, ``date``: who read it, when
============  ==============================================================

A build parses the files as usual (and caches the parse, never the corrections),
then applies the corrections to the cells: the cell keeps its ``raw`` text, gets
the value, status ``corrected`` and the note, and keeps the parsed value and
status in ``parsed_value`` / ``parsed_status``. The identities are checked
again on the corrected cells. A correction whose file has changed since (its
``sha256`` differs) is not applied: it becomes a ``stale_correction`` issue of
the report. A row that names no file, no cell of the report, or that is not a
number, stops the build with a :class:`CorrectionError` naming the line.

Example:
    >>> import pandas as pd
    >>> cells = pd.DataFrame({"report_id": ["a.txt"], "table": ["appeals"], "row": ["review"],
    ...                       "col": ["total"], "value": [float("nan")], "raw": ["l1"],
    ...                       "status": ["unreadable"]})
    >>> fix = Correction(2, "a.txt", "ab", "appeals", "review", "total", 11.0, "l is 1", "me", "")
    >>> out = apply(cells, [fix])
    >>> float(out.loc[0, "value"]), out.loc[0, "status"], out.loc[0, "parsed_status"]
    (11.0, 'corrected', 'unreadable')
    >>> out.loc[0, "raw"], out.loc[0, "note"]
    ('l1', 'l is 1 (me)')
"""

from __future__ import annotations

import csv
import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from govopen.validate import IDENTITY_RULES, check_identities

NAME = "corrections.csv"
COLUMNS = ["file", "sha256", "table", "row", "col", "value", "note", "who", "date"]
# The columns a correction adds to ``cells`` (a parsed report has none of them).
HISTORY = ("parsed_value", "parsed_status", "note")
CORRECTED = "corrected"
STALE = "stale_correction"
TABLES = ("proactive", "requests", "appeals")


class CorrectionError(ValueError):
    """A row of ``corrections.csv`` that cannot be applied; the message names the line.

    Example:
        >>> str(CorrectionError("corrections.csv", 3, "no such cell"))
        'corrections.csv line 3: no such cell'
    """

    def __init__(self, path: object, line: int, problem: str) -> None:
        super().__init__(f"{path} line {line}: {problem}")


@dataclass(frozen=True)
class Correction:
    """One row of ``corrections.csv`` (``line`` is its line in the file)."""

    line: int
    file: str
    sha256: str
    table: str
    row: str
    col: str
    value: float
    note: str
    who: str
    date: str

    @property
    def key(self) -> tuple[str, str, str]:
        return self.table, self.row, self.col

    def describe(self) -> str:
        return f"{self.table}.{self.row}.{self.col} = {self.value:g}"


class Corrections:
    """The corrections of a raw folder, by report file.

    Example:
        >>> Corrections.read("/nonexistent").digest
        ''
    """

    def __init__(self, path: Path, rows: list[Correction], digest: str) -> None:
        self.path = path
        self.by_file: dict[str, list[Correction]] = {}
        for c in rows:
            self.by_file.setdefault(c.file, []).append(c)
        self.digest = digest

    @classmethod
    def read(cls, raw: str | Path, files: list[str] | None = None) -> Corrections:
        """Read and check ``RAW/corrections.csv`` (empty when there is none).

        ``files`` (the report files of the folder) lets a row naming a file that
        is not there be reported at once.
        """
        path = Path(raw) / NAME
        if not path.exists():
            return cls(path, [], "")
        data = path.read_bytes()
        rows = parse(data.decode("utf-8-sig"), path, files)
        return cls(path, rows, hashlib.sha256(data).hexdigest())

    def of(self, report_id: str) -> list[Correction]:
        return self.by_file.get(report_id, [])

    def apply(self, report_id: str, sha256: str | None, body: dict[str, Any],
              meta: dict[str, Any]) -> bool:
        """Apply a report's corrections to its parsed ``body`` (cells, issues) in place.

        Returns whether any cell changed. Stale corrections become issues; the
        identities are checked again, and ``meta``'s error and warning counts
        follow.
        """
        fixes = self.of(report_id)
        if not fixes:
            return False
        fresh = [c for c in fixes if c.sha256.lower() == (sha256 or "").lower()]
        stale = [c for c in fixes if c not in fresh]
        cells, issues = body["cells"], body["issues"]
        for c in fresh:
            if not _has(cells, c):
                raise CorrectionError(self.path, c.line, f"{report_id} has no cell {c.table}."
                                      f"{c.row}.{c.col} (see its cells table for the codes)")
        if fresh:
            cells = apply(cells, fresh)
            issues = recheck(cells, issues)
        if stale:
            issues = pd.concat([issues, pd.DataFrame([_stale_issue(report_id, c, sha256)
                                                      for c in stale])], ignore_index=True)
        body["cells"], body["issues"] = cells, issues
        own = issues[issues["rule"] != STALE]
        meta["n_errors"] = int((own["severity"] == "error").sum())
        meta["n_warnings"] = int((own["severity"] == "warning").sum())
        return bool(fresh)


def parse(text: str, path: object = NAME, files: list[str] | None = None) -> list[Correction]:
    """The rows of a corrections file's text, checked (rows without a value skipped)."""
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in ("file", "sha256", "table", "row", "col", "value")
               if c not in (reader.fieldnames or [])]
    if missing:
        raise CorrectionError(path, 1, f"the header lacks {', '.join(missing)} "
                              f"(columns: {', '.join(COLUMNS)})")
    known = set(files) if files is not None else None
    out: list[Correction] = []
    seen: dict[tuple[str, str, str, str], int] = {}
    for line, row in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in row.items() if k}
        if not row.get("value") or row.get("file") == "file":  # unfilled, or a pasted header
            continue
        try:
            value = float(row["value"].replace(",", ""))
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise CorrectionError(path, line, f"value {row['value']!r} is not a number")
        if row["table"] not in TABLES:
            raise CorrectionError(path, line, f"table {row['table']!r} is not one of "
                                  f"{', '.join(TABLES)}")
        if not row["file"] or (known is not None and row["file"] not in known):
            raise CorrectionError(path, line, f"no report file {row['file']!r} in the folder")
        if len(row["sha256"]) != 64:
            raise CorrectionError(path, line, "sha256 must be the file's 64-hex-digit SHA-256 "
                                  "(the reports table's sha256 column)")
        key = (row["file"], row["table"], row["row"], row["col"])
        if key in seen:
            raise CorrectionError(path, line, f"the same cell is corrected on line {seen[key]}")
        seen[key] = line
        out.append(Correction(line, row["file"], row["sha256"], row["table"], row["row"],
                              row["col"], value, row.get("note", ""), row.get("who", ""),
                              row.get("date", "")))
    return out


def apply(cells: pd.DataFrame, fixes: list[Correction]) -> pd.DataFrame:
    """``cells`` with the corrections applied (a new frame; ``raw`` and provenance kept)."""
    cells = cells.copy()
    for col, dtype in zip(HISTORY, ("float64", object, object), strict=True):
        if col not in cells.columns:
            cells[col] = pd.Series([None] * len(cells), index=cells.index, dtype=dtype)
    for c in fixes:
        hit = _where(cells, c)
        if not hit.any():
            raise CorrectionError(NAME, c.line, f"no cell {c.table}.{c.row}.{c.col}")
        i = hit.idxmax()  # the first reading, the one wide and the identities use
        if cells.at[i, "status"] != CORRECTED:
            cells.at[i, "parsed_value"] = cells.at[i, "value"]
            cells.at[i, "parsed_status"] = cells.at[i, "status"]
        cells.at[i, "value"] = c.value
        cells.at[i, "status"] = CORRECTED
        by = ", ".join(x for x in (c.who, c.date) if x)
        cells.at[i, "note"] = f"{c.note} ({by})" if by else c.note
    return cells


def recheck(cells: pd.DataFrame, issues: pd.DataFrame) -> pd.DataFrame:
    """``issues`` with the identity failures computed again on ``cells``."""
    kept = issues[~issues["rule"].isin(IDENTITY_RULES)]
    fresh = pd.DataFrame(check_identities(cells), columns=list(issues.columns[1:]))
    fresh.insert(0, "report_id", cells["report_id"].iloc[0] if len(cells) else "")
    if fresh.empty:
        return kept.reset_index(drop=True)
    return pd.concat([kept, fresh], ignore_index=True)


def template(rows: list[dict[str, Any]]) -> str:
    """A corrections file (CSV text) with one row per flagged cell, values to fill in.

    Each dict has ``file``, ``sha256``, ``table``, ``row``, ``col`` and optionally
    ``note`` (what the parser saw, e.g. the candidates).
    """
    import io

    buf = io.StringIO()
    writer = csv.DictWriter(buf, COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({**dict.fromkeys(COLUMNS, ""), **row, "value": ""})
    return buf.getvalue()


def _where(cells: pd.DataFrame, c: Correction) -> pd.Series:
    return (cells["table"] == c.table) & (cells["row"] == c.row) & (cells["col"] == c.col)


def _has(cells: pd.DataFrame, c: Correction) -> bool:
    return bool(_where(cells, c).any())


def _stale_issue(report_id: str, c: Correction, sha256: str | None) -> dict[str, Any]:
    return {"report_id": report_id, "rule": STALE, "table": c.table, "row": c.row,
            "col": c.col, "expected": c.value, "observed": None, "severity": "warning",
            "message": f"{NAME} line {c.line}: the file changed since the correction "
                       f"{c.describe()} was made (sha256 {c.sha256[:12]}… recorded, "
                       f"{(sha256 or '?')[:12]}… now); not applied: check the value on "
                       "the new file and update the row"}
