"""`qmskit coverage`: the clause matrix of each configured standard (clause -> documents,
exclusions, gaps)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from qmskit.errors import EXIT_CLEAN, EXIT_FINDINGS
from qmskit.loader import open_qms


def coverage(root: Path, *, output_format: str = "text",
             config_path: Path | None = None) -> int:
    """Print the clause matrices; exit 1 when coverage is configured and a clause of any
    configured standard is uncovered.

    The exit code follows rule A601, so CI can gate on `qmskit coverage` alone; without a
    `[coverage]` table the matrix is informational and the exit code is 0.
    """
    from qmskit.domain.coverage import coverage_of
    from qmskit.reports.coverage import coverage_data, coverage_markdown, coverage_text

    qms = open_qms(root, config_path, with_git=False)
    cov = coverage_of(qms)
    if output_format == "json":
        sys.stdout.write(json.dumps(coverage_data(cov), indent=2) + "\n")
    elif output_format == "markdown":
        sys.stdout.write(coverage_markdown(qms))
    else:
        sys.stdout.write(coverage_text(cov))
    return EXIT_FINDINGS if cov.configured and cov.uncovered() else EXIT_CLEAN
