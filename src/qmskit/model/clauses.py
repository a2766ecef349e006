"""The clauses of ISO 9001:2015, numbers and short titles, as data.

Clause coverage (rules A601/A602, `qmskit coverage`, the handbook's coverage page) walks
this list. Only the structure is shipped: numbers and the short headings an auditor uses
to navigate, never the requirements' text. Numbered paragraphs that have no heading in
the standard (6.1.1, 8.7.2, ...) get a short description in brackets, so a matrix row
still says what it is about.

Clauses 1-3 (scope, normative references, terms) hold no requirements and are left out;
a QMS addresses clauses 4 to 10.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

STANDARD = "ISO 9001:2015"

_CLAUSES: tuple[tuple[str, str], ...] = (
    ("4", "Context of the organization"),
    ("4.1", "Understanding the organization and its context"),
    ("4.2", "Understanding the needs and expectations of interested parties"),
    ("4.3", "Determining the scope of the quality management system"),
    ("4.4", "Quality management system and its processes"),
    ("4.4.1", "[establishing, implementing and improving the processes]"),
    ("4.4.2", "[documented information to support and retain]"),
    ("5", "Leadership"),
    ("5.1", "Leadership and commitment"),
    ("5.1.1", "General"),
    ("5.1.2", "Customer focus"),
    ("5.2", "Policy"),
    ("5.2.1", "Establishing the quality policy"),
    ("5.2.2", "Communicating the quality policy"),
    ("5.3", "Organizational roles, responsibilities and authorities"),
    ("6", "Planning"),
    ("6.1", "Actions to address risks and opportunities"),
    ("6.1.1", "[determining risks and opportunities]"),
    ("6.1.2", "[planning actions to address them]"),
    ("6.2", "Quality objectives and planning to achieve them"),
    ("6.2.1", "[establishing quality objectives]"),
    ("6.2.2", "[planning how to achieve them]"),
    ("6.3", "Planning of changes"),
    ("7", "Support"),
    ("7.1", "Resources"),
    ("7.1.1", "General"),
    ("7.1.2", "People"),
    ("7.1.3", "Infrastructure"),
    ("7.1.4", "Environment for the operation of processes"),
    ("7.1.5", "Monitoring and measuring resources"),
    ("7.1.5.1", "General"),
    ("7.1.5.2", "Measurement traceability"),
    ("7.1.6", "Organizational knowledge"),
    ("7.2", "Competence"),
    ("7.3", "Awareness"),
    ("7.4", "Communication"),
    ("7.5", "Documented information"),
    ("7.5.1", "General"),
    ("7.5.2", "Creating and updating"),
    ("7.5.3", "Control of documented information"),
    ("7.5.3.1", "[availability and protection]"),
    ("7.5.3.2", "[distribution, storage, change control, retention]"),
    ("8", "Operation"),
    ("8.1", "Operational planning and control"),
    ("8.2", "Requirements for products and services"),
    ("8.2.1", "Customer communication"),
    ("8.2.2", "Determining the requirements for products and services"),
    ("8.2.3", "Review of the requirements for products and services"),
    ("8.2.3.1", "[review before committing to supply]"),
    ("8.2.3.2", "[retaining the results of the review]"),
    ("8.2.4", "Changes to requirements for products and services"),
    ("8.3", "Design and development of products and services"),
    ("8.3.1", "General"),
    ("8.3.2", "Design and development planning"),
    ("8.3.3", "Design and development inputs"),
    ("8.3.4", "Design and development controls"),
    ("8.3.5", "Design and development outputs"),
    ("8.3.6", "Design and development changes"),
    ("8.4", "Control of externally provided processes, products and services"),
    ("8.4.1", "General"),
    ("8.4.2", "Type and extent of control"),
    ("8.4.3", "Information for external providers"),
    ("8.5", "Production and service provision"),
    ("8.5.1", "Control of production and service provision"),
    ("8.5.2", "Identification and traceability"),
    ("8.5.3", "Property belonging to customers or external providers"),
    ("8.5.4", "Preservation"),
    ("8.5.5", "Post-delivery activities"),
    ("8.5.6", "Control of changes"),
    ("8.6", "Release of products and services"),
    ("8.7", "Control of nonconforming outputs"),
    ("8.7.1", "[identifying and controlling nonconforming outputs]"),
    ("8.7.2", "[retaining documented information on them]"),
    ("9", "Performance evaluation"),
    ("9.1", "Monitoring, measurement, analysis and evaluation"),
    ("9.1.1", "General"),
    ("9.1.2", "Customer satisfaction"),
    ("9.1.3", "Analysis and evaluation"),
    ("9.2", "Internal audit"),
    ("9.2.1", "[audits at planned intervals]"),
    ("9.2.2", "[audit programme, criteria, reporting]"),
    ("9.3", "Management review"),
    ("9.3.1", "General"),
    ("9.3.2", "Management review inputs"),
    ("9.3.3", "Management review outputs"),
    ("10", "Improvement"),
    ("10.1", "General"),
    ("10.2", "Nonconformity and corrective action"),
    ("10.2.1", "[reacting, evaluating and taking action]"),
    ("10.2.2", "[retaining documented information]"),
    ("10.3", "Continual improvement"),
)


@dataclass(frozen=True)
class Clause:
    """One clause: its number (`8.4.2`) and short title."""

    number: str
    title: str

    @property
    def depth(self) -> int:
        """1 for a main clause (8), 2 for 8.4, 3 for 8.4.2, 4 for 7.1.5.1."""
        return self.number.count(".") + 1

    @property
    def parent(self) -> str | None:
        """The number of the enclosing clause, None for a main clause."""
        return self.number.rpartition(".")[0] or None

    def is_within(self, other: str) -> bool:
        """True when this clause is `other` or one of its sub-clauses."""
        return self.number == other or self.number.startswith(other + ".")


@cache
def clauses() -> tuple[Clause, ...]:
    """Every clause of the standard in document order."""
    return tuple(Clause(number, title) for number, title in _CLAUSES)


@cache
def by_number() -> dict[str, Clause]:
    """Clauses by number, for validating what documents and the config declare."""
    return {clause.number: clause for clause in clauses()}


def requirement_clauses() -> list[Clause]:
    """The two-level clauses (4.1 ... 10.3) that a QMS in scope must address."""
    return [clause for clause in clauses() if clause.depth == 2]


def is_known(number: str) -> bool:
    """True when `number` is a clause of the standard."""
    return number in by_number()


def suggest(number: str) -> str | None:
    """The nearest existing clause for a mistyped number: its parent, else a close match."""
    known = by_number()
    head = number
    while "." in head:
        head = head.rpartition(".")[0]
        if head in known:
            return head
    import difflib

    close = difflib.get_close_matches(number, list(known), 1)
    return close[0] if close else None
