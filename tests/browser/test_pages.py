"""Every page of the rendered site: charts draw, no error, nothing remote, accessible, clean."""

from __future__ import annotations

import json
import re

import pytest
from conftest import PAGES, SOURCES

from asps.render import chart_layouts, chart_specs

pytestmark = pytest.mark.browser

@pytest.fixture(params=PAGES)
def visit(request, target, visits):
    target.require(request.param)
    return visits(target, request.param)


def test_every_chart_renders(visit):
    broken = [c for c in visit.charts if c["state"] != "ready" or c["marks"] == 0]
    assert not broken, f"charts not drawn: {json.dumps(broken, indent=1)}"
    assert all(c["svg"] or c["canvas"] for c in visit.charts)
    assert visit.stray_charts == 0, "a chart was embedded without asps.setup() (CDN scripts?)"


def test_charts_in_html_are_all_on_the_page(target, visit):
    # Every chart the chapter output is in the DOM (none lost to escaping or bad markup).
    assert 'require.min.js' not in target.html(visit.page), "Quarto added require.js (text/html?)"
    assert target.html(visit.page).count('class="asps-chart"') == len(visit.charts)


def test_no_console_or_script_errors(visit):
    assert not visit.page_errors, visit.page_errors
    assert not visit.console_errors, visit.console_errors
    assert not visit.failed, f"local files missing: {visit.failed}"


def test_no_request_leaves_the_machine(visit):
    # Every non-local request was blocked (and still every chart rendered, above); none should
    # even be attempted.
    assert not visit.remote, f"requests to other hosts: {visit.remote}"


def test_no_serious_accessibility_violation(visit):
    assert not visit.axe, json.dumps(visit.axe, indent=1)


def test_dark_theme_for_a_reader_who_prefers_dark_and_accessible(visit):
    assert visit.dark, "a reader whose system prefers dark got the light theme"
    assert not visit.axe_dark, json.dumps(visit.axe_dark, indent=1)


FIGURE_LABEL = re.compile(r"^#\|\s*label:\s*(fig-[\w-]+)\s*$", re.MULTILINE)


def test_every_figure_cell_draws_a_chart(visit):
    labels = FIGURE_LABEL.findall(SOURCES[visit.page].read_text(encoding="utf-8"))
    drawn = {c["figure"] for c in visit.charts if c["state"] == "ready" and c["marks"] > 0}
    missing = [label for label in labels if label not in drawn]
    assert not missing, f"figure cells with no drawn chart on {visit.page}: {missing}"


# What Quarto shows for text escaped twice, a citation it could not resolve or that was built
# as text, and words that only a draft should contain. ("Not verified" in a sentence that says
# what a source does not give is a statement of uncertainty, not a placeholder.)
STRAY_ESCAPE = re.compile(r"\\[^\s]?")
UNRESOLVED = re.compile(r"\[@|\?@[\w-]+|@[a-z][\w-]*\d{4}[a-z]*\b")
CITATION_LIST = re.compile(r"\[[^\[\]]*\(\d{4}[a-z]?\)(?:; [^\[\]]*\(\d{4}[a-z]?\))+\]")
PLACEHOLDER = re.compile(
    r"\b(unverified|title not verified|todo|tbd|fixme|lorem ipsum|placeholder)\b|\[title",
    re.IGNORECASE,
)


def _hits(pattern: re.Pattern, text: str) -> list[str]:
    return [text[max(0, m.start() - 40): m.end() + 40] for m in pattern.finditer(text)][:5]


def test_text_has_no_stray_escapes_raw_citations_or_placeholders(visit):
    assert visit.text.strip(), f"{visit.page} shows no text"
    problems = {
        "stray escape characters": _hits(STRAY_ESCAPE, visit.text),
        "unresolved or literal citations": _hits(UNRESOLVED, visit.text),
        "citations rendered as a bracketed list": _hits(CITATION_LIST, visit.text),
        "placeholder words": _hits(PLACEHOLDER, visit.text),
    }
    problems = {kind: hits for kind, hits in problems.items() if hits}
    assert not problems, json.dumps(problems, indent=1, ensure_ascii=False)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("11 cases \\(16\\%\\) had R0", STRAY_ESCAPE),
        ("The series are [@lieberman1989; @portera2001].", UNRESOLVED),
        ("as shown in ?@fig-km", UNRESOLVED),
        ("The series compared are [Lieberman et al. (1989); Portera et al. (2001)].",
         CITATION_LIST),
        ("Title Not Verified", PLACEHOLDER),
    ],
)
def test_the_text_checks_can_fail(text, kind):
    assert kind.search(text)


