"""Reading glued digits: every reading is found; identities choose between them."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govopen.split import consistent, readings
from govopen.tokens import tokenize


def nums(text):
    return [t for t in tokenize(text) if t.kind in ("num", "blank")]


def values(options):
    return sorted([p.value for p in r] for r in options)


def test_no_leading_zeros():
    assert values(readings(nums("0011"), ["count"] * 3)) == [[0, 0, 11]]


def test_printed_spaces_are_certain_boundaries():
    options = readings(nums("230 000023"), ["count"] * 7)
    kept, ok = consistent(options, [lambda v: sum(v[:6]) == v[6]])
    assert ok and values(kept) == [[23, 0, 0, 0, 0, 0, 23]]


def test_decimals_only_in_money_columns():
    options = readings(nums("13575394432.52元"), ["count", "money"])
    assert all(r[0].value == int(r[0].value) for r in options)
    assert len(options) == 10
    assert {r[-1].unit for r in options} == {"元"}


def test_too_few_digits_gives_no_reading():
    assert readings(nums("0 00000"), ["count"] * 7) == []


def test_tab_cells_are_never_split():
    toks = [t for t in tokenize("规章\t10\t0") if t.kind != "text"]
    assert readings(toks, ["count"] * 3) == []


def test_most_consistent_readings_are_kept():
    # fujian_014 (2024): no reading of section 四 satisfies all three group
    # totals; the readings that satisfy two agree on the first ten cells.
    options = readings(nums("00202000001324015"), ["count"] * 15)
    checks = [lambda v, i=i: sum(v[i:i + 4]) == v[i + 4] for i in (0, 5, 10)]
    kept, ok = consistent(options, checks)
    assert not ok and len(kept) == 11
    assert {tuple(p.value for p in r[:10]) for r in kept} == {(0, 0, 2, 0, 2, 0, 0, 0, 0, 0)}


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=120), min_size=7, max_size=7),
       st.sets(st.integers(min_value=1, max_value=6)))
def test_glued_row_reading_includes_the_truth(parts, cut_after):
    """Concatenate a row (with a true total) and some spaces: the truth is a reading."""
    row = parts[:6] + [sum(parts[:6])]
    text = "".join(str(v) + (" " if i + 1 in cut_after else "") for i, v in enumerate(row))
    options = readings(nums(text), ["count"] * 7)
    if options is None:  # too many readings: reported as ambiguous, never guessed
        return
    kept, ok = consistent(options, [lambda v: sum(v[:6]) == v[6]])
    assert ok
    assert row in [[p.value for p in r] for r in kept]


def test_long_glued_digits_are_ambiguous_without_exhausting_memory():
    # A case number glued into section 四 once made the enumeration explode.
    options = readings(nums("1234567890123456789012345678"), ["count"] * 15)
    assert options is None
