"""Where each person's page and calendar are published, and links to them.

A person appears in the handbook by handle only (`quality-lead`), as everywhere in
qmskit. Their page is `SECTION/people/HANDLE/index.md` (so its URL is `.../HANDLE/`
whatever `use_directory_urls` says) and their calendar `HANDLE.ics` beside it; the
people index is `SECTION/people/index.md` and the whole QMS's calendar
`SECTION/quality-duties.ics`. Handles are `[a-z0-9][a-z0-9._-]*`, so a handle is a safe
folder name; the one that would clash with the index file, `index.md`, gets a folder
name no handle can have (`_index.md`).

A leaf of the site package (the document pages link holders here, and the people pages
build on it), so nothing imports upward.
"""

from __future__ import annotations

from qmskit.domain.duties import known_handles
from qmskit.reports.escape import html_text
from qmskit.site.context import SiteContext
from qmskit.site.html import link
from qmskit.site.layout import Layout

#: The folder of the people pages inside the generated section.
PEOPLE = "people"
#: The whole QMS's calendar, in the generated section (not among the people's folders).
QMS_CALENDAR = "quality-duties.ics"


def person_folder(handle: str) -> str:
    """The folder name of a person's page: the handle, unless it is the index's name."""
    return "_index.md" if handle == "index.md" else handle


def people_index_src(layout: Layout) -> str:
    """The docs-relative source path of the people index."""
    return layout.generated(f"{PEOPLE}/index.md")


def person_src(layout: Layout, handle: str) -> str:
    """The docs-relative source path of a person's page."""
    return layout.generated(f"{PEOPLE}/{person_folder(handle)}/index.md")


def person_calendar_src(layout: Layout, handle: str) -> str:
    """The docs-relative path of a person's calendar (`HANDLE.ics`, beside the page)."""
    return layout.generated(f"{PEOPLE}/{person_folder(handle)}/{handle}.ics")


def qms_calendar_src(layout: Layout) -> str:
    """The docs-relative path of the whole QMS's calendar."""
    return layout.generated(QMS_CALENDAR)


def is_person_page(layout: Layout, src: str) -> bool:
    """True for a person's page (not the people index): the navigation leaves them to
    the index, which lists every one."""
    folder = layout.generated(f"{PEOPLE}/")
    return (src.startswith(folder) and src.endswith("/index.md")
            and src.count("/") == folder.count("/") + 1)


def people(ctx: SiteContext) -> frozenset[str]:
    """The handles that have a page: everyone the QMS names (role holders and deputies,
    auditors, readers; `qmskit.domain.duties.known_handles`)."""
    return ctx.qms.derive("site:people", lambda: frozenset(known_handles(ctx.qms)))


def person_link(ctx: SiteContext, from_src: str, handle: str) -> str:
    """A handle as a link to the person's page (plain text when they have none, e.g. the
    holder of a retired role)."""
    if handle not in people(ctx):
        return f'<span class="qms-person">{html_text(handle)}</span>'
    href = ctx.layout.rel_url(from_src, person_src(ctx.layout, handle))
    return link(href, handle, title=f"Quality duties of {handle}", cls="qms-person")

