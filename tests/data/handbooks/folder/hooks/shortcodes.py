"""Handbook shortcodes, expanded before Markdown is rendered.

- `[[@handle]]` becomes a styled reference to a role holder's handle;
- `[[rev]]` becomes the handbook revision from `extra.handbook.revision` in mkdocs.yml.

Kept as a `hooks:` file rather than a plugin: it is ten lines the team owns.
"""

import re

HANDLE = re.compile(r"\[\[@([a-z0-9][a-z0-9-]*)\]\]")


def on_page_markdown(markdown, page, config, files):
    revision = str(config.extra.get("handbook", {}).get("revision", "draft"))
    markdown = markdown.replace("[[rev]]", revision)
    return HANDLE.sub(r'<span class="handle">@\1</span>', markdown)
