"""Scans of a real report, read by OCR, against the values read off it by hand.

``jiangsu_huaian_hongze_2023.pdf`` (the test corpus's copy) is rasterised
into the variants of :mod:`scans` (300 dpi clean; 150 dpi JPEG with noise, blur
and a 1° rotation; a page turned by 90°; a red seal over the numbers; a page
whose table rules are painted out; a page where one row's label is painted out).
Every
cell printed on a scanned page is compared with
``tests/fixtures/expected/jiangsu_huaian_hongze_2023.csv``: at least 99% must be
right, and none may be wrong without a flag (a NaN ``unreadable``/``ambiguous``
cell is flagged; a wrong number, or a blank where a number is printed, is not).

OCR is slow (tens of seconds a page on a shared 2-core machine): each variant
is made and read once per session, and only the pages that need it are scanned.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path

import numpy as np
import pytest
import scans
from conftest import EXPECTED

import govopen

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HONGZE = FIXTURES / "corpus" / "jiangsu" / "jiangsu_huaian_hongze_2023.pdf"
STEM = "jiangsu_huaian_hongze_2023"
FLAGGED = {"unreadable", "ambiguous"}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(scans.missing_tools()),
                       reason=f"needs {', '.join(scans.missing_tools())} to make the scans"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]


@pytest.fixture(scope="session")
def variants(tmp_path_factory):
    pytest.importorskip("rapidocr_onnxruntime")
    os.nice(5)  # OCR is the slowest thing in the suite: let the other work go first
    return scans.make_variants(HONGZE, tmp_path_factory.mktemp("scans"))


@pytest.fixture(scope="session")
def read(variants):
    """Each variant read once per session (OCR is slow), without the default time
    limit, which OCR counts against: these tests check what is read, and on a
    loaded machine a page can take over a minute."""
    done: dict[str, govopen.Report] = {}

    def get(name: str) -> tuple[govopen.Report, list[int]]:
        path, pages = variants[name]
        if name not in done:
            done[name] = govopen.read_report(path, report_id=name, timeout=None)
        return done[name], pages

    return get


def expected_cells() -> dict[tuple[str, str, str], str]:
    with (EXPECTED / f"{STEM}.csv").open(encoding="utf-8") as f:
        return {(r["table"], r["row"], r["col"]): r["value"] for r in csv.DictReader(f)}


def score(report: govopen.Report, pages: list[int]) -> dict[str, int]:
    """Counts of the cells printed on ``pages``: right, flagged, wrong and unflagged."""
    expected = expected_cells()
    counts = {"cells": 0, "right": 0, "flagged": 0, "wrong_unflagged": 0}
    wrong = []
    read = {(c.table, c.row, c.col): c for c in report.cells.itertuples()}
    for key, want in expected.items():
        # where the cell is printed comes from the text layer, so that a printed
        # cell OCR lost (a row not found: status missing) counts as wrong
        if scans.printed_on(HONGZE).get(key) not in pages:
            continue
        cell = read.get(key)
        if cell is None:
            counts["cells"] += 1
            counts["wrong_unflagged"] += 1
            wrong.append(f"{'/'.join(key)}: not read at all instead of {want!r}")
            continue
        counts["cells"] += 1
        if want == "":
            ok = math.isnan(cell.value) and cell.status in ("blank", "missing")
        else:
            ok = not math.isnan(cell.value) and math.isclose(cell.value, float(want))
        if ok:
            counts["right"] += 1
        elif math.isnan(cell.value) and cell.status in FLAGGED:
            counts["flagged"] += 1
        else:
            counts["wrong_unflagged"] += 1
            wrong.append(f"{cell.table}/{cell.row}/{cell.col}: {cell.value} ({cell.status}, "
                         f"raw {cell.raw!r}) instead of {want!r}")
    counts["wrong"] = wrong  # type: ignore[assignment]
    return counts


@pytest.mark.parametrize("name", ["clean300", "noisy150", "turned90", "stamp", "unruled"])
def test_scan_variant_cells(read, name):
    report, pages = read(name)
    s = score(report, pages)
    share = s["right"] / s["cells"] if s["cells"] else 0.0
    print(f"\n{name}: {s['cells']} cells on scanned pages {pages}: {share:.1%} right, "
          f"{s['flagged']} flagged, {s['wrong_unflagged']} wrong but unflagged")
    assert s["cells"] >= 40, f"{name}: only {s['cells']} cells were read from the scanned pages"
    assert s["wrong_unflagged"] == 0, "\n".join(s["wrong"])
    assert share >= 0.99, f"{name}: {share:.1%} right"


@pytest.mark.parametrize("name", ["clean300", "noisy150", "turned90", "stamp", "unruled"])
def test_scan_values_carry_confidence_and_provenance(read, name):
    report, pages = read(name)
    scanned = report.cells[report.cells["page"].isin(pages)]
    printed = scanned[scanned["status"].isin(["ok", "ok_by_identity"])]
    assert printed["confidence"].notna().all()
    assert printed["bbox"].notna().all()
    text_layer = report.cells[~report.cells["page"].isin(pages) & report.cells["page"].notna()]
    assert text_layer["confidence"].isna().all()


def test_a_row_whose_label_is_lost_is_unreadable_not_missing(read):
    """A printed row OCR cannot match (its label is gone from the scan) is never
    ``missing`` ("not printed") and its numbers go to no other row: its 7 cells are
    NaN ``unreadable``, with a warning naming page 4 and the box where it stands."""
    report, pages = read("unlabelled")
    s = score(report, pages)
    print(f"\nunlabelled: {s['cells']} cells on scanned pages {pages}: {s['right']} right, "
          f"{s['flagged']} flagged, {s['wrong_unflagged']} wrong but unflagged")
    assert s["wrong_unflagged"] == 0, "\n".join(s["wrong"])
    assert s["right"] == s["cells"] - 7 and s["flagged"] == 7
    row = report.cells[report.cells["row"] == "unprocessed_publication"]
    assert len(row) == 7 and set(row["status"]) == {"unreadable"} and row["value"].isna().all()
    notes = report.issues[(report.issues["rule"] == "ocr_row_not_found")]
    assert notes["row"].tolist() == ["unprocessed_publication"]
    where = notes["message"].iloc[0].split(":")[0]
    assert where.startswith("page 4, bbox ")
    _, top, _, bottom = (float(v) for v in where.removeprefix("page 4, bbox ").split(","))
    label = scans.HONGZE_LABEL
    assert top <= (label[1] + label[3]) / 2 <= bottom  # the box holds the row's line


def test_fully_scanned_report_meta(read):
    report, _ = read("clean300")
    assert report.meta["year"] == 2023
    assert report.meta["agency"] == "洪泽区人民政府"
    assert "needs_ocr" not in set(report.issues["rule"])


def test_rotated_page_is_reported(read):
    report, _ = read("turned90")
    notes = report.issues[report.issues["rule"] == "ocr_rotated"]
    assert len(notes) == 1 and "page 3" in notes["message"].iloc[0]


def test_low_confidence_cells_name_page_and_bbox(read):
    for name in ("clean300", "noisy150", "turned90", "stamp", "unruled"):
        report, _ = read(name)
        flagged = report.issues[report.issues["rule"].isin(
            ["ocr_low_confidence", "ocr_confirmed_by_identity"])]
        for message in flagged["message"]:
            assert message.startswith("page ") and "bbox" in message


def test_no_ocr_leaves_needs_ocr(variants):
    path, _ = variants["clean300"]
    report = govopen.read_report(path, ocr=False)
    assert "needs_ocr" in set(report.issues["rule"])
    assert report.cells["value"].notna().sum() == 0


def test_build_reads_pictures_and_mixed_pdfs(variants, read, tmp_path):
    """``govopen build`` end to end: a JPG report and a mixed PDF, with and without OCR."""
    import shutil

    from govopen.corpus import build, load

    read("stamp")  # its scanned page is then read from this process's page cache
    raw = tmp_path / "raw"
    (raw / "jiangsu").mkdir(parents=True)
    shutil.copy(variants["stamp"][0], raw / "jiangsu" / "hongze_stamped.pdf")
    jpg = variants["noisy150"][0].parent / "noisy150_3.jpg"
    shutil.copy(jpg, raw / "jiangsu" / "hongze_page3.jpg")
    summary = build(raw, tmp_path / "out", jobs=0, progress=False)
    assert summary["failures"] == 0 and summary["reports"] == 2
    tables = load(tmp_path / "out")
    reports = tables["reports"].set_index("source_file")
    assert reports.loc["jiangsu/hongze_page3.jpg", "file_type"] == "jpg"
    cells = tables["cells"]
    picture = cells[cells["report_id"] == "jiangsu/hongze_page3.jpg"]
    new_total = picture[(picture["table"] == "requests") & (picture["row"] == "new")
                        & (picture["col"] == "total")]
    assert new_total["value"].tolist() == [21.0] and new_total["confidence"].notna().all()
    mixed = cells[cells["report_id"] == "jiangsu/hongze_stamped.pdf"]
    assert mixed[mixed["page"] == 4]["confidence"].notna().any()
    assert mixed[mixed["page"] == 3]["confidence"].isna().all()
    assert "confidence" in set(tables["cells"].columns)

    summary = build(raw, tmp_path / "out_no_ocr", jobs=0, progress=False, ocr=False)
    assert summary["failures"] == 0
    tables = load(tmp_path / "out_no_ocr")
    reports = tables["reports"].set_index("source_file")
    # a picture without OCR has no readable text: no agency, and no level guessed for it
    assert scans.pd_na(reports.loc["jiangsu/hongze_page3.jpg", "level"]) or \
        reports.loc["jiangsu/hongze_page3.jpg", "level"] in ("", None)
    issues = tables["issues"]
    assert "needs_ocr" in set(issues[issues["report_id"] == "jiangsu/hongze_stamped.pdf"]["rule"])


# --------------------------------------------------------------------------- audit view


def assert_box_on_its_number(report: govopen.Report, cell) -> None:
    """``show`` crops the page OCR read, boxes the cell inside the crop, over its number:
    the lines of print inside the drawn box, recognised again, give the cell's raw text."""
    from govopen.document import join_wrapped
    from govopen.readers import ocr

    view = report.show(cell.table, cell.row, cell.col)
    assert view.kind == "image" and view.image.width > 0 and view.image.height > 0
    x0, top, x1, bottom = view.box
    assert 0 <= x0 < x1 <= view.image.width and 0 <= top < bottom <= view.image.height
    # the red channel: the red box and the yellow label shade fade out
    gray = np.ascontiguousarray(np.asarray(view.image)[:, :, 0])
    lines = ocr._cell_lines(gray, ocr._ink(gray), view.box)
    assert lines, f"no print inside the box of {cell.table}/{cell.row}/{cell.col}"
    text = join_wrapped(["".join(g.text for g in line) for line in ocr.recognise(lines)])
    assert text == cell.raw


def numbers_on(report: govopen.Report, page: int, n: int = 4):
    cells = report.cells[(report.cells["page"] == page) & (report.cells["status"] == "ok")
                         & (report.cells["value"] >= 10)]
    return list(cells.iloc[:: max(1, len(cells) // n)].head(n).itertuples())


def test_show_on_a_scanned_page_turned_by_90(read):
    """The turned page is boxed on the upright image OCR read, not on the PDF's page."""
    report, pages = read("turned90")
    assert set(report.document.page_images) == set(pages)
    cells = numbers_on(report, pages[0])
    assert len(cells) == 4
    for cell in cells:
        assert_box_on_its_number(report, cell)


def test_show_on_a_picture(variants):
    jpg = variants["noisy150"][0].parent / "noisy150_3.jpg"
    report = govopen.read_report(jpg, timeout=None)
    assert set(report.document.page_images) == {1}
    cells = numbers_on(report, 1)
    assert len(cells) == 4
    for cell in cells:
        assert_box_on_its_number(report, cell)
