#!/usr/bin/env python3
"""The libyaml floor: read every Markdown file of a QMS and parse its front matter.

``python benchmarks/floor.py ROOT``

This is the yardstick the goals of issue 15 are expressed against: the least work any
checker must do on a QMS it has not seen (read each file once, parse each front matter
with PyYAML's C loader, ``yaml.load(text, Loader=yaml.CSafeLoader)``), in one process
on one core, with nothing else: no validation, no git, no cache. ``run.py`` times this
script as a fresh process, like every other command, so interpreter start-up and the
``yaml`` import count on both sides of a ratio.

Every ``*.md`` file under ROOT is read, except in folders whose name starts with a dot
(``.git``, caches). A front matter is the text between a first line ``---`` and the next
line ``---``. One JSON line goes to stdout: files read, front matters parsed, how many
carry an ``id``, and the bytes read. Exit 2 without PyYAML's C loader (the figure would
be the pure-Python loader's, about seven times slower) or on a front matter libyaml
rejects (the corpora are valid YAML; a failure means the wrong folder).
"""

from __future__ import annotations

import json
import os
import sys


def front_matter(text: str) -> str | None:
    """The YAML between the opening and closing ``---`` lines, or None."""
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---\n", 3)
    if end < 0 and text.endswith("\n---"):
        end = len(text) - 4
    return text[4:end + 1] if end >= 0 else None


def main(argv: list[str] | None = None) -> int:
    """Read and parse every front matter under ROOT; print the counts as JSON."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: floor.py ROOT", file=sys.stderr)
        return 2
    import yaml

    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        print("error: PyYAML was built without libyaml (yaml.CSafeLoader is missing)",
              file=sys.stderr)
        return 2
    files = parsed = with_id = size = 0
    for current, dirs, names in os.walk(args[0]):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if not name.endswith(".md"):
                continue
            with open(os.path.join(current, name), "rb") as handle:  # noqa: PTH118, PTH123
                data = handle.read()
            files += 1
            size += len(data)
            text = front_matter(data.decode("utf-8"))
            if text is None:
                continue
            try:
                value = yaml.load(text, Loader=loader)
            except yaml.YAMLError as error:
                print(f"error: {os.path.join(current, name)}: {error}",  # noqa: PTH118
                      file=sys.stderr)
                return 2
            parsed += 1
            with_id += isinstance(value, dict) and "id" in value
    print(json.dumps({"files": files, "front_matters": parsed, "with_id": with_id,
                      "bytes": size}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
