"""The generated pages of the handbook's "System" section.

Each function returns the Markdown of one page (front matter, headings, raw HTML blocks)
from a `SiteContext`. They show the QMS as a system: how strategy reaches the work and
its measures, how the measures stand, what is due, who owns what, and what `qmskit
check` reports, so leadership and auditors read the live state, not a snapshot.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from qmskit.domain.records import ACTION_STATE_LABELS, action_state
from qmskit.domain.versions import approval
from qmskit.model.doc import Doc
from qmskit.model.documents import Action, Kpi, ManagementReview, Procedure, Role
from qmskit.model.types import kind_rank
from qmskit.reports.escape import html_text, md_inline
from qmskit.site.context import KIND_LABELS, SiteContext
from qmskit.site.documents import link_ids, map_node, render_kpi_chart
from qmskit.site.handles import person_link
from qmskit.site.html import badge, block, figure, link, table
from qmskit.site.people import page_people
from qmskit.site.svg import MapEdge, StrategyMap, activity_chart, order_columns, render_map


@dataclass(frozen=True)
class PageSpec:
    """A generated page: file name in the section, nav title, and its renderer."""

    name: str
    title: str
    render: Callable[[SiteContext, str], str]
    summary: str


def _front(title: str, *, wide: bool = False, widest: bool = False) -> str:
    # Material and Zensical read `hide`; other builders ignore it. JSON strings are valid
    # YAML scalars, which keeps any title safe in front matter.
    hide = "hide:\n  - toc\n" if wide or widest else ""
    hide += "  - navigation\n" if widest else ""
    return f"---\ntitle: {json.dumps(title)}\n{hide}---\n\n# {md_inline(title)}\n\n"


def _missing(text: str) -> str:
    return f'<span class="qms-missing">{html_text(text)}</span>'


def _dash() -> str:
    return '<span class="qms-muted">—</span>'


def _doc_cell(ctx: SiteContext, src: str, doc: Doc) -> str:
    return ctx.doc_link(src, doc.id, with_title=True)


def _owner_cell(ctx: SiteContext, src: str, doc: Doc) -> str:
    return ctx.doc_link(src, doc.model.owner) if doc.model.owner else _missing("no owner")


# ----------------------------------------------------------------------- strategy map

MAP_COLUMNS = ["Strategy", "Objectives", "Processes", "Procedures", "KPIs", "Owners"]
_MAP_COLUMN = {"strategy": 0, "objective": 1, "process": 2, "procedure": 3, "kpi": 4,
               "role": 5}


def strategy_map(ctx: SiteContext, src: str, map_id: str = "qms-strategy-map") -> str:
    """The full map as SVG: strategy, objectives, processes, procedures, KPIs, owners."""
    graph = ctx.links
    smap = StrategyMap(list(MAP_COLUMNS))
    for doc in ctx.qms.documents.values():
        if doc.kind in _MAP_COLUMN and doc.kind != "role" and doc.status != "retired":
            node = map_node(ctx, src, doc.id)
            node.column = _MAP_COLUMN[doc.kind]
            smap.nodes[doc.id] = node
    for link_ in sorted(graph.links(("supports", "measures")),
                        key=lambda lk: (lk.source, lk.target, lk.field)):
        if link_.source in smap.nodes and link_.target in smap.nodes:
            smap.edges.append(MapEdge(link_.source, link_.target, link_.field))
    for doc_id in sorted(list(smap.nodes)):
        owner = ctx.qms.documents[doc_id].model.owner
        if owner and owner in ctx.qms.documents and graph.kind(owner) == "role":
            if owner not in smap.nodes:
                node = map_node(ctx, src, owner)
                node.column = _MAP_COLUMN["role"]
                smap.nodes[owner] = node
            smap.edges.append(MapEdge(doc_id, owner, "owner"))
    order_columns(smap, anchor_only=frozenset({"owner"}))
    return render_map(smap, map_id, "Strategy map: strategy, objectives, processes, KPIs "
                      "and owners")


def page_strategy_map(ctx: SiteContext, src: str) -> str:
    """The strategy map page: the whole chain from strategy to owners, clickable."""
    legend = "".join(
        f'<span class="qms-legend-item qms-kind-{kind}"><span class="qms-swatch"></span>'
        f"{html_text(KIND_LABELS[kind])}</span>"
        for kind in ("strategy", "objective", "process", "procedure", "kpi", "role")
    )
    untraced = [d for d in ctx.sorted_docs("objective", "process", "procedure", "kpi")
                if d.id not in ctx.traced and d.status != "retired"]
    text = (
        "Every objective should support a strategy, every process an objective (or a "
        "parent process), every KPI should measure a process or objective, and every "
        "document has an owner. Lines run from each document to what it serves; faint "
        "dashed lines lead to owners. Click a box to open the document; hover for its "
        "full title. Dashed boxes are drafts; the dot on a KPI is its latest status."
    )
    parts = [
        _front(ctx.t("Strategy map"), widest=True), text, "\n",
        block(f'<p class="qms-legend">{legend}</p>'),
        figure(f'<figure class="qms-figure qms-figure--map">{strategy_map(ctx, src)}</figure>'),
    ]
    if untraced:
        rows = [[_doc_cell(ctx, src, d), html_text(KIND_LABELS[d.kind]), _owner_cell(ctx, src, d)]
                for d in untraced]
        parts.append("## Not traced to a strategy\n")
        parts.append(block(table(["Document", "Kind", "Owner"], rows)))
    return "".join(parts)


# ---------------------------------------------------------------------- KPI dashboard

_KPI_SEVERITY = {"red": 0, "amber": 1, "no-data": 2, "no-target": 3, "on-target": 4}


def page_kpis(ctx: SiteContext, src: str) -> str:
    """Every KPI: latest value and status against target, and its trend chart."""
    kpis = [d for d in ctx.qms.of_kind("kpi") if isinstance(d.model, Kpi)
            and d.status != "retired"]
    kpis.sort(key=lambda d: (_KPI_SEVERITY.get(ctx.kpis[d.id].state, 9), d.id))
    counts: dict[str, int] = {}
    for doc in kpis:
        counts[ctx.kpis[doc.id].state] = counts.get(ctx.kpis[doc.id].state, 0) + 1
    summary = " ".join(f"{badge(state)} {counts[state]}"
                       for state in sorted(counts, key=lambda s: _KPI_SEVERITY.get(s, 9)))
    parts = [
        _front(ctx.t("KPI dashboard")),
        f"Latest measurements as of {md_inline(ctx.today)}, worst first. The green band is "
        "on target, amber is between the target and the warning threshold (`warn_at`), "
        "red is beyond it.\n",
        block(f'<p class="qms-summary">{summary or "No KPIs defined yet."}</p>'),
    ]
    for doc in kpis:
        model = doc.model
        assert isinstance(model, Kpi)
        status = ctx.kpis[doc.id]
        unit = f" {model.unit}" if model.unit else ""
        latest = (f'<span class="qms-kpi-value">{html_text(f"{status.latest.value:g}")}'
                  f"{html_text(unit)}</span> in {html_text(status.latest.period.label)}"
                  if status.latest else _missing("no measurements"))
        target = f"{model.target:g}{unit}" if model.target is not None else "none"
        warn = f"{model.warn_at:g}{unit}" if model.warn_at is not None else "none"
        measures = ", ".join(ctx.doc_link(src, i) for i in model.measures) or _missing("nothing")
        next_due = f", next due {status.next_due}" if status.next_due else ""
        better = "higher" if model.direction == "higher" else "lower"
        facts = [
            ("Latest", f"{latest} {badge(status.state)}"),
            ("Target", f"{html_text(target)} ({better} is better)"),
            ("Warn at", html_text(warn)),
            ("Frequency", html_text(f"{model.frequency}{next_due}")),
            ("Owner", ctx.owner_html(src, model.owner)),
            ("Measures", measures),
        ]
        facts_html = "".join(f"<div><dt>{html_text(k)}</dt><dd>{v}</dd></div>" for k, v in facts)
        parts.append(block(f'<div class="qms-anchor" id="{html_text(doc.id.lower())}"></div>'))
        parts.append(f"## {md_inline(doc.id)} · {md_inline(doc.title)}\n")
        parts.append(block(
            f'<div class="qms-kpi qms-kpi--{html_text(status.state)}" '
            f'data-id="{html_text(doc.id)}">'
            f'<div class="qms-kpi-facts"><dl>{facts_html}</dl><p>'
            f'{link(ctx.url(src, doc.id), "Definition and history")}</p></div></div>'
        ))
        parts.append(figure(
            f'<figure class="qms-figure qms-figure--chart qms-kpi-chart qms-kpi-chart--'
            f'{html_text(status.state)}">{render_kpi_chart(ctx, doc)}</figure>'
        ))
    return "".join(parts)


# ---------------------------------------------------------------------- review calendar


def _review_rows(ctx: SiteContext, src: str, docs: Iterable[Doc]) -> list[list[str]]:
    rows = []
    for doc in docs:
        status = ctx.reviews[doc.id]
        rows.append([
            _doc_cell(ctx, src, doc), html_text(KIND_LABELS.get(doc.kind, doc.kind)),
            _owner_cell(ctx, src, doc), html_text(status.last) if status.last else _dash(),
            html_text(status.due) if status.due else _dash(), badge(status.state),
        ])
    return rows


_REVIEW_HEADERS = ["Document", "Kind", "Owner", "Last review", "Due", "State"]


def page_reviews(ctx: SiteContext, src: str) -> str:
    """Reviews overdue, due within the review window and 90 days, the year ahead by month,
    and KPI measurements that are due."""
    today = ctx.today
    window_end = ctx.qms.config.review_window.after(today)
    quarter_end = date.fromordinal(today.toordinal() + 90)
    due = sorted(((s.due, d) for d in ctx.qms.documents.values()
                  if (s := ctx.reviews[d.id]).due is not None
                  and s.state not in ("exempt", "never-reviewed")), key=lambda p: (p[0], p[1].id))
    overdue = [d for day, d in due if day < today]
    soon = [d for day, d in due if today <= day <= window_end]
    quarter = [d for day, d in due if window_end < day <= quarter_end]
    never = [d for d in ctx.sorted_docs() if ctx.reviews[d.id].state == "never-reviewed"]
    exempt = [d for d in ctx.sorted_docs() if ctx.reviews[d.id].state == "exempt"]
    window_days = (window_end - today).days
    parts = [
        _front(ctx.t("Review calendar")),
        f"Document reviews (ISO 9001 7.5.2) as of {md_inline(today)}. A review is due one "
        "review interval after the last one; approval counts as the first review.\n",
        block('<p class="qms-summary">'
              f'{badge("overdue")} {len(overdue)} '
              f'{badge("due-soon", f"within {window_days} days")} {len(soon)} '
              f'{badge("current", "within 90 days")} {len(quarter)}</p>'),
    ]
    sections = (("Overdue", overdue, "Nothing is overdue."),
                (f"Due within {window_days} days", soon, "Nothing falls due in this window."),
                ("Due within 90 days", quarter, "Nothing else falls due within 90 days."))
    for title, docs, empty in sections:
        parts.append(f"## {md_inline(title)}\n")
        parts.append(block(table(_REVIEW_HEADERS, _review_rows(ctx, src, docs))
                           if docs else f'<p class="qms-muted">{html_text(empty)}</p>'))
    parts.append("## The year ahead\n")
    months: dict[str, list[Doc]] = {}
    year_end = date(today.year + 1, today.month, 1)
    for day, doc in due:
        if today <= day < year_end or (day < today):
            key = max(day, today).strftime("%Y-%m")
            months.setdefault(key, []).append(doc)
    cursor = date(today.year, today.month, 1)
    cells = []
    for _ in range(12):
        key = cursor.strftime("%Y-%m")
        docs = months.get(key, [])
        items = "".join(f"<li>{ctx.doc_link(src, d.id)}</li>" for d in docs)
        cells.append(f'<div class="qms-month" data-month="{html_text(key)}"><h4>'
                     f'{html_text(cursor.strftime("%B %Y"))} <span class="qms-muted">({len(docs)})'
                     f"</span></h4><ul>{items}</ul></div>")
        cursor = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    parts.append(block(f'<div class="qms-calendar">{"".join(cells)}</div>'))
    if never:
        parts.append("## Approved but never reviewed\n")
        parts.append(block(table(_REVIEW_HEADERS, _review_rows(ctx, src, never))))
    parts.append("## KPI measurements due\n")
    kpi_rows = []
    for doc in ctx.qms.of_kind("kpi"):
        status = ctx.kpis.get(doc.id)
        if status is None or doc.status == "retired":
            continue
        late = status.next_due is not None and status.next_due < today
        state = "overdue" if late or status.state == "no-data" else "current"
        model = doc.model
        assert isinstance(model, Kpi)
        kpi_rows.append((status.next_due or date.min, [
            _doc_cell(ctx, src, doc), html_text(model.frequency),
            html_text(status.latest.period.label) if status.latest else _dash(),
            html_text(status.next_due) if status.next_due else _dash(),
            badge(state, "data overdue" if state == "overdue" else "on time"),
        ]))
    kpi_rows.sort(key=lambda pair: pair[0])
    parts.append(block(table(["KPI", "Frequency", "Latest period", "Next value due", "State"],
                             [row for _, row in kpi_rows])
                       if kpi_rows else '<p class="qms-muted">No KPIs.</p>'))
    if exempt:
        parts.append("## Not under review (drafts and retired documents)\n")
        parts.append(block(table(["Document", "Kind", "Owner", "Status"], [
            [_doc_cell(ctx, src, d), html_text(KIND_LABELS.get(d.kind, d.kind)),
             _owner_cell(ctx, src, d), badge(d.status)] for d in exempt])))
    return "".join(parts)


# -------------------------------------------------------------------- document register


def page_register(ctx: SiteContext, src: str) -> str:
    """The master list of controlled documents (ISO 9001 7.5.3)."""
    rows = []
    for doc in ctx.sorted_docs():
        model, status = doc.model, ctx.reviews[doc.id]
        record = approval(model)
        approved = ctx.doc_link(src, model.approved_by) if model.approved_by else _dash()
        if model.approved_on:
            approved += f"<br>{html_text(model.approved_on)}"
        pending = record.pending and doc.status == "approved"
        if pending:
            approved += f" (version {html_text(record.version)})"
        rows.append([
            ctx.doc_link(src, doc.id), html_text(doc.title),
            html_text(KIND_LABELS.get(doc.kind, doc.kind)),
            html_text(model.version) if model.version is not None else _dash(),
            badge(doc.status) + (" " + badge("pending", "pending approval") if pending else ""),
            _owner_cell(ctx, src, doc), approved,
            html_text(status.last) if status.last else _dash(),
            (html_text(status.due) + " " if status.due else "") + badge(status.state),
            f"<code>{html_text(doc.path)}</code>",
        ])
    counts: dict[str, int] = {}
    for doc in ctx.qms.documents.values():
        counts[doc.status] = counts.get(doc.status, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    return "".join([
        _front(ctx.t("Document register"), wide=True),
        f"The master list of controlled documents (ISO 9001 7.5): {len(ctx.qms.documents)} "
        f"documents ({md_inline(summary or 'none')}). Generated from the repository on every "
        "build, so it cannot drift from the documents themselves.\n",
        block(table(["Id", "Title", "Kind", "Version", "Status", "Owner", "Approved",
                     "Last review", "Next review", "File"], rows, cls="qms-register")),
    ])


# ------------------------------------------------------------------ roles and matrix

_LETTERS = (("O", "owns (accountable)"), ("A", "approves"), ("R", "reviews"),
            ("I", "must read each new version (applies_to)"), ("M", "attends"))


def responsibilities(doc: Doc) -> dict[str, list[str]]:
    """Role id -> the letters (O, A, R, I, M) a document gives that role, in that order."""
    model = doc.model
    letters: dict[str, list[str]] = {}

    def mark(role: str | None, letter: str) -> None:
        if role and letter not in letters.setdefault(role, []):
            letters[role].append(letter)

    mark(model.owner, "O")
    mark(model.approved_by, "A")
    mark(model.review.by if model.review else None, "R")
    if isinstance(model, Procedure):
        for role in model.applies_to:
            mark(role, "I")
    if isinstance(model, ManagementReview):
        for role in model.attendees:
            mark(role, "M")
    return letters


def page_roles(ctx: SiteContext, src: str) -> str:
    """Roles with their holders, and a RACI-like matrix of documents against roles."""
    roles = [d for d in ctx.sorted_docs("role") if d.status != "retired"]
    owns: dict[str, int] = {}
    for doc in ctx.qms.documents.values():
        if doc.model.owner:
            owns[doc.model.owner] = owns.get(doc.model.owner, 0) + 1
    role_rows = []
    for role in roles:
        model = role.model
        assert isinstance(model, Role)
        role_rows.append([
            _doc_cell(ctx, src, role),
            ", ".join(person_link(ctx, src, h) for h in model.holders) if model.holders
            else _missing("no holder"),
            person_link(ctx, src, model.deputy) if model.deputy else _dash(),
            ctx.doc_link(src, model.reports_to) if model.reports_to else _dash(),
            html_text(owns.get(role.id, 0)) if owns.get(role.id) else _missing("owns nothing"),
        ])
    columns = [r.id for r in roles]
    if len(columns) > MATRIX_ROLE_LIMIT:
        return "".join([_roles_intro(ctx, role_rows), _responsibility_list(ctx, src, columns)])
    prefix = "ROLE-" if all(c.startswith("ROLE-") for c in columns) else ""
    matrix_rows = []
    for doc in ctx.sorted_docs():
        if doc.kind == "role" or doc.status == "retired":
            continue
        letters = responsibilities(doc)
        cells = [ctx.doc_link(src, doc.id, with_title=False)]
        for role_id in columns:
            marks = "".join(letters.get(role_id, []))
            cells.append(f'<span class="qms-raci" title="{html_text(role_id)}: {html_text(marks)}">'
                         f"{html_text(marks)}</span>" if marks else "")
        matrix_rows.append(cells)
    headers = ["Document", *(c.removeprefix(prefix) for c in columns)]
    return "".join([
        _roles_intro(ctx, role_rows),
        "## Responsibility matrix\n",
        block(f'<p class="qms-legend">{_legend()}</p>'),
        block(table(headers, matrix_rows, cls="qms-matrix")),
    ])


#: Above this many roles the documents × roles matrix would grow with the square of the
#: QMS (45 MB at 10,000 documents and 500 roles); each document lists its roles instead.
MATRIX_ROLE_LIMIT = 30


def _legend() -> str:
    return "; ".join(f"<b>{html_text(letter)}</b> {html_text(text)}" for letter, text in _LETTERS)


def _roles_intro(ctx: SiteContext, role_rows: list[list[str]]) -> str:
    return "".join([
        _front(ctx.t("Roles and responsibilities"), wide=True),
        "Who holds each role (ISO 9001 5.3) and what each role is responsible for. Owners "
        "are roles, not people, so a change of job changes one line in a role document.\n",
        "## Roles\n",
        block(table(["Role", "Holders", "Deputy", "Reports to", "Documents owned"],
                    role_rows) if role_rows else '<p class="qms-muted">No roles.</p>'),
    ])


def _responsibility_list(ctx: SiteContext, src: str, columns: list[str]) -> str:
    """The responsibilities per document, naming only the roles that have one."""
    known = set(columns)
    rows = []
    for doc in ctx.sorted_docs():
        if doc.kind == "role" or doc.status == "retired":
            continue
        letters = responsibilities(doc)
        marks = [f'{ctx.doc_link(src, role_id)} <span class="qms-raci">'
                 f'{html_text("".join(letters[role_id]))}</span>'
                 for role_id in sorted(letters) if role_id in known and letters[role_id]]
        rows.append([ctx.doc_link(src, doc.id, with_title=False), ", ".join(marks)])
    return "".join([
        "## Responsibilities\n",
        block(f'<p class="qms-legend">{_legend()}</p>'),
        block(table(["Document", "Roles"], rows)),
    ])


# ------------------------------------------------------------------- traceability


def page_traceability(ctx: SiteContext, src: str) -> str:
    """Strategy → objectives → processes → KPIs, a process × objective matrix, and gaps."""
    graph = ctx.links
    parts = [
        _front(ctx.t("Traceability matrix"), wide=True),
        "How each strategy is carried by objectives, the processes and procedures that serve "
        "them (directly or through a parent process), and the KPIs that measure them.\n",
    ]
    strategies = [d for d in ctx.sorted_docs("strategy") if d.status != "retired"]
    for strategy in strategies:
        parts.append(f"## {md_inline(strategy.id)} · {md_inline(strategy.title)}\n")
        objectives = sorted(lk.source for lk in graph.incoming(strategy.id, ("supports",))
                            if graph.kind(lk.source) == "objective")
        if not objectives:
            parts.append(block(badge("red", "no objective supports this strategy")))
            continue
        rows = []
        for objective in objectives:
            below = graph.downstream(objective)
            processes = sorted(i for i in below if graph.kind(i) in ("process", "procedure"))
            kpis = sorted(i for i in below if graph.kind(i) == "kpi")
            rows.append([
                ctx.doc_link(src, objective, with_title=True),
                "<br>".join(ctx.doc_link(src, i, with_title=True) for i in processes)
                or _missing("no process"),
                "<br>".join(ctx.doc_link(src, i, with_title=True) for i in kpis)
                or _missing("no KPI"),
            ])
        parts.append(block(table(["Objective", "Processes and procedures", "KPIs"], rows)))
    objectives = [d.id for d in ctx.sorted_docs("objective") if d.status != "retired"]
    processes = [d.id for d in ctx.sorted_docs("process", "procedure")
                 if d.status != "retired"]
    if objectives and processes:
        parts.append("## Processes against objectives\n")
        parts.append("● supports the objective directly, ○ through a parent process.\n")
        rows = []
        for process in processes:
            direct = {lk.target for lk in graph.outgoing(process, ("supports",))}
            upstream = graph.upstream(process, ("supports",))
            cells = [ctx.doc_link(src, process)]
            for objective in objectives:
                if objective in direct:
                    cells.append('<span class="qms-raci" title="direct">●</span>')
                elif objective in upstream:
                    cells.append('<span class="qms-raci" title="through a parent process">'
                                 "○</span>")
                else:
                    cells.append("")
            rows.append(cells)
        parts.append(block(table(["Process", *objectives], rows, cls="qms-matrix")))
    untraced = [d for d in ctx.sorted_docs("objective", "process", "procedure", "kpi")
                if d.id not in ctx.traced and d.status != "retired"]
    parts.append("## Not traced to a strategy\n")
    parts.append(block(
        table(["Document", "Kind", "Owner"],
              [[_doc_cell(ctx, src, d), html_text(KIND_LABELS[d.kind]), _owner_cell(ctx, src, d)]
               for d in untraced])
        if untraced else '<p class="qms-muted">Every objective, process and KPI traces to '
        "a strategy.</p>"))
    return "".join(parts)


# ------------------------------------------------------------------------- actions


def page_actions(ctx: SiteContext, src: str) -> str:
    """Corrective, preventive and improvement actions by state, overdue first.

    The state of each action is `action_state`, the answer R502, the review pack and
    `qmskit health` use too: a draft is a proposal, never open or overdue.
    """
    by_state: dict[str, list[Doc]] = {}
    for doc in ctx.sorted_docs("action"):
        by_state.setdefault(action_state(doc, ctx.today), []).append(doc)

    def rows(docs: list[Doc]) -> list[list[str]]:
        result = []
        for doc in sorted(docs, key=lambda d: (getattr(d.model, "due", None) or date.max, d.id)):
            model = doc.model
            assert isinstance(model, Action)
            raised_by = [lk.source for lk in ctx.links.incoming(doc.id)
                         if lk.field in ("findings", "decisions", "treated_by", "actions")]
            raised_by += [lk.target for lk in ctx.links.outgoing(doc.id, ("origin",))]
            origin = ", ".join(ctx.doc_link(src, i) for i in dict.fromkeys(raised_by))
            state = action_state(doc, ctx.today)
            result.append([_doc_cell(ctx, src, doc), html_text(model.source or "—"),
                           origin or _dash(), _owner_cell(ctx, src, doc),
                           html_text(model.due) if model.due else _dash(),
                           html_text(model.closed) if model.closed else _dash(),
                           badge(state, ACTION_STATE_LABELS[state])])
        return result

    headers = ["Action", "Source", "Raised by", "Owner", "Due", "Closed", "State"]
    open_actions = by_state.get("overdue", []) + by_state.get("open", [])
    parts = [_front(ctx.t("Actions"), wide=True),
             "Corrective, preventive and improvement actions (ISO 9001 10.2, 10.3).\n",
             "## Open\n",
             block(table(headers, rows(open_actions)) if open_actions
                   else '<p class="qms-muted">No open actions.</p>')]
    for state, heading in (("draft", "Proposed (drafts, not yet approved)"),
                           ("closed", "Closed"), ("retired", "Retired")):
        if by_state.get(state):
            parts += [f"## {heading}\n", block(table(headers, rows(by_state[state])))]
    return "".join(parts)


# ------------------------------------------------------------------------ findings


def page_findings(ctx: SiteContext, src: str) -> str:
    """What `qmskit check` reports for this build, warnings included."""
    result = ctx.result
    parts = [
        _front(ctx.t("Check findings"), wide=True),
        f"What `qmskit check` reports as of {md_inline(ctx.today)}: {result.errors} errors, "
        f"{result.warnings} warnings, {result.documents} documents checked. Errors stop the "
        "build, so a published handbook shows warnings only.\n",
    ]
    rows = []
    for finding in result.findings:
        where = f"<code>{html_text(finding.location())}</code>"
        if finding.doc_id and finding.doc_id in ctx.qms.documents:
            where = f"{ctx.doc_link(src, finding.doc_id)}<br>{where}"
        message = html_text(finding.message)
        if finding.hint:
            message += f'<br><span class="qms-muted">hint: {html_text(finding.hint)}</span>'
        rows.append([badge(finding.severity), f"<code>{html_text(finding.code)}</code>", where,
                     message])
    parts.append(block(table(["Severity", "Rule", "Where", "Finding"], rows,
                             cls="qms-findings")
                       if rows else '<p class="qms-muted">No findings: the QMS is clean.</p>'))
    if result.notices:
        parts.append(block("".join(f'<p class="qms-muted">note: {html_text(n.message)}</p>'
                                   for n in result.notices)))
    return "".join(parts)


# -------------------------------------------------------------------------- health


def page_health(ctx: SiteContext, src: str) -> str:
    """Performance mode or compliance mode: `qmskit health`'s five signs, and a timeline."""
    from qmskit.domain.health import assess

    report = assess(ctx.qms, ctx.today)
    summary = (f"{badge('performance')} {report.count('performance')} "
               f"{badge('compliance')} {report.count('compliance')} "
               f"{badge('unknown', 'not measurable')} {report.count('unknown')}")
    parts = [
        _front(ctx.t("System health")),
        f"Is this QMS used to run the business (performance mode) or kept for the "
        f"certificate (compliance mode)? Five signs, measured from the repository for the "
        f"twelve months from {md_inline(report.since)} to {md_inline(report.today)}; the same "
        "figures as `qmskit health`.\n",
        block(f'<p class="qms-summary">{summary}</p>'),
        "## Activity through the year\n",
        "Changes and reviews per week. Shaded: the weeks before each audit; a system "
        "used only for audits shows its bars there.\n",
        figure('<figure class="qms-figure qms-figure--chart">' + activity_chart(
            "qms-chart-activity", report.activity, report.audit_dates, report.since,
            report.today, report.pre_audit_weeks) + "</figure>"),
    ]
    if not report.git.available:
        parts.append(block(f'<p class="qms-muted">Git history not used: '
                           f"{html_text(report.git.reason)}.</p>"))
    for sign in report.signs:
        parts.append(f"## {sign.number}. {md_inline(sign.title)}\n")
        rows = []
        for measure in sign.measures:
            unit = " %" if measure.unit == "%" else measure.unit
            value = "n/a" if measure.value is None else f"{measure.value:g}{unit}"
            words = "at least" if measure.comparison == ">=" else "at most"
            rows.append([html_text(measure.name), html_text(value),
                         html_text(f"{words} {measure.threshold:g}{unit}"),
                         badge(measure.verdict), html_text(measure.detail)])
        parts.append(block(
            f'<p>{badge(sign.verdict)} <em>{html_text(sign.question)}</em></p>\n'
            + table(["Measure", "Value", "Threshold", "Verdict", "Evidence"], rows)))
    return "".join(parts)


