"""What the record kinds mean: risks, actions, nonconformities, audits, management reviews.

The R rules, the management review pack and the health diagnostic all ask the same
questions of the records: is this action overdue, why was it raised, which review inputs
(ISO 9001 9.3.2, ISO 13485 5.6.2) did that review consider, when was this process last
audited, who is top management and who is the quality team. The answers live here, once,
as plain functions over a loaded `Qms`, so that a rule, a report and a health sign can
never disagree.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from qmskit.model.clauses import declared, name_key, short_name
from qmskit.model.doc import Doc
from qmskit.model.documents import (
    Action,
    Audit,
    Document,
    Kpi,
    ManagementReview,
    Nonconformity,
    Risk,
    Role,
)
from qmskit.model.types import REVIEW_INPUT_KEYS, handle_key
from qmskit.qms import Qms

PROCESS_KINDS = frozenset({"process", "procedure"})


@dataclass(frozen=True)
class ReviewInput:
    """One input a standard requires a management review to take into consideration."""

    key: str
    #: The clause and item: `9.3.2 c) 1`, `5.6.2 h)`.
    clause: str
    title: str


#: The ISO 9001:2015 9.3.2 inputs, in the standard's order.
ISO_REVIEW_INPUTS: tuple[ReviewInput, ...] = (
    ReviewInput("previous-actions", "9.3.2 a)",
                "Status of actions from previous management reviews"),
    ReviewInput("context-changes", "9.3.2 b)",
                "Changes in external and internal issues relevant to the QMS"),
    ReviewInput("customer-feedback", "9.3.2 c) 1",
                "Customer satisfaction and feedback from relevant interested parties"),
    ReviewInput("objectives", "9.3.2 c) 2", "Extent to which quality objectives have been met"),
    ReviewInput("process-performance", "9.3.2 c) 3",
                "Process performance and conformity of products and services"),
    ReviewInput("nonconformities", "9.3.2 c) 4", "Nonconformities and corrective actions"),
    ReviewInput("monitoring-results", "9.3.2 c) 5", "Monitoring and measurement results"),
    ReviewInput("audit-results", "9.3.2 c) 6", "Audit results"),
    ReviewInput("supplier-performance", "9.3.2 c) 7", "Performance of external providers"),
    ReviewInput("resources", "9.3.2 d)", "Adequacy of resources"),
    ReviewInput("risks", "9.3.2 e)",
                "Effectiveness of actions taken to address risks and opportunities"),
    ReviewInput("improvement", "9.3.2 f)", "Opportunities for improvement"),
)

#: The ISO 13485:2016 5.6.2 inputs, in the standard's order. Keys that mean what an ISO
#: 9001 key means are shared (feedback is `customer-feedback`, audits `audit-results`,
#: monitoring of processes `process-performance`, follow-up actions `previous-actions`,
#: changes that could affect the QMS `context-changes`, recommendations for improvement
#: `improvement`), so a record and a `covers:` list keep their meaning in a QMS that
#: moves from one standard to the other; the others are new keys.
ISO13485_REVIEW_INPUTS: tuple[ReviewInput, ...] = (
    ReviewInput("customer-feedback", "5.6.2 a)", "Feedback"),
    ReviewInput("complaint-handling", "5.6.2 b)", "Complaint handling"),
    ReviewInput("regulatory-reporting", "5.6.2 c)", "Reporting to regulatory authorities"),
    ReviewInput("audit-results", "5.6.2 d)", "Audits"),
    ReviewInput("process-performance", "5.6.2 e)", "Monitoring and measurement of processes"),
    ReviewInput("product-monitoring", "5.6.2 f)", "Monitoring and measurement of product"),
    ReviewInput("corrective-action", "5.6.2 g)", "Corrective action"),
    ReviewInput("preventive-action", "5.6.2 h)", "Preventive action"),
    ReviewInput("previous-actions", "5.6.2 i)",
                "Follow-up actions from previous management reviews"),
    ReviewInput("context-changes", "5.6.2 j)", "Changes that could affect the QMS"),
    ReviewInput("improvement", "5.6.2 k)", "Recommendations for improvement"),
    ReviewInput("regulatory-requirements", "5.6.2 l)",
                "Applicable new or revised regulatory requirements"),
)


@dataclass(frozen=True)
class ReviewInputs:
    """The management review inputs of one standard, and where it puts them."""

    #: The standard's short name, `ISO 13485`.
    standard: str
    #: The clause of management review (`9.3`), of its inputs (`9.3.2`), of its outputs.
    review: str
    clause: str
    outputs: str
    items: tuple[ReviewInput, ...]
    #: Headings of grouped items by their letter (ISO 9001's `c)`).
    groups: tuple[tuple[str, str], ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        """The input keys, in the standard's order."""
        return tuple(item.key for item in self.items)

    def item(self, key: str) -> ReviewInput:
        """The input of a key."""
        return next(item for item in self.items if item.key == key)

    def label(self, item: ReviewInput) -> str:
        """The item without its clause: `c) 1`, `h)`."""
        return item.clause.removeprefix(self.clause + " ")


