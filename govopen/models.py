"""Regression helpers (statsmodels) for the report panel of :func:`govopen.indicators.panel`.

* :func:`fit_count` — negative binomial GLM of a count (request volumes), the
  dispersion ``alpha`` estimated by maximum likelihood first;
* :func:`fit_share` — binomial GLM of a share from its numerator and denominator
  (every request is a trial, so large agencies weigh more, as they should);
* both on categorical ``level`` and ``region`` and on ``year`` (fixed effects, or a
  linear trend when there are too few reports per year), with standard errors
  cluster-robust by agency (reports of one agency over the years are not
  independent), or heteroskedasticity-robust (HC1) when there are too few agencies
  to cluster;
* :func:`regression_table` / :func:`coef_table` — tables for papers (LaTeX, CSV).

Small samples are the rule in this field — a county and its bureaus, a handful of
years — so a model is always fitted when it can be, and what is wrong with it is
said plainly in :attr:`ModelFit.notes` (``too_small`` when there are fewer than
:data:`MIN_PER_PARAMETER` observations, or events, per parameter).

Example:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"level": ["county", "township"] * 20,
    ...     "region": "福建省", "year": [2020, 2021] * 20,
    ...     "agency_key": [f"a{i % 8}" for i in range(40)],
    ...     "requests_new": [5, 1] * 20})
    >>> fit = fit_count(frame, "requests_new", terms=("level",))
    >>> fit.n, fit.too_small, fit.cov_type
    (40, False, 'cluster')
    >>> round(float(fit.result.params["level: township"]), 2)   # log(1/5)
    -1.61
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

#: Rule of thumb for GLMs: observations (or, for shares, the rarer outcome) per parameter.
MIN_PER_PARAMETER = 10
#: Fewer clusters than this make cluster-robust standard errors unreliable.
MIN_CLUSTERS = 20
#: Categories with fewer reports than this are pooled into "other".
MIN_CATEGORY = 5
TERMS = ("level", "region", "year")


@dataclass
class ModelFit:
    """A fitted model with everything a reader must know about its sample."""

    name: str
    family: str
    outcome: str
    result: Any  # a statsmodels results object (untyped), or None when nothing was fitted
    n: int
    parameters: int
    clusters: int
    cov_type: str
    terms: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    too_small: bool = False
    alpha: float | None = None
    reference: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether there are estimates at all."""
        return self.result is not None

    def describe(self) -> str:
        """One paragraph of Markdown: the model, its sample, and its problems."""
        se = {"cluster": "cluster-robust by agency", "HC1": "heteroskedasticity-robust (HC1)",
              "none": "not estimated"}[self.cov_type]
        refs = ", ".join(f"{k} = {v}" for k, v in self.reference.items())
        text = (f"**{self.name}** — {self.family} GLM of `{self.outcome}` on "
                f"{', '.join(self.terms) or 'a constant'}: {self.n} reports from "
                f"{self.clusters} agencies, {self.parameters} parameters; standard errors "
                f"{se}.")
        if refs:
            text += f" Reference categories: {refs}."
        if self.alpha is not None:
            text += f" Dispersion α = {self.alpha:.2f}."
        if self.notes:
            text += "\n\n" + "\n".join(f"- {note}" for note in self.notes)
        return text


