"""Page weight and time to first chart on the rendered site, in headless Chromium.

``python -m benchmarks.pages [SITE]`` serves ``_site/`` (or SITE) as a static host does
(`asps.browse.serve` with ``cache=True``: ``Cache-Control: max-age=600``) and visits every page
of the book twice:

- **empty cache**: each page first, in a fresh browser context, as a reader arriving from a
  search engine;
- **warm cache**: each page after the home page, in the context that has just loaded it, as a
  reader following the sidebar: files the home page fetched come from the browser's cache.

For each visit, read from Chromium's network events (DevTools protocol): the requests that
went to the network and those served from the cache, the bytes received (as served here,
uncompressed, headers included) and what gzip would make of them (a static host such as
GitHub Pages compresses HTML, CSS and JS), and the time from navigation to the first drawn
chart (``data-asps-chart="ready"``, set by `asps.render`). Targets: under 2 MB on a first
visit, first chart under 500 ms; ``!`` marks a miss.
"""

from __future__ import annotations

import argparse
import gzip
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlparse

from asps.browse import CHROMIUM, LAUNCH_ARGS, browser_unavailable, serve
from asps.paths import ROOT
from asps.site import book_pages

MAX_BYTES = 2_000_000
MAX_FIRST_CHART_MS = 500

# Time (ms since navigation) when the first chart is drawn: asps.render marks it ready.
FIRST_CHART_JS = """
window.__firstChart = null;
new MutationObserver((records, observer) => {
  if (document.querySelector('[data-asps-chart=ready]')) {
    window.__firstChart = performance.now();
    observer.disconnect();
  }
}).observe(document, {subtree: true, childList: true, attributes: true,
                      attributeFilter: ['data-asps-chart']});
"""

_GZIP: dict[Path, int] = {}


def _gzip_size(site: Path, url: str) -> int:
    """Bytes of the file behind ``url`` once gzipped (fonts and images are sent as they are)."""
    path = site / unquote(urlparse(url).path).lstrip("/")
    if path.is_dir():
        path = path / "index.html"
    if path not in _GZIP:
        try:
            body = path.read_bytes()
        except OSError:
            body = b""
        text = path.suffix in {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ""}
        _GZIP[path] = len(gzip.compress(body, 6)) if text else len(body)
    return _GZIP[path]


def visit(context, base: str, page: str, site: Path) -> dict:
    """Load ``page`` in ``context``; return what went over the network and the timings."""
    tab = context.new_page()
    cdp = context.new_cdp_session(tab)
    cdp.send("Network.enable")
    urls: dict[str, str] = {}
    received: Counter[str] = Counter()
    cached: set[str] = set()
    kinds: dict[str, str] = {}

    def sent(event: dict) -> None:
        urls[event["requestId"]] = event["request"]["url"]
        kinds[event["requestId"]] = event.get("type", "")

    def response(event: dict) -> None:
        r = event["response"]
        if r.get("fromDiskCache") or r.get("fromPrefetchCache") or r.get("fromServiceWorker"):
            cached.add(event["requestId"])

    def finished(event: dict) -> None:
        received[event["requestId"]] += int(event.get("encodedDataLength", 0))

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.responseReceived", response)
    cdp.on("Network.requestServedFromCache", lambda e: cached.add(e["requestId"]))
    cdp.on("Network.loadingFinished", finished)
    try:
        tab.goto(base + page, wait_until="load")
        charts = tab.locator(".asps-chart").count()
        if charts:
            tab.wait_for_function(
                "() => [...document.querySelectorAll('.asps-chart')]"
                ".every(e => e.getAttribute('data-asps-chart'))",
                timeout=60_000,
            )
        try:  # late requests (fonts, the search index) are counted if they come within 15 s
            tab.wait_for_load_state("networkidle", timeout=15_000)
        except Exception:  # a busy machine: measure what arrived
            pass
        timing = tab.evaluate(
            "() => ({first: window.__firstChart, "
            "load: performance.getEntriesByType('navigation')[0].loadEventEnd})"
        )
    finally:
        tab.close()
    network = [rid for rid in urls if rid not in cached and urls[rid].startswith(base)]
    return {
        "page": page,
        "charts": charts,
        "requests": len(network),
        "cached": len([rid for rid in urls if rid in cached]),
        "bytes": sum(received[rid] for rid in network),
        "gzip": sum(_gzip_size(site, urls[rid]) for rid in network),
        "first_chart_ms": timing["first"],
        "load_ms": timing["load"],
        "largest": sorted(
            ((received[rid], urls[rid].removeprefix(base)) for rid in network), reverse=True
        )[:3],
    }