ISO9001_INPUTS = ReviewInputs("ISO 9001", "9.3", "9.3.2", "9.3.3", ISO_REVIEW_INPUTS,
                              (("c)", "Performance and effectiveness of the QMS"),))
ISO13485_INPUTS = ReviewInputs("ISO 13485", "5.6", "5.6.2", "5.6.3", ISO13485_REVIEW_INPUTS)
#: The standards whose review inputs qmskit knows, by short name.
REVIEW_INPUT_SETS: dict[str, ReviewInputs] = {"ISO 9001": ISO9001_INPUTS,
                                              "ISO 13485": ISO13485_INPUTS}
#: Every input of every standard, by key (the first standard's wording for a shared key).
REVIEW_INPUTS: dict[str, ReviewInput] = {}
for _inputs in REVIEW_INPUT_SETS.values():
    for _item in _inputs.items:
        REVIEW_INPUTS.setdefault(_item.key, _item)
assert set(REVIEW_INPUTS) == set(REVIEW_INPUT_KEYS), "keep ReviewInputKey and the tables in step"


def review_inputs(qms: Qms) -> ReviewInputs:
    """The management review inputs of the QMS's default standard.

    ISO 13485's (5.6.2) when it is the default standard, ISO 9001's (9.3.2) otherwise:
    a standard from a catalogue file brings clauses, not a list of review inputs.
    """
    return REVIEW_INPUT_SETS.get(short_name(qms.config.default_standard), ISO9001_INPUTS)


#: Action sources that come from the organisation's own monitoring (performance mode).
PROACTIVE_SOURCES = frozenset({"kpi-trend", "risk", "management-review", "proactive-idea"})
#: Action sources that react to a failure or to an auditor (compliance mode if dominant).
REACTIVE_SOURCES = frozenset({"nonconformity", "audit-finding"})

#: Clauses a document declares that say which review input it informs (prefix match:
#: "ISO 9001:8.4" covers 8.4.1 and 8.4.2). A KPI with ISO 9001 9.1.2 is customer
#: feedback, one with ISO 13485 8.2.2 complaint handling, and so on.
CLAUSE_INPUTS: tuple[tuple[str, str], ...] = (
    ("ISO 9001:4.1", "context-changes"),
    ("ISO 9001:4.2", "context-changes"),
    ("ISO 9001:9.1.2", "customer-feedback"),
    ("ISO 9001:8.2.1", "customer-feedback"),
    ("ISO 9001:8.4", "supplier-performance"),
    ("ISO 9001:7.1", "resources"),
    ("ISO 9001:7.2", "resources"),
    ("ISO 13485:8.2.1", "customer-feedback"),
    ("ISO 13485:7.2.3", "customer-feedback"),
    ("ISO 13485:8.2.2", "complaint-handling"),
    ("ISO 13485:8.2.3", "regulatory-reporting"),
    ("ISO 13485:8.2.4", "audit-results"),
    ("ISO 13485:8.2.5", "process-performance"),
    ("ISO 13485:8.2.6", "product-monitoring"),
    ("ISO 13485:8.5.2", "corrective-action"),
    ("ISO 13485:8.5.3", "preventive-action"),
    ("ISO 13485:8.5.1", "improvement"),
    ("ISO 13485:7.4", "supplier-performance"),
    ("ISO 13485:6", "resources"),
)


