"""Reading Word reports: ``.docx`` with python-docx, old ``.doc`` via LibreOffice.

The body is read in document order: each paragraph is a line, each table row a
line of tab-separated cells (see :mod:`govopen.document`). Tables follow the
grid rule the parser relies on: every row lists each cell that *starts* in that
row once, in column order (``gridSpan`` cells once), and each grid column a
cell continuing a vertical merge (``vMerge``) from the row above covers is an
empty string (:func:`govopen.document.grid_rows`). A table
nested in a cell is emitted as rows of its own, right after the row holding it.

Automatic numbering (``一、`` ``（一）`` ``1.`` produced by Word's list numbering
rather than typed) is rendered into the text, because section and item labels
of these reports are often numbered that way.

Example:
    >>> doc = read_docx("tests/fixtures/word/report_merged.docx")  # doctest: +SKIP
    >>> doc.text.splitlines()[0]  # doctest: +SKIP
    '某某县人民政府2023年政府信息公开工作年度报告'
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docx
from docx.opc.exceptions import OpcError
from docx.oxml.ns import qn

from govopen.document import Document, DocumentBuilder, GridCell, grid_rows, join_wrapped
from govopen.errors import ReportError, ReportTimeout
from govopen.limits import DEFAULT_TIMEOUT, exceeded, time_limit
from govopen.limits import limits as LIMITS

_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_W_P, _W_TBL, _W_TR, _W_TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
_W_SDT, _W_SDT_CONTENT, _W_CUSTOM_XML = qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")
_W_T, _W_TAB, _W_BR, _W_CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_W_NB_HYPHEN, _W_TXBX = qn("w:noBreakHyphen"), qn("w:txbxContent")
_W_VAL = qn("w:val")
# Elements whose text is not part of what the reader sees: deleted or moved-away
# revisions, field instructions, properties, and the fallback copy of content
# whose preferred form (mc:Choice) is read instead.
_SKIP = {qn("w:del"), qn("w:moveFrom"), qn("w:instrText"), qn("w:delText"), qn("w:pPr"),
         qn("w:rPr"), _MC + "Fallback"}

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SOFFICE_HELP = (
    "reading .doc files needs LibreOffice, and neither soffice nor libreoffice is on "
    "PATH; install it (Debian/Ubuntu: apt-get install libreoffice-writer; elsewhere: "
    "download LibreOffice from https://www.libreoffice.org/download/) or save the "
    "file as .docx"
)


def _head(source: str) -> bytes:
    try:
        with open(source, "rb") as fh:
            head = fh.read(512)
    except FileNotFoundError:
        raise ReportError(source, "file not found") from None
    except OSError as err:
        raise ReportError(source, f"cannot read the file ({err.strerror or err})") from None
    if not head:
        raise ReportError(source, "the file is empty")
    return head


# --------------------------------------------------------------------------- .doc


def read_doc(path: str | os.PathLike[str],
             timeout: float | None = DEFAULT_TIMEOUT) -> Document:
    """Read an old binary ``.doc`` (or ``.rtf``) by converting it to ``.docx``.

    Runs ``soffice --headless --convert-to docx`` in a temporary directory with
    a private LibreOffice profile (``-env:UserInstallation``), so parallel
    conversions do not fight over the user's profile lock, and kills it after
    ``timeout`` seconds.

    Raises:
        ReportError: LibreOffice is not installed, the conversion failed or took
            too long, or the converted file cannot be read.

    Example:
        >>> doc = read_doc("tests/fixtures/word/report_merged.doc")  # doctest: +SKIP
        >>> doc.file_type  # doctest: +SKIP
        'doc'
    """
    source = os.fspath(path)
    _head(source)  # missing or empty file: a clear message before starting LibreOffice
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise ReportError(source, _SOFFICE_HELP)
    with tempfile.TemporaryDirectory(prefix="govopen-doc-") as tmp:
        # A plain ASCII copy: LibreOffice names its output after the input, and
        # odd file names (spaces, leading dashes) cannot confuse the command line.
        src = Path(tmp, "input" + (Path(source).suffix.lower() or ".doc"))
        shutil.copyfile(source, src)
        outdir = Path(tmp, "out")
        cmd = [soffice, f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}",
               "--headless", "--norestore", "--nolockcheck",
               "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(outdir), str(src)]
        _run_soffice(cmd, source, timeout)
        converted = outdir / "input.docx"
        if not converted.exists():
            raise ReportError(source, "LibreOffice could not convert the file to .docx "
                                      "(damaged, encrypted or not a Word file?)")
        try:
            doc = read_docx(converted, timeout=timeout)
        except ReportError as err:
            raise ReportError(source, f"after conversion by LibreOffice: {err.problem}") from err
    doc.file_type = "doc"
    return doc


def _run_soffice(cmd: list[str], source: str, timeout: float | None) -> None:
    # Its own session, so that on timeout the whole process group dies: the
    # soffice launcher starts soffice.bin as a child that would outlive it.
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    except OSError as err:
        raise ReportError(source, f"cannot start LibreOffice ({err})") from None
    try:
        _, err_out = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise ReportTimeout(source, f"LibreOffice took longer than {timeout:g} s to convert "
                                  "the file") from None
    except BaseException:
        _kill_group(proc)  # e.g. an outer time_limit fired
        raise
    if proc.returncode != 0:
        tail = err_out.decode("utf-8", "replace").strip()[-300:]
        raise ReportError(source, f"LibreOffice failed (exit code {proc.returncode}): {tail}")


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        proc.kill()
    proc.communicate()


# --------------------------------------------------------------------------- .docx


def read_docx(path: str | os.PathLike[str],
              timeout: float | None = DEFAULT_TIMEOUT) -> Document:
    """Read a ``.docx`` report into a :class:`Document`.

    Raises:
        ReportError: the file is missing, empty, not a ``.docx`` package
            (e.g. an old ``.doc`` or an encrypted file), or damaged.

    Example:
        >>> doc = read_docx("tests/fixtures/word/report_merged.docx")  # doctest: +SKIP
        >>> [l for l in doc.text.splitlines() if l.startswith("二、上年结转")]  # doctest: +SKIP
        ['二、上年结转政府信息公开申请数量\\t0\\t0\\t0\\t0\\t0\\t0\\t0']
    """
    source = os.fspath(path)
    head = _head(source)
    if head.startswith(_OLE_MAGIC):
        raise ReportError(source, "not a .docx package: it is an OLE file (an old .doc, "
                                  "or a password-protected .docx); try read_doc")
    if not head.startswith(b"PK"):
        raise ReportError(source, "not a .docx package (not a zip file)")
    with time_limit(timeout, source):
        _check_package(source)
        try:
            document = docx.Document(source)
        except (OpcError, zipfile.BadZipFile, KeyError, ValueError, OSError) as err:
            raise ReportError(source, f"not a valid .docx file ({_package_problem(err)})"
                              ) from err
        except Exception as err:  # lxml and python-docx raise many types on bad XML
            raise ReportError(source, f"damaged .docx file ({type(err).__name__}: "
                                      f"{err})") from err
        builder = DocumentBuilder(file_type="docx")
        try:
            title = (document.core_properties.title or "").strip()
        except Exception:  # a malformed core.xml must not stop the body from being read
            title = ""
        if title:
            builder.header["Title"] = title
        reader = _BodyReader(builder, _Numbering(document, source=source), source=source)
        try:
            reader.blocks(document.element.body)
        except ReportError:
            raise
        except Exception as err:
            raise ReportError(source, f"damaged .docx file ({type(err).__name__}: "
                                      f"{err})") from err
        return builder.build()


# The part without which a zip is no Office document at all (where the Word document
# itself is, its relationships say: python-docx finds it, or raises KeyError).
_WORD_PARTS = {"[Content_Types].xml"}


def _package_problem(err: Exception) -> str:
    """What is wrong with a .docx package, in a reader's words (not python-docx's)."""
    if isinstance(err, KeyError):
        return "a zip without a Word document in it"
    if isinstance(err, zipfile.BadZipFile):
        return "a damaged or truncated zip package"
    if isinstance(err, OSError):
        return f"cannot read it: {err.strerror or err}"
    return "its package parts are damaged"


def _check_package(source: str) -> None:
    """Refuse a zip bomb before python-docx inflates it (the sizes zip records are
    the sizes Python's zipfile will inflate to: it stops at them)."""
    try:
        with zipfile.ZipFile(source) as package:
            parts = package.infolist()
            size = sum(info.file_size for info in parts)
            xml = max((i.file_size for i in parts if i.filename.endswith((".xml", ".rels"))),
                      default=0)
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise ReportError(source, f"not a valid .docx file ({_package_problem(err)})") from err
    names = {info.filename for info in parts}
    if not _WORD_PARTS <= names:
        raise ReportError(source, "not a valid .docx file (a zip without a Word document in it)")
    if size > LIMITS().unzipped_bytes:
        raise exceeded(source, "unzipped_bytes", size)
    if xml > LIMITS().xml_bytes:
        raise exceeded(source, "xml_bytes", xml)


@dataclass
class _BodyReader:
    """Walks the body XML and feeds the builder, in document order."""

    builder: DocumentBuilder
    numbering: _Numbering
    line: int = 0
    tables: int = 0
    source: str = "<docx>"

    def blocks(self, container: Any) -> None:
        for child in _block_children(container):
            if child.tag == _W_P:
                self.paragraph(child)
            elif child.tag == _W_TBL:
                self.table(child)

    def paragraph(self, p: Any) -> None:
        text, boxes = _paragraph_text(p, self.numbering)
        for piece in text.split("\n"):
            # Tabs align text; runs of them are one cell break, edge ones none.
            piece = re.sub(r"[ \u3000]*\t[\t \u3000]*", "\t", piece).strip(" \t\u3000")
            if piece:
                self.line += 1
                self.builder.add_line(piece, line=self.line)
        for box in boxes:  # text boxes anchored in the paragraph come after it
            self.blocks(box)

    def table(self, tbl: Any, depth: int = 1) -> None:
        if depth > LIMITS().depth:
            raise exceeded(self.source, "depth", depth)
        index = self.tables
        self.tables += 1
        cells: list[GridCell] = []
        nested: list[list[Any]] = []  # per row: the tables nested in its cells
        above: dict[int, GridCell] = {}  # grid column -> the cell starting there, reaching down
        trs = list(_children(tbl, _W_TR))
        for ri, tr in enumerate(trs):
            if ri >= LIMITS().rows:
                raise exceeded(self.source, "rows", ri + 1)
            inner: list[Any] = []
            col = self.span(_int(tr.find(f"{qn('w:trPr')}/{qn('w:gridBefore')}"), 0))
            # grid positions left empty before the first cell are printed as empty cells
            cells += [GridCell(ri, c) for c in range(col)]
            last: GridCell | None = None
            for ci, tc in enumerate(_children(tr, _W_TC)):
                if ci >= LIMITS().cols:
                    raise exceeded(self.source, "cols", ci + 1)
                props = tc.find(qn("w:tcPr"))
                span = self.span(_int(props.find(qn("w:gridSpan")) if props is not None
                                      else None, 1))
                vmerge = props.find(qn("w:vMerge")) if props is not None else None
                hmerge = props.find(qn("w:hMerge")) if props is not None else None
                if hmerge is not None and hmerge.get(_W_VAL, "continue") == "continue":
                    if last is not None:  # legacy horizontal merge: covered from the left
                        last.colspan += span
                    col += span
                    continue
                span = max(span, 1)
                top = above.get(col)
                if vmerge is not None and vmerge.get(_W_VAL, "continue") == "continue" \
                        and top is not None and top.row + top.rowspan == ri:
                    top.rowspan += 1  # covered by the cell above (vertical merge)
                    last = None
                elif vmerge is not None and vmerge.get(_W_VAL, "continue") == "continue":
                    # a continuation with nothing above to continue: empty cells
                    cells += [GridCell(ri, c) for c in range(col, col + span)]
                    last = None
                else:
                    last = GridCell(ri, col, self.cell_text(tc, inner), colspan=span)
                    cells.append(last)
                    above[col] = last
                col += span
            nested.append(inner)
        for ri, placed in enumerate(grid_rows(cells, len(trs))):
            self.line += 1
            self.builder.add_row([c.text if c is not None else "" for c, _col in placed],
                                 cols=[col for _c, col in placed], line=self.line, table=index,
                                 row=ri)
            for table in nested[ri]:
                self.table(table, depth + 1)

    def span(self, n: int) -> int:
        if n > LIMITS().span:
            raise exceeded(self.source, "span", n)
        return max(n, 0)

    def cell_text(self, tc: Any, nested: list[Any]) -> str:
        lines = []
        for child in _block_children(tc):
            if child.tag == _W_P:
                text, boxes = _paragraph_text(child, self.numbering)
                lines.append(text)
                lines += [_paragraph_text(p, self.numbering)[0]
                          for box in boxes for p in box.iter(_W_P)]
            elif child.tag == _W_TBL:
                nested.append(child)
        # A tab inside a cell is spacing, not a cell break.
        return join_wrapped([line.replace("\t", " ") for line in lines])


def _children(el: Any, tag: str) -> Iterator[Any]:
    """Children with ``tag``, looking through content controls and custom XML."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag in (_W_SDT, _W_SDT_CONTENT, _W_CUSTOM_XML):
            yield from _children(child, tag)


def _block_children(el: Any) -> Iterator[Any]:
    for child in el:
        if child.tag in (_W_P, _W_TBL):
            yield child
        elif child.tag in (_W_SDT, _W_SDT_CONTENT, _W_CUSTOM_XML):
            yield from _block_children(child)


def _int(el: Any, default: int) -> int:
    if el is None:
        return default
    try:
        return int(el.get(_W_VAL))
    except (TypeError, ValueError):
        return default


def _paragraph_text(p: Any, numbering: _Numbering) -> tuple[str, list[Any]]:
    """The text a reader sees in paragraph ``p``, and its text boxes' contents."""
    parts: list[str] = [numbering.label(p)]
    boxes: list[Any] = []

    def visit(el: Any) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue  # comments and processing instructions have no text
            if tag == _W_T:
                parts.append(child.text or "")
            elif tag == _W_TAB:
                parts.append("\t")
            elif tag in (_W_BR, _W_CR):
                parts.append("\n")
            elif tag == _W_NB_HYPHEN:
                parts.append("-")
            elif tag == _W_TXBX:
                boxes.append(child)
            else:
                visit(child)

    visit(p)
    return "".join(parts), boxes


# --------------------------------------------------------------------------- numbering

_CN_DIGITS = "零一二三四五六七八九"
_LEGAL = str.maketrans("零一二三四五六七八九十", "零壹贰叁肆伍陆柒捌玖拾")


def _chinese_number(n: int) -> str:
    """``1`` -> ``一``, ``12`` -> ``十二``, ``25`` -> ``二十五`` (counting style)."""
    if n <= 0 or n >= 100:
        return str(n)
    tens, ones = divmod(n, 10)
    out = ("" if tens == 1 else _CN_DIGITS[tens]) + "十" if tens else ""
    return out + (_CN_DIGITS[ones] if ones else "")


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                           (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                           (4, "IV"), (1, "I")):
        while n >= value:
            out += letters
            n -= value
    return out


def _letters(n: int) -> str:
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else str(n)


_FORMATS: dict[str, Callable[[int], str]] = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "chineseCounting": _chinese_number,
    "chineseCountingThousand": _chinese_number,
    "taiwaneseCounting": _chinese_number,
    "taiwaneseCountingThousand": _chinese_number,
    "chineseLegalSimplified": lambda n: _chinese_number(n).translate(_LEGAL),
    "ideographLegalTraditional": lambda n: _chinese_number(n).translate(_LEGAL),
    "ideographEnclosedCircle": lambda n: chr(0x3220 + n - 1) if 1 <= n <= 10 else str(n),
    "ideographTraditional": lambda n: "甲乙丙丁戊己庚辛壬癸"[(n - 1) % 10],
    "japaneseCounting": _chinese_number,
    "ideographDigital": lambda n: "".join(_CN_DIGITS[int(d)] for d in str(n)),
    "decimalEnclosedCircle": lambda n: chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n),
    "decimalEnclosedCircleChinese": lambda n: chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n),
    "decimalEnclosedParen": lambda n: f"({n})",
    "decimalFullWidth": lambda n: "".join(chr(0xFF10 + int(d)) for d in str(n)),
    "upperLetter": _letters,
    "lowerLetter": lambda n: _letters(n).lower(),
    "upperRoman": _roman,
    "lowerRoman": lambda n: _roman(n).lower(),
    "none": lambda n: "",
}


