"""Recompute a figure printed in Cho et al. 2014 from patient-level data.

A reported figure (one row of ``cho2014_figures.csv``) says what it measures: a count, a percentage,
a mean, a Kaplan-Meier survival..., of which variable, in which subgroup. :func:`compute` turns that
description into a number from a patient table, and :func:`matches` compares it with the printed
value at the printed precision. The audit and the reconstruction share these functions, so the
figures the reconstruction was built to satisfy are checked by the very same code.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd

SIZE_THRESHOLD_MM = 50
SIZE_GROUPS = ("<= 50 mm", "> 50 mm")
SURVIVAL_COLUMNS = frozenset({"followup_months", "died"})

Columns = Mapping[str, np.ndarray]


@dataclass(frozen=True)
class Figure:
    """The parts of a reported figure that say how to recompute it."""

    figure_id: str
    measure: str
    variable: str | None
    category: str | None
    group_variable: str | None
    group: str | None
    time_months: float | None
    value: float | None
    decimals: int
    denominator: float | None

    @classmethod
    def from_row(cls, row: Mapping) -> Figure:
        def opt(key: str):
            value = row.get(key)
            return (
                None if value is None or (isinstance(value, float) and math.isnan(value)) else value
            )

        return cls(
            figure_id=row["figure_id"],
            measure=row["measure"],
            variable=opt("variable"),
            category=opt("category"),
            group_variable=opt("group_variable"),
            group=opt("group"),
            time_months=opt("time_months"),
            value=opt("value"),
            decimals=int(row["decimals"]),
            denominator=opt("denominator"),
        )

    @property
    def columns(self) -> frozenset[str]:
        """Patient columns the figure depends on (derived variables resolved)."""
        names = {self.variable, self.group_variable} - {None}
        if self.measure in {"km_survival_pct", "km_higher"}:
            names |= SURVIVAL_COLUMNS
        return frozenset(c for name in names for c in DERIVED_FROM.get(name, (name,)))


DERIVED_FROM = {
    "size_group": ("size_mm",),
    "any_metastasis": ("mets_at_diagnosis", "mets_during_followup"),
}


def columns_from_frame(patients: pd.DataFrame) -> dict[str, np.ndarray]:
    """Turn a patient table into arrays: categories and booleans as text, numbers as floats."""
    cols: dict[str, np.ndarray] = {}
    for name in patients.columns:
        series = patients[name]
        if series.dtype == bool:
            cols[name] = np.where(series.to_numpy(), "true", "false")
        elif pd.api.types.is_numeric_dtype(series):
            cols[name] = series.to_numpy(dtype=float)
        else:
            cols[name] = series.astype(object).where(series.notna(), "").to_numpy(dtype=str)
    return cols


def derived(cols: Columns, name: str) -> np.ndarray:
    """Return a column, computing the derived ones (``size_group``, ``any_metastasis``)."""
    if name == "size_group":
        return np.where(cols["size_mm"] <= SIZE_THRESHOLD_MM, SIZE_GROUPS[0], SIZE_GROUPS[1])
    if name == "any_metastasis":
        later = _select(cols["mets_during_followup"], "lung|multiple")
        return np.where((cols["mets_at_diagnosis"] != "none") | later, "true", "false")
    return cols[name]


def _select(values: np.ndarray, spec: str) -> np.ndarray:
    if spec == "any":
        return values != ""
    # Equality per value: np.isin costs ten times more on arrays this small.
    keep = np.zeros(len(values), dtype=bool)
    for value in spec.split("|"):
        keep |= values == value
    return keep


def _subset(cols: Columns, fig: Figure) -> np.ndarray:
    n = len(cols["patient_id"])
    if fig.group_variable is None:
        return np.ones(n, dtype=bool)
    return _select(derived(cols, fig.group_variable), fig.group or "any")


def km_at(time: np.ndarray, died: np.ndarray, at: float | None) -> float:
    """Kaplan-Meier survival at ``at`` months (``None``: at the last follow-up), as a fraction.

    Deaths at a time count before censorings at that time, as in lifelines and R's survival.
    """
    if len(time) == 0:
        return math.nan
    horizon = float(time.max()) if at is None else at
    survival = 1.0
    for t in np.unique(time[died & (time <= horizon)]):
        at_risk = np.count_nonzero(time >= t)
        deaths = np.count_nonzero((time == t) & died)
        survival *= 1.0 - deaths / at_risk
    return survival


def compute(fig: Figure, cols: Columns) -> float:
    """Recompute ``fig`` from patient arrays; NaN where the figure is not computable."""
    keep = _subset(cols, fig)
    m = fig.measure
    if m in {"count", "percent"}:
        n_sub = np.count_nonzero(keep)
        if fig.variable is None:
            return float(n_sub)
        hits = np.count_nonzero(_select(derived(cols, fig.variable)[keep], fig.category or "any"))
        if m == "count":
            return float(hits)
        return 100.0 * hits / n_sub if n_sub else math.nan
    if m in {"mean", "median", "minimum", "maximum"}:
        values = cols[fig.variable][keep]
        if len(values) == 0:
            return math.nan
        return float(
            {"mean": np.mean, "median": np.median, "minimum": np.min, "maximum": np.max}[m](values)
        )
    if m == "case_value":
        values = cols[fig.variable]
        return float(values[np.argmin(np.abs(values - fig.value))])
    died = cols["died"] == "true"
    time = cols["followup_months"]
    if m == "km_survival_pct":
        return 100.0 * km_at(time[keep], died[keep], fig.time_months)
    if m == "km_higher":
        others = _select(derived(cols, fig.variable), fig.category)
        if not keep.any() or not others.any():
            return math.nan
        horizon = min(time[keep].max(), time[others].max())
        better = km_at(time[keep], died[keep], horizon) > km_at(time[others], died[others], horizon)
        return 1.0 if better else 0.0
    return math.nan


def round_half_up(value: float, decimals: int) -> float:
    """Round as a printed table does (0.5 up), not to even as Python's ``round`` does."""
    factor = 10**decimals
    return math.floor(value * factor + 0.5 + 1e-9) / factor


