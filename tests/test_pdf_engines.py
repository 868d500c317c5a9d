"""The PDFium and pdfplumber engines give the same reports.

Every PDF fixture and every committed round-trip PDF (LibreOffice renderings of
random reports, see tests/render.py) is parsed with both engines, and the cells
must agree: value, raw text, status, page, and bounding box within 1 pt; the
issues and the document text too. Pages PDFium reads differently from
pdfminer — form XObjects and rotated pages — are made here from the fixtures
with pypdfium2 (every page placed, as a form XObject, on a page with
``/Rotate`` 0, 90, 180 or 270 and drawn counter-rotated, so that it displays as
the original): both engines must read them as the original.
"""

from __future__ import annotations

import hashlib
import math
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import govopen
from govopen.errors import ReportError
from govopen.readers.pdf import pdf_engine, read_pdf

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HONGZE = FIXTURES / "corpus" / "jiangsu" / "jiangsu_huaian_hongze_2023.pdf"


def _distinct(paths: list[Path]) -> list[Path]:
    """One path per file content (several fixture folders hold the same PDF)."""
    seen: dict[bytes, Path] = {}
    for path in paths:
        seen.setdefault(hashlib.sha256(path.read_bytes()).digest(), path)
    return sorted(seen.values())


# every PDF fixture once (the Hongze PDF among them)
PDFS = _distinct([p for p in FIXTURES.glob("**/*.pdf") if p.name != "encrypted.pdf"])


def same_report(a: govopen.Report, b: govopen.Report) -> None:
    """Cells (value, raw, status, page, bbox within 1 pt), issues and text agree."""
    ca, cb = a.cells, b.cells
    assert len(ca) == len(cb) and len(ca) > 0
    for col in ("table", "row", "col", "raw", "status", "unit", "format", "source_table",
                "source_row", "source_col"):
        assert ca[col].astype(str).tolist() == cb[col].astype(str).tolist(), col
    for x, y in zip(ca["value"], cb["value"], strict=True):
        assert (math.isnan(x) and math.isnan(y)) or x == y
    assert ca["page"].tolist() == cb["page"].tolist()
    for x, y in zip(ca["bbox"], cb["bbox"], strict=True):
        assert isinstance(x, str) == isinstance(y, str)
        if isinstance(x, str):
            diff = max(abs(float(p) - float(q)) for p, q in zip(x.split(","), y.split(","),
                                                                strict=True))
            assert diff <= 1.0, (x, y)
    cols = ["rule", "table", "row", "col", "severity", "message"]
    assert a.issues[cols].values.tolist() == b.issues[cols].values.tolist()
    assert a.document.text == b.document.text


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_engines_give_the_same_cells(path: Path) -> None:
    # The text layer is compared: OCR of scanned pages renders with PDFium for both.
    ours = govopen.read_report(path, pdf_engine="pdfium", ocr=False)
    reference = govopen.read_report(path, pdf_engine="pdfplumber", ocr=False)
    if ours.cells.empty:  # scans: no cells, the same needs_ocr note
        assert reference.cells.empty
        assert ours.issues.values.tolist() == reference.issues.values.tolist()
        assert any(ours.issues["rule"] == "needs_ocr")
        return
    same_report(ours, reference)


def test_round_trips_are_all_compared() -> None:
    assert len([p for p in PDFS if p.parent.name == "roundtrip"]) >= 50


def test_values_hold_on_pdfium() -> None:
    """Hand-read values of the merged-cell fixture (see test_readers_pdf.py)."""
    r = govopen.read_report(FIXTURES / "pdf" / "report_merged.pdf", pdf_engine="pdfium")
    assert r.value("requests", "new", "natural_person") == 12.0
    assert r.value("requests", "new", "total") == 18.0
    assert r.value("requests", "withheld_law", "total") == 2.0
    # The last row, after the page break (the fixture's table is a partial one).
    last = r.cells.query("row == 'carried_forward' and col == 'total'")
    assert last["value"].iloc[0] == 5.0 and last["page"].iloc[0] == 2


# --------------------------------------------------------------------------- transformed pages


