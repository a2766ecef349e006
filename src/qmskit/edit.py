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
again and must equal the original data with only the intended values changed. Files are
read and written through `qmskit.fs`: only regular files inside the repository, new
content renamed into place from a synced temporary file (a crash or a full disk never
leaves a half-written document), and a write refused and redone when another program
changed the file since it was read (`edit_file`), so no line anyone wrote is lost.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from qmskit import fs
from qmskit.domain.acks import HEADER, parse_ledger
from qmskit.errors import QmsError
from qmskit.model.types import Version

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


def _files(path: Path, root: Path | None) -> fs.Root:
    """The root a path is held to: `root`, else the nearest existing folder above it (the
    caller vouches for that folder; symlinks below it cannot lead out)."""
    if root is None:
        root = path.absolute().parent
        while not root.is_dir() and root != root.parent:
            root = root.parent
    return fs.Root(root)


def _decode(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise EditError(f"{where}: not valid UTF-8; save it as UTF-8 before editing") from None


def read_text(path: Path, *, root: Path | None = None, where: str | None = None) -> str:
    """Read a file for editing: UTF-8, BOM kept, line endings untouched.

    Only a regular file inside `root` (default: the file's own folder) is read, through
    `qmskit.fs`: a symlink out of the repository or a FIFO is an error, never a hang.
    """
    name = where or str(path)
    return _decode(_files(path, root).read(path, fs.MAX_SIZE, name), name)


def atomic_write(path: Path, data: str | bytes, *, root: Path | None = None,
                 where: str | None = None) -> None:
    """Replace `path` with `data` in one step, whatever it holds now (see `edit_file` for
    an edit that must not overwrite another program's change); permission bits kept."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    _files(path, root).replace(path, payload, None, where or str(path))


def atomic_create(path: Path, data: str | bytes, *, root: Path | None = None,
                  where: str | None = None, parents: bool = True) -> None:
    """Create `path` with `data`, atomically, and never over an existing file.

    Missing folders are created when `parents` (inside `root`); the new file gets the
    user's umask. See `qmskit.fs.Root.create`.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    _files(path, root).create(path, payload, where or str(path), parents=parents)


@contextmanager
def locked(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on `directory` while reading, changing and replacing a file
    in it, so two qmskit commands editing the same file never lose each other's change.

    The lock is on the folder, not the file: the file is replaced by an atomic rename, so
    a lock on its old inode would not stop a second writer that opened the new one. A
    folder lock leaves no lock file behind and is released by the kernel if the process
    dies. Without `fcntl` (Windows) writes are still atomic but not serialised. Programs
    other than qmskit do not take it: `edit_file` checks for their changes.
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
    try:
        handle = os.open(key, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as error:
        raise fs.os_error(error, str(directory), "lock the folder") from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        _HELD.add(key)
        yield
    finally:
        _HELD.discard(key)
        os.close(handle)  # closing releases the lock


#: Folders this process holds the lock of (flock is per open file, not per process).
_HELD: set[str] = set()

#: Text in, new text out (None: leave the file as it is); None in means no file yet.
Change = Callable[[str | None], str | None]

#: How often an edit is redone on top of another program's change before giving up.
ATTEMPTS = 10


def edit_file(path: Path, change: Change, *, root: Path | None = None,
              where: str | None = None, parents: bool = False) -> bool:
    """Read, change and write `path` without ever losing another writer's change.

    `change` gets the file's text (None when it does not exist yet) and returns the new
    text, or None to leave it alone; it may raise QmsError to refuse. Under the folder's
    lock (other qmskit commands wait), the file is read and `change` applied; if another
    program writes the file before the new text is renamed into place (an editor's save,
    a `git pull`), `qmskit.fs` refuses the write and `change` is applied again to the
    file as it is now. Returns True when the file was written.
    """
    files = _files(path, root)
    name = where or str(path)
    folder = Path(files.target(path, name, parents)).parent
    while not folder.is_dir():  # created with the file; lock the folder that holds it
        folder = folder.parent
    with locked(folder):
        snapshot = _open_for_edit(files, path, name)
        try:
            for _ in range(ATTEMPTS):
                text = _decode(snapshot.data, name) if snapshot is not None else None
                new = change(text)
                if new is None or new == text:
                    return False
                try:
                    if snapshot is None:
                        files.create(path, new.encode("utf-8"), name, parents=parents)
                    else:
                        files.replace(path, new.encode("utf-8"), snapshot, name)
                    return True
                except fs.ChangedError as changed:
                    if snapshot is not None:
                        snapshot.close()
                    snapshot = changed.now
                except fs.ExistsError:  # created by someone else a moment ago
                    snapshot = _open_for_edit(files, path, name)
        finally:
            if snapshot is not None:
                snapshot.close()
    raise EditError(f"{name}: kept being changed by another program while qmskit was "
                    "editing it; nothing was written, run the command again")


def _open_for_edit(files: fs.Root, path: Path, name: str) -> fs.Snapshot | None:
    try:
        return files.open_for_edit(path, fs.MAX_SIZE, name)
    except fs.MissingError:
        return None


def edit_document(path: Path, changes: Sequence[tuple[KeyPath, Scalar]],
                  where: str | None = None, *, root: Path | None = None) -> bool:
    """Apply `changes` to the front matter of the file at `path`; False when nothing changed.

    Read, change and write go through `edit_file`: under the folder's lock, redone if
    another program changes the file meanwhile.
    """
    name = where or str(path)

    def stamp(text: str | None) -> str:
        if text is None:
            raise EditError(f"{name}: does not exist")
        return set_fields(text, changes, name)

    return edit_file(path, stamp, root=root, where=name)


def append_ack(root: Path, relative: str, doc_id: str, version: Version | int, handle: str,
               day: date) -> bool:
    """Append one acknowledgement to the ledger (see `qmskit.domain.acks`).

    Returns False (writing nothing) when that exact acknowledgement is already recorded.
    Raises QmsError when the ledger is broken (appending to a file that cannot be read
    would bury the problem) or leads outside the repository.
    """

    def append(text: str | None) -> str | None:
        if not text:
            return ",".join(HEADER) + "\n" + row + "\n"
        ledger = parse_ledger(text, relative)
        if ledger.problems:
            first = ledger.problems[0]
            raise QmsError(f"{relative}:{first.line}:{first.col}: {first.message}; fix "
                           "the ledger before recording an acknowledgement")
        if ledger.has(doc_id, version, handle):
            return None
        newline = "\r\n" if "\r\n" in text else "\n"
        separator = "" if text.endswith("\n") else newline
        return f"{text}{separator}{row}{newline}"

    row = f"{doc_id},{version},{handle},{day.isoformat()}"
    return edit_file(root / relative, append, root=root, where=relative, parents=True)
