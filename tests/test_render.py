"""asps.render: offline chart HTML, the one Vega bundle, outputs Quarto takes as they are."""

from __future__ import annotations

import json
import re
import urllib.request

import altair as alt
import pandas as pd

from asps import render
from asps.browse import serve
from asps.tables import HTMLFragment

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
HOSTILE = "</script><script>alert(1)</script><!-- \u2028 & \"quotes\""


def spec(**extra):
    return {"$schema": SCHEMA, "mark": "point", "data": {"values": [{"a": HOSTILE}]}, **extra}


def test_tables_reach_quarto_as_markdown_never_as_text_html():
    # A text/html output makes Quarto's jupyter engine add require.js and jQuery from a CDN.
    fragment = HTMLFragment("<p>x</p>")
    assert not hasattr(fragment, "_repr_html_")
    assert fragment._repr_markdown_() == "```{=html}\n<p>x</p>\n```\n"


def test_raw_html_fence_outlasts_any_backticks_inside():
    block = render.raw_html_block("a ```` b")
    assert block.startswith("`````{=html}\n") and block.endswith("\n`````\n")


def test_data_cannot_end_the_script_early():
    page = render.chart_html(spec(title=HOSTILE, description=HOSTILE), chart_id="c1")
    assert page.count("</script>") == 1 and page.endswith("</script></div>")
    assert "<!--" not in page and "\u2028" not in page
    (drawn,) = render.chart_specs(page)
    # The data reach the chart intact; the title is page text above it, escaped.
    values = [d["values"] for d in drawn["data"] if "values" in d]
    assert values == [[{"a": HOSTILE}]] and drawn["description"] == HOSTILE
    assert "title" not in drawn
    assert '<p class="asps-chart-title">&lt;/script&gt;&lt;script&gt;' in page


def test_layouts_share_their_data_and_go_narrowest_first():
    data = {"values": [{"a": i} for i in range(50)]}
    wide = {"$schema": SCHEMA, "mark": "point", "data": data, "width": "container"}
    narrow = {"$schema": SCHEMA, "mark": "bar", "data": data, "width": "container"}
    page = render.chart_html(render.Layouts(wide, narrow=narrow, below=500), chart_id="c1")
    assert page.count('"a":49') == 1, "data shared by two layouts are written once"
    (layouts,) = render.chart_layouts(page)
    assert [spec["marks"][0]["type"] for spec in layouts] == ["rect", "symbol"]
    assert '"min":0' in page and '"min":500' in page
    for spec in layouts:
        (values,) = [d["values"] for d in spec["data"] if "values" in d]
        assert values == data["values"]


def test_one_layout_is_drawn_at_every_width():
    page = render.chart_html(spec(), chart_id="c1")
    assert '"layouts":[{"min":0,' in page and page.count('"min":') == 1


def test_standalone_pages_get_every_asset_inline():
    out = render.standalone_assets()
    for name in (*render.ASSET_SCRIPTS, *render.ASSET_STYLES):
        assert (render.ASSETS_DIR / name).read_text() in out


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
        # Never text/html: Quarto's jupyter engine would add require.js and jQuery from a CDN.
        assert set(bundle) == {"text/markdown"}
        page = bundle["text/markdown"]
        assert page.startswith("```{=html}\n")
        assert 'class="asps-chart-spec"' in page and "asps-chart-view" in page
        assert not re.search(r"<script[^>]+src=", page), "no script is loaded by URL"
        assert "cdn" not in page.lower() and "jsdelivr" not in page
    finally:
        alt.renderers.enable("default")


def test_container_views_are_bound_to_the_plot_signal():
    data = {"values": [{"a": 1, "b": 2}, {"a": 3, "b": 4}]}
    unit = {"mark": "point", "encoding": {"x": {"field": "a", "type": "quantitative"}}}
    single = {"$schema": SCHEMA, "data": data, **unit, "width": "container"}
    stacked = {"$schema": SCHEMA, "data": data, "vconcat": [
        {**unit, "width": "container"}, {**unit, "width": "container"}]}
    side = {"$schema": SCHEMA, "data": data, "hconcat": [
        {**unit, "width": 100}, {**unit, "width": "container"}]}
    for spec, name in ((single, "width"), (stacked, "width"), (side, render.PLOT_SIGNAL)):
        vega, signal = render.compile_vega(spec)
        text = json.dumps(vega)
        assert signal == name and str(render.SENTINEL_WIDTH) not in text
        assert vega["autosize"] == {"type": "pad", "resize": True}
    vega, _ = render.compile_vega(side)
    assert vega["signals"][0]["name"] == render.PLOT_SIGNAL
    assert json.dumps(vega).count(f'"update": "{render.PLOT_SIGNAL}"') == 1
    fixed, signal = render.compile_vega({"$schema": SCHEMA, "data": data, **unit, "width": 90})
    assert signal is None and fixed["width"] == 90


def test_the_page_gets_vega_not_vega_lite():
    page = render.chart_html(spec(), chart_id="c1")
    (drawn,) = render.chart_specs(page)
    assert drawn["$schema"].startswith("https://vega.github.io/schema/vega/")
    script = (render.ASSETS_DIR / "charts.js").read_text()
    assert "vega.View" in script and "vegaEmbed" not in script


def test_write_bundle_is_vega_and_the_tooltip_and_skipped_when_current(tmp_path):
    dest = render.write_bundle(tmp_path / "assets")
    assert dest == tmp_path / "assets" / "vega-bundle.js"
    text = dest.read_text()
    assert text.splitlines()[0] == render.bundle_header()
    assert "vegaTooltip" in text and render.VEGA_BUILD.read_text()[:200] in text
    assert "vega-lite" not in render.bundle_header()
    stamp = dest.stat().st_mtime_ns
    render.write_bundle(dest)
    assert dest.stat().st_mtime_ns == stamp, "an up-to-date bundle is not rebuilt"
    render.write_bundle(dest, force=True)
    assert dest.stat().st_mtime_ns != stamp


def test_vega_in_the_bundle_is_the_vega_vl_convert_compiles_for():
    import vl_convert as vlc

    assert render._npm_version("vega") == vlc.get_vega_version()


def test_vega_lite_version_matches_altair():
    assert alt.SCHEMA_VERSION.lstrip("v").startswith(render._vl_version() + ".")


def test_serve_serves_the_folder(tmp_path):
    (tmp_path / "p.html").write_text("<p>asps-chart</p>")
    with serve(tmp_path) as base:
        with urllib.request.urlopen(base + "p.html") as response:
            assert response.status == 200 and b"asps-chart" in response.read()
            assert response.headers["Cache-Control"] == "no-store"
    with serve(tmp_path, cache=True) as base:
        with urllib.request.urlopen(base + "p.html") as response:
            assert "max-age" in response.headers["Cache-Control"]
