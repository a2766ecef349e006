"""One planted defect per rule: each plant writes into a clean QMS and says where the
finding must appear (code, relative path, line).

Used one at a time by the per-rule tests and all together by the acceptance test.
Plants add files rather than edit the baseline, so a defect never leaks into files that
are otherwise clean.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qmsfactory import QmsRepo, approved, git, line_of, monthly


@dataclass(frozen=True)
class Expected:
    """Where a planted defect must be reported."""

    code: str
    path: str
    line: int


Plant = Callable[[QmsRepo], Expected]


def _rel(repo: QmsRepo, path: object) -> str:
    from pathlib import Path

    assert isinstance(path, Path)
    return path.relative_to(repo.root).as_posix()


def d101_yaml_syntax(repo: QmsRepo) -> Expected:
    path = repo.write_raw("procedures/PROC-BROKEN.md",
                          "---\nid: PROC-BROKEN\nkind: procedure\nsupports: [OBJ-A\n"
                          "owner: ROLE-QM\n---\nBody\n")
    return Expected("D101", _rel(repo, path), 5)


def d102_schema(repo: QmsRepo) -> Expected:
    path = repo.write("PROC-SCHEMA", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                      **approved(version="zero"))
    return Expected("D102", _rel(repo, path), line_of(path, "version: zero"))


def d103_duplicate_id(repo: QmsRepo) -> Expected:
    path = repo.write("PROC-A", "procedure", filename="zz-copy-of-purchasing.md",
                      owner="ROLE-QM", supports=["OBJ-A"], **approved())
    return Expected("D103", _rel(repo, path), line_of(path, "id: PROC-A"))


def d104_unknown_kind(repo: QmsRepo) -> Expected:
    path = repo.write("PROC-KIND", "procdure", owner="ROLE-QM", supports=["OBJ-A"],
                      **approved())
    return Expected("D104", _rel(repo, path), line_of(path, "kind: procdure"))

def d106_file_name_case(repo: QmsRepo) -> Expected:
    repo.write("PROC-CASE", "procedure", owner="ROLE-QM", supports=["OBJ-A"], **approved())
    path = repo.write("PROC-CASE-COPY", "procedure", filename="proc-case.md", owner="ROLE-QM",
                      supports=["OBJ-A"], **approved())
    return Expected("D106", _rel(repo, path), 1)


def d105_kpi_data(repo: QmsRepo) -> Expected:
    repo.write("KPI-BADDATA", "kpi", owner="ROLE-QM", measures=["PROC-A"], target=1.0,
               frequency="monthly", data="data/KPI-BADDATA.csv", **approved())
    csv_path = repo.data("KPI-BADDATA", "period,value\n2026-09,1.0\n2026-10,n/a\n")
    return Expected("D105", _rel(repo, csv_path), 3)


def l201_dangling_link(repo: QmsRepo) -> Expected:
    path = repo.write("PROC-DANGLE", "procedure", owner="ROLE-QM",
                      supports=["OBJ-A", "OBJ-NOPE"], **approved())
    return Expected("L201", _rel(repo, path), line_of(path, "OBJ-NOPE"))


def l202_wrong_kind_link(repo: QmsRepo) -> Expected:
    path = repo.write("PROC-WRONG", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                      inputs=["KPI-A"], **approved())
    return Expected("L202", _rel(repo, path), line_of(path, "- KPI-A"))


def l203_link_to_retired(repo: QmsRepo) -> Expected:
    repo.write("OBJ-OLD", "objective", owner="ROLE-QM", supports=["STRAT-A"],
               **approved(status="retired"))
    path = repo.write("PROC-RETLINK", "procedure", owner="ROLE-QM",
                      supports=["OBJ-A", "OBJ-OLD"], **approved())
    return Expected("L203", _rel(repo, path), line_of(path, "- OBJ-OLD"))


def l204_link_cycle(repo: QmsRepo) -> Expected:
    path = repo.write("PROC-C1", "procedure", owner="ROLE-QM", supports=["OBJ-A", "PROC-C2"],
                      **approved())
    repo.write("PROC-C2", "procedure", owner="ROLE-QM", supports=["PROC-C1"], **approved())
    return Expected("L204", _rel(repo, path), line_of(path, "- PROC-C2"))


def t301_objective_without_strategy(repo: QmsRepo) -> Expected:
    path = repo.write("OBJ-NOSTRAT", "objective", owner="ROLE-QM", supports=[], **approved())
    repo.write("KPI-NOSTRAT", "kpi", owner="ROLE-QM", measures=["OBJ-NOSTRAT", "PROC-A"],
               target=1.0, data="data/KPI-NOSTRAT.csv", **approved())
    repo.data("KPI-NOSTRAT", monthly())
    return Expected("T301", _rel(repo, path), line_of(path, "supports:"))


def t302_strategy_without_objective(repo: QmsRepo) -> Expected:
    path = repo.write("STRAT-LONELY", "strategy", owner="ROLE-MD", **approved())
    return Expected("T302", _rel(repo, path), line_of(path, "id: STRAT-LONELY"))


def t303_objective_without_kpi(repo: QmsRepo) -> Expected:
    path = repo.write("OBJ-NOKPI", "objective", owner="ROLE-QM", supports=["STRAT-A"],
                      **approved())
    return Expected("T303", _rel(repo, path), line_of(path, "id: OBJ-NOKPI"))


def t304_process_without_strategy(repo: QmsRepo) -> Expected:
    path = repo.write("PROC-ORPHAN", "process", owner="ROLE-QM", supports=[], **approved())
    return Expected("T304", _rel(repo, path), line_of(path, "supports:"))


def t305_kpi_without_strategy(repo: QmsRepo) -> Expected:
    path = repo.write("KPI-ORPHAN", "kpi", owner="ROLE-QM", measures=[], target=1.0,
                      data="data/KPI-ORPHAN.csv", **approved())
    repo.data("KPI-ORPHAN", monthly())
    return Expected("T305", _rel(repo, path), line_of(path, "measures:"))


def t306_missing_owner(repo: QmsRepo) -> Expected:
    path = repo.write("PROC-NOOWNER", "procedure", supports=["OBJ-A"], **approved())
    return Expected("T306", _rel(repo, path), line_of(path, "id: PROC-NOOWNER"))


def t307_owner_not_role(repo: QmsRepo) -> Expected:
    path = repo.write("PROC-OWNPROC", "procedure", owner="PROC-A", supports=["OBJ-A"],
                      **approved())
    return Expected("T307", _rel(repo, path), line_of(path, "owner: PROC-A"))


def t308_role_without_holder(repo: QmsRepo) -> Expected:
    path = repo.write("ROLE-EMPTY", "role", owner="ROLE-MD", holders=[], reports_to="ROLE-MD",
                      **approved())
    repo.write("PROC-EMPTYOWNED", "procedure", owner="ROLE-EMPTY", supports=["OBJ-A"],
               **approved())
    return Expected("T308", _rel(repo, path), line_of(path, "holders:"))


def t309_role_owns_nothing(repo: QmsRepo) -> Expected:
    path = repo.write("ROLE-IDLE", "role", owner="ROLE-MD", holders=["internal-auditor"],
                      reports_to="ROLE-MD", **approved())
    return Expected("T309", _rel(repo, path), line_of(path, "id: ROLE-IDLE"))


def c401_review_overdue(repo: QmsRepo) -> Expected:
    path = repo.write("PROC-OVERDUE", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                      **approved(approved_on="2024-01-10",
                                 review={"last": "2025-01-10", "interval": "12 months"}))
    return Expected("C401", _rel(repo, path), line_of(path, "last: 2025-01-10"))


def c402_review_due_soon(repo: QmsRepo) -> Expected:
    path = repo.write("PROC-SOON", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                      **approved(approved_on="2025-12-01",
                                 review={"last": "2025-12-01", "interval": "12 months"}))
    return Expected("C402", _rel(repo, path), line_of(path, "last: 2025-12-01"))


def c403_changed_since_review(repo: QmsRepo) -> Expected:
    """Needs git: the file is committed, then modified in a later commit."""
    path = repo.write("PROC-SUSPECT", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                      **approved(approved_on="2026-02-01",
                                 review={"last": "2026-02-01", "interval": "12 months"}))
    if not (repo.root / ".git").exists():
        git(repo.root, "init", "-q", "-b", "main")
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "-m", "Add documents", date="2026-01-20")
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\nA step added without review.\n")
    git(repo.root, "commit", "-q", "-am", "Edit PROC-SUSPECT", date="2026-03-05")
    return Expected("C403", _rel(repo, path), line_of(path, "last: 2026-02-01"))


def c404_kpi_data_overdue(repo: QmsRepo) -> Expected:
    path = repo.write("KPI-STALE", "kpi", owner="ROLE-QM", measures=["PROC-A"], target=1.0,
                      direction="lower", frequency="monthly", data="data/KPI-STALE.csv",
                      **approved())
    repo.data("KPI-STALE", monthly(1, 6, 0.5))
    return Expected("C404", _rel(repo, path), line_of(path, "data: data/KPI-STALE.csv"))


def c405_kpi_off_target(repo: QmsRepo) -> Expected:
    repo.write("OBJ-LOW", "objective", owner="ROLE-QM", supports=["STRAT-A"],
               due="2027-03-31", **approved())
    path = repo.write("KPI-LOW", "kpi", owner="ROLE-QM", measures=["OBJ-LOW"], unit="%",
                      direction="higher", target=97.0, warn_at=95.0,
                      data="data/KPI-LOW.csv", **approved())
    repo.data("KPI-LOW", monthly(1, 10, 93.5))
    return Expected("C405", _rel(repo, path), line_of(path, "target: 97.0"))


def c406_objective_past_due(repo: QmsRepo) -> Expected:
    path = repo.write("OBJ-LATE", "objective", owner="ROLE-QM", supports=["STRAT-A"],
                      due="2026-06-30", **approved())
    repo.write("KPI-LATE", "kpi", owner="ROLE-QM", measures=["OBJ-LATE"], target=1.0,
               data="data/KPI-LATE.csv", **approved())
    repo.data("KPI-LATE", monthly(1, 10, 2.0))
    return Expected("C406", _rel(repo, path), line_of(path, "due: 2026-06-30"))


def c407_dated_in_the_future(repo: QmsRepo) -> Expected:
    # November is recorded on 24 November: the period has not ended yet.
    repo.write("KPI-EARLY", "kpi", owner="ROLE-QM", measures=["PROC-A"], target=1.0,
               data="data/KPI-EARLY.csv", **approved())
    path = repo.data("KPI-EARLY", monthly(1, 11, 2.0))
    return Expected("C407", _rel(repo, path), line_of(path, "2026-11,"))


def _translated(repo: QmsRepo, doc_id: str) -> None:
    """A clean procedure `doc_id`, in a QMS whose pages are in English and German."""
    config = repo.root / "qmskit.toml"
    if "[translations]" not in config.read_text(encoding="utf-8"):
        with config.open("a", encoding="utf-8") as handle:
            handle.write('\n[translations]\nlanguages = ["en", "de"]\n')
    repo.write(doc_id, "procedure", owner="ROLE-QM", supports=["OBJ-A"], **approved())


def d110_translation_contradicts(repo: QmsRepo) -> Expected:
    _translated(repo, "PROC-TRANSLATED")
    path = repo.write_raw("procedures/PROC-TRANSLATED.de.md",
                          "---\ntitle: Übersetzt\nowner: ROLE-MD\n---\n")
    return Expected("D110", _rel(repo, path), 3)


def c410_translation_outdated(repo: QmsRepo) -> Expected:
    _translated(repo, "PROC-OUTDATED")
    path = repo.write_raw("procedures/PROC-OUTDATED.de.md",
                          "---\ntitle: Veraltet\nversion: 0\n---\n")
    return Expected("C410", _rel(repo, path), 3)


# --- issue 13: declared kinds, registers, former ids ------------------------------------

#: The declared kinds the issue 13 plants use, appended to qmskit.toml once.
KINDS_TOML = """
[kinds.supplier]
folder = "qms_docs/suppliers"
fields = { category = "text", score = "number", next_evaluation = "date" }
links = { supplies = ["procedure", "process"] }
due = "next_evaluation"

