"""Schemas of the differential diagnosis tables: entities, immunohistochemistry, imaging, caveats.

The vocabularies here (entity ids, marker ids, expected results) are the contract: the CSV files
may only use them, and the page builds its matrix and filter from them.

How an expected result is chosen from a source (curation rule, shown on the page):

- ``positive``: positive in at least 90% of cases, or described as positive without a figure;
- ``negative``: positive in at most 10% of cases, or described as negative;
- ``variable``: anything between, or "and/or" statements across markers;
- ``focal_or_weak``: staining described as focal, weak, or confined to a subpopulation;
- ``not_established``: a source studied the marker without a usable pattern.

Where no source gives a result there is no row: the matrix then says "no data", never a guess.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

#: Histological entities: ASPS and its microscopic mimics, in display order.
ENTITY_IDS = [
    "asps",
    "paraganglioma",
    "clear_cell_rcc",
    "adrenal_cortical_carcinoma",
    "hepatocellular_carcinoma",
    "alveolar_rhabdomyosarcoma",
    "melanoma",
    "granular_cell_tumour",
    "pecoma",
    "xp11_rcc",
]
REFERENCE_ENTITY = "asps"

#: Imaging entities: ASPS and its MRI mimics, in display order.
IMAGING_ENTITY_IDS = [
    "asps",
    "intramuscular_haemangioma",
    "arteriovenous_malformation",
    "clear_cell_sarcoma",
    "metastatic_melanoma",
    "liposarcoma",
    "sarcoma_with_haemorrhage",
]

#: Marker id -> label, in display order. PAS-D crystals is a histochemical stain, kept beside
#: the immunostains because it is read the same way.
MARKERS = {
    "tfe3": "TFE3 (nuclear)",
    "cathepsin_k": "Cathepsin K",
    "pas_d_crystals": "PAS-D crystals",
    "s100": "S100",
    "sox10": "SOX10",
    "hmb45": "HMB45",
    "melan_a": "Melan-A",
    "cytokeratin": "Cytokeratin",
    "ema": "EMA",
    "pax8": "PAX8",
    "chromogranin": "Chromogranin",
    "synaptophysin": "Synaptophysin",
    "gata3": "GATA3",
    "myogenin": "Myogenin",
    "myod1_nuclear": "MyoD1 (nuclear)",
    "desmin": "Desmin",
    "inhibin": "Inhibin",
    "sf1": "SF-1",
    "heppar1": "HepPar-1",
    "caix": "CAIX",
    "calretinin": "Calretinin",
    "arginase1": "Arginase-1",
    "glypican3": "Glypican-3",
    "cd10": "CD10",
}

EXPECTED = ["positive", "negative", "variable", "focal_or_weak", "not_established"]
VERIFICATION = ["read_in_source", "from_reference_notes"]
CHO2014_CHECK = ["confirmed", "consistent", "refined", "not_assessed"]
CAVEAT_TOPICS = [
    "specificity",
    "molecular",
    "method",
    "sources_disagree",
    "evidence_gap",
    "reference_correction",
]

# One identifier, or several joined by " ; " (URLs may contain a bare ";", never a space).
_ONE_SOURCE = r"(?:doi:10\.\d{4,9}/\S+|pmid:\d+|https?://\S+)"
SOURCES_PATTERN = rf"^{_ONE_SOURCE}(?: ; {_ONE_SOURCE})*$"
_ID = r"^[a-z][a-z0-9_]*$"
_TEXT = {"min_value": 3}


def split_ids(value: object) -> list[str]:
    """Split a ``|``-separated id list; missing means none."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return []
    return [part for part in str(value).split("|")]


def _known(series: pd.Series, known: set[str]) -> pd.Series:
    return series.map(lambda value: all(part in known for part in split_ids(value)))


class DifferentialEntitySchema(pa.DataFrameModel):
    """One histological entity in the differential diagnosis of ASPS (ASPS itself included)."""

    entity_id: Series[str] = pa.Field(
        isin=ENTITY_IDS, unique=True, description="Stable identifier, from the schema's list."
    )
    name: Series[str] = pa.Field(str_length=_TEXT, description="Full name shown on the page.")
    short_name: Series[str] = pa.Field(
        str_length={"min_value": 2, "max_value": 28},
        description="Short label for matrix rows and the filter (fits a phone column).",
    )
    key_morphology: Series[str] = pa.Field(
        str_length=_TEXT, description="Microscopic appearance, as the sources describe it."
    )
    molecular: Series[str] = pa.Field(
        nullable=True,
        str_length=_TEXT,
        description="Molecular findings; empty where no source was verified.",
    )
    distinguishing_from_asps: Series[str] = pa.Field(
        str_length=_TEXT, description="How the sources tell this entity from ASPS."
    )
    cho2014_statement: Series[str] = pa.Field(
        nullable=True,
        str_length=_TEXT,
        description="What the founding series (Cho 2014) says about it, quoted; empty if silent.",
    )
    cho2014_check: Series[str] = pa.Field(
        nullable=True,
        isin=CHO2014_CHECK,
        description="How that statement holds against the later sources.",
    )
    sources: Series[str] = pa.Field(
        str_matches=SOURCES_PATTERN,
        description="DOI (doi:...), PMID (pmid:...) or URL; several joined by ' ; '.",
    )

    class Config:
        strict = True
        ordered = False

    @pa.dataframe_check(error="cho2014_check is required exactly when cho2014_statement is given")
    def check_goes_with_statement(cls, df: pd.DataFrame) -> Series[bool]:
        return df["cho2014_statement"].isna() == df["cho2014_check"].isna()

    @pa.dataframe_check(error="the reference entity 'asps' must be present")
    def reference_entity_present(cls, df: pd.DataFrame) -> bool:
        return bool((df["entity_id"] == REFERENCE_ENTITY).any())


