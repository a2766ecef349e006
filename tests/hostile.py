"""Helpers for the hostile-input tests of issue 11: real processes with timeouts, sentinels
outside the repository, snapshots of the work tree.

Only the public surface is used: `qmskit.cli.main`, the `qmskit` module run as a process,
files on disk and real git repositories. Nothing here imports qmskit's internals.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from qmskit.cli import main

from qmsfactory import QmsRepo, init_git

#: Text that lives only outside the repository: it must never show up in any output,
#: any file inside the repository, or any generated site.
SENTINEL = "SENTINEL-OUTSIDE"

#: How long a command on a small QMS may take before we call it a hang.
HANG_SECONDS = 8.0


@dataclass
class Run:
    """What a command did: exit code and its two output streams."""

    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        """Both streams, for "never printed" and "no traceback" assertions."""
        return self.out + self.err


def cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> Run:
    """Run the CLI in-process (as the rest of the suite does) and capture its output."""
    capsys.readouterr()
    code = main(args)
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


class HangError(AssertionError):
    """A command did not finish within its time limit (it was killed)."""


def run(args: list[str], cwd: Path, timeout: float = HANG_SECONDS,
        env: dict[str, str] | None = None,
        preexec: Callable[[], None] | None = None) -> Run:
    """Run `python -m qmskit ARGS` as a real process in its own process group.

    On timeout the whole group (qmskit and any git or browser it started) is killed and
    `HangError` is raised, so a hang fails the test quickly instead of blocking the suite.
    """
    return run_command([sys.executable, "-m", "qmskit", *args], cwd, timeout, env, preexec)


def run_command(command: list[str], cwd: Path, timeout: float = HANG_SECONDS,
                env: dict[str, str] | None = None,
                preexec: Callable[[], None] | None = None) -> Run:
    """Run any command like `run` does (own process group, killed on timeout)."""
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    environment.pop("QMSKIT_TODAY", None)
    proc = subprocess.Popen(command, cwd=cwd, env=environment, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=preexec)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        message = f"{' '.join(command)} did not finish within {timeout} s\n{out}{err}"
        raise HangError(message) from None
    return Run(proc.returncode, out, err)


def committed(root: Path, date: str = "2026-01-15") -> QmsRepo:
    """The clean baseline QMS at `root`, committed once."""
    repo = QmsRepo(root).baseline()
    init_git(repo.root, date=date)
    return repo


def outside(tmp_path: Path) -> Path:
    """A folder beside the repository holding files that only contain the sentinel."""
    folder = tmp_path / "outside"
    folder.mkdir(exist_ok=True)
    (folder / "secret").write_text(f"{SENTINEL}:x:0:0:root:/root:/bin/sh\n", encoding="utf-8")
    return folder


def snapshot(root: Path) -> dict[str, bytes]:
    """Every regular file under `root` (outside `.git`) and its bytes; symlinks as their
    target text, so a replaced link shows up as a change."""
    files: dict[str, bytes] = {}
    for current, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not (Path(current) == root and d == ".git")]
        for name in names + [d for d in dirs if (Path(current) / d).is_symlink()]:
            path = Path(current) / name
            relative = path.relative_to(root).as_posix()
            if path.is_symlink():
                files[relative] = b"-> " + str(path.readlink()).encode()
            elif path.is_file():
                files[relative] = path.read_bytes()
    return files


def files_containing(root: Path, needle: str) -> list[str]:
    """Files under `root` (symlinks not followed) whose bytes contain `needle`."""
    hits = []
    for current, _dirs, names in os.walk(root):
        for name in names:
            path = Path(current) / name
            if path.is_file() and not path.is_symlink() and needle.encode() in path.read_bytes():
                hits.append(path.relative_to(root).as_posix())
    return hits


def assert_clean_failure(result: Run, code: int = 2) -> None:
    """A clear message with the given exit code, and no traceback."""
    assert "Traceback" not in result.text, result.text
    assert result.code == code, (result.code, result.text)
    assert result.text.strip(), "a failure must say why"


def located(text: str, path: str, code: str | None = None) -> bool:
    """Whether `text` holds a `path:line:col: CODE` finding for `path`."""
    wanted = re.escape(code) if code else r"[A-Z]\d+"
    pattern = rf"^{re.escape(path)}:\d+:\d+: {wanted}\b"
    return re.search(pattern, text, flags=re.MULTILINE) is not None


class FolderWatch:
    """Calls `on_event(mask, name)` from a thread for inotify events in one folder (Linux).

    Lets a test act at the exact moment another process touches a file (a second writer
    appending right after qmskit read the file, or a kill right after it created its
    temporary file) without patching qmskit.
    """

    CLOSE_NOWRITE = 0x10  # a file opened read-only was closed: someone just read it
    CREATE = 0x100  # a name was created in the folder

    def __init__(self, folder: Path, mask: int, on_event: Callable[[int, str], None]) -> None:
        import ctypes
        import ctypes.util
        import threading

        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        self.fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0 or libc.inotify_add_watch(self.fd, os.fsencode(folder), mask) < 0:
            raise OSError(ctypes.get_errno(), "inotify is not available")
        self.on_event = on_event
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        import select
        import struct

        while not self.stopping.is_set():
            ready, _, _ = select.select([self.fd], [], [], 0.02)
            if not ready:
                continue
            data = os.read(self.fd, 65536)
            offset = 0
            while offset < len(data):
                _wd, mask, _cookie, length = struct.unpack_from("iIII", data, offset)
                name = data[offset + 16:offset + 16 + length].rstrip(b"\0").decode()
                offset += 16 + length
                self.on_event(mask, name)

    def close(self) -> None:
        """Stop after the events already queued have been handled."""
        import time

        time.sleep(0.1)
        self.stopping.set()
        self.thread.join()
        os.close(self.fd)
