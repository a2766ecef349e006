"""Caches that make a repeated check fast: parsed documents, KPI series, git facts and
whole check results.

Where they live: never in the work tree, where a pull request could commit one. Inside
the repository's git directory (`git rev-parse --git-common-dir`, then
`qmskit/<hash of the QMS root>/`, one folder per QMS root and linked work tree), or,
outside git, in the user's cache directory (`$XDG_CACHE_HOME/qmskit/<hash>/`, by
default `~/.cache`). Nothing is ever read from the old `.qmskit-cache/` in the work
tree.

What they hold: JSON, which cannot run code when read, validated field by field. A
damaged, truncated, foreign, version-mismatched or hostile file is ignored and the run
is cold: never wrong, never a crash. Only regular files of bounded size are read.

Correctness first: an entry is reused only when the file's size, modification time and
inode are unchanged (what git's index trusts), or, failing that, when the file's content
hash matches (a checkout that rewrote identical bytes). Entries are stored without their
path, so a renamed file hits too, and every cache is keyed by the qmskit version, the
source of qmskit's code and the config, so an upgrade or a config change can never
serve stale results. Writing is atomic and failures to write are silent: a read-only
checkout simply runs cold.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qmskit.git.repo import GitRepo
from qmskit.git.run import GitError, run
from qmskit.walk import walk

#: Bumped whenever the layout of a cache file changes.
FORMAT = 3
#: Like git's "racy" check: a file modified this close to when the cache was written may
#: have changed again within the same timestamp tick, so its stat alone is not trusted.
RACY_NS = 2_000_000_000
#: A cache file larger than this is not read (a 50,000-document cache is ~30 MB).
MAX_CACHE_BYTES = 512 * 1024 * 1024

StatKey = tuple[int, int, int]


def stat_key(info: os.stat_result) -> StatKey:
    """(size, mtime in ns, inode): the parts of a stat that change when content may have."""
    return (info.st_size, info.st_mtime_ns, info.st_ino)


def digest(raw: bytes) -> str:
    """A content hash; blake2b is fast and collision-safe for this purpose."""
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def _code_fingerprint() -> str:
    """Hash of the modules whose behaviour shapes cached entries."""
    from qmskit import __version__

    package = Path(__file__).parent
    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(f"{FORMAT}:{__version__}".encode())
    # Every module can shape a result (rules, reporters, schedule), so all of them count,
    # and so do the built-in clause catalogues (A601/A602 read them); hashing ~80 small
    # files costs about a millisecond.
    for path in sorted([*package.rglob("*.py"), *package.glob("model/catalogues/*.toml")]):
        try:
            hasher.update(path.read_bytes())
        except OSError:
            hasher.update(str(path).encode())
    return hasher.hexdigest()


# --- where ------------------------------------------------------------------------------

def _root_key(root: Path) -> str:
    return hashlib.blake2b(str(root.resolve()).encode("utf-8", "surrogateescape"),
                           digest_size=10).hexdigest()


def user_cache_home() -> Path:
    """The user's cache directory (XDG Base Directory), outside any repository."""
    configured = os.environ.get("XDG_CACHE_HOME", "")
    if configured and Path(configured).is_absolute():
        return Path(configured)
    return Path.home() / ".cache"


def cache_dir(root: Path, repo: GitRepo | None) -> Path:
    """Where the caches of the QMS at `root` live: `<git dir>/qmskit/<root hash>/` in a
    repository, else `<user cache>/qmskit/<root hash>/`. Never in the work tree."""
    base = repo.git_dir / "qmskit" if repo is not None else user_cache_home() / "qmskit"
    return base / _root_key(root)


def locate(root: Path) -> GitRepo | None:
    """The repository around `root`, or None (then the user's cache directory is used)."""
    try:
        return GitRepo.at(root)
    except GitError:
        return None


def read_json(path: Path) -> Any:
    """The JSON in `path`, or None: missing, not a regular file, too large, damaged."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_CACHE_BYTES:
            return None
        with os.fdopen(fd, "rb") as handle:
            fd = -1
            raw = handle.read(MAX_CACHE_BYTES + 1)
        return json.loads(raw)
    except (OSError, ValueError, RecursionError):
        return None
    finally:
        if fd >= 0:
            os.close(fd)


def write_json(path: Path, data: object, *, sweep: bool = True) -> bool:
    """Write atomically (temporary file, then rename); never raise: a cache that cannot
    be written only means the next run is cold. True when written. With `sweep`,
    temporary files a killed writer left behind are removed first (a cache of many
    entries sweeps its folder once, itself, rather than on every write)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        text = json.dumps(data, separators=(",", ":"))
        prefix = f".{path.stem}-"
        if sweep:
            for stale in path.parent.glob(f"{prefix}*.tmp"):
                if stale.lstat().st_mtime < time.time() - 600:
                    stale.unlink(missing_ok=True)
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(text)
            Path(name).replace(path)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
    except (OSError, ValueError, TypeError):
        return False
    return True


