"""More than one standard: built-in ISO 13485, catalogue files a QMS ships (ISO 27001),
`clauses:` per standard, `[coverage]` with several standards, and everything that follows
them (A601/A602, `qmskit coverage`, the pack, R507, panels, auditor page, PDF cover)."""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from qmskit.cli import main
from qmskit.domain.coverage import compute
from qmskit.domain.records import ISO13485_REVIEW_INPUTS, review_coverage
from qmskit.loader import open_qms
from qmskit.model import clauses as catalogues
from qmskit.model.clauses import CatalogueError, parse_catalogue
from qmskit.reports.auditors import auditor_markdown
from qmskit.site.pdf import cover_page

from qmsfactory import TODAY, QmsRepo, approved, init_git, line_of

REPO = Path(__file__).resolve().parents[1]
ISO27001 = REPO / "examples" / "catalogues" / "iso27001-2022.toml"
CATALOGUE_PATH = "qms_docs/standards/iso27001-2022.toml"

ISO13485 = '[coverage]\nstandard = "ISO 13485:2016"\n'
WITH_27001 = (f'[coverage]\nstandard = "ISO 13485:2016"\nalso = ["ISO 27001:2022"]\n'
              f'[coverage.catalogues]\n"ISO 27001:2022" = "{CATALOGUE_PATH}"\n')


def configure(repo: QmsRepo, table: str, catalogue: bool = False) -> Path:
    config = repo.root / "qmskit.toml"
    with config.open("a", encoding="utf-8") as handle:
        handle.write("\n" + table)
    if catalogue:
        target = repo.root / CATALOGUE_PATH
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ISO27001, target)
    return config


def check_json(root: Path, capsys: pytest.CaptureFixture[str], *extra: str
               ) -> tuple[int, list[dict[str, Any]]]:
    code = main(["check", str(root), "--format", "json", "--today", TODAY, "--no-cache",
                 *extra])
    return code, json.loads(capsys.readouterr().out)["findings"]


def of(findings: list[dict[str, Any]], code: str) -> list[dict[str, Any]]:
    return [f for f in findings if f["code"] == code]


def requirements(name: str, *but: str) -> list[str]:
    catalogue = catalogues.builtin(name)
    assert catalogue is not None
    return [c.number for c in catalogue.requirement_clauses() if c.number not in but]


