"""Regenerate data/raw/manifest.csv (one row per report file under data/raw).

Sources, in order of precedence:
  1. data/raw/fujian/pingtan_panel/INDEX.tsv (agency, report_year, source_url);
  2. the crawler header at the top of each data/raw/fujian/**/*.txt
     (标题 = title, 原文链接 = source URL); the year reported on is read from the title;
  3. the hand-checked facts in OTHER_FILES below (Shanghai, Jiangsu, Henan, the
     saved Pingtan HTML page), taken from the files themselves and the corpus README.

Usage: python scripts/make_manifest.py [--check]
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
MANIFEST = RAW / "manifest.csv"
HEADER = [
    "file",
    "agency",
    "year",
    "level",
    "province",
    "prefecture",
    "county",
    "url",
    "retrieved",
    "notes",
    "agency_id",
]
NOT_REPORTS = {"INDEX.tsv", "manifest.csv", "links.tsv"}

PINGTAN = {"province": "福建省", "prefecture": "福州市", "county": "平潭县"}

# agency_id links the reports of one agency across years where its name changed
# (empty: the build uses the normalised agency name).
AGENCY_IDS = {
    # 国有资产管理局 was renamed 投资促进局 in 2024 (see PINGTAN_NOTES)
    "平潭综合实验区国有资产管理局": "平潭综合实验区国有资产管理局",
    "平潭综合实验区投资促进局": "平潭综合实验区国有资产管理局",
}
PINGTAN_ZONE = "平潭综合实验区"

# Crawler 发布机构 values that are site boilerplate or editing accidents, not the agency.
JUNK_PUBLISHER = {"1", "桌面", "平潭网", "福建学生资助", "平潭综合实验区人民政府"}

# Notes for individual Pingtan files (relative to data/raw).
PINGTAN_NOTES = {
    "fujian/pingtan_panel/80590.txt": "holds only the title: the page body was not captured",
    "fujian/pingtan_panel/96996.txt": (
        "titled 投资促进局 but signed 平潭综合实验区国有资产管理局 and filed in the "
        "国有资产管理局 (ptzhsyqgyz) column: the bureau appears to have been renamed "
        "国有资产管理局 -> 投资促进局; continues the 国有资产管理局 series"
    ),
    "fujian/pingtan_panel/106267.txt": (
        "filed in the 国有资产管理局 (ptzhsyqgyz) column: successor of 国有资产管理局"
    ),
    "fujian/pingtan_panel/106556.txt": (
        "published 2023-01-21 but the URL is dated 2026-05-08 (page re-issued)"
    ),
    "fujian/pingtan_panel/86658.txt": (
        "2022 report published 2023-01-05 but its URL is dated 2024-01-30 (page re-issued)"
    ),
    "fujian/pingtan_panel/80599.txt": "title reads 关于2021年度政府信息公开工作年度报告",
    "fujian/pingtan_panel/105587.txt": (
        "the zone's own report; same report as fujian/fujian_pingtan_2025_page.html"
    ),
}

OTHER_FILES = {
    "fujian/fujian_pingtan_2025_page.html": {
        "agency": PINGTAN_ZONE,
        "year": "2025",
        "level": "county",
        **PINGTAN,
        "url": "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202603/t20260313_105587.htm",
        "notes": (
            "saved HTML page (meta ArticleTitle, PubDate 2026-03-10); same report as "
            "fujian/pingtan_panel/105587.txt"
        ),
    },
    "shanghai/shanghai_007_shanghai_szfbgt_2019.html": {
        "agency": "上海市人民政府办公厅",
        "year": "2019",
        "level": "department",
        "province": "上海市",
        "notes": (
            "HTML fragment of the article body only (no <html>/<head>); 发布日期 "
            "2020-01-31; office of the province-level 上海市人民政府; source URL not kept"
        ),
    },
    "jiangsu/jiangsu_huaian_hongze_2023.pdf": {
        "agency": "淮安市洪泽区人民政府",
        "year": "2023",
        "level": "county",
        "province": "江苏省",
        "prefecture": "淮安市",
        "county": "洪泽区",
        "notes": (
            "5-page PDF with a text layer; title 洪泽区人民政府2023年政府信息公开工作年度报告; "
            "compiled by the 区政府办公室; PDF created 2024-02-26; source URL not kept"
        ),
    },
    "henan/000_6f1d8d99bf8ef63b.txt": {
        "agency": "伊川县鸦岭镇人民政府",
        "year": "2020",
        "level": "township",
        "province": "河南省",
        "prefecture": "洛阳市",
        "county": "伊川县",
        "notes": (
            "no title line: agency from the body (鸦岭镇政府, 鸦岭镇 of 伊川县); text "
            "extracted from PDF with Kangxi-radical code points (⼀ ⼈ ⺠ for 一 人 民)"
        ),
    },
    "henan/001_33e9900bc9823d6a.txt": {
        "agency": "荥阳市广武镇人民政府",
        "year": "2020",
        "level": "township",
        "province": "河南省",
        "prefecture": "郑州市",
        "county": "荥阳市",
        "notes": "title 广武镇人民政府 2020年政府信息公开工作年度报告; signed 2021-01-07",
    },
    "henan/002_05257b3c70f01abc.txt": {
        "agency": "济源市轵城镇人民政府",
        "year": "2020",
        "level": "township",
        "province": "河南省",
        "prefecture": "",
        "county": "济源市",
        "notes": (
            "title 轵城镇人民政府2020年政府信息公开工作年度报告; 济源市 (济源产城融合示范区) "
            "is a county-level city administered directly by the province, so no "
            "prefecture; unsigned"
        ),
    },
    "henan/003_61210818c995e981.txt": {
        "agency": "八道沟镇人民政府",
        "year": "2020",
        "level": "township",
        "province": "",
        "prefecture": "",
        "county": "",
        "notes": (
            "LOCATION UNVERIFIED: title 八道沟镇人民政府信息公开工作年度报告 has no year "
            "(2020 from the body) and the text names no county or province; the only "
            "八道沟镇 in the national division codes is in 长白朝鲜族自治县, 白山市, 吉林省 "
            "(220623101), so despite the henan/ folder it may not be a Henan report"
        ),
    },
    "henan/004_05db48e374f74d49.txt": {
        "agency": "伊川县人民政府办公室",
        "year": "2020",
        "level": "department",
        "province": "河南省",
        "prefecture": "洛阳市",
        "county": "伊川县",
        "notes": (
            "no title line: agency from the body (县政府办公室, 伊政办 documents); county "
            "government office; Kangxi-radical code points as in 000_*.txt"
        ),
    },
}


def read_header(path: Path) -> dict[str, str]:
    """The `key: value` lines a crawler wrote above the ===== 正文 ===== line."""
    header = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("===="):
            break
        key, sep, value = line.partition(":")
        if sep:
            header[key.strip()] = value.strip()
    return header


def pingtan_level(agency: str) -> str:
    if agency == PINGTAN_ZONE:
        return "county"
    if agency.endswith("片区管理局"):
        return "township"
    return "department"  # bureaus (…局) and the 管委会办公室


def pingtan_row(rel: str, index: dict[str, dict]) -> dict[str, str]:
    path = RAW / rel
    header = read_header(path)
    title = header.get("标题", "")
    m = re.search(r"(20\d\d)\s*年", title)
    year = m.group(1) if m else ""
    agency = re.split(r"\s*(?:关于)?\s*20\d\d", title)[0].strip()
    url = header.get("原文链接", "")
    notes = []
    entry = index.get(path.name) if path.parent.name == "pingtan_panel" else None
    if entry:
        for field, ours in (("agency", agency), ("report_year", year), ("source_url", url)):
            if entry[field] != ours:
                notes.append(f"INDEX.tsv {field} {entry[field]!r} differs from header {ours!r}")
        agency, year, url = entry["agency"], entry["report_year"], entry["source_url"]
    publisher = header.get("发布机构", "")
    if publisher in JUNK_PUBLISHER:
        notes.append(f"crawler 发布机构 field reads {publisher!r}, not the reporting agency")
    if rel in PINGTAN_NOTES:
        notes.insert(0, PINGTAN_NOTES[rel])
    return {
        "file": rel,
        "agency": agency,
        "year": year,
        "level": pingtan_level(agency),
        **PINGTAN,
        "url": url,
        "retrieved": "",
        "notes": "; ".join(notes),
        "agency_id": AGENCY_IDS.get(agency, ""),
    }


def build_rows() -> list[dict[str, str]]:
    with (RAW / "fujian/pingtan_panel/INDEX.tsv").open(encoding="utf-8", newline="") as fh:
        index = {r["file"]: r for r in csv.DictReader(fh, delimiter="\t")}
    files = sorted(
        p.relative_to(RAW).as_posix()
        for p in RAW.rglob("*")
        if p.is_file()
        and p.name not in NOT_REPORTS
        and not p.name.startswith(".")
        and not p.name.upper().startswith("README")
    )
    rows = []
    for rel in files:
        if rel in OTHER_FILES:
            row = {k: "" for k in HEADER}
            row.update(file=rel, **OTHER_FILES[rel])
        elif rel.startswith("fujian/") and rel.endswith(".txt"):
            row = pingtan_row(rel, index)
        else:
            raise SystemExit(f"no manifest facts for {rel}: add it to OTHER_FILES")
        rows.append(row)
    return rows


def render(rows: list[dict[str, str]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if manifest.csv differs from what would be written",
    )
    args = parser.parse_args(argv)
    text = render(build_rows())
    if args.check:
        current = MANIFEST.read_text(encoding="utf-8") if MANIFEST.exists() else ""
        if current != text:
            print(f"{MANIFEST} is out of date; run python scripts/make_manifest.py")
            return 1
        return 0
    MANIFEST.write_text(text, encoding="utf-8")
    print(f"wrote {MANIFEST} ({text.count(chr(10)) - 1} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
