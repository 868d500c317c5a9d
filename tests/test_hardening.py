"""Issue 14: a build survives hostile inputs and a shared ``OUT`` is safe to open.

Each test plants one fault (a malicious cache file, a value no format can hold,
an odd file name, a second build) and asserts what the build does with it.
"""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import RAW

from govopen.cache import Cache
from govopen.corpus import build, load

HENAN = sorted((RAW / "henan").glob("*.txt"))


def small_raw(dest: Path, n: int = 2) -> Path:
    dest.mkdir(parents=True)
    shutil.copy(RAW / "manifest.csv", dest / "manifest.csv")
    (dest / "henan").mkdir()
    for p in HENAN[:n]:
        shutil.copy(p, dest / "henan" / p.name)
    return dest


def same_tables(a: Path, b: Path) -> None:
    ta, tb = load(a), load(b)
    assert ta.keys() == tb.keys()
    for name in ta:
        pd.testing.assert_frame_equal(ta[name], tb[name], obj=name)


class _Payload:
    """Unpickling this runs code: it creates ``marker``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


# --------------------------------------------------------------------------- the cache


def test_planted_cache_file_runs_no_code_and_is_parsed_again(tmp_path):
    raw = small_raw(tmp_path / "raw")
    out = tmp_path / "out"
    build(raw, out, jobs=0, progress=False)
    clean = tmp_path / "clean"
    shutil.copytree(out, clean)
    cache = Cache(out / ".cache")
    keys = sorted(cache.keys())
    assert len(keys) == 2
    marker = tmp_path / "pwned"
    evil = pickle.dumps(_Payload(marker))
    # a pickle where the entry is, and a pickle named as the old format named entries
    cache.path(keys[0]).write_bytes(evil)
    cache.path(keys[1]).with_suffix(".pkl").write_bytes(evil)
    (out / "build.json").unlink()  # so the build does not stop at "up to date"
    summary = build(raw, out, jobs=0, progress=False)
    assert not marker.exists()
    assert (summary["parsed"], summary["cached"], summary["failures"]) == (1, 1, 0)
    same_tables(out, clean)
    assert cache.valid(keys[0]) and not cache.path(keys[1]).with_suffix(".pkl").exists()
    # a truncated entry is parsed again too
    data = cache.path(keys[1]).read_bytes()
    cache.path(keys[1]).write_bytes(data[: len(data) // 2])
    (out / "build.json").unlink()
    assert build(raw, out, jobs=0, progress=False)["parsed"] == 1
    same_tables(out, clean)


def test_no_pickle_where_data_is_read_back():
    """The package never unpickles: no module imports pickle (nor marshal, shelve)."""
    import ast

    root = Path(__file__).resolve().parents[1] / "govopen"
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_bytes())
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        assert not names & {"pickle", "marshal", "shelve", "dill", "cloudpickle"}, path


def test_entry_body_with_a_forbidden_column_type_is_parsed_again(tmp_path):
    """The body is read by an allow-list of column types, never pandas metadata."""
    import io

    from govopen.cache import pack, unpack

    frame = pd.DataFrame({"a": [1, None]}, dtype="Int64")
    data = pack({"meta": {}}, {"cells": frame, "issues": frame, "sections": frame})
    head, body = unpack(io.BytesIO(data))
    assert str(body["cells"]["a"].dtype) == "Int64"
    bad = data.replace(b'"Int64"', b'"objec"', 1)
    assert b'"objec"' in bad
    with pytest.raises(ValueError, match="not allowed"):
        unpack(io.BytesIO(bad))


def test_entry_body_not_in_the_tables_columns_is_parsed_again(tmp_path):
    """A build reads the body as Arrow tables that must have exactly the tables'
    columns and types: anything else is an entry that does not load (deleted)."""
    import pyarrow as pa

    from govopen.cache import pack
    from govopen.corpus import _BODY_SCHEMAS

    cache = Cache(tmp_path)
    good = {t: s.empty_table() for t, s in _BODY_SCHEMAS.items()}
    cache.put("a" * 64, pack({"meta": {}}, good))
    head, body = cache.load("a" * 64, schemas=_BODY_SCHEMAS)
    assert head == {"meta": {}, "dtypes": {}} and body is not None
    assert body["cells"].schema.equals(_BODY_SCHEMAS["cells"])
    bad = {**good, "cells": good["cells"].drop_columns(["value"]).append_column(
        "value", pa.array([], pa.string()))}  # the value column as text
    cache.put("b" * 64, pack({"meta": {}}, bad))
    assert cache.load("b" * 64, schemas=_BODY_SCHEMAS) == (None, None)
    assert "b" * 64 not in cache


# --------------------------------------------------------------------------- values


def test_values_no_format_can_hold_are_missing_with_an_issue_row(tmp_path):
    """inf (400 digits), beyond Stata's range (10^308), a control character and an
    over-long text: the build writes every table, Stata included, with them missing."""
    raw = small_raw(tmp_path / "raw")
    report = raw / "henan" / "001_33e9900bc9823d6a.txt"
    text = report.read_text(encoding="utf-8")
    assert "政府集中采购\t36\t162000 元" in text
    report.write_text(text.replace("政府集中采购\t36\t162000 元",
                                   f"政府集中采购\t{'9' * 308}\t{'9' * 400} 元"), encoding="utf-8")
    manifest = raw / "manifest.csv"
    rows = manifest.read_text(encoding="utf-8").replace(
        "henan/000_6f1d8d99bf8ef63b.txt,伊川县鸦岭镇人民政府",
        "henan/000_6f1d8d99bf8ef63b.txt,伊川县鸦岭镇人民政府\x07" + "长" * 1000)
    manifest.write_text(rows, encoding="utf-8")
    out = tmp_path / "out"
    summary = build(raw, out, jobs=0, progress=False)
    assert (summary["reports"], summary["failures"]) == (2, 0)
    t = load(out)
    cells = t["cells"].set_index(["report_id", "table", "row", "col"])
    for col in ("projects", "amount_wan"):
        cell = cells.loc[("henan/001_33e9900bc9823d6a.txt", "proactive", "procurement", col)]
        assert pd.isna(cell["value"]) and cell["status"] == "unreadable"
    issues = t["issues"]
    flagged = issues[issues.rule == "value_out_of_range"]
    assert sorted(flagged.col) == ["amount_wan", "projects"]
    assert set(flagged.report_id) == {"henan/001_33e9900bc9823d6a.txt"}
    agency = t["reports"].set_index("report_id").loc["henan/000_6f1d8d99bf8ef63b.txt", "agency"]
    assert pd.isna(agency)
    assert "agency" in issues[issues.rule == "value_not_storable"].message.iloc[0]
    dta = pd.read_stata(out / "wide.dta")
    assert len(dta) == 2 and dta.filter(like="procurement").iloc[:, 0].notna().sum() == 1


def test_csv_cells_that_excel_would_run_are_neutralised(tmp_path):
    raw = small_raw(tmp_path / "raw")
    manifest = raw / "manifest.csv"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        "henan/000_6f1d8d99bf8ef63b.txt,伊川县鸦岭镇人民政府", "henan/000_6f1d8d99bf8ef63b.txt,=1+2"),
        encoding="utf-8")
    out = tmp_path / "out"
    build(raw, out, jobs=0, progress=False)
    reports = load(out)["reports"].set_index("report_id")
    assert reports.loc["henan/000_6f1d8d99bf8ef63b.txt", "agency"] == "=1+2"  # Parquet: as is
    csv = pd.read_csv(out / "reports.csv", encoding="utf-8-sig", dtype=str).set_index("report_id")
    assert csv.loc["henan/000_6f1d8d99bf8ef63b.txt", "agency"] == "'=1+2"
    cells = pd.read_csv(out / "cells.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert "-" in set(cells["raw"]) or not cells["raw"].str.startswith("'").any()


def test_manifest_in_gbk_with_superscript_and_full_width_years(tmp_path):
    raw = small_raw(tmp_path / "raw")
    manifest = raw / "manifest.csv"
    lines = manifest.read_text(encoding="utf-8").splitlines()
    text = "\n".join(line for i, line in enumerate(lines)
                     if i == 0 or line.startswith("henan/")) + "\n"
    text = text.replace("henan/001_33e9900bc9823d6a.txt,荥阳市广武镇人民政府,2020",
                        "henan/001_33e9900bc9823d6a.txt,荥阳市广武镇人民政府,２０２２年")
    manifest.write_bytes(text.encode("gbk", "replace"))  # what Excel on a Chinese Windows saves
    out = tmp_path / "out"
    assert build(raw, out, jobs=0, progress=False)["failures"] == 0
    reports = load(out)["reports"].set_index("report_id")
    assert reports.loc["henan/001_33e9900bc9823d6a.txt", "year"] == 2022
    assert reports.loc["henan/001_33e9900bc9823d6a.txt", "agency"] == "荥阳市广武镇人民政府"
    # superscript digits (GBK has none: UTF-8), and a year that is no year
    text = text.replace("henan/000_6f1d8d99bf8ef63b.txt,伊川县鸦岭镇人民政府,2020",
                        "henan/000_6f1d8d99bf8ef63b.txt,伊川县鸦岭镇人民政府,²⁰²¹")
    text = text.replace("荥阳市广武镇人民政府,２０２２年", "荥阳市广武镇人民政府,去年")
    manifest.write_text(text, encoding="utf-8")
    assert build(raw, out, jobs=0, progress=False)["failures"] == 0
    t = load(out)
    reports = t["reports"].set_index("report_id")
    assert reports.loc["henan/000_6f1d8d99bf8ef63b.txt", "year"] == 2021
    assert reports.loc["henan/001_33e9900bc9823d6a.txt", "year"] == 2020  # the document's
    ignored = t["issues"].query("rule == 'manifest_value_ignored'")
    assert list(ignored.report_id) == ["henan/001_33e9900bc9823d6a.txt"]


# --------------------------------------------------------------------------- names, paths


def test_file_names_that_are_not_utf8_or_odd_work(tmp_path):
    raw = small_raw(tmp_path / "raw", 1)
    body = HENAN[1].read_bytes()
    folder = os.fsencode(raw / "henan")
    for name in (b"r\xff\xfe.txt", b"-dash.txt", b"new\nline.txt", b"\xe6\x8a\xa5.txt"):
        Path(os.fsdecode(folder + b"/" + name)).write_bytes(body)
    out = tmp_path / "out"
    summary = build(raw, out, jobs=0, progress=False)
    assert (summary["reports"], summary["failures"]) == (5, 0)
    ids = set(load(out)["reports"]["report_id"])
    assert {"henan/r\\xff\\xfe.txt", "henan/-dash.txt", "henan/new\nline.txt",
            "henan/报.txt"} <= ids
    csv = pd.read_csv(out / "reports.csv", encoding="utf-8-sig", dtype=str)
    assert "henan/r\\xff\\xfe.txt" in set(csv["report_id"])
    assert "'-dash.txt" not in set(csv["report_id"])  # not a formula: left alone
    assert len(pd.read_stata(out / "wide.dta")) == 5
    assert build(raw, out, jobs=0, progress=False)["up_to_date"]


def test_symlinks_out_of_raw_and_loops_are_refused(tmp_path):
    raw = small_raw(tmp_path / "raw")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "private.txt").write_text(HENAN[2].read_text(encoding="utf-8")
                                         + "\nSECRET-OUTSIDE-RAW\n", encoding="utf-8")
    (raw / "henan" / "link_out.txt").symlink_to(outside / "private.txt")
    (raw / "henan" / "loop.txt").symlink_to(raw / "henan" / "loop.txt")
    (raw / "henan" / "inside.txt").symlink_to(raw / "henan" / HENAN[0].name)  # fine
    (raw / "folder_out").symlink_to(outside, target_is_directory=True)  # not followed
    (raw / "cycle").symlink_to(raw, target_is_directory=True)
    out = tmp_path / "out"
    summary = build(raw, out, jobs=0, progress=False)
    assert (summary["reports"], summary["failures"]) == (3, 2)
    failures = load(out)["failures"].set_index("file")["message"]
    assert "outside the raw folder" in failures["henan/link_out.txt"]
    assert "loops" in failures["henan/loop.txt"]
    for path in out.iterdir():
        if path.is_file():
            assert b"SECRET-OUTSIDE-RAW" not in path.read_bytes(), path


def test_manifest_paths_outside_raw_are_refused(tmp_path):
    raw = small_raw(tmp_path / "raw")
    with (raw / "manifest.csv").open("a", encoding="utf-8") as f:
        f.write("../elsewhere.txt,某局,2020,,,,,,,,\n/etc/passwd,某局,2020,,,,,,,,\n")
    out = tmp_path / "out"
    summary = build(raw, out, jobs=0, progress=False)
    assert (summary["reports"], summary["failures"]) == (2, 2)
    failures = load(out)["failures"]
    assert set(failures.file) == {"../elsewhere.txt", "/etc/passwd"}
    assert set(failures.error) == {"Refused"}


def test_out_inside_raw_is_not_read_as_reports(tmp_path):
    raw = small_raw(tmp_path / "raw")
    out = raw / "processed"
    assert build(raw, out, jobs=0, progress=False)["reports"] == 2
    (raw / "henan" / HENAN[0].name).touch()  # not up to date by mtime; same content
    summary = build(raw, out, jobs=0, progress=False)
    assert (summary["reports"], summary["failures"]) == (2, 0)


# --------------------------------------------------------------------------- OUT


def test_out_that_is_a_file_or_a_full_disk_is_one_clear_message(tmp_path, monkeypatch):
    from govopen import export
    from govopen.corpus import BuildError

    raw = small_raw(tmp_path / "raw")
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(BuildError, match="it is a file, not a folder"):
        build(raw, tmp_path / "file", jobs=0, progress=False)
    out = tmp_path / "out"
    build(raw, out, jobs=0, progress=False)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    (raw / "henan" / HENAN[0].name).write_text(HENAN[0].read_text(encoding="utf-8") + "\n",
                                               encoding="utf-8")

    def full(self, frame):
        raise OSError(28, "No space left on device", str(self._parquet_path))

    monkeypatch.setattr(export.TableWriter, "write", full)
    with pytest.raises(BuildError, match="the disk is full.*previous build there"):
        build(raw, out, jobs=0, progress=False)
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == before  # the previous build, untouched, no temporary files left


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write a read-only folder")
def test_read_only_out_is_one_clear_message(tmp_path):
    from govopen.corpus import BuildError

    raw = small_raw(tmp_path / "raw")
    out = tmp_path / "out"
    build(raw, out, jobs=0, progress=False)
    out.chmod(0o555)
    try:
        assert build(raw, out, jobs=0, progress=False)["up_to_date"]  # nothing to write
        (raw / "henan" / HENAN[0].name).write_text("changed", encoding="utf-8")
        with pytest.raises(BuildError, match="cannot write"):
            build(raw, out, jobs=0, progress=False)
    finally:
        out.chmod(0o755)


# --------------------------------------------------------------------------- time limits


def test_build_timeout_longer_than_a_readers_default_lets_a_slow_file_finish(tmp_path,
                                                                             monkeypatch):
    """One time limit: ``build(timeout=…)`` reaches the PDF reader, whatever its default."""
    import govopen.readers.pdf as pdf

    raw = small_raw(tmp_path / "raw", 1)
    shutil.copy(Path(__file__).parent / "fixtures" / "pdf" / "report_merged.pdf",
                raw / "henan" / "slow.pdf")
    real = pdf._read

    def slow(source, *args):
        import time
        time.sleep(1.5)
        return real(source, *args)

    monkeypatch.setattr(pdf, "_read", slow)
    # a reader default < 1.5 s (the engine argument keeps its default)
    monkeypatch.setattr(pdf.read_pdf, "__defaults__", (1.0, *pdf.read_pdf.__defaults__[1:]))
    out = tmp_path / "out"
    summary = build(raw, out, jobs=0, timeout=30, progress=False)
    assert (summary["reports"], summary["failures"]) == (2, 0)
    # a limit shorter than the file needs: a Timeout row, tried again by the next build
    out2 = tmp_path / "out2"
    summary = build(raw, out2, jobs=0, timeout=1.0, progress=False)
    assert load(out2)["failures"].set_index("file").loc["henan/slow.pdf", "error"] == "Timeout"
    assert build(raw, out2, jobs=0, timeout=30, progress=False)["parsed"] == 1


def _slow_pdf(tmp_path: Path, pages: int = 100) -> Path:
    """A PDF that takes PDFium ~15 s (pdfplumber far longer) but little memory.

    The work is spread over many small pages, so the reader reaches Python
    between them and the alarm is never stuck behind one long C call; one page
    of 400,000 operators took PDFium only 1.4 s, too close to a 2 s limit.
    """
    import fuzzing

    kids = b" ".join(b"%d 0 R" % (10 + i) for i in range(pages))
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        4: fuzzing._stream(b"BT /F1 1 Tf " + b"(9) Tj 0.01 0 Td " * 40_000 + b"ET", flate=True),
        5: fuzzing._FONT,
    }
    for i in range(pages):
        objects[10 + i] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                           b"/Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>")
    path = tmp_path / "slow.pdf"
    path.write_bytes(fuzzing.pdf(objects))
    return path


@pytest.mark.parametrize("case", ["bomb", "flood"])
def test_pdf_streams_past_a_limit_never_reach_pdfium(tmp_path, monkeypatch, case):
    """PDFium inflates and parses a page's content in one C call that no alarm
    interrupts, with no bound of its own: a 1 GB Flate bomb took it 15 s and 2.2 GB,
    a page of 10^6 text operators 4 s. Such a stream is refused before PDFium opens
    the file, with a ReportError naming the limit."""
    import zlib

    import fuzzing

    from govopen.errors import ReportError
    from govopen.readers import pdfium
    from govopen.report import read_report

    if case == "bomb":  # 100 MB of NUL bytes (past stream_bytes, 64 MB)
        z = zlib.compressobj(9)
        data = b"".join(z.compress(bytes(1 << 20)) for _ in range(100)) + z.flush()
        stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (
            len(data), data)
        limit = "stream_bytes"
    else:
        stream = fuzzing._stream(b"BT /F1 1 Tf " + b"(9) Tj 0.01 0 Td " * 200_000 + b"ET",
                                 flate=True)
        limit = "content_tokens"
    path = tmp_path / f"{case}.pdf"
    path.write_bytes(fuzzing._page_pdf(stream=stream))
    opened = []
    monkeypatch.setattr(pdfium, "open_pdfium", lambda source: opened.append(source))
    with pytest.raises(ReportError, match=f"exceeds the {limit} limit"):
        read_report(path)
    assert not opened


def test_read_report_time_limit_holds_on_the_main_thread_and_off_it(tmp_path):
    import threading
    import time

    from govopen.errors import ReportTimeout
    from govopen.report import read_report

    path = _slow_pdf(tmp_path)
    t0 = time.monotonic()
    with pytest.raises(ReportTimeout, match="longer than 1 s"):
        read_report(path, timeout=1)
    assert time.monotonic() - t0 < 10
    caught = []

    def in_thread():  # no signals here: the file is read in a child process
        try:
            read_report(path, timeout=1)
        except ReportTimeout as exc:
            caught.append(exc)

    t0 = time.monotonic()
    thread = threading.Thread(target=in_thread)
    thread.start()
    thread.join(60)
    assert caught and time.monotonic() - t0 < 30
    report = []
    thread = threading.Thread(target=lambda: report.append(read_report(HENAN[0], timeout=30)))
    thread.start()
    thread.join(60)
    assert report[0].meta["agency"] == "鸦岭镇政府"  # as its title prints it


def test_a_report_of_glued_numbers_spends_a_bounded_budget(monkeypatch):
    """Every row of 二 and 三 printed as 1–3 digit numbers glued together (a
    crawler's flattened page): once 10–20 s and 370,000 cells made while listing
    the ways to cut the digits; now the readings are counted before any is listed,
    the rows past the report's budget stay ambiguous, and no cell is wrong."""
    import math
    import random

    from render import random_values, render

    import govopen
    from govopen import split

    rng = random.Random(1)
    fmt_, year, values = random_values(
        lambda lo, hi: rng.randint(lo, hi if lo >= 1000 else min(hi, 999)), blanks=False)
    made = []
    piece = split._piece
    monkeypatch.setattr(split, "_piece", lambda *a: made.append(1) or piece(*a))
    report = govopen.read_text(render(values, fmt_, year, "flat"))
    cells = report.cells
    assert len(made) <= 20 * split.REPORT_READINGS  # was 368,481
    wrong = [c for c in cells.itertuples() if not math.isnan(c.value)
             and c.value != values[(c.table, c.row, c.col)]]
    assert not wrong
    assert (cells.status == "ok").any()  # rows within the budget are still read
    ambiguous = cells[cells.status == "ambiguous"]
    assert len(ambiguous) > 100 and ambiguous.value.isna().all()
    flagged = report.issues.query("rule == 'ambiguous_cells'")
    assert set(ambiguous.table) <= set(flagged.table)
    assert set(ambiguous.query("table != 'appeals'").row) <= set(flagged.row)


def test_a_text_of_thousands_of_table_rows_is_refused_by_the_rows_limit():
    """Fuzz input mut_1_01555: a chunk of table rows repeated (4,129 rows in one
    table) took 61 s, a few milliseconds per row; real tables have < 100 rows."""
    import random

    from render import random_values, render

    import govopen
    from govopen.errors import ReportError

    fmt_, year, values = random_values(random.Random(3).randint)
    lines = render(values, fmt_, year, "space").split("\n")
    at = next(i for i, line in enumerate(lines) if "本年新收" in line)
    text = "\n".join(lines[:at] + lines[at:at + 3] * 500 + lines[at:])
    with pytest.raises(ReportError, match="exceeds the rows limit"):
        govopen.read_text(text)
    assert govopen.read_text("\n".join(lines[:at] + lines[at:at + 3] * 20 + lines[at:])).cells[
        "value"].notna().any()  # a few repeated rows are still read


def test_an_html_page_of_many_tags_is_refused_by_the_html_tags_limit(tmp_path):
    """Fuzz input mut_1_02183: a chunk of a report page repeated (51,000 tags; real
    report pages have < 5,000) took more than 60 s to parse and walk."""
    import random

    import fuzzing

    from govopen.errors import ReportError
    from govopen.report import read_report

    page = fuzzing.html_report(random.Random(5))
    at = page.index(b"<tr")
    chunk = page[at:page.index(b"</tr>", at) + 5]
    path = tmp_path / "many.html"
    path.write_bytes(page[:at] + chunk * (35_000 // chunk.count(b"<")) + page[at:])
    with pytest.raises(ReportError, match="exceeds the html_tags limit"):
        read_report(path)


# --------------------------------------------------------------------------- two builds


def test_two_builds_on_one_out_at_once(tmp_path):
    import subprocess
    import sys

    from conftest import ROOT

    from govopen.export import locked

    raw = small_raw(tmp_path / "raw", 5)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "govopen", "build", str(raw), "-o", str(out), "-j", "1",
           "--no-progress"]
    # The first build holds this lock from its start to its last rename; holding
    # it here is that build at any moment of its run. (Racing a real first build
    # failed whenever it finished the 5 reports before the second one started.)
    with locked(out):
        second = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True,
                                timeout=300)
    assert second.returncode == 2
    assert "another build is writing" in second.stderr and "Traceback" not in second.stderr
    first = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    clean = tmp_path / "clean"
    build(raw, clean, jobs=0, progress=False)
    same_tables(out, clean)


# --------------------------------------------------------------------------- kill -9


def test_a_commit_cut_between_two_renames_never_loads_as_a_mix(tmp_path, monkeypatch):
    """A build stopped after 5 of its renames, in a first build (no record
    yet: load once returned cells without their reports) and in a rebuild with a new
    file (new cells beside old reports): load refuses both, the next build completes."""
    from govopen import export

    real, renames = os.replace, 5

    class Killed(BaseException):
        pass

    def torn_build(raw: Path, out: Path) -> None:
        done = []

        def replace(src, dst):
            if len(done) >= renames:
                raise Killed
            done.append(dst)
            real(src, dst)

        monkeypatch.setattr(export.os, "replace", replace)
        with pytest.raises(Killed):
            build(raw, out, jobs=0, progress=False)
        monkeypatch.setattr(export.os, "replace", real)

    raw, out = small_raw(tmp_path / "raw", 2), tmp_path / "out"
    torn_build(raw, out)
    assert (out / "cells.parquet").exists() and not (out / "build.json").exists()
    with pytest.raises(RuntimeError, match="interrupted"):
        load(out)
    build(raw, out, jobs=0, progress=False)
    clean = tmp_path / "clean"
    build(raw, clean, jobs=0, progress=False)
    same_tables(out, clean)
    shutil.copy(HENAN[2], raw / "henan" / HENAN[2].name)
    torn_build(raw, out)
    with pytest.raises(RuntimeError, match="interrupted"):
        load(out)
    build(raw, out, jobs=0, progress=False)
    assert len(load(out)["reports"]) == 3


@pytest.mark.slow  # five builds killed and redone: 20-75 s
def test_kill_9_at_five_random_moments_leaves_the_outputs_of_a_clean_build(tmp_path):
    """The build, or one of its workers, killed outright at a random moment (parsing,
    writing, committing); the next build's outputs are those of a clean build."""
    import random
    import signal
    import subprocess
    import sys
    import time

    import psutil
    from conftest import ROOT

    raw = small_raw(tmp_path / "raw", 3)
    clean = tmp_path / "clean"
    build(raw, clean, jobs=0, progress=False)
    names = sorted(p.name for p in clean.iterdir() if p.suffix in (".parquet", ".csv"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = tmp_path / "out"

    def command() -> list[str]:
        return [sys.executable, "-m", "govopen", "build", str(raw), "-o", str(out), "-j", "2",
                "--no-progress"]

    t0 = time.monotonic()
    subprocess.run(command(), env=env, cwd=ROOT, check=True, capture_output=True, timeout=300)
    span = time.monotonic() - t0
    rng = random.Random(14)
    for round_ in range(5):
        if round_ % 2 == 0:
            shutil.rmtree(out / ".cache")  # parse everything again
        (out / "build.json").unlink(missing_ok=True)
        proc = subprocess.Popen(command(), env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.1, span))
        victim = proc.pid
        if round_ % 2 == 1:  # one worker instead of the build
            workers = psutil.Process(proc.pid).children(recursive=True)
            victim = workers[-1].pid if workers else proc.pid
        try:
            os.kill(victim, signal.SIGKILL)
        except ProcessLookupError:
            pass  # it had finished
        proc.wait(timeout=300)
        summary = build(raw, out, jobs=0, progress=False)
        assert summary["failures"] == 0, round_
        for name in names:
            assert (out / name).read_bytes() == (clean / name).read_bytes(), (round_, name)
        pd.testing.assert_frame_equal(pd.read_stata(out / "wide.dta"),
                                      pd.read_stata(clean / "wide.dta"))
        assert not [p for p in out.iterdir() if p.name.startswith(".tmp-")]


def test_the_time_limit_holds_on_a_dask_cluster(tmp_path):
    """Dask runs tasks on threads: the file is read in a child process of the worker."""
    import time

    distributed = pytest.importorskip("distributed")
    raw = small_raw(tmp_path / "raw", 1)
    shutil.copy(_slow_pdf(tmp_path), raw / "henan" / "slow.pdf")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        t0 = time.monotonic()
        summary = build(raw, tmp_path / "out", dask=cluster.scheduler_address, timeout=2,
                        progress=False)
        seconds = time.monotonic() - t0
    assert (summary["reports"], summary["failures"]) == (1, 1)
    row = load(tmp_path / "out")["failures"].iloc[0]
    assert (row.file, row.error) == ("henan/slow.pdf", "Timeout")
    assert seconds < 60, seconds
