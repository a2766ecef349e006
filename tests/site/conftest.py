"""Fixtures for the handbook tests: real MkDocs builds, a local HTTP server, a browser.

The example site is built once per session (a real `mkdocs build --strict` in a
subprocess, as a user runs it) and served from 127.0.0.1 by `http.server` in a thread.
The browser is Debian's chromium driven by Playwright; Playwright's own browser download
is never used. Without chromium the browser tests skip, except in CI (`CI` set), where a
missing browser is a failure: CI must run them.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

#: mkdocs.yml for small test QMSs: the example's theme, with the plugin.
MKDOCS_YML = """\
site_name: Test handbook
docs_dir: qms_docs
strict: true
theme:
  name: material
  font: false
plugins:
  - search
  - qmskit
markdown_extensions:
  - admonition
  - attr_list
  - tables
  - toc:
      permalink: true
"""


def build_env() -> dict[str, str]:
    """Environment for builds: without Material's end-of-life banner."""
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def mkdocs_build(config: Path, site_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Run `mkdocs build --strict` in a subprocess, exactly as `make site` does."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config),
         "-d", str(site_dir), *extra],
        capture_output=True, text=True, env=build_env(), check=False,
    )


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled example, built once per session with the repository's mkdocs.yml."""
    site = tmp_path_factory.mktemp("example-site")
    done = mkdocs_build(REPO_ROOT / "mkdocs.yml", site)
    assert done.returncode == 0, done.stderr
    return site


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log on the test output."""


@functools.cache
def _register_js() -> None:
    # Some minimal images lack a mapping for .js; the browser then refuses the module.
    import mimetypes

    mimetypes.add_type("text/javascript", ".js")
    mimetypes.add_type("image/svg+xml", ".svg")


@pytest.fixture(scope="session")
def serve() -> Iterator[Any]:
    """A function that serves a directory on 127.0.0.1 and returns its base URL."""
    _register_js()
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(directory: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(directory))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, through Playwright (skipped only outside CI)."""
    in_ci = bool(os.environ.get("CI"))
    executable = shutil.which("chromium")
    if executable is None:
        reason = "chromium is not installed (apt-get install -y chromium)"
        if in_ci:
            pytest.fail(f"{reason}; CI must run the browser tests")
        pytest.skip(reason)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if in_ci:
            pytest.fail("playwright is not installed; pip install -e '.[test]'")
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go (gitignored; CI may upload it)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
