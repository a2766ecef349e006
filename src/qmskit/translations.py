"""Translations are the same document: `X.de.md` (or `de/X.md`) translates `X.md`.

With `[translations]` in the config (the languages and `docs_structure` of the handbook's
mkdocs-static-i18n plugin, which `qmskit adopt` copies), a file named in a language other
than the default one is a *translation* of the default-language file of the same name:

- `structure = "suffix"`: `dir/X.de.md` translates `dir/X.md` (or `dir/X.en.md`);
- `structure = "folder"`: `docs/de/dir/X.md` translates `docs/en/dir/X.md`; the language
  is the first folder of the path named after a configured language. A QMS folder under
  the default language's folder (`docs/en/qms`) brings its mirror (`docs/de/qms`) along.

A translation is never a document of its own: it is kept out of the documents (so it is
never a duplicate id, D103, nor the document later findings point at) and compared with
its source after loading. It may repeat the front matter, carry only a translated `title`
(and the other text and page fields in `TRANSLATABLE`), or have no front matter at all.
Every other field it carries is a controlled field and must equal the default-language
file's value; a translation that contradicts it is D110, located at the value in the
translation. A field no document of that kind has is D102 there. A translation older
than its source's current version is C410 (`outdated_by_version`, `outdated_by_history`).
A file in another language with no default-language file beside it is loaded as a
document in its own right: a page that exists in one language only.

Findings about the document itself (review due, links, ...) are reported once, at the
default-language file. The mapping document id -> {language: path} is memoised on the Qms
(`of(qms)`): the handbook puts the document's panel on every translated page, and `qmskit
review` stamps every language that carries a stamp.
"""

from __future__ import annotations

import copy
import difflib
import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from qmskit import fs
from qmskit.config import Config, TranslationsConfig
from qmskit.errors import QmsError
from qmskit.git.facts import Content, content_of
from qmskit.git.history import Commit
from qmskit.model.doc import Doc
from qmskit.model.findings import Finding
from qmskit.model.frontmatter import FrontMatter, FrontMatterError, parse
from qmskit.qms import Qms
from qmskit.walk import folder_inside, walk

#: Fields a translation may word in its own language: the title, the page keys of MkDocs
#: and Material, and free text of a kind (a text `target` only: a number is controlled).
TRANSLATABLE = frozenset({
    "title", "description", "subtitle", "tags", "hide", "icon", "template", "search",
    "social", "comments", "render_macros", "horizon", "target", "unit", "no_action_reason",
})
#: Nested fields a translation may word in its own language.
TRANSLATABLE_NESTED = frozenset({("effectiveness", "evidence")})

_KEY = "translations"


@dataclass(frozen=True)
class Pending:
    """A translation found by the walk, waiting to be compared with its source."""

    path: str  # absolute
    relative: str
    language: str
    source: str  # the default-language file it translates, root-relative


@dataclass
class Translations:
    """Which files translate which document; empty for a QMS in one language.

    `by_id` maps a translated document's id to {language: path} (its default-language
    file included); `by_path` maps each of those paths to (document id, language).
    """

    languages: tuple[str, ...] = ()
    default: str = ""
    structure: str = "suffix"
    by_id: dict[str, dict[str, str]] = field(default_factory=dict)
    by_path: dict[str, tuple[str, str]] = field(default_factory=dict)

    def files(self, doc_id: str) -> dict[str, str]:
        """{language: path} of a document's translated versions (empty: none)."""
        return self.by_id.get(doc_id, {})

    def document_at(self, path: str) -> str | None:
        """The id of the document a file is a language version of (None: none known)."""
        found = self.by_path.get(path)
        return found[0] if found else None

    def add(self, doc: Doc, language: str, path: str) -> None:
        """Record `path` as the `language` version of `doc`."""
        versions = self.by_id.setdefault(doc.id, {self.default: doc.path})
        self.by_path.setdefault(doc.path, (doc.id, self.default))
        versions[language] = path
        self.by_path[path] = (doc.id, language)


