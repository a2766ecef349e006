"""The management review pack: every ISO 9001 9.3.2 input, from the repository, as a draft record.

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

import textwrap
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from qmskit.domain.records import (
    ISO_REVIEW_INPUTS,
    REACTIVE_SOURCES,
    action_source,
    action_state,
    has_clause,
    held,
    is_high_risk,
    last_audited,
    record_date,
    risk_score,
    top_management,
    year_before,
)
from qmskit.domain.schedule import kpi_status, review_status
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
from qmskit.model.series import Measurement
from qmskit.qms import Qms

Trend = Literal["improving", "worsening", "stable", "n/a"]

#: Clauses that make a KPI or objective an input on customers, suppliers or resources.
CUSTOMER_CLAUSES = ("9.1.2", "8.2.1")
SUPPLIER_CLAUSES = ("8.4",)
RESOURCE_CLAUSES = ("7.1", "7.2")
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
    recent: list[tuple[str, float]]
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
    audit_interval: str = "12 months"
    covers: list[str] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)

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
    series = qms.series.get(doc.id, [])
    status = kpi_status(doc, series, qms.config)
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
        [(m.period.label, m.value) for m in series[-RECENT_PERIODS:]],
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
    """Open actions, and actions opened or closed in the period."""
    model = doc.model
    assert isinstance(model, Action)
    if doc.status == "retired":
        return False
    opened = record_date(doc)
    return (model.closed is None or since <= model.closed <= today
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
    """Gather the ISO 9.3.2 inputs from `since` (default: the previous management review,
    else twelve months back) to `today`."""
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
                      audit_interval=str(qms.config.audit_interval))
    docs = qms.documents

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
    pack.customer_kpis = [d.id for d in kpi_docs if has_clause(d.model, CUSTOMER_CLAUSES)]
    pack.supplier_kpis = [d.id for d in kpi_docs if has_clause(d.model, SUPPLIER_CLAUSES)]
    pack.resource_kpis = [d.id for d in kpi_docs if has_clause(d.model, RESOURCE_CLAUSES)]
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
    for doc in qms.of_kind("process", "procedure"):
        if doc.status != "approved":
            continue
        kpis = [(k, states[k]) for k in measured_by.get(doc.id, [])]
        audit = audited.get(doc.id)
        if doc.kind == "process" or kpis or audit:
            pack.processes.append(ProcessRow(
                doc.id, doc.title, doc.kind, doc.model.owner, kpis, audit,
                interval.after(audit[0]) if audit else None))

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
    threshold = qms.config.high_risk_score
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

    pack.covers = [item.key for item in ISO_REVIEW_INPUTS if _has_data(pack, item.key)]
    pack.inputs = _inputs(qms, pack)
    return pack


def _has_data(pack: ReviewPack, key: str) -> bool:
    """Whether the repository holds anything to present for one 9.3.2 input."""
    sources = {n.source for n in pack.nonconformities}
    present: dict[str, bool] = {
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
           *(a.id for a in pack.improvement_actions)]
    return [i for i in dict.fromkeys(ids)
            if i in qms.documents and qms.documents[i].status != "retired"]


# ------------------------------------------------------------------------- Markdown


def _esc(text: object) -> str:
    """Text safe in a Markdown table cell and as inline Markdown (no raw HTML)."""
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("|", "\\|").replace("\n", " "))


def _d(day: date | None) -> str:
    return day.isoformat() if day else "—"


def _num(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    return f"{value:g}" + (f" {unit}" if unit else "")


def _table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


_STATE_WORDS = {"on-target": "on target", "no-data": "no data", "no-target": "no target",
                "due-soon": "due soon", "never-reviewed": "never reviewed"}
#: KPI states in the order summaries list them.
_KPI_ORDER = ("on target", "amber", "red", "no target", "no data")


def _kpi_counts(rows: list[KpiRow]) -> str:
    counts: dict[str, int] = {}
    for row in rows:
        counts[_state(row.state)] = counts.get(_state(row.state), 0) + 1
    return ", ".join(f"{counts[s]} {s}" for s in _KPI_ORDER if s in counts)


def _state(state: str) -> str:
    return _STATE_WORDS.get(state, state)


def _states(pairs: list[tuple[str, str]]) -> str:
    return ", ".join(f"{i} ({_state(s)})" for i, s in pairs) or "—"


def _kpi_table(rows: list[KpiRow]) -> str:
    return _table(
        ["KPI", "Owner", "Target", "Latest", "Status", "Trend", "On target in period",
         f"Last {RECENT_PERIODS} periods"],
        [[f"{r.id} {_esc(r.title)}", _esc(r.owner or "—"),
          ("≥ " if r.direction == "higher" else "≤ ") + _num(r.target, r.unit)
          if r.target is not None else "—",
          f"{_num(r.latest_value, r.unit)} ({r.latest_period or '—'})",
          _state(r.state) + (" — data overdue" if r.data_overdue else ""), r.trend,
          f"{r.periods_on_target} of {r.periods_in_period}",
          " → ".join(f"{v:g}" for _, v in r.recent) or "—"] for r in rows])


def _action_table(rows: list[ActionRow]) -> str:
    return _table(
        ["Action", "Type", "Source", "Owner", "Opened", "Due", "State", "Effectiveness"],
        [[f"{r.id} {_esc(r.title)}", r.type or "—", r.source or "—", _esc(r.owner or "—"),
          _d(r.opened), _d(r.due),
          r.state + (f" {_d(r.closed)}" if r.closed else ""), _esc(r.effectiveness)]
         for r in rows])


def _para(text: str) -> str:
    """A prose paragraph, wrapped like the handbook's hand-written pages."""
    return textwrap.fill(text, 88, break_on_hyphens=False, break_long_words=False) + "\n\n"


