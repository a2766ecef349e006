"""The `qmskit` command line: a thin click layer over `qmskit.commands`.

Each command parses its options and calls one function that returns an exit code.
`main(argv)` is callable from tests and maps every error to an exit code in one place:
0 clean, 1 error-level findings, 2 usage or configuration error.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import click

from qmskit import __version__
from qmskit.errors import EXIT_USAGE, QmsError

_ROOT = click.argument(
    "root", required=False, default=".",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
_CONFIG = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
    help="Config file (default: ROOT/qmskit.toml, else [tool.qmskit] in ROOT/pyproject.toml).",
)


def _split_codes(values: Sequence[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _date(_ctx: click.Context, _param: click.Parameter, value: datetime | None) -> date | None:
    return value.date() if value is not None else None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qmskit")
def cli() -> None:
    """Validate, trace and publish an ISO 9001 quality management system kept in git."""


@cli.command("check")
@_ROOT
@click.option("--format", "output_format", type=click.Choice(["text", "json", "github"]),
              default="text", show_default=True, help="Output format.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), callback=_date,
              help="Evaluate dates as of this day (YYYY-MM-DD) for reproducible results.")
@click.option("--select", multiple=True, metavar="CODES",
              help="Only these rules (codes, prefixes such as C4, or names; comma-separated).")
@click.option("--ignore", multiple=True, metavar="CODES", help="Skip these rules.")
@click.option("--colour/--no-colour", "colour", default=None,
              help="Colour the text output (default: when writing to a terminal).")
@click.option("--cache/--no-cache", "use_cache", default=True, show_default=True,
              help="Reuse unchanged files' results from .qmskit-cache/ (results are identical).")
@_CONFIG
def check_command(root: Path, output_format: str, today: date | None, select: tuple[str, ...],
                  ignore: tuple[str, ...], colour: bool | None, use_cache: bool,
                  config_path: Path | None) -> int:
    """Check the QMS rooted at ROOT (default: the current directory).

    Prints `path:line:col: CODE [severity] message` per finding. Exit 0 when no
    error-level finding, 1 otherwise, 2 for usage or configuration errors.
    """
    from qmskit.commands.check import check

    return check(root, output_format=output_format, today=today,
                 select=_split_codes(select), ignore=_split_codes(ignore),
                 config_path=config_path, use_cache=use_cache,
                 colour=sys.stdout.isatty() if colour is None else colour)


@cli.command("rules")
@click.argument("code", required=False)
@click.option("--format", "output_format", type=click.Choice(["text", "markdown"]),
              default="text", show_default=True)
def rules_command(code: str | None, output_format: str) -> int:
    """List the rules, or show the documentation of one rule (by code or name)."""
    from qmskit.commands.rules import rules

    return rules(code, output_format=output_format)


@cli.command("graph")
@click.argument("selectors", nargs=-1)
@click.option("--root", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=Path(), show_default=True, help="Root of the QMS.")
@click.option("--format", "output_format", type=click.Choice(["dot", "mermaid", "json"]),
              default="dot", show_default=True)
@click.option("--links", "fields", multiple=True, metavar="FIELDS",
              help="Only draw these link types, e.g. supports,measures,owner.")
@_CONFIG
def graph_command(selectors: tuple[str, ...], root: Path, output_format: str,
                  fields: tuple[str, ...], config_path: Path | None) -> int:
    """Print the document graph, or the part SELECTORS choose.

    Selectors: ID, +ID (with everything it serves, up to strategy), ID+ (with everything
    that serves or measures it), +ID+, kind:KIND, owner:ROLE-ID, status:STATUS. Several
    selectors are a union; `a,b` is an intersection.
    """
    from qmskit.commands.graph import graph

    return graph(root, selectors, output_format=output_format, fields=_split_codes(fields),
                 config_path=config_path)


@cli.command("trace")
@click.argument("doc_id", metavar="ID")
@click.option("--root", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=Path(), show_default=True, help="Root of the QMS.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]),
              default="text", show_default=True)
@_CONFIG
def trace_command(doc_id: str, root: Path, output_format: str,
                  config_path: Path | None) -> int:
    """Show everything up- and downstream of document ID, grouped by kind, with owners."""
    from qmskit.commands.trace import trace

    return trace(root, doc_id, output_format=output_format, config_path=config_path)


@cli.command("schema")
def schema_command() -> int:
    """Print the JSON Schema of the front matter (for editors' YAML language servers)."""
    from qmskit.commands.schema import schema

    return schema()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code instead of exiting (callable from tests)."""
    try:
        result = cli.main(args=list(argv) if argv is not None else None, prog_name="qmskit",
                          standalone_mode=False)
    except click.exceptions.Exit as done:
        return int(done.exit_code)
    except click.ClickException as error:
        error.show()
        return EXIT_USAGE
    except click.Abort:
        click.echo("Aborted.", err=True)
        return EXIT_USAGE
    except QmsError as error:
        click.echo(f"qmskit: error: {error}", err=True)
        return error.exit_code
    except BrokenPipeError:  # e.g. `qmskit graph | head`
        return 0
    return result if isinstance(result, int) else 0