def of(qms: Qms) -> Translations:
    """The translations of a loaded QMS (empty when it is in one language)."""
    return qms.derive(_KEY, Translations)


def language_of(relative: str, config: TranslationsConfig) -> tuple[str, str]:
    """(the path without its language, the language) of a root-relative file.

    `dir/X.de.md` -> (`dir/X.md`, `de`) with the suffix structure; `docs/de/X.md` ->
    (`docs/X.md`, `de`) with the folder structure. A file named in no language is in the
    default language.
    """
    default = config.default_language
    if config.structure == "suffix":
        folder, name = posixpath.split(relative)
        stem, dot, language = name[:-3].rpartition(".") if name.endswith(".md") else ("", "", "")
        if dot and stem and language in config.languages:
            return posixpath.join(folder, stem + ".md"), language
        return relative, default
    parts = relative.split("/")
    for index, part in enumerate(parts[:-1]):
        if part in config.languages:
            return "/".join(parts[:index] + parts[index + 1:]), part
    return relative, default


def _mirrors(root: Path, config: Config, translations: TranslationsConfig) -> list[str]:
    """Folders of the other languages beside QMS folders under the default language's
    folder (folder structure): `docs/de/qms` for `docs/en/qms`."""
    default = translations.default_language
    found: list[str] = []
    for folder in config.folders:
        parts = folder.strip("/").split("/")
        if default not in parts:
            continue
        index = parts.index(default)
        for language in translations.languages:
            if language == default:
                continue
            mirror = "/".join([*parts[:index], language, *parts[index + 1:]])
            covered = any(mirror == f.strip("/") or mirror.startswith(f.strip("/") + "/")
                          for f in config.folders)
            if not covered and folder_inside(root, mirror) is not None:
                found.append(mirror)
    return found


def history_folders(root: Path, config: Config) -> list[str]:
    """Folders outside the QMS folders that hold translations (folder structure), whose
    history dates outdated translations (C410); [] for a single-language QMS."""
    if config.translations is None or config.translations.structure != "folder":
        return []
    return _mirrors(root, config, config.translations)


def partition(root: Path, config: Config, items: Sequence[tuple[str, str]]
              ) -> tuple[list[tuple[str, str]], list[Pending]]:
    """Split the walked files into those loaded as documents and the translations.

    A file in another language whose default-language file exists is a translation; one
    without it stays with the documents (it exists in one language only). Without
    `[translations]` every file is loaded as before.
    """
    translations = config.translations
    if translations is None:
        return list(items), []
    default = translations.default_language
    mirrors = _mirrors(root, config, translations)
    extra = list(walk(root, mirrors, config.exclude, ".md")) if mirrors else []
    sources: dict[str, str] = {}
    others: list[tuple[str, str, str, str]] = []
    for path, relative in [*items, *extra]:
        neutral, language = language_of(relative, translations)
        if language == default:
            sources.setdefault(neutral, relative)
        else:
            others.append((path, relative, neutral, language))
    pending: list[Pending] = []
    alone: set[str] = set()
    for path, relative, neutral, language in others:
        source = sources.get(neutral)
        if source is None:
            alone.add(relative)
        else:
            pending.append(Pending(path, relative, language, source))
    taken = {p.relative for p in pending}
    kept = [item for item in items if item[1] not in taken]
    kept += [(path, relative) for path, relative in extra if relative in alone]
    return kept, pending


def _read(files: fs.Root, pending: Pending, max_size: int) -> FrontMatter | Finding:
    """The translation's front matter (positions kept), or a located D101."""
    try:
        raw = files.read(pending.path, max_size, pending.relative)
    except fs.PathError as error:
        return Finding(pending.relative, 1, 1, "D101", error.reason, hint=error.hint)
    if b"\0" in raw[:8192]:
        return Finding(pending.relative, 1, 1, "D101", "file is binary, not Markdown text",
                       hint="rename or remove it")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Finding(pending.relative, 1, 1, "D101", "file is not valid UTF-8",
                       hint="save the file as UTF-8")
    try:
        return parse(text, positions=True)
    except FrontMatterError as error:
        return Finding(pending.relative, error.line, error.col, "D101", error.message,
                       hint=error.hint)


