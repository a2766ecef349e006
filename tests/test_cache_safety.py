"""The caches cannot run code and cannot make a result wrong (issue 11 items 1 and 18).

A pull request can commit any file into the work tree, so nothing is read from there;
what is read from the cache directory is JSON, validated field by field, and anything
damaged, foreign, hostile or from another version gives the cold answer.
"""

from __future__ import annotations

import json
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qmskit.cache import FORMAT, cache_dir, locate
from qmskit.cli import main

from plants import PLANTS
from qmsfactory import TODAY, QmsRepo, git, init_git, monthly


def _run(root: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    main(["check", str(root), "--format", "json", "--today", TODAY, *extra])
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


class Payload:
    """Unpickling this runs `touch MARKER`."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize("existing_cache", [False, True])
def test_a_committed_pickle_is_never_executed(
    clean: QmsRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str], existing_cache: bool
) -> None:
    marker = tmp_path / "pwned"
    init_git(clean.root)
    if existing_cache:
        _run(clean.root, capsys)
    hostile = pickle.dumps(Payload(marker))
    pickle.loads(hostile)  # the payload works: unpickling it creates the marker ...
    assert marker.exists()
    marker.unlink()
    for name in ("result.pickle", "documents.pickle", "result.json", "documents.json"):
        clean.write_raw(f".qmskit-cache/{name}", hostile)
    git(clean.root, "add", "-f", ".qmskit-cache")
    git(clean.root, "commit", "-q", "-m", "Speed up CI", date="2026-02-01")
    first = _run(clean.root, capsys)
    assert _run(clean.root, capsys) == first
    assert first["findings"] == [] and first["documents"] == 6
    assert not marker.exists()  # ... but qmskit never unpickles anything


def _cold(root: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    return _run(root, capsys, "--no-cache")


def _damage_all(folder: Path, damage: Callable[[Path], None]) -> None:
    files = sorted(folder.glob("*.json"))
    assert [p.name for p in files] == ["check-state.json", "documents.json", "git.json",
                                       "result.json"]
    for path in files:
        damage(path)


def _set(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def _retype_entries(data: dict[str, Any]) -> None:
    """Every value one level down swapped for a value of another type."""
    payload = data.get("payload") or data.get("files") or data.get("result")
    if isinstance(payload, dict):
        for key, value in payload.items():
            payload[key] = [value] if not isinstance(value, list) else {"x": value}


DAMAGE: dict[str, Callable[[Path], None]] = {
    "corrupted": lambda p: p.write_bytes(b"\x00\xff{not json"),
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
    "empty": lambda p: p.write_bytes(b""),
    "foreign version": lambda p: _set(p, lambda d: d.update(qmskit_cache=FORMAT + 1)),
    "foreign key": lambda p: _set(p, lambda d: d.update(key="someone else's")),
    "wrong types": lambda p: _set(p, _retype_entries),
    "a list": lambda p: p.write_text("[1, 2, 3]", encoding="utf-8"),
    "deeply nested": lambda p: p.write_text("[" * 100_000 + "]" * 100_000,
                                            encoding="utf-8"),
    "a folder": lambda p: (p.unlink(), p.mkdir()),  # type: ignore[func-returns-value]
    "a symlink": lambda p: (p.unlink(), p.symlink_to("/dev/zero")),  # type: ignore[func-returns-value]
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_damaged_cache_gives_the_cold_answer(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    for code in ("L201", "T303", "C405", "C403"):
        PLANTS[code](clean)
    expected = _cold(clean.root, capsys)
    assert {f["code"] for f in expected["findings"]} == {"L201", "T303", "C405", "C403"}
    _run(clean.root, capsys)
    folder = cache_dir(clean.root, locate(clean.root))
    _damage_all(folder, DAMAGE[damage])
    assert _run(clean.root, capsys) == expected
    assert _run(clean.root, capsys) == expected  # and the rewritten cache is sound


def test_forged_entries_are_validated(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """An entry of the right shape whose model does not validate is a miss, not a crash
    and not a document."""
    init_git(clean.root)
    expected = _cold(clean.root, capsys)
    _run(clean.root, capsys)
    folder = cache_dir(clean.root, locate(clean.root))

    def forge(data: dict[str, Any]) -> None:
        for entry in data["files"].values():
            if entry[4][0] == "md" and entry[4][2] is not None:
                entry[4][2] = json.dumps({"id": "not an id", "kind": "procedure"})

    _set(folder / "documents.json", forge)
    (folder / "result.json").unlink()
    assert _run(clean.root, capsys) == expected


HIDDEN = {
    "kpi data": ("qms_docs/kpis/.data/KPI-A.csv", "D105"),
    "ledger": ("qms_docs/.acks.csv", "A604"),
}


@pytest.mark.parametrize("kind", HIDDEN)
def test_the_result_depends_on_hidden_files_read(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """Issue 11 item 18: a KPI `data: .data/x.csv` or a hidden ledger, edited twice: the
    cached check must see the second edit too."""
    relative, code = HIDDEN[kind]
    if kind == "kpi data":
        path = clean.root / "qms_docs/kpis/KPI-A.md"
        path.write_text(path.read_text().replace("data/KPI-A.csv", ".data/KPI-A.csv"))
        clean.write_raw(relative, monthly())
    else:
        (clean.root / "qmskit.toml").write_text(
            f'today = {TODAY}\nack_ledger = "{relative}"\n', encoding="utf-8")
        clean.write_raw(relative, "id,version,handle,date\n")
    init_git(clean.root)
    assert _run(clean.root, capsys)["findings"] == []
    target = clean.root / relative
    for text in (monthly(1, 10, 90.0), "period,value\n2026-01,x\n") if kind == "kpi data" \
            else ("id,version,handle,date\n", "id,version,handle,date\nnot,a,valid,row\n"):
        target.write_text(text, encoding="utf-8")
        os.utime(target, ns=(target.stat().st_atime_ns, target.stat().st_mtime_ns + 10**9))
        warm = _run(clean.root, capsys)
        assert warm == _cold(clean.root, capsys)
    assert code in {f["code"] for f in warm["findings"]}
