"""What the handbook publishes and where it may write (issue 11 items 2, 10, 14, 19).

Every case runs the real thing: `qmskit pages` through the CLI, `mkdocs build` in a
subprocess (the plugin as users run it, and the tree `qmskit pages` writes), and git
repositories in tmp_path.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MKDOCS_YML, build_env
from qmskit.cli import main

from qmsfactory import QmsRepo


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