#: Clauses on internal audit, in the standards qmskit knows.
AUDIT_CLAUSES = ("ISO 9001:9.2", "ISO 13485:8.2.4")


def has_clause(model: Document, prefixes: Iterable[str], default: str) -> bool:
    """True when the document declares a clause equal to or under one of `prefixes`.

    Prefixes name their standard (`ISO 9001:9.2`); the document's bare numbers are
    clauses of `default`, the QMS's default standard.
    """
    wanted = [(name_key(standard), number) for standard, number in map(split_prefix, prefixes)]
    return any(standard == s and (number == p or number.startswith(p + "."))
               for standard, number in declared(model.clauses, default)
               for s, p in wanted)


def split_prefix(prefix: str) -> tuple[str, str]:
    """`ISO 9001:9.2` -> (`ISO 9001`, `9.2`)."""
    standard, _, number = prefix.rpartition(":")
    return standard, number


def clause_inputs(model: Document, default: str) -> set[str]:
    """The review inputs a document informs by the clauses it declares."""
    return {key for prefix, key in CLAUSE_INPUTS if has_clause(model, (prefix,), default)}


# ---------------------------------------------------------------------------- dates


def year_before(today: date) -> date:
    """The same day twelve months earlier (clamped at month end): the default period of
    the health diagnostic and of a review pack with no previous review."""
    if today.year == date.min.year:
        return date.min
    day = min(today.day, calendar.monthrange(today.year - 1, today.month)[1])
    return date(today.year - 1, today.month, day)


def record_date(doc: Doc) -> date | None:
    """When a record happened: audit/review/nonconformity `date`, action `opened`, else
    `approved_on` (approval is when a record is raised)."""
    model = doc.model
    if isinstance(model, Audit | ManagementReview | Nonconformity) and model.date is not None:
        return model.date
    if isinstance(model, Action) and model.opened is not None:
        return model.opened
    return model.approved_on


# --------------------------------------------------------------------------- actions

ActionState = Literal["open", "overdue", "closed", "draft", "retired"]

#: Which link into an action says why it was raised, strongest first.
_SOURCE_BY_INCOMING = (
    ("actions", "nonconformity"),
    ("findings", "audit-finding"),
    ("decisions", "management-review"),
    ("treated_by", "risk"),
)
_SOURCE_BY_ORIGIN_KIND = {
    "kpi": "kpi-trend", "objective": "kpi-trend", "risk": "risk",
    "nonconformity": "nonconformity", "audit": "audit-finding", "review": "management-review",
}


def action_source(qms: Qms, doc: Doc) -> str | None:
    """Why an action was raised: its `source`, else what the links into it say.

    An action listed in a nonconformity's `actions` came from a nonconformity, one in an
    audit's `findings` from an audit finding, and so on; `origin` decides the rest.
    """
    model = doc.model
    assert isinstance(model, Action)
    if model.source is not None:
        return model.source
    fields = {link.field for link in qms.graph.incoming(doc.id)}
    for field_name, source in _SOURCE_BY_INCOMING:
        if field_name in fields:
            return source
    if model.origin is not None and model.origin in qms.documents:
        return _SOURCE_BY_ORIGIN_KIND.get(qms.documents[model.origin].kind)
    return None


def is_proactive(source: str | None) -> bool | None:
    """True for proactive sources, False for reactive ones, None when unknown."""
    if source in PROACTIVE_SOURCES:
        return True
    if source in REACTIVE_SOURCES:
        return False
    return None


