"""Bringing qmskit into an existing MkDocs handbook: what `qmskit adopt` reads and changes.

Pure functions from file texts to facts and new texts; the command reads and writes the
files (through `qmskit.fs`). Every change to a file the team owns is a splice into its
text at a place ruamel.yaml's composer locates, so comments, key order, quoting and
indentation stay byte for byte, and it is verified: the changed file must load back as
the original data plus exactly the intended addition, or nothing is written.

Also here: how an adoption commit is recognised (`is_adoption_commit`), so that the
commit that brings years of pages under control does not read as a burst of activity in
`qmskit health` (and, in the same spirit, is a baseline for C403).
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from qmskit.errors import QmsError
from qmskit.model.frontmatter import FrontMatterError, parse

#: Plugins that rewrite the finished HTML; qmskit goes before them in `plugins:`.
POST_PROCESSORS = ("minify", "optimize", "privacy", "offline")
#: Where a plugin of mkdocs.yml is installed from (for the CI workflow). Material's own
#: plugins and MkDocs' come with qmskit (it depends on mkdocs-material).
PLUGIN_PACKAGES: dict[str, str] = {
    "i18n": "mkdocs-static-i18n", "minify": "mkdocs-minify-plugin",
    "macros": "mkdocs-macros-plugin", "awesome-nav": "mkdocs-awesome-nav",
    "awesome-pages": "mkdocs-awesome-pages-plugin",
    "git-revision-date-localized": "mkdocs-git-revision-date-localized-plugin",
    "git-authors": "mkdocs-git-authors-plugin", "glightbox": "mkdocs-glightbox",
    "redirects": "mkdocs-redirects", "mermaid2": "mkdocs-mermaid2-plugin",
    "include-markdown": "mkdocs-include-markdown-plugin",
    "section-index": "mkdocs-section-index", "literate-nav": "mkdocs-literate-nav",
    "gen-files": "mkdocs-gen-files", "table-reader": "mkdocs-table-reader-plugin",
    "exclude": "mkdocs-exclude", "mkdocstrings": "mkdocstrings[python]",
    "drawio": "mkdocs-drawio", "pdf-export": "mkdocs-pdf-export-plugin",
}
BUILT_IN_PLUGINS = frozenset({
    "search", "tags", "blog", "social", "privacy", "offline", "info", "optimize", "group",
    "meta", "projects", "typeset", "print-site", "qmskit",
})
#: Files a team keeps the documentation's requirements in (the CI workflow installs it).
REQUIREMENT_FILES = ("docs/requirements.txt", "requirements-docs.txt", "docs-requirements.txt",
                     "requirements/docs.txt", "requirements.txt")


class AdoptError(QmsError):
    """A file `qmskit adopt` cannot change safely; the message says what to do by hand."""


class _Loader(yaml.SafeLoader):
    """Safe YAML that reads any tag (`!ENV`, `!!python/name:...`, `!relative`) as its
    plain value: nothing is constructed or imported, the data can be compared."""


def _untagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return f"!{suffix}:{loader.construct_scalar(node)}"
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    assert isinstance(node, yaml.MappingNode)
    return loader.construct_mapping(node, deep=True)


_Loader.add_multi_constructor("!", _untagged)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _untagged)


#: A configuration file with more values than this (aliases counted as often as they are
#: used) is refused: an alias bomb must not make a comparison run for hours.
MAX_YAML_NODES = 200_000


def _size(node: yaml.Node, budget: list[int]) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        return
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _size(item, budget)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _size(key, budget)
            _size(value, budget)


def load_yaml(text: str, where: str) -> Any:
    """The data of a YAML file such as mkdocs.yml (tags read as plain values; bounded)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        budget = [MAX_YAML_NODES]
        _size(node, budget)
        if budget[0] < 0:
            raise AdoptError(f"{where}: more than {MAX_YAML_NODES:,} values (aliases "
                             "included); qmskit adopt does not edit it, do it by hand")
        return loader.construct_document(node)
    except yaml.YAMLError as error:
        raise AdoptError(f"{where}: not valid YAML ({error}); fix it first") from None
    except RecursionError:
        raise AdoptError(f"{where}: nested too deeply; qmskit adopt does not edit it, do it "
                         "by hand") from None
    finally:
        loader.dispose()


