"""Every file qmskit reads or writes in a repository goes through here.

A repository is hostile input: a pull request can commit a symlink to `/proc/self/environ`
where CODEOWNERS belongs, a ledger folder that points at `/etc`, or a FIFO where a
document should be. One module decides, for every reader and writer alike:

- **Inside, after resolving.** A path counts as inside the repository only when its real
  path (every symlink resolved) is; the spelling does not matter (`Root.resolve`).
- **Regular files only, never blocking.** A file is opened with `O_NONBLOCK` and
  `O_NOFOLLOW` on its real path, checked with `fstat`, and refused unless it is a
  regular file of bounded size: a FIFO or a device can never hang a check (`read`).
- **Atomic, race-checked writes.** New content goes to a temporary file in the target's
  own folder (created with the user's umask, flushed with fsync) and is renamed into
  place. Before the rename the target must still be exactly what was read (the same
  inode, size, modification time and content hash); if another program changed it
  meanwhile, the write is refused with `ChangedError`, carrying the file as it is now so
  the caller can redo its edit on top (`replace`; `qmskit.edit.edit_file` does). A change
  that slips in between the check and the rename is caught after it, through the handle
  still open on the old file, so even that is not lost. A symlink inside the repository
  is written through to its target (when that is inside too), never replaced by a plain
  file; a new file is never created over an existing name, not even a dangling link.
- **No leftovers.** Temporary files carry qmskit's own prefix and the writer's process
  id; one left by a killed writer is removed by the next write in that folder.
- **Clear errors.** Anything refused or failed is a `PathError` (a `QmsError`, exit 2)
  that says what and where: never a raw `OSError` traceback.

This module imports nothing from qmskit but `errors`, so every layer can use it.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass

from qmskit.errors import QmsError

#: Largest file read when the caller sets no limit (the config's `max_file_size` ceiling).
MAX_SIZE = 100_000_000
#: A temporary file older than this is stale even if its writer's pid is in use again.
STALE_SECONDS = 3600

_TEMP_MARK = ".qmskit-"
_TEMP = re.compile(r"\A\..*\.qmskit-(\d+)-[0-9a-f]{8}\.tmp\Z", re.DOTALL)
_OUTSIDE = "resolves to a place outside the repository"
_OUTSIDE_HINT = "qmskit reads and writes only inside the repository; keep the file there"

#: Test hook: called as `race_hook(stage, real_path)` at the moments another writer
#: matters: "check" (new content written, the target not yet verified) and "rename"
#: (verified, not yet renamed). None in normal runs; tests use it to run a real second
#: writer at exactly that moment, which makes a race deterministic.
race_hook: Callable[[str, str], None] | None = None


class PathError(QmsError):
    """A file qmskit will not or cannot read or write (exit 2).

    `where` names the file as the user knows it, `reason` says what is wrong without the
    path (readers turn it into a located finding), `hint` what to do.
    """

    def __init__(self, where: str, reason: str, hint: str = "") -> None:
        self.where, self.reason, self.hint = where, reason, hint
        super().__init__(f"{where}: {reason}" + (f"; {hint}" if hint else ""))


class MissingError(PathError):
    """The file does not exist."""


class ExistsError(PathError):
    """The file to create exists already (qmskit never overwrites on create)."""


class ChangedError(PathError):
    """Another program changed the file between qmskit's read and its write.

    `now` is the file as it is now, to redo the edit on; nothing of the other program's
    change has been overwritten.
    """

    def __init__(self, where: str, now: Snapshot) -> None:
        super().__init__(where, "was changed by another program while qmskit was writing it",
                         "nothing of that change was lost; run the command again")
        self.now = now


def describe(error: OSError) -> str:
    """A short, plain reason for an OS error (no errno numbers, no traceback)."""
    reasons = {
        errno.EACCES: "permission denied", errno.EPERM: "permission denied",
        errno.EROFS: "the file system is read-only",
        errno.ENOSPC: "no space left on the device",
        errno.EDQUOT: "the disk quota is exhausted",
        errno.EFBIG: "the file is too large for the file system or the size limit "
                     "(is the disk full?)",
        errno.ENOTDIR: "a part of the path is not a folder",
        errno.ENOENT: "does not exist", errno.EISDIR: "is a folder, not a file",
        errno.ELOOP: "is a symlink loop", errno.ENAMETOOLONG: "the name is too long",
    }
    return reasons.get(error.errno or 0) or (error.strerror or str(error)).lower()


def explain(error: OSError) -> str:
    """One line for an OS error nobody turned into a specific message: the file it is
    about and the reason (the CLI's last resort, so no traceback reaches a user)."""
    def name(value: object) -> str:
        return os.fsdecode(value) if isinstance(value, (str, bytes)) else str(value)

    where = name(error.filename) if error.filename is not None else "qmskit"
    other = f" -> {name(error.filename2)}" if error.filename2 is not None else ""
    return f"{where}{other}: {describe(error)}"


def os_error(error: OSError, where: str, action: str) -> PathError:
    """`error` as a PathError: "WHERE: cannot ACTION: REASON" (MissingError for a file
    to read that does not exist)."""
    if isinstance(error, FileNotFoundError) and action == "read it":
        return MissingError(where, "does not exist")
    return PathError(where, f"cannot {action}: {describe(error)}")


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "folder"), (stat.S_ISFIFO, "FIFO (named pipe)"),
                       (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISLNK, "symlink")):
        if test(mode):
            return name
    return "special file"


