"""A progress bar on stderr for long runs, shown only when stderr is a terminal.

Example:
    >>> with bar(3, "parse", enabled=False) as tick:
    ...     for _ in range(3):
    ...         tick()
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def bar(total: int, desc: str, enabled: bool | None = None) -> Iterator[Callable[[], None]]:
    """Yield a function that advances a ``tqdm`` bar by one.

    ``enabled=None`` shows the bar when stderr is a TTY (not in logs, CI or pipes).
    """
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled or total == 0:
        yield lambda: None
        return
    from tqdm import tqdm

    with tqdm(total=total, desc=desc, unit="file", file=sys.stderr, dynamic_ncols=True,
              smoothing=0.1) as progress:
        yield lambda: progress.update(1)