#: How each state reads to people; a draft action is a proposal, not yet an action.
ACTION_STATE_LABELS: dict[str, str] = {
    "open": "open", "overdue": "overdue", "closed": "closed", "draft": "proposed",
    "retired": "retired",
}


def action_state(doc: Doc, today: date) -> ActionState:
    """open, overdue (past `due`, not closed), closed, draft (proposed) or retired.

    The one answer to "where does this action stand": R502 and R503, the review pack,
    `qmskit health` and every page of the handbook ask here, so a draft (a proposal
    nobody has approved) is never shown or counted as open or overdue anywhere.
    """
    model = doc.model
    assert isinstance(model, Action)
    if doc.status == "retired":
        return "retired"
    if model.closed is not None:
        return "closed"
    if doc.status == "draft":
        return "draft"
    if model.due is not None and model.due < today:
        return "overdue"
    return "open"


def effectiveness_gap(model: Action) -> str | None:
    """Why a closed action's effectiveness check is missing or failed; None when it passed."""
    check = model.effectiveness
    if check is None:
        return "records no effectiveness check"
    if check.checked is None:
        planned = f" (it was planned for {check.due})" if check.due else ""
        return f"has an effectiveness check that was never done{planned}"
    if check.result is None:
        return f"has an effectiveness check on {check.checked} with no result"
    if check.result == "not-effective":
        return f"was found not effective on {check.checked}"
    return None


# ----------------------------------------------------------------------------- risks


def risk_score(model: Risk) -> int | None:
    """likelihood x impact, or None while the risk is not rated."""
    if model.likelihood is None or model.impact is None:
        return None
    return model.likelihood * model.impact


def is_high_risk(model: Risk, threshold: int) -> bool:
    """A risk (not an opportunity) rated at or above `threshold`."""
    score = risk_score(model)
    return model.type == "risk" and score is not None and score >= threshold


# --------------------------------------------------------------- audits and reviews


def held(qms: Qms, kind: str, today: date) -> list[Doc]:
    """Approved audits or reviews dated on or before `today`, oldest first.

    A record counts once it is approved: a draft is a plan or minutes not yet agreed, and
    an undated one cannot be placed in the programme.
    """
    found = [d for d in qms.of_kind(kind)
             if d.status == "approved" and (day := record_date(d)) is not None and day <= today]
    return sorted(found, key=lambda d: (record_date(d) or date.min, d.id))


def planned(qms: Qms, kind: str, today: date) -> list[Doc]:
    """Non-retired audits or reviews dated after `today`, soonest first."""
    found = [d for d in qms.of_kind(kind)
             if d.status != "retired" and (day := record_date(d)) is not None and day > today]
    return sorted(found, key=lambda d: (record_date(d) or date.max, d.id))


def held_internal_audits(qms: Qms, today: date) -> list[Doc]:
    """Internal audits (ISO 9001 9.2) held on or before `today`, oldest first."""
    return [d for d in held(qms, "audit", today)
            if isinstance(d.model, Audit) and d.model.type == "internal"]


def audit_universe(qms: Qms) -> list[Doc]:
    """What the internal audit programme must cover: the approved processes.

    A repository that models no `process` documents gets its top-level procedures (those
    that support no other procedure or process) instead.
    """
    processes = [d for d in qms.of_kind("process") if d.status == "approved"]
    if processes:
        return processes
    docs = qms.documents
    return [
        d for d in qms.of_kind("procedure")
        if d.status == "approved"
        and not any(t in docs and docs[t].kind in PROCESS_KINDS
                    for t in getattr(d.model, "supports", []))
    ]


def last_audited(qms: Qms, today: date) -> dict[str, tuple[date, str]]:
    """Per audited process or procedure: date and id of its latest held internal audit."""
    latest: dict[str, tuple[date, str]] = {}
    for audit in held_internal_audits(qms, today):
        model = audit.model
        assert isinstance(model, Audit)
        day = record_date(audit)
        assert day is not None
        for target in model.scope:
            latest[target] = (day, audit.id)  # oldest first, so the newest wins
    return latest


