"""`qmskit ack ID --as HANDLE`: record that a person has read the current version.

The acknowledgement goes into the ledger (see `qmskit.domain.acks`): appended under a lock and
written atomically (`qmskit.edit.append_ack`), so two people acknowledging at the same moment
both end up in it, and never through a symlink that leads outside the repository.
Only an approved document that applies to roles (`applies_to`) can be acknowledged, and
only by a holder of one of those roles: the ledger is evidence, so it holds only
acknowledgements somebody owed.
"""

from __future__ import annotations

import difflib
import sys
from datetime import date
from pathlib import Path

from qmskit.errors import EXIT_CLEAN, QmsError
from qmskit.loader import open_qms
from qmskit.model.types import handle_key


def ack(root: Path, doc_id: str, handle: str, *, on: date | None = None, commit: bool = False,
        config_path: Path | None = None) -> int:
    """Append `doc_id,version,handle,date` to the ledger; exit 0, or 2 when refused."""
    from qmskit.domain.acks import readers, version_of
    from qmskit.domain.versions import approval
    from qmskit.edit import append_ack

    qms = open_qms(root, config_path, with_git=False)
    doc = qms.documents.get(doc_id)
    if doc is None:
        close = difflib.get_close_matches(doc_id, list(qms.documents), 1)
        raise QmsError(f"no document with id {doc_id!r}"
                       + (f"; did you mean {close[0]}?" if close else ""))
    applies = list(getattr(doc.model, "applies_to", []))
    if not applies:
        raise QmsError(f"{doc_id} names no roles in applies_to, so nobody owes an "
                       "acknowledgement of it")
    if doc.status != "approved":
        raise QmsError(f"{doc_id} is {doc.status}; only an approved version is read and "
                       "acknowledged")
    record = approval(doc.model)
    if record.pending:
        raise QmsError(f"version {record.current} of {doc_id} is pending approval (version "
                       f"{record.version} is the approved one); acknowledge it once it is "
                       "approved")
    person = handle_key(handle)
    holders = readers(qms, doc)
    if person not in holders:
        known = ", ".join(sorted(holders)) or "nobody (the roles have no holders)"
        raise QmsError(f"{person} holds none of the roles {doc_id} applies to "
                       f"({', '.join(applies)}); its readers are {known}")
    today = qms.evaluation_date(None)
    day = on or today
    if day > today:
        raise QmsError(f"--date {day} is in the future (today is {today})")
    approved_on = doc.model.approved_on
    if approved_on is not None and day < approved_on:
        raise QmsError(f"--date {day} is before version {version_of(doc)} was approved "
                       f"({approved_on})")
    version = version_of(doc)
    relative = qms.config.ledger_path
    if commit:
        from qmskit.domain.approvals import require_work_tree

        require_work_tree(qms.root)
    written = append_ack(qms.root, relative, doc_id, version, person, day)
    roles = ", ".join(holders[person])
    if written:
        print(f"{relative}: {person} ({roles}) acknowledged version {version} of {doc_id} "
              f"on {day}")
    else:
        print(f"{relative}: {person} had already acknowledged version {version} of {doc_id}")
    if commit and written:
        from qmskit.domain.approvals import commit_paths, trailer

        sha = commit_paths(qms.root, [qms.root / relative],
                           f"Acknowledge {doc_id} (version {version})",
                           [trailer("acknowledged", holders[person][0], person)])
        print(f"committed {sha[:10]}")
    sys.stdout.flush()
    return EXIT_CLEAN
