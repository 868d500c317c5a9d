"""The parts of OCR reading that need no recogniser: grid, readings, confidence rules.

The recogniser itself is exercised on real scans in ``test_ocr_scans.py``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govopen.errors import ReportError
from govopen.gazetteer import infer_region
from govopen.issues import Issue
from govopen.readers import ocr, read_document, reader_for
from govopen.readers.grid import find_tables, grid_rows
from govopen.readers.ocr import CONFIDENCE_THRESHOLD, Glyph, _as_value
from govopen.uncertain import resolve, unfound_rows

# --------------------------------------------------------------------------- grid


def ruled(xs: list[int], ys: list[int], thickness: int = 2, gap: tuple[int, int] | None = None,
          size: tuple[int, int] = (900, 700)) -> np.ndarray:
    ink = np.zeros(size, np.uint8)
    for y in ys:
        ink[y:y + thickness, xs[0]:xs[-1] + thickness] = 255
    for x in xs:
        ink[ys[0]:ys[-1] + thickness, x:x + thickness] = 255
    if gap is not None:  # a dropout in a rule, as scans have
        ink[ys[1]:ys[1] + thickness, gap[0]:gap[1]] = 0
    return ink


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(30, 120), min_size=1, max_size=6),
       st.lists(st.integers(25, 90), min_size=1, max_size=8))
def test_grid_finds_every_cell_of_a_ruled_table(widths, heights):
    xs = [20 + sum(widths[:i]) for i in range(len(widths) + 1)]
    ys = [20 + sum(heights[:i]) for i in range(len(heights) + 1)]
    if len(widths) * len(heights) < 2:
        return
    tables = find_tables(ruled(xs, ys), scale=1.0)
    assert len(tables) == 1
    rows = tables[0].rows
    assert len(rows) == len(heights)
    assert all(len(r.cells) == len(widths) and r.cols == list(range(len(widths)))
               for r in rows)


def test_grid_bridges_a_dropout_in_a_rule():
    xs, ys = [20, 200, 400, 600], [20, 80, 140]
    tables = find_tables(ruled(xs, ys, gap=(300, 303)), scale=1.0)
    assert [len(r.cells) for r in tables[0].rows] == [3, 3]


def test_grid_merged_cells_follow_the_grid_rule():
    # a label cell spanning two rows, then a header spanning two columns
    cells = [(0, 0, 10, 20), (10, 0, 30, 10), (10, 10, 20, 20), (20, 10, 30, 20)]
    rows = grid_rows(cells)
    assert [r.cols for r in rows] == [[0, 1], [0, 1, 2]]
    assert rows[1].cells[0] is None  # merged down: an empty position, never a shift


def test_grid_scale_gives_points():
    tables = find_tables(ruled([20, 200, 400], [20, 80, 140]), scale=0.5)
    x0, top, x1, bottom = tables[0].bbox
    assert math.isclose(x0, 10.5, abs_tol=1.5) and math.isclose(x1, 200.5, abs_tol=1.5)


def test_plain_text_has_no_grid():
    ink = np.zeros((300, 300), np.uint8)
    ink[50:70, 40:60] = 255  # a blob of "text"
    assert find_tables(ink, scale=1.0) == []


def test_rules_inside_a_grey_band_of_a_noisy_scan_are_found():
    """A shaded header band of a noisy JPEG is no block of ink: the rules in it stay
    rules, and the grid keeps its columns (Hongze page 2 at 150 dpi lost them)."""
    import cv2

    xs, ys = [100, 400, 600, 800], [300, 380, 460, 540]
    gray = np.full((800, 900), 248, np.float32)
    gray[302:380, 102:800] = 196  # the shaded top row
    gray[ruled(xs, ys, size=(800, 900)) > 0] = 40
    gray += np.random.default_rng(1).normal(0, 12, gray.shape)
    gray = cv2.GaussianBlur(gray.clip(0, 255).astype(np.uint8), (3, 3), 0.6)
    # (Otsu's threshold on this page lies above the shade: no table at all)
    tables = find_tables(ocr._thin_ink(gray), scale=1.0)
    assert len(tables) == 1
    assert [len(r.cells) for r in tables[0].rows] == [3, 3, 3]


def test_the_radical_dot_is_read_as_the_enumeration_comma():
    """丶 for 、 left section 四's heading unrecognised (四丶政府信息公开行政复议丶…)."""
    charset = ["blank", "四", "丶", "政", "一", "二", "三", "五"]
    probs = np.eye(8, dtype=np.float32)[[1, 0, 2, 0, 3]]
    assert "".join(g.text for g in ocr._decode(probs, charset, 4.0)) == "四、政"


