"""Tests for govopen.readers.html: real saved pages plus small synthetic ones."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govopen.document import Document
from govopen.errors import ReportError
from govopen.normalize import normalize_text
from govopen.readers.html import read_html

RAW = Path(__file__).resolve().parent / "fixtures" / "corpus"  # a copy of data/raw
SHANGHAI = RAW / "shanghai" / "shanghai_007_shanghai_szfbgt_2019.html"
FUJIAN = RAW / "fujian" / "fujian_pingtan_2025_page.html"

needs_shanghai = pytest.mark.skipif(not SHANGHAI.exists(), reason="Shanghai sample not present")
needs_fujian = pytest.mark.skipif(not FUJIAN.exists(), reason="Fujian sample not present")


def n(text: str) -> str:
    """Expected text as the Document holds it (NFKC folds full-width punctuation)."""
    return normalize_text(text)


def lines(doc: Document) -> list[str]:
    return doc.text.splitlines()


def row_cells(doc: Document, label: str) -> list[str]:
    """Cells of the first row whose text contains ``label``."""
    for line in lines(doc):
        if n(label) in line and "\t" in line:
            return line.split("\t")
    raise AssertionError(f"no row containing {label!r}")


def where(doc: Document, needle: str) -> dict:
    """Provenance of the first character of ``needle`` in the text."""
    return doc.locate(doc.text.index(n(needle)))


@pytest.fixture(scope="module")
def shanghai() -> Document:
    return read_html(SHANGHAI)


@pytest.fixture(scope="module")
def fujian() -> Document:
    return read_html(FUJIAN)


# --------------------------------------------------------------------------- Shanghai fragment


@needs_shanghai
def test_shanghai_fragment_is_taken_whole(shanghai: Document) -> None:
    text = lines(shanghai)
    assert text[0] == "2019年上海市人民政府办公厅政府信息公开工作年度报告"
    assert text[1] == n("发布日期：2020-01-31")
    assert text[-2:] == [n("六、其他需要报告的事项"), n("无。")]
    assert shanghai.file_type == "html"
    assert shanghai.notes == []


@needs_shanghai
def test_shanghai_header(shanghai: Document) -> None:
    assert shanghai.header == {
        "title": "2019年上海市人民政府办公厅政府信息公开工作年度报告",
        "published": "2020-01-31",
    }


@needs_shanghai
def test_shanghai_section_two_colspans_do_not_repeat(shanghai: Document) -> None:
    # The header row spans 本年新公开数量 over two columns, the data rows of
    # (五) span the first number instead; each origin cell appears once.
    text = lines(shanghai)
    assert "规章\t13\t13\t524" in text
    assert "规范性文件\t60\t60\t368" in text
    assert "信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量" in text
    assert "行政许可\t0\t0\t0" in text
    assert "政府集中采购\t6\t251000元" in text
    # grid columns: 13 at column 2 (spanning 2-3), 524 at column 4
    assert shanghai.locate(shanghai.text.index("\t524\n") + 1)["col"] == 4
    permit = shanghai.text.index("行政许可\t0\t0\t0")
    assert [shanghai.locate(permit + i)["col"] for i in (5, 7, 9)] == [1, 3, 4]


@needs_shanghai
def test_shanghai_section_three_nbsp_cells_are_empty(shanghai: Document) -> None:
    assert row_cells(shanghai, "一、本年新收政府信息公开申请数量") == [
        "一、本年新收政府信息公开申请数量", "821", "35", "", "", "2", "1", "859"]
    assert row_cells(shanghai, "二、上年结转政府信息公开申请数量") == [
        "二、上年结转政府信息公开申请数量", "18", "", "", "", "", "", "18"]
    assert row_cells(shanghai, "四、结转下年度继续办理") == [
        "四、结转下年度继续办理", "72", "", "", "", "", "", "72"]
    assert row_cells(shanghai, "（七）总计") == [
        "", n("（七）总计"), "767", "35", "", "", "2", "1", "805"]


@needs_shanghai
def test_shanghai_rows_under_rowspan_labels_get_leading_empty_cells(shanghai: Document) -> None:
    # 三、本年度办理结果 spans 20 rows; （三）不予公开 spans 8 of them.
    assert row_cells(shanghai, "三、本年度办理结果") == [
        "三、本年度办理结果", n("（一）予以公开"), "258", "12", "", "", "1", "1", ""]
    assert row_cells(shanghai, "（二）部分公开") == [
        "", n("（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
        "3", "", "", "", "", "", ""]
    assert row_cells(shanghai, "1.属于国家秘密") == [
        "", n("（三）不予公开"), "1.属于国家秘密", "14", "", "", "", "", "", ""]
    assert row_cells(shanghai, "6.属于四类过程性信息") == [
        "", "", "6.属于四类过程性信息", "3", "1", "", "", "", "", ""]
    assert row_cells(shanghai, "2.重复申请") == ["", "", "2.重复申请", "5", "4", "", "", "", "", ""]


@needs_shanghai
def test_shanghai_header_rows_line_up_with_data_rows(shanghai: Document) -> None:
    # The top-left label spans 3 columns and 3 rows: the rows under it get one
    # empty cell per grid column it covers (the grid rule of document.grid_rows,
    # as Word and PDF give the same table), so 商业企业 is in grid column 4 like
    # 35 in the data rows.
    header = row_cells(shanghai, "商业企业")
    assert header == ["", "", "", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构",
                      "其他", ""]
    data = shanghai.text.index("\t35\t") + 1
    assert shanghai.locate(shanghai.text.index("商业企业"))["col"] == shanghai.locate(data)["col"]
    assert row_cells(shanghai, "自然人") == ["", "", "", "自然人", "法人或其他组织", "总计"]
    # section 四: the first five headers span two rows
    assert "5\t\t\t2\t7\t8\t\t\t1\t9\t\t\t\t\t" in lines(shanghai)


@needs_shanghai
def test_shanghai_br_inside_cell_joins(shanghai: Document) -> None:
    # "本年新<br />制作数量" is one label
    assert "本年新制作数量" in shanghai.text
    assert "本年新\n" not in shanghai.text


@needs_shanghai
def test_shanghai_provenance(shanghai: Document) -> None:
    total = shanghai.text.index("\t859\n") + 1
    assert shanghai.locate(total) == {
        "page": None, "line": None, "table": 1, "row": 3, "col": 9, "bbox": None}
    assert shanghai.locate(shanghai.text.index("\t524\n") + 1)["table"] == 0
    assert shanghai.locate(shanghai.text.index("\t524\n") + 1)["row"] == 2
    heading = where(shanghai, "二、主动公开政府信息情况")
    assert heading["table"] is None and isinstance(heading["line"], int)
    assert where(shanghai, "2019年上海市人民政府办公厅")["line"] == 0
    assert where(shanghai, "发布日期")["line"] == 1


# --------------------------------------------------------------------------- Fujian full page


SECTIONS = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]


@needs_fujian
def test_fujian_page_keeps_report(fujian: Document) -> None:
    text = lines(fujian)
    assert text[0] == "平潭综合实验区2025年度政府信息公开工作年度报告"
    assert text[1].startswith(n("本报告根据《中华人民共和国政府信息公开条例》"))
    for heading in SECTIONS:
        assert n(heading) in text
    assert text[-1] == n("2025年，无收取信息处理费情况。")
    # a paragraph split over many <span>s is one line
    assert any(line.startswith(n("（二）依申请公开方面。")) and "154件" in line for line in text)


@needs_fujian
def test_fujian_page_tables(fujian: Document) -> None:
    text = lines(fujian)
    assert "行政规范性文件\t58\t45\t546" in text
    assert "行政许可\t2418" in text
    assert "行政事业性收费\t4166.241619" in text
    assert row_cells(fujian, "一、本年新收政府信息公开申请数量")[1:] == [
        "151", "3", "0", "0", "0", "0", "154"]
    # "三、本<br>年度办<br>理结果" in the page is one cell
    assert row_cells(fujian, "三、本年度办理结果")[:3] == [
        "三、本年度办理结果", n("（一）予以公开"), "33"]
    assert row_cells(fujian, "（七）总计") == ["", n("（七）总计"), "147", "1", "0", "0", "0", "0", "148"]
    assert "25\t3\t8\t0\t36\t3\t3\t0\t0\t6\t3\t0\t0\t0\t3" in text
    assert {fujian.locate(s.start)["table"] for s in fujian.spans} == {None, 0, 1, 2}


@needs_fujian
def test_fujian_page_drops_navigation_and_footer(fujian: Document) -> None:
    for chrome in ["网站支持IPV6", "领导之窗", "互动交流知识库", "当前位置", "微博", "全真版",
                   "扫一扫在手机上查看当前页面", "福州市政府网站", "闽ICP备09032658号",
                   "版权所有", "主办单位", "你好"]:
        assert n(chrome) not in fujian.text, chrome
    assert fujian.notes == []


@needs_fujian
def test_fujian_header(fujian: Document) -> None:
    assert fujian.header == {
        "title": "平潭综合实验区2025年度政府信息公开工作年度报告",
        "published": "2026-03-10 12:56",
        "url": "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202603/t20260313_105587.htm",
    }


@needs_fujian
def test_fujian_provenance(fujian: Document) -> None:
    assert where(fujian, "2418") == {
        "page": None, "line": None, "table": 0, "row": 6, "col": 1, "bbox": None}
    assert where(fujian, "546")["row"] == 3 and where(fujian, "546")["col"] == 3
    total = fujian.text.index("\t154\n") + 1
    assert fujian.locate(total)["table"] == 1
    assert fujian.locate(total)["row"] == 3
    assert fujian.locate(total)["col"] == 9
    assert where(fujian, "平潭综合实验区2025年度")["line"] == 0


@needs_fujian
def test_data_argument_is_used_instead_of_the_file(tmp_path: Path) -> None:
    doc = read_html(tmp_path / "missing.html", data=FUJIAN.read_bytes())
    assert lines(doc)[0] == "平潭综合实验区2025年度政府信息公开工作年度报告"


# --------------------------------------------------------------------------- synthetic pages


COUNTY_PAGE = """<!DOCTYPE html>
<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>某县2023年政府信息公开工作年度报告 - 某县人民政府</title>
<link rel="canonical" href="http://www.example.gov.cn/zfxxgk/2024/01/report.html">
<style>.nav {color: red}</style>
<script>var a = "一、总体情况";</script>
</head><body>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/xzfy">行政复议</a></li>
<li><a href="/zwgk">政务公开</a></li></ul></div>
<table width="100%"><tr>
<td class="left"><a href="#">法治政府</a><br><a href="#">行政诉讼专栏</a></td>
<td class="main">
<h1 align="center">某县2023年政府信息公开工作年度报告</h1>
<p>发布时间：2024-01-20</p>
<p>一、总体情况</p><p>本县坚持公开为常态。<br>全年主动公开信息1200条。</p>
<p>二、主动公开政府信息情况</p>
<table border="1"><tr><td>信息内容</td><td>本年制发件数</td></tr>
<tr><td>规章</td><td>3</td></tr></table>
<p>三、收到和处理政府信息公开申请情况</p>
<table border="1">
<tr><td>一、本年新收政府信息公开申请数量</td><td><table><tr><td>甲</td><td>乙</td></tr></table></td></tr>
<tr><td>二、上年结转政府信息公开申请数量</td><td>0</td></tr></table>
<p>四、政府信息公开行政复议、行政诉讼情况</p>
<!--[if gte mso 9]><xml><w:WordDocument>Normal</w:WordDocument></xml><![endif]-->
<p>/* Style Definitions */ table.MsoNormalTable {mso-style-name:普通表格; mso-padding-alt:0cm 5.4pt;}</p>
<p>五、存在的主要问题及改进情况</p><p>六、其他需要报告的事项</p><p>无。</p>
</td></tr></table>
<div class="footer">版权所有：某县人民政府 <a href="/map">网站地图</a></div>
</body></html>"""


@pytest.fixture(scope="module")
def county() -> Document:
    return read_html("county.html", data=COUNTY_PAGE.encode("gb2312"))


def test_gbk_page_declaring_gb2312_decodes(county: Document) -> None:
    assert lines(county)[0] == "某县2023年政府信息公开工作年度报告"
    assert "规章\t3" in lines(county)


def test_gbk_only_characters_in_a_gb2312_page() -> None:
    # 镕 and 堃 are in GBK but not GB2312; pages labelled gb2312 use them anyway.
    page = ('<html><head><meta charset="gb2312"></head><body>'
            "<p>一、总体情况</p><p>朱镕基路堃园街道办事处</p></body></html>")
    with pytest.raises(UnicodeEncodeError):
        page.encode("gb2312")
    doc = read_html("gbk.html", data=page.encode("gbk"))
    assert lines(doc) == ["一、总体情况", "朱镕基路堃园街道办事处"]


def test_utf8_page_with_a_wrong_gb2312_label_still_decodes() -> None:
    page = '<meta charset="gb2312"><p>主动公开政府信息情况</p>'
    assert lines(read_html("u.html", data=page.encode("utf-8"))) == ["主动公开政府信息情况"]


def test_layout_table_and_link_menus_are_not_the_report(county: Document) -> None:
    text = lines(county)
    for chrome in ["首页", "政务公开", "法治政府", "行政诉讼专栏", "版权所有", "网站地图"]:
        assert not any(chrome in line for line in text), chrome
    assert text[1] == n("发布时间：2024-01-20")
    for heading in SECTIONS:
        assert n(heading) in text
    assert text[-1] == n("无。")


def test_scripts_comments_and_word_css_are_dropped(county: Document) -> None:
    assert "var a" not in county.text
    assert "WordDocument" not in county.text and "Normal" not in county.text
    assert "mso-" not in county.text and "Style Definitions" not in county.text
    assert "color" not in county.text
    assert county.text.count(n("一、总体情况")) == 1


def test_br_separates_lines(county: Document) -> None:
    text = lines(county)
    i = text.index(n("本县坚持公开为常态。"))
    assert text[i + 1] == "全年主动公开信息1200条。"
    assert where(county, "全年主动")["line"] == where(county, "本县坚持")["line"] + 1


def test_nested_table_rows_are_emitted_separately(county: Document) -> None:
    text = lines(county)
    i = text.index("一、本年新收政府信息公开申请数量\t")
    assert text[i + 1] == "甲\t乙"
    assert text[i + 2] == "二、上年结转政府信息公开申请数量\t0"
    outer, inner = where(county, "二、上年结转"), where(county, "甲")
    assert outer["table"] != inner["table"]
    assert (inner["row"], inner["col"]) == (0, 0)
    assert where(county, "乙")["col"] == 1


def test_county_header(county: Document) -> None:
    assert county.header == {
        "title": "某县2023年政府信息公开工作年度报告",
        "published": "2024-01-20",
        "url": "http://www.example.gov.cn/zfxxgk/2024/01/report.html",
    }


def test_title_from_page_title_without_site_name() -> None:
    page = ("<html><head><title>某局2022年政府信息公开工作年度报告_通知公告_某市人民政府</title>"
            "</head><body><p>一、总体情况</p></body></html>")
    assert read_html("t.html", data=page.encode()).header["title"] == (
        "某局2022年政府信息公开工作年度报告")


def test_site_name_title_is_not_taken_for_the_report_title() -> None:
    page = ("<html><head><title>某区人民政府</title></head><body>"
            "<div class='logo'>某区人民政府</div>"
            "<ul><li><a href='/1'>2022年度报告</a> 发布时间：2023-01-05</li></ul>"
            "<div class='info'>发布时间：2024-01-31 09:00</div>"
            "<div class='content'><p>一、总体情况</p><p>二、主动公开政府信息情况</p>"
            "<p>三、收到和处理政府信息公开申请情况</p></div></body></html>")
    doc = read_html("site.html", data=page.encode())
    assert lines(doc) == [n("一、总体情况"), n("二、主动公开政府信息情况"),
                          n("三、收到和处理政府信息公开申请情况")]
    assert doc.header == {"title": "某区人民政府", "published": "2024-01-31 09:00"}


def test_page_without_report_headings_uses_main_text_block() -> None:
    prose = "".join(f"<p>第{i}段正文内容，介绍本机关政务公开工作的开展情况和主要做法。</p>"
                    for i in range(8))
    page = ("<html><body><div id='menu'><a href='/'>首页</a> <a href='/a'>机构概况</a>"
            "<a href='/b'>政策文件</a></div>"
            f"<div id='article'>{prose}</div>"
            "<div id='foot'><a href='/c'>联系我们</a> 主办单位：某市人民政府办公室</div>"
            "</body></html>")
    doc = read_html("plain.html", data=page.encode())
    assert lines(doc)[0].startswith("第0段正文")
    assert len(lines(doc)) == 8
    assert "首页" not in doc.text and "主办单位" not in doc.text
    assert [note.rule for note in doc.notes] == ["html_body_guessed"]


def test_rowspan_and_colspan_grid_rule() -> None:
    page = """<table>
      <tr><td rowspan="2" colspan="2">A</td><td>B</td><td>C</td></tr>
      <tr><td colspan="2">D</td></tr>
      <tr><td>E</td><td rowspan="0">F</td><td>G</td><td>H</td></tr>
      <tr><td>I</td><td>J</td><td>K</td></tr>
    </table>"""
    doc = read_html("grid.html", data=page.encode())
    # D's row: one empty cell per grid column A covers from above (document.grid_rows)
    assert lines(doc) == ["A\tB\tC", "\t\tD", "E\tF\tG\tH", "I\t\tJ\tK"]
    d = doc.text.index("D")
    assert doc.locate(d)["col"] == 2 and doc.locate(d)["row"] == 1
    j = doc.text.index("J")
    assert doc.locate(j)["col"] == 2
    assert doc.locate(doc.text.index("K"))["col"] == 3


def test_cell_blocks_and_nbsp() -> None:
    page = ("<table><tr><td><p>本年新</p><p>收数量</p></td><td>&nbsp;</td>"
            "<td> &nbsp;\u3000</td><td>162000<br/>元</td></tr></table>")
    # A line break next to a CJK character is not a printed space (as in PDF and Word).
    assert lines(read_html("c.html", data=page.encode())) == ["本年新收数量\t\t\t162000元"]


def test_source_line_breaks_between_chinese_do_not_add_spaces() -> None:
    page = "<p>本年新收政府\n      信息公开申请 1 件</p>"
    assert lines(read_html("w.html", data=page.encode())) == ["本年新收政府信息公开申请 1 件"]


def test_deeply_nested_page() -> None:
    page = "<div>" * 5000 + "<p>一、总体情况</p>" + "</div>" * 5000
    assert lines(read_html("deep.html", data=page.encode())) == ["一、总体情况"]


# --------------------------------------------------------------------------- errors


def test_empty_input_raises() -> None:
    with pytest.raises(ReportError, match="empty.html"):
        read_html("empty.html", data=b"")
    with pytest.raises(ReportError, match="empty"):
        read_html("blank.html", data=b" \r\n\t ")


def test_page_without_text_raises() -> None:
    page = b"<html><head><title></title><script>alert(1)</script></head><body><div> </div></body></html>"
    with pytest.raises(ReportError, match=r"notext\.html: .*no text"):
        read_html("notext.html", data=page)


def test_garbage_bytes_raise() -> None:
    garbage = random.Random(0).randbytes(4096)
    with pytest.raises(ReportError, match="garbage.html"):
        read_html("garbage.html", data=garbage)
    with pytest.raises(ReportError, match="binary"):
        read_html("image.html", data=b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))


def test_missing_file_raises(tmp_path: Path) -> None:
    missing = tmp_path / "nope.html"
    with pytest.raises(ReportError, match="nope.html"):
        read_html(missing)


def test_reads_from_path(tmp_path: Path) -> None:
    path = tmp_path / "r.html"
    path.write_bytes(COUNTY_PAGE.encode("gbk"))
    assert lines(read_html(path))[0] == "某县2023年政府信息公开工作年度报告"


PIECES = [
    "<table>", "</table>", "<tr>", "</tr>", "<td>", "</td>", "<th colspan=3>", "<td rowspan=0>",
    "<td rowspan='99999999999999'>", "<td colspan=1000>", "<br>", "<p>", "</p>", "<div>",
    "</div>", "<span>", "<a href='x'>", "</a>", "<!--", "-->", "<!--[if gte mso 9]>",
    "<![endif]-->", "<![if !supportLists]>", "<script>", "</script>", "<style>", "<html>",
    "<body>", "<meta charset=gbk>", "<meta charset='x-unknown'>", "<?xml version='1.0'?>",
    "&nbsp;", "&#0;", "&#xD800;", "&amp;", "主动公开政府信息情况", "行政复议", "二、",
    "一、本年新收政府信息公开申请数量", "规章", "13", "{mso-font:宋体;}", "\x00", "\t", "\n",
    "<title>", "</title>", "<pre>", "</pre>", "<nav>", "<caption>", "<w:p>", "<o:p>",
]
html_ish = st.one_of(
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=40).map("".join),
    st.text(max_size=200),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html_ish, st.sampled_from(["utf-8", "gb18030", "utf-16"]))
def test_random_html_never_raises_anything_but_report_error(page: str, encoding: str) -> None:
    try:
        doc = read_html("random.html", data=page.encode(encoding, errors="ignore"))
    except ReportError as exc:
        assert str(exc).startswith("random.html: ")
        return
    assert doc.text.strip()
    for span in doc.spans:
        assert 0 <= span.start < span.end <= len(doc.text)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_raise_anything_but_report_error(data: bytes) -> None:
    try:
        read_html("bytes.html", data=data)
    except ReportError:
        pass


def test_binary_check_regex_is_the_category_rule() -> None:
    """The one-regex scan counts exactly the characters of categories Cc (but
    tab, newline, CR, form feed), Cs and Co, and U+FFFD, over all of Unicode."""
    import unicodedata

    from govopen.readers.html import _BAD_CHARS

    for code in range(0x110000):
        ch = chr(code)
        by_category = ch == "\ufffd" or (unicodedata.category(ch) in ("Cc", "Cs", "Co")
                                        and ch not in "\t\n\r\f")
        assert by_category == bool(_BAD_CHARS.fullmatch(ch)), hex(code)
