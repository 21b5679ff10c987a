"""What the chapters call: validated data loaded once, and small formatters for inline figures.

A chapter is prose plus short calls; every number it prints comes through here or through the
analysis modules, never typed by hand.
"""

from __future__ import annotations

import math
import re
from functools import cache

import pandas as pd

from asps.inline import Markdown, escape
from asps.loading import load_all_cached
from asps.measures import round_half_up
from asps.survival import OVERALL_GROUP

_FACTOR_OF = {
    None: "overall",
    "margin": "margin",
    "size_group": "size",
    "mets_at_diagnosis": "metastasis",
}


@cache
def data() -> dict[str, pd.DataFrame]:
    """Every table in ``data/``, validated together (a bad file stops the chapter).

    Validated once per data version, not once per chapter: the tables come from the cache that
    ``python -m asps validate`` (run by ``make render``) fills, keyed by every input
    (`asps.cache`); on a miss they are validated here and cached.
    """
    return load_all_cached()


def table(name: str) -> pd.DataFrame:
    """One validated table by name, e.g. ``table("patients")``."""
    return data()[name].copy()


def pct(value: float, decimals: int = 0) -> str:
    """A percentage for prose, rounded half-up like the paper's tables: ``'52.6%'``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not available"
    return f"{round_half_up(value, decimals):.{decimals}f}%"


def frac(k: int, n: int, decimals: int = 0) -> str:
    """``'8 of 19 (42%)'``."""
    return f"{k} of {n} ({pct(100 * k / n, decimals)})"


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``'1 row'``, ``'2 rows'``: a count with its noun in the right number."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def num(value: float, decimals: int = 0) -> str:
    """A number for prose, rounded half-up."""
    return f"{round_half_up(float(value), decimals):.{decimals}f}"


def pvalue(p: float) -> str:
    """A p-value as clinicians read it: ``'p = 0.03'``, ``'p < 0.001'``."""
    if p is None or math.isnan(p):
        return "not computable"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}" if p < 0.1 else f"p = {p:.2f}"


def figure(figure_id: str) -> float:
    """A figure printed in Cho et al. 2014, by id (from ``data/cho2014_figures.csv``)."""
    figures = data()["cho2014_figures"]
    return float(figures.loc[figures["figure_id"] == figure_id, "value"].iloc[0])


def reported_survival(figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """Survival figures printed in Cho 2014 at a stated time, as the KM chart's overlay frame."""
    figures = data()["cho2014_figures"] if figures is None else figures
    rows = figures[(figures["measure"] == "km_survival_pct") & figures["time_months"].notna()]
    rows = rows.drop_duplicates(subset=["group_variable", "group", "time_months"])
    out = []
    for row in rows.itertuples():
        gv = None if pd.isna(row.group_variable) else row.group_variable
        if gv not in _FACTOR_OF:
            continue
        years = row.time_months / 12
        out.append(
            {
                "factor": _FACTOR_OF[gv],
                "group": OVERALL_GROUP if gv is None else row.group,
                "time_months": float(row.time_months),
                "survival": row.value / 100,
                "text": f"reported in Cho 2014: {row.value:g}% at {years:g} years",
            }
        )
    return pd.DataFrame(out, columns=["factor", "group", "time_months", "survival", "text"])


def static_table(frame: pd.DataFrame, caption: str = ""):
    """A small table with no controls; cells HTML-escaped."""
    from asps.tables import interactive_table

    return interactive_table(frame, caption=caption, page_length=0)


def changelog():
    """The change log from ``data/changelog.csv``, newest first."""
    # Rows are appended as changes happen, so within a day the later row is the newer one.
    log = table("changelog").iloc[::-1].sort_values("date", ascending=False, kind="stable")
    log = log.rename(columns=str.capitalize)
    return static_table(log, "Changes to the review's data and methods")


