"""Schema findings (D102) report the bad value and keep the rest of the document.

One typo must not cascade: an invalid entry of a list is reported at that entry and the
valid entries stay (issue 11 item 8), an invalid key of a nested mapping leaves its
siblings, and the document still takes part in every other rule.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qmskit.cli import main
from qmskit.loader import open_qms
from qmskit.model.documents import Objective, Procedure, Role

from qmsfactory import TODAY, QmsRepo, approved, line_of


def _findings(root: Path, capsys: pytest.CaptureFixture[str]) -> list[tuple[str, str, int]]:
    capsys.readouterr()
    main(["check", str(root), "--format", "json", "--no-cache", "--today", TODAY])
    report: list[dict[str, Any]] = json.loads(capsys.readouterr().out)["findings"]
    return [(f["code"], f["path"], f["line"]) for f in report]


def test_one_bad_holder_keeps_the_valid_holders(clean: QmsRepo,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = clean.write("ROLE-QM", "role", owner="ROLE-MD", reports_to="ROLE-MD",
                       holders=["quality-lead", "<bad>", "deputy-lead"], **approved())
    # D102 on the bad entry only, and no false "role has no holders" (T308).
    assert _findings(clean.root, capsys) == [
        ("D102", "qms_docs/roles/ROLE-QM.md", line_of(path, "- <bad>"))]
    role = open_qms(clean.root, with_git=False).documents["ROLE-QM"].model
    assert isinstance(role, Role) and role.holders == ["quality-lead", "deputy-lead"]


def test_bad_links_in_a_list_keep_the_good_links(clean: QmsRepo,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = clean.write("PROC-B", "procedure", owner="ROLE-QM",
                       supports=["not an id", "OBJ-A", "also bad"], **approved())
    # Without the good link, PROC-B would also be T304 (on no path to a strategy).
    assert _findings(clean.root, capsys) == [
        ("D102", "procedures/PROC-B.md", line_of(path, "- not an id")),
        ("D102", "procedures/PROC-B.md", line_of(path, "- also bad"))]
    model = open_qms(clean.root, with_git=False).documents["PROC-B"].model
    assert isinstance(model, Procedure) and model.supports == ["OBJ-A"]


def test_bad_key_of_a_mapping_keeps_its_siblings(clean: QmsRepo,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = clean.write("PROC-B", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                       **approved(review={"last": "2026-06-01", "interval": "12 months",
                                          "by": "quality lead"}))
    # Without review.last the document would also be C401 ("never reviewed").
    assert _findings(clean.root, capsys) == [
        ("D102", "procedures/PROC-B.md", line_of(path, "by: quality lead"))]
    review = open_qms(clean.root, with_git=False).documents["PROC-B"].model.review
    assert review is not None and str(review.last) == "2026-06-01" and review.by is None


def test_a_value_of_the_wrong_shape_drops_that_field_only(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    path = clean.write("OBJ-B", "objective", owner="ROLE-QM", supports=["STRAT-A"],
                       target=[97, "%"], due="2027-06-30", **approved())
    clean.write("KPI-B", "kpi", owner="ROLE-QM", measures=["OBJ-B"], target=1.0,
                data="data/KPI-A.csv", **approved())
    found = _findings(clean.root, capsys)
    assert {code for code, _, _ in found} == {"D102"}
    # Located at the field (pydantic names union members the YAML does not have).
    assert {line for _, _, line in found} == {line_of(path, "- 97")}
    model = open_qms(clean.root, with_git=False).documents["OBJ-B"].model
    assert isinstance(model, Objective) and model.target is None and model.supports


def test_a_missing_required_field_keeps_the_document(clean: QmsRepo,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    clean.write_raw("procedures/PROC-B.md", "---\nid: PROC-B\nkind: procedure\nowner: ROLE-QM\n"
                    "status: draft\nsupports: [OBJ-A, '<x>']\n---\n")
    assert [(c, n) for c, _, n in _findings(clean.root, capsys)] == [("D102", 2), ("D102", 6)]
    model = open_qms(clean.root, with_git=False).documents["PROC-B"].model
    assert isinstance(model, Procedure) and model.supports == ["OBJ-A"]


@pytest.mark.parametrize("title", ["'   '", "'\t'", "\"\\u3000\""])
def test_a_blank_title_is_d102_and_the_document_stays(
    title: str, clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    clean.write_raw("procedures/PROC-BLANK.md", "---\nid: PROC-BLANK\nkind: procedure\n"
                    f"title: {title}\nowner: ROLE-QM\nstatus: draft\nsupports: [OBJ-A]\n---\n")
    capsys.readouterr()
    main(["check", str(clean.root), "--format", "json", "--no-cache", "--today", TODAY])
    [finding] = json.loads(capsys.readouterr().out)["findings"]
    assert (finding["code"], finding["line"]) == ("D102", 4)
    assert "title is blank" in finding["message"]
    assert open_qms(clean.root, with_git=False).documents["PROC-BLANK"].title == "(untitled)"
