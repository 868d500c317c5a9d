"""Bounds for PDFium and pdfminer on hostile PDFs.

PDFium parses a page's content stream, inflating it first, in one C call that
no time limit can interrupt (``SIGALRM`` waits for it to return), and it has no
bound of its own on a stream's inflated size. :func:`check_streams` therefore
looks at every stream of the file before PDFium opens it: a Flate stream that
inflates past the ``stream_bytes`` limit, or a content stream of more than
``content_tokens`` tokens (PDFium needs about 1.5 s per million), is a
``ReportError`` naming the limit.

The pdfminer bounds are installed when the PDF reader is imported.

pdfminer trusts the file in three places that a crafted PDF turns into a hang or
a memory blow-up; each is replaced here by a bounded equivalent:

* an object that refers to itself (``4 0 obj 4 0 R endobj``, a page's
  ``/Contents`` or the ``/Info`` dictionary) makes ``resolve1`` loop forever:
  references are followed with a record of the objects seen, and a cycle is a
  ``PDFSyntaxError`` (so a "not a valid PDF" ``ReportError``);
* a Flate stream is inflated whole, however large (a 1 MB stream of zeros
  inflates to 1 GB): inflating stops past the ``stream_bytes`` limit
  (:mod:`govopen.limits`) with a ``ReportError`` naming it;
* a damaged Flate stream is re-read one byte at a time into a growing bytes
  object (quadratic): it is read in one pass, keeping what inflates.

Example:
    >>> import pdfminer.pdftypes as t
    >>> install(); t.zlib.decompress(__import__("zlib").compress(b"abc"))
    b'abc'
"""

from __future__ import annotations

import re
import zlib
from typing import Any

import pdfminer.pdftypes as _types
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.pdftypes import PDFObjectNotFound, PDFObjRef

from govopen.limits import check, exceeded
from govopen.limits import limits as LIMITS

_CHUNK = 1 << 20
# A stream's data starts after its dictionary's ">>" and the keyword.
_STREAM = re.compile(rb">>\s*stream(?:\r\n|\n|\r)")
# Dictionary keys of streams that are not page content (images, fonts, colour
# profiles, object and xref streams, metadata): only their size is bounded.
_NOT_CONTENT = re.compile(rb"/(?:Type|Length[123]|N)\b|/Subtype\s*/(?!Form\b)")
# Each token of a content stream follows one of these (an upper bound's proxy).
_SEPARATORS = (b" ", b"\n", b"\r", b"\t", b"(", b"/", b"[", b"<")


def _resolve(self: PDFObjRef, default: object = None) -> Any:
    seen: set[Any] = set()
    x: Any = self
    while isinstance(x, PDFObjRef):
        if x.objid in seen or x.doc is None:
            raise PDFSyntaxError(f"object {x.objid} refers to itself (a reference loop)")
        seen.add(x.objid)
        try:
            x = x.doc.getobj(x.objid)
        except PDFObjectNotFound:
            return default
    return x


def _inflate(data: bytes, strict: bool = True) -> bytes:
    limit = LIMITS().stream_bytes
    d = zlib.decompressobj()
    out = []
    size = 0
    try:
        chunk = d.decompress(data, _CHUNK)
        while chunk:
            size += len(chunk)
            if size > limit:
                raise exceeded("<pdf>", "stream_bytes", f"more than {size}")
            out.append(chunk)
            chunk = d.decompress(d.unconsumed_tail, _CHUNK)
    except zlib.error:
        if strict:
            raise
    return b"".join(out)


class _BoundedZlib:
    """The ``zlib`` pdfminer's stream decoder sees: ``decompress`` bounded."""

    error = zlib.error

    @staticmethod
    def decompress(data: bytes, *args: Any) -> bytes:
        return _inflate(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(zlib, name)


def _decompress_corrupted(data: bytes) -> bytes:
    return _inflate(data, strict=False)


def check_streams(source: str, data: bytes) -> None:
    """Raise a ``ReportError`` if a stream of the PDF ``data`` is past a limit.

    Streams are found by their keyword (so even in a file whose cross-reference
    table is broken); a stream that does not inflate is left to the reader.

    Example:
        >>> page = b"4 0 obj << /Filter /FlateDecode >> stream" + bytes([10])
        >>> check_streams("a.pdf", page + zlib.compress(b"q Q " * 10))
        >>> check_streams("a.pdf", page + zlib.compress(b"q Q " * 10**6))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        govopen.errors.ReportError: a.pdf: the file exceeds the content_tokens limit (...
    """
    for m in _STREAM.finditer(data):
        head = data[max(0, m.start() - 4096):m.start()]
        dictionary = head[head.rfind(b"obj") + 1:]
        end = data.find(b"endstream", m.end())
        raw = data[m.end():end if end >= 0 else len(data)]
        content = _NOT_CONTENT.search(dictionary) is None
        if b"/FlateDecode" in dictionary:
            _check_inflated(source, raw, content)
        elif content and b"/Filter" not in dictionary:
            check(source, "content_tokens", _tokens(raw))


def _check_inflated(source: str, data: bytes, content: bool) -> None:
    limit = LIMITS().stream_bytes
    d = zlib.decompressobj()
    size = tokens = 0
    try:
        chunk = d.decompress(data, _CHUNK)
        while chunk:
            size += len(chunk)
            if size > limit:
                raise exceeded(source, "stream_bytes", f"more than {size}")
            if content:
                tokens += _tokens(chunk)
                check(source, "content_tokens", tokens)
            chunk = d.decompress(d.unconsumed_tail, _CHUNK)
    except zlib.error:
        pass  # damaged: PDFium and pdfminer read what they can of it


def _tokens(data: bytes) -> int:
    return sum(data.count(sep) for sep in _SEPARATORS)


def install() -> None:
    """Put the bounded versions in place (idempotent)."""
    PDFObjRef.resolve = _resolve  # type: ignore[method-assign]
    _types.zlib = _BoundedZlib()  # type: ignore[assignment]
    _types.decompress_corrupted = _decompress_corrupted