def key_figures():
    """Key figures at a glance: founding series, evidence across series, systemic therapy."""
    from asps import evidence, survival

    patients = table("patients")
    summary = survival.summarise(patients, ["overall", "margin"])
    land = summary.landmarks.set_index(["factor", "group", "time"])["survival"]
    ev = evidence.load_evidence()
    therapy = table("systemic_therapy")
    rows = [
        ("Patients in the founding series (Cho 2014)", str(len(patients)), "Cho 2014"),
        ("Female", frac(int((patients["sex"] == "female").sum()), len(patients)), "Cho 2014"),
        ("Mean age, years", num(patients["age_years"].mean(), 1), "Cho 2014"),
        (
            "Metastatic at diagnosis",
            frac(int((patients["mets_at_diagnosis"] != "none").sum()), len(patients)),
            "Cho 2014",
        ),
        (
            "First taken for a benign tumour or haemangioma",
            frac(
                int(
                    patients["initial_diagnosis"]
                    .isin(["benign_soft_tissue_tumour", "haemangioma"])
                    .sum()
                ),
                len(patients),
            ),
            "Cho 2014",
        ),
        (
            "5-year overall survival (reconstructed KM)",
            pct(100 * land[("overall", "all patients", 60.0)], 1),
            f"printed: {pct(figure('results.os.5y'), 1)}",
        ),
        (
            "5-year overall survival after R0 resection (reconstructed KM)",
            pct(100 * land[("margin", "R0", 60.0)], 0),
            f"printed: {pct(figure('results.os.r0_5y'), 0)}",
        ),
        ("Published series compared", str(len(ev.series)), "data/series.csv"),
        (
            "Pooled estimates (3+ independent series)",
            str(len(ev.pooled)),
            "data/series_outcomes.csv",
        ),
        ("Systemic-therapy studies and records", str(len(therapy)), "data/systemic_therapy.csv"),
    ]
    frame = pd.DataFrame(rows, columns=["Figure", "Value", "Source"])
    return static_table(frame, "Key figures, computed from data/")


def characteristics_table(table: pd.DataFrame):
    """The presentation counts as a searchable table with the printed counts beside them."""
    from asps.tables import interactive_table

    shown = pd.DataFrame(
        {
            "Characteristic": table["characteristic"],
            "Category": table["category"],
            "Reconstructed": [
                frac(int(n), int(d)) for n, d in zip(table["n"], table["denominator"], strict=True)
            ],
            "Printed in Cho 2014": table["printed_n"].map(
                lambda v: "not printed" if pd.isna(v) else f"{v:.0f}"
            ),
            "Where printed": table["printed_where"],
        }
    )
    return interactive_table(
        shown, caption="Clinical features: reconstructed vs printed", page_length=0
    )


def _ci(est: float, low: float, high: float, decimals: int = 1) -> str:
    if pd.isna(est):
        return "not estimable"
    if pd.isna(low) or pd.isna(high):
        return pct(100 * est, decimals)
    if low == high:  # no death yet (100%) or none left (0%): Greenwood gives a zero-width band
        return f"{pct(100 * est, decimals)} (no interval)"
    return f"{pct(100 * est, decimals)} ({num(100 * low, decimals)}-{num(100 * high, decimals)})"


def landmark_table(summary):
    """Landmark survival at 3, 5 and 10 years with CI, one row per factor and group."""
    from asps.survival import FACTORS

    land = summary.landmarks
    rows = []
    for (factor, group), part in land.groupby(["factor", "group"], sort=False):
        row = {"Factor": FACTORS[factor].label if factor in FACTORS else factor,
               "Group": str(group).replace("_", " ")}
        for t in part.itertuples():
            label = f"{t.time / 12:g} years"
            row[label] = (
                _ci(t.survival, t.lower, t.upper)
                if t.at_risk > 0
                else f"{_ci(t.survival, t.lower, t.upper)}, none at risk"
            )
        rows.append(row)
    return static_table(pd.DataFrame(rows), "Landmark survival, % (95% CI)")


