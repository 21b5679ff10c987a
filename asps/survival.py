"""Kaplan-Meier survival by prognostic factor, as tidy tables.

Estimates come from lifelines; this module only decides which groups to compare and renames
lifelines' results into tables with stable column names (``time``, ``survival``, ``lower``,
``upper``, ...), one row per factor, group and time. Plotting lives in :mod:`asps.km_chart`.

Times are months since diagnosis (``followup_months``); the event is death (``died``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # lifelines (about 1 s to import) is imported only when something is fitted
    from lifelines import KaplanMeierFitter

DURATION_COL = "followup_months"
EVENT_COL = "died"

CI_LEVEL = 0.95
CI_METHOD = (
    "pointwise 95% confidence interval on the log(-log) scale "
    "(exponential Greenwood formula, the lifelines default)"
)
LANDMARK_MONTHS: tuple[int, ...] = (36, 60, 120)
MEDIAN_RULE = (
    "first time the estimate is at or below 50% (lifelines' convention); its 95% CI runs from the "
    "first time the lower band to the first time the upper band is at or below 50%"
)
OVERALL_GROUP = "all patients"

RECONSTRUCTION_NOTE = (
    "The patient rows are pseudo-individual data reconstructed from the published summaries of "
    "Cho et al. 2014, not original patient records. Only factors the paper itself analysed are "
    "compared: survival by any other column would describe the reconstruction, not the patients."
)
IMMORTAL_TIME_NOTE = (
    "Factors known only after diagnosis (metastasis found during follow-up, additional surgery) "
    "are not compared from time zero: a patient has to survive long enough to acquire them, so "
    "that group is credited with survival time it could not have lost (immortal-time bias)."
)
#: Columns that describe what happened after diagnosis; grouping by them from time zero is biased.
POST_BASELINE_COLUMNS: tuple[str, ...] = ("mets_during_followup", "additional_surgery")
_NOT_GROUPINGS = (DURATION_COL, EVENT_COL, "patient_id")

KM_COLUMNS = [
    "factor",
    "group",
    "time",
    "at_risk",
    "events",
    "censored",
    "survival",
    "lower",
    "upper",
]
LANDMARK_COLUMNS = ["factor", "group", "time", "at_risk", "survival", "lower", "upper"]
MEDIAN_COLUMNS = ["factor", "group", "n", "events", "median", "lower", "upper", "reached"]
LOGRANK_COLUMNS = ["factor", "test", "groups", "statistic", "df", "p"]
RISK_COLUMNS = ["factor", "group", "time", "at_risk", "events_cum", "censored_cum"]


@dataclass(frozen=True)
class Factor:
    """A way of splitting patients into groups to compare.

    Parameters
    ----------
    key
        Stable identifier, used in every table's ``factor`` column.
    label
        Reader-facing name.
    derive
        Maps the patients frame to one group label per row; NA excludes the row.
    groups
        Display order of the groups; empty means "order found in the data".
    caveat
        What the reader must know before comparing these curves, or None.
    """

    key: str
    label: str
    derive: Callable[[pd.DataFrame], pd.Series]
    groups: tuple[str, ...] = ()
    caveat: str | None = None


def _overall(patients: pd.DataFrame) -> pd.Series:
    return pd.Series(OVERALL_GROUP, index=patients.index, dtype=object)


def _size(patients: pd.DataFrame) -> pd.Series:
    size = patients["size_mm"]
    # 50 mm is the paper's own cut-off (Fig. 2D, Fig. 5C), not one chosen from these data.
    # fillna: nullable integer columns give NA comparisons, which np.where cannot take.
    grouped = np.where(size.le(50).fillna(False).to_numpy(bool), "<= 50 mm", "> 50 mm")
    return pd.Series(grouped, index=patients.index, dtype=object).where(size.notna())


def _mets_at_diagnosis(patients: pd.DataFrame) -> pd.Series:
    mets = patients["mets_at_diagnosis"]
    grouped = np.where(mets.eq("none").fillna(False).to_numpy(bool), "none", "present")
    return pd.Series(grouped, index=patients.index, dtype=object).where(mets.notna())


def _column(name: str) -> Callable[[pd.DataFrame], pd.Series]:
    def derive(patients: pd.DataFrame) -> pd.Series:
        return patients[name]

    return derive


FACTORS: dict[str, Factor] = {
    f.key: f
    for f in (
        Factor("overall", "All patients", _overall, (OVERALL_GROUP,)),
        Factor("margin", "Resection margin", _column("margin"), ("R0", "R1", "R2")),
        Factor("size", "Tumour size", _size, ("<= 50 mm", "> 50 mm")),
        Factor("metastasis", "Metastasis at diagnosis", _mets_at_diagnosis, ("none", "present")),
        Factor(
            "depth",
            "Tumour depth",
            _column("depth"),
            ("superficial", "deep", "deep_and_superficial"),
            caveat=(
                "The paper reports only 'no meaningful difference' by depth; patients without "
                "pre-operative imaging are excluded."
            ),
        ),
    )
}


def factor_table(factors: Iterable[str | Factor] | None = None) -> pd.DataFrame:
    """Describe factors for display: key, label, groups and caveat.

    Parameters
    ----------
    factors
        Factor keys or objects; default every entry of :data:`FACTORS`, in order.

    Returns
    -------
    pandas.DataFrame
        Columns ``key``, ``label``, ``groups`` (tuple), ``caveat`` (str or None).
    """
    rows = [resolve_factor(f) for f in (FACTORS.values() if factors is None else factors)]
    return pd.DataFrame(
        {
            "key": [f.key for f in rows],
            "label": [f.label for f in rows],
            "groups": [f.groups for f in rows],
            "caveat": [f.caveat for f in rows],
        }
    )


def resolve_factor(factor: str | Factor) -> Factor:
    """Return the registered factor, or an ad-hoc one for a baseline categorical column.

    Parameters
    ----------
    factor
        A key of :data:`FACTORS`, a :class:`Factor`, or a column name of the patients table.

    Returns
    -------
    Factor

    Raises
    ------
    ValueError
        For columns known only after baseline (see :data:`IMMORTAL_TIME_NOTE`) and for the
        outcome and identifier columns.
    """
    if isinstance(factor, Factor):
        return factor
    if factor in FACTORS:
        return FACTORS[factor]
    if factor in POST_BASELINE_COLUMNS:
        raise ValueError(f"{factor!r} is not known at diagnosis. {IMMORTAL_TIME_NOTE}")
    if factor in _NOT_GROUPINGS:
        raise ValueError(f"{factor!r} is an outcome or identifier, not a grouping")
    return Factor(factor, factor, _column(factor))


def factor_groups(patients: pd.DataFrame, factor: str | Factor) -> pd.Series:
    """Group label of each patient under ``factor``; NA where the patient is excluded.

    Parameters
    ----------
    patients
        One row per patient.
    factor
        See :func:`resolve_factor`.

    Returns
    -------
    pandas.Series
        Ordered categorical whose categories are the groups present, in display order.
    """
    f = resolve_factor(factor)
    raw = f.derive(patients)
    if pd.api.types.is_bool_dtype(raw):
        raw = raw.map({True: "yes", False: "no"})
    elif pd.api.types.is_float_dtype(raw) or (
        pd.api.types.is_integer_dtype(raw) and not isinstance(raw.dtype, pd.CategoricalDtype)
    ):
        raise ValueError(f"{f.key!r} is numeric: derive a categorical grouping first")
    # One hashing pass (factorize) instead of unique + Categorical: this runs on every patient.
    codes, present = pd.factorize(raw, use_na_sentinel=True)
    present = list(present)
    if f.groups:
        unknown = sorted(set(map(str, present)) - set(f.groups))
        if unknown:
            raise ValueError(f"{f.key!r}: unexpected groups {unknown}, expected {f.groups}")
        order = [g for g in f.groups if g in set(present)]
    elif isinstance(raw.dtype, pd.CategoricalDtype):
        order = [g for g in raw.cat.categories if g in set(present)]
    else:
        order = sorted(present, key=str)
    position = np.array([order.index(g) for g in present] + [-1], dtype=np.int64)
    return pd.Series(
        pd.Categorical.from_codes(position[codes], categories=order, ordered=True),
        index=patients.index,
        name=f.key,
    )


@dataclass(frozen=True)
class _GroupFit:
    group: str
    durations: np.ndarray  # sorted ascending
    events: np.ndarray  # bool, aligned with durations
    kmf: KaplanMeierFitter


def _durations_events(
    patients: pd.DataFrame, duration_col: str, event_col: str
) -> tuple[np.ndarray, np.ndarray]:
    durations = patients[duration_col].to_numpy(dtype=float)
    events = patients[event_col].to_numpy()
    if np.isnan(durations).any() or (durations < 0).any():
        raise ValueError(f"{duration_col!r} must be non-negative and present for every patient")
    if pd.isna(events).any():
        raise ValueError(f"{event_col!r} must be present for every patient")
    return durations, events.astype(bool)


def _fit(
    patients: pd.DataFrame,
    factor: str | Factor,
    duration_col: str = DURATION_COL,
    event_col: str = EVENT_COL,
) -> tuple[Factor, list[_GroupFit]]:
    from lifelines import KaplanMeierFitter

    f = resolve_factor(factor)
    groups = factor_groups(patients, f)
    durations, events = _durations_events(patients, duration_col, event_col)
    codes = groups.cat.codes.to_numpy()
    fits = []
    for code, group in enumerate(groups.cat.categories):
        mask = codes == code
        order = np.argsort(durations[mask], kind="stable")
        d, e = durations[mask][order], events[mask][order]
        kmf = KaplanMeierFitter(alpha=1 - CI_LEVEL).fit(d, e, label="estimate")
        fits.append(_GroupFit(str(group), d, e, kmf))
    return f, fits


def _km_rows(f: Factor, g: _GroupFit) -> pd.DataFrame:
    table = g.kmf.event_table
    # The survival function and its CI share the event table's index (time 0 plus every
    # observed duration), so positional alignment is exact.
    ci = g.kmf.confidence_interval_.to_numpy()
    return pd.DataFrame(
        {
            "factor": f.key,
            "group": g.group,
            "time": table.index.to_numpy(dtype=float),
            "at_risk": table["at_risk"].to_numpy(dtype=np.int64),
            "events": table["observed"].to_numpy(dtype=np.int64),
            "censored": table["censored"].to_numpy(dtype=np.int64),
            "survival": g.kmf.survival_function_.iloc[:, 0].to_numpy(),
            "lower": ci[:, 0],
            "upper": ci[:, 1],
        }
    )


def _step_lookup(km: pd.DataFrame, times: np.ndarray) -> pd.DataFrame:
    """Read a step function (estimate and CI) at ``times``; NaN past the last follow-up."""
    idx = np.searchsorted(km["time"].to_numpy(), times, side="right") - 1
    out = km[["survival", "lower", "upper"]].iloc[np.clip(idx, 0, None)].reset_index(drop=True)
    last_time, last_surv = km["time"].iloc[-1], km["survival"].iloc[-1]
    # Past the last follow-up the estimate is unknown, unless everyone has already died.
    unknown = (times > last_time) & (last_surv > 0)
    out.loc[unknown, :] = np.nan
    return out


def _landmark_rows(
    f: Factor, g: _GroupFit, times: np.ndarray, km: pd.DataFrame | None = None
) -> pd.DataFrame:
    values = _step_lookup(_km_rows(f, g) if km is None else km, times)
    at_risk = len(g.durations) - np.searchsorted(g.durations, times, side="left")
    return pd.DataFrame(
        {"factor": f.key, "group": g.group, "time": times.astype(float), "at_risk": at_risk}
    ).join(values)


def _first_at_or_below(km: pd.DataFrame, column: str, level: float = 0.5) -> float:
    # The product-limit estimate reaches exactly 50% (e.g. 3/4 * 2/3) only up to rounding.
    hit = np.flatnonzero(km[column].to_numpy() <= level + 1e-12)
    return float(km["time"].iloc[hit[0]]) if len(hit) else np.nan


def _median_row(f: Factor, g: _GroupFit, km: pd.DataFrame | None = None) -> dict[str, object]:
    km = _km_rows(f, g) if km is None else km
    median = _first_at_or_below(km, "survival")
    return {
        "factor": f.key,
        "group": g.group,
        "n": len(g.durations),
        "events": int(g.events.sum()),
        "median": median,
        "lower": _first_at_or_below(km, "lower"),
        "upper": _first_at_or_below(km, "upper"),
        "reached": not np.isnan(median),
    }


def _comparable(fits: Sequence[_GroupFit]) -> bool:
    """Whether the log-rank variance is non-singular.

    Groups are linked when both are at risk at a death time at which not everyone at risk dies;
    the variance matrix is singular exactly when these links leave the groups disconnected
    (for example a group censored before the first death, or no deaths at all).
    """
    times = np.unique(np.concatenate([g.durations[g.events] for g in fits]))
    if times.size == 0:
        return False
    at_risk = np.array([len(g.durations) - np.searchsorted(g.durations, times) for g in fits])
    deaths = sum(
        np.bincount(np.searchsorted(times, g.durations[g.events]), minlength=times.size)
        for g in fits
    )
    informative = (deaths < at_risk.sum(axis=0)) & ((at_risk > 0).sum(axis=0) >= 2)
    masks = np.unique((at_risk[:, informative] > 0).T @ (1 << np.arange(len(fits))))
    component = list(range(len(fits)))

    def root(i: int) -> int:
        while component[i] != i:
            i = component[i]
        return i

    for mask in masks:
        members = [i for i in range(len(fits)) if mask >> i & 1]
        for i in members[1:]:
            component[root(i)] = root(members[0])
    return len({root(i) for i in range(len(fits))}) == 1


def _logrank_row(f: Factor, fits: Sequence[_GroupFit]) -> dict[str, object]:
    row: dict[str, object] = {
        "factor": f.key,
        "test": None,
        "groups": len(fits),
        "statistic": np.nan,
        "df": len(fits) - 1,
        "p": np.nan,
    }
    # lifelines reports statistic 0 and p = 1 when the variance is zero; that is no evidence of
    # similarity but an absence of information, so report nothing.
    if len(fits) < 2 or not _comparable(fits):
        return row
    from lifelines.statistics import logrank_test, multivariate_logrank_test

    if len(fits) == 2:
        a, b = fits
        result = logrank_test(a.durations, b.durations, a.events, b.events)
        row["test"] = "log-rank"
    else:
        durations = np.concatenate([g.durations for g in fits])
        events = np.concatenate([g.events for g in fits])
        labels = np.repeat(np.arange(len(fits)), [len(g.durations) for g in fits])
        result = multivariate_logrank_test(durations, labels, events)
        row["test"] = f"log-rank, {len(fits)} groups"
    row.update(
        statistic=float(result.test_statistic),
        df=int(result.degrees_of_freedom),
        p=float(result.p_value),
    )
    return row


def default_risk_times(max_time: float, step: float = 12.0) -> np.ndarray:
    """Every ``step`` months from 0 up to ``max_time``: the chart's yearly ticks."""
    return np.arange(0.0, max_time + 1e-9, step) if max_time >= 0 else np.array([0.0])


