"""The `qmskit` command line: a thin click layer over `qmskit.commands`.

Each command parses its options and calls one function that returns an exit code.
`main(argv)` is callable from tests and maps every error to an exit code in one place:
0 clean, 1 error-level findings, 2 usage, configuration or environment error (a
`QmsError`, or as a last resort any `OSError`, named by its file).
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
@click.option("--format", "output_format",
              type=click.Choice(["text", "json", "github", "sarif", "junit"]),
              default="text", show_default=True, help="Output format.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), callback=_date,
              help="Evaluate dates as of this day (YYYY-MM-DD) for reproducible results.")
@click.option("--select", multiple=True, metavar="CODES",
              help="Only these rules (codes, prefixes such as C4, or names; comma-separated).")
@click.option("--ignore", multiple=True, metavar="CODES", help="Skip these rules.")
@click.option("--colour/--no-colour", "colour", default=None,
              help="Colour the text output (default: when writing to a terminal).")
@click.option("--cache/--no-cache", "use_cache", default=True, show_default=True,
              help="Reuse unchanged files' results from the cache (kept in .git/qmskit/; "
                   "results are identical).")
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
@click.option("--root", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=Path(), show_default=True,
              help="Root of the QMS whose config declares kinds and fields.")
@_CONFIG
def schema_command(root: Path, config_path: Path | None) -> int:
    """Print the JSON Schema of the front matter (for editors' YAML language servers),
    with the kinds and fields the QMS's config declares."""
    from qmskit.commands.schema import schema

    return schema(root, config_path)


@cli.command("pages")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--root", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=Path(), show_default=True, help="Root of the QMS.")
@click.option("--mkdocs-config", type=click.Path(dir_okay=False, path_type=Path),
              help="MkDocs config to start from (default: ROOT/mkdocs.yml if present).")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), callback=_date,
              help="Evaluate dates as of this day (YYYY-MM-DD).")
@click.option("--force", is_flag=True, help="Replace OUT/docs and OUT/mkdocs.yml.")
@_CONFIG
def pages_command(out: Path, root: Path, mkdocs_config: Path | None, today: date | None,
                  force: bool, config_path: Path | None) -> int:
    """Write the handbook to OUT/docs and OUT/mkdocs.yml for any MkDocs-compatible builder.

    The same pages the MkDocs plugin publishes (documents with their metadata panel,
    links and history; strategy map, KPI dashboard, review calendar, register, roles,
    traceability, findings), as plain Markdown. Build with `mkdocs build -f
    OUT/mkdocs.yml` or `zensical build -f OUT/mkdocs.yml`. Exit 1 if the QMS has errors.
    """
    from qmskit.commands.pages import pages

    return pages(root, out, mkdocs_config=mkdocs_config, config_path=config_path,
                 today=today, force=force)


# --- pull-request workflow and authoring (diff, codeowners, init, new, review, kpi) ---

_QMS_ROOT = click.option("--root", type=click.Path(exists=True, file_okay=False, path_type=Path),
                         default=Path(), show_default=True, help="Root of the QMS.")


@cli.command("diff")
@click.argument("base")
@click.argument("head", required=False, default="HEAD")
@_QMS_ROOT
@click.option("--format", "output_format", type=click.Choice(["markdown", "json"]),
              default="markdown", show_default=True)
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), callback=_date,
              help="Evaluate dates as of this day (YYYY-MM-DD).")
@_CONFIG
def diff_command(base: str, head: str, root: Path, output_format: str, today: date | None,
                 config_path: Path | None) -> int:
    """Impact of the change from git revision BASE to HEAD (default HEAD), for a PR.

    BASE..HEAD works too. Lists documents added, changed, retired and removed; for each
    its chain up to strategy and the KPIs below it; the roles whose holders must review;
    and the findings the change introduces and fixes. Exit 1 when it introduces an
    error-level finding.
    """
    from qmskit.commands.diff import diff

    return diff(root, base, head, output_format=output_format, today=today,
                config_path=config_path)


