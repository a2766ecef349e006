"""Read a QMS repository once: every file, every KPI data file, and git history.

The loader turns files into validated documents and *located* problems. It never stops at
the first bad file: a broken file becomes a finding, its id (when it can be guessed) is
remembered so that links to it do not cascade into "dangling link" noise, and every other
file is still checked.
"""

from __future__ import annotations

import difflib
import fnmatch
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from qmskit.config import Config
from qmskit.findings import Finding
from qmskit.frontmatter import FrontMatter, FrontMatterError, KeyPath, Position, guess_id, parse
from qmskit.kpidata import Measurement, SeriesError, parse_series
from qmskit.model.documents import COMMON_LINKS, MODELS, Document, Kpi
from qmskit.model.types import ID_PATTERN, KINDS

if TYPE_CHECKING:
    from qmskit.gitinfo import GitFacts
    from qmskit.graph import Graph

_ID_RE = re.compile(ID_PATTERN)
_REQUIRED_PLACEHOLDERS: dict[str, Any] = {"title": "(untitled)", "status": "draft"}


@dataclass
class Doc:
    """A controlled document as loaded: its validated front matter, body and positions."""

    path: str
    model: Document
    positions: dict[KeyPath, Position]
    key_positions: dict[KeyPath, Position]
    body: str
    body_line: int

    @property
    def id(self) -> str:
        """The stable document id, e.g. PROC-PURCH."""
        return self.model.id

    @property
    def kind(self) -> str:
        """The document kind (strategy, objective, procedure, ...)."""
        return self.model.kind

    @property
    def title(self) -> str:
        """The human title."""
        return self.model.title

    @property
    def status(self) -> str:
        """draft, approved or retired."""
        return self.model.status

    def pos(self, *path: str | int) -> Position:
        """Line and column of a front-matter value, falling back to its key, then `id`."""
        key: KeyPath = tuple(path)
        while key:
            if key in self.positions:
                return self.positions[key]
            if key in self.key_positions:
                return self.key_positions[key]
            key = key[:-1]
        return self.key_positions.get(("id",), (2, 1))

    def key_pos(self, name: str) -> Position:
        """Where a field's key is written (for "missing"/"unexpected" findings)."""
        return self.key_positions.get((name,)) or self.pos("id")

    def links(self) -> Iterator[tuple[str, int, str]]:
        """Every outgoing link as (field, index, target id); `review.by` is one field."""
        for name in (*type(self.model).links, *COMMON_LINKS):
            if name == "review.by":
                value: object = self.model.review.by if self.model.review else None
            else:
                value = getattr(self.model, name, None)
            if isinstance(value, str):
                yield name, -1, value
            elif isinstance(value, list):
                for index, target in enumerate(value):
                    yield name, index, target

    def link_pos(self, name: str, index: int) -> Position:
        """Position of the link `name[index]` (index -1 for a single-valued field)."""
        parts: tuple[str | int, ...] = tuple(name.split("."))
        return self.pos(*parts, index) if index >= 0 else self.pos(*parts)


@dataclass
class Qms:
    """A loaded QMS: the one object every rule, report and page generator reads."""

    root: Path
    config: Config
    documents: dict[str, Doc] = field(default_factory=dict)
    duplicates: list[tuple[Doc, Doc]] = field(default_factory=list)
    broken_ids: set[str] = field(default_factory=set)
    pages: list[str] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)
    series: dict[str, list[Measurement]] = field(default_factory=dict)
    series_paths: dict[str, str] = field(default_factory=dict)
    git: GitFacts | None = None

    @cached_property
    def graph(self) -> Graph:
        """The document graph, built on first use (commands that only list skip it)."""
        from qmskit.graph import Graph

        return Graph.from_documents(self.documents.values())

    def of_kind(self, *kinds: str) -> list[Doc]:
        """Documents of the given kinds, in id order (stable output for reports)."""
        return sorted((d for d in self.documents.values() if d.kind in kinds), key=lambda d: d.id)

    def relpath(self, path: Path) -> str:
        """A path relative to the root, POSIX style, as findings print it."""
        return path.relative_to(self.root).as_posix()


