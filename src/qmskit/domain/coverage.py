"""ISO 9001 clause coverage: which documents address each clause, and what is missing.

An auditor walks the standard clause by clause and asks "where is this addressed?".
Documents answer with `clauses: ["8.4", "8.4.2"]`; the config's `[coverage]` table
excludes what cannot apply, with a justification (ISO 9001 4.3). A two-level clause
(`8.4`) in scope counts as covered when an *approved* document declares it or one of
its sub-clauses: a draft is not yet in force and a retired document no longer is, so
neither is evidence. Main clauses (`8`) are headings, and deeper clauses (`8.4.2`) are
shown for navigation; the rule (A601) is about the two-level clauses, the level at
which certification bodies plan and report audits.

One function computes the matrix; the rules, `qmskit coverage` and the handbook page all
read it, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from qmskit.model import clauses as iso9001
from qmskit.model.clauses import Clause
from qmskit.reports.auditors import escape_md

if TYPE_CHECKING:
    from collections.abc import Callable

    from qmskit.model.doc import Doc
    from qmskit.qms import Qms

#: covered: an approved document addresses it; excluded: out of scope with a
#: justification; uncovered: in scope, no approved document; addressed-above: a deeper
#: clause not declared itself whose parent is covered; heading: a main clause.
RowStatus = Literal["covered", "excluded", "uncovered", "addressed-above", "heading"]


@dataclass(frozen=True)
class DocRef:
    """A document declaring a clause, as the matrix shows it."""

    id: str
    title: str
    kind: str
    status: str
    path: str


@dataclass(frozen=True)
class Row:
    """One clause of the matrix."""

    clause: Clause
    status: RowStatus
    #: Documents declaring exactly this clause (any status), in id order.
    documents: tuple[DocRef, ...] = ()
    #: Approved documents that make it covered: declaring it or one of its sub-clauses.
    evidence: tuple[str, ...] = ()
    #: For an excluded clause: the justification, and the exclusion it falls under.
    justification: str | None = None
    excluded_by: str | None = None


@dataclass(frozen=True)
class UnknownClause:
    """A declared clause number the standard does not have (rule A602)."""

    doc: Doc
    index: int
    number: str


@dataclass
class Coverage:
    """The clause matrix of a QMS."""

    standard: str
    configured: bool
    rows: list[Row] = field(default_factory=list)
    unknown: list[UnknownClause] = field(default_factory=list)

    def row(self, number: str) -> Row:
        """The row of a clause, by number."""
        for row in self.rows:
            if row.clause.number == number:
                return row
        raise KeyError(number)

    def in_scope(self) -> list[Row]:
        """Two-level clauses that are not excluded."""
        return [r for r in self.rows if r.clause.depth == 2 and r.status != "excluded"]

    def uncovered(self) -> list[Row]:
        """Two-level clauses in scope that no approved document addresses."""
        return [r for r in self.rows if r.clause.depth == 2 and r.status == "uncovered"]

    def excluded(self) -> list[Row]:
        """Clauses excluded by the config itself (not those under an excluded parent)."""
        return [r for r in self.rows if r.status == "excluded" and r.excluded_by
                == r.clause.number]

    def summary(self) -> str:
        """One line: how much of the standard is covered."""
        scope = self.in_scope()
        covered = sum(1 for r in scope if r.status == "covered")
        return (f"{self.standard}: {covered} of {len(scope)} clauses in scope covered, "
                f"{len(self.excluded())} excluded, {len(self.uncovered())} uncovered")


def _ref(doc: Doc) -> DocRef:
    return DocRef(doc.id, doc.title, doc.kind, doc.status, doc.path)


def _exclusion(number: str, exclusions: dict[str, str]) -> str | None:
    """The excluded clause that `number` is, or falls under."""
    head = number
    while head:
        if head in exclusions:
            return head
        head = head.rpartition(".")[0]
    return None


def compute(qms: Qms) -> Coverage:
    """The clause matrix of `qms` (documents in id order, clauses in standard order)."""
    config = qms.config.coverage
    exclusions = config.exclusions if config is not None else {}
    known = iso9001.by_number()
    declaring: dict[str, list[Doc]] = {}
    unknown: list[UnknownClause] = []
    for doc in sorted(qms.documents.values(), key=lambda d: d.id):
        for index, number in enumerate(doc.model.clauses):
            if number in known:
                declaring.setdefault(number, []).append(doc)
            else:
                unknown.append(UnknownClause(doc, index, number))
    result = Coverage(config.standard if config else iso9001.STANDARD, config is not None,
                      unknown=unknown)
    approved: dict[str, set[str]] = {}
    for number, declared in declaring.items():
        # An approved declaration of 8.4.2 is evidence for 8.4.2, 8.4 and 8.
        head = number
        while head:
            approved.setdefault(head, set()).update(d.id for d in declared
                                                    if d.status == "approved")
            head = head.rpartition(".")[0]
    for clause in iso9001.clauses():
        docs = tuple(_ref(d) for d in declaring.get(clause.number, []))
        evidence = tuple(sorted(approved.get(clause.number, set())))
        excluded_by = _exclusion(clause.number, exclusions)
        status: RowStatus
        if excluded_by is not None:
            result.rows.append(Row(clause, "excluded", docs, evidence,
                                   exclusions[excluded_by], excluded_by))
            continue
        if clause.depth == 1:
            status = "heading"
        elif evidence:
            status = "covered"
        elif clause.depth > 2 and _parent_covered(clause, approved):
            status = "addressed-above"
        else:
            status = "uncovered"
        result.rows.append(Row(clause, status, docs, evidence))
    return result


def _parent_covered(clause: Clause, approved: dict[str, set[str]]) -> bool:
    head = clause.parent
    while head and "." in head:
        if approved.get(head):
            return True
        head = head.rpartition(".")[0]
    return False


# --- output -----------------------------------------------------------------------------

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
    cov = compute(qms)
    out = [
        "# ISO 9001 clause coverage",
        "",
        f"{escape_md(cov.summary())}. A clause counts as covered when an approved "
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
        out += [f"- **{r.clause.number}** {escape_md(r.clause.title)}" for r in uncovered]
        out.append("")
    excluded = cov.excluded()
    if excluded:
        out += ["## Exclusions (ISO 9001 4.3)", "", "| Clause | Title | Justification |",
                "|---|---|---|"]
        out += [f"| {r.clause.number} | {escape_md(r.clause.title)} | "
                f"{escape_md(r.justification or '')} |" for r in excluded]
        out.append("")
    out += ["## Matrix", "", "| Clause | Title | Status | Documents |", "|---|---|---|---|"]
    for row in cov.rows:
        number = f"**{row.clause.number}**" if row.clause.depth <= 2 else row.clause.number
        title = escape_md(row.clause.title)
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
        out += [f"- {link(u.doc.id) if link else u.doc.id}: `{escape_md(u.number)}`"
                for u in cov.unknown]
    return "\n".join(out) + "\n"
