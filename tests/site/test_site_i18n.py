"""The handbook of an adopted bilingual handbook, beside the plugins such handbooks use.

Issue 14's site part, on the fixtures of `tests/data/handbooks` (their README): the qmskit
plugin builds with mkdocs-static-i18n (suffix and folder structures), minify, macros,
tags, search, awesome-nav and a `hooks:` file, in either order, with `--strict`; the QMS
is checked once per build; panels, id links and the System section appear in both
languages with German labels; the team's nav is kept and completed; ids link inside
content tabs, admonitions, tables and lists, never in code or links; `qmskit:table`
blocks render from the records. Real builds (`mkdocs build --strict` in a subprocess)
and a real headless Chromium.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from conftest import REPO_ROOT, build_env
from qmskit.cli import main
from qmskit.loader import open_qms
from qmskit.site import SiteContext
from qmskit.site.documents import link_ids
from qmskit.site.labels import LABELS, translate
from qmskit.site.nav import complete_nav

from qmsfactory import git

HANDBOOKS = REPO_ROOT / "tests/data/handbooks"
PLUGINS = ("mkdocs_static_i18n", "mkdocs_minify_plugin", "mkdocs_macros", "mkdocs_awesome_nav")
#: The purchasing procedure made a controlled document; its German page keeps its own
#: title only, so its panel must come from the English file.
PURCHASING = ("id: PROC-PURCH\nkind: procedure\nowner: ROLE-PURCHASING-LEAD\n"
              "status: approved\napproved_by: ROLE-QUALITY-LEAD\napproved_on: 2025-11-10\n"
              "review:\n  last: 2025-11-10\n")


# ------------------------------------------------------------------------- units


@pytest.fixture(scope="module")
def example_ctx() -> SiteContext:
    return SiteContext.create(open_qms(REPO_ROOT))


def test_ids_link_inside_tabs_admonitions_tables_and_lists_but_not_code(
    example_ctx: SiteContext,
) -> None:
    markdown = "\n".join([
        '=== "Steps"',  # 0
        "",
        "    Raise PROC-NCR for every complaint.",  # 2: tab content
        "",
        "    | Step | See |",  # 4
        "    |---|---|",
        "    | 1 | OBJ-CUST-PPM |",  # 6: a table in a tab
        "",
        '    !!! note "Admonition in a tab"',  # 8
        "",
        "        KPI-CUST-PPM is watched weekly.",  # 10: admonition in a tab
        "",
        "    ```text",  # 12
        "    PROC-NCR in a fence in a tab",
        "    ```",
        "",
        "- a list item naming PROC-NCR",  # 16
        "",
        "    continued in the item: OBJ-CUST-PPM",  # 18
        "",
        "        PROC-NCR in indented code inside the item",  # 20
        "",
        "Text with `PROC-NCR` in code and [PROC-NCR](https://example.invalid) as a link.",
        "",
        "    PROC-NCR in a top-level indented code block",  # 24
        "",
        '??? tip "Details"',  # 26
        "    PROC-NCR in a details block",
    ])
    out = link_ids(example_ctx, "procedures/PROC-PURCH.md", markdown).split("\n")
    source = markdown.split("\n")
    assert out[2] == "    Raise [PROC-NCR](PROC-NCR.md) for every complaint."
    assert "[OBJ-CUST-PPM](../objectives/OBJ-CUST-PPM.md)" in out[6]
    assert out[10] == "        [KPI-CUST-PPM](../kpis/KPI-CUST-PPM.md) is watched weekly."
    assert "[PROC-NCR](PROC-NCR.md)" in out[16]
    assert "[OBJ-CUST-PPM](../objectives/OBJ-CUST-PPM.md)" in out[18]
    assert "[PROC-NCR](PROC-NCR.md)" in out[27]
    for untouched in (0, 8, 13, 20, 22, 24):  # titles, code, existing links
        assert out[untouched] == source[untouched]


def test_ids_of_pages_a_language_lacks_stay_text(example_ctx: SiteContext) -> None:
    """Built without fallback to the default language, a language lacks untranslated
    documents: their ids must not become links to missing pages (--strict fails)."""
    example_ctx.missing = frozenset({"procedures/PROC-NCR.md"})
    try:
        out = link_ids(example_ctx, "procedures/PROC-PURCH.md", "See PROC-NCR and PROC-PROD.")
        html = example_ctx.doc_link("procedures/PROC-PURCH.md", "PROC-NCR")
    finally:
        example_ctx.missing = frozenset()
    assert out == "See PROC-NCR and [PROC-PROD](PROC-PROD.md)."
    assert "<a " not in html and "PROC-NCR" in html


def test_labels_come_from_one_table_with_english_as_the_fallback() -> None:
    assert translate("Owner", "de") == "Verantwortlich"
    assert translate("Owner", "en") == "Owner"
    assert translate("Owner", "fr") == "Owner"  # a language without a table: English
    assert translate("Something new", "de") == "Something new"
    assert all(value.strip() for table in LABELS.values() for value in table.values())


def test_a_teams_nav_is_kept_and_completed_per_kind_with_records_by_year(
    example_ctx: SiteContext,
) -> None:
    own = [{"Home": "index.md"}, {"Buying": [{"Purchasing": "procedures/PROC-PURCH.md"}]}]
    nav = complete_nav(example_ctx, own)
    assert nav[:2] == own  # placed documents stay where the team put them
    sections = {next(iter(item)): item[next(iter(item))] for item in nav[2:]}
    assert "procedures/PROC-PURCH.md" not in str(sections)
    assert "procedures/PROC-NCR.md" in sections["Processes and procedures"]
    # Records are grouped by year, newest first, never one flat list.
    actions = sections["Actions"]
    assert all(isinstance(group, dict) and re.fullmatch(r"\d{4}", next(iter(group)))
               for group in actions)
    assert "actions/ACT-2026-01.md" in next(iter(actions[0].values()))
    assert list(sections)[-1] == "System"
    assert complete_nav(example_ctx, nav) == nav  # nothing added twice
    assert complete_nav(example_ctx, own, add_documents=False) == [*own, nav[-1]]
    example_ctx.language = "de"
    try:
        german = complete_nav(example_ctx, own)
    finally:
        example_ctx.language = "en"
    assert {"Maßnahmen", "Prozesse und Verfahren", "System"} <= {
        next(iter(item)) for item in german[2:]}


# --------------------------------------------------------------- real builds


def _commit(root: Path, message: str, day: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message, date=day)


def _adopted(base: Path, variant: str) -> Path:
    """A fixture handbook in git, adopted, its registers imported, PROC-PURCH a document.

    The migration is the one `tests/test_adoption.py` walks through (and asserts)."""
    for module in PLUGINS:
        pytest.importorskip(module)
    from test_adoption import _import_registers, _migration_settings

    root = base / variant
    shutil.copytree(HANDBOOKS / variant, root)
    git(root, "init", "-q", "-b", "main")
    _commit(root, "Quality handbook", "2024-03-01")
    assert main(["adopt", str(root)]) == 0
    docs = root / ("docs/en" if variant == "folder" else "docs")
    _import_registers(root, "docs/en" if variant == "folder" else "docs")
    _migration_settings(root)
    page = docs / "processes/purchasing.md"
    page.write_text(page.read_text(encoding="utf-8").replace("---\n", "---\n" + PURCHASING, 1),
                    encoding="utf-8")
    # The German CAPA log gets the block the import wrote into the English one.
    german = (root / "docs/de/registers/capa-log.md" if variant == "folder"
              else docs / "registers/capa-log.de.md")
    english = (docs / "registers/capa-log.md").read_text(encoding="utf-8")
    block = re.search(r"( *<!-- qmskit:table .*?<!-- /qmskit:table -->)", english, re.S)
    assert block is not None
    text = german.read_text(encoding="utf-8")
    table = re.search(r"( *\| ID \|.*?\n)\n", text, re.S)
    assert table is not None
    german.write_text(text.replace(table.group(1), block.group(1) + "\n", 1), encoding="utf-8")
    _commit(root, "Adopt qmskit", "2026-05-20")
    return root


def _build(root: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """`mkdocs build --strict` with a temporary folder of its own, to see it left empty."""
    scratch = out.parent / f"{out.name}-tmp"
    scratch.mkdir()
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
                          cwd=root, env={**build_env(), "TMPDIR": str(scratch)},
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    assert list(scratch.iterdir()) == []  # the generated pages' folder is removed
    return done


@pytest.fixture(scope="module")
def suffix_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    base = tmp_path_factory.mktemp("i18n-suffix")
    root = _adopted(base, "suffix")
    # A QMS folder outside docs_dir, in both languages: published per language as well.
    procedures = root / "procedures"
    procedures.mkdir()
    (procedures / "PROC-CAL.md").write_text(
        "---\nid: PROC-CAL\nkind: procedure\ntitle: Calibration\n"
        "owner: ROLE-MAINTENANCE-LEAD\nstatus: draft\n---\n\n# Calibration\n\n"
        "Gauges are calibrated yearly.\n", encoding="utf-8")
    (procedures / "PROC-CAL.de.md").write_text(
        "---\ntitle: Kalibrierung\n---\n\n# Kalibrierung\n\n"
        "Prüfmittel werden jährlich kalibriert.\n", encoding="utf-8")
    config = root / "qmskit.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'folders = ["docs"]', 'folders = ["docs", "procedures"]'), encoding="utf-8")
    _commit(root, "Calibration procedure", "2026-05-21")
    done = _build(root, base / "site")
    return base / "site", done.stderr


def _read(site: Path, page: str) -> str:
    return (site / page / "index.html").read_text(encoding="utf-8")


def _nav(html: str) -> str:
    """The primary navigation of a page (Material's `md-nav--primary`)."""
    start = html.index("md-nav--primary")
    return html[start:html.index("md-sidebar--secondary", start)]


def test_both_languages_show_the_panel_of_a_translated_document(
        suffix_site: tuple[Path, str]) -> None:
    site, _ = suffix_site
    english, german = _read(site, "processes/purchasing"), _read(site, "de/processes/purchasing")
    for html in (english, german):
        assert 'data-id=PROC-PURCH' in html or 'data-id="PROC-PURCH"' in html
    assert "Einkauf" in german  # the German page itself, with the English file's panel
    assert "<dt>Owner</dt>" in english and "<dt>Verantwortlich</dt>" in german
    assert "Stellung im System" in german and "Place in the system" in english
    record = _read(site, "de/registers/capa-log/CAPA-2026-003")
    assert "qms-panel" in record and "<dt>Freigegeben von</dt>" in record


def test_a_qms_folder_outside_docs_dir_is_published_in_each_language(
        suffix_site: tuple[Path, str]) -> None:
    site, _ = suffix_site
    english, german = _read(site, "procedures/PROC-CAL"), _read(site, "de/procedures/PROC-CAL")
    assert "Gauges are calibrated" in english and "Kalibrierung" not in english
    assert "Prüfmittel werden" in german and "<dt>Verantwortlich</dt>" in german
    assert not (site / "procedures/PROC-CAL.de").exists()
    assert not (site / "de/procedures/PROC-CAL.de").exists()


def test_the_qms_is_checked_once_however_many_languages(suffix_site: tuple[Path, str]) -> None:
    _, log = suffix_site
    assert log.count("documents checked") == 1
    findings = [line for line in log.splitlines() if re.search(r": [A-Z]\d{3} \[", line)]
    assert findings and len(findings) == len(set(findings))


def test_the_german_nav_keeps_the_teams_entries_and_adds_the_documents(
        suffix_site: tuple[Path, str]) -> None:
    site, _ = suffix_site
    nav = _nav(_read(site, "de"))
    # The team's German titles (nav_translations) and places are kept ...
    assert "Prozesse" in nav and "Einkauf" in nav and "CAPA-Liste" in nav
    assert nav.count("processes/purchasing/") == 1  # placed once, where the team put it
    # ... the records are added per kind and year, and the System section follows.
    for expected in ("Maßnahmen", "2026", "2025", "registers/capa-log/CAPA-2026-003/",
                     "Risiken und Chancen", "registers/risks/R-03/", "Rollen", "system/",
                     "Kennzahlen-Übersicht"):
        assert expected in nav, expected
    assert "System" in nav


def test_generated_pages_are_built_in_every_language(suffix_site: tuple[Path, str]) -> None:
    site, _ = suffix_site
    for page in ("system", "de/system", "system/kpis", "de/system/kpis"):
        assert (site / page / "index.html").is_file(), page
    # The language selector of a generated page points at the same page in the other.
    assert re.search(r"href=\"?\.\./\.\./de/system/kpis/\"? hreflang=\"?de",
                     _read(site, "system/kpis"))
    # The System pages are titled in the language built, as the nav names them.
    assert re.search(r"<h1[^>]*>Kennzahlen-Übersicht", _read(site, "de/system/kpis"))
    assert re.search(r"<h1[^>]*>KPI dashboard", _read(site, "system/kpis"))


def test_ids_link_in_tabs_and_tables_but_not_in_code(suffix_site: tuple[Path, str]) -> None:
    site, _ = suffix_site
    competence = _read(site, "de/competence")
    assert "<code>QO-2026-04</code>" in competence  # inline code stays code
    risks = _read(site, "registers/risks")
    assert re.search(r"<a href=\"?R-03/\"?[^>]*>R-03</a>", risks)  # a table row
    assert "R-03: [0.35, 0.9]" in risks  # the mermaid source is left alone


def test_imported_table_blocks_render_from_the_records_in_both_languages(
        suffix_site: tuple[Path, str]) -> None:
    site, _ = suffix_site
    for page, header in (("registers/capa-log", "<th>Owner</th>"),
                         ("de/registers/capa-log", "<th>Verantwortlich</th>")):
        html = _read(site, page)
        assert "qms-imported-table" in html and header in html
        assert "qmskit:table" not in html and "Entries:" not in html
        assert re.search(r"<a href=\"?CAPA-2026-006/\"?[^>]*>CAPA-2026-006</a>", html)


def test_folder_structure_with_the_plugin_before_i18n(tmp_path: Path) -> None:
    root = _adopted(tmp_path, "folder")
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "  - qmskit\n" in text
    text = text.replace("  - qmskit\n", "").replace("plugins:\n", "plugins:\n  - qmskit\n", 1)
    config.write_text(text, encoding="utf-8")
    site = tmp_path / "site"
    _build(root, site)
    german = _read(site, "de/processes/purchasing")
    assert "<dt>Verantwortlich</dt>" in german and "qms-panel" in german
    nav = _nav(_read(site, "de"))
    assert "registers/capa-log/CAPA-2026-003/" in nav and "Maßnahmen" in nav
    assert "<th>Verantwortlich</th>" in _read(site, "de/registers/capa-log")


def test_awesome_nav_variant_with_the_plugin_last(tmp_path: Path) -> None:
    root = _adopted(tmp_path, "awesome")
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "  - qmskit\n" in text
    # Last, after minify: the panels go back into pages before minify rewrites them.
    text = text.replace("  - qmskit\n", "").replace("\nmarkdown_extensions:",
                                                     "  - qmskit\n\nmarkdown_extensions:", 1)
    config.write_text(text, encoding="utf-8")
    site = tmp_path / "site"
    _build(root, site)
    for page in ("processes/purchasing", "de/processes/purchasing",
                 "registers/capa-log/CAPA-2026-003"):
        assert "<dl><dt>" in _read(site, page), page  # the panel itself, not a placeholder
    # awesome-nav's nav, completed with what its .nav.yml files leave out (the roles).
    nav = _nav(_read(site, "de"))
    assert "roles/ROLE-QUALITY-LEAD/" in nav and "Rollen" in nav
    assert "registers/capa-log/CAPA-2026-003/" in nav


# ------------------------------------------------------------------------ browser


@pytest.fixture
def tab(browser: Any, serve: Any, suffix_site: tuple[Path, str]) -> Iterator[tuple[Any, str,
                                                                                    list[str]]]:
    """A page of the built suffix handbook recording console errors and foreign requests."""
    site, _ = suffix_site
    base = str(serve(site))
    origin = urlsplit(base).netloc
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1400, "height": 1000})

    def route(handle: Any) -> None:
        if urlsplit(handle.request.url).netloc != origin \
                and not handle.request.url.startswith(("data:", "blob:")):
            problems.append(f"foreign request: {handle.request.url}")
            handle.abort()
        else:
            handle.continue_()

    def expected_missing(url: str) -> bool:
        # mkdocs-static-i18n writes one sitemap, at the root, and Material's language
        # selector asks for one per alternate; the fixture has no favicon (README).
        return url.endswith(("/sitemap.xml", "favicon.png", "favicon.ico"))

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: problems.append(f"console: {m.text}")
            if m.type == "error" and "404" not in m.text else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("response", lambda r: problems.append(f"{r.url} -> {r.status}")
            if r.status >= 400 and not expected_missing(r.url) else None)
    yield page, base, problems
    context.close()


@pytest.mark.parametrize("path", ["processes/purchasing/", "de/processes/purchasing/"])
def test_both_languages_load_offline_with_the_panel_visible(
        tab: tuple[Any, str, list[str]], path: str) -> None:
    page, base, problems = tab
    page.goto(base + path, wait_until="networkidle")
    panel = page.locator(".qms-panel[data-id='PROC-PURCH']")
    assert panel.is_visible()
    label = "Verantwortlich" if path.startswith("de/") else "Owner"
    assert label in panel.inner_text()
    page.goto(base + ("de/" if path.startswith("de/") else "") + "registers/capa-log/",
              wait_until="networkidle")
    assert page.locator(".qms-imported-table").first.is_visible()  # in the first tab
    assert problems == []
