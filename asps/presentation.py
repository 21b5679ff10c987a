"""Clinical presentation of the founding series: counts beside the figures the paper prints."""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import pandas as pd

from asps.measures import SIZE_GROUPS, columns_from_frame, derived
from asps.style import OKABE_ITO, RECONSTRUCTED_NOTE, TEXT, themed

# (variable, label, subgroup variable, subgroup value): what the paper's Figures 2-4 show.
CHARACTERISTICS: list[tuple[str, str, str | None, str | None]] = [
    ("site", "Site", None, None),
    ("initial_diagnosis", "First clinical impression", None, None),
    ("depth", "Depth on pre-operative imaging", "depth", "any"),
    ("size_group", "Size (longest axis)", None, None),
    ("referral", "Referral", None, None),
    ("mets_at_diagnosis", "Metastasis at diagnosis", None, None),
    ("margin", "Resection margin", None, None),
    (
        "mets_during_followup",
        "Metastasis during follow-up (no metastasis at diagnosis)",
        "mets_at_diagnosis",
        "none",
    ),
    ("radiotherapy", "Radiotherapy", None, None),
    ("chemotherapy", "Chemotherapy", None, None),
    ("additional_surgery", "Additional surgery", None, None),
    ("sex", "Sex", None, None),
    ("pain", "Pain with the mass", None, None),
]
LABELS = {
    "lower_extremity": "lower extremity",
    "upper_extremity": "upper extremity",
    "head_and_neck": "head and neck",
    "benign_soft_tissue_tumour": "benign soft-tissue tumour",
    "haemangioma": "haemangioma",
    "other_or_not_reported": "other / not reported",
    "deep_and_superficial": "deep and superficial",
    "unplanned_excision": "unplanned excision",
    "biopsy_only": "biopsy only",
    "primary": "primary (no prior surgery)",
    "multiple": "multiple organs",
    "true": "yes",
    "false": "no",
    "none": "none",
}
_LOCATION_SHORT = {
    "abstract": "abstract",
    "results": "results",
    "figure_caption": "figure",
    "discussion": "discussion",
    "methods": "methods",
}


def _label(value: str) -> str:
    return LABELS.get(value, value)


def characteristics(patients: pd.DataFrame, figures: pd.DataFrame) -> pd.DataFrame:
    """Counts per characteristic in the reconstructed data, beside the counts the paper prints.

    Returns one row per characteristic and category: ``characteristic``, ``category``, ``n``,
    ``denominator``, ``percent``, ``printed_n`` (NaN where the paper prints none) and
    ``printed_where``.
    """
    cols = columns_from_frame(patients)
    counts = figures[(figures["measure"] == "count") & (figures["cohort"] == "this_series")]
    rows = []
    for variable, label, group_var, group in CHARACTERISTICS:
        values = derived(cols, variable)
        keep = pd.Series(True, index=range(len(values)))
        if group_var is not None:
            sub = derived(cols, group_var)
            keep = pd.Series(sub != "" if group == "any" else sub == group)
        kept = pd.Series(values)[keep.to_numpy()]
        order = list(SIZE_GROUPS) if variable == "size_group" else sorted(kept.unique())
        for category in order:
            printed = counts[
                (counts["variable"] == variable)
                & (counts["category"] == category)
                & (counts["group_variable"].fillna("") == (group_var or ""))
            ]
            n = int((kept == category).sum())
            rows.append(
                {
                    "characteristic": label,
                    "category": _label(category),
                    "n": n,
                    "denominator": int(len(kept)),
                    "percent": 100.0 * n / len(kept) if len(kept) else float("nan"),
                    "printed_n": float(printed["value"].iloc[0])
                    if not printed.empty
                    else float("nan"),
                    "printed_where": ", ".join(
                        dict.fromkeys(_LOCATION_SHORT[loc] for loc in printed["location"])
                    ),
                }
            )
    return pd.DataFrame(rows)


