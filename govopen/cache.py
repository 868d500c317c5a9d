"""The build cache: one file per parsed report, so unchanged reports are not parsed again.

An entry is keyed by the SHA-256 of everything its content depends on: the
file's bytes, its path (the report ID), its manifest row, and the code that
reads it (:func:`code_version`: the parser version, a digest of the package's
source and templates, and the versions of the gazetteer's data packages). Change
any of them and the key changes; nothing is ever invalidated by hand. Entries are
written atomically (temporary file, then ``os.replace``), so a killed build
leaves only whole entries behind, and :meth:`Cache.prune` drops entries the
current corpus no longer uses.

An entry is data that cannot carry code (never ``pickle``: anyone who can put a
file in a shared ``OUT/.cache`` would otherwise run code in the next build). Its
layout (:func:`pack` / :func:`unpack`): a magic line, the byte lengths of its
parts, a JSON head (the ``reports`` row, the cells the cross-year checks read),
then the body tables (cells, issues, sections) as Arrow IPC streams. A build's
workers write them already in their tables' columns, and the build reads them
back as Arrow tables that must have exactly those columns and types (so that
the parent process only joins and writes them); read as DataFrames, they are
read without pandas metadata and with column types from an allow-list. An entry
that does not load (:meth:`Cache.valid`) is parsed again, never trusted.

Example:
    >>> import tempfile
    >>> c = Cache(tempfile.mkdtemp())
    >>> k = entry_key("ab" * 32, "a/b.txt", {"year": "2020"}, "v1")
    >>> c.put(k, b"parsed"); c.get(k), k in c
    (b'parsed', True)
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from govopen import __version__
from govopen.export import NULLABLE
from govopen.report import file_sha256

SUFFIX = ".entry"
MAGIC = b"govopen-cache-entry-1\n"
BODY = ("cells", "issues", "sections")
_SIZES = struct.Struct("<4Q")  # head, then each body table, in bytes
# The only column types an entry may ask for when it is read back.
_DTYPES = {"Int64", "float64", "int64", "object", "bool", "boolean", "str", "string"}
_TEXT = {"object", "str", "string"}  # text columns: any of these reads the same


class Cache:
    """A folder of entries named by their key (two-level fan-out)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}{SUFFIX}"

    def __contains__(self, key: str) -> bool:
        return self.path(key).exists()

    def valid(self, key: str) -> bool:
        """Whether entry ``key`` exists and loads (its head parses, its sizes add up)."""
        try:
            with self.path(key).open("rb") as handle:
                _, sizes = read_head(handle)
                return handle.seek(0, os.SEEK_END) == len(MAGIC) + _SIZES.size + sum(sizes)
        except (OSError, ValueError):
            return False

    def load(self, key: str, body: bool = True, schemas: dict[str, pa.Schema] | None = None
             ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """An entry's head and (if asked and present) body (see :func:`unpack`);
        ``(None, None)`` if it is missing or does not load, in which case it is deleted."""
        try:
            with self.path(key).open("rb") as handle:
                return unpack(handle, body, schemas)
        except FileNotFoundError:
            return None, None
        except (OSError, ValueError, pa.ArrowException):
            self.path(key).unlink(missing_ok=True)
            return None, None

    def get(self, key: str) -> bytes | None:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            return None

    def put(self, key: str, data: bytes) -> None:
        path = self.path(key)
        tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
        try:
            tmp.write_bytes(data)
        except FileNotFoundError:  # the folder's first entry (one mkdir, not one per entry)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
        os.replace(tmp, path)

    def keys(self) -> set[str]:
        if not self.root.exists():
            return set()
        return {p.name[: -len(SUFFIX)] for p in self.root.glob(f"*/*{SUFFIX}")}

    def prune(self, keep: set[str]) -> int:
        """Delete entries (and stale temporary files) not in ``keep``; returns how many."""
        removed = 0
        if not self.root.exists():
            return 0
        for path in self.root.glob("*/*"):
            name = path.name
            if name.startswith(".tmp-") or not name.endswith(SUFFIX) or (
                    name[: -len(SUFFIX)] not in keep):  # stale, or not an entry (.pkl)
                if path.is_file() or path.is_symlink():
                    path.unlink(missing_ok=True)
                    removed += not name.startswith(".tmp-")
        return removed


# --------------------------------------------------------------------------- entries


def pack(head: dict[str, Any], body: dict[str, Any] | None = None) -> bytes:
    """One entry's bytes: ``head`` (JSON-able) and ``body`` (the tables of :data:`BODY`,
    as DataFrames or as Arrow tables).

    Example:
        >>> import io, pandas as pd
        >>> data = pack({"meta": {"year": 2020}}, {t: pd.DataFrame({"a": [1]}) for t in BODY})
        >>> head, body = unpack(io.BytesIO(data))
        >>> head["meta"], body["cells"]["a"].tolist()
        ({'year': 2020}, [1])
    """
    parts: list[bytes] = []
    if body is not None:
        head = {**head, "dtypes": {t: {c: str(d) for c, d in body[t].dtypes.items()}
                                   for t in BODY if isinstance(body[t], pd.DataFrame)}}
        for t in BODY:
            table = body[t] if isinstance(body[t], pa.Table) else pa.Table.from_pandas(
                body[t], preserve_index=False)
            table = table.replace_schema_metadata(None)  # read back by the allow-list
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, table.schema) as writer:
                writer.write_table(table)
            parts.append(sink.getvalue().to_pybytes())
    else:
        parts = [b"", b"", b""]
    head_bytes = json.dumps(head, ensure_ascii=True, default=_plain).encode("ascii")
    return MAGIC + _SIZES.pack(len(head_bytes), *map(len, parts)) + head_bytes + b"".join(parts)


