#!/usr/bin/env python3
"""Generate a synthetic QMS git repository for qmskit benchmarks.

``python benchmarks/generate.py OUT_DIR --docs N [--commits C] [--seed S]``

The corpus has to look like a real quality manual, not like N copies of one file,
or the benchmark measures the wrong thing: real repositories mix small KPI pages
with multi-kilobyte procedures, carry CSV data next to KPIs, and have a long git
history in which documents are added in bulk and then reviewed and revised one by
one. qmskit's "changed since last review" rule reads that history, so the history
is part of the workload.

The repository is valid under the front-matter contract (see
``benchmarks/README.md``) as of the pinned evaluation date (``--today``,
default 2026-11-24), except for a small, known set of planted defects (about 1 % of
the documents: dangling links, overdue reviews, files edited after their last
review, KPIs off target). The planted defects and the generation parameters are
written to ``OUT_DIR/.git/qmskit-bench.json`` -- inside ``.git`` so that the
manifest is neither a document nor an untracked file the checker could see.

History is streamed through one ``git fast-import`` process: thousands of
``git commit`` calls would take minutes, the stream takes seconds. Only the
standard library is used so that the generator runs before qmskit is installed.
Output is deterministic for a given seed and set of parameters.
"""

from __future__ import annotations

import argparse
import bisect
import calendar
import hashlib
import json
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Final, Literal

GENERATOR_VERSION: Final = 3
#: The read-and-understood ledger at qmskit's default ``ack_ledger`` path.
LEDGER_PATH: Final = "qms_docs/acknowledgements.csv"
LEDGER_HEADER: Final = "id,version,handle,date\n"
#: Readers acknowledge a new version 1-25 days after its approval: inside qmskit's
#: default 30-day window, so no acknowledgement is overdue on the evaluation date.
ACK_DELAY_DAYS: Final = (1, 25)
DEFAULT_TODAY: Final = date(2026, 11, 24)
MANIFEST_NAME: Final = "qmskit-bench.json"
MIN_DOCS: Final = 20
MIN_COMMITS: Final = 10

Frequency = Literal["weekly", "monthly", "quarterly", "yearly"]
Direction = Literal["higher", "lower"]
EditAction = Literal["review", "revise", "touch"]
FieldValue = str | list[str]

# Priority when one commit carries several edits of the same document: a revision
# also stamps the review, and a planted "touch" must stay the document's last change.
ACTION_RANK: Final[dict[EditAction, int]] = {"review": 0, "revise": 1, "touch": 2}


# --------------------------------------------------------------------------------------
# Vocabulary. Kept in tables so that titles and bodies vary like a real manual does.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    """A functional area: it owns roles, procedures, KPIs and commits under one handle."""

    code: str
    name: str
    head_title: str
    handle: str
    staff: tuple[str, ...]
    objects: tuple[str, ...]
    clauses: tuple[str, ...]
    head_id: str = ""

    @property
    def role_head(self) -> str:
        """Id of the role that heads the area (ROLE-MD and ROLE-QM are special-cased)."""
        return self.head_id or f"ROLE-{self.code}"


AREAS: Final[tuple[Area, ...]] = (
    Area("MGMT", "Management", "Managing Director", "managing-director",
         ("Management assistant",),
         ("company policy", "management review", "strategic plan", "budget plan"),
         ("5.1", "5.2", "9.3"), head_id="ROLE-MD"),
    Area("QA", "Quality", "Quality Manager", "quality-lead",
         ("Quality engineer", "Internal auditor", "Document controller"),
         ("nonconformity report", "corrective action", "internal audit", "calibration record",
          "controlled document", "inspection plan"),
         ("7.5", "9.2", "10.2", "8.7"), head_id="ROLE-QM"),
    Area("PURCH", "Purchasing", "Head of Purchasing", "purchasing-lead",
         ("Buyer", "Supplier quality engineer"),
         ("purchase requisition", "supplier assessment", "purchase order", "approved supplier list",
          "supplier certificate", "framework agreement"),
         ("8.4", "8.4.1", "8.4.2", "8.4.3")),
    Area("PROD", "Production", "Production Manager", "production-lead",
         ("Shift supervisor", "Production planner", "Machine operator"),
         ("work order", "production batch", "first article", "setup sheet", "line clearance",
          "process parameter"),
         ("8.5", "8.5.1", "8.5.2", "8.6")),
    Area("SALES", "Sales", "Head of Sales", "sales-lead",
         ("Account manager", "Sales engineer"),
         ("customer enquiry", "quotation", "sales order", "contract review",
          "customer requirement"),
         ("8.2", "8.2.2", "8.2.3")),
    Area("ENG", "Engineering", "Head of Engineering", "engineering-lead",
         ("Design engineer", "Test engineer"),
         ("design input", "design review", "drawing", "engineering change", "validation report",
          "bill of materials"),
         ("8.3", "8.3.3", "8.3.4", "8.3.6")),
    Area("LOG", "Logistics", "Logistics Manager", "logistics-lead",
         ("Warehouse supervisor", "Dispatcher"),
         ("goods receipt", "stock count", "shipment", "delivery note", "storage location"),
         ("8.5.4", "8.5.1")),
    Area("SERV", "Customer service", "Head of Customer Service", "service-lead",
         ("Service technician", "Complaint handler"),
         ("customer complaint", "service report", "return authorisation", "field visit"),
         ("8.2.1", "9.1.2", "10.2")),
    Area("HR", "Human resources", "HR Manager", "hr-partner",
         ("HR specialist", "Training coordinator"),
         ("training plan", "competence matrix", "job description", "onboarding checklist",
          "appraisal"),
         ("7.1.2", "7.2", "7.3")),
    Area("MAINT", "Maintenance", "Maintenance Manager", "maintenance-lead",
         ("Maintenance technician", "Calibration technician"),
         ("maintenance plan", "work permit", "spare part", "calibration certificate",
          "breakdown report"),
         ("7.1.3", "7.1.5")),
    Area("IT", "IT", "IT Manager", "it-admin",
         ("System administrator", "Application owner"),
         ("user account", "backup", "software release", "access request", "incident ticket"),
         ("7.1.3", "7.5.3")),
    Area("FIN", "Finance", "Finance Controller", "finance-controller",
         ("Accountant",),
         ("invoice", "budget", "cost report", "payment run"),
         ("7.1", "9.1.3")),
    Area("EHS", "Environment, health and safety", "EHS Officer", "ehs-officer",
         ("Safety coordinator",),
         ("risk assessment", "incident report", "safety inspection", "waste record"),
         ("6.1", "7.1.4")),
    Area("REG", "Regulatory affairs", "Regulatory Affairs Manager", "regulatory-lead",
         ("Regulatory specialist",),
         ("regulatory requirement", "certificate", "declaration of conformity",
          "authority notification"),
         ("4.2", "8.2.2")),
)

STRATEGY_THEMES: Final = (
    ("CUSTOMER", "Customer first"), ("GROWTH", "Profitable growth"),
    ("QUALITY", "Right first time"), ("PEOPLE", "Skilled and engaged people"),
    ("EFFICIENCY", "Lean operations"), ("DIGITAL", "Digital processes"),
    ("SUSTAIN", "Sustainable products"), ("SUPPLY", "Resilient supply chain"),
    ("INNOV", "Innovation leadership"), ("SAFETY", "Zero harm"),
    ("COMPLY", "Compliance by design"), ("EXPORT", "International markets"),
)


@dataclass(frozen=True)
class KpiTemplate:
    """A measurable quantity with a plausible target, threshold and value spread."""

    name: str
    unit: str
    direction: Direction
    target: float
    warn_at: float
    decimals: int


