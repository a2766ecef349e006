"""What `qmskit import` did, or would do (`--dry-run`), as text for the terminal."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from qmskit.domain.importing import ImportPlan
from qmskit.domain.tables import Table


@dataclass
class Outcome:
    """Files an import writes or changes, for the summary: path -> its new text."""

    created: dict[str, str] = field(default_factory=dict)
    changed: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (old, new)
    notes: list[str] = field(default_factory=list)


def describe_tables(source: str, tables: Sequence[Table]) -> list[str]:
    """One line per table: where it is, its columns and rows (to choose one)."""
    lines = []
    for table in tables:
        where = f" under {table.section!r}" if table.section else ""
        lines.append(f"  {source}:{table.line}: table {table.index}{where}: "
                     f"{', '.join(table.header)} ({len(table.rows)} rows)")
    return lines


def _diff(path: str, old: str, new: str) -> list[str]:
    import difflib

    return [line.rstrip("\n") for line in difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), f"{path} (now)",
        f"{path} (after the import)", n=1)]


def render(source: str, plan: ImportPlan, outcome: Outcome, *, dry_run: bool,
           written: bool) -> str:
    """The report: mapping, notes, files, rejected rows, and what to do next."""
    lines = [f"{source}: {len(plan.records) + len(plan.rejected)} rows as {plan.kind} records"]
    for header, names in zip(plan.header, plan.columns, strict=True):
        lines.append(f"  {header} -> {' + '.join(names) if names else '(left out)'}")
    lines += [f"  note: {note}" for note in [*plan.notes, *outcome.notes]]
    verb = "would create" if dry_run or not written else "created"
    for path, text in outcome.created.items():
        lines.append(f"{verb} {path}")
        if dry_run:
            lines += [f"    {line}" for line in text.splitlines()]
    change = "would change" if dry_run or not written else "changed"
    for path, (old, new) in outcome.changed.items():
        lines.append(f"{change} {path}:")
        lines += [f"    {line}" for line in _diff(path, old, new)]
    if plan.rejected:
        lines.append(f"{len(plan.rejected)} rows cannot be imported"
                     + ("" if written else "; nothing was written") + ":")
        for rejected in plan.rejected:
            first, *more = rejected.reasons
            lines.append(f"  {source}:{rejected.line}: {first}")
            lines += [f"  {' ' * (len(source) + len(str(rejected.line)) + 2)}{reason}"
                      for reason in more]
        lines.append("  map the values (--map-values FIELD:FROM=TO, or a file) and run the "
                     "import again" + ("; --skip-bad-rows imports the others" if not written
                                       else ""))
    elif not dry_run and written:
        lines.append("next: `qmskit check`, then commit the records with the page")
    return "\n".join(lines) + "\n"
