"""Decoding the bytes of text and HTML reports (UTF-8, GBK/GB18030, UTF-16 ...)."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from govopen.errors import ReportError

# GB2312 and GBK are subsets of GB18030; decoding with the superset never loses
# characters that a page labelled with the narrower name actually uses.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "hz": "gb18030", "big5": "big5hkscs"}


def decode_bytes(data: bytes, source: object = "<bytes>", declared: str | None = None) -> str:
    """Decode report bytes to ``str``, detecting the encoding.

    A byte-order mark wins, then valid UTF-8, then ``declared`` (e.g. an HTML
    ``<meta charset>``), then strict GB18030, then statistical detection
    (charset-normalizer).

    Example:
        >>> decode_bytes("规章".encode("gbk"))
        '规章'
    """
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(name, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
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
