"""Analysis helpers shared by the notebooks: report panel, pooled shares, reporting
quality, the section 二 crosswalk (govopen.indicators), labels and tables (govopen.plots)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from test_indicators import fixture_cells

from govopen import indicators as gi
from govopen import plots
from govopen.templates import template

STEMS = ("000_6f1d8d99bf8ef63b", "001_33e9900bc9823d6a", "fujian_003_pingtan_2021")


@pytest.fixture(scope="module")
def tables():
    cells = pd.concat([fixture_cells(s) for s in STEMS], ignore_index=True)
    cells["status"] = np.where(cells["value"].isna(), "ambiguous", "ok")
    reports = pd.DataFrame({"report_id": list(STEMS), "agency": ["鸦岭镇", "广武镇", "平潭"],
                            "year": [2020, 2020, 2021],
                            "level": ["township", "township", "county"],
                            "province": ["河南省", "", "福建省"]})
    issues = pd.DataFrame({"report_id": [STEMS[2]] * 3,
                           "rule": ["balance", "row_total", "ambiguous_cells"],
                           "severity": ["error", "warning", "warning"]})
    return {"reports": reports, "cells": cells, "issues": issues}


def test_ratios_are_components(tables):
    comp = gi.components(tables["cells"])
    ind = gi.indicators(tables["cells"])
    for name, (num, den) in gi.RATIOS.items():
        expected = gi.ratio(comp[num], comp[den])
        pd.testing.assert_series_equal(ind[name], expected, check_names=False)
    row = comp.loc["fujian_003_pingtan_2021"]
    assert row["disclosed"] == 35 and row["requests_handled"] == 69 and row["not_held"] == 25
    assert row["review_cases"] == 3 and row["suits_direct"] == 12


def test_panel(tables):
    panel = gi.panel(tables)
    assert list(panel.index) == list(STEMS)
    assert panel["region"].tolist() == ["河南省", "unknown", "福建省"]
    assert panel["agency_key"].tolist() == ["鸦岭镇", "广武镇", "平潭"]
    assert set(gi.DEFINITIONS) <= set(panel.columns)
    assert {"disclosed", "backlog_base", "identity_errors"} <= set(panel.columns)
    with_ids = dict(tables, reports=tables["reports"].assign(agency_id=["x", None, "z"]))
    assert gi.panel(with_ids)["agency_key"].tolist() == ["x", "广武镇", "z"]
    # a copy of a report (same agency and year) is left out unless asked for
    copy = dict(tables, reports=tables["reports"].assign(duplicate_of=[None, STEMS[0], None]))
    assert list(gi.panel(copy).index) == [STEMS[0], STEMS[2]]
    assert list(gi.panel(copy, copies=True).index) == list(STEMS)


def test_quality(tables):
    q = gi.quality(tables)
    pingtan = q.loc["fujian_003_pingtan_2021"]
    assert pingtan["identity_errors"] == 1 and pingtan["identity_warnings"] == 1
    assert bool(pingtan["has_identity_error"])
    assert pingtan["cells_ambiguous"] > 0 and pingtan["cells_readable_share"] < 1
    assert q.loc[STEMS[0], "identity_errors"] == 0 and not q.loc[STEMS[0], "has_identity_error"]


def test_pooled_weights_every_request_once(tables):
    panel = gi.panel(tables)
    overall = gi.pooled(panel, None, ["disclosure_rate"]).iloc[0]
    used = (panel["requests_handled"] > 0) & panel["disclosed"].notna()
    assert overall["denominator"] == panel.loc[used, "requests_handled"].sum()
    assert overall["value"] == pytest.approx(panel.loc[used, "disclosed"].sum()
                                             / panel.loc[used, "requests_handled"].sum())
    assert overall["reports"] == int(used.sum())
    by_level = gi.pooled(panel, "level", ["disclosure_rate", "not_held_share"])
    county = by_level.query("level == 'county' and indicator == 'not_held_share'").iloc[0]
    assert county["value"] == pytest.approx(25 / 69)
    # a single report's pooled ratio is its own indicator
    assert county["value"] == pytest.approx(panel.loc[STEMS[2], "not_held_share"])
    empty = gi.pooled(panel[panel["level"] == "none"], "level")
    assert empty.empty and "value" in empty.columns


def test_proactive_crosswalk():
    x = gi.proactive_crosswalk()
    for fmt in ("2019", "2021"):
        t = template("proactive", fmt)
        cells = {(r.code, c) for r in t.rows for c in r.cols}
        assert set(zip(x.loc[x["format"] == fmt, "row"], x.loc[x["format"] == fmt, "col"],
                       strict=True)) == cells
    comparable = x[x["comparable"]]
    assert set(comparable["indicator"]) == set(gi.COMPARABLE_PROACTIVE)
    assert (comparable.groupby("indicator")["format"].nunique() == 2).all()
    assert set(gi.PROACTIVE_SOURCES) <= set(gi.DEFINITIONS)


def test_every_indicator_has_short_labels():
    assert list(gi.SHORT_LABELS) == list(gi.DEFINITIONS)
    for name in gi.DEFINITIONS:
        assert plots.indicator_label(name) and plots.indicator_label(name, lang="zh")
    assert plots.indicator_label("not_an_indicator") == "not_an_indicator"


def test_short_labels_drop_numbering_and_notes():
    for fmt in ("2019", "2021"):
        for r in template("requests", fmt).rows:
            zh = plots.short_label("requests", "row", r.code, lang="zh")
            en = plots.short_label("requests", "row", r.code)
            assert zh and en and not zh.startswith(("（", "1", "2", "3"))
            assert "（区分处理的" not in zh and ": " not in en
    assert plots.short_label("requests", "row", "new", lang="zh") == "本年新收政府信息公开申请数量"


def test_level_region_and_language_labels():
    assert plots.level_label("county") == "County" and plots.level_label("county", "zh") == "县级"
    assert plots.level_label("other") == "other"
    assert plots.region_label("河南省") == "Henan" and plots.region_label("某省") == "某省"
    assert plots.region_label("other", "zh") == "其他"
    assert plots.tr("a", "甲", "zh") == "甲"
    with pytest.raises(ValueError):
        plots.tr("a", "甲", "fr")
    assert plots.level_order(["department", None, "county", float("nan")]) == [
        "county", "department"]
    assert set(plots.LEVEL_COLORS) == set(plots.LEVELS)


def test_short_names():
    short, prefix = plots.short_names(["甲乙丙丁局", "甲乙丙丁委", "甲乙丙丁", "其他县政府"])
    assert prefix == "甲乙丙丁"
    assert short == {"甲乙丙丁局": "局", "甲乙丙丁委": "委", "甲乙丙丁": "甲乙丙丁",
                     "其他县政府": "其他县政府"}
    assert plots.short_names(["一二三四", "五六七八"]) == (
        {"一二三四": "一二三四", "五六七八": "五六七八"}, "")
    assert plots.short_names([]) == ({}, "")


def test_save_table(tmp_path):
    frame = pd.DataFrame({"rate_%": [0.123456, math.nan], "name": ["a&b", "中文"]},
                         index=pd.Index(["x", "y"], name="group"))
    csv_path, tex_path = plots.save_table(frame, tmp_path / "sub" / "t", caption="A_B")
    back = pd.read_csv(csv_path, encoding="utf-8-sig", index_col=0)
    assert back.loc["x", "name"] == "a&b"
    tex = tex_path.read_text(encoding="utf-8")
    assert r"\caption{A\_B}" in tex and r"\begin{tabular}{lrl}" in tex
    assert r"group & rate\_\% & name \\" in tex
    assert r"x & 0.123 & a\&b \\" in tex and r"y &  & 中文 \\" in tex
    assert plots.latex_table(frame, index=False).splitlines()[0] == r"\begin{tabular}{rl}"
