"""Typed scalars of the front-matter contract: ids, intervals, periods.

They are types rather than validators sprinkled over models so that the JSON Schema
exported for editors carries the same patterns the validator enforces.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Annotated, Literal, cast, get_args

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema

ID_PATTERN = r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$"
HANDLE_PATTERN = r"^@?[a-z0-9][a-z0-9._-]*$"

DocId = Annotated[str, Field(pattern=ID_PATTERN, description="A document id, e.g. PROC-PURCH")]
Handle = Annotated[
    str, Field(pattern=HANDLE_PATTERN, description="A person's generic handle, e.g. quality-lead")
]

Kind = Literal[
    "strategy",
    "objective",
    "procedure",
    "process",
    "kpi",
    "role",
    "risk",
    "action",
    "audit",
    "review",
]
KINDS: tuple[str, ...] = get_args(Kind)
Status = Literal["draft", "approved", "retired"]
Direction = Literal["higher", "lower"]
Frequency = Literal["weekly", "monthly", "quarterly", "yearly"]

_INTERVAL_RE = re.compile(r"^\s*(\d{1,4})\s*(day|week|month|year)s?\s*$")


@dataclass(frozen=True)
class Interval:
    """A calendar interval such as `12 months`; months and years keep the day of month."""

    count: int
    unit: Literal["day", "week", "month", "year"]

    @classmethod
    def parse(cls, text: str) -> Interval:
        """Parse `N days|weeks|months|years`; raise ValueError with the accepted forms."""
        match = _INTERVAL_RE.match(text)
        if match is None or int(match.group(1)) == 0:
            raise ValueError(
                f"{text!r} is not an interval; write it as 'N days', 'N weeks', "
                "'N months' or 'N years' with N >= 1"
            )
        unit = cast(Literal["day", "week", "month", "year"], match.group(2))
        return cls(int(match.group(1)), unit)

    def after(self, start: date) -> date:
        """The date this interval after `start`, clamping the day for short months."""
        if self.unit == "day":
            return start + timedelta(days=self.count)
        if self.unit == "week":
            return start + timedelta(weeks=self.count)
        months = self.count * (12 if self.unit == "year" else 1)
        total = start.month - 1 + months
        year, month = start.year + total // 12, total % 12 + 1
        day = min(start.day, calendar.monthrange(year, month)[1])
        return date(year, month, day)

    def __str__(self) -> str:
        return f"{self.count} {self.unit}{'s' if self.count != 1 else ''}"


@lru_cache(maxsize=256)
def _parse_interval(text: str) -> Interval:
    # A repository uses a handful of distinct intervals across thousands of documents.
    return Interval.parse(text)


def _to_interval(value: object) -> Interval:
    if isinstance(value, Interval):
        return value
    if isinstance(value, str):
        return _parse_interval(value)
    raise ValueError("an interval is a string such as '12 months'")


IntervalField = Annotated[
    Interval,
    BeforeValidator(_to_interval),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\s*[1-9]\d{0,3}\s*(day|week|month|year)s?\s*$",
            "description": "N days|weeks|months|years, e.g. '12 months'",
        }
    ),
]
