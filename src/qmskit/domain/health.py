"""Performance mode or compliance mode? Five signs, measured from the repository.

A QMS run for the certificate shows the same five signs everywhere: it only gets
attention in the weeks before an audit; leadership holds a management review because
the standard says so and decides nothing; KPIs are collected without a line to strategy,
or not collected at all; improvement happens when an auditor or a failure forces it; and
the quality team is the only one touching the system. Each sign is measured here from
data the repository already holds (documents, records, KPI data and one pass over git
history) as numbers against thresholds, so "are we in performance mode?" is answered
from evidence rather than opinion.

`assess()` returns plain data (`HealthReport`) for the CLI (`qmskit health`) and the
site's health page; `format_text()` renders it for a terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from qmskit.config import HealthConfig
from qmskit.domain.acks import ledger_for
from qmskit.domain.adoption import is_adoption_commit
from qmskit.domain.approvals import signatures_of
from qmskit.domain.duties import responsible
from qmskit.domain.records import (
    PROACTIVE_SOURCES,
    REACTIVE_SOURCES,
    action_source,
    action_state,
    held,
    quality_team,
    record_date,
    review_coverage,
    review_inputs,
    role_handles,
    top_management,
    year_before,
)
from qmskit.git.history import Commit, History
from qmskit.model.doc import Doc
from qmskit.model.documents import Action, Audit, ManagementReview
from qmskit.model.types import handle_key
from qmskit.qms import Qms

Verdict = Literal["performance", "compliance", "unknown"]

# The thresholds are configuration (`[health]`, `qmskit.config.HealthConfig`): each is
# the line between "this sign is present" and "it is not", documented there with the
# reasons for its default.

#: The pre-audit weeks by default (sign 1), for readers that have no config at hand.
PRE_AUDIT_WEEKS = HealthConfig().pre_audit_weeks


@dataclass(frozen=True)
class Measure:
    """One measured indicator: its value against a threshold, and the verdict."""

    name: str
    value: float | None
    unit: str
    threshold: float
    comparison: Literal[">=", "<="]
    detail: str

    @property
    def verdict(self) -> Verdict:
        """performance when the value meets the threshold, compliance when it does not,
        unknown without data."""
        if self.value is None:
            return "unknown"
        ok = self.value >= self.threshold if self.comparison == ">=" else \
            self.value <= self.threshold
        return "performance" if ok else "compliance"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; field names are part of the public JSON output."""
        return {"name": self.name, "value": self.value, "unit": self.unit,
                "threshold": self.threshold, "comparison": self.comparison,
                "verdict": self.verdict, "detail": self.detail}


@dataclass(frozen=True)
class Sign:
    """One of the five signs of a QMS in compliance mode, with its measures."""

    number: int
    key: str
    title: str
    question: str
    measures: tuple[Measure, ...]

    @property
    def verdict(self) -> Verdict:
        """compliance when any measure shows the sign, unknown when none could be
        measured, performance otherwise."""
        verdicts = {m.verdict for m in self.measures}
        if "compliance" in verdicts:
            return "compliance"
        if verdicts <= {"unknown"}:
            return "unknown"
        return "performance"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"number": self.number, "key": self.key, "title": self.title,
                "question": self.question, "verdict": self.verdict,
                "measures": [m.to_dict() for m in self.measures]}


@dataclass(frozen=True)
class Activity:
    """One commit in the period, with the QMS files it changed (paths relative to root)."""

    commit: Commit
    paths: tuple[str, ...]


@dataclass
class GitActivity:
    """Commits in the period, a view of the one history; `available` False without git.

    `adoptions` are the commits that brought existing pages under qmskit
    (`qmskit.domain.adoption.is_adoption_commit`): a baseline, not activity, so they are
    not among `commits`.
    """

    available: bool
    reason: str = ""
    commits: list[Activity] = field(default_factory=list)
    adoptions: list[Activity] = field(default_factory=list)


