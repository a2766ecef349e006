"""Progress on long work: on a terminal's stderr only, never in CI, pipes or
machine-readable output (issue 15)."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys

import pytest

from qmskit import progress
from qmskit.cli import main

from qmsfactory import TODAY, QmsRepo


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("output_format", "env", "stream", "expected"), [
    ("text", {}, _Terminal(), True),
    (None, {}, _Terminal(), True),
    ("text", {}, io.StringIO(), False),  # a pipe or a file
    ("json", {}, _Terminal(), False),
    ("sarif", {}, _Terminal(), False),
    ("text", {"CI": "true"}, _Terminal(), False),
    ("text", {"TERM": "dumb"}, _Terminal(), False),
])
def test_wanted_only_on_a_terminal_for_people(
    monkeypatch: pytest.MonkeyPatch, output_format: str | None, env: dict[str, str],
    stream: io.StringIO, expected: bool,
) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert progress.wanted(output_format, stream) is expected


def test_not_shown_steps_cost_nothing_and_pass_items_through() -> None:
    assert not progress.active()
    assert list(progress.track([1, 2, 3], "Counting")) == [1, 2, 3]
    step = progress.task("Nothing")
    step.advance()
    step.done()
    assert "rich" not in sys.modules or not progress.active()


def test_a_check_prints_nothing_on_stderr_when_it_is_not_a_terminal(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert main(["check", str(clean.root), "--today", TODAY, "--no-cache"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "0 errors" in captured.out


def _on_a_pty(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """Run qmskit with stderr on a pseudo-terminal; (exit code, stdout, what the
    terminal received)."""
    master, slave = pty.openpty()
    try:
        child = subprocess.Popen([sys.executable, "-m", "qmskit", *args], stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=slave, env=env)
        os.close(slave)
        slave = -1
        received = bytearray()
        while True:
            ready, _, _ = select.select([master], [], [], 60)
            if not ready:
                break
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            received += chunk
        out = child.stdout.read().decode() if child.stdout else ""
        return child.wait(60), out, received.decode("utf-8", "replace")
    finally:
        os.close(master)
        if slave >= 0:
            os.close(slave)


@pytest.fixture
def terminal_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update(TERM="xterm-256color", COLUMNS="100")
    return env


def test_a_check_shows_progress_on_a_terminal(clean: QmsRepo,
                                              terminal_env: dict[str, str]) -> None:
    code, out, terminal = _on_a_pty(["check", str(clean.root), "--today", TODAY,
                                     "--no-cache"], terminal_env)
    assert code == 0
    assert "Checking rules" in terminal
    assert "Checking rules" not in out and "0 errors" in out


@pytest.mark.parametrize("setting", ["json", "CI"])
def test_no_progress_for_machines_even_on_a_terminal(
    clean: QmsRepo, terminal_env: dict[str, str], setting: str
) -> None:
    args = ["check", str(clean.root), "--today", TODAY, "--no-cache"]
    if setting == "json":
        args += ["--format", "json"]
    else:
        terminal_env["CI"] = "true"
    code, out, terminal = _on_a_pty(args, terminal_env)
    assert code == 0 and out
    assert terminal == ""
