"""The incremental check: after an edit, re-read only what changed and re-run only the
rules whose inputs changed, with the result a cold check would give.

A check leaves its state beside the other caches (`qmskit.cache`): the stat of every
file in the QMS folders and of every other file it read (KPI data, the ledger), git's
HEAD, the findings of each rule, and for each document a digest of its front matter
(the bytes before the body) and of its model. The next check with the same code,
config, evaluation date and rule selection compares:

- **Nothing changed** is the result cache's case (`ResultCache`), answered before this.
- **Only bodies changed** (front matter byte for byte the same, and the same model):
  no rule that reads only the front matter can tell (`qmskit.rules.FRONT_MATTER`), so
  their findings stand. The rules that read content (C403: changed since review) are
  per document (`Rule.per_document`): they run on the changed documents alone, read
  into a QMS of their own (`qmskit.loader.load_documents`), and replace those
  documents' findings.
- **Front matter changed** (a link, an owner, a stamp): the whole QMS is loaded from the
  documents cache and every front-matter rule runs on it; the per-document rules that
  read content still run on the changed documents only (C403's git work for the other
  9,999 documents is what a cold check spends most on).
- **Anything else** falls back to a full check: a file added, removed or renamed, a
  changed file that is no plain document (a register, a duplicate, a broken file, a
  page), KPI data or the ledger changed, another HEAD (a commit, a checkout), a QMS with
  translations, a state that is missing, damaged or written by other code.

Stat is trusted like git's index: size, modification time and inode, and never for a
file modified within `RACY_NS` of the state's writing. The stat stored is the one taken
before the files were read, so a file changed while a check ran is seen as changed by
the next one.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from qmskit import translations
from qmskit.cache import (
    RACY_NS,
    StatKey,
    cache_dir,
    cache_key,
    header_ok,
    read_json,
    stat_key,
    store_payload,
)
from qmskit.config import Config
from qmskit.git.repo import GitRepo
from qmskit.loader import front_matter_bytes, load_documents, load_qms
from qmskit.model.doc import Doc
from qmskit.model.findings import Finding, Notice, Severity
from qmskit.qms import Qms
from qmskit.rules import RuleContext, all_rules
from qmskit.rules.checker import CheckResult, assemble, notices, run_rules

#: Stored for a file that is not a plain document (a page, a register, KPI data, a
#: broken file): any change to it means a full check.
_OPAQUE = ""


def front_matter_digest(raw: bytes, body_line: int) -> str:
    """A digest of the bytes before the body (line `body_line` on): what every
    front-matter rule reads of a file, positions included."""
    return hashlib.blake2b(front_matter_bytes(raw, body_line), digest_size=16).hexdigest()


def model_digest(doc: Doc) -> str:
    """A digest of what the loader made of a document's front matter."""
    text = f"{doc.path}\0{doc.body_line}\0{doc.model.model_dump_json()}"
    return hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


@dataclass
class Entry:
    """One file as the last check saw it: its stat, and for a plain document the
    digests of its front matter and model (else `_OPAQUE`)."""

    stat: StatKey
    front_matter: str = _OPAQUE
    model: str = _OPAQUE

    def to_json(self) -> str:
        """`size mtime inode front-matter-digest model-digest` (`-` for none): one
        string per file, so 10,000 of them decode fast and are parsed only once their
        file has changed."""
        return (f"{_stat_text(self.stat)}{self.front_matter or '-'} "
                f"{self.model or '-'}")


def _stat_text(key: StatKey) -> str:
    """How an entry's text starts for a file with this stat."""
    return f"{key[0]} {key[1]} {key[2]} "


def _entry(value: str) -> Entry | None:
    """An entry from its text; None when it is not one."""
    parts = value.split(" ")
    if len(parts) != 5 or not all(p.lstrip("-").isdigit() for p in parts[:3]):
        return None
    digests = [p if p != "-" else _OPAQUE for p in parts[3:]]
    if not all(d == _OPAQUE or (len(d) == 32 and all(c in "0123456789abcdef" for c in d))
               for d in digests):
        return None
    return Entry((int(parts[0]), int(parts[1]), int(parts[2])), digests[0], digests[1])


def _finding(value: object) -> Finding | None:
    if not isinstance(value, dict) or not all(
            v is None or type(v) in (str, int) for v in value.values()):
        return None
    try:
        finding = Finding(**value)
    except TypeError:
        return None
    if finding.severity not in ("error", "warning") or not (
            isinstance(finding.path, str) and type(finding.line) is int
            and type(finding.col) is int and isinstance(finding.code, str)
            and isinstance(finding.message, str) and isinstance(finding.hint, str)):
        return None
    return finding


def _encode(finding: Finding) -> dict[str, object]:
    return {"path": finding.path, "line": finding.line, "col": finding.col,
            "code": finding.code, "message": finding.message,
            "severity": finding.severity, "hint": finding.hint, "doc_id": finding.doc_id}


@dataclass
class Stored:
    """The state of the last check, validated field by field."""

    head: str
    written_at: int
    #: Path -> the entry's text (`Entry.to_json`), parsed when the file has changed.
    files: dict[str, str]
    extra: dict[str, StatKey]
    findings: dict[str, list[Finding]]
    notices: list[str]
    documents: int


