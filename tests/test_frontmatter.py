"""The front-matter parser: positions, broken input, and hostile YAML."""

from __future__ import annotations

import time

import pytest

from qmskit.model.frontmatter import FrontMatterError, guess_id, parse


def test_positions_of_values_and_list_items() -> None:
    fm = parse("---\nid: PROC-A\nsupports:\n  - OBJ-A\n  - OBJ-B\nreview:\n  last: 2026-01-01\n"
               "---\n# Title\n")
    assert fm.data is not None
    assert fm.positions[("id",)] == (2, 5)
    assert fm.positions[("supports", 1)] == (5, 5)
    assert fm.positions[("review", "last")] == (7, 9)
    assert fm.key_positions[("review",)] == (6, 1)
    assert fm.body == "# Title\n"
    assert fm.body_line == 9


def test_plain_page_without_front_matter() -> None:
    fm = parse("# Just a page\n\n---\nnot front matter\n")
    assert fm.data is None
    assert fm.body.startswith("# Just a page")


def test_empty_front_matter_is_a_plain_page() -> None:
    assert parse("---\n---\nbody\n").data is None


def test_crlf_line_endings() -> None:
    fm = parse("---\r\nid: PROC-A\r\nkind: procedure\r\n---\r\nbody\r\n")
    assert fm.data == {"id": "PROC-A", "kind": "procedure"}
    assert fm.positions[("kind",)] == (3, 7)


def test_unclosed_front_matter() -> None:
    with pytest.raises(FrontMatterError) as caught:
        parse("---\nid: PROC-A\nkind: procedure\n")
    assert caught.value.line == 1
    assert "never closed" in caught.value.message


def test_syntax_error_is_located() -> None:
    with pytest.raises(FrontMatterError) as caught:
        parse("---\nid: PROC-A\ntitle: [unclosed\nowner: ROLE-QM\n---\n")
    assert caught.value.line in (4, 5)
    assert caught.value.message.startswith("YAML syntax error")


def test_tab_indentation_is_an_error() -> None:
    with pytest.raises(FrontMatterError) as caught:
        parse("---\nid: PROC-A\nreview:\n\tlast: 2026-01-01\n---\n")
    assert caught.value.line == 4


def test_non_mapping_front_matter() -> None:
    with pytest.raises(FrontMatterError, match="must be a mapping"):
        parse("---\n- a\n- b\n---\n")


def test_duplicate_keys_are_recorded() -> None:
    fm = parse("---\nid: PROC-A\nowner: ROLE-A\nowner: ROLE-B\n---\n")
    assert fm.duplicate_keys == [(("owner",), (4, 1))]


def test_unsafe_tags_are_refused() -> None:
    with pytest.raises(FrontMatterError):
        parse("---\nid: !!python/object/apply:os.system ['true']\n---\n")


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["---", "a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for index in range(1, 9):
        previous = chr(ord("a") + index - 1)
        name = chr(ord("a") + index)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    lines.append("---")
    started = time.perf_counter()
    with pytest.raises(FrontMatterError, match="too large"):
        parse("\n".join(lines) + "\n")
    assert time.perf_counter() - started < 2.0


def test_deep_nesting_is_refused() -> None:
    text = "---\nid: " + "[" * 500 + "]" * 500 + "\n---\n"
    with pytest.raises(FrontMatterError):
        parse(text)


def test_guess_id_from_broken_file() -> None:
    assert guess_id("---\nid: PROC-X\nkind: [\n---\n") == "PROC-X"
    assert guess_id("no id here") is None


@pytest.mark.parametrize("value", ["2026-13-45", "2026-02-30"])
def test_values_yaml_cannot_construct_are_located(value: str) -> None:
    with pytest.raises(FrontMatterError) as caught:
        parse(f"---\nid: PROC-A\ndue: {value}\n---\n")
    assert (caught.value.line, caught.value.col) == (3, 6)
    assert "invalid timestamp" in caught.value.message
