"""govopen: China's government information disclosure annual reports as tidy data.

The public names are imported when first used, so ``import govopen`` (and every
worker process of a build) does not pay for pandas, pyarrow and the build stack
until it needs them.

Example:
    >>> import govopen
    >>> report = govopen.read_report("data/raw/henan/001_33e9900bc9823d6a.txt")  # doctest: +SKIP
    >>> report.cells.head()  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> the module that defines it
_LAZY = {
    "load": "govopen.corpus",
    "ReportError": "govopen.errors",
    "Report": "govopen.report",
    "read_report": "govopen.report",
    "read_text": "govopen.report",
}

__all__ = ["Report", "ReportError", "load", "read_report", "read_text", "__version__"]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from govopen.corpus import load
    from govopen.errors import ReportError
    from govopen.report import Report, read_report, read_text


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'govopen' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
