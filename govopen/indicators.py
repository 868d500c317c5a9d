"""Derived variables for comparative analysis, one row per report.

Every indicator is computed from the printed cells only; a ratio is NaN when its
denominator is zero or not printed, never imputed. Definitions follow the way the
State Council template itself groups outcomes and the usage of the transparency
literature:

* Requests (section 三) — *disclosure rate* = (予以公开 + 部分公开) / 总计 handled;
  *full-disclosure share* = 予以公开 / 总计; *not-held share* = 本机关不掌握 / 总计
  (the most common ground for refusing, often read as a sign of weak records
  management or of deflection); *withheld*, *unable*, *not-processed* and *other*
  shares by outcome group; *backlog share* = 结转下年度 / (新收 + 上年结转). The same
  ratios are used in the Chinese Academy of Social Sciences' annual government
  transparency index reports (中国政府透明度指数报告, 法治蓝皮书) and in audit studies
  of request handling such as Distelhorst and Hou (2017), "Constituency Service
  under Nondemocratic Rule: Evidence from China", *Journal of Politics* 79(3).
* Appeals (section 四) — *correction rate* = 结果纠正 / decided cases (维持 + 纠正 +
  其他, i.e. excluding 尚未审结); *reconsideration-first share* = suits filed after
  reconsideration / all suits.
* Proactive disclosure (section 二) — counts that keep their meaning across the
  2019 → 2021 format change (licensing, penalty and compulsory-measure decisions;
  rules and normative documents issued) carry no suffix; those that exist in one
  format only (2019 item counts, procurement; 2021 documents in force, fee amounts)
  are named for their format and are NaN for reports in the other one
  (:data:`PROACTIVE_SOURCES`, :func:`proactive_crosswalk`).

For analysis across reports: :func:`panel` (one row per report: metadata, region,
:func:`quality` of reporting, indicators and the :func:`components` behind every
ratio) and :func:`pooled` (ratios pooled over groups of reports, so that every
request counts once).

Example:
    >>> import pandas as pd
    >>> cells = pd.DataFrame({"report_id": "r", "table": "requests",
    ...     "row": ["granted", "partial", "unable_not_held", "total"],
    ...     "col": "total", "value": [3.0, 1.0, 4.0, 8.0]})
    >>> ind = indicators(cells)
    >>> float(ind.loc["r", "disclosure_rate"]), float(ind.loc["r", "not_held_share"])
    (0.5, 0.5)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from govopen.templates import identities, identity, subgroups

#: The applicant columns of section 三: the parts of its row total (``identities.csv``).
APPLICANTS = tuple(t.code for t in identity("row_total").parts)
#: The outcome groups of section 三 (（一）予以公开 … （六）其他处理) → their rows
#: (``rows.csv``, group ``outcome.*``).
OUTCOME_GROUPS = subgroups("requests", "outcome")
#: The row of the not-held share: 本机关不掌握相关政府信息, the most common ground
#: for not disclosing (one of the reasons of （四）无法提供).
NOT_HELD = "unable_not_held"
#: Indicators comparable across the 2019 and 2021 formats of section 二.
COMPARABLE_PROACTIVE = ("licensing_decisions", "penalty_decisions", "compulsory_decisions",
                        "rules_issued", "normative_docs_issued")
#: One-line definitions, for tables and figure captions (English).
DEFINITIONS = {
    "requests_new": "new requests received this year (三.一 总计)",
    "requests_handled": "requests handled this year (三.(七) 总计)",
    "natural_person_share": "share of new requests filed by natural persons",
    "disclosure_rate": "(disclosed in full + in part) / handled",
    "full_disclosure_share": "disclosed in full / handled",
    "not_held_share": "'information not held' / handled",
    "withheld_share": "withheld (all eight grounds) / handled",
    "unable_share": "unable to provide (all three reasons) / handled",
    "unprocessed_share": "not processed (all five reasons) / handled",
    "other_share": "other handling / handled",
    "backlog_share": "carried forward / (new + carried over)",
    "review_cases": "administrative reconsideration cases (四, total)",
    "suit_cases": "administrative suits (direct + after reconsideration)",
    "review_correction_rate": "reconsiderations corrected / decided",
    "suit_correction_rate": "suits corrected / decided",
    "reconsideration_first_share": "suits filed after reconsideration / all suits",
    "licensing_decisions": "licensing decisions (二, both formats)",
    "penalty_decisions": "administrative penalty decisions (二, both formats)",
    "compulsory_decisions": "compulsory-measure decisions (二, both formats)",
    "rules_issued": "rules newly made (2019) or issued (2021)",
    "normative_docs_issued": "normative documents newly made (2019) or issued (2021)",
    "normative_docs_in_force_2021": "normative documents in force (2021 format only)",
    "fees_wan_2021": "fees collected, CNY 10k (2021 format only)",
    "procurement_wan_2019": "centralised procurement, CNY 10k (2019 format only)",
}
#: Short labels for figures and tables: indicator -> (English, Chinese).
SHORT_LABELS = {
    "requests_new": ("New requests", "新收申请"),
    "requests_handled": ("Requests handled", "办理申请"),
    "natural_person_share": ("Share from natural persons", "自然人申请占比"),
    "disclosure_rate": ("Disclosure rate", "公开率"),
    "full_disclosure_share": ("Disclosed in full", "全部公开占比"),
    "not_held_share": ("Not held", "不掌握占比"),
    "withheld_share": ("Withheld", "不予公开占比"),
    "unable_share": ("Unable to provide", "无法提供占比"),
    "unprocessed_share": ("Not processed", "不予处理占比"),
    "other_share": ("Other handling", "其他处理占比"),
    "backlog_share": ("Carried forward", "结转下年占比"),
    "review_cases": ("Reconsideration cases", "行政复议案件"),
    "suit_cases": ("Lawsuits", "行政诉讼案件"),
    "review_correction_rate": ("Reconsideration correction rate", "复议纠错率"),
    "suit_correction_rate": ("Lawsuit correction rate", "诉讼纠错率"),
    "reconsideration_first_share": ("Suits after reconsideration", "复议后起诉占比"),
    "licensing_decisions": ("Licensing decisions", "行政许可决定"),
    "penalty_decisions": ("Penalty decisions", "行政处罚决定"),
    "compulsory_decisions": ("Compulsory measures", "行政强制决定"),
    "rules_issued": ("Rules issued", "规章制发"),
    "normative_docs_issued": ("Normative documents issued", "规范性文件制发"),
    "normative_docs_in_force_2021": ("Normative documents in force", "现行有效规范性文件"),
    "fees_wan_2021": ("Fees (CNY 10k)", "收费金额（万元）"),
    "procurement_wan_2019": ("Procurement (CNY 10k)", "集中采购金额（万元）"),
}
#: Section 二 indicators: the (row, col) cell each is read from, per template format.
#: Those with both formats are :data:`COMPARABLE_PROACTIVE`; every other cell of the two
#: templates (2019 item counts, 2021 repeals …) has no counterpart in the other format.
PROACTIVE_SOURCES = {
    "licensing_decisions": {"2019": ("licensing", "decisions"),
                            "2021": ("licensing", "decisions")},
    "penalty_decisions": {"2019": ("penalties", "decisions"), "2021": ("penalties", "decisions")},
    "compulsory_decisions": {"2019": ("compulsory", "decisions"),
                             "2021": ("compulsory", "decisions")},
    "rules_issued": {"2019": ("rules", "new_made"), "2021": ("rules", "issued")},
    "normative_docs_issued": {"2019": ("normative_docs", "new_made"),
                              "2021": ("normative_docs", "issued")},
    "normative_docs_in_force_2021": {"2021": ("normative_docs", "in_force")},
    "fees_wan_2021": {"2021": ("fees", "amount_wan")},
    "procurement_wan_2019": {"2019": ("procurement", "amount_wan")},
}
#: Ratio indicators as (numerator, denominator) columns of :func:`components`.
RATIOS = {
    "natural_person_share": ("new_natural_person", "requests_new"),
    "disclosure_rate": ("disclosed", "requests_handled"),
    "full_disclosure_share": ("granted", "requests_handled"),
    "not_held_share": ("not_held", "requests_handled"),
    "withheld_share": ("withheld", "requests_handled"),
    "unable_share": ("unable", "requests_handled"),
    "unprocessed_share": ("unprocessed", "requests_handled"),
    "other_share": ("other", "requests_handled"),
    "backlog_share": ("carried_forward", "backlog_base"),
    "review_correction_rate": ("review_corrected", "review_decided"),
    "suit_correction_rate": ("suit_corrected", "suit_decided"),
    "reconsideration_first_share": ("suits_after_review", "suit_cases"),
}
#: Validation rules that are arithmetic identities of one report's template (identities.csv).
IDENTITY_RULES = tuple(i.rule for i in identities() if not i.across_years)
#: Validation rules about structure the report lacks.
STRUCTURE_RULES = ("table_not_found", "row_not_found", "row_values_missing",
                   "row_cells_mismatch", "section_not_found")
CELL_STATUSES = ("ok", "ok_by_identity", "blank", "ambiguous", "unreadable", "missing")
#: Report metadata carried into :func:`panel` when the build has it.
META_COLUMNS = ("report_id", "agency", "agency_id", "year", "level", "province", "prefecture",
                "county", "format", "format_proactive", "format_requests", "format_appeals",
                "file_type", "n_errors", "n_warnings")


def wide(cells: pd.DataFrame) -> pd.DataFrame:
    """Cells as one row per report, one column per cell (``requests__new__total``).

    Example:
        >>> cells = pd.DataFrame({"report_id": ["a"], "table": ["requests"], "row": ["new"],
        ...                       "col": ["total"], "value": [3.0]})
        >>> wide(cells).loc["a", "requests__new__total"]
        np.float64(3.0)
    """
    keys = cells["table"] + "__" + cells["row"] + "__" + cells["col"]
    frame = cells.assign(key=keys).pivot_table(index="report_id", columns="key", values="value",
                                               aggfunc="first", dropna=False)
    frame.columns.name = None
    return frame


def ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """``num / den`` with NaN where the denominator is 0 or missing.

    Example:
        >>> ratio(pd.Series([1.0, 1.0]), pd.Series([2.0, 0.0])).tolist()
        [0.5, nan]
    """
    den = den.where(den != 0)
    return num / den


def components(cells: pd.DataFrame) -> pd.DataFrame:
    """The counts behind the ratio indicators, one row per report.

    Every ratio of :data:`RATIOS` is ``numerator / denominator`` of two columns
    here, so shares can be pooled over groups of reports (:func:`pooled`) or
    modelled as binomial outcomes (:mod:`govopen.models`).

    Example:
        >>> cells = pd.DataFrame({"report_id": "r", "table": "requests",
        ...     "row": ["granted", "partial", "total"], "col": "total",
        ...     "value": [3.0, 1.0, 8.0]})
        >>> components(cells).loc["r", ["disclosed", "requests_handled"]].tolist()
        [4.0, 8.0]
    """
    w = wide(cells)

    def col(key: str) -> pd.Series:
        return w[key] if key in w.columns else pd.Series(np.nan, index=w.index)

    def group_sum(group: str) -> pd.Series:
        wanted = {f"requests__{row}__total" for row in OUTCOME_GROUPS[group]}
        keys = [k for k in w.columns if k in wanted]
        return w[keys].sum(axis=1, min_count=1) if keys else pd.Series(np.nan, index=w.index)

    out = pd.DataFrame(index=w.index)
    out["requests_new"] = col("requests__new__total")
    out["requests_handled"] = col("requests__total__total")
    for applicant in APPLICANTS:
        out[f"new_{applicant}"] = col(f"requests__new__{applicant}")
    granted, partial = group_sum("granted"), group_sum("partial")
    out["granted"] = granted
    out["partial"] = partial
    out["disclosed"] = (granted.fillna(0) + partial.fillna(0)).where(
        granted.notna() | partial.notna())
    out["not_held"] = col(f"requests__{NOT_HELD}__total")
    for name in ("withheld", "unable", "unprocessed", "other"):
        out[name] = group_sum(name)
    out["carried_forward"] = col("requests__carried_forward__total")
    out["backlog_base"] = col("requests__new__total") + col(
        "requests__carried_over__total").fillna(0)
    review = {c: col(f"appeals__review__{c}") for c in ("upheld", "corrected", "other", "total")}
    suits = {c: col(f"appeals__suit_direct__{c}") + col(f"appeals__suit_after_review__{c}")
             for c in ("upheld", "corrected", "other", "total")}
    out["review_cases"] = review["total"]
    out["review_corrected"] = review["corrected"]
    out["review_decided"] = review["upheld"] + review["corrected"] + review["other"]
    out["suit_cases"] = suits["total"]
    out["suits_direct"] = col("appeals__suit_direct__total")
    out["suits_after_review"] = col("appeals__suit_after_review__total")
    out["suit_corrected"] = suits["corrected"]
    out["suit_decided"] = suits["upheld"] + suits["corrected"] + suits["other"]
    return out


def indicators(cells: pd.DataFrame) -> pd.DataFrame:
    """The indicators of :data:`DEFINITIONS` for every report in ``cells``."""
    w = wide(cells)
    c = components(cells)

    def col(key: str) -> pd.Series:
        return w[key] if key in w.columns else pd.Series(np.nan, index=w.index)

    out = pd.DataFrame(index=w.index)
    for name in DEFINITIONS:
        if name in RATIOS:
            num, den = RATIOS[name]
            out[name] = ratio(c[num], c[den])
        elif name in c.columns:
            out[name] = c[name]
    for name, sources in PROACTIVE_SOURCES.items():
        value = pd.Series(np.nan, index=w.index)
        for fmt in ("2021", "2019"):
            if fmt in sources:
                row, column = sources[fmt]
                value = value.fillna(col(f"proactive__{row}__{column}"))
        out[name] = value
    return out[list(DEFINITIONS)]


def quality(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Reporting quality per report: identity failures, unreadable cells, missing structure.

    How carefully an agency fills in the template is itself a research variable:
    ``identity_errors`` counts the arithmetic identities of the template the printed
    numbers break (rules :data:`IDENTITY_RULES`, severity ``error``),
    ``identity_warnings`` those that fail only because of blank cells,
    ``structure_problems`` the tables, rows and sections not found. Cell counts are
    by :data:`cells` ``status``; ``cells_readable_share`` = (ok + blank) / all cells.

    Example:
        >>> tables = {"reports": pd.DataFrame({"report_id": ["a", "b"]}),
        ...     "cells": pd.DataFrame({"report_id": ["a", "a", "b"],
        ...                            "status": ["ok", "ambiguous", "ok"]}),
        ...     "issues": pd.DataFrame({"report_id": ["a"], "rule": ["balance"],
        ...                             "severity": ["error"]})}
        >>> quality(tables)[["identity_errors", "cells_readable_share"]].to_dict("list")
        {'identity_errors': [1, 0], 'cells_readable_share': [0.5, 1.0]}
    """
    ids = pd.Index(tables["reports"]["report_id"], name="report_id")
    issues = tables.get("issues", pd.DataFrame(columns=["report_id", "rule", "severity"]))
    cells = tables.get("cells", pd.DataFrame(columns=["report_id", "status"]))

    def count(frame: pd.DataFrame) -> pd.Series:
        return frame.groupby("report_id").size().reindex(ids, fill_value=0).astype(int)

    identity = issues[issues["rule"].isin(IDENTITY_RULES)]
    out = pd.DataFrame(index=ids)
    out["identity_errors"] = count(identity[identity["severity"] == "error"])
    out["identity_warnings"] = count(identity[identity["severity"] == "warning"])
    out["structure_problems"] = count(issues[issues["rule"].isin(STRUCTURE_RULES)])
    out["has_identity_error"] = out["identity_errors"] > 0
    status = cells.groupby(["report_id", "status"]).size().unstack(fill_value=0)
    status = status.reindex(index=ids, columns=CELL_STATUSES, fill_value=0).astype(int)
    for name in CELL_STATUSES:
        out[f"cells_{name}"] = status[name]
    total = status.sum(axis=1)
    out["cells_readable_share"] = ratio(status["ok"] + status["ok_by_identity"] + status["blank"],
                                        total)
    return out


