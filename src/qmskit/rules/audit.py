"""Audit readiness rules: the questions an auditor asks first, answered before the audit.

Which document addresses each clause of each configured standard (A601, A602), and do
the people who do the work know the current version of their procedures (A603, A604).
Clause coverage runs only when the config has a `[coverage]` table, so a QMS that has
not started declaring clauses is not buried in findings.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from qmskit.model.findings import Finding
from qmskit.rules import RuleContext, rule


@rule("A601", "clause-not-covered", "error")
def clause_not_covered(ctx: RuleContext) -> Iterator[Finding]:
    """A clause of a configured standard in scope is addressed by no approved document.

    Runs only when the config has a `[coverage]` table. Every requirement clause of each
    configured standard (ISO 9001:2015: the two-level clauses 4.1 to 10.3; ISO
    13485:2016: the three-level clauses such as 7.3.2, and two-level ones without
    sub-clauses such as 7.6; a catalogue file says its own level) that is not excluded
    there must be declared, itself or through one of its sub-clauses, in the `clauses:`
    of at least one *approved* document. Declaring a heading below the main clauses
    (ISO 13485 `5.6`, ISO 27001 `A.5`) addresses every requirement under it. Drafts are
    not in force yet and retired documents no longer are, so neither counts. An auditor
    asks "where do you address 6.3?"; this is the answer being missing. The finding is
    located at the `[coverage]` table, where the scope is declared.

    ```toml
    [coverage]
    standard = "ISO 9001:2015"
    exclusions = { "8.3" = "we build to customers' drawings; no design responsibility" }
    ```

    ```yaml
    clauses: ["6.3"]   # in the front matter of the procedure for planning of changes
    ```

    Fix: add the clause to the `clauses:` of the approved document that addresses it
    (or write one), or, if it truly cannot apply, exclude it with a justification
    (ISO 9001 4.3; `exclusions_by_standard` for a standard other than the default).
    `qmskit coverage` shows the whole matrix.
    """
    config = ctx.config.coverage
    if config is None:
        return
    from qmskit.domain.coverage import coverage_of

    path, line = config.source
    cov = coverage_of(ctx.qms)
    for matrix, row in cov.uncovered():
        drafts = [ref.id for ref in row.documents if ref.status != "approved"]
        extra = f" (declared only by {', '.join(drafts)}, not approved)" if drafts else ""
        default = matrix is cov.default
        written = row.clause.number if default else f"{matrix.short}:{row.clause.number}"
        table = ("[coverage]" if default else
                 f"[coverage.exclusions_by_standard.\"{matrix.standard}\"]")
        yield Finding(path, line, 1, "", f"{matrix.short} {row.clause.number} "
                      f"{row.clause.title} is covered by no approved document{extra}",
                      hint=f"add \"{written}\" to the clauses of the document that "
                      f"addresses it, or exclude it with a justification under {table}")


@rule("A602", "unknown-clause", "error")
def unknown_clause(ctx: RuleContext) -> Iterator[Finding]:
    """A document declares a clause that its standard does not have.

    `clauses: ["8.4.4"]` looks precise but points nowhere: ISO 9001 8.4 ends at 8.4.3.
    A wrong number makes the coverage matrix claim evidence for a clause that does not
    exist and leaves the real one uncovered. A bare number is a clause of the default
    standard (`[coverage] standard`, ISO 9001:2015 without the table); `"ISO
    13485:7.3.2"` or a mapping `{ "ISO 13485": ["7.3.2"] }` names another one, which must
    be configured (`standard` or `also`). Runs whether or not `[coverage]` is
    configured.

    Bad, with ISO 9001:2015 the default: `clauses: ["7.3.2"]` (ISO 13485's design
    planning). Good: `clauses: ["ISO 13485:7.3.2"]` with `also = ["ISO 13485:2016"]`.

    Fix: correct the number or name its standard (`qmskit coverage` lists the clauses);
    the hint names the nearest existing clause, and the standard that has the number.
    """
    from qmskit.domain.coverage import coverage_of

    standards = ctx.config.standards
    for item in coverage_of(ctx.qms).unknown:
        hints = []
        if item.standard is None:
            # The standard named is not configured.
            configured = ", ".join(standards.names())
            message = (f"clause {item.text} names {item.written!r}, which is not a "
                       f"configured standard ({configured})")
            close = difflib.get_close_matches(str(item.written),
                                              [s.short for s in standards.members], 1, 0.6)
            if close:
                hints.append(f"did you mean \"{close[0]}:{item.number}\"?")
            elif item.builtin_in:
                hints.append(f"add \"{item.builtin_in[0]}\" to `also` under [coverage]")
            else:
                hints.append("add it to `also` under [coverage], with its catalogue file "
                             "under [coverage.catalogues]")
        else:
            standard = standards.find(item.standard)
            assert standard is not None
            message = f"clause {item.number} does not exist in {standard.name}"
            near = standard.catalogue.suggest(item.number)
            if near:
                hints.append(f"did you mean {near}?")
            if item.configured_in:
                hints.append(f"{item.number} is a clause of {item.configured_in[0]}: write "
                             f"\"{item.configured_in[0]}:{item.number}\"")
            elif item.builtin_in:
                short = item.builtin_in[0].partition(":")[0]
                hints.append(f"{item.number} is a clause of {item.builtin_in[0]}: add it to "
                             f"`also` under [coverage] and write \"{short}:{item.number}\"")
        yield ctx.at(item.doc, item.doc.pos(*item.path), message,
                     "; ".join(hints) or "see `qmskit coverage` for the clause list")


@rule("A603", "acknowledgement-overdue", "warning")
def acknowledgement_overdue(ctx: RuleContext) -> Iterator[Finding]:
    """A reader has not acknowledged the current version of a procedure in time (warning).

    A procedure that names the roles it applies to (`applies_to: [ROLE-...]`) must be
    read by every holder of those roles, version by version (ISO 9001 7.3 awareness;
    7.5.3 control of changes). Acknowledgements are rows of the ledger
    (`ack_ledger`, default `qms_docs/acknowledgements.csv`), written by
    `qmskit ack ID --as HANDLE`. What is owed is the approved version: an
    acknowledgement still owed `ack_days` (default 30) after that version's
    `approved_on` is reported at the `applies_to` entry of the role through which it is
    owed. A version pending approval (A605) is owed by nobody yet; drafts and retired
    documents owe nothing. Tracking starts
    when the ledger exists (the first `qmskit ack` creates it), so a QMS that does not
    record read-and-understood yet is not buried in warnings.

    Fix: the person reads the document and runs `qmskit ack ID --as HANDLE`; if they no
    longer hold the role, update the role's `holders`.
    """
    from qmskit.domain.acks import ledger_for, obligations

    if not ledger_for(ctx.qms).exists:
        return
    docs = ctx.qms.documents
    for item in obligations(ctx.qms):
        if not item.overdue(ctx.today):
            continue
        doc = docs[item.doc_id]
        applies = list(getattr(doc.model, "applies_to", []))
        index = applies.index(item.roles[0]) if item.roles[0] in applies else 0
        late = (ctx.today - item.due).days if item.due else 0
        read = (f"last read version {item.acknowledged.version}" if item.acknowledged
                else "never acknowledged")
        yield ctx.at(doc, doc.pos("applies_to", index),
                     f"{item.handle} ({', '.join(item.roles)}) has not acknowledged version "
                     f"{item.version} of {doc.id}, approved {item.approved_on} ({read}; "
                     f"{late} days past the {ctx.config.ack_days}-day window)",
                     f"after reading it: `qmskit ack {doc.id} --as {item.handle}`")


@rule("A604", "ack-ledger", "error")
def ack_ledger(ctx: RuleContext) -> Iterator[Finding]:
    """The acknowledgement ledger has a row that cannot be used.

    The ledger (`ack_ledger`, default `qms_docs/acknowledgements.csv`) is CSV with the
    header `id,version,handle,date`, one acknowledgement per row:

    ```
    id,version,handle,date
    PROC-PURCH,3,purchasing-lead,2026-04-14
    ```

    A row with the wrong number of fields, a malformed id, version, handle or date, or a
    version above the document's current one is evidence nobody can rely on. Each is
    reported at its line and column; the other rows still count. Rows of documents that
    no longer exist are history and are left alone (a mistyped id shows up as the
    acknowledgement still owed, A603).

    Fix: correct the row, or let `qmskit ack` write rows rather than editing by hand.
    """
    from qmskit.domain.acks import ledger_for, version_of

    ledger = ledger_for(ctx.qms)
    for problem in ledger.problems:
        yield Finding(ledger.path, problem.line, problem.col, "", problem.message,
                      hint=problem.hint)
    docs = ctx.qms.documents
    for ack in ledger.acks:
        doc = docs.get(ack.doc_id)
        if doc is not None and ack.version > version_of(doc):
            yield Finding(ledger.path, ack.line, ack.version_col, "",
                          f"version {ack.version} of {ack.doc_id} is acknowledged, but its "
                          f"current version is {version_of(doc)}",
                          hint="correct the version; `qmskit ack` writes the current one",
                          doc_id=doc.id)


@rule("A605", "version-not-approved", "warning")
def version_not_approved(ctx: RuleContext) -> Iterator[Finding]:
    """An approved document's current version is not the version its approval is for.

    Approval is per version (ISO 9001 7.5.2 c, 7.5.3.2): `approved_by` and `approved_on`
    record who approved which version, `approved_version`. When a review raises the
    version because the content changed (`qmskit review ID --by ROLE`), the new version
    is pending approval; until someone approves it, the approval on record predates the
    current version, and the handbook shows the version as pending rather than approved.
    Acknowledgements (A603) are owed for the approved version meanwhile, never for the
    pending one. A warning: a pending revision is normal between review and approval,
    but it must not stay pending unnoticed.

    Bad (version 3 after a review, approval of version 2 kept):

    ```yaml
    version: 3
    approved_by: ROLE-MD
    approved_on: 2026-03-01
    approved_version: 2
    ```

    Good: `qmskit review ID --by ROLE-MD --approve` records `approved_on` and
    `approved_version: 3`, and keeps `review.by` (who reviewed) as it is.

    Fix: have the approving role approve the current version with `qmskit review ID
    --by ROLE --approve` (or revert the change).
    """
    from qmskit.domain.versions import approval

    for doc in ctx.qms.documents.values():
        if doc.status != "approved" or "version" in doc.inherited:
            continue  # a register row at its register's version is reported there
        record = approval(doc.model)
        if not record.pending:
            continue
        assert record.version is not None
        where = doc.pos("approved_version") if ("approved_version",) in doc.positions \
            else doc.pos("version")
        who = " ".join(part for part in (f"by {record.by}" if record.by else "",
                                         f"on {record.on}" if record.on else "") if part)
        if record.version > record.current:
            message = (f"approved_version {record.version} of {doc.id} is above its current "
                       f"version {record.current}")
            hint = "correct approved_version (the version that was approved)"
        else:
            message = (f"version {record.current} of {doc.id} is pending approval: the "
                       f"approval on record{' (' + who + ')' if who else ''} is for version "
                       f"{record.version}")
            hint = (f"approve it: `qmskit review {doc.id} --by {record.by or 'ROLE'} "
                    "--approve`")
        yield ctx.at(doc, where, message, hint)
