"""A test-only renderer: cell values → a report in the official table structure.

Used by round-trip tests: render random values in a layout real reports use,
parse the result, and compare. Layouts: ``space`` (cells separated by spaces,
labels on the row), ``tab`` (Word-style tab-separated rows with merged-label
padding), ``lines`` (one cell per line, labels broken over lines) and ``flat``
(a crawler's flattened page: no separators except where ``cut`` says).

The same values can also be drawn in the official table structure of the State
Council template, with its merged cells (:func:`official_tables`), as a Word
file (:func:`render_docx`), a web page (:func:`render_html`) or a PDF made from
the Word file by LibreOffice (:func:`render_pdf`, :func:`docx_to_pdf`).
:func:`random_values` draws random values for them.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from functools import cache
from html import escape
from pathlib import Path

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
        if 0 < half < len(name) and name[half] in ".、" and name[half - 1].isdigit():
            half += 1  # "1" / ".信访举报投诉类申请" would print the enumerator as a number
        return "\n".join([name[:half], name[half:], *texts]) if name else "\n".join(texts)
    if layout == "flat":
        return name + "".join(texts)
    return " ".join([name, *texts]).strip()


# --------------------------------------------------------------------------- official tables
#
# The same values in the table structure of the State Council templates, with
# merged cells, as DOCX (python-docx), HTML (rowspan/colspan) and PDF (the DOCX
# converted by LibreOffice). A table is first laid out as a Grid of cells with
# their spans; each output format draws the same Grid.

APPEALS_GROUPS = ("未经复议直接起诉", "复议后起诉")
APPEALS_SUBHEADERS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
REQUEST_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
REQUEST_COLS = ("natural_person", "business", "research", "social_org", "legal_service",
                "other_org", "total")
# Section 二 sub-tables: (article item, the rows under it, header of each value column).
PROACTIVE_BLOCKS = {
    "2019": (
        ("第二十条第（一）项", ("rules", "normative_docs"),
         ("本年新制作数量", "本年新公开数量", "对外公开总数量")),
        ("第二十条第（五）项", ("licensing", "other_services"),
         ("上一年项目数量", "本年增/减", "处理决定数量")),
        ("第二十条第（六）项", ("penalties", "compulsory"),
         ("上一年项目数量", "本年增/减", "处理决定数量")),
        ("第二十条第（八）项", ("fees",), ("上一年项目数量", "本年增/减")),
        ("第二十条第（九）项", ("procurement",), ("采购项目数量", "采购总金额（单位：万元）")),
    ),
    "2021": (
        ("第二十条第（一）项", ("rules", "normative_docs"),
         ("本年制发件数", "本年废止件数", "现行有效件数")),
        ("第二十条第（五）项", ("licensing",), ("本年处理决定数量",)),
        ("第二十条第（六）项", ("penalties", "compulsory"), ("本年处理决定数量",)),
        ("第二十条第（八）项", ("fees",), ("本年收费金额（单位：万元）",)),
    ),
}
# Column widths in cm (landscape A4, 2 cm margins: 25.7 cm of text width).
WIDTHS = {
    "proactive": (7.0, 6.2, 6.2, 6.2),
    "requests": (1.6, 2.8, 6.6) + (2.0,) * 7,
    "appeals": (1.7,) * 15,
}
INTRO = ("本报告根据《中华人民共和国政府信息公开条例》要求编制。"
         "报告中所列数据统计期限自{year}年1月1日起至{year}年12月31日止。")
NARRATIVE = {
    1: ("一、总体情况", "本机关坚持以人民为中心，全面推进政务公开工作，不断完善政府信息公开制度。"),
    5: ("五、存在的主要问题及改进情况", "一是继续加强业务培训；二是完善工作机制。"),
    6: ("六、其他需要报告的事项", "无。"),
}


@dataclass(frozen=True)
class GridCell:
    """A cell of an official table: top-left grid position, spans, text."""

    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    value: bool = False  # a number (or blank) cell rather than a label


@dataclass
class Grid:
    """A table as cells placed on a grid (the union of their spans covers it)."""

    ncols: int
    cells: list[GridCell] = field(default_factory=list)
    nrows: int = 0

    def add(self, row: int, col: int, text: str, rowspan: int = 1, colspan: int = 1,
            value: bool = False) -> None:
        self.cells.append(GridCell(row, col, text, rowspan, colspan, value))
        self.nrows = max(self.nrows, row + rowspan)

    def starting(self, row: int) -> list[GridCell]:
        return sorted((c for c in self.cells if c.row == row), key=lambda c: c.col)


def official_tables(values: dict, fmt_: str, show=fmt) -> dict[str, Grid]:
    """``values[(table, row, col)]`` → the three tables as Grids (money in 万元);
    ``show`` turns a value into its cell text (blank: "")."""
    return {"proactive": _proactive_grid(values, fmt_, show),
            "requests": _requests_grid(values, fmt_, show),
            "appeals": _appeals_grid(values, show)}


def _proactive_grid(values: dict, fmt_: str, show) -> Grid:
    grid = Grid(4)
    tmpl = template("proactive", fmt_)
    r = 0
    for item, rows, headers in PROACTIVE_BLOCKS[fmt_]:
        grid.add(r, 0, item, colspan=4)
        spans = _spread(len(headers), 3)
        grid.add(r + 1, 0, "信息内容")
        col = 1
        for text, span in zip(headers, spans, strict=True):
            grid.add(r + 1, col, text, colspan=span)
            col += span
        r += 2
        for code in rows:
            row = tmpl.row(code)
            grid.add(r, 0, row.zh)
            col = 1
            for c, span in zip(row.cols, spans, strict=True):
                grid.add(r, col, show(values[("proactive", code, c)]), colspan=span, value=True)
                col += span
            r += 1
    return grid


def _spread(n: int, width: int) -> list[int]:
    """Spans of ``n`` value cells over ``width`` columns: the last takes the rest."""
    return [1] * (n - 1) + [width - n + 1]


def _requests_grid(values: dict, fmt_: str, show) -> Grid:
    grid = Grid(10)
    grid.add(0, 0, REQUEST_NOTE, rowspan=3, colspan=3)
    grid.add(0, 3, "申请人情况", colspan=7)
    grid.add(1, 3, "自然人", rowspan=2)
    grid.add(1, 4, "法人或其他组织", colspan=5)
    grid.add(1, 9, "总计", rowspan=2)
    for j, name in enumerate(("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")):
        grid.add(2, 4 + j, name)
    rows = template("requests", fmt_).rows
    outcome = [row for row in rows if row.code not in ("new", "carried_over", "carried_forward")]
    r = 3
    for row in rows:
        if row.code == "granted":  # the first row under 三、本年度办理结果
            grid.add(r, 0, "三、本年度办理结果", rowspan=len(outcome))
        if row.code in ("new", "carried_over", "carried_forward"):
            grid.add(r, 0, row.zh, colspan=3)
        elif " " in row.zh:  # first item of a group: （三）不予公开 1.属于国家秘密
            group, item = row.zh.split(" ", 1)
            size = 1 + next((k for k, nxt in enumerate(rows[rows.index(row) + 1:])
                             if not nxt.zh[0].isdigit()), 0)
            grid.add(r, 1, group, rowspan=size)
            grid.add(r, 2, item)
        elif row.zh[0].isdigit():  # a later item of the group above
            grid.add(r, 2, row.zh)
        else:  # （一）予以公开, （七）总计 ...
            grid.add(r, 1, row.zh, colspan=2)
        for j, col in enumerate(REQUEST_COLS):
            grid.add(r, 3 + j, show(values[("requests", row.code, col)]), value=True)
        r += 1
    return grid


def _appeals_grid(values: dict, show) -> Grid:
    grid = Grid(15)
    grid.add(0, 0, "行政复议", colspan=5)
    grid.add(0, 5, "行政诉讼", colspan=10)
    for j, name in enumerate(APPEALS_SUBHEADERS):
        grid.add(1, j, name, rowspan=2)
    for g, name in enumerate(APPEALS_GROUPS):
        grid.add(1, 5 + 5 * g, name, colspan=5)
        for j, sub in enumerate(APPEALS_SUBHEADERS):
            grid.add(2, 5 + 5 * g + j, sub)
    for i, row in enumerate(APPEAL_ROWS):
        for j, col in enumerate(APPEAL_COLS):
            grid.add(3, 5 * i + j, show(values[("appeals", row, col)]), value=True)
    return grid


def _blocks(values: dict, fmt_: str, year: int, show=fmt) -> list[tuple[str, object]]:
    """The report as ("p", text) and ("table", Grid) blocks, in order."""
    grids = official_tables(values, fmt_, show)
    title = TITLE.format(year=year)
    out: list[tuple[str, object]] = [("title", title), ("p", INTRO.format(year=year))]
    out += [("h", NARRATIVE[1][0]), ("p", NARRATIVE[1][1])]
    for table in ("proactive", "requests", "appeals"):
        out += [("h", HEADINGS[table]), ("table", (table, grids[table]))]
    for n in (5, 6):
        out += [("h", NARRATIVE[n][0]), ("p", NARRATIVE[n][1])]
    return out


# --- HTML ---------------------------------------------------------------------

def render_html(values: dict, fmt_: str, year: int) -> str:
    """The report as a web page: the tables with rowspan/colspan, blanks as empty cells."""
    title = TITLE.format(year=year)
    body: list[str] = []
    for kind, item in _blocks(values, fmt_, year):
        if kind == "title":
            body.append(f'<h1 style="text-align:center">{escape(item)}</h1>')
        elif kind == "h":
            body.append(f"<p><strong>{escape(item)}</strong></p>")
        elif kind == "p":
            body.append(f"<p>{escape(item)}</p>")
        else:
            body.append(_html_table(item[1]))
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)}_政府信息公开_某某县人民政府</title></head>\n<body>\n"
            '<div class="nav"><a href="/">首页</a> <a href="/zwgk">政务公开</a></div>\n'
            '<div class="article">\n' + "\n".join(body) + "\n</div>\n</body></html>\n")


def _html_table(grid: Grid) -> str:
    out = ['<table border="1" cellspacing="0" cellpadding="2">']
    for r in range(grid.nrows):
        tds = []
        for c in grid.starting(r):
            spans = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (
                f' colspan="{c.colspan}"' if c.colspan > 1 else "")
            tds.append(f"<td{spans}>{escape(c.text)}</td>")
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


# --- DOCX ---------------------------------------------------------------------

def render_docx(values: dict, fmt_: str, year: int, path: str | Path) -> Path:
    """Write the report as a .docx whose tables have real merged cells
    (``gridSpan``/``vMerge``, made by python-docx's ``_Cell.merge``).

    The document is built once per format and year with a placeholder in every
    value cell (:func:`_docx_skeleton`); each report fills the placeholders in,
    and a blank cell loses its run, so it is as empty as a cell never typed in.
    """
    import docx
    from docx.oxml.ns import qn

    doc = docx.Document(io.BytesIO(_docx_skeleton(fmt_, year)))
    texts = {_placeholder(i): fmt(values[key]) for i, key in enumerate(value_keys(fmt_))}
    for t in [t for t in doc.element.body.iter(qn("w:t")) if t.text in texts]:
        text = texts.pop(t.text)
        if text:
            t.text = text
        else:
            run = t.getparent()
            run.getparent().remove(run)
    if texts:
        raise AssertionError(f"placeholders not found in the skeleton: {sorted(texts)[:5]}")
    path = Path(path)
    doc.save(path)
    return path


def _placeholder(i: int) -> str:
    return f"@{i}@"


@cache
def _docx_skeleton(fmt_: str, year: int) -> bytes:
    """The .docx of a report whose value cells hold placeholders (see render_docx)."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = docx.Document()
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "SimSun")
    normal.paragraph_format.space_after = Pt(0)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.0))
    doc.core_properties.title = TITLE.format(year=year)
    slots = {key: _placeholder(i) for i, key in enumerate(value_keys(fmt_))}
    for kind, item in _blocks(slots, fmt_, year, show=str):
        if kind in ("title", "h", "p"):
            p = doc.add_paragraph(item)
            if kind == "title":
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            continue
        table_name, grid = item
        table = doc.add_table(rows=grid.nrows, cols=grid.ncols)
        table.style = doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        widths = [Cm(w) for w in WIDTHS[table_name]]
        for gc, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
            gc.set(qn("w:w"), str(int(width.twips)))
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = width
        # Every cell of the unmerged table, taken once: table.cell() rebuilds this
        # list on each call. Merged areas never overlap, so merging one leaves the
        # cells of the others in place.
        cells = table._cells
        for gcell in sorted(grid.cells, key=lambda c: (-c.row, -c.col)):
            cell = cells[gcell.row * grid.ncols + gcell.col]
            if gcell.rowspan > 1 or gcell.colspan > 1:
                corner = cells[(gcell.row + gcell.rowspan - 1) * grid.ncols
                               + gcell.col + gcell.colspan - 1]
                cell = cell.merge(corner)
            paragraph = cell.paragraphs[0]
            if gcell.value or gcell.row < (3 if table_name != "proactive" else 0):
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if gcell.text:
                paragraph.add_run(gcell.text).font.size = Pt(9)
        doc.add_paragraph()
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- PDF ----------------------------------------------------------------------