def exits_2(root: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["check", str(root), "--no-cache"]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return captured.err


# --- catalogues -------------------------------------------------------------------------

def test_iso13485_is_built_in_with_its_structure() -> None:
    iso = catalogues.builtin("ISO 13485:2016")
    assert iso is not None
    assert (iso.short, iso.source) == ("ISO 13485", "qmskit:iso13485-2016.toml")
    numbers = [c.number for c in iso.clauses]
    assert numbers[0] == "4" and numbers[-1] == "8.5.3" and len(numbers) == len(set(numbers))
    assert iso.by_number["7.3.2"].title == "Design and development planning"
    assert iso.by_number["8.2.3"].title == "Reporting to regulatory authorities"
    assert iso.by_number["5.6.2"].title == "Review input"
    # Requirements are the three-level clauses and the two-level ones without any.
    required = requirements("ISO 13485:2016")
    assert {"7.3.2", "7.3.10", "8.2.3", "5.1", "6.2", "7.6", "8.4"} <= set(required)
    assert not {"7.3", "8.2", "5.6", "7.5.9.1"} & set(required)
    levels = {c.number: iso.level(c) for c in iso.clauses}
    assert (levels["7"], levels["7.3"], levels["7.5.9.1"]) == ("heading", "heading", "detail")
    # Headings only: one short line each, never the standard's text.
    assert max(len(c.title) for c in iso.clauses) <= catalogues.MAX_HEADING
    # ISO 9001 is still the default, unchanged.
    assert catalogues.requirement_clauses()[0].number == "4.1"
    assert len(catalogues.requirement_clauses()) == 28


def test_the_27001_catalogue_file_has_clauses_and_annex_a() -> None:
    iso = parse_catalogue(ISO27001.read_text(encoding="utf-8"), "iso27001-2022.toml")
    assert (iso.name, iso.short) == ("ISO 27001:2022", "ISO 27001")
    required = [c.number for c in iso.requirement_clauses()]
    controls = [n for n in required if n.startswith("A.")]
    assert len(controls) == 93  # 37 organizational, 8 people, 14 physical, 34 technological
    assert controls[0] == "A.5.1" and controls[-1] == "A.8.34"
    assert sum(1 for n in controls if n.startswith("A.6.")) == 8
    assert {"4.1", "6.1.2", "6.1.3", "8.3", "10.2"} <= set(required)
    assert "A.5" not in required and "6.1" not in required
    assert iso.by_number["A.5.1"].title == "Policies for information security"
    assert iso.suggest("A.5.38") == "A.5"


@pytest.mark.parametrize(("text", "where", "message"), [
    ('standard = "X:1"\n[clauses]\n"4" = "A"\n4.1 = "B"\n', ":4:1:",
     "quote clause numbers"),
    ('standard = "X:1"\n[clauses]\n4.1 = "B"\n', ":3:1:",
     "clause 4.1 is written as a dotted key; quote clause numbers"),
    ('standard = "X:1"\n[clauses]\n"4.1" = "B"\n', ":3:1:",
     "clause 4.1 comes before its parent 4"),
    ('standard = "X:1"\n[clauses]\n"4" = "A"\n"4.1" = \n', ":4:",
     "not valid TOML"),
    ('standard = "X:1"\nclause = {}\n', ":2:1:",
     "unknown key 'clause' in a clause catalogue; did you mean 'clauses'?"),
    ('[clauses]\n"4" = "A"\n', ":1:1:", "`standard` must name the standard"),
    ('standard = "X:1"\n[clauses]\n"4" = ""\n', ":3:1:", "clause 4 needs a short heading"),
    ('standard = "X:1"\n[clauses]\n"4 1" = "A"\n', ":3:1:", "'4 1' is not a clause number"),
    ('standard = "X:1"\n', ":1:1:", "no clauses"),
    ('standard = "X:1"\nrequirement_depth = 0\n[clauses]\n"4" = "A"\n', ":2:1:",
     "`requirement_depth` must be a whole number"),
])
def test_a_broken_catalogue_is_a_located_error(text: str, where: str, message: str) -> None:
    with pytest.raises(CatalogueError) as raised:
        parse_catalogue(text, "cat.toml")
    assert str(raised.value).startswith("cat.toml" + where), str(raised.value)
    assert message in str(raised.value)


# --- clauses: per standard, A602 ---------------------------------------------------------

def test_13485_clauses_are_known_when_13485_is_configured(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(clean, ISO13485)
    clean.write("PROC-DESIGN", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                clauses=["ISO 13485:7.3.2", "7.3.3", "ISO 13485:2016:7.3.4"], **approved())
    _, findings = check_json(clean.root, capsys)
    assert of(findings, "A602") == []
    cov = compute(open_qms(clean.root, with_git=False))
    assert [m.standard for m in cov.matrices] == ["ISO 13485:2016"]
    for number in ("7.3.2", "7.3.3", "7.3.4"):
        assert cov.default.row(number).evidence == ("PROC-DESIGN",)
    assert cov.unknown == []


def test_a_bare_13485_number_under_default_9001_is_a602_with_the_standard_that_has_it(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    path = clean.write("PROC-DESIGN", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                       clauses=["8.3", "7.3.2"], **approved())
    code, findings = check_json(clean.root, capsys)
    [found] = of(findings, "A602")
    assert code == 1
    assert (found["path"], found["line"]) == ("procedures/PROC-DESIGN.md",
                                              line_of(path, "- 7.3.2"))
    assert found["message"] == "clause 7.3.2 does not exist in ISO 9001:2015"
    assert found["hint"] == ("did you mean 7.3?; 7.3.2 is a clause of ISO 13485:2016: add it "
                             "to `also` under [coverage] and write \"ISO 13485:7.3.2\"")


def test_a_standard_that_is_not_configured_is_a602(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    path = clean.write("PROC-X", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                       clauses={"ISO 9001": ["8.4"], "ISO 13485": ["7.4.1"]}, **approved())
    _, findings = check_json(clean.root, capsys)
    [found] = of(findings, "A602")
    assert found["line"] == line_of(path, "- 7.4.1")
    assert found["message"] == ("clause ISO 13485:7.4.1 names 'ISO 13485', which is not a "
                                "configured standard (ISO 9001:2015)")
    assert found["hint"] == "add \"ISO 13485:2016\" to `also` under [coverage]"


def test_a_shipped_27001_catalogue_covers_annex_a(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(clean, WITH_27001, catalogue=True)
    clean.write("PROC-ALL", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                clauses=requirements("ISO 13485:2016"), **approved())
    isms = clean.write("PROC-ISMS", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                       clauses={"ISO 27001": ["A.5.1", "A.5.99"]}, **approved())
    clean.write("PROC-ACCESS", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                clauses=["ISO 27001:A.5.15", "ISO 27001:2022:A.8.5"], status="draft")
    code, findings = check_json(clean.root, capsys)
    assert code == 1
    [unknown] = of(findings, "A602")
    assert unknown["line"] == line_of(isms, "- A.5.99")
    assert unknown["message"] == "clause A.5.99 does not exist in ISO 27001:2022"
    assert unknown["hint"] == "did you mean A.5?"
    uncovered = [f["message"] for f in of(findings, "A601")]
    assert all(m.startswith("ISO 27001 ") for m in uncovered)  # 13485 fully covered
    assert not any(m.startswith("ISO 27001 A.5.1 ") for m in uncovered)
    assert ("ISO 27001 A.5.15 Access control is covered by no approved document "
            "(declared only by PROC-ACCESS, not approved)") in uncovered
    cov = compute(open_qms(clean.root, with_git=False))
    annex = cov.matrix("ISO 27001")
    assert annex.row("A.5.1").status == "covered"
    assert annex.row("A.5.1").evidence == ("PROC-ISMS",)
    assert annex.row("A.5").status == "heading"
    assert annex.catalogue.source == CATALOGUE_PATH
    a601 = of(findings, "A601")[0]
    assert a601["hint"].startswith('add "ISO 27001:')
    assert '[coverage.exclusions_by_standard."ISO 27001:2022"]' in a601["hint"]


def test_exclusions_per_standard(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    configure(clean, WITH_27001 + '[coverage.exclusions_by_standard."ISO 27001:2022"]\n'
              '"A.7.4" = "office in a managed building; no monitoring of our own"\n'
              '[coverage.exclusions_by_standard."ISO 13485"]\n'
              '"7.5.5" = "no sterile devices"\n', catalogue=True)
    # The default standard's exclusions stay under today's key too.
    config = clean.root / "qmskit.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'also = ["ISO 27001:2022"]\n',
        'also = ["ISO 27001:2022"]\nexclusions = { "7.3" = "no design: we make to print" }\n'),
        encoding="utf-8")
    cov = compute(open_qms(clean.root, with_git=False))
    iso13485, iso27001 = cov.matrices
    assert [r.clause.number for r in iso13485.excluded()] == ["7.3", "7.5.5"]
    assert iso13485.row("7.3.6").excluded_by == "7.3"
    assert [r.clause.number for r in iso27001.excluded()] == ["A.7.4"]
    assert iso27001.row("A.7.4").justification.startswith("office in a managed building")
    assert "A.7.4" not in [r.clause.number for r in iso27001.uncovered()]
    assert iso27001.summary() == ("ISO 27001:2022: 0 of 122 clauses in scope covered, "
                                  "1 excluded, 122 uncovered")


def test_a_heading_below_the_main_clause_addresses_its_requirements(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(clean, ISO13485)
    clean.write("PROC-MR", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                clauses=["5.6", "8"], **approved())
    matrix = compute(open_qms(clean.root, with_git=False)).default
    for number in ("5.6.1", "5.6.2", "5.6.3"):
        assert matrix.row(number).status == "covered"
    assert matrix.row("5.6").status == "heading"
    # A main clause is a chapter title: declaring it addresses nothing under it.
    assert matrix.row("8.4").status == "uncovered"


def test_the_readme_standards_config_works_as_written(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n((?:(?!```).)*?also = \[\"ISO 27001:2022\"\].*?)```", readme,
                      re.S)
    assert block is not None
    configure(clean, textwrap.dedent(block.group(1)), catalogue=True)
    assert main(["coverage", str(clean.root), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [s["standard"] for s in data["standards"]] == ["ISO 13485:2016", "ISO 27001:2022"]
    excluded = {(s["standard"], r["clause"]) for s in data["standards"] for r in s["clauses"]
                if r["status"] == "excluded" and r["excluded_by"] == r["clause"]}
    assert excluded == {("ISO 13485:2016", "7.5.5"), ("ISO 27001:2022", "A.7.4")}


@pytest.mark.parametrize(("table", "expected"), [
    (ISO13485, {"review": ["5.6"], "audit": ["8.2.4"], "kpi": ["8.2.5"]}),
    (WITH_27001.replace('standard = "ISO 13485:2016"\nalso = ["ISO 27001:2022"]',
                        'standard = "ISO 27001:2022"'), {"review": [], "audit": []}),
])
def test_new_documents_start_with_clauses_of_the_default_standard(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str], table: str,
    expected: dict[str, list[str]]
) -> None:
    configure(clean, table, catalogue=True)
    kinds = ["strategy", "objective", "procedure", "process", "kpi", "role", "risk",
             "action", "audit", "review", "nonconformity"]
    for kind in kinds:
        assert main(["new", kind, "--root", str(clean.root)]) == 0
    capsys.readouterr()
    qms = open_qms(clean.root, with_git=False)
    assert compute(qms).unknown == []
    for kind, clauses in expected.items():
        [doc] = [d for d in qms.of_kind(kind) if d.status == "draft"]
        assert doc.model.clauses == clauses, kind


# --- config errors ----------------------------------------------------------------------

@pytest.mark.parametrize(("table", "message"), [
    ('[coverage]\nstandard = "ISO 14001:2015"\n',
     "coverage.standard: 'ISO 14001:2015' is not a standard qmskit knows"),
    ('[coverage]\nstandard = "ISO 13485:2003"\n', "did you mean 'ISO 13485:2016'?"),
    ('[coverage]\nalso = ["ISO 27001:2022"]\n', "coverage.also: 'ISO 27001:2022' is not"),
    ('[coverage]\nstandard = "ISO 13485:2016"\nalso = ["ISO 13485:2016"]\n',
     "are both configured"),
    ('[coverage]\nstandard = "ISO 13485:2016"\nexclusions = { "7.3.11" = "x" }\n',
     "'7.3.11' is not a clause of ISO 13485:2016; did you mean '7.3'?"),
    ('[coverage]\n[coverage.exclusions_by_standard."ISO 27001:2022"]\n"A.7.4" = "x"\n',
     "exclusions_by_standard: 'ISO 27001:2022' is not a configured standard"),
    ('[coverage]\nalso = ["ISO 27001:2022"]\n[coverage.catalogues]\n'
     '"ISO 27001:2022" = "standards/iso27001.toml"\n',
     "must be a relative path inside one of the QMS folders"),
    ('[coverage]\nalso = ["ISO 27001:2022"]\n[coverage.catalogues]\n'
     '"ISO 27001:2022" = "qms_docs/missing.toml"\n',
     "[coverage.catalogues] 'ISO 27001:2022': qms_docs/missing.toml: "),
    ('[coverage]\n[coverage.catalogues]\n"ISO 27001:2022" = "qms_docs/x.toml"\n',
     "catalogues: 'ISO 27001:2022' is not a configured standard; add it to `also`"),
])
def test_bad_standards_config_exits_2(clean: QmsRepo, capsys: pytest.CaptureFixture[str],
                                      table: str, message: str) -> None:
    configure(clean, table)
    assert message in exits_2(clean.root, capsys)


def test_exclusion_of_an_unknown_clause_of_a_catalogue_file_exits_2(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(clean, WITH_27001 + '[coverage.exclusions_by_standard."ISO 27001"]\n'
              '"A.7.15" = "no such control"\n', catalogue=True)
    err = exits_2(clean.root, capsys)
    assert "'A.7.15' is not a clause of ISO 27001:2022; did you mean 'A.7'?" in err


def test_a_broken_catalogue_file_exits_2_at_its_line(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(clean, WITH_27001, catalogue=True)
    path = clean.root / CATALOGUE_PATH
    text = path.read_text(encoding="utf-8").replace('"A.5.2" = ', '"A.5.2" = = ')
    path.write_text(text, encoding="utf-8")
    err = exits_2(clean.root, capsys)
    line = line_of(path, '"A.5.2"')
    assert f"{CATALOGUE_PATH}:{line}:" in err
    assert "not valid TOML" in err
    # A catalogue of another standard than the one configured is refused too.
    path.write_text(text.replace('"A.5.2" = = ', '"A.5.2" = ').replace(
        'standard = "ISO 27001:2022"', 'standard = "ISO 27001:2013"'), encoding="utf-8")
    err = exits_2(clean.root, capsys)
    line = line_of(path, 'standard = "ISO 27001:2013"')
    assert f"{CATALOGUE_PATH}:{line}:1: this catalogue is of " \
           "'ISO 27001:2013', but [coverage.catalogues] names it 'ISO 27001:2022'" in err


def test_a_catalogue_symlinked_out_of_the_repository_is_refused(
    clean: QmsRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(clean, WITH_27001)
    outside = tmp_path / "outside.toml"
    shutil.copyfile(ISO27001, outside)
    link = clean.root / CATALOGUE_PATH
    link.parent.mkdir(parents=True)
    link.symlink_to(outside)
    err = exits_2(clean.root, capsys)
    assert "outside the repository" in err


def test_a_catalogue_change_reaches_a_cached_check(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(clean, WITH_27001, catalogue=True)
    clean.write("PROC-ALL", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                clauses=requirements("ISO 13485:2016"), **approved())
    clean.write("PROC-ISMS", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                clauses=["ISO 27001:A.5.37"], **approved())
    args = ["check", str(clean.root), "--format", "json", "--today", TODAY]
    main(args)
    assert of(json.loads(capsys.readouterr().out)["findings"], "A602") == []
    path = clean.root / CATALOGUE_PATH
    path.write_text(path.read_text(encoding="utf-8").replace(
        '"A.5.37" = "Documented operating procedures"\n', ""), encoding="utf-8")
    main(args)
    [found] = of(json.loads(capsys.readouterr().out)["findings"], "A602")
    assert found["message"] == "clause A.5.37 does not exist in ISO 27001:2022"


def test_diff_reads_the_catalogue_of_each_revision(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(clean, WITH_27001, catalogue=True)
    clean.write("PROC-ISMS", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                clauses=["ISO 27001:A.5.1"], **approved())
    init_git(clean.root)
    clean.write("PROC-ISMS", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                clauses=["ISO 27001:A.5.1", "ISO 27001:A.5.2"], **approved())
    from qmsfactory import git

    git(clean.root, "commit", "-qam", "Roles", date="2026-02-01")
    assert main(["diff", "HEAD~1..HEAD", "--root", str(clean.root)]) in (0, 1)
    captured = capsys.readouterr()
    assert "PROC-ISMS" in captured.out and "Traceback" not in captured.err


# --- coverage output --------------------------------------------------------------------

def test_coverage_json_markdown_and_text_per_standard(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(clean, WITH_27001, catalogue=True)
    clean.write("PROC-ALL", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                clauses=requirements("ISO 13485:2016"), **approved())
    clean.write("PROC-ISMS", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                clauses=["ISO 27001:A.5.1", "ISO 27001:A.9.1"], **approved())
    assert main(["coverage", str(clean.root), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["standard"] == "ISO 13485:2016" and data["configured"] is True
    assert [s["standard"] for s in data["standards"]] == ["ISO 13485:2016", "ISO 27001:2022"]
    assert [s["default"] for s in data["standards"]] == [True, False]
    assert data["standards"][1]["source"] == CATALOGUE_PATH
    assert data["summary"] == ("ISO 13485:2016: 71 of 71 clauses in scope covered, "
                               "0 excluded, 0 uncovered")
    rows = {r["clause"]: r for r in data["standards"][1]["clauses"]}
    assert rows["A.5.1"]["status"] == "covered" and rows["A.5.1"]["level"] == "requirement"
    assert rows["A.5.2"]["status"] == "uncovered"
    assert data["unknown"] == [{"id": "PROC-ISMS", "path": "procedures/PROC-ISMS.md",
                                "clause": "A.9.1", "written": "ISO 27001:A.9.1",
                                "standard": "ISO 27001:2022"}]
    assert main(["coverage", str(clean.root), "--format", "markdown"]) == 1
    markdown = capsys.readouterr().out
    assert markdown.startswith("# Clause coverage\n")
    assert "\n## ISO 13485:2016\n" in markdown and "\n## ISO 27001:2022\n" in markdown
    assert "| **A.5.1** | Policies for information security | covered | PROC-ISMS |" in markdown
    assert "| **A.5** | **Organizational controls** |  |  |" in markdown
    assert "- PROC-ISMS: `ISO 27001:A.9.1`" in markdown
    assert main(["coverage", str(clean.root)]) == 1
    text = capsys.readouterr().out.splitlines()
    assert text[0].startswith("ISO 13485:2016: 71 of 71 clauses in scope covered")
    assert text[1].startswith("ISO 27001:2022: 1 of 123 clauses in scope covered")
    assert any(re.match(r"^    A\.5\.1 Policies for information security +covered  PROC-ISMS$",
                        line) for line in text)
    assert text[-1] == ("unknown clause ISO 27001:A.9.1 declared in procedures/PROC-ISMS.md "
                        "(PROC-ISMS): not a clause of ISO 27001:2022")


# --- management review (ISO 13485 5.6.2) -------------------------------------------------

def _write_in(repo: QmsRepo, folder: str, doc_id: str, kind: str, **fields: Any) -> Path:
    path = repo.write(doc_id, kind, **fields)
    target = repo.root / folder / path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    path.rename(target)
    return target


def test_the_pack_of_a_13485_qms_lists_the_5_6_2_inputs(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(clean, ISO13485)
    _write_in(clean, "qms_docs/nonconformities", "NC-1", "nonconformity", owner="ROLE-QM",
              date="2026-10-02", source="customer-complaint", severity="minor",
              actions=["ACT-1"], **approved(approved_on="2026-10-02"))
    _write_in(clean, "qms_docs/actions", "ACT-1", "action", owner="ROLE-QM",
              opened="2026-10-03", due="2027-01-31", type="corrective",
              source="nonconformity", clauses=["8.2.3"], **approved(approved_on="2026-10-03"))
    assert main(["report", "management-review", str(clean.root), "--today", TODAY]) == 0
    text = capsys.readouterr().out
    headings = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    inputs = [h for h in headings if re.match(r"[a-l]\) ", h)]
    assert inputs == [f"{item.clause.removeprefix('5.6.2 ')} {item.title}"
                      for item in ISO13485_REVIEW_INPUTS]
    assert inputs[2] == "c) Reporting to regulatory authorities"
    assert inputs[11] == "l) Applicable new or revised regulatory requirements"
    assert "presents each input ISO 13485 5.6.2 requires" in " ".join(text.split())
    assert "## Decisions and actions (ISO 13485 5.6.3)" in text
    front = text.split("---\n")[1]
    assert 'clauses: ["5.6"]' in front
    covers = re.search(r"^covers: \[(.*?)\]", front, flags=re.MULTILINE | re.DOTALL)
    assert covers is not None
    declared = [k.strip() for k in covers.group(1).replace("\n", " ").split(",")]
    assert {"customer-feedback", "complaint-handling", "regulatory-reporting",
            "corrective-action", "product-monitoring"} <= set(declared)
    assert "regulatory-requirements" not in declared  # nothing in the repository for l)
    body = text.split("## c) Reporting to regulatory authorities", 1)[1].split("\n## ", 1)[0]
    assert "ACT-1" in body
    body = text.split("## l) Applicable new or revised", 1)[1].split("\n## ", 1)[0]
    assert "add `regulatory-requirements` to `covers:`" in " ".join(body.split())
    # The draft is a valid record of the same QMS.
    draft = clean.root / "qms_docs" / "reviews" / "MR-DRAFT.md"
    draft.parent.mkdir(parents=True)
    draft.write_text(text, encoding="utf-8")
    _, findings = check_json(clean.root, capsys)
    assert [f for f in findings if f["path"].endswith("MR-DRAFT.md")] == []


def test_r507_asks_for_the_13485_inputs(clean: QmsRepo,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    configure(clean, ISO13485)
    _write_in(clean, "qms_docs/actions", "ACT-D", "action", owner="ROLE-QM",
              opened="2026-06-01", due="2027-01-31", source="management-review",
              **approved())
    path = _write_in(clean, "qms_docs/reviews", "MR-1", "review", owner="ROLE-MD",
                     date="2026-07-20", attendees=["ROLE-MD"], inputs=["KPI-A", "STRAT-A"],
                     covers=["customer-feedback", "complaint-handling", "audit-results",
                             "product-monitoring", "corrective-action",
                             "preventive-action", "improvement"],
                     decisions=["ACT-D"], **approved(approved_on="2026-07-20"))
    qms = open_qms(clean.root, with_git=False)
    coverage = review_coverage(qms, qms.documents["MR-1"])
    assert coverage.keys == tuple(item.key for item in ISO13485_REVIEW_INPUTS)
    # KPI-A measures a process (e), STRAT-A is a change that could affect the QMS (j).
    assert coverage.missing == ["regulatory-reporting", "previous-actions",
                                "regulatory-requirements"]
    _, findings = check_json(clean.root, capsys, "--select", "R507")
    [found] = findings
    assert found["line"] == line_of(path, "covers:")
    assert found["message"] == (
        "management review MR-1 does not cover ISO 5.6.2 inputs: c) regulatory-reporting, "
        "i) previous-actions, l) regulatory-requirements")


# --- panels, auditor page, PDF cover ------------------------------------------------------

def test_panel_shows_clauses_per_standard(clean: QmsRepo, tmp_path: Path) -> None:
    # A customer's requirements list as a flat catalogue: every entry is a requirement.
    clean.write_raw("qms_docs/standards/acme.toml",
                    'standard = "ACME SQM:2024"\nrequirement_depth = 1\n[clauses]\n'
                    '"SQ-1" = "Supplier quality plan"\n"SQ-2" = "First article inspection"\n')
    configure(clean, '[coverage]\nstandard = "ISO 13485:2016"\nalso = ["ACME SQM:2024"]\n'
              '[coverage.catalogues]\n"ACME SQM:2024" = "qms_docs/standards/acme.toml"\n')
    clean.write("PROC-ALL", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                clauses=requirements("ISO 13485:2016"), **approved())
    clean.write("PROC-FAI", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                clauses=["7.5.1", "ACME SQM:SQ-1", "ACME SQM:2024:SQ-2"], **approved())
    out = tmp_path / "handbook"
    assert main(["pages", str(out), "--root", str(clean.root)]) == 0
    page = (out / "docs" / "procedures" / "PROC-FAI.md").read_text(encoding="utf-8")
    assert "<dt>ISO 13485</dt><dd>7.5.1</dd>" in page
    assert "<dt>ACME SQM</dt><dd>SQ-1, SQ-2</dd>" in page
    assert "ISO 9001" not in page
    coverage = (out / "docs" / "system" / "coverage.md").read_text(encoding="utf-8")
    assert "ACME SQM:2024: 2 of 2 clauses in scope covered" in coverage


def test_auditor_page_follows_the_default_standard(clean: QmsRepo) -> None:
    configure(clean, WITH_27001, catalogue=True)
    clean.write("PROC-AUDIT", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                clauses=["8.2.4", "ISO 27001:9.2.2"], **approved())
    page = auditor_markdown(open_qms(clean.root, with_git=False), date(2026, 11, 24))
    assert "| Topic | ISO 13485 | What is asked | Where | Documents |" in page
    assert "| Internal audits | 8.2.4 | Is there a programme" in page
    assert "PROC-AUDIT" in page.split("| Internal audits |", 1)[1].split("\n", 1)[0]
    assert "Did top management review every 5.6.2 input" in page
    assert "- **Clause coverage:** ISO 13485:2016: " in page
    assert "- **Clause coverage:** ISO 27001:2022: " in page
    assert "Where is each clause of ISO 13485 and ISO 27001 addressed?" in page


def test_pdf_cover_lists_each_standard() -> None:
    from qmskit.git.repo import Snapshot

    html = cover_page("Acme", Snapshot("", "", False), date(2026, 1, 2), 3,
                      ["ISO 13485:2016: 71 of 71", "ISO 27001:2022: 90 of 122 <x>"])
    assert "ISO 13485:2016: 71 of 71<br>ISO 27001:2022: 90 of 122 &lt;x&gt;" in html
