"""The management review pack as a draft `kind: review` record (Markdown)."""

from __future__ import annotations

import textwrap
from datetime import date

from qmskit.domain.reviewpack import (
    RECENT_PERIODS,
    ActionRow,
    KpiRow,
    ReviewPack,
    preventive_actions,
)
from qmskit.reports.escape import md_inline


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
        [[f"{r.id} {md_inline(r.title)}", md_inline(r.owner or "—"),
          ("≥ " if r.direction == "higher" else "≤ ") + _num(r.target, r.unit)
          if r.target is not None else "—",
          f"{_num(r.latest_value, r.unit)} ({r.latest_period or '—'})",
          _state(r.state) + (" — data overdue" if r.data_overdue else ""), r.trend,
          f"{r.periods_on_target} of {r.periods_in_period}",
          " → ".join("n/a" if v is None else f"{v:g}" for _, v in r.recent) or "—"] for r in rows])


def _action_table(rows: list[ActionRow]) -> str:
    return _table(
        ["Action", "Type", "Source", "Owner", "Opened", "Due", "State", "Effectiveness"],
        [[f"{r.id} {md_inline(r.title)}", r.type or "—", r.source or "—", md_inline(r.owner or "—"),
          _d(r.opened), _d(r.due),
          r.state + (f" {_d(r.closed)}" if r.closed else ""), md_inline(r.effectiveness)]
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
                       [[f"{c.id} {md_inline(c.title)}", _d(c.last),
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
                                       [[f"{n.id} {md_inline(n.title)}", _d(n.date), n.state,
                                         _states(n.actions)] for n in ncs]))
        return parts or [_none(key)]
    if key in ("complaint-handling", "product-monitoring"):
        ids = pack.complaint_kpis if key == "complaint-handling" else pack.product_kpis
        ncs = [n for n in pack.nonconformities
               if key == "product-monitoring" or n.source == "customer-complaint"]
        parts = []
        if ids:
            parts.append(_kpi_table([rows[i] for i in ids]))
        if ncs:
            parts.append(("\n" if parts else "") + _table(
                ["Nonconformity", "Date", "Source", "Severity", "State", "Actions"],
                [[f"{n.id} {md_inline(n.title)}", _d(n.date), n.source or "—",
                  n.severity or "—", n.state, _states(n.actions)] for n in ncs]))
        return parts or [_none(key)]
    if key == "regulatory-reporting":
        if not pack.regulatory_reports:
            return [_none(key)]
        return [_para(f"Records declaring ISO 13485 8.2.3 dated {pack.since} to "
                      f"{pack.today} (or undated):"),
                _table(["Record", "Kind", "Date", "Status"],
                       [[f"{r.id} {md_inline(r.title)}", r.kind, _d(r.date), r.status]
                        for r in pack.regulatory_reports])]
    if key in ("corrective-action", "preventive-action"):
        actions = (pack.corrective_actions if key == "corrective-action"
                   else preventive_actions(pack))
        if not actions:
            return [_none(key)]
        return [f"{key.split('-')[0].capitalize()} actions open, or opened or closed in the "
                "period:\n\n", _action_table(actions)]
    if key == "regulatory-requirements":
        return [_none(key)]
    if key == "objectives":
        if not pack.objectives:
            return [_none(key)]
        return [_table(["Objective", "Owner", "Target", "Due", "Measured by", "Progress"],
                       [[f"{o.id} {md_inline(o.title)}", md_inline(o.owner or "—"),
                         md_inline(o.target or "—"),
                         _d(o.due), _states(o.kpis), o.state] for o in pack.objectives])]
    if key == "process-performance":
        if not pack.processes:
            return [_none(key)]
        return [_table(["Process", "Owner", "KPIs", "Last internal audit",
                        "Next audit due"],
                       [[f"{p.id} {md_inline(p.title)}", md_inline(p.owner or "—"), _states(p.kpis),
                         f"{_d(p.last_audit[0])} ({p.last_audit[1]})" if p.last_audit
                         else "not in the audit records",
                         _d(p.next_audit_due) + (" (overdue)" if p.audit_overdue else "")]
                        for p in pack.processes])]
    if key == "nonconformities":
        if not pack.nonconformities and not pack.corrective_actions:
            return [_none(key)]
        parts = []
        if pack.nonconformities:
            parts.append(_table(["Nonconformity", "Date", "Source", "Severity", "Affects",
                                 "Corrective actions", "State"],
                                [[f"{n.id} {md_inline(n.title)}", _d(n.date), n.source or "—",
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
                       [[f"{a.id} {md_inline(a.title)}", a.type, _d(a.date),
                         ", ".join(a.scope) or "—",
                         ", ".join(f"{i} ({k}, {s})" for i, k, s in a.findings) or "none"]
                        for a in pack.audits]),
                f"\nAudit programme: see the last audit and next due date (every "
                f"{pack.audit_interval}) per process under {_process_label(pack)}.\n"]
    if key == "risks":
        if not pack.risks:
            return [_none(key)]
        return [_table(["Risk or opportunity", "Type", "Owner", "L × I", "High",
                        "Treatment", "Last reviewed"],
                       [[f"{r.id} {md_inline(r.title)}", r.type, md_inline(r.owner or "—"),
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
                f"{r.id} {md_inline(r.title)}" for r in opportunities) + ".\n")
        return parts
    raise KeyError(key)


def _process_label(pack: ReviewPack) -> str:
    """Where process performance sits in the standard's list (`c) 3`, `e)`)."""
    return pack.asked.label(pack.asked.item("process-performance"))


def _summary(pack: ReviewPack) -> str:
    actions = pack.corrective_actions + pack.improvement_actions
    open_actions = [a for a in actions if a.state in ("open", "overdue")]
    overdue = [a for a in actions if a.state == "overdue"]
    closed = [a for a in actions if a.closed and pack.since <= a.closed <= pack.today]
    effective = [a for a in closed if a.effectiveness.startswith("effective")]
    high = [r for r in pack.risks if r.high]
    untreated = [r for r in high if not r.treated_by]
    rows = [
        ["KPIs", _kpi_counts(pack.kpis) or "none"],
        ["Objectives", ", ".join(f"{o.id} {o.state}" for o in pack.objectives) or "none"],
        ["Actions", f"{len(open_actions)} open ({len(overdue)} overdue); {len(closed)} "
                    f"closed in the period, {len(effective)} of them checked effective"],
        ["Nonconformities", f"{sum(1 for n in pack.nonconformities if n.state == 'open')} "
                            f"open, {sum(1 for n in pack.nonconformities if n.state == 'closed')}"
                            " closed in the period"],
        ["Audits", f"{len(pack.audits)} held in the period; processes overdue for audit: "
                   + (", ".join(pack.audits_overdue) or "none")],
        ["Risks", f"{len(high)} high, {len(untreated)} without treatment"],
        ["Document reviews",
         f"{sum(1 for r in pack.reviews_due if r.state == 'overdue')} overdue, "
         f"{sum(1 for r in pack.reviews_due if r.state == 'due-soon')} due soon"],
    ]
    return _table(["Input", "Status"], [[a, md_inline(b)] for a, b in rows])


def render_markdown(pack: ReviewPack, *, front_matter: bool = True) -> str:
    """The pack as a `kind: review` draft document, ready to commit and complete.

    Without `front_matter` it is the plain Markdown page (for the handbook site's "latest
    pack" page, which is not itself a controlled document).
    """
    asked = pack.asked
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
    front.append("status: draft")
    if pack.clause:
        front.append(f"clauses: [\"{pack.clause}\"]")
    front += [f"date: {pack.today.isoformat()}",
              flow("attendees", pack.attendees), flow("covers", pack.covers),
              flow("inputs", pack.inputs), "decisions: []", "---", "", ""]
    previous = (f" (since {', '.join(pack.previous_reviews)})" if pack.previous_reviews
                else "")
    parts = [
        "\n".join(front) if front_matter else "",
        f"# {title}: inputs\n\n",
        _para(f"Draft record prepared by `qmskit report management-review` on {pack.today} "
              f"from the QMS repository. It covers {pack.since} to {pack.today}{previous} "
              f"and presents each input {asked.standard} {asked.clause} requires. In the "
              "meeting: set the "
              "date and attendees, record each decision as an action and list it in "
              "`decisions:`; when the minutes are agreed, set `status: approved`."),
        "## Summary\n\n", _summary(pack), "\n",
    ]
    groups = dict(asked.groups)
    opened: set[str] = set()
    for item in asked.items:
        letter, _, number = asked.label(item).partition(" ")
        if number and letter in groups:
            if letter not in opened:
                parts.append(f"## {letter} {groups[letter]}\n\n")
                opened.add(letter)
            heading = f"### {number}. {item.title}"
        else:
            heading = f"## {asked.label(item)} {item.title}"
        parts.append(f"{heading}\n\n")
        parts.extend(_section(pack, item.key))
        parts.append("\n")
    parts.append("## Documented information due for review\n\n")
    parts.append(_table(["Document", "Kind", "Owner", "Review due", "State"],
                        [[f"{r.id} {md_inline(r.title)}", r.kind, md_inline(r.owner or "—"),
                          _d(r.due), _state(r.state)] for r in pack.reviews_due])
                 if pack.reviews_due else "No document is overdue or due soon for review.\n")
    parts.append(f"\n## Decisions and actions ({asked.standard} {asked.outputs})\n\n")
    parts.append(_para("To be completed in the meeting: opportunities for improvement, "
                       "changes to the QMS, resource needs. Record each as an action "
                       "(`kind: action`, `source: management-review`) and list it in "
                       "`decisions:`.").rstrip("\n") + "\n")
    return "".join(parts)
