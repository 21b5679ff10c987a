"""Shared look of every chart: a colour-blind-safe palette on a transparent background.

Mid-grey text and axes read on both the light and the dark theme of the site.
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
TEXT_GREY = "#8a8a8a"
GRID_GREY = "#8a8a8a40"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
RECONSTRUCTED_NOTE = (
    "Reconstructed pseudo-individual data, consistent with the published aggregates of "
    "Cho et al. 2014; not the original patient records."
)


def themed(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Return ``chart`` with the site's palette, fonts and transparent background."""
    return chart.configure(background="transparent", font=FONT).configure_range(
        category=OKABE_ITO
    ).configure_axis(
        labelColor=TEXT_GREY,
        titleColor=TEXT_GREY,
        domainColor=TEXT_GREY,
        tickColor=TEXT_GREY,
        gridColor=GRID_GREY,
    ).configure_legend(labelColor=TEXT_GREY, titleColor=TEXT_GREY).configure_title(
        color=TEXT_GREY, subtitleColor=TEXT_GREY, anchor="start"
    ).configure_view(stroke=None)
