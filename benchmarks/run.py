#!/usr/bin/env python3
"""Time qmskit on generated corpora and on the bundled example; write a Markdown table.

``python benchmarks/run.py [--sizes 1000,10000] [--repeat 5] [--peers] [--full]``

The design promises performance figures measured on generated corpora, not timed unit
tests (which flake on busy CI machines). This script is the one place those figures
come from, so it also records what they depend on: machine, load, Python, git and
qmskit versions, and the exact corpus parameters.

Each benchmark case is a function registered in ``CASES``: it receives the shared
``Context`` and returns ``Result`` rows. Corpora are generated once into
``benchmarks/.corpora/`` and reused while their parameters and the generator's source
are unchanged. Every timed command is its own process (interpreter start-up and
imports count, as they do for a user); wall time is taken from spawn to exit, CPU time
and peak RSS from GNU time wrapped around the command (see ``measure``).

The goals of issue 15 are ratios to the libyaml floor (``floor.py``: read and parse
every front matter with PyYAML's C loader, nothing else) or to StrictDoc's HTML export
of the same number of requirements; the cases that have such a goal run the floor
after every timed run (A B A B ...) and take the ratio pair by pair, so that a machine
whose speed drifts during the run still gives a meaningful ratio. ``goals_table``
judges every goal from the rows of the run.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import itertools
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Final

import doorstop_tree
import strictdoc_tree

HERE: Final = Path(__file__).resolve().parent
REPO_ROOT: Final = HERE.parent
GENERATOR: Final = HERE / "generate.py"
FLOOR: Final = HERE / "floor.py"
MANIFEST: Final = Path(".git") / "qmskit-bench.json"
TODAY: Final = "2026-11-24"
PEER_VENV: Final = HERE / ".venv-peers"
#: StrictDoc gets a venv of its own (its dependencies are many), inside the peers' folder.
STRICTDOC_VENV: Final = PEER_VENV / "strictdoc"
#: A run is killed when the disk it writes to gets this full (site builds are large).
MIN_FREE_BYTES: Final = 8 * 1024**3
#: Longer than qmskit's cache window for distrusting freshly modified files (2 s).
RACY_SECONDS: Final = 2.5
#: Documents whose bodies the pre-commit case edits.
PRE_COMMIT_EDITS: Final = 3

#: What ``mkdocs serve`` logs (mkdocs/livereload/__init__.py, MkDocs 1.6): once it
#: listens, when the watcher sees a change, after each build, after a successful
#: rebuild, and when a rebuild raised.
SERVE_READY: Final = "Serving on "
SERVE_DETECTED: Final = "Detected file changes"
SERVE_BUILT: Final = "Documentation built in "
SERVE_DONE: Final = "Reloading browsers"
SERVE_FAILED: Final = "An error happened during the rebuild"
#: results.md keeps whatever follows this line across runs (hand-written notes).
NOTES_MARKER: Final = "<!-- Notes below this line are kept by run.py when it rewrites the page. -->"

#: Targets of issue 7 on the 2-core machine: (case key, documents) -> (seconds, RSS MiB).
GOALS: Final[dict[tuple[str, int], tuple[float | None, float | None]]] = {
    ("check-cold", 10_000): (2.0, None),
    ("check-warm", 10_000): (0.5, None),
    ("check-cold", 50_000): (10.0, 1024.0),
    ("site-total", 10_000): (60.0, None),
}


@dataclass(frozen=True)
class Goal:
    """A goal of issue 15 for one step of the daily loop, judged on the rows of a run.

    ``key`` names the rows (``Result.key``) it judges; ``sizes`` are the corpus sizes
    the issue states it for (rows of other sizes show their figures, not judged).
    """

    key: str
    step: str
    text: str
    sizes: tuple[int, ...]
    floor_ratio: float | None = None
    seconds: float | None = None
    rss_mib: float | None = None


#: Issue 15, "the daily loop at scale", in the issue's order. The handbook's goals
#: (time against StrictDoc, page size, growth) are judged in ``handbook_goal_rows``.
GOALS_15: Final = (
    Goal("one-edit-body", "`qmskit check` after editing one document's body (cache present)",
         "≤ 0.35× floor", (10_000,), floor_ratio=0.35),
    Goal("one-edit-link", "`qmskit check` after editing one link (cache present)",
         "≤ 0.35× floor", (10_000,), floor_ratio=0.35),
    Goal("diff-none", "`qmskit diff HEAD~1 HEAD`, a commit that changes no controlled document",
         "≤ 0.4× floor", (10_000,), floor_ratio=0.4),
    Goal("diff-one", "`qmskit diff HEAD~1 HEAD`, a commit that edits one procedure",
         "≤ 1× floor", (10_000,), floor_ratio=1.0),
    Goal("diff-100", "`qmskit diff HEAD~100 HEAD`", "≤ 10 s, < 1 GiB", (50_000,),
         seconds=10.0, rss_mib=1024.0),
    Goal("check-cold", "`qmskit check`, cold", "≤ 2× floor", (50_000,), floor_ratio=2.0),
    Goal("serve", "`mkdocs serve`: rebuild after editing one document", "≤ 3 s", (1_000,),
         seconds=3.0),
)
#: Handbook goals of issue 15: average page size, build time at 10k, linear growth
#: (bytes per document at the larger size at most this factor of those at the smaller).
PAGE_KB_GOAL: Final = 60.0
HANDBOOK_SECONDS_GOAL: Final = (10_000, 120.0)
LINEAR_TOLERANCE: Final = 1.25


class BenchError(Exception):
    """A problem the user can fix (missing executable, failed generation)."""


@dataclass(frozen=True)
class Corpus:
    """A generated repository and the manifest the generator wrote for it."""

    root: Path
    docs: int
    commits: int
    seed: int
    manifest: dict[str, object]
    generated_now: bool
    generation_seconds: float
    clean: bool = False

    @property
    def label(self) -> str:
        """Short name used in the tables."""
        return f"{self.docs:,} docs" + (" (clean)" if self.clean else "")

    @property
    def planted_ids(self) -> set[str]:
        """Ids of documents that carry a planted defect."""
        planted = self.manifest.get("planted", [])
        assert isinstance(planted, list)
        return {str(p["id"]) for p in planted if isinstance(p, dict)}


@dataclass
class Measurement:
    """One timed process: wall and CPU time, peak memory, exit code and what it printed."""

    seconds: float
    max_rss_kib: int
    exit_code: int
    stdout: bytes
    stderr: bytes
    cpu_seconds: float = 0.0
    killed: str = ""


@dataclass
class Result:
    """One row of the results table: a case on one corpus, over several runs."""

    case: str
    target: str
    runs: list[Measurement]
    planted: set[str] | None = None
    note: str = ""
    summary: str | None = None
    goal: tuple[float | None, float | None] | None = None
    load: float = field(default_factory=lambda: os.getloadavg()[0])
    #: For the goals table: which step the row measures, on how many documents, its
    #: ratios to the floor run paired with each run, and figures of its own (site sizes).
    key: str = ""
    docs: int = 0
    ratios: list[float] = field(default_factory=list)
    extra: dict[str, float | str] = field(default_factory=dict)

    def findings(self) -> tuple[int | None, int | None, int | None, set[str]]:
        """(total, errors, warnings, ids) from the JSON report of the last run."""
        try:
            report = json.loads(self.runs[-1].stdout)
        except (ValueError, IndexError):
            return None, None, None, set()
        items = report.get("findings", report) if isinstance(report, dict) else report
        if not isinstance(items, list):
            return None, None, None, set()
        found = [i for i in items if isinstance(i, dict)]
        errors = sum(1 for i in found if i.get("severity") == "error")
        warnings = sum(1 for i in found if i.get("severity") == "warning")
        return len(items), errors, warnings, {str(i.get("id")) for i in found if i.get("id")}


@dataclass
class Context:
    """Everything a case needs: executables, corpora, settings, and how often to run."""

    qmskit: Path
    corpora: list[Corpus]
    repeat: int
    today: str = TODAY
    log: Callable[[str], None] = field(default=lambda text: print(text, file=sys.stderr))
    cache: Path = HERE / ".corpora"
    commits: int | None = None
    seed: int = 1
    site_sizes: list[int] = field(default_factory=list)
    site_repeat: int = 3
    peer_sizes: list[int] = field(default_factory=list)
    peer_repeat: int = 3
    diff_commits: int = 100
    timeout: float = 900.0
    extra_corpora: list[Corpus] = field(default_factory=list)
    cold_findings: dict[Path, list[tuple[str, str, str]]] = field(default_factory=dict)

    def corpus(self, docs: int, clean: bool = False) -> Corpus:
        """A corpus of ``docs`` documents (clean: no planted defects), generated if needed."""
        for known in self.corpora + self.extra_corpora:
            if known.docs == docs and known.clean == clean:
                return known
        made = ensure_corpus(self.cache, docs, self.commits, self.seed, self.log, clean)
        self.extra_corpora.append(made)
        return made

    mkdocs: Path = Path("mkdocs")
    installed: Path | None = None
    #: The interpreter that runs floor.py (qmskit's, which has PyYAML with libyaml).
    python: Path = Path(sys.executable)
    #: mkdocs running the timed qmskit's plugin (the snapshot's, like ``qmskit``).
    mkdocs_plugin: Path = Path("mkdocs")
    serve_size: int = 1000
    strictdoc_sizes: list[int] = field(default_factory=list)
    #: The run includes the StrictDoc peer: the handbook builds pair with its exports.
    pair_strictdoc: bool = False


# --------------------------------------------------------------------------------------
# Measuring.
# --------------------------------------------------------------------------------------


def _watch(pid: int, done: threading.Event, timeout: float | None, disk: Path | None,
           reason: list[str]) -> None:
    """Kill the process group of ``pid`` past ``timeout`` or when ``disk`` runs full."""
    start = time.monotonic()
    while not done.wait(0.5):
        if timeout is not None and time.monotonic() - start > timeout:
            reason.append(f"killed after {timeout:.0f} s")
        elif disk is not None and shutil.disk_usage(disk).free < MIN_FREE_BYTES:
            reason.append(f"killed: under {MIN_FREE_BYTES // 1024**3} GiB of disk left")
        if reason:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            return


#: GNU time: a small process between this script and the command (see ``measure``).
GNU_TIME: Final = Path("/usr/bin/time")


def measure(command: Sequence[str], cwd: Path | None = None, *,
            env: dict[str, str] | None = None, timeout: float | None = None,
            disk: Path | None = None) -> Measurement:
    """Run ``command`` once; wall time from spawn to exit, CPU and peak RSS of that child.

    Peak RSS needs care. Linux carries a process's high-water RSS across ``exec``, and
    a child starts as a copy of its parent, so ``os.wait4``'s ``ru_maxrss`` for a child
    of this script is never below this script's own RSS (which grows with the reports
    it keeps: a 50k-document diff report alone is hundreds of MB). The command is
    therefore started through GNU ``time``, a small exec'd process whose child (the
    command) starts small; ``time`` writes that child's rusage (peak RSS of it and the
    descendants it waited for, user and system time) to a file. Without
    ``/usr/bin/time`` the ``os.wait4`` figures are used.

    Output goes to temporary files so a large report cannot block on a full pipe. With
    ``timeout`` or ``disk``, a watchdog thread kills the process group (it runs in a
    session of its own) when the time is up or the disk holding ``disk`` runs low; the
    main thread's blocking wait keeps the timing exact.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(prefix="rusage-") as usage_file:
        wrapped = list(command)
        if GNU_TIME.is_file():
            wrapped = [str(GNU_TIME), "-o", usage_file.name, "-f", "%M %U %S", *wrapped]
        start = time.perf_counter()
        proc = subprocess.Popen(wrapped, cwd=cwd, stdout=out, stderr=err, env=env,
                                start_new_session=True)
        done = threading.Event()
        reason: list[str] = []
        watcher = None
        if timeout is not None or disk is not None:
            watcher = threading.Thread(target=_watch, daemon=True,
                                       args=(proc.pid, done, timeout, disk, reason))
            watcher.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # interrupted (Ctrl-C, SIGTERM): leave nothing running
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
        seconds = time.perf_counter() - start
        done.set()
        if watcher is not None:
            watcher.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        # ru_maxrss is in KiB on Linux (bytes on macOS).
        rss = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
        cpu = usage.ru_utime + usage.ru_stime
        fields = Path(usage_file.name).read_text().split()
        if len(fields) >= 3 and GNU_TIME.is_file():
            # The last line: GNU time puts "Command exited with non-zero status" first.
            rss, cpu = int(fields[-3]), float(fields[-2]) + float(fields[-1])
        elif GNU_TIME.is_file():
            rss, cpu = 0, 0.0  # killed with GNU time: the command's usage is unknown
        return Measurement(seconds, rss, proc.returncode, out.read(), err.read(),
                           cpu, reason[0] if reason else "")


