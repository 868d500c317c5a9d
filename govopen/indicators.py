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
  are named for their format and are NaN for reports in the other one.

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

APPLICANTS = ("natural_person", "business", "research", "social_org", "legal_service",
              "other_org")
OUTCOME_GROUPS = {
    "withheld": "withheld_",
    "unable": "unable_",
    "unprocessed": "unprocessed_",
    "other": "other",
}
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


def indicators(cells: pd.DataFrame) -> pd.DataFrame:
    """The indicators of :data:`DEFINITIONS` for every report in ``cells``."""
    w = wide(cells)

    def col(key: str) -> pd.Series:
        return w[key] if key in w.columns else pd.Series(np.nan, index=w.index)

    def group_sum(prefix: str) -> pd.Series:
        keys = [k for k in w.columns if k.startswith(f"requests__{prefix}")
                and k.endswith("__total")]
        return w[keys].sum(axis=1, min_count=1) if keys else pd.Series(np.nan, index=w.index)

    handled = col("requests__total__total")
    out = pd.DataFrame(index=w.index)
    out["requests_new"] = col("requests__new__total")
    out["requests_handled"] = handled
    out["natural_person_share"] = ratio(col("requests__new__natural_person"), out["requests_new"])
    granted, partial = col("requests__granted__total"), col("requests__partial__total")
    out["disclosure_rate"] = ratio(granted.fillna(0) + partial.fillna(0), handled).where(
        granted.notna() | partial.notna())
    out["full_disclosure_share"] = ratio(granted, handled)
    out["not_held_share"] = ratio(col("requests__unable_not_held__total"), handled)
    for name, prefix in OUTCOME_GROUPS.items():
        out[f"{name}_share"] = ratio(group_sum(prefix), handled)
    out["backlog_share"] = ratio(
        col("requests__carried_forward__total"),
        col("requests__new__total") + col("requests__carried_over__total").fillna(0))
    review = {c: col(f"appeals__review__{c}") for c in ("upheld", "corrected", "other", "total")}
    suits = {c: col(f"appeals__suit_direct__{c}") + col(f"appeals__suit_after_review__{c}")
             for c in ("upheld", "corrected", "other", "total")}
    out["review_cases"] = review["total"]
    out["suit_cases"] = suits["total"]
    out["review_correction_rate"] = ratio(
        review["corrected"], review["upheld"] + review["corrected"] + review["other"])
    out["suit_correction_rate"] = ratio(
        suits["corrected"], suits["upheld"] + suits["corrected"] + suits["other"])
    out["reconsideration_first_share"] = ratio(col("appeals__suit_after_review__total"),
                                               suits["total"])
    out["licensing_decisions"] = col("proactive__licensing__decisions")
    out["penalty_decisions"] = col("proactive__penalties__decisions")
    out["compulsory_decisions"] = col("proactive__compulsory__decisions")
    out["rules_issued"] = col("proactive__rules__issued").fillna(col("proactive__rules__new_made"))
    out["normative_docs_issued"] = col("proactive__normative_docs__issued").fillna(
        col("proactive__normative_docs__new_made"))
    out["normative_docs_in_force_2021"] = col("proactive__normative_docs__in_force")
    out["fees_wan_2021"] = col("proactive__fees__amount_wan")
    out["procurement_wan_2019"] = col("proactive__procurement__amount_wan")
    return out
