"""Which files the handbook publishes: the one answer for `qmskit pages` and the plugin.

Both ask the one walker of the QMS (`qmskit.walk`), so a file that `exclude` keeps out of
the check is never published, whether it lies in the builder's docs_dir or in a QMS
folder outside it (`procedures/`), and hidden files and symlinked folders are left out
alike. A file symlink is published only when it resolves to a regular file inside the
repository: a committed link to `/etc/passwd` must not end up in the handbook.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from qmskit.walk import walk


@dataclass(frozen=True)
class Source:
    """One published file: where it is, and its docs-relative source path (`src`)."""

    path: str  # absolute
    src: str  # relative to docs_dir (inside it) or to the QMS root (QMS folders outside it)
    in_docs_dir: bool


@dataclass(frozen=True)
class Sources:
    """Every file the handbook publishes, and the files left out for leaving the root."""

    files: list[Source]
    refused: list[str] = field(default_factory=list)  # root-relative paths


def _folder_arg(relative: str) -> str:
    # `walk` joins the folder to the root and strips `len(root) + 1` characters; "." would
    # give "./name" paths that no `exclude` pattern matches.
    return "" if relative in ("", ".") else relative


def readable_inside(real_root: str, path: str) -> bool:
    """True when `path`, symlinks resolved, is a regular file inside the root."""
    real = os.path.realpath(path)
    if real != real_root and not real.startswith(real_root + os.sep):
        return False
    try:
        return stat.S_ISREG(os.stat(real).st_mode)  # noqa: PTH116 - per file, plain str
    except OSError:
        return False


def site_sources(root: Path, docs_dir: str | None, folders: Iterable[str],
                 exclude: Iterable[str]) -> Sources:
    """The files a build of the handbook publishes, in a stable order.

    `docs_dir` is the builder's docs folder relative to the root, or None when it lies
    outside the root (then only the QMS folders are walked here; `exclude` patterns are
    root-relative and cannot name files outside it). From docs_dir every file (pages,
    images, stylesheets); from QMS folders outside it the Markdown files.
    """
    patterns = list(exclude)
    real_root = os.path.realpath(root)
    found: list[Source] = []
    refused: list[str] = []
    docs_prefix = "" if docs_dir in (None, "", ".") else f"{docs_dir.strip('/')}/"

    def take(path: str, relative: str, src: str, in_docs: bool) -> None:
        if readable_inside(real_root, path):
            found.append(Source(path, src, in_docs))
        else:
            refused.append(relative)

    if docs_dir is not None:
        for path, relative in walk(root, [_folder_arg(docs_dir)], patterns):
            take(path, relative, relative[len(docs_prefix):], True)
    real_docs = os.path.realpath(root / docs_dir) if docs_dir is not None else None
    outside: list[str] = []
    for folder in folders:
        real = os.path.realpath(root / folder)
        if real_docs is not None and (real == real_docs or real.startswith(real_docs + os.sep)):
            continue
        outside.append(folder)
    for path, relative in walk(root, outside, patterns, ".md"):
        if docs_dir is not None and (not docs_prefix or relative.startswith(docs_prefix)):
            continue  # a QMS folder that contains docs_dir: those files are published above
        take(path, relative, relative, False)
    return Sources(found, refused)
