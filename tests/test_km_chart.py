"""asps.km_chart: step thinning, censor ticks, the spec's structure, and the chart in a browser."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
import vl_convert as vlc
from hypothesis import given, settings
from hypothesis import strategies as st

from asps import km_chart, survival

FACTORS = list(survival.FACTORS)


def cohort(n: int, seed: int = 0, continuous: bool = False) -> pd.DataFrame:
    """Patients with every column the registered factors read, and factor-dependent hazards."""
    rng = np.random.default_rng(seed)
    margin = rng.choice(["R0", "R1", "R2"], n, p=[0.58, 0.26, 0.16])
    size = rng.integers(10, 131, n)
    mets = rng.choice(["none", "lung", "multiple"], n, p=[0.58, 0.26, 0.16])
    depth = rng.choice(np.array(["deep", "deep_and_superficial", None], dtype=object), n)
    hazard = np.exp(0.8 * (margin != "R0") + 0.7 * (size > 50) + 1.0 * (mets != "none"))
    death = rng.exponential(120 / hazard)
    censor = rng.uniform(1, 176, n)
    follow = np.minimum(death, censor)
    return pd.DataFrame(
        {
            "patient_id": [f"P{i:02d}" for i in range(n)],
            "margin": margin,
            "size_mm": size,
            "mets_at_diagnosis": mets,
            "depth": depth,
            "followup_months": follow if continuous else np.ceil(follow),
            "died": death <= censor,
        }
    )


REPORTED = pd.DataFrame(
    {
        "factor": ["overall", "overall", "margin"],
        "group": ["all patients", "all patients", "R0"],
        "time_months": [36.0, 60.0, 60.0],
        "survival": [0.789, 0.526, 0.8],
        "text": [
            "reported in Cho 2014: 78.9% at 3 years",
            "reported in Cho 2014: 52.6% at 5 years",
            "reported in Cho 2014: 80% at 5 years (R0)",
        ],
    }
)


@pytest.fixture(scope="module")
def small() -> survival.SurvivalSummary:
    return survival.summarise(cohort(19, seed=4))


@pytest.fixture(scope="module")
def spec(small) -> dict:
    chart = km_chart.km_chart(small.km, small.risk, small.logrank, small.factors, reported=REPORTED)
    return chart.to_dict()


def inline_csv(spec: dict, column: str) -> list[pd.DataFrame]:
    """Every embedded CSV dataset that has ``column``."""
    frames = [
        pd.read_csv(io.StringIO(v), keep_default_na=False)
        for v in spec.get("datasets", {}).values()
        if isinstance(v, str)
    ]
    return [f for f in frames if column in f.columns]


def panel(spec: dict, name: str) -> dict:
    """The panel of the chart named ``name`` (km_curves, km_notes, km_risk)."""
    (found,) = [v for v in spec["vconcat"] if v.get("name") == name]
    return found


def layers(spec: dict) -> list[dict]:
    return panel(spec, "km_curves")["layer"]


# ---------------------------------------------------------------- thin_steps


def step_value(times: np.ndarray, values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Right-continuous step function through (times, values), evaluated at ``at``."""
    return values[np.searchsorted(times, at, side="right") - 1]


def assert_invisible(
    full: pd.DataFrame, thin: pd.DataFrame, x_pixels: int, y_pixels: int, x_max: float
) -> None:
    """Drawn as steps, the thinned curve stays within a pixel of the full one's column range."""
    tol = 1.0 / y_pixels + 1e-12
    for (f, g), rows in full.groupby(["factor", "group"], sort=False):
        kept = thin[(thin["factor"] == f) & (thin["group"] == g)]
        t = rows["time"].to_numpy()
        col = pd.Series(np.minimum((t / x_max * x_pixels).astype(int), x_pixels - 1))
        first_in_col = col.ne(col.shift()).to_numpy()
        for key in ("survival", "lower", "upper"):
            v = pd.Series(rows[key].to_numpy())
            drawn = step_value(kept["time"].to_numpy(), kept[key].to_numpy(), t)
            # The column's range up to each time: its own rows so far, plus the level carried
            # in from the left edge (the previous row's value).
            carry = v.shift().where(first_in_col).ffill().fillna(v)
            low = np.minimum(v.groupby(col).cummin(), carry)
            high = np.maximum(v.groupby(col).cummax(), carry)
            bad = (drawn < low - tol) | (drawn > high + tol)
            assert not bad.any(), (f, g, key, t[bad.to_numpy()][:3])


