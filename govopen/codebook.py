"""The dataset's schema and codebook: every column of every table, with its labels.

One definition serves three purposes: :func:`conform` gives every table the same
columns and types whatever the corpus (so a parallel build equals a sequential
one, and batches written one after another agree); :func:`codebook` lists every
column with its Chinese and English label, unit and template format; and
:func:`stata_name` maps column names to Stata's 32-character names.

The wide table has one column per template cell, ``table__row__col``
(``requests__new__total``), the same for every corpus: the union of the 2019 and
2021 templates, labels from ``govopen/templates``. Rows a report adds
(``extra:…``) stay in ``cells`` only.

Example:
    >>> [c for c in wide_cell_columns() if c.startswith("requests__new__")][-1]
    'requests__new__total'
    >>> stata_name("requests__new__natural_person")
    'requests__new__natural_person'
    >>> stata_name("requests__unprocessed_publication__natural_person")
    'req_unpr_publ_natu_person_20ba'
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

import pandas as pd

from govopen.missing import CODES, VALUE_LABEL, status_column, status_pairs
from govopen.templates import FORMATS, TABLES, template


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # str, float, int, list (of floats)
    zh: str
    en: str
    unit: str = ""
    format: str = ""


def _cols(*specs: tuple[str, ...]) -> tuple[Column, ...]:
    return tuple(Column(*s) for s in specs)


REPORTS = _cols(
    ("report_id", "str", "报告标识（raw 目录下的相对路径）", "Report ID (path under the raw folder)"),
    ("agency", "str", "机关名称（清单优先）", "Agency (manifest value if given)"),
    ("agency_id", "str", "机关标识，跨年度匹配用", "Agency ID linking years of one agency"),
    ("agency_printed", "str", "报告所载机关名称", "Agency as read from the report"),
    ("agency_source", "str", "机关名称出处", "Where the agency name was read (title, signature, text)"),
    ("year", "int", "报告年度", "Year reported on"),
    ("prev_report_id", "str", "同一机关上一年度报告", "Same agency's report for the previous year"),
    ("duplicate_of", "str", "重复：同一机关同年度保留的报告",
     "A copy: the report kept for the same agency and year (empty: not a copy)"),
    ("level", "str", "机关层级", "Level of the body (province … township, department)"),
    ("region_level", "str", "所属政府层级", "Level of the government the body belongs to"),
    ("province", "str", "省级行政区", "Province"),
    ("prefecture", "str", "地级行政区", "Prefecture"),
    ("county", "str", "县级行政区", "County"),
    ("township", "str", "乡级行政区", "Township"),
    ("adcode", "str", "行政区划代码（县级及以上）", "Administrative division code (6 digits)"),
    ("lat", "float", "纬度", "Latitude of the division", "度"),
    ("lng", "float", "经度", "Longitude of the division", "度"),
    ("region_source", "str", "地区信息来源", "Where the region came from (manifest, agency, text, folder)"),
    ("title", "str", "报告标题", "Title"),
    ("period_start", "str", "统计期限起", "Reporting period start"),
    ("period_end", "str", "统计期限止", "Reporting period end"),
    ("published", "str", "发布日期", "Publication date"),
    ("url", "str", "原文链接", "Source URL"),
    ("retrieved", "str", "下载日期", "Date retrieved"),
    ("notes", "str", "备注", "Notes (manifest)"),
    ("format", "str", "模板格式", "Template format (2019, 2021, mixed)"),
    ("format_proactive", "str", "二、主动公开表格式", "Format of table 二 (proactive)"),
    ("format_requests", "str", "三、依申请公开表格式", "Format of table 三 (requests)"),
    ("format_appeals", "str", "四、复议诉讼表格式", "Format of table 四 (appeals)"),
    ("source_file", "str", "源文件", "Source file"),
    ("file_type", "str", "文件类型", "File type"),
    ("sha256", "str", "文件 SHA-256", "SHA-256 of the file"),
    ("pages", "int", "页数", "Pages (PDF)"),
    ("input_form", "str", "输入形式",
     "Input form detected: pdf, html, docx, doc, markdown, text-tabs, text-layout, "
     "text-lines, text-pages, text-spaces, text-flat"),
    ("n_extra_rows", "int", "模板外行数", "Rows the report adds to the template (extra: rows)"),
    ("parser_version", "str", "解析器版本", "Parser version"),
    ("n_errors", "int", "错误数（本报告）", "Errors found in the report itself"),
    ("n_warnings", "int", "警告数（本报告）", "Warnings found in the report itself"),
)

CELLS = _cols(
    ("report_id", "str", "报告标识", "Report ID"),
    ("table", "str", "表格（二、三、四）", "Table: proactive, requests, appeals"),
    ("row", "str", "行代码", "Row code"),
    ("col", "str", "列代码", "Column code"),
    ("value", "float", "数值（金额为万元）", "Value as printed (money in CNY 10k)"),
    ("raw", "str", "原文", "Cell text as printed"),
    ("status", "str", "读取状态",
     "ok, ok_by_identity (uncertain OCR, or a number's place in its row, confirmed by "
     "identities), blank, ambiguous, "
     "unreadable, missing, corrected"),
    ("unit", "str", "单位", "Unit"),
    ("format", "str", "模板格式", "Template format of the table"),
    ("page", "int", "页码", "Page (PDF)"),
    ("line", "int", "行号", "Line (text)"),
    ("source_table", "int", "源表格序号", "Table index in the source"),
    ("source_row", "int", "源行序号", "Row index in the source table"),
    ("source_col", "int", "源列序号", "Column index in the source table"),
    ("bbox", "str", "边界框", "Bounding box (PDF)"),
    ("offset", "int", "字符位置", "Character offset in the normalised text"),
    ("candidates", "list", "歧义候选值", "Values an ambiguous cell can be read as (ascending)"),
    ("parsed_value", "float", "更正前解析值", "Value as parsed, before a correction"),
    ("parsed_status", "str", "更正前读取状态", "Status as parsed, before a correction"),
    ("note", "str", "更正说明", "Note of the correction (corrections.csv)"),
    ("confidence", "float", "OCR 置信度",
     "OCR: probability of the least certain digit (empty for text-layer values)"),
)

ISSUES = _cols(
    ("report_id", "str", "报告标识", "Report ID"),
    ("rule", "str", "规则", "Rule"),
    ("table", "str", "表格", "Table"),
    ("row", "str", "行代码", "Row code"),
    ("col", "str", "列代码", "Column code"),
    ("expected", "float", "应为", "Expected (from the parts)"),
    ("observed", "float", "实为", "Observed (as printed)"),
    ("severity", "str", "严重程度", "error, warning, info"),
    ("message", "str", "说明", "Message"),
)

SECTIONS = _cols(
    ("report_id", "str", "报告标识", "Report ID"),
    ("section", "int", "部分（1–6）", "Section (1–6)"),
    ("printed_number", "int", "所印序号", "Number as printed"),
    ("heading", "str", "标题", "Heading as printed"),
    ("text", "str", "正文", "Text"),
)

FAILURES = _cols(
    ("file", "str", "文件", "File (path under the raw folder)"),
    ("error", "str", "错误类型", "Error type (ReportError, Timeout, WorkerCrashed, …)"),
    ("message", "str", "说明", "Message"),
)

SCHEMAS: dict[str, tuple[Column, ...]] = {
    "reports": REPORTS, "cells": CELLS, "issues": ISSUES, "sections": SECTIONS,
    "failures": FAILURES,
}


# --------------------------------------------------------------------------- wide


@cache
def _wide() -> tuple[Column, ...]:
    seen: dict[str, dict] = {}
    for table in TABLES:
        for fmt in FORMATS:
            t = template(table, fmt)
            for row, zh in zip(t.rows, _row_labels(t.rows), strict=True):
                for code in row.cols:
                    col = t.col(code)
                    name = f"{table}__{row.code}__{code}"
                    entry = seen.setdefault(name, {"formats": [], "row": row, "col": col,
                                                   "zh": zh})
                    entry["formats"].append(fmt)
    out = []
    for name, e in seen.items():
        row, col = e["row"], e["col"]
        out.append(Column(name, "float", f"{e['zh']}｜{col.zh}", f"{row.en} | {col.en}",
                          col.unit, ", ".join(e["formats"])))
    return tuple(out)


@cache
def _wide_status() -> tuple[Column, ...]:
    """One companion column per wide cell: why its value is missing (:mod:`govopen.missing`)."""
    return tuple(Column(status_column(c.name), "str", f"{c.zh}｜读取状态",
                        f"{c.en} | status: {', '.join(['ok', *CODES, 'corrected'])}", "",
                        c.format) for c in _wide())


def wide_cell_columns() -> list[str]:
    """``table__row__col`` for every cell of the 2019 and 2021 templates, in template order."""
    return [c.name for c in _wide()]


def wide_formats() -> list[str]:
    """Per wide cell, the ``table:format`` tags of the templates it belongs to."""
    return [" ".join(f"{c.name.split('__')[0]}:{f}" for f in c.format.split(", "))
            for c in _wide()]


def wide_schema(report_columns: list[str]) -> tuple[Column, ...]:
    """Report metadata columns, one float column per template cell, then their statuses."""
    meta = _schema_for("reports", report_columns)
    return (*meta, *_wide(), *_wide_status())


_NUMBERED = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)")
_GROUP = re.compile(r"^（[一二三四五六七八九十]+）(?P<group>\S+?)\s+1\.(?P<label>.*)$")
_ITEM = re.compile(r"^\d+\.(?P<label>.*)$")


def _row_labels(rows: tuple) -> list[str]:
    """Row labels without their printed numbering, sub-items with their group:
    ``（三）不予公开 1.属于国家秘密`` → ``不予公开：属于国家秘密``, ``2.重复申请`` under
    ``（五）不予处理`` → ``不予处理：重复申请``."""
    out, group = [], ""
    for row in rows:
        zh = row.zh.strip()
        m = _GROUP.match(zh)
        if m:
            group = m.group("group")
            out.append(f"{group}：{m.group('label').strip()}")
            continue
        m = _ITEM.match(zh)
        if m and group:
            out.append(f"{group}：{m.group('label').strip()}")
            continue
        group = ""
        out.append(_NUMBERED.sub("", zh))
    return out


# --------------------------------------------------------------------------- types


def _schema_for(table: str, columns: list[str]) -> tuple[Column, ...]:
    known = {c.name: c for c in SCHEMAS[table]}
    fixed = [known[c] for c in known]
    extra = sorted(c for c in columns if c not in known)
    return (*fixed, *(Column(c, "str", "", "") for c in extra))


def schema(table: str, columns: list[str] | None = None) -> tuple[Column, ...]:
    """The columns of ``table`` (a fixed list, plus any extra ``columns``, sorted)."""
    if table == "wide":
        return wide_schema(columns or [])
    return _schema_for(table, columns or [])


def conform(frame: pd.DataFrame, table: str, columns: tuple[Column, ...] | None = None
            ) -> pd.DataFrame:
    """``frame`` with exactly the table's columns, in order, with their types.

    Missing columns are added empty; strings stay pandas strings or become Python
    ``str`` or ``None`` (whatever pandas inferred for one batch: a column of
    numbers or of nothing at all is still text), integers nullable ``Int64``.
    """
    columns = columns or schema(table, list(frame.columns))
    n = len(frame)
    return pd.DataFrame({c.name: conform_column(frame[c.name].reset_index(drop=True)
                                                if c.name in frame.columns else None, c.dtype, n)
                         for c in columns})


def conform_column(s: pd.Series | None, dtype: str, n: int) -> pd.Series:
    """One column as :func:`conform` makes it (``s`` None: a column of ``n`` missing values).

    A column that has its type already is returned as it is, index and all.

    Example:
        >>> conform_column(pd.Series(["3", "x"]), "float", 2).tolist()
        [3.0, nan]
    """
    if s is None:
        s = pd.Series([None] * n, dtype=object)
    if dtype == "float":
        return s if s.dtype == "float64" else pd.to_numeric(s, errors="coerce").astype("float64")
    if dtype == "list":
        return pd.Series([_floats(v) for v in s.tolist()], dtype=object)
    if dtype == "int":
        return s if s.dtype == "Int64" else pd.to_numeric(s, errors="coerce").astype("Int64")
    if isinstance(s.dtype, pd.StringDtype):
        return s  # already strings (pandas' own string type)
    return pd.Series([_text(v) for v in s.tolist()], dtype=object)


def _floats(value: object) -> list[float] | None:
    if value is None or isinstance(value, str) or not hasattr(value, "__len__") or not len(value):
        return None  # NaN, None, an empty list: no candidates
    return [float(v) for v in cast(Iterable[Any], value)]  # a list or an array


def _text(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return value if isinstance(value, str) else str(value)


# --------------------------------------------------------------------------- Stata

_TABLE_ABBR = {"proactive": "pro", "requests": "req", "appeals": "app"}
_STATA_RESERVED = {
    "aggregate", "array", "boolean", "break", "byte", "case", "catch", "class", "colvector",
    "complex", "const", "continue", "default", "delegate", "delete", "do", "double", "else",
    "eltypedef", "end", "enum", "explicit", "export", "external", "float", "for", "friend",
    "function", "global", "goto", "if", "inline", "int", "local", "long", "NULL", "pragma",
    "protected", "quad", "rowvector", "short", "typedef", "typename", "virtual", "_all", "_N",
    "_skip", "_b", "_pi", "str#", "in", "_pred", "strL", "_coef", "_rc", "using", "_cons",
    "_se", "with", "_n",
}
_VALID = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,31}")


def stata_name(name: str) -> str:
    """A Stata variable name for a column: the name itself when it is valid and at
    most 32 characters, else a shortened form (tables as pro/req/app, then long
    words cut to four letters) ending in four hex digits of the name's SHA-1, so
    the mapping depends on the name alone."""
    if _VALID.fullmatch(name) and name not in _STATA_RESERVED:
        return name
    parts = name.split("__")
    parts[0] = _TABLE_ABBR.get(parts[0], parts[0])
    base = re.sub(r"[^A-Za-z0-9_]+", "_", "_".join(parts)).strip("_") or "v"
    if base[0].isdigit():
        base = "v" + base
    if _VALID.fullmatch(base) and base not in _STATA_RESERVED and base == "_".join(parts):
        return base
    words = base.split("_")
    while len("_".join(words)) > 27 and any(len(w) > 4 for w in words):
        i = max(range(len(words)), key=lambda k: (len(words[k]), -k))
        words[i] = words[i][:4]
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:4]
    return f"{'_'.join(words)[:27].rstrip('_')}_{digest}"


def stata_names(columns: list[str]) -> dict[str, str]:
    """Column → Stata name for a whole table (checked to be unique)."""
    names = {c: stata_name(c) for c in columns}
    if len(set(names.values())) != len(names):
        dupes = sorted(c for c in columns if list(names.values()).count(names[c]) > 1)
        raise ValueError(f"Stata names collide for {dupes}")
    return names


def stata_label(column: Column) -> str:
    """A variable label (Stata allows 80 characters): the Chinese label, else English."""
    label = column.zh or column.en or column.name
    return label if len(label) <= 80 else label[:79] + "…"


# --------------------------------------------------------------------------- codebook

CODEBOOK_COLUMNS = ["table", "column", "stata_name", "type", "zh", "en", "unit", "format"]


def codebook(tables: dict[str, tuple[Column, ...]]) -> pd.DataFrame:
    """One row per column of every table (``tables``: name → its columns)."""
    rows = []
    for table, cols in tables.items():
        companions = {s for _, s in status_pairs([c.name for c in cols])}
        stata = (stata_names([c.name for c in cols if c.name not in companions])
                 if table == "wide" else {})  # status columns are missing values in Stata
        for c in cols:
            rows.append({"table": table, "column": c.name, "stata_name": stata.get(c.name, ""),
                         "type": c.dtype, "zh": c.zh, "en": c.en, "unit": c.unit,
                         "format": c.format})
    if "wide" in tables:  # the extended missing values of wide.dta
        for status, code in CODES.items():
            rows.append({"table": "missing_codes", "column": status,
                         "stata_name": f".{code.letter}", "type": VALUE_LABEL, "zh": code.zh,
                         "en": code.en, "unit": "", "format": ""})
    return pd.DataFrame(rows, columns=CODEBOOK_COLUMNS)


_INTRO = """# Codebook