def _stored(payload: object, written_at: object) -> Stored | None:
    """The stored state, or None for anything damaged, foreign or malformed."""
    if not isinstance(payload, dict) or type(written_at) is not int:
        return None
    head, files, extra = payload.get("head"), payload.get("files"), payload.get("extra")
    found, told, documents = (payload.get("findings"), payload.get("notices"),
                              payload.get("documents"))
    if not (isinstance(head, str) and isinstance(files, dict) and isinstance(extra, dict)
            and isinstance(found, dict) and isinstance(told, list)
            and all(isinstance(n, str) for n in told) and type(documents) is int):
        return None
    if not all(isinstance(value, str) for value in files.values()):
        return None
    stats: dict[str, StatKey] = {}
    for path, value in extra.items():
        if not (isinstance(value, list) and len(value) == 3
                and all(type(v) is int for v in value)):
            return None
        stats[path] = (value[0], value[1], value[2])
    by_rule: dict[str, list[Finding]] = {}
    for code, listed in found.items():
        if not isinstance(listed, list):
            return None
        decoded = [_finding(item) for item in listed]
        if any(f is None or f.code != code for f in decoded):
            return None
        by_rule[code] = [f for f in decoded if f is not None]
    return Stored(head, written_at, files, stats, by_rule, told, documents)


def _stat(path: str) -> StatKey:
    try:
        return stat_key(os.stat(path))  # noqa: PTH116
    except OSError:
        return (-1, -1, -1)


