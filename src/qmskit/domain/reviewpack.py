"""The management review pack: every review input, from the repository, as a draft record.

The inputs are those of the QMS's default standard: ISO 9001 9.3.2, or ISO 13485 5.6.2
when that is the default (`qmskit.domain.records.review_inputs`).

A management review is only as good as its inputs, and assembling them by hand (copying
KPI charts into slides, chasing action owners) is where reviews go stale and where the
pre-audit rush starts. `build_pack()` gathers the inputs as plain data (KPI status and
trends against targets, objectives, process performance, audits, nonconformities and
actions, risks, documents due for review, the decisions of the previous review), and
`render_markdown()` writes them as a `kind: review` document with `status: draft` whose
`inputs` link every record presented and whose `covers` lists the inputs with data, so
the pack can be committed as the draft record and completed in the meeting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from qmskit.domain.records import (
    ISO9001_INPUTS,
    REACTIVE_SOURCES,
    ReviewInputs,
    action_source,
    action_state,
    audit_programme,
    has_clause,
    held,
    is_high_risk,
    last_audited,
    record_date,
    review_inputs,
    risk_score,
    top_management,
    year_before,
)
from qmskit.domain.schedule import kpi_status, review_status
from qmskit.model.clauses import short_name
from qmskit.model.doc import Doc
from qmskit.model.documents import (
    Action,
    Audit,
    Kpi,
    ManagementReview,
    Nonconformity,
    Objective,
    Risk,
)
from qmskit.model.series import Measurement, values
from qmskit.qms import Qms

Trend = Literal["improving", "worsening", "stable", "n/a"]

#: Clauses that make a KPI an input on customers, suppliers, resources, complaints or
#: product (each standard's, by its short name: see `has_clause`).
CUSTOMER_CLAUSES = ("ISO 9001:9.1.2", "ISO 9001:8.2.1", "ISO 13485:8.2.1", "ISO 13485:7.2.3")
SUPPLIER_CLAUSES = ("ISO 9001:8.4", "ISO 13485:7.4")
RESOURCE_CLAUSES = ("ISO 9001:7.1", "ISO 9001:7.2", "ISO 13485:6")
COMPLAINT_CLAUSES = ("ISO 13485:8.2.2",)
PRODUCT_CLAUSES = ("ISO 13485:8.2.6",)
#: Clauses that make a record a report to regulatory authorities (ISO 13485 5.6.2 c).
REGULATORY_REPORT_CLAUSES = ("ISO 13485:8.2.3",)
#: How many recent values a KPI row shows as its trend line.
RECENT_PERIODS = 6


@dataclass
class KpiRow:
    """A KPI's status and trend against its target."""

    id: str
    title: str
    owner: str | None
    unit: str
    direction: str
    target: float | None
    warn_at: float | None
    state: str
    latest_period: str | None
    latest_value: float | None
    trend: Trend
    #: The latest periods and their values (None: recorded as n/a).
    recent: list[tuple[str, float | None]]
    periods_on_target: int
    periods_in_period: int
    data_overdue: bool
    measures: list[str]


@dataclass
class ObjectiveRow:
    """An objective's progress: the states of the KPIs that measure it."""

    id: str
    title: str
    owner: str | None
    target: str
    due: date | None
    kpis: list[tuple[str, str]]
    state: str


@dataclass
class ProcessRow:
    """A process or procedure's KPIs and its place in the audit programme."""

    id: str
    title: str
    kind: str
    owner: str | None
    kpis: list[tuple[str, str]]
    last_audit: tuple[date, str] | None
    next_audit_due: date | None
    #: Overdue for audit, by `audit_programme` (the definition R505 uses).
    audit_overdue: bool = False


@dataclass
class ActionRow:
    """An action and where it stands."""

    id: str
    title: str
    type: str | None
    source: str | None
    owner: str | None
    opened: date | None
    due: date | None
    closed: date | None
    state: str
    effectiveness: str


@dataclass
class NonconformityRow:
    """A nonconformity and the state of its corrective actions."""

    id: str
    title: str
    date: date | None
    source: str | None
    severity: str | None
    affects: list[str]
    actions: list[tuple[str, str]]
    state: str


