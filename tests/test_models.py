"""GLM helpers (govopen.models) on simulated data with known effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govopen import models


def simulated(n: int = 600, seed: int = 1) -> pd.DataFrame:
    """Reports of 60 agencies; county agencies get e^1 times the requests and better odds."""
    rng = np.random.default_rng(seed)
    agency = rng.integers(0, 60, n)
    level = np.where(agency % 3 == 0, "county", "department")
    region = np.where(agency % 2 == 0, "福建省", "河南省")
    year = rng.integers(2019, 2024, n)
    mu = np.exp(1.0 + 1.0 * (level == "county") + 0.1 * (year - 2019))
    alpha = 0.5
    requests = rng.negative_binomial(1 / alpha, 1 / (1 + alpha * mu))
    trials = rng.integers(1, 40, n)
    p = 1 / (1 + np.exp(-(-0.5 + 0.8 * (level == "county"))))
    return pd.DataFrame({"agency_key": [f"a{a}" for a in agency], "level": level,
                         "region": region, "year": year, "requests_new": requests,
                         "handled": trials, "granted": rng.binomial(trials, p)})


@pytest.fixture(scope="module")
def data():
    return simulated()


def test_negative_binomial_recovers_the_level_effect(data):
    fit = models.fit_count(data, "requests_new", "Requests")
    assert fit.ok and not fit.too_small and fit.cov_type == "cluster"
    assert fit.clusters == 60 and fit.n == len(data)
    assert fit.result.params["level: county"] == pytest.approx(1.0, abs=0.25)
    assert fit.alpha == pytest.approx(0.5, abs=0.2)
    assert fit.reference == {"level": "department", "region": str(data["region"].mode()[0]),
                             "year": "2019"}
    assert "Dispersion" in fit.describe()


def test_binomial_recovers_the_level_effect(data):
    fit = models.fit_share(data, "granted", "handled", "Granted")
    assert fit.ok and not fit.too_small
    assert fit.result.params["level: county"] == pytest.approx(0.8, abs=0.2)
    assert fit.outcome == "granted / handled"


def test_too_small_is_said_and_the_model_still_runs(data):
    small = data.head(15)
    fit = models.fit_share(small, "granted", "handled")
    assert fit.too_small and fit.ok
    assert any("too small" in note for note in fit.notes)
    assert "**The sample is too small" in fit.describe()
    count = models.fit_count(small, "requests_new")
    assert count.too_small and count.ok


def test_few_clusters_and_a_single_agency(data):
    few = data[data["agency_key"].isin([f"a{i}" for i in range(6)])]
    fit = models.fit_count(few, "requests_new", terms=("level",))
    assert fit.cov_type == "cluster" and any("Only 6 agencies" in n for n in fit.notes)
    one = data[data["agency_key"] == "a0"]
    fit = models.fit_count(one, "requests_new", terms=("year",))
    assert fit.cov_type == "HC1"


def test_rare_categories_are_pooled_or_left_out():
    frame = pd.DataFrame({"level": ["a"] * 10 + ["b"] * 3 + ["c"] * 3 + ["d"],
                          "year": 2020})
    x, reference, used, notes = models.design(frame, terms=("level",))
    assert list(x.columns) == ["Intercept", "level: other"] and len(x) == 17
    assert reference == {"level": "a"} and used == ["level"]
    assert "pooled into" in notes[0]
    frame = pd.DataFrame({"level": ["a"] * 10 + ["b"] * 2, "year": 2020})
    x, reference, used, notes = models.design(frame, terms=("level", "region"))
    assert list(x.columns) == ["Intercept"] and len(x) == 10 and used == []
    assert any("left out of the model" in n for n in notes)
    assert any("region: not in the data" in n for n in notes)


def test_year_fixed_effects_or_trend(data):
    x, reference, _, _ = models.design(data, terms=("year",), year="fixed")
    assert [c for c in x.columns if c.startswith("year")] == [f"year: {y}" for y in
                                                              range(2020, 2024)]
    assert reference["year"] == "2019"
    x, _, _, notes = models.design(data.head(30), terms=("year",), year="auto",
                                   max_parameters=3)
    assert "year (trend)" in x.columns and "linear trend" in notes[-1]


def test_collinear_columns_are_dropped():
    frame = pd.DataFrame({"level": ["a"] * 6 + ["b"] * 6, "region": ["x"] * 6 + ["y"] * 6,
                          "year": 2020})
    x, _, _, notes = models.design(frame, terms=("level", "region"))
    assert list(x.columns) == ["Intercept", "level: b"]
    assert "collinear" in notes[-1]


def test_degenerate_outcomes_do_not_raise(data):
    none = data.assign(granted=0)
    fit = models.fit_share(none, "granted", "handled")
    assert any("same outcome" in n for n in fit.notes)
    empty = models.fit_share(data.assign(handled=0), "granted", "handled")
    assert not empty.ok and empty.n == 0 and empty.too_small
    missing = models.fit_count(data.assign(requests_new=np.nan), "requests_new")
    assert not missing.ok


def test_tables(data):
    fits = [models.fit_count(data, "requests_new", "Requests"),
            models.fit_share(data, "granted", "handled", "Granted"),
            models.fit_share(data.assign(handled=0), "granted", "handled", "Empty")]
    long = models.coef_table(fits)
    assert set(long["model"]) == {"Requests", "Granted"}
    row = long[(long["model"] == "Granted") & (long["term"] == "level: county")].iloc[0]
    assert row["ci_low"] < row["coef"] < row["ci_high"]
    assert row["exp_coef"] == pytest.approx(np.exp(row["coef"]))
    table = models.regression_table(fits)
    assert list(table.columns) == ["Requests", "Granted", "Empty"]
    assert table.loc["N (reports)", "Empty"] == "0"
    assert table.loc["Sample too small", "Requests"] == "no"
    footer = list(table.index).index("N (reports)")
    assert table.index[footer - 1] == ""  # the standard-error row under the intercept
    assert table.loc["level: county", "Granted"].endswith("***")
    assert models.stars(float("nan")) == ""


def test_separated_estimates_are_marked_not_starred(data):
    """A level in which no request was ever granted: its log odds ratio runs off to −∞."""
    zero = data.head(60).assign(level="township", granted=0, agency_key=lambda d: d.agency_key + "t")
    frame = pd.concat([data, zero], ignore_index=True)
    fit = models.fit_share(frame, "granted", "handled", "Granted")
    assert models.separated(fit) == {"level: township"}
    assert "level: county" not in models.separated(fit)
    coefs = models.coef_table([fit]).set_index("term")
    assert coefs.loc["level: township", "separated"] and not coefs.loc["level: county",
                                                                       "separated"]
    table = models.regression_table([fit])
    township = table.loc["level: township", "Granted"]
    assert township.endswith(models.SEPARATED_MARK) and "*" not in township
    assert table.loc["level: county", "Granted"].endswith("***")  # a real effect keeps its stars
    assert table.loc["Separated estimates", "Granted"] == "1"