# ------------------------------------------------------------- audit readiness


def _body(markdown: str) -> str:
    """A Markdown report without its own H1 (the page's front matter supplies the title)."""
    lines = markdown.split("\n")
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return "\n".join(lines).lstrip("\n")


def page_coverage(ctx: SiteContext, src: str) -> str:
    """ISO 9001 clause → documents, with status, exclusions and gaps (`qmskit coverage`)."""
    from qmskit.reports.coverage import coverage_markdown

    return _front(ctx.t("Clause coverage"), wide=True) + link_ids(
        ctx, src, _body(coverage_markdown(ctx.qms)))


def page_training(ctx: SiteContext, src: str) -> str:
    """Read and understood: who owes an acknowledgement of which procedure version."""
    from qmskit.reports.training import training_markdown

    return _front(ctx.t("Read and understood"), wide=True) + link_ids(
        ctx, src, _body(training_markdown(ctx.qms, ctx.today)))


def page_review_pack(ctx: SiteContext, src: str) -> str:
    """The management review pack as of today: every ISO 9001 9.3.2 input, drafted."""
    from qmskit.domain.reviewpack import build_pack
    from qmskit.reports.reviewpack import render_markdown

    return _front(ctx.t("Management review pack")) + link_ids(
        ctx, src, _body(render_markdown(build_pack(ctx.qms, ctx.today), front_matter=False)))


