"""The command line: ``govopen parse FILE [--json]``, ``--help``, ``--version``."""

import json
import subprocess
import sys

from conftest import RAW

from govopen.cli import main

SEED = RAW / "henan" / "001_33e9900bc9823d6a.txt"


def test_parse_prints_cells_and_issues(capsys):
    assert main(["parse", str(SEED)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("荥阳市广武镇人民政府 · 2020 · format 2019")
    assert "procurement" in out and "balance" in out


def test_parse_json(capsys):
    assert main(["parse", str(SEED), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    cell = next(c for c in data["cells"] if c["row"] == "procurement" and c["col"] == "amount_wan")
    assert cell["value"] == 16.2 and cell["raw"] == "162000 元" and cell["line"] == 62
    assert {i["rule"] for i in data["issues"]} >= {"balance", "outcomes"}
    assert data["meta"]["agency"] == "荥阳市广武镇人民政府"


def test_parse_bad_file_is_a_clear_error(tmp_path, capsys):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert main(["parse", str(path)]) == 2
    assert "empty.txt: the file is empty" in capsys.readouterr().err


def test_help_is_plain_text_with_examples(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: govopen")
    assert "examples:\n  govopen parse report.pdf" in out and "govopen build data/raw" in out
    assert "``" not in out  # no reStructuredText markup


def test_version(capsys):
    from govopen import __version__
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"govopen {__version__}"


def test_usage_error_is_a_status_not_a_traceback(capsys):
    assert main(["parse"]) == 2
    assert "the following arguments are required: file" in capsys.readouterr().err


def test_output_cut_short_by_a_closed_pipe_is_quiet():
    """`govopen parse FILE | head`: the reader closes the pipe; no BrokenPipeError."""
    proc = subprocess.Popen([sys.executable, "-m", "govopen", "parse", str(SEED), "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # like `head` exiting before anything is written
    stderr = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert "BrokenPipeError" not in stderr and "Traceback" not in stderr, stderr
    assert proc.returncode == 141


def test_parse_names_the_input_form(capsys):
    from conftest import ROOT
    md = ROOT / "tests" / "fixtures" / "converters" / "jiangsu_huaian_hongze_2023.pymupdf4llm.md"
    assert main(["parse", str(md)]) == 0
    assert "input form: markdown (markdown with pipe tables" in capsys.readouterr().out
    assert main(["parse", str(SEED)]) == 0
    assert "input form: text-" in capsys.readouterr().out


def _one_line_error(capsys, argv: list[str]) -> str:
    """Run ``govopen ARGV``: it must fail with status 2 and one line on stderr."""
    assert main(argv) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in err, err
    return err


def test_parse_xlsx_to_a_missing_folder_or_a_folder_is_one_line(tmp_path, capsys):
    missing = tmp_path / "nowhere" / "x.xlsx"
    assert "does not exist" in _one_line_error(capsys, ["parse", str(SEED), "--xlsx",
                                                        str(missing)])
    assert "is a folder" in _one_line_error(capsys, ["parse", str(SEED), "--xlsx",
                                                     str(tmp_path)])
    assert not missing.parent.exists()


def test_review_into_a_file_or_from_no_build_is_one_line(tmp_path, capsys):
    a_file = tmp_path / "page"
    a_file.write_text("x", encoding="utf-8")
    assert "is a file" in _one_line_error(capsys, ["review", str(a_file)])
    out = str(tmp_path / "review")
    for data in (tmp_path / "nonexistent", tmp_path):  # no folder; a folder with no build
        err = _one_line_error(capsys, ["review", out, "--data", str(data), "--raw", str(RAW)])
        assert "govopen build" in err and str(data) in err
    assert not (tmp_path / "review").exists()


def test_parse_header_of_a_report_without_tables_says_so(capsys):
    title_only = RAW / "fujian" / "pingtan_panel" / "80590.txt"
    assert main(["parse", str(title_only)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("平潭综合实验区公安局 · 2020 · no tables found · 0 cells")
    assert "None" not in out.splitlines()[0] and "Empty DataFrame" not in out