def _regular(info: os.stat_result, where: str) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise PathError(where, f"is a {_kind(info.st_mode)}, not a regular file",
                        "replace it with a regular file")


def _too_large(size: int, max_size: int, where: str) -> PathError:
    return PathError(where, f"is {size:,} bytes, over the {max_size:,}-byte limit",
                     "split it, or raise max_file_size in qmskit.toml")


def _open_regular(real: str, where: str) -> tuple[int, os.stat_result]:
    """An open descriptor on the regular file at `real` (no symlink followed, never
    blocking), with its fstat; refuses anything else without reading from it."""
    try:
        _regular(os.stat(real), where)  # do not even open a device or a FIFO
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC
                     | getattr(os, "O_NOCTTY", 0))
    except OSError as error:
        raise os_error(error, where, "read it") from None
    except ValueError:  # an embedded NUL byte
        raise PathError(where, "the path contains a NUL byte") from None
    try:
        info = os.fstat(fd)
        _regular(info, where)  # swapped for something else since the stat above
    except BaseException:
        os.close(fd)
        raise
    return fd, info


def _read_fd(fd: int, max_size: int, where: str, size: int) -> bytes:
    if size > max_size:
        raise _too_large(size, max_size, where)
    chunks: list[bytes] = []
    total = 0
    try:
        while total <= max_size:
            chunk = os.pread(fd, min(1 << 20, max_size + 1 - total), total)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as error:
        raise os_error(error, where, "read it") from None
    if total > max_size:  # it grew while being read
        raise _too_large(total, max_size, where)
    return b"".join(chunks)


def read_regular(path: str | os.PathLike[str], max_size: int = MAX_SIZE,
                 where: str | None = None) -> bytes:
    """The bytes of the regular file at `path` (a resolved path: see `Root.read` for one
    that must stay inside a repository); PathError for anything else."""
    name = where or os.fspath(path)
    fd, info = _open_regular(os.fspath(path), name)
    try:
        return _read_fd(fd, max_size, name, info.st_size)
    finally:
        os.close(fd)


def _hash(content: bytes) -> bytes:
    """The content hash `_digest` computes from a descriptor, of bytes in hand."""
    return hashlib.blake2b(content + str(len(content)).encode(), digest_size=32).digest()


def _digest(fd: int, size: int) -> bytes:
    hasher = hashlib.blake2b(digest_size=32)
    offset = 0
    while offset < size:
        chunk = os.pread(fd, min(1 << 20, size - offset), offset)
        if not chunk:
            break
        hasher.update(chunk)
        offset += len(chunk)
    hasher.update(str(offset).encode())
    return hasher.digest()


