"""The controlled copy: a real PDF from a clean clone of the example, read back as text.

Built with the real pipeline (qmskit pages, MkDocs with mkdocs-print-site-plugin, Debian's
headless chromium) and read back with poppler's `pdftotext`. Without chromium or
pdftotext the tests skip, except in CI (`CI` set), where they fail.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from qmskit.cli import main
from qmskit.loader import open_qms
from qmskit.site.pdf import FOOTER, cover_page, git_revision, print_css

from qmsfactory import copy_example, git


def _require(tool: str, package: str) -> str:
    found = shutil.which(tool)
    if found is None:
        reason = f"{tool} is not installed (apt-get install -y {package})"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return found


@pytest.fixture(scope="module")
def manual(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """(clone, PDF text, HEAD) for the example, built once for the module's tests."""
    _require("chromium", "chromium")
    pdftotext = _require("pdftotext", "poppler-utils")
    example = Path(__file__).resolve().parent.parent
    base = tmp_path_factory.mktemp("pdf")
    source = copy_example(example, base / "source")
    git(source, "init", "-q", "-b", "main")
    git(source, "add", "-A")
    git(source, "commit", "-q", "-m", "Example QMS", date="2026-11-20")
    clone = base / "clone"
    subprocess.run(["git", "clone", "-q", str(source), str(clone)], check=True)
    out = base / "manual.pdf"
    assert main(["pdf", str(out), "--root", str(clone)]) == 0
    text = subprocess.run([pdftotext, "-layout", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    return clone, text, git(clone, "rev-parse", "HEAD").strip()


def test_every_controlled_document_is_in_the_copy(manual: tuple[Path, str, str]) -> None:
    clone, text, _ = manual
    ids = set(open_qms(clone, with_git=False).documents)
    assert len(ids) >= 70
    found = set(re.findall(r"\b[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+\b", text))
    assert ids - found == set()


def test_every_page_carries_the_controlled_copy_footer(manual: tuple[Path, str, str]) -> None:
    _, text, _ = manual
    pages = [page for page in text.split("\f") if page.strip()]
    footer = FOOTER.format(day="2026-11-24")
    assert footer == "Controlled copy valid on 2026-11-24; uncontrolled when printed"
    assert len(pages) > 50
    assert all(footer in page for page in pages)
    assert all(f"Page {n} of {len(pages)}" in page for n, page in enumerate(pages, 1))


def test_cover_names_company_revision_and_contents(manual: tuple[Path, str, str]) -> None:
    _, text, head = manual
    cover = text.split("\f")[0]
    assert "Fernhollow Hydraulics — Quality Handbook" in cover
    assert f"{head[:10]} (2026-11-20)" in cover
    assert "with uncommitted changes" not in cover
    assert "Valid on" in cover and "2026-11-24" in cover
    assert "28 of 28 clauses in scope covered" in cover
    contents = text.split("\f")[1]
    assert "Contents" in contents and "Quality policy" in contents


def test_documents_show_their_metadata(manual: tuple[Path, str, str]) -> None:
    _, text, _ = manual
    flat = re.sub(r"\s+", " ", text)
    assert "Purchasing and supplier management" in flat
    for label in ("Owner", "Approved by", "Last review", "Next review", "Version"):
        assert label in flat


def test_qms_with_errors_gets_no_copy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _require("chromium", "chromium")
    example = Path(__file__).resolve().parent.parent
    root = copy_example(example, tmp_path / "broken")
    (root / "procedures" / "PROC-MOC.md").unlink()  # leaves ISO 9001 6.3 uncovered
    out = tmp_path / "manual.pdf"
    assert main(["pdf", str(out), "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "A601" in err and "no controlled copy is made" in err
    assert not out.exists()


def test_missing_browser_is_a_clear_error(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    example = Path(__file__).resolve().parent.parent
    assert main(["pdf", str(tmp_path / "x.pdf"), "--root", str(example),
                 "--chromium", str(tmp_path / "no-such-browser")]) == 2
    assert "not found or not executable" in capsys.readouterr().err


def test_cover_and_css_escape_what_they_print(tmp_path: Path) -> None:
    from qmskit.git.repo import Snapshot

    html = cover_page('A&B {{ "x" }} <script>', Snapshot("", "", False), date(2026, 1, 2), 3,
                      "s")
    assert "<script>" not in html and "{{" not in html and "&amp;B" in html
    assert "not under version control" in html
    css = print_css(date(2026, 1, 2), 'Co "quoted" \\ name')
    assert '"Co \\"quoted\\" \\\\ name"' in css
    assert git_revision(tmp_path, ["qms_docs"]).commit == ""


@pytest.mark.parametrize("where", ["proc", "folder", "missing-folder"])
def test_unwritable_output_fails_before_the_build(where: str, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """The output is tried first: a QMS that would take a minute to build (here one with
    errors, which would exit 1 after the check) gets exit 2 for its path at once, and
    the browser never starts."""
    example = Path(__file__).resolve().parent.parent
    root = copy_example(example, tmp_path / "qms")
    (root / "procedures" / "PROC-MOC.md").unlink()
    started = tmp_path / "browser-started"
    chromium = tmp_path / "chromium"
    chromium.write_text(f"#!/bin/sh\ntouch {started}\nexit 1\n", encoding="utf-8")
    chromium.chmod(0o755)
    out = {"proc": Path("/proc/self/manual.pdf"), "folder": tmp_path,
           "missing-folder": tmp_path / "no-such-folder" / "manual.pdf"}[where]
    assert main(["pdf", str(out), "--root", str(root), "--chromium", str(chromium)]) == 2
    err = capsys.readouterr().err
    assert "A601" not in err and "Traceback" not in err
    assert {"proc": "cannot write the PDF there", "folder": "is a directory",
            "missing-folder": "no such folder"}[where] in err
    assert not started.exists()
    assert not (tmp_path / "qms" / "site").exists()
