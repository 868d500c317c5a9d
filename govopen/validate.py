"""The identities the template implies, checked (never enforced) on a report's cells.

Every failure is one ``issues`` row with the expected value (computed from the
parts) and the observed value (as printed). Blank cells count as 0, the way
reports use them, but an identity whose cells are all blank is not checked, and a
failure that depends on a blank cell is a warning rather than an error. Cells
that could not be read (ambiguous or unreadable) make an identity uncheckable.

Example:
    >>> import pandas as pd
    >>> cells = pd.DataFrame([
    ...     {"table": "appeals", "row": "review", "col": c, "value": v, "status": "ok"}
    ...     for c, v in zip(["upheld", "corrected", "other", "pending", "total"], [1, 0, 0, 0, 2])])
    >>> check_identities(cells)[0].rule
    'appeals_total'
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from functools import cache
from itertools import groupby
from typing import Any

import pandas as pd

from govopen.issues import Issue, shown
from govopen.templates import Identity, Term, identities, table_cols

_UNCHECKABLE = {"ambiguous", "unreadable", "missing"}
# The rules check_identities reports (re-checked after a correction).
IDENTITY_RULES = ("row_total", "balance", "outcomes", "appeals_total")

#: ``(table, row, col) → (value, status)``: the cells of one report an identity reads.
Grid = dict[tuple[str, str, str], tuple[Any, str]]


def check_identities(cells: pd.DataFrame | Mapping[str, Sequence[Any]]) -> list[Issue]:
    """Issue rows for every identity of one report (``identities.csv``) the cells violate.

    ``cells`` is the report's cells table, or the same columns as plain lists.
    """
    table, row, col, value, status = _columns(cells, "table", "row", "col", "value", "status")
    grid: Grid = {(t, r, c): (v, s) for t, r, c, v, s in zip(table, row, col, value, status,
                                                              strict=True)}
    formats: dict[str, Any] = {}
    if "format" in cells:
        formats = dict(zip(table, *_columns(cells, "format"), strict=True))
    return check_all(_own_identities(), grid, formats)


@cache
def _own_identities() -> tuple[Identity, ...]:
    """The identities within one report (not across years)."""
    return tuple(i for i in identities() if not i.across_years)


def _columns(cells: pd.DataFrame | Mapping[str, Sequence[Any]], *names: str) -> list[list[Any]]:
    """Columns of a cells table (or of a mapping of columns) as plain lists:
    a per-report check reads each cell once, and pandas' per-row access would
    cost more than the check itself."""
    out = []
    for name in names:
        column = cells[name]
        out.append(column.tolist() if hasattr(column, "tolist") else list(column))
    return out


def check_all(rules: Sequence[Identity], now: Grid, formats: Mapping[str, Any],
              before: Grid | None = None, before_formats: Mapping[str, Any] | None = None,
              previous: str = "") -> list[Issue]:
    """Issue rows for the ``rules`` that the cells of ``now`` (and ``before``) violate.

    Identities of one table and scope that follow each other in ``identities.csv``
    are checked unit by unit (column by column, say: balance then outcomes for
    each column), which is the order the issues are listed in. ``formats`` (and
    ``before_formats``, for cross-year rules) give each table's template format.
    """
    rows: dict[str, dict[str, None]] = {}
    for t, r, _c in now:
        if not r.startswith("extra:"):
            rows.setdefault(t, {})[r] = None
    issues: list[Issue] = []
    for (table, scope), same in groupby(rules, key=lambda i: (i.table, i.scope)):
        group = [i for i in same if i.applies_to(
            formats.get(table), *([(before_formats or {}).get(table)] if i.across_years else []))]
        present = list(rows.get(table, {}))
        units = present if scope == "row" else table_cols(table)
        # ``group:`` terms depend on the rows present, not on the unit: expand once.
        expanded = [(ident, ident.expand(present)) for ident in group]
        for unit in units:
            for ident, terms in expanded:
                issue = check(ident, unit, now, before, present, previous, terms)
                if issue is not None:
                    issues.append(issue)
    return issues


def check(ident: Identity, unit: str, now: Grid, before: Grid | None = None,
          present: Sequence[str] = (), previous: str = "",
          expanded: tuple[tuple[Term, ...], tuple[Term, ...]] | None = None) -> Issue | None:
    """The issue row of identity ``ident`` in row or column ``unit``, or None when it holds.

    ``present`` lists the rows of the table in the order printed (for ``group:``
    parts). Cells that are missing, unreadable or ambiguous make the identity
    uncheckable (None), and so do cells that are all blank.

    Example:
        >>> from govopen.templates import identity
        >>> grid = {("appeals", "review", c): (v, "ok") for c, v in
        ...         zip(["upheld", "corrected", "other", "pending", "total"], [1, 0, 0, 0, 2])}
        >>> check(identity("appeals_total"), "review", grid).message
        'appeals row review: 维持 + 纠正 + 其他 + 尚未审结 ≠ 总计: 1 vs 2'
    """
    parts, whole = expanded if expanded is not None else ident.expand(present)
    if not parts:
        return None
    by_row = ident.scope == "row"
    cells = []
    for term in (*parts, *whole):
        grid = before if term.previous else now
        key = (ident.table, unit, term.code) if by_row else (ident.table, term.code, unit)
        cell = grid.get(key) if grid is not None else None
        if cell is None:
            return None
        cells.append((term.sign, cell))
    states = [status for _sign, (_value, status) in cells]
    if any(s in _UNCHECKABLE for s in states) or all(s == "blank" for s in states):
        return None
    expected = sum(sign * as_number(value) for sign, (value, _s) in cells[:len(parts)])
    observed = sum(sign * as_number(value) for sign, (value, _s) in cells[len(parts):])
    if math.isclose(expected, observed, abs_tol=1e-6):
        return None
    blanks = "blank" in states
    row, col = (unit, whole[0].code) if ident.scope == "row" else (
        whole[0].code if len(whole) == 1 else "", unit)
    message = (ident.label(row=unit, col=unit, previous=previous)
               + f": {shown(expected)} vs {shown(observed)}"
               + (" (blank cells counted as 0)" if blanks else ""))
    return Issue(ident.rule, "warning" if blanks else ident.severity, message, table=ident.table,
                 row=row, col=col, expected=expected, observed=observed)


def as_number(value: Any) -> float:
    """A printed value for arithmetic: blank (None/NaN) is 0."""
    return 0.0 if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


# --- narrative vs table ---------------------------------------------------------

# "未收到…行政复议申请" is about appeals, not requests for information.
_NONE_RECEIVED = re.compile(r"(?:未|没有)(?:收到|受理|接到)(?:(?!复议|诉讼)[^。；;，,]){0,12}?申请")
_COUNT = re.compile(
    r"(?:收到|受理|新收|办理|接收|接到)[^。；;，,0-9]{0,24}?(?:公开)?申请[^。；;，,0-9]{0,4}?"
    r"(?P<n>\d+)\s*(?:件|个|条|份|宗)")


def check_narrative(prose: str, cells: pd.DataFrame | Mapping[str, Sequence[Any]]) -> list[Issue]:
    """Counts of requests stated in the prose that no total of the table matches.

    The prose may count requests received this year (新收), handled (办理结果
    总计) or both years together; a stated count that equals none of these
    totals, or "未收到申请" next to a table with requests, is reported.

    Example:
        >>> import pandas as pd
        >>> cells = pd.DataFrame([{"table": "requests", "row": r, "col": "total", "value": 0.0,
        ...                        "status": "ok"} for r in ("new", "carried_over", "total")])
        >>> check_narrative("全年共办理各类政府信息公开申请20件。", cells)[0].expected
        20.0
    """
    totals = {r: v for t, r, c, v, s in zip(
        *_columns(cells, "table", "row", "col", "value", "status"), strict=True)
        if t == "requests" and c == "total" and s in ("ok", "blank")}
    new = totals.get("new")
    if new is None or (isinstance(new, float) and math.isnan(new)):
        return []
    candidates = {as_number(new), as_number(totals.get("total")),
                  as_number(new) + as_number(totals.get("carried_over"))}
    issues = []
    for m in _COUNT.finditer(prose):
        stated = float(m.group("n"))
        if stated not in candidates:
            issues.append(_narrative_issue(stated, as_number(new), m.group(0)))
    none = _NONE_RECEIVED.search(prose)
    if none and as_number(new) > 0:
        issues.append(_narrative_issue(0.0, as_number(new), none.group(0)))
    return issues


def _narrative_issue(stated: float, observed: float, quote: str) -> Issue:
    return Issue("narrative_mismatch", "warning",
                 f"the text says “{quote}” but the table's requests total is {shown(observed)}",
                 table="requests", row="new", col="total", expected=stated, observed=observed)
