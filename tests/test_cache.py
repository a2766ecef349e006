"""The cache never changes a result: warm runs equal cold runs after every kind of change."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from qmskit.cache import cache_dir, locate
from qmskit.cli import main

from plants import PLANTS
from qmsfactory import TODAY, QmsRepo, git, init_git, monthly


def cache_folder(root: Path) -> Path:
    """Where the caches of the QMS at `root` are kept (in its git directory)."""
    return cache_dir(root, locate(root))


def _run(root: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, object]:
    main(["check", str(root), "--format", "json", "--today", TODAY, *extra])
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    # Same size and a coarse clock could leave the stat unchanged: move mtime on.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


Change = Callable[[QmsRepo], None]


def edit_link(repo: QmsRepo) -> None:
    _edit(repo.root / "procedures/PROC-A.md", "- OBJ-A", "- OBJ-B")


def fix_link(repo: QmsRepo) -> None:
    _edit(repo.root / "procedures/PROC-DANGLE.md", "- OBJ-NOPE", "- OBJ-A")


def rename_file(repo: QmsRepo) -> None:
    (repo.root / "procedures/PROC-DANGLE.md").rename(repo.root / "procedures/renamed.md")


def delete_file(repo: QmsRepo) -> None:
    (repo.root / "objectives/OBJ-NOKPI.md").unlink()


def break_yaml(repo: QmsRepo) -> None:
    _edit(repo.root / "procedures/PROC-A.md", "supports:", "supports: [")


def edit_kpi_data(repo: QmsRepo) -> None:
    repo.data("KPI-A", monthly(1, 10, 50.0))


def corrupt_kpi_data(repo: QmsRepo) -> None:
    repo.data("KPI-A", "period,value\n2026-01,x\n")


def change_config(repo: QmsRepo) -> None:
    (repo.root / "qmskit.toml").write_text(f"today = {TODAY}\n[rules]\nT303 = 'off'\n",
                                           encoding="utf-8")


def same_content_new_mtime(repo: QmsRepo) -> None:
    path = repo.root / "procedures/PROC-DANGLE.md"
    content = path.read_bytes()
    path.unlink()
    path.write_bytes(content)


def edit_after_review_committed(repo: QmsRepo) -> None:
    path = repo.root / "procedures/PROC-A.md"
    path.write_text(path.read_text() + "\nOne more step.\n", encoding="utf-8")
    git(repo.root, "commit", "-q", "-am", "Edit PROC-A", date="2026-09-01")


def uncommitted_edit(repo: QmsRepo) -> None:
    path = repo.root / "objectives/OBJ-A.md"
    path.write_text(path.read_text() + "\nA note.\n", encoding="utf-8")


def checkout_older_revision(repo: QmsRepo) -> None:
    edit_after_review_committed(repo)
    git(repo.root, "checkout", "-q", "HEAD~1")


def reset_and_branch(repo: QmsRepo) -> None:
    edit_after_review_committed(repo)
    git(repo.root, "reset", "-q", "--hard", "HEAD~1")
    git(repo.root, "checkout", "-q", "-b", "other")
    path = repo.root / "procedures/PROC-DANGLE.md"
    path.write_text(path.read_text() + "\nOther branch.\n", encoding="utf-8")
    git(repo.root, "commit", "-q", "-am", "Other", date="2026-10-01")


CHANGES: list[Change] = [
    edit_link, fix_link, rename_file, delete_file, break_yaml, edit_kpi_data,
    corrupt_kpi_data, change_config, same_content_new_mtime, edit_after_review_committed,
    uncommitted_edit, checkout_older_revision, reset_and_branch,
]


@pytest.mark.parametrize("change", CHANGES, ids=lambda c: c.__name__)
def test_warm_equals_cold(change: Change, clean: QmsRepo,
                          capsys: pytest.CaptureFixture[str]) -> None:
    for code in ("L201", "T303", "C405"):
        PLANTS[code](clean)
    init_git(clean.root, date="2026-07-01")
    first = _run(clean.root, capsys)
    folder = cache_folder(clean.root)
    assert folder.is_relative_to(clean.root / ".git")
    assert (folder / "documents.json").is_file()
    assert _run(clean.root, capsys) == first  # unchanged: served from the cache
    change(clean)
    warm = _run(clean.root, capsys)
    cold = _run(clean.root, capsys, "--no-cache")
    assert warm == cold
    shutil.rmtree(folder)
    assert _run(clean.root, capsys) == cold


def test_no_cache_file_in_the_work_tree(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """The caches live in the git directory: nothing appears in the work tree, not even
    an ignored file that `git add -f` could commit."""
    init_git(clean.root)
    first = _run(clean.root, capsys)
    assert _run(clean.root, capsys) == first
    assert git(clean.root, "status", "--porcelain", "--ignored") == ""
    assert sorted(p.name for p in cache_folder(clean.root).iterdir()) == [
        "check-state.json", "documents.json", "git.json", "result.json"]


def test_outside_git_the_cache_is_in_the_users_cache_directory(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str], user_cache: Path
) -> None:
    before = sorted(p.relative_to(clean.root) for p in clean.root.rglob("*"))
    first = _run(clean.root, capsys)
    assert _run(clean.root, capsys) == first
    assert sorted(p.relative_to(clean.root) for p in clean.root.rglob("*")) == before
    folder = cache_folder(clean.root)
    assert folder.is_relative_to(user_cache / "qmskit")
    assert (folder / "documents.json").is_file()


def test_no_cache_writes_nothing(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    init_git(clean.root)
    _run(clean.root, capsys, "--no-cache")
    assert not (clean.root / ".git" / "qmskit").exists()
    (clean.root / "qmskit.toml").write_text(f"today = {TODAY}\ncache = false\n")
    _run(clean.root, capsys)
    assert not (clean.root / ".git" / "qmskit").exists()


def test_unwritable_cache_runs_cold(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cache that cannot be written (here: a file where its folder should be) is skipped."""
    PLANTS["T303"](clean)
    init_git(clean.root)
    (clean.root / ".git" / "qmskit").write_text("in the way", encoding="utf-8")
    first = _run(clean.root, capsys)
    assert _run(clean.root, capsys) == first
    assert [f["code"] for f in first["findings"]] == ["T303"]  # type: ignore[index]


