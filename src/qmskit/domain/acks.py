"""Read and understood: who must acknowledge which version of a procedure, and who has.

A procedure names the roles it applies to (`applies_to: [ROLE-...]`). Each time its
version goes up, every holder of those roles owes an acknowledgement that they have read
the new version (ISO 9001 7.3 awareness, 7.5.3 distribution of changes). The
acknowledgements are a ledger in git, one CSV row per acknowledgement:

    id,version,handle,date
    PROC-PURCH,3,purchasing-lead,2026-04-14

A CSV rather than YAML or front matter: it is appended to by a command, read by people in
a pull request diff one line per event, and merges cleanly when two people acknowledge in
two branches (each adds one line). `qmskit ack` appends under a lock and writes
atomically (`qmskit.edit.append_ack`); rows are never rewritten, so the ledger is also
the history. The ledger lives in a QMS folder, so the check's result cache sees it change.

What is owed is the approved version (`qmskit.domain.versions`): a version pending
approval is owed by nobody yet. The obligation clock starts at that version's approval
(`approved_on`) and runs for `ack_days` (default 30); rule A603 reports
acknowledgements still owed after that.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal

from qmskit.domain.versions import approval
from qmskit.loader import TextFile, read_ledger
from qmskit.model.types import (
    HANDLE_PATTERN,
    Interval,
    Version,
    effective_version,
    handle_key,
    is_doc_id,
    parse_version,
)

if TYPE_CHECKING:
    from qmskit.model.doc import Doc
    from qmskit.qms import Qms

HEADER = ("id", "version", "handle", "date")
_HANDLE = re.compile(HANDLE_PATTERN)

AckStatus = Literal["current", "outdated", "missing"]


@dataclass(frozen=True)
class Ack:
    """One acknowledgement: `handle` read version `version` of `doc_id` on `day`."""

    doc_id: str
    version: Version
    handle: str
    day: date
    line: int
    #: Column of the version field, for findings about it.
    version_col: int = 1


@dataclass(frozen=True)
class LedgerProblem:
    """A row of the ledger that cannot be used, located for rule A604."""

    line: int
    col: int
    message: str
    hint: str = ""


@dataclass
class Ledger:
    """The parsed ledger: acknowledgements and located problems (never raises)."""

    path: str
    exists: bool = False
    acks: list[Ack] = field(default_factory=list)
    problems: list[LedgerProblem] = field(default_factory=list)
    _latest: dict[tuple[str, str], Ack] = field(default_factory=dict, repr=False)

    def latest(self, doc_id: str, handle: str) -> Ack | None:
        """The acknowledgement of the highest version of `doc_id` by `handle`."""
        if not self._latest and self.acks:
            for ack in self.acks:
                key = (ack.doc_id, ack.handle)
                held = self._latest.get(key)
                if held is None or (ack.version, ack.day) > (held.version, held.day):
                    self._latest[key] = ack
        return self._latest.get(key_of(doc_id, handle))

    def has(self, doc_id: str, version: Version | int, handle: str) -> bool:
        """True when `handle` has acknowledged exactly this version."""
        return any(a.doc_id == doc_id and a.version == version and a.handle == handle
                   for a in self.acks)


def key_of(doc_id: str, handle: str) -> tuple[str, str]:
    """The ledger's lookup key; handles are compared without a leading `@`."""
    return doc_id, handle_key(handle)


def parse_ledger(text: str, path: str) -> Ledger:
    """Parse the ledger's text; every unusable row becomes a located problem."""
    ledger = Ledger(path, exists=True)
    lines = text.removeprefix("\ufeff").splitlines()
    if not lines or not lines[0].strip():
        ledger.problems.append(LedgerProblem(1, 1, "the ledger has no header",
                                             f"start it with '{','.join(HEADER)}'"))
        return ledger
    header = [cell.strip() for cell in lines[0].split(",")]
    if tuple(header) != HEADER:
        ledger.problems.append(LedgerProblem(
            1, 1, f"header is {lines[0].strip()!r}, expected {','.join(HEADER)!r}",
            "the columns are fixed: id,version,handle,date"))
        return ledger
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = next(csv.reader(io.StringIO(line)))
        if len(cells) != len(HEADER):
            ledger.problems.append(LedgerProblem(
                number, 1, f"row has {len(cells)} fields, expected {len(HEADER)}",
                "write id,version,handle,date"))
            continue
        doc_id, version_text, handle, day_text = (cell.strip() for cell in cells)
        cols = _columns(line)
        if not is_doc_id(doc_id):
            ledger.problems.append(LedgerProblem(number, cols[0],
                                                 f"{doc_id!r} is not a document id"))
            continue
        try:
            version = parse_version(version_text)
        except ValueError as error:
            ledger.problems.append(LedgerProblem(number, cols[1], str(error)))
            continue
        if not _HANDLE.match(handle):
            ledger.problems.append(LedgerProblem(number, cols[2],
                                                 f"{handle!r} is not a person's handle",
                                                 "use a lower-case handle such as "
                                                 "quality-lead"))
            continue
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            ledger.problems.append(LedgerProblem(number, cols[3],
                                                 f"{day_text!r} is not a date (YYYY-MM-DD)"))
            continue
        ledger.acks.append(Ack(doc_id, version, handle_key(handle), day,
                               number, cols[1]))
    return ledger


