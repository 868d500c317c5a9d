"""``Report.show``: every value one call from where it was printed.

Checked on the rendered output: the crop exists, the cell's box falls inside it
and sits on the printed number (the PDF text under the box is the raw text), and
the marked source line contains the raw text. Fixtures: the Hongze district 2023
PDF (the sample corpus's, tests/fixtures/corpus/jiangsu/), and in
tests/fixtures/audit/ the Shanghai general office 2019 HTML page and the 广武镇
2020 text report.
"""

from __future__ import annotations

import io

import pdfplumber
import pytest
from conftest import ROOT
from PIL import Image

import govopen
from govopen.audit import RESOLUTION, View

AUDIT = ROOT / "tests" / "fixtures" / "audit"
HONGZE = ROOT / "tests" / "fixtures" / "corpus" / "jiangsu" / "jiangsu_huaian_hongze_2023.pdf"


@pytest.fixture(scope="module")
def hongze():
    return govopen.read_report(HONGZE)


def inside(box, width, height) -> bool:
    x0, top, x1, bottom = box
    return 0 <= x0 < x1 <= width and 0 <= top < bottom <= height


@pytest.mark.parametrize(("table", "row", "col", "raw"), [
    ("requests", "new", "total", "21"),
    ("requests", "new", "natural_person", "21"),
    ("proactive", "penalties", "decisions", None),
    ("appeals", "review", "total", None),
])
def test_pdf_cell_is_boxed_on_its_number(hongze, table, row, col, raw):
    cell = hongze.cells.query("table == @table and row == @row and col == @col").iloc[0]
    if raw is not None:
        assert cell.raw == raw
    view = hongze.show(table, row, col)
    assert view.kind == "image" and view.image.width > 50 and view.image.height > 20
    assert inside(view.box, view.image.width, view.image.height)
    assert view.label_boxes, "the row and column labels are highlighted"
    for box in view.label_boxes:
        assert inside(box, view.image.width, view.image.height)
    # the box is on the number: the PDF's own text under the cell's bbox is the raw text
    x0, top, x1, bottom = (float(v) for v in cell.bbox.split(","))
    with pdfplumber.open(HONGZE) as pdf:
        page = pdf.pages[int(cell.page) - 1]
        under = page.crop((x0, top, x1, bottom)).extract_text().replace("\n", "")
    assert under.replace(" ", "") == cell.raw
    # and the box drawn in the crop is red where the cell's edge is
    px = view.image.getpixel((int(view.box[0]) + 1, int((view.box[1] + view.box[3]) / 2)))
    assert px[0] > 180 and px[1] < 90


def test_pdf_row_label_is_the_rows_printed_label(hongze):
    view = hongze.show("requests", "new", "total")
    cell = hongze.cells.query("table == 'requests' and row == 'new' and col == 'total'").iloc[0]
    labels = []
    scale = RESOLUTION / 72
    with pdfplumber.open(HONGZE) as pdf:
        page = pdf.pages[int(cell.page) - 1]
        x0, top, x1, bottom = (float(v) for v in cell.bbox.split(","))
        for lb in view.label_boxes:  # back from crop pixels to page points
            dx = x0 - view.box[0] / scale
            dy = top - view.box[1] / scale
            box = (lb[0] / scale + dx, lb[1] / scale + dy, lb[2] / scale + dx, lb[3] / scale + dy)
            labels.append(page.crop(box).extract_text().replace("\n", ""))
    assert any("本年新收政府信息公开申请数量" in t for t in labels)
    assert any(t == "总计" for t in labels)


def test_view_renders_in_jupyter_and_saves(hongze, tmp_path):
    view = hongze.show("requests", "new", "total")
    png = view._repr_png_()
    assert png.startswith(b"\x89PNG")
    assert Image.open(io.BytesIO(png)).size == view.image.size
    assert "data:image/png;base64," in view._repr_html_()
    assert view.save(tmp_path / "cell.png").read_bytes() == png
    assert "<img" in view.save(tmp_path / "cell.html").read_text(encoding="utf-8")


