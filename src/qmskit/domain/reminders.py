"""Reminders where work is tracked: one GitHub issue per person, kept in step with `due`.

`qmskit due --sync github` keeps, for each person with something due, one open issue
that lists their items; it updates the issue in place when the list changes, closes it
when nothing is due any more and reopens it when something falls due again. Run weekly,
a person gets one issue that lives with their duties, not a new issue every week.

The decision is a pure function of two pieces of data: the items per person now (from
`qmskit.domain.duties`) and the issues that exist (as `gh issue list` reports them).
An issue belongs to a person by a marker comment in its body, `<!-- qmskit-due:HANDLE
-->`, not by its title or assignee (which people may edit); a second marker carries a
digest of the items, so an unchanged list means no edit at all and a second run changes
nothing. Only `gh` talks to GitHub: this module turns the decision into `gh` argument
lists, and the command prints them (`--dry-run`) or runs them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from qmskit.domain.duties import Duty

#: The label that marks reminder issues (and the only issues the sync reads).
DEFAULT_LABEL = "qms-due"
#: How many issues one `gh issue list` may return; gh's own default (30) would miss
#: people in a larger organisation and make the sync create duplicates.
LIST_LIMIT = 1000
#: GitHub refuses issue bodies longer than 65,536 characters; renderers stay below this.
BODY_LIMIT = 60_000
#: Bumped when what the digest covers changes, so every issue is rewritten once.
_DIGEST_VERSION = "1"

_MARKER = re.compile(r"<!-- qmskit-due:([a-z0-9][a-z0-9._-]*) -->")
_DIGEST = re.compile(r"<!-- qmskit-due-digest:([0-9a-f]{64}) -->")


def marker(handle: str) -> str:
    """The comment that ties an issue to a person."""
    return f"<!-- qmskit-due:{handle} -->"


def digest_marker(value: str) -> str:
    """The comment that records which items an issue body shows."""
    return f"<!-- qmskit-due-digest:{value} -->"


def digest(items: Sequence[Duty]) -> str:
    """A digest of one person's items: equal lists, equal digests (order included).

    It covers what the issue shows (what, when, overdue, how), so a changed title, date
    or state updates the issue, and an unchanged list leaves it alone.
    """
    data = [_DIGEST_VERSION, *[item.to_dict() for item in items]]
    text = json.dumps(data, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def issue_title(handle: str) -> str:
    """The title of a person's reminder issue."""
    return f"Quality duties of {handle}"


@dataclass(frozen=True)
class Issue:
    """An existing issue, as `gh issue list --json number,title,state,body` reports it."""

    number: int
    title: str
    state: Literal["open", "closed"]
    body: str

    # The markers are the body's last lines; taking the last match means no marker-like
    # text earlier in the body (a file name in a code span, say) can claim the issue.

    @property
    def handle(self) -> str | None:
        """The person the issue reminds, from its marker; None for other issues."""
        found = _MARKER.findall(self.body)
        return found[-1] if found else None

    @property
    def digest(self) -> str | None:
        """The digest of the items the body shows, if it carries one."""
        found = _DIGEST.findall(self.body)
        return found[-1] if found else None


