"""Reconstruct pseudo-individual patient data for Cho et al. 2014 from its printed aggregates.

The paper prints no patient records, only counts, percentages, means, ranges and survival figures.
A SPRITE-style search (Heathers et al., PeerJ Preprints 2018, doi:10.7287/peerj.preprints.26968v1)
looks for 19 records that reproduce every printed figure that can be satisfied, by ordinary
rounding (half up) at the precision printed: start from random records, then anneal single-value
changes and swaps (a patient's follow-up and death move together), scoring each candidate with the
very functions the audit uses (:mod:`asps.measures`). A value that gives the printed figure only
when truncated counts as a miss. Figures the audit proves impossible from the printed figures alone
are left out, and stay flagged in the audit with the arithmetic: among them the > 50 mm survival of
42.9%, which cannot hold together with the 3-year survival of 78.9% and the <= 50 mm survival of
70% (:func:`asps.audit.survival_conflicts`).

The result is *one* data set consistent with the aggregates, not the original records. Columns the
paper reports survival by (margin, size, metastasis at diagnosis) are tied to the survival times
through the search; every other column is only consistent with its own marginal figures, so
survival must never be shown by those columns. The search is seeded: under the pinned dependency
versions it regenerates ``data/patients.csv`` byte for byte.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from asps.audit import check_without_data, survival_conflicts
from asps.measures import Figure, compute, matches
from asps.paths import DATA_DIR
from asps.schemas.cho2014 import (
    DEPTH,
    INITIAL_DIAGNOSIS,
    MARGIN,
    METASTASIS,
    REFERRAL,
    SEX,
    SITE,
    PatientSchema,
)

SEED = 20140301
CYCLE = 100_000
MAX_CYCLES = 5
POLISH = 20_000
N_PATIENTS = 19

# Scale of one step of error, per unit, so that the score has a slope toward the printed value.
_SCALE = {
    "patients": 1.0,
    "percent": 5.0,
    "years": 1.0,
    "months": 3.0,
    "mm": 5.0,
    "true_false": 1.0,
}

_CATEGORIES: dict[str, list[str]] = {
    "sex": SEX,
    "site": SITE,
    "depth": ["", *DEPTH],
    "margin": MARGIN,
    "referral": REFERRAL,
    "initial_diagnosis": INITIAL_DIAGNOSIS,
    "radiotherapy": ["true", "false"],
    "chemotherapy": ["true", "false"],
    "additional_surgery": ["true", "false"],
    "pain": ["true", "false"],
    "died": ["true", "false"],
    "mets_at_diagnosis": METASTASIS,
    "mets_during_followup": METASTASIS,
}
_SURVIVAL = ("followup_months", "died")
# Integer ranges: the printed minimum and maximum where the paper gives them.
_RANGES: dict[str, tuple[int, int]] = {
    "age_years": (10, 64),
    "size_mm": (10, 130),
    "symptom_months": (0, 60),
    "followup_months": (1, 176),
}


@dataclass
class _Target:
    figure: Figure
    scale: float

    def distance(self, cols: dict[str, np.ndarray]) -> float:
        """0 when the figure is met by ordinary rounding (half up) at the printed precision, else
        1 plus the scaled distance to the printed value. A match only when truncated is a miss:
        the paper rounds (the audit shows it from its own counts)."""
        value = compute(self.figure, cols)
        if math.isnan(value):
            return 11.0
        if matches(value, self.figure.value, self.figure.decimals) == "exact":
            return 0.0
        return 1.0 + min(abs(value - self.figure.value) / self.scale, 10.0)


def targets(figures: pd.DataFrame) -> list[_Target]:
    """The printed figures the reconstruction must meet: this series, checkable, not impossible."""
    impossible = check_without_data(figures)
    chosen = figures[
        (figures["cohort"] == "this_series")
        & (figures["measure"] != "statement")
        & ~figures["figure_id"].isin(impossible)
    ]
    return [
        _Target(Figure.from_row(row), _SCALE.get(row["unit"], 1.0))
        for row in chosen.to_dict("records")
    ]


def near_targets(figures: pd.DataFrame) -> list[Figure]:
    """Survival figures the audit shows cannot hold together with the others: the search cannot
    meet them, so once every target is met it moves toward them as far as the targets allow."""
    conflicts = survival_conflicts(figures)
    chosen = figures[figures["figure_id"].isin(conflicts)]
    return [Figure.from_row(row) for row in chosen.to_dict("records")]


def _gap(figures: list[Figure], cols: dict[str, np.ndarray]) -> float:
    """Percentage points between the near targets and the records (large where not computable)."""
    values = [compute(f, cols) for f in figures]
    return float(
        sum(
            100.0 if math.isnan(v) else abs(v - f.value)
            for v, f in zip(values, figures, strict=True)
        )
    )


def _polish(
    cols: dict[str, np.ndarray],
    goal: list[_Target],
    near: list[Figure],
    depends: dict[str, list[int]],
    rng: np.random.Generator,
    names: list[str],
    steps: int,
) -> dict[str, np.ndarray]:
    """Anneal from records meeting every target toward the near targets, never missing a target;
    return the nearest records found."""
    gap = _gap(near, cols)
    best, best_gap = {c: v.copy() for c, v in cols.items()}, gap
    watched = {c for f in near for c in f.columns}
    for step in range(steps):
        if best_gap == 0:
            break
        saved, touched = _propose(cols, rng, names)
        hit = sorted({k for c in touched for k in depends[c]})
        if any(goal[k].distance(cols) > 0 for k in hit):
            cols.update(saved)
            continue
        if watched.intersection(touched):
            new = _gap(near, cols)
            temperature = max(0.1, 5.0 * (1 - step / steps))
            if new > gap and rng.random() >= math.exp(-(new - gap) / temperature):
                cols.update(saved)
                continue
            gap = new
            if gap < best_gap:
                best, best_gap = {c: v.copy() for c, v in cols.items()}, gap
    return best


def _initial(rng: np.random.Generator) -> dict[str, np.ndarray]:
    cols: dict[str, np.ndarray] = {
        "patient_id": np.array([f"P{i:02d}" for i in range(1, N_PATIENTS + 1)], dtype="<U32")
    }
    for name, values in _CATEGORIES.items():
        cols[name] = rng.choice(np.array(values, dtype="<U32"), size=N_PATIENTS)
    for name, (low, high) in _RANGES.items():
        cols[name] = rng.integers(low, high + 1, size=N_PATIENTS).astype(float)
    _tie_metastases(cols, np.arange(N_PATIENTS), rng)
    return cols


def _tie_metastases(
    cols: dict[str, np.ndarray], rows: np.ndarray, rng: np.random.Generator
) -> None:
    """Keep the schema's rule: later metastasis only for patients without initial metastasis."""
    for i in rows:
        if cols["mets_at_diagnosis"][i] != "none":
            cols["mets_during_followup"][i] = ""
        elif cols["mets_during_followup"][i] == "":
            cols["mets_during_followup"][i] = METASTASIS[int(rng.integers(len(METASTASIS)))]