def panel(tables: dict[str, pd.DataFrame], region: str = "province",
          copies: bool = False) -> pd.DataFrame:
    """One row per report: metadata, ``region``, quality, indicators and their components.

    ``agency_key`` identifies the reporting body for clustering and panels
    (``agency_id`` when the build provides it, else the agency name);
    ``region`` is the manifest column named by ``region`` (``"unknown"`` when blank).
    Copies of a report (``duplicate_of`` set by the build: the same agency and
    year twice) are left out unless ``copies`` is true, so that no report counts twice.

    Example:
        >>> tables = {"reports": pd.DataFrame({"report_id": ["r"], "agency": ["A"],
        ...     "year": [2020], "level": ["county"], "province": ["河南省"]}),
        ...     "cells": pd.DataFrame({"report_id": "r", "table": "requests",
        ...     "row": ["granted", "total"], "col": "total", "value": [1.0, 2.0],
        ...     "status": "ok"})}
        >>> row = panel(tables).loc["r"]
        >>> row["region"], float(row["disclosure_rate"]), row["agency_key"]
        ('河南省', 0.5, 'A')
    """
    reports = tables["reports"]
    if not copies and "duplicate_of" in reports.columns:
        reports = reports[reports["duplicate_of"].isna()]
    reports = reports.set_index("report_id", drop=False)
    meta = [c for c in META_COLUMNS if c in reports.columns]
    out = reports[meta].copy()
    key = reports["agency_id"] if "agency_id" in reports.columns else reports["agency"]
    out["agency_key"] = key.astype("string").fillna(reports["agency"].astype("string"))
    regions = reports[region] if region in reports.columns else pd.Series(pd.NA, out.index)
    out["region"] = regions.astype("string").fillna("unknown").replace("", "unknown")
    out = out.join(quality(tables))
    cells = tables["cells"]
    ind = indicators(cells)
    comp = components(cells)
    out = out.join(ind).join(comp[[c for c in comp.columns if c not in ind.columns]])
    out.index.name = "report_id"
    return out.drop(columns="report_id", errors="ignore")


