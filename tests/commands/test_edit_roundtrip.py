"""Format-preserving edits: only the asked-for values change, byte for byte.

The property test writes front matter the way people do (comments everywhere, any key
order, three quoting styles, flow and block lists, 2- or 4-space indents, CRLF, a BOM,
a body with `---` lines) and checks that a review stamp changes exactly the lines that
hold the stamped values, and that every other value still loads the same.
"""

from __future__ import annotations

import difflib
import os
import re
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qmskit.edit import (
    EditError,
    atomic_create,
    atomic_write,
    edit_document,
    render_scalar,
    set_fields,
    split_document,
)
from qmskit.errors import QmsError

DOC = """---
id: PROC-A   # stable id
kind: procedure
title: "Purchasing: suppliers & orders"
owner: ROLE-QM
status: approved
version: 3
approved_by: ROLE-MD
approved_on: '2026-01-05'
review:
    last: 2026-01-05   # the last review
    interval: 12 months
# what it serves
supports: [OBJ-A]
---

# Purchasing
---
Body with a rule line above.
"""


def _front(text: str) -> dict[str, object]:
    parts = split_document(text)
    loaded = yaml.safe_load(parts.front)
    assert isinstance(loaded, dict)
    return loaded


def _changed_lines(old: str, new: str) -> tuple[list[str], list[str]]:
    removed, added = [], []
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            removed += a[i1:i2]
            added += b[j1:j2]
    return removed, added


def test_stamp_changes_only_the_stamped_lines() -> None:
    new = set_fields(DOC, [(("review", "last"), date(2026, 11, 24)),
                           (("review", "by"), "ROLE-QM"), (("version",), 4)])
    removed, added = _changed_lines(DOC, new)
    assert removed == ["version: 3\n", "    last: 2026-01-05   # the last review\n"]
    assert added == ["version: 4\n", "    last: 2026-11-24   # the last review\n",
                     "    by: ROLE-QM\n"]
    assert new.endswith("# Purchasing\n---\nBody with a rule line above.\n")


def test_quoted_value_keeps_its_quotes() -> None:
    new = set_fields(DOC, [(("approved_on",), date(2026, 11, 24))])
    assert "approved_on: '2026-11-24'\n" in new
    assert _front(new)["approved_on"] == "2026-11-24"


def test_missing_parent_is_created_where_a_person_would_write_it() -> None:
    text = "---\nid: PROC-B\nkind: procedure\ntitle: T\nstatus: draft\nsupports: []\n---\n"
    new = set_fields(text, [(("review", "last"), date(2026, 11, 24)),
                            (("approved_by",), "ROLE-MD")])
    assert new == ("---\nid: PROC-B\nkind: procedure\ntitle: T\nstatus: draft\n"
                   "approved_by: ROLE-MD\nreview:\n  last: 2026-11-24\nsupports: []\n---\n")


def test_empty_and_null_values_are_filled() -> None:
    text = "---\nid: PROC-B\nkind: procedure\nreview:\n  by:\nowner: ~  # later\n---\n"
    new = set_fields(text, [(("review", "by"), "ROLE-QM"), (("owner",), "ROLE-MD")])
    assert new == ("---\nid: PROC-B\nkind: procedure\nreview:\n  by: ROLE-QM\n"
                   "owner: ROLE-MD  # later\n---\n")
    null_parent = "---\nid: PROC-B\nreview:   # to do\nz: 1\n---\n"
    assert set_fields(null_parent, [(("review", "last"), date(2026, 1, 2))]) == (
        "---\nid: PROC-B\nreview:   # to do\n  last: 2026-01-02\nz: 1\n---\n")


def test_crlf_and_bom_are_kept() -> None:
    text = "\ufeff---\r\nid: PROC-B\r\nreview:\r\n  interval: 1 year\r\n---\r\nBody\r\n"
    new = set_fields(text, [(("review", "last"), date(2026, 11, 24))])
    assert new == ("\ufeff---\r\nid: PROC-B\r\nreview:\r\n  last: 2026-11-24\r\n"
                   "  interval: 1 year\r\n---\r\nBody\r\n")


@pytest.mark.parametrize(("text", "message"), [
    ("---\nid: A-B\nreview: [a, b]\n---\n", "not a mapping"),
    ("---\nid: A-B\nreview:\n  last: [2026-01-01]\n---\n", "list or mapping"),
    ("---\nid: A-B\nx: &d 2026-01-01\nreview:\n  last: *d\n---\n", "anchor"),
    ("---\nid: A-B\nreview:\n  last: |\n    2026\n---\n", "block scalar"),
    ("---\nid: A-B\nreview:\n  last: 1\n  last: 2\n---\n", "appears twice"),
    ("no front matter\n", "no front matter"),
    ("---\nid: [\n---\n", "not valid YAML"),
])
def test_unsafe_edits_are_refused(text: str, message: str) -> None:
    with pytest.raises(EditError, match=message):
        set_fields(text, [(("review", "last"), date(2026, 11, 24))])


@pytest.mark.parametrize(("value", "style", "expected"), [
    ("ROLE-QM", None, "ROLE-QM"), ("12 months", None, "12 months"),
    ("yes", None, '"yes"'), ("2026-01-01", None, '"2026-01-01"'), ("a: b", None, '"a: b"'),
    ("it's", "'", "'it''s'"), ("x", '"', '"x"'), ("# no", None, '"# no"'),
    (date(2026, 1, 2), None, "2026-01-02"), (7, "'", "7"),
])
def test_render_scalar(value: str | int | date, style: str | None, expected: str) -> None:
    assert render_scalar(value, style) == expected


