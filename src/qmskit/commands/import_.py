"""`qmskit import SOURCE --kind KIND`: the registers a handbook keeps as tables, as records.

SOURCE is a Markdown page (its tables, chosen by `--table N`, `--table all` or
`--heading TEXT`) or a CSV file. Every row becomes a record of KIND (see
`qmskit.domain.importing` for how columns and cells are read):

- `--to files` (the default): one Markdown file per row, `ID.md`, in `--dir` (default: a
  folder named after the page, beside it: `registers/risks.md` -> `registers/risks/`;
  for a CSV, the kind's folder in the first QMS folder);
- `--to register`: one register document (`kind: register`, `records: KIND`, `data:
  NAME.csv`) and its CSV, one row per record: header = field names, dotted names for
  nested fields (`review.last`), lists separated by `;`, an empty cell = unset. The
  register's status, version, approval and review stamps (`--set status=approved`, ...)
  are the rows' too. With `--replace-table`, the page itself becomes the register
  document; otherwise `--register PATH` (default `PAGE-register.md`).

Nothing is written when a row cannot be imported (the rows are listed with their line
and every reason; `--skip-bad-rows` imports the others), when a file to create exists,
or with `--dry-run`, which shows every file and change instead.

`--replace-table` replaces each imported table in the page by a `qmskit:table` block
(`qmskit.domain.tables`) that the handbook renders from the records, so the data is
kept once. A translated page's table (`X.de.md`) is left as it is, and said so.
"""

from __future__ import annotations

import csv
import io
import os
import posixpath
import sys
import tomllib
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qmskit import fs, progress, translations
from qmskit.commands.new import FOLDERS, PREFIXES, fresh_id, validate_rendered
from qmskit.domain.importing import (
    FIRST_FIELDS,
    REGISTER_FIELDS,
    ImportPlan,
    Known,
    MappingError,
    ValueMaps,
    column_fields,
    convert_settings,
    field_specs,
    flatten,
    name_rows,
    nest,
    parse_mapping,
    plan_import,
)
from qmskit.domain.tables import Marker, Table, csv_table, markdown_tables, table_marker
from qmskit.edit import atomic_create, edit_file, render_scalar, set_fields
from qmskit.errors import EXIT_CLEAN, EXIT_FINDINGS, QmsError
from qmskit.loader import open_qms
from qmskit.model.documents import MODELS
from qmskit.model.types import is_doc_id
from qmskit.reports.importing import Outcome, describe_tables, render
from qmskit.walk import is_excluded

if TYPE_CHECKING:
    from qmskit.qms import Qms


def _relative(qms: Qms, path: Path, what: str) -> str:
    """`path` (as the user gave it) relative to the QMS root; QmsError outside it."""
    absolute = os.path.normpath(Path(path).absolute())
    for base in (str(qms.root), os.path.realpath(qms.root)):
        if absolute == base or absolute.startswith(base + os.sep):
            return os.path.relpath(absolute, base).replace(os.sep, "/")
    raise QmsError(f"{path}: the {what} is outside the QMS repository {qms.root}")


def _read(files: fs.Root, relative: str, max_size: int) -> str:
    raw = files.read(relative, max_size, relative)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise QmsError(f"{relative}: not valid UTF-8; save it as UTF-8") from None


