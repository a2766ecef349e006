"""The history of the QMS folders, read from git in one pass: the one commit record.

Every reader of history (the "changed since review" rule, the handbook's document
histories and revision tables, the health measures, `qmskit review`) asks for the same
thing: per file, the commits that changed it, newest first, with who, when, why and the
signatures in the commit's trailers. One `git log` gives all of it for the whole
repository, never one git call per file:

    git log --no-renames --raw --no-abbrev -z --format=... [--since=DAY] HEAD

`--raw` adds each file's blob before and after the change, which git computes for the
log anyway, so old versions are read by blob id with one `git cat-file --batch`
(asking for `COMMIT:PATH` instead makes git read the folder's tree again for every
version: a second per 1,000 versions in a flat folder of 5,000 procedures). The change
lines are kept as printed and read only for the few files that need them.

`--since` bounds the pass when a consumer needs only recent history (C403 needs commits
back to the oldest review stamp that matters). `%G?` (git's verification of the commit
signature, which may run gpg or ssh-keygen per commit) is asked for only when a consumer
shows it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from qmskit.git.repo import GitRepo, TreeEntry
from qmskit.git.run import Background, Done, GitError

#: The trailers that record signatures (see `qmskit.domain.approvals`).
SIGNATURE_TRAILERS = ("Reviewed-by", "Approved-by", "Released-by", "Acknowledged-by")

_NULL_BLOBS = frozenset({"0" * 40, "0" * 64})

#: The files a commit changed (top-relative) and, at the same index, its change lines
#: as `--raw` prints them (`:mode mode before after status`).
Touched = tuple[list[str], list[str]]


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


@contextmanager
def no_collection() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while reading history.

    Reading 100,000 changes allocates hundreds of thousands of small objects, none of
    which form cycles; with 10,000 documents loaded, the collections those allocations
    trigger (each walking the whole heap) cost three times the reading itself.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class History:
    """Commits touching the QMS folders, newest first, and the commits per document.

    `available` is False without usable history (no git, not a repository, no commits);
    `reason` then says why. `since` is the day the pass was bounded by (None: complete).
    Commits are indexed per file for Markdown files (the documents); every file a commit
    changed (KPI data too) is kept with the commit for `paths_of`.
    """

    def __init__(self, available: bool, reason: str = "", shallow: bool = False,
                 since: date | None = None, signatures: bool = False,
                 commits: list[Commit] | None = None,
                 by_path: dict[str, list[Commit]] | None = None,
                 touched: dict[str, Touched] | None = None, prefix: str = "",
                 folders: Sequence[str] = ()) -> None:
        self.available = available
        self.reason = reason
        self.shallow = shallow
        self.since = since
        self.signatures = signatures
        self.commits = commits or []
        self.prefix = prefix
        self._by_path = by_path or {}
        self._touched = touched or {}
        self._positions: dict[str, dict[str, int]] = {}
        self._wanted = _wanted(prefix, folders)

    def of(self, path: str) -> list[Commit]:
        """Commits that changed the document at `path` (root-relative), newest first."""
        return self._by_path.get(path, [])

    def blobs(self, commit: Commit, path: str) -> tuple[str | None, str | None]:
        """The document's blob before and after `commit` (None: it did not exist)."""
        touched = self._touched.get(commit.sha)
        if touched is None:
            return None, None
        paths, changes = touched
        where = self.prefix + path
        if len(paths) > 32:  # a commit of many files (an import): index it once
            index = self._positions.get(commit.sha)
            if index is None:
                index = self._positions[commit.sha] = {p: i for i, p in enumerate(paths)}
            position = index.get(where, -1)
        else:
            position = paths.index(where) if where in paths else -1
        if position < 0:
            return None, None
        fields = changes[position].lstrip("\n").split(" ")
        if len(fields) < 5:
            return None, None
        return (None if fields[2] in _NULL_BLOBS else fields[2],
                None if fields[3] in _NULL_BLOBS else fields[3])

    def since_day(self, path: str, day: date) -> list[Commit]:
        """Commits that changed `path` and were committed on `day` or later, newest first."""
        return [commit for commit in self._by_path.get(path, ()) if commit.committed >= day]

    @property
    def paths(self) -> set[str]:
        """Every document the history has commits of."""
        return set(self._by_path)

    def covers(self, since: date | None, signatures: bool) -> bool:
        """True when this history answers a request for commits back to `since` (None:
        all of them), with signature checks if `signatures`."""
        if not self.available:
            return True  # reading again would not make git appear
        if signatures and not self.signatures:
            return False
        return self.since is None or (since is not None and self.since <= since)

    def paths_of(self, commit: Commit) -> tuple[str, ...]:
        """The QMS files (any file in the QMS folders, not only documents) a commit
        changed, relative to the root."""
        touched = self._touched.get(commit.sha)
        if touched is not None:
            cut = len(self.prefix)
            return tuple(sorted(path[cut:] for path in touched[0]
                                if path.startswith(self._wanted)))
        return self._documents_by_commit.get(commit.sha, ())

    @cached_property
    def _documents_by_commit(self) -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = {}
        for path, commits in self._by_path.items():
            for commit in commits:
                found.setdefault(commit.sha, []).append(path)
        return {sha: tuple(sorted(paths)) for sha, paths in found.items()}


