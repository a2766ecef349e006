"""A page per person, the people index, and the calendars people subscribe to.

"What does the system expect of me?" answered where people look: a page per handle
("Quality duties of `quality-lead`") with what is due (the `qmskit due` items, each
with the command that discharges it), what the person owns through their roles, their
KPIs with the latest status and a trend sparkline, their open actions and the
acknowledgements they owe, and a link to their calendar; an index of everyone with
their roles and how much is due. The calendars are `qmskit due --format ics` for one
person and for the whole QMS (`qmskit.reports.calendar`), published as files beside
the pages so that Outlook or Google Calendar can subscribe to them.

The lists come from the same functions as the CLI (`qmskit.domain.duties`), over the
same window (`review_window`), so the page, the calendar and `qmskit due --as HANDLE`
agree. A calendar's DTSTAMP is the evaluation date, so a rebuild with nothing changed
publishes the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, time

from qmskit.domain.acks import Obligation, obligations
from qmskit.domain.duties import Agenda, Duty, by_person, duties, roles_of
from qmskit.domain.records import ACTION_STATE_LABELS, action_state
from qmskit.model.doc import Doc
from qmskit.model.documents import Kpi, Role
from qmskit.model.types import kind_rank
from qmskit.reports.calendar import calendar_namespace, due_ics
from qmskit.reports.escape import code_span, html_text, md_inline
from qmskit.site.context import KIND_LABELS, SiteContext
from qmskit.site.documents import kpi_points
from qmskit.site.handles import (
    people,
    people_index_src,
    person_calendar_src,
    person_link,
    person_src,
    qms_calendar_src,
)
from qmskit.site.html import badge, block, link, table
from qmskit.site.svg import ChartPoint, series_lines

#: How many of a KPI's latest periods its sparkline shows.
SPARK_PERIODS = 12


# ---------------------------------------------------------------------- the data


def _agendas(ctx: SiteContext) -> dict[str, Agenda]:
    """Handle -> that person's agenda (possibly empty), from one `duties` pass."""
    def compute() -> dict[str, Agenda]:
        within = ctx.qms.config.review_window
        grouped = by_person(duties(ctx.qms, ctx.today, within))
        return {handle: Agenda(ctx.today, within, {handle: grouped.get(handle, [])},
                               {handle: roles_of(ctx.qms, handle)}, handle)
                for handle in sorted(people(ctx))}

    return ctx.qms.derive(f"site:agendas:{ctx.today}", compute)


def _owned_by(ctx: SiteContext) -> dict[str, list[Doc]]:
    """Role id -> the documents it owns (not retired), in chain order: one pass for
    every person's page."""
    def compute() -> dict[str, list[Doc]]:
        found: dict[str, list[Doc]] = {}
        for doc in ctx.sorted_docs():
            if doc.model.owner and doc.status != "retired":
                found.setdefault(doc.model.owner, []).append(doc)
        return found

    return ctx.qms.derive("site:owned-by", compute)


def _owed_by(ctx: SiteContext) -> dict[str, list[Obligation]]:
    """Handle -> the acknowledgements they owe, soonest first (one `obligations` pass)."""
    def compute() -> dict[str, list[Obligation]]:
        found: dict[str, list[Obligation]] = {}
        for item in obligations(ctx.qms):
            if item.status != "current":
                found.setdefault(item.handle, []).append(item)
        for owed in found.values():
            owed.sort(key=lambda o: (o.due or date.max, o.doc_id))
        return found

    return ctx.qms.derive("site:owed-by", compute)


def _mine(ctx: SiteContext, roles: set[str], *kinds: str) -> list[Doc]:
    """The documents (of `kinds`, or all) the roles own, in chain order."""
    owned = _owned_by(ctx)
    docs = {doc.id: doc for role in roles for doc in owned.get(role, ())
            if not kinds or doc.kind in kinds}
    return sorted(docs.values(), key=lambda d: (kind_rank(d.kind), d.id))


def _roles(ctx: SiteContext, handle: str) -> tuple[list[Doc], list[Doc]]:
    """The roles `handle` holds, and those they are deputy for (not retired)."""
    held, deputy = [], []
    for doc in ctx.sorted_docs("role"):
        model = doc.model
        if doc.status == "retired" or not isinstance(model, Role):
            continue
        if handle in model.holders:
            held.append(doc)
        elif model.deputy == handle:
            deputy.append(doc)
    return held, deputy


