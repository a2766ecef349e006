"""`qmskit kpi record KPI VALUE --period P`: append one measurement to a KPI's data file.

The data file is history kept in git, so a record is an append and nothing else: the
existing bytes stay as they are and one `period,value` row is added (atomically, via a
temporary file, and never over a line another program wrote meanwhile: `edit_file`).
Anything that would make the series wrong is refused before writing:
a value that is not a finite number, a period in the wrong form or for the wrong
frequency, a period that repeats or precedes the latest one, a period that has not
started yet, and a data file that is already broken.
"""

from __future__ import annotations

import math
import posixpath
import re
import sys
from pathlib import Path

from qmskit.edit import edit_file
from qmskit.errors import EXIT_CLEAN, QmsError
from qmskit.loader import open_qms

HEADER = "period,value"
#: A plain decimal number; Python's float() would also take "1_000", "nan" or "inf".
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _number(value: str) -> tuple[str, float]:
    text = value.strip()
    if not _NUMBER.match(text):
        raise QmsError(f"value {value!r} is not a number; write it like 96.4 "
                       "(a dot for decimals, no unit)")
    number = float(text)
    if not math.isfinite(number):
        raise QmsError(f"value {value!r} is not a finite number")
    return text, number


def record(root: Path, kpi_id: str, value: str, period: str, *,
           config_path: Path | None = None) -> int:
    """Append `period,value` to the KPI's data file; exit 0, or 2 when refused."""
    from qmskit.domain.schedule import kpi_status
    from qmskit.model.documents import Kpi
    from qmskit.model.series import Measurement, Period, SeriesError, parse_series

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
    text_value, number = _number(value)
    try:
        new_period = Period.parse(period)
    except ValueError as error:
        raise QmsError(str(error)) from None
    if new_period.kind != model.frequency:
        raise QmsError(f"period {new_period.label} is {new_period.kind}, but {kpi_id} is "
                       f"measured {model.frequency}")
    today = qms.evaluation_date(None)
    if new_period.start > today:
        raise QmsError(f"period {new_period.label} has not started yet (today is {today})")

    relative = posixpath.normpath(posixpath.join(posixpath.dirname(doc.path), model.data))
    if relative.startswith("../") or relative == ".." or posixpath.isabs(model.data):
        raise QmsError(f"{doc.path}: data path {model.data!r} points outside the repository")

    series: list[Measurement] = []

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
    line = (series[-1].line + 1) if series else 2
    status = kpi_status(doc, [*series, Measurement(new_period, number, line)], qms.config)
    unit = f" {model.unit}" if model.unit else ""
    verdict = {"on-target": "on target", "amber": "amber: misses the target",
               "red": "red: beyond the warning threshold", "no-target": "no target set"}
    target_text = f"target {model.target:g}{unit}, " if model.target is not None else ""
    sys.stdout.write(f"{relative}: {kpi_id} {new_period.label} = {text_value}{unit} "
                     f"({target_text}{verdict.get(status.state, status.state)})\n")
    return EXIT_CLEAN
