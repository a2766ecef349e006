"""`qmskit init DIR`: a new QMS repository that passes `qmskit check` and builds at once.

It writes the config, `mkdocs.yml` with the qmskit plugin, the folder layout, one
document of every kind linked into a small but complete system (strategy, objective,
process, procedure, KPI with data, roles, risk, action, audit, management review), the
pre-commit config, CODEOWNERS and the GitHub Actions workflow. Dates are set relative to
today, so the example is current the day it is created; from then on it ages like a real
QMS, which is the point.

Nothing that exists is ever overwritten: when any target file is already there, init
lists the conflicts and writes nothing.

Where qmskit comes from is said once (`--install-spec`, a pip requirement) and used by
both the CI workflow and the pre-commit hooks, so they run the same qmskit. A spec of the
form `qmskit @ git+URL@TAG` also names the hook repository (`repo: URL`, `rev: TAG`);
any other spec (an index version, a wheel, a path) goes into a `language: python` local
hook as its `additional_dependencies`. Neither needs `qmskit` on PATH. Without a spec,
the repository is a marked placeholder: qmskit is not on a package index, and this
package cannot know the URL its users get it from.
"""

from __future__ import annotations

import json
import re
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from qmskit import __version__
from qmskit.commands.new import (
    document_values,
    flow_list,
    init_template,
    render_template,
    template,
    validate_rendered,
)
from qmskit.config import Config, evaluation_date
from qmskit.edit import atomic_create, render_scalar
from qmskit.errors import EXIT_CLEAN, QmsError
from qmskit.model.documents import MODELS

#: Stands for qmskit's repository until the user names it: `.invalid` never resolves, so
#: a scaffold nobody edited fails at install with this name in the message.
PLACEHOLDER_REPOSITORY = "https://qmskit-repository.invalid/REPLACE-ME/qmskit.git"
#: The release tag of this version, as the hook repository tags its releases.
RELEASE_TAG = f"v{__version__}"
DEFAULT_INSTALL_SPEC = f"qmskit @ git+{PLACEHOLDER_REPOSITORY}@{RELEASE_TAG}"
_GIT_SPEC = re.compile(r"qmskit\s*@\s*git\+(?P<url>[^\s#]+)@(?P<rev>[^@/\s#]+)")
_WORKFLOW_NOTE = (
    "        # REPLACE the placeholder repository below with qmskit's repository URL and a\n"
    "        # release tag, the same as `repo:` and `rev:` in .pre-commit-config.yaml (or\n"
    "        # create the QMS with `qmskit init --install-spec \"qmskit @ git+URL@TAG\"`).\n")
_HOOK_NOTE = (
    "# REPLACE the placeholder `repo:` below with qmskit's repository URL (and `rev:` with\n"
    "# a release tag of it), the same as the install step of .github/workflows/qms.yml.\n")


@dataclass(frozen=True)
class QmskitSource:
    """Where the scaffold's CI and pre-commit hooks install qmskit from."""

    spec: str  # a pip requirement: `qmskit @ git+URL@TAG`, `qmskit==0.2.0`, a path, ...
    repository: str | None  # the hook repository, when the spec names one by git URL
    rev: str | None

    @property
    def placeholder(self) -> bool:
        """True while the source is the marked placeholder, not a real repository."""
        return self.repository == PLACEHOLDER_REPOSITORY


def qmskit_source(spec: str = DEFAULT_INSTALL_SPEC) -> QmskitSource:
    """Parse `--install-spec`; QmsError for one that cannot be a single pip requirement."""
    spec = spec.strip()
    if not spec or any(ord(ch) < 32 for ch in spec) or spec.startswith("-"):
        raise QmsError("--install-spec must be one pip requirement on one line, e.g. "
                       '"qmskit @ git+https://host/org/qmskit.git@v0.2.0" or "qmskit==0.2.0"')
    match = _GIT_SPEC.fullmatch(spec)
    if match is None:
        return QmskitSource(spec, None, None)
    return QmskitSource(spec, match.group("url"), match.group("rev"))


