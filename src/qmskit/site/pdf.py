"""The controlled copy: the whole manual as one PDF, from well-kept parts.

ISO 9001 7.5.3 asks that documented information be available where needed and protected
from unintended use of obsolete versions. A printed or e-mailed manual is exactly that
risk, so the copy says on every page what it is: "Controlled copy valid on DATE;
uncontrolled when printed", with the git revision it was made from on the cover.

No hand-made renderer. The pipeline is:

0. the output path is tried first (a build takes a minute; an unwritable path must not
   be found out after it);
1. `qmskit.site.publish`, the same check-then-write as `qmskit pages`, writes the
   handbook (every document with its metadata panel, and the generated pages) as a
   plain MkDocs tree in a temporary folder;
2. a derived MkDocs config adds `mkdocs-print-site-plugin`, which joins every page in
   navigation order into one print page with a cover page and a table of contents, and
   a stylesheet whose CSS page-margin boxes (`@page { @bottom-left {...} }`) print the
   controlled-copy footer and "Page N of M";
3. headless Chromium prints that page to PDF (`--print-to-pdf`), offline: every host
   name resolves to nothing, so no external request can leave the machine.

The project's own `mkdocs.yml` is never modified; everything derived lives in a
temporary folder that is removed afterwards.
"""

from __future__ import annotations

import html
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from qmskit.domain.coverage import coverage_of
from qmskit.errors import QmsError
from qmskit.git.repo import GitRepo, Snapshot
from qmskit.git.run import GitError
from qmskit.process import run as run_program
from qmskit.site.publish import Publication, publish
from qmskit.site.tree import dump_builder_config, read_builder_config

FOOTER = "Controlled copy valid on {day}; uncontrolled when printed"
PRINT_CSS = "assets/qmskit-controlled-copy.css"
COVER = "qmskit-cover.tpl"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable",
                  "chrome")


def git_revision(root: Path, folders: list[str]) -> Snapshot:
    """HEAD's commit and date, and whether the QMS files differ from it; an empty
    snapshot ("not under version control") outside a repository with commits."""
    try:
        return GitRepo.at(root).snapshot(folders)
    except GitError:
        return Snapshot("", "", False)


def find_chromium(explicit: str | None = None) -> str:
    """The Chromium executable: `explicit`, `QMSKIT_CHROMIUM`, or a known name on PATH."""
    if explicit:
        found = shutil.which(explicit)
        if found is None:
            raise QmsError(f"--chromium {explicit}: not found or not executable")
        return found
    for candidate in (os.environ.get("QMSKIT_CHROMIUM"), *CHROMIUM_NAMES):
        if candidate:
            found = shutil.which(candidate)
            if found:
                return found
    raise QmsError("no Chromium found to print the PDF; install it (Debian/Ubuntu: "
                   "`apt-get install chromium`) or pass --chromium PATH")


def _css_string(text: str) -> str:
    """A CSS string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def print_css(day: date, header: str) -> str:
    """Page size, margins, running header and the controlled-copy footer with page numbers.

    CSS page-margin boxes are printed by Chromium (131 and later) in every page's margin,
    so the footer is text in the PDF, not an image, and is found by text extraction.
    """
    return f"""/* qmskit controlled copy: page furniture for the PDF (qmskit pdf). */
