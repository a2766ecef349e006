"""Diagrams rendered at build time as inline SVG: KPI trend charts and strategy maps.

Inline SVG needs no JavaScript, no CDN and no vendored library, so the handbook works
offline and in any builder; nodes are plain `<a href>` links. Every label goes through
`esc`. Layout is deliberately simple (layered columns ordered by the barycentre
heuristic): it is deterministic, linear in the size of the map, and readable for the
few hundred documents a QMS has.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from qmskit.reports.escape import html_text

# ----------------------------------------------------------------------------- charts


@dataclass(frozen=True)
class ChartPoint:
    """One period on a trend chart, with the state it had against target then.

    `value` None is a period recorded as having no data (`n/a`): a gap in the line, not
    a zero; `note` says why.
    """

    label: str
    value: float | None
    state: str
    note: str = ""


def _fmt(value: float) -> str:
    """A number as people write it: no trailing zeros, at most three decimals."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _nice_step(span: float, count: int) -> float:
    raw = span / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def series_lines(points: Sequence[ChartPoint], x: Callable[[int], float],
                 y: Callable[[float], float]) -> list[str]:
    """One polyline per run of values, for the KPI chart and the sparkline alike: a
    period without data is a gap in the line, never a zero."""
    runs: list[list[str]] = [[]]
    for index, point in enumerate(points):
        if point.value is None:
            runs.append([])
        else:
            runs[-1].append(f"{x(index):.1f},{y(point.value):.1f}")
    return [f'<polyline class="qms-series" points="{" ".join(run)}"/>'
            for run in runs if len(run) > 1]


