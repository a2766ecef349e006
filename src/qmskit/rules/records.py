"""Record rules: the QMS is used, not only written down.

Risks, actions, nonconformities, internal audits and management reviews are the records
that show a QMS at work (ISO 9001 6.1, 9.2, 9.3, 10.2). These rules catch the gaps an
auditor looks for first: a nonconformity nobody acted on, an action left overdue or
closed on faith, a high risk with no treatment, a process the audit programme forgot, a
management review that was skipped, half-prepared, or decided nothing.

Dates come from the evaluation date (`--today`), so results are reproducible. Drafts and
retired records are exempt; interpretation is shared with `qmskit.domain.records`.
"""

from __future__ import annotations

from collections.abc import Iterator

from qmskit.domain.records import (
    ReviewInputs,
    action_state,
    audit_programme,
    effectiveness_gap,
    held,
    is_high_risk,
    next_planned_audit,
    planned,
    record_date,
    review_coverage,
    review_inputs,
    risk_score,
)
from qmskit.model.doc import Doc
from qmskit.model.documents import Action, ManagementReview, Nonconformity, Risk
from qmskit.model.findings import Finding
from qmskit.rules import RuleContext, rule


def _first_key(doc: Doc, *keys: str) -> tuple[int, int]:
    """Where the first of `keys` the document writes is written, else its id.

    For "this list names nothing (useful)" findings the key is the place to point at: a
    block list's value starts on the next line, or is absent.
    """
    for key in keys:
        if (key,) in doc.key_positions:
            return doc.key_positions[(key,)]
    return doc.pos("id")


def _audits_naming(ctx: RuleContext, doc_id: str) -> list[str]:
    return sorted(link.source for link in ctx.qms.graph.incoming(doc_id, ["findings"]))


@rule("R501", "nonconformity-without-action", "error")
def nonconformity_without_action(ctx: RuleContext) -> Iterator[Finding]:
    """A nonconformity (or an audit finding recorded as one) has no corrective action.

    ISO 9001 10.2.1 requires, for every nonconformity, to react to it, to evaluate the
    need for action to eliminate its causes, and to implement any action needed. A
    recorded nonconformity with neither a corrective action nor a recorded reason why
    none is needed is the classic "NCR filed and forgotten". Nonconformities found by
    an audit are recorded as `kind: nonconformity` documents named in the audit's
    `findings`, so audit findings are held to the same rule. Drafts (still being
    triaged) are exempt.

    Bad:

    ```yaml
    kind: nonconformity
    source: audit
    actions: []
    ```

    Good: `actions: [ACT-2026-04]`, or, after evaluating the cause,
    `no_action_reason: "one-off handling damage, no systemic cause (MRB 2026-03-02)"`.

    Fix: open the corrective action (`kind: action`, `type: corrective`) and list it in
    `actions:`, or record why none is needed in `no_action_reason:`.
    """
    for doc in ctx.qms.of_kind("nonconformity"):
        model = doc.model
        assert isinstance(model, Nonconformity)
        if doc.status != "approved" or model.actions or model.no_action_reason:
            continue
        audits = _audits_naming(ctx, doc.id)
        found = f" (a finding of {', '.join(audits)})" if audits else ""
        yield ctx.at(doc, _first_key(doc, "actions"),
                     f"nonconformity {doc.id}{found} has no corrective action",
                     "list its corrective action in 'actions:', or record why none is "
                     "needed in 'no_action_reason:'")