@dataclass
class AuditRow:
    """An audit held in the period and its findings."""

    id: str
    title: str
    type: str
    date: date | None
    scope: list[str]
    findings: list[tuple[str, str, str]]


@dataclass
class RiskRow:
    """A risk or opportunity with its rating and treatment."""

    id: str
    title: str
    type: str
    owner: str | None
    likelihood: int | None
    impact: int | None
    score: int | None
    high: bool
    treated_by: list[tuple[str, str]]
    reviewed: date | None


@dataclass
class ContextRow:
    """A strategy (the organisation's answer to its context) and when it last changed."""

    id: str
    title: str
    last: date | None
    changed_in_period: bool


@dataclass
class DueRow:
    """A controlled document whose periodic review is overdue or due soon."""

    id: str
    title: str
    kind: str
    owner: str | None
    due: date | None
    state: str


@dataclass
class RecordRow:
    """A record presented because of the clause it declares (a report to an authority)."""

    id: str
    title: str
    kind: str
    status: str
    date: date | None


@dataclass
class ReviewPack:
    """The inputs of a management review, as plain data (see `render_markdown`)."""

    today: date
    since: date
    draft_id: str
    owner: str | None
    attendees: list[str]
    previous_reviews: list[str]
    previous_actions: list[ActionRow] = field(default_factory=list)
    context: list[ContextRow] = field(default_factory=list)
    kpis: list[KpiRow] = field(default_factory=list)
    objectives: list[ObjectiveRow] = field(default_factory=list)
    processes: list[ProcessRow] = field(default_factory=list)
    nonconformities: list[NonconformityRow] = field(default_factory=list)
    corrective_actions: list[ActionRow] = field(default_factory=list)
    audits: list[AuditRow] = field(default_factory=list)
    risks: list[RiskRow] = field(default_factory=list)
    improvement_actions: list[ActionRow] = field(default_factory=list)
    reviews_due: list[DueRow] = field(default_factory=list)
    customer_kpis: list[str] = field(default_factory=list)
    supplier_kpis: list[str] = field(default_factory=list)
    resource_kpis: list[str] = field(default_factory=list)
    complaint_kpis: list[str] = field(default_factory=list)
    product_kpis: list[str] = field(default_factory=list)
    regulatory_reports: list[RecordRow] = field(default_factory=list)
    audit_interval: str = "12 months"
    #: Processes overdue for audit (`audit_programme`, as R505 reports them).
    audits_overdue: list[str] = field(default_factory=list)
    covers: list[str] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    #: The inputs asked for: the default standard's (ISO 9001 9.3.2, ISO 13485 5.6.2).
    asked: ReviewInputs = ISO9001_INPUTS
    #: The management review clause for the draft's `clauses:` (`9.3`, `5.6`); None
    #: when the default standard is not the one whose inputs are asked (a catalogue file's).
    clause: str | None = "9.3"

    def kpi(self, kpi_id: str) -> KpiRow | None:
        """The row of one KPI."""
        return next((row for row in self.kpis if row.id == kpi_id), None)


# ----------------------------------------------------------------------------- KPIs


def _worse(value: float, limit: float, direction: str) -> bool:
    return value < limit if direction == "higher" else value > limit


def kpi_trend(series: list[Measurement], direction: str) -> Trend:
    """Latest value against the mean of up to three before it, in the KPI's direction.

    Within 2 % of that mean is stable: month-to-month noise is not a trend.
    """
    if len(series) < 2:
        return "n/a"
    latest = series[-1].value
    before = [m.value for m in series[-4:-1]]
    base = sum(before) / len(before)
    delta = latest - base
    if abs(delta) <= max(abs(base) * 0.02, 1e-9):
        return "stable"
    return "improving" if (delta > 0) == (direction == "higher") else "worsening"


