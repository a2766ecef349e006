"""The one configuration, read by the CLI, the pre-commit hook and the site plugin alike.

It lives in `qmskit.toml` (top-level keys) or under `[tool.qmskit]` in `pyproject.toml`.
Unknown keys and bad values are a `ConfigError` (exit 2): a typo in a severity override
must not silently leave a rule at its default.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import tomllib
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from qmskit import fs
from qmskit.errors import ConfigError
from qmskit.model.clauses import (
    BUILTIN_FILES,
    DEFAULT_STANDARD,
    MAX_CATALOGUE_SIZE,
    STANDARD_NAME,
    Catalogue,
    Standard,
    Standards,
    builtin_named,
    default_standards,
    name_key,
    parse_catalogue,
    short_name,
)
from qmskit.model.documents import KIND_NAME_PATTERN, MODELS, PAGE_KEYS, Document
from qmskit.model.kinds import (
    DEFAULT_RISK_SCALE,
    DEFAULT_SEVERITIES,
    FIELD_NAME_PATTERN,
    Contract,
    ContractSpec,
    FieldType,
    IdPattern,
    KindSpec,
    contract_for,
)
from qmskit.model.types import KINDS, DocId, Interval, IntervalField
from qmskit.walk import folder_inside

RuleSetting = Literal["error", "warning", "off"]
#: A word of a configured vocabulary or the name of a risk band.
_WORD = r"^[a-z0-9][a-z0-9 _-]{0,39}$"

DEFAULT_FOLDERS = ("qms_docs", "procedures", "objectives")


def _interval(text: str) -> Interval:
    return Interval.parse(text)


#: A standard's name as the config writes it (`ISO 13485:2016`).
StandardName = Annotated[str, Field(min_length=1, max_length=80, pattern=rf"^{STANDARD_NAME}$")]


class CoverageConfig(BaseModel):
    """`[coverage]`: the standards a QMS is measured against and their exclusions (ISO 4.3).

    Present means clause coverage is checked (A601); absent means it is not, so a QMS
    that does not declare clauses is not flooded with findings. `standard` is the
    default standard (bare clause numbers in `clauses:` are its), `also` lists more;
    ISO 9001:2015 and ISO 13485:2016 are built in, any other needs its catalogue file
    under `catalogues`. Each exclusion needs a justification, because ISO 9001 4.3 (and
    ISO 13485 4.2.2, and a statement of applicability) asks for one.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Catalogue files the QMS ships: standard's name -> path inside a QMS folder. Listed
    #: first so that the names below can be checked against it.
    catalogues: dict[StandardName, Annotated[str, Field(min_length=1)]] = {}
    standard: StandardName = DEFAULT_STANDARD
    also: list[StandardName] = []
    #: Exclusions of the default standard: clause number -> justification.
    exclusions: dict[str, str] = {}
    #: Exclusions of any configured standard, by its name (full or short).
    exclusions_by_standard: dict[StandardName, dict[str, str]] = {}
    #: Where the table is written (file relative to the root, line), for located findings;
    #: set by `load_config`, not by users.
    _source: tuple[str, int] = PrivateAttr(default=("qmskit.toml", 1))
    #: The repository root catalogue files are read from; set by `load_config`.
    _root: str | None = PrivateAttr(default=None)
    _standards: Standards | None = PrivateAttr(default=None)

    @field_validator("standard")
    @classmethod
    def _known_standard(cls, name: str, info: ValidationInfo) -> str:
        return _known_name(name, info.data.get("catalogues", {}))

    @field_validator("also")
    @classmethod
    def _known_standards(cls, names: list[str], info: ValidationInfo) -> list[str]:
        return [_known_name(name, info.data.get("catalogues", {})) for name in names]

    @model_validator(mode="after")
    def _consistent(self) -> CoverageConfig:
        configured = [self.standard, *self.also]
        seen: dict[str, str] = {}
        for name in configured:
            key = name_key(short_name(name))
            if key in seen:
                raise ValueError(f"{seen[key]!r} and {name!r} are both configured; "
                                 "`clauses:` names a standard without its year, so "
                                 "configure one edition")
            seen[key] = name
        keys = {name_key(n) for n in configured}
        for name in self.catalogues:
            if name_key(name) not in keys:
                raise ValueError(f"catalogues: {name!r} is not a configured standard; add "
                                 "it to `also` (or make it the `standard`)")
        for name in self.exclusions_by_standard:
            if name_key(name) not in keys and name_key(name) not in seen:
                raise ValueError(f"exclusions_by_standard: {name!r} is not a configured "
                                 f"standard ({', '.join(configured)})")
        if not self.catalogues:
            # Built-in catalogues only: everything can be checked now.
            self._standards = self._resolve({})
        return self

    def _resolve(self, files: dict[str, Catalogue]) -> Standards:
        """The configured standards with their catalogues and checked exclusions.

        `files` holds the catalogues read from the QMS, by configured name. Raises
        ValueError for an exclusion that cannot stand.
        """
        members = []
        for index, name in enumerate([self.standard, *self.also]):
            catalogue = files.get(name) or builtin_named(name)
            assert catalogue is not None, name  # names were checked against both
            exclusions = dict(self.exclusions) if index == 0 else {}
            for key, table in self.exclusions_by_standard.items():
                if name_key(key) in (name_key(name), name_key(short_name(name))):
                    for number, why in table.items():
                        if number in exclusions and exclusions[number] != why:
                            raise ValueError(f"{number} of {name} is excluded twice")
                        exclusions[number] = why
            for number, why in exclusions.items():
                _check_exclusion(catalogue, number, why)
            members.append(Standard(catalogue, exclusions))
        return Standards(tuple(members))

    @property
    def standards(self) -> Standards:
        """The configured standards, default first, catalogue files read on first use."""
        if self._standards is None:
            self._standards = self._load()
        return self._standards

    def _load(self) -> Standards:
        if self._root is None:
            raise ConfigError("[coverage] names catalogue files, but the config was not "
                              "read from a repository (use load_config)")
        root = fs.Root(self._root)
        files: dict[str, Catalogue] = {}
        where = f"{self._source[0]}: [coverage.catalogues]"
        for name, path in self.catalogues.items():
            try:
                data = root.read(path, MAX_CATALOGUE_SIZE, where=path)
            except fs.PathError as error:
                raise ConfigError(f"{where} {name!r}: {error}") from None
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ConfigError(f"{where} {name!r}: {path} is not UTF-8 text") from None
            catalogue = parse_catalogue(text, path)
            if name_key(catalogue.name) != name_key(name):
                raise ConfigError(f"{path}:{_standard_line(text)}:1: this catalogue is of "
                                  f"{catalogue.name!r}, but [coverage.catalogues] names it "
                                  f"{name!r}; make the two names the same")
            files[name] = catalogue
        try:
            return self._resolve(files)
        except ValueError as error:
            raise ConfigError(f"{self._source[0]}: invalid qmskit configuration\n"
                              f"  coverage: {error}") from None

    @property
    def source(self) -> tuple[str, int]:
        """(config file relative to the root, line of the `[coverage]` table)."""
        return self._source


