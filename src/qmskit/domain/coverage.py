"""Clause coverage: which documents address each clause of each standard, what is missing.

An auditor walks the standard clause by clause and asks "where is this addressed?".
Documents answer with `clauses:` (`["8.4", "8.4.2"]`, `["ISO 13485:7.3.2"]`, or a
mapping per standard); the config's `[coverage]` table names the standards and
excludes what cannot apply, with a justification (ISO 9001 4.3). Each configured
standard gets its own matrix, the default standard's first.

A *requirement* clause (see `Catalogue.level`: the two-level clauses 4.1 ... 10.3 of
ISO 9001, the three-level ones of ISO 13485) in scope counts as covered when an
*approved* document declares it or one of its sub-clauses: a draft is not yet in force
and a retired document no longer is, so neither is evidence. Declaring a heading below
the main clauses (ISO 13485 `5.6`, ISO 27001 `A.5`) addresses every requirement under
it; declaring a main clause (`8`) addresses none, it is a chapter title. Deeper clauses
(`8.4.2`) are shown for navigation. The rule (A601) is about the requirements, the level
at which certification bodies plan and report audits.

One function computes the matrices; the rules, `qmskit coverage`, the handbook pages,
the PDF cover and the auditor page all read it, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from qmskit.model.clauses import (
    BUILTIN_FILES,
    Catalogue,
    Clause,
    Standard,
    Standards,
    builtin,
    builtin_named,
    clause_refs,
)

if TYPE_CHECKING:

    from qmskit.model.doc import Doc
    from qmskit.qms import Qms

#: covered: an approved document addresses it; excluded: out of scope with a
#: justification; uncovered: in scope, no approved document; addressed-above: a deeper
#: clause not declared itself whose requirement is covered; heading: a clause that
#: groups requirements.
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
    """One clause of a matrix."""

    clause: Clause
    status: RowStatus
    #: Documents declaring exactly this clause (any status), in id order.
    documents: tuple[DocRef, ...] = ()
    #: Approved documents that make it covered: declaring it, one of its sub-clauses, or
    #: a heading above it (below the main clause).
    evidence: tuple[str, ...] = ()
    #: For an excluded clause: the justification, and the exclusion it falls under.
    justification: str | None = None
    excluded_by: str | None = None
    #: What the clause is for coverage: "heading", "requirement" or "detail".
    level: str = "requirement"


@dataclass(frozen=True)
class UnknownClause:
    """A declared clause that no configured standard has (rule A602)."""

    doc: Doc
    #: Where it is written in the front matter (for `Doc.pos`).
    path: tuple[str | int, ...]
    number: str
    #: The standard as written before the number (None: a bare number).
    written: str | None
    #: The configured standard it was looked up in; None when `written` names none.
    standard: str | None
    #: Short names of configured standards that do have this number.
    configured_in: tuple[str, ...] = ()
    #: Names of built-in standards, not configured, that have it.
    builtin_in: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The clause as written: `7.3.2`, `ISO 13485:7.3.2`."""
        return f"{self.written}:{self.number}" if self.written else self.number


@dataclass
class Matrix:
    """The clause matrix of one standard."""

    standard: str
    short: str
    configured: bool
    catalogue: Catalogue
    rows: list[Row] = field(default_factory=list)

    def row(self, number: str) -> Row:
        """The row of a clause, by number."""
        for row in self.rows:
            if row.clause.number == number:
                return row
        raise KeyError(number)

    def in_scope(self) -> list[Row]:
        """Requirement clauses that are not excluded."""
        return [r for r in self.rows if r.level == "requirement" and r.status != "excluded"]

    def uncovered(self) -> list[Row]:
        """Requirement clauses in scope that no approved document addresses."""
        return [r for r in self.rows if r.level == "requirement" and r.status == "uncovered"]

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


@dataclass
class Coverage:
    """The clause matrices of a QMS, one per configured standard (the default first)."""

    configured: bool
    matrices: list[Matrix] = field(default_factory=list)
    unknown: list[UnknownClause] = field(default_factory=list)

    @property
    def default(self) -> Matrix:
        """The default standard's matrix (bare clause numbers are its)."""
        return self.matrices[0]

    @property
    def standard(self) -> str:
        """The default standard's name."""
        return self.default.standard

    def matrix(self, name: str) -> Matrix:
        """The matrix of a configured standard, by full or short name."""
        for matrix in self.matrices:
            if name in (matrix.standard, matrix.short):
                return matrix
        raise KeyError(name)

    def uncovered(self) -> list[tuple[Matrix, Row]]:
        """Requirement clauses in scope, of every standard, that nothing addresses."""
        return [(m, r) for m in self.matrices for r in m.uncovered()]

    def summary(self) -> str:
        """One line per standard, joined: how much of each is covered."""
        return "; ".join(m.summary() for m in self.matrices)

    def summaries(self) -> list[str]:
        """One line per standard."""
        return [m.summary() for m in self.matrices]


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


