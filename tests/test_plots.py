"""Figures render Chinese with a CJK font, in both languages, as PDF and PNG."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import pytest
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

from govopen.plots import cjk_font, label, new_figure, save

ZH = "予以公开 不予公开 本机关不掌握相关政府信息"


def test_cjk_font_has_the_glyphs():
    path = font_manager.findfont(font_manager.FontProperties(family=cjk_font()),
                                 fallback_to_default=False)
    font = FT2Font(path)
    charmap = font.get_charmap()
    assert all(ord(ch) in charmap for ch in ZH.replace(" ", ""))


@pytest.mark.slow
def test_chinese_labels_render_without_missing_glyphs(tmp_path):
    fig, ax = new_figure()
    ax.bar([label("requests", "row", c, lang="zh") for c in ("granted", "partial")], [3, 1])
    ax.set_title(ZH)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font(s)" is a UserWarning
        paths = save(fig, tmp_path / "fig")
    plt.close(fig)
    assert [p.suffix for p in paths] == [".pdf", ".png"]
    assert all(p.stat().st_size > 1000 for p in paths)
    assert b"NotoSansCJK" in paths[0].read_bytes() or cjk_font().encode() in paths[0].read_bytes()


def test_english_labels_from_the_templates():
    assert label("appeals", "col", "corrected") == "Corrected"
    assert label("requests", "row", "granted", lang="zh") == "（一）予以公开"
    assert label("requests", "row", "not_a_code") == "not_a_code"
    with pytest.raises(ValueError):
        label("requests", "row", "granted", lang="fr")
