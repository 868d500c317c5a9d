"""The build cache: one file per parsed report, so unchanged reports are not parsed again.

An entry is keyed by the SHA-256 of everything its content depends on: the
file's bytes, its path (the report ID), its manifest row, and the code that
reads it (:func:`code_version`: the parser version, a digest of the package's
source and templates, and the versions of the gazetteer's data packages). Change
any of them and the key changes; nothing is ever invalidated by hand. Entries are
written atomically (temporary file, then ``os.replace``), so a killed build
leaves only whole entries behind, and :meth:`Cache.prune` drops entries the
current corpus no longer uses.

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
import time
from functools import cache
from pathlib import Path

from govopen import __version__
from govopen.report import file_sha256

SUFFIX = ".pkl"


class Cache:
    """A folder of entries named by their key (two-level fan-out)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}{SUFFIX}"

    def __contains__(self, key: str) -> bool:
        return self.path(key).exists()

    def get(self, key: str) -> bytes | None:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            return None

    def put(self, key: str, data: bytes) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
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
            if name.startswith(".tmp-") or (name.endswith(SUFFIX)
                                             and name[: -len(SUFFIX)] not in keep):
                path.unlink(missing_ok=True)
                removed += not name.startswith(".tmp-")
        return removed


def input_hashes(raw: Path, files: list[str], record: Path) -> dict[str, str]:
    """SHA-256 of every input file, re-read only when its size or mtime changed.

    ``record`` (a JSON file in the cache) keeps ``[size, mtime_ns, sha256]`` per
    file, as ``git`` does for its index; a file modified within two seconds of a
    build is always hashed again, so a change in the same clock tick is not missed.
    """
    try:
        known = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    now = time.time_ns()
    out, keep = {}, {}
    for rel in files:
        st = (raw / rel).stat()
        old = known.get(rel)
        if old and old[0] == st.st_size and old[1] == st.st_mtime_ns:
            out[rel] = old[2]
        else:
            out[rel] = file_sha256(raw / rel)
        if now - st.st_mtime_ns > 2_000_000_000:
            keep[rel] = [st.st_size, st.st_mtime_ns, out[rel]]
    if keep != known:
        record.parent.mkdir(parents=True, exist_ok=True)
        tmp = record.with_name(f".tmp-{os.getpid()}-{record.name}")
        tmp.write_text(json.dumps(keep, ensure_ascii=False), encoding="utf-8")
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
