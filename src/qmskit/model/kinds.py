"""The front-matter contract of one QMS: the built-in kinds, as its config shapes them,
and the kinds it declares.

A QMS may add typed fields to a built-in kind (`[kinds.risk] fields = {category =
"text"}`), declare kinds of its own (`[kinds.supplier]` with fields, links, required
fields and a due date), name its own vocabularies (nonconformity severities, document
types) and its own risk scale. Each of those becomes a pydantic model built here with
`create_model` on the built-in base, so a declared kind is validated exactly like a
built-in one: unknown or wrongly typed fields are located D102 findings, and its links
are typed ids the link rules check against the kinds the config allows.

`Contract` is the one answer to "which model validates a document of kind K in this
QMS": the loader, `qmskit new`, `qmskit review` and `qmskit schema` all ask it. A QMS
whose config changes nothing gets the built-in models themselves (`MODELS`). Built
models are registered in this module under names derived from the spec, so documents
validated by them can be pickled (the loader's cache) and read back in another process
that built the same contract.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Annotated, Any, Literal, cast, get_args, get_origin

from pydantic import BaseModel, BeforeValidator, Field, TypeAdapter, create_model

from qmskit.model.documents import (
    MODELS,
    Document,
    GenericDocument,
    Nonconformity,
    PageKeys,
    Risk,
)
from qmskit.model.types import (
    ID_PATTERN,
    KINDS,
    DocId,
    in_kind_order,
    is_doc_id,
)

FieldType = Literal["text", "number", "date", "bool", "list"]
FIELD_TYPES: tuple[str, ...] = get_args(FieldType)
#: The built-in vocabularies' defaults (the values of today's contract).
DEFAULT_SEVERITIES: tuple[str, ...] = ("major", "minor")
DEFAULT_RISK_SCALE = 5
FIELD_NAME_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"


@dataclass(frozen=True)
class KindSpec:
    """What a config says about one kind (built-in or declared), as plain data."""

    name: str
    #: Extra typed fields, in the order written: (field name, type).
    fields: tuple[tuple[str, str], ...] = ()
    #: Link fields of a declared kind: (field name, kinds it may name).
    links: tuple[tuple[str, tuple[str, ...]], ...] = ()
    required: tuple[str, ...] = ()
    due: str | None = None
    traced: bool = False
    title: str | None = None
    folder: str | None = None
    id_pattern: str | None = None

    @property
    def declared(self) -> bool:
        """True for a kind the QMS declares (not a built-in one it extends)."""
        return self.name not in KINDS


@dataclass(frozen=True)
class ContractSpec:
    """Everything in the config that shapes the front-matter contract (hashable)."""

    kinds: tuple[KindSpec, ...] = ()
    nonconformity_severity: tuple[str, ...] = DEFAULT_SEVERITIES
    document_type: tuple[str, ...] = ()
    risk_scale: int = DEFAULT_RISK_SCALE


# --------------------------------------------------------------------- field types

def _to_number(value: object) -> object:
    """A number from YAML (int or float) or a register cell ("4.5"); one clear error
    for anything else (true/false, text, nan, infinity)."""
    if isinstance(value, bool):
        raise ValueError("a number is expected, not true/false")
    if isinstance(value, str):
        text = value.strip()
        if not _DECIMAL.fullmatch(text):
            raise ValueError(f"{value!r} is not a number (write digits, with a dot for "
                             "decimals)")
        value = int(text) if _INTEGER.fullmatch(text) else float(text)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("a number is expected, not nan or infinity")
    if not isinstance(value, (int, float)):
        raise ValueError("a number is expected")
    return value


_INTEGER = re.compile(r"[-+]?[0-9]+", re.ASCII)
_DECIMAL = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?", re.ASCII)


def _as_list(value: object) -> object:
    # One value where a list is expected is a list of one (`supplies: PROC-PURCH`); a
    # register cell holds lists as `a;b` (split by the register reader).
    return [value] if isinstance(value, (str, int, float, date)) and not isinstance(
        value, bool) else value


_TEXT = Annotated[str, Field(max_length=2000)]
_NUMBER = Annotated[int | float, BeforeValidator(_to_number)]
_LIST = Annotated[list[Annotated[str, Field(max_length=500)]], BeforeValidator(_as_list)]
_LINKS = Annotated[list[DocId], BeforeValidator(_as_list)]
_TYPES: dict[str, Any] = {"text": _TEXT, "number": _NUMBER, "date": date, "bool": bool,
                          "list": _LIST}


def _typed(type_name: str) -> tuple[Any, Any]:
    """(annotation, default) of an extra field; every extra field is optional in the
    model: `required` is enforced for documents that are not drafts (`missing_required`)."""
    if type_name == "list":
        return _LIST, []
    return _TYPES[type_name] | None, None


# ------------------------------------------------------------------ the contract

_REGISTRY: dict[str, type[Document]] = {}


def __getattr__(name: str) -> Any:
    # Pickle finds a built model by module and name (`qmskit.model.kinds.Declared_...`).
    try:
        return _REGISTRY[name]
    except KeyError:
        raise AttributeError(name) from None


def _class_name(kind: str, digest: str) -> str:
    return "Kind_" + re.sub(r"\W", "_", kind) + "_" + digest


class Contract:
    """The models of one QMS's front matter, by kind, and what its config declared."""

    def __init__(self, spec: ContractSpec) -> None:
        self.spec = spec
        self.specs: dict[str, KindSpec] = {kind.name: kind for kind in spec.kinds}
        self._required = {kind.name: kind.required for kind in spec.kinds if kind.required}
        digest = hashlib.blake2b(repr(spec).encode(), digest_size=6).hexdigest()
        models: dict[str, type[Document]] = dict(MODELS)
        for kind, base in MODELS.items():
            overrides = self._builtin_overrides(kind, base)
            if overrides:
                models[kind] = self._build(kind, base, digest, overrides)
        for kind_spec in spec.kinds:
            if kind_spec.declared:
                models[kind_spec.name] = self._declared(kind_spec, digest)
        self.models = models
        #: Every kind, built-in ones first in their order, then declared ones by name.
        self.kinds: tuple[str, ...] = tuple(in_kind_order(models))

    def _builtin_overrides(self, kind: str, base: type[Document]) -> dict[str, Any]:
        overrides: dict[str, Any] = {}
        spec = self.specs.get(kind)
        if spec is not None:
            overrides.update({name: _typed(type_name) for name, type_name in spec.fields})
        vocabulary = self.spec
        if issubclass(base, Nonconformity) and \
                vocabulary.nonconformity_severity != DEFAULT_SEVERITIES:
            overrides["severity"] = (
                Literal[vocabulary.nonconformity_severity] | None, None)
        if issubclass(base, GenericDocument) and vocabulary.document_type:
            overrides["type"] = (Literal[vocabulary.document_type] | None, None)
        if issubclass(base, Risk) and vocabulary.risk_scale != DEFAULT_RISK_SCALE:
            rating = Annotated[int, Field(ge=1, le=vocabulary.risk_scale)] | None
            overrides["likelihood"] = (rating, None)
            overrides["impact"] = (rating, None)
        return overrides

    def _build(self, kind: str, base: type[Document], digest: str,
               overrides: dict[str, Any]) -> type[Document]:
        name = _class_name(kind, digest)
        model = cast(type[Document], create_model(
            name, __base__=base, __module__=__name__, __doc__=base.__doc__, **overrides))
        spec = self.specs.get(kind)
        model.declared_fields = dict(spec.fields) if spec else {}
        _REGISTRY[name] = model
        return model

    def _declared(self, spec: KindSpec, digest: str) -> type[Document]:
        fields: dict[str, Any] = {"kind": (Literal[spec.name], ...)}
        for name, type_name in spec.fields:
            fields[name] = _typed(type_name)
        for name, _ in spec.links:
            fields[name] = (_LINKS, [])
        name = _class_name(spec.name, digest)
        title = spec.title or spec.name
        model = cast(type[Document], create_model(
            name, __base__=Document, __module__=__name__,
            __doc__=f"{title}: a kind declared in the config ([kinds.{spec.name}]).",
            **fields))
        model.links = {link: frozenset(targets) for link, targets in spec.links}
        model.declared_fields = {**dict(spec.fields),
                                 **{link: "links" for link, _ in spec.links}}
        model.trace_links = frozenset(model.links) if spec.traced else frozenset()
        model.due_field = spec.due
        _REGISTRY[name] = model
        return model

    # ------------------------------------------------------------------ questions

    def model_for(self, kind: object) -> type[Document] | None:
        """The model validating documents of `kind`, None for an unknown kind."""
        return self.models.get(kind) if isinstance(kind, str) else None

    @property
    def declared(self) -> dict[str, KindSpec]:
        """The kinds the QMS declares, by name."""
        return {name: spec for name, spec in self.specs.items() if spec.declared}

    def required(self, kind: str) -> tuple[str, ...]:
        """Fields a document of `kind` must have once it is not a draft."""
        return self._required.get(kind, ())

    def title(self, kind: str) -> str:
        """How people call documents of `kind` in lists and headings."""
        spec = self.specs.get(kind)
        if spec is not None and spec.title:
            return spec.title
        return kind.replace("_", " ").replace("-", " ").capitalize()

    @property
    def record_kinds(self) -> tuple[str, ...]:
        """Kinds a register may hold as rows (every kind but `register`)."""
        return tuple(kind for kind in self.kinds if kind != "register")

    def id_pattern(self, kind: str) -> IdPattern | None:
        """The id pattern `qmskit new` numbers documents of `kind` by, if configured."""
        spec = self.specs.get(kind)
        return IdPattern.parse(spec.id_pattern) if spec and spec.id_pattern else None

    def folder(self, kind: str) -> str | None:
        """The folder configured for documents of `kind` (`[kinds.KIND] folder`)."""
        spec = self.specs.get(kind)
        return spec.folder if spec else None

    def missing_required(self, model: Document) -> list[str]:
        """Required fields (`[kinds.KIND] required`) the document leaves empty. Drafts
        are exempt, so a fresh draft can be committed before it is complete."""
        if not self._required or model.status == "draft":
            return []
        return [name for name in self.required(model.kind)
                if getattr(model, name, None) in (None, [], "")]

    def schema(self) -> dict[str, Any]:
        """The JSON Schema of a controlled document's front matter in this QMS."""
        return _schema(self)


