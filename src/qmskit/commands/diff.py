"""`qmskit diff BASE HEAD`: what a change does to the QMS, as a pull-request comment.

Both revisions are read straight from git (one `git ls-tree` per revision and one
`git cat-file --batch` for every blob of both), written to temporary folders and loaded
with the same loader and rules as `qmskit check`. The working tree is never touched, so
the command is safe to run in CI and in a repository with uncommitted work.

Documents are matched by id, not by path: a moved file is a changed document, and a
renamed id is a removal plus an addition. For every affected document the summary gives
its chain up to strategy (why it matters), the KPIs below it (what may move), and the
roles whose holders must review it. Findings are compared by rule, document and message
(not by line, which shifts with every edit) to tell which the change introduces and
which it fixes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from qmskit.errors import EXIT_CLEAN, EXIT_FINDINGS, QmsError
from qmskit.model.types import kind_rank, mention

if TYPE_CHECKING:
    from qmskit.model.doc import Doc
    from qmskit.model.findings import Finding
    from qmskit.qms import Qms

CONFIG_NAMES = ("qmskit.toml", "pyproject.toml")


# --- git plumbing -----------------------------------------------------------------


@dataclass(frozen=True)
class TreeEntry:
    """One file of a revision, as `git ls-tree -l` lists it."""

    mode: str
    sha: str
    size: int
    path: str  # relative to the repository top


@dataclass(frozen=True)
class GitRepo:
    """The git repository around a QMS root; `prefix` is the root relative to the top."""

    top: Path
    prefix: str

    @classmethod
    def at(cls, root: Path) -> GitRepo:
        """Find the repository containing `root`; QmsError when there is none."""
        try:
            done = subprocess.run(["git", "rev-parse", "--show-toplevel", "--show-prefix"],
                                  cwd=root, capture_output=True, check=False)
        except OSError:
            raise QmsError("git is not installed; qmskit needs it to read revisions") from None
        if done.returncode != 0:
            raise QmsError(f"{root}: not inside a git repository")
        top, prefix = [*done.stdout.decode("utf-8", "replace").split("\n"), "", ""][:2]
        return cls(Path(top.strip()), prefix.strip())

    def run(self, *args: str, stdin: bytes | None = None) -> bytes:
        """Run git in the top folder; a failure becomes a QmsError with git's message."""
        done = subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=self.top,
                              input=stdin, capture_output=True, check=False)
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise QmsError(f"git {args[0]} failed: {message[0] if message else done.returncode}")
        return done.stdout

    def commit(self, rev: str) -> str:
        """The full hash of a revision; QmsError naming the revision when it is unknown."""
        if rev.startswith("-"):
            raise QmsError(f"{rev!r} is not a git revision")
        done = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
                              cwd=self.top, capture_output=True, check=False)
        if done.returncode != 0:
            raise QmsError(f"unknown git revision {rev!r}; fetch it first (in CI: "
                           "`fetch-depth: 0`)")
        return done.stdout.decode().strip()

    def tree(self, commit: str) -> list[TreeEntry]:
        """Every regular file of `commit` under the QMS root (symlinks and submodules are
        left out: they could point outside the repository)."""
        args = ["ls-tree", "-r", "-l", "-z", "--full-tree", commit]
        if self.prefix:
            args += ["--", self.prefix]
        entries = []
        for record in self.run(*args).decode("utf-8", "replace").split("\0"):
            if not record:
                continue
            meta, _, path = record.partition("\t")
            mode, kind, sha, size = meta.split()
            if kind != "blob" or mode not in ("100644", "100755"):
                continue
            entries.append(TreeEntry(mode, sha, int(size), path))
        return entries

    def cat(self, specs: Sequence[str]) -> list[bytes | None]:
        """Contents of many objects (`sha` or `rev:path`) from one `git cat-file --batch`;
        None for a missing one."""
        if not specs:
            return []
        out = self.run("cat-file", "--batch", stdin="".join(s + "\n" for s in specs).encode())
        results: list[bytes | None] = []
        pos = 0
        for _ in specs:
            eol = out.index(b"\n", pos)
            header = out[pos:eol].split()
            pos = eol + 1
            if len(header) < 3 or header[-1] == b"missing":
                results.append(None)
                continue
            size = int(header[2])
            results.append(out[pos:pos + size])
            pos += size + 1
        return results

    def history(self, path: str) -> list[str]:
        """Commits that touched `path` (relative to the top), newest first."""
        out = self.run("log", "--format=%H", "--", path)
        return out.decode().split()


