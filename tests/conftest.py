"""Shared fixtures: real QMS repositories in tmp_path, and the bundled example."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from qmsfactory import QmsRepo

#: Fixtures shared by several test modules (`git_calls` counts git invocations).
pytest_plugins = ["gitcalls"]

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def user_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's cache directory (where caches of QMSs outside git go), per test: tests
    never write into the home directory, and never share a cache by accident."""
    home = tmp_path_factory.mktemp("xdg-cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


@pytest.fixture
def repo(tmp_path: Path) -> QmsRepo:
    """An empty QMS repository (config only)."""
    return QmsRepo(tmp_path / "qms")


@pytest.fixture
def clean(tmp_path: Path) -> QmsRepo:
    """The baseline QMS that passes every rule."""
    root = tmp_path / "qms"
    root.mkdir()
    return QmsRepo(root).baseline()


@pytest.fixture
def example_root() -> Path:
    """The example QMS bundled at the repository root."""
    return REPO_ROOT
