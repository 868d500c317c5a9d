"""The analysis notebooks: stored without outputs, and every one runs top to bottom.

The notebooks are executed with ``govopen.run_notebooks`` (a kernel on this
interpreter, from ``notebooks/``) on a dataset built from the test corpus (a copy of ``data/raw``) into a
temporary folder, with figures, tables and HTML copies written to another one;
each must finish without error and save the figures listed below, and
``notebooks/`` must be left as it was. All notebooks together take well under a
minute on the bundled corpus.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import matplotlib.image as mpimg
import nbformat
import pytest

from govopen import run_notebooks
from govopen.corpus import build

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
RAW = ROOT / "tests" / "fixtures" / "corpus"  # a copy of data/raw (tests never read data/raw)

#: The figures (PDF + PNG, suffixed with the language) each notebook must save.
EXPECTED_FIGURES = {
    "01_build_dataset": ["01_reports_by_year", "01_panel_coverage", "01_identity_failures"],
    "02_requests_and_outcomes": ["02_requests_and_applicants", "02_outcomes_by_level",
                                 "02_outcomes_by_year", "02_refusal_grounds"],
    "03_appeals": ["03_appeals_by_year", "03_appeal_outcomes"],
    "04_proactive_disclosure": ["04_comparable_by_year", "04_format_specific"],
    "05_models": ["05_coefficients"],
    "06_narrative_text": ["06_section_lengths", "06_boilerplate", "06_similarity_matrix"],
    "07_add_your_reports": [],
}
#: Tables (CSV + LaTeX, suffixed with the language) the papers cite.
EXPECTED_TABLES = ["01_coverage_level_year", "02_outcomes_by_level", "03_correction_rates",
                   "04_proactive_crosswalk", "05_regression_table", "06_shared_passages"]


def notebook_files() -> list[Path]:
    """Notebooks tracked by git plus any on disk (a new one must be clean before `git add`)."""
    on_disk = set(NOTEBOOKS.glob("*.ipynb"))
    try:
        listed = subprocess.run(["git", "ls-files", "--", "notebooks/*.ipynb"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        listed = []
    return sorted(on_disk | {ROOT / name for name in listed})


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
            if p.is_file()}


def test_every_notebook_is_expected():
    assert {p.stem for p in notebook_files()} == set(EXPECTED_FIGURES)


@pytest.mark.parametrize("path", notebook_files(), ids=lambda p: p.stem)
def test_stored_without_outputs(path):
    assert path.exists(), f"{path.name} is tracked by git but missing"
    nb = json.loads(path.read_text(encoding="utf-8"))
    for number, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        assert cell.get("outputs") == [], f"{path.name} cell {number} has outputs"
        assert cell.get("execution_count") is None, f"{path.name} cell {number} has a count"
    assert "widgets" not in nb.get("metadata", {})


@pytest.mark.parametrize("path", notebook_files(), ids=lambda p: p.stem)
def test_parameter_cell_comes_first(path):
    """A `parameters` cell (papermill convention) with `lang = "en"` starts every notebook."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    assert 'lang = "en"' in code[0].source
    assert "out_dir" in code[0].source and "data_dir" in code[0].source


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """Build the bundled corpus, then run every notebook once on it."""
    tmp = tmp_path_factory.mktemp("notebooks")
    data = tmp / "processed"
    build(RAW, data)
    before = digest(NOTEBOOKS)
    outcomes = run_notebooks.run(NOTEBOOKS, tmp / "build", data=data, raw=RAW,
                                 log=lambda *_: None)
    assert digest(NOTEBOOKS) == before, "running the notebooks changed notebooks/"
    return tmp / "build", {o.name: o for o in outcomes}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED_FIGURES))
def test_notebook_runs_and_saves_its_figures(executed, name):
    out, outcomes = executed
    outcome = outcomes[name]
    assert outcome.ok, f"{name} failed:\n{outcome.error}"
    assert outcome.html.exists() and outcome.html.stat().st_size > 10_000
    glyphs = [s for s in outcome.stderr if "missing from" in s and "Glyph" in s]
    assert not glyphs, f"{name}: characters the font cannot draw: {glyphs}"
    for figure in EXPECTED_FIGURES[name]:
        for suffix in (".pdf", ".png"):
            path = out / "figures" / f"{figure}_en{suffix}"
            assert path.exists() and path.stat().st_size > 5_000, path
        height, width = mpimg.imread(out / "figures" / f"{figure}_en.png").shape[:2]
        # 300 dpi: between 4 and 9 inches wide, at most 8 tall (a page of a paper)
        assert 1200 <= width <= 2700 and 500 <= height <= 2400, (figure, width, height)


