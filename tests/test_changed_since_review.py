"""C403 "changed since review", precisely, and the one git layer it reads through.

A document is suspect when its content changed in a commit after the commit that
recorded its current review stamp, or in the work tree since then. Every case runs in a
real git repository with dated commits.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from qmskit.cli import main

from gitcalls import GitCalls
from qmsfactory import TODAY, QmsRepo, approved, git, init_git

PROC = "procedures/PROC-A.md"


def _check(root: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    main(["check", str(root), "--format", "json", "--today", TODAY, "--select", "C403",
          *extra])
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def _c403(root: Path, capsys: pytest.CaptureFixture[str]) -> list[tuple[str, str]]:
    """(path, message) of every C403, with the cache and without it (they must agree)."""
    cold = _check(root, capsys, "--no-cache")
    warm = _check(root, capsys)
    assert warm == cold
    assert _check(root, capsys) == cold  # served from the result cache
    return [(f["path"], f["message"]) for f in cold["findings"]]


def _edit(repo: QmsRepo, relative: str, old: str, new: str) -> None:
    path = repo.root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _append(repo: QmsRepo, relative: str, line: str) -> None:
    path = repo.root / relative
    path.write_text(path.read_text(encoding="utf-8") + line, encoding="utf-8")


def _commit(repo: QmsRepo, message: str, day: str) -> str:
    git(repo.root, "commit", "-q", "-am", message, date=day)
    return git(repo.root, "rev-parse", "HEAD").strip()


@pytest.fixture
def reviewed(clean: QmsRepo) -> QmsRepo:
    """The baseline committed on the day of its review stamps (2026-06-01)."""
    init_git(clean.root, date="2026-06-01")
    return clean


def test_back_dated_stamp_committed_after_the_edits_is_not_suspect(
    reviewed: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 11 item 3: `qmskit review --date` with an earlier day, committed later."""
    _append(reviewed, PROC, "\nA new step.\n")
    _commit(reviewed, "Add a step", "2026-11-10")
    assert [p for p, _ in _c403(reviewed.root, capsys)] == [PROC]
    assert main(["review", "PROC-A", "--date", "2026-11-05", "--root", str(reviewed.root)]) == 0
    capsys.readouterr()
    _commit(reviewed, "Review PROC-A", "2026-11-20")
    assert _c403(reviewed.root, capsys) == []


