"""`qmskit check`: validate a QMS and report findings; exit 1 on any error-level finding."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qmskit import progress, translations
from qmskit.config import evaluation_date
from qmskit.errors import EXIT_CLEAN, EXIT_FINDINGS

if TYPE_CHECKING:
    from qmskit.config import Config
    from qmskit.qms import Qms
    from qmskit.rules.checker import CheckResult


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
    from qmskit.reports.formats import FORMATS

    config, _ = load_config(root, config_path)
    with progress.shown(progress.wanted(output_format)):
        result = _result(root, config, today, select, ignore, use_cache)
    sys.stdout.write(FORMATS[output_format](result, colour))
    return EXIT_FINDINGS if result.errors else EXIT_CLEAN


def _result(root: Path, config: Config, today: date | None, select: Sequence[str],
            ignore: Sequence[str], use_cache: bool) -> CheckResult:
    """The check's result: from the result cache, incrementally, or in full."""
    from qmskit.loader import load_qms
    from qmskit.rules.checker import run_checks, select_rules

    # Git history serves "changed since review" (C403) and outdated translations (C410).
    needs_git = bool({"C403", "C410"} & set(select_rules(config, select, ignore)))
    evaluation_day = evaluation_date(config, today)
    result_cache = state = None
    if use_cache and config.cache:
        from qmskit.cache import ResultCache
        from qmskit.rules.incremental import CheckState

        settings = "|".join([config.model_dump_json(), evaluation_day.isoformat(),
                             ",".join(select), ",".join(ignore), str(needs_git)])
        result_cache = ResultCache(root.absolute(), config.folders, settings, config.exclude)
        cached = decode_result(result_cache.load())
        if cached is not None:
            return cached
        # Something changed: re-read only that, re-run only what it can reach.
        state = CheckState(root.absolute(), result_cache.repo, settings, config)
        result = state.attempt(result_cache.walked(), evaluation_day,
                               select_rules(config, select, ignore))
        if result is not None:
            result_cache.save(encode_result(result), state.extra_paths())
            return result
    qms = load_qms(root, config, with_git=needs_git, use_cache=use_cache and config.cache)
    result = run_checks(qms, evaluation_day, select, ignore)
    if result_cache is not None and state is not None:
        result_cache.save(encode_result(result), files_read(qms))
        state.record(qms, result, result_cache.walked())
    return result


def files_read(qms: Qms) -> list[str]:
    """Root-relative paths of the files a check reads besides the Markdown files of the
    QMS folders: every KPI data file, the acknowledgement ledger and the translations,
    wherever they are (hidden, excluded, or in a language folder mirroring a QMS folder
    such as `docs/de/qms` for `docs/en/qms`: the walk does not see those)."""
    return sorted({*qms.series_paths.values(), qms.config.ledger_path,
                   *translations.of(qms).by_path})


def encode_result(result: CheckResult) -> dict[str, Any]:
    """A check result as JSON for the result cache."""
    return {"findings": [{f.name: getattr(finding, f.name) for f in fields(finding)}
                         for finding in result.findings],
            "notices": [notice.message for notice in result.notices],
            "documents": result.documents, "today": result.today.isoformat()}


def decode_result(value: object) -> CheckResult | None:
    """A cached check result, validated field by field; None when it is not one."""
    from qmskit.model.findings import Finding, Notice
    from qmskit.rules.checker import CheckResult

    if not isinstance(value, dict):
        return None
    try:
        findings = []
        for item in value["findings"]:
            if not isinstance(item, dict) or not all(
                    v is None or type(v) in (str, int) for v in item.values()):
                return None
            finding = Finding(**item)
            if finding.severity not in ("error", "warning"):
                return None
            findings.append(finding)
        notices = value["notices"]
        documents = value["documents"]
        if (not isinstance(notices, list) or not all(isinstance(n, str) for n in notices)
                or type(documents) is not int):
            return None
        return CheckResult(findings, [Notice(n) for n in notices], documents,
                           date.fromisoformat(value["today"]))
    except (KeyError, TypeError, ValueError):
        return None
