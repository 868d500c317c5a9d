"""Writing a build's outputs so that a build killed at any moment leaves the previous ones.

Every output is written to a temporary file in the output folder
(``.tmp-<pid>-<name>``). Only when all are complete does :meth:`Staging.commit`
move them into place with ``os.replace`` (atomic on one filesystem), the build
record ``build.json`` last: it lists every output with its SHA-256, so a reader
can tell a complete set from one torn by a crash between two renames, and the
next build (whose inputs no longer match the record) writes them all again.

Tables are written as Parquet and as CSV (UTF-8 with BOM, which Excel needs to
read Chinese), in batches (:class:`TableWriter`), so memory does not grow with
the corpus; the wide table also as Stata 118 ``.dta`` with variable labels,
batch by batch from its staged Parquet file (:func:`write_stata`).

Example:
    >>> import tempfile, pandas as pd
    >>> from govopen.codebook import schema
    >>> out = Path(tempfile.mkdtemp())
    >>> with Staging(out) as stage:
    ...     writer = TableWriter(stage, "failures", schema("failures", ["file"]))
    ...     _ = writer.write(pd.DataFrame({"file": ["a.pdf"]}))
    ...     writer.close()
    ...     record = stage.commit({"reports": 0})
    >>> sorted(p.name for p in out.iterdir())
    ['build.json', 'failures.csv', 'failures.parquet']
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import math
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pandas.io.stata import StataWriterUTF8

from govopen.codebook import Column, conform, conform_column, stata_label, stata_names
from govopen.missing import stata_codes, status_pairs, value_labels
from govopen.report import file_sha256

RECORD = "build.json"
_TMP = ".tmp-"
_ARROW = {"str": pa.string(), "float": pa.float64(), "int": pa.int64(),
          "list": pa.list_(pa.float64())}
NULLABLE = {pa.int64(): pd.Int64Dtype()}  # integer columns with gaps, as conform() makes them
STATA_ROWS = 500  # rows of the Stata file prepared at a time
# The largest number a Stata double holds; anything beyond (and inf) is missing there.
STATA_MAX = 8.988465674311579e307
# The longest metadata text kept (characters): what one Excel cell holds (Stata's
# strL holds more; longer fixed-width strings become strL).
TEXT_MAX = 32_767
DATA_LABEL = "govopen: one row per report"
_STATA_STR_MAX = 2045  # longest fixed-width Stata string (bytes); longer ones are strL
# CSV cells Excel would run as a formula (OWASP): an apostrophe is put in front.
_FORMULA = r"^[=+\-@\t\r]"
_NOT_FORMULA = r"[+-]?(?:\d[\d,]*)?(?:\.\d+)?%?"  # "-", "-3", "+1.5": plain values
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Staging:
    """A set of outputs written to temporary files, committed together."""

    def __init__(self, out: str | Path) -> None:
        self.out = Path(out)
        self.files: dict[str, Path] = {}

    def path(self, name: str) -> Path:
        """Where to write output ``name`` until it is committed."""
        tmp = self.out / f"{_TMP}{os.getpid()}-{name}"
        self.files[name] = tmp
        return tmp

    def commit(self, record: dict[str, Any]) -> dict[str, Any]:
        """Move every output into place, then write ``build.json`` (returned)."""
        outputs = {}
        for name, tmp in self.files.items():
            _fsync(tmp)
            st = tmp.stat()  # a rename keeps the inode and mtime
            outputs[name] = {"sha256": file_sha256(tmp), "bytes": st.st_size,
                             "inode": st.st_ino, "mtime_ns": st.st_mtime_ns}
        record = {**record, "outputs": outputs}
        tmp_record = self.out / f"{_TMP}{os.getpid()}-{RECORD}"
        tmp_record.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        _fsync(tmp_record)
        for name, tmp in self.files.items():
            os.replace(tmp, self.out / name)
        os.replace(tmp_record, self.out / RECORD)
        _fsync_dir(self.out)
        self.files = {}
        return record

    def staged(self, name: str) -> Path:
        """The temporary file of output ``name``, written earlier in this build."""
        return self.files[name]

    def abort(self) -> None:
        for tmp in self.files.values():
            tmp.unlink(missing_ok=True)
        self.files = {}

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc: object) -> None:
        self.abort()  # nothing left to remove after a commit


class ReadOnly(OSError):
    """``OUT`` cannot be written (read-only folder or file system)."""


@contextlib.contextmanager
def locked(out: str | Path) -> Iterator[None]:
    """Hold an exclusive lock on ``out`` (one build at a time); clear stale temp files.

    The lock is released by the kernel when the process dies, even by ``kill -9``.
    Raises :class:`ReadOnly` when ``out`` cannot be written, ``RuntimeError`` when
    another build holds the lock.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(out))
    try:
        out.mkdir(parents=True, exist_ok=True)
        handle = open(out / ".lock", "a+")  # noqa: SIM115 - held for the whole block
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise ReadOnly(exc.errno, explain(exc, out), str(out)) from None
        raise
    with handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no lock
            fcntl = None  # type: ignore[assignment]
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise RuntimeError(f"another build is writing {out} (it holds {out / '.lock'}); "
                                   "wait for it to finish") from None
        for stale in out.glob(f"{_TMP}*"):
            stale.unlink(missing_ok=True)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)


