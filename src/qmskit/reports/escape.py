"""The one escaper: user-written text made safe for HTML, inline Markdown and code spans.

Every title, handle, justification and message that reaches a page, a report, a PR
comment or the PDF goes through one of these three functions, so a `<script>` title, a
`|` in a table cell or a multi-line justification behaves the same everywhere. They take
*text* and return markup; nothing else in qmskit escapes by hand.
"""

from __future__ import annotations

import html
import re

#: Punctuation that means something anywhere in a line of Markdown (emphasis, code,
#: links, attribute lists, table cells); a backslash makes it literal in Python-Markdown
#: (with its tables extension) and in CommonMark alike. `~` and `@` are not escapable
#: everywhere, so they become character references (`~~strike~~`, `@mention`).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|])")
_ENTITIES = str.maketrans({"~": "&#126;", "@": "&#64;"})
#: What starts a block when it opens a line (heading, list; `>` is HTML-escaped); only the
#: first character of the text can be there, and only it is escaped. `-`, `.` and `#`
#: elsewhere stay as written, so ids such as PROC-PURCH remain readable and linkable.
_BLOCK_START = re.compile(r"^(#|[-+]|\d+(?=[.)]))")
#: Line breaks and runs of white space around them: a table row or list item is one line.
_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029]+\s*")
#: Words longer than this get break opportunities, so one long token (a URL, a part
#: number) cannot stretch a table beyond the page or the printed copy.
LONG_WORD = 40
_WORD = re.compile(r"\S+")


def html_text(text: object) -> str:
    """Text as HTML: `<`, `>`, `&` and both quotes escaped (safe in attributes too)."""
    return html.escape(str(text), quote=True)


def _md_literal(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False)).translate(_ENTITIES)


def _block_start(text: str) -> str:
    # "1. x" -> "1\. x", "# x" -> "\# x": the marker stays visible, the block does not start.
    match = _BLOCK_START.match(text)
    if match is None:
        return text
    end = match.end()
    if text[:end].isdigit():
        return text[:end] + "\\" + text[end:]
    return "\\" + text


def _word(match: re.Match[str]) -> str:
    word = match.group(0)
    if len(word) < LONG_WORD:
        return _md_literal(word)
    step = LONG_WORD // 2
    return "<wbr>".join(_md_literal(word[i:i + step]) for i in range(0, len(word), step))


def md_inline(text: object) -> str:
    """Text as inline Markdown that renders literally, on one line.

    Safe inside a table cell, a list item, a heading and a PR comment: line breaks become
    spaces, HTML is escaped, Markdown punctuation is backslash-escaped (no emphasis,
    links, attribute lists, cell splits, no block opened by a leading `#`, `-` or
    `1.`), `@` cannot mention anyone, and very long
    words get break opportunities (`<wbr>`) between escaped pieces.
    """
    return _block_start(_WORD.sub(_word, _BREAKS.sub(" ", str(text)).strip()))


def code_span(text: object) -> str:
    """Text as a Markdown code span on one line (backslashes are literal inside one).

    The fence is one backtick longer than the longest run of backticks in the text, so
    the text can never close it early.
    """
    flat = _BREAKS.sub(" ", str(text))
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"
