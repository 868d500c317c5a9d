"""Bounds for pdfminer on hostile PDFs, installed when the PDF reader is imported.

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

import zlib
from typing import Any

import pdfminer.pdftypes as _types
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.pdftypes import PDFObjectNotFound, PDFObjRef

from govopen.limits import exceeded
from govopen.limits import limits as LIMITS

_CHUNK = 1 << 20


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


def install() -> None:
    """Put the bounded versions in place (idempotent)."""
    PDFObjRef.resolve = _resolve  # type: ignore[method-assign]
    _types.zlib = _BoundedZlib()  # type: ignore[assignment]
    _types.decompress_corrupted = _decompress_corrupted