def explain(exc: OSError, out: str | Path) -> str:
    """One plain sentence for an error writing the outputs."""
    where = exc.filename or out
    # (exc.errno may be None: then the default below)
    reasons: dict[int | None, str] = {
        errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is exceeded",
        errno.EACCES: "permission denied (a read-only folder?)",
        errno.EPERM: "permission denied", errno.EROFS: "the file system is read-only",
        errno.ENOTDIR: "it is a file, not a folder",
        errno.EEXIST: "it is a file, not a folder"}
    reason = reasons.get(exc.errno, exc.strerror or str(exc))
    return (f"cannot write the outputs to {out} ({where}: {reason}); the previous build "
            "there, if any, is left as it was")


def read_record(out: str | Path) -> dict[str, Any] | None:
    """``build.json`` of the last completed build (None if there is none)."""
    path = Path(out) / RECORD
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def interrupted(out: str | Path) -> bool:
    """Whether a commit into ``out`` was started and not finished.

    :meth:`Staging.commit` writes the new record to a temporary file before the
    first rename and renames it last: while it is there, the outputs may be a mix
    of two builds, or (in a first build) only some of them.
    """
    return any(Path(out).glob(f"{_TMP}*-{RECORD}"))


def torn(out: str | Path, record: dict[str, Any], names: list[str] | None = None) -> list[str]:
    """Outputs that differ from what ``build.json`` recorded (empty when consistent)."""
    out = Path(out)
    bad = []
    for name, info in record.get("outputs", {}).items():
        if names is not None and name not in names:
            continue
        path = out / name
        try:
            st = path.stat()
        except FileNotFoundError:
            bad.append(name)
            continue
        if st.st_size != info["bytes"]:
            bad.append(name)
        elif (st.st_ino, st.st_mtime_ns) != (info.get("inode"), info.get("mtime_ns")):
            if file_sha256(path) != info["sha256"]:  # copied or touched: compare the content
                bad.append(name)
    return bad


# --------------------------------------------------------------------------- tables


def arrow_schema(columns: tuple[Column, ...]) -> pa.Schema:
    return pa.schema([(c.name, _ARROW[c.dtype]) for c in columns])


def arrow_table(frame: pd.DataFrame, table: str, columns: tuple[Column, ...]) -> pa.Table:
    """``frame`` conformed to a table's columns, as Arrow; raises if it cannot be written.

    A build's workers hand over each report's rows in this form, so that the
    parent only joins and writes them.

    Example:
        >>> from govopen.codebook import schema
        >>> t = arrow_table(pd.DataFrame({"file": ["a.pdf"]}), "failures", schema("failures"))
        >>> t.column_names, t.column("error").null_count
        (['file', 'error', 'message'], 1)
    """
    # Column by column, as pa.Table.from_pandas(conform(frame)) would convert them, without
    # the DataFrame in between (a worker makes three such tables per report).
    n = len(frame)
    return pa.Table.from_arrays(
        [pa.array(conform_column(frame[c.name] if c.name in frame.columns else None, c.dtype, n),
                  type=_ARROW[c.dtype], from_pandas=True) for c in columns],
        schema=arrow_schema(columns))