def test_html_cell_is_marked_in_its_table_row():
    r = govopen.read_report(AUDIT / "shanghai_2019.html")
    cell = r.cells.query("table == 'requests' and row == 'granted' and col == 'natural_person'")
    assert cell.iloc[0].raw == "258"
    view = r.show("requests", "granted", "natural_person")
    assert view.kind == "source"
    label, line = view.lines[view.mark_line]
    a, b = view.mark
    assert line[a:b] == "258" and "予以公开" in line
    assert label.startswith("t")  # the source table and row
    assert '<mark' in view._repr_html_() and ">258</mark>" in view._repr_html_()
    assert view._repr_png_() is None


def test_text_cell_is_marked_on_its_file_line():
    path = AUDIT / "guangwu_2020.txt"
    r = govopen.read_report(path)
    cell = r.cells.query("table == 'requests' and row == 'new' and col == 'natural_person'").iloc[0]
    view = r.show("requests", "new", "natural_person")
    label, line = view.lines[view.mark_line]
    assert label == f"line {int(cell.line)}"
    a, b = view.mark
    assert line[a:b] == cell.raw == "1"
    file_line = path.read_text(encoding="utf-8").splitlines()[int(cell.line) - 1]
    assert file_line.split("\t")[0] == line.split("\t")[0] == "一、本年新收政府信息公开申请数量"
    assert "⟦1⟧" in view.text()


def test_ambiguous_cell_marks_the_glued_digits():
    r = govopen.read_text("某局2021年政府信息公开工作年度报告\n二、主动公开政府信息情况\n"
                          "信息内容 本年制发件数 本年废止件数 现行有效件数\n规范性文件 1173\n")
    cell = r.cells.query("row == 'normative_docs' and col == 'repealed'").iloc[0]
    assert cell.status == "ambiguous" and list(cell.candidates) == [1.0, 7.0, 17.0]
    view = r.show("proactive", "normative_docs", "repealed")
    line = view.lines[view.mark_line][1]
    assert line[slice(*view.mark)] == "1173"
    assert "candidates 1, 7, 17" in view.title


def test_show_issue_boxes_every_cell_of_the_failing_row(hongze):
    i = hongze.issues.index[hongze.issues["rule"] == "appeals_total"][0]
    views = hongze.show_issue(i)
    assert len(views) == 1 and views[0].kind == "image"
    assert len(views[0].boxes) == 5  # 维持, 纠正, 其他, 尚未审结, 总计
    for box in views[0].boxes:
        assert inside(box, views[0].image.width, views[0].image.height)


def test_show_issue_marks_a_column_identity_in_the_source():
    r = govopen.read_report(AUDIT / "guangwu_2020.txt")
    i = r.issues.index[(r.issues["rule"] == "balance")
                       & (r.issues["col"] == "natural_person")][0]
    (view,) = r.show_issue(i)
    marked = {view.lines[line][1].split("\t")[0] for line, _a, _b in view.marks}
    assert marked == {"一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量",
                      "", "四、结转下年度继续办理"}  # （七）总计 is an indented row


def test_an_ocr_page_image_plugs_in(hongze):
    """An OCR reader gives the page image and bboxes in its pixels: show crops that image."""
    cell = hongze.cells.query("table == 'requests' and row == 'new' and col == 'total'").iloc[0]
    with pdfplumber.open(HONGZE) as pdf:  # a 72-dpi page image: 1 pixel per PDF point
        image = pdf.pages[int(cell.page) - 1].to_image(resolution=72).original
    hongze.document.page_images = {int(cell.page): image}
    try:
        view = hongze.show("requests", "new", "total")
    finally:
        del hongze.document.page_images
    assert view.kind == "image" and inside(view.box, view.image.width, view.image.height)
    x0, top, x1, bottom = (float(v) for v in cell.bbox.split(","))
    assert abs((view.box[2] - view.box[0]) - (x1 - x0)) < 1  # drawn at the image's scale


def test_unknown_cell_is_a_key_error(hongze):
    with pytest.raises(KeyError, match="no cell requests.new.nobody"):
        hongze.show("requests", "new", "nobody")
    assert isinstance(hongze.show("requests", "new", "total"), View)
