"""The git side of one loaded QMS: started before the files are parsed, asked afterwards.

The loader creates a `GitReader` for every QMS in a work tree. Started (`start()`), it
finds the repository and sets git to work in the background, on the other core, while
Python parses front matter: `git status` and, unless remembered facts make it
unnecessary, the one `git log` pass. Not started, it reads on first request. Either way
each question is answered from at most one pass over history:

- `history(since, signatures)`: the commits and per-file changes (site, health,
  revision tables);
- `review_facts(stamps)`: "changed since review" (C403, `qmskit review`).

What "changed since review" needs from history is small: per document, the changes
committed on or after its stamp. The reader hands that back (`facts_entry`) for the
cache and takes it again next time (`cached`), so an unchanged HEAD needs no `git log`
at all and a HEAD that moved on needs only the new commits (`OLD..HEAD`). A HEAD that
is not a descendant (a reset, another branch) is read again in full, bounded by the
oldest stamp the facts needed last time.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from qmskit.git.facts import Candidate, ReviewFacts, judge
from qmskit.git.history import History, HistoryJob, no_collection, read_history, unavailable
from qmskit.git.repo import GitRepo, parse_status
from qmskit.git.run import (
    NOT_A_REPOSITORY,
    Background,
    GitError,
    NotARepositoryError,
    cat_file,
    run,
)

SHALLOW = ("shallow clone: history is incomplete, so changes since review are not checked "
           "(fetch full history, e.g. `git fetch --unshallow`, or `fetch-depth: 0` in CI)")
#: Beyond this many files, a pass limited by pathspecs costs more than one over all.
MAX_PATHSPECS = 200
#: Work-tree files larger than this are not compared (the loader refuses them anyway).
MAX_TEXT = 16 * 1024 * 1024


@dataclass(frozen=True)
class CachedFacts:
    """What an earlier run learnt: HEAD, and per document its stamp and candidates."""

    head: str
    prefix: str
    folders: tuple[str, ...]
    entries: dict[str, tuple[date, tuple[Candidate, ...]]]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form (see `cached_facts` for the way back)."""
        return {"head": self.head, "prefix": self.prefix, "folders": list(self.folders),
                "entries": {path: [stamp.isoformat(),
                                   [[c.commit, c.committed.isoformat(), c.before, c.after]
                                    for c in found]]
                            for path, (stamp, found) in self.entries.items()}}


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("not a string")
    return value


def _object_id(value: object) -> str:
    text = _text(value)
    if len(text) not in (40, 64) or not all(ch in "0123456789abcdef" for ch in text):
        raise ValueError("not an object id")
    return text


def _blob(value: object) -> str | None:
    return None if value is None else _object_id(value)


def cached_facts(data: object) -> CachedFacts | None:
    """Facts from a cache file's JSON, validated field by field; None for anything
    damaged, foreign or malformed (the run is then cold, never wrong)."""
    try:
        if not isinstance(data, dict):
            return None
        head = _object_id(data.get("head"))
        folders = data.get("folders")
        entries = data.get("entries")
        if not isinstance(folders, list) or not isinstance(entries, dict):
            return None
        parsed: dict[str, tuple[date, tuple[Candidate, ...]]] = {}
        for path, entry in entries.items():
            if not isinstance(entry, list) or len(entry) != 2 or not isinstance(entry[1], list):
                return None
            found = []
            for item in entry[1]:
                if not isinstance(item, list) or len(item) != 4:
                    return None
                found.append(Candidate(_object_id(item[0]), date.fromisoformat(_text(item[1])),
                                       _blob(item[2]), _blob(item[3])))
            parsed[_text(path)] = (date.fromisoformat(_text(entry[0])), tuple(found))
        return CachedFacts(head, _text(data.get("prefix")), tuple(_text(f) for f in folders),
                           parsed)
    except (ValueError, TypeError):
        return None


def _reason(error: GitError) -> str:
    """Why there is no history, in a notice's words."""
    return NOT_A_REPOSITORY if isinstance(error, NotARepositoryError) else str(error)