def _propose(cols: dict[str, np.ndarray], rng: np.random.Generator, names: list[str]) -> tuple:
    """Change one value or swap two patients' values; return what to undo and the columns hit."""
    name = names[rng.integers(len(names))]
    linked = ["mets_at_diagnosis", "mets_during_followup"] if name.startswith("mets_") else [name]
    swap = rng.random() < 0.3
    if swap and name in _SURVIVAL:
        # A survival record (time and event) moves as one, to another patient's covariates:
        # survival by margin, size or metastasis then changes without the overall curve.
        linked = list(_SURVIVAL)
    saved = {c: cols[c].copy() for c in linked}
    i = j = int(rng.integers(N_PATIENTS))
    if swap:
        j = int(rng.integers(N_PATIENTS))
        for c in linked:
            cols[c][i], cols[c][j] = cols[c][j], cols[c][i]
    elif name in _RANGES:
        low, high = _RANGES[name]
        if rng.random() < 0.5:
            cols[name][i] = float(rng.integers(low, high + 1))
        else:
            step = int(rng.integers(1, 11)) * (1 if rng.random() < 0.5 else -1)
            cols[name][i] = float(min(high, max(low, cols[name][i] + step)))
    else:
        domain = _CATEGORIES[name]
        cols[name][i] = domain[int(rng.integers(len(domain)))]
    _tie_metastases(cols, (i, j), rng)
    return saved, linked


