"""Checks across years of one agency: what one report carries forward, the next carries over.

Reports of the same agency are linked through ``agency_id`` (the normalised
agency name unless the manifest sets one, e.g. for a renamed bureau). For every
report and the same agency's report of the previous year:

* ``carry_over`` (requests, per applicant column): the previous report's
  四、结转下年度继续办理 should equal this report's 二、上年结转 — an ``error``, or
  a ``warning`` when a blank cell (counted as 0) is involved;
* ``in_force_stock`` (2021 format, rules and normative documents): 现行有效件数
  should equal last year's plus 本年制发 minus 本年废止 — a ``warning`` only, since
  documents also lapse or are cleaned up without being repealed.

Findings are ``issues`` rows of the later report. Cells that could not be read,
or were not printed, make a comparison uncheckable, as in :mod:`govopen.validate`.

Example:
    >>> agency_id(" 平潭综合实验区（财政金融局）")
    '平潭综合实验区财政金融局'
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

import pandas as pd

from govopen.validate import REQUEST_COLS, as_number, shown

_PUNCT = re.compile(r"[\s\u3000()（）【】\[\]<>《》〈〉「」『』\"'“”‘’·•・,，.。、:：;；!！?？\-—_/]+")
_UNCHECKABLE = {"ambiguous", "unreadable", "missing"}

# The cells the checks need: kept per report while a build streams its tables.
PANEL_CELLS = {
    ("requests", "carried_over"), ("requests", "carried_forward"),
    ("proactive", "rules"), ("proactive", "normative_docs"),
}
STOCK_ROWS = ("rules", "normative_docs")


def agency_id(name: str | None) -> str | None:
    """The default panel key: the agency name without spaces and punctuation (NFKC)."""
    if not name:
        return None
    return _PUNCT.sub("", unicodedata.normalize("NFKC", name)) or None


Grid = dict[tuple[str, str, str], tuple[float, str]]


def panel_cells(cells: pd.DataFrame) -> pd.DataFrame:
    """The few cells of one report that the cross-year checks read."""
    keep = cells["row"].isin({row for _table, row in PANEL_CELLS})
    return cells.loc[keep, ["report_id", "table", "row", "col", "value", "status"]]


def panel_grid(cells: pd.DataFrame) -> Grid:
    """One report's panel cells as ``(table, row, col) → (value, status)``."""
    cells = panel_cells(cells)
    return {(t, r, c): (v, s) for t, r, c, v, s in zip(
        cells["table"], cells["row"], cells["col"], cells["value"], cells["status"],
        strict=True)}


def previous_reports(reports: pd.DataFrame) -> dict[str, list[str]]:
    """report_id → the same agency's reports of the previous year (sorted)."""
    out: dict[str, list[str]] = {}
    known = reports.dropna(subset=["agency_id", "year"])
    by_key: dict[tuple[str, int], list[str]] = {}
    for r in known.itertuples(index=False):
        by_key.setdefault((r.agency_id, int(r.year)), []).append(r.report_id)
    for (aid, year), ids in by_key.items():
        prev = sorted(by_key.get((aid, year - 1), []))
        if prev:
            for rid in ids:
                out[rid] = prev
    return out


def check_report(rid: str, fmt: str | None, now: Grid,
                 previous: list[tuple[str, str | None, Grid]]) -> list[dict[str, Any]]:
    """Issue rows of report ``rid`` against each of its agency's reports of the year before.

    ``fmt`` is a report's ``format_proactive``; ``previous`` holds ``(report_id,
    format_proactive, grid)`` of each previous report (see :func:`panel_grid`).

    Example:
        >>> before = {("requests", "carried_forward", "total"): (3.0, "ok")}
        >>> now = {("requests", "carried_over", "total"): (2.0, "ok")}
        >>> [i["message"] for i in check_report("b", "2021", now, [("a", "2021", before)])]
        ["requests column total: carried over ≠ carried forward in the previous year's report a: 3 vs 2"]
    """
    issues: list[dict[str, Any]] = []
    for pid, pfmt, before in previous:
        for col in (*REQUEST_COLS, "total"):
            _compare(issues, rid, "carry_over", "requests", "carried_over", col,
                     [(before, ("requests", "carried_forward", col), 1)],
                     (now, ("requests", "carried_over", col)), "error",
                     f"requests column {col}: carried over ≠ carried forward in the "
                     f"previous year's report {pid}")
        if fmt == "2021" and pfmt == "2021":
            for row in STOCK_ROWS:
                _compare(issues, rid, "in_force_stock", "proactive", row, "in_force",
                         [(before, ("proactive", row, "in_force"), 1),
                          (now, ("proactive", row, "issued"), 1),
                          (now, ("proactive", row, "repealed"), -1)],
                         (now, ("proactive", row, "in_force")), "warning",
                         f"proactive {row}: in force ≠ previous year's in force ({pid}) "
                         "+ issued − repealed")
    return issues


def check_panel(reports: pd.DataFrame, cells: pd.DataFrame) -> list[dict[str, Any]]:
    """Issue rows (with ``report_id``) for every cross-year identity that fails.

    The whole-table form of :func:`check_report`: ``reports`` needs ``report_id``,
    ``agency_id``, ``year`` and ``format_proactive``; ``cells`` the panel cells.
    """
    grid: dict[str, Grid] = {}
    for r in cells.itertuples(index=False):
        grid.setdefault(r.report_id, {})[(r.table, r.row, r.col)] = (r.value, r.status)
    fmt = dict(zip(reports["report_id"], reports.get("format_proactive", pd.Series(dtype=object)),
                   strict=False))
    issues: list[dict[str, Any]] = []
    for rid, prevs in sorted(previous_reports(reports).items()):
        issues += check_report(rid, fmt.get(rid), grid.get(rid, {}),
                               [(pid, fmt.get(pid), grid.get(pid, {})) for pid in prevs])
    return issues


def _compare(issues: list[dict[str, Any]], rid: str, rule: str, table: str, row: str, col: str,
             parts: list[tuple[dict, tuple[str, str, str], int]],
             whole: tuple[dict, tuple[str, str, str]], severity: str, message: str) -> None:
    cells = [g.get(k) for g, k, _ in parts] + [whole[0].get(whole[1])]
    if any(c is None for c in cells):
        return
    states = [c[1] for c in cells]
    if any(s in _UNCHECKABLE for s in states) or all(s == "blank" for s in states):
        return
    expected = sum(sign * as_number(g[k][0]) for g, k, sign in parts)
    observed = as_number(whole[0][whole[1]][0])
    if math.isclose(expected, observed, abs_tol=1e-6):
        return
    blanks = "blank" in states
    issues.append({
        "report_id": rid, "rule": rule, "table": table, "row": row, "col": col,
        "expected": expected, "observed": observed,
        "severity": "warning" if blanks else severity,
        "message": f"{message}: {shown(expected)} vs {shown(observed)}"
                   + (" (blank cells counted as 0)" if blanks else ""),
    })
