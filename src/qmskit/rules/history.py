"""Git facts the rules share: "changed since review" for every document, read once.

Kept apart from the rule modules (which register rules when imported) so that the
checker can ask why C403 was skipped without importing a rule family.
"""

from __future__ import annotations

from qmskit import progress
from qmskit.git.facts import ReviewFacts
from qmskit.rules import RuleContext


def review_facts(ctx: RuleContext) -> ReviewFacts | None:
    """Has each reviewed document's content changed since its review stamp? Read once
    per loaded QMS (one pass over git history for all documents, see
    `qmskit.git.facts`); None when the QMS has no git history of its own (e.g. a
    revision loaded for a diff). A document without a verdict was reviewed as it is."""
    reader = ctx.qms.git
    if reader is None:
        return None

    def compute() -> ReviewFacts:
        stamps = {}
        for doc in ctx.qms.documents.values():
            review = ctx.review(doc)
            if review.state != "exempt" and review.last is not None:
                stamps[doc.path] = review.last
        step = progress.task("Reading git history (changed since review)")
        try:
            return reader.review_facts(stamps, everyone=False)
        finally:
            step.done()

    return ctx.qms.derive("git.review_facts", compute)


def history_notice(ctx: RuleContext) -> str | None:
    """Why C403 could not be checked (no git, not a repository, a shallow clone, a
    damaged index, ...), or None when it was."""
    facts = review_facts(ctx)
    return facts.reason if facts is not None and not facts.available else None