def _known_name(name: str, catalogues: dict[str, str]) -> str:
    """`name` as its catalogue spells it, if it has a catalogue file or is built in;
    ValueError naming the choices."""
    for known in catalogues:
        if name_key(name) == name_key(known):
            return known
    catalogue = builtin_named(name)
    if catalogue is not None:
        return catalogue.name
    choices = [*BUILTIN_FILES, *catalogues]
    close = difflib.get_close_matches(name, choices, 1, 0.5)
    raise ValueError(f"{name!r} is not a standard qmskit knows"
                     + (f" (did you mean {close[0]!r}?)" if close else "")
                     + f"; built in: {', '.join(BUILTIN_FILES)}; for another standard, name "
                     "its catalogue file under [coverage.catalogues]")


def _check_exclusion(catalogue: Catalogue, number: str, why: str) -> None:
    if not catalogue.is_known(number):
        near = catalogue.suggest(number)
        raise ValueError(f"{number!r} is not a clause of {catalogue.name}"
                         + (f"; did you mean {near!r}?" if near else ""))
    if "." not in number and catalogue.has_sub_clauses(number):
        raise ValueError(f"clause {number} of {catalogue.name} cannot be excluded as a "
                         "whole; exclude the sub-clauses that cannot be applied")
    if not why.strip():
        raise ValueError(f"the exclusion of {number} needs a justification "
                         "(ISO 9001 4.3)")


def _standard_line(text: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("standard"):
            return number
    return 1


#: A language as mkdocs-static-i18n names it (`en`, `de`, `pt-BR`, `zh-Hant`): the suffix
#: of a translated file (`X.de.md`) or the folder of a language (`de/X.md`).
LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2,3}([_-][A-Za-z0-9]{2,8})*$")]


