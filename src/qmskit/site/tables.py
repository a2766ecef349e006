"""`<!-- qmskit:table ... -->` blocks: a register's table, rendered from its records.

`qmskit import --replace-table` swaps a table kept by hand for such a block (see
`qmskit.domain.tables`), so that the records are the one place the rows live. The
handbook renders the block in every language built, from the records of the QMS as it
is now: the rows can never disagree with the documents, and a German page with the same
block shows the same rows under German column labels. The block's fallback text (for
readers of the raw Markdown) is dropped; code blocks are left alone.
"""

from __future__ import annotations

import re
from typing import Any

from qmskit.domain.tables import Marker, is_marker_end, parse_marker
from qmskit.model.doc import Doc
from qmskit.model.kinds import field_label
from qmskit.registers import rows as register_rows
from qmskit.reports.escape import html_text
from qmskit.site.context import SiteContext
from qmskit.site.html import block

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_LINK_FIELDS = frozenset({"id", "owner", "approved_by", "origin", "register"})


def _value(model: Any, name: str) -> Any:
    """A field of a record, nested fields written with a dot (`effectiveness.checked`)."""
    value = model
    for part in name.split("."):
        value = value.get(part) if isinstance(value, dict) else getattr(value, part, None)
        if value is None:
            return None
    return value


def _cell(ctx: SiteContext, src: str, doc: Doc, name: str) -> str:
    value = _value(doc.model, name)
    if value is None or value in ([], ""):
        return ""
    links = getattr(type(doc.model), "links", {}) or {}
    if name in _LINK_FIELDS or name in links:
        items = value if isinstance(value, list) else [value]
        return ", ".join(ctx.doc_link(src, str(item)) for item in items)
    if isinstance(value, list):
        return html_text(", ".join(str(item) for item in value))
    return html_text(value)


def _records(ctx: SiteContext, marker: Marker) -> list[Doc]:
    if marker.register is not None:
        return register_rows(ctx.qms, marker.register)
    docs = ctx.qms.documents
    return [docs[i] for i in marker.ids if i in docs]


def render_table(ctx: SiteContext, src: str, marker: Marker) -> str:
    """The HTML table a marker asks for (an empty note when no record is known)."""
    records = _records(ctx, marker)
    columns = list(marker.columns) or ["id", "title", "owner"]
    if not records:
        return f'<p class="qms-muted">{html_text(ctx.t("No records yet."))}</p>'
    head = "".join(f"<th>{html_text(ctx.t(field_label(name.replace('.', ' '))))}</th>"
                   for name in columns)
    body = "\n".join("<tr>" + "".join(f"<td>{_cell(ctx, src, doc, name)}</td>"
                                      for name in columns) + "</tr>" for doc in records)
    return ('<div class="qms-table qms-imported-table">\n<table>\n<thead><tr>' + head
            + "</tr></thead>\n<tbody>\n" + body + "\n</tbody>\n</table>\n</div>")


def render_table_blocks(ctx: SiteContext, src: str, markdown: str) -> str:
    """`markdown` with every `qmskit:table` block replaced by its rendered table, at the
    block's indentation (inside a content tab it stays in the tab)."""
    if "qmskit:table" not in markdown:
        return markdown
    registers = frozenset(d.id for d in ctx.qms.of_kind("register"))
    lines = markdown.split("\n")
    out: list[str] = []
    fence: str | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if fence is not None:
            bare = line.strip()
            if len(bare) >= len(fence) and not bare.strip(fence[0]):
                fence = None
            out.append(line)
            continue
        opening = _FENCE.match(line)
        if opening:
            fence = opening.group(1)
            out.append(line)
            continue
        marker = parse_marker(line, registers)
        end = next((i for i in range(index, len(lines)) if is_marker_end(lines[i])), None)
        if marker is None or end is None:
            out.append(line)
            continue
        indent = line[:len(line) - len(line.lstrip())]
        rendered = block(render_table(ctx, src, marker)).strip("\n")
        first, _, rest = rendered.partition("\n")
        out += ["", indent + first, rest, ""]
        index = end + 1
    return "\n".join(out)
