"""`qmskit new KIND`: a valid draft in the right folder with a fresh id."""

from __future__ import annotations

import json

import pytest

from qmskit.cli import main
from qmskit.loader import open_qms
from qmskit.model.types import KINDS

from qmsfactory import QmsRepo

FOLDERS = {"strategy": "qms_docs/strategy", "objective": "objectives",
           "procedure": "procedures", "process": "procedures", "kpi": "qms_docs/kpis",
           "role": "qms_docs/roles", "risk": "qms_docs/risks", "action": "qms_docs/actions",
           "audit": "qms_docs/audits", "review": "qms_docs/reviews",
           "nonconformity": "qms_docs/nonconformities", "document": "qms_docs",
           "register": "qms_docs/registers"}


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_gives_a_schema_valid_draft(clean: QmsRepo, kind: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    records = ["--records", "risk"] if kind == "register" else []
    assert main(["new", kind, "--title", "Handling of returns: \"RMA\" #2", "--owner",
                 "ROLE-QM", "--root", str(clean.root), *records]) == 0
    out = capsys.readouterr().out
    relative = out.split(":", 1)[0]
    assert relative.startswith(FOLDERS[kind] + "/")
    qms = open_qms(clean.root, with_git=False)
    docs = [d for d in qms.documents.values() if d.path == relative]
    assert len(docs) == 1, qms.problems
    doc = docs[0]
    assert doc.kind == kind and doc.status == "draft" and doc.model.owner == "ROLE-QM"
    assert doc.title == 'Handling of returns: "RMA" #2'
    assert doc.id.endswith("-HANDLING-RETURNS")
    assert not [p for p in qms.problems if p.path == relative]
    assert main(["check", str(clean.root), "--format", "json", "--select", "D"]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []
    leftovers = [p.name for p in (clean.root / FOLDERS[kind]).iterdir() if ".tmp" in p.name]
    assert leftovers == []


def test_ids_are_fresh_and_follow_existing_prefixes(clean: QmsRepo,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    root = str(clean.root)
    assert main(["new", "procedure", "--title", "Supplier evaluation", "--root", root]) == 0
    assert main(["new", "procedure", "--title", "Supplier evaluation", "--root", root]) == 0
    assert main(["new", "kpi", "--root", root]) == 0
    assert main(["new", "kpi", "--root", root]) == 0
    out = capsys.readouterr().out
    assert "procedures/PROC-SUPPLIER-EVALUATION.md: created" in out
    assert "procedures/PROC-SUPPLIER-EVALUATION-2.md: created" in out
    assert "qms_docs/kpis/KPI-001.md: created" in out
    assert "qms_docs/kpis/KPI-002.md: created" in out
    assert (clean.root / "qms_docs/kpis/data/KPI-001.csv").read_text() == "period,value\n"


def test_folder_follows_where_the_kind_already_lives(clean: QmsRepo,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    clean.write_raw("procedures/risks/RISK-A.md",
                    "---\nid: RISK-A\nkind: risk\ntitle: T\nowner: ROLE-QM\nstatus: draft\n---\n")
    assert main(["new", "risk", "--title", "Late supplier", "--root", str(clean.root)]) == 0
    assert "procedures/risks/RISK-LATE-SUPPLIER.md: created" in capsys.readouterr().out


@pytest.mark.parametrize(("args", "message"), [
    (["procedure", "--id", "PROC-A"], "already used"),
    (["procedure", "--id", "proc-lower"], "does not match"),
    (["procedure", "--owner", "OBJ-A"], "not a role"),
    (["procedure", "--title", "two\nlines"], "one line"),
    (["procedure", "--title", "  "], "one line"),
    (["procedur"], "unknown kind"),
])
def test_bad_input_is_refused(clean: QmsRepo, capsys: pytest.CaptureFixture[str],
                              args: list[str], message: str) -> None:
    before = sorted(p for p in clean.root.rglob("*") if p.is_file())
    assert main(["new", *args, "--root", str(clean.root)]) == 2
    assert message in capsys.readouterr().err
    assert sorted(p for p in clean.root.rglob("*") if p.is_file()) == before


def test_an_existing_file_is_never_overwritten(clean: QmsRepo,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    # A file without front matter is not a document, but its name is taken.
    clean.write_raw("procedures/PROC-NOTES.md", "my notes\n")
    assert main(["new", "procedure", "--title", "Notes", "--root", str(clean.root)]) == 0
    assert "PROC-NOTES-2.md" in capsys.readouterr().out
    assert (clean.root / "procedures/PROC-NOTES.md").read_text() == "my notes\n"
