"""The interactive parts work in the browser: KM chart, forest plot, marker filter, tables."""

from __future__ import annotations

import pytest
from conftest import FIND_CHART, load, open_page

from asps.forest import PARAM as FOREST_PARAM

pytestmark = pytest.mark.browser

# Vega-Lite writes a param named "factor" and a legend-bound selection "pick" (asps.km_chart).
KM_NEEDLE = '"name":"pick"'
FOREST_NEEDLE = f'"name":"{FOREST_PARAM}"'
FILTER_NEEDLE = 'class="dd-filter'
TABLE_NEEDLE = 'type="search"'


def _pages(target, needle: str, what: str) -> list[str]:
    found = target.pages_containing(needle)
    if not found:
        pytest.fail(f"no page of {target.name} has {what}")
    return found


@pytest.fixture
def tab(browser, target):
    opened = []

    def open_(page: str):
        context, page_, log = open_page(browser, target, page)
        opened.append(context)
        load(page_, target, page)
        return page_, log

    yield open_
    for context in opened:
        context.close()


def _chart(page, signal: str):
    index = page.evaluate(FIND_CHART, signal)
    assert index >= 0, f"no chart with a '{signal}' parameter rendered"
    return page.locator(".asps-chart").nth(index)


def _legend_labels(chart) -> list[str]:
    return chart.locator(".role-legend-label text").all_text_contents()


LINE_OPACITY = """el => [...el.querySelectorAll('g.mark-line.role-mark path')]
  .filter(p => (p.getAttribute('d') || '').length > 2)
  .map(p => parseFloat(p.getAttribute('opacity') ?? p.getAttribute('stroke-opacity') ?? '1'))"""


def test_km_factor_selector_switches_curves(target, tab):
    page, log = tab(_pages(target, KM_NEEDLE, "the Kaplan-Meier chart")[0])
    chart = _chart(page, "factor")
    radios = chart.locator(".vega-bindings input[type=radio]")
    assert radios.count() >= 2, "the factor selector offers fewer than two factors"
    before = _legend_labels(chart)
    radios.nth(1).check()
    page.wait_for_timeout(200)
    value = radios.nth(1).get_attribute("value")
    assert chart.evaluate("el => el.__aspsView.signal('factor')") == value
    after = _legend_labels(chart)
    assert after and after != before, f"legend stayed {before} after choosing {value}"
    assert not log.page_errors and not log.console_errors


def test_km_legend_click_isolates_a_group(target, tab):
    page, log = tab(_pages(target, KM_NEEDLE, "the Kaplan-Meier chart")[0])
    chart = _chart(page, "factor")
    radios = chart.locator(".vega-bindings input[type=radio]")
    # The first factor with at least two groups.
    for number in range(radios.count()):
        radios.nth(number).check()
        page.wait_for_timeout(100)
        if len(_legend_labels(chart)) >= 2:
            break
    else:
        pytest.fail("no factor has two groups")
    assert all(o == 1 for o in chart.evaluate(LINE_OPACITY))
    # The label, not the symbol: a line symbol has no height, so it is not "visible" to clicks.
    chart.locator(".role-legend-label text").first.click()
    page.wait_for_timeout(200)
    opacities = chart.evaluate(LINE_OPACITY)
    assert opacities.count(1) == 1 and len(opacities) >= 2, (
        f"after a legend click line opacities are {opacities}: one group should stand out"
    )
    assert not log.page_errors


def test_km_hover_shows_survival_and_number_at_risk(target, tab):
    page, log = tab(_pages(target, KM_NEEDLE, "the Kaplan-Meier chart")[0])
    chart = _chart(page, "factor")
    line = chart.locator("g.mark-line.role-mark path").first
    box = line.bounding_box()
    assert box, "no survival curve drawn"
    tooltip = page.locator("#vg-tooltip-element")
    for fraction in (0.3, 0.5, 0.7, 0.1):
        x = box["x"] + box["width"] * fraction
        y = box["y"] + box["height"] * 0.5
        page.mouse.move(x, y - 40, steps=2)
        page.mouse.move(x, y, steps=4)
        page.wait_for_timeout(150)
        if tooltip.count() and "visible" in (tooltip.get_attribute("class") or ""):
            break
    text = tooltip.text_content() if tooltip.count() else ""
    assert "Surviving" in text and "At risk" in text, f"tooltip shows {text!r}"
    assert not log.page_errors


def test_forest_selector_switches_figure(target, tab):
    page, log = tab(_pages(target, FOREST_NEEDLE, "the forest plot")[0])
    chart = _chart(page, FOREST_PARAM)
    select = chart.locator(".vega-bindings select")
    options = select.locator("option")
    assert options.count() >= 2, "the forest plot offers fewer than two figures"
    before = chart.locator("svg").first.text_content()
    current = select.input_value()
    other = next(
        v for v in (options.nth(i).get_attribute("value") for i in range(options.count()))
        if v != current
    )
    select.select_option(other)
    page.wait_for_timeout(200)
    assert chart.evaluate(f"el => el.__aspsView.signal('{FOREST_PARAM}')") == other
    assert chart.locator("svg").first.text_content() != before, "the plot did not change"
    assert not log.page_errors and not log.console_errors


