"""Schemas of the founding series: Cho et al., Clin Orthop Surg 2014;6(1):80-86.

``patients.csv`` holds reconstructed pseudo-individual data (consistent with the published
aggregates, not the original patient records); ``cho2014_figures.csv`` holds every figure the paper
prints, where it prints it, and the structured description the audit uses to recompute it.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

CHO2014_DOI = "10.4055/cios.2014.6.1.80"

SEX = ["female", "male"]
SITE = ["trunk", "lower_extremity", "upper_extremity", "head_and_neck", "other"]
DEPTH = ["superficial", "deep", "deep_and_superficial"]
MARGIN = ["R0", "R1", "R2"]
REFERRAL = ["primary", "unplanned_excision", "biopsy_only"]
METASTASIS = ["none", "lung", "multiple"]
INITIAL_DIAGNOSIS = ["benign_soft_tissue_tumour", "haemangioma", "other_or_not_reported"]

MEASURES = [
    "count",
    "percent",
    "mean",
    "median",
    "minimum",
    "maximum",
    "km_survival_pct",
    "km_higher",
    "case_value",
    "statement",
]
LOCATIONS = ["abstract", "introduction", "methods", "results", "figure_caption", "discussion"]
COHORTS = ["this_series", "other_study"]
UNITS = ["patients", "percent", "years", "months", "mm", "Gy", "true_false", "none"]


class PatientSchema(pa.DataFrameModel):
    """One reconstructed pseudo-patient of the Cho 2014 series (n = 19)."""

    patient_id: Series[str] = pa.Field(
        unique=True, str_matches=r"^P\d{2}$", description="Pseudo-patient identifier (P01...)."
    )
    sex: Series[str] = pa.Field(isin=SEX, description="Sex as reported in aggregate.")
    age_years: Series[int] = pa.Field(ge=0, le=100, description="Age at diagnosis, years.")
    site: Series[str] = pa.Field(isin=SITE, description="Anatomical site of the primary tumour.")
    depth: Series[str] = pa.Field(
        isin=DEPTH,
        nullable=True,
        description="Depth relative to the deep fascia on pre-operative imaging; empty where "
        "not imaged before surgery.",
    )
    size_mm: Series[int] = pa.Field(
        gt=0, le=500, description="Longest tumour axis on pathology, millimetres."
    )
    margin: Series[str] = pa.Field(
        isin=MARGIN, description="Resection margin: R0 (no tumour within 1 mm of ink), R1, R2."
    )
    referral: Series[str] = pa.Field(
        isin=REFERRAL,
        description="How the patient came: primary, or after an outside "
        "unplanned excision or biopsy.",
    )
    mets_at_diagnosis: Series[str] = pa.Field(
        isin=METASTASIS, description="Distant metastasis at diagnosis."
    )
    mets_during_followup: Series[str] = pa.Field(
        isin=METASTASIS,
        nullable=True,
        description="New distant metastasis during follow-up; empty where metastatic at diagnosis.",
    )
    radiotherapy: Series[bool] = pa.Field(description="Adjuvant radiotherapy given.")
    chemotherapy: Series[bool] = pa.Field(description="Systemic chemotherapy given.")
    additional_surgery: Series[bool] = pa.Field(
        description="Further surgery after the first operation."
    )
    initial_diagnosis: Series[str] = pa.Field(
        isin=INITIAL_DIAGNOSIS, description="Clinical impression at the first medical visit."
    )
    pain: Series[bool] = pa.Field(description="Mass accompanied by pain or discomfort.")
    symptom_months: Series[int] = pa.Field(
        ge=0, le=600, description="Months from first symptom to the hospital visit."
    )
    followup_months: Series[float] = pa.Field(
        ge=0, le=600, description="Months from diagnosis to death or last follow-up."
    )
    died: Series[bool] = pa.Field(description="Died during follow-up (event for overall survival).")

    class Config:
        strict = True
        ordered = False

    @pa.dataframe_check(
        error="mets_during_followup must be empty exactly when mets_at_diagnosis is not 'none'"
    )
    def later_mets_only_without_initial_mets(cls, df: pd.DataFrame) -> Series[bool]:
        return df["mets_during_followup"].isna() == (df["mets_at_diagnosis"] != "none")

    @pa.dataframe_check(error="a death needs followup_months > 0")
    def death_after_time_zero(cls, df: pd.DataFrame) -> Series[bool]:
        return ~df["died"].astype(bool) | (df["followup_months"] > 0)


# Columns a reported figure may describe: the patient table's, plus two derived in asps.measures.
FIGURE_VARIABLES = [*PatientSchema.to_schema().columns, "size_group", "any_metastasis"]


class ReportedFigureSchema(pa.DataFrameModel):
    """One figure printed in Cho et al. 2014, described so that code can recompute it."""

    figure_id: Series[str] = pa.Field(
        unique=True, str_matches=r"^[a-z0-9_.]+$", description="Stable identifier."
    )
    location: Series[str] = pa.Field(isin=LOCATIONS, description="Where the paper prints it.")
    quote: Series[str] = pa.Field(str_length={"min_value": 3}, description="The printed words.")
    cohort: Series[str] = pa.Field(
        isin=COHORTS, description="This series, or another study the discussion cites."
    )
    measure: Series[str] = pa.Field(isin=MEASURES, description="What kind of figure it is.")
    variable: Series[str] = pa.Field(
        nullable=True,
        isin=FIGURE_VARIABLES,
        description="Patient column (or derived variable) the figure is about.",
    )
    category: Series[str] = pa.Field(
        nullable=True,
        description="Value(s) counted, '|' between several; 'any' counts non-empty values.",
    )
    group_variable: Series[str] = pa.Field(
        nullable=True,
        isin=FIGURE_VARIABLES,
        description="Column defining the subgroup the figure describes.",
    )
    group: Series[str] = pa.Field(
        nullable=True, description="Subgroup value(s), '|' between several."
    )
    time_months: Series[float] = pa.Field(
        nullable=True, ge=0, description="Time point of a survival figure; empty = last follow-up."
    )
    value: Series[float] = pa.Field(nullable=True, description="The printed number.")
    decimals: Series[int] = pa.Field(ge=0, le=3, description="Decimal places printed.")
    unit: Series[str] = pa.Field(isin=UNITS, description="Unit of the printed number.")
    denominator: Series[float] = pa.Field(
        nullable=True, gt=0, description="Denominator printed beside the figure, if any."
    )
    cited_source: Series[str] = pa.Field(
        nullable=True, description="For another study's figure: the study the paper cites."
    )
    note: Series[str] = pa.Field(nullable=True, description="Curator's note.")
    source: Series[str] = pa.Field(
        str_matches=r"^(doi:|pmid:|https?://)", description="Where the figure is printed."
    )

    class Config:
        strict = True
        ordered = False

    @pa.dataframe_check(error="a figure about another study needs cited_source")
    def other_study_is_cited(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["cohort"] != "other_study") | df["cited_source"].notna()


TABLES = {"patients.csv": PatientSchema, "cho2014_figures.csv": ReportedFigureSchema}