def _risk_rows(f: Factor, g: _GroupFit, times: np.ndarray) -> pd.DataFrame:
    n = len(g.durations)
    removed_before = np.searchsorted(g.durations, times, side="left")
    removed_by = np.searchsorted(g.durations, times, side="right")
    events_by = np.concatenate([[0], np.cumsum(g.events)])[removed_by]
    return pd.DataFrame(
        {
            "factor": f.key,
            "group": g.group,
            "time": times.astype(float),
            "at_risk": (n - removed_before).astype(np.int64),
            "events_cum": events_by.astype(np.int64),
            "censored_cum": (removed_by - events_by).astype(np.int64),
        }
    )


def _frame(parts: list[pd.DataFrame] | list[dict[str, object]], columns: list[str]) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame(columns=columns)
    if isinstance(parts[0], dict):
        return pd.DataFrame(parts, columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]


def km_table(
    patients: pd.DataFrame,
    factor: str | Factor = "overall",
    *,
    duration_col: str = DURATION_COL,
    event_col: str = EVENT_COL,
) -> pd.DataFrame:
    """Kaplan-Meier estimate with its 95% CI, one row per group and distinct time.

    Parameters
    ----------
    patients
        One row per patient.
    factor
        A key of :data:`FACTORS` or a baseline categorical column (see :func:`resolve_factor`).
    duration_col, event_col
        Follow-up time in months and death indicator.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`KM_COLUMNS`. Each group starts with a row at time 0 and has one row per
        distinct follow-up time, so the last row is the last follow-up (the flat run of the
        curve). ``at_risk`` counts patients with follow-up >= ``time``; ``survival`` is the
        estimate just after ``time``; ``lower``/``upper`` follow :data:`CI_METHOD`.
    """
    f, fits = _fit(patients, factor, duration_col, event_col)
    return _frame([_km_rows(f, g) for g in fits], KM_COLUMNS)


