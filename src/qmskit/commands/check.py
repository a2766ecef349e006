"""`qmskit check`: validate a QMS and report findings; exit 1 on any error-level finding."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from qmskit import translations
from qmskit.config import evaluation_date
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
    from qmskit.config import load_config
    from qmskit.loader import load_qms
    from qmskit.reports.formats import FORMATS
    from qmskit.rules.checker import CheckResult, run_checks, select_rules

    config, _ = load_config(root, config_path)
    # Git history serves "changed since review" (C403) and outdated translations (C410).
    needs_git = bool({"C403", "C410"} & set(select_rules(config, select, ignore)))
    evaluation_day = evaluation_date(config, today)
    result_cache = None
    if use_cache and config.cache:
        from qmskit.cache import ResultCache

        settings = "|".join([config.model_dump_json(), evaluation_day.isoformat(),
                             ",".join(select), ",".join(ignore), str(needs_git)])
        result_cache = ResultCache(root.absolute(), config.folders, settings, config.exclude)
        cached = result_cache.load()
        if isinstance(cached, CheckResult):
            sys.stdout.write(FORMATS[output_format](cached, colour))
            return EXIT_FINDINGS if cached.errors else EXIT_CLEAN
    qms = load_qms(root, config, with_git=needs_git, use_cache=use_cache and config.cache)
    result = run_checks(qms, evaluation_day, select, ignore)
    if result_cache is not None:
        # Files the result depends on outside the QMS folders: KPI data, and translations
        # in the mirror of a folder (`docs/de/qms` for `docs/en/qms`).
        read = [*qms.series_paths.values(), *translations.of(qms).by_path]
        outside = [p for p in read
                   if not any(p.startswith(folder.rstrip("/") + "/") for folder in config.folders)]
        result_cache.save(result, outside)
    sys.stdout.write(FORMATS[output_format](result, colour))
    return EXIT_FINDINGS if result.errors else EXIT_CLEAN

