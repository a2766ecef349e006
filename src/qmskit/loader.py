"""Read a QMS repository once: every file, every KPI data file, and git history.

The loader turns files into validated documents and *located* problems. It never stops at
the first bad file: a broken file becomes a finding, its id (when it can be guessed) is
remembered so that links to it do not cascade into "dangling link" noise, and every other
file is still checked.
"""

from __future__ import annotations

import difflib
import os
import posixpath
import re
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from dataclasses import fields as dataclass_fields
from datetime import date
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import ValidationError

from qmskit.cache import Cache, cache_dir, cache_key, load_payload, store_payload
from qmskit.config import Config, load_config
from qmskit.errors import QmsError
from qmskit.git.reader import CachedFacts, GitReader, cached_facts
from qmskit.git.repo import GitRepo, TreeEntry
from qmskit.git.run import GitError
from qmskit.model.doc import Doc
from qmskit.model.documents import MODELS, Document, Kpi
from qmskit.model.findings import Finding
from qmskit.model.frontmatter import (
    FrontMatter,
    FrontMatterError,
    guess_id,
    parse,
)
from qmskit.model.series import Measurement, Period, SeriesError, parse_series
from qmskit.model.types import ID_PATTERN, KINDS
from qmskit.qms import Qms
from qmskit.walk import walk

_ID_RE = re.compile(ID_PATTERN)
_REQUIRED_PLACEHOLDERS: dict[str, Any] = {"title": "(untitled)", "status": "draft"}


def iter_markdown(root: Path, config: Config) -> Iterator[tuple[str, str]]:
    """(absolute path, root-relative POSIX path) of the Markdown files in the QMS folders,
    from the one walker (`qmskit.walk`), so the check reads exactly what the site shows."""
    return walk(root, config.folders, config.exclude, ".md")


@dataclass
class FileResult:
    """The outcome of reading one file: parsed front matter or a located problem."""

    relative: str
    front_matter: FrontMatter | None = None
    problem: Finding | None = None
    guessed_id: str | None = None
    source: str = ""


def _inside(root: Path, path: str) -> bool:
    return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(root))


@lru_cache(maxsize=1024)
def _real_dir(directory: str) -> str:
    return os.path.realpath(directory)


def _data_inside(root: str, target: str) -> bool:
    """True when `target` (symlinks in any component resolved) stays under `root`.

    Directory real paths are cached: thousands of KPI files share a few data folders.
    """
    real_root = _real_dir(root)
    real = os.path.join(_real_dir(os.path.dirname(target)), os.path.basename(target))
    if os.path.islink(real):
        real = os.path.realpath(real)
    return real == real_root or real.startswith(real_root + os.sep)


def read_file(root: Path, path: str, relative: str, max_size: int,
              positions: bool = True) -> FileResult:
    """Read and parse one Markdown file without raising; problems become findings."""
    raw = read_bytes(root, path, relative, max_size)
    if isinstance(raw, FileResult):
        return raw
    return parse_bytes(path, relative, raw, positions)


def _problem(relative: str, line: int, col: int, message: str, hint: str = "") -> FileResult:
    return FileResult(relative, problem=Finding(relative, line, col, "D101", message, hint=hint))


def read_bytes(root: Path, path: str, relative: str, max_size: int) -> bytes | FileResult:
    """The file's bytes, or a located problem (outside symlink, too large, unreadable)."""
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            if not _inside(root, path):
                return _problem(relative, 1, 1, "symlink points outside the repository",
                                "copy the document into the repository instead")
            info = os.stat(path)
        if info.st_size > max_size:
            return _problem(relative, 1, 1, f"file is {info.st_size:,} bytes, over the "
                            f"{max_size:,}-byte limit",
                            "split the document, or raise max_file_size in qmskit.toml")
        with open(path, "rb") as handle:
            return handle.read(max_size + 1)
    except OSError as error:
        return _problem(relative, 1, 1, f"cannot read file: {error.strerror or error}")


