"""`qmskit adopt [DIR]`: bring qmskit into an existing MkDocs handbook, changing nothing else.

It reads `mkdocs.yml` (the docs folder, the plugins, mkdocs-static-i18n's structure and
languages) and then, each step only if it is not done yet:

- writes `qmskit.toml`: the docs folder as the QMS folder, pages whose front matter
  qmskit cannot use excluded (each with its reason), and `[translations]` for an i18n
  site, so `X.de.md` is the same document as `X.md`;
- adds `qmskit` to the plugins of `mkdocs.yml` (before minify and the like, else last),
  spliced into the text so that comments, order and formatting stay as they were;
- writes `.pre-commit-config.yaml`, or adds qmskit's hooks to the existing one;
- writes the CI workflows (`.github/workflows/qms.yml`, which also installs the site's
  plugins, and `qms-due.yml`), and the qmskit block of CODEOWNERS when there is none.

It never overwrites a file: a file that exists is merged (mkdocs.yml, the pre-commit
config) or left as it is, and said so. Running it again changes nothing. It prints what
it did, the tables that look like registers (for `qmskit import`) and the next three
steps. Every read and write goes through `qmskit.fs`: regular files inside DIR only.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from qmskit import fs, progress, translations
from qmskit.commands.codeowners import BEGIN, LOCATIONS, entries, render
from qmskit.commands.init import DEFAULT_INSTALL_SPEC, due_workflow, precommit_config, workflow
from qmskit.config import TranslationsConfig, load_config
from qmskit.domain.adoption import (
    REQUIREMENT_FILES,
    AdoptError,
    Site,
    add_plugin,
    config_text,
    merge_precommit,
    read_site,
    translations_table,
    workflow_requirements,
)
from qmskit.domain.tables import looks_like_register, markdown_tables
from qmskit.edit import atomic_create, edit_file
from qmskit.errors import EXIT_CLEAN, QmsError
from qmskit.loader import load_qms
from qmskit.model.frontmatter import FrontMatterError, parse
from qmskit.walk import walk

MKDOCS_NAMES = ("mkdocs.yml", "mkdocs.yaml")
#: Tables with fewer rows are not listed as registers to import.
MIN_REGISTER_ROWS = 3


class _Steps:
    """What the run did, for the summary: one line per file."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, verb: str, path: str, what: str = "") -> None:
        self.lines.append(f"  {verb:<8} {path}" + (f": {what}" if what else ""))


#: Configuration files (mkdocs.yml, the pre-commit config) larger than this are refused.
MAX_CONFIG_SIZE = 1_000_000


def _text(files: fs.Root, relative: str, max_size: int = MAX_CONFIG_SIZE) -> str | None:
    """A file's text, None when it does not exist."""
    try:
        raw = files.read(relative, max_size, relative)
    except fs.MissingError:
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise QmsError(f"{relative}: not valid UTF-8; save it as UTF-8") from None


def _unusable_pages(root: Path, files: fs.Root, site: Site) -> list[tuple[str, str]]:
    """Pages of the docs folder qmskit would report as broken: front matter it cannot
    read, or an `id` that is not a qmskit document's (no `kind`)."""
    found: list[tuple[str, str]] = []
    for _path, relative in walk(root, [site.docs_dir], (), ".md"):
        try:
            text = files.read(relative, fs.MAX_SIZE, relative).decode("utf-8-sig")
            data = parse(text).data
        except FrontMatterError as error:
            found.append((relative, f"line {error.line}: {error.message}"))
            continue
        except (fs.PathError, UnicodeDecodeError) as error:
            found.append((relative, getattr(error, "reason", "not valid UTF-8")))
            continue
        if data is not None and "id" in data and "kind" not in data:
            found.append((relative, "its front matter has an `id` that is not a qmskit "
                          "document's (no `kind`)"))
    return found


def _create(files: fs.Root, root: Path, relative: str, text: str, steps: _Steps,
            what: str = "") -> None:
    try:
        atomic_create(root / relative, text, root=root, where=relative)
        steps.add("wrote", relative, what)
    except fs.ExistsError:
        steps.add("kept", relative, "exists, not changed")


def _config(root: Path, files: fs.Root, site: Site, steps: _Steps) -> list[str]:
    """Write qmskit.toml unless a config exists; returns advice about an existing one."""
    advice: list[str] = []
    for name in ("qmskit.toml", "pyproject.toml"):
        text = _text(files, name)
        if text is None or (name == "pyproject.toml" and "[tool.qmskit]" not in text):
            continue
        config, _ = load_config(root, require_folders=False)
        steps.add("kept", name, "has a qmskit configuration, not changed")
        if site.i18n is not None and config.translations is None:
            advice.append(f"{name} has no [translations]; add this, so that a translation "
                          "is the same document as its page:\n"
                          + translations_table(site.i18n))
        return advice
    excluded = _unusable_pages(root, files, site)
    text = config_text(site, [site.docs_dir], excluded)
    what = f"folders {site.docs_dir}"
    if excluded:
        what += f", {len(excluded)} pages excluded"
    if site.i18n is not None:
        what += f", translations {', '.join(site.i18n.languages)} ({site.i18n.structure})"
    _create(files, root, "qmskit.toml", text, steps, what)
    return advice


def _merge_file(root: Path, relative: str, merge: Callable[[str | None], str | None]) -> bool:
    return edit_file(root / relative, merge, root=root, where=relative)


