r"""Unicode clean-up applied to every report before parsing.

PDF text layers of Chinese reports often carry look-alike characters: the Kangxi
radicals (``⼀`` U+2F00 for ``一``), which NFKC folds, and characters of the CJK
Radicals Supplement (``⺠`` for ``民``, ``⻓`` for ``长``), which NFKC leaves alone.
Web pages add non-breaking, full-width and zero-width spaces. After
:func:`normalize_text` all of these read as the ordinary characters.

Example:
    >>> normalize_text("⼆、主动公开政府信息情况\u3000⼈⺠")
    '二、主动公开政府信息情况 人民'
"""

from __future__ import annotations

import re
import unicodedata

# CJK Radicals Supplement characters seen in PDF text layers, with the ordinary
# character they stand for (NFKC does not fold these).
_RADICAL_SUPPLEMENT = {
    "⺀": "冫", "⺁": "厂", "⺃": "乚", "⺅": "亻", "⺇": "几", "⺈": "刀", "⺉": "刂",
    "⺊": "卜", "⺋": "卩", "⺌": "小", "⺍": "小", "⺎": "兀", "⺏": "尣", "⺐": "尢",
    "⺑": "兀", "⺒": "巳", "⺓": "幺", "⺔": "彑", "⺕": "彐", "⺖": "忄", "⺗": "心",
    "⺘": "扌", "⺙": "攵", "⺛": "旡", "⺜": "日", "⺝": "月", "⺞": "歺", "⺟": "母",
    "⺠": "民", "⺡": "氵", "⺢": "氺", "⺣": "灬", "⺤": "爫", "⺥": "爫", "⺦": "丬",
    "⺧": "牛", "⺨": "犭", "⺩": "王", "⺪": "疋", "⺫": "目", "⺬": "示", "⺭": "礻",
    "⺮": "竹", "⺯": "糸", "⺰": "纟", "⺱": "网", "⺲": "罒", "⺳": "网", "⺴": "网",
    "⺵": "网", "⺶": "羊", "⺷": "羊", "⺸": "羊", "⺹": "耂", "⺺": "肀", "⺻": "聿",
    "⺼": "月", "⺽": "臼", "⺾": "艹", "⺿": "艹", "⻀": "艹", "⻁": "虎", "⻂": "衤",
    "⻃": "襾", "⻄": "西", "⻅": "见", "⻆": "角", "⻇": "角", "⻈": "讠", "⻉": "贝",
    "⻊": "足", "⻋": "车", "⻌": "辶", "⻍": "辶", "⻎": "辶", "⻏": "阝", "⻐": "金",
    "⻑": "長", "⻒": "镸", "⻓": "长", "⻔": "门", "⻕": "阜", "⻖": "阝", "⻗": "雨",
    "⻘": "青", "⻙": "韦", "⻚": "页", "⻛": "风", "⻜": "飞", "⻝": "食", "⻞": "食",
    "⻟": "食", "⻠": "饣", "⻡": "首", "⻢": "马", "⻣": "骨", "⻤": "鬼", "⻥": "鱼",
    "⻦": "鸟", "⻧": "卤", "⻨": "麦", "⻩": "黄", "⻪": "黾", "⻫": "齐", "⻬": "齐",
    "⻭": "齿", "⻮": "齿", "⻯": "龙", "⻰": "龙", "⻱": "龟", "⻲": "龟", "⻳": "龟",
}
_TRANSLATE = str.maketrans(_RADICAL_SUPPLEMENT)

# Zero-width characters and the byte-order mark carry no text.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# Spaces other than the tab (a cell break) and newline (a line break).
_SPACES = re.compile(r"[^\S\t\n]+")


def normalize_text(text: str) -> str:
    r"""NFKC-normalise, fold radical look-alikes and unify spaces.

    Tabs and newlines are kept (they mark cells and lines); runs of other
    spaces, including full-width and non-breaking ones, become one space.
    Line endings become ``\\n``.

    Example:
        >>> normalize_text("规章\u00a0\u00a00\t0\r\n")
        '规章 0\t0\n'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    text = _INVISIBLE.sub("", text)
    return _SPACES.sub(" ", text)


def compact(text: str) -> str:
    r"""Text with all whitespace removed, for matching labels.

    Example:
        >>> compact("结果 维持\t尚未\n审结")
        '结果维持尚未审结'
    """
    return re.sub(r"\s+", "", text)
