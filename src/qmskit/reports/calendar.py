"""`qmskit due --format ics`: the due items as an iCalendar file (RFC 5545).

One all-day event per item on its due date, so people see their QMS duties where they
plan their week, in Outlook, Google Calendar or any other calendar. Written with the
`icalendar` library, which escapes text, folds long lines and formats dates as the RFC
requires: a calendar that one client silently misreads is worse than none.

Each event's UID comes from the item's identity (person, kind, document, and the
version, period or stage), never from its date: importing the file again, or refreshing
a subscription, updates the event in place when a due date moves instead of adding a
second one.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from icalendar import Calendar, Event

from qmskit.domain.duties import KIND_LABELS, Agenda, Duty

PRODID = "-//qmskit//qmskit due//EN"


def event_uid(item: Duty) -> str:
    """The item's calendar UID: stable across runs and date changes, unique per person.

    Handles, document ids and keys contain no `/`, so the parts cannot run together.
    """
    return f"{item.handle}/{item.kind}/{item.doc_id}/{item.key}@qmskit"


def calendar_name(agenda: Agenda) -> str:
    """The name a calendar client shows for the subscription or import."""
    return f"Quality duties of {agenda.scope}" if agenda.scope else "Quality duties"


def _event(item: Duty, today: date, stamp: datetime, with_person: bool) -> Event:
    start = item.due or today  # due from the start (never reviewed, no data): today
    summary = f"{item.what}: {item.title}"
    if with_person:
        summary = f"[{item.handle}] {summary}"
    lines = [item.what, "", f"Document: {item.doc_id} — {item.title} ({item.path})",
             f"Due: {item.due or 'now'}" + (" (overdue)" if item.overdue else ""),
             f"For: {item.handle}" + (f" as {', '.join(item.roles)}" if item.roles else ""),
             "", f"How: {item.discharge}"]
    categories = ["QMS", KIND_LABELS[item.kind]] + (["overdue"] if item.overdue else [])
    event = Event()
    event.add("uid", event_uid(item))
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", "\n".join(lines))
    event.add("categories", categories)
    # A reminder, not an appointment: it does not make the person look busy.
    event.add("transp", "TRANSPARENT")
    return event


def due_ics(agenda: Agenda, stamp: datetime) -> bytes:
    """The agenda as an iCalendar file: one all-day event per item on its due date.

    `stamp` is the DTSTAMP of every event (when the file was generated: clients compare
    it to decide which copy of an event is newer). Summaries name the person when the
    calendar holds more than one person's items.
    """
    shown = agenda.items
    name = calendar_name(agenda)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-caldesc", f"What the quality management system expects, as of "
                            f"{agenda.today} (qmskit due)")
    with_person = len({item.handle for item in shown}) > 1 or agenda.scope is None
    for item in shown:
        cal.add_component(_event(item, agenda.today, stamp, with_person))
    return bytes(cal.to_ical())