def second_look(monkeypatch, looks: list[str], prob: float) -> dict:
    """_look_again on one uncertain cell '14', the recogniser reading ``looks``."""
    def fake(crops):
        assert len(crops) == len(looks)
        return [[Glyph(ch, prob, (), 0, 1) for ch in text] for text in looks]

    monkeypatch.setattr(ocr, "recognise", fake)
    first = _as_value(glyphs([("1", 0.87, ""), ("4", 0.99, "")]), "14", (0, 0, 9, 9))
    assert first.readings is not None  # uncertain
    return ocr._look_again({"k": (first, [np.full((20, 40, 3), 255, np.uint8)])})


def test_second_look_keeps_a_number_both_looks_read_alike(monkeypatch):
    kept = second_look(monkeypatch, ["14", "14"], 0.99)
    assert kept["k"].text == "14" and kept["k"].readings is None
    assert kept["k"].confidence >= CONFIDENCE_THRESHOLD


@pytest.mark.parametrize(("looks", "prob"), [(["14", "11"], 0.99), (["14", "14"], 0.8),
                                             (["14", "1O"], 0.99), (["14.", "14"], 0.99)])
def test_second_look_keeps_nothing_else(monkeypatch, looks, prob):
    assert second_look(monkeypatch, looks, prob) == {}


def test_only_uncertain_digits_get_a_second_look():
    assert ocr._only_digits([glyphs([("1", 0.8, ""), ("4", 0.99, "")])])
    assert not ocr._only_digits([glyphs([("1", 0.8, ""), ("O", 0.99, "")])])
    assert not ocr._only_digits([[]]) and not ocr._only_digits(None)


# --------------------------------------------------------------------------- readings


def glyphs(spec: list[tuple[str, float, str]]) -> list[Glyph]:
    return [Glyph(ch, p, tuple((a, 0.05) for a in alts), i * 10.0, i * 10.0 + 9)
            for i, (ch, p, alts) in enumerate(spec)]


def test_confident_digits_have_no_other_readings():
    cell = _as_value(glyphs([("2", 0.99, "7"), ("1", 0.98, "7")]), "21", None)
    assert cell.text == "21" and cell.readings is None
    assert math.isclose(cell.confidence, 0.98, abs_tol=0.06)


def test_uncertain_digit_lists_its_runner_up_digits():
    cell = _as_value(glyphs([("2", 0.99, ""), ("1", 0.5, "7a4")]), "21", None)
    assert cell.confidence < CONFIDENCE_THRESHOLD
    assert cell.readings == ("21", "27", "24")


def test_full_width_runner_up_counts_for_the_same_digit():
    g = [Glyph("2", 0.6, (("２", 0.39),), 0, 9)]
    assert _as_value(g, "2", None).confidence >= CONFIDENCE_THRESHOLD


def test_a_letter_read_in_a_number_is_never_trusted():
    cell = _as_value(glyphs([("1", 0.99, ""), ("O", 0.99, "0")]), "1O", None)
    assert cell.text == "10" and cell.confidence == 0.0


def test_text_is_not_a_number():
    cell = _as_value(glyphs([("规", 0.99, ""), ("章", 0.99, "")]), "规章", None)
    assert cell.text == "规章" and cell.confidence is None and cell.readings is None


# --------------------------------------------------------------------------- uncertain cells

PARTS = ["upheld", "corrected", "other", "pending", "total"]


def appeals(values: list[float], confidence: list[float | None]) -> pd.DataFrame:
    return pd.DataFrame([{"table": "appeals", "row": "review", "col": c, "value": float(v),
                          "raw": str(v), "status": "ok", "confidence": p, "page": 2,
                          "bbox": "1.0,2.0,3.0,4.0"}
                         for c, v, p in zip(PARTS, values, confidence, strict=True)])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=4, max_size=4), st.integers(0, 4),
       st.integers(1, 9))
def test_identity_confirms_only_the_one_reading_that_fits(parts, k, offset):
    values = [*parts, sum(parts)]
    confidence = [0.99] * 5
    confidence[k] = 0.3
    wrong = values[k] + offset
    out, issues = resolve(appeals(values, confidence), {k: (str(wrong), str(values[k]))})
    assert out["status"].iat[k] == "ok_by_identity"
    assert out["value"].iat[k] == values[k]
    assert [i.rule for i in issues] == ["ocr_confirmed_by_identity"]
    assert issues[0].severity == "info" and issues[0].message.startswith("page 2, bbox")


def test_two_uncertain_cells_of_one_identity_stay_unreadable():
    out, issues = resolve(appeals([1, 0, 0, 0, 1], [0.3, 0.99, 0.99, 0.99, 0.3]),
                          {0: ("1", "7"), 4: ("1", "7")})
    assert list(out["status"].iloc[[0, 4]]) == ["unreadable", "unreadable"]
    assert out["value"].iloc[[0, 4]].isna().all()
    assert {i.rule for i in issues} == {"ocr_low_confidence"}


