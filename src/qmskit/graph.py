"""The QMS as a graph: documents are nodes, typed links are edges.

A link points from the document that depends to the one it serves (a procedure
*supports* an objective, a KPI *measures* a process), as in Doorstop. "Upstream" means
toward strategy, "downstream" toward the work and its measures. networkx stays behind
this wrapper so rules, commands and pages speak in QMS terms, not graph-library terms.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx

from qmskit.errors import QmsError

if TYPE_CHECKING:
    from qmskit.loader import Doc

#: The links that carry traceability from work to strategy.
TRACE_FIELDS = frozenset({"supports", "measures"})
#: Links along which a cycle is a defect (process inputs/outputs may legitimately loop).
ACYCLIC_FIELDS = frozenset({"supports", "measures", "reports_to", "superseded_by"})


@dataclass(frozen=True)
class Link:
    """One typed edge: `source` --field--> `target`."""

    source: str
    target: str
    field: str
    index: int


class Graph:
    """Documents and their links, with the traversals rules and commands need."""

    def __init__(self) -> None:
        self._g: nx.MultiDiGraph = nx.MultiDiGraph()

    @classmethod
    def from_documents(cls, docs: Iterable[Doc]) -> Graph:
        """Build the graph; links to ids that are not documents are left out (a rule
        reports them)."""
        graph = cls()
        docs = list(docs)
        graph._g.add_nodes_from(
            (doc.id, {"kind": doc.kind, "title": doc.title, "status": doc.status})
            for doc in docs
        )
        nodes = graph._g.nodes
        graph._g.add_edges_from(
            (doc.id, target, (name, index), {"field": name, "index": index})
            for doc in docs
            for name, index, target in doc.links()
            if target in nodes
        )
        return graph

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._g

    def __len__(self) -> int:
        return int(self._g.number_of_nodes())

    def kind(self, doc_id: str) -> str:
        """The kind of a node."""
        return str(self._g.nodes[doc_id]["kind"])

    def nodes(self) -> list[str]:
        """All document ids, sorted."""
        return sorted(self._g.nodes)

    def node_data(self, doc_id: str) -> dict[str, str]:
        """Kind, title and status of a node."""
        return dict(self._g.nodes[doc_id])

    def links(self, fields: Iterable[str] | None = None) -> Iterator[Link]:
        """Every edge, optionally only those of the given fields."""
        wanted = frozenset(fields) if fields is not None else None
        for source, target, data in self._g.edges(data=True):
            if wanted is None or data["field"] in wanted:
                yield Link(source, target, data["field"], data["index"])

    def outgoing(self, doc_id: str, fields: Iterable[str] | None = None) -> list[Link]:
        """Links from `doc_id` (what it depends on / serves)."""
        wanted = frozenset(fields) if fields is not None else None
        return [
            Link(doc_id, target, data["field"], data["index"])
            for _, target, data in self._g.out_edges(doc_id, data=True)
            if wanted is None or data["field"] in wanted
        ]

    def incoming(self, doc_id: str, fields: Iterable[str] | None = None) -> list[Link]:
        """Links into `doc_id` (what depends on it / serves it)."""
        wanted = frozenset(fields) if fields is not None else None
        return [
            Link(source, doc_id, data["field"], data["index"])
            for source, _, data in self._g.in_edges(doc_id, data=True)
            if wanted is None or data["field"] in wanted
        ]

    def _walk(self, start: str, forward: bool, fields: frozenset[str]) -> set[str]:
        seen: set[str] = set()
        queue = deque([start])
        while queue:
            current = queue.popleft()
            edges = (
                self._g.out_edges(current, data="field")
                if forward
                else self._g.in_edges(current, data="field")
            )
            for source, target, name in edges:
                nxt = target if forward else source
                if name in fields and nxt not in seen and nxt != start:
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
        """Ids with a supports/measures path to a strategy (strategies included).

        One reverse breadth-first pass from all strategies: linear in the graph size,
        instead of one path search per document.
        """
        reached = {n for n, kind in self._g.nodes(data="kind") if kind == "strategy"}
        queue = deque(reached)
        while queue:
            current = queue.popleft()
            for source, _, name in self._g.in_edges(current, data="field"):
                if name in TRACE_FIELDS and source not in reached:
                    reached.add(source)
                    queue.append(source)
        return reached

    def cycles(self, fields: Iterable[str] = ACYCLIC_FIELDS) -> list[list[str]]:
        """One cycle per strongly connected tangle of the given link fields.

        Nodes with no incoming or no outgoing link of those fields cannot be on a cycle;
        peeling them off first (linear time) leaves networkx only the tangles themselves,
        which in a healthy QMS is nothing at all.
        """
        wanted = frozenset(fields)
        succ: dict[str, set[str]] = {}
        pred: dict[str, set[str]] = {}
        for source, target, name in self._g.edges(data="field"):
            if name in wanted:
                succ.setdefault(source, set()).add(target)
                pred.setdefault(target, set()).add(source)
        queue = deque(n for n in set(succ) | set(pred) if not succ.get(n) or not pred.get(n))
        removed: set[str] = set()
        while queue:
            node = queue.popleft()
            if node in removed:
                continue
            removed.add(node)
            for target in succ.pop(node, set()):
                pred[target].discard(node)
                if not pred[target]:
                    queue.append(target)
            for source in pred.pop(node, set()):
                succ[source].discard(node)
                if not succ[source]:
                    queue.append(source)
        simple = nx.DiGraph()
        simple.add_edges_from((s, t) for s, targets in succ.items() for t in targets)
        found: list[list[str]] = []
        for component in nx.strongly_connected_components(simple):
            members = sorted(component)
            if len(members) == 1 and not simple.has_edge(members[0], members[0]):
                continue
            cycle = nx.find_cycle(simple.subgraph(members), source=members[0])
            found.append([edge[0] for edge in cycle])
        return sorted(found)

    def subgraph(self, ids: Iterable[str]) -> Graph:
        """A copy limited to `ids` and the links among them."""
        sub = Graph()
        sub._g = self._g.subgraph(set(ids)).copy()
        return sub

    def only_links(self, fields: Iterable[str]) -> Graph:
        """A copy with the same nodes but only links of the given fields."""
        wanted = frozenset(fields)
        sub = Graph()
        sub._g = nx.MultiDiGraph()
        sub._g.add_nodes_from(self._g.nodes(data=True))
        sub._g.add_edges_from(
            (s, t, k, d) for s, t, k, d in self._g.edges(keys=True, data=True)
            if d["field"] in wanted
        )
        return sub

    def select(self, selectors: Iterable[str]) -> set[str]:
        """Ids matching dbt-like selectors; several selectors are a union, `a,b` an
        intersection.

        `ID`, `+ID` (with upstream), `ID+` (with downstream), `+ID+`, `kind:KIND`,
        `owner:ROLE-ID`, `status:STATUS`.
        """
        result: set[str] = set()
        for selector in selectors:
            parts = [self._select_one(part) for part in selector.split(",") if part]
            if parts:
                result |= set.intersection(*parts)
        return result

    def _select_one(self, selector: str) -> set[str]:
        if ":" in selector:
            method, _, value = selector.partition(":")
            if method == "kind":
                return {n for n, kind in self._g.nodes(data="kind") if kind == value}
            if method == "status":
                return {n for n, status in self._g.nodes(data="status") if status == value}
            if method == "owner":
                return {s for s, t, name in self._g.edges(data="field")
                        if name == "owner" and t == value}
            raise QmsError(f"unknown selector method {method!r}; use kind:, owner: or status:")
        up, down = selector.startswith("+"), selector.endswith("+")
        doc_id = selector.strip("+")
        if doc_id not in self._g:
            raise QmsError(f"no document with id {doc_id!r}")
        chosen = {doc_id}
        if up:
            chosen |= self.upstream(doc_id)
        if down:
            chosen |= self.downstream(doc_id)
        return chosen
