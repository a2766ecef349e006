"""The real pre-commit framework runs this repository's hooks in a QMS repository.

This repository's working tree (its `.pre-commit-hooks.yaml`, `pyproject.toml` and
`src/`) is committed into a temporary hook repository, which a QMS repository then uses
the way any user would, by location and `rev:`. pre-commit builds the hook's virtual
environment once per session (tens of seconds, from the package index); every commit
after that runs the hooks exactly as in daily use.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from qmskit.cli import main

from qmsfactory import QmsRepo, approved, git, line_of

REPO_ROOT = Path(__file__).resolve().parent.parent
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A git repository holding this working tree's hook definition and package."""
    root = tmp_path_factory.mktemp("hook-repo")
    for name in (".pre-commit-hooks.yaml", "pyproject.toml", "README.md"):
        shutil.copy(REPO_ROOT / name, root / name)
    shutil.copytree(REPO_ROOT / "src", root / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", ".*cache*"))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "qmskit hooks")
    return root, git(root, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """pre-commit's cache (hook environments) shared by the tests of this module."""
    return {**os.environ, "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home")),
            "PRE_COMMIT_COLOR": "never", "GIT_AUTHOR_NAME": "quality-lead",
            "GIT_AUTHOR_EMAIL": "quality-lead@example.invalid",
            "GIT_COMMITTER_NAME": "quality-lead",
            "GIT_COMMITTER_EMAIL": "quality-lead@example.invalid"}


def _config(hook_repo: tuple[Path, str], *hooks: str) -> str:
    path, rev = hook_repo
    # By URL, as `qmskit init --install-spec "qmskit @ git+URL@REV"` writes it (and so the
    # scaffold's test reuses this hook environment: pre-commit keys it by repo and rev).
    lines = ["repos:", f"  - repo: {path.as_uri()}", f"    rev: {rev}", "    hooks:"]
    return "\n".join(lines + [f"      - id: {hook}" for hook in hooks]) + "\n"


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False,
                          timeout=600)


def _commit(root: Path, env: dict[str, str], message: str) -> subprocess.CompletedProcess[str]:
    """`git commit`, with the hooks' report (git sends it to stderr) as `stdout`."""
    _run(["git", "add", "-A"], root, env)
    done = _run(["git", "commit", "-m", message], root, env)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout + done.stderr, "")


@pytest.fixture
def qms(tmp_path: Path, hook_repo: tuple[Path, str], env: dict[str, str],
        capsys: pytest.CaptureFixture[str]) -> Iterator[QmsRepo]:
    """A clean QMS repository with both hooks installed and a first, accepted commit."""
    repo = QmsRepo(tmp_path / "qms").baseline()
    repo.write_raw(".pre-commit-config.yaml",
                   _config(hook_repo, "qmskit-check", "qmskit-codeowners"))
    git(repo.root, "init", "-q", "-b", "main")
    assert main(["codeowners", "--root", str(repo.root)]) == 0
    capsys.readouterr()
    installed = _run([*PRE_COMMIT, "install"], repo.root, env)
    assert installed.returncode == 0, installed.stderr
    first = _commit(repo.root, env, "Start the QMS")
    assert first.returncode == 0, first.stdout + first.stderr
    yield repo


