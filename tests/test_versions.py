"""Versions and approval per version (issue 11 items 7 and 11).

Version 0 is a version like any other (Rev 0 is a common first issue). A version is
approved only when someone approves that version: a review that raises the version
leaves it pending, a rule reports an approval older than the current version, and
acknowledgements are owed for the approved version from its own approval date.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from qmskit.cli import main
from qmskit.domain.acks import obligations, parse_ledger
from qmskit.domain.versions import approval
from qmskit.loader import open_qms
from qmskit.model.types import next_version, parse_version
from qmskit.site import SiteContext, generate, render_page

from qmsfactory import TODAY, QmsRepo, approved, git, init_git, line_of

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


@pytest.mark.parametrize("text", ["-1", "zero", "٣", "", " 1", "1_0"])
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


# --- 11. approval per version -----------------------------------------------------------

@pytest.fixture
def changed(clean: QmsRepo) -> QmsRepo:
    """PROC-R version 1, approved by ROLE-MD on 2026-03-01 and acknowledged by its reader;
    then its content changed (committed 2026-11-10)."""
    path = clean.write("PROC-R", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                       applies_to=["ROLE-QM"],
                       **approved(approved_on="2026-03-01",
                                  review={"last": "2026-03-01", "interval": "12 months"}))
    clean.write_raw(LEDGER, "id,version,handle,date\nPROC-R,1,quality-lead,2026-03-05\n")
    init_git(clean.root, date="2026-03-01")
    path.write_text(path.read_text(encoding="utf-8") + "\nA new step.\n", encoding="utf-8")
    git(clean.root, "commit", "-qam", "Add a step", date="2026-11-10")
    return clean


def _front(repo: QmsRepo) -> dict[str, Any]:
    text = (repo.root / "procedures/PROC-R.md").read_text(encoding="utf-8")
    front: dict[str, Any] = yaml.safe_load(text.split("---\n")[1])
    return front


def _approval_findings(root: Path, capsys: pytest.CaptureFixture[str],
                       *extra: str) -> list[dict[str, Any]]:
    # C403 (changed since review) has its own tests: stamp-only commits are its concern.
    return _findings(root, capsys, "--ignore", "C403", *extra)


def _review(repo: QmsRepo, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    assert main(["review", "PROC-R", *args, "--root", str(repo.root)]) == 0
    out = capsys.readouterr().out
    git(repo.root, "commit", "-qam", f"review {' '.join(args)}", date=TODAY)
    return out


def test_a_raised_version_is_pending_until_approved(changed: QmsRepo,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = _review(changed, capsys, "--by", "ROLE-QM", "--date", "2026-11-20")
    assert "version 2 is pending approval (version 1 stays the approved one)" in out
    front = _front(changed)
    # The approval on record stays version 1's; nothing claims version 2 was approved.
    assert (front["version"], front["approved_version"], str(front["approved_on"]),
            front["approved_by"]) == (2, 1, "2026-03-01", "ROLE-MD")
    findings = _approval_findings(changed.root, capsys)
    path = changed.root / "procedures/PROC-R.md"
    assert [(f["code"], f["severity"], f["line"], f["message"]) for f in findings] == [
        ("A605", "warning", line_of(path, "approved_version: 1"),
         "version 2 of PROC-R is pending approval: the approval on record (by ROLE-MD on "
         "2026-03-01) is for version 1")]
    # No acknowledgement of the unapproved version is owed: version 1 was acknowledged.
    [owed] = obligations(open_qms(changed.root, with_git=False))
    assert (owed.version, owed.status) == (1, "current")
    # Nor can one be given.
    capsys.readouterr()
    assert main(["ack", "PROC-R", "--as", "quality-lead", "--root", str(changed.root)]) == 2
    assert "version 2 of PROC-R is pending approval" in capsys.readouterr().err

    # The handbook shows it as pending, on its page and in the register.
    qms = open_qms(changed.root)
    ctx = SiteContext.create(qms)
    page = render_page(ctx, ctx.src_of["PROC-R"], qms.documents["PROC-R"].body)
    assert "version 2 pending approval" in page and "(version 1)" in page
    register = str(generate(ctx)[ctx.layout.generated("register.md")])
    row = next(line for line in register.splitlines() if "PROC-R" in line and "<tr>" in line)
    assert "pending approval" in row


def test_approval_by_another_role_keeps_the_reviewer(changed: QmsRepo,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    _review(changed, capsys, "--by", "ROLE-QM", "--date", "2026-11-20")
    out = _review(changed, capsys, "--by", "ROLE-MD", "--approve", "--as", "managing-director")
    assert "version 2 approved by ROLE-MD on 2026-11-24" in out
    assert "Reviewed-by" not in out and "Approved-by: ROLE-MD (managing-director)" in out
    front = _front(changed)
    assert front["review"] == {"last": date(2026, 11, 20), "interval": "12 months",
                               "by": "ROLE-QM"}
    assert (front["version"], front["approved_version"], front["approved_on"],
            front["approved_by"]) == (2, 2, date(2026, 11, 24), "ROLE-MD")
    assert _approval_findings(changed.root, capsys) == []
    # Acknowledgements of version 2 are owed from its own approval, not from March.
    [owed] = obligations(open_qms(changed.root, with_git=False))
    assert (owed.version, owed.status, owed.due) == (2, "outdated", date(2026, 12, 24))
    late = _approval_findings(changed.root, capsys, "--today", "2026-12-27", "--select",
                              "A603")
    assert [f["message"] for f in late] == [
        "quality-lead (ROLE-QM) has not acknowledged version 2 of PROC-R, approved 2026-11-24 "
        "(last read version 1; 3 days past the 30-day window)"]


def test_approving_changed_content_is_also_its_review(changed: QmsRepo,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    # Nobody reviewed the change: the approver does, and approves the raised version.
    out = _review(changed, capsys, "--by", "ROLE-MD", "--approve")
    assert "version 1 → 2" in out and "Reviewed-by: ROLE-MD" in out
    front = _front(changed)
    assert (front["version"], front["approved_version"], front["review"]["by"]) == (
        2, 2, "ROLE-MD")


def test_an_approval_newer_than_the_version_is_a_finding_too(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    path = clean.write("PROC-B", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                       **approved(version=2, approved_version=3))
    [finding] = _findings(clean.root, capsys)
    assert (finding["code"], finding["line"]) == ("A605", line_of(path, "approved_version: 3"))
    assert "above its current version 2" in finding["message"]


def test_without_approved_version_the_current_version_counts_as_approved(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    # Front matter written before qmskit recorded the approved version: qmskit cannot
    # tell which version was approved, and does not guess otherwise.
    clean.write("PROC-B", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                **approved(version=4))
    assert _findings(clean.root, capsys) == []
    model = open_qms(clean.root, with_git=False).documents["PROC-B"].model
    record = approval(model)
    assert (record.current, record.version, record.pending) == (4, 4, False)


def test_a_draft_has_nothing_approved(clean: QmsRepo) -> None:
    clean.write("PROC-B", "procedure", owner="ROLE-QM", supports=["OBJ-A"], status="draft",
                version=2)
    record = approval(open_qms(clean.root, with_git=False).documents["PROC-B"].model)
    assert (record.version, record.pending, record.of_current) == (None, False, False)