def test_no_reading_fits_stays_unreadable():
    out, _ = resolve(appeals([1, 0, 0, 0, 5], [0.99, 0.99, 0.99, 0.99, 0.4]), {4: ("5", "6")})
    assert out["status"].iat[4] == "unreadable" and math.isnan(out["value"].iat[4])


def proactive(pages: list[int | None], confidence: float | None = 0.99) -> pd.DataFrame:
    """Rows rules, normative_docs, licensing, punishment; a None page: not found."""
    rows = ["rules", "normative_docs", "licensing", "punishment"]
    return pd.DataFrame([
        {"table": "proactive", "row": r, "col": "x", "value": math.nan if p is None else 1.0,
         "raw": "", "status": "missing" if p is None else "ok",
         "confidence": None if p is None else confidence, "page": p,
         "bbox": None if p is None else f"10.0,{10.0 * k},90.0,{10.0 * k + 8}"}
        for k, (r, p) in enumerate(zip(rows, pages, strict=True))])


def lost(*rows: str) -> list[Issue]:
    return [Issue("row_not_found", "warning", "", table="proactive", row=r) for r in rows]


PAGE = [0.0, 0.0, 595.0, 842.0]


def test_a_row_lost_between_ocr_rows_is_unreadable_where_it_would_stand():
    out, issues = unfound_rows(proactive([2, None, 2, 3]), lost("normative_docs"), {2: PAGE})
    assert out["status"].tolist() == ["ok", "unreadable", "ok", "ok"]
    assert len(issues) == 1 and issues[0].rule == "ocr_row_not_found"
    assert issues[0].row == "normative_docs"
    assert issues[0].message.startswith("page 2, bbox 10.0,8.0,90.0,20.0: ")


def test_first_rows_lost_on_an_ocr_page_before_a_text_page():
    out, issues = unfound_rows(proactive([None, None, 3, 3], confidence=None),
                               lost("rules", "normative_docs"), {2: PAGE})
    assert out["status"].tolist()[:2] == ["unreadable", "unreadable"]
    assert all(i.message.startswith("page 2, bbox 0.0,0.0,595.0,842.0: ") for i in issues)


def test_rows_lost_on_text_pages_stay_missing():
    cells = proactive([2, None, 2, 3], confidence=None)
    out, issues = unfound_rows(cells, lost("normative_docs"), {4: PAGE})
    assert out["status"].tolist()[1] == "missing" and not issues
    out, issues = unfound_rows(cells, lost("normative_docs"), {})
    assert out is cells and not issues


def test_text_layer_cells_are_left_alone():
    frame = appeals([1, 0, 0, 0, 9], [None] * 5)
    out, issues = resolve(frame, {})
    assert issues == [] and out["status"].tolist() == ["ok"] * 5


# --------------------------------------------------------------------------- files


def test_image_files_go_to_the_ocr_reader():
    assert {reader_for(f"a{ext}") for ext in (".png", ".JPG", ".jpeg", ".tif", ".tiff",
                                              ".bmp")} == {"image"}


def test_image_without_ocr_is_needs_ocr(tmp_path):
    from PIL import Image

    path = tmp_path / "report.png"
    Image.new("RGB", (40, 60), "white").save(path)
    doc = read_document(path, ocr=False)
    assert doc.text == "" and [n.rule for n in doc.notes] == ["needs_ocr"]


def test_broken_image_is_a_clear_error(tmp_path):
    path = tmp_path / "report.jpg"
    path.write_bytes(b"\xff\xd8\xff" + b"not really a jpeg" * 10)
    pytest.importorskip("rapidocr_onnxruntime")
    with pytest.raises(ReportError, match="not a readable image"):
        read_document(path)


def test_text_saved_as_png_is_reported(tmp_path):
    path = tmp_path / "report.png"
    path.write_text("某县2023年政府信息公开工作年度报告", encoding="utf-8")
    with pytest.raises(ReportError, match="extension says image"):
        read_document(path)


def test_no_agency_means_no_level():
    assert infer_region(None)["level"] is None
    assert infer_region("")["level"] is None


def test_a_zero_shaped_letter_among_the_runner_ups_counts_for_zero():
    g = [Glyph("0", 0.85, (("O", 0.07), ("o", 0.03), ("6", 0.01)), 0, 9)]
    cell = _as_value(g, "0", None)
    assert cell.confidence >= CONFIDENCE_THRESHOLD and cell.readings is None
    g = [Glyph("0", 0.6, (("6", 0.35),), 0, 9)]
    assert _as_value(g, "0", None).readings == ("0", "6")
