"""The MkDocs plugin: validate the QMS during the build and publish it as a handbook.

A thin adapter from MkDocs events to `qmskit.site`, which produces the pages:

- `on_config`: load the QMS and run the same rules as `qmskit check`, so the handbook can
  never be published from a QMS the CLI rejects. Error-level findings fail the build with
  `file:line:col: CODE message`; warnings are logged at info level so that `mkdocs build
  --strict` is about the site, not the QMS (the site's findings page lists them). Once
  per build: the further language builds of mkdocs-static-i18n reuse the result.
- `on_files`: add documents kept outside `docs_dir` (procedures/, objectives/) and the
  generated "System" pages, never written into the repository: each generated page is a
  real file in a temporary folder of this build (removed when it ends), since other
  plugins read `abs_src_path`. Give the site a nav that follows the QMS's structure, or
  complete the team's own (`qmskit.site.nav.complete_nav`).
- `on_page_markdown`: add the metadata panel, links, map and history to each document's
  page (and to each translation of it), link document ids in every page, render
  `qmskit:table` blocks, and escape titles taken from front matter.

Beside other plugins, in any order in mkdocs.yml:

- mkdocs-static-i18n builds each language by running the whole build again. Its
  `on_files` (priority -100) rebuilds every file from `docs_dir`, dropping the ones it
  cannot place, so qmskit's `on_files` runs after it (-110) and places what it adds
  under the language's folder of the site itself (`de/system/...`), with the attributes
  its language selector reads. A translated page (`X.de.md`, `de/X.md`) shows the panel
  of its document; the labels qmskit adds are in the language built (`site.labels`).
- awesome-nav builds the nav in its `on_nav` (priority 100) and refuses a `nav` beside
  it: qmskit then leaves `nav` alone and completes the built nav in its own `on_nav`.
- minifiers rewrite the HTML in `on_post_page`: qmskit's runs first (priority 100).
"""

from __future__ import annotations

import html
import logging
import os
import re
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config as MkConfig
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from qmskit import translations
from qmskit.errors import QmsError
from qmskit.git.history import unavailable
from qmskit.loader import open_qms
from qmskit.qms import Qms
from qmskit.registers import rows as register_rows
from qmskit.rules.checker import CheckResult, run_checks
from qmskit.site import (
    CSS_PATH,
    Layout,
    SiteContext,
    build_nav,
    generate,
    render_page,
)
from qmskit.site.buildcache import BuildCache
from qmskit.site.html import split_blocks
from qmskit.site.nav import complete_nav
from qmskit.site.sources import Source, site_sources

if TYPE_CHECKING:
    import jinja2
    from mkdocs.livereload import LiveReloadServer
    from mkdocs.structure.nav import Navigation
    from mkdocs.utils.templates import TemplateContext

log = logging.getLogger("mkdocs.plugins.qmskit")


class QmsPluginConfig(MkConfig):  # type: ignore[no-untyped-call]
    """Options of the `qmskit` plugin in mkdocs.yml.

    `root`: the QMS root, relative to mkdocs.yml (default: its folder); `config_file`: a
    qmskit config other than ROOT/qmskit.toml; `run_check`: fail the build on error
    findings (default true); `pages`: publish panels, links, history and the generated
    pages (default true; false only adds procedures/ and objectives/); `section`: the
    folder of the generated pages (default `system`); `history`: read git history for
    the documents' change tables (default true); `nav_documents`: with a `nav` in
    mkdocs.yml, add the documents it does not name in a section per kind (default true;
    false adds only the System section).
    """

    root = c.Optional(c.Type(str))
    config_file = c.Optional(c.Type(str))
    run_check = c.Type(bool, default=True)
    pages = c.Type(bool, default=True)
    section = c.Type(str, default="system")
    history = c.Type(bool, default=True)
    nav_documents = c.Type(bool, default=True)


