"""Read and understood: obligations, `qmskit ack`, the ledger, rules A603/A604, the matrix."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qmskit.cli import main
from qmskit.domain.acks import parse_ledger, training_matrix
from qmskit.loader import open_qms
from qmskit.reports.training import training_markdown

from qmsfactory import QmsRepo, approved, git, init_git, line_of

LEDGER = "qms_docs/acknowledgements.csv"


@pytest.fixture(autouse=True)
def identity(monkeypatch: pytest.MonkeyPatch) -> None:
    """`qmskit review --commit` and `ack --commit` run git with the user's identity."""
    for key, value in {"GIT_AUTHOR_NAME": "quality-lead", "GIT_COMMITTER_NAME": "quality-lead",
                       "GIT_AUTHOR_EMAIL": "quality-lead@example.invalid",
                       "GIT_COMMITTER_EMAIL": "quality-lead@example.invalid"}.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def qms(clean: QmsRepo) -> QmsRepo:
    """The baseline plus a role with three holders and a procedure that applies to it."""
    clean.write("ROLE-PROD", "role", owner="ROLE-MD", holders=["setter-1", "setter-2"],
                reports_to="ROLE-MD", **approved())
    clean.write("PROC-WELD", "procedure", owner="ROLE-PROD", supports=["OBJ-A"],
                applies_to=["ROLE-PROD", "ROLE-QM"], **approved())
    return clean


def write_ledger(repo: QmsRepo, *rows: str) -> Path:
    return repo.write_raw(LEDGER, "id,version,handle,date\n" + "".join(r + "\n" for r in rows))