def read_head(handle: Any) -> tuple[dict[str, Any], tuple[int, ...]]:
    """An entry's head and part sizes; ``ValueError`` if it is not an entry."""
    if handle.read(len(MAGIC)) != MAGIC:
        raise ValueError("not a govopen cache entry")
    raw = handle.read(_SIZES.size)
    if len(raw) != _SIZES.size:
        raise ValueError("truncated cache entry")
    sizes = _SIZES.unpack(raw)
    if sizes[0] > 64 << 20:
        raise ValueError("cache entry head too large")
    data = handle.read(sizes[0])
    if len(data) != sizes[0]:
        raise ValueError("truncated cache entry")
    head = json.loads(data.decode("ascii"))
    if not isinstance(head, dict):
        raise ValueError("cache entry head is not an object")
    return head, sizes


def unpack(handle: Any, body: bool = True, schemas: dict[str, pa.Schema] | None = None
           ) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Read an entry written by :func:`pack` (head, body or None).

    With ``schemas`` the body tables are Arrow tables that must have exactly
    those columns and types (``ValueError`` otherwise); without, DataFrames whose
    column types come from the allow-list.
    """
    head, sizes = read_head(handle)
    if not body or "failure" in head:
        return head, None
    dtypes = head.get("dtypes") or {}
    out: dict[str, Any] = {}
    for t, size in zip(BODY, sizes[1:], strict=True):
        data = handle.read(size)
        if len(data) != size:
            raise ValueError("truncated cache entry")
        table = pa.ipc.open_stream(data).read_all()
        if schemas is not None:
            if not table.schema.equals(schemas[t]):
                raise ValueError(f"cache entry: {t} not in the table's columns")
            out[t] = table
            continue
        frame = table.to_pandas(ignore_metadata=True, types_mapper=NULLABLE.get)
        for column, dtype in (dtypes.get(t) or {}).items():
            if dtype not in _DTYPES or column not in frame:
                raise ValueError(f"cache entry: column type {dtype!r} not allowed")
            have = str(frame[column].dtype)
            if have != dtype and not (have in _TEXT and dtype in _TEXT):
                frame[column] = frame[column].astype(dtype)
        out[t] = frame
    return head, out


def _plain(value: Any) -> Any:
    """JSON for the numpy and pandas scalars a report's metadata may hold."""
    if hasattr(value, "item"):
        return value.item()
    if value is pd.NA or value is pd.NaT:
        return None
    raise TypeError(f"cannot store {type(value).__name__} in a cache entry")


