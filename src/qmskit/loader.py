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
import stat
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from dataclasses import fields as dataclass_fields
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, ValidationError

from qmskit import fs, progress, translations
from qmskit.cache import Cache, cache_dir, cache_key, load_payload, locate, store_payload
from qmskit.config import Config, load_config
from qmskit.errors import QmsError
from qmskit.git.history import changed_paths, files_at, worktree_dirty
from qmskit.git.reader import CachedFacts, GitReader, cached_facts
from qmskit.git.repo import GitRepo, TreeEntry
from qmskit.git.run import GitError
from qmskit.model.doc import Doc
from qmskit.model.documents import (
    PAGE_KEYS,
    Document,
    Kpi,
    PageKeys,
    Register,
    without_extensions,
)
from qmskit.model.findings import Finding
from qmskit.model.frontmatter import (
    FrontMatter,
    FrontMatterError,
    KeyPath,
    Position,
    guess_id,
    parse,
)
from qmskit.model.kinds import DEFAULT_CONTRACT, Contract
from qmskit.model.series import Measurement, NoData, Period, SeriesError, parse_series
from qmskit.model.types import ID_PATTERN, is_doc_id
from qmskit.qms import Qms
from qmskit.registers import data_path as register_data
from qmskit.registers import read_rows
from qmskit.walk import walk

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


def read_file(root: Path | fs.Root, path: str, relative: str, max_size: int,
              positions: bool = True) -> FileResult:
    """Read and parse one Markdown file without raising; problems become findings."""
    raw = read_bytes(root, path, relative, max_size)
    if isinstance(raw, FileResult):
        return raw
    return parse_bytes(path, relative, raw, positions)


def _problem(relative: str, line: int, col: int, message: str, hint: str = "") -> FileResult:
    return FileResult(relative, problem=Finding(relative, line, col, "D101", message, hint=hint))


def read_bytes(root: Path | fs.Root, path: str, relative: str,
               max_size: int) -> bytes | FileResult:
    """The file's bytes, or a located problem: a path leading outside the repository, a
    FIFO or other non-regular file, a file too large or unreadable (`qmskit.fs`)."""
    files = root if isinstance(root, fs.Root) else fs.Root(root)
    try:
        return files.read(path, max_size, relative)
    except fs.PathError as error:
        return _problem(relative, 1, 1, error.reason, error.hint)


@dataclass(frozen=True)
class TextFile:
    """A text file read for a derived fact (the acknowledgement ledger): its text, or why
    it cannot be used (`problem`, without any of its content)."""

    relative: str
    exists: bool
    text: str = ""
    problem: str = ""
    hint: str = ""


def read_ledger(root: Path, relative: str, max_size: int = fs.MAX_SIZE) -> TextFile:
    """Read the acknowledgement ledger at `root/relative`; a missing file does not exist.

    Through `qmskit.fs`: a ledger (or its folder) symlinked outside the repository, a FIFO
    or an oversized file is a problem to report at the ledger, never read or printed.
    """
    try:
        raw = fs.Root(root).read(relative, max_size, relative)
    except fs.MissingError:
        return TextFile(relative, False)
    except fs.PathError as error:
        return TextFile(relative, True, problem=f"the ledger {error.reason}", hint=error.hint)
    try:
        return TextFile(relative, True, raw.decode("utf-8"))
    except UnicodeDecodeError:
        return TextFile(relative, True, problem="not valid UTF-8", hint="save the file as UTF-8")


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


def _position(table: dict[KeyPath, Position], loc: tuple[str | int, ...]) -> Position | None:
    """Where the longest prefix of `loc` is written: pydantic appends parts that are not
    in the YAML (a union member such as `('target', 'float')`)."""
    for end in range(len(loc), 0, -1):
        found = table.get(loc[:end])
        if found is not None:
            return found
    return None