# --- loading a revision -----------------------------------------------------------


@dataclass
class Revision:
    """One side of the comparison: the revision asked for, its commit and loaded QMS."""

    rev: str
    commit: str
    qms: Qms = field(init=False)


def _safe_relative(path: str, prefix: str) -> str | None:
    if not path.startswith(prefix):
        return None
    relative = path[len(prefix):]
    pure = PurePosixPath(relative)
    if pure.is_absolute() or ".." in pure.parts or not relative:
        return None
    return relative


def load_revisions(root: Path, base: str, head: str, config_path: Path | None = None
                   ) -> tuple[Revision, Revision, tempfile.TemporaryDirectory[str]]:
    """Load the QMS as of `base` and `head` into temporary folders (kept alive by the
    returned TemporaryDirectory; clean it up when done)."""
    from qmskit.config import load_config
    from qmskit.loader import load_qms

    repo = GitRepo.at(root)
    sides = [Revision(base, repo.commit(base)), Revision(head, repo.commit(head))]
    holder = tempfile.TemporaryDirectory(prefix="qmskit-diff-")
    try:
        trees = [repo.tree(side.commit) for side in sides]
        wanted: dict[str, None] = {}
        plans: list[list[tuple[str, TreeEntry]]] = []
        configs = []
        # Config files first: they decide which folders hold the QMS at that revision.
        config_entries = [[e for e in tree if _safe_relative(e.path, repo.prefix)
                           in CONFIG_NAMES] for tree in trees]
        blobs = dict(zip((e.sha for entries in config_entries for e in entries),
                         repo.cat([e.sha for entries in config_entries for e in entries]),
                         strict=True))
        for index, side in enumerate(sides):
            dest = Path(holder.name, f"{index}-{side.commit[:12]}")
            dest.mkdir()
            for entry in config_entries[index]:
                content = blobs[entry.sha]
                relative = _safe_relative(entry.path, repo.prefix)
                if content is not None and relative is not None:
                    (dest / relative).write_bytes(content)
            try:
                config, _ = load_config(dest, config_path)
            except QmsError as error:
                raise QmsError(f"at {side.rev}: {error}") from None
            configs.append(config)
            folders = [folder.strip("/") + "/" for folder in config.folders]
            plan = []
            for entry in trees[index]:
                relative = _safe_relative(entry.path, repo.prefix)
                if relative is None or not any(relative.startswith(f) for f in folders):
                    continue
                plan.append((relative, entry))
                if entry.size <= config.max_file_size:
                    wanted[entry.sha] = None
            plans.append(plan)
        contents = dict(zip(wanted, repo.cat(list(wanted)), strict=True))
        for index, side in enumerate(sides):
            dest = Path(holder.name, f"{index}-{side.commit[:12]}")
            for relative, entry in plans[index]:
                target = dest / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                content = contents.get(entry.sha)
                if content is None:
                    # Too large to extract: a sparse file of the same size lets the loader
                    # report it exactly as it would in a checkout.
                    with target.open("wb") as handle:
                        handle.truncate(entry.size)
                else:
                    target.write_bytes(content)
            side.qms = load_qms(dest, configs[index], with_git=False)
    except BaseException:
        holder.cleanup()
        raise
    return sides[0], sides[1], holder


# --- comparing --------------------------------------------------------------------


@dataclass
class Affected:
    """A document the change touches, with why it matters and what it may move."""

    id: str
    change: str  # added | changed | retired | removed
    kind: str
    title: str
    path: str
    owner: str | None
    fields: list[str] = field(default_factory=list)
    old_path: str | None = None
    version: tuple[int | None, int | None] | None = None
    chains: list[list[str]] = field(default_factory=list)
    objectives: list[str] = field(default_factory=list)
    kpis: list[str] = field(default_factory=list)

    def to_dict(self, titles: dict[str, str]) -> dict[str, Any]:
        """JSON-ready record (field names are part of the public `--format json`)."""
        return {
            "id": self.id, "change": self.change, "kind": self.kind, "title": self.title,
            "path": self.path, "old_path": self.old_path, "owner": self.owner,
            "changed_fields": self.fields,
            "version": list(self.version) if self.version else None,
            "upstream_chains": self.chains,
            "strategies": sorted({chain[-1] for chain in self.chains}),
            "objectives": self.objectives,
            "kpis": [{"id": k, "title": titles.get(k, "")} for k in self.kpis],
        }


