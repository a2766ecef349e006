"""`qmskit new KIND`: start a controlled document from the kind's template.

The document gets a fresh id: the next free number of the kind's id pattern when the
config sets one (`[kinds.procedure] id_pattern = "SOP-###"` gives SOP-014), else one
from the title (e.g. "Supplier evaluation" becomes PROC-SUPPLIER-EVALUATION, numbered
when taken). It lands in `--dir`, the kind's configured folder (`[kinds.KIND] folder`),
the folder where documents of that kind already live, or the conventional one; starts
as a draft with every field of its kind present and commented (a declared kind's fields
from the config); and is validated against the schema before it is written. A draft
passes the pre-commit hook: its traceability findings are warnings until it is
approved. The file is created atomically and never over an existing file.

The same templates (`qmskit/templates/documents/KIND.md`) seed `qmskit init`, filled
in there as an approved, linked example system.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from qmskit import fs
from qmskit.edit import atomic_create, render_scalar
from qmskit.errors import EXIT_CLEAN, QmsError
from qmskit.loader import open_qms
from qmskit.model.documents import Document
from qmskit.model.kinds import Contract, KindSpec, field_label, nested_model
from qmskit.model.types import ID_PATTERN, is_doc_id

if TYPE_CHECKING:
    from qmskit.qms import Qms

#: Where a kind lives by convention (the layout `qmskit init` creates).
FOLDERS: dict[str, str] = {
    "strategy": "qms_docs/strategy", "objective": "objectives", "procedure": "procedures",
    "process": "procedures", "kpi": "qms_docs/kpis", "role": "qms_docs/roles",
    "risk": "qms_docs/risks", "action": "qms_docs/actions", "audit": "qms_docs/audits",
    "review": "qms_docs/reviews", "nonconformity": "qms_docs/nonconformities",
    "document": "qms_docs", "register": "qms_docs/registers",
}
#: The id prefix a kind gets when the QMS has no document of that kind yet.
PREFIXES: dict[str, str] = {
    "strategy": "STRAT", "objective": "OBJ", "procedure": "PROC", "process": "PROC",
    "kpi": "KPI", "role": "ROLE", "risk": "RISK", "action": "ACT", "audit": "AUDIT",
    "review": "MR", "nonconformity": "NC", "document": "DOC", "register": "REG",
}
#: The clauses a new document of each kind starts with when ISO 13485 is the default
#: standard (the templates carry ISO 9001's, whose numbers mean other things there).
CLAUSES_13485: dict[str, str] = {
    "strategy": '["5.1"]', "objective": '["5.4.1"]', "procedure": '["7.1"]',
    "process": '["4.1.2", "7.1"]', "kpi": '["8.2.5"]', "role": '["5.5.1"]',
    "risk": '["7.1"]', "audit": '["8.2.4"]', "review": '["5.6"]',
    "nonconformity": '["8.3"]',
}
_CLAUSES_LINE = re.compile(r"^clauses: \[.*\]$", re.MULTILINE)
_STOP_WORDS = frozenset({"A", "AN", "AND", "AT", "BY", "FOR", "IN", "OF", "ON", "OR", "THE",
                         "TO", "WITH"})
_PLACEHOLDER = re.compile(r"\{\{qms:(\w+)\}\}")


def template(kind: str) -> str:
    """The text of the document template for `kind`."""
    return files("qmskit").joinpath("templates", "documents", f"{kind}.md").read_text("utf-8")


def init_template(name: str) -> str:
    """The text of one of `qmskit init`'s repository templates."""
    return files("qmskit").joinpath("templates", "init", name).read_text("utf-8")


def render_template(text: str, values: Mapping[str, str]) -> str:
    """Fill `{{qms:NAME}}` placeholders; a placeholder alone on its line takes whole
    lines (and removes the line when its value is empty). Unknown names are an error,
    so a template and its caller cannot drift apart silently."""
    out: list[str] = []
    for line in text.splitlines(keepends=True):
        alone = _PLACEHOLDER.fullmatch(line.strip())
        if alone is not None:
            value = values[alone.group(1)]
            out.extend(part.rstrip() + "\n" for part in value.splitlines() if value)
            continue

        def fill(match: re.Match[str]) -> str:
            return values[match.group(1)]

        rendered = _PLACEHOLDER.sub(fill, line)
        out.append(rendered.rstrip() + "\n" if rendered.endswith("\n") else rendered)
    return "".join(out)


def flow_list(ids: list[str]) -> str:
    """A YAML flow sequence of ids, as the example writes links: `[OBJ-A, OBJ-B]`."""
    return "[" + ", ".join(ids) + "]"


