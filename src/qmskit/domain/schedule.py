"""When things are due: document reviews and KPI measurements, as of a given day.

Shared by the currency rules, `qmskit due` and the site's review calendar and KPI
dashboard, so that all three always agree on what "overdue" means.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from qmskit.config import Config
from qmskit.model.doc import Doc
from qmskit.model.documents import Kpi
from qmskit.model.series import Measurement, Period, Row, values
from qmskit.model.types import Interval

ReviewState = Literal["overdue", "due-soon", "current", "never-reviewed", "exempt"]

#: Records (ISO 9001 7.5.3: retained documented information) are evidence of what
#: happened, not documents kept current by periodic review; an action file also changes
#: as the action progresses. They are exempt from the review rules (C401-C403).
RECORD_KINDS = frozenset({"action", "nonconformity", "audit", "review"})


@dataclass(frozen=True)
class ReviewStatus:
    """A document's review schedule as of `today`."""

    state: ReviewState
    last: date | None
    interval: Interval
    due: date | None


def review_status(doc: Doc, config: Config, today: date) -> ReviewStatus:
    """Review state of a document; drafts, retired documents and records are exempt.

    The last review is `review.last`, or `approved_on` when no review has been recorded
    yet (approval is the first review, ISO 9001 7.5.2).
    """
    model = doc.model
    interval = (model.review.interval if model.review else None) or config.interval_for(doc.kind)
    last = (model.review.last if model.review else None) or model.approved_on
    # A register row reviewed with its register is reviewed when the register is.
    if model.status != "approved" or doc.kind in RECORD_KINDS or "review" in doc.inherited:
        due = interval.after(last) if last else None
        return ReviewStatus("exempt", last, interval, due)
    if last is None:
        return ReviewStatus("never-reviewed", None, interval, None)
    due = interval.after(last)
    if due < today:
        return ReviewStatus("overdue", last, interval, due)
    if due <= config.review_window.after(today):
        return ReviewStatus("due-soon", last, interval, due)
    return ReviewStatus("current", last, interval, due)


KpiState = Literal["on-target", "amber", "red", "no-target", "no-data"]


@dataclass(frozen=True)
class KpiStatus:
    """The latest measurement of a KPI against its target and warning threshold, and
    when the next period is due."""

    state: KpiState
    #: The latest row with a value (the traffic light is computed from it).
    latest: Measurement | None
    next_due: date | None
    #: The period awaited next (due by `next_due`); None without data or at the end of
    #: the calendar.
    awaited: Period | None = None
    #: The latest period recorded at all, with a value or as `n/a` (currency counts it).
    recorded: Period | None = None


def _worse(value: float, limit: float, direction: str) -> bool:
    return value < limit if direction == "higher" else value > limit


def kpi_status(doc: Doc, series: list[Row] | None, config: Config) -> KpiStatus:
    """Where the latest value stands and when the next period is due.

    Traffic light: on target; amber when it misses the target but not `warn_at`; red
    when it is beyond `warn_at` (or misses the target and no `warn_at` is set). A period
    recorded as `n/a` counts for currency (the next period is due after it) but has no
    value, so the light is that of the latest value before it.
    """
    model = doc.model
    assert isinstance(model, Kpi)
    if not series:
        return KpiStatus("no-data", None, None)
    recorded = series[-1].period
    awaited = recorded.next()
    next_due = config.kpi_grace[model.frequency].after(awaited.end) if awaited else None
    measured = values(series)
    latest = measured[-1] if measured else None

    def status(state: KpiState) -> KpiStatus:
        return KpiStatus(state, latest, next_due, awaited, recorded)

    if latest is None:
        return status("no-data")
    if model.target is None:
        return status("no-target")
    if not _worse(latest.value, model.target, model.direction):
        return status("on-target")
    if model.warn_at is not None and not _worse(latest.value, model.warn_at, model.direction):
        return status("amber")
    return status("red")