@dataclass
class _Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1


@dataclass
class _Numbering:
    """Renders Word list numbering (``w:numPr``) as the visible label text.

    Covers direct and style-linked numbering, level restarts and start
    overrides; bullets render as nothing (they carry no label).
    """

    document: Any
    source: str = "<docx>"
    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)
    style_num: dict[str, tuple[str | None, int | None]] = field(default_factory=dict)
    styles_based: dict[str, str] = field(default_factory=dict)
    counters: dict[str, dict[int, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        try:
            self._load()
        except Exception:  # no or malformed numbering part: no labels, text still read
            self.levels = {}

    def _load(self) -> None:
        part = self.document.part
        try:
            numbering = part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            numbering = None
        abstract: dict[str, dict[int, _Level]] = {}
        if numbering is not None:
            for an in numbering.findall(qn("w:abstractNum")):
                abstract[an.get(qn("w:abstractNumId"))] = {
                    _int_attr(lvl, "w:ilvl", 0): _parse_level(lvl)
                    for lvl in an.findall(qn("w:lvl"))}
            for num in numbering.findall(qn("w:num")):
                ref = num.find(qn("w:abstractNumId"))
                base = abstract.get(str(ref.get(_W_VAL)) if ref is not None else "", {})
                levels = {k: _Level(v.fmt, v.text, v.start) for k, v in base.items()}
                for override in num.findall(qn("w:lvlOverride")):
                    ilvl = _int_attr(override, "w:ilvl", 0)
                    lvl = override.find(qn("w:lvl"))
                    if lvl is not None:
                        levels[ilvl] = _parse_level(lvl)
                    start = override.find(qn("w:startOverride"))
                    if start is not None and ilvl in levels:
                        levels[ilvl].start = _int(start, 1)
                self.levels[num.get(qn("w:numId"))] = levels
        styles = self.document.styles.element
        for style in styles.findall(qn("w:style")):
            sid = style.get(qn("w:styleId"))
            based = style.find(qn("w:basedOn"))
            if based is not None:
                self.styles_based[sid] = based.get(_W_VAL)
            num_pr = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
            if num_pr is not None:
                self.style_num[sid] = _num_pr(num_pr)

    def label(self, p: Any) -> str:
        if not self.levels:
            return ""
        num_id, ilvl = None, None
        ppr = p.find(qn("w:pPr"))
        if ppr is not None:
            num_pr = ppr.find(qn("w:numPr"))
            if num_pr is not None:
                num_id, ilvl = _num_pr(num_pr)
            style = ppr.find(qn("w:pStyle"))
            sid = style.get(_W_VAL) if style is not None else None
            seen = set()
            while sid and sid not in seen and (num_id is None or ilvl is None):
                seen.add(sid)
                s_num, s_lvl = self.style_num.get(sid, (None, None))
                num_id = num_id if num_id is not None else s_num
                ilvl = ilvl if ilvl is not None else s_lvl
                sid = self.styles_based.get(sid)
        if num_id is None or num_id == "0" or num_id not in self.levels:
            return ""
        ilvl = ilvl or 0
        levels = self.levels[num_id]
        if ilvl not in levels:
            return ""
        counts = self.counters.setdefault(num_id, {})
        counts[ilvl] = counts.get(ilvl, levels[ilvl].start - 1) + 1
        if abs(counts[ilvl]) > LIMITS().numbering:
            raise exceeded(self.source, "numbering", counts[ilvl])
        for deeper in [k for k in counts if k > ilvl]:
            del counts[deeper]  # a higher level restarts the levels below it
        lvl = levels[ilvl]
        if lvl.fmt == "bullet":
            return ""

        def fill(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            level = levels.get(k)
            if level is None:
                return ""
            n = counts.get(k, level.start)
            if abs(n) > LIMITS().numbering:
                raise exceeded(self.source, "numbering", n)
            return _FORMATS.get(level.fmt, str)(n)

        return re.sub(r"%(\d)", fill, lvl.text)


def _num_pr(num_pr: Any) -> tuple[str | None, int | None]:
    num_id = num_pr.find(qn("w:numId"))
    ilvl = num_pr.find(qn("w:ilvl"))
    return (num_id.get(_W_VAL) if num_id is not None else None,
            _int(ilvl, 0) if ilvl is not None else None)


def _int_attr(el: Any, name: str, default: int) -> int:
    try:
        return int(el.get(qn(name)))
    except (TypeError, ValueError):
        return default


def _parse_level(lvl: Any) -> _Level:
    fmt = lvl.find(qn("w:numFmt"))
    text = lvl.find(qn("w:lvlText"))
    start = lvl.find(qn("w:start"))
    return _Level(fmt=fmt.get(_W_VAL, "decimal") if fmt is not None else "decimal",
                  text=text.get(_W_VAL, "") if text is not None else "",
                  start=_int(start, 1))