def check_command(ctx: Context, root: Path, *, cache: bool) -> list[str]:
    """The command every check case times (``--no-cache`` for cold runs)."""
    return [str(ctx.qmskit), "check", str(root), "--today", ctx.today, "--format", "json",
            "--cache" if cache else "--no-cache"]


def clean_worktree(corpus: Corpus) -> None:
    """Remove untracked and ignored files (such as ``.qmskit-cache/``) from a corpus.

    Only ever run on generated corpora, never on the project's own repository.
    """
    assert MANIFEST.parts[0] == ".git" and (corpus.root / MANIFEST).is_file()
    subprocess.run(["git", "clean", "-fdxq"], cwd=corpus.root, check=True)


def is_report(stdout: bytes) -> bool:
    """Whether ``stdout`` is a JSON report (an object or a list)."""
    try:
        return isinstance(json.loads(stdout), (dict, list))
    except ValueError:
        return False


def json_exit_ok(run: Measurement) -> bool:
    """Exit 0 or 1 with a JSON report (exit 1 alone also means an uncaught exception)."""
    return run.exit_code in (0, 1) and is_report(run.stdout)


def run_once(ctx: Context, command: list[str], label: str, *,
             accept: Callable[[Measurement], bool] = json_exit_ok, cwd: Path | None = None,
             env: dict[str, str] | None = None) -> Measurement:
    """Run ``command`` once, log it, and fail the case unless ``accept`` likes the result."""
    run = measure(command, cwd=cwd, env=env)
    log_run(ctx, label, run)
    if not accept(run):
        output = (run.stderr or run.stdout).decode(errors="replace")[-2000:]
        raise BenchError(f"{' '.join(command)} exited {run.exit_code} unexpectedly:\n{output}")
    return run


def repeat_runs(ctx: Context, command: list[str], before: Callable[[], None] | None,
                label: str, *, times: int | None = None,
                accept: Callable[[Measurement], bool] = json_exit_ok,
                cwd: Path | None = None, env: dict[str, str] | None = None,
                ) -> list[Measurement]:
    """Run ``command`` ``times`` (default ``ctx.repeat``) times, ``before`` ahead of each."""
    runs: list[Measurement] = []
    count = times or ctx.repeat
    for i in range(count):
        if before is not None:
            before()
        run = run_once(ctx, command, f"{label} run {i + 1}/{count}", accept=accept, cwd=cwd,
                       env=env)
        if runs:  # only the last run's report is read: keep this process small
            runs[-1].stdout = runs[-1].stderr = b""
        runs.append(run)
    return runs


def floor_command(ctx: Context, root: Path) -> list[str]:
    """The libyaml floor on ``root``: read and parse every front matter, nothing else."""
    return [str(ctx.python), str(FLOOR), str(root)]


def floor_ok(run: Measurement) -> bool:
    """floor.py exits 0 with one JSON line of counts."""
    return run.exit_code == 0 and is_report(run.stdout)


def repeat_paired(ctx: Context, command: list[str], before: Callable[[], None] | None,
                  label: str, root: Path) -> tuple[list[Measurement], list[float]]:
    """Runs of ``command`` and of the floor on ``root`` in turn; the ratio of each pair.

    A B A B ...: the floor runs right after each timed run, on the same files, so a
    machine whose speed drifts during the case moves both sides of each ratio alike.
    The floor run changes nothing, so the timed run's state is left as it was.
    """
    runs: list[Measurement] = []
    ratios: list[float] = []
    for i in range(ctx.repeat):
        if before is not None:
            before()
        run, ratio = paired_run(ctx, command, f"{label} run {i + 1}/{ctx.repeat}", root)
        ratios.append(ratio)
        if runs:
            runs[-1].stdout = runs[-1].stderr = b""
        runs.append(run)
    return runs, ratios


def paired_run(ctx: Context, command: list[str], label: str, root: Path,
               env: dict[str, str] | None = None) -> tuple[Measurement, float]:
    """One run of ``command``, then one of the floor on ``root``; the run and their ratio."""
    run = run_once(ctx, command, label, env=env)
    floor = run_once(ctx, floor_command(ctx, root), "  floor", accept=floor_ok)
    return run, run.seconds / floor.seconds


def log_run(ctx: Context, label: str, run: Measurement) -> None:
    """One progress line on stderr."""
    ctx.log(f"  {label}: {run.seconds:.2f} s (cpu {run.cpu_seconds:.2f} s), "
            f"{run.max_rss_kib / 1024:.0f} MiB, exit {run.exit_code}"
            + (f", {run.killed}" if run.killed else ""))


def finding_keys(stdout: bytes) -> list[tuple[str, str, str]]:
    """(code, id, message) of every finding in a JSON report, sorted; [] if unreadable."""
    try:
        report = json.loads(stdout)
    except ValueError:
        return []
    items = report.get("findings", []) if isinstance(report, dict) else report
    if not isinstance(items, list):
        return []
    return sorted((str(i.get("code")), str(i.get("id")), str(i.get("message")))
                  for i in items if isinstance(i, dict))


def compare_to_cold(ctx: Context, corpus: Corpus, runs: list[Measurement],
                    expected_extra: set[str] | None = None) -> str:
    """A note saying whether the last run's findings equal the cold run's."""
    cold = ctx.cold_findings.get(corpus.root)
    if cold is None or not runs:
        return ""
    warm = finding_keys(runs[-1].stdout)
    if expected_extra is not None:
        warm = [k for k in warm if not (k[0] == "C403" and k[1] in expected_extra)]
    if warm == cold:
        return "findings identical to the cold run" + (
            " (apart from the expected C403 on the edited documents)" if expected_extra else "")
    missing = len(set(cold) - set(warm))
    extra = len(set(warm) - set(cold))
    return f"findings DIFFER from the cold run: {missing} missing, {extra} extra"


# --------------------------------------------------------------------------------------
# Cases. Each is a function Context -> list[Result], registered in CASES.
# --------------------------------------------------------------------------------------


def goal_for(key: str, docs: int) -> tuple[float | None, float | None] | None:
    """The issue's target for a case on a corpus size, if there is one."""
    return GOALS.get((key, docs))


def case_check_cold(ctx: Context) -> list[Result]:
    """``qmskit check --no-cache`` in a fresh process, untracked files removed first.

    "Cold-ish": the OS page cache stays warm (dropping it needs root and disturbs the
    machine), but nothing qmskit may have written into the work tree survives and the
    cache is switched off.
    """
    results = []
    for corpus in ctx.corpora:
        ctx.log(f"check-cold on {corpus.label}")
        result = Result("check (cold)", corpus.label, [], corpus.planted_ids,
                        goal=goal_for("check-cold", corpus.docs), key="check-cold",
                        docs=corpus.docs)
        result.runs = repeat_runs(ctx, check_command(ctx, corpus.root, cache=False),
                                  partial(clean_worktree, corpus), f"check-cold {corpus.label}")
        ctx.cold_findings[corpus.root] = finding_keys(result.runs[-1].stdout)
        results.append(result)
    return results


def case_check_warm(ctx: Context) -> list[Result]:
    """The second ``qmskit check`` with the cache on an unchanged corpus.

    Before every timed run the corpus is cleaned and checked once, untimed, with the
    cache (which fills ``.qmskit-cache/``); the timed run is the one after it.
    """
    results = []
    for corpus in ctx.corpora:
        ctx.log(f"check-warm on {corpus.label}")
        command = check_command(ctx, corpus.root, cache=True)

        def fill(corpus: Corpus = corpus, command: list[str] = command) -> None:
            clean_worktree(corpus)
            measure(command)

        result = Result("check (warm)", corpus.label, [], corpus.planted_ids,
                        goal=goal_for("check-warm", corpus.docs))
        result.runs = repeat_runs(ctx, command, fill, f"check-warm {corpus.label}")
        result.note = compare_to_cold(ctx, corpus, result.runs)
        results.append(result)
    return results