@dataclass(frozen=True)
class I18n:
    """mkdocs-static-i18n's settings: the structure and the languages, default first."""

    structure: str
    languages: tuple[str, ...]

    @property
    def default(self) -> str:
        """The default language."""
        return self.languages[0]


@dataclass(frozen=True)
class Site:
    """What qmskit needs to know about a MkDocs site."""

    docs_dir: str
    plugins: tuple[str, ...]
    i18n: I18n | None
    has_nav: bool
    inherits: bool


def plugin_name(entry: Any) -> str | None:
    """The name of a `plugins:` entry (`search`, or the key of `{i18n: {...}}`)."""
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict) and len(entry) == 1:
        name = next(iter(entry))
        return name if isinstance(name, str) else None
    return None


def _plugins(data: dict[str, Any]) -> list[Any]:
    plugins = data.get("plugins")
    if isinstance(plugins, dict):  # the mapping form: {search: {}, i18n: {...}}
        return [{k: v} for k, v in plugins.items()]
    return list(plugins) if isinstance(plugins, list) else []


def read_site(text: str, where: str) -> Site:
    """The docs folder, plugins and i18n setup of a mkdocs.yml."""
    data = load_yaml(text, where)
    if not isinstance(data, dict):
        raise AdoptError(f"{where}: not a MkDocs configuration (a mapping of settings)")
    entries = _plugins(data)
    names = tuple(n for n in (plugin_name(e) for e in entries) if n)
    i18n = None
    for entry in entries:
        if plugin_name(entry) == "i18n" and isinstance(entry, dict):
            options = entry["i18n"] or {}
            languages: list[str] = []
            default: str | None = None
            for language in options.get("languages") or []:
                if isinstance(language, dict) and isinstance(language.get("locale"), str):
                    languages.append(language["locale"])
                    if language.get("default") is True:
                        default = language["locale"]
            if languages:
                first = default or languages[0]
                ordered = (first, *[lang for lang in languages if lang != first])
                i18n = I18n(str(options.get("docs_structure") or "suffix"), ordered)
    docs_dir = data.get("docs_dir") or "docs"
    if not isinstance(docs_dir, str):
        raise AdoptError(f"{where}: docs_dir must be a folder name")
    return Site(docs_dir.strip("/") or "docs", names, i18n, "nav" in data, "INHERIT" in data)


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    if index > 0 and text[index - 1] == "\n":
        return index
    newline = text.find("\n", index)
    return len(text) if newline < 0 else newline + 1


def _content_end(node: Any) -> int:
    """Index just after the last real content of a node (not comments or blank lines)."""
    kind = type(node).__name__
    if kind == "ScalarNode" or getattr(node, "flow_style", False) or not node.value:
        return int(node.end_mark.index)
    last = node.value[-1]
    if isinstance(last, tuple):
        return _content_end(last[1]) if last[1].end_mark.index > last[1].start_mark.index \
            else int(last[0].end_mark.index) + 1
    return _content_end(last)


def _item_prefix(text: str, item: Any, where: str) -> str:
    """`  - ` before a block sequence item, as the author wrote it."""
    start = _line_start(text, item.start_mark.index)
    prefix = text[start:item.start_mark.index]
    if not re.fullmatch(r"[ \t]*-[ \t]+", prefix):
        raise AdoptError(f"{where}: an item of the list is not on a '- ' line of its own; "
                         "edit the file by hand")
    return prefix


def _compose(text: str, where: str) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        return YAML(typ="rt").compose(text)
    except YAMLError as error:  # pragma: no cover - load_yaml has read it already
        raise AdoptError(f"{where}: not valid YAML ({error})") from None


