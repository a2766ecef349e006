"""Pydantic models of the front-matter contract, one per document kind.

`extra="forbid"` turns a misspelt field into a located finding instead of a silently
ignored value; that is the point of validating hand-written YAML at all. Links are typed
as ids here and resolved against the whole repository later, in the graph.
"""

from __future__ import annotations

from datetime import date as Date  # noqa: N812 - `date` is also a field name
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from qmskit.model.clauses import ClauseList
from qmskit.model.types import (
    ActionSource,
    ActionType,
    AuditType,
    Direction,
    DocId,
    EffectivenessResult,
    Frequency,
    Handle,
    IntervalField,
    NonconformitySeverity,
    NonconformitySource,
    ReviewInputKey,
    RiskType,
    Status,
    Title,
    VersionField,
)


class ReviewInfo(BaseModel):
    """ISO 9001 7.5.2: when the document was last reviewed, how often, and by whom."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    last: Date | None = None
    interval: IntervalField | None = None
    by: DocId | None = None


class Document(BaseModel):
    """Fields every controlled document carries (ISO 9001 7.5 control of documented information)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    #: Link fields of this kind: field name -> kinds a link may point to.
    links: ClassVar[dict[str, frozenset[str]]] = {}

    id: DocId
    kind: str
    title: Title
    owner: DocId | None = None
    status: Status
    version: VersionField | None = None
    approved_by: DocId | None = None
    approved_on: Date | None = None
    #: The version `approved_by` approved on `approved_on`. A version raised after that is
    #: pending approval; without this field the approval is taken to be of the current
    #: version (see `qmskit.domain.versions`).
    approved_version: VersionField | None = None
    review: ReviewInfo | None = None
    #: Clauses addressed: `["8.4"]` (default standard), `["ISO 13485:7.3.2"]`, or
    #: `{ "ISO 27001": ["A.5.1"] }` (see `qmskit.model.clauses`).
    clauses: ClauseList = []
    superseded_by: DocId | None = None

    # --- Identity and release (issue 13) ------------------------------------------------
    #: Ids this document had before a renumbering: links to them still resolve here, with
    #: a warning suggesting the current id (L205), so closed records need no edit.
    former_ids: tuple[DocId, ...] = ()
    #: The date the approved version takes effect (it may be later than `approved_on`,
    #: e.g. after training); shown with the approval.
    effective: Date | None = None

    #: Extra fields the QMS declared for this kind in config (`[kinds.KIND] fields`):
    #: field name -> type (text, number, date, bool, list); see `qmskit.model.kinds`.
    declared_fields: ClassVar[dict[str, str]] = {}
    #: Link fields along which a document of this kind is traced to strategy (declared
    #: kinds with `traced = true`); built-in kinds trace through supports/measures.
    trace_links: ClassVar[frozenset[str]] = frozenset()
    #: A declared date field that falls due like a review (`[kinds.KIND] due`; C408, C409).
    due_field: ClassVar[str | None] = None


def without_extensions(data: dict[str, Any]) -> dict[str, Any]:
    """Front matter without its `x-` fields (`data` itself when it has none). They
    belong to the organisation (like OpenAPI's extensions): they pass unchecked and are
    not part of the model, so every other unknown field is still a finding. The loader
    strips them when a document fails validation (a model validator would cost a third
    of the validation of every document)."""
    if not any(key.startswith("x-") for key in data if isinstance(key, str)):
        return data
    return {k: v for k, v in data.items() if not (isinstance(k, str) and k.startswith("x-"))}


