"""The contract grows (issue 13): page keys, `x-` fields, vocabularies and risk bands,
extra fields, `kind: document`, declared kinds, identity (id patterns, former ids) and
drafts. Registers have their own file (`test_registers.py`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from qmskit.cli import main
from qmskit.config import parse_config
from qmskit.errors import ConfigError
from qmskit.loader import open_qms
from qmskit.model.kinds import IdPattern, extra_fields
from qmskit.model.types import KINDS, in_kind_order, kind_rank

from plants import declare_kinds, supplier
from qmsfactory import TODAY, QmsRepo, approved, init_git, line_of


def _findings(root: Path, capsys: pytest.CaptureFixture[str],
              *extra: str) -> list[dict[str, Any]]:
    capsys.readouterr()
    main(["check", str(root), "--format", "json", "--no-cache", "--today", TODAY, *extra])
    findings: list[dict[str, Any]] = json.loads(capsys.readouterr().out)["findings"]
    return findings


def _config(repo: QmsRepo, text: str) -> None:
    path = repo.root / "qmskit.toml"
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


# --- page keys and x- fields -----------------------------------------------------------

def test_page_keys_and_x_fields_pass(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    clean.write("PROC-PAGE", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                hide=["navigation", "toc"], tags=["purchasing", 2026],
                description="How we buy", icon="material/cart", subtitle="Buying",
                template="main.html", search={"exclude": False}, social={"cards": False},
                comments=True, render_macros=False,
                **{"x-erp": {"table": "EKKO"}, "x-legacy-id": "QP-07"}, **approved())
    assert _findings(clean.root, capsys) == []
    assert "PROC-PAGE" in open_qms(clean.root, with_git=False).documents


def test_page_keys_are_checked_as_data(clean: QmsRepo,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = clean.write("PROC-HIDE", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                       hide="toc", **approved())
    [finding] = _findings(clean.root, capsys)
    assert (finding["code"], finding["line"], finding["col"]) == (
        "D102", line_of(path, "hide: toc"), 7)


def test_a_typo_is_still_a_finding_with_a_hint(clean: QmsRepo,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = clean.write("PROC-TYPO", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                       tgas=["x"], erp_number=17, **approved())
    found = {(f["line"], f["message"], f["hint"]) for f in _findings(clean.root, capsys)}
    assert found == {
        (line_of(path, "tgas:"), "unknown field 'tgas'", "did you mean 'tags'?"),
        (line_of(path, "erp_number:"), "unknown field 'erp_number'",
         "remove it or check the spelling; a field of your own passes unchecked as "
         "'x-erp_number'"),
    }


# --- vocabularies and risk bands ------------------------------------------------------

def _nonconformity(repo: QmsRepo, severity: str) -> Path:
    from plants import _record

    return _record(repo, "qms_docs/nonconformities", "NC-VOCAB", "nonconformity",
                   owner="ROLE-QM", date="2026-06-01", source="internal", severity=severity,
                   affects=["PROC-A"], no_action_reason="one-off, contained", **approved())


def test_default_severities_are_todays(clean: QmsRepo,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = _nonconformity(clean, "observation")
    [finding] = _findings(clean.root, capsys)
    assert (finding["code"], finding["line"]) == ("D102", line_of(path, "severity:"))
    assert "'major' or 'minor'" in finding["message"]


def test_configured_severities(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    _config(clean, '\n[vocabulary]\nnonconformity_severity = ["critical", "major", "minor", '
                   '"observation"]\n')
    _nonconformity(clean, "observation")
    assert _findings(clean.root, capsys) == []


def test_document_types_vocabulary(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    _config(clean, '\n[vocabulary]\ndocument_type = ["policy", "plan"]\n')
    path = clean.write("DOC-MEMO", "document", owner="ROLE-QM", type="memo", **approved())
    [finding] = _findings(clean.root, capsys)
    assert (finding["code"], finding["line"]) == ("D102", line_of(path, "type: memo"))


def _risk(repo: QmsRepo, doc_id: str, likelihood: int, impact: int) -> Path:
    from plants import _record

    return _record(repo, "qms_docs/risks", doc_id, "risk", owner="ROLE-QM",
                   affects=["PROC-A"], likelihood=likelihood, impact=impact, treated_by=[],
                   **approved())


def test_risk_bands_decide_what_needs_treatment(clean: QmsRepo,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    _config(clean, '\n[risk]\nscale = 5\nbands = { low = [1, 4], medium = [5, 9], '
                   'high = [10, 15], critical = [16, 25] }\ntreat_from = "high"\n')
    _risk(clean, "RISK-TEN", 2, 5)      # 10: high, needs treatment
    _risk(clean, "RISK-NINE", 3, 3)     # 9: medium
    [finding] = _findings(clean.root, capsys)
    assert finding["code"] == "R504" and finding["id"] == "RISK-TEN"
    assert "= 10 (band high; treated from band high)" in finding["message"]


def test_high_risk_score_keeps_working(clean: QmsRepo,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    _config(clean, "high_risk_score = 9\n")
    _risk(clean, "RISK-NINE", 3, 3)
    [finding] = _findings(clean.root, capsys)
    assert "(high from 9)" in finding["message"]


def test_a_larger_scale(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    _config(clean, "\n[risk]\nscale = 4\nbands = { low = [1, 6], high = [7, 16] }\n"
                   'treat_from = "high"\n')
    path = _risk(clean, "RISK-FIVE", 5, 1)
    [finding] = _findings(clean.root, capsys)
    assert (finding["code"], finding["line"]) == ("D102", line_of(path, "likelihood: 5"))


@pytest.mark.parametrize(("text", "message"), [
    ("[risk]\nbands = { low = [1, 4], high = [6, 25] }\n", "should start at 5"),
    ("[risk]\nbands = { low = [1, 4], high = [5, 20] }\n", "the highest score"),
    ('[risk]\nbands = { low = [1, 25] }\ntreat_from = "high"\n', "names no band"),
    ('high_risk_score = 10\n[risk]\nbands = { low = [1, 9], high = [10, 25] }\n'
     'treat_from = "high"\n', "keep one of them"),
    ('[vocabulary]\nnonconformity_severity = []\n', "at least 1"),
    ('[vocabulary]\nnonconformity_severity = ["major", "major"]\n', "listed twice"),
])
def test_bad_scales_and_vocabularies(text: str, message: str) -> None:
    import tomllib

    with pytest.raises(ConfigError, match=message):
        parse_config(tomllib.loads(text), "qmskit.toml")


# --- kind: document --------------------------------------------------------------------

def test_kind_document_is_controlled_but_not_traced(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    clean.write("DOC-CONTEXT", "document", type="context analysis", owner="ROLE-MD",
                clauses=["4.1", "4.2"], applies_to=["ROLE-QM"], **approved())
    assert _findings(clean.root, capsys) == []
    main(["coverage", str(clean.root), "--format", "json"])
    rows = {row["clause"]: row for row in json.loads(capsys.readouterr().out)["clauses"]}
    assert rows["4.1"]["evidence"] == ["DOC-CONTEXT"]  # it counts for clause coverage
    overdue = clean.write("DOC-SCOPE", "document", type="scope", owner="ROLE-MD",
                          **approved(review={"last": "2025-01-10", "interval": "yearly"}))
    [finding] = _findings(clean.root, capsys)
    assert (finding["code"], finding["path"]) == ("C401", "procedures/DOC-SCOPE.md")
    assert finding["line"] == line_of(overdue, "last:")


# --- extra fields on built-in kinds, declared kinds -------------------------------------

def test_extra_fields_on_a_builtin_kind(clean: QmsRepo,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    _config(clean, '\n[kinds.procedure]\nfields = { customer = "text", cost = "number", '
                   'audited = "bool", sites = "list", next_visit = "date" }\n')
    path = clean.write("PROC-EXTRA", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                       customer="ACME", cost=1200.5, audited=True, sites=["Leeds", "Hull"],
                       next_visit="2027-01-15", **approved())
    assert _findings(clean.root, capsys) == []
    model = open_qms(clean.root, with_git=False).documents["PROC-EXTRA"].model
    assert extra_fields(model) == [("Customer", "ACME"), ("Cost", 1200.5), ("Audited", True),
                                   ("Sites", ["Leeds", "Hull"]),
                                   ("Next visit", model.next_visit)]  # type: ignore[attr-defined]
    text = path.read_text(encoding="utf-8").replace("cost: 1200.5", "cost: a lot")
    path.write_text(text, encoding="utf-8")
    [finding] = _findings(clean.root, capsys)
    assert (finding["code"], finding["line"], finding["col"]) == ("D102",
                                                                  line_of(path, "cost:"), 7)


def test_declared_kind_in_graph_trace_and_rules(clean: QmsRepo,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = supplier(clean, "SUP-ACME", supplies=["PROC-A"])
    assert _findings(clean.root, capsys) == []
    assert main(["trace", "sup-acme", "--root", str(clean.root), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["id"] == "SUP-ACME" and data["kind"] == "supplier"
    assert {"field": "supplies", "direction": "out", "id": "PROC-A"} in data["other_links"]
    qms = open_qms(clean.root, with_git=False)
    assert [lk.target for lk in qms.graph.outgoing("SUP-ACME", ["supplies"])] == ["PROC-A"]
    # A wrong-kind link to a declared kind's link field.
    text = path.read_text(encoding="utf-8").replace("- PROC-A", "- KPI-A")
    path.write_text(text, encoding="utf-8")
    [finding] = _findings(clean.root, capsys)
    assert finding["code"] == "L202" and finding["line"] == line_of(path, "- KPI-A")
    assert "a supplier's supplies must name a procedure or process" in finding["message"]


def test_declared_required_fields_spare_drafts(clean: QmsRepo,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    _config(clean, '\n[kinds.equipment]\nfolder = "qms_docs/equipment"\nfields = { '
                   'serial = "text", next_calibration = "date" }\nrequired = ["serial"]\n'
                   'due = "next_calibration"\n')
    draft = clean.write("EQ-GAUGE", "equipment", owner="ROLE-QM", status="draft")
    assert _findings(clean.root, capsys) == []
    draft.unlink()
    path = clean.write("EQ-GAUGE", "equipment", owner="ROLE-QM",
                       next_calibration="2027-02-01", **approved())
    [finding] = _findings(clean.root, capsys)
    assert finding["code"] == "D102" and finding["line"] == line_of(path, "id: EQ-GAUGE")
    assert "missing required field 'serial'" in finding["message"]


def test_traced_declared_kind_counts_toward_strategy(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    declare_kinds(clean)
    clean.write("PRD-PUMP", "product", owner="ROLE-QM", made_by=["PROC-A"], **approved())
    assert _findings(clean.root, capsys) == []
    qms = open_qms(clean.root, with_git=False)
    assert "PRD-PUMP" in qms.graph.traced_to_strategy()
    assert qms.graph.chains_to_strategy("PRD-PUMP") == [["PRD-PUMP", "PROC-A", "OBJ-A",
                                                         "STRAT-A"]]


@pytest.mark.parametrize(("text", "message"), [
    ('[kinds.risk]\nlinks = { mitigates = ["risk"] }\n', "built-in kind"),
    ('[kinds.supplier]\nlinks = { supplies = ["procedur"] }\n', "did you mean 'procedure'"),
    ('[kinds.supplier]\nfields = { owner = "text" }\n', "already a field"),
    ('[kinds.supplier]\nfields = { score = "decimal" }\n', "score"),
    ('[kinds.supplier]\nfields = { next = "text" }\ndue = "next"\n', "type date"),
    ('[kinds.supplier]\nrequired = ["score"]\n', "not one of its fields"),
    ('[kinds.Supplier]\n', "a kind name"),
    ('[kinds.supplier]\nfolder = "elsewhere"\n', "not inside the QMS folders"),
    ('[kinds.supplier]\nid_pattern = "SUP-"\n', "exactly one run of '#'"),
    ('[kinds.supplier]\ncolour = "red"\n', "unknown key"),
    ('[review_interval]\nsuplier = "6 months"\n', "unknown kind 'suplier'"),
])
def test_bad_kind_config(text: str, message: str) -> None:
    import tomllib

    with pytest.raises(ConfigError, match=message):
        parse_config(tomllib.loads(text), "qmskit.toml")


def test_declared_kinds_order_after_the_builtin_ones() -> None:
    assert in_kind_order(["supplier", "review", "equipment", "strategy"]) == [
        "strategy", "review", "equipment", "supplier"]
    assert kind_rank("supplier") > max(kind_rank(kind) for kind in KINDS)


def test_schema_has_declared_kinds(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    declare_kinds(clean)
    path = supplier(clean, "SUP-SCHEMA")
    capsys.readouterr()
    assert main(["schema", "--root", str(clean.root)]) == 0
    validator = jsonschema.Draft202012Validator(json.loads(capsys.readouterr().out))
    import yaml

    front = json.loads(json.dumps(yaml.safe_load(
        path.read_text(encoding="utf-8").split("---\n")[1]), default=str))
    assert list(validator.iter_errors(front)) == []
    assert list(validator.iter_errors({**front, "score": "excellent"}))
    assert list(validator.iter_errors({**front, "colour": "red"}))
    assert list(validator.iter_errors({**front, "x-colour": "red"})) == []


# --- identity ---------------------------------------------------------------------------

def test_id_patterns_number_new_documents(clean: QmsRepo,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    _config(clean, '\n[kinds.procedure]\nid_pattern = "SOP-###"\n'
                   '[kinds.action]\nid_pattern = "CAPA-{year}-###"\n'
                   'folder = "qms_docs/capa"\n')
    root = str(clean.root)
    clean.write("SOP-007", "procedure", owner="ROLE-QM", supports=["OBJ-A"], **approved())
    for kind in ("procedure", "procedure", "action", "action"):
        assert main(["new", kind, "--root", root, "--owner", "ROLE-QM"]) == 0
    out = capsys.readouterr().out
    assert "procedures/SOP-008.md: created" in out and "procedures/SOP-009.md: created" in out
    assert "qms_docs/capa/CAPA-2026-001.md: created" in out
    assert "qms_docs/capa/CAPA-2026-002.md: created" in out
    assert IdPattern.parse("CAPA-{year}-###").next_free({"CAPA-2025-041"}, 2026) == \
        "CAPA-2026-001"


def test_new_takes_dir_and_a_declared_kind(clean: QmsRepo,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    declare_kinds(clean)
    root = clean.root
    assert main(["new", "supplier", "--title", "Acme castings", "--root", str(root)]) == 0
    assert main(["new", "procedure", "--title", "Shipping", "--dir",
                 str(root / "procedures/logistics"), "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert "qms_docs/suppliers/SUPP-ACME-CASTINGS.md: created supplier" in out
    assert "procedures/logistics/PROC-SHIPPING.md: created" in out
    text = (root / "qms_docs/suppliers/SUPP-ACME-CASTINGS.md").read_text(encoding="utf-8")
    assert "supplies: []  # -> procedure, process" in text
    assert "next_evaluation:  # date; falls due on this date" in text
    assert main(["new", "procedure", "--dir", "/tmp", "--root", str(root)]) == 2
    assert "not inside the QMS" in capsys.readouterr().err


@pytest.mark.parametrize("kind", [*KINDS, "supplier"])
def test_a_fresh_draft_passes_the_hook(kind: str, clean: QmsRepo,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    """`qmskit new` then `qmskit check`: exit 0, traceability findings as warnings."""
    declare_kinds(clean)
    records = ["--records", "action"] if kind == "register" else []
    assert main(["new", kind, "--root", str(clean.root), *records]) == 0
    capsys.readouterr()
    assert main(["check", str(clean.root), "--no-cache", "--today", TODAY]) == 0
    out = capsys.readouterr().out
    assert "0 errors" in out


def test_draft_traceability_is_a_warning_until_approved(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    clean.write("OBJ-DRAFT", "objective", owner="ROLE-QM", status="draft", supports=[])
    found = {(f["code"], f["severity"]) for f in _findings(clean.root, capsys)}
    assert found == {("T301", "warning"), ("T303", "warning")}
    clean.write("OBJ-DRAFT", "objective", owner="ROLE-QM", supports=[], **approved())
    found = {(f["code"], f["severity"]) for f in _findings(clean.root, capsys)}
    assert found == {("T301", "error"), ("T303", "error")}


def test_former_ids_resolve_with_a_warning(clean: QmsRepo,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    clean.write("PROC-001", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                former_ids=["PROC-CAPA"], **approved())
    path = clean.write("PROC-USER", "procedure", owner="ROLE-QM",
                       supports=["OBJ-A", "PROC-CAPA"], **approved())
    [finding] = _findings(clean.root, capsys)
    assert (finding["code"], finding["severity"], finding["line"]) == (
        "L205", "warning", line_of(path, "- PROC-CAPA"))
    assert finding["hint"] == "link to PROC-001 (its current id)"
    qms = open_qms(clean.root, with_git=False)
    assert qms.resolve("PROC-CAPA") == "PROC-001"
    assert "PROC-001" in qms.graph.upstream("PROC-USER")
    capsys.readouterr()
    assert main(["trace", "proc-capa", "--root", str(clean.root)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("note: PROC-CAPA is a former id of PROC-001")


def test_former_id_clashes(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    path = clean.write("PROC-NEW", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                       former_ids=["PROC-A"], **approved())
    [finding] = _findings(clean.root, capsys)
    assert (finding["code"], finding["line"]) == ("L205", line_of(path, "- PROC-A"))
    assert "former id PROC-A is the id of procedures/PROC-A.md" in finding["message"]


def test_l201_and_trace_suggest_the_closest_id(clean: QmsRepo,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    clean.write("PROC-TYPO", "procedure", owner="ROLE-QM", supports=["OBJ-A", "OBJ-AA"],
                **approved())
    [finding] = _findings(clean.root, capsys)
    assert (finding["code"], finding["hint"]) == ("L201", "did you mean OBJ-A?")
    assert main(["trace", "PROC-AA", "--root", str(clean.root)]) == 2
    assert "no document with id 'PROC-AA'; did you mean PROC-A?" in capsys.readouterr().err


def test_released_by_trailer(clean: QmsRepo) -> None:
    from qmskit.domain.approvals import parse_signature, revision_history

    from qmsfactory import git

    init_git(clean.root)
    path = clean.root / "procedures/PROC-A.md"
    path.write_text(path.read_text(encoding="utf-8").replace("version: 1", "version: 2"),
                    encoding="utf-8")
    git(clean.root, "commit", "-qam", "Release PROC-A\n\nApproved-by: ROLE-MD (managing-"
        "director)\nReleased-by: ROLE-QM (quality-lead)", date="2026-07-01")
    qms = open_qms(clean.root, with_git=False)
    [latest, _] = revision_history(qms, qms.documents["PROC-A"])
    assert [str(s) for s in latest.signed("released")] == ["released by quality-lead as ROLE-QM"]
    assert str(parse_signature("Released-by", "ROLE-QM (quality-lead)")) == \
        "released by quality-lead as ROLE-QM"


def test_effective_date(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    clean.write("PROC-EFF", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                effective="2026-07-01", **approved())
    assert _findings(clean.root, capsys) == []
    model = open_qms(clean.root, with_git=False).documents["PROC-EFF"].model
    assert str(model.effective) == "2026-07-01"


def test_the_readme_configuration_example_is_valid() -> None:
    import re
    import tomllib

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    [example] = re.findall(r"```toml\n(.*?)```", section, re.S)
    config = parse_config(tomllib.loads(example), "README.md")
    contract = config.contract
    assert "supplier" in contract.kinds and config.treatment_threshold == 10
    assert contract.id_pattern("procedure") is not None
