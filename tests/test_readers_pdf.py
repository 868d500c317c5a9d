"""Tests of govopen.readers.pdf and govopen.limits.

Expected values were read off the pages rendered with pdfplumber
(``page.to_image(resolution=100).save(...)``).
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govopen.document import Document, join_wrapped
from govopen.errors import ReportError
from govopen.limits import signals_available, time_limit
from govopen.readers.pdf import read_pdf
from govopen.readers.word import read_docx

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "corpus"  # a copy of data/raw
HONGZE = CORPUS / "jiangsu" / "jiangsu_huaian_hongze_2023.pdf"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PDF = FIXTURES / "pdf"
WORD = FIXTURES / "word"

needs_hongze = pytest.mark.skipif(not HONGZE.exists(), reason=f"{HONGZE} is not present")


def row_with(doc: Document, first_label: str) -> tuple[list[str], dict]:
    """The cells of the table row holding the cell ``first_label``, and its provenance."""
    for line in doc.text.splitlines(keepends=True):
        cells = line.rstrip("\n").split("\t")
        if first_label in cells:
            offset = doc.text.index(line) + line.index(first_label)
            return cells, doc.locate(offset)
    raise AssertionError(f"no row with a cell {first_label!r}")


@pytest.fixture(scope="module")
def hongze() -> Document:
    if not HONGZE.exists():
        pytest.skip(f"{HONGZE} is not present")
    return read_pdf(HONGZE)


# --------------------------------------------------------------------------- Hongze


@needs_hongze
def test_hongze_document_level(hongze: Document) -> None:
    assert hongze.file_type == "pdf"
    assert hongze.pages == 5
    # WPS writes the title as little-endian UTF-16, which pdfminer garbles.
    assert hongze.header["Title"] == "洪泽区人民政府2023年政府信息公开工作年度报告"
    assert hongze.notes == []
    lines = hongze.text.splitlines()
    assert lines[:2] == ["洪泽区人民政府", "2023年政府信息公开工作年度报告"]


@needs_hongze
@pytest.mark.parametrize(
    ("label", "numbers", "page"),
    [
        ("一、本年新收政府信息公开申请数量", ["21", "0", "0", "0", "0", "0", "21"], 3),
        ("二、上年结转政府信息公开申请数量", ["0"] * 7, 3),
        ("(二)部分公开(区分处理的,只计这一情形,不计其他情形)", ["4", "0", "0", "0", "0", "0", "4"], 3),
        ("6.属于四类过程性信息", ["1", "0", "0", "0", "0", "0", "1"], 3),
        ("1.本机关不掌握相关政府信息", ["10", "0", "0", "0", "0", "0", "10"], 3),
        # The last row on page 3 has no bottom rule: the page break cuts it.
        ("2.没有现成信息需要另行制作", ["3", "0", "0", "0", "0", "0", "3"], 3),
        # Continued on page 4 without a repeated header.
        ("3.补正后申请内容仍不明确", ["0"] * 7, 4),
        ("1.信访举报投诉类申请", ["1", "0", "0", "0", "0", "0", "1"], 4),
        ("(七)总计", ["21", "0", "0", "0", "0", "0", "21"], 4),
        ("四、结转下年度继续办理", ["0"] * 7, 4),
    ],
)
def test_hongze_section3_rows(hongze: Document, label: str, numbers: list[str],
                              page: int) -> None:
    cells, where = row_with(hongze, label)
    assert cells[-7:] == numbers
    assert where["page"] == page
    assert where["table"] is not None and where["row"] is not None
    # The numbers are the 7 last grid columns (3 to 9) of the table.
    last = hongze.text.index("\n", hongze.text.index(label)) - 1
    assert hongze.locate(last)["col"] == 9


@needs_hongze
def test_hongze_section3_grid_rule(hongze: Document) -> None:
    text = hongze.text
    # Rows under the merged "三、本年度办理结果" / "(三)不予公开" cells: the
    # positions covered from above are empty strings, so labels keep their column.
    assert "\t\t2.其他法律行政止公开\t0\t0\t0\t0\t0\t0\t0\n" in text
    assert "三、本年度办理结果\t(一)予以公开\t0\t0\t0\t0\t0\t0\t0\n" in text
    assert "\t(三)不予公开\t1.属于国家秘密\t1\t0\t0\t0\t0\t0\t1\n" in text
    # A horizontally merged label (3 grid columns) is listed once.
    cells, where = row_with(hongze, "一、本年新收政府信息公开申请数量")
    assert len(cells) == 8 and where["col"] == 0
    number_at = text.index("21", text.index("一、本年新收"))
    assert hongze.locate(number_at)["col"] == 3
    # Column header under the two-row "法人或其他组织" header.
    assert "\t\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t\n" in text


@needs_hongze
def test_hongze_section4_header_keeps_single_data_row(hongze: Document) -> None:
    lines = hongze.text.splitlines()
    data = "10\t1\t0\t0\t0\t0\t0\t0\t0\t0\t5\t0\t0\t0\t0"
    assert data in lines
    assert len(data.split("\t")) == 15
    i = lines.index(data)
    # The three header levels come right before it, the leaf level on 15 columns.
    assert lines[i - 3] == "行政复议\t行政诉讼"
    assert lines[i - 2] == "结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t复议后起诉"
    assert lines[i - 1].split("\t") == [""] * 5 + ["结果维持", "结果纠正", "其他结果", "尚未审结",
                                               "总计"] * 2
    where = hongze.locate(hongze.text.index(data))
    assert where["page"] == 4 and where["row"] == 3


@needs_hongze
def test_hongze_section2_and_order(hongze: Document) -> None:
    assert row_with(hongze, "规章")[0] == ["规章", "0", "0", "0"]
    assert row_with(hongze, "行政规范性文件")[0] == ["行政规范性文件", "0", "5", "5"]
    assert row_with(hongze, "行政许可")[0] == ["行政许可", "550"]
    assert row_with(hongze, "行政处罚")[1]["page"] == 3
    assert row_with(hongze, "行政事业性收费")[0] == ["行政事业性收费", "7730.28"]
    text = hongze.text
    positions = [text.index(s) for s in (
        "二、主动公开政府信息情况", "规章\t", "三、收到和处理政府信息公开申请情况",
        "一、本年新收政府信息公开申请数量\t", "四、结转下年度继续办理\t",
        "四、政府信息公开行政复议、行政诉讼情况", "10\t1\t", "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项")]
    assert positions == sorted(positions)


@needs_hongze
def test_hongze_no_page_numbers_and_no_spaces_in_chinese(hongze: Document) -> None:
    for line in hongze.text.splitlines():
        assert not re.fullmatch(r"\s*-\s*\d+\s*-\s*", line), line
    assert "- 3 -" not in hongze.text
    # Justified lines spread characters apart; no spaces may come of it.
    assert "号,邮编:223100,电话:0517-87222589,电子邮箱:" in hongze.text
    assert not re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", hongze.text)
    assert "第 3 页" not in hongze.text


# --------------------------------------------------------------------------- fixtures


def test_libreoffice_pdf_matches_docx_table() -> None:
    """The PDF made from report_merged.docx gives the same rows as the .docx."""
    pdf_doc = read_pdf(PDF / "report_merged.pdf")
    docx_doc = read_docx(WORD / "report_merged.docx")

    def rows(doc: Document) -> list[str]:
        return [line for line in doc.text.splitlines() if "\t" in line]

    assert rows(pdf_doc) == rows(docx_doc)
    assert len(rows(pdf_doc)) == 11
    assert pdf_doc.pages == 2
    assert pdf_doc.header["Title"] == "某某县人民政府2023年政府信息公开工作年度报告"
    # The last row of the table is on page 2, after the page break.
    cells, where = row_with(pdf_doc, "四、结转下年度继续办理")
    assert cells[1:] == ["3", "1", "0", "0", "0", "1", "5"] and where["page"] == 2
    assert row_with(pdf_doc, "一、本年新收政府信息公开申请数量")[1]["page"] == 1
    # The "第 1 页 共 2 页" footers are dropped.
    assert not re.search(r"第\s*\d+\s*页", pdf_doc.text)


def test_fixture_pdf_grid_rule() -> None:
    doc = read_pdf(PDF / "report_merged.pdf")
    cells, _ = row_with(doc, "申请人情况")
    assert cells == ["(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)", "申请人情况"]
    cells, where = row_with(doc, "自然人")
    assert cells == ["", "", "", "自然人", "法人或其他组织", "总计"]
    total_at = doc.text.index("总计", doc.text.index("法人或其他组织"))
    assert doc.locate(total_at)["col"] == 9
    cells, _ = row_with(doc, "2.其他法律行政法规禁止公开")
    assert cells == ["", "", "2.其他法律行政法规禁止公开", "1", "1", "0", "0", "0", "0", "2"]


def test_borderless_page_falls_back_to_word_positions() -> None:
    import pdfplumber

    path = PDF / "borderless.pdf"
    with pdfplumber.open(path) as pdf:  # the fixture really has no rules
        assert not pdf.pages[0].lines and not pdf.pages[0].rects
    doc = read_pdf(path)
    assert doc.text.splitlines() == [
        "二、主动公开政府信息情况",
        "信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
        "规章\t0\t0\t0",
        "行政规范性文件\t2\t1\t7",
        "以上数据截至2023年12月31日。",
    ]
    cells, where = row_with(doc, "行政规范性文件")
    assert where["page"] == 1 and where["row"] == 2 and where["table"] is not None
    seven = doc.text.index("7", doc.text.index("行政规范性文件"))
    assert doc.locate(seven)["col"] == 3


def test_scanned_pdf_needs_ocr() -> None:
    doc = read_pdf(PDF / "scanned.pdf", ocr=False)
    assert doc.text == ""
    assert doc.pages == 2
    assert len(doc.notes) == 1
    note = doc.notes[0]
    assert note.rule == "needs_ocr" and note.severity == "error"
    assert "no text layer" in note.message and "OCR" in note.message


def test_partly_scanned_pdf_names_the_page() -> None:
    doc = read_pdf(PDF / "mixed_scanned.pdf", ocr=False)
    assert doc.text.startswith("某某县人民政府2023年政府信息公开工作年度报告\n")
    assert [n.rule for n in doc.notes] == ["needs_ocr"]
    assert doc.notes[0].message.startswith("page 2 has no text layer")


def test_encrypted_pdf() -> None:
    with pytest.raises(ReportError, match="encrypted"):
        read_pdf(PDF / "encrypted.pdf")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    with pytest.raises(ReportError, match="empty"):
        read_pdf(path)


@needs_hongze
def test_truncated_pdf(tmp_path: Path) -> None:
    data = HONGZE.read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ReportError, match=r"not a valid PDF \(truncated or corrupt\)") as info:
        read_pdf(path)
    assert str(path) in str(info.value)


def test_not_a_pdf_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "page.pdf"
    path.write_text("<html><body>404</body></html>", encoding="utf-8")
    with pytest.raises(ReportError, match="not a PDF"):
        read_pdf(path)
    with pytest.raises(ReportError, match="not found"):
        read_pdf(tmp_path / "missing.pdf")


_SMALL_PDF = (PDF / "borderless.pdf").read_bytes()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=st.integers(min_value=0, max_value=len(_SMALL_PDF) - 1),
       junk=st.binary(min_size=1, max_size=64),
       cut=st.booleans())
def test_damaged_pdfs_raise_only_report_error(tmp_path_factory: pytest.TempPathFactory,
                                              start: int, junk: bytes, cut: bool) -> None:
    data = _SMALL_PDF[:start] + junk + (b"" if cut else _SMALL_PDF[start + len(junk):])
    path = tmp_path_factory.mktemp("damaged") / "damaged.pdf"
    path.write_bytes(data)
    try:
        doc = read_pdf(path, timeout=10)
    except ReportError:
        return
    assert isinstance(doc, Document)


def test_join_wrapped() -> None:
    assert join_wrapped(["（三）", "不予公开"]) == "（三）不予公开"
    assert join_wrapped(["2023年1", "月1日"]) == "2023年1月1日"
    assert join_wrapped(["Total", "amount", ""]) == "Total\namount"


# --------------------------------------------------------------------------- limits


@pytest.mark.skipif(not signals_available(), reason="SIGALRM timers need the main thread")
def test_time_limit_interrupts() -> None:
    started = time.monotonic()
    with pytest.raises(ReportError, match=r"slow\.pdf: .*took longer than 0\.2 s"):
        with time_limit(0.2, "slow.pdf"):
            time.sleep(5)
    assert time.monotonic() - started < 2


@pytest.mark.skipif(not signals_available(), reason="SIGALRM timers need the main thread")
def test_time_limit_nested_restores_outer() -> None:
    with pytest.raises(ReportError, match="outer"):
        with time_limit(0.4, "outer"):
            with time_limit(5, "inner"):
                time.sleep(0.05)
            time.sleep(5)  # the outer limit must still fire


@needs_hongze
@pytest.mark.skipif(not signals_available(), reason="SIGALRM timers need the main thread")
def test_read_pdf_timeout() -> None:
    with pytest.raises(ReportError, match="took longer than"):
        read_pdf(HONGZE, timeout=0.001)


def test_time_limit_is_a_no_op_off_the_main_thread() -> None:
    outcome: list[object] = []

    def work() -> None:
        try:
            with time_limit(0.01, "x"):
                time.sleep(0.1)
            outcome.append("finished")
        except BaseException as err:  # pragma: no cover - the failure case
            outcome.append(err)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert outcome == ["finished"]


@pytest.mark.parametrize(
    ("obj", "is_rule"),
    [
        ({"object_type": "line"}, True),
        ({"object_type": "rect", "stroke": True, "fill": False, "width": 100, "height": 30}, True),
        # Borders drawn as thin filled boxes (Word's own PDF export does this).
        ({"object_type": "rect", "stroke": False, "fill": True, "width": 100, "height": 0.5,
          "non_stroking_color": (0,)}, True),
        # WPS paragraph backgrounds and cell shading are not rules.
        ({"object_type": "rect", "stroke": False, "fill": True, "width": 444, "height": 27,
          "non_stroking_color": (1.0, 1.0, 1.0)}, False),
        ({"object_type": "rect", "stroke": False, "fill": True, "width": 440, "height": 35,
          "non_stroking_color": (0.776, 0.851, 0.945)}, False),
        ({"object_type": "rect", "stroke": False, "fill": True, "width": 100, "height": 1,
          "non_stroking_color": (0, 0, 0, 0)}, False),  # white in CMYK
    ],
)
def test_only_visible_rules_bound_cells(obj: dict, is_rule: bool) -> None:
    from govopen.readers.pdf import _is_rule

    assert _is_rule(obj) is is_rule


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"\xff\xfe" + "洪泽区".encode("utf-16-le"), "洪泽区"),  # WPS
        (b"\xfe\xff" + "洪泽区".encode("utf-16-be"), "洪泽区"),
        ("洪泽区年度报告".encode("gbk"), "洪泽区年度报告"),
        (b"Annual report", "Annual report"),
    ],
)
def test_metadata_strings_are_decoded(raw: bytes, text: str) -> None:
    from govopen.readers.pdf import _decode_pdf_string

    assert _decode_pdf_string(raw) == text