def design(frame: pd.DataFrame, terms=TERMS, min_category: int = MIN_CATEGORY,
           year: str = "auto", max_parameters: int | None = None):
    """The design matrix (with ``Intercept``), reference categories, terms used, notes.

    Categorical terms get treatment dummies named ``"term: value"`` against their
    most frequent value; values with fewer than ``min_category`` reports are
    pooled into ``other``, and left out of the model (their rows dropped: the
    index of the matrix says which rows remain) when even together they are fewer;
    a term left with one value is dropped. ``year`` is
    ``"fixed"`` (dummies), ``"linear"`` (a trend, centred on the first year) or
    ``"auto"`` (dummies when every year has ``min_category`` reports and the
    model keeps ``max_parameters`` or fewer parameters; a trend otherwise).

    Example:
        >>> f = pd.DataFrame({"level": ["a"] * 6 + ["b"] * 5 + ["c"], "year": 2020})
        >>> x, ref, used, notes = design(f, terms=("level", "year"))
        >>> list(x.columns), ref, used, len(x)
        (['Intercept', 'level: b'], {'level': 'a'}, ['level'], 11)
        >>> notes[0]
        'level: c (1 report) left out of the model (fewer than 5 reports, even together).'
    """
    notes: list[str] = []
    keep = pd.Series(True, index=frame.index)
    categorical: dict[str, pd.Series] = {}
    for term in terms:
        if term not in frame.columns:
            notes.append(f"{term}: not in the data; left out.")
            continue
        if term == "year":
            continue
        values = frame[term].astype("string").fillna("unknown")
        counts = values[keep].value_counts()
        rare = counts[counts < min_category]
        if len(rare) and len(counts) > 1:
            listed = ", ".join(f"{v} ({c} report{'s' if c > 1 else ''})" for v, c in rare.items())
            values = values.where(~values.isin(rare.index), "other")
            pooled_n = int(rare.sum())
            if pooled_n < min_category:
                keep &= values != "other"
                notes.append(f"{term}: {listed} left out of the model (fewer than "
                             f"{min_category} reports, even together).")
            else:
                notes.append(f'{term}: {listed} pooled into "other" (fewer than '
                             f"{min_category} reports each).")
        categorical[term] = values
    index = frame.index[keep.to_numpy()]
    columns = {"Intercept": pd.Series(1.0, index=index)}
    reference: dict[str, str] = {}
    used: list[str] = []
    for term, values in categorical.items():
        values = values[keep]
        counts = values.value_counts()
        if len(counts) < 2:
            notes.append(f"{term}: every report is {counts.index[0]!s}, so there is no "
                         "contrast to estimate; left out.")
            continue
        ref = counts.index[0]
        reference[term] = str(ref)
        used.append(term)
        for value in sorted(counts.index):
            if value != ref:
                columns[f"{term}: {value}"] = (values == value).astype(float)
    if "year" in terms and "year" in frame.columns:
        years = pd.to_numeric(frame["year"][keep], errors="coerce")
        counts = years.value_counts().sort_index()
        if len(counts) < 2:
            notes.append("year: every report is from the same year; left out.")
        else:
            fixed = year == "fixed"
            if year == "auto":
                n_params = len(columns) + len(counts) - 1
                fixed = (counts.min() >= min_category
                         and (max_parameters is None or n_params <= max_parameters))
                if not fixed:
                    notes.append("year: a linear trend (per year, from "
                                 f"{int(counts.index[0])}) instead of year fixed effects, "
                                 "too few reports per year for one parameter each.")
            used.append("year")
            if fixed:
                reference["year"] = str(int(counts.index[0]))
                for value in counts.index[1:]:
                    columns[f"year: {int(value)}"] = (years == value).astype(float)
            else:
                columns["year (trend)"] = years - counts.index[0]
    x = pd.DataFrame(columns)
    x, dropped = _full_rank(x)
    if dropped:
        notes.append(f"{', '.join(dropped)}: collinear with the other terms; left out.")
    return x, reference, used, notes


