"""Published ASPS series: per-series intervals, random-effects pooling, and the page's tables.

Every percentage is analysed as a proportion on the logit scale. A series enters a pooled
estimate only when it prints (or, marked approximate, stands in) a denominator and it is the
designated member of any overlap set it belongs to; an outcome, subgroup and time point is pooled
only when :data:`MIN_POOLED_SERIES` such series report it. Pooling is DerSimonian-Laird through
``statsmodels.stats.meta_analysis.combine_effects(method_re="dl")``.

Typical use in a chapter::

    from asps.evidence import load_evidence, study_table
    from asps.forest import forest_chart

    ev = load_evidence()
    ev.pooled          # one row per pooled outcome, subgroup and time point
    forest_chart(ev.forest)
    study_table(ev)
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import expit
from scipy.stats import norm
from statsmodels.stats.meta_analysis import combine_effects

from asps.loading import DATA_DIR, load
from asps.schemas.evidence import cross_table_problems

MIN_POOLED_SERIES = 3
CONTINUITY_CORRECTION = 0.5
CONFIDENCE = 0.95
CI_METHOD = "logit (Wald) interval from the denominator"

_Z = float(norm.ppf(0.5 + CONFIDENCE / 2))

OUTCOME_LABELS = {
    "overall_survival": "Overall survival",
    "event_free_survival": "Event-free survival",
    "disease_free_survival": "Disease-free survival",
    "local_recurrence_free_survival": "Local-recurrence-free survival",
    "distant_recurrence_free_survival": "Distant-recurrence-free survival",
    "metastasis_at_presentation": "Metastasis at presentation",
    "metastasis_at_presentation_or_later": "Metastasis at presentation or later",
    "female": "Women",
    "median_overall_survival": "Median overall survival",
}
SUBGROUP_LABELS = {
    "all": "all patients",
    "localized": "localized disease",
    "without_metastases": "patients without metastases at presentation",
    "locoregional": "locoregional disease",
    "metastatic_at_presentation": "metastatic at presentation",
    "tumour_5cm_or_less": "tumour 5 cm or smaller",
    "tumour_over_5cm": "tumour over 5 cm",
    "complete_resection": "complete resection",
    "residual_disease": "residual disease",
    "unclear": "patient group not stated",
}
POPULATION_LABELS = {
    "adult": "Adults",
    "paediatric": "Children and adolescents",
    "paediatric_and_young_adult": "Children and young adults",
    "all_ages": "All ages",
    "registry": "Population registry",
    "not_stated": "Age range not stated",
}
DESIGN_LABELS = {
    "single_centre": "Single-centre series",
    "multicentre": "Multicentre series",
    "cooperative_group": "Cooperative-group series",
    "registry": "Population registry",
    "not_stated": "Setting not stated",
}
STATUS_TEXT = {
    "pooled": "Pooled.",
    "no_denominator": "Shown, not pooled: no denominator.",
    "overlap": "Shown, not pooled: overlaps {pooled_series} (set '{overlap_set}').",
    "too_few_series": "Shown, not pooled: fewer than {k} poolable series report this figure.",
}


@dataclass(frozen=True)
class PooledProportion:
    """A random-effects pooled proportion, back-transformed to percent.

    ``tau2`` and ``q`` are on the logit scale; ``i2`` is in percent.
    """

    estimate: float
    lower: float
    upper: float
    tau2: float
    i2: float
    q: float
    k: int


def logit_effects(events: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the logit of each proportion and its variance, ``1/x + 1/(n - x)``.

    A proportion of exactly 0 or 1 has no finite logit, so 0.5 is added to events and to
    non-events of that series only (``n`` grows by 1).
    """
    x = np.asarray(events, dtype=float)
    size = np.asarray(n, dtype=float)
    if np.any(size <= 0) or np.any(x < 0) or np.any(x > size):
        raise ValueError("need 0 <= events <= n and n > 0 for every series")
    edge = (x == 0) | (x == size)
    x = np.where(edge, x + CONTINUITY_CORRECTION, x)
    size = np.where(edge, size + 2 * CONTINUITY_CORRECTION, size)
    return np.log(x / (size - x)), 1 / x + 1 / (size - x)


