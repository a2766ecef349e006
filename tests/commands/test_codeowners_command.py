"""`qmskit codeowners`: document owners' holders in CODEOWNERS, nothing else touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from qmskit.cli import main
from qmskit.commands.codeowners import BEGIN, END

from qmsfactory import QmsRepo, approved, git, init_git


def _run(root: Path, *args: str) -> int:
    return main(["codeowners", "--root", str(root), *args])


def test_writes_the_block_from_owners(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    init_git(clean.root)
    assert _run(clean.root) == 0
    text = (clean.root / ".github/CODEOWNERS").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == BEGIN and lines[-1] == END
    assert "/procedures/PROC-A.md @quality-lead" in lines
    assert "/qms_docs/kpis/data/KPI-A.csv @quality-lead" in lines
    assert "/qms_docs/roles/ROLE-QM.md @managing-director" in lines
    assert "/qms_docs/strategy/STRAT-A.md @managing-director" in lines
    body = [line for line in lines if line.startswith("/")]
    assert body == sorted(body)
    assert _run(clean.root, "--check") == 0
    capsys.readouterr()


def test_check_fails_when_an_owner_changes(clean: QmsRepo,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(clean.root) == 0
    clean.write("ROLE-QM", "role", owner="ROLE-MD", holders=["quality-lead", "@qe-anna"],
                reports_to="ROLE-MD", **approved())
    path = clean.root / ".github/CODEOWNERS"
    before = path.read_bytes()
    capsys.readouterr()
    assert _run(clean.root, "--check") == 1
    captured = capsys.readouterr()
    assert "+/procedures/PROC-A.md @quality-lead @qe-anna" in captured.out
    assert "out of date" in captured.err
    assert path.read_bytes() == before  # --check never writes
    assert _run(clean.root) == 0
    assert _run(clean.root, "--check") == 0


def test_lines_outside_the_block_are_kept(clean: QmsRepo,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = clean.root / "CODEOWNERS"
    path.write_text("# code\n*.py @dev-team\n", encoding="utf-8")
    assert _run(clean.root) == 0
    first = path.read_text(encoding="utf-8")
    assert first.startswith("# code\n*.py @dev-team\n\n" + BEGIN + "\n")
    path.write_text(first + "/docs/ @writers\n", encoding="utf-8")
    clean.write("PROC-B", "procedure", owner="ROLE-MD", supports=["OBJ-A"], **approved())
    assert _run(clean.root) == 0
    second = path.read_text(encoding="utf-8")
    assert second.startswith("# code\n*.py @dev-team\n\n" + BEGIN + "\n")
    assert second.endswith(END + "\n/docs/ @writers\n")
    assert "/procedures/PROC-B.md @managing-director\n" in second
    assert not (clean.root / ".github").exists()
    capsys.readouterr()


def test_documents_without_holders_are_commented(clean: QmsRepo,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    clean.write("ROLE-EMPTY", "role", owner="ROLE-MD", holders=[], **approved())
    clean.write("PROC-B", "procedure", owner="ROLE-EMPTY", **approved())
    clean.write("PROC-C", "procedure", **approved())
    assert _run(clean.root) == 0
    text = (clean.root / ".github/CODEOWNERS").read_text(encoding="utf-8")
    assert "# /procedures/PROC-B.md (PROC-B): owner ROLE-EMPTY has no holders\n" in text
    assert "# /procedures/PROC-C.md (PROC-C): no owner\n" in text
    capsys.readouterr()


def test_qms_in_a_subfolder_of_the_repository(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    top = tmp_path / "monorepo"
    repo = QmsRepo(top / "quality").baseline()
    init_git(top)
    assert _run(repo.root) == 0
    text = (top / ".github/CODEOWNERS").read_text(encoding="utf-8")
    assert "/quality/procedures/PROC-A.md @quality-lead\n" in text
    git(top, "add", "-A")
    git(top, "commit", "-qm", "codeowners")
    assert _run(repo.root, "--check") == 0
    capsys.readouterr()


def test_a_missing_end_marker_is_an_error(clean: QmsRepo,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = clean.root / ".github/CODEOWNERS"
    path.parent.mkdir()
    path.write_text(BEGIN + "\n/x @y\n", encoding="utf-8")
    assert _run(clean.root) == 2
    assert "no '# END qmskit' line" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == BEGIN + "\n/x @y\n"