def _full_rank(x: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    keep: list[str] = []
    dropped: list[str] = []
    for column in x.columns:
        trial = x[[*keep, column]].to_numpy(dtype=float)
        if np.linalg.matrix_rank(trial) == len(keep) + 1:
            keep.append(column)
        else:
            dropped.append(column)
    return x[keep], dropped


def _cov(groups: pd.Series, notes: list[str]):
    codes = pd.factorize(groups.astype("string").fillna("unknown"))[0]
    n_clusters = int(len(np.unique(codes)))
    if n_clusters >= 2:
        if n_clusters < MIN_CLUSTERS:
            notes.append(f"Only {n_clusters} agencies: cluster-robust standard errors are "
                         f"unreliable with fewer than about {MIN_CLUSTERS} clusters "
                         "(they tend to be too small).")
        return "cluster", {"groups": codes}, n_clusters
    notes.append("A single agency: standard errors are heteroskedasticity-robust (HC1), not "
                 "clustered.")
    return "HC1", {}, n_clusters


def _converged(result) -> bool:
    if getattr(result, "mle_retvals", None):
        return bool(result.mle_retvals.get("converged", False))
    return bool(getattr(result, "converged", True))


def _glm_fit(model, **kwargs):
    """IRLS; Newton's method from the IRLS estimates when IRLS does not converge.

    IRLS can cycle between two deviances on sparse, heavy-tailed counts (seen on the
    bundled corpus) and then stops at an arbitrary point of the cycle.
    """
    result = model.fit(maxiter=100, **kwargs)
    if _converged(result):
        return result
    newton = model.fit(method="newton", start_params=np.asarray(result.params), maxiter=200,
                       disp=0, **kwargs)
    if _converged(newton) or not np.isfinite(result.llf) or newton.llf > result.llf:
        return newton
    return result


def _fit(model, cov_type: str, cov_kwds: dict, notes: list[str]):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = _glm_fit(model, cov_type=cov_type, cov_kwds=cov_kwds or None)
    if not _converged(result):
        notes.append("The estimation did not converge: the estimates are not reliable.")
    seen = set()
    for w in caught:
        message = str(w.message).split("\n")[0]
        if w.category.__name__ in ("ConvergenceWarning", "PerfectSeparationWarning",
                                   "HessianInversionWarning") and message not in seen:
            seen.add(message)
            notes.append(f"statsmodels: {message}")
    if not np.all(np.isfinite(result.bse)):
        notes.append("Some standard errors could not be computed (a category with no "
                     "variation in the outcome, or perfect separation).")
    return result


def _too_small(n: int, events: float, parameters: int, notes: list[str], what: str) -> bool:
    per = events / max(parameters, 1)
    if n == 0:
        notes.append("No reports have this outcome: the model cannot be fitted.")
        return True
    if per < MIN_PER_PARAMETER:
        notes.append(f"**The sample is too small for this model**: {what} for {parameters} "
                     f"parameters ({per:.1f} per parameter; at least {MIN_PER_PARAMETER} are "
                     "needed). The estimates are shown so that the analysis runs end to end; "
                     "do not interpret them.")
        return True
    return False


def fit_count(frame: pd.DataFrame, outcome: str, name: str | None = None, terms=TERMS,
              cluster: str = "agency_key", min_category: int = MIN_CATEGORY,
              year: str = "auto") -> ModelFit:
    """Negative binomial GLM of the count ``outcome`` (α by maximum likelihood)."""
    import statsmodels.api as sm

    data = frame[frame[outcome].notna()]
    notes: list[str] = []
    left = len(frame) - len(data)
    if left:
        notes.append(f"{left} reports without `{outcome}` left out.")
    name = name or outcome
    if data.empty:
        return ModelFit(name, "negative binomial", outcome, None, 0, 0, 0, "none",
                        notes=notes + ["No reports have this outcome."], too_small=True)
    x, reference, used, more = design(data, terms, min_category, year,
                                      max_parameters=len(data) // MIN_PER_PARAMETER)
    notes += more
    data = data.loc[x.index]
    y = data[outcome].astype(float)
    too_small = _too_small(len(data), len(data), x.shape[1] + 1, notes,
                           f"{len(data)} reports")
    groups = data[cluster] if cluster in data.columns else data.index.to_series()
    cov_type, cov_kwds, n_clusters = _cov(groups, notes)
    alpha = _nb_alpha(y, x, notes)
    try:
        model = sm.GLM(y, x, family=sm.families.NegativeBinomial(alpha=alpha))
        result = _fit(model, cov_type, cov_kwds, notes)
    except Exception as exc:  # a degenerate sample must not stop a notebook
        notes.append(f"The model could not be fitted: {type(exc).__name__}: {exc}")
        result, cov_type = None, "none"
    return ModelFit(name, "negative binomial", outcome, result, len(data), x.shape[1] + 1,
                    n_clusters, cov_type, used, notes, too_small, alpha, reference)


def _nb_alpha(y: pd.Series, x: pd.DataFrame, notes: list[str]) -> float:
    """NB2 dispersion α maximising the GLM log-likelihood (profile over log α).

    More robust than the discrete ``NegativeBinomial`` MLE, which overflows on
    the heavy tails of request counts (a few agencies receive hundreds).
    """
    import statsmodels.api as sm
    from scipy.optimize import minimize_scalar

    lo, hi = np.log(1e-4), np.log(1e3)

    def negll(log_alpha: float) -> float:
        family = sm.families.NegativeBinomial(alpha=float(np.exp(log_alpha)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            llf = _glm_fit(sm.GLM(y, x, family=family)).llf
        return -llf if np.isfinite(llf) else np.inf

    best = minimize_scalar(negll, bounds=(lo, hi), method="bounded",
                           options={"xatol": 1e-3})
    alpha = float(np.exp(best.x))
    if not best.success or not np.isfinite(best.fun):
        mean, var = float(y.mean()), float(y.var())
        alpha = max((var - mean) / mean**2, 1e-3) if mean > 0 else 1.0
        notes.append("The maximum-likelihood estimate of the dispersion failed; "
                     f"α = {alpha:.2f} by the method of moments.")
    elif best.x > hi - 0.1 or best.x < lo + 0.1:
        notes.append(f"The dispersion estimate is at the edge of its range (α = {alpha:.3g}).")
    return alpha


def fit_share(frame: pd.DataFrame, numerator: str, denominator: str, name: str | None = None,
              terms=TERMS, cluster: str = "agency_key", min_category: int = MIN_CATEGORY,
              year: str = "auto") -> ModelFit:
    """Binomial GLM of ``numerator`` successes in ``denominator`` trials per report."""
    import statsmodels.api as sm

    num, den = frame[numerator], frame[denominator]
    keep = num.notna() & den.notna() & (den > 0) & (num <= den)
    data = frame[keep]
    name = name or f"{numerator} / {denominator}"
    outcome = f"{numerator} / {denominator}"
    notes: list[str] = []
    if (~keep).sum():
        notes.append(f"{int((~keep).sum())} reports left out: `{denominator}` is 0 or not "
                     f"printed, or `{numerator}` is not printed or exceeds it.")
    if data.empty:
        return ModelFit(name, "binomial", outcome, None, 0, 0, 0, "none",
                        notes=notes + ["No reports have this outcome."], too_small=True)
    successes = data[numerator].astype(float)
    failures = data[denominator].astype(float) - successes
    x, reference, used, more = design(data, terms, min_category, year,
                                      max_parameters=len(data) // MIN_PER_PARAMETER)
    notes += more
    data, successes, failures = data.loc[x.index], successes.loc[x.index], failures.loc[x.index]
    rarer = float(min(successes.sum(), failures.sum()))
    too_small = _too_small(len(data), min(rarer, len(data)), x.shape[1], notes,
                           f"{len(data)} reports ({rarer:.0f} in the rarer outcome)")
    if rarer == 0:
        notes.append("Every trial has the same outcome: nothing to model.")
    groups = data[cluster] if cluster in data.columns else data.index.to_series()
    cov_type, cov_kwds, n_clusters = _cov(groups, notes)
    try:
        model = sm.GLM(np.column_stack([successes, failures]), x, family=sm.families.Binomial())
        result = _fit(model, cov_type, cov_kwds, notes)
    except Exception as exc:  # a degenerate sample must not stop a notebook
        notes.append(f"The model could not be fitted: {type(exc).__name__}: {exc}")
        result, cov_type = None, "none"
    return ModelFit(name, "binomial", outcome, result, len(data), x.shape[1], n_clusters,
                    cov_type, used, notes, too_small, None, reference)


def coef_table(fits: list[ModelFit]) -> pd.DataFrame:
    """Long table: one row per model and term, with ``exp_coef`` (incidence-rate or odds ratio)
    and whether the estimate is ``separated`` (:func:`separated`).

    Example:
        >>> coef_table([ModelFit("m", "binomial", "y", None, 0, 0, 0, "none")]).empty
        True
    """
    rows = []
    for fit in fits:
        if fit.result is None:
            continue
        r = fit.result
        ci = r.conf_int()
        cut = separated(fit)
        for term in r.params.index:
            rows.append({"model": fit.name, "term": term, "coef": float(r.params[term]),
                         "se": float(r.bse[term]), "z": float(r.tvalues[term]),
                         "p": float(r.pvalues[term]), "ci_low": float(ci.loc[term, 0]),
                         "ci_high": float(ci.loc[term, 1]),
                         "exp_coef": float(np.exp(r.params[term])), "n": fit.n,
                         "too_small": fit.too_small, "separated": term in cut})
    return pd.DataFrame(rows, columns=["model", "term", "coef", "se", "z", "p", "ci_low",
                                       "ci_high", "exp_coef", "n", "too_small", "separated"])


#: Past this absolute log-scale coefficient an estimate is taken as running off to ±∞.
SEPARATED_COEF = 15.0


def separated(fit: ModelFit) -> set[str]:
    """Terms whose estimate is separated: not identified, however small its p-value.

    A category (a 0/1 term) in which every report has the same outcome — no
    successes or no failures of a share, no counts at all — has a maximum-likelihood
    coefficient of ±∞; the optimiser stops somewhere on the way, and its standard
    error (cluster-robust ones especially) can make it look significant. Such a term,
    or one whose coefficient or standard error is not finite or beyond
    :data:`SEPARATED_COEF`, is separated.

    Example:
        >>> frame = pd.DataFrame({"level": ["county"] * 6 + ["township"] * 6,
        ...     "granted": [3, 1, 2, 4, 2, 3] + [0] * 6, "handled": [5] * 12,
        ...     "agency_key": [f"a{i}" for i in range(12)]})
        >>> sorted(separated(fit_share(frame, "granted", "handled", terms=("level",),
        ...                            min_category=1)))
        ['level: township']
    """
    if fit.result is None:
        return set()
    r = fit.result
    model = r.model
    exog = np.asarray(model.exog, dtype=float)
    y = np.asarray(model.endog, dtype=float)
    trials = np.asarray(getattr(model, "n_trials", np.ones_like(y)), dtype=float)
    out = set()
    for j, term in enumerate(r.params.index):
        coef, se = float(r.params.iloc[j]), float(r.bse.iloc[j])
        if not (np.isfinite(coef) and np.isfinite(se)) or abs(coef) > SEPARATED_COEF:
            out.add(term)
            continue
        column = exog[:, j]
        if term == "Intercept" or not np.isin(column, (0.0, 1.0)).all() or not column.any():
            continue
        inside = column == 1
        if fit.family == "binomial":
            hits = float((y[inside] * trials[inside]).sum())
            if hits == 0 or hits == float(trials[inside].sum()):
                out.add(term)
        elif float(y[inside].sum()) == 0:
            out.add(term)
    return out


def stars(p: float) -> str:
    """``***`` p < 0.01, ``**`` < 0.05, ``*`` < 0.1.

    Example:
        >>> stars(0.003), stars(0.2)
        ('***', '')
    """
    if not np.isfinite(p):
        return ""
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


#: How :func:`regression_table` marks a separated estimate (instead of stars).
SEPARATED_MARK = " (separated)"


def regression_table(fits: list[ModelFit], digits: int = 3) -> pd.DataFrame:
    """Paper-style table: a coefficient row and a (standard error) row per term, one
    column per model, then N, agencies, standard-error type and a sample warning.

    Stars mark p-values; a separated estimate (:func:`separated`) gets
    :data:`SEPARATED_MARK` instead, whatever its p-value.
    """
    long = coef_table(fits)
    terms = list(dict.fromkeys(long["term"]))
    if "Intercept" in terms:
        terms = [t for t in terms if t != "Intercept"] + ["Intercept"]
    rows: dict[str, dict[str, str]] = {}
    for term in terms:
        rows[term] = {}
        rows[f"{term} (se)"] = {}
    for fit in fits:
        part = long[long["model"] == fit.name].set_index("term")
        for term in terms:
            if term in part.index:
                c = part.loc[term]
                mark = SEPARATED_MARK if c["separated"] else stars(c["p"])
                rows[term][fit.name] = f"{c['coef']:.{digits}f}{mark}"
                rows[f"{term} (se)"][fit.name] = (f"({c['se']:.{digits}f})"
                                                  if np.isfinite(c["se"]) else "(—)")
    footer = {
        "N (reports)": {f.name: str(f.n) for f in fits},
        "Agencies (clusters)": {f.name: str(f.clusters) for f in fits},
        "Standard errors": {f.name: {"cluster": "cluster (agency)", "HC1": "HC1",
                                     "none": "—"}[f.cov_type] for f in fits},
        "Family": {f.name: f.family for f in fits},
        "Sample too small": {f.name: "yes" if f.too_small else "no" for f in fits},
        "Separated estimates": {f.name: str(len(separated(f))) for f in fits},
    }
    table = pd.DataFrame.from_dict({**rows, **footer}, orient="index")
    table = table.reindex(columns=[f.name for f in fits]).fillna("")
    table.index = [("" if str(i).endswith(" (se)") else i) for i in table.index]
    table.index.name = "term"
    return table