class TranslationsConfig(BaseModel):
    """`[translations]`: the handbook is written in several languages (mkdocs-static-i18n).

    A translation is the same document as its default-language file, never a second
    one: with `structure = "suffix"`, `X.de.md` translates `X.md`; with `"folder"`,
    `de/X.md` translates `en/X.md` (the first folder named after a language). Controlled
    fields come from the default-language file (see `qmskit.translations`). `qmskit
    adopt` writes this table from the i18n plugin's settings in mkdocs.yml.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    languages: Annotated[list[LanguageCode], Field(min_length=1)]
    #: The language whose file holds the controlled fields; default: the first listed.
    default: LanguageCode | None = None
    structure: Literal["suffix", "folder"] = "suffix"

    @model_validator(mode="after")
    def _default_is_listed(self) -> TranslationsConfig:
        if len(set(self.languages)) != len(self.languages):
            raise ValueError("languages: each language once")
        if self.default is not None and self.default not in self.languages:
            raise ValueError(f"default {self.default!r} is not one of languages "
                             f"{self.languages}")
        return self

    @property
    def default_language(self) -> str:
        """The language of the files that hold the controlled fields."""
        return self.default or self.languages[0]


_Percent = Annotated[float, Field(ge=0, le=100, strict=True)]
_Count = Annotated[int, Field(ge=0, le=10_000, strict=True)]


class HealthConfig(BaseModel):
    """`[health]`: the thresholds of `qmskit health`'s five signs.

    Each is the line between "this sign of compliance mode is present" and "it is not".
    The defaults and their reasons suit a small manufacturer; a team sets its own when its
    audit notice, review rhythm or size differs, and `qmskit health --fail-on compliance`
    then holds it to them in CI. Percentages are 0-100.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Sign 1. How long before an audit the pre-audit rush starts: six weeks is when audit
    #: plans go out (two weeks' notice) plus the usual month of "getting ready".
    pre_audit_weeks: Annotated[int, Field(ge=1, le=26, strict=True)] = 6
    #: Sign 1. Share of activity in the pre-audit weeks divided by their share of the
    #: year, at most. 1.0 is an even spread; 1.5 tolerates a normal run-up (finishing
    #: actions before the auditor checks them) but not a system that sleeps in between.
    max_pre_audit_concentration: Annotated[float, Field(ge=1, le=100, strict=True)] = 1.5
    #: Sign 1. Months (of the last 12) in which someone reviewed or changed the system, at
    #: least. Nine allows for holidays and a quiet quarter.
    min_active_months: Annotated[int, Field(ge=0, le=12, strict=True)] = 9
    #: Sign 2. Management reviews in 12 months, at least. ISO accepts one; a single yearly
    #: review, typically just before the surveillance audit, is the compliance pattern.
    min_reviews: _Count = 2
    #: Sign 2. Share of reviews attended by top management (ISO 9001 9.3.1).
    min_top_attendance: _Percent = 100.0
    #: Sign 2. Share of reviews whose decisions became actions (ISO 9001 9.3.3 outputs).
    min_reviews_with_actions: _Percent = 100.0
    #: Sign 2. Share of the twelve ISO 9.3.2 inputs backed by linked records, on average:
    #: half means the review looked at the system's own data.
    min_evidenced_inputs: _Percent = 50.0
    #: Sign 3. Shares of KPIs and objectives traced to strategy. One in ten in transition
    #: is normal; more means numbers nobody steers by.
    min_traced: _Percent = 90.0
    #: Sign 3. Share of KPIs whose latest period is recorded in time.
    min_current_data: _Percent = 90.0
    #: Sign 4. Share of actions raised from the organisation's own monitoring (KPI
    #: trends, risks, management review, ideas) rather than from nonconformities and audits.
    min_proactive: _Percent = 40.0
    #: Sign 5. People beyond the quality team who took part in 12 months (see
    #: `qmskit.domain.health.sign_ownership`): three is a small company's process owners.
    min_people_beyond: _Count = 3
    #: Sign 5. Share of the roles beyond the quality team that took part in 12 months.
    min_roles_beyond: _Percent = 50.0


