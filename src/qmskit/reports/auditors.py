"""Markdown for the handbook's audit-readiness pages, built from data, not from the site.

The site package renders pages; this module supplies the content an auditor needs, as
Markdown with document ids (the site's id linker, or a `link` callable, turns them into
links), so the same text serves the handbook, `qmskit pages` and the PDF copy:

- `auditor_markdown`: the usual audit trail (policy, context, scope, objectives,
  processes, KPIs, risks, audits, management reviews, nonconformities and actions,
  document control, competence and awareness) mapped to where each lives;
- the coverage, training and revision pages live beside it in `qmskit.reports`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qmskit.model.doc import Doc
    from qmskit.qms import Qms

#: Characters with a meaning inside a line of Markdown (a table cell, a list item's
#: text); `<`, `>` and `&` are HTML-escaped first. Line-start markers (`#`, `-`, `1.`)
#: cannot occur: every escaped text is placed after other content on its line.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")

#: At most this many ids per cell; the rest are counted (a 10,000-document QMS must not
#: produce a megabyte-long table cell).
MAX_IDS = 25


def escape_md(text: object) -> str:
    """Text as inline Markdown that renders literally (HTML- then Markdown-escaped)."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(str(text), quote=False))


@dataclass(frozen=True)
class TrailItem:
    """One stop of the audit trail: what an auditor asks for, and where it is."""

    topic: str
    clauses: tuple[str, ...]
    question: str
    documents: tuple[str, ...]
    pages: tuple[str, ...] = ()
    note: str = ""


def _ids(docs: list[Doc]) -> tuple[str, ...]:
    return tuple(d.id for d in sorted(docs, key=lambda d: d.id) if d.status != "retired")


def audit_trail(qms: Qms) -> list[TrailItem]:
    """The audit trail of `qms`: each topic with the documents and pages that answer it.

    `pages` are keys the site maps to its generated pages (`register`, `coverage`,
    `training`, `kpis`, `reviews`, `actions`, `roles`, `strategy-map`, `traceability`)
    or root-relative paths of plain pages (`qms_docs/scope.md`).
    """
    from qmskit.domain.coverage import compute

    cov = compute(qms)

    def declaring(*numbers: str) -> list[Doc]:
        found: set[str] = set()
        for number in numbers:
            found.update(cov.row(number).evidence)
        return [qms.documents[i] for i in found]

    def plain(*names: str) -> tuple[str, ...]:
        wanted = set(names)
        return tuple(p for p in sorted(qms.pages) if p.rsplit("/", 1)[-1] in wanted)

    kinds = qms.of_kind
    ledger = qms.config.ledger_path
    return [
        TrailItem("Quality policy", ("5.2",), "Is there a policy, and is it communicated?",
                  _ids(declaring("5.2")), plain("quality-policy.md", "policy.md")),
        TrailItem("Context and interested parties", ("4.1", "4.2"),
                  "What issues and requirements does the QMS answer to?",
                  _ids(declaring("4.1", "4.2")), plain("context.md")),
        TrailItem("Scope and exclusions", ("4.3",),
                  "What does the QMS cover, and why is anything excluded?",
                  _ids(declaring("4.3")), (*plain("scope.md"), "coverage")),
        TrailItem("Strategy", ("5.1", "6.2"), "What does top management want to achieve?",
                  _ids(kinds("strategy")), ("strategy-map",)),
        TrailItem("Quality objectives", ("6.2",),
                  "Are objectives measurable, planned and linked to strategy?",
                  _ids(kinds("objective")), ("strategy-map", "traceability")),
        TrailItem("Processes and procedures", ("4.4", "8"),
                  "Which processes, who owns them, how do they interact?",
                  _ids(kinds("process", "procedure")), ("traceability",)),
        TrailItem("KPIs and monitoring", ("9.1",),
                  "What is measured, against which target, and what is the trend?",
                  _ids(kinds("kpi")), ("kpis",)),
        TrailItem("Risks and opportunities", ("6.1",),
                  "Which risks were determined, and how are they treated?",
                  _ids(kinds("risk")), ()),
        TrailItem("Internal audits", ("9.2",), "Is there a programme, and is it carried out?",
                  _ids(kinds("audit")) + _ids(declaring("9.2")), ()),
        TrailItem("Management reviews", ("9.3",),
                  "Did top management review every 9.3.2 input, and decide?",
                  _ids(kinds("review")), ()),
        TrailItem("Nonconformities and corrective actions", ("10.2",),
                  "Are causes found, actions taken and their effectiveness checked?",
                  _ids(kinds("nonconformity")) + _ids(kinds("action")), ("actions",)),
        TrailItem("Continual improvement", ("10.3",), "What was improved, and how?",
                  _ids(declaring("10.3")), ("actions",)),
        TrailItem("Roles and responsibilities", ("5.3",), "Who owns and holds what?",
                  _ids(kinds("role")), ("roles",)),
        TrailItem("Document control", ("7.5",),
                  "Who approved this revision, when, and is it the current one?",
                  _ids(declaring("7.5")), ("register", "reviews"),
                  "every document's page shows its revision history with reviewers and "
                  "approvers (commit trailers); printed copies are uncontrolled"),
        TrailItem("Competence and awareness", ("7.2", "7.3"),
                  "Are people competent, and do they know the current procedures?",
                  _ids(declaring("7.2", "7.3")), ("training",),
                  f"read-and-understood records: `{ledger}`"),
        TrailItem("Clause coverage", (), "Where is each clause of ISO 9001 addressed?",
                  (), ("coverage",)),
    ]


