"""Consistency checks for the project's scaffolding.

* pyproject.toml and environment.yml list the same dependencies;
* the Makefile offers `test` and `reproduce`, and CI runs `make test`;
* no code or test reaches outside the repository into a sibling `shared` folder;
* the test corpus's manifest.csv (tests/fixtures/corpus, a copy of data/raw) describes
  exactly its report files.
"""

from __future__ import annotations

import csv
import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
ENV_YML = ROOT / "environment.yml"
MAKEFILE = ROOT / "Makefile"
CI_RUN = ROOT / ".ci" / "run"
RAW = ROOT / "tests" / "fixtures" / "corpus"  # a copy of data/raw (tests never read data/raw)
MANIFEST = RAW / "manifest.csv"

# conda-only entries of environment.yml that are not package dependencies
CONDA_ONLY = {"python", "pip"}


# --------------------------------------------------------------------------- helpers


def normalise(requirement: str) -> str:
    """'Charset_Normalizer>=3.3' -> 'charset-normalizer' (PEP 503 name, no specifier)."""
    name = re.split(r"[\s<>=!~;\[(@,]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def load_toml(path: Path) -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        tomllib = pytest.importorskip("tomli", reason="tomllib needs Python 3.11+ or tomli")
    with path.open("rb") as fh:
        return tomllib.load(fh)


def _scalar(text: str) -> str:
    """Strip a trailing comment and surrounding quotes from a YAML scalar."""
    text = re.sub(r"\s+#.*$", "", text).strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    return text


def _flow_list(text: str) -> list[str]:
    """'["-e .", foo]' -> ['-e .', 'foo'] (no nesting, no commas inside items)."""
    inner = text.strip()[1:-1]
    return [_scalar(item) for item in inner.split(",") if item.strip()]


def parse_simple_yaml(text: str) -> dict:
    """Parse the small subset of YAML that environment.yml uses.

    Top-level ``key: value`` and ``key:`` followed by a block list of scalars;
    a list item may be ``- pip:`` followed by a deeper block list, or
    ``- pip: [a, b]``. Comments and blank lines are ignored.
    """
    data: dict = {}
    key = None  # current top-level key holding a list
    sub: list | None = None  # current nested list (under `- pip:`)
    sub_indent = -1
    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        line = raw.strip()
        if indent == 0 and not line.startswith("-"):
            name, _, value = line.partition(":")
            value = _scalar(value)
            key, sub = name.strip(), None
            if value.startswith("["):
                data[key] = _flow_list(value)
            elif value:
                data[key] = value
            else:
                data[key] = []
            continue
        if not line.startswith("-") or key is None:
            raise ValueError(f"unsupported YAML line: {raw!r}")
        item = line[1:].strip()
        if sub is not None and indent > sub_indent:
            sub.append(_scalar(item))
            continue
        sub = None
        m = re.fullmatch(r"([A-Za-z0-9_.-]+):\s*(.*)", item)
        if m and not re.search(r"[<>=!~]", m.group(1)):
            value = _scalar(m.group(2))
            if value.startswith("["):
                data[key].append({m.group(1): _flow_list(value)})
            else:
                sub, sub_indent = [], indent
                data[key].append({m.group(1): sub})
        else:
            data[key].append(_scalar(item))
    return data


def load_env_yml(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    try:
        import yaml
    except ImportError:
        return parse_simple_yaml(text)
    return yaml.safe_load(text)


def pyproject_names() -> set[str]:
    project = load_toml(PYPROJECT)["project"]
    reqs = list(project.get("dependencies", []))
    reqs += project.get("optional-dependencies", {}).get("dev", [])
    return {normalise(r) for r in reqs}


def env_yml_names() -> set[str]:
    names = set()
    for dep in load_env_yml(ENV_YML)["dependencies"]:
        if isinstance(dep, dict):  # {"pip": [...]}
            for pip_dep in dep.get("pip", []):
                if not str(pip_dep).startswith("-"):  # skip "-e .", "-r file"
                    names.add(normalise(str(pip_dep)))
        else:
            names.add(normalise(str(dep)))
    return names - CONDA_ONLY


# --------------------------------------------------------------------------- dependencies


def test_normalise():
    assert normalise("Charset_Normalizer>=3.3") == "charset-normalizer"
    assert normalise("python-docx >= 1.1") == "python-docx"
    assert normalise("tomli; python_version < '3.11'") == "tomli"
    assert normalise("uvicorn[standard]>=0.20") == "uvicorn"
    assert normalise("zope.interface") == "zope-interface"


def test_simple_yaml_parser():
    text = (
        "# comment\n"
        "name: demo\n"
        "channels:\n"
        "  - conda-forge\n"
        "dependencies:\n"
        "  - python>=3.10\n"
        "  - pandas>=2.0  # trailing comment\n"
        "  - pip\n"
        "  - pip:\n"
        '      - "-e ."\n'
        "      - some_pkg==1.0\n"
        "  - numpy\n"
    )
    assert parse_simple_yaml(text) == {
        "name": "demo",
        "channels": ["conda-forge"],
        "dependencies": [
            "python>=3.10",
            "pandas>=2.0",
            "pip",
            {"pip": ["-e .", "some_pkg==1.0"]},
            "numpy",
        ],
    }
    flow = parse_simple_yaml('dependencies:\n  - pip: ["-e .", foo]\n')
    assert flow == {"dependencies": [{"pip": ["-e .", "foo"]}]}


def test_simple_yaml_parser_agrees_with_pyyaml():
    yaml = pytest.importorskip("yaml")
    text = ENV_YML.read_text(encoding="utf-8")
    assert parse_simple_yaml(text) == yaml.safe_load(text)


def test_environment_yml_header():
    env = load_env_yml(ENV_YML)
    assert env["name"] == "govopen"
    assert "conda-forge" in env["channels"]
    deps = env["dependencies"]
    assert any(str(d).replace(" ", "").startswith("python>=3.10") for d in deps)
    assert "pip" in deps
    pip_sections = [d["pip"] for d in deps if isinstance(d, dict) and "pip" in d]
    assert pip_sections and any(
        re.fullmatch(r"-e\s+\.", item.strip()) for items in pip_sections for item in items
    ), "environment.yml should install the package itself with pip: ['-e .']"


def test_pyproject_dependencies_in_environment_yml():
    missing = pyproject_names() - env_yml_names()
    assert not missing, f"in pyproject.toml but not environment.yml: {sorted(missing)}"


def test_environment_yml_dependencies_in_pyproject():
    extra = env_yml_names() - pyproject_names()
    assert not extra, f"in environment.yml but not pyproject.toml: {sorted(extra)}"


# --------------------------------------------------------------------------- make / CI


def make_targets(text: str) -> set[str]:
    targets = set()
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z0-9_.\- ]+):(?!=)", line)
        if m:
            targets.update(m.group(1).split())
    return targets


