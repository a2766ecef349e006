#!/usr/bin/env python3
"""Convert a generated QMS corpus into equivalent StrictDoc documents, for the peer benchmark.

``python benchmarks/strictdoc_tree.py CORPUS OUT_DIR``

StrictDoc (requirements in ``.sdoc`` text files, exported to a static HTML site) is the
yardstick for the handbook: issue 15 wants ``mkdocs build`` with the qmskit plugin to
publish N documents no slower than ``strictdoc export --formats=html`` publishes N
requirements. To compare like with like, every controlled document of the corpus
becomes one requirement, in one ``.sdoc`` document per kind (like the corpus folders),
with a section per functional area:

=================  ===================  ==============================================
corpus kind        StrictDoc document   Parent relations (the item it serves)
=================  ===================  ==============================================
strategy           strategy.sdoc        none
objective          objectives.sdoc      ``supports`` (strategy)
process/procedure  procedures.sdoc      ``supports`` (objective, process or procedure)
kpi                kpis.sdoc            ``measures`` (process, procedure, objective)
role               roles.sdoc           ``reports_to`` (role)
=================  ===================  ==============================================

Each requirement carries UID (the corpus id), STATUS, TITLE, STATEMENT (the Markdown
body without its first heading, which repeats the title; the documents use
``MARKUP: Markdown`` so StrictDoc renders headings, lists and tables as the handbook
does) and COMMENT (owner, version, approval and review, the metadata panel of a
handbook page). ``inputs``/``outputs`` between processes are left out: they are
mirrored both ways, and StrictDoc's Parent relations must not form cycles. KPI data
(CSV) has no StrictDoc equivalent and is left out too; so is the git history.

The syntax is that of StrictDoc 0.30 (``[[SECTION]]`` composite nodes; the older
``[SECTION]`` is rejected). Standard library only; front matter is read with
``doorstop_tree.read_source`` (the generator's own simple YAML subset).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from doorstop_tree import FOLDERS, Source, read_source

#: corpus kind -> (StrictDoc document file, document title, link fields made Parent relations)
DOCUMENTS: Final[dict[str, tuple[str, str, tuple[str, ...]]]] = {
    "strategy": ("strategy.sdoc", "Strategy", ()),
    "objective": ("objectives.sdoc", "Quality objectives", ("supports",)),
    "process": ("procedures.sdoc", "Processes and procedures", ("supports",)),
    "procedure": ("procedures.sdoc", "Processes and procedures", ("supports",)),
    "kpi": ("kpis.sdoc", "Key performance indicators", ("measures",)),
    "role": ("roles.sdoc", "Roles and responsibilities", ("reports_to",)),
}


@dataclass
class Conversion:
    """What was written: requirements per document file, relations kept and dropped."""

    requirements: dict[str, int] = field(default_factory=dict)
    relations: int = 0
    dropped: list[str] = field(default_factory=list)


def single_line(text: str) -> str:
    """A value for a one-line SDoc field: no line breaks, never empty."""
    return " ".join(text.split()) or "-"


def statement(src: Source) -> str:
    """The body as a multi-line SDoc value: its first ``# heading`` dropped, never empty."""
    lines = src.body.strip("\n").splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    # A line starting with "<<<" would end the value early; none is expected.
    text = "\n".join(" " + line if line.startswith("<<<") else line for line in lines).strip()
    return text or single_line(str(src.fields.get("title", src.qms_id)))


def comment(src: Source) -> str:
    """Owner, version, approval and review on one line."""
    parts = [f"{key}: {src.fields[key]}" for key in ("kind", "owner", "version",
                                                     "approved_by", "approved_on")
             if isinstance(src.fields.get(key), str)]
    if src.review:
        parts.append("review: " + ", ".join(f"{k} {v}" for k, v in src.review.items()))
    return single_line("; ".join(parts))


def render_requirement(src: Source, parents: list[str]) -> str:
    """One ``[REQUIREMENT]`` node, fields in the default grammar's order."""
    title = src.fields.get("title", src.qms_id)
    lines = ["[REQUIREMENT]", f"UID: {src.qms_id}",
             f"STATUS: {single_line(str(src.fields.get('status', 'approved')))}",
             f"TITLE: {single_line(title if isinstance(title, str) else src.qms_id)}",
             "STATEMENT: >>>", statement(src), "<<<", f"COMMENT: {comment(src)}"]
    if parents:
        lines.append("RELATIONS:")
        for uid in parents:
            lines += ["- TYPE: Parent", f"  VALUE: {uid}"]
    return "\n".join(lines) + "\n"


def convert(corpus: Path, out: Path) -> Conversion:
    """Write one ``.sdoc`` file per kind for ``corpus`` into the directory ``out``."""
    sources = [src for folder in FOLDERS
               for path in sorted((corpus / folder).glob("*.md"))
               if (src := read_source(path)) is not None]
    known = {src.qms_id for src in sources}
    conversion = Conversion()
    files: dict[str, dict[str, list[str]]] = {}
    for src in sorted(sources, key=lambda s: (s.area, s.qms_id)):
        name, _, link_fields = DOCUMENTS[src.kind]
        parents: list[str] = []
        for key in link_fields:
            value = src.fields.get(key, [])
            for target in [value] if isinstance(value, str) else value:
                if target in known:
                    parents.append(target)
                else:
                    conversion.dropped.append(f"{src.qms_id} {key}: {target}")
        conversion.relations += len(parents)
        files.setdefault(name, {}).setdefault(src.area, []).append(
            render_requirement(src, parents))
        conversion.requirements[name] = conversion.requirements.get(name, 0) + 1
    out.mkdir(parents=True, exist_ok=True)
    titles = {name: title for name, title, _ in DOCUMENTS.values()}
    for name, areas in files.items():
        parts = [f"[DOCUMENT]\nTITLE: {titles[name]}\nOPTIONS:\n  MARKUP: Markdown\n"]
        for area, nodes in areas.items():
            parts.append(f"[[SECTION]]\nTITLE: {area}\n")
            parts += nodes
            parts.append("[[/SECTION]]\n")
        (out / name).write_text("\n".join(parts), encoding="utf-8")
    return conversion


def main(argv: list[str] | None = None) -> int:
    """Convert one corpus and print a summary."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("corpus", type=Path, help="a corpus made by benchmarks/generate.py")
    parser.add_argument("out", type=Path, help="directory to create (must not exist)")
    args = parser.parse_args(argv)
    if args.out.exists():
        print(f"error: {args.out} exists", file=sys.stderr)
        return 2
    conversion = convert(args.corpus, args.out)
    print(f"{args.out}: {sum(conversion.requirements.values())} requirements "
          f"{conversion.requirements}, {conversion.relations} Parent relations, "
          f"{len(conversion.dropped)} dropped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
