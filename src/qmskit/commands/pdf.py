"""`qmskit pdf OUT.pdf`: the whole manual as one controlled-copy PDF (see `qmskit.site.pdf`)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from qmskit.errors import EXIT_CLEAN, EXIT_FINDINGS
from qmskit.reports.formats import FORMATS
from qmskit.site.pdf import build_pdf


def pdf(root: Path, out: Path, *, mkdocs_config: Path | None = None, today: date | None = None,
        chromium: str | None = None, config_path: Path | None = None) -> int:
    """Build the controlled copy of the QMS at `root` into `out`; return the exit code."""
    copy = build_pdf(root, out, mkdocs_config=mkdocs_config, config_path=config_path,
                     today=today, chromium=chromium)
    if copy.publication.refused or copy.revision is None:
        sys.stderr.write(FORMATS["text"](copy.publication.result, False))
        sys.stderr.write("qmskit: no controlled copy is made while the QMS has errors\n")
        return EXIT_FINDINGS
    print(f"{out.absolute()}: controlled copy of {copy.company}, revision "
          f"{copy.revision.label()}, valid on {copy.publication.today}")
    return EXIT_CLEAN
