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

from govopen.issues import Issue, shown
from govopen.templates import FORMATS, identities, template
from govopen.validate import Grid, check_all

_PUNCT = re.compile(r"[\s\u3000()（）【】\[\]<>《》〈〉「」『』\"'“”‘’·•・,，.。、:：;；!！?？\-—_/]+")
#: The cross-year identities of ``identities.csv`` (``previous:`` cells).
RULES = tuple(i for i in identities() if i.across_years)


def _panel_rows() -> set[tuple[str, str]]:
    """(table, row) of every cell a cross-year identity reads."""
    out: set[tuple[str, str]] = set()
    for ident in RULES:
        codes = {t.code for t in (*ident.parts, *ident.whole)}
        if ident.scope == "col":
            out |= {(ident.table, c) for c in codes}
        else:  # the rows that have all the identity's columns
            out |= {(ident.table, r.code) for f in FORMATS for r in template(ident.table, f).rows
                    if codes <= set(r.cols)}
    return out


#: The cells the checks need: kept per report while a build streams its tables.
PANEL_CELLS = _panel_rows()


def agency_id(name: str | None) -> str | None:
    """The default panel key: the agency name without spaces and punctuation (NFKC)."""
    if not name:
        return None
    return _PUNCT.sub("", unicodedata.normalize("NFKC", name)) or None


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


def previous_reports(reports: pd.DataFrame, exclude: set[str] | frozenset[str] = frozenset()
                     ) -> dict[str, list[str]]:
    """report_id → the same agency's reports of the previous year (sorted).

    Reports in ``exclude`` (copies, see :func:`duplicates`) are never anyone's
    previous report, but get their own.
    """
    out: dict[str, list[str]] = {}
    known = reports.dropna(subset=["agency_id", "year"])
    by_key: dict[tuple[str, int], list[str]] = {}
    for r in known.itertuples(index=False):
        by_key.setdefault((r.agency_id, int(r.year)), []).append(r.report_id)
    for (aid, year), ids in by_key.items():
        prev = sorted(p for p in by_key.get((aid, year - 1), []) if p not in exclude)
        if prev:
            for rid in ids:
                out[rid] = prev
    return out


def duplicates(reports: pd.DataFrame) -> dict[str, str]:
    """report_id of every copy → the report kept in its place.

    Copies are found by content first: two files with the same ``sha256``, wherever
    they are in the corpus and whatever the manifest calls them, are one report.
    Then by name: two reports of one ``agency_id`` and ``year`` are taken to be the
    same report published twice (the saved page and the crawled text, the portal's
    copy and the bureau's own). Reports linked either way form one group; the one
    kept is the one with the most template values read (``readable``, when given),
    then the fewest errors (``n_errors``), then the first report_id; the others are
    its copies. A manifest ``agency_id`` tells two bodies apart that a shared name
    would merge (it cannot part two identical files).

    Example:
        >>> duplicates(pd.DataFrame({"report_id": ["a.html", "a.txt", "b.txt", "x/b.txt"],
        ...     "agency_id": ["A", "A", "B", "B2"], "year": [2025, 2025, 2025, 2025],
        ...     "readable": [200, 197, 200, 200], "sha256": ["1", "2", "3", "3"]}))
        {'a.txt': 'a.html', 'x/b.txt': 'b.txt'}
    """
    ids = reports["report_id"].tolist()
    parent = list(range(len(ids)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def link(group: list[int]) -> None:
        for i in group[1:]:
            parent[root(i)] = root(group[0])

    by_content: dict[str, list[int]] = {}
    for i, sha in enumerate(reports["sha256"] if "sha256" in reports else []):
        if isinstance(sha, str) and sha:
            by_content.setdefault(sha, []).append(i)
    for rows in by_content.values():
        link(rows)
    known = reports["agency_id"].notna().to_numpy() & reports["year"].notna().to_numpy()
    by_name: dict[tuple[Any, int], list[int]] = {}
    for i, (aid, year) in enumerate(zip(reports["agency_id"], reports["year"], strict=True)):
        if known[i]:
            by_name.setdefault((aid, int(year)), []).append(i)
    for rows in by_name.values():
        link(rows)
    rank = pd.DataFrame({
        "report_id": ids, "group": [root(i) for i in range(len(ids))],
        "readable": (-reports["readable"].fillna(0)).to_numpy() if "readable" in reports else 0,
        "n_errors": reports["n_errors"].fillna(0).to_numpy() if "n_errors" in reports else 0,
    }).sort_values(["group", "readable", "n_errors", "report_id"])
    out: dict[str, str] = {}
    for _key, group in rank.groupby("group", sort=False):
        members = group["report_id"].tolist()
        out.update(dict.fromkeys(members[1:], members[0]))
    return dict(sorted(out.items()))


def copy_issue(rid: str, kept: str, names: list[str], here: Any, there: Any,
               shown_at_most: int = 5, same: str = "same agency and year") -> Issue:
    """The ``duplicate_report`` issue row of ``rid``, a copy of report ``kept``.

    ``here`` and ``there`` are the two reports' template values (aligned with
    ``names``); the message says which of them were read differently, so that a
    copy in another file type doubles as a check of the reading. ``same`` says
    why the two are one report (``same file content`` for identical files).

    Example:
        >>> copy_issue("a.txt", "a.html", ["x", "y"], [1.0, float("nan")], [1.0, 58.0]).message
        'a copy of a.html (same agency and year), which is kept for analysis: 1 of 2 template values read differently (here vs there): y NaN vs 58'
    """
    diffs = [(n, a, b) for n, a, b in zip(names, here, there, strict=True)
             if not (math.isnan(a) and math.isnan(b)) and a != b]
    read = sum(1 for a, b in zip(here, there, strict=True)
               if not (math.isnan(a) and math.isnan(b)))
    message = f"a copy of {kept} ({same}), which is kept for analysis: "
    if not diffs:
        message += f"all {read} template values read the same"
    else:
        listed = "; ".join(f"{n} {shown(a)} vs {shown(b)}" for n, a, b in diffs[:shown_at_most])
        more = f" (+{len(diffs) - shown_at_most} more)" if len(diffs) > shown_at_most else ""
        message += (f"{len(diffs)} of {read} template values read differently "
                    f"(here vs there): {listed}{more}")
    return Issue("duplicate_report", "warning", message, table=None, row=None, col=None)


def check_report(rid: str, fmt: str | None, now: Grid,
                 previous: list[tuple[str, str | None, Grid]]) -> list[Issue]:
    """Issue rows of report ``rid`` against each of its agency's reports of the year before.

    ``fmt`` is a report's ``format_proactive``; ``previous`` holds ``(report_id,
    format_proactive, grid)`` of each previous report (see :func:`panel_grid`).

    Example:
        >>> before = {("requests", "carried_forward", "total"): (3.0, "ok")}
        >>> now = {("requests", "carried_over", "total"): (2.0, "ok")}
        >>> [i.message for i in check_report("b", "2021", now, [("a", "2021", before)])]
        ["requests column total: carried over ≠ carried forward in the previous year's report a: 3 vs 2"]
    """
    issues: list[Issue] = []
    for pid, pfmt, before in previous:
        issues += check_all(RULES, now, {"proactive": fmt}, before, {"proactive": pfmt},
                            previous=pid)
    return issues
