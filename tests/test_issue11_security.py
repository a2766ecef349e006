"""Issue 11, security: nothing read from the work tree may ever execute code.

A pull request can commit anything, including files that `.gitignore` would keep out
(`git add -f`). The old cache lived in `.qmskit-cache/` in the work tree as pickles, so a
crafted pickle committed there ran a command on the CI runner and on every reviewer's
machine at the next `qmskit check`. These tests commit such payloads and prove that
nothing ran, that the answer is still right, and that `check` writes no cache into the
work tree at all (where a pull request could write it, or `git add -A` pick it up).
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from hostile import committed, run

from qmsfactory import git

CACHE_FILES = ("result.pickle", "documents.pickle")


class _Payload:
    """Unpickling this creates `marker`: proof that the pickle's code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


def _commit_payload(root: Path, marker: Path, names: tuple[str, ...]) -> None:
    folder = root / ".qmskit-cache"
    folder.mkdir(exist_ok=True)
    for name in names:
        # The payload inside the shapes the old cache stored (a dict) and bare.
        (folder / name).write_bytes(pickle.dumps({"key": _Payload(marker),
                                                  "result": _Payload(marker)}))
    git(root, "add", "-f", ".qmskit-cache")
    git(root, "commit", "-q", "-m", "Innocent-looking change", date="2026-02-01")


def _untracked_and_ignored(root: Path) -> str:
    return git(root, "status", "--porcelain", "--ignored", "--untracked-files=all")


@pytest.mark.parametrize("names", [("result.pickle",), ("documents.pickle",), CACHE_FILES],
                         ids=["result", "documents", "both"])
def test_committed_pickle_in_old_cache_location_never_runs(
    names: tuple[str, ...], tmp_path: Path
) -> None:
    repo = committed(tmp_path / "repo")
    marker = tmp_path / "PAYLOAD-RAN"
    _commit_payload(repo.root, marker, names)
    tracked = {name: (repo.root / ".qmskit-cache" / name).read_bytes() for name in names}
    for _ in range(2):  # cold, then warm: neither may load what the work tree holds
        result = run(["check", "."], repo.root)
        assert "Traceback" not in result.text, result.text
        assert result.code == 0, result.text  # the clean baseline stays clean
        assert "0 errors" in result.out
        assert not marker.exists(), "the committed pickle's payload ran during check"
    for name, content in tracked.items():
        assert (repo.root / ".qmskit-cache" / name).read_bytes() == content
    assert _untracked_and_ignored(repo.root) == ""


def test_check_writes_no_cache_into_the_work_tree(tmp_path: Path) -> None:
    repo = committed(tmp_path / "repo")
    for _ in range(2):
        result = run(["check", "."], repo.root)
        assert result.code == 0, result.text
    # Nothing new, not even ignored files: the cache lives in the git directory or in
    # the user's cache directory, where a pull request cannot write it.
    assert _untracked_and_ignored(repo.root) == ""
    assert not (repo.root / ".qmskit-cache").exists()
