"""The clause coverage matrix for people: a terminal table, JSON, and the handbook page."""

from __future__ import annotations

from collections.abc import Callable

from qmskit.domain.coverage import Coverage, Row, coverage_of
from qmskit.qms import Qms
from qmskit.reports.escape import md_inline

_LABEL: dict[str, str] = {
    "covered": "covered",
    "excluded": "excluded",
    "uncovered": "NOT COVERED",
    "addressed-above": "addressed above",
    "heading": "",
}


def _doc_list(row: Row, link: Callable[[str], str] | None = None) -> str:
    shown = []
    for ref in row.documents:
        text = link(ref.id) if link is not None else ref.id
        shown.append(text if ref.status == "approved" else f"{text} ({ref.status})")
    return ", ".join(shown)


def coverage_text(cov: Coverage) -> str:
    """The matrix for a terminal: one line per clause."""
    lines = [cov.summary()]
    if not cov.configured:
        lines.append("(no [coverage] table in the config: rule A601 does not run)")
    for row in cov.rows:
        indent = "  " * (row.clause.depth - 1)
        head = f"{indent}{row.clause.number} {row.clause.title}"
        if row.status == "excluded":
            if row.excluded_by == row.clause.number:
                detail = f"excluded: {row.justification}"
            else:
                detail = f"excluded with {row.excluded_by}"
        else:
            detail = _LABEL[row.status]
            docs = _doc_list(row)
            if docs:
                detail = f"{detail}  {docs}" if detail else docs
            elif row.status == "covered":
                detail += f"  (via {', '.join(row.evidence)})"
        lines.append(f"{head:<72} {detail}".rstrip())
    for item in cov.unknown:
        lines.append(f"unknown clause {item.number} declared in {item.doc.path} "
                     f"({item.doc.id})")
    return "\n".join(lines) + "\n"


def coverage_data(cov: Coverage) -> dict[str, object]:
    """The matrix as JSON-ready data."""
    return {
        "standard": cov.standard,
        "configured": cov.configured,
        "summary": cov.summary(),
        "clauses": [
            {
                "clause": row.clause.number,
                "title": row.clause.title,
                "status": row.status,
                "documents": [
                    {"id": ref.id, "title": ref.title, "kind": ref.kind,
                     "status": ref.status, "path": ref.path}
                    for ref in row.documents
                ],
                "evidence": list(row.evidence),
                "justification": row.justification,
                "excluded_by": row.excluded_by,
            }
            for row in cov.rows
        ],
        "unknown": [{"id": u.doc.id, "path": u.doc.path, "clause": u.number}
                    for u in cov.unknown],
    }


def coverage_markdown(qms: Qms, link: Callable[[str], str] | None = None) -> str:
    """The clause coverage page of the handbook, as Markdown (no front matter).

    `link(doc_id)` turns an id into Markdown (the site passes its link maker); by
    default ids are written bare, for the site's id linker to pick up.
    """
    cov = coverage_of(qms)
    out = [
        "# ISO 9001 clause coverage",
        "",
        f"{md_inline(cov.summary())}. A clause counts as covered when an approved "
        "document declares it (or one of its sub-clauses) in `clauses:`; drafts and "
        "retired documents are listed but are not evidence.",
        "",
    ]
    if not cov.configured:
        out += ["!!! note \"Coverage is not checked\"",
                "    The config has no `[coverage]` table, so missing clauses are not "
                "findings.", ""]
    uncovered = cov.uncovered()
    if uncovered:
        out += ["## Not covered", ""]
        out += [f"- **{r.clause.number}** {md_inline(r.clause.title)}" for r in uncovered]
        out.append("")
    excluded = cov.excluded()
    if excluded:
        out += ["## Exclusions (ISO 9001 4.3)", "", "| Clause | Title | Justification |",
                "|---|---|---|"]
        out += [f"| {r.clause.number} | {md_inline(r.clause.title)} | "
                f"{md_inline(r.justification or '')} |" for r in excluded]
        out.append("")
    out += ["## Matrix", "", "| Clause | Title | Status | Documents |", "|---|---|---|---|"]
    for row in cov.rows:
        number = f"**{row.clause.number}**" if row.clause.depth <= 2 else row.clause.number
        title = md_inline(row.clause.title)
        if row.clause.depth == 1:
            title = f"**{title}**"
        if row.status == "excluded":
            status = ("excluded" if row.excluded_by == row.clause.number
                      else f"excluded with {row.excluded_by}")
        else:
            status = _LABEL[row.status]
            if row.status == "uncovered":
                status = "**not covered**"
        out.append(f"| {number} | {title} | {status} | {_doc_list(row, link)} |")
    if cov.unknown:
        out += ["", "## Unknown clause numbers", ""]
        out += [f"- {link(u.doc.id) if link else u.doc.id}: `{md_inline(u.number)}`"
                for u in cov.unknown]
    return "\n".join(out) + "\n"
