"""One answer per question (issue 11 items 4 and 5): every rule, report and page that
speaks of an action's state, or of a process overdue for audit, gives the same answer.

Each test asks every consumer of one question on the same QMS and compares what they
say: the check (the rule's findings), the management review pack, `qmskit health` and
the handbook pages generated from the same loaded QMS.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from qmskit.cli import main
from qmskit.domain.health import sign_reactive
from qmskit.domain.records import action_state, audit_programme, year_before
from qmskit.loader import open_qms
from qmskit.site import SiteContext, generate, render_page

from qmsfactory import TODAY, QmsRepo, approved


def _record(repo: QmsRepo, folder: str, doc_id: str, kind: str, **fields: Any) -> None:
    path = repo.write(doc_id, kind, **fields)
    target = repo.root / folder / f"{doc_id}.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    path.rename(target)


def _check(root: Path, capsys: pytest.CaptureFixture[str], select: str) -> list[dict[str, Any]]:
    capsys.readouterr()
    main(["check", str(root), "--format", "json", "--no-cache", "--today", TODAY,
          "--select", select])
    findings: list[dict[str, Any]] = json.loads(capsys.readouterr().out)["findings"]
    return findings


def _pack(root: Path, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main(["report", "management-review", str(root), "--today", TODAY]) == 0
    return capsys.readouterr().out


def _section(page: str, heading: str) -> str:
    """The text under one `## heading` of a generated page, up to the next heading."""
    match = re.search(rf"^## {re.escape(heading)}.*?$(.*?)(?=^## |\Z)", page,
                      flags=re.MULTILINE | re.DOTALL)
    return match.group(1) if match else ""


# --- 4. an action's state -------------------------------------------------------------

ACTIONS = {
    # id: (fields, the state every consumer must agree on)
    "ACT-LATE": ({"due": "2026-09-30"}, "overdue"),
    "ACT-OPEN": ({"due": "2027-01-31"}, "open"),
    "ACT-DRAFT": ({"due": "2026-06-30", "status": "draft"}, "draft"),
    "ACT-DONE": ({"due": "2026-09-30", "closed": "2026-09-20",
                  "effectiveness": {"checked": "2026-10-20", "result": "effective"}},
                 "closed"),
    "ACT-GONE": ({"due": "2026-06-30", "status": "retired"}, "retired"),
}


@pytest.fixture
def actions(clean: QmsRepo) -> QmsRepo:
    for doc_id, (fields, _) in ACTIONS.items():
        _record(clean, "qms_docs/actions", doc_id, "action",
                **{"owner": "ROLE-QM", "type": "improvement", "source": "proactive-idea",
                   "opened": "2026-05-01", **approved(), **fields})
    return clean


def test_every_consumer_agrees_on_the_state_of_each_action(
    actions: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    qms = open_qms(actions.root)
    today = qms.evaluation_date(None)
    # The one function.
    assert {d.id: action_state(d, today) for d in qms.of_kind("action")} == {
        doc_id: state for doc_id, (_, state) in ACTIONS.items()}

    # The rules: R502 reports exactly the overdue action; R503 only looks at closed ones.
    r502 = {Path(f["path"]).stem for f in _check(actions.root, capsys, "R502")}
    assert r502 == {"ACT-LATE"}
    assert _check(actions.root, capsys, "R503") == []

    # The review pack: its summary counts the same open and overdue actions.
    pack = _pack(actions.root, capsys)
    assert "| Actions | 2 open (1 overdue);" in pack, pack

    # Health counts raised actions only: proposals and withdrawn actions are not raised.
    sign = sign_reactive(qms, year_before(today), today)
    assert "of 3 actions opened in the period" in sign.measures[0].detail

    # The handbook: the Actions page lists the draft as proposed, never as open/overdue.
    ctx = SiteContext.create(qms)
    page = str(generate(ctx)[ctx.layout.generated("actions.md")])
    open_section = _section(page, "Open")
    assert "ACT-LATE" in open_section and "ACT-OPEN" in open_section
    assert "ACT-DRAFT" not in open_section and "ACT-DONE" not in open_section
    draft_row = next(line for line in page.splitlines() if "ACT-DRAFT" in line)
    assert "overdue" not in draft_row and "qms-badge--open" not in draft_row
    assert "ACT-DRAFT" in _section(page, "Proposed")
    assert "ACT-GONE" in _section(page, "Retired")
    # And each action's own page shows the same state in its metadata panel.
    for doc_id, (_, state) in ACTIONS.items():
        doc = qms.documents[doc_id]
        panel = render_page(ctx, ctx.src_of[doc_id], doc.body)
        assert ("qms-badge--overdue" in panel) == (state == "overdue"), doc_id
        assert ("qms-badge--open" in panel) == (state == "open"), doc_id


# --- 5. a process overdue for audit -----------------------------------------------------

def _audit(doc_id: str, day: str, scope: str) -> str:
    return (f"---\nid: {doc_id}\nkind: audit\ntitle: Internal audit {day}\nowner: ROLE-QM\n"
            f"status: approved\napproved_by: ROLE-QM\napproved_on: {day}\ntype: internal\n"
            f"date: {day}\nscope: [{scope}]\nfindings: []\n---\nBody.\n")


@pytest.fixture
def programme(clean: QmsRepo) -> QmsRepo:
    """Processes never audited (approved recently and long ago), audited recently, and
    audited longer ago than `audit_interval`."""
    for doc_id, approved_on in (("PROC-NEW", "2026-06-01"), ("PROC-NEVER", "2024-11-10"),
                                ("PROC-AUDITED", "2025-01-10"), ("PROC-LAPSED", "2024-01-10")):
        clean.write(doc_id, "process", owner="ROLE-QM", supports=["OBJ-A"],
                    **approved(approved_on=approved_on))
    clean.write_raw("qms_docs/audits/AUD-2026-02.md", _audit("AUD-2026-02", "2026-02-10",
                                                              "PROC-LAPSED"))
    clean.write_raw("qms_docs/audits/AUD-2026-09.md", _audit("AUD-2026-09", "2026-09-15",
                                                              "PROC-AUDITED"))
    clean.write_raw("qmskit.toml", f"today = {TODAY}\naudit_interval = \"8 months\"\n")
    return clean


def test_r505_and_the_review_pack_agree_on_processes_overdue_for_audit(
    programme: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    qms = open_qms(programme.root)
    overdue = {row.doc.id for row in audit_programme(qms, qms.evaluation_date(None))
               if row.overdue}
    # Never audited and approved over 8 months ago, or audited over 8 months ago.
    assert overdue == {"PROC-NEVER", "PROC-LAPSED"}
    by_rule = {Path(f["path"]).stem for f in _check(programme.root, capsys, "R505")}
    pack = _pack(programme.root, capsys)
    listed = re.search(r"processes overdue for audit: ([^|\n]*)", pack)
    assert listed is not None, pack
    by_pack = {p.strip() for p in listed.group(1).split(",")}
    assert by_rule == by_pack == overdue
    # The pack's process table marks the same rows, with the due date R505 counts from.
    rows = {line.split()[1]: line for line in pack.splitlines()
            if line.startswith("| PROC-")}
    assert {p for p, line in rows.items() if "(overdue)" in line} == overdue
    assert "2025-07-10 (overdue)" in rows["PROC-NEVER"]  # approval + 8 months


def test_without_audit_records_nothing_is_overdue_for_audit_anywhere(
    programme: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    for audit in (programme.root / "qms_docs/audits").iterdir():
        audit.unlink()
    assert _check(programme.root, capsys, "R505") == []
    assert "processes overdue for audit: none" in _pack(programme.root, capsys)