def characteristics_chart(table: pd.DataFrame) -> alt.LayerChart:
    """Bars of the reconstructed counts with the paper's printed counts as marks, one
    characteristic at a time (a dropdown switches between them)."""
    options = list(dict.fromkeys(table["characteristic"]))
    pick = alt.param(
        name="characteristic",
        value=options[0],
        bind=alt.binding_select(options=options, name="Characteristic: "),
    )
    data = table.assign(
        printed=table["printed_n"].map(lambda v: "not printed" if pd.isna(v) else f"{v:.0f}"),
        share=table["percent"].round(1),
    )
    base = alt.Chart(data).transform_filter(alt.datum.characteristic == pick)
    y = alt.Y("category:N", title=None, sort=None, axis=alt.Axis(labelLimit=0))
    bars = base.mark_bar(color=OKABE_ITO[0], height={"band": 0.7}).encode(
        x=alt.X("n:Q", title="Patients (reconstructed data)", axis=alt.Axis(tickMinStep=1)),
        y=y,
        tooltip=[
            alt.Tooltip("characteristic:N", title="Characteristic"),
            alt.Tooltip("category:N", title="Category"),
            alt.Tooltip("n:Q", title="Reconstructed n"),
            alt.Tooltip("denominator:Q", title="Of"),
            alt.Tooltip("share:Q", title="Percent"),
            alt.Tooltip("printed:N", title="Printed in Cho 2014"),
            alt.Tooltip("printed_where:N", title="Where printed"),
        ],
    )
    printed = (
        base.transform_filter("isValid(datum.printed_n)")
        .mark_point(
            shape="diamond",
            size=140,
            filled=True,
            color=OKABE_ITO[1],
            stroke=TEXT,
        )
        .encode(
            x="printed_n:Q",
            y=y,
            tooltip=[
                alt.Tooltip("category:N", title="Category"),
                alt.Tooltip("printed_n:Q", title="Printed in Cho 2014"),
                alt.Tooltip("printed_where:N", title="Where printed"),
            ],
        )
    )
    labels = base.mark_text(align="left", dx=12, color=TEXT).encode(
        x="n:Q", y=y, text=alt.Text("n:Q")
    )
    chart = (
        (bars + printed + labels)
        .add_params(pick)
        .properties(
            width="container",
            height=alt.Step(28),
            title=alt.Title(
                f"Clinical features of the {int(table['denominator'].max())} patients: "
                "reconstructed counts (bars) and printed counts (diamonds)",
                subtitle=[RECONSTRUCTED_NOTE],
            ),
            description=(
                "Bar chart of patient counts by category for the chosen characteristic of the Cho "
                "2014 series; diamonds mark the counts printed in the paper."
            ),
        )
    )
    return themed(chart)


@dataclass(frozen=True)
class Presentation:
    """Figures for the prose of the presentation chapter, computed from the patient table."""

    n: int
    female: int
    male: int
    age_mean: float
    age_min: int
    age_max: int
    size_mean: float
    size_min: int
    size_max: int
    size_median: float
    painless: int
    symptom_mean: float
    symptom_max: int
    misread: int
    haemangioma: int
    benign: int
    transferred: int
    unplanned: int


def presentation(patients: pd.DataFrame) -> Presentation:
    """Summarise the patient table for inline expressions in the chapter."""
    p = patients
    return Presentation(
        n=len(p),
        female=int((p["sex"] == "female").sum()),
        male=int((p["sex"] == "male").sum()),
        age_mean=float(p["age_years"].mean()),
        age_min=int(p["age_years"].min()),
        age_max=int(p["age_years"].max()),
        size_mean=float(p["size_mm"].mean()),
        size_min=int(p["size_mm"].min()),
        size_max=int(p["size_mm"].max()),
        size_median=float(p["size_mm"].median()),
        painless=int((~p["pain"]).sum()),
        symptom_mean=float(p["symptom_months"].mean()),
        symptom_max=int(p["symptom_months"].max()),
        misread=int(
            p["initial_diagnosis"].isin(["haemangioma", "benign_soft_tissue_tumour"]).sum()
        ),
        haemangioma=int((p["initial_diagnosis"] == "haemangioma").sum()),
        benign=int((p["initial_diagnosis"] == "benign_soft_tissue_tumour").sum()),
        transferred=int((p["referral"] != "primary").sum()),
        unplanned=int((p["referral"] == "unplanned_excision").sum()),
    )
