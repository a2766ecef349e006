#!/usr/bin/env python3
"""Time qmskit on generated corpora and on the bundled example; write a Markdown table.

``python benchmarks/run.py [--sizes 1000,10000] [--repeat 5] [--out benchmarks/results.md]``

The design promises performance figures measured on 1k and 10k document corpora, not
timed unit tests (which flake on busy CI machines). This script is the one place
those figures come from, so it also records what they depend on: machine, Python,
git and qmskit versions, and the exact corpus parameters.

Each benchmark case is a function registered in ``CASES``: it receives the shared
``Context`` and returns ``Result`` rows. New cases (diff, site build, ...) are one
function each. Corpora are generated once into ``benchmarks/.corpora/`` and reused
while their parameters and the generator's source are unchanged.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Final

HERE: Final = Path(__file__).resolve().parent
REPO_ROOT: Final = HERE.parent
GENERATOR: Final = HERE / "generate.py"
MANIFEST: Final = Path(".git") / "qmskit-bench.json"
TODAY: Final = "2026-11-24"


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

    @property
    def label(self) -> str:
        """Short name used in the tables."""
        return f"{self.docs:,} docs"

    @property
    def planted_ids(self) -> set[str]:
        """Ids of documents that carry a planted defect."""
        planted = self.manifest.get("planted", [])
        assert isinstance(planted, list)
        return {str(p["id"]) for p in planted if isinstance(p, dict)}


@dataclass
class Measurement:
    """One timed process: wall time, peak memory, exit code and what it printed."""

    seconds: float
    max_rss_kib: int
    exit_code: int
    stdout: bytes
    stderr: bytes


@dataclass
class Result:
    """One row of the results table: a case on one corpus, over several runs."""

    case: str
    target: str
    runs: list[Measurement]
    planted: set[str] | None = None
    note: str = ""

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
    """Everything a case needs: the executable, the corpora and how often to run."""

    qmskit: Path
    corpora: list[Corpus]
    repeat: int
    today: str = TODAY
    log: Callable[[str], None] = field(default=lambda text: print(text, file=sys.stderr))


# --------------------------------------------------------------------------------------
# Measuring.
# --------------------------------------------------------------------------------------


def measure(command: list[str], cwd: Path | None = None) -> Measurement:
    """Run ``command`` once; wall time from spawn to exit, peak RSS of that child only.

    ``os.wait4`` returns the rusage of exactly this child, unlike
    ``getrusage(RUSAGE_CHILDREN)`` which keeps the maximum over all earlier children.
    Output goes to temporary files so a large report cannot block on a full pipe.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        # ru_maxrss is in KiB on Linux (bytes on macOS).
        rss = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
        return Measurement(seconds, rss, proc.returncode, out.read(), err.read())


def check_command(ctx: Context, root: Path) -> list[str]:
    """The command every check case times."""
    return [str(ctx.qmskit), "check", str(root), "--today", ctx.today, "--format", "json"]


def clean_worktree(corpus: Corpus) -> None:
    """Remove untracked and ignored files (such as an on-disk cache) from a corpus.

    Only ever run on generated corpora, never on the project's own repository.
    """
    assert MANIFEST.parts[0] == ".git" and (corpus.root / MANIFEST).is_file()
    subprocess.run(["git", "clean", "-fdxq"], cwd=corpus.root, check=True)


def is_report(stdout: bytes) -> bool:
    """Whether ``stdout`` is a JSON findings report (an object or a list)."""
    try:
        return isinstance(json.loads(stdout), (dict, list))
    except ValueError:
        return False


def repeat_runs(ctx: Context, command: list[str], before: Callable[[], None] | None,
                label: str) -> list[Measurement]:
    """Run ``command`` ``ctx.repeat`` times, calling ``before`` ahead of each run."""
    runs = []
    for i in range(ctx.repeat):
        if before is not None:
            before()
        run = measure(command)
        ctx.log(f"  {label} run {i + 1}/{ctx.repeat}: {run.seconds:.2f} s, "
                f"{run.max_rss_kib / 1024:.0f} MiB, exit {run.exit_code}")
        # Exit 1 also means an uncaught exception, so a run only counts with a JSON report.
        if run.exit_code not in (0, 1) or not is_report(run.stdout):
            raise BenchError(f"{' '.join(command)} exited {run.exit_code} without a JSON "
                             f"report:\n{run.stderr.decode(errors='replace')[-2000:]}")
        runs.append(run)
    return runs


