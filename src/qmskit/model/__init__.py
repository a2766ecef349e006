"""The QMS data model: typed front matter per kind, and the loaded-document record."""

from __future__ import annotations

from qmskit.model.documents import COMMON_LINKS, MODELS, Document
from qmskit.model.kinds import front_matter_schema
from qmskit.model.types import KINDS, Interval

__all__ = ["COMMON_LINKS", "KINDS", "MODELS", "Document", "Interval", "front_matter_schema"]