@dataclass(frozen=True)
class HealthReport:
    """The five signs as of `today`, over the period from `since`.

    `activity` (changes and reviews per ISO week, by the week's Monday) and `audit_dates`
    are there for a timeline chart: the picture that makes sign 1 obvious.
    """

    today: date
    since: date
    signs: tuple[Sign, ...]
    git: GitActivity
    activity: tuple[tuple[date, int], ...] = ()
    audit_dates: tuple[date, ...] = ()
    #: The pre-audit weeks sign 1 was measured with (`[health] pre_audit_weeks`).
    pre_audit_weeks: int = PRE_AUDIT_WEEKS

    def count(self, verdict: Verdict) -> int:
        """How many signs have this verdict."""
        return sum(1 for s in self.signs if s.verdict == verdict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; the shape of `qmskit health --format json`."""
        return {
            "today": self.today.isoformat(), "since": self.since.isoformat(),
            "git": {"available": self.git.available, "reason": self.git.reason,
                    "commits": len(self.git.commits)},
            "summary": {v: self.count(v) for v in ("performance", "compliance", "unknown")},
            "signs": [s.to_dict() for s in self.signs],
            "activity": [{"week": week.isoformat(), "events": n} for week, n in self.activity],
            "audit_dates": [day.isoformat() for day in self.audit_dates],
        }


# ------------------------------------------------------------------------------ git


def activity(history: History, since: date, today: date,
             blobs: Callable[[list[str]], list[bytes | None]] | None = None) -> GitActivity:
    """Commits (merges aside) that changed the QMS folders, authored between `since` and
    `today`: a view of the QMS's one git history.

    With `blobs` (reads blob contents by id, as `GitReader.blobs`), the commits that
    adopted qmskit (`is_adoption_commit`) are set apart as `adoptions`: adding front
    matter to pages git has known for years is a baseline, not a burst of activity.
    """
    if not history.available:
        return GitActivity(False, history.reason)
    found = []
    for commit in history.commits:
        if commit.parents <= 1 and since <= commit.day <= today:
            paths = history.paths_of(commit)
            if paths:
                found.append(Activity(commit, paths))
    if blobs is None or not found:
        return GitActivity(True, "", found)
    sides = {item.commit.sha: [(path, *history.blobs(item.commit, path)) for path in item.paths]
             for item in found}
    ids = list(dict.fromkeys(blob for changes in sides.values() for _, *pair in changes
                             for blob in pair if blob is not None))
    contents = dict(zip(ids, blobs(ids), strict=True))
    adopted = {sha for sha, changes in sides.items()
               if is_adoption_commit((path, contents.get(old) if old else None,
                                      contents.get(new) if new else None)
                                     for path, old, new in changes)}
    return GitActivity(True, "", [a for a in found if a.commit.sha not in adopted],
                       [a for a in found if a.commit.sha in adopted])


# ---------------------------------------------------------------------------- helpers


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _in(day: date | None, since: date, today: date) -> bool:
    return day is not None and since <= day <= today


#: Details name at most this many documents (a 10,000-document QMS must stay readable).
MAX_NAMED = 10


def _ids(docs: Iterable[Doc]) -> str:
    return _names(d.id for d in docs)


def _names(names: Iterable[str]) -> str:
    ids = list(names)
    more = f" and {len(ids) - MAX_NAMED} more" if len(ids) > MAX_NAMED else ""
    return ", ".join(ids[:MAX_NAMED]) + more


# ------------------------------------------------------------------------------ signs


def _events(qms: Qms, since: date, today: date, git: GitActivity) -> set[tuple[date, str]]:
    """Review and edit activity as (day, path) pairs: commits, and review stamps."""
    events = {(c.commit.day, path) for c in git.commits for path in c.paths}
    for doc in qms.documents.values():
        review = doc.model.review
        if review is not None and _in(review.last, since, today):
            assert review.last is not None
            events.add((review.last, doc.path))
    return events


def _audits_near(qms: Qms, since: date, today: date) -> list[Doc]:
    """Audits (internal or external) whose pre-audit weeks overlap the period."""
    rush = timedelta(weeks=qms.config.health.pre_audit_weeks)
    return [d for d in qms.of_kind("audit")
            if d.status != "retired" and isinstance(d.model, Audit)
            and (day := d.model.date) is not None and since <= day <= today + rush]


def sign_audit_rush(qms: Qms, since: date, today: date, git: GitActivity,
                    events: set[tuple[date, str]]) -> Sign:
    """Sign 1: the system only gets attention before audits."""
    limits = qms.config.health
    weeks = limits.pre_audit_weeks
    rush = timedelta(weeks=weeks)
    audits = _audits_near(qms, since, today)
    window: set[date] = set()
    for audit in audits:
        assert isinstance(audit.model, Audit) and audit.model.date is not None
        start = max(audit.model.date - rush, since)
        end = min(audit.model.date, today)
        window |= {start + timedelta(days=n) for n in range((end - start).days + 1)}
    total_days = (today - since).days + 1
    source = "git commits and review stamps" if git.available else \
        f"review stamps only ({git.reason})"
    if git.adoptions:
        source += (f"; {len(git.adoptions)} commit{'s' if len(git.adoptions) > 1 else ''} "
                   "adopting existing pages not counted")
    if not audits:
        concentration = Measure(
            "pre-audit concentration", None, "x", limits.max_pre_audit_concentration, "<=",
            "no audit dated in the period, so activity cannot be compared with audit dates")
    elif not events:
        concentration = Measure("pre-audit concentration", None, "x",
                                limits.max_pre_audit_concentration, "<=",
                                f"no review or edit activity in the period ({source})")
    else:
        inside = sum(1 for day, _ in events if day in window)
        share, coverage = inside / len(events), len(window) / total_days
        dates = _names(f"{a.id} ({a.model.date})" for a in audits
                       if isinstance(a.model, Audit))
        concentration = Measure(
            "pre-audit concentration", round(share / coverage, 2), "x",
            limits.max_pre_audit_concentration, "<=",
            f"{share * 100:.0f} % of {len(events)} changes and reviews ({source}) fell in "
            f"the {weeks} weeks before an audit ({dates}); those weeks are "
            f"{coverage * 100:.0f} % of the period, so an even spread gives 1.0x")
    months = {(day.year, day.month) for day, _ in events}
    active = Measure(
        "months with QMS activity", float(min(len(months), 12)) if events else None, "",
        limits.min_active_months, ">=",
        f"of the last 12 months, months in which a document was changed or reviewed "
        f"({source})" if events else f"no review or edit activity in the period ({source})")
    return Sign(1, "audit-rush", "Attention only before audits",
                "Is the system reviewed and changed all year, or in a burst before audits?",
                (concentration, active))


def sign_leadership(qms: Qms, since: date, today: date) -> Sign:
    """Sign 2: leadership engagement in management reviews."""
    limits = qms.config.health
    reviews = [d for d in held(qms, "review", today) if _in(record_date(d), since, today)]
    top = top_management(qms)
    count = Measure("management reviews held", float(len(reviews)), "", limits.min_reviews,
                    ">=",
                    f"approved reviews dated in the period: {_ids(reviews) or 'none'}")
    attended, decided, evidenced = [], [], []
    for doc in reviews:
        model = doc.model
        assert isinstance(model, ManagementReview)
        if top & set(model.attendees):
            attended.append(doc)
        if any(t in qms.documents and qms.documents[t].kind == "action"
               for t in model.decisions):
            decided.append(doc)
        evidenced.append(len(review_coverage(qms, doc).evidenced))
    n = len(reviews)
    attendance = Measure(
        "reviews attended by top management", _pct(len(attended), n), "%",
        limits.min_top_attendance, ">=",
        f"{len(attended)} of {n} reviews had {_names(sorted(top)) or 'a top-management role'}"
        " among the attendees" if n else "no review in the period")
    decisions = Measure(
        "reviews whose decisions became actions", _pct(len(decided), n), "%",
        limits.min_reviews_with_actions, ">=",
        f"{len(decided)} of {n} reviews list at least one action in 'decisions'" if n
        else "no review in the period")
    asked = review_inputs(qms)  # the default standard's list: 9.3.2, or 13485's 5.6.2
    inputs_total = len(asked.keys)
    mean = round(100.0 * sum(evidenced) / (n * inputs_total), 1) if n else None
    inputs = Measure(
        f"ISO {asked.clause} inputs backed by records", mean, "%",
        limits.min_evidenced_inputs, ">=",
        "per review: " + ", ".join(f"{d.id} {k} of {inputs_total}"
                                   for d, k in zip(reviews, evidenced, strict=True))
        + " inputs evidenced by linked records" if n else "no review in the period")
    return Sign(2, "leadership", "Leadership engagement",
                "Does top management hold reviews with real inputs, and decide things?",
                (count, attendance, decisions, inputs))


def sign_strategy(qms: Qms, today: date) -> Sign:
    """Sign 3: KPIs disconnected from strategy (or not measured)."""
    from qmskit.domain.schedule import kpi_status

    limits = qms.config.health
    traced = qms.graph.traced_to_strategy()
    kpis = [d for d in qms.of_kind("kpi") if d.status == "approved"]
    objectives = [d for d in qms.of_kind("objective") if d.status == "approved"]
    kpis_traced = [d for d in kpis if d.id in traced]
    objectives_traced = [d for d in objectives if d.id in traced]
    current = []
    for doc in kpis:
        status = kpi_status(doc, qms.series.get(doc.id), qms.config)
        if status.recorded is not None and status.next_due is not None \
                and status.next_due >= today:
            current.append(doc)

    def untraced(all_docs: list[Doc], good: list[Doc], what: str) -> str:
        good_ids = {d.id for d in good}
        missing = [d for d in all_docs if d.id not in good_ids]
        return f"; {what}: {_ids(missing)}" if missing else ""

    return Sign(3, "strategy", "KPIs disconnected from strategy",
                "Do the measures lead to strategy, and are they kept up to date?", (
                    Measure("KPIs on a path to strategy", _pct(len(kpis_traced), len(kpis)),
                            "%", limits.min_traced, ">=",
                            f"{len(kpis_traced)} of {len(kpis)} approved KPIs"
                            + untraced(kpis, kpis_traced, "not traced")),
                    Measure("objectives on a path to strategy",
                            _pct(len(objectives_traced), len(objectives)), "%", limits.min_traced,
                            ">=", f"{len(objectives_traced)} of {len(objectives)} approved "
                            "objectives" + untraced(objectives, objectives_traced,
                                                    "not traced")),
                    Measure("KPIs with current data", _pct(len(current), len(kpis)), "%",
                            limits.min_current_data, ">=",
                            f"{len(current)} of {len(kpis)} approved KPIs have their latest "
                            "period recorded in time" + untraced(kpis, current, "overdue")),
                ))


def sign_reactive(qms: Qms, since: date, today: date) -> Sign:
    """Sign 4: improvement only reacts to audit findings and nonconformities."""
    # Proposals (drafts) and withdrawn actions were never raised: `action_state` decides.
    actions = [d for d in qms.of_kind("action")
               if action_state(d, today) not in ("draft", "retired")
               and _in(record_date(d), since, today)]
    by_source: dict[str, int] = {}
    for doc in actions:
        assert isinstance(doc.model, Action)
        source = action_source(qms, doc) or "unknown"
        by_source[source] = by_source.get(source, 0) + 1
    proactive = sum(n for s, n in by_source.items() if s in PROACTIVE_SOURCES)
    reactive = sum(n for s, n in by_source.items() if s in REACTIVE_SOURCES)
    mix = ", ".join(f"{s} {n}" for s, n in sorted(by_source.items()))
    return Sign(4, "reactive", "Reactive improvement",
                "Is improvement raised from the organisation's own monitoring, or only from "
                "audits and failures?", (
                    Measure("actions raised proactively", _pct(proactive, len(actions)), "%",
                            qms.config.health.min_proactive, ">=",
                            f"{proactive} proactive, {reactive} reactive of {len(actions)} "
                            f"actions opened in the period ({mix})" if actions
                            else "no action opened in the period"),
                ))


@dataclass
class Participation:
    """Who took part in the system in the period, and how: the evidence behind sign 5.

    `people` maps a person to what they did: a handle (lower case, without `@`) when the
    evidence names one, else the git identity (e-mail address or author name) of a
    commit author who matches no handle. `roles` maps a role id to what was done in it.
    """

    people: dict[str, set[str]] = field(default_factory=dict)
    roles: dict[str, set[str]] = field(default_factory=dict)
    #: Identities that match no role holder's handle (counted, never shown).
    unmatched: set[str] = field(default_factory=set)

    def person(self, who: str, how: str) -> None:
        """Record that `who` (a handle or identity) took part by `how`."""
        self.people.setdefault(who, set()).add(how)

    def role(self, role_id: str, how: str) -> None:
        """Record that something was done in the role `role_id`."""
        self.roles.setdefault(role_id, set()).add(how)


def _stamps(qms: Qms, since: date, today: date) -> Iterable[tuple[str, str]]:
    """(role, what) for every discharge the front matter records in the period: review
    stamps, approvals, actions closed and effectiveness checks."""
    for doc in qms.documents.values():
        model = doc.model
        review = model.review
        if review is not None and _in(review.last, since, today):
            by = review.by or model.owner
            if by:
                yield by, "reviewed"
        if model.approved_by and _in(model.approved_on, since, today):
            yield model.approved_by, "approved"
        if isinstance(model, Action) and model.owner:
            if _in(model.closed, since, today):
                yield model.owner, "closed an action"
            check = model.effectiveness
            if check is not None and _in(check.checked, since, today):
                yield model.owner, "checked effectiveness"


def participation(qms: Qms, since: date, today: date, git: GitActivity) -> Participation:
    """Everyone who took part in the system between `since` and `today`, with the
    evidence: the people and roles sign 5 counts, as `sign_ownership` defines them."""
    handles = role_handles(qms)
    roles = {d.id for d in qms.of_kind("role") if d.status != "retired"}
    found = Participation()

    def as_person(name: str, how: str, identity: str | None = None) -> None:
        key = handle_key(name)
        if key in handles:
            found.person(key, how)
            for role in handles[key]:
                found.role(role, how)
        elif identity or key:
            found.person(identity or key, how)
            found.unmatched.add(identity or key)

    kpi_owner = {path: qms.documents[kpi].model.owner
                 for kpi, path in qms.series_paths.items() if kpi in qms.documents}
    signed_for: list[tuple[str, str]] = []  # (role, how) of signatures naming no person
    for entry in git.commits:
        commit = entry.commit
        author = next((n for n in (commit.author, commit.email.split("@", 1)[0])
                       if handle_key(n) in handles), None)
        as_person(author or commit.author, "committed",
                  None if author else (commit.email.lower() or commit.author.lower()))
        for signature in signatures_of(commit):
            how = f"signed ({signature.meaning})"
            if signature.role is None and signature.who in roles:
                signed_for.append((signature.who, how))  # `Reviewed-by: ROLE-OPS`
                continue
            as_person(signature.who, how)
            if signature.role in roles:
                found.role(signature.role, how)
        for path in entry.paths:
            owner = kpi_owner.get(path)
            if owner:
                found.role(owner, "entered KPI values")
    for ack in ledger_for(qms).acks:
        if _in(ack.day, since, today):
            as_person(ack.handle, "acknowledged")
    carried = {d.id: responsible(d) for d in qms.of_kind("role")}
    for role, how in [*signed_for, *_stamps(qms, since, today)]:
        if role not in roles:
            continue
        found.role(role, how)
        people = carried.get(role, ())
        if len(people) == 1:
            # In the role's capacity only: the person's other roles did nothing here.
            found.person(people[0], how)
    for doc in qms.of_kind("action"):
        if doc.model.owner in roles and _in(record_date(doc), since, today):
            found.role(doc.model.owner, "owns a new action")
    return found


def sign_ownership(qms: Qms, since: date, today: date, git: GitActivity) -> Sign:
    """Sign 5: ISO as extra work for the quality team only.

    Counts the people, and the share of roles, beyond the quality team who took part in
    the system in the twelve months: not only who committed, but who discharged what
    the QMS expects of them, wherever it is recorded (trailers, the ledger, the front
    matter's stamps), because a quality team that commits on others' behalf must not
    hide the process owners who did the work. Precisely (`participation`):

    A **person** takes part when, in the period, they
    1. authored a commit (merges aside) that changed the QMS folders: documents, KPI
       data files (a KPI value entered), the acknowledgement ledger; the author is
       matched to a handle by name or by the e-mail address's local part;
    2. are named in a `Reviewed-by`, `Approved-by` or `Acknowledged-by` trailer of such a
       commit (`Approved-by: ROLE-MD (managing-director)`): they signed, whoever
       committed;
    3. acknowledged a version in the read-and-understood ledger (a row dated in the
       period), whoever entered the row;
    4. are the one person who carries a role (its only holder, or its deputy while it
       has none: `qmskit.domain.duties.responsible`) whose stamp in the front matter
       records, in the period, a review (`review.last`, by `review.by` or else the
       owner), an approval (`approved_on`, by `approved_by`), an action closed
       (`closed`) or an effectiveness check (`effectiveness.checked`) by the action's
       owner; or a trailer that names only a role (`Reviewed-by: ROLE-OPS`). A stamp
       names a role; a role with one person names that person, a role with several
       names nobody in particular.

    A **role** takes part when, in the period, a person of 1-3 holds or deputises for
    it; a trailer names it as the role signed for; a stamp of 4 names it (however many
    people hold it); a commit changed the data file of a KPI it owns (a KPI value
    entered); or it owns an action opened in the period.

    Beyond the quality team (`quality_team`): a person who holds and deputises for no
    quality-team role (an identity that matches no handle is beyond it), a role that is
    not one of the team's. Without git history the people count is a lower bound (1 and
    2 are not seen): it is reported when it already meets the threshold, and as not
    measurable otherwise.
    """
    limits = qms.config.health
    team = quality_team(qms)
    handles = role_handles(qms)
    roles = {d.id for d in qms.of_kind("role") if d.status != "retired"}
    beyond_roles = roles - team
    found = participation(qms, since, today, git)
    people = {who: how for who, how in found.people.items()
              if not handles.get(who, set()) & team}
    joined = sorted(set(found.roles) & beyond_roles)
    team_text = _names(sorted(team)) or "none detected"
    # Handles are public in the role documents; other identities are only counted.
    known = sorted(who for who in people if who not in found.unmatched)
    unmatched = len(people) - len(known)
    who = _names(f"{h} ({', '.join(sorted(people[h]))})" for h in known) + (
        f"{' and ' if known else ''}{unmatched} not matching a role holder's handle"
        if unmatched else "")
    count: float | None = float(len(people))
    evidence = ("commits, trailer signatures, acknowledgements and the stamps of roles "
                "with one holder")
    if not git.available:
        evidence = ("acknowledgements and the stamps of roles with one holder (git "
                    f"history not available: {git.reason})")
        if len(people) < limits.min_people_beyond:
            count = None
            evidence += f"; at least {len(people)}, the rest cannot be counted"
    return Sign(5, "ownership", "ISO as the quality team's extra work",
                "Do people and roles beyond the quality team take part in the system?", (
                    Measure("people beyond the quality team taking part", count, "",
                            limits.min_people_beyond, ">=",
                            f"people outside the quality team ({team_text}) who took part "
                            f"in the period, from {evidence}" + (f": {who}" if people else "")),
                    Measure("roles beyond the quality team taking part",
                            _pct(len(joined), len(beyond_roles)), "%", limits.min_roles_beyond,
                            ">=",
                            f"{len(joined)} of {len(beyond_roles)} roles changed, signed, "
                            "reviewed or approved documents, entered KPI values, closed or "
                            f"own new actions: {_names(joined)}"
                            if beyond_roles else "no roles beyond the quality team"),
                ))


def assess(qms: Qms, today: date, git: GitActivity | None = None) -> HealthReport:
    """The five signs for `qms` as of `today`, over the preceding twelve months.

    `git` is read from the QMS's one history (`Qms.history`) unless given.
    """
    since = year_before(today)
    if git is None:
        reader = qms.git
        git = activity(qms.history(since=since), since, today,
                       reader.blobs if reader is not None else None)
    events = _events(qms, since, today, git)
    weeks: dict[date, int] = {}
    for day, _ in events:
        monday = day - timedelta(days=day.weekday())
        weeks[monday] = weeks.get(monday, 0) + 1
    signs = (
        sign_audit_rush(qms, since, today, git, events),
        sign_leadership(qms, since, today),
        sign_strategy(qms, today),
        sign_reactive(qms, since, today),
        sign_ownership(qms, since, today, git),
    )
    audit_dates = sorted({d.model.date for d in _audits_near(qms, since, today)
                          if isinstance(d.model, Audit) and d.model.date is not None})
    return HealthReport(today, since, signs, git, tuple(sorted(weeks.items())),
                        tuple(audit_dates), qms.config.health.pre_audit_weeks)
