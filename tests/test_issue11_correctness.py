"""Issue 11, correctness (items 2-13): places where two parts of qmskit give different
answers to one question, or where the answer is wrong.

Each test pins the behaviour the issue asks for and fails on the main branch it was
written against; `xfail(strict=True)` keeps the suite green until the item is fixed, and
then turns the XPASS into a failure so that whoever fixes it removes the marker.
Only the public surface is used: the CLI, files on disk, real git, real MkDocs builds.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from hostile import Run, cli, run_command

from qmsfactory import TODAY, QmsRepo, approved, git, init_git, monthly

MKDOCS_YML = """\
site_name: Test handbook
docs_dir: qms_docs
theme:
  name: material
  font: false
plugins:
  - search
  - qmskit
"""


def _findings(root: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> list[dict[str, Any]]:
    result = cli(["check", str(root), "--format", "json", "--no-cache", "--today", TODAY,
                  *extra], capsys)
    assert "Traceback" not in result.text
    findings: list[dict[str, Any]] = json.loads(result.out)["findings"]
    return findings


def _codes_at(findings: list[dict[str, Any]], path: str) -> set[str]:
    return {f["code"] for f in findings if f["path"] == path}


def _front(path: Path) -> dict[str, Any]:
    front: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
    return front


def _mkdocs_build(config: Path, site: Path) -> Run:
    return run_command([sys.executable, "-m", "mkdocs", "build", "-f", str(config), "-d",
                        str(site)], config.parent, timeout=120)


def _files_mentioning(folder: Path, needle: str) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and needle.encode() in p.read_bytes())


# --- 2. `exclude` is honoured by the site -------------------------------------------

#: Excluded drafts, one outside MkDocs' docs_dir (added by qmskit) and one inside it.
EXCLUDED = {
    "outside-docs-dir": ("procedures/scratch/PROC-SCRATCH.md", "SCRATCH-MARKER-PROCEDURES"),
    "inside-docs-dir": ("qms_docs/drafts/PROC-DRAFTY.md", "SCRATCH-MARKER-QMSDOCS"),
}


def _repo_with_excluded_drafts(root: Path) -> QmsRepo:
    repo = QmsRepo(root).baseline()
    repo.write_raw("qmskit.toml", f"today = {TODAY}\n"
                   'exclude = ["procedures/scratch/*", "qms_docs/drafts/*"]\n')
    for relative, marker in EXCLUDED.values():
        doc_id = Path(relative).stem
        # Unchecked drafts: no owner, no links; only `exclude` keeps check clean.
        repo.write_raw(relative, f"---\nid: {doc_id}\nkind: procedure\ntitle: {marker}\n"
                       f"---\n\n{marker}: a half-written draft.\n")
    repo.write_raw("qms_docs/index.md", "# Handbook\n")
    repo.write_raw("mkdocs.yml", MKDOCS_YML)
    return repo


@pytest.mark.parametrize("where", sorted(EXCLUDED))
def test_pages_leaves_out_excluded_files(where: str, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    repo = _repo_with_excluded_drafts(tmp_path / "repo")
    assert cli(["check", str(repo.root)], capsys).code == 0  # excluded from the check
    out = tmp_path / "handbook"
    result = cli(["pages", str(out), "--root", str(repo.root)], capsys)
    assert result.code == 0, result.text
    _, marker = EXCLUDED[where]
    assert _files_mentioning(out, marker) == []


@pytest.mark.parametrize("where", sorted(EXCLUDED))
def test_mkdocs_plugin_leaves_out_excluded_files(where: str, tmp_path: Path) -> None:
    repo = _repo_with_excluded_drafts(tmp_path / "repo")
    site = tmp_path / "site"
    built = _mkdocs_build(repo.root / "mkdocs.yml", site)
    assert built.code == 0, built.text
    _, marker = EXCLUDED[where]
    assert _files_mentioning(site, marker) == []


# --- 3. C403 after a back-dated review stamp ----------------------------------------

def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_backdated_review_stamp_clears_c403_until_content_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = QmsRepo(tmp_path / "repo").baseline()
    init_git(repo.root, date="2026-07-01")
    doc = repo.root / "procedures/PROC-A.md"
    _append(doc, "\nA new step.\n")
    git(repo.root, "commit", "-qam", "Add a step", date="2026-11-10")
    assert "C403" in _codes_at(_findings(repo.root, capsys), "procedures/PROC-A.md")
    # The review is recorded after the change, with the date of the meeting before it.
    assert cli(["review", "PROC-A", "--by", "ROLE-QM", "--date", "2026-11-01",
                "--root", str(repo.root)], capsys).code == 0
    git(repo.root, "commit", "-qam", "Review PROC-A", date="2026-11-12")
    assert "C403" not in _codes_at(_findings(repo.root, capsys), "procedures/PROC-A.md")
    _append(doc, "\nAnother step.\n")
    git(repo.root, "commit", "-qam", "Another step", date="2026-11-15")
    assert "C403" in _codes_at(_findings(repo.root, capsys), "procedures/PROC-A.md")


#: Stamp-only edits: (what, old text, new text). None of them changes the content.
STAMP_ONLY = {
    "version": ("version: 1\n", "version: 2\n"),
    "approved_on": ("approved_on: 2026-06-01\n", "approved_on: 2026-07-02\n"),
    "approved_by": ("approved_by: ROLE-MD\n", "approved_by: ROLE-QM\n"),
    "review.interval": ("  interval: 12 months\n", "  interval: 6 months\n"),
    "review.by": ("  interval: 12 months\n", "  interval: 12 months\n  by: ROLE-QM\n"),
}


@pytest.mark.parametrize("field", sorted(STAMP_ONLY))
def test_stamp_only_commit_is_not_a_change(field: str, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    repo = QmsRepo(tmp_path / "repo").baseline()
    init_git(repo.root, date="2026-07-01")
    doc = repo.root / "procedures/PROC-A.md"
    old, new = STAMP_ONLY[field]
    text = doc.read_text(encoding="utf-8")
    assert old in text
    doc.write_text(text.replace(old, new, 1), encoding="utf-8")
    git(repo.root, "commit", "-qam", f"Stamp only: {field}", date="2026-08-01")
    assert "C403" not in _codes_at(_findings(repo.root, capsys), "procedures/PROC-A.md")


def test_adding_front_matter_to_an_old_page_is_the_baseline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = QmsRepo(tmp_path / "repo").baseline()
    body = "# Calibration\n\nEvery gauge is calibrated once a year.\n"
    repo.write_raw("procedures/PROC-OLD.md", body)  # a plain page git has known for long
    init_git(repo.root, date="2025-01-10")
    # Adopting qmskit: the page gets front matter recording the review held in June.
    repo.write("PROC-OLD", "procedure", body=body, owner="ROLE-QM", supports=["OBJ-A"],
               **approved())
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-qm", "Adopt qmskit", date="2026-11-01")
    assert "C403" not in _codes_at(_findings(repo.root, capsys), "procedures/PROC-OLD.md")


# --- 4. Draft actions on the site's Actions page ------------------------------------

def test_draft_action_is_not_shown_open_or_overdue(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    repo = QmsRepo(tmp_path / "repo").baseline()
    repo.write_raw("qms_docs/actions/ACT-DRAFT.md", """\
