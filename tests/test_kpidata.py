"""Reporting periods and KPI data files."""

from __future__ import annotations

from datetime import date

import pytest

from qmskit.model.series import Period, SeriesError, parse_series
from qmskit.model.types import Interval


@pytest.mark.parametrize(
    ("text", "start", "end", "following"),
    [
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28), "2026-03"),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31), "2027-01"),
        ("2026-W01", date(2025, 12, 29), date(2026, 1, 4), "2026-W02"),
        ("2026-W53", date(2026, 12, 28), date(2027, 1, 3), "2027-W01"),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), "2027-Q1"),
        ("2026", date(2026, 1, 1), date(2026, 12, 31), "2027"),
    ],
)
def test_periods(text: str, start: date, end: date, following: str) -> None:
    period = Period.parse(text)
    assert (period.start, period.end) == (start, end)
    following_period = period.next()
    assert following_period is not None and following_period.label == following


@pytest.mark.parametrize("text", ["2026-13", "2026-W54", "2025-W53", "2026-Q5", "26", "Jan"])
def test_bad_periods(text: str) -> None:
    with pytest.raises(ValueError):
        Period.parse(text)


def test_series_parses_in_order() -> None:
    rows = parse_series("period,value\n2026-01,1.5\n2026-02,2\n\n", "monthly")
    assert [(r.period.label, r.value, r.line) for r in rows] == [
        ("2026-01", 1.5, 2), ("2026-02", 2.0, 3)]


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("", 1, "empty"),
        ("month,value\n", 1, "header"),
        ("period,value\n2026-01,abc\n", 2, "not a number"),
        ("period,value\n2026-01,nan\n", 2, "not finite"),
        ("period,value\n2026-02,1\n2026-01,1\n", 3, "comes before"),
        ("period,value\n2026-02,1\n2026-02,1\n", 3, "repeats"),
        ("period,value\n2026-Q1,1\n", 2, "quarterly"),
        ("period,value\n2026-01\n", 2, "two columns"),
    ],
)
def test_series_errors_are_located(text: str, line: int, fragment: str) -> None:
    with pytest.raises(SeriesError) as caught:
        parse_series(text, "monthly")
    assert caught.value.line == line
    assert fragment in caught.value.message


@pytest.mark.parametrize(
    ("interval", "start", "after"),
    [
        ("12 months", date(2026, 1, 31), date(2027, 1, 31)),
        ("1 month", date(2026, 1, 31), date(2026, 2, 28)),
        ("2 years", date(2024, 2, 29), date(2026, 2, 28)),
        ("30 days", date(2026, 11, 24), date(2026, 12, 24)),
        ("2 weeks", date(2026, 11, 24), date(2026, 12, 8)),
    ],
)
def test_interval_arithmetic(interval: str, start: date, after: date) -> None:
    assert Interval.parse(interval).after(start) == after


@pytest.mark.parametrize("text", ["0 months", "twelve months", "12 fortnights", ""])
def test_bad_intervals(text: str) -> None:
    with pytest.raises(ValueError):
        Interval.parse(text)


# --- dates near the end of the calendar (issue 11 item 19) ------------------------------

@pytest.mark.parametrize(
    ("interval", "start"),
    [
        ("12 months", date(9999, 12, 1)),
        ("100 years", date(9950, 1, 1)),
        ("30 days", date(9999, 12, 20)),
        ("2 weeks", date(9999, 12, 25)),
    ],
)
def test_an_interval_past_the_end_of_the_calendar_is_never_due(interval: str,
                                                               start: date) -> None:
    assert Interval.parse(interval).after(start) == date.max


@pytest.mark.parametrize("text", ["8000 years", "101 years", "1201 months", "5219 weeks",
                                  "5300 weeks"])
def test_intervals_longer_than_a_century_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="longer than 100 years"):
        Interval.parse(text)


def test_the_longest_intervals_are_accepted() -> None:
    for text in ("100 years", "1200 months", "5218 weeks", "9999 days"):
        Interval.parse(text)


@pytest.mark.parametrize("text", ["9999-12", "9999-Q4", "9999", "9999-W51"])
def test_the_last_periods_of_the_calendar_have_no_successor(text: str) -> None:
    period = Period.parse(text)
    assert period.end <= date.max
    assert period.next() is None


def test_a_week_that_ends_after_the_calendar_is_a_located_error() -> None:
    with pytest.raises(SeriesError) as caught:
        parse_series("period,value\n2026-W46,96\n9999-W52,96\n", "weekly")
    assert caught.value.line == 3 and "end of the calendar" in caught.value.message
