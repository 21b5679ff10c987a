"""Schema of the review's own change log: what changed in the data, and when."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

KINDS = ["added", "corrected", "removed", "method"]


class ChangelogSchema(pa.DataFrameModel):
    """One dated change to the review's data or methods, newest shown first on the home page."""

    date: Series[str] = pa.Field(
        str_matches=r"^\d{4}-\d{2}-\d{2}$", description="Date of the change (YYYY-MM-DD)."
    )
    kind: Series[str] = pa.Field(isin=KINDS, description="What sort of change it was.")
    tables: Series[str] = pa.Field(description="Data files touched, separated by ';'.")
    change: Series[str] = pa.Field(
        str_length={"min_value": 10}, description="The change in one sentence, for readers."
    )

    class Config:
        strict = True
        ordered = False


TABLES = {"changelog.csv": ChangelogSchema}
