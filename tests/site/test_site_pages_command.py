"""`qmskit pages OUT`: the same handbook as files, buildable by MkDocs and Zensical."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO_ROOT, build_env, mkdocs_build
from qmskit.cli import main

from qmsfactory import QmsRepo, approved


@pytest.fixture(scope="module")
def example_pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pages") / "handbook"
    assert main(["pages", str(out), "--root", str(REPO_ROOT)]) == 0
    return out


def test_pages_writes_docs_tree_and_config(example_pages: Path) -> None:
    docs = example_pages / "docs"
    for page in ("index.md", "procedures/PROC-PURCH.md", "objectives/OBJ-OTD.md",
                 "kpis/KPI-OTIF.md", "kpis/data/KPI-OTIF.csv", "system/strategy-map.md",
                 "system/kpis.md", "assets/qmskit.css"):
        assert (docs / page).is_file(), page
    config = yaml.safe_load((example_pages / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["docs_dir"] == "docs"
    assert "qmskit" not in str(config["plugins"])
    assert "assets/qmskit.css" in config["extra_css"]
    sections = {next(iter(item)): item[next(iter(item))] for item in config["nav"]
                if isinstance(item, dict)}
    assert "procedures/PROC-PURCH.md" in sections["Processes and procedures"]
    assert "objectives/OBJ-OTD.md" in sections["Objectives"]
    assert sections["System"][0] == "system/index.md"
    purch = (docs / "procedures" / "PROC-PURCH.md").read_text(encoding="utf-8")
    assert purch.startswith('---\ntitle: "Purchasing and supplier management"\n---\n')
    assert 'class="qms-panel"' in purch and "[PROC-GOODSIN](PROC-GOODSIN.md)" in purch
    # The repository itself is untouched.
    assert not (REPO_ROOT / "qms_docs" / "system").exists()


def test_pages_output_builds_with_plain_mkdocs(example_pages: Path, tmp_path: Path) -> None:
    done = mkdocs_build(example_pages / "mkdocs.yml", tmp_path / "site")
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "site" / "system" / "strategy-map" / "index.html").read_text("utf-8")
    assert 'href="../../procedures/PROC-PURCH/"' in html


def _zensical() -> str:
    beside = Path(sys.executable).parent / "zensical"
    found = str(beside) if beside.is_file() else shutil.which("zensical")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("zensical is in the test extra but not installed")
        pytest.skip("zensical is not installed (pip install zensical)")
    return found


def _zensical_build(pages: Path, tmp_path: Path) -> Path:
    project = tmp_path / "handbook"
    shutil.copytree(pages, project)
    done = subprocess.run([_zensical(), "build", "-f", str(project / "mkdocs.yml")],
                          cwd=project, capture_output=True, text=True, env=build_env(),
                          check=False, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return project / "site"


def test_pages_output_builds_with_zensical(example_pages: Path, tmp_path: Path) -> None:
    """Zensical (Material's successor) builds the same tree from the same config."""
    site = _zensical_build(example_pages, tmp_path)
    strategy = (site / "system" / "strategy-map" / "index.html").read_text("utf-8")
    assert 'data-id="STRAT-CUSTOMER"' in strategy
    assert 'href="../../objectives/OBJ-OTD/"' in strategy
    purch = (site / "procedures" / "PROC-PURCH" / "index.html").read_text("utf-8")
    assert 'class="qms-panel"' in purch and 'href="../PROC-GOODSIN/"' in purch
    assert (site / "assets" / "qmskit.css").is_file()


def test_pages_refuses_a_qms_with_errors(clean: QmsRepo, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    clean.write("PROC-B", "procedure", owner="ROLE-QM", supports=["OBJ-NOPE"], **approved())
    out = tmp_path / "out"
    assert main(["pages", str(out), "--root", str(clean.root)]) == 1
    assert "procedures/PROC-B.md:" in capsys.readouterr().err
    assert not out.exists()


def test_pages_does_not_overwrite_without_force(clean: QmsRepo, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["pages", str(out), "--root", str(clean.root)]) == 0
    stale = out / "docs" / "stale.md"
    stale.write_text("old\n", encoding="utf-8")
    assert main(["pages", str(out), "--root", str(clean.root)]) == 2
    assert stale.exists()
    assert main(["pages", str(out), "--root", str(clean.root), "--force"]) == 0
    assert not stale.exists()
    # Without an mkdocs.yml the first QMS folder is the docs folder.
    assert (out / "docs" / "procedures" / "PROC-A.md").is_file()
    assert (out / "docs" / "strategy" / "STRAT-A.md").is_file()


def test_pages_output_escapes_titles_for_any_builder(clean: QmsRepo, tmp_path: Path) -> None:
    """Builders put front-matter titles into nav and <title> unescaped; ours are safe."""
    clean.write("PROC-EVIL", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                **approved(title='<script>alert("owned")</script> & <b>bold</b>'))
    clean.write_raw("qms_docs/index.md", "# Handbook\n")
    out = tmp_path / "out"
    assert main(["pages", str(out), "--root", str(clean.root)]) == 0
    done = mkdocs_build(out / "mkdocs.yml", tmp_path / "mkdocs-site")
    assert done.returncode == 0, done.stderr
    sites = [tmp_path / "mkdocs-site"]
    if shutil.which("zensical") or (Path(sys.executable).parent / "zensical").is_file():
        sites.append(_zensical_build(out, tmp_path))
    for site in sites:
        evil = (site / "procedures" / "PROC-EVIL" / "index.html").read_text("utf-8")
        assert "&lt;script&gt;alert" in evil
        for page in site.rglob("*.html"):
            assert "<script>alert" not in page.read_text("utf-8"), page
