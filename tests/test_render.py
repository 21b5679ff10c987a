"""asps.render (offline chart HTML, the bundle) and asps.pages (pages built from chapters)."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import altair as alt
import nbformat
import pandas as pd
import pytest

from asps import execute, render
from asps.pages import PagesError, build_pages, offset_for, serve

FIXTURE = Path(__file__).parent / "fixtures" / "pages"
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
HOSTILE = "</script><script>alert(1)</script><!-- \u2028 & \"quotes\""


def spec(**extra):
    return {"$schema": SCHEMA, "mark": "point", "data": {"values": [{"a": HOSTILE}]}, **extra}


def test_chart_html_is_recognised_by_the_harness_as_a_chart():
    page = render.chart_html(spec(title="T"), chart_id="c1")
    output = nbformat.v4.new_output("display_data", data={"text/html": page})
    assert execute._is_vega_lite(output)


def test_data_cannot_end_the_script_early():
    page = render.chart_html(spec(title=HOSTILE, description=HOSTILE), chart_id="c1")
    assert page.count("</script>") == 1 and page.endswith("</script>")
    assert "<!--" not in page and "\u2028" not in page
    assert render.chart_specs(page) == [spec(title=HOSTILE, description=HOSTILE)]


def test_title_and_description_label_the_container():
    page = render.chart_html(
        spec(title={"text": "Survival", "subtitle": ["by margin"]}, description="Two curves."),
        chart_id="c1",
    )
    assert 'role="figure"' in page and 'aria-label="Survival. by margin"' in page
    assert 'aria-describedby="c1-desc"' in page and ">Two curves.</p>" in page


def test_labels_are_escaped():
    page = render.chart_html(spec(title='<b>"x"</b>'), chart_id="c1")
    assert 'aria-label="&lt;b&gt;&quot;x&quot;&lt;/b&gt;"' in page


def test_a_concatenated_chart_takes_its_first_titled_part():
    page = render.chart_html({"$schema": SCHEMA, "vconcat": [spec(title="Top"), spec()]})
    assert 'aria-label="Top"' in page


def test_chart_ids_are_unique_within_a_kernel():
    ids = {re.search(r'id="([^"]+)"', render.chart_html(spec())).group(1) for _ in range(3)}
    assert len(ids) == 3


def test_setup_makes_altair_output_offline_html():
    render.setup()
    try:
        chart = alt.Chart(pd.DataFrame({"x": [1]}), title="One").mark_point().encode(x="x:Q")
        bundle = chart._repr_mimebundle_()
        bundle = bundle[0] if isinstance(bundle, tuple) else bundle
        assert set(bundle) == {"text/html"}
        page = bundle["text/html"]
        assert "vegaEmbed(" in page and render.BUNDLE_PATH in page
        assert not re.search(r"<script[^>]+src=", page), "no script is loaded by URL"
        assert "cdn" not in page.lower() and "jsdelivr" not in page
    finally:
        alt.renderers.enable("default")


def test_loader_prefers_quartos_offset_meta():
    render.setup(offset="../")
    try:
        page = render._renderer(spec())["text/html"]
        assert 'meta[name="quarto:offset"]' in page and ':"../";' in page
    finally:
        render.setup()
        alt.renderers.enable("default")


def test_write_bundle_wraps_and_is_skipped_when_current(tmp_path, monkeypatch):
    import vl_convert

    calls = []

    def fake_bundle(snippet=None, vl_version=None):
        calls.append(vl_version)
        return "const n=1;window.vegaEmbed=function(){};"

    monkeypatch.setattr(vl_convert, "javascript_bundle", fake_bundle)
    dest = render.write_bundle(tmp_path / "assets")
    assert dest == tmp_path / "assets" / "vega-bundle.js"
    text = dest.read_text()
    assert text.splitlines()[0] == render.bundle_header()
    assert "(function(){" in text and "window.vegaEmbed" in text
    assert calls == [render._vl_version()]
    render.write_bundle(dest)
    assert len(calls) == 1, "an up-to-date bundle is not rebuilt"
    render.write_bundle(dest, force=True)
    assert len(calls) == 2


def test_vega_lite_version_matches_altair():
    assert alt.SCHEMA_VERSION.lstrip("v").startswith(render._vl_version() + ".")


@pytest.mark.parametrize(
    ("page", "offset"),
    [("index.html", "./"), ("chapters/x.html", "../"), ("a/b/c.html", "../../")],
)
def test_offset_for(page, offset):
    assert offset_for(page) == offset


# --- build_pages on a small book -------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("pages")
    with pytest.raises(PagesError) as raised:
        build_pages(FIXTURE, out, validate=False)
    return out, raised.value


def test_build_writes_pages_at_their_site_paths_with_the_bundle(built):
    out, error = built
    assert [p.relative_to(out).as_posix() for p in error.pages] == [
        "index.html",
        "chapters/demo.html",
    ]
    assert (out / render.BUNDLE_PATH).stat().st_size > 500_000
    assert not (out / "chapters" / "not-written.html").exists()


def test_build_reports_the_failing_chapter(built):
    _, error = built
    assert [e.chapter for e in error.errors] == ["chapters/broken.qmd"]
    assert "this chapter fails on purpose" in str(error)


def test_pages_carry_quartos_offset_meta_and_no_remote_script(built):
    out, _ = built
    for page, offset in (("index.html", "./"), ("chapters/demo.html", "../")):
        html = (out / page).read_text()
        assert f'<meta name="quarto:offset" content="{offset}">' in html
        assert not re.search(r"<script[^>]+src=\"https?:", html)
        assert render.chart_specs(html)


def test_pages_keep_hostile_values_inside_the_spec(built):
    out, _ = built
    html = (out / "index.html").read_text()
    specs = render.chart_specs(html)
    assert "head </script>" in json.dumps(specs)
    assert html.count("head </script>") == 0


def test_serve_serves_the_folder(built):
    out, _ = built
    with serve(out) as base:
        with urllib.request.urlopen(base + "chapters/demo.html") as response:
            assert response.status == 200 and b"asps-chart" in response.read()