[kinds.product]
folder = "qms_docs/products"
links = { made_by = ["process", "procedure"] }
traced = true
"""


def declare_kinds(repo: QmsRepo) -> None:
    """Declare the plants' kinds in the repository's config (once)."""
    config = repo.root / "qmskit.toml"
    text = config.read_text(encoding="utf-8")
    if "[kinds.supplier]" not in text:
        config.write_text(text + KINDS_TOML, encoding="utf-8")


def supplier(repo: QmsRepo, doc_id: str, **fields: object) -> Path:
    """Write a supplier (a declared kind) into its folder; clean unless `fields` say
    otherwise."""
    declare_kinds(repo)
    base: dict[str, object] = {"owner": "ROLE-QM", "category": "machining", "score": 4,
                               "next_evaluation": "2027-06-30", "supplies": ["PROC-A"],
                               **approved()}
    base.update(fields)
    path = repo.write(doc_id, "supplier", **base)
    target = repo.root / "qms_docs/suppliers" / f"{doc_id}.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    return path.rename(target)


def register(repo: QmsRepo, doc_id: str, records: str, table: str) -> Path:
    """Write a register of `records` with the CSV `table`; returns the table's path."""
    path = repo.write(doc_id, "register", owner="ROLE-QM", records=records,
                      data=f"data/{doc_id}.csv", **approved())
    target = repo.root / "qms_docs/registers" / f"{doc_id}.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    path.rename(target)
    return repo.write_raw(f"qms_docs/registers/data/{doc_id}.csv", table)


