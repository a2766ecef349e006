"""Write the whole handbook as a plain docs tree plus a builder config (`qmskit pages`).

`OUT/docs/` receives every page the MkDocs plugin would publish (the files
`site_sources` lists: docs_dir and the QMS folders outside it, `exclude` honoured,
documents rendered with their panels, and the generated pages), and `OUT/mkdocs.yml` the
project's own config pointed at it, with the qmskit plugin removed (its work is done),
the nav and stylesheet set, and settings that name files beside the source mkdocs.yml
(hooks, theme overrides) pointing back at them. Any MkDocs-compatible builder, Zensical
included, builds it with no qmskit installed. `qmskit.site.publish` decides whether and
where the tree may be written.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from qmskit.errors import QmsError
from qmskit.site import generate, render_page
from qmskit.site.assets import CSS_PATH
from qmskit.site.context import SiteContext
from qmskit.site.nav import add_system_section, build_nav
from qmskit.site.sources import site_sources

_FRONT_MATTER = re.compile(r"\A(---[ \t]*\r?\n.*?\r?\n)(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)


@dataclass(frozen=True)
class Tagged:
    """A YAML value with an application tag (`!ENV`, `!!python/name:...`), kept as is."""

    tag: str
    value: Any


class _Loader(yaml.SafeLoader):
    """Safe loading that keeps unknown tags instead of failing or executing them."""


def _tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Tagged:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        assert isinstance(node, yaml.MappingNode)
        value = loader.construct_mapping(node, deep=True)
    return Tagged(node.tag, value)


_Loader.add_multi_constructor("!", _tagged)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _tagged)


class _Dumper(yaml.SafeDumper):
    """Writes `Tagged` values back with their tag."""


def _represent_tagged(dumper: yaml.SafeDumper, data: Tagged) -> yaml.Node:
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    return dumper.represent_scalar(data.tag, str(data.value))


_Dumper.add_representer(Tagged, _represent_tagged)


def read_builder_config(path: Path) -> dict[str, Any]:
    """An mkdocs.yml as data, unknown tags preserved; a QmsError if it is unreadable."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, yaml.YAMLError) as error:
        raise QmsError(f"{path}: cannot read the MkDocs config: {error}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise QmsError(f"{path}: the MkDocs config must be a mapping")
    return data


def _without_qmskit(plugins: Any) -> list[Any]:
    kept: list[Any] = []
    for entry in plugins if isinstance(plugins, list) else [plugins]:
        name = entry if isinstance(entry, str) else next(iter(entry), None) \
            if isinstance(entry, dict) else None
        if name != "qmskit":
            kept.append(entry)
    return kept


def _plugin_section(config: dict[str, Any]) -> str:
    for entry in config.get("plugins") or []:
        if isinstance(entry, dict) and isinstance(entry.get("qmskit"), dict):
            section = entry["qmskit"].get("section")
            if isinstance(section, str) and section.strip("/"):
                return section.strip("/")
    return "system"


def layout_options(config: dict[str, Any], fallback_docs_dir: str) -> tuple[str, bool, str]:
    """(docs_dir, use_directory_urls, section) as the MkDocs build would use them."""
    docs_dir = config.get("docs_dir", fallback_docs_dir)
    if not isinstance(docs_dir, str):
        docs_dir = fallback_docs_dir
    return (docs_dir.rstrip("/") or ".", bool(config.get("use_directory_urls", True)),
            _plugin_section(config))


def _split(text: str) -> tuple[str, str]:
    match = _FRONT_MATTER.match(text)
    if match is None:
        return "", text
    return text[: match.end()], text[match.end():]


#: Settings whose paths MkDocs reads relative to the folder of mkdocs.yml (hooks, the
#: theme's overrides, the parent config, watched folders). `extra_css`,
#: `extra_javascript`, `theme.logo`/`favicon` and `extra_templates` name files inside
#: docs_dir, which is copied, so they stay as they are.
_CONFIG_DIR_LISTS = ("hooks", "watch")
_SNIPPETS = "pymdownx.snippets"


def _absolute(value: Any, config_dir: Path) -> Any:
    if isinstance(value, str) and value and "://" not in value:
        return os.path.normpath(os.path.join(config_dir, value))  # noqa: PTH118
    return value


def _relative_tags(value: Any, config_dir: Path) -> Any:
    """`!relative $config_dir/...` resolved now: OUT's config folder is not the source's."""
    if isinstance(value, Tagged):
        if value.tag == "!relative" and isinstance(value.value, str) \
                and value.value.startswith("$config_dir"):
            rest = value.value[len("$config_dir"):].lstrip("/")
            return os.path.normpath(os.path.join(config_dir, rest))  # noqa: PTH118
        return Tagged(value.tag, _relative_tags(value.value, config_dir))
    if isinstance(value, dict):
        return {key: _relative_tags(item, config_dir) for key, item in value.items()}
    if isinstance(value, list):
        return [_relative_tags(item, config_dir) for item in value]
    return value


def _snippets(extensions: Any, config_dir: Path) -> Any:
    """pymdownx.snippets reads `base_path` relative to the working folder of the build,
    which for the source is the folder of mkdocs.yml: name it absolutely."""
    def options(current: Any) -> Any:
        if not isinstance(current, dict) and current is not None:
            return current
        current = dict(current or {})
        paths = current.get("base_path", ["."])
        many = paths if isinstance(paths, list) else [paths]
        current["base_path"] = [_absolute(p, config_dir) for p in many]
        return current

    if isinstance(extensions, dict):
        return {name: options(value) if name == _SNIPPETS else value
                for name, value in extensions.items()}
    if not isinstance(extensions, list):
        return extensions
    kept: list[Any] = []
    for entry in extensions:
        if entry == _SNIPPETS:
            entry = {_SNIPPETS: options(None)}
        elif isinstance(entry, dict) and _SNIPPETS in entry:
            entry = {**entry, _SNIPPETS: options(entry[_SNIPPETS])}
        kept.append(entry)
    return kept


def point_back(config: dict[str, Any], config_dir: Path) -> dict[str, Any]:
    """The builder config with every setting that names a file beside mkdocs.yml (not in
    docs_dir) pointing back at the source, so that `mkdocs build -f OUT/mkdocs.yml` finds
    the hooks, theme overrides, parent config and snippets the source build uses.

    The files are referenced, not copied: a hook imports modules from its own folder and
    a theme's overrides include partials from theirs, so only the original place keeps
    them working. qmskit reads none of them.
    """
    config = _relative_tags(config, config_dir)
    for key in _CONFIG_DIR_LISTS:
        if isinstance(config.get(key), list):
            config[key] = [_absolute(item, config_dir) for item in config[key]]
    if isinstance(config.get("INHERIT"), str):
        config["INHERIT"] = _absolute(config["INHERIT"], config_dir)
    theme = config.get("theme")
    if isinstance(theme, dict) and isinstance(theme.get("custom_dir"), str):
        config["theme"] = {**theme, "custom_dir": _absolute(theme["custom_dir"], config_dir)}
    if "markdown_extensions" in config:
        config["markdown_extensions"] = _snippets(config["markdown_extensions"], config_dir)
    return config


def dump_builder_config(path: Path, config: dict[str, Any], header: str) -> None:
    """Write a builder config, application tags (`!ENV`) kept as they were read."""
    path.write_text(header + yaml.dump(config, Dumper=_Dumper, sort_keys=False,
                                       allow_unicode=True), encoding="utf-8")


def write_tree(ctx: SiteContext, out: Path, builder_config: dict[str, Any],
               config_dir: Path) -> list[str]:
    """Write OUT/docs and OUT/mkdocs.yml; returns the docs-relative paths written.

    `config_dir` is the folder of the mkdocs.yml that `builder_config` was read from:
    paths there are relative to it.
    """
    qms = ctx.qms
    docs = out / "docs"
    written: list[str] = []
    sources = site_sources(qms.root, ctx.layout.docs_dir, qms.config.folders,
                           qms.config.exclude)
    for source in sources.files:
        src = source.src
        target = docs / src
        target.parent.mkdir(parents=True, exist_ok=True)
        if not src.endswith(".md"):
            shutil.copyfile(source.path, target)
            written.append(src)
            continue
        doc = ctx.doc_at.get(src)
        if doc is not None:
            # The panel shows the metadata; keep only the title, so builders do not read
            # `status` as their own badge. MkDocs and Zensical put a front-matter title
            # into the nav and <title> unescaped, so it is written HTML-escaped (as JSON,
            # which is valid YAML for any text).
            title = json.dumps(html.escape(doc.title, quote=False))
            front, body = f"---\ntitle: {title}\n---\n", doc.body
        else:
            front, body = _split(Path(source.path).read_text(encoding="utf-8-sig"))
        target.write_text(front + render_page(ctx, src, body), encoding="utf-8")
        written.append(src)
    for src, content in generate(ctx).items():
        if src in written:
            raise QmsError(f"{src}: a generated page would replace a file of the same name; "
                           "choose another section in the qmskit plugin options")
        target = docs / src
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        written.append(src)
    config = point_back(dict(builder_config), config_dir)
    config.setdefault("site_name", "Quality handbook")
    config["docs_dir"] = "docs"
    config["site_dir"] = "site"
    if "plugins" in config:
        config["plugins"] = _without_qmskit(config["plugins"])
    extra_css = list(config.get("extra_css") or [])
    if CSS_PATH not in extra_css:
        extra_css.append(CSS_PATH)
    config["extra_css"] = extra_css
    pages = [src for src in written if src.endswith(".md")]
    config["nav"] = (add_system_section(ctx, config["nav"]) if config.get("nav")
                     else build_nav(ctx, pages))
    dump_builder_config(
        out / "mkdocs.yml", config,
        "# Written by `qmskit pages`: the handbook as plain Markdown for any MkDocs-\n"
        "# compatible builder (mkdocs build, zensical build). Regenerate, do not edit.\n")
    return written
