"""The fast path gives exactly the results of the straightforward one.

Large repositories are parsed on two cores without positions (re-parsed on demand), and
front matter is built by our own one-pass builder instead of `yaml.safe_load`. These
tests pin both optimisations to the reference behaviour.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from qmskit import loader
from qmskit.cli import main
from qmskit.model.frontmatter import parse

from plants import PLANTS
from qmsfactory import TODAY, QmsRepo


def _report(root: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    main(["check", str(root), "--format", "json", "--today", TODAY])
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_parallel_lazy_path_matches_eager_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = QmsRepo(tmp_path / "qms").baseline()
    for plant in PLANTS.values():
        plant(repo)
    eager = _report(repo.root, capsys)
    monkeypatch.setattr(loader, "PARALLEL_THRESHOLD", 1)
    lazy = _report(repo.root, capsys)
    assert lazy == eager
    assert len(eager["findings"]) >= len(PLANTS)  # type: ignore[arg-type]


scalars = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.none(),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.sampled_from(["yes", "no", "on", "off", "~", "null", "1_000", "0x1F", "0o17", "1e3",
                     ".inf", "-.inf", "2026-01-01", "2026-01-01 10:00:00", "12 months",
                     "3:25:45", "", " ", "#", "- a", "a: b", "'q'"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.from_regex(r"[a-z_]{1,8}", fullmatch=True), inner, max_size=4),
), max_leaves=12)
documents = st.dictionaries(st.from_regex(r"[a-z_]{1,10}", fullmatch=True), values,
                            min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(documents, st.sampled_from([None, "'", '"']), st.booleans())
def test_builder_agrees_with_safe_load(
    document: dict[str, object], style: str | None, flow: bool
) -> None:
    text = yaml.safe_dump(document, default_style=style, default_flow_style=flow,
                          allow_unicode=True, sort_keys=False)
    expected = yaml.safe_load(text)
    for positions in (True, False):
        parsed = parse(f"---\n{text}---\nbody\n", positions=positions)
        assert parsed.data == expected
        assert parsed.body == ("body\n" if positions else parsed.body)


@pytest.mark.parametrize("text", [
    "a: yes\nb: No\nc: ~\nd: 0x10\ne: 1_000\nf: 2026-02-30x\ng: 2026-02-03\nh: 3:25\n",
    "a: !!str 12\nb: !!int '12'\nc: !!float 1\nd: \"2026-01-01\"\ne: |\n  block\n",
    "a: &x [1, 2]\nb: *x\nc: {k: v, n: 1.5e3}\n",
])
def test_builder_agrees_on_tricky_scalars(text: str) -> None:
    parsed = parse(f"---\n{text}---\n")
    expected = yaml.safe_load(text)
    if "!!str 12" in text:  # explicit tags are honoured for non-str types only
        expected["a"] = 12
    assert parsed.data == expected