def test_thin_steps_keeps_a_small_series_visible(small):
    thin = km_chart.thin_steps(small.km)
    # A 19-patient curve has far fewer steps than pixels: every change of any value is kept.
    for _, rows in small.km.groupby(["factor", "group"]):
        changed = rows[["survival", "lower", "upper"]].diff().abs().max(axis=1).fillna(1) > 0
        assert set(rows.index[changed]) <= set(thin.index)
    assert_invisible(small.km, thin, 1000, 1000, small.km["time"].max())


@pytest.mark.parametrize("x_pixels,y_pixels", [(1000, 1000), (200, 100), (50, 1000)])
def test_thin_steps_on_a_large_cohort(x_pixels, y_pixels):
    km = survival.km_table(cohort(20_000, seed=1, continuous=True), "margin")
    x_max = float(km["time"].max())
    thin = km_chart.thin_steps(km, x_pixels=x_pixels, y_pixels=y_pixels)
    assert list(thin.columns) == list(km.columns)
    assert thin.index.is_monotonic_increasing and set(thin.index) <= set(km.index)
    for (_, _), rows in thin.groupby(["factor", "group"]):
        col = np.minimum((rows["time"] / x_max * x_pixels).astype(int), x_pixels - 1)
        assert col.value_counts().max() <= 2
    for (f, g), rows in km.groupby(["factor", "group"]):
        kept = thin[(thin["factor"] == f) & (thin["group"] == g)]
        assert kept.index[0] == rows.index[0] and kept.index[-1] == rows.index[-1]
    assert len(thin) < len(km) / 5
    assert_invisible(km, thin, x_pixels, y_pixels, x_max)


def test_thin_steps_empty_and_single_row():
    empty = pd.DataFrame(columns=survival.KM_COLUMNS)
    assert km_chart.thin_steps(empty).empty
    one = survival.km_table(pd.DataFrame({"followup_months": [0.0], "died": [False]}))
    assert len(km_chart.thin_steps(one)) == 1


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 300),
    st.integers(0, 10_000),
    st.sampled_from([5, 20, 1000]),
    st.sampled_from([3, 50, 1000]),
)
def test_thin_steps_property(n, seed, x_pixels, y_pixels):
    km = survival.km_table(cohort(n, seed, continuous=seed % 2 == 0), "margin")
    x_max = float(km["time"].max()) or 1.0
    thin = km_chart.thin_steps(km, x_pixels=x_pixels, y_pixels=y_pixels, x_max=x_max)
    assert_invisible(km, thin, x_pixels, y_pixels, x_max)


# ---------------------------------------------------------------- censor_marks


def test_censor_marks_keep_every_censoring_counted():
    km = survival.km_table(cohort(5000, seed=2, continuous=True), "size")
    marks = km_chart.censor_marks(km, bins=100)
    assert list(marks.columns) == ["factor", "group", "time", "survival", "censored"]
    for group, rows in km.groupby("group"):
        m = marks[marks["group"] == group]
        assert m["censored"].sum() == rows["censored"].sum()
        assert len(m) <= 100
        # Each tick sits on the curve at a time where someone was censored.
        at = rows.set_index("time").loc[m["time"]]
        assert (at["censored"] > 0).all()
        np.testing.assert_allclose(at["survival"], m["survival"])


# ---------------------------------------------------------------- the spec


def test_spec_selector_offers_every_factor(spec, small):
    params = {p["name"]: p for p in spec["params"]}
    factor = params["factor"]
    assert factor["bind"]["input"] == "radio"
    assert factor["bind"]["options"] == FACTORS
    assert factor["bind"]["labels"] == list(small.factors["label"])
    assert factor["value"] == "overall"
    assert params["pick"]["bind"] == "legend"
    assert params["hover"]["select"]["nearest"] is True


@pytest.mark.parametrize("initial", FACTORS)
def test_initial_factor_is_settable(small, initial):
    chart = km_chart.km_chart(small.km, small.risk, small.logrank, small.factors, initial=initial)
    assert {p["name"]: p for p in chart.to_dict()["params"]}["factor"]["value"] == initial


def test_unknown_initial_factor_is_an_error(small):
    with pytest.raises(ValueError, match="initial factor"):
        km_chart.km_chart(small.km, small.risk, small.logrank, small.factors, initial="age")


def test_every_data_layer_follows_the_selector(spec):
    panels = [*layers(spec), panel(spec, "km_notes"), panel(spec, "km_risk")]
    for view in panels:
        filters = [t.get("filter") for t in view.get("transform", [])]
        assert "(datum.factor === factor)" in filters, view["mark"]