def truncate(value: float, decimals: int) -> float:
    """Drop digits beyond ``decimals`` (a common way percentages get printed)."""
    factor = 10**decimals
    return math.floor(value * factor + 1e-9) / factor


def matches(computed: float, printed: float, decimals: int) -> str:
    """Compare at the printed precision: ``'exact'``, ``'truncated'`` or ``'mismatch'``."""
    if computed is None or math.isnan(computed):
        return "mismatch"
    if math.isclose(round_half_up(computed, decimals), printed, abs_tol=1e-9):
        return "exact"
    if math.isclose(truncate(computed, decimals), printed, abs_tol=1e-9):
        return "truncated"
    return "mismatch"


def percent_matches(pct: float, k: int, n: int, decimals: int) -> str:
    """Check a printed percentage against the count it claims (GRIM-style granularity check).

    Parameters
    ----------
    pct : float
        The printed percentage (e.g. ``37.8``).
    k, n : int
        Numerator and denominator, ``0 <= k <= n``, ``n > 0``.
    decimals : int
        Decimal places printed.

    Returns
    -------
    str
        ``'exact'`` if ``pct`` equals ``100 k / n`` rounded half-up to ``decimals``;
        ``'truncated'`` if it equals the value cut (not rounded) to ``decimals``;
        ``'mismatch'`` otherwise.

    Examples
    --------
    >>> percent_matches(37, 19, 52, 0), percent_matches(36, 19, 52, 0)
    ('exact', 'truncated')
    """
    if n <= 0 or not 0 <= k <= n or decimals < 0:
        raise ValueError(f"need 0 <= k <= n, n > 0 and decimals >= 0 (k={k}, n={n}, "
                         f"decimals={decimals})")
    # Decimal(str(...)) keeps the printed digits: 37.8 is 378/10, not the nearest binary float.
    printed = Fraction(Decimal(str(pct)))
    scale = 10**decimals
    if (printed * scale).denominator != 1:
        raise ValueError(f"{pct} has more than {decimals} decimal place(s)")
    exact = Fraction(100 * k, n) * scale
    if Fraction(math.floor(exact + Fraction(1, 2)), scale) == printed:
        return "exact"
    if Fraction(math.floor(exact), scale) == printed:
        return "truncated"
    return "mismatch"


def proportions_matching(
    printed: float, n: int, decimals: int, allow_truncation: bool = True
) -> list[int]:
    """Every count k in 0..n whose k/n, as a percentage, prints as ``printed`` (GRIM-style).

    With ``allow_truncation=False`` only ordinary rounding (half up) counts: the convention the
    Cho 2014 paper follows wherever its arithmetic shows one (14 of 19, 73.7%, printed 74%).

    >>> proportions_matching(10, 19, 0), proportions_matching(10, 19, 0, allow_truncation=False)
    ([2], [])
    """
    wanted = {"exact", "truncated"} if allow_truncation else {"exact"}
    return [k for k in range(n + 1) if percent_matches(printed, k, n, decimals) in wanted]


def km_final(order: tuple[bool, ...]) -> Fraction:
    """Product-limit survival after a group's last event, exactly.

    ``order`` is the group's deaths (``True``) and censorings (``False``) in time order; a death
    and a censoring at the same time count death first, so ties need no separate case.

    >>> km_final((False, False, True, True, True, True, False, False, False))
    Fraction(3, 7)
    """
    survival, at_risk = Fraction(1), len(order)
    for died in order:
        if died:
            survival *= Fraction(at_risk - 1, at_risk)
        at_risk -= 1
    return survival


def km_orders(n: int, printed: float, decimals: int) -> list[tuple[bool, ...]]:
    """Every order of deaths and censorings among ``n`` patients whose Kaplan-Meier survival at
    the last follow-up rounds (half up) to ``printed`` percent. ``2**n`` orders: n <= 16."""
    if n > 16:
        raise ValueError(f"{n} patients: too many orders to enumerate")
    return [
        order
        for order in itertools.product((True, False), repeat=n)
        if matches(100 * float(km_final(order)), printed, decimals) == "exact"
    ]


def interleaved_survival(
    first: tuple[bool, ...], second: tuple[bool, ...]
) -> list[set[Fraction]]:
    """Survival of the pooled series after each of its first k events, over every interleaving.

    Two groups keep their own order of deaths and censorings; merged in any of the
    ``comb(len(first) + len(second), len(first))`` ways, the pooled Kaplan-Meier estimate after
    ``k`` events takes the values in element ``k`` of the result (a dynamic programme over how
    many events of each group have occurred, so no interleaving is listed one by one).
    """
    total = len(first) + len(second)
    states: dict[tuple[int, int], set[Fraction]] = {(0, 0): {Fraction(1)}}
    after: list[set[Fraction]] = [{Fraction(1)}]
    for k in range(total):
        factor = Fraction(total - k - 1, total - k)
        nxt: dict[tuple[int, int], set[Fraction]] = {}
        for (i, j), values in states.items():
            for died, key in (
                (first[i] if i < len(first) else None, (i + 1, j)),
                (second[j] if j < len(second) else None, (i, j + 1)),
            ):
                if died is not None:
                    nxt.setdefault(key, set()).update(
                        {v * factor for v in values} if died else values
                    )
        states = nxt
        after.append(set().union(*states.values()))
    return after
