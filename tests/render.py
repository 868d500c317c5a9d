"""A test-only renderer: cell values → a report in the official table structure.

Used by round-trip tests: render random values in a layout real reports use,
parse the result, and compare. Layouts: ``space`` (cells separated by spaces,
labels on the row), ``tab`` (Word-style tab-separated rows with merged-label
padding), ``lines`` (one cell per line, labels broken over lines) and ``flat``
(a crawler's flattened page: no separators except where ``cut`` says).
"""

from __future__ import annotations

from govopen.templates import template

TITLE = "某某县某某局{year}年政府信息公开工作年度报告"
HEADINGS = {
    "proactive": "二、主动公开政府信息情况",
    "requests": "三、收到和处理政府信息公开申请情况",
    "appeals": "四、政府信息公开行政复议、行政诉讼情况",
}
PROACTIVE_HEADERS = {
    ("2019", "rules"): "第二十条第（一）项\n信息内容 本年新制作数量 本年新公开数量 对外公开总数量",
    ("2019", "licensing"): "第二十条第（五）项\n信息内容 上一年项目数量 本年增/减 处理决定数量",
    ("2019", "penalties"): "第二十条第（六）项\n信息内容 上一年项目数量 本年增/减 处理决定数量",
    ("2019", "fees"): "第二十条第（八）项\n信息内容 上一年项目数量 本年增/减",
    ("2019", "procurement"): "第二十条第（九）项\n信息内容 采购项目数量 采购总金额（单位：万元）",
    ("2021", "rules"): "第二十条第（一）项\n信息内容 本年制发件数 本年废止件数 现行有效件数",
    ("2021", "licensing"): "第二十条第（五）项\n信息内容 本年处理决定数量",
    ("2021", "penalties"): "第二十条第（六）项\n信息内容 本年处理决定数量",
    ("2021", "fees"): "第二十条第（八）项\n信息内容 本年收费金额（单位：万元）",
}
REQUEST_HEADER = ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\n申请人情况\n"
                  "自然人 法人或其他组织 总计\n商业企业 科研机构 社会公益组织 法律服务机构 其他")
APPEALS_HEADER = ("行政复议 行政诉讼\n结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉\n"
                  "结果维持 结果纠正 其他结果 尚未审结 总计 结果维持 结果纠正 其他结果 尚未审结 总计")
APPEAL_ROWS = ("review", "suit_direct", "suit_after_review")
APPEAL_COLS = ("upheld", "corrected", "other", "pending", "total")


def fmt(value: float | None) -> str:
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return repr(value)


def label(zh: str) -> str:
    return zh.replace("（", "(").replace("）", ")")


def render(values: dict, fmt_: str, year: int, layout: str) -> str:
    """``values[(table, row, col)]`` → the text of a whole report in ``layout``."""
    lines = [TITLE.format(year=year), "一、总体情况", "本机关依法做好政府信息公开工作。"]
    for table in ("proactive", "requests", "appeals"):
        lines.append(HEADINGS[table])
        tmpl = template(table, fmt_)
        if table == "appeals":
            lines.append(APPEALS_HEADER)
            cells = [values[("appeals", r, c)] for r in APPEAL_ROWS for c in APPEAL_COLS]
            lines.append(_row("", cells, layout))
            continue
        if table == "requests":
            lines.append(REQUEST_HEADER)
        for row in tmpl.rows:
            if table == "proactive" and (fmt_, row.code) in PROACTIVE_HEADERS:
                lines.append(PROACTIVE_HEADERS[(fmt_, row.code)])
            cells = [values[(table, row.code, c)] for c in row.cols]
            lines.append(_row(label(row.zh), cells, layout))
    lines += ["五、存在的主要问题及改进情况", "无。", "六、其他需要报告的事项", "无。"]
    if layout == "flat":
        return "".join(lines)
    return "\n".join(lines) + "\n"


def _row(name: str, cells: list, layout: str) -> str:
    texts = [fmt(v) for v in cells]
    if layout == "tab":
        return "\t".join(["", name, *texts, ""]) if name else "\t".join(["", "", *texts])
    if layout == "lines":
        half = len(name) // 2
        return "\n".join([name[:half], name[half:], *texts]) if name else "\n".join(texts)
    if layout == "flat":
        return name + "".join(texts)
    return " ".join([name, *texts]).strip()