def page_auditors(ctx: SiteContext, src: str) -> str:
    """Where this handbook answers the usual audit trail, for an auditor's first hour."""
    from qmskit.reports.auditors import auditor_markdown

    pages = {spec.name.removesuffix(".md"): f"[{spec.title}]("
             f"{ctx.layout.rel_md(src, ctx.layout.generated(spec.name))})" for spec in PAGES}
    for path in ctx.qms.pages:
        pages[path] = f"[{path}]({ctx.layout.rel_md(src, ctx.layout.src(path))})"
    return _front(ctx.t("For auditors"), wide=True) + link_ids(
        ctx, src, _body(auditor_markdown(ctx.qms, ctx.today, pages=pages)))


# --------------------------------------------------------------------------- index

PAGES: tuple[PageSpec, ...] = (
    PageSpec("strategy-map.md", "Strategy map", page_strategy_map,
             "From strategy to objectives, processes, KPIs and owners, on one picture."),
    PageSpec("kpis.md", "KPI dashboard", page_kpis,
             "Every KPI's trend against its target and warning threshold."),
    PageSpec("reviews.md", "Review calendar", page_reviews,
             "Reviews overdue and due soon, the year ahead, KPI data due."),
    PageSpec("register.md", "Document register", page_register,
             "The master list of controlled documents (ISO 9001 7.5)."),
    PageSpec("roles.md", "Roles and responsibilities", page_roles,
             "Who holds each role and what each role owns, approves and reviews."),
    PageSpec("people/index.md", "People", page_people,
             "Each person's quality duties: what is due, what they own, their calendar."),
    PageSpec("traceability.md", "Traceability matrix", page_traceability,
             "Which objectives, processes and KPIs carry each strategy, and the gaps."),
    PageSpec("actions.md", "Actions", page_actions,
             "Open corrective, preventive and improvement actions."),
    PageSpec("health.md", "System health", page_health,
             "Performance mode or compliance mode: five signs, measured from the repository."),
    PageSpec("findings.md", "Check findings", page_findings,
             "What `qmskit check` reports, warnings included."),
    PageSpec("coverage.md", "Clause coverage", page_coverage,
             "Which documents address each ISO 9001 clause; exclusions and gaps."),
    PageSpec("training.md", "Read and understood", page_training,
             "Who has acknowledged the current version of the procedures they work to."),
    PageSpec("review-pack.md", "Management review pack", page_review_pack,
             "The ISO 9001 9.3.2 inputs as of today, ready for the next review."),
    PageSpec("auditors.md", "For auditors", page_auditors,
             "Where the handbook answers the usual audit trail."),
)


