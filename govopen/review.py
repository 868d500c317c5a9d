"""``govopen review OUT``: a static page to check flagged cells against the printed report.

One card per flagged cell (status ``ambiguous`` or ``unreadable`` by default) and
per identity failure of a built dataset, each with where it was printed (a page
crop with the cell boxed, or the source lines with the cell marked, see
:mod:`govopen.audit`), what the parser read (raw text, candidates) and the cell's
key. The page is one HTML file with its images embedded: it opens from disk in
any browser, offline, with no server and no script.

Beside it, ``corrections_template.csv`` lists the flagged cells in the columns of
``corrections.csv`` (:mod:`govopen.corrections`) with the file's SHA-256 filled
in: type the values read off the page, then append the rows to
``data/raw/corrections.csv`` and build again.

Example:
    >>> from govopen.review import write_review  # doctest: +SKIP
    >>> write_review("reports/review", raw="data/raw", data="data/processed")  # doctest: +SKIP
    {'cards': 312, 'reports': 61, 'page': 'reports/review/index.html', ...}
"""

from __future__ import annotations

import fnmatch
import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from govopen import corrections
from govopen.audit import View, issue_cells, show_cell, show_cells
from govopen.validate import IDENTITY_RULES

STATUSES = ("ambiguous", "unreadable")
PAGE = "index.html"
TEMPLATE = "corrections_template.csv"


@dataclass
class Card:
    report_id: str
    kind: str  # cell or issue
    key: str
    summary: str
    details: list[tuple[str, str]]
    views: list[View]


def write_review(out: str | Path, raw: str | Path = "data/raw",
                 data: str | Path = "data/processed", *, rules: tuple[str, ...] = IDENTITY_RULES,
                 statuses: tuple[str, ...] = STATUSES, reports: tuple[str, ...] = (),
                 limit: int | None = None) -> dict[str, Any]:
    """Write ``OUT/index.html`` and ``OUT/corrections_template.csv`` for a built dataset.

    ``data`` is the output folder of ``govopen build`` (read with
    :func:`govopen.load`), ``raw`` the folder it was built from (reports are read
    again to draw where each cell was printed). ``rules`` and ``statuses`` choose
    the issues and cells shown; ``reports`` keeps only report IDs matching one of
    the patterns (``fujian/*``); ``limit`` caps the number of cards.
    """
    from govopen.corpus import load
    from govopen.report import read_report

    out, raw = Path(out), Path(raw)
    tables = load(data)
    cells, issues, meta = tables["cells"], tables["issues"], tables["reports"]
    flagged = cells[cells["status"].isin(statuses)]
    failed = issues[issues["rule"].isin(rules)]
    if reports:
        flagged = flagged[flagged["report_id"].map(lambda r: _matches(r, reports))]
        failed = failed[failed["report_id"].map(lambda r: _matches(r, reports))]
    sha = dict(zip(meta["report_id"], meta["sha256"], strict=True))
    cards: list[Card] = []
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    for rid in sorted(set(flagged["report_id"]) | set(failed["report_id"])):
        if limit is not None and len(cards) >= limit:
            break
        try:
            report = read_report(raw / rid, report_id=rid)
        except Exception as exc:  # noqa: BLE001 - one bad file never stops the page
            problems.append(f"{rid}: could not be read again ({type(exc).__name__}: {exc})")
            continue
        if report.meta.get("sha256") != sha.get(rid):
            problems.append(f"{rid}: the file changed since the build; build again")
        own = cells[cells["report_id"] == rid]
        for _, cell in flagged[flagged["report_id"] == rid].iterrows():
            cards.append(_cell_card(report, cell))
            rows.append({"file": rid, "sha256": sha.get(rid, ""), "table": cell["table"],
                         "row": cell["row"], "col": cell["col"], "note": _note(cell)})
        for _, issue in failed[failed["report_id"] == rid].iterrows():
            cards.append(_issue_card(report, own, issue))
    if limit is not None:
        cards = cards[:limit]
    out.mkdir(parents=True, exist_ok=True)
    page = out / PAGE
    page.write_text(_page(cards, problems, statuses, rules), encoding="utf-8")
    (out / TEMPLATE).write_text(corrections.template(rows), encoding="utf-8")
    return {"cards": len(cards), "cells": sum(c.kind == "cell" for c in cards),
            "issues": sum(c.kind == "issue" for c in cards),
            "reports": len({c.report_id for c in cards}), "problems": problems,
            "page": str(page), "template": str(out / TEMPLATE)}


