"""Decoding the bytes of text and HTML reports (UTF-8, GBK/GB18030, UTF-16 ...)."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from govopen.errors import ReportError

# GB2312 and GBK are subsets of GB18030; decoding with the superset never loses
# characters that a page labelled with the narrower name actually uses.
_LEAD_BYTES = bytes(range(0xC2, 0xF5))  # first bytes of UTF-8 multibyte characters
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "hz": "gb18030", "big5": "big5hkscs"}


def decode_bytes(data: bytes, source: object = "<bytes>", declared: str | None = None) -> str:
    """Decode report bytes to ``str``, detecting the encoding.

    A byte-order mark wins, then valid UTF-8, then UTF-8 with a few bad bytes
    (see :func:`decode_report`), then ``declared`` (e.g. an HTML ``<meta
    charset>``), then strict GB18030, then statistical detection
    (charset-normalizer).

    Example:
        >>> decode_bytes("规章".encode("gbk"))
        '规章'
    """
    return decode_report(data, source, declared)[0]


def decode_report(data: bytes, source: object = "<bytes>", declared: str | None = None
                  ) -> tuple[str, str | None]:
    """:func:`decode_bytes`, and a note when bytes were replaced (for an issue row).

    A UTF-8 file with a stray bad byte or cut in the middle of a character (a
    truncated download) is still UTF-8: it is decoded with U+FFFD in place of
    the bad bytes, when they are at most one in a thousand, and the note says so.

    Example:
        >>> text, note = decode_report("报告".encode() * 50 + "报".encode()[:2])
        >>> text[-2:], note
        ('告\\ufffd', '1 byte sequence(s) not valid UTF-8 replaced by U+FFFD')
    """
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            text = data.decode(name, errors="replace")
            bad = text.count("\ufffd") - data.decode(name, errors="ignore").count("\ufffd")
            return text, (f"{bad} byte sequence(s) not valid {name.upper()} replaced by "
                          "U+FFFD" if bad else None)
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")
    multibyte = len(data) - len(data.translate(None, _LEAD_BYTES))  # characters, in C
    if bad <= max(1, len(data) // 1000) and multibyte >= 2 * bad:
        return text, f"{bad} byte sequence(s) not valid UTF-8 replaced by U+FFFD"
    return _legacy(data, source, declared), None


def _legacy(data: bytes, source: object, declared: str | None) -> str:
    if declared:
        name = _SUPERSETS.get(declared.strip().lower(), declared.strip().lower())
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass
    # Mainland reports that are not UTF-8 are GBK/GB18030. Strict GB18030 rejects
    # most other data; statistical detection is unreliable on short Chinese text
    # (it reads 4 GBK bytes as Big5), so it only gets what GB18030 refuses.
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise ReportError(source, "the file is not text in any known encoding (binary data?)")
    name = _SUPERSETS.get(best.encoding.lower(), best.encoding)
    return data.decode(name, errors="replace")