def strategy_chains(qms: Qms, doc_id: str) -> list[list[str]]:
    """For each strategy `doc_id` serves, the shortest supports/measures path to it."""
    from qmskit.graph import TRACE_FIELDS

    graph = qms.graph
    if doc_id not in graph:
        return []
    parent: dict[str, str | None] = {doc_id: None}
    queue = deque([doc_id])
    found: list[str] = []
    while queue:
        current = queue.popleft()
        if graph.kind(current) == "strategy" and current != doc_id:
            found.append(current)
            continue
        for link in sorted(graph.outgoing(current, TRACE_FIELDS), key=lambda lk: lk.target):
            if link.target not in parent:
                parent[link.target] = current
                queue.append(link.target)
    chains = []
    for strategy in sorted(found):
        chain: list[str] = []
        node: str | None = strategy
        while node is not None:
            chain.append(node)
            node = parent[node]
        chains.append(list(reversed(chain)))
    if graph.kind(doc_id) == "strategy":
        chains.insert(0, [doc_id])
    return chains


def downstream_kpis(qms: Qms, doc_id: str) -> list[str]:
    """KPIs that measure `doc_id` or anything that serves it."""
    graph = qms.graph
    if doc_id not in graph:
        return []
    return sorted(d for d in graph.downstream(doc_id) if graph.kind(d) == "kpi")


def _fields_changed(old: Doc, new: Doc) -> list[str]:
    before = old.model.model_dump(mode="json")
    after = new.model.model_dump(mode="json")
    names = [name for name in dict.fromkeys([*before, *after])
             if before.get(name) != after.get(name)]
    if old.body != new.body:
        names.append("body")
    return names


def compare(base: Qms, head: Qms) -> list[Affected]:
    """The documents a change adds, changes, retires or removes, in a stable order."""
    affected: list[Affected] = []
    for doc_id in sorted(set(base.documents) | set(head.documents)):
        old, new = base.documents.get(doc_id), head.documents.get(doc_id)
        if new is None:
            assert old is not None
            affected.append(Affected(doc_id, "removed", old.kind, old.title, old.path,
                                     old.model.owner))
            continue
        if old is None:
            entry = Affected(doc_id, "added", new.kind, new.title, new.path, new.model.owner)
        else:
            names = _fields_changed(old, new)
            if old.kind == "kpi" and base.series.get(doc_id) != head.series.get(doc_id):
                names.append("data")
            if not names and old.path == new.path:
                continue
            change = ("retired" if new.status == "retired" and old.status != "retired"
                      else "changed")
            entry = Affected(doc_id, change, new.kind, new.title, new.path, new.model.owner,
                             fields=names, old_path=old.path if old.path != new.path else None)
            if "version" in names:
                entry.version = (old.model.version, new.model.version)
        affected.append(entry)
    for entry in affected:
        side = base if entry.change == "removed" else head
        entry.chains = strategy_chains(side, entry.id)
        entry.objectives = sorted({i for chain in entry.chains for i in chain[1:]
                                   if side.graph.kind(i) == "objective"})
        entry.kpis = downstream_kpis(side, entry.id)
    order = {"changed": 0, "added": 1, "retired": 2, "removed": 3}
    return sorted(affected, key=lambda a: (order[a.change], kind_rank(a.kind), a.id))


@dataclass
class RoleCall:
    """A role whose holders are asked to act on the change, and why."""

    role: str
    title: str
    holders: list[str]
    reasons: list[str] = field(default_factory=list)


def _role_info(base: Qms, head: Qms, role_id: str) -> tuple[str, list[str]]:
    from qmskit.model.documents import Role

    for qms in (head, base):
        doc = qms.documents.get(role_id)
        if doc is not None and isinstance(doc.model, Role):
            return doc.title, list(doc.model.holders)
    return "(unknown role)", []


