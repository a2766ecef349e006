"""Run the enabled rules over a loaded QMS and collect findings, in one place.

Selection and severity are resolved here, once, from the config and the command line,
so the CLI, the pre-commit hook and the site plugin cannot disagree on what is an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from qmskit.model.findings import Finding, Notice, Severity
from qmskit.qms import Qms
from qmskit.rules import RuleContext, all_rules, matches


@dataclass
class CheckResult:
    """Findings (sorted by location), notices, and what was checked."""

    findings: list[Finding]
    notices: list[Notice] = field(default_factory=list)
    documents: int = 0
    today: date = field(default_factory=date.today)

    @property
    def errors(self) -> int:
        """Number of findings at error severity."""
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        """Number of findings at warning severity."""
        return sum(1 for f in self.findings if f.severity == "warning")


def enabled_rules(
    qms: Qms, select: Sequence[str] = (), ignore: Sequence[str] = ()
) -> dict[str, Severity]:
    """Codes of the rules that run, with the severity each reports at."""
    enabled: dict[str, Severity] = {}
    for code, registered in all_rules().items():
        setting = qms.config.rules.get(code)
        if setting == "off" and not (select and matches(code, select)):
            continue
        if select and not matches(code, select):
            continue
        if ignore and matches(code, ignore):
            continue
        enabled[code] = setting if setting in ("error", "warning") else registered.severity
    return enabled


def run_checks(
    qms: Qms, today: date, select: Sequence[str] = (), ignore: Sequence[str] = ()
) -> CheckResult:
    """Every enabled rule over `qms` as of `today`."""
    ctx = RuleContext(qms, today)
    rules = all_rules()
    findings: list[Finding] = []
    enabled = enabled_rules(qms, select, ignore)
    for code, severity in enabled.items():
        findings.extend(rules[code].run(ctx, severity))
    notices = []
    if "C403" in enabled and qms.git is not None and not qms.git.available:
        notices.append(Notice(f"C403 skipped: {qms.git.reason}"))
    findings.sort()
    return CheckResult(findings, notices, len(qms.documents), today)
