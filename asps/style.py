"""Shared look of every chart: the page's own text colour, a colour-blind-safe palette, a
transparent background and text no smaller than 11 px.

Text, axes and grid are drawn in ``currentColor``: an inline SVG inherits the colour of the
page around it, so a chart reads at the theme's own contrast in light and in dark mode.
"""

from __future__ import annotations

import altair as alt

# Okabe & Ito (2008), "Color Universal Design": distinguishable with the common colour-vision
# deficiencies.
OKABE_ITO = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow (weak on white: used last)
    "#999999",  # grey
]
#: The page's text colour (body text of the light or dark theme).
TEXT = "currentColor"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
#: Smallest text on a chart, in pixels.
FONT_SIZE = 11
#: Height of one line of chart text, in pixels.
LINE_PX = 14
#: Axis ``labelExpr`` that draws a label holding newlines as several lines.
SPLIT_LINES = "split(datum.label, '\\n')"


def wrap_expr(field: str, chars: int) -> str:
    """Vega expression: ``datum[field]`` broken into lines of at most ``chars`` characters
    (newlines, for `SPLIT_LINES` or a text mark's ``lineBreak``). Done in the chart, not in
    Python, so that the chart itself shows which field the text comes from."""
    return f"trim(replace(datum.{field}, /(.{{1,{chars}}})(\\s+|$)/g, '$1\\n'))"


RECONSTRUCTED_NOTE = (
    "Reconstructed pseudo-individual data, consistent with the published aggregates of "
    "Cho et al. 2014; not the original patient records."
)


def config() -> alt.Config:
    """The site's chart configuration, for a chart's constructor (``config=config()``)."""
    return alt.Config(
        background="transparent",
        font=FONT,
        range=alt.RangeConfig(category=OKABE_ITO),
        axis=alt.AxisConfig(
            labelColor=TEXT,
            titleColor=TEXT,
            domainColor=TEXT,
            tickColor=TEXT,
            gridColor=TEXT,
            gridOpacity=0.18,
            domainOpacity=0.6,
            tickOpacity=0.6,
            labelFontSize=FONT_SIZE,
            titleFontSize=12,
            titleFontWeight="normal",
        ),
        legend=alt.LegendConfig(
            labelColor=TEXT, titleColor=TEXT, labelFontSize=FONT_SIZE, titleFontSize=12
        ),
        title=alt.TitleConfig(
            color=TEXT, subtitleColor=TEXT, anchor="start", fontSize=14, subtitleFontSize=12
        ),
        text=alt.MarkConfig(font=FONT, fontSize=FONT_SIZE, fill=TEXT),
        header=alt.HeaderConfig(labelColor=TEXT, titleColor=TEXT, labelFontSize=FONT_SIZE),
        view=alt.ViewConfig(stroke=None),
    )


def themed(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Return ``chart`` with the site's configuration (set in place: no deep copy)."""
    chart.config = config()
    return chart
