"""Browser tests of the site Quarto rendered: Playwright driving Debian's Chromium.

- ``target``: the real site in ``_site/`` (``make test`` renders it first when anything it is
  built from changed; without it these tests fail, they never skip);
- ``hostile_target``: the same book rendered by Quarto from a copy of ``data/`` with hostile
  text in every free-text field (`asps.site.render_copy`), in a background thread while the
  other tests run, and kept under ``build/hostile-<hash of the inputs>/`` so that a second run
  with the same inputs reuses it (``ASPS_HOSTILE_CACHE=0`` forces a new render).

One Chromium serves the whole session; each page is visited once (`visits`) with every
non-local request blocked, in the light and in the dark colour scheme, and the tests read
those visits.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import traceback
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

from asps.browse import serve
from asps.paths import DATA_DIR, ROOT
from asps.site import PROJECT_FILES, book_pages, execution_inputs, render_copy

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SITE = Path(os.environ.get("ASPS_SITE_DIR", ROOT / "_site"))
CACHE = ROOT / "build"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
SCREENSHOTS = os.environ.get("ASPS_SCREENSHOTS")
#: The phone every page must fit (an iPhone 12-14 viewport).
PHONE = {"width": 390, "height": 844}

#: Book pages in order: "index.html", "chapters/survival.html", ...
PAGES = book_pages()
SOURCES = {page: ROOT / Path(page).with_suffix(".qmd") for page in PAGES}
HOSTILE_SOURCE = Path(__file__).with_name("hostile.py")


@dataclass
class Target:
    """A folder of pages rendered by Quarto, served over HTTP."""

    name: str
    root: Path
    base_url: str

    def url(self, page: str) -> str:
        return self.base_url + page

    def html(self, page: str) -> str:
        return (self.root / page).read_text(encoding="utf-8")

    def require(self, page: str) -> None:
        """Fail for a page of the book that Quarto did not write."""
        if not (self.root / page).exists():
            pytest.fail(f"{self.name}: {page} is missing from {self.root}")

    def pages_containing(self, needle: str) -> list[str]:
        return [p for p in PAGES if (self.root / p).exists() and needle in self.html(p)]


def _input_hash() -> str:
    """Everything the hostile site depends on: what the chapters' code reads (the hash that
    invalidates Quarto's freeze), the sources Quarto renders, and the hostile-data maker."""
    digest = hashlib.sha256(execution_inputs().encode())
    files: list[Path] = [HOSTILE_SOURCE]
    for name in PROJECT_FILES:
        path = ROOT / name
        files += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for path in files:
        if path.exists() and path.name != "vega-bundle.js":
            digest.update(path.relative_to(ROOT).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass
class HostileSite:
    root: Path
    fatal: str | None = None


def _render_hostile() -> HostileSite:
    from hostile import make_hostile_data

    out = CACHE / f"hostile-{_input_hash()}"
    site, done = out / "_site", out / "rendered"
    if done.exists() and os.environ.get("ASPS_HOSTILE_CACHE", "1") != "0":
        return HostileSite(site)
    for old in CACHE.glob("hostile-*"):
        shutil.rmtree(old, ignore_errors=True)
    try:
        made = make_hostile_data(DATA_DIR, out / "data")
        render_copy(out, made.directory)
    except Exception as error:  # every hostile test reports it
        return HostileSite(site, "".join(traceback.format_exception(error)))
    done.touch()
    return HostileSite(site)


_background = ThreadPoolExecutor(1, thread_name_prefix="hostile-render")
_hostile: Future | None = None


def start_hostile_render() -> Future:
    """Render the hostile site in a thread (once): Quarto runs while the other tests do."""
    global _hostile
    if _hostile is None:
        _hostile = _background.submit(_render_hostile)
    return _hostile


def _needs_hostile(item) -> bool:
    return "hostile_target" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(config, items):
    """Run the hostile-data browser tests last, so that their render overlaps the others."""
    items.sort(key=_needs_hostile)  # stable: the order is otherwise kept


def pytest_collection_finish(session):
    if any(_needs_hostile(item) for item in session.items):
        start_hostile_render()


@pytest.fixture(scope="session")
def hostile_target() -> Iterator[Target]:
    """The book rendered by Quarto from a copy of data/ with hostile text in every free field."""
    rendered = start_hostile_render().result()
    if rendered.fatal:
        pytest.fail(f"Quarto could not render the site from hostile data:\n{rendered.fatal}")
    with serve(rendered.root) as base:
        yield Target("hostile", rendered.root, base)


@pytest.fixture(scope="session")
def target() -> Iterator[Target]:
    """The real site, ``_site/``, as Quarto rendered it."""
    if not (SITE / "index.html").exists():
        pytest.fail(
            f"no rendered site at {SITE}: run `make render` (`make test` renders it first)"
        )
    with serve(SITE) as base:
        yield Target("site", SITE, base)


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, installed from package-lock.json (``make test`` runs ``npm ci``)."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` (make test does)")
    return AXE.read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------
