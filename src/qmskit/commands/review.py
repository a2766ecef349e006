"""`qmskit review ID`: stamp a document review (ISO 9001 7.5.2), without losing a byte.

A review sets `review.last` (and `review.by` with `--by`). `--approve` records the
approval of the current version (`approved_by`, `approved_on`, `approved_version`, and
`status: approved` for a draft) and keeps the reviewer's stamp: a review by the QMO
followed by the CEO's approval records both. Approval is per version: a review that
raises the version of an approved document leaves the new version pending approval
(`approved_version` keeps naming the version that was approved; rule A605, and see
`qmskit.domain.versions`). The version goes up only when the document's *content*
changed since its last review, which git answers exactly, by the same definition as the
"changed since review" rule (C403, see `qmskit.git.facts`): the content (front matter
without the stamp fields, plus the body) as of the commit that recorded the current
stamp is compared with the content now. Re-stamping an unchanged document, or stamping
twice, never bumps the version twice.

Without usable history (no git, a shallow clone, a file never committed, a stamp not yet
committed) qmskit cannot know, so it does not guess: it keeps the version and says so;
`--bump` raises it, `--no-bump` never does.

Approval evidence (see `qmskit.domain.approvals`): the stamp names roles; who signed, as a
person, goes into the commit as trailers (`Reviewed-by: ROLE-QM (quality-lead)`,
`Approved-by: ...`). `--commit` creates that commit with the document alone; otherwise
the trailers are printed for the author's own commit message.

Translations (`[translations]`, see `qmskit.translations`) are stamped in the same run:
each translation that states stamp fields gets the same values (never a raised
`version`: it keeps saying which version it translates); one that states none is left
alone, and the run says so.
"""

from __future__ import annotations

import difflib
import posixpath
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from qmskit import fs, translations
from qmskit.domain.versions import approval
from qmskit.edit import KeyPath, Scalar, edit_document, locked, read_text
from qmskit.errors import EXIT_CLEAN, QmsError
from qmskit.loader import open_qms
from qmskit.model.documents import Register
from qmskit.model.types import Version, effective_version, handle_key
from qmskit.registers import data_path as register_table

if TYPE_CHECKING:
    from qmskit.model.doc import Doc
    from qmskit.model.documents import Document
    from qmskit.qms import Qms

@dataclass(frozen=True)
class Evidence:
    """What git says about the content since the last review; `changed` None = unknown."""

    changed: bool | None
    reason: str


def content_changed_since_review(root: Path, relative: str,
                                 table: str | None = None) -> Evidence:
    """Has the document's content changed since its current review stamp? The one
    definition of "changed since review" (`qmskit.git.facts`, as C403 uses it), read
    from one pass over the document's history; for a register, its table (`table`,
    relative to the root) is part of its content."""
    from qmskit.git.facts import content_of
    from qmskit.git.reader import GitReader

    now = content_of(read_text(root / relative, root=root, where=relative))
    if now is None or now.matter is None:  # pragma: no cover - the loader has just read it
        return Evidence(None, "the front matter cannot be read")
    if now.stamp is None:
        return Evidence(False, "no earlier review is recorded")
    try:
        stamp = date.fromisoformat(now.stamp)
    except ValueError:
        return Evidence(None, f"the review stamp {now.stamp!r} is not a date")
    folder = posixpath.dirname(relative)
    reader = GitReader(root, [folder] if folder else [])
    facts = reader.review_facts({relative: stamp})
    if not facts.available:
        return Evidence(None, facts.reason)
    verdict = facts.verdicts[relative]
    where = f"the review of {stamp}" + (f" (commit {verdict.reviewed_commit[:7]})"
                                        if verdict.reviewed_commit else "")
    if verdict.state == "stamp-uncommitted":
        return Evidence(None, f"the current review stamp ({stamp}) is not committed yet")
    if verdict.state == "not-committed" or (
            verdict.state == "reviewed" and verdict.reviewed_commit is None
            and reader.repo is not None
            and reader.blobs([f"HEAD:{reader.repo.prefix}{relative}"]) == [None]):
        return Evidence(None, f"{relative} has never been committed")
    same_table = True
    if table is not None and reader.repo is not None:
        then_table = (reader.blobs([f"{verdict.reviewed_commit}:{reader.repo.prefix}{table}"])[0]
                      if verdict.reviewed_commit else None)
        try:
            now_table: bytes | None = fs.Root(root).read(table, fs.MAX_SIZE, table)
        except fs.PathError:
            now_table = None
        same_table = then_table == now_table
    if not verdict.suspect and same_table:
        return Evidence(False, f"content unchanged since {where}")
    before = verdict.reviewed_version
    if before is not None and str(before) != str(now.version):
        return Evidence(False, f"content changed since {where}, but the version was already "
                        f"raised ({before} → {now.version})")
    changed = [*(["content"] if verdict.suspect else []),
               *([] if same_table else ["the register's table"])]
    return Evidence(True, f"{' and '.join(changed)} changed since {where}")