def document_values(kind: str, doc_id: str, title: str, **overrides: str) -> dict[str, str]:
    """Placeholder values for a draft of `kind`; `overrides` fill in links and fields."""
    values = {
        "id": doc_id, "title": render_scalar(title), "heading": title, "owner": "",
        "status": "draft", "approval": "", "review_last": "", "horizon": "",
        "supports": "[]", "target": "", "due": "", "risks": "[]", "applies_to": "[]",
        "measures": "[]", "unit": "", "warn_at": "", "data": f"data/{doc_id}.csv",
        "holders": "[]", "reports_to": "", "affects": "[]", "likelihood": "",
        "impact": "", "treated_by": "[]", "source": "", "date": "", "scope": "[]",
        "findings": "[]", "inputs": "[]", "decisions": "[]", "attendees": "[]",
        "severity": "", "actions": "[]", "type": "", "records": "", "clauses": "[]",
    }
    values.update(overrides)
    return values


def validate_rendered(relative: str, text: str, contract: Contract | None = None) -> None:
    """Refuse to write a document the loader would reject (a template bug, or a title
    that cannot be written)."""
    from qmskit.loader import validate_document
    from qmskit.model.frontmatter import FrontMatterError, parse
    from qmskit.model.kinds import DEFAULT_CONTRACT

    try:
        fm = parse(text)
    except FrontMatterError as error:  # pragma: no cover - templates are tested
        raise QmsError(f"{relative}: template produced invalid YAML: {error.message}") from None
    doc, findings, _ = validate_document(relative, fm, contract=contract or DEFAULT_CONTRACT)
    if doc is None or findings:
        problems = "; ".join(f"{f.message}" for f in findings) or "not a document"
        raise QmsError(f"{relative}: the new document would not be valid: {problems}")


def _words(title: str) -> list[str]:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = [w.upper() for w in re.findall(r"[A-Za-z0-9]+", ascii_title)]
    return [w[:12] for w in words if w not in _STOP_WORDS]


def fresh_id(prefix: str, title: str | None, taken: set[str]) -> str:
    """An unused id: PREFIX-WORD-WORD from the title, else PREFIX-001, -002, ..."""
    words = _words(title)[:2] if title else []
    if words:
        base = "-".join([prefix, *words])
        candidate, number = base, 2
        while candidate in taken:
            candidate, number = f"{base}-{number}", number + 1
        return candidate
    number = 1
    while f"{prefix}-{number:03d}" in taken:
        number += 1
    return f"{prefix}-{number:03d}"


def register_header(contract: Contract, records: str) -> str:
    """The header line of a new register's table: `id`, `title` and the fields of the
    kind it records (the common control fields come from the register)."""
    model = contract.models[records]
    common = set(Document.model_fields)
    names = ["id", "title", "owner"] + [
        name for name in model.model_fields
        if name not in common and name != "kind" and nested_model(model, name) is None]
    return ",".join(names) + "\n"


def _folder(qms: Qms, kind: str) -> str:
    configured = qms.config.contract.folder(kind)
    if configured is not None:
        return configured.strip("/")
    existing = Counter(PurePosixPath(d.path).parent.as_posix() for d in qms.of_kind(kind)
                       if d.register is None)
    if existing:
        return existing.most_common(1)[0][0]
    folder = FOLDERS.get(kind, f"qms_docs/{kind.replace('_', '-')}s")
    if folder.split("/")[0] in qms.config.folders:
        return folder
    return f"{qms.config.folders[0].rstrip('/')}/{PurePosixPath(folder).name}"


def _prefix(qms: Qms, kind: str) -> str:
    existing = Counter(d.id.split("-")[0] for d in qms.of_kind(kind))
    default = PREFIXES.get(kind) or re.sub(r"[^A-Z0-9]", "", kind.upper())[:4] or "DOC"
    return existing.most_common(1)[0][0] if existing else default


def _directory(qms: Qms, kind: str, directory: Path | None) -> str:
    """The folder (relative to the root) a new document goes into: `--dir` (inside a
    QMS folder, so the check reads it), else the kind's folder (`_folder`)."""
    if directory is None:
        return _folder(qms, kind)
    resolved = (directory if directory.is_absolute() else Path.cwd() / directory).resolve()
    try:
        relative = resolved.relative_to(qms.root.resolve()).as_posix()
    except ValueError:
        raise QmsError(f"--dir {directory}: not inside the QMS at {qms.root}") from None
    pure = PurePosixPath(relative)
    if not any(pure.is_relative_to(PurePosixPath(folder)) for folder in qms.config.folders):
        raise QmsError(f"--dir {directory}: not inside the QMS folders "
                       f"({', '.join(qms.config.folders)}), so `qmskit check` would not read "
                       "the document there")
    return relative