def iter_markdown(root: Path, config: Config) -> Iterator[Path]:
    """Markdown files under the configured folders; hidden folders and excludes skipped.

    Directory symlinks are not followed (no loops, no escape from the repository).
    """
    seen: set[Path] = set()
    for folder in config.folders:
        base = root / folder
        if not base.is_dir():
            continue
        for current, dirs, files in os.walk(base):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if not name.endswith(".md") or name.startswith("."):
                    continue
                path = Path(current, name)
                if path in seen:
                    continue
                seen.add(path)
                relative = path.relative_to(root).as_posix()
                if any(fnmatch.fnmatch(relative, pattern) for pattern in config.exclude):
                    continue
                yield path


@dataclass
class FileResult:
    """The outcome of reading one file: parsed front matter or a located problem."""

    relative: str
    front_matter: FrontMatter | None = None
    problem: Finding | None = None
    guessed_id: str | None = None


def read_file(root: Path, path: Path, max_size: int) -> FileResult:
    """Read and parse one Markdown file without raising; problems become findings."""
    relative = path.relative_to(root).as_posix()

    def problem(line: int, col: int, message: str, hint: str = "") -> FileResult:
        return FileResult(relative, problem=Finding(relative, line, col, "D101", message,
                                                    hint=hint))

    try:
        if path.is_symlink():
            target = path.resolve()
            if not target.is_relative_to(root.resolve()):
                return problem(1, 1, "symlink points outside the repository",
                               "copy the document into the repository instead")
        size = path.stat().st_size
        if size > max_size:
            return problem(1, 1, f"file is {size:,} bytes, over the {max_size:,}-byte limit",
                           "split the document, or raise max_file_size in qmskit.toml")
        raw = path.read_bytes()
    except OSError as error:
        return problem(1, 1, f"cannot read file: {error.strerror or error}")
    if b"\0" in raw[:8192]:
        return problem(1, 1, "file is binary, not Markdown text", "rename or remove it")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        col = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return problem(line, col, "file is not valid UTF-8", "save the file as UTF-8")
    try:
        front_matter = parse(text)
    except FrontMatterError as error:
        result = problem(error.line, error.col, error.message, error.hint)
        result.guessed_id = guess_id(text)
        return result
    return FileResult(relative, front_matter=front_matter)


def _validation_findings(
    relative: str, fm: FrontMatter, model: type[Document], error: ValidationError
) -> tuple[list[Finding], set[str]]:
    findings: list[Finding] = []
    bad_keys: set[str] = set()
    known = list(model.model_fields)
    for item in error.errors():
        loc = tuple(item["loc"])
        top = str(loc[0]) if loc else ""
        bad_keys.add(top)
        where = ".".join(str(part) for part in loc)
        hint = ""
        if item["type"] == "extra_forbidden":
            pos = fm.key_positions.get(loc) or fm.positions.get(loc) or (2, 1)
            message = f"unknown field '{where}'"
            close = difflib.get_close_matches(str(loc[-1]), [*known, "last", "interval", "by"], 1)
            hint = f"did you mean '{close[0]}'?" if close else "remove it or check the spelling"
        elif item["type"] == "missing":
            pos = fm.key_positions.get(("id",), (2, 1))
            message = f"missing required field '{where}'"
            hint = f"add '{where}:' to the front matter"
        else:
            pos = fm.positions.get(loc) or fm.key_positions.get(loc) or (2, 1)
            text = str(item["msg"]).removeprefix("Value error, ")
            message = f"{where}: {text}"
        findings.append(Finding(relative, pos[0], pos[1], "D102", message, hint=hint))
    return findings, bad_keys