@lru_cache(maxsize=32)
def contract_for(spec: ContractSpec) -> Contract:
    """The contract for `spec`, built once per process (models are classes)."""
    return Contract(spec)


DEFAULT_CONTRACT = contract_for(ContractSpec())


# ------------------------------------------------------------ values for people

def field_label(name: str) -> str:
    """A field name as a label: `residual_risk` -> `Residual risk`."""
    return name.replace("_", " ").replace("-", " ").capitalize()


def extra_fields(model: Document) -> list[tuple[str, object]]:
    """(label, value) of the fields the config declared for this document's kind that
    it fills in, in the order the config lists them: the panel and the register show
    them after the built-in fields. Link fields of declared kinds are included (their
    values are ids); empty values are left out."""
    found: list[tuple[str, object]] = []
    for name in type(model).declared_fields:
        value = getattr(model, name, None)
        if value is None or value == [] or value == "":
            continue
        found.append((field_label(name), value))
    return found


def is_list_field(model: type[BaseModel], name: str) -> bool:
    """True when `name` holds a list (a register cell splits it at `;`)."""
    info = model.model_fields.get(name)
    if info is None:
        return False
    annotation = info.annotation
    for candidate in (annotation, *get_args(annotation)):
        if get_origin(candidate) is list or candidate is list:
            return True
    return False


