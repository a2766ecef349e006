"""Fuzzing the check path: arbitrary front matter and KPI data never crash a check.

Hypothesis generates documents from the grammar of the front-matter contract (valid and
broken values, odd YAML, random bytes) and KPI CSV files. Whatever it produces, `qmskit
check` must return findings, never raise, and every finding must name a file and line.
"""

from __future__ import annotations

import itertools
import json
import shutil
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qmskit.cli import main
from qmskit.model.series import SeriesError, parse_series

from qmsfactory import TODAY, QmsRepo

ids = st.one_of(
    st.sampled_from(["OBJ-A", "PROC-A", "KPI-A", "ROLE-QM", "ROLE-MD", "STRAT-A", "PROC-Z"]),
    st.from_regex(r"[A-Z][A-Z0-9]{0,3}(-[A-Z0-9]{1,3}){1,2}", fullmatch=True),
    st.text(max_size=12),
)
yaml_scalars = st.one_of(
    ids.map(json.dumps), st.integers(-5, 5).map(str), st.sampled_from(
        ["2026-01-01", "2026-13-45", "yes", "~", "''", "[]", "{}", "[OBJ-A, PROC-A]",
         "12 months", "0 days", "higher", "sideways", "*missing", "&a x", "!!binary aGk=",
         "!!python/name:os.system", "|\n  block", "'unterminated", "- a", "{a: [b"]),
)
fields = st.sampled_from([
    "id", "kind", "title", "owner", "status", "version", "approved_by", "approved_on",
    "review", "supports", "measures", "target", "warn_at", "frequency", "data", "holders",
    "reports_to", "inputs", "clauses", "due", "unknown_field", "direction", "unit",
])


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    lines = ["---"]
    if draw(st.booleans()):
        lines.append(f"id: {draw(ids.map(json.dumps))}")
        lines.append(f"kind: {draw(st.sampled_from(['procedure', 'kpi', 'role', 'x', '']))}")
    for _ in range(draw(st.integers(0, 8))):
        name = draw(fields)
        if name == "review":
            lines.append("review:")
            lines.append(f"  last: {draw(yaml_scalars)}")
            lines.append(f"  interval: {draw(yaml_scalars)}")
        else:
            lines.append(f"{name}: {draw(yaml_scalars)}")
    if draw(st.booleans()):
        lines.append("---")
    body = draw(st.text(string.printable, max_size=60))
    return "\n".join(lines) + "\n" + body


csv_rows = st.lists(
    st.tuples(st.sampled_from(["2026-01", "2026-02", "2026-W05", "2026-Q1", "2026", "x", ""]),
              st.sampled_from(["1", "2.5", "-3", "nan", "inf", "abc", "", "1,2"])),
    max_size=6,
)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(documents=st.lists(st.one_of(front_matter(), st.binary(max_size=80).map(
    lambda b: b.decode("latin-1"))), min_size=1, max_size=4), rows=csv_rows,
       header=st.sampled_from(["period,value", "value,period", ""]))
def test_check_never_crashes(documents: list[str], rows: list[tuple[str, str]], header: str,
                             tmp_path_factory: pytest.TempPathFactory,
                             capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    repo = QmsRepo(root).baseline()
    for index, text in enumerate(documents):
        repo.write_raw(f"procedures/fuzz-{index}.md", text)
    repo.data("KPI-A", header + "\n" + "\n".join(f"{p},{v}" for p, v in rows) + "\n")
    status = main(["check", str(root), "--format", "json", "--today", TODAY, "--no-cache"])
    captured = capsys.readouterr()
    assert status in (0, 1), captured.err
    report = json.loads(captured.out)
    for finding in report["findings"]:
        assert finding["path"] and (root / finding["path"]).exists()
        assert finding["line"] >= 1 and finding["col"] >= 1
        assert finding["code"] and finding["message"]
    shutil.rmtree(root)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.sampled_from(["weekly", "monthly", "quarterly", "yearly"]))
def test_series_parser_raises_only_located_errors(text: str, frequency: str) -> None:
    try:
        rows = parse_series(text, frequency)  # type: ignore[arg-type]
    except SeriesError as error:
        assert error.line >= 1 and error.col >= 1 and error.message
    else:
        assert all(a.period.start < b.period.start for a, b in itertools.pairwise(rows))


def test_fuzz_corpus_of_known_crashers(clean: QmsRepo,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    """Inputs that once broke YAML tools: each is a finding, not a crash."""
    crashers = [
        "---\n? [a, b]\n: c\n---\n", "---\n<<: {id: PROC-M}\n---\n", "---\nid: !!set {a}\n---\n",
        "---\n!!map {id: PROC-Q}\n---\n", "---\nid: PROC-Q\nkind: procedure\n---",
        "---\n- - - -\n---\n", "---\n\x00\n---\n", "---\nid: &a PROC-Q\nkind: *a\n---\n",
    ]
    for index, text in enumerate(crashers):
        clean.write_raw(f"procedures/crash-{index}.md", text)
    status = main(["check", str(clean.root), "--format", "json", "--today", TODAY])
    report = json.loads(capsys.readouterr().out)
    paths = {f["path"] for f in report["findings"]}
    assert status == 1
    assert all(Path(p).name.startswith("crash-") for p in paths)
