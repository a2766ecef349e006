"""Which version of a document is approved, and whether the current one is.

Approval is per version (ISO 9001 7.5.2 c, 7.5.3.2; ISO 13485 4.2.4): when a review
raises a document's version because its content changed, the new version is pending
approval until someone approves *that* version, and the handbook must not present it as
approved meanwhile. Front matter records the approval in three fields, `approved_by`,
`approved_on` and `approved_version` (the version approved). `status: approved` says
the document is in force; the version in force is the approved one.

A document without `approved_version` (written by hand, or before qmskit recorded it)
is taken to be approved at its current version: qmskit cannot tell otherwise from the
front matter. `qmskit review` writes `approved_version` whenever it raises the version
of an approved document or approves one, so from then on the record is exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from qmskit.model.documents import Document
from qmskit.model.types import Version, effective_version


@dataclass(frozen=True)
class Approval:
    """The approval on record for a document, against its current version."""

    #: The version the document is at now.
    current: Version
    #: The version the approval on record is for; None when nothing is approved.
    version: Version | None
    by: str | None
    on: date | None

    @property
    def pending(self) -> bool:
        """True when an approval is on record but for another version than the current."""
        return self.version is not None and self.version != self.current

    @property
    def of_current(self) -> bool:
        """True when the current version itself is approved."""
        return self.version is not None and self.version == self.current


def approval(model: Document) -> Approval:
    """The approval of `doc`: the one answer for rules (A603, A605), `qmskit review`,
    `qmskit ack` and the handbook's metadata panel and register.

    An approved document's approval is for `approved_version`, or, when that is not
    written, for its current version. A draft or retired document has an approval on
    record only when `approved_version` says which version it was.
    """
    current = effective_version(model.version)
    if model.approved_version is not None:
        version: Version | None = model.approved_version
    elif model.status == "approved":
        version = current
    else:
        version = None
    return Approval(current, version, model.approved_by, model.approved_on)
