"""Traceability rules: strategy -> objectives -> processes -> KPIs -> owners, unbroken.

These are the checks that separate a QMS run as execution infrastructure from one kept
for the auditor: objectives serve strategy, work serves objectives, every measure
measures something that matters, and somebody owns each piece. Retired documents are
exempt.
"""

from __future__ import annotations

from collections.abc import Iterator

from qmskit.model.doc import Doc
from qmskit.model.documents import Role
from qmskit.model.findings import Finding
from qmskit.rules import RuleContext, rule


def _current(ctx: RuleContext, *kinds: str) -> list[Doc]:
    return [d for d in ctx.qms.of_kind(*kinds) if d.status != "retired"]


def _link_field_pos(doc: Doc, name: str) -> tuple[int, int]:
    return doc.key_positions.get((name,)) or doc.pos("id")


@rule("T301", "objective-without-strategy", "error")
def objective_without_strategy(ctx: RuleContext) -> Iterator[Finding]:
    """A quality objective supports no strategy.

    ISO 9001 6.2 wants objectives consistent with the quality policy and the strategic
    direction (5.1.1). An objective that serves no strategy is a target nobody at the
    top asked for. The objective must list at least one existing strategy in `supports`.

    Bad: `supports: []`. Good: `supports: [STRAT-CUSTOMER]`.
    """
    graph = ctx.qms.graph
    for doc in _current(ctx, "objective"):
        targets = {link.target for link in graph.outgoing(doc.id, ["supports"])}
        if not any(graph.kind(t) == "strategy" for t in targets):
            yield ctx.at(doc, _link_field_pos(doc, "supports"),
                         f"objective {doc.id} supports no strategy",
                         "add the strategy it serves to 'supports:'")


@rule("T302", "strategy-without-objective", "error")
def strategy_without_objective(ctx: RuleContext) -> Iterator[Finding]:
    """A strategy has no objective supporting it.

    A strategic priority with no quality objective under it is a slogan: nothing
    measurable turns it into work (ISO 9001 6.2). Add an objective whose `supports`
    names the strategy, or retire the strategy.
    """
    graph = ctx.qms.graph
    for doc in _current(ctx, "strategy"):
        if not any(graph.kind(link.source) == "objective"
                   for link in graph.incoming(doc.id, ["supports"])):
            yield ctx.at(doc, doc.pos("id"), f"no objective supports strategy {doc.id}",
                         "add an objective with 'supports: [" + doc.id + "]', or retire it")


@rule("T303", "objective-without-kpi", "error")
def objective_without_kpi(ctx: RuleContext) -> Iterator[Finding]:
    """A quality objective is measured by no KPI.

    ISO 9001 6.2.1 asks that objectives be measurable and monitored. An objective is
    measured by the KPIs whose `measures` name it, directly. Add `measures: [OBJ-...]`
    to the KPI that tracks it, or create one (`qmskit new kpi`).
    """
    graph = ctx.qms.graph
    for doc in _current(ctx, "objective"):
        if not any(graph.kind(link.source) == "kpi"
                   for link in graph.incoming(doc.id, ["measures"])):
            yield ctx.at(doc, doc.pos("id"), f"objective {doc.id} is measured by no KPI",
                         f"name {doc.id} in the 'measures:' of the KPI that tracks it")


@rule("T304", "process-without-strategy", "error")
def process_without_strategy(ctx: RuleContext) -> Iterator[Finding]:
    """A procedure or process is on no `supports` path to a strategy.

    Every process should exist for a reason the organisation has chosen (ISO 9001 4.4,
    5.1.1 c): supports an objective, which supports a strategy; or supports another
    process that does. Work that serves no objective is either missing its link or
    is waste.

    Fix: add the objective (or parent process) it serves to `supports:`.
    """
    traced = ctx.qms.graph.traced_to_strategy()
    for doc in _current(ctx, "procedure", "process"):
        if doc.id not in traced:
            yield ctx.at(doc, _link_field_pos(doc, "supports"),
                         f"{doc.kind} {doc.id} is on no supports path to a strategy",
                         "add the objective or parent process it serves to 'supports:'")