def validate_document(
    relative: str, fm: FrontMatter
) -> tuple[Doc | None, list[Finding], str | None]:
    """Turn front matter into a Doc; returns (doc, findings, id of an unusable document).

    A document with schema errors is still kept when its id and kind are sound: the bad
    fields are dropped so the rest of it still takes part in the graph.
    """
    data = fm.data
    if data is None or "id" not in data:
        return None, [], None
    findings = [
        Finding(relative, pos[0], pos[1], "D101", f"duplicate key '{'.'.join(map(str, key))}'",
                hint="YAML keeps only the last value; remove one of them")
        for key, pos in fm.duplicate_keys
    ]
    id_pos = fm.positions.get(("id",), (2, 1))
    doc_id = data["id"]
    if not isinstance(doc_id, str) or not _ID_RE.match(doc_id):
        findings.append(Finding(relative, id_pos[0], id_pos[1], "D102",
                                f"id {doc_id!r} does not match {ID_PATTERN}",
                                hint="use capitals, digits and dashes, e.g. PROC-PURCH"))
        return None, findings, None
    kind = data.get("kind")
    if kind not in MODELS:
        if kind is None:
            pos = fm.key_positions.get(("id",), (2, 1))
            message = "missing required field 'kind'"
        else:
            pos = fm.positions.get(("kind",), id_pos)
            message = f"unknown kind {kind!r}"
        close = difflib.get_close_matches(str(kind), KINDS, 1) if kind is not None else []
        hint = f"did you mean '{close[0]}'?" if close else f"use one of: {', '.join(KINDS)}"
        findings.append(Finding(relative, pos[0], pos[1], "D104", message, hint=hint,
                                doc_id=doc_id))
        return None, findings, doc_id
    model_type = MODELS[kind]
    try:
        model = model_type.model_validate(data)
    except ValidationError as error:
        schema_findings, bad_keys = _validation_findings(relative, fm, model_type, error)
        findings.extend(f for f in schema_findings)
        salvage = {k: v for k, v in data.items() if k not in bad_keys}
        for name, placeholder in _REQUIRED_PLACEHOLDERS.items():
            salvage.setdefault(name, placeholder)
        try:
            model = model_type.model_validate(salvage)
        except ValidationError:
            return None, findings, doc_id
    doc = Doc(relative, model, fm.positions, fm.key_positions, fm.body, fm.body_line)
    return doc, [
        Finding(f.path, f.line, f.col, f.code, f.message, hint=f.hint, doc_id=doc_id)
        for f in findings
    ], None


def _load_series(qms: Qms, doc: Doc) -> None:
    model = doc.model
    assert isinstance(model, Kpi)
    if model.data is None:
        return
    line, col = doc.pos("data")
    base = (qms.root / doc.path).parent
    target = (base / model.data).resolve()
    if not target.is_relative_to(qms.root.resolve()):
        qms.problems.append(Finding(doc.path, line, col, "D105",
                                    f"data path {model.data!r} points outside the repository",
                                    hint="keep KPI data inside the repository", doc_id=doc.id))
        return
    try:
        relative = target.relative_to(qms.root.resolve()).as_posix()
    except ValueError:  # pragma: no cover - guarded above
        relative = model.data
    try:
        if target.stat().st_size > qms.config.max_file_size:
            raise SeriesError(1, 1, "KPI data file is over the size limit")
        text = target.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        qms.problems.append(Finding(doc.path, line, col, "D105",
                                    f"data file {model.data!r} does not exist",
                                    hint=f"create {relative} with the header 'period,value'",
                                    doc_id=doc.id))
        return
    except (OSError, UnicodeDecodeError) as error:
        qms.problems.append(Finding(doc.path, line, col, "D105",
                                    f"data file {model.data!r} cannot be read: {error}",
                                    doc_id=doc.id))
        return
    except SeriesError as error:
        qms.problems.append(Finding(relative, error.line, error.col, "D105", error.message,
                                    hint=error.hint, doc_id=doc.id))
        return
    qms.series_paths[doc.id] = relative
    try:
        qms.series[doc.id] = parse_series(text, model.frequency)
    except SeriesError as error:
        qms.problems.append(Finding(relative, error.line, error.col, "D105", error.message,
                                    hint=error.hint, doc_id=doc.id))


def load_qms(root: Path, config: Config, *, with_git: bool = True) -> Qms:
    """Load the QMS under `root`; never raises for bad content, only for a missing root."""
    from qmskit.errors import QmsError

    root = root.absolute()
    if not root.is_dir():
        raise QmsError(f"{root}: not a directory; pass the root of a QMS repository")
    qms = Qms(root=root, config=config)
    paths = list(iter_markdown(root, config))
    results = [read_file(root, path, config.max_file_size) for path in paths]
    for result in results:
        if result.problem is not None:
            qms.problems.append(result.problem)
            if result.guessed_id:
                qms.broken_ids.add(result.guessed_id)
            continue
        assert result.front_matter is not None
        doc, findings, broken = validate_document(result.relative, result.front_matter)
        qms.problems.extend(findings)
        if broken:
            qms.broken_ids.add(broken)
        if doc is None:
            if broken is None and not findings:
                qms.pages.append(result.relative)
            continue
        original = qms.documents.get(doc.id)
        if original is not None:
            qms.duplicates.append((doc, original))
        else:
            qms.documents[doc.id] = doc
    for doc in qms.of_kind("kpi"):
        _load_series(qms, doc)
    if with_git:
        from qmskit.gitinfo import read_git_facts

        qms.git = read_git_facts(root, config.folders)
    return qms
