"""`qmskit report management-review`: every ISO 9.3.2 input the repository has data for,
as a draft record that can be committed as it is."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from qmskit.cli import main
from qmskit.domain.records import ISO_REVIEW_INPUTS, review_coverage
from qmskit.domain.reviewpack import build_pack, kpi_trend
from qmskit.loader import open_qms
from qmskit.model.series import Measurement, Period
from qmskit.reports.reviewpack import render_markdown

from qmsfactory import QmsRepo

TODAY = date(2026, 11, 24)


def pack_text(root: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    assert main(["report", "management-review", str(root), *extra]) == 0
    return capsys.readouterr().out


def sections(text: str) -> dict[str, str]:
    """Section body by ISO input key, from the headings (`## a) ...`, `### 1. ...`)."""
    titles = {item.title: item.key for item in ISO_REVIEW_INPUTS}
    found: dict[str, str] = {}
    parts = re.split(r"^#{2,3} (.+)$", text, flags=re.MULTILINE)
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        title = re.sub(r"^([a-f]\)|\d\.) ", "", heading)
        if title in titles:
            found[titles[title]] = body
    return found


def front_matter(text: str) -> dict[str, object]:
    data = yaml.safe_load(text.split("---\n")[1])
    assert isinstance(data, dict)
    return data


def test_pack_covers_every_input_the_example_has_data_for(
    example_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = pack_text(example_root, capsys)
    body = sections(text)
    assert list(body) == [item.key for item in ISO_REVIEW_INPUTS]
    # What the example holds, input by input, and where the pack must show it. The period
    # runs from the previous review (MR-2026-07, 14 July 2026) to today.
    expected = {
        "previous-actions": ["ACT-2026-09", "ACT-2026-10"],  # MR-2026-07's decisions
        "context-changes": ["STRAT-CUSTOMER", "STRAT-GROWTH", "STRAT-PEOPLE",
                            "STRAT-ZERO-DEFECT"],
        "customer-feedback": ["KPI-COMPLAINTS", "KPI-CUST-PPM", "KPI-QUOTE-TIME"],
        "objectives": ["OBJ-CAPA", "OBJ-CUST-PPM", "OBJ-OTD", "OBJ-QUOTE", "OBJ-SCRAP",
                       "OBJ-SKILLS", "OBJ-SUPPLIER", "OBJ-VALVE-FAI"],
        "process-performance": ["PROC-O2D", "PROC-PROD", "PROC-PURCH", "PROC-DFM",
                                "PROC-IMPROVE"],
        "nonconformities": ["NC-2026-03", "NC-2026-04", "ACT-2026-11", "ACT-2026-12"],
        "monitoring-results": [d.id for d in open_qms(example_root, with_git=False)
                               .of_kind("kpi")],
        "audit-results": ["AUD-2026-09"],
        "supplier-performance": ["KPI-SUPP-OTD", "KPI-INCOMING-PPM", "NC-2026-04"],
        "resources": ["KPI-OEE", "KPI-SKILLS"],
        "risks": ["RISK-BARSTOCK", "RISK-CMM", "RISK-SKILLS", "RISK-ERP", "RISK-CUSTCONC"],
        "improvement": ["ACT-2026-08", "ACT-2026-13", "OPP-EHYD"],
    }
    for key, ids in expected.items():
        assert "No records in the repository" not in body[key], key
        for doc_id in ids:
            assert doc_id in body[key], (key, doc_id)
    meta = front_matter(text)
    assert meta["covers"] == list(expected)
    assert meta["kind"] == "review" and meta["status"] == "draft"
    assert meta["id"] == "MR-2026-11" and meta["decisions"] == []


def test_kpi_status_and_trends_against_targets(
    example_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = sections(pack_text(example_root, capsys))["monitoring-results"]
    row = next(line for line in body.splitlines() if line.startswith("| KPI-SUPP-OTD"))
    assert "≥ 95 %" in row and "87.9 % (2026-10)" in row
    assert "| red |" in row and "| worsening |" in row and "0 of 4" in row
    assert "93.8 → 92.6 → 91.3 → 90.4 → 89.1 → 87.9" in row
    assert "10 on target, 1 amber, 1 red; all data current" in body


def test_since_widens_the_period(example_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = sections(pack_text(example_root, capsys, "--since", "2026-01-01"))
    assert "AUD-2026-03" in body["audit-results"] and "AUD-2026-09" in body["audit-results"]
    for decision in ("ACT-2026-01", "ACT-2026-06", "ACT-2026-07", "ACT-2026-09"):
        assert decision in body["previous-actions"]
    assert "NC-2026-01" in body["nonconformities"]


def test_the_draft_is_a_valid_record_with_real_evidence(
    example_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Committed as it is, the draft passes the check and its links alone evidence every
    input (the `covers` list is not what makes it complete)."""
    copy = tmp_path / "qms"
    for name in ("qms_docs", "procedures", "objectives"):
        shutil.copytree(example_root / name, copy / name)
    shutil.copy(example_root / "qmskit.toml", copy / "qmskit.toml")
    target = copy / "qms_docs/reviews/MR-2026-11.md"
    assert main(["report", "management-review", str(copy), "--output", str(target)]) == 0
    assert "wrote" in capsys.readouterr().err
    assert main(["check", str(copy), "--format", "json", "--ignore", "C403"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["errors"] == 0 and not any(f["path"] == "qms_docs/reviews/MR-2026-11.md"
                                             for f in report["findings"])
    qms = open_qms(copy, with_git=False)
    coverage = review_coverage(qms, qms.documents["MR-2026-11"])
    assert coverage.evidenced == [item.key for item in ISO_REVIEW_INPUTS]
    # Never written over an existing file (the quality manager's edits are safe).
    assert main(["report", "management-review", str(copy), "--output", str(target)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_a_repository_without_records(clean: QmsRepo) -> None:
    qms = open_qms(clean.root, with_git=False)
    pack = build_pack(qms, TODAY)
    assert pack.since == date(2025, 11, 24)  # no previous review: twelve months
    assert pack.owner == "ROLE-MD" and pack.attendees == ["ROLE-MD"]
    assert pack.covers == ["context-changes", "objectives", "process-performance",
                           "monitoring-results"]
    text = render_markdown(pack)
    body = sections(text)
    assert "add `audit-results` to `covers:`" in body["audit-results"]
    assert "add `previous-actions` to `covers:`" in body["previous-actions"]


def test_titles_are_escaped(clean: QmsRepo) -> None:
    clean.write("OBJ-A", "objective", owner="ROLE-QM", supports=["STRAT-A"],
                title="Rejects | <script>alert(1)</script>", status="approved",
                approved_on="2026-06-01")
    text = render_markdown(build_pack(open_qms(clean.root, with_git=False), TODAY))
    assert "<script>" not in text
    assert "Rejects \\| &lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_since_after_today_is_a_usage_error(
    example_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "management-review", str(example_root), "--since",
                 "2027-01-01"]) == 2
    assert "after the evaluation date" in capsys.readouterr().err


def _series(*values: float) -> list[Measurement]:
    return [Measurement(Period.of("monthly", 2026, m), v, m + 1)
            for m, v in enumerate(values, start=1)]


@pytest.mark.parametrize(("values", "direction", "trend"), [
    ((90, 91, 92, 95), "higher", "improving"),
    ((90, 91, 92, 95), "lower", "worsening"),
    ((2.0, 2.0, 2.0, 2.01), "lower", "stable"),
    ((5.0,), "higher", "n/a"),
])
def test_kpi_trend(values: tuple[float, ...], direction: str, trend: str) -> None:
    assert kpi_trend(_series(*values), direction) == trend


def test_site_page_variant_has_no_front_matter(example_root: Path) -> None:
    pack = build_pack(open_qms(example_root, with_git=False), TODAY)
    page = render_markdown(pack, front_matter=False)
    assert page.startswith("# Management review November 2026: inputs\n")
    assert page.split("\n", 1)[1] == render_markdown(pack).split("\n# ", 1)[1].split("\n", 1)[1]