@rule("T305", "kpi-without-strategy", "error")
def kpi_without_strategy(ctx: RuleContext) -> Iterator[Finding]:
    """A KPI measures nothing that leads to a strategy.

    A KPI must measure a process or objective that is itself traced to strategy;
    otherwise it is a number collected for its own sake (ISO 9001 9.1.1: determine what
    needs to be monitored *and why*).

    Fix: add the process or objective it measures to `measures:`, or retire the KPI.
    """
    traced = ctx.qms.graph.traced_to_strategy()
    for doc in _current(ctx, "kpi"):
        if doc.id not in traced:
            yield ctx.at(doc, _link_field_pos(doc, "measures"),
                         f"KPI {doc.id} measures nothing on a path to a strategy",
                         "name the process or objective it measures in 'measures:'")


@rule("T306", "missing-owner", "error")
def missing_owner(ctx: RuleContext) -> Iterator[Finding]:
    """A document has no owner.

    ISO 9001 5.3 assigns responsibility and authority; in qmskit every controlled
    document names an owning role in `owner:`. The owner's holders review it, get it in
    CODEOWNERS, and answer for it in audits.

    Fix: add `owner: ROLE-...`.
    """
    for doc in ctx.qms.documents.values():
        if doc.status != "retired" and doc.model.owner is None:
            yield ctx.at(doc, doc.key_pos("id"), f"{doc.id} has no owner",
                         "add 'owner: ROLE-...' naming the role responsible for it")


@rule("T307", "owner-not-role", "error")
def owner_not_role(ctx: RuleContext) -> Iterator[Finding]:
    """A document's owner is not a role.

    Owners are roles, not people: people change jobs, roles stay, and a role's
    `holders` say who currently answers for it. An owner that names a procedure or a
    KPI is a mistake. (An owner naming no document at all is L201.)

    Fix: set `owner:` to a role id such as ROLE-QM.
    """
    docs = ctx.qms.documents
    for doc in docs.values():
        owner = doc.model.owner
        if owner is not None and owner in docs and docs[owner].kind != "role":
            yield ctx.at(doc, doc.pos("owner"),
                         f"owner {owner} is a {docs[owner].kind}, not a role",
                         "name the role responsible, e.g. ROLE-QM")


@rule("T308", "role-without-holder", "error")
def role_without_holder(ctx: RuleContext) -> Iterator[Finding]:
    """A role has no holders.

    A role nobody holds means the documents it owns are owned by nobody. List the
    people (as handles, e.g. `quality-lead`) in `holders:`.
    """
    for doc in _current(ctx, "role"):
        assert isinstance(doc.model, Role)
        if not doc.model.holders:
            yield ctx.at(doc, _link_field_pos(doc, "holders"), f"role {doc.id} has no holders",
                         "list who holds it in 'holders:'")


@rule("T309", "role-owns-nothing", "warning")
def role_owns_nothing(ctx: RuleContext) -> Iterator[Finding]:
    """A role owns no document (warning).

    Owning only its own role description does not count. Often fine (an auditor role
    owns no process on purpose), but it can also mean a
    responsibility was forgotten when documents changed owners. Review the role, or set
    this rule to `off` in the config if your structure intends it.
    """
    graph = ctx.qms.graph
    for doc in _current(ctx, "role"):
        if not any(link.source != doc.id for link in graph.incoming(doc.id, ["owner"])):
            yield ctx.at(doc, doc.pos("id"), f"role {doc.id} owns no document",
                         "check whether a document should name it as owner")


@rule("T310", "declared-kind-untraced", "error")
def declared_kind_untraced(ctx: RuleContext) -> Iterator[Finding]:
    """A document of a declared kind with `traced = true` is on no path to a strategy.

    A kind the QMS declares (`[kinds.NAME]` in the config) is traced only when its
    config says `traced = true`: then its links (`links = { supplies = ["process"] }`)
    carry traceability like `supports` and `measures`, and each document must reach a
    strategy through them (a supplier supplies a process that serves an objective that
    supports a strategy). Declared kinds without `traced` are exempt, as are drafts
    (reported as warnings) and retired documents.

    Fix: link the document to what it serves, or set `traced = false` if the kind is
    not meant to trace to strategy.
    """
    traced_kinds = [name for name, spec in ctx.config.contract.declared.items() if spec.traced]
    if not traced_kinds:
        return
    traced = ctx.qms.graph.traced_to_strategy()
    for doc in _current(ctx, *traced_kinds):
        if doc.id in traced:
            continue
        links = sorted(type(doc.model).trace_links)
        where = next((doc.key_positions[(name,)] for name in links
                      if (name,) in doc.key_positions), doc.pos("id"))
        yield ctx.at(doc, where, f"{doc.kind} {doc.id} is on no {'/'.join(links)} path to a "
                     "strategy", f"name what it serves in '{links[0]}:'" if links else
                     "link it to what it serves")
