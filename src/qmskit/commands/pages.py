"""`qmskit pages OUT`: write the handbook as a plain docs tree any builder can publish.

The same pages the MkDocs plugin adds in memory, on disk: OUT/docs/ and OUT/mkdocs.yml
(the project's config with the qmskit plugin removed). Like the plugin, it refuses to
publish a QMS with error-level findings.
"""

from __future__ import annotations

import shutil
import sys
from datetime import date
from pathlib import Path

from qmskit.errors import EXIT_CLEAN, EXIT_FINDINGS, QmsError
from qmskit.loader import open_qms


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
    from qmskit.reports.formats import FORMATS
    from qmskit.rules.checker import run_checks
    from qmskit.site import Layout, SiteContext
    from qmskit.site.tree import layout_options, read_builder_config, write_tree

    root = root.absolute()
    out = out.absolute()
    docs = out / "docs"
    if (docs.exists() or (out / "mkdocs.yml").exists()) and not force:
        raise QmsError(f"{out} already holds a handbook; pass --force to replace it")
    if out == root or root.is_relative_to(out):
        raise QmsError(f"{out}: the output must not contain the QMS itself")
    qms = open_qms(root, config_path, full_history=True)
    day = qms.evaluation_date(today)
    result = run_checks(qms, day)
    if result.errors:
        sys.stderr.write(FORMATS["text"](result, False))
        sys.stderr.write("qmskit: the handbook is not written while the QMS has errors\n")
        return EXIT_FINDINGS
    mkdocs_yml = mkdocs_config or (root / "mkdocs.yml")
    builder = read_builder_config(mkdocs_yml) if mkdocs_yml.is_file() else {}
    if mkdocs_config is not None and not mkdocs_yml.is_file():
        raise QmsError(f"{mkdocs_yml}: MkDocs config not found")
    fallback = qms.config.folders[0] if qms.config.folders else "docs"
    docs_dir, directory_urls, section = layout_options(builder, fallback)
    if mkdocs_yml.is_file():  # docs_dir in mkdocs.yml is relative to that file
        absolute = Path(mkdocs_yml.parent.absolute(), docs_dir).resolve()
        if not absolute.is_relative_to(root.resolve()):
            raise QmsError(f"{mkdocs_yml}: docs_dir {docs_dir!r} is outside the QMS root")
        docs_dir = absolute.relative_to(root.resolve()).as_posix()
    ctx = SiteContext.create(qms, today=day, result=result,
                             layout=Layout(docs_dir, directory_urls, section))
    if docs.exists():
        shutil.rmtree(docs)
    out.mkdir(parents=True, exist_ok=True)
    written = write_tree(ctx, out, builder)
    print(f"wrote {len(written)} files to {docs} and {out / 'mkdocs.yml'}; "
          f"build with `mkdocs build -f {out / 'mkdocs.yml'}` or `zensical build`")
    return EXIT_CLEAN