def _validation_findings(
    relative: str, fm: FrontMatter, model: type[BaseModel], error: ValidationError
) -> tuple[list[Finding], list[tuple[str | int, ...]]]:
    """D102 findings, and the locations of the invalid values (for `_salvage`)."""
    findings: list[Finding] = []
    bad: list[tuple[str | int, ...]] = []
    known = [name for name in model.model_fields if name != "kind"] + sorted(PAGE_KEYS)
    for item in error.errors():
        loc = tuple(item["loc"])
        bad.append(loc)
        where = ".".join(str(part) for part in loc)
        hint = ""
        if item["type"] == "extra_forbidden":
            pos = fm.key_positions.get(loc) or fm.positions.get(loc) or (2, 1)
            message = f"unknown field '{where}'"
            close = difflib.get_close_matches(str(loc[-1]), [*known, "last", "interval", "by"], 1)
            hint = (f"did you mean '{close[0]}'?" if close else
                    "remove it or check the spelling; a field of your own passes unchecked "
                    f"as 'x-{loc[-1]}'")
        elif item["type"] == "missing":
            pos = fm.key_positions.get(("id",), (2, 1))
            message = f"missing required field '{where}'"
            hint = f"add '{where}:' to the front matter"
        else:
            pos = _position(fm.positions, loc) or _position(fm.key_positions, loc) or (2, 1)
            text = str(item["msg"]).removeprefix("Value error, ")
            message = f"{where}: {text}"
            value = item.get("input")
            if item["type"] == "string_type" and isinstance(value, (date, int, float, bool)):
                # YAML's implicit typing: `title: 2026-01-01` or `unit: 100` are not strings.
                hint = f"YAML read this as a {type(value).__name__}; quote it: '{value}'"
        findings.append(Finding(relative, pos[0], pos[1], "D102", message, hint=hint))
    return findings, bad


def _drop(value: Any, loc: tuple[str | int, ...]) -> Any:
    """`value` without the item at `loc`: a list item or a mapping key, as deep as the
    data goes. A `loc` that runs past the data (a union member's name) drops the last
    item that exists; a key that is missing (a required field) drops nothing."""
    if not loc:
        return _DROPPED
    head, rest = loc[0], loc[1:]
    if isinstance(value, dict):
        if head not in value:
            return value
        inner = _drop(value[head], rest)
        return {k: v for k, v in value.items() if k != head} if inner is _DROPPED \
            else {**value, head: inner}
    if isinstance(value, list) and isinstance(head, int) and 0 <= head < len(value):
        inner = _drop(value[head], rest)
        # A placeholder keeps the other indices of this error list valid; removed below.
        return [(_DROPPED if inner is _DROPPED else inner) if i == head else v
                for i, v in enumerate(value)]
    return _DROPPED


def _compact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_compact(v) for v in value if v is not _DROPPED]
    return value


_DROPPED = object()


def _salvage(data: dict[str, Any], bad: list[tuple[str | int, ...]]) -> list[dict[str, Any]]:
    """What is left of the front matter without its invalid values, finest first.

    First only the invalid items (one bad entry of `holders` leaves the valid holders,
    one bad key of `review` leaves the others), so one typo does not cascade into a
    second, false finding such as "role has no holders"; then, should that still not
    validate, without each field that held an invalid value.
    """
    fine: Any = data
    for loc in bad:
        fine = _drop(fine, loc) if loc else fine
    fine = _compact(fine)
    tops = {loc[0] for loc in bad if loc}
    coarse = {k: v for k, v in data.items() if k not in tops}
    found = []
    for candidate in (fine, coarse):
        candidate = dict(candidate)
        for name, placeholder in _REQUIRED_PLACEHOLDERS.items():
            candidate.setdefault(name, placeholder)
        found.append(candidate)
    return found


def validate_document(
    relative: str, fm: FrontMatter, source: str = "", contract: Contract = DEFAULT_CONTRACT
) -> tuple[Doc | None, list[Finding], str | None]:
    """Turn front matter into a Doc; returns (doc, findings, id of an unusable document).

    `contract` (the config's: `Config.contract`) gives the model of each kind, declared
    kinds and extra fields included. A document with schema errors is still kept when
    its id and kind are sound: the bad fields are dropped so the rest of it still takes
    part in the graph. Front matter parsed without positions is re-parsed with them when
    there is something to report.
    """
    doc, findings, broken = _validate(relative, fm, source, contract)
    if findings and not fm.has_positions and source:
        try:
            located = parse(fs.read_regular(source).decode("utf-8-sig"), positions=True)
        except (fs.PathError, UnicodeDecodeError, FrontMatterError):
            return doc, findings, broken
        return _validate(relative, located, source, contract)
    return doc, findings, broken


