"""Builder-agnostic handbook pages: Markdown and assets generated from a loaded QMS.

Three entry points, used alike by the MkDocs plugin (in memory) and by `qmskit pages`
(on disk), so both publish the same handbook:

- `generate(ctx)`: the generated files (the "System" pages and the stylesheet);
- `render_page(ctx, src, markdown)`: an existing page's Markdown with the metadata panel,
  links, one-hop map and history added (controlled documents), or with document ids
  linked (every other page);
- `build_nav(ctx, sources)`: a navigation that follows the QMS's structure.
"""

from __future__ import annotations

from qmskit.site.assets import CSS, CSS_PATH
from qmskit.site.context import SiteContext
from qmskit.site.documents import link_ids, render_document
from qmskit.site.layout import Layout
from qmskit.site.nav import add_system_section, build_nav
from qmskit.site.pages import PAGES, page_index
from qmskit.site.people import people_files
from qmskit.site.tables import render_table_blocks

__all__ = ["CSS_PATH", "Layout", "SiteContext", "add_system_section", "build_nav",
           "generate", "render_page"]


def generate(ctx: SiteContext) -> dict[str, str | bytes]:
    """Every generated file, keyed by its docs-relative path."""
    files: dict[str, str | bytes] = {CSS_PATH: CSS}
    index = ctx.layout.generated("index.md")
    files[index] = page_index(ctx, index)
    for spec in PAGES:
        src = ctx.layout.generated(spec.name)
        files[src] = spec.render(ctx, src)
    files.update(people_files(ctx))  # a page and a calendar per person
    return files


def render_page(ctx: SiteContext, src: str, markdown: str) -> str:
    """The published Markdown of the page at `src` (front matter already removed)."""
    markdown = render_table_blocks(ctx, src, markdown)
    doc = ctx.doc_for_page(src)  # a translated page shows its document's panel
    if doc is not None:
        return render_document(ctx, doc, markdown, src)
    return link_ids(ctx, src, markdown)
