"""The handbook's build cache (qmskit.site.buildcache) in real `mkdocs build` runs.

What must hold: a build that reuses cached pages writes exactly the site a cold build
of the same tree writes, byte for byte, after an edit and with a damaged cache; and the
cache is really used (the plugin's debug log counts the pages it reused).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import REPO_ROOT, mkdocs_build
from qmskit.cache import cache_dir, locate
from qmskit.loader import open_qms

from qmsfactory import copy_example, git, init_git

_COUNTS = re.compile(r"qmskit: build cache: content of (\d+) of (\d+) pages reused, "
                     r"(\d+) pages reused whole")


def _site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes()
            for p in sorted(site.rglob("*")) if p.is_file()}


def _assert_same_site(warm: Path, cold: Path) -> None:
    warm_files, cold_files = _site_files(warm), _site_files(cold)
    assert sorted(warm_files) == sorted(cold_files)
    differing = [name for name in cold_files if warm_files[name] != cold_files[name]]
    assert differing == []


def _build(root: Path, site: Path) -> tuple[int, int, int]:
    """Build with `-v`; return (content reused, pages, pages reused whole)."""
    done = mkdocs_build(root / "mkdocs.yml", site, "-v")
    assert done.returncode == 0, done.stderr[-3000:]
    found = _COUNTS.search(done.stderr)
    assert found is not None, done.stderr[-3000:]
    reused, pages, whole = (int(n) for n in found.groups())
    return reused, pages, whole


def _cache(root: Path) -> Path:
    return cache_dir(root, locate(root)) / "site"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_example(REPO_ROOT, tmp_path_factory.mktemp("cache") / "example")
    init_git(root)
    return root


def test_cached_build_after_an_edit_equals_a_cold_build(example: Path, tmp_path: Path) -> None:
    reused, pages, whole = _build(example, tmp_path / "first")
    assert (reused, whole) == (0, 0) and pages > 50
    # Nothing changed: every page comes from the cache, and the site is the same.
    reused, pages_again, whole = _build(example, tmp_path / "again")
    assert (reused, whole) == (pages, pages) and pages_again == pages
    _assert_same_site(tmp_path / "again", tmp_path / "first")

    procedure = example / "procedures" / "PROC-PURCH.md"
    procedure.write_text(procedure.read_text("utf-8") + "\nA line added in the test.\n",
                         encoding="utf-8")
    reused, _, whole = _build(example, tmp_path / "warm")
    # The edited page (and the pages that show what changed about it) are built again,
    # the others are reused: the cache was hit, and not for everything.
    assert 0 < reused < pages and 0 < whole < pages
    html = (tmp_path / "warm" / "procedures" / "PROC-PURCH" / "index.html").read_text("utf-8")
    assert "A line added in the test." in html

    shutil.rmtree(_cache(example))
    reused, _, whole = _build(example, tmp_path / "cold")
    assert (reused, whole) == (0, 0)
    _assert_same_site(tmp_path / "warm", tmp_path / "cold")


def test_a_damaged_cache_is_rebuilt_not_trusted(example: Path, tmp_path: Path) -> None:
    _build(example, tmp_path / "cold")
    entries = sorted(_cache(example).glob("*.json"))
    assert entries
    # Every third entry truncated, every third replaced by valid JSON under another
    # key (a stale or foreign entry), every third left intact.
    foreign = json.dumps({"qmskit_cache": 3, "kind": "site-page", "key": "other",
                          "written_at": 1, "payload": {"html": "<p>stale</p>"}})
    for number, entry in enumerate(entries):
        if number % 3 == 0:
            entry.write_bytes(entry.read_bytes()[:100])
        elif number % 3 == 1:
            entry.write_text(foreign, encoding="ascii")
    reused, pages, whole = _build(example, tmp_path / "damaged")
    assert 0 < reused < pages and 0 < whole < pages
    _assert_same_site(tmp_path / "damaged", tmp_path / "cold")


def test_a_link_change_rebuilds_the_pages_that_show_it(example: Path, tmp_path: Path) -> None:
    """A change to the graph (a KPI now measures another objective) reaches every page
    that shows it, without touching those pages' own files."""
    _build(example, tmp_path / "before")
    qms = open_qms(example)
    kpis = [d for d in qms.documents.values() if d.kind == "kpi"]
    measured_by: dict[str, int] = {}
    for doc in kpis:
        for measured in doc.model.measures:
            measured_by[measured] = measured_by.get(measured, 0) + 1
    # A KPI whose objective keeps another KPI once this one measures something else.
    kpi, target = next((d, m) for d in kpis for m in d.model.measures
                       if measured_by[m] > 1 and m.startswith("OBJ-"))
    other = next(d.id for d in qms.documents.values()
                 if d.kind == "objective" and d.id != target)
    source = example / kpi.path
    text = source.read_text("utf-8")
    source.write_text(text.replace(target, other, 1), encoding="utf-8")
    git(example, "commit", "-qam", "KPI measures another objective")
    _build(example, tmp_path / "warm")
    shutil.rmtree(_cache(example))
    _build(example, tmp_path / "cold")
    _assert_same_site(tmp_path / "warm", tmp_path / "cold")


def test_search_finds_every_document_by_its_id(example: Path, tmp_path: Path) -> None:
    _build(example, tmp_path / "site")
    _build(example, tmp_path / "site")  # from the cache: the index must not lose pages
    index = json.loads((tmp_path / "site" / "search" / "search_index.json").read_text("utf-8"))
    text_at: dict[str, str] = {}
    for entry in index["docs"]:
        page = entry["location"].split("#")[0]
        text_at[page] = text_at.get(page, "") + entry["title"] + " " + entry["text"]
    qms = open_qms(example)
    missing = []
    for doc in qms.documents.values():
        # A register's rows are found on the register's page (one anchor per row).
        relative = Path(qms.documents[doc.register].path if doc.register else doc.path)
        if relative.parts[0] == "qms_docs":
            relative = relative.relative_to("qms_docs")
        url = relative.with_suffix("").as_posix() + "/"
        if doc.id not in text_at.get(url, ""):
            missing.append(doc.id)
    assert missing == []
