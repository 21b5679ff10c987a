"""Tests of the published-series evidence: schemas, cross-table rules, pooling, tables."""

from __future__ import annotations

import csv
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from asps import evidence as E
from asps.bibliography import PLACEHOLDER, parse_bib
from asps.evidence import (
    CONTINUITY_CORRECTION,
    MIN_POOLED_SERIES,
    Evidence,
    load_evidence,
    logit_effects,
    pool_proportions,
    series_intervals,
    study_table,
)
from asps.forest import forest_chart
from asps.loading import DataValidationError, load
from asps.paths import DATA_DIR, REFERENCES_DIR
from asps.schemas.evidence import SECONDARY_SOURCES, TABLES, cross_table_problems

FILES = list(TABLES)
Z = 1.959963984540054


def _expit(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _dl_by_hand(events: list[float], n: list[float]) -> dict[str, float]:
    """DerSimonian-Laird on the logit scale, written out from the textbook formulas."""
    y, v = [], []
    for x, m in zip(events, n, strict=True):
        if x in (0, m):
            x, m = x + 0.5, m + 1
        y.append(math.log(x / (m - x)))
        v.append(1 / x + 1 / (m - x))
    w = [1 / vi for vi in v]
    sw = sum(w)
    fixed = sum(wi * yi for wi, yi in zip(w, y, strict=True)) / sw
    q = sum(wi * (yi - fixed) ** 2 for wi, yi in zip(w, y, strict=True))
    c = sw - sum(wi**2 for wi in w) / sw
    tau2 = max(0.0, (q - (len(y) - 1)) / c)
    ws = [1 / (vi + tau2) for vi in v]
    mu = sum(wi * yi for wi, yi in zip(ws, y, strict=True)) / sum(ws)
    se = math.sqrt(1 / sum(ws))
    return {
        "estimate": 100 * _expit(mu),
        "lower": 100 * _expit(mu - Z * se),
        "upper": 100 * _expit(mu + Z * se),
        "tau2": tau2,
        "i2": 100 * max(0.0, (q - (len(y) - 1)) / q) if q > 0 else 0.0,
        "q": q,
    }


def _copy_data(tmp_path: Path) -> Path:
    for name in FILES:
        shutil.copy(DATA_DIR / name, tmp_path / name)
    return tmp_path


def _rewrite(path: Path, edit) -> None:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    header = list(rows[0])
    rows, header = edit(rows, header)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def ev() -> Evidence:
    return load_evidence()


# --- pooling arithmetic ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("events", "n"),
    [
        ([3, 12, 20], [20, 25, 30]),  # heterogeneous: tau^2 > 0
        ([5, 10, 15], [10, 20, 30]),  # identical proportions: Q = 0, tau^2 truncated to 0
        ([0, 4, 7, 10], [10, 12, 20, 10]),  # 0% and 100%: continuity correction
        ([13.07, 14.6, 10.0], [19, 26, 33]),  # survival percentages x N: fractional events
    ],
)
def test_pool_matches_hand_computed_dersimonian_laird(events, n):
    expected = _dl_by_hand(events, n)
    fit = pool_proportions(np.array(events), np.array(n))
    for name, value in expected.items():
        assert getattr(fit, name) == pytest.approx(value, abs=1e-8), name
    assert fit.k == len(events)


def test_hand_case_is_really_heterogeneous():
    # Guards the first case above: it must exercise the random-effects branch.
    assert _dl_by_hand([3, 12, 20], [20, 25, 30])["tau2"] > 0.1


def test_identical_proportions_pool_to_themselves_with_zero_tau2():
    fit = pool_proportions(np.array([5, 10, 15]), np.array([10, 20, 30]))
    assert fit.estimate == pytest.approx(50.0, abs=1e-12)
    assert fit.tau2 == 0.0 and fit.i2 == 0.0


def test_continuity_correction_only_at_zero_and_full():
    y, v = logit_effects(np.array([0.0, 3.0, 10.0]), np.array([10.0, 10.0, 10.0]))
    c = CONTINUITY_CORRECTION
    assert y[0] == pytest.approx(math.log(c / (10 + c)))
    assert v[0] == pytest.approx(1 / c + 1 / (10 + c))
    assert y[1] == pytest.approx(math.log(3 / 7))
    assert y[2] == pytest.approx(math.log((10 + c) / c))


def test_series_interval_is_logit_wald():
    lower, upper = series_intervals(np.array([8.0]), np.array([19.0]))
    half = Z * math.sqrt(1 / 8 + 1 / 11)
    assert lower[0] == pytest.approx(100 * _expit(math.log(8 / 11) - half), abs=1e-9)
    assert upper[0] == pytest.approx(100 * _expit(math.log(8 / 11) + half), abs=1e-9)