def transformed(src: Path, dst: Path, rotation: int) -> Path:
    """``src`` with each page drawn as a form XObject on a page with ``/Rotate
    rotation``, counter-rotated so that it displays as the original page."""
    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(src)
    out = pdfium.PdfDocument.new()
    for i in range(len(source)):
        w, h = source[i].get_size()
        xobject = source.page_as_xobject(i, out)
        obj = xobject.as_pageobject()
        # user space = the original page rotated back by `rotation`
        a, b, c, d, e, f = {0: (1, 0, 0, 1, 0, 0), 90: (0, 1, -1, 0, h, 0),
                            180: (-1, 0, 0, -1, w, h), 270: (0, -1, 1, 0, 0, w)}[rotation]
        obj.set_matrix(pdfium.PdfMatrix(a, b, c, d, e, f))
        page = out.new_page(*((w, h) if rotation in (0, 180) else (h, w)))
        page.insert_obj(obj)
        page.gen_content()
        page.set_rotation(rotation)
    out.save(dst)
    return dst


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
@pytest.mark.parametrize("name", ["pdf/report_merged.pdf", "roundtrip/rt_000.pdf", "hongze"])
def test_form_xobjects_and_rotated_pages(tmp_path: Path, name: str, rotation: int) -> None:
    src = HONGZE if name == "hongze" else FIXTURES / name
    if not src.exists():
        pytest.skip(f"{src} is not present")
    path = transformed(src, tmp_path / f"t{rotation}.pdf", rotation)
    original = govopen.read_report(src, pdf_engine="pdfplumber")
    for engine in ("pdfium", "pdfplumber"):
        report = govopen.read_report(path, pdf_engine=engine)
        # The same text, cells and boxes as the untransformed page.
        assert report.document.text == original.document.text, engine
        assert report.cells["value"].fillna(-1).tolist() == \
            original.cells["value"].fillna(-1).tolist()
        assert report.cells["page"].tolist() == original.cells["page"].tolist()
        same_cells = report.cells["bbox"].fillna("").tolist()
        for x, y in zip(same_cells, original.cells["bbox"].fillna("").tolist(), strict=True):
            if x and y:
                assert max(abs(float(p) - float(q))
                           for p, q in zip(x.split(","), y.split(","), strict=True)) <= 1.0


# --------------------------------------------------------------------------- engine choice


def test_engine_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOVOPEN_PDF_ENGINE", raising=False)
    assert pdf_engine() == "pdfium"
    monkeypatch.setenv("GOVOPEN_PDF_ENGINE", "pdfplumber")
    assert pdf_engine() == "pdfplumber"
    assert pdf_engine("pdfium") == "pdfium"
    with pytest.raises(ValueError, match="unknown PDF engine"):
        pdf_engine("poppler")


def test_a_page_pdfium_cannot_load_is_read_by_pdfplumber(monkeypatch: pytest.MonkeyPatch) -> None:
    from govopen.readers import pdfium as engine

    path = FIXTURES / "pdf" / "report_merged.pdf"
    expected = read_pdf(path, engine="pdfplumber")
    real_page = engine.PdfiumPdf._page
    monkeypatch.setattr(engine.PdfiumPdf, "_page",
                        lambda self, index: None if index == 1 else real_page(self, index))
    doc = read_pdf(path, engine="pdfium")
    assert doc.text == expected.text
    assert [s.page for s in doc.spans] == [s.page for s in expected.spans]


def test_a_file_pdfium_cannot_open_goes_to_pdfplumber(monkeypatch: pytest.MonkeyPatch) -> None:
    from govopen.readers import pdfium as engine

    monkeypatch.setattr(engine, "open_pdfium", lambda source: None)
    path = FIXTURES / "pdf" / "borderless.pdf"
    assert read_pdf(path, engine="pdfium").text == read_pdf(path, engine="pdfplumber").text


def test_encrypted_on_both_engines() -> None:
    for engine in ("pdfium", "pdfplumber"):
        with pytest.raises(ReportError, match="encrypted"):
            read_pdf(FIXTURES / "pdf" / "encrypted.pdf", engine=engine)