def _ancestors(number: str) -> list[str]:
    """`8.4.2` -> [`8.4`, `8`]."""
    found = []
    head = number.rpartition(".")[0]
    while head:
        found.append(head)
        head = head.rpartition(".")[0]
    return found


def _matrix(standard: Standard, configured: bool, declaring: dict[str, dict[str, Doc]]
            ) -> Matrix:
    catalogue = standard.catalogue
    exclusions = dict(standard.exclusions)
    result = Matrix(standard.name, standard.short, configured, catalogue)
    approved_declaring = {number: {i for i, d in docs.items() if d.status == "approved"}
                          for number, docs in declaring.items()}
    # An approved declaration of 8.4.2 is evidence for 8.4.2, 8.4 and 8.
    upward: dict[str, set[str]] = {}
    for number, ids in approved_declaring.items():
        for head in (number, *_ancestors(number)):
            upward.setdefault(head, set()).update(ids)
    evidence_of: dict[str, set[str]] = {}
    for clause in catalogue.clauses:
        number = clause.number
        level = catalogue.level(clause)
        docs = tuple(_ref(d) for _, d in sorted(declaring.get(number, {}).items()))
        evidence = set(upward.get(number, set()))
        if level == "requirement":
            # A heading below the main clauses (13485's 5.6) addresses what it groups.
            for head in _ancestors(number):
                if "." in head and catalogue.level(catalogue.by_number[head]) == "heading":
                    evidence |= approved_declaring.get(head, set())
        evidence_of[number] = evidence
        excluded_by = _exclusion(number, exclusions)
        if excluded_by is not None:
            result.rows.append(Row(clause, "excluded", docs, tuple(sorted(evidence)),
                                   exclusions[excluded_by], excluded_by, level))
            continue
        status: RowStatus
        if level == "heading":
            status = "heading"
        elif evidence:
            status = "covered"
        elif level == "detail" and any(
                evidence_of.get(head) and catalogue.level(catalogue.by_number[head]) != "heading"
                for head in _ancestors(number)):
            status = "addressed-above"
        else:
            status = "uncovered"
        result.rows.append(Row(clause, status, docs, tuple(sorted(evidence)), None, None,
                               level))
    return result


def _elsewhere(standards: Standards, number: str, skip: Standard | None
               ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(configured short names, unconfigured built-in names) that have clause `number`."""
    configured = tuple(s.short for s in standards.members
                       if s is not skip and s.catalogue.is_known(number))
    names = {s.name for s in standards.members}
    built = []
    for name in BUILTIN_FILES:
        catalogue = builtin(name)
        if name not in names and catalogue is not None and catalogue.is_known(number):
            built.append(name)
    return configured, tuple(built)


def compute(qms: Qms) -> Coverage:
    """The clause matrices of `qms` (documents in id order, clauses in standard order)."""
    standards = qms.config.standards
    declaring: dict[str, dict[str, dict[str, Doc]]] = {s.name: {} for s in standards.members}
    unknown: list[UnknownClause] = []
    for doc in sorted(qms.documents.values(), key=lambda d: d.id):
        for ref in clause_refs(doc.model.clauses):
            standard = (standards.default if ref.standard is None
                        else standards.find(ref.standard))
            if standard is not None and standard.catalogue.is_known(ref.number):
                declaring[standard.name].setdefault(ref.number, {})[doc.id] = doc
                continue
            configured, built = _elsewhere(standards, ref.number, standard)
            if standard is None and ref.standard is not None:
                named = builtin_named(ref.standard)
                built = (named.name,) if named is not None else ()
            unknown.append(UnknownClause(doc, ref.path, ref.number, ref.standard,
                                         standard.name if standard else None,
                                         configured, built))
    result = Coverage(standards.configured, unknown=unknown)
    for standard in standards.members:
        result.matrices.append(_matrix(standard, standards.configured,
                                       declaring[standard.name]))
    return result


def coverage_of(qms: Qms) -> Coverage:
    """The clause matrices of `qms`, computed once per load (rules, reports and pages
    share them)."""
    return qms.derive("coverage", lambda: compute(qms))


def clauses_by_standard(qms: Qms, doc: Doc) -> list[tuple[str, list[str]]]:
    """What a document's `clauses:` names, per standard: (short name, numbers), the
    configured standards first in their order, then any other name as written."""
    standards = qms.config.standards
    grouped: dict[str, list[str]] = {s.short: [] for s in standards.members}
    for ref in clause_refs(doc.model.clauses):
        standard = standards.default if ref.standard is None else standards.find(ref.standard)
        label = standard.short if standard is not None else str(ref.standard)
        numbers = grouped.setdefault(label, [])
        if ref.number not in numbers:
            numbers.append(ref.number)
    return [(label, numbers) for label, numbers in grouped.items() if numbers]
