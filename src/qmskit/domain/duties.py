"""What each person owes the system: the due items behind `qmskit due`, the calendar and
the reminder issues.

A QMS runs in performance mode when the people who run the processes keep it current
between audits: owners review on time, KPI owners enter their numbers, readers
acknowledge new versions, action owners close actions and check their effectiveness,
auditors hold the audits they are scheduled for. The facts already exist (review and KPI
schedules, action states, acknowledgement obligations, the audit programme); this module
turns them into one list of `Duty` items per person, so that the CLI, the calendar, the
GitHub reminders and (later) the site's person pages all say the same thing.

People are handles. A role's items go to its holders; when a role has no holder, to its
deputy, so that nothing falls between two chairs while a post is vacant. Every item
names what discharges it: a qmskit command, or the field to edit in a record.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from qmskit.domain.acks import obligations
from qmskit.domain.records import action_state, record_date, role_handles
from qmskit.domain.schedule import kpi_status, review_status
from qmskit.domain.versions import approval
from qmskit.errors import QmsError
from qmskit.model.doc import Doc
from qmskit.model.documents import Action, Audit, Kpi, Role
from qmskit.model.kinds import field_label
from qmskit.model.types import Interval, handle_key
from qmskit.qms import Qms

DutyKind = Literal["review", "approve", "due", "kpi", "action", "effectiveness", "ack",
                   "audit"]

#: The order kinds are listed in when two items fall due on the same day.
DUTY_KINDS: tuple[DutyKind, ...] = ("review", "approve", "due", "kpi", "action",
                                    "effectiveness", "ack", "audit")

#: What a person does to discharge an item of each kind, in a few words (for headings).
KIND_LABELS: dict[str, str] = {
    "review": "document review",
    "approve": "approval",
    "due": "date due",
    "kpi": "KPI value",
    "action": "action",
    "effectiveness": "effectiveness check",
    "ack": "read and acknowledge",
    "audit": "internal audit",
}


@dataclass(frozen=True)
class Duty:
    """One thing one person owes the QMS, with its date and how to discharge it.

    `(handle, kind, doc_id, key)` identifies the item across runs: `key` is what makes
    this occurrence distinct (the version to review or acknowledge, the KPI period to
    enter, the stage of an action or audit), never its date, so an item whose date moves
    stays the same item (the same calendar event, the same line of a reminder).
    """

    handle: str
    kind: DutyKind
    doc_id: str
    key: str
    #: The document's title.
    title: str
    #: What is expected, as a short sentence ("Review PROC-CAL as its owner").
    what: str
    #: The day it is due; None when it was due from the start (never reviewed, no data).
    due: date | None
    overdue: bool
    #: The roles through which the person owes it (empty for an auditor named in person).
    roles: tuple[str, ...]
    #: The qmskit command that discharges it, or None when a record must be edited.
    command: str | None
    #: What to change in `path` when no command does it.
    edit: str | None
    #: The document's file, relative to the root.
    path: str

    @property
    def discharge(self) -> str:
        """How to discharge the item, as one line: the command, or the edit to make."""
        return self.command if self.command else f"edit {self.path}: {self.edit}"

    @property
    def ref(self) -> str:
        """The item's identity without the person: `kind/DOC-ID/key`."""
        return f"{self.kind}/{self.doc_id}/{self.key}"

    def sort_key(self) -> tuple[bool, date, int, str, str]:
        """Urgency: overdue first, then by due date; undated overdue items lead."""
        day = self.due or (date.min if self.overdue else date.max)
        return (not self.overdue, day, DUTY_KINDS.index(self.kind), self.doc_id, self.key)

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON output and digests."""
        return {
            "kind": self.kind, "id": self.doc_id, "key": self.key, "title": self.title,
            "what": self.what, "due": self.due.isoformat() if self.due else None,
            "overdue": self.overdue, "roles": list(self.roles), "command": self.command,
            "edit": self.edit, "discharge": self.discharge, "path": self.path,
        }


# ---------------------------------------------------------------------------- people


def responsible(role: Doc) -> tuple[str, ...]:
    """The handles who carry a role's items: its holders, else its deputy, else nobody.

    Unlike `records.role_handles` (who holds *or* deputises for a role, for questions
    such as "who may sign"), a deputy carries the role's duties only while nobody holds it.
    """
    model = role.model
    if role.status == "retired" or not isinstance(model, Role):
        return ()
    if model.holders:
        return tuple(dict.fromkeys(handle_key(h) for h in model.holders))
    return (handle_key(model.deputy),) if model.deputy else ()


def people_of_roles(qms: Qms) -> dict[str, tuple[str, ...]]:
    """Role id -> the handles who carry its items (see `responsible`)."""
    return qms.derive("duties:people", lambda: {
        doc.id: responsible(doc) for doc in qms.of_kind("role")})


def known_handles(qms: Qms) -> set[str]:
    """Every handle the QMS names: role holders and deputies, auditors, readers."""
    handles = set(role_handles(qms))
    for audit in qms.of_kind("audit"):
        if isinstance(audit.model, Audit):
            handles.update(handle_key(h) for h in audit.model.auditors)
    handles.update(o.handle for o in obligations(qms))
    return handles


def closest(name: str, candidates: Iterable[str], count: int = 3) -> list[str]:
    """The candidates most like `name`, for "did you mean" messages."""
    return difflib.get_close_matches(name, sorted(candidates), count, 0.5)


# ----------------------------------------------------------------------------- items


class _Collector:
    """Gathers items per (person, item), merging the roles when one person owes the same
    item through two roles (the owner role and the reviewing role, say)."""

    def __init__(self, qms: Qms) -> None:
        self.people = people_of_roles(qms)
        self.items: dict[tuple[str, str], Duty] = {}

    def add_for_roles(self, roles: Iterable[str | None], make: _Make) -> None:
        for role in dict.fromkeys(r for r in roles if r):
            for handle in self.people.get(role, ()):
                self.add(make(handle, (role,)))

    def add(self, duty: Duty) -> None:
        key = (duty.handle, duty.ref)
        held = self.items.get(key)
        if held is None:
            self.items[key] = duty
        elif not set(duty.roles) <= set(held.roles):
            merged = tuple(dict.fromkeys((*held.roles, *duty.roles)))
            self.items[key] = replace(held, roles=merged)


class _Make:
    """A Duty waiting for its person (so one description serves every holder)."""

    def __init__(self, kind: DutyKind, doc: Doc, key: str, what: str, due: date | None,
                 overdue: bool, *, command: str | None = None, edit: str | None = None) -> None:
        self.kind, self.doc, self.key, self.what = kind, doc, key, what
        self.due, self.overdue, self.command, self.edit = due, overdue, command, edit

    def __call__(self, handle: str, roles: tuple[str, ...]) -> Duty:
        command = self.command.replace("{handle}", handle) if self.command else None
        return Duty(handle, self.kind, self.doc.id, self.key, self.doc.title, self.what,
                    self.due, self.overdue, roles, command, self.edit, self.doc.path)


def _version(doc: Doc) -> str:
    return f"v{doc.model.version or 1}"


def _reviews(qms: Qms, out: _Collector, today: date, horizon: date) -> None:
    for doc in qms.documents.values():
        status = review_status(doc, qms.config, today)
        if status.state == "exempt":
            continue
        overdue = status.state in ("overdue", "never-reviewed")
        if not overdue and (status.due is None or status.due > horizon):
            continue
        review = doc.model.review
        owner = doc.model.owner
        by = review.by if review and review.by else owner
        who = (f"owner {owner}" if by == owner else f"owner {owner}, reviewer {by}")
        when = ("never reviewed" if status.state == "never-reviewed"
                else f"every {status.interval}")
        make = _Make("review", doc, _version(doc), f"Review {doc.id} ({who}; {when})",
                     status.due, overdue, command=f"qmskit review {doc.id} --by {by}" if by
                     else f"qmskit review {doc.id}")
        out.add_for_roles([owner, by], make)


def _approvals(qms: Qms, out: _Collector, today: date) -> None:
    """A version pending approval (rule A605) is owed by the approving role now.

    It is due `review_window` after it became pending (its review stamp, or the old
    approval when the stamp is older), so a revision that waits longer than the window
    shows as overdue; with neither date it is simply due.
    """
    for doc in qms.documents.values():
        record = approval(doc.model)
        if doc.status != "approved" or not record.pending or record.version is None \
                or record.version > record.current:
            continue  # an approved_version above the current one is a typo (A605)
        review = doc.model.review
        known = [d for d in (review.last if review else None, record.on) if d is not None]
        since = max(known) if known else None
        due = qms.config.review_window.after(since) if since else None
        by = record.by or doc.model.owner
        when = f"pending since {since}" if since else "pending"
        make = _Make("approve", doc, f"v{record.current}",
                     f"Approve version {record.current} of {doc.id} ({when}; the approval "
                     f"on record is for version {record.version})", due,
                     due is not None and due < today,
                     command=f"qmskit review {doc.id} --by {by} --approve" if by
                     else f"qmskit review {doc.id} --approve")
        out.add_for_roles([by], make)


def _declared_dues(qms: Qms, out: _Collector, today: date, horizon: date) -> None:
    """The `due` date of a declared kind (a calibration, a supplier evaluation) falls due
    like a review (rules C408, C409): owed by the owner's role when it is within the
    horizon or has passed. Drafts and retired documents owe nothing, as in the rules."""
    for doc in qms.documents.values():
        name = type(doc.model).due_field
        if name is None or doc.status != "approved":
            continue
        day = getattr(doc.model, name, None)
        if not isinstance(day, date) or day > horizon:
            continue
        out.add_for_roles([doc.model.owner], _Make(
            "due", doc, name, f"{field_label(name)} {day} for {doc.id}", day, day < today,
            edit=f"do what is due, then set {name} to the next date"))


def _kpis(qms: Qms, out: _Collector, today: date, horizon: date) -> None:
    for doc in qms.of_kind("kpi"):
        model = doc.model
        if doc.status != "approved" or not isinstance(model, Kpi):
            continue
        status = kpi_status(doc, qms.series.get(doc.id), qms.config)
        if status.recorded is None:
            make = _Make("kpi", doc, "first", f"Enter the first {model.frequency} value of "
                         f"{doc.id}", None, True,
                         command=f"qmskit kpi record {doc.id} VALUE --period PERIOD")
        else:
            # The period after the last one recorded, with a value or as n/a.
            if status.next_due is None or status.next_due > horizon or status.awaited is None:
                continue
            period = status.awaited.label
            make = _Make("kpi", doc, period, f"Enter {doc.id} for {period}", status.next_due,
                         status.next_due < today,
                         command=f"qmskit kpi record {doc.id} VALUE --period {period}")
        out.add_for_roles([model.owner], make)


def _actions(qms: Qms, out: _Collector, today: date, horizon: date) -> None:
    for doc in qms.of_kind("action"):
        model = doc.model
        if not isinstance(model, Action):
            continue
        state = action_state(doc, today)
        if state in ("draft", "retired"):
            continue
        if state in ("open", "overdue"):
            due = f" by {model.due}" if model.due else ""
            out.add_for_roles([model.owner], _Make(
                "action", doc, "close", f"Complete action {doc.id}{due}", model.due,
                state == "overdue", edit="set closed to the day it was completed"))
        check = model.effectiveness
        if check is not None and check.due is not None and check.checked is None \
                and check.due <= horizon:
            out.add_for_roles([model.owner], _Make(
                "effectiveness", doc, "check", f"Check whether action {doc.id} was effective",
                check.due, check.due < today,
                edit="set effectiveness.checked, result and evidence"))


def _acks(qms: Qms, out: _Collector, today: date) -> None:
    for owed in obligations(qms):
        if owed.status == "current":
            continue
        doc = qms.documents[owed.doc_id]
        again = " (you read an earlier one)" if owed.status == "outdated" else ""
        out.add(_Make("ack", doc, f"v{owed.version}",
                      f"Read and acknowledge version {owed.version} of {doc.id}{again}",
                      owed.due, owed.overdue(today),
                      command=f"qmskit ack {doc.id} --as {{handle}}")(
            owed.handle, owed.roles))


def _audits(qms: Qms, out: _Collector, today: date, horizon: date) -> None:
    for doc in qms.of_kind("audit"):
        model = doc.model
        day = record_date(doc)
        if (not isinstance(model, Audit) or model.type != "internal" or day is None
                or doc.status == "retired"):
            continue
        if today <= day <= horizon:
            scope = f" of {', '.join(model.scope)}" if model.scope else ""
            make = _Make("audit", doc, "hold", f"Hold internal audit {doc.id}{scope}", day,
                         False, edit="record the findings, then approve the report")
        elif day < today and doc.status == "draft":
            make = _Make("audit", doc, "report", f"Report internal audit {doc.id} "
                         f"(held {day})", day, True,
                         edit="record the findings and set status to approved")
        else:
            continue
        out.add_for_roles([model.owner], make)
        for auditor in model.auditors:
            out.add(make(handle_key(auditor), ()))


def duties(qms: Qms, today: date, within: Interval) -> list[Duty]:
    """Everything the QMS expects of everyone as of `today`, most urgent first.

    Reviews overdue or due within `within` (for the owner's and the reviewer's roles);
    versions pending approval (for the approving role); a declared kind's `due` date
    within `within` or passed (for the owner's role);
    the next KPI value due within `within`, or overdue; every open action; effectiveness
    checks due within `within`; acknowledgements owed; internal audits dated within
    `within` (for the owner's role and the auditors), or held but not yet reported.
    Memoised on the Qms per (today, within): the CLI, calendar and pages share it.
    """
    def compute() -> list[Duty]:
        horizon = within.after(today)
        out = _Collector(qms)
        _reviews(qms, out, today, horizon)
        _approvals(qms, out, today)
        _declared_dues(qms, out, today, horizon)
        _kpis(qms, out, today, horizon)
        _actions(qms, out, today, horizon)
        _acks(qms, out, today)
        _audits(qms, out, today, horizon)
        return sorted(out.items.values(), key=lambda d: (d.handle, d.sort_key()))

    return qms.derive(f"duties:{today}:{within}", compute)


def by_person(items: Iterable[Duty]) -> dict[str, list[Duty]]:
    """Handle -> that person's items, most urgent first; handles in alphabetical order."""
    grouped: dict[str, list[Duty]] = {}
    for item in items:
        grouped.setdefault(item.handle, []).append(item)
    return {h: sorted(grouped[h], key=Duty.sort_key) for h in sorted(grouped)}


def roles_of(qms: Qms, handle: str) -> list[str]:
    """The roles whose items `handle` carries (held, or deputised while vacant)."""
    return sorted(role for role, people in people_of_roles(qms).items() if handle in people)


@dataclass(frozen=True)
class Agenda:
    """What the renderers show: the items per person, and the frame they were chosen in."""

    today: date
    within: Interval
    #: Handle -> items, most urgent first (see `qmskit.domain.duties.by_person`).
    people: Mapping[str, Sequence[Duty]]
    #: Handle -> the roles whose items the person carries.
    roles: Mapping[str, Sequence[str]]
    #: What the list was narrowed to ("quality-lead", "ROLE-QM"), or None for everyone.
    scope: str | None = None

    @property
    def items(self) -> list[Duty]:
        """Every item, person by person."""
        return [item for items in self.people.values() for item in items]

    @property
    def overdue(self) -> int:
        """How many items are overdue."""
        return sum(item.overdue for item in self.items)


def agenda(qms: Qms, today: date, within: Interval, *, handle: str | None = None,
           role: str | None = None) -> Agenda:
    """The items of everyone, of one person (`handle`), or owed through one role.

    Raises QmsError for a handle or role the QMS does not name, with the closest ones:
    an empty list for a typo would read as "nothing is due".
    """
    items = duties(qms, today, within)
    scope = None
    if handle is not None:
        scope = handle_key(handle)
        if scope not in known_handles(qms):
            near = closest(scope, known_handles(qms))
            raise QmsError(f"no role holder, deputy, auditor or reader has the handle "
                           f"{scope!r}" + (f"; did you mean {', '.join(near)}?" if near else
                                          "; the handles are in the roles' holders"))
        items = [item for item in items if item.handle == scope]
    elif role is not None:
        scope = role
        roles = {doc.id for doc in qms.of_kind("role")}
        if role not in roles:
            near = closest(role, roles)
            raise QmsError(f"no role has the id {role!r}"
                           + (f"; did you mean {', '.join(near)}?" if near else ""))
        items = [item for item in items if role in item.roles]
    people = by_person(items)
    return Agenda(today, within, people, {h: roles_of(qms, h) for h in people}, scope)