def a603(root: Path, capsys: pytest.CaptureFixture[str], today: str) -> list[dict[str, object]]:
    main(["check", str(root), "--format", "json", "--today", today, "--no-cache"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert all(f["code"] not in ("A604",) for f in findings), findings
    return [f for f in findings if f["code"] == "A603"]


def states(root: Path) -> dict[tuple[str, str], str]:
    matrix = training_matrix(open_qms(root, with_git=False))
    return {key: cell.status for key, cell in matrix.cells.items()}


def test_changed_procedure_owes_acknowledgements_until_acked(
    qms: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's floor: change, approve, owed acknowledgements appear, `ack` clears them."""
    write_ledger(qms, "PROC-WELD,1,setter-1,2026-06-03", "PROC-WELD,1,setter-2,2026-06-04",
                 "PROC-WELD,1,quality-lead,2026-06-02")
    init_git(qms.root, date="2026-06-05")
    assert a603(qms.root, capsys, "2026-11-24") == []
    assert set(states(qms.root).values()) == {"current"}

    # A process owner changes the procedure; the managing director approves version 2.
    path = qms.path_for("PROC-WELD", "procedure")
    path.write_text(path.read_text(encoding="utf-8") + "\n6. Check the weld seam.\n",
                    encoding="utf-8")
    git(qms.root, "commit", "-q", "-am", "Add the seam check", date="2026-09-20")
    assert main(["review", "PROC-WELD", "--by", "ROLE-MD", "--approve", "--date",
                 "2026-10-01", "--commit", "--root", str(qms.root)]) == 0
    out = capsys.readouterr().out
    assert "version 1 → 2" in out
    assert "Approved-by: ROLE-MD (managing-director)" in out
    assert "version: 2" in path.read_text(encoding="utf-8")

    # Owed at once (the matrix), overdue after the 30-day window (rule A603).
    assert states(qms.root) == {("setter-1", "PROC-WELD"): "outdated",
                                ("setter-2", "PROC-WELD"): "outdated",
                                ("quality-lead", "PROC-WELD"): "outdated"}
    assert a603(qms.root, capsys, "2026-10-31") == []
    owed = a603(qms.root, capsys, "2026-11-24")
    assert sorted(str(f["message"]).split(" ")[0] for f in owed) == [
        "quality-lead", "setter-1", "setter-2"]
    by_handle = {str(f["message"]).split(" ")[0]: f for f in owed}
    assert by_handle["setter-1"]["line"] == line_of(path, "- ROLE-PROD")
    assert by_handle["quality-lead"]["line"] == line_of(path, "- ROLE-QM")
    assert by_handle["setter-1"]["message"] == (
        "setter-1 (ROLE-PROD) has not acknowledged version 2 of PROC-WELD, approved "
        "2026-10-01 (last read version 1; 24 days past the 30-day window)")

    for handle in ("setter-1", "setter-2", "quality-lead"):
        assert main(["ack", "PROC-WELD", "--as", handle, "--root", str(qms.root)]) == 0
    assert "acknowledged version 2 of PROC-WELD on 2026-11-24" in capsys.readouterr().out
    assert a603(qms.root, capsys, "2026-11-24") == []
    assert set(states(qms.root).values()) == {"current"}
    ledger = (qms.root / LEDGER).read_text(encoding="utf-8").splitlines()
    assert ledger[-3:] == ["PROC-WELD,2,setter-1,2026-11-24", "PROC-WELD,2,setter-2,2026-11-24",
                           "PROC-WELD,2,quality-lead,2026-11-24"]


def test_ack_keeps_every_byte_and_does_not_repeat(qms: QmsRepo,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    original = b"id,version,handle,date\r\nPROC-WELD,1,setter-1,2026-06-03\r\n"
    (qms.root / LEDGER).write_bytes(original)
    assert main(["ack", "PROC-WELD", "--as", "@setter-2", "--date", "2026-06-10",
                 "--root", str(qms.root)]) == 0
    assert (qms.root / LEDGER).read_bytes() == original + b"PROC-WELD,1,setter-2,2026-06-10\r\n"
    assert main(["ack", "PROC-WELD", "--as", "setter-2", "--root", str(qms.root)]) == 0
    assert "had already acknowledged version 1" in capsys.readouterr().out
    assert (qms.root / LEDGER).read_bytes().count(b"setter-2") == 1


def test_first_ack_creates_the_ledger(qms: QmsRepo) -> None:
    assert main(["ack", "PROC-WELD", "--as", "setter-1", "--root", str(qms.root)]) == 0
    assert (qms.root / LEDGER).read_text(encoding="utf-8") == (
        "id,version,handle,date\nPROC-WELD,1,setter-1,2026-11-24\n")


@pytest.mark.parametrize(("args", "message"), [
    (["PROC-WLED", "--as", "setter-1"], "did you mean PROC-WELD?"),
    (["PROC-A", "--as", "setter-1"], "PROC-A names no roles in applies_to"),
    (["PROC-WELD", "--as", "managing-director"], "holds none of the roles PROC-WELD applies to"),
    (["PROC-WELD", "--as", "setter-1", "--date", "2026-12-01"], "is in the future"),
    (["PROC-WELD", "--as", "setter-1", "--date", "2026-05-01"], "before version 1 was approved"),
])
def test_bad_acks_are_refused(qms: QmsRepo, capsys: pytest.CaptureFixture[str],
                              args: list[str], message: str) -> None:
    assert main(["ack", *args, "--root", str(qms.root)]) == 2
    assert message in capsys.readouterr().err
    assert not (qms.root / LEDGER).exists()


def test_drafts_and_broken_ledgers_are_refused(qms: QmsRepo,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    qms.write("PROC-DRAFT", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
              applies_to=["ROLE-QM"], status="draft")
    assert main(["ack", "PROC-DRAFT", "--as", "quality-lead", "--root", str(qms.root)]) == 2
    assert "PROC-DRAFT is draft" in capsys.readouterr().err
    broken = write_ledger(qms, "PROC-WELD,one,setter-1,2026-06-03")
    before = broken.read_bytes()
    assert main(["ack", "PROC-WELD", "--as", "setter-2", "--root", str(qms.root)]) == 2
    assert f"{LEDGER}:2:11: version 'one'" in capsys.readouterr().err
    assert broken.read_bytes() == before


def test_concurrent_acks_are_all_recorded(clean: QmsRepo) -> None:
    """Twelve people acknowledging at the same moment: every row arrives, none is torn."""
    handles = [f"operator-{n}" for n in range(12)]
    clean.write("ROLE-OP", "role", owner="ROLE-MD", holders=handles, reports_to="ROLE-MD",
                **approved())
    clean.write("PROC-CUT", "procedure", owner="ROLE-OP", supports=["OBJ-A"],
                applies_to=["ROLE-OP"], **approved())
    procs = [subprocess.Popen([sys.executable, "-m", "qmskit", "ack", "PROC-CUT", "--as", h,
                               "--root", str(clean.root)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) for h in handles]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    text = (clean.root / LEDGER).read_text(encoding="utf-8")
    ledger = parse_ledger(text, LEDGER)
    assert ledger.problems == []
    assert sorted(a.handle for a in ledger.acks) == sorted(handles)
    assert text.startswith("id,version,handle,date\n") and text.count("\n") == 13
    assert not [p.name for p in (clean.root / "qms_docs").iterdir() if p.name.startswith(".")]


def test_ack_commit_records_a_trailer(qms: QmsRepo) -> None:
    init_git(qms.root)
    assert main(["ack", "PROC-WELD", "--as", "setter-1", "--commit",
                 "--root", str(qms.root)]) == 0
    message = git(qms.root, "log", "-1", "--format=%B")
    assert message == ("Acknowledge PROC-WELD (version 1)\n\n"
                       "Acknowledged-by: ROLE-PROD (setter-1)\n\n")
    assert git(qms.root, "status", "--porcelain").strip() == ""


def test_ledger_rows_are_checked(qms: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = write_ledger(qms, "PROC-WELD,1,setter-1,2026-06-03", "PROC-WELD,1,setter-2",
                          "proc-weld,1,setter-2,2026-06-03", "PROC-WELD,1,Setter 2,2026-06-03",
                          "PROC-WELD,3,setter-2,2026-06-03", "PROC-GONE,2,setter-2,2026-06-03",
                          "PROC-WELD,1,quality-lead,03/06/2026")
    main(["check", str(qms.root), "--format", "json", "--today", "2026-06-20", "--no-cache"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    located = sorted((f["path"], f["line"], f["col"], f["message"]) for f in findings
                     if f["code"] == "A604")
    assert located == [
        (LEDGER, 3, 1, "row has 3 fields, expected 4"),
        (LEDGER, 4, 1, "'proc-weld' is not a document id"),
        (LEDGER, 5, 13, "'Setter 2' is not a person's handle"),
        (LEDGER, 6, 11, "version 3 of PROC-WELD is acknowledged, but its current version is 1"),
        (LEDGER, 8, 26, "'03/06/2026' is not a date (YYYY-MM-DD)"),
    ]
    assert ledger.exists()


def test_training_matrix_markdown(qms: QmsRepo) -> None:
    qms.write("PROC-WELD", "procedure", owner="ROLE-PROD", supports=["OBJ-A"],
              applies_to=["ROLE-PROD", "ROLE-QM"], **approved(version=2,
                                                              approved_on="2026-10-01"))
    write_ledger(qms, "PROC-WELD,1,setter-1,2026-06-03", "PROC-WELD,2,setter-2,2026-10-04")
    markdown = training_markdown(open_qms(qms.root, with_git=False))
    assert markdown.startswith("# Read and understood\n")
    assert "| PROC-WELD | 2 | quality-lead | ROLE-QM | missing | 2026-10-31 **overdue** |" \
        in markdown
    assert "| PROC-WELD | 2 | setter-1 | ROLE-PROD | outdated (v1) | 2026-10-31 **overdue** |" \
        in markdown
    assert "| Person | PROC-WELD |" in markdown
    assert "| setter-2 | current |" in markdown


def test_example_ledger_is_clean_with_a_few_outstanding(example_root: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    qms = open_qms(example_root, with_git=False)
    owed = training_matrix(qms).owed()
    assert 3 <= len(owed) <= 8
    assert not any(o.overdue(qms.config.today or o.due) for o in owed if o.due)  # type: ignore[arg-type]
    assert main(["check", str(example_root), "--select", "A", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []


def test_a_ledger_larger_than_a_document_is_still_read(
    qms: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """The ledger grows with the organisation (45,000 rows at 10,000 documents is over
    2 MB): it is bounded by `max_data_size`, not by the size limit for one document."""
    (qms.root / "qmskit.toml").write_text("today = 2026-11-24\nmax_file_size = 4096\n",
                                          encoding="utf-8")
    old = [f"PROC-WELD,1,setter-{n % 2 + 1},2026-06-{n % 28 + 1:02d}" for n in range(400)]
    write_ledger(qms, *old, "PROC-WELD,1,quality-lead,2026-06-03")
    assert (qms.root / LEDGER).stat().st_size > 4096
    assert a603(qms.root, capsys, "2026-11-24") == []  # read: every reader acknowledged
    (qms.root / "qmskit.toml").write_text(
        "today = 2026-11-24\nmax_file_size = 4096\nmax_data_size = 4096\n", encoding="utf-8")
    main(["check", str(qms.root), "--format", "json", "--no-cache"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["code"], f["path"]) for f in findings if f["code"] == "A604"] == [
        ("A604", LEDGER)]