# One visit per page


def is_local(url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme in {"data", "blob", "about", "file"}:
        return True
    return parsed.hostname in LOCAL_HOSTS


@dataclass
class Visit:
    """What a page did when loaded with every non-local request blocked."""

    page: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # local responses >= 400
    remote: list[str] = field(default_factory=list)  # non-local requests attempted
    dialogs: list[str] = field(default_factory=list)
    charts: list[dict] = field(default_factory=list)
    stray_charts: int = 0  # vega-embed output not made by asps.setup()
    tables: int = 0
    text: str = ""  # the text of <main>, without code, scripts and chart drawings
    axe: list[dict] = field(default_factory=list)
    axe_dark: list[dict] = field(default_factory=list)  # the same page in the dark theme
    dark: bool = False  # the page switched to its dark theme for a reader who prefers dark
    phone_overflow: int = 0  # pixels the page is wider than a 390 px phone screen


CHARTS_JS = """() => {
  const marks = el => el.querySelectorAll('g.role-mark > *').length;
  const charts = [...document.querySelectorAll('.asps-chart')].map(el => {
    const desc = el.getAttribute('aria-describedby');
    const descEl = desc && document.getElementById(desc);
    const svg = el.querySelector('.asps-chart-view svg.marks, .asps-chart-view svg');
    const canvas = el.querySelector('.asps-chart-view canvas');
    return {
      id: el.id, state: el.getAttribute('data-asps-chart'),
      label: el.getAttribute('aria-label'), role: el.getAttribute('role'),
      description: descEl ? descEl.textContent.trim()
        : (svg && svg.getAttribute('aria-label')) || '',
      svg: !!svg, canvas: !!canvas, marks: svg ? marks(svg) : 0,
      error: (el.querySelector('.asps-chart-error') || {}).textContent || null,
      figure: (el.closest('[id^="fig-"]') || {}).id || null,
    };
  });
  const stray = [...document.querySelectorAll('.vega-embed')]
    .filter(e => !e.closest('.asps-chart')).length;
  // What a reader reads: the page's text without code, scripts and chart drawings.
  const main = (document.querySelector('main') || document.body).cloneNode(true);
  main.querySelectorAll('pre, code, script, style, svg, noscript').forEach(e => e.remove());
  return {charts, stray, tables: document.querySelectorAll('.asps-table table').length,
          text: main.textContent};
}"""

#: Index of the chart whose Vega view has ``signal`` (a selector's name), or -1.
FIND_CHART = """(signal) => {
  const charts = [...document.querySelectorAll('.asps-chart')];
  return charts.findIndex(el => { try { el.__aspsView.signal(signal); return true; }
                                  catch (e) { return false; } });
}"""

WAIT_CHARTS_JS = """() => [...document.querySelectorAll('.asps-chart')]
  .every(el => el.getAttribute('data-asps-chart'))"""

AXE_JS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' +
                  (n.failureSummary || '').split('\\n').slice(0, 2).join(' '))}));
}"""


def open_page(browser, target: Target, page: str, *, viewport=None, color_scheme="light"):
    """A fresh context and page with non-local requests blocked; returns (context, page, log)."""
    context = browser.new_context(
        viewport=viewport or {"width": 1280, "height": 900}, color_scheme=color_scheme
    )
    log = Visit(page)

    def route(route_):
        if is_local(route_.request.url):
            route_.continue_()
        else:
            log.remote.append(route_.request.url)
            route_.abort()

    context.route("**/*", route)
    tab = context.new_page()
    tab.on("console", lambda m: m.type == "error" and log.console_errors.append(m.text))
    tab.on("pageerror", lambda e: log.page_errors.append(str(e)))
    tab.on("dialog", lambda d: (log.dialogs.append(f"{d.type}: {d.message}"), d.dismiss()))

    def response(r):
        if r.status >= 400 and not r.url.endswith("/favicon.ico"):
            log.failed.append(f"{r.status} {r.url}")

    tab.on("response", response)
    return context, tab, log


def load(tab, target: Target, page: str, timeout: float = 15_000) -> None:
    tab.goto(target.url(page), wait_until="load")
    tab.wait_for_function(WAIT_CHARTS_JS, timeout=timeout)


class Visits:
    """Each (target, page) visited once per session."""

    def __init__(self, browser, axe_source: str) -> None:
        self.browser = browser
        self.axe_source = axe_source
        self.done: dict[tuple[str, str], Visit] = {}

    def __call__(self, target: Target, page: str) -> Visit:
        key = (target.name, page)
        if key not in self.done:
            self.done[key] = self._visit(target, page)
        return self.done[key]

    def _visit(self, target: Target, page: str) -> Visit:
        context, tab, log = open_page(self.browser, target, page)
        try:
            load(tab, target, page)
            found = tab.evaluate(CHARTS_JS)
            log.charts, log.stray_charts, log.tables, log.text = (
                found["charts"], found["stray"], found["tables"], found["text"]
            )
            tab.add_script_tag(content=self.axe_source)
            log.axe = tab.evaluate(AXE_JS)
            if SCREENSHOTS:
                _screenshot(tab, target, page, "light")
            tab.set_viewport_size(PHONE)
            tab.wait_for_timeout(150)
            log.phone_overflow = tab.evaluate(
                "() => document.documentElement.scrollWidth - window.innerWidth"
            )
            if SCREENSHOTS:
                _screenshot(tab, target, page, "phone")
        finally:
            context.close()
        # A reader whose system prefers dark gets the dark theme on a first visit.
        context, tab, dark_log = open_page(self.browser, target, page, color_scheme="dark")
        try:
            load(tab, target, page)
            log.dark = tab.evaluate("() => document.body.classList.contains('quarto-dark')")
            tab.add_script_tag(content=self.axe_source)
            log.axe_dark = tab.evaluate(AXE_JS)
            if SCREENSHOTS:
                _screenshot(tab, target, page, "dark")
                tab.set_viewport_size(PHONE)
                tab.wait_for_timeout(150)
                _screenshot(tab, target, page, "dark-phone")
        finally:
            context.close()
        for name in ("console_errors", "page_errors", "failed", "remote", "dialogs"):
            getattr(log, name).extend(getattr(dark_log, name))
        return log


def _screenshot(tab, target: Target, page: str, variant: str) -> None:
    folder = Path(SCREENSHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{target.name}-{page.replace('/', '_').removesuffix('.html')}-{variant}.png"
    tab.screenshot(path=str(folder / name), full_page=True)


@pytest.fixture(scope="session")
def visits(browser, axe_source) -> Visits:
    return Visits(browser, axe_source)
