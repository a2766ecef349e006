"""Every rule catches its planted defect at the right file and line, alone and together."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from qmskit.cli import main
from qmskit.rules import all_rules

from plants import CAPABILITY_PLANTS, PLANTS, Expected
from qmsfactory import TODAY, QmsRepo, init_git


def run_json(root: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict]:
    code = main(["check", str(root), "--format", "json", "--today", TODAY, *extra])
    return code, json.loads(capsys.readouterr().out)


def test_every_rule_has_a_plant() -> None:
    assert set(PLANTS) == set(all_rules())


def test_baseline_is_clean(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    init_git(clean.root)
    code, report = run_json(clean.root, capsys)
    assert report["findings"] == []
    assert code == 0


@pytest.mark.parametrize("code", sorted(PLANTS))
def test_rule_reports_its_planted_defect(
    code: str, clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = PLANTS[code](clean)
    status, report = run_json(clean.root, capsys)
    located = {(f["code"], f["path"], f["line"]) for f in report["findings"]}
    assert (expected.code, expected.path, expected.line) in located, report["findings"]
    # The defect is reported in its own file only: the clean baseline stays clean.
    assert {f["path"] for f in report["findings"] if f["code"] == code} == {expected.path}
    severity = all_rules()[code].severity
    assert status == (1 if severity == "error" or any(
        f["severity"] == "error" for f in report["findings"]) else 0)


@pytest.mark.parametrize("code", sorted(PLANTS))
def test_rule_can_be_switched_off(
    code: str, clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    PLANTS[code](clean)
    _, report = run_json(clean.root, capsys, "--ignore", code)
    assert code not in {f["code"] for f in report["findings"]}


def test_all_defects_together(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The acceptance test: one planted defect per rule in one repository."""
    repo = QmsRepo(tmp_path / "qms").baseline()
    clean_files = {p.relative_to(repo.root).as_posix() for p in repo.root.rglob("*.md")}
    expectations: list[Expected] = [plant(repo) for plant in PLANTS.values()]
    status, report = run_json(repo.root, capsys)
    located = {(f["code"], f["path"], f["line"]) for f in report["findings"]}
    missing = [e for e in expectations if (e.code, e.path, e.line) not in located]
    assert not missing, missing
    # No defect-free file is reported: neither the baseline nor a plant's helper files.
    reported_files = {f["path"] for f in report["findings"]}
    assert not (reported_files & clean_files), reported_files & clean_files
    assert reported_files <= {e.path for e in expectations}
    assert status == 1
    # The broken YAML file did not stop the rest: documents after it were checked too.
    assert report["documents"] > 20


def test_text_output_is_located(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    expected = PLANTS["L201"](clean)
    status = main(["check", str(clean.root), "--today", TODAY])
    out = capsys.readouterr().out
    assert f"{expected.path}:{expected.line}:" in out
    assert " L201 [error] supports names OBJ-NOPE, which no document declares" in out
    assert status == 1


def test_copy_of_repository_checks_the_same(
    clean: QmsRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Paths in findings are relative to ROOT, so moving the repository changes nothing."""
    PLANTS["T303"](clean)
    _, first = run_json(clean.root, capsys)
    moved = shutil.copytree(clean.root, tmp_path / "elsewhere")
    _, second = run_json(moved, capsys)
    assert first["findings"] == second["findings"]


@pytest.mark.parametrize("name", sorted(CAPABILITY_PLANTS))
def test_capability_defect_is_located_and_alone(
    name: str, clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 13: one defect per new capability, reported at its file:line:col and
    nowhere else (the valid neighbours in the same file pass)."""
    expected = CAPABILITY_PLANTS[name](clean)
    status, report = run_json(clean.root, capsys)
    located = [(f["code"], f["path"], f["line"], f["col"]) for f in report["findings"]]
    assert located == [(expected.code, expected.path, expected.line, expected.col)], \
        report["findings"]
    assert status == 1