@cli.command("codeowners")
@_QMS_ROOT
@click.option("--check", is_flag=True, help="Exit 1 if CODEOWNERS is out of date; write nothing.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="CODEOWNERS file (default: the existing one, else .github/CODEOWNERS).")
@_CONFIG
def codeowners_command(root: Path, check: bool, output: Path | None,
                       config_path: Path | None) -> int:
    """Write the QMS block of CODEOWNERS: each document to its owner role's holders."""
    from qmskit.commands.codeowners import codeowners

    return codeowners(root, check=check, output=output, config_path=config_path)


@cli.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default="Example Ltd", show_default=True,
              help="The organisation's name, for the handbook title.")
@click.option("--install-spec", default=None, metavar="SPEC",
              help="Where CI and the pre-commit hooks install qmskit from: one pip "
                   'requirement, e.g. "qmskit @ git+https://host/org/qmskit.git@v0.2.0" '
                   "(default: a marked placeholder repository to replace).")
def init_command(directory: Path, name: str, install_spec: str | None) -> int:
    """Create a new QMS repository in DIRECTORY that passes `qmskit check` at once.

    Config, mkdocs.yml, folders, one linked document of every kind, KPI data,
    .pre-commit-config.yaml, CODEOWNERS and a GitHub Actions workflow. Never overwrites.
    A `qmskit @ git+URL@TAG` spec is also the pre-commit hook repository and its rev.
    """
    from qmskit.commands.init import DEFAULT_INSTALL_SPEC, init

    return init(directory, name=name,
                install_spec=DEFAULT_INSTALL_SPEC if install_spec is None else install_spec)


@cli.command("adopt")
@click.argument("directory", required=False, default=".",
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--install-spec", default=None, metavar="SPEC",
              help="Where CI and the pre-commit hooks install qmskit from: one pip "
                   'requirement, e.g. "qmskit @ git+https://host/org/qmskit.git@v0.2.0" '
                   "(default: a marked placeholder repository to replace).")
def adopt_command(directory: Path, install_spec: str | None) -> int:
    """Bring qmskit into the existing MkDocs handbook in DIRECTORY (default: here).

    Reads mkdocs.yml (docs folder, plugins, mkdocs-static-i18n), writes qmskit.toml,
    adds the qmskit plugin to mkdocs.yml keeping its comments and order, adds the
    pre-commit hooks, the CI workflows and CODEOWNERS. Never overwrites a file; running
    it again changes nothing. Prints what it did and the next steps.
    """
    from qmskit.commands.adopt import adopt
    from qmskit.commands.init import DEFAULT_INSTALL_SPEC

    return adopt(directory,
                 install_spec=DEFAULT_INSTALL_SPEC if install_spec is None else install_spec)


@cli.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", required=True, help="The kind of record each row becomes "
              "(risk, action, objective, role, ...).")
@click.option("--to", "to", type=click.Choice(["files", "register"]), default="files",
              show_default=True, help="One file per row, or a register document with a CSV.")
@click.option("--table", "tables", multiple=True, metavar="N",
              help="Which table of the page: its number (1, 2, ...; comma-separated) or all.")
@click.option("--heading", metavar="TEXT",
              help="The tables under this heading or content tab.")
@click.option("--map", "maps", multiple=True, metavar="COL=FIELD,...",
              help="Column to field, e.g. 'Objective=title,Owner=owner'; COL=a+b fills two "
                   "fields, COL=x-NAME keeps text, COL=- leaves it out.")
@click.option("--map-values", "value_maps", multiple=True, metavar="FIELD:FROM=TO|FILE",
              help="Cell value to field value, e.g. 'source:customer complaint=nonconformity'"
                   " (* and ? match any text), or a .toml ([FIELD] FROM = TO) or .csv file.")
@click.option("--set", "settings", multiple=True, metavar="FIELD=VALUE",
              help="A value for every record (a register's status and stamps go on the "
                   "register), e.g. status=approved, review.last=2026-01-22.")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              help="Where the files go (default: a folder named after the page, beside it).")
@click.option("--register", type=click.Path(dir_okay=False, path_type=Path),
              help="With --to register: the register document (default: the page itself "
                   "with --replace-table, else PAGE-register.md).")
@click.option("--register-id", metavar="ID", help="The register document's id (default "
              "REG-NAME).")
@click.option("--id-prefix", metavar="PREFIX", help="Prefix of ids made from titles "
              "(default: the kind's, e.g. RISK).")