def _matches(report_id: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(report_id, p) or report_id == p for p in patterns)


def _note(cell: pd.Series) -> str:
    cands = _candidates(cell)
    printed = f"printed {cell['raw']!r}"
    return f"{cell['status']}; {printed}" + (f"; candidates {cands}" if cands else "")


def _candidates(cell: pd.Series) -> str:
    value = cell.get("candidates")
    if value is None or isinstance(value, float) or not len(value):
        return ""
    return ", ".join(f"{float(v):g}" for v in value)


def _view(report: Any, cell: pd.Series) -> list[View]:
    try:
        return [show_cell(report, cell)]
    except Exception as exc:  # noqa: BLE001 - a card without a picture still says what it is
        return [View("source", f"could not draw this cell: {type(exc).__name__}: {exc}")]


def _cell_card(report: Any, cell: pd.Series) -> Card:
    key = f"{cell['table']}.{cell['row']}.{cell['col']}"
    details = [("status", str(cell["status"])), ("printed", repr(str(cell["raw"] or ""))),
               ("candidates", _candidates(cell) or "—")]
    return Card(cell["report_id"], "cell", key, f"{cell['status']} cell", details,
                _view(report, cell))


def _issue_card(report: Any, cells: pd.DataFrame, issue: pd.Series) -> Card:
    part = issue_cells(cells, issue)
    try:
        views = show_cells(report, part, title=f"{len(part)} cells of the identity") if len(
            part) else []
    except Exception as exc:  # noqa: BLE001 - a card without a picture still says what it is
        views = [View("source", f"could not draw these cells: {type(exc).__name__}: {exc}")]
    key = ".".join(x for x in (issue["table"], issue["row"], issue["col"]) if x)
    details = [("rule", str(issue["rule"])), ("severity", str(issue["severity"])),
               ("expected", _num(issue["expected"])), ("observed", _num(issue["observed"])),
               ("message", str(issue["message"]))]
    return Card(issue["report_id"], "issue", key, f"{issue['rule']} ({issue['severity']})",
                details, views)


def _num(value: Any) -> str:
    return "—" if value is None or pd.isna(value) else f"{float(value):g}"


_CSS = """
body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:1.5em;color:#222;background:#fafafa}
h1{font-size:1.4em} .meta{color:#555}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;margin:1em 0;padding:.8em 1em}
.card.issue{border-left:5px solid #dc1e1e} .card.cell{border-left:5px solid #f0a000}
.card h2{font-size:1.05em;margin:.1em 0 .4em} .card code{background:#f3f3f3;padding:0 .3em}
dl{display:grid;grid-template-columns:max-content auto;gap:.1em 1em;margin:.3em 0}
dt{color:#666} dd{margin:0} .govopen-view{margin:.5em 0} .govopen-view .title{color:#555;
font-size:.85em} .govopen-view img{border:1px solid #ccc} .problems{color:#a00}
"""


def _page(cards: list[Card], problems: list[str], statuses: tuple[str, ...],
          rules: tuple[str, ...]) -> str:
    e = html.escape
    parts = ["<!doctype html>", '<html lang="zh"><head><meta charset="utf-8">',
             "<title>govopen review</title>", f"<style>{_CSS}</style></head><body>",
             "<h1>govopen review</h1>",
             f'<p class="meta">{len(cards)} cards: cells with status {e(", ".join(statuses))}; '
             f'identity failures ({e(", ".join(rules))}). Fill in '
             f"<code>{TEMPLATE}</code> beside this page and append it to "
             "<code>data/raw/corrections.csv</code>.</p>"]
    if problems:
        parts.append('<ul class="problems">' + "".join(f"<li>{e(p)}</li>" for p in problems)
                     + "</ul>")
    for n, card in enumerate(cards, start=1):
        details = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in card.details)
        views = "".join(v.html() for v in card.views) or "<p>(no printed cell to show)</p>"
        parts.append(f'<section class="card {card.kind}" id="card-{n}"><h2>{n}. '
                     f"<code>{e(card.report_id)}</code> · <code>{e(card.key)}</code> · "
                     f"{e(card.summary)}</h2><dl>{details}</dl>{views}</section>")
    parts.append("</body></html>")
    return "\n".join(parts)
