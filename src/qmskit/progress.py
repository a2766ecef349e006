"""Progress on long work (a check of 50,000 documents, an import, an adoption, a PDF):
what is happening and how far along it is, on a terminal, and nowhere else.

Shown on stderr, and only when stderr is a terminal, the output format is for people
(not JSON, SARIF, JUnit, GitHub annotations or a calendar), `CI` is not set (CI logs
keep every redraw as a line) and `TERM` is not `dumb`. Anywhere else every call here
is a no-op that costs nothing: `rich` is imported only when progress is shown.

A command turns it on around its work; the layers below report steps without knowing
whether anyone sees them:

    with progress.shown(progress.wanted(output_format)):
        ...
        for item in progress.track(items, "Reading documents"):
            ...

The bar is transient: it is erased when the work ends, so the command's own output
(on stdout) and messages (on stderr) read as without it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any, TypeVar

T = TypeVar("T")

#: Output formats meant for programs: never mixed with progress, even on a terminal.
MACHINE_FORMATS = frozenset({"json", "sarif", "junit", "github", "ics", "dot", "mermaid"})

_current: Any = None  # the rich Progress while shown, else None


def wanted(output_format: str | None = None, stream: IO[str] | None = None) -> bool:
    """True when progress may be shown for a command printing `output_format`: a
    terminal on stderr, a format for people, not CI, not a dumb terminal."""
    target = sys.stderr if stream is None else stream
    if output_format is not None and output_format in MACHINE_FORMATS:
        return False
    if os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return target.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def shown(on: bool) -> Iterator[None]:
    """Show progress on stderr for the duration (when `on`); nested use is one display."""
    global _current
    if not on or _current is not None:
        yield
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    display = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                       MofNCompleteColumn(), TimeElapsedColumn(),
                       console=Console(file=sys.stderr), transient=True)
    _current = display
    try:
        with display:
            yield
    finally:
        _current = None


class Task:
    """One step of the work: `advance` as parts are done; `done` when it ends."""

    def __init__(self, description: str, total: int | None) -> None:
        self._display = _current
        self._id = None
        if self._display is not None:
            self._id = self._display.add_task(description, total=total)
            # Drawn now, not at the next tick: a step shorter than a tick is seen too.
            self._display.refresh()

    def advance(self, amount: int = 1) -> None:
        """Count `amount` more parts done."""
        if self._display is not None:
            self._display.advance(self._id, amount)

    def done(self) -> None:
        """The step has ended: its line goes."""
        if self._display is not None:
            self._display.remove_task(self._id)
            self._display = None


def task(description: str, total: int | None = None) -> Task:
    """A step of `total` parts (None: unknown), shown while progress is shown."""
    return Task(description, total)


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Each of `items`, counted on a step's bar as it is handed out."""
    if _current is None:
        yield from items
        return
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    step = task(description, total)
    try:
        for item in items:
            yield item
            step.advance()
    finally:
        step.done()


def active() -> bool:
    """True while progress is shown (so a caller may skip work only a display needs)."""
    return _current is not None