---
id: ACT-DRAFT
kind: action
title: An idea nobody has started
owner: ROLE-QM
status: draft
type: improvement
source: proactive-idea
opened: 2026-05-01
due: 2026-06-30
---
Body.
""")
    findings = _findings(repo.root, capsys)
    assert "R502" not in _codes_at(findings, "qms_docs/actions/ACT-DRAFT.md")  # the rule agrees
    out = tmp_path / "handbook"
    assert cli(["pages", str(out), "--root", str(repo.root)], capsys).code == 0
    page = (out / "docs/system/actions.md").read_text(encoding="utf-8")
    rows = [line for line in page.splitlines() if "ACT-DRAFT" in line]
    assert rows, page
    assert not any("overdue" in row.lower() for row in rows), rows
    # Not listed under the "Open" heading either.
    sections = re.split(r"^#+ ", page, flags=re.MULTILINE)
    open_sections = [s for s in sections if s.lower().startswith("open")]
    assert not any("ACT-DRAFT" in s for s in open_sections), open_sections


# --- 5. Review pack and R505 agree about never-audited processes ---------------------

def test_review_pack_and_r505_agree_on_overdue_audits(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    repo = QmsRepo(tmp_path / "repo").baseline()
    # Never audited: PROC-NEW approved in June, PROC-OLD approved two years ago.
    repo.write("PROC-NEW", "process", owner="ROLE-QM", supports=["OBJ-A"], **approved())
    repo.write("PROC-OLD", "process", owner="ROLE-QM", supports=["OBJ-A"],
               **approved(approved_on="2024-11-10"))
    repo.write("PROC-AUD", "process", owner="ROLE-QM", supports=["OBJ-A"], **approved())
    repo.write_raw("qms_docs/audits/AUD-2026-03.md", """\
