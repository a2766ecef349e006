"""Typed scalars of the front-matter contract: ids, intervals, periods.

They are types rather than validators sprinkled over models so that the JSON Schema
exported for editors carries the same patterns the validator enforces.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Annotated, Literal, cast, get_args

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
)

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
    "document",
    "register",
]
KINDS: tuple[str, ...] = get_args(Kind)
#: The order in which kinds are listed to people: the chain from strategy to the work,
#: the other controlled documents, then the records (a nonconformity before the action
#: it leads to) and the registers that hold records. Kinds a QMS declares in its config
#: come after all of these (see `kind_rank`).
KIND_ORDER: tuple[str, ...] = ("strategy", "objective", "process", "procedure", "document",
                               "kpi", "role", "risk", "nonconformity", "action", "audit",
                               "review", "register")
assert sorted(KIND_ORDER) == sorted(KINDS)
_KIND_RANK = {kind: rank for rank, kind in enumerate(KIND_ORDER)}


def kind_rank(kind: str) -> int:
    """Position of a kind in `KIND_ORDER`; declared kinds (not listed) come after the
    built-in ones. Sort by `(kind_rank(kind), kind)` to order declared kinds by name."""
    return _KIND_RANK.get(kind, len(KIND_ORDER))


def in_kind_order(kinds: Iterable[str]) -> list[str]:
    """`kinds` sorted for people: built-in kinds in `KIND_ORDER`, then declared ones by
    name."""
    return sorted(set(kinds), key=lambda kind: (kind_rank(kind), kind))
Status = Literal["draft", "approved", "retired"]

#: A version label's spelling: letters and digits in segments, joined by `.`, `-` or one
#: space (`1.0`, `2.3a`, `B`, `Rev C`, `v2-1`), at most 40 characters. It must end in a
#: number or in one or two letters, the part a review raises; `zero` or `draft` are not
#: versions.
_VERSION_TEXT = re.compile(r"[A-Za-z0-9]+(?:[.\- ]?[A-Za-z0-9]+)*", re.ASCII)
_VERSION_END = re.compile(r"(?:[0-9]+|(?<![A-Za-z])[A-Za-z]{1,2})$", re.ASCII)
_SEGMENT = re.compile(r"[0-9]+|[A-Za-z]+", re.ASCII)
MAX_VERSION_LENGTH = 40


@dataclass(frozen=True, eq=False)
class Version:
    """A document's version: a whole number from 0 (`7`) or a label (`1.0`, `B`, `Rev C`).

    The one version type: front matter (`version`, `approved_version`), the
    acknowledgement ledger, approvals, revisions, review bumps and the rules all use it.
    `str()` is the spelling as written, so `1.0` stays `1.0`. Versions compare segment
    by segment, numbers numerically and letters alphabetically (`1.9 < 1.10`, `B < C`,
    `Rev C < Rev D`, `Z < AA`); a number sorts before letters. A plain number compares
    equal to the int it spells, so `Version("2") == 2`.
    """

    text: str
    # Computed once: versions are compared and hashed in the hot loops of the rules.
    _key: tuple[tuple[int, int, str], ...] = field(init=False, repr=False, compare=False)
    _number: int | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        text = self.text
        if (len(text) > MAX_VERSION_LENGTH or not _VERSION_TEXT.fullmatch(text)
                or not _VERSION_END.search(text)):
            raise ValueError(f"version {text!r} is not a whole number >= 0 or a label such as "
                             "1.0, 2.3a, B or Rev C (ending in a number or a letter)")
        key = tuple((0, int(part), "") if part.isdigit() else (1, len(part), part.upper())
                    for part in _SEGMENT.findall(text))
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "_number", int(text) if text.isdigit() else None)

    @classmethod
    def of(cls, value: object) -> Version:
        """A version from front matter or text: an int >= 0, a label, or a Version."""
        if isinstance(value, Version):
            return value
        if isinstance(value, bool):
            raise ValueError("a version is a whole number >= 0 or a label such as 1.0 or B, "
                             "not true/false")
        if isinstance(value, int):
            if value < 0:
                raise ValueError("a version is a whole number >= 0 or a label, not negative")
            return _parse_version(str(value))
        if isinstance(value, str):
            return _parse_version(value)
        raise ValueError("a version is a whole number >= 0 or a label such as 1.0, B or Rev C")

    @property
    def number(self) -> int | None:
        """The version as an int when it is a plain number (`7`), else None (a label)."""
        return self._number

    @property
    def key(self) -> tuple[tuple[int, int, str], ...]:
        """The sort key: per segment, numbers by value before letters by length and
        alphabet (case-insensitive), so `Z < AA` as in spreadsheet columns."""
        return self._key

    def bump(self) -> Version:
        """The next version: the last number plus one (`1.9` -> `1.10`, `7` -> `8`, leading
        zeros kept as width: `09` -> `10`, `01` -> `02`) or the last letter(s) advanced
        (`B` -> `C`, `Rev C` -> `Rev D`, `Z` -> `AA`, `b` -> `c`)."""
        match = _VERSION_END.search(self.text)
        assert match is not None  # guaranteed by __post_init__
        last, head = match.group(), self.text[: match.start()]
        if last.isdigit():
            return Version(head + str(int(last) + 1).zfill(len(last)))
        return Version(head + _next_letters(last))

    def yaml_value(self) -> int | str:
        """The value to write into front matter: an int for a plain number, else the label."""
        number = self.number
        return number if number is not None and str(number) == self.text else self.text

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Version({self.text!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Version):
            return self._key == other._key
        if isinstance(other, int) and not isinstance(other, bool):
            return self._number == other
        return NotImplemented

    def _other_key(self, other: object) -> tuple[tuple[int, int, str], ...] | None:
        if isinstance(other, Version):
            return other._key
        if isinstance(other, int) and not isinstance(other, bool) and other >= 0:
            return Version.of(other)._key
        return None

    # All four written out (not functools.total_ordering): the acknowledgement rules
    # compare versions tens of thousands of times on a large QMS.
    def __lt__(self, other: object) -> bool:
        key = self._other_key(other)
        return NotImplemented if key is None else self._key < key

    def __le__(self, other: object) -> bool:
        key = self._other_key(other)
        return NotImplemented if key is None else self._key <= key

    def __gt__(self, other: object) -> bool:
        key = self._other_key(other)
        return NotImplemented if key is None else self._key > key

    def __ge__(self, other: object) -> bool:
        key = self._other_key(other)
        return NotImplemented if key is None else self._key >= key

    def __hash__(self) -> int:
        # Equal to the int it spells, so it hashes like that int.
        number = self._number
        return hash(number) if number is not None else hash(self._key)


def _next_letters(letters: str) -> str:
    """Spreadsheet-column increment of one or two letters, keeping their case."""
    upper = letters.isupper()
    value = 0
    for char in letters.upper():
        value = value * 26 + (ord(char) - 64)
    value += 1
    out = ""
    while value:
        value, rest = divmod(value - 1, 26)
        out = chr(65 + rest) + out
    return out if upper else out.lower()


@lru_cache(maxsize=1024)
def _parse_version(text: str) -> Version:
    return Version(text)


def parse_version(text: str) -> Version:
    """A version written as text (the ledger's column, the command line); raise
    ValueError when it is neither a whole number >= 0 in ASCII digits nor a label."""
    return _parse_version(text)


def effective_version(version: Version | int | None) -> Version:
    """The version a document is at: as written, and 1 for an unnumbered document."""
    return _parse_version("1") if version is None else Version.of(version)


def next_version(version: Version | int | None) -> Version:
    """The version a review raises `version` to (see `Version.bump`)."""
    return effective_version(version).bump()


def _to_version(value: object) -> Version:
    return Version.of(value)


def _version_json(version: Version) -> int | str:
    return version.yaml_value()


#: A version field of the front matter: an int >= 0 or a label, kept as spelt.
VersionField = Annotated[
    Version,
    # Plain: the value is made here, once; pydantic would otherwise validate the
    # dataclass again field by field (twice the cost of the whole document).
    PlainValidator(_to_version),
    PlainSerializer(_version_json),
    WithJsonSchema({
        "anyOf": [
            {"type": "integer", "minimum": 0},
            # An editor's YAML parser reads an unquoted `1.0` as a number; qmskit reads it
            # as the label "1.0".
            {"type": "number", "minimum": 0},
            {"type": "string", "maxLength": MAX_VERSION_LENGTH,
             "pattern": r"^[A-Za-z0-9]+([.\- ]?[A-Za-z0-9]+)*$"},
        ],
        "description": "The document's version: a whole number (0, 1, 2) or a label "
                       "(1.0, 2.3a, B, Rev C)",
    }),
]
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

_INTERVAL_RE = re.compile(r"^\s*(?:every\s+)?(\d{1,4})\s*(day|week|month|year)s?\s*$",
                          re.ASCII | re.IGNORECASE)
_EVERY_ONE_RE = re.compile(r"^\s*every\s+(day|week|month|quarter|year)\s*$",
                           re.ASCII | re.IGNORECASE)
IntervalUnit = Literal["day", "week", "month", "year"]
#: Interval words real QMS documents use, as (count, unit).
INTERVAL_WORDS: dict[str, tuple[int, IntervalUnit]] = {
    "daily": (1, "day"),
    "weekly": (1, "week"),
    "fortnightly": (2, "week"),
    "monthly": (1, "month"),
    "quarterly": (3, "month"),
    "half-yearly": (6, "month"),
    "semi-annually": (6, "month"),
    "semiannually": (6, "month"),
    "biannually": (6, "month"),
    "yearly": (1, "year"),
    "annually": (1, "year"),
    "annual": (1, "year"),
    "biennially": (2, "year"),
}
#: The longest interval qmskit accepts, per unit: a hundred years. Longer ones are typos
#: (`8000 years`) whose due dates would fall off the calendar.
MAX_INTERVAL: dict[str, int] = {"day": 36_525, "week": 5_218, "month": 1_200, "year": 100}


@dataclass(frozen=True)
class Interval:
    """A calendar interval such as `12 months`; months and years keep the day of month."""

    count: int
    unit: IntervalUnit

    @classmethod
    def parse(cls, text: str) -> Interval:
        """The one interval parser: `N days|weeks|months|years`, `every N units`,
        `every month|quarter|year`, and the words `daily`, `weekly`, `fortnightly`,
        `monthly`, `quarterly`, `half-yearly`/`semi-annually`/`biannually`,
        `yearly`/`annually`, `biennially` (any case). Raise ValueError with the accepted
        forms."""
        word = INTERVAL_WORDS.get(text.strip().lower())
        if word is not None:
            return cls(*word)
        every = _EVERY_ONE_RE.match(text)
        if every is not None:
            unit = every.group(1).lower()
            return cls(3, "month") if unit == "quarter" else cls(1, cast(IntervalUnit, unit))
        match = _INTERVAL_RE.match(text)
        if match is None or int(match.group(1)) == 0:
            raise ValueError(
                f"{text!r} is not an interval; write 'N days', 'N weeks', 'N months' or "
                "'N years' with N >= 1 (also 'every N months'), or a word such as monthly, "
                "quarterly, half-yearly or yearly"
            )
        unit = cast(IntervalUnit, match.group(2).lower())
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


#: What editors accept for an interval, in lower case (JSON Schema patterns are ECMA-262
#: regular expressions, without inline flags); `Interval.parse` also takes any case.
INTERVAL_SCHEMA_PATTERN = (
    r"^\s*((every\s+)?[1-9]\d{0,3}\s*(day|week|month|year)s?"
    r"|every\s+(day|week|month|quarter|year)"
    r"|" + "|".join(INTERVAL_WORDS) + r")\s*$"
)

IntervalField = Annotated[
    Interval,
    BeforeValidator(_to_interval),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": INTERVAL_SCHEMA_PATTERN,
            "description": "N days|weeks|months|years (also 'every N months'), or a word: "
                           + ", ".join(INTERVAL_WORDS) + " (at most 100 years)",
        }
    ),
]
