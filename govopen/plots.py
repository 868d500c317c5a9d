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

from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: notebooks run under nbclient, tests on CI

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
    plt.rcParams.update(STYLE)
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
