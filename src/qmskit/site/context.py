"""Everything page generators read, computed once per build: the QMS, its check result,
review and KPI states, git history, and where each document is published.

Generators are pure functions of a `SiteContext`; the MkDocs plugin and `qmskit pages`
build one context and ask it for pages, so both publish the same handbook.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

from qmskit.git.history import History
from qmskit.model.documents import Kpi, Role
from qmskit.model.types import kind_rank
from qmskit.registers import row_anchor
from qmskit.reports.escape import html_text
from qmskit.site.html import link
from qmskit.site.labels import translate
from qmskit.site.layout import Layout

if TYPE_CHECKING:
    from qmskit.domain.schedule import KpiStatus, ReviewStatus
    from qmskit.graph import Graph
    from qmskit.model.doc import Doc
    from qmskit.qms import Qms
    from qmskit.rules.checker import CheckResult

#: Any string shaped like a document id; looked up in the QMS before it becomes a link.
ID_RE = re.compile(r"(?<![\w/.-])[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+(?![\w-])")

KIND_LABELS = {
    "strategy": "Strategy", "objective": "Objective", "process": "Process",
    "procedure": "Procedure", "kpi": "KPI", "role": "Role", "risk": "Risk",
    "nonconformity": "Nonconformity", "action": "Action", "audit": "Audit",
    "review": "Management review", "document": "Document", "register": "Register",
}


@dataclass
class SiteContext:
    """One build's view of the QMS; cheap to create, derived data cached on first use."""

    qms: Qms
    today: date
    layout: Layout
    result: CheckResult
    history: History
    #: The language the pages are built in (mkdocs-static-i18n builds each in turn):
    #: the labels qmskit adds follow it (`t`, `qmskit.site.labels`).
    language: str = "en"
    #: Pages this build does not have (docs-relative sources): a language built without
    #: fallback to the default one lacks the untranslated documents. Ids of documents
    #: published there show as text, never as a link to a missing page.
    missing: frozenset[str] = frozenset()

    @classmethod
    def create(
        cls,
        qms: Qms,
        *,
        today: date | None = None,
        layout: Layout | None = None,
        result: CheckResult | None = None,
        history: History | None = None,
    ) -> SiteContext:
        """A context with defaults: the QMS's evaluation date, a fresh check, git history."""

        day = qms.evaluation_date(today)
        if result is None:
            from qmskit.rules.checker import run_checks

            result = run_checks(qms, day)
        if history is None:
            # The one pass over history: shared with C403, revision tables and health.
            history = qms.history(signatures=True)
        return cls(qms, day, layout or Layout(), result, history)

    # ------------------------------------------------------------------ where things are

    @cached_property
    def src_of(self) -> dict[str, str]:
        """Document id -> docs-relative source path of its page (a register row's is its
        register's page, where it is a row of the table: `anchor`)."""
        docs = self.qms.documents
        return {doc_id: self.layout.src(docs[doc.register].path if doc.register in docs
                                         else doc.path)
                for doc_id, doc in docs.items()}

    @cached_property
    def doc_at(self) -> dict[str, Doc]:
        """Docs-relative source path -> the controlled document published there."""
        return {self.src_of[doc.id]: doc for doc in self.qms.documents.values()
                if doc.register is None}

    @cached_property
    def translated_at(self) -> dict[str, Doc]:
        """Docs-relative source path of a translation (`X.de.md`, `de/X.md`) -> the
        document it translates: its page shows that document's panel."""
        from qmskit import translations

        docs = self.qms.documents
        found: dict[str, Doc] = {}
        for path, (doc_id, _language) in translations.of(self.qms).by_path.items():
            doc = docs.get(doc_id)
            if doc is not None and doc.register is None and path != doc.path:
                found[self.layout.src(path)] = doc
        return found

    def doc_for_page(self, src: str) -> Doc | None:
        """The controlled document whose page (in any language) is built from `src`."""
        return self.doc_at.get(src) or self.translated_at.get(src)

    def t(self, text: str) -> str:
        """A label qmskit adds, in the language being built."""
        return translate(text, self.language)

    def anchor(self, doc_id: str) -> str:
        """The anchor of a document on its page: a register row's row, else none."""
        doc = self.qms.documents.get(doc_id)
        return row_anchor(doc) if doc is not None and doc.register is not None else ""

    def url(self, from_src: str, doc_id: str, anchor: str = "") -> str:
        """URL of a document's page relative to the page built from `from_src` (at its
        row, for a register row)."""
        return self.layout.rel_url(from_src, self.src_of[doc_id], anchor or self.anchor(doc_id))

    def doc_link(self, from_src: str, doc_id: str, *, with_title: bool = False) -> str:
        """HTML link to a document by id (plain text if the id is not a document)."""
        doc = self.qms.documents.get(doc_id)
        if doc is None:
            return f'<span class="qms-missing" title="no such document">{html_text(doc_id)}</span>'
        if self.src_of[doc_id] in self.missing:
            anchor = (f'<span class="qms-id" title="{html_text(doc.title)}">'
                      f"{html_text(doc_id)}</span>")
        else:
            anchor = link(self.url(from_src, doc_id), doc_id, title=doc.title, cls="qms-id")
        return f"{anchor} {html_text(doc.title)}" if with_title else anchor

    def owner_html(self, from_src: str, owner: str | None) -> str:
        """An owner role as a link, with the people who hold it."""
        if owner is None:
            return '<span class="qms-missing">no owner</span>'
        holders = self.holders(owner)
        people = f" ({html_text(', '.join(holders))})" if holders else ""
        return self.doc_link(from_src, owner) + people

    def holders(self, role_id: str) -> list[str]:
        """People holding a role (empty if the id is not a role)."""
        doc = self.qms.documents.get(role_id)
        return list(doc.model.holders) if doc and isinstance(doc.model, Role) else []

    # ----------------------------------------------------------------- derived states

    @cached_property
    def reviews(self) -> dict[str, ReviewStatus]:
        """Review status of every document as of `today`."""
        from qmskit.domain.schedule import review_status

        return {doc_id: review_status(doc, self.qms.config, self.today)
                for doc_id, doc in self.qms.documents.items()}

    @cached_property
    def kpis(self) -> dict[str, KpiStatus]:
        """Latest-value status of every KPI."""
        from qmskit.domain.schedule import kpi_status

        return {doc.id: kpi_status(doc, self.qms.series.get(doc.id), self.qms.config)
                for doc in self.qms.of_kind("kpi") if isinstance(doc.model, Kpi)}

    @property
    def links(self) -> Graph:
        """Links between documents, both ways (the QMS's own graph)."""
        return self.qms.graph

    @cached_property
    def traced(self) -> set[str]:
        """Ids on a supports/measures path to a strategy."""
        return self.links.traced_to_strategy()

    def sorted_docs(self, *kinds: str) -> list[Doc]:
        """Documents (of `kinds`, or all) in chain order, then by id."""
        docs = self.qms.of_kind(*kinds) if kinds else list(self.qms.documents.values())
        return sorted(docs, key=lambda d: (kind_rank(d.kind), d.id))