class DifferentialIHCSchema(pa.DataFrameModel):
    """One expected stain result for one entity, with the source that gives it."""

    entity_id: Series[str] = pa.Field(
        isin=ENTITY_IDS, description="Entity (a known id from differentials_entities)."
    )
    marker: Series[str] = pa.Field(isin=list(MARKERS), description="Marker or stain id.")
    expected: Series[str] = pa.Field(
        isin=EXPECTED,
        description="Expected result under the curation rule in the module docstring.",
    )
    basis: Series[str] = pa.Field(
        str_length={"min_value": 3, "max_value": 200},
        description="Short, near-verbatim basis, e.g. '19/19 ASPS'.",
    )
    source: Series[str] = pa.Field(
        str_matches=SOURCES_PATTERN,
        description="DOI, PMID or URL giving the result; several joined by ' ; '.",
    )
    verification: Series[str] = pa.Field(
        isin=VERIFICATION,
        description="read_in_source: the figure was read in the cited source; "
        "from_reference_notes: taken from the project's reference notes, which cite it.",
    )

    class Config:
        strict = True
        ordered = False

    @pa.dataframe_check(
        error="this entity-marker pair appears on more than one row (one expected result each)"
    )
    def one_row_per_entity_and_marker(cls, df: pd.DataFrame) -> Series[bool]:
        return ~df.duplicated(["entity_id", "marker"], keep=False)


class DifferentialImagingSchema(pa.DataFrameModel):
    """MRI appearance of ASPS or one of its imaging mimics."""

    entity_id: Series[str] = pa.Field(
        isin=IMAGING_ENTITY_IDS, unique=True, description="Imaging entity id."
    )
    name: Series[str] = pa.Field(str_length=_TEXT, description="Name shown on the page.")
    t1_signal: Series[str] = pa.Field(str_length=_TEXT, description="Signal on T1-weighted MRI.")
    t2_signal: Series[str] = pa.Field(str_length=_TEXT, description="Signal on T2-weighted MRI.")
    enhancement_and_vessels: Series[str] = pa.Field(
        str_length=_TEXT, description="Contrast enhancement, flow voids, feeding vessels."
    )
    distinguishing_from_asps: Series[str] = pa.Field(
        str_length=_TEXT, description="How the sources tell it from ASPS on imaging."
    )
    cho2014_statement: Series[str] = pa.Field(
        nullable=True,
        str_length=_TEXT,
        description="What the founding series (Cho 2014) says, quoted; empty if silent.",
    )
    sources: Series[str] = pa.Field(
        str_matches=SOURCES_PATTERN,
        description="DOI, PMID or URL; several joined by ' ; '.",
    )

    class Config:
        strict = True
        ordered = False


class DifferentialCaveatSchema(pa.DataFrameModel):
    """A limit of the markers or of the sources that the page must show beside the matrix."""

    caveat_id: Series[str] = pa.Field(unique=True, str_matches=_ID, description="Stable id.")
    topic: Series[str] = pa.Field(isin=CAVEAT_TOPICS, description="Kind of caveat.")
    statement: Series[str] = pa.Field(
        str_length={"min_value": 10}, description="The caveat, in a sentence or two."
    )
    entities: Series[str] = pa.Field(
        nullable=True, description="Entity ids it concerns, '|' between several."
    )
    markers: Series[str] = pa.Field(
        nullable=True, description="Marker ids it concerns, '|' between several."
    )
    sources: Series[str] = pa.Field(
        str_matches=SOURCES_PATTERN,
        description="DOI, PMID or URL; several joined by ' ; '.",
    )

    class Config:
        strict = True
        ordered = False

    @pa.check("entities", error="unknown entity id in the '|'-separated list")
    def known_entities(cls, series: Series[str]) -> Series[bool]:
        return _known(series, set(ENTITY_IDS) | set(IMAGING_ENTITY_IDS))

    @pa.check("markers", error="unknown marker id in the '|'-separated list")
    def known_markers(cls, series: Series[str]) -> Series[bool]:
        return _known(series, set(MARKERS))


TABLES = {
    "differentials_entities.csv": DifferentialEntitySchema,
    "differentials_ihc.csv": DifferentialIHCSchema,
    "differentials_imaging.csv": DifferentialImagingSchema,
    "differentials_caveats.csv": DifferentialCaveatSchema,
}