def _kpi_row(qms: Qms, doc: Doc, since: date, today: date) -> KpiRow:
    model = doc.model
    assert isinstance(model, Kpi)
    rows = qms.series.get(doc.id, [])
    status = kpi_status(doc, rows, qms.config)
    series = values(rows)  # periods recorded as n/a have no value to compare or trend
    in_period = [m for m in series if m.period.end >= since and m.period.start <= today]
    on_target = sum(1 for m in in_period
                    if model.target is not None and not _worse(m.value, model.target,
                                                               model.direction))
    return KpiRow(
        doc.id, doc.title, model.owner, model.unit or "", model.direction, model.target,
        model.warn_at, status.state,
        status.latest.period.label if status.latest else None,
        status.latest.value if status.latest else None,
        kpi_trend(series, model.direction),
        [(m.period.label, m.value if isinstance(m, Measurement) else None)
         for m in rows[-RECENT_PERIODS:]],
        on_target, len(in_period),
        status.next_due is not None and status.next_due < today, list(model.measures))


def _objective_state(states: list[str]) -> str:
    if not states or all(s in ("no-data", "no-target") for s in states):
        return "no data"
    if "red" in states:
        return "off track"
    if "amber" in states:
        return "at risk"
    return "on track"


# -------------------------------------------------------------------------- records


def _action_row(qms: Qms, doc: Doc, today: date) -> ActionRow:
    model = doc.model
    assert isinstance(model, Action)
    check = str(model.effectiveness) if model.effectiveness else "not planned"
    return ActionRow(doc.id, doc.title, model.type, action_source(qms, doc), model.owner,
                     record_date(doc), model.due, model.closed, action_state(doc, today),
                     check)


def _is_corrective(qms: Qms, doc: Doc) -> bool:
    model = doc.model
    assert isinstance(model, Action)
    if model.type is not None:
        return model.type == "corrective"
    return action_source(qms, doc) in REACTIVE_SOURCES


def _relevant(doc: Doc, since: date, today: date) -> bool:
    """Actions not closed (open, overdue or proposed), and actions opened or closed in
    the period; their state is `action_state`'s, as everywhere."""
    model = doc.model
    assert isinstance(model, Action)
    state = action_state(doc, today)
    if state == "retired":
        return False
    opened = record_date(doc)
    return (state != "closed" or (model.closed is not None and since <= model.closed <= today)
            or (opened is not None and since <= opened <= today))


def _state_of(qms: Qms, doc_id: str, today: date) -> str:
    doc = qms.documents.get(doc_id)
    if doc is None:
        return "missing"
    if isinstance(doc.model, Action):
        return action_state(doc, today)
    if isinstance(doc.model, Nonconformity):
        return "closed" if doc.model.closed else "open"
    return doc.status


