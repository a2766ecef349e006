"""The "changed since review" rule reads git history once, in real repositories."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from qmskit.cli import main

from plants import PLANTS
from qmsfactory import TODAY, QmsRepo, git, init_git


def _check(root: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    main(["check", str(root), "--format", "json", "--today", TODAY])
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def _codes(report: dict[str, object]) -> list[str]:
    findings = report["findings"]
    assert isinstance(findings, list)
    return [f["code"] for f in findings]


def test_creation_is_not_a_change(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    """Documents migrated into git after their last review are not suspect."""
    init_git(clean.root, date="2026-10-01")
    assert _codes(_check(clean.root, capsys)) == []


def test_edit_after_review_is_suspect_and_stamp_clears_it(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = PLANTS["C403"](clean)
    report = _check(clean.root, capsys)
    assert _codes(report) == ["C403"]
    findings = report["findings"]
    assert isinstance(findings, list)
    commit = git(clean.root, "rev-parse", "HEAD").strip()
    assert findings[0]["message"] == (f"changed on 2026-03-05 (commit {commit[:9]}) after "
                                      "its last review on 2026-02-01")
    path = clean.root / expected.path
    path.write_text(path.read_text().replace("last: 2026-02-01", "last: 2026-03-05"))
    # A review stamped but not committed yet is the review being recorded ...
    assert _codes(_check(clean.root, capsys)) == []
    git(clean.root, "commit", "-q", "-am", "Review PROC-SUSPECT", date="2026-03-06")
    # ... and once committed, the stamp covers the change.
    assert _codes(_check(clean.root, capsys)) == []


def test_edit_on_review_day_is_not_suspect(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    init_git(clean.root, date="2026-01-15")
    path = clean.root / "procedures/PROC-A.md"
    path.write_text(path.read_text() + "\nClarified step 3.\n")
    git(clean.root, "commit", "-q", "-am", "Clarify", date="2026-06-01")
    assert _codes(_check(clean.root, capsys)) == []


def test_root_in_subdirectory_of_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = QmsRepo(tmp_path / "mono" / "quality").baseline()
    init_git(tmp_path / "mono")
    path = repo.root / "objectives/OBJ-A.md"
    path.write_text(path.read_text() + "\nNew paragraph.\n")
    git(tmp_path / "mono", "commit", "-q", "-am", "Edit", date="2026-09-09")
    report = _check(repo.root, capsys)
    findings = report["findings"]
    assert isinstance(findings, list)
    assert [(f["code"], f["path"]) for f in findings] == [("C403", "objectives/OBJ-A.md")]


def test_shallow_clone_skips_with_notice(
    clean: QmsRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    PLANTS["C403"](clean)
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{clean.root}", str(clone)],
                   check=True)
    report = _check(clone, capsys)
    assert "C403" not in _codes(report)
    notices = report["notices"]
    assert isinstance(notices, list) and "shallow clone" in notices[0]


@pytest.mark.parametrize("setup", ["no-repo", "no-commits"])
def test_outside_history_skips_with_notice(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str], setup: str
) -> None:
    if setup == "no-commits":
        git(clean.root, "init", "-q")
    main(["check", str(clean.root), "--today", TODAY])
    out = capsys.readouterr().out
    assert "note: C403 skipped:" in out
    assert ("no commits" if setup == "no-commits" else "not a git repository") in out


def test_uncommitted_edit_stamped_today_is_not_suspect(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    init_git(clean.root, date="2026-01-15")
    path = clean.root / "procedures/PROC-A.md"
    path.write_text(path.read_text().replace("last: 2026-06-01", f"last: {TODAY}") + "\nNew.\n")
    assert _codes(_check(clean.root, capsys)) == []
