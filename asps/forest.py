"""Forest plot of published ASPS series: one spec, every outcome, a dropdown to choose.

Pure: the tidy frame of :func:`asps.evidence.forest_frame` in, an Altair chart out. Rows are the
series sorted by year (the founding series highlighted), then the pooled diamond or a
"not pooled" row; colour is the series' population.
"""

from __future__ import annotations

import textwrap

import altair as alt
import pandas as pd

from asps.render import Layouts
from asps.style import OKABE_ITO, TEXT, themed

PARAM = "figure"
DEFAULT_GROUP = "overall_survival/all/5y"
ROW_PX = 24
LINE_PX = 14
#: The phone layout: series names wrapped at this many characters in a panel this wide.
COMPACT_LABEL_CHARS = 24
COMPACT_LABEL_PX = 150
COMPACT_HEADER_CHARS = 30
COMPACT_BELOW = 700
DIAMOND_PX = 16
POPULATION_COLOURS = {
    "All ages": OKABE_ITO[0],
    "Children and adolescents": OKABE_ITO[1],
    "Children and young adults": OKABE_ITO[2],
    "Population registry": OKABE_ITO[3],
    "Adults": OKABE_ITO[4],
    "Age range not stated": OKABE_ITO[7],
}
POOLED_GREY = TEXT
POPULATION_SHAPES = ["square", "circle", "triangle-up", "diamond", "cross", "triangle-down"]
TOOLTIP = [
    alt.Tooltip("label:N", title="Series"),
    alt.Tooltip("population_label:N", title="Population"),
    alt.Tooltip("n:Q", title="Series N (all patients)"),
    alt.Tooltip("denominator_text:N", title="Denominator"),
    alt.Tooltip("ci_text:N", title="% (95% CI)"),
    alt.Tooltip("status_text:N", title="Pooling"),
    alt.Tooltip("source_text:N", title="Source"),
    alt.Tooltip("note:N", title="Note"),
]
SUMMARY_TOOLTIP = [
    alt.Tooltip("label:N", title="Summary"),
    alt.Tooltip("ci_text:N", title="% (95% CI)"),
    alt.Tooltip("status_text:N", title="Method"),
]


def forest_groups(forest: pd.DataFrame) -> pd.DataFrame:
    """Return the figures the dropdown offers: ``group``, ``label``, ``pooled``, in menu order.

    Pooled figures come first, then the rest, each alphabetically by label.
    """
    summary = forest[forest["row_kind"] != "series"]
    groups = pd.DataFrame({
        "group": summary["group"],
        "label": summary["group_label"] + summary["pooled"].map({True: " (pooled)", False: ""}),
        "pooled": summary["pooled"].astype(bool),
    })
    return groups.sort_values(["pooled", "label"], ascending=[False, True]).reset_index(drop=True)


def _positions(forest: pd.DataFrame) -> pd.DataFrame:
    """Add ``pos``: row 0 at the top, series by year, a blank spacer, then the summary row."""
    frame = forest.sort_values(["group", "year", "series_id"], na_position="last").copy()
    is_series = frame["row_kind"] == "series"
    frame["pos"] = frame[is_series].groupby("group").cumcount()
    count = frame[is_series].groupby("group").size()
    frame.loc[~is_series, "pos"] = frame.loc[~is_series, "group"].map(count).fillna(0) + 1
    spacers = frame.loc[~is_series, ["group", "group_label", "pos"]].assign(
        row_kind="spacer", label="", ci_text="", pos=lambda f: f["pos"] - 1, pooled=False,
        founding=False,
    )
    frame = pd.concat([frame, spacers], ignore_index=True)
    frame["pos"] = frame["pos"].astype(int)
    return frame.sort_values(["group", "pos"]).reset_index(drop=True)


def _diamonds(frame: pd.DataFrame) -> pd.DataFrame:
    """Three points per pooled row (lower, estimate, upper); a trail mark tapers between them."""
    rows = [
        {"group": r.group, "pos": r.pos, "x": x, "w": w, "label": r.label,
         "ci_text": r.ci_text, "status_text": r.status_text}
        for r in frame[frame["row_kind"] == "pooled"].itertuples(index=False)
        for x, w in ((r.lower, 0.0), (r.estimate, DIAMOND_PX), (r.upper, 0.0))
    ]
    return pd.DataFrame(
        rows, columns=["group", "pos", "x", "w", "label", "ci_text", "status_text"]
    )


