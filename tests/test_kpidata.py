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
    assert period.next().label == following


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