class PageKeys(BaseModel):
    """Front-matter keys MkDocs and Material for MkDocs (and mkdocs-macros) read from a
    page. They pass through to the page and qmskit does not interpret them, so they are
    not part of a document's model: the loader checks them as YAML data when a document
    has any (`hide: toc` instead of a list is D102) and leaves them to the site builder.
    qmskit owns `status`; the plugin hands it to the page as `qms_status`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    hide: list[Annotated[str, Field(max_length=40)]] | None = None
    tags: list[str | int | float] | None = None
    description: Annotated[str, Field(max_length=2000)] | None = None
    icon: Annotated[str, Field(max_length=200)] | None = None
    subtitle: Annotated[str, Field(max_length=300)] | None = None
    template: Annotated[str, Field(max_length=400)] | None = None
    search: dict[str, Any] | None = None
    social: dict[str, Any] | None = None
    comments: bool | None = None
    render_macros: bool | None = None


#: Front-matter keys MkDocs and Material for MkDocs read from a page; they pass through.
PAGE_KEYS: frozenset[str] = frozenset(PageKeys.model_fields)


_PROCESS_KINDS = frozenset({"procedure", "process"})
_ROLE = frozenset({"role"})


class Strategy(Document):
    """A strategic priority of top management (ISO 9001 4.1, 5.1)."""

    kind: Literal["strategy"]
    horizon: str | None = None


class Objective(Document):
    """A quality objective (ISO 9001 6.2): supports a strategy, is measured by KPIs."""

    links: ClassVar[dict[str, frozenset[str]]] = {"supports": frozenset({"strategy"})}

    kind: Literal["objective"]
    supports: list[DocId] = []
    target: str | float | None = None
    due: Date | None = None


class Procedure(Document):
    """A process or documented procedure (ISO 9001 4.4, 8)."""

    links: ClassVar[dict[str, frozenset[str]]] = {
        "supports": frozenset({"objective"}) | _PROCESS_KINDS,
        "inputs": _PROCESS_KINDS,
        "outputs": _PROCESS_KINDS,
        "risks": frozenset({"risk"}),
        "applies_to": _ROLE,
    }

    kind: Literal["procedure", "process"]
    supports: list[DocId] = []
    inputs: list[DocId] = []
    outputs: list[DocId] = []
    risks: list[DocId] = []
    applies_to: list[DocId] = []


class Kpi(Document):
    """A key performance indicator (ISO 9001 9.1) with its measurements in a CSV file."""

    links: ClassVar[dict[str, frozenset[str]]] = {
        "measures": frozenset({"objective"}) | _PROCESS_KINDS,
    }

    kind: Literal["kpi"]
    measures: list[DocId] = []
    unit: Annotated[str, Field(max_length=40)] | None = None
    direction: Direction = "higher"
    target: float | None = None
    warn_at: float | None = None
    frequency: Frequency = "monthly"
    data: Annotated[str, Field(min_length=1, max_length=400)] | None = None

    @model_validator(mode="after")
    def _warn_at_on_bad_side(self) -> Kpi:
        # A threshold on the good side of the target would turn every amber into green.
        if self.target is not None and self.warn_at is not None:
            if self.direction == "higher" and self.warn_at > self.target:
                raise ValueError("warn_at must not be above target when direction is higher")
            if self.direction == "lower" and self.warn_at < self.target:
                raise ValueError("warn_at must not be below target when direction is lower")
        return self


class Role(Document):
    """An organisational role (ISO 9001 5.3): owners are roles, roles have holders."""

    links: ClassVar[dict[str, frozenset[str]]] = {"reports_to": _ROLE}

    kind: Literal["role"]
    holders: list[Handle] = []
    deputy: Handle | None = None
    reports_to: DocId | None = None


# --- Record kinds -----------------------------------------------------------------------
# Records are evidence of the system at work (ISO 9001 7.5.3 retained information): what
# could go wrong, what went wrong, what was done about it, and what audits and management
# reviews found and decided. `qmskit.domain.records` interprets them for rules, reports and health.

_ACTION = frozenset({"action"})


class Risk(Document):
    """A risk or opportunity (ISO 9001 6.1) affecting processes, rated 1-5 x 1-5."""

    links: ClassVar[dict[str, frozenset[str]]] = {
        "affects": _PROCESS_KINDS,
        "treated_by": _ACTION,
    }

    kind: Literal["risk"]
    type: RiskType = "risk"
    affects: list[DocId] = []
    likelihood: Annotated[int, Field(ge=1, le=5)] | None = None
    impact: Annotated[int, Field(ge=1, le=5)] | None = None
    treated_by: list[DocId] = []


class EffectivenessCheck(BaseModel):
    """ISO 9001 10.2.1 d): was the action effective? Planned date, date done, verdict, evidence."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    due: Date | None = None
    checked: Date | None = None
    result: EffectivenessResult | None = None
    evidence: Annotated[str, Field(max_length=2000)] | None = None

    def __str__(self) -> str:
        # Pages and reports print the check as one line.
        if self.checked is not None:
            text = f"{self.result or 'no result'} (checked {self.checked})"
        elif self.due is not None:
            text = f"planned for {self.due}"
        else:
            text = "not planned"
        return f"{text}: {self.evidence}" if self.evidence else text


class Action(Document):
    """A corrective, preventive or improvement action (ISO 9001 10.2, 10.3, 6.1.2).

    `source` says why it was raised; `origin` may name the record or KPI that raised it
    when no other link does (a KPI trend, for instance). `opened` defaults to
    `approved_on`.
    """

    links: ClassVar[dict[str, frozenset[str]]] = {
        "origin": frozenset({"kpi", "objective", "risk", "nonconformity", "audit", "review"})
        | _PROCESS_KINDS,
    }

    kind: Literal["action"]
    type: ActionType | None = None
    source: ActionSource | None = None
    origin: DocId | None = None
    opened: Date | None = None
    due: Date | None = None
    closed: Date | None = None
    effectiveness: EffectivenessCheck | None = None