def d107_register_data(repo: QmsRepo) -> Expected:
    table = register(repo, "REG-PLANT", "risk",
                     "id,title,affects,likelihood,impact\n"
                     "RISK-ROW-1,Scrap rate,PROC-A,2,2\n"
                     'RISK-ROW-2,"Late delivery,PROC-A,2,2\n')
    return Expected("D107", _rel(repo, table), 3)


def l205_link_to_former_id(repo: QmsRepo) -> Expected:
    repo.write("PROC-RENUMBERED", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
               former_ids=["PROC-OLDNAME"], **approved())
    path = repo.write("PROC-FORMER", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                      inputs=["PROC-OLDNAME"], **approved())
    return Expected("L205", _rel(repo, path), line_of(path, "- PROC-OLDNAME"))


def t310_declared_kind_untraced(repo: QmsRepo) -> Expected:
    declare_kinds(repo)
    path = repo.write("PRD-LOOSE", "product", owner="ROLE-QM", made_by=[], **approved())
    target = repo.root / "qms_docs/products/PRD-LOOSE.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    path = path.rename(target)
    return Expected("T310", _rel(repo, path), line_of(path, "made_by:"))


def c408_declared_due_overdue(repo: QmsRepo) -> Expected:
    path = supplier(repo, "SUP-OVERDUE", next_evaluation="2026-10-31")
    return Expected("C408", _rel(repo, path), line_of(path, "next_evaluation: 2026-10-31"))