def _none(key: str) -> str:
    return _para(f"*No records in the repository for this input. Present it from its source "
                 f"in the meeting and add `{key}` to `covers:`.*")


def _section(pack: ReviewPack, key: str) -> list[str]:
    """The body of one input's section."""
    rows = {r.id: r for r in pack.kpis}
    if key == "previous-actions":
        if not pack.previous_actions:
            return [_none(key)]
        closed = sum(1 for a in pack.previous_actions if a.state == "closed")
        return [_para(f"Decisions of {', '.join(pack.previous_reviews)}: {closed} of "
                      f"{len(pack.previous_actions)} closed."),
                _action_table(pack.previous_actions)]
    if key == "context-changes":
        if not pack.context:
            return [_none(key)]
        changed = [c.id for c in pack.context if c.changed_in_period]
        lead = (f"Strategies reviewed or changed since {pack.since}: {', '.join(changed)}."
                if changed else f"No strategy was reviewed or changed since {pack.since}.")
        return [_para(lead + " Top management states the changes in external and internal "
                      "issues (context page) and whether the strategies still answer them."),
                _table(["Strategy", "Last reviewed", "Changed in period"],
                       [[f"{c.id} {_esc(c.title)}", _d(c.last),
                         "yes" if c.changed_in_period else "no"] for c in pack.context])]
    if key in ("customer-feedback", "supplier-performance", "resources"):
        ids = {"customer-feedback": pack.customer_kpis,
               "supplier-performance": pack.supplier_kpis,
               "resources": pack.resource_kpis}[key]
        source = {"customer-feedback": "customer-complaint", "supplier-performance": "supplier"}
        ncs = [n for n in pack.nonconformities if key in source and n.source == source[key]]
        parts: list[str] = []
        if ids:
            parts.append(_kpi_table([rows[i] for i in ids]))
        if ncs:
            parts.append("\n" + _table(["Nonconformity", "Date", "State", "Actions"],
                                       [[f"{n.id} {_esc(n.title)}", _d(n.date), n.state,
                                         _states(n.actions)] for n in ncs]))
        return parts or [_none(key)]
    if key == "objectives":
        if not pack.objectives:
            return [_none(key)]
        return [_table(["Objective", "Owner", "Target", "Due", "Measured by", "Progress"],
                       [[f"{o.id} {_esc(o.title)}", _esc(o.owner or "—"), _esc(o.target or "—"),
                         _d(o.due), _states(o.kpis), o.state] for o in pack.objectives])]
    if key == "process-performance":
        if not pack.processes:
            return [_none(key)]
        return [_table(["Process", "Owner", "KPIs", "Last internal audit",
                        "Next audit due"],
                       [[f"{p.id} {_esc(p.title)}", _esc(p.owner or "—"), _states(p.kpis),
                         f"{_d(p.last_audit[0])} ({p.last_audit[1]})" if p.last_audit
                         else "not in the audit records", _d(p.next_audit_due)]
                        for p in pack.processes])]
    if key == "nonconformities":
        if not pack.nonconformities and not pack.corrective_actions:
            return [_none(key)]
        parts = []
        if pack.nonconformities:
            parts.append(_table(["Nonconformity", "Date", "Source", "Severity", "Affects",
                                 "Corrective actions", "State"],
                                [[f"{n.id} {_esc(n.title)}", _d(n.date), n.source or "—",
                                  n.severity or "—", ", ".join(n.affects) or "—",
                                  _states(n.actions), n.state] for n in pack.nonconformities]))
        if pack.corrective_actions:
            parts.append("\nCorrective actions open, or opened or closed in the period:\n\n")
            parts.append(_action_table(pack.corrective_actions))
        return parts
    if key == "monitoring-results":
        if not pack.kpis:
            return [_none(key)]
        overdue = [r.id for r in pack.kpis if r.data_overdue]
        lead = _kpi_counts(pack.kpis)
        lead += f"; data overdue: {', '.join(overdue)}" if overdue else "; all data current"
        return [_para(f"{lead}. Trend compares the latest value with the mean of the three "
                      "before it."), _kpi_table(pack.kpis)]
    if key == "audit-results":
        if not pack.audits:
            return [_none(key)]
        return [_table(["Audit", "Type", "Date", "Scope", "Findings"],
                       [[f"{a.id} {_esc(a.title)}", a.type, _d(a.date),
                         ", ".join(a.scope) or "—",
                         ", ".join(f"{i} ({k}, {s})" for i, k, s in a.findings) or "none"]
                        for a in pack.audits]),
                f"\nAudit programme: see the last audit and next due date (every "
                f"{pack.audit_interval}) per process under c) 3.\n"]
    if key == "risks":
        if not pack.risks:
            return [_none(key)]
        return [_table(["Risk or opportunity", "Type", "Owner", "L × I", "High",
                        "Treatment", "Last reviewed"],
                       [[f"{r.id} {_esc(r.title)}", r.type, _esc(r.owner or "—"),
                         f"{_num(r.likelihood)} × {_num(r.impact)} = {_num(r.score)}",
                         "yes" if r.high else "no", _states(r.treated_by), _d(r.reviewed)]
                        for r in pack.risks])]
    if key == "improvement":
        opportunities = [r for r in pack.risks if r.type == "opportunity"]
        if not pack.improvement_actions and not opportunities:
            return [_none(key)]
        parts = []
        if pack.improvement_actions:
            parts.append("Improvement and preventive actions open, or opened or closed in "
                         "the period:\n\n")
            parts.append(_action_table(pack.improvement_actions))
        if opportunities:
            parts.append("\nOpportunities: " + ", ".join(
                f"{r.id} {_esc(r.title)}" for r in opportunities) + ".\n")
        return parts
    raise KeyError(key)