def _validate(
    relative: str, fm: FrontMatter, source: str, contract: Contract
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
    if not is_doc_id(doc_id):
        findings.append(Finding(relative, id_pos[0], id_pos[1], "D102",
                                f"id {doc_id!r} does not match {ID_PATTERN}",
                                hint="use capitals, digits and dashes, e.g. PROC-PURCH"))
        return None, findings, None
    kind = data.get("kind")
    model_type = contract.model_for(kind)
    if model_type is None:
        if kind is None:
            pos = fm.key_positions.get(("id",), (2, 1))
            message = "missing required field 'kind'"
        else:
            pos = fm.positions.get(("kind",), id_pos)
            message = f"unknown kind {kind!r}"
        kinds = contract.kinds
        close = difflib.get_close_matches(str(kind), kinds, 1) if kind is not None else []
        hint = (f"did you mean '{close[0]}'?" if close else
                f"use one of: {', '.join(kinds)}, or declare it under [kinds] in the config")
        findings.append(Finding(relative, pos[0], pos[1], "D104", message, hint=hint,
                                doc_id=doc_id))
        return None, findings, doc_id
    page_keys = data.keys() & PAGE_KEYS
    if page_keys:
        # Passed through to the page (MkDocs/Material): checked as data, not part of the
        # model.
        try:
            PageKeys.model_validate({key: data[key] for key in page_keys})
        except ValidationError as page_error:
            findings.extend(_validation_findings(relative, fm, PageKeys, page_error)[0])
        data = {key: value for key, value in data.items() if key not in page_keys}
    model, error, data = _model(model_type, data)
    if error is not None:
        schema_findings, bad = _validation_findings(relative, fm, model_type, error)
        findings.extend(schema_findings)
        for salvage in _salvage(data, bad):
            try:
                model = model_type.model_validate(salvage)
                break
            except ValidationError:
                continue
        else:
            return None, findings, doc_id
    assert model is not None
    findings.extend(_contract_findings(relative, fm, model, contract))
    doc = Doc(relative, model, source, fm.body_line)
    if fm.has_positions:
        doc._positions, doc._key_positions = fm.positions, fm.key_positions
    if fm.body is not None:
        doc._body = fm.body
    return doc, [
        Finding(f.path, f.line, f.col, f.code, f.message, hint=f.hint, doc_id=doc_id)
        for f in findings
    ], None


def _model(model_type: type[Document], data: dict[str, Any]
           ) -> tuple[Document | None, ValidationError | None, dict[str, Any]]:
    """(model, None, data) or (None, the error, data) for front matter `data`.

    `x-` fields pass unchecked: they are looked for only when validation fails (then
    `data` comes back without them), so the documents without any, nearly all, pay
    nothing for them.
    """
    try:
        return model_type.model_validate(data), None, data
    except ValidationError as error:
        stripped = without_extensions(data)
        if stripped is data:
            return None, error, data
    try:
        return model_type.model_validate(stripped), None, stripped
    except ValidationError as error:
        return None, error, stripped


def _contract_findings(relative: str, fm: FrontMatter, model: Document,
                       contract: Contract) -> list[Finding]:
    """What the config's contract asks beyond the model: required fields of a kind
    (documents that are not drafts), and a register's `records` naming a known kind."""
    found = []
    for name in contract.missing_required(model):
        pos = fm.key_positions.get((name,)) or fm.key_positions.get(("id",), (2, 1))
        where = (f"the '{name}' column" if relative.endswith(".csv") else f"'{name}:'")
        found.append(Finding(relative, pos[0], pos[1], "D102",
                             f"missing required field '{name}' (required for a {model.kind} "
                             "that is not a draft)",
                             hint=f"fill in {where} (the config's [kinds.{model.kind}] "
                             "requires it)"))
    if isinstance(model, Register) and model.records not in contract.record_kinds:
        pos = fm.positions.get(("records",)) or fm.key_positions.get(("id",), (2, 1))
        close = difflib.get_close_matches(model.records, contract.record_kinds, 1)
        found.append(Finding(relative, pos[0], pos[1], "D102",
                             f"records: {model.records!r} is not a kind a register can hold",
                             hint=f"did you mean '{close[0]}'?" if close else
                             f"use one of: {', '.join(contract.record_kinds)}"))
    return found


def _load_register(qms: Qms, register: Doc, files: fs.Root, contract: Contract) -> None:
    """Add the records of a register's table to `qms`, validated like files: each row
    is a document of the register's `records` kind, located at its cells."""
    for row in read_rows(qms, register, files, contract):
        doc, findings, broken = validate_document(register_data(register), row.front_matter,
                                                  "", contract)
        qms.problems.extend(replace(f, doc_id=f.doc_id or register.id) for f in findings)
        if broken:
            qms.broken_ids.add(broken)
        if doc is None:
            continue
        doc.register = register.id
        doc.inherited = row.inherited
        original = qms.documents.get(doc.id)
        if original is not None:
            qms.duplicates.append((doc, original))
        else:
            qms.documents[doc.id] = doc


def _load_series(qms: Qms, doc: Doc, files: fs.Root, cache: Cache | None = None) -> None:
    model = doc.model
    assert isinstance(model, Kpi)
    if model.data is None:
        return

    def at_data(message: str, hint: str = "") -> Finding:
        # Positions are looked up only when there is something to report (lazy parse).
        line, col = doc.pos("data")
        return Finding(doc.path, line, col, "D105", message, hint=hint, doc_id=doc.id)

    # Normalise lexically first (cheap); `qmskit.fs` then resolves symlinks.
    relative = posixpath.normpath(posixpath.join(posixpath.dirname(doc.path), model.data))
    if relative.startswith("../") or relative == ".." or posixpath.isabs(model.data):
        qms.problems.append(at_data(f"data path {model.data!r} points outside the repository",
                                    "keep KPI data inside the repository"))
        return
    try:
        real, info = files.stat(relative, relative)
        key = "data:" + relative
        cached = _decode_series(cache.get(key, info), model.frequency) if cache else None
        if cached is not None:
            outcome = cached
        else:
            raw = fs.read_regular(real, qms.config.max_file_size, relative)
            try:
                outcome = parse_series(raw.decode("utf-8-sig"), model.frequency)
            except SeriesError as error:
                outcome = (error.line, error.col, error.message, error.hint)
            if cache is not None:
                cache.put(key, info, raw + model.frequency.encode(),
                          _encode_series(model.frequency, outcome))
    except fs.MissingError:
        qms.problems.append(at_data(f"data file {model.data!r} does not exist",
                                    f"create {relative} with the header 'period,value'"))
        return
    except fs.PathError as error:
        qms.problems.append(at_data(f"data file {model.data!r} {error.reason}", error.hint))
        return
    except UnicodeDecodeError as error:
        qms.problems.append(at_data(f"data file {model.data!r} cannot be read: {error}"))
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
                positions: bool = False, step: progress.Task | None = None,
                weight: int = 1) -> list[FileResult]:
    files = fs.Root(root)
    found = []
    for path, relative, raw in items:
        found.append(parse_bytes(path, relative, raw, positions) if raw is not None
                     else read_file(files, path, relative, max_size, positions))
        if step is not None:
            step.advance(weight)
    return found