def test_impossible_counts_are_rejected():
    with pytest.raises(ValueError):
        logit_effects(np.array([12.0]), np.array([10.0]))


# --- the published data -----------------------------------------------------------------------


def test_tables_load_with_expected_shape(ev):
    assert len(ev.series) == 11
    assert ev.series["founding"].sum() == 1
    assert ev.series.loc[ev.series["founding"], "series_id"].item() == "cho2014"
    assert set(ev.outcomes["series_id"]) <= set(ev.series["series_id"])
    assert cross_table_problems(
        {"series": ev.series, "series_outcomes": ev.outcomes, "series_overlaps": ev.overlaps}
    ) == []


def test_pooled_figures_are_those_with_three_usable_series(ev):
    # Two outcomes have three or more usable, non-overlapping series. The SEER registry stands for
    # the US single-institution series it may contain (Portera 2001 among them; overlap set
    # us_seer), Orbach 2013 for the European paediatric cohorts.
    assert set(ev.pooled["group"]) == {"metastasis_at_presentation/all", "overall_survival/all/5y"}
    pooled = ev.pooled.set_index("group")["series_pooled"].str.split(", ").map(set)
    assert pooled["metastasis_at_presentation/all"] == {
        "seer2016", "pennacchioli2010", "orbach2013", "cho2014", "flores2018"
    }
    # Five-year overall survival: Ahn 2004 is set aside by the Yonsei overlap, Casanova 2000 by
    # the European paediatric one.
    assert pooled["overall_survival/all/5y"] == {"pennacchioli2010", "cho2014", "seer2016"}
    assert (ev.pooled["k"] >= MIN_POOLED_SERIES).all()
    assert ev.pooled["approximate_denominator"].all()


def test_pooled_estimate_recomputed_by_hand_from_the_data(ev):
    group = "metastasis_at_presentation/all"
    rows = ev.estimates[(ev.estimates["group"] == group) & (ev.estimates["status"] == "pooled")]
    # The printed count where there is one (Cho 2014: 8 of 19), else estimate x denominator.
    out = ev.outcomes
    figures = out[
        (out["outcome"] == "metastasis_at_presentation") & (out["subgroup"] == "all")
    ].set_index("series_id")
    events = [
        float(figures.loc[s, "count"]) if pd.notna(figures.loc[s, "count"])
        else figures.loc[s, "estimate"] / 100 * float(figures.loc[s, "denominator"])
        for s in rows["series_id"]
    ]
    assert len(events) == 5
    expected = _dl_by_hand(events, rows["denominator"].astype(float).tolist())
    got = ev.pooled.set_index("group").loc[group]
    for name in ("estimate", "lower", "upper", "tau2", "i2"):
        assert got[name] == pytest.approx(expected[name], abs=1e-8)


def test_overlapping_series_are_never_pooled_together(ev):
    pooled = ev.estimates[ev.estimates["status"] == "pooled"]
    for row in ev.overlaps.itertuples():
        members = set(row.members.split("|"))
        for _, part in pooled.groupby("group"):
            inside = members & set(part["series_id"])
            assert inside <= {row.pooled_series}, (row.set_id, inside)
    overlap_rows = ev.estimates[ev.estimates["status"] == "overlap"]
    # Lieberman 1989 is in the us_seer set too, but has no denominator: shown as such, not pooled.
    assert set(overlap_rows["series_id"]) == {
        "ahn2004", "casanova2000", "sparbersauer2018", "portera2001", "kayton2006"
    }


def test_series_without_denominator_are_shown_not_pooled_and_say_so(ev):
    lieberman = ev.estimates[ev.estimates["series_id"] == "lieberman1989"]
    assert (lieberman["status"] == "no_denominator").all()
    assert lieberman["status_text"].str.contains("no denominator").all()
    assert lieberman["lower"].isna().all()
    not_pooled = ev.pooling[ev.pooling["k"] == 0]
    assert not_pooled["shown_not_pooled"].str.len().gt(0).all()


def test_lieberman_survival_is_for_patients_without_metastases_only(ev):
    rows = ev.outcomes[
        (ev.outcomes["series_id"] == "lieberman1989")
        & ev.outcomes["outcome"].str.contains("survival")
    ]
    assert len(rows) == 5
    assert (rows["subgroup"] == "without_metastases").all()


def test_every_series_names_a_first_author_read_in_a_source(ev):
    # Issue 14: a series whose authors no stored record showed was removed with its rows.
    assert ev.series["first_author"].notna().all()
    assert ev.series["author_verified"].all()
    assert not ev.studies["Series"].str.contains("not read in a source").any()