KPI_TEMPLATES: Final = (
    KpiTemplate("On-time delivery", "%", "higher", 97.0, 95.0, 1),
    KpiTemplate("Supplier defect rate", "ppm", "lower", 500.0, 800.0, 0),
    KpiTemplate("Scrap rate", "%", "lower", 2.0, 3.0, 2),
    KpiTemplate("Customer complaints", "count", "lower", 5.0, 8.0, 0),
    KpiTemplate("Customer satisfaction", "score", "higher", 8.5, 8.0, 1),
    KpiTemplate("Training completion", "%", "higher", 95.0, 90.0, 1),
    KpiTemplate("Mean time to repair", "hours", "lower", 4.0, 6.0, 1),
    KpiTemplate("First pass yield", "%", "higher", 98.0, 96.0, 1),
    KpiTemplate("Corrective actions closed on time", "%", "higher", 90.0, 85.0, 0),
    KpiTemplate("Invoice processing time", "days", "lower", 5.0, 7.0, 1),
    KpiTemplate("Lost time injury rate", "rate", "lower", 1.0, 2.0, 2),
    KpiTemplate("System availability", "%", "higher", 99.5, 99.0, 2),
    KpiTemplate("Quotation turnaround", "days", "lower", 3.0, 5.0, 1),
    KpiTemplate("Employee turnover", "%", "lower", 8.0, 10.0, 1),
    KpiTemplate("Calibration due on time", "%", "higher", 98.0, 95.0, 1),
    KpiTemplate("Inventory accuracy", "%", "higher", 99.0, 98.0, 2),
)

FREQUENCIES: Final[tuple[tuple[Frequency, int], ...]] = (
    ("monthly", 60), ("quarterly", 20), ("weekly", 15), ("yearly", 5))
INTERVALS: Final = (
    ("12 months", 48), ("6 months", 10), ("24 months", 8), ("18 months", 6), ("2 years", 6),
    ("365 days", 6), ("26 weeks", 6), ("180 days", 5), ("3 years", 5))
ACTIVITIES: Final = (
    "Handling", "Approval", "Review", "Control", "Release", "Evaluation", "Planning",
    "Verification", "Archiving", "Escalation", "Preparation", "Monitoring")
VERBS: Final = (
    "Check", "Record", "Approve", "Review", "Verify", "Escalate", "Archive", "Release",
    "Inspect", "Update", "Compare", "Document", "Confirm", "Assess", "Sign off")
QUALIFIERS: Final = (
    "before release", "within two working days", "using the current form",
    "in the ERP system", "against the approved specification", "with the requester",
    "at the start of each shift", "once per month", "and attach the evidence",
    "according to the sampling plan", "before the next process step",
    "and inform the process owner of deviations")
RATIONALES: Final = (
    "Customers expect reliable delivery and consistent quality.",
    "Audit findings showed that the current practice is applied unevenly across sites.",
    "The management review asked for measurable progress on this topic.",
    "Cost of poor quality is concentrated in a few recurring failure modes.",
    "Regulatory requirements tighten over the planning horizon.",
    "Interested parties named this as one of their top three concerns.")
CHANGES: Final = (
    "Clarified responsibilities", "Updated approval limits", "Added record retention",
    "Aligned with new ERP workflow", "Reworded step for clarity", "Added escalation path",
    "Updated form references", "Included lessons learned from audit",
    "Adjusted sampling frequency", "Merged duplicate steps")
TOUCH_NOTE: Final = (
    "\n> Note: questions about this document go to the document owner; "
    "the quality team keeps the master copy.\n")


# --------------------------------------------------------------------------------------
# Dates: intervals, KPI periods and commit time zones.
# --------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """Add calendar months, clamping the day (Jan 31 + 1 month = Feb 28/29)."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_interval(text: str) -> tuple[int, str]:
    """Split a contract interval such as ``12 months`` into (12, "months")."""
    count, unit = text.split()
    return int(count), unit


def add_interval(day: date, interval: str) -> date:
    """Return the review due date: ``day`` plus an interval of days, weeks, months or years."""
    count, unit = parse_interval(interval)
    if unit == "days":
        return day + timedelta(days=count)
    if unit == "weeks":
        return day + timedelta(weeks=count)
    if unit == "months":
        return add_months(day, count)
    return add_months(day, 12 * count)


@dataclass(frozen=True)
class Period:
    """One KPI reporting period: its CSV label and its last day."""

    label: str
    end: date


def period_containing(day: date, frequency: Frequency) -> Period:
    """Return the period of ``frequency`` that contains ``day``."""
    if frequency == "weekly":
        monday = day - timedelta(days=day.weekday())
        iso = monday.isocalendar()
        return Period(f"{iso.year}-W{iso.week:02d}", monday + timedelta(days=6))
    if frequency == "monthly":
        last = calendar.monthrange(day.year, day.month)[1]
        return Period(f"{day.year}-{day.month:02d}", date(day.year, day.month, last))
    if frequency == "quarterly":
        quarter = (day.month - 1) // 3 + 1
        end_month = quarter * 3
        last = calendar.monthrange(day.year, end_month)[1]
        return Period(f"{day.year}-Q{quarter}", date(day.year, end_month, last))
    return Period(f"{day.year}", date(day.year, 12, 31))


def periods_ending_before(day: date, frequency: Frequency, count: int) -> list[Period]:
    """The ``count`` most recent periods that ended before ``day``, oldest first."""
    periods: list[Period] = []
    current = period_containing(day, frequency)
    while len(periods) < count:
        if current.end < day:
            periods.append(current)
        # The day before a period's first day lies in the previous period.
        start = {"weekly": current.end - timedelta(days=6),
                 "monthly": current.end.replace(day=1),
                 "quarterly": add_months(current.end.replace(day=1), -2),
                 "yearly": date(current.end.year, 1, 1)}[frequency]
        current = period_containing(start - timedelta(days=1), frequency)
    periods.reverse()
    return periods


def last_sunday(year: int, month: int) -> date:
    """Last Sunday of a month: European summer time starts/ends on one."""
    day = date(year, month, calendar.monthrange(year, month)[1])
    return day - timedelta(days=(day.weekday() - 6) % 7)


def local_time(day: date, seconds: int) -> datetime:
    """A Central European wall-clock time on ``day``; office hours keep the UTC date equal."""
    summer = last_sunday(day.year, 3) <= day < last_sunday(day.year, 10)
    tz = timezone(timedelta(hours=2 if summer else 1))
    return datetime(day.year, day.month, day.day, tzinfo=tz) + timedelta(seconds=seconds)


# --------------------------------------------------------------------------------------
# The document model held in memory while the history is written.
# --------------------------------------------------------------------------------------


@dataclass
class Kpi:
    """The CSV side of a KPI document: every row of the final series, oldest first."""

    frequency: Frequency
    periods: list[Period]
    rows: list[str]
    target: float
    warn_at: float
    direction: Direction
    decimals: int
    shown: int = -1

    def visible_rows(self, day: date) -> int:
        """How many rows had been recorded on ``day`` (a period is recorded after it ends)."""
        return sum(1 for period in self.periods if period.end < day)

    def csv(self, rows: int) -> bytes:
        """The CSV file with its first ``rows`` rows."""
        return ("period,value\n" + "".join(self.rows[:rows])).encode()


