"""KPI entry: what `qmskit kpi record` writes and what `qmskit check` reads agree
(issue 11 items 13 and 18).

One number parser and one "has this period ended?" serve both, so a value or a period
the writer refuses is a located finding in the check, and whatever the writer writes
the check accepts. A period with nothing to measure is recorded as `n/a` with a reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qmskit.cli import main
from qmskit.loader import open_qms
from qmskit.site import SiteContext
from qmskit.site.documents import kpi_points, render_kpi_chart

from qmsfactory import TODAY, QmsRepo, monthly

DATA = "qms_docs/kpis/data/KPI-A.csv"


def _findings(root: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    capsys.readouterr()
    main(["check", str(root), "--format", "json", "--no-cache", "--today", TODAY])
    findings: list[dict[str, Any]] = json.loads(capsys.readouterr().out)["findings"]
    return findings


def _located(findings: list[dict[str, Any]]) -> set[tuple[str, str, int]]:
    return {(f["code"], f["path"], f["line"]) for f in findings}


def _record(repo: QmsRepo, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["kpi", "record", "KPI-A", *args, "--root", str(repo.root)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


# --- one rule for values ----------------------------------------------------------------

@pytest.mark.parametrize("value", ["61,9", "7_0", "٧٠", "９６", "nan", "96 %"])
def test_a_value_the_writer_refuses_is_a_finding_in_the_check(
    value: str, clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    data = clean.data("KPI-A", monthly(1, 9))
    code, text = _record(clean, capsys, value, "--period", "2026-10")
    assert code == 2 and "Traceback" not in text
    assert data.read_text(encoding="utf-8") == monthly(1, 9)  # nothing written
    # The same value written by hand (a decimal comma unquoted is a third cell).
    data.write_text(monthly(1, 9) + f"2026-10,{value}\n", encoding="utf-8")
    assert ("D105", DATA, 11) in _located(_findings(clean.root, capsys))


# --- one rule for periods ---------------------------------------------------------------

@pytest.mark.parametrize("period", ["2026-11", "2062-10"])
def test_a_period_that_has_not_ended_is_refused_and_reported(
    period: str, clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    data = clean.root / DATA
    before = data.read_bytes()
    code, text = _record(clean, capsys, "96", "--period", period)
    assert code == 2 and "has not ended yet" in text
    assert data.read_bytes() == before
    data.write_bytes(before + f"{period},96\n".encode())
    findings = _findings(clean.root, capsys)
    assert ("C407", DATA, 12) in _located(findings)
    assert all(f["severity"] == "error" for f in findings if f["code"] == "C407")


def test_review_and_approval_stamps_after_today_are_reported(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    path = clean.root / "procedures/PROC-A.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("last: 2026-06-01", "last: 2062-06-01")
                    .replace("approved_on: 2026-06-01", "approved_on: 9999-12-20"),
                    encoding="utf-8")
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [(f["code"], f["line"]) for f in _findings(clean.root, capsys)]
    assert found == [("C407", lines.index("approved_on: 9999-12-20") + 1),
                     ("C407", lines.index("  last: 2062-06-01") + 1)]


# --- n/a: a period with nothing to measure ----------------------------------------------

def test_n_a_with_a_reason_records_the_period(clean: QmsRepo,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    data = clean.data("KPI-A", monthly(1, 9))  # 2026-10 was due by 2026-11-15
    assert {f["code"] for f in _findings(clean.root, capsys)} == {"C404"}
    code, text = _record(clean, capsys, "n/a", "--reason", "plant shutdown, no deliveries",
                         "--period", "2026-10")
    assert code == 0, text
    assert "KPI-A 2026-10 = no data (plant shutdown, no deliveries)" in text
    # The reason has a comma, so it is quoted; the check reads it back as one reason.
    assert data.read_text(encoding="utf-8") == (
        monthly(1, 9) + '2026-10,n/a,"plant shutdown, no deliveries"\n')
    assert _findings(clean.root, capsys) == []
    # The next value goes after it as usual; November has not ended yet.
    assert _record(clean, capsys, "n/a", "--reason", "x", "--period", "2026-11")[0] == 2


def test_n_a_is_a_gap_not_a_zero(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    # The last value (September, 93.5) is amber; October had nothing to measure.
    clean.data("KPI-A", monthly(1, 8) + "2026-09,93.5\n2026-10,n/a,plant shutdown\n")
    findings = _findings(clean.root, capsys)
    assert [(f["code"], f["message"]) for f in findings] == [
        ("C405", "2026-09 value 93.5 % misses target 95 % (amber: within warn_at 90 %)")]
    qms = open_qms(clean.root)
    doc = qms.documents["KPI-A"]
    ctx = SiteContext.create(qms)
    points = kpi_points(ctx, doc)
    assert [(p.label, p.value) for p in points[-2:]] == [("2026-09", 93.5), ("2026-10", None)]
    chart = render_kpi_chart(ctx, doc)
    assert chart.count('class="qms-point ') == 9  # no point (and no zero) for October
    assert "2026-10: no data (plant shutdown)" in chart


def test_a_gap_between_values_breaks_the_line(clean: QmsRepo) -> None:
    clean.data("KPI-A", "period,value\n2026-07,96\n2026-08,97\n2026-09,n/a,shutdown\n"
               "2026-10,98\n")
    qms = open_qms(clean.root)
    chart = render_kpi_chart(SiteContext.create(qms), qms.documents["KPI-A"])
    assert chart.count("<polyline") == 1  # July-August; October alone is a point
    assert chart.count('class="qms-point ') == 3


def test_only_n_a_rows_are_current_but_have_no_value(clean: QmsRepo,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    clean.data("KPI-A", "period,value\n2026-10,n/a,no complaints possible: plant shutdown\n")
    assert _findings(clean.root, capsys) == []
    context = SiteContext.create(open_qms(clean.root))
    assert context.kpis["KPI-A"].state == "no-data"
    assert context.kpis["KPI-A"].recorded is not None
