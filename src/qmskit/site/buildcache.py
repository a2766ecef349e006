"""A build cache for the handbook: reuse unchanged pages' HTML between MkDocs builds.

Why: `mkdocs serve` and MkDocs itself rebuild every page after any edit, and a page of a
large QMS costs ~30 ms (Markdown, then the theme's template with its navigation); at
1,000 documents one edited procedure meant a 40-second rebuild. Most pages are the same
bytes as last time, so this cache keeps two things per page, each under a key made of
everything that shapes it:

- the page's *content* (its Markdown rendered to HTML, table of contents, title and
  anchors), keyed by the qmskit code and version, the MkDocs configuration and versions,
  the list of files in the site (links resolve against it), the page's path, its front
  matter and the Markdown qmskit publishes for it (which holds every QMS fact the page
  shows: panel, links, map, history);
- the page's finished *HTML* (the theme's template around that content), keyed by the
  content key's inputs plus the content itself, the whole navigation (titles and URLs of
  every page), the page's URLs and the late blocks put in after the template.

A hit skips the Markdown rendering or the template. Correctness first: any change to an
input is a different key, hence a miss; only pages that rendered without a warning are
stored (a warm `mkdocs build --strict` must fail where a cold one does); the cache is
switched off when a plugin other than search and qmskit takes part (it might change a
page in ways the keys do not see). Storage follows `qmskit.cache`: JSON only (no
pickle), one file per entry named by its key inside the git directory (never the work
tree), validated on read; a missing, damaged or foreign entry is a miss, and writing
failures are silent. Entries that a build did not use are removed at its end, so the
cache holds one build's pages.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qmskit.cache import FORMAT, cache_dir, cache_key, load_payload, locate, store_payload

if TYPE_CHECKING:
    import jinja2
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.plugins.qmskit")

#: Plugins whose work the keys cover: with any other plugin the cache stays off.
SAFE_PLUGINS = frozenset({"search", "material/search", "qmskit"})
#: The template a page whose finished HTML is cached renders instead of the theme's.
CACHED_TEMPLATE = "qmskit-cached-page.html"
_CONTENT, _PAGE = "site-content", "site-page"


def _hash(*parts: object) -> str:
    hasher = hashlib.blake2b(digest_size=20)
    for part in parts:
        text = part if isinstance(part, str) else json.dumps(part, sort_keys=True,
                                                             default=str)
        hasher.update(text.encode("utf-8", "surrogatepass"))
        hasher.update(b"\x00")
    return hasher.hexdigest()


def _versions() -> dict[str, str]:
    from importlib import metadata

    found: dict[str, str] = {}
    for name in ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jinja2"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "-"
    return found


def _tree_listing(folder: str | None) -> list[tuple[str, int, int]]:
    """Names, sizes and mtimes of a theme's custom_dir: the user's own templates."""
    if not folder or not Path(folder).is_dir():
        return []
    listing = []
    for path in sorted(Path(folder).rglob("*")):
        try:
            info = path.stat()
        except OSError:
            continue
        listing.append((path.as_posix(), info.st_size, info.st_mtime_ns))
    return listing


def config_fingerprint(config: MkDocsConfig, extra: object) -> str:
    """Everything outside a page that shapes every page: versions, theme, Markdown setup,
    the configuration file's bytes and `extra` (the caller's own settings)."""
    raw = b""
    if config.config_file_path:
        try:
            raw = Path(config.config_file_path).read_bytes()
        except OSError:
            raw = b""
    theme = config.theme
    keys = ("site_name", "site_url", "site_description", "site_author", "copyright",
            "repo_url", "repo_name", "edit_uri", "use_directory_urls", "extra",
            "extra_css", "extra_javascript", "extra_templates", "markdown_extensions",
            "mdx_configs", "validation", "docs_dir", "strict",
            )
    selected = {key: config.get(key) for key in keys}
    return _hash(FORMAT, _versions(), hashlib.blake2b(raw).hexdigest(), selected,
                 {key: theme[key] for key in theme}, list(theme.dirs),
                 _tree_listing(theme.custom_dir), sorted(config.plugins), extra)


def _toc_json(items: Iterable[Any]) -> list[Any]:
    return [[item.title, item.id, item.level, _toc_json(item.children)] for item in items]


def _toc_from(items: list[Any]) -> list[Any]:
    from mkdocs.structure.toc import AnchorLink

    links = []
    for title, anchor, level, children in items:
        link = AnchorLink(str(title), str(anchor), int(level))
        link.children = _toc_from(children)
        links.append(link)
    return links


def _nav_json(items: Iterable[Any]) -> Iterator[Any]:
    for item in items:
        url = getattr(item, "url", None)
        file = getattr(item, "file", None)
        yield [type(item).__name__, item.title, url, file.src_uri if file else None,
               list(_nav_json(item.children or [])) if item.children else None]


class _WarningCounter(logging.Handler):
    """Counts warnings MkDocs logs, so a page that rendered with one is not stored."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