def pooled(frame: pd.DataFrame, by: str | list[str] | None = None,
           names: list[str] | tuple[str, ...] | None = None) -> pd.DataFrame:
    """Ratios of :data:`RATIOS` pooled over groups: sum of numerators / sum of denominators.

    A pooled ratio weights each report by its denominator (every request counts
    once), unlike the mean of per-report ratios. Reports whose numerator or
    denominator is missing, or whose denominator is 0, are left out. Returns one
    row per group and indicator: ``value``, ``numerator``, ``denominator`` and
    ``reports`` (how many reports contributed).

    Example:
        >>> frame = pd.DataFrame({"level": ["a", "a", "b"], "disclosed": [1.0, 3.0, 0.0],
        ...                       "requests_handled": [2.0, 2.0, 0.0]})
        >>> pooled(frame, "level", ["disclosure_rate"])[["level", "value", "reports"]]
          level  value  reports
        0     a    1.0        2
        1     b    NaN        0
    """
    names = list(names or RATIOS)
    keys = [by] if isinstance(by, str) else list(by or [])
    rows = []
    groups = frame.groupby(keys, sort=True, observed=True) if keys else [((), frame)]
    for group, part in groups:
        group = group if isinstance(group, tuple) else (group,)
        for name in names:
            num_col, den_col = RATIOS[name]
            num, den = part[num_col], part[den_col]
            ok = num.notna() & den.notna() & (den > 0)
            n, d = float(num[ok].sum()), float(den[ok].sum())
            rows.append({**dict(zip(keys, group, strict=True)), "indicator": name,
                         "value": n / d if d > 0 else np.nan, "numerator": n,
                         "denominator": d, "reports": int(ok.sum())})
    return pd.DataFrame(rows, columns=[*keys, "indicator", "value", "numerator", "denominator",
                                       "reports"])


