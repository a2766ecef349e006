"""One function per question: escaping, rule selection, the folder walk, handles, kinds.

Each question the code asks in many places has one function that answers it; these tests
pin those answers, and check that the places that used to answer on their own now agree.
"""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import pytest

from qmskit.cli import main
from qmskit.config import Config, parse_config
from qmskit.errors import ConfigError
from qmskit.model.types import KIND_ORDER, KINDS, handle_key, kind_rank, mention
from qmskit.reports.escape import code_span, html_text, md_inline
from qmskit.rules.checker import select_rules
from qmskit.walk import walk

from qmsfactory import QmsRepo

# ------------------------------------------------------------------------------ escaping

_RENDER = markdown.Markdown(extensions=["tables", "attr_list"])


def _html(text: str) -> str:
    _RENDER.reset()
    return _RENDER.convert(text)


@pytest.mark.parametrize("text", [
    "a | b", "two\nlines\r\nand more", "`code` and ``more``", "<script>alert(1)</script>",
    "AT&T & <b>", "*bold* _it_ [link](http://x) ![img](y) {: .cls}", "@everyone ~~gone~~",
    "# heading", "- item", "1. first", "x" * 120, "PROC-PURCH v1.2 #3", "back\\slash",
])
def test_md_inline_renders_literally_on_one_line(text: str) -> None:
    escaped = md_inline(text)
    assert "\n" not in escaped and "\r" not in escaped
    # In a table cell the text stays one cell, and renders as the text itself.
    table = _html(f"| h |\n|---|\n| {escaped} |")
    assert table.count("<td>") == 1
    cell = re.search(r"<td>(.*)</td>", table, re.S)
    assert cell is not None
    shown = re.sub(r"<wbr>", "", cell.group(1))
    assert "<" not in shown.replace("&lt;", "")  # no element of the text's own
    import html as _h

    assert _h.unescape(shown) == " ".join(text.split())


def test_long_words_get_break_opportunities_and_escapes_stay_whole() -> None:
    word = "|" * 30 + "a" * 30
    escaped = md_inline(word)
    assert "<wbr>" in escaped
    assert "\\<wbr>" not in escaped  # a break never splits an escape


def test_code_span_cannot_be_closed_by_its_text() -> None:
    for text in ["plain", "a`b", "``x``", "`edge`"]:
        rendered = _html(code_span(text))
        assert rendered.count("<code>") == 1
        import html as _h

        inner = re.search(r"<code>(.*)</code>", rendered, re.S)
        assert inner is not None and _h.unescape(inner.group(1)).strip() == text.strip()


def test_html_text_is_safe_in_attributes() -> None:
    assert html_text('"><script>') == "&quot;&gt;&lt;script&gt;"


def test_one_escaper_in_the_package() -> None:
    """Nobody escapes by hand: `html.escape` appears only in the escaper (and in the MkDocs
    adapter, for the titles MkDocs itself renders unescaped)."""
    package = Path(__file__).parents[1] / "src" / "qmskit"
    allowed = {"reports/escape.py", "mkdocs_plugin.py", "site/tree.py", "site/pdf.py"}
    offenders = [
        path.relative_to(package).as_posix() for path in package.rglob("*.py")
        if "html.escape(" in path.read_text(encoding="utf-8")
        and path.relative_to(package).as_posix() not in allowed
    ]
    assert offenders == []


# ------------------------------------------------------------------------ rule selection


def test_select_rules_is_the_one_decision() -> None:
    config = parse_config({"rules": {"role-owns-nothing": "error", "C402": "off"}}, "t")
    enabled = select_rules(config)
    assert enabled["T309"] == "error" and "C402" not in enabled
    # --select brings back a rule switched off in the config, at its default severity.
    assert select_rules(config, select=["C402"]) == {"C402": "warning"}
    assert "C403" not in select_rules(config, ignore=["C4"])
    with pytest.raises(ConfigError, match="matches no rule"):
        select_rules(config, select=["Z9"])
    with pytest.raises(ConfigError, match=r"rules\.X999: unknown rule"):
        select_rules(parse_config({"rules": {"X999": "off"}}, "t"))


def test_check_and_its_cache_key_agree_on_selection(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]
                                                    ) -> None:
    repo = QmsRepo(tmp_path / "qms").baseline()
    assert main(["check", str(repo.root), "--select", "nonsense"]) == 2
    assert "matches no rule" in capsys.readouterr().err


# ------------------------------------------------------------------------------ the walk


def test_walk_skips_hidden_excluded_and_escaping_folders(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("x", encoding="utf-8")
    for rel in ["procedures/a.md", "procedures/.hidden.md", "procedures/.git/b.md",
                "procedures/scratch/c.md", "procedures/sub/d.md", "procedures/e.txt"]:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
    (root / "linked").symlink_to(outside)
    (root / "procedures" / "linked-dir").symlink_to(outside)
    found = [rel for _, rel in walk(root, ["procedures", "linked"], ["procedures/scratch/*"])]
    assert found == ["procedures/a.md", "procedures/e.txt", "procedures/sub/d.md"]
    assert [rel for _, rel in walk(root, ["procedures"], [], ".md")] == [
        "procedures/a.md", "procedures/scratch/c.md", "procedures/sub/d.md"]


def test_check_reads_what_the_walk_yields(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    repo = QmsRepo(tmp_path / "qms").baseline()
    scratch = repo.root / "procedures" / "scratch"
    scratch.mkdir()
    (scratch / "broken.md").write_text("---\nid: [\n---\n", encoding="utf-8")
    (repo.root / "qmskit.toml").write_text(
        'today = 2026-11-24\nexclude = ["procedures/scratch/*"]\n', encoding="utf-8")
    assert main(["check", str(repo.root), "--no-cache"]) == 0
    assert "broken.md" not in capsys.readouterr().out


# ------------------------------------------------------------------------------- handles


@pytest.mark.parametrize("raw", ["quality-lead", "@quality-lead", " Quality-Lead ",
                                 "@QUALITY-LEAD"])
def test_handle_key_is_one_person(raw: str) -> None:
    assert handle_key(raw) == "quality-lead"
    assert mention(raw) == "@quality-lead"


def test_role_holders_are_normalised_at_the_model_boundary() -> None:
    from qmskit.model.documents import Role

    role = Role.model_validate({"id": "ROLE-QM", "kind": "role", "title": "QM",
                                "status": "approved", "holders": ["@quality-lead"],
                                "deputy": "@deputy-1"})
    assert role.holders == ["quality-lead"] and role.deputy == "deputy-1"


# --------------------------------------------------------------------------------- kinds


def test_one_kind_order_covers_every_kind() -> None:
    assert sorted(KIND_ORDER) == sorted(KINDS)
    assert kind_rank("strategy") < kind_rank("objective") < kind_rank("kpi")
    assert kind_rank("nonconformity") < kind_rank("action")
    assert kind_rank("not-a-kind") == len(KIND_ORDER)


def test_the_site_lists_kinds_in_the_one_order() -> None:
    import qmskit.site.context as context

    assert not hasattr(context, "KIND_ORDER")  # no second copy


def test_config_default_is_valid() -> None:
    assert Config().folders