def _top(root: Any, key: str) -> tuple[Any, Any] | None:
    if root is None or type(root).__name__ != "MappingNode":
        return None
    for key_node, value_node in root.value:
        if getattr(key_node, "value", None) == key:
            return key_node, value_node
    return None


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def add_plugin(text: str, where: str, name: str = "qmskit") -> tuple[str, str]:
    """mkdocs.yml with `name` in `plugins:`, and where it went (`after i18n, before
    minify`); the text unchanged (and "already there") when it is listed.

    It goes before the first plugin that rewrites finished pages (minify and the like),
    else last. Without `plugins:` MkDocs runs `search` alone, so `plugins: [search,
    qmskit]` is added, to keep search.
    """
    data = load_yaml(text, where)
    if not isinstance(data, dict):
        raise AdoptError(f"{where}: not a MkDocs configuration (a mapping of settings)")
    entries = _plugins(data)
    names = [plugin_name(e) for e in entries]
    if name in names:
        return text, "already there"
    newline = _newline(text)
    found = _top(_compose(text, where), "plugins")
    before = next((i for i, n in enumerate(names) if n in POST_PROCESSORS), None)
    if found is None:
        if data.get("INHERIT"):
            raise AdoptError(f"{where}: its plugins come from INHERIT; add `- {name}` to the "
                             "plugins there by hand")
        separator = "" if not text or text.endswith("\n") else newline
        new = (text + separator + f"plugins:{newline}  - search{newline}  - {name}{newline}")
        expected_plugins: Any = ["search", name]
        place = "as plugins: [search, qmskit] (MkDocs' default was search alone)"
    else:
        node = found[1]
        kind = type(node).__name__
        if kind != "SequenceNode" or not node.value:
            raise AdoptError(f"{where}: `plugins:` is not a list of plugins; add `- {name}` "
                             "to it by hand")
        items = node.value
        if node.flow_style:
            if before is not None:
                at = items[before].start_mark.index
                new = text[:at] + f"{name}, " + text[at:]
            else:
                at = _content_end(items[-1])
                new = text[:at] + f", {name}" + text[at:]
        elif before is not None:
            start = _line_start(text, items[before].start_mark.index)
            new = (text[:start] + _item_prefix(text, items[before], where) + name + newline
                   + text[start:])
        else:
            prefix = _item_prefix(text, items[-1], where)
            at = _line_end(text, _content_end(items[-1]))
            lead = newline if at == len(text) and not text.endswith("\n") else ""
            new = text[:at] + lead + prefix + name + newline + text[at:]
        expected_plugins = copy.deepcopy(data["plugins"])
        expected_plugins.insert(len(items) if before is None else before, name)
        after = f"after {names[before - 1 if before is not None else -1]}" \
            if (before is None or before > 0) else "first"
        place = after + (f", before {names[before]}" if before is not None else "")
    expected = copy.deepcopy(data)
    expected["plugins"] = expected_plugins
    if load_yaml(new, where) != expected:
        raise AdoptError(f"{where}: adding `{name}` to the plugins would change more than "
                         f"that; add `- {name}` to `plugins:` by hand")
    return new, place


def toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)


def config_text(site: Site, folders: Sequence[str],
                excluded: Sequence[tuple[str, str]]) -> str:
    """The qmskit.toml `qmskit adopt` writes: folders, exclusions (each with its reason)
    and, for an i18n site, the translations."""
    lines = [
        "# qmskit: the quality management system in this handbook, written by `qmskit adopt`",
        "# (README: \"Adopting qmskit in an existing handbook\"). A page becomes a controlled",
        "# document once its front matter has an `id` and a `kind` (see `qmskit import` for",
        "# the registers kept as tables); every other page stays a plain page.",
        f"folders = [{', '.join(toml_string(f) for f in folders)}]",
    ]
    if excluded:
        lines.append("# Pages whose front matter qmskit cannot use, kept out of the check:")
        lines.append("exclude = [")
        for path, reason in excluded:
            lines.append(f"  {toml_string(path)},  # {' '.join(reason.split())}")
        lines.append("]")
    text = "\n".join(lines) + "\n"
    if site.i18n is not None:
        text += "\n" + translations_table(site.i18n)
    tomllib.loads(text)  # the writer's own check: never write a config that cannot load
    return text


def translations_table(i18n: I18n) -> str:
    """The `[translations]` table for an i18n site, with a comment saying what it means."""
    example = ("X.{0}.md is the {0} translation of X.md" if i18n.structure == "suffix"
               else "{0}/X.md is the {0} translation of {1}/X.md")
    lines = [
        f"# mkdocs-static-i18n (docs_structure: {i18n.structure}): "
        + example.format(i18n.languages[-1], i18n.default) + ",",
        "# the same document: owner, status, version and review come from the "
        f"{i18n.default} file.",
        "[translations]",
        f"languages = [{', '.join(toml_string(lang) for lang in i18n.languages)}]",
        f"default = {toml_string(i18n.default)}",
        f"structure = {toml_string(i18n.structure)}",
    ]
    return "\n".join(lines) + "\n"


