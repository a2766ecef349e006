"""The handbook's navigation: the QMS's own structure rather than alphabetical folders.

Sections follow the chain a reader walks (strategy, objectives, processes, KPIs, roles,
then the records), documents inside a section follow kind then id, and the generated
pages form one "System" section ahead of them. The result is a plain `nav` list as
written in mkdocs.yml, so any MkDocs-compatible builder can use it.

A handbook with a `nav` of its own keeps it (`complete_nav`): documents the team placed
stay where they are, the others are added in a section per kind, and records (actions,
nonconformities, audits, reviews) by kind and year, so thousands of them do not make one
flat list. Section titles are labels (`qmskit.site.labels`), in the language built.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from qmskit.model.doc import Doc
from qmskit.model.types import kind_rank
from qmskit.site.context import SiteContext
from qmskit.site.handles import is_person_page

NavItem = str | dict[str, Any]

SECTION_TITLES = {
    "strategy": "Strategy", "objective": "Objectives", "process": "Processes and procedures",
    "procedure": "Processes and procedures", "kpi": "KPIs", "role": "Roles",
    "risk": "Risks and opportunities", "nonconformity": "Nonconformities",
    "action": "Actions", "audit": "Audits", "review": "Management reviews",
}
SYSTEM_TITLE = "System"
#: Kinds whose documents pile up over the years: the nav groups them by year.
RECORD_KINDS = frozenset({"action", "nonconformity", "audit", "review"})
_YEAR = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")


class _Folder:
    def __init__(self) -> None:
        self.pages: list[str] = []
        self.folders: dict[str, _Folder] = {}


def _rank(ctx: SiteContext, folder: _Folder) -> tuple[int, str]:
    kinds = _kinds(ctx, folder)
    if not kinds:
        return (99, "")
    dominant = max(kinds, key=lambda k: (kinds[k], -kind_rank(k)))
    # A folder of registers, documents or a declared kind is titled by its folder's name
    # (`risk-management` -> "Risk management"), never by a raw kind name ("register").
    return (kind_rank(dominant), SECTION_TITLES.get(dominant, ""))


def _kinds(ctx: SiteContext, folder: _Folder) -> dict[str, int]:
    counts: dict[str, int] = {}
    for page in folder.pages:
        doc = ctx.doc_at.get(page)
        if doc is not None:
            counts[doc.kind] = counts.get(doc.kind, 0) + 1
    for sub in folder.folders.values():
        for kind, count in _kinds(ctx, sub).items():
            counts[kind] = counts.get(kind, 0) + count
    return counts


def _page_key(ctx: SiteContext, src: str) -> tuple[int, int, str]:
    name = src.rsplit("/", 1)[-1]
    if name in ("index.md", "README.md"):
        return (0, 0, "")
    doc = ctx.doc_at.get(src)
    if doc is None:
        return (1, 0, name)
    return (2, kind_rank(doc.kind), doc.id)


#: Most entries one level of the generated nav holds (see `_bounded`).
NAV_GROUP_LIMIT = 25
_SERIAL = re.compile(r"[-_.]?\d+$")


def _bounded(ctx: SiteContext, pages: list[str]) -> list[NavItem]:
    """A folder's pages, in groups when there are more than NAV_GROUP_LIMIT documents.

    Material renders the siblings of the page shown into every page (with
    `navigation.prune`, only those): a flat folder of N documents makes N pages of N
    entries, a site that grows with N squared. Grouped by id prefix (`PROC-PURCH`),
    then in runs of at most NAV_GROUP_LIMIT, each level stays small at any size.
    """
    docs = [src for src in pages if src in ctx.doc_at]
    if len(docs) <= NAV_GROUP_LIMIT:
        return [*pages]
    groups: dict[str, list[str]] = {}
    for src in docs:
        groups.setdefault(_SERIAL.sub("", ctx.doc_at[src].id) or "-", []).append(src)
    items: list[NavItem] = [src for src in pages if src not in ctx.doc_at]
    if len(groups) == 1 or len(groups) > NAV_GROUP_LIMIT:
        return items + _runs(ctx, docs)
    for prefix, members in groups.items():
        items.append({prefix: members if len(members) <= NAV_GROUP_LIMIT
                      else _runs(ctx, members)})
    return items


def _runs(ctx: SiteContext, docs: list[str]) -> list[NavItem]:
    """`docs` in consecutive runs titled by their first and last id, nested as needed."""
    runs: list[NavItem] = [*docs]
    while len(runs) > NAV_GROUP_LIMIT:
        chunks = [runs[i:i + NAV_GROUP_LIMIT] for i in range(0, len(runs), NAV_GROUP_LIMIT)]
        runs = [{f"{_first_id(ctx, chunk[0])} – {_last_id(ctx, chunk[-1])}": chunk}
                for chunk in chunks]
    return runs


def _first_id(ctx: SiteContext, item: NavItem) -> str:
    if isinstance(item, str):
        return ctx.doc_at[item].id
    return next(iter(item)).split(" – ")[0]


def _last_id(ctx: SiteContext, item: NavItem) -> str:
    if isinstance(item, str):
        return ctx.doc_at[item].id
    return next(iter(item)).split(" – ")[-1]


def _items(ctx: SiteContext, folder: _Folder) -> list[NavItem]:
    pages = sorted(folder.pages, key=lambda src: _page_key(ctx, src))
    items = _bounded(ctx, pages)
    subs = sorted(folder.folders.items(), key=lambda kv: (_rank(ctx, kv[1]), kv[0]))
    for name, sub in subs:
        title = ctx.t(_rank(ctx, sub)[1]) if _rank(ctx, sub)[1] \
            else name.replace("-", " ").replace("_", " ").capitalize()
        items.append({title: _items(ctx, sub)})
    return items


def build_nav(ctx: SiteContext, sources: Iterable[str]) -> list[NavItem]:
    """A nav for every Markdown page in `sources` (docs-relative paths)."""
    section = ctx.layout.section + "/"
    root = _Folder()
    system: list[str] = []
    for src in sources:
        if not src.endswith(".md"):
            continue
        if src.startswith(section):
            if not is_person_page(ctx.layout, src):  # listed on the people index
                system.append(src)
            continue
        folder = root
        *parents, _ = src.split("/")
        for part in parents:
            folder = folder.folders.setdefault(part, _Folder())
        folder.pages.append(src)
    nav = _items(ctx, root)
    if system:
        from qmskit.site.pages import PAGES

        order = {ctx.layout.generated("index.md"): -1}
        order.update({ctx.layout.generated(spec.name): i for i, spec in enumerate(PAGES)})
        # The system overview comes right after the top-level pages (home, policy,
        # scope), before the documents: it is where leadership and auditors start.
        first_section = next((i for i, item in enumerate(nav) if isinstance(item, dict)),
                             len(nav))
        nav.insert(first_section, {ctx.t(SYSTEM_TITLE): [
            _system_entry(ctx, src)
            for src in sorted(system, key=lambda s: (order.get(s, 99), s))]})
    return nav


def add_system_section(ctx: SiteContext, nav: list[Any]) -> list[Any]:
    """A user's own nav, with the System section appended unless it already lists it."""
    section = ctx.layout.section + "/"

    def mentions(item: Any) -> bool:
        if isinstance(item, str):
            return item.startswith(section)
        if isinstance(item, dict):
            return any(mentions(v) for v in item.values())
        if isinstance(item, list):
            return any(mentions(v) for v in item)
        return False

    if mentions(nav):
        return nav
    from qmskit.site.pages import PAGES

    pages = [ctx.layout.generated("index.md")] + [ctx.layout.generated(s.name) for s in PAGES]
    return [*nav, {ctx.t(SYSTEM_TITLE): [_system_entry(ctx, src) for src in pages]}]