def header_ok(stored: object, kind: str, key: str) -> bool:
    """True when `stored` is a cache file of this format, `kind` and `key`."""
    return (isinstance(stored, dict) and stored.get("qmskit_cache") == FORMAT
            and stored.get("kind") == kind and stored.get("key") == key
            and isinstance(stored.get("written_at"), int))


def cache_key(config_fingerprint: str) -> str:
    """The key every cache entry of one code base and one config is stored under."""
    config_key = hashlib.blake2b(config_fingerprint.encode(), digest_size=16).hexdigest()
    return f"{_code_fingerprint()}:{config_key}"


def load_payload(path: Path, kind: str, key: str) -> Any:
    """The payload of a cache file written by `store_payload` with the same kind and
    key; None when there is none, or it is damaged, foreign or from another version."""
    stored = read_json(path)
    return stored.get("payload") if header_ok(stored, kind, key) else None


def store_payload(path: Path, kind: str, key: str, payload: object, *,
                  sweep: bool = True) -> bool:
    """Write a JSON payload with the header `load_payload` checks (atomic, silent; see
    `write_json`). True when written."""
    return write_json(path, {"qmskit_cache": FORMAT, "kind": kind, "key": key,
                             "written_at": time.time_ns(), "payload": payload}, sweep=sweep)


# --- parsed files -----------------------------------------------------------------------

def _stat_entry(value: object) -> tuple[StatKey, str, Any] | None:
    if (isinstance(value, list) and len(value) == 5
            and all(type(v) is int for v in value[:3]) and isinstance(value[3], str)):
        return (value[0], value[1], value[2]), value[3], value[4]
    return None


@dataclass
class Cache:
    """Parsed files by root-relative path and by content hash, as JSON values the loader
    encodes and decodes (and validates); `dirty` when something changed."""

    path: Path | None
    key: str
    by_path: dict[str, tuple[StatKey, str, Any]] = field(default_factory=dict)
    by_digest: dict[str, Any] = field(default_factory=dict)
    written_at: int = 0
    dirty: bool = False
    hits: int = 0
    misses: int = 0

    @classmethod
    def open(cls, root: Path, config_fingerprint: str, repo: GitRepo | None = None) -> Cache:
        """Load the cache for `root`, or start an empty one on any mismatch or damage."""
        key = cache_key(config_fingerprint)
        cache = cls(cache_dir(root, repo) / "documents.json", key)
        stored = read_json(cache.path) if cache.path is not None else None
        if not header_ok(stored, "documents", key):
            return cache
        assert isinstance(stored, dict)
        files = stored.get("files")
        if not isinstance(files, dict):
            return cache
        for relative, value in files.items():
            entry = _stat_entry(value)
            if entry is None:
                return cls(cache.path, key)  # one malformed entry: trust none of it
            cache.by_path[relative] = entry
            cache.by_digest[entry[1]] = entry[2]
        cache.written_at = stored["written_at"]
        return cache

    def get(self, relative: str, info: os.stat_result) -> Any:
        """The stored value for an unchanged file, or None."""
        entry = self.by_path.get(relative)
        if (entry is not None and entry[0] == stat_key(info)
                and info.st_mtime_ns < self.written_at - RACY_NS):
            self.hits += 1
            return entry[2]
        return None

    def get_by_content(self, relative: str, info: os.stat_result, content: bytes) -> Any:
        """The stored value for a file whose bytes were seen before (under any path)."""
        key = digest(content)
        value = self.by_digest.get(key)
        if value is not None:
            self.by_path[relative] = (stat_key(info), key, value)
            self.dirty = True
            self.hits += 1
        return value

    def put(self, relative: str, info: os.stat_result, content: bytes, value: Any) -> None:
        """Remember the JSON `value` of parsing `content` found at `relative`."""
        key = digest(content)
        self.by_path[relative] = (stat_key(info), key, value)
        self.by_digest[key] = value
        self.dirty = True
        self.misses += 1

    def drop(self, relative: str) -> None:
        """Forget a file's entry (its value could not be decoded)."""
        if self.by_path.pop(relative, None) is not None:
            self.dirty = True

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
        write_json(self.path, {
            "qmskit_cache": FORMAT, "kind": "documents", "key": self.key,
            "written_at": time.time_ns(),
            "files": {name: [*entry[0], entry[1], entry[2]]
                      for name, entry in self.by_path.items()},
        })
        self.dirty = False


# --- whole results ----------------------------------------------------------------------

def _stat_files(root: Path, folders: list[str], exclude: list[str],
                extra: Iterable[str]) -> list[tuple[str, StatKey]]:
    """Stat keys of every QMS file (the one walker's view) plus the `extra` paths it does
    not see (every other file the check read: KPI data and the ledger when they are
    hidden, excluded or outside the folders)."""
    found: list[tuple[str, StatKey]] = []
    seen: set[str] = set()
    for path, relative in walk(root, folders, exclude):
        seen.add(relative)
        try:
            found.append((relative, stat_key(os.stat(path))))  # noqa: PTH116
        except OSError:
            found.append((relative, (-1, -1, -1)))
    base = str(root)
    for relative in extra:
        if relative in seen:
            continue
        try:
            found.append(("+" + relative, stat_key(os.stat(os.path.join(base, relative)))))  # noqa: PTH116, PTH118
        except OSError:
            found.append(("+" + relative, (-1, -1, -1)))
    return found