class QmsPlugin(BasePlugin[QmsPluginConfig]):  # type: ignore[no-untyped-call]
    """Loads the QMS once per build, fails on errors, publishes documents and pages."""

    def __init__(self) -> None:
        self.qms: Qms | None = None
        self.result: CheckResult | None = None
        self.site: SiteContext | None = None
        self.root = Path()
        # Generated HTML blocks skip Markdown (see site.html.split_blocks): each page's
        # blocks wait here between on_page_markdown and on_page_content.
        self._blocks: dict[str, list[tuple[bool, str]]] = {}
        self._token = f"qmsblock{secrets.token_hex(4)}n"
        self._tmp: Path | None = None
        self._nav_given: Any = None  # the nav on_files set last, and the one it started from
        self._nav_taken: Any = None
        self._cache: BuildCache | None = None
        self._nav: Navigation | None = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Load and validate the QMS before any page is read, once per build.

        mkdocs-static-i18n builds every further language by running the whole build
        again from its `on_post_build` (with its `building` flag set): those runs reuse
        the QMS and the findings of the first one, so each finding is logged once.
        """
        if self.config.pages and CSS_PATH not in config.extra_css:
            config.extra_css.append(CSS_PATH)
        if self.qms is not None and _language_build(config) is not None \
                and getattr(_language_build(config), "building", False):
            return config
        base = Path(config.config_file_path or ".").parent
        self.root = (base / self.config.root).resolve() if self.config.root else base.resolve()
        explicit = Path(self.root, self.config.config_file) if self.config.config_file else None
        try:
            # The handbook shows every document's full history with signature checks:
            # the one git pass reads all of it, in the background while files are parsed.
            self.qms = open_qms(self.root, explicit,
                                full_history=self.config.pages and self.config.history)
            today = self.qms.evaluation_date(None)
        except QmsError as error:
            raise PluginError(f"qmskit: {error}") from None
        self.site = None
        _prune_navigation(config)
        self._cache = BuildCache.open(self.root, config, [str(self.root), dict(self.config)]) \
            if self.config.pages else None
        if not self.config.run_check:
            self.result = run_checks(self.qms, today) if self.config.pages else None
            return config
        result = run_checks(self.qms, today)
        self.result = result
        for finding in result.findings:
            line = f"{finding.location()}: {finding.code} [{finding.severity}] {finding.message}"
            if finding.severity == "error":
                log.error(line)
            else:
                log.info(line)
        if result.errors:
            raise PluginError(
                f"qmskit: the QMS has {result.errors} error(s); run `qmskit check` for details"
            )
        log.info("qmskit: %d documents checked, %d warnings", result.documents, result.warnings)
        return config

    @event_priority(-110)  # after mkdocs-static-i18n (-100): see the module docstring
    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files | None:
        """Publish what the one walker publishes; add the generated pages; set the nav.

        Files in docs_dir that `exclude` names (or that are hidden, or reached through a
        symlink that leaves the repository) are removed from the build, and the Markdown
        files of QMS folders outside docs_dir are added, from `site_sources`: the same
        list `qmskit pages` writes. With mkdocs-static-i18n, this runs after it has
        chosen the files of the language being built, and places what it adds under
        that language's folder of the site.
        """
        if self.qms is None:
            return files
        language = _Language.of(config)
        real_docs = Path(config.docs_dir).resolve()
        inside = real_docs.is_relative_to(self.root.resolve())
        docs_dir = real_docs.relative_to(self.root.resolve()).as_posix() if inside else None
        sources = site_sources(self.root, docs_dir, self.qms.config.folders,
                               self.qms.config.exclude)
        if language.first:
            for relative in sources.refused:
                log.warning("qmskit: %s is not published: it is not a regular file inside "
                            "the repository", relative)
        if docs_dir is not None:
            keep = {s.src for s in sources.files if s.in_docs_dir}
            for file in list(files):
                if file.generated_by is None and file.src_dir is not None \
                        and Path(file.src_dir).resolve() == real_docs \
                        and file.src_uri not in keep:
                    files.remove(file)
        outside = [s for s in sources.files if not s.in_docs_dir]
        for source in language.choose(self.qms, outside):
            if files.get_file_from_path(source.src) is not None and not language.active:
                raise PluginError(f"qmskit: {source.src} exists both in docs_dir and in a "
                                  "QMS folder; rename one of them")
            file = File(source.src, str(self.root), config.site_dir, config.use_directory_urls)
            files.append(language.place(file, config))
        if not self.config.pages:
            return files
        if self.site is None:
            self.site = self._context(config)
        self.site.language = language.current
        self.site.missing = frozenset(
            src for src in self.site.src_of.values()
            if files.get_file_from_path(language.nav_path(src)) is None) \
            if language.active else frozenset()
        folder = self._scratch / (language.current or "site")
        for src, content in generate(self.site).items():
            if files.get_file_from_path(src) is not None:
                raise PluginError(
                    f"qmskit: the generated page {src} would replace a file in docs_dir; "
                    f"set another `section` for the qmskit plugin in mkdocs.yml")
            # A real file behind every generated page: plugins that read `abs_src_path`
            # (mkdocs-static-i18n, git date plugins) find one. It lives in a folder of
            # this build, outside the repository, removed when the build ends.
            path = folder / src
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
            file = File.generated(config, src, abs_src_path=str(path))
            files.append(language.place(file, config, asset=not src.endswith(".md")))
        if _has_plugin(config, "awesome-nav"):
            return files  # awesome-nav builds the nav and refuses a `nav` beside it
        user_nav = config.nav
        if user_nav is not None and user_nav is self._nav_given:
            # The nav this plugin set for the language built before: mkdocs-static-i18n
            # keeps one config for every language, so start again from the team's own.
            user_nav = self._nav_taken
        self._nav_taken = user_nav
        if user_nav is None:
            config.nav = build_nav(self.site, (f.src_uri for f in files.documentation_pages()))
        else:
            config.nav = complete_nav(
                self.site, user_nav, add_documents=self.config.nav_documents,
                nav_path=language.nav_path, normalise=language.normalise,
                available=lambda path: files.get_file_from_path(path) is not None)
        self._nav_given = config.nav
        if self._cache is not None:
            self._cache.set_files(files)
        return files

    @event_priority(50)  # after awesome-nav (100) built the nav, before i18n (-100)
    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig,
               files: Files) -> Navigation | None:
        """With awesome-nav, complete the nav it built as `complete_nav` completes a
        `nav` from mkdocs.yml: documents its `.nav.yml` files leave out, then System.
        Keep the navigation for the build cache, which keys every finished page by it."""
        self._nav = nav  # the build cache keys every finished page by it
        if self.site is None or not _has_plugin(config, "awesome-nav"):
            return nav
        language = _Language.of(config)
        placed: list[Any] = [page.file.src_uri for page in nav.pages]
        wanted = complete_nav(self.site, placed, add_documents=self.config.nav_documents,
                              nav_path=language.nav_path, normalise=language.normalise)
        added = _nav_items(wanted[len(placed):], files, config)
        if added:
            nav.items.extend(added)
            nav.pages = [*nav.pages, *_pages_of(added)]
        return nav

    @property
    def _scratch(self) -> Path:
        """This build's folder for the generated pages (outside the repository)."""
        if self._tmp is None:
            self._tmp = Path(tempfile.mkdtemp(prefix="qmskit-site-"))
        return self._tmp

    def _clean(self) -> None:
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    @event_priority(-200)  # after mkdocs-static-i18n built the other languages
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Keep this build's pages in the cache, and only those; remove the generated
        pages' folder once every language is built."""
        if self._cache is not None:
            self._cache.save()
        language = _language_build(config)
        if language is None or not getattr(language, "building", False):
            self._clean()
            self.site = None

    def on_build_error(self, *, error: Exception) -> None:
        """A failed build leaves no generated files behind."""
        self._clean()
        self.site = None

    def on_shutdown(self) -> None:
        """`mkdocs serve` ends: nothing of its builds stays in the temporary folder."""
        self._clean()

    def _context(self, config: MkDocsConfig) -> SiteContext:
        assert self.qms is not None
        docs_dir = os.path.relpath(Path(config.docs_dir).resolve(), self.root)
        layout = Layout(docs_dir=Path(docs_dir).as_posix(),
                        use_directory_urls=config.use_directory_urls,
                        section=self.config.section.strip("/") or "system")
        history = (self.qms.history(signatures=True) if self.config.history
                   else unavailable("history is switched off in mkdocs.yml"))
        return SiteContext.create(self.qms, layout=layout, result=self.result, history=history)

    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig,
                         files: Files) -> str | None:
        """Publish a document with its panel, links and history; link ids everywhere."""
        # MkDocs' templates do not escape titles; one from front matter must show as text.
        title = page.meta.get("title")
        if isinstance(title, str) and page.file.generated_by is None:
            page.meta["title"] = html.escape(title, quote=False)
        # Material reads `status` as a page badge ("new", "deprecated") and would put an
        # unknown-status icon next to every controlled document in the navigation.
        if "id" in page.meta and "kind" in page.meta and "status" in page.meta:
            page.meta["qms_status"] = page.meta.pop("status")
        if self.site is None:
            return markdown
        published = render_page(self.site, page.file.src_uri, markdown)
        rendered, blocks = split_blocks(published, lambda n: f"{self._token}{n}x")
        if blocks:
            self._blocks[page.file.src_uri] = blocks
        if self._cache is not None and self._cache.before_render(page, published):
            return ""  # the content is cached: render nothing, `on_page_content` has it
        return rendered

    def on_page_content(self, html_text: str, /, *, page: Page, config: MkDocsConfig,
                        files: Files) -> str | None:
        """Put generated HTML blocks back where Markdown rendered their tokens.

        Some blocks get an empty placeholder for now and are put back in `on_post_page`,
        after the search plugin has indexed the page: figures (their labels are truncated
        copies of text shown elsewhere, and parsing SVG is most of indexing time), and on
        a document's page everything qmskit adds (panel, links, history), so that a
        search for "purchasing" finds the purchasing documents, not every page whose
        link table names one. The generated System pages stay searchable.
        """
        if self._cache is not None:
            cached = self._cache.restore_content(page)
            if cached is not None:
                return cached
        blocks = self._blocks.get(page.file.src_uri)
        if not blocks:
            if self._cache is not None:
                self._cache.store_content(page, html_text)
            return html_text

        doc = self.site.doc_at.get(page.file.src_uri) if self.site is not None else None
        late_all = doc is not None
        # The first late block of a document's page holds its id until then, so that a
        # search for the id finds the document (the panel that shows it is added late);
        # a register's page holds its rows' ids too, as their table is added late.
        first_late = [True]
        searchable = " ".join([doc.id, *(row.id for row in register_rows(self.qms, doc.id))]
                              if doc is not None and doc.kind == "register" and self.qms
                              else [doc.id] if doc is not None else [])

        def restore(match: re.Match[str]) -> str:
            is_figure, html_block = blocks[int(match.group(1))]
            if not (is_figure or late_all):
                return html_block
            text = ""
            if doc is not None and first_late[0]:
                text, first_late[0] = html.escape(searchable), False
            return f'<div data-qms-figure="{match.group(1)}">{text}</div>'

        content = re.sub(rf"<p>{self._token}(\d+)x</p>", restore, html_text)
        if self._cache is not None:
            self._cache.store_content(page, content)
        return content

    def on_env(self, env: jinja2.Environment, /, *, config: MkDocsConfig,
               files: Files) -> jinja2.Environment | None:
        """Every page is rendered: let the build cache pick the pages it holds whole."""
        if self._cache is None or self._nav is None:
            return env
        return self._cache.prepare(env, files, self._nav, self._blocks)

    def on_page_context(self, context: TemplateContext, /, *, page: Page,
                        config: MkDocsConfig, nav: Navigation) -> TemplateContext | None:
        """Keep the context of a page the cache holds whole (see `BuildCache.finished`)."""
        if self._cache is not None:
            self._cache.keep_context(page, context)
        return context

    @event_priority(100)  # before minifiers (mkdocs-minify-plugin) rewrite the HTML
    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str | None:
        """Put the figures into the finished page, whatever the plugin order (or take
        the page whole from the build cache)."""
        blocks = self._blocks.pop(page.file.src_uri, None)
        finished = self._cache.finished(page) if self._cache is not None else None
        if finished is not None:
            output, cached = finished
            if cached:
                return output
        if blocks:
            output = re.sub(r'<div data-qms-figure="?(\d+)"?\s*>[^<]*</div>',
                            lambda m: blocks[int(m.group(1))][1], output)
        if self._cache is not None:
            self._cache.store_page(page, output)
        return output

    def on_serve(self, server: LiveReloadServer, /, *, config: MkDocsConfig,
                 builder: Any) -> LiveReloadServer | None:
        """Rebuild on changes to QMS folders outside docs_dir and to the qmskit config."""
        if self.qms is None:
            return server
        docs_dir = Path(config.docs_dir).resolve()
        for folder in self.qms.config.folders:
            base = (self.root / folder).resolve()
            if base.is_dir() and not base.is_relative_to(docs_dir):
                server.watch(str(base))
        for name in ("qmskit.toml", "pyproject.toml"):
            if (self.root / name).is_file():
                server.watch(str(self.root / name))
        return server


