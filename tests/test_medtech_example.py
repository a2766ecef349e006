"""The second example, examples/medtech: a medical-device software QMS on ISO 13485 and
ISO 27001 that uses declared kinds for the design and ISO 14971 chain.

Checked on a copy committed to a fresh git repository (fixed commit date, after every
stamp in it and before the pinned evaluation date), so "changed since review" (C403) is
real and still deterministic.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qmskit.cli import main
from qmskit.loader import open_qms

from qmsfactory import init_git

MEDTECH = Path(__file__).resolve().parent.parent / "examples" / "medtech"

#: The deliberate warnings, explained in examples/medtech/README.md.
EXPECTED_WARNINGS = {
    ("L205", "qms_docs/audits/AUD-2025-10.md"),
    ("C405", "qms_docs/kpis/KPI-VULN.md"),
    ("C409", "qms_docs/suppliers/SUP-001.md"),
}


@pytest.fixture
def medtech(tmp_path: Path) -> Path:
    """A committed copy of the example: its stamps date from 2025-10 to 2026-10."""
    root = tmp_path / "medtech"
    shutil.copytree(MEDTECH, root, ignore=shutil.ignore_patterns("site", ".qmskit-cache"))
    init_git(root, date="2026-11-02")
    return root


def check_json(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    status = main(["check", str(root), "--format", "json"])
    return status, json.loads(capsys.readouterr().out)


def test_no_errors_and_exactly_its_warnings(medtech: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    status, report = check_json(medtech, capsys)
    assert report["today"] == "2026-11-24"  # pinned in its qmskit.toml
    assert report["errors"] == 0, report["findings"]
    assert {(f["code"], f["path"]) for f in report["findings"]} == EXPECTED_WARNINGS
    assert status == 0


def test_readme_lists_the_same_warnings() -> None:
    readme = (MEDTECH / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("| ") and "`" in line]
    listed = {(row.split()[1], row.split("`")[1]) for row in rows}
    assert listed == EXPECTED_WARNINGS


def test_shape_two_standards_sops_registers_and_the_chain(
    medtech: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    qms = open_qms(medtech, with_git=False)
    kinds: dict[str, int] = {}
    for doc in qms.documents.values():
        kinds[doc.kind] = kinds.get(doc.kind, 0) + 1
    assert 50 <= len(qms.documents) <= 100
    # SOP-numbered procedures, and the chain's kinds with records of each.
    procedures = [doc.id for doc in qms.of_kind("procedure")]
    assert procedures and all(doc_id.startswith("SOP-") for doc_id in procedures)
    for kind in ("requirement", "verification", "hazard", "harm", "situation", "control",
                 "supplier", "document"):
        assert kinds.get(kind, 0) >= 3, kind
    capa = [doc for doc in qms.documents.values() if doc.register == "REG-CAPA"]
    assert len(capa) >= 3 and all(doc.kind == "action" for doc in capa)
    assert all(doc.id.startswith("CAPA-2026-") for doc in capa)
    # Every requirement is verified by a test, and every risk control's requirements exist.
    verified = {req for doc in qms.of_kind("verification") for req in doc.model.verifies}
    assert verified == {doc.id for doc in qms.of_kind("requirement")}
    # Both standards fully addressed: ISO 13485 built in, ISO 27001 from the shipped file.
    assert main(["coverage", str(medtech), "--format", "json"]) == 0
    coverage = json.loads(capsys.readouterr().out)
    summaries = {s["standard"]: s for s in coverage["standards"]}
    assert set(summaries) == {"ISO 13485:2016", "ISO 27001:2022"}
    assert summaries["ISO 27001:2022"]["source"] == "qms_docs/standards/iso27001-2022.toml"
    for summary in summaries.values():
        assert " 0 uncovered" in summary["summary"], summary["summary"]


def _cell(path: Path, row_id: str, column: str) -> tuple[int, int]:
    """Line and column (1-based) of a cell in a CSV without quoted commas in that row."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    for number, line in enumerate(lines, start=1):
        if line.startswith(row_id + ","):
            cells = line.split(",")
            index = header.index(column)
            return number, len(",".join(cells[:index])) + 2
    raise AssertionError(row_id)


