"""The PR impact summary of `qmskit diff` as Markdown, for a pull-request comment."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qmskit.model.types import mention
from qmskit.reports.escape import code_span, md_inline


def _mentions(holders: Sequence[str]) -> str:
    return ", ".join(mention(h) for h in holders) or "*(no holder)*"


def _and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def to_markdown(data: dict[str, Any]) -> str:
    """The PR comment; the first line is a marker so CI can update its own comment."""
    lines = ["<!-- qmskit-diff -->",
             f"## QMS impact of {code_span(data['base']['rev'])} → "
             f"{code_span(data['head']['rev'])}", ""]
    documents = data["documents"]
    found = data["findings"]
    if not documents:
        lines.append("No controlled document changed.")
    else:
        counts = data["summary"]
        parts = [f"{counts[k]} {k}" for k in ("changed", "added", "retired", "removed")
                 if counts[k]]
        lines.append(f"**{_and(parts)}** controlled document"
                     f"{'s' if len(documents) != 1 else ''}.")
        if data["objectives"] or data["strategies"]:
            objectives = [f"{o['id']}" for o in data["objectives"]]
            strategies = [f"**{s['id']}** ({md_inline(s['title'])})" for s in data["strategies"]]
            sentence = "This change touches "
            if objectives:
                plural = len(objectives) != 1
                sentence += (f"{len(objectives)} objective{'s' if plural else ''}"
                             f" ({_and(objectives)})")
                if strategies:
                    sentence += " that support " if plural else " that supports "
            else:
                sentence += "documents that support " if strategies else ""
            sentence += (f"strateg{'ies' if len(strategies) != 1 else 'y'} "
                         f"{_and(strategies)}" if strategies else "")
            lines.append(sentence + ".")
        if data["reviewers"]:
            lines.append("Review needed from " + _and(
                [f"{_mentions(r['holders'])} ({r['role']})" for r in data["reviewers"]]) + ".")
    lines.append(f"Findings: {len(found['introduced'])} introduced, "
                 f"{len(found['fixed'])} fixed.")
    headings = {"changed": "Changed", "added": "Added", "retired": "Retired",
                "removed": "Removed"}
    for change, heading in headings.items():
        group = [d for d in documents if d["change"] == change]
        if not group:
            continue
        lines += ["", f"### {heading}"]
        for doc in group:
            lines += ["", f"#### {doc['id']} · {md_inline(doc['title'])}"]
            facts = [code_span(doc["path"]), doc["kind"], f"owner {doc['owner'] or '*(none)*'}"]
            if doc["old_path"]:
                facts.append(f"moved from {code_span(doc['old_path'])}")
            if doc["changed_fields"]:
                facts.append("changed: " + ", ".join(f"`{f}`" for f in doc["changed_fields"]))
            if doc["version"]:
                facts.append(f"version {doc['version'][0]} → {doc['version'][1]}")
            lines.append(" · ".join(facts))
            chains = [c for c in doc["upstream_chains"] if len(c) > 1]
            for chain in chains:
                lines.append(f"- serves: {' → '.join(chain)}")
            if not chains and doc["kind"] in ("objective", "process", "procedure", "kpi"):
                lines.append("- serves: *no path to a strategy*")
            if doc["kpis"]:
                lines.append("- downstream KPIs: " + ", ".join(
                    f"{k['id']} ({md_inline(k['title'])})" for k in doc["kpis"]))
    if data["reviewers"]:
        lines += ["", "### Who must review", "", "| role | holders | why |", "|---|---|---|"]
        for r in data["reviewers"]:
            lines.append(f"| {r['role']} {md_inline(r['title'])} | {_mentions(r['holders'])} | "
                         f"{', '.join(r['reasons'])} |")
    if data["acknowledge"]:
        lines += ["", "### Who must read and acknowledge the new version", "",
                  "| role | holders | documents |", "|---|---|---|"]
        for r in data["acknowledge"]:
            lines.append(f"| {r['role']} {md_inline(r['title'])} | {_mentions(r['holders'])} | "
                         f"{', '.join(r['documents'])} |")
    for key, heading in (("introduced", "Findings introduced"), ("fixed", "Findings fixed")):
        if found[key]:
            lines += ["", f"### {heading}", ""]
            for f in found[key]:
                where = f"{f['path']}:{f['line']}:{f['col']}"
                lines.append(f"- {code_span(where)} **{f['code']}** ({f['severity']}) "
                             f"{md_inline(f['message'])}")
    return "\n".join(lines) + "\n"