@dataclass
class Doc:
    """A controlled document: static front matter, mutable review state and body."""

    id: str
    kind: str
    area: Area
    title: str
    path: str
    owner: str
    approved_by: str
    interval: str
    clauses: list[str]
    fields: list[tuple[str, FieldValue]]
    body: str
    status: str = "approved"
    version: int = 1
    approved_on: date | None = None
    review_last: date | None = None
    review_by: str = ""
    superseded_by: str = ""
    history: list[tuple[int, date, str]] = field(default_factory=list)
    touched: bool = False
    created: date | None = None
    kpi: Kpi | None = None
    links_in: int = 0

    def list_value(self, key: str) -> list[str]:
        """The id or handle list stored under ``key``, or [] (nothing is created)."""
        for name, value in self.fields:
            if name == key and isinstance(value, list):
                return value
        return []

    def field_list(self, key: str) -> list[str]:
        """The id list stored under ``key`` (created empty if absent), for linking."""
        for name, value in self.fields:
            if name == key and isinstance(value, list):
                return value
        value_list: list[str] = []
        self.fields.append((key, value_list))
        return value_list

    def render(self) -> bytes:
        """The file as it looks now: front matter in contract key order, then the body."""
        lines = ["---", f"id: {self.id}", f"kind: {self.kind}", f"title: {quote(self.title)}",
                 f"owner: {self.owner}", f"status: {self.status}", f"version: {self.version}"]
        if self.status != "draft":
            assert self.approved_on is not None
            lines += [f"approved_by: {self.approved_by}", f"approved_on: {self.approved_on}"]
        lines += ["review:", f"  last: {self.review_last}", f"  interval: {self.interval}"]
        if self.review_by:
            lines.append(f"  by: {self.review_by}")
        if self.clauses:
            lines.append("clauses: [" + ", ".join(quote(c) for c in self.clauses) + "]")
        if self.superseded_by:
            lines.append(f"superseded_by: {self.superseded_by}")
        for key, value in self.fields:
            if isinstance(value, list):
                if value:
                    lines.append(f"{key}: [{', '.join(value)}]")
            else:
                lines.append(f"{key}: {value}")
        lines.append("---")
        table = "".join(f"| {v} | {d} | {c} |\n" for v, d, c in self.history)
        text = "\n".join(lines) + "\n" + self.body + table + (TOUCH_NOTE if self.touched else "")
        return text.encode()