def landmark_survival(
    patients: pd.DataFrame,
    factor: str | Factor = "overall",
    times: Sequence[float] = LANDMARK_MONTHS,
    *,
    duration_col: str = DURATION_COL,
    event_col: str = EVENT_COL,
) -> pd.DataFrame:
    """Survival with 95% CI at fixed times (default 3, 5 and 10 years).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LANDMARK_COLUMNS`; ``survival``, ``lower`` and ``upper`` are NaN past a
        group's last follow-up (unless every patient in it has died).
    """
    f, fits = _fit(patients, factor, duration_col, event_col)
    t = np.asarray(times, dtype=float)
    return _frame([_landmark_rows(f, g, t) for g in fits], LANDMARK_COLUMNS)


def median_survival(
    patients: pd.DataFrame,
    factor: str | Factor = "overall",
    *,
    duration_col: str = DURATION_COL,
    event_col: str = EVENT_COL,
) -> pd.DataFrame:
    """Median survival per group with its 95% CI, read from the confidence band.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MEDIAN_COLUMNS`. ``median`` follows :data:`MEDIAN_RULE`; it is NaN with
        ``reached`` False when the estimate never falls to 50%. ``lower``/``upper`` are the first
        times the lower/upper band falls to 50%, NaN when that band never does.
    """
    f, fits = _fit(patients, factor, duration_col, event_col)
    return _frame([_median_row(f, g) for g in fits], MEDIAN_COLUMNS)


