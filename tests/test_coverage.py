"""ISO 9001 clause coverage: the clause list, the config, rules A601/A602, `qmskit coverage`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qmskit.cli import main
from qmskit.domain.coverage import compute
from qmskit.loader import open_qms
from qmskit.model import clauses as iso9001
from qmskit.reports.coverage import coverage_markdown

from qmsfactory import TODAY, QmsRepo, approved, copy_example, line_of


def check_json(root: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict]:
    code = main(["check", str(root), "--format", "json", "--today", TODAY, "--no-cache",
                 *extra])
    return code, json.loads(capsys.readouterr().out)


def configure(repo: QmsRepo, table: str) -> Path:
    config = repo.root / "qmskit.toml"
    with config.open("a", encoding="utf-8") as handle:
        handle.write("\n" + table)
    return config


# --- the clause list --------------------------------------------------------------------

def test_clause_list_is_the_2015_structure() -> None:
    numbers = [c.number for c in iso9001.clauses()]
    assert numbers[0] == "4" and numbers[-1] == "10.3"
    assert len(numbers) == len(set(numbers))
    two_level = [c.number for c in iso9001.requirement_clauses()]
    assert two_level == ["4.1", "4.2", "4.3", "4.4", "5.1", "5.2", "5.3", "6.1", "6.2", "6.3",
                         "7.1", "7.2", "7.3", "7.4", "7.5", "8.1", "8.2", "8.3", "8.4", "8.5",
                         "8.6", "8.7", "9.1", "9.2", "9.3", "10.1", "10.2", "10.3"]
    # Every sub-clause sits under an existing parent, in document order.
    seen: set[str] = set()
    for clause in iso9001.clauses():
        assert clause.parent is None or clause.parent in seen
        seen.add(clause.number)
    assert iso9001.by_number()["7.1.5.2"].title == "Measurement traceability"
    assert iso9001.suggest("8.4.4") == "8.4"


# --- the example ------------------------------------------------------------------------

def test_example_covers_every_clause(example_root: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["coverage", str(example_root), "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert status == 0
    assert data["configured"] is True
    rows = {row["clause"]: row for row in data["clauses"]}
    for clause in iso9001.requirement_clauses():
        row = rows[clause.number]
        assert row["status"] in ("covered", "excluded"), row
        if row["status"] == "excluded":
            assert row["justification"].strip()
        else:
            assert row["evidence"], row
    # The three clauses the example once left open are now addressed by real documents.
    assert "PROC-IMPROVE" in rows["4.3"]["evidence"]
    assert rows["6.3"]["evidence"] == ["PROC-MOC"]
    assert rows["7.4"]["evidence"] == ["PROC-COMMS"]
    assert data["unknown"] == []


def test_coverage_text_and_markdown(example_root: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", str(example_root)]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0] == ("ISO 9001:2015: 28 of 28 clauses in scope covered, "
                                    "0 excluded, 0 uncovered")
    assert "  6.3 Planning of changes" in text and "PROC-MOC" in text
    assert main(["coverage", str(example_root), "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert markdown.startswith("# ISO 9001 clause coverage\n")
    assert "| **7.4** | Communication | covered | PROC-COMMS |" in markdown
    linked = coverage_markdown(open_qms(example_root, with_git=False),
                               link=lambda i: f"[{i}](#{i.lower()})")
    assert "[PROC-MOC](#proc-moc)" in linked


def test_removing_the_only_document_for_a_clause_fails_the_check(
    example_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_example(example_root, tmp_path / "example")
    code, report = check_json(root, capsys, "--ignore", "C403")
    assert code == 0, report["findings"]
    (root / "procedures" / "PROC-MOC.md").unlink()
    code, report = check_json(root, capsys, "--ignore", "C403")
    assert code == 1
    a601 = [f for f in report["findings"] if f["code"] == "A601"]
    assert len(a601) == 1
    assert a601[0]["path"] == "qmskit.toml"
    assert a601[0]["line"] == line_of(root / "qmskit.toml", "[coverage]")
    assert a601[0]["message"].startswith("ISO 9001 6.3 Planning of changes is covered by no "
                                         "approved document")
    assert main(["coverage", str(root)]) == 1
    assert "6.3 Planning of changes" in capsys.readouterr().out


# --- semantics --------------------------------------------------------------------------

def _all_but(*missing: str) -> list[str]:
    return [c.number for c in iso9001.requirement_clauses() if c.number not in missing]


def test_not_configured_means_not_checked(clean: QmsRepo,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, report = check_json(clean.root, capsys)
    assert code == 0 and report["findings"] == []
    assert main(["coverage", str(clean.root)]) == 0
    out = capsys.readouterr().out
    assert "no [coverage] table" in out
    assert "0 of 28 clauses in scope covered" in out


def test_drafts_do_not_count_sub_clauses_do_and_exclusions_apply(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(clean, '[coverage]\nexclusions = { "8.3" = "build to print only", '
                     '"8.5.5" = "no post-delivery activities" }\n')
    clean.write("PROC-ALL", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                clauses=[*_all_but("7.4", "8.3", "9.2"), "9.2.2"], **approved())
    clean.write("PROC-COMMS", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                clauses=["7.4"], status="draft")
    code, report = check_json(clean.root, capsys)
    messages = [f["message"] for f in report["findings"] if f["code"] == "A601"]
    assert messages == ["ISO 9001 7.4 Communication is covered by no approved document "
                        "(declared only by PROC-COMMS, not approved)"]
    assert code == 1
    cov = compute(open_qms(clean.root, with_git=False)).default
    assert cov.row("9.2").status == "covered"  # through 9.2.2
    assert cov.row("9.2.1").status == "addressed-above"
    assert cov.row("8.3").status == "excluded"
    assert cov.row("8.3.4").excluded_by == "8.3"
    assert cov.row("8.5").status == "covered"  # only 8.5.5 is excluded
    assert [r.clause.number for r in cov.excluded()] == ["8.3", "8.5.5"]


def test_retired_documents_do_not_count(clean: QmsRepo,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    configure(clean, "[coverage]\n")
    clean.write("PROC-ALL", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                clauses=_all_but("6.3"), **approved())
    clean.write("PROC-OLDMOC", "procedure", owner="ROLE-QM", clauses=["6.3"],
                **approved(status="retired"))
    _, report = check_json(clean.root, capsys)
    assert [f["message"][:13] for f in report["findings"] if f["code"] == "A601"] == [
        "ISO 9001 6.3 "]


def test_unknown_clause_is_located_at_its_item(clean: QmsRepo,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = clean.write("PROC-X", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                       clauses=["7.1.5.2", "7.1.7"], **approved())
    code, report = check_json(clean.root, capsys)
    found = [f for f in report["findings"] if f["code"] == "A602"]
    assert [(f["path"], f["line"]) for f in found] == [("procedures/PROC-X.md",
                                                        line_of(path, "- 7.1.7"))]
    assert found[0]["message"] == "clause 7.1.7 does not exist in ISO 9001:2015"
    assert found[0]["hint"] == "did you mean 7.1?"
    assert code == 1


def test_pyproject_table_is_located(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = QmsRepo(tmp_path / "qms").baseline()
    (repo.root / "qmskit.toml").unlink()
    (repo.root / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.qmskit]\ntoday = 2026-11-24\n\n'
        '[tool.qmskit.coverage]\nexclusions = {}\n', encoding="utf-8")
    code, report = check_json(repo.root, capsys)
    located = {(f["path"], f["line"]) for f in report["findings"] if f["code"] == "A601"}
    assert located == {("pyproject.toml", 7)}
    assert code == 1


@pytest.mark.parametrize(("table", "message"), [
    ('[coverage]\nexclusions = { "8.9" = "x" }\n', "'8.9' is not a clause of ISO 9001:2015"),
    ('[coverage]\nexclusions = { "8.3" = "  " }\n', "the exclusion of 8.3 needs a justification"),
    ('[coverage]\nexclusions = { "8" = "all of it" }\n', "cannot be excluded as a whole"),
    ('[coverage]\nexclusion = { "8.3" = "typo" }\n', "coverage.exclusion: unknown key"),
    ('[coverage]\nstandard = "ISO 9001:2008"\n', "coverage.standard"),
    ('ack_ledger = "../acks.csv"\n', "must be a relative path inside one of the QMS folders"),
])
def test_bad_coverage_config_exits_2(clean: QmsRepo, capsys: pytest.CaptureFixture[str],
                                     table: str, message: str) -> None:
    config = clean.root / "qmskit.toml"
    config.write_text(table + config.read_text(encoding="utf-8") if table.startswith("ack")
                      else config.read_text(encoding="utf-8") + "\n" + table, encoding="utf-8")
    assert main(["check", str(clean.root)]) == 2
    assert message in capsys.readouterr().err
