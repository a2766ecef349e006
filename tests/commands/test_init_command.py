"""`qmskit init`: a new repository that passes the check, builds its site, and is wired
for pre-commit and CI from the first commit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from qmskit.cli import main
from qmskit.commands.init import workflow
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
    own = (REPO_ROOT / ".github/workflows/qms.yml").read_text(encoding="utf-8")
    assert own == workflow("pip install -e .")


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
