"""Bounding the time spent on one file.

Some parsers (pdfminer in particular) can loop for a very long time on crafted
or damaged files. :func:`time_limit` turns such a stall into a
:class:`~govopen.errors.ReportError` so a batch run moves on to the next file.

The limit is enforced with ``SIGALRM`` (``signal.setitimer``), which Python only
allows on the main thread of the main interpreter, and which Windows lacks.
Anywhere else :func:`time_limit` does nothing: batch builds that read files in
threads or sub-interpreters must enforce the limit per worker *process*
instead (each worker process reads on its own main thread, where the limit
works, or the pool kills a worker that exceeds it).

Example:
    >>> with time_limit(5, "report.pdf"):
    ...     total = sum(range(1000))
    >>> total
    499500
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from govopen.errors import ReportError


class _Deadline(BaseException):
    """Raised by the alarm handler.

    A ``BaseException`` on purpose: library code that catches ``Exception`` to
    recover from a bad object must not swallow the deadline and keep looping.
    """


def signals_available() -> bool:
    """True where :func:`time_limit` can actually interrupt the code it guards."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float | None, source: object) -> Iterator[None]:
    """Raise ``ReportError(source, "… took longer than N s")`` after ``seconds``.

    ``None`` or a non-positive value means no limit. Nested limits work: the
    inner limit is in force while its block runs, and an outer limit's
    remaining time is re-armed when the inner block ends.

    Off the main thread (or in a sub-interpreter, or on Windows) this is a
    no-op; see the module docstring.

    Example:
        >>> import time
        >>> try:
        ...     with time_limit(0.05, "slow.pdf"):
        ...         time.sleep(1)
        ... except ReportError as err:
        ...     print(err)
        slow.pdf: reading the file took longer than 0.05 s
    """
    if seconds is None or seconds <= 0 or not signals_available():
        yield
        return

    def _on_alarm(signum: int, frame: object) -> None:
        raise _Deadline

    try:
        old_handler = signal.signal(signal.SIGALRM, _on_alarm)
    except ValueError:
        # "signal only works in main thread of the main interpreter": a
        # sub-interpreter's main thread passes the thread check above.
        yield
        return
    old_delay, old_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        yield
    except _Deadline:
        raise ReportError(source, f"reading the file took longer than {seconds:g} s") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler)
        if old_delay > 0:
            # Give the outer timer back what is left of it; if it is already
            # overdue, fire it almost at once rather than never.
            left = max(old_delay - (time.monotonic() - started), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, left, old_interval)