def test_atomic_write_keeps_mode_and_leaves_no_temp(tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o640)
    atomic_write(path, "new")
    assert path.read_text(encoding="utf-8") == "new"
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.md"]


def test_failed_write_leaves_the_original(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "doc.md"
    path.write_text(DOC, encoding="utf-8")

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    # A clear error for the user (exit 2), not a raw OSError.
    with pytest.raises(QmsError, match=r"doc\.md: cannot write it: no space left"):
        edit_document(path, [(("review", "last"), date(2026, 11, 24))])
    assert path.read_text(encoding="utf-8") == DOC
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.md"]


def test_atomic_create_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "a.md"
    atomic_create(path, "first")
    with pytest.raises(QmsError, match="already exists"):
        atomic_create(path, "second")
    assert path.read_text(encoding="utf-8") == "first"
    assert sorted(p.name for p in path.parent.iterdir()) == ["a.md"]


# --- the property ------------------------------------------------------------------

_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
                min_size=1, max_size=8)
_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc", "Zl", "Zp"],
                                       exclude_characters="\ufeff\x85"),
                min_size=1, max_size=20)
_COMMENT = st.one_of(st.just(""), _WORD.map(lambda w: f"  # {w}"))
_DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


@st.composite
def _scalar(draw: st.DrawFn, value: str) -> str:
    style = draw(st.sampled_from(["plain", "single", "double"]))
    if style == "single":
        return "'" + value.replace("'", "''") + "'"
    if style == "double" or not re.fullmatch(r"[A-Za-z][A-Za-z0-9 -]*[A-Za-z0-9]", value):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, bool, bool]:
    """A hand-written-looking document; returns (text, has review.by, has version)."""
    indent = " " * draw(st.sampled_from([2, 4]))
    entries: list[list[str]] = [
        [f"id: PROC-{draw(_WORD).upper()}{draw(_COMMENT)}"],
        ["kind: procedure"],
        [f"title: {draw(_scalar(draw(_TEXT).strip() or 'T'))}{draw(_COMMENT)}"],
        [f"owner: ROLE-QM{draw(_COMMENT)}"],
        ["status: approved"],
    ]
    has_version = draw(st.booleans())
    if has_version:
        entries.append([f"version: {draw(st.integers(1, 99))}{draw(_COMMENT)}"])
    if draw(st.booleans()):
        entries.append([f"approved_on: {draw(_DATES).isoformat()}"])
    review_keys = draw(st.lists(st.sampled_from(["last", "interval", "by"]), unique=True))
    values = {"last": draw(_DATES).isoformat(), "interval": "12 months", "by": "ROLE-MD"}
    has_review = draw(st.booleans())
    if has_review and review_keys and draw(st.booleans()):
        inner = ", ".join(f"{k}: {values[k]}" for k in review_keys)
        entries.append([f"review: {{{inner}}}{draw(_COMMENT)}"])
    elif has_review and review_keys:
        entries.append([f"review:{draw(_COMMENT)}"]
                       + [f"{indent}{k}: {values[k]}{draw(_COMMENT)}" for k in review_keys])
    items = draw(st.lists(_WORD.map(lambda w: f"OBJ-{w.upper()}"), max_size=3))
    if draw(st.booleans()):
        entries.append([f"supports: [{', '.join(items)}]"])
    else:
        dash = draw(st.sampled_from(["", indent]))
        entries.append(["supports:"] + [f"{dash}- {item}" for item in items] if items
                       else ["supports: []"])
    order = draw(st.permutations(range(1, len(entries))))
    lines: list[str] = []
    for index in [0, *order]:
        if draw(st.integers(0, 4)) == 0:
            lines.append(f"# note {draw(_WORD)}")
        lines += entries[index]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    body = newline.join(draw(st.lists(st.one_of(_TEXT, st.just("---"), st.just("")),
                                      max_size=4)))
    bom = "\ufeff" if draw(st.booleans()) else ""
    text = bom + "---" + newline + newline.join(lines) + newline + "---" + newline + body
    has_by = has_review and "by" in review_keys
    return text, has_by, has_version


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=documents(), day=_DATES, set_by=st.booleans(), bump=st.booleans())
def test_review_stamp_changes_only_the_intended_lines(
    doc: tuple[str, bool, bool], day: date, set_by: bool, bump: bool
) -> None:
    text, _, _ = doc
    before = _front(text)
    changes: list[tuple[tuple[str, ...], str | int | date]] = [(("review", "last"), day)]
    if set_by:
        changes.append((("review", "by"), "ROLE-QM"))
    if bump:
        changes.append((("version",), int(str(before.get("version", 1))) + 1))
    new = set_fields(text, changes)

    # The body, and everything before the front matter, are untouched.
    assert split_document(new).tail == split_document(text).tail
    assert split_document(new).head == split_document(text).head
    # Every value loads back as before, except the stamped ones.
    expected = dict(before)
    review = dict(expected.get("review") or {})
    review["last"] = day
    if set_by:
        review["by"] = "ROLE-QM"
    expected["review"] = review
    if bump:
        expected["version"] = changes[-1][1]
    assert _front(new) == expected
    # Only lines holding a stamped key (or the review mapping itself) differ.
    stamped = re.compile(r"^\s*(review|last|by|version):")
    removed, added = _changed_lines(text, new)
    assert all(stamped.match(line) for line in removed), removed
    assert all(stamped.match(line) for line in added), added
    assert len(added) <= len(changes) + 1
    assert len(removed) <= len(changes)
