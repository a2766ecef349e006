"""Count real git invocations: a `git` wrapper first on PATH logs every call, then runs
the real git. Used to prove that history is read once per process, never once per file."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest


class GitCalls:
    """The git commands run since the wrapper was installed (or since `reset`)."""

    def __init__(self, log: Path) -> None:
        self.log = log

    def calls(self) -> list[list[str]]:
        """Each call's arguments, without the `-c key=value` options qmskit adds."""
        if not self.log.exists():
            return []
        found = []
        for line in self.log.read_text(encoding="utf-8").splitlines():
            args = line.split("\x1f")
            while len(args) >= 2 and args[0] == "-c":
                args = args[2:]
            found.append(args)
        return found

    def commands(self) -> list[str]:
        """The git subcommand of each call, in order."""
        return [args[0] if args else "" for args in self.calls()]

    def reset(self) -> None:
        """Forget the calls so far."""
        self.log.unlink(missing_ok=True)


@pytest.fixture
def git_calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitCalls:
    """Log every git invocation from here on (this process and its children)."""
    real = shutil.which("git")
    assert real is not None
    folder = tmp_path / "git-wrapper"
    folder.mkdir()
    log = tmp_path / "git-calls.log"
    wrapper = folder / "git"
    # One line per call, arguments separated by \x1f (they may hold spaces).
    wrapper.write_text("#!/bin/sh\n"
                       f"(IFS=$(printf '\\037'); printf '%s\\n' \"$*\") >> '{log}'\n"
                       f"exec '{real}' \"$@\"\n", encoding="utf-8")
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return GitCalls(log)