def quote(text: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax is a subset of it)."""
    return json.dumps(text, ensure_ascii=False)


def handle_of(title: str) -> str:
    """A generic lowercase person handle derived from a job title, never a name."""
    return title.lower().replace(",", "").replace(" ", "-")


# --------------------------------------------------------------------------------------
# Building the document graph.
# --------------------------------------------------------------------------------------


@dataclass
class Mix:
    """How many documents of each kind a corpus of N documents gets."""

    strategies: int
    objectives: int
    roles: int
    kpis: int
    processes: int
    procedures: int

    @classmethod
    def for_docs(cls, docs: int) -> Mix:
        """Roughly 1 % strategies (min 3), 8 % objectives, 5 % roles, 30 % KPIs, rest procedures.

        Minimums keep the traceability rules satisfiable: each strategy needs an
        objective and each objective a KPI.
        """
        strategies = max(3, round(docs * 0.01))
        objectives = max(strategies, round(docs * 0.08))
        roles = max(3, round(docs * 0.05))
        kpis = max(objectives, round(docs * 0.30))
        rest = docs - strategies - objectives - roles - kpis
        processes = max(1, round(rest * 0.15))
        return cls(strategies, objectives, roles, kpis, processes, rest - processes)


class Builder:
    """Creates the documents and their links, deterministic for one random generator."""

    def __init__(self, rng: random.Random, mix: Mix, today: date) -> None:
        self.rng = rng
        self.mix = mix
        self.today = today
        self.docs: list[Doc] = []
        self.by_id: dict[str, Doc] = {}
        self.roles_by_area: dict[str, list[Doc]] = {}
        self.owner_turn: dict[str, int] = {}
        self.holders: list[str] = []
        self.areas: list[Area] = []

    # -- helpers ----------------------------------------------------------------------

    def add(self, doc: Doc) -> Doc:
        """Register a document; ids are unique by construction."""
        assert doc.id not in self.by_id, doc.id
        self.docs.append(doc)
        self.by_id[doc.id] = doc
        return doc

    def next_owner(self, area: Area) -> str:
        """Round-robin over the area's roles so that every role owns something."""
        roles = self.roles_by_area[area.code]
        turn = self.owner_turn.get(area.code, 0)
        self.owner_turn[area.code] = turn + 1
        return roles[turn % len(roles)].id

    def interval(self) -> str:
        """A review interval drawn from a realistic spread (mostly annual)."""
        names = [name for name, _ in INTERVALS]
        weights = [weight for _, weight in INTERVALS]
        return self.rng.choices(names, weights)[0]

    def review_by(self, area: Area) -> str:
        """Optional ``review.by``: present on about 40 % of documents."""
        if self.rng.random() < 0.4:
            return self.rng.choice(["ROLE-QM", area.role_head])
        return ""

    def sentence_steps(self, area: Area, count: int) -> list[str]:
        """Procedure steps built from the area's vocabulary."""
        rng = self.rng
        return [f"{rng.choice(VERBS)} the {rng.choice(area.objects)} {rng.choice(QUALIFIERS)}."
                for _ in range(count)]

    @staticmethod
    def history_header() -> str:
        """Heading and header row of the revision-history table closing every body."""
        return "\n## Revision history\n\n| Version | Date | Change |\n|---|---|---|\n"

    # -- kinds ------------------------------------------------------------------------

    def build_roles(self) -> None:
        """ROLE-MD and ROLE-QM first, then area heads, then staff roles across areas."""
        heads = min(self.mix.roles, len(AREAS))
        self.areas = list(AREAS[:heads])
        for area in self.areas:
            reports_to = "" if area.code == "MGMT" else "ROLE-MD"
            self.add_role(area, area.role_head, area.head_title, [area.handle], reports_to)
        staff_areas = [a for a in self.areas if a.code != "MGMT"] or self.areas
        counters: dict[str, int] = {}
        for k in range(self.mix.roles - heads):
            area = staff_areas[k % len(staff_areas)]
            number = counters.get(area.code, 0) + 1
            counters[area.code] = number
            job = area.staff[(number - 1) % len(area.staff)]
            team = (number - 1) // len(area.staff) + 1
            holders = [f"{handle_of(job)}-{team}{chr(96 + h)}"
                       for h in range(1, self.rng.randint(1, 4) + 1)]
            self.add_role(area, f"ROLE-{area.code}-{number:02d}", f"{job} (team {team})", holders,
                          area.role_head)
        # A deputy is another person of the same area, so every deputy also holds a role.
        for area in self.areas:
            roles = self.roles_by_area[area.code]
            pool = [h for r in roles for h in r.field_list("holders")]
            for role in roles:
                own = role.field_list("holders")
                candidates = [h for h in pool if h not in own]
                if candidates:
                    role.fields.insert(1, ("deputy", self.rng.choice(candidates)))

    def add_role(self, area: Area, role_id: str, title: str, holders: list[str],
                 reports_to: str) -> None:
        """One role document; its owner is the role it reports to (top management owns itself)."""
        steps = self.sentence_steps(area, self.rng.randint(3, 7))
        body = (f"\n# {title}\n\n## Purpose of the role\n\nThe {title.lower()} contributes to the "
                f"{area.name.lower()} processes and keeps their records complete.\n\n"
                "## Responsibilities\n\n" + "".join(f"- {s}\n" for s in steps) +
                "\n## Authorities\n\n- Stop work that does not meet the specification.\n"
                f"- Approve {self.rng.choice(area.objects)}s up to the agreed limit.\n"
                "\n## Competence\n\n- Relevant vocational training or degree.\n"
                f"- Training on the {area.name.lower()} procedures.\n" + self.history_header())
        fields: list[tuple[str, FieldValue]] = [("holders", holders)]
        if reports_to:
            fields.append(("reports_to", reports_to))
        doc = self.add(Doc(
            id=role_id, kind="role", area=area, title=title,
            path=f"qms_docs/roles/{role_id}.md", owner=reports_to or role_id,
            approved_by="ROLE-MD", interval=self.rng.choice(["12 months", "24 months"]),
            clauses=["5.3"], fields=fields, body=body))
        self.roles_by_area.setdefault(area.code, []).append(doc)
        self.holders += holders

    def build_strategies(self) -> list[Doc]:
        """Strategic priorities owned and approved by top management."""
        mgmt = self.areas[0]
        out = []
        for k in range(self.mix.strategies):
            code, name = STRATEGY_THEMES[k % len(STRATEGY_THEMES)]
            rnd = k // len(STRATEGY_THEMES)
            sid = f"STRAT-{code}" + (f"-{rnd + 1}" if rnd else "")
            title = name + (f" ({rnd + 1})" if rnd else "")
            start = self.today.year - self.rng.randint(0, 1)
            priorities = [f"- {r}\n" for r in self.rng.sample(RATIONALES, self.rng.randint(2, 5))]
            body = (f"\n# {title}\n\n## Direction\n\n{self.rng.choice(RATIONALES)} We commit to "
                    f"{name.lower()} as a strategic priority for {start}-{start + 2}.\n\n"
                    "## Why it matters\n\n" + "".join(priorities) +
                    "\n## How we follow it\n\nObjectives supporting this strategy are reviewed "
                    "in every management review.\n" + self.history_header())
            out.append(self.add(Doc(
                id=sid, kind="strategy", area=mgmt, title=title,
                path=f"qms_docs/strategy/{sid}.md", owner="ROLE-MD", approved_by="ROLE-MD",
                interval="12 months", clauses=["4.1", "5.1"],
                fields=[("horizon", quote(f"{start}-{start + 2}"))], body=body)))
        return out

    def work_area(self, k: int) -> Area:
        """Areas that own objectives, processes and KPIs (everyone except top management)."""
        working = [a for a in self.areas if a.code != "MGMT"]
        return working[k % len(working)]

    def build_objectives(self, strategies: list[Doc]) -> list[Doc]:
        """Objectives; the first ones cover every strategy so none is left unsupported."""
        out = []
        width = max(3, len(str(self.mix.objectives)))
        for k in range(self.mix.objectives):
            area = self.work_area(self.rng.randrange(1 << 16))
            tpl = self.rng.choice(KPI_TEMPLATES)
            supports = [strategies[k].id] if k < len(strategies) else [
                self.rng.choice(strategies).id]
            if self.rng.random() < 0.15:
                extra = self.rng.choice(strategies).id
                if extra not in supports:
                    supports.append(extra)
            sign = "≥" if tpl.direction == "higher" else "≤"
            value = f"{tpl.target:.{tpl.decimals}f}"
            target = (quote(f"{tpl.name} {sign} {value} {tpl.unit}")
                      if self.rng.random() < 0.6 else value)
            verb = "Raise" if tpl.direction == "higher" else "Reduce"
            title = f"{verb} {tpl.name.lower()} in {area.name.lower()}"
            due = date(self.today.year + self.rng.randint(1, 2), self.rng.choice([3, 6, 9, 12]), 1)
            due = due.replace(day=calendar.monthrange(due.year, due.month)[1])
            oid = f"OBJ-{area.code}-{k + 1:0{width}d}"
            actions = "".join(
                f"| {s} | {area.head_title} | {add_months(due, -self.rng.randint(1, 12))} |\n"
                for s in self.sentence_steps(area, self.rng.randint(2, 6)))
            body = (f"\n# {title}\n\n## Rationale\n\n{self.rng.choice(RATIONALES)}\n\n"
                    "## Plan\n\n| Action | Responsible | Due |\n|---|---|---|\n" + actions +
                    "\n## Resources\n\n- Budget approved in the annual plan.\n"
                    "- Support from the quality team for data analysis.\n" + self.history_header())
            out.append(self.add(Doc(
                id=oid, kind="objective", area=area, title=title, path=f"objectives/{oid}.md",
                owner=self.next_owner(area), approved_by="ROLE-MD", interval=self.interval(),
                clauses=["6.2"], review_by=self.review_by(area), body=body,
                fields=[("supports", supports), ("target", target), ("due", due.isoformat())])))
            for sid in supports:
                self.by_id[sid].links_in += 1
        return out

    def proc_doc(self, pid: str, kind: str, area: Area, title: str, steps: int) -> Doc:
        """A procedure or process body: purpose, scope, responsibilities, steps, records."""
        rng = self.rng
        roles = self.roles_by_area[area.code]
        resp = "".join(f"- **{r.title}**: {rng.choice(VERBS).lower()} the "
                       f"{rng.choice(area.objects)}s {rng.choice(QUALIFIERS)}.\n"
                       for r in rng.sample(roles, min(len(roles), rng.randint(1, 3))))
        scope = rng.choice(["temporary staff included", "contractors included",
                            "excluding prototypes"])
        # Optional sections give the long tail of multi-kilobyte procedures.
        definitions = "" if rng.random() < 0.7 else "## Definitions\n\n" + "".join(
            f"- **{o.capitalize()}**: the {o} as kept in the {area.name.lower()} register, "
            f"{rng.choice(['paper or electronic', 'current revision only', 'per site'])}.\n"
            for o in rng.sample(area.objects, 3)) + "\n"
        risks = "" if rng.random() < 0.6 else (
            "\n## Risks and controls\n\n| Risk | Control | Check |\n|---|---|---|\n" + "".join(
                f"| {o.capitalize()} is incomplete or late | {rng.choice(VERBS)} it "
                f"{rng.choice(QUALIFIERS)} | {rng.choice(['audit', 'KPI', 'spot check'])} |\n"
                for o in rng.choices(area.objects, k=rng.randint(2, 8))))
        body = (f"\n# {title}\n\n## Purpose\n\nThis {kind} describes how {area.name.lower()} "
                f"handles the {rng.choice(area.objects)} so that results are consistent and "
                f"traceable.\n\n## Scope\n\nAll sites and shifts; {scope}.\n\n" + definitions +
                "## Responsibilities\n\n" + resp + "\n## Procedure\n\n" +
                "".join(f"{i}. {s}\n" for i, s in enumerate(self.sentence_steps(area, steps), 1)) +
                risks + "\n## Records\n\n" +
                "".join(f"- {o.capitalize()} (retention {rng.randint(2, 10)} years)\n"
                        for o in rng.sample(area.objects, 2)) + self.history_header())
        clauses = sorted(rng.sample(area.clauses, min(len(area.clauses), rng.randint(1, 2))))
        return Doc(id=pid, kind=kind, area=area, title=title, path=f"procedures/{pid}.md",
                   owner=self.next_owner(area), approved_by=rng.choice([area.role_head, "ROLE-QM"]),
                   interval=self.interval(), clauses=clauses, review_by=self.review_by(area),
                   fields=[], body=body)

    def build_processes(self, objectives: list[Doc]) -> list[Doc]:
        """Top-level processes: each supports objectives and exchanges outputs with others."""
        rng = self.rng
        width = max(4, len(str(self.mix.processes + self.mix.procedures)))
        out = []
        for k in range(self.mix.processes):
            area = self.work_area(k)
            title = f"{area.name}: {rng.choice(area.objects)} management"
            doc = self.add(self.proc_doc(f"PROC-{area.code}-{k + 1:0{width}d}", "process", area,
                                         title, rng.randint(4, 14)))
            own = [o for o in objectives if o.area is area] or objectives
            for obj in rng.sample(own, min(len(own), rng.choice([1, 1, 2]))):
                doc.field_list("supports").append(obj.id)
                obj.links_in += 1
            doc.field_list("inputs")
            doc.field_list("outputs")
            doc.field_list("applies_to").extend(self.applies_to(area))
            out.append(doc)
        # inputs and outputs mirror each other: A outputs to B exactly when B inputs from A.
        for doc in out:
            if len(out) > 1 and rng.random() < 0.6:
                for other in rng.sample(out, min(len(out), rng.randint(1, 2))):
                    if other is not doc and other.id not in doc.field_list("outputs"):
                        doc.field_list("outputs").append(other.id)
                        other.field_list("inputs").append(doc.id)
                        other.links_in += 1
                        doc.links_in += 1
        return out

    def applies_to(self, area: Area) -> list[str]:
        """Roles whose holders must read the procedure: some of the area's own roles."""
        roles = self.roles_by_area[area.code]
        picked = [r.id for r in self.rng.sample(roles, min(len(roles), self.rng.randint(1, 3)))]
        return sorted(picked)

    def build_procedures(self, objectives: list[Doc], processes: list[Doc]) -> list[Doc]:
        """Procedures support a process, an objective, or (sub-procedures) a procedure.

        A sub-procedure only supports a procedure that itself supports an objective,
        so every chain is at most procedure -> procedure -> objective -> strategy.
        """
        rng = self.rng
        width = max(4, len(str(self.mix.processes + self.mix.procedures)))
        direct: list[Doc] = []
        out = []
        for k in range(self.mix.procedures):
            area = self.work_area(rng.randrange(1 << 16))
            obj_name = rng.choice(area.objects)
            title = (f"{rng.choice(ACTIVITIES)} of {obj_name}s" if rng.random() < 0.5
                     else f"{obj_name.capitalize()} {rng.choice(ACTIVITIES).lower()}")
            number = self.mix.processes + k + 1
            doc = self.add(self.proc_doc(f"PROC-{area.code}-{number:0{width}d}", "procedure",
                                         area, title, rng.randint(3, 24)))
            roll = rng.random()
            if roll < 0.15 and direct:
                parent = rng.choice(direct)
            elif roll < 0.45:
                parent = rng.choice([o for o in objectives if o.area is area] or objectives)
                direct.append(doc)
            else:
                parent = rng.choice([p for p in processes if p.area is area] or processes)
            doc.field_list("supports").append(parent.id)
            parent.links_in += 1
            doc.field_list("applies_to").extend(self.applies_to(area))
            out.append(doc)
        return out

    def build_kpis(self, objectives: list[Doc], measurable: list[Doc],
                   final_day: date) -> list[Doc]:
        """KPIs with data series; the first ones measure each objective exactly once."""
        rng = self.rng
        width = max(4, len(str(self.mix.kpis)))
        out = []
        for k in range(self.mix.kpis):
            if k < len(objectives):
                measures = [objectives[k]]
                if rng.random() < 0.3:
                    measures.append(rng.choice(measurable))
            else:
                roll = rng.random()
                if roll < 0.5:
                    measures = [rng.choice(measurable)]
                elif roll < 0.8:
                    measures = [rng.choice(objectives)]
                else:
                    measures = [rng.choice(measurable), rng.choice(objectives)]
            area = measures[0].area
            tpl = rng.choice(KPI_TEMPLATES)
            kid = f"KPI-{area.code}-{k + 1:0{width}d}"
            scale = rng.choice([1.0, 1.0, 1.0, 0.8, 1.2])
            target, warn_at = tpl.target * scale, tpl.warn_at * scale
            if tpl.unit == "%" and tpl.direction == "higher":
                target, warn_at = min(target, tpl.target), min(warn_at, tpl.warn_at)
            target, warn_at = round(target, tpl.decimals), round(warn_at, tpl.decimals)
            frequency = rng.choices([f for f, _ in FREQUENCIES], [w for _, w in FREQUENCIES])[0]
            periods = periods_ending_before(final_day, frequency, rng.randint(12, 36))
            values = self.series(tpl, target, warn_at, len(periods))
            rows = [f"{p.label},{v}\n" for p, v in zip(periods, values, strict=True)]
            kpi = Kpi(frequency, periods, rows, target, warn_at, tpl.direction, tpl.decimals)
            # Front-matter thresholds are always floats ("500.0"), as in the contract.
            fmt = f".{max(1, tpl.decimals)}f"
            site = rng.choice(["", "", f" (site {rng.randint(1, 4)})", f" ({area.name.lower()})"])
            title = f"{tpl.name}{site}"
            body = (f"\n# {title}\n\n## Definition\n\n{tpl.name} as reported for "
                    f"{area.name.lower()}, in {tpl.unit}, {frequency}.\n\n## Calculation\n\n"
                    f"`{tpl.name.lower()} = measured / planned`, taken from the "
                    f"{rng.choice(area.objects)} records.\n\n## Thresholds\n\n"
                    f"- Target: {target:{fmt}} {tpl.unit} ({tpl.direction} is better)\n"
                    f"- Warning at: {warn_at:{fmt}} {tpl.unit}\n" + self.history_header())
            fields: list[tuple[str, FieldValue]] = [
                ("measures", [m.id for m in measures]), ("unit", quote(tpl.unit)),
                ("direction", tpl.direction), ("target", f"{target:{fmt}}"),
                ("warn_at", f"{warn_at:{fmt}}"), ("frequency", frequency),
                ("data", f"data/{kid}.csv")]
            doc = self.add(Doc(
                id=kid, kind="kpi", area=area, title=title, path=f"qms_docs/kpis/{kid}.md",
                owner=self.next_owner(area), approved_by=area.role_head, interval=self.interval(),
                clauses=["9.1.1"], review_by=self.review_by(area), fields=fields, body=body,
                kpi=kpi))
            for m in measures:
                m.links_in += 1
            out.append(doc)
        return out

    def series(self, tpl: KpiTemplate, target: float, warn_at: float, count: int) -> list[str]:
        """Values around target, mostly on the good side, the last one meeting the target."""
        rng = self.rng
        spread = abs(target - warn_at)
        good = 1.0 if tpl.direction == "higher" else -1.0
        cap = 100.0 if tpl.unit == "%" else float("inf")
        out = []
        for i in range(count):
            offset = rng.uniform(-0.8, 1.2) * spread
            if i == count - 1:
                offset = rng.uniform(0.0, 1.0) * spread
            value = min(cap, max(0.0, target + good * offset))
            if i == count - 1 and good * (round(value, tpl.decimals) - target) < 0:
                value = target  # rounding must not push the latest value off target
            out.append(f"{value:.{tpl.decimals}f}")
        return out


