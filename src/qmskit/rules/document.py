"""Document rules: can each file be read, and does its front matter follow the contract?"""

from __future__ import annotations

import re
from collections.abc import Iterator

from qmskit.model.findings import Finding
from qmskit.rules import RuleContext, rule


def _loader_findings(ctx: RuleContext, code: str) -> Iterator[Finding]:
    return (f for f in ctx.qms.problems if f.code == code)


@rule("D101", "yaml-syntax", "error")
def yaml_syntax(ctx: RuleContext) -> Iterator[Finding]:
    """The file cannot be read as Markdown with YAML front matter.

    Covers YAML syntax errors, front matter that is never closed, front matter that is
    not a mapping, duplicate keys (YAML silently keeps the last one), files that are
    binary, not UTF-8, too large, or symlinks out of the repository. The rest of the
    repository is still checked; links to the broken file's id are not reported as
    dangling, so one typo does not cascade.

    Bad:

        ---
        id: PROC-PURCH
        supports: [OBJ-OTD
        ---

    Fix: correct the YAML at the reported line and column.
    """
    return _loader_findings(ctx, "D101")


@rule("D102", "schema", "error")
def schema(ctx: RuleContext) -> Iterator[Finding]:
    """A front-matter field is unknown, missing, or has a value of the wrong type.

    Field names are a public contract (see the README); unknown fields are reported
    rather than ignored so that a misspelt `owner` or `supports` cannot silently drop a
    link. The document is still loaded without the bad field so the rest is checked.

    Fields whose name starts with `x-` are the organisation's own and pass unchecked;
    the page keys of MkDocs and Material (`tags`, `hide`, `description`, ...) pass
    through to the page and are checked as data (`hide: toc` is not a list). Fields a
    config declares (`[kinds.KIND] fields`) are checked by their type, and a `required`
    one left empty is reported once the document is not a draft. In a register's table,
    the finding points at the cell (a column naming no field: at the header).

    Bad: `ownr: ROLE-QM` (unknown field), `review: {last: yesterday}` (not a date),
    `direction: up` (must be higher or lower), `version: draft` (not a number or label).

    Fix: follow the hint (it suggests the nearest valid field name).
    """
    return _loader_findings(ctx, "D102")


@rule("D103", "duplicate-id", "error")
def duplicate_id(ctx: RuleContext) -> Iterator[Finding]:
    """Two documents declare the same id.

    Ids are how every link, CODEOWNERS line and audit trail refers to a document, so
    they must be unique in the repository. The first file (in path order) keeps the id;
    each later one is reported.

    Fix: give the copy a new id (`qmskit new` picks a free one) or delete it.
    """
    for doc, original in ctx.qms.duplicates:
        # A register row is named by its table and line.
        where = original.path + (f":{original.pos('id')[0]}" if original.register else "")
        hint = ("if one translates the other, list the languages in [translations] in "
                "qmskit.toml (see `qmskit adopt`)" if _translated(doc.path, original.path)
                else "give this document a new, unique id")
        yield ctx.at(doc, doc.pos("id"), f"id {doc.id} is already used by {where}", hint)


def _translated(one: str, other: str) -> bool:
    """True when two paths differ only by a language: `x.de.md`/`x.md`, `de/x`/`en/x`."""
    def neutral(path: str) -> tuple[str, ...]:
        parts = path.removesuffix(".md").split("/")
        stem, _, language = parts[-1].rpartition(".")
        if stem and re.fullmatch(r"[a-z]{2}([_-][A-Za-z]{2,4})?", language):
            parts[-1] = stem
        return tuple("*" if re.fullmatch(r"[a-z]{2}([_-][A-Za-z]{2,4})?", p) else p
                     for p in parts)

    return one != other and neutral(one) == neutral(other)


@rule("D104", "unknown-kind", "error")
def unknown_kind(ctx: RuleContext) -> Iterator[Finding]:
    """The `kind` field is missing or names no known document kind.

    Kinds: strategy, objective, procedure, process, document, kpi, role, risk,
    nonconformity, action, audit, review, register, and the kinds the config declares
    (`[kinds.NAME]`). The kind decides which fields and links are allowed.

    Bad: `kind: procdure`. Fix: use one of the kinds (the hint suggests the nearest), or
    declare the kind in the config.
    """
    return _loader_findings(ctx, "D104")


@rule("D105", "kpi-data", "error")
def kpi_data(ctx: RuleContext) -> Iterator[Finding]:
    """A KPI's data file is missing, outside the repository, or not a valid series.

    The file named by `data:` (relative to the KPI document) is CSV with the header
    `period,value`, one row per period in ascending order; periods match the KPI's
    frequency (YYYY-MM monthly, YYYY-Www weekly, YYYY-Qn quarterly, YYYY yearly) and
    values are numbers. A partly unreadable history is not evaluated at all, so its
    target and currency rules do not run on guesses.

    Bad: a row `2026-13,97.2`, a repeated period, or `n/a` as a value.

    Fix: correct the row at the reported line; `qmskit kpi record` appends safely.
    """
    return _loader_findings(ctx, "D105")


@rule("D106", "file-name-case", "error")
def file_name_case(ctx: RuleContext) -> Iterator[Finding]:
    """Two files of the QMS have paths that differ only in letter case.

    `procedures/PROC-PROD.md` beside `procedures/proc-prod.md` works on Linux, but a
    checkout on Windows or macOS (case-insensitive file systems) keeps only one of the
    two, silently: the other document, or its KPI data, is lost there and a check on
    that machine sees a different QMS than CI. Every Markdown file in the QMS folders
    and every KPI data file is compared; the first path (in path order) is kept, each
    other one is reported.

    Fix: rename or merge one of them (`git mv`), so that no two paths differ only in
    case.
    """
    docs_by_path = {doc.path: doc for doc in ctx.qms.documents.values()}
    docs_by_path.update((doc.path, doc) for doc, _ in ctx.qms.duplicates)
    paths = {*docs_by_path, *ctx.qms.pages, *(f.path for f in ctx.qms.problems),
             *ctx.qms.series_paths.values()}
    groups: dict[str, list[str]] = {}
    for path in paths:
        groups.setdefault(path.casefold(), []).append(path)
    for group in groups.values():
        if len(group) < 2:
            continue
        first, *others = sorted(group)
        for path in others:
            doc = docs_by_path.get(path)
            yield Finding(path, 1, 1, "", f"{path} differs from {first} only in letter case; "
                          "a Windows or macOS checkout keeps only one of them",
                          hint="rename one of them (git mv), or merge the two",
                          doc_id=doc.id if doc else None)


@rule("D107", "register-data", "error")
def register_data(ctx: RuleContext) -> Iterator[Finding]:
    """A register's table is missing, outside the repository, or not a table of records.

    A `kind: register` document names its table in `data:` (relative to the register):
    CSV whose header names fields of the kind in `records:` (with an `id` column), one
    record per line, lists separated by `;`, dotted names for nested fields
    (`review.last`), an empty cell for a field left unset (see the README, "Registers").
    A missing or unreadable file is reported at `data:`; an unclosed quote, a column
    without a name or named twice, a header without `id`, or a row with more cells than
    the header at its line and column in the table. A value a field cannot take, or a
    column naming no field, is D102 at its cell. The rows that can be read are still
    checked.

    Bad: a row `RISK-7,Late delivery,PROC-PURCH,4,4,"ACT-9` (a quote never closed).

    Fix: correct the table at the reported line and column.
    """
    return _loader_findings(ctx, "D107")