class VocabularyConfig(BaseModel):
    """`[vocabulary]`: the organisation's own words for fields with a fixed set of values.

    Defaults are today's contract, so a QMS without the table is checked as before.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: The values `severity:` of a nonconformity may take, e.g. critical, major, minor,
    #: observation (from the nonconformity procedure).
    nonconformity_severity: list[Annotated[str, Field(pattern=_WORD)]] = Field(
        default=list(DEFAULT_SEVERITIES), min_length=1)
    #: The values `type:` of a `kind: document` may take; empty = any text.
    document_type: list[Annotated[str, Field(pattern=_WORD)]] = []

    @field_validator("nonconformity_severity", "document_type")
    @classmethod
    def _distinct(cls, words: list[str]) -> list[str]:
        repeated = sorted({word for word in words if words.count(word) > 1})
        if repeated:
            raise ValueError(f"{', '.join(repeated)} listed twice")
        return words


class RiskConfig(BaseModel):
    """`[risk]`: the organisation's risk matrix (ISO 9001 6.1: its own method).

    `scale` bounds likelihood and impact (1..scale). `bands` name ranges of the score
    (likelihood x impact) in ascending order, together covering 1..scale²; `treat_from`
    names the band from which a risk needs a treatment action (R504).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    scale: Annotated[int, Field(ge=2, le=10, strict=True)] = DEFAULT_RISK_SCALE
    bands: dict[Annotated[str, Field(pattern=_WORD)],
                tuple[Annotated[int, Field(strict=True, ge=1)],
                      Annotated[int, Field(strict=True, ge=1)]]] = {}
    treat_from: str | None = None

    @model_validator(mode="after")
    def _bands_cover_the_matrix(self) -> RiskConfig:
        top = self.scale * self.scale
        expected = 1
        for name, (low, high) in self.bands.items():
            if low != expected or high < low:
                raise ValueError(f"bands: {name} = [{low}, {high}] should start at {expected} "
                                 "(bands are listed in ascending order, without gaps or "
                                 "overlaps)")
            expected = high + 1
        if self.bands and expected != top + 1:
            raise ValueError(f"bands end at {expected - 1}; the highest score on a "
                             f"{self.scale}x{self.scale} matrix is {top}")
        if self.treat_from is not None and self.treat_from not in self.bands:
            names = ", ".join(self.bands) or "none defined"
            raise ValueError(f"treat_from = {self.treat_from!r} names no band ({names})")
        return self

    def band_of(self, score: int) -> str | None:
        """The name of the band `score` falls in, None without bands."""
        for name, (low, high) in self.bands.items():
            if low <= score <= high:
                return name
        return None


