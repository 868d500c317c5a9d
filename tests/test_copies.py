"""A byte-identical copy of a report is a copy, wherever it is and whatever it is called."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import CORPUS

from govopen.corpus import build, load

HONGZE = "jiangsu/jiangsu_huaian_hongze_2023.pdf"
HENAN = "henan/001_33e9900bc9823d6a.txt"


def test_moved_identical_copy_is_flagged_by_content(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    for rel in (HONGZE, HENAN):
        (raw / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CORPUS / rel, raw / rel)
    moved = raw / "archive" / "2024" / "洪泽区年报.pdf"
    moved.parent.mkdir(parents=True)
    shutil.copy(CORPUS / HONGZE, moved)
    # The manifest names the two differently (no 淮安市 prefix on the copy), so
    # matching names and years alone would count the report twice.
    rows = [line for line in (CORPUS / "manifest.csv").read_text(encoding="utf-8").splitlines()
            if line.startswith(("file,", HONGZE, HENAN))]
    rows.append("archive/2024/洪泽区年报.pdf,洪泽区人民政府,2023,county,江苏省,淮安市,洪泽区,,,,")
    (raw / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")

    out = tmp_path / "out"
    assert build(raw, out, jobs=0, progress=False)["reports"] == 3
    t = load(out)
    reports = t["reports"].set_index("report_id")
    copy_id = "archive/2024/洪泽区年报.pdf"
    assert reports.loc[copy_id, "agency_id"] != reports.loc[HONGZE, "agency_id"]
    # one of the two is kept (the same values, the same errors: the first report_id)
    assert reports["duplicate_of"].dropna().to_dict() == {HONGZE: copy_id}
    issue = t["issues"].query("rule == 'duplicate_report'")
    assert issue["report_id"].tolist() == [HONGZE]
    message = issue["message"].iloc[0]
    assert f"a copy of {copy_id} (same file content)" in message
    assert "template values read the same" in message
