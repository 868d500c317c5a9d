"""OCR'd values read with too little confidence: flagged, or confirmed by identities.

A cell whose least certain digit scored below
:data:`govopen.readers.ocr.CONFIDENCE_THRESHOLD` is never taken at face value:

* it becomes NaN with status ``unreadable`` and an ``ocr_low_confidence``
  warning naming its page and bounding box;
* unless the template's identities settle it: each other reading of its
  uncertain digits (the recogniser's runner-up characters) is tried, and when
  exactly one reading satisfies every identity the cell takes part in (and at
  least one identity can be checked), that reading is kept with status
  ``ok_by_identity`` and an ``ocr_confirmed_by_identity`` info issue.

The identities are those of :func:`govopen.validate.check_identities`, used as
they are: which identities a cell takes part in is found by giving it an
impossible value and seeing which checks fail.

Example:
    >>> import pandas as pd
    >>> cells = pd.DataFrame([
    ...     {"table": "appeals", "row": "review", "col": c, "value": v, "raw": str(v),
    ...      "status": "ok", "confidence": p, "page": 1, "bbox": "0,0,1,1"}
    ...     for c, v, p in zip(["upheld", "corrected", "other", "pending", "total"],
    ...                        [1, 0, 0, 0, 7], [1, 1, 1, 1, 0.4])])
    >>> out, issues = resolve(cells, {4: ("7", "1")})
    >>> out["value"].tolist()[-1], out["status"].tolist()[-1]
    (1.0, 'ok_by_identity')
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from govopen.issues import Issue, shown
from govopen.readers.ocr import CONFIDENCE_THRESHOLD
from govopen.validate import check_identities

# A value no reading can have: a cell given it fails every identity it is in.
_IMPOSSIBLE = 1e12


def is_uncertain(confidence: Any) -> bool:
    """Whether an OCR confidence is below the threshold (None: not OCR'd)."""
    return confidence is not None and not pd.isna(confidence) and (
        float(confidence) < CONFIDENCE_THRESHOLD)


def resolve(cells: pd.DataFrame, readings: dict[int, tuple[str, ...] | None]
            ) -> tuple[pd.DataFrame, list[Issue]]:
    """Flag or confirm the uncertain cells of one report.

    ``readings`` maps a row position of ``cells`` to the other readings OCR
    offers for it. Returns the updated cells and the issue rows.
    """
    # Plain lists: per-row pandas access would cost every report more than the check.
    uncertain = [i for i, (p, s) in enumerate(zip(cells["confidence"].tolist(),
                                                  cells["status"].tolist(), strict=True))
                 if is_uncertain(p) and s in ("ok", "blank")]
    if not uncertain:  # every text-layer report: no copy to make
        return cells, []
    cells = cells.copy()
    status = cells.columns.get_loc("status")
    value = cells.columns.get_loc("value")
    for i in uncertain:
        cells.iat[i, value] = math.nan
        cells.iat[i, status] = "unreadable"
    issues: list[Issue] = []
    # Confirming one cell may make an identity of another checkable: repeat.
    changed = True
    left = list(uncertain)
    while changed:
        changed = False
        for i in list(left):
            chosen = _confirm(cells, i, readings.get(i) or ())
            if chosen is None:
                continue
            cells.iat[i, value] = chosen
            cells.iat[i, status] = "ok_by_identity"
            left.remove(i)
            changed = True
            issues.append(_issue(cells, i, "ocr_confirmed_by_identity", "info",
                                 f"OCR was unsure of this value; of its possible readings "
                                 f"({', '.join(readings.get(i) or ())}) only {shown(chosen)} "
                                 "satisfies every identity it is part of", chosen))
    for i in left:
        issues.append(_issue(cells, i, "ocr_low_confidence", "warning",
                             f"OCR read {cells['raw'].iat[i]!r} with confidence "
                             f"{float(cells['confidence'].iat[i]):.2f} (below "
                             f"{CONFIDENCE_THRESHOLD:.2f}); left NaN", None))
    return cells, issues


def _confirm(cells: pd.DataFrame, i: int, options: tuple[str, ...]) -> float | None:
    values = sorted({v for v in (_number(o) for o in options) if v is not None})
    if not values:
        return None
    base = {(f.rule, f.table, f.row, f.col)
            for f in check_identities(cells[["table", "row", "col", "value", "status"]])}
    touched = _failures(cells, i, _IMPOSSIBLE) - base
    if not touched:
        return None  # no identity can be checked: nothing to confirm with
    fits = [v for v in values if not (_failures(cells, i, v) & touched)]
    return fits[0] if len(fits) == 1 else None


def _failures(cells: pd.DataFrame, i: int, v: float
              ) -> set[tuple[str, str | None, str | None, str | None]]:
    trial = cells[["table", "row", "col", "value", "status"]].copy()
    trial.iat[i, 3] = v
    trial.iat[i, 4] = "ok"
    return {(f.rule, f.table, f.row, f.col) for f in check_identities(trial)}


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def _issue(cells: pd.DataFrame, i: int, rule: str, severity: str, message: str,
           value: float | None) -> Issue:
    page, bbox = cells["page"].iat[i], cells["bbox"].iat[i]
    where = f"page {page}, bbox {bbox}: " if not pd.isna(page) else ""
    return Issue(rule, severity, where + message, table=cells["table"].iat[i],
                 row=cells["row"].iat[i], col=cells["col"].iat[i], expected=value)
