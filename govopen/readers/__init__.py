"""Readers turn a file into a :class:`govopen.document.Document` (text with provenance).

:func:`read_document` picks the reader from the file's extension and checks that
the content agrees with it, so a PDF saved as ``.txt`` is reported as such rather
than parsed as garbage.

Example:
    >>> from govopen.readers import reader_for
    >>> reader_for("report.HTM")
    'html'
"""

from __future__ import annotations

from pathlib import Path

from govopen.document import Document
from govopen.errors import ReportError
from govopen.limits import DEFAULT_TIMEOUT, check

_KINDS = {
    ".txt": "txt", ".text": "txt", ".md": "txt",
    ".html": "html", ".htm": "html", ".shtml": "html", ".xhtml": "html", ".jhtml": "html",
    ".pdf": "pdf", ".docx": "docx", ".doc": "doc", ".wps": "wps", ".et": "wps",
    # a report published as a picture: read by OCR
    ".png": "image", ".jpg": "image", ".jpeg": "image", ".tif": "image", ".tiff": "image",
    ".bmp": "image",
}
SUPPORTED = tuple(k for k, v in _KINDS.items() if v != "wps")

# What the first bytes of a file say it is.
_MAGIC = ((b"%PDF", "pdf"), (b"PK\x03\x04", "zip"), (b"\xd0\xcf\x11\xe0", "ole"),
          (b"\x89PNG", "image"), (b"\xff\xd8\xff", "image"), (b"II*\x00", "image"),
          (b"MM\x00*", "image"), (b"BM", "image"))


def reader_for(path: str | Path) -> str | None:
    """The reader kind for a file name (``txt``, ``html``, ``pdf``, ``docx``, ``doc``)."""
    return _KINDS.get(Path(path).suffix.lower())


def sniff(data: bytes) -> str | None:
    """What the content is by its first bytes: ``pdf``, ``zip`` (docx), ``ole`` (doc)."""
    head = data[:1024].lstrip()
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    # Viewers open a PDF whose header follows some junk bytes (pdfminer does too).
    return "pdf" if b"%PDF-" in data[:1024] else None


def read_document(path: str | Path, pdf_engine: str | None = None,
                  timeout: float | None = DEFAULT_TIMEOUT, ocr: bool = True) -> Document:
    """Read any supported report file into a :class:`Document`.

    ``pdf_engine`` chooses the PDF engine (see :func:`govopen.readers.pdf.read_pdf`).
    ``timeout`` is handed to the readers that need one of their own (PDF, Word,
    the LibreOffice conversion of ``.doc``); see :func:`govopen.read_report`.
    ``ocr=False`` leaves pages without a text layer unread (a ``needs_ocr``
    issue), and images too.

    Raises :class:`govopen.ReportError` for unsupported types, unreadable or
    empty files, and files whose content contradicts their extension.
    """
    path = Path(path)
    kind = reader_for(path)
    if kind is None:
        raise ReportError(path, f"unsupported file type {path.suffix or '(no extension)'!r}; "
                                f"supported: {', '.join(SUPPORTED)}")
    if kind == "wps":
        raise ReportError(path, "WPS files (.wps/.et) are not supported; save the report as "
                                ".docx or PDF")
    try:
        size = path.stat().st_size
        check(path, "file_bytes", size)
        if kind in ("txt", "html"):
            check(path, "text_bytes", size)
        data = path.read_bytes()
    except OSError as exc:
        raise ReportError(path, f"cannot read the file ({exc.strerror or exc})") from None
    if not data.strip():
        raise ReportError(path, "the file is empty")
    content = sniff(data)
    expected = {"pdf": "pdf", "docx": "zip", "doc": "ole", "image": "image"}.get(kind)
    if content != expected:
        found = {"pdf": "a PDF", "zip": "a ZIP/Word (.docx) file", "ole": "an old Word (.doc) file",
                 "image": "an image", None: "text"}[content]
        if expected is not None or content is not None:
            raise ReportError(path, f"the extension says {kind} but the content is {found}; "
                                    "rename the file with the right extension")
    if kind == "txt":
        from govopen.readers.text import read_text_bytes
        return read_text_bytes(data, source=path)
    if kind == "html":
        from govopen.readers.html import read_html
        return read_html(path, data=data)
    if kind == "pdf":
        from govopen.readers.pdf import read_pdf
        return read_pdf(path, timeout=timeout, engine=pdf_engine, ocr=ocr)
    if kind == "image":
        return _read_image(path, ocr)
    from govopen.readers import word
    if kind == "docx":
        return word.read_docx(path, timeout=timeout)
    return word.read_doc(path, timeout=timeout)


def _read_image(path: Path, ocr: bool) -> Document:
    from govopen.document import DocumentBuilder
    from govopen.readers.ocr import IMAGE_TYPES, read_image

    if ocr:
        return read_image(path)
    builder = DocumentBuilder(file_type=IMAGE_TYPES[path.suffix.lower()], pages=1)
    builder.note("needs_ocr", "the report is an image; OCR needed (it was turned off)", "error")
    return builder.build()
