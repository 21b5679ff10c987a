"""Page weight and time to first chart, in headless Chromium over a localhost server.

``python -m benchmarks.pages`` builds the pages from the chapters (`asps.pages.build_pages`)
and, where ``_site/`` exists, measures Quarto's output too. For each page, in a fresh browser
context (empty cache): every byte the page loads (HTML, the shared Vega bundle once, styles,
fonts), the number of requests, and the time from navigation to the first drawn chart.
Targets: under 2 MB per page and the first chart within 1 s (marked ``!`` when missed).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from asps.execute import chapters
from asps.pages import CHROMIUM, LAUNCH_ARGS, PagesError, build_pages, serve
from asps.paths import ROOT

MAX_BYTES = 2_000_000
MAX_FIRST_CHART_MS = 1000

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


def measure(browser, base: str, page: str) -> dict:
    """Load ``page`` once in a fresh context; return its bytes, requests and timings."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(FIRST_CHART_JS)
    tab = context.new_page()
    sizes: dict[str, int] = {}

    def finished(request) -> None:
        response = request.response()
        if response is not None:
            try:
                sizes[request.url] = len(response.body())
            except Exception:  # a redirect or an aborted body: counted as 0
                sizes[request.url] = 0

    tab.on("requestfinished", finished)
    try:
        tab.goto(base + page, wait_until="load")
        charts = tab.locator(".asps-chart").count()
        if charts:
            tab.wait_for_function(
                "() => [...document.querySelectorAll('.asps-chart')]"
                ".every(e => e.getAttribute('data-asps-chart'))",
                timeout=30_000,
            )
        tab.wait_for_load_state("networkidle")
        timing = tab.evaluate(
            "() => ({first: window.__firstChart, "
            "load: performance.getEntriesByType('navigation')[0].loadEventEnd})"
        )
        tables = tab.locator(".asps-table table").count()
    finally:
        context.close()
    return {
        "page": page,
        "bytes": sum(sizes.values()),
        "requests": len(sizes),
        "charts": charts,
        "tables": tables,
        "first_chart_ms": timing["first"],
        "load_ms": timing["load"],
    }


def table(target: str, rows: list[dict]) -> str:
    lines = [
        f"{target}: page{'':<28} charts tables requests      bytes  first chart   load",
    ]
    for row in rows:
        heavy = "!" if row["bytes"] > MAX_BYTES else " "
        first = row["first_chart_ms"]
        slow = "!" if first is not None and first > MAX_FIRST_CHART_MS else " "
        first_text = "       -" if first is None else f"{first:6.0f} ms"
        lines.append(
            f"  {row['page']:<36} {row['charts']:>5} {row['tables']:>6} {row['requests']:>8} "
            f"{row['bytes'] / 1e6:8.2f} MB{heavy} {first_text}{slow} {row['load_ms']:5.0f} ms"
        )
    total = max((r["bytes"] for r in rows), default=0)
    lines.append(
        f"  heaviest page {total / 1e6:.2f} MB (target < {MAX_BYTES / 1e6:.0f} MB); "
        f"first chart target < {MAX_FIRST_CHART_MS} ms; ! = target missed"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pages", description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "pages",
                        help="where to build the pages (default build/pages)")
    parser.add_argument("--no-build", action="store_true", help="measure pages built before")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"   skipped: no Chromium at {CHROMIUM} (apt-get install chromium)")
        return 0
    from playwright.sync_api import sync_playwright

    if not args.no_build:
        try:
            build_pages(ROOT, args.out)
        except PagesError as error:
            names = ", ".join(e.chapter for e in error.errors)
            print(f"   chapters that failed and are not measured: {names}")
    pages = [p.relative_to(ROOT).with_suffix(".html").as_posix() for p in chapters(ROOT)]
    targets = [("pages", args.out)]
    if (ROOT / "_site" / "index.html").exists():
        targets.append(("_site", ROOT / "_site"))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            for name, folder in targets:
                with serve(folder) as base:
                    rows = [measure(browser, base, p) for p in pages if (folder / p).exists()]
                print(table(name, rows), flush=True)
        finally:
            browser.close()
    if len(targets) == 1:
        print("   _site/ not rendered: Quarto's pages not measured")
    return 0


if __name__ == "__main__":
    sys.exit(main())