def _has_plugin(config: MkDocsConfig, name: str) -> bool:
    return name in config.plugins


def _language_build(config: MkDocsConfig) -> Any | None:
    """The mkdocs-static-i18n plugin of this build, if it is configured."""
    plugin = config.plugins.get("i18n")
    return plugin if plugin is not None and hasattr(plugin, "current_language") else None


class _Language:
    """The language mkdocs-static-i18n is building, and where its pages go in the site.

    Without that plugin (`active` false) every method leaves files as they are. With
    it, the default language is built at the site's root and each other one under its
    own folder (`de/`), which is where the files qmskit adds must go too.
    """

    def __init__(self, plugin: Any | None) -> None:
        self.active = plugin is not None
        self.current: str = str(getattr(plugin, "current_language", "") or "") or "en"
        self.default: str = str(getattr(plugin, "default_language", "") or "") or self.current
        self.languages: list[str] = list(getattr(plugin, "build_languages", []) or [])
        config = getattr(plugin, "config", None)
        self.structure = str(getattr(config, "docs_structure", "suffix"))
        self.first = not self.active or not getattr(plugin, "building", False)

    @classmethod
    def of(cls, config: MkDocsConfig) -> _Language:
        return cls(_language_build(config))

    @property
    def folder(self) -> str:
        """The site folder of the language being built ("" for the default one)."""
        return "" if not self.active or self.current == self.default else self.current

    def normalise(self, path: str) -> str:
        """A page path without its language (`X.de.md`, `de/X.md` -> `X.md`)."""
        if not self.active:
            return path
        if self.structure == "folder":
            head, _, rest = path.partition("/")
            return rest if rest and head in self.languages else path
        for language in self.languages:
            if path.endswith(f".{language}.md"):
                return path[:-len(f".{language}.md")] + ".md"
        return path

    def nav_path(self, src: str) -> str:
        """How a nav names the page of a document at `src`: in the folder structure,
        relative to the language folder, as the team's nav does."""
        return self.normalise(src) if self.active and self.structure == "folder" else src

    def choose(self, qms: Qms, sources: list[Source]) -> list[Source]:
        """Of the files outside docs_dir, the ones this language shows: a translation
        in it instead of its source, else the source (as the plugin's fallback does)."""
        if not self.active:
            return sources
        known = translations.of(qms)
        chosen: dict[str, Source] = {}
        for source in sources:
            relative = Path(source.path).resolve().relative_to(qms.root.resolve()).as_posix() \
                if Path(source.path).resolve().is_relative_to(qms.root.resolve()) \
                else source.src
            found = known.by_path.get(relative)
            doc_id, language = found if found is not None else (source.src, self.default)
            if language == self.current or (language == self.default and doc_id not in chosen):
                chosen[doc_id] = source
        return list(chosen.values())

    def place(self, file: File, config: MkDocsConfig, *, asset: bool = False) -> File:
        """`file` moved under the language's folder of the site, named without its
        language (`X.de.md` is published at `de/X/`)."""
        if not self.active:
            return file
        alternates: dict[str, File] = {}
        if not asset:
            name = file.src_uri
            for language in self.languages:
                if name.endswith(f".{language}.md"):
                    name = name[:-len(f".{language}.md")] + ".md"
            plain = File(name, file.src_dir, config.site_dir, config.use_directory_urls)
            for language in self.languages or [self.current]:
                folder = "" if language == self.default else f"{language}/"
                alternates[language] = File(name, file.src_dir, config.site_dir,
                                            config.use_directory_urls,
                                            dest_uri=folder + plain.dest_uri)
            placed = alternates.get(self.current) or plain
            file.dest_uri = placed.dest_uri
            file.url = placed.url
            file.abs_dest_path = placed.abs_dest_path
        # What mkdocs-static-i18n's language selector and sitemap read on every page:
        # a page qmskit adds exists in every language built.
        alternates[self.current] = file
        file.locale = self.current  # type: ignore[attr-defined]
        file.locale_alternate_of = self.current  # type: ignore[attr-defined]
        file.localization = None if self.current == self.default else self.current  # type: ignore[attr-defined]
        file.alternates = alternates  # type: ignore[attr-defined]
        return file


