"""Real `mkdocs build --strict` runs: the example, failures, escaping, links, no writes."""

from __future__ import annotations

import json
import re
import subprocess
from html import escape
from html.parser import HTMLParser
from pathlib import Path

from conftest import MKDOCS_YML, REPO_ROOT, mkdocs_build
from qmskit.loader import open_qms
from qmskit.registers import row_anchor

from qmsfactory import QmsRepo, approved, init_git

EVIL_TITLE = '<script>alert("owned")</script> & <b>bold</b>'


class _Links(HTMLParser):
    """Collects href/src values of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.urls.append(value)


def _broken_links(site: Path, pages: list[Path]) -> list[str]:
    """Relative links in `pages` whose target is not in the built site."""
    broken = []
    for page in pages:
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for url in parser.urls:
            if re.match(r"^[a-z]+:|^#|^/", url):
                continue
            path = url.split("#")[0].split("?")[0]
            if not path:
                continue
            target = (page.parent / path).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(site)} -> {url}")
    return broken


def _tree(root: Path) -> dict[str, float]:
    return {p.relative_to(root).as_posix(): p.stat().st_mtime
            for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}


def _write_site(repo: QmsRepo, extra: str = "") -> Path:
    repo.write_raw("qms_docs/index.md", "# Handbook\n\nStart at PROC-A.\n")
    config = repo.root / "mkdocs.yml"
    config.write_text(MKDOCS_YML + extra, encoding="utf-8")
    return config


def test_example_site_has_the_handbook_pages(example_site: Path) -> None:
    for page in ("system/strategy-map", "system/kpis", "system/reviews", "system/register",
                 "system/roles", "system/traceability", "system/findings", "system/actions",
                 "system/health",
                 "procedures/PROC-PURCH", "objectives/OBJ-OTD", "kpis/KPI-OTIF"):
        assert (example_site / page / "index.html").is_file(), page
    assert (example_site / "assets" / "qmskit.css").is_file()


def test_document_page_has_panel_links_map_and_history(example_site: Path) -> None:
    html = (example_site / "procedures" / "PROC-PURCH" / "index.html").read_text("utf-8")
    panel = html[html.index('class="qms-panel"'):html.index("</dl></div>")]
    assert 'href="../../roles/ROLE-PURCH/"' in panel and "purchasing-lead" in panel
    assert "2027-04-09" in panel and "qms-badge--current" in panel  # next review
    # Ids in the body link to their documents (Markdown links, rewritten by MkDocs).
    assert re.search(r'<a href="\.\./PROC-GOODSIN/">PROC-GOODSIN</a>', html)
    relations = html[html.index("qms-relations"):]
    assert "Supported by" in relations and "PROC-SUPPEVAL" in relations
    assert 'id="qms-map-PROC-PURCH"' in html
    subject = subprocess.run(
        ["git", "log", "-1", "--format=%s", "--", "procedures/PROC-PURCH.md"], cwd=REPO_ROOT,
        capture_output=True, text=True, check=True).stdout.strip()
    history = html[html.index('class="qms-table qms-history"'):]
    assert subject and escape(subject)[:40] in history


def test_nav_puts_outside_folders_in_sections(example_site: Path) -> None:
    html = (example_site / "index.html").read_text("utf-8")
    nav = html[html.index('class="md-nav md-nav--primary"'):]
    # Sections in the chain's order, the system overview first; with navigation.indexes
    # Material labels each section with its index page.
    sections = re.findall(r'md-nav__container">\s*<a href="([^"]+)"', nav)
    assert sections[:6] == ["system/", "strategy/", "objectives/", "procedures/", "kpis/",
                            "roles/"]
    assert 'href="procedures/PROC-PURCH/"' in nav and 'href="objectives/OBJ-OTD/"' in nav
    assert 'href="system/strategy-map/"' in nav
    # Material reads `status` as its own page badge; documents must not get one.
    assert "md-status" not in nav


def test_search_indexes_documents_and_system_pages_not_link_tables(example_site: Path) -> None:
    index = json.loads((example_site / "search" / "search_index.json").read_text("utf-8"))
    texts: dict[str, str] = {}
    for entry in index["docs"]:
        page = entry["location"].split("#")[0]
        texts[page] = texts.get(page, "") + " " + entry["title"] + " " + entry["text"]
    purch = texts["procedures/PROC-PURCH/"]
    assert "approved supplier list" in purch  # the document's own text
    assert "Supported by" not in purch and "qms-node" not in purch
    assert "PROC-PURCH" in texts["system/register/"]


def test_links_in_generated_html_resolve(example_site: Path) -> None:
    pages = sorted((example_site / "system").rglob("index.html"))
    pages += [example_site / "procedures" / "PROC-PROD" / "index.html",
              example_site / "kpis" / "KPI-OTIF" / "index.html"]
    assert _broken_links(example_site, pages) == []


def test_example_build_writes_nothing_into_the_repository(example_site: Path) -> None:
    # The session build has run: generated pages exist only in the site.
    assert not (REPO_ROOT / "qms_docs" / "system").exists()
    assert not (REPO_ROOT / "qms_docs" / "assets" / "qmskit.css").exists()


def test_build_leaves_the_qms_untouched(clean: QmsRepo, tmp_path: Path) -> None:
    config = _write_site(clean)
    before = _tree(clean.root)
    done = mkdocs_build(config, tmp_path / "site")
    assert done.returncode == 0, done.stderr
    assert _tree(clean.root) == before
    html = (tmp_path / "site" / "procedures" / "PROC-A" / "index.html").read_text("utf-8")
    assert "No history: not a git repository." in html


def test_an_error_fails_the_build_with_its_location(clean: QmsRepo, tmp_path: Path) -> None:
    path = clean.write("PROC-B", "procedure", owner="ROLE-QM", supports=["OBJ-NOPE"],
                       **approved())
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1)
                if "OBJ-NOPE" in text)
    done = mkdocs_build(_write_site(clean), tmp_path / "site")
    assert done.returncode != 0
    assert re.search(rf"procedures/PROC-B\.md:{line}:\d+: L\d+ \[error\].*OBJ-NOPE", done.stderr)
    assert not (tmp_path / "site" / "index.html").exists()


def test_titles_are_escaped_everywhere(clean: QmsRepo, tmp_path: Path) -> None:
    clean.write("PROC-EVIL", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                body="Refers to PROC-A.\n", **approved(title=EVIL_TITLE))
    clean.write("ROLE-QM", "role", owner="ROLE-MD", holders=["quality-lead"],
                reports_to="ROLE-MD", **approved(title="Quality <i>Manager</i>"))
    init_git(clean.root)
    done = mkdocs_build(_write_site(clean), tmp_path / "site")
    assert done.returncode == 0, done.stderr
    pages = list((tmp_path / "site").rglob("*.html"))
    for page in pages:
        html = page.read_text("utf-8")
        assert "<script>alert" not in html, page
        assert "<b>bold</b>" not in html and "<i>Manager</i>" not in html, page
    evil = (tmp_path / "site" / "procedures" / "PROC-EVIL" / "index.html").read_text("utf-8")
    assert "&lt;script&gt;alert" in evil
    for page in ("register", "strategy-map", "roles"):
        html = (tmp_path / "site" / "system" / page / "index.html").read_text("utf-8")
        assert "&lt;script&gt;alert" in html or "&lt;i&gt;Manager" in html, page


def test_flat_urls_work_too(clean: QmsRepo, tmp_path: Path) -> None:
    done = mkdocs_build(_write_site(clean, "use_directory_urls: false\n"), tmp_path / "site")
    assert done.returncode == 0, done.stderr
    site = tmp_path / "site"
    pages = list(site.rglob("*.html"))
    assert (site / "system" / "strategy-map.html").is_file()
    assert _broken_links(site, [p for p in pages if "search" not in p.parts]) == []


def test_plugin_options_switch_pages_off(clean: QmsRepo, tmp_path: Path) -> None:
    config = _write_site(clean)
    config.write_text(config.read_text().replace("  - qmskit\n",
                                                 "  - qmskit:\n      pages: false\n"))
    done = mkdocs_build(config, tmp_path / "site")
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "site" / "system").exists()
    assert (tmp_path / "site" / "procedures" / "PROC-A" / "index.html").is_file()


def test_example_documents_all_have_pages(example_site: Path) -> None:
    qms = open_qms(REPO_ROOT, with_git=False)
    for doc in qms.documents.values():
        if doc.register is not None:
            # A register's row is a row of the register's page, with its own anchor.
            register = qms.documents[doc.register]
            page = register.path.removeprefix("qms_docs/").removesuffix(".md")
            html = (example_site / page / "index.html").read_text("utf-8")
            assert f'<tr id="{row_anchor(doc)}"' in html, doc.id
            continue
        page = doc.path.removeprefix("qms_docs/").removesuffix(".md")
        html = (example_site / page / "index.html").read_text("utf-8")
        assert f'data-id="{doc.id}"' in html, doc.path
