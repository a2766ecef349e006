"""Check the QMS, then write its handbook as a docs tree: `qmskit pages` and `qmskit pdf`.

One sequence for both, so the PDF can never be made from a QMS that `qmskit pages` (and
the MkDocs plugin) would refuse:

1. the output location is looked at before any work: a path under a file, or a folder
   nobody may write, is an error at once, not after the build;
2. the output must be a place of its own: not the repository's QMS folders or docs_dir,
   nothing that contains the QMS or its configs, and nothing git tracks (`--force`
   replaces OUT/docs, so it must never be able to delete a tracked file). Paths are
   compared after resolving symlinks and `..`, so `qms_docs/..` or a link to `.` is seen
   for what it is;
3. the QMS is loaded and checked; with error-level findings nothing is written;
4. the tree is written into a staging folder inside OUT and moved into place, so a full
   disk leaves the previous handbook, not half of a new one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from qmskit.config import load_config
from qmskit.errors import QmsError
from qmskit.git.repo import tracked_under
from qmskit.loader import load_qms
from qmskit.qms import Qms
from qmskit.rules.checker import CheckResult, run_checks
from qmskit.site.context import SiteContext
from qmskit.site.layout import Layout
from qmskit.site.tree import layout_options, read_builder_config, write_tree

_STAGING = ".qmskit-pages-"


@dataclass
class Publication:
    """The outcome: the checked QMS, its findings, and what was written (nothing when the
    QMS has errors)."""

    qms: Qms
    today: date
    result: CheckResult
    builder_config: dict[str, Any]
    written: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        """True when error-level findings kept the handbook from being written."""
        return self.result.errors > 0


def _within(path: Path, folder: Path) -> bool:
    """`path` is `folder` or lies below it (both already resolved)."""
    return path == folder or path.is_relative_to(folder)


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def check_writable_location(out: Path) -> None:
    """Fail fast (QmsError) when `out` cannot become a folder we write into."""
    anchor = out
    while not anchor.exists() and not anchor.is_symlink() and anchor != anchor.parent:
        anchor = anchor.parent
    if anchor == out and not out.is_dir():
        raise QmsError(f"{out}: exists and is not a folder; choose a folder for the handbook")
    if not anchor.is_dir():
        raise QmsError(f"{out}: cannot be created, {anchor} is not a folder")
    if not os.access(anchor, os.W_OK | os.X_OK):
        raise QmsError(f"{out}: cannot write in {anchor} (permission denied); choose "
                       "another output folder")


def guard_output(out: Path, *, root: Path, folders: list[Path], configs: list[Path],
                 force: bool) -> None:
    """Refuse an output that would overwrite or delete anything of the repository.

    `folders`: the QMS folders and docs_dir (OUT must not be, contain, or lie inside
    one); `configs`: files the build reads (OUT must not contain them). Raises QmsError.
    """
    real_out = _real(out)
    targets = [real_out, _real(out / "docs"), _real(out / "mkdocs.yml")]
    real_root = _real(root)
    for target in targets:
        if _within(real_root, target):
            raise QmsError(f"{out}: is or contains the QMS root {root}; choose a folder "
                           "outside the repository, or an untracked one inside it")
        for folder in folders:
            real = _real(folder)
            if _within(real, target) or _within(target, real):
                raise QmsError(f"{out}: is, contains or lies inside {folder}, which holds "
                               "the QMS's own files; choose a folder outside it")
        for config in configs:
            if _within(_real(config), target):
                raise QmsError(f"{out}: contains {config}, which the build reads; choose "
                               "another folder")
    exists = (out / "docs").exists() or (out / "docs").is_symlink() \
        or (out / "mkdocs.yml").exists()
    if exists and not force:
        raise QmsError(f"{out} already holds a handbook; pass --force to replace it")
    tracked = tracked_under(real_out)
    if tracked:
        raise QmsError(f"{out}: git tracks {len(tracked)} file(s) there (e.g. {tracked[0]}); "
                       "qmskit pages never replaces tracked files: choose an untracked "
                       "folder (for example one listed in .gitignore)")
    docs = out / "docs"
    if docs.is_dir() and not docs.is_symlink():
        for current, dirs, files in os.walk(docs):
            if ".git" in dirs or ".git" in files:
                raise QmsError(f"{Path(current) / '.git'}: a git repository inside "
                               f"{docs}; --force would delete it, so nothing is replaced")


def publish(root: Path, out: Path, *, mkdocs_config: Path | None = None,
            config_path: Path | None = None, today: date | None = None,
            force: bool = False) -> Publication:
    """Check the QMS at `root`, then write its handbook to `out` (OUT/docs, OUT/mkdocs.yml).

    Raises QmsError for an unusable output or config; returns a refused Publication,
    with nothing written, when the QMS has error-level findings.
    """
    root = root.absolute()
    out = out.absolute()
    check_writable_location(out)
    config, found_config = load_config(root, config_path)
    mkdocs_yml = (mkdocs_config.absolute() if mkdocs_config is not None
                  else root / "mkdocs.yml")
    if mkdocs_config is not None and not mkdocs_yml.is_file():
        raise QmsError(f"{mkdocs_yml}: MkDocs config not found")
    has_builder = mkdocs_yml.is_file()
    builder = read_builder_config(mkdocs_yml) if has_builder else {}
    fallback = config.folders[0] if config.folders else "docs"
    docs_dir, directory_urls, section = layout_options(builder, fallback)
    real_root = _real(root)
    if has_builder:  # docs_dir in mkdocs.yml is relative to that file
        absolute = _real(mkdocs_yml.parent / docs_dir)
        if not absolute.is_relative_to(real_root):
            raise QmsError(f"{mkdocs_yml}: docs_dir {docs_dir!r} is outside the QMS root")
        docs_dir = absolute.relative_to(real_root).as_posix()
    guard_output(out, root=root,
                 folders=[root / f for f in config.folders] + [root / docs_dir],
                 configs=[p for p in (found_config, mkdocs_yml if has_builder else None)
                          if p is not None],
                 force=force)
    qms = load_qms(root, config, full_history=True)
    day = qms.evaluation_date(today)
    result = run_checks(qms, day)
    publication = Publication(qms, day, result, builder)
    if publication.refused:
        return publication
    ctx = SiteContext.create(qms, today=day, result=result,
                             layout=Layout(docs_dir, directory_urls, section))
    publication.written = _write(ctx, out, builder, mkdocs_yml.parent)
    return publication


def _write(ctx: SiteContext, out: Path, builder: dict[str, Any], config_dir: Path) -> list[str]:
    """Write the tree into a staging folder inside OUT, then move it into place."""
    staging: Path | None = None
    try:
        out.mkdir(parents=True, exist_ok=True)
        for leftover in out.glob(f"{_STAGING}*"):  # from a run that was killed
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)
        staging = Path(tempfile.mkdtemp(prefix=_STAGING, dir=out))
        written = write_tree(ctx, staging, builder, config_dir)
        docs = out / "docs"
        if docs.is_symlink() or docs.is_file():
            docs.unlink()  # the link, never what it points to
        elif docs.exists():
            shutil.rmtree(docs)
        (staging / "docs").rename(docs)
        (staging / "mkdocs.yml").replace(out / "mkdocs.yml")
    except OSError as error:
        raise QmsError(f"{out}: cannot write the handbook ({error.strerror or error}); "
                       "check the space and permissions there") from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return written
