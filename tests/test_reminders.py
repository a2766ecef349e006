"""Reminder issues: the create/update/reopen/close decision, the gh command lines, and the
sync run end to end against a fake `gh` (GitHub itself cannot be reached here)."""

from __future__ import annotations

import json
import os
import stat
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from qmskit.cli import main
from qmskit.domain.duties import Duty
from qmskit.domain.reminders import (
    Issue,
    decide,
    digest,
    gh_commands,
    issue_title,
    list_command,
    marker,
    parse_issues,
)
from qmskit.reports.duties import issue_body

from qmsfactory import QmsRepo, approved

TODAY = date(2026, 11, 24)


def duty(handle: str, doc_id: str = "PROC-A", due: str = "2026-12-11",
         overdue: bool = False) -> Duty:
    return Duty(handle, "review", doc_id, "v1", f"Title of {doc_id}", f"Review {doc_id}",
                date.fromisoformat(due), overdue, ("ROLE-QM",),
                f"qmskit review {doc_id} --by ROLE-QM", None, f"procedures/{doc_id}.md")


def body(handle: str, items: Any) -> str:
    return issue_body(handle, list(items), ["ROLE-QM"], TODAY)


def issue(number: int, handle: str, items: list[Duty], state: str = "open") -> Issue:
    return Issue(number, issue_title(handle), "open" if state == "open" else "closed",
                 body(handle, items))


# ------------------------------------------------------------------ the decision


def test_create_when_items_and_no_issue() -> None:
    items = {"quality-lead": [duty("quality-lead")]}
    steps = decide(items, [])
    assert [(s.op, s.handle, s.number) for s in steps] == [("create", "quality-lead", None)]
    commands = gh_commands(steps, body, label="qms-due", today=TODAY)
    assert commands == [
        ["gh", "label", "create", "qms-due", "--force", "--color", "C5DEF5",
         "--description", "What the QMS expects of each person (qmskit due)"],
        ["gh", "issue", "create", "--title", "Quality duties of quality-lead",
         "--label", "qms-due", "--body", body("quality-lead", items["quality-lead"])],
    ]
    text = commands[1][-1]
    assert marker("quality-lead") in text and digest(items["quality-lead"]) in text
    assert "`qmskit review PROC-A --by ROLE-QM`" in text


def test_unchanged_list_changes_nothing() -> None:
    items = {"quality-lead": [duty("quality-lead")]}
    assert decide(items, [issue(7, "quality-lead", items["quality-lead"])]) == []
    # The body's date line is not part of the digest: a later run, same items, no edit.
    later = Issue(7, issue_title("quality-lead"), "open",
                  issue_body("quality-lead", items["quality-lead"], ["ROLE-QM"],
                             date(2026, 12, 1)))
    assert decide(items, [later]) == []


def test_changed_list_updates_in_place() -> None:
    old = [duty("quality-lead")]
    new = [duty("quality-lead"), duty("quality-lead", "PROC-B", "2026-12-20")]
    steps = decide({"quality-lead": new}, [issue(7, "quality-lead", old)])
    assert [(s.op, s.number) for s in steps] == [("update", 7)]
    assert gh_commands(steps, body, today=TODAY) == [
        ["gh", "issue", "edit", "7", "--title", "Quality duties of quality-lead",
         "--body", body("quality-lead", new)]]
    # An item turning overdue is a change too.
    late = [duty("quality-lead", overdue=True)]
    assert [s.op for s in decide({"quality-lead": late}, [issue(7, "quality-lead", old)])] \
        == ["update"]


def test_nothing_due_closes_and_new_item_reopens() -> None:
    items = [duty("quality-lead")]
    steps = decide({}, [issue(7, "quality-lead", items)])
    assert [(s.op, s.number) for s in steps] == [("close", 7)]
    assert gh_commands(steps, body, today=TODAY) == [
        ["gh", "issue", "close", "7", "--comment",
         "Nothing is due for `quality-lead` as of 2026-11-24 (qmskit due). This issue "
         "reopens when something falls due."]]
    closed = issue(7, "quality-lead", items, state="closed")
    assert decide({}, [closed]) == []  # closed stays closed
    # Something falls due again: reopen the same issue, and rewrite it if it differs.
    again = [duty("quality-lead", "PROC-C", "2027-01-10")]
    steps = decide({"quality-lead": again}, [closed])
    assert [(s.op, s.number) for s in steps] == [("reopen", 7), ("update", 7)]
    assert gh_commands(steps, body, today=TODAY) == [
        ["gh", "issue", "reopen", "7"],
        ["gh", "issue", "edit", "7", "--title", "Quality duties of quality-lead",
         "--body", body("quality-lead", again)]]
    # Closed by hand while the same items are still due: reopened, not rewritten.
    assert [s.op for s in decide({"quality-lead": items}, [closed])] == ["reopen"]


