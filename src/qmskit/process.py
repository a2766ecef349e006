"""The one door to programs other than git: mkdocs, Chromium and `gh`.

Git has its own door (`qmskit.git.run`), because it needs a fixed environment and a
reading of git's error messages. Every other program qmskit starts goes through `run`
here, so that a missing program, a timeout and captured output are handled the same
way everywhere: a `QmsError` that says what to do, never a traceback.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from qmskit.errors import QmsError


@dataclass(frozen=True)
class Finished:
    """A program that ran to its end: exit code and its output as text."""

    returncode: int
    stdout: str
    stderr: str


def run(argv: Sequence[str], *, cwd: Path, timeout: float, what: str,
        env: Mapping[str, str] | None = None) -> Finished:
    """Run `argv` in `cwd`, capture its output and wait at most `timeout` seconds.

    `what` names the program in error messages ("Chromium", "`gh issue list`"). A
    program that cannot be started or does not finish in time raises QmsError; a
    non-zero exit is returned for the caller to explain, since only it knows what the
    program's failure means.
    """
    try:
        done = subprocess.run(list(argv), cwd=cwd, capture_output=True, text=True,
                              check=False, timeout=timeout,
                              env=dict(env) if env is not None else None)
    except subprocess.TimeoutExpired:
        raise QmsError(f"{what} did not finish within {timeout:.0f} s") from None
    except OSError as error:
        raise QmsError(f"{what} could not be started ({argv[0]}): {error.strerror or error}"
                       ) from None
    return Finished(done.returncode, done.stdout or "", done.stderr or "")