def read_files(root: Path, items: list[Item], max_size: int) -> list[FileResult]:
    """Read and parse files, on two cores when the repository is large.

    Parsing is CPU-bound Python, so threads would not help; a forked worker parses the
    second half while this process parses the first. Results come back without
    positions or bodies (a few bytes per value), since pickling those cost more than
    the parallelism saved.
    """
    workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    step = progress.task("Reading documents", len(items)) if items else None
    try:
        if len(items) < PARALLEL_THRESHOLD or workers < 2:
            return _read_chunk(root, items, max_size,
                               positions=len(items) < PARALLEL_THRESHOLD, step=step)
        import multiprocessing

        try:
            context = multiprocessing.get_context("fork")
        except ValueError:  # pragma: no cover - platforms without fork
            return _read_chunk(root, items, max_size, step=step)
        half = len(items) // 2
        with context.Pool(1) as pool:
            second = pool.apply_async(_read_chunk, (root, items[half:], max_size))
            # The worker reads the other half at about the same pace: count this
            # half twice (the bar then moves as the whole does).
            first = _read_chunk(root, items[:half], max_size, step=step, weight=2)
            return first + second.get()
    finally:
        if step is not None:
            step.done()


Outcome = tuple[Document | None, int, list[Finding], str | None, bool]