---
id: AUD-2026-03
kind: audit
title: Internal audit March 2026
owner: ROLE-QM
status: approved
approved_by: ROLE-QM
approved_on: 2026-03-10
type: internal
date: 2026-03-03
scope: [PROC-AUD]
findings: []
---
Body.
""")
    findings = _findings(repo.root, capsys)
    by_rule = {Path(f["path"]).stem for f in findings if f["code"] == "R505"}
    pack = cli(["report", "management-review", str(repo.root), "--today", TODAY], capsys)
    assert pack.code == 0, pack.text
    # Assumes the pack keeps its line "processes overdue for audit: A, B".
    listed = re.search(r"processes overdue for audit: ([^|\n]*)", pack.out)
    by_pack = {p.strip() for p in listed.group(1).split(",")} if listed else set()
    assert "PROC-OLD" in by_rule  # not vacuous: one process is overdue by any reading
    assert by_pack == by_rule


# --- 6. Multi-line text in generated tables ------------------------------------------

JUSTIFICATION = ('we build to customers\' drawings;\nno design | responsibility `here`, '
                 '<b>none</b> & no R&D')


def _coverage_repo(root: Path) -> QmsRepo:
    repo = QmsRepo(root).baseline()
    repo.write_raw("qmskit.toml", f"""today = {TODAY}
