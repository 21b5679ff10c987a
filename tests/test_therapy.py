"""Tests of the systemic-therapy tables, their schema, the granularity check and the charts."""

from __future__ import annotations

import csv
import io
import math
import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest
import vl_convert as vlc
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import beta

from asps import measures, therapy
from asps.loading import DataValidationError, load, read_table
from asps.paths import DATA_DIR, REFERENCES_DIR
from asps.schemas import TABLES
from asps.schemas.therapy import (
    ASSESSMENTS,
    DESIGNS,
    DRUG_CLASSES,
    LOCAL_DESIGNS,
    SystemicTherapySchema,
)
from asps.style import OKABE_ITO

STUDIES_CSV = DATA_DIR / "systemic_therapy.csv"


@pytest.fixture(scope="module")
def studies() -> pd.DataFrame:
    return load("systemic_therapy")


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return load("therapy_events")


# --- the real data -------------------------------------------------------------------------


def test_tables_are_registered() -> None:
    for name in ("systemic_therapy.csv", "therapy_events.csv", "therapy_gaps.csv",
                 "treatment_local.csv"):
        assert name in TABLES


def test_real_tables_validate(studies: pd.DataFrame, events: pd.DataFrame) -> None:
    gaps = load("therapy_gaps")
    assert len(studies) >= 15 and len(events) >= 1 and len(gaps) >= 1


def test_atezolizumab_assessments_are_two_rows_not_averaged(studies: pd.DataFrame) -> None:
    atezo = studies[studies["trial_registration"] == "NCT03141684"].set_index("orr_assessment")
    assert set(atezo.index) == {"investigator", "independent_review"}
    assert (atezo.loc["investigator", "orr_numerator"], atezo.loc["investigator",
            "orr_denominator"], atezo.loc["investigator", "orr_pct"]) == (19, 52, 37)
    assert (atezo.loc["independent_review", "orr_numerator"],
            atezo.loc["independent_review", "orr_denominator"],
            atezo.loc["independent_review", "orr_pct"]) == (12, 49, 24)
    assert atezo.loc["independent_review", "regulatory_date"] == "2022-12-09"


def test_met_inhibitors_are_rows_with_their_sources_and_gaps(studies: pd.DataFrame) -> None:
    met = studies[studies["drug_class"] == "met_inhibitor"].set_index("record_id")
    assert set(met.index) == {"create2017_crizotinib", "wagner2012_tivantinib"}
    # EORTC news release: one confirmed partial response among 40 MET+ patients.
    criz = met.loc["create2017_crizotinib"]
    assert (criz["orr_numerator"], criz["orr_denominator"], criz["orr_pct"]) == (1, 40, 2.5)
    assert criz["source_kind"] == "news_report" and criz["orr_pct_basis"] == "computed"
    # Wagner 2012: the trial's only partial response was in clear cell sarcoma.
    tiv = met.loc["wagner2012_tivantinib"]
    assert (tiv["orr_numerator"], tiv["n_asps"], tiv["n_all_histologies"]) == (0, 27, 47)
    gaps = load("therapy_gaps").set_index("gap_id")
    assert gaps.at["crizotinib_paper_not_read", "record_id"] == "create2017_crizotinib"
    assert "1 of 40 (2.5%) with crizotinib" in therapy.met_inhibitor_responses(studies)
    assert "0 of 27 (0%) with tivantinib" in therapy.met_inhibitor_responses(studies)


def test_rows_without_a_citable_record_were_removed(studies: pd.DataFrame) -> None:
    gaps = load("therapy_gaps").set_index("gap_id")
    for record, gap in [
        ("named_use2011_sunitinib", "sunitinib_named_use_authors"),
        ("gxplore005_geptanolimab", "geptanolimab_record"),
        ("sarcoma2012_chemotherapy", "sarcoma2012_chemotherapy_authors"),
    ]:
        assert record not in set(studies["record_id"])
        assert gaps.at[gap, "status"] == "not_verified" and pd.notna(gaps.at[gap, "search_query"])


