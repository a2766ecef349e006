"""Versions and approval per version (issue 11 items 7 and 11).

Version 0 is a version like any other (Rev 0 is a common first issue). A version is
approved only when someone approves that version: a review that raises the version
leaves it pending, a rule reports an approval older than the current version, and
acknowledgements are owed for the approved version from its own approval date.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qmskit.cli import main
from qmskit.domain.acks import obligations, parse_ledger
from qmskit.loader import open_qms
from qmskit.model.types import next_version, parse_version

from qmsfactory import TODAY, QmsRepo, approved

LEDGER = "qms_docs/acknowledgements.csv"


def _findings(root: Path, capsys: pytest.CaptureFixture[str],
              *extra: str) -> list[dict[str, Any]]:
    capsys.readouterr()
    main(["check", str(root), "--format", "json", "--no-cache", "--today", TODAY, *extra])
    findings: list[dict[str, Any]] = json.loads(capsys.readouterr().out)["findings"]
    return findings


# --- 7. version 0 -----------------------------------------------------------------------

@pytest.mark.parametrize("status", ["draft", "approved"])
def test_version_zero_is_a_version(status: str, clean: QmsRepo,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    fields = approved(version=0) if status == "approved" else {"status": "draft", "version": 0}
    clean.write("PROC-REV0", "procedure", owner="ROLE-QM", supports=["OBJ-A"], **fields)
    assert _findings(clean.root, capsys) == []
    assert open_qms(clean.root, with_git=False).documents["PROC-REV0"].model.version == 0


def test_negative_version_is_still_refused(clean: QmsRepo,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    clean.write("PROC-NEG", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                **approved(version=-1))
    [finding] = _findings(clean.root, capsys)
    assert finding["code"] == "D102" and finding["message"].startswith("version:")


def test_version_zero_is_acknowledged_as_zero(clean: QmsRepo,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    clean.write("PROC-REV0", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                applies_to=["ROLE-QM"], **approved(version=0))
    clean.write_raw(LEDGER, "id,version,handle,date\n")
    [owed] = obligations(open_qms(clean.root, with_git=False))
    assert (owed.version, owed.status) == (0, "missing")  # not silently "version 1"
    assert main(["ack", "PROC-REV0", "--as", "quality-lead", "--root", str(clean.root)]) == 0
    assert (clean.root / LEDGER).read_text().splitlines()[-1] == \
        f"PROC-REV0,0,quality-lead,{TODAY}"
    [owed] = obligations(open_qms(clean.root, with_git=False))
    assert owed.status == "current"
    assert _findings(clean.root, capsys) == []


def test_review_bump_from_version_zero(clean: QmsRepo,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = clean.write("PROC-REV0", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                       **approved(version=0))
    assert main(["review", "PROC-REV0", "--bump", "--root", str(clean.root)]) == 0
    assert "version 0 → 1" in capsys.readouterr().out
    assert "version: 1\n" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("text", "version"), [("0", 0), ("7", 7), ("12", 12)])
def test_parse_version(text: str, version: int) -> None:
    assert parse_version(text) == version


@pytest.mark.parametrize("text", ["-1", "1.0", "٣", "", " 1", "1_0"])
def test_parse_version_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="not a whole number"):
        parse_version(text)


def test_ledger_versions_share_the_parser() -> None:
    ledger = parse_ledger("id,version,handle,date\nPROC-A,0,quality-lead,2026-01-02\n"
                          "PROC-A,٣,quality-lead,2026-01-03\n", LEDGER)
    assert [a.version for a in ledger.acks] == [0]
    [problem] = ledger.problems
    assert (problem.line, problem.col) == (3, 8) and "not a whole number" in problem.message


def test_next_version() -> None:
    assert [next_version(v) for v in (None, 0, 1, 9)] == [2, 1, 2, 10]