def series_intervals(events: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the lower and upper 95% logit (Wald) limits of each proportion, in percent."""
    y, v = logit_effects(events, n)
    half = _Z * np.sqrt(v)
    return 100 * expit(y - half), 100 * expit(y + half)


def pool_proportions(events: np.ndarray, n: np.ndarray) -> PooledProportion:
    """Pool proportions: DerSimonian-Laird random effects on the logit scale.

    statsmodels' DL estimate is ``(Q - df) / C`` without the usual truncation at zero; when it
    is negative, tau^2 is 0 and the pooled mean is the fixed-effect (inverse-variance) mean.
    """
    y, v = logit_effects(events, n)
    if len(y) < 2:
        raise ValueError("pooling needs at least two series")
    with warnings.catch_warnings():
        # A negative DL estimate makes statsmodels take square roots of negative variances for
        # random-effects columns that are replaced below; the warning would only be noise.
        warnings.simplefilter("ignore", RuntimeWarning)
        result = combine_effects(y, v, method_re="dl")
    if result.tau2 > 0:
        mean, se, tau2 = result.mean_effect_re, result.sd_eff_w_re, float(result.tau2)
    else:
        mean, se, tau2 = result.mean_effect_fe, result.sd_eff_w_fe, 0.0
    return PooledProportion(
        estimate=100 * float(expit(mean)),
        lower=100 * float(expit(mean - _Z * se)),
        upper=100 * float(expit(mean + _Z * se)),
        tau2=tau2,
        i2=100 * max(0.0, float(result.i2)),
        q=float(result.q),
        k=len(y),
    )


def _time_label(time_years: float) -> str:
    return "" if pd.isna(time_years) else f"{time_years:g}y"


def group_key(outcome: str, subgroup: str, time_years: float) -> str:
    """Stable key of one outcome, subgroup and time point, e.g. ``overall_survival/all/5y``."""
    parts = [outcome, subgroup, _time_label(time_years)]
    return "/".join(p for p in parts if p)


def group_label(outcome: str, subgroup: str, time_years: float) -> str:
    """Reader's label, e.g. ``Overall survival at 5 years: all patients``."""
    text = OUTCOME_LABELS.get(outcome, outcome)
    if not pd.isna(time_years):
        text += f" at {time_years:g} year{'s' if time_years != 1 else ''}"
    return f"{text}: {SUBGROUP_LABELS.get(subgroup, subgroup)}"


def series_label(row: pd.Series) -> str:
    """Short reader's name of a series, saying when its authors were not read in a source."""
    if pd.notna(row["first_author"]):
        label = f"{row['first_author'].split()[0]} {row['year']}"
        if not row["author_verified"]:
            label += " (first author not read in a source)"
    else:
        where = row["institution"] if pd.notna(row["institution"]) else row["journal"]
        where = str(where).split(" (")[0]
        label = f"{where} {row['year']} (authors not read in a source)"
    if row["founding"]:
        label += " (founding series)"
    return label


def overlap_membership(overlaps: pd.DataFrame) -> pd.DataFrame:
    """One row per series in an overlap set: ``series_id, overlap_set, pooled_series``."""
    rows = [
        {"series_id": member, "overlap_set": row.set_id, "pooled_series": row.pooled_series}
        for row in overlaps.itertuples(index=False)
        for member in row.members.split("|")
    ]
    return pd.DataFrame(rows, columns=["series_id", "overlap_set", "pooled_series"])


def series_estimates(
    series: pd.DataFrame,
    outcomes: pd.DataFrame,
    overlaps: pd.DataFrame,
    *,
    min_series: int = MIN_POOLED_SERIES,
) -> pd.DataFrame:
    """Return one row per percentage figure, with its interval and whether it is pooled.

    Columns add to the outcome row: ``group``, ``group_label``, ``label``, ``year``,
    ``population``, ``founding``, ``n``, ``events`` (printed count, else estimate x
    denominator), ``lower``/``upper`` (95% logit interval, empty without a denominator),
    ``overlap_set``, ``status`` (pooled / no_denominator / overlap / too_few_series) and
    ``status_text``.
    """
    info = series.assign(label=series.apply(series_label, axis=1))[
        ["series_id", "label", "year", "population", "design", "founding", "n"]
    ]
    frame = (
        outcomes[outcomes["unit"] == "percent"]
        .merge(info, on="series_id", how="left", validate="many_to_one")
        .merge(overlap_membership(overlaps), on="series_id", how="left", validate="many_to_one")
    )
    frame["group"] = [
        group_key(o, s, t)
        for o, s, t in zip(frame["outcome"], frame["subgroup"], frame["time_years"], strict=True)
    ]
    frame["group_label"] = [
        group_label(o, s, t)
        for o, s, t in zip(frame["outcome"], frame["subgroup"], frame["time_years"], strict=True)
    ]
    has_den = frame["denominator"].notna()
    den = frame["denominator"].astype("Float64")
    frame["events"] = frame["count"].astype("Float64").fillna(frame["estimate"] / 100 * den)
    frame["lower"] = np.nan
    frame["upper"] = np.nan
    if has_den.any():
        lower, upper = series_intervals(
            frame.loc[has_den, "events"].to_numpy(float), den[has_den].to_numpy(float)
        )
        frame.loc[has_den, "lower"] = lower
        frame.loc[has_den, "upper"] = upper

    overlapped = frame["overlap_set"].notna() & (frame["pooled_series"] != frame["series_id"])
    status = np.select([~has_den, overlapped], ["no_denominator", "overlap"], "eligible")
    frame["status"] = status
    eligible = frame["status"] == "eligible"
    enough = frame[eligible].groupby("group")["series_id"].transform("size") >= min_series
    frame.loc[eligible, "status"] = np.where(enough, "pooled", "too_few_series")
    frame["status_text"] = [
        STATUS_TEXT[s].format(pooled_series=p, overlap_set=o, k=min_series)
        for s, p, o in zip(frame["status"], frame["pooled_series"], frame["overlap_set"],
                           strict=True)
    ]
    return frame.sort_values(["group", "year", "series_id"]).reset_index(drop=True)


def pooling_table(estimates: pd.DataFrame) -> pd.DataFrame:
    """Return one row per outcome, subgroup and time point: pooled or, if not, why not.

    ``k_reported`` counts every series printing the figure, ``k_poolable`` those with a
    denominator and not set aside by an overlap, ``k`` those pooled; ``estimate``,
    ``lower``, ``upper`` (percent), ``tau2`` (logit scale) and ``i2`` (percent) are empty when the
    figure is not pooled. ``approximate_denominator`` says whether any pooled denominator is the
    series N standing in for an unprinted one.
    """
    rows = []
    for group, part in estimates.groupby("group", sort=True):
        first = part.iloc[0]
        pooled = part[part["status"] == "pooled"]
        row = {
            "group": group,
            "group_label": first["group_label"],
            "outcome": first["outcome"],
            "subgroup": first["subgroup"],
            "time_years": first["time_years"],
            "k_reported": len(part),
            "k": len(pooled),
            "series_pooled": ", ".join(pooled["series_id"]),
            "total_n": int(pooled["denominator"].sum()) if len(pooled) else 0,
            "approximate_denominator": bool(pooled["denominator_approximate"].any()),
            "k_poolable": int(part["status"].isin(["pooled", "too_few_series"]).sum()),
            "shown_not_pooled": "; ".join(
                f"{r.series_id}: {r.status_text.removeprefix('Shown, not pooled: ').rstrip('.')}"
                for r in part[part["status"] != "pooled"].itertuples()
            ),
        }
        fit = (
            pool_proportions(
                pooled["events"].to_numpy(float), pooled["denominator"].to_numpy(float)
            )
            if len(pooled)
            else None
        )
        for name in ("estimate", "lower", "upper", "tau2", "i2", "q"):
            row[name] = getattr(fit, name) if fit else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def forest_frame(estimates: pd.DataFrame, pooling: pd.DataFrame) -> pd.DataFrame:
    """Return the tidy frame :func:`asps.forest.forest_chart` draws.

    One ``row_kind = "series"`` row per series figure and one summary row per group
    (``"pooled"`` with the pooled estimate, else ``"not_pooled"`` saying why).
    """
    series_rows = estimates.assign(
        row_kind="series",
        pooled=estimates["status"] == "pooled",
        population_label=estimates["population"].map(POPULATION_LABELS),
        source_text=estimates["source"] + ": " + estimates["source_detail"],
        ci_text=[_ci_text(e, lo, up) for e, lo, up in
                 zip(estimates["estimate"], estimates["lower"], estimates["upper"], strict=True)],
        denominator_text=[_denominator_text(d, a) for d, a in zip(
            estimates["denominator"], estimates["denominator_approximate"], strict=True)],
        note=estimates["note"].fillna(""),
    )
    summaries = []
    for row in pooling.itertuples(index=False):
        if row.k:
            label = f"Pooled, {row.k} series (I\u00b2 {row.i2:.0f}%)"
            text = (f"Random effects (DerSimonian-Laird), logit scale; tau\u00b2 {row.tau2:.3f}; "
                    f"series: {row.series_pooled}.")
            if row.approximate_denominator:
                text += " Some denominators are the series N standing in (approximate)."
        else:
            label = f"Not pooled: {row.k_poolable} usable series ({MIN_POOLED_SERIES} needed)"
            text = (f"{row.k_poolable} non-overlapping series with a denominator report this "
                    f"figure; pooling needs {MIN_POOLED_SERIES}.")
        summaries.append({
            "group": row.group,
            "group_label": row.group_label,
            "row_kind": "pooled" if row.k else "not_pooled",
            "label": label,
            "estimate": row.estimate,
            "lower": row.lower,
            "upper": row.upper,
            "ci_text": _ci_text(row.estimate, row.lower, row.upper) if row.k else "",
            "status_text": text,
            "pooled": bool(row.k),
            "founding": False,
            "year": 9999,
        })
    columns = [
        "group", "group_label", "row_kind", "series_id", "label", "year", "population",
        "population_label", "founding", "n", "denominator", "denominator_text", "estimate",
        "lower", "upper", "ci_text", "pooled", "status", "status_text", "source_text",
        "read_in", "note",
    ]
    frame = pd.concat([series_rows, pd.DataFrame(summaries)], ignore_index=True)
    return frame.reindex(columns=columns).sort_values(
        ["group", "year", "series_id"], na_position="last"
    ).reset_index(drop=True)


def _ci_text(estimate: float, lower: float, upper: float) -> str:
    if pd.isna(lower):
        return f"{estimate:.1f}"
    return f"{estimate:.1f} ({lower:.1f}\u2013{upper:.1f})"


def _denominator_text(denominator: object, approximate: bool) -> str:
    if pd.isna(denominator):
        return "not printed"
    return f"{int(denominator)} (series N, approximate)" if approximate else str(int(denominator))


def flow_counts(
    series: pd.DataFrame, outcomes: pd.DataFrame, estimates: pd.DataFrame
) -> pd.DataFrame:
    """Return the flow of series through the review, counted from the data.

    Steps: found (series in the reference notes), screened (read in at least one source),
    included (at least one verified figure), pooled (in at least one pooled estimate).
    """
    found = series["series_id"]
    screened = series.loc[series["source_detail"].notna(), "series_id"]
    included = screened[screened.isin(outcomes["series_id"])]
    pooled = included[included.isin(estimates.loc[estimates["status"] == "pooled", "series_id"])]
    return pd.DataFrame(
        {
            "step": ["found", "screened", "included", "pooled"],
            "series": [len(found), len(screened), len(included), len(pooled)],
            "definition": [
                "Series listed in the project's reference notes (not database hits).",
                "Series read in at least one source (abstract, full text or secondary source).",
                "Series with at least one verified figure in series_outcomes.csv.",
                "Series in at least one pooled estimate (with a denominator, not set aside "
                "by an overlap, and three or more such series for that figure).",
            ],
        }
    )


def quality_note(row: pd.Series, read_in: set[str]) -> str:
    """One-line quality note of a series: setting, how its figures were read, what was not read."""
    parts = [DESIGN_LABELS[row["design"]]]
    if row["population"] not in ("not_stated", "registry"):
        parts.append(POPULATION_LABELS[row["population"]].lower())
    if read_in == {"secondary_source"}:
        parts.append("figures read only in a secondary source")
    elif "secondary_source" in read_in:
        parts.append("some figures read only in a secondary source")
    elif str(row["source_detail"]).startswith("full text"):
        parts.append("figures read in the full text")
    else:
        parts.append("figures read in the abstract")
    not_read = [
        name
        for name, ok in (("authors", row["author_verified"]), ("year", row["year_verified"]))
        if not ok
    ]
    if pd.isna(row["journal"]):
        not_read.append("journal")
    if not_read:
        parts.append(f"{', '.join(not_read)} not read in a source")
    return "; ".join(parts) + "."


def study_frame(
    series: pd.DataFrame, outcomes: pd.DataFrame, estimates: pd.DataFrame, overlaps: pd.DataFrame
) -> pd.DataFrame:
    """Return the study table as a tidy frame, one row per series, sorted by year."""
    read_in = outcomes.groupby("series_id")["read_in"].agg(set)
    pooled_in = (
        estimates[estimates["status"] == "pooled"].groupby("series_id")["group_label"].agg(list)
    )
    membership = overlap_membership(overlaps).set_index("series_id")
    rows = []
    for row in series.sort_values(["year", "series_id"]).itertuples(index=False):
        record = row._asdict()
        if row.series_id in membership.index:
            m = membership.loc[row.series_id]
            overlap = (f"set '{m.overlap_set}'; pooled member: {m.pooled_series}")
        else:
            overlap = ""
        rows.append({
            "Series": series_label(pd.Series(record)),
            "Key": row.series_id,
            "Country / setting": " / ".join(
                str(v) for v in (row.country, row.institution) if pd.notna(v)
            ) or "not stated",
            "Period": row.period if pd.notna(row.period) else "not stated",
            "N": row.n,
            "Population": POPULATION_LABELS[row.population],
            "Quality note": quality_note(pd.Series(record), read_in.get(row.series_id, set())),
            "Overlap": overlap,
            "Pooled in": "; ".join(pooled_in.get(row.series_id, [])) or "none",
            "Caveats": row.note if pd.notna(row.note) else "",
        })
    return pd.DataFrame(rows)


#: The files whose change-log rows date a revision of the evidence tables.
EVIDENCE_FILES = frozenset(
    f"{name}.csv" for name in ("series", "series_outcomes", "series_overlaps", "review_methods")
)


@dataclass
class Evidence:
    """The evidence tables and everything computed from them."""

    series: pd.DataFrame
    outcomes: pd.DataFrame
    overlaps: pd.DataFrame
    methods: pd.DataFrame
    min_series: int = MIN_POOLED_SERIES
    changelog: pd.DataFrame | None = None
    estimates: pd.DataFrame = field(init=False)
    pooling: pd.DataFrame = field(init=False)

    def __post_init__(self) -> None:
        self.estimates = series_estimates(
            self.series, self.outcomes, self.overlaps, min_series=self.min_series
        )
        self.pooling = pooling_table(self.estimates)

    @property
    def pooled(self) -> pd.DataFrame:
        """Pooled estimates only: one row per outcome, subgroup and time point pooled."""
        columns = ["group_label", "k", "series_pooled", "total_n", "estimate", "lower", "upper",
                   "tau2", "i2", "approximate_denominator", "shown_not_pooled", "group"]
        return self.pooling.loc[self.pooling["k"] > 0, columns].reset_index(drop=True)

    @property
    def forest(self) -> pd.DataFrame:
        """Tidy input of :func:`asps.forest.forest_chart`."""
        return forest_frame(self.estimates, self.pooling)

    @property
    def flow(self) -> pd.DataFrame:
        """Found, screened, included, pooled: counted from the data."""
        return flow_counts(self.series, self.outcomes, self.estimates)

    @property
    def studies(self) -> pd.DataFrame:
        """The study table as a frame (see :func:`study_table` for the HTML)."""
        return study_frame(self.series, self.outcomes, self.estimates, self.overlaps)

    @property
    def date_compiled(self) -> str:
        """ISO date the evidence tables were compiled (from review_methods.csv)."""
        return str(self.methods.loc[self.methods["kind"] == "date_compiled", "date"].iloc[0])

    @property
    def date_last_changed(self) -> str:
        """ISO date of the newest change-log row touching an evidence table, else compiled."""
        if self.changelog is None:
            return self.date_compiled
        touched = self.changelog["tables"].str.split(";").map(
            lambda tables: any(t.strip() in EVIDENCE_FILES for t in tables)
        )
        dates = self.changelog.loc[touched, "date"].astype(str)
        return max([self.date_compiled, *dates])


def load_evidence(data_dir: Path | None = None) -> Evidence:
    """Load and cross-check the four evidence tables, then compute the estimates.

    Raises
    ------
    asps.loading.DataValidationError
        When a table breaks its schema or a rule across the tables.
    """
    from asps.loading import DataValidationError

    frames = {
        name: load(name, data_dir)
        for name in ("series", "series_outcomes", "series_overlaps", "review_methods")
    }
    problems = cross_table_problems(frames, data_dir)
    if problems:
        raise DataValidationError(problems)
    return Evidence(
        series=frames["series"],
        outcomes=frames["series_outcomes"],
        overlaps=frames["series_overlaps"],
        methods=frames["review_methods"],
        # A folder holding only the evidence tables (an author's test copy) has no change log.
        changelog=(
            load("changelog", data_dir)
            if ((data_dir or DATA_DIR) / "changelog.csv").exists() else None
        ),
    )


def study_table(evidence: Evidence, *, caption: str | None = None) -> object:
    """Return the interactive study table."""
    frame = evidence.studies
    caption = caption or (
        f"Published ASPS series ({len(frame)}), sorted by year; compiled "
        f"{evidence.date_compiled}, last changed {evidence.date_last_changed}."
    )
    from asps.tables import interactive_table

    return interactive_table(frame, caption=caption, table_id="series-table")


def methods_table(evidence: Evidence) -> pd.DataFrame:
    """Return the review's methods as a frame with readable kinds, in file order."""
    kinds = {
        "date_compiled": "Date compiled",
        "source_searched": "Source read",
        "inclusion_criterion": "Inclusion criterion",
        "pooling_rule": "Pooling rule",
        "ci_method": "Confidence intervals",
        "limitation": "Limitation",
    }
    methods = evidence.methods
    text = [
        f"{t} ({d})" if pd.notna(d) else t
        for t, d in zip(methods["text"], methods["date"], strict=True)
    ]
    return pd.DataFrame({"What": methods["kind"].map(kinds), "Statement": text})


def overlap_table(evidence: Evidence) -> pd.DataFrame:
    """Return the overlap sets for the page: members, the pooled one, and why."""
    o = evidence.overlaps
    return pd.DataFrame({
        "Set": o["set_id"],
        "Members": o["members"].str.replace("|", ", ", regex=False),
        "Pooled": o["pooled_series"],
        "Basis": o["basis"].str.replace("_", " ") + " (" + o["certainty"] + ")",
        "Why they may overlap": o["overlap_reason"],
        "Why this one is pooled": o["choice_reason"],
    })
