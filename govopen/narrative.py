"""The prose of the reports: section lengths and boilerplate, by character n-grams.

Chinese is written without spaces, and a word segmenter would bring a dictionary,
a model and its errors into the measurement. Text reuse does not need words:
two reports share a passage when they share its runs of characters. Everything
here works on *character n-grams* of a normalised text (:func:`normalize`: NFKC,
letters and digits only, every digit read as ``0`` so that years and counts do
not hide identical wording).

* :func:`jaccard_matrix` — pairwise similarity of whole texts (short n-grams,
  "shingles"): |A ∩ B| / |A ∪ B| of their n-gram sets.
* :func:`shared_share` — for each text, the share of its characters that lie in
  an n-gram also printed by *another* report (of another agency, if ``groups``
  are given): boilerplate copied from a template, a superior's model report or a
  neighbour. Long n-grams (``n`` ≥ 10) are needed here so that fixed terms of the
  field (政府信息公开工作, 8 characters) do not count as copying on their own.
* :func:`shared_spans` — the passages themselves: maximal runs of such
  characters and how many reports (groups) print them.

Example:
    >>> a = "我区认真贯彻落实新修订的条例，2019年共公开信息25条。"
    >>> b = "我镇认真贯彻落实新修订的条例，2020年共公开信息7条。"
    >>> normalize(a)[:12]
    '我区认真贯彻落实新修订的'
    >>> shared_share([a, b], n=6).round(2).tolist()
    [0.85, 0.88]
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np
import pandas as pd

#: Sections written as prose (一 总体情况, 五 问题及改进, 六 其他); 二–四 are tables.
PROSE_SECTIONS = (1, 5, 6)
#: The six sections of the template: number -> (English, Chinese) short name.
SECTION_LABELS = {
    1: ("General situation", "总体情况"),
    2: ("Proactive disclosure", "主动公开"),
    3: ("Requests", "依申请公开"),
    4: ("Appeals", "复议诉讼"),
    5: ("Problems and improvements", "问题及改进"),
    6: ("Other matters", "其他事项"),
}


def normalize(text: str | None) -> str:
    """NFKC; keep letters and digits only; every digit becomes ``0``.

    Example:
        >>> normalize("2021年，共受理 15 件（含网上）。")
        '0000年共受理00件含网上'
    """
    if not text or not isinstance(text, str):
        return ""
    out = []
    for ch in unicodedata.normalize("NFKC", text):
        cat = unicodedata.category(ch)
        if cat == "Nd":
            out.append("0")
        elif cat[0] in "LN":
            out.append(ch)
    return "".join(out)


def ngrams(text: str, n: int) -> list[str]:
    """The character n-grams of ``text`` in order (empty when it is shorter than ``n``).

    Example:
        >>> ngrams("政府信息", 2)
        ['政府', '府信', '信息']
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    return [text[i:i + n] for i in range(len(text) - n + 1)]


def ngram_matrix(texts: Sequence[str], n: int = 4):
    """Binary document × n-gram matrix (``scipy.sparse.csr_matrix``) of normalised texts."""
    from scipy import sparse

    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for i, text in enumerate(texts):
        ids = {vocab.setdefault(g, len(vocab)) for g in ngrams(normalize(text), n)}
        rows.extend([i] * len(ids))
        cols.extend(ids)
    data = np.ones(len(rows), dtype=np.float64)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(texts), max(len(vocab), 1)))


def jaccard_matrix(texts: Sequence[str], n: int = 4) -> np.ndarray:
    """Pairwise Jaccard similarity of the texts' n-gram sets (NaN for an empty text).

    Dense ``len(texts)²``: fine for thousands of reports, not for millions.

    Example:
        >>> jaccard_matrix(["政府信息公开", "政府信息公示", ""], n=2).round(2)
        array([[1.  , 0.67,  nan],
               [0.67, 1.  ,  nan],
               [ nan,  nan,  nan]])
    """
    x = ngram_matrix(texts, n)
    inter = (x @ x.T).toarray()
    size = np.asarray(x.sum(axis=1)).ravel()
    union = size[:, None] + size[None, :] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        out = inter / union
    out[(size[:, None] == 0) | (size[None, :] == 0)] = np.nan
    return out


def _coverage(texts: list[str], n: int, groups: Sequence | None, min_others: int):
    """Normalised texts and, per text, a boolean mask of characters in shared n-grams."""
    norm = [normalize(t) for t in texts]
    groups = list(range(len(norm))) if groups is None else list(groups)
    if len(groups) != len(norm):
        raise ValueError("groups must have one entry per text")
    owners: dict[str, set] = defaultdict(set)
    for text, group in zip(norm, groups, strict=True):
        for gram in set(ngrams(text, n)):
            owners[gram].add(group)
    masks = []
    for text, group in zip(norm, groups, strict=True):
        mask = np.zeros(len(text), dtype=bool)
        for i, gram in enumerate(ngrams(text, n)):
            holders = owners[gram]
            if len(holders) - (group in holders) >= min_others:
                mask[i:i + n] = True
        masks.append(mask)
    return norm, groups, masks


