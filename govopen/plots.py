"""Figure helpers: one paper style, Chinese or English labels, vector + 300-dpi output.

Chinese labels need a font with CJK glyphs. :func:`cjk_font` registers Noto Sans
CJK SC shipped by the ``mplfonts`` package (so a fresh machine needs nothing
installed by hand) and falls back to a CJK font the system has;
:func:`use_style` makes it the default sans-serif font.

Example:
    >>> fig, ax = new_figure()
    >>> ax.set_title(label("requests", "row", "granted", lang="zh"))
    Text(0.5, 1.0, '（一）予以公开')
    >>> ax.get_title()
    '（一）予以公开'
"""

from __future__ import annotations

import re
import sys
from functools import cache
from pathlib import Path

import matplotlib

# Headless (tests, CI, scripts) — except inside a Jupyter kernel, where the inline
# backend must stay so that figures appear in the notebook and its HTML copy.
if "ipykernel" not in sys.modules:
    matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from govopen.templates import labels  # noqa: E402

# System fonts with CJK glyphs, tried when mplfonts is not installed.
_SYSTEM_CJK = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Zen Hei",
               "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC",
               "Heiti SC", "AR PL UMing CN")
STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 300,
    "savefig.bbox": "tight",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "pdf.fonttype": 42,  # embed TrueType so PDFs stay editable and searchable
    "axes.unicode_minus": False,  # CJK fonts often lack U+2212
}


@cache
def cjk_font() -> str:
    """Name of a font with Chinese glyphs, registered with matplotlib.

    Raises RuntimeError when neither mplfonts nor a system CJK font is present.
    """
    try:
        import mplfonts
        font_dir = Path(mplfonts.__file__).parent / "fonts"
        path = font_dir / "NotoSansCJKsc-Regular.otf"
        if path.exists():
            font_manager.fontManager.addfont(str(path))
            return font_manager.FontProperties(fname=str(path)).get_name()
    except ImportError:
        pass
    available = {f.name for f in font_manager.fontManager.ttflist}
    for name in _SYSTEM_CJK:
        if name in available:
            return name
    raise RuntimeError("no font with Chinese glyphs found: `pip install mplfonts` or install "
                       "a CJK font (Debian: apt-get install fonts-noto-cjk)")


def use_style() -> None:
    """Apply the paper style and the CJK font to every new figure."""
    plt.rcParams.update(STYLE)  # type: ignore[arg-type]  # matplotlib types keys as literals
    font = cjk_font()
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["font.sans-serif"] = [font, "DejaVu Sans"]


def new_figure(width: float = 6.0, height: float = 3.5, **kwargs):
    """A figure and axes in the paper style (sizes in inches)."""
    use_style()
    return plt.subplots(figsize=(width, height), **kwargs)


@cache
def _labels() -> dict[tuple[str, str, str], dict[str, str]]:
    return {(x["table"], x["kind"], x["code"]): x for x in labels()}


def label(table: str, kind: str, code: str, lang: str = "en") -> str:
    """The Chinese (``zh``) or English (``en``) label of a row or column code.

    Example:
        >>> label("requests", "row", "unable_not_held")
        'Unable to provide: not held'
    """
    if lang not in ("zh", "en"):
        raise ValueError("lang must be 'zh' or 'en'")
    entry = _labels().get((table, kind, code))
    if entry is None:
        return code
    return entry[lang]


