"""``govopen review``: a static page of flagged cells and identity failures, opened in a
real headless Chromium (it loads, shows its images, logs no error), and the
corrections template beside it.

The dataset is built from three fixture reports: Pingtan 2025 (ambiguous and
unreadable cells, text), 广武镇 2020 (balance and outcome warnings, text) and the
Hongze 2023 PDF (two appeals_total errors: page crops).
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from browser import open_page
from conftest import ROOT

from govopen.cli import main
from govopen.corpus import build, load
from govopen.corrections import parse
from govopen.validate import IDENTITY_RULES

FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("review")
    raw = shutil.copytree(FIXTURES / "corrections" / "raw", tmp / "raw")
    (raw / "jiangsu").mkdir()
    shutil.copy(FIXTURES / "corpus" / "jiangsu" / "jiangsu_huaian_hongze_2023.pdf", raw / "jiangsu" / "hongze_2023.pdf")
    build(raw, tmp / "data", jobs=0, progress=False)
    return raw, tmp / "data"


@pytest.fixture(scope="module")
def page(dataset, tmp_path_factory):
    raw, data = dataset
    out = tmp_path_factory.mktemp("page")
    assert main(["review", str(out), "--raw", str(raw), "--data", str(data)]) == 0
    return out


def test_one_card_per_flagged_cell_and_identity_failure(dataset, page):
    _raw, data = dataset
    t = load(data)
    flagged = t["cells"][t["cells"]["status"].isin(["ambiguous", "unreadable"])]
    failures = t["issues"][t["issues"]["rule"].isin(IDENTITY_RULES)]
    html = (page / "index.html").read_text(encoding="utf-8")
    assert html.count('<section class="card cell"') == len(flagged) == 12
    assert html.count('<section class="card issue"') == len(failures)
    assert html.count("appeals_total (error)") == 2
    assert "candidates</dt><dd>1, 11</dd>" in html  # 部分公开 natural persons
    assert html.count("<img ") == 2  # the Hongze failures, as page crops
    # offline: nothing to fetch, no script
    assert "<script" not in html and "<link" not in html and 'src="http' not in html


def test_the_page_loads_in_headless_chromium(page, tmp_path):
    shot = tmp_path / "review.png"
    loaded = open_page(page / "index.html", screenshot=shot)
    assert loaded.title == "govopen review"
    assert loaded.errors == []
    assert len(loaded.images) == 2
    for img in loaded.images:
        assert img["complete"] and img["naturalWidth"] > 100 and img["naturalHeight"] > 50
    assert shot.stat().st_size > 10_000 and shot.read_bytes().startswith(b"\x89PNG")


def test_filters_by_report_and_status(dataset, tmp_path):
    raw, data = dataset
    out = tmp_path / "only_pdf"
    assert main(["review", str(out), "--raw", str(raw), "--data", str(data),
                 "--report", "jiangsu/*"]) == 0
    html = (out / "index.html").read_text(encoding="utf-8")
    assert html.count('<section class="card') == 2 and "pingtan" not in html
    out = tmp_path / "unreadable"
    assert main(["review", str(out), "--raw", str(raw), "--data", str(data),
                 "--status", "unreadable", "--rule", "none"]) == 0
    html = (out / "index.html").read_text(encoding="utf-8")
    assert html.count('<section class="card cell"') == 7  # 结转下年度 printed as 21件
    assert "card issue" not in html


def test_corrections_template_is_ready_to_fill(dataset, page):
    raw, data = dataset
    template = pd.read_csv(page / "corrections_template.csv", dtype=str, keep_default_na=False)
    assert list(template.columns) == ["file", "sha256", "table", "row", "col", "value", "note",
                                      "who", "date"]
    assert len(template) == 12 and (template["value"] == "").all()
    sha = load(data)["reports"].set_index("report_id")["sha256"]
    assert (template["sha256"] == template["file"].map(sha)).all()
    text = (page / "corrections_template.csv").read_text(encoding="utf-8")
    assert parse(text, "corrections_template.csv", list(sha.index)) == []  # nothing filled yet
    template.loc[(template.row == "partial") & (template.col == "natural_person"), "value"] = "11"
    filled = parse(template.to_csv(index=False), "corrections.csv", list(sha.index))
    assert [(c.row, c.col, c.value) for c in filled] == [("partial", "natural_person", 11.0)]
    assert "candidates 1, 11" in filled[0].note