def forest_chart(
    forest: pd.DataFrame,
    *,
    initial: str | None = None,
    label_width: int = 235,
    compact: bool = False,
) -> alt.VConcatChart:
    """Draw the forest plot of every figure in ``forest``, one figure at a time.

    Parameters
    ----------
    forest
        Output of :func:`asps.evidence.forest_frame` (``Evidence.forest``).
    initial
        Group key shown first (e.g. ``"overall_survival/all/5y"``); a static export (PNG)
        shows this one. Defaults to 5-year overall survival, else the first pooled figure.
    label_width
        Pixel width of the series-label panel; the plot takes the rest of the column.
    compact
        The phone layout: each row's n and "% (95% CI)" on a line under the series name, and
        no separate columns for them.

    Returns
    -------
    altair.VConcatChart
        Themed chart with a dropdown bound to the ``figure`` parameter.
    """
    groups = forest_groups(forest)
    if groups.empty:
        raise ValueError("forest has no figures to draw")
    if initial is None:
        initial = DEFAULT_GROUP if DEFAULT_GROUP in set(groups["group"]) else groups["group"][0]
    elif initial not in set(groups["group"]):
        raise ValueError(f"unknown figure {initial!r}; known: {', '.join(groups['group'])}")

    frame = _positions(forest)
    # The patients the percentage is of (a subgroup's size, not the whole series' N).
    frame["n_text"] = [
        "" if kind != "series" else "\u2013" if pd.isna(d) else f"{int(d)}"
        for kind, d in zip(frame["row_kind"], frame["denominator"], strict=True)
    ]
    # Hover explains every open square; an overlap is also named, for static exports.
    frame["ci_label"] = frame["ci_text"].fillna("") + frame["status"].map(
        {"overlap": " \u00b7 overlap"}
    ).fillna("")
    bold = frame["founding"].fillna(False).astype(bool) | frame["row_kind"].isin(
        ["pooled", "not_pooled"]
    )
    frame["weight"] = bold.map({True: "bold", False: "normal"})
    # An ordinal y with a step height: every panel grows or shrinks with the chosen figure's rows.
    if compact:
        label_width = COMPACT_LABEL_PX
        frame["label"] = [
            "\n".join(
                textwrap.wrap(str(label), COMPACT_LABEL_CHARS)
                + textwrap.wrap(f"n {n} \u00b7 {ci}", COMPACT_LABEL_CHARS)
            )
            if kind == "series" else "\n".join(textwrap.wrap(str(label), COMPACT_LABEL_CHARS))
            for label, n, ci, kind in zip(
                frame["label"].fillna(""), frame["n_text"], frame["ci_label"],
                frame["row_kind"], strict=True,
            )
        ]
    lines = int(frame["label"].fillna("").str.count("\n").max()) + 1 if compact else 1
    y = alt.Y("pos:O", sort="ascending", axis=None)
    step = alt.Step(ROW_PX + LINE_PX * (lines - 1))
    selector = alt.param(
        name=PARAM,
        value=initial,
        bind=alt.binding_select(
            options=list(groups["group"]), labels=list(groups["label"]), name="Figure: "
        ),
    )
    chosen = f"datum.group == {PARAM}"
    base = alt.Chart(frame).transform_filter(chosen)
    series_rows = base.transform_filter("datum.row_kind == 'series'")
    founding = series_rows.transform_filter("datum.founding")

    def band(panel_width: int | str) -> alt.Chart:
        # A band in the text colour, faint, marks the founding series in every panel.
        return founding.mark_rect(color=TEXT, opacity=0.18).encode(
            y=y, x=alt.value(0), x2=alt.value(panel_width)
        )

    def text_panel(field: str, panel_width: int, title: str, align: str) -> alt.LayerChart:
        x = 0 if align == "left" else panel_width
        # fontWeight is a mark property, not an encoding channel: one layer per weight.
        texts = [
            base.transform_filter(f"datum.weight == '{weight}'").mark_text(
                align=align, baseline="middle", color=TEXT, fontSize=11 if compact else 12,
                fontWeight=weight,
                lineBreak="\n", lineHeight=LINE_PX,
            ).encode(y=y, x=alt.value(x), text=f"{field}:N")
            for weight in ("normal", "bold")
        ]
        return alt.layer(band(panel_width), *texts).properties(
            width=panel_width, height=step, title=alt.TitleParams(title, fontSize=12)
        )

    # The same populations and colours for every figure, so a colour never changes meaning.
    present = [p for p in POPULATION_COLOURS if p in set(frame["population_label"].dropna())]
    colour = alt.Color(
        "population_label:N",
        title="Population",
        scale=alt.Scale(domain=present, range=[POPULATION_COLOURS[p] for p in present]),
        legend=alt.Legend(orient="bottom", direction="horizontal", columns=1 if compact else 3),
    )
    x_scale = alt.Scale(domain=[0, 100], nice=False)
    x = alt.X("estimate:Q", title="Percent (95% CI)", scale=x_scale,
              axis=alt.Axis(values=list(range(0, 101, 20)), grid=True))
    # Invisible marks on every row keep the plot's rows aligned with the text panels.
    rows = base.mark_point(opacity=0).encode(y=y)
    ci = series_rows.transform_filter("isValid(datum.lower)").mark_rule(strokeWidth=2).encode(
        x=alt.X("lower:Q", scale=x_scale, title="Percent (95% CI)"), x2="upper:Q", y=y,
        color=colour, tooltip=TOOLTIP,
    )
    # Population by shape as well as colour (one merged legend), so colour is not the only
    # carrier of it; filled = pooled, open = shown but not pooled.
    shape = alt.Shape(
        "population_label:N", title="Population",
        scale=alt.Scale(domain=present, range=POPULATION_SHAPES[: len(present)]),
        legend=alt.Legend(orient="bottom", direction="horizontal", columns=1 if compact else 3),
    )
    pooled_points = series_rows.transform_filter("datum.pooled").mark_point(
        filled=True, size=90, opacity=1, aria=False
    ).encode(x=x, y=y, color=colour, shape=shape, tooltip=TOOLTIP)
    shown_points = series_rows.transform_filter("!datum.pooled").mark_point(
        filled=False, size=90, strokeWidth=2, opacity=1
    ).encode(x=x, y=y, color=colour, shape=shape, tooltip=TOOLTIP)
    pooled_line = base.transform_filter("datum.row_kind == 'pooled'").mark_rule(
        strokeDash=[4, 4], color=POOLED_GREY, aria=False
    ).encode(x=alt.X("estimate:Q", scale=x_scale))
    diamond = alt.Chart(_diamonds(frame)).transform_filter(chosen).mark_trail(
        # Drawn, not announced: the pooled figure is in the "% (95% CI)" column as text.
        color=POOLED_GREY, aria=False
    ).encode(
        x=alt.X("x:Q", scale=x_scale), y=y, order="x:Q",
        size=alt.Size("w:Q", scale=None, legend=None), tooltip=SUMMARY_TOOLTIP,
    )
    plot = alt.layer(
        band("width"), rows, pooled_line, ci, pooled_points, shown_points, diamond
    ).properties(
        width="container", height=step, title=alt.TitleParams("Estimate", fontSize=12)
    )
    label_panel = text_panel(
        "label", label_width, "Series: n, % (95% CI)" if compact else "Series (by year)", "left"
    )
    panels = (
        alt.hconcat(label_panel, plot, spacing=8) if compact else alt.hconcat(
            label_panel,
            text_panel("n_text", 30, "n", "right"),
            plot,
            text_panel("ci_label", 150, "% (95% CI)", "left"),
            spacing=8,
        )
    )
    frame["header"] = [
        "\n".join(textwrap.wrap(str(g), COMPACT_HEADER_CHARS)) if compact else g
        for g in frame["group_label"]
    ]
    header_lines = int(frame["header"].str.count("\n").max()) + 1
    header = alt.Chart(frame).transform_filter(chosen).transform_filter(
        "datum.row_kind != 'series'"
    ).mark_text(
        align="left", baseline="top", fontSize=14, fontWeight="bold", color=TEXT,
        lineBreak="\n", lineHeight=17,
    ).encode(
        text="header:N", x=alt.value(0), y=alt.value(0)
    ).properties(width=label_width, height=17 * header_lines)
    chart = alt.vconcat(header, panels, spacing=6).add_params(selector).properties(
        title=alt.TitleParams(
            "Published ASPS series: estimate and 95% CI per series",
            subtitle=[
                "Filled squares enter the pooled estimate (diamond, random effects).",
                "Open squares are shown but not pooled: hover for why; '\u00b7 overlap' = may "
                "share patients with a pooled series.",
                "Series intervals: logit (Wald) from n. "
                "Shaded band: the founding series (Cho 2014).",
            ],
        ),
        description=(
            "Forest plot of published alveolar soft part sarcoma series. For the figure chosen "
            "in the dropdown (an outcome, patient group and time point), each row is one series "
            "sorted by year of publication, with its percentage and 95% confidence interval, "
            "coloured by population; the founding Cho 2014 series is highlighted; the last row "
            "is the random-effects pooled estimate, drawn as a diamond, or says why the figure "
            "is not pooled."
        ),
    )
    return themed(chart)


def forest_figure(forest: pd.DataFrame, *, initial: str | None = None) -> Layouts:
    """:func:`forest_chart` for every screen: the compact layout under
    :data:`COMPACT_BELOW` pixels, the full one from there up."""
    return Layouts.compact_below(
        forest_chart, forest, initial=initial, below=COMPACT_BELOW, min_plot=90
    )
