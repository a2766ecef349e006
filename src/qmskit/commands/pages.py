"""`qmskit pages OUT`: write the handbook as a plain docs tree any builder can publish.

The same pages the MkDocs plugin adds in memory, on disk: OUT/docs/ and OUT/mkdocs.yml
(the project's config with the qmskit plugin removed). Like the plugin, it refuses to
publish a QMS with error-level findings. The work is `qmskit.site.publish`; this module
prints.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from qmskit.errors import EXIT_CLEAN, EXIT_FINDINGS
from qmskit.reports.formats import FORMATS
from qmskit.site.publish import publish


def pages(
    root: Path,
    out: Path,
    *,
    mkdocs_config: Path | None = None,
    config_path: Path | None = None,
    today: date | None = None,
    force: bool = False,
) -> int:
    """Check the QMS at `root`, then write its handbook to `out`; return the exit code."""
    publication = publish(root, out, mkdocs_config=mkdocs_config, config_path=config_path,
                          today=today, force=force)
    if publication.refused:
        sys.stderr.write(FORMATS["text"](publication.result, False))
        sys.stderr.write("qmskit: the handbook is not written while the QMS has errors\n")
        return EXIT_FINDINGS
    docs, config = out.absolute() / "docs", out.absolute() / "mkdocs.yml"
    print(f"wrote {len(publication.written)} files to {docs} and {config}; "
          f"build with `mkdocs build -f {config}` or `zensical build`")
    return EXIT_CLEAN