@click.option("--replace-table", is_flag=True,
              help="Replace the table in the page by a block the handbook renders from the "
                   "records, so nothing is kept twice.")
@click.option("--skip-bad-rows", is_flag=True,
              help="Import the rows that can be; list the others (exit 1).")
@click.option("--dry-run", is_flag=True, help="Show every file and change; write nothing.")
@_QMS_ROOT
@_CONFIG
def import_command(source: Path, kind: str, to: str, tables: tuple[str, ...],
                   heading: str | None, maps: tuple[str, ...], value_maps: tuple[str, ...],
                   settings: tuple[str, ...], directory: Path | None, register: Path | None,
                   register_id: str | None, id_prefix: str | None, replace_table: bool,
                   skip_bad_rows: bool, dry_run: bool, root: Path,
                   config_path: Path | None) -> int:
    """Turn a table (in a Markdown page, or a CSV file) into records of KIND.

    Each row becomes one record: a file per row, or a row of a register. Rows that
    cannot be imported are listed with their line and reasons, and nothing is written
    until every row can be (or --skip-bad-rows). Never overwrites a file.
    """
    from qmskit.commands.import_ import import_table

    return import_table(root, source, kind=kind, to=to, tables=tables, heading=heading,
                        maps=maps, value_maps=value_maps, settings=settings,
                        directory=directory, register=register, register_id=register_id,
                        id_prefix=id_prefix, replace_table=replace_table,
                        skip_bad_rows=skip_bad_rows, dry_run=dry_run, config_path=config_path)


@cli.command("new")
@click.argument("kind")
@click.option("--title", help="The document's title (also used for its id).")
@click.option("--id", "doc_id", metavar="ID", help="Use this id instead of a generated one.")
@click.option("--owner", metavar="ROLE", help="The owning role.")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write it in (inside a QMS folder; default: the kind's "
                   "configured folder, or where documents of that kind live).")
@click.option("--records", metavar="KIND",
              help="For a register: the kind of record each row of its table is.")
@_QMS_ROOT
@_CONFIG
def new_command(kind: str, title: str | None, doc_id: str | None, owner: str | None,
                directory: Path | None, records: str | None, root: Path,
                config_path: Path | None) -> int:
    """Create a draft document of KIND (strategy, objective, procedure, process, document,
    kpi, role, risk, action, audit, review, register, or a kind declared in the config)
    from its template, with a fresh id (the kind's id pattern, when configured)."""
    from qmskit.commands.new import new

    return new(root, kind, title=title, doc_id=doc_id, owner=owner, config_path=config_path,
               directory=directory, records=records)


@cli.command("review")
@click.argument("doc_id", metavar="ID")
@click.option("--by", metavar="ROLE", help="The reviewing role (sets review.by).")
@click.option("--date", "on", type=click.DateTime(["%Y-%m-%d"]), callback=_date,
              help="Date of the review (default: today).")
@click.option("--approve", is_flag=True,
              help="Also record the approval: approved_by (the --by role), approved_on, and "
                   "status approved for a draft.")
@click.option("--bump/--no-bump", default=None,
              help="Raise the version, or never (default: when git shows the content "
                   "changed since the last review).")
@click.option("--as", "as_handle", metavar="HANDLE",
              help="The person signing in the --by role (default: the role's only holder).")
@click.option("--commit", is_flag=True,
              help="Commit the document with Reviewed-by/Approved-by trailers naming the "
                   "role and the person.")
@_QMS_ROOT
@_CONFIG
def review_command(doc_id: str, by: str | None, on: date | None, approve: bool,
                   bump: bool | None, as_handle: str | None, commit: bool, root: Path,
                   config_path: Path | None) -> int:
    """Stamp a review of document ID: review.last (and review.by), keeping the file's
    formatting; the version goes up only if the content changed since the last review.
    Translations that state stamp fields get the same stamps (never a raised version).
    The signature (role and person) goes into the commit as trailers: with --commit, or
    printed for your own commit message."""
    from qmskit.commands.review import review

    return review(root, doc_id, by=by, on=on, approve=approve, bump=bump,
                  config_path=config_path, as_handle=as_handle, commit=commit)


