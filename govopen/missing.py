"""Why a value is missing, kept wherever the value goes.

``cells.status`` says why a cell has no value. This module carries that reason
into the wide table and the Stata file, so that an analysis never treats "not
filled in" like "could not be read":

* ``wide`` has, after the value columns, one companion column per template cell,
  ``<cell>__status`` (``requests__new__total__status``): the cell's status
  (``ok``, ``blank``, ``ambiguous``, ``unreadable``, ``missing``, ``corrected``,
  ``conflicting``), empty where the cell is not part of the report's template
  format;
* ``wide.dta`` stores a missing value with Stata's extended missing values, one
  per reason (:data:`CODES`), labelled with a value label (``missing_reason``);
  plain ``.`` is a cell the report's format does not have. The status columns
  themselves are not in the Stata file: the missing values say it there.

``conflicting`` is a corpus-level status: two copies of one report (same agency
and year, see :mod:`govopen.panel`) that read the same cell as two different
numbers. Which copy is right is unknown, so both rows of ``wide`` leave it NaN
(``.c``); ``cells`` keeps each copy's reading with its provenance.

Example:
    >>> CODES["ambiguous"].letter, stata_code("ambiguous") > 8.98e307
    ('a', True)
    >>> status_column("requests__new__total")
    'requests__new__total__status'
    >>> value_labels()[2147483622]
    '.a 有歧义 ambiguous (several readings; see cells.candidates)'
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Code:
    letter: str  # Stata's extended missing value .letter
    zh: str
    en: str


# cells.status (or the corpus-level `conflicting`) → its Stata missing value.
CODES: dict[str, Code] = {
    "blank": Code("b", "空白（未填写、“-”或“/”）", "blank: printed empty, '-', '/' or '—'"),
    "ambiguous": Code("a", "有歧义", "ambiguous (several readings; see cells.candidates)"),
    "unreadable": Code("u", "无法读取", "unreadable (the printed text is not a number)"),
    "missing": Code("m", "未印出（行或表缺失）", "not printed (the row or table is absent)"),
    "conflicting": Code("c", "副本不一致", "conflicting copies of one report read differently"),
}
SUFFIX = "__status"
CONFLICTING = "conflicting"
VALUE_LABEL = "missing_reason"
_SYSMISS_BITS = 0x7FE0000000000000  # Stata's '.' as a double
_LONG_SYSMISS = 2147483621  # Stata's '.' as a long (value labels use it)


def status_column(cell: str) -> str:
    """The name of a wide cell's companion status column."""
    return cell + SUFFIX


def status_pairs(columns: list[str]) -> list[tuple[str, str]]:
    """(cell, its status column) for every cell column of ``columns`` that has one."""
    present = set(columns)
    return [(c, status_column(c)) for c in columns if status_column(c) in present]


def stata_code(status: str) -> float:
    """The double Stata reads as the extended missing value of ``status`` (.a …)."""
    offset = ord(CODES[status].letter) - 96
    return struct.unpack("<d", struct.pack("<q", _SYSMISS_BITS + (offset << 40)))[0]


def value_labels() -> dict[int, str]:
    """The ``missing_reason`` value label: extended missing value → its meaning."""
    return {_LONG_SYSMISS + ord(c.letter) - 96: f".{c.letter} {c.zh} {c.en}"
            for c in CODES.values()}


def wide_status(keys: list[tuple[str, str, str]], statuses: list[str],
                index: dict[tuple[str, ...], int], expected: np.ndarray) -> np.ndarray:
    """A report's status per wide cell (object array, aligned with ``index``).

    ``keys`` are the (table, row, col) of the report's ``cells`` rows and
    ``statuses`` their status. ``expected`` marks the cells the report's template
    format has: of those, a cell without a ``cells`` row was not printed
    (``missing``); the others are None. Where a cell is printed twice the first
    reading wins, as for values.
    """
    # numpy's stubs leave None out of where()'s scalar arguments; it is an object scalar here
    out = np.where(expected, "missing", None).astype(object)  # type: ignore[call-overload]
    for key, status in zip(reversed(keys), reversed(statuses), strict=True):
        i = index.get(key)
        if i is not None:
            out[i] = status
    return out


def expected_cells(formats: list[str], meta: dict) -> np.ndarray:
    """Which wide cells a report's template formats have.

    ``formats`` gives each wide cell's ``table:format`` tags ("requests:2019 requests:2021");
    a table the report does not print counts in the format of its year.
    """
    year = meta.get("year")
    by_year = None if year is None or pd.isna(year) else ("2021" if int(year) >= 2021 else "2019")
    tags = set()
    for table in ("proactive", "requests", "appeals"):
        fmt = meta.get(f"format_{table}") or by_year
        if fmt:
            tags.add(f"{table}:{fmt}")
    return np.array([bool(tags & set(f.split())) for f in formats], dtype=bool)


def conflicts(values: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Cells two copies of one report both read, as different numbers."""
    both = ~np.isnan(values) & ~np.isnan(other)
    return both & (values != other)


def mark_conflicts(values: np.ndarray, status: np.ndarray, other: np.ndarray) -> None:
    """Leave NaN, with status ``conflicting``, the cells another copy reads differently."""
    mask = conflicts(values, other)
    values[mask] = np.nan
    status[mask] = CONFLICTING


def stata_codes(frame: pd.DataFrame, cells: list[str]) -> dict[str, np.ndarray]:
    """Per cell column of a wide batch, the Stata missing value of each row (NaN: none).

    Only rows whose value is missing get a code; a value that was read is kept.
    """
    out = {}
    for cell in cells:
        status = frame[status_column(cell)].astype(object).to_numpy()
        missing = frame[cell].isna().to_numpy()
        codes = np.full(len(frame), np.nan)
        for name in CODES:
            codes[missing & (status == name)] = stata_code(name)
        if (~np.isnan(codes)).any():
            out[cell] = codes
    return out