def logrank(
    patients: pd.DataFrame,
    factor: str | Factor,
    *,
    duration_col: str = DURATION_COL,
    event_col: str = EVENT_COL,
) -> pd.DataFrame:
    """Log-rank test across the groups of ``factor``: one row.

    Two groups use lifelines' ``logrank_test``, more use ``multivariate_logrank_test``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LOGRANK_COLUMNS`. ``test`` is None and ``statistic``/``p`` NaN when there
        is nothing to test: fewer than two groups, no deaths, or groups never at risk together
        at a death (the variance is zero).
    """
    f, fits = _fit(patients, factor, duration_col, event_col)
    return _frame([_logrank_row(f, fits)], LOGRANK_COLUMNS)


def risk_table(
    patients: pd.DataFrame,
    factor: str | Factor = "overall",
    times: Sequence[float] | None = None,
    *,
    duration_col: str = DURATION_COL,
    event_col: str = EVENT_COL,
) -> pd.DataFrame:
    """Numbers at risk, and cumulative deaths and censorings, at chosen times.

    Parameters
    ----------
    times
        Months; default every 12 months up to the longest follow-up.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RISK_COLUMNS`. ``at_risk`` counts follow-up >= ``time`` (as in the KM
        table); ``events_cum`` and ``censored_cum`` count follow-up <= ``time``.
    """
    f, fits = _fit(patients, factor, duration_col, event_col)
    t = _risk_times(patients, duration_col, times)
    return _frame([_risk_rows(f, g, t) for g in fits], RISK_COLUMNS)


