"""`qmskit import`: registers kept as tables become records; no row is dropped quietly."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml

from qmskit.cli import main
from qmskit.domain.tables import (
    Marker,
    csv_table,
    is_marker_end,
    markdown_tables,
    parse_marker,
    split_cells,
    table_marker,
)

from qmsfactory import QmsRepo, line_of

RISKS = """---
title: Risk register
---

# Risk register

Rated 1 to 5.

| ID | Risk | Process | Likelihood | Impact | Owner |
|---|---|---|---|---|---|
| RISK-01 | Supplier cannot deliver | Title of PROC-A | 3 | 2 | [[@quality-lead]] |
| RISK-02 | Knowledge loss | PROC-A | 2 | 2 | @managing-director |
| RISK-03 | Mixed lots | Sales | 9 | 2 | quality lead |

Text after the table.
"""

CAPA = """# CAPA log

=== "Open"

    | ID | Source | Description | Owner | Due |
    |---|---|---|---|---|
    | CAPA-01 | customer complaint | Springs out of tolerance | [[@quality-lead]] | 2027-03-31 |

=== "Closed"

    | ID | Source | Description | Owner | Due |
    |---|---|---|---|---|
    | CAPA-02 | internal audit | Calibration overdue | [[@quality-lead]] | 31.01.2027 |

