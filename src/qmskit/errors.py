"""One error type for everything a user can fix, and the exit codes the CLI maps it to.

Findings about the QMS are data (they go to reporters); a `QmsError` is about the
invocation itself (bad config, missing root, unknown id) and stops the command.
"""

from __future__ import annotations

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


class QmsError(Exception):
    """A problem the user can act on; the message says what to do about it."""

    exit_code: int = EXIT_USAGE


class ConfigError(QmsError):
    """The configuration file or a command-line option is invalid (exit 2)."""
