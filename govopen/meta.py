"""Report metadata read from the document: title, agency, year, statistics period.

Sources, in order of trust: the file's own header (a crawler's ``标题``, an HTML
``ArticleTitle``), the report's title line (which may sit under a cover letter
``关于报送…的函``), the signature at the end, and the text. ``agency_source`` says
which one gave the agency, so a researcher knows which names to review.

Example:
    >>> m = read_meta("平潭综合实验区2019年度政府信息公开工作年度报告\\n一、总体情况\\n", {})
    >>> (m["agency"], m["year"], m["agency_source"])
    ('平潭综合实验区', 2019, 'title')
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

_TITLE = re.compile(
    r"[^\n。，,]{0,60}?(?:政府信息公开|政务公开)(?:工作)?(?:年度)?报告(?:\s*[(（]\d{4}年?度?[)）])?")
_YEAR = re.compile(r"(20\d{2})\s*年")
_REPORT_WORDS = re.compile(
    r"(?:20\d{2}\s*年\s*度?)|(?:关于)?(?:政府信息公开|政务公开)(?:工作)?(?:年度)?报告.*$")
_AGENCY_SUFFIX = (r"(?:人民政府办公室|人民政府办公厅|人民政府|政府办公室|政府|办公室|办公厅|"
                  r"管理委员会|管委会|管理局|委员会|街道办事处|办事处|局|厅|委|署|院|中心)")
_SIGNATURE = re.compile(rf"^[\u4e00-\u9fff()]{{2,30}}?{_AGENCY_SUFFIX}$")
_IN_TEXT = re.compile(
    rf"[\u4e00-\u9fff]{{1,12}}?(?:省|市|县|区|旗|镇|乡|街道){_AGENCY_SUFFIX}")
_PERIOD = re.compile(
    r"统计(?:期限|期间|时限|时间)[^0-9]{0,6}(?P<y1>\d{4})\s*年\s*(?P<m1>\d{1,2})\s*月\s*(?:(?P<d1>\d{1,2})\s*日)?"
    r"[^0-9]{0,4}?(?:至|到|—|-|~)\s*(?:(?P<y2>\d{4})\s*年)?\s*(?P<m2>\d{1,2})\s*月\s*(?:(?P<d2>\d{1,2})\s*日)?")


def read_meta(text: str, header: dict[str, str]) -> dict[str, Any]:
    """Title, agency, year, period and publication date of a report.

    ``header`` holds what the file says about itself (see
    :attr:`govopen.document.Document.header`).
    """
    title = (header.get("title") or "").strip() or _find_title(text)
    meta: dict[str, Any] = {"title": title or None}
    year = _year(title) if title else None
    period = _period(text)
    meta.update(period)
    if year is None and period.get("period_end"):
        year = int(period["period_end"][:4])
    if year is None:
        year = _year_from_text(text)
    meta["year"] = year
    agency, source = _agency(title, text)
    meta["agency"], meta["agency_source"] = agency, source
    meta["published"] = header.get("published") or None
    meta["url"] = header.get("url") or None
    return meta


def _find_title(text: str) -> str:
    head = text[:4000]
    for line in head.split("\n"):
        line = line.strip()
        if len(line) <= 80 and _TITLE.fullmatch(line):
            return line
    m = _TITLE.search(head.split("一、")[0] if "一、" in head else head[:300])
    return m.group(0).strip() if m else ""


def _year(title: str) -> int | None:
    m = _YEAR.search(title)
    return int(m.group(1)) if m else None


def _year_from_text(text: str) -> int | None:
    years = Counter(int(y) for y in _YEAR.findall(text[:3000]))
    return years.most_common(1)[0][0] if years else None


def _period(text: str) -> dict[str, Any]:
    m = _PERIOD.search(text)
    if not m:
        return {"period_start": None, "period_end": None}
    y1 = int(m.group("y1"))
    y2 = int(m.group("y2") or y1)
    d1 = int(m.group("d1") or 1)
    m2 = int(m.group("m2"))
    d2 = int(m.group("d2")) if m.group("d2") else _month_end(y2, m2)
    return {"period_start": f"{y1:04d}-{int(m.group('m1')):02d}-{d1:02d}",
            "period_end": f"{y2:04d}-{m2:02d}-{d2:02d}"}


def _month_end(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _agency(title: str, text: str) -> tuple[str | None, str]:
    if title:
        name = _REPORT_WORDS.sub("", re.sub(r"\s+", "", title)).strip("《》“”\"' ")
        name = re.sub(r"^关于", "", name)
        if name.endswith("人民"):
            # "…镇人民政府信息公开工作年度报告": 政府 is shared by the name and 政府信息公开.
            name += "政府"
        if len(name) >= 2:
            return name, "title"
    tail = [ln.strip() for ln in text.strip().split("\n")[-8:] if ln.strip()]
    for line in reversed(tail):
        line = re.sub(r"\s+", "", line)
        if _SIGNATURE.match(line):
            return line, "signature"
    m = _IN_TEXT.search(text[:3000])
    if m:
        return m.group(0), "text"
    return None, "none"