def test_the_text_checks_pass_ordinary_prose():
    prose = "In 11 of 19 (58%) patients (Cho and Kim 2014; Portera et al. 2001), see Figure 2."
    for pattern in (STRAY_ESCAPE, UNRESOLVED, CITATION_LIST, PLACEHOLDER):
        assert not pattern.search(prose), pattern


def test_charts_have_title_and_description(visit):
    for chart in visit.charts:
        assert chart["role"] == "figure"
        assert chart["label"] and chart["label"] != "Chart", f"{chart['id']} has no title"
        assert len(chart["description"]) >= 20, f"{chart['id']} has no description"


def test_page_fits_a_phone(visit):
    # Wide charts and tables scroll inside their own box; the page itself must not.
    assert visit.phone_overflow <= 1, f"page is {visit.phone_overflow} px wider than 390 px"


# --- colour is never the only carrier of meaning ---------------------------------------------

# Vega mark properties that show a field other than by colour (position: an axis names it).
REDUNDANT = {"shape", "strokeDash", "text", "x", "y", "x2", "y2"}
COLOUR = {"fill", "stroke"}
_DATUM = re.compile(r"""datum(?:\.(\w+)|\[["'](\w+)["']\])""")


def _marks(node):
    """Every mark of a Vega spec, group marks' children included."""
    for mark in node.get("marks") or []:
        yield mark
        yield from _marks(mark)


def _fields(value) -> set[str]:
    """Fields an encoding value reads: a field, or datum.x in a signal expression."""
    if isinstance(value, list):
        return set().union(*(_fields(v) for v in value)) if value else set()
    if not isinstance(value, dict):
        return set()
    found = {value["field"]} if isinstance(value.get("field"), str) else set()
    if isinstance(value.get("signal"), str):
        found |= {a or b for a, b in _DATUM.findall(value["signal"])}
    return found


def colour_only_fields(spec) -> set[str]:
    """Fields a chart (a Vega spec) encodes by colour and by no other visible channel.

    Another channel counts if it shows the field, or a value calculated from it (a Vega
    ``formula``): a shape, a dash pattern, text on the chart, a position on an axis. A legend
    of colour swatches, or a tooltip, does not.
    """
    coloured, shown, derived = set(), set(), {}
    for data in spec.get("data") or []:
        for transform in data.get("transform") or []:
            if transform.get("type") == "formula":
                derived[transform["as"]] = {a or b for a, b in _DATUM.findall(transform["expr"])}
    for mark in _marks(spec):
        for block in (mark.get("encode") or {}).values():
            for prop, value in block.items():
                if prop in COLOUR:
                    coloured |= _fields(value)
                elif prop in REDUNDANT:
                    shown |= _fields(value)
    for name in list(shown):
        shown |= derived.get(name, set())
    return coloured - shown


@pytest.mark.parametrize("page", PAGES)
def test_colour_is_not_the_only_carrier(target, page):
    target.require(page)
    problems = {}
    for layouts in chart_layouts(target.html(page)):
        for spec in layouts:  # every layout: the phone's as well as the desktop's
            only = colour_only_fields(spec)
            if only:
                problems[str(spec.get("description", ""))[:80]] = sorted(only)
    assert not problems, f"fields shown only by colour (add shape, dash or labels): {problems}"


def test_the_colour_check_can_fail():
    import altair as alt
    import pandas as pd

    from asps.render import chart_html

    chart = alt.Chart(pd.DataFrame({"x": [1, 2], "g": ["a", "b"]})).mark_point().encode(
        x="x:Q", color="g:N"
    )
    assert colour_only_fields(chart_specs(chart_html(chart))[0]) == {"g"}