def declared_template(spec: KindSpec) -> str:
    """The template of a kind declared in the config: the common fields, then its fields
    and links, each with its type as a comment."""
    lines = ["---", "id: {{qms:id}}", f"kind: {spec.name}", "title: {{qms:title}}",
             "owner: {{qms:owner}}  # a role id", "status: {{qms:status}}", "version: 1",
             "{{qms:approval}}", "review:", "{{qms:review_last}}", "  interval: 12 months"]
    required = set(spec.required)
    for name, type_name in spec.fields:
        note = f"{type_name}{', required once approved' if name in required else ''}"
        if spec.due == name:
            note += "; falls due on this date"
        empty = "[]" if type_name == "list" else ""
        lines.append(f"{name}: {empty}  # {note}".replace(":   #", ":  #"))
    for name, targets in spec.links:
        note = f"-> {', '.join(targets)}{', required once approved' if name in required else ''}"
        lines.append(f"{name}: []  # {note}")
    title = spec.title or field_label(spec.name)
    lines += ["---", "", "# {{qms:heading}}", "",
              f"A {field_label(spec.name).lower()} ({title}, declared in the config).", ""]
    return "\n".join(lines)


def new(root: Path, kind: str, *, title: str | None = None, doc_id: str | None = None,
        owner: str | None = None, config_path: Path | None = None,
        directory: Path | None = None, records: str | None = None) -> int:
    """Create a draft document of `kind` (in `directory`, if given; a register of
    `records`); print its path. Exit 0, or 2 when refused."""
    if title is not None and (not title.strip() or "\n" in title or len(title) > 300):
        raise QmsError("--title must be one line of 1 to 300 characters")
    qms = open_qms(root, config_path, with_git=False)
    contract = qms.config.contract
    if kind not in contract.kinds:
        raise QmsError(f"unknown kind {kind!r}; use one of: {', '.join(contract.kinds)}, or "
                       "declare it under [kinds] in the config")
    if kind == "register":
        if records is None:
            raise QmsError("a register holds records of one kind: say which with --records "
                           "KIND (e.g. --records risk)")
        if records not in contract.record_kinds:
            raise QmsError(f"--records {records}: not a kind a register can hold; use one "
                           f"of: {', '.join(contract.record_kinds)}")
    elif records is not None:
        raise QmsError("--records is for `qmskit new register`")
    if owner is not None and (owner not in qms.documents
                              or qms.documents[owner].kind != "role"):
        raise QmsError(f"--owner {owner}: not a role in this QMS")
    folder = _directory(qms, kind, directory)
    taken = set(qms.documents) | qms.broken_ids | set(qms.aliases)
    where = qms.root / folder
    if where.is_dir() and fs.inside(qms.root, where):
        taken |= {p.stem for p in where.glob("*.md")}
    today = qms.evaluation_date(None)
    if doc_id is not None:
        if not is_doc_id(doc_id):
            raise QmsError(f"--id {doc_id!r} does not match {ID_PATTERN}, e.g. PROC-PURCH")
        if doc_id in taken:
            raise QmsError(f"--id {doc_id}: already used in this QMS")
    else:
        pattern = contract.id_pattern(kind)
        doc_id = (pattern.next_free(taken, today.year) if pattern is not None
                  else fresh_id(_prefix(qms, kind), title, taken))
    title = title.strip() if title else f"New {kind} {doc_id}"
    overrides = {"owner": owner or ""}
    if kind in ("audit", "review", "nonconformity"):
        overrides["date"] = today.isoformat()
    if kind == "register":
        assert records is not None
        overrides |= {"records": records, "data": f"data/{doc_id}.csv"}
    spec = contract.declared.get(kind)
    source = declared_template(spec) if spec is not None else template(kind)
    text = render_template(source, document_values(kind, doc_id, title, **overrides))
    standard = qms.config.default_standard
    if standard != "ISO 9001:2015":  # a standard from a catalogue file: none to guess
        clauses = CLAUSES_13485.get(kind, "[]") if standard == "ISO 13485:2016" else "[]"
        text = _CLAUSES_LINE.sub(f"clauses: {clauses}", text, count=1)
    relative = f"{folder}/{doc_id}.md"
    validate_rendered(relative, text, contract)
    data = f"{folder}/data/{doc_id}.csv"
    header = ("period,value\n" if kind == "kpi" else
              register_header(contract, records) if records is not None else None)
    if header is not None:  # refused before anything is written, not halfway
        fs.Root(qms.root).inside(data, data)
    atomic_create(qms.root / relative, text, root=qms.root, where=relative)
    lines = [f"{relative}: created {kind} {doc_id} (draft)"]
    if header is not None:
        try:
            atomic_create(qms.root / data, header, root=qms.root, where=data)
            lines.append(f"{data}: created (header only)")
        except fs.ExistsError:
            pass  # a table written before the document: keep it
    hints = {"objective": "the strategy it supports", "process": "the objective it serves",
             "procedure": "the objective or process it serves",
             "kpi": "what it measures, its target", "role": "its holders",
             "risk": "the processes it affects", "review": "inputs, decisions, attendees",
             "audit": "its scope", "action": "its source and due date",
             "strategy": "its horizon", "nonconformity": "what it affects and its actions",
             "document": "its type, clauses and content",
             "register": "one row per record in the table"}
    lines.append(f"  next: fill in {'the owner, ' if owner is None else ''}"
                 f"{hints.get(kind, 'its links')}; "
                 "then `qmskit check`")
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_CLEAN
