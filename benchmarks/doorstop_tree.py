#!/usr/bin/env python3
"""Convert a generated QMS corpus into an equivalent Doorstop tree, for the peer benchmark.

``python benchmarks/doorstop_tree.py CORPUS OUT_DIR``

Doorstop is the closest peer: requirements as files in git, links from the item that
depends to the one it serves, and a ``doorstop`` command that validates the tree. To
compare like with like, every controlled document of the corpus becomes one Doorstop
item, in Doorstop's Markdown item format (front matter plus body, like the corpus),
and every traceability link stays a link:

====================  ==========  =======  ==========================================
corpus kind           document    parent   links
====================  ==========  =======  ==========================================
strategy              STRAT       (root)   none
objective             OBJ         STRAT    ``supports``
process, procedure    PROC        OBJ      ``supports`` (objective, process or
                                           procedure), ``inputs`` (process)
kpi                   KPI         PROC     ``measures`` (process, procedure, objective)
role                  ROLE        STRAT    ``reports_to`` (items are ``derived``: a
                                           role serves no strategy)
====================  ==========  =======  ==========================================

Doorstop wants numeric UIDs (``PROC-00042``); the corpus id is kept in the extended
attribute ``qms_id``, next to owner, status, version, approval, review and the
kind's own fields. A KPI's CSV file is copied to ``data/`` and referenced from the
item (``references: [{path, type: file}]``), the Doorstop way of tying an item to a
file that must exist. Levels number the items within each functional area
(``3.17`` is the 17th item of the third area).

Links whose target does not exist are dropped and counted: Doorstop 3.2 aborts the
whole validation at the first one ("no item with UID") instead of reporting it on
the item, so a corpus with planted dangling links could not be timed. Use a corpus
generated with ``--defect-rate 0``.

The tree gets its own git repository (Doorstop locates its project through the VCS).
``prepare()`` then runs ``doorstop`` once, which reviews every new item and stamps
every link (what a team's first ``doorstop`` run does), and commits the result, so the
timed runs start from a reviewed, clean tree. Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

MANIFEST: Final = Path(".git") / "qmskit-doorstop.json"
FOLDERS: Final = ("qms_docs/strategy", "objectives", "procedures", "qms_docs/kpis",
                  "qms_docs/roles")
#: corpus kind -> (Doorstop prefix, folder in the tree, parent prefix)
DOCUMENTS: Final[dict[str, tuple[str, str, str]]] = {
    "strategy": ("STRAT", "strategy", ""),
    "objective": ("OBJ", "objectives", "STRAT"),
    "process": ("PROC", "procedures", "OBJ"),
    "procedure": ("PROC", "procedures", "OBJ"),
    "kpi": ("KPI", "kpis", "PROC"),
    "role": ("ROLE", "roles", "STRAT"),
}
LINK_FIELDS: Final = ("supports", "inputs", "measures", "reports_to")
#: Scalar or list fields carried over as Doorstop extended attributes.
ATTRIBUTES: Final = ("kind", "title", "owner", "status", "version", "approved_by",
                     "approved_on", "clauses", "superseded_by", "applies_to", "outputs",
                     "horizon", "target", "due", "unit", "direction", "warn_at",
                     "frequency", "holders", "deputy")

FieldValue = str | list[str]


@dataclass
class Source:
    """One controlled document of the corpus, as far as the conversion needs it."""

    path: Path
    fields: dict[str, FieldValue]
    review: dict[str, str]
    body: str
    uid: str = ""
    level: str = ""
    links: list[str] = field(default_factory=list)

    @property
    def qms_id(self) -> str:
        """The corpus id."""
        value = self.fields["id"]
        assert isinstance(value, str)
        return value

    @property
    def kind(self) -> str:
        """The corpus kind."""
        value = self.fields.get("kind", "")
        return value if isinstance(value, str) else ""

    @property
    def area(self) -> str:
        """Functional area from the id (``PROC-PURCH-0042`` -> ``PURCH``)."""
        parts = self.qms_id.split("-")
        return parts[1] if len(parts) > 2 and self.kind != "strategy" else parts[0]


def parse_value(text: str) -> FieldValue:
    """A scalar or flow list as the generator writes them (JSON-quoted or plain)."""
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        inner = text[1:-1].strip()
        return [str(parse_value(part)) for part in inner.split(",")] if inner else []
    if text.startswith('"'):
        value = json.loads(text)
        return value if isinstance(value, str) else str(value)
    return text


def read_source(path: Path) -> Source | None:
    """Front matter and body of one corpus file; None for pages without an id."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---\n", 4)
    if end < 0:
        return None
    fields: dict[str, FieldValue] = {}
    review: dict[str, str] = {}
    for line in text[4:end].splitlines():
        key, _, value = line.partition(":")
        if line.startswith("  "):
            review[key.strip()] = str(parse_value(value))
        elif value.strip():
            fields[key] = parse_value(value)
    if "id" not in fields:
        return None
    return Source(path, fields, review, text[end + 5:])