def _set_cell(path: Path, row_id: str, column: str, value: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    for i, line in enumerate(lines):
        if line.startswith(row_id + ","):
            cells = line.rstrip("\n").split(",")
            cells[header.index(column)] = value
            lines[i] = ",".join(cells) + "\n"
    path.write_text("".join(lines), encoding="utf-8")


@pytest.mark.parametrize(("table", "row", "column", "value", "code"), [
    # A risk control that names no requirement implementing it: a required link left empty.
    ("qms_docs/risk-management/data/controls.csv", "RC-004", "implemented_by", "", "D102"),
    # A hazardous situation without its hazard.
    ("qms_docs/risk-management/data/situations.csv", "HS-004", "hazard", "", "D102"),
    # A test that verifies a requirement that does not exist.
    ("qms_docs/design/data/verification.csv", "VT-008", "verifies", "REQ-080", "L201"),
    # A test that names a hazard where a requirement belongs.
    ("qms_docs/design/data/verification.csv", "VT-008", "verifies", "HAZ-004", "L202"),
])
def test_a_broken_link_in_the_chain_is_reported_at_its_cell(
    medtech: Path, capsys: pytest.CaptureFixture[str],
    table: str, row: str, column: str, value: str, code: str,
) -> None:
    path = medtech / table
    line, col = _cell(path, row, column)
    _set_cell(path, row, column, value)
    status, report = check_json(medtech, capsys)
    new = [f for f in report["findings"]
           if (f["code"], f["path"]) not in EXPECTED_WARNINGS]
    assert status == 1
    # At the cell: the link written there, or the required cell left empty.
    assert [(f["code"], f["path"], f["line"], f["col"]) for f in new] == [
        (code, table, line, col)], new
    assert column in new[0]["message"] or value in new[0]["message"]
    if not value:
        assert f"fill in the '{column}' column" in new[0]["hint"]


def test_review_pack_asks_for_the_iso_13485_inputs(medtech: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "management-review", str(medtech)]) == 0
    pack = capsys.readouterr().out
    for heading in ("## c) Reporting to regulatory authorities",
                    "## l) Applicable new or revised regulatory requirements"):
        assert heading in pack
    assert "CAPA-2026-004" in pack  # the open preventive action from the CAPA register


def test_new_procedure_takes_the_next_sop_number(medtech: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "procedure", "--title", "Usability engineering", "--owner", "ROLE-ENG",
                 "--root", str(medtech)]) == 0
    assert "procedures/SOP-011.md" in capsys.readouterr().out
    assert (medtech / "procedures" / "SOP-011.md").is_file()


def test_site_builds_with_panels_and_register_rows(medtech: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(medtech / "mkdocs.yml"),
         "-d", str(site)],
        capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    page = (site / "procedures" / "SOP-004" / "index.html").read_text("utf-8")
    panel = page[page.index('class="qms-panel"'):page.index("</dl></div>")]
    assert 'data-id="SOP-004"' in page
    for expected in ("ROLE-ENG", "approved", "<dt>ISO 13485</dt><dd>7.1, 7.3,",
                     "<dt>ISO 27001</dt><dd>8.1, A.8.25,"):
        assert expected in panel, expected
    controls = (site / "risk-management" / "REG-RC" / "index.html").read_text("utf-8")
    for row in ("rc-001", "rc-004"):
        assert f'<tr id="{row}"' in controls
    # Folders of registers and declared kinds are titled by their folder's name.
    home = (site / "index.html").read_text("utf-8")
    for section in ("Risk management", "Design", "Corrective actions", "Suppliers"):
        assert re.search(rf">\s*{section}\s*<", home), section
    assert not re.search(r">\s*(register|hazard|supplier)\s*<", home)
    soa = (site / "soa" / "index.html").read_text("utf-8")
    assert 'class="qms-panel"' in soa and "statement of applicability" in soa
