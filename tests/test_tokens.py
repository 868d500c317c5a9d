"""The tokenizer and segmenter on the layouts real reports use."""

from govopen.normalize import normalize_text
from govopen.tokens import segment, tokenize


def kinds(text):
    return [(t.kind, t.text) for t in tokenize(text)]


def test_enumerator_glued_to_previous_numbers_starts_the_next_label():
    segs = segment("1.属于国家秘密00000002.其他法律行政法规禁止公开0000000")
    assert [s.label for s in segs] == ["1.属于国家秘密", "2.其他法律行政法规禁止公开"]
    assert [t.text for t in segs[0].values] == ["0000000"]


def test_single_digit_before_enumerator():
    segs = segment("(六)其他处理0 0 0 0 0 0 02.重复申请")
    assert [t.text for t in segs[0].values] == ["0"] * 7
    assert segs[1].label == "2.重复申请"


def test_decimals_units_and_signs():
    assert kinds("政府集中采购 36 162000 元") == [
        ("text", "政府集中采购"), ("num", "36"), ("num", "162000 元")]
    toks = tokenize("行政许可88-720")
    assert [(t.text, t.sign) for t in toks if t.kind == "num"] == [("88", 1), ("-720", -1)]
    assert [t.digits for t in tokenize("收费24252.311082") if t.kind == "num"] == ["24252.311082"]
    assert [t.sign for t in tokenize("行政许可 减2") if t.kind == "num"] == [-1]


def test_sign_characters_inside_a_label_are_label():
    segs = segment("信息内容上一年项目数量本年增/减处理决定数量行政许可3960181")
    assert segs[0].label.endswith("本年增/减处理决定数量行政许可")
    assert [t.text for t in segs[0].values] == ["3960181"]


def test_dates_are_label_text_not_values():
    assert all(t.kind == "text" for t in tokenize("2020年本行政区域政府信息公开发布总数量"))


def test_blank_marks():
    assert kinds("规章 - / 3") == [("text", "规章"), ("blank", "-"), ("blank", "/"), ("num", "3")]
    assert kinds("规章\t\t—\t3")[1:] == [("blank", ""), ("blank", "—"), ("num", "3")]


def test_tab_rows_drop_padding_before_labels_and_keep_trailing_blanks():
    text = "\t(二) 部分公开\t1\t\t\t\t\t\t1\t\n\t(三) 不予公开\t1. 属于国家秘密\t\t\t\t\t\t\t\n"
    segs = segment(text)
    assert [s.label for s in segs] == ["(二)部分公开", "(三)不予公开1.属于国家秘密"]
    assert [t.text for t in segs[0].values] == ["1", "", "", "", "", "", "1", ""]
    assert len(segs[1].values) == 7


def test_one_cell_per_line_with_leading_tabs():
    segs = segment("\t规章\n\t0\n\t0\n\t3\n\t规范性文件\n\t1\n\t1\n\t13\n")
    assert [(s.label, [t.text for t in s.values]) for s in segs] == [
        ("规章", ["0", "0", "3"]), ("规范性文件", ["1", "1", "13"])]


def test_label_broken_over_lines_and_vertical_header():
    text = "（三）\n不予公\n开\n1.属于国家秘密 0 0 0 0 0 0 0\n2.其他法律行政\n法规禁止公开\n0 0 0 0 0 0 0\n"
    segs = segment(normalize_text(text))
    assert [s.label for s in segs] == ["(三)不予公开1.属于国家秘密", "2.其他法律行政法规禁止公开"]
    assert all(len(s.values) == 7 for s in segs)


def test_kangxi_radicals_fold():
    assert normalize_text("⼀、本年新收政府信息公开申请数量 ⼈⺠") == "一、本年新收政府信息公开申请数量 人民"


def test_offsets_point_into_the_text():
    text = "规章 10 20 30"
    for t in tokenize(text, offset=100):
        assert text[t.start - 100:t.end - 100] == t.text


def test_a_tab_row_with_one_number_keeps_its_empty_cells():
    segs = segment("行政复议\n\t\t\t\t1\t\t\t\t\t\t\t\t\t\t\n")
    assert len(segs[-1].values) == 15
