"""Clause catalogues of the standards a QMS is measured against, and the `clauses` field.

Clause coverage (rules A601/A602, `qmskit coverage`, the handbook's coverage page, the
panels, the PDF cover, the auditor page) walks a catalogue: the structure of a standard
as data, numbers and the short headings an auditor navigates by, never the
requirements' text. ISO 9001:2015 and ISO 13485:2016 are built in
(`catalogues/*.toml` beside this module); a QMS ships any other one (ISO 27001 with its
Annex A controls, ISO 14001, ISO 45001, a customer's requirements list) as a file in the
same format, named under `[coverage.catalogues]` in its config:

```toml
standard = "ISO 27001:2022"      # the name `[coverage]` and `clauses:` use
title = "Information security management systems - Requirements"   # optional
requirement_depth = 3            # optional, default 2 (see `Catalogue.level`)

[clauses]                        # in document order; quote the numbers
"4" = "Context of the organization"
"4.1" = "Understanding the organization and its context"
"A.5.1" = "Policies for information security"
```

A clause's depth and parent are implied by its number (`A.5.1` is under `A.5`, under
`A`), so the file is a flat list that reads like the standard's table of contents.

Documents name clauses in `clauses:`: a bare number is a clause of the default standard
(`"8.4"`), a number after a standard's name is one of that standard (`"ISO
13485:7.3.2"`, the name before the colon, with or without its year), and a mapping
names several at once (`{ "ISO 13485": ["7.3.2"], "ISO 27001": ["A.5.1"] }`).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter, WrapValidator
from pydantic_core import PydanticCustomError

from qmskit.errors import ConfigError

#: The standard clause numbers refer to when a QMS configures none.
DEFAULT_STANDARD = "ISO 9001:2015"
#: Kept for callers that name the default standard.
STANDARD = DEFAULT_STANDARD
#: The catalogues shipped with qmskit, by standard name.
BUILTIN_FILES: dict[str, str] = {
    "ISO 9001:2015": "iso9001-2015.toml",
    "ISO 13485:2016": "iso13485-2016.toml",
}

#: One segment of a clause number: `4`, `10`, `A`, `A1`, `SQ-3`.
_SEGMENT = r"[A-Za-z0-9][A-Za-z0-9_-]{0,15}"
#: A clause number: segments joined by dots (`8.4.2`, `A.5.1`).
CLAUSE_NUMBER = rf"{_SEGMENT}(?:\.{_SEGMENT}){{0,7}}"
#: A standard's name (`ISO 13485`, `ISO/IEC 27001`, `21 CFR 820`), optionally with its
#: edition after a colon (`ISO 13485:2016`).
STANDARD_NAME = r"[A-Za-z0-9][A-Za-z0-9 ./&()+_-]{0,59}(?::[A-Za-z0-9][A-Za-z0-9._-]{0,15})?"
_NUMBER_RE = re.compile(rf"\A{CLAUSE_NUMBER}\Z")
_NAME_RE = re.compile(rf"\A{STANDARD_NAME}\Z")
_REF_RE = re.compile(rf"\A(?:(?P<standard>{STANDARD_NAME}):)?(?P<number>{CLAUSE_NUMBER})\Z")

#: Bounds on a catalogue file: the largest standards have a few hundred clauses.
MAX_CATALOGUE_SIZE = 1_000_000
MAX_CLAUSES = 10_000
MAX_HEADING = 200

Level = Literal["heading", "requirement", "detail"]


# ----------------------------------------------------------------------------- names


def short_name(name: str) -> str:
    """The name without its edition: `ISO 13485:2016` -> `ISO 13485`."""
    return name.partition(":")[0].strip()


def name_key(name: str) -> str:
    """A name as compared: case and runs of spaces do not matter."""
    return " ".join(name.split()).casefold()


def is_standard_name(name: str) -> bool:
    """True when `name` is spelled like a standard's name (`ISO 13485:2016`)."""
    return bool(_NAME_RE.match(name))


# --------------------------------------------------------------------------- clauses


@dataclass(frozen=True)
class Clause:
    """One clause: its number (`8.4.2`, `A.5.1`) and short heading."""

    number: str
    title: str

    @property
    def depth(self) -> int:
        """1 for a main clause (8), 2 for 8.4, 3 for 8.4.2, 4 for 7.1.5.1."""
        return self.number.count(".") + 1

    @property
    def parent(self) -> str | None:
        """The number of the enclosing clause, None for a main clause."""
        return self.number.rpartition(".")[0] or None

    def is_within(self, other: str) -> bool:
        """True when this clause is `other` or one of its sub-clauses."""
        return self.number == other or self.number.startswith(other + ".")