@pytest.mark.slow
def test_tables_for_papers(executed):
    out, outcomes = executed
    assert all(o.ok for o in outcomes.values())
    for table in EXPECTED_TABLES:
        tex = (out / "tables" / f"{table}_en.tex").read_text(encoding="utf-8")
        assert tex.count(r"\toprule") == 1 and r"\bottomrule" in tex
        assert (out / "tables" / f"{table}_en.csv").stat().st_size > 50


@pytest.mark.parametrize("path", notebook_files(), ids=lambda p: p.stem)
def test_tables_and_figures_are_named_with_their_language(path):
    """`make notebooks` runs each notebook in English, then in Chinese: a file name
    without the language would hold the last run's labels only."""
    import re

    nb = nbformat.read(path, as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    names = re.findall(r'(?:TAB|FIG) / (f?"[^"]+")', source)
    assert names or path.stem == "07_add_your_reports"
    for name in names:
        assert name.startswith('f"') and "_{lang}" in name, (path.name, name)


def test_prose_numbers_come_from_code():
    """Markdown cells state no statistics: numbers in the text are generated by code cells.

    Allowed in Markdown: years, section/notebook numbers, template citations, n-gram
    sizes in explanations — so the check is on percentages and thousands, which only a
    result would print.
    """
    import re

    for path in notebook_files():
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                text = cell.source.replace("95% confidence", "")  # a convention, not a result
                assert not re.search(r"\d+(\.\d+)?\s*%|\d,\d{3}", text), (
                    path.name, cell.source[:200])


def test_runner_reports_a_failing_notebook(tmp_path, capsys):
    folder = tmp_path / "nbs"
    folder.mkdir()
    params = nbformat.v4.new_code_cell('lang = "en"\nout_dir = "."')
    params.metadata["tags"] = ["parameters"]
    ok = nbformat.v4.new_notebook(cells=[params, nbformat.v4.new_code_cell(
        "from pathlib import Path\nPath(out_dir, 'ran.txt').write_text(lang)")])
    bad = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 / 0")])
    nbformat.write(ok, folder / "a_ok.ipynb")
    nbformat.write(bad, folder / "b_broken.ipynb")
    before = digest(folder)
    status = run_notebooks.main(["--notebooks", str(folder), "--out", str(tmp_path / "out"),
                                 "--lang", "zh"])
    assert status == 1
    assert "b_broken" in capsys.readouterr().err
    assert (tmp_path / "out" / "ran.txt").read_text() == "zh"  # parameters were injected
    assert (tmp_path / "out" / "notebooks" / "b_broken.html").exists()  # with the error
    assert digest(folder) == before


def test_runner_runs_each_notebook_in_each_language(tmp_path):
    folder = tmp_path / "nbs"
    folder.mkdir()
    params = nbformat.v4.new_code_cell('lang = "en"\nout_dir = "."')
    params.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(cells=[params, nbformat.v4.new_code_cell(
        "from pathlib import Path\nPath(out_dir, f'fig_{lang}.txt').write_text(lang)")])
    nbformat.write(nb, folder / "a.ipynb")
    status = run_notebooks.main(["--notebooks", str(folder), "--out", str(tmp_path / "out"),
                                 "--lang", "en", "zh"])
    assert status == 0
    out = tmp_path / "out"
    assert (out / "fig_en.txt").read_text() == "en" and (out / "fig_zh.txt").read_text() == "zh"
    assert {p.name for p in (out / "notebooks").iterdir()} == {"a.en.html", "a.zh.html"}


def test_make_reproduce_writes_both_languages_to_reports():
    """`make reproduce` runs the notebooks for English and Chinese figures, into reports/."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nnotebooks:", 1)[1].split("\n\n", 1)[0]
    assert "run_notebooks --out reports --lang en zh" in recipe
    assert "reproduce: data" in makefile and "notebooks" in makefile.split("reproduce: data")[1]
    assert "/reports/" in (ROOT / ".gitignore").read_text(encoding="utf-8")
