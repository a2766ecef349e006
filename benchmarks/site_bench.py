#!/usr/bin/env python3
"""Time the handbook build: the qmskit MkDocs plugin against a plain `mkdocs build`.

``python benchmarks/site_bench.py [--runs 7] [--docs 1000] [--skip-example]``

The issue's budget is that the plugin adds at most 25 % to a plain MkDocs build of the
same documents. "The same documents" is measured two ways, because both are honest:

- ``plain``: the QMS's Markdown (docs_dir plus procedures/ and objectives/ copied into
  one docs folder) built without qmskit: what a team would get without the handbook.
- ``plain-pages``: the output of ``qmskit pages`` built without qmskit: the same pages
  the plugin publishes, so the difference is the plugin's own work (load, check, git,
  page generation) rather than the builder rendering the extra content.
- ``check``: the plugin with ``pages: false`` (validation only), to split the cost.
- ``plugin``: the plugin as configured in mkdocs.yml.

Each variant runs as its own ``mkdocs build`` process (interpreter start and imports
count, as they do for a user), variants interleaved so that machine noise hits all of
them alike; the table shows the median wall time. A generated corpus
(``benchmarks/generate.py --docs N --defect-rate 0``) is built the same way, with the
example's mkdocs.yml settings.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
BIN = Path(sys.executable).parent
MKDOCS = str(BIN / "mkdocs")
QMSKIT = str(BIN / "qmskit")

#: mkdocs.yml for generated corpora: the example's theme and extensions.
CORPUS_CONFIG: dict[str, Any] = {
    "site_name": "Generated QMS",
    "docs_dir": "qms_docs",
    "theme": {"name": "material", "font": False,
              "features": ["navigation.sections", "navigation.indexes"]},
    "plugins": ["search", "qmskit"],
    "markdown_extensions": ["admonition", "attr_list", "tables", {"toc": {"permalink": True}}],
}


def _env() -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "QMSKIT_TODAY": "2026-11-24"}


def _run(args: list[str], cwd: Path | None = None) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=_env(), capture_output=True, text=True,
                          check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{done.stdout}\n{done.stderr}")
    return elapsed


def _write(path: Path, config: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def _plugins(config: dict[str, Any], qmskit: Any) -> list[Any]:
    kept = [p for p in config.get("plugins", []) if p != "qmskit"
            and not (isinstance(p, dict) and "qmskit" in p)]
    return [*kept, qmskit] if qmskit is not None else kept


def prepare(root: Path, base: dict[str, Any], work: Path) -> dict[str, list[str]]:
    """Write one mkdocs config per variant under `work`; return their build commands."""
    docs_dir = (root / base.get("docs_dir", "docs")).resolve()
    plain_docs = work / "plain" / "docs"
    shutil.copytree(docs_dir, plain_docs)
    for folder in ("procedures", "objectives"):
        if (root / folder).is_dir():
            shutil.copytree(root / folder, plain_docs / folder)
    plain = {**base, "docs_dir": str(plain_docs), "plugins": _plugins(base, None),
             "strict": False}
    check = {**base, "docs_dir": str(docs_dir),
             "plugins": _plugins(base, {"qmskit": {"root": str(root), "pages": False}})}
    full = {**base, "docs_dir": str(docs_dir),
            "plugins": _plugins(base, {"qmskit": {"root": str(root)}})}
    pages_out = work / "pages"
    subprocess.run([QMSKIT, "pages", str(pages_out), "--root", str(root), "--force",
                    "--mkdocs-config", str(_write(work / "for-pages.yml",
                                                  {**full, "docs_dir": str(docs_dir)}))],
                   env=_env(), check=True, capture_output=True)
    commands = {}
    for name, config in (("plain", plain), ("check", check), ("plugin", full)):
        commands[name] = [MKDOCS, "build", "-q", "-f", str(_write(work / f"{name}.yml", config)),
                          "-d", str(work / f"site-{name}")]
    commands["plain-pages"] = [MKDOCS, "build", "-q", "-f", str(pages_out / "mkdocs.yml"),
                               "-d", str(work / "site-plain-pages")]
    commands["qmskit pages"] = [QMSKIT, "pages", str(work / "pages2"), "--root", str(root),
                                "--force", "--mkdocs-config", str(work / "for-pages.yml")]
    return commands


def measure(title: str, commands: dict[str, list[str]], runs: int) -> None:
    """Run every variant `runs` times, interleaved, and print medians and ratios."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for args in commands.values():  # warm-up: file cache, .pyc files
        _run(args)
    for _ in range(runs):
        for name, args in commands.items():
            times[name].append(_run(args))
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"\n### {title} (median of {runs} runs, wall time per process)\n")
    print("| variant | seconds | vs plain | vs plain-pages |")
    print("|---|---|---|---|")
    for name in commands:
        vs_plain = f"{median[name] / median['plain'] - 1:+.0%}"
        vs_pages = f"{median[name] / median['plain-pages'] - 1:+.0%}"
        print(f"| {name} | {median[name]:.2f} | {vs_plain} | {vs_pages} |")


def main(argv: list[str] | None = None) -> int:
    """Benchmark the example and a generated corpus."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--docs", type=int, default=1000,
                        help="size of the generated corpus (0 to skip)")
    parser.add_argument("--skip-example", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="qmskit-site-bench-") as tmp:
        work = Path(tmp)
        if not args.skip_example:
            base = yaml.safe_load((REPO_ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
            (work / "example").mkdir()
            measure("Example QMS", prepare(REPO_ROOT, base, work / "example"), args.runs)
        if args.docs:
            corpus = work / f"corpus{args.docs}"
            subprocess.run([sys.executable, str(HERE / "generate.py"), str(corpus),
                            "--docs", str(args.docs), "--defect-rate", "0"], check=True,
                           capture_output=True)
            (work / "corpus-work").mkdir()
            commands = prepare(corpus, CORPUS_CONFIG, work / "corpus-work")
            measure(f"Generated QMS, {args.docs} documents", commands, max(3, args.runs // 2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
