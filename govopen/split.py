"""Reading value tokens as cells, including digits printed without separators.

Crawler text often glues a row's numbers together (``规范性文件898989``). A run of
digits stands for one or more cells; the only certain boundaries are separators
that *are* printed (spaces, tabs). :func:`readings` lists every way to read the
tokens as exactly ``n`` cells under the rules any number in these tables obeys:
no leading zero (a lone ``0`` is fine), and a decimal point only in money columns.
The caller then keeps the readings that satisfy the table's own identities (row
totals, column totals); where more than one survives, the cells on which they
disagree are ambiguous and stay NaN.

Example:
    >>> from govopen.tokens import tokenize
    >>> toks = [t for t in tokenize("0011") if t.kind == "num"]
    >>> [[p.value for p in r] for r in readings(toks, ["count"] * 3)]
    [[0.0, 0.0, 11.0]]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import product

from govopen.tokens import Token

# Past this many readings a row is reported as ambiguous without enumerating on.
MAX_READINGS = 50_000
# Past this many ways to cut a row's digits it is ambiguous without enumerating.
MAX_CUTS = 20_000
# The same, for all the rows of one report together (see :class:`Budget`): ways to
# cut (what counting the readings costs) and readings listed (what choosing
# between them costs). The most any real report needs is about 2,400 cuts and
# 170 readings, but a converter's dump of a table with blank cells (pypdfium2
# text, where a blank leaves no trace) may list a few thousand; at these bounds
# the worst crafted report costs one to a few seconds more than a plain one, its
# rows past the budget left ambiguous.
REPORT_CUTS = 60_000
REPORT_READINGS = 5_000


class Budget:
    """Work left for one report: a crafted report of many long glued numbers
    reads as ambiguous rows once it is spent, instead of taking minutes.

    ``cuts`` bounds the ways to cut digits that are counted, ``readings`` the
    readings that are listed.

    Example:
        >>> b = Budget(10); b.spend(4), b.spend(7), b.left
        (True, False, 0)
    """

    def __init__(self, cuts: int = REPORT_CUTS, readings: int = REPORT_READINGS) -> None:
        self.left = cuts
        self.readings_left = readings

    def spend(self, cuts: int) -> bool:
        """Take ``cuts`` if there are as many left (else none are left)."""
        if cuts > self.left:
            self.left = 0
            return False
        self.left -= cuts
        return True

    def spend_readings(self, count: int) -> bool:
        """Take ``count`` readings if there are as many left (else take none: the
        row is ambiguous, and a later row with fewer readings may still be read)."""
        if count > self.readings_left:
            return False
        self.readings_left -= count
        return True


@dataclass(frozen=True)
class Piece:
    """One cell read from a token (or from part of a glued token)."""

    value: float | None
    raw: str
    start: int
    end: int
    unit: str = ""
    blank: bool = False


def readings(tokens: Sequence[Token], kinds: Sequence[str],
             budget: Budget | None = None) -> list[list[Piece]] | None:
    """All ways to read ``tokens`` as ``len(kinds)`` cells.

    ``kinds`` gives each cell's kind (``count``, ``signed``, ``money`` or
    ``number``, any number as printed): only money and numbers may have decimals,
    only signed cells and numbers a minus sign. Blank tokens and tab-separated cells are one cell
    each; a glued number may be several. Returns ``None`` when there are more
    than :data:`MAX_READINGS` readings, more than :data:`MAX_CUTS` ways to cut
    the digits, or more than ``budget`` has left; ``[]`` when there is none.

    Example:
        >>> from govopen.tokens import tokenize
        >>> toks = [t for t in tokenize("230 000023") if t.kind == "num"]
        >>> len(readings(toks, ["count"] * 7))
        3
    """
    n = len(kinds)
    lengths = [_max_pieces(t) for t in tokens]
    if sum(lengths) < n or len(tokens) > n:
        return []
    if budget is not None and budget.left <= 0:
        return None
    if all(m == 1 for m in lengths):
        return _one_cell_each(tokens, kinds, budget)
    # Bound the work before enumerating: the number of ways to cut the digits
    # grows combinatorially (a case number glued into section 四 would exhaust
    # memory), and past the bound the row is ambiguous anyway. The bound is
    # counted without listing the ways (nor even the distributions of cells).
    cuts = _count_cuts(lengths, n)
    if cuts > MAX_CUTS or (budget is not None and not budget.spend(cuts)):
        return None
    # A token's splits depend only on it, its number of cells and their kinds:
    # counted and listed once, not once per distribution (which made the work
    # grow with their number times the tokens' count, past any bound above).
    known: dict[tuple[int, tuple[str, ...]], _Splits] = {}

    def splits(i: int, k: int, pos: int) -> _Splits:
        key = (i, tuple(kinds[pos:pos + k]))
        if key not in known:
            known[key] = _Splits(tokens[i], key[1])
        return known[key]

    # First count the readings (cheap: no cell is made), then list them: the
    # readings, not the ways to cut, are what the identities must then sort out.
    plan: list[list[_Splits]] = []
    total = 0
    for counts in _distributions(lengths, n):
        pos = 0
        parts: list[_Splits] = []
        for i, k in enumerate(counts):
            part = splits(i, k, pos)
            if not part.count:
                break
            parts.append(part)
            pos += k
        else:
            plan.append(parts)
            total += math.prod(part.count for part in parts)
    if total > MAX_READINGS or (budget is not None and not budget.spend_readings(total)):
        return None
    return [[p for part in combo for p in part]
            for parts in plan for combo in product(*(part.listed() for part in parts))]


def _one_cell_each(tokens: Sequence[Token], kinds: Sequence[str],
                   budget: Budget | None) -> list[list[Piece]] | None:
    """:func:`readings` where every token is one cell (tab-separated cells, as
    PDFs, Word and HTML give them: most rows): the one way to cut, and the one
    reading or none, without counting distributions. The budget is spent as
    the general path spends it (one cut, then the readings)."""
    if budget is not None and not budget.spend(1):
        return None
    row: list[Piece] = []
    for tok, kind in zip(tokens, kinds, strict=True):
        ways = _Splits(tok, (kind,)).listed()
        if not ways:  # this token cannot be its cell: no reading
            return []  # (no reading listed: none spent)
        row.extend(ways[0])
    if budget is not None and not budget.spend_readings(1):
        return None
    return [row]


def _count_cuts(lengths: list[int], n: int) -> int:
    """Ways to cut tokens of at most ``lengths`` cells each into ``n`` cells in all.

    The sum over :func:`_distributions` of the product of each token's ways
    (``comb(m - 1, k - 1)`` for ``k`` cells of ``m`` digits), computed as one
    coefficient of a product of polynomials, so a row with many glued tokens costs
    no more to bound than one with few.
    """
    ways = [1] + [0] * n  # ways[c]: ways to cut the tokens so far into c cells
    for m in lengths:
        nxt = [0] * (n + 1)
        for c, w in enumerate(ways):
            if w:
                for k in range(1, min(max(m, 1), n - c) + 1):
                    nxt[c + k] += w * math.comb(max(m, 1) - 1, k - 1)
        ways = nxt
    return ways[n]


def consistent(options: list[list[Piece]],
               checks: Sequence[Callable[[list[float | None]], bool]]) -> tuple[list[list[Piece]], bool]:
    """Keep the readings that satisfy the most of ``checks``.

    Each check is an identity the table guarantees (a row total, one group of
    section 四). Readings satisfying more identities are kept over those
    satisfying fewer, so an arithmetic error the report makes in one group does
    not make the other groups unreadable. The flag returned is False when no
    reading satisfies every identity (the report itself is inconsistent).

    Example:
        >>> a = [Piece(1.0, "1", 0, 1), Piece(1.0, "1", 1, 2)]
        >>> b = [Piece(11.0, "11", 0, 2), Piece(0.0, "0", 2, 3)]
        >>> kept, ok = consistent([a, b], [lambda v: v[0] == v[1]])
        >>> (len(kept), ok)
        (1, True)
    """
    if not options or not checks:
        return options, True
    scores = [sum(bool(check([p.value for p in r])) for check in checks) for r in options]
    best = max(scores)
    if best == 0:
        return options, False
    return [r for r, s in zip(options, scores, strict=True) if s == best], best == len(checks)


def _max_pieces(tok: Token) -> int:
    if tok.kind != "num" or not tok.glued:
        return 1
    return len(tok.digits.replace(".", ""))


def _distributions(lengths: list[int], n: int) -> Iterator[tuple[int, ...]]:
    """Ways to give each token between 1 and its maximum number of cells, n in all."""
    if not lengths:
        if n == 0:
            yield ()
        return
    rest_max = sum(lengths[1:])
    for k in range(max(1, n - rest_max), min(lengths[0], n - (len(lengths) - 1)) + 1):
        for tail in _distributions(lengths[1:], n - k):
            yield (k, *tail)


class _Splits:
    """The ways to read one token as ``len(kinds)`` cells: counted first, listed on demand.

    The ways are those of cutting the digits at ascending positions (the order of
    ``itertools.combinations``), each part a valid number of its cell's kind;
    counting walks the cut positions with a table of the ways each part can end,
    so an invalid prefix is never extended and nothing is made until listed.
    """

    def __init__(self, tok: Token, kinds: tuple[str, ...]) -> None:
        self.tok, self.kinds = tok, kinds
        self._list: list[list[Piece]] | None = None
        self._ways: dict[tuple[int, int], int] = {}
        k = len(kinds)
        if tok.kind == "blank" or k == 1:
            self._list = list(self._short())
            self.count = len(self._list)
        else:
            self.count = self._count(0, 0)

    def _short(self) -> Iterator[list[Piece]]:
        tok = self.tok
        if tok.kind == "blank":
            if len(self.kinds) == 1:
                yield [Piece(None, tok.text, tok.start, tok.end, blank=True)]
            return
        piece = _piece(tok, tok.digits, 0, True, True, self.kinds[0])
        if piece is not None:
            yield [piece]

    def _fits(self, at: int, end: int, idx: int) -> bool:
        """Whether digits ``at:end`` are a valid cell ``idx``."""
        part = self.tok.digits[at:end]
        if not _valid_number(part, self.kinds[idx]):
            return False
        return at > 0 or self.tok.sign > 0 or float(part) == 0 or self.kinds[idx] in (
            "signed", "number")

    def _count(self, at: int, idx: int) -> int:
        """Ways to cut digits ``at:`` into cells ``idx:`` (memoised)."""
        key = (at, idx)
        if key not in self._ways:
            m, last = len(self.tok.digits), len(self.kinds) - 1
            if idx == last:
                ways = int(at < m and self._fits(at, m, idx))
            else:
                ways = sum(self._count(end, idx + 1) for end in range(at + 1, m - (last - idx) + 1)
                           if self._fits(at, end, idx))
            self._ways[key] = ways
        return self._ways[key]

    def listed(self) -> list[list[Piece]]:
        """Every way, as the cells it gives."""
        if self._list is None:
            tok, digits = self.tok, self.tok.digits
            # Offsets of the digits inside the token text (sign first, unit last).
            base = tok.text.find(digits[0]) if digits else 0
            k, out = len(self.kinds), []

            def walk(at: int, idx: int, pieces: list[Piece]) -> None:
                m = len(digits)
                ends = [m] if idx == k - 1 else range(at + 1, m - (k - 1 - idx) + 1)
                for end in ends:
                    if not self._fits(at, end, idx) or (
                            idx < k - 1 and not self._count(end, idx + 1)):
                        continue
                    piece = _piece(tok, digits[at:end], base + at, idx == 0, idx == k - 1,
                                   self.kinds[idx])
                    assert piece is not None  # _fits said so
                    if idx == k - 1:
                        out.append([*pieces, piece])
                    else:
                        walk(end, idx + 1, [*pieces, piece])

            walk(0, 0, [])
            self._list = out
        return self._list


def _piece(tok: Token, part: str, offset: int, first: bool, last: bool, kind: str) -> Piece | None:
    if not _valid_number(part, kind):
        return None
    value = float(part) * (tok.sign if first else 1)
    if value < 0 and kind not in ("signed", "number"):
        return None  # only 本年增/减 can be negative
    whole = first and last
    raw = tok.text if whole else part
    start = tok.start if whole else tok.start + offset
    end = tok.end if whole else start + len(part)
    return Piece(value, raw, start, end, unit=tok.unit if last else "")


def _valid_number(part: str, kind: str) -> bool:
    if not part or part.startswith(".") or part.endswith("."):
        return False
    whole, _, frac = part.partition(".")
    if frac and kind not in ("money", "number"):
        return False
    return whole == "0" or not whole.startswith("0")
