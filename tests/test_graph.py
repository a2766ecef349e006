"""The graph wrapper, dbt-like selectors, and the graph/trace commands."""

from __future__ import annotations

import json

import pytest

from qmskit.cli import main
from qmskit.loader import open_qms

from qmsfactory import QmsRepo, approved


@pytest.fixture
def chain(clean: QmsRepo) -> QmsRepo:
    """Baseline plus a sub-procedure and a second KPI, for deeper traces."""
    clean.write("PROC-SUB", "procedure", owner="ROLE-QM", supports=["PROC-A"],
                inputs=["PROC-A"], **approved())
    clean.write("KPI-SUB", "kpi", owner="ROLE-QM", measures=["PROC-SUB"], target=1.0,
                data="data/KPI-SUB.csv", **approved())
    return clean


def test_upstream_and_downstream(chain: QmsRepo) -> None:
    graph = open_qms(chain.root, with_git=False).graph
    assert graph.upstream("KPI-SUB") == {"PROC-SUB", "PROC-A", "OBJ-A", "STRAT-A"}
    assert graph.downstream("OBJ-A") == {"PROC-A", "PROC-SUB", "KPI-A", "KPI-SUB"}
    assert graph.traced_to_strategy() >= {"KPI-SUB", "PROC-SUB"}
    assert "ROLE-QM" not in graph.traced_to_strategy()


@pytest.mark.parametrize(
    ("selectors", "expected"),
    [
        (["+PROC-SUB"], {"PROC-SUB", "PROC-A", "OBJ-A", "STRAT-A"}),
        (["PROC-A+"], {"PROC-A", "PROC-SUB", "KPI-A", "KPI-SUB"}),
        (["kind:kpi"], {"KPI-A", "KPI-SUB"}),
        (["owner:ROLE-MD"], {"ROLE-MD", "ROLE-QM", "STRAT-A"}),
        (["PROC-A+,kind:kpi"], {"KPI-A", "KPI-SUB"}),
        (["kind:strategy", "kind:objective"], {"STRAT-A", "OBJ-A"}),
    ],
)
def test_selectors(chain: QmsRepo, selectors: list[str], expected: set[str]) -> None:
    assert open_qms(chain.root, with_git=False).graph.select(selectors) == expected


def test_graph_json_and_formats(chain: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "--root", str(chain.root), "--format", "json", "+KPI-SUB"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {n["id"] for n in data["nodes"]} == {"KPI-SUB", "PROC-SUB", "PROC-A", "OBJ-A",
                                                 "STRAT-A"}
    assert {"source": "PROC-SUB", "target": "PROC-A", "field": "inputs"} in data["links"]
    assert main(["graph", "--root", str(chain.root), "--format", "mermaid",
                 "--links", "supports", "OBJ-A+"]) == 0
    mermaid = capsys.readouterr().out
    assert mermaid.startswith("flowchart BT")
    assert "PROC_SUB -->|supports| PROC_A" in mermaid
    assert "inputs" not in mermaid
    assert main(["graph", "--root", str(chain.root), "kind:role"]) == 0
    dot = capsys.readouterr().out
    assert '"ROLE-QM" -> "ROLE-MD" [label="reports_to"];' in dot


def test_graph_escapes_titles(clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    clean.write("STRAT-X", "strategy", owner="ROLE-MD", **approved(),
                title='Grow "fast" <script>alert(1)</script>')
    main(["graph", "--root", str(clean.root), "--format", "mermaid", "STRAT-X"])
    mermaid = capsys.readouterr().out
    assert "<script>" not in mermaid and "#lt;script#gt;" in mermaid
    main(["graph", "--root", str(clean.root), "STRAT-X"])
    assert '\\"fast\\"' in capsys.readouterr().out


def test_unknown_selector(chain: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "--root", str(chain.root), "+NOPE-X"]) == 2
    assert "no document with id 'NOPE-X'" in capsys.readouterr().err
    assert main(["graph", "--root", str(chain.root), "colour:red"]) == 2


def test_trace(chain: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", "PROC-A", "--root", str(chain.root), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["upstream"] == {
        "strategy": [{"id": "STRAT-A", "title": "Title of STRAT-A"}],
        "objective": [{"id": "OBJ-A", "title": "Title of OBJ-A"}],
    }
    assert [m["id"] for m in data["downstream"]["kpi"]] == ["KPI-A", "KPI-SUB"]
    assert [m["id"] for m in data["downstream"]["procedure"]] == ["PROC-SUB"]
    owners = {o["id"]: o for o in data["owners"]}
    assert owners["ROLE-QM"]["holders"] == ["quality-lead"]
    assert owners["ROLE-MD"]["owns"] == ["STRAT-A"]
    assert {"field": "inputs", "direction": "in", "id": "PROC-SUB"} in data["other_links"]
    assert main(["trace", "PROC-A", "--root", str(chain.root)]) == 0
    text = capsys.readouterr().out
    assert "upstream (what it serves, toward strategy):" in text
    assert "strategy   STRAT-A" in text
    assert main(["trace", "NOPE-X", "--root", str(chain.root)]) == 2


def test_cycles_found_among_many_acyclic_links(clean: QmsRepo) -> None:
    """Peeling acyclic nodes must keep every real loop, including self-loops."""
    clean.write("PROC-L1", "procedure", owner="ROLE-QM", supports=["OBJ-A", "PROC-L2"],
                **approved())
    clean.write("PROC-L2", "procedure", owner="ROLE-QM", supports=["PROC-L3"], **approved())
    clean.write("PROC-L3", "procedure", owner="ROLE-QM", supports=["PROC-L1"], **approved())
    clean.write("PROC-TAIL", "procedure", owner="ROLE-QM", supports=["PROC-L2"], **approved())
    clean.write("ROLE-SELF", "role", owner="ROLE-MD", holders=["x"], reports_to="ROLE-SELF",
                **approved())
    cycles = open_qms(clean.root, with_git=False).graph.cycles()
    assert cycles == [["PROC-L1", "PROC-L2", "PROC-L3"], ["ROLE-SELF"]]
