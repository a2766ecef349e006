"""Run the enabled rules over a loaded QMS and collect findings, in one place.

Selection and severity are resolved here, once, from the config and the command line,
so the CLI, the pre-commit hook and the site plugin cannot disagree on what is an error.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from qmskit import progress
from qmskit.config import Config
from qmskit.errors import ConfigError
from qmskit.model.findings import Finding, Notice, Severity
from qmskit.qms import Qms
from qmskit.rules import RuleContext, all_rules, matches, resolve_rule_code
from qmskit.rules.history import history_notice


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


def select_rules(
    config: Config, select: Sequence[str] = (), ignore: Sequence[str] = ()
) -> dict[str, Severity]:
    """Codes of the rules that run, with the severity each reports at.

    The one place that decides: the config's `[rules]` (by code or name; an unknown
    one is a ConfigError), then `--select` / `--ignore` (a selector matching no rule is
    a ConfigError too, so a typo never silently disables a check).
    """
    rules = all_rules()
    for selector in (*select, *ignore):
        if selector.strip() and not any(matches(code, [selector]) for code in rules):
            raise ConfigError(f"--select/--ignore: {selector!r} matches no rule; "
                              "see `qmskit rules`")
    settings: dict[str, str] = {}  # code -> "error" | "warning" | "off"
    for key, setting in config.rules.items():
        code = resolve_rule_code(key)
        if code is None:
            raise ConfigError(f"{config.source}: rules.{key}: unknown rule; `qmskit rules` "
                              "lists the codes and names")
        settings[code] = setting
    enabled: dict[str, Severity] = {}
    for code, registered in rules.items():
        configured = settings.get(code)
        if configured == "off" and not (select and matches(code, select)):
            continue
        if select and not matches(code, select):
            continue
        if ignore and matches(code, ignore):
            continue
        enabled[code] = ("error" if configured == "error" else "warning"
                         if configured == "warning" else registered.severity)
    return enabled


def run_checks(
    qms: Qms, today: date, select: Sequence[str] = (), ignore: Sequence[str] = ()
) -> CheckResult:
    """Every enabled rule over `qms` as of `today`."""
    enabled = select_rules(qms.config, select, ignore)
    ctx = RuleContext(qms, today)
    found = run_rules(ctx, enabled)
    return assemble(found, notices(ctx, enabled), len(qms.documents), today)


def run_rules(ctx: RuleContext, enabled: Mapping[str, Severity]) -> dict[str, list[Finding]]:
    """The findings of each rule in `enabled` (code -> severity), by code."""
    rules = all_rules()
    return {code: list(rules[code].run(ctx, severity))
            for code, severity in progress.track(enabled.items(), "Checking rules",
                                                 len(enabled))}


def notices(ctx: RuleContext, enabled: Collection[str]) -> list[Notice]:
    """What the check tells besides findings: an empty QMS, a skipped C403."""
    qms = ctx.qms
    found = []
    if not qms.documents and not qms.broken_ids and not qms.problems:
        # Folders that exist but hold only plain pages: say so rather than "0 errors".
        found.append(Notice(f"no controlled document found in {', '.join(qms.config.folders)}"
                            ": a controlled document is a Markdown file whose front matter "
                            "has an `id` (see `qmskit new`)"))
    if "C403" in enabled:
        reason = history_notice(ctx)
        if reason:
            found.append(Notice(f"C403 skipped: {reason}"))
    return found


def assemble(by_rule: Mapping[str, Sequence[Finding]], found_notices: list[Notice],
             documents: int, today: date) -> CheckResult:
    """A check result from the findings of each rule, sorted by location (the order is
    the same whichever way the findings were computed: cold, cached or incremental)."""
    findings = [finding for listed in by_rule.values() for finding in listed]
    findings.sort()
    return CheckResult(findings, found_notices, documents, today)
