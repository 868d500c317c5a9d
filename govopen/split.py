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
from itertools import combinations, product

from govopen.tokens import Token

# Past this many readings a row is reported as ambiguous without enumerating on.
MAX_READINGS = 50_000
# Past this many ways to cut a row's digits it is ambiguous without enumerating.
MAX_CUTS = 20_000
# The same, for all the rows of one report together (see :class:`Budget`).
REPORT_CUTS = 60_000


class Budget:
    """Cuts left for one report: a crafted report of many long glued numbers
    reads as ambiguous rows once it is spent, instead of taking minutes.

    Example:
        >>> b = Budget(10); b.spend(4), b.spend(7), b.left
        (True, False, 0)
    """

    def __init__(self, cuts: int = REPORT_CUTS) -> None:
        self.left = cuts

    def spend(self, cuts: int) -> bool:
        """Take ``cuts`` if there are as many left (else none are left)."""
        if cuts > self.left:
            self.left = 0
            return False
        self.left -= cuts
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
    out: list[list[Piece]] = []
    lengths = [_max_pieces(t) for t in tokens]
    if sum(lengths) < n or len(tokens) > n:
        return []
    # Bound the work before enumerating: the number of ways to cut the digits
    # grows combinatorially (a case number glued into section 四 would exhaust
    # memory), and past the bound the row is ambiguous anyway.
    cuts = 0
    for counts in _distributions(lengths, n):
        cuts += math.prod(math.comb(max(m, 1) - 1, k - 1) for m, k in zip(lengths, counts,
                                                                           strict=True))
        if cuts > MAX_CUTS:
            return None
    if budget is not None and not budget.spend(cuts):
        return None
    # A token's splits depend only on it, its number of cells and their kinds:
    # computed once, not once per distribution (which made the work grow with
    # their number times the tokens' count, past any bound above).
    known: dict[tuple[int, int, int], list[list[Piece]]] = {}
    for counts in _distributions(lengths, n):
        pos = 0
        per_token: list[list[list[Piece]]] = []
        for i, (tok, k) in enumerate(zip(tokens, counts, strict=False)):
            key = (i, k, pos)
            if key not in known:
                known[key] = list(_splits(tok, k, kinds[pos:pos + k]))
            options = known[key]
            if not options:
                break
            per_token.append(options)
            pos += k
        else:
            for combo in product(*per_token):
                out.append([p for part in combo for p in part])
                if len(out) > MAX_READINGS:
                    return None
    return out


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


def _splits(tok: Token, k: int, kinds: Sequence[str]) -> Iterator[list[Piece]]:
    if tok.kind == "blank":
        if k == 1:
            yield [Piece(None, tok.text, tok.start, tok.end, blank=True)]
        return
    if k == 1:
        piece = _piece(tok, tok.digits, 0, True, True, kinds[0])
        if piece is not None:
            yield [piece]
        return
    digits = tok.digits
    # Offsets of the digits inside the token text (sign first, unit last).
    base = tok.text.find(digits[0]) if digits else 0
    for cuts in combinations(range(1, len(digits)), k - 1):
        bounds = (0, *cuts, len(digits))
        pieces = []
        for idx in range(k):
            part = digits[bounds[idx]:bounds[idx + 1]]
            piece = _piece(tok, part, base + bounds[idx], idx == 0, idx == k - 1, kinds[idx])
            if piece is None:
                break
            pieces.append(piece)
        else:
            yield pieces


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
