"""The read-and-understood page: who must acknowledge which version, and who has."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from qmskit.domain.acks import Obligation, training_matrix
from qmskit.qms import Qms
from qmskit.reports.escape import md_inline


def training_markdown(qms: Qms, today: date | None = None,
                      link: Callable[[str], str] | None = None) -> str:
    """The training matrix page of the handbook, as Markdown (no front matter).

    `today` marks overdue acknowledgements (default: the QMS's evaluation date);
    `link(doc_id)` turns an id into Markdown, by default the bare id for the site's
    id linker.
    """

    day = qms.evaluation_date(today)
    matrix = training_matrix(qms)
    show: Callable[[str], str] = link if link is not None else (lambda doc_id: doc_id)
    out = [
        "# Read and understood",
        "",
        "Who must acknowledge which procedure (its `applies_to` roles' holders), and "
        "whether they have read the current version. Acknowledge with "
        "`qmskit ack ID --as HANDLE`; acknowledgements are due within "
        f"{qms.config.ack_days} days of a version's approval.",
        "",
        "Legend: **current** — read the current version; **outdated (vN)** — read an "
        "earlier version only; **missing** — never acknowledged; — not required.",
        "",
    ]
    if not matrix.cells:
        out.append("No approved document names the roles it applies to (`applies_to`).")
        return "\n".join(out) + "\n"
    owed = matrix.owed()
    out += ["## Outstanding", ""]
    if owed:
        out += ["| Document | Version | Person | Roles | Status | Due |",
                "|---|---|---|---|---|---|"]
        for item in owed:
            due = str(item.due) if item.due else "—"
            if item.overdue(day):
                due += " **overdue**"
            out.append(f"| {show(item.doc_id)} | {item.version} | {md_inline(item.handle)} | "
                       f"{', '.join(show(r) for r in item.roles)} | {_cell(item)} | {due} |")
    else:
        out.append("Every reader has acknowledged the current version of every document.")
    out += ["", "## Matrix", "",
            "| Person | " + " | ".join(show(d) for d in matrix.documents) + " |",
            "|---|" + "---|" * len(matrix.documents)]
    for person in matrix.people:
        cells = [_cell(matrix.cells[(person, d)]) if (person, d) in matrix.cells else "—"
                 for d in matrix.documents]
        out.append(f"| {md_inline(person)} | " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def _cell(item: Obligation) -> str:
    if item.status == "current":
        return "current"
    if item.status == "outdated" and item.acknowledged is not None:
        return f"outdated (v{item.acknowledged.version})"
    return "missing"
