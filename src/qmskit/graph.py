"""The QMS as a graph: documents are nodes, typed links are edges.

A link points from the document that depends to the one it serves (a procedure
*supports* an objective, a KPI *measures* a process), as in Doorstop. "Upstream" means
toward strategy, "downstream" toward the work and its measures. This wrapper lets rules,
commands and pages speak in QMS terms, not graph-library terms.

Two representations, each for what it does best: per-document lists of links in and out
answer the tens of thousands of small questions rules and pages ask (networkx's per-call
overhead dominated both the check and the site build when it answered them), and a
networkx `MultiDiGraph`, built on first use, runs the graph algorithms (strongly
connected components, cycles, subgraphs for export).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qmskit.errors import QmsError

if TYPE_CHECKING:
    from qmskit.model.doc import Doc

#: The links that carry traceability from work to strategy.
TRACE_FIELDS = frozenset({"supports", "measures"})
#: Links along which a cycle is a defect (process inputs/outputs may legitimately loop).
ACYCLIC_FIELDS = frozenset({"supports", "measures", "reports_to", "superseded_by"})


@dataclass(frozen=True)
class Link:
    """One typed link: `source` --field--> `target` (index -1 for single-valued fields)."""

    source: str
    target: str
    field: str
    index: int


def _wanted(fields: Iterable[str] | None) -> frozenset[str] | None:
    return frozenset(fields) if fields is not None else None


class Graph:
    """Documents and their links, with the traversals rules, commands and pages need."""

    def __init__(self) -> None:
        self._nodes: dict[str, dict[str, str]] = {}
        self._out: dict[str, list[Link]] = {}
        self._in: dict[str, list[Link]] = {}
        self._nx: Any = None
        #: Kind -> link fields along which documents of a declared, traced kind trace to
        #: strategy (built-in kinds trace through `TRACE_FIELDS`).
        self._trace_links: dict[str, frozenset[str]] = {}

    @classmethod
    def from_documents(cls, docs: Iterable[Doc],
                       aliases: dict[str, str] | None = None) -> Graph:
        """Build the graph; a link to a former id (`aliases`: former id -> current id)
        reaches the document that has it now; links to ids that are not documents are
        left out (a rule reports them)."""
        graph = cls()
        docs = list(docs)
        for doc in docs:
            graph._add_node(doc.id, {"kind": doc.kind, "title": doc.title,
                                     "status": doc.status})
            trace_links = type(doc.model).trace_links
            if trace_links:
                graph._trace_links[doc.kind] = trace_links
        aliases = aliases or {}
        for doc in docs:
            for name, index, target in doc.links():
                if target not in graph._nodes:
                    target = aliases.get(target, target)
                if target in graph._nodes:
                    graph._add_link(Link(doc.id, target, name, index))
        return graph

    def _add_node(self, doc_id: str, data: dict[str, str]) -> None:
        self._nodes[doc_id] = data
        self._out[doc_id] = []
        self._in[doc_id] = []

    def _add_link(self, link: Link) -> None:
        self._out[link.source].append(link)
        self._in[link.target].append(link)

    @property
    def nx(self) -> Any:
        """The same graph as a networkx MultiDiGraph (one edge per typed link), built
        once, on first use, for graph algorithms and exports."""
        if self._nx is None:
            import networkx as nx

            graph = nx.MultiDiGraph()
            graph.add_nodes_from(self._nodes.items())
            graph.add_edges_from(
                (lk.source, lk.target, (lk.field, lk.index),
                 {"field": lk.field, "index": lk.index})
                for lk in self.links()
            )
            self._nx = graph
        return self._nx

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._nodes

    def __len__(self) -> int:
        return len(self._nodes)

    def kind(self, doc_id: str) -> str:
        """The kind of a node."""
        return self._nodes[doc_id]["kind"]

    def nodes(self) -> list[str]:
        """All document ids, sorted."""
        return sorted(self._nodes)

    def node_data(self, doc_id: str) -> dict[str, str]:
        """Kind, title and status of a node."""
        return dict(self._nodes[doc_id])

    def links(self, fields: Iterable[str] | None = None) -> Iterator[Link]:
        """Every link, optionally only those of the given fields."""
        wanted = _wanted(fields)
        for links in self._out.values():
            for link in links:
                if wanted is None or link.field in wanted:
                    yield link

    def outgoing(self, doc_id: str, fields: Iterable[str] | None = None) -> list[Link]:
        """Links from `doc_id` (what it depends on / serves)."""
        wanted = _wanted(fields)
        return [lk for lk in self._out.get(doc_id, ()) if wanted is None or lk.field in wanted]

    def incoming(self, doc_id: str, fields: Iterable[str] | None = None) -> list[Link]:
        """Links into `doc_id` (what depends on it / serves it)."""
        wanted = _wanted(fields)
        return [lk for lk in self._in.get(doc_id, ()) if wanted is None or lk.field in wanted]

    def traces(self, link: Link) -> bool:
        """True when `link` carries traceability toward strategy: `supports`/`measures`,
        or a link of a declared kind whose config says `traced = true`."""
        if link.field in TRACE_FIELDS:
            return True
        if not self._trace_links:
            return False
        declared = self._trace_links.get(self._nodes[link.source]["kind"])
        return declared is not None and link.field in declared

    def _walk(self, start: str, forward: bool, fields: frozenset[str] | None) -> set[str]:
        seen: set[str] = set()
        queue = deque([start])
        adjacency = self._out if forward else self._in
        while queue:
            for link in adjacency.get(queue.popleft(), ()):
                nxt = link.target if forward else link.source
                wanted = self.traces(link) if fields is None else link.field in fields
                if wanted and nxt not in seen and nxt != start:
                    seen.add(nxt)
                    queue.append(nxt)
        return seen

    def upstream(self, doc_id: str, fields: Iterable[str] | None = None) -> set[str]:
        """Everything `doc_id` serves, transitively (toward strategy); by default along
        the traceability links (`traces`)."""
        return self._walk(doc_id, True, _wanted(fields))

    def downstream(self, doc_id: str, fields: Iterable[str] | None = None) -> set[str]:
        """Everything that serves `doc_id`, transitively (toward work and measures); by
        default along the traceability links (`traces`)."""
        return self._walk(doc_id, False, _wanted(fields))

    def traced_to_strategy(self) -> set[str]:
        """Ids with a supports/measures path to a strategy (strategies included).

        One reverse breadth-first pass from all strategies: linear in the graph size,
        instead of one path search per document.
        """
        reached = {n for n, data in self._nodes.items() if data["kind"] == "strategy"}
        queue = deque(reached)
        while queue:
            for link in self._in[queue.popleft()]:
                if link.source not in reached and (link.field in TRACE_FIELDS
                                                   or self.traces(link)):
                    reached.add(link.source)
                    queue.append(link.source)
        return reached

    def cycles(self, fields: Iterable[str] = ACYCLIC_FIELDS) -> list[list[str]]:
        """One cycle per strongly connected tangle of the given link fields.

        Nodes with no incoming or no outgoing link of those fields cannot be on a cycle;
        peeling them off first (linear time) leaves networkx only the tangles themselves,
        which in a healthy QMS is nothing at all, so networkx is not even imported.
        """
        wanted = frozenset(fields)
        succ: dict[str, set[str]] = {}
        pred: dict[str, set[str]] = {}
        for link in self.links(wanted):
            succ.setdefault(link.source, set()).add(link.target)
            pred.setdefault(link.target, set()).add(link.source)
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
        if not any(succ.values()):
            return []
        import networkx as nx

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
        chosen = set(ids) & set(self._nodes)
        sub = Graph()
        sub._trace_links = dict(self._trace_links)
        for doc_id in sorted(chosen):
            sub._add_node(doc_id, dict(self._nodes[doc_id]))
        for link in self.links():
            if link.source in chosen and link.target in chosen:
                sub._add_link(link)
        return sub

    def only_links(self, fields: Iterable[str]) -> Graph:
        """A copy with the same nodes but only links of the given fields."""
        sub = Graph()
        sub._trace_links = dict(self._trace_links)
        for doc_id, data in self._nodes.items():
            sub._add_node(doc_id, dict(data))
        for link in self.links(fields):
            sub._add_link(link)
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
            if method in ("kind", "status"):
                return {n for n, data in self._nodes.items() if data[method] == value}
            if method == "owner":
                return {lk.source for lk in self.incoming(value, ["owner"])}
            raise QmsError(f"unknown selector method {method!r}; use kind:, owner: or status:")
        up, down = selector.startswith("+"), selector.endswith("+")
        doc_id = selector.strip("+")
        if doc_id not in self._nodes:
            raise QmsError(f"no document with id {doc_id!r}")
        chosen = {doc_id}
        if up:
            chosen |= self.upstream(doc_id)
        if down:
            chosen |= self.downstream(doc_id)
        return chosen

    def chains_to_strategy(self, doc_id: str) -> list[list[str]]:
        """For each strategy `doc_id` serves, the shortest supports/measures path to it
        (`doc_id` first); a strategy's own chain is itself."""
        if doc_id not in self._nodes:
            return []
        parent: dict[str, str | None] = {doc_id: None}
        queue = deque([doc_id])
        found: list[str] = []
        while queue:
            current = queue.popleft()
            if self.kind(current) == "strategy" and current != doc_id:
                found.append(current)
                continue
            for link in sorted((lk for lk in self.outgoing(current) if self.traces(lk)),
                               key=lambda lk: lk.target):
                if link.target not in parent:
                    parent[link.target] = current
                    queue.append(link.target)
        chains = []
        for strategy in sorted(found):
            chain: list[str] = []
            node: str | None = strategy
            while node is not None:
                chain.append(node)
                node = parent[node]
            chains.append(list(reversed(chain)))
        if self.kind(doc_id) == "strategy":
            chains.insert(0, [doc_id])
        return chains

    def downstream_of_kind(self, doc_id: str, kind: str) -> list[str]:
        """Documents of `kind` that serve or measure `doc_id`, transitively, sorted (e.g.
        the KPIs a change to an objective may move)."""
        if doc_id not in self._nodes:
            return []
        return sorted(d for d in self.downstream(doc_id) if self.kind(d) == kind)
