"""What the handbook publishes and where it may write (issue 11 items 2, 10, 14, 19).

Every case runs the real thing: `qmskit pages` through the CLI, `mkdocs build` in a
subprocess (the plugin as users run it, and the tree `qmskit pages` writes), and git
repositories in tmp_path.
"""

from __future__ import annotations

import ast
import hashlib
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MKDOCS_YML, REPO_ROOT, build_env
from qmskit.cli import main

from qmsfactory import QmsRepo, git, init_git

SRC = REPO_ROOT / "src" / "qmskit"


def _build(config: Path, site: Path, cwd: Path | None = None,
           *extra: str) -> subprocess.CompletedProcess[str]:
    """`mkdocs build` in a subprocess, from `cwd` (default: the config's folder)."""
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", str(config),
                           "-d", str(site), *extra], cwd=cwd or config.parent,
                          capture_output=True, text=True, env=build_env(), check=False)


def _mentioning(folder: Path, needle: str) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and needle.encode() in p.read_bytes())


# --- 2. `exclude` keeps files out of the handbook, in every builder path --------------

#: root-relative path -> marker text; all of them are excluded in qmskit.toml.
EXCLUDED = {
    "procedures/scratch/PROC-SCRATCH.md": "MARKER-SCRATCH-PROCEDURE",
    "qms_docs/drafts/PROC-DRAFT.md": "MARKER-DRAFT-IN-DOCS-DIR",
    "qms_docs/drafts/notes.md": "MARKER-PLAIN-DRAFT-PAGE",
    "qms_docs/drafts/figure.svg": "MARKER-DRAFT-ASSET",
}


def _with_excluded_drafts(clean: QmsRepo) -> QmsRepo:
    clean.write_raw("qmskit.toml", "today = 2026-11-24\n"
                    'exclude = ["procedures/scratch/*", "qms_docs/drafts/*"]\n')
    for relative, marker in EXCLUDED.items():
        if relative.endswith(".svg"):
            clean.write_raw(relative, f"<svg><text>{marker}</text></svg>\n")
        elif "PROC-" in relative:
            # An unchecked draft: no owner, no links. Only `exclude` keeps check clean.
            doc_id = Path(relative).stem
            clean.write_raw(relative, f"---\nid: {doc_id}\nkind: procedure\n"
                            f"title: {marker}\n---\n\n{marker}\n")
        else:
            clean.write_raw(relative, f"# Draft\n\n{marker}\n")
    clean.write_raw("qms_docs/index.md", "# Handbook\n")
    clean.write_raw("qms_docs/published.md", "# Published page\n\nMARKER-PUBLISHED\n")
    # No strict build: the nav of excluded pages is not what is tested here.
    clean.write_raw("mkdocs.yml", MKDOCS_YML.replace("strict: true\n", ""))
    return clean


