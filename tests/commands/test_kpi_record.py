"""`qmskit kpi record`: append-only, validated, atomic."""

from __future__ import annotations

from pathlib import Path

import pytest

from qmskit.cli import main

from qmsfactory import QmsRepo, approved, monthly

DATA = "qms_docs/kpis/data/KPI-A.csv"


def _record(repo: QmsRepo, *args: str) -> int:
    return main(["kpi", "record", *args, "--root", str(repo.root)])


def test_appends_one_row_and_keeps_every_byte(clean: QmsRepo,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = clean.data("KPI-A", monthly(1, 9))
    before = path.read_bytes()
    assert _record(clean, "KPI-A", "96.4", "--period", "2026-10") == 0
    assert path.read_bytes() == before + b"2026-10,96.4\n"
    assert "KPI-A 2026-10 = 96.4 % (target 95 %, on target)" in capsys.readouterr().out


@pytest.mark.parametrize(("existing", "expected"), [
    (b"period,value\r\n2026-09,96\r\n", b"period,value\r\n2026-09,96\r\n2026-10,91\r\n"),
    (b"period,value\n2026-09,96", b"period,value\n2026-09,96\n2026-10,91\n"),
    (b"\xef\xbb\xbfperiod,value\n2026-09,96\n",
     b"\xef\xbb\xbfperiod,value\n2026-09,96\n2026-10,91\n"),
])
def test_line_endings_and_bom_are_kept(clean: QmsRepo, capsys: pytest.CaptureFixture[str],
                                       existing: bytes, expected: bytes) -> None:
    path = clean.root / DATA
    path.write_bytes(existing)
    assert _record(clean, "KPI-A", "91", "--period", "2026-10") == 0
    assert path.read_bytes() == expected
    assert "amber" in capsys.readouterr().out


@pytest.mark.parametrize(("args", "message"), [
    (["KPI-A", "97", "--period", "2026-10"], "2026-10 is already recorded (line 11)"),
    (["KPI-A", "97", "--period", "2026-03"], "comes before the latest recorded period 2026-10"),
    (["KPI-A", "n/a", "--period", "2026-11"], "n/a needs --reason TEXT"),
    (["KPI-A", "96", "--reason", "why", "--period", "2026-11"], "--reason goes with the value n/a"),
    (["KPI-A", "n/a", "--reason", " ", "--period", "2026-11"], "--reason: n/a needs a reason"),
    (["KPI-A", "٩٦", "--period", "2026-11"], "is not a number"),
    (["KPI-A", "96 %", "--period", "2026-11"], "is not a number"),
    (["KPI-A", "96,4", "--period", "2026-11"], "is not a number"),
    (["KPI-A", "nan", "--period", "2026-11"], "is not a number"),
    (["KPI-A", "1e999", "--period", "2026-11"], "not a finite number"),
    (["KPI-A", "1_000", "--period", "2026-11"], "is not a number"),
    (["KPI-A", "97", "--period", "2026-Q4"], "is quarterly, but KPI-A is measured monthly"),
    (["KPI-A", "97", "--period", "Nov 2026"], "is not a period"),
    (["KPI-A", "97", "--period", "2027-01"], "has not ended yet: it ends on 2027-01-31"),
    (["KPI-A", "97", "--period", "2026-11"], "has not ended yet: it ends on 2026-11-30"),
    (["OBJ-A", "97", "--period", "2026-11"], "OBJ-A is the objective"),
    (["KPI-X", "97", "--period", "2026-11"], "no document in this QMS"),
])
def test_refusals_leave_the_file_alone(clean: QmsRepo, capsys: pytest.CaptureFixture[str],
                                       args: list[str], message: str) -> None:
    path = clean.root / DATA
    before = path.read_bytes()
    assert _record(clean, *args) == 2
    assert message in capsys.readouterr().err
    assert path.read_bytes() == before


def test_missing_period_option_is_usage_error(clean: QmsRepo,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert _record(clean, "KPI-A", "97") == 2
    assert "--period" in capsys.readouterr().err


def test_a_broken_data_file_is_not_appended_to(clean: QmsRepo,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = clean.data("KPI-A", "period,value\n2026-08,1\n2026-09,oops\n")
    assert _record(clean, "KPI-A", "97", "--period", "2026-10") == 2
    assert f"{DATA}:3:9: value 'oops' is not a number" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8").endswith("oops\n")


def test_missing_data_file_is_created_with_its_header(clean: QmsRepo,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    clean.write("KPI-B", "kpi", owner="ROLE-QM", measures=["PROC-A"], target=1.0,
                data="data/KPI-B.csv", **approved())
    assert _record(clean, "KPI-B", "0.5", "--period", "2026-10") == 0
    assert (clean.root / "qms_docs/kpis/data/KPI-B.csv").read_text(encoding="utf-8") == (
        "period,value\n2026-10,0.5\n")


def test_kpi_without_data_field_or_outside_data_is_refused(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    clean.write("KPI-C", "kpi", owner="ROLE-QM", measures=["PROC-A"], **approved())
    clean.write("KPI-D", "kpi", owner="ROLE-QM", measures=["PROC-A"],
                data="../../../../outside.csv", **approved())
    assert _record(clean, "KPI-C", "1", "--period", "2026-10") == 2
    assert "has no data file" in capsys.readouterr().err
    assert _record(clean, "KPI-D", "1", "--period", "2026-10") == 2
    assert "outside the repository" in capsys.readouterr().err
    assert not (clean.root.parent / "outside.csv").exists()


def test_recording_the_missing_period_clears_the_overdue_finding(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    clean.data("KPI-A", monthly(1, 9))
    assert main(["check", str(clean.root), "--select", "C404", "--today", "2026-11-24"]) == 1
    assert "qmskit kpi record KPI-A VALUE --period 2026-10" in capsys.readouterr().out
    assert _record(clean, "KPI-A", "96", "--period", "2026-10") == 0
    assert main(["check", str(clean.root), "--select", "C404", "--today", "2026-11-24"]) == 0


def test_weekly_and_quarterly_periods(repo: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.baseline()
    repo.write("KPI-W", "kpi", owner="ROLE-QM", measures=["PROC-A"], frequency="weekly",
               data="data/KPI-W.csv", **approved())
    repo.data("KPI-W", "period,value\n2026-W46,3\n")
    assert _record(repo, "KPI-W", "4", "--period", "2026-W47") == 0
    assert _record(repo, "KPI-W", "4", "--period", "2026-11") == 2
    text = Path(repo.root / "qms_docs/kpis/data/KPI-W.csv").read_text(encoding="utf-8")
    assert text == "period,value\n2026-W46,3\n2026-W47,4\n"