# --------------------------------------------------------------------------------------
# Cases. Each is a function Context -> list[Result], registered in CASES.
# --------------------------------------------------------------------------------------


def case_check_cold(ctx: Context) -> list[Result]:
    """``qmskit check`` in a fresh process, with untracked files (caches) removed first.

    "Cold-ish": the OS page cache stays warm (dropping it needs root and disturbs the
    machine), but nothing qmskit may have written into the work tree survives.
    """
    results = []
    for corpus in ctx.corpora:
        ctx.log(f"check-cold on {corpus.label}")
        runs = repeat_runs(ctx, check_command(ctx, corpus.root),
                           partial(clean_worktree, corpus), f"check-cold {corpus.label}")
        results.append(Result("check (cold)", corpus.label, runs, corpus.planted_ids))
    return results


def case_check_warm(ctx: Context) -> list[Result]:
    """``qmskit check`` again on an untouched corpus after one untimed warm-up run.

    Measures whatever qmskit keeps between runs; equal to the cold case while it
    keeps nothing.
    """
    results = []
    for corpus in ctx.corpora:
        ctx.log(f"check-warm on {corpus.label}")
        command = check_command(ctx, corpus.root)
        measure(command)
        runs = repeat_runs(ctx, command, None, f"check-warm {corpus.label}")
        results.append(Result("check (warm)", corpus.label, runs, corpus.planted_ids))
    return results


def case_example(ctx: Context) -> list[Result]:
    """``qmskit check`` on the example QMS at the repository root (never cleaned)."""
    ctx.log("example at the repository root")
    runs = repeat_runs(ctx, check_command(ctx, REPO_ROOT), None, "example")
    report = runs[-1].stdout
    documents = ""
    try:
        parsed = json.loads(report)
        if isinstance(parsed, dict) and "documents" in parsed:
            documents = f"{parsed['documents']} docs, "
    except ValueError:
        pass
    return [Result("check (cold)", f"example ({documents}repo root)", runs)]


