"""The one exception type a caller of govopen needs to catch."""

from __future__ import annotations


class ReportError(Exception):
    """A file could not be read as an annual report.

    The message names the file and says what is wrong, e.g.
    ``"empty.txt: the file is empty"``.

    Example:
        >>> str(ReportError("a.pdf", "the PDF is encrypted"))
        'a.pdf: the PDF is encrypted'
    """

    def __init__(self, source: object, problem: str) -> None:
        self.source = str(source)
        self.problem = problem
        super().__init__(f"{self.source}: {problem}")


class ReportTimeout(ReportError):
    """Reading a file took longer than its time limit (it may work another time)."""