@dataclass
class Snapshot:
    """A file as qmskit read it for an edit, and the proof of whether it still is.

    `data` is the text to edit. `fd` stays open on the file that a write will replace;
    its identity, size, modification time and content hash at read time are kept, so a
    write can check, just before its rename, that nobody changed it. Close it (or use it
    as a context manager) when done.
    """

    where: str
    real: str
    data: bytes
    fd: int
    dev: int
    ino: int
    size: int
    mtime_ns: int
    digest: bytes

    @classmethod
    def of(cls, where: str, real: str, data: bytes, fd: int,
           content: bytes | None = None) -> Snapshot:
        """Snapshot the file open at `fd`, whose content is `content` (default: `data`,
        the text to edit). The hash is of the bytes in hand, never re-read: a change
        between the read and this call then shows as a mismatch, not as the baseline."""
        info = os.fstat(fd)
        return cls(where, real, data, fd, info.st_dev, info.st_ino, info.st_size,
                   info.st_mtime_ns, _hash(data if content is None else content))

    def unchanged(self) -> bool:
        """True while `real` still names the same file with the same content."""
        try:
            now = os.lstat(self.real)
            info = os.fstat(self.fd)
        except OSError:
            return False
        return ((now.st_dev, now.st_ino) == (self.dev, self.ino)
                and (info.st_size, info.st_mtime_ns) == (self.size, self.mtime_ns)
                and _digest(self.fd, info.st_size) == self.digest)

    def still_same_content(self) -> bool:
        """True while the open file's content is unchanged (it may have been renamed over)."""
        try:
            info = os.fstat(self.fd)
            return info.st_size == self.size and _digest(self.fd, info.st_size) == self.digest
        except OSError:  # pragma: no cover - the descriptor is ours
            return False

    def close(self) -> None:
        """Release the descriptor (idempotent)."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> Snapshot:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _remove_folders(created: list[str]) -> None:
    """Remove folders a failed write created (innermost first; only if still empty)."""
    for folder in reversed(created):
        with contextlib.suppress(OSError):
            os.rmdir(folder)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. EPERM: it exists, it belongs to someone else
        return True
    return True


def clean_stale_temps(directory: str) -> list[str]:
    """Remove temporary files that a killed qmskit writer left in `directory`.

    Only names with qmskit's own temporary-file pattern are touched, and only when their
    writer's process is gone (or the file is older than an hour, in case the pid was
    reused). Returns the names removed.
    """
    removed: list[str] = []
    try:
        names = [n for n in os.listdir(directory) if _TEMP_MARK in n and n.endswith(".tmp")]
    except OSError:
        return removed
    now = time.time()
    for name in names:
        match = _TEMP.match(name)
        if match is None:
            continue
        path = os.path.join(directory, name)
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        if _alive(int(match.group(1))) and now - info.st_mtime < STALE_SECONDS:
            continue
        with contextlib.suppress(OSError):
            os.unlink(path)
            removed.append(name)
    return removed


def _temp_name(name: str) -> str:
    return f".{name[:180]}{_TEMP_MARK}{os.getpid()}-{os.urandom(4).hex()}.tmp"


def _write_temp(directory: str, name: str, data: bytes, mode: int | None,
                where: str) -> tuple[str, int]:
    """A synced temporary file beside the target, and a descriptor open on it.

    Created with mode 0666 so the kernel applies the user's umask, as for any new file
    (`mode`, the replaced file's permission bits, overrides it). The caller renames or
    links it into place, then closes the descriptor.
    """
    temp = os.path.join(directory, _temp_name(name))
    try:
        fd = os.open(temp, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                     0o666)
    except OSError as error:
        raise os_error(error, where, "write it") from None
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        if mode is not None:
            os.fchmod(fd, mode)
        os.fsync(fd)
    except BaseException as error:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(error, OSError):
            raise os_error(error, where, "write it") from None
        raise
    return temp, fd


def _sync_directory(directory: str) -> None:
    """Make a rename durable (best effort: not every file system allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _hook(stage: str, real: str) -> None:
    if race_hook is not None:
        race_hook(stage, real)


class Root:
    """A repository root that every path is checked against, after resolving symlinks.

    Real paths of folders are memoised per instance (thousands of documents share a few
    folders), so make one per load or command, not one for the life of a process.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.path = os.path.abspath(root)
        self.real = os.path.realpath(root)
        self._prefix = os.path.join(self.real, "")
        self._dirs: dict[str, str] = {}

    @classmethod
    def for_output(cls, root: str | os.PathLike[str], output: str | os.PathLike[str]) -> Root:
        """The root a user-named output file is held to.

        Spelled inside the repository, it must also resolve inside (a committed symlink
        cannot lead the write out); spelled elsewhere, it is where the user asked for it,
        held to its nearest existing folder.
        """
        repo = cls(root)
        spelled = os.path.abspath(output)
        for base in (repo.path, repo.real):
            if spelled == base or spelled.startswith(os.path.join(base, "")):
                return repo
        folder = os.path.dirname(spelled)
        while not os.path.isdir(folder) and os.path.dirname(folder) != folder:
            folder = os.path.dirname(folder)
        return cls(folder)

    def resolve(self, path: str | os.PathLike[str]) -> str:
        """The real path of `path` (relative paths are taken from the root)."""
        text = os.path.join(self.path, os.fspath(path))
        if "\0" in text:
            raise PathError(os.fspath(path), "the path contains a NUL byte")
        directory, name = os.path.split(text)
        if name in ("", ".", ".."):
            return os.path.realpath(text)
        real_dir = self._dirs.get(directory)
        if real_dir is None:
            real_dir = self._dirs[directory] = os.path.realpath(directory)
        real = os.path.join(real_dir, name)
        if os.path.islink(real):
            real = os.path.realpath(real)
        return real

    def contains(self, real: str) -> bool:
        """True when the real path `real` is the root or lies under it."""
        return real == self.real or real.startswith(self._prefix)

    def inside(self, path: str | os.PathLike[str], where: str | None = None) -> str:
        """The real path of `path`; PathError when it leads outside the repository."""
        real = self.resolve(path)
        if not self.contains(real):
            raise PathError(where or os.fspath(path), _OUTSIDE, _OUTSIDE_HINT)
        return real

    def relative(self, path: str | os.PathLike[str]) -> str:
        """`path` relative to the root as spelled (POSIX), for messages; else as given."""
        text = os.path.abspath(os.path.join(self.path, os.fspath(path)))
        if text.startswith(os.path.join(self.path, "")):
            return text[len(self.path) + 1:].replace(os.sep, "/")
        return os.fspath(path)

    # --- reading -----------------------------------------------------------------------

    def stat(self, path: str | os.PathLike[str], where: str | None = None
             ) -> tuple[str, os.stat_result]:
        """Real path and stat of a regular file inside the repository (nothing opened)."""
        name = where or self.relative(path)
        real = self.inside(path, name)
        try:
            info = os.stat(real)
        except OSError as error:
            raise os_error(error, name, "read it") from None
        _regular(info, name)
        return real, info

    def read(self, path: str | os.PathLike[str], max_size: int = MAX_SIZE,
             where: str | None = None) -> bytes:
        """The bytes of a regular file inside the repository; PathError (MissingError when it
        does not exist) for anything else."""
        name = where or self.relative(path)
        return read_regular(self.inside(path, name), max_size, name)

    def open_for_edit(self, path: str | os.PathLike[str], max_size: int = MAX_SIZE,
                      where: str | None = None) -> Snapshot:
        """The file read for an edit, with the handle that guards it (see `Snapshot`)."""
        name = where or self.relative(path)
        real = self.inside(path, name)
        fd, info = _open_regular(real, name)
        try:
            data = _read_fd(fd, max_size, name, info.st_size)
            return Snapshot.of(name, real, data, fd)
        except BaseException:
            os.close(fd)
            raise

    # --- writing -----------------------------------------------------------------------

    def make_dirs(self, directory: str | os.PathLike[str], where: str | None = None
                  ) -> list[str]:
        """Create `directory` and its missing parents inside the repository; returns the
        folders created (outermost first).

        Each folder is created under the real path of an existing one that is inside, so
        no symlink can lead the creation out.
        """
        name = where or self.relative(directory)
        text = os.path.join(self.path, os.fspath(directory))
        missing: list[str] = []
        while not os.path.lexists(text):
            text, part = os.path.split(text)
            if not part:  # pragma: no cover - the root always exists
                break
            missing.append(part)
        real = self.inside(text, name)
        if not os.path.isdir(real):
            raise PathError(name, f"cannot write it: {self.relative(text)} is not a folder")
        created: list[str] = []
        for part in reversed(missing):
            real = os.path.join(real, part)
            try:
                os.mkdir(real)
                created.append(real)
            except FileExistsError:
                real = self.inside(real, name)
            except OSError as error:
                _remove_folders(created)
                raise os_error(error, name, "create its folder") from None
        return created

    def target(self, path: str | os.PathLike[str], name: str, parents: bool = False) -> str:
        """Where a write to `path` lands: its real path (a symlink inside the repository
        is written through). Its folder must exist, or with `parents` be creatable (the
        writer creates it, and removes it again if the write fails)."""
        real = self.inside(path, name)
        directory = os.path.dirname(real)
        if os.path.isdir(directory):
            return real
        shown = self.relative(os.path.dirname(os.path.join(self.path, os.fspath(path))))
        if os.path.lexists(directory):
            raise PathError(name, f"cannot write it: {shown} is not a folder")
        if not parents:
            raise PathError(name, f"cannot write it: the folder {shown} does not exist",
                            "create the folder first")
        return real

    def create(self, path: str | os.PathLike[str], data: bytes, where: str | None = None,
               *, parents: bool = False) -> None:
        """Create `path` with `data`, atomically, never over an existing file or link.

        The content is written and synced under a temporary name, then hard-linked to the
        final name: the link fails if the name is taken, even by a file another process
        created a moment ago, so nobody ever sees a half-written file. Folders created
        for it (`parents`) are removed again when the write fails.
        """
        name = where or self.relative(path)
        if os.path.lexists(os.path.join(self.path, os.fspath(path))):  # a dangling link too
            raise ExistsError(name, "already exists; qmskit never overwrites a file")
        real = self.target(path, name, parents)
        directory, base = os.path.split(real)
        created = [] if os.path.isdir(directory) else self.make_dirs(directory, name)
        try:
            self._create(real, directory, base, data, name)
        except BaseException:
            _remove_folders(created)
            raise

    def _create(self, real: str, directory: str, base: str, data: bytes, name: str) -> None:
        clean_stale_temps(directory)
        temp, fd = _write_temp(directory, base, data, None, name)
        try:
            _hook("rename", real)
            os.link(temp, real)
        except FileExistsError:
            raise ExistsError(name, "already exists; qmskit never overwrites a file") from None
        except OSError as error:
            if error.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                raise os_error(error, name, "write it") from None
            # A file system without hard links: the exclusive create is one step less safe.
            if os.path.lexists(real):
                raise ExistsError(name, "already exists; qmskit never overwrites a file") from None
            try:
                os.rename(temp, real)
            except OSError as rename_error:
                raise os_error(rename_error, name, "write it") from None
        finally:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(temp)
        _sync_directory(directory)

    def replace(self, path: str | os.PathLike[str], data: bytes, read: Snapshot | None,
                where: str | None = None) -> None:
        """Replace the file at `path` with `data` in one step (readers see the old or the
        new file, never a mix); the file's permission bits are kept.

        With `read` (the snapshot the new content was computed from), the file must still
        be what was read: otherwise `ChangedError` is raised with the file as it is now and
        nothing is written. A change that lands between that check and the rename went
        into the old file, which `read` still holds open: the new file stays, and
        `ChangedError` carries the other program's version with a guard on the new file, so
        the caller's redo replaces exactly what qmskit wrote.
        """
        name = where or self.relative(path)
        real = self.target(path, name, parents=False)
        directory, base = os.path.split(real)
        clean_stale_temps(directory)
        try:
            current = os.lstat(real)
            mode: int | None = stat.S_IMODE(current.st_mode)
            _regular(current, name)
        except FileNotFoundError:
            mode = None
            if read is not None:
                raise PathError(name, "was deleted or moved by another program while qmskit "
                                "was editing it; nothing was written") from None
        except OSError as error:
            raise os_error(error, name, "write it") from None
        temp, fd = _write_temp(directory, base, data, mode, name)
        renamed = False
        try:
            _hook("check", real)
            if read is not None and not read.unchanged():
                raise ChangedError(name, self.open_for_edit(path, MAX_SIZE, name))
            _hook("rename", real)
            try:
                os.rename(temp, real)
            except OSError as error:
                raise os_error(error, name, "write it") from None
            renamed = True
            _sync_directory(directory)
            if read is not None and not read.still_same_content():
                # Written to the old file after the check: redo on top of it, guarding
                # the file just renamed into place.
                late = _read_fd(read.fd, MAX_SIZE, name, os.fstat(read.fd).st_size)
                guard, fd = Snapshot.of(name, real, late, fd, data), -1
                raise ChangedError(name, guard)
        finally:
            if fd >= 0:
                os.close(fd)
            if not renamed:
                with contextlib.suppress(OSError):
                    os.unlink(temp)


def inside(root: str | os.PathLike[str], path: str | os.PathLike[str]) -> bool:
    """True when `path` (symlinks resolved) lies inside `root`."""
    files = Root(root)
    try:
        return files.contains(files.resolve(path))
    except PathError:
        return False