def test_curves_and_bands_are_steps(spec):
    marks = {layer["mark"]["type"]: layer["mark"] for layer in layers(spec)}
    assert marks["line"]["interpolate"] == "step-after"
    assert marks["area"]["interpolate"] == "step-after"


def test_curve_data_reach_the_last_follow_up(spec, small):
    (curves,) = inline_csv(spec, "lower")
    for (f, g), rows in small.km.groupby(["factor", "group"]):
        drawn = curves[(curves["factor"] == f) & (curves["group"] == g)]
        assert drawn["time"].min() == 0
        assert drawn["time"].max() == pytest.approx(rows["time"].max(), abs=0.01)


def test_axes_percent_and_yearly_ticks(spec, small):
    line = next(la for la in layers(spec) if la["mark"]["type"] == "line")
    x, y = line["encoding"]["x"], line["encoding"]["y"]
    ticks = x["axis"]["values"]
    assert ticks[0] == 0 and all(b - a == 12 for a, b in zip(ticks, ticks[1:], strict=False))
    assert ticks[-1] >= small.km["time"].max()
    assert y["axis"]["format"] == "%" and y["scale"]["domain"] == [0, 1]


def test_risk_table_has_the_time_axis_of_the_curves(spec, small):
    risk_view = panel(spec, "km_risk")
    curves_x = next(la for la in layers(spec) if la["mark"]["type"] == "line")["encoding"]["x"]
    assert risk_view["encoding"]["x"]["field"] == "time"
    assert risk_view["encoding"]["x"]["scale"]["domain"] == curves_x["scale"]["domain"]
    assert risk_view["width"] == panel(spec, "km_curves")["width"] == "container"
    (table,) = inline_csv(spec, "count")
    expected = small.risk.melt(
        id_vars=["factor", "group", "time"], value_vars=["at_risk", "events_cum", "censored_cum"]
    )
    assert len(table) == len(expected)
    assert table["count"].sum() == expected["value"].sum()


def test_logrank_line_per_factor(spec, small):
    (notes,) = [f for f in inline_csv(spec, "text") if "wrap" in f.columns]
    first = notes[notes["wrap"] == notes["wrap"].max()].groupby("factor")["text"].first()
    for row in small.logrank.itertuples():
        if row.test is None:
            assert "test" not in first[row.factor]
        else:
            p = "p < 0.001" if row.p < 0.001 else f"p = {row.p:.3f}"
            assert p in first[row.factor] and f"{int(row.df)} df" in first[row.factor]
    for wrap, lines in notes[notes["factor"] == "depth"].groupby("wrap"):
        assert "no meaningful difference" in " ".join(lines["text"])
        assert lines["text"].str.len().max() <= wrap


def test_reported_figures_are_marked_with_their_text(spec):
    layer = next(la for la in layers(spec) if la["mark"].get("shape") == "diamond")
    assert layer["encoding"]["tooltip"][0]["field"] == "text"
    (marks,) = [f for f in inline_csv(spec, "text") if "survival" in f.columns]
    assert marks["text"].tolist() == REPORTED["text"].tolist()


def test_reported_figures_are_optional(small):
    spec = km_chart.km_chart(small.km, small.risk, small.logrank, small.factors).to_dict()
    assert not any(la["mark"].get("shape") == "diamond" for la in layers(spec))


def test_accessibility_and_theme(spec):
    assert "not original patient records" in spec["description"]
    assert spec["usermeta"]["reconstructed"] is True
    assert km_chart.RECONSTRUCTED_LABEL in spec["title"]["subtitle"]
    assert spec["config"]["background"] == "transparent"
    # Text in the page's own colour: the theme's contrast, light or dark.
    assert spec["config"]["axis"]["labelColor"] == "currentColor"
    assert spec["config"]["axis"]["labelFontSize"] >= 11
    line = next(la for la in layers(spec) if la["mark"]["type"] == "line")
    palette = [c.upper() for c in line["encoding"]["color"]["scale"]["range"]]
    assert palette == [c.upper() for c in km_chart.PALETTE]
    assert "#000000" not in palette and "#F0E442" not in palette


def test_hover_tooltip_fields(spec):
    points = next(la for la in layers(spec) if la.get("name", "").startswith("hover_points"))
    titles = [t["title"] for t in points["encoding"]["tooltip"]]
    assert titles == ["Group", "Months", "Years", "Surviving", "95% CI", "At risk"]
    # Text fields need format="" or Vega-Lite's voronoi tooltip shows "undefined".
    assert all("format" in t for t in points["encoding"]["tooltip"] if t["type"] == "nominal")


