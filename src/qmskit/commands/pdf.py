"""`qmskit pdf OUT.pdf`: the whole manual as one controlled-copy PDF (see `qmskit.site.pdf`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path


def pdf(root: Path, out: Path, *, mkdocs_config: Path | None = None, today: date | None = None,
        chromium: str | None = None, config_path: Path | None = None) -> int:
    """Build the controlled copy of the QMS at `root` into `out`; return the exit code."""
    from qmskit.site.pdf import build_pdf

    return build_pdf(root, out, mkdocs_config=mkdocs_config, config_path=config_path,
                     today=today, chromium=chromium)
