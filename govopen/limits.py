"""Bounding the time spent on one file.

Some parsers (pdfminer in particular) can loop for a very long time on crafted
or damaged files. :func:`time_limit` turns such a stall into a
:class:`~govopen.errors.ReportTimeout` (a ``ReportError``) so a batch run
moves on to the next file.

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

import dataclasses
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from govopen.errors import ReportError, ReportTimeout

# Seconds between repeated alarms once a time limit has passed.
REARM = 0.5
# Seconds allowed to read one file: ``read_report``, every reader and subprocess
# it starts, and ``govopen build`` / ``manifest`` (``--timeout``) all use this.
DEFAULT_TIMEOUT = 120.0


@dataclasses.dataclass(frozen=True)
class Limits:
    """Bounds on the size and structure of one input file; beyond each, a ``ReportError``
    naming the limit (no real report comes near any of them).

    Set them with :func:`configure` (``configure(pages=2000)``) or with environment
    variables ``GOVOPEN_LIMIT_<NAME>`` (``GOVOPEN_LIMIT_PAGES=2000``); worker
    processes of a build get the values of the process that starts them.
    """

    file_bytes: int = 200 << 20  # any input file
    text_bytes: int = 20 << 20  # a text or HTML file (a real report: < 1 MB)
    pages: int = 1000  # PDF pages
    line_chars: int = 200_000  # one line of the document text
    lines: int = 200_000  # lines of the document text (a report: < 2,000)
    depth: int = 10_000  # element nesting (HTML, Word tables)
    html_tags: int = 30_000  # tags of an HTML page (a report page: < 5,000)
    rows: int = 1_000  # rows of one table (a report's: < 100)
    cols: int = 2_000  # cells of one table row
    span: int = 1_000  # a merged cell's row or column span (HTML, Word)
    numbering: int = 100_000  # a Word list number
    unzipped_bytes: int = 500 << 20  # the parts of a .docx, uncompressed
    xml_bytes: int = 16 << 20  # one XML part of a .docx (a report's document.xml: < 5 MB)
    stream_bytes: int = 64 << 20  # one PDF stream, inflated (an A4 300-dpi scan: 25 MB)
    content_tokens: int = 1_000_000  # one PDF content stream (a dense real page: < 100,000)

    @classmethod
    def from_env(cls) -> Limits:
        values = {}
        for f in dataclasses.fields(cls):
            text = os.environ.get(f"GOVOPEN_LIMIT_{f.name.upper()}")
            if text and text.strip().isdigit():
                values[f.name] = int(text)
        return cls(**values)


LIMITS = Limits.from_env()


def configure(**changes: int) -> Limits:
    """Change some limits for this process and the worker processes it starts.

    Example:
        >>> old = limits()
        >>> configure(pages=5000).pages
        5000
        >>> use(old)
    """
    global LIMITS
    LIMITS = dataclasses.replace(LIMITS, **changes)
    return LIMITS


def limits() -> Limits:
    """The limits in force."""
    return LIMITS


def use(values: Limits) -> None:
    """Put ``values`` in force (a worker process receiving its parent's limits)."""
    global LIMITS
    LIMITS = values


def exceeded(source: object, name: str, value: object) -> ReportError:
    """The error for a file beyond limit ``name`` (to be raised by the caller).

    Example:
        >>> str(exceeded("a.pdf", "pages", 5000))
        'a.pdf: the file exceeds the pages limit (5000 > 1000); see govopen.limits.configure or GOVOPEN_LIMIT_PAGES'
    """
    limit = getattr(LIMITS, name)
    return ReportError(source, f"the file exceeds the {name} limit ({value} > {limit}); see "
                               f"govopen.limits.configure or GOVOPEN_LIMIT_{name.upper()}")


def check(source: object, name: str, value: int) -> None:
    """Raise :func:`exceeded` if ``value`` is over limit ``name``."""
    if value > getattr(LIMITS, name):
        raise exceeded(source, name, value)


def check_text(source: object, text: str) -> None:
    """The limits every reader's text must keep: line length, cells per line.

    Example:
        >>> check_text("a.txt", "规章 1 2" * 10**5)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        govopen.errors.ReportError: a.txt: the file exceeds the line_chars limit (600000 > 200000); ...
    """
    lines = text.split("\n")
    check(source, "lines", len(lines))
    check(source, "line_chars", max(map(len, lines), default=0))
    if text.count("\t") > LIMITS.cols:
        check(source, "cols", max(line.count("\t") + 1 for line in lines))


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
    """Raise ``ReportTimeout(source, "… took longer than N s")`` after ``seconds``.

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
        ... except ReportTimeout as err:
        ...     print(err)
        slow.pdf: reading the file took longer than 0.05 s
    """
    if seconds is None or seconds <= 0 or not signals_available():
        yield
        return

    leaving = [False]

    def _on_alarm(signum: int, frame: object) -> None:
        if not leaving[0]:
            raise _Deadline

    try:
        old_handler = signal.signal(signal.SIGALRM, _on_alarm)
    except ValueError:
        # "signal only works in main thread of the main interpreter": a
        # sub-interpreter's main thread passes the thread check above.
        yield
        return
    # The alarm repeats after the deadline: code that swallows the first one
    # (or a clean-up such as a PDF's close() that re-enters the same loop) gets
    # another every REARM seconds until the block is left.
    old_delay, old_interval = signal.setitimer(signal.ITIMER_REAL, seconds, REARM)
    started = time.monotonic()
    try:
        yield
    except _Deadline:
        leaving[0] = True
        raise ReportTimeout(source, f"reading the file took longer than {seconds:g} s") from None
    finally:
        leaving[0] = True
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler)
        if old_delay > 0:
            # Give the outer timer back what is left of it; if it is already
            # overdue, fire it almost at once rather than never.
            left = max(old_delay - (time.monotonic() - started), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, left, old_interval)
