"""Hostile inputs for the fuzzing suite: crafted attacks and structure-aware mutations.

:func:`inputs` yields ``(name, data)`` pairs, deterministic for a seed: first every
crafted case of :data:`CRAFTED` (PDF object loops, broken xref, decompression
bombs, encrypted files, DOCX zip bombs and absurd spans/numbering, XML entities
and XXE, HTML nested 10^5 deep, huge tables and lines, wrong charsets, glued
20-digit numbers), then random mutations of rendered reports (:mod:`render`):
byte flips, truncations, duplicated chunks, long digit runs, and per format a
mutation that knows its structure (XML attributes of a DOCX, object references
of a PDF, tags of HTML). ``tests/test_fuzz.py`` runs a fixed sample in
``make test``; ``benchmarks/fuzz.py`` runs ten thousand and more.

Every input that refers to an outside file (XXE) refers to :data:`SECRET`'s
file, whose content must never appear in what the parser returns.
"""

from __future__ import annotations

import io
import random
import re
import shutil
import subprocess
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

from render import random_values, render, render_docx, render_html

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SECRET = "govopen-fuzz-secret-7f3a9c"  # written to a file that XXE inputs point at
SECRET_FILE = Path(tempfile.gettempdir()) / "govopen-fuzz-secret.txt"
KINDS = ("txt", "html", "pdf", "docx")
LAYOUTS = ("space", "tab", "lines", "flat")


def secret_file() -> Path:
    if not SECRET_FILE.exists():
        SECRET_FILE.write_text(SECRET + "\n", encoding="utf-8")
    return SECRET_FILE


# --------------------------------------------------------------------------- bases


def _values(rng: random.Random) -> tuple[str, int, dict]:
    return random_values(rng.randint)


def text_report(rng: random.Random) -> bytes:
    fmt_, year, values = _values(rng)
    return render(values, fmt_, year, rng.choice(LAYOUTS)).encode("utf-8")


def html_report(rng: random.Random) -> bytes:
    fmt_, year, values = _values(rng)
    return render_html(values, fmt_, year).encode("utf-8")


@cache
def _docx_bases() -> tuple[bytes, ...]:
    rng = random.Random(14)
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(4):
            fmt_, year, values = _values(rng)
            out.append(render_docx(values, fmt_, year, Path(tmp, f"{i}.docx")).read_bytes())
    return tuple(out)


@cache
def _pdf_bases() -> tuple[bytes, ...]:
    paths = sorted((FIXTURES / "roundtrip").glob("rt_00*.pdf"))[:6]
    paths += [FIXTURES / "pdf" / n for n in ("report_merged.pdf", "borderless.pdf")]
    return tuple(p.read_bytes() for p in paths if p.exists())


def docx_report(rng: random.Random) -> bytes:
    return rng.choice(_docx_bases())


def pdf_report(rng: random.Random) -> bytes:
    return rng.choice(_pdf_bases())


BASES: dict[str, Callable[[random.Random], bytes]] = {
    "txt": text_report, "html": html_report, "pdf": pdf_report, "docx": docx_report}


# --------------------------------------------------------------------------- PDF by hand


def pdf(objects: dict[int, bytes], trailer: bytes = b"/Root 1 0 R", header: bytes = b"",
        xref: bool = True) -> bytes:
    """A PDF file from its objects (``{number: body}``), with a correct xref table."""
    out = bytearray(header + b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for n in sorted(objects):
        offsets[n] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (n, objects[n])
    start = len(out)
    size = max(objects) + 1
    if xref:
        out += b"xref\n0 %d\n0000000000 65535 f \n" % size
        for n in range(1, size):
            out += b"%010d 00000 n \n" % offsets[n] if n in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d %s >>\nstartxref\n%d\n%%%%EOF\n" % (size, trailer, start)
    return bytes(out)


def _stream(data: bytes, flate: bool = False, extra: bytes = b"") -> bytes:
    if flate:
        data = zlib.compress(data)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(data), extra, data)


