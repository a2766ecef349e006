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

`revision_history` reads the history of every document with one `git log` for the whole
repository and one `git cat-file --batch` for the versions, never one git call per file.
"""

from __future__ import annotations

import re
import subprocess
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from qmskit.errors import QmsError
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
    """One commit that changed a document, with its approval evidence."""

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


def _git(cwd: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=cwd,
                              input=stdin, capture_output=True, check=False)
    except OSError as error:
        raise QmsError(f"git failed ({error}). Is it installed?") from None


_FORMAT = ("%x01%H%x1f%as%x1f%an%x1f%G?%x1f%s%x1f"
           "%(trailers:key=Reviewed-by,key=Approved-by,key=Released-by,key=Acknowledged-by,"
           "unfold,"
           "separator=%x1e)")


def read_histories(root: Path, folders: Sequence[str],
                   paths: Sequence[str] | None = None) -> Histories:
    """Every commit touching the QMS folders, per file, with trailers and versions.

    One `git log` for the whole repository, then one `git cat-file --batch` that reads
    the version of each (commit, document) pair; `paths` limits the versions read to
    those files (default: all of them).
    """
    try:
        probe = _git(root, "rev-parse", "--show-prefix")
    except QmsError as error:
        return Histories(False, str(error))
    if probe.returncode != 0:
        return Histories(False, "not a git repository")
    prefix = probe.stdout.decode("utf-8", "replace").strip()
    specs = [folder.strip("/") for folder in folders] or ["."]
    log = _git(root, "log", "--no-renames", "-z", "--name-only", f"--format={_FORMAT}",
               "--", *specs)
    if log.returncode != 0:
        message = log.stderr.decode("utf-8", "replace").strip()
        if "does not have any commits" in message or "bad default revision" in message:
            return Histories(False, "no commits yet")
        return Histories(False, f"git log failed: {message.splitlines()[0] if message else ''}")
    histories = Histories(True)
    touched: list[tuple[str, str]] = []  # (commit, root-relative path)
    for record in log.stdout.decode("utf-8", "replace").split("\x01"):
        if not record:
            continue
        header, _, names = record.partition("\0")
        parts = header.split("\x1f")
        if len(parts) != 6:
            continue
        sha, day_text, author, check, subject, trailers = parts
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            continue
        signatures = []
        for entry in trailers.strip().split("\x1e"):
            key, _, value = entry.partition(":")
            signature = parse_signature(key, value)
            if signature is not None:
                signatures.append(signature)
        revision = Revision(sha, day, author, subject, None, tuple(signatures),
                            check.strip() or "N")
        for name in names.split("\0"):
            name = name.strip("\n")
            if name and name.startswith(prefix) and name.endswith(".md"):
                relative = name[len(prefix):]
                histories.by_path.setdefault(relative, []).append(revision)
                touched.append((sha, relative))
    wanted = set(paths) if paths is not None else None
    pairs = [(sha, rel) for sha, rel in touched if wanted is None or rel in wanted]
    versions = _versions(root, prefix, pairs)
    for relative, revisions in histories.by_path.items():
        histories.by_path[relative] = [
            Revision(r.commit, r.day, r.author, r.subject, versions.get((r.commit, relative)),
                     r.signatures, r.signature_check)
            for r in revisions
        ]
    return histories


def _versions(root: Path, prefix: str, pairs: list[tuple[str, str]]) -> dict[tuple[str, str],
                                                                             Version | None]:
    """The front matter `version` of each (commit, path), from one `cat-file --batch`."""
    if not pairs:
        return {}
    request = "".join(f"{sha}:{prefix}{rel}\n" for sha, rel in pairs).encode()
    done = _git(root, "cat-file", "--batch", stdin=request)
    found: dict[tuple[str, str], Version | None] = {}
    data = done.stdout
    position = 0
    for pair in pairs:
        end = data.find(b"\n", position)
        if end < 0:
            break
        header = data[position:end].split()
        position = end + 1
        if len(header) < 3 or header[-1] == b"missing":
            found[pair] = None
            continue
        size = int(header[2])
        blob = data[position:position + size].decode("utf-8", "replace")
        position += size + 1
        front = blob.split("\n---", 1)[0]
        match = _VERSION.search(front)
        found[pair] = _version_or_none(match.group(2)) if match else None
    return found


def _version_or_none(text: str) -> Version | None:
    try:
        return parse_version(text.strip())
    except ValueError:
        return None


_HISTORIES: dict[int, Histories] = {}


def histories_for(qms: Qms) -> Histories:
    """The revision histories of a loaded QMS, read once per `Qms`."""
    key = id(qms)
    found = _HISTORIES.get(key)
    if found is None:
        found = _HISTORIES[key] = read_histories(
            qms.root, qms.config.folders, [d.path for d in qms.documents.values()])
        weakref.finalize(qms, _HISTORIES.pop, key, None)
    return found


def revision_history(qms: Qms, doc: Doc) -> list[Revision]:
    """The revisions of `doc`, newest first: version, date, author, signatures, check.

    The first call reads the history of the whole QMS (one `git log`, one
    `git cat-file --batch`); later calls for other documents reuse it. Empty outside git.
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


def lifecycle(qms: Qms, doc: Doc) -> Lifecycle:
    """Obsolete mark and supersession links of `doc` (retired = obsolete)."""
    successor = doc.model.superseded_by
    target = qms.documents.get(successor) if successor else None
    replaces = tuple(sorted(d.id for d in qms.documents.values()
                            if d.model.superseded_by == doc.id))
    return Lifecycle(doc.status == "retired", successor,
                     target.title if target is not None else None, replaces)


# --- writing commits --------------------------------------------------------------------

def require_work_tree(root: Path) -> None:
    """Raise QmsError unless `root` is inside a git work tree (checked before any edit)."""
    if _git(root, "rev-parse", "--show-toplevel").returncode != 0:
        raise QmsError(f"{root}: not a git work tree, so --commit cannot record the "
                       "signature; commit by hand with the trailers printed")


def commit_paths(root: Path, paths: Sequence[Path], subject: str,
                 trailers: Sequence[str]) -> str:
    """Commit exactly `paths` (other staged changes stay staged); return the new commit.

    The message is the subject, a blank line and the trailers. Raises QmsError outside a
    git work tree, when there is nothing to commit, or when git refuses (for instance a
    missing identity): the message says what to do.
    """
    require_work_tree(root)
    names = [str(p) for p in paths]
    added = _git(root, "add", "--", *names)
    if added.returncode != 0:
        raise QmsError(f"git add failed: {added.stderr.decode('utf-8', 'replace').strip()}")
    staged = _git(root, "diff", "--cached", "--quiet", "--", *names)
    if staged.returncode == 0:
        has_head = _git(root, "rev-parse", "-q", "--verify", "HEAD").returncode == 0
        if has_head:
            raise QmsError("nothing to commit: the files are unchanged since the last commit")
    message = subject + "\n\n" + "\n".join(trailers) + "\n"
    done = _git(root, "commit", "-q", "-F", "-", "--", *names, stdin=message.encode())
    if done.returncode != 0:
        error = done.stderr.decode("utf-8", "replace").strip() or \
            done.stdout.decode("utf-8", "replace").strip()
        raise QmsError(f"git commit failed: {error}")
    head = _git(root, "rev-parse", "HEAD")
    return head.stdout.decode().strip()