def _signer(qms: Qms, role_id: str | None, as_handle: str | None, commit: bool) -> str | None:
    """The person signing for `role_id`: `--as`, else the role's only holder.

    The handle must hold the role or be its deputy: a signature names who was entitled to
    give it. None (no role, or an ambiguous role without `--as`) is refused with
    `--commit`, where the evidence would otherwise be incomplete.
    """
    if role_id is None:
        if commit:
            raise QmsError("--commit needs --by ROLE (or a review.by in the document): the "
                           "role the signature is given in")
        return None
    role = qms.documents[role_id].model
    holders = [handle_key(h) for h in getattr(role, "holders", [])]
    deputy = getattr(role, "deputy", None)
    entitled = [*holders, *([handle_key(deputy)] if deputy else [])]
    if as_handle is not None:
        handle = handle_key(as_handle)
        if handle not in entitled:
            raise QmsError(f"--as {as_handle}: not a holder or the deputy of {role_id} "
                           f"({', '.join(entitled) or 'no holders'})")
        return handle
    if len(holders) == 1:
        return str(holders[0])
    if commit:
        raise QmsError(f"{role_id} has {len(holders)} holders; say who signs with --as HANDLE")
    return None


def _current_model(root: Path, doc: Doc) -> Document:
    """The document's front matter as it is on disk now (falls back to the loaded one)."""
    from qmskit.loader import validate_document
    from qmskit.model.frontmatter import FrontMatterError, parse

    path = root / doc.path
    try:
        fm = parse(read_text(path, root=root, where=doc.path))
    except (QmsError, FrontMatterError):
        return doc.model
    fresh, _, _ = validate_document(doc.path, fm, str(path))
    return fresh.model if fresh is not None and fresh.id == doc.id else doc.model


@dataclass(frozen=True)
class Plan:
    """What one `qmskit review` run stamps, decided before anything is written."""

    changes: list[tuple[KeyPath, Scalar]]
    #: The review stamp (`review.last`, `review.by`) is written.
    reviewed: bool
    #: The approval stamp is written (`--approve`).
    approved: bool
    raised: bool
    #: The version the document is at after the run.
    version: Version
    #: The version the approval on record is for after the run (None: none recorded).
    approved_version: Version | None


def _plan(model: Document, by: str | None, day: date, approve: bool, *,
          raise_version: bool) -> Plan:
    """The stamps of one run: a review, an approval, or both.

    Reviewer and approver are recorded separately. A plain run is a review: it stamps
    `review.last`/`review.by` and raises the version when the content changed; on an
    approved document the raised version is pending approval, so the approval on record
    is pinned to the version it was for (`approved_version`). An `--approve` run approves
    the current version (`approved_by`, `approved_on`, `approved_version`); it is also
    the review (and stamps it) unless another role reviewed this content: then that
    reviewer's stamp stays, so a review by the QMO followed by the CEO's approval keeps
    both. When the content changed since that review, the approver is the one reviewing
    the change, and stamps it.
    """
    before = approval(model)
    version = _bumped(before.current) if raise_version else before.current
    reviewer = model.review.by if model.review else None
    last = model.review.last if model.review else None
    reviewed = (not approve or raise_version or last is None or reviewer is None
                or reviewer == by)
    changes: list[tuple[KeyPath, Scalar]] = []
    if reviewed:
        changes.append((("review", "last"), day))
        if by is not None:
            changes.append((("review", "by"), by))
    if raise_version:
        changes.append((("version",), version.yaml_value()))
    approved_version = before.version
    if approve:
        assert by is not None
        approved_version = version
        changes += [(("approved_by",), by), (("approved_on",), day),
                    (("approved_version",), version.yaml_value())]
        if model.status == "draft":
            changes.append((("status",), "approved"))
    elif raise_version and before.version is not None and model.approved_version is None:
        # The approval on record was for the version before this one; say so, so that the
        # new version is pending approval rather than presented as approved.
        changes.append((("approved_version",), before.version.yaml_value()))
    return Plan(changes, reviewed, approve, raise_version, version, approved_version)


