"""The page of each controlled document: metadata panel, its text with ids linked, its
place in the system (links both ways and a one-hop map) and its git history.

Also links document ids mentioned in any page's text, so "see PROC-NCR" in a procedure
or in a plain page such as the handbook's home page takes the reader there.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from qmskit.domain.approvals import Meaning, Revision
from qmskit.domain.coverage import clauses_by_standard
from qmskit.domain.records import ACTION_STATE_LABELS, action_state
from qmskit.domain.versions import approval
from qmskit.graph import Link
from qmskit.model.doc import Doc
from qmskit.model.documents import (
    Action,
    Audit,
    Document,
    GenericDocument,
    Kpi,
    ManagementReview,
    Nonconformity,
    Objective,
    Procedure,
    Register,
    Risk,
    Role,
)
from qmskit.model.kinds import extra_fields, field_label
from qmskit.model.series import Measurement
from qmskit.registers import row_anchor
from qmskit.registers import rows as register_rows
from qmskit.reports.escape import html_text, md_inline
from qmskit.site.context import ID_RE, KIND_LABELS, SiteContext
from qmskit.site.handles import person_link
from qmskit.site.html import badge, block, figure, table
from qmskit.site.svg import ChartPoint, MapNode, kpi_chart, render_neighbourhood

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^ {0,3}#{1,6}(\s|$)")
_H1 = re.compile(r"^ {0,3}#(?!#)\s*(.*?)\s*#*\s*$")
_HTML_START = re.compile(r"^ {0,3}</?[A-Za-z][\w-]*[\s>/]|^ {0,3}<!--")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:")
# Blocks whose content is indented (content tabs, admonitions, details; list items).
_CONTAINER = re.compile(r"^(?P<lead> {0,3})(?:(?P<marker>===|!!!|\?\?\?)\+?\s"
                        r"|(?P<bullet>[-*+]|\d{1,9}[.)])(?P<gap> +|$))")
# Spans in a line where an id must stay as written: code, links, tags, URLs.
_PROTECTED = re.compile(
    r"(`+).*?\1"  # code span
    r"|!?\[[^\]]*\]\([^)]*\)"  # inline link or image
    r"|!?\[[^\]]*\]\[[^\]]*\]"  # reference link
    r"|<[^>\n]+>"  # HTML tag or autolink
    r"|\b[a-z][a-z0-9+.-]*://\S+"  # bare URL
)

#: How a link reads from its source ("supports") and from its target ("supported by").
RELATION_LABELS: dict[str, tuple[str, str]] = {
    "supports": ("Supports", "Supported by"),
    "measures": ("Measures", "Measured by"),
    "owner": ("Owner", "Owns"),
    "approved_by": ("Approved by", "Approves"),
    "review.by": ("Reviewed by", "Reviews"),
    "reports_to": ("Reports to", "Direct reports"),
    "inputs": ("Inputs from", "Input to"),
    "outputs": ("Outputs to", "Output of"),
    "risks": ("Risks", "Risk to"),
    "applies_to": ("Must be read by", "Must read"),
    "affects": ("Affects", "Affected by"),
    "treated_by": ("Treated by", "Treats"),
    "scope": ("Audit scope", "Audited in"),
    "findings": ("Findings", "Finding of"),
    "actions": ("Actions", "Action on"),
    "origin": ("Raised from", "Raised"),
    "decisions": ("Decisions", "Decided in"),
    "attendees": ("Attendees", "Attends"),
    "superseded_by": ("Superseded by", "Supersedes"),
}
#: Outgoing links already shown in the metadata panel.
_IN_PANEL = frozenset({"owner", "approved_by", "review.by"})
#: Kinds that must trace to a strategy (T-rules); their pages say whether they do.
_TRACED_KINDS = frozenset({"objective", "process", "procedure", "kpi"})
HISTORY_LIMIT = 25


# ------------------------------------------------------------------------- id links


def _link_line(line: str, ctx: SiteContext, src: str, skip: str | None) -> str:
    def substitute(match: re.Match[str]) -> str:
        doc_id = match.group(0)
        target = ctx.src_of.get(doc_id)
        if target is None or doc_id == skip or target in ctx.missing:
            return doc_id
        anchor = ctx.anchor(doc_id)
        return f"[{doc_id}]({ctx.layout.rel_md(src, target)}{'#' + anchor if anchor else ''})"

    out: list[str] = []
    position = 0
    for protected in _PROTECTED.finditer(line):
        out.append(ID_RE.sub(substitute, line[position:protected.start()]))
        out.append(protected.group(0))
        position = protected.end()
    out.append(ID_RE.sub(substitute, line[position:]))
    return "".join(out)


def link_ids(ctx: SiteContext, src: str, markdown: str, *, skip: str | None = None) -> str:
    """Turn ids of known documents in running text into Markdown links.

    Code (spans, fenced blocks and indented code blocks), headings, existing links, raw
    HTML blocks and URLs are left as written; `skip` (the page's own id) is never
    linked. Text inside containers is linked like any other: content tabs (`=== "Tab"`),
    admonitions and details (`!!!`, `???`) and list items indent their content, which is
    code only when indented four more spaces than the container's content, after a
    blank line (as Markdown reads it). Line-based on purpose: a full Markdown parse per
    page would cost more than the rest of the page's generation.
    """
    if ID_RE.search(markdown) is None:
        return markdown
    lines = markdown.split("\n")
    fence: str | None = None
    in_html = False
    in_code = False
    after_blank = True
    containers: list[int] = []  # the content indent of each open container, inner last
    for index, line in enumerate(lines):
        if fence is not None:
            # A fence closes with a line of at least as many of its own characters.
            bare = line.strip()
            if len(bare) >= len(fence) and not bare.strip(fence[0]):
                fence = None
            continue
        if not line.strip():
            in_html = False
            after_blank = True
            continue
        expanded = line.expandtabs(4)
        indent = len(expanded) - len(expanded.lstrip(" "))
        while containers and indent < containers[-1]:
            containers.pop()
        base = containers[-1] if containers else 0
        text = expanded[base:]
        was_blank, after_blank = after_blank, False
        if indent - base >= 4 and (in_code or was_blank):
            in_code = True  # an indented code block
            continue
        in_code = False
        opening = _FENCE.match(text)
        if opening:
            fence = opening.group(1)
            continue
        if in_html or _HTML_START.match(text):
            in_html = True
            continue
        if _HEADING.match(text) or _REFERENCE.match(text):
            continue
        container = _CONTAINER.match(text)
        if container:
            marker = container.group("marker")
            if marker is not None:  # a tab, admonition or details block
                containers.append(base + len(container.group("lead")) + 4)
                continue  # its title is not running text
            gap = len(container.group("gap"))
            containers.append(base + len(container.group("lead"))
                              + len(container.group("bullet")) + (gap if 1 <= gap <= 4 else 1))
        if ID_RE.search(line):
            lines[index] = _link_line(line, ctx, src, skip)
    return "\n".join(lines)


# ----------------------------------------------------------------------- the panel


def _date(value: object) -> str:
    return html_text(value) if value is not None else '<span class="qms-muted">—</span>'


def panel_rows(ctx: SiteContext, doc: Doc, src: str) -> Iterator[tuple[str, str]]:
    """(label, HTML) pairs of the metadata panel, common fields first, then per kind."""
    model = doc.model
    yield "Id", f"<code>{html_text(doc.id)}</code>"
    yield "Kind", html_text(ctx.t(KIND_LABELS.get(doc.kind, doc.kind)))
    record = approval(model)
    # A version raised after the approval is pending: never shown as approved.
    yield "Status", badge(doc.status) + (
        " " + badge("pending", f"version {record.current} pending approval")
        if record.pending and doc.status == "approved" else "")
    yield "Version", html_text(model.version) if model.version is not None else _date(None)
    yield "Owner", ctx.owner_html(src, model.owner)
    approved = ctx.doc_link(src, model.approved_by) if model.approved_by else _date(None)
    if model.approved_on:
        approved += f" on {html_text(model.approved_on)}"
    if record.pending and record.version is not None:
        approved += f" (version {html_text(record.version)})"
    yield "Approved by", approved
    status = ctx.reviews[doc.id]
    last = _date(status.last)
    if model.review and model.review.by:
        last += f" by {ctx.doc_link(src, model.review.by)}"
    yield "Last review", last
    due = _date(status.due)
    yield "Next review", f"{due} {badge(status.state)} <span class=\"qms-muted\">every " \
        f"{html_text(status.interval)}</span>"
    # One row per standard: "ISO 9001 8.4, 8.4.2", "ISO 27001 A.5.1".
    for standard, numbers in clauses_by_standard(ctx.qms, doc):
        yield standard, html_text(", ".join(numbers))
    if isinstance(model, Kpi):
        unit = f" {model.unit}" if model.unit else ""
        kpi = ctx.kpis[doc.id]
        if kpi.latest is not None:
            latest = (f"{html_text(_num(kpi.latest.value))}{html_text(unit)} in "
                      f"{html_text(kpi.latest.period.label)} {badge(kpi.state)}")
        else:
            latest = badge(kpi.state)
        yield "Latest", latest
        better = "higher is better" if model.direction == "higher" else "lower is better"
        target = html_text(f"{_num(model.target)}{unit}") if model.target is not None else "—"
        warn = html_text(f"{_num(model.warn_at)}{unit}") if model.warn_at is not None else "—"
        yield "Target", f"{target} ({html_text(better)}); warn at {warn}"
        yield "Frequency", html_text(model.frequency) + (
            f", next value due {html_text(kpi.next_due)}" if kpi.next_due else "")
    elif isinstance(model, Objective):
        if model.target is not None:
            yield "Target", html_text(model.target)
        if model.due is not None:
            yield "Due", html_text(model.due)
    elif isinstance(model, Role):
        yield "Holders", ", ".join(person_link(ctx, src, h) for h in model.holders) \
            if model.holders else '<span class="qms-missing">no holder</span>'
        if model.deputy:
            yield "Deputy", person_link(ctx, src, model.deputy)
        if model.reports_to:
            yield "Reports to", ctx.doc_link(src, model.reports_to, with_title=True)
    elif isinstance(model, Risk):
        yield "Type", html_text(model.type)
        if model.likelihood and model.impact:
            yield "Rating", html_text(f"likelihood {model.likelihood} × impact {model.impact} = "
                                f"{model.likelihood * model.impact}")
    elif isinstance(model, Action):
        if model.type:
            yield "Type", html_text(model.type)
        if model.source:
            yield "Source", html_text(model.source)
        if model.origin:
            yield "Raised from", ctx.doc_link(src, model.origin, with_title=True)
        yield "Opened", _date(model.opened or model.approved_on)
        state = action_state(doc, ctx.today)
        due = _date(model.due)
        if state == "overdue":
            due += " " + badge("overdue")
        yield "Due", due
        yield "Closed", _date(model.closed) if model.closed else badge(
            state, ACTION_STATE_LABELS[state])
        if model.effectiveness is not None:
            yield "Effectiveness", html_text(model.effectiveness)
    elif isinstance(model, Nonconformity):
        yield "Found", _date(model.date)
        if model.source:
            yield "Source", html_text(model.source)
        if model.severity:
            yield "Severity", html_text(model.severity)
        yield "Closed", _date(model.closed) if model.closed else badge("open")
        if model.no_action_reason:
            yield "No action because", html_text(model.no_action_reason)
    elif isinstance(model, Audit):
        yield "Type", html_text(model.type)
        yield "Date", _date(model.date)
        if model.auditors:
            yield "Auditors", html_text(", ".join(model.auditors))
    elif isinstance(model, ManagementReview):
        yield "Date", _date(model.date)
        if model.covers:
            yield "Inputs covered", html_text(", ".join(model.covers))
    elif isinstance(model, GenericDocument) and model.type:
        yield "Type", html_text(model.type)
    elif isinstance(model, Register):
        yield "Records", html_text(f"{len(register_rows(ctx.qms, doc.id))} × {model.records}")
    if isinstance(model, (Procedure, GenericDocument)) and model.applies_to:
        yield "Must be read by", ", ".join(ctx.doc_link(src, r) for r in model.applies_to)
    if model.effective is not None:
        yield "Effective", html_text(model.effective)
    for label, value in extra_fields(model):  # the config's [kinds.KIND] fields and links
        yield label, _extra_html(ctx, src, model, label, value)
    if doc.register is not None:
        yield "Register", ctx.doc_link(src, doc.register, with_title=True)
    if model.superseded_by:
        yield "Superseded by", ctx.doc_link(src, model.superseded_by, with_title=True)


def _extra_html(ctx: SiteContext, src: str, model: Document, label: str,
                value: object) -> str:
    """A declared field's value as HTML: links as links, lists joined, numbers plain."""
    name = next((n for n in type(model).declared_fields if field_label(n) == label), "")
    if type(model).declared_fields.get(name) == "links" and isinstance(value, list):
        return ", ".join(ctx.doc_link(src, str(item)) for item in value)
    if isinstance(value, list):
        return html_text(", ".join(str(item) for item in value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return html_text(_num(value))
    return html_text(value)


def render_register_table(ctx: SiteContext, doc: Doc, src: str) -> str:
    """A register's records as a table, one row per record with an anchor (its id in
    lower case) that links elsewhere in the handbook point to."""
    records = register_rows(ctx.qms, doc.id)
    if not records:
        return '<p class="qms-muted">No records yet.</p>'
    model_type = type(records[0].model)
    common = set(Document.model_fields) - {"title", "owner", "status"}
    columns = [name for name in model_type.model_fields
               if name not in common and name not in ("kind", "id") and any(
                   getattr(r.model, name, None) not in (None, [], "") for r in records)]
    head = "".join(f"<th>{html_text(field_label(name))}</th>" for name in ["id", *columns])
    lines = []
    for record in records:
        cells = [f"<code>{html_text(record.id)}</code>"]
        for name in columns:
            value = getattr(record.model, name, None)
            if name in type(record.model).links or name == "owner":
                items = value if isinstance(value, list) else [value] if value else []
                cells.append(", ".join(ctx.doc_link(src, str(i)) for i in items))
            elif name == "status":
                cells.append(badge(str(value)))
            elif value in (None, [], ""):
                cells.append("")
            else:
                cells.append(_extra_html(ctx, src, record.model, field_label(name), value)
                             if name in type(record.model).declared_fields
                             else html_text(", ".join(map(str, value)))
                             if isinstance(value, list) else html_text(value))
        lines.append(f'<tr id="{html_text(row_anchor(record))}">'
                     + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    return ('<div class="qms-table qms-register-table">\n<table>\n<thead><tr>' + head
            + "</tr></thead>\n<tbody>\n" + "\n".join(lines) + "\n</tbody>\n</table>\n</div>")


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


def render_panel(ctx: SiteContext, doc: Doc, src: str) -> str:
    """The metadata panel as an HTML block."""
    rows = "".join(f"<dt>{html_text(ctx.t(label))}</dt><dd>{value}</dd>"
                   for label, value in panel_rows(ctx, doc, src))
    return f'<div class="qms-panel" data-id="{html_text(doc.id)}"><dl>{rows}</dl></div>'


# --------------------------------------------------------------------- relations


_FIELD_RANK = {name: rank for rank, name in enumerate(RELATION_LABELS)}


def _grouped(links: list[Link], incoming: bool) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for item in sorted(links, key=lambda lk: (_FIELD_RANK.get(lk.field, 99), lk.field,
                                              lk.index, lk.source, lk.target)):
        if not incoming and item.field in _IN_PANEL:
            continue
        label = RELATION_LABELS.get(item.field, (item.field, f"{item.field} of"))[incoming]
        other = item.source if incoming else item.target
        members = groups.setdefault(label, [])
        if other not in members:
            members.append(other)
    return groups


def map_node(ctx: SiteContext, from_src: str, doc_id: str) -> MapNode:
    """A document as a node on a map drawn on the page built from `from_src`."""
    doc = ctx.qms.documents[doc_id]
    owner = f" (owner {doc.model.owner})" if doc.model.owner else ""
    kpi = ctx.kpis.get(doc_id)
    return MapNode(
        id=doc_id, kind=doc.kind, title=doc.title, href=ctx.url(from_src, doc_id), column=0,
        status=doc.status, marker=kpi.state if kpi else "",
        tooltip=f"{doc_id}: {doc.title}{owner}",
    )


def render_relations(ctx: SiteContext, doc: Doc, src: str) -> str:
    """Links both ways as a table, whether it traces to strategy, and the one-hop map
    (Markdown: an HTML block and a figure)."""
    links = ctx.links
    outgoing, incoming = links.outgoing(doc.id), links.incoming(doc.id)
    rows: list[list[str]] = []
    for incoming_side, side in ((False, outgoing), (True, incoming)):
        for label, ids in _grouped(side, incoming_side).items():
            rows.append([html_text(ctx.t(label)), "<br>".join(ctx.doc_link(src, i, with_title=True)
                                                 for i in ids)])
    parts = []
    if doc.kind in _TRACED_KINDS:
        strategies = sorted(i for i in links.upstream(doc.id)
                            if links.kind(i) == "strategy")
        if strategies:
            rows.insert(0, [ctx.t("Serves strategy"), "<br>".join(
                ctx.doc_link(src, s, with_title=True) for s in strategies)])
        else:
            rows.insert(0, [ctx.t("Serves strategy"),
                             badge("red", ctx.t("not traced to any strategy"))])
    if rows:
        parts.append(block(table([ctx.t("Relation"), ctx.t("Documents")], rows,
                                 cls="qms-relations")))
    else:
        none = ctx.t("No links to or from other documents.")
        parts.append(block(f'<p class="qms-muted">{none}</p>'))
    centre = map_node(ctx, src, doc.id)
    out_nodes = [(map_node(ctx, src, lk.target), _label(ctx, lk.field, False))
                 for lk in sorted(outgoing, key=lambda lk: (_FIELD_RANK.get(lk.field, 99),
                                                            lk.target))]
    in_nodes = [(map_node(ctx, src, lk.source), _label(ctx, lk.field, True))
                for lk in sorted(incoming, key=lambda lk: (_FIELD_RANK.get(lk.field, 99),
                                                           lk.source))]
    if out_nodes or in_nodes:
        svg = render_neighbourhood(centre, out_nodes, in_nodes, f"qms-map-{doc.id}")
        parts.append(figure(f'<figure class="qms-figure qms-figure--hop">{svg}</figure>'))
    return "".join(parts)


def _label(ctx: SiteContext, field_name: str, incoming: bool) -> str:
    label = RELATION_LABELS.get(field_name, (field_name, f"{field_name} of"))[incoming]
    translated = ctx.t(label)
    return label.lower() if translated == label else translated


# ----------------------------------------------------------------------- history


def render_history(ctx: SiteContext, doc: Doc) -> str:
    """The commits that changed the document, newest first, with their approval evidence.

    Date, author and message come from the site's history; the version at each commit,
    who reviewed and approved it in which role (commit trailers, `qmskit review
    --commit`) and whether git verifies the commit's signature come from
    `qmskit.domain.approvals` (ISO 9001 7.5.2: review and approval of documented information).
    """
    from qmskit.domain.approvals import revision_history

    history = ctx.history
    if not history.available:
        return f'<p class="qms-muted qms-history-none">No history: {html_text(history.reason)}.</p>'
    commits = history.of(doc.path)
    if not commits:
        return '<p class="qms-muted qms-history-none">No history: not committed yet.</p>'
    evidence = {rev.commit: rev for rev in revision_history(ctx.qms, doc)}

    def signed(rev: Revision | None, meaning: Meaning) -> str:
        if rev is None:
            return _DASH
        return "<br>".join(html_text(f"{s.who} ({s.role})" if s.role else s.who)
                           for s in rev.signed(meaning)) or _DASH

    rows = []
    for c in commits[:HISTORY_LIMIT]:
        rev = evidence.get(c.sha)
        version = html_text(rev.version) if rev is not None and rev.version is not None else _DASH
        check = (badge("current", "verified") if rev is not None and rev.verified
                 else html_text(rev.signature_state) if rev is not None else _DASH)
        rows.append([version, html_text(c.day), html_text(c.author), html_text(c.subject),
                     signed(rev, "reviewed"), signed(rev, "approved"),
                     f"<code>{html_text(c.sha[:8])}</code>", check])
    html = table(["Version", "Date", "Author", "Change", "Reviewed by", "Approved by",
                  "Commit", "Signature"], rows, cls="qms-history")
    if len(commits) > HISTORY_LIMIT:
        html += (f'\n<p class="qms-muted">…and {len(commits) - HISTORY_LIMIT} earlier '
                 "changes (see git log).</p>")
    if history.shallow:
        html += '\n<p class="qms-muted">Shallow clone: older history is not shown.</p>'
    return html


_DASH = '<span class="qms-muted">—</span>'


# ------------------------------------------------------------------------ the page


def kpi_points(ctx: SiteContext, doc: Doc) -> list[ChartPoint]:
    """A KPI's measurements with the state each had against target and warn_at."""
    from qmskit.domain.schedule import kpi_status

    # The status of a point is that of a series ending there; only its last value counts.
    # A period recorded as n/a is a point without a value: the chart shows a gap.
    return [ChartPoint(m.period.label, m.value, kpi_status(doc, [m], ctx.qms.config).state)
            if isinstance(m, Measurement) else ChartPoint(m.period.label, None, "no-data",
                                                          m.reason)
            for m in ctx.qms.series.get(doc.id, [])]


def render_kpi_chart(ctx: SiteContext, doc: Doc) -> str:
    """The trend chart of a KPI (the same on its page and on the dashboard)."""
    model = doc.model
    assert isinstance(model, Kpi)
    return kpi_chart(f"qms-chart-{doc.id}", kpi_points(ctx, doc), unit=model.unit or "",
                     target=model.target, warn_at=model.warn_at, direction=model.direction,
                     title=f"{doc.id} {doc.title}")


def split_title(markdown: str) -> tuple[str | None, str]:
    """The first-line H1 of a body (if the body opens with one) and the rest."""
    lines = markdown.split("\n")
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        match = _H1.match(line)
        if match and not line.startswith("    "):
            return line, "\n".join(lines[index + 1:])
        break
    return None, markdown


def render_document(ctx: SiteContext, doc: Doc, markdown: str, src: str) -> str:
    """The full Markdown of a controlled document's page (front matter already removed)."""
    heading, body = split_title(markdown)
    if heading is None:
        heading = f"# {md_inline(doc.title)}"
    parts = [heading]
    from qmskit.domain.approvals import lifecycle

    banner = lifecycle(ctx.qms, doc).banner()
    if banner:
        # A retired document stays readable but must not be mistaken for one in force
        # (ISO 9001 7.5.3.2 d).
        parts.append(block(f'<div class="admonition danger qms-obsolete"><p>'
                           f"{html_text(banner.replace('**', ''))}</p></div>"))
    parts += [block(render_panel(ctx, doc, src)), link_ids(ctx, src, body, skip=doc.id)]
    if isinstance(doc.model, Kpi):
        dashboard = ctx.layout.rel_url(src, ctx.layout.generated("kpis.md"), doc.id.lower())
        parts.append(f"\n\n## {ctx.t('Trend')}\n")
        parts.append(figure(f'<figure class="qms-figure qms-figure--chart">'
                            f"{render_kpi_chart(ctx, doc)}<figcaption>"
                            f'<a href="{html_text(dashboard)}">All KPIs on the dashboard</a>'
                            "</figcaption></figure>"))
    if isinstance(doc.model, Register):
        parts.append(f"\n\n## {ctx.t('Records')}\n")
        parts.append(block(render_register_table(ctx, doc, src)))
    parts.append(f"\n\n## {ctx.t('Place in the system')}\n")
    parts.append(render_relations(ctx, doc, src))
    parts.append(f"\n\n## {ctx.t('Revisions and approvals')}\n")
    parts.append(block(render_history(ctx, doc)))
    return "".join(p if p.endswith("\n") else p + "\n" for p in parts)