def _summary(pack: ReviewPack) -> str:
    actions = pack.corrective_actions + pack.improvement_actions
    open_actions = [a for a in actions if a.state in ("open", "overdue")]
    overdue = [a for a in actions if a.state == "overdue"]
    closed = [a for a in actions if a.closed and pack.since <= a.closed <= pack.today]
    effective = [a for a in closed if a.effectiveness.startswith("effective")]
    high = [r for r in pack.risks if r.high]
    untreated = [r for r in high if not r.treated_by]
    late = [p for p in pack.processes if p.kind == "process"
            and (p.next_audit_due is None or p.next_audit_due < pack.today)]
    rows = [
        ["KPIs", _kpi_counts(pack.kpis) or "none"],
        ["Objectives", ", ".join(f"{o.id} {o.state}" for o in pack.objectives) or "none"],
        ["Actions", f"{len(open_actions)} open ({len(overdue)} overdue); {len(closed)} "
                    f"closed in the period, {len(effective)} of them checked effective"],
        ["Nonconformities", f"{sum(1 for n in pack.nonconformities if n.state == 'open')} "
                            f"open, {sum(1 for n in pack.nonconformities if n.state == 'closed')}"
                            " closed in the period"],
        ["Audits", f"{len(pack.audits)} held in the period; processes overdue for audit: "
                   + (", ".join(p.id for p in late) or "none")],
        ["Risks", f"{len(high)} high, {len(untreated)} without treatment"],
        ["Document reviews",
         f"{sum(1 for r in pack.reviews_due if r.state == 'overdue')} overdue, "
         f"{sum(1 for r in pack.reviews_due if r.state == 'due-soon')} due soon"],
    ]
    return _table(["Input", "Status"], [[a, _esc(b)] for a, b in rows])


