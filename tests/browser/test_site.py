"""What only Quarto's output has: theme (light and dark), navigation, search. `_site/` only."""

from __future__ import annotations

import json
from urllib.parse import urljoin, urlparse

import pytest
from conftest import PAGES, load, open_page

pytestmark = pytest.mark.browser

QUARTO_ONLY = "theme, navigation and search exist only in Quarto's output (_site)"


@pytest.fixture
def site(target):
    if target.name != "site":
        pytest.skip(QUARTO_ONLY)
    return target


def _first_page(site) -> str:
    return next((p for p in PAGES if (site.root / p).exists()), "index.html")


def test_dark_theme_follows_the_reader(browser, site):
    page = _first_page(site)
    backgrounds = {}
    for scheme in ("light", "dark"):
        context, tab, log = open_page(browser, site, page, color_scheme=scheme)
        try:
            load(tab, site, page)
            tab.wait_for_timeout(200)
            toggle = tab.locator(".quarto-color-scheme-toggle")
            if scheme == "light" and toggle.count():
                # The toggle switches to the other theme and back.
                before = tab.evaluate("() => document.body.classList.contains('quarto-dark')")
                toggle.first.click()
                tab.wait_for_timeout(200)
                after = tab.evaluate("() => document.body.classList.contains('quarto-dark')")
                assert after != before, "the colour-scheme toggle did nothing"
                toggle.first.click()
                tab.wait_for_timeout(200)
            backgrounds[scheme] = tab.evaluate(
                "() => getComputedStyle(document.body).backgroundColor"
            )
            assert not log.page_errors and not log.remote
        finally:
            context.close()
    assert backgrounds["light"] != backgrounds["dark"], (
        f"the page looks the same in light and dark mode: {backgrounds}"
    )


def test_sidebar_links_every_chapter_and_every_link_resolves(browser, site):
    page = _first_page(site)
    context, tab, log = open_page(browser, site, page)
    try:
        load(tab, site, page)
        hrefs = tab.evaluate(
            "() => [...document.querySelectorAll('#quarto-sidebar a[href]')].map(a => a.href)"
        )
    finally:
        context.close()
    linked = {urlparse(h).path.lstrip("/") for h in hrefs if h.startswith(site.base_url)}
    missing = [p for p in PAGES if (site.root / p).exists() and p not in linked]
    assert not missing, f"pages not in the sidebar: {missing}"
    broken = [p for p in linked if p and not (site.root / p).exists()]
    assert not broken, f"sidebar links to missing files: {broken}"


def test_search_index_lists_every_page_and_search_finds_text(browser, site):
    index = site.root / "search.json"
    assert index.exists(), "search is on (book.search) but _site/search.json is missing"
    entries = json.loads(index.read_text(encoding="utf-8"))
    hrefs = {entry["href"].split("#")[0] for entry in entries}
    missing = [p for p in PAGES if (site.root / p).exists() and p not in hrefs]
    assert not missing, f"pages missing from the search index: {missing}"

    page = _first_page(site)
    context, tab, log = open_page(browser, site, page)
    try:
        load(tab, site, page)
        tab.locator("#quarto-search .aa-DetachedSearchButton, #quarto-search button").first.click()
        box = tab.locator("input.aa-Input").first
        box.fill("survival")
        tab.wait_for_selector(".aa-Item", timeout=5000)
        first = tab.locator(".aa-Item a").first.get_attribute("href")
        assert first and urljoin(site.base_url, first).startswith(site.base_url)
        assert not log.remote, log.remote
    finally:
        context.close()
