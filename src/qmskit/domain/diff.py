"""What a change does to the QMS: documents affected, why they matter, who must act.

Pure comparison of two loaded QMSs (base and head) and their findings; `qmskit diff`
loads them, `qmskit.reports.diff` renders the result as a PR comment.

Documents are matched by id, not by path: a moved file is a changed document, and a
renamed id is a removal plus an addition. For every affected document the summary gives
its chain up to strategy (why it matters), the KPIs below it (what may move), and the
roles whose holders must review it. Findings are compared by rule, document and message
(not by line, which shifts with every edit) to tell which the change introduces and
which it fixes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from qmskit.model.doc import Doc
from qmskit.model.documents import Role
from qmskit.model.findings import Finding
from qmskit.model.types import Version, kind_rank
from qmskit.qms import Qms


@dataclass
class Affected:
    """A document the change touches, with why it matters and what it may move."""

    id: str
    change: str  # added | changed | retired | removed
    kind: str
    title: str
    path: str
    owner: str | None
    fields: list[str] = field(default_factory=list)
    old_path: str | None = None
    version: tuple[Version | None, Version | None] | None = None
    chains: list[list[str]] = field(default_factory=list)
    objectives: list[str] = field(default_factory=list)
    kpis: list[str] = field(default_factory=list)

    def to_dict(self, titles: dict[str, str]) -> dict[str, Any]:
        """JSON-ready record (field names are part of the public `--format json`)."""
        return {
            "id": self.id, "change": self.change, "kind": self.kind, "title": self.title,
            "path": self.path, "old_path": self.old_path, "owner": self.owner,
            "changed_fields": self.fields,
            "version": [v.yaml_value() if v is not None else None for v in self.version]
            if self.version else None,
            "upstream_chains": self.chains,
            "strategies": sorted({chain[-1] for chain in self.chains}),
            "objectives": self.objectives,
            "kpis": [{"id": k, "title": titles.get(k, "")} for k in self.kpis],
        }


def _fields_changed(old: Doc, new: Doc) -> list[str]:
    before = old.model.model_dump(mode="json")
    after = new.model.model_dump(mode="json")
    names = [name for name in dict.fromkeys([*before, *after])
             if before.get(name) != after.get(name)]
    if old.body != new.body:
        names.append("body")
    return names


def compare(base: Qms, head: Qms) -> list[Affected]:
    """The documents a change adds, changes, retires or removes, in a stable order."""
    affected: list[Affected] = []
    for doc_id in sorted(set(base.documents) | set(head.documents)):
        old, new = base.documents.get(doc_id), head.documents.get(doc_id)
        if new is None:
            assert old is not None
            affected.append(Affected(doc_id, "removed", old.kind, old.title, old.path,
                                     old.model.owner))
            continue
        if old is None:
            entry = Affected(doc_id, "added", new.kind, new.title, new.path, new.model.owner)
        elif old is new:
            continue  # the same document on both sides (a diff that shares them)
        else:
            names = _fields_changed(old, new)
            if old.kind == "kpi" and base.series.get(doc_id) != head.series.get(doc_id):
                names.append("data")
            if not names and old.path == new.path:
                continue
            change = ("retired" if new.status == "retired" and old.status != "retired"
                      else "changed")
            entry = Affected(doc_id, change, new.kind, new.title, new.path, new.model.owner,
                             fields=names, old_path=old.path if old.path != new.path else None)
            if "version" in names:
                entry.version = (old.model.version, new.model.version)
        affected.append(entry)
    for entry in affected:
        side = base if entry.change == "removed" else head
        entry.chains = side.graph.chains_to_strategy(entry.id)
        entry.objectives = sorted({i for chain in entry.chains for i in chain[1:]
                                   if side.graph.kind(i) == "objective"})
        entry.kpis = side.graph.downstream_of_kind(entry.id, "kpi")
    order = {"changed": 0, "added": 1, "retired": 2, "removed": 3}
    return sorted(affected, key=lambda a: (order[a.change], kind_rank(a.kind), a.id))


@dataclass
class RoleCall:
    """A role whose holders are asked to act on the change, and why."""

    role: str
    title: str
    holders: list[str]
    reasons: list[str] = field(default_factory=list)


def _role_info(base: Qms, head: Qms, role_id: str) -> tuple[str, list[str]]:

    for qms in (head, base):
        doc = qms.documents.get(role_id)
        if doc is not None and isinstance(doc.model, Role):
            return doc.title, list(doc.model.holders)
    return "(unknown role)", []


def reviewers(base: Qms, head: Qms, affected: Iterable[Affected]
              ) -> tuple[list[RoleCall], list[RoleCall]]:
    """Roles that must review (owners and approvers of what changed) and roles that must
    read and acknowledge (`applies_to` of changed procedures)."""
    review: dict[str, RoleCall] = {}
    acknowledge: dict[str, RoleCall] = {}

    def call(table: dict[str, RoleCall], role_id: str | None, reason: str) -> None:
        if not role_id:
            return
        if role_id not in table:
            title, holders = _role_info(base, head, role_id)
            table[role_id] = RoleCall(role_id, title, holders)
        if reason not in table[role_id].reasons:
            table[role_id].reasons.append(reason)

    for entry in affected:
        side = base if entry.change == "removed" else head
        doc = side.documents[entry.id]
        call(review, doc.model.owner, f"owner of {entry.id}")
        if doc.model.approved_by and doc.model.approved_by != doc.model.owner:
            call(review, doc.model.approved_by, f"approver of {entry.id}")
        if entry.change in ("added", "changed"):
            for role_id in getattr(doc.model, "applies_to", []):
                call(acknowledge, role_id, entry.id)
    return (sorted(review.values(), key=lambda r: r.role),
            sorted(acknowledge.values(), key=lambda r: r.role))


def _finding_key(finding: Finding) -> tuple[str, str, str]:
    return finding.code, finding.doc_id or finding.path, finding.message


def finding_delta(before: Sequence[Finding], after: Sequence[Finding]
                  ) -> tuple[list[Finding], list[Finding]]:
    """(introduced, fixed): findings only in `after`, findings only in `before`."""
    old = {_finding_key(f) for f in before}
    new = {_finding_key(f) for f in after}
    return ([f for f in after if _finding_key(f) not in old],
            [f for f in before if _finding_key(f) not in new])


def impact(base: Qms, head: Qms, before: Sequence[Finding], after: Sequence[Finding],
           day: date, revs: tuple[dict[str, str], dict[str, str]]) -> dict[str, Any]:
    """The whole comparison as plain data (what `qmskit diff --format json` prints).

    `before` and `after` are the findings of each side as of `day`; `revs` describe the
    two revisions (`{"rev": ..., "commit": ...}`).
    """
    affected = compare(base, head)
    review, acknowledge = reviewers(base, head, affected)
    introduced, fixed = finding_delta(before, after)
    titles = {i: d.title for q in (base, head) for i, d in q.documents.items()}
    objectives = sorted({i for a in affected for i in a.objectives}
                        | {a.id for a in affected if a.kind == "objective"})
    strategies = sorted({chain[-1] for a in affected for chain in a.chains})
    return {
        "base": revs[0],
        "head": revs[1],
        "today": day.isoformat(),
        "summary": {kind: sum(1 for a in affected if a.change == kind)
                    for kind in ("added", "changed", "retired", "removed")},
        "objectives": [{"id": i, "title": titles.get(i, "")} for i in objectives],
        "strategies": [{"id": i, "title": titles.get(i, "")} for i in strategies],
        "documents": [a.to_dict(titles) for a in affected],
        "reviewers": [{"role": r.role, "title": r.title, "holders": r.holders,
                       "reasons": r.reasons} for r in review],
        "acknowledge": [{"role": r.role, "title": r.title, "holders": r.holders,
                         "documents": r.reasons} for r in acknowledge],
        "findings": {"introduced": [f.to_dict() for f in introduced],
                     "fixed": [f.to_dict() for f in fixed]},
    }