def save(fig, path: str | Path) -> list[Path]:
    """Save ``fig`` as vector PDF and 300-dpi PNG next to each other; return both paths."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = []
    for suffix in (".pdf", ".png"):
        target = path.with_suffix(suffix)
        fig.savefig(target)
        out.append(target)
    return out


#: Administrative levels of the manifest, top to bottom, with (English, Chinese) labels.
LEVELS = {
    "province": ("Province", "省级"),
    "prefecture": ("Prefecture", "地市级"),
    "county": ("County", "县级"),
    "township": ("Township", "乡镇（街道）"),
    "department": ("Department", "政府部门"),
}
#: Provincial-level units: Chinese name as in the manifest -> English name.
PROVINCES = {
    "北京市": "Beijing", "天津市": "Tianjin", "河北省": "Hebei", "山西省": "Shanxi",
    "内蒙古自治区": "Inner Mongolia", "辽宁省": "Liaoning", "吉林省": "Jilin",
    "黑龙江省": "Heilongjiang", "上海市": "Shanghai", "江苏省": "Jiangsu", "浙江省": "Zhejiang",
    "安徽省": "Anhui", "福建省": "Fujian", "江西省": "Jiangxi", "山东省": "Shandong",
    "河南省": "Henan", "湖北省": "Hubei", "湖南省": "Hunan", "广东省": "Guangdong",
    "广西壮族自治区": "Guangxi", "海南省": "Hainan", "重庆市": "Chongqing", "四川省": "Sichuan",
    "贵州省": "Guizhou", "云南省": "Yunnan", "西藏自治区": "Tibet", "陕西省": "Shaanxi",
    "甘肃省": "Gansu", "青海省": "Qinghai", "宁夏回族自治区": "Ningxia",
    "新疆维吾尔自治区": "Xinjiang", "other": ("Other", "其他"), "unknown": ("Unknown", "未注明"),
}


def tr(en: str, zh: str, lang: str = "en") -> str:
    """``en`` or ``zh`` by ``lang``: one call per bilingual figure text.

    Example:
        >>> tr("Year", "年份", lang="zh")
        '年份'
    """
    if lang not in ("zh", "en"):
        raise ValueError("lang must be 'zh' or 'en'")
    return zh if lang == "zh" else en


def level_label(level: str, lang: str = "en") -> str:
    """Label of an administrative level code (``county`` -> ``County`` / ``县级``).

    Example:
        >>> level_label("township", lang="zh")
        '乡镇（街道）'
    """
    en, zh = LEVELS.get(level, (str(level), str(level)))
    return tr(en, zh, lang)


def region_label(region: str, lang: str = "en") -> str:
    """Label of a province as written in the manifest (``福建省`` -> ``Fujian``).

    Example:
        >>> region_label("福建省"), region_label("福建省", lang="zh"), region_label("unknown")
        ('Fujian', '福建省', 'Unknown')
    """
    name = PROVINCES.get(region)
    if isinstance(name, tuple):
        return tr(name[0], name[1], lang)
    if lang == "zh" or name is None:
        return str(region)
    return str(name)


def indicator_label(name: str, lang: str = "en") -> str:
    """Short label of an indicator of :mod:`govopen.indicators`.

    Example:
        >>> indicator_label("not_held_share", lang="zh")
        '不掌握占比'
    """
    from govopen.indicators import SHORT_LABELS

    en, zh = SHORT_LABELS.get(name, (name, name))
    return tr(en, zh, lang)


def short_label(table: str, kind: str, code: str, lang: str = "en") -> str:
    """:func:`label` without the template's numbering, group word and parenthetical notes.

    For axis ticks: ``（三）不予公开 1.属于国家秘密`` -> ``属于国家秘密``,
    ``Withheld: state secret`` -> ``State secret``.

    Example:
        >>> short_label("requests", "row", "withheld_secret", lang="zh")
        '属于国家秘密'
        >>> short_label("requests", "row", "partial", lang="zh")
        '部分公开'
        >>> short_label("requests", "row", "unprocessed_repeat")
        'Repeat request'
    """
    text = label(table, kind, code, lang)
    if lang == "en":
        text = text.split(": ", 1)[-1]
        return text[:1].upper() + text[1:]
    text = re.sub(r"（[^）]*）$", "", text)          # trailing note
    text = re.sub(r"^[一二三四五六七八九十]+、", "", text)  # 一、
    text = re.sub(r"^（[一二三四五六七八九十]+）", "", text)  # （三）
    text = text.split(" ", 1)[-1]                    # group word before the item
    return re.sub(r"^\d+\.", "", text).strip()


def save_table(frame, path: str | Path, caption: str | None = None, index: bool = True,
               float_format: str = "{:.3g}") -> list[Path]:
    r"""Save a table as CSV (UTF-8 with BOM, opens in Excel) and LaTeX (booktabs).

    The LaTeX file is a ``tabular`` (inside a ``table`` with ``caption``, if given)
    that needs ``\usepackage{booktabs}``, and xeCJK for Chinese text. Returns both
    paths.

    Example:
        >>> import pandas as pd, tempfile
        >>> out = save_table(pd.DataFrame({"a_b": [0.5]}), Path(tempfile.mkdtemp()) / "t")
        >>> [p.suffix for p in out], "a\\_b" in out[1].read_text()
        (['.csv', '.tex'], True)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    csv_path, tex_path = path.with_suffix(".csv"), path.with_suffix(".tex")
    frame.to_csv(csv_path, index=index, encoding="utf-8-sig")
    tex_path.write_text(latex_table(frame, caption=caption, index=index,
                                    float_format=float_format), encoding="utf-8")
    return [csv_path, tex_path]


