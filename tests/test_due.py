"""`qmskit due`: what each person owes the QMS, on the example and on small built QMSs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qmskit.cli import main
from qmskit.commands.init import due_workflow
from qmskit.loader import open_qms

from qmsfactory import QmsRepo, approved

REPO_ROOT = Path(__file__).resolve().parent.parent


def due_json(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    code = main(["due", "--root", str(root), "--format", "json", *args])
    out = capsys.readouterr().out
    assert code == 0, out
    data: dict[str, Any] = json.loads(out)
    return data


def items_of(data: dict[str, Any], handle: str) -> list[dict[str, Any]]:
    for person in data["people"]:
        if person["handle"] == handle:
            return list(person["items"])
    return []


def refs(items: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(item["kind"], item["id"]) for item in items]


def record(repo: QmsRepo, folder: str, doc_id: str, kind: str, **values: Any) -> Path:
    """Write a record into its conventional folder."""
    path = repo.write(doc_id, kind, **values)
    target = repo.root / folder / f"{doc_id}.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    return path.rename(target)


# ---------------------------------------------------------------------- the example


def test_quality_lead_gets_the_calibration_review_and_nothing_owned_by_others(
    example_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's done-when: PROC-CAL's review (due 2026-12-11), no other role's document."""
    data = due_json(example_root, capsys, "--as", "quality-lead")
    items = items_of(data, "quality-lead")
    reviews = [item for item in items if item["kind"] == "review"]
    assert [(r["id"], r["due"]) for r in reviews] == [("PROC-CAL", "2026-12-11")]
    assert reviews[0]["command"] == "qmskit review PROC-CAL --by ROLE-QM"
    qms = open_qms(example_root, with_git=False)
    for item in items:
        doc = qms.documents[item["id"]]
        if item["kind"] == "ack":
            applies = getattr(doc.model, "applies_to", [])
            assert "ROLE-QM" in applies, item
        else:
            by = doc.model.review.by if doc.model.review else None
            assert "ROLE-QM" in (doc.model.owner, by), item
    assert [p["handle"] for p in data["people"]] == ["quality-lead"]
    assert data["people"][0]["roles"] == ["ROLE-QM"]

    main(["due", "--root", str(example_root), "--as", "quality-lead"])
    text = capsys.readouterr().out
    assert "2026-12-11" in text and "qmskit review PROC-CAL --by ROLE-QM" in text
    assert "PROC-CONTRACT" not in text


