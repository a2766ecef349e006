"""Facts from git history, gathered in one pass over the whole repository.

Rules never call git: the loader asks this module once and hands the facts on. One
`git log` over all history costs about as much as a single per-file call, so the
"changed since its last review" rule stays cheap at 10,000 documents. Plain subprocess
rather than GitPython here: the check path must start fast, and we need exactly one
command's output.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO


@dataclass(frozen=True)
class Change:
    """The newest commit that modified a file (its creation does not count)."""

    day: date
    commit: str


@dataclass
class GitFacts:
    """What git knows about the QMS files; `available` is False outside usable history."""

    available: bool
    reason: str = ""
    last_change: dict[str, Change] = field(default_factory=dict)
    uncommitted: set[str] = field(default_factory=set)


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["git", "-c", "core.quotepath=off", *args],
        cwd=cwd, capture_output=True, check=False,
    )


class GitJob:
    """Reads git facts in background processes; `result()` collects them.

    Started before the loader parses files, so git walks history on the other core
    while Python parses front matter. Output goes to temporary files rather than pipes,
    so a large history can never block git on a full pipe nobody is reading yet.
    """

    def __init__(self, root: Path, folders: list[str], cached: object = None,
                 remember: bool = False) -> None:
        """Start reading; `cached` is a previous `cache_entry()`, `remember` asks for one."""
        self.remember = remember or cached is not None
        self.facts: GitFacts | None = None
        self.prefix = ""
        self.head = ""
        self._base: dict[str, Change] = {}
        self._procs: list[tuple[subprocess.Popen[bytes], IO[bytes]]] = []
        try:
            probe = _git(root, "rev-parse", "--show-toplevel", "--is-shallow-repository")
        except OSError:
            self.facts = GitFacts(False, "git is not installed, so changes since review are "
                                  "not checked")
            return
        if probe.returncode != 0:
            self.facts = GitFacts(False, "not a git repository, so changes since review are "
                                  "not checked")
            return
        top_text, shallow = [*probe.stdout.decode("utf-8", "replace").split("\n"), ""][:2]
        if shallow.strip() == "true":
            self.facts = GitFacts(
                False,
                "shallow clone: history is incomplete, so changes since review are not "
                "checked (fetch full history, e.g. `git fetch --unshallow`, or "
                "`fetch-depth: 0` in CI)",
            )
            return
        top = Path(top_text.strip())
        try:
            prefix = root.resolve().relative_to(top.resolve()).as_posix()
        except ValueError:
            self.facts = GitFacts(False, "the QMS root is outside the git work tree")
            return
        self.prefix = "" if prefix == "." else prefix + "/"
        # Limiting `git log` to the QMS folders with pathspecs doubled its run time on a
        # 10k-document repository; the folders are most of the tree anyway, so only a
        # subdirectory root is passed as a pathspec and the rest is filtered here.
        log_specs = ["--", self.prefix] if self.prefix else []
        pathspecs = [self.prefix + folder.strip("/") for folder in folders] or ["."]
        revisions = self._revisions(top, cached)
        self._start(top, "log", "--diff-filter=M", "--no-renames", "--format=%x01%h %as",
                    "-z", "--name-only", *revisions, *log_specs)
        self._start(top, "status", "--porcelain=v1", "-z", "--untracked-files=no", "--",
                    *pathspecs)

    def _revisions(self, top: Path, cached: object) -> list[str]:
        """The history still to read: all of it, or only what is new since a cached HEAD.

        A cached HEAD is reused only when it is an ancestor of the current one (plain
        commits, pulls, merges); after a reset or a checkout of another branch the whole
        history is read again, so facts from abandoned commits never leak in.
        """
        if self.remember:
            verified = _git(top, "rev-parse", "-q", "--verify", "HEAD")
            self.head = verified.stdout.decode().strip() if verified.returncode == 0 else ""
        if not (isinstance(cached, tuple) and len(cached) == 3 and self.head):
            return []
        head, prefix, changes = cached
        if prefix != self.prefix or not isinstance(changes, dict):
            return []
        if head == self.head:
            self._base = changes
            return ["--max-count=0"]
        ancestor = _git(top, "merge-base", "--is-ancestor", str(head), self.head)
        if ancestor.returncode != 0:
            return []
        self._base = changes
        return [f"{head}..{self.head}"]

    def cache_entry(self) -> tuple[str, str, dict[str, Change]] | None:
        """What the cache keeps: HEAD, the root's prefix and the last change per file."""
        facts = self.result()
        if not facts.available or not self.head:
            return None
        return (self.head, self.prefix, facts.last_change)

    def _start(self, cwd: Path, *args: str) -> None:
        out = tempfile.TemporaryFile()
        proc = subprocess.Popen(["git", "-c", "core.quotepath=off", *args], cwd=cwd,
                                stdout=out, stderr=subprocess.PIPE)
        self._procs.append((proc, out))

    def _collect(self, index: int) -> tuple[int, str, str]:
        proc, out = self._procs[index]
        _, stderr = proc.communicate()
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
        out.close()
        return proc.returncode, text, stderr.decode("utf-8", "replace").strip()

    def result(self) -> GitFacts:
        """Wait for git and return the facts (once; later calls return the same)."""
        if self.facts is not None:
            return self.facts
        log_code, log_text, log_err = self._collect(0)
        status_code, status_text, _ = self._collect(1)
        if log_code != 0:
            if "does not have any commits" in log_err or "bad default revision" in log_err:
                self.facts = GitFacts(False, "the repository has no commits yet, so changes "
                                      "since review are not checked")
            else:
                first = log_err.splitlines()[0] if log_err else str(log_code)
                self.facts = GitFacts(False, "git log failed, so changes since review are "
                                      f"not checked: {first}")
            return self.facts
        facts = GitFacts(True)
        _parse_log(log_text, self.prefix, facts.last_change)
        for name, change in self._base.items():
            facts.last_change.setdefault(name, change)  # newer commits were read first
        if status_code == 0:
            for entry in status_text.split("\0"):
                if len(entry) > 3 and "M" in entry[:2] and entry[3:].startswith(self.prefix):
                    facts.uncommitted.add(entry[3 + len(self.prefix):])
        self.facts = facts
        return facts


def read_git_facts(root: Path, folders: list[str]) -> GitFacts:
    """Read last modification per file under `folders` (paths relative to `root`)."""
    return GitJob(root, folders).result()


def _parse_log(text: str, prefix: str, last_change: dict[str, Change]) -> None:
    # Records look like "\x01<hash> <date>\0\n<path>\0<path>\0..." newest first; the first
    # time a path appears is its newest modification.
    for record in text.split("\x01"):
        if not record:
            continue
        header, _, names = record.partition("\0")
        commit, _, day_text = header.partition(" ")
        try:
            day = date.fromisoformat(day_text.strip())
        except ValueError:
            continue
        for name in names.split("\0"):
            name = name.strip("\n")
            if name and name.startswith(prefix):
                last_change.setdefault(name[len(prefix):], Change(day, commit))