@dataclass(frozen=True, eq=False)
class Catalogue:
    """The clauses of one standard, in document order."""

    name: str
    clauses: tuple[Clause, ...]
    #: Clauses at this depth are the requirements coverage asks for (see `level`).
    requirement_depth: int = 2
    title: str = ""
    #: Where it came from: "built in", or the file's path relative to the root.
    source: str = "built in"

    @property
    def short(self) -> str:
        """The name without its edition (`ISO 13485`): what `clauses:` writes."""
        return short_name(self.name)

    @cached_property
    def by_number(self) -> Mapping[str, Clause]:
        """Clauses by number."""
        return {clause.number: clause for clause in self.clauses}

    @cached_property
    def _parents(self) -> frozenset[str]:
        return frozenset(c.parent for c in self.clauses if c.parent is not None)

    def is_known(self, number: str) -> bool:
        """True when `number` is a clause of this standard."""
        return number in self.by_number

    def has_sub_clauses(self, number: str) -> bool:
        """True when some clause lies under `number`."""
        return number in self._parents

    def level(self, clause: Clause) -> Level:
        """What a clause is for coverage.

        A *requirement* is a clause at `requirement_depth`, or a shallower one with no
        sub-clauses (ISO 13485's 7.6, a flat customer list's `CR-1`); coverage (A601)
        asks for each of them. A shallower clause with sub-clauses is a *heading*; a
        deeper one is a *detail*, shown for navigation and covered when its requirement
        is.
        """
        if clause.depth == self.requirement_depth:
            return "requirement"
        if clause.depth < self.requirement_depth:
            return "heading" if self.has_sub_clauses(clause.number) else "requirement"
        return "detail"

    def requirement_clauses(self) -> list[Clause]:
        """The clauses a QMS in scope must address, in document order."""
        return [c for c in self.clauses if self.level(c) == "requirement"]

    def suggest(self, number: str) -> str | None:
        """The nearest existing clause for a mistyped number: its parent, else a close match."""
        known = self.by_number
        head = number
        while "." in head:
            head = head.rpartition(".")[0]
            if head in known:
                return head
        close = difflib.get_close_matches(number, list(known), 1)
        return close[0] if close else None


# ------------------------------------------------------------------ catalogue files


class CatalogueError(ConfigError):
    """A catalogue file that cannot be used (exit 2), located at file:line:col."""


_CATALOGUE_KEYS = ("standard", "title", "requirement_depth", "clauses")
_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")
_UNQUOTED = re.compile(r"^\s*[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+\s*=")


def _line_of(text: str, key: str) -> int:
    """The line where `key` is written as a TOML key (1 when it is not found)."""
    pattern = re.compile(r"^\s*(?:\"" + re.escape(key) + r"\"|'" + re.escape(key) + r"'|"
                         + re.escape(key) + r")\s*=", re.MULTILINE)
    found = pattern.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else 1