def render_markdown(pack: ReviewPack, *, front_matter: bool = True) -> str:
    """The pack as a `kind: review` draft document, ready to commit and complete.

    Without `front_matter` it is the plain Markdown page (for the handbook site's "latest
    pack" page, which is not itself a controlled document).
    """
    month = pack.today.strftime("%B %Y")
    title = f"Management review {month}"

    def flow(key: str, items: list[str]) -> str:
        # A YAML flow list may continue on indented lines; keeps the record readable.
        return textwrap.fill(f"{key}: [" + ", ".join(items) + "]", 90,
                             subsequent_indent=" " * (len(key) + 3), break_on_hyphens=False,
                             break_long_words=False)

    front = ["---", f"id: {pack.draft_id}", "kind: review", f"title: {title}"]
    if pack.owner:
        front.append(f"owner: {pack.owner}")
    front += ["status: draft", "clauses: [\"9.3\"]", f"date: {pack.today.isoformat()}",
              flow("attendees", pack.attendees), flow("covers", pack.covers),
              flow("inputs", pack.inputs), "decisions: []", "---", "", ""]
    previous = (f" (since {', '.join(pack.previous_reviews)})" if pack.previous_reviews
                else "")
    parts = [
        "\n".join(front) if front_matter else "",
        f"# {title}: inputs\n\n",
        _para(f"Draft record prepared by `qmskit report management-review` on {pack.today} "
              f"from the QMS repository. It covers {pack.since} to {pack.today}{previous} "
              "and presents each input ISO 9001 9.3.2 requires. In the meeting: set the "
              "date and attendees, record each decision as an action and list it in "
              "`decisions:`; when the minutes are agreed, set `status: approved`."),
        "## Summary\n\n", _summary(pack), "\n",
    ]
    group_c = False
    for item in ISO_REVIEW_INPUTS:
        if item.clause.startswith("9.3.2 c)"):
            if not group_c:
                parts.append("## c) Performance and effectiveness of the QMS\n\n")
                group_c = True
            heading = f"### {item.clause.removeprefix('9.3.2 c) ')}. {item.title}"
        else:
            heading = f"## {item.clause.removeprefix('9.3.2 ')} {item.title}"
        parts.append(f"{heading}\n\n")
        parts.extend(_section(pack, item.key))
        parts.append("\n")
    parts.append("## Documented information due for review\n\n")
    parts.append(_table(["Document", "Kind", "Owner", "Review due", "State"],
                        [[f"{r.id} {_esc(r.title)}", r.kind, _esc(r.owner or "—"),
                          _d(r.due), _state(r.state)] for r in pack.reviews_due])
                 if pack.reviews_due else "No document is overdue or due soon for review.\n")
    parts.append("\n## Decisions and actions (ISO 9001 9.3.3)\n\n")
    parts.append(_para("To be completed in the meeting: opportunities for improvement, "
                       "changes to the QMS, resource needs. Record each as an action "
                       "(`kind: action`, `source: management-review`) and list it in "
                       "`decisions:`.").rstrip("\n") + "\n")
    return "".join(parts)
