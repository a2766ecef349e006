"""`qmskit schema`: the JSON Schema of the front matter, for editors and other tools."""

from __future__ import annotations

import json
import sys

from qmskit.errors import EXIT_CLEAN


def schema() -> int:
    """Print the JSON Schema (draft 2020-12) of a controlled document's front matter."""
    from qmskit.model import front_matter_schema

    sys.stdout.write(json.dumps(front_matter_schema(), indent=2) + "\n")
    return EXIT_CLEAN