def _outcome(result: FileResult, contract: Contract) -> Outcome:
    """What one file contributes, without its path (so cache entries survive renames):
    (model, body line, findings, id of an unusable document, is a plain page)."""
    if result.problem is not None:
        return None, 0, [replace(result.problem, path="")], result.guessed_id, False
    assert result.front_matter is not None
    doc, findings, broken = validate_document(result.relative, result.front_matter,
                                              result.source, contract)
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
    files = fs.Root(root)
    for path, relative in items:
        if cache is None:
            pending.append((path, relative, None))
            continue
        try:
            info = os.lstat(path)
        except OSError:
            pending.append((path, relative, None))
            continue
        if not stat.S_ISREG(info.st_mode) or info.st_size > config.max_file_size:
            pending.append((path, relative, None))  # never cached: re-checked every time
            continue
        hit = _decode_outcome(cache, relative, cache.get(relative, info), config.contract)
        if hit is None:
            raw = read_bytes(files, path, relative, config.max_file_size)
            if isinstance(raw, FileResult):
                pending.append((path, relative, None))
                continue
            hit = _decode_outcome(cache, relative, cache.get_by_content(relative, info, raw),
                                  config.contract)
            if hit is None:
                keys[relative] = (info, raw)
                pending.append((path, relative, raw))
                continue
        found[relative] = hit
    contract = config.contract
    for result in read_files(root, pending, config.max_file_size):
        outcome = _outcome(result, contract)
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
            encoded = _encode_outcome(outcome, config.contract)
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


def _encode_outcome(outcome: Outcome, contract: Contract) -> list[object] | None:
    """The JSON form of a file's outcome; None when the model would not read back equal
    (such a file is simply parsed every time)."""
    model, body_line, findings, broken, is_page = outcome
    kind = model_json = None
    if model is not None:
        kind = getattr(model, "kind", None)
        model_type = contract.model_for(kind)
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


def _decode_outcome(cache: Cache, relative: str, value: object,
                    contract: Contract) -> Outcome | None:
    """A stored outcome, validated; None (and the entry forgotten) when it is not one."""
    if value is None:
        return None
    try:
        if not isinstance(value, list) or len(value) != 7 or value[0] != "md":
            raise ValueError("not a document entry")
        _, kind, model_json, body_line, findings, broken, is_page = value
        model = None
        if model_json is not None:
            model_type = contract.model_for(kind)
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


SeriesOutcome = list[Measurement | NoData] | tuple[int, int, str, str]


def _encode_series(frequency: str, outcome: SeriesOutcome) -> list[object]:
    """A KPI series as JSON data: each row tagged `m` (a value) or `n` (no data, with
    its reason), so the cache can hold both and decode them without guessing."""
    if isinstance(outcome, list):
        rows: list[list[object]] = [
            ["n", row.period.label, row.reason, row.line] if isinstance(row, NoData)
            else ["m", row.period.label, row.value, row.line]
            for row in outcome
        ]
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
        rows: list[Measurement | NoData] = []
        for row in value[3]:
            if not (isinstance(row, list) and len(row) == 4 and isinstance(row[1], str)
                    and type(row[3]) is int):
                return None
            tag, label, cell, line = row
            period = Period.parse(label)
            if tag == "m" and type(cell) in (int, float):
                rows.append(Measurement(period, float(cell), line))
            elif tag == "n" and isinstance(cell, str):
                rows.append(NoData(period, cell, line))
            else:
                return None
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
    # History covers the translations too (folder structure: `docs/de/qms` beside
    # `docs/en/qms`), so outdated translations are dated from the same one pass.
    folders = [*config.folders, *translations.history_folders(root, config)]
    if not use_cache:
        reader = GitReader(root, folders, full=full_history, probed=probed)
    else:
        fingerprint = config.model_dump_json()
        facts_path, key = cache_dir(root, repo) / "git.json", cache_key(fingerprint)

        def remember(facts: CachedFacts) -> None:
            store_payload(facts_path, "git", key, facts.to_json())

        reader = GitReader(root, folders, full=full_history, probed=probed,
                           cached=cached_facts(load_payload(facts_path, "git", key)),
                           remember=remember)
    if start:
        reader.start()
    return reader, Cache.open(root, config.model_dump_json(), repo) if use_cache else None