def test_gaps_say_what_was_searched() -> None:
    gaps = load("therapy_gaps")
    sourced_later = gaps[gaps["status"] == "not_yet_sourced"]
    assert len(sourced_later) >= 1
    assert sourced_later["search_query"].notna().all()
    assert sourced_later["search_date"].notna().all()
    shown = therapy.gaps_table(gaps)
    assert list(shown.columns) == ["Topic", "Status", "What is missing", "Searched", "Source"]


def test_gap_search_must_be_complete(tmp_path: Path) -> None:
    from asps.schemas.therapy import TherapyGapSchema

    text = (DATA_DIR / "therapy_gaps.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    rows[0]["search_date"] = ""
    path = tmp_path / "therapy_gaps.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(DataValidationError) as caught:
        read_table(path, TherapyGapSchema)
    assert f"{path}:2: search_query, search_date and search_corpus go together" in str(
        caught.value
    )


def test_local_treatment_table_has_sources_and_levels() -> None:
    from asps.schemas.therapy import EVIDENCE_LEVELS, TreatmentLocalSchema

    local = load("treatment_local")
    assert {"metastasectomy", "follow_up"} <= set(local["topic"])
    assert set(local["evidence_level"]) <= set(EVIDENCE_LEVELS)
    kayton = local.set_index("record_id").loc["kayton2006_metastasectomy"]
    assert (kayton["n_patients"], kayton["count"]) == (20, 31)  # PubMed abstract 16410131
    shown = therapy.local_treatment_table(local)
    assert shown["Level of evidence"].notna().all() and shown["Topic"].notna().all()
    assert "treatment_local.csv" in TABLES and TABLES["treatment_local.csv"] is TreatmentLocalSchema
    html = str(therapy.local_treatment_html(local))
    assert "Thirty-one metastasectomies were performed." in html


def test_unverified_fields_are_empty(studies: pd.DataFrame) -> None:
    table = therapy.unverified_fields(studies)
    assert len(table) > 0
    for row in table.itertuples():
        assert pd.isna(studies.set_index("record_id").at[row.record_id, row.field])


def test_every_checkable_percentage_matches_its_count(studies: pd.DataFrame) -> None:
    checkable = studies.dropna(subset=["orr_pct", "orr_numerator", "orr_denominator"])
    for row in checkable.itertuples():
        got = measures.percent_matches(
            row.orr_pct, row.orr_numerator, row.orr_denominator, row.orr_decimals
        )
        assert got == row.orr_check == "exact", row.record_id


# --- bad input: clear errors with file, line and column ------------------------------------


def _edited_copy(tmp_path: Path, record_id: str, **changes: str) -> tuple[Path, int]:
    """Copy the real CSV with one row edited; return the path and the row's line number."""
    text = STUDIES_CSV.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    position = next(i for i, row in enumerate(rows) if row["record_id"] == record_id)
    rows[position].update(changes)
    path = tmp_path / "systemic_therapy.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path, position + 2  # line 1 is the header; no cell holds a newline


def _errors(path: Path) -> str:
    with pytest.raises(DataValidationError) as caught:
        read_table(path, SystemicTherapySchema)
    return str(caught.value)


def test_numerator_above_denominator_is_reported(tmp_path: Path) -> None:
    path, line = _edited_copy(tmp_path, "kummar2013_cediranib", orr_numerator="44")
    message = _errors(path)
    assert f"{path}:{line}: orr_numerator is above orr_denominator" in message
    assert message.count(f"{path}:{line}") == 1  # not repeated by the percentage check


def test_unknown_drug_class_is_reported(tmp_path: Path) -> None:
    path, line = _edited_copy(tmp_path, "kummar2013_cediranib", drug_class="antibody")
    message = _errors(path)
    assert f"{path}:{line}: column 'drug_class': isin(" in message
    assert "'antibody'" in message


def test_unknown_assessment_and_design_are_reported(tmp_path: Path) -> None:
    path, line = _edited_copy(
        tmp_path, "kummar2013_cediranib", orr_assessment="blinded", design="case_report"
    )
    message = _errors(path)
    assert f"{path}:{line}: column 'orr_assessment'" in message
    assert f"{path}:{line}: column 'design'" in message


def test_percent_inconsistent_with_counts_and_not_flagged_is_reported(tmp_path: Path) -> None:
    # 19/52 = 36.54%: 38 is neither rounded nor truncated.
    path, line = _edited_copy(tmp_path, "chen2023_atezolizumab", orr_pct="38")
    message = _errors(path)
    assert f"{path}:{line}: orr_pct disagrees with orr_numerator/orr_denominator" in message


def test_flagged_mismatch_needs_a_note(tmp_path: Path) -> None:
    path, line = _edited_copy(
        tmp_path, "chen2023_atezolizumab", orr_pct="38", orr_check="mismatch"
    )
    assert f"{path}:{line}: orr_check_note must explain" in _errors(path)
    path, _ = _edited_copy(
        tmp_path, "chen2023_atezolizumab", orr_pct="38", orr_check="mismatch",
        orr_check_note="Test: the source prints 38%.",
    )
    assert len(read_table(path, SystemicTherapySchema)) > 0


def test_truncated_percentage_passes_when_flagged(tmp_path: Path) -> None:
    # 15/43 = 34.88%: 34 is the truncated value.
    path, line = _edited_copy(tmp_path, "kummar2013_cediranib", orr_pct="34")
    assert f"{path}:{line}: orr_pct disagrees" in _errors(path)
    path, _ = _edited_copy(
        tmp_path, "kummar2013_cediranib", orr_pct="34", orr_check="truncated",
        orr_check_note="Test: printed truncated.",
    )
    frame = read_table(path, SystemicTherapySchema)
    assert frame.set_index("record_id").at["kummar2013_cediranib", "orr_check"] == "truncated"


def test_more_decimals_than_printed_is_reported(tmp_path: Path) -> None:
    path, line = _edited_copy(tmp_path, "chen2023_atezolizumab", orr_pct="36.5")
    assert f"{path}:{line}: orr_pct has more decimal places" in _errors(path)


def test_not_verified_must_name_an_empty_column(tmp_path: Path) -> None:
    path, line = _edited_copy(tmp_path, "chen2023_atezolizumab", not_verified="median_pfs_months")
    assert f"{path}:{line}: not_verified names a column" in _errors(path)


def test_non_integer_count_is_reported(tmp_path: Path) -> None:
    path, line = _edited_copy(tmp_path, "chen2023_atezolizumab", orr_numerator="19.5")
    assert f"{path}:{line}: column 'orr_numerator': not a whole number" in _errors(path)


# --- the granularity check -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("pct", "k", "n", "decimals", "expected"),
    [
        (37, 19, 52, 0, "exact"),
        (36, 19, 52, 0, "truncated"),
        (38, 19, 52, 0, "mismatch"),
        (55, 6, 11, 0, "exact"),  # 54.545...
        (54, 6, 11, 0, "truncated"),
        (13, 1, 8, 0, "exact"),  # 12.5 rounds half up, not to even
        (12, 1, 8, 0, "truncated"),
        (37.8, 14, 37, 1, "exact"),
        (54.4, 37, 68, 1, "exact"),
        (0, 0, 9, 0, "exact"),
        (100, 9, 9, 0, "exact"),
        (33.33, 1, 3, 2, "exact"),
    ],
)
def test_percent_matches_examples(
    pct: float, k: int, n: int, decimals: int, expected: str
) -> None:
    assert measures.percent_matches(pct, k, n, decimals) == expected


