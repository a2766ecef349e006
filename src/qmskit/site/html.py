"""Escaping and small HTML builders shared by every generated page.

Generated content is raw HTML inside Markdown rather than Markdown tables: HTML has one
escaping rule (`html.escape`) where Markdown has a dozen context-dependent ones, and a
document title such as `<script>` or `a | b` must show as text in every builder. All
helpers take *text* and return *HTML*; only arguments named `html` are trusted markup.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from qmskit.reports.escape import html_text


def link(href: str, text: object, *, title: str | None = None, cls: str | None = None) -> str:
    """An `<a>` element; `href` is a URL this package computed, `text` is escaped."""
    attrs = f' href="{html_text(href)}"'
    if title:
        attrs += f' title="{html_text(title)}"'
    if cls:
        attrs += f' class="{html_text(cls)}"'
    return f"<a{attrs}>{html_text(text)}</a>"


#: Badge wording for review and KPI states; the state is also the CSS modifier.
BADGE_LABELS = {
    "overdue": "overdue",
    "due-soon": "due soon",
    "current": "current",
    "never-reviewed": "never reviewed",
    "exempt": "not under review",
    "on-target": "on target",
    "amber": "amber",
    "red": "red",
    "no-target": "no target",
    "no-data": "no data",
    "approved": "approved",
    "draft": "draft",
    "retired": "retired",
    "error": "error",
    "warning": "warning",
    "open": "open",
    "closed": "closed",
    "performance": "performance mode",
    "compliance": "compliance mode",
    "unknown": "unknown",
}


def badge(state: str, label: str | None = None) -> str:
    """A coloured status label; colours come from `qmskit.css` (`qms-badge--STATE`)."""
    text = label if label is not None else BADGE_LABELS.get(state, state)
    return f'<span class="qms-badge qms-badge--{html_text(state)}">{html_text(text)}</span>'


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, cls: str = "") -> str:
    """An HTML table; `headers` are text, each row's cells are already HTML.

    No class on the `<table>` itself, so Material styles it like a Markdown table.
    """
    head = "".join(f"<th>{html_text(h)}</th>" for h in headers)
    body = "\n".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>"
                     for row in rows)
    wrapper = f' class="qms-table {html_text(cls)}"' if cls else ' class="qms-table"'
    return (f"<div{wrapper}>\n<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n"
            "</tbody>\n</table>\n</div>")


#: Comments around every generated HTML block. Builders pass them through; the MkDocs
#: plugin uses them to hand the blocks past Markdown (see `split_blocks`).
_MARKERS = {False: ("<!--qms:block-->", "<!--/qms:block-->"),
            True: ("<!--qms:figure-->", "<!--/qms:figure-->")}
_BLOCK_RE = re.compile(r"<!--qms:(block|figure)-->\n(.*?)\n<!--/qms:\1-->", re.S)


def block(html_text: str) -> str:
    """A raw HTML block: blank lines around it so Markdown leaves it alone, and markers.

    The HTML itself never contains a blank line, which would end the block early.
    """
    start, end = _MARKERS[False]
    return f"\n\n{start}\n{html_text}\n{end}\n\n"


def figure(html_text: str) -> str:
    """A raw HTML block holding a diagram (SVG): like `block`, but marked as a figure.

    Search engines of builders gain nothing from a diagram's labels (truncated copies of
    titles shown elsewhere on the page), so an adapter may keep figures out of the index.
    """
    start, end = _MARKERS[True]
    return f"\n\n{start}\n{html_text}\n{end}\n\n"


def split_blocks(markdown: str, token: Callable[[int], str]) -> tuple[str, list[tuple[bool, str]]]:
    """Replace each generated HTML block by `token(n)` (a plain word).

    Returns the Markdown and the blocks as (is_figure, html). Python-Markdown runs its
    pure-Python HTML parser over raw HTML only to pass it through unchanged; for pages of
    tables, charts and maps that is most of the render time. A builder adapter renders
    the Markdown with tokens and puts the blocks back.
    """
    blocks: list[tuple[bool, str]] = []

    def stash(match: re.Match[str]) -> str:
        blocks.append((match.group(1) == "figure", match.group(2)))
        return token(len(blocks) - 1)

    return _BLOCK_RE.sub(stash, markdown), blocks
