"""The one door to git: every git process qmskit starts is started here.

One runner means one environment and one reading of git's errors. Git is run with
messages in English (its errors are recognised by their text), without optional locks
(a background `git status` must never hold the index lock while the user commits),
without a pager, colour or signature output that a user's config could switch on, and
with paths printed verbatim. A failure becomes a `GitError` whose message says what
happened and what to do: git missing, not a repository, a repository git refuses to
read ("dubious ownership"), a damaged index, a missing object, no commits yet.

Plain `subprocess` rather than GitPython: the check path needs a handful of git
commands, GitPython's import alone costs about 50 ms, and it runs the git executable
for these commands anyway.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from qmskit.errors import QmsError

#: Options every git command gets: paths printed as they are, no colour.
_OPTIONS = ("-c", "core.quotepath=off", "-c", "color.ui=never")


class GitError(QmsError):
    """git could not do what qmskit asked; the message says why and what to do."""


class NotARepositoryError(GitError):
    """The folder is not inside a git work tree."""


@dataclass(frozen=True)
class Done:
    """A finished git command: exit code, output bytes and its error text."""

    args: tuple[str, ...]
    returncode: int
    stdout: bytes
    stderr: str

    @property
    def ok(self) -> bool:
        """True when git exited 0."""
        return self.returncode == 0

    def error(self) -> GitError:
        """The failure as a GitError with an explained message."""
        message = explain(self.args, self.stderr, self.returncode)
        return (NotARepositoryError if message == NOT_A_REPOSITORY else GitError)(message)


def environment() -> dict[str, str]:
    """The environment git runs in: the user's, with messages in English and no
    optional locks or prompts."""
    return {**os.environ, "LC_ALL": "C", "LANGUAGE": "", "GIT_OPTIONAL_LOCKS": "0",
            "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat"}


NOT_A_REPOSITORY = "not a git repository"
_NOT_INSTALLED = ("git is not installed (or not on PATH); qmskit reads history and "
                  "revisions with it: install git")


def run(cwd: Path, *args: str, stdin: bytes | None = None, check: bool = True,
        writes: bool = False) -> Done:
    """Run `git ARGS` in `cwd` and wait; with `check`, a failure raises GitError.

    `writes` marks a command that changes the repository (a commit): it runs in the
    user's own environment, since it may run the user's hooks.
    """
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"} if writes else environment()
    try:
        done = subprocess.run(["git", *_OPTIONS, *args], cwd=cwd, input=stdin,
                              capture_output=True, check=False, env=env)
    except OSError as error:
        raise GitError(_NOT_INSTALLED if isinstance(error, FileNotFoundError)
                       else f"git could not be started: {error}") from None
    result = Done(args, done.returncode, done.stdout,
                  done.stderr.decode("utf-8", "replace").strip())
    if check and not result.ok:
        raise result.error()
    return result


class Background:
    """A git command running in the background while this process does other work.

    Output goes to a temporary file rather than a pipe, so a long history never blocks
    git on a full pipe that nobody reads yet.
    """

    def __init__(self, cwd: Path, *args: str) -> None:
        """Start `git ARGS` in `cwd`; GitError when git cannot be started."""
        self.args = args
        self._out: IO[bytes] = tempfile.TemporaryFile()
        try:
            self._proc = subprocess.Popen(["git", *_OPTIONS, *args], cwd=cwd,
                                          stdout=self._out, stderr=subprocess.PIPE,
                                          stdin=subprocess.DEVNULL, env=environment())
        except OSError as error:
            self._out.close()
            raise GitError(_NOT_INSTALLED if isinstance(error, FileNotFoundError)
                           else f"git could not be started: {error}") from None
        self._done: Done | None = None

    def wait(self) -> Done:
        """Wait for git and return what it printed (once; later calls return the same)."""
        if self._done is None:
            _, stderr = self._proc.communicate()
            self._out.seek(0)
            stdout = self._out.read()
            self._out.close()
            self._done = Done(self.args, self._proc.returncode, stdout,
                              stderr.decode("utf-8", "replace").strip())
        return self._done

    def stop(self) -> None:
        """Stop git if it still runs (its output is no longer wanted)."""
        if self._done is None:
            if self._proc.poll() is None:
                self._proc.kill()
            self._proc.communicate()
            self._out.close()
            self._done = Done(self.args, -1, b"", "stopped")


_DUBIOUS = re.compile(r"dubious ownership in repository at '([^']*)'")
_MISSING_OBJECT = ("bad object", "missing blob", "missing tree", "unable to read",
                   "could not read", "missing object", "corrupt")


def explain(args: Sequence[str], stderr: str, returncode: int) -> str:
    """git's error, in words a user can act on (the first line of git's own message is
    kept, so nothing git said is lost)."""
    lines = [line.removeprefix("fatal: ").removeprefix("error: ")
             for line in stderr.splitlines() if line.strip()]
    first = lines[0] if lines else f"exit code {returncode}"
    text = stderr.lower()
    dubious = _DUBIOUS.search(stderr)
    if dubious:
        where = dubious.group(1)
        return (f"git refuses to read the repository at {where}: it belongs to another "
                "user ('dubious ownership'). If you trust it, allow it with "
                f"`git config --global --add safe.directory {where}`")
    if "not a git repository" in text:
        return NOT_A_REPOSITORY
    if "index file" in text or "bad index" in text or "bad signature" in text:
        return (f"the git index (.git/index) is damaged ({first}); rebuild it with "
                "`rm .git/index && git reset` (your files are kept; stage again what was "
                "staged)")
    if "does not have any commits" in text or "bad default revision" in text:
        return "the repository has no commits yet"
    if any(marker in text for marker in _MISSING_OBJECT):
        return (f"the git repository is missing data ({first}); it may be a partial or "
                "damaged clone: run `git fsck`, or clone it again")
    command = args[0] if args else "git"
    return f"git {command} failed: {first}"


def parse_batch(output: bytes, count: int) -> list[bytes | None]:
    """The objects of a `git cat-file --batch` answer to `count` requests, in order;
    None for a missing or unreadable one."""
    results: list[bytes | None] = []
    pos = 0
    for _ in range(count):
        eol = output.find(b"\n", pos)
        if eol < 0:
            results.append(None)
            continue
        header = output[pos:eol].split()
        pos = eol + 1
        # "<sha> <type> <size>", or "<spec> missing" / "<spec> ambiguous".
        if len(header) != 3 or not header[2].isdigit():
            results.append(None)
            continue
        size = int(header[2])
        results.append(output[pos:pos + size])
        pos += size + 1
    return results


def cat_file(cwd: Path, specs: Sequence[str]) -> list[bytes | None]:
    """Contents of many objects (`sha`, or `rev:path`) from ONE `git cat-file --batch`;
    None for a missing one. A spec with a line break cannot be asked for and is None."""
    if not specs:
        return []
    asked = [spec for spec in specs if "\n" not in spec]
    done = run(cwd, "cat-file", "--batch",
               stdin="".join(spec + "\n" for spec in asked).encode("utf-8", "surrogateescape"))
    found = iter(parse_batch(done.stdout, len(asked)))
    return [None if "\n" in spec else next(found) for spec in specs]
