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
    >>> check_identities(cells)[0]["rule"]
    'appeals_total'
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

REQUEST_COLS = ("natural_person", "business", "research", "social_org", "legal_service",
                "other_org")
OUTCOME_PREFIXES = ("granted", "partial", "withheld_", "unable_", "unprocessed_", "other")
APPEAL_PARTS = ("upheld", "corrected", "other", "pending")
_UNCHECKABLE = {"ambiguous", "unreadable", "missing"}
# The rules check_identities reports (re-checked after a correction).
IDENTITY_RULES = ("row_total", "balance", "outcomes", "appeals_total")


def check_identities(cells: pd.DataFrame) -> list[dict[str, Any]]:
    """Issue rows for every identity of sections 三 and 四 that the cells violate."""
    grid = {(r.table, r.row, r.col): (r.value, r.status) for r in cells.itertuples()}
    issues: list[dict[str, Any]] = []
    req_rows = list(dict.fromkeys(
        r for (t, r, _c) in grid if t == "requests" and not r.startswith("extra:")))
    all_cols = (*REQUEST_COLS, "total")
    for row in req_rows:
        _check(issues, grid, "row_total", "requests", row, "total",
               [("requests", row, c) for c in REQUEST_COLS], [("requests", row, "total")],
               f"requests row {row}: the six applicant columns do not add up to 总计")
    outcome_rows = [r for r in req_rows if r.startswith(OUTCOME_PREFIXES)]
    for col in all_cols:
        _check(issues, grid, "balance", "requests", "", col,
               [("requests", "new", col), ("requests", "carried_over", col)],
               [("requests", "total", col), ("requests", "carried_forward", col)],
               f"requests column {col}: new + carried over ≠ total handled + carried forward")
        _check(issues, grid, "outcomes", "requests", "total", col,
               [("requests", r, col) for r in outcome_rows], [("requests", "total", col)],
               f"requests column {col}: the outcome rows do not add up to （七）总计")
    for row in ("review", "suit_direct", "suit_after_review"):
        _check(issues, grid, "appeals_total", "appeals", row, "total",
               [("appeals", row, c) for c in APPEAL_PARTS], [("appeals", row, "total")],
               f"appeals row {row}: 维持 + 纠正 + 其他 + 尚未审结 ≠ 总计")
    return issues


def _check(issues: list[dict[str, Any]], grid: dict, rule: str, table: str, row: str, col: str,
           parts: list[tuple[str, str, str]], whole: list[tuple[str, str, str]],
           message: str) -> None:
    keys = parts + whole
    if not parts or any(k not in grid for k in keys):
        return
    states = [grid[k][1] for k in keys]
    if any(s in _UNCHECKABLE for s in states) or all(s == "blank" for s in states):
        return
    expected = sum(as_number(grid[k][0]) for k in parts)
    observed = sum(as_number(grid[k][0]) for k in whole)
    if math.isclose(expected, observed, abs_tol=1e-6):
        return
    blanks = "blank" in states
    issues.append({
        "rule": rule, "table": table, "row": row, "col": col,
        "expected": expected, "observed": observed,
        "severity": "warning" if blanks else "error",
        "message": message + (f": {shown(expected)} vs {shown(observed)}")
        + (" (blank cells counted as 0)" if blanks else ""),
    })


def as_number(value: Any) -> float:
    """A printed value for arithmetic: blank (None/NaN) is 0."""
    return 0.0 if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def shown(x: float) -> str:
    """A number as a message shows it (no ".0" on whole numbers)."""
    return str(int(x)) if float(x).is_integer() else str(x)


# --- narrative vs table ---------------------------------------------------------

# "未收到…行政复议申请" is about appeals, not requests for information.
_NONE_RECEIVED = re.compile(r"(?:未|没有)(?:收到|受理|接到)(?:(?!复议|诉讼)[^。；;，,]){0,12}?申请")
_COUNT = re.compile(
    r"(?:收到|受理|新收|办理|接收|接到)[^。；;，,0-9]{0,24}?(?:公开)?申请[^。；;，,0-9]{0,4}?"
    r"(?P<n>\d+)\s*(?:件|个|条|份|宗)")


def check_narrative(prose: str, cells: pd.DataFrame) -> list[dict[str, Any]]:
    """Counts of requests stated in the prose that no total of the table matches.

    The prose may count requests received this year (新收), handled (办理结果
    总计) or both years together; a stated count that equals none of these
    totals, or "未收到申请" next to a table with requests, is reported.

    Example:
        >>> import pandas as pd
        >>> cells = pd.DataFrame([{"table": "requests", "row": r, "col": "total", "value": 0.0,
        ...                        "status": "ok"} for r in ("new", "carried_over", "total")])
        >>> check_narrative("全年共办理各类政府信息公开申请20件。", cells)[0]["expected"]
        20.0
    """
    sel = cells[(cells["table"] == "requests") & (cells["col"] == "total")]
    totals = {r.row: r.value for r in sel.itertuples() if r.status in ("ok", "blank")}
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
    m = _NONE_RECEIVED.search(prose)
    if m and as_number(new) > 0:
        issues.append(_narrative_issue(0.0, as_number(new), m.group(0)))
    return issues


def _narrative_issue(stated: float, observed: float, quote: str) -> dict[str, Any]:
    return {"rule": "narrative_mismatch", "table": "requests", "row": "new", "col": "total",
            "expected": stated, "observed": observed, "severity": "warning",
            "message": f"the text says “{quote}” but the table's requests total is {shown(observed)}"}