def reviewers(base: Qms, head: Qms, affected: Iterable[Affected]
              ) -> tuple[list[RoleCall], list[RoleCall]]:
    """Roles that must review (owners and approvers of what changed) and roles that must
    read and acknowledge (`applies_to` of changed procedures)."""
    review: dict[str, RoleCall] = {}
    acknowledge: dict[str, RoleCall] = {}

    def call(table: dict[str, RoleCall], role_id: str | None, reason: str) -> None:
        if not role_id:
            return
        if role_id not in table:
            title, holders = _role_info(base, head, role_id)
            table[role_id] = RoleCall(role_id, title, holders)
        if reason not in table[role_id].reasons:
            table[role_id].reasons.append(reason)

    for entry in affected:
        side = base if entry.change == "removed" else head
        doc = side.documents[entry.id]
        call(review, doc.model.owner, f"owner of {entry.id}")
        if doc.model.approved_by and doc.model.approved_by != doc.model.owner:
            call(review, doc.model.approved_by, f"approver of {entry.id}")
        if entry.change in ("added", "changed"):
            for role_id in getattr(doc.model, "applies_to", []):
                call(acknowledge, role_id, entry.id)
    return (sorted(review.values(), key=lambda r: r.role),
            sorted(acknowledge.values(), key=lambda r: r.role))


def _finding_key(finding: Finding) -> tuple[str, str, str]:
    return finding.code, finding.doc_id or finding.path, finding.message


def finding_delta(before: Sequence[Finding], after: Sequence[Finding]
                  ) -> tuple[list[Finding], list[Finding]]:
    """(introduced, fixed): findings only in `after`, findings only in `before`."""
    old = {_finding_key(f) for f in before}
    new = {_finding_key(f) for f in after}
    return ([f for f in after if _finding_key(f) not in old],
            [f for f in before if _finding_key(f) not in new])


def impact(root: Path, base: str, head: str, *, today: date | None = None,
           config_path: Path | None = None) -> dict[str, Any]:
    """The whole comparison as plain data (what `--format json` prints)."""
    from qmskit.rules.checker import run_checks

    old, new, holder = load_revisions(root, base, head, config_path)
    try:
        day = new.qms.evaluation_date(today)
        before = run_checks(old.qms, day).findings
        after = run_checks(new.qms, day).findings
        affected = compare(old.qms, new.qms)
        review, acknowledge = reviewers(old.qms, new.qms, affected)
        introduced, fixed = finding_delta(before, after)
        titles = {i: d.title for q in (old.qms, new.qms) for i, d in q.documents.items()}
    finally:
        holder.cleanup()
    objectives = sorted({i for a in affected for i in a.objectives}
                        | {a.id for a in affected if a.kind == "objective"})
    strategies = sorted({chain[-1] for a in affected for chain in a.chains})
    return {
        "base": {"rev": old.rev, "commit": old.commit},
        "head": {"rev": new.rev, "commit": new.commit},
        "today": day.isoformat(),
        "summary": {kind: sum(1 for a in affected if a.change == kind)
                    for kind in ("added", "changed", "retired", "removed")},
        "objectives": [{"id": i, "title": titles.get(i, "")} for i in objectives],
        "strategies": [{"id": i, "title": titles.get(i, "")} for i in strategies],
        "documents": [a.to_dict(titles) for a in affected],
        "reviewers": [{"role": r.role, "title": r.title, "holders": r.holders,
                       "reasons": r.reasons} for r in review],
        "acknowledge": [{"role": r.role, "title": r.title, "holders": r.holders,
                         "documents": r.reasons} for r in acknowledge],
        "findings": {"introduced": [f.to_dict() for f in introduced],
                     "fixed": [f.to_dict() for f in fixed]},
    }


# --- Markdown ---------------------------------------------------------------------

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_{}[]<>#|~"})


def md(text: str) -> str:
    """Escape user-written text for a PR comment: no markup, no links, no @mentions."""
    return (text.replace("&", "&amp;").translate(_MD_SPECIAL).replace("@", "&#64;")
            .replace("\n", " ").replace("\r", " "))


def code(text: str) -> str:
    """Text inside a Markdown code span: backslashes are literal there, so only the
    backtick (which would close the span) and line breaks are replaced."""
    return "`" + text.replace("`", "'").replace("\n", " ").replace("\r", " ") + "`"


def _mentions(holders: Sequence[str]) -> str:
    return ", ".join(mention(h) for h in holders) or "*(no holder)*"


