"""`qmskit trace ID`: everything up- and downstream of one document, grouped by kind."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from qmskit.errors import EXIT_CLEAN, QmsError
from qmskit.loader import open_qms
from qmskit.model.documents import Role
from qmskit.model.types import in_kind_order
from qmskit.qms import Qms


def find_document(qms: Qms, text: str) -> tuple[str, str | None]:
    """The id `text` names, in any case (`proc-purch`), or by a former id; with a note
    when it was found by a former id. QmsError suggesting the closest id otherwise."""
    wanted = text.strip().upper()
    if wanted in qms.documents:
        return wanted, None
    current = qms.aliases.get(wanted)
    if current is not None:
        return current, f"{wanted} is a former id of {current}; its current id is {current}"
    near = qms.suggest_id(wanted)
    raise QmsError(f"no document with id {text!r}" + (f"; did you mean {near}?" if near else ""))


def trace_data(qms: Qms, doc_id: str) -> dict[str, Any]:
    """The trace of `doc_id` as plain data: upstream, downstream, owners, other links.

    `doc_id` may be written in any case or be a former id (`find_document`)."""
    doc_id, note = find_document(qms, doc_id)
    graph = qms.graph
    doc = qms.documents[doc_id]

    def grouped(ids: set[str]) -> dict[str, list[dict[str, str]]]:
        groups: dict[str, list[dict[str, str]]] = {}
        for kind in in_kind_order(graph.kind(i) for i in ids):
            members = sorted(i for i in ids if graph.kind(i) == kind)
            groups[kind] = [{"id": i, "title": qms.documents[i].title} for i in members]
        return groups

    upstream, downstream = graph.upstream(doc_id), graph.downstream(doc_id)
    owners: dict[str, dict[str, Any]] = {}
    for member in sorted({doc_id} | upstream | downstream):
        owner = qms.documents[member].model.owner
        if owner and owner in qms.documents:
            role = qms.documents[owner].model
            entry = owners.setdefault(owner, {
                "id": owner, "title": role.title,
                "holders": list(role.holders) if isinstance(role, Role) else [], "owns": [],
            })
            entry["owns"].append(member)
    other = [
        {"field": link.field, "direction": "out", "id": link.target}
        for link in graph.outgoing(doc_id)
        if not graph.traces(link) and link.field != "owner"
    ] + [
        {"field": link.field, "direction": "in", "id": link.source}
        for link in graph.incoming(doc_id)
        if not graph.traces(link)
    ]
    return {
        "id": doc_id, "kind": doc.kind, "title": doc.title, "status": doc.status,
        "path": doc.path, "owner": doc.model.owner, "note": note,
        "register": doc.register,
        "upstream": grouped(upstream), "downstream": grouped(downstream),
        "owners": list(owners.values()),
        "other_links": sorted(other, key=lambda o: (o["direction"], o["field"], o["id"])),
    }


def _text(data: dict[str, Any]) -> str:
    lines = [f"note: {data['note']}"] if data.get("note") else []
    where = data["path"] + (f" (a row of register {data['register']})"
                            if data.get("register") else "")
    lines += [f"{data['id']}  {data['title']}",
              f"  {data['kind']}, {data['status']}, owner {data['owner']}, {where}"]
    for heading, key in (("upstream (what it serves, toward strategy)", "upstream"),
                         ("downstream (what serves or measures it)", "downstream")):
        lines.append(f"{heading}:")
        if not data[key]:
            lines.append("  (none)")
        for kind, members in data[key].items():
            for member in members:
                lines.append(f"  {kind:<10} {member['id']:<20} {member['title']}")
    lines.append("owners:")
    for owner in data["owners"]:
        holders = ", ".join(owner["holders"]) or "no holder"
        lines.append(f"  {owner['id']:<20} {owner['title']} ({holders}): "
                     f"{', '.join(owner['owns'])}")
    if data["other_links"]:
        lines.append("other links:")
        for link in data["other_links"]:
            arrow = "->" if link["direction"] == "out" else "<-"
            lines.append(f"  {link['field']:<12} {arrow} {link['id']}")
    return "\n".join(lines) + "\n"


def trace(root: Path, doc_id: str, *, output_format: str = "text",
          config_path: Path | None = None) -> int:
    """Print the trace of one document as text or JSON."""
    qms = open_qms(root, config_path, with_git=False)
    data = trace_data(qms, doc_id)
    sys.stdout.write(json.dumps(data, indent=2) + "\n" if output_format == "json"
                     else _text(data))
    return EXIT_CLEAN
