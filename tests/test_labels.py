"""Version labels (issue 13): `1.0` stays `1.0`, labels compare sensibly and a review
bumps the last number or letter; the ledger, approvals and git history read them too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qmskit.cli import main
from qmskit.domain.acks import parse_ledger
from qmskit.domain.approvals import revision_history
from qmskit.domain.versions import approval
from qmskit.loader import open_qms
from qmskit.model.types import Version, next_version, parse_version

from qmsfactory import TODAY, QmsRepo, git, init_git, line_of


def _findings(root: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    capsys.readouterr()
    main(["check", str(root), "--format", "json", "--no-cache", "--today", TODAY])
    findings: list[dict[str, Any]] = json.loads(capsys.readouterr().out)["findings"]
    return findings


def _write(repo: QmsRepo, doc_id: str, version_line: str, extra: str = "") -> Path:
    return repo.write_raw(
        f"procedures/{doc_id}.md",
        f"---\nid: {doc_id}\nkind: procedure\ntitle: Labelled\nowner: ROLE-QM\n"
        f"status: approved\n{version_line}\napproved_by: ROLE-MD\napproved_on: 2026-06-01\n"
        f"{extra}review:\n  last: 2026-06-01\n  interval: 12 months\nsupports: [OBJ-A]\n"
        "---\nBody.\n")


@pytest.mark.parametrize(("spelling", "bumped"), [
    ("1.0", "1.1"), ("1.9", "1.10"), ("B", "C"), ("Rev C", "Rev D"), ("Z", "AA"),
    ("7", "8"), ("2.3a", "2.3b"), ("09", "10"), ("v1.2", "v1.3"),
])
def test_bump_raises_the_last_number_or_letter(spelling: str, bumped: str) -> None:
    assert str(Version(spelling).bump()) == bumped
    assert str(next_version(Version(spelling))) == bumped


def test_labels_compare_segment_by_segment() -> None:
    ordered = ["0", "1", "1.0", "1.9", "1.10", "2", "10", "A", "B", "Z", "AA", "Rev C",
               "Rev D"]
    assert sorted(map(Version, reversed(ordered))) == [Version(v) for v in ordered]
    assert Version("2") == 2 and Version("2.0") != 2 and Version("rev c") == Version("Rev C")
    assert str(Version("1.0")) == "1.0"


@pytest.mark.parametrize("text", ["zero", "draft", "yes", "1_0", "-1", "", "1.", "ZZZ"])
def test_what_is_not_a_version(text: str) -> None:
    with pytest.raises(ValueError, match="not a whole number >= 0 or a label"):
        parse_version(text)


@pytest.mark.parametrize(("line", "spelling"), [
    ("version: 1.0", "1.0"), ("version: 1.10", "1.10"), ('version: "2.3"', "2.3"),
    ("version: B", "B"), ("version: Rev C", "Rev C"), ("version: 3", "3"),
])
def test_the_spelling_is_kept(clean: QmsRepo, capsys: pytest.CaptureFixture[str],
                              line: str, spelling: str) -> None:
    _write(clean, "PROC-LABEL", line)
    assert _findings(clean.root, capsys) == []
    model = open_qms(clean.root, with_git=False).documents["PROC-LABEL"].model
    assert str(model.version) == spelling


def test_a_bad_label_is_reported_at_its_value(clean: QmsRepo,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(clean, "PROC-BADLABEL", "version: draft two")
    [finding] = _findings(clean.root, capsys)
    assert (finding["code"], finding["path"], finding["line"], finding["col"]) == (
        "D102", "procedures/PROC-BADLABEL.md", line_of(path, "version: draft two"), 10)
    assert "label" in finding["message"]


@pytest.mark.parametrize(("line", "written"), [
    ("version: 1.9", 'version: "1.10"'), ("version: B", "version: C"),
    ("version: Rev C", "version: Rev D"), ('version: "1.0"', 'version: "1.1"'),
    ("version: 4", "version: 5"),
])
def test_review_bumps_a_label(clean: QmsRepo, capsys: pytest.CaptureFixture[str],
                              line: str, written: str) -> None:
    path = _write(clean, "PROC-BUMP", line)
    assert main(["review", "PROC-BUMP", "--bump", "--root", str(clean.root)]) == 0
    text = path.read_text(encoding="utf-8")
    assert written + "\n" in text
    old = line.split(": ", 1)[1].strip('"')
    new = written.split(": ", 1)[1].strip('"')
    assert f"version {old} → {new}" in capsys.readouterr().out
    # The approval on record stays with the old version, spelt as it was.
    model = open_qms(clean.root, with_git=False).documents["PROC-BUMP"].model
    record = approval(model)
    assert (str(record.current), str(record.version), record.pending) == (new, old, True)
    pending = [f for f in _findings(clean.root, capsys) if f["code"] == "A605"]
    assert [f["message"] for f in pending] == [
        f"version {new} of PROC-BUMP is pending approval: the approval on record (by ROLE-MD "
        f"on 2026-06-01) is for version {old}"]


def test_ledger_accepts_labels_and_compares_them(clean: QmsRepo) -> None:
    ledger = parse_ledger("id,version,handle,date\nPROC-A,1.0,quality-lead,2026-01-02\n"
                          "PROC-A,Rev C,quality-lead,2026-01-03\n", "ack.csv")
    assert [str(a.version) for a in ledger.acks] == ["1.0", "Rev C"]
    assert ledger.has("PROC-A", Version("1.0"), "quality-lead")
    assert not ledger.problems


def test_ledger_row_above_a_label_is_reported(clean: QmsRepo,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    _write(clean, "PROC-READ", "version: 1.2", "applies_to: [ROLE-QM]\n")
    ledger = clean.root / "qms_docs/acknowledgements.csv"
    ledger.write_text("id,version,handle,date\nPROC-READ,1.2,quality-lead,2026-06-02\n"
                      "PROC-READ,1.10,quality-lead,2026-06-03\n", encoding="utf-8")
    [finding] = _findings(clean.root, capsys)
    assert (finding["code"], finding["line"], finding["col"]) == ("A604", 3, 11)
    assert "version 1.10 of PROC-READ is acknowledged, but its current version is 1.2" in \
        finding["message"]


def test_history_reads_labels(clean: QmsRepo) -> None:
    path = _write(clean, "PROC-HIST", "version: 1.0")
    init_git(clean.root)
    path.write_text(path.read_text(encoding="utf-8").replace("version: 1.0",
                                                             'version: "1.1"  # reissued'),
                    encoding="utf-8")
    git(clean.root, "commit", "-qam", "Reissue", date="2026-07-01")
    qms = open_qms(clean.root, with_git=False)
    history = revision_history(qms, qms.documents["PROC-HIST"])
    assert [str(r.version) for r in history] == ["1.1", "1.0"]


def test_diff_reports_labels_as_spelt(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(clean, "PROC-DIFF", "version: 1.9")
    init_git(clean.root)
    path.write_text(path.read_text(encoding="utf-8").replace("version: 1.9",
                                                             'version: "1.10"'),
                    encoding="utf-8")
    git(clean.root, "commit", "-qam", "Revise", date="2026-07-01")
    capsys.readouterr()
    main(["diff", "HEAD~1", "HEAD", "--root", str(clean.root), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    [entry] = [d for d in report["documents"] if d["id"] == "PROC-DIFF"]
    assert entry["version"] == ["1.9", "1.10"]