def _risk_times(
    patients: pd.DataFrame, duration_col: str, times: Sequence[float] | None
) -> np.ndarray:
    if times is not None:
        return np.asarray(times, dtype=float)
    longest = float(patients[duration_col].max()) if len(patients) else 0.0
    return default_risk_times(longest)


@dataclass(frozen=True)
class SurvivalSummary:
    """Every survival table for a set of factors, each with a ``factor`` column."""

    factors: pd.DataFrame
    km: pd.DataFrame
    landmarks: pd.DataFrame
    medians: pd.DataFrame
    logrank: pd.DataFrame
    risk: pd.DataFrame


def summarise(
    patients: pd.DataFrame,
    factors: Iterable[str | Factor] | None = None,
    *,
    landmarks: Sequence[float] = LANDMARK_MONTHS,
    risk_times: Sequence[float] | None = None,
    duration_col: str = DURATION_COL,
    event_col: str = EVENT_COL,
) -> SurvivalSummary:
    """Fit each factor once and return all its tables.

    Parameters
    ----------
    patients
        One row per patient.
    factors
        Default: every entry of :data:`FACTORS`, in order.
    landmarks
        Months for :func:`landmark_survival`.
    risk_times
        Months for :func:`risk_table`; default every 12 months up to the longest follow-up.

    Returns
    -------
    SurvivalSummary

    Notes
    -----
    For the site's own patients table (the validated ``patients`` of ``data/``, unchanged) with
    registered factors, the result is computed once per data version and cached (`asps.cache`),
    so chapters after the first neither fit again nor import lifelines.
    """
    chosen = [resolve_factor(f) for f in (FACTORS.values() if factors is None else factors)]
    key = _cache_key(patients, chosen, landmarks, risk_times, duration_col, event_col)
    if key is None or not chosen:
        return _summarise(patients, chosen, landmarks, risk_times, duration_col, event_col)
    from asps import cache

    # Every registered factor is fitted once per data version (a few ms for the site's data);
    # each chapter takes the factors it asks for. Factors are fitted independently, so the
    # subset is what fitting only those factors gives.
    every = cache.remember(
        *key,
        lambda: _summarise(
            patients, list(FACTORS.values()), landmarks, risk_times, duration_col, event_col
        ),
    )
    return _subset(every, [f.key for f in chosen])


