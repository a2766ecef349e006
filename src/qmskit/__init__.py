"""qmskit: an ISO 9001 quality management system kept as front-matter Markdown in git.

The public library surface is small on purpose: load a QMS once, then ask questions of it.
Everything the command line does goes through these functions, so other tools (the MkDocs
plugin, CI scripts, notebooks) see exactly what `qmskit check` sees.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