@pytest.mark.parametrize(
    ("pct", "k", "n", "decimals"), [(10, 5, 4, 0), (10, -1, 4, 0), (0, 0, 0, 0), (37.84, 14, 37, 1)]
)
def test_percent_matches_rejects_impossible_input(
    pct: float, k: int, n: int, decimals: int
) -> None:
    with pytest.raises(ValueError):
        measures.percent_matches(pct, k, n, decimals)


_counts = st.integers(min_value=1, max_value=2000).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)


def _printed(k: int, n: int, decimals: int, rounding: str) -> float:
    unit = Decimal(1).scaleb(-decimals)
    return float((Decimal(100 * k) / Decimal(n)).quantize(unit, rounding=rounding))


@given(_counts, st.integers(min_value=0, max_value=2))
def test_percent_matches_agrees_with_decimal_rounding(
    counts: tuple[int, int], decimals: int
) -> None:
    k, n = counts
    assert measures.percent_matches(_printed(k, n, decimals, ROUND_HALF_UP), k, n, decimals) == (
        "exact"
    )
    assert measures.percent_matches(_printed(k, n, decimals, ROUND_DOWN), k, n, decimals) in {
        "exact", "truncated"
    }
    above = _printed(k, n, decimals, ROUND_HALF_UP) + 10.0**-decimals
    assert measures.percent_matches(round(above, decimals), k, n, decimals) == "mismatch"


