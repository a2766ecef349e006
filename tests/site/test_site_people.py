"""A page per person, the people index and the calendars on the handbook site.

Generators as functions on the example and on small built QMSs; the example through a
real `mkdocs build --strict` (the session's `example_site`); and the people pages in
headless Chromium: they load cleanly, and the calendar link downloads a `.ics` that
parses with icalendar and holds that person's items.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from test_site_browser import Problems, page, site_url  # noqa: F401 - the browser harness

from conftest import MKDOCS_YML, REPO_ROOT, mkdocs_build
from qmskit.cli import main
from qmskit.domain.duties import known_handles
from qmskit.loader import open_qms
from qmskit.reports.calendar import calendar_namespace
from qmskit.site import Layout, SiteContext, build_nav, generate
from qmskit.site.handles import is_person_page, person_folder, person_src
from qmskit.site.people import page_person, sparkline
from qmskit.site.svg import ChartPoint

from qmsfactory import QmsRepo, approved

EVIL = '<script>alert("x")</script> & <b>bold</b>'


@pytest.fixture(scope="module")
def example_ctx() -> SiteContext:
    return SiteContext.create(open_qms(REPO_ROOT))


def due_json(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["due", "--root", str(root), "--format", "json", *args]) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


def items_of(data: dict[str, Any], handle: str) -> list[dict[str, Any]]:
    return next((list(p["items"]) for p in data["people"] if p["handle"] == handle), [])


def uids(raw: bytes) -> dict[str, Any]:
    """UID -> event of an iCalendar file (which must parse)."""
    cal = Calendar.from_ical(raw)
    return {str(event["UID"]): event for event in cal.walk("VEVENT")}


def uid(item: dict[str, Any], handle: str, namespace: str) -> str:
    return f"{handle}/{item['kind']}/{item['id']}/{item['key']}@{namespace}.qmskit"


# ------------------------------------------------------------------------ sparkline


def test_sparkline_draws_the_series_target_and_latest_state() -> None:
    points = [ChartPoint("2026-01", 90.0, "amber"), ChartPoint("2026-02", None, "no-data"),
              ChartPoint("2026-03", 94.0, "amber"), ChartPoint("2026-04", 97.0, "on-target"),
              ChartPoint("2026-05", 98.0, "on-target")]
    svg = sparkline(points, target=95.0, label=f"KPI-X {EVIL}")
    assert svg.startswith('<svg class="qms-chart qms-spark"') and svg.endswith("</svg>")
    # A period without data is a gap: one run of three points, the lone first is no line.
    assert svg.count("<polyline") == 1
    assert len(re.search(r'points="([^"]*)"', svg)[1].split()) == 3  # type: ignore[index]
    assert 'class="qms-line qms-line--target"' in svg
    assert svg.count("<circle") == 1 and "qms-point--on-target" in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "no data" in sparkline([ChartPoint("2026-01", None, "no-data")], target=None,
                                  label="x")
    many = [ChartPoint(f"2025-{m:02d}", float(m), "on-target") for m in range(1, 13)]
    many += [ChartPoint(f"2026-{m:02d}", float(m), "red") for m in range(1, 13)]
    last = sparkline(many, target=None, label="x")
    assert len(re.search(r'points="([^"]*)"', last)[1].split()) == 12  # type: ignore[index]


# ---------------------------------------------------------------- pages as functions


def test_a_person_page_shows_what_is_due_owned_measured_and_owed(
    example_ctx: SiteContext, capsys: pytest.CaptureFixture[str]
) -> None:
    src = person_src(example_ctx.layout, "quality-lead")
    assert src == "system/people/quality-lead/index.md"
    text = page_person(example_ctx, src, "quality-lead")
    assert text.startswith('---\ntitle: "Quality duties of quality-lead"\n')
    assert "# Quality duties of `quality-lead`" in text
    # What is due: the `qmskit due --as quality-lead` items, each with its command.
    for item in items_of(due_json(REPO_ROOT, capsys, "--as", "quality-lead"), "quality-lead"):
        assert item["what"] in text.replace("&#x27;", "'"), item
        if item["command"]:
            assert f"<code>{item['command']}</code>" in text
    assert "<code>qmskit review PROC-CAL --by ROLE-QM</code>" in text
    # What the person owns through ROLE-QM, their KPIs with a sparkline, open actions.
    owned = text.split("## What they own", 1)[1].split("## KPIs", 1)[0]
    assert "PROC-CAL" in owned and "PROC-PURCH" not in owned
    kpis = text.split("## KPIs", 1)[1].split("## Open actions", 1)[0]
    assert kpis.count('<svg class="qms-chart qms-spark"') == 2
    assert "KPI-CUST-PPM" in kpis and "KPI-OTIF" not in kpis
    assert "ACT-2026-13" in text.split("## Open actions", 1)[1]
    # The calendar, beside the page.
    assert 'href="quality-lead.ics" download' in text


def test_acknowledgements_owed_and_a_deputy_carrying_a_vacant_role(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    clean.write("ROLE-OPS", "role", owner="ROLE-MD", holders=["ops-manager"],
                reports_to="ROLE-MD", **approved())
    clean.write("ROLE-STORES", "role", owner="ROLE-MD", holders=[], deputy="ops-manager",
                reports_to="ROLE-OPS", **approved())
    clean.write("PROC-STORE", "procedure", owner="ROLE-STORES", supports=["OBJ-A"],
                applies_to=["ROLE-OPS"], **approved(version=2, approved_on="2026-11-01",
                                                    title=EVIL))
    clean.write_raw("qms_docs/acknowledgements.csv",
                    "id,version,handle,date\nPROC-STORE,1,ops-manager,2026-02-01\n")
    ctx = SiteContext.create(open_qms(clean.root))
    src = person_src(ctx.layout, "ops-manager")
    text = page_person(ctx, src, "ops-manager")
    owed = text.split("## Acknowledgements owed", 1)[1].split("## Calendar", 1)[0]
    assert "PROC-STORE" in owed and "version 1 on 2026-02-01" in owed
    assert "<code>qmskit ack PROC-STORE --as ops-manager</code>" in owed
    assert "Deputy for" in text and "carries its items while it has no holder" in text
    # The vacant role's document is theirs meanwhile.
    assert "PROC-STORE" in text.split("## What they own", 1)[1].split("## KPIs", 1)[0]
    assert "<script>" not in text and "&lt;script&gt;" in text
    ack = next(i for i in items_of(due_json(clean.root, capsys, "--as", "ops-manager"),
                                   "ops-manager") if i["kind"] == "ack")
    assert ack["what"] in text


def test_generate_publishes_a_page_and_calendar_per_person_and_the_index(
    example_ctx: SiteContext, capsys: pytest.CaptureFixture[str]
) -> None:
    files = generate(example_ctx)
    handles = known_handles(example_ctx.qms)
    assert len(handles) > 15
    for handle in handles:
        assert isinstance(files[f"system/people/{handle}/index.md"], str)
        assert isinstance(files[f"system/people/{handle}/{handle}.ics"], bytes)
    index = files["system/people/index.md"]
    assert isinstance(index, str)
    data = due_json(REPO_ROOT, capsys)
    for handle in handles:
        assert f'href="{handle}/"' in index, handle  # relative to the index
    # Counts per person, as `qmskit due` has them.
    row = re.search(r'<tr><td><a href="quality-lead/"[^\n]*', index)
    assert row is not None
    cells = re.findall(r"<td>(.*?)</td>", row[0])
    assert cells[2] == str(len(items_of(data, "quality-lead")))
    assert 'href="../quality-duties.ics" download' in index
    namespace = calendar_namespace(open_qms(REPO_ROOT, with_git=False))
    # The whole QMS's calendar holds every item; a person's holds theirs, stamped with
    # the evaluation date (the same bytes on every rebuild).
    everyone = files["system/quality-duties.ics"]
    assert isinstance(everyone, bytes)
    expected = {uid(i, p["handle"], namespace) for p in data["people"] for i in p["items"]}
    assert set(uids(everyone)) == expected
    mine = files["system/people/sales-lead/sales-lead.ics"]
    assert isinstance(mine, bytes)
    events = uids(mine)
    assert set(events) == {uid(i, "sales-lead", namespace)
                           for i in items_of(data, "sales-lead")}
    assert {e.decoded("DTSTAMP") for e in events.values()} == {
        datetime(2026, 11, 24, tzinfo=UTC)}
    assert generate(example_ctx)["system/people/sales-lead/sales-lead.ics"] == mine
    # Someone with nothing due still has a calendar to subscribe to, empty for now.
    assert uids(files["system/people/buyer-1/buyer-1.ics"]) == {}  # type: ignore[arg-type]


def test_person_pages_stay_out_of_the_nav_the_index_is_in_it(
    example_ctx: SiteContext,
) -> None:
    files = generate(example_ctx)
    nav = build_nav(example_ctx, [src for src in files if src.endswith(".md")])
    system = next(item["System"] for item in nav if isinstance(item, dict) and "System" in item)
    assert "system/people/index.md" in system
    assert not [s for s in system if is_person_page(example_ctx.layout, s)]
    assert is_person_page(example_ctx.layout, "system/people/quality-lead/index.md")
    assert not is_person_page(example_ctx.layout, "system/people/index.md")


def test_holders_link_to_their_pages_on_the_roles_page_and_role_documents(
    example_ctx: SiteContext,
) -> None:
    roles = generate(example_ctx)["system/roles.md"]
    assert isinstance(roles, str)
    assert '<a href="../people/quality-lead/" title="Quality duties of quality-lead" ' \
           'class="qms-person">quality-lead</a>' in roles
    from qmskit.site import render_page

    doc = example_ctx.qms.documents["ROLE-QM"]
    src = example_ctx.src_of["ROLE-QM"]
    html = render_page(example_ctx, src, doc.body)
    assert 'href="../../system/people/quality-lead/"' in html  # holder
    assert 'href="../../system/people/quality-engineer-1/"' in html  # deputy


def test_a_handle_named_like_the_index_gets_its_own_folder(clean: QmsRepo) -> None:
    clean.write("ROLE-X", "role", owner="ROLE-MD", holders=["index.md"],
                reports_to="ROLE-MD", **approved())
    ctx = SiteContext.create(open_qms(clean.root), layout=Layout("qms_docs"))
    files = generate(ctx)
    assert person_folder("index.md") == "_index.md"
    assert "system/people/_index.md/index.md" in files
    assert "system/people/_index.md/index.md.ics" in files
    assert "Everyone the QMS names" in str(files["system/people/index.md"])


# ------------------------------------------------------------------ real builds


def test_example_site_has_the_people_index_and_a_page_per_handle(example_site: Path) -> None:
    handles = known_handles(open_qms(REPO_ROOT, with_git=False))
    index = (example_site / "system" / "people" / "index.html").read_text("utf-8")
    for handle in handles:
        page_html = (example_site / "system" / "people" / handle / "index.html").read_text(
            "utf-8")
        assert f"Quality duties of <code>{handle}</code>" in page_html, handle
        calendar = example_site / "system" / "people" / handle / f"{handle}.ics"
        uids(calendar.read_bytes())  # parses
        assert f'href="{handle}/"' in index
    uids((example_site / "system" / "quality-duties.ics").read_bytes())
    nav = (example_site / "system" / "roles" / "index.html").read_text("utf-8")
    assert 'href="../people/"' in nav  # the index is in the System section


def test_flat_urls_link_people_and_calendars(clean: QmsRepo, tmp_path: Path) -> None:
    clean.write_raw("qms_docs/index.md", "# Handbook\n")
    (clean.root / "mkdocs.yml").write_text(MKDOCS_YML + "use_directory_urls: false\n",
                                           encoding="utf-8")
    done = mkdocs_build(clean.root / "mkdocs.yml", tmp_path / "site")
    assert done.returncode == 0, done.stderr
    person = tmp_path / "site" / "system" / "people" / "quality-lead" / "index.html"
    html = person.read_text("utf-8")
    assert 'href="quality-lead.ics" download' in html
    assert (person.parent / "quality-lead.ics").is_file()
    index = (tmp_path / "site" / "system" / "people" / "index.html").read_text("utf-8")
    assert 'href="quality-lead/"' in index
    roles = (tmp_path / "site" / "system" / "roles.html").read_text("utf-8")
    assert 'href="people/quality-lead/"' in roles


# ---------------------------------------------------------------------- browser


def test_people_pages_load_cleanly_and_the_calendar_downloads(
    page: tuple[Any, Problems], site_url: str, tmp_path: Path, artifacts: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    tab, problems = page
    tab.goto(site_url + "system/people/", wait_until="networkidle")
    tab.screenshot(path=str(artifacts / "site-system-people.png"), full_page=True)
    rows = tab.locator("div.qms-people tbody tr")
    assert rows.count() == len(known_handles(open_qms(REPO_ROOT, with_git=False)))
    tab.locator("a.qms-person", has_text="sales-lead").first.click()
    tab.wait_for_url(site_url + "system/people/sales-lead/")
    tab.wait_for_load_state("networkidle")
    assert tab.locator("h1").first.inner_text().startswith("Quality duties of sales-lead")
    assert tab.locator("svg.qms-spark").first.is_visible()
    tab.screenshot(path=str(artifacts / "site-system-people-sales-lead.png"), full_page=True)
    with tab.expect_download() as started:
        tab.locator("a.qms-calendar-link").first.click()
    download = started.value
    assert download.suggested_filename == "sales-lead.ics"
    saved = tmp_path / "sales-lead.ics"
    download.save_as(saved)
    events = uids(saved.read_bytes())
    namespace = calendar_namespace(open_qms(REPO_ROOT, with_git=False))
    expected = {uid(i, "sales-lead", namespace)
                for i in items_of(due_json(REPO_ROOT, capsys, "--as", "sales-lead"),
                                  "sales-lead")}
    assert expected and set(events) == expected
    review = events[f"sales-lead/review/PROC-CONTRACT/v3@{namespace}.qmskit"]
    assert review.decoded("DTSTART") == date(2026, 12, 4)
    assert not problems, problems
