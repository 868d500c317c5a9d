"""Plain-text reports (.txt, .md): text extracted from PDF/Word, or saved by a crawler.

Text keeps its lines (a tab inside a line separates table cells). A web crawler's
header — ``标题: …``, ``发布时间: …``, ``原文链接: …`` up to a line of ``=`` around
``正文`` — is taken into :attr:`Document.header` and left out of the report text.
Markdown pipe rows become rows of cells (:mod:`govopen.readers.markdown`), page
furniture of PDF dumps is dropped (:mod:`govopen.readers.furniture`), and the
form the text is in is recorded as :attr:`Document.form` (see :data:`FORMS`).

Example:
    >>> doc = read_text_bytes("标题: 某局2021年报告\\n=== 正文 ===\\n一、总体情况\\n".encode())
    >>> (doc.header["title"], doc.text.splitlines()[0])
    ('某局2021年报告', '一、总体情况')
"""

from __future__ import annotations

import re
from functools import cache

from govopen.document import Document, DocumentBuilder
from govopen.errors import ReportError
from govopen.limits import check
from govopen.readers import markdown
from govopen.readers.columns import align_columns, stacked_columns
from govopen.readers.encoding import decode_report
from govopen.readers.furniture import furniture, strip_glued
from govopen.templates import template

# The input forms a text report is recognised in (``reports.input_form``).
FORMS = {
    "markdown": "markdown with pipe tables (crawlers, pymupdf4llm, markitdown, docling)",
    "text-tabs": "text with tab-separated cells (copied from Word, HTML or a PDF table)",
    "text-layout": "text with columns aligned by spaces (pdftotext -layout)",
    "text-lines": "text with one cell per line (pdftotext, pdfminer, pypdfium2)",
    "text-pages": "text with page breaks and cells separated by single spaces (pypdfium2)",
    "text-spaces": "text with cells separated by single spaces",
    "text-flat": "text flattened onto few long lines (crawled page)",
}
_ALIGNED = re.compile(r"\S {2,}\d")
_BARE_NUMBER = re.compile(r"^\s*[\d.,]+\s*$")

_HEADER_KEYS = {"标题": "title", "发布时间": "published", "发布日期": "published",
                "原文链接": "url", "链接": "url", "发布机构": "publisher", "文号": "doc_number",
                "栏目": "column", "来源": "publisher"}
_BAD_CHARS = re.compile("[\ufffd\x00-\x08\x0b\x0e-\x1f]")
_BODY_MARK = re.compile(r"^=+\s*正文\s*=+\s*$")
_HEADER_LINE = re.compile(r"^(?P<key>[\u4e00-\u9fff]{2,6})\s*[:：]\s*(?P<value>.*)$")


def read_text_bytes(data: bytes, source: object = "<text>") -> Document:
    """Read a text report from bytes (any common Chinese encoding)."""
    if not data.strip():
        raise ReportError(source, "the file is empty")
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReportError(source, "this is a binary file, not text")
    text, note = decode_report(data, source)
    return read_text_string(text, source, note)


def read_text_string(text: str, source: object = "<text>",
                     encoding_note: str | None = None) -> Document:
    """Build a :class:`Document` from text already in memory (``encoding_note``:
    what decoding replaced, an ``encoding_repaired`` issue row)."""
    bad = len(_BAD_CHARS.findall(text))
    if text and bad / len(text) > 0.05:
        raise ReportError(source, "the file is not readable text (binary data or wrong encoding)")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    check(source, "lines", len(lines))
    builder = DocumentBuilder(file_type="txt")
    if encoding_note:
        builder.note("encoding_repaired", encoding_note, "warning")
    start = _crawler_header(lines, builder.header)
    # A form feed (pdftotext, pypdfium2) starts a new page, even inside a line.
    parts, linenos, pages, page = [], [], [], 1
    for lineno in range(start, len(lines)):
        for k, part in enumerate(lines[lineno].split("\f")):
            page += 1 if k else 0
            parts.append(part)
            linenos.append(lineno + 1)
            pages.append(page)
    is_md = markdown.looks_like_markdown(parts)
    builder.form = detect_form(parts, is_md)
    if builder.form == "text-spaces" and page > 1:
        builder.form = "text-pages"
    drop = furniture(parts, pages, markdown=is_md)
    pipe_rows = markdown.table_rows(parts) if is_md else {}
    kept = [i for i in range(len(parts)) if i not in drop]
    aligned = dict(zip(kept, align_columns([strip_glued(parts[i]) for i in kept],
                                           [pages[i] for i in kept], _widths()), strict=True)
                   ) if builder.form == "text-layout" else {}
    stacked: dict[int, tuple[int, ...]] = {}
    if builder.form == "text-lines":
        stacked = {kept[i]: tuple(kept[j] for j in row) for i, row in stacked_columns(
            [parts[i] for i in kept], is_header=_names_column).items()}
    in_stack = {j for row in stacked.values() for j in row}
    for i, part in enumerate(parts):
        if i in drop:
            continue
        if (stacked_row := stacked.get(i)) is not None:
            # A row of a table printed column by column: an unlabelled row of cells.
            builder.add_row(["", *(parts[j].strip() for j in stacked_row)],
                            lines=[None, *(linenos[j] for j in stacked_row)], line=linenos[i])
            continue
        if i in in_stack:
            continue
        if (aligned_row := aligned.get(i)) is not None:
            builder.add_row(aligned_row, line=linenos[i])
            continue
        if is_md:
            cells = pipe_rows.get(i)
            if cells is not None:
                builder.add_row(cells, line=linenos[i])
                continue
            if markdown.is_rule(part) or markdown.is_break(part):
                continue
            part = markdown.plain(part)
        builder.add_line(strip_glued(part), line=linenos[i])
    return builder.build()