def soffice() -> str | None:
    """The LibreOffice executable, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def cjk_font() -> bool:
    """Whether fontconfig knows a Chinese font (``fc-list :lang=zh``).

    Without one LibreOffice renders the reports' Chinese as blank boxes, and the
    PDF it writes has no Chinese text to read back.
    """
    exe = shutil.which("fc-list")
    if exe is None:
        return False
    try:
        listed = subprocess.run([exe, ":lang=zh", "family"], capture_output=True, text=True,
                                timeout=60, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return False
    return listed.returncode == 0 and bool(listed.stdout.strip())


def pdf_renderer_missing() -> str | None:
    """Why PDFs cannot be rendered here (None when LibreOffice and a CJK font are present)."""
    if soffice() is None:
        return ("LibreOffice (soffice) is not installed; apt-get install "
                "libreoffice-writer-nogui fonts-noto-cjk to run this test")
    if not cjk_font():
        return ("LibreOffice is installed but no Chinese font is (fc-list :lang=zh is empty), "
                "so its PDFs would have no Chinese text; apt-get install fonts-noto-cjk "
                "to run this test")
    return None


def docx_to_pdf(paths: list[Path], outdir: str | Path, timeout: float = 600) -> list[Path]:
    """Convert .docx files to PDF with one headless LibreOffice call, in a
    throw-away profile (``-env:UserInstallation``) of its own."""
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="govopen-render-") as profile:
        cmd = [exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
               "--norestore", "--nolockcheck", "--convert-to", "pdf", "--outdir", str(outdir),
               *map(str, paths)]
        subprocess.run(cmd, check=True, timeout=timeout, capture_output=True,
                       stdin=subprocess.DEVNULL)
    out = [outdir / (Path(p).stem + ".pdf") for p in paths]
    missing = [p.name for p in out if not p.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice did not write {', '.join(missing)}")
    return out


def render_pdf(values: dict, fmt_: str, year: int, path: str | Path) -> Path:
    """Write the report as a PDF: the DOCX of :func:`render_docx`, converted by LibreOffice."""
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="govopen-render-") as tmp:
        source = render_docx(values, fmt_, year, Path(tmp) / (path.stem + ".docx"))
        (pdf,) = docx_to_pdf([source], tmp)
        shutil.move(pdf, path)
    return path


# --------------------------------------------------------------------------- random values

def random_values(pick, blanks: bool = True, balanced: bool = False) -> tuple[str, int, dict]:
    """Random report values drawn with ``pick(lo, hi)`` (an integer in [lo, hi]).

    ``pick`` is ``random.Random(seed).randint`` for fixture scripts, or
    ``lambda lo, hi: draw(st.integers(lo, hi))`` inside a hypothesis strategy
    (so hypothesis can shrink a failure). Covers both formats, blank cells
    (None, at a per-report rate from none to nearly all), counts up to eight
    digits, money in 万元 with up to four decimals, negative 本年增/减 (no blank
    cells with ``blanks=False``, for layouts that cannot show them). Row and
    group totals are the sums of the printed parts (blanks as 0), unless the
    total itself is blank. Section 四 always prints at least two numbers.

    The rows of table 三 are drawn one by one, so its column identities fail;
    with ``balanced=True`` they hold (:func:`balanced_requests`, drawn after the
    rest, so the other tables are the same as without it).
    """
    fmt_ = ("2019", "2021")[pick(0, 1)]
    year = pick(2019, 2020) if fmt_ == "2019" else pick(2021, 2025)
    blank_pct = (0, 0, 5, 30, 90)[pick(0, 4)] if blanks else 0

    def blank() -> bool:
        return blank_pct > 0 and pick(1, 100) <= blank_pct

    def count(digits: int) -> float:
        return float(pick(0, 10 ** pick(0, digits) - 1))

    values: dict = {}
    tmpl = template("proactive", fmt_)
    for row in tmpl.rows:
        for col in row.cols:
            kind = tmpl.col(col).kind
            if blank():
                v = None
            elif kind == "money":
                v = pick(0, 10 ** pick(0, 9) - 1) / 10 ** pick(0, 4)
            elif kind == "signed":
                v = count(5) * (-1 if pick(0, 1) else 1) + 0.0  # + 0.0: no -0.0
            else:
                v = count(8)
            values[("proactive", row.code, col)] = v
    for row in template("requests", fmt_).rows:
        parts = [None if blank() else count(5) for _ in range(6)]
        total = None if blank() else sum(p or 0.0 for p in parts)
        for col, v in zip(REQUEST_COLS, [*parts, total], strict=True):
            values[("requests", row.code, col)] = v
    for row in APPEAL_ROWS:
        parts = [None if blank() else count(4) for _ in range(4)]
        total = None if blank() else sum(p or 0.0 for p in parts)
        for col, v in zip(APPEAL_COLS, [*parts, total], strict=True):
            values[("appeals", row, col)] = v
    printed = [1 for r in APPEAL_ROWS for c in APPEAL_COLS if values[("appeals", r, c)] is not None]
    if len(printed) < 2:
        # A section 四 row with no number, or only one, is misread by the parser
        # (see the xfail tests in test_roundtrip.py): print at least two.
        review = [values[("appeals", "review", c)] for c in APPEAL_COLS[:4]]
        values[("appeals", "review", "upheld")] = review[0] or 0.0
        values[("appeals", "review", "total")] = sum(v or 0.0 for v in [review[0] or 0.0,
                                                                        *review[1:]])
    if balanced:
        values.update(balanced_requests(fmt_, pick, blank))
    return fmt_, year, values


def balanced_requests(fmt_: str, pick, blank) -> dict:
    """Table 三 whose identities all hold: row totals, the outcome rows adding up to
    （七）总计 and new + carried over = total + carried forward in every column.

    A blank cell (``blank()`` says where) stands for 0: only a part is drawn blank,
    and a sum is printed blank only where it is 0.
    """
    def count() -> float:
        return float(pick(0, 10 ** pick(0, 5) - 1))

    def sum_cell(v: float) -> float | None:
        return None if v == 0 and blank() else v

    def cells(parts: list) -> list:
        return [*parts, sum_cell(sum(p or 0.0 for p in parts))]

    rows = template("requests", fmt_).rows
    outcome = [r.code for r in rows if r.group.startswith("outcome")]
    table = {code: cells([None if blank() else count() for _ in range(6)]) for code in outcome}
    sums = [sum(table[c][k] or 0.0 for c in outcome) for k in range(6)]
    table["total"] = cells([sum_cell(v) for v in sums])
    table["carried_forward"] = cells([None if blank() else count() for _ in range(6)])
    handled = [s + (f or 0.0) for s, f in zip(sums, table["carried_forward"], strict=False)]
    over = [None if blank() else float(pick(0, int(h))) for h in handled]
    table["carried_over"] = cells(over)
    table["new"] = cells([sum_cell(h - (o or 0.0)) for h, o in zip(handled, over, strict=True)])
    return {("requests", code, col): v for code, row in table.items()
            for col, v in zip(REQUEST_COLS, row, strict=True)}


def value_keys(fmt_: str) -> list[tuple[str, str, str]]:
    """Every ``(table, row, col)`` of a report in format ``fmt_``, in template order."""
    return [(table, row.code, col) for table in ("proactive", "requests", "appeals")
            for row in template(table, fmt_).rows for col in row.cols]


def values_to_list(values: dict, fmt_: str) -> list[float | None]:
    """The values in :func:`value_keys` order (compact for JSON fixtures)."""
    return [values[key] for key in value_keys(fmt_)]


def values_from_list(data: list[float | None], fmt_: str) -> dict:
    keys = value_keys(fmt_)
    if len(data) != len(keys):
        raise ValueError(f"expected {len(keys)} values for format {fmt_}, got {len(data)}")
    return dict(zip(keys, data, strict=True))


# --------------------------------------------------------------------------- markdown
#
# Markdown as crawlers and PDF converters write it. Variants:
#   plain     one pipe table per section, a header row and a |---| rule
#   merged    merged labels repeated in every row they span, with <br> inside
#             cells (as pymupdf4llm writes them), header split over two rows,
#             ``## 表三：…`` headings a converter inserts
#   split     the requests table cut in two by a page break: a page number and
#             the header repeated on the next page
#   loose     extra empty columns and two numbers of adjacent cells in one cell

MD_VARIANTS = ("plain", "merged", "split", "loose")


def _md_row(cells: list[str]) -> str:
    return "|" + "|".join(c.replace("\n", "<br>") for c in cells) + "|"


def _md_rule(n: int) -> str:
    return "|" + "|".join(["---"] * n) + "|"


def render_markdown(values: dict, formats: dict[str, str], year: int, variant: str = "plain",
                    show=fmt) -> str:
    """``values[(table, row, col)]`` → a report as markdown (see :data:`MD_VARIANTS`).

    ``formats`` gives each table's template format (``proactive``, ``requests``).
    """
    out = [f"# {TITLE.format(year=year)}", "", "一、总体情况", "", "本机关依法做好政府信息公开工作。", ""]
    for table in ("proactive", "requests", "appeals"):
        heading = HEADINGS[table]
        out += [f"## {heading}" if variant != "plain" else heading, ""]
        if variant == "merged":
            out += [f"## 表{heading[0]}：{heading[2:]}", ""]
        if table == "appeals":
            cells = [show(values.get(("appeals", r, c))) for r in APPEAL_ROWS for c in APPEAL_COLS]
            head = ["行政复议"] * 5 + ["行政诉讼"] * 10
            out += [_md_row(head), _md_rule(15)]
            sub = list(APPEALS_SUBHEADERS) * 3
            if variant == "merged":
                out.append(_md_row([""] * 5 + ["未经复议直接起诉"] * 5 + ["复议后起诉"] * 5))
            out += [_md_row(sub), _md_row(_loose(cells) if variant == "loose" else cells), ""]
            continue
        tmpl = template(table, formats[table])
        rows = list(tmpl.rows)
        width = max(len(r.cols) for r in rows)
        lines = []
        if table == "requests":
            head = ["（本列数据的勾稽关系为：第一项加第二项之和，\n等于第三项加第四项之和）", "申请人情况"] + [""] * 6
            lines += [_md_row(head), _md_rule(len(head))]
            if variant == "merged":
                lines.append(_md_row(["", "自然人", "法人或其他组织", "", "", "", "", "总计"]))
            lines.append(_md_row(["", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构",
                                  "其他", "总计"]))
        else:
            lines += [_md_row(["信息内容"] + [""] * width), _md_rule(width + 1)]
        groups = _md_groups(rows)
        for i, row in enumerate(rows):
            if not any((table, row.code, c) in values for c in row.cols):
                continue  # a row the report leaves out
            if table == "proactive" and (formats[table], row.code) in PROACTIVE_HEADERS:
                head = PROACTIVE_HEADERS[(formats[table], row.code)].split("\n")
                lines.append(_md_row([head[0]] + [""] * width))
                lines.append(_md_row(head[1].split(" ")))
            cells = [show(values.get((table, row.code, c))) for c in row.cols]
            name = label(row.zh)
            if variant == "merged" and row.code in groups:
                name = groups[row.code] + "|" + name
            elif variant == "merged" and table == "requests":
                name = "|" + name
            if variant == "loose":
                cells = _loose(cells)
            lines.append(_md_row([*name.split("|"), *cells]))
            if variant == "split" and table == "requests" and i == len(rows) // 2:
                lines += ["", "- 3 -", "", lines[0], lines[1]]
        out += lines + [""]
    out += ["五、存在的主要问题及改进情况", "", "无。", "", "六、其他需要报告的事项", "", "无。", ""]
    return "\n".join(out)


def _md_groups(rows) -> dict[str, str]:
    """The merged group label of each requests row, with <br> as pymupdf4llm writes it."""
    out = {}
    for row in rows:
        zh = label(row.zh)
        for mark in ("(三)不予公开", "(四)无法提供", "(五)不予处理", "(六)其他处理"):
            if zh.startswith(mark) and " " in zh:
                out[row.code] = "三、\n本\n年\n度\n办\n理\n结\n果" if mark == "(三)不予公开" else ""
        if row.code in ("granted", "partial"):
            out[row.code] = "三、\n本\n年度办理结果"
    return out


def _loose(cells: list[str]) -> list[str]:
    """Cells as a converter that misjudged the columns prints them."""
    out = []
    for i, c in enumerate(cells):
        if i % 3 == 1 and out and out[-1] and c:
            out[-1] = f"{out[-1]} {c}"  # two adjacent numbers in one cell
            out.append("")
        else:
            out.append(c)
    return out + [""]


# --------------------------------------------------------------------------- converters

# The converters researchers use, whose outputs of the real PDF and of the
# rendered sets are fixtures (fixtures/make_converter_fixtures.py).
CONVERTERS = ("pdftotext", "pdftotext_layout", "pymupdf4llm", "markitdown", "pypdfium2")
# Text other Python tools give, as researchers call them (pages joined by a line
# break, or by the form feed the tool writes itself), of the real PDF, the round
# trip's PDFs and the hand-read set: pdfplumber's extract_text (plain and layout=True),
# pdfminer's extract_text, PyMuPDF's get_text (plain and sort=True).
MORE = ("pdfplumber", "pdfplumber_layout", "pdfminer", "pymupdf", "pymupdf_sort")
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def handread_values() -> dict[str, tuple[str, int, dict]]:
    """The hand-read reports of one format with every value known: stem -> (format,
    year, values as the tests compare them)."""
    out = {}
    for meta_path in sorted((FIXTURES / "expected").glob("*.meta.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        formats = set(meta.get("table_formats", {}).values())
        stem = meta_path.name.removesuffix(".meta.json")
        rows = _hand_read_rows(stem)
        if len(formats) != 1 or any(r["value"] == "?" for r in rows):
            continue
        out[stem] = (formats.pop(), int(meta["year"]), _values(rows))
    return out


def hand_read(stem: str) -> dict:
    """The values read off report ``stem`` by hand (``expected/<stem>.csv``), as the
    tests compare them: (table, row, col) -> value, None for a blank cell."""
    return _values(_hand_read_rows(stem))


def _hand_read_rows(stem: str) -> list[dict[str, str]]:
    with (FIXTURES / "expected" / f"{stem}.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _values(rows: list[dict[str, str]]) -> dict:
    return {(r["table"], r["row"], r["col"]): float(r["value"]) if r["value"] else None
            for r in rows}