def _choose(source: str, tables: list[Table], wanted: Sequence[str],
            heading: str | None) -> list[Table]:
    """The tables `--table` / `--heading` name; QmsError listing them when unclear."""
    if not tables:
        raise QmsError(f"{source}: no table found (a header row, then a |---| row)")
    listing = "\n".join(describe_tables(source, tables))
    chosen = tables
    if heading is not None:
        key = heading.strip().casefold()
        chosen = [t for t in tables if key in (t.heading.casefold(), t.tab.casefold())]
        if not chosen:
            raise QmsError(f"{source}: no table under a heading or tab {heading!r}; the "
                           f"tables are:\n{listing}")
    if wanted and not (len(wanted) == 1 and wanted[0].strip().lower() == "all"):
        numbers: list[int] = []
        for item in wanted:
            for part in item.split(","):
                if not part.strip().isdigit() or not 1 <= int(part) <= len(tables):
                    raise QmsError(f"--table {part.strip()!r}: give a table number (1 to "
                                   f"{len(tables)}) or all; the tables are:\n{listing}")
                numbers.append(int(part))
        chosen = [t for t in chosen if t.index in numbers]
    elif not wanted and len(chosen) > 1:
        raise QmsError(f"{source} has {len(chosen)} tables; choose with --table N (or "
                       f"--table all, --heading TEXT):\n{listing}")
    headers = {tuple(h.casefold() for h in t.header) for t in chosen}
    if len(headers) > 1:
        raise QmsError(f"{source}: the chosen tables have different columns; import them "
                       f"one at a time:\n{listing}")
    if not chosen:
        raise QmsError(f"{source}: no table matches; the tables are:\n{listing}")
    return chosen


def _value_maps(qms: Qms, files: fs.Root, specs: Sequence[str]) -> ValueMaps:
    values = ValueMaps()
    for spec in specs:
        if spec.endswith((".toml", ".csv")) and ":" not in spec.split("=", 1)[0]:
            relative = _relative(qms, Path(spec), "value map")
            text = _read(files, relative, qms.config.max_file_size)
            try:
                if spec.endswith(".toml"):
                    values.add_table(tomllib.loads(text), relative)
                else:
                    values.add_rows(csv.reader(io.StringIO(text)), relative)
            except tomllib.TOMLDecodeError as error:
                raise QmsError(f"{relative}: not valid TOML: {error}") from None
        else:
            values.add_inline(spec)
    return values


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    assert isinstance(value, (str, int, date))
    return render_scalar(value)


def _yaml_lines(key: str, value: Any, indent: str = "") -> list[str]:
    if isinstance(value, dict):
        lines = [f"{indent}{key}:"]
        for sub, inner in value.items():
            lines += _yaml_lines(sub, inner, indent + "  ")
        return lines
    if isinstance(value, list):
        rendered = [_scalar(v) for v in value]
        if all(text == str(v) and "," not in text and " " not in text
               for text, v in zip(rendered, value, strict=True)):
            return [f"{indent}{key}: [{', '.join(rendered)}]"]
        return [f"{indent}{key}:", *(f"{indent}  - {text}" for text in rendered)]
    return [f"{indent}{key}: {_scalar(value)}"]


def _ordered(data: dict[str, Any], kind: str) -> list[str]:
    model_order = list(MODELS[kind].model_fields) if kind in MODELS else []

    def rank(key: str) -> tuple[int, int]:
        if key in FIRST_FIELDS:
            return 0, FIRST_FIELDS.index(key)
        if key in model_order:
            return 1, model_order.index(key)
        return 2, 0

    return sorted(data, key=rank)


def front_matter(data: dict[str, Any], kind: str) -> str:
    """Front matter for a new file, fields in qmskit's order, values YAML-safe."""
    lines = ["---"]
    for key in _ordered(data, kind):
        lines += _yaml_lines(key, data[key])
    return "\n".join([*lines, "---", ""])


