"""Labels wrapped over lines in running text, with the numbers on any of the lines.

A text dump of a PDF (or a crawled page) breaks a long row label where its cell
wraps and writes the row's numbers on the line the cell's middle falls on: the
first, a middle or the last line of the label. Hypothesis draws random reports
and wraps every long label, putting its numbers on each of those lines; every
cell must come back, and none may go to another row.
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from render import random_values, render
from test_layouts_converters import tally

import govopen


def wrapped(text: str, where: str, pieces: int) -> str:
    """``text`` with each long label of a row wrapped into ``pieces`` lines and the
    row's numbers on the line ``where`` (``first``, ``middle`` or ``last``)."""
    out = []
    for line in text.split("\n"):
        label, _, nums = line.partition(" ")
        if len(label) >= 3 * pieces and nums and nums.replace(" ", "").lstrip("-").isdigit() \
                and not label.startswith(("一、", "二、", "四、")):
            step = len(label) // pieces
            parts = [label[k * step:(k + 1) * step if k < pieces - 1 else None]
                     for k in range(pieces)]
            at = {"first": 0, "middle": pieces // 2, "last": pieces - 1}[where]
            parts[at] = f"{parts[at]} {nums}"
            out += parts
        else:
            out.append(line)
    return "\n".join(out)


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), where=st.sampled_from(["first", "middle", "last"]),
       pieces=st.sampled_from([2, 3]))
def test_wrapped_labels_numbers_on_any_line(seed: int, where: str, pieces: int) -> None:
    fmt, year, values = random_values(random.Random(seed).randint, blanks=False)
    report = govopen.read_text(wrapped(render(values, fmt, year, "space"), where, pieces))
    result = tally(report, values)
    assert not result["wrong"], result["wrong"][:5]
    assert not result["flagged"], result["flagged"][:5]