def logrank_table(summary):
    """Log-rank statistic, degrees of freedom and p per factor (overall has no test)."""
    from asps.survival import FACTORS

    lr = summary.logrank[summary.logrank["factor"] != "overall"]
    frame = pd.DataFrame(
        {
            "Factor": [FACTORS[f].label if f in FACTORS else f for f in lr["factor"]],
            "Test": lr["test"],
            "Groups": lr["groups"],
            "Chi-square": [num(v, 2) if pd.notna(v) else "-" for v in lr["statistic"]],
            "df": [f"{v:.0f}" if pd.notna(v) else "-" for v in lr["df"]],
            "p": [pvalue(v) for v in lr["p"]],
            "Caveat": [FACTORS[f].caveat or "" if f in FACTORS else "" for f in lr["factor"]],
        }
    )
    return static_table(frame, "Log-rank tests")


def audit_table(audit: pd.DataFrame, statuses: list[str] | None = None):
    """The audit as a searchable table, optionally only some statuses."""
    from asps.tables import interactive_table

    rows = audit if statuses is None else audit[audit["status"].isin(statuses)]
    frame = pd.DataFrame(
        {
            # The paper's words, the numbers and the reason first: on a narrow screen the
            # identifiers are what scrolls out of view.
            "Printed words": rows["quote"],
            "Printed": [
                "" if pd.isna(v) else num(v, int(d))
                for v, d in zip(rows["printed"], rows["decimals"], strict=True)
            ],
            "Reconstructed": [
                "" if pd.isna(v) else num(v, int(d))
                for v, d in zip(rows["computed"], rows["decimals"], strict=True)
            ],
            "Status": rows["status"].str.replace("_", " "),
            "Why": rows["reason"],
            "Where": rows["location"].str.replace("_", " "),
            "Figure": rows["figure_id"],
        }
    )
    return interactive_table(
        frame, caption="Audit of Cho et al. 2014", page_length=0 if statuses else 25
    )


def text(value: object) -> Markdown:
    """Data text for an inline expression, escaped once (`asps.inline.escape`)."""
    return escape(value)


def quote(figure_id: str) -> Markdown:
    """The words Cho et al. 2014 print for a figure (escaped for Markdown)."""
    figures = data()["cho2014_figures"]
    return text(figures.loc[figures["figure_id"] == figure_id, "quote"].iloc[0])


def downloads(prefix: str = "") -> object:
    """An HTML list linking every CSV and ``datapackage.json``, with row counts."""
    import html

    from asps.schemas import TABLES
    from asps.tables import HTMLFragment

    items = [
        f'<li><a href="{prefix}data/datapackage.json"><code>datapackage.json</code></a>: '
        "Frictionless Data Package descriptor of every table</li>"
    ]
    for name, model in TABLES.items():
        rows = len(data()[name.removesuffix(".csv")])
        # The docstring's first paragraph, unwrapped; its ``literals`` as code.
        summary = " ".join((model.__doc__ or "").strip().split("\n\n")[0].split())
        summary = re.sub(r"``(.+?)``", r"<code>\1</code>", html.escape(summary))
        items.append(
            f'<li><a href="{prefix}data/{name}" download><code>{name}</code></a>: '
            f"{count(rows, 'row')}. {summary}</li>"
        )
    return HTMLFragment('<ul class="asps-downloads">' + "".join(items) + "</ul>")


def dictionary_table(dictionary: pd.DataFrame):
    """The data dictionary as a searchable table; patterns in the rules shown as code."""
    import html

    from asps.tables import interactive_table

    def markup(value: object) -> str:
        # A rule reads "matches <pattern>", then maybe "; may be empty" or "; length ...".
        parts = re.split(r"(?<=matches )(.+?)(?=; (?:may be empty|length )|$)", str(value))
        return "".join(
            f"<code>{html.escape(part)}</code>" if index % 2 else html.escape(part)
            for index, part in enumerate(parts)
        )

    shown = dictionary.rename(columns=str.capitalize).map(markup)
    return interactive_table(shown, caption="Data dictionary", page_length=20, escape=False)


def software_table():
    """Versions of Python and the packages that computed the page."""
    import platform
    from importlib.metadata import version

    names = [
        "pandas",
        "numpy",
        "pandera",
        "lifelines",
        "statsmodels",
        "scipy",
        "altair",
        "vl-convert-python",
        "nbclient",
        "ipykernel",
    ]
    rows = [("Python", platform.python_version())] + [(n, version(n)) for n in names]
    from asps.site import data_version

    rows.append(("Data version (git)", data_version().label))
    return static_table(pd.DataFrame(rows, columns=["Software", "Version"]), "Software")


