"""`qmskit due --format ics`: parsed back with icalendar, one event per item, stable UIDs."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from qmskit.cli import main
from qmskit.git.repo import GitRepo
from qmskit.loader import open_qms
from qmskit.reports.calendar import calendar_namespace

from qmsfactory import QmsRepo, approved, git


def ics(root: Path, capsysbinary: pytest.CaptureFixture[bytes], *args: str) -> Calendar:
    assert main(["due", "--root", str(root), "--format", "ics", *args]) == 0
    raw = capsysbinary.readouterr().out
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n")
    return Calendar.from_ical(raw)


def listed(root: Path, capsysbinary: pytest.CaptureFixture[bytes], *args: str) -> dict[str, Any]:
    assert main(["due", "--root", str(root), "--format", "json", *args]) == 0
    data: dict[str, Any] = json.loads(capsysbinary.readouterr().out)
    return data


def namespace(root: Path) -> str:
    """The QMS's namespace in UIDs, as `qmskit due` computes it."""
    return calendar_namespace(open_qms(root, with_git=False))


def events(cal: Calendar) -> dict[str, Any]:
    """UID -> event."""
    found = {str(event["UID"]): event for event in cal.walk("VEVENT")}
    assert len(found) == len(cal.walk("VEVENT")), "UIDs must be unique"
    return found