def input_hashes(raw: Path, files: list[str], record: Path,
                 paths: dict[str, Path] | None = None, write: bool = True,
                 changed: Callable[[], Any] | None = None) -> dict[str, str]:
    """SHA-256 of every input file, re-read only when its size or mtime changed.

    ``record`` (a JSON file in the cache) keeps ``[size, mtime_ns, sha256]`` per
    file, as ``git`` does for its index; a file modified within two seconds of a
    build is always hashed again, so a change in the same clock tick is not missed.
    ``paths`` maps a name of ``files`` to its path where that is not ``raw/name``
    (names that are not UTF-8). A symlink that may not be read
    (:func:`govopen.manifest.refusal`) is never opened: its digest is its reason.
    ``changed`` is called once, before the first file that has to be read.
    """
    from govopen.manifest import refusal

    paths = paths or {}
    try:
        known = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    if not isinstance(known, dict):
        known = {}
    now = time.time_ns()
    out, keep = {}, {}
    for rel in files:
        path = paths.get(rel, raw / rel)
        reason = refusal(raw, os.path.relpath(path, raw)) if path.is_symlink() else None
        if reason:
            out[rel] = hashlib.sha256(reason.encode()).hexdigest()
            continue
        try:
            st = path.stat()
            old = known.get(rel)
            if (isinstance(old, list) and len(old) == 3 and old[0] == st.st_size
                    and old[1] == st.st_mtime_ns and isinstance(old[2], str)):
                out[rel] = old[2]
            else:
                if changed is not None:
                    changed()
                    changed = None  # once
                out[rel] = file_sha256(path)
        except OSError as exc:  # unreadable: its parse says so (a failures row)
            out[rel] = hashlib.sha256(f"unreadable {exc.errno}".encode()).hexdigest()
            continue
        if now - st.st_mtime_ns > 2_000_000_000:
            keep[rel] = [st.st_size, st.st_mtime_ns, out[rel]]
    if keep != known and write:
        record.parent.mkdir(parents=True, exist_ok=True)
        tmp = record.with_name(f".tmp-{os.getpid()}-{record.name}")
        tmp.write_text(json.dumps(keep, ensure_ascii=True), encoding="utf-8")
        os.replace(tmp, record)
    return out


def entry_key(content_sha256: str, report_id: str, manifest_row: dict[str, str] | None,
              code: str) -> str:
    """The cache key of one report."""
    payload = json.dumps([content_sha256, report_id, sorted((manifest_row or {}).items()), code],
                         ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def code_version(entry: str = "govopen.corpus") -> str:
    """Parser version + digest of the code a cache entry depends on + data package versions.

    The code is ``entry`` and every ``govopen`` module it imports, directly or not
    (found by reading the import statements), plus the template tables: editing
    the parser invalidates the cache, editing an unrelated module (plots) does not.
    """
    root = Path(__file__).resolve().parent
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size)
                  for p in sorted(root.rglob("*")) if p.suffix in (".py", ".csv"))
    return _code_version(entry, stamp)


@cache
def _code_version(entry: str, stamp: tuple) -> str:
    from govopen.gazetteer import data_version

    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(_module_closure(entry, root)) + sorted(root.glob("templates/*.csv")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return f"{__version__}+{h.hexdigest()[:16]};{data_version()}"


def _module_closure(entry: str, root: Path) -> set[Path]:
    """Source files of ``entry`` and of the ``govopen`` modules it imports (recursively)."""
    import ast

    def path_of(module: str) -> Path | None:
        parts = module.split(".")[1:]
        if not parts:
            return None  # the package itself: its version is in the key already
        for candidate in (root.joinpath(*parts).with_suffix(".py"),
                          root.joinpath(*parts, "__init__.py")):
            if candidate.exists():
                return candidate
        return None

    seen: set[Path] = set()
    todo = [entry]
    while todo:
        path = path_of(todo.pop())
        if path is None or path in seen:
            continue
        seen.add(path)
        for node in ast.walk(ast.parse(path.read_bytes())):
            if isinstance(node, ast.Import):
                todo += [a.name for a in node.names if a.name.startswith("govopen.")]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module == "govopen":
                    todo += [f"govopen.{a.name}" for a in node.names]
                elif node.module.startswith("govopen."):
                    todo.append(node.module)
                    todo += [f"{node.module}.{a.name}" for a in node.names]
    return seen
