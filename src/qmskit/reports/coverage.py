"""The clause coverage matrices for people: a terminal table, JSON, and the handbook page.

One matrix per configured standard, the default standard's first. With one standard the
output is exactly what it was before qmskit knew more than one.
"""

from __future__ import annotations

from collections.abc import Callable

from qmskit.domain.coverage import Coverage, Matrix, Row, UnknownClause, coverage_of
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


def _unknown_line(item: UnknownClause) -> str:
    where = (f"not a clause of {item.standard}" if item.standard is not None
             else f"{item.written} is not a configured standard")
    return f"unknown clause {item.text} declared in {item.doc.path} ({item.doc.id}): {where}"


def _matrix_text(matrix: Matrix) -> list[str]:
    lines = [matrix.summary()]
    for row in matrix.rows:
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
    return lines


def coverage_text(cov: Coverage) -> str:
    """The matrices for a terminal: one line per clause, per standard."""
    note = "(no [coverage] table in the config: rule A601 does not run)"
    if len(cov.matrices) == 1:
        lines = _matrix_text(cov.default)
        if not cov.configured:
            lines.insert(1, note)
    else:
        lines = [*cov.summaries(), *([] if cov.configured else [note])]
        for matrix in cov.matrices:
            lines += ["", *_matrix_text(matrix)]
        if cov.unknown:
            lines.append("")
    lines += [_unknown_line(item) for item in cov.unknown]
    return "\n".join(lines) + "\n"


def _rows_data(matrix: Matrix) -> list[dict[str, object]]:
    return [
        {
            "clause": row.clause.number,
            "title": row.clause.title,
            "level": row.level,
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
        for row in matrix.rows
    ]


def coverage_data(cov: Coverage) -> dict[str, object]:
    """The matrices as JSON-ready data.

    The top-level `standard`, `summary` and `clauses` are the default standard's (as
    before more than one standard was possible); `standards` holds every matrix, the
    default first.
    """
    default = cov.default
    return {
        "standard": default.standard,
        "configured": cov.configured,
        "summary": default.summary(),
        "clauses": _rows_data(default),
        "standards": [
            {"standard": m.standard, "short": m.short, "default": m is default,
             "source": m.catalogue.source, "summary": m.summary(),
             "clauses": _rows_data(m)}
            for m in cov.matrices
        ],
        "unknown": [{"id": u.doc.id, "path": u.doc.path, "clause": u.number,
                     "written": u.text, "standard": u.standard} for u in cov.unknown],
    }


def _matrix_markdown(matrix: Matrix, level: str, link: Callable[[str], str] | None,
                     scope_clause: str) -> list[str]:
    out: list[str] = []
    uncovered = matrix.uncovered()
    if uncovered:
        out += [f"{level} Not covered", ""]
        out += [f"- **{r.clause.number}** {md_inline(r.clause.title)}" for r in uncovered]
        out.append("")
    excluded = matrix.excluded()
    if excluded:
        out += [f"{level} Exclusions{scope_clause}", "", "| Clause | Title | Justification |",
                "|---|---|---|"]
        out += [f"| {r.clause.number} | {md_inline(r.clause.title)} | "
                f"{md_inline(r.justification or '')} |" for r in excluded]
        out.append("")
    out += [f"{level} Matrix", "", "| Clause | Title | Status | Documents |",
            "|---|---|---|---|"]
    for row in matrix.rows:
        bold = row.level != "detail"
        number = f"**{row.clause.number}**" if bold else row.clause.number
        title = md_inline(row.clause.title)
        if row.level == "heading":
            title = f"**{title}**"
        if row.status == "excluded":
            status = ("excluded" if row.excluded_by == row.clause.number
                      else f"excluded with {row.excluded_by}")
        else:
            status = _LABEL[row.status]
            if row.status == "uncovered":
                status = "**not covered**"
        out.append(f"| {number} | {title} | {status} | {_doc_list(row, link)} |")
    return out


def coverage_markdown(qms: Qms, link: Callable[[str], str] | None = None) -> str:
    """The clause coverage page of the handbook, as Markdown (no front matter).

    `link(doc_id)` turns an id into Markdown (the site passes its link maker); by
    default ids are written bare, for the site's id linker to pick up. One standard
    gives one matrix under its name; several give a section per standard.
    """
    cov = coverage_of(qms)
    single = len(cov.matrices) == 1
    title = (f"# {md_inline(cov.default.short)} clause coverage" if single
             else "# Clause coverage")
    lead = (f"{md_inline(cov.summary())}. " if single else
            "Standards: " + "; ".join(md_inline(s) for s in cov.summaries()) + ". ")
    out = [
        title,
        "",
        f"{lead}A clause counts as covered when an approved "
        "document declares it (or one of its sub-clauses) in `clauses:`; drafts and "
        "retired documents are listed but are not evidence.",
        "",
    ]
    if not cov.configured:
        out += ["!!! note \"Coverage is not checked\"",
                "    The config has no `[coverage]` table, so missing clauses are not "
                "findings.", ""]
    for matrix in cov.matrices:
        scope = " (ISO 9001 4.3)" if matrix.short == "ISO 9001" else ""
        if single:
            out += _matrix_markdown(matrix, "##", link, scope)
        else:
            out += [f"## {md_inline(matrix.standard)}", "", md_inline(matrix.summary()) + ".",
                    ""]
            out += _matrix_markdown(matrix, "###", link, scope)
            out.append("")
    if cov.unknown:
        out += ["", "## Unknown clause numbers", ""]
        out += [f"- {link(u.doc.id) if link else u.doc.id}: `{md_inline(u.text)}`"
                for u in cov.unknown]
    return "\n".join(out).rstrip("\n") + "\n"
