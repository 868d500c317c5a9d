"""``govopen.load``: the tables of a built dataset, or a clear error where there is none.

Example:
    >>> load("no/such/folder")
    Traceback (most recent call last):
    ...
    FileNotFoundError: no/such/folder: no such folder; build the dataset first: `make data`, or `govopen build RAW -o no/such/folder`
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from govopen import corpus


def load(out: str | Path = "data/processed") -> dict[str, pd.DataFrame]:
    """The dataset tables written by ``govopen build`` into ``out``, as DataFrames.

    ``reports``, ``cells``, ``issues``, ``sections``, ``failures`` and ``wide``
    (see :func:`govopen.corpus.load`, which this calls). Raises
    ``FileNotFoundError`` when ``out`` does not exist or holds no build (an empty
    dict would only fail later, at ``tables["reports"]``), and ``RuntimeError``
    when a build there was interrupted.

    Example:
        >>> tables = load("data/processed")  # doctest: +SKIP
        >>> tables["reports"][["report_id", "agency", "year"]]  # doctest: +SKIP
    """
    out = Path(out)
    hint = f"build the dataset first: `make data`, or `govopen build RAW -o {out}`"
    if not out.is_dir():
        problem = "is a file, not a dataset folder" if out.exists() else "no such folder"
        raise FileNotFoundError(f"{out}: {problem}; {hint}")
    if not any((out / f"{name}.parquet").exists() for name in (*corpus.TABLES, "wide")):
        raise FileNotFoundError(f"{out} holds no built dataset (no cells.parquet); {hint}")
    return corpus.load(out)
