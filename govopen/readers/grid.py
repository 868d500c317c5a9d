"""The ruled tables of a page image: drawn lines → cells → rows under the grid rule.

A scanned page has no drawing objects, so the rules of its tables are found in
the pixels: morphological opening with a long, thin structuring element keeps
only horizontal (or vertical) runs of ink at least a few percent of the page
long, which text never makes. The segments found become pdfplumber edges, and
pdfplumber's own intersection and cell logic turns them into table cells, so a
scanned table is cut into cells by the same rules as a drawn one.

Rows follow the grid rule of :mod:`govopen.readers.pdf`: each row lists every
cell that *starts* in it once, in column order; a grid position covered by a
cell merged down from an earlier row is ``""``; a position covered by a cell
merged across from the left is not listed again.

Example:
    >>> import numpy as np
    >>> ink = np.zeros((200, 300), np.uint8)
    >>> for y in (10, 100, 190):
    ...     ink[y:y + 2, 10:290] = 255
    >>> for x in (10, 150, 288):
    ...     ink[10:192, x:x + 2] = 255
    >>> tables = find_tables(ink, scale=1.0)
    >>> [len(t.rows) for t in tables], [len(r.cells) for r in tables[0].rows]
    ([2], [2, 2])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np

Bbox = tuple[float, float, float, float]

# A rule is a straight run of ink at least this share of the page's width
# (height, for vertical rules); the longest text run is a few characters.
_MIN_RULE = 0.025
# Tolerances (in points) for snapping and joining segments of one rule: scans
# break rules into pieces and print them a pixel or two apart.
_SNAP = 3.0


@dataclass
class Row:
    """One row of a table under the grid rule."""

    top: float
    cells: list[Bbox | None]  # None: grid position merged down from an earlier row
    cols: list[int]


@dataclass
class Table:
    """A ruled table: its outline, its cells and its rows."""

    bbox: Bbox
    cells: list[Bbox]
    rows: list[Row] = field(default_factory=list)


def find_tables(ink: np.ndarray, scale: float) -> list[Table]:
    """The ruled tables in a binary page image (ink 255 on 0).

    ``scale`` converts pixels to the units of the returned boxes (points:
    ``72 / dpi``). Tables of a single cell (a framed text box) are dropped.
    """
    import cv2
    import pdfplumber.table as pt

    h, w = ink.shape
    edges = []
    for orientation, size in (("h", max(15, int(w * _MIN_RULE))),
                              ("v", max(15, int(h * _MIN_RULE)))):
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT,
                                           (size, 1) if orientation == "h" else (1, size))
        mask = cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel)
        # Close small breaks in a rule (a scan's dropouts) before measuring it.
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel)
        n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for x, y, bw, bh, _area in stats[1:n]:
            if orientation == "h":
                yc = (y + bh / 2) * scale
                edges.append(_edge(x * scale, yc, (x + bw) * scale, yc))
            else:
                xc = (x + bw / 2) * scale
                edges.append(_edge(xc, y * scale, xc, (y + bh) * scale))
    if not edges:
        return []
    edges = pt.merge_edges(edges, _SNAP, _SNAP, _SNAP, _SNAP)
    tables = _tables(edges)
    # A table cut by a page break has no rule along the cut: close its outline
    # at the ends of the column rules and find the cells again.
    extra = []
    for cells in tables:
        x0, top, x1, bottom = _outline(cells)
        for e in edges:
            if (e["orientation"] == "v" and x0 - _SNAP <= e["x0"] <= x1 + _SNAP
                    and e["top"] <= bottom + _SNAP and e["bottom"] >= top - _SNAP):
                top, bottom = min(top, e["top"]), max(bottom, e["bottom"])
        extra += [_edge(x0, top, x1, top), _edge(x0, bottom, x1, bottom),
                  _edge(x0, top, x0, bottom), _edge(x1, top, x1, bottom)]
    if extra:
        tables = _tables(pt.merge_edges(edges + extra, _SNAP, _SNAP, _SNAP, _SNAP))
    out = []
    for cells in tables:
        if len(cells) > 1:
            table = Table(_outline(cells), cells)
            table.rows = grid_rows(cells)
            out.append(table)
    return out


def grid_rows(cells: list[Bbox]) -> list[Row]:
    """A table's cells as rows under the grid rule (see the module docstring).

    Example:
        >>> rows = grid_rows([(0, 0, 20, 10), (0, 10, 10, 20), (10, 10, 20, 20)])
        >>> [(r.cols, r.cells[0] is None) for r in rows]
        [([0], False), ([0, 1], False)]
    """
    xs = sorted({c[0] for c in cells})
    tops = sorted({c[1] for c in cells})
    col_of = {x: i for i, x in enumerate(xs)}
    rows = []
    for row_top in tops:
        starting = sorted((c for c in cells if c[1] == row_top), key=lambda c: c[0])
        boxes: list[Bbox | None] = []
        cols: list[int] = []
        for x in xs:
            cell = next((c for c in starting if c[0] == x), None)
            if cell is not None:
                boxes.append(cell)
                cols.append(col_of[x])
            elif any(c[0] < x < c[2] for c in starting):
                continue  # merged across from the left: listed once already
            else:
                boxes.append(None)  # merged down from an earlier row
                cols.append(col_of[x])
        rows.append(Row(row_top, boxes, cols))
    return rows


def _tables(edges: list[dict[str, Any]]) -> list[list[Bbox]]:
    import pdfplumber.table as pt

    points = pt.edges_to_intersections(edges, _SNAP, _SNAP)
    cells = pt.intersections_to_cells(points)
    # pdfplumber's cells are (x0, top, x1, bottom)
    return [[cast(Bbox, tuple(float(v) for v in c)) for c in t]
            for t in pt.cells_to_tables(cells)]


def _outline(cells: list[Bbox]) -> Bbox:
    return (min(c[0] for c in cells), min(c[1] for c in cells),
            max(c[2] for c in cells), max(c[3] for c in cells))


def _edge(x0: float, top: float, x1: float, bottom: float) -> dict[str, Any]:
    orientation = "h" if top == bottom else "v"
    return {"object_type": "explicit_edge", "orientation": orientation, "x0": float(x0),
            "x1": float(x1), "top": float(top), "bottom": float(bottom),
            "width": float(x1 - x0), "height": float(bottom - top)}
