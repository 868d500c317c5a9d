"""The official table templates (2019 and 2021 formats), loaded from CSV data.

``rows.csv`` and ``cols.csv`` beside this file are the single definition of every
row and column code, its Chinese and English label, and the pattern that finds
its label in a report. The parser, the validator and the codebook all read them
from here.

Example:
    >>> t = template("requests", "2021")
    >>> [r.code for r in t.rows][-5:]
    ['other_no_supplement', 'other_no_fee', 'other_misc', 'total', 'carried_forward']
    >>> t.cols_of("new")
    ('natural_person', 'business', 'research', 'social_org', 'legal_service', 'other_org', 'total')
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

TABLES = ("proactive", "requests", "appeals")
FORMATS = ("2019", "2021")


@dataclass(frozen=True)
class RowDef:
    table: str
    format: str
    code: str
    cols: tuple[str, ...]
    group: str
    zh: str
    en: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class ColDef:
    table: str
    format: str
    code: str
    kind: str  # count, signed or money
    unit: str
    zh: str
    en: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Template:
    """The rows and columns of one table in one format."""

    table: str
    format: str
    rows: tuple[RowDef, ...]
    cols: tuple[ColDef, ...]

    def cols_of(self, row: str) -> tuple[str, ...]:
        return next(r.cols for r in self.rows if r.code == row)

    def col(self, code: str) -> ColDef:
        return next(c for c in self.cols if c.code == code)

    def row(self, code: str) -> RowDef:
        return next(r for r in self.rows if r.code == code)


def _read(name: str) -> list[dict[str, str]]:
    with resources.files(__package__).joinpath(name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@cache
def template(table: str, fmt: str) -> Template:
    """The template of ``table`` (proactive, requests, appeals) in format ``fmt``."""
    if table not in TABLES or fmt not in FORMATS:
        raise ValueError(f"no template for table {table!r} in format {fmt!r}")
    cols = tuple(
        ColDef(r["table"], r["format"], r["code"], r["kind"], r["unit"], r["zh"], r["en"],
               re.compile(r["pattern"]))
        for r in _read("cols.csv")
        if r["table"] == table and r["format"] in (fmt, "both")
    )
    all_cols = tuple(c.code for c in cols)
    rows = tuple(
        RowDef(r["table"], r["format"], r["code"],
               all_cols if r["cols"] == "*" else tuple(r["cols"].split()),
               r["group"], r["zh"], r["en"], re.compile(r["pattern"]))
        for r in _read("rows.csv")
        if r["table"] == table and r["format"] in (fmt, "both")
    )
    return Template(table, fmt, rows, cols)


def labels() -> list[dict[str, str]]:
    """Every row and column code with its labels, for codebooks and figures.

    Example:
        >>> next(x for x in labels() if x["code"] == "granted")["en"]
        'Disclosed in full'
    """
    out = []
    for kind, name in (("row", "rows.csv"), ("col", "cols.csv")):
        for r in _read(name):
            out.append({"table": r["table"], "format": r["format"], "kind": kind,
                        "code": r["code"], "zh": r["zh"], "en": r["en"],
                        "unit": r.get("unit", "")})
    return out