def yaml_scalar(value: FieldValue) -> str:
    """A YAML value: JSON syntax is valid YAML, so strings are JSON-quoted."""
    if isinstance(value, list):
        return "[" + ", ".join(json.dumps(v) for v in value) + "]"
    return json.dumps(value)


def render_item(src: Source, csv_path: str) -> str:
    """The item file in Doorstop's Markdown format, before its first review."""
    lines = ["---", "active: true", f"derived: {'true' if src.kind == 'role' else 'false'}",
             f"level: '{src.level}'"]
    if src.links:
        lines.append("links:")
        lines += [f"- {uid}:" for uid in src.links]
    lines += ["normative: true", f"qms_id: {src.qms_id}"]
    for key in ATTRIBUTES:
        if key in src.fields:
            lines.append(f"{key}: {yaml_scalar(src.fields[key])}")
    if src.review:
        lines.append("review:")
        lines += [f"  {key}: {json.dumps(value)}" for key, value in src.review.items()]
    if csv_path:
        lines += ["references:", f"- path: {csv_path}", "  type: file"]
    lines += ["reviewed:", "---", ""]
    return "\n".join(lines) + src.body.lstrip("\n")


@dataclass
class Conversion:
    """What was written: item counts per document, links kept and dropped."""

    items: dict[str, int]
    links: int
    dropped: list[str]
    csv_files: int


def convert(corpus: Path, out: Path) -> Conversion:
    """Write the Doorstop tree for ``corpus`` into the empty directory ``out``."""
    sources = [src for folder in FOLDERS
               for path in sorted((corpus / folder).glob("*.md"))
               if (src := read_source(path)) is not None]
    by_id = {src.qms_id: src for src in sources}
    areas: dict[str, int] = {}
    per_prefix: dict[str, list[Source]] = {}
    for src in sources:
        prefix = DOCUMENTS[src.kind][0]
        per_prefix.setdefault(prefix, []).append(src)
    counters: dict[tuple[str, int], int] = {}
    for prefix, group in per_prefix.items():
        digits = max(4, len(str(len(group))))
        for number, src in enumerate(sorted(group, key=lambda s: (s.area, s.qms_id)), 1):
            src.uid = f"{prefix}-{number:0{digits}d}"
            section = areas.setdefault(src.area, len(areas) + 1)
            counters[(prefix, section)] = counters.get((prefix, section), 0) + 1
            src.level = f"{section}.{counters[(prefix, section)]}"
    dropped: list[str] = []
    links = 0
    for src in sources:
        for key in LINK_FIELDS:
            value = src.fields.get(key, [])
            for target in [value] if isinstance(value, str) else value:
                if target in by_id:
                    src.links.append(by_id[target].uid)
                    links += 1
                else:
                    dropped.append(f"{src.qms_id} {key}: {target}")
    out.mkdir(parents=True, exist_ok=True)
    for kind, (prefix, folder, parent) in DOCUMENTS.items():
        if kind == "procedure" or prefix not in per_prefix:
            continue
        directory = out / folder
        directory.mkdir(exist_ok=True)
        digits = max(4, len(str(len(per_prefix[prefix]))))
        settings = ["settings:", f"  digits: {digits}", "  itemformat: markdown"]
        if parent:
            settings.append(f"  parent: {parent}")
        settings += [f"  prefix: {prefix}", "  sep: '-'"]
        (directory / ".doorstop.yml").write_text("\n".join(settings) + "\n", encoding="utf-8")
    (out / "data").mkdir(exist_ok=True)
    csv_files = 0
    for src in sources:
        csv_path = ""
        data = src.fields.get("data")
        if src.kind == "kpi" and isinstance(data, str):
            origin = src.path.parent / data
            if origin.is_file():
                csv_path = f"data/{origin.name}"
                shutil.copyfile(origin, out / csv_path)
                csv_files += 1
        folder = DOCUMENTS[src.kind][1]
        (out / folder / f"{src.uid}.md").write_text(render_item(src, csv_path), encoding="utf-8")
    counts = {prefix: len(group) for prefix, group in per_prefix.items()}
    return Conversion(counts, links, dropped, csv_files)