def kpi_chart(
    chart_id: str,
    points: Sequence[ChartPoint],
    *,
    unit: str = "",
    target: float | None = None,
    warn_at: float | None = None,
    direction: str = "higher",
    title: str = "",
) -> str:
    """A trend chart: the series, target and warning lines, and red/amber/green bands."""
    width, height = 640, 220
    left, right, top, bottom = 52, 86, 14, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [p.value for p in points if p.value is not None]
    refs = [v for v in (target, warn_at) if v is not None]
    low, high = min(values + refs, default=0.0), max(values + refs, default=1.0)
    if high == low:
        low, high = low - 1, high + 1
    step = _nice_step(high - low, 4)
    low = math.floor(low / step) * step
    high = math.ceil(high / step) * step
    if high - low < step * 2:
        high += step

    def y(value: float) -> float:
        return top + plot_h * (high - value) / (high - low)

    def x(index: int) -> float:
        if len(points) <= 1:
            return left + plot_w / 2
        return left + plot_w * index / (len(points) - 1)

    unit_suffix = f" {unit}" if unit and unit != "%" else unit
    label = f"{title}: trend" if title else "trend"
    parts = [
        f'<svg class="qms-chart" id="{html_text(chart_id)}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{html_text(label)}">',
        f"<title>{html_text(label)}</title>",
    ]
    # Bands: good side of the target, amber between target and warn_at, red beyond.
    if target is not None:
        good_high = direction == "higher"
        bands: list[tuple[float, float, str]] = []
        edge = warn_at if warn_at is not None else target
        if good_high:
            bands.append((target, high, "good"))
            if warn_at is not None:
                bands.append((warn_at, target, "amber"))
            bands.append((low, edge, "red"))
        else:
            bands.append((low, target, "good"))
            if warn_at is not None:
                bands.append((target, warn_at, "amber"))
            bands.append((edge, high, "red"))
        for start, end, kind in bands:
            y1, y2 = y(max(start, end)), y(min(start, end))
            if y2 - y1 > 0:
                parts.append(f'<rect class="qms-band qms-band--{kind}" x="{left}" '
                             f'y="{y1:.1f}" width="{plot_w}" height="{y2 - y1:.1f}"/>')
    # Axes and gridlines.
    tick = low
    while tick <= high + step / 1000:
        ty = y(tick)
        parts.append(f'<line class="qms-grid" x1="{left}" x2="{left + plot_w}" '
                     f'y1="{ty:.1f}" y2="{ty:.1f}"/>')
        parts.append(f'<text class="qms-axis" x="{left - 6}" y="{ty + 4:.1f}" '
                     f'text-anchor="end">{html_text(_fmt(tick))}</text>')
        tick += step
    every = max(1, math.ceil(len(points) / 8))
    last_x = x(len(points) - 1)
    for index, point in enumerate(points):
        is_last = index == len(points) - 1
        # Every n-th period is labelled, and always the latest, without overlapping it.
        if is_last or (index % every == 0 and last_x - x(index) >= 56):
            parts.append(f'<text class="qms-axis" x="{x(index):.1f}" y="{height - 12}" '
                         f'text-anchor="middle">{html_text(point.label)}</text>')
    for value, kind, name in ((target, "target", "target"), (warn_at, "warn", "warn at")):
        if value is None:
            continue
        ly = y(value)
        parts.append(f'<line class="qms-line qms-line--{kind}" x1="{left}" '
                     f'x2="{left + plot_w}" y1="{ly:.1f}" y2="{ly:.1f}"><title>'
                     f"{html_text(name)} {html_text(_fmt(value))}{html_text(unit_suffix)}"
                     "</title></line>")
        parts.append(f'<text class="qms-line-label qms-line-label--{kind}" '
                     f'x="{left + plot_w + 6}" y="{ly + 4:.1f}">{html_text(name)} '
                     f"{html_text(_fmt(value))}{html_text(unit_suffix)}</text>")
    if values:
        parts.extend(series_lines(points, x, y))
        for index, point in enumerate(points):
            if point.value is None:
                parts.append(
                    f'<text class="qms-axis qms-gap" x="{x(index):.1f}" y="{top + plot_h - 4}" '
                    f'text-anchor="middle">n/a<title>{html_text(point.label)}: no data'
                    + (f" ({html_text(point.note)})" if point.note else "")
                    + "</title></text>")
                continue
            parts.append(
                f'<circle class="qms-point qms-point--{html_text(point.state)}" '
                f'cx="{x(index):.1f}" '
                f'cy="{y(point.value):.1f}" r="3.5"><title>{html_text(point.label)}: '
                f"{html_text(_fmt(point.value))}{html_text(unit_suffix)}</title></circle>"
            )
    else:
        parts.append(f'<text class="qms-axis" x="{left + plot_w / 2}" y="{top + plot_h / 2}" '
                     'text-anchor="middle">no measurements yet</text>')
    parts.append("</svg>")
    return "".join(parts)


# ------------------------------------------------------------------------------- maps


@dataclass
class MapNode:
    """A document on a map: where it links to and how it is drawn."""

    id: str
    kind: str
    title: str
    href: str
    column: int
    status: str = "approved"
    marker: str = ""  # e.g. a KPI's traffic-light state
    tooltip: str = ""
    highlight: bool = False
    y: float = 0.0
    order: float = 0.0


@dataclass(frozen=True)
class MapEdge:
    """A link drawn on a map, from the dependent document to the one it serves.

    `source` and `target` are keys of `StrategyMap.nodes` (document ids, except on the
    one-hop map, where a document linked both ways has a node on each side).
    """

    source: str
    target: str
    field: str
    label: str = ""


@dataclass
class StrategyMap:
    """Nodes in columns and the edges between them, ready to draw."""

    columns: list[str]
    nodes: dict[str, MapNode] = field(default_factory=dict)
    edges: list[MapEdge] = field(default_factory=list)