def measure(site: Path, pages: list[str]) -> tuple[list[dict], list[dict]]:
    """Every page with an empty cache, then every page after the home page (warm cache)."""
    from playwright.sync_api import sync_playwright

    cold, warm = [], []
    with sync_playwright() as playwright, serve(site, cache=True) as base:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        options = {"viewport": {"width": 1280, "height": 900}}
        try:
            for page in pages:
                context = browser.new_context(**options)
                context.add_init_script(FIRST_CHART_JS)
                try:
                    visit(context, base, page, site)  # a throw-away visit warms the server
                finally:
                    context.close()
                context = browser.new_context(**options)
                context.add_init_script(FIRST_CHART_JS)
                try:
                    cold.append(visit(context, base, page, site))
                finally:
                    context.close()
            for page in pages:
                context = browser.new_context(**options)
                context.add_init_script(FIRST_CHART_JS)
                try:
                    visit(context, base, pages[0], site)
                    warm.append(visit(context, base, page, site))
                finally:
                    context.close()
        finally:
            browser.close()
    return cold, warm


def table(title: str, rows: list[dict], *, targets: bool) -> str:
    lines = [
        f"  {title}",
        f"  {'page':<32} charts requests cached      bytes    gzip  first chart    load",
    ]
    for row in rows:
        heavy = "!" if targets and row["bytes"] > MAX_BYTES else " "
        first = row["first_chart_ms"]
        slow = "!" if first is not None and first > MAX_FIRST_CHART_MS else " "
        first_text = "        -" if first is None else f"{first:6.0f} ms"
        lines.append(
            f"  {row['page']:<32} {row['charts']:>6} {row['requests']:>8} {row['cached']:>6} "
            f"{row['bytes'] / 1e6:7.2f} MB{heavy}{row['gzip'] / 1e6:5.2f} MB {first_text}{slow}"
            f"{row['load_ms']:6.0f} ms"
        )
    heaviest = max(rows, key=lambda r: r["bytes"], default=None)
    if heaviest and targets:
        parts = ", ".join(f"{name} {size / 1e6:.2f} MB" for size, name in heaviest["largest"])
        lines.append(f"  heaviest: {heaviest['page']} ({parts})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pages", description=__doc__)
    parser.add_argument(
        "site",
        nargs="?",
        type=Path,
        default=ROOT / "_site",
        help="the rendered site (default _site/)",
    )
    args = parser.parse_args(argv)
    why = browser_unavailable()
    if why:
        print(f"   not measured: {why}")
        return 1
    site = args.site.resolve()
    pages = [p for p in book_pages() if (site / p).exists()]
    missing = [p for p in book_pages() if p not in pages]
    if not pages:
        print(f"   not measured: no rendered pages in {site} (make render)")
        return 1
    if missing:
        print(f"   not rendered, not measured: {', '.join(missing)}")
    cold, warm = measure(site, pages)
    print(f"   {site} served as a static host would (Cache-Control: max-age=600)")
    print(table("empty cache (first visit)", cold, targets=True))
    print(table(f"warm cache (after {pages[0]})", warm, targets=False))
    worst = max(r["bytes"] for r in cold)
    firsts = [r["first_chart_ms"] for r in cold if r["first_chart_ms"] is not None]
    slowest = max(firsts, default=0)
    print(
        f"   targets: first visit < {MAX_BYTES / 1e6:.0f} MB (heaviest {worst / 1e6:.2f} MB), "
        f"first chart < {MAX_FIRST_CHART_MS} ms (slowest {slowest:.0f} ms); ! = missed"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