def _value_at(model: object, path: tuple[str, ...]) -> Any:
    value = model
    for part in path:
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def _normalise(doc: Doc, path: tuple[str, ...], value: Any) -> Any:
    """`value` as the source's model reads it at `path` (raises ValidationError)."""
    data = copy.deepcopy(doc.model.model_dump(exclude_unset=True))
    target = data
    for part in path[:-1]:
        inner = target.get(part)
        if not isinstance(inner, dict):
            inner = target[part] = {}
        target = inner
    target[path[-1]] = value
    return _value_at(type(doc.model).model_validate(data), path)


def _shown(value: Any) -> str:
    if value is None:
        return "not set"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def compare(doc: Doc, translation: str, fm: FrontMatter, language: str) -> list[Finding]:
    """What a translation's front matter contradicts in its source document `doc`.

    Returns D110 (a controlled field that differs from the source), D102 (a field no
    document of that kind has) and C410 (a `version` older than the source's).
    """
    data = fm.data or {}
    model = type(doc.model)
    findings: list[Finding] = []

    def at(path: tuple[str, ...], code: str, message: str, hint: str,
           key: bool = False) -> None:
        table = fm.key_positions if key else fm.positions
        line, col = table.get(path) or fm.key_positions.get(path) or (1, 1)
        findings.append(Finding(translation, line, col, code, message, hint=hint,
                                doc_id=doc.id))

    def check(path: tuple[str, ...], value: Any) -> None:
        dotted = ".".join(path)
        ours = _value_at(doc.model, path)
        try:
            theirs = _normalise(doc, path, value)
        except ValidationError:
            at(path, "D110", f"{dotted} {_shown(value)} is not a valid value; the "
               f"{language} translation takes {dotted} from {doc.path} ({_shown(ours)})",
               f"remove '{dotted}' from the translation")
            return
        if theirs == ours:
            return
        if path == ("version",) and ours is not None and theirs is not None \
                and theirs < ours:
            at(path, "C410", f"translates version {theirs} of {doc.id}; {doc.path} is at "
               f"version {ours}", f"update the translation, then set its version to {ours}")
            return
        at(path, "D110", f"{dotted} {_shown(theirs)} contradicts {doc.path}, where it is "
           f"{_shown(ours)}", f"controlled fields come from {doc.path}: remove '{dotted}' "
           "here or make it the same")

    for key, value in data.items():
        numeric_target = key == "target" and not isinstance(
            getattr(doc.model, "target", ""), str)
        if not isinstance(key, str) or key.startswith("x-") or (
                key in TRANSLATABLE and not numeric_target):
            continue
        if key not in model.model_fields:
            close = difflib.get_close_matches(key, list(model.model_fields), 1)
            at((key,), "D102", f"unknown field '{key}' in the {language} translation",
               f"did you mean '{close[0]}'?" if close else "remove it or check the spelling",
               key=True)
        elif isinstance(value, dict) and key in ("review", "effectiveness"):
            for sub, inner in value.items():
                if (key, sub) not in TRANSLATABLE_NESTED:
                    check((key, str(sub)), inner)
        else:
            check((key,), value)
    return findings


@dataclass(frozen=True)
class SourceChange:
    """A commit that changed a source's content after its translation's last commit."""

    commit: str
    day: date


