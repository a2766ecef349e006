"""The MkDocs plugin: validate the QMS during the build and publish it as a handbook.

A thin adapter from MkDocs events to `qmskit.site`, which produces the pages:

- `on_config`: load the QMS and run the same rules as `qmskit check`, so the handbook can
  never be published from a QMS the CLI rejects. Error-level findings fail the build with
  `file:line:col: CODE message`; warnings are logged at info level so that `mkdocs build
  --strict` is about the site, not the QMS (the site's findings page lists them).
- `on_files`: add documents kept outside `docs_dir` (procedures/, objectives/) and the
  generated "System" pages, in memory (`File.generated`), never written into the
  repository; give the site a nav that follows the QMS's structure unless mkdocs.yml
  has its own.
- `on_page_markdown`: add the metadata panel, links, map and history to each document's
  page, link document ids in every page, and escape titles taken from front matter.
"""

from __future__ import annotations

import html
import logging
import os
import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config as MkConfig
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from qmskit.errors import QmsError
from qmskit.git.history import unavailable
from qmskit.loader import open_qms
from qmskit.qms import Qms
from qmskit.rules.checker import CheckResult, run_checks
from qmskit.site import (
    CSS_PATH,
    Layout,
    SiteContext,
    add_system_section,
    build_nav,
    generate,
    render_page,
)
from qmskit.site.buildcache import BuildCache
from qmskit.site.html import split_blocks
from qmskit.site.sources import site_sources

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
    the documents' change tables (default true).
    """

    root = c.Optional(c.Type(str))
    config_file = c.Optional(c.Type(str))
    run_check = c.Type(bool, default=True)
    pages = c.Type(bool, default=True)
    section = c.Type(str, default="system")
    history = c.Type(bool, default=True)


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
        self._cache: BuildCache | None = None
        self._nav: Navigation | None = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Load and validate the QMS before any page is read."""
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
        if self.config.pages and CSS_PATH not in config.extra_css:
            config.extra_css.append(CSS_PATH)
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

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files | None:
        """Publish what the one walker publishes; add the generated pages; set the nav.

        Files in docs_dir that `exclude` names (or that are hidden, or reached through a
        symlink that leaves the repository) are removed from the build, and the Markdown
        files of QMS folders outside docs_dir are added, from `site_sources`: the same
        list `qmskit pages` writes.
        """
        if self.qms is None:
            return files
        real_docs = Path(config.docs_dir).resolve()
        inside = real_docs.is_relative_to(self.root.resolve())
        docs_dir = real_docs.relative_to(self.root.resolve()).as_posix() if inside else None
        sources = site_sources(self.root, docs_dir, self.qms.config.folders,
                               self.qms.config.exclude)
        for relative in sources.refused:
            log.warning("qmskit: %s is not published: it is not a regular file inside the "
                        "repository", relative)
        if docs_dir is not None:
            keep = {s.src for s in sources.files if s.in_docs_dir}
            for file in list(files):
                if file.generated_by is None and file.src_dir is not None \
                        and Path(file.src_dir).resolve() == real_docs \
                        and file.src_uri not in keep:
                    files.remove(file)
        for source in sources.files:
            if source.in_docs_dir:
                continue
            if files.get_file_from_path(source.src) is not None:
                raise PluginError(f"qmskit: {source.src} exists both in docs_dir and in a "
                                  "QMS folder; rename one of them")
            files.append(File(source.src, str(self.root), config.site_dir,
                              config.use_directory_urls))
        if not self.config.pages:
            return files
        self.site = self._context(config)
        for src, content in generate(self.site).items():
            if files.get_file_from_path(src) is not None:
                raise PluginError(
                    f"qmskit: the generated page {src} would replace a file in docs_dir; "
                    f"set another `section` for the qmskit plugin in mkdocs.yml")
            files.append(File.generated(config, src, content=content))
        if config.nav is None:
            config.nav = build_nav(self.site, (f.src_uri for f in files.documentation_pages()))
        else:
            config.nav = add_system_section(self.site, config.nav)
        if self._cache is not None:
            self._cache.set_files(files)
        return files

    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig,
               files: Files) -> Navigation | None:
        """Keep the navigation: the build cache keys every finished page by it."""
        self._nav = nav
        return nav

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
        # search for the id finds the document (the panel that shows it is added late).
        first_late = [True]

        def restore(match: re.Match[str]) -> str:
            is_figure, html_block = blocks[int(match.group(1))]
            if not (is_figure or late_all):
                return html_block
            text = ""
            if doc is not None and first_late[0]:
                text, first_late[0] = html.escape(doc.id), False
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

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str | None:
        """Put the figures into the finished page (or take it whole from the cache)."""
        blocks = self._blocks.pop(page.file.src_uri, None)
        finished = self._cache.finished(page) if self._cache is not None else None
        if finished is not None:
            output, cached = finished
            if cached:
                return output
        if blocks:
            output = re.sub(r'<div data-qms-figure="(\d+)">[^<]*</div>',
                            lambda m: blocks[int(m.group(1))][1], output)
        if self._cache is not None:
            self._cache.store_page(page, output)
        return output

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Keep this build's pages in the cache, and only those."""
        if self._cache is not None:
            self._cache.save()

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


def _prune_navigation(config: MkDocsConfig) -> None:
    """Material renders the whole navigation into every page, so a site of N documents
    grows with N squared (305 KB per page at 1,000 documents). With `navigation.prune`
    a page holds only the navigation a reader can see. Added when the Material theme's
    features are not configured in mkdocs.yml; a configured list is the user's choice."""
    theme = config.theme
    if theme.name == "material" and not theme.get("features"):
        theme["features"] = ["navigation.prune"]
