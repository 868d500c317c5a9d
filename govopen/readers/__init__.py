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


# What each kind of file must start with, and how its content is named in messages.
_EXPECTED = {"pdf": "pdf", "docx": "zip", "doc": "ole", "image": "image",
             "txt": "text", "html": "text"}
_CONTENT = {"pdf": "a PDF", "zip": "a ZIP/Word (.docx) file", "ole": "an old Word (.doc) file",
            "image": "an image", "text": "text"}
_NOT = {"pdf": "not a PDF (no %PDF header)", "docx": "not a .docx file (not a zip package)",
        "doc": "not a .doc file (no Word/OLE header)",
        "image": "not an image (no PNG, JPEG, TIFF or BMP header)",
        "txt": "not text", "html": "not an HTML page"}
# Bytes that text in any encoding govopen reads has (almost) none of: C0 controls but
# tab, newline, form feed and carriage return, and DEL.
_CONTROL = frozenset([*range(0x09), 0x0B, *range(0x0E, 0x20), 0x7F])


def content_of(data: bytes) -> str:
    """What a file's bytes are: a :func:`sniff` kind, ``text`` or ``binary``.

    Example:
        >>> content_of(b"%PDF-1.7"), content_of("报告".encode("gbk")), content_of(bytes(range(64)))
        ('pdf', 'text', 'binary')
    """
    kind = sniff(data)
    if kind is not None:
        return kind
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with its byte-order mark
        return "text"
    controls = sum(1 for b in head if b in _CONTROL)
    return "binary" if b"\x00" in head or controls > 0.05 * len(head) else "text"


def _check_content(path: Path, kind: str, data: bytes) -> None:
    """Raise if the content contradicts the extension, saying what the content is.

    The same bytes get the same description whatever the file is called: random
    binary named ``.pdf`` or ``.txt`` is "binary data", never "text".
    """
    content = content_of(data)
    if content == _EXPECTED[kind]:
        return
    if content == "binary":
        said = (f"{_NOT[kind]} (nor a PDF, Word file or image)" if _EXPECTED[kind] == "text"
                else f"{_NOT[kind]} and not text")
        raise ReportError(path, f"{said}: binary data of no type govopen reads; the file may "
                                "be damaged")
    raise ReportError(path, f"the extension says {kind} but the content is {_CONTENT[content]}; "
                            "rename the file with the right extension")


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
    if not path.exists():
        raise ReportError(path, "no such file")
    if path.is_dir():
        raise ReportError(path, "this is a folder, not a report file; to read every report in "
                                "it, build a dataset: `govopen build FOLDER -o OUT`")
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
    _check_content(path, kind, data)
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
