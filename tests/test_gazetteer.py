"""Level and administrative division of a reporting body, from cpca's offline code table.

The bundled corpus is the reference: for every manifest row, what is inferred from
the agency name and the folder names alone (no manifest) must agree with what a
person entered.
"""

from __future__ import annotations

import csv
from pathlib import PurePosixPath

import pytest
from conftest import RAW

from govopen.corpus import region_of
from govopen.gazetteer import data_file, data_version, gazetteer, infer_region


def manifest_rows() -> list[dict[str, str]]:
    with (RAW / "manifest.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def parts(rel: str) -> tuple[str, ...]:
    p = PurePosixPath(rel)
    return (*p.parent.parts, p.stem)


@pytest.mark.parametrize("agency, level, region_level, adcode, chain", [
    ("淮安市洪泽区人民政府", "county", "county", "320813", ("江苏省", "淮安市", "洪泽区")),
    ("荥阳市广武镇人民政府", "township", "township", "410182", ("河南省", "郑州市", "荥阳市")),
    ("上海市人民政府办公厅", "department", "province", "310000", ("上海市", None, None)),
    ("平潭综合实验区", "county", "county", "350128", ("福建省", "福州市", "平潭县")),
    ("平潭综合实验区财政金融局", "department", "county", "350128", ("福建省", "福州市", "平潭县")),
    ("平潭综合实验区管委会办公室", "department", "county", "350128", ("福建省", "福州市", "平潭县")),
    ("平潭综合实验区金井片区管理局", "township", "township", "350128",
     ("福建省", "福州市", "平潭县")),
    ("伊川县鸦岭镇人民政府", "township", "township", "410329", ("河南省", "洛阳市", "伊川县")),
    ("伊川县人民政府办公室", "department", "county", "410329", ("河南省", "洛阳市", "伊川县")),
    # a county-level city under the province directly: no prefecture
    ("济源市轵城镇人民政府", "township", "township", "419001", ("河南省", None, "济源市")),
    ("淮安市人民政府", "prefecture", "prefecture", "320800", ("江苏省", "淮安市", None)),
    ("北京市人民政府", "province", "province", "110000", ("北京市", None, None)),
    ("上海市浦东新区人民政府", "county", "county", "310115", ("上海市", None, "浦东新区")),
])
def test_agencies(agency, level, region_level, adcode, chain):
    r = infer_region(agency)
    assert (r["level"], r["region_level"], r["adcode"]) == (level, region_level, adcode)
    assert (r["province"], r["prefecture"], r["county"]) == chain
    assert r["region_source"] == "agency"
    assert isinstance(r["lat"], float) and isinstance(r["lng"], float)


def test_township_names_its_township():
    assert infer_region("荥阳市广武镇人民政府")["township"] == "广武镇"
    assert infer_region("平潭综合实验区金井片区管理局")["township"] == "金井片区"
    r = infer_region("南京市鼓楼区宁海路街道办事处")
    assert (r["level"], r["township"], r["adcode"]) == ("township", "宁海路街道", "320106")
    # 城乡 in a department's name is not a township
    r = infer_region("伊川县城乡建设局")
    assert (r["level"], r["township"], r["adcode"]) == ("department", None, "410329")


def test_township_resolves_through_the_county_its_report_names():
    text = "广武镇人民政府2020年政府信息公开工作年度报告\n根据荥阳市政府信息公开工作要求，广武镇……"
    r = infer_region("广武镇人民政府", text)
    assert (r["level"], r["county"], r["adcode"], r["region_source"]) == (
        "township", "荥阳市", "410182", "text")
    # 八道沟镇 names no county; the only one in the codes is in 长白朝鲜族自治县
    r = infer_region("八道沟镇人民政府", "八道沟镇位于吉林省长白朝鲜族自治县东部。")
    assert (r["county"], r["adcode"]) == ("长白朝鲜族自治县", "220623")


def test_folder_names_are_hints():
    # nothing else to go on: the folder (pinyin) gives the province
    r = infer_region("八道沟镇人民政府", parts=("henan", "003_61210818c995e981"))
    assert (r["province"], r["adcode"], r["region_source"]) == ("河南省", "410000", "folder")
    # several 鼓楼区: the folder says which
    assert infer_region("鼓楼区人民政府")["adcode"] is None
    assert infer_region("鼓楼区人民政府", parts=("fujian",))["adcode"] == "350102"
    assert infer_region("鼓楼区人民政府", parts=("福建省", "x"))["adcode"] == "350102"
    # two 鼓楼区 in Jiangsu (南京, 徐州): only the province is certain
    r = infer_region("鼓楼区人民政府", parts=("江苏省", "x"))
    assert (r["level"], r["province"], r["county"], r["adcode"]) == (
        "county", "江苏省", None, "320000")
    # the agency's own name wins over a folder that disagrees
    assert infer_region("淮安市洪泽区人民政府", parts=("henan",))["adcode"] == "320813"
    r = infer_region("某某镇人民政府", parts=("jiangsu_huaian_hongze_2023",))
    assert (r["county"], r["region_source"]) == ("洪泽区", "folder")


def test_ambiguous_name_within_one_province_gives_the_province():
    # 朝阳区 is in Beijing and in Changchun
    r = infer_region("朝阳区人民政府")
    assert (r["level"], r["adcode"]) == ("county", None)
    assert infer_region("北京市朝阳区人民政府")["adcode"] == "110105"
    assert infer_region("吉林省长春市朝阳区人民政府")["adcode"] == "220104"


def test_national_body():
    r = infer_region("国务院办公厅")
    assert (r["level"], r["region_level"], r["adcode"]) == ("department", "national", None)


def test_bundled_corpus_agrees_with_the_manifest():
    """Inferred from agency and folders only, every region a person entered is found."""
    rows = manifest_rows()
    assert len(rows) == 121
    for row in rows:
        r = infer_region(row["agency"], parts=parts(row["file"]))
        where = f"{row['file']} {row['agency']}"
        assert r["level"] == row["level"], where
        for key in ("province", "prefecture", "county"):
            if row[key]:
                assert r[key] == row[key], where
        if row["county"]:
            assert r["region_source"] == "agency" and r["adcode"], where


def test_pingtan_bodies_are_pingtan_county():
    for row in manifest_rows():
        if row["agency"].startswith("平潭综合实验区"):
            r = infer_region(row["agency"])
            assert (r["province"], r["prefecture"], r["county"], r["adcode"]) == (
                "福建省", "福州市", "平潭县", "350128"), row["agency"]


def test_manifest_overrides_inference():
    # the manifest's region is authoritative; its level too
    r = region_of("某某镇人民政府", "", "henan/x.txt",
                  {"province": "吉林省", "county": "长白朝鲜族自治县"})
    assert (r["province"], r["prefecture"], r["county"], r["adcode"], r["region_source"]) == (
        "吉林省", "白山市", "长白朝鲜族自治县", "220623", "manifest")
    r = region_of("上海市人民政府办公厅", "", "shanghai/x.html", {"level": "department",
                                                          "province": "上海市"})
    assert (r["level"], r["region_level"], r["adcode"]) == ("department", "province", "310000")
    # a manifest level that is not department sets the government level too
    r = region_of("平潭综合实验区金井片区管理局", "", "x.txt", {"level": "county"})
    assert (r["level"], r["region_level"], r["township"]) == ("county", "county", None)
    # names the gazetteer does not know are kept as entered, without a code
    r = region_of("某局", "", "x.txt", {"province": "某某省"})
    assert (r["province"], r["adcode"], r["region_source"]) == ("某某省", None, "manifest")
    # the documents may say more than the manifest, consistently
    r = region_of("荥阳市广武镇人民政府", "", "x.txt", {"province": "河南省"})
    assert (r["county"], r["adcode"]) == ("荥阳市", "410182")


def test_gazetteer_comes_from_cpca():
    assert data_file().name == "adcodes.csv" and data_file().exists()
    assert "cpca=" in data_version()
    gaz = gazetteer()
    assert len(gaz.places) > 3000
    assert gaz.places["350128"].name == "平潭县"
    assert gaz.resolve(province="福建省", county="平潭县").adcode == "350128"
    assert gaz.chain(gaz.places["320813"]) == {"province": "江苏省", "prefecture": "淮安市",
                                               "county": "洪泽区"}
