"""``govopen parse FILE --xlsx``: one report laid out like its printed tables, flagged
cells coloured, to check against the PDF side by side."""

from __future__ import annotations

import openpyxl
from conftest import ROOT

from govopen.cli import main
from govopen.workbook import FILLS

FIXTURES = ROOT / "tests" / "fixtures"
PINGTAN = FIXTURES / "corrections" / "raw" / "fujian" / "pingtan_panel" / "104786.txt"


def rows_of(ws) -> dict[str, tuple]:
    return {r[0]: r[1:] for r in ws.iter_rows(values_only=True) if r[0]}


def test_workbook_is_laid_out_like_the_printed_tables(tmp_path):
    out = tmp_path / "hongze.xlsx"
    assert main(["parse", str(FIXTURES / "corpus" / "jiangsu" / "jiangsu_huaian_hongze_2023.pdf"), "--xlsx", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["二 proactive", "三 requests", "四 appeals", "issues", "key"]
    req = book["三 requests"]
    header = [c.value for c in req[2]]
    assert header == [None, "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构",
                      "其他", "总计"]
    rows = rows_of(req)
    assert rows["一、本年新收政府信息公开申请数量"] == (21, 0, 0, 0, 0, 0, 21)
    appeals = rows_of(book["四 appeals"])
    assert appeals["行政复议"][:5] == (10, 1, 0, 0, 0)  # as printed: 总计 0 (an error)
    issues = [r for r in book["issues"].iter_rows(values_only=True)]
    assert [r[0] for r in issues[1:]] == ["appeals_total", "appeals_total"]


def test_flagged_cells_are_coloured_with_a_comment(tmp_path):
    out = tmp_path / "pingtan.xlsx"
    assert main(["parse", str(PINGTAN), "--xlsx", str(out)]) == 0
    ws = openpyxl.load_workbook(out)["三 requests"]
    by_label = {r[0].value: r for r in ws.iter_rows() if r[0].value}
    partial = by_label["（二）部分公开（区分处理的，只计这一情形，不计其他情形）"]
    cell = partial[1]  # 自然人: printed 110000011 together with the rest of the row
    assert cell.value is None
    assert cell.fill.start_color.rgb.endswith(FILLS["ambiguous"][0])
    assert "printed: '110000011'" in cell.comment.text and "candidates: 1, 11" in cell.comment.text
    assert partial[7].value == 11 and partial[7].comment is None  # 总计 reads unambiguously
    forward = by_label["四、结转下年度继续办理"]
    assert forward[1].fill.start_color.rgb.endswith(FILLS["unreadable"][0])
    assert "21件" in forward[1].comment.text