def _candidates(history: History, path: str, stamp: date, keep: bool) -> list[Candidate] | None:
    """The commits that changed a document on or after its stamp's day, newest first,
    with the blobs before and after each. Without `keep`, None when a look at the
    dates settles it (none, or one on the stamp's day): most documents of a large QMS,
    which then cost no more than that look."""
    commits = [c for c in history.of(path) if c.committed >= stamp]
    if not keep and (not commits or (len(commits) == 1 and commits[0].committed == stamp)):
        return None
    return [Candidate(c.sha, c.committed, *history.blobs(c, path)) for c in commits]


class GitReader:
    """Reads git for one QMS root, in the background when started; see the module doc."""

    def __init__(self, root: Path, folders: Sequence[str], *, full: bool = False,
                 cached: CachedFacts | None = None,
                 remember: Callable[[CachedFacts], None] | None = None,
                 probed: GitRepo | GitError | None = None) -> None:
        """`full`: the complete history with signature checks will be wanted (the site);
        `cached`: facts from an earlier run; `remember` receives the facts to keep;
        `probed`: the repository (or why there is none), when the caller looked already."""
        self.root = root
        self.folders = list(folders)
        self.full = full
        self.cached = cached
        self.remember = remember
        self.repo: GitRepo | None = None
        self.failure = ""
        self._probed = probed is not None
        if isinstance(probed, GitRepo):
            self.repo = probed
            if not probed.head:
                self.failure = "the repository has no commits yet"
        elif probed is not None:
            self.failure = _reason(probed)
        self._started = False
        self._status: Background | None = None
        self._log: HistoryJob | None = None
        #: The cached facts stay valid for the new HEAD plus the changes of `_log`.
        self._incremental = False

    # --- starting ---------------------------------------------------------------------

    def _probe(self) -> GitRepo | None:
        if not self._probed:
            self._probed = True
            try:
                self.repo = GitRepo.at(self.root)
            except GitError as error:
                self.failure = _reason(error)
            else:
                if not self.repo.head:
                    self.failure = "the repository has no commits yet"
        return self.repo if not self.failure else None

    def start(self) -> None:
        """Find the repository and start git in the background (once)."""
        if self._started:
            return
        self._started = True
        repo = self._probe()
        if repo is None:
            return
        try:
            self._start_status(repo)
            if self.full:
                self._log = HistoryJob(repo, self.folders, signatures=True)
            elif not repo.shallow:
                self._start_for_facts(repo)
        except GitError as error:
            self.failure = str(error)

    def _start_status(self, repo: GitRepo) -> None:
        specs = [repo.prefix + f.strip("/") for f in self.folders] or [repo.prefix or "."]
        self._status = Background(repo.top, "status", "--porcelain=v2", "-z",
                                  "--untracked-files=no", "--no-renames",
                                  "--ignore-submodules", "--", *specs)

    def _start_for_facts(self, repo: GitRepo) -> None:
        cached = self.cached
        if (cached is None or cached.prefix != repo.prefix
                or list(cached.folders) != self.folders):
            self._log = HistoryJob(repo, self.folders)
            return
        bound = min((stamp for stamp, _ in cached.entries.values()), default=None)
        if cached.head == repo.head:
            self._incremental = True
            return
        ancestor = run(repo.top, "merge-base", "--is-ancestor", cached.head, repo.head,
                       check=False)
        if ancestor.ok:
            self._incremental = True
            self._log = HistoryJob(repo, self.folders, revisions=[f"{cached.head}..{repo.head}"])
        else:
            self._log = HistoryJob(repo, self.folders, since=bound)

    # --- history ----------------------------------------------------------------------

    def history(self, since: date | None = None, signatures: bool = False) -> History:
        """Commits touching the QMS folders back to `since` (None: all), read once."""
        repo = self._probe()
        if repo is None:
            return unavailable(self.failure)
        job = self._log
        if job is not None and job.complete and (job.signatures or not signatures) and (
                job.since is None or (since is not None and job.since <= since)):
            return job.result(since)
        return read_history(repo, self.folders, since=since, signatures=signatures)

    def blobs(self, ids: Sequence[str]) -> list[bytes | None]:
        """Contents of many blobs at once (one `git cat-file --batch`); None for any that
        cannot be read."""
        repo = self._probe()
        if repo is None or not ids:
            return [None] * len(ids)
        try:
            return cat_file(repo.top, ids)
        except GitError:
            return [None] * len(ids)

    # --- changed since review -----------------------------------------------------------

    def uncommitted(self) -> dict[str, str | None]:
        """Files changed in the index or work tree since HEAD -> their blob at HEAD;
        GitError when git cannot tell (e.g. a damaged index)."""
        repo = self._probe()
        if repo is None:
            raise GitError(self.failure)
        if self._status is None:
            self._start_status(repo)
        assert self._status is not None
        done = self._status.wait()
        if not done.ok:
            raise done.error()
        return parse_status(done.stdout, repo.prefix)

    def review_facts(self, stamps: Mapping[str, date], everyone: bool = True) -> ReviewFacts:
        """For each document path -> its review stamp day: has its content changed since
        the review? (`qmskit.git.facts`; one pass over history for all of them.) Without
        `everyone`, a document without a verdict was reviewed as it is."""
        repo = self._probe()
        if repo is None:
            return ReviewFacts(False, self.failure)
        if repo.shallow:
            return ReviewFacts(False, SHALLOW)
        try:
            uncommitted = self.uncommitted()
            with no_collection():
                candidates = self._all_candidates(repo, stamps, uncommitted, everyone)
        except GitError as error:
            return ReviewFacts(False, str(error))

        def blobs(ids: Sequence[str]) -> dict[str, bytes | None]:
            return dict(zip(ids, cat_file(repo.top, ids), strict=True))

        try:
            with no_collection():
                verdicts = judge(stamps, candidates, uncommitted, self._read_text, blobs,
                                 everyone=everyone)
        except GitError as error:
            return ReviewFacts(False, str(error))
        if self.remember is not None:
            self.remember(CachedFacts(repo.head, repo.prefix, tuple(self.folders), {
                path: (stamp, tuple(candidates.get(path, ()))) for path, stamp in stamps.items()
            }))
        return ReviewFacts(True, "", verdicts)

    def _read_text(self, path: str) -> str | None:
        try:
            with open(os.path.join(self.root, path), "rb") as handle:
                raw = handle.read(MAX_TEXT + 1)
            return raw.decode("utf-8") if len(raw) <= MAX_TEXT else None
        except (OSError, UnicodeDecodeError):
            return None

    def _all_candidates(self, repo: GitRepo, stamps: Mapping[str, date],
                        uncommitted: Mapping[str, str | None], everyone: bool
                        ) -> dict[str, list[Candidate]]:
        """Per path, its changes committed on or after its stamp, newest first (only
        where they matter, unless the facts are to be kept)."""
        found: dict[str, list[Candidate]] = {}
        unknown: list[str] = []
        job = self._log
        keep = everyone or self.remember is not None  # kept facts hold every blob
        if self._incremental and self.cached is not None:
            new = job.result() if job is not None else History(True)
            if not new.available:
                raise GitError(new.reason)
            for path, stamp in stamps.items():
                entry = self.cached.entries.get(path)
                if entry is None or entry[0] > stamp:
                    unknown.append(path)
                    continue
                fresh = _candidates(new, path, stamp, True) or []
                found[path] = fresh + [c for c in entry[1] if c.committed >= stamp]
        else:
            oldest = min(stamps.values(), default=None)
            if job is not None and job.complete:
                # The check reads history back to the oldest stamp only; the handbook
                # (`full`) shows all of it, so it is read once, in full.
                history = job.result(None if self.full else oldest)
            elif len(stamps) <= MAX_PATHSPECS and not self._started:
                # A question about a few files (`qmskit review`): only their history.
                history = HistoryJob(repo, self.folders, since=oldest, paths=list(stamps)
                                     ).result()
            else:
                history = read_history(repo, self.folders, since=oldest)
            if not history.available:
                raise GitError(history.reason)
            for path, stamp in stamps.items():
                if history.since is not None and history.since > stamp:
                    unknown.append(path)
                else:
                    listed = _candidates(history, path, stamp, keep or path in uncommitted)
                    if listed is not None:
                        found[path] = listed
        if unknown:
            since = min(stamps[path] for path in unknown)
            extra = HistoryJob(repo, self.folders, since=since,
                               paths=unknown if len(unknown) <= MAX_PATHSPECS else ()).result()
            if not extra.available:
                raise GitError(extra.reason)
            for path in unknown:
                found[path] = _candidates(extra, path, stamps[path], True) or []
        return found

