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
from typing import Any, cast

import pandas as pd

from govopen.issues import Issue, shown, shown_box
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
    # The columns are taken once: a pandas look-up per cell made a report of
    # 20,000 cells take 15 s here.
    uncertain = [i for i, (c, s) in enumerate(zip(cells["confidence"].tolist(),
                                                  cells["status"].tolist(), strict=True))
                 if s in ("ok", "blank") and is_uncertain(c)]
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


def unfound_rows(cells: pd.DataFrame, findings: list[Issue], pages: dict[int, list[float]]
                 ) -> tuple[pd.DataFrame, list[Issue]]:
    """Rows not found where OCR read the table: ``unreadable``, not ``missing``.

    ``missing`` says a row is not printed. A row of a table on an OCR'd page may
    well be printed with a label the recogniser misread, so a template row that
    was not found (a ``row_not_found`` finding) becomes NaN ``unreadable`` when a
    page it may stand on was OCR'd: a page from that of the row of its table
    found before it to that of the row found after it (the page before the
    latter for a table's first rows). ``pages`` gives each OCR'd page's box. An
    ``ocr_row_not_found`` warning names the page and the box where the row would
    stand: between the rows around it, else the neighbouring row on that page,
    else the whole page.

    Example:
        >>> cells = pd.DataFrame([
        ...     {"table": "proactive", "row": r, "col": "new", "value": v, "raw": "",
        ...      "status": s, "confidence": p, "page": g, "bbox": b}
        ...     for r, v, s, p, g, b in [
        ...         ("rules", 0.0, "ok", 0.99, 2, "10.0,10.0,90.0,20.0"),
        ...         ("normative_docs", math.nan, "missing", math.nan, None, None),
        ...         ("licensing", 5.0, "ok", 0.99, 2, "10.0,40.0,90.0,50.0")]])
        >>> lost = [Issue("row_not_found", "warning", "…", table="proactive",
        ...               row="normative_docs")]
        >>> out, issues = unfound_rows(cells, lost, {2: [0.0, 0.0, 595.0, 842.0]})
        >>> out["status"].tolist()[1], issues[0].message.split(":")[0]
        ('unreadable', 'page 2, bbox 10.0,20.0,90.0,40.0')
    """
    lost = {(f.table, f.row) for f in findings if f.rule == "row_not_found"}
    if not lost or not pages:
        return cells, []  # every text-layer report
    keys = list(zip(cells["table"].tolist(), cells["row"].tolist(), strict=True))
    order = list(dict.fromkeys(keys))  # template order, extra rows in their places
    boxes: dict[tuple[str, str], tuple[int, list[float]]] = {}
    for k, page, bbox in zip(keys, cells["page"].tolist(), cells["bbox"].tolist(), strict=True):
        if pd.isna(page) or not isinstance(bbox, str):
            continue
        box, page = [float(v) for v in bbox.split(",")], int(page)
        if k not in boxes:
            boxes[k] = (page, box)
        elif boxes[k][0] == page:
            b = boxes[k][1]
            boxes[k] = (page, [min(b[0], box[0]), min(b[1], box[1]),
                               max(b[2], box[2]), max(b[3], box[3])])
    status = cells.columns.get_loc("status")
    issues: list[Issue] = []
    out = cells
    for n, key in enumerate(order):
        if key not in lost:
            continue
        before = next((boxes[k] for k in reversed(order[:n]) if k[0] == key[0] and k in boxes),
                      None)
        after = next((boxes[k] for k in order[n + 1:] if k[0] == key[0] and k in boxes), None)
        if before is None and after is None:
            continue  # nothing of the table was found: not a row OCR lost
        first = before[0] if before else cast(tuple, after)[0] - 1
        last = after[0] if after else first
        page = next((p for p in range(first, last + 1) if p in pages), None)
        if page is None:
            continue
        if out is cells:
            out = cells.copy()
        for i, k in enumerate(keys):
            if k == key and out.iat[i, status] == "missing":
                out.iat[i, status] = "unreadable"
        box = _gap(before if before and before[0] == page else None,
                   after if after and after[0] == page else None) or pages[page]
        issues.append(Issue(
            "ocr_row_not_found", "warning",
            f"page {page}, bbox {shown_box(box)}: row {key[1]} was not "
            "found, and may stand here on this OCR'd page with a label OCR misread: its "
            "cells are left NaN unreadable, not missing",
            table=key[0], row=key[1]))
    return out, issues


def _gap(before: tuple[int, list[float]] | None, after: tuple[int, list[float]] | None
         ) -> list[float] | None:
    """The box between two rows' boxes on one page (either may be None)."""
    if before and after:
        a, b = before[1], after[1]
        top, bottom = (a[3], b[1]) if a[3] <= b[1] else (min(a[1], b[1]), max(a[3], b[3]))
        return [min(a[0], b[0]), top, max(a[2], b[2]), bottom]
    return (before or after or (0, None))[1]