class TableWriter:
    """One table written batch by batch to ``NAME.parquet`` and ``NAME.csv``."""

    def __init__(self, stage: Staging, name: str, columns: tuple[Column, ...]) -> None:
        self.name, self.columns = name, columns
        self.schema = arrow_schema(columns)
        self._parquet: pq.ParquetWriter | None = None
        self._parquet_path = stage.path(f"{name}.parquet")
        self._csv = stage.path(f"{name}.csv").open("w", encoding="utf-8-sig", newline="")
        self._header = True
        self.rows = 0

    def check(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` conformed to the columns; raises if it cannot be written."""
        frame = conform(frame, self.name, self.columns)
        pa.Table.from_pandas(frame, schema=self.schema, preserve_index=False)
        return frame

    def write(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Append ``frame``'s rows (conformed to the columns); returns them as written."""
        frame = conform(frame, self.name, self.columns)
        table = pa.Table.from_pandas(frame, schema=self.schema, preserve_index=False)
        self._write(table, frame)
        return frame

    def write_arrow(self, tables: list[pa.Table]) -> None:
        """Append the rows of ``tables`` (each made by :func:`arrow_table` for this table)."""
        table = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
        if not table.schema.equals(self.schema):
            raise ValueError(f"{self.name}: rows not in the table's columns")
        frame = table.to_pandas(types_mapper=NULLABLE.get)
        for c in self.columns:  # as conform() makes them, so that the CSV reads the same
            if c.dtype == "list":
                frame[c.name] = pd.Series(table.column(c.name).to_pylist(), dtype=object)
        if self._parquet is None:  # pandas' column types, as a frame written first leaves them
            table = table.replace_schema_metadata(pa.Table.from_pandas(
                frame.iloc[:0], schema=self.schema, preserve_index=False).schema.metadata)
        self._write(table, frame)

    def _write(self, table: pa.Table, frame: pd.DataFrame) -> None:
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(self._parquet_path, table.schema)
        else:
            table = table.replace_schema_metadata(self._parquet.schema.metadata)
        self._parquet.write_table(table)
        csv_safe(frame).to_csv(self._csv, header=self._header, index=False,
                               lineterminator="\n")
        self._header = False
        self.rows += len(frame)

    def close(self) -> None:
        if self._parquet is None:  # no rows: still a file with the columns
            self.write(pd.DataFrame(columns=[c.name for c in self.columns]))
        assert self._parquet is not None  # written just above
        self._parquet.close()
        self._csv.close()


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with text that Excel would run as a formula (``=1+2``, ``@SUM``,
    ``+A1``) prefixed by ``'``, as OWASP advises; numbers such as ``-3`` and a
    bare ``-`` are left alone. Only the CSV files get this; Parquet and Stata
    keep the text as printed.

    Example:
        >>> csv_safe(pd.DataFrame({"a": ["=1+2", "-", "-3", "局"]}))["a"].tolist()
        ["'=1+2", '-', '-3', '局']
    """
    out = frame
    for column in frame.columns:
        s = frame[column]
        if isinstance(s.dtype, pd.StringDtype):
            text = s
        elif s.dtype == object:
            text = s.where(s.map(lambda v: isinstance(v, str)), None)
        else:
            continue
        risky = text.str.contains(_FORMULA, na=False)
        if risky.any():  # (numbers such as -3 are the common case: matched on few rows)
            risky[risky] = ~text[risky].str.fullmatch(_NOT_FORMULA, na=False)
        if risky.any():
            out = out.copy() if out is frame else out
            out.loc[risky, column] = "'" + text[risky]
    return out


def storable(meta: dict[str, Any], frames: dict[str, pd.DataFrame]) -> list[dict[str, Any]]:
    """Make one report's values fit every output format; returns the issues rows to add.

    A cell value that is infinite or beyond Stata's range becomes NaN
    (``unreadable``, rule ``value_out_of_range``); a metadata value that no format
    can hold (a number out of range, a text with control characters or longer than
    :data:`TEXT_MAX` characters) becomes missing (rule ``value_not_storable``). Text that
    is not valid Unicode (lone surrogates) is shown with backslash escapes.
    ``meta`` and the frames are changed in place.

    Example:
        >>> cells = pd.DataFrame({"table": ["requests"], "row": ["new"], "col": ["total"],
        ...                       "value": [float("inf")], "raw": ["9" * 400],
        ...                       "status": ["ok"]})
        >>> [i["rule"] for i in storable({"year": 2020}, {"cells": cells})]
        ['value_out_of_range']
        >>> cells["value"].isna().item(), cells["status"].item()
        (True, 'unreadable')
    """
    issues: list[dict[str, Any]] = []

    def issue(rule: str, message: str, **where: Any) -> None:
        issues.append({"rule": rule, "table": where.get("table", ""), "row": where.get("row", ""),
                       "col": where.get("col", ""), "expected": None, "observed": None,
                       "severity": "error", "message": message})

    cells = frames.get("cells")
    if cells is not None and not cells.empty:
        values = pd.to_numeric(cells["value"], errors="coerce").astype("float64")
        bad = values.notna() & ~(values.abs() <= STATA_MAX)
        for i in cells.index[bad]:
            issue("value_out_of_range", f"the value printed as {str(cells.at[i, 'raw'])[:40]!r} "
                  "is too large for any output format (Stata, Excel); left NaN",
                  table=cells.at[i, "table"], row=cells.at[i, "row"], col=cells.at[i, "col"])
        if bad.any():
            cells.loc[bad, "value"] = math.nan
            cells.loc[bad, "status"] = "unreadable"
    for key, value in list(meta.items()):
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, (int, float)):
            if not (abs(value) <= STATA_MAX and (isinstance(value, float) or abs(value) < 2**63)):
                meta[key] = None
                issue("value_not_storable", f"{key}: the number {str(value)[:40]} is out of "
                      "range for the output formats; left missing")
        elif isinstance(value, str):
            value = _unicode(value)
            meta[key] = value
            if _CONTROL.search(value) or len(value) > TEXT_MAX:
                meta[key] = None
                issue("value_not_storable", f"{key}: the text {value[:40]!r}… has control "
                      f"characters or is longer than {TEXT_MAX} characters; left missing")
    for frame in frames.values():
        for column in frame.columns:
            s = frame[column]
            if (s.dtype == object or isinstance(s.dtype, pd.StringDtype)) and not _encodes(s):
                frame[column] = s.map(lambda v: _unicode(v) if isinstance(v, str) else v)
    return issues


def _unicode(text: str) -> str:
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _encodes(s: pd.Series) -> bool:
    try:
        "".join(v for v in s.tolist() if isinstance(v, str)).encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def write_stata(stage: Staging, name: str, columns: tuple[Column, ...],
                batch_rows: int | None = None) -> dict[str, str]:
    """Write the staged ``NAME.parquet`` as Stata 118 ``.dta`` (Unicode), variables labelled.

    The file is written ``batch_rows`` rows at a time, so memory does not grow
    with the table: a first pass over the text columns finds each one's width
    (Stata strings are fixed width), then pandas' own Stata writer writes the
    header and labels, and each batch's rows as pandas would have written them.
    Only a text longer than Stata's 2,045 bytes (a ``strL``, which stores its
    texts after all the rows) makes it write the whole table at once.

    A cell's status column (:mod:`govopen.missing`) is not written as a variable:
    it chooses the extended missing value (``.a``, ``.b`` …) of the cell's NaNs.

    Returns the column → Stata name mapping used (see :func:`govopen.codebook.stata_name`).
    """
    batch_rows = batch_rows or STATA_ROWS
    source = pq.ParquetFile(stage.staged(f"{name}.parquet"))
    # a cell's status column becomes its extended missing values (.a, .b …): not a variable
    coded = [c for c, _ in status_pairs([c.name for c in columns])]
    companions = {s for _, s in status_pairs([c.name for c in columns])}
    columns = tuple(c for c in columns if c.name not in companions)
    names = stata_names([c.name for c in columns])
    text = [c.name for c in columns if c.dtype == "str"]
    widths = dict.fromkeys(text, 0)
    for batch in source.iter_batches(batch_rows, columns=text):
        for c in text:
            widths[c] = max(widths[c], pc.max(pc.binary_length(batch[c])).as_py() or 0)
    path = stage.path(f"{name}.dta")
    options = {"write_index": False, "version": 118, "data_label": DATA_LABEL,
               "variable_labels": {names[c.name]: stata_label(c) for c in columns},
               "value_labels": {names[c]: value_labels() for c in coded}}

    def coded_frame(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
        """A batch as Stata gets it, and its extended missing values by variable."""
        codes = {names[c]: v for c, v in stata_codes(frame, coded).items()}
        return _stata_frame(frame, columns, names), codes

    def batches() -> Iterator[tuple[pd.DataFrame, dict[str, np.ndarray]]]:
        for batch in source.iter_batches(batch_rows):
            yield coded_frame(batch.to_pandas())

    long_text = [names[c] for c, w in widths.items() if w > _STATA_STR_MAX]
    if long_text:
        frame, codes = coded_frame(source.read().to_pandas())
        _CodedStataWriter(path, frame, codes, convert_strl=long_text, **options).write_file()
        return names
    prototype = pd.DataFrame({names[c.name]: ["x" * max(widths[c.name], 1)] if c.dtype == "str"
                              else [0.0] for c in columns})
    _StreamingStataWriter(path, prototype, batches(), source.metadata.num_rows,
                          **options).write_file()
    return names


def _stata_frame(frame: pd.DataFrame, columns: tuple[Column, ...],
                 names: dict[str, str]) -> pd.DataFrame:
    data = {}
    for c in columns:
        s = frame[c.name]
        if c.dtype == "str":
            data[names[c.name]] = s.astype(object).where(s.notna(), "").astype(str)
        else:  # Stata has no nullable integers: missing numbers are '.', as is
            # what a Stata double cannot hold (see :func:`storable`)
            values = pd.to_numeric(s, errors="coerce").astype("float64")
            data[names[c.name]] = values.where(values.abs() <= STATA_MAX)
    return pd.DataFrame(data)


class _StreamingStataWriter(StataWriterUTF8):
    """pandas' Stata 118 writer, its data section written batch by batch.

    It is set up with a one-row ``prototype`` whose texts have each column's
    final width, so that pandas chooses the variable types and formats; ``nobs``
    is then the real number of rows. pandas prepares each batch of rows in a
    writer of its own, with the types of the whole file.
    """

    def __init__(self, path: Path, prototype: pd.DataFrame,
                 batches: Iterable[tuple[pd.DataFrame, dict[str, np.ndarray]]],
                 nobs: int, **options: Any) -> None:
        super().__init__(path, prototype, **options)
        self._batches, self.nobs = batches, nobs
        # the batches need the file's layout, not its labels
        self._options = {k: v for k, v in options.items()
                         if k in ("write_index", "version", "byteorder")}

    def _prepare_data(self) -> None:  # type: ignore[override]
        return None

    def _write_data(self, records: None) -> None:  # type: ignore[override]
        self._update_map("data")
        self._write_bytes(b"<data>")
        rows = 0
        for frame, codes in self._batches:
            part = StataWriterUTF8(io.BytesIO(), frame, **self._options)
            part.typlist = self.typlist
            self._write_bytes(_put_codes(part._prepare_data(), codes).tobytes())
            rows += len(frame)
        if rows != self.nobs:
            raise RuntimeError(f"Stata file: {rows} rows written, {self.nobs} announced")
        self._write_bytes(b"</data>")


class _CodedStataWriter(StataWriterUTF8):
    """pandas' Stata 118 writer, also writing extended missing values (``codes``)."""

    def __init__(self, path: Path, frame: pd.DataFrame, codes: dict[str, np.ndarray],
                 **options: Any) -> None:
        super().__init__(path, frame, **options)
        self._codes = codes

    def _prepare_data(self):  # type: ignore[no-untyped-def]
        return _put_codes(super()._prepare_data(), self._codes)


def _put_codes(records: Any, codes: dict[str, np.ndarray]) -> Any:
    """Replace a batch's missing values by the extended ones its statuses give.

    pandas writes every NaN as Stata's ``.``; the other missing values are
    doubles above it, which pandas refuses in a frame, so they are set in the
    prepared rows instead (:mod:`govopen.missing`).
    """
    for column, values in codes.items():
        mask = ~np.isnan(values)
        records[column][mask] = values[mask]
    return records


def write_text(stage: Staging, name: str, text: str, encoding: str = "utf-8") -> None:
    stage.path(name).write_text(text, encoding=encoding)


# --------------------------------------------------------------------------- files


def _fsync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)
