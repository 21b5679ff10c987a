"""Systemic therapy in advanced ASPS: response estimates, timeline, evidence statements, tables.

Every builder is pure: a validated frame in (``asps.loading.load("systemic_therapy")`` and
``load("therapy_events")``), a tidy frame, an Altair chart or HTML out. Response rates are shown
study by study with exact intervals; nothing here pools across drugs.
"""

from __future__ import annotations

import math
import textwrap

import altair as alt
import pandas as pd

from asps.render import Layouts
from asps.schemas.therapy import DESIGNS, DRUG_CLASSES, EVIDENCE_LEVELS, LOCAL_TOPICS
from asps.style import LINE_PX, OKABE_ITO, SPLIT_LINES, TEXT, themed, wrap_expr
from asps.tables import HTMLFragment, interactive_table

#: The phone layout of the charts: labels wrapped at this many characters, in boxes narrower
#: than ``COMPACT_BELOW`` pixels.
COMPACT_CHARS = 20
COMPACT_BELOW = 640

CLASS_LABELS = {
    "pd1_pdl1_inhibitor": "PD-1/PD-L1 inhibitor",
    "checkpoint_combination": "Checkpoint-inhibitor combination",
    "tki_plus_checkpoint": "VEGFR TKI + PD-1 inhibitor",
    "checkpoint_mixed": "Checkpoint inhibitors, mixed regimens",
    "vegfr_tki": "VEGFR tyrosine-kinase inhibitor",
    "met_inhibitor": "MET inhibitor",
    "cytotoxic": "Cytotoxic chemotherapy",
    "placebo": "Placebo",
}
# Fixed colour per class so the response chart and the timeline agree; yellow (weak on white)
# goes to the class with no response figure (shown in the timeline only).
CLASS_COLOURS = {
    "pd1_pdl1_inhibitor": OKABE_ITO[0],
    "checkpoint_combination": OKABE_ITO[6],
    "tki_plus_checkpoint": OKABE_ITO[3],
    "checkpoint_mixed": OKABE_ITO[2],
    "vegfr_tki": OKABE_ITO[1],
    "met_inhibitor": OKABE_ITO[4],
    "cytotoxic": OKABE_ITO[5],
    "placebo": OKABE_ITO[7],
}
CONTEXT_LABEL = "Context (no drug)"
DESIGN_LABELS = {
    "randomised_trial": "Randomised trial",
    "single_arm_trial": "Single-arm trial",
    "retrospective_series": "Retrospective series",
    "retrospective_registry": "Retrospective registry",
    "retrospective_with_literature": "Retrospective series pooled with literature cases",
    "guideline": "Guideline",
}
ASSESSMENT_LABELS = {
    "investigator": "Investigator",
    "independent_review": "Independent review",
    "not_stated": "Not stated",
}
NO_POOLING = (
    "No pooled response rate is given: the studies test different drugs and drug classes, in "
    "different populations and lines of treatment, with response assessed differently; one "
    "number across them would describe no treatment."
)


