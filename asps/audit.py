"""Consistency audit of every figure printed in Cho et al. 2014.

Each figure gets one status:

- ``inconsistent``: a check that needs no patient data shows the printed figure cannot be right
  (no k/n rounds to the percentage; the printed count and percentage disagree, including a
  percentage that is its count's value truncated where the paper otherwise rounds; a median
  contradicts printed counts; a denominator contradicts the series size; a case lies outside the
  printed range);
- ``ambiguous``: the figure cannot be checked as printed (a statement without a number or test, a
  dose not in the patient table) or two sections give the same number different labels;
- ``other_cohort``: a figure the paper cites from another study, kept with its citation;
- ``reproduced``: the reconstructed data give the printed value by ordinary rounding (half up) at
  the printed precision;
- ``not_reproduced``: none of the above: the reconstruction misses a figure it should meet, or
  meets it only when truncated. The test suite fails on this status.

Percentages are held to ordinary rounding because the paper's own arithmetic shows it rounds: a
percentage printed beside its count that only truncation explains is reported as inconsistent,
with the arithmetic and the paper's rounded percentages beside it (:func:`rounding_evidence`).

Nothing is corrected: the figures stay as printed, the audit says what is wrong with them.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pandas as pd

from asps.measures import (
    SIZE_THRESHOLD_MM,
    Figure,
    columns_from_frame,
    compute,
    interleaved_survival,
    km_final,
    km_orders,
    matches,
    proportions_matching,
    round_half_up,
    truncate,
)

STATUSES = ["reproduced", "inconsistent", "ambiguous", "other_cohort", "not_reproduced"]
KM_MEASURES = {"km_survival_pct", "km_higher"}


def _fmt(value: float, decimals: int = 1) -> str:
    return f"{value:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:.0f}"


def _series_size(figures: pd.DataFrame) -> int:
    return int(figures.loc[figures["figure_id"] == "methods.n", "value"].iloc[0])


def _printed_count(figures: pd.DataFrame, fig: Figure, location: str) -> float | None:
    """The count printed beside a percentage: same location, variable, category and group."""
    same = figures[
        (figures["measure"] == "count")
        & (figures["location"] == location)
        & (figures["variable"].fillna("") == (fig.variable or ""))
        & (figures["category"].fillna("") == (fig.category or ""))
        & (figures["group_variable"].fillna("") == (fig.group_variable or ""))
    ]
    return None if same.empty else float(same["value"].iloc[0])


def group_size(figures: pd.DataFrame, fig: Figure, n_series: int) -> int:
    """Size of the subgroup a figure describes, from counts the paper prints for that group."""
    if fig.denominator is not None:
        return int(fig.denominator)
    if fig.group_variable is None:
        return n_series
    counts = figures[
        (figures["measure"] == "count")
        & (figures["variable"] == fig.group_variable)
        & (figures["category"] == fig.group)
        & figures["group_variable"].isna()
    ]
    return int(counts["value"].iloc[0]) if not counts.empty else n_series


def _pct(value: float, decimals: int) -> str:
    """A computed percentage one digit finer than the printed one, so rounding shows."""
    return f"{value:.{decimals + 1}f}%"


def rounding_evidence(figures: pd.DataFrame, limit: int = 3) -> list[str]:
    """Printed percentages whose count shows the paper rounds (rounded and truncated differ).

    E.g. ``'14 of 19 = 73.7%, printed 74%'``: truncation would have printed 73%.
    """
    n_series = _series_size(figures)
    seen: list[str] = []
    for row in figures.to_dict("records"):
        fig = Figure.from_row(row)
        if row["cohort"] != "this_series" or fig.measure != "percent":
            continue
        k = _printed_count(figures, fig, row["location"])
        if k is None:
            continue
        n = group_size(figures, fig, n_series)
        value = 100 * k / n
        if (
            matches(value, fig.value, fig.decimals) == "exact"
            and truncate(value, fig.decimals) != round_half_up(value, fig.decimals)
        ):
            text = (
                f"{k:.0f} of {n} = {_pct(value, fig.decimals)}, printed "
                f"{_fmt(fig.value, fig.decimals)}%"
            )
            if text not in seen:
                seen.append(text)
    return seen[:limit]


def _percent_reason(
    figures: pd.DataFrame, fig: Figure, location: str, n_series: int
) -> str | None:
    """Why a printed percentage cannot be right: granularity, or the count printed beside it."""
    n = group_size(figures, fig, n_series)
    printed = f"{_fmt(fig.value, fig.decimals)}%"
    rounds = proportions_matching(fig.value, n, fig.decimals, allow_truncation=False)
    k = _printed_count(figures, fig, location)
    if k is not None:
        value = 100 * k / n
        match = matches(value, fig.value, fig.decimals)
        if match == "exact":
            return None
        reason = f"the count printed beside it, {k:.0f} of {n}, is {_pct(value, fig.decimals)}, "
        if match == "truncated":
            rounded = _fmt(round_half_up(value, fig.decimals), fig.decimals)
            reason += (
                f"which rounds to {rounded}%, not {printed}: {printed} is "
                f"{_pct(value, fig.decimals)} truncated, while the paper rounds its other "
                f"percentages ({'; '.join(rounding_evidence(figures))})"
            )
        else:
            reason += f"not {printed}"
        if rounds:
            reason += f" ({printed} would be {rounds[0]} of {n})"
        else:
            reason += f"; no count of {n} rounds to {printed}"
        return reason
    if not rounds:
        reason = f"no count k out of {n} rounds to {printed}"
        if cut := proportions_matching(fig.value, n, fig.decimals):
            reason += (
                f"; {cut[0]} of {n} is {_pct(100 * cut[0] / n, fig.decimals)}, which gives it "
                "only truncated, and the paper rounds elsewhere"
            )
        return reason
    return None


def check_without_data(figures: pd.DataFrame) -> dict[str, str]:
    """Reasons, per figure id, why a printed figure cannot be right, from printed figures alone."""
    n_series = _series_size(figures)
    reasons: dict[str, str] = {}
    for row in figures.to_dict("records"):
        if row["cohort"] != "this_series":
            continue
        fig = Figure.from_row(row)
        reason = None
        if fig.measure == "percent":
            reason = _percent_reason(figures, fig, row["location"], n_series)
        if (
            fig.denominator is not None
            and fig.group_variable is None
            and fig.denominator != n_series
        ):
            reason = (
                f"printed over {fig.denominator:.0f} patients, but it describes the whole series "
                f"of {n_series} (methods, results)"
            )
            if fig.variable == "any_metastasis":
                at_dx = _value(figures, "results.mets_dx.n")
                later = _value(figures, "results.mets_later.n")
                reason += (
                    f"; the results print {at_dx:.0f} metastatic at diagnosis and {later:.0f} of "
                    f"the others later: {at_dx + later:.0f} of {n_series} "
                    f"({100 * (at_dx + later) / n_series:.1f}%)"
                )
        if fig.measure == "median" and fig.variable == "size_mm":
            at_most = _value(figures, "results.size.le50_n")
            position = (n_series + 1) // 2
            if at_most >= position and fig.value > SIZE_THRESHOLD_MM:
                reason = (
                    f"the median of {n_series} is the {position}th smallest value, and "
                    f"{at_most:.0f} tumours are <= {SIZE_THRESHOLD_MM} mm (results, Fig. 2D), so "
                    f"the median is <= {SIZE_THRESHOLD_MM} mm, not {_fmt(fig.value, 0)} mm"
                )
        if fig.measure == "case_value":
            low = figures[(figures["measure"] == "minimum") & (figures["variable"] == fig.variable)]
            high = figures[
                (figures["measure"] == "maximum") & (figures["variable"] == fig.variable)
            ]
            if not low.empty and fig.value < low["value"].min():
                reason = (
                    f"{_fmt(fig.value, 0)} is below the series minimum of "
                    f"{low['value'].min():.0f} printed in the abstract and results"
                )
            if not high.empty and fig.value > high["value"].max():
                reason = f"{_fmt(fig.value, 0)} is above the printed series maximum"
        if reason:
            reasons[fig.figure_id] = reason
    for figure_id, reason in survival_conflicts(figures).items():
        reasons.setdefault(figure_id, reason)
    return reasons


def _order_text(order: tuple[bool, ...]) -> str:
    return "".join("D" if died else "C" for died in order)


def _fraction_text(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}" if value.denominator != 1 else "1"


def survival_conflicts(figures: pd.DataFrame) -> dict[str, str]:
    """Survival figures of subgroups that cannot hold together with the overall survival printed.

    Where the paper prints survival at the last follow-up for every group of one factor (the
    groups adding up to the series), each group's figure fixes the order of its deaths (D) and
    censorings (C) up to a few possibilities (:func:`asps.measures.km_orders`). Pooled in every
    possible interleaving (:func:`asps.measures.interleaved_survival`), the whole series' survival
    after any number of events takes only certain values; an overall figure none of them rounds to
    cannot hold together with the group figures. The overall figure is kept (it is the paper's
    headline, printed in the results and the figure legend); the reason goes on the group figure
    that no crude proportion of its group gives (or on every group figure if none is such).
    """
    n_series = _series_size(figures)
    this = figures[(figures["cohort"] == "this_series") & (figures["measure"] == "km_survival_pct")]
    overall = [
        Figure.from_row(r)
        for r in this[this["group_variable"].isna() & this["time_months"].notna()].to_dict(
            "records"
        )
    ]
    final = this[this["group_variable"].notna() & this["time_months"].isna()]
    reasons: dict[str, str] = {}
    for _, rows in final.groupby("group_variable", sort=True):
        groups = [Figure.from_row(r) for r in rows.to_dict("records")]
        sizes = [group_size(figures, g, n_series) for g in groups]
        if len(groups) != 2 or sum(sizes) != n_series or max(sizes) > 16:
            continue
        orders = [km_orders(n, g.value, g.decimals) for g, n in zip(groups, sizes, strict=True)]
        if not all(orders):
            continue
        reachable: set[Fraction] = set()
        for first in orders[0]:
            for second in orders[1]:
                for values in interleaved_survival(first, second):
                    reachable |= values
        for fig in {(f.time_months, f.value, f.decimals): f for f in overall}.values():
            if any(matches(100 * float(v), fig.value, fig.decimals) == "exact" for v in reachable):
                continue
            nearest = min(reachable, key=lambda v: abs(100 * float(v) - fig.value))
            near = 100 * float(nearest)
            cut = matches(near, fig.value, fig.decimals) == "truncated"
            blamed = [
                g
                for g, n in zip(groups, sizes, strict=True)
                if not proportions_matching(g.value, n, g.decimals, allow_truncation=False)
            ] or groups
            described = "; ".join(
                f"{_fmt(g.value, g.decimals)}% of {n} ({g.group}) is "
                + ", ".join(sorted({_fraction_text(km_final(o)) for o in found}))
                + f", by {len(found)} order{'s' if len(found) > 1 else ''} of deaths (D) and "
                "censorings (C): "
                + ", ".join(_order_text(o) for o in found)
                for g, n, found in zip(groups, sizes, orders, strict=True)
            )
            for g in blamed:
                others = [o for o in groups if o is not g]
                reasons[g.figure_id] = (
                    f"cannot hold together with {_fmt(fig.value, fig.decimals)}% overall survival "
                    f"at {fig.time_months:.0f} months and "
                    + ", ".join(f"{_fmt(o.value, o.decimals)}% for {o.group}" for o in others)
                    + f" (all printed): {described}. Interleaved in any of the "
                    f"C({n_series}, {sizes[0]}) = {math.comb(n_series, sizes[0])} ways, these "
                    "orders give no overall survival "
                    f"after any number of events that rounds to {_fmt(fig.value, fig.decimals)}% "
                    f"(nearest {near:.2f}%"
                    + (f", which is {_fmt(fig.value, fig.decimals)}% only truncated" if cut else "")
                    + f"). The overall figure is kept; {_fmt(g.value, g.decimals)}% is the one "
                    f"no crude proportion of its {sizes[groups.index(g)]} patients gives."
                )
    return reasons


def _value(figures: pd.DataFrame, figure_id: str) -> float:
    return float(figures.loc[figures["figure_id"] == figure_id, "value"].iloc[0])


def label_conflicts(figures: pd.DataFrame) -> dict[str, str]:
    """Figures whose number another section gives under another label (mean vs median)."""
    conflicts: dict[str, str] = {}
    stats = figures[
        figures["measure"].isin(["mean", "median"]) & (figures["cohort"] == "this_series")
    ]
    for _, group in stats.groupby(["variable", "value"]):
        if group["measure"].nunique() > 1:
            for row in group.itertuples():
                other = group[group["measure"] != row.measure].iloc[0]
                conflicts[row.figure_id] = (
                    f"the {row.location} section calls {_fmt(row.value, 0)} the {row.measure}, "
                    f"the {other.location} section calls it the {other.measure}"
                )
    return conflicts


def crude_note(figures: pd.DataFrame, fig: Figure) -> str | None:
    """For a Kaplan-Meier percentage: whether it can be a crude proportion of its group."""
    if fig.measure != "km_survival_pct":
        return None
    n = group_size(figures, fig, _series_size(figures))
    if proportions_matching(fig.value, n, fig.decimals, allow_truncation=False):
        return None
    return (
        f"no k of {n} rounds to {_fmt(fig.value, fig.decimals)}% as a crude proportion: it needs "
        "censoring before that time, as a Kaplan-Meier estimate allows"
    )


def audit(
    figures: pd.DataFrame | None = None, patients: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Classify every reported figure; one row per figure with status, computed value and reason."""
    from asps.loading import load

    figures = load("cho2014_figures") if figures is None else figures
    patients = load("patients") if patients is None else patients
    cols = columns_from_frame(patients)
    impossible = check_without_data(figures)
    conflicts = label_conflicts(figures)
    out = []
    for row in figures.to_dict("records"):
        fig = Figure.from_row(row)
        computed = math.nan
        if row["cohort"] == "other_study":
            status, reason = "other_cohort", f"cited from {row['cited_source']}"
        elif fig.measure == "statement":
            status, reason = "ambiguous", row["note"] or "a statement without a checkable number"
        else:
            computed = compute(fig, cols)
            match = matches(computed, fig.value, fig.decimals)
            if fig.figure_id in impossible:
                status, reason = "inconsistent", impossible[fig.figure_id]
            elif fig.figure_id in conflicts and match == "exact":
                status = "ambiguous"
                reason = (
                    conflicts[fig.figure_id]
                    + "; both hold at once in the reconstruction, so the data cannot say which "
                    "was meant"
                )
            elif match != "exact":
                status = "not_reproduced"
                reason = (
                    f"the reconstruction gives {computed:.{fig.decimals + 1}f}, which rounds to "
                    f"{round_half_up(computed, fig.decimals):.{fig.decimals}f}, not "
                    f"{_fmt(fig.value, fig.decimals)}"
                    if not math.isnan(computed)
                    else "the reconstruction cannot compute this figure"
                )
                if match == "truncated":
                    reason += " (it matches only when truncated)"
            else:
                status, reason = "reproduced", crude_note(figures, fig) or ""
        out.append(
            {
                "figure_id": fig.figure_id,
                "location": row["location"],
                "quote": row["quote"],
                "measure": fig.measure,
                "printed": fig.value,
                "decimals": fig.decimals,
                "computed": computed,
                "status": status,
                "reason": reason,
            }
        )
    return pd.DataFrame(out)