def proactive_crosswalk() -> pd.DataFrame:
    """Every cell of section 二 in the 2019 and 2021 templates and the indicator it feeds.

    ``indicator`` is empty for cells no indicator uses; ``comparable`` says whether
    the indicator exists in both formats (:data:`COMPARABLE_PROACTIVE`).

    Example:
        >>> x = proactive_crosswalk()
        >>> x.query("format == '2019' and row == 'licensing'")[["col", "indicator"]].values.tolist()
        [['prior_year', ''], ['net_change', ''], ['decisions', 'licensing_decisions']]
        >>> int(x["comparable"].sum())
        10
    """
    from govopen.templates import template

    used = {(fmt, *cell): name for name, sources in PROACTIVE_SOURCES.items()
            for fmt, cell in sources.items()}
    rows = []
    for fmt in ("2019", "2021"):
        t = template("proactive", fmt)
        for r in t.rows:
            for c in r.cols:
                name = used.get((fmt, r.code, c), "")
                rows.append({"format": fmt, "row": r.code, "col": c, "row_zh": r.zh,
                             "row_en": r.en, "col_zh": t.col(c).zh, "col_en": t.col(c).en,
                             "indicator": name, "comparable": name in COMPARABLE_PROACTIVE})
    return pd.DataFrame(rows)