def shared_share(texts: Sequence[str | None], n: int = 12, groups: Sequence | None = None,
                 min_others: int = 1) -> np.ndarray:
    """Per text: share of its characters inside an n-gram that other texts print too.

    ``groups`` (e.g. agency names) says which texts count as "the same author":
    n-grams shared only within a group do not count, so an agency reusing its own
    report of last year is not boilerplate *shared with others*; without
    ``groups`` every other text counts. ``min_others`` is how many other groups
    must print the n-gram. NaN for texts shorter than ``n``.

    Example:
        >>> shared_share(["甲乙丙丁戊己", "甲乙丙丁庚辛", "壬癸"], n=4).tolist()
        [0.6666666666666666, 0.6666666666666666, nan]
        >>> shared_share(["甲乙丙丁戊己", "甲乙丙丁庚辛"], n=4, groups=["a", "a"]).tolist()
        [0.0, 0.0]
    """
    norm, _, masks = _coverage([t or "" for t in texts], n, groups, min_others)
    return np.array([m.mean() if len(t) >= n else np.nan
                     for t, m in zip(norm, masks, strict=True)])


def shared_spans(texts: Sequence[str | None], n: int = 12, groups: Sequence | None = None,
                 min_others: int = 1) -> pd.DataFrame:
    """The shared passages: maximal runs of characters covered by shared n-grams.

    One row per distinct passage (normalised text, digits as ``0``) with
    ``length``, ``texts`` (how many texts print it as a maximal run) and
    ``groups`` (how many distinct groups), most widespread and longest first.

    Example:
        >>> spans = shared_spans(["前言甲乙丙丁戊己", "后记甲乙丙丁戊己", "其他"], n=4)
        >>> spans[["passage", "length", "texts"]].to_dict("records")
        [{'passage': '甲乙丙丁戊己', 'length': 6, 'texts': 2}]
    """
    norm, groups, masks = _coverage([t or "" for t in texts], n, groups, min_others)
    seen: dict[str, set] = defaultdict(set)
    count: Counter = Counter()
    for text, group, mask in zip(norm, groups, masks, strict=True):
        i = 0
        while i < len(text):
            if not mask[i]:
                i += 1
                continue
            j = i
            while j < len(text) and mask[j]:
                j += 1
            passage = text[i:j]
            count[passage] += 1
            seen[passage].add(group)
            i = j
    frame = pd.DataFrame({"passage": list(count), "length": [len(p) for p in count],
                          "texts": list(count.values()),
                          "groups": [len(seen[p]) for p in count]},
                         columns=["passage", "length", "texts", "groups"])
    frame = frame.sort_values(["groups", "length", "passage"], ascending=[False, False, True])
    return frame.reset_index(drop=True)


def section_lengths(sections: pd.DataFrame, normalized: bool = True) -> pd.DataFrame:
    """Characters per report and section (columns 1–6, NaN when a section is absent).

    With ``normalized`` only letters and digits count (see :func:`normalize`), so
    layout, spaces and punctuation do not change a report's length. Sections a
    report adds beyond the six of the template are left out.

    Example:
        >>> s = pd.DataFrame({"report_id": ["a", "a"], "section": [1, 5],
        ...                   "text": ["一、总体情况。", "存在问题"]})
        >>> section_lengths(s).loc["a", [1, 5, 6]].tolist()
        [5.0, 4.0, nan]
    """
    frame = sections.dropna(subset=["section"]).copy()
    frame["section"] = frame["section"].astype(int)
    count = (lambda t: len(normalize(t))) if normalized else (lambda t: len(t or ""))
    frame["chars"] = frame["text"].map(count)
    out = frame.pivot_table(index="report_id", columns="section", values="chars",
                            aggfunc="sum")
    out = out.reindex(columns=range(1, 7)).astype(float)
    out.columns.name = "section"
    return out


def prose(sections: pd.DataFrame, which: Sequence[int] = PROSE_SECTIONS) -> pd.Series:
    """Each report's prose: the text of sections ``which`` joined, by report_id.

    Example:
        >>> s = pd.DataFrame({"report_id": ["a", "a", "a"], "section": [1, 3, 5],
        ...                   "text": ["总体", "表格", "问题"]})
        >>> prose(s).to_dict()
        {'a': '总体\\n问题'}
    """
    keep = sections[sections["section"].isin(list(which))].sort_values(
        ["report_id", "section"])
    return keep.groupby("report_id", sort=True)["text"].agg(
        lambda parts: "\n".join(p for p in parts if isinstance(p, str)))
