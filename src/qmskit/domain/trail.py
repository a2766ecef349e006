"""The audit trail: what an auditor asks for, topic by topic, and where the QMS answers it.

Plain data (documents and page keys per topic); `qmskit.reports.auditors` renders it as
the handbook's "For auditors" page.
"""

from __future__ import annotations

from dataclasses import dataclass

from qmskit.domain.coverage import coverage_of
from qmskit.model.doc import Doc
from qmskit.qms import Qms


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
    cov = coverage_of(qms)

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
