"""The health scorecard for a terminal: each sign, its measures, threshold and verdict."""

from __future__ import annotations

from qmskit.domain.health import HealthReport, Measure


def _value(measure: Measure) -> str:
    if measure.value is None:
        return "n/a"
    number = f"{measure.value:g}"
    return f"{number} %" if measure.unit == "%" else f"{number}{measure.unit}"


def _threshold(measure: Measure) -> str:
    words = "at least" if measure.comparison == ">=" else "at most"
    number = f"{measure.threshold:g}"
    unit = " %" if measure.unit == "%" else measure.unit
    return f"{words} {number}{unit}"


def format_text(report: HealthReport) -> str:
    """The scorecard for a terminal: each sign, its measures, threshold and verdict."""
    lines = [f"QMS health as of {report.today} (the 12 months since {report.since})",
             f"performance mode on {report.count('performance')} of {len(report.signs)} "
             f"signs, compliance mode on {report.count('compliance')}"
             + (f", {report.count('unknown')} not measurable" if report.count("unknown")
                else ""), ""]
    for sign in report.signs:
        lines.append(f"{sign.number}. {sign.title}: {sign.verdict}")
        lines.append(f"   {sign.question}")
        for m in sign.measures:
            lines.append(f"   - {m.name}: {_value(m)} (threshold: {_threshold(m)}) "
                         f"-> {m.verdict}")
            lines.append(f"     {m.detail}")
        lines.append("")
    if not report.git.available:
        lines.append(f"note: git history not used: {report.git.reason}")
    return "\n".join(lines).rstrip("\n") + "\n"