def _age_files(root: Path) -> None:
    """Move every file's mtime an hour back, out of the racy window of the caches."""
    past = int((__import__("time").time() - 3600) * 1e9)
    for path in root.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            os.utime(path, ns=(past, past))


def test_unchanged_repository_reuses_the_whole_result(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import qmskit.rules.checker

    PLANTS["C402"](clean)
    init_git(clean.root)
    _age_files(clean.root)
    first = _run(clean.root, capsys)

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the cached result should have been used")

    monkeypatch.setattr(qmskit.rules.checker, "run_checks", refuse)
    assert _run(clean.root, capsys) == first
    # Anything the result depends on makes it run again: a new date ...
    with pytest.raises(AssertionError, match="cached result"):
        _run(clean.root, capsys, "--today", "2026-12-01")
    # ... a new commit, even one that changes no file ...
    git(clean.root, "commit", "-q", "--allow-empty", "-m", "empty", date="2026-08-01")
    with pytest.raises(AssertionError, match="cached result"):
        _run(clean.root, capsys)
    monkeypatch.undo()
    _run(clean.root, capsys)  # stores the result for the new HEAD
    monkeypatch.setattr(qmskit.rules.checker, "run_checks", refuse)
    assert _run(clean.root, capsys) == first
    # ... or a file whose size changed although its mtime was set back.
    path = clean.root / "procedures/PROC-A.md"
    path.write_text(path.read_text() + "x", encoding="utf-8")
    _age_files(clean.root)
    with pytest.raises(AssertionError, match="cached result"):
        _run(clean.root, capsys)