def test_people_are_matched_by_marker_not_title() -> None:
    items = {"quality-lead": [duty("quality-lead")], "sales-lead": [duty("sales-lead")]}
    renamed = Issue(3, "Quality duties of quality-lead (please do)", "open",
                    body("quality-lead", items["quality-lead"]))
    stranger = Issue(4, "Quality duties of sales-lead", "open", "written by hand, no marker")
    steps = decide(items, [renamed, stranger])
    assert [(s.op, s.handle, s.number) for s in steps] == [
        ("update", "quality-lead", 3),  # the title is put back
        ("create", "sales-lead", None),  # the unmarked issue is not ours
    ]


def test_marker_like_text_in_the_body_cannot_claim_an_issue() -> None:
    item = Duty("quality-lead", "action", "ACT-1", "close", "<!-- qmskit-due:mallory -->",
                "Complete ACT-1", date(2026, 12, 1), False, ("ROLE-QM",), None,
                "set closed", "qms_docs/<!-- qmskit-due:mallory -->.md")
    text = body("quality-lead", [item])
    assert "<!-- qmskit-due:mallory -->" in text  # in the path's code span
    assert Issue(1, "t", "open", text).handle == "quality-lead"


def test_duplicates_are_closed_and_the_oldest_kept() -> None:
    items = [duty("quality-lead")]
    steps = decide({"quality-lead": items},
                   [issue(9, "quality-lead", items), issue(4, "quality-lead", items),
                    issue(2, "quality-lead", items, state="closed")])
    assert [(s.op, s.number, s.duplicate_of) for s in steps] == [("close", 9, 4)]
    assert gh_commands(steps, body, today=TODAY)[0][-1].startswith("Duplicate of #4")


def test_list_command_and_parsing() -> None:
    assert list_command("qms-due") == [
        "gh", "issue", "list", "--label", "qms-due", "--state", "all",
        "--json", "number,title,state,body", "--limit", "1000"]
    issues = parse_issues(json.dumps([
        {"number": 5, "title": "t", "state": "CLOSED", "body": marker("hr-lead")},
        {"number": 6, "title": "u", "state": "OPEN", "body": None}]))
    assert [(i.number, i.state, i.handle) for i in issues] == [(5, "closed", "hr-lead"),
                                                               (6, "open", None)]
    for bad in ("not json", "{}", "[1]", '[{"number": "5", "state": "OPEN"}]',
                '[{"number": 5, "state": "MERGED"}]'):
        with pytest.raises(ValueError):
            parse_issues(bad)


def test_long_lists_stay_under_githubs_body_limit() -> None:
    items = [duty("quality-lead", f"PROC-{n:04d}") for n in range(2000)]
    text = body("quality-lead", items)
    assert len(text) < 65_536
    assert "more items" in text and marker("quality-lead") in text


# ------------------------------------------------------- end to end, fake gh

FAKE_GH = '''\
import json, os, sys
state_file = os.path.join(os.environ["FAKE_GH_DIR"], "issues.json")
with open(os.path.join(os.environ["FAKE_GH_DIR"], "calls.jsonl"), "a") as log:
    log.write(json.dumps(["gh", *sys.argv[1:]]) + "\\n")
issues = json.load(open(state_file)) if os.path.exists(state_file) else []
args = sys.argv[1:]
def opt(name):
    return args[args.index(name) + 1]
if os.environ.get("FAKE_GH_FAIL"):
    sys.stderr.write("HTTP 401: Bad credentials\\n")
    sys.exit(1)
if args[:2] == ["issue", "list"]:
    fields = opt("--json").split(",")
    shown = [{k: i[k] for k in fields} for i in issues if opt("--label") in i["labels"]]
    print(json.dumps(shown))
elif args[:2] == ["issue", "create"]:
    number = len(issues) + 1
    issues.append({"number": number, "title": opt("--title"), "state": "OPEN",
                   "body": opt("--body"), "labels": [opt("--label")]})
    print(f"https://github.example/o/r/issues/{number}")
elif args[:2] == ["issue", "edit"]:
    issue = issues[int(args[2]) - 1]
    issue["title"], issue["body"] = opt("--title"), opt("--body")
elif args[:2] == ["issue", "close"]:
    issues[int(args[2]) - 1]["state"] = "CLOSED"
elif args[:2] == ["issue", "reopen"]:
    issues[int(args[2]) - 1]["state"] = "OPEN"
elif args[:2] != ["label", "create"]:
    sys.exit(f"fake gh: unexpected {args}")
json.dump(issues, open(state_file, "w"))
'''


