"""The command line: ``govopen parse FILE [--json]``."""

import json

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


def test_parse_names_the_input_form(capsys):
    from conftest import ROOT
    md = ROOT / "tests" / "fixtures" / "converters" / "jiangsu_huaian_hongze_2023.pymupdf4llm.md"
    assert main(["parse", str(md)]) == 0
    assert "input form: markdown (markdown with pipe tables" in capsys.readouterr().out
    assert main(["parse", str(SEED)]) == 0
    assert "input form: text-" in capsys.readouterr().out