def _stamp(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def calendars(ctx: SiteContext) -> dict[str, bytes]:
    """Every calendar the site publishes: one per person and one for the whole QMS."""
    namespace = ctx.qms.derive("site:calendar-namespace",
                               lambda: calendar_namespace(ctx.qms))
    stamp = _stamp(ctx.today)
    files = {person_calendar_src(ctx.layout, handle): due_ics(agenda, stamp, namespace)
             for handle, agenda in _agendas(ctx).items()}
    within = ctx.qms.config.review_window
    items = duties(ctx.qms, ctx.today, within)
    grouped = by_person(items)
    everyone = Agenda(ctx.today, within, grouped,
                      {h: roles_of(ctx.qms, h) for h in grouped})
    files[qms_calendar_src(ctx.layout)] = due_ics(everyone, stamp, namespace)
    return files


# ------------------------------------------------------------------- small parts


def _front(title: str, heading: str) -> str:
    # As the other generated pages: a JSON string is a valid YAML scalar for any title.
    return f"---\ntitle: {json.dumps(title)}\nhide:\n  - toc\n---\n\n# {heading}\n\n"


def _muted(text: str) -> str:
    return f'<p class="qms-muted">{html_text(text)}</p>'


def _dash() -> str:
    return '<span class="qms-muted">—</span>'


def _how(item: Duty) -> str:
    if item.command:
        return f"<code>{html_text(item.command)}</code>"
    return f"edit <code>{html_text(item.path)}</code>: {html_text(item.edit or '')}"


def _when(item: Duty) -> str:
    day = html_text(item.due) if item.due else "now"
    return f"{day} {badge('overdue')}" if item.overdue else day


def _fmt(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def sparkline(points: Sequence[ChartPoint], *, target: float | None, label: str) -> str:
    """A KPI's trend as a small inline SVG: the series (gaps where a period is `n/a`),
    the target as a dashed line, and the latest value as a dot in its status colour.

    The same classes as the full charts (`qmskit.site.svg.kpi_chart`), so the colours
    come from the one stylesheet; no script, no external request.
    """
    shown = list(points)[-SPARK_PERIODS:]
    values = [p.value for p in shown if p.value is not None]
    if not values:
        return '<span class="qms-muted">no data</span>'
    width, height, pad = 120, 28, 3
    low = min([*values, *([target] if target is not None else [])])
    high = max([*values, *([target] if target is not None else [])])
    if high == low:
        low, high = low - 1, high + 1

    def x(index: int) -> float:
        if len(shown) == 1:
            return width / 2
        return pad + (width - 2 * pad) * index / (len(shown) - 1)

    def y(value: float) -> float:
        return pad + (height - 2 * pad) * (high - value) / (high - low)

    parts = [f'<svg class="qms-chart qms-spark" xmlns="http://www.w3.org/2000/svg" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
             f'aria-label="{html_text(label)}" style="vertical-align: middle">'
             f"<title>{html_text(label)}</title>"]
    if target is not None:
        parts.append(f'<line class="qms-line qms-line--target" x1="{pad}" '
                     f'x2="{width - pad}" y1="{y(target):.1f}" y2="{y(target):.1f}"/>')
    parts.extend(series_lines(shown, x, y))
    last = next(i for i in range(len(shown) - 1, -1, -1) if shown[i].value is not None)
    value = shown[last].value
    assert value is not None
    parts.append(f'<circle class="qms-point qms-point--{html_text(shown[last].state)}" '
                 f'cx="{x(last):.1f}" cy="{y(value):.1f}" r="3"/>')
    parts.append("</svg>")
    return "".join(parts)


def _calendar_link(ctx: SiteContext, src: str, target: str, text: str) -> str:
    href = ctx.layout.rel_url(src, target)
    return f'<a class="qms-calendar-link" href="{html_text(href)}" download>{html_text(text)}</a>'


_SUBSCRIBE = (
    "To subscribe, copy the link's address (right-click, <em>Copy link</em>) and add it "
    "in Outlook (<em>Add calendar → Subscribe from web</em>) or Google Calendar "
    "(<em>Other calendars → + → From URL</em>); the calendar then follows each build of "
    "this handbook. Google fetches the file from its own servers, so it can subscribe "
    "only when the handbook is reachable from the internet; otherwise download the file "
    "and import it (re-importing updates the events, it never duplicates them)."
)


# ------------------------------------------------------------------ person page


def _due_section(ctx: SiteContext, src: str, agenda: Agenda) -> list[str]:
    items = agenda.items
    parts = [f"## Due: overdue and within {md_inline(agenda.within)}\n"]
    if not items:
        return [*parts, block(_muted(f"Nothing is due as of {ctx.today}."))]
    rows = [[_when(item), html_text(item.what), ctx.doc_link(src, item.doc_id, with_title=True),
             _how(item)] for item in items]
    return [*parts, block(table(["Due", "What", "Document", "How"], rows,
                                cls="qms-duties"))]


def _owned(ctx: SiteContext, src: str, roles: set[str]) -> list[str]:
    docs = _mine(ctx, roles)
    parts = ["## What they own\n"]
    if not docs:
        return [*parts, block(_muted("Their roles own no document."))]
    rows = []
    for doc in docs:
        review = ctx.reviews[doc.id]
        next_review = (f"{html_text(review.due)} {badge(review.state)}"
                       if review.state != "exempt" and review.due else
                       badge(review.state) if review.state == "never-reviewed" else _dash())
        rows.append([ctx.doc_link(src, doc.id, with_title=True),
                     html_text(KIND_LABELS.get(doc.kind, doc.kind)), badge(doc.status),
                     next_review, ctx.doc_link(src, doc.model.owner or "")])
    return [*parts, block(table(["Document", "Kind", "Status", "Next review", "As"], rows))]


def _kpis(ctx: SiteContext, src: str, roles: set[str]) -> list[str]:
    kpis = [d for d in _mine(ctx, roles, "kpi") if isinstance(d.model, Kpi)]
    parts = ["## KPIs\n"]
    if not kpis:
        return [*parts, block(_muted("They own no KPI."))]
    rows = []
    for doc in kpis:
        model = doc.model
        assert isinstance(model, Kpi)
        status = ctx.kpis[doc.id]
        unit = f" {model.unit}" if model.unit else ""
        latest = (f"{html_text(_fmt(status.latest.value))}{html_text(unit)} in "
                  f"{html_text(status.latest.period.label)}" if status.latest else _dash())
        target = html_text(f"{_fmt(model.target)}{unit}") if model.target is not None \
            else _dash()
        label = f"{doc.id}: the last {SPARK_PERIODS} periods" + (
            f", latest {_fmt(status.latest.value)}{unit} ({status.latest.period.label})"
            if status.latest else "")
        spark = sparkline(kpi_points(ctx, doc), target=model.target, label=label)
        rows.append([ctx.doc_link(src, doc.id, with_title=True), f"{latest} {badge(status.state)}",
                     target, spark,
                     html_text(status.next_due) if status.next_due else _dash()])
    return [*parts, block(table(["KPI", "Latest", "Target", "Trend", "Next value due"], rows))]


def _actions(ctx: SiteContext, src: str, roles: set[str]) -> list[str]:
    docs = [d for d in _mine(ctx, roles, "action")
            if action_state(d, ctx.today) in ("open", "overdue")]
    docs.sort(key=lambda d: (getattr(d.model, "due", None) or date.max, d.id))
    parts = ["## Open actions\n"]
    if not docs:
        return [*parts, block(_muted("No open action is theirs."))]
    rows = []
    for doc in docs:
        state = action_state(doc, ctx.today)
        due = getattr(doc.model, "due", None)
        rows.append([ctx.doc_link(src, doc.id, with_title=True),
                     html_text(due) if due else _dash(),
                     badge(state, ACTION_STATE_LABELS[state])])
    return [*parts, block(table(["Action", "Due", "State"], rows))]


def _acks(ctx: SiteContext, src: str, handle: str) -> list[str]:
    owed = _owed_by(ctx).get(handle, [])
    parts = ["## Acknowledgements owed\n"]
    if not owed:
        return [*parts, block(_muted("They have acknowledged every version they must read."))]
    rows = []
    for item in owed:
        read = (f"version {item.acknowledged.version} on {item.acknowledged.day}"
                if item.acknowledged else "never")
        due = html_text(item.due) if item.due else _dash()
        if item.overdue(ctx.today):
            due += " " + badge("overdue")
        rows.append([ctx.doc_link(src, item.doc_id, with_title=True), html_text(item.version),
                     html_text(read), due,
                     f"<code>{html_text(f'qmskit ack {item.doc_id} --as {handle}')}</code>"])
    return [*parts, block(table(["Document", "Version", "Last read", "Due", "How"], rows))]


def page_person(ctx: SiteContext, src: str, handle: str) -> str:
    """"Quality duties of HANDLE": what is due, what they own, KPIs, actions, acks."""
    agenda = _agendas(ctx)[handle]
    held, deputy = _roles(ctx, handle)
    carried = set(roles_of(ctx.qms, handle))
    items = agenda.items
    overdue = sum(item.overdue for item in items)
    roles_text = ", ".join(ctx.doc_link(src, r.id, with_title=True) for r in held)
    deputy_text = ", ".join(ctx.doc_link(src, r.id) for r in deputy)
    who = [f"Holds {roles_text}." if held else "Holds no role."]
    if deputy:
        who.append(f"Deputy for {deputy_text}"
                   + (" (carries its items while it has no holder)." if carried - {
                       r.id for r in held} else "."))
    calendar = _calendar_link(ctx, src, person_calendar_src(ctx.layout, handle),
                              f"{handle}.ics")
    index = ctx.layout.rel_url(src, people_index_src(ctx.layout))
    summary = (f"{badge('overdue' if overdue else 'current', f'{overdue} overdue')} "
               f"{badge('due-soon' if items else 'current', f'{len(items)} due')}")
    parts = [
        _front(f"Quality duties of {handle}", f"Quality duties of {code_span(handle)}"),
        block(f'<p class="qms-summary">{summary}</p>'
              f"<p>{' '.join(who)} What the QMS expects of {html_text(handle)} as of "
              f"{html_text(ctx.today)}, the same list as <code>qmskit due --as "
              f"{html_text(handle)}</code>. Calendar: {calendar}. "
              f"{link(index, 'Everyone')}.</p>"),
        *_due_section(ctx, src, agenda),
        *_owned(ctx, src, carried | {r.id for r in held}),
        *_kpis(ctx, src, carried | {r.id for r in held}),
        *_actions(ctx, src, carried | {r.id for r in held}),
        *_acks(ctx, src, handle),
        "## Calendar\n",
        block(f"<p>{calendar}: one all-day event per item above, on its due date, with "
              f"the command that discharges it. {_SUBSCRIBE}</p>"),
    ]
    return "".join(parts)


# -------------------------------------------------------------------- the index


def page_people(ctx: SiteContext, src: str) -> str:
    """Everyone the QMS names, with their roles and how much is due."""
    agendas = _agendas(ctx)
    rows = []
    total = late = 0
    for handle, agenda in agendas.items():
        held, deputy = _roles(ctx, handle)
        items = agenda.items
        overdue = sum(item.overdue for item in items)
        total, late = total + len(items), late + overdue
        roles = ", ".join(ctx.doc_link(src, r.id) for r in held)
        if deputy:
            roles += ("; " if roles else "") + "deputy for " + ", ".join(
                ctx.doc_link(src, r.id) for r in deputy)
        rows.append([person_link(ctx, src, handle), roles or _dash(),
                     html_text(len(items)) if items else _dash(),
                     f"{html_text(overdue)} {badge('overdue')}" if overdue else _dash()])
    calendar = _calendar_link(ctx, src, qms_calendar_src(ctx.layout), "quality-duties.ics")
    within = ctx.qms.config.review_window
    return "".join([
        _front("People", "People"),
        f"Everyone the QMS names (role holders and deputies, auditors, readers of "
        f"procedures), by handle, with what is due as of {md_inline(ctx.today)}: overdue, "
        f"due within {md_inline(within)}, and open actions. Each page lists the items "
        "with the command that discharges them, and links that person's calendar.\n",
        block(f'<p class="qms-summary">{badge("due-soon", f"{total} due")} '
              f'{badge("overdue" if late else "current", f"{late} overdue")}</p>'),
        block(table(["Person", "Roles", "Due", "Overdue"], rows, cls="qms-people")
              if rows else _muted("No role has a holder yet.")),
        "## Calendars\n",
        block(f"<p>Everyone's items in one calendar: {calendar}. Each person's page links "
              f"their own. {_SUBSCRIBE}</p>"),
    ])


def people_files(ctx: SiteContext) -> dict[str, str | bytes]:
    """Every person's page and calendar, and the whole QMS's calendar (the people index
    is a page of the section, `PAGES`)."""
    files: dict[str, str | bytes] = {}
    for handle in _agendas(ctx):
        src = person_src(ctx.layout, handle)
        files[src] = page_person(ctx, src, handle)
    files.update(calendars(ctx))
    return files
