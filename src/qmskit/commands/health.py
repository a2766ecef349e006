"""`qmskit health`: is the QMS run in performance mode or only for the auditor?"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

from qmskit.errors import EXIT_CLEAN, EXIT_FINDINGS, ConfigError
from qmskit.loader import open_qms

#: `--fail-on` -> the sign verdicts that make the run fail. `unknown` is the stricter
#: gate: a sign that cannot be measured (no audit dated, no git history) fails too.
FAIL_ON = {"compliance": frozenset({"compliance"}),
           "unknown": frozenset({"compliance", "unknown"})}


def health(root: Path, *, output_format: str = "text", today: date | None = None,
           config_path: Path | None = None, fail_on: str | None = None) -> int:
    """Print the five-sign scorecard as text or JSON.

    A diagnostic by default: it exits 0 whatever the verdicts, so that it can run in any
    pipeline and feed a dashboard. Teams that want the signs in CI pass `fail_on`
    ("compliance", or "unknown" to fail on unmeasurable signs too) and get exit 1 when a
    sign reads so; the thresholds are theirs to set (`[health]` in the config).
    """
    from qmskit.domain.health import assess
    from qmskit.reports.health import format_text

    if fail_on is not None and fail_on not in FAIL_ON:
        raise ConfigError(f"--fail-on: {fail_on!r}; use one of: {', '.join(FAIL_ON)}")
    # Git is read when the health measures ask for the year's history (one `git log`).
    qms = open_qms(root, config_path, with_git=False)
    report = assess(qms, qms.evaluation_date(today))
    sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n" if output_format == "json"
                     else format_text(report))
    failing = [sign for sign in report.signs
               if fail_on is not None and sign.verdict in FAIL_ON[fail_on]]
    if failing:
        print(f"qmskit: --fail-on {fail_on}: "
              + "; ".join(f"sign {s.number} ({s.title}) reads {s.verdict}" for s in failing),
              file=sys.stderr)
        return EXIT_FINDINGS
    return EXIT_CLEAN
