"""`qmskit check`: validate a QMS and report findings; exit 1 on any error-level finding."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from qmskit.commands import open_qms, resolve_today
from qmskit.errors import EXIT_CLEAN, EXIT_FINDINGS


def check(
    root: Path,
    *,
    output_format: str = "text",
    today: date | None = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    config_path: Path | None = None,
    colour: bool = False,
    use_cache: bool = True,
) -> int:
    """Load, run the enabled rules, print in `output_format`; return the exit code."""
    from qmskit.checker import run_checks
    from qmskit.reporters import FORMATS
    from qmskit.rules import all_rules

    rules = all_rules()
    for selector in (*select, *ignore):
        if not any(code.startswith(selector.upper()) or r.name == selector
                   for code, r in rules.items()):
            from qmskit.errors import ConfigError

            raise ConfigError(f"--select/--ignore: {selector!r} matches no rule; "
                              "see `qmskit rules`")
    needs_git = "C403" in _enabled_codes(select, ignore)
    qms = open_qms(root, config_path, with_git=needs_git, use_cache=use_cache)
    result = run_checks(qms, resolve_today(qms, today), select, ignore)
    sys.stdout.write(FORMATS[output_format](result, colour))
    return EXIT_FINDINGS if result.errors else EXIT_CLEAN


def _enabled_codes(select: Sequence[str], ignore: Sequence[str]) -> set[str]:
    from qmskit.rules import all_rules, matches

    return {
        code for code in all_rules()
        if (not select or matches(code, select)) and not (ignore and matches(code, ignore))
    }