def format_audit(table: pd.DataFrame, only_problems: bool = True) -> str:
    """Plain-text report: counts per status, then the figures (only problems by default)."""
    counts = table["status"].value_counts().reindex(STATUSES, fill_value=0)
    lines = [
        "Audit of the figures printed in Cho et al. 2014 (doi:10.4055/cios.2014.6.1.80)",
        "  " + ", ".join(f"{status}: {n}" for status, n in counts.items()),
    ]
    shown = (
        table[table["status"].isin(["inconsistent", "not_reproduced"])] if only_problems else table
    )
    for row in shown.itertuples():
        printed = "" if pd.isna(row.printed) else _fmt(row.printed, row.decimals)
        lines.append(f"- [{row.status}] {row.figure_id} ({row.location}) printed {printed}")
        lines.append(f'    "{row.quote}"')
        if row.reason:
            lines.append(f"    {row.reason}")
    lines.append(summary_line(table))
    return "\n".join(lines)


def summary_line(table: pd.DataFrame) -> str:
    """One closing line: figures audited and the count per status, in :data:`STATUSES` order."""
    counts = table["status"].value_counts().reindex(STATUSES, fill_value=0)
    per_status = ", ".join(f"{status}: {n}" for status, n in counts.items())
    return f"Total: {len(table)} figures; {per_status}"