def _system_entry(ctx: SiteContext, src: str) -> NavItem:
    """A generated page in the nav: its path, with a title when the language built has
    one for it (the page's own heading names it otherwise)."""
    from qmskit.site.pages import PAGES

    for spec in PAGES:
        if ctx.layout.generated(spec.name) == src and ctx.t(spec.title) != spec.title:
            return {ctx.t(spec.title): src}
    return src


def _mentioned(nav: Any) -> Iterable[str]:
    """Every page path a nav names (links and titles aside)."""
    if isinstance(nav, str):
        yield nav
    elif isinstance(nav, dict):
        for value in nav.values():
            yield from _mentioned(value)
    elif isinstance(nav, list):
        for item in nav:
            yield from _mentioned(item)


def _year(doc: Doc) -> str:
    """The year a record belongs to: its own date, else a year in its id."""
    for name in ("date", "opened", "approved_on"):
        value = getattr(doc.model, name, None)
        if value is not None and hasattr(value, "year"):
            return str(value.year)
    found = _YEAR.search(doc.id)
    return found.group(0) if found else ""


def _kind_section(ctx: SiteContext, kind: str, entries: list[tuple[Doc, str]]) -> list[NavItem]:
    entries = sorted(entries, key=lambda e: e[0].id)
    if kind not in RECORD_KINDS:
        return [path for _, path in entries]
    years: dict[str, list[str]] = {}
    for doc, path in entries:
        years.setdefault(_year(doc) or "–", []).append(path)
    return [{year: years[year]} for year in sorted(years, reverse=True)]


def complete_nav(ctx: SiteContext, nav: list[Any], *, add_documents: bool = True,
                 nav_path: Callable[[str], str] = lambda src: src,
                 normalise: Callable[[str], str] = lambda path: path,
                 available: Callable[[str], bool] = lambda path: True) -> list[Any]:
    """The team's own nav, completed: documents it does not name, in a section per
    kind (unless `add_documents` is false), then the System section.

    `nav_path` turns a document's docs-relative source into the path the nav names it
    by (mkdocs-static-i18n's folder structure names pages relative to the language
    folder); `normalise` maps a path the nav names to that same form (`X.de.md` ->
    `X.md`), so a document the team placed in any language counts as placed;
    `available` says whether the build has a page at a path (a language built without
    fallback to the default one may lack some). Running it again on its own result
    adds nothing.
    """
    placed = {normalise(path) for path in _mentioned(nav)}
    missing: dict[str, list[tuple[Doc, str]]] = {}
    if add_documents:
        for src, doc in ctx.doc_at.items():
            path = nav_path(src)
            if normalise(path) not in placed and available(path):
                missing.setdefault(doc.kind, []).append((doc, path))
    added: list[Any] = []
    for kind in sorted(missing, key=lambda k: (kind_rank(k), k)):
        title = ctx.t(SECTION_TITLES.get(kind) or ctx.qms.config.contract.title(kind))
        added.append({title: _kind_section(ctx, kind, missing[kind])})
    return add_system_section(ctx, [*nav, *added])
