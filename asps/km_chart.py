"""Interactive Kaplan-Meier chart: one Vega-Lite spec holding every factor.

Builders are pure: tidy tables from :mod:`asps.survival` in, an Altair chart out. A radio
button (the ``factor`` parameter) switches factor inside the page; the curves, risk table,
log-rank line and reported figures all filter on it.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable

import altair as alt
import numpy as np
import pandas as pd

from asps import survival

#: Okabe-Ito without black and yellow, which vanish on dark and light backgrounds respectively.
PALETTE: tuple[str, ...] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
#: Mid-grey keeps text and axes readable on light and dark page themes.
GREY = "#808080"
CHART_PIXELS = 1000
CENSOR_BINS = 200
REPORTED_SOURCE = "reported in Cho 2014"
RECONSTRUCTED_LABEL = (
    "Pseudo-individual data reconstructed from the published aggregates, "
    "not original patient records"
)
TITLE = "Overall survival in alveolar soft part sarcoma, Cho et al. 2014 series"

#: Reader-facing names for group values that are terse in the data; others show "_" as spaces.
GROUP_LABELS: dict[tuple[str, str], str] = {
    ("metastasis", "none"): "no metastasis",
    ("metastasis", "present"): "metastasis",
    ("size", "<= 50 mm"): "\u2264 50 mm",
    ("size", "> 50 mm"): "> 50 mm",
}

_CURVE_KEYS = ["factor", "group"]
_NOTE_LINE = 14  # pixels between note lines above the plot
_STEP_VALUES = ["survival", "lower", "upper"]
_RISK_MEASURES = (("at_risk", "at risk"), ("events_cum", "deaths"), ("censored_cum", "censored"))


def _curve_starts(km: pd.DataFrame) -> np.ndarray:
    """True where a row begins a new (factor, group) curve; rows are grouped by curve."""
    start = np.zeros(len(km), dtype=bool)
    if len(km):
        start[0] = True
        for col in _CURVE_KEYS:
            v = km[col].to_numpy()
            start[1:] |= v[1:] != v[:-1]
    return start


def thin_steps(
    km: pd.DataFrame,
    *,
    x_pixels: int = CHART_PIXELS,
    y_pixels: int = CHART_PIXELS,
    x_max: float | None = None,
) -> pd.DataFrame:
    """Drop Kaplan-Meier rows no reader could see on a ``x_pixels`` by ``y_pixels`` chart.

    Within each curve (rows grouped by ``factor`` and ``group``, sorted by ``time``) a row is
    kept if it is the first or last row of its pixel column, and then only if its
    ``survival``, ``lower`` or ``upper`` differs by at least one pixel (``1 / y_pixels``) from
    the previous kept row. Each curve's first and last rows are always kept, so the curve still
    starts at 0 and runs flat to the last follow-up.

    Parameters
    ----------
    km
        Table shaped like :func:`asps.survival.km_table`.
    x_pixels, y_pixels
        Resolution the thinning must be invisible at.
    x_max
        Time at the right edge of the chart; default the largest ``time``.

    Returns
    -------
    pandas.DataFrame
        A subset of ``km``'s rows, in order, at most two per pixel column per curve. Drawn as
        steps, it stays within one pixel of the full curve's range over each pixel column.
    """
    if km.empty:
        return km.copy()
    time = km["time"].to_numpy(dtype=float)
    span = x_max if x_max is not None else float(np.nanmax(time))
    span = span if span > 0 else 1.0
    column = np.clip((time / span * x_pixels).astype(np.int64), 0, x_pixels - 1)
    start = _curve_starts(km)
    new_column = start | np.r_[True, column[1:] != column[:-1]]
    end = np.r_[start[1:], True]
    ends_column = end | np.r_[new_column[1:], True]
    candidates = np.flatnonzero(new_column | ends_column)

    values = km[_STEP_VALUES].to_numpy(dtype=float)[candidates].tolist()
    always = (start[candidates] | end[candidates]).tolist()
    tol = 1.0 / y_pixels
    keep = np.zeros(len(candidates), dtype=bool)
    s0, lo0, hi0 = values[0]
    # At most two candidates per pixel column reach this loop, so plain floats are fast enough.
    for i, (s, lo, hi) in enumerate(values):
        # Written so that a NaN bound counts as a visible change.
        if always[i] or not (abs(s - s0) < tol and abs(lo - lo0) < tol and abs(hi - hi0) < tol):
            keep[i] = True
            s0, lo0, hi0 = s, lo, hi
    return km.iloc[candidates[keep]]


def censor_marks(
    km: pd.DataFrame, *, bins: int = CENSOR_BINS, x_max: float | None = None
) -> pd.DataFrame:
    """One censoring tick per curve and time bin, enough for the eye to count or to see density.

    Parameters
    ----------
    km
        Table shaped like :func:`asps.survival.km_table`.
    bins
        Number of equal time bins across the chart.
    x_max
        Time at the right edge of the chart; default the largest ``time``.

    Returns
    -------
    pandas.DataFrame
        Columns ``factor``, ``group``, ``time``, ``survival`` (at the bin's first censoring) and
        ``censored`` (patients censored in the bin).
    """
    cols = ["factor", "group", "time", "survival", "censored"]
    censored = km["censored"].to_numpy() > 0
    if not censored.any():
        return km.loc[censored, cols].reset_index(drop=True)
    span = x_max if x_max is not None else float(km["time"].max())
    span = span if span > 0 else 1.0
    # Integer keys (curve number, bin): grouping on the string columns is slow at 10^6 rows.
    curve = np.cumsum(_curve_starts(km))[censored]
    rows = km.loc[censored, cols]
    bin_ = np.clip((rows["time"].to_numpy() / span * bins).astype(np.int64), 0, bins - 1)
    key = curve * (bins + 1) + bin_
    first = np.r_[True, key[1:] != key[:-1]]
    out = rows[first].reset_index(drop=True)
    out["censored"] = np.add.reduceat(rows["censored"].to_numpy(), np.flatnonzero(first))
    return out


def _axis_end(km: pd.DataFrame) -> float:
    longest = float(km["time"].max()) if len(km) else 12.0
    return float(max(12.0, np.ceil(longest / 12.0) * 12.0))


def _csv_data(frame: pd.DataFrame) -> alt.InlineData:
    """Embed a frame as inline CSV, with explicit types for its numeric and boolean columns.

    CSV is about half the size of JSON records, and a single string spares Altair from copying
    and schema-validating every record, which dominated build time at 10^5 patients.
    """
    parse = {
        str(c): "boolean" if pd.api.types.is_bool_dtype(t) else "number"
        for c, t in frame.dtypes.items()
        if pd.api.types.is_numeric_dtype(t)
    }
    return alt.InlineData(
        values=frame.to_csv(index=False, lineterminator="\n"),
        format=alt.CsvDataFormat(type="csv", parse=parse),
    )


def _test_lines(
    logrank: pd.DataFrame, factors: pd.DataFrame, reported: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Notes above the plot, one row per line: log-rank result and diamond key, then caveat.

    ``y`` is the line's pixel offset above the plot, so multi-line notes stack upwards.
    """
    shown = set() if reported is None else set(reported["factor"])
    tests = logrank.set_index("factor")
    rows = []
    for key, caveat in zip(factors["key"], factors["caveat"], strict=True):
        if key in tests.index and isinstance(tests.at[key, "test"], str):
            t = tests.loc[key]
            p = "p < 0.001" if t["p"] < 0.001 else f"p = {t['p']:.3f}"
            line = (
                f"{t['test'].capitalize()} test: {p} "
                f"(chi-square {t['statistic']:.2f}, {int(t['df'])} df)"
            )
        elif key == "overall":
            line = "All patients in one curve: no comparison."
        else:
            line = "No log-rank test: fewer than two groups, or no deaths while both were at risk."
        if key in shown:
            line += f" · Diamonds: figures {REPORTED_SOURCE}."
        lines = [line]
        if isinstance(caveat, str):
            lines += textwrap.wrap("Caveat: " + caveat, 100)
        for i, text in enumerate(lines):
            rows.append({"factor": key, "y": -6 - _NOTE_LINE * (len(lines) - 1 - i), "text": text})
    return pd.DataFrame(rows, columns=["factor", "y", "text"])


def _risk_long(risk: pd.DataFrame, group_order: list[str]) -> pd.DataFrame:
    long = risk.melt(
        id_vars=["factor", "group", "time"],
        value_vars=[m for m, _ in _RISK_MEASURES],
        var_name="measure",
        value_name="count",
    )
    labels = dict(_RISK_MEASURES)
    rank = {g: i for i, g in enumerate(group_order)}
    m_rank = {m: i for i, (m, _) in enumerate(_RISK_MEASURES)}
    measure = long["measure"].map(labels)
    groups_per_factor = long.groupby("factor")["group"].transform("nunique")
    # A single curve needs no group name in front of each row.
    names = [group_label(f, g) for f, g in zip(long["factor"], long["group"], strict=True)]
    long["row"] = measure.where(
        groups_per_factor == 1, pd.Series(names, index=long.index) + ": " + measure
    )
    long["order"] = long["group"].map(rank).fillna(len(rank)) * 10 + long["measure"].map(m_rank)
    return long.drop(columns="measure")


def group_label(factor: str, group: str) -> str:
    """How a group is named on the chart (legend, tooltip, risk table)."""
    return GROUP_LABELS.get((factor, group), str(group).replace("_", " "))


def _label_expr(factor: str, value: str) -> str:
    """Vega expression computing :func:`group_label` from two expressions."""
    expr = f"replace({value}, /_/g, ' ')"
    for (f, g), label in reversed(GROUP_LABELS.items()):
        expr = (
            f"({factor} === {json.dumps(f)} && {value} === {json.dumps(g)} "
            f"? {json.dumps(label)} : {expr})"
        )
    return expr


def _group_order(factors: pd.DataFrame, curves: pd.DataFrame) -> list[str]:
    order: list[str] = []
    for groups in factors["groups"]:
        order += [g for g in groups if g not in order]
    order += [g for g in pd.unique(curves["group"].astype(str)) if g not in order]
    return order


def _groups_expr(curves: pd.DataFrame) -> str:
    """Vega expression: the groups of the factor currently selected."""
    expr = "[]"
    for key, groups in reversed(list(curves.groupby("factor", sort=False)["group"])):
        items = ", ".join(json.dumps(str(g)) for g in pd.unique(groups))
        expr = f"(factor === {json.dumps(key)} ? [{items}] : {expr})"
    return expr


def km_chart(
    km: pd.DataFrame,
    risk: pd.DataFrame,
    logrank: pd.DataFrame,
    factors: pd.DataFrame | None = None,
    *,
    reported: pd.DataFrame | None = None,
    initial: str = "overall",
    title: str | None = None,
    width: int = 600,
    height: int = 320,
) -> alt.VConcatChart:
    """Build the Kaplan-Meier chart with factor selector, risk table and log-rank line.

    Parameters
    ----------
    km
        :func:`asps.survival.km_table` rows for every factor to offer.
    risk
        :func:`asps.survival.risk_table` rows for the same factors.
    logrank
        :func:`asps.survival.logrank` rows for the same factors.
    factors
        :func:`asps.survival.factor_table` rows (key, label, groups, caveat), in selector order;
        default the registered factors present in ``km``.
    reported
        Optional published figures to overlay: columns ``factor``, ``group``, ``time_months``,
        ``survival`` (0-1) and ``text`` (the tooltip, e.g. "reported in Cho 2014: 78.9% at
        3 years").
    initial
        Factor selected when the page loads.
    title
        Chart title; default :data:`TITLE` with the number of patients.
    width, height
        Size of the survival panel in pixels; the risk table below shares its width.

    Returns
    -------
    altair.VConcatChart
    """
    # First row of each curve: which factors and groups exist, and who is in them (at_risk at
    # time 0). Reading these few rows, not the whole table, matters at 10^6 patients.
    firsts = km.loc[_curve_starts(km), ["factor", "group", "at_risk"]]
    present = set(firsts["factor"])
    if factors is None:
        factors = survival.factor_table([k for k in survival.FACTORS if k in present])
    factors = factors[factors["key"].isin(present)].reset_index(drop=True)
    if initial not in set(factors["key"]):
        raise ValueError(f"initial factor {initial!r} is not among {list(factors['key'])}")
    if title is None:
        n = int(firsts.groupby("factor")["at_risk"].sum().max()) if len(firsts) else 0
        title = f"{TITLE} (n = {n})"
    x_end = _axis_end(km)
    years = [int(v) for v in np.arange(0, x_end + 1, 12)]
    group_order = _group_order(factors, firsts)

    # Rounded far below a pixel (0.01 month, 0.01 percentage point) to keep the spec small.
    curves = thin_steps(km, x_max=x_end)
    curves = curves[["factor", "group", "time", "at_risk", *_STEP_VALUES]].round(
        {"time": 2, "survival": 4, "lower": 4, "upper": 4}
    )
    censors = censor_marks(km, x_max=x_end).round({"time": 2, "survival": 4})

    factor = alt.param(
        name="factor",
        value=initial,
        bind=alt.binding_radio(
            options=list(factors["key"]), labels=list(factors["label"]), name="Compare by: "
        ),
    )
    pick = alt.selection_point(name="pick", fields=["group"], bind="legend")
    hover = alt.selection_point(
        name="hover",
        on="pointerover",
        clear="pointerout",
        nearest=True,
        fields=["factor", "group", "time"],
        empty=False,
    )
    in_factor = alt.datum.factor == factor
    # A legend pick left over from another factor names no group here: treat it as no pick.
    picked = (
        f"!pick.group || indexof(pick.group, datum.group) >= 0 "
        f"|| indexof({_groups_expr(firsts)}, pick.group[0]) < 0"
    )

    x = alt.X(
        "time:Q",
        title="Months since diagnosis",
        scale=alt.Scale(domain=[0, x_end], nice=False),
        axis=alt.Axis(values=years, labelFlush=True),
    )
    legend = alt.Legend(
        orient="right",
        labelExpr=_label_expr("factor", "datum.label"),
        symbolType="stroke",
        symbolStrokeWidth=3,
        labelLimit=220,
    )
    color = alt.Color(
        "group:N", title=None, sort=group_order, scale=alt.Scale(range=list(PALETTE)),
        legend=legend,
    )
    # A dash pattern per group as well as a colour keeps the curves apart without colour
    # vision; the risk table names each group in words.
    dash = alt.StrokeDash(
        "group:N", title=None, sort=group_order,
        scale=alt.Scale(range=[[1, 0], [8, 4], [2, 3], [8, 3, 2, 3], [4, 2]]), legend=None,
    )
    y = alt.Y(
        "survival:Q",
        title="Surviving",
        scale=alt.Scale(domain=[0, 1]),
        axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]),
    )
    opacity = alt.when(picked).then(alt.value(1.0)).otherwise(alt.value(0.12))

    base = alt.Chart(_csv_data(curves)).transform_filter(in_factor)
    # fillOpacity, not opacity: the shared legend copies opacity onto its line symbols.
    band = base.mark_area(interpolate="step-after", aria=False).encode(
        x=x,
        y=alt.Y("lower:Q", title="Surviving"),
        y2="upper:Q",
        color=color,
        fillOpacity=alt.when(picked).then(alt.value(0.22)).otherwise(alt.value(0.04)),
    )
    line = (
        base.mark_line(interpolate="step-after", strokeWidth=2)
        .encode(
            x=x,
            y=y,
            color=color,
            strokeDash=dash,
            opacity=opacity,
            description=alt.Description("group:N"),
        )
        .properties(name="curves")
    )
    # format="" on text fields: without it Vega-Lite's nearest-point (voronoi) tooltip reads
    # them from the wrong datum and shows "undefined".
    tooltip = [
        alt.Tooltip("group_label:N", title="Group", format=""),
        alt.Tooltip("time:Q", title="Months", format=".1f"),
        alt.Tooltip("years:Q", title="Years", format=".1f"),
        alt.Tooltip("survival:Q", title="Surviving", format=".1%"),
        alt.Tooltip("ci:N", title="95% CI", format=""),
        alt.Tooltip("at_risk:Q", title="At risk"),
    ]
    points = (
        base.transform_calculate(
            years="datum.time / 12",
            group_label=_label_expr("datum.factor", "datum.group"),
            ci="format(datum.lower, '.1%') + ' to ' + format(datum.upper, '.1%')",
        )
        .mark_point(filled=True, size=70, aria=False)
        .encode(
            x=x,
            y=y,
            color=color,
            tooltip=tooltip,
            opacity=alt.when(hover).then(alt.value(1.0)).otherwise(alt.value(0.0)),
        )
        .properties(name="hover_points")
    )
    rule = (
        base.transform_filter(hover)
        .mark_rule(color=GREY, strokeDash=[3, 3], aria=False)
        .encode(x=x)
    )
    ticks = (
        alt.Chart(_csv_data(censors))
        .transform_filter(in_factor)
        .transform_calculate(group_label=_label_expr("datum.factor", "datum.group"))
        .mark_tick(orient="vertical", size=9, thickness=1.5)
        .encode(
            x=x,
            y=y,
            color=color,
            opacity=opacity,
            tooltip=[
                alt.Tooltip("group_label:N", title="Group", format=""),
                alt.Tooltip("censored:Q", title="Censored (alive at last follow-up)"),
                alt.Tooltip("time:Q", title="Months", format=".1f"),
            ],
        )
    )
    # Later layers sit above the hover voronoi, so their own tooltips stay reachable.
    layers: list[alt.Chart] = [band, line, rule, points, ticks]

    if reported is not None and len(reported):
        marks = reported[["factor", "group", "time_months", "survival", "text"]].rename(
            columns={"time_months": "time"}
        )
        # A fixed shape, explained in the note line: a shape legend whose domain the filter
        # empties (factors with no reported figures) gives Vega infinite bounds.
        layers.append(
            alt.Chart(_csv_data(marks))
            .transform_filter(in_factor)
            .mark_point(shape="diamond", filled=True, size=120, strokeWidth=1.5, stroke=GREY)
            .encode(
                x=x,
                y=y,
                color=color,
                opacity=opacity,
                tooltip=[alt.Tooltip("text:N", title="Published")],
            )
        )

    notes = (
        alt.Chart(_csv_data(_test_lines(logrank, factors, reported)))
        .transform_filter(in_factor)
        .mark_text(align="left", baseline="bottom", color=GREY, fontSize=11)
        # y in raw pixels (no scale): the lines stack upwards from just above the plot.
        .encode(x=alt.value(0), y=alt.Y("y:Q", scale=None, axis=None), text="text:N")
    )
    surv_panel = alt.LayerChart(layer=[*layers, notes], width=width, height=height)

    risk_long = _risk_long(risk, group_order)
    risk_panel = (
        alt.Chart(_csv_data(risk_long))
        .transform_filter(in_factor)
        .mark_text(fontSize=11)
        .encode(
            x=alt.X(
                "time:Q",
                title=None,
                scale=alt.Scale(domain=[0, x_end], nice=False),
                axis=alt.Axis(values=years, labels=False, ticks=False, domain=False, grid=False),
            ),
            y=alt.Y(
                "row:N",
                title=None,
                sort=alt.EncodingSortField("order", order="ascending"),
                # A fixed extent, sized for the longest label of any factor, keeps the chart
                # from shifting sideways when the selector changes the rows.
                axis=alt.Axis(
                    domain=False,
                    ticks=False,
                    labelLimit=220,
                    labelPadding=22,
                    minExtent=min(220, 6 * int(risk_long["row"].str.len().max())) + 22,
                ),
            ),
            text="count:Q",
            color=color,
            opacity=opacity,
        )
        .properties(
            width=width,
            height=alt.Step(15),
            title=alt.TitleParams(
                "Numbers at risk, and deaths and censorings to date",
                anchor="start",
                fontSize=11,
                fontWeight="normal",
                color=GREY,
            ),
        )
    )

    description = (
        f"{title}. {RECONSTRUCTED_LABEL}. Kaplan-Meier step curves with shaded "
        f"{survival.CI_METHOD}, ticks where patients were censored, "
        + ("diamonds for figures printed in the paper, " if reported is not None else "")
        + "and below a table of numbers at risk every 12 months. "
        "Radio buttons choose the factor compared: "
        + ", ".join(factors["label"])
        + ". Log-rank test results are printed above the curves."
    )
    # One constructor call: every chained .configure_*/.properties deep-copies the whole tree.
    chart = alt.VConcatChart(
        vconcat=[surv_panel, risk_panel],
        spacing=10,
        resolve=alt.Resolve(scale=alt.ScaleResolveMap(x="shared", color="shared")),
        title=alt.TitleParams(
            title,
            subtitle=[RECONSTRUCTED_LABEL],
            anchor="start",
            offset=12,
            color=GREY,
            subtitleColor=GREY,
        ),
        description=description,
        usermeta={
            "reconstructed": True,
            "source": "Cho et al. 2014, Clin Orthop Surg 6(1):80-86, doi:10.4055/cios.2014.6.1.80",
            "ci_method": survival.CI_METHOD,
        },
        background="transparent",
        # Re-measure when the selector changes the risk table's rows and labels.
        autosize=alt.AutoSizeParams(type="pad", resize=True),
        config=alt.Config(
            font="sans-serif",
            axis=alt.AxisConfig(
                labelColor=GREY,
                titleColor=GREY,
                domainColor=GREY,
                tickColor=GREY,
                gridColor=GREY,
                gridOpacity=0.25,
                titleFontWeight="normal",
            ),
            legend=alt.LegendConfig(labelColor=GREY, titleColor=GREY),
            text=alt.MarkConfig(font="sans-serif"),
            view=alt.ViewConfig(stroke=None),
        ),
    )
    # Attach selections after composition: Altair lifts params out of layers inside a concat
    # and hands every named layer every param, which Vega rejects as duplicate signals.
    names = {
        layer.name.rsplit("_", 1)[0]: layer.name
        for layer in chart.vconcat[0].layer
        if isinstance(layer.name, str)
    }
    lifted = [
        alt.TopLevelSelectionParameter(**sel.param.to_dict(), views=[names[view]])
        for sel, view in ((pick, "curves"), (hover, "hover_points"))
    ]
    chart.params = [factor.param, *lifted]
    return chart


def patients_km_chart(
    patients: pd.DataFrame,
    factors: Iterable[str] | None = None,
    *,
    reported: pd.DataFrame | None = None,
    initial: str = "overall",
    **kwargs: object,
) -> alt.VConcatChart:
    """Fit every factor with :func:`asps.survival.summarise` and chart it with :func:`km_chart`.

    Parameters
    ----------
    patients
        One row per patient.
    factors
        Factor keys; default every entry of :data:`asps.survival.FACTORS`.
    reported, initial, **kwargs
        Passed to :func:`km_chart`.
    """
    summary = survival.summarise(patients, factors)
    return km_chart(
        summary.km,
        summary.risk,
        summary.logrank,
        summary.factors,
        reported=reported,
        initial=initial,
        **kwargs,
    )