_PAGE_NAMES = {
    "register": "Document register",
    "coverage": "Clause coverage",
    "training": "Read and understood",
    "kpis": "KPI dashboard",
    "reviews": "Review calendar",
    "actions": "Actions",
    "roles": "Roles and responsibilities",
    "strategy-map": "Strategy map",
    "traceability": "Traceability matrix",
}


def auditor_markdown(qms: Qms, today: date | None = None,
                     link: Callable[[str], str] | None = None,
                     pages: Mapping[str, str] | None = None) -> str:
    """The auditor's page: the audit trail mapped to this handbook, as Markdown.

    `link(doc_id)` turns an id into Markdown (default: the bare id, for the site's id
    linker); `pages` maps a page key (see `audit_trail`) or a plain page's root-relative
    path to a Markdown link (default: the page's name, or the path in code style).
    """
    from qmskit.domain.acks import training_matrix
    from qmskit.domain.coverage import compute

    day = qms.evaluation_date(today)
    show: Callable[[str], str] = link if link is not None else (lambda doc_id: doc_id)
    cov = compute(qms)
    owed = training_matrix(qms).owed()
    overdue = sum(1 for o in owed if o.overdue(day))

    def page(key: str) -> str:
        if pages is not None and key in pages:
            return pages[key]
        return escape_md(_PAGE_NAMES[key]) if key in _PAGE_NAMES else f"`{key}`"

    def cell(ids: tuple[str, ...]) -> str:
        unique = list(dict.fromkeys(ids))
        text = ", ".join(show(i) for i in unique[:MAX_IDS])
        if len(unique) > MAX_IDS:
            text += f" and {len(unique) - MAX_IDS} more"
        return text

    out = [
        "# For auditors",
        "",
        f"Where this handbook answers the usual audit trail, as of {day}. Every "
        "controlled document carries its owner, status, version, approval and review "
        "in its metadata panel, and its revision history below it.",
        "",
        f"- **Clause coverage:** {escape_md(cov.summary())}.",
        f"- **Read and understood:** {len(owed)} acknowledgement(s) outstanding, "
        f"{overdue} past the {qms.config.ack_days}-day window.",
        "",
        "| Topic | ISO 9001 | What is asked | Where | Documents |",
        "|---|---|---|---|---|",
    ]
    for item in audit_trail(qms):
        where = ", ".join(page(key) for key in item.pages) or "—"
        if item.note:
            where += f" — {item.note}"  # written here, not taken from documents
        out.append(f"| {escape_md(item.topic)} | {', '.join(item.clauses) or '—'} | "
                   f"{escape_md(item.question)} | {where} | {cell(item.documents) or '—'} |")
    return "\n".join(out) + "\n"
