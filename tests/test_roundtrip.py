"""Round trips through the official table structure: values → file → values.

Random values (both formats, blank cells, counts up to eight digits, money in
万元 with decimals, negative 本年增/减; see ``render.random_values``) are drawn
into the State Council template with its merged cells as a Word file, a web
page, a PDF, and the text layouts of ``render.render``, parsed back, and must
come out exactly: every value, every blank as NaN with status ``blank``, the
format and the year, and no issue other than the identity checks (the random
tables do not balance, so ``balance``/``outcomes`` failures are expected).

Hypothesis runs with ``derandomize=True``: the same examples every run. The PDFs
are made once by tests/fixtures/make_roundtrip_fixtures.py and committed (their
expected values in expected.json); one fresh PDF is made here when LibreOffice
is installed.
"""

from __future__ import annotations

import json
import math
import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from render import (
    APPEAL_COLS,
    APPEAL_ROWS,
    REQUEST_COLS,
    docx_to_pdf,
    pdf_renderer_missing,
    random_values,
    render,
    render_docx,
    render_html,
    render_pdf,
    values_from_list,
)

import govopen
from govopen.templates import template

ROUNDTRIP = Path(__file__).resolve().parent / "fixtures" / "roundtrip"
NO_PDF_RENDERER = pdf_renderer_missing()
EXPECTED = json.loads((ROUNDTRIP / "expected.json").read_text(encoding="utf-8"))
# Issues a clean round trip may raise: the identities of the random tables.
IDENTITY_RULES = {"row_total", "balance", "outcomes", "appeals_total"}
FRESH_PDF_SEED = 7

ROUND_TRIP = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                      suppress_health_check=[HealthCheck.too_slow])


@st.composite
def official_reports(draw, blanks: bool = True):
    return random_values(lambda lo, hi: draw(st.integers(lo, hi)), blanks=blanks)


@st.composite
def single_digit_reports(draw):
    """Values a flattened page can carry without ambiguity: every printed number
    (totals included) is one digit, so a row's digits are exactly its cells."""
    fmt = draw(st.sampled_from(["2019", "2021"]))
    year = draw(st.integers(2019, 2020)) if fmt == "2019" else draw(st.integers(2021, 2025))
    values = {}
    tmpl = template("proactive", fmt)
    for row in tmpl.rows:
        for col in row.cols:
            low = -9 if tmpl.col(col).kind == "signed" else 0
            values[("proactive", row.code, col)] = float(draw(st.integers(low, 9)))

    def parts_and_total(n: int) -> list[float]:
        parts, budget = [], 9
        for _ in range(n):
            parts.append(draw(st.integers(0, budget)))
            budget -= parts[-1]
        return [float(v) for v in [*parts, sum(parts)]]

    for row in template("requests", fmt).rows:
        values.update({("requests", row.code, c): v
                       for c, v in zip(REQUEST_COLS, parts_and_total(6), strict=True)})
    for row in APPEAL_ROWS:
        values.update({("appeals", row, c): v
                       for c, v in zip(APPEAL_COLS, parts_and_total(4), strict=True)})
    return fmt, year, values


def assert_round_trip(report: govopen.Report, fmt: str, year: int, values: dict) -> None:
    cells = {(c.table, c.row, c.col): c for c in report.cells.itertuples()}
    assert set(cells) == set(values), sorted(set(cells) ^ set(values))
    for key, expected in values.items():
        cell = cells[key]
        if expected is None:
            assert math.isnan(cell.value) and cell.status == "blank" and cell.raw == "", (
                key, cell.value, cell.status, cell.raw)
        else:
            assert cell.status == "ok", (key, expected, cell.status, cell.raw)
            assert math.isclose(cell.value, expected, rel_tol=1e-12, abs_tol=1e-9), (
                key, expected, cell.value, cell.raw)
    assert report.meta["format"] == fmt and report.meta["year"] == year
    other = report.issues[~report.issues.rule.isin(IDENTITY_RULES)]
    assert other.empty, other[["rule", "row", "col", "message"]].to_string()


@pytest.fixture(scope="module")
def workdir():
    with tempfile.TemporaryDirectory(prefix="govopen-roundtrip-") as tmp:
        yield Path(tmp)


# --- Word, HTML, text layouts ---------------------------------------------------

@pytest.mark.slow
@ROUND_TRIP
@given(case=official_reports())
def test_docx_round_trip(workdir: Path, case) -> None:
    fmt, year, values = case
    path = render_docx(values, fmt, year, workdir / "report.docx")
    assert_round_trip(govopen.read_report(path), fmt, year, values)


@pytest.mark.slow
@ROUND_TRIP
@given(case=official_reports())
def test_html_round_trip(workdir: Path, case) -> None:
    fmt, year, values = case
    path = workdir / "report.html"
    path.write_text(render_html(values, fmt, year), encoding="utf-8")
    assert_round_trip(govopen.read_report(path), fmt, year, values)


