"""KPI measurements: reporting periods and the `period,value` CSV files kept in git.

Periods are typed (month, ISO week, quarter, year) so that "is this KPI's data overdue?"
is a date computation, not string comparison, and a weekly KPI with a monthly row is an
error rather than a silently mis-sorted chart.
"""

from __future__ import annotations

import calendar
import csv
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal, NamedTuple

PeriodKind = Literal["weekly", "monthly", "quarterly", "yearly"]

_PATTERNS: tuple[tuple[PeriodKind, re.Pattern[str]], ...] = (
    ("monthly", re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")),
    ("weekly", re.compile(r"^(\d{4})-W(0[1-9]|[1-4]\d|5[0-3])$")),
    ("quarterly", re.compile(r"^(\d{4})-Q([1-4])$")),
    ("yearly", re.compile(r"^(\d{4})$")),
)


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period; ordered by start date."""

    start: date
    end: date
    kind: PeriodKind
    label: str

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse YYYY-MM, YYYY-Www, YYYY-Qn or YYYY; raise ValueError naming the forms."""
        return _parse_period(text.strip())

    @classmethod
    def _parse_uncached(cls, text: str) -> Period:
        for kind, pattern in _PATTERNS:
            match = pattern.match(text)
            if match is None:
                continue
            year = int(match.group(1))
            number = int(match.group(2)) if kind != "yearly" else 1
            return cls.of(kind, year, number)
        raise ValueError(
            f"{text!r} is not a period; use YYYY-MM, YYYY-Www, YYYY-Qn or YYYY"
        )

    @classmethod
    def of(cls, kind: PeriodKind, year: int, number: int) -> Period:
        """The `number`-th period of `kind` in `year` (number is ignored for years).

        Raises ValueError for a period the calendar cannot hold (year 0, or a week that
        would end after 9999-12-31).
        """
        if kind == "monthly":
            start = date(year, number, 1)
            end = date(year, number, calendar.monthrange(year, number)[1])
            return cls(start, end, kind, f"{year:04d}-{number:02d}")
        if kind == "weekly":
            try:
                start = date.fromisocalendar(year, number, 1)
            except ValueError:
                raise ValueError(f"{year} has no ISO week {number}") from None
            try:
                end = start + timedelta(days=6)
            except OverflowError:
                raise ValueError(f"week {year}-W{number:02d} ends after 9999-12-31, the end "
                                 "of the calendar") from None
            return cls(start, end, kind, f"{year:04d}-W{number:02d}")
        if kind == "quarterly":
            start = date(year, 3 * number - 2, 1)
            end = date(year, 3 * number, calendar.monthrange(year, 3 * number)[1])
            return cls(start, end, kind, f"{year:04d}-Q{number}")
        return cls(date(year, 1, 1), date(year, 12, 31), kind, f"{year:04d}")

    def next(self) -> Period | None:
        """The period that follows this one; None at the end of the calendar (9999).

        Where periods advance, and the only place: a period near the calendar's end has
        no successor, so nothing after it is ever due.
        """
        if self.end == date.max:
            return None
        following = self.end + timedelta(days=1)
        try:
            if self.kind == "weekly":
                iso = following.isocalendar()
                return Period.of("weekly", iso.year, iso.week)
            if self.kind == "monthly":
                return Period.of("monthly", following.year, following.month)
            if self.kind == "quarterly":
                return Period.of("quarterly", following.year, (following.month - 1) // 3 + 1)
            return Period.of("yearly", following.year, 1)
        except ValueError:
            return None

    def ended(self, today: date) -> bool:
        """True once the period is over on `today` (its last day has passed).

        The one rule for "may this period have a value yet?": `qmskit kpi record` refuses
        a period that has not ended and `qmskit check` reports one (C407).
        """
        return self.end < today


class Measurement(NamedTuple):
    """One row of a KPI's data file, with the line it came from for located findings.

    A NamedTuple rather than a frozen dataclass: tens of thousands are created per check.
    """

    period: Period
    value: float
    line: int


class NoData(NamedTuple):
    """A period recorded without a value, and why: `2026-10,n/a,plant shutdown`.

    For KPIs of rare events (complaints, accidents) a period can have nothing to
    measure. Recording that, with its reason, satisfies the period's currency (C404)
    without inventing a zero; charts show it as a gap and targets ignore it.
    """

    period: Period
    reason: str
    line: int


#: A row of a KPI's data file: a measurement, or a period recorded as having no data.
Row = Measurement | NoData

#: The value that records "no data for this period"; the reason follows in column 3.
NOT_AVAILABLE = "n/a"
#: Longest reason accepted for an `n/a` row.
MAX_REASON = 500


def values(rows: list[Row]) -> list[Measurement]:
    """The rows that carry a value (for targets, trends and charts' points)."""
    return [row for row in rows if isinstance(row, Measurement)]


@lru_cache(maxsize=4096)
def _parse_period(text: str) -> Period:
    # Thousands of KPI files share the same few hundred period labels.
    return Period._parse_uncached(text)


#: A plain decimal number in ASCII digits. Python's float() would also take "7_0",
#: Unicode digits ("٧٠"), "nan", "inf" and surrounding Unicode spaces.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def parse_number(text: str) -> float:
    """A KPI value: a finite decimal number such as `96.4`, `-3` or `1.2e3`.

    The one number parser for KPI values: the check reads data files with it and `qmskit
    kpi record` validates what it writes with it, so neither accepts what the other
    refuses. Raises ValueError saying how to write the number.
    """
    stripped = text.strip(" \t")
    if not _NUMBER.fullmatch(stripped):
        raise ValueError(f"value {text.strip()!r} is not a number; write it like 96.4 (ASCII "
                         "digits, a dot for decimals, no unit or thousands separator)")
    number = float(stripped)
    if not math.isfinite(number):
        raise ValueError(f"value {text.strip()!r} is not a finite number")
    return number


def check_reason(text: str) -> str:
    """The reason of an `n/a` row, trimmed; raise ValueError when it is missing or unfit."""
    reason = text.strip()
    if not reason:
        raise ValueError("n/a needs a reason in the third column, e.g. "
                         "'2026-10,n/a,plant shutdown'")
    if len(reason) > MAX_REASON:
        raise ValueError(f"the reason is {len(reason)} characters; keep it under {MAX_REASON}")
    if any(ord(char) < 32 or ord(char) == 127 for char in reason):
        raise ValueError("the reason must be one line of text")
    return reason


class SeriesError(Exception):
    """A KPI data file problem at a 1-based line and column."""

    def __init__(self, line: int, col: int, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.line, self.col, self.message, self.hint = line, col, message, hint


MAX_ROWS = 100_000


def _cells(text: str) -> Iterator[list[str]]:
    """The cells of each line; one record per line (a value never spans lines).

    Plain lines are split directly (fast); a line with quotes goes through csv, and a
    malformed one is an error at its own line.
    """
    for number, line in enumerate(text.splitlines(), start=1):
        if '"' not in line:
            yield line.split(",")
            continue
        try:
            yield next(csv.reader([line]), [])
        except csv.Error as error:
            raise SeriesError(number, 1, f"malformed CSV: {error}",
                              "write one 'period,value' row per line") from None


def _column(row: list[str], index: int) -> int:
    """1-based column where cell `index` starts (exact for unquoted rows)."""
    return sum(len(cell) + 1 for cell in row[:index]) + 1


def _row(row: list[str], line: int, period: Period) -> Row:
    """The value (or `n/a` and its reason) of one data row."""
    cell = row[1]
    if cell.strip().lower() == NOT_AVAILABLE:
        try:
            reason = check_reason(",".join(row[2:]))
        except ValueError as error:
            raise SeriesError(line, _column(row, 1), str(error)) from None
        return NoData(period, reason, line)
    extra = [c for c in row[2:] if c.strip()]
    if extra:
        # `2026-10,61,9` is a decimal comma, not 61 with a note.
        guess = (f"; a decimal comma? write {cell.strip()}.{row[2].strip()}"
                 if cell.strip().isascii() and row[2].strip().isascii()
                 and cell.strip().isdigit() and row[2].strip().isdigit() else "")
        raise SeriesError(line, _column(row, 2),
                          f"row has {2 + len(extra)} values where one belongs{guess}",
                          "one 'period,value' per row; only an n/a row carries a reason")
    try:
        return Measurement(period, parse_number(cell), line)
    except ValueError as error:
        raise SeriesError(line, _column(row, 1), str(error)) from None


def parse_series(text: str, frequency: PeriodKind) -> list[Row]:
    """Parse a `period,value` CSV; rows must match `frequency` and ascend without repeats.

    A value is a number (`parse_number`) or `n/a` with a reason in a third column. The
    first problem raises: a KPI whose history is partly unreadable must not be evaluated
    against its target on whatever rows happened to parse.
    """
    reader = _cells(text)
    header = next(reader, None)
    if header is None:
        raise SeriesError(1, 1, "KPI data file is empty", "start it with the header 'period,value'")
    if [cell.strip().lower() for cell in header[:2]] != ["period", "value"]:
        raise SeriesError(1, 1, "KPI data file must start with the header 'period,value'")
    rows: list[Row] = []
    for line, row in enumerate(reader, start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(rows) >= MAX_ROWS:
            raise SeriesError(line, 1, f"KPI data file has more than {MAX_ROWS} rows")
        if len(row) < 2:
            raise SeriesError(line, 1, "row needs two columns: period,value")
        try:
            period = Period.parse(row[0])
        except ValueError as error:
            raise SeriesError(line, 1, str(error)) from None
        if period.kind != frequency:
            raise SeriesError(
                line, 1, f"period {period.label} is {period.kind}, but the KPI is {frequency}"
            )
        if rows and period.start <= rows[-1].period.start:
            what = "repeats" if period.start == rows[-1].period.start else "comes before"
            raise SeriesError(
                line, 1, f"period {period.label} {what} {rows[-1].period.label} on line "
                f"{rows[-1].line}", "keep one row per period in ascending order",
            )
        if len(row) == 2 and _is_number(row[1]):
            # The common row, kept on the fast path: tens of thousands per check.
            value = float(row[1])
            if math.isfinite(value):
                rows.append(Measurement(period, value, line))
                continue
        rows.append(_row(row, line, period))
    return rows


_is_number = _NUMBER.fullmatch
