"""Approval evidence: who reviewed and approved each revision, and in what role.

Front matter says who approved the *current* version (`approved_by` is a role). An
auditor also asks who signed each earlier revision, as a person, and what the signature
meant. qmskit keeps that evidence where git keeps evidence anyway, in the commit that
made the change, as trailers (the convention of `Signed-off-by:`):

    Approve PROC-PURCH (version 4)

    Reviewed-by: ROLE-QM (quality-lead)
    Approved-by: ROLE-MD (managing-director)

`qmskit review ID --by ROLE --commit` writes such a commit; without `--commit` it prints
the trailers to paste into your own commit message. The meaning of each signature is the
trailer's key: `Reviewed-by` = reviewed (the content is suitable), `Approved-by` =
approved (authorised for use), `Released-by` = released (made effective, e.g. after
training; regulated teams record it separately, 21 CFR Part 11 style), `Acknowledged-by`
= read and understood. The role is what the person signed as. The date a version takes
effect may also be written in the front matter as `effective: DATE`. Whether git can
verify the commit's own cryptographic signature (`git log %G?`) is reported next to it,
so a signed workflow shows as verified.

`revision_history` is a view of the QMS's one git history (`Qms.history`: one `git log`
for the whole repository, shared with every other reader) plus one `git cat-file
--batch` for the versions, never one git call per file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal

from qmskit.git.history import Commit, History

# Commits are written by the git layer; the commands that record signatures import the
# writer from here, next to the trailers they write.
from qmskit.git.repo import commit_paths as commit_paths
from qmskit.git.repo import require_work_tree as require_work_tree
from qmskit.model.types import Version, parse_version

if TYPE_CHECKING:
    from qmskit.model.doc import Doc
    from qmskit.qms import Qms

Meaning = Literal["reviewed", "approved", "released", "acknowledged"]

#: Trailer key -> the meaning of the signature it records.
TRAILERS: dict[str, Meaning] = {
    "Reviewed-by": "reviewed",
    "Approved-by": "approved",
    "Released-by": "released",
    "Acknowledged-by": "acknowledged",
}

#: git's `%G?` codes, in words.
SIGNATURE_STATES: dict[str, str] = {
    "G": "good signature",
    "U": "good signature, signer not trusted",
    "X": "good signature, expired",
    "Y": "good signature, expired key",
    "R": "good signature, revoked key",
    "B": "bad signature",
    "E": "signature cannot be checked",
    "N": "not signed",
}

_VALUE = re.compile(r"^\s*(?P<role>[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)\s*\((?P<who>[^()]+)\)\s*$")
_VERSION = re.compile(r"^version:[ \t]*(['\"]?)([^'\"#\r\n]+?)\1[ \t]*(?:#.*)?\r?$",
                      re.MULTILINE)


def trailer(meaning: Meaning, role: str | None, handle: str) -> str:
    """One trailer line, e.g. `Approved-by: ROLE-MD (managing-director)`."""
    key = next(k for k, v in TRAILERS.items() if v == meaning)
    return f"{key}: {role} ({handle})" if role else f"{key}: {handle}"


@dataclass(frozen=True)
class Signature:
    """A signature recorded in a commit trailer: meaning, role and person."""

    meaning: Meaning
    role: str | None
    who: str

    def __str__(self) -> str:
        return f"{self.meaning} by {self.who}" + (f" as {self.role}" if self.role else "")


def parse_signature(key: str, value: str) -> Signature | None:
    """A signature from a trailer key and value; None for other trailers."""
    meaning = next((m for k, m in TRAILERS.items() if k.lower() == key.strip().lower()), None)
    if meaning is None or not value.strip():
        return None
    match = _VALUE.match(value)
    if match:
        return Signature(meaning, match["role"], match["who"].strip())
    return Signature(meaning, None, value.strip())


@dataclass(frozen=True)
class Revision:
    """One commit that changed a document, with its approval evidence: a view of the one
    commit record (`qmskit.git.history.Commit`) for one document."""

    commit: str
    day: date
    author: str
    subject: str
    #: The document's `version` as of this commit (None when it had none or is unreadable).
    version: Version | None
    signatures: tuple[Signature, ...]
    #: git's `%G?` code for the commit's own signature (N: not signed).
    signature_check: str = "N"

    @property
    def verified(self) -> bool:
        """True when git verifies the commit's signature with a trusted key (`%G?` = G)."""
        return self.signature_check == "G"

    @property
    def signature_state(self) -> str:
        """The commit signature's state in words."""
        return SIGNATURE_STATES.get(self.signature_check, "unknown")

    def signed(self, meaning: Meaning) -> list[Signature]:
        """The signatures of one meaning (e.g. every approver)."""
        return [s for s in self.signatures if s.meaning == meaning]