class KindConfig(BaseModel):
    """`[kinds.NAME]`: extra fields of a built-in kind, or a kind the QMS declares.

    For a built-in kind only `fields`, `required` (of those fields), `folder`,
    `id_pattern` and `title` may be set: its links are part of the contract. A declared
    kind adds `links` (link field -> kinds it may name), `due` (a date field that falls
    due like a review) and `traced` (whether the traceability rules apply to it).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    folder: Annotated[str, Field(min_length=1)] | None = None
    fields: dict[str, FieldType] = {}
    links: dict[str, list[str]] = {}
    required: list[str] = []
    due: str | None = None
    id_pattern: str | None = None
    traced: Annotated[bool, Field(strict=True)] = False
    title: Annotated[str, Field(min_length=1, max_length=100)] | None = None

    @field_validator("id_pattern")
    @classmethod
    def _pattern(cls, text: str | None) -> str | None:
        if text is not None:
            IdPattern.parse(text)
        return text


class Config(BaseModel):
    """Settings for one QMS repository; every field has a default that suits a small company."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    folders: list[Annotated[str, Field(min_length=1)]] = list(DEFAULT_FOLDERS)
    exclude: list[str] = []
    today: date | None = None
    review_window: IntervalField = _interval("30 days")
    review_interval: dict[str, IntervalField] = {"default": _interval("12 months")}
    kpi_grace: dict[Literal["weekly", "monthly", "quarterly", "yearly"], IntervalField] = {
        "weekly": _interval("3 days"),
        "monthly": _interval("15 days"),
        "quarterly": _interval("30 days"),
        "yearly": _interval("60 days"),
    }
    # Numbers and switches are strict: `cache = "yes"` is a typo to report, not a truthy
    # string to guess at.
    max_file_size: Annotated[int, Field(ge=1024, le=100_000_000, strict=True)] = 2_000_000
    #: Bytes a data file may have that grows with the organisation rather than with one
    #: document: the acknowledgement ledger (45,000 rows at 10,000 documents is ~2 MB).
    max_data_size: Annotated[int, Field(ge=1024, le=1_000_000_000, strict=True)] = 100_000_000
    cache: Annotated[bool, Field(strict=True)] = True
    rules: dict[str, RuleSetting] = {}
    # Records (rules R5xx, `qmskit health`, the management review pack).
    #: Longest time a process may go without an internal audit (R505).
    audit_interval: IntervalField = _interval("12 months")
    #: Longest time between two management reviews (R506; ISO practice: at least yearly).
    management_review_interval: IntervalField = _interval("12 months")
    #: likelihood x impact (each 1-5) at or above which a risk is high and needs a treatment
    #: action (R504), unless `[risk]` names bands and `treat_from`.
    high_risk_score: Annotated[int, Field(ge=1, le=25, strict=True)] = 12
    #: The organisation's risk matrix; None = 1-5 x 1-5 with `high_risk_score`.
    risk: RiskConfig | None = None
    #: The organisation's vocabularies (nonconformity severities, document types).
    vocabulary: VocabularyConfig = VocabularyConfig()
    #: Extra fields of built-in kinds, and the kinds the QMS declares, by kind name.
    kinds: dict[str, KindConfig] = {}
    #: The quality team's roles, for `qmskit health` ("beyond the quality team"); empty means
    #: detected: the roles owning the audit records, and the roles reporting to them.
    quality_roles: list[DocId] = []
    #: The thresholds of `qmskit health` (`[health]`).
    health: HealthConfig = HealthConfig()
    # Audit readiness (rules A6xx, `qmskit coverage`, `qmskit ack`).
    #: Clause coverage against ISO 9001; None (no `[coverage]` table) = not checked.
    coverage: CoverageConfig | None = None
    #: Days after a version's approval within which its readers must acknowledge it (A603).
    ack_days: Annotated[int, Field(ge=1, le=3650, strict=True)] = 30
    #: The read-and-understood ledger (CSV), relative to the root; default
    #: FIRST_FOLDER/acknowledgements.csv. It must lie in one of `folders`.
    ack_ledger: Annotated[str, Field(min_length=1)] | None = None
    #: Translated pages (mkdocs-static-i18n); None = one language, every file a document.
    translations: TranslationsConfig | None = None

    #: Where the config was read from, for messages about its values; set by `parse_config`.
    _source: str = PrivateAttr(default="qmskit.toml")
    _contract: Contract | None = PrivateAttr(default=None)

    @property
    def contract(self) -> Contract:
        """The front-matter contract this config shapes: the model of every kind,
        declared kinds and extra fields included (see `qmskit.model.kinds`)."""
        if self._contract is None:
            self._contract = contract_for(self.contract_spec())
        return self._contract

    def contract_spec(self) -> ContractSpec:
        """The parts of the config that shape the contract, as plain hashable data."""
        kinds = tuple(
            KindSpec(name, tuple(kind.fields.items()),
                     tuple((link, tuple(targets)) for link, targets in kind.links.items()),
                     tuple(kind.required), kind.due, kind.traced, kind.title, kind.folder,
                     kind.id_pattern)
            for name, kind in sorted(self.kinds.items()))
        return ContractSpec(kinds, tuple(self.vocabulary.nonconformity_severity),
                            tuple(self.vocabulary.document_type),
                            self.risk.scale if self.risk else DEFAULT_RISK_SCALE)

    @property
    def treatment_threshold(self) -> int:
        """The risk score from which a risk needs a treatment action (R504): the lower
        bound of `[risk] treat_from`'s band, else `high_risk_score`."""
        if self.risk is not None and self.risk.treat_from is not None:
            return self.risk.bands[self.risk.treat_from][0]
        return self.high_risk_score

    def risk_band(self, score: int | None) -> str | None:
        """The configured band a risk score falls in (e.g. "high"), None without bands."""
        if score is None or self.risk is None:
            return None
        return self.risk.band_of(score)

    @model_validator(mode="after")
    def _kinds_fit_the_contract(self) -> Config:
        if self.risk is not None and self.risk.treat_from is not None \
                and "high_risk_score" in self.model_fields_set:
            raise ValueError("high_risk_score and [risk] treat_from both set the score that "
                             "needs treatment; keep one of them")
        check_kinds(self.kinds, self.folders)
        known = {*KINDS, *self.kinds}
        for kind in self.review_interval:
            if kind != "default" and kind not in known:
                raise ValueError(f"review_interval: unknown kind {kind!r}; use one of: "
                                 f"default, {', '.join(sorted(known))}")
        return self

    @property
    def source(self) -> str:
        """The config file (and table) the settings came from, for error messages."""
        return self._source

    @model_validator(mode="after")
    def _ledger_inside_folders(self) -> Config:
        # Inside a QMS folder the result cache sees the ledger change; outside, a stale
        # check result could hide an acknowledgement that is owed.
        if self.ack_ledger is not None:
            if "\0" in self.ack_ledger:
                raise ValueError(f"ack_ledger {self.ack_ledger!r} contains a NUL byte")
            pure = PurePosixPath(self.ack_ledger)
            inside = any(pure.is_relative_to(PurePosixPath(folder)) for folder in self.folders)
            if pure.is_absolute() or ".." in pure.parts or not inside:
                raise ValueError(f"ack_ledger {self.ack_ledger!r} must be a relative path "
                                 "inside one of the QMS folders")
        return self

    @model_validator(mode="after")
    def _catalogues_inside_folders(self) -> Config:
        # Inside a QMS folder, a catalogue file is a file of the QMS like any other: the
        # result cache sees it change and `qmskit diff` reads it at each revision.
        for name, path in (self.coverage.catalogues if self.coverage else {}).items():
            pure = PurePosixPath(path)
            if ("\0" in path or any(ord(c) < 32 for c in path) or pure.is_absolute()
                    or ".." in pure.parts or not any(
                        pure.is_relative_to(PurePosixPath(f)) for f in self.folders)):
                raise ValueError(f"coverage.catalogues: the catalogue of {name!r}, {path!r}, "
                                 "must be a relative path inside one of the QMS folders "
                                 f"({', '.join(self.folders)})")
        return self

    @property
    def standards(self) -> Standards:
        """The standards clause coverage follows: `[coverage]`'s, or ISO 9001:2015 alone
        (not configured) without the table."""
        return self.coverage.standards if self.coverage is not None else default_standards()

    @property
    def default_standard(self) -> str:
        """The name of the standard bare clause numbers belong to (no file is read)."""
        return self.coverage.standard if self.coverage is not None else DEFAULT_STANDARD

    @property
    def ledger_path(self) -> str:
        """The acknowledgement ledger's path relative to the root."""
        if self.ack_ledger is not None:
            return self.ack_ledger
        first = self.folders[0].strip("/") if self.folders else ""
        return f"{first}/acknowledgements.csv" if first else "acknowledgements.csv"

    @field_validator("folders")
    @classmethod
    def _folders_stay_inside(cls, folders: list[str]) -> list[str]:
        # A folder such as ../other would let a check read files outside the repository.
        for folder in folders:
            if "\0" in folder:  # no file system takes it; every later use would crash
                raise ValueError(f"folder {folder!r} contains a NUL byte")
            pure = PurePosixPath(folder)
            if pure.is_absolute() or ".." in pure.parts:
                raise ValueError(f"folder {folder!r} must be a relative path inside the repository")
            if any(ord(char) < 32 or ord(char) == 127 for char in folder):
                raise ValueError(f"folder {folder!r} contains a control character (such as "
                                 "a line break); write the folder's name")
        return folders

    @field_validator("review_interval")
    @classmethod
    def _default_interval(cls, intervals: dict[str, Interval]) -> dict[str, Interval]:
        # Kinds are checked once `kinds` (declared kinds) is known: `_kinds_fit_the_contract`.
        return {"default": _interval("12 months"), **intervals}

    def interval_for(self, kind: str) -> Interval:
        """The review interval a document of `kind` gets when it names none itself."""
        return self.review_interval.get(kind) or self.review_interval["default"]


