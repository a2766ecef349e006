"""A finding: one located problem in the QMS, the unit every rule and reporter speaks in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1}


@dataclass(frozen=True, order=True)
class Finding:
    """A problem at `path:line:col`; paths are POSIX and relative to the QMS root.

    Ordering is by location first so that reports read top to bottom, file by file.
    """

    path: str
    line: int
    col: int
    code: str
    message: str
    severity: Severity = "error"
    hint: str = ""
    doc_id: str | None = field(default=None, compare=False)

    def location(self) -> str:
        """`path:line:col`, the form editors and terminals turn into a link."""
        return f"{self.path}:{self.line}:{self.col}"

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready record; field names are part of the public JSON output."""
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
            "id": self.doc_id,
        }


@dataclass(frozen=True)
class Notice:
    """Something the user should know that is not a defect (e.g. a rule skipped, and why)."""

    message: str
