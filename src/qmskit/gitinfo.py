"""Facts from git history, gathered in one pass over the whole repository.

Rules never call git: the loader asks this module once and hands the facts on. One
`git log` over all history costs about as much as a single per-file call, so the
"changed since its last review" rule stays cheap at 10,000 documents. Plain subprocess
rather than GitPython here: the check path must start fast, and we need exactly one
command's output.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


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


def read_git_facts(root: Path, folders: list[str]) -> GitFacts:
    """Read last modification per file under `folders` (paths relative to `root`)."""
    try:
        probe = _git(root, "rev-parse", "--show-toplevel", "--is-shallow-repository")
    except OSError:
        return GitFacts(False, "git is not installed, so changes since review are not checked")
    if probe.returncode != 0:
        return GitFacts(False, "not a git repository, so changes since review are not checked")
    top_text, shallow = probe.stdout.decode("utf-8", "replace").split("\n")[:2]
    if shallow.strip() == "true":
        return GitFacts(
            False,
            "shallow clone: history is incomplete, so changes since review are not checked "
            "(fetch full history, e.g. `git fetch --unshallow`, or `fetch-depth: 0` in CI)",
        )
    top = Path(top_text.strip())
    try:
        prefix = root.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        return GitFacts(False, "the QMS root is outside the git work tree")
    prefix = "" if prefix == "." else prefix + "/"
    pathspecs = [prefix + folder.strip("/") for folder in folders] or ["."]
    log = _git(
        top, "log", "--diff-filter=M", "--no-renames", "--format=%x01%h %as", "-z",
        "--name-only", "--", *pathspecs,
    )
    if log.returncode != 0:
        message = log.stderr.decode("utf-8", "replace").strip()
        if "does not have any commits" in message or "bad default revision" in message:
            return GitFacts(False, "the repository has no commits yet, so changes since review "
                            "are not checked")
        return GitFacts(False, f"git log failed, so changes since review are not checked: "
                        f"{message.splitlines()[0] if message else log.returncode}")
    facts = GitFacts(True)
    _parse_log(log.stdout.decode("utf-8", "replace"), prefix, facts.last_change)
    status = _git(top, "status", "--porcelain=v1", "-z", "--untracked-files=no", "--",
                  *pathspecs)
    if status.returncode == 0:
        for entry in status.stdout.decode("utf-8", "replace").split("\0"):
            if len(entry) > 3 and "M" in entry[:2] and entry[3:].startswith(prefix):
                facts.uncommitted.add(entry[3 + len(prefix):])
    return facts


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