def test_pages_leaves_out_what_exclude_names(clean: QmsRepo, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    repo = _with_excluded_drafts(clean)
    assert main(["check", str(repo.root)]) == 0  # the drafts are outside the check
    out = tmp_path / "handbook"
    assert main(["pages", str(out), "--root", str(repo.root)]) == 0
    capsys.readouterr()
    for marker in EXCLUDED.values():
        assert _mentioning(out, marker) == [], marker
    assert _mentioning(out / "docs", "MARKER-PUBLISHED") == ["published.md"]
    assert (out / "docs" / "procedures" / "PROC-A.md").is_file()


def test_mkdocs_plugin_leaves_out_what_exclude_names(clean: QmsRepo, tmp_path: Path) -> None:
    repo = _with_excluded_drafts(clean)
    site = tmp_path / "site"
    done = _build(repo.root / "mkdocs.yml", site)
    assert done.returncode == 0, done.stderr
    for marker in EXCLUDED.values():
        assert _mentioning(site, marker) == [], marker
    assert "MARKER-PUBLISHED" in (site / "published" / "index.html").read_text("utf-8")
    assert (site / "procedures" / "PROC-A" / "index.html").is_file()


def test_a_link_leaving_the_repository_is_not_published(clean: QmsRepo, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("MARKER-OUTSIDE-THE-REPOSITORY\n", encoding="utf-8")
    clean.write_raw("qms_docs/index.md", "# Handbook\n")
    clean.write_raw("mkdocs.yml", MKDOCS_YML.replace("strict: true\n", ""))
    (clean.root / "qms_docs" / "assets").mkdir()
    (clean.root / "qms_docs" / "assets" / "notes.txt").symlink_to(secret)
    (clean.root / "qms_docs" / "assets" / "inside.txt").symlink_to(clean.root / "qmskit.toml")
    out = tmp_path / "handbook"
    assert main(["pages", str(out), "--root", str(clean.root)]) == 0
    assert "MARKER-OUTSIDE" not in capsys.readouterr().out
    assert _mentioning(out, "MARKER-OUTSIDE") == []
    assert (out / "docs" / "assets" / "inside.txt").is_file()  # a link inside is fine
    done = _build(clean.root / "mkdocs.yml", tmp_path / "site")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "site" / "assets" / "inside.txt").is_file()
    assert _mentioning(tmp_path / "site", "MARKER-OUTSIDE") == []
    assert "assets/notes.txt is not published" in done.stderr


# --- 10. Settings that name files beside mkdocs.yml ---------------------------------

def test_pages_output_builds_with_hooks_overrides_and_extra_assets(
    clean: QmsRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = clean
    repo.write_raw("qms_docs/index.md", "# Handbook\n\n--8<-- \"snippets/note.md\"\n")
    repo.write_raw("snippets/note.md", "MARKER-SNIPPET-INCLUDED\n")
    repo.write_raw("qms_docs/css/extra.css", ".marker-css { color: red; }\n")
    repo.write_raw("qms_docs/js/extra.js", "window.markerJs = true;\n")
    # A hook that imports a module from its own folder, as hooks do.
    repo.write_raw("hooks/helpers.py", "MARK = '<p>MARKER-HOOK-RAN</p>'\n")
    repo.write_raw("hooks/mark.py", "from helpers import MARK\n\n\n"
                   "def on_page_content(html, **kwargs):\n    return html + MARK\n")
    repo.write_raw("overrides/main.html", "{% extends 'base.html' %}\n"
                   "{% block footer %}MARKER-CUSTOM-DIR{% endblock %}\n")
    repo.write_raw("mkdocs.yml", MKDOCS_YML.replace(
        "  font: false\n", "  font: false\n  custom_dir: overrides\n").replace(
        "  - tables\n", "  - tables\n  - pymdownx.snippets:\n      check_paths: true\n")
        + "hooks:\n  - hooks/mark.py\nwatch:\n  - snippets\n"
        "extra_css:\n  - css/extra.css\nextra_javascript:\n  - js/extra.js\n")
    source = _build(repo.root / "mkdocs.yml", tmp_path / "source-site", None, "--strict")
    assert source.returncode == 0, source.stderr  # the source itself builds
    out = tmp_path / "elsewhere" / "handbook"
    assert main(["pages", str(out), "--root", str(repo.root)]) == 0
    capsys.readouterr()
    # Built from another working folder, as a CI step would.
    done = _build(out / "mkdocs.yml", tmp_path / "site", tmp_path, "--strict")
    assert done.returncode == 0, done.stderr
    index = (tmp_path / "site" / "index.html").read_text("utf-8")
    for marker in ("MARKER-HOOK-RAN", "MARKER-CUSTOM-DIR", "MARKER-SNIPPET-INCLUDED",
                   "css/extra.css", "js/extra.js"):
        assert marker in index, marker
    assert (tmp_path / "site" / "css" / "extra.css").is_file()
    assert (tmp_path / "site" / "js" / "extra.js").is_file()


# --- 14. `qmskit pages OUT --force` never touches the repository ----------------------

def _digest(root: Path) -> dict[str, str]:
    """Every file and link below `root` (tracked or not, .git aside) by content."""
    found: dict[str, str] = {}
    for current, dirs, files in os.walk(root):  # links to folders are not followed
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in [*files, *(d for d in dirs if Path(current, d).is_symlink())]:
            path = Path(current, name)
            key = path.relative_to(root).as_posix()
            found[key] = (f"-> {path.readlink()}" if path.is_symlink()
                          else hashlib.sha256(path.read_bytes()).hexdigest())
    return found


@pytest.fixture
def tracked_repo(clean: QmsRepo) -> QmsRepo:
    """A committed QMS with a site beside it and an earlier handbook someone committed."""
    clean.write_raw("docs/guide.md", "# Guide\n\nA tracked page outside the QMS folders.\n")
    clean.write_raw("qms_docs/index.md", "# Handbook\n")
    clean.write_raw("mkdocs.yml", MKDOCS_YML)
    clean.write_raw("handbook/mkdocs.yml", "site_name: Committed output\n")
    clean.write_raw("handbook/docs/old.md", "# Committed by someone, tracked by git\n")
    clean.write_raw(".gitignore", "build/\n")
    (clean.root / "here").symlink_to(".")  # committed links: to the root, to docs_dir
    (clean.root / "to-docs").symlink_to("qms_docs")
    init_git(clean.root)
    return clean


#: OUT spellings that are, contain or lie inside the repository's own content.
FORBIDDEN_OUT = ["qms_docs/..", "../qms", "here", ".", "qms_docs", "qms_docs/handbook",
                 "procedures/handbook", "to-docs/x", "handbook", "docs/.."]


@pytest.mark.parametrize("spelling", FORBIDDEN_OUT)
def test_pages_force_refuses_every_spelling_of_the_repository(
    spelling: str, tracked_repo: QmsRepo, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _digest(tracked_repo.root)
    monkeypatch.chdir(tracked_repo.root)
    assert main(["pages", spelling, "--force"]) == 2
    err = capsys.readouterr().err
    assert "qmskit:" in err and "Traceback" not in err
    assert _digest(tracked_repo.root) == before  # byte for byte, nothing added
    assert git(tracked_repo.root, "status", "--porcelain") == ""


def test_pages_force_may_replace_an_untracked_folder_inside(
    tracked_repo: QmsRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tracked_repo.root)
    assert main(["pages", "build/handbook"]) == 0
    stale = tracked_repo.root / "build/handbook/docs/stale.md"
    stale.write_text("old\n", encoding="utf-8")
    (tracked_repo.root / "build/handbook/.qmskit-pages-killed/docs").mkdir(parents=True)
    assert main(["pages", "build/handbook", "--force"]) == 0
    capsys.readouterr()
    assert not stale.exists()
    assert (tracked_repo.root / "build/handbook/docs/procedures/PROC-A.md").is_file()
    assert [p.name for p in (tracked_repo.root / "build/handbook").iterdir()
            if p.name.startswith(".")] == []  # no staging folder, not even a killed run's
    assert git(tracked_repo.root, "status", "--porcelain") == ""


def test_pages_force_keeps_a_nested_repository(clean: QmsRepo, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["pages", str(out), "--root", str(clean.root)]) == 0
    nested = out / "docs" / "vendor"
    nested.mkdir()
    git(nested, "init", "-q")
    assert main(["pages", str(out), "--root", str(clean.root), "--force"]) == 2
    assert "a git repository inside" in capsys.readouterr().err
    assert (nested / ".git").is_dir()


# --- 19. Outputs that cannot be written ------------------------------------------------

def test_pages_under_a_file_is_a_clear_error(clean: QmsRepo, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    afile = tmp_path / "a-file"
    afile.write_text("not a folder\n", encoding="utf-8")
    assert main(["pages", str(afile / "handbook"), "--root", str(clean.root)]) == 2
    assert "is not a folder" in capsys.readouterr().err
    assert afile.read_text(encoding="utf-8") == "not a folder\n"


def _disk_full() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # every write fails, even as root


def test_pages_on_a_full_disk_keeps_the_previous_handbook(clean: QmsRepo, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    out = tmp_path / "handbook"
    assert main(["pages", str(out), "--root", str(clean.root)]) == 0
    capsys.readouterr()
    before = _digest(out)
    done = subprocess.run([sys.executable, "-m", "qmskit", "pages", str(out), "--root",
                           str(clean.root), "--force"], capture_output=True, text=True,
                          preexec_fn=_disk_full, check=False, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "cannot write the handbook" in done.stderr and "Traceback" not in done.stderr
    assert _digest(out) == before
    assert sorted(p.name for p in out.iterdir()) == ["docs", "mkdocs.yml"]


# --- issue 12: the site is below the commands ---------------------------------------------

def test_site_and_plugin_never_import_the_commands() -> None:
    """`qmskit.site` and the MkDocs plugin sit below `qmskit.commands` (data flows one
    way): no import of it anywhere in them, inside functions included."""
    modules = [*sorted((SRC / "site").glob("*.py")), SRC / "mkdocs_plugin.py"]
    offenders = []
    for module in modules:
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{module.name}: {n}" for n in names
                          if n == "qmskit.commands" or n.startswith("qmskit.commands.")]
    assert offenders == []
