"""Indicators from hand-read values (fixtures), not from the parser's output."""

from __future__ import annotations

import csv
import math

import pandas as pd
import pytest
from conftest import EXPECTED

from govopen.indicators import COMPARABLE_PROACTIVE, DEFINITIONS, indicators, ratio, wide


def fixture_cells(stem: str) -> pd.DataFrame:
    with (EXPECTED / f"{stem}.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return pd.DataFrame({
        "report_id": stem, "table": [r["table"] for r in rows], "row": [r["row"] for r in rows],
        "col": [r["col"] for r in rows],
        "value": [float(r["value"]) if r["value"] not in ("", "?") else math.nan for r in rows],
    })


@pytest.fixture(scope="module")
def pingtan_2021():
    # 平潭综合实验区 2021 (read by hand): 新收 70, 办理 69 of which 予以公开 30, 部分公开 5,
    # 不掌握 25; 结转下年 1; 复议 1 维持 / 2 其他 / 3 total; 12 direct suits, all upheld.
    return indicators(fixture_cells("fujian_003_pingtan_2021")).loc["fujian_003_pingtan_2021"]


def test_request_outcome_shares(pingtan_2021):
    assert pingtan_2021["requests_new"] == 70 and pingtan_2021["requests_handled"] == 69
    assert pingtan_2021["disclosure_rate"] == pytest.approx(35 / 69)
    assert pingtan_2021["full_disclosure_share"] == pytest.approx(30 / 69)
    assert pingtan_2021["not_held_share"] == pytest.approx(25 / 69)
    assert pingtan_2021["backlog_share"] == pytest.approx(1 / 70)


def test_outcome_groups_add_up_to_handled(pingtan_2021):
    groups = ["withheld_share", "unable_share", "unprocessed_share", "other_share"]
    assert (pingtan_2021["full_disclosure_share"] + (pingtan_2021["disclosure_rate"]
            - pingtan_2021["full_disclosure_share"]) + sum(pingtan_2021[g] for g in groups)
            ) == pytest.approx(1.0)


def test_appeals(pingtan_2021):
    assert pingtan_2021["review_cases"] == 3 and pingtan_2021["suit_cases"] == 12
    assert pingtan_2021["review_correction_rate"] == 0
    assert pingtan_2021["suit_correction_rate"] == 0
    assert pingtan_2021["reconsideration_first_share"] == 0


def test_proactive_across_formats(pingtan_2021):
    assert pingtan_2021["licensing_decisions"] == 2293
    assert math.isnan(pingtan_2021["normative_docs_issued"])  # glued 693665: ambiguous
    assert pingtan_2021["fees_wan_2021"] == pytest.approx(24252.311082)
    assert math.isnan(pingtan_2021["procurement_wan_2019"])
    seed = indicators(fixture_cells("001_33e9900bc9823d6a")).iloc[0]
    # 广武镇 2020 (2019 format): 规范性文件 new_made 1; procurement 162000 元 = 16.2 万元
    assert seed["normative_docs_issued"] == 1 and seed["procurement_wan_2019"] == 16.2
    assert math.isnan(seed["fees_wan_2021"])
    assert set(COMPARABLE_PROACTIVE) <= set(DEFINITIONS)


def test_zero_or_blank_denominators_give_nan():
    cells = fixture_cells("000_6f1d8d99bf8ef63b")  # a township with no requests at all
    row = indicators(cells).iloc[0]
    assert row["requests_new"] == 0 and math.isnan(row["disclosure_rate"])
    assert math.isnan(row["reconsideration_first_share"])
    assert ratio(pd.Series([1.0]), pd.Series([math.nan])).isna().all()


def test_every_indicator_is_defined():
    cells = pd.concat([fixture_cells(s) for s in ("000_6f1d8d99bf8ef63b",
                                                  "fujian_003_pingtan_2021")])
    out = indicators(cells)
    assert list(out.columns) == list(DEFINITIONS)
    assert len(wide(cells)) == 2