def _and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def to_markdown(data: dict[str, Any]) -> str:
    """The PR comment; the first line is a marker so CI can update its own comment."""
    lines = ["<!-- qmskit-diff -->",
             f"## QMS impact of {code(data['base']['rev'])} → {code(data['head']['rev'])}", ""]
    documents = data["documents"]
    found = data["findings"]
    if not documents:
        lines.append("No controlled document changed.")
    else:
        counts = data["summary"]
        parts = [f"{counts[k]} {k}" for k in ("changed", "added", "retired", "removed")
                 if counts[k]]
        lines.append(f"**{_and(parts)}** controlled document"
                     f"{'s' if len(documents) != 1 else ''}.")
        if data["objectives"] or data["strategies"]:
            objectives = [f"{o['id']}" for o in data["objectives"]]
            strategies = [f"**{s['id']}** ({md(s['title'])})" for s in data["strategies"]]
            sentence = "This change touches "
            if objectives:
                plural = len(objectives) != 1
                sentence += (f"{len(objectives)} objective{'s' if plural else ''}"
                             f" ({_and(objectives)})")
                if strategies:
                    sentence += " that support " if plural else " that supports "
            else:
                sentence += "documents that support " if strategies else ""
            sentence += (f"strateg{'ies' if len(strategies) != 1 else 'y'} "
                         f"{_and(strategies)}" if strategies else "")
            lines.append(sentence + ".")
        if data["reviewers"]:
            lines.append("Review needed from " + _and(
                [f"{_mentions(r['holders'])} ({r['role']})" for r in data["reviewers"]]) + ".")
    lines.append(f"Findings: {len(found['introduced'])} introduced, "
                 f"{len(found['fixed'])} fixed.")
    headings = {"changed": "Changed", "added": "Added", "retired": "Retired",
                "removed": "Removed"}
    for change, heading in headings.items():
        group = [d for d in documents if d["change"] == change]
        if not group:
            continue
        lines += ["", f"### {heading}"]
        for doc in group:
            lines += ["", f"#### {doc['id']} · {md(doc['title'])}"]
            facts = [code(doc["path"]), doc["kind"], f"owner {doc['owner'] or '*(none)*'}"]
            if doc["old_path"]:
                facts.append(f"moved from {code(doc['old_path'])}")
            if doc["changed_fields"]:
                facts.append("changed: " + ", ".join(f"`{f}`" for f in doc["changed_fields"]))
            if doc["version"]:
                facts.append(f"version {doc['version'][0]} → {doc['version'][1]}")
            lines.append(" · ".join(facts))
            chains = [c for c in doc["upstream_chains"] if len(c) > 1]
            for chain in chains:
                lines.append(f"- serves: {' → '.join(chain)}")
            if not chains and doc["kind"] in ("objective", "process", "procedure", "kpi"):
                lines.append("- serves: *no path to a strategy*")
            if doc["kpis"]:
                lines.append("- downstream KPIs: " + ", ".join(
                    f"{k['id']} ({md(k['title'])})" for k in doc["kpis"]))
    if data["reviewers"]:
        lines += ["", "### Who must review", "", "| role | holders | why |", "|---|---|---|"]
        for r in data["reviewers"]:
            lines.append(f"| {r['role']} {md(r['title'])} | {_mentions(r['holders'])} | "
                         f"{', '.join(r['reasons'])} |")
    if data["acknowledge"]:
        lines += ["", "### Who must read and acknowledge the new version", "",
                  "| role | holders | documents |", "|---|---|---|"]
        for r in data["acknowledge"]:
            lines.append(f"| {r['role']} {md(r['title'])} | {_mentions(r['holders'])} | "
                         f"{', '.join(r['documents'])} |")
    for key, heading in (("introduced", "Findings introduced"), ("fixed", "Findings fixed")):
        if found[key]:
            lines += ["", f"### {heading}", ""]
            for f in found[key]:
                where = f"{f['path']}:{f['line']}:{f['col']}"
                lines.append(f"- {code(where)} **{f['code']}** ({f['severity']}) "
                             f"{md(f['message'])}")
    return "\n".join(lines) + "\n"


def diff(root: Path, base: str, head: str = "HEAD", *, output_format: str = "markdown",
         today: date | None = None, config_path: Path | None = None) -> int:
    """Print the impact of the change from `base` to `head`; exit 1 when it introduces an
    error-level finding, so a PR that makes the QMS worse is visible in its status."""
    if ".." in base and head == "HEAD":
        base, _, rest = base.partition("..")
        head = rest.lstrip(".") or "HEAD"
    data = impact(root, base, head, today=today, config_path=config_path)
    if output_format == "json":
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        sys.stdout.write(to_markdown(data))
    introduced = data["findings"]["introduced"]
    return EXIT_FINDINGS if any(f["severity"] == "error" for f in introduced) else EXIT_CLEAN
