"""`qmskit report management-review`: the ISO 9001 9.3 inputs as a draft review record."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from qmskit.errors import EXIT_CLEAN
from qmskit.loader import open_qms


def management_review(root: Path, *, since: date | None = None, output: Path | None = None,
                      today: date | None = None, config_path: Path | None = None) -> int:
    """Write the review pack to `output` (never over an existing file) or to stdout."""
    from qmskit.domain.reviewpack import build_pack
    from qmskit.reports.reviewpack import render_markdown

    qms = open_qms(root, config_path, with_git=False)
    day = qms.evaluation_date(today)
    if since is not None and since > day:
        from qmskit.errors import ConfigError

        raise ConfigError(f"--since {since} is after the evaluation date {day}")
    text = render_markdown(build_pack(qms, day, since))
    if output is None:
        sys.stdout.write(text)
        return EXIT_CLEAN
    from qmskit.edit import atomic_create

    atomic_create(output, text)
    sys.stderr.write(f"wrote {output}\n")
    return EXIT_CLEAN
