"""Concurrent edits never corrupt a file: real processes racing on the same document/CSV.

`qmskit kpi record` and `qmskit review` read, change and atomically replace a file; the
folder lock (`qmskit.edit.locked`) serialises them, so no change is lost and no
out-of-order period slips past the check between another process's read and write.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from qmskit.model.series import parse_series

from qmsfactory import QmsRepo, monthly

QMSKIT = str(Path(sys.executable).with_name("qmskit"))


def _race(commands: list[list[str]], cwd: Path) -> list[subprocess.CompletedProcess[str]]:
    """Start every command at once and wait for all of them."""
    procs = [subprocess.Popen(c, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for c in commands]
    results = []
    for proc, command in zip(procs, commands, strict=True):
        out, err = proc.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(command, proc.returncode, out, err))
    return results


def test_concurrent_kpi_records_lose_nothing(clean: QmsRepo) -> None:
    clean.data("KPI-A", monthly(1, 4, 96.0))
    periods = [f"2026-{month:02d}" for month in range(5, 11)]
    for _ in range(3):  # several rounds: interleavings differ from run to run
        clean.data("KPI-A", monthly(1, 4, 96.0))
        results = _race([[QMSKIT, "kpi", "record", "KPI-A", str(95 + i), "--period", period,
                          "--root", str(clean.root)] for i, period in enumerate(periods)],
                        clean.root)
        text = (clean.root / "qms_docs/kpis/data/KPI-A.csv").read_text(encoding="utf-8")
        rows = parse_series(text, "monthly")  # still a valid, ascending series
        recorded = {row.period.label for row in rows}
        for period, result in zip(periods, results, strict=True):
            assert result.returncode in (0, 2), result.stderr
            # A process that said it recorded its value must find it in the file.
            assert (period in recorded) == (result.returncode == 0), (period, result.stderr)
        assert len(rows) == 4 + sum(r.returncode == 0 for r in results)


def test_concurrent_reviews_leave_one_consistent_stamp(clean: QmsRepo) -> None:
    dates = [f"2026-11-{day:02d}" for day in range(10, 18)]
    results = _race([[QMSKIT, "review", "PROC-A", "--by", "ROLE-QM", "--date", day,
                      "--no-bump", "--root", str(clean.root)] for day in dates], clean.root)
    # A stamp never goes back in time, so a process whose date is older than one already
    # written fails cleanly; the winners' dates must then be the ones in the file.
    assert all(r.returncode in (0, 2) for r in results), [r.stderr for r in results]
    assert all("never goes back in time" in r.stderr for r in results if r.returncode)
    won = [day for day, r in zip(dates, results, strict=True) if r.returncode == 0]
    text = (clean.root / "procedures/PROC-A.md").read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---\n")[1])
    assert won and str(front["review"]["last"]) == max(won)
    assert text.count("last:") == 1 and text.count("by: ROLE-QM") == 1
    assert text.rstrip().endswith("Body text.")