def git_state(root: Path, repo: GitRepo | None) -> bytes:
    """HEAD and the work tree's changes: what C403 depends on besides file content."""
    if repo is None:
        return b"no repository"
    try:
        status = run(repo.top, "status", "--porcelain=v2", "-z", "--untracked-files=no",
                     "--no-renames", "--ignore-submodules", check=False)
    except GitError:
        return b"no git"
    return (repo.head.encode() + b"|" + status.stdout + b"|"
            + str(status.returncode).encode())


class ResultCache:
    """The whole check result, reused when nothing it depends on has changed.

    It depends on: qmskit's code, the config, the evaluation date and rule selection,
    the stat of every file in the QMS folders and of every other file the check read
    (KPI data and the acknowledgement ledger, wherever they are), and git's HEAD and
    work-tree status. Any difference, or any file modified within the racy window of
    the cached run, means a full check. The result is stored as JSON the caller encodes
    and decodes.
    """

    def __init__(self, root: Path, folders: list[str], settings: str,
                 exclude: list[str] | None = None) -> None:
        self.root = root
        self.repo = locate(root)
        self.path = cache_dir(root, self.repo) / "result.json"
        self.folders = folders
        self.exclude = exclude or []
        self.settings = settings
        stored = read_json(self.path)
        key = _code_fingerprint()
        self.stored: dict[str, Any] = stored if header_ok(stored, "result", key) else {}
        self.key = key
        extra = self.stored.get("extra", [])
        self.extra = ([p for p in extra if isinstance(p, str)]
                      if isinstance(extra, list) else [])
        self._stated: list[tuple[str, StatKey]] | None = None
        self._git = b""
        self._fingerprinted = ""

    def _fingerprint(self, extra: Iterable[str]
                     ) -> tuple[str, int, list[tuple[str, StatKey]]]:
        stated = _stat_files(self.root, self.folders, self.exclude, extra)
        return (*self._hash(stated, git_state(self.root, self.repo)), stated)

    def _hash(self, stated: list[tuple[str, StatKey]], git: bytes) -> tuple[str, int]:
        hasher = hashlib.blake2b(digest_size=20)
        hasher.update(self.key.encode())
        hasher.update(self.settings.encode())
        newest = 0
        for path, key in stated:
            hasher.update(f"{path}\0{key}\n".encode("utf-8", "surrogateescape"))
            newest = max(newest, key[1])
        hasher.update(git)
        return hasher.hexdigest(), newest

    def stat(self) -> list[tuple[str, StatKey]]:
        """The stat of every file the result depends on, taken once, now (before the
        check reads anything): the walk's files, then the other files the last check
        read, marked with a leading `+`. `load` and `save` use this one look, so a file
        changed while the check runs is seen as changed by the next one."""
        if self._stated is None:
            self._stated = _stat_files(self.root, self.folders, self.exclude, self.extra)
            self._git = git_state(self.root, self.repo)
        return self._stated

    def walked(self) -> list[tuple[str, StatKey]]:
        """The walk's part of `stat()`: every file in the QMS folders."""
        return [(path, key) for path, key in self.stat() if not path.startswith("+")]

    def load(self) -> Any:
        """The cached result (as stored JSON) if still valid, else None."""
        if not self.stored:
            return None
        fingerprint, newest = self._hash(self.stat(), self._git)
        self._fingerprinted = fingerprint
        if (fingerprint != self.stored.get("fingerprint")
                or newest >= self.stored["written_at"] - RACY_NS):
            return None
        return self.stored.get("result")

    def save(self, result: Any, extra: Iterable[str]) -> None:
        """Store `result` (JSON); `extra` are the files the check read besides the
        Markdown files (the walk does not see hidden files, nor anything outside)."""
        wanted = sorted(set(extra))
        stated = self.stat()
        walked = {path for path, _ in stated}
        others = [p for p in wanted if p not in walked]
        if [path[1:] for path, _ in stated if path.startswith("+")] != others:
            # The check read other files than the last one: stat those now.
            stated = [*self.walked(), *_stat_files(self.root, [], [], others)]
            fingerprint, _ = self._hash(stated, self._git)
        else:
            fingerprint = self._fingerprinted or self._hash(stated, self._git)[0]
        read = [path[1:] for path, _ in stated if path.startswith("+")]
        write_json(self.path, {"qmskit_cache": FORMAT, "kind": "result", "key": self.key,
                               "fingerprint": fingerprint, "extra": read,
                               "written_at": time.time_ns(), "result": result})
