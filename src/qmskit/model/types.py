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

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, WithJsonSchema

ID_PATTERN = r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$"
HANDLE_PATTERN = r"^@?[a-z0-9][a-z0-9._-]*$"

DocId = Annotated[str, Field(pattern=ID_PATTERN, description="A document id, e.g. PROC-PURCH")]
_ID_RE = re.compile(ID_PATTERN)


def is_doc_id(text: object) -> bool:
    """True when `text` is a whole document id. The one id check for text from outside
    (front matter, ledger rows, the command line): `fullmatch`, because with `re.match`
    the pattern's `$` lets a trailing newline through (`PROC-X\\n`)."""
    return isinstance(text, str) and _ID_RE.fullmatch(text) is not None


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("the title is blank; write what the document is about")
    return text


#: A document's human title: 1-300 characters, not only spaces (the site, the register
#: and every report show it where a blank would hide the document).
Title = Annotated[str, Field(min_length=1, max_length=300,
                             json_schema_extra={"pattern": r"\S"}),
                  AfterValidator(_not_blank)]


def handle_key(text: str) -> str:
    """A person's handle as qmskit compares and stores it: no `@`, lower case, trimmed.

    The one normalisation of handles: role holders, `--as`, ledger rows, git authors and
    CODEOWNERS entries all go through it, so `@Quality-Lead` and `quality-lead` are one
    person everywhere.
    """
    return text.strip().removeprefix("@").lower()


def mention(handle: str) -> str:
    """A handle as a GitHub mention (`@quality-lead`), e.g. for CODEOWNERS and PR comments."""
    return "@" + handle_key(handle)


Handle = Annotated[
    str, Field(pattern=HANDLE_PATTERN, description="A person's generic handle, e.g. quality-lead"),
    AfterValidator(handle_key),
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
    "nonconformity",
]
KINDS: tuple[str, ...] = get_args(Kind)
#: The order in which kinds are listed to people: the chain from strategy to the work,
#: then the records (a nonconformity before the action it leads to).
KIND_ORDER: tuple[str, ...] = ("strategy", "objective", "process", "procedure", "kpi", "role",
                               "risk", "nonconformity", "action", "audit", "review")
assert sorted(KIND_ORDER) == sorted(KINDS)


def kind_rank(kind: str) -> int:
    """Position of a kind in `KIND_ORDER` (kinds it does not list come last)."""
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)
Status = Literal["draft", "approved", "retired"]

#: A document's version: a whole number from 0 (Rev 0 is often the first issue). The
#: one type for every version qmskit reads or writes (front matter, ledger, approvals),
#: so that widening it (labels such as `B` or `1.0`) changes this type, `parse_version`
#: and `next_version`, and nothing else.
Version = Annotated[int, Field(ge=0, description="The document's version, e.g. 0, 1, 2")]
_VERSION_RE = re.compile(r"[0-9]{1,9}")


def parse_version(text: str) -> int:
    """A version written as text (the ledger's column); raise ValueError when it is not
    a whole number >= 0 written in ASCII digits."""
    if not _VERSION_RE.fullmatch(text):
        raise ValueError(f"version {text!r} is not a whole number >= 0")
    return int(text)


def effective_version(version: int | None) -> int:
    """The version a document is at: as written, and 1 for an unnumbered document."""
    return 1 if version is None else version


def next_version(version: int | None) -> int:
    """The version a review raises `version` to."""
    return effective_version(version) + 1
Direction = Literal["higher", "lower"]
Frequency = Literal["weekly", "monthly", "quarterly", "yearly"]

# --- Record kinds (risk, action, nonconformity, audit, review) -------------------------
#: ISO 9001 10.2 / 10.3: what an action does.
ActionType = Literal["corrective", "preventive", "improvement"]
#: Why an action was raised. The first two are reactive (something already went wrong
#: or an auditor found it); the others come from the organisation's own monitoring.
ActionSource = Literal[
    "nonconformity", "audit-finding", "management-review", "kpi-trend", "risk",
    "proactive-idea",
]
EffectivenessResult = Literal["effective", "not-effective"]
RiskType = Literal["risk", "opportunity"]
AuditType = Literal["internal", "external"]
#: Where a nonconformity was found.
NonconformitySource = Literal["internal", "customer-complaint", "supplier", "audit"]
NonconformitySeverity = Literal["major", "minor"]
#: The inputs ISO 9001 9.3.2 (and ISO 13485 5.6.2) require a management review to
#: consider, by key (`qmskit.domain.records` has each standard's list).
ReviewInputKey = Literal[
    "previous-actions",      # a) status of actions from previous management reviews
    "context-changes",       # b) changes in external and internal issues
    "customer-feedback",     # c) 1 customer satisfaction and feedback
    "objectives",            # c) 2 extent to which quality objectives have been met
    "process-performance",   # c) 3 process performance, conformity of products and services
    "nonconformities",       # c) 4 nonconformities and corrective actions
    "monitoring-results",    # c) 5 monitoring and measurement results
    "audit-results",         # c) 6 audit results
    "supplier-performance",  # c) 7 performance of external providers
    "resources",             # d) adequacy of resources
    "risks",                 # e) effectiveness of actions addressing risks and opportunities
    "improvement",           # f) opportunities for improvement
    # ISO 13485:2016 5.6.2 adds these (it shares the keys above where they mean the same):
    "complaint-handling",       # b) complaint handling
    "regulatory-reporting",     # c) reporting to regulatory authorities
    "product-monitoring",       # f) monitoring and measurement of product
    "corrective-action",        # g) corrective action
    "preventive-action",        # h) preventive action
    "regulatory-requirements",  # l) applicable new or revised regulatory requirements
]
REVIEW_INPUT_KEYS: tuple[str, ...] = get_args(ReviewInputKey)

_INTERVAL_RE = re.compile(r"^\s*(\d{1,4})\s*(day|week|month|year)s?\s*$", re.ASCII)
#: The longest interval qmskit accepts, per unit: a hundred years. Longer ones are typos
#: (`8000 years`) whose due dates would fall off the calendar.
MAX_INTERVAL: dict[str, int] = {"day": 36_525, "week": 5_218, "month": 1_200, "year": 100}


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
        count = int(match.group(1))
        if count > MAX_INTERVAL[unit]:
            raise ValueError(f"{text!r} is longer than 100 years; write at most "
                             f"{MAX_INTERVAL[unit]} {unit}s")
        return cls(count, unit)

    def after(self, start: date) -> date:
        """The date this interval after `start`, clamping the day for short months.

        The one place qmskit adds an interval to a date. A result beyond the end of the
        calendar (a review stamped `9999-12-01`) is `date.max`: due so far away that it
        is never due, instead of an OverflowError in the middle of a check.
        """
        try:
            if self.unit == "day":
                return start + timedelta(days=self.count)
            if self.unit == "week":
                return start + timedelta(weeks=self.count)
            months = self.count * (12 if self.unit == "year" else 1)
            total = start.month - 1 + months
            year, month = start.year + total // 12, total % 12 + 1
            day = min(start.day, calendar.monthrange(year, month)[1])
            return date(year, month, day)
        except (OverflowError, ValueError):
            return date.max

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
            "description": "N days|weeks|months|years, e.g. '12 months' (at most 100 years)",
        }
    ),
]