def search(
    figures: pd.DataFrame, seed: int = SEED, cycle: int = CYCLE, max_cycles: int = MAX_CYCLES
) -> tuple[dict[str, np.ndarray], float]:
    """Anneal toward records meeting every target; return the best records and their score.

    Each cycle cools from a high temperature; a cycle that ends short of the goal restarts
    (reheats) from the best records so far, which escapes the local minima a single cooling
    run gets stuck in. Once every target is met, :data:`POLISH` steps move the records toward the
    figures that cannot be met (:func:`near_targets`) without losing any target.
    """
    goal = targets(figures)
    rng = np.random.default_rng(seed)
    cols = _initial(rng)
    names = [*_CATEGORIES, *_RANGES]
    depends: dict[str, list[int]] = {name: [] for name in names}
    for k, target in enumerate(goal):
        for column in target.figure.columns:
            depends[column].append(k)
    dist = np.array([t.distance(cols) for t in goal])
    score = float(dist.sum())
    best, best_score = {c: v.copy() for c, v in cols.items()}, score
    temperature = 2.0
    for step in range(cycle * max_cycles):
        if score == 0:
            break
        if step and step % cycle == 0:
            cols = {c: v.copy() for c, v in best.items()}
            dist = np.array([t.distance(cols) for t in goal])
            score = float(dist.sum())
        saved, touched = _propose(cols, rng, names)
        hit = sorted({k for c in touched for k in depends[c]})
        new = np.array([goal[k].distance(cols) for k in hit])
        delta = float(new.sum() - dist[hit].sum())
        if delta <= 0 or rng.random() < math.exp(-delta / temperature):
            dist[hit] = new
            score = float(dist.sum())
            if score < best_score:
                best, best_score = {c: v.copy() for c, v in cols.items()}, score
        else:
            cols.update(saved)
        temperature = max(0.05, 2.0 * (1 - (step % cycle) / cycle))
    if best_score == 0 and (near := near_targets(figures)):
        best = _polish(best, goal, near, depends, rng, names, POLISH)
    return best, best_score


def to_frame(cols: dict[str, np.ndarray]) -> pd.DataFrame:
    """Records as a patient table in schema column order, sorted by id."""
    order = list(PatientSchema.to_schema().columns)
    frame = pd.DataFrame({c: cols[c] for c in order})
    for c in ("depth", "mets_during_followup"):
        frame[c] = frame[c].where(frame[c] != "", None)
    for c in ("radiotherapy", "chemotherapy", "additional_surgery", "pain", "died"):
        frame[c] = frame[c] == "true"
    for c in ("age_years", "size_mm", "symptom_months"):
        frame[c] = frame[c].astype(int)
    frame["followup_months"] = frame["followup_months"].astype(float)
    return frame


def to_csv(frame: pd.DataFrame) -> str:
    """Serialise with fixed formatting (``true``/``false``, whole months) so output is stable."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(frame.columns)
    for row in frame.itertuples(index=False):
        cells = []
        for value in row:
            if value is None or (isinstance(value, float) and math.isnan(value)):
                cells.append("")
            elif isinstance(value, bool | np.bool_):
                cells.append("true" if value else "false")
            elif isinstance(value, float) and value.is_integer():
                cells.append(str(int(value)))
            else:
                cells.append(str(value))
        writer.writerow(cells)
    return buffer.getvalue()


def reconstruct(figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """Run the seeded search and return the patient table.

    Raises
    ------
    RuntimeError
        If the search ends with a figure unmet (it names them).
    """
    from asps.loading import load

    figures = load("cho2014_figures") if figures is None else figures
    cols, _ = search(figures)
    missed = [t.figure.figure_id for t in targets(figures) if t.distance(cols) > 0]
    if missed:
        raise RuntimeError(f"reconstruction left {len(missed)} figure(s) unmet: {missed}")
    return to_frame(cols)


def write_patients(path: Path | None = None, check: bool = False) -> Path:
    """Regenerate ``data/patients.csv``; with ``check``, fail if it would change instead."""
    path = path or DATA_DIR / "patients.csv"
    text = to_csv(reconstruct())
    if check:
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            raise SystemExit(f"{path} differs from what the reconstruction produces")
        return path
    path.write_text(text, encoding="utf-8")
    return path