# --- exact intervals against an independent computation ------------------------------------


def _beta_interval(k: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    low = 0.0 if k == 0 else beta.ppf(alpha / 2, k, n - k + 1)
    high = 1.0 if k == n else beta.ppf(1 - alpha / 2, k + 1, n - k)
    return float(low), float(high)


@given(_counts)
def test_clopper_pearson_matches_beta_quantiles(counts: tuple[int, int]) -> None:
    k, n = counts
    got, expected = therapy.clopper_pearson(k, n), _beta_interval(k, n)
    assert got == pytest.approx(expected, abs=1e-8)


def test_estimates_use_exact_intervals(studies: pd.DataFrame) -> None:
    estimates = therapy.response_estimates(studies)
    with_counts = estimates[estimates["has_interval"]]
    assert len(with_counts) >= 10
    for row in with_counts.itertuples():
        low, high = _beta_interval(int(row.k), int(row.n))
        assert abs(row.lower - 100 * low) < 1e-8 and abs(row.upper - 100 * high) < 1e-8
        assert row.estimate == pytest.approx(100 * row.k / row.n, abs=1e-12)


def test_printed_intervals_agree_with_clopper_pearson(studies: pd.DataFrame) -> None:
    printed = studies.dropna(subset=["orr_ci_low_printed", "orr_numerator", "orr_denominator"])
    assert len(printed) >= 1
    for row in printed.itertuples():
        low, high = therapy.clopper_pearson(int(row.orr_numerator), int(row.orr_denominator))
        assert (round(100 * low), round(100 * high)) == (
            row.orr_ci_low_printed, row.orr_ci_high_printed
        )


def test_rows_without_counts_have_no_interval(studies: pd.DataFrame) -> None:
    estimates = therapy.response_estimates(studies).set_index("record_id")
    for record in ("nguyen2023_cediranib", "reichardt2003_chemotherapy"):
        assert not estimates.at[record, "has_interval"]
        assert math.isnan(estimates.at[record, "lower"])
    # No verified response figure: left out of the chart, not drawn at zero.
    assert "somaiah2022_durvalumab_tremelimumab" not in estimates.index


# --- charts, timeline, statements and table ------------------------------------------------


def _render_png(chart: object, tmp_path: Path, name: str) -> Path:
    png = vlc.vegalite_to_png(chart.to_json(), scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    path = tmp_path / f"{name}.png"
    path.write_bytes(png)
    return path


def test_response_chart_is_accessible_transparent_and_renders(
    studies: pd.DataFrame, tmp_path: Path
) -> None:
    chart = therapy.response_rate_chart(therapy.response_estimates(studies))
    spec = chart.to_dict()
    assert spec["config"]["background"] == "transparent"
    assert "Atezolizumab appears twice" in spec["description"]
    assert spec["title"]["text"]
    colours = set(re.findall(r"#[0-9A-Fa-f]{6}", chart.to_json()))
    assert {therapy.CLASS_COLOURS[c] for c in set(studies["drug_class"])} <= colours
    _render_png(chart, tmp_path, "response")


def test_every_vocabulary_value_has_a_label() -> None:
    assert set(therapy.CLASS_LABELS) == set(DRUG_CLASSES)
    assert set(therapy.DESIGN_LABELS) == set(LOCAL_DESIGNS) >= set(DESIGNS)
    assert set(therapy.ASSESSMENT_LABELS) == set(ASSESSMENTS)


def test_class_colours_are_okabe_ito() -> None:
    assert set(therapy.CLASS_COLOURS) == set(DRUG_CLASSES)
    assert set(therapy.CLASS_COLOURS.values()) <= set(OKABE_ITO)
    assert len(set(therapy.CLASS_COLOURS.values())) == len(DRUG_CLASSES)


def test_timeline_dates_only_where_sources_give_them(
    studies: pd.DataFrame, events: pd.DataFrame, tmp_path: Path
) -> None:
    timeline = therapy.timeline_events(studies, events)
    days = timeline[timeline["precision"] == "day"]
    assert list(days["start"]) == [pd.Timestamp("2022-12-09")]
    years = timeline[timeline["precision"] == "year"]
    assert ((years["end"] - years["start"]).dt.days.isin([364, 365])).all()
    assert (years["start"].dt.strftime("%m-%d") == "01-01").all()
    chen = timeline[timeline["label"].str.contains("Chen 2023")]
    assert chen["linked_to_approval"].all()
    assert not timeline["label"].str.contains("FDA 2022").any()  # the notice is the approval
    assert timeline["start"].is_monotonic_increasing
    chart = therapy.timeline_chart(timeline)
    assert chart.to_dict()["description"]
    _render_png(chart, tmp_path, "timeline")


def test_evidence_summary_states_design_and_refuses_to_pool(studies: pd.DataFrame) -> None:
    summary = therapy.evidence_summary(studies).set_index("topic")["statement"]
    assert summary["No pooling"] == therapy.NO_POOLING
    assert "None is a phase 3 trial" in summary["Designs"]
    assert "37% (19/52" in summary["Same trial, two figures"]
    assert "24% (12/49" in summary["Same trial, two figures"]
    levels = therapy.evidence_levels(studies)
    assert len(levels) == len(studies)
    chen = levels.set_index("record_id").at["chen2023_atezolizumab", "evidence"]
    assert chen.startswith("Single-arm phase 2 trial; 52 patients with ASPS")


def test_study_table_marks_not_verified_and_escapes(studies: pd.DataFrame) -> None:
    table = therapy.study_table(studies).set_index("Study")
    assert table.at["Chen 2023", "Median OS (months)"] == "not verified"
    assert table.at["Chen 2023", "Response rate"] == "37% (19/52)"
    assert table.loc["Hindi 2023 (registry)", "Median OS (months)"] == ""  # not reached
    html = str(therapy.study_table_html(studies))
    assert 'id="tbl-systemic-therapy"' in html
    assert "Checkpoint inhibitors ± TKI" in html and "<script>alert" not in html


def test_study_table_html_escapes_cells(studies: pd.DataFrame) -> None:
    hostile = studies.copy()
    hostile.loc[0, "therapy"] = "<script>alert(1)</script>"
    html = str(therapy.study_table_html(hostile))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- bibliography ---------------------------------------------------------------------------


def _bib_entries() -> dict[str, str]:
    text = (REFERENCES_DIR / "therapy.bib").read_text(encoding="utf-8")
    starts = list(re.finditer(r"^@(\w+)\{([^,]+),", text, flags=re.MULTILINE))
    return {
        m.group(2): text[m.start(): starts[i + 1].start() if i + 1 < len(starts) else len(text)]
        for i, m in enumerate(starts)
    }


def test_every_cited_key_is_in_the_bib(studies: pd.DataFrame, events: pd.DataFrame) -> None:
    entries = _bib_entries()
    cited = set(studies["bib_key"]) | set(events["bib_key"].dropna())
    assert cited <= set(entries)


def test_every_therapy_bib_entry_is_used_and_has_an_author(
    studies: pd.DataFrame, events: pd.DataFrame
) -> None:
    text = " ".join(
        load(name).astype(str).to_csv() for name in ("systemic_therapy", "therapy_events",
                                                     "therapy_gaps", "treatment_local")
    )
    for key, body in _bib_entries().items():
        url = re.search(r"url\s*=\s*\{([^}]+)\}", body)
        assert key in text or (url and url.group(1) in text), f"{key} is not used by the data"
        assert re.search(r"^\s*author\s*=", body, re.M), f"{key} has no author"