_TEXT = b"BT /F1 12 Tf 72 720 Td (2020 report) Tj ET"
_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _page_pdf(contents: bytes = b"4 0 R", stream: bytes | None = None,
              **kw: bytes) -> bytes:
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %s "
           b"/Resources << /Font << /F1 5 0 R >> >> >>" % contents,
        4: stream if stream is not None else _stream(_TEXT),
        5: _FONT,
    }
    objects.update({int(k[1:]): v for k, v in kw.items()})
    return pdf(objects)


@cache
def _flate_bomb(megabytes: int) -> bytes:
    """A FlateDecode stream that inflates to ``megabytes`` MB of spaces."""
    z = zlib.compressobj(9)
    block = b" " * (1 << 20)
    data = b"".join(z.compress(block) for _ in range(megabytes)) + z.flush()
    return b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(data), data)


def _qpdf_encrypt(data: bytes, user: str) -> bytes | None:
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp, "in.pdf"), Path(tmp, "out.pdf")
        src.write_bytes(data)
        done = subprocess.run([qpdf, "--encrypt", user, "owner-pw", "256", "--", str(src),
                               str(dst)], capture_output=True, timeout=60)
        return dst.read_bytes() if done.returncode in (0, 3) and dst.exists() else None


def crafted_pdf() -> Iterator[tuple[str, bytes | None]]:
    yield "contents_self", _page_pdf(b"4 0 R", stream=b"4 0 R")
    yield "contents_array_self", _page_pdf(b"4 0 R", stream=b"[4 0 R]")
    yield "contents_loop", _page_pdf(b"[4 0 R 6 0 R]", o6=b"[4 0 R 6 0 R]")
    yield "info_self", pdf({**_objects_of_page(), 6: b"<< /Title 6 0 R /Author 6 0 R >>"},
                           trailer=b"/Root 1 0 R /Info 6 0 R")
    yield "info_ref_self", pdf({**_objects_of_page(), 6: b"6 0 R"},
                               trailer=b"/Root 1 0 R /Info 6 0 R")
    yield "pages_loop", pdf({**_objects_of_page(),
                             2: b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>"})
    yield "kids_deep", pdf({**_objects_of_page(),
                            2: b"<< /Type /Pages /Kids [" + b"[" * 5000 + b"3 0 R" + b"]" * 5000
                               + b"] /Count 1 >>"})
    yield "array_deep", _page_pdf(stream=_stream(b"[" * 100_000 + b"]" * 100_000))
    yield "dict_deep", _page_pdf(stream=_stream(b"<<" * 50_000 + b">>" * 50_000))
    yield "xref_broken", _page_pdf().replace(b"0000000009 00000 n", b"0009999999 00000 n")
    yield "xref_missing", pdf(_objects_of_page(), xref=False)
    yield "startxref_garbage", re.sub(rb"startxref\n\d+", b"startxref\n999999999",
                                      _page_pdf())
    yield "junk_header", _page_pdf().replace(b"%PDF-1.4", b"\x00" * 400 + b"%PDF-1.4", 1)
    yield "flate_bomb_200mb", _page_pdf(stream=_flate_bomb(200))
    yield "flate_bomb_1gb", _page_pdf(stream=_flate_bomb(1024))
    yield "flate_corrupt", _page_pdf(stream=_stream(_TEXT, flate=True)[:-40] + b"endstream")
    yield "length_lies", _page_pdf(stream=b"<< /Length 99999999 >>\nstream\n" + _TEXT
                                   + b"\nendstream")
    yield "many_pages", pdf({1: b"<< /Type /Catalog /Pages 2 0 R >>",
                             2: b"<< /Type /Pages /Kids [%s] /Count 5000 >>"
                                % b" ".join(b"3 0 R" for _ in range(5000)),
                             3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                                b"/Contents 4 0 R >>", 4: _stream(b"")})
    yield "text_ops_flood", _page_pdf(stream=_stream(b"BT /F1 1 Tf " + b"(9) Tj 0.01 0 Td "
                                                     * 200_000 + b"ET", flate=True))
    yield "empty_objects", pdf({1: b"null"})
    base = _pdf_bases()[0]
    yield "encrypted_with_password", _qpdf_encrypt(base, "secret-pw")
    yield "encrypted_empty_password", _qpdf_encrypt(base, "")
    yield "truncated_half", base[: len(base) // 2]


def _objects_of_page() -> dict[int, bytes]:
    return {1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
            4: _stream(_TEXT), 5: _FONT}


# --------------------------------------------------------------------------- DOCX


def docx_edit(data: bytes, edit: Callable[[str, bytes], bytes | None],
              extra: dict[str, bytes] | None = None) -> bytes:
    """A copy of the package with each part passed through ``edit(name, bytes)``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = edit(info.filename, src.read(info))
            if body is not None:
                dst.writestr(info.filename, body)
        for name, body in (extra or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def _in_document(func: Callable[[bytes], bytes]) -> Callable[[str, bytes], bytes]:
    return lambda name, body: func(body) if name == "word/document.xml" else body


def _first_table_cell(xml: bytes, props: bytes) -> bytes:
    return xml.replace(b"<w:tc>", b"<w:tc><w:tcPr>" + props + b"</w:tcPr>", 1)


def _rows(xml: bytes, n: int) -> bytes:
    m = re.search(rb"<w:tr[ >].*?</w:tr>", xml, re.DOTALL)
    return xml if m is None else xml[:m.end()] + m.group() * n + xml[m.end():]


def _cells(xml: bytes, n: int) -> bytes:
    m = re.search(rb"<w:tc>.*?</w:tc>", xml, re.DOTALL)
    return xml if m is None else xml[:m.end()] + m.group() * n + xml[m.end():]


def _numbering(start: int, fmt: str) -> dict[str, bytes]:
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    return {"word/numbering.xml": (
        f'<?xml version="1.0"?><w:numbering {w}><w:abstractNum w:abstractNumId="0">'
        f'<w:lvl w:ilvl="0"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="%1."/></w:lvl></w:abstractNum>'
        f'<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>').encode()}


def _numbered(xml: bytes, n: int = 50) -> bytes:
    para = (b'<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr>'
            b"<w:r><w:t>item</w:t></w:r></w:p>")
    return xml.replace(b"<w:body>", b"<w:body>" + para * n, 1)


def _with_numbering(data: bytes, start: int, fmt: str) -> bytes:
    def edit(name: str, body: bytes) -> bytes | None:
        if name == "word/document.xml":
            return _numbered(body)
        if name == "word/numbering.xml":
            return None
        if name == "word/_rels/document.xml.rels" and b"numbering" not in body:
            return body.replace(b"</Relationships>", b'<Relationship Id="rIdNum" Type="http://'
                                b'schemas.openxmlformats.org/officeDocument/2006/relationships/'
                                b'numbering" Target="numbering.xml"/></Relationships>')
        if name == "[Content_Types].xml" and b"numbering" not in body:
            return body.replace(b"</Types>", b'<Override PartName="/word/numbering.xml" '
                                b'ContentType="application/vnd.openxmlformats-officedocument.'
                                b'wordprocessingml.numbering+xml"/></Types>')
        return body
    return docx_edit(data, edit, _numbering(start, fmt))


def _xxe(xml: bytes) -> bytes:
    uri = secret_file().as_uri().encode()
    doctype = b'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "%s">]>' % uri
    xml = re.sub(rb"^(<\?xml[^>]*\?>)", rb"\1" + doctype, xml, count=1)
    return xml.replace(b"<w:t>", b"<w:t>&xxe;", 1)


def _laughs(xml: bytes) -> bytes:
    ents = b'<!ENTITY a0 "lol">' + b"".join(
        b'<!ENTITY a%d "%s">' % (i, b"&a%d;" % (i - 1) * 10) for i in range(1, 10))
    xml = re.sub(rb"^(<\?xml[^>]*\?>)", rb"\1<!DOCTYPE w:document [" + ents + b"]>", xml, count=1)
    return xml.replace(b"<w:t>", b"<w:t>&a9;", 1)


def _nested_tables(xml: bytes, depth: int) -> bytes:
    inner = b"<w:p><w:r><w:t>x</w:t></w:r></w:p>"
    for _ in range(depth):
        inner = b"<w:tbl><w:tr><w:tc>" + inner + b"<w:p/></w:tc></w:tr></w:tbl>"
    return xml.replace(b"<w:body>", b"<w:body>" + inner, 1)


def _zip_bomb(data: bytes, megabytes: int, name: str = "word/media/bomb.bin") -> bytes:
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as z, \
            z.open(name, "w", force_zip64=True) as part:
        block = b"\x00" * (1 << 20)
        for _ in range(megabytes):
            part.write(block)
    return out.getvalue()


def crafted_docx() -> Iterator[tuple[str, bytes | None]]:
    base = _docx_bases()[0]
    for span in (100_000, 10**8, 2**63, -5, "abc"):
        props = b'<w:gridSpan w:val="%s"/>' % str(span).encode()
        yield f"gridspan_{span}", docx_edit(base, _in_document(
            lambda x, p=props: _first_table_cell(x, p)))
    yield "gridbefore_huge", docx_edit(base, _in_document(lambda x: x.replace(
        b"<w:tr>", b'<w:tr><w:trPr><w:gridBefore w:val="100000000"/></w:trPr>', 1)))
    yield "rows_100k", docx_edit(base, _in_document(lambda x: _rows(x, 100_000)))
    yield "cells_200k", docx_edit(base, _in_document(lambda x: _cells(x, 200_000)))
    yield "numbering_1e8", _with_numbering(base, 10**8, "decimal")
    yield "numbering_roman_1e12", _with_numbering(base, 10**12, "upperRoman")
    yield "numbering_letters_1e9", _with_numbering(base, 10**9, "upperLetter")
    yield "numbering_negative", _with_numbering(base, -7, "chineseCounting")
    yield "xxe", docx_edit(base, _in_document(_xxe))
    yield "billion_laughs", docx_edit(base, _in_document(_laughs))
    yield "tables_nested_300", docx_edit(base, _in_document(lambda x: _nested_tables(x, 300)))
    yield "tables_nested_3000", docx_edit(base, _in_document(lambda x: _nested_tables(x, 3000)))
    yield "zip_bomb_1gb", _zip_bomb(base, 1024)
    yield "zip_bomb_document", docx_edit(base, lambda n, b: None if n == "word/document.xml"
                                         else b, {"word/document.xml": b"<" * (300 << 20)})
    yield "no_document", docx_edit(base, lambda n, b: None if n == "word/document.xml" else b)
    yield "not_xml", docx_edit(base, _in_document(lambda x: b"\xff\xfe garbage"))
    yield "truncated", base[: len(base) // 2]


# --------------------------------------------------------------------------- HTML


def crafted_html() -> Iterator[tuple[str, bytes | None]]:
    rng = random.Random(1414)
    page = html_report(rng)
    for tag, n in (("div", 10_000), ("div", 100_000), ("table", 10_000), ("h1", 20_000),
                   ("span", 100_000), ("td", 50_000)):
        yield f"deep_{tag}_{n}", (f"<{tag}>" * n + "二、主动公开政府信息情况" + f"</{tag}>" * n).encode()
    yield "deep_tables_cells", ("<table><tr><td>" * 5000 + "规章" + "</td></tr></table>"
                                * 5000).encode()
    yield "line_50mb", b"<p>" + "政府信息公开".encode() * ((50 << 20) // 18) + b"</p>"
    yield "line_8mb", b"<p>" + b"1" * (8 << 20) + b"</p>"
    yield "colspan_huge", page.replace(b"<td>", b'<td colspan="999999999" rowspan="99999">', 30)
    yield "rowspan_zero", page.replace(b"<td>", b'<td rowspan="0">')
    yield "table_100k_rows", b"<table>" + b"<tr><td>1</td><td>2</td></tr>" * 100_000 + b"</table>"
    yield "row_200k_cells", b"<table><tr>" + b"<td>1</td>" * 200_000 + b"</tr></table>"
    yield "embed_void", page.replace(b"<body>", b"<body><embed src=x>", 1)
    yield "object_unclosed", page.replace(b"<body>", b"<body><object>", 1)
    yield "css_backtrack", (b"<p>mso-font-family {" + b"a:" * 50_000 + b"</p>")
    yield "css_backtrack2", (b"<p>margin: " + b"@-\\" * 40_000 + b"{ x</p>")
    uri = secret_file().as_uri().encode()
    yield "xxe", (b'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY xxe SYSTEM "' + uri
                  + b'">]><html><body><p>&xxe;</p>' + page + b"</body></html>")
    yield "xinclude", (b'<html xmlns:xi="http://www.w3.org/2001/XInclude"><body>'
                       b'<xi:include href="' + uri + b'" parse="text"/>' + page + b"</body></html>")
    yield "entities", b"<p>" + b"&#x" + b"9" * 100_000 + b";" + b"&amp;" * 100_000 + b"</p>"
    yield "script_only", b"<script>" + b"while(1){}" * 1000 + b"</script>"
    yield "charset_lies_utf16", b'<meta charset="utf-16">' + page
    yield "charset_unknown", b'<meta charset="x-no-such-charset">' + page
    yield "charset_gbk_as_utf8", b'<meta charset="utf-8">' + page.decode().encode("gbk")
    yield "charset_big5", page.decode().encode("big5", "replace")
    yield "nul_bytes", page.replace(b"<p>", b"<p>\x00", 5)


# --------------------------------------------------------------------------- text


def crafted_text() -> Iterator[tuple[str, bytes | None]]:
    rng = random.Random(1415)
    report = text_report(rng).decode()
    appeals = "四、政府信息公开行政复议、行政诉讼情况\n"
    yield "digits_20", re.sub(r"\d+", lambda m: "9" * 20, report).encode()
    yield "digits_glued_60", (report + "\n规章" + "8" * 60 + "\n").encode()
    yield "appeals_tokens_20k", (appeals + " ".join("1" for _ in range(20_000))).encode()
    yield "appeals_glued", (appeals + " ".join("1234567890" for _ in range(300))).encode()
    yield "appeals_mixed", (appeals + "行政复议 " + " ".join(
        rng.choice(["0", "12", "3", "-", "/", "45"]) for _ in range(5000))).encode()
    yield "section_headings_flood", ("".join(f"{n}、主动公开政府信息情况\n" for n in "一二三四五六" * 3000)
                                     ).encode()
    yield "line_30mb", ("规章" + "1" * (30 << 20)).encode()
    yield "line_1mb", ("规章 " + "1 " * (1 << 19)).encode()
    yield "lines_1m", ("1\n" * 1_000_000).encode()
    yield "number_huge", (report.replace("规章", "规章 " + "9" * 400 + " ", 1)).encode()
    yield "number_exp", (report.replace("规章", "规章 1e400 ", 1)).encode()
    data = report.encode("utf-8")
    yield "utf8_bad_byte", data[:200] + b"\xff" + data[200:]
    yield "utf8_truncated", data[: len(data) - 1] if data[-1] >= 0x80 else data[:-2] + "报".encode()[:2]
    yield "utf8_cut_mid_char", "报告".encode() * 1000 + "报".encode()[:2]
    yield "gbk", report.encode("gbk", "replace")
    yield "gbk_bad_byte", report.encode("gbk", "replace")[:300] + b"\x80" + report.encode(
        "gbk", "replace")[300:]
    yield "utf16_no_bom", report.encode("utf-16-le")
    yield "utf16_odd", b"\xff\xfe" + report.encode("utf-16-le")[:-1]
    yield "big5", report.encode("big5", "replace")
    yield "shift_jis", report.encode("shift_jis", "replace")
    yield "control_chars", "".join(c + ("\x0b" if i % 7 == 0 else "") for i, c in
                                   enumerate(report)).encode()
    yield "bidi_and_zero_width", report.replace("规章", "规\u202e章\u200b", 5).encode()
    yield "formula_agency", ("=1+2人民政府2020年政府信息公开工作年度报告\n" + report).encode()


CRAFTED: dict[str, Callable[[], Iterator[tuple[str, bytes | None]]]] = {
    "txt": crafted_text, "html": crafted_html, "pdf": crafted_pdf, "docx": crafted_docx}


# --------------------------------------------------------------------------- mutations


def flip(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if b:
            b[rng.randrange(len(b))] = rng.randrange(256)
    return bytes(b)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(max(len(data), 1))]


def duplicate(data: bytes, rng: random.Random) -> bytes:
    if len(data) < 2:
        return data * 2
    i = rng.randrange(len(data) - 1)
    j = rng.randrange(i + 1, min(len(data), i + 4096) + 1)
    return data[:j] + data[i:j] * rng.randint(2, 200) + data[j:]


def splice(data: bytes, rng: random.Random) -> bytes:
    i, j = sorted(rng.randrange(len(data) + 1) for _ in range(2))
    return data[:i] + data[j:]


def digits(data: bytes, rng: random.Random) -> bytes:
    run = str(rng.randint(1, 9)).encode() * rng.choice([12, 20, 40, 400])
    matches = list(re.finditer(rb"\d+", data))
    if not matches:
        return data + run
    m = rng.choice(matches)
    return data[:m.start()] + run + data[m.end():]


def xml_attrs(data: bytes, rng: random.Random) -> bytes:
    """Mutate attribute values of a DOCX's document, numbering and styles parts."""
    values = [b"-1", b"0", b"99999999999999999999", b"abc", b"", b"1e9", b"\xef\xbf\xbd",
              b"2147483648", b"continue", b"restart", b"NaN"]

    def edit(name: str, body: bytes) -> bytes:
        if not name.endswith(".xml") or not name.startswith("word/"):
            return body
        spots = list(re.finditer(rb'(w:[A-Za-z]+)="([^"]*)"', body))
        for _ in range(min(len(spots), rng.randint(1, 20))):
            m = rng.choice(spots)
            body = body[:m.start(2)] + rng.choice(values) + body[m.end(2):]
            spots = list(re.finditer(rb'(w:[A-Za-z]+)="([^"]*)"', body))
        return body
    try:
        return docx_edit(data, edit)
    except Exception:  # noqa: BLE001 - an earlier mutation broke the zip: bytes as they are
        return data


def pdf_refs(data: bytes, rng: random.Random) -> bytes:
    """Point object references elsewhere (loops, dangling) and break numbers."""
    spots = list(re.finditer(rb"(\d+) 0 R", data))
    b = data
    for _ in range(min(len(spots), rng.randint(1, 6))):
        m = rng.choice(spots)
        target = str(rng.choice([1, 2, 3, rng.randint(1, 50), 10**9])).encode()
        b = b[:m.start(1)] + target + b[m.end(1):]
        spots = list(re.finditer(rb"(\d+) 0 R", b))
    return b


def html_tags(data: bytes, rng: random.Random) -> bytes:
    """Unbalance, nest and respan the tags of a page."""
    ops = [
        lambda d: d.replace(b"</td>", b"", rng.randint(1, 50)),
        lambda d: d.replace(b"<tr>", b"<tr>" + b"<table><tr><td>" * rng.randint(1, 300), 1),
        lambda d: d.replace(b"<td>", b'<td colspan="%d">' % rng.choice([0, 2, 1000, 10**9]),
                            rng.randint(1, 20)),
        lambda d: d.replace(b"<td>", b'<td rowspan="%d">' % rng.choice([0, 3, 5000]),
                            rng.randint(1, 20)),
        lambda d: d.replace(b"<p>", b"<p>" + b"<b>" * rng.randint(1, 5000), 1),
        lambda d: d.replace(b"<table", b"<embed><table", 1),
    ]
    return rng.choice(ops)(data)


def recode(data: bytes, rng: random.Random) -> bytes:
    """The same text in another encoding than the one it claims or looks like."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    return text.encode(rng.choice(["gbk", "big5", "utf-16-le", "shift_jis", "latin-1"]),
                       "replace")


GENERIC = (flip, truncate, duplicate, splice, digits)
STRUCTURAL: dict[str, tuple] = {"txt": (recode, digits), "html": (html_tags, recode),
                                "pdf": (pdf_refs,), "docx": (xml_attrs,)}


def mutate(kind: str, data: bytes, rng: random.Random) -> bytes:
    for _ in range(rng.randint(1, 3)):
        ops = STRUCTURAL[kind] if rng.random() < 0.5 else GENERIC
        try:
            data = rng.choice(ops)(data, rng)
        except Exception:  # noqa: BLE001 - a structural edit of bytes already broken
            pass
    return data


# --------------------------------------------------------------------------- inputs


def crafted(kinds: tuple[str, ...] = KINDS) -> Iterator[tuple[str, bytes]]:
    """Every crafted input (``kind/name``, data), those a tool cannot make skipped."""
    for kind in kinds:
        for name, data in CRAFTED[kind]():
            if data is not None:
                yield f"{kind}/crafted_{name}.{kind}", data


def mutations(seed: int, n: int, kinds: tuple[str, ...] = KINDS,
              weights: tuple[float, ...] | None = None) -> Iterator[tuple[str, bytes]]:
    """``n`` random mutations of rendered reports, the same for the same seed."""
    rng = random.Random(seed)
    for i in range(n):
        kind = rng.choices(kinds, weights)[0] if weights else kinds[i % len(kinds)]
        sub = random.Random(rng.getrandbits(64))
        yield f"{kind}/mut_{seed}_{i:05d}.{kind}", mutate(kind, BASES[kind](sub), sub)


# --------------------------------------------------------------------------- one run


def probe(path: str, limit: float) -> dict:
    """Read one input (in a worker process): outcome, seconds, peak memory, leaks.

    ``outcome`` is ``ok``, ``ReportError``, ``Timeout`` (the library's own limit)
    or ``exception:<type>`` (a bug). ``peak_mb`` is the process's peak resident
    memory during this read (Linux: the peak is reset first). ``leak`` says
    whether :data:`SECRET` appears anywhere in what was read.
    """
    import ctypes
    import gc
    import time

    from govopen.errors import ReportError, ReportTimeout
    from govopen.report import read_report

    gc.collect()
    try:  # give freed memory back, so that the peak below is this read's
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass
    t0 = time.monotonic()
    leak = False
    message = ""
    try:
        report = read_report(path, timeout=limit)
        seen = [report.document.text if report.document is not None else "",
                report.cells.to_csv(), report.sections.to_csv(), repr(report.meta)]
        leak = any(SECRET in s for s in seen)
        outcome = "ok"
    except ReportTimeout as exc:
        outcome, message = "Timeout", exc.problem
    except ReportError as exc:
        outcome, message = "ReportError", exc.problem
    except Exception as exc:  # noqa: BLE001 - that is what we are looking for
        outcome, message = f"exception:{type(exc).__name__}", str(exc)[:300]
    seconds = time.monotonic() - t0
    return {"outcome": outcome, "seconds": seconds, "peak_mb": peak_mb(), "leak": leak,
            "message": message[:300]}


def peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cap_memory(megabytes: int = 4096) -> None:
    """Worker warm-up: an address-space cap, so a bomb fails instead of swapping, and
    the readers imported, so that the first input of each worker is not charged
    the seconds of importing pandas, PDFium, lxml … inside its time limit."""
    import importlib
    import resource

    limit = megabytes << 20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    for module in ("govopen.report", "govopen.readers.html", "govopen.readers.pdf",
                   "govopen.readers.pdfium", "govopen.readers.word"):
        importlib.import_module(module)
