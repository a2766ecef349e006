"""The history of the QMS folders, read from git in one pass: the one commit record.

Every reader of history (the "changed since review" rule, the handbook's document
histories and revision tables, the health measures, `qmskit review`) asks for the same
thing: per file, the commits that changed it, newest first, with who, when, why, the
signatures in the commit's trailers and the blob before and after the change (so old
contents can be read with one `cat-file --batch`). One `git log` gives all of it for
the whole repository, never one git call per file:

    git log --no-renames --raw --no-abbrev -z --format=... [--since=DAY] HEAD

`--since` bounds the pass when a consumer needs only recent history (C403 needs commits
back to the oldest review stamp that matters). `%G?` (git's verification of the commit
signature, which may run gpg or ssh-keygen per commit) is asked for only when a consumer
shows it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from qmskit.git.repo import GitRepo
from qmskit.git.run import Background, Done, GitError

#: The trailers that record signatures (see `qmskit.domain.approvals`).
SIGNATURE_TRAILERS = ("Reviewed-by", "Approved-by", "Acknowledged-by")

_NULL_BLOBS = frozenset({"0" * 40, "0" * 64})


@dataclass(frozen=True, slots=True)
class Commit:
    """One commit: what a reader of history needs to know about it."""

    sha: str
    parents: int
    #: The author date, as `git log` shows it.
    day: date
    #: The committer date: when the change entered this line of history.
    committed: date
    author: str
    email: str
    subject: str
    #: (key, value) of the signature trailers, in order.
    trailers: tuple[tuple[str, str], ...] = ()
    #: git's `%G?` code for the commit's own signature; "" when it was not asked for.
    signature: str = ""


@dataclass(frozen=True, slots=True)
class Change:
    """A commit's change to one file, with the file's blob before and after it."""

    commit: Commit
    #: Blob id before the commit; None when the file did not exist.
    before: str | None
    #: Blob id after the commit; None when the commit deleted the file.
    after: str | None


@dataclass
class History:
    """Commits touching the QMS folders, newest first, and the changes per file.

    `available` is False without usable history (no git, not a repository, no commits);
    `reason` then says why. `since` is the day the pass was bounded by (None: complete).
    """

    available: bool
    reason: str = ""
    shallow: bool = False
    since: date | None = None
    signatures: bool = False
    commits: list[Commit] = field(default_factory=list)
    #: Root-relative path -> its changes, newest first.
    changes: dict[str, list[Change]] = field(default_factory=dict)

    def of(self, path: str) -> list[Commit]:
        """Commits that changed `path`, newest first (empty when unknown)."""
        return [change.commit for change in self.changes.get(path, ())]

    def covers(self, since: date | None, signatures: bool) -> bool:
        """True when this history answers a request for commits back to `since` (None:
        all of them), with signature checks if `signatures`."""
        if not self.available:
            return True  # reading again would not make git appear
        if signatures and not self.signatures:
            return False
        return self.since is None or (since is not None and self.since <= since)

    @cached_property
    def paths_by_commit(self) -> dict[str, tuple[str, ...]]:
        """Commit hash -> the QMS files it changed."""
        found: dict[str, list[str]] = {}
        for path, changes in self.changes.items():
            for change in changes:
                found.setdefault(change.commit.sha, []).append(path)
        return {sha: tuple(sorted(paths)) for sha, paths in found.items()}


def _format(signatures: bool) -> str:
    trailers = ",".join(f"key={key}" for key in SIGNATURE_TRAILERS)
    check = "%G?" if signatures else ""
    # \x01 starts a header, \x1f separates its fields; free text comes last.
    return (f"--format=%x01%H%x1f%P%x1f%as%x1f%cs%x1f{check}%x1f%an%x1f%ae%x1f%s%x1f"
            f"%(trailers:{trailers},unfold,separator=%x1e)")


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _commit(header: str) -> Commit | None:
    """A commit from its header; None when the fixed fields cannot be read."""
    parts = header.split("\x1f")
    if len(parts) < 9:
        return None
    sha, parents, authored, committed, check = parts[:5]
    author_day, commit_day = _day(authored), _day(committed)
    if author_day is None or commit_day is None or not sha:
        return None
    # Free text may itself hold a separator; the fields either side of it are kept.
    author, email = parts[5], parts[6]
    subject, trailer_text = "\x1f".join(parts[7:-1]), parts[-1]
    trailers = []
    for entry in trailer_text.strip().split("\x1e"):
        key, colon, value = entry.partition(":")
        if colon and key.strip():
            trailers.append((key.strip(), value.strip()))
    return Commit(sha, len(parents.split()), author_day, commit_day, author, email, subject,
                  tuple(trailers), check.strip())


def in_folders(folders: Sequence[str]) -> tuple[str, ...] | None:
    """Folder prefixes ("procedures/") a QMS path must start with; None: any path."""
    cleaned = [folder.strip("/") for folder in folders]
    if not cleaned or any(folder in ("", ".") for folder in cleaned):
        return None
    return tuple(folder + "/" for folder in cleaned)


def parse_log(output: bytes, prefix: str, folders: Sequence[str]
              ) -> tuple[list[Commit], dict[str, list[Change]]]:
    """Commits and per-file changes from `git log --raw --no-abbrev -z --format=...`.

    The output is a sequence of NUL-terminated tokens: a commit header, then for each
    changed file a `:mode mode before after status` token followed by its path token.
    Reading it token by token (rather than splitting on a marker) means no subject or
    file name, whatever it contains, can hide a change or invent one.
    """
    wanted = in_folders(folders)
    commits: list[Commit] = []
    changes: dict[str, list[Change]] = {}
    tokens = output.decode("utf-8", "surrogateescape").split("\0")
    current: Commit | None = None
    index, count = 0, len(tokens)
    while index < count:
        token = tokens[index]
        index += 1
        stripped = token.lstrip("\n")
        if stripped.startswith(":"):
            if index >= count:
                break
            path = tokens[index]
            index += 1
            if current is None or not path.startswith(prefix):
                continue
            relative = path[len(prefix):]
            if wanted is not None and not relative.startswith(wanted):
                continue
            fields = stripped.split(" ")
            if len(fields) < 5:
                continue
            before = None if fields[2] in _NULL_BLOBS else fields[2]
            after = None if fields[3] in _NULL_BLOBS else fields[3]
            found = changes.get(relative)
            if found is None:
                changes[relative] = [Change(current, before, after)]
            else:
                found.append(Change(current, before, after))
        elif stripped.startswith("\x01"):
            current = _commit(stripped[1:])
            if current is not None:
                commits.append(current)
        # anything else (an empty token at the end) carries nothing
    return commits, changes


def log_args(since: date | None = None, signatures: bool = False,
             revisions: Iterable[str] = ("HEAD",), prefix: str = "",
             paths: Sequence[str] = ()) -> list[str]:
    """The arguments of the one `git log` pass.

    Limiting the pass to the QMS folders with pathspecs doubled its run time on a
    10,000-document repository (the folders are most of the tree anyway), so only a
    subfolder root, or an explicit list of files, is passed as a pathspec and the rest
    is filtered while parsing. A bound is moved two days earlier so that no time zone
    can move a commit of the bounding day out of the pass; consumers compare days
    themselves.
    """
    args = ["log", "--no-renames", "--raw", "--no-abbrev", "--root", "-z",
            "--no-show-signature", _format(signatures)]
    if since is not None:
        args.append(f"--since={(since - timedelta(days=2)).isoformat()}T00:00:00+00:00")
    args += [*revisions, "--"]
    if paths:  # literal: a file name may hold characters a pathspec treats as a glob
        args += [f":(literal){prefix}{path}" for path in paths]
    elif prefix:
        args.append(f":(literal){prefix}")
    return args


class HistoryJob:
    """One `git log` pass, started in the background; `result()` waits and parses it."""

    def __init__(self, repo: GitRepo, folders: Sequence[str], *, since: date | None = None,
                 signatures: bool = False, revisions: Sequence[str] = ("HEAD",),
                 paths: Sequence[str] = ()) -> None:
        """Start reading (GitError when git cannot be started)."""
        self.repo = repo
        self.folders = list(folders)
        self.since = since
        self.signatures = signatures
        self.complete = list(revisions) == ["HEAD"] and not paths
        self._job = Background(repo.top, *log_args(since, signatures, revisions, repo.prefix,
                                                   paths))
        self._history: History | None = None

    def result(self) -> History:
        """The history read (once; later calls return the same)."""
        if self._history is None:
            self._history = history_from(self._job.wait(), self.repo, self.folders,
                                         self.since, self.signatures)
        return self._history

    def stop(self) -> None:
        """Stop reading (the history is no longer wanted)."""
        self._job.stop()


def history_from(done: Done, repo: GitRepo, folders: Sequence[str], since: date | None,
                 signatures: bool) -> History:
    """The History of a finished `git log`, or an unavailable one that says why."""
    if not done.ok:
        return History(False, done.error().args[0], repo.shallow)
    commits, changes = parse_log(done.stdout, repo.prefix, folders)
    return History(True, "", repo.shallow, since, signatures, commits, changes)


def unavailable(reason: str) -> History:
    """A history that could not be read, with the reason to show instead."""
    return History(False, reason)


def read_history(repo: GitRepo, folders: Sequence[str], *, since: date | None = None,
                 signatures: bool = False) -> History:
    """Read the history of the QMS folders now (one `git log`)."""
    if not repo.head:
        return unavailable("the repository has no commits yet")
    try:
        return HistoryJob(repo, folders, since=since, signatures=signatures).result()
    except GitError as error:
        return unavailable(str(error))
