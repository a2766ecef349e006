"""`qmskit init`: a new repository that passes the check, builds its site, and is wired
for pre-commit and CI from the first commit."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from qmskit.cli import main
from qmskit.commands.init import PLACEHOLDER_REPOSITORY, RELEASE_TAG, workflow
from qmskit.loader import open_qms
from qmskit.model.documents import MODELS

from qmsfactory import git

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def created(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = tmp_path / "acme-qms"
    assert main(["init", str(root), "--name", "Acme: \"Hydraulics\" & Co"]) == 0
    assert "created a QMS with" in capsys.readouterr().out
    return root


def test_one_document_of_every_kind_and_no_finding(created: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    qms = open_qms(created, with_git=False)
    assert {d.kind for d in qms.documents.values()} == set(MODELS)
    assert main(["check", str(created), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["findings"] == [], report["findings"]


def test_clean_in_git_too(created: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(created, "init", "-q", "-b", "main")
    git(created, "add", "-A")
    git(created, "commit", "-q", "-m", "Start the QMS")
    assert main(["check", str(created), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []
    assert main(["codeowners", "--check", "--root", str(created)]) == 0


def test_site_builds(created: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=created,
                          env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert (created / "site/index.html").is_file()
    html = (created / "site/index.html").read_text(encoding="utf-8")
    assert "Hydraulics&#34; &amp; Co — Quality Handbook" in html  # escaped, not raw HTML
    assert "Quality Management Handbook" in html


def test_config_files_are_wired(created: Path) -> None:
    mkdocs = yaml.safe_load((created / "mkdocs.yml").read_text())
    assert mkdocs["plugins"] == ["search", "qmskit"]
    assert mkdocs["theme"] == {"name": "material", "font": False}
    assert mkdocs["site_name"] == 'Acme: "Hydraulics" & Co — Quality Handbook'
    hooks = yaml.safe_load((created / ".pre-commit-config.yaml").read_text())
    ids = [hook["id"] for repo in hooks["repos"] for hook in repo["hooks"]]
    assert ids == ["qmskit-check", "qmskit-codeowners"]
    # The hooks come from qmskit's hook repository by URL: pre-commit installs qmskit
    # into an environment of its own (`language: python` there), nothing runs from PATH.
    assert [repo["repo"] for repo in hooks["repos"]] == [PLACEHOLDER_REPOSITORY]
    steps = yaml.safe_load((created / ".github/workflows/qms.yml").read_text())["jobs"]["qms"][
        "steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    uses = [step.get("uses", "") for step in steps]
    assert "qmskit check --format github" in runs
    assert "qmskit check --format sarif > qmskit.sarif" in runs
    assert any(u.startswith("github/codeql-action/upload-sarif") for u in uses)
    assert "mkdocs build --strict" in runs
    assert 'qmskit diff "origin/$BASE_REF" HEAD' in runs
    assert "gh pr comment" in runs


def test_this_repository_uses_the_same_workflow() -> None:
    """This repository's CI is the scaffold's workflow with qmskit installed from its own
    checkout (`pip install .`), byte for byte."""
    own = (REPO_ROOT / ".github/workflows/qms.yml").read_text(encoding="utf-8")
    assert own == workflow(".")


def test_scaffold_sends_weekly_reminders(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """The scaffold's CI also runs `qmskit due --sync github` weekly, for real, and installs
    qmskit exactly as its main workflow does."""
    spec = "qmskit @ git+https://example.invalid/qmskit.git@v0.2.0"
    assert main(["init", str(tmp_path / "qms"), "--install-spec", spec]) == 0
    due = yaml.safe_load((tmp_path / "qms/.github/workflows/qms-due.yml").read_text())
    steps = due["jobs"]["due"]["steps"]
    runs = [step.get("run", "") for step in steps]
    assert "qmskit due --sync github" in runs
    assert due[True]["schedule"]  # YAML 1.1 reads `on` as True
    install = next(step["run"] for step in steps if step.get("name") == "Install qmskit")
    assert shlex.split(install) == _install_step(tmp_path / "qms")


def _install_step(root: Path) -> list[str]:
    steps = yaml.safe_load((root / ".github/workflows/qms.yml").read_text())["jobs"]["qms"][
        "steps"]
    runs = [step["run"] for step in steps if step.get("name") == "Install qmskit"]
    assert len(runs) == 1, steps
    return shlex.split(runs[0])


#: --install-spec -> (hook repository, rev) it names, or None for a local python hook.
SPECS = {
    "qmskit @ git+https://git.example.org/quality/qmskit.git@v0.2.0":
        ("https://git.example.org/quality/qmskit.git", "v0.2.0"),
    "qmskit @ git+ssh://git@git.example.org/quality/qmskit.git@0123456789abcdef":
        ("ssh://git@git.example.org/quality/qmskit.git", "0123456789abcdef"),
    "qmskit==0.2.0": None,
    "qmskit @ file:///opt/wheels/it's here/qmskit-0.2.0-py3-none-any.whl": None,
}


@pytest.mark.parametrize("spec", sorted(SPECS))
def test_ci_and_hooks_install_exactly_the_given_spec(spec: str, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "qms"
    assert main(["init", str(root), "--install-spec", spec]) == 0
    assert "placeholder" not in capsys.readouterr().out
    assert _install_step(root) == ["pip", "install", spec]
    workflow_text = (root / ".github/workflows/qms.yml").read_text(encoding="utf-8")
    assert "REPLACE" not in workflow_text
    config_text = (root / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert "REPLACE" not in config_text
    repos = yaml.safe_load(config_text)["repos"]
    assert len(repos) == 1
    hooks = repos[0]["hooks"]
    assert [hook["id"] for hook in hooks] == ["qmskit-check", "qmskit-codeowners"]
    if SPECS[spec] is not None:
        assert (repos[0]["repo"], repos[0]["rev"]) == SPECS[spec]
    else:  # a local hook that pre-commit installs the same requirement into
        assert repos[0]["repo"] == "local"
        for hook in hooks:
            assert hook["language"] == "python"
            assert hook["additional_dependencies"] == [spec]
            assert hook["entry"].startswith("qmskit ")


def test_default_source_is_a_marked_placeholder(created: Path) -> None:
    """No index serves qmskit: the default names the hook repository and this version's
    tag, the same in CI and in pre-commit, marked for replacement where it is written."""
    spec = f"qmskit @ git+{PLACEHOLDER_REPOSITORY}@{RELEASE_TAG}"
    assert _install_step(created) == ["pip", "install", spec]
    assert PLACEHOLDER_REPOSITORY.startswith("https://") and ".invalid/" in PLACEHOLDER_REPOSITORY
    workflow_text = (created / ".github/workflows/qms.yml").read_text(encoding="utf-8")
    assert "qmskit==" not in workflow_text
    assert "# REPLACE the placeholder repository" in workflow_text
    config_text = (created / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert "# REPLACE the placeholder `repo:`" in config_text
    repos = yaml.safe_load(config_text)["repos"]
    assert [(r["repo"], r["rev"]) for r in repos] == [(PLACEHOLDER_REPOSITORY, RELEASE_TAG)]


@pytest.mark.parametrize("spec", ["", "   ", "qmskit\nrm -rf /", "-e .", "qmskit\x00"])
def test_a_spec_that_is_not_one_requirement_is_refused(spec: str, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    root = tmp_path / "qms"
    assert main(["init", str(root), "--install-spec", spec]) == 2
    assert "--install-spec must be one pip requirement" in capsys.readouterr().err
    assert not root.exists()


def test_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "existing"
    root.mkdir()
    (root / "mkdocs.yml").write_text("site_name: mine\n")
    (root / "notes.txt").write_text("keep\n")
    assert main(["init", str(root)]) == 2
    assert "would overwrite mkdocs.yml" in capsys.readouterr().err
    assert sorted(p.name for p in root.iterdir()) == ["mkdocs.yml", "notes.txt"]
    assert (root / "mkdocs.yml").read_text() == "site_name: mine\n"


def test_into_an_unrelated_existing_folder(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "README.md").write_text("# Company\n")
    assert main(["init", str(root)]) == 0
    assert (root / "README.md").read_text() == "# Company\n"
    assert main(["check", str(root)]) == 0
    capsys.readouterr()