def parse_catalogue(text: str, where: str) -> Catalogue:
    """A catalogue from the text of its file; CatalogueError at `where:line:col` if unusable.

    Checked: valid TOML, the known keys only, a standard's name, at least one clause,
    every number well formed and under a parent listed before it, every heading short
    one-line text.
    """

    def fail(line: int, message: str, col: int = 1) -> CatalogueError:
        return CatalogueError(f"{where}:{line}:{col}: {message}")

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        at = _TOML_AT.search(message)
        line, col = (int(at.group(1)), int(at.group(2))) if at else (1, 1)
        written = text.splitlines()[line - 1] if 0 < line <= text.count("\n") + 1 else ""
        hint = ""
        if _UNQUOTED.match(written):
            # `4.1 = "..."` is a dotted key to TOML: a table 4 with a key 1.
            line, col, hint = line, 1, "; quote clause numbers: \"4.1\" = \"heading\""
        raise fail(line, "not valid TOML: " + _TOML_AT.sub("", message).strip() + hint,
                   col) from None
    for key in data:
        if key not in _CATALOGUE_KEYS:
            close = difflib.get_close_matches(key, _CATALOGUE_KEYS, 1)
            raise fail(_line_of(text, key), f"unknown key {key!r} in a clause catalogue"
                       + (f"; did you mean {close[0]!r}?" if close else
                          f"; a catalogue has {', '.join(_CATALOGUE_KEYS)}"))
    name = data.get("standard")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise fail(_line_of(text, "standard"),
                   "`standard` must name the standard, e.g. standard = \"ISO 27001:2022\""
                   + (f" (got {name!r})" if name is not None else ""))
    title = data.get("title", "")
    if not isinstance(title, str) or len(title) > MAX_HEADING or _has_control(title):
        raise fail(_line_of(text, "title"), "`title` must be one line of text")
    depth = data.get("requirement_depth", 2)
    if not isinstance(depth, int) or isinstance(depth, bool) or not 1 <= depth <= 8:
        raise fail(_line_of(text, "requirement_depth"),
                   "`requirement_depth` must be a whole number from 1 to 8")
    table = data.get("clauses")
    if not isinstance(table, dict) or not table:
        raise fail(_line_of(text, "clauses") if "clauses" in data else 1,
                   "no clauses: list them under a [clauses] table, one "
                   "\"NUMBER\" = \"heading\" per line")
    if len(table) > MAX_CLAUSES:
        raise fail(1, f"{len(table):,} clauses; a catalogue holds at most {MAX_CLAUSES:,}")
    seen: set[str] = set()
    clauses = []
    for number, heading in table.items():
        line = _line_of(text, number)
        if isinstance(heading, dict):
            dotted = f"{number}.{next(iter(heading), '')}"
            raise fail(_line_of(text, dotted), f"clause {dotted} is written as a dotted "
                       "key; quote clause numbers: \"4.1\" = \"heading\"")
        if not _NUMBER_RE.match(number):
            raise fail(line, f"{number!r} is not a clause number (digits and letters "
                       "joined by dots, such as 8.4.2 or A.5.1)")
        if not isinstance(heading, str) or not heading.strip():
            raise fail(line, f"clause {number} needs a short heading as text")
        if len(heading) > MAX_HEADING or _has_control(heading):
            raise fail(line, f"the heading of clause {number} must be one line of at most "
                       f"{MAX_HEADING} characters (short headings only, never the "
                       "standard's text)")
        parent = number.rpartition(".")[0]
        if parent and parent not in seen:
            raise fail(line, f"clause {number} comes before its parent {parent}; list "
                       f"{parent} first")
        seen.add(number)
        clauses.append(Clause(number, heading.strip()))
    return Catalogue(name, tuple(clauses), depth, title.strip(), where)


def _has_control(text: str) -> bool:
    return any(ord(char) < 32 or ord(char) == 127 for char in text)


@cache
def builtin(name: str) -> Catalogue | None:
    """A catalogue shipped with qmskit, by its exact name; None for any other name."""
    file = BUILTIN_FILES.get(name)
    if file is None:
        return None
    path = Path(__file__).with_name("catalogues") / file
    return parse_catalogue(path.read_text(encoding="utf-8"), f"qmskit:{file}")


def builtin_named(name: str) -> Catalogue | None:
    """The built-in catalogue `name` designates by its full or short name (`ISO 13485`),
    case and spacing aside."""
    for known in BUILTIN_FILES:
        if name_key(name) in (name_key(known), name_key(short_name(known))):
            return builtin(known)
    return None


def _default() -> Catalogue:
    catalogue = builtin(DEFAULT_STANDARD)
    assert catalogue is not None
    return catalogue


# The ISO 9001 functions of earlier releases: the default standard's catalogue.


def clauses() -> tuple[Clause, ...]:
    """Every clause of ISO 9001:2015 in document order."""
    return _default().clauses


def by_number() -> Mapping[str, Clause]:
    """Clauses of ISO 9001:2015 by number."""
    return _default().by_number


def requirement_clauses() -> list[Clause]:
    """The two-level clauses of ISO 9001:2015 (4.1 ... 10.3) that a QMS in scope must address."""
    return _default().requirement_clauses()


def is_known(number: str) -> bool:
    """True when `number` is a clause of ISO 9001:2015."""
    return _default().is_known(number)


def suggest(number: str) -> str | None:
    """The nearest clause of ISO 9001:2015 for a mistyped number."""
    return _default().suggest(number)


# ---------------------------------------------------------------- configured standards


