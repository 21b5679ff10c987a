"""Interactive Kaplan-Meier chart: one Vega-Lite spec holding every factor.

Builders are pure: tidy tables from :mod:`asps.survival` in, an Altair chart out. A radio
button (the ``factor`` parameter) switches factor inside the page; the curves, risk table,
log-rank line and reported figures all filter on it.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from asps import survival
from asps.render import Layouts
from asps.style import FONT_SIZE, TEXT, config

#: Okabe-Ito without black and yellow, which vanish on dark and light backgrounds respectively.
PALETTE: tuple[str, ...] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
CHART_PIXELS = 1000
#: Average width of a character of chart text (11 px sans-serif), for wrapping and extents.
CHAR_PX = 6.2
#: Line lengths (characters) each note is wrapped at; the longest that fits is shown.
NOTE_WRAPS = (34, 48, 64, 84, 110, 150)
NOTE_LINE_PX = 15
#: Least room, in pixels, a time-axis label needs; narrower plots label every 24 or 36 months.
TICK_LABEL_PX = 34
#: Boxes narrower than this get the compact (phone) layout of the chart.
COMPACT_BELOW = 560
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


def _note_lines(
    logrank: pd.DataFrame, factors: pd.DataFrame, reported: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Notes under the plot: log-rank result and diamond key, then the caveat, one row per
    line for each wrapping of :data:`NOTE_WRAPS` (columns ``factor``, ``wrap``, ``line``,
    ``text``)."""
    shown = set() if reported is None else set(reported["factor"])
    tests = logrank.set_index("factor")
    rows = []
    for key, caveat in zip(factors["key"], factors["caveat"], strict=True):
        if key in tests.index and isinstance(tests.at[key, "test"], str):
            t = tests.loc[key]
            p = "p < 0.001" if t["p"] < 0.001 else f"p = {t['p']:.3f}"
            line = (
                f"{t['test'].capitalize()} test: {p} "
                f"(chi-square {t['statistic']:.2f}, {int(t['df'])} df)."
            )
        elif key == "overall":
            line = "All patients in one curve: no comparison."
        else:
            line = "No log-rank test: fewer than two groups, or no deaths while both were at risk."
        if key in shown:
            line += f" Diamonds: figures {REPORTED_SOURCE}."
        paragraphs = [line] + ([f"Caveat: {caveat}"] if isinstance(caveat, str) else [])
        for wrap in NOTE_WRAPS:
            lines = [text for p in paragraphs for text in textwrap.wrap(p, wrap)]
            rows += [
                {"factor": key, "wrap": wrap, "line": i, "text": text}
                for i, text in enumerate(lines)
            ]
    return pd.DataFrame(rows, columns=["factor", "wrap", "line", "text"])


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


@dataclass(frozen=True)
class _Encodings:
    """What every layer of one chart shares: the time axis, the colours, the selector."""

    x: alt.X
    y: alt.Y
    color: alt.Color
    dash: alt.StrokeDash
    opacity: alt.OpacityValue | dict
    in_factor: Any
    x_end: float
    picked: str


def _selector(factors: pd.DataFrame, initial: str) -> alt.Parameter:
    """The "Compare by" radio buttons: which factor every layer shows."""
    return alt.param(
        name="factor",
        value=initial,
        bind=alt.binding_radio(
            options=list(factors["key"]), labels=list(factors["label"]), name="Compare by: "
        ),
    )


def _tick_label_expr(x_end: float) -> str:
    """Vega expression for the time-axis labels: every 12 months where there is room, every 24
    or 36 on a narrow plot (all ticks stay), and always the last one."""
    step = f"(12 * ceil({TICK_LABEL_PX} * {x_end:g} / (12 * max(width, 1))))"
    return (
        f"datum.value === {x_end:g} || (datum.value % {step} === 0 && "
        f"{x_end:g} - datum.value >= 0.6 * {step}) ? datum.label : ''"
    )


