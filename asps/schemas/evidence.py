"""Schemas of the published-series evidence: series, their outcome figures, overlaps, methods.

``series.csv`` has one row per published series (the founding Cho 2014 series is one of them);
``series_outcomes.csv`` one row per printed figure (series, outcome, subgroup, time point);
``series_overlaps.csv`` one row per set of series that may share patients; ``review_methods.csv``
the sources, criteria, pooling rules and limitations shown on the evidence page. An empty cell
means "not read in a source", never "zero" or "unknown but guessed".

Rules that need two tables (known series ids, a denominator not above the series N) are in
:func:`cross_table_problems`, which the loader calls after every table passed its own schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from asps.paths import DATA_DIR, display_path

SERIES_ID = r"^[a-z][a-z-]*\d{4}[a-z]?$"
POPULATIONS = [
    "adult",
    "paediatric",
    "paediatric_and_young_adult",
    "all_ages",
    "registry",
    "not_stated",
]
DESIGNS = ["single_centre", "multicentre", "cooperative_group", "registry", "not_stated"]
SURVIVAL_OUTCOMES = [
    "overall_survival",
    "event_free_survival",
    "disease_free_survival",
    "local_recurrence_free_survival",
    "distant_recurrence_free_survival",
]
# Proportions of the series at one moment: they have no time point.
PROPORTION_OUTCOMES = [
    "metastasis_at_presentation",
    "metastasis_at_presentation_or_later",
    "female",
]
MEDIAN_OUTCOMES = ["median_overall_survival"]
OUTCOMES = SURVIVAL_OUTCOMES + PROPORTION_OUTCOMES + MEDIAN_OUTCOMES
SUBGROUPS = [
    "all",
    "localized",
    "without_metastases",
    "locoregional",
    "metastatic_at_presentation",
    "tumour_5cm_or_less",
    "tumour_over_5cm",
    "complete_resection",
    "residual_disease",
    "unclear",
]
UNITS = ["percent", "months"]
READ_IN = ["primary_publication", "secondary_source"]
# Sources other than the series' own publications; each is a key in references/series.bib.
SECONDARY_SOURCES = ["nci_pdq_childhood_sts"]
OVERLAP_BASES = ["same_institution", "cooperative_group", "registry_contains_series"]
CERTAINTIES = ["stated", "presumed"]
METHOD_KINDS = [
    "date_compiled",
    "source_searched",
    "inclusion_criterion",
    "pooling_rule",
    "ci_method",
    "limitation",
]
# A printed percentage and the printed count/denominator agree to rounding, never more.
ROUNDING_TOLERANCE_PCT = 0.5


class SeriesSchema(pa.DataFrameModel):
    """One published case series of ASPS."""

    series_id: Series[str] = pa.Field(
        unique=True,
        str_matches=SERIES_ID,
        description="Citation key and series id (first author or registry + year), as in "
        "references/series.bib.",
    )
    first_author: Series[str] = pa.Field(
        nullable=True,
        description="First author as 'Surname Initials'; empty when not read in a source.",
    )
    author_verified: Series[bool] = pa.Field(
        description="The first author was read in a source (false: not read in a source)."
    )
    year: Series[int] = pa.Field(ge=1900, le=2100, description="Year of publication.")
    year_verified: Series[bool] = pa.Field(description="The year was read in a source.")
    journal: Series[str] = pa.Field(
        nullable=True,
        description="Journal, volume(issue):pages as read; empty when not read in a source.",
    )
    doi: Series[str] = pa.Field(
        nullable=True, str_matches=r"^10\.\d{4,9}/\S+$", description="DOI, where read."
    )
    pmid: Series[str] = pa.Field(
        nullable=True, str_matches=r"^\d+$", description="PubMed id, where read."
    )
    pmcid: Series[str] = pa.Field(
        nullable=True, str_matches=r"^PMC\d+$", description="PubMed Central id, where read."
    )
    other_id: Series[str] = pa.Field(
        nullable=True, description="Another identifier (article number, index record)."
    )
    country: Series[str] = pa.Field(nullable=True, description="Country or region; empty if "
                                    "not stated in the source read.")
    institution: Series[str] = pa.Field(
        nullable=True, description="Institution, group or registry, as the source names it."
    )
    period: Series[str] = pa.Field(
        nullable=True, description="Period of diagnosis or treatment, as printed."
    )
    period_start: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=1900, le=2100, description="First year of the period, where printed."
    )
    period_end: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=1900, le=2100, description="Last year of the period, where printed."
    )
    population: Series[str] = pa.Field(
        isin=POPULATIONS, description="Who the series includes (age group, or a registry)."
    )
    age_summary: Series[str] = pa.Field(nullable=True, description="Age as printed.")
    n: Series[int] = pa.Field(gt=0, description="Number of patients the series analyses.")
    n_note: Series[str] = pa.Field(
        nullable=True, description="How N is printed, when it needs a caveat."
    )
    design: Series[str] = pa.Field(isin=DESIGNS, description="Where the patients come from.")
    founding: Series[bool] = pa.Field(
        description="The review's founding series (Cho 2014); exactly one row."
    )
    source_detail: Series[str] = pa.Field(
        str_length={"min_value": 3}, description="What was read, and where."
    )
    note: Series[str] = pa.Field(nullable=True, description="Caveats carried to the page.")

    class Config:
        strict = True
        ordered = False

    @pa.dataframe_check(error="period_start must not be after period_end")
    def period_in_order(cls, df: pd.DataFrame) -> Series[bool]:
        both = df["period_start"].notna() & df["period_end"].notna()
        return ~both | (df["period_start"] <= df["period_end"]).fillna(True)

    @pa.dataframe_check(error="period_end must not be after the year of publication")
    def period_before_publication(cls, df: pd.DataFrame) -> Series[bool]:
        return df["period_end"].isna() | (df["period_end"] <= df["year"]).fillna(True)

    @pa.dataframe_check(error="an empty first_author needs author_verified = false")
    def empty_author_is_not_read(cls, df: pd.DataFrame) -> Series[bool]:
        return df["first_author"].notna() | ~df["author_verified"].astype(bool)

    @pa.dataframe_check(error="exactly one series must have founding = true")
    def one_founding_series(cls, df: pd.DataFrame) -> bool:
        return int(df["founding"].astype(bool).sum()) == 1


class SeriesOutcomeSchema(pa.DataFrameModel):
    """One figure printed for a series: an outcome, in a subgroup, at a time point."""

    series_id: Series[str] = pa.Field(
        str_matches=SERIES_ID, description="The series (a series_id in series.csv)."
    )
    outcome: Series[str] = pa.Field(isin=OUTCOMES, description="What the figure measures.")
    subgroup: Series[str] = pa.Field(
        isin=SUBGROUPS, description="Patients the figure describes, as the source words it."
    )
    time_years: Series[float] = pa.Field(
        nullable=True,
        gt=0,
        le=50,
        description="Time point of a survival figure in years; empty for proportions and medians.",
    )
    estimate: Series[float] = pa.Field(ge=0, description="The figure, in the unit below.")
    unit: Series[str] = pa.Field(isin=UNITS, description="percent, or months for a median.")
    count: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Printed number of patients with the event, if printed."
    )
    denominator: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, gt=0, description="Patients the percentage is of; empty when not known."
    )
    denominator_approximate: Series[bool] = pa.Field(
        description="True when the series N (or a subgroup size printed elsewhere) stands in for "
        "a denominator the source does not print with this figure."
    )
    calculated: Series[bool] = pa.Field(
        description="True when the percentage is arithmetic on printed counts, not printed."
    )
    source: Series[str] = pa.Field(
        str_matches=r"^[a-z][a-z0-9_-]*$",
        description="Citation key of where the figure was read: the series itself or a "
        "secondary source in references/series.bib.",
    )
    source_detail: Series[str] = pa.Field(
        str_length={"min_value": 3}, description="Which part of the source (abstract, text...)."
    )
    read_in: Series[str] = pa.Field(
        isin=READ_IN, description="Read in the series' own publication or a secondary source."
    )
    note: Series[str] = pa.Field(nullable=True, description="Caveats carried to the page.")

    class Config:
        strict = True
        ordered = False

    @pa.dataframe_check(error="a percentage must lie between 0 and 100")
    def percent_in_range(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["unit"] != "percent") | df["estimate"].between(0, 100)

    @pa.dataframe_check(error="months are only for median survival, percent for the rest")
    def unit_matches_outcome(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["unit"] == "months") == df["outcome"].isin(MEDIAN_OUTCOMES)

    @pa.dataframe_check(
        error="a survival percentage needs time_years; a proportion or a median has none"
    )
    def time_only_for_survival(cls, df: pd.DataFrame) -> Series[bool]:
        return df["time_years"].notna() == df["outcome"].isin(SURVIVAL_OUTCOMES)

    @pa.dataframe_check(error="the count must not be above the denominator, nor without one")
    def count_within_denominator(cls, df: pd.DataFrame) -> Series[bool]:
        no_count = df["count"].isna()
        return no_count | (df["denominator"].notna() & (df["count"] <= df["denominator"])).fillna(
            False
        )

    @pa.dataframe_check(error="count / denominator disagrees with the estimate beyond rounding")
    def count_matches_estimate(cls, df: pd.DataFrame) -> Series[bool]:
        both = df["count"].notna() & df["denominator"].notna()
        share = 100 * df["count"].astype("Float64") / df["denominator"].astype("Float64")
        close = (share - df["estimate"]).abs() <= ROUNDING_TOLERANCE_PCT
        return ~both | close.fillna(True).astype(bool)

    @pa.dataframe_check(error="denominator_approximate = true needs a denominator")
    def approximate_needs_denominator(cls, df: pd.DataFrame) -> Series[bool]:
        return ~df["denominator_approximate"].astype(bool) | df["denominator"].notna()

    @pa.dataframe_check(
        error="read_in = primary_publication needs source = series_id; a secondary source "
        "needs another key"
    )
    def source_matches_read_in(cls, df: pd.DataFrame) -> Series[bool]:
        own = df["source"] == df["series_id"]
        return own == (df["read_in"] == "primary_publication")

    @pa.dataframe_check(
        error="duplicate figure: the same series, outcome, subgroup and time_years appear twice"
    )
    def one_row_per_figure(cls, df: pd.DataFrame) -> Series[bool]:
        keys = df[["series_id", "outcome", "subgroup"]].assign(
            time_years=df["time_years"].fillna(-1.0)
        )
        return ~keys.duplicated(keep=False)


class SeriesOverlapSchema(pa.DataFrameModel):
    """A set of series that may share patients; only ``pooled_series`` enters a pooled estimate."""

    set_id: Series[str] = pa.Field(
        unique=True, str_matches=r"^[a-z][a-z0-9_]*$", description="Name of the overlap set."
    )
    members: Series[str] = pa.Field(
        str_matches=r"^[a-z0-9-]+(\|[a-z0-9-]+)+$",
        description="The series of the set, '|' between them (two or more).",
    )
    pooled_series: Series[str] = pa.Field(
        str_matches=SERIES_ID, description="The one member that may be pooled."
    )
    basis: Series[str] = pa.Field(isin=OVERLAP_BASES, description="Why the series may overlap.")
    certainty: Series[str] = pa.Field(
        isin=CERTAINTIES,
        description="stated: a source says the patients overlap; presumed: likely, not confirmed.",
    )
    overlap_reason: Series[str] = pa.Field(
        str_length={"min_value": 10}, description="The evidence for the overlap, in a sentence."
    )
    choice_reason: Series[str] = pa.Field(
        str_length={"min_value": 10}, description="Why this member is the one pooled."
    )

    class Config:
        strict = True
        ordered = False

    @pa.dataframe_check(error="pooled_series must be one of the set's members")
    def pooled_is_member(cls, df: pd.DataFrame) -> Series[bool]:
        return pd.Series(
            [p in m.split("|") for p, m in zip(df["pooled_series"], df["members"], strict=True)],
            index=df.index,
        )

    @pa.dataframe_check(error="a series may belong to one overlap set only (merge the sets)")
    def series_in_one_set(cls, df: pd.DataFrame) -> Series[bool]:
        members = df["members"].str.split("|")
        counts = members.explode().value_counts()
        return members.map(lambda ids: all(counts[i] == 1 for i in ids))

    @pa.dataframe_check(error="a series is listed twice in the same set")
    def members_distinct(cls, df: pd.DataFrame) -> Series[bool]:
        return df["members"].str.split("|").map(lambda ids: len(ids) == len(set(ids)))


class ReviewMethodSchema(pa.DataFrameModel):
    """One statement of the review's method: a source, a criterion, a rule or a limitation."""

    item_id: Series[str] = pa.Field(
        unique=True, str_matches=r"^[a-z][a-z0-9_]*$", description="Stable identifier."
    )
    kind: Series[str] = pa.Field(isin=METHOD_KINDS, description="What kind of statement it is.")
    text: Series[str] = pa.Field(
        str_length={"min_value": 10}, description="The statement, as shown on the page."
    )
    date: Series[str] = pa.Field(
        nullable=True,
        str_matches=r"^\d{4}-\d{2}-\d{2}$",
        description="ISO date, for the date_compiled row only.",
    )

    class Config:
        strict = True
        ordered = False

    @pa.dataframe_check(error="date is required for date_compiled and empty otherwise")
    def date_only_when_compiled(cls, df: pd.DataFrame) -> Series[bool]:
        return df["date"].notna() == (df["kind"] == "date_compiled")

    @pa.dataframe_check(error="exactly one date_compiled row is required")
    def one_compiled_date(cls, df: pd.DataFrame) -> bool:
        return int((df["kind"] == "date_compiled").sum()) == 1


