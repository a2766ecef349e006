#!/usr/bin/env python3
"""Check a built handbook in headless Chromium: pages load, nothing foreign, map clicks.

``.venv/bin/python benchmarks/site_browser.py SITE [--sample 150]``

The checks of tests/site/test_site_browser.py, run on a site too large for the test
suite (the 1,000-document handbook of the benchmark corpus): serve SITE from
127.0.0.1, open a sample of its pages (every generated System page, the home page, and
evenly spaced others up to ``--sample``) and record console errors, failed requests,
responses of 400 and more and any request to another host (aborted, never sent); then
open the strategy map, check that it shows a node for documents and that clicking one
opens that document's page. Prints one line per check and exits 1 if any failed.

Needs Debian's ``chromium`` and the ``playwright`` package (qmskit's test extra);
Playwright's own browser download is never used.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import mimetypes
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log."""


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that leaves a page drops its pending requests: not an error here."""


def pages_of(site: Path) -> list[str]:
    """Every page's URL path relative to the site root ("" is the home page)."""
    return sorted(p.parent.relative_to(site).as_posix() + "/" if p.parent != site else ""
                  for p in site.rglob("index.html"))


def sample(urls: list[str], size: int) -> list[str]:
    """The System pages, the home page, and evenly spaced others, `size` at most."""
    chosen = [u for u in urls if u in ("", "system/") or
              (u.startswith("system/") and u.count("/") == 2)]
    rest = [u for u in urls if u not in chosen]
    step = max(1, len(rest) // max(1, size - len(chosen)))
    return chosen + rest[::step][:max(0, size - len(chosen))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--sample", type=int, default=150)
    args = parser.parse_args()
    executable = shutil.which("chromium")
    if executable is None:
        print("chromium is not installed", file=sys.stderr)
        return 2
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    mimetypes.add_type("text/javascript", ".js")
    mimetypes.add_type("image/svg+xml", ".svg")
    handler = functools.partial(_Quiet, directory=str(args.site))
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    origin = urlsplit(base).netloc
    problems: list[str] = []
    foreign: list[str] = []
    failures = 0
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=ARGS)
            context = browser.new_context(viewport={"width": 1400, "height": 1000})

            def route(handle: Any) -> None:
                url = handle.request.url
                if urlsplit(url).netloc != origin and not url.startswith(("data:", "blob:")):
                    foreign.append(url)
                    handle.abort()
                else:
                    handle.continue_()

            context.route("**/*", route)
            tab = context.new_page()
            # The KPI dashboard of 1,000 documents is 2 MB of inline SVG: on a busy
            # machine it takes longer than Playwright's 30-second default to load.
            tab.set_default_timeout(300_000)
            tab.on("console", lambda m: problems.append(f"console {m.text} @ {tab.url}")
                   if m.type == "error" else None)
            tab.on("pageerror", lambda e: problems.append(f"pageerror {e} @ {tab.url}"))
            tab.on("requestfailed", lambda r: problems.append(f"failed {r.url}")
                   if urlsplit(r.url).netloc == origin and "ERR_ABORTED" not in str(r.failure)
                   else None)
            tab.on("response", lambda r: problems.append(f"{r.url} -> {r.status}")
                   if r.status >= 400 else None)
            urls = pages_of(args.site)
            chosen = sample(urls, args.sample)
            start = time.monotonic()
            for url in chosen:
                tab.goto(base + url, wait_until="load")
            seconds = time.monotonic() - start
            ok = not problems and not foreign
            failures += not ok
            print(f"{'ok' if ok else 'FAILED'}: {len(chosen)} of {len(urls)} pages loaded "
                  f"in {seconds:.1f} s; {len(problems)} problems, {len(foreign)} foreign "
                  f"requests {problems[:5] + foreign[:5]}")
            tab.goto(base + "system/strategy-map/", wait_until="load")
            svg = tab.locator("svg#qms-strategy-map")
            visible = svg.is_visible()
            nodes = svg.locator("a.qms-node").evaluate_all(
                "nodes => nodes.map(n => [n.getAttribute('data-id'), n.getAttribute('href')])")
            objective = next((n for n in nodes if str(n[0]).startswith("OBJ-")), None)
            clicked = False
            if objective is not None:
                svg.locator(f'a.qms-node[data-id="{objective[0]}"]').click()
                try:
                    tab.wait_for_url(f"**/{objective[0]}/", timeout=30_000)
                    clicked = tab.locator("article h1").first.is_visible()
                except PlaywrightError:
                    clicked = False
            ok = visible and len(nodes) > 0 and clicked and not foreign
            failures += not ok
            print(f"{'ok' if ok else 'FAILED'}: strategy map visible: {visible}, "
                  f"{len(nodes)} nodes; clicking {objective[0] if objective else '-'} "
                  f"opened {tab.url}")
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