def _encodings(
    factor: alt.Parameter, factors: pd.DataFrame, curves: pd.DataFrame, x_end: float,
    group_order: list[str], *, legend_columns: int | None = None,
) -> _Encodings:
    picked = (
        f"!pick.group || indexof(pick.group, datum.group) >= 0 "
        f"|| indexof({_groups_expr(curves)}, pick.group[0]) < 0"
    )
    x = alt.X(
        "time:Q",
        title="Months since diagnosis",
        scale=alt.Scale(domain=[0, x_end], nice=False),
        axis=alt.Axis(
            values=[int(v) for v in np.arange(0, x_end + 1, 12)],
            labelFlush=True,
            labelExpr=_tick_label_expr(x_end),
        ),
    )
    legend = alt.Legend(
        orient="top",
        direction="horizontal",
        **({} if legend_columns is None else {"columns": legend_columns}),
        labelExpr=_label_expr("factor", "datum.label"),
        symbolType="stroke",
        symbolStrokeWidth=3,
        labelLimit=0,
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
    # A legend pick left over from another factor names no group here: treat it as no pick.
    opacity = alt.when(picked).then(alt.value(1.0)).otherwise(alt.value(0.12))
    return _Encodings(x, y, color, dash, opacity, alt.datum.factor == factor, x_end, picked)


def _bands(curves: alt.Chart, e: _Encodings) -> alt.Chart:
    """The shaded confidence band of each curve."""
    # fillOpacity, not opacity: the shared legend copies opacity onto its line symbols.
    return curves.mark_area(interpolate="step-after", aria=False).encode(
        x=e.x,
        y=alt.Y("lower:Q", title="Surviving"),
        y2="upper:Q",
        color=e.color,
        fillOpacity=alt.when(e.picked).then(alt.value(0.22)).otherwise(alt.value(0.04)),
    )


def _curves(curves: alt.Chart, e: _Encodings, hover: alt.Parameter) -> list[alt.Chart]:
    """The step curves, and the hover layer that reads a curve out at the pointer."""
    line = (
        curves.mark_line(interpolate="step-after", strokeWidth=2)
        .encode(
            x=e.x, y=e.y, color=e.color, strokeDash=e.dash, opacity=e.opacity,
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
        curves.transform_calculate(
            years="datum.time / 12",
            group_label=_label_expr("datum.factor", "datum.group"),
            ci="format(datum.lower, '.1%') + ' to ' + format(datum.upper, '.1%')",
        )
        .mark_point(filled=True, size=70, aria=False)
        .encode(
            x=e.x, y=e.y, color=e.color, tooltip=tooltip,
            opacity=alt.when(hover).then(alt.value(1.0)).otherwise(alt.value(0.0)),
        )
        .properties(name="hover_points")
    )
    rule = (
        curves.transform_filter(hover)
        .mark_rule(color=TEXT, strokeDash=[3, 3], aria=False)
        .encode(x=e.x)
    )
    return [line, rule, points]


def _censor_marks(censors: pd.DataFrame, e: _Encodings) -> alt.Chart:
    """A tick where patients were censored (alive at last follow-up)."""
    return (
        alt.Chart(_csv_data(censors))
        .transform_filter(e.in_factor)
        .transform_calculate(group_label=_label_expr("datum.factor", "datum.group"))
        .mark_tick(orient="vertical", size=9, thickness=1.5)
        .encode(
            x=e.x, y=e.y, color=e.color, opacity=e.opacity,
            tooltip=[
                alt.Tooltip("group_label:N", title="Group", format=""),
                alt.Tooltip("censored:Q", title="Censored (alive at last follow-up)"),
                alt.Tooltip("time:Q", title="Months", format=".1f"),
            ],
        )
    )


def _reported(reported: pd.DataFrame, e: _Encodings) -> alt.Chart:
    """Diamonds at the survival figures the paper prints."""
    marks = reported[["factor", "group", "time_months", "survival", "text"]].rename(
        columns={"time_months": "time"}
    )
    # A fixed shape, explained in the note line: a shape legend whose domain the filter
    # empties (factors with no reported figures) gives Vega infinite bounds.
    return (
        alt.Chart(_csv_data(marks))
        .transform_filter(e.in_factor)
        .mark_point(shape="diamond", filled=True, size=120, strokeWidth=1.5, stroke=TEXT)
        .encode(
            x=e.x, y=e.y, color=e.color, opacity=e.opacity,
            tooltip=[alt.Tooltip("text:N", title="Published")],
        )
    )


def _notes(lines: pd.DataFrame, e: _Encodings) -> alt.Chart:
    """The log-rank result, the diamonds' key and the factor's caveat, wrapped to the width."""
    # Each note is stored wrapped at several line lengths; the one that fits the plot is shown.
    fits = " : ".join(
        f"width >= {round(chars * CHAR_PX)} ? {chars}" for chars in reversed(NOTE_WRAPS[1:])
    ) + f" : {NOTE_WRAPS[0]}"
    return (
        alt.Chart(_csv_data(lines))
        .transform_filter(e.in_factor)
        .transform_filter(f"datum.wrap === ({fits})")
        .mark_text(align="left", baseline="middle", fill=TEXT)
        .encode(
            x=alt.value(0),
            y=alt.Y("line:O", axis=None),
            text="text:N",
        )
        .properties(name="km_notes", width="container", height=alt.Step(NOTE_LINE_PX))
    )


def _panel_title(text: str) -> alt.TitleParams:
    """A risk table's title: small, plain, at its left edge."""
    return alt.TitleParams(
        text, anchor="start", fontSize=FONT_SIZE, fontWeight="normal", color=TEXT
    )


def _risk_table(risk_long: pd.DataFrame, e: _Encodings) -> alt.Chart:
    """Numbers at risk, deaths and censorings to date under the time axis, every 12 months."""
    return (
        alt.Chart(_csv_data(risk_long))
        .transform_filter(e.in_factor)
        .mark_text()
        .encode(
            x=alt.X(
                "time:Q",
                title=None,
                scale=alt.Scale(domain=[0, e.x_end], nice=False),
                axis=alt.Axis(
                    values=[int(v) for v in np.arange(0, e.x_end + 1, 12)],
                    labels=False, ticks=False, domain=False, grid=False,
                ),
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
                    labelLimit=0,
                    labelPadding=16,
                    minExtent=int(CHAR_PX * risk_long["row"].str.len().max()) + 16,
                ),
            ),
            text="count:Q",
            opacity=e.opacity,
        )
        .properties(
            name="km_risk",
            width="container",
            height=alt.Step(15),
            title=_panel_title("Numbers at risk, and deaths and censorings to date"),
        )
    )


def _risk_table_compact(risk: pd.DataFrame, e: _Encodings, group_order: list[str]) -> alt.Chart:
    """The same numbers for a phone: one row per 12 months, one column per group, each cell
    "at risk / deaths / censored"."""
    cells = risk.assign(
        cell=[
            f"{a} / {d} / {c}"
            for a, d, c in zip(risk["at_risk"], risk["events_cum"], risk["censored_cum"],
                               strict=True)
        ],
        month=risk["time"].round().astype(int),
    )[["factor", "group", "month", "cell"]]
    return (
        alt.Chart(_csv_data(cells))
        .transform_filter(e.in_factor)
        .mark_text()
        .encode(
            x=alt.X(
                "group:N", title=None, sort=group_order,
                axis=alt.Axis(
                    orient="top", labelExpr=_label_expr("factor", "datum.label"), labelLimit=0,
                    ticks=False, domain=False, labelAngle=0,
                ),
            ),
            y=alt.Y(
                "month:O", title="Month", sort="ascending",
                axis=alt.Axis(ticks=False, domain=False, titleAngle=0, titleAlign="right",
                              titleY=-6, titleX=-4, titleBaseline="bottom"),
            ),
            text="cell:N",
            opacity=e.opacity,
        )
        .properties(
            name="km_risk",
            width="container",
            height=alt.Step(16),
            title=_panel_title("At risk / deaths to date / censored to date"),
        )
    )


def km_chart(
    km: pd.DataFrame,
    risk: pd.DataFrame,
    logrank: pd.DataFrame,
    factors: pd.DataFrame | None = None,
    *,
    reported: pd.DataFrame | None = None,
    initial: str = "overall",
    title: str | None = None,
    height: int = 320,
    compact: bool = False,
) -> alt.VConcatChart:
    """Build the Kaplan-Meier chart with factor selector, risk table and log-rank line.

    Its width is that of the page's column (``"container"``, set by ``assets/charts.js``).

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
    height
        Height of the survival panel in pixels.
    compact
        The phone layout: the risk table turned to one row per 12 months and one column per
        group, the legend in two columns.

    Returns
    -------
    altair.VConcatChart
        Panels named ``km_curves``, ``km_notes`` and ``km_risk``, top to bottom.
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
    group_order = _group_order(factors, firsts)

    # Rounded far below a pixel (0.01 month, 0.01 percentage point) to keep the spec small.
    thinned = thin_steps(km, x_max=x_end)
    thinned = thinned[["factor", "group", "time", "at_risk", *_STEP_VALUES]].round(
        {"time": 2, "survival": 4, "lower": 4, "upper": 4}
    )
    censors = censor_marks(km, x_max=x_end).round({"time": 2, "survival": 4})

    factor = _selector(factors, initial)
    pick = alt.selection_point(name="pick", fields=["group"], bind="legend")
    hover = alt.selection_point(
        name="hover", on="pointerover", clear="pointerout", nearest=True,
        fields=["factor", "group", "time"], empty=False,
    )
    e = _encodings(factor, factors, firsts, x_end, group_order,
                   legend_columns=2 if compact else None)
    curves = alt.Chart(_csv_data(thinned)).transform_filter(e.in_factor)
    # Later layers sit above the hover voronoi, so their own tooltips stay reachable.
    layers: list[alt.Chart] = [_bands(curves, e), *_curves(curves, e, hover),
                               _censor_marks(censors, e)]
    if reported is not None and len(reported):
        layers.append(_reported(reported, e))
    surv_panel = alt.LayerChart(layer=layers, name="km_curves", width="container", height=height)
    notes = _notes(_note_lines(logrank, factors, reported), e)
    risk_panel = (
        _risk_table_compact(risk, e, group_order) if compact
        else _risk_table(_risk_long(risk, group_order), e)
    )

    description = (
        f"{title}. {RECONSTRUCTED_LABEL}. Kaplan-Meier step curves with shaded "
        f"{survival.CI_METHOD}, ticks where patients were censored, "
        + ("diamonds for figures printed in the paper, " if reported is not None else "")
        + "and below a table of numbers at risk every 12 months. "
        "Radio buttons choose the factor compared: "
        + ", ".join(factors["label"])
        + ". Log-rank test results are printed under the curves."
    )
    # One constructor call: every chained .configure_*/.properties deep-copies the whole tree.
    chart = alt.VConcatChart(
        vconcat=[surv_panel, notes, risk_panel],
        spacing=8,
        resolve=alt.Resolve(scale=alt.ScaleResolveMap(x="independent", color="shared")),
        title=alt.TitleParams(title, subtitle=[RECONSTRUCTED_LABEL]),
        description=description,
        usermeta={
            "reconstructed": True,
            "source": "Cho et al. 2014, Clin Orthop Surg 6(1):80-86, doi:10.4055/cios.2014.6.1.80",
            "ci_method": survival.CI_METHOD,
        },
        # Re-measure when the selector changes the risk table's rows and labels.
        autosize=alt.AutoSizeParams(type="pad", resize=True),
        config=config(),
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


def km_figure(
    km: pd.DataFrame,
    risk: pd.DataFrame,
    logrank: pd.DataFrame,
    factors: pd.DataFrame | None = None,
    **kwargs: Any,
) -> Layouts:
    """:func:`km_chart` for every screen: the compact layout in boxes under
    :data:`COMPACT_BELOW` pixels, the full one from there up."""
    return Layouts.compact_below(
        km_chart, km, risk, logrank, factors, below=COMPACT_BELOW, min_plot=160, **kwargs
    )


def patients_km_chart(
    patients: pd.DataFrame,
    factors: Iterable[str] | None = None,
    *,
    reported: pd.DataFrame | None = None,
    initial: str = "overall",
    **kwargs: Any,
) -> Layouts:
    """Fit every factor with :func:`asps.survival.summarise` and chart it with :func:`km_figure`.

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
    return km_figure(
        summary.km,
        summary.risk,
        summary.logrank,
        summary.factors,
        reported=reported,
        initial=initial,
        **kwargs,
    )