def parse_bytes(path: str, relative: str, raw: bytes, positions: bool = True) -> FileResult:
    """Decode and parse a file's bytes; binary or non-UTF-8 content is a located problem."""
    if b"\0" in raw[:8192]:
        return _problem(relative, 1, 1, "file is binary, not Markdown text",
                        "rename or remove it")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        col = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return _problem(relative, line, col, "file is not valid UTF-8", "save the file as UTF-8")
    try:
        front_matter = parse(text, positions=positions)
    except FrontMatterError as error:
        result = _problem(relative, error.line, error.col, error.message, error.hint)
        result.guessed_id = guess_id(text)
        return result
    if not positions:
        front_matter.body = None  # re-read on demand; keeps memory and IPC small
    return FileResult(relative, front_matter=front_matter, source=path)


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
            value = item.get("input")
            if item["type"] == "string_type" and isinstance(value, (date, int, float, bool)):
                # YAML's implicit typing: `title: 2026-01-01` or `unit: 100` are not strings.
                hint = f"YAML read this as a {type(value).__name__}; quote it: '{value}'"
        findings.append(Finding(relative, pos[0], pos[1], "D102", message, hint=hint))
    return findings, bad_keys


def validate_document(
    relative: str, fm: FrontMatter, source: str = ""
) -> tuple[Doc | None, list[Finding], str | None]:
    """Turn front matter into a Doc; returns (doc, findings, id of an unusable document).

    A document with schema errors is still kept when its id and kind are sound: the bad
    fields are dropped so the rest of it still takes part in the graph. Front matter
    parsed without positions is re-parsed with them when there is something to report.
    """
    doc, findings, broken = _validate(relative, fm, source)
    if findings and not fm.has_positions and source:
        try:
            with open(source, "rb") as handle:
                located = parse(handle.read().decode("utf-8-sig"), positions=True)
        except (OSError, UnicodeDecodeError, FrontMatterError):
            return doc, findings, broken
        return _validate(relative, located, source)
    return doc, findings, broken


def _validate(
    relative: str, fm: FrontMatter, source: str
) -> tuple[Doc | None, list[Finding], str | None]:
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
    doc = Doc(relative, model, source, fm.body_line)
    if fm.has_positions:
        doc._positions, doc._key_positions = fm.positions, fm.key_positions
    if fm.body is not None:
        doc._body = fm.body
    return doc, [
        Finding(f.path, f.line, f.col, f.code, f.message, hint=f.hint, doc_id=doc_id)
        for f in findings
    ], None


def _load_series(qms: Qms, doc: Doc, cache: Cache | None = None) -> None:
    model = doc.model
    assert isinstance(model, Kpi)
    if model.data is None:
        return

    def at_data(message: str, hint: str = "") -> Finding:
        # Positions are looked up only when there is something to report (lazy parse).
        line, col = doc.pos("data")
        return Finding(doc.path, line, col, "D105", message, hint=hint, doc_id=doc.id)

    # Normalise lexically first (cheap); only symlinks need the real path resolved.
    relative = posixpath.normpath(posixpath.join(posixpath.dirname(doc.path), model.data))
    target = os.path.join(str(qms.root), relative)
    if (relative.startswith("../") or relative == ".." or posixpath.isabs(model.data)
            or not _data_inside(str(qms.root), target)):
        qms.problems.append(at_data(f"data path {model.data!r} points outside the repository",
                                    "keep KPI data inside the repository"))
        return
    try:
        info = os.stat(target)
        key = "data:" + relative
        cached = _decode_series(cache.get(key, info), model.frequency) if cache else None
        if cached is not None:
            outcome = cached
        else:
            if info.st_size > qms.config.max_file_size:
                raise SeriesError(1, 1, "KPI data file is over the size limit")
            with open(target, "rb") as handle:
                raw = handle.read()
            try:
                outcome = parse_series(raw.decode("utf-8-sig"), model.frequency)
            except SeriesError as error:
                outcome = (error.line, error.col, error.message, error.hint)
            if cache is not None:
                cache.put(key, info, raw + model.frequency.encode(),
                          _encode_series(model.frequency, outcome))
    except FileNotFoundError:
        qms.problems.append(at_data(f"data file {model.data!r} does not exist",
                                    f"create {relative} with the header 'period,value'"))
        return
    except (OSError, UnicodeDecodeError) as error:
        qms.problems.append(at_data(f"data file {model.data!r} cannot be read: {error}"))
        return
    except SeriesError as error:
        qms.problems.append(Finding(relative, error.line, error.col, "D105", error.message,
                                    hint=error.hint, doc_id=doc.id))
        return
    qms.series_paths[doc.id] = relative
    if isinstance(outcome, tuple):
        line, col, message, hint = outcome
        qms.problems.append(Finding(relative, line, col, "D105", message, hint=hint,
                                    doc_id=doc.id))
    else:
        qms.series[doc.id] = outcome