_KIND_NAME = re.compile(KIND_NAME_PATTERN)
_FIELD_NAME = re.compile(FIELD_NAME_PATTERN)


def check_kinds(kinds: dict[str, KindConfig], folders: list[str]) -> None:
    """Raise ValueError when `[kinds.*]` does not fit the contract: a kind name, a field
    that shadows a built-in one, a link to an unknown kind, a built-in kind's links
    redefined, a `due` that is not a date field, a folder outside the QMS folders."""
    known = {*KINDS, *kinds}
    common = set(Document.model_fields) | set(PAGE_KEYS)
    for name, kind in kinds.items():
        where = f"kinds.{name}"
        if not _KIND_NAME.match(name):
            raise ValueError(f"{where}: a kind name is lower case letters, digits, '-' and "
                             "'_', starting with a letter (e.g. supplier)")
        builtin = name in KINDS
        if builtin:
            for key in ("links", "due", "traced"):
                if key in kind.model_fields_set:
                    raise ValueError(f"{where}.{key}: {name} is a built-in kind; its links "
                                     "and rules are part of the contract and cannot be "
                                     "redefined (declare a kind of your own instead)")
            if name == "register" and kind.fields:
                raise ValueError(f"{where}.fields: a register's rows carry the fields of "
                                 "the kind they record, not the register")
        taken = common | (set(MODELS[name].model_fields) if builtin else set())
        for field_name in (*kind.fields, *kind.links):
            if not _FIELD_NAME.match(field_name):
                raise ValueError(f"{where}: field {field_name!r}: a field name is lower case "
                                 "letters, digits and '_', starting with a letter")
            if field_name in taken:
                raise ValueError(f"{where}: field {field_name!r} is already a field of "
                                 f"{'every document' if field_name in common else name}; "
                                 "choose another name")
        both = set(kind.fields) & set(kind.links)
        if both:
            raise ValueError(f"{where}: {', '.join(sorted(both))} is both a field and a link")
        for link, targets in kind.links.items():
            if not targets:
                raise ValueError(f"{where}.links.{link}: list the kinds it may name")
            for target in targets:
                if target not in known:
                    close = difflib.get_close_matches(target, sorted(known), 1)
                    raise ValueError(f"{where}.links.{link}: unknown kind {target!r}"
                                     + (f"; did you mean {close[0]!r}?" if close else ""))
        for required in kind.required:
            if required not in kind.fields and required not in kind.links:
                raise ValueError(f"{where}.required: {required!r} is not one of its fields "
                                 "or links")
        if kind.due is not None and kind.fields.get(kind.due) != "date":
            raise ValueError(f"{where}.due: {kind.due!r} must name one of its fields of "
                             "type date")
        if kind.folder is not None:
            _check_folder_value(kind.folder, f"{where}.folder")
            pure = PurePosixPath(kind.folder)
            if not any(pure.is_relative_to(PurePosixPath(folder)) for folder in folders):
                raise ValueError(f"{where}.folder: {kind.folder!r} is not inside the QMS "
                                 f"folders ({', '.join(folders)}); move it or add it to "
                                 "`folders`")


