"""The rule registry: every check qmskit makes, with a stable code and its documentation.

A rule is a small function over a loaded QMS that yields findings. Its docstring is its
documentation page (`qmskit rules CODE`, the README catalogue): say what it catches, why
it matters for an ISO 9001 QMS, and how to fix it. Codes never change meaning; families
share a letter like ruff's: D document, L links, T traceability, C currency, R records,
A audit readiness.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from qmskit.model.findings import Finding, Severity

if TYPE_CHECKING:
    from qmskit.config import Config
    from qmskit.domain.schedule import ReviewStatus
    from qmskit.model.doc import Doc
    from qmskit.qms import Qms

FAMILIES = {
    "D": "document",
    "L": "links",
    "T": "traceability",
    "C": "currency",
    "R": "records",
    "A": "audit readiness",
}


@dataclass(frozen=True)
class RuleContext:
    """What a rule may read: the loaded QMS and the evaluation date. Rules never do I/O."""

    qms: Qms
    today: date
    _reviews: dict[str, ReviewStatus] = field(default_factory=dict)

    def review(self, doc: Doc) -> ReviewStatus:
        """The document's review status as of `today` (computed once, shared by rules)."""
        status = self._reviews.get(doc.id)
        if status is None:
            from qmskit.domain.schedule import review_status

            status = self._reviews[doc.id] = review_status(doc, self.config, self.today)
        return status

    @property
    def config(self) -> Config:
        """The QMS configuration."""
        return self.qms.config

    def at(self, doc: Doc, where: tuple[int, int], message: str, hint: str = "") -> Finding:
        """A finding in `doc` at `where`; the registry fills in code and severity."""
        return Finding(doc.path, where[0], where[1], "", message, hint=hint, doc_id=doc.id)


Check = Callable[[RuleContext], Iterable[Finding]]

#: What a rule reads, as it declares it (`rule(..., reads=...)`), so that an incremental
#: check (`qmskit.rules.incremental`) re-runs a rule only when something it reads
#: changed. Every rule reads the front matter of every document (with the paths, the
#: loader's findings, KPI data, registers and the ledger): the default.
FRONT_MATTER = "front matter"
#: The whole file, body included, and whether it is committed.
CONTENT = "content"
#: The git history of the QMS folders (up to HEAD).
HISTORY = "history"


@dataclass(frozen=True)
class Rule:
    """A registered rule: stable code and name, default severity, docs, and the check."""

    code: str
    name: str
    severity: Severity
    check: Check
    doc: str
    #: What the rule reads (FRONT_MATTER, CONTENT, HISTORY).
    reads: frozenset[str] = frozenset({FRONT_MATTER})
    #: True when each finding is about one document, located in that document's file,
    #: and depends on nothing but that document (its file, its history, the config and
    #: the day): such a rule may be run on the changed documents alone and its other
    #: findings kept.
    per_document: bool = False

    @property
    def family(self) -> str:
        """The family name (document, links, traceability, currency)."""
        return FAMILIES[self.code[0]]

    @property
    def summary(self) -> str:
        """The first line of the documentation."""
        return self.doc.split("\n", 1)[0]

    def run(self, ctx: RuleContext, severity: Severity) -> Iterator[Finding]:
        """Run the check and stamp each finding with this rule's code and `severity`.

        A traceability finding (T) about a draft is a warning whatever the rule's
        severity: a draft is work in progress (a fresh `qmskit new` has no links yet),
        and it must pass the pre-commit hook until it is approved.
        """
        drafts = self.code.startswith("T")
        docs = ctx.qms.documents
        for finding in self.check(ctx):
            level = severity
            if drafts and finding.doc_id is not None and finding.doc_id in docs \
                    and docs[finding.doc_id].status == "draft":
                level = "warning"
            yield replace(finding, code=self.code, severity=level)


_REGISTRY: dict[str, Rule] = {}


def rule(code: str, name: str, severity: Severity, *,
         reads: Iterable[str] = (FRONT_MATTER,),
         per_document: bool = False) -> Callable[[Check], Check]:
    """Register a check under a stable `code` and kebab-case `name`, with what it
    `reads` and whether it is `per_document` (see `Rule`). A rule that reads more than
    the front matter must be per document: the incremental check relies on it."""
    declared = frozenset(reads)
    if declared - {FRONT_MATTER, CONTENT, HISTORY} or (
            declared != {FRONT_MATTER} and not per_document):
        raise RuntimeError(f"rule {code}: reads {sorted(declared)} needs per_document=True")

    def register(check: Check) -> Check:
        if code in _REGISTRY:
            raise RuntimeError(f"rule code {code} registered twice")
        doc = inspect.cleandoc(check.__doc__ or "")
        if not doc:
            raise RuntimeError(f"rule {code} needs a docstring: it is the rule's documentation")
        _REGISTRY[code] = Rule(code, name, severity, check, doc, declared, per_document)
        return check

    return register


def all_rules() -> dict[str, Rule]:
    """Every rule, by code, in family order (D, L, T, C, R) then code order."""
    if not _REGISTRY:
        from qmskit.rules import (  # noqa: F401
            audit,
            currency,
            document,
            links,
            records,
            traceability,
            translations,
        )

    order = list(FAMILIES)
    return dict(sorted(_REGISTRY.items(), key=lambda item: (order.index(item[0][0]), item[0])))


def resolve_rule_code(key: str) -> str | None:
    """A rule code from a code (`T309`) or a name (`role-owns-nothing`)."""
    rules = all_rules()
    if key.upper() in rules:
        return key.upper()
    for code, registered in rules.items():
        if registered.name == key:
            return code
    return None


def matches(code: str, selectors: Iterable[str]) -> bool:
    """True when a selector names this code, its family letter, a prefix, or its name."""
    rules = all_rules()
    for selector in selectors:
        selector = selector.strip()
        if not selector:
            continue
        if code.startswith(selector.upper()) or rules[code].name == selector:
            return True
    return False
