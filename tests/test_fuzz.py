"""The fuzzing suite's fixed sample (issue 14): hostile inputs end in a Report or a
clean ``ReportError``, within the time limit, and nothing an input refers to leaks.

Every crafted attack of :mod:`fuzzing` (bombs at 200 MB rather than 1 GB, to keep
``make test`` short) and a seeded sample of mutations are read in a worker
process with a hard limit, as ``benchmarks/fuzz.py`` does for 10,000+ inputs.
Hypothesis adds byte-level mutations of a rendered report in each format.
"""

from __future__ import annotations

import random
import shutil

import fuzzing
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govopen.errors import ReportError
from govopen.runner import Task, run

LIMIT = 60.0  # generous: the machine running the suite may be busy
SAMPLE = 60  # seeded mutations, spread over the four formats
BIG = {"pdf/crafted_flate_bomb_1gb.pdf", "docx/crafted_zip_bomb_1gb.docx"}


def _read_all(tmp_path, items):
    paths = {}
    for name, data in items:
        path = tmp_path / name.replace("/", "__")
        path.write_bytes(data)
        paths[name] = path
    tasks = [Task(name, (str(path), LIMIT)) for name, path in paths.items()]
    return {o.key: o for o in run(fuzzing.probe, tasks, jobs=1, timeout=LIMIT + 30,
                                  warmup=fuzzing.cap_memory)}


# Reads every crafted input in a worker process (35-55 s): the tests that use it are
# marked slow (`make test` runs them, `make test-fast` does not).
@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fuzz")
    items = [(n, d) for n, d in fuzzing.crafted() if n not in BIG]
    items += list(fuzzing.mutations(14, SAMPLE))
    return _read_all(tmp, items)


@pytest.mark.slow
def test_every_input_is_a_report_or_a_report_error(outcomes):
    """A Report, a ReportError, or the library's own time limit (``ReportTimeout``, a
    ``ReportError``): never another exception, never a read the hard limit had to kill."""
    assert len(outcomes) > 150
    bad = {k: (o.error, o.message) if not o.ok else (o.value["outcome"], o.value["message"])
           for k, o in outcomes.items()
           if not o.ok or o.value["outcome"] not in ("ok", "ReportError", "Timeout")}
    assert not bad
    slow = sorted(k for k, o in outcomes.items() if o.value["outcome"] == "Timeout")
    assert set(slow) <= {"pdf/crafted_text_ops_flood.pdf"}, slow  # 200,000 text operators


@pytest.mark.slow
def test_nothing_an_input_refers_to_appears_in_the_output(outcomes):
    xxe = [k for k in outcomes if "xxe" in k or "xinclude" in k]
    assert len(xxe) == 3
    assert not [k for k, o in outcomes.items() if o.ok and o.value["leak"]]


@pytest.mark.slow
def test_limits_are_named_in_the_message(outcomes):
    def message(name):
        return outcomes[name].value["message"]

    assert "numbering limit" in message("docx/crafted_numbering_roman_1e12.docx")
    assert "span limit" in message("docx/crafted_gridbefore_huge.docx")
    assert "unzipped_bytes" in message("docx/crafted_zip_bomb_document.docx") or \
        "xml_bytes" in message("docx/crafted_zip_bomb_document.docx")
    assert "depth limit" in message("html/crafted_deep_table_10000.html")
    assert "text_bytes limit" in message("html/crafted_line_50mb.html")
    # The bombs never reach PDFium (the default engine), which would inflate them
    # whole; it reads no page from the loop ("contains no text"). The pdfplumber
    # engine names what it stopped at (test_pdf_limits_are_named_on_pdfplumber).
    bomb = message("pdf/crafted_flate_bomb_200mb.pdf")
    assert "content_tokens limit" in bomb or "stream_bytes limit" in bomb
    assert "content_tokens limit" in message("pdf/crafted_text_ops_flood.pdf")
    assert outcomes["pdf/crafted_contents_self.pdf"].value["outcome"] == "ReportError"
    assert "line_chars limit" in message("txt/crafted_line_1mb.txt") or \
        "line_chars limit" in message("txt/crafted_line_30mb.txt")


@pytest.mark.slow
def test_peak_memory_of_each_read_is_under_a_gigabyte(outcomes):
    peaks = {k: o.value["peak_mb"] for k, o in outcomes.items() if o.ok}
    assert max(peaks.values()) < 1024, max(peaks.items(), key=lambda kv: kv[1])


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf makes the encrypted PDFs")
@pytest.mark.slow
def test_encrypted_pdfs(outcomes):
    with_password = outcomes["pdf/crafted_encrypted_with_password.pdf"].value
    assert with_password["outcome"] == "ReportError"
    assert "password" in with_password["message"]
    # an empty user password opens like any PDF
    assert outcomes["pdf/crafted_encrypted_empty_password.pdf"].value["outcome"] == "ok"


def test_utf8_with_a_bad_byte_or_cut_is_read_with_an_issue_row(tmp_path):
    from govopen.report import read_report

    data = fuzzing.text_report(random.Random(3))
    bad = data[:300] + b"\xff" + data[300:]
    cut = data + "报".encode()[:2]
    for name, body in (("bad.txt", bad), ("cut.txt", cut)):
        (tmp_path / name).write_bytes(body)
        report = read_report(tmp_path / name)
        assert "encoding_repaired" in set(report.issues["rule"]), name
        assert report.document.text.count("\ufffd") == 1


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(fuzzing.KINDS), seed=st.integers(0, 2**32 - 1),
       ops=st.lists(st.sampled_from([*fuzzing.GENERIC]), min_size=1, max_size=3))
def test_mutated_reports_in_process(tmp_path, kind, seed, ops):
    """In this process (signals bound the time): only a Report or a ReportError."""
    from govopen.report import read_report

    rng = random.Random(seed)
    data = fuzzing.BASES[kind](rng)
    for op in ops:
        data = op(data, rng)
    path = tmp_path / f"input.{kind}"
    path.write_bytes(data)
    try:
        read_report(path, timeout=LIMIT)
    except ReportError:
        pass


def test_pdf_limits_are_named_on_pdfplumber(tmp_path):
    import govopen

    crafted = dict(fuzzing.crafted())
    for name, says in (("pdf/crafted_flate_bomb_200mb.pdf", "stream_bytes limit"),
                       ("pdf/crafted_contents_self.pdf", "refers to itself")):
        path = tmp_path / name.replace("/", "__")
        path.write_bytes(crafted[name])
        with pytest.raises(ReportError, match=says):
            govopen.read_report(path, pdf_engine="pdfplumber")