class Nonconformity(Document):
    """A nonconformity (ISO 9001 10.2.1) and the corrective actions it led to.

    Day-to-day NCRs stay in the MES/ERP; the ones that need a corrective action (or a
    documented decision that none is needed, `no_action_reason`) are recorded here, as
    are nonconformities found by audits (listed in the audit's `findings`).
    """

    links: ClassVar[dict[str, frozenset[str]]] = {
        "affects": _PROCESS_KINDS,
        "actions": _ACTION,
    }

    kind: Literal["nonconformity"]
    date: Date | None = None
    source: NonconformitySource | None = None
    severity: NonconformitySeverity | None = None
    affects: list[DocId] = []
    actions: list[DocId] = []
    no_action_reason: Annotated[str, Field(min_length=1, max_length=2000)] | None = None
    closed: Date | None = None


class Audit(Document):
    """An audit (ISO 9001 9.2) over a scope of processes; findings are nonconformities
    (which carry their corrective actions) or actions (opportunities acted upon)."""

    links: ClassVar[dict[str, frozenset[str]]] = {
        "scope": _PROCESS_KINDS,
        "findings": frozenset({"action", "nonconformity"}),
    }

    kind: Literal["audit"]
    type: AuditType = "internal"
    date: Date | None = None
    scope: list[DocId] = []
    auditors: list[Handle] = []
    findings: list[DocId] = []


class ManagementReview(Document):
    """A management review (ISO 9001 9.3): inputs considered, decisions taken.

    `covers` declares which ISO 9.3.2 inputs were considered; inputs evidenced by the
    linked `inputs` count as covered too (see `qmskit.domain.records.review_coverage`).
    """

    links: ClassVar[dict[str, frozenset[str]]] = {
        "inputs": frozenset({"kpi", "objective", "audit", "action", "risk", "nonconformity",
                             "strategy"}) | _PROCESS_KINDS,
        "decisions": _ACTION,
        "attendees": _ROLE,
    }

    kind: Literal["review"]
    date: Date | None = None
    attendees: list[DocId] = []
    covers: list[ReviewInputKey] = []
    inputs: list[DocId] = []
    decisions: list[DocId] = []


class GenericDocument(Document):
    """A controlled document of no particular kind: a policy, manual, plan, form, context
    analysis, stakeholder register, competence matrix (ISO 9001 7.5).

    `type` says what it is, in the organisation's words (free text, unless the config's
    `[vocabulary] document_type` lists the types). It has owner, status, version,
    approval, review and `clauses` like every controlled document, so it is reviewed,
    approved, acknowledged (`applies_to`) and counts for clause coverage; it needs no
    `supports` link and the traceability rules do not apply to it.
    """

    links: ClassVar[dict[str, frozenset[str]]] = {"applies_to": _ROLE}

    kind: Literal["document"]
    type: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    applies_to: list[DocId] = []


#: A kind name as written in `records:` and `[kinds.NAME]`.
KIND_NAME_PATTERN = r"^[a-z][a-z0-9_-]{0,39}$"


class Register(Document):
    """Many records in one controlled document: a CSV table whose rows are records.

    `records` names the kind of every row (risk, action, a declared kind, ...) and `data`
    the CSV file, relative to the register document. The CSV's header names fields of
    that kind; each row is a document of that kind (linkable by its `id`), checked by the
    same rules, every finding located at its cell. Rows inherit `status`, `version`, the
    approval and the review (and `owner`, when they name none) from the register, so the
    register is reviewed and approved as one document (see `qmskit.registers`).
    """

    kind: Literal["register"]
    records: Annotated[str, Field(pattern=KIND_NAME_PATTERN)]
    data: Annotated[str, Field(min_length=1, max_length=400)]


#: Every link field shared by all kinds, with the kinds it may point to.
COMMON_LINKS: dict[str, frozenset[str]] = {
    "owner": _ROLE,
    "approved_by": _ROLE,
    "review.by": _ROLE,
    "superseded_by": frozenset(),  # same kind as the source; checked in the link rule
}

MODELS: dict[str, type[Document]] = {
    "strategy": Strategy,
    "objective": Objective,
    "procedure": Procedure,
    "process": Procedure,
    "kpi": Kpi,
    "role": Role,
    "risk": Risk,
    "action": Action,
    "audit": Audit,
    "review": ManagementReview,
    "nonconformity": Nonconformity,
    "document": GenericDocument,
    "register": Register,
}