def _draft_id(qms: Qms, today: date) -> str:
    base = f"MR-{today.year:04d}-{today.month:02d}"
    candidate, n = base, 2
    while candidate in qms.documents:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def build_pack(qms: Qms, today: date, since: date | None = None) -> ReviewPack:
    """Gather the review inputs of the default standard (ISO 9001 9.3.2, ISO 13485
    5.6.2) from `since` (default: the previous management review, else twelve months
    back) to `today`."""
    reviews = held(qms, "review", today)
    latest = reviews[-1] if reviews else None
    if since is None:
        since = (record_date(latest) if latest else None) or year_before(today)
    previous = [r for r in reviews if (record_date(r) or date.min) >= since]
    if not previous and latest is not None:
        previous = [latest]
    owner = latest.model.owner if latest else None
    top = sorted(top_management(qms))
    if owner is None and top:
        owner = top[0]
    attendees = list(latest.model.attendees) if latest and isinstance(
        latest.model, ManagementReview) else top
    pack = ReviewPack(today, since, _draft_id(qms, today), owner, attendees,
                      [r.id for r in previous],
                      audit_interval=str(qms.config.audit_interval),
                      asked=review_inputs(qms))
    docs = qms.documents
    default = qms.config.default_standard
    pack.clause = (pack.asked.review if short_name(default) == pack.asked.standard
                   else None)

    # a) actions decided by the previous review(s)
    decided: list[str] = []
    for review in previous:
        assert isinstance(review.model, ManagementReview)
        decided += [t for t in review.model.decisions if t not in decided]
    pack.previous_actions = [_action_row(qms, docs[t], today) for t in decided
                             if t in docs and docs[t].kind == "action"]

    # b) context: strategies, and whether they changed in the period
    for doc in qms.of_kind("strategy"):
        if doc.status == "retired":
            continue
        model = doc.model
        last = max((d for d in ((model.review.last if model.review else None),
                                model.approved_on) if d is not None), default=None)
        pack.context.append(ContextRow(doc.id, doc.title, last,
                                       last is not None and since <= last <= today))

    # c) KPIs, objectives, processes
    kpi_docs = [d for d in qms.of_kind("kpi") if d.status == "approved"]
    pack.kpis = [_kpi_row(qms, d, since, today) for d in kpi_docs]
    states = {row.id: row.state for row in pack.kpis}
    for name, clauses in (("customer_kpis", CUSTOMER_CLAUSES),
                          ("supplier_kpis", SUPPLIER_CLAUSES),
                          ("resource_kpis", RESOURCE_CLAUSES),
                          ("complaint_kpis", COMPLAINT_CLAUSES),
                          ("product_kpis", PRODUCT_CLAUSES)):
        setattr(pack, name, [d.id for d in kpi_docs if has_clause(d.model, clauses, default)])
    measured_by: dict[str, list[str]] = {}
    for row in pack.kpis:
        for target in row.measures:
            measured_by.setdefault(target, []).append(row.id)
    for doc in qms.of_kind("objective"):
        if doc.status != "approved":
            continue
        model = doc.model
        assert isinstance(model, Objective)
        kpis = [(k, states[k]) for k in measured_by.get(doc.id, [])]
        pack.objectives.append(ObjectiveRow(
            doc.id, doc.title, model.owner, "" if model.target is None else
            f"{model.target:g}" if isinstance(model.target, float) else model.target,
            model.due, kpis, _objective_state([s for _, s in kpis])))
    audited = last_audited(qms, today)
    interval = qms.config.audit_interval
    programme = {row.doc.id: row for row in audit_programme(qms, today)}
    pack.audits_overdue = [row.doc.id for row in programme.values() if row.overdue]
    for doc in qms.of_kind("process", "procedure"):
        if doc.status != "approved":
            continue
        kpis = [(k, states[k]) for k in measured_by.get(doc.id, [])]
        audit = audited.get(doc.id)
        in_programme = programme.get(doc.id)
        if doc.kind == "process" or kpis or audit or in_programme:
            due = (in_programme.due if in_programme
                   else interval.after(audit[0]) if audit else None)
            pack.processes.append(ProcessRow(
                doc.id, doc.title, doc.kind, doc.model.owner, kpis, audit, due,
                in_programme is not None and in_programme.overdue))

    # c) 4 nonconformities and corrective actions; f) improvement actions
    for doc in qms.of_kind("nonconformity"):
        model = doc.model
        assert isinstance(model, Nonconformity)
        day = record_date(doc)
        if doc.status == "retired" or not (model.closed is None or since <= model.closed
                                           or (day is not None and day >= since)):
            continue
        pack.nonconformities.append(NonconformityRow(
            doc.id, doc.title, day, model.source, model.severity, list(model.affects),
            [(t, _state_of(qms, t, today)) for t in model.actions],
            "closed" if model.closed else "open"))
    for doc in qms.of_kind("action"):
        if not _relevant(doc, since, today):
            continue
        action = _action_row(qms, doc, today)
        if _is_corrective(qms, doc):
            pack.corrective_actions.append(action)
        else:
            pack.improvement_actions.append(action)

    # c) 6 audits held in the period
    for doc in held(qms, "audit", today):
        model = doc.model
        assert isinstance(model, Audit)
        day = record_date(doc)
        if day is None or day < since:
            continue
        pack.audits.append(AuditRow(
            doc.id, doc.title, model.type, day, list(model.scope),
            [(t, docs[t].kind if t in docs else "missing", _state_of(qms, t, today))
             for t in model.findings]))

    # e) risks and opportunities
    threshold = qms.config.treatment_threshold
    for doc in qms.of_kind("risk"):
        model = doc.model
        assert isinstance(model, Risk)
        if doc.status == "retired":
            continue
        pack.risks.append(RiskRow(
            doc.id, doc.title, model.type, model.owner, model.likelihood, model.impact,
            risk_score(model), is_high_risk(model, threshold),
            [(t, _state_of(qms, t, today)) for t in model.treated_by],
            (model.review.last if model.review else None) or model.approved_on))
    pack.risks.sort(key=lambda r: (-(r.score or 0), r.id))

    # documents whose periodic review is overdue or due soon (ISO 9001 7.5.2)
    for doc in sorted(qms.documents.values(), key=lambda d: d.id):
        status = review_status(doc, qms.config, today)
        if status.state in ("overdue", "due-soon", "never-reviewed"):
            pack.reviews_due.append(DueRow(doc.id, doc.title, doc.kind, doc.model.owner,
                                           status.due, status.state))

    # c) (ISO 13485 5.6.2) reports to regulatory authorities: records declaring 8.2.3
    for doc in sorted(qms.documents.values(), key=lambda d: d.id):
        if (doc.status != "retired" and doc.kind not in ("process", "procedure", "role")
                and has_clause(doc.model, REGULATORY_REPORT_CLAUSES, default)):
            day = record_date(doc)
            if day is None or since <= day <= today:
                pack.regulatory_reports.append(RecordRow(doc.id, doc.title, doc.kind,
                                                         doc.status, day))

    pack.covers = [key for key in pack.asked.keys if _has_data(pack, key)]
    pack.inputs = _inputs(qms, pack)
    return pack