def load_qms(root: Path, config: Config, *, with_git: bool = True,
             use_cache: bool = False, full_history: bool = False,
             history: bool = True, kpi_data: bool = True) -> Qms:
    """Load the QMS under `root`; never raises for bad content, only for a missing root.

    `with_git` starts reading git in the background now, on the other core while the
    files are parsed; otherwise git is read when first asked (`Qms.history`, C403).
    `full_history`: the whole history with signature checks will be wanted (the
    handbook), so the one pass reads it. With `use_cache`, unchanged files, KPI series
    and git facts come from the caches (see `qmskit.cache`); results are identical to
    a cold load. Without `history` the QMS has no git side at all (`qms.git` None):
    nothing of git is read, not even remembered facts (a revision compared by `qmskit
    diff`; the front-matter rules of an incremental check). Without `kpi_data` the KPI
    series are not read (a comparison of documents that runs no rule).
    """
    root = root.absolute()
    if not root.is_dir():
        raise QmsError(f"{root}: not a directory; pass the root of a QMS repository")
    qms = Qms(root=root, config=config)
    contract = config.contract
    if history:
        qms.git, cache = _git_reader(root, config, start=with_git, use_cache=use_cache,
                                     full_history=full_history)
    else:  # no history wanted at all (a revision compared, front-matter rules only)
        cache = (Cache.open(root, config.model_dump_json(), locate(root))
                 if use_cache else None)
    # Translations (X.de.md, de/X.md) are the same document as X.md: they never become
    # documents (no duplicate id) and are compared with their source below.
    items, translated = translations.partition(root, config, list(iter_markdown(root, config)))
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
    files = fs.Root(root)
    for doc in qms.of_kind("register"):
        _load_register(qms, doc, files, contract)
    translations.attach(qms, translated, files, with_git=with_git)
    if kpi_data:
        for doc in qms.of_kind("kpi"):
            _load_series(qms, doc, files, cache)
    if cache is not None and kpi_data:
        cache.forget_missing({relative for _, relative in items}
                             | {"data:" + path for path in qms.series_paths.values()})
        cache.save()
    elif cache is not None:
        cache.save()  # KPI data unread: their entries are kept for the next full load
    return qms


def load_documents(root: Path, config: Config, relatives: Sequence[str], *,
                   repo: GitRepo | None, history: bool = True
                   ) -> tuple[Qms, dict[str, bytes]] | None:
    """A QMS of the documents at `relatives` alone (root-relative paths of Markdown
    files), with their bytes: what the incremental check re-runs per-document rules on
    (`qmskit.rules.incremental`). None when one of them is not a plain document (a
    problem, a page, a register): then only a full load will do.

    Its git reader (unless `history` is False) takes the remembered "changed since
    review" facts of these files only, and never stores facts (they would lack every
    other document).
    """
    root = root.absolute()
    qms = Qms(root=root, config=config)
    files = fs.Root(root)
    raws: dict[str, bytes] = {}
    for relative in relatives:
        path = os.path.join(root, relative)
        raw = read_bytes(files, path, relative, config.max_file_size)
        if isinstance(raw, FileResult):
            return None
        result = parse_bytes(path, relative, raw, positions=True)
        model, body_line, findings, _, _ = _outcome(result, config.contract)
        if model is None or findings or getattr(model, "kind", None) == "register":
            # Kept simple: a document the loader has something to say about is left to
            # a full load.
            return None
        assert result.front_matter is not None
        doc = Doc(relative, model, path, body_line)
        doc._positions = result.front_matter.positions
        doc._key_positions = result.front_matter.key_positions
        doc._body = result.front_matter.body
        if doc.id in qms.documents:
            return None
        qms.documents[doc.id] = doc
        raws[relative] = raw
    for doc in qms.of_kind("kpi"):
        _load_series(qms, doc, files)
    if not history:
        return qms, raws
    folders = [*config.folders, *translations.history_folders(root, config)]
    facts = load_payload(cache_dir(root, repo) / "git.json", "git",
                         cache_key(config.model_dump_json())) if config.cache else None
    if isinstance(facts, dict) and isinstance(facts.get("entries"), dict):
        wanted = set(relatives)
        facts = {**facts, "entries": {path: entry for path, entry in facts["entries"].items()
                                      if path in wanted}}
    qms.git = GitReader(root, folders, probed=repo, cached=cached_facts(facts))
    qms.git.start()
    return qms, raws


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