def test_details_not_read_are_named_plainly_on_the_page(ev):
    # Should a series without a first author or journal be added again, its label and quality note
    # say plainly what was not read, in words the page may show (never 'unverified').
    row = ev.series.set_index("series_id").loc["portera2001"].copy()
    row["author_verified"] = False
    row["journal"] = None
    assert E.series_label(row) == "Portera 2001 (first author not read in a source)"
    note = E.quality_note(row, {"primary_publication"})
    assert note.endswith("authors, journal not read in a source.")
    row["first_author"] = None
    assert E.series_label(row).endswith("(authors not read in a source)")
    for text in (E.series_label(row), note):
        assert not re.search(r"unverified|not verified", text, re.I)


def test_secondary_figures_are_marked_secondary(ev):
    for series_id in ("flores2018", "sparbersauer2018"):
        rows = ev.outcomes[ev.outcomes["series_id"] == series_id]
        assert (rows["read_in"] == "secondary_source").all()
        assert (rows["source"] == "nci_pdq_childhood_sts").all()


def test_flow_counts_come_from_the_data(ev):
    flow = ev.flow.set_index("step")["series"]
    assert flow["found"] == len(ev.series)
    assert flow["found"] >= flow["screened"] >= flow["included"] >= flow["pooled"]
    pooled_series = set(ev.estimates.loc[ev.estimates["status"] == "pooled", "series_id"])
    assert flow["pooled"] == len(pooled_series)


def _html(obj: object) -> str:
    return obj._repr_html_() if hasattr(obj, "_repr_html_") else str(obj)


def test_study_table_lists_every_series(ev):
    out = _html(study_table(ev))
    for key in ev.series["series_id"]:
        assert key in out
    assert "2026-11-25" in out


def test_study_table_escapes_cell_text(ev):
    series = ev.series.copy()
    series.loc[0, "note"] = "<script>alert(1)</script>"
    hostile = Evidence(series, ev.outcomes, ev.overlaps, ev.methods)
    out = _html(study_table(hostile))
    assert "<script>alert(1)" not in out


def test_methods_state_the_compilation_date_honestly(ev):
    compiled = ev.methods[ev.methods["kind"] == "date_compiled"]
    assert compiled["date"].item() == "2026-11-25"
    assert "compiled" in compiled["text"].item()


def test_last_change_is_the_newest_changelog_row_touching_an_evidence_table(ev):
    log = pd.DataFrame({
        "date": ["2099-01-02", "2099-01-01", "2099-01-03"],
        "tables": ["patients.csv", "series.csv;prognostic_factors.csv", "therapy_events.csv"],
    })
    dated = Evidence(ev.series, ev.outcomes, ev.overlaps, ev.methods, changelog=log)
    assert dated.date_last_changed == "2099-01-01"
    assert Evidence(ev.series, ev.outcomes, ev.overlaps, ev.methods).date_last_changed == (
        ev.date_compiled
    )
    assert "last changed 2099-01-01" in _html(study_table(dated))


# --- a copy of data/ --------------------------------------------------------------------------


def test_adding_a_series_changes_the_pool_and_the_forest(tmp_path):
    directory = _copy_data(tmp_path)
    before = load_evidence(directory)

    def add_series(rows, header):
        new = dict.fromkeys(header, "")
        new.update(series_id="synthetic2025", first_author="Synthetic A", author_verified="true",
                   year="2025", year_verified="true", population="all_ages", n="40",
                   design="single_centre", founding="false", source_detail="test fixture")
        return rows + [new], header

    def add_outcome(rows, header):
        new = dict.fromkeys(header, "")
        new.update(series_id="synthetic2025", outcome="overall_survival", subgroup="all",
                   time_years="5", estimate="90", unit="percent", denominator="40",
                   denominator_approximate="true", calculated="false", source="synthetic2025",
                   source_detail="test fixture", read_in="primary_publication")
        return rows + [new], header

    _rewrite(directory / "series.csv", add_series)
    _rewrite(directory / "series_outcomes.csv", add_outcome)
    after = load_evidence(directory)

    # Five-year overall survival is pooled from three series; a fourth joins the pool and moves it.
    group = "overall_survival/all/5y"
    old = before.pooled.set_index("group").loc[group]
    new = after.pooled.set_index("group").loc[group]
    assert (old["k"], new["k"]) == (3, 4)
    assert set(new["series_pooled"].split(", ")) == {
        "pennacchioli2010", "cho2014", "seer2016", "synthetic2025"
    }
    assert new["estimate"] != pytest.approx(old["estimate"])
    assert (after.forest["group"] == group).sum() == (before.forest["group"] == group).sum() + 1
    assert "synthetic2025" in set(after.forest["series_id"])
    spec = forest_chart(after.forest).to_dict()
    assert any(
        r.get("series_id") == "synthetic2025" for rows in spec["datasets"].values() for r in rows
    )