#: Below this many files a second process costs more than it saves.
PARALLEL_THRESHOLD = 2_000


Item = tuple[str, str, bytes | None]


def _read_chunk(root: Path, items: list[Item], max_size: int,
                positions: bool = False) -> list[FileResult]:
    return [
        parse_bytes(path, relative, raw, positions) if raw is not None
        else read_file(root, path, relative, max_size, positions)
        for path, relative, raw in items
    ]


def read_files(root: Path, items: list[Item], max_size: int) -> list[FileResult]:
    """Read and parse files, on two cores when the repository is large.

    Parsing is CPU-bound Python, so threads would not help; a forked worker parses the
    second half while this process parses the first. Results come back without
    positions or bodies (a few bytes per value), since pickling those cost more than
    the parallelism saved.
    """
    workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    if len(items) < PARALLEL_THRESHOLD or workers < 2:
        return _read_chunk(root, items, max_size, positions=len(items) < PARALLEL_THRESHOLD)
    import multiprocessing

    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - platforms without fork
        return _read_chunk(root, items, max_size)
    half = len(items) // 2
    with context.Pool(1) as pool:
        second = pool.apply_async(_read_chunk, (root, items[half:], max_size))
        first = _read_chunk(root, items[:half], max_size)
        return first + second.get()


Outcome = tuple[Document | None, int, list[Finding], str | None, bool]


def _outcome(result: FileResult) -> Outcome:
    """What one file contributes, without its path (so cache entries survive renames):
    (model, body line, findings, id of an unusable document, is a plain page)."""
    if result.problem is not None:
        return None, 0, [replace(result.problem, path="")], result.guessed_id, False
    assert result.front_matter is not None
    doc, findings, broken = validate_document(result.relative, result.front_matter,
                                              result.source)
    path_free = [replace(f, path="") for f in findings]
    if doc is None:
        return None, 0, path_free, broken, broken is None and not findings
    return doc.model, doc.body_line, path_free, broken, False