```
| Not | a table |
|---|---|
| in | code |
```
"""


def _import(repo: QmsRepo, *args: str) -> int:
    return main(["import", *args, "--root", str(repo.root)])


def _check(repo: QmsRepo, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    main(["check", str(repo.root), "--format", "json", "--no-cache"])
    return json.loads(capsys.readouterr().out)["findings"]  # type: ignore[no-any-return]


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


@pytest.fixture
def risks(clean: QmsRepo) -> Path:
    return clean.write_raw("qms_docs/risks.md", RISKS)


def _front(path: Path) -> dict[str, object]:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])  # type: ignore[no-any-return]


# ------------------------------------------------------------------------ tables


def test_tables_in_tabs_are_found_and_code_is_not() -> None:
    tables = markdown_tables(CAPA)
    assert [(t.index, t.line, t.indent, t.tab, len(t.rows)) for t in tables] == [
        (1, 5, "    ", "Open", 1), (2, 11, "    ", "Closed", 1)]
    assert tables[0].rows[0].line == 7
    assert tables[0].header == ("ID", "Source", "Description", "Owner", "Due")


def test_cells_split_at_pipes_but_not_escaped_or_in_code() -> None:
    assert split_cells(r"| a \| b | `x | y` | c |") == ("a | b", "`x | y`", "c")
    assert split_cells("a | b") == ("a", "b")


def test_csv_with_semicolons_keeps_the_line_of_each_row() -> None:
    table = csv_table("\ufeffID;Title\nR-1;One\n\nR-2;\"Two\nlines\"\nR-3;Three\n")
    assert table.header == ("ID", "Title")
    assert [(r.line, r.cells) for r in table.rows] == [
        (2, ("R-1", "One")), (4, ("R-2", "Two\nlines")), (6, ("R-3", "Three"))]


def test_the_marker_reads_back() -> None:
    lines = table_marker(Marker(None, ("R-1", "R-2"), ("id", "title")), "Entries.", "  ")
    assert lines[0] == "  <!-- qmskit:table R-1 R-2 columns=id,title -->"
    assert parse_marker(lines[0]) == Marker(None, ("R-1", "R-2"), ("id", "title"))
    assert parse_marker("<!-- qmskit:table REG-RISKS columns=id -->") == Marker(
        "REG-RISKS", (), ("id",))
    assert is_marker_end(lines[2])


# ------------------------------------------------------------------------ to files


def test_rows_become_records_and_unreadable_rows_are_listed_by_line(
    clean: QmsRepo, risks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _tree(clean.root)
    assert _import(clean, str(risks), "--kind", "risk", "--map", "Risk=title,Process=affects") \
        == 1
    out = capsys.readouterr().out
    assert f"qms_docs/risks.md:{line_of(risks, 'RISK-03')}: Process: 'Sales' names no " \
           "procedure or process" in out
    assert "Likelihood (likelihood): Input should be less than or equal to 5" in out
    assert "Owner: 'quality lead' names no role" in out
    assert "nothing was written" in out
    assert _tree(clean.root) == before


def test_value_maps_and_handles_resolve_links(
    clean: QmsRepo, risks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(clean, str(risks), "--kind", "risk", "--map", "Risk=title,Process=affects",
                   "--map-values", "affects:Sales=", "--map-values", "likelihood:9=5",
                   "--map-values", "owner:quality*=ROLE-QM",
                   "--set", "status=approved", "--set", "approved_by=ROLE-MD",
                   "--set", "approved_on=2026-06-01") == 0
    out = capsys.readouterr().out
    assert "created qms_docs/risks/RISK-01.md" in out
    first = _front(clean.root / "qms_docs/risks/RISK-01.md")
    assert first == {"id": "RISK-01", "kind": "risk", "title": "Supplier cannot deliver",
                     "owner": "ROLE-QM", "status": "approved", "approved_by": "ROLE-MD",
                     "approved_on": first["approved_on"], "affects": ["PROC-A"],
                     "likelihood": 3, "impact": 2}
    assert _front(clean.root / "qms_docs/risks/RISK-02.md")["owner"] == "ROLE-MD"
    third = _front(clean.root / "qms_docs/risks/RISK-03.md")
    assert "affects" not in third and third["likelihood"] == 5
    assert _check(clean, capsys) == []
    # The page is untouched without --replace-table, and a second run refuses.
    assert (clean.root / "qms_docs/risks.md").read_text(encoding="utf-8") == RISKS
    before = _tree(clean.root)
    assert _import(clean, str(risks), "--kind", "risk", "--map", "Risk=title,Process=-") == 1
    assert "id RISK-01 is used already in the QMS" in capsys.readouterr().out
    assert _tree(clean.root) == before


def test_skip_bad_rows_imports_the_others_and_still_lists_them(
    clean: QmsRepo, risks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(clean, str(risks), "--kind", "risk", "--map", "Risk=title,Process=-",
                   "--skip-bad-rows") == 1
    out = capsys.readouterr().out
    assert "1 rows cannot be imported:" in out
    assert sorted(p.name for p in (clean.root / "qms_docs/risks").iterdir()) == [
        "RISK-01.md", "RISK-02.md"]


def test_a_dry_run_shows_everything_and_writes_nothing(
    clean: QmsRepo, risks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _tree(clean.root)
    assert _import(clean, str(risks), "--kind", "risk", "--map", "Risk=title,Process=affects",
                   "--map-values", "affects:sales=", "--map-values", "likelihood:9=5",
                   "--map-values", "owner:quality lead=ROLE-QM", "--replace-table",
                   "--dry-run") == 0
    out = capsys.readouterr().out
    assert "would create qms_docs/risks/RISK-03.md\n    ---\n    id: RISK-03\n" in out
    assert "would change qms_docs/risks.md:" in out
    assert "--replace-table would lose" not in out
    assert _tree(clean.root) == before


def test_unmapped_columns_are_named_before_anything_happens(
    clean: QmsRepo, risks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(clean, str(risks), "--kind", "risk") == 2
    err = capsys.readouterr().err
    assert "columns 'Risk', 'Process' are not mapped to a field of a risk" in err
    assert _import(clean, str(risks), "--kind", "risk", "--map", "Risk=titel") == 2
    assert "'titel' is not a field of this kind; did you mean 'title'?" in (
        capsys.readouterr().err)


def test_replace_table_keeps_the_data_once(
    clean: QmsRepo, risks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--kind", "risk", "--map", "Risk=title,Process=affects", "--map-values",
            "affects:Sales=", "--map-values", "likelihood:9=5", "--map-values",
            "owner:quality lead=ROLE-QM"]
    clean.write_raw("qms_docs/risks.de.md", RISKS)
    (clean.root / "qmskit.toml").write_text(
        'today = 2026-11-24\n[translations]\nlanguages = ["en", "de"]\n', encoding="utf-8")
    assert _import(clean, str(risks), *args, "--map", "Process=-", "--replace-table") == 2
    assert "--replace-table would lose the columns Process" in capsys.readouterr().err
    assert _import(clean, str(risks), *args, "--replace-table") == 0
    out = capsys.readouterr().out
    german = clean.root / "qms_docs/risks.de.md"
    assert f"qms_docs/risks.de.md:{line_of(german, '| ID |')}: the de page has this table " \
           "too; it is left as it is" in out
    page = (clean.root / "qms_docs/risks.md").read_text(encoding="utf-8")
    assert page == RISKS.split("| ID |")[0] + (
        "<!-- qmskit:table RISK-01 RISK-02 RISK-03 columns=id,title,affects,likelihood,"
        "impact,owner -->\nEntries: RISK-01, RISK-02, RISK-03.\n<!-- /qmskit:table -->\n"
        "\nText after the table.\n")
    assert (clean.root / "qms_docs/risks.de.md").read_text(encoding="utf-8") == RISKS


def test_indented_tables_in_tabs_are_replaced_in_place(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    page = clean.write_raw("qms_docs/capa.md", CAPA)
    assert _import(clean, str(page), "--kind", "action") == 2
    assert "has 2 tables; choose with --table N" in capsys.readouterr().err
    assert _import(clean, str(page), "--kind", "action", "--table", "all", "--map",
                   "Description=title", "--map-values", "source:customer complaint="
                   "nonconformity", "--map-values", "source:internal audit=audit-finding",
                   "--replace-table") == 0
    text = page.read_text(encoding="utf-8")
    assert '=== "Open"\n\n    <!-- qmskit:table CAPA-01 columns=id,source,title,owner,due -->' \
           "\n    Entries: CAPA-01.\n    <!-- /qmskit:table -->\n" in text
    assert "| Not | a table |" in text
    assert _front(clean.root / "qms_docs/capa/CAPA-02.md")["due"] is not None
    assert _import(clean, str(page), "--kind", "action", "--heading", "Open") == 2
    assert "no table found" in capsys.readouterr().err


def test_ids_come_from_the_title_cell_or_from_the_title(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    page = clean.write_raw("objectives/list.md",
                           "| Objective | Owner | Due |\n|---|---|---|\n"
                           "| OBJ-2027-01 Fewer complaints | @quality-lead | 2027-12-31 |\n"
                           "| Faster quotes | @quality-lead | 2027-06-30 |\n")
    assert _import(clean, str(page), "--kind", "objective", "--map", "Objective=title",
                   "--set", "supports=STRAT-A") == 0
    out = capsys.readouterr().out
    assert "ids taken from the start of the Objective cell (1 rows)" in out
    assert "ids made from the titles (1 rows)" in out
    assert _front(clean.root / "objectives/list/OBJ-2027-01.md")["title"] == "Fewer complaints"
    assert _front(clean.root / "objectives/list/OBJ-FASTER-QUOTES.md")["supports"] == [
        "STRAT-A"]


def test_a_csv_and_a_value_map_file(clean: QmsRepo, capsys: pytest.CaptureFixture[str]
                                    ) -> None:
    source = clean.write_raw("exports/roles.csv",
                             "Role;Holder;Reports to\nPlant manager;@plant-boss;Title of ROLE-MD\n"
                             "Shift lead;@shift-a, @shift-b;Plant manager\n")
    maps = clean.write_raw("exports/values.toml", '[reports_to]\n"title of role-md" = "ROLE-MD"\n')
    assert _import(clean, str(source), "--kind", "role", "--map", "Role=title,Holder=holders",
                   "--map-values", str(maps), "--set", "owner=ROLE-MD",
                   "--set", "status=approved", "--set", "approved_on=2026-06-01",
                   "--set", "approved_by=ROLE-MD") == 0
    capsys.readouterr()
    folder = clean.root / "qms_docs/roles"
    assert _front(folder / "ROLE-SHIFT-LEAD.md")["holders"] == ["shift-a", "shift-b"]
    # A role may report to another role of the same import, named by its title.
    assert _front(folder / "ROLE-SHIFT-LEAD.md")["reports_to"] == "ROLE-PLANT-MANAGER"
    assert _front(folder / "ROLE-PLANT-MANAGER.md")["reports_to"] == "ROLE-MD"
    assert {f["code"] for f in _check(clean, capsys)} <= {"T309"}


def test_a_source_outside_the_repository_is_refused(
    clean: QmsRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("ID,Title\nR-1,One\n", encoding="utf-8")
    assert _import(clean, str(outside), "--kind", "risk") == 2
    assert "outside the QMS repository" in capsys.readouterr().err


def test_records_must_land_where_the_check_reads(
    clean: QmsRepo, risks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(clean, str(risks), "--kind", "risk", "--map", "Risk=title,Process=-",
                   "--dir", str(clean.root / "elsewhere")) == 2
    assert "not in a QMS folder" in capsys.readouterr().err


# ------------------------------------------------------------------------ register


def test_to_register_writes_the_register_and_its_csv(
    clean: QmsRepo, risks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The contract's register format: header = field names, `;` between list items,
    dotted names for nested fields, an empty cell = unset; the stamps on the register,
    which the page itself becomes (its title and other keys kept)."""
    assert _import(clean, str(risks), "--kind", "risk", "--to", "register",
                   "--map", "Risk=title,Process=affects", "--map-values",
                   "affects:Sales=", "--map-values", "likelihood:9=5", "--map-values",
                   "owner:quality lead=ROLE-QM", "--set", "status=approved",
                   "--set", "review.last=2026-06-01", "--set", "approved_by=ROLE-MD",
                   "--set", "approved_on=2026-06-01", "--set", "type=risk",
                   "--replace-table") == 0
    page = (clean.root / "qms_docs/risks.md").read_text(encoding="utf-8")
    front = yaml.safe_load(page.split("---\n")[1])
    assert list(front) == ["id", "kind", "title", "status", "approved_by", "approved_on",
                           "review", "records", "data"]
    assert front["title"] == "Risk register" and front["records"] == "risk"
    assert (front["id"], front["kind"], front["data"]) == ("REG-RISKS", "register", "risks.csv")
    assert "<!-- qmskit:table REG-RISKS columns=id,title,affects,likelihood,impact,owner -->" \
        in page
    assert "The entries are in [risks.csv](risks.csv) (REG-RISKS)." in page
    assert "| RISK-01 |" not in page
    rows = list(csv.reader(io.StringIO((clean.root / "qms_docs/risks.csv").read_text())))
    assert rows == [
        ["id", "title", "affects", "likelihood", "impact", "owner", "type"],
        ["RISK-01", "Supplier cannot deliver", "PROC-A", "3", "2", "ROLE-QM", "risk"],
        ["RISK-02", "Knowledge loss", "PROC-A", "2", "2", "ROLE-MD", "risk"],
        ["RISK-03", "Mixed lots", "", "5", "2", "ROLE-QM", "risk"]]


