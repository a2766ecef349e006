"""`qmskit report management-review`: the ISO 9001 9.3 inputs as a draft review record."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from qmskit.errors import EXIT_CLEAN
from qmskit.loader import open_qms


def management_review(root: Path, *, since: date | None = None, output: Path | None = None,
                      today: date | None = None, config_path: Path | None = None) -> int:
    """Write the review pack to `output` (a new file in an existing folder) or to stdout."""
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
    from qmskit import fs
    from qmskit.edit import atomic_create

    # A new file only, in a folder that exists: a typo in the folder name must not
    # silently grow a new tree, and a symlink inside the repository must not lead out.
    files = fs.Root.for_output(qms.root, output)
    atomic_create(output, text, root=Path(files.path), where=str(output), parents=False)
    sys.stderr.write(f"wrote {output}\n")
    return EXIT_CLEAN
