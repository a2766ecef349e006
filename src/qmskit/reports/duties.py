"""`qmskit due` as text, Markdown and JSON, and a person's reminder issue body.

The items come from `qmskit.domain.duties`; these functions only lay them out. Markdown
goes through the one escaper (`md_inline`, `code_span`): titles are user text, and the
same tables end up in GitHub issues and (later) the handbook's person pages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from qmskit.domain.duties import Agenda, Duty
from qmskit.domain.reminders import BODY_LIMIT, digest, digest_marker, marker
from qmskit.reports.escape import code_span, md_inline


def _plural(count: int, word: str) -> str:
    if count == 1:
        return f"1 {word}"
    return f"{count} {'people' if word == 'person' else word + 's'}"


def _tally(items: Sequence[Duty]) -> str:
    late = sum(item.overdue for item in items)
    return f"{_plural(len(items), 'item')}, {late or 'none'} overdue"


def _when(item: Duty) -> str:
    return item.due.isoformat() if item.due else "now"


def _nothing(agenda: Agenda) -> str:
    who = f" for {agenda.scope}" if agenda.scope else ""
    return (f"Nothing is due{who} as of {agenda.today} (overdue, open or due within "
            f"{agenda.within}).")


# ------------------------------------------------------------------------------ text


def due_text(agenda: Agenda) -> str:
    """The terminal listing: per person, one line per item and the line that discharges it."""
    if not agenda.items:
        return _nothing(agenda) + "\n"
    out = [f"Quality duties as of {agenda.today} (due within {agenda.within}, overdue, and "
           f"open actions): {_plural(len(agenda.items), 'item')} for "
           f"{_plural(len(agenda.people), 'person')}, {agenda.overdue or 'none'} overdue"]
    for handle, items in agenda.people.items():
        roles = ", ".join(agenda.roles.get(handle, ())) or "no role"
        out += ["", f"{handle} ({roles}): {_tally(items)}"]
        for item in items:
            flag = "OVERDUE" if item.overdue else ""
            out.append(f"  {_when(item):<10} {flag:<7}  {item.what}: {item.title}")
            out.append(f"  {'':<10} {'':<7}  -> {item.discharge}")
    return "\n".join(out) + "\n"


# -------------------------------------------------------------------------- Markdown


def _how(item: Duty) -> str:
    if item.command:
        return code_span(item.command)
    return f"edit {code_span(item.path)}: {md_inline(item.edit or '')}"


def _table(items: Sequence[Duty], link: Callable[[str], str], budget: int = BODY_LIMIT,
           more: str = "") -> list[str]:
    """The items as a Markdown table; rows beyond `budget` characters become one
    "N more" row, so an issue body stays under GitHub's limit."""
    rows = ["| Due | What | Document | How |", "|---|---|---|---|"]
    used = 0
    for index, item in enumerate(items):
        when = f"**overdue** ({_when(item)})" if item.overdue else _when(item)
        row = (f"| {when} | {md_inline(item.what)} | {link(item.doc_id)}: "
               f"{md_inline(item.title)} | {_how(item)} |")
        used += len(row) + 1
        if used > budget:
            rows.append(f"| | {len(items) - index} more items | | {more} |")
            break
        rows.append(row)
    return rows


def _plain(doc_id: str) -> str:
    return doc_id


def due_markdown(agenda: Agenda, link: Callable[[str], str] | None = None) -> str:
    """The listing as Markdown: a section and a table per person.

    `link(doc_id)` turns an id into Markdown (default: the bare id, which the site's id
    linker and GitHub both leave readable).
    """
    show = link or _plain
    out = ["# Quality duties", ""]
    if not agenda.items:
        return "\n".join([*out, _nothing(agenda)]) + "\n"
    out += [f"As of {agenda.today}: what is overdue, due within {agenda.within}, and every "
            f"open action — {_plural(len(agenda.items), 'item')} for "
            f"{_plural(len(agenda.people), 'person')}, {agenda.overdue or 'none'} overdue.",
            ""]
    for handle, items in agenda.people.items():
        roles = ", ".join(agenda.roles.get(handle, ())) or "no role"
        out += [f"## {code_span(handle)}", "", f"Roles: {roles} — {_tally(items)}.", "",
                *_table(items, show), ""]
    return "\n".join(out)


def issue_body(handle: str, items: Sequence[Duty], roles: Sequence[str], today: date) -> str:
    """A person's reminder issue: their items, how to discharge them, and the markers
    (`qmskit.domain.reminders`) that tie the issue to the person and to this list."""
    who = f"{code_span(handle)} ({', '.join(roles)})" if roles else code_span(handle)
    more = f"run {code_span(f'qmskit due --as {handle}')}"
    lines = [
        f"What the quality management system expects of {who}: {_tally(items)}.", "",
        *_table(items, _plain, BODY_LIMIT - 2_000, more), "",
        "Done items drop off at the next run; this issue is updated when the list changes "
        "and closed when nothing is due. The current list, any time: "
        f"{code_span(f'qmskit due --as {handle}')}.", "",
        f"Last updated by `qmskit due --sync github` on {today}.", "",
        marker(handle), digest_marker(digest(items)),
    ]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------ JSON


def due_data(agenda: Agenda) -> dict[str, object]:
    """The listing as plain data (`--format json`)."""
    return {
        "today": agenda.today.isoformat(),
        "within": str(agenda.within),
        "scope": agenda.scope,
        "total": len(agenda.items),
        "overdue": agenda.overdue,
        "people": [
            {"handle": handle, "roles": list(agenda.roles.get(handle, ())),
             "total": len(items), "overdue": sum(i.overdue for i in items),
             "items": [item.to_dict() for item in items]}
            for handle, items in agenda.people.items()
        ],
    }
