"""Translation rules: a translated page is the same document as its default-language file.

The loader compares every translation with its source (`qmskit.translations`); these
rules report what it found, so they can be selected, ignored and configured like any
other rule.
"""

from __future__ import annotations

from collections.abc import Iterator

from qmskit.model.findings import Finding
from qmskit.rules import RuleContext, rule


@rule("D110", "translation-contradicts", "error")
def translation_contradicts(ctx: RuleContext) -> Iterator[Finding]:
    """A translation states a controlled field differently from its source.

    With `[translations]` in the config (mkdocs-static-i18n), `X.de.md` (or `de/X.md`)
    is the German version of the document in `X.md`, not a second document. Owner,
    status, version, review and approval stamps, links and every other controlled field
    come from the default-language file; a translation may leave them out, repeat them,
    or word its own `title`, `description`, `tags` and other text fields. A translation
    that states a different owner, status or link would show readers of that language a
    different system, so it is reported at the value in the translation. So is a
    translation that declares an id while its default-language file has no front matter:
    the controlled fields belong there.

    Bad (`procedures/PROC-PURCH.de.md`, while `PROC-PURCH.md` says `owner: ROLE-PL`):

        ---
        title: Einkauf
        owner: ROLE-QM
        ---

    Fix: remove the field from the translation (it is taken from the source), or make
    it the same.
    """
    return (f for f in ctx.qms.problems if f.code == "D110")


@rule("C410", "translation-outdated", "warning")
def translation_outdated(ctx: RuleContext) -> Iterator[Finding]:
    """A translation is older than its source's current version (warning).

    The "suspect" idea of C403, between languages. A translation that states a
    `version` translates that version: older than the source's `version` means it is
    out of date. A translation without a `version` is dated by git: it is out of date
    when the source's content changed in a commit made on a day after the translation's
    last commit. Content is what a review covers (C403): commits that change only review
    or approval stamps do not count, nor does the commit that adds front matter to an
    existing page (adopting qmskit). Reported at the translation, naming the source.

    Fix: update the translation; give it the source's version (`version: 3`) to say
    which version it translates. `qmskit review` never raises a translation's version.
    """
    return (f for f in ctx.qms.problems if f.code == "C410")
