"""Link rules: every reference between documents resolves, to the right kind, and
does not loop."""

from __future__ import annotations

from collections.abc import Iterator

from qmskit.model.documents import COMMON_LINKS
from qmskit.model.findings import Finding
from qmskit.rules import RuleContext, rule

_PROCESS = {"procedure", "process"}


@rule("L201", "dangling-link", "error")
def dangling_link(ctx: RuleContext) -> Iterator[Finding]:
    """A link names an id that no document in the repository declares.

    Applies to every link field: `supports`, `measures`, `owner`, `approved_by`,
    `review.by`, `reports_to`, `inputs`, `outputs`, `applies_to`, `superseded_by` and
    the record kinds' links. Ids of files that exist but could not be read are not
    reported here (that file has its own D101/D102 finding).

    Links of kinds declared in the config (`[kinds.NAME] links`) are checked too, and an
    id a document lists in `former_ids` still resolves (L205 suggests the new id).

    Bad: `supports: [OBJ-OTDD]` when the objective is `OBJ-OTD` (the hint suggests the
    closest existing id: "did you mean OBJ-OTD?").

    Fix: correct the id, or create the missing document.
    """
    qms = ctx.qms
    known, aliases = qms.documents, qms.aliases
    for doc in qms.documents.values():
        allowed = type(doc.model).links
        for name, index, target in doc.links():
            if target in known or target in qms.broken_ids or target in aliases:
                continue
            kinds = allowed.get(name) or COMMON_LINKS.get(name) or None
            near = qms.suggest_id(target, kinds) or qms.suggest_id(target)
            yield ctx.at(doc, doc.link_pos(name, index),
                         f"{name} names {target}, which no document declares",
                         f"did you mean {near}?" if near else
                         "fix the id or create the document")


@rule("L202", "wrong-kind-link", "error")
def wrong_kind_link(ctx: RuleContext) -> Iterator[Finding]:
    """A link points to a document of a kind that link cannot point to.

    Links carry meaning: an objective `supports` a strategy; a procedure or process
    `supports` an objective (or another procedure); a KPI `measures` a process or an
    objective; `approved_by`, `review.by`, `reports_to` and `applies_to` name roles; a
    retired document is `superseded_by` one of its own kind. `owner` is checked by T307.

    Bad: an objective with `supports: [PROC-PURCH]` (upside down: the procedure should
    support the objective).

    Fix: reverse or retarget the link as the message says.
    """
    docs, aliases = ctx.qms.documents, ctx.qms.aliases
    for doc in docs.values():
        allowed_by_field = {**type(doc.model).links, **COMMON_LINKS}
        for name, index, named in doc.links():
            target = named if named in docs else aliases.get(named)
            if name == "owner" or target is None:
                continue
            target_kind = docs[target].kind
            if name == "superseded_by":
                allowed = _PROCESS if doc.kind in _PROCESS else {doc.kind}
            else:
                allowed = set(allowed_by_field[name])
            if target_kind not in allowed:
                yield ctx.at(doc, doc.link_pos(name, index),
                             f"{name} names {named}, a {target_kind}; a {doc.kind}'s {name} "
                             f"must name a {' or '.join(sorted(allowed))}",
                             "point the link at a document of the right kind")


@rule("L203", "link-to-retired", "error")
def link_to_retired(ctx: RuleContext) -> Iterator[Finding]:
    """A current document links to a retired one.

    ISO 9001 7.5.3 asks to prevent the unintended use of obsolete documented
    information. A live procedure that supports a retired objective, or is owned by a
    retired role, is working to something that no longer applies. Links from retired
    documents and `superseded_by` links are exempt.

    Fix: point the link at the document that superseded the retired one.
    """
    docs, aliases = ctx.qms.documents, ctx.qms.aliases
    for doc in docs.values():
        if doc.status == "retired":
            continue
        for name, index, named in doc.links():
            target = named if named in docs else aliases.get(named)
            if name == "superseded_by" or target is None:
                continue
            if docs[target].status == "retired":
                successor = docs[target].model.superseded_by
                hint = f"link to {successor} instead" if successor else "link to a current document"
                yield ctx.at(doc, doc.link_pos(name, index),
                             f"{name} names {named}, which is retired", hint)


@rule("L204", "link-cycle", "error")
def link_cycle(ctx: RuleContext) -> Iterator[Finding]:
    """Documents link to each other in a loop where a loop makes no sense.

    `supports`, `measures`, `reports_to` and `superseded_by` form hierarchies: a
    procedure cannot (indirectly) support itself, and a role cannot report to itself.
    Process `inputs`/`outputs` may loop and are not checked. One finding per loop, at
    the first document of the loop (by id).

    Fix: break the loop at the link that does not reflect how the organisation works.
    """
    docs = ctx.qms.documents
    graph = ctx.qms.graph
    for cycle in graph.cycles():
        first, second = cycle[0], cycle[1 % len(cycle)]
        doc = docs[first]
        link = next(
            (lk for lk in graph.outgoing(first) if lk.target == second
             and lk.field in {"supports", "measures", "reports_to", "superseded_by"}),
            None,
        )
        where = doc.link_pos(link.field, link.index) if link else doc.pos("id")
        loop = " -> ".join([*cycle, cycle[0]])
        yield ctx.at(doc, where, f"links form a loop: {loop}",
                     "remove the link that closes the loop")


@rule("L205", "link-to-former-id", "warning")
def link_to_former_id(ctx: RuleContext) -> Iterator[Finding]:
    """A link names a document by an id it no longer has (warning).

    After a renumbering (`SOP-CAPA` becomes `SOP-001`), the document lists its old ids in
    `former_ids: [SOP-CAPA]`, so links from approved or closed records that still name
    the old id keep working: they resolve to the document and are checked as links to
    it. Each such link is reported as a warning suggesting the current id, to update
    when the linking document is next revised. A former id that is another document's
    current id, or that two documents claim, is reported at the `former_ids` entry: the
    current id, or the first claim (by id), wins.

    ```yaml
    id: SOP-001
    former_ids: [SOP-CAPA]
    ```

    Fix: replace the old id with the current one when the linking document is next
    revised (a closed record may keep it).
    """
    qms = ctx.qms
    aliases = qms.aliases
    renamed = [doc for doc in qms.documents.values() if doc.model.former_ids]
    if not renamed:
        return
    for doc in qms.documents.values():
        for name, index, target in doc.links():
            if target not in qms.documents and target in aliases:
                yield ctx.at(doc, doc.link_pos(name, index),
                             f"{name} names {target}, the former id of {aliases[target]}",
                             f"link to {aliases[target]} (its current id)")
    for doc in renamed:
        for index, old in enumerate(doc.model.former_ids):
            if old in qms.documents:
                yield ctx.at(doc, doc.pos("former_ids", index),
                             f"former id {old} is the id of {qms.documents[old].path}",
                             "remove it from former_ids: an id names one document")
            elif aliases.get(old) not in (None, doc.id):
                yield ctx.at(doc, doc.pos("former_ids", index),
                             f"former id {old} is also claimed by {aliases[old]}",
                             "an old id can lead to one document only; remove one claim")