def test_lists_in_a_register_are_separated_by_semicolons(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    page = clean.write_raw("qms_docs/roles.md", "| Role | Holders |\n|---|---|\n"
                           "| Shift lead | @shift-a, @shift-b |\n")
    assert _import(clean, str(page), "--kind", "role", "--to", "register", "--map",
                   "Role=title") == 0
    assert "created qms_docs/roles-register.md" in capsys.readouterr().out
    rows = (clean.root / "qms_docs/roles-register.csv").read_text(encoding="utf-8")
    assert rows == "id,title,holders\nROLE-SHIFT-LEAD,Shift lead,shift-a;shift-b\n"
    register = _front(clean.root / "qms_docs/roles-register.md")
    assert (register["kind"], register["status"], register["data"]) == (
        "register", "draft", "roles-register.csv")


def test_an_imported_register_checks_clean(
    clean: QmsRepo, risks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(clean, str(risks), "--kind", "risk", "--to", "register",
                   "--map", "Risk=title,Process=affects+x-process", "--map-values",
                   "affects:Sales=", "--map-values", "likelihood:9=5", "--map-values",
                   "owner:quality lead=ROLE-QM", "--set", "status=approved",
                   "--set", "review.last=2026-06-01", "--set", "approved_by=ROLE-MD",
                   "--set", "approved_on=2026-06-01", "--set", "owner=ROLE-QM",
                   "--replace-table") == 0
    capsys.readouterr()
    assert _check(clean, capsys) == []


def test_a_register_takes_the_owner_its_rows_agree_on(
    clean: QmsRepo, risks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A register is a controlled document: without `--set owner=`, it takes the owner all
    its rows name, and says so when they disagree (rather than leave a T306 unexplained)."""
    assert _import(clean, str(risks), "--kind", "risk", "--to", "register",
                   "--map", "Risk=title,Process=affects+x-process", "--map-values",
                   "affects:Sales=", "--map-values", "likelihood:9=5", "--map-values",
                   "owner:*=ROLE-QM", "--replace-table") == 0
    assert _front(risks)["owner"] == "ROLE-QM"
    capsys.readouterr()
    more = clean.write_raw("qms_docs/more-risks.md", RISKS.replace("RISK-0", "RISK-1"))
    assert _import(clean, str(more), "--kind", "risk", "--to", "register",
                   "--map", "Risk=title,Process=affects+x-process", "--map-values",
                   "affects:Sales=", "--map-values", "likelihood:9=5", "--map-values",
                   "owner:quality lead=ROLE-QM", "--dry-run") == 0
    assert "the register has no owner" in capsys.readouterr().out
