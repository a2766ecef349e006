"""Reporting periods and KPI data files."""

from __future__ import annotations

from datetime import date

import pytest

from qmskit.model.series import (
    Measurement,
    NoData,
    Period,
    SeriesError,
    parse_number,
    parse_series,
    values,
)
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
        ("period,value\n2026-01,nan\n", 2, "not a number"),
        ("period,value\n2026-01,1e999\n", 2, "not a finite number"),
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


# --- one strict number parser; n/a rows (issue 11 items 13 and 18) ----------------------

@pytest.mark.parametrize(("text", "value"), [
    ("96.4", 96.4), ("-3", -3.0), ("+5", 5.0), (".5", 0.5), ("7.", 7.0), ("1.2e3", 1200.0),
    (" 96 ", 96.0),
])
def test_parse_number(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["7_0", "٧٠", "９６", "96,4", "1,000", "nan", "inf", "0x10",
                                  "96 %", "", "\u200796"])
def test_parse_number_refuses_what_float_would_take(text: str) -> None:
    with pytest.raises(ValueError, match="not a number"):
        parse_number(text)


def test_n_a_rows_keep_their_reason() -> None:
    rows = parse_series('period,value\n2026-09,2\n2026-10,n/a,plant shutdown, no shipments\n'
                        '2026-11,N/A,"quoted, with a comma"\n', "monthly")
    assert rows == [Measurement(Period.parse("2026-09"), 2.0, 2),
                    NoData(Period.parse("2026-10"), "plant shutdown, no shipments", 3),
                    NoData(Period.parse("2026-11"), "quoted, with a comma", 4)]
    assert values(rows) == rows[:1]


@pytest.mark.parametrize(("row", "col", "fragment"), [
    ("2026-10,61,9", 12, "a decimal comma? write 61.9"),
    ("2026-10,61,note", 12, "row has 3 values where one belongs"),
    ("2026-10,n/a", 9, "n/a needs a reason"),
    ("2026-10,n/a,  ", 9, "n/a needs a reason"),
    ("2026-10,7_0", 9, "not a number"),
    ("2026-10,٧٠", 9, "not a number"),
])
def test_bad_values_are_located(row: str, col: int, fragment: str) -> None:
    with pytest.raises(SeriesError) as caught:
        parse_series(f"period,value\n2026-09,1\n{row}\n", "monthly")
    assert (caught.value.line, caught.value.col) == (3, col)
    assert fragment in caught.value.message


def test_an_empty_third_cell_is_no_value() -> None:
    # A spreadsheet that has a note column exports `2026-10,61,` for a row without note.
    assert [r.line for r in parse_series("period,value,note\n2026-10,61,\n", "monthly")] == [2]


def test_periods_end_on_their_last_day() -> None:
    november = Period.parse("2026-11")
    assert not november.ended(date(2026, 11, 30))
    assert november.ended(date(2026, 12, 1))
    assert Period.parse("2026-W47").ended(date(2026, 11, 23))