@dataclass(frozen=True)
class AuditDue:
    """Where one process of the internal audit programme stands (ISO 9001 9.2.2)."""

    doc: Doc
    #: Date and id of its latest held internal audit; None when never audited.
    last: tuple[date, str] | None
    #: When its next audit is due: `audit_interval` after the last audit or, for a
    #: process never audited, after its approval; None when there is neither.
    due: date | None
    #: Past due (or never audited and never approved) in a repository that keeps audit
    #: records. Without any `kind: audit` record qmskit cannot tell "no audits" from
    #: "audits kept elsewhere", so nothing is overdue.
    overdue: bool


def audit_programme(qms: Qms, today: date) -> list[AuditDue]:
    """Every process the internal audit programme must cover, with its last audit, its
    due date and whether it is overdue.

    The one definition of "overdue for audit": R505 reports the overdue rows and the
    management review pack lists the same rows, so the two can never disagree (a
    process never audited counts from its approval in both).
    """
    kept = bool(qms.of_kind("audit"))
    interval = qms.config.audit_interval
    latest = last_audited(qms, today)
    rows = []
    for doc in audit_universe(qms):
        last = latest.get(doc.id)
        since = last[0] if last else doc.model.approved_on
        due = interval.after(since) if since is not None else None
        rows.append(AuditDue(doc, last, due, kept and (due is None or due < today)))
    return rows


def next_planned_audit(qms: Qms, process_id: str, today: date) -> Doc | None:
    """The soonest planned internal audit whose scope names `process_id`."""
    for audit in planned(qms, "audit", today):
        model = audit.model
        if isinstance(model, Audit) and model.type == "internal" and process_id in model.scope:
            return audit
    return None


@dataclass(frozen=True)
class Coverage:
    """Which review inputs a management review considered, and on what evidence."""

    linked: dict[str, tuple[str, ...]]
    declared: frozenset[str]
    #: The inputs asked for (the default standard's), in the standard's order.
    keys: tuple[str, ...] = ISO9001_INPUTS.keys

    @property
    def covered(self) -> list[str]:
        """Covered input keys, in ISO order: linked records, or declared in `covers`."""
        return [k for k in self.keys if k in self.linked or k in self.declared]

    @property
    def missing(self) -> list[str]:
        """Input keys neither evidenced by a linked record nor declared."""
        return [k for k in self.keys if k not in self.linked and k not in self.declared]

    @property
    def evidenced(self) -> list[str]:
        """Input keys backed by at least one linked record (not only ticked in `covers`)."""
        return [k for k in self.keys if k in self.linked]


def _inputs_evidenced(qms: Qms, doc: Doc, earlier_decisions: set[str]) -> set[str]:
    """The review inputs (of any standard) one linked record evidences."""
    model = doc.model
    keys = clause_inputs(model, qms.config.default_standard)
    if isinstance(model, Kpi):
        keys.add("monitoring-results")
        docs = qms.documents
        if any(t in docs and docs[t].kind in PROCESS_KINDS for t in model.measures):
            keys.add("process-performance")
    elif doc.kind == "objective":
        keys.add("objectives")
    elif doc.kind in PROCESS_KINDS:
        keys.add("process-performance")
    elif doc.kind == "strategy":
        keys.add("context-changes")
    elif isinstance(model, Audit):
        keys.add("audit-results")
    elif isinstance(model, Nonconformity):
        # A nonconformity is data on the conformity of product (ISO 13485 f).
        keys.update(("nonconformities", "product-monitoring"))
        if model.source == "customer-complaint":
            keys.update(("customer-feedback", "complaint-handling"))
        elif model.source == "supplier":
            keys.add("supplier-performance")
    elif isinstance(model, Risk):
        keys.add("risks" if model.type == "risk" else "improvement")
    elif isinstance(model, Action):
        if doc.id in earlier_decisions:
            keys.add("previous-actions")
        source = action_source(qms, doc)
        if model.type == "corrective" or source in REACTIVE_SOURCES:
            keys.update(("nonconformities", "corrective-action"))
        if model.type == "improvement" or source == "proactive-idea":
            keys.add("improvement")
        if model.type == "preventive" or source == "risk":
            keys.update(("risks", "preventive-action"))
    return keys


