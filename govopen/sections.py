"""Finding the six sections of a report (一 … 六) in its text.

The template fixes six sections, but reports word and number their headings
freely: ``四、因政府信息公开申请行政复议、提起行政诉讼的情况`` or
``四、政府信息公开行政复议、行政诉讼情况``; some insert sections of their own
(``二、政务公开工作主要任务``, ``五、信息处理费收取情况``) so that the printed
numbers shift. Sections are therefore recognised by what the heading says, in the
template's order, each searched after the previous one (so the phrase
"本报告包括总体情况、主动公开政府信息情况…" in an introduction is never taken for
a heading). Numbered headings that fall between two recognised ones and continue
their numbering are kept as extra sections (``number`` is None).

Example:
    >>> text = "一、总体情况\\n好。\\n二、主动公开政府信息情况\\n规章 0 0 0\\n"
    >>> [(s.number, s.heading) for s in find_sections(text)]
    [(1, '一、总体情况'), (2, '二、主动公开政府信息情况')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ZH_NUMERALS = "一二三四五六七八九十"
# A section number: a Chinese numeral not inside "(三)", then 、 or a dot.
_NUMBER = r"(?P<num>(?<![(（一二三四五六七八九十])[一二三四五六七八九十])\s*[、.,．，]\s*"
# Arabic numbers also number sub-items ("1.主动公开政府信息的情况" inside 一), so
# they are tried only for a section not found otherwise, between its neighbours.
_ARABIC = r"(?P<num>(?<![(（\d.])(?:10|[1-9]))\s*[、.,．，]\s*"
_TOPICS = {
    1: r"(?:总体情况|概述|基本情况|总体概况)",
    2: r"主动公开政府信息",
    3: r"收到和处理政府信息公开申请|(?:依申请公开|政府信息公开申请)(?:办理)?情况",
    4: r"(?!结转)[^\n。]{0,16}?(?:行政(?:法)?复议|行政诉讼)",
    5: r"[^\n。]{0,14}?(?:存在的?主要问题|主要问题|存在的?问题|问题及改进)",
    6: r"其他需要?报告的?事项",
}
_PATTERNS = {n: re.compile(_NUMBER + f"(?:{t})") for n, t in _TOPICS.items()}
_ARABIC_PATTERNS = {n: re.compile(_ARABIC + f"(?:{t})") for n, t in _TOPICS.items()}
_ANY_HEADING = re.compile(_NUMBER + r"[^\n。,，:：]{2,30}")


@dataclass(frozen=True)
class Section:
    """A section: which template section it is, its heading, and where it lies."""

    number: int | None  # 1–6 for the template's sections, None for extra ones
    printed: int  # the number as printed (二 → 2)
    heading: str
    start: int  # start of the heading
    body: int  # end of the heading
    end: int  # start of the next section, or the end of the text


def find_sections(text: str) -> list[Section]:
    """The sections found in ``text``, in order, each ending where the next begins."""
    found = _search(text, _PATTERNS, 0, len(text))
    for number in range(1, 7):
        if number in found:
            continue
        lo = max((found[n][3] for n in found if n < number), default=0)
        hi = min((found[n][2] for n in found if n > number), default=len(text))
        found.update(_search(text, _ARABIC_PATTERNS, lo, hi, only=number))
    extras: list[tuple[int | None, int, int, int]] = []
    ordered = sorted(found.values(), key=lambda f: f[2])
    for left, right in zip(ordered, ordered[1:], strict=False):
        expected = left[1] + 1
        for m in _ANY_HEADING.finditer(text, left[3], right[2]):
            printed = _numeral(m.group("num"))
            if printed == expected and printed < right[1]:
                extras.append((None, printed, m.start(), _heading_end(text, m)))
                expected += 1
    headings = sorted([*found.values(), *extras], key=lambda f: f[2])
    sections = []
    for i, (topic, printed, start, body) in enumerate(headings):
        end = headings[i + 1][2] if i + 1 < len(headings) else len(text)
        sections.append(Section(topic, printed, text[start:body].strip(), start, body, end))
    return sections


def _search(text: str, patterns: dict[int, re.Pattern[str]], lo: int, hi: int,
            only: int | None = None) -> dict[int, tuple[int | None, int, int, int]]:
    """Search the topics in order, each after the previous, within text[lo:hi]."""
    out: dict[int, tuple[int | None, int, int, int]] = {}
    pos = lo
    for number in range(1, 7):
        if only is not None and number != only:
            continue
        m = patterns[number].search(text, pos, hi)
        if m:
            out[number] = (number, _numeral(m.group("num")), m.start(), _heading_end(text, m))
            pos = m.end()
    return out


def _numeral(text: str) -> int:
    text = text.strip()
    return _ZH_NUMERALS.index(text) + 1 if text in _ZH_NUMERALS else int(text)


def _heading_end(text: str, m: re.Match[str]) -> int:
    """End of a heading: the end of its line, but at most a short phrase on.

    Crawler text runs headings into the body ("一、总体情况2019年，在…"), so the
    heading stops at the first digit, punctuation or 情况 after the match.
    """
    end = m.end()
    if re.search(r"(?:情况|事项|概述)$", m.group(0)):
        return end
    stop = re.compile(r"[\n。，,:：;；\d]|情况|事项|措施")
    nxt = stop.search(text, end, min(len(text), end + 20))
    if nxt is None:
        return end
    if nxt.group(0) in ("情况", "事项", "措施"):
        return nxt.end()
    return nxt.start()
