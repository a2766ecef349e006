"""The one walk over the QMS folders: which files belong to the QMS at all.

The loader (what is checked), the result cache (what a result depends on), `qmskit
pages` and the MkDocs plugin (what is published) all ask here, so a file that `exclude`
keeps out of the check can never end up in the handbook, and a folder that leaves the
repository through a symlink is never read.

Rules, in order: a configured folder that does not resolve to a directory inside the
root is skipped; hidden folders and files (`.name`) are skipped; directory symlinks are
not followed (no loops, no escape); `exclude` patterns (globs relative to the root) are
matched against the root-relative POSIX path. File symlinks are yielded: readers decide,
after resolving them, whether their target may be read.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Iterator
from pathlib import Path


def folder_inside(root: Path, folder: str) -> str | None:
    """The absolute path of a configured folder, or None when it is missing, not a
    directory, or resolves (through symlinks) to somewhere outside the root."""
    base = os.path.join(str(root), folder)  # noqa: PTH118 - hot path, plain strings
    if not os.path.isdir(base):  # noqa: PTH112
        return None
    real_root = os.path.realpath(root)
    real = os.path.realpath(base)
    if real != real_root and not real.startswith(real_root + os.sep):
        return None
    return base


def is_excluded(relative: str, exclude: Iterable[str]) -> bool:
    """True when a root-relative POSIX path matches one of the `exclude` globs."""
    return any(fnmatch.fnmatch(relative, pattern) for pattern in exclude)


def walk(root: Path, folders: Iterable[str], exclude: Iterable[str] = (),
         suffix: str | None = None) -> Iterator[tuple[str, str]]:
    """(absolute path, root-relative POSIX path) of every QMS file, in a stable order.

    `suffix` (e.g. ".md") limits the walk to files with that ending. Plain strings, not
    Path objects: this runs for every file of a 50,000-document QMS and pathlib's
    overhead showed up in profiles.
    """
    patterns = list(exclude)
    seen: set[str] = set()
    prefix_len = len(str(root)) + 1
    for folder in folders:
        base = folder_inside(root, folder)
        if base is None:
            continue
        for current, dirs, files in os.walk(base):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith(".") or (suffix is not None and not name.endswith(suffix)):
                    continue
                path = os.path.join(current, name)  # noqa: PTH118
                if path in seen:
                    continue
                seen.add(path)
                relative = path[prefix_len:].replace(os.sep, "/")
                if patterns and is_excluded(relative, patterns):
                    continue
                yield path, relative
