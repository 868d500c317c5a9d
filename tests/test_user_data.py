"""A user's own reports in data/raw never change what the test suite sees.

The README tells researchers to put their reports in ``data/raw/<province>/`` and
to rebuild; ``make test`` must stay green afterwards. The tests read the frozen
copy in ``tests/fixtures/corpus`` (``conftest.CORPUS``), and an audit hook in
``conftest`` fails any test that opens a file under ``data/raw`` or
``data/processed``. This test checks the whole arrangement from outside: in a copy
of the repository whose ``data/raw`` holds two extra reports (one with no manifest
row) and a junk file, the tests that used to read the data folder still pass.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT

#: The test modules that once looked up the bundled corpus (counts, manifest rows,
#: fixtures by stem) under data/raw.
SUITE = ["tests/test_environment.py", "tests/test_gazetteer.py", "tests/test_panel.py",
         "tests/test_expected_values.py", "tests/test_cli.py", "tests/test_bad_input.py",
         "tests/test_corpus.py"]


def test_the_tests_read_only_the_fixture_corpus() -> None:
    """The copy the tests read holds the reports and manifest of the bundled sample."""
    from govopen.manifest import read, report_files
    files = report_files(CORPUS)
    assert len(files) == 121
    assert sorted(read(CORPUS)) == sorted(files)


@pytest.mark.slow
def test_suite_unaffected_by_reports_added_to_data_raw(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()  # files may come before folders in ROOT.iterdir()
    ignore = shutil.ignore_patterns("__pycache__", ".hypothesis", ".pytest_cache", "*.egg-info")
    for item in ROOT.iterdir():
        if item.name in {".git", ".venv", "data", "build", "reports"} or item.name.startswith(
                (".pytest", ".ruff", ".mypy", ".hypo")):
            continue
        if item.is_dir():
            shutil.copytree(item, repo / item.name, ignore=ignore)
        else:
            shutil.copy(item, repo / item.name)
    # The user's folder as the README leaves it: the bundled sample plus their reports.
    raw = repo / "data" / "raw"
    shutil.copytree(CORPUS, raw)
    (repo / "data" / "processed").mkdir()
    added = raw / "zhejiang" / "hangzhou"
    added.mkdir(parents=True)
    henan = (CORPUS / "henan" / "001_33e9900bc9823d6a.txt").read_text(encoding="utf-8")
    (added / "xihu_2020.txt").write_text(henan.replace("荥阳市广武镇", "杭州市西湖区"),
                                         encoding="utf-8")
    shutil.copy(CORPUS / "jiangsu" / "jiangsu_huaian_hongze_2023.pdf", added / "copy.pdf")
    (added / "notes.docx").write_bytes(b"not a report")
    with (raw / "manifest.csv").open("a", encoding="utf-8") as f:
        f.write("zhejiang/hangzhou/xihu_2020.txt,杭州市西湖区人民政府,2020,county,浙江省,"
                "杭州市,西湖区,,,,\n")

    env = {**os.environ, "PYTHONPATH": str(repo)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *SUITE], cwd=repo, env=env, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and " failed" not in done.stdout
