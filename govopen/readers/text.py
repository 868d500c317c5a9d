"""Plain-text reports (.txt, .md): text extracted from PDF/Word, or saved by a crawler.

Text keeps its lines (a tab inside a line separates table cells). A web crawler's
header — ``标题: …``, ``发布时间: …``, ``原文链接: …`` up to a line of ``=`` around
``正文`` — is taken into :attr:`Document.header` and left out of the report text.

Example:
    >>> doc = read_text_bytes("标题: 某局2021年报告\\n=== 正文 ===\\n一、总体情况\\n".encode())
    >>> (doc.header["title"], doc.text.splitlines()[0])
    ('某局2021年报告', '一、总体情况')
"""

from __future__ import annotations

import re
from pathlib import Path

from govopen.document import Document, DocumentBuilder
from govopen.errors import ReportError
from govopen.limits import check
from govopen.readers.encoding import decode_report

_HEADER_KEYS = {"标题": "title", "发布时间": "published", "发布日期": "published",
                "原文链接": "url", "链接": "url", "发布机构": "publisher", "文号": "doc_number",
                "栏目": "column", "来源": "publisher"}
_BAD_CHARS = re.compile("[\ufffd\x00-\x08\x0b\x0e-\x1f]")
_BODY_MARK = re.compile(r"^=+\s*正文\s*=+\s*$")
_HEADER_LINE = re.compile(r"^(?P<key>[\u4e00-\u9fff]{2,6})\s*[:：]\s*(?P<value>.*)$")


def read_text_file(path: str | Path) -> Document:
    """Read a text report from disk."""
    data = Path(path).read_bytes()
    return read_text_bytes(data, source=path)


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
    for lineno in range(start, len(lines)):
        builder.add_line(lines[lineno], line=lineno + 1)
    return builder.build()


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
