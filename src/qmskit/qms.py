"""The loaded QMS: documents, KPI series, git facts, and everything derived from them.

Derived facts (the graph, coverage, the acknowledgement ledger, review states, git
history) are computed on first use and memoised on the `Qms` itself through one
mechanism, `derive`, so a build or a check computes each of them once, whichever
rule, report or page asks first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from qmskit.config import Config, evaluation_date
from qmskit.git.history import History, unavailable
from qmskit.graph import Graph
from qmskit.model.doc import Doc
from qmskit.model.findings import Finding
from qmskit.model.series import Row

if TYPE_CHECKING:
    from qmskit.git.reader import GitReader

T = TypeVar("T")


@dataclass
class Qms:
    """A loaded QMS: the one object every rule, report and page generator reads."""

    root: Path
    config: Config
    documents: dict[str, Doc] = field(default_factory=dict)
    duplicates: list[tuple[Doc, Doc]] = field(default_factory=list)
    broken_ids: set[str] = field(default_factory=set)
    pages: list[str] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)
    #: KPI id -> the rows of its data file: measurements and periods recorded as n/a.
    series: dict[str, list[Row]] = field(default_factory=dict)
    series_paths: dict[str, str] = field(default_factory=dict)
    #: The git side of the QMS (started by the loader, or read on first request); None
    #: when the QMS is not a work tree of its own (e.g. a revision loaded for a diff).
    git: GitReader | None = None

    _derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def derive(self, key: str, compute: Callable[[], T]) -> T:
        """The derived fact `key`, computed by `compute` on first use and memoised here.

        The one cache for data derived from a loaded QMS: rules, reports and pages ask
        for the same facts (coverage, obligations, review states) and must get the same
        object, computed once per load.
        """
        try:
            return self._derived[key]  # type: ignore[no-any-return]
        except KeyError:
            value = self._derived[key] = compute()
            return value

    def history(self, since: date | None = None, signatures: bool = False) -> History:
        """The git history of the QMS folders back to `since` (None: all of it), with
        signature checks if `signatures`: read at most once per process, whichever
        rule, page or report asks first, unless a later one asks for more."""
        if self.git is None:
            return unavailable("this copy of the QMS has no git history")
        reader = self.git
        found = self.derive("git.history", lambda: reader.history(since, signatures))
        if not found.covers(since, signatures):
            found = self._derived["git.history"] = reader.history(since, signatures)
        return found

    @property
    def graph(self) -> Graph:
        """The document graph, built on first use (commands that only list skip it)."""
        return self.derive("graph", lambda: Graph.from_documents(self.documents.values()))

    def evaluation_date(self, override: date | None = None) -> date:
        """The day dates are evaluated against: `override`, else the config's rule."""
        return evaluation_date(self.config, override)

    def of_kind(self, *kinds: str) -> list[Doc]:
        """Documents of the given kinds, in id order (stable output for reports)."""
        return sorted((d for d in self.documents.values() if d.kind in kinds), key=lambda d: d.id)

    def relpath(self, path: Path) -> str:
        """A path relative to the root, POSIX style, as findings print it."""
        return path.relative_to(self.root).as_posix()