def c409_declared_due_soon(repo: QmsRepo) -> Expected:
    path = supplier(repo, "SUP-SOON", next_evaluation="2026-12-10")
    return Expected("C409", _rel(repo, path), line_of(path, "next_evaluation: 2026-12-10"))


#: Rule code -> plant, e.g. "L201" -> l201_dangling_link.
PLANTS: dict[str, Plant] = {
    name.split("_")[0].upper(): fn
    for name, fn in list(globals().items())
    if callable(fn) and name[:1] in "dltc" and name[1:4].isdigit()
}


# --- records (R) ------------------------------------------------------------------------
# Records live in their own folders; every plant's helper records are themselves clean.

_ALL_INPUTS = ["previous-actions", "context-changes", "customer-feedback", "objectives",
               "process-performance", "nonconformities", "monitoring-results",
               "audit-results", "supplier-performance", "resources", "risks", "improvement"]


def _record(repo: QmsRepo, folder: str, doc_id: str, kind: str, **fields: object) -> Path:
    """Write a record into its conventional folder (the factory knows only the old kinds)."""
    written = repo.write(doc_id, kind, **fields)
    target = repo.root / folder / f"{doc_id}.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    return written.rename(target)


def _open_action(repo: QmsRepo, doc_id: str, source: str = "management-review") -> None:
    _record(repo, "qms_docs/actions", doc_id, "action", owner="ROLE-QM", type="improvement",
            source=source, opened="2026-06-01", due="2027-01-31", **approved())


