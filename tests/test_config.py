"""Configuration: one file, validated strictly; bad config is exit 2, never a traceback."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from qmskit.cli import main

from plants import PLANTS
from qmsfactory import TODAY, QmsRepo


def _check(root: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    code = main(["check", str(root), "--today", TODAY, *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    ("toml", "fragment"),
    [
        ("colour = true\n", "colour: unknown key"),
        ("[rules]\nT309 = 'loud'\n", "rules.T309"),
        ("[rules]\nX999 = 'off'\n", "rules.X999: unknown rule"),
        ("review_window = 'soon'\n", "review_window"),
        ("folders = ['../outside']\n", "inside the repository"),
        ("[review_interval]\nprocedur = '6 months'\n", "unknown kind 'procedur'"),
        ("today = 'yesterday'\n", "today"),
        ("review_window = '9999 years'\n", "review_window: '9999 years' is longer than 100 years"),
        ("audit_interval = '8000 years'\n", "audit_interval"),
        ("[kpi_grace]\nmonthly = '200 years'\n", "kpi_grace.monthly"),
        ('folders = ["qms_docs\\nx"]\n', "contains a control character"),
        ('cache = "yes"\n', "cache: Input should be a valid boolean"),
        ('ack_days = "30"\n', "ack_days: Input should be a valid integer"),
        ("max_file_size = 2.5e6\n", "max_file_size: Input should be a valid integer"),
        ("this is not toml\n", "not valid TOML"),
    ],
)
def test_bad_config_exits_2(clean: QmsRepo, capsys: pytest.CaptureFixture[str], toml: str,
                            fragment: str) -> None:
    (clean.root / "qmskit.toml").write_text(toml, encoding="utf-8")
    code, out, err = _check(clean.root, capsys)
    assert code == 2
    assert fragment in err
    assert "Traceback" not in err + out


def test_rule_severity_and_off_by_code_or_name(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    PLANTS["T309"](clean)
    PLANTS["C402"](clean)
    (clean.root / "qmskit.toml").write_text(
        f"today = {TODAY}\n[rules]\nrole-owns-nothing = 'error'\nC402 = 'off'\n",
        encoding="utf-8")
    code, out, _ = _check(clean.root, capsys, "--format", "json")
    findings = json.loads(out)["findings"]
    assert [(f["code"], f["severity"]) for f in findings] == [("T309", "error")]
    assert code == 1


def test_pyproject_tool_section(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    PLANTS["C402"](clean)
    (clean.root / "qmskit.toml").unlink()
    (clean.root / "pyproject.toml").write_text(
        "[project]\nname = 'x'\n[tool.qmskit]\nreview_window = '3 days'\n", encoding="utf-8")
    code, out, _ = _check(clean.root, capsys)
    assert "C402" not in out  # due in 7 days is outside a 3-day window
    assert code == 0


def test_review_window_widens(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    (clean.root / "qmskit.toml").write_text(f"today = {TODAY}\nreview_window = '8 months'\n",
                                            encoding="utf-8")
    _, out, _ = _check(clean.root, capsys)
    assert out.count("C402") == 6  # every baseline document is due 2027-06-01


def test_default_interval_per_kind(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    clean.write("PROC-NOINT", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                status="approved", approved_on="2026-03-01")
    (clean.root / "qmskit.toml").write_text(
        f"today = {TODAY}\n[review_interval]\nprocedure = '6 months'\n", encoding="utf-8")
    code, out, _ = _check(clean.root, capsys)
    assert "procedures/PROC-NOINT.md" in out
    assert "C401" in out and "every 6 months" in out
    assert code == 1


def test_folders_and_exclude(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    PLANTS["T303"](clean)
    (clean.root / "qmskit.toml").write_text(
        f"today = {TODAY}\nexclude = ['objectives/OBJ-NOKPI.md']\n", encoding="utf-8")
    assert _check(clean.root, capsys)[0] == 0


def test_explicit_missing_config(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _check(clean.root, capsys, "--config", str(clean.root / "nope.toml"))
    assert code == 2
    assert "not found" in err


# --- issue 11 item 18: a config that checks nothing is not a clean check ----------------

def test_a_misspelt_folder_is_a_config_error(clean: QmsRepo,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    (clean.root / "qmskit.toml").write_text(
        f"today = {TODAY}\nfolders = ['qms_doc', 'procedures', 'objective']\n", encoding="utf-8")
    code, out, err = _check(clean.root, capsys)
    assert code == 2 and out == ""
    assert ("qmskit.toml: folders: 'qms_doc' (did you mean 'qms_docs'?), 'objective' (did you "
            "mean 'objectives'?) are not folders in") in err


def test_a_configured_folder_that_is_a_file_is_a_config_error(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    (clean.root / "notes").write_text("not a folder\n", encoding="utf-8")
    (clean.root / "qmskit.toml").write_text(
        f"today = {TODAY}\nfolders = ['qms_docs', 'notes']\n", encoding="utf-8")
    code, _, err = _check(clean.root, capsys)
    assert code == 2 and "'notes' is not a folder" in err


def test_default_folders_need_only_one_of_them(repo: QmsRepo,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    repo.write("ROLE-MD", "role", owner="ROLE-MD", holders=["managing-director"],
               status="draft")
    assert not (repo.root / "procedures").exists()
    assert _check(repo.root, capsys)[0] == 0


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _outside(path: Path) -> None:
    outside = path.parent.parent / "outside.toml"
    outside.write_text("today = 2026-11-24\n", encoding="utf-8")
    path.symlink_to(outside)


UNUSABLE = {
    "folder": (lambda path: path.mkdir(), "is a folder"),
    "dangling symlink": (lambda path: path.symlink_to("nowhere.toml"),
                         "symlink to a file that does not exist"),
    "fifo": (_fifo, "not a regular file"),
    "symlink outside": (_outside, "symlink to outside the repository"),
}


@pytest.mark.parametrize("name", ["qmskit.toml", "pyproject.toml"])
@pytest.mark.parametrize("case", sorted(UNUSABLE))
def test_a_config_that_is_not_a_regular_file_is_an_error(
    case: str, name: str, clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    (clean.root / "qmskit.toml").unlink()
    make, fragment = UNUSABLE[case]
    make(clean.root / name)
    code, _, err = _check(clean.root, capsys)  # returns at once: a FIFO is never opened blocking
    assert code == 2
    assert f"{name}: " in err and fragment in err
