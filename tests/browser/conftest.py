"""Browser tests: Playwright driving Debian's Chromium over two targets.

- ``pages``: every chapter executed (`asps.pages.build_pages`) into standalone pages that embed
  the same chart and table HTML as Quarto and load the shared bundle the same way;
- ``site``: Quarto's real output in ``_site/`` (skipped when absent).

Pages are built once per session and kept under ``build/browser/<hash of the inputs>/``, so a
second run with unchanged chapters, data and code does not execute the chapters again
(``ASPS_PAGES_CACHE=0`` forces a rebuild). One Chromium serves the whole session; each page is
visited once (`visit`) with every non-local request blocked, and the tests read that visit.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

from asps.execute import ChapterError, chapters
from asps.pages import (
    PagesError,
    build_pages,
    serve,
)
from asps.paths import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SITE = Path(os.environ.get("ASPS_SITE_DIR", ROOT / "_site"))
CACHE = ROOT / "build" / "browser"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
SCREENSHOTS = os.environ.get("ASPS_SCREENSHOTS")

#: Book pages in order: "index.html", "chapters/survival.html", ...
PAGES = [p.relative_to(ROOT).with_suffix(".html").as_posix() for p in chapters(ROOT)]
SOURCES = {page: ROOT / Path(page).with_suffix(".qmd") for page in PAGES}


# --------------------------------------------------------------------------------------------
# Building


def _input_hash(data_dir: Path, extra: tuple[Path, ...] = ()) -> str:
    """Everything a page depends on: chapters, config, the package, the data, library versions."""
    import altair
    import vl_convert

    digest = hashlib.sha256(f"{sys.version}|{altair.__version__}|{vl_convert.__version__}".encode())
    files = [ROOT / "_quarto.yml", *SOURCES.values(), *sorted((ROOT / "asps").rglob("*.py"))]
    files += sorted(p for p in data_dir.rglob("*") if p.is_file()) + list(extra)
    for path in files:
        digest.update(str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name)
                      .encode())
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
    return digest.hexdigest()[:16]


@dataclass
class Build:
    """Pages built from the chapters, and what failed."""

    root: Path
    errors: dict[str, str] = field(default_factory=dict)  # page -> chapter error
    fatal: str | None = None  # invalid data or a crash: nothing was built


def build_cached(
    kind: str,
    data_dir: Path,
    extra: tuple[Path, ...] = (),
    make_data: Callable[[Path], Path] | None = None,
) -> Build:
    """Build (or reuse) the pages of every chapter.

    Parameters
    ----------
    kind
        Name of the cache folder (``pages``, ``hostile``).
    data_dir
        The data the pages depend on (hashed into the cache key).
    extra
        Other files the build depends on (hashed too).
    make_data
        Writes the data to build from into the folder it is given and returns it; default
        build from ``data_dir`` itself. Called only when the cache misses.
    """
    key = _input_hash(data_dir, extra)
    out = CACHE / f"{kind}-{key}"
    done = out / "build.json"
    if done.exists() and os.environ.get("ASPS_PAGES_CACHE", "1") != "0":
        record = json.loads(done.read_text())
        return Build(out, record["errors"], record["fatal"])
    for old in CACHE.glob(f"{kind}-*"):
        shutil.rmtree(old, ignore_errors=True)
    build = Build(out)
    try:
        source = data_dir
        if make_data is not None:
            source = make_data(CACHE / f"{kind}-{key}-data")
        build_pages(ROOT, out, data_dir=source)
    except PagesError as error:
        build.errors = {_page_of(e): str(e) for e in error.errors}
    except Exception as error:  # invalid data, or a bug: every page test reports it
        build.fatal = "".join(traceback.format_exception(error)) or repr(error)
    out.mkdir(parents=True, exist_ok=True)
    # Failures are not cached: the next run tries again.
    if not build.errors and not build.fatal:
        done.write_text(json.dumps({"errors": build.errors, "fatal": build.fatal}))
    return build


def _page_of(error: ChapterError) -> str:
    return Path(error.chapter).with_suffix(".html").as_posix()


# --------------------------------------------------------------------------------------------
# Targets


@dataclass
class Target:
    """A folder of pages served over HTTP."""

    name: str
    root: Path
    base_url: str
    build: Build | None = None

    def url(self, page: str) -> str:
        return self.base_url + page

    def html(self, page: str) -> str:
        return (self.root / page).read_text(encoding="utf-8")

    def require(self, page: str) -> None:
        """Skip for a chapter not written yet; fail for one that did not build."""
        source = SOURCES.get(page)
        if source is not None and not source.exists():
            pytest.skip(f"{source.relative_to(ROOT)} does not exist yet")
        if self.build is not None:
            if self.build.fatal:
                pytest.fail(f"the pages were not built:\n{self.build.fatal}")
            if page in self.build.errors:
                pytest.fail(f"{page} did not build:\n{self.build.errors[page]}")
        if not (self.root / page).exists():
            pytest.fail(f"{self.name}: {page} is missing from {self.root}")

    def pages_containing(self, needle: str) -> list[str]:
        found = []
        for page in PAGES:
            path = self.root / page
            if path.exists() and needle in path.read_text(encoding="utf-8"):
                found.append(page)
        return found






HOSTILE_SOURCE = Path(__file__).with_name("hostile.py")
_background = ThreadPoolExecutor(1, thread_name_prefix="hostile-build")
_hostile_build: Future | None = None
_hostile_wanted = False


def start_hostile_build() -> Future:
    """Build the pages from hostile data in a thread (once): it overlaps the other tests."""
    global _hostile_build
    if _hostile_build is None:
        from hostile import make_hostile_data

        from asps.paths import DATA_DIR

        def make(folder: Path) -> Path:
            shutil.rmtree(folder, ignore_errors=True)
            return make_hostile_data(DATA_DIR, folder).directory

        _hostile_build = _background.submit(
            build_cached, "hostile", DATA_DIR, (HOSTILE_SOURCE,), make
        )
    return _hostile_build


def _needs_hostile(item) -> bool:
    return "hostile_target" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(config, items):
    """Run the hostile-data browser tests last, so that their build overlaps the others."""
    items.sort(key=_needs_hostile)  # stable: the order is otherwise kept


def pytest_collection_finish(session):
    global _hostile_wanted
    _hostile_wanted = any(_needs_hostile(item) for item in session.items)


@pytest.fixture(scope="session")
def pages_target() -> Iterator[Target]:
    from asps.paths import DATA_DIR

    build = build_cached("pages", DATA_DIR)
    if _hostile_wanted:
        start_hostile_build()
    with serve(build.root) as base:
        yield Target("pages", build.root, base, build)


@pytest.fixture(scope="session")
def hostile_pages_target() -> Iterator[Target]:
    """Pages built from a copy of data/ with hostile text in every free-text field."""
    build = start_hostile_build().result()
    with serve(build.root) as base:
        yield Target("pages", build.root, base, build)


@pytest.fixture(scope="session")
def hostile_site_target() -> Iterator[Target]:
    folder = os.environ.get("ASPS_HOSTILE_SITE")
    if not folder:
        pytest.skip(
            "no site rendered from hostile data: render with ASPS_DATA_DIR set to a copy made "
            "by `python tests/browser/hostile.py DEST`, then set ASPS_HOSTILE_SITE to its _site"
        )
    with serve(Path(folder)) as base:
        yield Target("site", Path(folder), base)


@pytest.fixture(scope="session", params=["pages", "site"])
def hostile_target(request) -> Target:
    return request.getfixturevalue(f"hostile_{request.param}_target")


@pytest.fixture(scope="session")
def site_target() -> Iterator[Target]:
    if not (SITE / "index.html").exists():
        pytest.skip(f"no rendered site at {SITE} (make render needs Quarto)")
    with serve(SITE) as base:
        yield Target("site", SITE, base)


@pytest.fixture(scope="session", params=["pages", "site"])
def target(request) -> Target:
    return request.getfixturevalue(f"{request.param}_target")


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, installed from package-lock.json with `npm ci` when missing."""
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("axe-core is missing and npm is not installed: run `npm ci`")
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=ROOT,
                              capture_output=True, text=True)
        if done.returncode or not AXE.exists():
            pytest.fail(f"`npm ci` failed:\n{done.stdout}\n{done.stderr}")
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
    axe: list[dict] = field(default_factory=list)
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
    };
  });
  const stray = [...document.querySelectorAll('.vega-embed')]
    .filter(e => !e.closest('.asps-chart')).length;
  return {charts, stray, tables: document.querySelectorAll('.asps-table table').length};
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
            log.charts, log.stray_charts, log.tables = (
                found["charts"], found["stray"], found["tables"]
            )
            tab.add_script_tag(content=self.axe_source)
            log.axe = tab.evaluate(AXE_JS)
            if SCREENSHOTS:
                _screenshot(tab, target, page, "light")
            tab.set_viewport_size({"width": 390, "height": 844})
            tab.wait_for_timeout(150)
            log.phone_overflow = tab.evaluate(
                "() => document.documentElement.scrollWidth - window.innerWidth"
            )
            if SCREENSHOTS:
                _screenshot(tab, target, page, "phone")
                if target.name == "site":
                    tab.emulate_media(color_scheme="dark")
                    tab.set_viewport_size({"width": 1280, "height": 900})
                    tab.wait_for_timeout(300)
                    _screenshot(tab, target, page, "dark")
        finally:
            context.close()
        return log


def _screenshot(tab, target: Target, page: str, variant: str) -> None:
    folder = Path(SCREENSHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{target.name}-{page.replace('/', '_').removesuffix('.html')}-{variant}.png"
    tab.screenshot(path=str(folder / name), full_page=True)


@pytest.fixture(scope="session")
def visits(browser, axe_source) -> Visits:
    return Visits(browser, axe_source)
