"""One grid rule for merged cells: HTML, Word and PDF give the same rows for the same table.

``tests/fixtures/word/report_merged.docx`` holds the official section 三 table with
its merges (the 3×3 top-left label, 自然人 and 总计 over two header rows, labels
spanning columns, 三、本年度办理结果 and （三）不予公开 over several rows);
``tests/fixtures/pdf/report_merged.pdf`` is LibreOffice's PDF of it. The HTML below
prints the first eight rows of the same table with ``rowspan``/``colspan``. All
three must come out as the same lines (:func:`govopen.document.grid_rows`).
"""

from __future__ import annotations

from pathlib import Path

from govopen.document import DocumentBuilder, GridCell, grid_rows
from govopen.readers.html import read_html
from govopen.readers.pdf import read_pdf
from govopen.readers.word import read_docx

FIXTURES = Path(__file__).resolve().parent / "fixtures"

SECTION3_HTML = """<html><body><p>三、收到和处理政府信息公开申请情况</p><table>
<tr><td rowspan="3" colspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>
    <td colspan="7">申请人情况</td></tr>
<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>
<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>
<tr><td colspan="3">一、本年新收政府信息公开申请数量</td>
    <td>12</td><td>3</td><td>0</td><td>1</td><td>0</td><td>2</td><td>18</td></tr>
<tr><td colspan="3">二、上年结转政府信息公开申请数量</td>
    <td>2</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>2</td></tr>
<tr><td rowspan="3">三、本年度办理结果</td><td colspan="2">（一）予以公开</td>
    <td>6</td><td>1</td><td>0</td><td>0</td><td>0</td><td>1</td><td>8</td></tr>
<tr><td rowspan="2">（三）不予公开</td><td>1.属于国家秘密</td>
    <td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>1</td></tr>
<tr><td>2.其他法律行政法规禁止公开</td>
    <td>1</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>2</td></tr>
</table></body></html>"""


def section3(text: str, rows: int = 8) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if "勾稽关系" in line)
    return lines[start:start + rows]


def test_same_merges_give_the_same_rows_in_html_docx_and_pdf() -> None:
    docx = section3(read_docx(FIXTURES / "word" / "report_merged.docx").text)
    pdf = section3(read_pdf(FIXTURES / "pdf" / "report_merged.pdf").text)
    html = section3(read_html("section3.html", data=SECTION3_HTML.encode()).text)
    assert docx == pdf == html
    # the rows under the 3×3 label: one empty cell per grid column it covers
    assert docx[1] == "\t\t\t自然人\t法人或其他组织\t总计"
    assert docx[2] == "\t\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t"
    assert docx[7] == "\t\t2.其他法律行政法规禁止公开\t1\t1\t0\t0\t0\t0\t2"


def test_same_merges_give_the_same_grid_columns() -> None:
    """Provenance: a value's ``col`` is its grid column in all three readers."""
    docs = [read_docx(FIXTURES / "word" / "report_merged.docx"),
            read_pdf(FIXTURES / "pdf" / "report_merged.pdf"),
            read_html("section3.html", data=SECTION3_HTML.encode())]
    cols = []
    for doc in docs:
        row = doc.text.index("2.其他法律行政法规禁止公开")
        line = doc.text[row:doc.text.index("\n", row)]
        first = row + line.index("\t") + 1  # the cell after the label: natural persons
        cols.append((doc.locate(row)["col"], doc.locate(first)["col"]))
    assert cols == [(2, 3)] * 3


def test_add_grid_follows_grid_rows() -> None:
    cells = [GridCell(0, 0, "甲", rowspan=3), GridCell(0, 1, "乙", colspan=2),
             GridCell(1, 1, "1"), GridCell(1, 2, "2"), GridCell(2, 2, "3")]
    b = DocumentBuilder(file_type="html")
    b.add_grid(cells, table=0)
    assert b.build().text.splitlines() == ["甲\t乙", "\t1\t2", "\t3"]
    assert [[col for _c, col in row] for row in grid_rows(cells)] == [[0, 1], [0, 1, 2], [0, 2]]