def test_sales_lead_gets_the_contract_review_and_its_reviewer_too(
    example_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sales = items_of(due_json(example_root, capsys, "--as", "sales-lead"), "sales-lead")
    assert ("review", "PROC-CONTRACT") in refs(sales)
    review = next(i for i in sales if i["id"] == "PROC-CONTRACT")
    assert review["due"] == "2026-12-04" and review["roles"] == ["ROLE-SALES"]
    # review.by is ROLE-OPS: its holder reviews, and the command names that role.
    assert review["command"] == "qmskit review PROC-CONTRACT --by ROLE-OPS"
    ops = items_of(due_json(example_root, capsys, "--as", "ops-manager"), "ops-manager")
    assert ("review", "PROC-CONTRACT") in refs(ops)
    assert "PROC-CAL" not in {item["id"] for item in sales + ops}


def test_everyone_grouped_by_person_most_urgent_first(
    example_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = due_json(example_root, capsys)
    handles = [p["handle"] for p in data["people"]]
    assert handles == sorted(handles) and "quality-lead" in handles
    assert data["total"] == sum(len(p["items"]) for p in data["people"]) > 10
    assert data["within"] == "30 days" and data["today"] == "2026-11-24"
    for person in data["people"]:
        keys = [(not i["overdue"], i["due"] or "") for i in person["items"]]
        assert keys == sorted(keys), person["handle"]
        for item in person["items"]:
            assert item["discharge"].startswith(("qmskit ", "edit ")), item
    # Every kind the example has something of is there: reviews, KPIs, actions,
    # effectiveness checks, acknowledgements.
    kinds = {i["kind"] for p in data["people"] for i in p["items"]}
    assert {"review", "kpi", "action", "effectiveness", "ack"} <= kinds
    # A deputy (quality-engineer-1 for ROLE-QM) carries nothing while the role has a holder.
    assert "quality-engineer-1" not in handles


def test_markdown_of_everyone(example_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["due", "--root", str(example_root), "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Quality duties\n")
    assert "## `quality-lead`" in out and "## `sales-lead`" in out
    assert "| 2026-12-11 | Review PROC-CAL" in out
    assert "`qmskit review PROC-CAL --by ROLE-QM`" in out


# ------------------------------------------------------------- each kind of item


@pytest.fixture
def team(clean: QmsRepo) -> QmsRepo:
    """The baseline plus a production role with two holders and one without holders."""
    clean.write("ROLE-PROD", "role", owner="ROLE-MD", holders=["setter-1", "setter-2"],
                deputy="setter-3", reports_to="ROLE-MD", **approved())
    clean.write("ROLE-VACANT", "role", owner="ROLE-MD", holders=[], deputy="stand-in",
                reports_to="ROLE-MD", **approved())
    return clean


def test_review_overdue_first_and_due_soon_for_owner_and_reviewer(
    team: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    team.write("PROC-LATE", "procedure", owner="ROLE-PROD", supports=["OBJ-A"],
               **approved(review={"last": "2025-10-01", "interval": "12 months",
                                  "by": "ROLE-QM"}))
    team.write("PROC-SOON", "procedure", owner="ROLE-PROD", supports=["OBJ-A"],
               **approved(review={"last": "2025-12-10", "interval": "12 months"}))
    team.write("PROC-LATER", "procedure", owner="ROLE-PROD", supports=["OBJ-A"],
               **approved(review={"last": "2026-02-10", "interval": "12 months"}))
    data = due_json(team.root, capsys)
    setter = items_of(data, "setter-1")
    assert refs(setter)[:2] == [("review", "PROC-LATE"), ("review", "PROC-SOON")]
    assert setter[0]["overdue"] and setter[0]["due"] == "2026-10-01"
    assert not setter[1]["overdue"] and setter[1]["due"] == "2026-12-10"
    assert ("review", "PROC-LATER") not in refs(setter)  # due 2027-02-10: beyond 30 days
    assert refs(items_of(data, "setter-2")) == refs(setter)
    # The reviewing role's holder gets the review it performs, with its role as --by.
    quality = items_of(data, "quality-lead")
    late = next(i for i in quality if i["id"] == "PROC-LATE")
    assert late["roles"] == ["ROLE-QM"] and late["command"].endswith("--by ROLE-QM")
    assert "PROC-SOON" not in {i["id"] for i in quality}
    # A wider window reaches the later review.
    wide = due_json(team.root, capsys, "--within", "90 days", "--as", "setter-1")
    assert ("review", "PROC-LATER") in refs(items_of(wide, "setter-1"))


def test_deputy_carries_a_vacant_roles_items(team: QmsRepo,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    team.write("PROC-V", "procedure", owner="ROLE-VACANT", supports=["OBJ-A"],
               **approved(review={"last": "2025-12-01", "interval": "12 months"}))
    data = due_json(team.root, capsys)
    assert refs(items_of(data, "stand-in")) == [("review", "PROC-V")]
    assert items_of(data, "stand-in")[0]["roles"] == ["ROLE-VACANT"]
    assert items_of(data, "setter-3") == []  # deputy of a role that has holders


def test_kpi_values_to_enter_next_period_or_overdue(clean: QmsRepo,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    clean.write("KPI-B", "kpi", owner="ROLE-QM", measures=["OBJ-A"], unit="%", target=95.0,
                frequency="monthly", data="data/KPI-B.csv", **approved())
    clean.data("KPI-B", "period,value\n2026-08,96\n")
    clean.write("KPI-C", "kpi", owner="ROLE-QM", measures=["OBJ-A"], unit="%", target=95.0,
                frequency="quarterly", data="data/KPI-C.csv", **approved())
    clean.data("KPI-C", "period,value\n2026-Q3,96\n")
    clean.write("KPI-D", "kpi", owner="ROLE-QM", measures=["OBJ-A"], unit="%", target=95.0,
                frequency="monthly", **approved())
    items = items_of(due_json(clean.root, capsys, "--as", "quality-lead"), "quality-lead")
    kpis = {i["id"]: i for i in items if i["kind"] == "kpi"}
    assert kpis["KPI-D"]["overdue"] and kpis["KPI-D"]["due"] is None  # no data at all
    assert kpis["KPI-B"]["overdue"] and kpis["KPI-B"]["key"] == "2026-09"
    assert kpis["KPI-B"]["due"] == "2026-10-15"
    assert kpis["KPI-B"]["command"] == "qmskit kpi record KPI-B VALUE --period 2026-09"
    assert not kpis["KPI-A"]["overdue"] and kpis["KPI-A"]["key"] == "2026-11"
    assert "KPI-C" not in kpis  # 2026-Q4 is due 2027-01-30, beyond the window
    assert [i["id"] for i in items][:2] == ["KPI-D", "KPI-B"]  # undated overdue leads


def test_declared_due_dates_fall_due_like_reviews(clean: QmsRepo,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """A declared kind's `due` field (rules C408, C409) is an item for the owner's role:
    overdue, or within the window; not beyond it, and never for a draft."""
    with (clean.root / "qmskit.toml").open("a", encoding="utf-8") as config:
        config.write('[kinds.equipment]\nfolder = "qms_docs/equipment"\n'
                     'fields = { calibration_due = "date" }\ndue = "calibration_due"\n')
    (clean.root / "qms_docs" / "equipment").mkdir(parents=True)
    for doc_id, day, status in (("GAUGE-LATE", "2026-11-01", "approved"),
                                ("GAUGE-SOON", "2026-12-10", "approved"),
                                ("GAUGE-FAR", "2027-06-30", "approved"),
                                ("GAUGE-DRAFT", "2026-11-01", "draft")):
        record(clean, "qms_docs/equipment", doc_id, "equipment", owner="ROLE-QM",
               calibration_due=day, **{**approved(), "status": status})
    items = items_of(due_json(clean.root, capsys, "--as", "quality-lead"), "quality-lead")
    dues = {i["id"]: i for i in items if i["kind"] == "due"}
    assert set(dues) == {"GAUGE-LATE", "GAUGE-SOON"}
    assert dues["GAUGE-LATE"]["overdue"] and dues["GAUGE-LATE"]["due"] == "2026-11-01"
    assert not dues["GAUGE-SOON"]["overdue"] and dues["GAUGE-SOON"]["roles"] == ["ROLE-QM"]
    assert dues["GAUGE-SOON"]["what"] == "Calibration due 2026-12-10 for GAUGE-SOON"
    assert dues["GAUGE-SOON"]["discharge"].startswith("edit qms_docs/equipment/GAUGE-SOON.md")
    assert main(["due", "--root", str(clean.root), "--fail-on", "overdue"]) == 1


def test_actions_effectiveness_checks_and_audits(team: QmsRepo,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    base = {"owner": "ROLE-PROD", "opened": "2026-06-01", **approved()}
    record(team, "qms_docs/actions", "ACT-LATE", "action", due="2026-11-01", **base)
    record(team, "qms_docs/actions", "ACT-FAR", "action", due="2027-06-30", **base)
    record(team, "qms_docs/actions", "ACT-DONE", "action", due="2026-10-01",
           closed="2026-09-20", effectiveness={"due": "2026-12-01"}, **base)
    record(team, "qms_docs/actions", "ACT-CHECKED", "action", due="2026-10-01",
           closed="2026-09-20", effectiveness={"due": "2026-12-01", "checked": "2026-11-20",
                                               "result": "effective"}, **base)
    record(team, "qms_docs/actions", "ACT-IDEA", "action", due="2026-10-01",
           **{**base, "status": "draft"})
    audit = {"owner": "ROLE-QM", "type": "internal", "scope": ["PROC-A"], **approved()}
    record(team, "qms_docs/audits", "AUD-SOON", "audit", date="2026-12-08",
           auditors=["setter-1", "@auditor-x"], **{**audit, "status": "draft"})
    record(team, "qms_docs/audits", "AUD-FAR", "audit", date="2027-05-01",
           auditors=["setter-1"], **{**audit, "status": "draft"})
    record(team, "qms_docs/audits", "AUD-UNREPORTED", "audit", date="2026-11-02",
           auditors=["auditor-x"], **{**audit, "status": "draft"})
    data = due_json(team.root, capsys)
    setter = items_of(data, "setter-1")
    assert refs(setter) == [("action", "ACT-LATE"), ("effectiveness", "ACT-DONE"),
                            ("audit", "AUD-SOON"), ("action", "ACT-FAR")]
    assert [i["overdue"] for i in setter] == [True, False, False, False]
    assert setter[0]["discharge"] == ("edit qms_docs/actions/ACT-LATE.md: set closed to the "
                                      "day it was completed")
    assert setter[2]["roles"] == []  # named as auditor, not through a role
    auditor = items_of(data, "auditor-x")
    assert refs(auditor) == [("audit", "AUD-UNREPORTED"), ("audit", "AUD-SOON")]
    assert auditor[0]["overdue"] and auditor[0]["key"] == "report"
    owner = items_of(data, "quality-lead")
    assert ("audit", "AUD-SOON") in refs(owner) and ("audit", "AUD-FAR") not in refs(owner)
    # --role narrows to what is owed through the role: not the auditor's own audit.
    role = due_json(team.root, capsys, "--role", "ROLE-PROD")
    assert [p["handle"] for p in role["people"]] == ["setter-1", "setter-2"]
    assert ("audit", "AUD-SOON") not in refs(items_of(role, "setter-1"))


def test_acknowledgements_owed(team: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    team.write("PROC-WELD", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
               applies_to=["ROLE-PROD"], **approved(version=2, approved_on="2026-11-10"))
    team.write_raw("qms_docs/acknowledgements.csv",
                   "id,version,handle,date\nPROC-WELD,2,setter-2,2026-11-12\n"
                   "PROC-WELD,1,setter-1,2026-01-12\n")
    data = due_json(team.root, capsys)
    owed = items_of(data, "setter-1")
    assert refs(owed) == [("ack", "PROC-WELD")]
    assert owed[0]["due"] == "2026-12-10" and owed[0]["key"] == "v2"
    assert owed[0]["command"] == "qmskit ack PROC-WELD --as setter-1"
    assert "earlier" in owed[0]["what"]
    assert items_of(data, "setter-2") == []
    late = due_json(team.root, capsys, "--today", "2026-12-20")
    assert items_of(late, "setter-1")[0]["overdue"]


# ------------------------------------------------------------------- exit codes


def test_fail_on_overdue(team: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(team.root)
    assert main(["due", "--root", root, "--fail-on", "overdue"]) == 0
    record(team, "qms_docs/actions", "ACT-LATE", "action", owner="ROLE-PROD",
           opened="2026-06-01", due="2026-11-01", **approved())
    assert main(["due", "--root", root]) == 0
    assert main(["due", "--root", root, "--fail-on", "overdue"]) == 1
    # Only what is listed counts: another person's overdue action does not fail mine.
    assert main(["due", "--root", root, "--as", "quality-lead", "--fail-on", "overdue"]) == 0
    capsys.readouterr()


def test_unknown_handle_or_role_names_the_closest(
    example_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["due", "--root", str(example_root), "--as", "quality-leed"]) == 2
    err = capsys.readouterr().err
    assert "'quality-leed'" in err and "did you mean quality-lead" in err
    assert main(["due", "--root", str(example_root), "--role", "ROLE-QA"]) == 2
    assert "did you mean ROLE-QM" in capsys.readouterr().err
    # Handles are compared as everywhere: without @, in lower case.
    data = due_json(example_root, capsys, "--as", "@Quality-Lead")
    assert data["scope"] == "quality-lead" and data["people"][0]["handle"] == "quality-lead"


@pytest.mark.parametrize("args", [
    ["--as", "quality-lead", "--role", "ROLE-QM"],
    ["--sync", "github", "--as", "quality-lead"],
    ["--sync", "github", "--format", "json"],
    ["--dry-run"],
    ["--within", "soon"],
])
def test_usage_errors(example_root: Path, capsys: pytest.CaptureFixture[str],
                      args: list[str]) -> None:
    assert main(["due", "--root", str(example_root), *args]) == 2
    assert "qmskit: error:" in capsys.readouterr().err


def test_known_person_with_nothing_due(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["due", "--root", str(clean.root), "--as", "managing-director"]) == 0
    assert capsys.readouterr().out == ("Nothing is due for managing-director as of 2026-11-24 "
                                       "(overdue, open or due within 30 days).\n")


def test_titles_are_escaped_in_markdown(clean: QmsRepo,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    clean.write("PROC-X", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                title="Pipes | <script>alert(1)</script> *now*",
                **approved(review={"last": "2025-12-01", "interval": "12 months"}))
    assert main(["due", "--root", str(clean.root), "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if "PROC-X:" in line)
    assert "<script>" not in row and "&lt;script&gt;" in row
    assert "Pipes \\| " in row and "\\*now\\*" in row
    assert row.count(" | ") == 3  # the title's pipe did not split the row


# ------------------------------------------------------------------- the workflow


def test_this_repository_runs_the_weekly_reminder_workflow() -> None:
    """The workflow text lives in one template, shared with `qmskit init`."""
    import yaml

    own = (REPO_ROOT / ".github/workflows/qms-due.yml").read_text(encoding="utf-8")
    # qmskit's own repository is a fictional company: its copy only shows the decisions.
    assert own == due_workflow(".", dry_run=True)
    assert "run: qmskit due --sync github\n" in due_workflow("x")  # init's: for real
    parsed = yaml.safe_load(own)
    job = parsed["jobs"]["due"]
    assert job["permissions"]["issues"] == "write"
    sync = next(step for step in job["steps"] if "--sync" in step.get("run", ""))
    assert sync["run"] == "qmskit due --sync github --dry-run"
    assert sync["env"]["GH_TOKEN"] == "${{ github.token }}"
    assert parsed[True]["schedule"]  # YAML 1.1 reads the `on` key as True


def test_readme_shows_the_real_output(example_root: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("$ .venv/bin/qmskit due --as quality-lead\n", 1)[1].split("...\n")[0]
    assert main(["due", "--root", str(example_root), "--as", "quality-lead"]) == 0
    assert capsys.readouterr().out.startswith(block)


def test_a_file_that_cannot_be_read_is_named_not_hidden(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    clean.write_raw("procedures/PROC-BROKEN.md", "---\nid: PROC-BROKEN\nkind: [\n---\n")
    clean.write("PROC-TYPO", "procedure", owner="ROLE-QM", supports=["OBJ-A"], colour="red",
                **approved())
    assert main(["due", "--root", str(clean.root), "--format", "json"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["people"]  # the output itself stays clean JSON
    assert "1 file could not be read (procedures/PROC-BROKEN.md)" in out.err
    assert "PROC-TYPO" not in out.err  # loaded without its unknown field


def test_a_version_pending_approval_is_owed_by_the_approver(
    team: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rule A605's pending version is an item for the approving role's holders."""
    team.write("PROC-REV", "procedure", owner="ROLE-PROD", supports=["OBJ-A"],
               **approved(version=3, approved_version=2, approved_by="ROLE-MD",
                          approved_on="2026-03-01",
                          review={"last": "2026-11-10", "interval": "12 months",
                                  "by": "ROLE-QM"}))
    team.write("PROC-STALE", "procedure", owner="ROLE-PROD", supports=["OBJ-A"],
               **approved(version=2, approved_version=1, approved_by="ROLE-MD",
                          approved_on="2026-03-01",
                          review={"last": "2026-09-01", "interval": "12 months"}))
    data = due_json(team.root, capsys)
    director = items_of(data, "managing-director")
    assert refs(director) == [("approve", "PROC-STALE"), ("approve", "PROC-REV")]
    stale, fresh = director
    # Due review_window (30 days) after the version became pending.
    assert stale["overdue"] and stale["due"] == "2026-10-01" and stale["key"] == "v2"
    assert not fresh["overdue"] and fresh["due"] == "2026-12-10" and fresh["key"] == "v3"
    assert fresh["command"] == "qmskit review PROC-REV --by ROLE-MD --approve"
    assert fresh["roles"] == ["ROLE-MD"]
    assert fresh["what"] == ("Approve version 3 of PROC-REV (pending since 2026-11-10; the "
                             "approval on record is for version 2)")
    # Nobody else owes the approval (the reviewer and the owner have their own items).
    for person in data["people"]:
        if person["handle"] != "managing-director":
            assert "approve" not in {i["kind"] for i in person["items"]}, person
    # Approved at the current version: nothing owed.
    team.write("PROC-REV", "procedure", owner="ROLE-PROD", supports=["OBJ-A"],
               **approved(version=3, approved_version=3, approved_on="2026-11-20"))
    data = due_json(team.root, capsys, "--as", "managing-director")
    assert ("approve", "PROC-REV") not in refs(items_of(data, "managing-director"))