NODE_W, NODE_H, ROW_GAP, COL_GAP, MARGIN, HEADER = 156, 40, 10, 44, 12, 30
_TITLE_CHARS = 25


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def order_columns(smap: StrategyMap, sweeps: int = 4,
                  anchor_only: frozenset[str] = frozenset()) -> None:
    """Order nodes within each column by the barycentre of their neighbours.

    Starts from id order (deterministic) and sweeps left-to-right then right-to-left, which
    removes most crossings in a layered map at O(sweeps x edges) cost. Edges whose field is
    in `anchor_only` (owners) order only their target's column: an owner should sit near
    what it owns, but owners must not pull the strategy chain out of shape.
    """
    columns: dict[int, list[MapNode]] = {}
    for node in sorted(smap.nodes.values(), key=lambda n: (n.column, n.id)):
        columns.setdefault(node.column, []).append(node)
    def place(nodes: list[MapNode]) -> None:
        # Centred rank: columns are drawn centred, so rank 0 is the middle of every column.
        for index, node in enumerate(nodes):
            node.order = index - (len(nodes) - 1) / 2

    for nodes in columns.values():
        place(nodes)
    key_of = {id(node): key for key, node in smap.nodes.items()}
    neighbours: dict[str, list[str]] = {key: [] for key in smap.nodes}
    for edge in smap.edges:
        neighbours[edge.target].append(edge.source)
        if edge.field not in anchor_only:
            neighbours[edge.source].append(edge.target)
    keys = sorted(columns)
    for sweep in range(sweeps):
        forward = sweep % 2 == 0
        for key in keys[1:] if forward else list(reversed(keys[:-1])):
            for node in columns[key]:
                near = [smap.nodes[n].order for n in neighbours[key_of[id(node)]]
                        if (smap.nodes[n].column < key) == forward
                        and smap.nodes[n].column != key]
                if near:
                    node.order = sum(near) / len(near)
            columns[key].sort(key=lambda n: (n.order, n.id))
            place(columns[key])


def _node_svg(node: MapNode, x: float) -> str:
    classes = f"qms-node qms-kind-{html_text(node.kind)} qms-status-{html_text(node.status)}"
    if node.highlight:
        classes += " qms-node--focus"
    tooltip = node.tooltip or f"{node.id}: {node.title}"
    marker = ""
    if node.marker:
        marker = (f'<circle class="qms-point qms-point--{html_text(node.marker)}" '
                  f'cx="{x + NODE_W - 10:.1f}" cy="{node.y + 11:.1f}" r="4.5"/>')
    return (
        f'<a class="{classes}" href="{html_text(node.href)}" data-id="{html_text(node.id)}">'
        f"<title>{html_text(tooltip)}</title>"
        f'<rect x="{x:.1f}" y="{node.y:.1f}" width="{NODE_W}" height="{NODE_H}" rx="5"/>'
        f'<text class="qms-node-id" x="{x + 8:.1f}" y="{node.y + 15:.1f}">'
        f'{html_text(node.id)}</text>'
        f'<text class="qms-node-title" x="{x + 8:.1f}" y="{node.y + 31:.1f}">'
        f"{html_text(_truncate(node.title, _TITLE_CHARS))}</text>{marker}</a>"
    )


def _edge_path(x1: float, y1: float, x2: float, y2: float) -> str:
    mid = (x1 + x2) / 2
    return f"M{x1:.1f},{y1:.1f} C{mid:.1f},{y1:.1f} {mid:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"


