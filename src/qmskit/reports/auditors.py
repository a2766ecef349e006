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

from collections.abc import Callable, Mapping
from datetime import date

from qmskit.domain.acks import training_matrix
from qmskit.domain.coverage import coverage_of
from qmskit.domain.trail import audit_trail
from qmskit.qms import Qms
from qmskit.reports.escape import md_inline

#: At most this many ids per cell; the rest are counted (a 10,000-document QMS must not
#: produce a megabyte-long table cell).
MAX_IDS = 25


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
    day = qms.evaluation_date(today)
    show: Callable[[str], str] = link if link is not None else (lambda doc_id: doc_id)
    cov = coverage_of(qms)
    owed = training_matrix(qms).owed()
    overdue = sum(1 for o in owed if o.overdue(day))

    def page(key: str) -> str:
        if pages is not None and key in pages:
            return pages[key]
        return md_inline(_PAGE_NAMES[key]) if key in _PAGE_NAMES else f"`{key}`"

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
        *(f"- **Clause coverage:** {md_inline(summary)}." for summary in cov.summaries()),
        f"- **Read and understood:** {len(owed)} acknowledgement(s) outstanding, "
        f"{overdue} past the {qms.config.ack_days}-day window.",
        "",
        f"| Topic | {md_inline(cov.default.short)} | What is asked | Where | Documents |",
        "|---|---|---|---|---|",
    ]
    for item in audit_trail(qms):
        where = ", ".join(page(key) for key in item.pages) or "—"
        if item.note:
            where += f" — {item.note}"  # written here, not taken from documents
        out.append(f"| {md_inline(item.topic)} | {', '.join(item.clauses) or '—'} | "
                   f"{md_inline(item.question)} | {where} | {cell(item.documents) or '—'} |")
    return "\n".join(out) + "\n"
