"""`qmskit check --format sarif|junit`: valid against their specs, located, complete."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from qmskit.cli import main

from plants import PLANTS, Expected
from qmsfactory import TODAY, QmsRepo

#: The OASIS SARIF 2.1.0 schema (errata 01, the version GitHub code scanning accepts),
#: shipped with the tests so validation needs no network.
SCHEMA_PATH = Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)  # type: ignore[no-any-return]


def _check(root: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", str(root), "--format", fmt, "--today", TODAY])
    return code, capsys.readouterr().out


def _plant_all(repo: QmsRepo) -> list[Expected]:
    return [plant(repo) for code, plant in PLANTS.items() if code != "C403"]


def test_sarif_validates_and_locates_every_finding(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str], validator: Any
) -> None:
    expected = _plant_all(clean)
    code, out = _check(clean.root, "sarif", capsys)
    assert code == 1
    log = json.loads(out)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors]
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    located = set()
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        place = result["locations"][0]["physicalLocation"]
        located.add((result["ruleId"], place["artifactLocation"]["uri"],
                     place["region"]["startLine"]))
        assert result["level"] in ("error", "warning")
        assert result["partialFingerprints"]["qmskitFinding/v1"]
    for item in expected:
        assert (item.code, item.path, item.line) in located, item


def test_sarif_of_a_clean_qms(clean: QmsRepo, capsys: pytest.CaptureFixture[str],
                              validator: Any) -> None:
    code, out = _check(clean.root, "sarif", capsys)
    assert code == 0
    log = json.loads(out)
    assert list(validator.iter_errors(log)) == []
    assert log["runs"][0]["results"] == []
    notices = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notices and "C403 skipped" in notices[0]["message"]["text"]


def test_sarif_uri_of_an_odd_file_name_is_a_valid_reference(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str], validator: Any
) -> None:
    clean.write_raw("procedures/Proc with spaces #1 ü.md",
                    "---\nid: PROC-ODD\nkind: procedure\ntitle: [\n---\n")
    code, out = _check(clean.root, "sarif", capsys)
    assert code == 1
    log = json.loads(out)
    assert list(validator.iter_errors(log)) == []
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"][
        "artifactLocation"]["uri"]
    assert uri == "procedures/Proc%20with%20spaces%20%231%20%C3%BC.md"


def test_sarif_rejects_what_the_schema_forbids(validator: Any) -> None:
    """The shipped schema is the real one: a log without `version` is invalid."""
    assert list(validator.iter_errors({"runs": []}))


def test_junit_one_case_per_finding(clean: QmsRepo,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    expected = _plant_all(clean)
    clean.write("PROC-XML", "procedure", owner="ROLE-QM", supports=["OBJ-<&\"'>\x07"])
    code, out = _check(clean.root, "junit", capsys)
    assert code == 1
    root = ET.fromstring(out.encode())
    assert root.tag == "testsuites"
    cases = root.findall("testsuite/testcase")
    assert int(root.get("tests", "0")) == len(cases) == int(root.get("failures", "0"))
    failures = [(case.get("classname"), case.find("failure")) for case in cases]
    assert all(failure is not None for _, failure in failures)
    names = {case.get("name", "") for case in cases}
    for item in expected:
        assert any(n.startswith(f"{item.code} {item.path}:{item.line}:") for n in names), item
    for suite in root.findall("testsuite"):
        assert int(suite.get("tests", "0")) == len(suite.findall("testcase"))


def test_junit_clean_run_is_one_passing_case(clean: QmsRepo,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _check(clean.root, "junit", capsys)
    assert code == 0
    root = ET.fromstring(out.encode())
    (case,) = root.findall("testsuite/testcase")
    assert case.find("failure") is None
    assert case.get("name") == f"6 documents checked as of {TODAY}"
    assert "C403 skipped" in (root.findtext("testsuite/system-out") or "")