# --------------------------------------------------------------------------------------
# History: commits, the review schedule and planted defects.
# --------------------------------------------------------------------------------------


@dataclass
class Commit:
    """One commit to stream: who, when, why and what it changes."""

    when: datetime
    author: str
    kind: Literal["add", "edit", "data"]
    docs: list[Doc] = field(default_factory=list)
    edits: dict[str, EditAction] = field(default_factory=dict)
    kpis: list[Doc] = field(default_factory=list)
    label: str = ""


def weekdays(start: date, end: date) -> list[date]:
    """All Monday-to-Friday dates from ``start`` to ``end`` inclusive."""
    days = (end - start).days + 1
    return [d for d in (start + timedelta(days=i) for i in range(days)) if d.weekday() < 5]


def office_times(rng: random.Random, days: list[date], count: int) -> list[datetime]:
    """``count`` sorted commit times on random days, between 08:00 and 18:00 local time."""
    picked = sorted((rng.choice(days), rng.randrange(8 * 3600, 18 * 3600)) for _ in range(count))
    return [local_time(d, s) for d, s in picked]


@dataclass
class Timeline:
    """Key dates derived from the evaluation date so the corpus is valid exactly then."""

    today: date

    @property
    def start(self) -> date:
        """History starts two years before the evaluation date."""
        return self.today - timedelta(days=730)

    @property
    def edit_start(self) -> date:
        """The initial import takes about two months; editing starts afterwards."""
        return self.start + timedelta(days=66)

    @property
    def end(self) -> date:
        """Last day with commits: the day before the evaluation date."""
        return self.today - timedelta(days=1)

    @property
    def need_until(self) -> date:
        """A clean document's next review must fall after this (not even "due soon")."""
        return self.today + timedelta(days=31)


