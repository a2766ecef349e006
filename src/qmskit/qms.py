"""The loaded QMS: documents, KPI series, git facts, and everything derived from them.

Derived facts (the graph, coverage, the acknowledgement ledger, review states, git
history) are computed on first use and memoised on the `Qms` itself through one
mechanism, `derive`, so a build or a check computes each of them once, whichever
rule, report or page asks first.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date
from functools import partial
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
        return self.derive("graph", lambda: Graph.from_documents(self.documents.values(),
                                                                  self.aliases))

    @property
    def aliases(self) -> dict[str, str]:
        """Former id -> current id, from every document's `former_ids` (a renumbering
        keeps old links valid). An id that is a current document's is never an alias,
        and a former id claimed twice belongs to the first document by id."""
        def compute() -> dict[str, str]:
            found: dict[str, str] = {}
            renamed = sorted(doc_id for doc_id, doc in self.documents.items()
                             if doc.model.former_ids)
            for doc_id in renamed:
                for old in self.documents[doc_id].model.former_ids:
                    if old not in self.documents and old not in found:
                        found[old] = doc_id
            return found

        return self.derive("aliases", compute)

    def resolve(self, doc_id: str) -> str | None:
        """The current id a link to `doc_id` reaches: itself, the document that has it
        among its `former_ids`, or None."""
        if doc_id in self.documents:
            return doc_id
        return self.aliases.get(doc_id)

    def suggest_id(self, text: str, kinds: Collection[str] | None = None) -> str | None:
        """The existing id closest to `text` ("did you mean PROC-PURCH?"), optionally
        among documents of `kinds`; None when nothing is close.

        Candidates are the ids within one deletion of `text` on either side (a typo, a
        missing or doubled letter, a swap), found through an index of each id with one
        character deleted. The index is built on first use, and only for ids as long as
        `text` give or take one, so a few mistyped links on 10,000 documents cost a
        handful of comparisons, not one per document.
        """
        wanted = text.upper()
        # Typos rarely hit the prefix: look among ids with the same prefix (PROC-, OBJ-),
        # or among all ids when no id has that prefix.
        prefix: str | None = wanted.split("-", 1)[0]
        if prefix not in self.derive("id-prefixes", self._id_prefixes):
            prefix = None
        candidates: set[str] = set()
        variants = _deletions(wanted)
        for length in (len(wanted) - 1, len(wanted), len(wanted) + 1):
            index = self.derive(f"id-index:{prefix}:{length}",
                                partial(self._id_index, prefix, length))
            for variant in variants:
                candidates |= index.get(variant, set())
        if kinds is not None:
            candidates = {c for c in candidates if self.documents[c].kind in kinds}
        close = difflib.get_close_matches(wanted, sorted(candidates), 1, 0.6)
        return close[0] if close else None

    def _id_index(self, prefix: str | None, length: int) -> dict[str, set[str]]:
        groups = self.derive("ids-by-length", self._ids_by_length)
        index: dict[str, set[str]] = {}
        for doc_id in groups.get((prefix, length), ()):
            for variant in _deletions(doc_id):
                index.setdefault(variant, set()).add(doc_id)
        return index

    def _ids_by_length(self) -> dict[tuple[str | None, int], list[str]]:
        groups: dict[tuple[str | None, int], list[str]] = {}
        for doc_id in self.documents:
            groups.setdefault((None, len(doc_id)), []).append(doc_id)
            groups.setdefault((doc_id.split("-", 1)[0], len(doc_id)), []).append(doc_id)
        return groups

    def _id_prefixes(self) -> set[str]:
        return {doc_id.split("-", 1)[0] for doc_id in self.documents}

    def evaluation_date(self, override: date | None = None) -> date:
        """The day dates are evaluated against: `override`, else the config's rule."""
        return evaluation_date(self.config, override)

    def of_kind(self, *kinds: str) -> list[Doc]:
        """Documents of the given kinds, in id order (stable output for reports)."""
        return sorted((d for d in self.documents.values() if d.kind in kinds), key=lambda d: d.id)

    def relpath(self, path: Path) -> str:
        """A path relative to the root, POSIX style, as findings print it."""
        return path.relative_to(self.root).as_posix()


def _deletions(text: str) -> set[str]:
    """`text` and every string made by deleting one of its characters: two strings
    within one edit (a typo, a missing or doubled letter, a swap) share one of these."""
    return {text, *(text[:i] + text[i + 1:] for i in range(len(text)))}