TABLES = {
    "series.csv": SeriesSchema,
    "series_outcomes.csv": SeriesOutcomeSchema,
    "series_overlaps.csv": SeriesOverlapSchema,
    "review_methods.csv": ReviewMethodSchema,
}



def cross_table_problems(
    frames: Mapping[str, pd.DataFrame], data_dir: Path | None = None
) -> list:
    """Check the rules that span the evidence tables.

    Parameters
    ----------
    frames
        Validated tables keyed by name without ``.csv`` (as :func:`asps.loading.load_all`
        returns them, each with a fresh ``RangeIndex``); missing tables are skipped.
    data_dir
        Directory the tables were read from, used to name files in the problems.

    Returns
    -------
    list of asps.loading.Problem
        One per broken rule: an outcome or overlap naming an unknown series, an unknown source
        key, or a denominator above the series N. Lines are physical CSV lines (the header is
        line 1), which holds because these files have no embedded newlines.
    """
    # Imported here: asps.loading imports this package while it initialises.
    from asps.loading import Problem

    directory = data_dir or DATA_DIR

    def usable(name: str, columns: set[str]) -> pd.DataFrame | None:
        # A table that failed its own schema may lack columns; its problems are reported already.
        frame = frames.get(name)
        if frame is None or frame.empty or not columns <= set(frame.columns):
            return None
        return frame

    series = usable("series", {"series_id", "n"})
    if series is None:
        return []
    sizes = dict(zip(series["series_id"], series["n"], strict=True))
    problems: list[Problem] = []

    outcomes = usable("series_outcomes", {"series_id", "denominator", "source"})
    if outcomes is not None:
        name = display_path(directory / "series_outcomes.csv")
        known_sources = set(sizes) | set(SECONDARY_SOURCES)
        for position, row in enumerate(outcomes.itertuples(index=False)):
            line = position + 2
            if row.series_id not in sizes:
                problems.append(
                    Problem(name, line, "series_id", "unknown series (not in series.csv)",
                            row.series_id)
                )
            elif pd.notna(row.denominator) and int(row.denominator) > int(sizes[row.series_id]):
                problems.append(
                    Problem(
                        name,
                        line,
                        "denominator",
                        f"denominator is above the series N ({sizes[row.series_id]})",
                        str(row.denominator),
                    )
                )
            if row.source not in known_sources:
                problems.append(
                    Problem(name, line, "source",
                            "unknown source (not a series_id nor a known secondary source)",
                            row.source)
                )

    overlaps = usable("series_overlaps", {"members"})
    if overlaps is not None:
        name = display_path(directory / "series_overlaps.csv")
        for position, row in enumerate(overlaps.itertuples(index=False)):
            for member in row.members.split("|"):
                if member not in sizes:
                    problems.append(
                        Problem(name, position + 2, "members",
                                "unknown series (not in series.csv)", member)
                    )
    return problems
