"""Split a Markdown file into YAML front matter and body, keeping the position of every value.

This is the hot path of `qmskit check`: it runs once per file. It uses libyaml (PyYAML's
C binding) with the *safe* constructor, which is several times faster than ruamel.yaml's
loaders; ruamel.yaml stays in charge of format-preserving edits. Positions come from the
composed node tree, so findings can point at the exact line and column of a value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

try:  # pragma: no cover - depends on how PyYAML was built
    # The *base* loader composes nodes without resolving implicit types; we resolve only
    # plain value scalars ourselves (keys are names), which halves the Python work per
    # node. Values still come out exactly as `yaml.safe_load` would give them.
    from yaml import CBaseLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import BaseLoader as _Loader  # type: ignore[assignment]

_IMPLICIT = yaml.resolver.Resolver.yaml_implicit_resolvers
_SAFE = yaml.constructor.SafeConstructor()

KeyPath = tuple[str | int, ...]
Position = tuple[int, int]

#: Alias expansion and nesting beyond this many nodes is refused: a "billion laughs"
#: front matter must cost bounded time and memory, and no real document comes close.
MAX_NODES = 20_000
MAX_DEPTH = 64

_CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
_OPENING = re.compile(r"---[ \t]*\r?\n")
_ID_LINE = re.compile(r"^id:[ \t]*['\"]?([A-Za-z0-9_-]+)", re.MULTILINE)


class LocatedError(Exception):
    """Text that cannot be read, with a 1-based position (line, column) in its file and
    an optional hint: what every parser of the model raises, so that the loader turns
    each one into a `file:line:col: CODE message` finding the same way."""

    def __init__(self, line: int, col: int, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.line = line
        self.col = col
        self.message = message
        self.hint = hint


class FrontMatterError(LocatedError):
    """Front matter that cannot be read, with a 1-based position in the file."""


@dataclass
class FrontMatter:
    """A parsed document: `data` is None for a page without front matter."""

    data: dict[str, Any] | None
    body: str | None
    body_line: int
    has_positions: bool = True
    positions: dict[KeyPath, Position] = field(default_factory=dict)
    key_positions: dict[KeyPath, Position] = field(default_factory=dict)
    duplicate_keys: list[tuple[KeyPath, Position]] = field(default_factory=list)


def guess_id(text: str) -> str | None:
    """The id a broken file probably declares, so links to it are not reported as dangling."""
    match = _ID_LINE.search(text)
    return match.group(1) if match else None


def parse(text: str, *, positions: bool = True) -> FrontMatter:
    """Parse `text` (already decoded, BOM removed); raise FrontMatterError when it is broken.

    With `positions=False` no line/column is recorded: the loader's fast path, since only
    the few documents with findings ever need positions (they are re-parsed on demand).
    """
    opening = _OPENING.match(text)
    if opening is None:
        return FrontMatter(None, text, 1)
    start = opening.end()
    closing = _CLOSING.search(text, start)
    if closing is None:
        raise FrontMatterError(
            1, 1, "front matter opened on line 1 is never closed",
            "end the front matter with a line containing only '---'",
        )
    yaml_text = text[start : closing.start()]
    after = closing.end()
    body_line = text.count("\n", 0, after) + 2
    body = text[after + 1 :] if after < len(text) else ""
    if not yaml_text.strip():
        return FrontMatter(None, body, body_line)
    result = FrontMatter(None, body, body_line, has_positions=positions)
    result.data = _load(yaml_text, result)
    return result


def _load(yaml_text: str, result: FrontMatter) -> dict[str, Any] | None:
    loader = _Loader(yaml_text)
    try:
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            data = _Builder(result).build(node, ())
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, col = (mark.line + 2, mark.column + 1) if mark else (2, 1)
        problem = error.problem or error.context or "invalid YAML"
        raise FrontMatterError(line, col, f"YAML syntax error: {problem}") from None
    except yaml.YAMLError as error:
        raise FrontMatterError(2, 1, f"YAML error: {error}") from None
    except RecursionError:
        raise FrontMatterError(2, 1, "front matter is nested too deeply") from None
    if not isinstance(data, dict):
        raise FrontMatterError(
            2, 1, f"front matter must be a mapping of fields, not a {type(data).__name__}",
            "write one 'field: value' per line",
        )
    return data


_STR_TAG = "tag:yaml.org,2002:str"
_INT_TAG = "tag:yaml.org,2002:int"
_NULL_TAG = "tag:yaml.org,2002:null"
#: Top-level keys whose plain scalars keep their spelling unless they are a plain decimal
#: integer: versions are labels as often as numbers (`1.0`, `1.10`, `2.3`).
_SPELLED: frozenset[KeyPath] = frozenset({("version",), ("approved_version",)})
_PLAIN_INT = re.compile(r"0|[1-9][0-9]*")
_MERGE_TAG = "tag:yaml.org,2002:merge"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"


class _Builder:
    """Builds Python values from the composed node tree and records every position.

    One pass instead of PyYAML's construct pass plus a separate position walk: this is
    the hottest loop of a check. Scalars go through PyYAML's own safe constructors, so
    values (dates, numbers, booleans) are exactly what `yaml.safe_load` would give. Node
    counting bounds alias expansion ("billion laughs") and nesting depth.
    """

    def __init__(self, result: FrontMatter) -> None:
        self.result = result
        self.track = result.has_positions
        self.count = 0

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        self.count += 1
        mark = node.start_mark
        if self.count > MAX_NODES or len(path) > MAX_DEPTH:
            raise FrontMatterError(
                mark.line + 2, mark.column + 1,
                "front matter is too large or too deeply nested (aliases included)",
                f"keep it under {MAX_NODES} values and {MAX_DEPTH} levels",
            )
        if self.track:
            self.result.positions[path] = (mark.line + 2, mark.column + 1)
        if isinstance(node, yaml.ScalarNode):
            tag = node.tag
            value = node.value
            if tag == _STR_TAG:
                if node.style:  # quoted or block scalar; plain is '' (libyaml) or None
                    return value
                for implicit_tag, pattern in _IMPLICIT.get(value[:1], ()):
                    if pattern.match(value):
                        tag = implicit_tag
                        break
                else:
                    return value
                if path in _SPELLED and tag != _NULL_TAG and not (
                        tag == _INT_TAG and _PLAIN_INT.fullmatch(value)):
                    # A version keeps its spelling: `1.0` is the label "1.0", not the
                    # float 1.0 (which would print, compare and bump as 1).
                    return value
            construct = _SAFE.yaml_constructors.get(tag)
            if construct is None:
                raise FrontMatterError(mark.line + 2, mark.column + 1,
                                       f"unsupported YAML tag {tag}")
            try:
                return construct(_SAFE, node)
            except (ValueError, TypeError, OverflowError) as error:
                # e.g. `2026-13-45` matches YAML's timestamp pattern but is no date.
                raise FrontMatterError(mark.line + 2, mark.column + 1,
                                       f"invalid {tag.rsplit(':', 1)[-1]} value {value!r}: "
                                       f"{error}", "quote it to keep it as text") from None
        if node.tag not in (_SEQ_TAG, _MAP_TAG):
            raise FrontMatterError(mark.line + 2, mark.column + 1,
                                   f"unsupported YAML tag {node.tag}")
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        if not isinstance(node, yaml.MappingNode):  # pragma: no cover - no other node types
            raise FrontMatterError(mark.line + 2, mark.column + 1, "unsupported YAML node")
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                key_mark = key_node.start_mark
                raise FrontMatterError(key_mark.line + 2, key_mark.column + 1,
                                       "front matter keys must be plain names",
                                       "merge keys (<<) and complex keys are not supported")
            key = key_node.value
            if key in mapping or self.track:
                key_mark = key_node.start_mark
                key_pos = (key_mark.line + 2, key_mark.column + 1)
                if key in mapping:
                    self.result.duplicate_keys.append(((*path, key), key_pos))
                if self.track:
                    self.result.key_positions[(*path, key)] = key_pos
            mapping[key] = self.build(value_node, (*path, key))
        return mapping
