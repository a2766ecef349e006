"""`qmskit due --format ics`: parsed back with icalendar, one event per item, stable UIDs."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from qmskit.cli import main

from qmsfactory import QmsRepo, approved


def ics(root: Path, capsysbinary: pytest.CaptureFixture[bytes], *args: str) -> Calendar:
    assert main(["due", "--root", str(root), "--format", "ics", *args]) == 0
    raw = capsysbinary.readouterr().out
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n")
    return Calendar.from_ical(raw)


def listed(root: Path, capsysbinary: pytest.CaptureFixture[bytes], *args: str) -> dict[str, Any]:
    assert main(["due", "--root", str(root), "--format", "json", *args]) == 0
    data: dict[str, Any] = json.loads(capsysbinary.readouterr().out)
    return data


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
        item = items[(handle, kind, doc_id, rest.removesuffix("@qmskit"))]
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
    review = found["quality-lead/review/PROC-CAL/v2@qmskit"]
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
    uid = "quality-lead/action/ACT-1/close@qmskit"
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
    never = found["quality-lead/review/PROC-NEW/v1@qmskit"]
    assert never.decoded("DTSTART") == date(2026, 11, 24)
    assert "overdue" in never.categories


def test_text_with_commas_and_newlines_survives(
    clean: QmsRepo, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    title = "Weld; braze, and solder: the long title of a procedure " * 3
    clean.write("PROC-W", "procedure", owner="ROLE-QM", supports=["OBJ-A"], title=title.strip(),
                **approved(review={"last": "2025-12-01", "interval": "12 months"}))
    found = events(ics(clean.root, capsysbinary, "--as", "quality-lead"))
    event = found["quality-lead/review/PROC-W/v1@qmskit"]
    assert str(event["SUMMARY"]).endswith(title.strip())