def review_coverage(qms: Qms, doc: Doc) -> Coverage:
    """The review inputs a management review covered, of the default standard's list
    (`review_inputs`: ISO 9001 9.3.2, or ISO 13485 5.6.2).

    An input is covered when a record linked in `inputs` evidences it (a KPI is a
    monitoring result; one with clause 9.1.2 is customer feedback; an action decided by
    an earlier review is a previous action; ...), or when `covers` declares it (for
    inputs that live outside the repository, such as a customer survey).
    """
    model = doc.model
    assert isinstance(model, ManagementReview)
    day = record_date(doc) or date.max
    earlier: set[str] = set()
    for other in qms.of_kind("review"):
        other_day = record_date(other)
        if other.id != doc.id and other_day is not None and other_day < day:
            assert isinstance(other.model, ManagementReview)
            earlier.update(other.model.decisions)
    linked: dict[str, list[str]] = {}
    for target in dict.fromkeys(model.inputs):
        if target in qms.documents:
            for key in _inputs_evidenced(qms, qms.documents[target], earlier):
                linked.setdefault(key, []).append(target)
    return Coverage({k: tuple(v) for k, v in linked.items()}, frozenset(model.covers),
                    review_inputs(qms).keys)


# ---------------------------------------------------------------------------- people


def top_management(qms: Qms) -> set[str]:
    """Top-management roles: roles at the top of the chart (no `reports_to`), and the
    roles that own strategies (ISO 9001 5.1)."""
    roles = {d.id for d in qms.of_kind("role") if d.status != "retired"}
    top = {d.id for d in qms.of_kind("role")
           if d.status != "retired" and isinstance(d.model, Role) and d.model.reports_to is None}
    top |= {d.model.owner for d in qms.of_kind("strategy")
            if d.model.owner in roles and d.status != "retired"}
    return {r for r in top if r is not None}


def quality_team(qms: Qms) -> set[str]:
    """The quality team's roles, for "beyond the quality team".

    `quality_roles` in the config when set; otherwise the roles that own the audit
    records (or, without any, the documents on internal audit: ISO 9001 9.2, ISO 13485
    8.2.4), other than top management,
    together with every role that reports to them.
    """
    roles = {d.id: d for d in qms.of_kind("role") if d.status != "retired"}
    if qms.config.quality_roles:
        base = {r for r in qms.config.quality_roles if r in roles}
    else:
        top = top_management(qms)
        base = {d.model.owner for d in qms.of_kind("audit")
                if d.model.owner in roles and d.model.owner not in top}
        if not base:
            base = {d.model.owner for d in qms.documents.values()
                    if d.kind != "audit"
                    and has_clause(d.model, AUDIT_CLAUSES, qms.config.default_standard)
                    and d.model.owner in roles and d.model.owner not in top}
    team = {r for r in base if r is not None}
    grew = True
    while grew:
        grew = False
        for role_id, role in roles.items():
            model = role.model
            if (role_id not in team and isinstance(model, Role)
                    and model.reports_to in team):
                team.add(role_id)
                grew = True
    return team


def role_handles(qms: Qms) -> dict[str, set[str]]:
    """Handle (lower case, without `@`) -> the roles it holds or deputises for."""
    handles: dict[str, set[str]] = {}
    for doc in qms.of_kind("role"):
        model = doc.model
        if doc.status == "retired" or not isinstance(model, Role):
            continue
        for handle in [*model.holders, *([model.deputy] if model.deputy else [])]:
            handles.setdefault(handle_key(handle), set()).add(doc.id)
    return handles