def _subset(summary: SurvivalSummary, keys: list[str]) -> SurvivalSummary:
    def pick(frame: pd.DataFrame, column: str) -> pd.DataFrame:
        parts = [frame[frame[column] == k] for k in keys]
        return pd.concat(parts, ignore_index=True) if parts else frame.iloc[:0]

    return SurvivalSummary(
        factors=pick(summary.factors, "key"),
        km=pick(summary.km, "factor"),
        landmarks=pick(summary.landmarks, "factor"),
        medians=pick(summary.medians, "factor"),
        logrank=pick(summary.logrank, "factor"),
        risk=pick(summary.risk, "factor"),
    )


def _cache_key(
    patients: pd.DataFrame,
    chosen: list[Factor],
    landmarks: Sequence[float],
    risk_times: Sequence[float] | None,
    duration_col: str,
    event_col: str,
) -> tuple[str, str] | None:
    """(inputs key, entry name) when ``patients`` is the cached site table; else None."""
    import hashlib

    from asps import cache

    if not cache.enabled() or any(FACTORS.get(f.key) is not f for f in chosen):
        return None
    if not cache.is_cached_table("patients", patients):
        return None
    args = repr(
        (
            list(FACTORS),
            [float(t) for t in landmarks],
            None if risk_times is None else [float(t) for t in risk_times],
            duration_col,
            event_col,
        )
    )
    return cache.inputs_key(), "survival-" + hashlib.sha256(args.encode()).hexdigest()[:16]


def _summarise(
    patients: pd.DataFrame,
    chosen: list[Factor],
    landmarks: Sequence[float],
    risk_times: Sequence[float] | None,
    duration_col: str,
    event_col: str,
) -> SurvivalSummary:
    t_land = np.asarray(landmarks, dtype=float)
    t_risk = _risk_times(patients, duration_col, risk_times)
    km, land, med, lr, risk = [], [], [], [], []
    for factor in chosen:
        f, fits = _fit(patients, factor, duration_col, event_col)
        for g in fits:
            km.append(_km_rows(f, g))
            land.append(_landmark_rows(f, g, t_land, km[-1]))
            med.append(_median_row(f, g, km[-1]))
            risk.append(_risk_rows(f, g, t_risk))
        lr.append(_logrank_row(f, fits))
    return SurvivalSummary(
        factors=factor_table(chosen),
        km=_frame(km, KM_COLUMNS),
        landmarks=_frame(land, LANDMARK_COLUMNS),
        medians=_frame(med, MEDIAN_COLUMNS),
        logrank=_frame(lr, LOGRANK_COLUMNS),
        risk=_frame(risk, RISK_COLUMNS),
    )
