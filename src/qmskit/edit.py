"""Format-preserving, atomic edits of controlled documents.

Authoring commands (`review`, `new`, `kpi record`) change a few values in files people
write by hand. A full YAML round trip (load, modify, dump) re-indents lists, re-wraps
long strings and normalises spacing, so a one-value review stamp would show up as a
noisy diff and could silently change how a value is written. Instead, ruamel.yaml's
composer locates every key and value with its exact character span, and an edit splices
new text into exactly that span (or inserts one line for a new key). Everything else,
comments, key order, quoting, indentation, line endings and the Markdown body, stays
byte-for-byte as it was.

Every edit is verified before anything is written: the edited front matter is parsed
again and must equal the original data with only the intended values changed. Writes go
to a temporary file in the same folder, then `os.replace` swaps it in, so a crash or a
full disk never leaves a half-written document behind.
"""

from __future__ import annotations

import copy
import json
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from qmskit.errors import QmsError

KeyPath = tuple[str, ...]
Scalar = str | int | date

#: The order in which qmskit writes front-matter keys; a new key goes after the nearest
#: key that precedes it here, so stamps land where a person would have written them.
TOP_LEVEL_ORDER: tuple[str, ...] = (
    "id", "kind", "title", "owner", "status", "version", "approved_by", "approved_on",
    "approved_version", "review",
)
NESTED_ORDER: dict[str, tuple[str, ...]] = {"review": ("last", "interval", "by")}

_OPENING = re.compile(r"---[ \t]*(\r?\n)")
_CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
_BOM = "\ufeff"


class EditError(QmsError):
    """An edit that cannot be made safely; the file is left untouched (exit 2)."""


@dataclass(frozen=True)
class Parts:
    """A document split for editing: `head` + `front` + `tail` is the original text."""

    head: str
    front: str
    tail: str
    newline: str


def split_document(text: str, where: str = "document") -> Parts:
    """Split `text` (BOM included, if any) into opening line, YAML and the rest."""
    bom = _BOM if text.startswith(_BOM) else ""
    body = text[len(bom):]
    opening = _OPENING.match(body)
    if opening is None:
        raise EditError(f"{where}: no front matter (the file must start with a '---' line)")
    closing = _CLOSING.search(body, opening.end())
    if closing is None:
        raise EditError(f"{where}: the front matter opened on line 1 is never closed")
    start = len(bom) + opening.end()
    end = len(bom) + closing.start()
    return Parts(text[:start], text[start:end], text[end:], opening.group(1))


def render_scalar(value: Scalar, style: str | None = None) -> str:
    """YAML text for a scalar; `style` is the quote character the old value used, if any.

    Keeping the old quoting means `"2026-02-02"` becomes `"2026-11-24"`, not a bare date:
    the edit changes the value, never how the author chose to write it.
    """
    if isinstance(value, bool):  # bool is an int; never written by qmskit
        raise TypeError("booleans are not written by qmskit edits")
    if isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, int):
        return str(value)
    else:
        text = value
    if style == "'" and "\n" not in text:
        return "'" + text.replace("'", "''") + "'"
    if style == '"' or not _plain_is_safe(text, value):
        return json.dumps(text, ensure_ascii=False)
    return text


def _plain_is_safe(text: str, value: Scalar) -> bool:
    if not text or text != text.strip() or "\n" in text or "#" in text or ": " in text:
        return False
    if text[0] in "!&*{}[],|>'\"%@`?:-":
        return False
    try:
        loaded = yaml.safe_load(f"k: {text}\n")
    except yaml.YAMLError:
        return False
    return isinstance(loaded, dict) and loaded.get("k") == value


