"""`qmskit adopt`: the way into an existing MkDocs handbook, overwriting nothing."""

from __future__ import annotations

import difflib
import json
import shutil
import tomllib
from pathlib import Path

import pytest
import yaml

from qmskit.cli import main
from qmskit.domain.adoption import AdoptError, add_plugin, load_yaml, merge_precommit

HANDBOOKS = Path(__file__).resolve().parents[1] / "data/handbooks"


def _handbook(tmp_path: Path, variant: str = "suffix") -> Path:
    root = tmp_path / variant
    shutil.copytree(HANDBOOKS / variant, root)
    return root


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def _added(before: str, after: str) -> list[str]:
    return [line for line in difflib.ndiff(before.splitlines(), after.splitlines())
            if line[:1] in "+-"]


def test_adopts_the_bilingual_handbook(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    root = _handbook(tmp_path)
    mkdocs_before = (root / "mkdocs.yml").read_text(encoding="utf-8")
    assert main(["adopt", str(root)]) == 0
    out = capsys.readouterr().out
    assert "mkdocs-static-i18n (suffix: en, de, default en)" in out
    assert "changed  mkdocs.yml: added the qmskit plugin after i18n, before minify" in out
    for written in ("qmskit.toml", ".pre-commit-config.yaml", ".github/workflows/qms.yml",
                    ".github/workflows/qms-due.yml", ".github/CODEOWNERS"):
        assert f"wrote    {written}" in out
    # The plugin is one line, in the plugin list's own indentation; nothing else moved.
    after = (root / "mkdocs.yml").read_text(encoding="utf-8")
    assert _added(mkdocs_before, after) == ["+   - qmskit"]
    assert [p if isinstance(p, str) else next(iter(p)) for p in load_yaml(after, "")["plugins"]] \
        == ["search", "tags", "macros", "i18n", "qmskit", "minify"]
    config = tomllib.loads((root / "qmskit.toml").read_text(encoding="utf-8"))
    assert config == {"folders": ["docs"], "translations": {
        "languages": ["en", "de"], "default": "en", "structure": "suffix"}}
    workflow = yaml.safe_load((root / ".github/workflows/qms.yml").read_text(encoding="utf-8"))
    install = next(s["run"] for s in workflow["jobs"]["qms"]["steps"]
                   if s.get("name") == "Install qmskit")
    for package in ("mkdocs-static-i18n", "mkdocs-minify-plugin", "mkdocs-macros-plugin"):
        assert package in install
    hooks = yaml.safe_load((root / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks["repos"][0]["hooks"]] == ["qmskit-check", "qmskit-codeowners"]
    # The registers kept as tables, and what to do next.
    assert "docs/registers/risks.md:14: table 1 (Risk register): ID, Risk, Process" in out
    assert "docs/registers/capa-log.md:24: table 2 (CAPA log / Closed)" in out
    assert "docs/competence.md" not in out  # a matrix, not a register
    assert out.count("\n  1. ") == out.count("\n  2. ") == out.count("\n  3. ") == 1
    # A fresh adoption checks clean: no page is a controlled document yet.
    assert main(["check", str(root), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []
    assert main(["codeowners", "--check", "--root", str(root)]) == 0


def test_running_it_twice_changes_nothing(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    root = _handbook(tmp_path)
    assert main(["adopt", str(root)]) == 0
    once = _tree(root)
    capsys.readouterr()
    assert main(["adopt", str(root)]) == 0
    out = capsys.readouterr().out
    assert _tree(root) == once
    assert not [line for line in out.splitlines()
                if line.startswith(("  wrote", "  changed"))]
    assert "kept     mkdocs.yml: the qmskit plugin is there already" in out
    assert "kept     .pre-commit-config.yaml: runs qmskit's hooks already" in out


def test_folder_structure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _handbook(tmp_path, "folder")
    assert main(["adopt", str(root)]) == 0
    assert "mkdocs-static-i18n (folder: en, de, default en)" in capsys.readouterr().out
    config = tomllib.loads((root / "qmskit.toml").read_text(encoding="utf-8"))
    assert config["translations"]["structure"] == "folder"
    assert "# mkdocs-static-i18n (docs_structure: folder): de/X.md is the de translation of " \
           "en/X.md," in (root / "qmskit.toml").read_text(encoding="utf-8")


def test_an_existing_pre_commit_config_gets_the_hooks_added(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _handbook(tmp_path)
    existing = ("# our hooks\nrepos:\n- repo: https://github.com/pre-commit/pre-commit-hooks\n"
                "  rev: v4.6.0  # pinned\n  hooks:\n  - id: trailing-whitespace\n\n"
                "# the end\n")
    (root / ".pre-commit-config.yaml").write_text(existing, encoding="utf-8")
    assert main(["adopt", str(root), "--install-spec", "qmskit==0.2.0"]) == 0
    assert "changed  .pre-commit-config.yaml: added qmskit's hooks" in capsys.readouterr().out
    merged = (root / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert merged.startswith(existing.split("\n\n")[0] + "\n- repo: local\n  hooks:\n")
    assert merged.endswith("\n\n# the end\n")
    repos = yaml.safe_load(merged)["repos"]
    assert repos[0]["hooks"] == [{"id": "trailing-whitespace"}]
    assert [h["additional_dependencies"] for h in repos[1]["hooks"]] == [["qmskit==0.2.0"]] * 2
    capsys.readouterr()
    assert main(["adopt", str(root)]) == 0
    assert (root / ".pre-commit-config.yaml").read_text(encoding="utf-8") == merged


def test_an_existing_config_is_kept_and_advised(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    root = _handbook(tmp_path)
    (root / "qmskit.toml").write_text('folders = ["docs"]\n', encoding="utf-8")
    assert main(["adopt", str(root)]) == 0
    out = capsys.readouterr().out
    assert "kept     qmskit.toml: has a qmskit configuration, not changed" in out
    assert "qmskit.toml has no [translations]; add this" in out
    assert (root / "qmskit.toml").read_text(encoding="utf-8") == 'folders = ["docs"]\n'


def test_pages_qmskit_cannot_use_are_excluded_with_their_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _handbook(tmp_path)
    (root / "docs/broken.md").write_text("---\ntitle: [open\n---\n", encoding="utf-8")
    (root / "docs/other-id.md").write_text("---\nid: intro\n---\n", encoding="utf-8")
    assert main(["adopt", str(root)]) == 0
    text = (root / "qmskit.toml").read_text(encoding="utf-8")
    assert tomllib.loads(text)["exclude"] == ["docs/broken.md", "docs/other-id.md"]
    assert '"docs/other-id.md",  # its front matter has an `id` that is not a qmskit ' in text
    capsys.readouterr()
    assert main(["check", str(root)]) == 0


def test_not_a_handbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["adopt", str(tmp_path)]) == 2
    assert "no mkdocs.yml here" in capsys.readouterr().err


def test_a_plugin_list_it_cannot_edit_safely_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: X\nplugins:\n  search: {}\n",
                                         encoding="utf-8")
    assert main(["adopt", str(tmp_path)]) == 2
    assert "add `- qmskit` to it by hand" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs", "mkdocs.yml"]


@pytest.mark.parametrize(("before", "after"), [
    ("site_name: X\n", "site_name: X\nplugins:\n  - search\n  - qmskit\n"),
    ("site_name: X", "site_name: X\nplugins:\n  - search\n  - qmskit\n"),
    ("plugins: [search, minify]  # short\n", "plugins: [search, qmskit, minify]  # short\n"),
    ("plugins: [search]\n", "plugins: [search, qmskit]\n"),
    ("plugins:\n- search\n- tags:\n    x: 1\n# end\n",
     "plugins:\n- search\n- tags:\n    x: 1\n- qmskit\n# end\n"),
    ("plugins:\r\n    -   search\r\n", "plugins:\r\n    -   search\r\n    -   qmskit\r\n"),
    ("plugins:\n  - minify\n", "plugins:\n  - qmskit\n  - minify\n"),
    ("markdown_extensions:\n  - pymdownx.superfences:\n      custom_fences:\n"
     "        - format: !!python/name:pymdownx.superfences.fence_code_format\n"
     "plugins:\n  - search\n",
     "markdown_extensions:\n  - pymdownx.superfences:\n      custom_fences:\n"
     "        - format: !!python/name:pymdownx.superfences.fence_code_format\n"
     "plugins:\n  - search\n  - qmskit\n"),
])
def test_the_plugin_is_spliced_in(before: str, after: str) -> None:
    assert add_plugin(before, "mkdocs.yml")[0] == after
    assert add_plugin(after, "mkdocs.yml") == (after, "already there")


def test_inherited_plugins_are_left_to_the_user() -> None:
    with pytest.raises(AdoptError, match="INHERIT"):
        add_plugin("INHERIT: base.yml\n", "mkdocs.yml")


def test_a_flow_repos_list_is_left_to_the_user() -> None:
    with pytest.raises(AdoptError, match="by hand"):
        merge_precommit("repos: []\n", "repos:\n  - repo: local\n    hooks: []\n",
                        ".pre-commit-config.yaml")


def test_an_alias_bomb_is_refused_quickly() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(8):
        name, inner = chr(98 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [{', '.join([f'*{inner}'] * 9)}]")
    bomb = "\n".join([*lines, "plugins: [search]", ""])
    with pytest.raises(AdoptError, match="more than 200,000 values"):
        add_plugin(bomb, "mkdocs.yml")


def test_a_file_nested_too_deeply_is_refused() -> None:
    with pytest.raises(AdoptError, match=r"nested too deeply|more than"):
        add_plugin("a: " + "[" * 5000 + "]" * 5000 + "\n", "mkdocs.yml")
