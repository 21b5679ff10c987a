"""The consistency audit of Cho et al. 2014 and the reconstruction that feeds it."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest

from asps.audit import audit, check_without_data, format_audit, label_conflicts
from asps.loading import load
from asps.measures import matches, proportions_matching, round_half_up
from asps.paths import DATA_DIR, ROOT
from asps.reconstruct import reconstruct, to_csv


@pytest.fixture(scope="module")
def figures() -> pd.DataFrame:
    return load("cho2014_figures")


@pytest.fixture(scope="module")
def table(figures: pd.DataFrame) -> pd.DataFrame:
    return audit(figures, load("patients"))


def test_every_figure_reproduced_or_explained(table: pd.DataFrame) -> None:
    unexplained = table[table["status"] == "not_reproduced"]
    assert unexplained.empty, unexplained[["figure_id", "printed", "computed"]].to_string()
    flagged = table[table["status"].isin(["inconsistent", "ambiguous"])]
    assert flagged["reason"].str.len().gt(10).all()


def test_known_inconsistencies_are_found(table: pd.DataFrame) -> None:
    status = table.set_index("figure_id")["status"]
    # Cho 2014, results: "11 cases (16%) had R0" (11/19 is 57.9%).
    assert status["results.margin.r0_pct"] == "inconsistent"
    # Abstract: "Eight out of 15 patients (53%)" against 8 at diagnosis + 4 later of 19.
    assert status["abstract.any_mets_pct"] == "inconsistent"
    # Abstract: median size 55 mm, with 10 of 19 tumours <= 50 mm (results, Fig. 2D).
    assert status["abstract.size.median"] == "inconsistent"
    # Fig. 1: a 7 x 5 x 3 mm mass, below the 10 mm minimum of the series.
    assert status["fig1.case.size"] == "inconsistent"
    # Mean and median follow-up of 54 months both printed: both can hold, so ambiguous.
    assert status["abstract.followup.median"] == "ambiguous"
    assert status["results.followup.mean"] == "ambiguous"


def test_other_cohorts_kept_with_citation(table: pd.DataFrame, figures: pd.DataFrame) -> None:
    other = table[table["status"] == "other_cohort"]
    assert len(other) == int((figures["cohort"] == "other_study").sum())
    assert other["reason"].str.startswith("cited from ").all()


def test_reasons_are_computed_not_typed(figures: pd.DataFrame) -> None:
    reasons = check_without_data(figures)
    assert "57.9%" in reasons["results.margin.r0_pct"]
    assert "12 of 19" in reasons["abstract.any_mets_pct"]
    # Change the printed count: the reason follows the data, so it is computed, not stored.
    changed = figures.copy()
    changed.loc[changed["figure_id"] == "results.margin.r0_n", "value"] = 3
    assert "results.margin.r0_pct" not in check_without_data(changed)


def test_label_conflicts(figures: pd.DataFrame) -> None:
    conflicts = label_conflicts(figures)
    assert set(conflicts) >= {"abstract.followup.median", "results.followup.mean"}


@pytest.mark.parametrize(
    ("computed", "printed", "decimals", "expected"),
    [
        (78.947, 78.9, 1, "exact"),
        (10.526, 10, 0, "truncated"),
        (57.89, 16, 0, "mismatch"),
        (42.5, 43, 0, "exact"),
        (0.5, 1, 0, "exact"),
    ],
)
def test_matches(computed: float, printed: float, decimals: int, expected: str) -> None:
    assert matches(computed, printed, decimals) == expected


def test_round_half_up_not_to_even() -> None:
    assert round_half_up(2.5, 0) == 3 and round(2.5) == 2


def test_granularity() -> None:
    assert proportions_matching(16, 19, 0) == [3]
    assert proportions_matching(80, 11, 0) == []  # 5-year R0 survival: no k of 11 gives 80%


def test_audit_detects_a_broken_reconstruction(figures: pd.DataFrame) -> None:
    patients = load("patients")
    patients.loc[0, "sex"] = "male" if patients.loc[0, "sex"] == "female" else "female"
    status = audit(figures, patients).set_index("figure_id")["status"]
    assert status["results.sex.male_n"] == "not_reproduced"


def test_cli_audit_lists_problems() -> None:
    # The browser suite builds hostile pages in a background thread with ASPS_DATA_DIR set.
    env = {k: v for k, v in os.environ.items() if k != "ASPS_DATA_DIR"}
    done = subprocess.run(
        [sys.executable, "-m", "asps", "audit"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "results.margin.r0_pct" in done.stdout and "not_reproduced: 0" in done.stdout


def test_format_audit_all(table: pd.DataFrame) -> None:
    assert format_audit(table, only_problems=False).count("- [") == len(table)


def test_reconstruction_regenerates_byte_for_byte() -> None:
    """Regenerating the reconstruction leaves `git diff` empty (issue: the validated dataset)."""
    assert to_csv(reconstruct()) == (DATA_DIR / "patients.csv").read_text(encoding="utf-8")