def _nav_items(entries: list[Any], files: Files, config: MkDocsConfig,
               parent: Section | None = None) -> list[Page | Section]:
    """Nav entries as written in mkdocs.yml (paths, {title: [...]}) as MkDocs objects."""
    items: list[Page | Section] = []
    for entry in entries:
        if isinstance(entry, str):
            file = files.get_file_from_path(entry)
            if file is None or not file.is_documentation_page():
                continue
            page = file.page if isinstance(file.page, Page) else Page(None, file, config)
            page.parent = parent
            items.append(page)
        elif isinstance(entry, dict):
            for title, children in entry.items():
                section = Section(str(title), [])
                section.parent = parent
                section.children = list(_nav_items(
                    children if isinstance(children, list) else [children],
                    files, config, section))
                if section.children:
                    items.append(section)
    return items


def _pages_of(items: list[Any]) -> list[Page]:
    pages: list[Page] = []
    for item in items:
        if isinstance(item, Page):
            pages.append(item)
        elif isinstance(item, Section):
            pages += _pages_of(item.children)
    return pages


def _prune_navigation(config: MkDocsConfig) -> None:
    """Material renders the whole navigation into every page, so a site of N documents
    grows with N squared (305 KB per page at 1,000 documents). With `navigation.prune`
    a page holds only the navigation a reader can see. Added when the Material theme's
    features are not configured in mkdocs.yml; a configured list is the user's choice."""
    theme = config.theme
    if theme.name == "material" and not theme.get("features"):
        theme["features"] = ["navigation.prune"]