def _csv_cell(value: Any) -> str:
    if isinstance(value, list):
        return ";".join(_csv_cell(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def register_csv(plan: ImportPlan) -> str:
    """The register's data: header = field names (dotted), one row per record."""
    # The table's columns in their order, then fields every row was given (`--set`).
    ordered = dict.fromkeys(name for names in plan.columns for name in names)
    names = ["id", *[n for n in [*ordered, *plan.fields] if n not in ("id", "kind")]]
    names = list(dict.fromkeys(names))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    for record in plan.records:
        flat = flatten(record.data)
        writer.writerow([_csv_cell(flat.get(name, "")) for name in names])
    return out.getvalue()


def _files_folder(qms: Qms, directory: Path | None, source: str, is_csv: bool,
                  kind: str) -> str:
    """Where `--to files` writes: `--dir`, else a folder named after the page beside it,
    else (a CSV) the kind's folder in the first QMS folder; it must be read as the QMS."""
    if directory is not None:
        folder = _relative(qms, directory, "--dir")
    elif is_csv:
        base = posixpath.basename(FOLDERS.get(kind, f"{kind}s"))
        folder = posixpath.join(qms.config.folders[0].strip("/"), base)
    else:
        folder = posixpath.splitext(source)[0]
    _inside_qms(qms, posixpath.join(folder, "X.md"))
    return folder


def _inside_qms(qms: Qms, relative: str) -> None:
    folders = [f.strip("/") for f in qms.config.folders]
    if not any(relative.startswith(f + "/") for f in folders) \
            or is_excluded(relative, qms.config.exclude):
        raise QmsError(f"{relative}: not in a QMS folder ({', '.join(folders)}; exclude "
                       f"{', '.join(qms.config.exclude) or 'nothing'}), so qmskit would not "
                       "read it; pass --dir (or --register) inside one")


def _translated_tables(qms: Qms, source: str, tables: list[Table]) -> list[str]:
    """Notes on translated pages that hold the same tables (left as they are)."""
    config = qms.config.translations
    if config is None:
        return []
    neutral, language = translations.language_of(source, config)
    notes = []
    for other in config.languages:
        if other == language:
            continue
        if config.structure == "suffix":
            path = neutral[:-3] + f".{other}.md"
        else:
            parts = source.split("/")
            if language not in parts:
                continue
            parts[parts.index(language)] = other
            path = "/".join(parts)
        try:
            text = fs.Root(qms.root).read(path, qms.config.max_file_size, path).decode(
                "utf-8", "replace")
        except fs.PathError:
            continue
        theirs = {t.index: t for t in markdown_tables(text)}
        for table in tables:
            match = theirs.get(table.index)
            if match is not None and len(match.rows) == len(table.rows):
                notes.append(f"{path}:{match.line}: the {other} page has this table too; "
                             "it is left as it is (replace it by hand with the same "
                             "qmskit:table block to keep the entries once)")
    return notes


def _as_register(text: str, data: dict[str, Any], title: str, where: str) -> str:
    """The page with the register's fields added to its front matter (a page without
    front matter gets one); its own title, description and tags stay."""
    from qmskit.model.frontmatter import FrontMatterError, parse

    try:
        present = parse(text.removeprefix("\ufeff"), positions=False).data
    except FrontMatterError as error:
        raise QmsError(f"{where}: its front matter cannot be read ({error.message}); fix it "
                       "first") from None
    if present is None and not text.startswith("---"):
        return front_matter({"title": title, **data}, "register") + text
    wanted = {} if present and "title" in present else {"title": title}
    changes: list[tuple[tuple[str, ...], Any]] = [((key,), value) for key, value in
                                                  {**wanted, **data}.items()
                                                  if not isinstance(value, dict)]
    changes += [((key, sub), value) for key, inner in data.items() if isinstance(inner, dict)
                for sub, value in inner.items()]
    return set_fields(text, changes, where)


def _replace(text: str, tables: list[Table], blocks: dict[int, list[str]]) -> str:
    """`text` with each table's lines replaced by its block (checked to be unchanged)."""
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if text.endswith("\r\n") or "\r\n" in text else "\n"
    now = {t.index: t for t in markdown_tables(text)}
    for table in sorted(tables, key=lambda t: t.start, reverse=True):
        current = now.get(table.index)
        if current is None or (current.start, current.end, current.rows) != (
                table.start, table.end, table.rows):
            raise QmsError("the page changed while importing; run the import again")
        lines[table.start:table.end] = [line + newline for line in blocks[table.index]]
    return "".join(lines)


def import_table(root: Path, source: Path, *, kind: str, to: str = "files",
                 tables: Sequence[str] = (), heading: str | None = None,
                 maps: Sequence[str] = (), value_maps: Sequence[str] = (),
                 settings: Sequence[str] = (), directory: Path | None = None,
                 register: Path | None = None, register_id: str | None = None,
                 id_prefix: str | None = None, replace_table: bool = False,
                 skip_bad_rows: bool = False, dry_run: bool = False,
                 config_path: Path | None = None) -> int:
    """Import the rows of a table as records of `kind`; exit 0, 1 when rows cannot be
    imported, 2 for a usage problem (nothing written then)."""
    if kind not in MODELS:
        raise QmsError(f"--kind {kind!r}: use one of {', '.join(sorted(MODELS))}")
    if to not in ("files", "register"):
        raise QmsError("--to: files or register")
    if id_prefix is not None and not is_doc_id(f"{id_prefix}-1"):
        raise QmsError(f"--id-prefix {id_prefix!r}: capitals and digits, e.g. RISK")
    with progress.shown(progress.wanted()):  # reading a large QMS takes a while
        qms = open_qms(root, config_path, with_git=False)
    files = fs.Root(qms.root)
    relative = _relative(qms, source, "table")
    text = _read(files, relative, qms.config.max_file_size)
    is_csv = relative.lower().endswith(".csv")
    if is_csv and replace_table:
        raise QmsError("--replace-table works on a Markdown page, not on a CSV file")
    chosen = [csv_table(text)] if is_csv else _choose(relative, markdown_tables(text),
                                                      tables, heading)
    model = MODELS[kind]
    specs = field_specs(model, kind)
    known = Known.of(qms)
    try:
        columns, unmapped = column_fields(chosen[0].header, parse_mapping(maps, specs), specs)
        values = _value_maps(qms, files, value_maps)
    except MappingError as error:
        raise QmsError(str(error)) from None
    if unmapped:
        raise QmsError(
            f"{relative}: columns {', '.join(repr(c) for c in unmapped)} are not mapped to a "
            f"field of a {kind}; map each with --map 'COLUMN=FIELD' (fields: "
            f"{', '.join(sorted(specs))}), 'COLUMN=x-NAME' to keep it as text, or "
            "'COLUMN=-' to leave it out")
    if not any("title" in names for names in columns):
        raise QmsError(f"{relative}: no column is mapped to title; add --map 'COLUMN=title'")

    stem = posixpath.splitext(posixpath.basename(relative))[0]
    page_dir = posixpath.dirname(relative)
    folder = _files_folder(qms, directory, relative, is_csv, kind) if to == "files" else ""
    taken = set(qms.documents) | qms.broken_ids
    target = qms.root / folder
    if to == "files" and target.is_dir() and fs.inside(qms.root, target):
        taken |= {p.stem for p in target.glob("*.md")}
    prefix = id_prefix or PREFIXES.get(kind, kind[:4].upper())
    combined = Table(0, 0, 0, "", chosen[0].header,
                     tuple(row for table in chosen for row in table.rows))
    naming = name_rows(combined, columns, lambda title, used: fresh_id(prefix, title, used),
                       taken)
    try:
        given = convert_settings(settings, model, kind, known, values, naming.fresh)
    except MappingError as error:
        raise QmsError(str(error)) from None
    row_defaults = {k: v for k, v in given.items()
                    if to == "files" or k.split(".")[0] not in REGISTER_FIELDS | {"owner"}}
    register_fields = {k: v for k, v in given.items() if k not in row_defaults}
    if to == "files":
        row_defaults.setdefault("status", "draft")
        inherited: dict[str, Any] = {}
    else:
        register_fields.setdefault("status", "draft")
        inherited = nest(register_fields)
        if register is not None:
            register_path = _relative(qms, register, "--register")
        elif replace_table:
            register_path = relative
        else:
            register_path = posixpath.join(page_dir, f"{stem}-register.md")
        _inside_qms(qms, register_path)
        folder = posixpath.dirname(register_path)
    plan = plan_import(combined, kind, model, columns, naming, values=values, known=known,
                       defaults=row_defaults, inherited=inherited, taken=taken)
    data_path = ""
    if to == "register" and register_id is None:
        register_id = fresh_id("REG", stem.replace("-", " "), set(qms.documents))
    if register_id is not None and not is_doc_id(register_id):
        raise QmsError(f"--register-id {register_id!r}: an id such as REG-RISKS")

    outcome = Outcome()
    # The block shows the columns the table had, in its order.
    columns_shown = tuple(dict.fromkeys(name for names in plan.columns for name in names))
    if to == "files":
        for record in plan.records:
            path = posixpath.join(folder, f"{record.id}.md")
            body = front_matter(record.data, kind) + "\n" + f"# {record.data['title']}\n"
            validate_rendered(path, body)
            outcome.created[path] = body
    else:
        assert register_id is not None
        data_path = posixpath.join(folder, posixpath.splitext(
            posixpath.basename(register_path))[0] + ".csv")
        outcome.created[data_path] = register_csv(plan)
        if "owner" not in register_fields:
            # A register is a controlled document and needs an owner (T306): the one owner
            # all its rows name, when they agree; otherwise the user says (`--set owner=`).
            owners = {record.data.get("owner") for record in plan.records}
            if len(owners) == 1 and None not in owners:
                register_fields["owner"] = owners.pop()
            else:
                plan.notes.append("the register has no owner: give it one with "
                                  "`--set owner=ROLE-...` (T306 until then)")
        register_data: dict[str, Any] = {"id": register_id, "kind": "register",
                                         **nest(register_fields), "records": kind,
                                         "data": posixpath.basename(data_path)}
        if register_path != relative:
            title = chosen[0].heading or stem.replace("-", " ").capitalize()
            outcome.created[register_path] = front_matter(
                {"title": title, **register_data}, "register") + "\n" + f"# {title}\n"
    new_text = text
    left_out = [h for h, names in zip(plan.header, plan.columns, strict=True) if not names]
    if replace_table and left_out:
        raise QmsError(f"--replace-table would lose the columns {', '.join(left_out)}, which "
                       "are not imported; map them to fields (COLUMN=x-NAME keeps text), or "
                       "keep the table (leave out --replace-table)")
    if replace_table:
        if plan.rejected:
            outcome.notes.append("--replace-table: the table stays, since not every row was "
                                 "imported")
        else:
            by_line = {r.line: r.id for r in plan.records}
            blocks = {}
            for table in chosen:
                ids = tuple(by_line[row.line] for row in table.rows)
                if to == "register":
                    marker = Marker(register_id, (), columns_shown)
                    fallback = (f"The entries are in [{posixpath.basename(data_path)}]"
                                f"({posixpath.basename(data_path)}) ({register_id}).")
                else:
                    marker = Marker(None, ids, columns_shown)
                    fallback = "Entries: " + ", ".join(ids) + "."
                blocks[table.index] = table_marker(marker, fallback, table.indent)
            new_text = _replace(new_text, chosen, blocks)
            outcome.notes += _translated_tables(qms, relative, chosen)
    if to == "register" and register_path == relative:
        # Last: the tables were located in the page as it was read.
        new_text = _as_register(new_text, register_data, chosen[0].heading or stem, relative)
    if new_text != text:
        outcome.changed[relative] = (text, new_text)

    conflicts = [p for p in outcome.created if os.path.lexists(qms.root / p)]
    if conflicts:
        raise QmsError(f"would overwrite {', '.join(conflicts)}; qmskit import never "
                       "overwrites a file (remove them, or choose --dir)")
    write = not dry_run and (not plan.rejected or skip_bad_rows) and bool(plan.records)
    if write:
        for path, content in outcome.created.items():
            atomic_create(qms.root / path, content, root=qms.root, where=path)
        for path, (old, new) in outcome.changed.items():
            def change(now: str | None, old: str = old, new: str = new,
                       path: str = path) -> str:
                if now != old:
                    raise QmsError(f"{path}: changed while importing; run the import again")
                return new
            edit_file(qms.root / path, change, root=qms.root, where=path)
    sys.stdout.write(render(relative, plan, outcome, dry_run=dry_run, written=write))
    return EXIT_FINDINGS if plan.rejected else EXIT_CLEAN