_COUNTER = _WarningCounter()


@dataclass
class _Plan:
    """What a build decided for one page."""

    content_key: str = ""
    content_hit: dict[str, Any] | None = None
    warnings_before: int = 0
    page_key: str = ""
    page_hit: bool = False
    template: str | None = None
    context: Any = None


@dataclass
class BuildCache:
    """The cache of one build (see the module's docstring). Counters say what it did."""

    folder: Path
    key: str
    plans: dict[str, _Plan] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    files_key: str = ""
    nav: Navigation | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("content_hits", "page_hits", "pages", "stored"), 0))

    @classmethod
    def open(cls, root: Path, config: MkDocsConfig, extra: object) -> BuildCache | None:
        """The cache for the QMS at `root`, or None when a plugin it cannot vouch for
        takes part."""
        if not set(config.plugins) <= SAFE_PLUGINS:
            log.debug("qmskit: build cache off (plugins %s)", ", ".join(
                sorted(set(config.plugins) - SAFE_PLUGINS)))
            return None
        mkdocs_log = logging.getLogger("mkdocs")
        if _COUNTER not in mkdocs_log.handlers:
            mkdocs_log.addHandler(_COUNTER)
        folder = cache_dir(root, locate(root)) / "site"
        return cls(folder=folder, key=cache_key(config_fingerprint(config, extra)))

    # -- storage -------------------------------------------------------------------------

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / f"{kind}-{key}.json"

    def _load(self, kind: str, key: str) -> dict[str, Any] | None:
        payload = load_payload(self._path(kind, key), kind, f"{self.key}:{key}")
        if isinstance(payload, dict):
            self.used.add(self._path(kind, key).name)
            return payload
        return None

    def _store(self, kind: str, key: str, payload: dict[str, Any]) -> None:
        path = self._path(kind, key)
        self.used.add(path.name)
        # `save` sweeps the folder once per build, so no sweep per entry.
        if store_payload(path, kind, f"{self.key}:{key}", payload, sweep=False):
            self.counts["stored"] += 1

    def save(self) -> None:
        """Drop entries this build did not use (and temporary files of killed writers);
        log what was reused."""
        try:
            for path in self.folder.iterdir():
                if path.name not in self.used:
                    path.unlink(missing_ok=True)
        except OSError:
            pass
        counts = self.counts
        log.debug("qmskit: build cache: content of %d of %d pages reused, %d pages reused "
                  "whole, %d entries stored", counts["content_hits"], counts["pages"],
                  counts["page_hits"], counts["stored"])

    # -- the MkDocs events ---------------------------------------------------------------

    def set_files(self, files: Files) -> None:
        """Links resolve against the site's files: their list is part of every key."""
        self._files = files
        self.files_key = _hash(sorted(f.src_uri for f in files))

    def before_render(self, page: Page, published: str) -> bool:
        """Look up the page's content; True when it is cached (render nothing then)."""
        src = page.file.src_uri
        plan = _Plan(content_key=_hash(self.files_key, src, page.meta, published))
        self.plans[src] = plan
        self.counts["pages"] += 1
        entry = self._load(_CONTENT, plan.content_key)
        plan.content_hit = self._decode(entry) if entry is not None else None
        plan.warnings_before = _COUNTER.count
        return plan.content_hit is not None

    def restore_content(self, page: Page) -> str | None:
        """The cached content of a hit, its toc, title and anchors set on the page."""
        plan = self.plans.get(page.file.src_uri)
        hit = plan.content_hit if plan is not None else None
        if hit is None:
            return None
        page.toc = hit["toc"]
        page._title_from_render = hit["title"]
        page.present_anchor_ids = hit["anchors"]
        page.links_to_anchors = hit["links_to_anchors"]
        self.counts["content_hits"] += 1
        return str(hit["content"])

    def store_content(self, page: Page, content: str) -> None:
        """Keep a freshly rendered page's content, unless its rendering warned."""
        plan = self.plans.get(page.file.src_uri)
        if plan is None or plan.content_hit is not None:
            return
        if _COUNTER.count == plan.warnings_before:
            anchors = page.links_to_anchors
            self._store(_CONTENT, plan.content_key, {
                "content": content, "toc": _toc_json(page.toc),
                "title": page._title_from_render,
                "anchors": sorted(page.present_anchor_ids or ()),
                "links_to_anchors": None if anchors is None else
                {to.src_uri: links for to, links in anchors.items()},
            })

    def _decode(self, entry: dict[str, Any]) -> dict[str, Any] | None:
        """A content entry as page attributes, or None when any part is malformed."""
        from mkdocs.structure.toc import TableOfContents

        try:
            content, title, links = entry["content"], entry["title"], entry["links_to_anchors"]
            if not isinstance(content, str) or not (title is None or isinstance(title, str)):
                return None
            restored: dict[Any, dict[str, str]] | None = None
            if links is not None:
                restored = {}
                for src, anchors in links.items():
                    target = self._files.get_file_from_path(src) if self._files else None
                    if target is None or not isinstance(anchors, dict):
                        return None
                    restored[target] = {str(k): str(v) for k, v in anchors.items()}
            return {"content": content, "title": title, "links_to_anchors": restored,
                    "toc": TableOfContents(_toc_from(entry["toc"])),
                    "anchors": {str(a) for a in entry["anchors"]}}
        except (KeyError, TypeError, ValueError, AttributeError):
            return None

    _files: Files | None = None
    _env: jinja2.Environment | None = None

    def prepare(self, env: jinja2.Environment, files: Files, nav: Navigation,
                late_blocks: dict[str, list[tuple[bool, str]]]) -> jinja2.Environment:
        """Once every page is rendered: decide which pages' finished HTML is cached and
        let those render an empty template instead of the theme's."""
        import jinja2 as jinja

        nav_key = _hash(list(_nav_json(nav.items)))
        for file in files.documentation_pages():
            page = file.page
            if page is None:
                continue
            plan = self.plans.get(file.src_uri)
            if plan is None:
                continue
            plan.page_key = _hash(plan.content_key, nav_key, page.url, page.canonical_url,
                                  page.edit_url, page.title, page.meta, page.content,
                                  _toc_json(page.toc), late_blocks.get(file.src_uri, []))
            if self._path(_PAGE, plan.page_key).is_file():
                plan.page_hit = True
                plan.template = page.meta.get("template")
                page.meta["template"] = CACHED_TEMPLATE
        self._env = env
        if env.loader is None:
            return env
        env.loader = jinja.ChoiceLoader([jinja.DictLoader({CACHED_TEMPLATE: ""}),
                                         env.loader])
        return env

    def keep_context(self, page: Page, context: Any) -> None:
        """Keep a planned hit's template context, to render it if the entry fails."""
        plan = self.plans.get(page.file.src_uri)
        if plan is not None and plan.page_hit:
            plan.context = context

    def finished(self, page: Page) -> tuple[str, bool] | None:
        """For a planned hit: (its cached HTML, True), or, when the entry went missing or
        is damaged since, (the theme's template rendered after all, False). None for
        every other page."""
        plan = self.plans.get(page.file.src_uri)
        if plan is None or not plan.page_hit:
            return None
        hit = self._load(_PAGE, plan.page_key)
        if hit is not None and isinstance(hit.get("html"), str):
            self.counts["page_hits"] += 1
            return str(hit["html"]), True
        # The entry went missing or is damaged: render the theme's template after all.
        plan.page_hit = False
        if plan.template is None:
            page.meta.pop("template", None)
        else:
            page.meta["template"] = plan.template
        env = self._env
        if env is None or plan.context is None:
            raise RuntimeError(f"qmskit: build cache entry of {page.file.src_uri} vanished")
        return env.get_template(plan.template or "main.html").render(plan.context), False

    def store_page(self, page: Page, html_text: str) -> None:
        """Keep a freshly built page's finished HTML."""
        plan = self.plans.get(page.file.src_uri)
        if plan is not None and plan.page_key and not plan.page_hit \
                and _COUNTER.count == plan.warnings_before:
            self._store(_PAGE, plan.page_key, {"html": html_text})
