"""`qmskit schema`: the JSON Schema of the front matter, for editors and other tools.

It follows the QMS's config: kinds declared under `[kinds]`, extra fields of built-in
kinds and configured vocabularies are in it, so an editor validates them as the check
does. Without a config (outside a QMS) it is the built-in contract.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from qmskit.errors import EXIT_CLEAN


def schema(root: Path | None = None, config_path: Path | None = None) -> int:
    """Print the JSON Schema (draft 2020-12) of a controlled document's front matter."""
    from qmskit.config import load_config
    from qmskit.model.kinds import front_matter_schema

    config, _ = load_config(root or Path(), config_path, require_folders=False)
    sys.stdout.write(json.dumps(front_matter_schema(config.contract), indent=2) + "\n")
    return EXIT_CLEAN
