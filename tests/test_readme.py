"""The README's Python example runs as pasted, and prints what its comments say.

The block is run from a scratch folder laid out like the repository after
``make data`` (``data/raw/henan`` from the test corpus, ``data/processed`` built
from it), so the test reads neither the user's data/raw nor data/processed.
"""

from __future__ import annotations

import ast
import io
import shutil
import tokenize
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT

from govopen.corpus import build


def readme_block(heading: str = "## Ten lines") -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    after = text.split(heading, 1)[1]
    return after.split("```python\n", 1)[1].split("\n```", 1)[0] + "\n"


def comments(source: str) -> dict[int, str]:
    """Line number → the comment ending that line."""
    return {tok.start[0]: tok.string.lstrip("#").strip()
            for tok in tokenize.generate_tokens(io.StringIO(source).readline)
            if tok.type == tokenize.COMMENT}


def stated(comment: str) -> object:
    """The value a comment states (``('a', 1)``, ``16.2  (printed …)``), or a marker."""
    for text in (comment, comment.split("  ", 1)[0], comment.rsplit(": ", 1)[-1]):
        try:
            return ast.literal_eval(text)
        except (ValueError, SyntaxError):
            continue
    return NotImplemented


def test_readme_example_runs_as_pasted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(CORPUS / "henan", tmp_path / "data" / "raw" / "henan")
    build(tmp_path / "data" / "raw", tmp_path / "data" / "processed", jobs=0, progress=False)
    monkeypatch.chdir(tmp_path)
    source = readme_block()
    notes = comments(source)
    namespace: dict[str, object] = {}
    checked = 0
    for node in ast.parse(source).body:
        code = ast.get_source_segment(source, node)
        if isinstance(node, ast.Expr):
            value = eval(compile(ast.Expression(node.value), "README.md", "eval"), namespace)
            expected = stated(notes.get(node.end_lineno, ""))
            if expected is not NotImplemented:
                assert value == expected, (code, value, expected)
                checked += 1
        else:
            exec(compile(ast.Module([node], []), "README.md", "exec"), namespace)
    assert checked >= 3  # the agency/year/format, the procurement amount, the text's count


def readme_between(start: str, end: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split(start, 1)[1].split(end, 1)[0]


def test_readme_names_every_reports_column_and_region_source_value() -> None:
    import re

    from govopen import codebook

    text = readme_between("**`reports`**", "**`sections`**")
    documented = set(re.findall(r"`([a-z0-9_]+)`", text))
    missing = [c.name for c in codebook.REPORTS if c.name not in documented]
    assert not missing, f"README's reports list leaves out {missing}"
    # the codebook's label lists the values: "Where the region came from (manifest, …)"
    label = next(c.en for c in codebook.REPORTS if c.name == "region_source")
    values = label.split("(", 1)[1].rstrip(")").split(", ")
    said = text.split("`region_source` (", 1)[1].split(":", 1)[0]
    assert re.split(r", | or ", said) == values


def test_readme_lists_the_manifest_columns() -> None:
    import re

    from govopen.manifest import COLUMNS

    text = readme_between("with `data/raw/manifest.csv` (", ")")
    assert re.findall(r"`([a-z_]+)`", text) == COLUMNS


def test_readme_commands_heading_counts_the_commands() -> None:
    block = readme_between("## Three commands", "## Ten lines").split("```bash\n", 1)[1]
    commands = [line for line in block.split("```", 1)[0].splitlines() if line.startswith("make ")]
    assert len(commands) == 3