# Blank cells cannot be shown in these layouts: separators are only spaces or
# line breaks (and in "tab", the row padding makes a run of empty cells ambiguous).
@pytest.mark.parametrize("layout", ["space", "tab", "lines"])
@pytest.mark.slow
@ROUND_TRIP
@given(case=official_reports(blanks=False))
def test_text_layout_round_trip(layout: str, case) -> None:
    fmt, year, values = case
    assert_round_trip(govopen.read_text(render(values, fmt, year, layout)), fmt, year, values)


@pytest.mark.slow
@ROUND_TRIP
@given(case=single_digit_reports())
def test_flat_layout_round_trip(case) -> None:
    fmt, year, values = case
    assert_round_trip(govopen.read_text(render(values, fmt, year, "flat")), fmt, year, values)


# --- PDF --------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED["reports"]))
def test_committed_pdf_round_trip(name: str) -> None:
    case = EXPECTED["reports"][name]
    values = values_from_list(case["values"], case["format"])
    report = govopen.read_report(ROUNDTRIP / name)
    assert report.meta["file_type"] == "pdf"
    assert_round_trip(report, case["format"], case["year"], values)


def test_committed_pdfs_are_all_listed() -> None:
    pdfs = sorted(p.name for p in ROUNDTRIP.glob("*.pdf"))
    assert pdfs == sorted(EXPECTED["reports"]) and len(pdfs) >= 50


@pytest.mark.slow
@pytest.mark.skipif(NO_PDF_RENDERER is not None, reason=str(NO_PDF_RENDERER))
def test_fresh_pdf_round_trip(workdir: Path) -> None:
    fmt, year, values = random_values(random.Random(FRESH_PDF_SEED).randint)
    path = render_pdf(values, fmt, year, workdir / "fresh.pdf")
    assert_round_trip(govopen.read_report(path), fmt, year, values)


# --- known parser bugs --------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.skipif(NO_PDF_RENDERER is not None,
                    reason=f"{NO_PDF_RENDERER}; the 50 committed PDFs are still checked")
def test_200_fresh_pdfs_round_trip(tmp_path: Path) -> None:
    """200 random reports → DOCX → PDF in one LibreOffice batch → parsed back (seeded)."""
    rng = random.Random(20241123)
    sources, cases = [], {}
    for i in range(200):
        fmt, year, values = random_values(rng.randint)
        sources.append(render_docx(values, fmt, year, tmp_path / f"r{i:03d}.docx"))
        cases[f"r{i:03d}.pdf"] = (fmt, year, values)
    docx_to_pdf(sources, tmp_path, timeout=900)
    for name, (fmt, year, values) in cases.items():
        assert_round_trip(govopen.read_report(tmp_path / name), fmt, year, values)


def _sparse_appeals(printed: dict[tuple[str, str], float]) -> tuple[str, int, dict]:
    fmt, year, values = random_values(random.Random(1).randint, blanks=False)
    for row in APPEAL_ROWS:
        for col in APPEAL_COLS:
            values[("appeals", row, col)] = printed.get((row, col))
    return fmt, year, values


def test_appeals_row_with_one_number(workdir: Path) -> None:
    fmt, year, values = _sparse_appeals({("review", "total"): 1.0})
    path = workdir / "one.html"
    path.write_text(render_html(values, fmt, year), encoding="utf-8")
    assert_round_trip(govopen.read_report(path), fmt, year, values)


def test_appeals_row_all_blank(workdir: Path) -> None:
    fmt, year, values = _sparse_appeals({})
    path = workdir / "blank.html"
    path.write_text(render_html(values, fmt, year), encoding="utf-8")
    assert_round_trip(govopen.read_report(path), fmt, year, values)


# --- the PDF reader's own dedupe (a speedup, see benchmarks/) --------------------------

def test_pdf_dedupe_matches_pdfplumber() -> None:
    """``_dedupe_chars`` keeps exactly the characters pdfplumber's ``dedupe_chars``
    keeps, in the same order, on real pages and on pages with faked bold (glyphs
    drawn twice, up to 1.5 pt apart)."""
    import pdfplumber
    from pdfplumber.utils import dedupe_chars

    from govopen.readers.pdf import _dedupe_chars

    rng = random.Random(0)
    with pdfplumber.open(ROUNDTRIP / sorted(EXPECTED["reports"])[0]) as pdf:
        for page in pdf.pages:
            chars = list(page.chars)
            doubled = []
            for ch in chars:
                doubled.append(ch)
                if rng.random() < 0.4:
                    twin = dict(ch)
                    dx, dy = rng.choice([0.0, 0.5, 1.0, rng.uniform(-1.5, 1.5)]), rng.uniform(-1.5, 1.5)
                    twin.update(x0=ch["x0"] + dx, x1=ch["x1"] + dx, top=ch["top"] + dy,
                                bottom=ch["bottom"] + dy, doctop=ch["doctop"] + dy)
                    doubled.insert(rng.randrange(len(doubled) + 1), twin)
            for case in (chars, doubled):
                ours, theirs = _dedupe_chars(case), dedupe_chars(case)
                assert len(ours) == len(theirs)
                assert all(a is b for a, b in zip(ours, theirs, strict=True))
            assert len(dedupe_chars(doubled)) < len(doubled)
