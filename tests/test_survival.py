"""asps.survival against an independent implementation (statsmodels) and on edge cases.

statsmodels' ``SurvfuncRight`` gives the Kaplan-Meier estimate and its Greenwood standard error;
the log(-log) interval is rebuilt here from that standard error (statsmodels 0.15 has no pointwise
interval), and ``survdiff`` gives the log-rank statistic. Nothing below is a hard-coded output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm
from statsmodels.duration.survfunc import SurvfuncRight, _survdiff, survdiff

from asps import survival

TOL = 1e-8
Z = norm.ppf(0.5 + survival.CI_LEVEL / 2)

# A 19-patient frame shaped like the reconstructed Cho 2014 series (same columns and categories,
# 11/5/3 margins, 8 metastatic at diagnosis, 4 without depth imaging, ties and censoring).
_ROWS = [
    # followup, died, margin, size_mm, mets_at_diagnosis, depth
    (45.0, True, "R0", 60, "lung", "deep"),
    (52.0, True, "R0", 70, "none", "deep"),
    (58.0, True, "R0", 35, "multiple", "deep_and_superficial"),
    (62.0, False, "R0", 40, "none", "deep"),
    (70.0, False, "R0", 25, "none", None),
    (75.0, False, "R0", 30, "none", "deep"),
    (88.0, False, "R0", 10, "none", "deep_and_superficial"),
    (96.0, False, "R0", 50, "lung", "deep"),
    (110.0, False, "R0", 45, "none", None),
    (130.0, False, "R0", 55, "none", "deep"),
    (176.0, False, "R0", 20, "none", "deep_and_superficial"),
    (20.0, True, "R1", 90, "multiple", "deep"),
    (40.0, True, "R1", 80, "lung", "deep_and_superficial"),
    (55.0, True, "R1", 65, "lung", None),
    (62.0, True, "R1", 48, "none", "deep"),
    (80.0, False, "R1", 42, "none", "deep"),
    (14.0, True, "R2", 130, "multiple", "deep"),
    (28.0, True, "R2", 100, "lung", "deep_and_superficial"),
    (33.0, True, "R2", 75, "multiple", None),
]


def realistic() -> pd.DataFrame:
    df = pd.DataFrame(
        _ROWS,
        columns=["followup_months", "died", "margin", "size_mm", "mets_at_diagnosis", "depth"],
    )
    df.insert(0, "patient_id", [f"P{i + 1:02d}" for i in range(len(df))])
    df["radiotherapy"] = [i % 3 == 0 for i in range(len(df))]
    df["mets_during_followup"] = np.where(df["mets_at_diagnosis"] == "none", "none", None)
    df["additional_surgery"] = [i % 4 == 0 for i in range(len(df))]
    return df


def frame(durations, died, groups=None) -> pd.DataFrame:
    """Minimal patients frame; ``groups`` goes into the ``margin`` column."""
    n = len(durations)
    return pd.DataFrame(
        {
            "followup_months": np.asarray(durations, dtype=float),
            "died": np.asarray(died, dtype=bool),
            "margin": ["R0"] * n if groups is None else list(groups),
        }
    )


# ---------------------------------------------------------------- independent reference


def reference_curve(durations: np.ndarray, died: np.ndarray) -> dict[str, np.ndarray]:
    """statsmodels KM at its event times; log(-log) interval rebuilt from its Greenwood SE."""
    if not died.any():
        empty = np.array([], dtype=float)
        return {"time": empty, "survival": empty, "lower": empty, "upper": empty, "n_risk": empty}
    sf = SurvfuncRight(durations, died.astype(float))
    s, se = sf.surv_prob, sf.surv_prob_se
    lower, upper = np.zeros_like(s), np.zeros_like(s)
    pos = s > 0
    # Greenwood variance of log S is (se/S)^2; on the log(-log) scale divide by (log S)^2.
    sd = (se[pos] / s[pos]) / np.abs(np.log(s[pos]))
    lower[pos] = s[pos] ** np.exp(Z * sd)
    upper[pos] = s[pos] ** np.exp(-Z * sd)
    return {
        "time": sf.surv_times,
        "survival": s,
        "lower": lower,
        "upper": upper,
        "n_risk": sf.n_risk,
        "n_events": sf.n_events,
    }


def reference_at(ref: dict[str, np.ndarray], times: np.ndarray, key: str) -> np.ndarray:
    """Right-continuous step function of the reference, 1 before the first death."""
    idx = np.searchsorted(ref["time"], times, side="right") - 1
    values = np.concatenate([[1.0], ref[key]])
    return values[idx + 1]


def groups_of(df: pd.DataFrame, factor: str) -> dict[str, pd.DataFrame]:
    labels = survival.factor_groups(df, factor)
    return {str(g): df[labels == g] for g in labels.cat.categories}


def assert_km_matches_reference(df: pd.DataFrame, factor: str) -> None:
    km = survival.km_table(df, factor)
    for group, sub in groups_of(df, factor).items():
        d = sub["followup_months"].to_numpy(float)
        e = sub["died"].to_numpy(bool)
        rows = km[km["group"] == group]
        ref = reference_curve(d, e)
        t = rows["time"].to_numpy()
        for key in ("survival", "lower", "upper"):
            np.testing.assert_allclose(
                rows[key].to_numpy(), reference_at(ref, t, key), atol=TOL, rtol=0, err_msg=key
            )
        # at_risk at every row, events and censorings at every row: counted directly.
        np.testing.assert_array_equal(rows["at_risk"], [(d >= x).sum() for x in t])
        np.testing.assert_array_equal(rows["events"], [((d == x) & e).sum() for x in t])
        np.testing.assert_array_equal(rows["censored"], [((d == x) & ~e).sum() for x in t])
        if e.any():
            at_events = rows.set_index("time").loc[ref["time"]]
            np.testing.assert_array_equal(at_events["at_risk"], ref["n_risk"])
            np.testing.assert_array_equal(at_events["events"], ref["n_events"])


# ---------------------------------------------------------------- registry and groupings


def test_factor_registry_order_and_caveats():
    assert list(survival.FACTORS) == ["overall", "margin", "size", "metastasis", "depth"]
    assert "no meaningful difference" in survival.FACTORS["depth"].caveat
    assert all(survival.FACTORS[k].caveat is None for k in ("overall", "margin", "size"))
    table = survival.factor_table()
    assert list(table.columns) == ["key", "label", "groups", "caveat"]


def test_size_cut_at_50_mm_inclusive():
    df = realistic().assign(size_mm=[50, 51] + [10] * 17)
    groups = survival.factor_groups(df, "size")
    assert groups.iloc[0] == "<= 50 mm" and groups.iloc[1] == "> 50 mm"
    assert list(groups.cat.categories) == ["<= 50 mm", "> 50 mm"]


def test_metastasis_present_pools_lung_and_multiple():
    df = realistic()
    groups = survival.factor_groups(df, "metastasis")
    expected = np.where(df["mets_at_diagnosis"] == "none", "none", "present")
    assert (groups.astype(str).to_numpy() == expected).all()


def test_depth_excludes_patients_without_imaging():
    df = realistic()
    km = survival.km_table(df, "depth")
    medians = survival.median_survival(df, "depth")
    assert medians["n"].sum() == df["depth"].notna().sum()
    assert set(km["group"]) == {"deep", "deep_and_superficial"}


def test_unexpected_group_value_is_an_error():
    df = realistic()
    df.loc[0, "margin"] = "RX"
    with pytest.raises(ValueError, match="unexpected groups"):
        survival.km_table(df, "margin")


@pytest.mark.parametrize("column", survival.POST_BASELINE_COLUMNS)
def test_post_baseline_columns_are_refused_with_the_reason(column):
    with pytest.raises(ValueError, match="immortal-time"):
        survival.km_table(realistic(), column)


@pytest.mark.parametrize("column", ["followup_months", "died", "patient_id"])
def test_outcome_and_id_columns_are_refused(column):
    with pytest.raises(ValueError):
        survival.resolve_factor(column)


def test_other_baseline_column_is_accepted_and_bools_read_yes_no():
    km = survival.km_table(realistic(), "radiotherapy")
    assert set(km["group"]) == {"yes", "no"}
    assert (km["factor"] == "radiotherapy").all()


def test_numeric_column_is_refused():
    with pytest.raises(ValueError, match="numeric"):
        survival.km_table(realistic(), "size_mm")


def test_invalid_durations_are_refused():
    with pytest.raises(ValueError, match="non-negative"):
        survival.km_table(frame([1, -2], [True, False]))
    with pytest.raises(ValueError, match="non-negative"):
        survival.km_table(frame([1, np.nan], [True, False]))


# ---------------------------------------------------------------- Kaplan-Meier vs statsmodels


@pytest.mark.parametrize("factor", list(survival.FACTORS))
def test_km_matches_statsmodels_on_realistic_frame(factor):
    assert_km_matches_reference(realistic(), factor)


def test_km_table_shape():
    df = realistic()
    km = survival.km_table(df, "margin")
    assert list(km.columns) == survival.KM_COLUMNS
    for group, sub in groups_of(df, "margin").items():
        rows = km[km["group"] == group]
        assert rows["time"].iloc[0] == 0.0
        assert rows["at_risk"].iloc[0] == len(sub)
        # The last row is the last follow-up, so the chart can draw the flat run to it.
        assert rows["time"].iloc[-1] == sub["followup_months"].max()
        assert rows["time"].is_monotonic_increasing and rows["time"].is_unique


EDGE_CASES = {
    "one group": frame([5, 8, 8, 12, 20], [1, 0, 1, 1, 0]),
    "group of one": frame([5, 8, 8, 12, 20, 7], [1, 0, 1, 1, 0, 1], ["R0"] * 5 + ["R1"]),
    "group with no events": frame(
        [5, 8, 9, 12, 6, 10], [1, 1, 0, 1, 0, 0], ["R0"] * 4 + ["R1"] * 2
    ),
    "group censored before any death": frame(
        [5, 8, 9, 12, 3, 4], [1, 1, 0, 1, 0, 0], ["R0"] * 4 + ["R1"] * 2
    ),
    "all censored": frame([5, 8, 9, 12], [0, 0, 0, 0], ["R0", "R0", "R1", "R1"]),
    "tied times": frame(
        [6, 6, 6, 6, 10, 10, 10, 14, 14], [1, 1, 0, 1, 0, 1, 1, 1, 0], ["R0", "R1", "R2"] * 3
    ),
    "event at time zero": frame(
        [0, 0, 0, 4, 9, 9, 15], [1, 1, 0, 1, 0, 1, 0], ["R0", "R1"] * 3 + ["R0"]
    ),
    "everyone dies": frame([2, 4, 4, 7], [1, 1, 1, 1]),
}


@pytest.mark.parametrize("case", list(EDGE_CASES))
def test_km_matches_statsmodels_on_edge_cases(case):
    assert_km_matches_reference(EDGE_CASES[case], "margin")


def test_event_at_time_zero_starts_below_one():
    df = EDGE_CASES["event at time zero"]
    km = survival.km_table(df, "margin")
    first = km.groupby("group").head(1)
    assert (first["time"] == 0).all()
    r0 = df[df["margin"] == "R0"]
    expected = 1 - ((r0["followup_months"] == 0) & r0["died"]).sum() / len(r0)
    assert first.set_index("group").at["R0", "survival"] == pytest.approx(expected, abs=TOL)


def test_all_censored_is_flat_at_one():
    km = survival.km_table(EDGE_CASES["all censored"], "margin")
    assert (km[["survival", "lower", "upper"]] == 1.0).all().all()


# ---------------------------------------------------------------- landmarks and medians


@pytest.mark.parametrize("factor", list(survival.FACTORS))
def test_landmarks_match_statsmodels(factor):
    df = realistic()
    land = survival.landmark_survival(df, factor)
    assert list(land.columns) == survival.LANDMARK_COLUMNS
    assert sorted(set(land["time"])) == [36.0, 60.0, 120.0]
    for group, sub in groups_of(df, factor).items():
        d = sub["followup_months"].to_numpy(float)
        e = sub["died"].to_numpy(bool)
        ref = reference_curve(d, e)
        rows = land[land["group"] == group]
        t = rows["time"].to_numpy()
        beyond = t > d.max()
        for key in ("survival", "lower", "upper"):
            expected = reference_at(ref, t, key)
            expected[beyond & (expected > 0)] = np.nan
            np.testing.assert_allclose(rows[key].to_numpy(), expected, atol=TOL, rtol=0)
        np.testing.assert_array_equal(rows["at_risk"], [(d >= x).sum() for x in t])


def test_landmark_past_last_follow_up_is_unknown_unless_everyone_died():
    alive = survival.landmark_survival(frame([10, 20], [1, 0]), times=[30])
    assert alive["survival"].isna().all()
    dead = survival.landmark_survival(EDGE_CASES["everyone dies"], times=[30])
    assert (dead["survival"] == 0).all()


def reference_median(d: np.ndarray, e: np.ndarray) -> tuple[float, float, float]:
    """First event time where estimate / lower band / upper band is <= 0.5 (NaN if none)."""
    ref = reference_curve(d, e)

    def first(key: str) -> float:
        # Exact ties at 50% (3/4 * 2/3) come out of either library a rounding error away.
        hit = np.flatnonzero(ref[key] <= 0.5 + 1e-12)
        return float(ref["time"][hit[0]]) if len(hit) else np.nan

    return first("survival"), first("lower"), first("upper")


@pytest.mark.parametrize(
    "df,factor",
    [(realistic(), f) for f in survival.FACTORS] + [(EDGE_CASES[c], "margin") for c in EDGE_CASES],
)
def test_medians_match_reference(df, factor):
    med = survival.median_survival(df, factor)
    assert list(med.columns) == survival.MEDIAN_COLUMNS
    for group, sub in groups_of(df, factor).items():
        d = sub["followup_months"].to_numpy(float)
        e = sub["died"].to_numpy(bool)
        row = med.set_index("group").loc[group]
        median, lower, upper = reference_median(d, e)
        np.testing.assert_allclose(
            [row["median"], row["lower"], row["upper"]], [median, lower, upper], atol=TOL
        )
        assert row["reached"] == (not np.isnan(median))
        assert row["n"] == len(d) and row["events"] == e.sum()
        if e.any():
            sf = SurvfuncRight(d, e.astype(float))
            # statsmodels reads "strictly below 50%"; the two rules agree unless S hits 0.5.
            if not np.isclose(sf.surv_prob, 0.5).any():
                assert np.isclose(row["median"], sf.quantile(0.5), equal_nan=True)


def test_median_not_reached_is_flagged():
    med = survival.median_survival(frame([5, 8, 9, 12, 14], [1, 0, 0, 0, 0]))
    assert not med["reached"].iloc[0] and np.isnan(med["median"].iloc[0])


# ---------------------------------------------------------------- log-rank vs survdiff


@pytest.mark.parametrize(
    "df,factor",
    [(realistic(), f) for f in ("margin", "size", "metastasis", "depth")]
    + [
        (EDGE_CASES[c], "margin")
        for c in ("group of one", "group with no events", "tied times", "event at time zero")
    ],
)
def test_logrank_matches_survdiff(df, factor):
    result = survival.logrank(df, factor)
    assert list(result.columns) == survival.LOGRANK_COLUMNS
    labels = survival.factor_groups(df, factor)
    keep = labels.notna()
    chisq, p = survdiff(
        df.loc[keep, "followup_months"].to_numpy(float),
        df.loc[keep, "died"].to_numpy(float),
        labels[keep].astype(str).to_numpy(),
    )
    row = result.iloc[0]
    k = labels.cat.categories.size
    assert row["test"] == ("log-rank" if k == 2 else f"log-rank, {k} groups")
    assert row["df"] == k - 1 and row["groups"] == k
    assert row["statistic"] == pytest.approx(chisq, abs=TOL)
    assert row["p"] == pytest.approx(p, abs=TOL)


@pytest.mark.parametrize(
    "df,factor",
    [
        (realistic(), "overall"),
        (EDGE_CASES["one group"], "margin"),
        (EDGE_CASES["all censored"], "margin"),
        (EDGE_CASES["group censored before any death"], "margin"),
        (frame([3, 5, 5], [0, 1, 1], ["R0", "R0", "R1"]), "margin"),
    ],
)
def test_logrank_not_computable(df, factor):
    row = survival.logrank(df, factor).iloc[0]
    assert row["test"] is None and np.isnan(row["statistic"]) and np.isnan(row["p"])


@pytest.mark.parametrize(
    "df",
    [
        EDGE_CASES["group censored before any death"],
        # The only shared death time kills everyone at risk: no variance there either.
        frame([3, 5, 5], [0, 1, 1], ["R0", "R0", "R1"]),
    ],
)
def test_logrank_not_computable_is_where_survdiff_is_singular(df):
    with pytest.raises(np.linalg.LinAlgError):
        survdiff(df["followup_months"], df["died"].astype(float), df["margin"])


# ---------------------------------------------------------------- risk table and summary


@pytest.mark.parametrize("factor", list(survival.FACTORS))
def test_risk_table_counts(factor):
    df = realistic()
    times = [0, 12, 33, 36, 60, 62, 200]
    risk = survival.risk_table(df, factor, times)
    assert list(risk.columns) == survival.RISK_COLUMNS
    for group, sub in groups_of(df, factor).items():
        d = sub["followup_months"].to_numpy(float)
        e = sub["died"].to_numpy(bool)
        rows = risk[risk["group"] == group]
        np.testing.assert_array_equal(rows["at_risk"], [(d >= t).sum() for t in times])
        np.testing.assert_array_equal(rows["events_cum"], [(e & (d <= t)).sum() for t in times])
        np.testing.assert_array_equal(rows["censored_cum"], [(~e & (d <= t)).sum() for t in times])


def test_risk_table_default_times_are_yearly():
    risk = survival.risk_table(realistic())
    assert risk["time"].tolist() == list(np.arange(0.0, 169.0, 12.0))


def test_summarise_equals_the_single_functions():
    df = realistic()
    s = survival.summarise(df)
    singles = {
        "km": survival.km_table,
        "landmarks": survival.landmark_survival,
        "medians": survival.median_survival,
        "risk": survival.risk_table,
    }
    for attr, fn in singles.items():
        expected = pd.concat([fn(df, f) for f in survival.FACTORS], ignore_index=True)
        pd.testing.assert_frame_equal(getattr(s, attr), expected, check_dtype=False)
    expected = pd.concat([survival.logrank(df, f) for f in survival.FACTORS], ignore_index=True)
    pd.testing.assert_frame_equal(s.logrank, expected, check_dtype=False)
    assert list(s.factors["key"]) == list(survival.FACTORS)


def test_constants_the_site_states():
    assert "log(-log)" in survival.CI_METHOD and "Greenwood" in survival.CI_METHOD
    assert "immortal-time" in survival.IMMORTAL_TIME_NOTE
    assert "not original patient records" in survival.RECONSTRUCTION_NOTE
    assert survival.LANDMARK_MONTHS == (36, 60, 120)


# ---------------------------------------------------------------- properties


@st.composite
def cohorts(draw) -> pd.DataFrame:
    n = draw(st.integers(1, 40))
    # Few distinct times so that ties between deaths, censorings and groups are common.
    times = draw(st.lists(st.integers(0, 15), min_size=n, max_size=n))
    died = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    groups = draw(st.lists(st.sampled_from(["R0", "R1", "R2"]), min_size=n, max_size=n))
    scale = draw(st.sampled_from([1.0, 0.5, 7.3]))
    return frame(np.asarray(times) * scale, died, groups)


@settings(max_examples=60, deadline=None)
@given(cohorts())
def test_km_properties(df):
    km = survival.km_table(df, "margin")
    assert km["survival"].between(0, 1).all()
    assert (km["lower"] <= km["survival"] + TOL).all()
    assert (km["survival"] <= km["upper"] + TOL).all()
    assert km["lower"].between(0, 1).all() and km["upper"].between(0, 1).all()
    for _, rows in km.groupby("group"):
        assert (np.diff(rows["survival"].to_numpy()) <= TOL).all()
        assert (np.diff(rows["at_risk"].to_numpy()) <= 0).all()


@settings(max_examples=60, deadline=None)
@given(cohorts())
def test_km_agrees_with_statsmodels_on_random_cohorts(df):
    assert_km_matches_reference(df, "margin")


@settings(max_examples=60, deadline=None)
@given(cohorts(), st.lists(st.floats(0, 120), min_size=1, max_size=8))
def test_risk_table_at_risk_never_rises(df, times):
    times = sorted(times)
    risk = survival.risk_table(df, "margin", times)
    for _, rows in risk.groupby("group"):
        assert (np.diff(rows["at_risk"].to_numpy()) <= 0).all()
        total = rows["at_risk"] + rows["events_cum"] + rows["censored_cum"]
        # Everyone is at risk, or already dead or censored; ties at t count on both sides.
        assert (total >= len(df[df["margin"] == rows["group"].iloc[0]])).all()


@settings(max_examples=60, deadline=None)
@given(cohorts())
def test_logrank_agrees_with_survdiff_on_random_cohorts(df):
    row = survival.logrank(df, "margin").iloc[0]
    groups = np.unique(df["margin"])
    if len(groups) < 2:
        assert row["test"] is None
        return
    time, status = df["followup_months"].to_numpy(), df["died"].to_numpy(float)
    _, var = _survdiff(time, status, df["margin"].to_numpy(), None, groups)
    scale = max(1.0, float(np.abs(var).max()))
    singular = np.linalg.matrix_rank(var, tol=1e-9 * scale) < len(groups) - 1
    # "Not computable" exactly where statsmodels' variance matrix is singular.
    assert np.isnan(row["statistic"]) == singular
    if not singular:
        chisq, p = survdiff(time, status, df["margin"])
        assert row["statistic"] == pytest.approx(chisq, abs=1e-6, rel=1e-8)
        assert row["p"] == pytest.approx(p, abs=TOL)
        assert row["df"] == len(groups) - 1
