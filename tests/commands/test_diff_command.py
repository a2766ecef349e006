"""`qmskit diff BASE HEAD`: the impact of a change, read from git revisions."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from qmskit.cli import main

from plants import PLANTS
from qmsfactory import QmsRepo, approved, git, init_git


def _json(root: Path, capsys: pytest.CaptureFixture[str], *revs: str) -> tuple[int, Any]:
    code = main(["diff", *revs, "--root", str(root), "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.fixture
def history(clean: QmsRepo) -> QmsRepo:
    """The baseline, committed, plus a second objective and procedure to tell apart."""
    clean.write("STRAT-B", "strategy", owner="ROLE-MD", **approved())
    clean.write("OBJ-B", "objective", owner="ROLE-MD", supports=["STRAT-B"],
                due="2027-06-30", **approved())
    clean.write("KPI-B", "kpi", owner="ROLE-MD", measures=["OBJ-B"], target=1.0,
                direction="lower", data="data/KPI-B.csv", **approved())
    clean.data("KPI-B", "period,value\n2026-10,0.5\n")
    clean.write("PROC-SUB", "procedure", owner="ROLE-QM", supports=["PROC-A"],
                applies_to=["ROLE-MD"], **approved())
    init_git(clean.root)
    return clean


def test_one_changed_procedure_names_objectives_strategy_and_reviewers(
    history: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    path = history.root / "procedures/PROC-SUB.md"
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\nA new inspection step.\n")
    git(history.root, "commit", "-qam", "Add an inspection step", date="2026-11-20")

    assert main(["diff", "HEAD~1", "HEAD", "--root", str(history.root)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<!-- qmskit-diff -->\n## QMS impact of `HEAD~1` → `HEAD`\n")
    assert "**1 changed** controlled document." in out
    assert ("This change touches 1 objective (OBJ-A) that supports strategy **STRAT-A** "
            "(Title of STRAT-A).") in out
    assert "Review needed from @quality-lead (ROLE-QM) and @managing-director (ROLE-MD)" \
        not in out  # reviewers are listed in role order
    assert "Review needed from @managing-director (ROLE-MD) and @quality-lead (ROLE-QM)." in out
    assert "#### PROC-SUB · Title of PROC-SUB" in out
    assert "changed: `body`" in out
    assert "- serves: PROC-SUB → PROC-A → OBJ-A → STRAT-A" in out
    assert "| ROLE-QM Title of ROLE-QM | @quality-lead | owner of PROC-SUB |" in out
    assert "| ROLE-MD Title of ROLE-MD | @managing-director | approver of PROC-SUB |" in out
    assert "| ROLE-MD Title of ROLE-MD | @managing-director | PROC-SUB |" in out  # acknowledge
    assert "OBJ-B" not in out and "STRAT-B" not in out

    code, data = _json(history.root, capsys, "HEAD~1", "HEAD")
    assert code == 0
    assert data["summary"] == {"added": 0, "changed": 1, "retired": 0, "removed": 0}
    assert [o["id"] for o in data["objectives"]] == ["OBJ-A"]
    assert [s["id"] for s in data["strategies"]] == ["STRAT-A"]
    (doc,) = data["documents"]
    assert doc["id"] == "PROC-SUB" and doc["change"] == "changed"
    assert doc["upstream_chains"] == [["PROC-SUB", "PROC-A", "OBJ-A", "STRAT-A"]]
    assert doc["changed_fields"] == ["body"]
    assert [r["role"] for r in data["reviewers"]] == ["ROLE-MD", "ROLE-QM"]
    assert data["findings"] == {"introduced": [], "fixed": []}


def test_downstream_kpis_and_data_changes(history: QmsRepo,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    history.write("PROC-A", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                  **approved(version=2))
    # October corrected (November has not ended on the evaluation date).
    history.data("KPI-A", (history.root / "qms_docs/kpis/data/KPI-A.csv").read_text()
                  .replace("2026-10,96.0\n", "2026-10,97\n"))
    git(history.root, "commit", "-qam", "PROC-A v2, October data corrected")
    code, data = _json(history.root, capsys, "HEAD~1..HEAD")
    assert code == 0
    by_id = {d["id"]: d for d in data["documents"]}
    assert by_id["PROC-A"]["kpis"] == [{"id": "KPI-A", "title": "Title of KPI-A"}]
    assert by_id["PROC-A"]["version"] == [1, 2]
    assert by_id["KPI-A"]["changed_fields"] == ["data"]


def test_added_retired_removed_and_moved(history: QmsRepo,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    history.write("OBJ-B", "objective", owner="ROLE-MD", supports=["STRAT-B"],
                  **approved(status="retired"))
    (history.root / "qms_docs/kpis/KPI-B.md").unlink()
    history.write("PROC-NEW", "procedure", owner="ROLE-QM", supports=["OBJ-A"], **approved())
    (history.root / "procedures/sub").mkdir()
    (history.root / "procedures/PROC-SUB.md").rename(history.root / "procedures/sub/PROC-SUB.md")
    git(history.root, "add", "-A")
    git(history.root, "commit", "-qm", "Reshape")
    code, data = _json(history.root, capsys, "HEAD~1", "HEAD")
    changes = {d["id"]: d["change"] for d in data["documents"]}
    assert changes == {"OBJ-B": "retired", "KPI-B": "removed", "PROC-NEW": "added",
                       "PROC-SUB": "changed"}
    moved = next(d for d in data["documents"] if d["id"] == "PROC-SUB")
    assert moved["old_path"] == "procedures/PROC-SUB.md"
    assert moved["path"] == "procedures/sub/PROC-SUB.md"
    removed = next(d for d in data["documents"] if d["id"] == "KPI-B")
    assert removed["upstream_chains"] == [["KPI-B", "OBJ-B", "STRAT-B"]]
    assert data["findings"]["introduced"] == []
    assert code == 0


def test_findings_introduced_then_fixed(history: QmsRepo,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    history.write("PROC-DANGLE", "procedure", owner="ROLE-QM", supports=["OBJ-NOPE"],
                  **approved())
    git(history.root, "add", "-A")
    git(history.root, "commit", "-qm", "Dangling")
    assert main(["diff", "HEAD~1", "--root", str(history.root)]) == 1
    out = capsys.readouterr().out
    assert "### Findings introduced" in out
    assert "`procedures/PROC-DANGLE.md:" in out and "**L201** (error)" in out
    history.write("PROC-DANGLE", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                  **approved())
    git(history.root, "commit", "-qam", "Fix the link")
    code, data = _json(history.root, capsys, "HEAD~1", "HEAD")
    assert code == 0
    assert sorted(f["code"] for f in data["findings"]["fixed"]) == ["L201", "T304"]
    assert data["findings"]["introduced"] == []


def test_reads_revisions_not_the_working_tree(history: QmsRepo,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    (history.root / "procedures/PROC-A.md").write_text("broken: [\n", encoding="utf-8")
    code, data = _json(history.root, capsys, "HEAD", "HEAD")
    assert code == 0 and data["documents"] == []


def test_titles_cannot_inject_markdown_or_mentions(history: QmsRepo,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    history.write("PROC-X", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                  **approved(title="<img src=x> [click](http://evil) @everyone *bold*"))
    git(history.root, "add", "-A")
    git(history.root, "commit", "-qm", "Sneaky")
    assert main(["diff", "HEAD~1", "HEAD", "--root", str(history.root)]) == 0
    out = capsys.readouterr().out
    assert ("#### PROC-X · &lt;img src=x&gt; \\[click\\](http://evil) &#64;everyone "
            "\\*bold\\*" in out)
    assert not re.search(r"(?<!\\)<img", out) and "@everyone" not in out


def test_qms_in_a_subfolder_and_config_per_revision(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    top = tmp_path / "mono"
    repo = QmsRepo(top / "quality").baseline()
    (top / "src").mkdir()
    (top / "src/app.py").write_text("print('not QMS')\n")
    init_git(top)
    (repo.root / "qmskit.toml").write_text('today = 2026-11-24\nfolders = ["procedures"]\n')
    git(top, "commit", "-qam", "Narrow the folders")
    _, data = _json(repo.root, capsys, "HEAD~1", "HEAD")
    # At HEAD only procedures/ holds the QMS: everything else is "removed".
    assert {d["change"] for d in data["documents"]} == {"removed"}
    assert "PROC-A" not in {d["id"] for d in data["documents"]}


@pytest.mark.parametrize(("args", "message"), [
    (["nope", "HEAD"], "unknown git revision 'nope'"),
    (["--", "-x", "HEAD"], "is not a git revision"),
])
def test_bad_revisions_are_usage_errors(history: QmsRepo, capsys: pytest.CaptureFixture[str],
                                        args: list[str], message: str) -> None:
    assert main(["diff", "--root", str(history.root), *args]) == 2
    assert message in capsys.readouterr().err


def test_outside_git_is_a_usage_error(clean: QmsRepo,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "HEAD~1", "--root", str(clean.root)]) == 2
    assert "not inside a git repository" in capsys.readouterr().err


@pytest.mark.parametrize("output_format", ["json", "markdown"])
def test_a_change_outside_the_qms_is_answered_without_reading_a_document(
    history: QmsRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    output_format: str,
) -> None:
    """A commit that touches no config file and nothing in the QMS folders: the answer
    is what loading both revisions gives, and no document is read to give it."""
    (history.root / "README.md").write_text("# Our QMS\n", encoding="utf-8")
    (history.root / "procedures/PROC-A.md").write_text("broken: [\n", encoding="utf-8")
    git(history.root, "add", "README.md")
    git(history.root, "commit", "-qm", "Readme", date="2026-11-20")
    args = ["diff", "HEAD~1", "HEAD", "--root", str(history.root), "--format", output_format]

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("a document was read")

    monkeypatch.setattr("qmskit.loader.load_qms", refuse)
    monkeypatch.setattr("qmskit.loader.parse_bytes", refuse)
    monkeypatch.setattr("qmskit.loader.load_revisions", refuse)
    monkeypatch.setattr("qmskit.commands.diff.load_revisions", refuse)
    assert main(args) == 0
    fast = capsys.readouterr().out
    monkeypatch.undo()
    # The full comparison (both revisions loaded and checked) says the same.
    monkeypatch.setattr("qmskit.commands.diff.shortcut_revisions", lambda *_, **__: None)
    assert main(args) == 0
    assert capsys.readouterr().out == fast
    if output_format == "json":
        data = json.loads(fast)
        assert data["documents"] == [] and data["findings"] == {"introduced": [],
                                                                 "fixed": []}
        assert data["summary"] == {"added": 0, "changed": 0, "retired": 0, "removed": 0}
    else:
        assert "No controlled document changed." in fast


@pytest.mark.parametrize(("touched", "old", "new"), [
    ("qmskit.toml", "\n", "\n# a comment\n"),
    ("procedures/PROC-A.md", "owner: ROLE-QM", "owner: ROLE-MD"),
])
def test_a_change_to_the_config_or_a_front_matter_loads_both_revisions(
    history: QmsRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    touched: str, old: str, new: str,
) -> None:
    path = history.root / touched
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    git(history.root, "commit", "-qam", "Touch", date="2026-11-20")
    loads: list[str] = []
    from qmskit.commands import diff as diff_command

    real = diff_command.load_revisions

    def counting(*args: Any, **kwargs: Any) -> Any:
        loads.append("both")
        return real(*args, **kwargs)

    monkeypatch.setattr(diff_command, "load_revisions", counting)
    main(["diff", "HEAD~1", "HEAD", "--root", str(history.root), "--format", "json"])
    capsys.readouterr()
    assert loads == ["both"]


def _edit_bodies(repo: QmsRepo) -> None:
    for relative in ("procedures/PROC-SUB.md", "objectives/OBJ-B.md"):
        path = repo.root / relative
        path.write_text(path.read_text(encoding="utf-8") + "\nA new step.\n",
                        encoding="utf-8")
    git(repo.root, "commit", "-qam", "Reword", date="2026-11-20")


@pytest.mark.parametrize("work_tree", ["at head, cached", "at head", "elsewhere"])
@pytest.mark.parametrize("output_format", ["json", "markdown"])
def test_a_body_edit_checks_neither_side_and_says_what_loading_both_says(
    history: QmsRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    work_tree: str, output_format: str,
) -> None:
    """Only bodies edited: no rule runs, the base is not loaded, and the answer is the
    one the full comparison (both revisions loaded and checked) gives."""
    PLANTS["L201"](history)  # a finding on both sides, to be neither introduced nor fixed
    git(history.root, "add", "-A")
    git(history.root, "commit", "-qm", "Plant", date="2026-11-01")
    _edit_bodies(history)
    if work_tree == "at head, cached":
        main(["check", str(history.root), "--format", "json"])
    elif work_tree == "elsewhere":
        git(history.root, "checkout", "-q", "HEAD~1")
    capsys.readouterr()
    args = ["diff", "main~1", "main", "--root", str(history.root), "--format", output_format]
    from qmskit.commands import diff as diff_command

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("a revision was checked or loaded in full")

    monkeypatch.setattr(diff_command, "run_checks", refuse)
    monkeypatch.setattr(diff_command, "load_revisions", refuse)
    main(args)
    fast = capsys.readouterr().out
    monkeypatch.undo()
    monkeypatch.setattr(diff_command, "shortcut_revisions", lambda *_, **__: None)
    main(args)
    assert capsys.readouterr().out == fast
    if output_format == "json":
        data = json.loads(fast)
        assert [(d["id"], d["changed_fields"]) for d in data["documents"]] == [
            ("OBJ-B", ["body"]), ("PROC-SUB", ["body"])]
        assert data["findings"] == {"introduced": [], "fixed": []}
