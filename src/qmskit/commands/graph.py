"""`qmskit graph`: the document graph, or a selected part of it, as dot, mermaid or JSON."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from qmskit.errors import EXIT_CLEAN
from qmskit.graph import Graph
from qmskit.loader import open_qms


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(graph: Graph) -> str:
    """Graphviz dot; links point from the dependent document to the one it serves."""
    lines = ["digraph qms {", "  rankdir=BT;", '  node [shape=box, fontname="sans-serif"];']
    for node in graph.nodes():
        data = graph.node_data(node)
        label = f"{node}\n{data['title']}"
        lines.append(f"  {_dot_quote(node)} [label={_dot_quote(label)}, "
                     f"class={_dot_quote(data['kind'])}];")
    for link in sorted(graph.links(), key=lambda lk: (lk.source, lk.field, lk.target)):
        lines.append(f"  {_dot_quote(link.source)} -> {_dot_quote(link.target)} "
                     f"[label={_dot_quote(link.field)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def mermaid_id(doc_id: str) -> str:
    """A node name mermaid accepts (ids keep their dashes in the label)."""
    return re.sub(r"[^A-Za-z0-9_]", "_", doc_id)


def mermaid_label(text: str) -> str:
    """Escape a label for mermaid's quoted-string syntax (no HTML, no quotes)."""
    return (text.replace("&", "#amp;").replace('"', "#quot;")
            .replace("<", "#lt;").replace(">", "#gt;"))


def to_mermaid(graph: Graph) -> str:
    """A mermaid flowchart, bottom to top like the strategy map reads."""
    lines = ["flowchart BT"]
    for node in graph.nodes():
        data = graph.node_data(node)
        lines.append(f'  {mermaid_id(node)}["{mermaid_label(node)}: '
                     f'{mermaid_label(data["title"])}"]:::{data["kind"]}')
    for link in sorted(graph.links(), key=lambda lk: (lk.source, lk.field, lk.target)):
        lines.append(f"  {mermaid_id(link.source)} -->|{link.field}| {mermaid_id(link.target)}")
    return "\n".join(lines) + "\n"


def to_json(graph: Graph) -> str:
    """Nodes and links as JSON, for other tools."""
    payload = {
        "nodes": [{"id": n, **graph.node_data(n)} for n in graph.nodes()],
        "links": [
            {"source": lk.source, "target": lk.target, "field": lk.field}
            for lk in sorted(graph.links(), key=lambda lk: (lk.source, lk.field, lk.target))
        ],
    }
    return json.dumps(payload, indent=2) + "\n"


RENDERERS = {"dot": to_dot, "mermaid": to_mermaid, "json": to_json}


def graph(
    root: Path,
    selectors: Sequence[str] = (),
    *,
    output_format: str = "dot",
    fields: Sequence[str] = (),
    config_path: Path | None = None,
) -> int:
    """Print the (selected) graph; `fields` limits which link types are drawn."""
    qms = open_qms(root, config_path, with_git=False)
    full = qms.graph
    chosen = full.select(selectors) if selectors else set(full.nodes())
    sub = full.subgraph(chosen)
    if fields:
        sub = sub.only_links(fields)
    sys.stdout.write(RENDERERS[output_format](sub))
    return EXIT_CLEAN