def r501_nonconformity_without_action(repo: QmsRepo) -> Expected:
    path = _record(repo, "qms_docs/nonconformities", "NC-PLANT", "nonconformity",
                   owner="ROLE-QM", date="2026-06-01", source="internal", severity="minor",
                   affects=["PROC-A"], actions=[], **approved())
    return Expected("R501", _rel(repo, path), line_of(path, "actions: []"))


def r502_action_overdue(repo: QmsRepo) -> Expected:
    path = _record(repo, "qms_docs/actions", "ACT-LATE", "action", owner="ROLE-QM",
                   type="corrective", source="kpi-trend", opened="2026-06-01",
                   due="2026-10-31", **approved())
    return Expected("R502", _rel(repo, path), line_of(path, "due: 2026-10-31"))


def r503_closed_without_effectiveness(repo: QmsRepo) -> Expected:
    path = _record(repo, "qms_docs/actions", "ACT-UNCHECKED", "action", owner="ROLE-QM",
                   type="corrective", source="kpi-trend", opened="2026-06-01",
                   due="2026-09-30", closed="2026-09-28", **approved())
    return Expected("R503", _rel(repo, path), line_of(path, "closed: 2026-09-28"))


def r504_high_risk_untreated(repo: QmsRepo) -> Expected:
    path = _record(repo, "qms_docs/risks", "RISK-PLANT", "risk", owner="ROLE-QM",
                   affects=["PROC-A"], likelihood=4, impact=4, treated_by=[], **approved())
    return Expected("R504", _rel(repo, path), line_of(path, "treated_by: []"))


def r505_process_unaudited(repo: QmsRepo) -> Expected:
    # An audit programme exists (one audit of PROC-A); the process approved in 2024 and
    # reviewed since has never been in the scope of an audit.
    _record(repo, "qms_docs/audits", "AUD-PLANT", "audit", owner="ROLE-QM", date="2026-04-01",
            type="internal", scope=["PROC-A"], findings=[], **approved(approved_on="2026-04-02"))
    path = repo.write("PROC-UNAUDITED", "process", owner="ROLE-QM", supports=["OBJ-A"],
                      **approved(approved_on="2024-05-01"))
    return Expected("R505", _rel(repo, path), line_of(path, "id: PROC-UNAUDITED"))