def git(tree: Path, *args: str) -> None:
    """Run git in the tree with a fixed identity, failing loudly."""
    subprocess.run(["git", "-c", "user.name=doorstop-bench",
                    "-c", "user.email=doorstop-bench@example.invalid", *args],
                   cwd=tree, check=True, capture_output=True)


def converter_digest() -> str:
    """SHA-256 of this file: a changed converter invalidates cached trees."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def read_manifest(tree: Path) -> dict[str, object] | None:
    """The manifest of a prepared tree, or None."""
    try:
        data = json.loads((tree / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def prepare(corpus: Path, tree: Path, doorstop: Path, source_id: str) -> dict[str, object]:
    """Convert, review and commit a tree for ``corpus``; reuse a prepared one if current.

    ``source_id`` names the corpus version (its generator digest), so a regenerated
    corpus gets a new tree.
    """
    manifest = read_manifest(tree)
    if (manifest is not None and manifest.get("converter_sha256") == converter_digest()
            and manifest.get("source") == source_id):
        return manifest
    if tree.exists():
        shutil.rmtree(tree)
    started = time.perf_counter()
    conversion = convert(corpus, tree)
    git(tree, "init", "--quiet", "--initial-branch=main")
    git(tree, "add", "-A")
    git(tree, "commit", "--quiet", "-m", "Import the QMS as a Doorstop tree")
    # The first run reviews every new item and stamps every link, then rewrites them.
    setup_start = time.perf_counter()
    done = subprocess.run([str(doorstop)], cwd=tree, capture_output=True, text=True,
                          check=False)
    setup_seconds = time.perf_counter() - setup_start
    if done.returncode not in (0, 1) or "Traceback" in done.stderr:
        raise RuntimeError(f"doorstop setup run failed in {tree}:\n{done.stderr[-2000:]}")
    git(tree, "add", "-A")
    git(tree, "commit", "--quiet", "--allow-empty", "-m", "doorstop: review items, stamp links")
    manifest = {
        "converter_sha256": converter_digest(),
        "source": source_id,
        "corpus": str(corpus),
        "items": conversion.items,
        "links": conversion.links,
        "dropped_links": conversion.dropped,
        "csv_files": conversion.csv_files,
        "setup_seconds": round(setup_seconds, 2),
        "seconds": round(time.perf_counter() - started, 2),
    }
    (tree / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> int:
    """Convert one corpus (without the review run) and print a summary."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("corpus", type=Path, help="a corpus made by benchmarks/generate.py")
    parser.add_argument("out", type=Path, help="directory to create (must not exist)")
    args = parser.parse_args(argv)
    if args.out.exists():
        print(f"error: {args.out} exists", file=sys.stderr)
        return 2
    conversion = convert(args.corpus, args.out)
    print(f"{args.out}: {sum(conversion.items.values())} items {conversion.items}, "
          f"{conversion.links} links, {len(conversion.dropped)} dropped, "
          f"{conversion.csv_files} CSV files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