def test_one_event_per_item_with_stable_uids(example_root: Path,
                                             capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    first = ics(example_root, capsysbinary)
    second = ics(example_root, capsysbinary)
    data = listed(example_root, capsysbinary)
    assert len(first.walk("VEVENT")) == data["total"] > 10
    assert set(events(first)) == set(events(second))
    assert str(first["X-WR-CALNAME"]) == "Quality duties"
    assert str(first["PRODID"]) == "-//qmskit//qmskit due//EN"
    items = {(p["handle"], i["kind"], i["id"], i["key"]): i
             for p in data["people"] for i in p["items"]}
    for uid, event in events(first).items():
        handle, kind, doc_id, rest = uid.split("/")
        key, domain = rest.split("@")
        assert domain == f"{namespace(example_root)}.qmskit"
        item = items[(handle, kind, doc_id, key)]
        # All day, on the due date.
        assert event.decoded("DTSTART") == date.fromisoformat(item["due"])
        assert (event.decoded("DTEND") - event.decoded("DTSTART")).days == 1
        assert str(event["SUMMARY"]).startswith(f"[{handle}] {item['what']}")
        assert item["discharge"] in str(event["DESCRIPTION"])
        assert "QMS" in event.categories


def test_one_person_calendar(example_root: Path,
                             capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    cal = ics(example_root, capsysbinary, "--as", "quality-lead")
    assert str(cal["X-WR-CALNAME"]) == "Quality duties of quality-lead"
    found = events(cal)
    review = found[f"quality-lead/review/PROC-CAL/v2@{namespace(example_root)}.qmskit"]
    assert review.decoded("DTSTART") == date(2026, 12, 11)
    assert str(review["SUMMARY"]).startswith("Review PROC-CAL")  # no person prefix
    assert "qmskit review PROC-CAL --by ROLE-QM" in str(review["DESCRIPTION"])
    assert set(review.categories) == {"QMS", "document review"}
    assert len(found) == len(listed(example_root, capsysbinary, "--as",
                                     "quality-lead")["people"][0]["items"])


def test_an_item_whose_date_moves_keeps_its_uid(clean: QmsRepo,
                                                capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    def action(due: str) -> None:
        path = clean.write("ACT-1", "action", owner="ROLE-QM", opened="2026-06-01", due=due,
                           **approved())
        path.rename(clean.root / "qms_docs" / "ACT-1.md")

    action("2026-12-01")
    before = events(ics(clean.root, capsysbinary, "--as", "quality-lead"))
    action("2027-02-15")
    after = events(ics(clean.root, capsysbinary, "--as", "quality-lead"))
    uid = f"quality-lead/action/ACT-1/close@{namespace(clean.root)}.qmskit"
    assert set(before) == set(after) and uid in before
    assert before[uid].decoded("DTSTART") == date(2026, 12, 1)
    assert after[uid].decoded("DTSTART") == date(2027, 2, 15)
    # A later evaluation date turns it overdue: same event, flagged.
    late = events(ics(clean.root, capsysbinary, "--as", "quality-lead", "--today",
                      "2027-03-01"))
    assert "overdue" in late[uid].categories


def test_undated_item_falls_on_the_evaluation_date(
    clean: QmsRepo, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    clean.write("PROC-NEW", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                **{**approved(), "approved_on": None, "review": None})
    found = events(ics(clean.root, capsysbinary, "--as", "quality-lead"))
    never = found[f"quality-lead/review/PROC-NEW/v1@{namespace(clean.root)}.qmskit"]
    assert never.decoded("DTSTART") == date(2026, 11, 24)
    assert "overdue" in never.categories


def test_text_with_commas_and_newlines_survives(
    clean: QmsRepo, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    title = "Weld; braze, and solder: the long title of a procedure " * 3
    clean.write("PROC-W", "procedure", owner="ROLE-QM", supports=["OBJ-A"], title=title.strip(),
                **approved(review={"last": "2025-12-01", "interval": "12 months"}))
    found = events(ics(clean.root, capsysbinary, "--as", "quality-lead"))
    event = found[f"quality-lead/review/PROC-W/v1@{namespace(clean.root)}.qmskit"]
    assert str(event["SUMMARY"]).endswith(title.strip())


def test_uids_carry_the_qms_namespace(tmp_path: Path,
                                      capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    """Two QMSs give two sets of UIDs; two clones of one QMS (https and ssh) give one."""
    def qms(path: Path, remote: str | None) -> Path:
        QmsRepo(path).baseline()
        git(path, "init", "-q", "-b", "main")
        if remote:
            git(path, "remote", "add", "origin", remote)
        return path

    token = "ghs_n0tArealT0ken"
    https = qms(tmp_path / "a" / "handbook",
                f"https://x-access-token:{token}@github.com/fernhollow/qms.git")
    ssh = qms(tmp_path / "b" / "clone", "git@github.com:Fernhollow/qms.git")
    other = qms(tmp_path / "c" / "handbook", "git@github.com:fernhollow/site-two-qms.git")
    plain = QmsRepo(tmp_path / "d" / "handbook").baseline().root
    assert namespace(https) == namespace(ssh)
    assert len({namespace(https), namespace(other),
                namespace(plain)}) == 3
    # Without git or a remote, the root folder's name.
    assert namespace(plain) == namespace(QmsRepo(tmp_path / "e" / "handbook").baseline().root)
    # A second QMS in a subfolder of the same repository is another namespace.
    sub = https / "plant-b"
    QmsRepo(sub).baseline()
    assert namespace(sub) != namespace(https)

    first = events(ics(https, capsysbinary, "--as", "quality-lead"))
    second = events(ics(other, capsysbinary, "--as", "quality-lead"))
    assert first and not set(first) & set(second)
    raw = b"".join(str(uid).encode() for uid in first)
    assert token.encode() not in raw and b"github" not in raw  # hashed, never shown


def test_an_item_on_the_calendars_last_day(clean: QmsRepo,
                                           capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    """9999-12-31 has no next day: the event has no DTEND, which means one day."""
    path = clean.write("ACT-FAR", "action", owner="ROLE-QM", opened="2026-06-01",
                       due="9999-12-31", **approved())
    path.rename(clean.root / "qms_docs" / "ACT-FAR.md")
    found = events(ics(clean.root, capsysbinary, "--as", "quality-lead"))
    far = found[f"quality-lead/action/ACT-FAR/close@{namespace(clean.root)}.qmskit"]
    assert far.decoded("DTSTART") == date(9999, 12, 31) and "DTEND" not in far


def test_the_remote_url_is_read_from_the_repository_config(tmp_path: Path) -> None:
    """Without a git process: `[remote "origin"] url`, quoted or not, comments aside."""
    root = QmsRepo(tmp_path / "qms").baseline().root
    git(root, "init", "-q", "-b", "main")
    git(root, "remote", "add", "upstream", "git@example.invalid:other/qms.git")
    git(root, "remote", "add", "origin", "https://example.invalid/team/qms.git")
    repo = GitRepo.at(root)
    assert repo.remote_url() == "https://example.invalid/team/qms.git"
    assert repo.remote_url("upstream") == "git@example.invalid:other/qms.git"
    assert repo.remote_url("nope") is None
    config = repo.git_dir / "config"
    config.write_text('[core]\n\turl = not-this\n[remote "origin"] # the team\'s\n'
                      '\tfetch = +refs/heads/*:refs/remotes/origin/*\n'
                      '\turl = "https://example.invalid/a;b.git" ; quoted\n'
                      '[Remote "origin2"]\n\tURL = ssh://example.invalid/c.git # note\n',
                      encoding="utf-8")
    assert repo.remote_url() == "https://example.invalid/a;b.git"
    assert repo.remote_url("origin2") == "ssh://example.invalid/c.git"
    config.unlink()
    config.mkdir()  # unreadable: no remote, never an error
    assert repo.remote_url() is None