@rule("R502", "action-overdue", "error")
def action_overdue(ctx: RuleContext) -> Iterator[Finding]:
    """An open action is past its due date.

    ISO 9001 10.2 and 10.3 expect actions to be implemented, and 6.2.2 / 6.1.2 that they
    are planned with a "when". `due` is the date by which the action is to be closed,
    its effectiveness check included (the check's own planned date is
    `effectiveness.due`). An action past its `due` date and not `closed` is either done
    and not recorded, or stuck; both hide the real state of the system from the people
    who steer it. Drafts (proposed actions) and retired actions are exempt.

    Bad: `due: 2026-09-30` with no `closed:` on 2026-11-24.

    Good: `closed: 2026-09-28` with its effectiveness check, or a new due date agreed
    with the owner and the reason written in the action.

    Fix: close the action, or re-plan it (a new `due:` and a sentence on why).
    """
    for doc in ctx.qms.of_kind("action"):
        model = doc.model
        assert isinstance(model, Action)
        if action_state(doc, ctx.today) == "overdue":
            assert model.due is not None
            days = (ctx.today - model.due).days
            yield ctx.at(doc, doc.pos("due"),
                         f"action {doc.id} was due on {model.due} ({days} days ago) and is "
                         "not closed",
                         "close it with its effectiveness check, or agree a new due date "
                         "and record why")


@rule("R503", "closed-without-effectiveness", "error")
def closed_without_effectiveness(ctx: RuleContext) -> Iterator[Finding]:
    """An action was closed without a positive effectiveness check.

    ISO 9001 10.2.1 d) requires reviewing the effectiveness of corrective action taken,
    and 6.1.2 b) evaluating the effectiveness of actions on risks. An action counts as
    closed only when `effectiveness` records the date it was `checked` and a `result`
    of `effective`; an action found `not-effective` must stay open (with a new root
    cause analysis) rather than be closed. Retired actions are exempt.

    Bad:

    ```yaml
    closed: 2026-09-30
    ```

    Good:

    ```yaml
    closed: 2026-10-13
    effectiveness:
      due: 2026-10-15
      checked: 2026-10-13
      result: effective
      evidence: "KPI-QUOTE-TIME 88.5 % (Aug), 90.9 % (Sep), against 75 % before"
    ```

    Fix: do the check with data and record it, or remove `closed:` until it is done.
    """
    for doc in ctx.qms.of_kind("action"):
        model = doc.model
        assert isinstance(model, Action)
        if action_state(doc, ctx.today) != "closed":
            continue
        gap = effectiveness_gap(model)
        if gap is None:
            continue
        failed = model.effectiveness is not None and model.effectiveness.result == \
            "not-effective"
        where = doc.pos("effectiveness", "result") if failed else doc.pos("closed")
        yield ctx.at(doc, where, f"action {doc.id} is closed but {gap}",
                     "reopen it with a new root-cause analysis" if failed else
                     "record 'effectiveness: {checked: DATE, result: effective, evidence: "
                     "...}', or remove 'closed:' until the check is done")


@rule("R504", "high-risk-untreated", "error")
def high_risk_untreated(ctx: RuleContext) -> Iterator[Finding]:
    """A high risk has no treatment action.

    ISO 9001 6.1.2 requires planning actions to address risks. A risk whose rating
    (likelihood x impact, each 1 to 5) is at or above `high_risk_score` in the config
    (12 by default) must name at least one action in `treated_by`. With the
    organisation's own matrix (`[risk]`: `scale`, `bands`, `treat_from`), the threshold
    is the lowest score of the `treat_from` band and every band above it. Opportunities
    (`type: opportunity`), drafts and retired risks are exempt.

    Bad: `likelihood: 4`, `impact: 4`, `treated_by: []`.

    Good: `treated_by: [ACT-2026-06]`, an action with `source: risk`.

    Fix: plan the treatment as an action and list it in `treated_by:`; if the rating
    was too high, correct `likelihood`/`impact` and say why in the text.
    """
    config = ctx.config
    threshold = config.treatment_threshold
    for doc in ctx.qms.of_kind("risk"):
        model = doc.model
        assert isinstance(model, Risk)
        if doc.status != "approved" or model.treated_by or not is_high_risk(model, threshold):
            continue
        score = risk_score(model)
        treat_from = config.risk.treat_from if config.risk else None
        level = (f"band {config.risk_band(score)}; treated from band {treat_from}"
                 if treat_from else f"high from {threshold}")
        yield ctx.at(doc, _first_key(doc, "treated_by", "likelihood"),
                     f"risk {doc.id} scores {model.likelihood} x {model.impact} = "
                     f"{score} ({level}) and has no treatment",
                     "plan an action (source: risk) and list it in 'treated_by:'")