def long_date(iso: str) -> str:
    """``'2022-12-09'`` as ``'9 December 2022'``; a bare year stays a year."""
    if len(iso) == 4:
        return iso
    stamp = pd.Timestamp(iso)
    return f"{stamp.day} {stamp.strftime('%B %Y')}"


_FACTOR_LABELS = {
    "tumour_size": "Tumour size",
    "metastasis_or_stage": "Metastasis / stage",
    "resection_margin": "Resection margin",
    "bone_involvement": "Bone involvement",
    "age": "Age",
    "site": "Site",
}


def prognostic_table():
    """Prognostic factors reported across series, with the series' author, year and N."""
    from asps.tables import interactive_table

    factors = table("prognostic_factors")
    series = table("series").set_index("series_id")
    frame = pd.DataFrame(
        {
            "Factor": factors["factor"].map(_FACTOR_LABELS),
            "Series": [
                f"{series.at[s, 'first_author'] if pd.notna(series.at[s, 'first_author']) else s} "
                f"{series.at[s, 'year']}"
                if s in series.index
                else s
                for s in factors["series_id"]
            ],
            "N": [series.at[s, "n"] if s in series.index else "" for s in factors["series_id"]],
            "Finding": factors["finding"],
            "Analysis": factors["analysis"].str.replace("_", " "),
            "Source": factors["source"],
        }
    )
    return interactive_table(
        frame.sort_values(["Factor", "Series"], kind="stable"),
        caption="Prognostic factors across series",
        page_length=0,
    )


def years(figure_id: str) -> float:
    """The time point of a printed survival figure, in years."""
    figures = data()["cho2014_figures"]
    return float(figures.loc[figures["figure_id"] == figure_id, "time_months"].iloc[0]) / 12


def describe(table_name: str, column: str) -> str:
    """A column's description from its pandera schema (the single source of definitions)."""
    from asps.schemas import schema_for

    text = schema_for(table_name).to_schema().columns[column].description or ""
    return text.rstrip(".")


def pooled_table(pooled: pd.DataFrame):
    """Pooled estimates for reading: outcome, k, N, estimate (95% CI), tau², I²."""
    frame = pd.DataFrame(
        {
            "Outcome": pooled["group_label"],
            "Series pooled": pooled["series_pooled"],
            "k": pooled["k"],
            "Patients": pooled["total_n"],
            "Estimate (95% CI)": [
                f"{pct(e, 1)} ({num(lo, 1)}-{num(hi, 1)})"
                for e, lo, hi in zip(
                    pooled["estimate"], pooled["lower"], pooled["upper"], strict=True
                )
            ],
            "tau²": [num(v, 3) for v in pooled["tau2"]],
            "I²": [pct(v, 0) for v in pooled["i2"]],
            "Denominator": [
                "series N (approximate)" if a else "printed"
                for a in pooled["approximate_denominator"]
            ],
            "Shown, not pooled": pooled["shown_not_pooled"],
        }
    )
    return static_table(frame, "Pooled estimates")


def approval_event() -> pd.Series:
    """The first ASPS-specific regulatory approval in ``data/therapy_events.csv``."""
    events = table("therapy_events")
    approvals = events[(events["event_type"] == "regulatory_approval") & events["asps_specific"]]
    return approvals.sort_values("date", kind="stable").iloc[0]


def cite(keys) -> Markdown:
    """A Pandoc citation for the given BibTeX keys, e.g. ``[@cho2014; @seer2016]``.

    Returned as Markdown, so that Quarto leaves it for Pandoc's citeproc rather than escaping it
    into literal brackets.

    Keys come from data (series ids, ``bib_key`` columns); only plain key characters pass, so a
    data value cannot inject Markdown.
    """
    clean = [k for k in dict.fromkeys(keys) if isinstance(k, str) and re.fullmatch(r"[\w:.-]+", k)]
    return Markdown("[" + "; ".join(f"@{k}" for k in clean) + "]" if clean else "")