def detect_form(lines: list[str], is_markdown: bool | None = None) -> str:
    """Which of :data:`FORMS` a text is in, from how its lines look.

    Example:
        >>> detect_form(["规章\\t0\\t0\\t3", "行政许可\\t5", "行政处罚\\t7"])
        'text-tabs'
        >>> detect_form(["| 规章 | 0 | 0 | 3 |", "|---|---|---|---|", "| 行政许可 | 5 | | |"])
        'markdown'
    """
    if is_markdown if is_markdown is not None else markdown.looks_like_markdown(lines):
        return "markdown"
    filled = [ln for ln in lines if ln.strip()]
    if sum("\t" in ln.strip() for ln in filled) >= 3:
        return "text-tabs"
    if sum(bool(_ALIGNED.search(ln.strip())) for ln in filled) >= 5:
        return "text-layout"
    if sum(bool(_BARE_NUMBER.match(ln)) for ln in filled) >= 15:
        return "text-lines"
    if len(filled) < 15 and sum(map(len, filled)) > 1500:
        return "text-flat"
    return "text-spaces"


_NUMBERING = re.compile(r"^[(（]?[一二三四五六七八九十\d]{1,2}[)）、.．]?")


@cache
def _patterns(kind: str) -> tuple[re.Pattern[str], ...]:
    return tuple(d.pattern for table in ("proactive", "requests", "appeals")
                 for fmt in ("2019", "2021")
                 for d in (template(table, fmt).cols if kind == "cols" else template(table, fmt).rows))


@cache
def _widths() -> frozenset[int]:
    """How many value columns a row of the template's tables has (section 四 is
    often printed as one row of all its cells).

    Example:
        >>> sorted(_widths())
        [1, 2, 3, 5, 7, 15]
    """
    out: set[int] = set()
    for fmt in ("2019", "2021"):
        for table in ("proactive", "requests", "appeals"):
            out |= {len(r.cols) for r in template(table, fmt).rows}
        appeals = template("appeals", fmt)
        out.add(len(appeals.rows) * len(appeals.cols))
    return frozenset(out)


def _names_column(line: str) -> bool | None:
    """True when a line of text names a column of the template's tables, None when
    it starts with a row's label (the numbers next to it are a row), else False."""
    flat = re.sub(r"\s+", "", line)
    if any(p.search(flat) for p in _patterns("cols")):
        return True
    rest = _NUMBERING.sub("", flat)
    if any((m := p.search(rest)) and m.start() <= 2 for p in _patterns("rows")):
        return None
    return False


def _crawler_header(lines: list[str], header: dict[str, str]) -> int:
    """Parse a crawler header; return the index of the first body line."""
    for i, line in enumerate(lines[:30]):
        if _BODY_MARK.match(line.strip()):
            for head in lines[:i]:
                m = _HEADER_LINE.match(head.strip())
                if m and m.group("key") in _HEADER_KEYS and m.group("value").strip():
                    header.setdefault(_HEADER_KEYS[m.group("key")], m.group("value").strip())
            return i + 1
    return 0
