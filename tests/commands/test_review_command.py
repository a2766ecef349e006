"""`qmskit review`: stamps, approval, and a version bump exactly when content changed."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from qmskit.cli import main

from qmsfactory import QmsRepo, approved, git, init_git


def _review(repo: QmsRepo, *args: str) -> int:
    return main(["review", *args, "--root", str(repo.root)])


def _changed(before: str, after: str) -> list[str]:
    return [line for line in difflib.ndiff(before.splitlines(), after.splitlines())
            if line[:1] in "+-"]


def test_stamp_changes_only_review_lines(clean: QmsRepo,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    init_git(clean.root)
    path = clean.root / "procedures/PROC-A.md"
    before = path.read_text(encoding="utf-8")
    assert _review(clean, "PROC-A", "--by", "ROLE-QM") == 0
    out = capsys.readouterr().out
    assert "PROC-A reviewed on 2026-11-24 by ROLE-QM" in out
    assert "version kept at 1: content unchanged since the review of 2026-06-01" in out
    assert _changed(before, path.read_text(encoding="utf-8")) == [
        "-   last: 2026-06-01", "+   last: 2026-11-24", "+   by: ROLE-QM"]


def test_version_bumps_once_when_content_changed(clean: QmsRepo,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    init_git(clean.root)
    path = clean.root / "procedures/PROC-A.md"
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\nA new step.\n")
    git(clean.root, "commit", "-qam", "Add a step", date="2026-07-01")
    assert _review(clean, "PROC-A") == 0
    assert "version 1 → 2: content changed since the review of 2026-06-01" in (
        capsys.readouterr().out)
    assert "version: 2\n" in path.read_text(encoding="utf-8")
    git(clean.root, "commit", "-qam", "Review PROC-A", date="2026-11-24")
    # Stamping again: the content is unchanged since this review, no second bump.
    assert _review(clean, "PROC-A") == 0
    assert "version kept at 2: content unchanged" in capsys.readouterr().out
    assert "version: 2\n" in path.read_text(encoding="utf-8")


def test_repeated_stamp_before_commit_does_not_bump_twice(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    init_git(clean.root)
    path = clean.root / "procedures/PROC-A.md"
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\nA new step.\n")
    git(clean.root, "commit", "-qam", "Add a step", date="2026-07-01")
    assert _review(clean, "PROC-A", "--date", "2026-11-20") == 0
    assert _review(clean, "PROC-A") == 0
    out = capsys.readouterr().out
    assert "not committed yet" in out
    assert "version: 2\n" in path.read_text(encoding="utf-8")


def test_without_git_the_version_moves_only_with_bump(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    path = clean.root / "procedures/PROC-A.md"
    assert _review(clean, "PROC-A") == 0
    assert "pass --bump if it did" in capsys.readouterr().out
    assert "version: 1\n" in path.read_text(encoding="utf-8")
    assert _review(clean, "PROC-A", "--bump") == 0
    assert "version: 2\n" in path.read_text(encoding="utf-8")
    assert _review(clean, "PROC-A", "--no-bump") == 0
    assert "version: 2\n" in path.read_text(encoding="utf-8")


def test_approve_records_approval_of_a_draft(clean: QmsRepo,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = clean.write("PROC-NEW", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                       status="draft", version=1)
    assert _review(clean, "PROC-NEW", "--by", "ROLE-MD", "--approve", "--date",
                   "2026-11-20") == 0
    capsys.readouterr()
    text = path.read_text(encoding="utf-8")
    assert "status: approved\n" in text
    assert "approved_by: ROLE-MD\napproved_on: 2026-11-20\napproved_version: 1\nreview:\n" \
           "  last: 2026-11-20\n  by: ROLE-MD\n" in text
    assert main(["check", str(clean.root), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["errors"] == 0


@pytest.mark.parametrize(("args", "message"), [
    (["PROC-B"], "did you mean PROC-A?"),
    (["PROC-A", "--by", "PROC-A"], "not a role"),
    (["PROC-A", "--date", "2027-01-01"], "in the future"),
    (["PROC-A", "--date", "2026-01-01"], "never goes back in time"),
    (["PROC-A", "--approve"], "--approve needs --by"),
    (["PROC-A", "--date", "01/01/2026"], "Invalid value"),
])
def test_bad_input_is_refused_with_exit_2(clean: QmsRepo, capsys: pytest.CaptureFixture[str],
                                          args: list[str], message: str) -> None:
    path = clean.root / "procedures/PROC-A.md"
    before = path.read_bytes()
    assert _review(clean, *args) == 2
    assert message in capsys.readouterr().err
    assert path.read_bytes() == before


def test_retired_and_broken_documents_are_refused(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    clean.write("PROC-OLD", "procedure", owner="ROLE-QM", **approved(status="retired"))
    clean.write_raw("procedures/PROC-BAD.md", "---\nid: PROC-BAD\nkind: procdure\n---\n")
    assert _review(clean, "PROC-OLD") == 2
    assert "retired" in capsys.readouterr().err
    assert _review(clean, "PROC-BAD") == 2
    assert "fix them first" in capsys.readouterr().err


def test_stamp_clears_the_overdue_finding(clean: QmsRepo,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    clean.write("PROC-LATE", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                **approved(review={"last": "2025-01-10", "interval": "12 months"}))
    assert main(["check", str(clean.root), "--select", "C401"]) == 1
    assert _review(clean, "PROC-LATE", "--by", "ROLE-QM") == 0
    assert main(["check", str(clean.root), "--select", "C401"]) == 0
    capsys.readouterr()


def test_works_on_an_example_document_byte_for_byte(tmp_path: Path, example_root: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """A real, hand-written document: quoted clauses, flow lists, comments kept."""
    import shutil

    root = tmp_path / "example"
    for name in ("qms_docs", "procedures", "objectives"):
        shutil.copytree(example_root / name, root / name)
    shutil.copy(example_root / "qmskit.toml", root / "qmskit.toml")
    path = root / "procedures/PROC-PURCH.md"
    before = path.read_text(encoding="utf-8")
    assert main(["review", "PROC-PURCH", "--by", "ROLE-QM", "--root", str(root)]) == 0
    after = path.read_text(encoding="utf-8")
    changed = _changed(before, after)
    assert [line[:1] for line in changed] in (["-", "+"], ["-", "+", "+"], ["-", "+", "-", "+"])
    assert all(("last:" in line or "by:" in line) for line in changed)
    assert after.split("\n---\n", 1)[1] == before.split("\n---\n", 1)[1]