def edit_targets(corpus: Corpus) -> list[Path]:
    """Three documents a contributor might edit together: a procedure, a KPI, an objective.

    Taken from the middle of each folder and never one with a planted defect, so the
    only new findings are the expected "changed since last review" (C403) ones.
    """
    planted = corpus.planted_ids
    picked = []
    for folder in ("procedures", "qms_docs/kpis", "objectives"):
        files = [p for p in sorted((corpus.root / folder).glob("*-*.md"))
                 if p.stem not in planted]
        if files:
            picked.append(files[len(files) // 2])
    return picked[:PRE_COMMIT_EDITS]


def case_pre_commit(ctx: Context) -> list[Result]:
    """The pre-commit hook's path: three documents' bodies edited, then a check with cache.

    Before every timed run: restore the three files (``git checkout``), check once
    untimed with the cache (the state after the contributor's previous check), then
    append a line that is new in every run to each body. The timed check finds three
    changed files in an otherwise warm cache. Files are restored at the end.
    """
    results = []
    for corpus in ctx.corpora:
        ctx.log(f"pre-commit on {corpus.label}")
        targets = edit_targets(corpus)
        relative = [str(p.relative_to(corpus.root)) for p in targets]
        command = check_command(ctx, corpus.root, cache=True)
        counter = iter(range(1, 1_000_000))

        def restore(corpus: Corpus = corpus, relative: list[str] = relative) -> None:
            subprocess.run(["git", "checkout", "--quiet", "--", *relative], cwd=corpus.root,
                           check=True)

        def prepare(targets: list[Path] = targets, command: list[str] = command,
                    restore: Callable[[], None] = restore,
                    counter: Iterator[int] = counter) -> None:
            restore()
            measure(command)
            run = next(counter)
            for path in targets:
                with path.open("a", encoding="utf-8") as handle:
                    handle.write(f"\nClarified by the benchmark, edit {run} "
                                 f"({time.time_ns()}).\n")

        clean_worktree(corpus)
        ids = {p.stem for p in targets}
        result = Result("pre-commit (3 edited)", corpus.label, [], corpus.planted_ids,
                        goal=goal_for("pre-commit", corpus.docs))
        try:
            result.runs = repeat_runs(ctx, command, prepare, f"pre-commit {corpus.label}")
        finally:
            restore()
        new = {k[1] for k in finding_keys(result.runs[-1].stdout) if k[0] == "C403"} & ids
        result.note = (f"edited {', '.join(sorted(ids))}; C403 reported on {len(new)} of them; "
                       + compare_to_cold(ctx, corpus, result.runs, ids))
        results.append(result)
    return results


def command_available(ctx: Context, name: str) -> bool:
    """Whether ``qmskit NAME --help`` works (the command may not have landed yet)."""
    done = subprocess.run([str(ctx.qmskit), name, "--help"], capture_output=True, check=False)
    return done.returncode == 0


def diff_summary(stdout: bytes) -> str:
    """Counts from a ``qmskit diff --format json`` report."""
    try:
        report = json.loads(stdout)
    except ValueError:
        return "?"
    if not isinstance(report, dict):
        return "?"
    summary = report.get("summary", {})
    findings = report.get("findings", {})
    parts = []
    if isinstance(summary, dict):
        parts.append(", ".join(f"{v} {k}" for k, v in summary.items()))
    if isinstance(findings, dict):
        parts.append(" / ".join(f"{len(v)} {k}" for k, v in findings.items()
                                if isinstance(v, list)) + " findings")
    return "; ".join(parts)


def case_diff(ctx: Context) -> list[Result]:
    """``qmskit diff HEAD~100 HEAD --format json`` (the PR impact summary over 100 commits)."""
    base = f"HEAD~{ctx.diff_commits}"
    if not command_available(ctx, "diff"):
        return [Result(f"diff {base}..HEAD", c.label, [], note="skipped: `qmskit diff` is not "
                       "available in this qmskit") for c in ctx.corpora]
    results = []
    for corpus in ctx.corpora:
        ctx.log(f"diff on {corpus.label}")
        command = [str(ctx.qmskit), "diff", base, "HEAD", "--root", str(corpus.root),
                   "--format", "json", "--today", ctx.today]
        result = Result(f"diff {base}..HEAD", corpus.label, [], docs=corpus.docs,
                        key="diff-100" if ctx.diff_commits == 100 else "")
        result.runs = repeat_runs(ctx, command, partial(clean_worktree, corpus),
                                  f"diff {corpus.label}")
        result.summary = diff_summary(result.runs[-1].stdout)
        result.runs[-1].stdout = b""  # hundreds of MB at 50k documents; summarised above
        results.append(result)
    return results


def tree_stats(directory: Path) -> tuple[int, int, int]:
    """(files, HTML files, bytes) under ``directory``."""
    files = html = size = 0
    for current, _, names in os.walk(directory):
        for name in names:
            files += 1
            html += name.endswith(".html")
            with contextlib.suppress(OSError):
                size += os.stat(os.path.join(current, name)).st_size  # noqa: PTH116, PTH118
    return files, html, size


def case_site(ctx: Context) -> list[Result]:
    """Site generation: ``qmskit pages OUT --root ROOT --force``, then ``mkdocs build``.

    Runs on clean corpora (``--defect-rate 0``): ``qmskit pages``, like the plugin,
    refuses to publish a QMS with errors. The corpus's own ``mkdocs.yml`` (Material
    theme, as in the example) is the starting config. Output goes to a temporary
    folder beside the corpora, removed afterwards. A build past ``--timeout`` or one
    that leaves under 8 GiB of disk is killed and reported as such.
    """
    sizes = ctx.site_sizes
    if not command_available(ctx, "pages"):
        return [Result("site: total", f"{n:,} docs (clean)", [],
                       note="skipped: `qmskit pages` is not available in this qmskit")
                for n in sizes]
    if not ctx.mkdocs.is_file():
        return [Result("site: total", f"{n:,} docs (clean)", [],
                       note=f"skipped: {ctx.mkdocs} not found") for n in sizes]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    results = []
    for docs in sizes:
        corpus = ctx.corpus(docs, clean=True)
        ctx.log(f"site on {corpus.label}")
        load = os.getloadavg()[0]
        pages_runs: list[Measurement] = []
        build_runs: list[Measurement] = []
        total_runs: list[Measurement] = []
        note = ""
        output = ""
        with tempfile.TemporaryDirectory(prefix="site-", dir=ctx.cache) as tmp:
            out = Path(tmp) / "handbook"
            pages = [str(ctx.qmskit), "pages", str(out), "--root", str(corpus.root), "--force",
                     "--today", ctx.today]
            build = [str(ctx.mkdocs), "build", "--quiet", "-f", str(out / "mkdocs.yml")]
            for i in range(ctx.site_repeat):
                shutil.rmtree(out / "site", ignore_errors=True)
                first = measure(pages, env=env, timeout=ctx.timeout, disk=ctx.cache)
                log_run(ctx, f"qmskit pages {corpus.label} run {i + 1}", first)
                if first.exit_code != 0:
                    raise BenchError(f"{' '.join(pages)} exited {first.exit_code}:\n"
                                     f"{first.stderr.decode(errors='replace')[-2000:]}")
                second = measure(build, env=env, timeout=ctx.timeout, disk=ctx.cache)
                log_run(ctx, f"mkdocs build {corpus.label} run {i + 1}", second)
                pages_runs.append(first)
                build_runs.append(second)
                total_runs.append(Measurement(
                    first.seconds + second.seconds, max(first.max_rss_kib, second.max_rss_kib),
                    second.exit_code, b"", b"", first.cpu_seconds + second.cpu_seconds,
                    second.killed))
                docs_files = tree_stats(out / "docs")
                site_files = tree_stats(out / "site")
                output = (f"{docs_files[0]:,} files written ({docs_files[2] / 1024**2:.0f} MiB); "
                          f"site: {site_files[1]:,} HTML pages, {site_files[2] / 1024**2:,.0f} MiB")
                if second.killed:
                    expected = sum(1 for p in (out / "docs").rglob("*.md"))
                    done = site_files[1]
                    estimate = (f"; at that rate the whole build would take about "
                                f"{second.seconds * expected / done / 60:.0f} min"
                                if done else "")
                    note = (f"mkdocs build {second.killed} with {done:,} of about "
                            f"{expected:,} pages written ({site_files[2] / 1024**3:.1f} GiB)"
                            + estimate + "; no further runs")
                    break
                if second.exit_code != 0:
                    raise BenchError(f"{' '.join(build)} exited {second.exit_code}:\n"
                                     f"{second.stderr.decode(errors='replace')[-2000:]}")
        results += [
            Result("site: qmskit pages", corpus.label, pages_runs, summary=output.split(";")[0],
                   load=load),
            Result("site: mkdocs build", corpus.label, build_runs,
                   summary=output.split("; ", 1)[-1], note=note, load=load),
            Result("site: total", corpus.label, total_runs, summary="",
                   goal=goal_for("site-total", docs), load=load),
        ]
    return results


# --------------------------------------------------------------------------------------
# Issue 15: the daily loop at scale. Cases whose goals are ratios to the libyaml floor.
# --------------------------------------------------------------------------------------


def floor_summary(stdout: bytes) -> str:
    """Counts from floor.py's JSON line."""
    try:
        counts = json.loads(stdout)
    except ValueError:
        return "?"
    if not isinstance(counts, dict):
        return "?"
    return (f"{counts.get('front_matters', 0):,} front matters parsed "
            f"({counts.get('with_id', 0):,} with an id) of {counts.get('files', 0):,} "
            f"Markdown files, {int(counts.get('bytes', 0)) / 1024**2:.1f} MiB read")


def case_floor(ctx: Context) -> list[Result]:
    """The libyaml floor (``floor.py``) on each corpus: the reference of issue 15's goals."""
    results = []
    for corpus in ctx.corpora:
        ctx.log(f"floor on {corpus.label}")
        result = Result("floor: read + parse front matter (libyaml)", corpus.label, [],
                        key="floor", docs=corpus.docs)
        result.runs = repeat_runs(ctx, floor_command(ctx, corpus.root), None,
                                  f"floor {corpus.label}", accept=floor_ok)
        result.summary = floor_summary(result.runs[-1].stdout)
        results.append(result)
    return results


def paired_note(result: Result) -> str:
    """How the row's ratio to the floor was taken."""
    if not result.ratios:
        return ""
    return (f"ratio to the floor run after each run: median {statistics.median(result.ratios):.2f}"
            f" (min {min(result.ratios):.2f}, max {max(result.ratios):.2f})")


def append_line(path: Path, text: str) -> None:
    """Add a line to a document's body, as a contributor's wording fix does."""
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"\n{text}\n")


def link_edit(corpus: Corpus) -> tuple[Path, str, list[str]]:
    """A procedure that supports exactly one objective, and other objectives to point it at.

    Taken from the middle of the folder and never one with a planted defect; the
    objectives offered are the corpus's others, none with a planted defect, so that each
    run can move the link to an objective no earlier run used (a cache keyed by content
    must not have seen the edited file before).
    """
    planted = corpus.planted_ids
    pattern = re.compile(r"^supports: \[(OBJ-[A-Z0-9-]+)\]$", re.MULTILINE)
    candidates = []
    for path in sorted((corpus.root / "procedures").glob("*-*.md")):
        if path.stem not in planted and (found := pattern.search(path.read_text("utf-8"))):
            candidates.append((path, found.group(1)))
    if not candidates:
        raise BenchError(f"no procedure in {corpus.root} supports exactly one objective")
    path, current = candidates[len(candidates) // 2]
    others = [p.stem for p in sorted((corpus.root / "objectives").glob("*-*.md"))
              if p.stem not in planted and p.stem != current]
    return path, current, others


def finding_difference(first: bytes, second: bytes) -> str:
    """"identical" or how two JSON reports' findings differ."""
    a, b = finding_keys(first), finding_keys(second)
    if a == b:
        return "identical"
    return f"DIFFERENT ({len(set(b) - set(a))} only in the cold run, {len(set(a) - set(b))} extra)"


def case_one_edit(ctx: Context) -> list[Result]:
    """``qmskit check`` right after editing one document, the cache warm from the check before.

    Two variants: ``body`` appends a line (new in every run) to one procedure's body;
    ``link`` points one procedure's ``supports`` at another objective (another one in
    every run). Before every timed run: restore the file, check once untimed with the
    cache (the contributor's previous check), then edit. The floor runs after each timed
    run. After the last run a cold check (``--no-cache``) of the same edited tree says
    whether the incremental result is the cold one. The file is restored at the end.
    """
    results = []
    for corpus in ctx.corpora:
        body_path = edit_targets(corpus)[0]
        link_path, current, others = link_edit(corpus)

        def edit_body(run: int, path: Path = body_path) -> None:
            append_line(path, f"Clarified by the benchmark, edit {run} ({time.time_ns()}).")

        def edit_link(run: int, path: Path = link_path, current: str = current,
                      others: list[str] = others) -> None:
            text = path.read_text("utf-8")
            new = others[run % len(others)]
            path.write_text(text.replace(f"supports: [{current}]", f"supports: [{new}]", 1),
                            "utf-8")

        variants: list[tuple[str, Path, Callable[[int], None], str]] = [
            ("body", body_path, edit_body, "a line appended to the body"),
            ("link", link_path, edit_link, f"`supports: [{current}]` pointed at another "
                                           "objective in each run"),
        ]
        for variant, path, edit, what in variants:
            ctx.log(f"one-edit ({variant}) on {corpus.label}")
            relative = str(path.relative_to(corpus.root))
            command = check_command(ctx, corpus.root, cache=True)
            counter = itertools.count(1)

            def restore(corpus: Corpus = corpus, relative: str = relative) -> None:
                subprocess.run(["git", "checkout", "--quiet", "--", relative], cwd=corpus.root,
                               check=True)

            def prepare(command: list[str] = command, restore: Callable[[], None] = restore,
                        edit: Callable[[int], None] = edit,
                        counter: Iterator[int] = counter) -> None:
                restore()
                measure(command)
                edit(next(counter))

            clean_worktree(corpus)
            result = Result(f"one-edit check ({variant})", corpus.label, [], corpus.planted_ids,
                            key=f"one-edit-{variant}", docs=corpus.docs)
            try:
                result.runs, result.ratios = repeat_paired(
                    ctx, command, prepare, f"one-edit {variant} {corpus.label}", corpus.root)
                cold = run_once(ctx, check_command(ctx, corpus.root, cache=False),
                                "  cold check of the same edited tree")
            finally:
                restore()
            result.note = (f"edited {path.stem}: {what}; findings "
                           f"{finding_difference(result.runs[-1].stdout, cold.stdout)} to a "
                           f"cold check of the same edited tree; {paired_note(result)}")
            results.append(result)
    return results


@contextlib.contextmanager
def scratch_clone(ctx: Context, corpus: Corpus) -> Iterator[Corpus]:
    """A throw-away clone of ``corpus`` (sharing its objects) to commit in; removed after.

    Cases that commit must not move the corpus's own branch: every other case (and the
    next run, which reuses the corpus) expects the generated history. Cases that must
    start without any cache take a fresh clone per run: whatever qmskit or MkDocs keeps,
    in the work tree, inside ``.git`` or (see ``isolated_env``) in the user's cache
    folder, goes with it. ``git clone --shared`` copies no objects, so even the 50k
    corpus clones in seconds; a clone of a clone chains the alternates.
    """
    tmp = Path(tempfile.mkdtemp(prefix="scratch-", dir=ctx.cache))
    try:
        root = tmp / corpus.root.name
        subprocess.run(["git", "clone", "--quiet", "--shared", str(corpus.root), str(root)],
                       check=True)
        shutil.copyfile(corpus.root / MANIFEST, root / MANIFEST)
        yield replace(corpus, root=root)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def isolated_env(scratch: Corpus, base: dict[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this environment) with the user cache folder inside the scratch.

    A cache in ``$XDG_CACHE_HOME`` would otherwise outlive the clone, keep the next run
    warm and fill the user's home with benchmark entries.
    """
    return {**(os.environ if base is None else base),
            "XDG_CACHE_HOME": str(scratch.root.parent / "xdg-cache")}


def commit_all(root: Path, message: str, day: str) -> None:
    """Commit every change in ``root`` as a contributor would, dated ``day`` at noon."""
    stamp = f"{day}T12:00:00+01:00"
    env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "-c", "user.name=quality-lead",
                    "-c", "user.email=quality-lead@example.invalid", "commit", "--quiet",
                    "-m", message], cwd=root, check=True, env=env)


def diff_one_commit(ctx: Context, change: str) -> list[Result]:
    """``qmskit diff HEAD~1 HEAD`` for one new commit on top of each corpus.

    ``change`` is ``none`` (the commit adds a README at the repository root: no
    controlled document changes) or ``one`` (it appends a line to one procedure's body).
    The commit is made in a scratch clone; every timed run gets a fresh clone of that,
    is given 2.5 s for its files to age (qmskit's cache distrusts files this fresh) and
    a ``qmskit check`` with the cache, as a contributor's pre-commit hook leaves the
    repository; the floor runs after each timed run.
    """
    key = f"diff-{change}"
    name = ("diff HEAD~1..HEAD (no controlled document)" if change == "none" else
            "diff HEAD~1..HEAD (one procedure edited)")
    if not command_available(ctx, "diff"):
        return [Result(name, c.label, [], note="skipped: `qmskit diff` is not available in "
                       "this qmskit") for c in ctx.corpora]
    results = []
    for corpus in ctx.corpora:
        ctx.log(f"{key} on {corpus.label}")
        result = Result(name, corpus.label, [], key=key, docs=corpus.docs)
        with scratch_clone(ctx, corpus) as committed:
            if change == "none":
                (committed.root / "README.md").write_text(
                    "# Quality management system\n\nPropose changes to the manual, the "
                    "procedures and the objectives in a pull request.\n", encoding="utf-8")
                what = "the commit adds README.md at the root (no controlled document)"
            else:
                target = edit_targets(committed)[0]
                append_line(target, "Clarified in review: the form is kept for two years.")
                what = f"the commit appends a line to the body of {target.stem}"
            commit_all(committed.root, "Benchmark: " + what, ctx.today)
            for i in range(ctx.repeat):
                with scratch_clone(ctx, committed) as scratch:
                    env = isolated_env(scratch)
                    time.sleep(RACY_SECONDS)  # let the fresh files age (see ensure_corpus)
                    measure(check_command(ctx, scratch.root, cache=True), env=env)
                    command = [str(ctx.qmskit), "diff", "HEAD~1", "HEAD", "--root",
                               str(scratch.root), "--format", "json", "--today", ctx.today]
                    run, ratio = paired_run(ctx, command, f"{key} {corpus.label} run "
                                            f"{i + 1}/{ctx.repeat}", scratch.root, env)
                if result.runs:
                    result.runs[-1].stdout = result.runs[-1].stderr = b""
                result.runs.append(run)
                result.ratios.append(ratio)
        result.summary = diff_summary(result.runs[-1].stdout)
        result.runs[-1].stdout = b""
        result.note = (f"{what}; a fresh clone checked with the cache before each run; "
                       f"{paired_note(result)}")
        results.append(result)
    return results


def case_diff_none(ctx: Context) -> list[Result]:
    """``qmskit diff HEAD~1 HEAD`` for a commit that changes no controlled document."""
    return diff_one_commit(ctx, "none")


def case_diff_one(ctx: Context) -> list[Result]:
    """``qmskit diff HEAD~1 HEAD`` for a commit that edits one procedure."""
    return diff_one_commit(ctx, "one")


# --------------------------------------------------------------------------------------
# Issue 15: the handbook (``mkdocs build`` and ``mkdocs serve`` with the qmskit plugin).
# --------------------------------------------------------------------------------------


def site_stats(site: Path, docs: int) -> dict[str, float | str]:
    """Size of a built site: HTML pages, bytes in all, average and largest page, per document.

    KB and MB are 1,000 and 1,000,000 bytes, as in the issue's figures.
    """
    pages = total = html = largest = 0
    largest_page = ""
    for current, _, names in os.walk(site):
        for name in names:
            path = os.path.join(current, name)  # noqa: PTH118
            try:
                size = os.stat(path).st_size  # noqa: PTH116
            except OSError:
                continue
            total += size
            if name.endswith(".html"):
                pages += 1
                html += size
                if size > largest:
                    largest, largest_page = size, os.path.relpath(path, site)
    return {"pages": pages, "bytes": total, "avg_kb": html / pages / 1000 if pages else 0.0,
            "max_kb": largest / 1000, "max_page": largest_page,
            "bytes_per_doc": total / docs if docs else 0.0}


def stats_summary(stats: dict[str, float | str]) -> str:
    """One line for the results table."""
    if not stats.get("pages"):
        return "no HTML page written"
    return (f"{int(stats['pages']):,} HTML pages, {float(stats['bytes']) / 1e6:,.0f} MB; page "
            f"avg {float(stats['avg_kb']):.0f} KB, max {float(stats['max_kb']):.0f} KB "
            f"({stats['max_page']}); {float(stats['bytes_per_doc']) / 1000:.0f} KB per document")


def handbook_env(ctx: Context) -> dict[str, str]:
    """Environment of the handbook builds: Material's notice off, the pinned evaluation date."""
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "QMSKIT_TODAY": ctx.today}


def case_handbook(ctx: Context) -> list[Result]:
    """``mkdocs build`` of the corpus's own ``mkdocs.yml`` (Material, the qmskit plugin).

    What a CI job that publishes the handbook from a fresh checkout runs: the plugin
    checks the QMS, adds the documents and the generated pages, Material renders them.
    On clean corpora (the plugin refuses a QMS with errors); every run in a fresh clone
    with its own user cache folder (``isolated_env``), so no cache of an earlier build
    helps, into a temporary site folder beside the corpora. Reported: wall time and the
    built site's size (pages, bytes, average and largest page, bytes per document). A
    build past ``--timeout`` or leaving under 8 GiB of disk is killed; the row then gives
    what it wrote by then. When the run includes the StrictDoc peer at this size, a cold
    StrictDoc export of the same documents follows each build (A B A B ...), and the
    row keeps the ratio of each pair, as the floor cases do.
    """
    results = []
    for docs in ctx.site_sizes:
        corpus = ctx.corpus(docs, clean=True)
        ctx.log(f"handbook on {corpus.label}")
        warm: list[Measurement] = []
        with contextlib.ExitStack() as stack:
            yardstick = (stack.enter_context(strictdoc_export(ctx, corpus))
                         if ctx.pair_strictdoc and docs in ctx.strictdoc_sizes else None)
            results.append(handbook_builds(ctx, corpus, yardstick, warm))
        if warm:
            results.append(Result("handbook again: the same build, build cache in place",
                                  corpus.label, warm, key="handbook-again", docs=docs,
                                  note="what a CI rebuild of an unchanged checkout costs "
                                       "with qmskit's build cache kept (in the git dir)"))
    return results


def handbook_builds(ctx: Context, corpus: Corpus, yardstick: StrictDocExport | None,
                    warm: list[Measurement]) -> Result:
    """The handbook case on one corpus (see ``case_handbook``); after each cold build
    the same build again in the same clone, into a new folder (``warm``), which
    qmskit's build cache serves."""
    docs = corpus.docs
    load = os.getloadavg()[0]
    runs: list[Measurement] = []
    ratios: list[float] = []
    stats: dict[str, float | str] = {}
    note = ""
    for i in range(ctx.site_repeat):
        with scratch_clone(ctx, corpus) as scratch:
            site = scratch.root.parent / "site"
            command = [str(ctx.mkdocs_plugin), "build", "--quiet", "-f",
                       str(scratch.root / "mkdocs.yml"), "-d", str(site)]
            run = measure(command, env=isolated_env(scratch, handbook_env(ctx)),
                          timeout=ctx.timeout, disk=ctx.cache)
            log_run(ctx, f"mkdocs build {corpus.label} run {i + 1}/{ctx.site_repeat}", run)
            stats = site_stats(site, docs)
            runs.append(run)
            if run.killed:
                pages = int(stats["pages"])
                note = (f"mkdocs build {run.killed} with {pages:,} HTML pages written "
                        f"({float(stats['bytes']) / 1e9:.1f} GB, avg "
                        f"{float(stats['avg_kb']):.0f} KB per page); no further runs")
                stats["killed"] = run.killed
                break
            if run.exit_code != 0:
                raise BenchError(f"{' '.join(command)} exited {run.exit_code}:\n"
                                 f"{run.stderr.decode(errors='replace')[-2000:]}")
            again = [*command[:-1], str(site) + "-again"]
            rerun = measure(again, env=isolated_env(scratch, handbook_env(ctx)),
                            timeout=ctx.timeout, disk=ctx.cache)
            log_run(ctx, f"  again, with the build cache {i + 1}/{ctx.site_repeat}", rerun)
            if rerun.exit_code == 0 and not rerun.killed:
                warm.append(rerun)
        if yardstick is not None:
            yardstick.fresh()
            peer = run_once(ctx, yardstick.command, "  StrictDoc export",
                            accept=strictdoc_ok, cwd=yardstick.tree, env=yardstick.env)
            ratios.append(run.seconds / peer.seconds)
    if ratios:
        note = "; ".join(filter(None, [note, (
            f"ratio to the StrictDoc export after each build: median "
            f"{statistics.median(ratios):.2f} (min {min(ratios):.2f}, max {max(ratios):.2f})")]))
    return Result("handbook: mkdocs build (plugin)", corpus.label, runs,
                  summary=stats_summary(stats), note=note, load=load, key="handbook",
                  docs=docs, extra=stats, ratios=ratios)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def proc_cpu_seconds(pid: int) -> float:
    """User + system time of ``pid`` and its waited-for children so far (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # After the command name: state is field 3, utime..cstime are fields 14..17.
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def proc_peak_rss_kib(pid: int) -> int:
    """Peak resident memory of ``pid`` so far (VmHWM), in KiB; 0 when unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class LogWatcher:
    """The output of a long-running process, line by line, each with the time it arrived."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self.lines: list[tuple[float, str]] = []
        self.closed = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            with self._cond:
                self.lines.append((time.monotonic(), raw.decode(errors="replace").rstrip()))
                self._cond.notify_all()
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def tail(self, count: int = 30) -> str:
        """The last lines, for an error message."""
        with self._cond:
            return "\n".join(line for _, line in self.lines[-count:])

    def since(self, start: float) -> list[tuple[float, str]]:
        """Lines that arrived at or after ``start``."""
        with self._cond:
            return [(t, line) for t, line in self.lines if t >= start]

    def wait_for(self, text: str, start: float, timeout: float) -> float:
        """When the first line containing ``text`` arrived at or after ``start``.

        Fails on a failed rebuild, on the process's exit and after ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for t, line in self.lines:
                    if t < start:
                        continue
                    if text in line:
                        return t
                    if SERVE_FAILED in line:
                        raise BenchError(f"mkdocs serve: the rebuild failed:\n{self.tail()}")
                if self.closed:
                    raise BenchError(f"mkdocs serve exited while waiting for {text!r}:\n"
                                     f"{self.tail()}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise BenchError(f"no {text!r} from mkdocs serve within {timeout:.0f} s:\n"
                                     f"{self.tail()}")
                self._cond.wait(min(left, 1.0))

    def settle(self, quiet: float, timeout: float) -> int:
        """Wait until no rebuild is pending and nothing was logged for ``quiet`` seconds.

        Returns how many rebuilds ran meanwhile (a watcher may see one edit twice).
        """
        extra = 0
        while True:
            time.sleep(quiet)
            with self._cond:
                lines = list(self.lines)
            detected = [t for t, line in lines if SERVE_DETECTED in line]
            finished = [t for t, line in lines if SERVE_DONE in line]
            if detected and (not finished or detected[-1] > finished[-1]):
                self.wait_for(SERVE_DONE, detected[-1], timeout)
                extra += 1
                continue
            if not lines or time.monotonic() - lines[-1][0] >= quiet:
                return extra

    def join(self, timeout: float) -> None:
        """Wait for the reader thread (after the process was stopped)."""
        self._thread.join(timeout)


def stop_process_group(proc: subprocess.Popen[bytes], grace: float = 15.0) -> None:
    """Stop a process started in a session of its own, and everything it started.

    SIGINT first (``mkdocs serve`` then shuts down and removes its temporary site),
    SIGKILL to the whole group after ``grace`` seconds, and SIGKILL to any child left
    in the group even when the leader exited cleanly.
    """
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def fetch(url: str) -> str:
    """The body of ``url`` (the local dev server), as text."""
    with urllib.request.urlopen(url, timeout=30) as response:
        return str(response.read().decode("utf-8", errors="replace"))


def case_serve(ctx: Context) -> list[Result]:
    """``mkdocs serve``: time from editing one document to the end of the rebuild.

    On the clean corpus of ``--serve-size`` documents: start ``mkdocs serve`` (live
    reload on: with ``--no-livereload`` MkDocs 1.6 watches no file and never rebuilds) on
    a free port, wait for "Serving on", fetch the home page; then ``--slow-repeat`` times:
    wait until the server is idle, append a line (new each time) to one procedure (in
    ``procedures/``, outside ``docs_dir``: watched through the plugin's ``on_serve``), and
    time until the server logs "Reloading browsers" (MkDocs' line after a successful
    rebuild); then fetch the procedure's page and check that the new line is on it. CPU
    time is the server's own (and its waited-for children's) during the rebuild, from
    /proc; peak RSS the server's so far. The server works in a fresh clone of the corpus
    (no cache of an earlier case helps its first build; nothing it edits or writes
    outlives the case), runs in its own session with TMPDIR and the user cache folder
    pointed into the clone's temporary folder, and is stopped (SIGINT, then SIGKILL to
    its whole process group) whatever happens.
    """
    corpus = ctx.corpus(ctx.serve_size, clean=True)
    ctx.log(f"serve on {corpus.label}")
    with scratch_clone(ctx, corpus) as scratch:
        time.sleep(RACY_SECONDS)  # let the clone's fresh files age (see ensure_corpus)
        return serve_rebuilds(ctx, scratch)


def serve_rebuilds(ctx: Context, corpus: Corpus) -> list[Result]:
    """The serve case on ``corpus``, a scratch clone it may edit (see ``case_serve``)."""
    target = edit_targets(corpus)[0]
    relative = target.relative_to(corpus.root)
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    page_url = base + relative.with_suffix("").as_posix() + "/"
    load = os.getloadavg()[0]
    first: list[Measurement] = []
    rebuilds: list[Measurement] = []
    notes: list[str] = []
    tmp = corpus.root.parent / "tmp"
    tmp.mkdir()
    env = {**isolated_env(corpus, handbook_env(ctx)), "TMPDIR": str(tmp),
           "PYTHONUNBUFFERED": "1"}
    command = [str(ctx.mkdocs_plugin), "serve", "-f", str(corpus.root / "mkdocs.yml"),
               "--dev-addr", f"127.0.0.1:{port}"]
    start = time.monotonic()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=env, start_new_session=True)
    watcher = LogWatcher(proc)
    try:
        ready = watcher.wait_for(SERVE_READY, start, ctx.timeout)
        first.append(Measurement(ready - start, proc_peak_rss_kib(proc.pid), 0, b"", b"",
                                 proc_cpu_seconds(proc.pid)))
        log_run(ctx, f"mkdocs serve {corpus.label}: first build, serving", first[-1])
        fetch(base)
        extra = 0
        built: list[str] = []
        detection: list[float] = []
        visible = 0
        for i in range(ctx.site_repeat):
            extra += watcher.settle(1.0, ctx.timeout)
            cpu = proc_cpu_seconds(proc.pid)
            marker = f"Clarified by the benchmark, serve edit {i + 1} ({time.time_ns()})."
            edited = time.monotonic()
            append_line(target, marker)
            done = watcher.wait_for(SERVE_DONE, edited, ctx.timeout)
            run = Measurement(done - edited, proc_peak_rss_kib(proc.pid), 0, b"", b"",
                              proc_cpu_seconds(proc.pid) - cpu)
            log_run(ctx, f"mkdocs serve {corpus.label}: rebuild {i + 1}/{ctx.site_repeat}",
                    run)
            rebuilds.append(run)
            lines = watcher.since(edited)
            detection += [t - edited for t, line in lines if SERVE_DETECTED in line][:1]
            built += [line.split(SERVE_BUILT, 1)[1].split()[0] for _, line in lines
                      if SERVE_BUILT in line][:1]
            with contextlib.suppress(OSError):  # a missing page counts as not visible
                visible += marker in fetch(page_url)
        extra += watcher.settle(1.0, ctx.timeout)
        if detection:
            notes.append(f"change detected after {statistics.median(detection):.2f} s "
                         "(median)")
        if built:
            notes.append(f"MkDocs' own \"Documentation built in\": {', '.join(built)} s")
        notes.append(f"the edit was on the served page of {target.stem} after "
                     f"{visible} of {len(rebuilds)} rebuilds")
        if extra:
            notes.append(f"{extra} extra rebuild(s) the edits did not ask for")
    finally:
        stop_process_group(proc)
        watcher.join(10)
    return [
        Result("serve: first build until serving", corpus.label, first, summary=base,
               load=load),
        Result("serve: rebuild after one edit", corpus.label, rebuilds, load=load,
               summary=f"edited {relative}", note="; ".join(notes), key="serve",
               docs=corpus.docs),
    ]


def doorstop_summary(stderr: bytes) -> str:
    """Counts of Doorstop's ERROR / WARNING lines."""
    text = stderr.decode(errors="replace")
    errors = sum(1 for line in text.splitlines() if line.startswith("ERROR"))
    warnings = sum(1 for line in text.splitlines() if line.startswith("WARNING"))
    return f"{errors + warnings} ({errors} / {warnings})"


def doorstop_ok(run: Measurement) -> bool:
    """Doorstop exits 0 when valid, 1 with errors; a traceback is a failure."""
    return run.exit_code in (0, 1) and b"Traceback" not in run.stderr


def changed_files(tree: Path, since_ns: int) -> tuple[int, int]:
    """(files rewritten after ``since_ns``, files whose content git sees as changed)."""
    rewritten = 0
    for current, dirs, names in os.walk(tree):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in names:
            if os.stat(os.path.join(current, name)).st_mtime_ns >= since_ns:  # noqa: PTH116, PTH118
                rewritten += 1
    status = subprocess.run(["git", "status", "--porcelain"], cwd=tree, capture_output=True,
                            text=True, check=True).stdout
    return rewritten, len(status.splitlines())


def ensure_peer_venv(log: Callable[[str], None]) -> Path:
    """The doorstop executable of ``benchmarks/.venv-peers`` (created and installed once)."""
    doorstop = PEER_VENV / "bin" / "doorstop"
    if doorstop.is_file():
        return doorstop
    log(f"creating {PEER_VENV} and installing doorstop")
    try:
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        subprocess.run([str(PEER_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet",
                        "doorstop"], check=True)
    except (OSError, subprocess.CalledProcessError) as error:
        raise BenchError(f"could not install doorstop into {PEER_VENV}: {error}") from None
    return doorstop


def case_doorstop(ctx: Context) -> list[Result]:
    """The same corpus through Doorstop's validation, next to ``qmskit check``.

    For each peer size: a clean corpus (Doorstop aborts at a dangling link, see
    ``doorstop_tree.py``) converted to a Doorstop tree; timed are ``qmskit check
    --no-cache`` on the corpus, ``doorstop -F`` (validate without reformatting: reads
    only) and plain ``doorstop`` (the default, which rewrites every item file). The tree
    is reset to its commit before each default run.
    """
    doorstop = ensure_peer_venv(ctx.log)
    version = command_output([str(doorstop), "--version"])
    results = []
    for docs in ctx.peer_sizes:
        corpus = ctx.corpus(docs, clean=True)
        tree = ctx.cache / f"doorstop-{corpus.root.name}"
        ctx.log(f"doorstop tree for {corpus.label} in {tree}")
        source = str(corpus.manifest.get("generator_sha256", ""))
        try:
            manifest = doorstop_tree.prepare(corpus.root, tree, doorstop, source)
        except (RuntimeError, subprocess.CalledProcessError, OSError) as error:
            raise BenchError(f"preparing the Doorstop tree failed: {error}") from None
        items = manifest.get("items", {})
        count = sum(items.values()) if isinstance(items, dict) else 0
        label = f"{docs:,} docs (clean) = {count:,} items"
        qms = Result("check (cold), peer corpus", label, [], corpus.planted_ids)
        qms.runs = repeat_runs(ctx, check_command(ctx, corpus.root, cache=False),
                               partial(clean_worktree, corpus), f"qmskit {label}",
                               times=ctx.peer_repeat)

        def reset(tree: Path = tree) -> None:
            subprocess.run(["git", "reset", "--hard", "--quiet"], cwd=tree, check=True)
            subprocess.run(["git", "clean", "-fdxq"], cwd=tree, check=True)

        no_reformat = Result(f"{version} `doorstop -F`", label, [])
        before = time.time_ns()
        no_reformat.runs = repeat_runs(ctx, [str(doorstop), "-F"], reset, f"doorstop -F {label}",
                                       times=ctx.peer_repeat, accept=doorstop_ok, cwd=tree)
        rewritten, changed = changed_files(tree, before)
        no_reformat.summary = doorstop_summary(no_reformat.runs[-1].stderr)
        no_reformat.note = f"files rewritten by the runs: {rewritten}, changed: {changed}"
        default = Result(f"{version} `doorstop` (default)", label, [])
        before = time.time_ns()
        default.runs = repeat_runs(ctx, [str(doorstop)], reset, f"doorstop {label}",
                                   times=ctx.peer_repeat, accept=doorstop_ok, cwd=tree)
        rewritten, changed = changed_files(tree, before)
        default.summary = doorstop_summary(default.runs[-1].stderr)
        default.note = (f"rewrites every item: {rewritten} files rewritten by the last run, "
                        f"{changed} with changed content")
        reset()
        links = manifest.get("links", "?")
        setup = manifest.get("setup_seconds", "?")
        qms.note = (f"Doorstop tree: {items} with {links} links and "
                    f"{manifest.get('csv_files', '?')} file references; first (reviewing) "
                    f"doorstop run {setup} s")
        results += [qms, no_reformat, default]
    return results


def ensure_strictdoc(log: Callable[[str], None]) -> Path:
    """The strictdoc executable of ``benchmarks/.venv-peers/strictdoc`` (installed once)."""
    strictdoc = STRICTDOC_VENV / "bin" / "strictdoc"
    if strictdoc.is_file():
        return strictdoc
    log(f"creating {STRICTDOC_VENV} and installing strictdoc")
    try:
        subprocess.run([sys.executable, "-m", "venv", str(STRICTDOC_VENV)], check=True)
        subprocess.run([str(STRICTDOC_VENV / "bin" / "python"), "-m", "pip", "install",
                        "--quiet", "strictdoc"], check=True)
    except (OSError, subprocess.CalledProcessError) as error:
        raise BenchError(f"could not install strictdoc into {STRICTDOC_VENV}: {error}") from None
    return strictdoc


def strictdoc_ok(run: Measurement) -> bool:
    """StrictDoc exits 0 after a complete export; it reports errors as ``error:`` lines."""
    return run.exit_code == 0 and b"\nerror:" not in b"\n" + run.stdout + run.stderr


@dataclass
class StrictDocExport:
    """A corpus converted for StrictDoc, and the command that exports it to HTML."""

    tree: Path
    version: str
    conversion: strictdoc_tree.Conversion
    command: list[str]
    env: dict[str, str]

    @property
    def out(self) -> Path:
        """Where the export writes its site."""
        return self.tree / "output"

    def fresh(self) -> None:
        """No output and an empty StrictDoc cache: the next export starts cold."""
        shutil.rmtree(self.out, ignore_errors=True)
        shutil.rmtree(self.tree / "tmp", ignore_errors=True)
        (self.tree / "tmp").mkdir()


@contextlib.contextmanager
def strictdoc_export(ctx: Context, corpus: Corpus) -> Iterator[StrictDocExport]:
    """Convert ``corpus`` for StrictDoc under the cache folder; removed afterwards.

    StrictDoc keeps its cache in ``$TMPDIR/strictdoc_cache``: TMPDIR points into the
    tree, so ``fresh`` can empty it.
    """
    strictdoc = ensure_strictdoc(ctx.log)
    tree = ctx.cache / f"strictdoc-{corpus.root.name}"
    shutil.rmtree(tree, ignore_errors=True)
    try:
        conversion = strictdoc_tree.convert(corpus.root, tree / "input")
        command = [str(strictdoc), "export", str(tree / "input"), "--formats=html",
                   "--output-dir", str(tree / "output")]
        yield StrictDocExport(tree, command_output([str(strictdoc), "--version"]), conversion,
                              command, {**os.environ, "TMPDIR": str(tree / "tmp")})
    finally:
        shutil.rmtree(tree, ignore_errors=True)  # hundreds of MB at 5,000 requirements


def case_strictdoc(ctx: Context) -> list[Result]:
    """StrictDoc's HTML export of the corpus's documents, the yardstick of the handbook.

    For each ``--strictdoc-sizes`` N: the clean corpus of N documents converted by
    ``strictdoc_tree.py`` into N requirements, then ``strictdoc export INPUT
    --formats=html --output-dir OUT``. Cold runs (the goal's yardstick): a new output
    folder and an empty cache each time (StrictDoc caches parsed documents and rendered
    fragments under ``$TMPDIR/strictdoc_cache``; TMPDIR points at a folder of the run).
    Then the same export again with output and cache in place and nothing changed,
    StrictDoc's incremental case.
    """
    results = []
    for docs in ctx.strictdoc_sizes:
        corpus = ctx.corpus(docs, clean=True)
        with strictdoc_export(ctx, corpus) as export:
            count = sum(export.conversion.requirements.values())
            label = f"{docs:,} docs (clean) = {count:,} requirements"
            ctx.log(f"strictdoc on {label}")
            load = os.getloadavg()[0]
            cold = repeat_runs(ctx, export.command, export.fresh, f"strictdoc export {label}",
                               times=ctx.peer_repeat, accept=strictdoc_ok, cwd=export.tree,
                               env=export.env)
            stats = site_stats(export.out, docs)
            warm = repeat_runs(ctx, export.command, None, f"strictdoc export again {label}",
                               times=ctx.peer_repeat, accept=strictdoc_ok, cwd=export.tree,
                               env=export.env)
        for run in cold[-1:] + warm[-1:]:
            run.stdout = run.stderr = b""
        conversion, version = export.conversion, export.version
        note = (f"{len(conversion.requirements)} .sdoc documents {conversion.requirements}, "
                f"{conversion.relations:,} Parent relations ({len(conversion.dropped)} links "
                "to missing documents dropped)")
        results += [
            Result(f"StrictDoc {version} export --formats=html", label, cold,
                   summary=stats_summary(stats), note=note, load=load, key="strictdoc",
                   docs=docs, extra=stats),
            Result(f"StrictDoc {version} export again (cache, nothing changed)", label, warm,
                   summary="", load=load, key="strictdoc-again", docs=docs),
        ]
    return results


def case_example(ctx: Context) -> list[Result]:
    """``qmskit check --no-cache`` on the example QMS at the repository root (never cleaned).

    The example is the live working tree, so it is checked by the installed qmskit (not
    the snapshot): its config may already use keys the snapshot does not know.
    """
    ctx.log("example at the repository root")
    load = os.getloadavg()[0]
    live = Context(ctx.installed or ctx.qmskit, [], ctx.repeat, log=ctx.log)
    runs = repeat_runs(ctx, check_command(live, REPO_ROOT, cache=False), None, "example")
    report = runs[-1].stdout
    documents = ""
    try:
        parsed = json.loads(report)
        if isinstance(parsed, dict) and "documents" in parsed:
            documents = f"{parsed['documents']} docs, "
    except ValueError:
        pass
    return [Result("check (cold)", f"example ({documents}repo root)", runs, load=load,
                   note="installed qmskit (live working tree), not the snapshot"
                   if ctx.installed and ctx.installed != ctx.qmskit else "")]


CASES: Final[dict[str, Callable[[Context], list[Result]]]] = {
    "floor": case_floor,
    "check-cold": case_check_cold,
    "check-warm": case_check_warm,
    "pre-commit": case_pre_commit,
    "one-edit": case_one_edit,
    "diff": case_diff,
    "diff-none": case_diff_none,
    "diff-one": case_diff_one,
    "site": case_site,
    "handbook": case_handbook,
    "serve": case_serve,
    "example": case_example,
    "doorstop": case_doorstop,
    "strictdoc": case_strictdoc,
}
#: Opt-in (``--peers``): the peers, installed into benchmarks/.venv-peers on first use.
PEER_CASES: Final = ("doorstop", "strictdoc")
DEFAULT_CASES: Final = tuple(name for name in CASES if name not in PEER_CASES)


# --------------------------------------------------------------------------------------
# Corpora.
# --------------------------------------------------------------------------------------


def generator_digest() -> str:
    """SHA-256 of the generator's source: a changed generator invalidates cached corpora."""
    return hashlib.sha256(GENERATOR.read_bytes()).hexdigest()


def read_manifest(root: Path) -> dict[str, object] | None:
    """The generator's manifest for a corpus, or None if there is no usable one."""
    try:
        data = json.loads((root / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def ensure_corpus(cache: Path, docs: int, commits: int | None, seed: int,
                  log: Callable[[str], None], clean: bool = False) -> Corpus:
    """Reuse a cached corpus with identical parameters and generator, else generate it.

    ``clean`` corpora have no planted defects (``--defect-rate 0``): for the site build,
    which refuses a QMS with errors, and for Doorstop, which stops at a dangling link.
    """
    effective = commits if commits is not None else max(200, docs // 5)
    rate = 0.0 if clean else 0.01
    root = cache / (f"docs{docs}-commits{effective}-seed{seed}" + ("-clean" if clean else ""))
    manifest = read_manifest(root)
    wanted = {"docs": docs, "commits": effective, "seed": seed, "today": TODAY,
              "defect_rate": rate}
    if manifest is not None:
        params = manifest.get("params")
        if (isinstance(params, dict) and all(params.get(k) == v for k, v in wanted.items())
                and manifest.get("generator_sha256") == generator_digest()):
            seconds = manifest.get("seconds")
            log(f"reusing {root}")
            subprocess.run(["git", "reset", "--hard", "--quiet"], cwd=root, check=True)
            return Corpus(root, docs, effective, seed, manifest, False,
                          float(seconds) if isinstance(seconds, (int, float)) else 0.0, clean)
    log(f"generating {root}")
    command = [sys.executable, str(GENERATOR), str(root), "--docs", str(docs),
               "--commits", str(effective), "--seed", str(seed), "--today", TODAY,
               "--defect-rate", str(rate), "--force"]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise BenchError(f"generating {root} failed:\n{done.stderr}")
    manifest = read_manifest(root)
    if manifest is None:
        raise BenchError(f"{root} has no manifest after generation")
    # qmskit's cache distrusts files modified within 2 s of its own write (like git's
    # "racy" index entries); let fresh files age so the warm case measures a warm cache.
    time.sleep(RACY_SECONDS)
    return Corpus(root, docs, effective, seed, manifest, True, seconds, clean)


# --------------------------------------------------------------------------------------
# Reporting.
# --------------------------------------------------------------------------------------


def command_output(command: list[str], cwd: Path | None = None) -> str:
    """First line of a command's output, or "?" when it cannot run."""
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    except OSError:
        return "?"
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0] if done.returncode == 0 and lines else "?"


def load_average() -> str:
    """The 1, 5 and 15 minute load averages."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine_info(qmskit: Path, source: str) -> dict[str, str]:
    """What the figures depend on, recorded next to them."""
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    commit = command_output(["git", "rev-parse", "--short", "HEAD"], REPO_ROOT)
    dirty = command_output(["git", "status", "--porcelain", "--untracked-files=no"], REPO_ROOT)
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": f"{len(os.sched_getaffinity(0))} usable of {os.cpu_count()}",
        "cpu": cpu,
        "os": f"{platform.system()} {platform.release()}",
        "python": command_output([str(qmskit.parent / "python"), "--version"])
        if (qmskit.parent / "python").exists() else platform.python_version(),
        "git": command_output(["git", "--version"]),
        "qmskit": command_output([str(qmskit), "--version"]),
        "qmskit commit": commit + (" (with uncommitted changes)" if dirty not in ("", "?") else ""),
        "qmskit source timed": source,
        "mkdocs": command_output([str(qmskit.parent / "mkdocs"), "--version"]).split(" from ")[0],
        "floor": "PyYAML " + command_output(
            [str(qmskit.parent / "python"), "-c", "import yaml; print(yaml.__version__, "
             "'with libyaml' if yaml.__with_libyaml__ else 'WITHOUT libyaml')"]),
        "load average at start": load_average(),
    }


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def verdict(result: Result) -> str:
    """The issue's target for this row and whether the median (time) / max (RSS) meets it."""
    if result.goal is None:
        return ""
    seconds, rss = result.goal
    if not result.runs:
        return "no data"
    parts = []
    if seconds is not None:
        median = statistics.median(run.seconds for run in result.runs)
        killed = any(run.killed for run in result.runs)
        if killed:
            parts.append(f"< {seconds:g} s: **missed** (killed, > {median:.0f} s)")
        elif median <= seconds:
            parts.append(f"< {seconds:g} s: met")
        else:
            parts.append(f"< {seconds:g} s: **missed** by {median - seconds:.2f} s "
                         f"({median / seconds - 1:+.0%})")
    if rss is not None:
        peak = max(run.max_rss_kib for run in result.runs) / 1024
        parts.append(f"< {rss:g} MiB: met" if peak <= rss else
                     f"< {rss:g} MiB: **missed** by {peak - rss:.0f} MiB")
    return "; ".join(parts)


def result_row(result: Result, note: str) -> list[str]:
    """One results-table row."""
    if not result.runs:
        return [result.case, result.target, "0", "–", "–", "–", "–", "–", verdict(result), "–",
                "–", "–", f"{result.load:.2f}", note]
    times = [run.seconds for run in result.runs]
    cpu = statistics.median(run.cpu_seconds for run in result.runs)
    rss = max(run.max_rss_kib for run in result.runs) / 1024
    unknown = "? (killed)" if any(run.killed for run in result.runs) else "?"
    planted = "–"
    if result.summary is not None:
        found = result.summary
    else:
        total, errors, warnings, ids = result.findings()
        found = "?" if total is None else f"{total} ({errors} / {warnings})"
        if result.planted and total is not None:
            hit = len(result.planted & ids)
            planted = f"{hit} of {len(result.planted)}, {len(ids - result.planted)} other docs"
        elif result.planted is not None and not result.planted:
            planted = "none planted"
    codes = ",".join(str(c) for c in sorted({run.exit_code for run in result.runs}))
    return [result.case, result.target, str(len(times)), f"{statistics.median(times):.2f}",
            f"{min(times):.2f}", f"{max(times):.2f}", f"{cpu:.2f}" if cpu else unknown,
            f"{rss:.0f}" if rss else unknown,
            verdict(result), found, planted, codes, f"{result.load:.2f}", note]


def median_seconds(result: Result) -> float:
    """Median wall time of a row's runs."""
    return statistics.median(run.seconds for run in result.runs)


def floor_medians(results: list[Result]) -> dict[int, float]:
    """The floor row's median per corpus size."""
    return {r.docs: median_seconds(r) for r in results if r.key == "floor" and r.runs}


def floor_ratio(result: Result, floors: dict[int, float]) -> tuple[float | None, str]:
    """(ratio, text): paired with the row's own floor runs, else to the floor row's median."""
    if result.ratios:
        ratio = statistics.median(result.ratios)
        return ratio, f"{ratio:.2f}× floor"
    if result.docs in floors:
        ratio = median_seconds(result) / floors[result.docs]
        return ratio, f"{ratio:.2f}× floor (vs the floor row)"
    return None, "– (no floor in this run)"


def judge(goal: Goal, result: Result, ratio: float | None) -> str:
    """met / missed (by how much) / not judged, for one goal on one row."""
    if goal.sizes and result.docs not in goal.sizes:
        sizes = " and ".join(f"{n:,}" for n in goal.sizes)
        return f"not judged (the goal is stated for {sizes} docs)"
    if any(run.killed for run in result.runs):
        return "**missed** (killed)"
    misses = []
    if goal.floor_ratio is not None:
        if ratio is None:
            return "not judged (no floor in this run)"
        if ratio > goal.floor_ratio:
            misses.append(f"{ratio / goal.floor_ratio:.1f}× the goal")
    median = median_seconds(result)
    if goal.seconds is not None and median > goal.seconds:
        misses.append(f"by {median - goal.seconds:.2f} s")
    peak = max(run.max_rss_kib for run in result.runs) / 1024
    if goal.rss_mib is not None and peak > goal.rss_mib:
        misses.append(f"by {peak - goal.rss_mib:.0f} MiB")
    return "**missed** " + ", ".join(misses) if misses else "met"


def handbook_goal_rows(results: list[Result]) -> list[list[str]]:
    """The handbook's goals: time against StrictDoc, page size, 120 s at 10k, linear size."""
    builds = sorted((r for r in results if r.key == "handbook" and r.runs), key=lambda r: r.docs)
    peers = {r.docs: r for r in results if r.key == "strictdoc" and r.runs}
    rows = []
    for build in builds:
        step = f"handbook: `mkdocs build` with the plugin, {build.target}"
        median = median_seconds(build)
        killed = any(run.killed for run in build.runs)
        cpu = statistics.median(run.cpu_seconds for run in build.runs)
        measured = (f"{median:.1f} s (killed)" if killed else
                    f"{median:.1f} s (CPU {cpu:.1f} s)")
        peer = peers.get(build.docs)
        if peer is None:
            missing = ("– (no StrictDoc run at this size: --strictdoc-sizes)" if peers else
                       "– (StrictDoc not run: add --peers)")
            rows.append([step, "≤ StrictDoc's time for as many requirements, same run",
                         measured, missing, "not judged"])
        else:
            ratio = (statistics.median(build.ratios) if build.ratios else
                     median / median_seconds(peer))
            how = "paired" if build.ratios else "vs the StrictDoc row"
            rows.append([step, "≤ StrictDoc's time for as many requirements, same run",
                         measured, f"{ratio:.2f}× StrictDoc ({how}; StrictDoc row "
                                   f"{median_seconds(peer):.1f} s)",
                         "**missed** (killed)" if killed else
                         "met" if ratio <= 1 else f"**missed** ({ratio:.1f}× StrictDoc)"])
        avg = float(build.extra.get("avg_kb", 0.0))
        written = " of the pages written" if killed else ""
        rows.append([f"handbook: page size, {build.target}", f"≤ {PAGE_KB_GOAL:g} KB per page",
                     f"avg {avg:.0f} KB{written}, max {float(build.extra.get('max_kb', 0)):.0f}"
                     f" KB ({build.extra.get('max_page', '?')})", "–",
                     "not judged (no page written)" if not build.extra.get("pages") else
                     "met" if avg <= PAGE_KB_GOAL else
                     f"**missed** (avg {avg / PAGE_KB_GOAL:.1f}× the goal)"])
        docs, seconds = HANDBOOK_SECONDS_GOAL
        if build.docs == docs:
            rows.append([step, f"≤ {seconds:g} s", measured, "–",
                         "**missed** (killed)" if killed else "met" if median <= seconds else
                         f"**missed** by {median - seconds:.0f} s"])
    complete = [b for b in builds if not b.extra.get("killed")]
    if len(builds) >= 2:
        small, big = builds[0], builds[-1]
        if big in complete and small in complete:
            a, b = float(small.extra["bytes_per_doc"]), float(big.extra["bytes_per_doc"])
            what = "bytes per document"
        else:  # a killed build: compare the pages it wrote
            a, b = float(small.extra["avg_kb"]), float(big.extra["avg_kb"])
            what = "average page (the killed build's pages written)"
        growth = b / a if a else float("inf")
        rows.append([f"handbook: size linear in documents ({small.docs:,} → {big.docs:,})",
                     f"{what} at {big.docs:,} ≤ {LINEAR_TOLERANCE:g}× at {small.docs:,}",
                     f"{a / 1000:.0f} KB → {b / 1000:.0f} KB" if what.startswith("bytes") else
                     f"{a:.0f} KB → {b:.0f} KB", f"{growth:.2f}×",
                     "met" if growth <= LINEAR_TOLERANCE else "**missed**"])
    elif builds:
        only = builds[0]
        rows.append([f"handbook: size linear in documents ({only.target})",
                     f"bytes per document at 10,000 ≤ {LINEAR_TOLERANCE:g}× at 1,000",
                     f"{float(only.extra.get('bytes_per_doc', 0)) / 1000:.0f} KB per document",
                     "–", "not judged (needs two sizes: --site-sizes 1000,10000)"])
    return rows


def goals_table(results: list[Result]) -> str:
    """Issue 15's goals: step, goal, measured, ratio to the floor or StrictDoc, verdict."""
    floors = floor_medians(results)
    rows = [[f"floor: read + parse every front matter (PyYAML C loader), {r.target}",
             "the reference", f"{median_seconds(r):.2f} s", "1×", "–"]
            for r in results if r.key == "floor" and r.runs]
    for goal in GOALS_15:
        if goal.key == "serve":  # the issue's order: the handbook before the serve rebuild
            rows += handbook_goal_rows(results)
        for result in results:
            if result.key != goal.key:
                continue
            step = f"{goal.step}, {result.target}"
            if not result.runs:
                rows.append([step, goal.text, "no data", "–", "not judged"])
                continue
            ratio, ratio_text = (floor_ratio(result, floors) if goal.floor_ratio is not None
                                 else (None, "–"))
            measured = (f"{median_seconds(result):.2f} s (CPU "
                        f"{statistics.median(run.cpu_seconds for run in result.runs):.2f} s)")
            if goal.rss_mib is not None:
                peak = max(run.max_rss_kib for run in result.runs) / 1024
                measured += f", {peak:.0f} MiB"
            rows.append([step, goal.text, measured, ratio_text, judge(goal, result, ratio)])
    if len(rows) == len(floors):
        return ""
    return table(["step", "goal", "measured", "ratio to floor (or to StrictDoc)",
                  "met / missed"], rows)


def strictdoc_table(results: list[Result]) -> str:
    """The handbook next to StrictDoc's export, one row per size either was run at."""
    by_docs: dict[int, dict[str, Result]] = {}
    for result in results:
        if result.key in ("handbook", "strictdoc", "strictdoc-again") and result.runs:
            by_docs.setdefault(result.docs, {})[result.key] = result
    if not any("strictdoc" in group for group in by_docs.values()):
        return ""
    rows = []
    for docs, group in sorted(by_docs.items()):
        def cell(key: str, group: dict[str, Result] = group) -> str:
            result = group.get(key)
            if result is None:
                return "–"
            cpu = statistics.median(run.cpu_seconds for run in result.runs)
            rss = max(run.max_rss_kib for run in result.runs) / 1024
            return f"{median_seconds(result):.1f} s (CPU {cpu:.1f} s), {rss:.0f} MiB"

        ratio = "–"
        if "handbook" in group and "strictdoc" in group:
            ratio = (f"{median_seconds(group['handbook']) / median_seconds(group['strictdoc']):.2f}"
                     "x")
        rows.append([f"{docs:,} documents = requirements", cell("handbook"), cell("strictdoc"),
                     cell("strictdoc-again"), ratio])
    return table(["corpus (clean)", "handbook: mkdocs build with the plugin",
                  "StrictDoc export (cold)", "StrictDoc export again (cache, nothing changed)",
                  "handbook / StrictDoc"], rows)


def peer_table(results: list[Result]) -> str:
    """qmskit next to Doorstop, one row per peer corpus."""
    by_target: dict[str, dict[str, Result]] = {}
    for result in results:
        if result.case == "check (cold), peer corpus" or "doorstop" in result.case:
            key = ("qmskit" if result.case.startswith("check") else
                   "default" if "default" in result.case else "no-reformat")
            by_target.setdefault(result.target, {})[key] = result
    if not by_target:
        return ""
    rows = []
    for target, group in by_target.items():
        def cell(key: str, group: dict[str, Result] = group) -> str:
            result = group.get(key)
            if result is None or not result.runs:
                return "–"
            median = statistics.median(run.seconds for run in result.runs)
            rss = max(run.max_rss_kib for run in result.runs) / 1024
            return f"{median:.2f} s, {rss:.0f} MiB"

        ratio = "–"
        if all(k in group and group[k].runs for k in ("qmskit", "no-reformat")):
            peer = statistics.median(r.seconds for r in group["no-reformat"].runs)
            ours = statistics.median(r.seconds for r in group["qmskit"].runs)
            ratio = f"{peer / ours:.1f}x"
        rows.append([target, cell("qmskit"), cell("no-reformat"), cell("default"), ratio])
    return table(["corpus", "qmskit check --no-cache", "doorstop -F (no reformat)",
                  "doorstop (default: rewrites items)", "Doorstop -F / qmskit"], rows)


def render(info: dict[str, str], corpora: list[Corpus], results: list[Result],
           command: str, kept: str = "") -> str:
    """The whole results page."""
    out = ["# qmskit benchmark results\n",
           "Generated by `python benchmarks/run.py`; see `benchmarks/README.md` for what is "
           "measured and how the corpora are built.\n",
           "## Machine\n",
           "\n".join(f"- {key}: {value}" for key, value in info.items()) + "\n",
           f"Check command timed: `{command}` (a fresh process per run). The machine has 2 "
           "cores and is shared with other work: the `load` column is the 1-minute load "
           "average when the row's runs started, and the spread (min-max) shows the noise. "
           "`CPU s` is user+system time of the process and the children it waited for.\n",
           "## Corpora\n"]
    rows = []
    for c in corpora:
        counts = c.manifest.get("counts", {})
        mix = ", ".join(f"{v} {k}" for k, v in counts.items()) if isinstance(counts, dict) else ""
        planted = c.manifest.get("planted", [])
        generated = f"{c.generation_seconds:.1f}" + ("" if c.generated_now else " (cached)")
        size = command_output(["du", "-sh", str(c.root)]).split("\t")[0]
        rows.append([c.label, f"{c.commits:,}", str(c.seed), mix,
                     str(len(planted)) if isinstance(planted, list) else "?", generated, size])
    out.append(table(["corpus", "commits", "seed", "documents", "planted defects",
                      "generation s", "disk"], rows))
    out.append("## Results\n")
    notes: list[str] = []
    body = []
    for result in results:
        mark = ""
        if result.note:
            notes.append(result.note)
            mark = f"[{len(notes)}]"
        body.append(result_row(result, mark))
    out.append(table(["case", "corpus", "runs", "median s", "min s", "max s", "CPU s",
                      "max RSS MiB", "target (issue 7)", "findings (errors / warnings) or output",
                      "planted defects found", "exit", "load", "note"], body))
    if notes:
        out.append("\n".join(f"{i}. {text}" for i, text in enumerate(notes, 1)) + "\n")
    out.append("Exit code 1 is expected on the corpora: their planted defects include "
               "errors (dangling links, overdue reviews). Targets are judged on the median "
               "time and the largest peak RSS.\n")
    goals = goals_table(results)
    if goals:
        out += ["## Goals (issue 15)\n",
                "Judged on the median time and the largest peak RSS. The floor is "
                "`benchmarks/floor.py` (read every Markdown file, parse each front matter "
                "with PyYAML's C loader, one process). A ratio to the floor is the median of "
                "per-run ratios: each timed run is followed by a floor run on the same corpus; "
                "\"vs the floor row\" divides by the floor row's median instead. Goals the "
                "issue states for one corpus size are shown but not judged at other sizes.\n",
                goals]
    peers = peer_table(results)
    if peers:
        out += ["## Peer: Doorstop\n", "Medians; the same clean corpus converted by "
                "`benchmarks/doorstop_tree.py`.\n", peers]
    strictdoc = strictdoc_table(results)
    if strictdoc:
        out += ["## Peer: StrictDoc\n", "Medians; the same clean corpus, converted by "
                "`benchmarks/strictdoc_tree.py` for StrictDoc. Both sides write a static "
                "HTML site: the handbook one page per document plus the generated pages, "
                "StrictDoc one page per `.sdoc` document and view.\n", strictdoc]
    out.append(NOTES_MARKER + "\n" + kept)
    return "\n".join(out).rstrip("\n") + "\n"


def kept_notes(page: Path) -> str:
    """Hand-written notes below ``NOTES_MARKER`` in an earlier results page, if any."""
    try:
        text = page.read_text(encoding="utf-8")
    except OSError:
        return ""
    _, marker, notes = text.partition(NOTES_MARKER)
    return notes.strip("\n") + "\n" if marker and notes.strip() else ""


# --------------------------------------------------------------------------------------
# Entry point.
# --------------------------------------------------------------------------------------


def snapshot_qmskit(qmskit: Path, cache: Path) -> tuple[Path, str]:
    """Freeze the qmskit source for this run; return a ``qmskit`` wrapper and a digest.

    The editable install follows the working tree, which other people edit while a
    long run goes on: figures would mix versions, and qmskit's cache (keyed by the
    hash of its own source) would be invalidated mid-run. So ``src/qmskit`` is copied
    to ``CACHE/qmskit-snapshot/`` (byte-compiled there, so the first run does not pay
    for compiling) and run through a wrapper with that copy first on ``PYTHONPATH``,
    with the same interpreter and dependencies. A second wrapper, ``bin/mkdocs`` beside
    it, runs MkDocs the same way, so the handbook cases time the snapshot's plugin.
    """
    python = qmskit.parent / "python"
    found = subprocess.run([str(python), "-c", "import qmskit; print(qmskit.__path__[0])"],
                           capture_output=True, text=True, check=False)
    if found.returncode != 0:
        raise BenchError(f"cannot locate the qmskit package with {python}; "
                         "pass --no-snapshot to time the installed qmskit as it is")
    source = Path(found.stdout.strip())
    dest = cache / "qmskit-snapshot"
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(source, dest / "qmskit", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([str(python), "-m", "compileall", "-q", str(dest / "qmskit")], check=True,
                   capture_output=True)
    hasher = hashlib.sha256()
    for path in sorted((dest / "qmskit").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            hasher.update(path.relative_to(dest).as_posix().encode() + b"\0" + path.read_bytes())
    wrapper = dest / "bin" / "qmskit"
    wrapper.parent.mkdir()
    wrapper.write_text(
        "#!/bin/sh\n# qmskit from the snapshot taken by benchmarks/run.py\n"
        f'PYTHONPATH="{dest}${{PYTHONPATH:+:$PYTHONPATH}}" exec "{python}" -c '
        "'import sys; from qmskit.cli import main; sys.argv[0] = \"qmskit\"; sys.exit(main())' "
        '"$@"\n')
    wrapper.chmod(0o755)
    mkdocs = dest / "bin" / "mkdocs"
    mkdocs.write_text(
        "#!/bin/sh\n# mkdocs with the qmskit plugin from the snapshot taken by benchmarks/run.py\n"
        f'PYTHONPATH="{dest}${{PYTHONPATH:+:$PYTHONPATH}}" exec "{python}" -m mkdocs "$@"\n')
    mkdocs.chmod(0o755)
    return wrapper, f"snapshot of {source} taken at the start, sha256 {hasher.hexdigest()[:12]}"


def find_qmskit(explicit: Path | None) -> Path:
    """The qmskit executable: --qmskit, else next to this Python, else on PATH."""
    candidates = [explicit] if explicit else [Path(sys.executable).parent / "qmskit"]
    on_path = shutil.which("qmskit")
    if not explicit and on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate is not None and candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise BenchError("qmskit executable not found: run this script with the venv's Python "
                     "(.venv/bin/python benchmarks/run.py) or pass --qmskit PATH")


def sizes(text: str) -> list[int]:
    """A comma-separated list of corpus sizes."""
    return [int(s) for s in text.split(",") if s.strip()]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line interface."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default="1000,10000",
                        help="comma-separated corpus sizes for the check and diff cases "
                             "(default 1000,10000; add 50000 for the large target)")
    parser.add_argument("--site-sizes", default="1000",
                        help="corpus sizes for the site case (default 1000)")
    parser.add_argument("--serve-size", type=int, default=1000,
                        help="corpus size for the serve case (default 1000)")
    parser.add_argument("--peers", action="store_true",
                        help="also run Doorstop and StrictDoc on the same corpus (the "
                             "'doorstop' and 'strictdoc' cases)")
    parser.add_argument("--peer-sizes", default="1000,5000",
                        help="corpus sizes for the Doorstop case (default 1000,5000)")
    parser.add_argument("--strictdoc-sizes", default="1000",
                        help="corpus sizes for the StrictDoc case (default 1000; add 5000)")
    parser.add_argument("--full", action="store_true",
                        help="everything: --sizes 1000,10000,50000 --site-sizes 1000,10000 "
                             "--strictdoc-sizes 1000,5000 --peers")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per case (default 5)")
    parser.add_argument("--slow-repeat", type=int, default=3,
                        help="timed runs for the site, handbook, serve and peer cases "
                             "(default 3)")
    parser.add_argument("--out", type=Path, default=HERE / "results.md",
                        help="Markdown file to write (default benchmarks/results.md)")
    parser.add_argument("--cases", default="",
                        help=f"comma-separated cases out of {', '.join(CASES)}, or 'all' "
                             f"(default {','.join(DEFAULT_CASES)}, plus "
                             f"{' and '.join(PEER_CASES)} with --peers)")
    parser.add_argument("--commits", type=int, help="commits per corpus (default max(200, N // 5))")
    parser.add_argument("--diff-commits", type=int, default=100,
                        help="the diff case compares HEAD~N with HEAD (default 100)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--timeout", type=float, default=900.0,
                        help="kill a site build (or wait no longer for mkdocs serve) after "
                             "this many seconds (default 900)")
    parser.add_argument("--cache", type=Path, default=HERE / ".corpora",
                        help="where corpora are kept (default benchmarks/.corpora)")
    parser.add_argument("--qmskit", type=Path, help="qmskit executable to time")
    parser.add_argument("--no-snapshot", dest="snapshot", action="store_false",
                        help="time the installed qmskit as it is, instead of a copy of its "
                             "source taken at the start (see snapshot_qmskit)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Generate or reuse corpora, run the chosen cases, write and print the table."""
    args = parse_args(argv)
    if args.full:
        args.sizes, args.site_sizes, args.peers = "1000,10000,50000", "1000,10000", True
        args.strictdoc_sizes = "1000,5000"
    if args.cases == "all":
        names = list(CASES)
    elif args.cases:
        names = [n.strip() for n in args.cases.split(",")]
    else:
        names = list(DEFAULT_CASES) + (list(PEER_CASES) if args.peers else [])
    unknown = [n for n in names if n not in CASES]
    if unknown or args.repeat < 1 or args.slow_repeat < 1:
        print(f"error: unknown case(s) {', '.join(unknown)}; choose from {', '.join(CASES)}"
              if unknown else "error: --repeat and --slow-repeat must be at least 1",
              file=sys.stderr)
        return 2
    try:
        qmskit = find_qmskit(args.qmskit)
        args.cache.mkdir(parents=True, exist_ok=True)
        for stale in args.cache.glob("scratch-*"):  # left by an interrupted run
            shutil.rmtree(stale, ignore_errors=True)
        timed, source = qmskit, "the installed qmskit, as the run went (--no-snapshot)"
        mkdocs_plugin = qmskit.parent / "mkdocs"
        if args.snapshot:
            timed, source = snapshot_qmskit(qmskit, args.cache)
            mkdocs_plugin = timed.parent / "mkdocs"
        python = qmskit.parent / "python"
        info = machine_info(qmskit, source)  # before the runs: the load they start under
        ctx = Context(timed, [], args.repeat, cache=args.cache, commits=args.commits,
                      mkdocs=qmskit.parent / "mkdocs", installed=qmskit,
                      seed=args.seed, site_sizes=sizes(args.site_sizes),
                      site_repeat=args.slow_repeat, peer_sizes=sizes(args.peer_sizes),
                      peer_repeat=args.slow_repeat, diff_commits=args.diff_commits,
                      timeout=args.timeout, mkdocs_plugin=mkdocs_plugin,
                      python=python if python.exists() else Path(sys.executable),
                      serve_size=args.serve_size,
                      strictdoc_sizes=sizes(args.strictdoc_sizes),
                      pair_strictdoc="strictdoc" in names)
        ctx.corpora = [ensure_corpus(args.cache, n, args.commits, args.seed, ctx.log)
                       for n in sizes(args.sizes)]
    except (BenchError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    command = f"qmskit check ROOT --today {ctx.today} --format json --no-cache|--cache"
    results: list[Result] = []
    failed = False
    page = ""
    kept = kept_notes(args.out)
    # SIGTERM ends the run like Ctrl-C: the cases' clean-up (stopping mkdocs serve,
    # restoring edited documents, removing scratch clones) runs in their finally blocks.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    for name in names:
        # One failing case (a qmskit regression, a config the snapshot does not know)
        # must not throw away the others' figures: it gets a row saying why.
        try:
            results += CASES[name](ctx)
        except (BenchError, ValueError, OSError, subprocess.CalledProcessError) as error:
            ctx.log(f"case {name} failed: {error}")
            results.append(Result(name, "–", [], note=f"FAILED: {error}".replace("\n", " ")))
            failed = True
        info["load average at end"] = load_average()
        # Written after every case, so an interrupted run still leaves its figures.
        page = render(info, ctx.corpora + ctx.extra_corpora, results, command, kept)
        args.out.write_text(page)
    print(page)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