def _check_folder_value(folder: str, where: str) -> None:
    if "\0" in folder or any(ord(char) < 32 or ord(char) == 127 for char in folder):
        raise ValueError(f"{where}: {folder!r} contains a control character")
    pure = PurePosixPath(folder)
    if pure.is_absolute() or ".." in pure.parts:
        raise ValueError(f"{where}: {folder!r} must be a relative path inside the repository")


def _format_validation_error(source: str, error: ValidationError) -> str:
    lines = [f"{source}: invalid qmskit configuration"]
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "(top level)"
        message = ("unknown key" if item["type"] == "extra_forbidden"
                   else str(item["msg"]).removeprefix("Value error, "))
        lines.append(f"  {where}: {message}")
    return "\n".join(lines)


def parse_config(data: dict[str, Any], source: str) -> Config:
    """Validate a config mapping. Rule keys (codes such as T309 or names such as
    role-owns-nothing) are resolved where rules are selected, `qmskit.rules.checker`."""
    try:
        config = Config.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_format_validation_error(source, error)) from None
    config._source = source
    return config


def _read_toml(path: Path, root: Path | None) -> dict[str, Any] | None:
    """The TOML document at `path`; None when there is no file there at all.

    Anything else that is not a regular file (a folder, a FIFO, a symlink to nothing)
    is a ConfigError rather than "no config": skipping it silently would run the check
    with defaults the user never chose. A discovered config (`root` given) must stay
    inside the repository once symlinks are resolved; it is opened without blocking, so
    a FIFO cannot hang the run.
    """
    try:
        os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read config: {error.strerror}") from None
    if root is not None and not Path(os.path.realpath(path)).is_relative_to(
            os.path.realpath(root)):
        raise ConfigError(f"{path}: is a symlink to outside the repository; keep the config "
                          "in the repository")
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise ConfigError(f"{path}: is a symlink to a file that does not exist") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read config: {error.strerror}") from None
    info = os.fstat(handle)
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_CONFIG_SIZE:
        os.close(handle)
        if stat.S_ISDIR(info.st_mode):
            raise ConfigError(f"{path}: is a folder, not a config file")
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"{path}: is not a regular file (a FIFO or a device); "
                              "replace it with the TOML config")
        raise ConfigError(f"{path}: is {info.st_size:,} bytes; a config is a few lines")
    with os.fdopen(handle, "rb") as stream:
        try:
            return tomllib.load(stream)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path}: not valid TOML: {error}") from None
        except OSError as error:
            raise ConfigError(f"{path}: cannot read config: {error.strerror}") from None