@page {{
  size: A4;
  margin: 18mm 15mm 20mm 15mm;
  @top-right {{ content: {_css_string(header)}; font-size: 8pt; color: #555; }}
  @bottom-left {{ content: {_css_string(FOOTER.format(day=day.isoformat()))};
                 font-size: 8pt; color: #333; }}
  @bottom-right {{ content: "Page " counter(page) " of " counter(pages); font-size: 8pt;
                  color: #333; }}
}}
@page :first {{
  @top-right {{ content: none; }}
}}
@page {{
  @top-right {{ font-family: sans-serif; }}
  @bottom-left {{ font-family: sans-serif; }}
  @bottom-right {{ font-family: sans-serif; }}
}}
/* Wide tables wrap instead of showing a scroll bar that paper cannot scroll. */
.md-typeset__scrollwrap {{ overflow: visible !important; }}
.md-typeset__table {{ display: block; }}
.md-typeset table:not([class]) {{ display: table; max-width: 100%; }}
#print-site-cover-page .qmskit-cover h1 {{ font-size: 2.2em; margin-top: 30%; }}
#print-site-cover-page .qmskit-cover table {{ font-size: 1.05em; margin-top: 2em; }}
#print-site-cover-page .qmskit-cover td {{ padding: 0.3em 1.2em 0.3em 0; vertical-align: top; }}
.qmskit-cover-notice {{ margin-top: 3em; padding: 0.8em; border: 1px solid #333; }}
"""


def _cover_value(text: str) -> str:
    # HTML-escaped, and braces too: the template is rendered by Jinja.
    return html.escape(text).replace("{", "&#123;").replace("}", "&#125;")


def cover_page(company: str, revision: Snapshot, day: date, documents: int,
               summary: str | Sequence[str]) -> str:
    """The cover page (a print-site Jinja template with no Jinja in it).

    `summary` is the clause coverage line, or one line per configured standard.
    """
    lines = [summary] if isinstance(summary, str) else list(summary)
    rows = [
        ("Document", ["Quality manual — controlled copy"]),
        ("Revision", [revision.label()]),
        ("Valid on", [day.isoformat()]),
        ("Controlled documents", [str(documents)]),
        ("Clause coverage", lines),
    ]
    cells = "\n".join(f"<tr><td>{_cover_value(k)}</td><td>"
                      f"{'<br>'.join(_cover_value(v) for v in values)}</td></tr>"
                      for k, values in rows)
    return (f'<div class="qmskit-cover">\n<h1>{_cover_value(company)}</h1>\n'
            f"<table>\n{cells}\n</table>\n"
            f'<p class="qmskit-cover-notice">{_cover_value(FOOTER.format(day=day))}. '
            "The handbook site is the controlled version; check that a printed copy is "
            "still current before working to it.</p>\n</div>\n")


def derive_config(tree: Path, company: str) -> None:
    """Turn `tree/mkdocs.yml` (from `qmskit pages`) into the print build's config."""
    config = read_builder_config(tree / "mkdocs.yml")
    plugins = [p for p in (config.get("plugins") or [])
               if not (p == "print-site" or (isinstance(p, dict) and "print-site" in p))]
    plugins.append({"print-site": {
        "add_cover_page": True,
        "cover_page_template": COVER,
        "add_table_of_contents": True,
        "toc_title": "Contents",
        "toc_depth": 1,
        "enumerate_headings": False,
        "enumerate_figures": False,
        "add_print_site_banner": False,
        "add_full_urls": False,
        "print_page_title": f"{company} — controlled copy",
    }})
    config["plugins"] = plugins
    config["extra_css"] = [*(config.get("extra_css") or []), PRINT_CSS]
    # A broken link in one page must not stop a controlled copy of the rest; the site
    # build (strict) is where links are policed.
    config["strict"] = False
    config["site_dir"] = "site"
    dump_builder_config(tree / "mkdocs.yml", config,
                        "# Derived by `qmskit pdf` for the controlled copy; temporary.\n")


@dataclass(frozen=True)
class ControlledCopy:
    """The outcome of `build_pdf`: the checked handbook and, unless refused, what the
    PDF was made from."""

    publication: Publication
    company: str = ""
    revision: Snapshot | None = None


def check_pdf_output(out: Path) -> None:
    """Fail fast (QmsError) when `out` cannot be written: before a build of a minute.

    The only reliable test is to create the file Chromium will print into (permission
    bits say nothing to root, and nothing about /proc or a read-only mount).
    """
    if out.is_dir():
        raise QmsError(f"{out}: is a folder; give the PDF's file name")
    if not out.parent.is_dir():
        raise QmsError(f"{out.parent}: no such folder for the PDF")
    probe = _partial(out)
    try:
        probe.unlink(missing_ok=True)  # a leftover (or a link): never written through
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
        probe.unlink()
    except OSError as error:
        raise QmsError(f"{out}: cannot write the PDF there ({error.strerror or error}); "
                       "choose another path") from None


def _partial(out: Path) -> Path:
    return out.with_name(f".{out.name}.partial")


def build_pdf(root: Path, out: Path, *, mkdocs_config: Path | None = None,
              config_path: Path | None = None, today: date | None = None,
              chromium: str | None = None, timeout: float = 600) -> ControlledCopy:
    """Write the controlled-copy PDF of the QMS at `root` to `out`.

    Refused (nothing written, `publication.refused`) when the QMS has error-level
    findings, like the handbook build: a controlled copy of a system that fails its own
    check would certify what the check rejects.
    """
    root = root.absolute()
    out = out.absolute()
    check_pdf_output(out)
    browser = find_chromium(chromium)
    with tempfile.TemporaryDirectory(prefix="qmskit-pdf-") as work:
        tree = Path(work, "handbook")
        publication = publish(root, tree, mkdocs_config=mkdocs_config,
                              config_path=config_path, today=today, force=True)
        if publication.refused:
            return ControlledCopy(publication)
        qms, day = publication.qms, publication.today
        company = str(read_builder_config(tree / "mkdocs.yml").get("site_name")
                      or "Quality manual")
        revision = git_revision(root, qms.config.folders)
        (tree / COVER).write_text(cover_page(company, revision, day, len(qms.documents),
                                             coverage_of(qms).summaries()), encoding="utf-8")
        css = tree / "docs" / PRINT_CSS
        css.parent.mkdir(parents=True, exist_ok=True)
        css.write_text(print_css(day, f"{company} — revision {revision.label()}"),
                       encoding="utf-8")
        derive_config(tree, company)
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        built = run_program([sys.executable, "-m", "mkdocs", "build", "-q", "-f",
                             str(tree / "mkdocs.yml")], cwd=tree, env=env, timeout=timeout,
                            what="the print build (mkdocs)")
        page = tree / "site" / "print_page" / "index.html"
        if not page.is_file():
            page = tree / "site" / "print_page.html"
        if built.returncode != 0 or not page.is_file():
            raise QmsError("the print build failed:\n" + (built.stderr or built.stdout).strip())
        _print(browser, page, out, Path(work, "profile"), timeout)
    return ControlledCopy(publication, company, revision)


def _print(browser: str, page: Path, out: Path, profile: Path, timeout: float) -> None:
    """Print `page` to `out` with headless Chromium, with no network access."""
    args = [
        browser, "--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
        "--disable-extensions", "--disable-background-networking", "--disable-sync",
        f"--user-data-dir={profile}",
        # Offline by construction: no host name resolves, so nothing is fetched.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
        "--no-pdf-header-footer", "--virtual-time-budget=15000",
        f"--print-to-pdf={out}", page.as_uri(),
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.insert(2, "--no-sandbox")  # Chromium refuses to run sandboxed as root
    partial = _partial(out)
    args[-2] = f"--print-to-pdf={partial}"
    try:
        done = run_program(args, cwd=profile.parent, timeout=timeout, what="Chromium printing")
    except QmsError:
        partial.unlink(missing_ok=True)
        raise
    if done.returncode != 0 or not partial.is_file() or partial.stat().st_size == 0:
        partial.unlink(missing_ok=True)
        raise QmsError(f"Chromium could not print the PDF (exit {done.returncode}): "
                       + done.stderr.strip()[-2000:])
    partial.replace(out)  # atomic: a reader never sees half a PDF