CASES: Final[dict[str, Callable[[Context], list[Result]]]] = {
    "check-cold": case_check_cold,
    "check-warm": case_check_warm,
    "example": case_example,
}
DEFAULT_CASES: Final = ("check-cold", "example")


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
                  log: Callable[[str], None]) -> Corpus:
    """Reuse a cached corpus with identical parameters and generator, else generate it."""
    effective = commits if commits is not None else max(200, docs // 5)
    root = cache / f"docs{docs}-commits{effective}-seed{seed}"
    manifest = read_manifest(root)
    wanted = {"docs": docs, "commits": effective, "seed": seed, "today": TODAY}
    if manifest is not None:
        params = manifest.get("params")
        if (isinstance(params, dict) and all(params.get(k) == v for k, v in wanted.items())
                and manifest.get("generator_sha256") == generator_digest()):
            seconds = manifest.get("seconds")
            log(f"reusing {root}")
            return Corpus(root, docs, effective, seed, manifest, False,
                          float(seconds) if isinstance(seconds, (int, float)) else 0.0)
    log(f"generating {root}")
    command = [sys.executable, str(GENERATOR), str(root), "--docs", str(docs),
               "--commits", str(effective), "--seed", str(seed), "--today", TODAY, "--force"]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise BenchError(f"generating {root} failed:\n{done.stderr}")
    manifest = read_manifest(root)
    if manifest is None:
        raise BenchError(f"{root} has no manifest after generation")
    return Corpus(root, docs, effective, seed, manifest, True, seconds)


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


def machine_info(qmskit: Path) -> dict[str, str]:
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
        "load average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table; numbers are right-aligned by the caller's formatting."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def result_row(result: Result) -> list[str]:
    """One results-table row."""
    times = [run.seconds for run in result.runs]
    rss = max(run.max_rss_kib for run in result.runs) / 1024
    total, errors, warnings, ids = result.findings()
    found = "?" if total is None else f"{total} ({errors} / {warnings})"
    planted = "–"
    if result.planted is not None and total is not None:
        hit = len(result.planted & ids)
        planted = f"{hit} of {len(result.planted)}, {len(ids - result.planted)} other docs"
    codes = ",".join(str(c) for c in sorted({run.exit_code for run in result.runs}))
    return [result.case, result.target, str(len(times)), f"{statistics.median(times):.2f}",
            f"{min(times):.2f}", f"{max(times):.2f}", f"{rss:.0f}", found, planted, codes]


def render(info: dict[str, str], corpora: list[Corpus], results: list[Result],
           command: str) -> str:
    """The whole results page."""
    out = ["# qmskit benchmark results\n",
           "Generated by `python benchmarks/run.py`; see `benchmarks/README.md` for what is "
           "measured and how the corpora are built.\n",
           "## Machine\n",
           "\n".join(f"- {key}: {value}" for key, value in info.items()) + "\n",
           f"Command timed: `{command}` (a fresh process per run).\n",
           "## Corpora\n"]
    rows = []
    for c in corpora:
        counts = c.manifest.get("counts", {})
        mix = ", ".join(f"{v} {k}" for k, v in counts.items()) if isinstance(counts, dict) else ""
        planted = c.manifest.get("planted", [])
        generated = f"{c.generation_seconds:.1f}" + ("" if c.generated_now else " (cached)")
        rows.append([c.label, f"{c.commits:,}", str(c.seed), mix,
                     str(len(planted)) if isinstance(planted, list) else "?", generated])
    out.append(table(["corpus", "commits", "seed", "documents", "planted defects",
                      "generation s"], rows))
    out.append("## Results\n")
    out.append(table(["case", "target", "runs", "median s", "min s", "max s", "max RSS MiB",
                      "findings (errors / warnings)", "planted defects found", "exit"],
                     [result_row(r) for r in results]))
    out.append("Exit code 1 is expected on the corpora: their planted defects include "
               "errors (dangling links, overdue reviews).\n")
    return "\n".join(out)


# --------------------------------------------------------------------------------------
# Entry point.
# --------------------------------------------------------------------------------------


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


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line interface."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default="1000,10000",
                        help="comma-separated corpus sizes in documents (default 1000,10000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per case (default 5)")
    parser.add_argument("--out", type=Path, default=HERE / "results.md",
                        help="Markdown file to write (default benchmarks/results.md)")
    parser.add_argument("--cases", default=",".join(DEFAULT_CASES),
                        help=f"comma-separated cases out of {', '.join(CASES)}, or 'all' "
                             f"(default {','.join(DEFAULT_CASES)})")
    parser.add_argument("--commits", type=int, help="commits per corpus (default max(200, N // 5))")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--cache", type=Path, default=HERE / ".corpora",
                        help="where corpora are kept (default benchmarks/.corpora)")
    parser.add_argument("--qmskit", type=Path, help="qmskit executable to time")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Generate or reuse corpora, run the chosen cases, write and print the table."""
    args = parse_args(argv)
    names = list(CASES) if args.cases == "all" else [n.strip() for n in args.cases.split(",")]
    unknown = [n for n in names if n not in CASES]
    if unknown or args.repeat < 1:
        print(f"error: unknown case(s) {', '.join(unknown)}; choose from {', '.join(CASES)}"
              if unknown else "error: --repeat must be at least 1", file=sys.stderr)
        return 2
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
        qmskit = find_qmskit(args.qmskit)
        info = machine_info(qmskit)  # before the runs: the load average they start under
        ctx = Context(qmskit, [], args.repeat)
        ctx.corpora = [ensure_corpus(args.cache, n, args.commits, args.seed, ctx.log)
                       for n in sizes]
        results = [r for name in names for r in CASES[name](ctx)]
    except (BenchError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    command = f"qmskit check ROOT --today {ctx.today} --format json"
    page = render(info, ctx.corpora, results, command)
    args.out.write_text(page)
    print(page)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
