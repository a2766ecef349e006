"""Tables a handbook keeps its registers in: Markdown pipe tables and CSV files.

`qmskit import` reads them row by row, with the line of every row, so a row that cannot
be turned into a record is named by its line. `qmskit adopt` lists the tables of a
handbook that look like registers. Tables are found the way Markdown renders them:
a header row, a delimiter row (`|---|:--:|`), then rows, at any indentation (content tabs
indent theirs by four spaces); nothing inside fenced code blocks counts.

The block that replaces an imported table (`--replace-table`) is defined here too
(`table_marker`, `parse_marker`), so the writer and the handbook that renders it agree:

    <!-- qmskit:table REG-RISKS columns=id,title,owner -->
    ...a short fallback for readers without the qmskit plugin...
    <!-- /qmskit:table -->

The opening comment names either one register document (all its rows) or the ids of
the records to show, and the fields to show as columns, in order.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_TAB = re.compile(r"^\s*(?:===|\?\?\?\+?|!!!)\+?\s+(?:[\w-]+\s+)?\"(.*)\"\s*$")
_DELIMITER_CELL = re.compile(r"^\s*:?-+:?\s*$")
_MARKER = re.compile(r"^(?P<indent>\s*)<!--\s*qmskit:table\s+(?P<args>.*?)\s*-->\s*$")
_MARKER_END = re.compile(r"^\s*<!--\s*/qmskit:table\s*-->\s*$")


@dataclass(frozen=True)
class Row:
    """One row of a table: its 1-based line in the file and its cells."""

    line: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table in a file: where it is, what its columns are called, and its rows.

    `start`/`end` are 0-based line indexes (header line, and the line after the last
    row); `section` is the nearest heading or content-tab label above it.
    """

    index: int
    start: int
    end: int
    indent: str
    header: tuple[str, ...]
    rows: tuple[Row, ...]
    heading: str = ""
    tab: str = ""

    @property
    def line(self) -> int:
        """1-based line of the header row."""
        return self.start + 1

    @property
    def section(self) -> str:
        """Where the table sits, as a reader would say it."""
        return " / ".join(part for part in (self.heading, self.tab) if part)


#: Column names that make a table look like a register (records with ids and owners).
_REGISTER_COLUMNS = frozenset({"id", "no", "no.", "nr", "nr.", "#", "owner", "responsible",
                               "handle", "holder", "verantwortlich", "zuständig"})
_ID_START = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+\b")


def looks_like_register(table: Table) -> bool:
    """True for a table of records: an id, owner or handle column, or ids starting most
    cells of its first column."""
    if any(h.strip().casefold() in _REGISTER_COLUMNS for h in table.header):
        return True
    firsts = [row.cells[0] for row in table.rows if row.cells]
    return bool(firsts) and sum(1 for c in firsts if _ID_START.match(c)) * 2 >= len(firsts)


def split_cells(text: str) -> tuple[str, ...]:
    """The cells of one table line: `|` separates them except escaped (`\\|`) or inside
    a code span; the outer pipes are optional."""
    line = text.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    cells: list[str] = []
    current: list[str] = []
    ticks = 0
    index = 0
    while index < len(line):
        char = line[index]
        if char == "\\" and index + 1 < len(line) and line[index + 1] == "|":
            current.append("|")
            index += 2
            continue
        if char == "`":
            run = len(line[index:]) - len(line[index:].lstrip("`"))
            ticks = 0 if ticks == run else (run if ticks == 0 else ticks)
            current.append("`" * run)
            index += run
            continue
        if char == "|" and ticks == 0:
            cells.append("".join(current).strip())
            current = []
        else:
            current.append(char)
        index += 1
    cells.append("".join(current).strip())
    return tuple(cells)


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def markdown_tables(text: str) -> list[Table]:
    """Every pipe table in a Markdown file, in order (front matter and code excluded)."""
    lines = text.splitlines()
    tables: list[Table] = []
    start = 0
    if lines and lines[0].strip() == "---":
        for number in range(1, len(lines)):
            if lines[number].strip() in ("---", "..."):
                start = number + 1
                break
    fence: str | None = None
    heading = tab = ""
    index = start
    while index < len(lines):
        line = lines[index]
        opened = _FENCE.match(line)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            index += 1
            continue
        if opened:
            fence = opened.group(1)
            index += 1
            continue
        found = _HEADING.match(line)
        if found:
            heading, tab = found.group(2), ""
        label = _TAB.match(line)
        if label:
            tab = label.group(1)
        if "|" in line and index + 1 < len(lines):
            header = split_cells(line)
            delimiter = lines[index + 1]
            cells = split_cells(delimiter)
            indent = _indent(line)
            if (len(cells) == len(header) and _indent(delimiter) == indent
                    and all(_DELIMITER_CELL.match(c) for c in cells) and "-" in delimiter):
                rows: list[Row] = []
                end = index + 2
                while end < len(lines):
                    row = lines[end]
                    if not row.strip() or "|" not in row or _indent(row) != indent:
                        break
                    rows.append(Row(end + 1, split_cells(row)))
                    end += 1
                tables.append(Table(len(tables) + 1, index, end, indent, header,
                                    tuple(rows), heading, tab))
                index = end
                continue
        index += 1
    return tables


def csv_table(text: str) -> Table:
    """A CSV file as one table: the header row, then the rows with their lines.

    The delimiter is whichever of `,`, `;` and tab the header uses (spreadsheets in
    German locales write `;`).
    """
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: tuple[str, ...] = ()
    rows: list[Row] = []
    start = reader.line_num
    for cells in reader:
        if not header:
            header = tuple(c.strip() for c in cells)
        elif any(c.strip() for c in cells):
            rows.append(Row(start + 1, tuple(c.strip() for c in cells)))
        start = reader.line_num
    return Table(1, 0, len(text.splitlines()), "", header, tuple(rows))


@dataclass(frozen=True)
class Marker:
    """What a `qmskit:table` block shows: a register's rows, or records by id."""

    register: str | None
    ids: tuple[str, ...]
    columns: tuple[str, ...]


def table_marker(marker: Marker, fallback: str, indent: str = "") -> list[str]:
    """The lines that replace an imported table (see the module docstring)."""
    names = [marker.register] if marker.register else list(marker.ids)
    args = " ".join([*names, "columns=" + ",".join(marker.columns)])
    return [f"{indent}<!-- qmskit:table {args} -->", f"{indent}{fallback}",
            f"{indent}<!-- /qmskit:table -->"]


def parse_marker(line: str, known_registers: frozenset[str] = frozenset()) -> Marker | None:
    """The marker an opening `<!-- qmskit:table ... -->` line carries, else None.

    A single name that is a register's id (`known_registers`, or an id starting with
    `REG-` when none are given) is a register; otherwise the names are record ids.
    """
    found = _MARKER.match(line)
    if found is None:
        return None
    names: list[str] = []
    columns: tuple[str, ...] = ()
    for part in found.group("args").split():
        if part.startswith("columns="):
            columns = tuple(c for c in part[len("columns="):].split(",") if c)
        else:
            names.append(part)
    if len(names) == 1 and (names[0] in known_registers
                            or (not known_registers and names[0].startswith("REG-"))):
        return Marker(names[0], (), columns)
    return Marker(None, tuple(names), columns)


def is_marker_end(line: str) -> bool:
    """True for the closing `<!-- /qmskit:table -->` line."""
    return _MARKER_END.match(line) is not None
