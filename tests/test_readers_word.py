"""Tests of govopen.readers.word.

The .docx fixtures are built by tests/fixtures/make_fixtures.py; the .doc
fixture is LibreOffice's conversion of report_merged.docx.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from govopen.document import Document
from govopen.errors import ReportError
from govopen.readers import read_document
from govopen.readers.word import read_doc, read_docx

WORD = Path(__file__).resolve().parent / "fixtures" / "word"
HAVE_SOFFICE = bool(shutil.which("soffice") or shutil.which("libreoffice"))
needs_soffice = pytest.mark.skipif(
    not HAVE_SOFFICE, reason="LibreOffice (soffice) is not installed; "
                             "apt-get install libreoffice-writer-nogui to run this test")

SECTION3_ROWS = [
    "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)\t申请人情况",
    "\t\t\t自然人\t法人或其他组织\t总计",
    "\t\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t",
    "一、本年新收政府信息公开申请数量\t12\t3\t0\t1\t0\t2\t18",
    "二、上年结转政府信息公开申请数量\t2\t0\t0\t0\t0\t0\t2",
    "三、本年度办理结果\t(一)予以公开\t6\t1\t0\t0\t0\t1\t8",
    "\t(三)不予公开\t1.属于国家秘密\t1\t0\t0\t0\t0\t0\t1",
    "\t\t2.其他法律行政法规禁止公开\t1\t1\t0\t0\t0\t0\t2",
    "\t(六)其他处理\t3\t0\t0\t1\t0\t0\t4",
    "\t(七)总计\t11\t2\t0\t1\t0\t1\t15",
    "四、结转下年度继续办理\t3\t1\t0\t0\t0\t1\t5",
]


@pytest.fixture(scope="module")
def report() -> Document:
    return read_docx(WORD / "report_merged.docx")


def test_docx_paragraphs_and_tables_in_order(report: Document) -> None:
    assert report.file_type == "docx"
    assert report.header["Title"] == "某某县人民政府2023年政府信息公开工作年度报告"
    lines = report.text.splitlines()
    assert lines[0] == "某某县人民政府2023年政府信息公开工作年度报告"
    # Headings are numbered by Word list numbering (chineseCounting "%1、").
    start = lines.index("三、收到和处理政府信息公开申请情况")
    assert lines[start + 1:start + 12] == SECTION3_ROWS
    assert lines[start + 12] == "四、政府信息公开行政复议、行政诉讼情况"
    assert "一、总体情况" in lines and lines[-2] == "五、存在的主要问题及改进情况"


def test_docx_grid_rule_provenance(report: Document) -> None:
    text = report.text

    def where(needle: str, after: str = "") -> dict:
        return report.locate(text.index(needle, text.index(after) if after else 0))

    # Horizontal merge: 申请人情况 starts at grid column 3 and is listed once.
    assert where("申请人情况")["col"] == 3
    # Vertical merge: 总计 (rows 1-2) is at column 9 of row 1; row 2 has "" there.
    total = where("总计", after="法人或其他组织")
    assert (total["table"], total["row"], total["col"]) == (0, 1, 9)
    assert where("商业企业")["col"] == 4
    # The vertically merged 三、本年度办理结果 leaves "" in column 0 below it.
    secret = where("1.属于国家秘密")
    assert (secret["row"], secret["col"]) == (6, 2)
    assert where("15", after="(七)总计")["col"] == 9
    assert where("(七)总计")["col"] == 1
    assert total["page"] is None


def test_nested_table_rows_follow_their_row() -> None:
    doc = read_docx(WORD / "nested.docx")
    assert doc.text.splitlines() == [
        "附件:联系方式",
        "单位\t某某县人民政府办公室",
        "联系人\t见下表",
        "电话\t0517-1234567",
        "邮箱\tgk@example.cn",
        "以上。",
    ]
    outer = doc.locate(doc.text.index("联系人"))
    inner = doc.locate(doc.text.index("gk@example.cn"))
    assert (outer["table"], outer["row"]) == (0, 1)
    assert (inner["table"], inner["row"], inner["col"]) == (1, 1, 1)


def test_docx_tabs_breaks_revisions_and_row_offsets(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("\t\t一、总体情况")
    d.add_paragraph("规章\t\t0\t0\t0")
    p = d.add_paragraph("第一行")
    p.add_run().add_break()
    p.add_run("第二行")
    # A tracked deletion is not part of the text.
    deleted = parse_xml(f'<w:del {nsdecls("w")} w:id="1" w:author="x">'
                        '<w:r><w:delText>删掉的</w:delText></w:r></w:del>')
    p._p.append(deleted)
    table = d.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "甲"
    table.cell(0, 1).text = "乙"
    table.cell(0, 2).text = "丙"
    # Row 2: gridBefore=1 (an empty grid position), then a legacy hMerge pair.
    tr = table.rows[1]._tr
    tr.get_or_add_trPr().append(parse_xml(f'<w:gridBefore {nsdecls("w")} w:val="1"/>'))
    tcs = tr.findall(qn("w:tc"))
    tr.remove(tcs[0])
    tcs[1].get_or_add_tcPr().append(parse_xml(f'<w:hMerge {nsdecls("w")} w:val="restart"/>'))
    tcs[1].append(parse_xml(f'<w:p {nsdecls("w")}><w:r><w:t>丁</w:t></w:r></w:p>'))
    tcs[2].get_or_add_tcPr().append(parse_xml(f'<w:hMerge {nsdecls("w")}/>'))
    path = tmp_path / "misc.docx"
    d.save(path)
    doc = read_docx(path)
    assert doc.text.splitlines() == ["一、总体情况", "规章\t0\t0\t0", "第一行", "第二行",
                                     "甲\t乙\t丙", "\t丁"]
    assert doc.locate(doc.text.index("丁"))["col"] == 1


@needs_soffice
def test_read_doc_converts_with_libreoffice(report: Document) -> None:
    doc = read_doc(WORD / "report_merged.doc")
    assert doc.file_type == "doc"
    assert doc.text == report.text


def test_read_doc_without_libreoffice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name, *args, **kwargs: None)
    with pytest.raises(ReportError, match="LibreOffice") as info:
        read_doc(WORD / "report_merged.doc")
    assert "apt-get install libreoffice-writer" in str(info.value)


def test_word_files_dispatch_by_extension_and_content(tmp_path: Path, report: Document) -> None:
    assert read_document(WORD / "report_merged.docx").text == report.text
    # A zip package named .doc is caught before LibreOffice is started.
    misnamed = tmp_path / "report.doc"
    misnamed.write_bytes((WORD / "report_merged.docx").read_bytes())
    with pytest.raises(ReportError, match="extension says doc but the content is a ZIP"):
        read_document(misnamed)
    for suffix in (".wps", ".et"):
        (tmp_path / f"report{suffix}").write_bytes(b"x")
        with pytest.raises(ReportError, match="WPS files"):
            read_document(tmp_path / f"report{suffix}")
    page = tmp_path / "page.doc"
    page.write_text("<html><body>报告</body></html>", encoding="utf-8")
    with pytest.raises(ReportError, match="the content is text"):
        read_document(page)


def test_bad_docx_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.docx"
    empty.write_bytes(b"")
    with pytest.raises(ReportError, match="empty"):
        read_docx(empty)
    text = tmp_path / "text.docx"
    text.write_text("not a zip", encoding="utf-8")
    with pytest.raises(ReportError, match="not a zip"):
        read_docx(text)
    other_zip = tmp_path / "other.docx"
    with zipfile.ZipFile(other_zip, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(ReportError, match="not a valid .docx"):
        read_docx(other_zip)
    truncated = tmp_path / "truncated.docx"
    data = (WORD / "report_merged.docx").read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(ReportError):
        read_docx(truncated)
    ole = tmp_path / "old.docx"
    ole.write_bytes((WORD / "report_merged.doc").read_bytes())
    with pytest.raises(ReportError, match="OLE"):
        read_docx(ole)
    with pytest.raises(ReportError, match="not found"):
        read_docx(tmp_path / "missing.docx")
