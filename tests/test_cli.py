"""The check command's interface: formats, selection, exit codes, dates."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qmskit.cli import main

from plants import PLANTS
from qmsfactory import TODAY, QmsRepo


def test_json_format(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    expected = PLANTS["L201"](clean)
    assert main(["check", str(clean.root), "--format", "json", "--today", TODAY]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["errors"] == 1 and report["warnings"] == 0
    finding = report["findings"][0]
    assert finding["path"] == expected.path and finding["line"] == expected.line
    line_text = (clean.root / expected.path).read_text().splitlines()[expected.line - 1]
    assert finding["col"] == line_text.index("OBJ-NOPE") + 1
    assert finding["id"] == "PROC-DANGLE"
    assert finding["hint"]


def test_github_format(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    expected = PLANTS["C402"](clean)
    assert main(["check", str(clean.root), "--format", "github", "--today", TODAY]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"::warning file={expected.path},line={expected.line},col=")
    assert "title=C402::review due on 2026-12-01" in out[0]


def test_select_by_family_and_ignore(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    for code in ("L201", "T303", "C402"):
        PLANTS[code](clean)
    main(["check", str(clean.root), "--format", "json", "--today", TODAY, "--select", "T,C"])
    codes = {f["code"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert codes == {"T303", "C402"}
    main(["check", str(clean.root), "--format", "json", "--today", TODAY,
          "--ignore", "dangling-link", "--ignore", "C4"])
    codes = {f["code"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert codes == {"T303"}


def test_unknown_selector_is_usage_error(clean: QmsRepo,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(clean.root), "--select", "Z9"]) == 2
    assert "matches no rule" in capsys.readouterr().err


def test_today_changes_date_rules(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(clean.root), "--today", "2027-07-01"]) == 1
    out = capsys.readouterr().out
    assert "C401" in out and "review overdue since 2027-06-01" in out


def test_bad_today_is_usage_error(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(clean.root), "--today", "24/11/2026"]) == 2


def test_missing_root_is_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "nowhere")]) == 2


def test_a_directory_without_qms_folders_is_not_a_clean_qms(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # "0 documents checked, 0 errors" would be a green CI that checks nothing.
    assert main(["check", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no QMS here: none of the folders qms_docs, procedures, objectives exists" in err


def test_folders_without_a_controlled_document_say_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "procedures").mkdir()
    (tmp_path / "procedures/notes.md").write_text("# Notes, a plain page\n", encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "note: no controlled document found in qms_docs, procedures, objectives" in out
    assert "0 documents checked" in out


def test_console_script_and_module(clean: QmsRepo) -> None:
    """The installed entry points run as real processes with the right exit codes."""
    PLANTS["T303"](clean)
    exe = Path(sys.executable).with_name("qmskit")
    done = subprocess.run([str(exe), "check", str(clean.root)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 1
    assert "objectives/OBJ-NOKPI.md:" in done.stdout
    done = subprocess.run([sys.executable, "-m", "qmskit", "--version"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0 and "qmskit" in done.stdout


def test_rules_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    listing = capsys.readouterr().out
    assert "L201  dangling-link" in listing
    assert main(["rules", "role-owns-nothing"]) == 0
    page = capsys.readouterr().out
    assert page.startswith("T309 role-owns-nothing (default: warning")
    assert main(["rules", "nope"]) == 2