def _outcomes(root: Path, config: Config, items: list[tuple[str, str]],
              cache: Cache | None) -> tuple[list[Outcome], dict[str, Doc]]:
    """One outcome per file, from the cache where the file is unchanged."""
    found: dict[str, Outcome] = {}
    fresh_docs: dict[str, Doc] = {}
    pending: list[Item] = []
    keys: dict[str, tuple[os.stat_result, bytes]] = {}
    for path, relative in items:
        if cache is None:
            pending.append((path, relative, None))
            continue
        try:
            info = os.lstat(path)
        except OSError:
            pending.append((path, relative, None))
            continue
        if stat.S_ISLNK(info.st_mode) or info.st_size > config.max_file_size:
            pending.append((path, relative, None))  # never cached: re-checked every time
            continue
        hit = _decode_outcome(cache, relative, cache.get(relative, info))
        if hit is None:
            raw = read_bytes(root, path, relative, config.max_file_size)
            if isinstance(raw, FileResult):
                pending.append((path, relative, None))
                continue
            hit = _decode_outcome(cache, relative, cache.get_by_content(relative, info, raw))
            if hit is None:
                keys[relative] = (info, raw)
                pending.append((path, relative, raw))
                continue
        found[relative] = hit
    for result in read_files(root, pending, config.max_file_size):
        outcome = _outcome(result)
        found[result.relative] = outcome
        if outcome[0] is not None and result.front_matter is not None:
            # Keep positions and body already parsed, so they are not read twice.
            model = outcome[0]
            doc = Doc(result.relative, model, result.source, outcome[1])
            if result.front_matter.has_positions:
                doc._positions = result.front_matter.positions
                doc._key_positions = result.front_matter.key_positions
            if result.front_matter.body is not None:
                doc._body = result.front_matter.body
            fresh_docs[result.relative] = doc
        if cache is not None and result.relative in keys:
            info, raw = keys[result.relative]
            encoded = _encode_outcome(outcome)
            if encoded is not None:
                cache.put(result.relative, info, raw, encoded)
    return [found[relative] for _, relative in items], fresh_docs


# --- the documents cache: outcomes and KPI series as JSON ------------------------------
# The cache holds JSON (see `qmskit.cache`): a model is stored as its own JSON and read
# back through pydantic's validation, findings and series field by field. Whatever does
# not decode to exactly what was stored is a miss, and the file is parsed again.

_SCALARS = (str, int, float)


def _scalar(value: object) -> bool:
    return value is None or (type(value) in _SCALARS)


def _encode_finding(finding: Finding) -> dict[str, object]:
    return {f.name: getattr(finding, f.name) for f in dataclass_fields(Finding)}


def _decode_finding(value: object) -> Finding:
    if not isinstance(value, dict) or not all(_scalar(v) for v in value.values()):
        raise ValueError("not a finding")
    finding = Finding(**value)
    if finding.severity not in ("error", "warning"):
        raise ValueError("not a severity")
    return finding


def _encode_outcome(outcome: Outcome) -> list[object] | None:
    """The JSON form of a file's outcome; None when the model would not read back equal
    (such a file is simply parsed every time)."""
    model, body_line, findings, broken, is_page = outcome
    kind = model_json = None
    if model is not None:
        kind = getattr(model, "kind", None)
        model_type = MODELS.get(kind) if isinstance(kind, str) else None
        if model_type is not type(model):
            return None
        model_json = model.model_dump_json()
        try:
            if model_type.model_validate_json(model_json) != model:
                return None
        except ValueError:
            return None
    return ["md", kind, model_json, body_line, [_encode_finding(f) for f in findings],
            broken, is_page]


def _decode_outcome(cache: Cache, relative: str, value: object) -> Outcome | None:
    """A stored outcome, validated; None (and the entry forgotten) when it is not one."""
    if value is None:
        return None
    try:
        if not isinstance(value, list) or len(value) != 7 or value[0] != "md":
            raise ValueError("not a document entry")
        _, kind, model_json, body_line, findings, broken, is_page = value
        model = None
        if model_json is not None:
            model_type = MODELS.get(kind) if isinstance(kind, str) else None
            if model_type is None or not isinstance(model_json, str):
                raise ValueError("not a model")
            model = model_type.model_validate_json(model_json)
        if (type(body_line) is not int or not isinstance(findings, list)
                or not (broken is None or isinstance(broken, str))
                or type(is_page) is not bool):
            raise ValueError("not an outcome")
        return model, body_line, [_decode_finding(f) for f in findings], broken, is_page
    except (ValueError, TypeError):
        cache.drop(relative)
        return None


SeriesOutcome = list[Measurement] | tuple[int, int, str, str]