def test_makefile_targets():
    text = MAKEFILE.read_text(encoding="utf-8")
    targets = make_targets(text)
    for target in ("test", "reproduce", "data", "notebooks", "lint", "clean"):
        assert target in targets, f"Makefile has no `{target}` target"
    phony = " ".join(re.findall(r"^\.PHONY:(.*)$", text, flags=re.M)).split()
    assert {"test", "reproduce"} <= set(phony)


def test_makefile_recipes_use_tabs():
    for number, line in enumerate(MAKEFILE.read_text(encoding="utf-8").splitlines(), 1):
        # a recipe line indented with spaces is a classic GNU make error
        assert not re.match(r"^ +(\$\(|@|rm |find |touch |echo )", line), (
            f"Makefile:{number} recipe line indented with spaces"
        )


def test_ci_runs_make_test():
    text = CI_RUN.read_text(encoding="utf-8")
    assert text.startswith("#!"), ".ci/run needs a shebang"
    assert "set -euo pipefail" in text
    code = [line.split("#", 1)[0] for line in text.splitlines()]
    assert any(re.search(r"(^|\s)make\s+test\b", line) for line in code)
    if os.name == "posix":
        assert os.access(CI_RUN, os.X_OK), ".ci/run should be executable"


# Programs and packages without which tests skip (OCR scans, converters, .doc, the
# review page). Locally a skip is fine; in CI it would hide an install step of .ci/run.
CI_PROGRAMS = ("pdftotext", "pdftoppm", "soffice", "chromium")
CI_MODULES = ("img2pdf", "pikepdf", "rapidocr_onnxruntime", "pymupdf4llm", "markitdown")


