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

if TYPE_CHECKING:

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


def coverage_of(qms: Qms) -> Coverage:
    """The clause matrix of `qms`, computed once per load (rules, reports and pages share it)."""
    return qms.derive("coverage", lambda: compute(qms))


def _parent_covered(clause: Clause, approved: dict[str, set[str]]) -> bool:
    head = clause.parent
    while head and "." in head:
        if approved.get(head):
            return True
        head = head.rpartition(".")[0]
    return False