@pytest.mark.parametrize("version", ["5.20", "6.4"])
def test_spec_compiles_and_renders_in_vl_convert(spec, version):
    vega = vlc.vegalite_to_vega(spec, vl_version=version)
    assert any("voronoi" in json.dumps(m) for m in vega["marks"])
    svg = vlc.vegalite_to_svg(spec, vl_version=version)
    assert 'width="' in svg and "1.797" not in svg[:300]  # a finite canvas


def test_patients_km_chart_convenience():
    figure = km_chart.patients_km_chart(cohort(19, seed=3), reported=REPORTED, initial="size")
    (narrow_min, narrow), (wide_min, wide) = figure.specs()
    assert narrow_min == 0 and wide_min == km_chart.COMPACT_BELOW
    for spec in (narrow, wide):
        assert {p["name"]: p for p in spec["params"]}["factor"]["value"] == "size"
        assert "(n = 19)" in spec["title"]["text"]
    # The phone's risk table: one row per 12 months, one column per group, same numbers.
    assert panel(narrow, "km_risk")["encoding"]["y"]["field"] == "month"
    assert panel(wide, "km_risk")["encoding"]["y"]["field"] == "row"


def test_spec_size_grows_with_event_times_not_patients():
    sizes = {}
    for n in (2_000, 50_000):
        s = survival.summarise(cohort(n, seed=5, continuous=True))
        sizes[n] = len(json.dumps(km_chart.km_chart(s.km, s.risk, s.logrank, s.factors).to_dict()))
    assert sizes[50_000] < 500_000
    assert sizes[50_000] < 2 * sizes[2_000]


# ---------------------------------------------------------------- in a browser


@pytest.fixture(scope="module")
def page(spec, tmp_path_factory, browser):
    html = vlc.vegalite_to_html(spec, bundle=True).replace(
        "vegaEmbed('#vega-chart', spec, opts).catch(console.error);",
        "vegaEmbed('#vega-chart', spec, opts).then(r => { window.view = r.view; })"
        ".catch(e => { window.embedError = String(e); });",
    )
    path = tmp_path_factory.mktemp("km") / "km.html"
    path.write_text(html, encoding="utf-8")
    pg = browser.new_page(viewport={"width": 1100, "height": 900})
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(path.as_uri())
    pg.wait_for_function("window.view || window.embedError", timeout=30_000)
    assert pg.evaluate("window.embedError || null") is None and not errors
    yield pg
    pg.close()


def _legend(page) -> list[str]:
    return page.eval_on_selector_all(
        "g.role-legend-label text", "els => els.map(e => e.textContent)"
    )


def _tooltip(page) -> str:
    return page.evaluate("document.getElementById('vg-tooltip-element')?.innerText || ''")


@pytest.mark.browser
def test_selector_switches_factor_in_the_page(page, small):
    for key in FACTORS:
        page.check(f"input[type=radio][value='{key}']")
        page.wait_for_timeout(150)
        assert page.evaluate("view.signal('factor')") == key
        groups = small.km.loc[small.km["factor"] == key, "group"].unique()
        assert _legend(page) == [km_chart.group_label(key, g) for g in groups]


@pytest.mark.browser
def test_hover_shows_the_point_and_legend_isolates_a_group(page):
    page.check("input[type=radio][value='margin']")
    page.wait_for_timeout(150)
    box = page.locator("g.mark-line path").nth(1).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=4)
    page.wait_for_timeout(300)
    tip = _tooltip(page)
    for word in ("Group", "Months", "Years", "Surviving", "95% CI", "At risk"):
        assert word in tip
    assert "undefined" not in tip
    page.locator("g.role-legend-label text", has_text="R1").click()
    page.wait_for_timeout(150)
    opacities = page.eval_on_selector_all(
        "g.mark-line path", "els => els.map(e => Number(e.getAttribute('opacity') ?? 1))"
    )
    assert sorted(opacities) == [0.12, 0.12, 1.0]
    # A pick from another factor must not grey out every curve of this one.
    page.check("input[type=radio][value='size']")
    page.wait_for_timeout(150)
    opacities = page.eval_on_selector_all(
        "g.mark-line path", "els => els.map(e => Number(e.getAttribute('opacity') ?? 1))"
    )
    assert opacities == [1.0, 1.0]