@pytest.mark.skipif(os.environ.get("CI") != "true", reason="CI only (.ci/run sets CI=true)")
def test_ci_has_what_the_tests_need():
    import importlib.util
    import shutil

    missing = [p for p in CI_PROGRAMS if shutil.which(p) is None]
    missing += [m for m in CI_MODULES if importlib.util.find_spec(m) is None]
    assert not missing, f"tests needing {missing} would skip: install them in .ci/run"


# --------------------------------------------------------------------------- no shared/

# Built from pieces so this file does not match itself.
FORBIDDEN = [".." + "/" + "shared", "/work" + "/" + "shared"]
SCANNED = [
    "govopen",
    "tests",
    "scripts",
    "notebooks",
    ".ci",
    "Makefile",
    "pyproject.toml",
    "environment.yml",
]
SKIP_DIRS = {"__pycache__", ".pytest_cache", ".ipynb_checkpoints"}


def scanned_files():
    for name in SCANNED:
        path = ROOT / name
        if path.is_file():
            yield path
        elif path.is_dir():
            for sub in sorted(path.rglob("*")):
                if sub.is_file() and not SKIP_DIRS.intersection(sub.relative_to(ROOT).parts):
                    yield sub


def test_nothing_reads_shared_folder():
    offenders = []
    needles = [n.encode() for n in FORBIDDEN]
    for path in scanned_files():
        data = path.read_bytes()
        if any(n in data for n in needles):
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, f"files referring to a shared folder outside the repo: {offenders}"


# --------------------------------------------------------------------------- data manifest

MANIFEST_HEADER = [
    "file",
    "agency",
    "year",
    "level",
    "province",
    "prefecture",
    "county",
    "url",
    "retrieved",
    "notes",
    "agency_id",
]
LEVELS = {"province", "prefecture", "county", "township", "department"}
NOT_REPORTS = {"INDEX.tsv", "manifest.csv", "links.tsv"}


def raw_report_files() -> set[str]:
    return {
        p.relative_to(RAW).as_posix()
        for p in RAW.rglob("*")
        if p.is_file()
        and p.name not in NOT_REPORTS
        and not p.name.startswith(".")
        and not p.name.upper().startswith("README")
    }


def manifest_rows() -> list[dict]:
    with MANIFEST.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == MANIFEST_HEADER
        return list(reader)


def test_manifest_lists_every_raw_file_once():
    files = [row["file"] for row in manifest_rows()]
    assert len(files) == len(set(files)), "duplicate rows in manifest.csv"
    listed, present = set(files), raw_report_files()
    assert not present - listed, f"not in manifest.csv: {sorted(present - listed)}"
    assert not listed - present, f"in manifest.csv but missing: {sorted(listed - present)}"


def test_manifest_values():
    for row in manifest_rows():
        where = row["file"]
        assert row["agency"].strip(), where
        assert re.fullmatch(r"20\d\d", row["year"]), where
        assert row["level"] in LEVELS, where
        assert row["url"] == "" or row["url"].startswith(("http://", "https://")), where
        assert row["retrieved"] == "" or re.fullmatch(r"\d{4}-\d\d-\d\d", row["retrieved"]), where


def test_manifest_year_matches_crawler_title():
    """For crawled pages the reported year is the one in the title, not the publish date."""
    for row in manifest_rows():
        path = RAW / row["file"]
        if path.suffix != ".txt":
            continue
        head = path.read_text(encoding="utf-8").splitlines()[:1]
        if head and head[0].startswith("标题"):
            m = re.search(r"(20\d\d)\s*年", head[0])
            assert m and m.group(1) == row["year"], row["file"]
            assert row["agency"] in head[0].replace(" ", ""), row["file"]


def test_make_lint_type_checks_the_package():
    """`make test` runs `make lint`, which runs mypy on govopen/ (a dev dependency)."""
    makefile = MAKEFILE.read_text(encoding="utf-8")
    lint = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "-m mypy govopen" in lint and "-m ruff check" in lint
    assert re.search(r"^test: lint$", makefile, re.M)
    dev = load_toml(PYPROJECT)["project"]["optional-dependencies"]["dev"]
    assert "mypy" in {normalise(r) for r in dev}
