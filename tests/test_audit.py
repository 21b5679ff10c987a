"""The consistency audit of Cho et al. 2014 and the reconstruction that feeds it."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from fractions import Fraction

import pandas as pd
import pytest

from asps.audit import (
    audit,
    check_without_data,
    format_audit,
    label_conflicts,
    survival_conflicts,
)
from asps.loading import load
from asps.measures import (
    interleaved_survival,
    km_final,
    km_orders,
    matches,
    proportions_matching,
    round_half_up,
)
from asps.paths import DATA_DIR, ROOT
from asps.reconstruct import reconstruct, to_csv
from asps.survival import landmark_survival

# Line numbers are those of the paper's text, ../shared/source/cho-2014-asps.txt (Cho et al.,
# Clin Orthop Surg 2014;6(1):80-86); the Results and Fig. 5 legend precede its p. 84 running head.
PAPER = "Cho 2014"


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
    # Results, line 148: "2 cases (10%) had a biopsy": 2/19 is 10.5%, 10% only truncated.
    assert status["results.referral.biopsy_pct"] == "inconsistent"
    # Results, lines 165-172: 78.9% at 3 years, 70% (<= 50 mm) and 42.9% (> 50 mm) at final
    # follow-up cannot all hold; the overall figure is kept.
    assert status["results.os.size_gt50_final"] == "inconsistent"
    assert status["results.os.3y"] == status["fig5a.os_3y"] == "reproduced"
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


def test_truncated_percentage_explained_with_the_arithmetic(figures: pd.DataFrame) -> None:
    reason = check_without_data(figures)["results.referral.biopsy_pct"]
    # 2 of 19 = 10.53%: rounds to 11%; the paper rounds elsewhere, e.g. 14 of 19 = 73.7% -> 74%.
    assert "2 of 19, is 10.5%, which rounds to 11%" in reason
    assert "14 of 19 = 73.7%, printed 74%" in reason
    # Print the count as 1 (5.3%): the reason follows the figures, it is not stored text.
    changed = figures.copy()
    changed.loc[changed["figure_id"] == "results.referral.biopsy_n", "value"] = 1
    assert "truncated" not in check_without_data(changed)["results.referral.biopsy_pct"]


def test_survival_conflict_is_proved_from_the_printed_figures(figures: pd.DataFrame) -> None:
    reason = survival_conflicts(figures)["results.os.size_gt50_final"]
    # 42.9% of 9 is 3/7 only; 70% of 10 is 7/10 (by two orders); C(19, 9) interleavings.
    assert "is 3/7, by 3 orders" in reason and "is 7/10, by 2 orders" in reason
    assert "92378" in reason and "nearest 78.97%" in reason
    # Were > 50 mm survival printed as 44.4% (4 of 9), 78.9% overall would be reachable.
    changed = figures.copy()
    changed.loc[changed["figure_id"] == "results.os.size_gt50_final", "value"] = 44.4
    assert survival_conflicts(changed) == {}


def test_km_orders_and_interleavings_by_brute_force() -> None:
    orders = km_orders(9, 42.9, 1)
    assert [km_final(o) for o in orders] == [Fraction(3, 7)] * 3
    assert all(o[:2] == (False, False) for o in orders)  # two censored before the first death
    first, second = (True, False, True), (False, True)
    expected: list[set[Fraction]] = [set() for _ in range(6)]
    for slots in itertools.combinations(range(5), 3):
        a, b = iter(first), iter(second)
        merged = [next(a) if k in slots else next(b) for k in range(5)]
        for k in range(6):
            expected[k].add(km_final(tuple(merged[:k]) + (False,) * (5 - k)))
    assert interleaved_survival(first, second) == expected


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
    assert proportions_matching(10, 19, 0) == [2]  # "2 cases (10%)": only when truncated
    assert proportions_matching(10, 19, 0, allow_truncation=False) == []


def test_audit_detects_a_broken_reconstruction(figures: pd.DataFrame) -> None:
    patients = load("patients")
    patients.loc[0, "sex"] = "male" if patients.loc[0, "sex"] == "female" else "female"
    status = audit(figures, patients).set_index("figure_id")["status"]
    assert status["results.sex.male_n"] == "not_reproduced"


def test_truncation_only_is_not_reproduced(figures: pd.DataFrame) -> None:
    patients = load("patients")
    # Results, line 97: "15 months as the average". 295/19 = 15.53 truncates to 15, rounds to 16.
    patients["symptom_months"] = [60, 14] + [13] * 17
    table = audit(figures, patients).set_index("figure_id")
    assert matches(patients["symptom_months"].mean(), 15, 0) == "truncated"
    assert table.loc["results.symptom.mean", "status"] == "not_reproduced"
    assert "only when truncated" in table.loc["results.symptom.mean", "reason"]


def test_three_year_survival_rounds_to_the_printed_figure() -> None:
    """asps.survival on data/patients.csv gives the printed 3- and 5-year overall survival."""
    land = landmark_survival(load("patients")).set_index("time")["survival"]
    # Results, line 165, and the Fig. 5A legend, line 249: "3-year survival was 78.9%".
    assert round_half_up(100 * land[36.0], 1) == 78.9
    # Results, lines 165-166: "5-year survival was 52.6%".
    assert round_half_up(100 * land[60.0], 1) == 52.6


SURVIVAL_AND_COUNTS = {"count", "percent", "km_survival_pct", "km_higher"}
# The survival and count figures no data can reproduce (every other one must be, by rounding):
# abstract, line 19, "Eight out of 15 patients (53%)"; results, line 148, "2 cases (10%)";
# results, line 154, "11 cases (16%) had R0"; results, line 172, "more than 42.9%".
UNREACHABLE = {
    "abstract.any_mets_n",
    "abstract.any_mets_pct",
    "results.referral.biopsy_pct",
    "results.margin.r0_pct",
    "results.os.size_gt50_final",
}


def test_every_reachable_survival_and_count_figure_matches_by_rounding(
    table: pd.DataFrame,
) -> None:
    mine = table[table["measure"].isin(SURVIVAL_AND_COUNTS) & (table["status"] != "other_cohort")]
    assert set(mine.loc[mine["status"] == "inconsistent", "figure_id"]) == UNREACHABLE
    reachable = mine[~mine["figure_id"].isin(UNREACHABLE)]
    assert (reachable["status"] == "reproduced").all()
    rounded = [
        round_half_up(row.computed, row.decimals) == row.printed for row in reachable.itertuples()
    ]
    assert all(rounded), reachable.loc[[not r for r in rounded], ["figure_id", "computed"]]
    assert not table["reason"].str.contains("matches when truncated").any()


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
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("Total: 140 figures; reproduced: ")
    assert last.endswith("not_reproduced: 0")


def test_format_audit_all(table: pd.DataFrame) -> None:
    assert format_audit(table, only_problems=False).count("- [") == len(table)


def test_reconstruction_regenerates_byte_for_byte() -> None:
    """Regenerating the reconstruction leaves `git diff` empty (issue: the validated dataset)."""
    assert to_csv(reconstruct()) == (DATA_DIR / "patients.csv").read_text(encoding="utf-8")
