"""`qmskit rules`: the rule catalogue, generated from the rules' own docstrings."""

from __future__ import annotations

import sys

from qmskit.errors import EXIT_CLEAN, QmsError


def catalogue_markdown() -> str:
    """The README's rule catalogue (a test keeps the README in sync with this)."""
    from qmskit.rules import all_rules

    lines = ["| code | name | default | what it catches |", "|---|---|---|---|"]
    for code, registered in all_rules().items():
        lines.append(f"| {code} | `{registered.name}` | {registered.severity} | "
                     f"{registered.summary} |")
    return "\n".join(lines) + "\n"


def rules(code: str | None = None, *, output_format: str = "text") -> int:
    """Print every rule (one line each), one rule's documentation, or the Markdown table."""
    from qmskit.rules import FAMILIES, all_rules, resolve_rule_code

    registry = all_rules()
    if code is not None:
        resolved = resolve_rule_code(code)
        if resolved is None:
            raise QmsError(f"no rule {code!r}; `qmskit rules` lists them")
        registered = registry[resolved]
        sys.stdout.write(f"{registered.code} {registered.name} "
                         f"(default: {registered.severity}, family: {registered.family})\n\n"
                         f"{registered.doc}\n")
        return EXIT_CLEAN
    if output_format == "markdown":
        sys.stdout.write(catalogue_markdown())
        return EXIT_CLEAN
    family = ""
    for registered in registry.values():
        if registered.family != family:
            family = registered.family
            letter = next(k for k, v in FAMILIES.items() if v == family)
            sys.stdout.write(f"{family} ({letter}):\n")
        sys.stdout.write(f"  {registered.code}  {registered.name:<28} "
                         f"{registered.severity:<8} {registered.summary}\n")
    return EXIT_CLEAN