@dataclass(frozen=True, eq=False)
class Standard:
    """A standard a QMS is measured against: its catalogue and its exclusions (ISO 4.3)."""

    catalogue: Catalogue
    #: Clause number -> justification.
    exclusions: Mapping[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The full name, `ISO 13485:2016`."""
        return self.catalogue.name

    @property
    def short(self) -> str:
        """The name `clauses:` writes, `ISO 13485`."""
        return self.catalogue.short


@dataclass(frozen=True, eq=False)
class Standards:
    """The standards of a QMS: the default one first (bare clause numbers are its), then
    those of `also`. `configured` is False when the config has no `[coverage]` table."""

    members: tuple[Standard, ...]
    configured: bool = True

    @property
    def default(self) -> Standard:
        """The standard bare clause numbers belong to."""
        return self.members[0]

    def find(self, name: str) -> Standard | None:
        """The configured standard `name` designates: its full name or its short name."""
        key = name_key(name)
        for standard in self.members:
            if key in (name_key(standard.name), name_key(standard.short)):
                return standard
        return None

    def names(self) -> list[str]:
        """The full names, default first."""
        return [s.name for s in self.members]


def default_standards() -> Standards:
    """ISO 9001:2015, not configured: what a QMS without `[coverage]` is read against."""
    return Standards((Standard(_default()),), configured=False)


# ------------------------------------------------------------------- `clauses:` field


@dataclass(frozen=True)
class ClauseRef:
    """One clause a document names in `clauses:`."""

    #: The standard as written (`ISO 13485`, `ISO 13485:2016`); None = the default one.
    standard: str | None
    number: str
    #: Where it is written in the front matter (`("clauses", 2)`,
    #: `("clauses", "ISO 27001", 0)`), for located findings.
    path: tuple[str | int, ...]


def split_ref(text: str) -> tuple[str | None, str]:
    """(standard or None, number) of one list item: `ISO 13485:7.3.2`, `8.4`."""
    standard, _, number = text.rpartition(":")
    return (standard.strip() or None), number.strip()


def clause_refs(value: list[str] | dict[str, list[str]]) -> Iterator[ClauseRef]:
    """Every clause a `clauses:` value names, in the order written."""
    if isinstance(value, dict):
        for name, numbers in value.items():
            for index, number in enumerate(numbers):
                yield ClauseRef(name, number, ("clauses", name, index))
        return
    for index, text in enumerate(value):
        standard, number = split_ref(text)
        yield ClauseRef(standard, number, ("clauses", index))


def declared(value: list[str] | dict[str, list[str]], default: str
             ) -> list[tuple[str, str]]:
    """(standard's short-name key, number) of every clause named, bare ones of `default`.

    For questions such as "does this KPI declare ISO 13485 8.2.2?" that do not need the
    catalogues: the key is `name_key(short_name(...))`.
    """
    fallback = name_key(short_name(default))
    return [(name_key(short_name(ref.standard)) if ref.standard else fallback, ref.number)
            for ref in clause_refs(value)]


_ClauseItem = Annotated[str, Field(pattern=rf"^(?:{STANDARD_NAME}:)?{CLAUSE_NUMBER}$",
                                   max_length=120)]
_ClauseNumber = Annotated[str, Field(pattern=rf"^{CLAUSE_NUMBER}$", max_length=120)]
_StandardKey = Annotated[str, Field(pattern=rf"^{STANDARD_NAME}$")]
_AS_LIST: TypeAdapter[list[str]] = TypeAdapter(list[_ClauseItem])
_AS_MAPPING: TypeAdapter[dict[str, list[str]]] = TypeAdapter(
    dict[_StandardKey, list[_ClauseNumber]])


def _validate_clauses(value: Any, _handler: Any) -> list[str] | dict[str, list[str]]:
    # One form or the other, validated by itself, so an error is located at its item
    # (`clauses.2`, `clauses.ISO 27001.0`) rather than reported once per union member.
    if isinstance(value, dict):
        return _AS_MAPPING.validate_python(value)
    if isinstance(value, list):
        return _AS_LIST.validate_python(value)
    raise PydanticCustomError(
        "clauses_type", "clauses is a list of clause numbers (\"8.4\", \"ISO 13485:7.3.2\") "
        "or a mapping of standard to numbers ({{ \"ISO 13485\": [\"7.3.2\"] }})")


#: The type of the `clauses` field.
ClauseList = Annotated[list[_ClauseItem] | dict[_StandardKey, list[_ClauseNumber]],
                       WrapValidator(_validate_clauses)]