def parse_issues(text: str) -> list[Issue]:
    """Issues from `gh issue list --json number,title,state,body` output.

    Raises ValueError with what is wrong: the output is another program's, and a sync
    that misread it would create duplicates or close the wrong issue.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"gh issue list did not print JSON ({error.msg})") from None
    if not isinstance(data, list):
        raise ValueError("gh issue list printed JSON that is not a list of issues")
    issues = []
    for entry in data:
        if not isinstance(entry, dict):
            raise ValueError("gh issue list printed an entry that is not an object")
        number, title, state, body = (entry.get(k) for k in ("number", "title", "state",
                                                              "body"))
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise ValueError(f"gh issue list printed an issue without a number: {entry!r}")
        status = str(state).lower()
        if status not in ("open", "closed"):
            raise ValueError(f"issue #{number} has an unknown state {state!r}")
        issues.append(Issue(number, str(title or ""), "open" if status == "open" else "closed",
                            str(body or "")))
    return issues


Op = Literal["create", "update", "reopen", "close"]


@dataclass(frozen=True)
class Step:
    """One change to make on GitHub, and why."""

    op: Op
    handle: str
    #: The issue to change; None for `create`.
    number: int | None
    #: The person's items (empty for `close`).
    items: tuple[Duty, ...]
    reason: str
    #: For a `close`: the open issue this one duplicates.
    duplicate_of: int | None = None


def decide(items: Mapping[str, Sequence[Duty]], issues: Sequence[Issue]) -> list[Step]:
    """What to change so that each person has one open issue exactly when items are due.

    Per person (handles in alphabetical order): items and an open issue whose digest and
    title match: nothing; items and an open issue that differs: update it; items and only
    closed issues: reopen the latest (and update it if it differs); items and no issue:
    create one; no items and an open issue: close it. Further open issues of the same
    person are duplicates and are closed.
    """
    mine: dict[str, list[Issue]] = {}
    for issue in issues:
        if issue.handle is not None:
            mine.setdefault(issue.handle, []).append(issue)
    steps: list[Step] = []
    for handle in sorted(set(mine) | {h for h, due in items.items() if due}):
        due = tuple(items.get(handle, ()))
        have = mine.get(handle, [])
        open_ = sorted((i for i in have if i.state == "open"), key=lambda i: i.number)
        closed = sorted((i for i in have if i.state == "closed"), key=lambda i: i.number)
        keep = open_[0] if open_ else None
        steps += [Step("close", handle, extra.number, (), f"duplicate of #{open_[0].number}",
                       open_[0].number) for extra in open_[1:]]
        if not due:
            if keep is not None:
                steps.append(Step("close", handle, keep.number, (), "nothing is due"))
            continue
        count = f"{len(due)} item{'s' if len(due) != 1 else ''} due"
        if keep is None and closed:
            keep = closed[-1]
            steps.append(Step("reopen", handle, keep.number, due, f"{count} again"))
        if keep is None:
            steps.append(Step("create", handle, None, due, f"{count}, no open issue"))
        elif keep.digest != digest(due) or keep.title != issue_title(handle):
            steps.append(Step("update", handle, keep.number, due, f"{count}; the list changed"))
    return steps


def list_command(label: str = DEFAULT_LABEL) -> list[str]:
    """The one `gh` call that reads the existing reminder issues, open and closed."""
    return ["gh", "issue", "list", "--label", label, "--state", "all",
            "--json", "number,title,state,body", "--limit", str(LIST_LIMIT)]


def gh_commands(steps: Sequence[Step], body: Callable[[str, Sequence[Duty]], str], *,
                label: str = DEFAULT_LABEL, today: date) -> list[list[str]]:
    """The `gh` argument lists that carry out `steps`, in order.

    `body(handle, items)` renders an issue body; it must contain `marker(handle)` and
    `digest_marker(digest(items))` (see `qmskit.reports.duties.issue_body`). A `gh label
    create --force` comes first when an issue is created, since `gh issue create --label`
    fails on a repository that lacks the label.
    """
    commands: list[list[str]] = []
    if any(step.op == "create" for step in steps):
        commands.append(["gh", "label", "create", label, "--force", "--color", "C5DEF5",
                         "--description", "What the QMS expects of each person (qmskit due)"])
    for step in steps:
        number = str(step.number)
        if step.op == "create":
            commands.append(["gh", "issue", "create", "--title", issue_title(step.handle),
                             "--label", label, "--body", body(step.handle, step.items)])
        elif step.op == "update":
            commands.append(["gh", "issue", "edit", number, "--title",
                             issue_title(step.handle), "--body", body(step.handle, step.items)])
        elif step.op == "reopen":
            commands.append(["gh", "issue", "reopen", number])
        elif step.duplicate_of is not None:
            commands.append(["gh", "issue", "close", number, "--comment",
                             f"Duplicate of #{step.duplicate_of}, which lists the quality "
                             f"duties of `{step.handle}` (qmskit due)."])
        else:
            commands.append(["gh", "issue", "close", number, "--comment",
                             f"Nothing is due for `{step.handle}` as of {today} "
                             "(qmskit due). This issue reopens when something falls due."])
    return commands
