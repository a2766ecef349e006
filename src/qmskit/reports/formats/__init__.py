"""Output formats for `qmskit check`, in one table, like yamllint's.

Each reporter turns a CheckResult into text for one audience: people at a terminal
(text), programs (json), and GitHub's workflow annotations (github).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from qmskit.rules.checker import CheckResult

_COLOURS = {"error": "\033[31m", "warning": "\033[33m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def text(result: CheckResult, colour: bool = False) -> str:
    """`path:line:col: CODE [severity] message`, a hint line, and a summary."""
    lines: list[str] = []
    for f in result.findings:
        if colour:
            lines.append(f"{_BOLD}{f.location()}{_RESET}: {_COLOURS[f.severity]}{f.code}{_RESET} "
                         f"[{f.severity}] {f.message}")
            if f.hint:
                lines.append(f"  {_DIM}hint: {f.hint}{_RESET}")
        else:
            lines.append(f"{f.location()}: {f.code} [{f.severity}] {f.message}")
            if f.hint:
                lines.append(f"  hint: {f.hint}")
    lines.extend(f"note: {notice.message}" for notice in result.notices)
    summary = (f"{result.documents} documents checked as of {result.today}: "
               f"{result.errors} error{'s' if result.errors != 1 else ''}, "
               f"{result.warnings} warning{'s' if result.warnings != 1 else ''}")
    lines.append(summary)
    return "\n".join(lines) + "\n"


def as_json(result: CheckResult, colour: bool = False) -> str:
    """A stable JSON document: summary counts and every finding."""
    payload = {
        "today": result.today.isoformat(),
        "documents": result.documents,
        "errors": result.errors,
        "warnings": result.warnings,
        "notices": [n.message for n in result.notices],
        "findings": [f.to_dict() for f in result.findings],
    }
    return json.dumps(payload, indent=2) + "\n"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(result: CheckResult, colour: bool = False) -> str:
    """GitHub Actions workflow commands, so findings appear on the PR's changed lines."""
    lines = []
    for f in result.findings:
        message = f.message + (f" (hint: {f.hint})" if f.hint else "")
        lines.append(
            f"::{f.severity} file={_escape_property(f.path)},line={f.line},col={f.col},"
            f"title={_escape_property(f.code)}::{_escape_data(message)}"
        )
    lines.extend(f"::notice::{_escape_data(n.message)}" for n in result.notices)
    return "\n".join(lines) + ("\n" if lines else "")


def _sarif(result: CheckResult, colour: bool = False) -> str:
    """SARIF 2.1.0 for GitHub code scanning (imported only when asked for)."""
    from qmskit.reports.formats.sarif import sarif

    return sarif(result, colour)


def _junit(result: CheckResult, colour: bool = False) -> str:
    """JUnit XML for CI test reports (imported only when asked for)."""
    from qmskit.reports.formats.junit import junit

    return junit(result, colour)


Reporter = Callable[[CheckResult, bool], str]
FORMATS: dict[str, Reporter] = {"text": text, "json": as_json, "github": github,
                                "sarif": _sarif, "junit": _junit}