Every column of every table that `govopen build` writes. `format` is the template
format(s) a cell exists in (国办公开办函〔2019〕60号 = 2019, 〔2021〕30号 = 2021);
`unit` is empty for counts. In `wide.dta` the variables carry the Chinese label;
`stata_name` is the variable name there (names longer than Stata's 32 characters
are shortened and end in four hex digits of the full name's SHA-1).

Why a value is missing is kept: `cells.status`, and in `wide` a companion
`<cell>__status` column per cell (not in `wide.dta`, where the missing value
itself says it: its `stata_name` is empty). In `wide.dta` a missing value is one of Stata's
extended missing values, labelled by the value label `missing_reason` (table
`missing_codes` below): `.b` blank, `.a` ambiguous, `.u` unreadable, `.m` not
printed, `.c` conflicting copies; plain `.` is a cell the report's template format
does not have. In Stata, `tab requests__new__total, missing` counts them and
`requests__new__total >= .` selects them all; in pandas,
`pd.read_stata("wide.dta", convert_missing=True, convert_categoricals=False)`.
A value typed in `data/raw/corrections.csv` has status `corrected`, with the
parsed value in `cells.parsed_value`.

Cross-year checks (rules `carry_over`, `in_force_stock`) are issues rows of the
later report, and `duplicate_report` a row of each copy (`duplicate_of`) of a
report of the same agency and year; they are not counted in `n_errors`/`n_warnings`,
which describe the report on its own.
"""


def to_markdown(book: pd.DataFrame) -> str:
    """The codebook as Markdown, one section per table."""
    out = [_INTRO]
    for table, rows in book.groupby("table", sort=False):
        out.append(f"\n## {table}\n")
        wide = table in ("wide", "missing_codes")
        head = ["column", *(["stata_name"] if wide else []), "type", "zh", "en", "unit",
                *(["format"] if wide else [])]
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "---|" * len(head))
        for r in rows.itertuples(index=False):
            cells = [f"`{r.column}`", *([f"`{r.stata_name}`"] if wide else []), r.type,
                     r.zh, r.en, r.unit, *([r.format] if wide else [])]
            out.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(out) + "\n"
