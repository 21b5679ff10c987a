"""What a reader of the whole site gets: theme, navigation, search, links, footer, downloads."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest
from conftest import PAGES, load, open_page

from asps.paths import DATA_DIR
from asps.site import data_version

pytestmark = pytest.mark.browser


def test_dark_theme_follows_the_reader_and_the_toggle(browser, target):
    page = PAGES[0]
    backgrounds = {}
    for scheme in ("light", "dark"):
        context, tab, log = open_page(browser, target, page, color_scheme=scheme)
        try:
            load(tab, target, page)
            dark = tab.evaluate("() => document.body.classList.contains('quarto-dark')")
            assert dark == (scheme == "dark"), f"a reader preferring {scheme} got dark={dark}"
            backgrounds[scheme] = tab.evaluate(
                "() => getComputedStyle(document.body).backgroundColor"
            )
            toggle = tab.locator(".quarto-color-scheme-toggle").first
            toggle.click()
            tab.wait_for_timeout(200)
            after = tab.evaluate("() => document.body.classList.contains('quarto-dark')")
            assert after != dark, "the colour-scheme toggle did nothing"
            assert not log.page_errors and not log.remote
        finally:
            context.close()
    assert backgrounds["light"] != backgrounds["dark"], backgrounds


def test_sidebar_links_every_page(browser, target):
    context, tab, log = open_page(browser, target, PAGES[1])
    try:
        load(tab, target, PAGES[1])
        hrefs = tab.evaluate(
            "() => [...document.querySelectorAll('#quarto-sidebar a[href]')].map(a => a.href)"
        )
    finally:
        context.close()
    linked = set()
    for href in hrefs:
        if href.startswith(target.base_url):
            path = urlparse(href).path.lstrip("/")
            linked.add(path if path and not path.endswith("/") else path + "index.html")
    missing = [p for p in PAGES if p not in linked]
    assert not missing, f"pages not in the sidebar: {missing}"


def _title(target, page: str) -> str:
    match = re.search(r'<h1 class="title">(.*?)</h1>', target.html(page), re.DOTALL)
    assert match, f"{page} has no title"
    title = html.unescape(re.sub(r"<[^>]+>", " ", match.group(1)))
    return " ".join(re.sub(r"^\s*[\d.]+\s+", "", title).split())


@pytest.mark.parametrize("page", PAGES)
def test_search_finds_each_page_and_opens_it(browser, target, page):
    index = json.loads((target.root / "search.json").read_text(encoding="utf-8"))
    assert page in {entry["href"].split("#")[0] for entry in index}, f"{page} is not indexed"
    term = _title(target, page)
    context, tab, log = open_page(browser, target, PAGES[0])
    try:
        load(tab, target, PAGES[0])
        tab.locator("#quarto-search .aa-DetachedSearchButton, #quarto-search button").first.click()
        box = tab.locator("input.aa-Input").first
        box.fill(term)
        tab.wait_for_selector(".aa-Item", timeout=5000)
        found = tab.locator(f'.aa-Item a[href*="{page.split("/")[-1]}"]')
        assert found.count(), f"searching {term!r} does not offer {page}"
        found.first.click()
        tab.wait_for_load_state("load")
        assert urlparse(tab.url).path.lstrip("/") == page, tab.url
        assert not log.remote and not log.page_errors, (log.remote, log.page_errors)
    finally:
        context.close()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        for name in ("href", "src"):
            if attrs.get(name) and not (tag == "link" and attrs.get("rel") == "preconnect"):
                self.links.append(attrs[name])


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_internal_link_and_anchor_resolves(target):
    parsed = {page: _parse(target.root / page) for page in PAGES}
    broken = []
    for page, links in parsed.items():
        for link in links.links:
            url = urlparse(link)
            if url.scheme or link.startswith(("//", "mailto:", "javascript:", "data:")):
                continue
            path = unquote(url.path)
            file = (target.root / page).parent / path if path else target.root / page
            file = file.resolve()
            if file.is_dir():
                file = file / "index.html"
            if not file.exists():
                broken.append(f"{page}: {link}")
                continue
            if url.fragment and file.suffix == ".html":
                relative = file.relative_to(target.root.resolve()).as_posix()
                ids = parsed[relative].ids if relative in parsed else _parse(file).ids
                if url.fragment not in ids:
                    broken.append(f"{page}: {link} (no #{url.fragment})")
    assert not broken, "\n".join(broken[:30])


def test_cross_references_and_citations_resolve(target):
    # Quarto marks what it could not resolve: "?@fig-x" for a cross-reference, a citation key
    # in bold with "?" ... for a citation.
    for page in PAGES:
        html = target.html(page)
        assert "?@" not in html, f"{page}: unresolved cross-reference"
        assert 'class="quarto-unresolved-ref"' not in html, f"{page}: unresolved reference"
        for match in re.finditer(r'<span class="citation" data-cites="([^"]+)"', html):
            for key in match.group(1).split():
                assert f'id="ref-{key}"' in html, f"{page}: {key} is not in its bibliography"


def test_footer_shows_the_data_version_and_date(browser, target):
    version = data_version()
    for page in (PAGES[0], PAGES[-1]):
        footer = re.search(r'<footer class="footer">(.*?)</footer>', target.html(page), re.DOTALL)
        assert footer, f"{page} has no footer"
        text = re.sub(r"<[^>]+>", " ", footer.group(1))
        assert version.commit in text and version.date in text, text


def test_downloads_are_in_the_site_and_load(target):
    names = sorted(p.name for p in DATA_DIR.glob("*.csv")) + ["datapackage.json"]
    for name in names:
        url = urljoin(target.base_url, f"data/{name}")
        with urllib.request.urlopen(url) as response:
            assert response.status == 200, url
            body = response.read().decode("utf-8")
        if name.endswith(".csv"):
            rows = list(csv.reader(io.StringIO(body)))
            on_disk = list(csv.reader(io.StringIO((DATA_DIR / name).read_text("utf-8"))))
            assert rows == on_disk, f"{name} in the site differs from data/"
        else:
            package = json.loads(body)
            listed = {resource["path"] for resource in package["resources"]}
            assert listed >= {n for n in names if n.endswith(".csv")}, listed
    methods = next(p for p in PAGES if "methods" in p)
    links = _parse(target.root / methods).links
    for name in names:
        assert any(link.endswith(f"data/{name}") for link in links), f"{name} is not linked"
