"""A read-only index of the links between documents, for page generation.

It answers the same questions as `qmskit.graph.Graph` (links out and in, everything up-
or downstream, what traces to strategy) with the same rules: links to ids that are not
documents are left out, and traceability follows `supports` and `measures`. Pages ask it
tens of thousands of small questions (every link of every document, both ways); plain
lists per id answer those without networkx's per-call overhead, and without importing
networkx (~50 ms) when the check path did not need it. `test_link_index_agrees_with_graph`
keeps the two in agreement.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qmskit.loader import Doc

#: The links that carry traceability from work to strategy (as `graph.TRACE_FIELDS`).
TRACE_FIELDS = frozenset({"supports", "measures"})


@dataclass(frozen=True)
class Link:
    """One typed link: `source` --field--> `target` (index -1 for single-valued fields)."""

    source: str
    target: str
    field: str
    index: int


class LinkIndex:
    """Outgoing and incoming links per document id, built in one pass over the documents."""

    def __init__(self, docs: Iterable[Doc]) -> None:
        docs = list(docs)
        self.kinds: dict[str, str] = {doc.id: doc.kind for doc in docs}
        self._out: dict[str, list[Link]] = {doc.id: [] for doc in docs}
        self._in: dict[str, list[Link]] = {doc.id: [] for doc in docs}
        for doc in docs:
            for name, index, target in doc.links():
                if target in self.kinds:
                    link = Link(doc.id, target, name, index)
                    self._out[doc.id].append(link)
                    self._in[target].append(link)

    def kind(self, doc_id: str) -> str:
        """The kind of a document."""
        return self.kinds[doc_id]

    def links(self, fields: Iterable[str] | None = None) -> list[Link]:
        """Every link, optionally only those of the given fields."""
        wanted = frozenset(fields) if fields is not None else None
        return [link for links in self._out.values() for link in links
                if wanted is None or link.field in wanted]

    def outgoing(self, doc_id: str, fields: Iterable[str] | None = None) -> list[Link]:
        """Links from `doc_id` (what it serves or depends on)."""
        wanted = frozenset(fields) if fields is not None else None
        return [lk for lk in self._out.get(doc_id, []) if wanted is None or lk.field in wanted]

    def incoming(self, doc_id: str, fields: Iterable[str] | None = None) -> list[Link]:
        """Links into `doc_id` (what serves, measures or otherwise points at it)."""
        wanted = frozenset(fields) if fields is not None else None
        return [lk for lk in self._in.get(doc_id, []) if wanted is None or lk.field in wanted]

    def _walk(self, start: str, forward: bool, fields: frozenset[str]) -> set[str]:
        seen: set[str] = set()
        queue = deque([start])
        while queue:
            current = queue.popleft()
            for link in (self._out if forward else self._in).get(current, []):
                nxt = link.target if forward else link.source
                if link.field in fields and nxt not in seen and nxt != start:
                    seen.add(nxt)
                    queue.append(nxt)
        return seen

    def upstream(self, doc_id: str, fields: Iterable[str] = TRACE_FIELDS) -> set[str]:
        """Everything `doc_id` serves, transitively (toward strategy)."""
        return self._walk(doc_id, True, frozenset(fields))

    def downstream(self, doc_id: str, fields: Iterable[str] = TRACE_FIELDS) -> set[str]:
        """Everything that serves `doc_id`, transitively (toward work and measures)."""
        return self._walk(doc_id, False, frozenset(fields))

    def traced_to_strategy(self) -> set[str]:
        """Ids with a supports/measures path to a strategy (strategies included)."""
        reached = {doc_id for doc_id, kind in self.kinds.items() if kind == "strategy"}
        queue = deque(reached)
        while queue:
            for link in self._in.get(queue.popleft(), []):
                if link.field in TRACE_FIELDS and link.source not in reached:
                    reached.add(link.source)
                    queue.append(link.source)
        return reached
