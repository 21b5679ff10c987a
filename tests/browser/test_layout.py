"""Every chart and table of `_site/` fits every screen, from a 320 px phone to a 1920 px desktop.

Each page is opened once per colour scheme at 1920 px, then narrowed step by step to 320 px,
so the charts must also redraw when their box changes (``assets/charts.js``). At each width:
every chart's drawing lies inside its box and the viewport, was drawn for that box width, has
no text under 11 px and none under 4.5:1 contrast against the page, its selector lies inside its
box, and the page does not scroll sideways. The Kaplan-Meier chart's time axis reaches the
longest follow-up in ``data/patients.csv``; wide tables scroll inside their box, say so, and keep
their first column in view with an opaque background.
"""

from __future__ import annotations

import math

import pytest
from conftest import FIND_CHART, PAGES, load, open_page

from asps.loading import load as load_table

WIDTHS = (1920, 1280, 768, 390, 320)
SCHEMES = ("light", "dark")
#: Pages whose charts are measured (the rest are checked for sideways scrolling only).
KM_PAGE = "chapters/survival.html"

FITTED_JS = """() => [...document.querySelectorAll('.asps-chart')].every(el =>
  el.getAttribute('data-asps-chart') === 'error' ||
  el.getAttribute('data-asps-width') === String(Math.floor(el.getBoundingClientRect().width)))"""

LAYOUT_JS = """() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.99)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const contrast = (fg, bg) => {
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
  };
  const opacity = (el, stop) => {
    let o = 1;
    for (let e = el; e && e !== stop; e = e.parentElement) {
      const s = getComputedStyle(e);
      o *= parseFloat(s.opacity || 1);
    }
    return o;
  };
  const vw = document.documentElement.clientWidth;
  const charts = [...document.querySelectorAll('.asps-chart')].map(el => {
    const box = el.getBoundingClientRect();
    const svg = el.querySelector('.asps-chart-view svg');
    const s = svg ? svg.getBoundingClientRect() : null;
    const bg = background(el);
    const texts = svg ? [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()) : [];
    const small = [], faint = [];
    for (const t of texts) {
      const st = getComputedStyle(t);
      const size = parseFloat(st.fontSize);
      if (size < 11) small.push(`${t.textContent.slice(0, 30)} (${size}px)`);
      const alpha = opacity(t, svg) * parseFloat(st.fillOpacity || 1);
      if (alpha < 0.5) continue;  // deliberately faded: a group the legend has set aside
      const fill = rgb(st.fill);
      if (fill.length < 3) continue;
      const mixed = fill.slice(0, 3).map((c, i) => c * alpha + bg[i] * (1 - alpha));
      const ratio = contrast(mixed, bg);
      if (ratio < 4.5) faint.push(`${t.textContent.slice(0, 30)} (${ratio.toFixed(2)}:1)`);
    }
    const controls = [...el.querySelectorAll('.vega-bindings input, .vega-bindings select')]
      .map(c => c.getBoundingClientRect())
      .filter(r => r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1));
    let lastTick = null;
    if (svg) {
      const axis = [...svg.querySelectorAll('g.role-axis')].find(a =>
        (a.getAttribute('aria-label') || '').includes('Months since diagnosis'));
      if (axis) {
        const values = [...axis.querySelectorAll('.role-axis-label text')]
          .map(t => parseFloat(t.textContent)).filter(v => !isNaN(v));
        lastTick = values.length ? Math.max(...values) : null;
      }
    }
    return {
      id: el.id, state: el.getAttribute('data-asps-chart'),
      box: [box.left, box.right], drawn: s ? [s.left, s.right] : null,
      fittedTo: el.getAttribute('data-asps-width'), small, faint,
      controlsOutside: controls.length, lastTick, vw,
    };
  });
  const tables = [...document.querySelectorAll('.asps-table-sticky')].map(t => {
    const scroll = t.querySelector('.asps-table-scroll');
    const first = t.querySelector('tbody tr:not([hidden]) > :first-child');
    const style = first ? getComputedStyle(first) : null;
    const more = t.querySelector('.asps-table-more');
    return {
      id: t.id, scrolls: scroll.scrollWidth > scroll.clientWidth + 2,
      cue: !!more && !more.hidden && more.getBoundingClientRect().height > 0,
      sticky: style ? style.position : null,
      opaque: style ? rgb(style.backgroundColor).length === 3 ||
        rgb(style.backgroundColor)[3] > 0.99 : null,
      right: t.getBoundingClientRect().right, vw,
    };
  });
  return {overflow: document.documentElement.scrollWidth - window.innerWidth, charts, tables};
}"""


#: The factor chosen on the Kaplan-Meier chart before narrowing: it must survive the phone
#: layout and the way back.
KM_FACTOR = "margin"
#: Width the screen is widened back to after 320 px (key ``-WIDENED``).
WIDENED = 1280