def test_marker_filter_excludes_by_stain(target, tab):
    page, log = tab(_pages(target, FILTER_NEEDLE, "the marker filter")[0])
    widget = page.locator(".dd-filter").first
    rows = widget.locator("table.dd-results tbody tr")
    assert rows.count() >= 2
    assert widget.locator("tr[data-status=excluded]").count() == 0
    summary = widget.locator(".dd-summary").text_content()
    # ASPS is TFE3-positive: a negative TFE3 result must exclude it, and say why in words.
    widget.locator("select[data-marker=tfe3]").select_option("negative")
    page.wait_for_timeout(100)
    asps = widget.locator("tr[data-entity=asps]")
    assert asps.get_attribute("data-status") == "excluded"
    assert "Excluded by" in asps.text_content() and "TFE3" in asps.text_content()
    assert widget.locator(".dd-summary").text_content() != summary
    widget.locator("button[type=reset]").click()
    page.wait_for_timeout(100)
    assert widget.locator("tr[data-status=excluded]").count() == 0
    assert not log.page_errors


EXERCISE_TABLES_JS = r"""() => {
  // For every searchable table: search for a word some rows lack, then sort by the first
  // column both ways, as a reader would (input and click events on the real controls).
  const NUM = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
  const cmp = (a, b) => (NUM.test(a) && NUM.test(b)) ? parseFloat(a) - parseFloat(b)
    : a.localeCompare(b, undefined, {numeric: true, sensitivity: 'base'});
  const key = r => { const c = r.cells[0];
                     return c ? (c.getAttribute('data-sort') ?? c.textContent.trim()) : ''; };
  const sorted = (keys, dir) => { const k = keys.filter(x => x !== '');
    return k.every((x, i) => i === 0 || dir * cmp(k[i - 1], x) <= 0); };
  const results = [];
  for (const root of document.querySelectorAll('.asps-table')) {
    const input = root.querySelector('input[type=search]');
    if (!input) continue;
    const rows = [...root.querySelectorAll('tbody tr')];
    if (rows.length < 2) continue;
    const texts = rows.map(r => r.textContent.toLowerCase());
    let term = null;
    for (const text of texts.slice(0, 5)) {
      const words = [...new Set(text.split(/\s+/))].filter(w => /^[\p{L}\p{N}]{4,}$/u.test(w))
        .sort((a, b) => b.length - a.length).slice(0, 40);
      term = words.find(w => !texts.every(t => t.includes(w)));
      if (term) break;
    }
    const result = {id: root.id, rows: rows.length, term};
    if (term) {
      input.value = term;
      input.dispatchEvent(new Event('input', {bubbles: true}));
      const shown = rows.filter(r => !r.hidden);
      result.shown = shown.length;
      result.allMatch = shown.every(r => r.textContent.toLowerCase().includes(term));
      result.status = (root.querySelector('.asps-table-status') || {}).textContent;
      input.value = '';
      input.dispatchEvent(new Event('input', {bubbles: true}));
    }
    const th = root.querySelector('thead th'), button = th.querySelector('button');
    button.click();
    if (th.getAttribute('aria-sort') !== 'ascending') button.click();  // sorted before
    result.ascending = th.getAttribute('aria-sort') === 'ascending' &&
      sorted([...root.querySelectorAll('tbody tr')].map(key), 1);
    button.click();
    result.descending = th.getAttribute('aria-sort') === 'descending' &&
      sorted([...root.querySelectorAll('tbody tr')].map(key), -1);
    results.push(result);
  }
  return results;
}"""


def test_tables_search_and_sort(target, tab):
    pages = _pages(target, TABLE_NEEDLE, "a searchable table")
    # One table with Playwright's own typing and clicking, as a reader would.
    page, log = tab(pages[0])
    table = page.locator(".asps-table:has(input[type=search])").first
    rows = table.locator("tbody tr")
    total = rows.count()
    table.locator("input[type=search]").fill("zzzz-no-such-text")
    assert table.locator("tbody tr:not([hidden])").count() == 0
    assert table.locator(".asps-table-empty").is_visible()
    table.locator("input[type=search]").fill("")
    assert table.locator("tbody tr:not([hidden])").count() == min(
        total, int(table.get_attribute("data-page-length") or 0) or total
    )
    header = table.locator("thead th").first
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    # Every table on every page, through the same controls.
    tested, problems = 0, []
    for number, page_name in enumerate(pages):
        if number:
            page, log = tab(page_name)
        for result in page.evaluate(EXERCISE_TABLES_JS):
            tested += 1
            where = f"{page_name} #{result['id']}"
            if result["term"] and not (result["allMatch"] and result["shown"] < result["rows"]):
                problems.append(f"{where}: searching {result['term']!r} gave {result}")
            if not (result["ascending"] and result["descending"]):
                problems.append(f"{where}: sorting by the first column failed: {result}")
        assert not log.page_errors, log.page_errors
    assert tested, "no table with two or more rows to test"
    assert not problems, "\n".join(problems)