def _previous_months(today: date, count: int) -> list[str]:
    """The `count` complete months before `today`'s month, oldest first."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        months.append(f"{year:04d}-{month:02d}")
    return list(reversed(months))


def _add_months(day: date, months: int) -> date:
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return date(year, month, min(day.day, 28))


def example_documents(today: date) -> dict[str, str]:
    """The linked example system: relative path -> file text."""
    iso = today.isoformat()
    approval = f"approved_by: ROLE-MD\napproved_on: {iso}"
    stamp = f"  last: {iso}"
    approved = {"status": "approved", "approval": approval, "review_last": stamp}
    year = today.year
    docs = [
        ("role", "ROLE-MD", "Managing Director", "qms_docs/roles",
         {"owner": "ROLE-MD", "holders": "[managing-director]"}),
        ("role", "ROLE-QM", "Quality Manager", "qms_docs/roles",
         {"owner": "ROLE-MD", "holders": "[quality-lead]", "reports_to": "ROLE-MD"}),
        ("strategy", "STRAT-CUSTOMER", "Customers who rely on us and come back",
         "qms_docs/strategy", {"owner": "ROLE-MD", "horizon": f'"{year}-{year + 2}"'}),
        ("objective", "OBJ-OTD", "On-time delivery at or above 95 %", "objectives",
         {"owner": "ROLE-QM", "supports": flow_list(["STRAT-CUSTOMER"]),
          "target": render_scalar("on-time delivery >= 95 % of order lines"),
          "due": _add_months(today, 12).isoformat()}),
        ("process", "PROC-O2D", "Order to delivery", "procedures",
         {"owner": "ROLE-QM", "supports": flow_list(["OBJ-OTD"]),
          "risks": flow_list(["RISK-CAPACITY"])}),
        ("procedure", "PROC-ORDER", "Order review", "procedures",
         {"owner": "ROLE-QM", "supports": flow_list(["PROC-O2D"]),
          "applies_to": flow_list(["ROLE-QM"])}),
        ("kpi", "KPI-OTD", "On-time delivery", "qms_docs/kpis",
         {"owner": "ROLE-QM", "measures": flow_list(["OBJ-OTD", "PROC-O2D"]),
          "unit": '"%"', "target": "95.0", "warn_at": "90.0"}),
        ("risk", "RISK-CAPACITY", "Capacity shortfall in the peak season", "qms_docs/risks",
         {"owner": "ROLE-QM", "affects": flow_list(["PROC-O2D"]), "likelihood": "3",
          "impact": "3", "treated_by": flow_list(["ACT-CAPACITY"])}),
        ("action", "ACT-CAPACITY", "Agree a capacity plan for the peak season",
         "qms_docs/actions",
         {"owner": "ROLE-QM", "source": "risk", "due": _add_months(today, 3).isoformat()}),
        ("audit", f"AUDIT-{year}-O2D", "Internal audit of order to delivery",
         "qms_docs/audits",
         {"owner": "ROLE-QM", "date": _add_months(today, 2).isoformat(),
          "scope": flow_list(["PROC-O2D"])}),
        # The first management review is planned, not held: a held review must show
        # every ISO 9.3.2 input, which a system created today cannot have yet.
        ("review", f"MR-{year}", "Management review", "qms_docs/reviews",
         {"owner": "ROLE-MD", "status": "draft", "approval": "", "review_last": "",
          "date": _add_months(today, 1).isoformat(),
          "inputs": flow_list(["KPI-OTD", "OBJ-OTD", "RISK-CAPACITY"]),
          "decisions": flow_list(["ACT-CAPACITY"]),
          "attendees": flow_list(["ROLE-MD", "ROLE-QM"])}),
    ]
    if "nonconformity" in MODELS:
        docs.append(("nonconformity", f"NC-{year}-001", "Order shipped without its test report",
                     "qms_docs/nonconformities",
                     {"owner": "ROLE-QM", "date": iso, "source": "customer-complaint",
                      "severity": "minor", "affects": flow_list(["PROC-O2D"]),
                      "actions": flow_list(["ACT-CAPACITY"])}))
    docs.append(("document", "DOC-POLICY", "Quality policy", "qms_docs",
                 {"owner": "ROLE-MD", "type": "policy", "clauses": '["5.2"]',
                  "applies_to": flow_list(["ROLE-QM"])}))
    docs.append(("register", "REG-RISKS", "Risk register", "qms_docs/registers",
                 {"owner": "ROLE-QM", "records": "risk", "data": "data/REG-RISKS.csv"}))
    files: dict[str, str] = {}
    for kind, doc_id, title, folder, fields in docs:
        values = document_values(kind, doc_id, title, **{**approved, **fields})
        relative = f"{folder}/{doc_id}.md"
        text = render_template(template(kind), values)
        validate_rendered(relative, text)
        files[relative] = text
    rows = [f"{month},{value}" for month, value in
            zip(_previous_months(today, 3), ("95.8", "96.4", "97.1"), strict=True)]
    files["qms_docs/kpis/data/KPI-OTD.csv"] = "period,value\n" + "\n".join(rows) + "\n"
    # A register keeps many records in one table; each row is a risk like RISK-CAPACITY.
    files["qms_docs/registers/data/REG-RISKS.csv"] = (
        "id,title,affects,likelihood,impact,treated_by\n"
        "RISK-KEY-SUPPLIER,Key supplier fails to deliver,PROC-O2D,2,3,\n")
    return files


def workflow(spec: str = DEFAULT_INSTALL_SPEC, *, extra: Sequence[str] = ()) -> str:
    """The GitHub Actions workflow; its install step is `pip install SPEC EXTRA...`
    (`extra`: what else the site needs, e.g. an existing handbook's MkDocs plugins)."""
    source = qmskit_source(spec)
    install = " ".join(shlex.quote(arg) for arg in (source.spec, *extra))
    return render_template(init_template("workflow.yml"), {
        "install": render_scalar(f"pip install {install}"),
        "note": _WORKFLOW_NOTE if source.placeholder else "",
    })


def due_workflow(spec: str = DEFAULT_INSTALL_SPEC, *, dry_run: bool = False) -> str:
    """The weekly reminder workflow (`qmskit due --sync github`), installing qmskit the
    same way as the CI workflow. `dry_run` makes the sync print the `gh` calls instead of
    making them: qmskit's own repository holds a fictional company, whose people must not
    get real issues."""
    source = qmskit_source(spec)
    return render_template(init_template("due-workflow.yml"), {
        "install": render_scalar(f"pip install {shlex.quote(source.spec)}"),
        "note": _WORKFLOW_NOTE if source.placeholder else "",
        "sync_flags": " --dry-run" if dry_run else "",
    })


def precommit_config(spec: str = DEFAULT_INSTALL_SPEC) -> str:
    """`.pre-commit-config.yaml`: qmskit's hook repository by URL when the spec names
    one, else local `language: python` hooks that install the spec. Either way pre-commit
    installs qmskit into an environment of its own; nothing depends on PATH."""
    source = qmskit_source(spec)
    if source.repository is None or source.rev is None:
        return render_template(init_template("pre-commit-config-local.yaml"),
                               {"spec": json.dumps(source.spec)})
    return render_template(init_template("pre-commit-config.yaml"), {
        "repo": render_scalar(source.repository), "rev": render_scalar(source.rev),
        "note": _HOOK_NOTE if source.placeholder else "",
    })


def scaffold(name: str, today: date, spec: str = DEFAULT_INSTALL_SPEC) -> dict[str, str]:
    """Every file `init` writes except CODEOWNERS: relative path -> text."""
    files = {
        "qmskit.toml": init_template("qmskit.toml"),
        "mkdocs.yml": render_template(init_template("mkdocs.yml"),
                                      {"site_name": render_scalar(f"{name} — Quality Handbook")}),
        ".pre-commit-config.yaml": precommit_config(spec),
        ".github/workflows/qms.yml": workflow(spec),
        ".github/workflows/qms-due.yml": due_workflow(spec),
        ".gitignore": init_template("gitignore"),
        "qms_docs/index.md": render_template(init_template("index.md"), {"name": name}),
    }
    files.update(example_documents(today))
    return files


def init(directory: Path, *, name: str = "Example Ltd",
         install_spec: str = DEFAULT_INSTALL_SPEC, today: date | None = None) -> int:
    """Create the repository skeleton in `directory`; exit 0, or 2 if a file exists."""
    from qmskit.commands.codeowners import entries, render
    from qmskit.config import load_config
    from qmskit.loader import load_qms

    if not name.strip() or "\n" in name:
        raise QmsError("--name must be one line")
    day = evaluation_date(Config(), today)
    files = scaffold(name.strip(), day, install_spec)
    codeowners = ".github/CODEOWNERS"
    targets = [*files, codeowners]
    if directory.exists() and not directory.is_dir():
        raise QmsError(f"{directory}: exists and is not a directory")
    conflicts = [t for t in targets if (directory / t).exists() or (directory / t).is_symlink()]
    if conflicts:
        raise QmsError(f"{directory}: would overwrite {', '.join(conflicts)}; "
                       "qmskit init only writes into a new or empty place")
    directory.mkdir(parents=True, exist_ok=True)
    for relative, text in files.items():
        atomic_create(directory / relative, text)
    config, _ = load_config(directory)
    qms = load_qms(directory, config, with_git=False)
    atomic_create(directory / codeowners, render(None, entries(qms)))
    sys.stdout.write(
        f"{directory}: created a QMS with {len(qms.documents)} documents "
        f"({len(targets)} files)\n"
        "next:\n"
        f"  cd {directory}\n"
        + (f"  edit .github/workflows/qms.yml and .pre-commit-config.yaml: replace the "
           f"placeholder {PLACEHOLDER_REPOSITORY}\n"
           if qmskit_source(install_spec).placeholder else "")
        + "  git init && git add -A && git commit -m 'Start the QMS'\n"
        "  pre-commit install      # check every commit\n"
        "  qmskit check            # validate\n"
        "  mkdocs build            # the handbook, in site/\n")
    return EXIT_CLEAN

