"""Record kinds and the R rules: the cases beyond the one planted defect per rule."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from qmskit.cli import main
from qmskit.config import parse_config
from qmskit.domain.records import (
    action_source,
    is_proactive,
    quality_team,
    review_coverage,
    top_management,
)
from qmskit.errors import ConfigError
from qmskit.loader import open_qms

from qmsfactory import TODAY, QmsRepo, approved, line_of

ALL_INPUTS = ["previous-actions", "context-changes", "customer-feedback", "objectives",
              "process-performance", "nonconformities", "monitoring-results", "audit-results",
              "supplier-performance", "resources", "risks", "improvement"]


def record(repo: QmsRepo, folder: str, doc_id: str, kind: str, **values: Any) -> Path:
    path = repo.write(doc_id, kind, **values)
    target = repo.root / folder / f"{doc_id}.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    return path.rename(target)


def action(repo: QmsRepo, doc_id: str, **values: Any) -> Path:
    base: dict[str, Any] = {"owner": "ROLE-QM", "opened": "2026-06-01", "due": "2027-01-31",
                            **approved()}
    return record(repo, "qms_docs/actions", doc_id, "action", **{**base, **values})


def findings(root: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> list[dict[str, Any]]:
    main(["check", str(root), "--format", "json", "--today", TODAY, "--select", "R", *extra])
    report = json.loads(capsys.readouterr().out)
    result: list[dict[str, Any]] = report["findings"]
    return result


def codes(root: Path, capsys: pytest.CaptureFixture[str]) -> list[tuple[str, str, int]]:
    return [(f["code"], f["path"], f["line"]) for f in findings(root, capsys)]


# ------------------------------------------------------------------- R501 to R504


def test_nonconformity_with_a_reason_or_in_triage_needs_no_action(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    record(clean, "qms_docs/nonconformities", "NC-REASON", "nonconformity", owner="ROLE-QM",
           date="2026-06-01", actions=[], **approved(),
           no_action_reason="one-off handling damage; no systemic cause (MRB 2026-06-02)")
    record(clean, "qms_docs/nonconformities", "NC-TRIAGE", "nonconformity", owner="ROLE-QM",
           date="2026-11-20", **approved(status="draft"))
    assert codes(clean.root, capsys) == []


def test_audit_finding_without_action_names_the_audit(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    path = record(clean, "qms_docs/nonconformities", "NC-AUDIT", "nonconformity",
                  owner="ROLE-QM", date="2026-04-01", source="audit", **approved())
    record(clean, "qms_docs/audits", "AUD-1", "audit", owner="ROLE-QM", date="2026-04-01",
           scope=["PROC-A"], findings=["NC-AUDIT"], **approved())
    [finding] = findings(clean.root, capsys)
    assert finding["code"] == "R501"
    assert finding["line"] == line_of(path, "id: NC-AUDIT")  # no 'actions:' key: the id
    assert finding["message"] == "nonconformity NC-AUDIT (a finding of AUD-1) has no " \
                                 "corrective action"


def test_closed_but_not_effective_points_at_the_result(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    path = action(clean, "ACT-FAILED", closed="2026-10-01",
                  effectiveness={"due": "2026-09-30", "checked": "2026-09-30",
                                 "result": "not-effective", "evidence": "scrap back at 2.9 %"})
    action(clean, "ACT-NOTDONE", closed="2026-10-01", effectiveness={"due": "2026-12-01"})
    action(clean, "ACT-GOOD", closed="2026-10-01",
           effectiveness={"checked": "2026-09-30", "result": "effective"})
    result = findings(clean.root, capsys)
    assert [(f["code"], f["line"]) for f in result if f["path"] == "qms_docs/actions/ACT-FAILED.md"
            ] == [("R503", line_of(path, "result: not-effective"))]
    messages = {f["message"] for f in result}
    assert "action ACT-FAILED is closed but was found not effective on 2026-09-30" in messages
    assert ("action ACT-NOTDONE is closed but has an effectiveness check that was never done "
            "(it was planned for 2026-12-01)") in messages
    assert not any("ACT-GOOD" in m for m in messages)


def test_drafts_and_closed_actions_are_not_overdue(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    action(clean, "ACT-PROPOSED", due="2026-01-31", **approved(status="draft"))
    action(clean, "ACT-DONE", due="2026-01-31", closed="2026-01-30",
           effectiveness={"checked": "2026-01-30", "result": "effective"})
    assert codes(clean.root, capsys) == []


def test_risk_threshold_and_opportunities(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    record(clean, "qms_docs/risks", "OPP-BIG", "risk", owner="ROLE-QM", type="opportunity",
           likelihood=5, impact=5, **approved())
    record(clean, "qms_docs/risks", "RISK-MID", "risk", owner="ROLE-QM", likelihood=3,
           impact=4, **approved())
    assert [c for c, _, _ in codes(clean.root, capsys)] == ["R504"]  # 12 >= 12
    (clean.root / "qmskit.toml").write_text(f"today = {TODAY}\nhigh_risk_score = 15\n",
                                            encoding="utf-8")
    assert codes(clean.root, capsys) == []


# ------------------------------------------------------------------------- R505


def audit(repo: QmsRepo, doc_id: str, day: str, scope: list[str], **values: Any) -> Path:
    return record(repo, "qms_docs/audits", doc_id, "audit", owner="ROLE-QM", date=day,
                  scope=scope, **{**approved(approved_on="2026-01-05"), **values})


def test_process_audited_too_long_ago(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    path = clean.write("PROC-P", "process", owner="ROLE-QM", supports=["OBJ-A"],
                       **approved(approved_on="2024-01-10"))
    audit(clean, "AUD-OLD", "2025-10-01", ["PROC-P"])
    audit(clean, "AUD-NEXT", "2027-02-01", ["PROC-P"], status="draft")
    [finding] = findings(clean.root, capsys)
    assert (finding["code"], finding["line"]) == ("R505", line_of(path, "id: PROC-P"))
    assert finding["message"] == "process PROC-P was last audited on 2025-10-01 (AUD-OLD), " \
                                 "more than 12 months ago"
    assert finding["hint"].startswith("the next planned audit is AUD-NEXT on 2027-02-01")
    # A longer programme interval makes it current again.
    (clean.root / "qmskit.toml").write_text(f'today = {TODAY}\naudit_interval = "18 months"\n',
                                            encoding="utf-8")
    assert codes(clean.root, capsys) == []


def test_external_and_draft_audits_do_not_count(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    clean.write("PROC-P", "process", owner="ROLE-QM", supports=["OBJ-A"],
                **approved(approved_on="2024-01-10"))
    audit(clean, "AUD-CB", "2026-05-01", ["PROC-P"], type="external")
    audit(clean, "AUD-DRAFT", "2026-06-01", ["PROC-P"], status="draft")
    [finding] = findings(clean.root, capsys)
    assert finding["message"] == ("process PROC-P has not been audited since its approval "
                                  "on 2024-01-10 (12 months allowed)")


def test_without_audit_records_the_programme_is_not_checked(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    clean.write("PROC-P", "process", owner="ROLE-QM", supports=["OBJ-A"],
                **approved(approved_on="2024-01-10"))
    assert codes(clean.root, capsys) == []


def test_without_processes_top_level_procedures_are_the_programme(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    clean.write("PROC-A", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                **approved(approved_on="2024-01-10"))
    clean.write("PROC-SUB", "procedure", owner="ROLE-QM", supports=["PROC-A"],
                **approved(approved_on="2024-01-10"))
    audit(clean, "AUD-1", "2026-04-01", ["PROC-OTHER"])
    clean.write("PROC-OTHER", "procedure", owner="ROLE-QM", supports=["OBJ-A"], **approved())
    assert [(c, p) for c, p, _ in codes(clean.root, capsys)] == [
        ("R505", "procedures/PROC-A.md")]


# -------------------------------------------------------------------- R506 to R508


def review(repo: QmsRepo, doc_id: str, day: str, **values: Any) -> Path:
    base: dict[str, Any] = {"owner": "ROLE-MD", "date": day, "attendees": ["ROLE-MD"],
                            "covers": ALL_INPUTS, "inputs": ["KPI-A"],
                            "decisions": ["ACT-D"], **approved(approved_on=day)}
    return record(repo, "qms_docs/reviews", doc_id, "review", **{**base, **values})


def test_a_draft_review_does_not_reset_the_clock(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    action(clean, "ACT-D", source="management-review")
    old = review(clean, "MR-OLD", "2025-09-15", **approved(approved_on="2025-09-20",
                                                          review={"last": "2026-06-01"}))
    review(clean, "MR-PACK", "2026-11-20", status="draft", decisions=[], covers=[])
    review(clean, "MR-PLANNED", "2027-01-20", status="draft", decisions=[], covers=[])
    [finding] = findings(clean.root, capsys)
    assert (finding["code"], finding["line"]) == ("R506", line_of(old, "date: 2025-09-15"))
    assert "next was due by 2026-09-15" in finding["message"]
    assert finding["hint"].startswith("hold MR-PLANNED (planned for 2027-01-20)")


def test_review_coverage_from_links(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    """Linked records evidence inputs by kind and by ISO clause; `covers` adds the rest."""
    clean.write("KPI-CUST", "kpi", owner="ROLE-QM", measures=["OBJ-A"], target=1.0,
                clauses=["9.1.2"], data="data/KPI-A.csv", **approved())
    action(clean, "ACT-D", source="management-review")
    action(clean, "ACT-IDEA", source="proactive-idea", type="improvement")
    review(clean, "MR-1", "2026-01-20")
    path = review(clean, "MR-2", "2026-07-20", covers=["resources"],
                  inputs=["ACT-D", "KPI-CUST", "OBJ-A", "STRAT-A", "ACT-IDEA"])
    qms = open_qms(clean.root, with_git=False)
    coverage = review_coverage(qms, qms.documents["MR-2"])
    assert coverage.linked == {
        "previous-actions": ("ACT-D",), "context-changes": ("STRAT-A",),
        "customer-feedback": ("KPI-CUST",), "objectives": ("OBJ-A",),
        "monitoring-results": ("KPI-CUST",), "improvement": ("ACT-IDEA",)}
    assert coverage.missing == ["process-performance", "nonconformities", "audit-results",
                                "supplier-performance", "risks"]
    [finding] = findings(clean.root, capsys)
    assert (finding["code"], finding["line"]) == ("R507", line_of(path, "covers:"))
    assert finding["message"] == (
        "management review MR-2 does not cover ISO 9.3.2 inputs: c) 3 process-performance, "
        "c) 4 nonconformities, c) 6 audit-results, c) 7 supplier-performance, e) risks")


def test_review_without_decision_is_reported_where_decisions_would_be(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    path = review(clean, "MR-1", "2026-07-20", decisions=None)
    text = path.read_text(encoding="utf-8").replace("decisions: null\n", "")
    path.write_text(text, encoding="utf-8")
    [finding] = findings(clean.root, capsys)
    assert (finding["code"], finding["line"]) == ("R508", line_of(path, "date: 2026-07-20"))


# ---------------------------------------------------------------- interpretation


def test_action_source_from_links_when_not_written(clean: QmsRepo) -> None:
    for doc_id in ("ACT-NC", "ACT-AUD", "ACT-MR", "ACT-RISK", "ACT-KPI", "ACT-NONE"):
        action(clean, doc_id)
    action(clean, "ACT-KPI", origin="KPI-A")
    record(clean, "qms_docs/nonconformities", "NC-1", "nonconformity", owner="ROLE-QM",
           actions=["ACT-NC"], **approved())
    audit(clean, "AUD-1", "2026-04-01", ["PROC-A"], findings=["ACT-AUD"])
    review(clean, "MR-1", "2026-07-20", decisions=["ACT-MR"])
    record(clean, "qms_docs/risks", "RISK-1", "risk", owner="ROLE-QM", treated_by=["ACT-RISK"],
           **approved())
    qms = open_qms(clean.root, with_git=False)
    sources = {d: action_source(qms, qms.documents[d]) for d in
               ("ACT-NC", "ACT-AUD", "ACT-MR", "ACT-RISK", "ACT-KPI", "ACT-NONE")}
    assert sources == {"ACT-NC": "nonconformity", "ACT-AUD": "audit-finding",
                       "ACT-MR": "management-review", "ACT-RISK": "risk",
                       "ACT-KPI": "kpi-trend", "ACT-NONE": None}
    assert [is_proactive(s) for s in sources.values()] == [False, False, True, True, True,
                                                           None]


def test_top_management_and_quality_team(example_root: Path, clean: QmsRepo) -> None:
    qms = open_qms(example_root, with_git=False)
    assert top_management(qms) == {"ROLE-MD"}
    assert quality_team(qms) == {"ROLE-QM", "ROLE-AUDITOR"}  # owns the audits, + reports
    (clean.root / "qmskit.toml").write_text(f'today = {TODAY}\nquality_roles = ["ROLE-MD"]\n',
                                            encoding="utf-8")
    assert quality_team(open_qms(clean.root, with_git=False)) == {"ROLE-MD", "ROLE-QM"}


def test_example_records(example_root: Path) -> None:
    """A year of records: mixed sources, every closed action checked, every NC acted on."""
    qms = open_qms(example_root, with_git=False)
    counts = {k: len(qms.of_kind(k)) for k in ("risk", "action", "nonconformity", "audit",
                                               "review")}
    assert counts == {"risk": 9, "action": 13, "nonconformity": 4, "audit": 2, "review": 2}
    sources = [action_source(qms, d) for d in qms.of_kind("action")]
    assert None not in sources
    assert 0.4 <= sum(1 for s in sources if is_proactive(s)) / len(sources) <= 0.7
    owners = {d.model.owner for d in qms.of_kind("risk", "action", "nonconformity", "audit",
                                                 "review")}
    assert owners <= {d.id for d in qms.of_kind("role")} and "ROLE-AUDITOR" not in owners
    assert all(d.status == "approved" for d in qms.of_kind("audit", "review"))
    assert min(d.model.approved_on or date.max for d in qms.of_kind("audit", "review", "action",
                                                                    "nonconformity")) \
        >= date(2026, 1, 1)


@pytest.mark.parametrize("setting", ['high_risk_score = 30', 'audit_interval = "soon"',
                                     'quality_roles = ["qm"]'])
def test_record_config_is_validated(setting: str) -> None:
    import tomllib

    with pytest.raises(ConfigError):
        parse_config(tomllib.loads(setting), "qmskit.toml")


def test_unknown_action_source_is_a_schema_finding(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    path = action(clean, "ACT-ODD", source="gut-feeling")
    main(["check", str(clean.root), "--format", "json", "--today", TODAY, "--select", "D"])
    report = json.loads(capsys.readouterr().out)
    assert [(f["code"], f["line"]) for f in report["findings"]] == [
        ("D102", line_of(path, "source: gut-feeling"))]
