"""Read a register's CSV table, keeping the line and column of every cell.

A register's rows are records (see `qmskit.registers`), and a finding about a record
must point at its cell, `risks.csv:14:23`, the way a front-matter finding points at its
value. Python's `csv` module does not say where a cell starts, so this small reader
does: RFC 4180 (comma-separated, `"` quoting with `""` inside, quoted cells may span
lines), one record per line otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from qmskit.model.frontmatter import LocatedError

#: A register holds at most this many rows and columns: bounded work for a check.
MAX_ROWS = 100_000
MAX_COLUMNS = 200


@dataclass(frozen=True)
class Cell:
    """One cell: its text (unquoted) and where it starts (1-based line and column)."""

    text: str
    line: int
    col: int
    quoted: bool = False

    def item_col(self, offset: int) -> int:
        """Column of the character at `offset` in the text (for a list item); exact for
        cells on one line without doubled quotes, which lists are."""
        return self.col + (1 if self.quoted else 0) + offset


class TableError(LocatedError):
    """A table that cannot be read, with where it goes wrong."""


def parse_table(text: str) -> list[list[Cell]]:
    """The records of `text` (already decoded), each a list of cells; blank lines are
    skipped. Raise TableError for an unclosed quote, text after a closing quote, or a
    table larger than the bounds."""
    records: list[list[Cell]] = []
    record: list[Cell] = []
    line, col = 1, 1
    index, length = 0, len(text)
    start_line, start_col = 1, 1
    at_record_start = True
    while index <= length:
        start_line, start_col = line, col
        if index < length and text[index] == '"':
            # A quoted cell: up to the closing quote, `""` is one quote, newlines allowed.
            index, col = index + 1, col + 1
            chunks: list[str] = []
            while True:
                close = text.find('"', index)
                if close < 0:
                    raise TableError(start_line, start_col, "a quoted cell is never closed",
                                     "close it with a double quote (write \"\" for a quote "
                                     "inside the cell)")
                chunk = text[index:close]
                chunks.append(chunk)
                newlines = chunk.count("\n")
                if newlines:
                    line += newlines
                    col = len(chunk) - chunk.rfind("\n")
                else:
                    col += len(chunk)
                index, col = close + 1, col + 1
                if text.startswith('"', index):
                    chunks.append('"')
                    index, col = index + 1, col + 1
                    continue
                break
            value, quoted = "".join(chunks).replace("\r\n", "\n"), True
            if index < length and text[index] not in ",\r\n":
                raise TableError(line, col, "text after a closing quote",
                                 "quote the whole cell, or remove the quotes")
        else:
            end = index
            while end < length and text[end] not in ",\r\n":
                end += 1
            value, quoted = text[index:end], False
            col += end - index
            index = end
        if value.strip() or quoted or not at_record_start or (
                index < length and text[index] == ","):
            record.append(Cell(value, start_line, start_col, quoted))
            at_record_start = False
        if len(record) > MAX_COLUMNS:
            raise TableError(start_line, start_col, f"more than {MAX_COLUMNS} columns")
        if index >= length:
            break
        char = text[index]
        if char == ",":
            index, col = index + 1, col + 1
            at_record_start = False
            continue
        # End of a record: \n or \r\n (a lone \r ends it too).
        index += 2 if text.startswith("\r\n", index) else 1
        line, col = line + 1, 1
        if record:
            records.append(record)
            if len(records) > MAX_ROWS:
                raise TableError(line - 1, 1, f"more than {MAX_ROWS} rows")
        record, at_record_start = [], True
    if record:
        records.append(record)
    return records