class CheckState:
    """The state an incremental check starts from and leaves behind (see the module)."""

    def __init__(self, root: Path, repo: GitRepo | None, settings: str,
                 config: Config) -> None:
        self.root = root
        self.repo = repo
        self.config = config
        self.path = cache_dir(root, repo) / "check-state.json"
        self.key = cache_key(settings)
        self.head = repo.head if repo is not None else ""
        self.stored: Stored | None = None
        stored = read_json(self.path)
        if header_ok(stored, "check-state", self.key):
            assert isinstance(stored, dict)
            self.stored = _stored(stored.get("payload"), stored.get("written_at"))
        #: How the last `attempt` went: "" (not tried), "full", "bodies", "front matter".
        self.path_taken = ""
        #: The files besides the walked ones this check read, once it has been saved.
        self.extra_read: list[str] = []

    # --- trying ---------------------------------------------------------------------------

    def attempt(self, stated: Sequence[tuple[str, StatKey]], today: date,
                enabled: Mapping[str, Severity]) -> CheckResult | None:
        """The check result computed incrementally from the stored state, or None when
        only a full check can give it. `stated` is the walk's stat of every file in the
        QMS folders, taken now (before anything is read)."""
        self.path_taken = "full"
        stored = self.stored
        if stored is None or stored.head != self.head:
            return None
        rules = all_rules()
        if any(not rules[code].per_document and rules[code].reads != {"front matter"}
               for code in enabled):
            return None
        present = {path for path, _ in stated}
        if present != set(stored.files):
            return None  # added, removed or renamed
        trusted_before = stored.written_at - RACY_NS
        for path, key in stored.extra.items():
            if _stat(os.path.join(self.root, path)) != key or key[1] >= trusted_before:  # noqa: PTH118
                return None
        changed: list[str] = []
        before: dict[str, Entry] = {}
        for path, key in stated:
            if not stored.files[path].startswith(_stat_text(key)) or key[1] >= trusted_before:
                entry = _entry(stored.files[path])
                if entry is None or entry.front_matter == _OPAQUE:
                    return None  # damaged, or not a plain document
                before[path] = entry
                changed.append(path)
        needs_history = any("history" in rules[code].reads for code in enabled)
        fresh = load_documents(self.root, self.config, changed, repo=self.repo,
                               history=needs_history)
        if fresh is None:
            return None  # a changed file is no plain document any more
        sub, raws = fresh
        by_path = {doc.path: doc for doc in sub.documents.values()}
        if len(by_path) != len(changed):
            return None  # two changed files now share an id
        bodies_only = True
        updates: dict[str, Entry] = {}
        now = dict(stated)
        for path in changed:
            doc = by_path[path]
            entry = before[path]
            new = Entry(now[path], front_matter_digest(raws[path], doc.body_line),
                        model_digest(doc))
            updates[path] = new
            if new.front_matter != entry.front_matter or new.model != entry.model:
                bodies_only = False
        per_document = {code: severity for code, severity in enabled.items()
                        if rules[code].per_document}
        front = {code: severity for code, severity in enabled.items()
                 if code not in per_document}
        # The per-document rules on the changed documents, the rest of theirs kept.
        sub_ctx = RuleContext(sub, today)
        ran = run_rules(sub_ctx, per_document)
        moved = set(changed)
        by_rule: dict[str, list[Finding]] = {}
        if bodies_only:
            self.path_taken = "bodies"
            for code in enabled:
                if code in per_document:
                    kept = [f for f in stored.findings.get(code, []) if f.path not in moved]
                    by_rule[code] = kept + ran[code]
                else:
                    by_rule[code] = stored.findings.get(code, [])
            # The same QMS but for bodies: its notices stand, but for C403's, which the
            # changed documents' git reading tells again.
            told = [n for n in stored.notices if not n.startswith("C403 skipped: ")]
            told += [n.message for n in notices(sub_ctx, [c for c in enabled if c == "C403"])
                     if n.message.startswith("C403 skipped: ")]
            result = assemble(by_rule, [Notice(n) for n in told], stored.documents, today)
            self._save(stored, updates, by_rule, result)
            return result
        self.path_taken = "front matter"
        qms = load_qms(self.root, self.config, with_git=False, use_cache=self.config.cache,
                       history=False)
        if any(qms.documents.get(doc.id) is None or qms.documents[doc.id].path != doc.path
               for doc in by_path.values()):
            return None  # a changed document became a duplicate
        full_ctx = RuleContext(qms, today)
        found = run_rules(full_ctx, front)
        for code in enabled:
            if code in per_document:
                kept = [f for f in stored.findings.get(code, []) if f.path not in moved]
                by_rule[code] = kept + ran[code]
            else:
                by_rule[code] = found[code]
        told = [n.message for n in notices(full_ctx, [c for c in enabled if c != "C403"])]
        if "C403" in enabled:
            told += [n.message for n in notices(sub_ctx, ["C403"])
                     if n.message.startswith("C403 skipped: ")]
        if translations.of(qms).by_path:
            return None
        result = assemble(by_rule, [Notice(n) for n in told], len(qms.documents), today)
        extra = {path: _stat(os.path.join(self.root, path))  # noqa: PTH118
                 for path in _read_besides(qms)}
        self._save(stored, updates, by_rule, result, extra)
        return result

    # --- recording ------------------------------------------------------------------------

    def record(self, qms: Qms, result: CheckResult,
               stated: Sequence[tuple[str, StatKey]]) -> None:
        """Remember a full check of `qms` (whose files had the stat `stated` before they
        were read), so that the next check can be incremental. A QMS with translations
        is not remembered: their checks compare files with each other."""
        if translations.of(qms).by_path or qms.of_kind("register") or not self.config.cache:
            # Registers read tables the walk may not see; translations compare files
            # with each other. An older state must not outlive this check either.
            with contextlib.suppress(OSError):
                self.path.unlink(missing_ok=True)
            return
        documents = {doc.path: doc for doc in qms.documents.values()
                     if doc.register is None and doc.kind != "register"}
        for twice in qms.duplicates:
            for doc in twice:
                documents.pop(doc.path, None)
        files: dict[str, str] = {}
        for path, key in stated:
            found = documents.get(path)
            entry = Entry(key)
            if found is not None:
                raw = _read_if_unchanged(os.path.join(self.root, path), key)  # noqa: PTH118
                if raw is not None:
                    entry = Entry(key, front_matter_digest(raw, found.body_line),
                                  model_digest(found))
            files[path] = entry.to_json()
        by_rule: dict[str, list[Finding]] = {}
        for finding in result.findings:
            by_rule.setdefault(finding.code, []).append(finding)
        extra = {path: _stat(os.path.join(self.root, path))  # noqa: PTH118
                 for path in _read_besides(qms)}
        self._write(files, extra, by_rule, result)

    def _save(self, stored: Stored, updates: Mapping[str, Entry],
              by_rule: Mapping[str, list[Finding]], result: CheckResult,
              extra: Mapping[str, StatKey] | None = None) -> None:
        files = dict(stored.files)
        files.update((path, entry.to_json()) for path, entry in updates.items())
        self._write(files, stored.extra if extra is None else extra, by_rule, result)

    def _write(self, files: Mapping[str, str], extra: Mapping[str, StatKey],
               by_rule: Mapping[str, list[Finding]], result: CheckResult) -> None:
        self.extra_read = sorted(extra)
        store_payload(self.path, "check-state", self.key, {
            "head": self.head,
            "files": files,
            "extra": {path: list(key) for path, key in extra.items()},
            "findings": {code: [_encode(f) for f in listed]
                         for code, listed in by_rule.items()},
            "notices": [notice.message for notice in result.notices],
            "documents": result.documents,
        })

    def extra_paths(self) -> list[str]:
        """The files besides the walked ones this check read (for the result cache)."""
        return self.extra_read


def _read_besides(qms: Qms) -> list[str]:
    """What a check reads besides the Markdown files of the QMS folders (see
    `qmskit.commands.check.files_read`): KPI data and the ledger."""
    return sorted({*qms.series_paths.values(), qms.config.ledger_path})


def _read_if_unchanged(path: str, key: StatKey) -> bytes | None:
    """The file's bytes, when its stat is still `key` once read (else None: it changed
    since the check read it, and its digests would describe other content)."""
    try:
        with open(path, "rb") as handle:  # noqa: PTH123
            raw = handle.read()
            if stat_key(os.fstat(handle.fileno())) != key:
                return None
            return raw
    except OSError:
        return None
