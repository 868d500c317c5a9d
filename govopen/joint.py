"""The joint placements of several rows' readings that every column identity allows.

A row of table 三 that prints fewer numbers than it has cells (a PDF converter
prints nothing for a blank cell) can be read with its blanks in many places, and
its own row total cannot tell them apart. The table's column identities (the
outcome rows add up to （七）总计 in every column; new + carried over = total +
carried forward) tie the rows together: :func:`solve` finds every combination of
one reading per row that satisfies all of them, by a search that prunes each
row's readings with the bounds of every column sum (constraint propagation) and
gives up past :data:`MAX_WORK` steps rather than grow exponentially.

Each row is a *variable* whose *options* are its readings, each a tuple of cell
values (None for a blank, counted as 0). A :class:`Sum` is one identity in one
column: the signed sum of its terms' cells is 0. Its total cells are the
``whole`` terms: where all of them are blank, the sum says nothing (a blank total
is not a printed 0, and leaves where the cells stand open). A choice must not
pass an identity by putting the blank in the total itself, though: a placement
is made only if some joint choice satisfies every sum with the blanks only the
choice puts in a total counted as 0 (where no choice does, the identities fail
whatever the choice and place nothing).

Example:
    >>> rows = [[(5, None), (None, 5)],   # a row printing "5" in two columns
    ...         [(2, 3)],                 # a row read one way
    ...         [(7, 3)]]                 # their total
    >>> sums = [Sum(((0, 1), (1, 1), (2, -1)), col, (2,)) for col in (0, 1)]
    >>> solve(rows, sums)
    [{0}, {0}, {0}]
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import product

# Work the search may do for one group of identities (a combination of cells
# tried, or a reading kept or dropped, is one) before it gives up: the random
# consistent reports of the tests need at most about 25,000, a crafted table of
# rows that fit everywhere takes this many in about 0.3 s; a group it cannot settle
# within them is left as it is, its cells NaN where the readings disagree.
MAX_WORK = 200_000

Values = tuple[float | None, ...]


@dataclass(frozen=True)
class Sum:
    """Column ``col`` of an identity: Σ sign · value of ``terms`` (variable, sign) = 0,
    checked only where a cell of a ``whole`` variable (a total) is printed. Each
    variable is one term at most."""

    terms: tuple[tuple[int, int], ...]
    col: int
    whole: tuple[int, ...]


class _OutOfWork(Exception):
    pass


def solve(options: Sequence[Sequence[Values]], sums: Sequence[Sum],
          max_work: int = MAX_WORK) -> list[set[int]] | None:
    """For each variable, the indices of its options that some joint solution uses.

    Empty sets when no combination satisfies every sum (the report's own
    arithmetic is broken: nothing can be chosen); None when the search ran out of
    work (nothing is chosen either).

    The search goes column by column: in each column it lists every choice of
    one value per row (among the values its remaining options give that column)
    that satisfies the column's sums, and keeps, for the next column, only the
    options with the chosen values. A blank and a printed 0 are one value here
    (they add the same), so the options that differ only in that both survive
    and their cells stay ambiguous. Once every column is chosen, every
    combination of the options left satisfies every sum.

    Example:
        >>> both = [[(1, None), (None, 1)], [(None, 1), (1, None)], [(1, 1)]]
        >>> sums = [Sum(((0, 1), (1, 1), (2, -1)), col, (2,)) for col in (0, 1)]
        >>> solve(both, sums)  # 1+_ / _+1 or _+1 / 1+_: both fit
        [{0, 1}, {0, 1}, {0}]
    """
    domains = [list(range(len(o))) for o in options]
    search = _Search(options, sums, max_work)
    strict = _Search(options, sums, max_work, strict=True)
    try:
        search.run(domains, 0)
        if any(search.used):
            strict.run(domains, 0)
    except _OutOfWork:
        return None
    if not any(strict.used):
        # Every joint choice passes an identity only by putting a blank in its
        # total (a sum with a blank total is not checked): the identities fail
        # whatever the choice, and say nothing of where the cells stand.
        return [set() for _ in options]
    return search.used


def _number(v: float | None) -> float:
    return 0.0 if v is None else v


class _Search:
    def __init__(self, options: Sequence[Sequence[Values]], sums: Sequence[Sum],
                 max_work: int, strict: bool = False) -> None:
        self.options = options
        # strict: a sum goes unchecked only where its totals are blank in every
        # option (printed blank); a blank only some options put there counts as 0.
        self.printed_blank = {(var, k) for s in sums for var in s.whole for k in [s.col]
                              if all(o[k] is None for o in options[var])} if strict else None
        self.left = max_work
        self.used: list[set[int]] = [set() for _ in options]
        self.cols = sorted({s.col for s in sums})
        self.by_col = {k: [s for s in sums if s.col == k] for k in self.cols}

    def spend(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise _OutOfWork

    def run(self, domains: list[list[int]], i: int) -> None:
        if i == len(self.cols):
            for var, d in enumerate(domains):
                self.used[var].update(d)
            return
        k = self.cols[i]
        for chosen in self.choices(domains, self.by_col[k], k):
            self.spend(sum(len(domains[var]) for var in chosen))  # what narrowing costs
            trial = list(domains)
            for var, (value, exact) in chosen.items():
                trial[var] = [o for o in domains[var] if (
                    self.options[var][o][k] == value if exact  # None vs 0: a total's blank
                    else _number(self.options[var][o][k]) == value)]
            self.run(trial, i + 1)

    def choices(self, domains: list[list[int]], sums: list[Sum], k: int
                ) -> Iterator[dict[int, tuple[float | None, bool]]]:
        """Every choice of values in column ``k`` (variable → value, and whether
        blank and 0 are told apart) that satisfies ``sums``."""
        totals = sorted({var for s in sums for var in s.whole})
        values = [sorted({self.options[var][o][k] for o in domains[var]},
                         key=lambda v: (v is not None, _number(v))) for var in totals]
        self.spend(math.prod(len(v) for v in values))
        for combo in product(*values):
            fixed = {var: (v, True) for var, v in zip(totals, combo, strict=True)}
            yield from self.extend(domains, sums, k, fixed)

    def extend(self, domains: list[list[int]], sums: list[Sum], k: int,
               fixed: dict[int, tuple[float | None, bool]]
               ) -> Iterator[dict[int, tuple[float | None, bool]]]:
        if not sums:
            yield fixed
            return
        first, rest = sums[0], sums[1:]
        if all(fixed[var][0] is None for var in first.whole) and (
                self.printed_blank is None
                or all((var, k) in self.printed_blank for var in first.whole)):
            yield from self.extend(domains, rest, k, fixed)  # a blank total: not checked
            return
        const = sum(sign * _number(fixed[var][0]) for var, sign in first.terms if var in fixed)
        free = [(var, sign) for var, sign in first.terms if var not in fixed]
        for picked in self.subset_sums(domains, free, k, -const):
            yield from self.extend(domains, rest, k, {**fixed, **picked})

    def subset_sums(self, domains: list[list[int]], free: list[tuple[int, int]], k: int,
                    target: float) -> Iterator[dict[int, tuple[float | None, bool]]]:
        """Every choice of one value per free variable whose signed sum is ``target``
        (meet in the middle: each half's sums listed once)."""
        values = [sorted({_number(self.options[var][o][k]) for o in domains[var]})
                  for var, _sign in free]
        half = len(free) // 2

        def sums_of(lo: int, hi: int) -> dict[float, list[tuple[float, ...]]]:
            self.spend(math.prod(len(v) for v in values[lo:hi]))
            out: dict[float, list[tuple[float, ...]]] = {}
            for combo in product(*values[lo:hi]):
                total = sum(free[lo + j][1] * v for j, v in enumerate(combo))
                out.setdefault(round(total, 6), []).append(combo)
            return out

        left, right = sums_of(0, half), sums_of(half, len(free))
        for total, combos in left.items():
            for other in right.get(round(target - total, 6), ()):
                for combo in combos:
                    self.spend(1)
                    yield {var: (v, False) for (var, _s), v in zip(
                        free, (*combo, *other), strict=True)}