def _bumped(version: Version) -> Version:
    """The next version, or a QmsError when the label cannot be raised (`ZZ`)."""
    try:
        return version.bump()
    except ValueError:
        raise QmsError(f"version {version} cannot be raised automatically; write the next "
                       "version by hand and pass --no-bump") from None


def _report(path: str, doc_id: str, model: Document, plan: Plan, evidence: Evidence,
            bump: bool | None, day: date, by: str | None, previous: date | None) -> list[str]:
    """What the run did, in lines for the terminal."""
    reviewer = model.review.by if model.review else None
    if plan.reviewed:
        out = [f"{path}: {doc_id} reviewed on {day}" + (f" by {by}" if by else "")
               + (f" (previous review {previous})" if previous else "")]
    else:
        out = [f"{path}: {doc_id} reviewed on {previous}"
               + (f" by {reviewer}" if reviewer else "") + "; the review stamp is kept"]
    if plan.approved:
        out.append(f"  version {plan.version} approved by {by} on {day}"
                   + (" (status draft → approved)" if model.status == "draft" else ""))
    if plan.raised:
        out.append(f"  version {effective_version(model.version)} → {plan.version}: "
                   f"{evidence.reason}")
    elif evidence.changed is None and bump is None:
        out.append(f"  version kept at {model.version}: cannot tell whether the content "
                   f"changed ({evidence.reason}); pass --bump if it did")
    else:
        out.append(f"  version kept at {model.version}: {evidence.reason}")
    if model.status == "approved" and plan.approved_version is not None \
            and plan.approved_version != plan.version:
        out.append(f"  version {plan.version} is pending approval (version "
                   f"{plan.approved_version} stays the approved one); approve it with "
                   f"`qmskit review {doc_id} --by ROLE --approve`")
    return out


def _stamp_translations(qms: Qms, doc: Doc, plan: Plan) -> tuple[list[str], list[str]]:
    """Stamp the document's translations as its source; returns (paths stamped, lines).

    A translation takes its controlled fields from the default-language file, so only
    the stamp fields it states itself are written, to the same values; one that states
    none is left alone. Its `version` is never raised: a translation says which version
    it translates, and a raised source version makes it out of date (C410) until it is
    updated.
    """
    from qmskit.model.frontmatter import FrontMatterError, parse

    stamped: list[str] = []
    lines: list[str] = []
    for language, relative in translations.of(qms).files(doc.id).items():
        if relative == doc.path:
            continue
        path = qms.root / relative
        try:
            data = parse(read_text(path, root=qms.root, where=relative).removeprefix("\ufeff"),
                         positions=False).data or {}
        except FrontMatterError as error:
            lines.append(f"  {relative} ({language}): not stamped, its front matter cannot "
                         f"be read ({error.message}); fix it and stamp it by hand")
            continue
        changes = [(key, value) for key, value in plan.changes
                   if key[0] != "version" and key[0] in data]
        if changes:
            edit_document(path, changes, relative, root=qms.root)
            stamped.append(relative)
            lines.append(f"  {relative} ({language}): stamped too ("
                         + ", ".join(".".join(key) for key, _ in changes) + ")")
        else:
            lines.append(f"  {relative} ({language}): states no stamp (its controlled "
                         f"fields come from {doc.path}); left as it is")
        if plan.raised:
            said = data.get("version")
            lines.append(f"  {relative} ({language}): "
                         + (f"translates version {said}; " if said is not None else "")
                         + f"update the translation for version {plan.version}"
                         + (f" and set its version to {plan.version}" if said is not None
                            else ""))
    return stamped, lines