@dataclass
class Histories:
    """Revisions per document path (root-relative), newest first."""

    available: bool
    reason: str = ""
    by_path: dict[str, list[Revision]] = field(default_factory=dict)


def signatures_of(commit: Commit) -> tuple[Signature, ...]:
    """The signatures recorded in a commit's trailers."""
    found = (parse_signature(key, value) for key, value in commit.trailers)
    return tuple(s for s in found if s is not None)


def version_in(blob: bytes | None) -> Version | None:
    """The front matter `version` of a stored file, read from its `version:` line (fast:
    every revision of every document is read for the handbook)."""
    if blob is None:
        return None
    front = blob.decode("utf-8", "replace").split("\n---", 1)[0]
    match = _VERSION.search(front)
    if match is None:
        return None
    try:
        return parse_version(match.group(2).strip())
    except ValueError:  # not a version qmskit reads: shown as unknown, never guessed
        return None


def revisions(history: History, paths: Sequence[str],
              blobs: Callable[[Sequence[str]], Sequence[bytes | None]]) -> Histories:
    """The revisions of the documents at `paths`, from the one history; the version at
    each revision comes from the file as that commit left it (`blobs` reads them all in
    one `git cat-file --batch`)."""
    if not history.available:
        return Histories(False, history.reason)
    wanted = [(path, [(c, history.blobs(c, path)[1]) for c in history.of(path)])
              for path in paths]
    ids = sorted({blob for _, found in wanted for _, blob in found if blob})
    versions = dict(zip(ids, (version_in(blob) for blob in blobs(ids)), strict=True))
    found_revisions = Histories(True)
    for path, found in wanted:
        if found:
            found_revisions.by_path[path] = [
                Revision(c.sha, c.day, c.author, c.subject,
                         versions.get(blob) if blob else None, signatures_of(c),
                         c.signature or "N")
                for c, blob in found]
    return found_revisions


def histories_for(qms: Qms) -> Histories:
    """The revision histories of a loaded QMS: read once per `Qms` (one `git log` for the
    whole history, shared with every other reader of it, and one `git cat-file
    --batch` for the versions)."""
    def compute() -> Histories:
        history = qms.history(signatures=True)
        if qms.git is None or not history.available:
            return revisions(history, [], lambda ids: [])
        return revisions(history, [d.path for d in qms.documents.values()], qms.git.blobs)

    return qms.derive("approvals.histories", compute)


def revision_history(qms: Qms, doc: Doc) -> list[Revision]:
    """The revisions of `doc`, newest first: version, date, author, signatures, check.

    The first call reads the history of the whole QMS; later calls for other documents
    reuse it. Empty outside git.
    """
    return histories_for(qms).by_path.get(doc.path, [])


# --- retired documents ------------------------------------------------------------------

@dataclass(frozen=True)
class Lifecycle:
    """What a page shows about a document's place in its line of versions."""

    obsolete: bool
    superseded_by: str | None
    superseded_by_title: str | None
    #: Documents that this one replaced (theirs `superseded_by` names it).
    replaces: tuple[str, ...]

    def banner(self, link: Callable[[str], str] | None = None) -> str | None:
        """A one-line Markdown notice for an obsolete document, None when current."""
        if not self.obsolete:
            return None
        if self.superseded_by:
            target = link(self.superseded_by) if link else self.superseded_by
            return (f"**OBSOLETE** — retired and superseded by {target}; kept for "
                    "reference only, do not work to it.")
        return "**OBSOLETE** — retired; kept for reference only, do not work to it."


def _superseded(qms: Qms) -> dict[str, tuple[str, ...]]:
    """For each id, the ids of the documents it supersedes: one pass per loaded QMS (the
    handbook asks for every document's lifecycle; a scan per document was quadratic)."""
    def compute() -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = {}
        for d in qms.documents.values():
            if d.model.superseded_by:
                found.setdefault(d.model.superseded_by, []).append(d.id)
        return {key: tuple(sorted(ids)) for key, ids in found.items()}

    return qms.derive("approvals.superseded", compute)


def lifecycle(qms: Qms, doc: Doc) -> Lifecycle:
    """Obsolete mark and supersession links of `doc` (retired = obsolete)."""
    successor = doc.model.superseded_by
    target = qms.documents.get(successor) if successor else None
    replaces = _superseded(qms).get(doc.id, ())
    return Lifecycle(doc.status == "retired", successor,
                     target.title if target is not None else None, replaces)
