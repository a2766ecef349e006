"""A cache of parsed documents, KPI series and git facts, so a repeated check is fast.

Correctness first: an entry is reused only when the file's size, modification time and
inode are unchanged (what git's index trusts), or, failing that, when the file's content
hash matches (a checkout that rewrote identical bytes). Entries are stored without their
path, so a renamed file hits too, and the whole cache is keyed by the qmskit version,
the source of the parsing code and the config, so an upgrade or a config change can
never serve stale results. The cache lives in `.qmskit-cache/` at the QMS root and
ignores itself in git. Writing is atomic and failures to write are silent: a read-only
checkout simply runs cold.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qmskit.walk import walk

CACHE_DIR = ".qmskit-cache"
_FORMAT = 2
#: Like git's "racy" check: a file modified this close to when the cache was written may
#: have changed again within the same timestamp tick, so its stat alone is not trusted.
RACY_NS = 2_000_000_000

StatKey = tuple[int, int, int]


def stat_key(info: os.stat_result) -> StatKey:
    """(size, mtime in ns, inode): the parts of a stat that change when content may have."""
    return (info.st_size, info.st_mtime_ns, info.st_ino)


def digest(raw: bytes) -> bytes:
    """A content hash; blake2b is fast and collision-safe for this purpose."""
    return hashlib.blake2b(raw, digest_size=16).digest()


def ensure_cache_dir(directory: Path) -> None:
    """Create the cache folder with a .gitignore that ignores everything in it."""
    directory.mkdir(exist_ok=True)
    ignore = directory / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Created by qmskit: a local cache, never committed.\n*\n",
                          encoding="utf-8")


def _code_fingerprint() -> str:
    """Hash of the modules whose behaviour shapes cached entries."""
    from qmskit import __version__

    package = Path(__file__).parent
    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(f"{_FORMAT}:{__version__}".encode())
    # Every module can shape a result (rules, reporters, schedule), so all of them count,
    # and so do the built-in clause catalogues (A601/A602 read them); hashing ~50 small
    # files costs about a millisecond.
    for path in sorted([*package.rglob("*.py"), *package.glob("model/catalogues/*.toml")]):
        try:
            hasher.update(path.read_bytes())
        except OSError:
            hasher.update(str(path).encode())
    return hasher.hexdigest()


@dataclass
class Cache:
    """Entries by relative path and by content hash; `dirty` when something changed."""

    path: Path | None
    key: str
    by_path: dict[str, tuple[StatKey, bytes, Any]] = field(default_factory=dict)
    by_digest: dict[bytes, Any] = field(default_factory=dict)
    git: Any = None
    written_at: int = 0
    dirty: bool = False
    hits: int = 0
    misses: int = 0

    @classmethod
    def open(cls, root: Path, config_fingerprint: str) -> Cache:
        """Load the cache for `root`, or start an empty one on any mismatch or damage."""
        key = f"{_code_fingerprint()}:{config_fingerprint}"
        path = root / CACHE_DIR / "documents.pickle"
        cache = cls(path, key)
        try:
            with path.open("rb") as handle:
                stored = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError,
                ValueError, TypeError):
            return cache
        if isinstance(stored, dict) and stored.get("key") == key:
            cache.by_path = stored.get("by_path", {})
            cache.by_digest = {entry[1]: entry[2] for entry in cache.by_path.values()}
            cache.git = stored.get("git")
            cache.written_at = int(stored.get("written_at", 0))
        return cache

    def get(self, relative: str, info: os.stat_result) -> Any:
        """The entry for an unchanged file, or None."""
        entry = self.by_path.get(relative)
        if (entry is not None and entry[0] == stat_key(info)
                and info.st_mtime_ns < self.written_at - RACY_NS):
            self.hits += 1
            return entry[2]
        return None

    def get_by_content(self, relative: str, info: os.stat_result, content: bytes) -> Any:
        """The entry for a file whose bytes were seen before (under any path), or None."""
        key = digest(content)
        value = self.by_digest.get(key)
        if value is not None:
            self.by_path[relative] = (stat_key(info), key, value)
            self.dirty = True
            self.hits += 1
        return value

    def put(self, relative: str, info: os.stat_result, content: bytes, value: Any) -> None:
        """Remember the outcome of parsing `content` found at `relative`."""
        key = digest(content)
        self.by_path[relative] = (stat_key(info), key, value)
        self.by_digest[key] = value
        self.dirty = True
        self.misses += 1

    def forget_missing(self, present: set[str]) -> None:
        """Drop entries of files that no longer exist, so the cache does not grow forever."""
        gone = [name for name in self.by_path if name not in present]
        for name in gone:
            del self.by_path[name]
        if gone:
            self.dirty = True

    def save(self) -> None:
        """Write atomically; never fail the check because the cache could not be written."""
        if self.path is None or not self.dirty:
            return
        directory = self.path.parent
        try:
            ensure_cache_dir(directory)
            with tempfile.NamedTemporaryFile(dir=directory, delete=False,
                                             prefix=".documents-", suffix=".tmp") as handle:
                pickle.dump({"key": self.key, "by_path": self.by_path, "git": self.git,
                             "written_at": time.time_ns()},
                            handle, protocol=pickle.HIGHEST_PROTOCOL)
            Path(handle.name).replace(self.path)
        except OSError:
            return
        self.dirty = False


def _stat_files(root: Path, folders: list[str], exclude: list[str],
                extra: list[str]) -> list[tuple[str, StatKey]]:
    """Stat keys of every QMS file (the one walker's view) plus `extra` paths."""
    found: list[tuple[str, StatKey]] = []
    for path, _ in walk(root, folders, exclude):
        try:
            found.append((path, stat_key(os.stat(path))))  # noqa: PTH116
        except OSError:
            found.append((path, (-1, -1, -1)))
    for relative in extra:
        try:
            found.append((relative, stat_key(os.stat(root / relative))))  # noqa: PTH116
        except OSError:
            found.append((relative, (-1, -1, -1)))
    return found


def _git_state(root: Path) -> bytes:
    """HEAD and the working tree's modifications: what C403 depends on besides content."""
    import subprocess

    try:
        head = subprocess.run(["git", "rev-parse", "-q", "--verify", "HEAD"], cwd=root,
                              capture_output=True, check=False)
        status = subprocess.run(["git", "status", "--porcelain=v1", "-z",
                                 "--untracked-files=no"], cwd=root, capture_output=True,
                                check=False)
    except OSError:
        return b"no git"
    return head.stdout + b"|" + status.stdout + bytes([head.returncode, status.returncode])


class ResultCache:
    """The whole check result, reused when nothing it depends on has changed.

    It depends on: qmskit's code, the config, the evaluation date and rule selection,
    the stat of every file in the QMS folders (and KPI data files outside them), and
    git's HEAD and working-tree status. Any difference, or any file modified within
    the racy window of the cached run, means a full check.
    """

    def __init__(self, root: Path, folders: list[str], settings: str,
                 exclude: list[str] | None = None) -> None:
        self.path = root / CACHE_DIR / "result.pickle"
        self.root = root
        self.folders = folders
        self.exclude = exclude or []
        self.settings = settings
        self.extra: list[str] = []
        stored: dict[str, Any] = {}
        try:
            with self.path.open("rb") as handle:
                loaded = pickle.load(handle)
            if isinstance(loaded, dict):
                stored = loaded
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError,
                ValueError, TypeError):
            stored = {}
        self.stored = stored
        extra = stored.get("extra", [])
        self.extra = [p for p in extra if isinstance(p, str)] if isinstance(extra, list) else []

    def _fingerprint(self, extra: list[str]) -> tuple[str, int]:
        hasher = hashlib.blake2b(digest_size=20)
        hasher.update(_code_fingerprint().encode())
        hasher.update(self.settings.encode())
        newest = 0
        for path, key in _stat_files(self.root, self.folders, self.exclude, extra):
            hasher.update(f"{path}\0{key}\n".encode())
            newest = max(newest, key[1])
        hasher.update(_git_state(self.root))
        return hasher.hexdigest(), newest

    def load(self) -> Any:
        """The cached result if still valid, else None."""
        if not self.stored:
            return None
        fingerprint, newest = self._fingerprint(self.extra)
        written = int(self.stored.get("written_at", 0))
        if fingerprint != self.stored.get("fingerprint") or newest >= written - RACY_NS:
            return None
        return self.stored.get("result")

    def save(self, result: Any, extra: list[str]) -> None:
        """Store `result`; `extra` are data files outside the QMS folders it read."""
        fingerprint, _ = self._fingerprint(sorted(extra))
        try:
            ensure_cache_dir(self.path.parent)
            with tempfile.NamedTemporaryFile(dir=self.path.parent, delete=False,
                                             prefix=".result-", suffix=".tmp") as handle:
                pickle.dump({"fingerprint": fingerprint, "extra": sorted(extra),
                             "written_at": time.time_ns(), "result": result},
                            handle, protocol=pickle.HIGHEST_PROTOCOL)
            Path(handle.name).replace(self.path)
        except OSError:
            return