def test_a_blank_required_field_names_file_line_and_column(tmp_path):
    directory = _copy_data(tmp_path)

    def blank_source(rows, header):
        rows[4]["source"] = ""  # data row 5 = physical line 6
        return rows, header

    _rewrite(directory / "series_outcomes.csv", blank_source)
    with pytest.raises(DataValidationError) as err:
        load("series_outcomes", directory)
    problems = [(p.file, p.line, p.column) for p in err.value.problems]
    assert any(f.endswith("series_outcomes.csv") and line == 6 and col == "source"
               for f, line, col in problems), problems


def test_a_missing_required_column_is_reported_on_the_header(tmp_path):
    directory = _copy_data(tmp_path)

    def drop_n(rows, header):
        header = [h for h in header if h != "n"]
        return [{k: v for k, v in r.items() if k != "n"} for r in rows], header

    _rewrite(directory / "series.csv", drop_n)
    with pytest.raises(DataValidationError) as err:
        load("series", directory)
    assert any(p.file.endswith("series.csv") and p.line == 1 and p.column == "n"
               for p in err.value.problems)


@pytest.mark.parametrize(
    ("column", "value", "rule"),
    [
        ("estimate", "101", "between 0 and 100"),
        ("count", "30", "count must not be above the denominator"),
        ("time_years", "", "needs time_years"),
        ("read_in", "secondary_source", "source = series_id"),
    ],
)
def test_outcome_rules_fail_on_the_right_line(tmp_path, column, value, rule):
    directory = _copy_data(tmp_path)

    def edit(rows, header):
        # Row 2 (line 3): lieberman1989 5-year survival, no count or denominator printed.
        rows[1][column] = value
        if column == "count":
            rows[1]["denominator"] = "20"
        return rows, header

    _rewrite(directory / "series_outcomes.csv", edit)
    with pytest.raises(DataValidationError) as err:
        load("series_outcomes", directory)
    assert any(p.line == 3 and rule in p.rule for p in err.value.problems), err.value.report()


def test_a_duplicate_figure_is_refused(tmp_path):
    directory = _copy_data(tmp_path)
    _rewrite(directory / "series_outcomes.csv", lambda rows, h: (rows + [dict(rows[0])], h))
    with pytest.raises(DataValidationError, match="duplicate figure"):
        load("series_outcomes", directory)


def test_overlap_pooled_member_must_belong_to_the_set(tmp_path):
    directory = _copy_data(tmp_path)

    def edit(rows, header):
        rows[0]["pooled_series"] = "portera2001"
        return rows, header

    _rewrite(directory / "series_overlaps.csv", edit)
    with pytest.raises(DataValidationError, match="one of the set's members"):
        load("series_overlaps", directory)


def test_cross_table_rules_report_file_line_and_column(tmp_path):
    directory = _copy_data(tmp_path)

    def edit(rows, header):
        rows[0]["series_id"] = "nobody1999"
        rows[0]["source"] = "nobody1999"
        rows[5]["denominator"] = "999"  # portera2001, N = 74
        return rows, header

    _rewrite(directory / "series_outcomes.csv", edit)
    with pytest.raises(DataValidationError) as err:
        load_evidence(directory)
    found = {(p.line, p.column) for p in err.value.problems}
    assert (2, "series_id") in found
    assert (7, "denominator") in found
    assert all(p.file.endswith("series_outcomes.csv") for p in err.value.problems)


# --- files ------------------------------------------------------------------------------------


def test_csv_files_have_no_embedded_newlines():
    # cross_table_problems turns row positions into physical lines; that needs one line per row.
    for name in FILES:
        text = (DATA_DIR / name).read_text(encoding="utf-8")
        with (DATA_DIR / name).open(newline="", encoding="utf-8") as fh:
            records = sum(1 for _ in csv.reader(fh))
        assert records == len(text.splitlines()), name


def test_every_series_and_source_has_a_bib_entry(ev):
    bib = (REFERENCES_DIR / "series.bib").read_text(encoding="utf-8")
    keys = set(re.findall(r"^@\w+\{([^,]+),", bib, flags=re.M))
    assert set(ev.series["series_id"]) | set(SECONDARY_SOURCES) <= keys
    assert set(ev.outcomes["source"]) <= keys
    # Every series' entry names its authors (issue 14), read with the project's BibTeX reader.
    entries = parse_bib(bib)
    for key in ev.series["series_id"]:
        assert entries[key].has("author"), f"{key}: no author in references/series.bib"
        assert not PLACEHOLDER.search(" ".join(entries[key].fields.values())), key


def test_cross_table_check_skips_tables_that_failed_their_schema(ev):
    broken = ev.outcomes.drop(columns=["source"])
    frames = {"series": ev.series, "series_outcomes": broken, "series_overlaps": ev.overlaps}
    assert cross_table_problems(frames) == []
