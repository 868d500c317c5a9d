"""Character n-gram similarity and boilerplate measures (govopen.narrative)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import source_of
from hypothesis import given, settings
from hypothesis import strategies as st

from govopen import narrative as nv
from govopen.report import read_report

# The opening formula of countless reports: shared by agencies, not copied by one.
FORMULA = "以习近平新时代中国特色社会主义思想为指导"

cjk = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4E40), min_size=0,
              max_size=60)


def test_normalize_keeps_letters_and_digits_only():
    assert nv.normalize("（一）2021年 共受理15件，ok!") == "一0000年共受理00件ok"
    assert nv.normalize("ＡＢ１２") == "AB00"  # NFKC first
    assert nv.normalize(None) == "" and nv.normalize(float("nan")) == ""


def test_ngrams():
    assert nv.ngrams("abcd", 4) == ["abcd"]
    assert nv.ngrams("abc", 4) == []
    with pytest.raises(ValueError):
        nv.ngrams("abc", 0)


def test_jaccard_matrix_properties():
    texts = ["政府信息公开工作年度报告", "政府信息公开工作年度报告", "依申请公开办理情况", "短"]
    sim = nv.jaccard_matrix(texts, n=3)
    assert sim.shape == (4, 4)
    assert sim[0, 1] == 1.0 and sim[0, 0] == 1.0
    assert 0 <= sim[0, 2] < 0.5
    assert np.isnan(sim[3]).all()  # shorter than n: no shingles
    finite = np.isfinite(sim)
    assert np.allclose(sim[finite], sim.T[finite])


@settings(max_examples=50, deadline=None)
@given(a=cjk, b=cjk)
def test_jaccard_is_a_similarity(a, b):
    sim = nv.jaccard_matrix([a, b], n=2)
    if len(a) >= 2 and len(b) >= 2:
        assert 0 <= sim[0, 1] <= 1 and sim[0, 1] == sim[1, 0]
        assert sim[0, 0] == 1
    else:
        assert np.isnan(sim[0, 1])


@settings(max_examples=50, deadline=None)
@given(text=cjk, other=cjk)
def test_shared_share_bounds_and_copies(text, other):
    share = nv.shared_share([text, text, other], n=4)
    if len(text) >= 4:
        assert share[0] == 1.0 and share[1] == 1.0  # a verbatim copy is all boilerplate
        # within one group nothing counts as shared with others
        own = nv.shared_share([text, text], n=4, groups=["a", "a"])
        assert own.tolist() == [0.0, 0.0]
    else:
        assert math.isnan(share[0])
    assert all(math.isnan(s) or 0 <= s <= 1 for s in share)


def test_shared_share_counts_characters_not_ngrams():
    # 6 of 10 characters are in an n-gram the other text prints too
    share = nv.shared_share(["甲乙丙丁戊己庚辛壬癸", "子丑甲乙丙丁戊己寅卯"], n=4)
    assert share.tolist() == [0.6, 0.6]


def test_min_others():
    texts = ["甲乙丙丁戊", "甲乙丙丁戊", "子丑寅卯辰"]
    assert nv.shared_share(texts, n=3, min_others=2).tolist() == [0.0, 0.0, 0.0]
    assert nv.shared_share(texts * 2, n=3, min_others=2).tolist()[:3] == [1.0, 1.0, 0.0]


def test_groups_must_match_texts():
    with pytest.raises(ValueError):
        nv.shared_share(["甲乙丙丁"], n=2, groups=["a", "b"])


def test_shared_spans():
    texts = ["前言甲乙丙丁戊己完毕", "开头甲乙丙丁戊己收尾", "甲乙丙丁戊己", "无关文字内容"]
    spans = nv.shared_spans(texts, n=4, groups=["a", "b", "b", "c"])
    top = spans.iloc[0]
    assert top["passage"] == "甲乙丙丁戊己" and top["texts"] == 3 and top["groups"] == 2
    assert list(spans.columns) == ["passage", "length", "texts", "groups"]
    assert nv.shared_spans(["甲乙", "丙丁"], n=4).empty


def test_section_lengths_and_prose():
    sections = pd.DataFrame({
        "report_id": ["a", "a", "a", "b", "b"],
        "section": pd.array([1, 3, 5, 1, pd.NA], dtype="Int64"),
        "text": ["一、总体情况：共2件。", "表格", "问题", "总体", "信息处理费"]})
    lengths = nv.section_lengths(sections)
    assert lengths.loc["a", 1] == 8 and lengths.loc["a", 3] == 2 and lengths.loc["b", 1] == 2
    assert math.isnan(lengths.loc["b", 5]) and list(lengths.columns) == [1, 2, 3, 4, 5, 6]
    raw = nv.section_lengths(sections, normalized=False)
    assert raw.loc["a", 1] == len("一、总体情况：共2件。")
    assert nv.prose(sections).to_dict() == {"a": "一、总体情况：共2件。\n问题", "b": "总体"}
    assert nv.prose(sections, [3]).to_dict() == {"a": "表格"}


def test_labels_cover_the_six_sections():
    assert sorted(nv.SECTION_LABELS) == [1, 2, 3, 4, 5, 6]
    assert set(nv.PROSE_SECTIONS) <= set(nv.SECTION_LABELS)


@pytest.fixture(scope="module")
def pingtan_prose():
    # 财政金融局 2023, 2024, 2025; 公安局 2024; the zone government 2021
    stems = ["86688", "96895", "104656", "fujian_027_pingtan_gaj_2024", "fujian_003_pingtan_2021"]
    reports = [read_report(source_of(s)) for s in stems]
    agencies = [r.meta["agency"] for r in reports]
    texts = [nv.prose(r.sections.assign(report_id=s)).iloc[0]
             for r, s in zip(reports, stems, strict=True)]
    return texts, agencies


def test_real_reports_share_boilerplate(pingtan_prose):
    texts, agencies = pingtan_prose
    others = nv.shared_share(texts, n=12, groups=agencies)
    anyone = nv.shared_share(texts, n=12)
    assert all(0 < o <= a <= 1 for o, a in zip(others, anyone, strict=True))
    # the finance bureau reuses its own reports of other years
    assert all(anyone[i] - others[i] > 0.2 for i in range(3))
    spans = nv.shared_spans(texts, n=12, groups=agencies)
    shared = spans[spans["groups"] >= 2]
    assert shared["passage"].str.contains(FORMULA).any()


def test_real_reports_similarity(pingtan_prose):
    texts, _ = pingtan_prose
    sim = nv.jaccard_matrix(texts, n=4)
    # the same bureau in consecutive years is more alike than two different agencies
    assert min(sim[0, 1], sim[1, 2]) > max(sim[1, 3], sim[1, 4], sim[3, 4])