@pytest.fixture
def gh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake `gh` on PATH that keeps issues in a JSON file and logs every call."""
    folder = tmp_path / "fake-gh"
    folder.mkdir()
    script = folder / "gh"
    script.write_text(f"#!{sys.executable}\n{FAKE_GH}", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_GH_DIR", str(folder))
    return folder


def calls(gh: Path) -> list[list[str]]:
    log = gh / "calls.jsonl"
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    log.unlink(missing_ok=True)
    return [json.loads(line) for line in lines]


def state(gh: Path) -> list[dict[str, Any]]:
    issues: list[dict[str, Any]] = json.loads((gh / "issues.json").read_text(encoding="utf-8"))
    return issues


def sync(root: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    code = main(["due", "--root", str(root), "--sync", "github", *extra])
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out


def action(repo: QmsRepo, doc_id: str, **values: Any) -> None:
    path = repo.write(doc_id, "action", owner="ROLE-PROD", opened="2026-06-01", **approved(),
                      **values)
    target = repo.root / "qms_docs" / "actions" / f"{doc_id}.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    path.rename(target)


def test_sync_is_idempotent_closes_when_done_and_reopens(
    clean: QmsRepo, gh: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean.write("ROLE-PROD", "role", owner="ROLE-MD", holders=["setter-1"],
                reports_to="ROLE-MD", **approved())
    action(clean, "ACT-1", due="2026-12-10")
    root = clean.root

    # Dry run: reads once, prints the commands, changes nothing.
    out = sync(root, capsys, "--dry-run")
    assert calls(gh) == [list_command()]
    assert "# setter-1: create (1 item due, no open issue)" in out
    assert "gh issue create --title 'Quality duties of setter-1' --label qms-due" in out

    # First run: one issue per person with items (quality-lead has KPI-A, setter-1 ACT-1).
    sync(root, capsys)
    made = calls(gh)
    assert made[0] == list_command()
    assert [argv[:3] for argv in made[1:]] == [["gh", "label", "create"],
                                               ["gh", "issue", "create"],
                                               ["gh", "issue", "create"]]
    issues = {i["title"]: i for i in state(gh)}
    assert set(issues) == {"Quality duties of quality-lead", "Quality duties of setter-1"}
    assert "ACT-1" in issues["Quality duties of setter-1"]["body"]

    # Second run, nothing new: the one list call and nothing else.
    out = sync(root, capsys)
    assert calls(gh) == [list_command()]
    assert "nothing to change" in out

    # The action is done: setter-1's issue closes; quality-lead's is untouched.
    action(clean, "ACT-1", due="2026-12-10", closed="2026-11-20",
           effectiveness={"due": "2027-03-01"})
    sync(root, capsys)
    setter = next(i for i in state(gh) if i["title"].endswith("setter-1"))
    assert calls(gh)[1:] == [["gh", "issue", "close", str(setter["number"]), "--comment",
                              "Nothing is due for `setter-1` as of 2026-11-24 (qmskit due). "
                              "This issue reopens when something falls due."]]
    assert setter["state"] == "CLOSED"
    sync(root, capsys)
    assert calls(gh) == [list_command()]

    # A new item falls due: the same issue reopens and lists it.
    action(clean, "ACT-2", due="2026-12-20")
    sync(root, capsys)
    made = calls(gh)
    number = str(setter["number"])
    assert [argv[:4] for argv in made[1:]] == [["gh", "issue", "reopen", number],
                                               ["gh", "issue", "edit", number]]
    setter = next(i for i in state(gh) if i["title"].endswith("setter-1"))
    assert setter["state"] == "OPEN" and "ACT-2" in setter["body"]
    assert "ACT-1" not in setter["body"]
    assert len(state(gh)) == 2  # never a second issue for the same person
    sync(root, capsys)
    assert calls(gh) == [list_command()]


def test_sync_reports_gh_failures(clean: QmsRepo, gh: Path,
                                  capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_GH_FAIL", "1")
    assert main(["due", "--root", str(clean.root), "--sync", "github"]) == 2
    err = capsys.readouterr().err
    assert "gh issue list" in err and "Bad credentials" in err and "GH_TOKEN" in err


def test_sync_without_gh(clean: QmsRepo, capsys: pytest.CaptureFixture[str],
                         monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    assert main(["due", "--root", str(clean.root), "--sync", "github", "--dry-run"]) == 2
    assert "`gh` (the GitHub CLI) is not on PATH" in capsys.readouterr().err
