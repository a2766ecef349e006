"""From the rows of a table to qmskit records: what `qmskit import` decides, row by row.

A handbook keeps its risk register, CAPA log and objectives as tables. Each row becomes a
record of one kind; each column is mapped to one or more front-matter fields
(`--map "Objective=title,Owner=owner"`; dotted names such as `effectiveness.result` for
nested fields, `x-NAME` to keep a column as unchecked text, `-` to leave one out). A
column whose header is a field's name maps itself.

Cells are read as a person wrote them and converted by the field's type:

- value maps first (`--map-values`): a cell's text (case-insensitive; `*` and `?` as
  wildcards) mapped to the value to use, per field; an empty value leaves the field unset;
- links (owner, affects, treated_by, ...): an id the QMS (or this import) declares; a
  handle (`@quality-lead`, also inside a shortcode such as `[[@quality-lead]]`) for a
  link to a role, meaning the role that person holds; or a document's title;
- handles (holders, deputy, auditors): the `@handle`s in the cell;
- dates as `YYYY-MM-DD` or `DD.MM.YYYY`; numbers in ASCII digits; choices (`source`,
  `type`, ...) by their name, spaces read as dashes;
- an id: from the column mapped to `id`, else from the start of the title cell
  (`QO-2026-01 Reduce complaints`), else made from the title (`ROLE-QUALITY-LEAD`).

A row that cannot become a valid record is never dropped quietly: it is `Rejected`, with
its line and every reason, so the user can add a value map and run the import again.
Pure computation: reading the table and writing the records is the command's job.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ValidationError

from qmskit.domain.tables import Table
from qmskit.model.documents import COMMON_LINKS, Document, without_extensions
from qmskit.model.types import Handle, handle_key, is_doc_id
from qmskit.qms import Qms

Base = Literal["id", "handle", "date", "int", "float", "number-or-text", "choice", "text",
               "bool"]

#: The fields of every document in the order qmskit writes them (as `qmskit.edit`).
FIRST_FIELDS = ("id", "kind", "title", "owner", "status", "version", "approved_by",
                "approved_on", "approved_version", "review")
#: Fields a register document holds for all its rows (its rows inherit them).
REGISTER_FIELDS = frozenset({"status", "version", "approved_by", "approved_on",
                             "approved_version", "review"})
SKIP = "-"

_HANDLE_IN_TEXT = re.compile(r"@([a-z0-9][a-z0-9._-]*[a-z0-9]|[a-z0-9])")
_PLAIN_HANDLE = re.compile(r"^@?[a-z0-9][a-z0-9._-]*$")
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_INT = re.compile(r"^[+-]?[0-9]+$")
_FLOAT = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_CODE = re.compile(r"`+([^`]*)`+")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_LEADING_ID = re.compile(r"^([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)[\s:–-]+(\S.*)$")


class MappingError(ValueError):
    """A column mapping or value map that cannot be used; the message says how to fix it."""


@dataclass(frozen=True)
class FieldSpec:
    """What a field holds: one value or a list, of which base type, linking to which kinds."""

    name: str
    is_list: bool
    base: Base
    targets: frozenset[str] = frozenset()
    choices: tuple[str, ...] = ()


def _unwrap(annotation: Any) -> tuple[bool, list[Any]]:
    origin = get_origin(annotation)
    args = list(get_args(annotation)) if origin in (typing.Union, types.UnionType) \
        else [annotation]
    args = [a for a in args if a is not type(None)]
    if len(args) == 1 and get_origin(args[0]) is list:
        return True, list(get_args(args[0]))
    return False, args


def _base(args: list[Any]) -> tuple[Base | type[BaseModel], tuple[str, ...]]:
    if any(a == Handle for a in args):
        return "handle", ()
    plain = [get_args(a)[0] if get_origin(a) is typing.Annotated else a for a in args]
    if len(plain) > 1:
        return ("number-or-text" if str in plain else "text"), ()
    kind = plain[0] if plain else str
    if get_origin(kind) is Literal:
        return "choice", tuple(str(c) for c in get_args(kind))
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return kind, ()
    if kind is date:
        return "date", ()
    if kind is bool:
        return "bool", ()
    if kind is int:
        return "int", ()
    if kind is float:
        return "float", ()
    return "text", ()


def field_specs(model: type[Document], kind: str) -> dict[str, FieldSpec]:
    """Every field a record of `model` may carry, by dotted name (`review.last`)."""
    links = {**COMMON_LINKS, **model.links}
    specs: dict[str, FieldSpec] = {}

    def add(prefix: str, fields: Mapping[str, Any]) -> None:
        for name, info in fields.items():
            dotted = prefix + name
            is_list, args = _unwrap(info.annotation)
            base, choices = _base(args)
            if isinstance(base, type):
                add(dotted + ".", base.model_fields)
                continue
            if dotted in links:
                targets = links[dotted] or frozenset({kind})
                specs[dotted] = FieldSpec(dotted, is_list, "id", targets)
            else:
                specs[dotted] = FieldSpec(dotted, is_list, base, choices=choices)

    add("", model.model_fields)
    return specs


def _split(spec: str) -> list[str]:
    return [part.strip() for part in spec.split(",") if part.strip()]


def parse_mapping(specs: Sequence[str], fields: Mapping[str, FieldSpec]
                  ) -> dict[str, tuple[str, ...]]:
    """`["Objective=title,Owner=owner"]` -> {"objective": ("title",), "owner": ("owner",)}.

    Keys are column names in lower case; `Col=a+b` maps a column to two fields; `Col=-`
    (or `Col=`) leaves it out. MappingError names what is wrong and the nearest field.
    """
    mapping: dict[str, tuple[str, ...]] = {}
    for spec in specs:
        for part in _split(spec):
            column, equals, target = part.rpartition("=")
            if not equals or not column.strip():
                raise MappingError(f"--map {part!r}: write COLUMN=FIELD, e.g. Owner=owner")
            names = tuple(t.strip() for t in target.split("+") if t.strip() and t.strip() != SKIP)
            for name in names:
                if name not in fields and name != "id" and not name.startswith("x-"):
                    close = difflib.get_close_matches(name, list(fields), 1)
                    raise MappingError(
                        f"--map {part!r}: {name!r} is not a field of this kind"
                        + (f"; did you mean {close[0]!r}?" if close else "")
                        + "; x-NAME keeps a column as text, - leaves it out")
            mapping[column.strip().casefold()] = names
    return mapping


def column_fields(header: Sequence[str], mapping: Mapping[str, tuple[str, ...]],
                  fields: Mapping[str, FieldSpec]) -> tuple[list[tuple[str, ...]], list[str]]:
    """The fields each column fills (by position), and the columns left unmapped.

    A column named like a field (`Owner`, `due`, `Review last`) maps itself; `ID`
    maps to `id`.
    """
    chosen: list[tuple[str, ...]] = []
    unmapped: list[str] = []
    for name in header:
        key = name.strip().casefold()
        if key in mapping:
            chosen.append(mapping[key])
            continue
        guess = re.sub(r"[\s-]+", "_", key)
        dotted = re.sub(r"[\s_-]+", ".", key)
        if key == "id" or guess == "id":
            chosen.append(("id",))
        elif guess in fields:
            chosen.append((guess,))
        elif dotted in fields:
            chosen.append((dotted,))
        else:
            chosen.append(())
            unmapped.append(name)
    return chosen, unmapped


@dataclass
class ValueMaps:
    """Per field: cell text (case-insensitive, `*`/`?` wildcards) -> the value to use."""

    exact: dict[str, dict[str, str]] = field(default_factory=dict)
    patterns: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def add(self, name: str, source: str, value: str) -> None:
        """Map `source` (a cell's text) in field `name` to `value`."""
        key = source.strip().casefold()
        if any(ch in key for ch in "*?["):
            self.patterns.setdefault(name, []).append((key, value.strip()))
        else:
            self.exact.setdefault(name, {})[key] = value.strip()

    def lookup(self, name: str, text: str) -> str | None:
        """The mapped value of `text` in field `name`; None when no map applies."""
        key = text.strip().casefold()
        found = self.exact.get(name, {}).get(key)
        if found is not None:
            return found
        for pattern, value in self.patterns.get(name, ()):
            if fnmatch.fnmatchcase(key, pattern):
                return value
        return None

    def add_inline(self, spec: str) -> None:
        """`FIELD:FROM=TO` (FROM may hold `:` and `=`: the last `=` separates TO)."""
        name, colon, rest = spec.partition(":")
        source, equals, value = rest.rpartition("=")
        if not colon or not equals or not name.strip():
            raise MappingError(f"--map-values {spec!r}: write FIELD:FROM=TO, e.g. "
                               "'owner:Quality lead=ROLE-QM', or name a .toml or .csv file")
        self.add(name.strip(), source, value)

    def add_table(self, data: Mapping[str, Any], where: str) -> None:
        """A TOML file's tables: `[owner]` then `"Quality lead" = "ROLE-QM"` lines."""
        for name, table in data.items():
            if not isinstance(table, dict):
                raise MappingError(f"{where}: {name} must be a table of FROM = TO lines")
            for source, value in table.items():
                if not isinstance(value, str):
                    raise MappingError(f"{where}: [{name}] {source!r} must map to a text")
                self.add(name, source, value)

    def add_rows(self, rows: Iterable[Sequence[str]], where: str) -> None:
        """A CSV file's rows: field, from, to."""
        for number, row in enumerate(rows, 1):
            if number == 1 and [c.strip().casefold() for c in row[:3]] == ["field", "from",
                                                                             "to"]:
                continue
            if len(row) < 3:
                raise MappingError(f"{where}:{number}: write field,from,to")
            self.add(row[0].strip(), row[1], row[2])


@dataclass(frozen=True)
class Known:
    """What the QMS already declares, to resolve links: ids, titles, role holders."""

    kinds: dict[str, str]
    titles: dict[str, list[str]]
    holders: dict[str, list[str]]

    @classmethod
    def of(cls, qms: Qms) -> Known:
        """Everything `qms` declares."""
        kinds = {doc.id: doc.kind for doc in qms.documents.values()}
        titles: dict[str, list[str]] = {}
        holders: dict[str, list[str]] = {}
        for doc in qms.documents.values():
            titles.setdefault(doc.title.strip().casefold(), []).append(doc.id)
            for handle in getattr(doc.model, "holders", None) or ():
                holders.setdefault(handle_key(handle), []).append(doc.id)
        return cls(kinds, titles, holders)


@dataclass
class Record:
    """A row that becomes a record: its line, id and front-matter fields (nested)."""

    line: int
    id: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Rejected:
    """A row that cannot become a record, with every reason."""

    line: int
    reasons: tuple[str, ...]


@dataclass
class ImportPlan:
    """What an import of one table makes of each row."""

    kind: str
    header: tuple[str, ...]
    columns: list[tuple[str, ...]]
    records: list[Record] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def fields(self) -> list[str]:
        """The fields the records carry, in the order they are written."""
        seen: dict[str, None] = {}
        for names in self.columns:
            for name in names:
                seen.setdefault(name, None)
        for record in self.records:
            for name in flatten(record.data):
                seen.setdefault(name, None)
        return sorted(seen, key=_field_rank)


def _field_rank(name: str) -> tuple[int, int]:
    top = name.split(".", 1)[0]
    if top in FIRST_FIELDS:
        return 0, FIRST_FIELDS.index(top)
    return (2, 0) if top.startswith("x-") else (1, 0)


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """{"review": {"last": d}} -> {"review.last": d}."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[prefix + key] = value
    return out


def clean(cell: str) -> str:
    """A cell's text as a value: links give their text, code spans their content, line
    breaks (`<br>`) become `; `, and emphasis around the whole cell goes."""
    text = _BREAK.sub("; ", cell)
    text = _LINK.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    text = " ".join(text.split())
    for mark in ("**", "__", "*", "_"):
        if len(text) > 2 * len(mark) and text.startswith(mark) and text.endswith(mark):
            text = text[len(mark):-len(mark)].strip()
    return text


@dataclass
class _Resolver:
    known: Known
    kind: str
    values: ValueMaps
    fresh: dict[str, str]  # ids and titles (casefold) of this import -> id

    def convert(self, spec: FieldSpec, cell: str) -> tuple[Any, str | None]:
        """(the value, None) or (None, why the cell cannot fill the field)."""
        text = clean(cell)
        whole = self.values.lookup(spec.name, text)
        if whole is not None:
            text = whole
        if not text:
            return None, None
        if spec.is_list:
            items: list[Any] = []
            separators = r"\s*;\s*" if spec.base == "text" else r"\s*[;,]\s*"
            for part in re.split(separators, text):
                if not part:
                    continue
                mapped = self.values.lookup(spec.name, part)
                part = mapped if mapped is not None else part
                if not part:
                    continue
                if spec.base == "handle":
                    found = _HANDLE_IN_TEXT.findall(part) or (
                        [part] if _PLAIN_HANDLE.match(part) else [])
                    if not found:
                        return None, f"{part!r} is not a handle (such as @quality-lead)"
                    items.extend(handle_key(h) for h in found)
                    continue
                value, problem = self._scalar(spec, part)
                if problem:
                    return None, problem
                items.append(value)
            return (items or None), None
        if spec.base == "handle":
            found = _HANDLE_IN_TEXT.findall(text) or ([text] if _PLAIN_HANDLE.match(text)
                                                      else [])
            if len(found) != 1:
                return None, f"{text!r} is not one handle (such as @quality-lead)"
            return handle_key(found[0]), None
        return self._scalar(spec, text)

    def _scalar(self, spec: FieldSpec, text: str) -> tuple[Any, str | None]:
        if spec.base == "id":
            return self._link(spec, text)
        if spec.base == "date":
            try:
                return date.fromisoformat(text), None
            except ValueError:
                german = _GERMAN_DATE.match(text)
                if german:
                    try:
                        day, month, year = (int(g) for g in german.groups())
                        return date(year, month, day), None
                    except ValueError:
                        pass
            return None, f"{text!r} is not a date (YYYY-MM-DD)"
        if spec.base == "int":
            if _INT.match(text):
                return int(text), None
            return None, f"{text!r} is not a whole number"
        if spec.base == "float":
            if _FLOAT.match(text):
                return float(text), None
            return None, f"{text!r} is not a number (digits, a dot for decimals)"
        if spec.base == "number-or-text":
            return (float(text) if _FLOAT.match(text) else text), None
        if spec.base == "bool":
            lowered = text.casefold()
            if lowered in ("yes", "true", "y", "x", "1"):
                return True, None
            if lowered in ("no", "false", "n", "0"):
                return False, None
            return None, f"{text!r} is not yes or no"
        if spec.base == "choice":
            key = re.sub(r"[\s_]+", "-", text.strip().casefold())
            if key in spec.choices:
                return key, None
            return None, (f"{text!r} is not one of {', '.join(spec.choices)}; map it with "
                          f"--map-values '{spec.name}:{text}=VALUE'")
        return text, None

    def _link(self, spec: FieldSpec, text: str) -> tuple[Any, str | None]:
        candidate = text.strip()
        if is_doc_id(candidate):
            kind = self.known.kinds.get(candidate) or (self.kind if candidate in self.fresh
                                                       else None)
            if kind is None:
                return None, (f"names {candidate}, which no document declares (import it "
                              "first, or map the value)")
            if kind not in spec.targets:
                return None, f"names {candidate}, a {kind}; {spec.name} links to " \
                             f"{' or '.join(sorted(spec.targets))}"
            return candidate, None
        handles = _HANDLE_IN_TEXT.findall(candidate)
        if handles and "role" in spec.targets:
            roles = sorted({role for h in handles
                            for role in self.known.holders.get(handle_key(h), [])})
            if len(roles) == 1:
                return roles[0], None
            if not roles:
                return None, (f"no role has {', '.join('@' + h for h in handles)} among its "
                              f"holders; import the roles first, or map the value")
            return None, (f"{', '.join('@' + h for h in handles)} holds {', '.join(roles)}; "
                          f"map the value to one of them")
        title = candidate.casefold()
        ids = [i for i in self.known.titles.get(title, [])
               if self.known.kinds.get(i) in spec.targets]
        if not ids and title in self.fresh and self.kind in spec.targets:
            ids = [self.fresh[title]]
        if len(ids) == 1:
            return ids[0], None
        if len(ids) > 1:
            return None, f"{text!r} is the title of {', '.join(ids)}; map it to one of them"
        return None, (f"{text!r} names no {' or '.join(sorted(spec.targets))}; map it with "
                      f"--map-values '{spec.name}:{text}=ID' ('{spec.name}:{text}=' leaves "
                      "it unset)")


def _put(data: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    target = data
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


def _has(data: Mapping[str, Any], dotted: str) -> bool:
    target: Any = data
    for part in dotted.split("."):
        if not isinstance(target, Mapping) or part not in target:
            return False
        target = target[part]
    return True


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _why(error: ValidationError, columns: Mapping[str, str], named: set[str]) -> list[str]:
    reasons = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"])
        if item["loc"] and str(item["loc"][0]) in named:
            continue
        column = next((c for f, c in columns.items() if where == f or where.startswith(f + ".")),
                      None)
        text = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] == "missing":
            text = "missing; map a column to it or give it with --set"
        reasons.append(f"{column + ' ' if column else ''}({where}): {text}")
    return reasons


@dataclass
class Naming:
    """The id and title of every row, decided before any cell is read, so rows may link
    to each other (a role reporting to another role of the same import, by its title)."""

    rows: list[tuple[str | None, str | None]]
    #: ids and titles (in lower case) of this import -> id
    fresh: dict[str, str]
    notes: list[str]


def name_rows(table: Table, columns: list[tuple[str, ...]],
              make_id: Callable[[str, set[str]], str], taken: set[str]) -> Naming:
    """Each row's id (its id column, the start of its title, or made from the title by
    `make_id(title, ids in use)`) and title; `taken` holds the ids already in use."""
    id_column = next((i for i, names in enumerate(columns) if "id" in names), None)
    title_column = next((i for i, names in enumerate(columns) if "title" in names), None)
    used = set(taken)
    naming = Naming([], {}, [])
    from_title = made = 0
    for row in table.rows:
        cells = [*row.cells, *[""] * (len(table.header) - len(row.cells))]
        doc_id = clean(cells[id_column]).upper() if id_column is not None else ""
        title = clean(cells[title_column]) if title_column is not None else ""
        if not doc_id and title:
            leading = _LEADING_ID.match(title)
            if leading:
                doc_id, title = leading.group(1), leading.group(2).strip()
                from_title += 1
        if not doc_id and title:
            doc_id = make_id(title, used)
            made += 1
        if doc_id:
            used.add(doc_id)
            naming.fresh.setdefault(doc_id, doc_id)
            if title:
                naming.fresh.setdefault(title.casefold(), doc_id)
        naming.rows.append((doc_id or None, title or None))
    if from_title and title_column is not None:
        naming.notes.append(f"ids taken from the start of the {table.header[title_column]} "
                            f"cell ({from_title} rows)")
    if made:
        naming.notes.append(f"ids made from the titles ({made} rows); map an id column to "
                            "choose them")
    return naming


def plan_import(table: Table, kind: str, model: type[Document],
                columns: list[tuple[str, ...]], naming: Naming, *, values: ValueMaps,
                known: Known, defaults: Mapping[str, Any], inherited: Mapping[str, Any],
                taken: set[str]) -> ImportPlan:
    """Each row of `table` as a record of `kind`, or rejected with its reasons.

    `columns` gives the fields each column fills, `naming` each row's id and title
    (`name_rows`); `defaults` are values for fields a row leaves empty (`--set`,
    converted with `convert_settings`); `inherited` are fields the record takes from
    elsewhere (a register's status and stamps): used to validate, never written into
    the record. `taken` holds the ids already in use (the QMS's, and files in the way).
    """
    specs = field_specs(model, kind)
    plan = ImportPlan(kind, table.header, columns, notes=list(naming.notes))
    column_of = {name: table.header[i] for i, names in enumerate(columns) for name in names}
    fresh, named = naming.fresh, naming.rows
    resolver = _Resolver(known, kind, values, fresh)
    seen: set[str] = set()
    for row, (row_id, row_title) in zip(table.rows, named, strict=True):
        reasons: list[str] = []
        cells = [*row.cells, *[""] * (len(table.header) - len(row.cells))]
        if len(row.cells) > len(table.header):
            reasons.append(f"has {len(row.cells)} cells, the header {len(table.header)}")
        data: dict[str, Any] = {}
        unread: set[str] = set()
        for index, names in enumerate(columns):
            for name in names:
                if name in ("id", "title"):
                    continue
                spec = specs.get(name) or FieldSpec(name, False, "text")
                value, problem = resolver.convert(spec, cells[index])
                if problem:
                    reasons.append(f"{table.header[index]}: {problem}")
                    unread.add(name.split(".")[0])
                elif value is not None:
                    _put(data, name, value)
        if row_id is None:
            reasons.append("no id: map a column to id, or one to title to make one")
        elif not is_doc_id(row_id):
            reasons.append(f"id {row_id!r} is not an id such as RISK-01 (capitals, digits, "
                           "dashes)")
        elif row_id in seen or row_id in known.kinds or row_id in taken:
            where = "in this table" if row_id in seen else "already in the QMS"
            reasons.append(f"id {row_id} is used {where}")
        if row_title is None:
            reasons.append("no title: map a column to title")
        for name, value in defaults.items():
            if not _has(data, name):
                _put(data, name, value)
        record = {"id": row_id, "kind": kind, "title": row_title, **data}
        try:
            model.model_validate(without_extensions(_merge(inherited, record)))
        except ValidationError as error:
            # Every reason at once, but not twice: a cell already named is not repeated.
            reasons.extend(_why(error, column_of, unread | {"id", "title"}))
        if row_id:
            seen.add(row_id)
        if reasons:
            plan.rejected.append(Rejected(row.line, tuple(reasons)))
        else:
            assert row_id is not None
            plan.records.append(Record(row.line, row_id, record))
    return plan


def convert_settings(settings: Sequence[str], model: type[Document], kind: str,
                     known: Known, values: ValueMaps,
                     fresh: Mapping[str, str] | None = None) -> dict[str, Any]:
    """`--set FIELD=VALUE` options as typed values, read like a cell of that field (links
    may name records of this import: `fresh`, from `name_rows`).

    MappingError for an unknown field or a value the field cannot take.
    """
    specs = field_specs(model, kind)
    resolver = _Resolver(known, kind, values, dict(fresh or {}))
    out: dict[str, Any] = {}
    for setting in settings:
        name, equals, text = setting.partition("=")
        name = name.strip()
        if not equals or not name:
            raise MappingError(f"--set {setting!r}: write FIELD=VALUE, e.g. status=approved")
        spec = specs.get(name)
        if spec is None and not name.startswith("x-"):
            close = difflib.get_close_matches(name, list(specs), 1)
            raise MappingError(f"--set {setting!r}: {name!r} is not a field of a {kind}"
                               + (f"; did you mean {close[0]!r}?" if close else ""))
        value, problem = resolver.convert(spec or FieldSpec(name, False, "text"), text)
        if problem:
            raise MappingError(f"--set {setting!r}: {problem}")
        if value is not None:
            out[name] = value
    return out


def nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """{"review.last": d} -> {"review": {"last": d}}."""
    out: dict[str, Any] = {}
    for name, value in flat.items():
        _put(out, name, value)
    return out
