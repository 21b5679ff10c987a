"""Schemas of the systemic-therapy evidence: studies, dated events and open gaps.

``systemic_therapy.csv`` holds one row per response estimate (a study, or one arm of a randomised
study, or one assessment of a trial when two sources disagree); ``therapy_events.csv`` holds dated
events that are not publications (approvals, context); ``therapy_gaps.csv`` lists what is not yet
sourced or where sources conflict. Figures come from ``shared/reference/systemic-therapy.csv``;
what the reference marks 'not verified' stays empty and is named in ``not_verified``.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

DRUG_CLASSES = [
    "pd1_pdl1_inhibitor",
    "checkpoint_combination",
    "tki_plus_checkpoint",
    "checkpoint_mixed",
    "vegfr_tki",
    "met_inhibitor",
    "cytotoxic",
    "placebo",
]
DESIGNS = [
    "randomised_trial",
    "single_arm_trial",
    "retrospective_series",
    "retrospective_registry",
    "retrospective_with_literature",
]
PHASES = ["1", "1/2", "2", "3"]
ASSESSMENTS = ["investigator", "independent_review", "not_stated"]
BASES = ["printed", "computed"]
ORR_CHECKS = ["exact", "truncated", "mismatch", "not_checkable"]
SOURCE_KINDS = ["abstract", "full_text", "regulatory_notice", "news_report", "publisher_page"]
EVENT_TYPES = ["regulatory_approval", "context"]
DATE_PRECISIONS = ["day", "year"]
GAP_STATUSES = ["not_yet_sourced", "not_verified", "conflicting"]

_SOURCE = r"^(doi:|pmid:|https?://)"
_ISO_DAY = r"^\d{4}-\d{2}-\d{2}$"
_SLUG = r"^[a-z0-9_]+$"
_BIB_KEY = r"^[a-z][a-z0-9]+$"


def _nullable_count(description: str, **checks: object) -> object:
    # The loader turns an all-present integer column into int64; coerce=True lets pandera accept
    # it as the nullable Int64 the schema declares (the loader has already rejected non-integers).
    return pa.Field(nullable=True, coerce=True, description=description, **checks)


class SystemicTherapySchema(pa.DataFrameModel):
    """One response estimate for a systemic therapy in advanced ASPS, with its source."""

    record_id: Series[str] = pa.Field(
        unique=True, str_matches=_SLUG, description="Stable identifier of this row."
    )
    study_label: Series[str] = pa.Field(
        description="Short name of the study or record as the chapter shows it (e.g. 'Chen 2023')."
    )
    therapy: Series[str] = pa.Field(description="What the patients of this row received.")
    comparison: Series[str] = pa.Field(
        nullable=True, description="For a randomised study, the arms compared (e.g. 'cediranib vs "
        "placebo'); empty for single-arm studies and series."
    )
    drug_class: Series[str] = pa.Field(
        isin=DRUG_CLASSES, description="Drug class of this row's therapy (project vocabulary)."
    )
    class_as_reported: Series[str] = pa.Field(
        description="Drug class in the reference's own words (e.g. 'multi-TKI')."
    )
    trial_registration: Series[str] = pa.Field(
        nullable=True, str_matches=r"^NCT\d{8}$",
        description="ClinicalTrials.gov number; rows sharing one describe the same trial.",
    )
    design: Series[str] = pa.Field(isin=DESIGNS, description="Study design (project vocabulary).")
    design_as_reported: Series[str] = pa.Field(description="Design in the reference's words.")
    phase: Series[str] = pa.Field(
        nullable=True, isin=PHASES, description="Trial phase where the source states it."
    )
    randomised: Series[bool] = pa.Field(description="Patients were allocated at random.")
    n_asps: Series[pd.Int64Dtype] = _nullable_count(
        "Patients with ASPS analysed for this therapy in the study (all arms); for a series, "
        "those who received the therapy.",
        gt=0,
    )
    n_arm: Series[pd.Int64Dtype] = _nullable_count(
        "Patients in this row's arm of a randomised study.", gt=0
    )
    n_all_histologies: Series[pd.Int64Dtype] = _nullable_count(
        "All patients of a study that also enrolled other sarcomas.", gt=0
    )
    n_as_reported: Series[str] = pa.Field(description="Patient numbers in the reference's words.")
    population: Series[str] = pa.Field(nullable=True, description="Who was eligible or treated.")
    orr_pct: Series[float] = pa.Field(
        nullable=True, ge=0, le=100, description="Objective response rate, percent, as given."
    )
    orr_decimals: Series[pd.Int64Dtype] = _nullable_count(
        "Decimal places of orr_pct as printed.", ge=0, le=2
    )
    orr_pct_basis: Series[str] = pa.Field(
        nullable=True, isin=BASES,
        description="'printed' in the source, or 'computed' from printed figures (the reference's "
        "'computed'/'summed').",
    )
    orr_numerator: Series[pd.Int64Dtype] = _nullable_count("Responders (CR + PR).", ge=0)
    numerator_basis: Series[str] = pa.Field(
        nullable=True, isin=BASES, description="Responders printed, or computed (e.g. CR + PR)."
    )
    orr_denominator: Series[pd.Int64Dtype] = _nullable_count(
        "Patients evaluable for response.", gt=0
    )
    denominator_basis: Series[str] = pa.Field(
        nullable=True, isin=BASES, description="Evaluable patients printed, or computed."
    )
    orr_assessment: Series[str] = pa.Field(
        isin=ASSESSMENTS, description="Who assessed response: investigator, independent review, "
        "or not stated in the source."
    )
    orr_ci_low_printed: Series[float] = pa.Field(
        nullable=True, ge=0, le=100, description="Lower 95% limit of the ORR printed by the source."
    )
    orr_ci_high_printed: Series[float] = pa.Field(
        nullable=True, ge=0, le=100, description="Upper 95% limit of the ORR printed by the source."
    )
    orr_check: Series[str] = pa.Field(
        isin=ORR_CHECKS,
        description="Granularity check of orr_pct against orr_numerator/orr_denominator: exact, "
        "truncated, mismatch, or not_checkable (a figure missing).",
    )
    orr_check_note: Series[str] = pa.Field(
        nullable=True, description="Why a truncated or mismatched percentage is kept."
    )
    orr_note: Series[str] = pa.Field(
        nullable=True, description="What the response figure counts (CR/PR, time point, criteria)."
    )
    median_pfs_months: Series[float] = pa.Field(
        nullable=True, ge=0, description="Median progression-free survival, months."
    )
    median_os_months: Series[float] = pa.Field(
        nullable=True, ge=0, description="Median overall survival, months."
    )
    other_outcomes: Series[str] = pa.Field(nullable=True, description="Other efficacy figures.")
    key_toxicity: Series[str] = pa.Field(nullable=True, description="Key toxicity as reported.")
    regulatory_status: Series[str] = pa.Field(
        nullable=True, description="Regulatory status as the reference gives it."
    )
    regulatory_date: Series[str] = pa.Field(
        nullable=True, str_matches=_ISO_DAY, description="Date of the approval (YYYY-MM-DD)."
    )
    year: Series[int] = pa.Field(
        ge=1990, le=2100, description="Publication year (the approval year for a notice)."
    )
    not_verified: Series[str] = pa.Field(
        nullable=True,
        description="Columns the reference marks 'not verified' for this row, '|' between them; "
        "they are empty here. A column empty but not listed is not applicable or not reported.",
    )
    source: Series[str] = pa.Field(
        str_matches=_SOURCE, description="Where this row's figures were read (doi:, pmid: or URL)."
    )
    source_kind: Series[str] = pa.Field(isin=SOURCE_KINDS, description="What kind of source.")
    secondary_source: Series[str] = pa.Field(
        nullable=True, str_matches=_SOURCE,
        description="A further source named in notes (e.g. of a conflicting figure).",
    )
    bib_key: Series[str] = pa.Field(
        str_matches=_BIB_KEY, description="Key of the entry in references/therapy.bib."
    )
    notes: Series[str] = pa.Field(nullable=True, description="Curator's notes and conflicts.")

    class Config:
        strict = True
        ordered = False

    @pa.dataframe_check(error="orr_numerator is above orr_denominator")
    def numerator_within_denominator(cls, df: pd.DataFrame) -> Series[bool]:
        k, n = df["orr_numerator"], df["orr_denominator"]
        return (k.isna() | n.isna() | (k <= n)).astype(bool)

    @pa.dataframe_check(error="orr_denominator is above n_arm (or n_asps for a single arm)")
    def denominator_within_population(cls, df: pd.DataFrame) -> Series[bool]:
        bound = df["n_arm"].fillna(df["n_asps"])
        n = df["orr_denominator"]
        return (n.isna() | bound.isna() | (n <= bound)).astype(bool)

    @pa.dataframe_check(error="n_arm is above n_asps, or n_asps above n_all_histologies")
    def nested_counts(cls, df: pd.DataFrame) -> Series[bool]:
        arm_ok = df["n_arm"].isna() | df["n_asps"].isna() | (df["n_arm"] <= df["n_asps"])
        all_ok = (
            df["n_asps"].isna()
            | df["n_all_histologies"].isna()
            | (df["n_asps"] <= df["n_all_histologies"])
        )
        return (arm_ok & all_ok).astype(bool)

    @pa.dataframe_check(
        error="orr_decimals and orr_pct_basis must be given exactly when orr_pct is"
    )
    def percent_has_precision(cls, df: pd.DataFrame) -> Series[bool]:
        has = df["orr_pct"].notna()
        return (has == df["orr_decimals"].notna()) & (has == df["orr_pct_basis"].notna())

    @pa.dataframe_check(error="orr_pct has more decimal places than orr_decimals says")
    def percent_at_printed_precision(cls, df: pd.DataFrame) -> Series[bool]:
        scaled = df["orr_pct"] * 10 ** df["orr_decimals"].astype("float64")
        return (scaled.isna() | ((scaled - scaled.round()).abs() < 1e-9)).astype(bool)

    @pa.dataframe_check(
        error="numerator_basis / denominator_basis must be given exactly when orr_numerator / "
        "orr_denominator is"
    )
    def counts_have_basis(cls, df: pd.DataFrame) -> Series[bool]:
        k_ok = df["orr_numerator"].notna() == df["numerator_basis"].notna()
        n_ok = df["orr_denominator"].notna() == df["denominator_basis"].notna()
        return k_ok & n_ok

    @pa.dataframe_check(
        error="orr_pct disagrees with orr_numerator/orr_denominator at the printed precision and "
        "orr_check does not say so (set orr_check to the result: exact, truncated or mismatch; "
        "not_checkable only when a figure is missing)"
    )
    def percent_consistent_with_counts(cls, df: pd.DataFrame) -> Series[bool]:
        return pd.Series(
            [_expected_check(row) == row.orr_check for row in df.itertuples()], index=df.index
        )

    @pa.dataframe_check(error="orr_check_note must explain a truncated or mismatched orr_pct")
    def flagged_percent_explained(cls, df: pd.DataFrame) -> Series[bool]:
        flagged = df["orr_check"].isin(["truncated", "mismatch"])
        return ~flagged | df["orr_check_note"].notna()

    @pa.dataframe_check(error="the printed ORR interval must have both limits, low <= high")
    def printed_interval_complete(cls, df: pd.DataFrame) -> Series[bool]:
        low, high = df["orr_ci_low_printed"], df["orr_ci_high_printed"]
        both = low.notna() & high.notna()
        return ((low.isna() & high.isna()) | (both & (low <= high))).astype(bool)

    @pa.dataframe_check(
        error="not_verified names a column that is not in the table or is not empty in this row"
    )
    def not_verified_fields_are_empty(cls, df: pd.DataFrame) -> Series[bool]:
        def ok(index: object, value: object) -> bool:
            if pd.isna(value):
                return True
            names = str(value).split("|")
            return all(name in df.columns and pd.isna(df.at[index, name]) for name in names)

        return pd.Series([ok(i, v) for i, v in df["not_verified"].items()], index=df.index)

    @pa.dataframe_check(error="comparison must be given exactly for randomised rows")
    def randomised_rows_name_comparison(cls, df: pd.DataFrame) -> Series[bool]:
        return df["comparison"].notna() == df["randomised"].astype(bool)


def _expected_check(row: object) -> str:
    # Imported here: asps.therapy imports this module's vocabularies, so a top-level import
    # would be circular.
    from asps.measures import percent_matches

    values = (row.orr_pct, row.orr_numerator, row.orr_denominator, row.orr_decimals)
    if any(pd.isna(v) for v in values):
        return "not_checkable"
    try:
        return percent_matches(
            float(row.orr_pct), int(row.orr_numerator), int(row.orr_denominator),
            int(row.orr_decimals),
        )
    except ValueError:
        # Impossible counts or too many decimals: reported by their own checks, not twice here.
        return str(row.orr_check)


class TherapyEventSchema(pa.DataFrameModel):
    """A dated event of the therapy timeline that is not a publication (those come from the
    study table's ``year``)."""

    event_id: Series[str] = pa.Field(unique=True, str_matches=_SLUG, description="Identifier.")
    date: Series[str] = pa.Field(
        str_matches=r"^\d{4}(-\d{2}-\d{2})?$",
        description="YYYY-MM-DD for a known day, YYYY where only the year is known.",
    )
    date_precision: Series[str] = pa.Field(
        isin=DATE_PRECISIONS, description="'day' or 'year': how much of the date the source gives."
    )
    event_type: Series[str] = pa.Field(isin=EVENT_TYPES, description="Kind of event.")
    label: Series[str] = pa.Field(
        str_length={"max_value": 80}, description="Short label the timeline shows."
    )
    therapy: Series[str] = pa.Field(nullable=True, description="Therapy concerned, if any.")
    drug_class: Series[str] = pa.Field(
        nullable=True, isin=DRUG_CLASSES, description="Drug class concerned, if any."
    )
    description: Series[str] = pa.Field(description="What happened, in one sentence.")
    asps_specific: Series[bool] = pa.Field(
        description="The event concerns ASPS itself (not soft-tissue sarcoma in general)."
    )
    record_id: Series[str] = pa.Field(
        nullable=True, str_matches=_SLUG, description="Related row of systemic_therapy.csv."
    )
    source: Series[str] = pa.Field(str_matches=_SOURCE, description="Where the event is stated.")
    source_kind: Series[str] = pa.Field(isin=SOURCE_KINDS, description="What kind of source.")
    bib_key: Series[str] = pa.Field(
        nullable=True, str_matches=_BIB_KEY,
        description="Key in a project .bib file; empty where another file cites the source.",
    )
    note: Series[str] = pa.Field(nullable=True, description="Curator's note.")

    class Config:
        strict = True
        ordered = False

    @pa.dataframe_check(error="date must have the form date_precision says (YYYY-MM-DD or YYYY)")
    def date_matches_precision(cls, df: pd.DataFrame) -> Series[bool]:
        is_day = df["date"].str.fullmatch(_ISO_DAY[1:-1])
        return is_day == (df["date_precision"] == "day")


class TherapyGapSchema(pa.DataFrameModel):
    """Something the therapy chapter cannot show yet: not sourced, not verified, or conflicting."""

    gap_id: Series[str] = pa.Field(unique=True, str_matches=_SLUG, description="Identifier.")
    topic: Series[str] = pa.Field(description="Therapy or figure concerned.")
    status: Series[str] = pa.Field(isin=GAP_STATUSES, description="Kind of gap.")
    description: Series[str] = pa.Field(description="What is missing or disagrees, and what the "
                                         "chapter does about it.")
    record_id: Series[str] = pa.Field(
        nullable=True, str_matches=_SLUG, description="Related row of systemic_therapy.csv."
    )
    source: Series[str] = pa.Field(
        nullable=True, str_matches=_SOURCE,
        description="Source of a conflicting figure, or of one not read in the primary record.",
    )
    search_query: Series[str] = pa.Field(
        nullable=True, description="What was searched for it, queries separated by ';'."
    )
    search_date: Series[str] = pa.Field(
        nullable=True, str_matches=_ISO_DAY, description="Date of that search (YYYY-MM-DD)."
    )
    search_corpus: Series[str] = pa.Field(
        nullable=True, description="Where it was searched (stored public pages, documentation)."
    )

    class Config:
        strict = True
        ordered = False

    @pa.dataframe_check(error="search_query, search_date and search_corpus go together")
    def search_is_complete(cls, df: pd.DataFrame) -> Series[bool]:
        given = df[["search_query", "search_date", "search_corpus"]].notna()
        return given.all(axis=1) | ~given.any(axis=1)


LOCAL_TOPICS = ["metastasectomy", "radiosurgery", "follow_up", "primary_surgery_metastatic",
                "adjuvant_radiotherapy", "staging_imaging"]
LOCAL_SETTINGS = ["at_diagnosis", "localised", "metastatic", "after_treatment"]
#: Designs of local-treatment statements: those of the studies, and a guideline's consensus.
LOCAL_DESIGNS = [*DESIGNS, "guideline"]
# Level of evidence of a local-therapy statement, weakest first.
EVIDENCE_LEVELS = ["expert_consensus", "case_report", "descriptive_single_centre",
                   "descriptive_multicentre", "registry_comparison", "prospective_trial"]


class TreatmentLocalSchema(pa.DataFrameModel):
    """A sourced statement on local treatment of ASPS beyond the primary resection
    (metastasectomy, radiosurgery, follow-up), with its level of evidence."""

    record_id: Series[str] = pa.Field(unique=True, str_matches=_SLUG, description="Identifier.")
    topic: Series[str] = pa.Field(isin=LOCAL_TOPICS, description="What the statement is about.")
    setting: Series[str] = pa.Field(isin=LOCAL_SETTINGS, description="Stage of disease concerned.")
    finding: Series[str] = pa.Field(description="What the source reports, in one sentence.")
    n_patients: Series[pd.Int64Dtype] = _nullable_count(
        "Patients in the series the statement comes from.", gt=0
    )
    count: Series[pd.Int64Dtype] = _nullable_count(
        "A count the source prints (what it counts is in count_of).", ge=0
    )
    count_of: Series[str] = pa.Field(nullable=True, description="What count counts.")
    design: Series[str] = pa.Field(
        isin=LOCAL_DESIGNS, description="Study design (project vocabulary), or a guideline."
    )
    evidence_level: Series[str] = pa.Field(
        isin=EVIDENCE_LEVELS,
        description="Level of evidence: expert consensus (a guideline without evidence), case "
        "report, descriptive series (one or several centres), registry comparison, prospective "
        "trial.",
    )
    quote: Series[str] = pa.Field(description="The source's words the finding rests on.")
    source: Series[str] = pa.Field(str_matches=_SOURCE, description="Where it was read.")
    source_kind: Series[str] = pa.Field(isin=SOURCE_KINDS, description="What kind of source.")
    bib_key: Series[str] = pa.Field(
        str_matches=_BIB_KEY, description="Key of the entry in a references/*.bib file."
    )
    note: Series[str] = pa.Field(nullable=True, description="Curator's note.")

    class Config:
        strict = True
        ordered = False

    @pa.dataframe_check(error="count and count_of go together")
    def count_is_named(cls, df: pd.DataFrame) -> Series[bool]:
        return df["count"].notna() == df["count_of"].notna()


TABLES = {
    "systemic_therapy.csv": SystemicTherapySchema,
    "therapy_events.csv": TherapyEventSchema,
    "therapy_gaps.csv": TherapyGapSchema,
    "treatment_local.csv": TreatmentLocalSchema,
}
