"""The bundled example QMS: clean of errors, with exactly its documented warnings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qmskit.cli import main
from qmskit.loader import open_qms

#: The deliberate gaps, explained in the README ("The example QMS").
EXPECTED_WARNINGS = {
    ("C402", "procedures/PROC-CAL.md"),
    ("C402", "procedures/PROC-CONTRACT.md"),
    ("C405", "qms_docs/kpis/KPI-CAPA-CLOSE.md"),
    ("C405", "qms_docs/kpis/KPI-SUPP-OTD.md"),
    ("C409", "qms_docs/equipment/GAUGE-001.md"),
    ("T309", "qms_docs/roles/ROLE-AUDITOR.md"),
}


def test_example_has_no_errors_and_its_known_warnings(
    example_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # C403 depends on the commit dates of this repository's own history, not on the
    # example's content, so it is left out here and tested in test_gitinfo.py.
    status = main(["check", str(example_root), "--format", "json", "--ignore", "C403"])
    report = json.loads(capsys.readouterr().out)
    assert report["today"] == "2026-11-24"  # pinned in qmskit.toml
    assert report["errors"] == 0, report["findings"]
    assert {(f["code"], f["path"]) for f in report["findings"]} == EXPECTED_WARNINGS
    assert status == 0


def test_example_size_and_shape(example_root: Path) -> None:
    qms = open_qms(example_root, with_git=False)
    counts: dict[str, int] = {}
    for doc in qms.documents.values():
        counts[doc.kind] = counts.get(doc.kind, 0) + 1
    assert 80 <= len(qms.documents) <= 110
    assert 3 <= counts["strategy"] <= 5
    assert 6 <= counts["objective"] <= 10
    assert 12 <= counts["procedure"] + counts["process"] <= 20
    assert 10 <= counts["kpi"] <= 15
    assert 8 <= counts["role"] <= 12
    assert all(len(series) >= 12 for series in qms.series.values())
    assert len(qms.series) == counts["kpi"]
    # The grown contract, used where a real QMS would use it.
    assert counts["document"] == 3 and counts["register"] == 1
    assert 4 <= counts["supplier"] <= 6 and 4 <= counts["equipment"] <= 6
    by_path = {doc.path: doc for doc in qms.documents.values() if doc.register is None}
    for page in ("qms_docs/quality-policy.md", "qms_docs/scope.md", "qms_docs/context.md"):
        assert page not in qms.pages  # controlled now, no longer plain pages
        assert by_path[page].kind == "document" and by_path[page].model.clauses
    labels = {str(doc.model.version) for doc in qms.documents.values()}
    assert {"3.1", "Rev C"} <= labels
    rows = [doc for doc in qms.documents.values() if doc.register == "REG-RISK"]
    assert len(rows) >= 3 and all(doc.path == "qms_docs/risks/data/risks.csv" for doc in rows)
    assert counts["risk"] > len(rows)  # some risks keep a page of their own


def test_example_uses_handles_not_names(example_root: Path) -> None:
    qms = open_qms(example_root, with_git=False)
    for doc in qms.of_kind("role"):
        holders = getattr(doc.model, "holders", [])
        assert holders and all(h == h.lower() and " " not in h for h in holders)


def test_every_example_document_traces_to_strategy(example_root: Path) -> None:
    qms = open_qms(example_root, with_git=False)
    traced = qms.graph.traced_to_strategy()
    for doc in qms.of_kind("objective", "procedure", "process", "kpi"):
        assert doc.id in traced


def test_example_calibration_falls_due_for_the_quality_lead(
    example_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CMM's calibration (a declared kind's `due` date) is on the owner's list, the
    same date the C409 warning names."""
    assert main(["due", "--root", str(example_root), "--as", "quality-lead",
                 "--format", "json"]) == 0
    people = json.loads(capsys.readouterr().out)["people"]
    items = [item for person in people for item in person["items"]]
    calibration = [item for item in items if item["kind"] == "due"]
    assert [(item["id"], item["due"], item["overdue"]) for item in calibration] == [
        ("GAUGE-001", "2026-12-10", False)]


def test_readme_table_lists_the_same_warnings(example_root: Path) -> None:
    readme = (example_root / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The example QMS", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines()
            if line.startswith("| ") and line.split()[1][:1] in "CDLTRA" and "`" in line]
    assert {(row.split()[1], row.split("`")[1]) for row in rows} == EXPECTED_WARNINGS
