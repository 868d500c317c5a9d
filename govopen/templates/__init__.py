"""The official table templates (2019 and 2021 formats), loaded from CSV data.

``rows.csv`` and ``cols.csv`` beside this file are the single definition of every
row and column code, its Chinese and English label, and the pattern that finds
its label in a report; a row's ``group`` places it in the template's own grouping
(``outcome.withheld``: one of the eight grounds of （三）不予公开, itself one of the
outcomes of 三、本年度办理结果). ``identities.csv`` is the single definition of every
identity the template implies (:class:`Identity`). The parser, the glued-digit
solver, the validator, the cross-year checks, the indicators and the codebook all
read them from here.

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
from collections.abc import Sequence
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


@dataclass(frozen=True)
class Term:
    """One cell of an identity: a row or column code, its sign, and whose report it is."""

    code: str
    sign: int = 1
    previous: bool = False  # the same agency's report of the year before

    @classmethod
    def parse(cls, text: str) -> Term:
        """``-repealed`` → minus; ``previous:in_force`` → the previous year's cell."""
        sign = -1 if text.startswith("-") else 1
        text = text.lstrip("+-")
        previous = text.startswith("previous:")
        return cls(text.removeprefix("previous:"), sign, previous)


@dataclass(frozen=True)
class Identity:
    """An identity the template implies: the signed sum of ``parts`` equals that of ``whole``.

    ``scope`` says what the codes are. ``row``: column codes, and the identity holds
    in every row of ``table`` that has those columns (a row total). ``col``: row
    codes, and it holds in every column (a column total). A part ``group:G`` stands
    for every row whose ``rows.csv`` group is ``G`` or inside it (``group:outcome``:
    all outcome rows), in the order the report prints them. ``previous:`` marks a
    cell of the same agency's report of the year before (a cross-year check).
    ``formats`` are the template formats the identity holds in; a failure is an
    ``issues`` row with ``severity`` (a ``warning`` when a blank cell, counted as 0,
    is involved) and ``message`` (with ``{row}``, ``{col}`` and ``{previous}``).

    Example:
        >>> balance = identity("balance")
        >>> [t.code for t in balance.parts], [t.code for t in balance.whole]
        (['new', 'carried_over'], ['total', 'carried_forward'])
        >>> identity("in_force_stock").parts[0]
        Term(code='in_force', sign=1, previous=True)
    """

    rule: str
    table: str
    scope: str  # row or col
    parts: tuple[Term, ...]
    whole: tuple[Term, ...]
    severity: str
    formats: tuple[str, ...]
    message: str

    @property
    def across_years(self) -> bool:
        """Whether the identity links a report to its agency's report of the year before."""
        return any(t.previous for t in (*self.parts, *self.whole))

    def applies_to(self, *formats: str | None) -> bool:
        """Whether the identity holds for tables printed in ``formats`` (any, if it always holds)."""
        return set(self.formats) >= set(FORMATS) or all(f in self.formats for f in formats)

    def expand(self, present: Sequence[str]) -> tuple[tuple[Term, ...], tuple[Term, ...]]:
        """``parts`` and ``whole`` with each ``group:`` term replaced by the rows of the
        group among ``present`` (row codes in the order printed)."""
        def terms(side: tuple[Term, ...]) -> tuple[Term, ...]:
            out: list[Term] = []
            for t in side:
                if t.code.startswith("group:"):
                    members = group_rows(self.table, t.code.removeprefix("group:"))
                    out += [Term(c, t.sign, t.previous) for c in present if c in members]
                else:
                    out.append(t)
            return tuple(out)
        return terms(self.parts), terms(self.whole)

    def label(self, row: str = "", col: str = "", previous: str = "") -> str:
        """The message of a failure in ``row``/``col`` (against report ``previous``)."""
        return self.message.format(row=row, col=col, previous=previous)


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


@cache
def identities() -> tuple[Identity, ...]:
    """Every identity of ``identities.csv``, in file order.

    Example:
        >>> [i.rule for i in identities() if not i.across_years]
        ['row_total', 'balance', 'outcomes', 'appeals_total']
    """
    return tuple(
        Identity(r["rule"], r["table"], r["scope"],
                 tuple(Term.parse(t) for t in r["parts"].split()),
                 tuple(Term.parse(t) for t in r["whole"].split()),
                 r["severity"], FORMATS if r["formats"] == "both" else tuple(r["formats"].split()),
                 r["message"])
        for r in _read("identities.csv"))


def identity(rule: str) -> Identity:
    """The identity named ``rule`` (``row_total``, ``balance`` …)."""
    return next(i for i in identities() if i.rule == rule)


@cache
def group_rows(table: str, group: str) -> tuple[str, ...]:
    """The codes of ``table``'s rows in ``group`` or a group inside it (both formats).

    Example:
        >>> group_rows("requests", "outcome.unable")
        ('unable_not_held', 'unable_create', 'unable_unclear')
        >>> len(group_rows("requests", "outcome"))
        22
    """
    rows = (r for r in _read("rows.csv") if r["table"] == table
            and (r["group"] == group or r["group"].startswith(group + ".")))
    return tuple(dict.fromkeys(r["code"] for r in rows))


@cache
def subgroups(table: str, group: str) -> dict[str, tuple[str, ...]]:
    """The groups directly inside ``group`` → their rows, in template order.

    Example:
        >>> list(subgroups("requests", "outcome"))
        ['granted', 'partial', 'withheld', 'unable', 'unprocessed', 'other']
    """
    names = dict.fromkeys(
        r["group"][len(group) + 1:].split(".")[0] for r in _read("rows.csv")
        if r["table"] == table and r["group"].startswith(group + "."))
    return {n: group_rows(table, f"{group}.{n}") for n in names}


def table_cols(table: str) -> tuple[str, ...]:
    """Every column code of ``table`` in either format, in template order.

    Example:
        >>> table_cols("appeals")
        ('upheld', 'corrected', 'other', 'pending', 'total')
    """
    return tuple(dict.fromkeys(c.code for f in FORMATS for c in template(table, f).cols))


def check_cell(table: str, row: str, col: str) -> None:
    """Raise ``KeyError`` naming the valid codes unless some format of the template
    has cell ``table``/``row``/``col``.

    Example:
        >>> check_cell("appeals", "review", "upheld")
        >>> check_cell("appeals", "review", "granted")
        Traceback (most recent call last):
        ...
        KeyError: "no column 'granted' in row 'review' of table 'appeals'; columns: upheld, corrected, other, pending, total"
    """
    if table not in TABLES:
        raise KeyError(f"no table {table!r}; tables: {', '.join(TABLES)}")
    rows = [r for f in FORMATS for r in template(table, f).rows]
    if row not in {r.code for r in rows}:
        codes = dict.fromkeys(r.code for r in rows)
        raise KeyError(f"no row {row!r} in table {table!r}; rows: {', '.join(codes)} "
                       "(and extra:<label> rows a report adds)")
    cols = dict.fromkeys(c for r in rows if r.code == row for c in r.cols)
    if col not in cols:
        raise KeyError(f"no column {col!r} in row {row!r} of table {table!r}; "
                       f"columns: {', '.join(cols)}")


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