def r506_management_review_overdue(repo: QmsRepo) -> Expected:
    # Dated after the other plants' reviews, so it is the latest one held.
    _open_action(repo, "ACT-MR-OLD")
    path = _record(repo, "qms_docs/reviews", "MR-OLD", "review", owner="ROLE-MD",
                   date="2025-10-01", attendees=["ROLE-MD", "ROLE-QM"], covers=_ALL_INPUTS,
                   inputs=["KPI-A"], decisions=["ACT-MR-OLD"],
                   **approved(approved_on="2025-10-01"))
    return Expected("R506", _rel(repo, path), line_of(path, "date: 2025-10-01"))


def r507_review_missing_inputs(repo: QmsRepo) -> Expected:
    _open_action(repo, "ACT-MR-THIN")
    path = _record(repo, "qms_docs/reviews", "MR-THIN", "review", owner="ROLE-MD",
                   date="2025-08-01", attendees=["ROLE-MD"], covers=["objectives"],
                   inputs=["KPI-A"], decisions=["ACT-MR-THIN"],
                   **approved(approved_on="2025-08-01"))
    return Expected("R507", _rel(repo, path), line_of(path, "covers:"))


def r508_review_without_decision(repo: QmsRepo) -> Expected:
    path = _record(repo, "qms_docs/reviews", "MR-IDLE", "review", owner="ROLE-MD",
                   date="2025-09-01", attendees=["ROLE-MD"], covers=_ALL_INPUTS,
                   inputs=["KPI-A"], decisions=[], **approved(approved_on="2025-09-01"))
    return Expected("R508", _rel(repo, path), line_of(path, "decisions: []"))


PLANTS.update({
    name.split("_")[0].upper(): fn
    for name, fn in list(globals().items())
    if callable(fn) and name[:1] == "r" and name[1:4].isdigit()
})


# --- audit readiness (A) ----------------------------------------------------------------

def a601_clause_not_covered(repo: QmsRepo) -> Expected:
    # Coverage is configured with one exclusion, and one procedure declares every other
    # two-level clause except 7.4 (communication): exactly one clause is uncovered.
    from qmskit.model.clauses import requirement_clauses

    config = repo.root / "qmskit.toml"
    with config.open("a", encoding="utf-8") as handle:
        handle.write('\n[coverage]\nstandard = "ISO 9001:2015"\n'
                     'exclusions = { "8.3" = "we build to customers\' drawings only" }\n')
    declared = [c.number for c in requirement_clauses() if c.number not in ("7.4", "8.3")]
    repo.write("PROC-SYSTEM", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
               clauses=declared, **approved())
    return Expected("A601", "qmskit.toml", line_of(config, "[coverage]"))


def a602_unknown_clause(repo: QmsRepo) -> Expected:
    path = repo.write("PROC-CLAUSE", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                      clauses=["8.4", "8.4.4"], **approved())
    return Expected("A602", _rel(repo, path), line_of(path, "- 8.4.4"))


def a603_acknowledgement_overdue(repo: QmsRepo) -> Expected:
    # Version 2 approved in June applies to ROLE-QM; its holder read version 1 only.
    path = repo.write("PROC-READ", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                      applies_to=["ROLE-MD", "ROLE-QM"], **approved(version=2))
    ledger = repo.root / "qms_docs/acknowledgements.csv"
    text = ledger.read_text(encoding="utf-8") if ledger.exists() else "id,version,handle,date\n"
    ledger.parent.mkdir(parents=True, exist_ok=True)
    ledger.write_text(text + "PROC-READ,1,quality-lead,2026-01-10\n"
                      "PROC-READ,2,managing-director,2026-06-03\n", encoding="utf-8")
    return Expected("A603", _rel(repo, path), line_of(path, "- ROLE-QM"))


def a604_ack_ledger(repo: QmsRepo) -> Expected:
    ledger = repo.root / "qms_docs/acknowledgements.csv"
    text = ledger.read_text(encoding="utf-8") if ledger.exists() else "id,version,handle,date\n"
    ledger.parent.mkdir(parents=True, exist_ok=True)
    ledger.write_text(text + "PROC-A,1,quality-lead,2026-13-01\n", encoding="utf-8")
    return Expected("A604", "qms_docs/acknowledgements.csv",
                    line_of(ledger, "2026-13-01"))


