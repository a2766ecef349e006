"""A document's revision table: version, date, author, reviewers and approvers."""

from __future__ import annotations

from collections.abc import Callable

from qmskit.domain.approvals import Meaning, Revision, histories_for, lifecycle, revision_history
from qmskit.model.doc import Doc
from qmskit.qms import Qms
from qmskit.reports.escape import md_inline


def revision_markdown(qms: Qms, doc: Doc, link: Callable[[str], str] | None = None) -> str:
    """The revision table of one document (Markdown), with its obsolete notice if any."""

    out: list[str] = []
    banner = lifecycle(qms, doc).banner(link)
    if banner:
        out += [banner, ""]
    histories = histories_for(qms)
    if not histories.available:
        return "\n".join([*out, f"Revision history unavailable: {md_inline(histories.reason)}."]
                         ) + "\n"
    out += ["| Version | Date | Author | Reviewed by | Approved by | Commit | Signature |",
            "|---|---|---|---|---|---|---|"]
    for rev in revision_history(qms, doc):
        def names(meaning: Meaning, rev: Revision = rev) -> str:
            return "<br>".join(md_inline(f"{s.who}" + (f" ({s.role})" if s.role else ""))
                               for s in rev.signed(meaning)) or "—"

        mark = "verified" if rev.verified else md_inline(rev.signature_state)
        version = "—" if rev.version is None else rev.version
        approved = names("approved")
        if rev.signed("released"):  # Released-by: shown with the approval it follows
            approved = ("" if approved == "—" else approved + "<br>") + "released by " + \
                names("released")
        out.append(f"| {version} | {rev.day} | {md_inline(rev.author)} | "
                   f"{names('reviewed')} | {approved} | `{rev.commit[:10]}` | "
                   f"{mark} |")
    return "\n".join(out) + "\n"