@cli.group("kpi")
def kpi_group() -> None:
    """KPI measurements."""


@kpi_group.command("record")
@click.argument("kpi_id", metavar="KPI")
@click.argument("value")
@click.option("--period", required=True, help="YYYY-MM, YYYY-Www, YYYY-Qn or YYYY; "
              "a period that has ended.")
@click.option("--reason", help="With VALUE n/a: why the period has no data (recorded in "
              "the row, e.g. 'plant shutdown').")
@_QMS_ROOT
@_CONFIG
def kpi_record_command(kpi_id: str, value: str, period: str, reason: str | None, root: Path,
                       config_path: Path | None) -> int:
    """Append VALUE for --period to the data file of KPI; refuses duplicates, periods out
    of order or not yet ended, and non-numbers. VALUE n/a with --reason records a period
    that had nothing to measure."""
    from qmskit.commands.kpi import record

    return record(root, kpi_id, value, period, reason=reason, config_path=config_path)


# --- performance mode: management review pack and health (records) ---

@cli.group("report")
def report_group() -> None:
    """Reports generated from the QMS, ready to commit as records."""


@report_group.command("management-review")
@_ROOT
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), callback=_date,
              help="Start of the period (default: the previous management review, else "
                   "twelve months back).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the pack to this new file (never overwritten) instead of stdout, "
                   "e.g. qms_docs/reviews/MR-2027-01.md.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), callback=_date,
              help="Evaluate dates as of this day (YYYY-MM-DD).")
@_CONFIG
def report_management_review_command(root: Path, since: date | None, output: Path | None,
                                     today: date | None, config_path: Path | None) -> int:
    """The ISO 9001 9.3.2 inputs as a draft management review record (Markdown).

    KPI status and trends against targets, objectives, process performance, audits,
    nonconformities and actions, risks, documents due for review, and the actions of the
    previous review. Its front matter links every record presented, so it can be
    committed as the draft record and completed in the meeting.
    """
    from qmskit.commands.report import management_review

    return management_review(root, since=since, output=output, today=today,
                             config_path=config_path)


@cli.command("health")
@_ROOT
@click.option("--format", "output_format", type=click.Choice(["text", "json"]),
              default="text", show_default=True, help="Output format.")
@click.option("--fail-on", type=click.Choice(["compliance", "unknown"]),
              help="Exit 1 when a sign reads compliance mode (with 'unknown': also when a "
              "sign cannot be measured), for CI.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), callback=_date,
              help="Evaluate dates as of this day (YYYY-MM-DD).")
@_CONFIG
def health_command(root: Path, output_format: str, fail_on: str | None, today: date | None,
                   config_path: Path | None) -> int:
    """Performance mode or compliance mode: five signs measured from the repository.

    Each sign (attention only before audits, leadership engagement, KPIs disconnected
    from strategy, reactive improvement, ISO as the quality team's extra work) is
    measured over the last twelve months, with its numbers, thresholds ([health] in the
    config) and verdicts. Exits 0 (a diagnostic), or 1 with --fail-on compliance when a
    sign reads compliance mode.
    """
    from qmskit.commands.health import health

    return health(root, output_format=output_format, today=today, config_path=config_path,
                  fail_on=fail_on)

@cli.command("due")
@click.option("--as", "handle", metavar="HANDLE", help="Only this person's items.")
@click.option("--role", metavar="ROLE-ID", help="Only the items owed through this role.")
@click.option("--within", metavar="INTERVAL",
              help="Look this far ahead, e.g. '30 days', '6 weeks' (default: review_window).")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "markdown", "ics"]),
              help="Output format (default: text); ics is an iCalendar file.")
@click.option("--fail-on", type=click.Choice(["overdue"]),
              help="Exit 1 when any listed item is overdue (for CI).")
@click.option("--sync", type=click.Choice(["github"]),
              help="Keep one reminder issue per person in step, with gh.")
@click.option("--dry-run", is_flag=True, help="With --sync: print the gh commands, run none.")
@click.option("--label", metavar="LABEL", help="With --sync: the reminder issues' label "
              "(default: qms-due).")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), callback=_date,
              help="Evaluate dates as of this day (YYYY-MM-DD).")