def render_map(smap: StrategyMap, map_id: str, label: str, *, col_gap: int = COL_GAP,
               edge_labels: bool = False) -> str:
    """Draw a layered map: one column per entry of `smap.columns`, edges as curves.

    With `edge_labels`, each edge's label is written next to the node at its outer end
    (used by the one-hop map, where the relation is the point of the picture).
    """
    columns: dict[int, list[MapNode]] = {}
    for node in smap.nodes.values():
        columns.setdefault(node.column, []).append(node)
    for nodes in columns.values():
        nodes.sort(key=lambda n: (n.order, n.id))
    used = [c for c in range(len(smap.columns)) if columns.get(c)]
    position = {c: i for i, c in enumerate(used)}
    tallest = max((len(nodes) for nodes in columns.values()), default=1)
    height = HEADER + MARGIN * 2 + tallest * (NODE_H + ROW_GAP) - ROW_GAP
    width = MARGIN * 2 + len(used) * (NODE_W + col_gap) - col_gap

    def col_x(column: int) -> float:
        return MARGIN + position[column] * (NODE_W + col_gap)

    for nodes in columns.values():
        span = len(nodes) * (NODE_H + ROW_GAP) - ROW_GAP
        start = HEADER + MARGIN + (height - HEADER - 2 * MARGIN - span) / 2
        for index, node in enumerate(nodes):
            node.y = start + index * (NODE_H + ROW_GAP)
    parts = [
        f'<svg class="qms-map" id="{html_text(map_id)}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{html_text(label)}"><title>{html_text(label)}</title>'
    ]
    for column in used:
        parts.append(f'<text class="qms-map-heading" x="{col_x(column) + NODE_W / 2:.1f}" '
                     f'y="{MARGIN + 10}" text-anchor="middle">'
                     f"{html_text(smap.columns[column])}</text>")
    parts.append('<g class="qms-edges">')
    for edge in smap.edges:
        source, target = smap.nodes[edge.source], smap.nodes[edge.target]
        sx, tx = col_x(source.column), col_x(target.column)
        sy, ty = source.y + NODE_H / 2, target.y + NODE_H / 2
        if source.column > target.column:
            d = _edge_path(sx, sy, tx + NODE_W, ty)
        elif source.column < target.column:
            d = _edge_path(sx + NODE_W, sy, tx, ty)
        else:  # same column: an arc on the right-hand side
            bulge = sx + NODE_W + min(col_gap - 8, 16 + abs(sy - ty) / 6)
            d = (f"M{sx + NODE_W:.1f},{sy:.1f} C{bulge:.1f},{sy:.1f} {bulge:.1f},{ty:.1f} "
                 f"{sx + NODE_W:.1f},{ty:.1f}")
        title = f"{edge.source} {edge.label or edge.field} {edge.target}"
        parts.append(f'<path class="qms-edge qms-edge--{html_text(edge.field.replace(".", "-"))}" '
                     f'd="{d}"><title>{html_text(title)}</title></path>')
        if edge_labels and edge.label and source.column != target.column:
            # Beside the outer end (the node that is not in focus), above the curve.
            outer, inner = (target, source) if source.highlight else (source, target)
            ox, ly = col_x(outer.column), outer.y + NODE_H / 2 - 5
            if outer.column < inner.column:
                lx, anchor = ox + NODE_W + 4, "start"
            else:
                lx, anchor = ox - 4, "end"
            parts.append(f'<text class="qms-edge-label" x="{lx:.1f}" y="{ly:.1f}" '
                         f'text-anchor="{anchor}">{html_text(edge.label)}</text>')
    parts.append("</g>")
    for column in used:
        x = col_x(column)
        parts.extend(_node_svg(node, x) for node in columns[column])
    parts.append("</svg>")
    return "".join(parts)


def render_neighbourhood(
    centre: MapNode,
    outgoing: Sequence[tuple[MapNode, str]],
    incoming: Sequence[tuple[MapNode, str]],
    map_id: str,
    *,
    limit: int = 24,
) -> str:
    """A one-hop map: what the document links to (left) and what links to it (right).

    Several links between the same pair (e.g. owner and approver) become one edge whose
    label names both; a document linked both ways appears on both sides; more than
    `limit` neighbours on a side are summarised in a note.
    """
    smap = StrategyMap(["Links to", "This document", "Linked from"])
    centre.column, centre.highlight = 1, True
    smap.nodes[centre.id] = centre
    notes: list[str] = []
    for column, entries, side in ((0, outgoing, "out"), (2, incoming, "in")):
        labels: dict[str, list[str]] = {}
        nodes: dict[str, MapNode] = {}
        for node, label in entries:
            if node.id == centre.id:
                continue
            labels.setdefault(node.id, []).append(label)
            nodes.setdefault(node.id, node)
        for index, (node_id, node) in enumerate(nodes.items()):
            if index >= limit:
                verb = "links to" if side == "out" else "is linked from"
                notes.append(f"…and {len(nodes) - limit} more documents it {verb}")
                break
            key = f"{side}:{node_id}"
            node.column, node.order = column, float(index)
            smap.nodes[key] = node
            label = ", ".join(dict.fromkeys(labels[node_id]))
            if side == "out":
                smap.edges.append(MapEdge(centre.id, key, "link", label))
            else:
                smap.edges.append(MapEdge(key, centre.id, "link", label))
    svg = render_map(smap, map_id, f"{centre.id} and its direct links", col_gap=104,
                     edge_labels=True)
    return svg + "".join(f'<p class="qms-map-more">{html_text(note)}</p>' for note in notes)