def workflow_requirements(site: Site, requirement_file: str | None
                          ) -> tuple[list[str], list[str]]:
    """What the CI workflow installs beside qmskit to build the site (pip arguments), and
    the plugins it cannot name a package for."""
    if requirement_file is not None:
        return ["-r", requirement_file], []
    packages: list[str] = []
    unknown: list[str] = []
    for name in site.plugins:
        bare = name.removeprefix("material/")
        if bare in BUILT_IN_PLUGINS:
            continue
        if bare in PLUGIN_PACKAGES:
            packages.append(PLUGIN_PACKAGES[bare])
        else:
            unknown.append(name)
    return packages, unknown


def _hook_ids(data: Any) -> set[str]:
    ids: set[str] = set()
    for repo in (data or {}).get("repos") or [] if isinstance(data, dict) else []:
        for hook in (repo or {}).get("hooks") or [] if isinstance(repo, dict) else []:
            if isinstance(hook, dict) and isinstance(hook.get("id"), str):
                ids.add(hook["id"])
    return ids


def merge_precommit(existing: str, ours: str, where: str) -> str | None:
    """`existing` .pre-commit-config.yaml with qmskit's repos appended to `repos:`, or
    None when it already runs qmskit's hooks."""
    data = load_yaml(existing, where)
    if any(hook.startswith("qmskit") for hook in _hook_ids(data)):
        return None
    mine = load_yaml(ours, "qmskit's pre-commit config")
    found = _top(_compose(existing, where), "repos")
    if not isinstance(data, dict) or found is None or type(found[1]).__name__ != "SequenceNode" \
            or found[1].flow_style or not found[1].value:
        raise AdoptError(f"{where}: `repos:` is not a block list; add qmskit's hooks by hand:"
                         f"\n{ours}")
    newline = _newline(existing)
    items = found[1].value
    prefix = _item_prefix(existing, items[-1], where)
    body = ours.split("\nrepos:\n", 1)[1]
    lines = []
    for line in body.splitlines():
        if line.startswith("  - "):
            lines.append(prefix + line[4:])
        elif line.startswith("    "):
            lines.append(" " * len(prefix) + line[4:])
        elif line.strip():
            lines.append(line)
    at = _line_end(existing, _content_end(items[-1]))
    lead = newline if at == len(existing) and not existing.endswith("\n") else ""
    merged = existing[:at] + lead + newline.join(lines) + newline + existing[at:]
    expected = copy.deepcopy(data)
    expected["repos"] = [*data["repos"], *mine["repos"]]
    if load_yaml(merged, where) != expected:
        raise AdoptError(f"{where}: adding qmskit's hooks would change more than that; add "
                         f"them by hand:\n{ours}")
    return merged


# ------------------------------------------------------------------ adoption commits


def _front(text: bytes | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        data = parse(text.decode("utf-8", "replace").removeprefix("\ufeff"),
                     positions=False).data
    except FrontMatterError:
        return None
    return data if isinstance(data, dict) else None


def _controlled(text: bytes | None) -> bool:
    front = _front(text)
    return front is not None and "id" in front


def _has_block(text: bytes | None) -> bool:
    return text is not None and b"<!-- qmskit:table" in text


def is_adoption_commit(changes: Iterable[tuple[str, bytes | None, bytes | None]]) -> bool:
    """True for a commit that brings existing pages under qmskit, rather than work on
    the QMS: `changes` are (path, file before, file after; None = absent) for the QMS
    files it touched.

    It is one when at least one page that existed before gains qmskit front matter (an
    `id`) or a `qmskit:table` block (a register imported out of its table), and no
    controlled document that existed before it is changed or removed. Records created
    in the same commit (`qmskit import`) are part of the adoption. A commit that adds a
    new procedure, or edits one, is work on the system and counts as activity.
    """
    gained = False
    for _path, before, after in changes:
        if _controlled(before):
            return False
        if before is not None and (_controlled(after) or (_has_block(after)
                                                          and not _has_block(before))):
            gained = True
    return gained
