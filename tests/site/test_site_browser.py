"""The built handbook in a real browser: Debian's chromium, headless, via Playwright.

Every page of the example loads without a console error, a failed request or a request
to another host; the strategy map shows the chain and its nodes navigate; every KPI chart
is visible; titles with markup show as text. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from conftest import MKDOCS_YML, REPO_ROOT, mkdocs_build
from qmskit.loader import open_qms

from qmsfactory import QmsRepo, approved

SYSTEM_PAGES = ("system/", "system/strategy-map/", "system/kpis/", "system/reviews/",
                "system/register/", "system/roles/", "system/traceability/",
                "system/actions/", "system/health/", "system/findings/")


@dataclass
class Problems:
    """What a page did wrong while it loaded."""

    console: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    loaded: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.console or self.failed or self.foreign or self.dialogs)


@pytest.fixture(scope="module")
def site_url(example_site: Path, serve: Any) -> str:
    return str(serve(example_site))


@pytest.fixture
def page(browser: Any, site_url: str) -> Iterator[tuple[Any, Problems]]:
    """A fresh page that records console errors, failed and foreign requests, dialogs."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    problems = Problems()
    origin = urlsplit(site_url).netloc

    def route(handle: Any) -> None:
        # Requests to any other host are recorded and never leave the machine.
        if urlsplit(handle.request.url).netloc != origin \
                and not handle.request.url.startswith(("data:", "blob:")):
            problems.foreign.append(handle.request.url)
            handle.abort()
        else:
            handle.continue_()

    context.route("**/*", route)
    tab = context.new_page()
    tab.on("console", lambda m: problems.console.append(f"{m.type}: {m.text} @ {tab.url}")
           if m.type == "error" else None)
    tab.on("pageerror", lambda e: problems.console.append(f"pageerror: {e} @ {tab.url}"))
    # Leaving a page cancels its pending loads (the lazy search worker, the favicon);
    # Chrome reports those as ERR_ABORTED. Anything else that fails is a real failure.
    tab.on("requestfailed", lambda r: problems.failed.append(f"{r.url} ({r.failure})")
           if urlsplit(r.url).netloc == origin and "ERR_ABORTED" not in str(r.failure)
           else None)
    tab.on("response", lambda r: problems.failed.append(f"{r.url} -> {r.status}")
           if r.status >= 400 else problems.loaded.add(urlsplit(r.url).path))
    tab.on("dialog", lambda d: (problems.dialogs.append(d.message), d.dismiss()))
    yield tab, problems
    context.close()


def _all_pages(site: Path) -> list[str]:
    return sorted(p.parent.relative_to(site).as_posix() + "/" if p.parent != site else ""
                  for p in site.rglob("index.html"))


def test_every_page_loads_cleanly(page: tuple[Any, Problems], site_url: str,
                                  example_site: Path, artifacts: Path) -> None:
    tab, problems = page
    urls = _all_pages(example_site)
    assert set(SYSTEM_PAGES) <= set(urls) and len(urls) > 60
    for url in urls:
        shown = url in SYSTEM_PAGES or url == "procedures/PROC-PURCH/"
        # Pages with screenshots wait until the network is idle, so their lazy loads
        # (search worker, favicon) must complete, not merely start.
        tab.goto(site_url + url, wait_until="networkidle" if shown else "load")
        if shown:
            name = url.strip("/").replace("/", "-") or "home"
            tab.screenshot(path=str(artifacts / f"site-{name}.png"), full_page=True)
    assert not problems, problems
    assert "/assets/images/favicon.png" in problems.loaded
    assert "/assets/qmskit.css" in problems.loaded
    assert "/search/search_index.json" in problems.loaded


def test_strategy_map_shows_the_chain_and_navigates(page: tuple[Any, Problems],
                                                    site_url: str) -> None:
    tab, problems = page
    tab.goto(site_url + "system/strategy-map/")
    svg = tab.locator("svg#qms-strategy-map")
    assert svg.is_visible()
    qms = open_qms(REPO_ROOT, with_git=False)
    expected = {d.id for d in qms.documents.values()
                if d.kind in ("strategy", "objective", "process", "procedure", "kpi")
                and d.status != "retired"}
    expected |= {d.model.owner for d in qms.documents.values()
                 if d.id in expected and d.model.owner}
    shown = set(svg.locator("a.qms-node").evaluate_all(
        "nodes => nodes.map(n => n.getAttribute('data-id'))"))
    assert shown == expected
    node = svg.locator('a.qms-node[data-id="OBJ-OTD"]')
    box = node.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 20
    node.click()
    tab.wait_for_url(site_url + "objectives/OBJ-OTD/")
    assert tab.locator("h1").first.inner_text().startswith("On-time-in-full delivery")
    # The document's own one-hop map leads back up to its strategy.
    tab.locator('svg#qms-map-OBJ-OTD a.qms-node[data-id="STRAT-CUSTOMER"]').click()
    tab.wait_for_url(site_url + "strategy/STRAT-CUSTOMER/")
    assert not problems, problems


def test_every_kpi_chart_is_visible(page: tuple[Any, Problems], site_url: str,
                                    artifacts: Path) -> None:
    tab, problems = page
    tab.goto(site_url + "system/kpis/")
    kpis = open_qms(REPO_ROOT, with_git=False).of_kind("kpi")
    assert kpis
    for doc in kpis:
        chart = tab.locator(f'svg[id="qms-chart-{doc.id}"]')
        chart.scroll_into_view_if_needed()
        assert chart.is_visible(), doc.id
        box = chart.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100, doc.id
        assert chart.locator("line.qms-line--target").count() == 1, doc.id
        assert chart.locator("circle.qms-point").count() >= 12, doc.id
    tab.locator('svg[id="qms-chart-KPI-SUPP-OTD"]').screenshot(
        path=str(artifacts / "site-kpi-chart-KPI-SUPP-OTD.png"))
    tab.goto(site_url + "system/health/")
    activity = tab.locator("svg#qms-chart-activity")
    assert activity.is_visible() and activity.locator("rect.qms-bar").count() > 5
    assert not problems, problems


def test_markup_in_titles_shows_as_text(browser: Any, serve: Any, tmp_path: Path,
                                        artifacts: Path) -> None:
    repo = QmsRepo(tmp_path / "qms").baseline()
    title = '<img src=x onerror=alert("owned")> & <script>alert("owned")</script>'
    repo.write("PROC-EVIL", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
               **approved(title=title))
    repo.write_raw("qms_docs/index.md", "# Handbook\n\nSee PROC-EVIL.\n")
    (repo.root / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    site = tmp_path / "site"
    done = mkdocs_build(repo.root / "mkdocs.yml", site)
    assert done.returncode == 0, done.stderr
    base = serve(site)
    context = browser.new_context()
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base)
                  else r.abort())
    tab = context.new_page()
    dialogs: list[str] = []
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for url in ("procedures/PROC-EVIL/", "system/register/", "system/strategy-map/", ""):
        tab.goto(base + url, wait_until="load")
        if url.startswith(("procedures/", "system/register/")):
            assert title in tab.locator("article").inner_text(), url
        assert tab.locator("img[src=x]").count() == 0
    tab.goto(base + "procedures/PROC-EVIL/")
    tab.screenshot(path=str(artifacts / "site-escaped-title.png"))
    assert tab.title().startswith("<img src=x")
    assert dialogs == []
    context.close()
