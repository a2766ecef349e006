"""The git repository around a QMS: revisions, trees and blobs, read with few git calls.

`qmskit diff` reads both sides of a change from here (one `ls-tree` per revision, one
`cat-file --batch` for every blob) without touching the work tree.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qmskit.errors import QmsError


@dataclass(frozen=True)
class TreeEntry:
    """One file of a revision, as `git ls-tree -l` lists it."""

    mode: str
    sha: str
    size: int
    path: str  # relative to the repository top


@dataclass(frozen=True)
class GitRepo:
    """The git repository around a QMS root; `prefix` is the root relative to the top."""

    top: Path
    prefix: str

    @classmethod
    def at(cls, root: Path) -> GitRepo:
        """Find the repository containing `root`; QmsError when there is none."""
        try:
            done = subprocess.run(["git", "rev-parse", "--show-toplevel", "--show-prefix"],
                                  cwd=root, capture_output=True, check=False)
        except OSError:
            raise QmsError("git is not installed; qmskit needs it to read revisions") from None
        if done.returncode != 0:
            raise QmsError(f"{root}: not inside a git repository")
        top, prefix = [*done.stdout.decode("utf-8", "replace").split("\n"), "", ""][:2]
        return cls(Path(top.strip()), prefix.strip())

    def run(self, *args: str, stdin: bytes | None = None) -> bytes:
        """Run git in the top folder; a failure becomes a QmsError with git's message."""
        done = subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=self.top,
                              input=stdin, capture_output=True, check=False)
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise QmsError(f"git {args[0]} failed: {message[0] if message else done.returncode}")
        return done.stdout

    def commit(self, rev: str) -> str:
        """The full hash of a revision; QmsError naming the revision when it is unknown."""
        if rev.startswith("-"):
            raise QmsError(f"{rev!r} is not a git revision")
        done = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
                              cwd=self.top, capture_output=True, check=False)
        if done.returncode != 0:
            raise QmsError(f"unknown git revision {rev!r}; fetch it first (in CI: "
                           "`fetch-depth: 0`)")
        return done.stdout.decode().strip()

    def tree(self, commit: str) -> list[TreeEntry]:
        """Every regular file of `commit` under the QMS root (symlinks and submodules are
        left out: they could point outside the repository)."""
        args = ["ls-tree", "-r", "-l", "-z", "--full-tree", commit]
        if self.prefix:
            args += ["--", self.prefix]
        entries = []
        for record in self.run(*args).decode("utf-8", "replace").split("\0"):
            if not record:
                continue
            meta, _, path = record.partition("\t")
            mode, kind, sha, size = meta.split()
            if kind != "blob" or mode not in ("100644", "100755"):
                continue
            entries.append(TreeEntry(mode, sha, int(size), path))
        return entries

    def cat(self, specs: Sequence[str]) -> list[bytes | None]:
        """Contents of many objects (`sha` or `rev:path`) from one `git cat-file --batch`;
        None for a missing one."""
        if not specs:
            return []
        out = self.run("cat-file", "--batch", stdin="".join(s + "\n" for s in specs).encode())
        results: list[bytes | None] = []
        pos = 0
        for _ in specs:
            eol = out.index(b"\n", pos)
            header = out[pos:eol].split()
            pos = eol + 1
            if len(header) < 3 or header[-1] == b"missing":
                results.append(None)
                continue
            size = int(header[2])
            results.append(out[pos:pos + size])
            pos += size + 1
        return results

    def history(self, path: str) -> list[str]:
        """Commits that touched `path` (relative to the top), newest first."""
        out = self.run("log", "--format=%H", "--", path)
        return out.decode().split()


def tracked_under(path: Path) -> list[str]:
    """Files git tracks at or below `path` (which need not exist), in whichever repository
    holds it, as git's index lists them (committed or staged); [] outside any repository.

    `qmskit pages --force` asks before it replaces anything: nothing git tracks may be
    deleted or overwritten by generated output. A repository git refuses to read (a
    corrupt index, "dubious ownership") raises a QmsError rather than answering "none".
    """
    anchor = path
    while not anchor.is_dir() and anchor != anchor.parent:
        anchor = anchor.parent
    spec = os.path.relpath(path, anchor)
    try:
        # Untranslated messages: "not a git repository" is told apart by its text.
        done = subprocess.run(["git", "--literal-pathspecs", "-c", "core.quotepath=off",
                               "ls-files", "-z", "--", spec],
                              cwd=anchor, capture_output=True, check=False,
                              env={**os.environ, "LC_ALL": "C", "LANGUAGE": ""})
    except OSError:
        return []  # no git installed: nothing here can be known to be tracked
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        if "not a git repository" in message:
            return []
        first = message.splitlines()[0] if message else f"exit {done.returncode}"
        raise QmsError(f"{path}: cannot tell whether git tracks files there ({first})")
    return [name for name in done.stdout.decode("utf-8", "replace").split("\0") if name]
