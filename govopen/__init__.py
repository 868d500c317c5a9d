"""govopen: China's government information disclosure annual reports as tidy data.

Example:
    >>> import govopen
    >>> report = govopen.read_report("data/raw/henan/001_33e9900bc9823d6a.txt")  # doctest: +SKIP
    >>> report.cells.head()  # doctest: +SKIP
"""

__version__ = "0.1.0"

from govopen.corpus import load  # noqa: E402
from govopen.errors import ReportError  # noqa: E402
from govopen.report import Report, read_report, read_text  # noqa: E402

__all__ = ["Report", "ReportError", "load", "read_report", "read_text", "__version__"]