@rule("R505", "process-unaudited", "error")
def process_unaudited(ctx: RuleContext) -> Iterator[Finding]:
    """A process has gone without an internal audit for longer than `audit_interval`.

    ISO 9001 9.2.2 requires an audit programme that covers the processes of the QMS at
    planned intervals. A process counts as audited on the date of the latest approved
    `kind: audit` document with `type: internal` whose `scope` names it; it must be
    audited within `audit_interval` in the config (12 months by default), counted from
    that audit or, for a process never audited, from its approval. The programme is the
    approved `process` documents (or, in a repository without any, the top-level
    procedures).

    The rule applies once the repository keeps audit records (at least one `kind:
    audit` document): qmskit cannot tell "no audits" from "audits kept elsewhere", and
    `qmskit health` shows a repository without audit records anyway.

    Bad: PROC-PURCH last named in the scope of an audit on 2025-06-10, checked on
    2026-11-24.

    Good: an audit on 2026-03-17 with `scope: [PROC-PROD, PROC-PURCH]`.

    Fix: plan and hold the audit, then record it; spread audits over the year.
    """
    interval = ctx.config.audit_interval
    for row in audit_programme(ctx.qms, ctx.today):
        if not row.overdue:
            continue
        doc = row.doc
        upcoming = next_planned_audit(ctx.qms, doc.id, ctx.today)
        hint = (f"the next planned audit is {upcoming.id} on {record_date(upcoming)}; "
                "bring it forward" if upcoming else
                "plan an internal audit of it and record it as a kind: audit document")
        if row.last is not None:
            message = (f"{doc.kind} {doc.id} was last audited on {row.last[0]} "
                       f"({row.last[1]}), more than {interval} ago")
        elif doc.model.approved_on is not None:
            message = (f"{doc.kind} {doc.id} has not been audited since its approval on "
                       f"{doc.model.approved_on} ({interval} allowed)")
        else:
            message = f"{doc.kind} {doc.id} has never been audited"
        yield ctx.at(doc, doc.pos("id"), message, hint)


@rule("R506", "management-review-overdue", "error")
def management_review_overdue(ctx: RuleContext) -> Iterator[Finding]:
    """No management review has been held within `management_review_interval`.

    ISO 9001 9.3.1: top management reviews the QMS at planned intervals; yearly is the
    longest interval auditors accept, and `management_review_interval` in the config
    (12 months by default) sets it. Reported at the date of the latest approved review
    (`kind: review`) on or before today. Like R505, the rule applies once the repository
    keeps review records; `qmskit health` reports a repository without any.

    Bad: the latest review is dated 2025-07-15, checked on 2026-11-24.

    Good: reviews in January and July, each recorded as a `kind: review` document.

    Fix: hold the review (`qmskit report management-review` prepares its inputs) and
    record it.
    """
    reviews = held(ctx.qms, "review", ctx.today)
    if not reviews:
        return
    latest = reviews[-1]
    day = record_date(latest)
    assert day is not None
    due = ctx.config.management_review_interval.after(day)
    if due >= ctx.today:
        return
    upcoming = planned(ctx.qms, "review", ctx.today)
    hint = (f"hold {upcoming[0].id} (planned for {record_date(upcoming[0])}) and approve its "
            "record" if upcoming else
            "hold a management review; `qmskit report management-review` prepares the inputs")
    yield ctx.at(latest, latest.pos("date") if ("date",) in latest.positions
                 else latest.pos("approved_on"),
                 f"the latest management review ({latest.id}) was on {day}; the next was due "
                 f"by {due} ({(ctx.today - due).days} days ago)", hint)


def _input_label(inputs: ReviewInputs, key: str) -> str:
    return f"{inputs.label(inputs.item(key))} {key}"


