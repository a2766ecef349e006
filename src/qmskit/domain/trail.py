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


#: Where each topic of the audit trail sits in the standards qmskit knows, by short
#: name. The auditor page shows the default standard's numbers; documents declaring
#: any of them, in any configured standard, are listed.
TOPIC_CLAUSES: dict[str, dict[str, tuple[str, ...]]] = {
    "policy": {"ISO 9001": ("5.2",), "ISO 13485": ("5.3",), "ISO 27001": ("5.2",)},
    "context": {"ISO 9001": ("4.1", "4.2"), "ISO 27001": ("4.1", "4.2")},
    "scope": {"ISO 9001": ("4.3",), "ISO 13485": ("4.2.2",), "ISO 27001": ("4.3",)},
    "strategy": {"ISO 9001": ("5.1", "6.2"), "ISO 13485": ("5.1", "5.4.1")},
    "objectives": {"ISO 9001": ("6.2",), "ISO 13485": ("5.4.1",), "ISO 27001": ("6.2",)},
    "processes": {"ISO 9001": ("4.4", "8"), "ISO 13485": ("4.1", "7")},
    "kpis": {"ISO 9001": ("9.1",), "ISO 13485": ("8.2.5", "8.4"), "ISO 27001": ("9.1",)},
    "risks": {"ISO 9001": ("6.1",), "ISO 13485": ("4.1.2", "7.1"), "ISO 27001": ("6.1",)},
    "audits": {"ISO 9001": ("9.2",), "ISO 13485": ("8.2.4",), "ISO 27001": ("9.2",)},
    "reviews": {"ISO 9001": ("9.3",), "ISO 13485": ("5.6",), "ISO 27001": ("9.3",)},
    "corrective": {"ISO 9001": ("10.2",), "ISO 13485": ("8.3", "8.5.2"),
                   "ISO 27001": ("10.2",)},
    "improvement": {"ISO 9001": ("10.3",), "ISO 13485": ("8.5.1",), "ISO 27001": ("10.1",)},
    "roles": {"ISO 9001": ("5.3",), "ISO 13485": ("5.5.1",), "ISO 27001": ("5.3",)},
    "documents": {"ISO 9001": ("7.5",), "ISO 13485": ("4.2.4", "4.2.5"),
                  "ISO 27001": ("7.5",)},
    "competence": {"ISO 9001": ("7.2", "7.3"), "ISO 13485": ("6.2",),
                   "ISO 27001": ("7.2", "7.3")},
}
#: The clause listing a management review's inputs, by standard.
_REVIEW_INPUTS_CLAUSE = {"ISO 9001": "9.3.2", "ISO 13485": "5.6.2", "ISO 27001": "9.3.2"}


def _ids(docs: list[Doc]) -> tuple[str, ...]:
    return tuple(d.id for d in sorted(docs, key=lambda d: d.id) if d.status != "retired")


def audit_trail(qms: Qms) -> list[TrailItem]:
    """The audit trail of `qms`: each topic with the documents and pages that answer it.

    `pages` are keys the site maps to its generated pages (`register`, `coverage`,
    `training`, `kpis`, `reviews`, `actions`, `roles`, `strategy-map`, `traceability`)
    or root-relative paths of plain pages (`qms_docs/scope.md`). `clauses` are the
    default standard's numbers for the topic (none when it has no such clause).
    """
    cov = coverage_of(qms)
    default = cov.default.short

    def numbers(topic: str) -> tuple[str, ...]:
        return TOPIC_CLAUSES[topic].get(default, ())

    def declaring(topic: str) -> list[Doc]:
        found: set[str] = set()
        for matrix in cov.matrices:
            for number in TOPIC_CLAUSES[topic].get(matrix.short, ()):
                if matrix.catalogue.is_known(number):
                    found.update(matrix.row(number).evidence)
        return [qms.documents[i] for i in found]

    def plain(*names: str) -> tuple[str, ...]:
        wanted = set(names)
        return tuple(p for p in sorted(qms.pages) if p.rsplit("/", 1)[-1] in wanted)

    kinds = qms.of_kind
    ledger = qms.config.ledger_path
    inputs_clause = _REVIEW_INPUTS_CLAUSE.get(default, "9.3.2")
    standards = " and ".join(m.short for m in cov.matrices)
    return [
        TrailItem("Quality policy", numbers("policy"),
                  "Is there a policy, and is it communicated?",
                  _ids(declaring("policy")), plain("quality-policy.md", "policy.md")),
        TrailItem("Context and interested parties", numbers("context"),
                  "What issues and requirements does the QMS answer to?",
                  _ids(declaring("context")), plain("context.md")),
        TrailItem("Scope and exclusions", numbers("scope"),
                  "What does the QMS cover, and why is anything excluded?",
                  _ids(declaring("scope")), (*plain("scope.md"), "coverage")),
        TrailItem("Strategy", numbers("strategy"),
                  "What does top management want to achieve?",
                  _ids(kinds("strategy")), ("strategy-map",)),
        TrailItem("Quality objectives", numbers("objectives"),
                  "Are objectives measurable, planned and linked to strategy?",
                  _ids(kinds("objective")), ("strategy-map", "traceability")),
        TrailItem("Processes and procedures", numbers("processes"),
                  "Which processes, who owns them, how do they interact?",
                  _ids(kinds("process", "procedure")), ("traceability",)),
        TrailItem("KPIs and monitoring", numbers("kpis"),
                  "What is measured, against which target, and what is the trend?",
                  _ids(kinds("kpi")), ("kpis",)),
        TrailItem("Risks and opportunities", numbers("risks"),
                  "Which risks were determined, and how are they treated?",
                  _ids(kinds("risk")), ()),
        TrailItem("Internal audits", numbers("audits"),
                  "Is there a programme, and is it carried out?",
                  _ids(kinds("audit")) + _ids(declaring("audits")), ()),
        TrailItem("Management reviews", numbers("reviews"),
                  f"Did top management review every {inputs_clause} input, and decide?",
                  _ids(kinds("review")), ()),
        TrailItem("Nonconformities and corrective actions", numbers("corrective"),
                  "Are causes found, actions taken and their effectiveness checked?",
                  _ids(kinds("nonconformity")) + _ids(kinds("action")), ("actions",)),
        TrailItem("Continual improvement", numbers("improvement"),
                  "What was improved, and how?",
                  _ids(declaring("improvement")), ("actions",)),
        TrailItem("Roles and responsibilities", numbers("roles"),
                  "Who owns and holds what?", _ids(kinds("role")), ("roles",)),
        TrailItem("Document control", numbers("documents"),
                  "Who approved this revision, when, and is it the current one?",
                  _ids(declaring("documents")), ("register", "reviews"),
                  "every document's page shows its revision history with reviewers and "
                  "approvers (commit trailers); printed copies are uncontrolled"),
        TrailItem("Competence and awareness", numbers("competence"),
                  "Are people competent, and do they know the current procedures?",
                  _ids(declaring("competence")), ("training",),
                  f"read-and-understood records: `{ledger}`"),
        TrailItem("Clause coverage", (), f"Where is each clause of {standards} addressed?",
                  (), ("coverage",)),
    ]
