"""Schema of prognostic factors reported by published ASPS series."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

FACTORS = [
    "tumour_size",
    "metastasis_or_stage",
    "resection_margin",
    "bone_involvement",
    "age",
    "site",
]
ANALYSES = ["multivariable", "univariable", "descriptive", "not_stated"]


class PrognosticFactorSchema(pa.DataFrameModel):
    """One prognostic factor as one series reports it, in the words of its abstract."""

    series_id: Series[str] = pa.Field(description="Series id from data/series.csv.")
    factor: Series[str] = pa.Field(isin=FACTORS, description="The factor, from a fixed list.")
    finding: Series[str] = pa.Field(
        str_length={"min_value": 5}, description="What the series reports, close to its words."
    )
    analysis: Series[str] = pa.Field(
        isin=ANALYSES, description="How the association was tested, as far as the source says."
    )
    source: Series[str] = pa.Field(
        str_matches=r"^(doi:|pmid:|https?://)", description="Where the finding was read."
    )

    class Config:
        strict = True
        ordered = False
        unique = ["series_id", "factor"]


TABLES = {"prognostic_factors.csv": PrognosticFactorSchema}


def cross_table_problems(frames, data_dir=None) -> list:
    """Every ``series_id`` in prognostic_factors.csv must name a series in series.csv."""
    from asps.loading import Problem

    factors, series = frames.get("prognostic_factors"), frames.get("series")
    if factors is None or series is None or factors.empty or "series_id" not in series:
        return []
    known = set(series["series_id"])
    # Rows have no embedded newlines here, so row i sits on physical line i + 2.
    return [
        Problem(
            "data/prognostic_factors.csv",
            int(i) + 2,
            "series_id",
            "unknown series id (not in data/series.csv)",
            value,
        )
        for i, value in factors["series_id"].items()
        if value not in known
    ]