@rule("R507", "review-missing-inputs", "error")
def review_missing_inputs(ctx: RuleContext) -> Iterator[Finding]:
    """A management review did not consider every input of ISO 9001 9.3.2 (or ISO 13485 5.6.2).

    ISO 9001 9.3.2 lists what a management review shall take into consideration:
    a) status of actions from previous reviews; b) changes in context; c) 1 customer
    feedback, 2 objectives, 3 process performance, 4 nonconformities and corrective
    actions, 5 monitoring results, 6 audit results, 7 supplier performance; d) adequacy of
    resources; e) effectiveness of actions on risks and opportunities; f) opportunities
    for improvement. An input is covered when a record linked in `inputs` evidences it
    (a KPI is a monitoring result, one with clause 9.1.2 is customer feedback and one
    with 8.4 supplier performance; an audit is an audit result; a risk is a risk; an
    action decided by an earlier review is a previous action; a strategy or a document
    with clause 4.1/4.2 is context; ...), or when `covers` declares it (for evidence that
    lives outside the repository). Approved reviews held on or before today are checked.

    With ISO 13485:2016 as the default standard (`[coverage] standard`), the inputs
    are those of its 5.6.2: a) feedback (`customer-feedback`), b) complaint handling
    (`complaint-handling`: a nonconformity from a customer complaint), c) reporting to
    regulatory authorities (`regulatory-reporting`: a record with 13485 clause 8.2.3),
    d) audits (`audit-results`), e) monitoring and measurement of processes
    (`process-performance`), f) of product (`product-monitoring`: a nonconformity, a
    KPI with clause 8.2.6), g) corrective action (`corrective-action`), h) preventive
    action (`preventive-action`), i) follow-up actions from previous reviews
    (`previous-actions`), j) changes that could affect the QMS (`context-changes`),
    k) recommendations for improvement (`improvement`), l) new or revised regulatory
    requirements (`regulatory-requirements`, usually declared in `covers`).

    Bad: `inputs: [KPI-OTIF]` and nothing else.

    Good:

    ```yaml
    inputs: [ACT-2026-01, STRAT-CUSTOMER, KPI-COMPLAINTS, OBJ-OTD, KPI-OTIF, NC-2026-02,
             AUD-2026-03, KPI-SUPP-OTD, KPI-SKILLS, RISK-BARSTOCK, ACT-2026-08]
    covers: [customer-feedback]   # the customer survey, presented from the CRM
    ```

    Fix: `qmskit report management-review` writes a draft record that links every
    input the repository has data for; add the others to `covers:` once presented.
    """
    inputs = review_inputs(ctx.qms)
    for doc in held(ctx.qms, "review", ctx.today):
        missing = review_coverage(ctx.qms, doc).missing
        if not missing:
            continue
        yield ctx.at(doc, _first_key(doc, "covers", "inputs", "date"),
                     f"management review {doc.id} does not cover ISO {inputs.clause} inputs: "
                     + ", ".join(_input_label(inputs, k) for k in missing),
                     "link the records considered in 'inputs:', or declare what was "
                     "presented from elsewhere in 'covers:'")


@rule("R508", "review-without-decision", "error")
def review_without_decision(ctx: RuleContext) -> Iterator[Finding]:
    """A management review recorded no decision.

    ISO 9001 9.3.3: the outputs of a management review include decisions and actions on
    improvement opportunities, changes to the QMS and resource needs. A review whose
    `decisions` names no action has no output anyone can follow up; it is the surest sign
    of a review held for the auditor. Approved reviews held on or before today are
    checked.

    Bad: `decisions: []`.

    Good: `decisions: [ACT-2026-09, ACT-2026-10]`, actions with `source:
    management-review`.

    Fix: record the decisions taken as actions (owner, due date) and list them.
    """
    for doc in held(ctx.qms, "review", ctx.today):
        model = doc.model
        assert isinstance(model, ManagementReview)
        if model.decisions:
            continue
        yield ctx.at(doc, _first_key(doc, "decisions", "date"),
                     f"management review {doc.id} records no decision",
                     "record each decision as an action and list it in 'decisions:'")