_PLURALS = {"strategy": "strategies", "objective": "objectives", "process": "processes",
            "procedure": "procedures", "kpi": "KPIs", "role": "roles", "risk": "risks",
            "nonconformity": "nonconformities", "action": "actions", "audit": "audits",
            "review": "management reviews"}


def _count(kind: str, number: int) -> str:
    if number != 1:
        return f"{number} {_PLURALS.get(kind, kind)}"
    label = KIND_LABELS.get(kind, kind)
    return f"1 {label if label.isupper() else label.lower()}"


def page_index(ctx: SiteContext, src: str) -> str:
    """The section's landing page: the state of the system at a glance."""
    reviews = [s.state for d, s in ctx.reviews.items()]
    kpi_states = [s.state for s in ctx.kpis.values()]
    traced_kinds = [d for d in ctx.qms.documents.values()
                    if d.kind in ("objective", "process", "procedure", "kpi")]
    traced = sum(1 for d in traced_kinds if d.id in ctx.traced)
    tiles = [
        ("Documents", str(len(ctx.qms.documents)), "register.md"),
        ("Reviews overdue", str(reviews.count("overdue")), "reviews.md"),
        ("Reviews due soon", str(reviews.count("due-soon")), "reviews.md"),
        ("KPIs red / amber", f"{kpi_states.count('red')} / {kpi_states.count('amber')}",
         "kpis.md"),
        ("Traced to strategy", f"{traced} of {len(traced_kinds)}", "traceability.md"),
        ("Check warnings", str(ctx.result.warnings), "findings.md"),
    ]
    tile_html = "".join(
        f'<a class="qms-tile" '
        f'href="{html_text(ctx.layout.rel_url(src, ctx.layout.generated(page)))}">'
        f'<span class="qms-tile-value">{html_text(value)}</span>'
        f'<span class="qms-tile-label">{html_text(label)}</span></a>'
        for label, value, page in tiles
    )
    items = "".join(
        f"<li>{link(ctx.layout.rel_url(src, ctx.layout.generated(spec.name)), spec.title)}"
        f" — {html_text(spec.summary.replace('`', ''))}</li>" for spec in PAGES
    )
    kinds: dict[str, int] = {}
    for doc in ctx.qms.documents.values():
        kinds[doc.kind] = kinds.get(doc.kind, 0) + 1
    mix = ", ".join(_count(k, n) for k, n in
                    sorted(kinds.items(), key=lambda kv: kind_rank(kv[0])))
    return "".join([
        _front(ctx.t("The system at a glance")),
        f"Generated from the repository on {md_inline(ctx.today)}: "
        f"{md_inline(mix or 'no documents')}.\n",
        block(f'<div class="qms-tiles">{tile_html}</div>'),
        block(f'<ul class="qms-pages">{items}</ul>'),
    ])