def test_content_changed_after_the_stamp_names_the_first_change(
    reviewed: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(reviewed, PROC, "last: 2026-06-01", "last: 2026-09-01")
    _commit(reviewed, "Review PROC-A", "2026-09-01")
    _append(reviewed, PROC, "\nA new step.\n")
    change = _commit(reviewed, "Add a step", "2026-10-02")
    _append(reviewed, PROC, "\nAnother step.\n")
    _commit(reviewed, "Add another step", "2026-10-20")
    _edit(reviewed, PROC, "version: 1", "version: 2")
    _commit(reviewed, "Raise the version", "2026-10-21")
    assert _c403(reviewed.root, capsys) == [
        (PROC, f"changed on 2026-10-02 (commit {change[:9]}) after its last review on "
               "2026-09-01")]


def test_stamp_only_commits_after_the_stamp_are_not_suspect(
    reviewed: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(reviewed, PROC, "last: 2026-06-01", "last: 2026-09-01")
    _commit(reviewed, "Review PROC-A", "2026-09-01")
    _edit(reviewed, PROC, "approved_on: 2026-06-01", "approved_on: 2026-09-15")
    _edit(reviewed, PROC, "approved_by: ROLE-MD", "approved_by: ROLE-QM")
    _commit(reviewed, "Approve PROC-A", "2026-09-15")
    _edit(reviewed, PROC, "version: 1", "version: 2")
    _commit(reviewed, "Raise the version", "2026-09-16")
    _edit(reviewed, PROC, "interval: 12 months", "interval: 24 months")
    _commit(reviewed, "Review every two years", "2026-09-17")
    assert _c403(reviewed.root, capsys) == []


def test_a_reverted_change_is_not_suspect(
    reviewed: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _append(reviewed, PROC, "\nA mistake.\n")
    _commit(reviewed, "Oops", "2026-07-01")
    _edit(reviewed, PROC, "\nA mistake.\n", "")
    _commit(reviewed, "Revert the mistake", "2026-07-02")
    assert _c403(reviewed.root, capsys) == []


def test_adopting_qmskit_with_past_review_dates_raises_nothing(
    repo: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """Pages git has known for a year get front matter with review dates in the past."""
    repo.baseline()
    pages = {doc: repo.root / relative for doc, relative in
             (("PROC-A", PROC), ("OBJ-A", "objectives/OBJ-A.md"))}
    kept = {doc: path.read_text(encoding="utf-8") for doc, path in pages.items()}
    for path in pages.values():
        path.write_text("# A page of the old handbook\n\nBody text.\n", encoding="utf-8")
    init_git(repo.root, date="2025-05-01")
    for day in ("2025-07-01", "2025-11-03", "2026-02-10"):
        for path in pages.values():
            path.write_text(path.read_text(encoding="utf-8") + f"\nEdited {day}.\n",
                            encoding="utf-8")
        _commit(repo, "Edit the old handbook", day)
    for doc, path in pages.items():  # the controlled version: past stamps, today's body
        front = kept[doc].split("\n---\n", 1)[0].replace("2026-06-01", "2025-06-01")
        body = path.read_text(encoding="utf-8")
        path.write_text(front + "\n---\n\n" + body, encoding="utf-8")
    _commit(repo, "Adopt qmskit", "2026-11-01")
    assert _c403(repo.root, capsys) == []
    _append(repo, PROC, "\nChanged after the adoption.\n")
    change = _commit(repo, "Edit PROC-A", "2026-11-02")
    assert _c403(repo.root, capsys) == [
        (PROC, f"changed on 2026-11-02 (commit {change[:9]}) after its last review on "
               "2025-06-01")]


def test_uncommitted_changes(reviewed: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    # A stamp-only change in the work tree (a fresh `qmskit review`) is not suspect ...
    assert main(["review", "PROC-A", "--root", str(reviewed.root)]) == 0
    capsys.readouterr()
    assert _c403(reviewed.root, capsys) == []
    git(reviewed.root, "checkout", "-q", "--", PROC)
    # ... a content change is ...
    _append(reviewed, PROC, "\nUncommitted step.\n")
    assert _c403(reviewed.root, capsys) == [
        (PROC, "has uncommitted changes since its last review on 2026-06-01")]
    # ... even when staged, and not once the stamp in the work tree records its review.
    git(reviewed.root, "add", PROC)
    assert [p for p, _ in _c403(reviewed.root, capsys)] == [PROC]
    _edit(reviewed, PROC, "last: 2026-06-01", f"last: {TODAY}")
    assert _c403(reviewed.root, capsys) == []


def test_an_uncommitted_change_to_a_committed_suspect_is_still_suspect(
    reviewed: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _append(reviewed, PROC, "\nA new step.\n")
    change = _commit(reviewed, "Add a step", "2026-07-01")
    _append(reviewed, PROC, "\nAnd one more.\n")
    assert _c403(reviewed.root, capsys) == [
        (PROC, f"changed on 2026-07-01 (commit {change[:9]}) after its last review on "
               "2026-06-01")]
    # Undoing the committed change in the work tree brings back what was reviewed.
    original = git(reviewed.root, "show", f"HEAD~1:{PROC}")
    (reviewed.root / PROC).write_text(original, encoding="utf-8")
    assert _c403(reviewed.root, capsys) == []


def test_rename_keeps_working(reviewed: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    git(reviewed.root, "mv", PROC, "procedures/purchasing.md")
    _commit(reviewed, "Rename PROC-A's file", "2026-08-01")
    assert _c403(reviewed.root, capsys) == []
    _append(reviewed, "procedures/purchasing.md", "\nA new step.\n")
    change = _commit(reviewed, "Add a step", "2026-08-02")
    assert _c403(reviewed.root, capsys) == [
        ("procedures/purchasing.md", f"changed on 2026-08-02 (commit {change[:9]}) after its "
                                     "last review on 2026-06-01")]


def test_new_documents_and_new_commits_after_a_cached_run(
    reviewed: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """The git facts kept from the last run (HEAD moved on, a document was added, one
    stamp moved back) give the same answer as a cold run."""
    assert _c403(reviewed.root, capsys) == []
    reviewed.write("PROC-NEW", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                   **approved(review={"last": "2026-05-01", "interval": "12 months"}))
    git(reviewed.root, "add", "-A")
    _commit(reviewed, "Add PROC-NEW", "2026-08-01")
    _append(reviewed, "procedures/PROC-NEW.md", "\nEdited.\n")
    _commit(reviewed, "Edit PROC-NEW", "2026-08-02")
    assert [p for p, _ in _c403(reviewed.root, capsys)] == ["procedures/PROC-NEW.md"]
    _edit(reviewed, PROC, "last: 2026-06-01", "last: 2026-05-15")
    _commit(reviewed, "Correct the review date of PROC-A", "2026-08-03")
    assert [p for p, _ in _c403(reviewed.root, capsys)] == ["procedures/PROC-NEW.md"]


@pytest.mark.parametrize(("setup", "bumped"), [("stamp-only", False), ("content", True)])
def test_review_bumps_the_version_exactly_when_c403_reports(
    reviewed: QmsRepo, capsys: pytest.CaptureFixture[str], setup: str, bumped: bool
) -> None:
    """`qmskit review` and C403 use one definition of "changed since review"."""
    _edit(reviewed, PROC, "approved_by: ROLE-MD", "approved_by: ROLE-QM")
    if setup == "content":
        _append(reviewed, PROC, "\nA new step.\n")
    _commit(reviewed, "Change PROC-A", "2026-07-01")
    assert bool(_c403(reviewed.root, capsys)) is bumped
    assert main(["review", "PROC-A", "--root", str(reviewed.root)]) == 0
    capsys.readouterr()
    text = (reviewed.root / PROC).read_text(encoding="utf-8")
    assert ("version: 2\n" in text) is bumped


# --- the git layer: one pass, clear notices ---------------------------------------------

def test_check_and_pages_read_history_once(
    clean: QmsRepo, tmp_path: Path, git_calls: GitCalls, capsys: pytest.CaptureFixture[str]
) -> None:
    """Never one git call per file: count real git invocations through a wrapper."""
    for index in range(30):
        clean.write(f"PROC-N{index}", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                    **approved())
    init_git(clean.root, date="2026-06-01")
    for index in range(0, 30, 3):
        _append(clean, f"procedures/PROC-N{index}.md", "\nEdited.\n")
    _commit(clean, "Edit ten procedures", "2026-07-01")
    for index in range(1, 30, 3):
        _append(clean, f"procedures/PROC-N{index}.md", "\nEdited in the work tree.\n")

    # Cold; with the cache (which first asks whether a stored result still holds); and
    # again, when the git facts kept from the last run make `git log` unnecessary.
    for options, logs, most in ((["--no-cache"], 1, 4), ([], 1, 6), ([], 0, 6)):
        git_calls.reset()
        assert main(["check", str(clean.root), "--today", TODAY, *options]) == 0
        assert "20 warnings" in capsys.readouterr().out
        commands = git_calls.commands()
        assert commands.count("log") == logs, commands
        assert len(commands) <= most, " ".join(commands)

    git_calls.reset()
    assert main(["pages", str(tmp_path / "out"), "--root", str(clean.root)]) == 0
    capsys.readouterr()
    commands = git_calls.commands()
    assert commands.count("log") == 1, commands
    # One more than the check: before writing, `pages` asks git which files under the
    # output folder it tracks (`ls-files`), so generated output never replaces them.
    assert len(commands) <= 7, commands
    page = (tmp_path / "out" / "docs" / "procedures" / "PROC-N0.md").read_text(encoding="utf-8")
    assert "Edit ten procedures" in page


def test_unchanged_head_needs_no_git_log(
    clean: QmsRepo, git_calls: GitCalls, capsys: pytest.CaptureFixture[str]
) -> None:
    """With the facts of the last run, an edit in the work tree is checked without
    reading history again."""
    init_git(clean.root, date="2026-06-01")
    assert main(["check", str(clean.root), "--today", TODAY]) == 0
    _append(clean, PROC, "\nEdited.\n")
    git_calls.reset()
    assert main(["check", str(clean.root), "--today", TODAY]) == 0
    assert "has uncommitted changes" in capsys.readouterr().out
    assert "log" not in git_calls.commands()


@pytest.mark.parametrize("problem", ["dubious ownership", "damaged index"])
def test_git_problems_are_named_not_silent(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    problem: str
) -> None:
    """Issue 11 item 18: C403 never vanishes without a word."""
    init_git(clean.root)
    if problem == "dubious ownership":
        # git's own switch for testing the ownership check without another user.
        monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")
        expected = "git refuses to read the repository"
        hint = "git config --global --add safe.directory"
    else:
        (clean.root / ".git" / "index").write_bytes(b"garbage")
        expected = "the git index (.git/index) is damaged"
        hint = "rm .git/index && git reset"
    report = _check(clean.root, capsys, "--no-cache")
    assert report["findings"] == []
    assert len(report["notices"]) == 1
    notice = report["notices"][0]
    assert notice.startswith(f"C403 skipped: {expected}") and hint in notice


def test_git_missing_is_a_notice(clean: QmsRepo, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    init_git(clean.root)
    empty = tmp_path / "no-git"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    report = _check(clean.root, capsys)
    assert report["notices"] == [
        "C403 skipped: git is not installed (or not on PATH); qmskit reads history and "
        "revisions with it: install git"]


def test_diff_with_a_missing_object_is_a_clear_error(
    reviewed: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 11 item 19: `ls-tree -l` prints BAD for a missing blob; no traceback."""
    _append(reviewed, PROC, "\nA new step.\n")
    _commit(reviewed, "Add a step", "2026-07-01")
    blob = git(reviewed.root, "rev-parse", f"HEAD:{PROC}").strip()
    os.remove(reviewed.root / ".git" / "objects" / blob[:2] / blob[2:])  # noqa: PTH107
    assert main(["diff", "HEAD~1", "HEAD", "--root", str(reviewed.root)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"qmskit: error: {PROC} at commit ")
    assert "is missing" in err and "git fsck" in err and "Traceback" not in err


def test_a_subject_with_separators_cannot_hide_a_change(
    reviewed: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _append(reviewed, PROC, "\nA new step.\n")
    git(reviewed.root, "commit", "-q", "-am", "x\x1fy\x01z :100644 100644",
        date="2026-07-01")
    assert [p for p, _ in _c403(reviewed.root, capsys)] == [PROC]



def test_a_file_name_that_looks_like_a_commit_cannot_hide_a_change(
    reviewed: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file name may hold any byte but NUL and '/': one that starts with the header
    mark and fakes an old commit must not take the real commit's changes with it."""
    fake = "\x01" + "f" * 40 + "\x1f\x1f2000-01-01\x1f2000-01-01\x1f\x1fx\x1fx\x1fx\x1f"
    reviewed.write_raw(fake, "decoy\n")
    _append(reviewed, PROC, "\nA new step.\n")
    git(reviewed.root, "add", "-A")
    change = _commit(reviewed, "Add a step and a decoy", "2026-07-01")
    assert _c403(reviewed.root, capsys) == [
        (PROC, f"changed on 2026-07-01 (commit {change[:9]}) after its last review on "
               "2026-06-01")]


def test_a_bounded_read_keeps_commits_dated_out_of_order() -> None:
    """Reading back to a day stops only after a run of older commits, like `--since`."""
    from datetime import date

    from qmskit.git.history import SLOP, parse_log

    def record(sha: str, day: str) -> str:
        change = ":100644 100644 " + "1" * 40 + " " + "2" * 40 + " M"
        return (f"\0\x01{sha}\x1f\x1f{day}\x1f{day}\x1f\x1fa\x1fa@x\x1fs\x1f\0\n{change}\0"
                f"procedures/{sha}.md\0")

    days = ["2026-05-01", "2025-01-01", "2026-04-01"] + ["2024-01-01"] * (SLOP + 1) + [
        "2026-03-01"]
    text = "".join(record(f"{i:040x}", day) for i, day in enumerate(days))
    commits, by_path, _ = parse_log(text.encode(), "", ["procedures"], date(2026, 1, 1))
    assert [c.committed.isoformat() for c in commits] == ["2026-05-01", "2026-04-01"]
    assert sorted(by_path) == [f"procedures/{0:040x}.md", f"procedures/{2:040x}.md"]
