"""Where each page of the handbook lives: source paths and the URLs builders give them.

Builders rewrite links written in Markdown (`[x](../a.md)`), but not links inside raw
HTML or SVG, so pages that draw diagrams must compute the final relative URL themselves.
This module does that the way MkDocs and Zensical do, for both `use_directory_urls`
settings, so no generator needs to know which builder runs.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import PurePosixPath


@dataclass(frozen=True)
class Layout:
    """Maps QMS files (relative to the repository root) to pages (relative to docs_dir).

    `docs_dir` is the builder's docs folder relative to the QMS root (e.g. `qms_docs`).
    Files inside it keep their path below it; QMS folders outside it (`procedures/`)
    keep their path below the root, which is also how the plugin adds them.
    """

    docs_dir: str = "qms_docs"
    use_directory_urls: bool = True
    section: str = "system"
    _urls: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def src(self, root_relative: str) -> str:
        """The docs-relative source path of a file given relative to the QMS root."""
        prefix = self.docs_dir.strip("/") + "/"
        if prefix != "/" and root_relative.startswith(prefix):
            return root_relative[len(prefix):]
        return root_relative

    def generated(self, name: str) -> str:
        """The source path of a generated page, e.g. `system/kpis.md`."""
        return f"{self.section}/{name}"

    def url(self, src: str) -> str:
        """The site-relative URL of a Markdown source path (no leading slash)."""
        cached = self._urls.get(src)
        if cached is None:
            cached = self._urls[src] = self._url(src)
        return cached

    def _url(self, src: str) -> str:
        path = PurePosixPath(src)
        if path.suffix != ".md":
            return src
        stem = path.with_suffix("")
        is_index = path.name in ("index.md", "README.md")
        parent = "" if str(path.parent) == "." else f"{path.parent}/"
        if is_index:
            return parent
        if self.use_directory_urls:
            return f"{stem}/"
        return f"{stem}.html"

    def rel_url(self, from_src: str, to_src: str, anchor: str = "") -> str:
        """The URL of `to_src` relative to the page built from `from_src`."""
        return relative_url(self.url(from_src), self.url(to_src)) + (
            f"#{anchor}" if anchor else ""
        )

    def rel_md(self, from_src: str, to_src: str) -> str:
        """A Markdown link target from one source file to another (builders rewrite it)."""
        base = posixpath.dirname(from_src) or "."
        return posixpath.relpath(to_src, base)


def relative_url(from_url: str, to_url: str) -> str:
    """`to_url` relative to the page at `from_url` (both site-relative, no leading slash).

    Pure string work (no `posixpath.relpath`, which consults the working directory): it
    runs for every link on every page.
    """
    from_dir = [p for p in from_url.split("/")[:-1] if p]
    *to_dir, name = to_url.split("/")
    common = 0
    for mine, theirs in zip(from_dir, to_dir, strict=False):
        if mine != theirs:
            break
        common += 1
    parts = [".."] * (len(from_dir) - common) + to_dir[common:]
    if name:
        return "/".join([*parts, name])
    return "/".join(parts) + "/" if parts else "./"
