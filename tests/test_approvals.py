"""Approval evidence: review/approval trailers, revision history, signature checks."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from qmskit.cli import main
from qmskit.domain.approvals import lifecycle, parse_signature, revision_history
from qmskit.loader import open_qms
from qmskit.reports.revisions import revision_markdown

from gitcalls import GitCalls
from qmsfactory import QmsRepo, approved, git, init_git


@pytest.fixture(autouse=True)
def identity(monkeypatch: pytest.MonkeyPatch) -> None:
    """The commits `qmskit review --commit` makes use the environment's git identity."""
    for key, value in {"GIT_AUTHOR_NAME": "quality-lead", "GIT_COMMITTER_NAME": "quality-lead",
                       "GIT_AUTHOR_EMAIL": "quality-lead@example.invalid",
                       "GIT_COMMITTER_EMAIL": "quality-lead@example.invalid"}.items():
        monkeypatch.setenv(key, value)


def edit_body(repo: QmsRepo, doc_id: str, kind: str, line: str, day: str) -> None:
    path = repo.path_for(doc_id, kind)
    path.write_text(path.read_text(encoding="utf-8") + line, encoding="utf-8")
    git(repo.root, "commit", "-q", "-am", f"Edit {doc_id}", date=day)


def test_review_commit_records_who_signed_and_in_what_role(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    init_git(clean.root, date="2026-06-02")
    edit_body(clean, "PROC-A", "procedure", "\nA new step.\n", "2026-07-01")
    assert main(["review", "PROC-A", "--by", "ROLE-QM", "--date", "2026-07-02", "--commit",
                 "--root", str(clean.root)]) == 0
    assert main(["review", "PROC-A", "--by", "ROLE-MD", "--approve", "--date", "2026-07-03",
                 "--commit", "--root", str(clean.root)]) == 0
    out = capsys.readouterr().out
    assert 'committed' in out and "Approve PROC-A (version 2)" in out
    message = git(clean.root, "log", "-1", "--format=%B")
    # The approver signs the approval only: the review was the QMO's (issue 11 item 11).
    assert message == "Approve PROC-A (version 2)\n\nApproved-by: ROLE-MD (managing-director)\n\n"
    assert git(clean.root, "status", "--porcelain").strip() == ""

    qms = open_qms(clean.root, with_git=False)
    history = revision_history(qms, qms.documents["PROC-A"])
    assert [(r.version, r.subject) for r in history] == [
        (2, "Approve PROC-A (version 2)"), (2, "Review PROC-A (version 2)"),
        (1, "Edit PROC-A"), (1, "Initial QMS")]
    approval, review = history[0], history[1]
    assert [str(s) for s in approval.signatures] == ["approved by managing-director as ROLE-MD"]
    assert [str(s) for s in review.signed("reviewed")] == ["reviewed by quality-lead as ROLE-QM"]
    assert history[2].signatures == ()
    assert approval.author == "quality-lead"
    assert approval.signature_check == "N" and not approval.verified
    table = revision_markdown(qms, qms.documents["PROC-A"])
    assert (f"| 2 | {approval.day} | quality-lead | — | managing-director (ROLE-MD) |"
            in table)
    assert f"| 2 | {review.day} | quality-lead | quality-lead (ROLE-QM) | — |" in table
    front = (clean.root / "procedures/PROC-A.md").read_text(encoding="utf-8")
    assert "approved_by: ROLE-MD\napproved_on: 2026-07-03\napproved_version: 2\n" in front
    # The reviewer's stamp stays.
    assert "review:\n  last: 2026-07-02\n  interval: 12 months\n  by: ROLE-QM\n" in front
    assert "| 1 | 2026-07-01 | quality-lead | — | — |" in table


def test_without_commit_the_trailers_are_printed(clean: QmsRepo,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["review", "PROC-A", "--by", "ROLE-QM", "--approve",
                 "--root", str(clean.root)]) == 0
    out = capsys.readouterr().out
    assert "    Reviewed-by: ROLE-QM (quality-lead)\n    Approved-by: ROLE-QM (quality-lead)" \
        in out


@pytest.mark.parametrize(("extra", "message"), [
    (["--by", "ROLE-QM", "--as", "managing-director"],
     "--as managing-director: not a holder or the deputy of ROLE-QM"),
    (["--by", "ROLE-TEAM", "--commit"], "ROLE-TEAM has 2 holders; say who signs with --as"),
    (["--as", "quality-lead"], "--as needs --by ROLE"),
    (["--commit"], "--commit needs --by ROLE"),
])
def test_signatures_must_name_an_entitled_person(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    clean.write("ROLE-TEAM", "role", owner="ROLE-MD", holders=["setter-1", "setter-2"],
                deputy="setter-3", reports_to="ROLE-MD", **approved())
    init_git(clean.root)
    before = clean.path_for("PROC-A", "procedure").read_bytes()
    assert main(["review", "PROC-A", *extra, "--root", str(clean.root)]) == 2
    assert message in capsys.readouterr().err
    assert clean.path_for("PROC-A", "procedure").read_bytes() == before


def test_deputy_may_sign(clean: QmsRepo) -> None:
    clean.write("ROLE-TEAM", "role", owner="ROLE-MD", holders=["setter-1", "setter-2"],
                deputy="setter-3", reports_to="ROLE-MD", **approved())
    init_git(clean.root)
    assert main(["review", "PROC-A", "--by", "ROLE-TEAM", "--as", "setter-3", "--commit",
                 "--root", str(clean.root)]) == 0
    assert "Reviewed-by: ROLE-TEAM (setter-3)" in git(clean.root, "log", "-1", "--format=%B")


def test_commit_outside_git_is_refused_before_stamping(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    before = clean.path_for("PROC-A", "procedure").read_bytes()
    assert main(["review", "PROC-A", "--by", "ROLE-QM", "--commit",
                 "--root", str(clean.root)]) == 2
    assert "not a git work tree" in capsys.readouterr().err
    assert clean.path_for("PROC-A", "procedure").read_bytes() == before


def test_signed_commits_are_marked_verified(clean: QmsRepo, tmp_path: Path) -> None:
    """An SSH-signed approval shows as verified (git's %G? is G); unsigned ones do not."""
    init_git(clean.root, date="2026-06-02")
    key = tmp_path / "signing-key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "md", "-f", str(key)],
                   check=True)
    allowed = tmp_path / "allowed_signers"
    allowed.write_text("quality-lead@example.invalid " + key.with_suffix(".pub").read_text(),
                       encoding="utf-8")
    for setting, value in (("gpg.format", "ssh"), ("user.signingkey", str(key)),
                           ("gpg.ssh.allowedSignersFile", str(allowed)),
                           ("commit.gpgsign", "true")):
        git(clean.root, "config", setting, value)
    assert main(["review", "PROC-A", "--by", "ROLE-MD", "--approve", "--commit",
                 "--root", str(clean.root)]) == 0
    history = revision_history(open_qms(clean.root, with_git=False),
                               open_qms(clean.root, with_git=False).documents["PROC-A"])
    assert history[0].signature_check == "G" and history[0].verified
    assert history[1].signature_check == "N" and not history[1].verified
    qms = open_qms(clean.root, with_git=False)
    assert "| verified |" in revision_markdown(qms, qms.documents["PROC-A"])


def test_history_is_read_in_one_pass(clean: QmsRepo, git_calls: GitCalls) -> None:
    for n in range(30):
        clean.write(f"PROC-N{n}", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                    **approved(version=n % 3 + 1))
    init_git(clean.root)
    git_calls.reset()
    qms = open_qms(clean.root, with_git=False)
    versions = {doc.id: [r.version for r in revision_history(qms, doc)]
                for doc in qms.documents.values()}
    assert versions["PROC-N4"] == [2] and versions["PROC-N5"] == [3]
    assert git_calls.commands() == ["rev-parse", "log", "cat-file"]


def test_history_outside_git_is_empty(clean: QmsRepo) -> None:
    qms = open_qms(clean.root, with_git=False)
    assert revision_history(qms, qms.documents["PROC-A"]) == []
    assert "Revision history unavailable: not a git repository" in revision_markdown(
        qms, qms.documents["PROC-A"])


def test_retired_documents_are_marked_obsolete(clean: QmsRepo) -> None:
    clean.write("PROC-OLD", "procedure", owner="ROLE-QM", superseded_by="PROC-A",
                **approved(status="retired"))
    qms = open_qms(clean.root, with_git=False)
    old = lifecycle(qms, qms.documents["PROC-OLD"])
    assert old.obsolete and old.superseded_by == "PROC-A"
    assert old.superseded_by_title == "Title of PROC-A"
    assert old.banner(lambda i: f"[{i}]({i}.md)") == (
        "**OBSOLETE** — retired and superseded by [PROC-A](PROC-A.md); kept for reference "
        "only, do not work to it.")
    current = lifecycle(qms, qms.documents["PROC-A"])
    assert not current.obsolete and current.replaces == ("PROC-OLD",)
    assert current.banner() is None
    assert revision_markdown(qms, qms.documents["PROC-OLD"]).startswith("**OBSOLETE**")


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("Reviewed-by", " ROLE-QM (quality-lead)", ("reviewed", "ROLE-QM", "quality-lead")),
    ("approved-by", "Jo Bloggs <jo@example.invalid>",
     ("approved", None, "Jo Bloggs <jo@example.invalid>")),
    ("Signed-off-by", "x", None),
    ("Approved-by", "  ", None),
])
def test_trailer_values(key: str, value: str,
                        expected: tuple[str, str | None, str] | None) -> None:
    found = parse_signature(key, value)
    assert (None if found is None else (found.meaning, found.role, found.who)) == expected
