"""Interval words (issue 13): `quarterly`, `every 2 weeks` ... wherever an interval is read,
through one parser (`Interval.parse`)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from qmskit.cli import main
from qmskit.commands.due import parse_within
from qmskit.config import parse_config
from qmskit.errors import ConfigError
from qmskit.model.types import INTERVAL_SCHEMA_PATTERN, Interval

from qmsfactory import TODAY, QmsRepo, approved, line_of


@pytest.mark.parametrize(("text", "count", "unit"), [
    ("daily", 1, "day"), ("weekly", 1, "week"), ("fortnightly", 2, "week"),
    ("monthly", 1, "month"), ("quarterly", 3, "month"), ("half-yearly", 6, "month"),
    ("semi-annually", 6, "month"), ("biannually", 6, "month"), ("yearly", 1, "year"),
    ("annually", 1, "year"), ("biennially", 2, "year"), ("every 2 weeks", 2, "week"),
    ("every 18 months", 18, "month"), ("every quarter", 3, "month"),
    ("every year", 1, "year"), ("Quarterly", 3, "month"), ("12 months", 12, "month"),
    ("1 year", 1, "year"),
])
def test_interval_words(text: str, count: int, unit: str) -> None:
    assert Interval.parse(text) == Interval(count, unit)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["sometimes", "every", "0 months", "every 0 days",
                                  "quarterly-ish", "200 years"])
def test_not_intervals(text: str) -> None:
    with pytest.raises(ValueError):
        Interval.parse(text)


def test_the_schema_pattern_agrees_with_the_parser() -> None:
    import re

    for text in ("quarterly", "every 2 weeks", "12 months", "half-yearly", "every year"):
        assert re.fullmatch(INTERVAL_SCHEMA_PATTERN, text), text
    assert not re.fullmatch(INTERVAL_SCHEMA_PATTERN, "sometimes")


def test_quarterly_review_interval_in_front_matter(clean: QmsRepo,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = clean.write("PROC-QTR", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                       **approved(approved_on="2026-06-01",
                                  review={"last": "2026-06-01", "interval": "quarterly"}))
    main(["check", str(clean.root), "--format", "json", "--no-cache", "--today", TODAY])
    findings: list[dict[str, Any]] = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["code"], f["line"]) for f in findings] == [("C401", line_of(path, "last:"))]
    assert "review overdue since 2026-09-01" in findings[0]["message"]
    assert "every 3 months" in findings[0]["message"]


def test_interval_words_in_config() -> None:
    config = parse_config({"review_window": "monthly", "review_interval": {"kpi": "quarterly"},
                           "audit_interval": "every 18 months",
                           "management_review_interval": "yearly",
                           "kpi_grace": {"monthly": "fortnightly"}}, "qmskit.toml")
    assert config.review_window == Interval(1, "month")
    assert config.interval_for("kpi") == Interval(3, "month")
    assert config.audit_interval == Interval(18, "month")
    assert config.kpi_grace["monthly"] == Interval(2, "week")
    with pytest.raises(ConfigError, match="quarterly"):
        parse_config({"review_window": "sometimes"}, "qmskit.toml")


def test_due_within_takes_words() -> None:
    assert parse_within("quarterly").after(date(2026, 1, 31)) == date(2026, 4, 30)
    assert parse_within("14") == Interval(14, "day")


def test_due_command_with_a_word(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["due", "--root", str(clean.root), "--within", "half-yearly", "--today",
                 TODAY]) == 0
    assert "(due within 6 months," in capsys.readouterr().out