# --------------------------------------------------------------------------- timeline


def activity_chart(chart_id: str, weeks: Sequence[tuple[date, int]], audits: Sequence[date],
                   since: date, today: date, window_weeks: int) -> str:
    """Weekly activity on the QMS as bars, audits as lines, pre-audit weeks shaded.

    The picture of "attention only before audits": in compliance mode the bars bunch up
    in the shaded weeks before each audit line; in performance mode they spread out.
    """
    width, height = 680, 200
    left, right, top, bottom = 36, 12, 22, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    span = max((today - since).days, 1)
    peak = max((n for _, n in weeks), default=0) or 1
    bar_w = max(plot_w * 7 / span - 1.5, 1.5)

    def x(day: date) -> float:
        return left + plot_w * (day - since).days / span

    parts = [
        f'<svg class="qms-chart qms-activity" id="{html_text(chart_id)}" '
        f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="QMS activity per week">'
        "<title>QMS activity per week: changes and reviews, with audit dates</title>"
    ]
    for audit in audits:
        start = max(audit - timedelta(weeks=window_weeks), since)
        if audit < since or start > today:
            continue
        parts.append(f'<rect class="qms-band qms-band--amber" x="{x(start):.1f}" y="{top}" '
                     f'width="{max(x(min(audit, today)) - x(start), 1):.1f}" '
                     f'height="{plot_h}"><title>{window_weeks} weeks before the audit on '
                     f"{html_text(audit)}</title></rect>")
    parts.append(f'<line class="qms-grid" x1="{left}" x2="{left + plot_w}" '
                 f'y1="{top + plot_h}" y2="{top + plot_h}"/>')
    parts.append(f'<text class="qms-axis" x="{left - 6}" y="{top + 4}" '
                 f'text-anchor="end">{peak}</text>')
    parts.append(f'<text class="qms-axis" x="{left - 6}" y="{top + plot_h + 4}" '
                 'text-anchor="end">0</text>')
    for week, count in weeks:
        if not since <= week <= today:
            continue
        bar_h = plot_h * count / peak
        parts.append(f'<rect class="qms-bar" x="{x(week):.1f}" y="{top + plot_h - bar_h:.1f}" '
                     f'width="{bar_w:.1f}" height="{bar_h:.1f}"><title>week of {html_text(week)}: '
                     f"{count} change{'s' if count != 1 else ''} or review"
                     f"{'s' if count != 1 else ''}</title></rect>")
    for audit in audits:
        if since <= audit <= today:
            ax = x(audit)
            parts.append(f'<line class="qms-line qms-line--warn" x1="{ax:.1f}" x2="{ax:.1f}" '
                         f'y1="{top - 8}" y2="{top + plot_h}"/>')
            parts.append(f'<text class="qms-line-label qms-line-label--warn" x="{ax:.1f}" '
                         f'y="{top - 10}" text-anchor="middle">audit {html_text(audit)}</text>')
    month = date(since.year, since.month, 1)
    while month <= today:
        if month >= since and (today - month).days > 20:
            parts.append(f'<text class="qms-axis" x="{x(month):.1f}" y="{height - 10}" '
                         f'text-anchor="middle">{html_text(month.strftime("%b %y"))}</text>')
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        # Every other month keeps the labels apart on a year-wide axis.
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    parts.append("</svg>")
    return "".join(parts)