@pytest.fixture(scope="session")
def layouts(browser, target) -> dict[tuple[str, str, int], dict]:
    """(page, scheme, width) -> what LAYOUT_JS measured, narrowing one tab per page, then
    widening it again (width ``-WIDENED``)."""
    out: dict[tuple[str, str, int], dict] = {}
    for scheme in SCHEMES:
        for page in PAGES:
            target.require(page)
            context, tab, log = open_page(
                browser, target, page, viewport={"width": WIDTHS[0], "height": 900},
                color_scheme=scheme,
            )
            try:
                load(tab, target, page)
                if page == KM_PAGE:
                    tab.check(f".asps-chart input[type=radio][value='{KM_FACTOR}']")
                for width in (*WIDTHS, -WIDENED):
                    tab.set_viewport_size({"width": abs(width), "height": 900})
                    tab.wait_for_function(FITTED_JS, timeout=15_000)
                    tab.wait_for_timeout(50)
                    out[(page, scheme, width)] = tab.evaluate(LAYOUT_JS)
                    index = tab.evaluate(FIND_CHART, "factor")
                    out[(page, scheme, width)]["factor"] = None if index < 0 else (
                        tab.locator(".asps-chart").nth(index)
                        .evaluate("el => el.__aspsView.signal('factor')")
                    )
            finally:
                context.close()
            assert not log.page_errors, f"{page} ({scheme}): {log.page_errors}"
    return out


CASES = [(p, s, w) for s in SCHEMES for p in PAGES for w in (*WIDTHS, -WIDENED)]


def _id(case) -> str:
    page, scheme, width = case
    size = f"{width}" if width > 0 else f"{-width}-widened-again"
    return f"{page.removesuffix('.html').split('/')[-1]}-{scheme}-{size}"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_page_never_scrolls_sideways(layouts, case):
    assert layouts[case]["overflow"] <= 0, f"{case}: {layouts[case]['overflow']} px too wide"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_every_chart_fits_its_box_and_the_screen(layouts, target, case):
    # Every chart of the page is measured: none may vanish and pass unseen.
    expected = target.html(case[0]).count('class="asps-chart-spec"')
    assert len(layouts[case]["charts"]) == expected, f"{case}: charts drawn"
    problems = []
    for chart in layouts[case]["charts"]:
        if chart["state"] != "ready" or chart["drawn"] is None:
            problems.append(f"{chart['id']}: not drawn ({chart['state']})")
            continue
        (box_left, box_right), (left, right) = chart["box"], chart["drawn"]
        if left < box_left - 1 or right > box_right + 1:
            problems.append(
                f"{chart['id']}: drawing {left:.0f}-{right:.0f} px, box {box_left:.0f}-"
                f"{box_right:.0f} px"
            )
        if right > chart["vw"] + 1:
            problems.append(f"{chart['id']}: drawing ends at {right:.0f}, screen {chart['vw']}")
        if chart["fittedTo"] != str(math.floor(box_right - box_left)):
            problems.append(f"{chart['id']}: drawn for {chart['fittedTo']} px")
        if chart["controlsOutside"]:
            problems.append(f"{chart['id']}: {chart['controlsOutside']} controls outside the box")
    assert not problems, f"{case}: {problems}"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_chart_text_is_legible(layouts, case):
    small = [t for c in layouts[case]["charts"] for t in c["small"]]
    faint = [t for c in layouts[case]["charts"] for t in c["faint"]]
    assert not small, f"{case}: text under 11 px: {small[:8]}"
    assert not faint, f"{case}: text under 4.5:1 contrast: {faint[:8]}"


@pytest.mark.parametrize("case", [c for c in CASES if c[0] == KM_PAGE], ids=_id)
def test_km_time_axis_reaches_the_longest_follow_up(layouts, case):
    longest = float(load_table("patients")["followup_months"].max())
    (km,) = [c for c in layouts[case]["charts"] if c["lastTick"] is not None]
    assert km["lastTick"] >= longest, f"{case}: last tick {km['lastTick']}, follow-up {longest}"


@pytest.mark.parametrize("case", [c for c in CASES if 0 < c[2] <= 390], ids=_id)
def test_wide_tables_scroll_in_their_box_with_a_cue_and_a_sticky_first_column(layouts, case):
    for table in layouts[case]["tables"]:
        assert table["right"] <= table["vw"] + 1, f"{case}: {table['id']} wider than the screen"
        assert table["sticky"] == "sticky" and table["opaque"], f"{case}: {table}"
        if table["scrolls"]:
            assert table["cue"], f"{case}: {table['id']} scrolls with no visible cue"


@pytest.mark.parametrize("case", [c for c in CASES if c[0] == KM_PAGE], ids=_id)
def test_the_chosen_factor_survives_every_layout(layouts, case):
    assert layouts[case]["factor"] == KM_FACTOR, case


@pytest.mark.parametrize("width", [390, 1280])
def test_km_chart_fits_for_every_factor(browser, target, width):
    # A factor changes the legend and the risk table's labels: the chart re-measures.
    context, tab, log = open_page(browser, target, KM_PAGE,
                                  viewport={"width": width, "height": 900})
    try:
        load(tab, target, KM_PAGE)
        radios = tab.locator(".asps-chart input[type=radio]")
        assert radios.count() >= 2
        for i in range(radios.count()):
            radios.nth(i).check()
            tab.wait_for_timeout(400)
            tab.wait_for_function(FITTED_JS, timeout=15_000)
            charts = tab.evaluate(LAYOUT_JS)["charts"]
            for chart in charts:
                (box_left, box_right), (left, right) = chart["box"], chart["drawn"]
                assert box_left - 1 <= left and right <= box_right + 1, (i, chart)
    finally:
        context.close()
    assert not log.page_errors and not log.console_errors, log


def test_the_phone_pages_have_wide_tables_to_check(layouts):
    # The table checks above would pass vacuously on a site without sticky tables.
    assert any(layouts[(p, "light", 390)]["tables"] for p in PAGES)
    assert any(t["scrolls"] for p in PAGES for t in layouts[(p, "light", 390)]["tables"])
