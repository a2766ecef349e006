"""`qmskit diff BASE HEAD`: what a change does to the QMS, as a pull-request comment.

First one `git diff --name-only`: a change that touches no config file and nothing in
the QMS folders is answered from that alone (no document read). A change that edits
only the bodies of documents reads the head once (from the work tree and the cache when
it is that commit) and the edited documents' old versions by blob id, and checks
neither side: no rule of a revision reads a body. Otherwise both revisions are read
straight from git (one `git ls-tree` per revision and one
`git cat-file --batch` for every blob of both), written to temporary folders and loaded
with the same loader and rules as `qmskit check`. The working tree is never touched, so
the command is safe to run in CI and in a repository with uncommitted work.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from qmskit.domain.diff import impact
from qmskit.errors import EXIT_CLEAN, EXIT_FINDINGS
from qmskit.loader import load_revisions, shortcut_revisions
from qmskit.reports.diff import to_markdown
from qmskit.rules.checker import run_checks


def diff(root: Path, base: str, head: str = "HEAD", *, output_format: str = "markdown",
         today: date | None = None, config_path: Path | None = None) -> int:
    """Print the impact of the change from `base` to `head`; exit 1 when it introduces an
    error-level finding, so a PR that makes the QMS worse is visible in its status."""
    if ".." in base and head == "HEAD":
        base, _, rest = base.partition("..")
        head = rest.lstrip(".") or "HEAD"
    quick = shortcut_revisions(root, base, head, config_path)
    if quick is not None:
        # Nothing the QMS is made of changed, or only bodies were edited: no finding can
        # come or go, so neither side is checked. Answered at git's speed, or with the
        # head read once (from the work tree and its cache when it is that commit) and
        # the base as the head with the edited documents as they were.
        old, new, kept = quick
        try:
            day = new.qms.evaluation_date(today)
            data = impact(old.qms, new.qms, [], [], day,
                          ({"rev": old.rev, "commit": old.commit},
                           {"rev": new.rev, "commit": new.commit}))
        finally:
            if kept is not None:
                kept.cleanup()
        return _print(data, output_format)
    old, new, holder = load_revisions(root, base, head, config_path)
    try:
        day = new.qms.evaluation_date(today)
        data = impact(old.qms, new.qms, run_checks(old.qms, day).findings,
                      run_checks(new.qms, day).findings, day,
                      ({"rev": old.rev, "commit": old.commit},
                       {"rev": new.rev, "commit": new.commit}))
    finally:
        holder.cleanup()
    return _print(data, output_format)


def _print(data: dict[str, Any], output_format: str) -> int:
    if output_format == "json":
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        sys.stdout.write(to_markdown(data))
    introduced = data["findings"]["introduced"]
    return EXIT_FINDINGS if any(f["severity"] == "error" for f in introduced) else EXIT_CLEAN
