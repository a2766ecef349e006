"""Currency rules: the QMS is kept alive all year, not refreshed before the audit.

All of them depend on the evaluation date (`--today`, the `today` config key, or the
real date), so results are reproducible in tests and CI.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from qmskit.domain.schedule import kpi_status
from qmskit.model.doc import Doc
from qmskit.model.documents import Kpi, Objective
from qmskit.model.findings import Finding
from qmskit.rules import CONTENT, FRONT_MATTER, HISTORY, RuleContext, rule
from qmskit.rules.history import review_facts


def _review_pos(doc: object) -> tuple[int, int]:
    from qmskit.model.doc import Doc

    assert isinstance(doc, Doc)
    for key in (("review", "last"), ("approved_on",), ("review",)):
        if key in doc.positions:
            return doc.positions[key]
    return doc.pos("id")


@rule("C401", "review-overdue", "error")
def review_overdue(ctx: RuleContext) -> Iterator[Finding]:
    """An approved document's periodic review is overdue, or it was never reviewed.

    ISO 9001 7.5.2 requires documented information to be reviewed for suitability; the
    interval is `review.interval`, or the per-kind default in the config (12 months by
    default). The last review is `review.last`, or `approved_on` if no review is
    recorded. Drafts, retired documents and records (actions, nonconformities, audits,
    management reviews) are exempt.

    Fix: review the document and stamp it with `qmskit review ID` (or set
    `review.last` to the review date).
    """
    for doc in ctx.qms.documents.values():
        status = ctx.review(doc)
        if status.state == "overdue":
            assert status.due is not None
            days = (ctx.today - status.due).days
            yield ctx.at(doc, _review_pos(doc),
                         f"review overdue since {status.due} ({days} days; last review "
                         f"{status.last}, every {status.interval})",
                         f"review it and run `qmskit review {doc.id}`")
        elif status.state == "never-reviewed":
            yield ctx.at(doc, doc.pos("status"),
                         f"{doc.id} is approved but has no review.last or approved_on date",
                         "add 'approved_on:' or 'review: {last: ...}'")


@rule("C402", "review-due-soon", "warning")
def review_due_soon(ctx: RuleContext) -> Iterator[Finding]:
    """An approved document's review falls due within the review window (warning).

    The window is `review_window` in the config (30 days by default). Spreading reviews
    over the year, as they fall due, is what keeps a QMS in performance mode rather
    than in a pre-audit rush.
    """
    for doc in ctx.qms.documents.values():
        status = ctx.review(doc)
        if status.state == "due-soon":
            assert status.due is not None
            yield ctx.at(doc, _review_pos(doc),
                         f"review due on {status.due} (in {(status.due - ctx.today).days} days)",
                         f"plan the review; stamp it with `qmskit review {doc.id}`")


@rule("C403", "changed-since-review", "warning", reads=(FRONT_MATTER, CONTENT, HISTORY),
      per_document=True)
def changed_since_review(ctx: RuleContext) -> Iterator[Finding]:
    """A document was changed in git after its last review (a "suspect" document).

    Suspect means: the document's content changed in a commit after the commit that
    recorded its current review stamp (`review.last`, or `approved_on`), or it has
    uncommitted changes since then. Content is the front matter without the stamp
    fields (`review`, `version`, `approved_by`, `approved_on`) plus the body, so a
    commit that only stamps a review or an approval never makes a document suspect, and
    neither does a back-dated stamp committed after the edits it covers. The commit
    that adds front matter to an existing page is the baseline: adopting qmskit with
    past review dates raises nothing. Read from one pass over git history (never one
    git call per file). Skipped, with a notice, outside a git repository, before the
    first commit and in shallow clones. Drafts, retired documents and records are
    exempt.

    Fix: review the change and stamp it (`qmskit review ID`), which records the date.
    """
    facts = review_facts(ctx)
    if facts is None or not facts.available:
        return
    for doc in ctx.qms.documents.values():
        verdict = facts.verdicts.get(doc.path)
        if verdict is None or not verdict.suspect:
            continue
        last = verdict.stamp
        if verdict.change is not None:
            yield ctx.at(doc, _review_pos(doc),
                         f"changed on {verdict.change.committed} (commit "
                         f"{verdict.change.commit[:9]}) after its last review on {last}",
                         f"review the change and stamp it: `qmskit review {doc.id}`")
        else:
            yield ctx.at(doc, _review_pos(doc),
                         f"has uncommitted changes since its last review on {last}",
                         f"if the change needs review, stamp it: `qmskit review {doc.id}`")


@rule("C404", "kpi-data-overdue", "error")
def kpi_data_overdue(ctx: RuleContext) -> Iterator[Finding]:
    """A KPI has no data, or its next measurement is overdue for its frequency.

    The period after the latest recorded one must be recorded within the grace after
    it ends (`kpi_grace` in the config: weekly 3 days, monthly 15 days, quarterly 30
    days, yearly 60 days). A KPI that is not measured cannot inform decisions (ISO 9001
    9.1.3).

    Fix: append the missing periods (`qmskit kpi record KPI VALUE --period P`).
    """
    for doc in ctx.qms.of_kind("kpi"):
        if doc.status != "approved":
            continue
        assert isinstance(doc.model, Kpi)
        if doc.id not in ctx.qms.series:
            if doc.model.data is None:
                yield ctx.at(doc, doc.key_pos("id"), f"KPI {doc.id} has no data file",
                             f"add 'data: data/{doc.id}.csv' with rows 'period,value'")
            elif doc.id in ctx.qms.series_paths:
                pass  # unreadable data is reported by D105
            continue
        status = kpi_status(doc, ctx.qms.series[doc.id], ctx.config)
        if status.recorded is None:
            yield ctx.at(doc, doc.pos("data"), f"KPI {doc.id} has no measurements yet",
                         "record the first period")
        elif (status.next_due is not None and status.next_due < ctx.today
              and status.awaited is not None):
            missing = status.awaited.label
            yield ctx.at(doc, doc.pos("data"),
                         f"KPI data overdue: latest period is {status.recorded.label}; "
                         f"{missing} was due by {status.next_due}",
                         f"record it: `qmskit kpi record {doc.id} VALUE --period {missing}`, "
                         f"or, with nothing to measure, `qmskit kpi record {doc.id} n/a "
                         f"--reason TEXT --period {missing}`")


@rule("C407", "dated-in-the-future", "error")
def dated_in_the_future(ctx: RuleContext) -> Iterator[Finding]:
    """A review or approval stamp is after today, or a KPI period has not ended yet.

    A stamp from the future is a typo (`review.last: 2062-11-01` for 2026-11-01) that
    silences the review rules for decades, and a value for a period still running (or a
    typo'd `2062-10`) silences the KPI currency rule (C404) the same way. The evaluation
    date decides (`--today`): a period has ended once its last day has passed, the rule
    `qmskit kpi record` applies before it writes, and `qmskit review` never stamps a
    date after today either.

    Bad: `review: {last: 2062-11-01}`; a monthly KPI row `2026-11,96.5` on 2026-11-24;
    `2062-10,96` for `2026-10,96`.

    Fix: correct the date or the period; record a period's value after it has ended.
    """
    for doc in ctx.qms.documents.values():
        model = doc.model
        for key, day in ((("review", "last"), model.review.last if model.review else None),
                         (("approved_on",), model.approved_on)):
            if key[0] in doc.inherited:
                continue  # a register row's stamp is its register's, reported there
            if day is not None and day > ctx.today:
                yield ctx.at(doc, doc.pos(*key),
                             f"{'.'.join(key)} {day} is after today ({ctx.today})",
                             "correct the date; a stamp records what has happened")
    for kpi_id, rows in ctx.qms.series.items():
        path = ctx.qms.series_paths.get(kpi_id)
        if path is None:
            continue
        # Rows ascend, so the periods not yet ended are the last ones.
        early = []
        for row in reversed(rows):
            if row.period.ended(ctx.today):
                break
            early.append(row)
        for row in reversed(early):
            yield Finding(path, row.line, 1, "",
                          f"period {row.period.label} ends on {row.period.end}, after "
                          f"today ({ctx.today}): it has not ended yet",
                          hint="correct the period, or record the value once it has ended",
                          doc_id=kpi_id)


@rule("C405", "kpi-off-target", "warning")
def kpi_off_target(ctx: RuleContext) -> Iterator[Finding]:
    """A KPI's latest value misses its target (warning).

    Amber when it misses `target` but not `warn_at`; red beyond `warn_at`. A miss is
    information, not a defect in the QMS, hence a warning: the question is whether an
    action follows (ISO 9001 9.1.3, 10.2).
    """
    for doc in ctx.qms.of_kind("kpi"):
        if doc.status != "approved" or doc.id not in ctx.qms.series:
            continue
        model = doc.model
        assert isinstance(model, Kpi)
        status = kpi_status(doc, ctx.qms.series[doc.id], ctx.config)
        if status.state in ("amber", "red") and status.latest is not None:
            unit = f" {model.unit}" if model.unit else ""
            if status.state == "red":
                level = (f"red: beyond warn_at {model.warn_at:g}{unit}"
                         if model.warn_at is not None else "red")
            else:
                level = f"amber: within warn_at {model.warn_at:g}{unit}"
            yield ctx.at(doc, doc.pos("target"),
                         f"{status.latest.period.label} value {status.latest.value:g}{unit} "
                         f"misses target {model.target:g}{unit} ({level})",
                         "consider a corrective action and record it")


@rule("C406", "objective-past-due", "warning")
def objective_past_due(ctx: RuleContext) -> Iterator[Finding]:
    """An approved objective's `due` date has passed (warning).

    Either it was achieved (retire it, or set the next target and due date) or it was
    missed (decide what happens next, ISO 9001 6.2.2). Left as is, it is a stale target.
    """
    for doc in ctx.qms.of_kind("objective"):
        model = doc.model
        assert isinstance(model, Objective)
        if doc.status == "approved" and model.due is not None and model.due < ctx.today:
            yield ctx.at(doc, doc.pos("due"), f"objective was due on {model.due}",
                         "set a new target and due date, or retire it")


def _declared_due(ctx: RuleContext) -> Iterator[tuple[Doc, str, date]]:
    """(document, field, date) of every approved document of a declared kind whose
    config names a `due` date field it fills in."""
    if not any(spec.due for spec in ctx.config.contract.declared.values()):
        return
    for doc in ctx.qms.documents.values():
        name = type(doc.model).due_field
        if name is None or doc.status != "approved":
            continue
        day = getattr(doc.model, name, None)
        if isinstance(day, date):
            yield doc, name, day


@rule("C408", "declared-due-overdue", "error")
def declared_due_overdue(ctx: RuleContext) -> Iterator[Finding]:
    """A date a declared kind falls due by has passed (a calibration, a supplier
    evaluation).

    A kind declared in the config may name one of its date fields as `due`
    (`[kinds.equipment] due = "next_calibration"`): like a review date, the document
    falls due on it. An approved document whose date has passed is reported at that
    date; drafts and retired documents are exempt. ISO 9001 7.1.5 (measuring equipment
    calibrated at specified intervals) and 8.4 (external providers evaluated) are the
    usual reasons.

    Bad: `next_calibration: 2026-10-31` on 2026-11-24.

    Fix: do it (calibrate, evaluate) and record the next date, or retire the document.
    """
    for doc, name, day in _declared_due(ctx):
        if day < ctx.today:
            yield ctx.at(doc, doc.pos(name),
                         f"{name} {day} has passed ({(ctx.today - day).days} days ago)",
                         f"do what is due and set '{name}:' to the next date")


@rule("C409", "declared-due-soon", "warning")
def declared_due_soon(ctx: RuleContext) -> Iterator[Finding]:
    """A date a declared kind falls due by is within the review window (warning).

    The same dates as C408, falling due within `review_window` (30 days by default):
    plan the calibration or evaluation before it is overdue.
    """
    window = ctx.config.review_window.after(ctx.today)
    for doc, name, day in _declared_due(ctx):
        if ctx.today <= day <= window:
            yield ctx.at(doc, doc.pos(name),
                         f"{name} is {day} (in {(day - ctx.today).days} days)",
                         f"plan it; then set '{name}:' to the next date")