def _changed_and_config(repo: GitRepo, sides: Sequence[Revision],
                        config_path: Path | None) -> tuple[list[str], Config] | None:
    """The root-relative paths that differ between the two sides, and the config (the
    same on both); None when a config file changed."""
    changed = [relative for path in changed_paths(repo, sides[0].commit, sides[1].commit)
               if (relative := _safe_relative(path, repo.prefix)) is not None]
    if any(relative in CONFIG_NAMES for relative in changed):
        return None
    with tempfile.TemporaryDirectory(prefix="qmskit-diff-") as holder:
        dest = Path(holder)
        entries = files_at(repo, sides[1].commit, [repo.prefix + n for n in CONFIG_NAMES])
        for entry, content in zip(entries, repo.cat([e.sha for e in entries]), strict=True):
            relative = _safe_relative(entry.path, repo.prefix)
            if content is not None and relative in CONFIG_NAMES:
                (dest / relative).write_bytes(content)
        try:
            config, _ = load_config(dest, config_path, require_folders=False)
        except QmsError as error:
            raise QmsError(f"at {sides[1].rev}: {error}") from None
    return changed, config


def shortcut_revisions(root: Path, base: str, head: str, config_path: Path | None = None
                       ) -> tuple[Revision, Revision, tempfile.TemporaryDirectory[str] | None
                                  ] | None:
    """Both sides of a change that `qmskit diff` can answer without checking either
    side, from one `git diff --name-only` and one read of the config blobs; None when
    both must be loaded and checked (`load_revisions`).

    - Nothing the QMS is made of changed (neither a config file nor a file in the
      config's folders: exactly what `load_revisions` reads): both sides are empty QMSs
      with the one config, since they load to the same documents.
    - Only the bodies of documents changed: see `_body_change`.

    The third item is a temporary folder to clean up when done, or None.
    """
    repo = GitRepo.at(root)
    sides = [Revision(base, repo.commit(base)), Revision(head, repo.commit(head))]
    found = _changed_and_config(repo, sides, config_path)
    if found is None:
        return None
    changed, config = found
    folders = tuple(folder.strip("/") + "/" for folder in config.folders)
    edited = [relative for relative in changed if relative.startswith(folders)]
    if not edited:
        for side in sides:
            side.qms = Qms(root=root.absolute(), config=config)
        return sides[0], sides[1], None
    return _body_change(root, repo, sides, config, edited, config_path)


def front_matter_bytes(raw: bytes, body_line: int) -> bytes:
    """The bytes of a file before its body (which starts at line `body_line`): all that
    a rule reading front matter sees of it, positions included."""
    cut = 0
    for _ in range(max(body_line - 1, 0)):
        found = raw.find(b"\n", cut)
        if found < 0:
            return raw
        cut = found + 1
    return raw[:cut]


def _same_front_matter(relative: str, before: bytes, after: bytes,
                       contract: Contract) -> Doc | None:
    """The document `before` is, when `after` differs from it in its body alone: the
    same front matter byte for byte, the same model, no finding of the loader on
    either, no register. None otherwise."""
    docs = []
    for raw in (before, after):
        result = parse_bytes(relative, relative, raw, positions=True)
        model, body_line, findings, _, _ = _outcome(result, contract)
        if model is None or findings or getattr(model, "kind", None) == "register":
            return None
        assert result.front_matter is not None
        doc = Doc(relative, model, "", body_line)
        doc._positions = result.front_matter.positions
        doc._key_positions = result.front_matter.key_positions
        doc._body = result.front_matter.body
        docs.append((doc, front_matter_bytes(raw, body_line)))
    (old, old_head), (new, new_head) = docs
    if old_head != new_head or old.model != new.model or old.body_line != new.body_line:
        return None
    return old