def outdated_by_history(qms: Qms, pairs: Sequence[tuple[str, str]]
                        ) -> dict[tuple[str, str], SourceChange]:
    """For (translation, source) path pairs: the first commit that changed the source's
    content on a day after the translation's last commit, where there is one.

    Content is what a review covers (C403, `qmskit.git.facts.content_of`): commits that
    change only stamp fields, and the commit that adds front matter to an existing page
    (the adoption baseline), do not count. A translation changed on the same day as its
    source counts as updated with it. It reads the QMS's one history (`Qms.history`, which
    the loader points at the translation folders too) and one `cat-file --batch`;
    nothing without usable history.
    """
    history = qms.history()
    reader = qms.git
    if not history.available or history.shallow or reader is None:
        return {}
    later: dict[tuple[str, str], list[tuple[Commit, str | None, str | None]]] = {}
    wanted: dict[str, None] = {}
    for translation, source in pairs:
        mine = history.of(translation)
        if not mine:
            continue
        changes = []
        for commit in history.of(source):
            if commit.day <= mine[0].day:
                continue
            before, after = history.blobs(commit, source)
            changes.append((commit, before, after))
            wanted.update({blob: None for blob in (before, after) if blob is not None})
        if changes:
            later[(translation, source)] = changes
    if not wanted:
        return {}
    try:
        blobs = dict(zip(wanted, reader.blobs(list(wanted)), strict=True))
    except QmsError:
        return {}

    def content(blob: str | None) -> Content | None:
        # None unless the file was a controlled document then (an `id`): the commit that
        # adds front matter to an existing page is the baseline, not a change.
        found = content_of(blobs.get(blob)) if blob is not None else None
        if found is None or found.matter is None:
            return None
        matter, _ = found.matter
        return found if isinstance(matter, dict) and "id" in matter else None

    found: dict[tuple[str, str], SourceChange] = {}
    for pair, changes in later.items():
        for commit, before, after in reversed(changes):  # oldest first: when it went stale
            old, new = content(before), content(after)
            if old is not None and (new is None or old.matter != new.matter):
                found[pair] = SourceChange(commit.sha, commit.day)
                break
    return found


def attach(qms: Qms, pending: Iterable[Pending], files: fs.Root, *, with_git: bool) -> None:
    """Compare each translation with its source and record the mapping on `qms`.

    Problems go to `qms.problems` (D101, D102, D110, C410), located in the translation
    and naming the source document's id. With `with_git`, translations that state no
    `version` are dated against their source's history (`outdated_by_history`).
    """
    config = qms.config.translations
    if config is None:
        return
    found = Translations(tuple(config.languages), config.default_language, config.structure)
    qms.derive(_KEY, lambda: found)
    docs = {doc.path: doc for doc in qms.documents.values()}
    broken = {f.path for f in qms.problems}
    undated: list[tuple[Pending, Doc]] = []
    for item in pending:
        read = _read(files, item, qms.config.max_file_size)
        if isinstance(read, Finding):
            doc = docs.get(item.source)
            qms.problems.append(Finding(read.path, read.line, read.col, read.code,
                                        read.message, hint=read.hint,
                                        doc_id=doc.id if doc else None))
            continue
        data = read.data or {}
        doc = docs.get(item.source)
        if doc is None:
            if "id" in data and item.source not in broken:
                line, col = read.positions.get(("id",), (1, 1))
                qms.problems.append(Finding(
                    item.relative, line, col, "D110",
                    f"the {item.language} translation declares id {data['id']}, but "
                    f"{item.source} is no controlled document",
                    hint=f"controlled fields come from the {config.default_language} file: "
                    f"move the front matter to {item.source}"))
            continue
        found.add(doc, item.language, item.relative)
        qms.problems.extend(compare(doc, item.relative, read, item.language))
        if "version" not in data:
            undated.append((item, doc))
    if with_git and undated:
        changes = outdated_by_history(qms, [(item.relative, doc.path) for item, doc in undated])
        for item, doc in undated:
            change = changes.get((item.relative, doc.path))
            if change is not None:
                qms.problems.append(Finding(
                    item.relative, 1, 1, "C410",
                    f"{doc.path} changed on {change.day} (commit {change.commit[:9]}), after "
                    f"this {item.language} translation was last changed",
                    hint="update the translation (and give it the source's version to say "
                    "which one it translates)", doc_id=doc.id))
