"""Tests of the differential-diagnosis data, its schemas, the ranking and the page components."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asps import differentials as dd
from asps.loading import DataValidationError, load
from asps.paths import DATA_DIR
from asps.render import ASSET_SCRIPTS, standalone_assets
from asps.schemas.differentials import ENTITY_IDS, EXPECTED, IMAGING_ENTITY_IDS, MARKERS

TABLES = ["differentials_entities", "differentials_ihc", "differentials_imaging",
          "differentials_caveats"]
REQUIRED_MARKERS = ["tfe3", "cathepsin_k", "pas_d_crystals", "s100", "sox10", "hmb45", "melan_a",
                    "cytokeratin", "ema", "pax8", "chromogranin", "synaptophysin", "myogenin",
                    "myod1_nuclear", "desmin", "inhibin", "heppar1", "caix"]
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
ASPS_LIKE = {"tfe3": "positive", "cathepsin_k": "positive", "s100": "negative",
             "pax8": "negative"}
RENAL = {"tfe3": "positive", "pax8": "positive"}


@pytest.fixture(scope="module")
def data() -> dd.Differentials:
    return dd.load_differentials()


# --- the data ---------------------------------------------------------------------------------


def test_all_tables_validate(data: dd.Differentials) -> None:
    assert list(data.entities["entity_id"]) == ENTITY_IDS
    assert sorted(data.imaging["entity_id"]) == sorted(IMAGING_ENTITY_IDS)
    assert len(data.ihc) >= 60 and len(data.caveats) >= 10
    assert data.ihc["expected"].isin(EXPECTED).all()


def test_marker_coverage(data: dd.Differentials) -> None:
    assert set(REQUIRED_MARKERS) <= set(MARKERS)
    covered = set(data.ihc["marker"])
    assert set(REQUIRED_MARKERS) <= covered, set(REQUIRED_MARKERS) - covered
    per_entity = data.ihc.groupby("entity_id").size()
    assert set(per_entity.index) == set(ENTITY_IDS)
    assert (per_entity >= 2).all()


def test_known_results_and_gaps(data: dd.Differentials) -> None:
    matrix = dd.matrix_frame(data.ihc, data.entities)
    assert matrix.loc["asps", "tfe3"] == "positive"
    assert matrix.loc["asps", "cathepsin_k"] == "positive"
    assert matrix.loc["xp11_rcc", "tfe3"] == "positive"
    assert matrix.loc["clear_cell_rcc", "tfe3"] == "negative"
    # No source tested ASPS for HepPar-1: no row, so no guess.
    assert matrix.loc["asps", "heppar1"] is None
    assert matrix.isna().sum().sum() == matrix.size - len(data.ihc)


def test_every_row_has_a_source(data: dd.Differentials) -> None:
    pattern = r"^(doi:10\.|pmid:\d|https?://)"
    for frame, column in [(data.ihc, "source"), (data.entities, "sources"),
                          (data.imaging, "sources"), (data.caveats, "sources")]:
        parts = frame[column].str.split(" ; ").explode()
        assert parts.str.match(pattern).all()


def test_caveats_the_reference_requires(data: dd.Differentials) -> None:
    text = " ".join(data.caveats["statement"])
    assert "not specific" in text and "balanced" in text and "unbalanced" in text
    assert "Cathepsin K separates" in text
    assert "desmin" in text and "50%" in text


# --- bad input --------------------------------------------------------------------------------


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    for name in TABLES:
        shutil.copy(DATA_DIR / f"{name}.csv", tmp_path / f"{name}.csv")
    return tmp_path


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _error(table: str, directory: Path) -> str:
    with pytest.raises(DataValidationError) as caught:
        load(table, directory)
    return str(caught.value)


def test_missing_column_is_reported(data_copy: Path) -> None:
    path = data_copy / "differentials_ihc.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    position = header.index("verification")
    path.write_text(
        "\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != position)
                  if n == 0 else line.rsplit(",", 1)[0] for n, line in enumerate(lines)) + "\n",
        encoding="utf-8",
    )
    message = _error("differentials_ihc", data_copy)
    assert "differentials_ihc.csv:1: column 'verification'" in message
    assert "required column is missing" in message


def test_unknown_result_value_is_reported(data_copy: Path) -> None:
    _edit(data_copy / "differentials_ihc.csv", "asps,tfe3,positive,", "asps,tfe3,strong,")
    message = _error("differentials_ihc", data_copy)
    assert "differentials_ihc.csv:2: column 'expected'" in message
    assert "'strong'" in message


def test_duplicate_entity_marker_pair_is_reported(data_copy: Path) -> None:
    path = data_copy / "differentials_ihc.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    duplicate = lines[1].replace("positive", "negative", 1)
    path.write_text("\n".join([*lines, duplicate]) + "\n", encoding="utf-8")
    message = _error("differentials_ihc", data_copy)
    assert "differentials_ihc.csv:2:" in message
    assert f"differentials_ihc.csv:{len(lines) + 1}:" in message
    assert "more than one row" in message


def test_empty_source_is_reported(data_copy: Path) -> None:
    path = data_copy / "differentials_ihc.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    fields = lines[3].rsplit(",", 2)
    lines[3] = f"{fields[0]},,{fields[2]}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    message = _error("differentials_ihc", data_copy)
    assert "differentials_ihc.csv:4: column 'source'" in message


def test_malformed_source_and_unknown_ids_are_reported(data_copy: Path) -> None:
    _edit(data_copy / "differentials_ihc.csv", ",read_in_source", ",read_in_source", 0)
    _edit(data_copy / "differentials_ihc.csv", "asps,tfe3,positive,", "aspx,tfe3,positive,")
    _edit(data_copy / "differentials_ihc.csv", "https://pure.johnshopkins", "pure.johnshopkins")
    message = _error("differentials_ihc", data_copy)
    assert "column 'entity_id'" in message and "'aspx'" in message
    assert "column 'source'" in message
    _edit(data_copy / "differentials_caveats.csv", "|xp11_rcc", "|kidney_thing")
    assert "unknown entity id" in _error("differentials_caveats", data_copy)


def test_statement_without_check_is_reported(data_copy: Path) -> None:
    _edit(data_copy / "differentials_entities.csv", ",confirmed,", ",,")
    message = _error("differentials_entities", data_copy)
    assert "cho2014_check is required exactly when cho2014_statement is given" in message


# --- ranking ----------------------------------------------------------------------------------


def test_asps_profile_ranks_asps_first(data: dd.Differentials) -> None:
    ranked = dd.rank_entities(data.ihc, ASPS_LIKE, data.entities)
    assert ranked.iloc[0]["entity_id"] == "asps"
    assert ranked.iloc[0]["rank"] == 1
    assert ranked.iloc[0]["score"] == 3.5  # S100 is focal or weak in ASPS: half credit
    excluded = ranked.set_index("entity_id")
    assert excluded.loc["granular_cell_tumour", "status"] == "excluded"
    assert "S100: expected positive, observed negative" in excluded.loc[
        "granular_cell_tumour", "contradictions"]
    assert excluded.loc["clear_cell_rcc", "status"] == "excluded"


def test_renal_profile_brings_xp11_forward(data: dd.Differentials) -> None:
    ranked = dd.rank_entities(data.ihc, RENAL, data.entities)
    assert ranked.iloc[0]["entity_id"] == "xp11_rcc"
    by_id = ranked.set_index("entity_id")
    assert by_id.loc["asps", "status"] == "excluded"
    assert by_id.loc["asps", "contradictions"] == "PAX8: expected negative, observed positive"
    assert pd.isna(by_id.loc["asps", "rank"])


def test_rule_on_a_small_table() -> None:
    ihc = pd.DataFrame(
        {
            "entity_id": ["asps", "asps", "pecoma", "pecoma", "melanoma"],
            "marker": ["tfe3", "s100", "tfe3", "s100", "s100"],
            "expected": ["positive", "focal_or_weak", "variable", "not_established",
                         "positive"],
            "basis": ["b"] * 5, "source": ["pmid:1"] * 5, "verification": ["read_in_source"] * 5,
        }
    )
    ranked = dd.rank_entities(ihc, {"tfe3": "positive", "s100": "negative"})
    assert list(ranked["entity_id"]) == ["asps", "pecoma", "melanoma"]
    assert list(ranked["score"]) == [1.5, 0.5, 0.0]
    assert list(ranked["no_data"]) == [0, 1, 1]  # not_established and missing count nothing
    assert list(ranked["status"]) == ["compatible", "compatible", "excluded"]
    tie = dd.rank_entities(ihc, {})
    assert list(tie["entity_id"]) == ["asps", "melanoma", "pecoma"]  # display order
    assert list(tie["rank"]) == [1, 2, 3]


def test_observed_values_are_checked(data: dd.Differentials) -> None:
    with pytest.raises(ValueError, match="unknown marker"):
        dd.rank_entities(data.ihc, {"tfe4": "positive"})
    with pytest.raises(ValueError, match="positive' or 'negative"):
        dd.rank_entities(data.ihc, {"tfe3": "weak"})


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(list(MARKERS)), st.sampled_from(dd.OBSERVED_VALUES)))
def test_ranking_invariants(data: dd.Differentials, observed: dict[str, str]) -> None:
    ranked = dd.rank_entities(data.ihc, observed, data.entities)
    assert sorted(ranked["entity_id"]) == sorted(ENTITY_IDS)
    assert (ranked["score"] == ranked["matches"] + ranked["half"] / 2).all()
    assert (ranked["matches"] + ranked["half"] + ranked["no_data"] <= len(observed)).all()
    compatible = ranked["status"] == "compatible"
    assert (ranked.loc[compatible, "contradictions"] == "").all()
    assert (ranked.loc[~compatible, "contradictions"] != "").all()
    assert list(ranked.loc[compatible, "rank"]) == list(range(1, int(compatible.sum()) + 1))
    assert ranked["status"].tolist() == sorted(ranked["status"])  # compatible first
    scores = ranked.loc[compatible, "score"].tolist()
    assert scores == sorted(scores, reverse=True)


# --- HTML -------------------------------------------------------------------------------------


def _poisoned(data: dd.Differentials) -> dd.Differentials:
    entities = data.entities.copy()
    entities.loc[0, "short_name"] = SCRIPT
    entities.loc[0, "name"] = IMG
    entities.loc[1, "key_morphology"] = SCRIPT
    ihc = data.ihc.copy()
    ihc.loc[0, "basis"] = IMG + " " + SCRIPT
    imaging = data.imaging.copy()
    imaging.loc[0, "t1_signal"] = SCRIPT
    imaging.loc[1, "distinguishing_from_asps"] = IMG
    caveats = data.caveats.copy()
    caveats.loc[0, "statement"] = SCRIPT + IMG
    return dd.Differentials(entities, ihc, imaging, caveats)


def _all_components(data: dd.Differentials) -> dict[str, str]:
    return {
        "matrix": str(dd.marker_matrix(data.ihc, data.entities, data.caveats)),
        "filter": str(dd.ihc_filter(data.ihc, data.entities)),
        "imaging": str(dd.imaging_table(data.imaging)),
        "entities": str(dd.entity_table(data.entities)),
        "evidence": str(dd.ihc_evidence_table(data.ihc, data.entities)),
        "caveats": str(dd.caveat_list(data.caveats)),
    }


def test_markup_in_data_is_escaped(data: dd.Differentials) -> None:
    for name, markup in _all_components(_poisoned(data)).items():
        assert SCRIPT not in markup, name
        assert IMG not in markup, name
        assert "alert(1)" in markup, name  # the text is there, inert
    filter_markup = str(dd.ihc_filter(_poisoned(data).ihc, _poisoned(data).entities))
    assert "\\u003cscript\\u003e" in filter_markup  # JSON in <script> cannot close the element


def test_components_load_nothing_from_elsewhere(data: dd.Differentials) -> None:
    for name, markup in _all_components(data).items():
        assert "<link" not in markup and "@import" not in markup, name
        assert " src=" not in markup, name


def test_matrix_cells_carry_symbol_and_source(data: dd.Differentials) -> None:
    markup = str(dd.marker_matrix(data.ihc, data.entities, data.caveats))
    assert "ASPS \u00b7 TFE3 (nuclear): positive" in markup
    assert "19/19" in markup and "pure.johnshopkins.edu" in markup
    assert markup.count(">no data</span>") >= (
        len(ENTITY_IDS) * len(MARKERS) - len(data.ihc)
    )
    for symbol in dd.RESULT_SYMBOL.values():
        assert symbol in markup


def test_filter_states_that_it_is_not_a_diagnostic_device(data: dd.Differentials) -> None:
    markup = str(dd.ihc_filter(data.ihc, data.entities))
    assert "Educational aid, not a diagnostic device." in markup


# --- in a browser -----------------------------------------------------------------------------




def _page(browser, tmp_path: Path, components: dict[str, str], width: int = 1280):
    path = tmp_path / "differentials.html"
    path.write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        + standalone_assets() + "</head><body>"
        + "".join(components.values()) + "</body></html>",
        encoding="utf-8",
    )
    page = browser.new_page(viewport={"width": width, "height": 900})
    log = {"requests": [], "dialogs": [], "errors": []}
    page.on("request", lambda r: log["requests"].append(r.url))
    page.on("dialog", lambda d: (log["dialogs"].append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: log["errors"].append(str(e)))
    page.goto(path.as_uri())
    return page, log


def _browser_ranking(page, observed: dict[str, str]) -> list[tuple[str, str, float]]:
    page.click("#dd-filter button.dd-reset")
    for marker, value in observed.items():
        page.select_option(f"#dd-filter select[data-marker='{marker}']", value)
    rows = page.eval_on_selector_all(
        "#dd-filter table.dd-results tbody tr",
        "rows => rows.map(r => [r.dataset.entity, r.dataset.status, parseFloat(r.dataset.score)])",
    )
    return [tuple(row) for row in rows]


PROFILES = [
    {},
    ASPS_LIKE,
    RENAL,
    {"s100": "positive", "sox10": "positive", "hmb45": "positive"},
    {"chromogranin": "positive", "synaptophysin": "positive", "cytokeratin": "negative"},
    {"myogenin": "positive", "desmin": "positive", "tfe3": "negative"},
    {"inhibin": "positive", "melan_a": "positive", "pax8": "negative", "cd10": "negative"},
]


@pytest.mark.browser
def test_browser_filter_ranks_as_python(browser, tmp_path: Path, data: dd.Differentials) -> None:
    page, log = _page(browser, tmp_path, {"filter": str(dd.ihc_filter(data.ihc, data.entities))})
    for observed in PROFILES:
        python = dd.rank_entities(data.ihc, observed, data.entities)
        expected = list(zip(python["entity_id"], python["status"], python["score"], strict=True))
        assert _browser_ranking(page, observed) == expected, observed
    contradiction = page.text_content("#dd-filter tr[data-entity='asps'] .dd-why")
    python = dd.rank_entities(data.ihc, PROFILES[-1], data.entities).set_index("entity_id")
    assert python.loc["asps", "contradictions"] in contradiction
    page.click("#dd-filter .dd-example >> nth=1")
    assert page.get_attribute("#dd-filter tbody tr >> nth=0", "data-entity") == "xp11_rcc"
    assert log["errors"] == [] and log["dialogs"] == []
    assert all(url.startswith("file:") for url in log["requests"])
    page.close()


@pytest.mark.browser
def test_markup_shows_as_text_in_the_browser(browser, tmp_path: Path,
                                             data: dd.Differentials) -> None:
    clean_scripts = "".join(_all_components(data).values()).count("<script")
    page, log = _page(browser, tmp_path, _all_components(_poisoned(data)))
    # The data added no element: as many scripts as the clean page, and no image.
    assert page.evaluate("document.querySelectorAll('script').length") == clean_scripts + len(
        ASSET_SCRIPTS
    )
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    page.click("#dd-matrix button.dd-cell >> nth=0")
    assert SCRIPT in page.text_content("#dd-matrix-wrap .dd-detail")
    assert IMG in page.text_content("#dd-matrix-wrap .dd-detail")
    assert SCRIPT in page.text_content("#dd-filter tbody")  # entity name set as text
    assert SCRIPT in page.text_content("#dd-imaging tbody")
    assert page.evaluate("document.querySelectorAll('#dd-imaging tbody script').length") == 0
    assert log["dialogs"] == [] and log["errors"] == []
    page.close()


@pytest.mark.browser
def test_page_fits_a_phone_and_works_offline(browser, tmp_path: Path,
                                            data: dd.Differentials) -> None:
    page, log = _page(browser, tmp_path, _all_components(data), width=390)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.fill("#dd-matrix input[type=search]", "xp11")
    visible = page.eval_on_selector_all(
        "#dd-matrix tbody tr:not([hidden])", "rows => rows.map(r => r.cells[0].textContent)"
    )
    assert visible == ["Xp11 RCC"]
    page.click("#dd-matrix thead th:nth-child(2) button")  # sort by TFE3: positives first
    page.fill("#dd-matrix input[type=search]", "")
    first = page.eval_on_selector_all(
        "#dd-matrix tbody tr", "rows => rows.slice(0, 3).map(r => r.cells[1].textContent)"
    )
    assert all(cell.startswith("+") for cell in first)
    assert log["errors"] == []
    assert all(url.startswith("file:") for url in log["requests"])
    page.close()


# --- coverage and the usual diagnostic panels ------------------------------------------------

# Each entity's textbook profile: its defining markers with the result the sources give, plus
# the stains that separate it from ASPS. The ids name the sources the profile was read in.
TEXTBOOK_PANELS = [
    pytest.param("asps", {"tfe3": "positive", "cathepsin_k": "positive", "pax8": "negative",
                          "hmb45": "negative", "s100": "negative"},
                 id="asps-Argani2003-Kaur2024-PMC3957187-Chamberlain2014"),
    pytest.param("paraganglioma", {"chromogranin": "positive", "synaptophysin": "positive",
                                   "gata3": "positive", "cytokeratin": "negative",
                                   "cathepsin_k": "negative"},
                 id="paraganglioma-Jorda2002-So2013-Dermawan2019-PMC3957187"),
    pytest.param("clear_cell_rcc", {"pax8": "positive", "caix": "positive", "cd10": "positive",
                                    "tfe3": "negative"},
                 id="clear_cell_rcc-PathologyOutlines-Alshenawy2014"),
    pytest.param("adrenal_cortical_carcinoma",
                 {"sf1": "positive", "inhibin": "positive", "calretinin": "positive",
                  "melan_a": "positive", "pax8": "negative", "chromogranin": "negative",
                  "ema": "negative"},
                 id="acc-Enriquez2012-Weissferdt2014"),
    pytest.param("hepatocellular_carcinoma",
                 {"heppar1": "positive", "arginase1": "positive", "glypican3": "positive",
                  "pax8": "negative"},
                 id="hcc-Yan2010-Baumhoer2008-Tacha2011"),
    pytest.param("alveolar_rhabdomyosarcoma",
                 {"desmin": "positive", "myogenin": "positive", "myod1_nuclear": "positive"},
                 id="arms-Morotti2006-PathologyOutlines"),
    pytest.param("melanoma", {"s100": "positive", "sox10": "positive", "hmb45": "positive",
                              "melan_a": "positive"},
                 id="melanoma-Rao2014-Romano2015-Nonaka2008"),
    pytest.param("granular_cell_tumour", {"s100": "positive", "sox10": "positive",
                                          "inhibin": "positive", "tfe3": "positive",
                                          "calretinin": "positive"},
                 id="gct-Chamberlain2014-Gleason2007"),
    pytest.param("pecoma", {"hmb45": "positive", "melan_a": "positive",
                            "cathepsin_k": "positive", "sox10": "negative",
                            "cytokeratin": "negative"},
                 id="pecoma-Bao2019-Argani2010-Miettinen2015"),
    # Cytokeratin and EMA are focal or weak in Xp11 carcinoma, not negative: left out.
    pytest.param("xp11_rcc", {"tfe3": "positive", "pax8": "positive", "cathepsin_k": "positive",
                              "cd10": "positive", "gata3": "negative"},
                 id="xp11-Argani2003-Argani2010-PMC3957187-pmid18344867-AntibodyLexicon"),
]

# Defining markers that no source with checked bibliographic details gives yet: they read
# "no data" (never a guess), each with a caveat that says so. Strict: a filled cell turns the
# tests red until it is taken off this list.
KNOWN_DEFINING_GAPS: set[tuple[str, str]] = set()


def test_every_entity_has_a_textbook_panel() -> None:
    assert sorted(p.values[0] for p in TEXTBOOK_PANELS) == sorted(ENTITY_IDS)
    for param in TEXTBOOK_PANELS:
        entity, profile = param.values
        assert len(set(dd.DEFINING_MARKERS[entity]) & set(profile)) >= 2, entity
        assert set(profile.values()) <= set(dd.OBSERVED_VALUES)


@pytest.mark.parametrize(("entity", "profile"), TEXTBOOK_PANELS)
def test_usual_panel_ranks_the_entity_first(data: dd.Differentials, entity: str,
                                           profile: dict[str, str]) -> None:
    ranked = dd.rank_entities(data.ihc, profile, data.entities)
    top = ranked.iloc[0]
    assert top["entity_id"] == entity, ranked[["entity_id", "status", "score"]].to_string()
    assert top["status"] == "compatible" and top["rank"] == 1
    # A clear lead, not a tie broken by display order.
    assert top["score"] > ranked.iloc[1]["score"] or ranked.iloc[1]["status"] == "excluded"


def test_defining_markers_have_a_sourced_result(data: dd.Differentials) -> None:
    assert set(dd.DEFINING_MARKERS) == set(ENTITY_IDS)
    matrix = dd.matrix_frame(data.ihc, data.entities)
    for entity, markers in dd.DEFINING_MARKERS.items():
        assert set(markers) <= set(MARKERS)
        missing = {(entity, m) for m in markers if matrix.loc[entity, m] is None}
        assert missing == {gap for gap in KNOWN_DEFINING_GAPS if gap[0] == entity}, missing
    # The defining markers named in issue 14 are in the schema, with display names.
    assert {"glypican3": "Glypican-3", "sf1": "SF-1", "gata3": "GATA3"}.items() <= MARKERS.items()


def test_coverage_counts_the_displayed_matrix(data: dd.Differentials) -> None:
    frame = dd.ihc_coverage(data.ihc, data.entities)
    overall = frame.iloc[-1]
    matrix = dd.matrix_frame(data.ihc, data.entities)
    assert overall["entity_id"] == "all"
    assert overall["total"] == len(ENTITY_IDS) * len(MARKERS) == matrix.size
    assert overall["filled"] == int(matrix.notna().sum().sum()) == len(data.ihc)
    assert overall["read"] == int((data.ihc["verification"] == "read_in_source").sum())
    assert overall["percent"] == round(100 * overall["filled"] / overall["total"], 1)
    assert list(frame["entity_id"].iloc[:-1]) == ENTITY_IDS
    assert (frame["filled"].iloc[:-1] >= 4).all()
    gaps = {f"{entity}:{marker}" for entity, marker in KNOWN_DEFINING_GAPS}
    assert set(filter(None, overall["defining_missing"].split("|"))) == gaps
    caveats = dd.load_differentials().caveats
    for entity, marker in KNOWN_DEFINING_GAPS:
        assert ((caveats["topic"] == "evidence_gap") & caveats["entities"].str.contains(entity)
                & caveats["markers"].str.contains(marker)).any(), (entity, marker)
    text = dd.format_ihc_coverage(data.ihc, data.entities)
    assert text.startswith(f"IHC matrix: {overall['filled']} of {overall['total']} ")
    assert f"({overall['percent']:.1f}%)" in text


def test_coverage_on_a_small_table() -> None:
    entities = load("differentials_entities")
    ihc = pd.DataFrame(
        {
            "entity_id": ["asps", "asps", "melanoma"],
            "marker": ["tfe3", "s100", "s100"],
            "expected": ["positive", "focal_or_weak", "positive"],
            "basis": ["b"] * 3, "source": ["pmid:1"] * 3,
            "verification": ["read_in_source", "from_reference_notes", "read_in_source"],
        }
    )
    frame = dd.ihc_coverage(ihc, entities).set_index("entity_id")
    assert frame.loc["asps", "filled"] == 2 and frame.loc["asps", "read"] == 1
    assert frame.loc["melanoma", "filled"] == 1 and frame.loc["pecoma", "filled"] == 0
    assert frame.loc["all", "filled"] == 3
    assert frame.loc["all", "total"] == len(ENTITY_IDS) * len(MARKERS)
    assert "cathepsin_k" in frame.loc["asps", "defining_missing"].split("|")
    assert "melanoma:sox10" in frame.loc["all", "defining_missing"].split("|")
    assert "defining markers with no data: cathepsin_k, pas_d_crystals" in (
        dd.format_ihc_coverage(ihc, entities))