def _encode_series(frequency: str, outcome: SeriesOutcome) -> list[object]:
    if isinstance(outcome, list):
        rows = [[{"period": v.label} if isinstance(v, Period) else v for v in row]
                for row in outcome]
        return ["data", frequency, "ok", rows]
    return ["data", frequency, "error", list(outcome)]


def _decode_series(value: object, frequency: str) -> SeriesOutcome | None:
    """A stored KPI series for `frequency`, validated; None when it is not one."""
    if not (isinstance(value, list) and len(value) == 4 and value[0] == "data"
            and value[1] == frequency and isinstance(value[3], list)):
        return None
    try:
        if value[2] == "error":
            line, col, message, hint = value[3]
            if type(line) is not int or type(col) is not int or not isinstance(
                    message, str) or not isinstance(hint, str):
                return None
            return (line, col, message, hint)
        if value[2] != "ok":
            return None
        rows = []
        for row in value[3]:
            if not isinstance(row, list):
                return None
            cells: list[object] = []
            for cell in row:
                if isinstance(cell, dict) and isinstance(cell.get("period"), str):
                    cells.append(Period.parse(cell["period"]))
                elif _scalar(cell):
                    cells.append(cell)
                else:
                    return None
            rows.append(Measurement(*cells))  # type: ignore[arg-type]
        return rows
    except (ValueError, TypeError):
        return None


def _git_reader(root: Path, config: Config, *, start: bool, use_cache: bool,
                full_history: bool) -> tuple[GitReader, Cache | None]:
    """The git reader for a QMS, and the documents cache (both live by the repository)."""
    probed: GitRepo | GitError | None = None
    if start or use_cache:
        try:
            probed = GitRepo.at(root)
        except GitError as error:
            probed = error
    repo = probed if isinstance(probed, GitRepo) else None
    if not use_cache:
        reader = GitReader(root, config.folders, full=full_history, probed=probed)
    else:
        fingerprint = config.model_dump_json()
        facts_path, key = cache_dir(root, repo) / "git.json", cache_key(fingerprint)

        def remember(facts: CachedFacts) -> None:
            store_payload(facts_path, "git", key, facts.to_json())

        reader = GitReader(root, config.folders, full=full_history, probed=probed,
                           cached=cached_facts(load_payload(facts_path, "git", key)),
                           remember=remember)
    if start:
        reader.start()
    return reader, Cache.open(root, config.model_dump_json(), repo) if use_cache else None


def load_qms(root: Path, config: Config, *, with_git: bool = True,
             use_cache: bool = False, full_history: bool = False) -> Qms:
    """Load the QMS under `root`; never raises for bad content, only for a missing root.

    `with_git` starts reading git in the background now, on the other core while the
    files are parsed; otherwise git is read when first asked (`Qms.history`, C403).
    `full_history`: the whole history with signature checks will be wanted (the
    handbook), so the one pass reads it. With `use_cache`, unchanged files, KPI series
    and git facts come from the caches (see `qmskit.cache`); results are identical to
    a cold load.
    """
    root = root.absolute()
    if not root.is_dir():
        raise QmsError(f"{root}: not a directory; pass the root of a QMS repository")
    qms = Qms(root=root, config=config)
    qms.git, cache = _git_reader(root, config, start=with_git, use_cache=use_cache,
                                 full_history=full_history)
    items = list(iter_markdown(root, config))
    outcomes, fresh = _outcomes(root, config, items, cache)
    for (path, relative), (model, body_line, findings, broken, is_page) in zip(
        items, outcomes, strict=True
    ):
        qms.problems.extend(replace(f, path=relative) for f in findings)
        if broken:
            qms.broken_ids.add(broken)
        if is_page:
            qms.pages.append(relative)
        if model is None:
            continue
        doc = fresh.get(relative) or Doc(relative, model, path, body_line)
        original = qms.documents.get(doc.id)
        if original is not None:
            qms.duplicates.append((doc, original))
        else:
            qms.documents[doc.id] = doc
    for doc in qms.of_kind("kpi"):
        _load_series(qms, doc, cache)
    if cache is not None:
        cache.forget_missing({relative for _, relative in items}
                             | {"data:" + path for path in qms.series_paths.values()})
        cache.save()
    return qms


