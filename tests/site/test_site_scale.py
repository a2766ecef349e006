"""A handbook that grows linearly: a bounded navigation, Material's navigation.prune.

Page size itself is measured in benchmarks/ (the handbook case); these tests hold the
properties that make it linear: no level of the generated nav lists more than a bounded
number of entries, every page is still in it, and the plugin asks Material to render
only the visible part of the nav when the handbook does not configure features.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from mkdocs.config import load_config

from conftest import REPO_ROOT, mkdocs_build
from qmskit.loader import open_qms
from qmskit.mkdocs_plugin import _prune_navigation
from qmskit.site import SiteContext, build_nav, generate
from qmskit.site.handles import is_person_page
from qmskit.site.nav import NAV_GROUP_LIMIT


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus") / "qms"
    subprocess.run([sys.executable, str(REPO_ROOT / "benchmarks" / "generate.py"), str(root),
                    "--docs", "600", "--commits", "60", "--defect-rate", "0"],
                   check=True, capture_output=True)
    return root


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """150 documents: ~85 procedures in one folder, grouped in the nav."""
    root = tmp_path_factory.mktemp("small") / "qms"
    subprocess.run([sys.executable, str(REPO_ROOT / "benchmarks" / "generate.py"), str(root),
                    "--docs", "150", "--commits", "40", "--defect-rate", "0"],
                   check=True, capture_output=True)
    return root


def _levels(items: list[Any], depth: int = 0) -> list[tuple[int, int]]:
    """(depth, number of entries) of every level of a nav."""
    found = [(depth, len(items))]
    for item in items:
        if isinstance(item, dict):
            for value in item.values():
                found += _levels(value, depth + 1)
    return found


def _pages(items: Any) -> list[str]:
    if isinstance(items, str):
        return [items]
    if isinstance(items, dict):
        return [p for value in items.values() for p in _pages(value)]
    return [p for item in items for p in _pages(item)]


def test_no_nav_level_grows_with_the_documents(corpus: Path) -> None:
    ctx = SiteContext.create(open_qms(corpus))
    sources = [*ctx.doc_at, "index.md", "procedures/index.md",
               *[s for s in generate(ctx) if s.endswith(".md")]]
    nav = build_nav(ctx, sources)
    assert sorted(_pages(nav)) == sorted(s for s in sources
                                         if not is_person_page(ctx.layout, s))
    # 600 documents, of them ~350 procedures in one folder: grouped, every level small
    # (a group's documents, plus the folder's index page).
    sizes = [size for depth, size in _levels(nav) if depth > 0]
    assert max(sizes) <= NAV_GROUP_LIMIT + 1
    procedures = next(item["Processes and procedures"] for item in nav
                      if isinstance(item, dict) and "Processes and procedures" in item)
    assert procedures[0] == "procedures/index.md"
    groups = [next(iter(item)) for item in procedures if isinstance(item, dict)]
    assert "PROC-PURCH" in groups and all(g.startswith("PROC-") for g in groups)
    # Within a group the documents keep their order (processes first, then by id).
    purchasing = next(item["PROC-PURCH"] for item in procedures
                      if isinstance(item, dict) and "PROC-PURCH" in item)
    flat = _pages(purchasing)
    ranks = [(ctx.doc_at[s].kind != "process", ctx.doc_at[s].id) for s in flat]
    assert ranks == sorted(ranks)


def test_small_folders_stay_flat(corpus: Path) -> None:
    ctx = SiteContext.create(open_qms(REPO_ROOT))
    nav = build_nav(ctx, [*ctx.doc_at, "index.md"])
    procedures = next(item["Processes and procedures"] for item in nav
                      if isinstance(item, dict) and "Processes and procedures" in item)
    assert all(isinstance(item, str) for item in procedures)


def _config(tmp_path: Path, theme: str) -> Any:
    (tmp_path / "docs").mkdir(exist_ok=True)
    path = tmp_path / "mkdocs.yml"
    path.write_text(f"site_name: T\ntheme:\n{theme}", encoding="utf-8")
    return load_config(str(path))


def test_prune_is_added_when_features_are_not_configured(tmp_path: Path) -> None:
    config = _config(tmp_path, "  name: material\n")
    _prune_navigation(config)
    assert config.theme["features"] == ["navigation.prune"]


def test_configured_features_are_the_users_choice(tmp_path: Path) -> None:
    config = _config(tmp_path, "  name: material\n  features:\n    - navigation.expand\n")
    _prune_navigation(config)
    assert config.theme["features"] == ["navigation.expand"]
    mkdocs_theme = _config(tmp_path, "  name: mkdocs\n")
    _prune_navigation(mkdocs_theme)
    assert not mkdocs_theme.theme.get("features")


def test_grouped_nav_in_a_browser(browser: Any, serve: Any, small_corpus: Path,
                                  tmp_path: Path) -> None:
    """The corpus's handbook (Material, navigation.sections, indexes and prune): a
    document's page lists its own group's documents, not the other groups', and the
    pages load with nothing foreign; a group in the nav leads to its documents."""
    from urllib.parse import urlsplit

    site = tmp_path / "site"
    done = mkdocs_build(small_corpus / "mkdocs.yml", site)
    assert done.returncode == 0, done.stderr[-3000:]
    ctx = SiteContext.create(open_qms(small_corpus))
    purchasing = sorted(d.id for d in ctx.qms.documents.values()
                        if d.id.startswith("PROC-PURCH-"))
    others = sorted(d.id for d in ctx.qms.documents.values()
                    if d.id.startswith("PROC-") and not d.id.startswith("PROC-PURCH-"))
    assert purchasing and others
    base = str(serve(site))
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    foreign: list[str] = []
    errors: list[str] = []

    def route(handle: Any) -> None:
        if urlsplit(handle.request.url).netloc != urlsplit(base).netloc \
                and not handle.request.url.startswith(("data:", "blob:")):
            foreign.append(handle.request.url)
            handle.abort()
        else:
            handle.continue_()

    context.route("**/*", route)
    tab = context.new_page()
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.goto(f"{base}procedures/{purchasing[0]}/")
    nav = tab.locator("nav.md-nav--primary").first.inner_html()
    # The links name the documents' folders; the pruned nav holds this group's
    # documents (the page itself is linked as "./").
    assert len(purchasing) <= NAV_GROUP_LIMIT
    assert all(f"../{doc_id}/" in nav for doc_id in purchasing[1:])
    # Of every other group, only the link a collapsed group leads through (its first).
    shown = [doc_id for doc_id in others if f"/{doc_id}/" in nav]
    groups = {doc_id.rsplit("-", 1)[0] for doc_id in others}
    assert len(shown) <= len(groups) < len(others)
    tab.goto(f"{base}system/strategy-map/")
    tab.locator('svg#qms-strategy-map a.qms-node[data-id^="OBJ-"]').first.click()
    tab.wait_for_url("**/objectives/OBJ-*/")
    assert errors == [] and foreign == []
    context.close()


def test_many_roles_list_responsibilities_per_document(corpus: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Past MATRIX_ROLE_LIMIT roles the roles page lists each document's roles instead
    of a documents × roles matrix, which would grow with the square of the QMS."""
    from qmskit.site import pages

    ctx = SiteContext.create(open_qms(corpus))
    roles = [d for d in ctx.qms.documents.values() if d.kind == "role"]
    matrix = pages.page_roles(ctx, "system/roles.md")
    assert len(roles) <= pages.MATRIX_ROLE_LIMIT and "qms-matrix" in matrix
    monkeypatch.setattr(pages, "MATRIX_ROLE_LIMIT", 5)
    listed = pages.page_roles(ctx, "system/roles.md")
    assert "qms-matrix" not in listed and "## Responsibilities" in listed
    assert len(listed) < len(matrix)
    doc = next(d for d in ctx.qms.documents.values() if d.kind == "procedure"
               and d.status != "retired" and d.model.owner)
    row = next(line for line in listed.split("<tr>") if f">{doc.id}<" in line)
    owner_marks = "".join(pages.responsibilities(doc)[doc.model.owner])
    assert f">{doc.model.owner}</a> <span class=\"qms-raci\">{owner_marks}</span>" in row