def _head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def test_dangling_link_is_refused_and_the_fix_accepted(
    qms: QmsRepo, env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    path = qms.write("PROC-DANGLE", "procedure", owner="ROLE-QM",
                     supports=["OBJ-A", "OBJ-NOPE"], **approved())
    assert main(["codeowners", "--root", str(qms.root)]) == 0  # only the link is wrong
    capsys.readouterr()
    before = _head(qms.root)

    refused = _commit(qms.root, env, "Add PROC-DANGLE")
    assert refused.returncode != 0
    line = line_of(path, "OBJ-NOPE")
    col = path.read_text().splitlines()[line - 1].index("OBJ-NOPE") + 1
    assert f"procedures/PROC-DANGLE.md:{line}:{col}: L201 [error]" in refused.stdout
    assert re.search(r"qmskit check\.+Failed", refused.stdout)
    assert re.search(r"qmskit codeowners --check\.+Passed", refused.stdout)
    assert _head(qms.root) == before

    qms.write("PROC-DANGLE", "procedure", owner="ROLE-QM", supports=["OBJ-A"], **approved())
    accepted = _commit(qms.root, env, "Add PROC-DANGLE, supporting OBJ-A")
    assert accepted.returncode == 0, accepted.stdout
    assert re.search(r"qmskit check\.+Passed", accepted.stdout)
    assert _head(qms.root) != before


def test_stale_codeowners_is_refused(qms: QmsRepo, env: dict[str, str],
                                     capsys: pytest.CaptureFixture[str]) -> None:
    qms.write("ROLE-QM", "role", owner="ROLE-MD", holders=["quality-lead", "qe-anna"],
              reports_to="ROLE-MD", **approved())
    refused = _commit(qms.root, env, "New quality engineer")
    assert refused.returncode != 0
    assert "out of date with the document owners" in refused.stdout
    assert "+/procedures/PROC-A.md @quality-lead @qe-anna" in refused.stdout
    assert main(["codeowners", "--root", str(qms.root)]) == 0
    capsys.readouterr()
    assert _commit(qms.root, env, "New quality engineer").returncode == 0


def test_commits_without_qms_files_skip_the_check(qms: QmsRepo, env: dict[str, str]) -> None:
    qms.write_raw("notes/meeting.txt", "not part of the QMS\n")
    done = _commit(qms.root, env, "Notes")
    assert done.returncode == 0
    assert re.search(r"qmskit check\.+\(no files to check\)Skipped", done.stdout)


def test_the_example_passes_its_own_hook(tmp_path: Path, hook_repo: tuple[Path, str],
                                         env: dict[str, str], example_root: Path) -> None:
    root = tmp_path / "example"
    root.mkdir()
    for name in ("qms_docs", "procedures", "objectives"):
        shutil.copytree(example_root / name, root / name)
    shutil.copy(example_root / "qmskit.toml", root / "qmskit.toml")
    (root / ".pre-commit-config.yaml").write_text(_config(hook_repo, "qmskit-check"))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Example", date="2026-11-24")
    done = _run([*PRE_COMMIT, "run", "qmskit-check", "--all-files", "--verbose"], root, env)
    direct = _run([sys.executable, "-m", "qmskit", "check", "."], root, env)
    # The hook reports exactly what `qmskit check` reports, with the same verdict.
    assert (done.returncode == 0) == (direct.returncode == 0), done.stdout
    assert direct.stdout.strip().splitlines()[-1] in done.stdout
    duration = re.search(r"- duration: ([0-9.]+)s", done.stdout)
    assert duration is not None
    print(f"qmskit-check hook on the example: {duration.group(1)} s")


def test_every_hook_installs_qmskit_itself() -> None:
    """`language: python`: pre-commit installs this repository into the hook's own
    environment, so the hooks never depend on a `qmskit` on PATH."""
    hooks = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [hook["id"] for hook in hooks] == ["qmskit-check", "qmskit-codeowners"]
    for hook in hooks:
        assert hook["language"] == "python", hook
        assert hook["entry"].split()[0] == "qmskit", hook


def _without_qmskit_on_path(env: dict[str, str]) -> dict[str, str]:
    """The environment of an IDE's commit: git and the system, no virtual environment."""
    path = os.pathsep.join(p for p in os.defpath.split(os.pathsep) if p)
    assert shutil.which("qmskit", path=path) is None
    return {**env, "PATH": path}


@pytest.mark.parametrize("form", ["hook repository by URL", "local python hook"])
def test_scaffold_hooks_work_from_a_plain_git_commit(form: str, tmp_path: Path,
                                                     hook_repo: tuple[Path, str],
                                                     env: dict[str, str],
                                                     capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    """`qmskit init --install-spec`, `pre-commit install`, then `git commit` with no qmskit
    on PATH: pre-commit installs qmskit from what init was given, and the hook checks."""
    path, rev = hook_repo
    spec = (f"qmskit @ git+{path.as_uri()}@{rev}" if form == "hook repository by URL"
            else f"qmskit @ {path.as_uri()}")
    root = tmp_path / "acme"
    assert main(["init", str(root), "--install-spec", spec]) == 0
    capsys.readouterr()
    config = yaml.safe_load((root / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    if form == "hook repository by URL":
        assert [(r["repo"], r["rev"]) for r in config["repos"]] == [(path.as_uri(), rev)]
    else:
        assert config["repos"][0]["repo"] == "local"
    git(root, "init", "-q", "-b", "main")
    assert _run([*PRE_COMMIT, "install"], root, env).returncode == 0
    ide = _without_qmskit_on_path(env)
    first = _commit(root, ide, "Start the QMS")
    assert first.returncode == 0, first.stdout
    assert re.search(r"qmskit check\.+Passed", first.stdout), first.stdout
    assert re.search(r"qmskit codeowners --check\.+Passed", first.stdout), first.stdout
    procedure = root / "procedures" / "PROC-ORDER.md"
    procedure.write_text(procedure.read_text(encoding="utf-8").replace(
        "supports: [PROC-O2D]", "supports: [PROC-NOPE]"), encoding="utf-8")
    refused = _commit(root, ide, "Break a link")
    assert refused.returncode != 0
    assert "procedures/PROC-ORDER.md:" in refused.stdout and "L201" in refused.stdout