@dataclass
class Planted:
    """A defect put in on purpose; run.py compares these to qmskit's findings."""

    defect: str
    id: str
    path: str
    detail: str

    def as_json(self) -> dict[str, str]:
        """The manifest entry."""
        return {"defect": self.defect, "id": self.id, "path": self.path, "detail": self.detail}


class History:
    """Lays the documents out over a commit timeline and plants the known defects."""

    def __init__(self, rng: random.Random, docs: list[Doc], commits: int, timeline: Timeline,
                 areas: list[Area]) -> None:
        self.rng = rng
        self.docs = docs
        self.timeline = timeline
        self.areas = areas
        self.total = commits
        self.index = {doc.id: doc for doc in docs}
        self.planted: list[Planted] = []
        self.defective: set[str] = set()
        self.touches: dict[str, int] = {}

    def plan(self, defect_rate: float) -> list[Commit]:
        """Return every commit in date order, with its edits assigned."""
        rng, tl = self.rng, self.timeline
        n_add = max(1, min(len(self.docs), self.total // 10))
        add_times = office_times(rng, weekdays(tl.start, tl.edit_start - timedelta(days=1)), n_add)
        adds = [Commit(t, "quality-lead", "add") for t in add_times]
        for i, commit in enumerate(adds):
            commit.docs = self.docs[i * len(self.docs) // n_add:(i + 1) * len(self.docs) // n_add]
            commit.author = self.dominant_area(commit.docs).handle
            for doc in commit.docs:
                doc.created = commit.when.date()
        data = self.data_commits(self.total - n_add)
        n_edit = self.total - n_add - len(data)
        edit_days = weekdays(tl.edit_start, tl.end)
        edits = [Commit(t, "", "edit") for t in office_times(rng, edit_days, n_edit)]
        edit_dates = [c.when.date() for c in edits]
        schedule = {doc.id: self.review_schedule(doc, edit_dates) for doc in self.docs}
        self.plant(schedule, edit_dates, defect_rate)
        for doc in self.docs:
            for j in schedule[doc.id]:
                self.assign(edits[j], doc, "revise" if rng.random() < 0.25 else "review")
        for doc_id, j in self.touches.items():
            self.assign(edits[j], self.by_id(doc_id), "touch")
        clean = [d for d in self.docs if d.id not in self.defective]
        for commit in edits:
            if not commit.edits or rng.random() < 0.15:
                for doc in rng.sample(clean, min(len(clean), rng.randint(1, 3))):
                    self.assign(commit, doc, "revise")
        for commit in edits:
            touched = [self.by_id(i) for i in commit.edits]
            commit.author = ("quality-lead" if rng.random() < 0.35
                             else self.dominant_area(touched).handle)
        return sorted(adds + data + edits, key=lambda c: c.when)

    def by_id(self, doc_id: str) -> Doc:
        """Document lookup for the few places that hold ids."""
        return self.index[doc_id]

    @staticmethod
    def assign(commit: Commit, doc: Doc, action: EditAction) -> None:
        """Add an edit to a commit, keeping the strongest action for a document."""
        old = commit.edits.get(doc.id)
        if old is None or ACTION_RANK[action] > ACTION_RANK[old]:
            commit.edits[doc.id] = action

    @staticmethod
    def dominant_area(docs: list[Doc]) -> Area:
        """The area most documents in a commit belong to (first seen wins ties)."""
        counts: dict[str, tuple[int, Area]] = {}
        for doc in docs:
            n, _ = counts.get(doc.area.code, (0, doc.area))
            counts[doc.area.code] = (n + 1, doc.area)
        return max(counts.values(), key=lambda item: item[0])[1]

    def data_commits(self, budget: int) -> list[Commit]:
        """Monthly KPI data rounds, one commit per area group, plus a final round.

        The final round is on the day before the evaluation date so that no KPI's
        data is overdue then; about 30 % of the non-import commits are data commits.
        """
        rng, tl = self.rng, self.timeline
        kpis = [d for d in self.docs if d.kpi is not None]
        # Only areas that own KPIs record data, so no data commit is empty by design.
        areas = [a for a in self.areas if any(k.area is a for k in kpis)]
        budget = max(1, min(budget - 1, round(budget * 0.3)))
        rounds: list[date] = []
        month = date(tl.edit_start.year, tl.edit_start.month, 1)
        while month <= tl.end:
            day = month + timedelta(days=rng.randint(2, 11))
            while day.weekday() >= 5:
                day += timedelta(days=1)
            if tl.edit_start <= day < tl.end - timedelta(days=3):
                rounds.append(day)
            month = add_months(month, 1)
        rounds.append(tl.end)
        if budget < len(rounds):
            step = len(rounds) / budget
            rounds = [rounds[min(len(rounds) - 1, round((i + 1) * step) - 1)]
                      for i in range(budget)]
        groups = max(1, min(len(areas), budget // len(rounds)))
        group_areas: list[list[Area]] = [[] for _ in range(groups)]
        for i, area in enumerate(areas):
            group_areas[i % groups].append(area)
        out = []
        for r, day in enumerate(rounds):
            for g in range(groups):
                codes = [a.code for a in group_areas[g]]
                seconds = rng.randrange(8 * 3600, 18 * 3600)
                label = "final" if r == len(rounds) - 1 else ""
                commit = Commit(local_time(day, seconds), group_areas[g][0].handle, "data",
                                kpis=[k for k in kpis if k.area.code in codes], label=label)
                out.append(commit)
        return out

    def review_schedule(self, doc: Doc, edit_dates: list[date]) -> list[int]:
        """Edit commits at which ``doc`` is reviewed so it is never overdue at HEAD.

        Each review lands a random 35-97 % of the way through the interval, which
        spreads reviews over the year instead of bunching them before an audit.
        """
        assert doc.created is not None
        tl, rng = self.timeline, self.rng
        last, out = doc.created, []
        while add_interval(last, doc.interval) < tl.need_until:
            due = add_interval(last, doc.interval)
            target = last + timedelta(days=int((due - last).days * rng.uniform(0.35, 0.97)))
            target = min(target, due - timedelta(days=3), tl.end)
            after_last = bisect.bisect_right(edit_dates, last)
            j = bisect.bisect_right(edit_dates, target) - 1
            if j < after_last:
                j = after_last
                if j >= len(edit_dates):
                    break
            else:
                # Any commit of that day, not always the day's last one, takes the review.
                j = rng.randint(max(after_last, bisect.bisect_left(edit_dates, edit_dates[j])), j)
            out.append(j)
            last = edit_dates[j]
        return out

    def plant(self, schedule: dict[str, list[int]], edit_dates: list[date], rate: float) -> None:
        """Plant about ``rate`` x N defects, one per chosen document, of four kinds."""
        rng, tl = self.rng, self.timeline
        if rate <= 0:
            return
        total = max(4, round(len(self.docs) * rate))
        shares = {"dangling-link": 0.3, "review-overdue": 0.3, "changed-after-review": 0.3}
        wanted = {k: max(1, round(total * v)) for k, v in shares.items()}
        wanted["kpi-off-target"] = max(1, total - sum(wanted.values()))
        order = list(range(len(self.docs)))
        rng.shuffle(order)
        candidates = [self.docs[i] for i in order if self.docs[i].status == "approved"]

        def take(kind: str, accept: Callable[[Doc], bool]) -> None:
            count = 0
            for doc in candidates:
                if count >= wanted[kind]:
                    return
                if doc.id not in self.defective and accept(doc):
                    self.defective.add(doc.id)
                    count += 1

        def overdue(doc: Doc) -> bool:
            assert doc.created is not None
            # Drop the latest reviews until the one left makes the document overdue.
            reviews = list(schedule[doc.id])
            while reviews:
                if add_interval(edit_dates[reviews[-1]], doc.interval) <= tl.today - timedelta(3):
                    break
                reviews.pop()
            last = edit_dates[reviews[-1]] if reviews else doc.created
            due = add_interval(last, doc.interval)
            if due > tl.today - timedelta(days=3):
                return False
            schedule[doc.id] = reviews
            self.planted.append(Planted("review-overdue", doc.id, doc.path, f"due {due}"))
            return True

        def changed(doc: Doc) -> bool:
            assert doc.created is not None
            reviews = schedule[doc.id]
            last = edit_dates[reviews[-1]] if reviews else doc.created
            first = bisect.bisect_right(edit_dates, last)
            if first >= len(edit_dates):
                return False
            j = rng.randrange(first, len(edit_dates))
            self.touches[doc.id] = j
            self.planted.append(Planted("changed-after-review", doc.id, doc.path,
                                        f"edited {edit_dates[j]}, reviewed {last}"))
            return True

        def dangling(doc: Doc) -> bool:
            key = {"procedure": "supports", "process": "inputs", "kpi": "measures",
                   "objective": "supports"}.get(doc.kind)
            if key is None:
                return False
            prefix = {"supports": "OBJ" if doc.kind == "procedure" else "STRAT",
                      "inputs": "PROC", "measures": "PROC"}[key]
            ghost = f"{prefix}-{doc.area.code}-{9000 + rng.randrange(1000)}-OLD"
            doc.field_list(key).append(ghost)
            self.planted.append(Planted("dangling-link", doc.id, doc.path, f"{key}: {ghost}"))
            return True

        def off_target(doc: Doc) -> bool:
            kpi = doc.kpi
            if kpi is None:
                return False
            value = kpi.target + (kpi.warn_at - kpi.target) * rng.uniform(0.3, 0.7)
            text = f"{value:.{kpi.decimals}f}"
            if float(text) == kpi.target or float(text) == kpi.warn_at:
                return False
            kpi.rows[-1] = f"{kpi.periods[-1].label},{text}\n"
            self.planted.append(Planted("kpi-off-target", doc.id, doc.path,
                                        f"latest {text} vs target {kpi.target}"))
            return True

        take("review-overdue", overdue)
        take("changed-after-review", changed)
        take("dangling-link", dangling)
        take("kpi-off-target", off_target)


# --------------------------------------------------------------------------------------
# Writing: git fast-import stream, then a checkout.
# --------------------------------------------------------------------------------------


class FastImport:
    """A ``git fast-import`` process fed one commit at a time."""

    def __init__(self, repo: Path, branch: str) -> None:
        self.branch = branch
        self.proc = subprocess.Popen(
            ["git", "fast-import", "--quiet", "--done"], cwd=repo, stdin=subprocess.PIPE)
        assert self.proc.stdin is not None
        self.out: IO[bytes] = self.proc.stdin

    def data(self, payload: bytes) -> None:
        """Write a counted data block."""
        self.out.write(b"data %d\n" % len(payload))
        self.out.write(payload)
        self.out.write(b"\n")

    def commit(self, author: str, when: datetime, message: str,
               files: list[tuple[str, bytes]]) -> None:
        """One commit on the branch; fast-import chains it onto the previous one."""
        offset = when.utcoffset()
        assert offset is not None
        hours, minutes = divmod(int(offset.total_seconds()) // 60, 60)  # always east of UTC
        zone = f"+{hours:02d}{minutes:02d}"
        ident = f"{author} <{author}@example.invalid> {int(when.timestamp())} {zone}"
        header = f"commit refs/heads/{self.branch}\nauthor {ident}\ncommitter {ident}\n"
        self.out.write(header.encode())
        self.data(message.encode())
        for path, content in files:
            self.out.write(f"M 100644 inline {path}\n".encode())
            self.data(content)
        self.out.write(b"\n")

    def close(self) -> None:
        """Finish the stream; raise if git reported an error."""
        self.out.write(b"done\n")
        self.out.close()
        if self.proc.wait() != 0:
            raise SystemExit(f"git fast-import failed with exit code {self.proc.returncode}")


def run_git(repo: Path, *args: str) -> None:
    """Run a git command in the corpus repository, failing loudly."""
    subprocess.run(["git", *args], cwd=repo, check=True)


def describe(commit: Commit) -> str:
    """A commit message a quality team would plausibly write."""
    if commit.kind == "add":
        kinds = sorted({d.kind for d in commit.docs})
        first, last = commit.docs[0].id, commit.docs[-1].id
        return f"Import quality manual: {', '.join(kinds)} ({first} .. {last})\n"
    if commit.kind == "data":
        when = "latest periods" if commit.label == "final" else f"{commit.when:%B %Y}"
        return f"Record KPI data for {when}\n\n{len(commit.kpis)} KPI series updated.\n"
    items = list(commit.edits.items())
    if len(items) == 1:
        doc_id, action = items[0]
        text = {"review": "periodic review, no changes", "revise": "revise and re-approve",
                "touch": "fix wording"}[action]
        return f"{doc_id}: {text}\n"
    reviews = sum(1 for _, a in items if a == "review")
    return (f"Review {len(items)} documents ({reviews} unchanged, {len(items) - reviews} revised)"
            f"\n\n" + "\n".join(f"- {i}: {a}" for i, a in items) + "\n")


def apply_edit(rng: random.Random, doc: Doc, action: EditAction, day: date) -> None:
    """Change a document as the commit on ``day`` does."""
    if action == "touch":
        doc.touched = True
        return
    doc.review_last = day
    if action == "revise":
        doc.version += 1
        if doc.status != "draft":
            doc.approved_on = day
        doc.history.append((doc.version, day, rng.choice(CHANGES)))


class Ledger:
    """The read-and-understood ledger: acknowledgements owed, given and committed.

    A procedure's ``applies_to`` roles' holders acknowledge every new version a few
    days after its approval (``qmskit ack ID --as HANDLE`` appends a row). The document
    controller commits the rows with the monthly KPI data round, so the CSV changes a
    few dozen times rather than in every commit.
    """

    def __init__(self, rng: random.Random, docs: list[Doc]) -> None:
        self.rng = rng
        self.holders = {d.id: d.list_value("holders") for d in docs if d.kind == "role"}
        self.pending: list[tuple[date, str]] = []
        self.text = LEDGER_HEADER
        self.flushed_on: date | None = None

    def owe(self, doc: Doc, approved: date, not_after: date | None = None) -> None:
        """Every reader of ``doc`` acknowledges its current version after ``approved``."""
        if doc.status != "approved":
            return
        readers: list[str] = []
        for role in doc.list_value("applies_to"):
            readers += [h for h in self.holders.get(role, []) if h not in readers]
        for handle in readers:
            day = approved + timedelta(days=self.rng.randint(*ACK_DELAY_DAYS))
            if not_after is not None and day > not_after:
                day = not_after
            self.pending.append((day, f"{doc.id},{doc.version},{handle},{day}\n"))

    def flush(self, day: date) -> bytes | None:
        """The ledger with every acknowledgement given by ``day``; None if unchanged."""
        if self.flushed_on == day:
            return None
        due = sorted(p for p in self.pending if p[0] <= day)
        if not due:
            return None
        self.pending = [p for p in self.pending if p[0] > day]
        self.text += "".join(line for _, line in due)
        self.flushed_on = day
        return self.text.encode()


def write_repo(out: Path, commits: list[Commit], rng: random.Random, history: History) -> None:
    """Stream all commits through fast-import, then check out the work tree."""
    stream = FastImport(out, "main")
    ledger = Ledger(rng, history.docs)
    for index, commit in enumerate(commits):
        day = commit.when.date()
        files = first_files() if index == 0 else []
        if commit.kind == "add":
            for doc in commit.docs:
                doc.review_last = day
                if doc.status != "draft" and doc.approved_on is None:
                    doc.approved_on = day - timedelta(days=rng.randint(0, 400))
                if doc.approved_on is not None:
                    ledger.owe(doc, doc.approved_on, not_after=day)
                doc.history.append((doc.version, doc.approved_on or day,
                                    "Migrated from the legacy manual"))
                files.append((doc.path, doc.render()))
                if doc.kpi is not None:
                    doc.kpi.shown = doc.kpi.visible_rows(day)
                    files.append((kpi_path(doc), doc.kpi.csv(doc.kpi.shown)))
        elif commit.kind == "data":
            for doc in commit.kpis:
                kpi = doc.kpi
                assert kpi is not None
                rows = len(kpi.rows) if commit.label == "final" else kpi.visible_rows(day)
                if kpi.shown >= 0 and rows != kpi.shown:
                    kpi.shown = rows
                    files.append((kpi_path(doc), kpi.csv(rows)))
            acks = ledger.flush(day)
            if acks is not None:
                files.append((LEDGER_PATH, acks))
        else:
            for doc_id, action in commit.edits.items():
                doc = history.by_id(doc_id)
                apply_edit(rng, doc, action, day)
                if action == "revise":
                    ledger.owe(doc, day)
                files.append((doc.path, doc.render()))
        stream.commit(commit.author, commit.when, describe(commit), files)
    stream.close()
    # Parallel checkout: creating ~13k files one after another is the slow part here.
    run_git(out, "-c", "checkout.workers=0", "reset", "--hard", "--quiet")


def kpi_path(doc: Doc) -> str:
    """Repository path of a KPI's CSV (the ``data`` field is relative to the KPI file)."""
    return f"qms_docs/kpis/data/{doc.id}.csv"


#: The handbook config a QMS repository keeps at its root (as the example does): the
#: Material theme and the qmskit plugin. ``qmskit pages`` starts from it.
MKDOCS_YML: Final = """\
site_name: Generated QMS (benchmark corpus)
docs_dir: qms_docs
theme:
  name: material
  font: false
  features:
    - navigation.sections
    - navigation.indexes
    - navigation.prune
plugins:
  - search
  - qmskit
markdown_extensions:
  - admonition
  - attr_list
  - tables
  - toc:
      permalink: true
"""


def first_files() -> list[tuple[str, bytes]]:
    """Config, handbook config and plain index pages: files without an ``id``."""
    pages = {
        "qmskit.toml": "# qmskit configuration (benchmark corpus: defaults only)\n",
        "mkdocs.yml": MKDOCS_YML,
        LEDGER_PATH: LEDGER_HEADER,
        "qms_docs/index.md": "# Quality manual\n\nStart with the strategy map and the "
                             "document register.\n",
        "qms_docs/strategy/index.md": "# Strategy\n\nOur strategic priorities.\n",
        "qms_docs/roles/index.md": "# Roles and responsibilities\n",
        "qms_docs/kpis/index.md": "# Key performance indicators\n",
        "procedures/index.md": "# Processes and procedures\n",
        "objectives/index.md": "# Quality objectives\n",
    }
    return [(path, text.encode()) for path, text in pages.items()]


# --------------------------------------------------------------------------------------
# Entry point.
# --------------------------------------------------------------------------------------


def build_documents(rng: random.Random, docs: int, today: date) -> Builder:
    """Create all documents and links in import order (roles first, KPIs last)."""
    builder = Builder(rng, Mix.for_docs(docs), today)
    builder.build_roles()
    strategies = builder.build_strategies()
    objectives = builder.build_objectives(strategies)
    processes = builder.build_processes(objectives)
    procedures = builder.build_procedures(objectives, processes)
    # A few leaf procedures (nothing links to them) are drafts or retired: realistic,
    # and links to them would be findings, so nothing must link to them later.
    leaves = [p for p in procedures if p.links_in == 0]
    rng.shuffle(leaves)
    n_draft = max(1, len(procedures) // 50)
    n_retired = max(1, len(procedures) // 100)
    for doc in leaves[:n_draft]:
        doc.status = "draft"
    for doc in leaves[n_draft:n_draft + n_retired]:
        doc.status = "retired"
    active = [p for p in procedures if p.status == "approved"]
    for doc in leaves[n_draft:n_draft + n_retired]:
        doc.superseded_by = rng.choice(active).id
    measurable = processes + active
    builder.build_kpis(objectives, measurable, Timeline(today).end)
    # Documents migrated from a legacy manual arrive at various versions.
    for doc in builder.docs:
        if doc.status != "draft":
            doc.version = rng.choice([1, 1, 2, 3, 4])
    return builder


def generate(out: Path, docs: int, commits: int, seed: int, today: date,
             defect_rate: float) -> dict[str, object]:
    """Generate the corpus into ``out`` and return the manifest written beside it."""
    started = time.perf_counter()
    rng = random.Random(seed)
    builder = build_documents(rng, docs, today)
    timeline = Timeline(today)
    history = History(rng, builder.docs, commits, timeline, builder.areas)
    plan = history.plan(defect_rate)
    out.mkdir(parents=True, exist_ok=True)
    run_git(out, "init", "--quiet", "--initial-branch=main")
    write_repo(out, plan, rng, history)
    counts: dict[str, int] = {}
    for doc in builder.docs:
        counts[doc.kind] = counts.get(doc.kind, 0) + 1
    manifest: dict[str, object] = {
        "generator_version": GENERATOR_VERSION,
        "generator_sha256": hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
        "params": {"docs": docs, "commits": commits, "seed": seed, "today": today.isoformat(),
                   "defect_rate": defect_rate},
        "counts": counts,
        "commits": len(plan),
        "kpi_csv_files": counts.get("kpi", 0),
        "planted": [p.as_json() for p in history.planted],
        "incidental": incidental_findings(builder.docs, timeline, history.planted),
        "seconds": round(time.perf_counter() - started, 2),
    }
    (out / ".git" / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def incidental_findings(docs: list[Doc], timeline: Timeline,
                        planted: list[Planted]) -> list[dict[str, str]]:
    """Review findings that were not planted (only expected with very few commits)."""
    overdue = {p.id for p in planted if p.defect == "review-overdue"}
    found = []
    for doc in docs:
        assert doc.review_last is not None
        due = add_interval(doc.review_last, doc.interval)
        if timeline.today <= due < timeline.need_until:
            found.append({"defect": "review-due-soon", "id": doc.id, "detail": f"due {due}"})
        elif due < timeline.today and doc.id not in overdue:
            found.append({"defect": "review-overdue", "id": doc.id, "detail": f"due {due}"})
    return found


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line interface."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("out", type=Path, help="directory to create (must be empty or absent)")
    parser.add_argument("--docs", type=int, required=True, help="number of controlled documents")
    parser.add_argument("--commits", type=int, help="number of commits (default max(200, N // 5))")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--today", type=date.fromisoformat, default=DEFAULT_TODAY,
                        help="evaluation date the corpus is valid at (default 2026-11-24)")
    parser.add_argument("--defect-rate", type=float, default=0.01,
                        help="share of documents with a planted defect (default 0.01)")
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Generate one corpus and print a one-line summary."""
    args = parse_args(argv)
    out: Path = args.out
    if args.docs < MIN_DOCS:
        print(f"error: --docs must be at least {MIN_DOCS}", file=sys.stderr)
        return 2
    commits: int = args.commits if args.commits is not None else max(200, args.docs // 5)
    if commits < MIN_COMMITS:
        print(f"error: --commits must be at least {MIN_COMMITS}", file=sys.stderr)
        return 2
    if out.exists() and any(out.iterdir()):
        if not args.force:
            print(f"error: {out} is not empty (use --force to replace it)", file=sys.stderr)
            return 2
        shutil.rmtree(out)
    manifest = generate(out, args.docs, commits, args.seed, args.today, args.defect_rate)
    planted = manifest["planted"]
    assert isinstance(planted, list)
    print(f"{out}: {args.docs} documents, {manifest['commits']} commits, "
          f"{len(planted)} planted defects in {manifest['seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