def _body_change(root: Path, repo: GitRepo, sides: list[Revision], config: Config,
                 edited: list[str], config_path: Path | None
                 ) -> tuple[Revision, Revision, tempfile.TemporaryDirectory[str] | None] | None:
    """Both sides of a change that edits the bodies of documents (`edited`, root-relative)
    and nothing else (no front matter, no other file in the QMS folders, no config, no
    translations): the head loaded in full, the base as the head with the edited
    documents as they were. None for any other change.

    Such a change cannot move a finding (no rule of a revision reads a body: C403, the
    one that does, needs the work tree's history), so the caller need not check either
    side. The head is read from the work tree with the documents cache when the work
    tree is that commit, clean in the QMS (a pre-commit hook's or CI's checkout), else
    from git into a temporary folder (the holder returned; clean it up when done).
    """
    if config.translations is not None or not all(r.endswith(".md") for r in edited):
        return None
    paths = [repo.prefix + relative for relative in edited]
    blobs = [{e.path: e for e in files_at(repo, side.commit, paths)} for side in sides]
    if any(len(listed) != len(edited) for listed in blobs):
        return None  # added or removed
    if any(e.size > config.max_file_size for listed in blobs for e in listed.values()):
        return None
    contents = repo.cat([blobs[i][p].sha for i in (0, 1) for p in paths])
    if any(content is None for content in contents):
        return None
    before: dict[str, Doc] = {}
    for index, relative in enumerate(edited):
        old = _same_front_matter(relative, contents[index] or b"",
                                 contents[len(edited) + index] or b"", config.contract)
        if old is None:
            return None
        before[relative] = old
    holder = None
    new = _load_side(root, repo, sides[1], config)
    if new is None:
        holder = _materialise(repo, [sides[1]], config_path)
        new = sides[1].qms
    old_qms = Qms(root=new.root, config=config, documents=dict(new.documents),
                  duplicates=list(new.duplicates), broken_ids=set(new.broken_ids),
                  pages=list(new.pages), problems=list(new.problems),
                  series=dict(new.series), series_paths=dict(new.series_paths))
    for relative, doc in before.items():
        current = new.documents.get(doc.id)
        if current is not None and current.path == relative:
            old_qms.documents[doc.id] = doc
    sides[0].qms, sides[1].qms = old_qms, new
    return sides[0], sides[1], holder


def _load_side(root: Path, repo: GitRepo, side: Revision, config: Config) -> Qms | None:
    """The QMS at `side` from the work tree, with the documents cache, when the work tree
    is that commit and clean in the QMS folders and config files (nothing modified,
    untracked or ignored there); None otherwise."""
    if repo.head != side.commit:
        return None
    specs = [repo.prefix + f.strip("/") for f in config.folders]
    specs += [repo.prefix + name for name in CONFIG_NAMES]
    if worktree_dirty(repo, specs):
        return None
    # A revision is compared without history, as `load_revisions` does.
    # No rule runs on it: its KPI series are not needed either.
    return load_qms(root, config, with_git=False, use_cache=config.cache, history=False,
                    kpi_data=False)


def load_revisions(root: Path, base: str, head: str, config_path: Path | None = None
                   ) -> tuple[Revision, Revision, tempfile.TemporaryDirectory[str]]:
    """Load the QMS as of `base` and `head` into temporary folders (kept alive by the
    returned TemporaryDirectory; clean it up when done)."""
    repo = GitRepo.at(root)
    sides = [Revision(base, repo.commit(base)), Revision(head, repo.commit(head))]
    holder = _materialise(repo, sides, config_path)
    return sides[0], sides[1], holder


def _materialise(repo: GitRepo, sides: list[Revision], config_path: Path | None
                 ) -> tempfile.TemporaryDirectory[str]:
    """Write each side's config files and QMS folders from git into a temporary folder
    and load it (`side.qms`); the folders live as long as the returned holder."""
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
                config, _ = load_config(dest, config_path, require_folders=False)
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
    return holder