def open_qms(root: Path, config_path: Path | None = None, *, with_git: bool = True,
             use_cache: bool = False, full_history: bool = False) -> Qms:
    """Load config and QMS for a command; raises QmsError/ConfigError for the CLI to map.

    `use_cache` is honoured only when the config allows it (`cache = true`, the default).
    """
    config, _ = load_config(root, config_path)
    return load_qms(root, config, with_git=with_git, use_cache=use_cache and config.cache,
                    full_history=full_history)


CONFIG_NAMES = ("qmskit.toml", "pyproject.toml")


@dataclass
class Revision:
    """One side of the comparison: the revision asked for, its commit and loaded QMS."""

    rev: str
    commit: str
    qms: Qms = field(init=False)


def _safe_relative(path: str, prefix: str) -> str | None:
    if not path.startswith(prefix):
        return None
    relative = path[len(prefix):]
    pure = PurePosixPath(relative)
    if pure.is_absolute() or ".." in pure.parts or not relative:
        return None
    return relative


def load_revisions(root: Path, base: str, head: str, config_path: Path | None = None
                   ) -> tuple[Revision, Revision, tempfile.TemporaryDirectory[str]]:
    """Load the QMS as of `base` and `head` into temporary folders (kept alive by the
    returned TemporaryDirectory; clean it up when done)."""
    repo = GitRepo.at(root)
    sides = [Revision(base, repo.commit(base)), Revision(head, repo.commit(head))]
    holder = tempfile.TemporaryDirectory(prefix="qmskit-diff-")
    try:
        trees = [repo.tree(side.commit) for side in sides]
        wanted: dict[str, None] = {}
        plans: list[list[tuple[str, TreeEntry]]] = []
        configs = []
        # Config files first: they decide which folders hold the QMS at that revision.
        config_entries = [[e for e in tree if _safe_relative(e.path, repo.prefix)
                           in CONFIG_NAMES] for tree in trees]
        blobs = dict(zip((e.sha for entries in config_entries for e in entries),
                         repo.cat([e.sha for entries in config_entries for e in entries]),
                         strict=True))
        for index, side in enumerate(sides):
            dest = Path(holder.name, f"{index}-{side.commit[:12]}")
            dest.mkdir()
            for entry in config_entries[index]:
                content = blobs[entry.sha]
                relative = _safe_relative(entry.path, repo.prefix)
                if content is not None and relative is not None:
                    (dest / relative).write_bytes(content)
            try:
                config, _ = load_config(dest, config_path)
            except QmsError as error:
                raise QmsError(f"at {side.rev}: {error}") from None
            configs.append(config)
            folders = [folder.strip("/") + "/" for folder in config.folders]
            plan = []
            for entry in trees[index]:
                relative = _safe_relative(entry.path, repo.prefix)
                if relative is None or not any(relative.startswith(f) for f in folders):
                    continue
                plan.append((relative, entry))
                if entry.size <= config.max_file_size:
                    wanted[entry.sha] = None
            plans.append(plan)
        contents = dict(zip(wanted, repo.cat(list(wanted)), strict=True))
        for index, side in enumerate(sides):
            dest = Path(holder.name, f"{index}-{side.commit[:12]}")
            for relative, entry in plans[index]:
                target = dest / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                content = contents.get(entry.sha)
                if content is None:
                    # Too large to extract: a sparse file of the same size lets the loader
                    # report it exactly as it would in a checkout.
                    with target.open("wb") as handle:
                        handle.truncate(entry.size)
                else:
                    target.write_bytes(content)
            side.qms = load_qms(dest, configs[index], with_git=False)
            side.qms.git = None  # a revision in a temporary folder has no history
    except BaseException:
        holder.cleanup()
        raise
    return sides[0], sides[1], holder
