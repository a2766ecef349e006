"""One module per subcommand: plain typed functions that take values and return an exit code.

They never touch click; `qmskit.cli` parses arguments and calls them. Tests call them
directly, too.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qmskit.config import Config
    from qmskit.loader import Qms


def open_qms(root: Path, config_path: Path | None = None, *, with_git: bool = True,
             use_cache: bool = False) -> Qms:
    """Load config and QMS for a command; raises QmsError/ConfigError for the CLI to map.

    `use_cache` is honoured only when the config allows it (`cache = true`, the default).
    """
    from qmskit.config import load_config
    from qmskit.loader import load_qms

    config, _ = load_config(root, config_path)
    return load_qms(root, config, with_git=with_git, use_cache=use_cache and config.cache)


def resolve_today(qms: Qms, today: date | None) -> date:
    """The evaluation date: `--today`, else the config's `today`, else the real date."""
    return resolve_today_from(qms.config, today)


def resolve_today_from(config: Config, today: date | None) -> date:
    """The evaluation date for `config`: `--today`, its `today`, QMSKIT_TODAY, or today."""
    if today is not None:
        return today
    if config.today is not None:
        return config.today
    env = os.environ.get("QMSKIT_TODAY")
    if env:
        from qmskit.errors import ConfigError

        try:
            return date.fromisoformat(env)
        except ValueError:
            raise ConfigError(f"QMSKIT_TODAY={env!r} is not a date (YYYY-MM-DD)") from None
    return date.today()