def review(root: Path, doc_id: str, *, by: str | None = None, on: date | None = None,
           approve: bool = False, bump: bool | None = None,
           config_path: Path | None = None, as_handle: str | None = None,
           commit: bool = False) -> int:
    """Stamp a review of `doc_id`; print what changed and why. Exit 0, or 2 on bad input.

    With `commit`, also commit the document with `Reviewed-by`/`Approved-by` trailers
    naming the role and the person (`as_handle`, default the role's only holder).
    """
    qms = open_qms(root, config_path, with_git=False)
    doc = qms.documents.get(doc_id)
    if doc is None:
        if doc_id in qms.broken_ids:
            raise QmsError(f"{doc_id}: its front matter has errors; fix them first "
                           "(`qmskit check`)")
        close = difflib.get_close_matches(doc_id, list(qms.documents), 1)
        raise QmsError(f"no document with id {doc_id!r}"
                       + (f"; did you mean {close[0]}?" if close else ""))
    if doc.register is not None:
        raise QmsError(f"{doc_id} is a row of register {doc.register} ({doc.path}); a "
                       f"register is reviewed as one document: `qmskit review {doc.register}`")
    if doc.status == "retired":
        raise QmsError(f"{doc_id} is retired; retired documents are not reviewed")
    if by is not None:
        role = qms.documents.get(by)
        if role is None or role.kind != "role":
            raise QmsError(f"--by {by}: not a role in this QMS; give a role id such as ROLE-QM")
    if approve and by is None:
        raise QmsError("--approve needs --by ROLE: the approving role")
    if as_handle is not None and by is None:
        raise QmsError("--as needs --by ROLE: the role the person signs in")
    signing_role = by or (doc.model.review.by if doc.model.review else None)
    if signing_role is not None and signing_role not in qms.documents:
        signing_role = None
    signer = _signer(qms, signing_role, as_handle, commit)
    if commit:
        from qmskit.domain.approvals import require_work_tree

        require_work_tree(qms.root)
    today = qms.evaluation_date(None)
    day = on or today
    if day > today:
        raise QmsError(f"--date {day} is in the future (today is {today})")
    path = qms.root / doc.path
    # Check and stamp under the folder's lock, against the file as it is now: another
    # `qmskit review` may have stamped it since this process loaded the QMS.
    with locked(path.parent):
        model = _current_model(qms.root, doc)
        previous = model.review.last if model.review else None
        if previous is not None and day < previous:
            raise QmsError(f"{doc_id} was last reviewed on {previous}, after {day}; "
                           "a review or approval stamp never goes back in time")
        if approve and model.approved_on is not None and day < model.approved_on:
            raise QmsError(f"{doc_id} was last approved on {model.approved_on}, after {day}; "
                           "an approval stamp never goes back in time")
        evidence = (Evidence(None, "forced by --bump") if bump else
                    Evidence(None, "not bumped (--no-bump)") if bump is False else
                    content_changed_since_review(
                        qms.root, doc.path,
                        register_table(doc) if isinstance(doc.model, Register) else None))
        plan = _plan(model, by, day, approve, raise_version=bump is True or (
            bump is None and evidence.changed is True))
        edit_document(path, plan.changes, doc.path, root=qms.root)
        stamped, notes = _stamp_translations(qms, doc, plan)

    out = _report(doc.path, doc_id, model, plan, evidence, bump, day, by, previous) + notes
    signer_role = signing_role if plan.reviewed else by
    if signer_role is not None:
        from qmskit.domain.approvals import commit_paths, trailer

        who = signer or "HANDLE"
        trailers = [trailer("reviewed", signer_role, who)] if plan.reviewed else []
        if approve:
            trailers.append(trailer("approved", by, who))
        subject = f"{'Approve' if approve else 'Review'} {doc_id} (version {plan.version})"
        if commit:
            try:
                sha = commit_paths(qms.root, [qms.root / doc.path,
                                              *(qms.root / p for p in stamped)],
                                   subject, trailers)
            except QmsError as error:
                sys.stdout.write("\n".join(out) + "\n")
                raise QmsError(f"{error}\nThe stamp is written but not committed; commit "
                               f"{' '.join([doc.path, *stamped])} with the message:\n{subject}\n\n"
                               + "\n".join(trailers)) from None
            out.append(f"  committed {sha[:10]} \"{subject}\" with " + "; ".join(trailers))
        else:
            out.append("  record the signature in the commit message (or use --commit):")
            out += [f"    {line}" for line in trailers]
    sys.stdout.write("\n".join(out) + "\n")
    return EXIT_CLEAN
