"""The incremental check (issue 15): after an edit it re-reads only what changed and
re-runs only what the change can reach, and its output is byte for byte a cold check's.

Every case runs on a real git repository: a full check with the cache, a change, then
the incremental check, a cold check (`--no-cache`) and a warm one, whose outputs must be
identical. Which way the check went (bodies only, front matter, full) is recorded by a
spy on `CheckState.attempt`, and the bodies-only way is proven not to load the QMS.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from qmskit.cli import main
from qmskit.rules.incremental import CheckState

from plants import PLANTS
from qmsfactory import TODAY, QmsRepo, git


def _check(root: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    main(["check", str(root), "--format", "json", "--today", TODAY, *extra])
    return capsys.readouterr().out


def _age(root: Path) -> None:
    """Every file an hour old: out of the racy window the caches distrust."""
    past = int((time.time() - 3600) * 1e9)
    for path in root.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            os.utime(path, ns=(past, past))


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The way each check with the cache went: "full", "bodies" or "front matter"."""
    ways: list[str] = []
    real = CheckState.attempt

    def spy(self: CheckState, *args: Any, **kwargs: Any) -> Any:
        result = real(self, *args, **kwargs)
        ways.append(self.path_taken if result is not None else "full")
        return result

    monkeypatch.setattr(CheckState, "attempt", spy)
    return ways