def _columns(line: str) -> list[int]:
    """1-based column where each comma-separated field starts (for plain rows)."""
    cols = [1]
    for index, char in enumerate(line):
        if char == ",":
            cols.append(index + 2)
    return cols + [1] * (len(HEADER) - len(cols))


def ledger_for(qms: Qms) -> Ledger:
    """The ledger of a loaded QMS, read on first use and memoised on it (commands that
    never look at acknowledgements never pay for it).

    The loader reads it (`qmskit.loader.read_ledger`: only a regular file inside the
    repository); a file it refuses is one located problem, never its content.
    """
    return qms.derive("ledger", lambda: _ledger_of(
        read_ledger(qms.root, qms.config.ledger_path, qms.config.max_data_size)))


def _ledger_of(file: TextFile) -> Ledger:
    if not file.exists:
        return Ledger(file.relative)
    if file.problem:
        return Ledger(file.relative, True,
                      problems=[LedgerProblem(1, 1, file.problem, file.hint)])
    return parse_ledger(file.text, file.relative)


# --- obligations ------------------------------------------------------------------------

@dataclass(frozen=True)
class Obligation:
    """One person's duty to acknowledge the current version of one document."""

    doc_id: str
    version: Version
    handle: str
    #: The roles (of the document's `applies_to`) through which the person owes it.
    roles: tuple[str, ...]
    status: AckStatus
    acknowledged: Ack | None
    approved_on: date | None
    due: date | None

    def overdue(self, today: date) -> bool:
        """Still owed after the acknowledgement window closed."""
        return self.status != "current" and self.due is not None and today > self.due


def version_of(doc: Doc) -> Version:
    """The document's version; an unnumbered document is version 1 (0 stays 0)."""
    return effective_version(doc.model.version)


def readers(qms: Qms, doc: Doc) -> dict[str, list[str]]:
    """Handle -> roles of `doc.applies_to` that the person holds (in applies_to order)."""
    found: dict[str, list[str]] = {}
    for role_id in getattr(doc.model, "applies_to", []):
        role = qms.documents.get(role_id)
        if role is None or role.kind != "role":
            continue
        for handle in getattr(role.model, "holders", []):
            found.setdefault(handle_key(handle), []).append(role_id)
    return found


def must_acknowledge(doc: Doc) -> bool:
    """True for an approved document that applies to roles: readers owe acknowledgements."""
    return doc.status == "approved" and bool(getattr(doc.model, "applies_to", []))


def obligations(qms: Qms, ledger: Ledger | None = None) -> list[Obligation]:
    """Every (document, person) obligation of the QMS, in document then handle order."""
    ledger = ledger if ledger is not None else ledger_for(qms)
    window = Interval(qms.config.ack_days, "day")
    found: list[Obligation] = []
    for doc in sorted(qms.documents.values(), key=lambda d: d.id):
        if not must_acknowledge(doc):
            continue
        # Owed: the approved version, from its own approval; a version pending approval
        # is owed by nobody yet (`qmskit.domain.versions`).
        record = approval(doc.model)
        if record.version is None:
            continue
        version, approved_on = record.version, record.on
        due = window.after(approved_on) if approved_on is not None else None
        for handle, roles in sorted(readers(qms, doc).items()):
            ack = ledger.latest(doc.id, handle)
            status: AckStatus = ("missing" if ack is None
                                 else "current" if ack.version >= version else "outdated")
            found.append(Obligation(doc.id, version, handle, tuple(roles), status, ack,
                                    approved_on, due))
    return found


@dataclass
class TrainingMatrix:
    """People x documents: the state of each obligation (absent = not required)."""

    people: list[str]
    documents: list[str]
    cells: dict[tuple[str, str], Obligation]

    def owed(self) -> list[Obligation]:
        """Obligations not yet met, oldest due date first."""
        return sorted((o for o in self.cells.values() if o.status != "current"),
                      key=lambda o: (o.due or date.max, o.doc_id, o.handle))


def training_matrix(qms: Qms) -> TrainingMatrix:
    """Who must have read what, and whether they have read the current version."""
    cells = {(o.handle, o.doc_id): o for o in obligations(qms)}
    people = sorted({handle for handle, _ in cells})
    documents = sorted({doc_id for _, doc_id in cells})
    return TrainingMatrix(people, documents, cells)