def test_threads_take_turns() -> None:
    """PDFium is not thread-safe; readers in threads (Dask) must still agree."""
    paths = [FIXTURES / "roundtrip" / f"rt_00{i}.pdf" for i in range(4)]
    expected = [read_pdf(p).text for p in paths]
    got: dict[int, str] = {}

    def work(i: int) -> None:
        got[i] = read_pdf(paths[i], timeout=None).text

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(paths))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [got[i] for i in range(len(paths))] == expected


# --------------------------------------------------------------------------- the cell finder


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("hv"), st.integers(0, 6), st.integers(0, 6),
                          st.integers(1, 6)), min_size=2, max_size=18))
def test_cell_search_is_pdfplumbers(rules: list[tuple[str, int, int, int]]) -> None:
    """``_intersections_to_cells`` returns exactly pdfplumber's cells, in order."""
    from pdfplumber.table import edges_to_intersections, intersections_to_cells

    from govopen.readers.pdf import _intersections_to_cells

    edges = []
    for kind, at, start, length in rules:
        lo, hi = start * 10.0, (start + length) * 10.0
        if kind == "h":
            edges.append({"orientation": "h", "x0": lo, "x1": hi, "top": at * 10.0,
                          "bottom": at * 10.0, "width": hi - lo, "height": 0})
        else:
            edges.append({"orientation": "v", "x0": at * 10.0, "x1": at * 10.0, "top": lo,
                          "bottom": hi, "width": 0, "height": hi - lo})
    intersections = edges_to_intersections(edges, 3, 3)
    assert _intersections_to_cells(intersections) == intersections_to_cells(intersections)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("hv"), st.integers(0, 6), st.integers(0, 6),
                          st.integers(1, 6), st.sampled_from([-3.0, -1.5, 0.0, 0.7, 3.0, 3.2])),
                min_size=2, max_size=24))
def test_table_grouping_is_pdfplumbers(rules: list[tuple[str, int, int, int, float]]) -> None:
    """Rules' crossings and the tables their cells make are exactly pdfplumber's,
    in order, with rules off the grid by less and by more than the tolerance."""
    from pdfplumber.table import cells_to_tables, edges_to_intersections

    from govopen.readers.pdf import (
        _cells_to_tables,
        _edges_to_intersections,
        _intersections_to_cells,
    )

    edges = []
    for kind, at, start, length, off in rules:
        lo, hi, pos = start * 10.0 + off, (start + length) * 10.0, at * 10.0 + off
        if kind == "h":
            edges.append({"orientation": "h", "x0": lo, "x1": hi, "top": pos,
                          "bottom": pos, "width": hi - lo, "height": 0})
        else:
            edges.append({"orientation": "v", "x0": pos, "x1": pos, "top": lo,
                          "bottom": hi, "width": 0, "height": hi - lo})
    ours = _edges_to_intersections(edges, 3, 3)
    theirs = edges_to_intersections(edges, 3, 3)
    assert list(ours.items()) == list(theirs.items())
    cells = _intersections_to_cells(theirs)
    assert _cells_to_tables(cells) == cells_to_tables(cells)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(1, 2),
                          st.integers(1, 2)), min_size=1, max_size=20))
def test_cells_group_into_pdfplumbers_tables(boxes: list[tuple[int, int, int, int]]) -> None:
    """Any distinct cells (as the cell search gives them: one per top-left
    point), in any order, make exactly pdfplumber's tables."""
    from pdfplumber.table import cells_to_tables

    from govopen.readers.pdf import _cells_to_tables

    cells = list(dict.fromkeys((x * 10.0, y * 10.0, (x + w) * 10.0, (y + h) * 10.0)
                               for x, y, w, h in boxes))
    assert _cells_to_tables(cells) == cells_to_tables(cells)


def test_a_pdfium_failure_mid_file_goes_to_pdfplumber(monkeypatch: pytest.MonkeyPatch) -> None:
    from govopen.readers import pdfium as engine

    def broken(self: object) -> object:
        raise RuntimeError("PDFium failed")
        yield  # pragma: no cover

    monkeypatch.setattr(engine.PdfiumPdf, "pages", broken)
    path = FIXTURES / "pdf" / "borderless.pdf"
    assert read_pdf(path, engine="pdfium").text == read_pdf(path, engine="pdfplumber").text