@pytest.fixture
def qms(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> Iterator[QmsRepo]:
    """A committed QMS with findings of several families (C403 among them), checked
    once with the cache, every file out of the racy window."""
    for code in ("L201", "T303", "C405", "C403"):
        PLANTS[code](clean)
    assert git(clean.root, "status", "--porcelain") == ""  # the C403 plant committed
    _age(clean.root)
    _check(clean.root, capsys)
    yield clean


Change = Callable[[QmsRepo], None]


def edit_body(repo: QmsRepo) -> None:
    _append(repo.root / "procedures/PROC-A.md", "\nA new inspection step.\n")


def edit_two_bodies(repo: QmsRepo) -> None:
    _append(repo.root / "procedures/PROC-A.md", "\nOne.\n")
    _append(repo.root / "objectives/OBJ-A.md", "\nTwo.\n")


def same_bytes_rewritten(repo: QmsRepo) -> None:
    path = repo.root / "procedures/PROC-A.md"
    content = path.read_bytes()
    path.unlink()
    path.write_bytes(content)


def change_link(repo: QmsRepo) -> None:
    _replace(repo.root / "procedures/PROC-A.md", "- OBJ-A", "- OBJ-GONE")


def change_owner_and_stamp(repo: QmsRepo) -> None:
    _replace(repo.root / "objectives/OBJ-A.md", "owner: ROLE-QM", "owner: ROLE-MD")


def break_front_matter(repo: QmsRepo) -> None:
    _replace(repo.root / "procedures/PROC-A.md", "supports:", "supports: [")


def rename(repo: QmsRepo) -> None:
    (repo.root / "procedures/PROC-A.md").rename(repo.root / "procedures/purchasing.md")


def delete(repo: QmsRepo) -> None:
    (repo.root / "procedures/PROC-A.md").unlink()


def add_document(repo: QmsRepo) -> None:
    repo.write("PROC-NEW", "procedure", owner="ROLE-QM", supports=["OBJ-A"])


def change_config(repo: QmsRepo) -> None:
    (repo.root / "qmskit.toml").write_text(f"today = {TODAY}\n[rules]\nT303 = 'off'\n",
                                           encoding="utf-8")


def edit_kpi_data(repo: QmsRepo) -> None:
    _replace(repo.root / "qms_docs/kpis/data/KPI-A.csv", "\n2026-10,", "\n2026-10,1")


def commit_an_edit(repo: QmsRepo) -> None:
    edit_body(repo)
    git(repo.root, "commit", "-qam", "Edit PROC-A", date="2026-09-01")


def checkout_another_branch(repo: QmsRepo) -> None:
    git(repo.root, "checkout", "-q", "-b", "other")
    _append(repo.root / "objectives/OBJ-A.md", "\nOn the other branch.\n")
    change_link(repo)
    git(repo.root, "commit", "-qam", "Other", date="2026-10-01")
    git(repo.root, "checkout", "-q", "main")
    _age(repo.root)
    git(repo.root, "checkout", "-q", "other")


CHANGES: dict[str, tuple[Change, str]] = {
    "edit a body": (edit_body, "bodies"),
    "edit two bodies": (edit_two_bodies, "bodies"),
    "same bytes rewritten": (same_bytes_rewritten, "bodies"),
    "change a link": (change_link, "front matter"),
    "change an owner": (change_owner_and_stamp, "front matter"),
    "break the front matter": (break_front_matter, "full"),
    "rename a file": (rename, "full"),
    "delete a file": (delete, "full"),
    "add a document": (add_document, "full"),
    "change the config": (change_config, "full"),
    "edit KPI data": (edit_kpi_data, "full"),
    "commit an edit": (commit_an_edit, "full"),
    "check out another branch": (checkout_another_branch, "full"),
}


@pytest.mark.parametrize("name", CHANGES)
def test_incremental_equals_warm_equals_cold(
    name: str, qms: QmsRepo, capsys: pytest.CaptureFixture[str], taken: list[str]
) -> None:
    change, way = CHANGES[name]
    change(qms)
    incremental = _check(qms.root, capsys)
    assert taken == [way]
    cold = _check(qms.root, capsys, "--no-cache")
    assert incremental == cold
    assert _check(qms.root, capsys) == cold  # warm: the result cache


def test_edits_in_a_row_stay_equal_to_cold(
    qms: QmsRepo, capsys: pytest.CaptureFixture[str], taken: list[str]
) -> None:
    """Each incremental check leaves a state the next one builds on."""
    path = qms.root / "procedures/PROC-A.md"
    original = path.read_text(encoding="utf-8")
    steps: list[Change] = [edit_body, change_link, edit_two_bodies,
                           lambda repo: path.write_text(original, encoding="utf-8")]
    for step in steps:
        step(qms)
        incremental = _check(qms.root, capsys)
        assert incremental == _check(qms.root, capsys, "--no-cache")
    assert taken == ["bodies", "front matter", "bodies", "front matter"]


def test_a_body_edit_reads_only_the_edited_document(
    qms: QmsRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bodies only: the QMS is not loaded, one file is parsed, and C403 now reports the
    uncommitted change of the edited document."""
    import qmskit.loader

    parsed: list[str] = []
    real = qmskit.loader.parse_bytes

    def counting(path: str, relative: str, *args: Any, **kwargs: Any) -> Any:
        parsed.append(relative)
        return real(path, relative, *args, **kwargs)

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the whole QMS was loaded")

    before = _check(qms.root, capsys)
    edit_body(qms)
    monkeypatch.setattr(qmskit.loader, "parse_bytes", counting)
    monkeypatch.setattr(qmskit.loader, "load_qms", refuse)
    after = _check(qms.root, capsys)
    monkeypatch.undo()
    assert parsed == ["procedures/PROC-A.md"]
    assert "uncommitted changes since its last review" not in before
    assert "uncommitted changes since its last review" in after
    assert after == _check(qms.root, capsys, "--no-cache")


@pytest.mark.parametrize(("old", "new"), [
    ('"findings":{', '"findings":{"X999":[{"path":1}],'),  # a finding that is none
    ('"procedures/PROC-A.md":"', '"procedures/PROC-A.md":"x'),  # the edited file's entry
])
def test_a_damaged_state_gives_the_cold_answer(
    qms: QmsRepo, capsys: pytest.CaptureFixture[str], taken: list[str], old: str, new: str
) -> None:
    from qmskit.cache import cache_dir, locate

    state = cache_dir(qms.root, locate(qms.root)) / "check-state.json"
    text = state.read_text(encoding="utf-8")
    damaged = text.replace(old, new, 1)
    assert damaged != text
    state.write_text(damaged, encoding="utf-8")
    edit_body(qms)
    assert _check(qms.root, capsys) == _check(qms.root, capsys, "--no-cache")
    assert taken == ["full"]


def test_a_qms_with_a_register_keeps_no_state(
    qms: QmsRepo, capsys: pytest.CaptureFixture[str], taken: list[str]
) -> None:
    """A register reads a table the walk may not see: such a QMS is always checked in
    full, and the state an earlier check left is removed, so it cannot come back."""
    from qmskit.cache import cache_dir, locate

    state = cache_dir(qms.root, locate(qms.root)) / "check-state.json"
    assert state.is_file()
    PLANTS["D107"](qms)
    _check(qms.root, capsys)
    assert not state.exists()
    edit_body(qms)
    assert _check(qms.root, capsys) == _check(qms.root, capsys, "--no-cache")
    assert taken == ["full", "full"]


@pytest.mark.parametrize("selection", [["--ignore", "C403"], ["--select", "C403,L"]])
def test_a_rule_selection_is_incremental_too(
    qms: QmsRepo, capsys: pytest.CaptureFixture[str], taken: list[str], selection: list[str]
) -> None:
    _check(qms.root, capsys, *selection)  # the state of this selection
    for change in (edit_body, change_link):
        change(qms)
        incremental = _check(qms.root, capsys, *selection)
        assert incremental == _check(qms.root, capsys, "--no-cache", *selection)
    assert taken == ["full", "bodies", "front matter"]