def a605_version_not_approved(repo: QmsRepo) -> Expected:
    # Reviewed into version 2 after a change; the approval on record is version 1's.
    path = repo.write("PROC-PENDING", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                      **approved(version=2, approved_version=1))
    return Expected("A605", _rel(repo, path), line_of(path, "approved_version: 1"))


PLANTS.update({
    name.split("_")[0].upper(): fn
    for name, fn in list(globals().items())
    if callable(fn) and name[:1] == "a" and name[1:4].isdigit()
})


# --- issue 13: one defect per new capability, located to the column ---------------------

@dataclass(frozen=True)
class Located:
    """Where a planted defect must be reported, to the column, and nothing else."""

    code: str
    path: str
    line: int
    col: int


def _col(path: Path, needle: str, within: str = "") -> tuple[int, int]:
    """(line, column) of `within` inside the first line containing `needle`."""
    line = line_of(path, needle)
    text = path.read_text(encoding="utf-8").splitlines()[line - 1]
    return line, text.index(within or needle) + 1


def bad_label(repo: QmsRepo) -> Located:
    path = repo.write_raw("procedures/PROC-LABEL.md",
                          "---\nid: PROC-LABEL\nkind: procedure\ntitle: Labelled\n"
                          "owner: ROLE-QM\nstatus: approved\nversion: Rev C draft\n"
                          "approved_by: ROLE-MD\napproved_on: 2026-06-01\nsupports: [OBJ-A]\n"
                          "---\nBody.\n")
    return Located("D102", _rel(repo, path), *_col(path, "version:", "Rev C draft"))


def unknown_page_key(repo: QmsRepo) -> Located:
    # Material's real keys pass (tags, hide, description, x- fields); `hidden` is a typo.
    path = repo.write("PROC-PAGE", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                      tags=["purchasing"], hide=["toc"], description="How we buy.",
                      **{"x-erp": 17, "hidden": ["navigation"]}, **approved())
    return Located("D102", _rel(repo, path), *_col(path, "hidden:"))


def wrong_type_in_declared_field(repo: QmsRepo) -> Located:
    path = supplier(repo, "SUP-TYPE", score="excellent")
    return Located("D102", _rel(repo, path), *_col(path, "score:", "excellent"))


def dangling_declared_link(repo: QmsRepo) -> Located:
    path = supplier(repo, "SUP-DANGLE", supplies=["PROC-A", "PROC-NOPE"])
    return Located("L201", _rel(repo, path), *_col(path, "PROC-NOPE"))


def bad_register_cell(repo: QmsRepo) -> Located:
    table = register(repo, "REG-CELLS", "risk",
                     "id,title,affects,likelihood,impact\n"
                     "RISK-CELL-1,Scrap rate,PROC-A,2,2\n"
                     "RISK-CELL-2,\"Late delivery, again\",PROC-A,seven,2\n")
    return Located("D102", _rel(repo, table), 3, len('RISK-CELL-2,"Late delivery, again",'
                                                     "PROC-A,") + 1)


def declared_due_passed(repo: QmsRepo) -> Located:
    path = supplier(repo, "SUP-DUE", next_evaluation="2026-09-30")
    return Located("C408", _rel(repo, path), *_col(path, "next_evaluation:", "2026-09-30"))


#: One planted defect per capability of issue 13.
CAPABILITY_PLANTS: dict[str, Callable[[QmsRepo], Located]] = {
    "bad-label": bad_label,
    "unknown-page-key": unknown_page_key,
    "wrong-type-in-declared-field": wrong_type_in_declared_field,
    "dangling-declared-link": dangling_declared_link,
    "bad-register-cell": bad_register_cell,
    "declared-due-passed": declared_due_passed,
}
