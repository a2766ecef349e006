"""The one configuration, read by the CLI, the pre-commit hook and the site plugin alike.

It lives in `qmskit.toml` (top-level keys) or under `[tool.qmskit]` in `pyproject.toml`.
Unknown keys and bad values are a `ConfigError` (exit 2): a typo in a severity override
must not silently leave a rule at its default.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from qmskit.errors import ConfigError
from qmskit.model.types import KINDS, DocId, Interval, IntervalField

RuleSetting = Literal["error", "warning", "off"]

DEFAULT_FOLDERS = ("qms_docs", "procedures", "objectives")


def _interval(text: str) -> Interval:
    return Interval.parse(text)


class Config(BaseModel):
    """Settings for one QMS repository; every field has a default that suits a small company."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    folders: list[Annotated[str, Field(min_length=1)]] = list(DEFAULT_FOLDERS)
    exclude: list[str] = []
    today: date | None = None
    review_window: IntervalField = _interval("30 days")
    review_interval: dict[str, IntervalField] = {"default": _interval("12 months")}
    kpi_grace: dict[Literal["weekly", "monthly", "quarterly", "yearly"], IntervalField] = {
        "weekly": _interval("3 days"),
        "monthly": _interval("15 days"),
        "quarterly": _interval("30 days"),
        "yearly": _interval("60 days"),
    }
    max_file_size: Annotated[int, Field(ge=1024, le=100_000_000)] = 2_000_000
    cache: bool = True
    rules: dict[str, RuleSetting] = {}
    # Records (rules R5xx, `qmskit health`, the management review pack).
    #: Longest time a process may go without an internal audit (R505).
    audit_interval: IntervalField = _interval("12 months")
    #: Longest time between two management reviews (R506; ISO practice: at least yearly).
    management_review_interval: IntervalField = _interval("12 months")
    #: likelihood x impact (each 1-5) at or above which a risk is high and needs a treatment
    #: action (R504).
    high_risk_score: Annotated[int, Field(ge=1, le=25)] = 12
    #: The quality team's roles, for `qmskit health` ("beyond the quality team"); empty means
    #: detected: the roles owning the audit records, and the roles reporting to them.
    quality_roles: list[DocId] = []

    @field_validator("folders")
    @classmethod
    def _folders_stay_inside(cls, folders: list[str]) -> list[str]:
        # A folder such as ../other would let a check read files outside the repository.
        for folder in folders:
            pure = PurePosixPath(folder)
            if pure.is_absolute() or ".." in pure.parts:
                raise ValueError(f"folder {folder!r} must be a relative path inside the repository")
        return folders

    @field_validator("review_interval")
    @classmethod
    def _known_kinds(cls, intervals: dict[str, Interval]) -> dict[str, Interval]:
        for kind in intervals:
            if kind != "default" and kind not in KINDS:
                raise ValueError(f"unknown kind {kind!r}; use one of: default, {', '.join(KINDS)}")
        return {"default": _interval("12 months"), **intervals}

    def interval_for(self, kind: str) -> Interval:
        """The review interval a document of `kind` gets when it names none itself."""
        return self.review_interval.get(kind) or self.review_interval["default"]


def _format_validation_error(source: str, error: ValidationError) -> str:
    lines = [f"{source}: invalid qmskit configuration"]
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "(top level)"
        message = "unknown key" if item["type"] == "extra_forbidden" else item["msg"]
        lines.append(f"  {where}: {message}")
    return "\n".join(lines)


def parse_config(data: dict[str, Any], source: str) -> Config:
    """Validate a config mapping; rule keys may be codes (T309) or names (role-owns-nothing)."""
    try:
        config = Config.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_format_validation_error(source, error)) from None
    from qmskit.rules import resolve_rule_code

    resolved: dict[str, RuleSetting] = {}
    for key, setting in config.rules.items():
        code = resolve_rule_code(key)
        if code is None:
            raise ConfigError(
                f"{source}: rules.{key}: unknown rule; `qmskit rules` lists the codes and names"
            )
        resolved[code] = setting
    return config.model_copy(update={"rules": resolved})


def load_config(root: Path, explicit: Path | None = None) -> tuple[Config, Path | None]:
    """Find and read the config for `root`: an explicit file, qmskit.toml, or pyproject.toml."""
    candidates = [explicit] if explicit else [root / "qmskit.toml", root / "pyproject.toml"]
    for path in candidates:
        if path is None or not path.is_file():
            if explicit is not None:
                raise ConfigError(f"{explicit}: config file not found")
            continue
        try:
            with path.open("rb") as handle:
                document = tomllib.load(handle)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path}: not valid TOML: {error}") from None
        except OSError as error:
            raise ConfigError(f"{path}: cannot read config: {error.strerror}") from None
        if path.name == "pyproject.toml":
            section = document.get("tool", {}).get("qmskit")
            if section is None:
                continue
            if not isinstance(section, dict):
                raise ConfigError(f"{path}: [tool.qmskit] must be a table")
            return parse_config(section, f"{path.name} [tool.qmskit]"), path
        return parse_config(document, path.name), path
    return Config(), None
