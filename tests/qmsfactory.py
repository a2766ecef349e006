"""Build small, real QMS repositories on disk for tests: documents, KPI data and git.

A clean baseline passes every rule; tests plant one defect at a time (or all at once)
and assert where it is reported.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date as Date  # noqa: N812 - `date` is a parameter name here
from pathlib import Path
from typing import Any

import yaml

TODAY = "2026-11-24"

_FOLDER = {
    "strategy": "qms_docs/strategy",
    "objective": "objectives",
    "procedure": "procedures",
    "process": "procedures",
    "kpi": "qms_docs/kpis",
    "role": "qms_docs/roles",
}


def approved(**fields: Any) -> dict[str, Any]:
    """Fields of an approved, recently reviewed document."""
    base: dict[str, Any] = {
        "status": "approved",
        "version": 1,
        "approved_by": "ROLE-MD",
        "approved_on": "2026-06-01",
        "review": {"last": "2026-06-01", "interval": "12 months"},
    }
    base.update(fields)
    return base


def monthly(start: int = 1, end: int = 10, value: float = 96.0, year: int = 2026) -> str:
    """A monthly `period,value` CSV."""
    rows = ["period,value"] + [f"{year}-{m:02d},{value}" for m in range(start, end + 1)]
    return "\n".join(rows) + "\n"


class QmsRepo:
    """A QMS repository under construction in a temporary directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        (root / "qmskit.toml").write_text(f"today = {TODAY}\n", encoding="utf-8")

    def path_for(self, doc_id: str, kind: str) -> Path:
        """Where a document of `kind` lives by convention."""
        return self.root / _FOLDER.get(kind, "procedures") / f"{doc_id}.md"

    def write(self, doc_id: str, kind: str, body: str = "Body text.\n",
              filename: str | None = None, **fields: Any) -> Path:
        """Write a document; `fields` are dumped as YAML front matter in the given order."""
        front = {"id": doc_id, "kind": kind, "title": f"Title of {doc_id}", **fields}
        dumped = yaml.safe_dump(_dates(front), sort_keys=False, allow_unicode=True)
        text = "---\n" + dumped + "---\n"
        path = self.path_for(doc_id, kind)
        if filename:
            path = path.with_name(filename)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n" + body, encoding="utf-8")
        return path

    def write_raw(self, relative: str, text: str | bytes) -> Path:
        """Write a file verbatim (for broken input)."""
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def data(self, kpi_id: str, csv_text: str) -> Path:
        """Write a KPI's CSV next to the KPI documents."""
        return self.write_raw(f"qms_docs/kpis/data/{kpi_id}.csv", csv_text)

    def baseline(self) -> QmsRepo:
        """A small QMS that passes every rule as of TODAY."""
        self.write("ROLE-MD", "role", owner="ROLE-MD", holders=["managing-director"],
                   **approved())
        self.write("ROLE-QM", "role", owner="ROLE-MD", holders=["quality-lead"],
                   reports_to="ROLE-MD", **approved())
        self.write("STRAT-A", "strategy", owner="ROLE-MD", **approved())
        self.write("OBJ-A", "objective", owner="ROLE-QM", supports=["STRAT-A"],
                   due="2027-06-30", **approved())
        self.write("PROC-A", "procedure", owner="ROLE-QM", supports=["OBJ-A"], **approved())
        self.write("KPI-A", "kpi", owner="ROLE-QM", measures=["OBJ-A", "PROC-A"], unit="%",
                   direction="higher", target=95.0, warn_at=90.0, frequency="monthly",
                   data="data/KPI-A.csv", **approved())
        self.data("KPI-A", monthly())
        return self


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _dates(value: Any) -> Any:
    """ISO date strings become dates, so YAML shows them unquoted as users write them."""
    if isinstance(value, str) and _ISO_DATE.match(value):
        return Date.fromisoformat(value)
    if isinstance(value, dict):
        return {k: _dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates(v) for v in value]
    return value


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the `occurrence`-th line containing `needle`."""
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not found in {path}")


def git(root: Path, *args: str, date: str | None = None) -> str:
    """Run git in `root` with a fixed identity (and author/committer date if given)."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "quality-lead",
           "GIT_AUTHOR_EMAIL": "quality-lead@example.invalid",
           "GIT_COMMITTER_NAME": "quality-lead",
           "GIT_COMMITTER_EMAIL": "quality-lead@example.invalid"}
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{date}T12:00:00+00:00"
    done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True,
                          check=True)
    return done.stdout


def init_git(root: Path, date: str = "2026-01-15") -> None:
    """Make `root` a git repository with everything committed once."""
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Initial QMS", date=date)


EXAMPLE_PARTS = ("qms_docs", "procedures", "objectives", "qmskit.toml", "mkdocs.yml")


def copy_example(example_root: Path, target: Path) -> Path:
    """The bundled example QMS's own files (no caches, no build output), copied into a
    fresh folder so a test may change them."""
    target.mkdir(parents=True)
    for name in EXAMPLE_PARTS:
        source = example_root / name
        if source.is_dir():
            shutil.copytree(source, target / name,
                            ignore=shutil.ignore_patterns(".qmskit-cache"))
        else:
            shutil.copyfile(source, target / name)
    return target
