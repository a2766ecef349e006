"""Registers (issue 13): many records in one CSV table, each row a document of the
register's `records` kind, checked by the same rules and located at its cell."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qmskit.cli import main
from qmskit.loader import open_qms
from qmskit.model.table import TableError, parse_table
from qmskit.registers import row_anchor, rows

from plants import register
from qmsfactory import TODAY, QmsRepo, approved, git, init_git, line_of

HEADER = "id,title,affects,likelihood,impact,treated_by"


def _findings(root: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    capsys.readouterr()
    main(["check", str(root), "--format", "json", "--no-cache", "--today", TODAY])
    findings: list[dict[str, Any]] = json.loads(capsys.readouterr().out)["findings"]
    return findings


def _where(findings: list[dict[str, Any]]) -> list[tuple[str, str, int, int]]:
    return [(f["code"], f["path"], f["line"], f["col"]) for f in findings]


TABLE = "qms_docs/registers/data/REG-RISK.csv"


def test_rows_are_documents_that_inherit_from_the_register(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    register(clean, "REG-RISK", "risk", f"{HEADER},status,owner\n"
             "RISK-R1,Supplier insolvency,PROC-A,2,3,,,\n"
             'RISK-R2,"Late delivery, again",PROC-A;PROC-A,1,2,,retired,ROLE-MD\n')
    clean.write("ACT-R1", "action", owner="ROLE-QM", type="preventive", source="risk",
                origin="RISK-R1", due="2027-03-31", **approved())
    assert _findings(clean.root, capsys) == []
    qms = open_qms(clean.root, with_git=False)
    first, second = rows(qms, "REG-RISK")
    assert (first.path, first.register, first.kind) == (TABLE, "REG-RISK", "risk")
    assert (first.status, first.model.owner, str(first.model.version)) == (
        "approved", "ROLE-QM", "1")
    assert first.inherited == {"status", "version", "approved_by", "approved_on", "review",
                               "owner"}
    assert (second.status, second.model.owner) == ("retired", "ROLE-MD")
    assert second.model.affects == ["PROC-A", "PROC-A"]  # type: ignore[attr-defined]
    assert qms.graph.outgoing("ACT-R1", ["origin"])[0].target == "RISK-R1"
    assert row_anchor(first) == "risk-r1"


def test_findings_point_at_cells(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    register(clean, "REG-RISK", "risk", f"{HEADER},colour,x-note\n"
             "RISK-R1,Scrap,PROC-A;PROC-NOPE,2,2,,red,free text\n"
             "RISK-R2,Fire,PROC-A,5,5,,,\n"
             "RISK-R3,Flood,PROC-A,3,2000-13-01,,,\n"
             "RISK-R1,Copy,PROC-A,1,1,,,\n"
             ",No id,PROC-A,1,1,,,\n"
             "RISK-R6,Too many,PROC-A,1,1,,,,extra\n")
    found = _where(_findings(clean.root, capsys))
    assert found == [
        ("D102", TABLE, 1, 47),    # unknown column 'colour', reported once at the header
        ("L201", TABLE, 2, 22),    # PROC-NOPE, the second item of the cell
        ("R504", TABLE, 3, 25),    # 5 x 5 untreated: at the empty treated_by cell
        ("D102", TABLE, 4, 24),    # impact is not a number
        ("D103", TABLE, 5, 1),     # RISK-R1 again
        ("D102", TABLE, 6, 1),     # a row without id
        ("D107", TABLE, 7, 32),    # more cells than the header
    ]


def test_a_register_and_files_side_by_side(clean: QmsRepo,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    from plants import _record

    _record(clean, "qms_docs/risks", "RISK-FILE", "risk", owner="ROLE-QM", affects=["PROC-A"],
            likelihood=1, impact=1, **approved())
    register(clean, "REG-RISK", "risk", f"{HEADER}\nRISK-ROW,Row,PROC-A,1,1,\n"
             "RISK-FILE,Duplicate of the file,PROC-A,1,1,\n")
    assert _where(_findings(clean.root, capsys)) == [("D103", TABLE, 3, 1)]


@pytest.mark.parametrize(("table", "where", "message"), [
    ('id,title\nR-1,"never closed\n', (2, 5), "never closed"),
    ("title,likelihood\nNo ids,1\n", (1, 1), "no 'id' column"),
    ("id,,title\nRISK-X,,T\n", (1, 4), "has no name"),
    ("id,title,title\nRISK-X,T,T\n", (1, 10), "appears twice"),
])
def test_unreadable_tables(clean: QmsRepo, capsys: pytest.CaptureFixture[str],
                           table: str, where: tuple[int, int], message: str) -> None:
    register(clean, "REG-RISK", "risk", table)
    [finding] = _findings(clean.root, capsys)
    assert (finding["code"], finding["path"], finding["line"], finding["col"]) == (
        "D107", TABLE, *where)
    assert message in finding["message"]


def test_missing_table_and_unknown_records(clean: QmsRepo,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    table = register(clean, "REG-RISK", "risk", "")
    table.unlink()
    doc = clean.root / "qms_docs/registers/REG-RISK.md"
    [finding] = _findings(clean.root, capsys)
    assert (finding["code"], finding["line"]) == ("D107", line_of(doc, "data:"))
    doc.write_text(doc.read_text(encoding="utf-8").replace("records: risk", "records: riks"),
                   encoding="utf-8")
    [finding] = _findings(clean.root, capsys)
    assert (finding["code"], finding["line"], finding["hint"]) == (
        "D102", line_of(doc, "records:"), "did you mean 'risk'?")


def test_rows_are_reviewed_with_their_register(clean: QmsRepo,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    register(clean, "REG-RISK", "risk", f"{HEADER},review.last\n"
             "RISK-R1,Scrap,PROC-A,1,1,,\n"
             "RISK-R2,Own review,PROC-A,1,1,,2025-01-10\n")
    doc = clean.root / "qms_docs/registers/REG-RISK.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("last: 2026-06-01",
                                                           "last: 2025-06-01"),
                   encoding="utf-8")
    found = _where(_findings(clean.root, capsys))
    # The register is overdue once; RISK-R1 follows it; RISK-R2's own stamp is overdue.
    assert found == [("C401", "qms_docs/registers/REG-RISK.md", line_of(doc, "last:"), 9),
                     ("C401", TABLE, 3, 32)]


def test_review_stamps_the_register_not_a_row(clean: QmsRepo,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    table = register(clean, "REG-RISK", "risk", f"{HEADER}\nRISK-R1,Scrap,PROC-A,1,1,\n")
    init_git(clean.root, date="2026-06-02")
    assert main(["review", "RISK-R1", "--root", str(clean.root)]) == 2
    assert "a row of register REG-RISK" in capsys.readouterr().err
    with table.open("a", encoding="utf-8") as handle:
        handle.write("RISK-R2,New risk,PROC-A,2,2,\n")
    git(clean.root, "commit", "-qam", "Add a risk", date="2026-07-01")
    assert main(["review", "REG-RISK", "--by", "ROLE-QM", "--root", str(clean.root)]) == 0
    out = capsys.readouterr().out
    assert "version 1 → 2: the register's table changed since the review of 2026-06-01" in out
    qms = open_qms(clean.root, with_git=False)
    assert str(qms.documents["RISK-R2"].model.version) == "2"
    # The new version is pending approval: reported once, at the register.
    pending = [f for f in _findings(clean.root, capsys) if f["code"] == "A605"]
    assert [f["path"] for f in pending] == ["qms_docs/registers/REG-RISK.md"]


def test_table_reader_locates_cells() -> None:
    cells = parse_table('a,b\r\n"x, y","multi\nline",z\n\n  \nlast,1\n')
    assert [[(c.text, c.line, c.col) for c in row] for row in cells] == [
        [("a", 1, 1), ("b", 1, 3)],
        [("x, y", 2, 1), ("multi\nline", 2, 8), ("z", 3, 7)],
        [("last", 6, 1), ("1", 6, 6)]]
    with pytest.raises(TableError, match="text after a closing quote"):
        parse_table('a,"b"c\n')


def test_codeowners_owns_the_table_with_the_register(clean: QmsRepo) -> None:
    from qmskit.commands.codeowners import entries

    register(clean, "REG-RISK", "risk", f"{HEADER},owner\nRISK-R1,Scrap,PROC-A,1,1,,ROLE-MD\n")
    lines = entries(open_qms(clean.root, with_git=False))
    assert "/qms_docs/registers/REG-RISK.md @quality-lead" in lines
    assert [line for line in lines if "REG-RISK.csv" in line] == [
        "/qms_docs/registers/data/REG-RISK.csv @quality-lead"]
