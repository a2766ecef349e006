"""`qmskit health` tells a QMS run for the auditor from one run as the way of working.

Two synthetic repositories with real, dated git histories: in one, every review and edit
happens in the weeks before an audit, one person does it all, and every action comes from
an audit; in the other, activity is spread over the year across several people, reviews
decide things, and most actions are raised proactively. The diagnostic must tell them
apart on every sign.
"""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from qmskit.cli import main
from qmskit.config import HealthConfig
from qmskit.domain.health import GitActivity, activity, assess, participation
from qmskit.git.history import Commit, History
from qmskit.loader import open_qms

from qmsfactory import QmsRepo, monthly

AUDITS = (date(2026, 3, 16), date(2026, 9, 14))
ALL_INPUTS = ["previous-actions", "context-changes", "customer-feedback", "objectives",
              "process-performance", "nonconformities", "monitoring-results", "audit-results",
              "supplier-performance", "resources", "risks", "improvement"]


def commit_as(root: Path, author: str, day: date, message: str) -> None:
    """Commit everything as `author` (a handle) on `day`."""
    env = {**os.environ, "GIT_AUTHOR_NAME": author,
           "GIT_AUTHOR_EMAIL": f"{author}@example.invalid",
           "GIT_COMMITTER_NAME": author, "GIT_COMMITTER_EMAIL": f"{author}@example.invalid",
           "GIT_AUTHOR_DATE": f"{day.isoformat()}T10:00:00+00:00",
           "GIT_COMMITTER_DATE": f"{day.isoformat()}T10:00:00+00:00"}
    for args in (["add", "-A"], ["commit", "-q", "--allow-empty", "-m", message]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def fields(status: str = "approved", approved_on: str = "2026-01-10", by: str = "ROLE-MD",
           reviewed: str | None = None, reviewer: str | None = None) -> dict[str, Any]:
    """Approval and review fields."""
    return {"status": status, "approved_by": by, "approved_on": approved_on,
            "review": {"last": reviewed or approved_on, "interval": "12 months",
                       "by": reviewer or by}}


def record(repo: QmsRepo, folder: str, doc_id: str, kind: str, **values: Any) -> Path:
    """Write a record into its folder (the factory only knows the older kinds' folders)."""
    path = repo.write(doc_id, kind, **values)
    target = repo.root / folder / f"{doc_id}.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    return path.rename(target)


def skeleton(repo: QmsRepo, reviewer: str, review_days: list[str], approver: str) -> None:
    """Roles, strategy, objectives, processes, two audits: the parts both repos share."""
    days = iter(review_days * 10)
    roles = [("ROLE-MD", "managing-director", None), ("ROLE-QM", "quality-lead", "ROLE-MD"),
             ("ROLE-OPS", "ops-manager", "ROLE-MD"), ("ROLE-PURCH", "purchasing-lead", "ROLE-OPS"),
             ("ROLE-PROD", "production-lead", "ROLE-OPS"),
             ("ROLE-AUDITOR", "internal-auditor", "ROLE-QM")]
    for role_id, holder, reports in roles:
        extra = {"reports_to": reports} if reports else {}
        repo.write(role_id, "role", owner="ROLE-MD", holders=[holder], **extra,
                   **fields(reviewed=next(days), reviewer=reviewer, by=approver))
    repo.write("STRAT-A", "strategy", owner="ROLE-MD", clauses=["4.1"],
               **fields(reviewed=next(days), reviewer=reviewer, by=approver))
    repo.write("OBJ-A", "objective", owner="ROLE-OPS", supports=["STRAT-A"], due="2027-06-30",
               **fields(reviewed=next(days), reviewer=reviewer, by=approver))
    repo.write("PROC-MAKE", "process", owner="ROLE-PROD", supports=["OBJ-A"],
               **fields(reviewed=next(days), reviewer=reviewer, by=approver))
    repo.write("PROC-BUY", "process", owner="ROLE-PURCH", supports=["OBJ-A"],
               **fields(reviewed=next(days), reviewer=reviewer, by=approver))
    for number, day in enumerate(AUDITS, start=1):
        record(repo, "qms_docs/audits", f"AUD-{number}", "audit", owner="ROLE-QM",
               date=day.isoformat(), type="internal", scope=["PROC-MAKE", "PROC-BUY"],
               findings=[], **fields(approved_on=(day + timedelta(days=3)).isoformat(),
                                     by="ROLE-QM"))


def build_audit_driven(root: Path) -> QmsRepo:
    """Compliance mode: everything happens in the five weeks before each audit."""
    repo = QmsRepo(root)
    windows = [(d - timedelta(days=35), d - timedelta(days=1)) for d in AUDITS]
    review_days = ["2026-02-20", "2026-08-25"]
    skeleton(repo, reviewer="ROLE-QM", review_days=review_days, approver="ROLE-QM")
    # A second objective and KPI hang in the air, and the data stopped in March.
    repo.write("OBJ-B", "objective", owner="ROLE-QM", supports=[],
               **fields(reviewed="2026-02-20", reviewer="ROLE-QM", by="ROLE-QM"))
    repo.write("KPI-A", "kpi", owner="ROLE-QM", measures=["OBJ-A", "PROC-MAKE"], target=95.0,
               data="data/KPI-A.csv", clauses=["9.1.2"],
               **fields(reviewed="2026-02-20", reviewer="ROLE-QM", by="ROLE-QM"))
    repo.data("KPI-A", monthly(1, 2))
    repo.write("KPI-B", "kpi", owner="ROLE-QM", measures=["OBJ-B"], target=1.0,
               data="data/KPI-B.csv",
               **fields(reviewed="2026-08-25", reviewer="ROLE-QM", by="ROLE-QM"))
    repo.data("KPI-B", monthly(1, 2, 2.0))
    # Every action comes from an audit finding.
    for number, day in enumerate([AUDITS[0], AUDITS[0], AUDITS[1]], start=1):
        record(repo, "qms_docs/actions", f"ACT-{number}", "action", owner="ROLE-QM",
               type="corrective", source="audit-finding", opened=day.isoformat(),
               due="2027-02-26", **fields(approved_on=day.isoformat(), by="ROLE-QM"))
    # One review, just before the second audit, by the quality manager alone, no decision.
    record(repo, "qms_docs/reviews", "MR-1", "review", owner="ROLE-QM", date="2026-09-01",
           attendees=["ROLE-QM"], covers=ALL_INPUTS, inputs=["KPI-A"], decisions=[],
           **fields(approved_on="2026-09-01", by="ROLE-QM"))
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    commit_as(root, "quality-lead", date(2025, 10, 1), "QMS as written for certification")
    for start, end in windows:
        day = start
        while day <= end:
            for path in sorted((root / "procedures").glob("*.md")):
                with path.open("a", encoding="utf-8") as handle:
                    handle.write(f"\nUpdated for the audit on {day}.\n")
            commit_as(root, "quality-lead", day, f"Audit preparation {day}")
            day += timedelta(days=4)
    return repo


def build_everyday(root: Path) -> QmsRepo:
    """Performance mode: activity all year, by process owners, proactive actions."""
    repo = QmsRepo(root)
    review_days = [f"2026-{m:02d}-10" for m in range(1, 12)] + ["2025-12-10"]
    skeleton(repo, reviewer="ROLE-OPS", review_days=review_days, approver="ROLE-MD")
    repo.write("KPI-A", "kpi", owner="ROLE-PROD", measures=["OBJ-A", "PROC-MAKE"],
               target=95.0, data="data/KPI-A.csv", clauses=["9.1.2"],
               **fields(reviewed="2026-05-12", reviewer="ROLE-PROD"))
    repo.data("KPI-A", monthly(1, 10))
    repo.write("KPI-B", "kpi", owner="ROLE-PURCH", measures=["OBJ-A", "PROC-BUY"],
               target=95.0, data="data/KPI-B.csv", clauses=["8.4.1"],
               **fields(reviewed="2026-08-12", reviewer="ROLE-PURCH"))
    repo.data("KPI-B", monthly(1, 10))
    record(repo, "qms_docs/risks", "RISK-1", "risk", owner="ROLE-PURCH", affects=["PROC-BUY"],
           likelihood=4, impact=4, treated_by=["ACT-RISK"], clauses=["6.1"],
           **fields(approved_on="2026-01-15"))
    record(repo, "qms_docs/nonconformities", "NC-1", "nonconformity", owner="ROLE-PROD",
           date="2026-04-20", source="internal", severity="minor", affects=["PROC-MAKE"],
           actions=["ACT-NC"], **fields(approved_on="2026-04-21", by="ROLE-QM"))
    actions = [("ACT-TREND", "kpi-trend", "ROLE-PROD", "2026-02-05"),
               ("ACT-RISK", "risk", "ROLE-PURCH", "2026-01-16"),
               ("ACT-IDEA", "proactive-idea", "ROLE-PROD", "2026-05-18"),
               ("ACT-MR1", "management-review", "ROLE-OPS", "2026-01-20"),
               ("ACT-MR2", "management-review", "ROLE-PURCH", "2026-07-15"),
               ("ACT-AUDIT", "audit-finding", "ROLE-QM", "2026-03-18"),
               ("ACT-NC", "nonconformity", "ROLE-PROD", "2026-04-21")]
    for doc_id, source, owner, opened in actions:
        record(repo, "qms_docs/actions", doc_id, "action", owner=owner,
               type="improvement" if source == "proactive-idea" else "corrective",
               source=source, opened=opened, due="2027-02-26",
               **fields(approved_on=opened))
    common = {"owner": "ROLE-MD", "attendees": ["ROLE-MD", "ROLE-QM", "ROLE-OPS", "ROLE-PURCH"]}
    inputs = ["STRAT-A", "OBJ-A", "KPI-A", "KPI-B", "RISK-1", "NC-1", "ACT-IDEA"]
    record(repo, "qms_docs/reviews", "MR-1", "review", date="2026-01-20", covers=ALL_INPUTS,
           inputs=inputs, decisions=["ACT-MR1"], **common,
           **fields(approved_on="2026-01-27"))
    record(repo, "qms_docs/reviews", "MR-2", "review", date="2026-07-15", covers=ALL_INPUTS,
           inputs=["ACT-MR1", "AUD-1", *inputs], decisions=["ACT-MR2"], **common,
           **fields(approved_on="2026-07-22"))
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    commit_as(root, "quality-lead", date(2025, 10, 1), "QMS as we work")
    people = ["purchasing-lead", "production-lead", "ops-manager", "quality-lead",
              "managing-director"]
    day, n = date(2025, 12, 1), 0
    while day <= date(2026, 11, 20):
        author = people[n % len(people)]
        target = sorted((root / "procedures").glob("*.md"))[n % 2]
        with target.open("a", encoding="utf-8") as handle:
            handle.write(f"\nImprovement noted on {day} by {author}.\n")
        commit_as(root, author, day, f"Everyday change {n}")
        day, n = day + timedelta(days=11), n + 1
    return repo


def health_json(root: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(["health", str(root), "--format", "json"]) == 0
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    return report


# Built once per module: the tests only read them, and each history is dozens of commits.
@pytest.fixture(scope="module")
def audit_driven(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_audit_driven(tmp_path_factory.mktemp("health") / "audit-driven").root


@pytest.fixture(scope="module")
def everyday(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_everyday(tmp_path_factory.mktemp("health") / "everyday").root


def test_health_tells_the_two_repositories_apart_on_every_sign(
    audit_driven: Path, everyday: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    compliance, performance = health_json(audit_driven, capsys), health_json(everyday, capsys)
    assert compliance["today"] == performance["today"] == "2026-11-24"
    assert [s["verdict"] for s in compliance["signs"]] == ["compliance"] * 5, compliance
    assert [s["verdict"] for s in performance["signs"]] == ["performance"] * 5, performance
    assert compliance["summary"] == {"performance": 0, "compliance": 5, "unknown": 0}
    assert performance["summary"] == {"performance": 5, "compliance": 0, "unknown": 0}


def test_every_measure_differs_where_the_data_differ(
    audit_driven: Path, everyday: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    compliance, performance = health_json(audit_driven, capsys), health_json(everyday, capsys)
    for bad, good in zip(compliance["signs"], performance["signs"], strict=True):
        for bad_m, good_m in zip(bad["measures"], good["measures"], strict=True):
            assert bad_m["name"] == good_m["name"]
            assert {bad_m["verdict"], good_m["verdict"]} == {"compliance", "performance"}, \
                (bad_m, good_m)
            # Each measure carries its number, threshold and an explanation.
            assert good_m["value"] is not None and good_m["threshold"] is not None
            assert good_m["detail"]


def measure(report: dict[str, Any], sign: int, name: str) -> dict[str, Any]:
    for item in report["signs"][sign - 1]["measures"]:
        if item["name"] == name:
            return dict(item)
    raise KeyError(name)


def test_numbers_behind_the_verdicts(
    audit_driven: Path, everyday: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    compliance, performance = health_json(audit_driven, capsys), health_json(everyday, capsys)
    # Sign 1: all activity in the pre-audit windows (~23 % of the year) gives ~4x.
    assert measure(compliance, 1, "pre-audit concentration")["value"] > 3.5
    assert measure(performance, 1, "pre-audit concentration")["value"] < 1.5
    assert measure(compliance, 1, "months with QMS activity")["value"] == 4
    assert measure(performance, 1, "months with QMS activity")["value"] == 12
    # Sign 2: one review without top management and without decisions, against two.
    assert measure(compliance, 2, "management reviews held")["value"] == 1
    assert measure(compliance, 2, "reviews attended by top management")["value"] == 0
    assert measure(performance, 2, "reviews whose decisions became actions")["value"] == 100
    # Sign 3: half the KPIs and objectives traced, data stopped in February.
    assert measure(compliance, 3, "KPIs on a path to strategy")["value"] == 50
    assert measure(compliance, 3, "KPIs with current data")["value"] == 0
    # Sign 4: every action from an audit against 5 of 7 proactive.
    assert measure(compliance, 4, "actions raised proactively")["value"] == 0
    assert measure(performance, 4, "actions raised proactively")["value"] == pytest.approx(
        71.4)
    # Sign 5: the quality lead alone against four process owners.
    assert measure(compliance, 5, "people beyond the quality team taking part")["value"] == 0
    assert measure(performance, 5, "people beyond the quality team taking part")["value"] == 4
    assert performance["git"] == {"available": True, "reason": "", "commits": 33}


def test_text_scorecard(audit_driven: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["health", str(audit_driven)]) == 0
    out = capsys.readouterr().out
    assert "performance mode on 0 of 5 signs, compliance mode on 5" in out
    assert "1. Attention only before audits: compliance" in out
    assert "- management reviews held: 1 (threshold: at least 2) -> compliance" in out


def _activity(root: Path) -> GitActivity:
    since = date(2025, 11, 24)
    return activity(open_qms(root, with_git=False).history(since=since), since,
                    date(2026, 11, 24))


def test_one_git_log_pass_reads_authors_days_and_paths(audit_driven: Path) -> None:
    found = _activity(audit_driven)
    assert found.available
    assert {c.commit.author for c in found.commits} == {"quality-lead"}
    assert all(c.paths and all(p.startswith("procedures/") for p in c.paths)
               for c in found.commits)
    # The initial commit (October 2025) is outside the period.
    assert min(c.commit.day for c in found.commits) == date(2026, 2, 9)


def test_qms_in_a_subfolder_of_the_work_tree(tmp_path: Path) -> None:
    """Paths come back relative to the QMS root, and other folders are not counted."""
    outer = tmp_path / "company"
    repo = QmsRepo(outer / "quality").baseline()
    (outer / "README.md").parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=outer, check=True)
    commit_as(outer, "ops-manager", date(2026, 5, 4), "Add the QMS")
    (outer / "README.md").write_text("Not QMS.\n", encoding="utf-8")
    commit_as(outer, "ops-manager", date(2026, 5, 5), "Readme")
    found = _activity(repo.root)
    assert [c.commit.day for c in found.commits] == [date(2026, 5, 4)]
    assert "procedures/PROC-A.md" in found.commits[0].paths


def test_without_git_the_git_measures_are_unknown(clean: QmsRepo) -> None:
    qms = open_qms(clean.root, with_git=False)
    report = assess(qms, date(2026, 11, 24))
    assert not report.git.available and "not a git repository" in report.git.reason
    people = report.signs[4].measures[0]
    assert people.value is None and people.verdict == "unknown"
    # Review stamps still count as activity.
    assert "review stamps only" in report.signs[0].measures[1].detail


def test_activity_keeps_the_period_only_and_skips_merges() -> None:
    def commit(sha: str, day: date, parents: int = 1) -> Commit:
        return Commit(sha, parents, day, day, "quality-lead", "q@x", "subject")

    inside, before, merge = (commit("aaa", date(2026, 3, 1)), commit("bbb", date(2025, 1, 1)),
                             commit("ccc", date(2026, 4, 1), parents=2))
    history = History(True, commits=[merge, inside, before], by_path={
        "qms_docs/a.md": [merge, inside], "qms_docs/b.md": [inside],
        "qms_docs/c.md": [before]})
    found = activity(history, date(2025, 11, 24), date(2026, 11, 24))
    assert [(c.commit.sha, c.commit.author, c.paths) for c in found.commits] == [
        ("aaa", "quality-lead", ("qms_docs/a.md", "qms_docs/b.md"))]


def test_no_records_means_unknown_not_a_crash(clean: QmsRepo) -> None:
    qms = open_qms(clean.root, with_git=False)
    report = assess(qms, date(2026, 11, 24), GitActivity(False, "test"))
    assert report.signs[0].measures[0].verdict == "unknown"  # no audit dates
    assert report.signs[1].verdict == "compliance"  # no management review at all
    assert report.signs[3].verdict == "unknown"  # no actions
    assert report.to_dict()["summary"]["unknown"] >= 1


def test_timeline_for_the_site_chart(audit_driven: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """Weekly activity and audit dates, so a chart shows the bursts before each audit."""
    report = health_json(audit_driven, capsys)
    assert report["audit_dates"] == [d.isoformat() for d in AUDITS]
    weeks = [date.fromisoformat(w["week"]) for w in report["activity"]]
    # Every active week is in the run-up to an audit (or the audit week itself, when the
    # audit report is approved).
    assert weeks and all(any(timedelta(days=-7) < audit - week <= timedelta(weeks=6)
                             for audit in AUDITS) for week in weeks)


# ------------------------------------------- sign 5: who takes part, not only who commits


def commit_with(root: Path, day: date, message: str, author: str = "quality-lead") -> None:
    """Commit everything as `author` on `day`; `message` may carry trailers."""
    commit_as(root, author, day, message)


def build_delegated(root: Path) -> QmsRepo:
    """One person (the quality lead) commits everything, but others discharge their items:
    they sign reviews and approvals in trailers, acknowledge in the ledger, close actions.
    """
    repo = QmsRepo(root)
    (root / "qmskit.toml").write_text('today = 2026-11-24\nquality_roles = ["ROLE-QM"]\n',
                                      encoding="utf-8")
    old = fields(approved_on="2025-06-02", reviewed="2025-06-02")  # before the period
    roles = [("ROLE-MD", ["managing-director"], None), ("ROLE-QM", ["quality-lead"], "ROLE-MD"),
             ("ROLE-OPS", ["ops-manager"], "ROLE-MD"),
             ("ROLE-PROD", ["production-lead"], "ROLE-OPS"),
             ("ROLE-PURCH", ["purchasing-lead", "buyer-2"], "ROLE-OPS"),
             ("ROLE-SALES", ["sales-lead"], "ROLE-MD"),
             ("ROLE-HR", ["hr-lead"], "ROLE-MD")]
    for role_id, holders, reports in roles:
        extra = {"reports_to": reports} if reports else {}
        repo.write(role_id, "role", owner="ROLE-MD", holders=holders, **extra, **old)
    repo.write("STRAT-A", "strategy", owner="ROLE-MD", **old)
    repo.write("OBJ-A", "objective", owner="ROLE-OPS", supports=["STRAT-A"], **old)
    repo.write("PROC-MAKE", "procedure", owner="ROLE-PROD", supports=["OBJ-A"],
               applies_to=["ROLE-PURCH"], **old)
    repo.write("KPI-Q", "kpi", owner="ROLE-SALES", measures=["OBJ-A"], target=95.0,
               data="data/KPI-Q.csv", **old)
    repo.data("KPI-Q", monthly(1, 5))
    record(repo, "qms_docs/actions", "ACT-PROD", "action", owner="ROLE-PROD",
           source="kpi-trend", opened="2025-05-01", due="2026-07-01", closed="2026-06-01",
           effectiveness={"due": "2026-09-01", "checked": "2026-09-01", "result": "effective",
                          "evidence": "scrap down"}, **fields(approved_on="2025-05-01"))
    record(repo, "qms_docs/actions", "ACT-PURCH", "action", owner="ROLE-PURCH",
           source="risk", opened="2025-05-01", due="2026-07-01", closed="2026-06-15",
           **fields(approved_on="2025-05-01"))
    repo.write_raw("qms_docs/acknowledgements.csv",
                   "id,version,handle,date\nPROC-MAKE,1,buyer-2,2025-06-20\n")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    commit_with(root, date(2025, 6, 2), "QMS as approved\n\n"
                "Reviewed-by: ROLE-HR (hr-lead)")  # before the period: not counted
    proc = root / "procedures" / "PROC-MAKE.md"
    proc.write_text(proc.read_text(encoding="utf-8") + "\nA clearer step 3.\n",
                    encoding="utf-8")
    commit_with(root, date(2026, 3, 2), "Review PROC-MAKE\n\n"
                "Reviewed-by: ROLE-OPS (ops-manager)\n"
                "Approved-by: ROLE-MD (managing-director)")
    repo.data("KPI-Q", monthly(1, 10))
    commit_with(root, date(2026, 11, 3), "KPI-Q values to October")  # sales' KPI
    ledger = root / "qms_docs" / "acknowledgements.csv"
    ledger.write_text(ledger.read_text(encoding="utf-8")
                      + "PROC-MAKE,1,purchasing-lead,2026-04-14\n", encoding="utf-8")
    commit_with(root, date(2026, 4, 15), "Acknowledgements from the paper list")
    return repo


@pytest.fixture(scope="module")
def delegated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_delegated(tmp_path_factory.mktemp("health") / "delegated").root


def test_sign_5_counts_who_discharges_items_not_only_who_commits(
    delegated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The quality lead commits everything; four others took part all the same."""
    qms = open_qms(delegated, with_git=False)
    today = date(2026, 11, 24)
    since = date(2025, 11, 24)
    found = participation(qms, since, today, activity(qms.history(since=since), since, today))
    assert found.people == {
        "quality-lead": {"committed"},
        "ops-manager": {"signed (reviewed)"},  # a trailer in the quality lead's commit
        "managing-director": {"signed (approved)"},
        "purchasing-lead": {"acknowledged"},  # a ledger row the quality lead entered
        # ROLE-PROD has one holder: its closed action and effectiveness check are hers.
        "production-lead": {"closed an action", "checked effectiveness"},
    }
    # hr-lead signed before the period, buyer-2 acknowledged before it; ROLE-PURCH closed
    # an action but has two holders, so that names neither of them.
    assert found.roles["ROLE-PURCH"] >= {"closed an action", "acknowledged"}
    assert found.roles["ROLE-SALES"] == {"entered KPI values"}  # KPI-Q's data changed
    assert "ROLE-HR" not in found.roles and not found.unmatched

    report = health_json(delegated, capsys)
    people = measure(report, 5, "people beyond the quality team taking part")
    assert people["value"] == 4 and people["verdict"] == "performance"
    for handle in ("ops-manager", "managing-director", "purchasing-lead", "production-lead"):
        assert handle in people["detail"]
    assert "quality-lead (" not in people["detail"]  # the quality team is not counted
    roles = measure(report, 5, "roles beyond the quality team taking part")
    # MD, OPS, PROD, PURCH, SALES of MD, OPS, PROD, PURCH, SALES, HR.
    assert roles["value"] == pytest.approx(83.3)


def test_sign_5_without_git_is_a_lower_bound(delegated: Path) -> None:
    """Without history only the ledger and the stamps are seen: two people. Below the
    threshold that is 'not measurable', not 'compliance'; at or above it, it counts."""
    qms = open_qms(delegated, with_git=False)
    people = assess(qms, date(2026, 11, 24), GitActivity(False, "test")).signs[4].measures[0]
    assert people.value is None and people.verdict == "unknown"
    assert "at least 2" in people.detail
    (delegated / "lenient.toml").write_text(
        'today = 2026-11-24\nquality_roles = ["ROLE-QM"]\n[health]\nmin_people_beyond = 2\n',
        encoding="utf-8")
    try:
        qms = open_qms(delegated, delegated / "lenient.toml", with_git=False)
        people = assess(qms, date(2026, 11, 24), GitActivity(False, "test")).signs[4].measures[0]
    finally:
        (delegated / "lenient.toml").unlink()
    assert people.value == 2 and people.verdict == "performance"


# ------------------------------------------------------- thresholds and --fail-on


def test_fail_on_compliance_for_ci(audit_driven: Path, everyday: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["health", str(audit_driven)]) == 0  # a diagnostic by default
    capsys.readouterr()
    assert main(["health", str(audit_driven), "--fail-on", "compliance"]) == 1
    err = capsys.readouterr().err
    assert "sign 1 (Attention only before audits) reads compliance" in err
    assert main(["health", str(everyday), "--fail-on", "compliance"]) == 0
    assert main(["health", str(everyday), "--fail-on", "unknown"]) == 0
    assert main(["health", str(everyday), "--fail-on", "sometimes"]) == 2


def test_fail_on_unknown_fails_on_signs_that_cannot_be_measured(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    # The baseline has no audit, no action and no git: signs 1 and 4 are unknown.
    report = health_json(clean.root, capsys)
    assert report["signs"][3]["verdict"] == "unknown"
    assert main(["health", str(clean.root), "--fail-on", "unknown"]) == 1
    assert "sign 4 (Reactive improvement) reads unknown" in capsys.readouterr().err


LENIENT = """\
today = 2026-11-24
[health]
pre_audit_weeks = 4
max_pre_audit_concentration = 10
min_active_months = 4
min_reviews = 1
min_top_attendance = 0
min_reviews_with_actions = 0
min_evidenced_inputs = 0
min_traced = 50
min_current_data = 0
min_proactive = 0
min_people_beyond = 0
min_roles_beyond = 0
"""


def test_thresholds_come_from_the_config(audit_driven: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """A team sets its own lines; the audit-driven QMS then passes every one of them."""
    config = tmp_path / "qmskit.toml"
    config.write_text(LENIENT, encoding="utf-8")
    code = main(["health", str(audit_driven), "--config", str(config), "--format", "json",
                 "--fail-on", "compliance"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0, report
    assert [s["verdict"] for s in report["signs"]] == ["performance"] * 5
    assert measure(report, 2, "management reviews held")["threshold"] == 1
    assert measure(report, 3, "KPIs on a path to strategy")["threshold"] == 50
    assert "in the 4 weeks before an audit" in measure(report, 1,
                                                       "pre-audit concentration")["detail"]
    # The defaults are today's values.
    report = health_json(audit_driven, capsys)
    assert measure(report, 2, "management reviews held")["threshold"] == 2
    assert measure(report, 5, "people beyond the quality team taking part")["threshold"] == 3
    assert "in the 6 weeks before an audit" in measure(report, 1,
                                                       "pre-audit concentration")["detail"]


@pytest.mark.parametrize(("line", "message"), [
    ("min_traced = 120", "health.min_traced: Input should be less than or equal to 100"),
    ("min_reviews = 1.5", "health.min_reviews: Input should be a valid integer"),
    ('min_proactive = "40"', "health.min_proactive: Input should be a valid number"),
    ("min_peeople_beyond = 3", "health.min_peeople_beyond: unknown key"),
    ("pre_audit_weeks = 0", "health.pre_audit_weeks: Input should be greater than or equal"),
])
def test_bad_thresholds_are_config_errors(clean: QmsRepo, capsys: pytest.CaptureFixture[str],
                                          line: str, message: str) -> None:
    (clean.root / "qmskit.toml").write_text(f"today = 2026-11-24\n[health]\n{line}\n",
                                            encoding="utf-8")
    assert main(["health", str(clean.root)]) == 2
    assert message in capsys.readouterr().err


def test_readme_documents_the_default_thresholds() -> None:
    """The README's `[health]` table is the defaults, so copying it changes nothing."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("\n[health]", 1)[1].split("\n\n", 1)[0]
    documented = tomllib.loads(table)
    assert documented == HealthConfig().model_dump()
