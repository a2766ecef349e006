"""Per-document change history for the handbook, read from git in one pass.

`gitinfo` keeps only what the currency rules need (the last modification); the site
shows every commit that touched a document. Both read history the same way: a single
`git log --name-only` over the QMS folders, parsed into per-file lists, so a 10,000
document handbook costs one git process, not 10,000.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class Commit:
    """One commit that touched a document: what a reader of the history needs."""

    sha: str
    day: date
    author: str
    subject: str


@dataclass
class History:
    """Commits per file (paths relative to the QMS root), newest first.

    `available` is False outside a git work tree (or without git); `reason` then says
    why, and pages print it instead of an empty history.
    """

    available: bool
    reason: str = ""
    shallow: bool = False
    commits: dict[str, list[Commit]] = field(default_factory=dict)

    def of(self, path: str) -> list[Commit]:
        """Commits that touched `path`, newest first (empty when unknown)."""
        return self.commits.get(path, [])


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=cwd,
                          capture_output=True, check=False)


def read_history(root: Path, folders: list[str]) -> History:
    """Every commit touching files under `folders`, grouped by file: two git calls in all."""
    try:
        probe = _git(root, "rev-parse", "--show-prefix", "--is-shallow-repository")
    except OSError:
        return History(False, "git is not installed")
    if probe.returncode != 0:
        return History(False, "not a git repository")
    lines = probe.stdout.decode("utf-8", "replace").split("\n")
    prefix, shallow = lines[0].strip(), lines[1].strip() == "true"
    pathspecs = [folder.strip("/") for folder in folders] or ["."]
    # \x01 starts a record, \x1f separates header fields; -z ends each path with NUL.
    log = _git(root, "log", "--no-renames", "-z", "--name-only",
               "--format=%x01%H%x1f%as%x1f%an%x1f%s", "--", *pathspecs)
    if log.returncode != 0:
        message = log.stderr.decode("utf-8", "replace").strip()
        if "does not have any commits" in message or "bad default revision" in message:
            return History(False, "no commits yet")
        return History(False, f"git log failed: {message.splitlines()[0] if message else ''}")
    history = History(True, shallow=shallow)
    parse_log(log.stdout.decode("utf-8", "replace"), prefix, history.commits)
    return history


def parse_log(text: str, prefix: str, commits: dict[str, list[Commit]]) -> None:
    """Parse `git log -z --name-only` records into `commits` (paths made root-relative)."""
    for record in text.split("\x01"):
        if not record:
            continue
        header, _, names = record.partition("\0")
        parts = header.split("\x1f")
        if len(parts) != 4:
            continue
        sha, day_text, author, subject = parts
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            continue
        commit = Commit(sha, day, author, subject)
        for name in names.split("\0"):
            name = name.strip("\n")
            if name.startswith(prefix) and name:
                commits.setdefault(name[len(prefix):], []).append(commit)