_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                  "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                  "^": r"\textasciicircum{}"}


def latex_escape(text: object) -> str:
    r"""``text`` with LaTeX's special characters escaped.

    Example:
        >>> print(latex_escape("5% of a_b & c"))
        5\% of a\_b \& c
    """
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in str(text))


def latex_table(frame, caption: str | None = None, index: bool = True,
                float_format: str = "{:.3g}") -> str:
    """A booktabs ``tabular`` of ``frame`` (no jinja2 needed); numbers right-aligned."""
    import pandas as pd

    data = frame.reset_index() if index else frame
    if index and not isinstance(frame.index, pd.MultiIndex) and frame.index.name is None:
        data = data.rename(columns={"index": ""})

    def cell(value) -> str:
        if isinstance(value, float):
            return "" if pd.isna(value) else latex_escape(float_format.format(value))
        if value is None or value is pd.NA:
            return ""
        return latex_escape(value).replace("\n", " ")

    numeric = [pd.api.types.is_numeric_dtype(data[c]) for c in data.columns]
    spec = "".join("r" if n else "l" for n in numeric)
    head = " & ".join(latex_escape(c) for c in data.columns) + r" \\"
    body = [" & ".join(cell(v) for v in row) + r" \\" for row in data.itertuples(index=False)]
    lines = [rf"\begin{{tabular}}{{{spec}}}", r"\toprule", head, r"\midrule", *body,
             r"\bottomrule", r"\end{tabular}"]
    if caption:
        lines = [r"\begin{table}[htbp]", r"\centering", rf"\caption{{{latex_escape(caption)}}}",
                 *lines, r"\end{table}"]
    return "\n".join(lines) + "\n"


#: Okabe–Ito colours (distinguishable with colour-blindness), in a fixed order.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000")
#: One colour per administrative level, the same in every figure.
LEVEL_COLORS = dict(zip(LEVELS, ("#000000", "#CC79A7", "#0072B2", "#009E73", "#E69F00"),
                        strict=True))


def level_order(levels) -> list[str]:
    """The distinct levels present, in the order of :data:`LEVELS` (unknown ones last).

    Example:
        >>> level_order(["township", "county", "township", "x"])
        ['county', 'township', 'x']
    """
    present = list(dict.fromkeys(str(v) for v in levels if v == v and v is not None))
    rank = {name: i for i, name in enumerate(LEVELS)}
    return sorted(present, key=lambda v: (rank.get(v, len(rank)), v))


def short_names(names, min_prefix: int = 4) -> tuple[dict[str, str], str]:
    """Agency names without the long prefix most of them share, for axis ticks.

    The prefix is the longest one of at least ``min_prefix`` characters that
    starts at least half of the distinct names (and two of them); a name equal to
    the prefix is kept whole. Returns ``{name: short}`` and the prefix (``""``
    when there is none), which a caption should mention.

    Example:
        >>> short, prefix = short_names(["平潭综合实验区", "平潭综合实验区公安局",
        ...                              "平潭综合实验区财政金融局", "伊川县人民政府办公室"])
        >>> prefix, short["平潭综合实验区公安局"], short["平潭综合实验区"]
        ('平潭综合实验区', '公安局', '平潭综合实验区')
    """
    distinct = sorted({str(n) for n in names if isinstance(n, str) and n})
    need = max(2, (len(distinct) + 1) // 2)
    prefix = ""
    for length in range(min_prefix, max((len(n) for n in distinct), default=0) + 1):
        counts: dict[str, int] = {}
        for name in distinct:
            if len(name) >= length:
                counts[name[:length]] = counts.get(name[:length], 0) + 1
        best = [p for p, c in counts.items() if c >= need]
        if not best:
            break
        prefix = max(best, key=lambda p: counts[p])
    short = {n: (n[len(prefix):] if prefix and n.startswith(prefix) and n != prefix else n)
             for n in distinct}
    return short, prefix