def nested_model(model: type[BaseModel], name: str) -> type[BaseModel] | None:
    """The model of a nested mapping field (`review`, `effectiveness`), if `name` is one."""
    info = model.model_fields.get(name)
    if info is None:
        return None
    for candidate in (info.annotation, *get_args(info.annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


# -------------------------------------------------------------------- id patterns

_PATTERN_PART = re.compile(r"#{1,9}|\{year\}")


@dataclass(frozen=True)
class IdPattern:
    """An id pattern such as `SOP-###` or `CAPA-{year}-###`: `#` are the digits of a
    running number (their count is the minimum width), `{year}` the evaluation year."""

    text: str
    parts: tuple[str, ...] = field(compare=False, default=())

    @classmethod
    def parse(cls, text: str) -> IdPattern:
        """Parse and check a pattern; raise ValueError when it cannot give document ids."""
        numbers = re.findall(r"#+", text)
        if len(numbers) != 1:
            raise ValueError(f"id pattern {text!r} needs exactly one run of '#' (the number), "
                             "e.g. 'SOP-###' or 'CAPA-{year}-###'")
        if len(numbers[0]) > 9:
            raise ValueError(f"id pattern {text!r}: at most 9 '#'")
        pattern = cls(text, tuple(part for part in _PATTERN_PART.split(text)))
        sample = pattern.format(1, 2026)
        if not is_doc_id(sample) or re.search(r"\{|\}", _PATTERN_PART.sub("", text)):
            raise ValueError(f"id pattern {text!r} does not give ids such as {ID_PATTERN} "
                             "(capitals, digits, dashes; '#' for the number, {year})")
        return pattern

    def format(self, number: int, year: int) -> str:
        """The id with `number` (zero-padded to the width of `#`) and `year`."""
        width = len(re.search(r"#+", self.text).group())  # type: ignore[union-attr]
        text = self.text.replace("{year}", f"{year:04d}")
        return re.sub(r"#+", f"{number:0{width}d}", text, count=1)

    def regex(self, year: int) -> re.Pattern[str]:
        """A regular expression matching the ids of `year`, the number as group 1."""
        out = ""
        for piece in re.split(r"(#+|\{year\})", self.text):
            if piece == "{year}":
                out += f"{year:04d}"
            elif piece.startswith("#"):
                out += r"([0-9]+)"
            else:
                out += re.escape(piece)
        return re.compile(out)

    def next_free(self, taken: set[str], year: int) -> str:
        """The id after the highest number in use for `year` (numbering never reuses a
        number below it, so a deleted record's id is not handed out again)."""
        matcher = self.regex(year)
        numbers = [int(m.group(1)) for m in map(matcher.fullmatch, taken) if m]
        number = max(numbers, default=0) + 1
        candidate = self.format(number, year)
        while candidate in taken:  # pragma: no cover - only with hand-made odd ids
            number += 1
            candidate = self.format(number, year)
        return candidate


# ------------------------------------------------------------------------ schema

def _schema(contract: Contract) -> dict[str, Any]:
    models = [contract.models[kind] for kind in contract.kinds if kind != "process"]
    members: list[dict[str, Any]] = []
    definitions: dict[str, Any] = {}
    page_keys = TypeAdapter(PageKeys).json_schema(ref_template="#/$defs/{model}")
    for model in models:
        schema = TypeAdapter(model).json_schema(ref_template="#/$defs/{model}")
        definitions.update(schema.pop("$defs", {}))
        kind = model.model_fields["kind"].annotation
        schema["title"] = model.__name__ if not model.__name__.startswith("Kind_") else \
            contract.title(get_args(kind)[0] if get_args(kind) else "document")
        # MkDocs/Material page keys pass through; `x-` fields pass unchecked (the
        # organisation's own, like OpenAPI's extensions).
        schema.setdefault("properties", {}).update(page_keys["properties"])
        schema["patternProperties"] = {"^x-": {}}
        required = set(schema.get("required", []))
        for name in contract.required(get_args(kind)[0] if get_args(kind) else ""):
            required.add(name)
        schema["required"] = sorted(required)
        members.append(schema)
    schema_out: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "qmskit controlled document front matter",
        "oneOf": members,
    }
    if definitions:
        schema_out["$defs"] = definitions
    return schema_out


def front_matter_schema(contract: Contract | None = None) -> dict[str, Any]:
    """The JSON Schema of a controlled document's front matter, for editors and other
    tools: every kind of `contract` (the built-in contract by default), declared kinds
    and extra fields included."""
    return (contract or DEFAULT_CONTRACT).schema()
