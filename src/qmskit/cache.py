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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CACHE_DIR = ".qmskit-cache"
_FORMAT = 1

StatKey = tuple[int, int, int]


def stat_key(info: os.stat_result) -> StatKey:
    """(size, mtime in ns, inode): the parts of a stat that change when content may have."""
    return (info.st_size, info.st_mtime_ns, info.st_ino)


def digest(raw: bytes) -> bytes:
    """A content hash; blake2b is fast and collision-safe for this purpose."""
    return hashlib.blake2b(raw, digest_size=16).digest()


def _code_fingerprint() -> str:
    """Hash of the modules whose behaviour shapes cached entries."""
    from qmskit import __version__

    package = Path(__file__).parent
    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(f"{_FORMAT}:{__version__}".encode())
    for name in ("frontmatter.py", "loader.py", "kpidata.py", "cache.py", "gitinfo.py",
                 "model/documents.py", "model/types.py"):
        try:
            hasher.update((package / name).read_bytes())
        except OSError:
            hasher.update(name.encode())
    return hasher.hexdigest()


@dataclass
class Cache:
    """Entries by relative path and by content hash; `dirty` when something changed."""

    path: Path | None
    key: str
    by_path: dict[str, tuple[StatKey, bytes, Any]] = field(default_factory=dict)
    by_digest: dict[bytes, Any] = field(default_factory=dict)
    git: Any = None
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
        return cache

    def get(self, relative: str, info: os.stat_result) -> Any:
        """The entry for an unchanged file, or None."""
        entry = self.by_path.get(relative)
        if entry is not None and entry[0] == stat_key(info):
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
            directory.mkdir(exist_ok=True)
            ignore = directory / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Created by qmskit: a local cache, never committed.\n*\n",
                                  encoding="utf-8")
            with tempfile.NamedTemporaryFile(dir=directory, delete=False,
                                             prefix=".documents-", suffix=".tmp") as handle:
                pickle.dump({"key": self.key, "by_path": self.by_path, "git": self.git},
                            handle, protocol=pickle.HIGHEST_PROTOCOL)
            Path(handle.name).replace(self.path)
        except OSError:
            return
        self.dirty = False
