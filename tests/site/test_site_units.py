"""Page generation as functions: URLs, id links, escaping, charts, maps, history, nav."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qmskit.git.history import History, parse_log
from qmskit.loader import open_qms
from qmskit.reports.escape import html_text, md_inline
from qmskit.site import Layout, SiteContext, build_nav, generate, render_page
from qmskit.site.documents import link_ids, split_title
from qmskit.site.html import split_blocks
from qmskit.site.layout import relative_url
from qmskit.site.svg import ChartPoint, MapNode, StrategyMap, kpi_chart, render_map

from qmsfactory import QmsRepo, git, init_git

EVIL = '<script>alert("x")</script> & <b>bold</b> | [link](http://evil.invalid)'


@pytest.fixture(scope="module")
def example_ctx() -> SiteContext:
    root = Path(__file__).resolve().parents[2]
    return SiteContext.create(open_qms(root))


@pytest.mark.parametrize(("from_url", "to_url", "expected"), [
    ("procedures/PROC-A/", "objectives/OBJ-A/", "../../objectives/OBJ-A/"),
    ("", "system/kpis/", "system/kpis/"),
    ("system/kpis/", "", "../../"),
    ("system/kpis/", "system/kpis/", "./"),
    ("procedures/PROC-A.html", "procedures/PROC-B.html", "PROC-B.html"),
    ("procedures/PROC-A.html", "index.html", "../index.html"),
    ("index.html", "kpis/KPI-A.html", "kpis/KPI-A.html"),
])
def test_relative_url(from_url: str, to_url: str, expected: str) -> None:
    assert relative_url(from_url, to_url) == expected


def test_layout_maps_qms_paths_to_pages_and_urls() -> None:
    layout = Layout("qms_docs", use_directory_urls=True)
    assert layout.src("qms_docs/kpis/KPI-A.md") == "kpis/KPI-A.md"
    assert layout.src("procedures/PROC-A.md") == "procedures/PROC-A.md"
    assert layout.url("kpis/index.md") == "kpis/"
    assert layout.url("index.md") == ""
    assert layout.rel_url("kpis/KPI-A.md", "procedures/PROC-A.md") == "../../procedures/PROC-A/"
    assert layout.rel_md("kpis/KPI-A.md", "procedures/PROC-A.md") == "../procedures/PROC-A.md"
    flat = Layout("qms_docs", use_directory_urls=False)
    assert flat.rel_url("kpis/KPI-A.md", "system/kpis.md", "kpi-a") == "../system/kpis.html#kpi-a"


def test_ids_in_text_become_links_but_not_in_code_headings_links_or_html(
    example_ctx: SiteContext,
) -> None:
    markdown = "\n".join([
        "# PROC-PURCH heading stays",
        "See PROC-NCR, then OBJ-CUST-PPM and KPI-CUST-PPM. Not XPROC-NCR nor PROC-NCR-X.",
        "Code `PROC-NCR` and [PROC-CAPA](https://example.invalid/PROC-CAPA) stay.",
        "```",
        "PROC-NCR in a fence",
        "```",
        '<div class="x">PROC-NCR in HTML',
        "</div>",
        "",
        "Unknown PROC-NOPE stays; own id PROC-PURCH stays.",
    ])
    out = link_ids(example_ctx, "procedures/PROC-PURCH.md", markdown, skip="PROC-PURCH")
    lines = out.split("\n")
    assert lines[0] == "# PROC-PURCH heading stays"
    assert "See [PROC-NCR](PROC-NCR.md)" in lines[1]
    assert "[OBJ-CUST-PPM](../objectives/OBJ-CUST-PPM.md)" in lines[1]
    assert "[KPI-CUST-PPM](../kpis/KPI-CUST-PPM.md)" in lines[1]
    assert "XPROC-NCR nor PROC-NCR-X" in lines[1]
    assert lines[2] == markdown.split("\n")[2]
    assert lines[4] == "PROC-NCR in a fence"
    assert lines[6] == '<div class="x">PROC-NCR in HTML'
    assert lines[9] == "Unknown PROC-NOPE stays; own id PROC-PURCH stays."


def test_escaping_helpers() -> None:
    assert html_text(EVIL).startswith("&lt;script&gt;alert(&quot;x&quot;)")
    text = md_inline(EVIL)
    assert "<" not in text and "[" not in text.replace("\\[", "")
    assert split_title("\n# Title\nbody") == ("# Title", "body")
    assert split_title("body\n# Later")[0] is None


def test_kpi_chart_draws_target_warn_bands_and_escapes() -> None:
    points = [ChartPoint("2026-01", 4.0, "red"), ChartPoint("2026-02", 2.0, "on-target")]
    svg = kpi_chart(f"c-{EVIL}", points, unit="<ppm>", target=2.5, warn_at=3.5,
                    direction="lower", title=EVIL)
    assert "<script" not in svg and "<b>" not in svg
    assert svg.count('class="qms-point qms-point--') == 2
    assert 'class="qms-line qms-line--target"' in svg and 'qms-line--warn' in svg
    assert {"good", "amber", "red"} <= set(re.findall(r"qms-band--(\w+)", svg))
    assert "&lt;ppm&gt;" in svg


def test_map_nodes_are_escaped_links() -> None:
    smap = StrategyMap(["A", "B"])
    smap.nodes["STRAT-A"] = MapNode("STRAT-A", "strategy", EVIL, 'x"/><script>', 0)
    smap.nodes["OBJ-A"] = MapNode("OBJ-A", "objective", "Objective", "../o/", 1)
    svg = render_map(smap, "m", EVIL)
    assert "<script" not in svg and "<b>" not in svg
    assert svg.count("<a ") == 2 and 'href="x&quot;/&gt;&lt;script&gt;"' in svg


def test_split_blocks_takes_generated_html_out_of_markdown(example_ctx: SiteContext) -> None:
    src = "procedures/PROC-PURCH.md"
    doc = example_ctx.doc_at[src]
    rendered = render_page(example_ctx, src, doc.body)
    markdown, blocks = split_blocks(rendered, lambda n: f"TOKEN{n}x")
    assert "<div" not in markdown and "<svg" not in markdown
    assert [is_figure for is_figure, _ in blocks].count(True) == 1  # the one-hop map
    assert any('class="qms-panel"' in html for _, html in blocks)
    assert all("\n\n" not in html for _, html in blocks)


def test_history_parse_groups_commits_per_file() -> None:
    raw = ":100644 100644 " + "1" * 40 + " " + "2" * 40 + " M"
    text = ("\0\x01a1\x1f\x1f2026-03-01\x1f2026-03-01\x1f\x1fquality-lead\x1fq@x\x1f"
            f"Revise PROC-A\x1f\0\n{raw}\0qms/procedures/PROC-A.md\0{raw}\0"
            f"qms/objectives/OBJ-A.md\0{raw}\0qms/kpis/data/K.csv\0"
            "\0\x01b2\x1f\x1f2026-01-01\x1f2026-01-01\x1f\x1fops\x1fo@x\x1fAdd PROC-A\x1f"
            f"\0\n{raw}\0qms/procedures/PROC-A.md\0{raw}\0other/x.md\0")
    commits, by_path, touched = parse_log(text.encode(), "qms/", [])
    history = History(True, commits=commits, by_path=by_path, touched=touched, prefix="qms/")
    assert [c.subject for c in history.of("procedures/PROC-A.md")] == ["Revise PROC-A",
                                                                       "Add PROC-A"]
    assert [c.author for c in history.of("objectives/OBJ-A.md")] == ["quality-lead"]
    assert history.paths == {"procedures/PROC-A.md", "objectives/OBJ-A.md"}
    assert history.paths_of(commits[0]) == ("kpis/data/K.csv", "objectives/OBJ-A.md",
                                            "procedures/PROC-A.md")
    assert history.paths_of(commits[1]) == ("procedures/PROC-A.md",)
    assert history.blobs(commits[1], "procedures/PROC-A.md") == ("1" * 40, "2" * 40)


def test_history_from_a_real_repository(clean: QmsRepo) -> None:
    assert not open_qms(clean.root).history().available
    init_git(clean.root, date="2026-01-15")
    path = clean.root / "procedures" / "PROC-A.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    git(clean.root, "commit", "-qam", "Clarify step 2 <b>", date="2026-02-01")
    history = open_qms(clean.root).history()
    assert history.available
    assert [c.subject for c in history.of("procedures/PROC-A.md")] == ["Clarify step 2 <b>",
                                                                       "Initial QMS"]
    assert [c.subject for c in history.of("objectives/OBJ-A.md")] == ["Initial QMS"]
    assert history.of("procedures/PROC-A.md")[0].author == "quality-lead"


def test_graph_lists_agree_with_networkx_view(example_ctx: SiteContext) -> None:
    """The adjacency lists pages read and the networkx graph algorithms use are one graph."""
    graph = example_ctx.qms.graph
    view = graph.nx
    assert sorted(view.nodes) == graph.nodes()
    assert sorted((s, t, d["field"]) for s, t, d in view.edges(data=True)) == sorted(
        (lk.source, lk.target, lk.field) for lk in graph.links())
    for doc_id in example_ctx.qms.documents:
        assert sorted((lk.target, lk.field) for lk in graph.outgoing(doc_id)) == sorted(
            (t, d["field"]) for _, t, d in view.out_edges(doc_id, data=True))
        assert sorted((lk.source, lk.field) for lk in graph.incoming(doc_id)) == sorted(
            (s, d["field"]) for s, _, d in view.in_edges(doc_id, data=True))


def test_nav_follows_the_qms_structure(example_ctx: SiteContext) -> None:
    sources = [*example_ctx.doc_at, "index.md", "scope.md", "procedures/index.md",
               "objectives/index.md", *[s for s in generate(example_ctx) if s.endswith(".md")]]
    nav = build_nav(example_ctx, sources)
    assert nav[0] == "index.md"
    sections = [next(iter(item)) for item in nav if isinstance(item, dict)]
    assert sections[:6] == ["System", "Strategy", "Objectives", "Processes and procedures",
                            "KPIs", "Roles"]
    # Folders of declared kinds are titled by their folder, not by a raw kind name.
    assert {"Suppliers", "Equipment"} <= set(sections)
    assert not {"supplier", "equipment", "register"} & set(sections)
    procedures = nav[[isinstance(i, dict) and "Processes and procedures" in i
                      for i in nav].index(True)]["Processes and procedures"]
    assert procedures[0] == "procedures/index.md"
    # Processes before procedures, each by id.
    assert procedures[1:6] == ["procedures/PROC-DFM.md", "procedures/PROC-IMPROVE.md",
                               "procedures/PROC-O2D.md", "procedures/PROC-PROD.md",
                               "procedures/PROC-PURCH.md"]
    system = next(item["System"] for item in nav if isinstance(item, dict) and "System" in item)
    assert system[:3] == ["system/index.md", "system/strategy-map.md", "system/kpis.md"]


def test_generated_pages_show_the_system(example_ctx: SiteContext) -> None:
    files = generate(example_ctx)
    assert set(files) >= {"assets/qmskit.css", "system/index.md", "system/strategy-map.md",
                          "system/kpis.md", "system/reviews.md", "system/register.md",
                          "system/roles.md", "system/traceability.md", "system/findings.md",
                          "system/health.md"}
    kpis = str(files["system/kpis.md"])
    assert kpis.count('<svg class="qms-chart"') == len(example_ctx.qms.of_kind("kpi"))
    # Worst first: the red KPI leads the dashboard.
    assert kpis.index("KPI-SUPP-OTD") < kpis.index("KPI-OTIF")
    reviews = str(files["system/reviews.md"])
    overdue, soon = reviews.index("## Overdue"), reviews.index("## Due within 30 days")
    assert reviews.index("PROC-CONTRACT", soon) < reviews.index("## Due within 90 days")
    assert "Nothing is overdue." in reviews[overdue:soon]
    register = str(files["system/register.md"])
    assert all(doc_id in register for doc_id in example_ctx.qms.documents)
    findings = str(files["system/findings.md"])
    assert findings.count("qms-badge--warning") == example_ctx.result.warnings == 6
    roles = str(files["system/roles.md"])
    assert "owns nothing" in roles  # ROLE-AUDITOR


def test_charts_without_data_say_so() -> None:
    svg = kpi_chart("c", [], unit="%", target=95.0, warn_at=90.0)
    assert "no measurements yet" in svg and "qms-point" not in svg
    from datetime import date

    from qmskit.site.svg import activity_chart

    timeline = activity_chart("a", [(date(2026, 3, 2), 3), (date(2026, 6, 1), 1)],
                              [date(2026, 3, 17)], date(2025, 11, 24), date(2026, 11, 24), 6)
    assert timeline.count('class="qms-bar"') == 2
    assert "audit 2026-03-17" in timeline and "qms-band--amber" in timeline
