"""Bad input: one clear exception type, a message naming the file, never a crash."""

from __future__ import annotations

import pytest
from conftest import RAW
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import govopen
from govopen import ReportError
from govopen.normalize import normalize_text

SEED = (RAW / "henan" / "000_6f1d8d99bf8ef63b.txt").read_text(encoding="utf-8")
FLAT = (RAW / "fujian" / "fujian_003_pingtan_2021.txt").read_text(encoding="utf-8")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(ReportError, match="empty.txt: the file is empty"):
        govopen.read_report(path)


def test_binary_junk(tmp_path):
    path = tmp_path / "junk.txt"
    path.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(ReportError, match="junk.txt: .*binary"):
        govopen.read_report(path)


def test_not_an_annual_report(tmp_path):
    path = tmp_path / "notice.txt"
    path.write_text("关于做好2024年春节放假安排的通知\n各单位：现将有关事项通知如下。\n",
                    encoding="utf-8")
    with pytest.raises(ReportError, match="does not look like"):
        govopen.read_report(path)


def test_wrong_extension(tmp_path):
    path = tmp_path / "report.txt"
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    with pytest.raises(ReportError, match="extension says txt but the content is a PDF"):
        govopen.read_report(path)


def test_unsupported_types(tmp_path):
    for name in ("report.wps", "report.xlsx"):
        path = tmp_path / name
        path.write_bytes(b"abc")
        with pytest.raises(ReportError, match=name):
            govopen.read_report(path)


def test_gbk_text_decodes(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes(normalize_text(SEED).encode("gbk"))
    report = govopen.read_report(path)
    assert report.value("proactive", "procurement", "projects") == 4


def test_truncated_report_says_what_is_missing():
    cut = SEED[: SEED.index("（四）⽆法提供")]
    report = govopen.read_text(cut)
    rules = set(report.issues.rule)
    assert {"row_not_found", "table_not_found"} <= rules
    missing = report.issues[report.issues.rule == "table_not_found"]
    assert missing.table.tolist() == ["appeals"]
    assert report.value("requests", "granted", "total") == 0


def test_title_only_report_is_a_report_with_errors():
    report = govopen.read_report(RAW / "fujian" / "pingtan_panel" / "80590.txt")
    assert report.meta["agency"] == "平潭综合实验区公安局" and report.meta["year"] == 2020
    assert report.cells.empty
    assert sorted(report.issues.query("rule == 'table_not_found'").table) == [
        "appeals", "proactive", "requests"]


def _never_crashes(text: str) -> None:
    try:
        report = govopen.read_text(text)
    except ReportError:
        return
    assert set(report.cells.columns) >= {"table", "row", "col", "value", "raw"}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_arbitrary_text(text):
    _never_crashes(text)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([SEED, FLAT]), st.lists(
    st.tuples(st.integers(0, 10_000), st.integers(0, 60),
              st.text(alphabet="0123456789 \t\n.-/、一二三四（）总计合", max_size=8)),
    min_size=1, max_size=8))
def test_mutated_reports(base, edits):
    text = base
    for pos, length, new in edits:
        pos %= max(len(text), 1)
        text = text[:pos] + new + text[pos + length:]
    _never_crashes(text)


def test_long_glued_number_in_section_four_is_reported_ambiguous():
    report = govopen.read_text(
        "某某县某某局2023年政府信息公开工作年度报告\n四、政府信息公开行政复议、行政诉讼情况\n"
        "行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计1234567890123456789012345678\n"
        "五、存在的主要问题及改进情况\n无。\n")
    assert "ambiguous_cells" in set(report.issues.rule)
    assert report.cells.query("table == 'appeals'").value.isna().all()


@pytest.mark.parametrize("suffix", [".pdf", ".docx", ".doc", ".png", ".txt", ".html"])
def test_random_bytes_are_binary_whatever_the_extension(tmp_path, suffix):
    """The same bytes get the same description under every name: binary, never "text"."""
    import random
    path = tmp_path / f"random{suffix}"
    path.write_bytes(random.Random(7).randbytes(4000))
    with pytest.raises(ReportError, match="binary data of no type govopen reads") as info:
        govopen.read_report(path)
    message = str(info.value)
    assert "the content is text" not in message and "rename" not in message
    if suffix == ".pdf":
        assert "not a PDF (no %PDF header) and not text" in message


def test_a_folder_or_a_missing_file_is_not_a_report(tmp_path):
    with pytest.raises(ReportError, match="is a folder, not a report file.*govopen build"):
        govopen.read_report(tmp_path)
    for name in ("missing", "missing.pdf"):
        with pytest.raises(ReportError, match=f"{name}: no such file$"):
            govopen.read_report(tmp_path / name)


def test_a_zip_without_a_word_document_says_so_without_internals(tmp_path):
    import zipfile
    path = tmp_path / "junk.docx"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("notes.txt", "hello")
    with pytest.raises(ReportError) as info:
        govopen.read_report(path)
    assert str(info.value).endswith(
        "junk.docx: not a valid .docx file (a zip without a Word document in it)")
    assert "KeyError" not in str(info.value) and "Content_Types" not in str(info.value)


def test_value_of_an_unknown_code_names_the_valid_ones():
    report = govopen.read_text(SEED)
    with pytest.raises(KeyError, match="no row 'nonsense' in table 'requests'; rows: new, "):
        report.value("requests", "nonsense", "total")
    with pytest.raises(KeyError, match="no table 'request'; tables: proactive, requests"):
        report.value("request", "new", "total")
    with pytest.raises(KeyError, match="no column 'amount' .* columns: projects, amount_wan"):
        report.value("proactive", "procurement", "amount")
    assert report.value("proactive", "procurement", "amount_wan") == 5.419  # printed 5.419
    # known codes of a cell this report does not have (the 2021 format's row): None
    assert report.value("requests", "other_misc", "total") is None


def test_load_of_no_build_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such folder.*make data.*govopen build"):
        govopen.load(tmp_path / "missing")
    with pytest.raises(FileNotFoundError, match="holds no built dataset.*govopen build"):
        govopen.load(tmp_path)


def test_a_build_lists_files_it_cannot_read_as_failures(tmp_path):
    """A file of a type govopen does not read is a failures row, never a silent gap;
    READMEs, hidden files and the tables kept beside the reports are not reports."""
    import shutil

    from govopen.corpus import build
    from govopen.manifest import report_files

    raw = tmp_path / "raw"
    (raw / "henan").mkdir(parents=True)
    shutil.copy(RAW / "henan" / "000_6f1d8d99bf8ef63b.txt", raw / "henan")
    for name in ("henan/r.ofd", "henan/r.xls", "henan/r.wps", "README.md", ".notes.txt",
                 "henan/list.csv", "henan/INDEX.tsv"):
        (raw / name).write_text("x", encoding="utf-8")
    assert report_files(raw) == ["henan/000_6f1d8d99bf8ef63b.txt", "henan/r.ofd",
                                 "henan/r.wps", "henan/r.xls"]
    build(raw, tmp_path / "out", jobs=0, progress=False)
    failures = govopen.load(tmp_path / "out")["failures"].set_index("file")["message"]
    assert sorted(failures.index) == ["henan/r.ofd", "henan/r.wps", "henan/r.xls"]
    assert failures["henan/r.ofd"].startswith("unsupported file type '.ofd'; supported: .txt")