def set_fields(text: str, changes: Sequence[tuple[KeyPath, Scalar]],
               where: str = "document") -> str:
    """Return `text` with each front-matter value at a key path set; nothing else changes.

    Missing keys are inserted (a missing parent such as `review:` is created as a block
    mapping). Raises EditError when the value to replace is a list or mapping, a block
    scalar, or shared through a YAML anchor, and when the result would not parse back to
    exactly the intended data.
    """
    parts = split_document(text, where)
    original = _load(parts.front, where)
    front = parts.front
    expected = copy.deepcopy(original)
    for path, value in changes:
        if not path:
            raise ValueError("empty key path")
        front, written = _apply(front, path, value, parts.newline, where)
        _assign(expected, path, written)
    if _load(front, where) != expected:
        raise EditError(f"{where}: the edit would change more than the intended values; "
                        "the file was left unchanged (please report this)")
    return parts.head + front + parts.tail


def _load(front: str, where: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(front) if front.strip() else {}
    except yaml.YAMLError as error:
        raise EditError(f"{where}: front matter is not valid YAML ({error}); "
                        "fix it (`qmskit check`) before editing") from None
    if not isinstance(data, dict):
        raise EditError(f"{where}: front matter is not a mapping of fields")
    return data


def _assign(data: dict[str, Any], path: KeyPath, value: Scalar) -> None:
    current = data
    for key in path[:-1]:
        nxt = current.get(key)
        if not isinstance(nxt, dict):
            nxt = {}
            current[key] = nxt
        current = nxt
    current[path[-1]] = value


def _compose(front: str, where: str) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        return YAML(typ="rt").compose(front)
    except YAMLError as error:  # pragma: no cover - _load has already parsed it
        raise EditError(f"{where}: front matter is not valid YAML ({error})") from None


def _is_mapping(node: Any) -> bool:
    return type(node).__name__ == "MappingNode"


def _is_scalar(node: Any) -> bool:
    return type(node).__name__ == "ScalarNode"


def _find(mapping: Any, key: str, where: str, dotted: str) -> tuple[Any, Any] | None:
    found = [(k, v) for k, v in mapping.value if _is_scalar(k) and k.value == key]
    if len(found) > 1:
        raise EditError(f"{where}: key '{dotted}' appears twice; remove one before editing")
    return found[0] if found else None


def _apply(front: str, path: KeyPath, value: Scalar, newline: str,
           where: str) -> tuple[str, Scalar]:
    """Set one value; returns the new front matter and the value as it will load back."""
    root = _compose(front, where)
    if root is None:
        return front + _block_lines(path, value, 0, 2, newline), value
    if not _is_mapping(root) or root.flow_style:
        raise EditError(f"{where}: front matter must be a block mapping of fields to edit it")
    step = _indent_step(root)
    mapping, key_node = root, None
    for depth, key in enumerate(path):
        dotted = ".".join(path[: depth + 1])
        if getattr(mapping, "anchor", None):
            raise EditError(f"{where}: '{dotted}' is shared through a YAML anchor; "
                            "edit it by hand")
        hit = _find(mapping, key, where, dotted)
        if hit is None:
            return _insert(front, mapping, key_node, path[depth:], path[:depth], value,
                           step, newline, where), value
        key_node, node = hit
        if depth == len(path) - 1:
            return _replace(front, key_node, node, value, where, dotted)
        if _is_scalar(node) and node.tag.endswith(":null"):
            # `review:` written with no value: give it its first child lines.
            start, end = node.start_mark.index, node.end_mark.index
            if end > start:
                front = front[:start].rstrip(" \t") + front[end:]
            line_end = _line_end(front, key_node.end_mark.index)
            indent = key_node.start_mark.column + step
            lines = _block_lines(path[depth + 1:], value, indent, step, newline)
            return front[:line_end] + lines + front[line_end:], value
        if not _is_mapping(node):
            raise EditError(f"{where}: '{dotted}' is not a mapping, so '{'.'.join(path)}' "
                            "cannot be set; fix the front matter first")
        mapping = node
    raise AssertionError("unreachable")  # pragma: no cover


def _replace(front: str, key_node: Any, node: Any, value: Scalar, where: str,
             dotted: str) -> tuple[str, Scalar]:
    if not _is_scalar(node):
        raise EditError(f"{where}: '{dotted}' holds a list or mapping, not a single value")
    if getattr(node, "anchor", None):
        raise EditError(f"{where}: '{dotted}' is shared through a YAML anchor; edit it by hand")
    style = node.style
    if style in ("|", ">"):
        raise EditError(f"{where}: '{dotted}' is a block scalar; edit it by hand")
    start, end = node.start_mark.index, node.end_mark.index
    if front[start:end].startswith("!"):
        raise EditError(f"{where}: '{dotted}' carries an explicit YAML tag; edit it by hand")
    quoted = style in ("'", '"') and not isinstance(value, int)
    text = render_scalar(value, style if quoted else None)
    # A date the author quoted stays quoted, so it loads back as the same kind of value
    # (a string), which the model accepts as a date just as before.
    written: Scalar = value.isoformat() if quoted and isinstance(value, date) else value
    if end == start:
        # An empty value: the composer places it at the next token, so write it right
        # after the key's colon instead.
        colon = front.index(":", key_node.end_mark.index)
        return front[: colon + 1] + " " + text + front[colon + 1:], written
    return front[:start] + text + front[end:], written


def _insert(front: str, mapping: Any, parent_key: Any, rest: KeyPath, parent: KeyPath,
            value: Scalar, step: int, newline: str, where: str) -> str:
    key = rest[0]
    if mapping.flow_style:
        if len(rest) > 1:
            raise EditError(f"{where}: cannot add '{'.'.join(parent + rest)}' inside a flow "
                            "mapping; write it as a block mapping first")
        close = front.rindex("}", 0, mapping.end_mark.index)
        inner = front[mapping.start_mark.index + 1: close]
        sep = ", " if inner.strip() else ""
        head = front[:close].rstrip(" ")
        return head + f"{sep}{key}: {render_scalar(value)}" + front[close:]
    indent = mapping.value[0][0].start_mark.column if mapping.value else (
        (parent_key.start_mark.column + step) if parent_key is not None else 0)
    order = NESTED_ORDER.get(parent[-1], ()) if parent else TOP_LEVEL_ORDER
    present = {k.value: (k, v) for k, v in mapping.value if _is_scalar(k)}
    lines = _block_lines(rest, value, indent, step, newline)
    if key in order:
        position = order.index(key)
        preceding = [present[k] for k in order[:position] if k in present]
        following = [present[k] for k in order[position + 1:] if k in present]
        if preceding:
            at = _after_node(front, *preceding[-1])
            return front[:at] + lines + front[at:]
        if following:
            at = front.rfind("\n", 0, following[0][0].start_mark.index) + 1
            return front[:at] + lines + front[at:]
    if not mapping.value:  # pragma: no cover - an empty block mapping cannot be written
        raise EditError(f"{where}: cannot add '{key}' to an empty mapping")
    at = _after_node(front, *mapping.value[-1])
    return front[:at] + lines + front[at:]


def _after_node(front: str, key_node: Any, value_node: Any) -> int:
    """Index just after the line on which `key: value` (with any nested content) ends."""
    end = _content_end(value_node)
    if end is None:
        end = front.index(":", key_node.end_mark.index) + 1
    return _line_end(front, end)


def _line_end(front: str, end: int) -> int:
    if end > 0 and front[end - 1] == "\n":
        return end
    newline = front.find("\n", end)
    return len(front) if newline < 0 else newline + 1


def _content_end(node: Any) -> int | None:
    """End index of the last real content of a node (not trailing comments or blanks)."""
    if _is_scalar(node):
        start, end = node.start_mark.index, node.end_mark.index
        return end if end > start else None
    if getattr(node, "flow_style", False) or not node.value:
        return int(node.end_mark.index)
    last = node.value[-1]
    if isinstance(last, tuple):
        key_node, value_node = last
        end = _content_end(value_node)
        return end if end is not None else int(key_node.end_mark.index) + 1
    end = _content_end(last)
    return end if end is not None else int(node.end_mark.index)


def _indent_step(root: Any) -> int:
    """The indentation the author uses for nested mappings (2 when none exists)."""
    for key_node, value_node in root.value:
        if _is_mapping(value_node) and not value_node.flow_style and value_node.value:
            step = value_node.value[0][0].start_mark.column - key_node.start_mark.column
            if step > 0:
                return int(step)
    return 2


def _block_lines(path: KeyPath, value: Scalar, indent: int, step: int, newline: str) -> str:
    lines = []
    for depth, key in enumerate(path[:-1]):
        lines.append(" " * (indent + depth * step) + f"{key}:")
    lines.append(" " * (indent + (len(path) - 1) * step)
                 + f"{path[-1]}: {render_scalar(value)}")
    return "".join(line + newline for line in lines)


def read_text(path: Path) -> str:
    """Read a document for editing: UTF-8, BOM kept, line endings untouched."""
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise EditError(f"{path}: not valid UTF-8; save it as UTF-8 before editing") from None
    except OSError as error:
        raise EditError(f"{path}: cannot read: {error.strerror or error}") from None


def _synced_temp(path: Path, payload: bytes) -> str:
    """`payload` in a temporary file beside `path`, flushed to disk; the caller renames
    or links it into place (same folder, so the rename is atomic)."""
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return temp


def atomic_write(path: Path, data: str | bytes) -> None:
    """Replace `path` with `data` in one step: temporary file in the same folder, fsync,
    rename. Readers see either the old or the new file, never a partial one; the file's
    permission bits are kept."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        mode: int | None = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = None
    temp = _synced_temp(path, payload)
    try:
        if mode is not None:
            Path(temp).chmod(mode)
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def atomic_create(path: Path, data: str | bytes) -> None:
    """Create `path` with `data`, atomically, and never over an existing file.

    The content is written to a temporary file first and then hard-linked into place:
    the link fails if the name is taken, even if another process created it a moment ago.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = _synced_temp(path, payload)
    try:
        Path(temp).chmod(0o644)
        try:
            os.link(temp, path)
        except FileExistsError:
            raise EditError(f"{path}: already exists; qmskit never overwrites a file") from None
        except OSError:  # pragma: no cover - file systems without hard links
            if path.exists():
                raise EditError(f"{path}: already exists; qmskit never overwrites a file") from None
            Path(temp).replace(path)
    finally:
        Path(temp).unlink(missing_ok=True)


@contextmanager
def locked(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on `directory` while reading, changing and replacing a file
    in it, so two qmskit commands editing the same file never lose each other's change.

    The lock is on the folder, not the file: the file is replaced by an atomic rename, so
    a lock on its old inode would not stop a second writer that opened the new one. A
    folder lock leaves no lock file behind and is released by the kernel if the process
    dies. Without `fcntl` (Windows) writes are still atomic but not serialised.
    """
    key = os.path.realpath(directory)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX
        yield
        return
    if key in _HELD:  # re-entered by the same process: it already holds the lock
        yield
        return
    handle = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        _HELD.add(key)
        yield
    finally:
        _HELD.discard(key)
        os.close(handle)  # closing releases the lock


#: Folders this process holds the lock of (flock is per open file, not per process).
_HELD: set[str] = set()


def edit_document(path: Path, changes: Sequence[tuple[KeyPath, Scalar]],
                  where: str | None = None) -> bool:
    """Apply `changes` to the front matter of the file at `path`; False when nothing changed.

    Read, change and write happen under the folder's lock (see `locked`).
    """
    with locked(path.parent):
        text = read_text(path)
        updated = set_fields(text, changes, where or str(path))
        if updated == text:
            return False
        atomic_write(path, updated)
        return True
