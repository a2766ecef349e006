"""`qmskit due --format ics`: the due items as an iCalendar file (RFC 5545).

One all-day event per item on its due date, so people see their QMS duties where they
plan their week, in Outlook, Google Calendar or any other calendar. Written with the
`icalendar` library, which escapes text, folds long lines and formats dates as the RFC
requires: a calendar that one client silently misreads is worse than none.

Each event's UID comes from the item's identity (person, kind, document, and the
version, period or stage), never from its date: importing the file again, or refreshing
a subscription, updates the event in place when a due date moves instead of adding a
second one. The UID's domain part is the QMS's namespace (`calendar_namespace`), so a
person who subscribes to the calendars of two QMSs (two sites of one company) gets two
events where both expect a review of a `PROC-PURCH`, not one event fought over.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, timedelta
from pathlib import Path

from icalendar import Calendar, Event

from qmskit.domain.duties import KIND_LABELS, Agenda, Duty
from qmskit.git.repo import GitRepo
from qmskit.git.run import GitError
from qmskit.qms import Qms

PRODID = "-//qmskit//qmskit due//EN"

# scheme://user:secret@host/path, user@host:path (scp-like), or a local path.
_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:[^@/]*@)?(?P<rest>.*?)(?:\.git)?/*$", re.I)


def _where(url: str) -> str:
    """A remote URL without scheme, credentials and `.git`, `host:path` as `host/path`:
    the https and ssh URLs of one repository give the same text."""
    match = _URL.match(url.strip())
    rest = match["rest"] if match else url
    return rest.replace(":", "/", 1).lower() if "://" not in url else rest.lower()


def calendar_namespace(qms: Qms) -> str:
    """The QMS's namespace in calendar UIDs: ten hex digits, the same on every clone.

    From the `origin` remote's URL (without credentials, https and ssh alike) and the
    QMS root's folder within the repository, so two QMSs in one repository differ too;
    without git or a remote, from the root folder's name. Hashed: a remote URL may hold
    a token, and nothing of it is shown. Uses the repository the QMS's git reader found
    when there is one (no git process then: the URL comes from the config file).
    """
    repo = qms.git.repo if qms.git is not None else None
    if repo is None:
        try:
            repo = GitRepo.at(qms.root)
        except GitError:
            repo = None
    url = repo.remote_url() if repo is not None else None
    if url and repo is not None:
        source = f"{_where(url)}/{repo.prefix.strip('/')}"
    else:
        source = Path(qms.root).resolve().name
    return hashlib.sha256(source.encode("utf-8", "surrogateescape")).hexdigest()[:10]


def event_uid(item: Duty, namespace: str) -> str:
    """The item's calendar UID: stable across runs and date changes, unique per person
    and QMS (`namespace`, from `calendar_namespace`).

    Handles, document ids and keys contain no `/`, so the parts cannot run together.
    """
    return f"{item.handle}/{item.kind}/{item.doc_id}/{item.key}@{namespace}.qmskit"


def calendar_name(agenda: Agenda) -> str:
    """The name a calendar client shows for the subscription or import."""
    return f"Quality duties of {agenda.scope}" if agenda.scope else "Quality duties"


def _event(item: Duty, today: date, stamp: datetime, with_person: bool,
           namespace: str) -> Event:
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
    event.add("uid", event_uid(item, namespace))
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    if start < date.max:  # an event on the calendar's last day lasts one day anyway
        event.add("dtend", start + timedelta(days=1))  # (RFC 5545 3.6.1)
    event.add("summary", summary)
    event.add("description", "\n".join(lines))
    event.add("categories", categories)
    # A reminder, not an appointment: it does not make the person look busy.
    event.add("transp", "TRANSPARENT")
    return event


def due_ics(agenda: Agenda, stamp: datetime, namespace: str) -> bytes:
    """The agenda as an iCalendar file: one all-day event per item on its due date.

    `stamp` is the DTSTAMP of every event (when the file was generated: clients compare
    it to decide which copy of an event is newer); `namespace` the QMS's part of every
    UID (`calendar_namespace`). Summaries name the person when the calendar holds more
    than one person's items.
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
        cal.add_component(_event(item, agenda.today, stamp, with_person, namespace))
    return bytes(cal.to_ical())
