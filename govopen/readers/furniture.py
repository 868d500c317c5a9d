r"""Page furniture in text dumps of PDFs: page numbers, running headers and footers.

A converter that flattens a PDF into text keeps what is printed on every page
besides the report: the page number (``- 4 -``, ``— 4 —``, ``第 3 页 共 5 页``,
``3/5``, a bare ``4``) and running headers or footers. Inside a table they would
read as values or glue onto one (pypdfium2 writes ``…0 3- 4 -`` where a page ends
on a table row), so the text reader drops them before anything else sees them.

Rules (by form, never by file):

* a line that is nothing but a page mark is furniture; so is a page mark glued
  to the end of a line (``3- 4 -``) when no space separates it from the text
  before it, since a row of cells always separates its cells;
* a bare number on a line of its own is furniture only where a page ends or
  begins (a form feed, as pdftotext and pypdfium2 write between pages) and it
  agrees with the page count (the page's own number, or numbers that run
  from another start on at least :data:`_RUN` pages: a numbered cover left
  out, an excerpt; two cells that end two pages agree that way by chance), or
  where it stands alone between two pieces of a markdown pipe table, which
  keeps every value inside its pipes;
* a line repeated at two or more page edges is a running header or footer
  (dropped after the first page, where it is usually the title).

Example:
    >>> lines = ["规章 0 0 3", "- 2 -", "\f行政许可 5", "第 3 页 共 3 页"]
    >>> sorted(furniture(lines))
    [1, 3]
    >>> strip_glued("0 0 0 0 0 0 3- 4 -")
    '0 0 0 0 0 0 3'
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

_DASH = "-—–－~"
_MARK = re.compile(
    rf"^(?:[{_DASH}]+\d{{1,4}}[{_DASH}]+"
    r"|第\d{1,4}页(?:[,，/]?共\d{1,4}页)?|共\d{1,4}页[,，]?第\d{1,4}页"
    r"|\d{1,4}/\d{1,4}|(?:page|p\.)\d{1,4}(?:of\d{1,4})?)$", re.IGNORECASE)
_GLUED = re.compile(
    rf"(?<=\S)(?P<mark>[{_DASH}] ?\d{{1,4}} ?[{_DASH}]|第 ?\d{{1,4}} ?页(?: ?共 ?\d{{1,4}} ?页)?)\s*$")
_BARE = re.compile(r"^\d{1,4}$")


def compact(line: str) -> str:
    """The line without spaces, pipes and form feeds, NFKC-normalised."""
    return re.sub(r"[\s|]+", "", unicodedata.normalize("NFKC", line))


def is_page_mark(line: str) -> bool:
    """Whether ``line`` is only a page number (bare numbers excepted)."""
    return bool(_MARK.match(compact(line)))


def strip_glued(line: str) -> str:
    """``line`` without a page mark glued to its end (``…3- 4 -`` → ``…3``)."""
    m = _GLUED.search(line)
    if m and not is_page_mark(line):
        return line[:m.start()]
    return line


def furniture(lines: list[str], pages: list[int] | None = None,
              markdown: bool = False) -> set[int]:
    """Indexes of the lines that are page furniture (see the module rules).

    ``pages`` gives each line's page (1-based); by default a line starting with
    a form feed starts a new page.
    """
    pages = pages if pages is not None else _pages(lines)
    drop = {i for i, ln in enumerate(lines) if is_page_mark(ln)}
    drop |= _bare_page_numbers(lines, pages, drop)
    if markdown:
        drop |= _bare_between_pipes(lines)
    drop |= _running_lines(lines, pages, drop)
    return drop


def _pages(lines: list[str]) -> list[int]:
    page, out = 1, []
    for ln in lines:
        page += ln.count("\f")
        out.append(page)
    return out


def _edges(lines: list[str], pages: list[int]) -> list[tuple[int, int]]:
    """(line index, page) of the first and last non-empty lines of every page."""
    if not pages or pages[-1] == pages[0]:
        return []
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for i, ln in enumerate(lines):
        if ln.strip("\f").strip():
            first.setdefault(pages[i], i)
            last[pages[i]] = i
    return sorted({(i, p) for p, i in first.items()} | {(i, p) for p, i in last.items()})


def _bare_page_numbers(lines: list[str], pages: list[int], known: set[int]) -> set[int]:
    edges = [(i, p) for i, p in _edges(lines, pages) if i not in known]
    cands = [(i, p, int(compact(lines[i])) - p) for i, p in edges
             if _BARE.match(compact(lines[i]))]
    offsets = Counter(off for _, _, off in cands)
    return {i for i, _, off in cands if off == 0 or offsets[off] >= _RUN}


# Pages whose edge numbers run from one start but 1 before they are taken for page numbers.
_RUN = 3


def _bare_between_pipes(lines: list[str]) -> set[int]:
    out = set()
    for i, ln in enumerate(lines):
        if "|" in ln or not _BARE.match(compact(ln)):
            continue
        above = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        below = next((lines[j] for j in range(i + 1, len(lines)) if lines[j].strip()), "")
        if above.strip().startswith("|") and (below.strip().startswith(("|", "#")) or not below):
            out.add(i)
    return out


def _running_lines(lines: list[str], pages: list[int], known: set[int]) -> set[int]:
    """Lines repeated next to page breaks or page marks: running headers/footers."""
    breaks = {i for i, p in enumerate(pages) if i and p != pages[i - 1]} | set(known)
    if not breaks:
        return set()
    near: dict[str, list[int]] = {}
    for i, ln in enumerate(lines):
        key = compact(ln)
        if i in known or len(re.findall(r"[\u4e00-\u9fff]", key)) < 4 or re.search(r"\d\D+\d", key):
            continue
        if any(abs(i - b) <= 2 for b in breaks):
            near.setdefault(key, []).append(i)
    out = set()
    for idx in near.values():
        if len(idx) >= 2:
            out.update(idx[1:] if pages[idx[0]] == 1 else idx)
    return out
