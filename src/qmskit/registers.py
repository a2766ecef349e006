"""Registers: many records in one controlled document, as a CSV table.

Teams keep a risk register or a CAPA log as one table. A `kind: register` document
names the kind of its rows (`records: risk`) and the table (`data: data/risks.csv`,
relative to the register). The table's format, which `qmskit import` writes too:

- the first line is the header: one field name of that kind per column (`id` required);
  a nested field is written with a dot (`review.last`, `effectiveness.checked`), and a
  column named `x-...` is the organisation's own and passes unchecked;
- every other line is one record; a list field holds its items separated by `;`
  (`PROC-PURCH;PROC-PROD`); an empty cell leaves the field unset;
- RFC 4180 quoting (`"Smith, J"`, `""` for a quote inside a quoted cell), UTF-8.

Each row becomes a document of that kind, with the CSV as its path and every value
located at its cell, so the same rules check it and every finding points at
`data/risks.csv:LINE:COL`. A row inherits `status`, `version`, the approval, the review,
`effective` and `owner` from the register unless it sets them itself: the register is
reviewed and approved as one document, and `qmskit review REG-ID` stamps it.
"""

from __future__ import annotations

import difflib
import posixpath
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qmskit import fs
from qmskit.model.doc import Doc
from qmskit.model.documents import Document, Register
from qmskit.model.findings import Finding
from qmskit.model.frontmatter import FrontMatter, KeyPath, Position
from qmskit.model.kinds import Contract, is_list_field, nested_model
from qmskit.model.table import Cell, TableError, parse_table

if TYPE_CHECKING:
    from qmskit.qms import Qms

#: Fields a row takes from its register when it does not set them itself.
INHERITED: tuple[str, ...] = ("status", "version", "approved_by", "approved_on",
                              "approved_version", "review", "effective", "owner")
#: Separator of the items of a list field in a cell.
LIST_SEPARATOR = ";"


def data_path(doc: Doc) -> str:
    """The register's table, relative to the root (lexically normalised)."""
    model = doc.model
    assert isinstance(model, Register)
    return posixpath.normpath(posixpath.join(posixpath.dirname(doc.path), model.data))


def rows(qms: Qms, register_id: str) -> list[Doc]:
    """The records of a register that loaded as documents, in table order (for pages:
    each row's anchor on the register's page is `row_anchor(doc)`)."""
    found = [doc for doc in qms.documents.values() if doc.register == register_id]
    return sorted(found, key=lambda doc: doc.pos("id"))


def row_anchor(doc: Doc) -> str:
    """The HTML id of a record's row on its register's page (`#risk-7`)."""
    return doc.id.lower()


def _column_known(model: type[Document], name: str) -> bool:
    head, _, rest = name.partition(".")
    if head == "kind" or head not in model.model_fields:
        return False
    if not rest:
        return True
    inner = nested_model(model, head)
    return inner is not None and "." not in rest and rest in inner.model_fields


@dataclass(frozen=True)
class Row:
    """One record of a register, as front matter located at its cells, ready for the
    loader to validate like a file's."""

    front_matter: FrontMatter
    #: The fields the row takes from the register.
    inherited: frozenset[str]


def read_rows(qms: Qms, doc: Doc, files: fs.Root, contract: Contract) -> list[Row]:
    """The records in the table of register `doc`, for the loader to validate.

    Never raises for bad content: a missing or unreadable table is D107 at the
    register's `data`, a bad header cell is a finding at its cell (added to
    `qms.problems`), and the rows that can be read are still returned.
    """
    model = doc.model
    assert isinstance(model, Register)
    row_type = contract.model_for(model.records)
    if row_type is None or model.records == "register":
        return []  # reported at `records` by the loader

    def at_data(message: str, hint: str = "") -> Finding:
        line, col = doc.pos("data")
        return Finding(doc.path, line, col, "D107", message, hint=hint, doc_id=doc.id)

    relative = data_path(doc)
    if relative.startswith("../") or relative == ".." or posixpath.isabs(model.data):
        qms.problems.append(at_data(f"data path {model.data!r} points outside the repository",
                                    "keep the register's table inside the repository"))
        return []
    try:
        real, _ = files.stat(relative, relative)
        raw = fs.read_regular(real, qms.config.max_file_size, relative)
        text = raw.decode("utf-8-sig")
    except fs.MissingError:
        qms.problems.append(at_data(f"data file {model.data!r} does not exist",
                                    f"create {relative} with a header such as 'id,title'"))
        return []
    except fs.PathError as error:
        qms.problems.append(at_data(f"data file {model.data!r} {error.reason}", error.hint))
        return []
    except UnicodeDecodeError:
        qms.problems.append(at_data(f"data file {model.data!r} is not valid UTF-8",
                                    "save the table as UTF-8 CSV"))
        return []
    try:
        table = parse_table(text)
    except TableError as error:
        qms.problems.append(Finding(relative, error.line, error.col, "D107", error.message,
                                    hint=error.hint, doc_id=doc.id))
        return []
    if not table:
        qms.problems.append(at_data(f"data file {model.data!r} is empty",
                                    "write the header line, e.g. 'id,title'"))
        return []
    columns = _columns(qms, doc, relative, table[0], row_type)
    if columns is None:
        return []
    inherited = {name: value for name, value in model.model_dump(include=set(INHERITED))
                 .items() if value is not None}
    lists = frozenset(name for name in columns
                      if name is not None and is_list_field(row_type, name))
    found = []
    for cells in table[1:]:
        row = _row(qms, doc, relative, cells, columns, lists, inherited)
        if row is not None:
            found.append(row)
    return found