def _format(signatures: bool) -> str:
    trailers = ",".join(f"key={key}" for key in SIGNATURE_TRAILERS)
    check = "%G?" if signatures else ""
    # NUL + \x01 starts a header (with -z a file name is never empty, so two NULs in a
    # row mark a header and nothing else), \x1f separates its fields; free text last.
    return (f"--format=%x00%x01%H%x1f%P%x1f%as%x1f%cs%x1f{check}%x1f%an%x1f%ae%x1f%s%x1f"
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


def _wanted(prefix: str, folders: Sequence[str]) -> tuple[str, ...]:
    """Top-relative prefixes a QMS path starts with."""
    wanted = in_folders(folders)
    return (prefix,) if wanted is None else tuple(prefix + folder for folder in wanted)


Parsed = tuple[list[Commit], dict[str, list[Commit]], dict[str, Touched]]

#: What separates one commit's record from the next: the NUL ending the last file name
#: (or the header), then the header's own NUL + \x01.
_RECORD = "\0\0\x01"


#: How many commits older than the bound are read before a bounded read stops: commit
#: dates are not strictly ordered (clock skew, merged branches), as for `git log --since`.
SLOP = 32


def parse_log(output: bytes, prefix: str, folders: Sequence[str],
              since: date | None = None) -> Parsed:
    """Commits, the commits per document, and the files each commit changed, from `git
    log --raw --no-abbrev -z --format=%x00%x01...`; with `since`, only the commits
    committed on that day or later (like `--since`, but decided after git started).

    A record is `\\0\\x01HEADER\\0\\n:CHANGE\\0PATH\\0:CHANGE\\0PATH\\0...`; change
    lines and file names are never empty, so `\\0\\0\\x01` occurs only where a record
    begins, and inside a record changes and names alternate: no file name or subject,
    whatever it contains, can hide a change or invent one. Commits are indexed per file
    for Markdown files (the documents); every file is kept with its commit, unparsed.
    """
    text = output.decode("utf-8", "surrogateescape")
    wanted = _wanted(prefix, folders)
    cut = len(prefix)
    commits: list[Commit] = []
    by_path: dict[str, list[Commit]] = {}
    touched: dict[str, Touched] = {}
    older = 0
    for record in ("\0" + text).split(_RECORD)[1:] if text else ():
        parts = record.split("\0")
        if parts[-1] == "":
            parts.pop()
        commit = _commit(parts[0])
        if commit is None or not len(parts) & 1:
            continue
        if since is not None and commit.committed < since:
            older += 1
            if older > SLOP:
                break
            continue
        older = 0
        commits.append(commit)
        paths = parts[2::2]
        touched[commit.sha] = (paths, parts[1::2])
        for path in [p for p in paths if p[-3:] == ".md"]:
            if path.startswith(wanted):
                relative = path[cut:]
                found = by_path.get(relative)
                if found is None:
                    by_path[relative] = [commit]
                else:
                    found.append(commit)
    return commits, by_path, touched


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

    def result(self, since: date | None = None) -> History:
        """The history read, back to `since` if given (later than the pass's own bound):
        parsed once, or again only when an earlier day is asked for."""
        bound = since if self.since is None or (since is not None and since > self.since) \
            else self.since
        found = self._history
        if found is None or not (found.since is None or (bound is not None
                                                         and found.since <= bound)):
            found = self._history = history_from(self._job.wait(), self.repo, self.folders,
                                                 bound, self.signatures)
        return found

    def stop(self) -> None:
        """Stop reading (the history is no longer wanted)."""
        self._job.stop()


def history_from(done: Done, repo: GitRepo, folders: Sequence[str], since: date | None,
                 signatures: bool) -> History:
    """The History of a finished `git log`, or an unavailable one that says why."""
    if not done.ok:
        return History(False, done.error().args[0], repo.shallow)
    with no_collection():
        commits, by_path, touched = parse_log(done.stdout, repo.prefix, folders, since)
    return History(True, "", repo.shallow, since, signatures, commits, by_path, touched,
                   repo.prefix, folders)


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


def changed_paths(repo: GitRepo, base: str, head: str) -> list[str]:
    """Every path (top-relative) that differs between two commits, old and new names
    alike: one `git diff --name-only`, git's own speed, no blob read. Renames are not
    paired (`--no-renames`), so a move lists both names."""
    output = repo.run("diff", "--name-only", "--no-renames", "--no-ext-diff",
                      "--no-textconv", "-z", base, head, "--")
    return [p for p in output.decode("utf-8", "surrogateescape").split("\0") if p]


def files_at(repo: GitRepo, commit: str, paths: Sequence[str]) -> list[TreeEntry]:
    """The regular files among `paths` (top-relative) at `commit`, as `GitRepo.tree`
    lists them (symlinks and submodules left out), without listing the whole tree."""
    output = repo.run("ls-tree", "-z", "-l", "--full-tree", commit, "--", *paths)
    entries = []
    for record in output.decode("utf-8", "surrogateescape").split("\0"):
        meta, _, path = record.partition("\t")
        parts = meta.split()
        if (len(parts) == 4 and parts[1] == "blob" and parts[0] in ("100644", "100755")
                and parts[3].isdigit()):
            entries.append(TreeEntry(parts[0], parts[2], int(parts[3]), path))
    return entries


def worktree_dirty(repo: GitRepo, paths: Sequence[str]) -> bool:
    """True when anything under `paths` (top-relative) differs from HEAD in the work
    tree or the index, or is untracked or ignored there: then the work tree is not HEAD's
    content, as a reader of the folders would see it."""
    output = repo.run("status", "--porcelain", "-z", "--ignored", "--untracked-files=all",
                      "--no-renames", "--ignore-submodules=none", "--", *paths)
    return bool(output.strip(b"\0"))
