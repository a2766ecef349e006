"""`qmskit kpi record KPI VALUE --period P`: append one measurement to a KPI's data file.

The data file is history kept in git, so a record is an append and nothing else: the
existing bytes stay as they are and one `period,value` row is added (atomically, via a
temporary file, and never over a line another program wrote meanwhile: `edit_file`).
Anything that would make the series wrong is refused before writing:
a value that is not a finite number, a period in the wrong form or for the wrong
frequency, a period that repeats or precedes the latest one, a period that has not
ended yet, and a data file that is already broken. The value and the period are
validated by the same functions the check reads the file with (`parse_number`,
`Period.ended`), so `kpi record` never writes what `qmskit check` refuses.

`VALUE` `n/a` with `--reason TEXT` records that the period had nothing to measure (a
KPI of rare events): the row `2026-10,n/a,plant shutdown` keeps C404 quiet for that
period and shows as a gap in the charts, never as an invented zero.
"""

from __future__ import annotations

import csv
import io
import posixpath
import sys
from pathlib import Path

from qmskit.edit import edit_file
from qmskit.errors import EXIT_CLEAN, QmsError
from qmskit.loader import open_qms
from qmskit.model.series import (
    NOT_AVAILABLE,
    Measurement,
    NoData,
    Period,
    Row,
    SeriesError,
    check_reason,
    parse_number,
    parse_series,
)

HEADER = "period,value"


def _cells(value: str, reason: str | None, period: Period, line: int) -> tuple[str, Row]:
    """The text of the row after the period, and the row as the check will read it."""
    if value.strip().lower() == NOT_AVAILABLE:
        if reason is None:
            raise QmsError("n/a needs --reason TEXT: why the period has no data (e.g. "
                           "--reason 'plant shutdown')")
        try:
            text = check_reason(reason)
        except ValueError as error:
            raise QmsError(f"--reason: {error}") from None
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="").writerow([NOT_AVAILABLE, text])
        return buffer.getvalue(), NoData(period, text, line)
    if reason is not None:
        raise QmsError("--reason goes with the value n/a only; a measured value needs none")
    try:
        number = parse_number(value)
    except ValueError as error:
        raise QmsError(str(error)) from None
    return value.strip(" \t"), Measurement(period, number, line)


def record(root: Path, kpi_id: str, value: str, period: str, *, reason: str | None = None,
           config_path: Path | None = None) -> int:
    """Append `period,value` (or `period,n/a,reason`) to the KPI's data file; exit 0, or
    2 when refused."""
    from qmskit.domain.schedule import kpi_status
    from qmskit.model.documents import Kpi

    qms = open_qms(root, config_path, with_git=False)
    doc = qms.documents.get(kpi_id)
    if doc is None or not isinstance(doc.model, Kpi):
        what = (f"the {doc.kind} {doc.title!r}" if doc is not None
                else "no document in this QMS")
        raise QmsError(f"{kpi_id} is {what}; `qmskit kpi record` needs a KPI id")
    model = doc.model
    if model.data is None:
        raise QmsError(f"{kpi_id} has no data file; add 'data: data/{kpi_id}.csv' to "
                       f"{doc.path} first")
    try:
        new_period = Period.parse(period)
    except ValueError as error:
        raise QmsError(str(error)) from None
    text_value, new_row = _cells(value, reason, new_period, 0)
    if new_period.kind != model.frequency:
        raise QmsError(f"period {new_period.label} is {new_period.kind}, but {kpi_id} is "
                       f"measured {model.frequency}")
    today = qms.evaluation_date(None)
    if not new_period.ended(today):
        raise QmsError(f"period {new_period.label} has not ended yet: it ends on "
                       f"{new_period.end} (today is {today}); record it once it has ended")

    relative = posixpath.normpath(posixpath.join(posixpath.dirname(doc.path), model.data))
    if relative.startswith("../") or relative == ".." or posixpath.isabs(model.data):
        raise QmsError(f"{doc.path}: data path {model.data!r} points outside the repository")

    series: list[Row] = []

    def append(text: str | None) -> str:
        # Runs under the folder's lock, and again if another program changed the file
        # meanwhile: two records never lose a row or slip an out-of-order period past.
        nonlocal series
        if text is None:
            series = []
            return f"{HEADER}\n{new_period.label},{text_value}\n"
        try:
            series = parse_series(text.removeprefix("\ufeff"), model.frequency)
        except SeriesError as error:
            raise QmsError(f"{relative}:{error.line}:{error.col}: {error.message}; fix the "
                           "data file before recording") from None
        if series and new_period <= series[-1].period:
            latest = series[-1]
            what = "is already recorded" if new_period == latest.period else (
                f"comes before the latest recorded period {latest.period.label}")
            raise QmsError(f"{relative}: period {new_period.label} {what} (line "
                           f"{latest.line}); correct a wrong value by editing that line")
        newline = "\r\n" if "\r\n" in text else "\n"
        separator = "" if not text or text.endswith("\n") else newline
        return f"{text}{separator}{new_period.label},{text_value}{newline}"

    edit_file(qms.root / relative, append, root=qms.root, where=relative, parents=True)
    unit = f" {model.unit}" if model.unit else ""
    if isinstance(new_row, NoData):
        sys.stdout.write(f"{relative}: {kpi_id} {new_period.label} = no data "
                         f"({new_row.reason})\n")
        return EXIT_CLEAN
    status = kpi_status(doc, [*series, new_row], qms.config)
    verdict = {"on-target": "on target", "amber": "amber: misses the target",
               "red": "red: beyond the warning threshold", "no-target": "no target set"}
    target_text = f"target {model.target:g}{unit}, " if model.target is not None else ""
    sys.stdout.write(f"{relative}: {kpi_id} {new_period.label} = {text_value}{unit} "
                     f"({target_text}{verdict.get(status.state, status.state)})\n")
    return EXIT_CLEAN