#: Larger config files are refused (bounded reads).
MAX_CONFIG_SIZE = 1_000_000


def load_config(root: Path, explicit: Path | None = None, *,
                require_folders: bool = True) -> tuple[Config, Path | None]:
    """Find and read the config for `root`: an explicit file, qmskit.toml, or pyproject.toml.

    With `require_folders` (every command on a work tree; not a past revision, whose
    folders git may not have), a configured folder that does not exist is a
    ConfigError, and so is a QMS where none of the default folders exists: a check of
    nothing must not pass as a clean check.
    """
    candidates = [explicit] if explicit else [root / "qmskit.toml", root / "pyproject.toml"]
    for path in candidates:
        if path is None:
            continue
        document = _read_toml(path, None if explicit else root)
        if document is None:
            if explicit is not None:
                raise ConfigError(f"{explicit}: config file not found")
            continue
        if path.name == "pyproject.toml":
            section = document.get("tool", {}).get("qmskit")
            if section is None:
                continue
            if not isinstance(section, dict):
                raise ConfigError(f"{path}: [tool.qmskit] must be a table")
            config = parse_config(section, f"{path.name} [tool.qmskit]")
            config = _locate_coverage(config, root, path, "tool.qmskit.coverage")
        else:
            config = _locate_coverage(parse_config(document, path.name), root, path,
                                      "coverage")
        if require_folders:
            _require_folders(config, root)
        if config.coverage is not None:
            config.coverage._root = str(root)
            if require_folders:
                # Read and check the catalogue files now (exit 2 before any work). A past
                # revision (`qmskit diff`) reads them on first use, once its files are out.
                config.coverage.standards  # noqa: B018
        return config, path
    config = Config()
    if require_folders:
        _require_folders(config, root)
    return config, None


def _require_folders(config: Config, root: Path) -> None:
    """Raise ConfigError when the folders the check would read are not there."""
    if "folders" in config.model_fields_set:
        missing = [f for f in config.folders if folder_inside(root, f) is None]
        if missing:
            present = sorted(entry.name for entry in _subfolders(root))
            hints = []
            for folder in missing:
                close = difflib.get_close_matches(folder, present, 1)
                hints.append(f"{folder!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
            raise ConfigError(f"{config.source}: folders: {', '.join(hints)} "
                              f"{'is not a folder' if len(missing) == 1 else 'are not folders'}"
                              f" in {root}; fix the name or create the folder")
        return
    if all(folder_inside(root, f) is None for f in config.folders):
        raise ConfigError(f"{root}: no QMS here: none of the folders {', '.join(config.folders)}"
                          " exists; set `folders` in qmskit.toml to where the controlled "
                          "documents are, or start one with `qmskit init`")


def _subfolders(root: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(root) as entries:
            return [e for e in entries if e.is_dir() and not e.name.startswith(".")]
    except OSError:
        return []


def _locate_coverage(config: Config, root: Path, path: Path, table: str) -> Config:
    """Record where the `[coverage]` table is written, so coverage findings are located."""
    if config.coverage is None:
        return config
    import re

    try:
        relative = path.absolute().relative_to(root.absolute()).as_posix()
    except ValueError:
        relative = str(path)
    pattern = re.compile(r"^\s*(\[\s*" + re.escape(table).replace(r"\.", r"\s*\.\s*")
                         + r"\s*[\].]|" + re.escape(table.rsplit(".", 1)[-1]) + r"\s*=)")
    line = 1
    try:
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.match(text):
                line = number
                break
    except (OSError, UnicodeDecodeError):  # pragma: no cover - it was just read
        pass
    config.coverage._source = (relative, line)
    return config


def evaluation_date(config: Config, override: date | None = None) -> date:
    """The evaluation date: `override` (`--today`), the config's `today`, `QMSKIT_TODAY`,
    or the real date; fixed dates make results reproducible in tests and CI."""
    if override is not None:
        return override
    if config.today is not None:
        return config.today
    env = os.environ.get("QMSKIT_TODAY")
    if env:
        try:
            return date.fromisoformat(env)
        except ValueError:
            raise ConfigError(f"QMSKIT_TODAY={env!r} is not a date (YYYY-MM-DD)") from None
    return date.today()