def _columns(qms: Qms, doc: Doc, relative: str, header: list[Cell],
             row_type: type[Document]) -> list[str | None] | None:
    """The field of each column (None: a column to skip); None when the table has no
    `id` column. Bad header cells are reported once, at the header."""
    fields: list[str | None] = []
    seen: set[str] = set()
    known = [name for name in row_type.model_fields if name != "kind"]
    for cell in header:
        name = cell.text.strip()

        def problem(code: str, message: str, hint: str = "", at: Cell = cell) -> None:
            qms.problems.append(Finding(relative, at.line, at.col, code, message, hint=hint,
                                        doc_id=doc.id))

        if not name:
            problem("D107", "a column has no name", "write a field name in the header")
            fields.append(None)
        elif name in seen:
            problem("D107", f"column {name!r} appears twice", "remove one of the columns")
            fields.append(None)
        elif name.startswith("x-"):
            fields.append(None)  # the organisation's own column: passes unchecked
        elif name == "kind":
            problem("D102", "unknown field 'kind' in a register's header",
                    "remove the column: the register's `records` gives every row's kind")
            fields.append(None)
        elif not _column_known(row_type, name):
            close = difflib.get_close_matches(name.split(".")[0], known, 1)
            problem("D102", f"unknown field '{name}'",
                    f"did you mean '{close[0]}'?" if close else
                    f"remove the column, check the spelling, or name it 'x-{name}' to keep "
                    "it unchecked")
            fields.append(None)
        else:
            fields.append(name)
        seen.add(name)
    if "id" not in fields:
        first = header[0]
        qms.problems.append(Finding(relative, first.line, first.col, "D107",
                                    "the table has no 'id' column",
                                    hint="add an 'id' column: every record needs its id",
                                    doc_id=doc.id))
        return None
    return fields


def _row(qms: Qms, register: Doc, relative: str, cells: list[Cell],
         columns: list[str | None], lists: frozenset[str],
         inherited: dict[str, Any]) -> Row | None:
    if not any(cell.text.strip() for cell in cells):
        return None
    if len(cells) > len(columns):
        extra = cells[len(columns)]
        qms.problems.append(Finding(relative, extra.line, extra.col, "D107",
                                    f"the row has {len(cells)} cells, the header "
                                    f"{len(columns)}",
                                    hint="remove the extra cells, or quote a cell that "
                                    "contains a comma", doc_id=register.id))
    data: dict[str, Any] = {}
    positions: dict[KeyPath, Position] = {}
    #: Empty cells of fields the row does not inherit: a "missing required field"
    #: finding points at the cell left empty, not at the row's id.
    empty: dict[KeyPath, Position] = {}
    for cell, name in zip(cells, columns, strict=False):
        if name is None:
            continue
        if not cell.text.strip():
            if name.split(".")[0] not in inherited:
                empty[tuple(name.split("."))] = (cell.line, cell.col)
            continue  # an empty cell leaves the field unset
        where = (cell.line, cell.col)
        names = name.split(".")
        path: KeyPath = tuple(names)
        value: Any = cell.text.strip()
        if name in lists:
            items: list[str] = []
            offset = 0
            for part in cell.text.split(LIST_SEPARATOR):
                if part.strip():
                    lead = len(part) - len(part.lstrip())
                    positions[(name, len(items))] = (cell.line, cell.item_col(offset + lead))
                    items.append(part.strip())
                offset += len(part) + len(LIST_SEPARATOR)
            value = items
        target = data
        for key in names[:-1]:
            target = target.setdefault(key, {})
            positions.setdefault(path[:1], where)
        target[names[-1]] = value
        positions[path] = where
    if "id" not in data:
        first = cells[0]
        qms.problems.append(Finding(relative, first.line, first.col, "D102",
                                    "missing required field 'id' (the row has no id)",
                                    hint="write the record's id in the 'id' column",
                                    doc_id=register.id))
        return None
    used = [name for name in inherited if name not in data]
    data.update({name: inherited[name] for name in used})
    assert isinstance(register.model, Register)
    data["kind"] = register.model.records
    front = FrontMatter(data, "", 0, positions=positions,
                        key_positions={**empty, **positions})
    return Row(front, frozenset(used))
