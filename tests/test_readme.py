"""The README stays true: its rule catalogue and its two commands match the code."""

from __future__ import annotations

import re
from pathlib import Path

from qmskit.commands.rules import catalogue_markdown

REPO = Path(__file__).resolve().parent.parent


def test_rule_catalogue_in_sync() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- rules:start -->\n(.*?)<!-- rules:end -->", readme, re.S)
    assert match, "README lost its rules markers"
    assert match.group(1) == catalogue_markdown(), (
        "README rule table is stale: paste `qmskit rules --format markdown` between the markers"
    )


def test_readme_commands_exist_in_makefile() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    for target in ("site", "test"):
        assert f"make {target}" in readme
        assert re.search(rf"^{target}:", makefile, re.M)
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