[coverage]
standard = "ISO 9001:2015"
exclusions = {{ "8.3" = {json.dumps(JUSTIFICATION)} }}
[rules]
A601 = "off"
""")
    return repo


def _assert_tables_intact(markdown: str) -> None:
    """Every Markdown table: rows on one line each, all with the same number of cells."""
    lines = markdown.splitlines()
    index = 0
    while index < len(lines):
        if not lines[index].startswith("|"):
            index += 1
            continue
        block = []
        while index < len(lines) and lines[index].strip():
            block.append(lines[index])
            index += 1
        widths = set()
        for row in block:
            assert row.startswith("|") and row.rstrip().endswith("|"), (row, block)
            widths.add(len(re.split(r"(?<!\\)\|", row.strip())))
        assert len(widths) == 1, block


def _assert_exclusion_row(markdown: str) -> None:
    # "customers' drawings" is the justification's own text (clause titles such as 8.5.3
    # "Property belonging to customers" also say "customers").
    rows = [line for line in markdown.splitlines() if "drawings" in line]
    assert len(rows) == 1, rows
    row = rows[0]
    assert "no design" in row and "responsibility" in row  # one row holds all of it
    assert "<b>" not in row  # escaped, not raw HTML


def test_coverage_markdown_table_survives_special_text(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    repo = _coverage_repo(tmp_path / "repo")
    result = cli(["coverage", str(repo.root), "--format", "markdown"], capsys)
    assert "Traceback" not in result.text
    _assert_tables_intact(result.out)
    _assert_exclusion_row(result.out)


def test_site_coverage_table_survives_special_text(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    repo = _coverage_repo(tmp_path / "repo")
    out = tmp_path / "handbook"
    assert cli(["pages", str(out), "--root", str(repo.root)], capsys).code == 0
    page = (out / "docs/system/coverage.md").read_text(encoding="utf-8")
    _assert_tables_intact(page)
    _assert_exclusion_row(page)


# --- 7. version: 0 ---------------------------------------------------------------------

@pytest.mark.parametrize("status", ["draft", "approved"])
def test_version_zero_is_accepted(status: str, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    repo = QmsRepo(tmp_path / "repo").baseline()
    fields = approved(version=0) if status == "approved" else {"status": "draft", "version": 0}
    repo.write("PROC-REV0", "procedure", owner="ROLE-QM", supports=["OBJ-A"], **fields)
    findings = _findings(repo.root, capsys)
    assert _codes_at(findings, "procedures/PROC-REV0.md") == set(), findings


# --- 8. One bad holder hides all holders ----------------------------------------------

def test_one_bad_holder_keeps_the_valid_ones(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    repo = QmsRepo(tmp_path / "repo").baseline()
    path = repo.write("ROLE-QM", "role", owner="ROLE-MD", holders=["quality-lead", "<bad>"],
                      reports_to="ROLE-MD", **approved())
    findings = [f for f in _findings(repo.root, capsys)
                if f["path"] == "qms_docs/roles/ROLE-QM.md"]
    bad_line = path.read_text(encoding="utf-8").splitlines().index("- <bad>") + 1
    assert [(f["code"], f["line"]) for f in findings if f["code"] == "D102"] == [
        ("D102", bad_line)]
    assert "T308" not in {f["code"] for f in findings}, findings


# --- 9. The scaffold's CI can install qmskit ------------------------------------------

SPEC = "qmskit @ git+https://example.invalid/qmskit@v0.2.0"


def _install_steps(root: Path) -> list[str]:
    workflow = yaml.safe_load((root / ".github/workflows/qms.yml").read_text(encoding="utf-8"))
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    return [step["run"] for step in steps if "pip install" in str(step.get("run", ""))]


def test_init_writes_the_install_spec_into_the_workflow(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "acme"
    result = cli(["init", str(root), "--install-spec", SPEC], capsys)
    assert result.code == 0, result.text
    runs = _install_steps(root)
    assert runs and all(SPEC in step for step in runs), runs


def test_init_default_install_is_a_marked_placeholder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "acme"
    assert cli(["init", str(root)], capsys).code == 0
    text = (root / ".github/workflows/qms.yml").read_text(encoding="utf-8")
    assert "qmskit==0.1.0" not in text
    runs = _install_steps(root)
    assert runs
    # Assumes the placeholder says so in words a reader cannot miss.
    assert re.search(r"placeholder|replace|todo", text, flags=re.IGNORECASE), text
    # The same repository (and tag) as the pre-commit hook, when the hook names one.
    hooks = yaml.safe_load((root / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    for source in hooks["repos"]:
        if source["repo"] not in ("local", "meta"):
            assert any(source["repo"] in step and source["rev"] in step for step in runs), (
                source, runs)


# --- 10. `qmskit pages OUT` and settings that point at files ---------------------------

SETTINGS = {
    "hooks": ("hooks:\n  - hooks/mark.py\n", "HOOK-RAN-MARKER"),
    "theme.custom_dir": ("", "CUSTOM-DIR-MARKER"),
}


@pytest.mark.parametrize("setting", sorted(SETTINGS))
def test_pages_output_builds_with_settings_pointing_at_files(
    setting: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = QmsRepo(tmp_path / "repo").baseline()
    repo.write_raw("qms_docs/index.md", "# Handbook\n")
    repo.write_raw("qms_docs/css/extra.css", "body { letter-spacing: 0; }\n")
    repo.write_raw("qms_docs/js/extra.js", "window.qmsExtra = true;\n")
    repo.write_raw("hooks/mark.py", "def on_page_content(html, **kwargs):\n"
                   "    return html + '<p>HOOK-RAN-MARKER</p>'\n")
    repo.write_raw("overrides/main.html", "{% extends 'base.html' %}\n"
                   "{% block footer %}CUSTOM-DIR-MARKER{% endblock %}\n")
    extra, marker = SETTINGS[setting]
    theme_extra = "  custom_dir: overrides\n" if setting == "theme.custom_dir" else ""
    repo.write_raw("mkdocs.yml", MKDOCS_YML.replace("  font: false\n", "  font: false\n"
                                                    + theme_extra)
                   + extra + "extra_css:\n  - css/extra.css\nextra_javascript:\n"
                   "  - js/extra.js\n")
    source_site = _mkdocs_build(repo.root / "mkdocs.yml", tmp_path / "source-site")
    assert source_site.code == 0, source_site.text  # the source itself builds
    out = tmp_path / "handbook"
    assert cli(["pages", str(out), "--root", str(repo.root)], capsys).code == 0
    site = tmp_path / "site"
    built = _mkdocs_build(out / "mkdocs.yml", site)
    assert built.code == 0, built.text
    index = (site / "index.html").read_text(encoding="utf-8")
    assert marker in index
    assert "css/extra.css" in index and "js/extra.js" in index
    assert (site / "css/extra.css").is_file() and (site / "js/extra.js").is_file()


# --- 11. A revision is approved only when someone approves it --------------------------

def _acknowledged_procedure(root: Path) -> tuple[QmsRepo, Path]:
    """PROC-R, version 1 approved on 2026-03-01 and acknowledged by its one reader; then
    its content changed (committed 2026-11-10)."""
    repo = QmsRepo(root).baseline()
    repo.write_raw("qmskit.toml", f"today = {TODAY}\nack_days = 30\n")
    path = repo.write("PROC-R", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                      applies_to=["ROLE-QM"],
                      **approved(approved_on="2026-03-01",
                                 review={"last": "2026-03-01", "interval": "12 months"}))
    repo.write_raw("qms_docs/acknowledgements.csv",
                   "id,version,handle,date\nPROC-R,1,quality-lead,2026-03-05\n")
    init_git(repo.root, date="2026-03-01")
    _append(path, "\nA new step.\n")
    git(repo.root, "commit", "-qam", "Add a step", date="2026-11-10")
    return repo, path


#: Rules that existed before issue 11 and say nothing about approval of a version.
_OLD_RULES = {"A603", "C401", "C402", "C403"}


def _approval_findings(findings: list[dict[str, Any]], path: str) -> list[dict[str, Any]]:
    # Assumes the new rule's message speaks of approval ("approved", "approval").
    return [f for f in findings if f["path"] == path and f["code"] not in _OLD_RULES
            and "approv" in f["message"].lower()]


def test_review_bump_leaves_the_new_version_pending_approval(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo, path = _acknowledged_procedure(tmp_path / "repo")
    result = cli(["review", "PROC-R", "--by", "ROLE-QM", "--root", str(repo.root)], capsys)
    assert result.code == 0, result.text
    front = _front(path)
    assert front["version"] == 2
    git(repo.root, "commit", "-qam", "Review PROC-R", date="2026-11-24")
    findings = _findings(repo.root, capsys)
    # Either the front matter no longer claims approval of version 2, or a rule says
    # that the approval on record predates this version.
    pending = front.get("status") != "approved"
    assert pending or _approval_findings(findings, "procedures/PROC-R.md"), (front, findings)


@pytest.mark.xfail(strict=True, reason="issue 11.11, known limit: a version raised by hand "
                   "(no approved_version written) is taken as approved at its current version; "
                   "`qmskit review` records approved_version, and A605 reports a pending "
                   "version exactly from then on. Knowing it from git would need the history "
                   "before each review stamp, which the bounded check does not read")
def test_rule_reports_approval_older_than_the_current_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo, path = _acknowledged_procedure(tmp_path / "repo")
    # A hand edit: version raised and review stamped, the approval of version 1 kept.
    text = path.read_text(encoding="utf-8").replace("version: 1\n", "version: 2\n")
    path.write_text(text.replace("  last: 2026-03-01\n", "  last: 2026-11-12\n"),
                    encoding="utf-8")
    git(repo.root, "commit", "-qam", "Version 2 of PROC-R", date="2026-11-12")
    findings = _approval_findings(_findings(repo.root, capsys), "procedures/PROC-R.md")
    assert findings
    assert all(f["line"] >= 1 and f["col"] >= 1 for f in findings)


def test_no_acknowledgement_is_owed_for_an_unapproved_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo, _ = _acknowledged_procedure(tmp_path / "repo")
    assert cli(["review", "PROC-R", "--by", "ROLE-QM", "--root", str(repo.root)],
               capsys).code == 0
    git(repo.root, "commit", "-qam", "Review PROC-R", date="2026-11-24")
    findings = _findings(repo.root, capsys)
    assert "A603" not in _codes_at(findings, "procedures/PROC-R.md"), findings


def test_approval_by_another_role_keeps_the_reviewer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo, path = _acknowledged_procedure(tmp_path / "repo")
    assert cli(["review", "PROC-R", "--by", "ROLE-QM", "--date", "2026-11-20",
                "--root", str(repo.root)], capsys).code == 0
    git(repo.root, "commit", "-qam", "Review PROC-R", date="2026-11-20")
    result = cli(["review", "PROC-R", "--by", "ROLE-MD", "--approve", "--as",
                  "managing-director", "--date", "2026-11-24", "--root", str(repo.root)],
                 capsys)
    assert result.code == 0, result.text
    front = _front(path)
    assert front["review"]["by"] == "ROLE-QM"
    assert front["approved_by"] == "ROLE-MD"
    assert str(front["approved_on"]) == "2026-11-24"
    assert front["version"] == 2


# --- 12. The scaffold's pre-commit hook works without qmskit on PATH -------------------

def test_scaffold_precommit_hooks_do_not_need_qmskit_on_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "acme"
    assert cli(["init", str(root)], capsys).code == 0
    config = yaml.safe_load((root / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = [(repo["repo"], hook) for repo in config["repos"] for hook in repo["hooks"]]
    assert hooks
    for source, hook in hooks:
        # `language: system` runs whatever `qmskit` the shell finds, or fails with
        # "Executable `qmskit` not found" in an IDE or a shell without the venv.
        if source == "local":
            assert hook.get("language") != "system", hook
            assert hook.get("language") == "python", hook
            assert any("qmskit" in dep for dep in hook.get("additional_dependencies", [])), hook


# --- 13. KPI entry edge cases ------------------------------------------------------------

def test_kpi_record_refuses_a_period_that_has_not_ended(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = QmsRepo(tmp_path / "repo").baseline()  # today = 2026-11-24; data up to 2026-10
    data = repo.root / "qms_docs/kpis/data/KPI-A.csv"
    before = data.read_bytes()
    result = cli(["kpi", "record", "KPI-A", "96", "--period", "2026-11",
                  "--root", str(repo.root)], capsys)
    assert result.code == 2, result.text
    assert "2026-11" in result.err
    assert data.read_bytes() == before


def test_kpi_record_no_data_with_a_reason_silences_c404(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = QmsRepo(tmp_path / "repo").baseline()
    repo.data("KPI-A", monthly(1, 9))  # 2026-10 was due by 2026-11-15
    assert "C404" in _codes_at(_findings(repo.root, capsys), "qms_docs/kpis/KPI-A.md")
    # Assumed interface: VALUE `n/a` with `--reason TEXT` (a reason is required).
    result = cli(["kpi", "record", "KPI-A", "n/a", "--reason", "no deliveries in October",
                  "--period", "2026-10", "--root", str(repo.root)], capsys)
    assert result.code == 0, result.text
    text = (repo.root / "qms_docs/kpis/data/KPI-A.csv").read_text(encoding="utf-8")
    assert "no deliveries in October" in text  # the reason is kept with the row
    findings = _findings(repo.root, capsys)
    assert not [f for f in findings if f["code"] in ("C404", "D105")], findings