def _registers(root: Path, files: fs.Root, site: Site) -> list[str]:
    """Tables in the default-language pages that look like registers."""
    config = (TranslationsConfig(languages=list(site.i18n.languages),
                                 structure="folder" if site.i18n.structure == "folder"
                                 else "suffix") if site.i18n else None)
    lines = []
    for _path, relative in walk(root, [site.docs_dir], (), ".md"):
        if config is not None and translations.language_of(relative, config)[1] \
                != config.default_language:
            continue
        text = _text(files, relative, fs.MAX_SIZE) or ""
        for table in markdown_tables(text):
            if len(table.rows) >= MIN_REGISTER_ROWS and looks_like_register(table):
                where = f" ({table.section})" if table.section else ""
                lines.append(f"  {relative}:{table.line}: table {table.index}{where}: "
                             f"{', '.join(table.header)} ({len(table.rows)} rows)")
    return lines


def adopt(directory: Path, *, install_spec: str = DEFAULT_INSTALL_SPEC) -> int:
    """Add qmskit to the MkDocs handbook in `directory`; exit 0, 2 when it cannot."""
    if not directory.is_dir():
        raise QmsError(f"{directory}: not a folder; give the root of the handbook")
    root = directory.absolute()
    files = fs.Root(root)
    mkdocs = next((n for n in MKDOCS_NAMES if _text(files, n) is not None), None)
    if mkdocs is None:
        raise QmsError(f"{directory}: no mkdocs.yml here; qmskit adopt brings qmskit into an "
                       "existing MkDocs handbook (start a new one with `qmskit init DIR`)")
    site_text = _text(files, mkdocs) or ""
    site = read_site(site_text, mkdocs)
    if not (root / site.docs_dir).is_dir() or not fs.inside(root, root / site.docs_dir):
        raise QmsError(f"{mkdocs}: docs_dir {site.docs_dir!r} is not a folder in {directory}")
    add_plugin(site_text, mkdocs)  # refused here, before anything is written
    steps = _Steps()
    advice = _config(root, files, site, steps)

    placed: list[str] = []

    def plugin(text: str | None) -> str | None:
        if text is None:
            raise QmsError(f"{mkdocs}: was removed while qmskit adopt was running")
        new, where = add_plugin(text, mkdocs)
        placed[:] = [where]
        return new

    if _merge_file(root, mkdocs, plugin):
        steps.add("changed", mkdocs, f"added the qmskit plugin {placed[0]}")
    else:
        steps.add("kept", mkdocs, "the qmskit plugin is there already")

    ours = precommit_config(install_spec)
    hooks = ".pre-commit-config.yaml"
    if _text(files, hooks) is None:
        _create(files, root, hooks, ours, steps, "qmskit check and codeowners before commits")
    else:
        def merge(text: str | None) -> str | None:
            return ours if text is None else merge_precommit(text, ours, hooks)

        try:
            if _merge_file(root, hooks, merge):
                steps.add("changed", hooks, "added qmskit's hooks")
            else:
                steps.add("kept", hooks, "runs qmskit's hooks already")
        except AdoptError as error:
            steps.add("kept", hooks, "not changed (see the note below)")
            advice.append(str(error))

    requirements = next((f for f in REQUIREMENT_FILES if _text(files, f) is not None), None)
    extra, unknown = workflow_requirements(site, requirements)
    installs = " ".join(extra) or "nothing more"
    _create(files, root, ".github/workflows/qms.yml", workflow(install_spec, extra=extra),
            steps, f"check, annotate, build the site (installs qmskit and {installs})")
    if unknown:
        advice.append(f".github/workflows/qms.yml: add the packages of the plugins "
                      f"{', '.join(unknown)} to its install step")
    _create(files, root, ".github/workflows/qms-due.yml", due_workflow(install_spec), steps,
            "weekly reminders of what falls due")

    if all(_text(files, location) is None for location in LOCATIONS):
        config, _ = load_config(root)
        with progress.shown(progress.wanted()):  # reading a large handbook takes a while
            qms = load_qms(root, config, with_git=False)
        _create(files, root, ".github/CODEOWNERS", render(None, entries(qms)), steps,
                "the qmskit block (owners of documents); `qmskit codeowners` keeps it current")
    else:
        location = next(loc for loc in LOCATIONS if _text(files, loc) is not None)
        steps.add("kept", location, "has the qmskit block" if BEGIN in (
            _text(files, location) or "") else "exists; `qmskit codeowners` adds the qmskit "
            "block to it")

    i18n = site.i18n
    out = [f"{directory}: MkDocs handbook, pages in {site.docs_dir}/"
           + (f", mkdocs-static-i18n ({i18n.structure}: {', '.join(i18n.languages)}, "
              f"default {i18n.default})" if i18n else "")
           + ("" if site.has_nav else ", navigation from the folders"),
           *steps.lines]
    registers = _registers(root, files, site)
    if registers:
        out.append("Tables that look like registers (turn each into records with "
                   "`qmskit import PAGE --kind KIND --dry-run`):")
        out += registers
    out += [f"note: {line}" for line in advice]
    out += [
        "Next steps:",
        "  1. Make the controlled documents: `qmskit import` the registers above; give the "
        "pages that are procedures, policies or roles front matter (id, kind, owner, "
        "status, review) with their real review dates.",
        "  2. `qmskit check` until it shows no error, then `mkdocs build --strict`.",
        "  3. On a branch, one commit: `git add -A && git commit -m 'Adopt qmskit'`, "
        "`pre-commit install`, push, and open a pull request (CI checks it).",
    ]
    sys.stdout.write("\n".join(out) + "\n")
    return EXIT_CLEAN
