"""Tests of the forest plot: one spec, every figure, accessible, and it renders."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import vl_convert as vlc

from asps.evidence import load_evidence
from asps.forest import PARAM, _diamonds, _positions, forest_chart, forest_groups


@pytest.fixture(scope="module")
def forest() -> pd.DataFrame:
    return load_evidence().forest


@pytest.fixture(scope="module")
def spec(forest) -> dict:
    return forest_chart(forest).to_dict()


def _datasets_with(spec: dict, key: str, value: object) -> list[list[dict]]:
    return [rows for rows in spec["datasets"].values() if any(r.get(key) == value for r in rows)]


def test_one_spec_offers_every_figure_in_a_dropdown(forest, spec):
    params = {p["name"]: p for p in spec["params"]}
    bind = params[PARAM]["bind"]
    assert bind["input"] == "select"
    assert set(bind["options"]) == set(forest["group"])
    assert len(bind["labels"]) == len(bind["options"])
    assert params[PARAM]["value"] == "overall_survival/all/5y"


def test_menu_lists_pooled_figures_first(forest):
    groups = forest_groups(forest)
    pooled = groups["pooled"].tolist()
    assert pooled == sorted(pooled, reverse=True)
    assert groups.loc[groups["pooled"], "label"].str.endswith("(pooled)").all()


def test_accessible_title_description_and_transparent_background(spec):
    assert spec["config"]["background"] == "transparent"
    assert "forest plot" in spec["description"].lower()
    assert "founding" in spec["description"]
    assert spec["title"]["text"]


def test_rows_are_sorted_by_year_and_the_summary_comes_last(forest):
    frame = _positions(forest)
    for _, part in frame.groupby("group"):
        series = part[part["row_kind"] == "series"].sort_values("pos")
        assert series["year"].is_monotonic_increasing
        last = part.sort_values("pos").iloc[-1]
        assert last["row_kind"] in {"pooled", "not_pooled"}


def test_founding_series_is_one_highlighted_row_among_the_others(forest, spec):
    cho = forest[forest["series_id"] == "cho2014"]
    assert cho["founding"].all()
    assert set(cho["label"]) == {"Cho 2014 (founding series)"}
    rows = _datasets_with(spec, "series_id", "cho2014")[0]
    assert {r["weight"] for r in rows if r.get("series_id") == "cho2014"} == {"bold"}


def test_diamond_spans_the_pooled_interval(forest):
    diamonds = _diamonds(_positions(forest))
    pooled = forest[forest["row_kind"] == "pooled"].set_index("group")
    assert set(diamonds["group"]) == set(pooled.index)
    for group, part in diamonds.groupby("group"):
        row = pooled.loc[group]
        assert sorted(part["x"]) == pytest.approx(sorted([row.lower, row.estimate, row.upper]))
        assert part["w"].max() == part.loc[part["x"] == row.estimate, "w"].item()


def test_tooltips_carry_the_source(spec):
    text = json.dumps(spec)
    assert '"field": "source_text"' in text
    assert '"field": "status_text"' in text


def test_input_frame_is_not_modified(forest):
    before = forest.copy()
    forest_chart(forest, initial="metastasis_at_presentation/all")
    pd.testing.assert_frame_equal(forest, before)


def test_unknown_initial_figure_is_refused(forest):
    with pytest.raises(ValueError, match="unknown figure"):
        forest_chart(forest, initial="overall_survival/all/99y")


@pytest.mark.parametrize("group", ["overall_survival/all/5y", "overall_survival/localized/5y"])
def test_renders_to_png(forest, group):
    png = vlc.vegalite_to_png(forest_chart(forest, initial=group).to_dict(), scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(png) > 10_000


def test_each_figure_is_the_same_spec_with_another_dropdown_value(forest):
    # The PNG of each figure stands for what the dropdown shows: only the parameter differs.
    a = forest_chart(forest, initial="overall_survival/all/5y").to_dict()
    b = forest_chart(forest, initial="female/all").to_dict()
    values = [p.pop("value") for s in (a, b) for p in s["params"] if p["name"] == PARAM]
    assert values == ["overall_survival/all/5y", "female/all"]
    assert a == b
