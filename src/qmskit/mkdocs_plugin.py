"""The MkDocs plugin: validate the QMS during the build and publish documents kept outside
`docs_dir` (procedures/, objectives/) as pages.

A thin adapter from MkDocs events to qmskit's library: the same config and the same rules
as `qmskit check`, so the handbook can never be published from a QMS the CLI rejects.
Error-level findings fail the build with `file:line:col: CODE message`; warnings are
logged at info level so that `mkdocs build --strict` is about the site, not the QMS.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config as MkConfig
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

log = logging.getLogger("mkdocs.plugins.qmskit")


class QmsPluginConfig(MkConfig):  # type: ignore[no-untyped-call]
    """Options of the `qmskit` plugin in mkdocs.yml."""

    root = c.Optional(c.Type(str))
    config_file = c.Optional(c.Type(str))
    run_check = c.Type(bool, default=True)


class QmsPlugin(BasePlugin[QmsPluginConfig]):  # type: ignore[no-untyped-call]
    """Loads the QMS once per build, fails on errors, adds outside documents as pages."""

    def __init__(self) -> None:
        self.qms: Any = None
        self.root = Path()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Load and validate the QMS before any page is read."""
        from qmskit.checker import run_checks
        from qmskit.commands import open_qms, resolve_today
        from qmskit.errors import QmsError

        base = Path(config.config_file_path or ".").parent
        self.root = (base / self.config.root).resolve() if self.config.root else base.resolve()
        explicit = Path(self.root, self.config.config_file) if self.config.config_file else None
        try:
            self.qms = open_qms(self.root, explicit)
        except QmsError as error:
            raise PluginError(f"qmskit: {error}") from None
        if not self.config.run_check:
            return config
        result = run_checks(self.qms, resolve_today(self.qms, None))
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
        """Add Markdown from QMS folders outside docs_dir, keeping their folder as URL."""
        if self.qms is None:
            return files
        docs_dir = Path(config.docs_dir).resolve()
        for folder in self.qms.config.folders:
            base = (self.root / folder).resolve()
            if base == docs_dir or base.is_relative_to(docs_dir) or not base.is_dir():
                continue
            for path in sorted(base.rglob("*.md")):
                relative = path.relative_to(self.root).as_posix()
                if any(part.startswith(".") for part in Path(relative).parts):
                    continue
                files.append(File(relative, str(self.root), config.site_dir,
                                  config.use_directory_urls))
        return files