def clopper_pearson(k: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Exact (Clopper-Pearson) confidence interval for ``k`` successes in ``n``, as proportions."""
    # Imported here: statsmodels takes about a second to import, and most pages never need it.
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(k, n, alpha=alpha, method="beta")
    return float(low), float(high)


def _label(row: pd.Series) -> str:
    return f"{row['study_label']} · {row['therapy']}"


def _counts_text(row: pd.Series) -> str:
    k, n = row["orr_numerator"], row["orr_denominator"]
    if pd.notna(k) and pd.notna(n):
        return f"{int(k)}/{int(n)}"
    return "% only, no count"


def response_estimates(studies: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Tidy response estimates, one row per study row with a response figure.

    The estimate is ``k / n`` where both are known, with a Clopper-Pearson interval; otherwise the
    printed percentage without an interval (``has_interval`` False). Rows with no verified response
    figure are left out.

    Returns
    -------
    pandas.DataFrame
        Columns ``record_id, label, order, drug_class, class_label, estimate, lower, upper,
        has_interval, k, n, counts, assessment, design, design_as_reported, n_as_reported,
        orr_note, source`` (``estimate``, ``lower``, ``upper`` in percent).
    """
    rows = []
    for _, row in studies.iterrows():
        k, n = row["orr_numerator"], row["orr_denominator"]
        has_counts = pd.notna(k) and pd.notna(n)
        if not has_counts and pd.isna(row["orr_pct"]):
            continue
        if has_counts:
            low, high = clopper_pearson(int(k), int(n), alpha)
            estimate = 100 * int(k) / int(n)
            lower, upper = 100 * low, 100 * high
        else:
            estimate, lower, upper = float(row["orr_pct"]), math.nan, math.nan
        rows.append(
            {
                "record_id": row["record_id"],
                "label": _label(row),
                "class_rank": DRUG_CLASSES.index(row["drug_class"]),
                "year": int(row["year"]),
                "drug_class": row["drug_class"],
                "class_label": CLASS_LABELS[row["drug_class"]],
                "estimate": estimate,
                "lower": lower,
                "upper": upper,
                "has_interval": has_counts,
                "k": int(k) if pd.notna(k) else pd.NA,
                "n": int(n) if pd.notna(n) else pd.NA,
                "counts": _counts_text(row),
                "assessment": ASSESSMENT_LABELS[row["orr_assessment"]],
                "design": DESIGN_LABELS[row["design"]],
                "design_as_reported": row["design_as_reported"],
                "n_as_reported": row["n_as_reported"],
                "orr_note": "" if pd.isna(row["orr_note"]) else row["orr_note"],
                "source": row["source"],
            }
        )
    out = pd.DataFrame(rows).sort_values(["class_rank", "year", "label"], kind="stable")
    out["order"] = range(len(out))
    out["k"] = out["k"].astype("Int64")
    out["n"] = out["n"].astype("Int64")
    return out.drop(columns=["class_rank", "year"]).reset_index(drop=True)


def _class_scale(classes: pd.Series) -> alt.Scale:
    present = [c for c in DRUG_CLASSES if c in set(classes)]
    return alt.Scale(
        domain=[CLASS_LABELS[c] for c in present], range=[CLASS_COLOURS[c] for c in present]
    )


def _wrapped(text: str, chars: int) -> str:
    """``text`` broken at spaces into lines of at most ``chars`` characters (a longer word
    keeps its line), joined by newlines: the rule of `asps.style.wrap_expr`."""
    lines = textwrap.wrap(str(text), chars, break_on_hyphens=False, break_long_words=False)
    return "\n".join(lines) or str(text)


def _lines(labels: pd.Series) -> int:
    return int(labels.str.count("\n").max()) + 1 if len(labels) else 1


def response_rate_chart(estimates: pd.DataFrame, *, compact: bool = False) -> alt.HConcatChart:
    """Forest-style chart of objective response rates, one row per estimate, not pooled.

    The plot takes the width of the page's column (``"container"``).

    Parameters
    ----------
    estimates : pandas.DataFrame
        Output of :func:`response_estimates`.
    compact : bool
        The phone layout: each study's count, assessment and drug class on lines under its
        name, instead of a column to the right of the plot.
    """
    frame = estimates.copy()
    frame["marker"] = frame["has_interval"].map(
        {True: "Responders / evaluable, with 95% exact interval",
         False: "Printed percentage only (no count): no interval"}
    )
    frame["note_text"] = (
        frame["counts"].astype(str) + " \u00b7 " + frame["assessment"].astype(str) + " \u00b7 "
        + frame["class_label"].astype(str)
    )
    frame["note_head"] = frame["counts"].astype(str) + " \u00b7 " + frame["assessment"]
    if compact:
        # On a phone, count, assessment and drug class go on lines under the study's name.
        frame["row_head"] = [
            f"{_wrapped(label, COMPACT_CHARS)}\n{_wrapped(note, COMPACT_CHARS)}"
            for label, note in zip(frame["label"], frame["note_head"], strict=True)
        ]
        frame["row_lines"] = [
            f"{head}\n{_wrapped(cls, COMPACT_CHARS)}"
            for head, cls in zip(frame["row_head"], frame["class_label"], strict=True)
        ]
        row_calc = f"datum.row_head + '\\n' + {wrap_expr('class_label', COMPACT_CHARS)}"
    else:
        frame["row_lines"] = [_wrapped(label, 32) for label in frame["label"]]
        row_calc = "datum.row_lines"
    lines = max(_lines(frame["row_lines"]), 1 if compact else 2)
    row_px = 8 + LINE_PX * lines
    y = alt.Y(
        "row:N", sort=alt.EncodingSortField("order", op="min"), title=None,
        axis=alt.Axis(labelLimit=0, labelPadding=6, labelExpr=SPLIT_LINES, labelLineHeight=LINE_PX),
    )
    colour = alt.Color(
        "class_label:N", scale=_class_scale(frame["drug_class"]), title="Drug class",
        # On a phone each row names its drug class in words, and a legend would not fit.
        legend=None if compact else alt.Legend(
            orient="bottom", direction="vertical", columns=2, symbolType="circle", labelLimit=0
        ),
    )
    tooltip = [
        alt.Tooltip("label:N", title="Study"),
        alt.Tooltip("class_label:N", title="Drug class"),
        alt.Tooltip("design_as_reported:N", title="Design"),
        alt.Tooltip("n_as_reported:N", title="Patients with ASPS"),
        alt.Tooltip("counts:N", title="Responders / evaluable"),
        alt.Tooltip("estimate:Q", title="Response rate (%)", format=".1f"),
        alt.Tooltip("lower:Q", title="95% CI low (%)", format=".1f"),
        alt.Tooltip("upper:Q", title="95% CI high (%)", format=".1f"),
        alt.Tooltip("assessment:N", title="Response assessed by"),
        alt.Tooltip("orr_note:N", title="Note"),
        alt.Tooltip("source:N", title="Source"),
    ]
    x = alt.X(
        "estimate:Q", scale=alt.Scale(domain=[0, 100]), title="Objective response rate (%)",
        axis=alt.Axis(values=[0, 20, 40, 60, 80, 100], grid=True),
    )
    base = alt.Chart(frame).transform_calculate(row=row_calc).encode(y=y, tooltip=tooltip)
    intervals = base.transform_filter("datum.has_interval").mark_rule(strokeWidth=2.5).encode(
        x=alt.X("lower:Q", scale=alt.Scale(domain=[0, 100])), x2="upper:Q", color=colour
    )
    points = base.mark_point(size=90, strokeWidth=2, opacity=1).encode(
        x=x,
        color=colour,
        shape=alt.Shape(
            "marker:N", title=None,
            scale=alt.Scale(
                domain=["Responders / evaluable, with 95% exact interval",
                        "Printed percentage only (no count): no interval"],
                range=["circle", "diamond"],
            ),
            # Above the plot, the colours' legend below it: side by side they would not fit.
            # On a phone the heading above the chart explains the two shapes instead.
            legend=None if compact else alt.Legend(
                orient="top", direction="vertical", labelLimit=0
            ),
        ),
        fill=alt.condition("datum.has_interval", colour, alt.value("transparent")),
    )
    plot = (intervals + points).properties(width="container", height=alt.Step(row_px))
    # Count and assessment, then the drug class in words (so colour is not its only carrier).
    text = base.transform_calculate(
        note_text="datum.note_head + '\\n' + datum.class_label"
    ).mark_text(align="left", color=TEXT, lineBreak="\n", lineHeight=LINE_PX).encode(
        text=alt.Text("note_text:N"), x=alt.value(0),
        y=alt.Y("row:N", sort=alt.EncodingSortField("order", op="min"), axis=None),
    ).properties(width=230, height=alt.Step(row_px))
    shown = len(frame)
    chart = (plot if compact else alt.hconcat(plot, text, spacing=8)).properties(
        title=alt.TitleParams(
            "Objective response in advanced ASPS, study by study",
            subtitle=[
                "Dot: responders/evaluable with 95% Clopper-Pearson interval; hollow diamond: "
                "printed percentage without a count.",
                "Beside or under each study: count, who assessed response, and drug class. "
                "Different drugs and populations: not pooled.",
            ],
        ),
        description=(
            f"Dot plot of objective response rates from {shown} study rows of systemic therapy "
            "in advanced alveolar soft part sarcoma, each with its exact 95% interval where a "
            "count and denominator are known, coloured by drug class. Atezolizumab appears twice: "
            "investigator-assessed 19 of 52 and independent review 12 of 49. No pooled estimate."
        ),
    )
    return themed(chart)


def timeline_events(studies: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Dated events for the timeline: one publication per study (year only) plus approvals.

    Returns
    -------
    pandas.DataFrame
        Columns ``label, start, end, precision, kind, drug_class, class_label, asps_specific,
        linked_to_approval, detail, source`` sorted by ``start``; a year-level event spans
        1 January to 31 December of its year.
    """
    approved_trials = set(
        studies.loc[studies["regulatory_date"].notna(), "trial_registration"].dropna()
    )
    rows = []
    for label, group in studies.groupby("study_label", sort=False):
        first = group.iloc[0]
        active = group[group["drug_class"] != "placebo"]
        therapies = " vs ".join(group["therapy"]) if first["randomised"] else first["therapy"]
        linked = first["trial_registration"] in approved_trials
        if first["source_kind"] == "regulatory_notice":
            continue
        drug_class = active.iloc[0]["drug_class"] if len(active) else first["drug_class"]
        phase = f" phase {first['phase']}" if pd.notna(first["phase"]) else ""
        design = DESIGN_LABELS[first["design"]].lower().replace(" trial", f"{phase} trial")
        rows.append(
            {
                "label": f"{int(first['year'])} · {label}: {therapies}",
                "start": pd.Timestamp(int(first["year"]), 1, 1),
                "end": pd.Timestamp(int(first["year"]), 12, 31),
                "precision": "year",
                "kind": "Publication (year only)",
                "drug_class": drug_class,
                "class_label": CLASS_LABELS[drug_class],
                "asps_specific": True,
                "linked_to_approval": bool(linked),
                "detail": design + (" (trial behind the FDA approval)" if linked else ""),
                "source": first["source"],
            }
        )
    for _, event in events.iterrows():
        day = event["date_precision"] == "day"
        start = pd.Timestamp(event["date"]) if day else pd.Timestamp(int(event["date"]), 1, 1)
        end = start if day else pd.Timestamp(start.year, 12, 31)
        drug_class = event["drug_class"]
        shown_date = start.strftime("%-d %b %Y") if day else str(start.year)
        kind = "Approval" if event["event_type"] == "regulatory_approval" else "Context"
        rows.append(
            {
                "label": f"{shown_date} · {event['label']}",
                "start": start,
                "end": end,
                "precision": event["date_precision"],
                "kind": f"{kind} ({'exact date' if day else 'year only'})",
                "drug_class": drug_class if pd.notna(drug_class) else "",
                "class_label": CLASS_LABELS[drug_class] if pd.notna(drug_class) else CONTEXT_LABEL,
                "asps_specific": bool(event["asps_specific"]),
                "linked_to_approval": False,
                "detail": event["description"],
                "source": event["source"],
            }
        )
    out = pd.DataFrame(rows).sort_values(["start", "label"], kind="stable")
    return out.reset_index(drop=True)


def timeline_chart(timeline: pd.DataFrame, *, compact: bool = False) -> alt.LayerChart:
    """Timeline of publications (bars spanning their year) and approvals (diamond on the day).

    The plot takes the width of the page's column (``"container"``).

    Parameters
    ----------
    timeline : pandas.DataFrame
        Output of :func:`timeline_events`.
    compact : bool
        The phone layout: event names wrapped onto short lines.
    """
    frame = timeline.copy()
    frame["order"] = range(len(frame))
    frame["row_head"] = [_wrapped(v, COMPACT_CHARS if compact else 44) for v in frame["label"]]
    # On a phone the drug class goes on a line under the event, not after its mark.
    frame["row_lines"] = [
        f"{head}\n{_wrapped(cls, COMPACT_CHARS)}" if compact else head
        for head, cls in zip(frame["row_head"], frame["class_label"], strict=True)
    ]
    row_calc = (
        f"datum.row_head + '\\n' + {wrap_expr('class_label', COMPACT_CHARS)}" if compact
        else "datum.row_head"
    )
    present = [c for c in DRUG_CLASSES if c in set(frame["drug_class"])]
    domain = [CLASS_LABELS[c] for c in present]
    colours = [CLASS_COLOURS[c] for c in present]
    if (frame["class_label"] == CONTEXT_LABEL).any():
        domain, colours = [*domain, CONTEXT_LABEL], [*colours, TEXT]
    colour = alt.Color(
        "class_label:N", scale=alt.Scale(domain=domain, range=colours), title="Drug class",
        legend=None if compact else alt.Legend(orient="bottom", direction="vertical", labelLimit=0),
    )
    y = alt.Y(
        "row:N", sort=alt.EncodingSortField("order", op="min"), title=None,
        axis=alt.Axis(labelLimit=0, labelExpr=SPLIT_LINES, labelLineHeight=LINE_PX),
    )
    x_scale = alt.Scale(
        domain=[pd.Timestamp(frame["start"].min().year - 1, 1, 1).isoformat(),
                pd.Timestamp(frame["end"].max().year + 1, 12, 31).isoformat()]
    )
    tooltip = [
        alt.Tooltip("label:N", title="Event"),
        alt.Tooltip("kind:N", title="Kind"),
        alt.Tooltip("detail:N", title="Detail"),
        alt.Tooltip("class_label:N", title="Drug class"),
        alt.Tooltip("source:N", title="Source"),
    ]
    base = alt.Chart(frame).transform_calculate(row=row_calc).encode(
        y=y, color=colour, tooltip=tooltip
    )
    years = base.transform_filter("datum.precision == 'year'").mark_bar(
        height=10, cornerRadius=2
    ).encode(
        x=alt.X("start:T", scale=x_scale, title=None,
                axis=alt.Axis(format="%Y", labelFlush=False)),
        x2="end:T",
    )
    days = base.transform_filter("datum.precision == 'day'").mark_point(
        shape="diamond", size=160, filled=True, opacity=1
    ).encode(x=alt.X("start:T", scale=x_scale))
    # The class named in words after each mark, so colour is not the only carrier of it.
    classes = base.mark_text(align="left", dx=8).encode(
        x=alt.X("end:T", scale=x_scale), text="class_label:N", color=alt.value(TEXT)
    )
    chart = (alt.layer(years, days) if compact else alt.layer(years, days, classes)).properties(
        width="container",
        height=alt.Step(8 + LINE_PX * _lines(frame["row_lines"])),
        title=alt.TitleParams(
            "Systemic therapy in ASPS: publications and approvals",
            subtitle=[
                "Bars span the whole publication year (only the year is used); the diamond marks "
                "the exact date of the FDA approval.",
            ],
        ),
        description=(
            f"Timeline of {len(frame)} events from {frame['start'].min().year} to "
            f"{frame['end'].max().year}: study publications shown at year precision and "
            "regulatory events at day precision where the source gives the date."
        ),
    )
    return themed(chart)


def evidence_levels(studies: pd.DataFrame) -> pd.DataFrame:
    """One plain statement of evidence level per study row (design, size, assessment)."""
    rows = []
    for _, row in studies.iterrows():
        design = DESIGN_LABELS[row["design"]]
        if pd.notna(row["phase"]):
            design = design.replace(" trial", f" phase {row['phase']} trial")
        size = f"{row['n_as_reported']} patients with ASPS"
        if pd.notna(row["n_all_histologies"]):
            size += " (a subgroup of a multi-sarcoma study)"
        assessed = {
            "investigator": "response assessed by the investigators",
            "independent_review": "response assessed by independent review",
            "not_stated": "who assessed response not stated in the source",
        }[row["orr_assessment"]]
        rows.append(
            {
                "record_id": row["record_id"],
                "study": _label(row),
                "evidence": f"{design}; {size}; {assessed}.",
            }
        )
    return pd.DataFrame(rows)


def _study_sizes(studies: pd.DataFrame) -> pd.Series:
    # A regulatory notice re-analyses a trial already in the table, so it is not another study.
    trials = studies[studies["source_kind"] != "regulatory_notice"]
    return trials.groupby("study_label")["n_asps"].max().dropna().astype(int)


def evidence_summary(studies: pd.DataFrame) -> pd.DataFrame:
    """Plain statements of the level of evidence, computed from the table.

    Returns
    -------
    pandas.DataFrame
        Columns ``topic`` and ``statement``, one row per statement, ready to print.
    """
    trials = studies[studies["source_kind"] != "regulatory_notice"]
    per_study = trials.groupby("study_label").first()
    n_studies = len(per_study)
    designs = per_study["design"].value_counts()
    randomised = per_study[per_study["randomised"].astype(bool)]
    retro = int(sum(designs.get(d, 0) for d in DESIGNS if d.startswith("retrospective")))
    comparisons = "; ".join(
        f"{name}: {comp}" for name, comp in randomised["comparison"].items()
    )
    phase3 = (studies["phase"] == "3").any()
    sizes = _study_sizes(studies)
    largest = sizes.idxmax()
    statements = [
        ("Designs",
         f"{n_studies} studies: {designs.get('single_arm_trial', 0)} single-arm trials, "
         f"{len(randomised)} randomised phase 2 trials ({comparisons}) and {retro} retrospective "
         f"series or registries. " + ("" if phase3 else "None is a phase 3 trial.")),
        ("Size",
         f"Patients with ASPS per study: median {int(sizes.median())}, range {sizes.min()} to "
         f"{sizes.max()} (largest: {largest}, {sizes.max()})."),
    ]
    with_figure = studies[studies["orr_pct"].notna() | studies["orr_numerator"].notna()]
    independent = with_figure[with_figure["orr_assessment"] == "independent_review"]
    investigator = with_figure[with_figure["orr_assessment"] == "investigator"]
    statements.append(
        ("Response assessment",
         f"Of {len(with_figure)} response figures, {len(independent)} "
         f"{'comes' if len(independent) == 1 else 'come'} from independent "
         f"review ({', '.join(independent['study_label'])}), {len(investigator)} from the "
         f"investigators ({', '.join(investigator['study_label'])}); the rest do not say who "
         "assessed response.")
    )
    for trial, group in studies.dropna(subset=["trial_registration"]).groupby(
        "trial_registration"
    ):
        if group["orr_assessment"].nunique() > 1:
            parts = [
                f"{r.orr_pct:g}% ({r.orr_numerator}/{r.orr_denominator}, "
                f"{ASSESSMENT_LABELS[r.orr_assessment].lower()}; {r.study_label})"
                for r in group.itertuples()
            ]
            statements.append(
                ("Same trial, two figures",
                 f"Trial {trial}: " + " and ".join(parts) + ". Both are shown; they are not "
                 "averaged.")
            )
    no_counts = with_figure[with_figure["orr_numerator"].isna()]
    statements.append(
        ("Figures without counts",
         f"{len(no_counts)} response figures have no printed count, so no interval: "
         f"{', '.join(_label(r) for _, r in no_counts.iterrows())}.")
    )
    missing = studies[studies["orr_pct"].isna() & studies["orr_numerator"].isna()]
    if len(missing):
        statements.append(
            ("No verified response figure",
             f"{', '.join(_label(r) for _, r in missing.iterrows())}: response rate not verified, "
             "not shown in the response chart.")
        )
    statements.append(("No pooling", NO_POOLING))
    return pd.DataFrame(statements, columns=["topic", "statement"])


def unverified_fields(studies: pd.DataFrame) -> pd.DataFrame:
    """Long table of the fields the reference marks 'not verified': ``record_id, study, field``."""
    rows = [
        {"record_id": row["record_id"], "study": _label(row), "field": field}
        for _, row in studies.dropna(subset=["not_verified"]).iterrows()
        for field in row["not_verified"].split("|")
    ]
    return pd.DataFrame(rows, columns=["record_id", "study", "field"])


def _cell(row: pd.Series, column: str, fmt: str = "{}") -> str:
    value = row[column]
    if pd.isna(value):
        listed = row["not_verified"]
        return "not verified" if pd.notna(listed) and column in listed.split("|") else ""
    return fmt.format(value)


def _response_text(row: pd.Series) -> str:
    pct, k, n = row["orr_pct"], row["orr_numerator"], row["orr_denominator"]
    if pd.isna(pct):
        return _cell(row, "orr_pct")
    text = f"{pct:.{int(row['orr_decimals'])}f}%"
    details = []
    if pd.notna(k) and pd.notna(n):
        details.append(f"{int(k)}/{int(n)}")
    if row["orr_pct_basis"] == "computed":
        details.append("% computed")
    if row["numerator_basis"] == "computed" or row["denominator_basis"] == "computed":
        details.append("count computed")
    return text + (f" ({'; '.join(details)})" if details else "")


def study_table(studies: pd.DataFrame) -> pd.DataFrame:
    """Display frame of the studies, 'not verified' where the reference says so."""
    rows = []
    for _, row in studies.iterrows():
        design = DESIGN_LABELS[row["design"]]
        if pd.notna(row["phase"]):
            design = design.replace(" trial", f" phase {row['phase']} trial")
        rows.append(
            {
                "Study": row["study_label"],
                "Therapy": row["therapy"],
                "Class": CLASS_LABELS[row["drug_class"]],
                "Design": design,
                "Patients (ASPS)": row["n_as_reported"],
                "Response rate": _response_text(row),
                "Assessed by": ASSESSMENT_LABELS[row["orr_assessment"]],
                "Median PFS (months)": _cell(row, "median_pfs_months", "{:g}"),
                "Median OS (months)": _cell(row, "median_os_months", "{:g}"),
                "Key toxicity": _cell(row, "key_toxicity"),
                "Regulatory status": _cell(row, "regulatory_status"),
                "Source": row["source"],
            }
        )
    return pd.DataFrame(rows)


def study_table_html(
    studies: pd.DataFrame,
    caption: str = "Systemic therapy studies in advanced ASPS",
    table_id: str | None = "tbl-systemic-therapy",
) -> HTMLFragment:
    """Interactive (sortable, searchable) HTML of :func:`study_table`; cells are escaped."""
    frame = study_table(studies)
    # Text cells such as '37% (19/52)' or 'not verified' would sort as text; sort by the number.
    keys = pd.DataFrame(
        {
            "Response rate": studies["orr_pct"].to_numpy(),
            "Median PFS (months)": studies["median_pfs_months"].to_numpy(),
            "Median OS (months)": studies["median_os_months"].to_numpy(),
        }
    )
    return interactive_table(
        frame, caption=caption, table_id=table_id, escape=True, sticky_first_column=True,
        sort_keys=keys,
    )


# --- MET inhibition and local treatment -----------------------------------------------------

LOCAL_TOPIC_LABELS = {
    "metastasectomy": "Metastasectomy",
    "radiosurgery": "Stereotactic radiosurgery",
    "follow_up": "Follow-up",
    "primary_surgery_metastatic": "Surgery of the primary in metastatic disease",
    "adjuvant_radiotherapy": "Adjuvant radiotherapy",
    "staging_imaging": "Imaging at staging",
}
EVIDENCE_LEVEL_LABELS = {
    "expert_consensus": "Expert consensus (guideline)",
    "case_report": "Case report",
    "descriptive_single_centre": "Descriptive, single-centre series",
    "descriptive_multicentre": "Descriptive, multicentre series",
    "registry_comparison": "Registry comparison",
    "prospective_trial": "Prospective trial",
}
assert set(LOCAL_TOPIC_LABELS) == set(LOCAL_TOPICS)
assert set(EVIDENCE_LEVEL_LABELS) == set(EVIDENCE_LEVELS)


def met_inhibitor_responses(studies: pd.DataFrame) -> str:
    """Plain text of the MET-inhibitor response counts, e.g. ``'1 of 40 (2.5%) with
    crizotinib (EORTC 90101 CREATE (ASPS cohort)); ...'``; no Markdown, for an inline result."""
    rows = studies[(studies["drug_class"] == "met_inhibitor") & studies["orr_numerator"].notna()]
    if rows.empty:
        return "no MET-inhibitor response count in the data"
    parts = [
        f"{int(r.orr_numerator)} of {int(r.orr_denominator)} "
        f"({r.orr_pct:.{int(r.orr_decimals)}f}%) with {r.therapy.lower()} ({r.study_label})"
        for r in rows.sort_values("year", kind="stable").itertuples()
    ]
    return "; ".join(parts)


def local_treatment_table(local: pd.DataFrame) -> pd.DataFrame:
    """Display frame of ``data/treatment_local.csv``: topic, finding, patients, evidence level."""
    return pd.DataFrame(
        {
            "Topic": local["topic"].map(LOCAL_TOPIC_LABELS),
            "Finding": local["finding"],
            "Patients": [("" if pd.isna(n) else str(int(n))) for n in local["n_patients"]],
            "Design": local["design"].map(DESIGN_LABELS),
            "Level of evidence": local["evidence_level"].map(EVIDENCE_LEVEL_LABELS),
            "Source's words": local["quote"],
            "Source": local["source"],
        }
    )


def local_treatment_html(local: pd.DataFrame, caption: str = "Local treatment beyond the "
                         "primary resection") -> HTMLFragment:
    """Static HTML of :func:`local_treatment_table`; cells escaped."""
    return interactive_table(
        local_treatment_table(local), caption=caption, escape=True, page_length=0
    )


def gaps_table(gaps: pd.DataFrame) -> pd.DataFrame:
    """Display frame of ``data/therapy_gaps.csv`` with what was searched, and when."""
    searched = [
        "" if pd.isna(q) else f"{q} ({c}, {d})"
        for q, c, d in zip(
            gaps["search_query"], gaps["search_corpus"], gaps["search_date"], strict=True
        )
    ]
    return pd.DataFrame(
        {
            "Topic": gaps["topic"],
            "Status": gaps["status"].str.replace("_", " "),
            "What is missing": gaps["description"],
            "Searched": searched,
            "Source": gaps["source"].fillna(""),
        }
    )


def response_rate_figure(estimates: pd.DataFrame) -> Layouts:
    """:func:`response_rate_chart` for every screen (compact under :data:`COMPACT_BELOW` px)."""
    return Layouts.compact_below(
        response_rate_chart, estimates, below=COMPACT_BELOW, min_plot=70
    )


def timeline_figure(timeline: pd.DataFrame) -> Layouts:
    """:func:`timeline_chart` for every screen (compact under :data:`COMPACT_BELOW` px)."""
    return Layouts.compact_below(timeline_chart, timeline, below=COMPACT_BELOW, min_plot=90)
