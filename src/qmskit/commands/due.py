"""`qmskit due`: what each person owes the QMS, as a list, a calendar, or GitHub issues.

The items come from `qmskit.domain.duties`; this module picks the people, renders the
format asked for, and for `--sync github` reads the existing reminder issues with one
`gh issue list`, lets `qmskit.domain.reminders` decide, and prints or runs the `gh`
commands. `gh` is the only thing that talks to GitHub.
"""

from __future__ import annotations

import json
import shlex
import shutil
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from qmskit.errors import EXIT_CLEAN, EXIT_FINDINGS, ConfigError, QmsError
from qmskit.loader import open_qms
from qmskit.model.types import Interval
from qmskit.process import Finished
from qmskit.process import run as run_program

if TYPE_CHECKING:
    from qmskit.domain.duties import Agenda, Duty
    from qmskit.qms import Qms

FORMATS = ("text", "json", "markdown", "ics")
#: Seconds one `gh` call may take before the sync gives up on it.
GH_TIMEOUT = 120


def parse_within(text: str) -> Interval:
    """`--within`: an interval such as `30 days` or `6 weeks`; a bare number is days."""
    stripped = text.strip()
    if stripped.isdigit():
        stripped += " days"
    try:
        return Interval.parse(stripped)
    except ValueError as error:
        raise ConfigError(f"--within: {error}") from None


def due(root: Path, *, handle: str | None = None, role: str | None = None,
        within: Interval | None = None, output_format: str | None = None,
        fail_on: str | None = None, today: date | None = None,
        config_path: Path | None = None, sync: str | None = None, dry_run: bool = False,
        label: str | None = None) -> int:
    """List the due items (or sync them to GitHub issues); exit 0, or 1 with
    `fail_on="overdue"` when any listed item is overdue (for CI)."""
    from qmskit.domain.duties import agenda

    if handle is not None and role is not None:
        raise ConfigError("--as and --role exclude each other: list one person or one role")
    if sync is None and (dry_run or label is not None):
        raise ConfigError("--dry-run and --label apply to --sync github only")
    if sync is not None and (handle or role or output_format):
        raise ConfigError("--sync github keeps everyone's reminder issues in step; it takes "
                          "no --as, --role or --format")
    qms = open_qms(root, config_path, with_git=False)
    loaded = {doc.path for doc in qms.documents.values()}
    unread = sorted({p.path for p in qms.problems if p.path.endswith(".md")} - loaded)
    if unread:
        # Their items are missing from the list; say so where it cannot spoil the output.
        print(f"qmskit: note: {len(unread)} file{'s' if len(unread) != 1 else ''} could not be "
              f"read ({', '.join(unread[:3])}{', ...' if len(unread) > 3 else ''}) and "
              "are left out; `qmskit check` shows why", file=sys.stderr)
    day = qms.evaluation_date(today)
    listed = agenda(qms, day, within or qms.config.review_window, handle=handle, role=role)
    if sync is not None:
        _sync(qms.root, listed, label, dry_run)
    else:
        _write(qms, listed, output_format or "text")
    return EXIT_FINDINGS if fail_on == "overdue" and listed.overdue else EXIT_CLEAN


def _write(qms: Qms, listed: Agenda, output_format: str) -> None:
    from qmskit.reports.duties import due_data, due_markdown, due_text

    if output_format == "ics":
        from qmskit.reports.calendar import calendar_namespace, due_ics

        calendar = due_ics(listed, datetime.now(UTC).replace(microsecond=0),
                           calendar_namespace(qms))
        sys.stdout.flush()
        sys.stdout.buffer.write(calendar)
        sys.stdout.buffer.flush()
    elif output_format == "json":
        sys.stdout.write(json.dumps(due_data(listed), indent=2) + "\n")
    elif output_format == "markdown":
        sys.stdout.write(due_markdown(listed))
    else:
        sys.stdout.write(due_text(listed))


def _gh(argv: Sequence[str], cwd: Path) -> Finished:
    """Run one gh command; a gh that hangs (no network) becomes a QmsError."""
    return run_program(argv, cwd=cwd, timeout=GH_TIMEOUT,
                       what=f"`{' '.join(argv[:3])}` (is GitHub reachable?)")


def _shown(argv: Sequence[str]) -> str:
    """A gh command line for the log of a real run: bodies shortened to their size."""
    parts = list(argv)
    for index, part in enumerate(parts[:-1]):
        if part == "--body":
            parts[index + 1] = f"<{parts[index + 1].count(chr(10))} lines>"
    return shlex.join(parts)


def _sync(root: Path, listed: Agenda, label: str | None, dry_run: bool) -> None:
    """Read the reminder issues, decide, then print (`dry_run`) or run the gh commands."""
    from qmskit.domain.reminders import (
        DEFAULT_LABEL,
        decide,
        gh_commands,
        list_command,
        parse_issues,
    )
    from qmskit.reports.duties import issue_body

    label = label or DEFAULT_LABEL
    if shutil.which("gh") is None:
        raise QmsError("`gh` (the GitHub CLI) is not on PATH; install it from "
                       "https://cli.github.com and set GH_TOKEN (in a workflow: "
                       "`GH_TOKEN: ${{ github.token }}` with `issues: write`)")
    listing = list_command(label)
    done = _gh(listing, root)
    if done.returncode != 0:
        raise QmsError(f"`{shlex.join(listing)}` failed: {done.stderr.strip() or done.stdout}"
                       "; is GH_TOKEN set, and is this a clone of a GitHub repository?")
    try:
        issues = parse_issues(done.stdout)
    except ValueError as error:
        raise QmsError(str(error)) from None
    steps = decide(listed.people, issues)

    def body(handle: str, items: Sequence[Duty]) -> str:
        return issue_body(handle, items, listed.roles.get(handle, ()), listed.today)

    commands = gh_commands(steps, body, label=label, today=listed.today)
    mine = sum(issue.handle is not None for issue in issues)
    print(f"# {mine} reminder issue{'s' if mine != 1 else ''} labelled {label}; "
          f"{len(listed.people)} people with items due")
    for step in steps:
        target = f" #{step.number}" if step.number else ""
        print(f"# {step.handle}: {step.op}{target} ({step.reason})")
    if not steps:
        print("# nothing to change: every reminder issue is up to date")
    failed = 0
    for argv in commands:
        if dry_run:
            print(shlex.join(argv))
            continue
        print(f"$ {_shown(argv)}")
        sys.stdout.flush()
        result = _gh(argv, root)
        if result.stdout.strip():
            print(result.stdout.strip())
        if result.returncode != 0:
            failed += 1
            print(f"qmskit: gh failed: {result.stderr.strip()}", file=sys.stderr)
    sys.stdout.flush()
    if failed:
        raise QmsError(f"{failed} of {len(commands)} gh commands failed (above); the next "
                       "run retries what is still out of step")
