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
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

KeyPath = tuple[str | int, ...]
Position = tuple[int, int]

#: Alias expansion and nesting beyond this many nodes is refused: a "billion laughs"
#: front matter must cost bounded time and memory, and no real document comes close.
MAX_NODES = 20_000
MAX_DEPTH = 64

_CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
_OPENING = re.compile(r"---[ \t]*\r?\n")
_ID_LINE = re.compile(r"^id:[ \t]*['\"]?([A-Za-z0-9_-]+)", re.MULTILINE)


class FrontMatterError(Exception):
    """Front matter that cannot be read, with a 1-based position in the file."""

    def __init__(self, line: int, col: int, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.line = line
        self.col = col
        self.message = message
        self.hint = hint


@dataclass
class FrontMatter:
    """A parsed document: `data` is None for a page without front matter."""

    data: dict[str, Any] | None
    body: str
    body_line: int
    positions: dict[KeyPath, Position] = field(default_factory=dict)
    key_positions: dict[KeyPath, Position] = field(default_factory=dict)
    duplicate_keys: list[tuple[KeyPath, Position]] = field(default_factory=list)


def guess_id(text: str) -> str | None:
    """The id a broken file probably declares, so links to it are not reported as dangling."""
    match = _ID_LINE.search(text)
    return match.group(1) if match else None


def parse(text: str) -> FrontMatter:
    """Parse `text` (already decoded, BOM removed); raise FrontMatterError when it is broken."""
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
    result = FrontMatter(None, body, body_line)
    result.data = _load(yaml_text, result)
    return result


def _load(yaml_text: str, result: FrontMatter) -> dict[str, Any] | None:
    loader = _Loader(yaml_text)
    try:
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            _Walker(result).walk(node, ())
            data = loader.construct_document(node)
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
    if not all(isinstance(key, str) for key in data):
        raise FrontMatterError(2, 1, "front matter keys must be strings")
    return data


class _Walker:
    """Records positions of keys and values; counts nodes to refuse alias bombs early."""

    def __init__(self, result: FrontMatter) -> None:
        self.result = result
        self.count = 0

    def walk(self, node: yaml.Node, path: KeyPath) -> None:
        self.count += 1
        if self.count > MAX_NODES or len(path) > MAX_DEPTH:
            raise FrontMatterError(
                node.start_mark.line + 2, node.start_mark.column + 1,
                "front matter is too large or too deeply nested (aliases included)",
                f"keep it under {MAX_NODES} values and {MAX_DEPTH} levels",
            )
        self.result.positions[path] = (node.start_mark.line + 2, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
                key_pos = (key_node.start_mark.line + 2, key_node.start_mark.column + 1)
                if key in seen:
                    self.result.duplicate_keys.append(((*path, key), key_pos))
                seen.add(key)
                self.result.key_positions[(*path, key)] = key_pos
                self.walk(value_node, (*path, key))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.walk(item, (*path, index))
