"""`qmskit health`: is the QMS run in performance mode or only for the auditor?"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

from qmskit.errors import EXIT_CLEAN
from qmskit.loader import open_qms


def health(root: Path, *, output_format: str = "text", today: date | None = None,
           config_path: Path | None = None) -> int:
    """Print the five-sign scorecard as text or JSON.

    A diagnostic, not a gate: it exits 0 whatever the verdicts (use `qmskit check` to
    fail a build), so that it can run in any pipeline and feed a dashboard.
    """
    from qmskit.domain.health import assess
    from qmskit.reports.health import format_text

    # Git is read when the health measures ask for the year's history (one `git log`).
    qms = open_qms(root, config_path, with_git=False)
    report = assess(qms, qms.evaluation_date(today))
    sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n" if output_format == "json"
                     else format_text(report))
    return EXIT_CLEAN
