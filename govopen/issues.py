"""One finding about a report — an identity that fails, a row not found, a scan — and its row.

Every module that finds a problem (readers, tables, validate, panel) makes an
:class:`Issue`; :meth:`Issue.as_row` is the one way it becomes a row of the
``issues`` table, whose columns the codebook defines (:data:`govopen.codebook.ISSUES`).
:func:`shown` is the one way a number is written into a message.

Example:
    >>> issue = Issue("appeals_total", "error", "appeals row review: 1 vs 2", table="appeals",
    ...               row="review", col="total", expected=1.0, observed=2.0)
    >>> issue.as_row("r1")["rule"], shown(issue.expected), shown(None), shown(16.2)
    ('appeals_total', '1', '∅', '16.2')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass
class Issue:
    """A problem found in a report; one ``issues`` row (see the data contract)."""

    rule: str
    severity: str  # error, warning or info
    message: str
    table: str | None = ""
    row: str | None = ""
    col: str | None = ""
    expected: float | None = None
    observed: float | None = None

    def as_row(self, report_id: str | None = None) -> dict[str, Any]:
        """The ``issues`` row of this issue, in the codebook's column order."""
        return {"report_id": report_id, "rule": self.rule, "table": self.table, "row": self.row,
                "col": self.col, "expected": self.expected, "observed": self.observed,
                "severity": self.severity, "message": self.message}


def shown_box(box: Any) -> str:
    """A bounding box as ``cells.bbox`` and issue messages show it: ``x0,top,x1,bottom``.

    Example:
        >>> shown_box((10, 20.25, 90, 40))
        '10.0,20.2,90.0,40.0'
    """
    if len(box) == 4:  # every box but a malformed one: one format, not a join of four
        x0, top, x1, bottom = box
        return f"{x0:.1f},{top:.1f},{x1:.1f},{bottom:.1f}"
    return ",".join(f"{x:.1f}" for x in box)


def shown(x: float | None) -> str:
    """A number as a message shows it: no ``.0`` on whole numbers, ``∅`` for none.

    Example:
        >>> [shown(v) for v in (3.0, 0.25, float("nan"), None)]
        ['3', '0.25', 'NaN', '∅']
    """
    if x is None:
        return "∅"
    x = float(x)
    if math.isnan(x):
        return "NaN"
    return str(int(x)) if x.is_integer() else str(x)