def _has_data(pack: ReviewPack, key: str) -> bool:
    """Whether the repository holds anything to present for one review input."""
    sources = {n.source for n in pack.nonconformities}
    present: dict[str, bool] = {
        "complaint-handling": bool(pack.complaint_kpis) or "customer-complaint" in sources,
        "regulatory-reporting": bool(pack.regulatory_reports),
        "product-monitoring": bool(pack.product_kpis or pack.nonconformities),
        "corrective-action": bool(pack.corrective_actions),
        "preventive-action": bool(preventive_actions(pack)),
        "regulatory-requirements": False,
        "previous-actions": bool(pack.previous_actions),
        "context-changes": bool(pack.context),
        "customer-feedback": bool(pack.customer_kpis) or "customer-complaint" in sources,
        "objectives": bool(pack.objectives),
        "process-performance": any(p.kpis for p in pack.processes),
        "nonconformities": bool(pack.nonconformities or pack.corrective_actions),
        "monitoring-results": bool(pack.kpis),
        "audit-results": bool(pack.audits),
        "supplier-performance": bool(pack.supplier_kpis) or "supplier" in sources,
        "resources": bool(pack.resource_kpis),
        "risks": any(r.type == "risk" for r in pack.risks),
        "improvement": bool(pack.improvement_actions)
        or any(r.type == "opportunity" for r in pack.risks),
    }
    return present[key]


def _inputs(qms: Qms, pack: ReviewPack) -> list[str]:
    """Every record the pack presents, for the draft's `inputs` (links are evidence)."""
    ids = [*(a.id for a in pack.previous_actions), *(c.id for c in pack.context),
           *(o.id for o in pack.objectives), *(k.id for k in pack.kpis),
           *(a.id for a in pack.audits), *(n.id for n in pack.nonconformities),
           *(a.id for a in pack.corrective_actions), *(r.id for r in pack.risks),
           *(a.id for a in pack.improvement_actions),
           *(r.id for r in pack.regulatory_reports)]
    linkable = ManagementReview.links["inputs"]
    return [i for i in dict.fromkeys(ids)
            if i in qms.documents and qms.documents[i].status != "retired"
            and qms.documents[i].kind in linkable]


def preventive_actions(pack: ReviewPack) -> list[ActionRow]:
    """The preventive actions among the pack's improvement actions (ISO 13485 5.6.2 h)."""
    return [a for a in pack.improvement_actions if a.type == "preventive" or a.source == "risk"]