@_QMS_ROOT
@_CONFIG
def due_command(handle: str | None, role: str | None, within: str | None,
                output_format: str | None, fail_on: str | None, sync: str | None,
                dry_run: bool, label: str | None, today: date | None, root: Path,
                config_path: Path | None) -> int:
    """What the QMS expects of each person, most urgent first, with the command that
    discharges each item.

    Reviews overdue or due within the window (documents the person's roles own or
    review), KPI values to enter, open actions and effectiveness checks, acknowledgements
    owed, and internal audits scheduled. A role's items go to its holders, or to its
    deputy while it has none. Exit 0, or 1 with --fail-on overdue when an item is
    overdue. --sync github creates, updates, reopens or closes one issue per person.
    """
    from qmskit.commands.due import due, parse_within

    return due(root, handle=handle, role=role,
               within=parse_within(within) if within is not None else None,
               output_format=output_format, fail_on=fail_on, today=today,
               config_path=config_path, sync=sync, dry_run=dry_run, label=label)


# --- audit readiness: clause coverage, read and understood, controlled copy ---

@cli.command("coverage")
@_ROOT
@click.option("--format", "output_format", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True, help="Output format.")
@_CONFIG
def coverage_command(root: Path, output_format: str, config_path: Path | None) -> int:
    """The clause matrix of each configured standard (ISO 9001 by default): each clause
    with the documents that address it (and their status), exclusions with their
    justification, and clauses not covered.

    Exit 1 when the config has a [coverage] table and a clause in scope is covered by no
    approved document (rule A601), else 0.
    """
    from qmskit.commands.coverage import coverage

    return coverage(root, output_format=output_format, config_path=config_path)


@cli.command("ack")
@click.argument("doc_id", metavar="ID")
@click.option("--as", "handle", required=True, metavar="HANDLE",
              help="The person who has read the document (a holder of an applies_to role).")
@click.option("--date", "on", type=click.DateTime(["%Y-%m-%d"]), callback=_date,
              help="Date of reading (default: today).")
@click.option("--commit", is_flag=True,
              help="Commit the ledger with an Acknowledged-by trailer.")
@_QMS_ROOT
@_CONFIG
def ack_command(doc_id: str, handle: str, on: date | None, commit: bool, root: Path,
                config_path: Path | None) -> int:
    """Record that HANDLE has read and understood the current version of document ID.

    Appends id,version,handle,date to the acknowledgement ledger (ack_ledger, default
    qms_docs/acknowledgements.csv), atomically and under a lock; an acknowledgement
    already recorded is not written twice.
    """
    from qmskit.commands.ack import ack

    return ack(root, doc_id, handle, on=on, commit=commit, config_path=config_path)


@cli.command("pdf")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@_QMS_ROOT
@click.option("--mkdocs-config", type=click.Path(dir_okay=False, path_type=Path),
              help="MkDocs config to start from (default: ROOT/mkdocs.yml if present).")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), callback=_date,
              help="The date the copy is valid on (default: today as the check sees it).")
@click.option("--chromium", metavar="PATH",
              help="Chromium or Chrome executable (default: chromium, chromium-browser, "
                   "google-chrome on PATH).")
@_CONFIG
def pdf_command(out: Path, root: Path, mkdocs_config: Path | None, today: date | None,
                chromium: str | None, config_path: Path | None) -> int:
    """Write the whole manual as one controlled-copy PDF to OUT.

    Cover page (organisation, git revision and date), table of contents, every page of
    the handbook with each document's metadata panel, page numbers, and the footer
    "Controlled copy valid on DATE; uncontrolled when printed". Built offline with
    MkDocs, mkdocs-print-site-plugin and headless Chromium. Exit 1 if the QMS has errors.
    """
    from qmskit.commands.pdf import pdf

    return pdf(root, out, mkdocs_config=mkdocs_config, today=today, chromium=chromium,
               config_path=config_path)


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
    except OSError as error:
        # The last resort: where an error can happen, a specific message is better (see
        # `qmskit.fs`); an unforeseen one still names the file, exits 2 (1 means
        # findings), and never shows a traceback.
        from qmskit.fs import explain

        click.echo(f"qmskit: error: {explain(error)}", err=True)
        return EXIT_USAGE
    return result if isinstance(result, int) else 0
