"""Differential diagnosis of ASPS: marker matrix, observed-profile filter, imaging table, caveats.

Each public builder takes validated frames (loaded from ``data/`` when omitted) and returns an
:class:`~asps.tables.HTMLFragment` that works offline: no script, style or font from any server.
Every text that comes from the data is HTML-escaped, or set through ``textContent`` in the
browser, so a data file cannot inject markup into the page.

A chapter calls one line each, for example::

    from asps import differentials as dd
    dd.marker_matrix()
    dd.ihc_filter()
    dd.imaging_table()
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from asps.loading import load
from asps.render import _js_json
from asps.schemas.differentials import ENTITY_IDS, MARKERS, split_ids
from asps.style import OKABE_ITO
from asps.tables import ID_PATTERN, HTMLFragment, interactive_table

__all__ = [
    "DEFINING_MARKERS",
    "DISCLAIMER",
    "EXAMPLE_PROFILES",
    "OBSERVED_VALUES",
    "RESULT_LABEL",
    "RESULT_SYMBOL",
    "Differentials",
    "caveat_list",
    "entity_table",
    "format_ihc_coverage",
    "ihc_coverage",
    "ihc_evidence_table",
    "ihc_filter",
    "imaging_table",
    "load_differentials",
    "marker_matrix",
    "matrix_frame",
    "rank_entities",
    "source_links",
]

RESULT_SYMBOL = {
    "positive": "+",
    "negative": "\u2212",
    "variable": "\u00b1",
    "focal_or_weak": "(+)",
    "not_established": "?",
}
RESULT_LABEL = {
    "positive": "positive",
    "negative": "negative",
    "variable": "variable",
    "focal_or_weak": "focal or weak",
    "not_established": "not established",
}
NO_DATA = "no data"
RESULT_COLOUR = {
    "positive": OKABE_ITO[0],
    "negative": OKABE_ITO[1],
    "variable": OKABE_ITO[3],
    "focal_or_weak": OKABE_ITO[4],
    "not_established": OKABE_ITO[7],
}
# Sorting a marker column brings positives first; empty (no data) always sorts last.
_RESULT_ORDER = {"positive": 0, "focal_or_weak": 1, "variable": 2, "not_established": 3,
                 "negative": 4}
OBSERVED_VALUES = ("positive", "negative")
HALF_CREDIT = ("variable", "focal_or_weak")
VERIFICATION_LABEL = {
    "read_in_source": "figure read in the cited source",
    "from_reference_notes": "from the project's reference notes, which cite this source",
}
DISCLAIMER = (
    "Educational aid, not a diagnostic device. It ranks textbook patterns from a handful of "
    "published series; real tumours vary, stains differ between laboratories, and a diagnosis "
    "of ASPS rests on a pathologist's reading with molecular confirmation."
)
#: Profiles offered as one-click examples in the browser filter (and used in the tests).
EXAMPLE_PROFILES: dict[str, dict[str, str]] = {
    "ASPS-like: TFE3+, cathepsin K+, S100\u2212, PAX8\u2212": {
        "tfe3": "positive", "cathepsin_k": "positive", "s100": "negative", "pax8": "negative"},
    "Renal-type: TFE3+, PAX8+": {"tfe3": "positive", "pax8": "positive"},
    "Melanocytic: S100+, SOX10+, HMB45+": {
        "s100": "positive", "sox10": "positive", "hmb45": "positive"},
}

#: The markers that define each entity in the textbooks and reference pages, the stains a
#: pathologist orders to confirm or exclude it. Every one must have a sourced row (tests check).
DEFINING_MARKERS: dict[str, tuple[str, ...]] = {
    "asps": ("tfe3", "cathepsin_k", "pas_d_crystals"),
    "paraganglioma": ("chromogranin", "synaptophysin", "gata3", "s100"),
    "clear_cell_rcc": ("pax8", "caix", "cd10"),
    "adrenal_cortical_carcinoma": ("sf1", "inhibin", "calretinin", "melan_a"),
    "hepatocellular_carcinoma": ("heppar1", "arginase1", "glypican3"),
    "alveolar_rhabdomyosarcoma": ("desmin", "myogenin", "myod1_nuclear"),
    "melanoma": ("s100", "sox10", "hmb45", "melan_a"),
    "granular_cell_tumour": ("s100", "sox10", "inhibin"),
    "pecoma": ("hmb45", "melan_a", "desmin", "cathepsin_k"),
    "xp11_rcc": ("tfe3", "pax8", "cathepsin_k"),
}

@dataclass(frozen=True)
class Differentials:
    """The four validated differential-diagnosis tables."""

    entities: pd.DataFrame
    ihc: pd.DataFrame
    imaging: pd.DataFrame
    caveats: pd.DataFrame


def load_differentials(data_dir: Path | None = None) -> Differentials:
    """Load and validate ``data/differentials_*.csv``."""
    return Differentials(
        entities=load("differentials_entities", data_dir),
        ihc=load("differentials_ihc", data_dir),
        imaging=load("differentials_imaging", data_dir),
        caveats=load("differentials_caveats", data_dir),
    )


def _entities(entities: pd.DataFrame | None) -> pd.DataFrame:
    frame = load("differentials_entities") if entities is None else entities
    order = {entity: position for position, entity in enumerate(ENTITY_IDS)}
    return frame.sort_values("entity_id", key=lambda s: s.map(order)).reset_index(drop=True)


def _ihc(ihc: pd.DataFrame | None) -> pd.DataFrame:
    return load("differentials_ihc") if ihc is None else ihc


def _esc(value: object) -> str:
    """Escaped text; missing values become empty cells."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return html.escape(str(value))


def _urls(sources: object) -> list[tuple[str, str]]:
    """(label, https URL) for each identifier in a ' ; '-joined source field."""
    links = []
    for part in str(sources).split(" ; "):
        part = part.strip()
        if part.startswith("doi:"):
            links.append((part, "https://doi.org/" + part[4:]))
        elif part.startswith("pmid:"):
            links.append((f"PMID {part[5:]}", f"https://pubmed.ncbi.nlm.nih.gov/{part[5:]}/"))
        elif part.startswith(("http://", "https://")):
            host = urlsplit(part).hostname or part
            links.append((host.removeprefix("www."), part))
    return links


def source_links(sources: object) -> str:
    """HTML links (escaped) for a ``' ; '``-joined source field; labels are short host names."""
    return ", ".join(
        f'<a href="{html.escape(url, quote=True)}" rel="noopener">{html.escape(label)}</a>'
        for label, url in _urls(sources)
    )


# --- marker matrix ----------------------------------------------------------------------------


def matrix_frame(ihc: pd.DataFrame, entities: pd.DataFrame | None = None) -> pd.DataFrame:
    """Entities by markers: each cell the expected result code, or missing where no source says.

    Rows are entity ids in display order, columns marker ids in display order.
    """
    ids = list(_entities(entities)["entity_id"]) if entities is not None else ENTITY_IDS
    wide = ihc.pivot(index="entity_id", columns="marker", values="expected")
    return wide.reindex(index=ids, columns=list(MARKERS)).astype(object).where(
        lambda f: f.notna(), None
    )


def ihc_coverage(
    ihc: pd.DataFrame | None = None, entities: pd.DataFrame | None = None
) -> pd.DataFrame:
    """How much of the marker matrix, as displayed, has a sourced result.

    One row per entity in display order, then a last row ``entity_id == "all"``. Columns:
    ``entity_id``, ``entity`` (short name), ``filled`` (cells with a result), ``read`` (of those,
    read in the cited source), ``total`` (cells shown: one per marker), ``percent`` (filled of
    total, one decimal) and ``defining_missing`` (defining markers without a result, ``|``
    between several). The denominator is every entity by every marker in ``MARKERS``, so adding
    a marker lowers the figure until its cells are sourced.
    """
    ihc = _ihc(ihc)
    ordered = _entities(entities)
    matrix = matrix_frame(ihc, ordered)
    read = {
        (r.entity_id, r.marker) for r in ihc.itertuples(index=False)
        if r.verification == "read_in_source"
    }
    rows = []
    for entity, name in zip(ordered["entity_id"], ordered["short_name"], strict=True):
        cells = matrix.loc[entity]
        filled = [marker for marker in MARKERS if cells[marker] is not None]
        missing = [m for m in DEFINING_MARKERS.get(entity, ()) if cells[m] is None]
        rows.append({
            "entity_id": entity, "entity": name, "filled": len(filled),
            "read": sum((entity, marker) in read for marker in filled),
            "total": len(MARKERS), "defining_missing": "|".join(missing),
        })
    frame = pd.DataFrame(rows, columns=["entity_id", "entity", "filled", "read", "total",
                                        "defining_missing"])
    total_row = {
        "entity_id": "all", "entity": "All entities", "filled": int(frame["filled"].sum()),
        "read": int(frame["read"].sum()), "total": int(frame["total"].sum()),
        "defining_missing": "|".join(
            f"{e}:{m}" for e, ms in zip(frame["entity_id"], frame["defining_missing"],
                                        strict=True) for m in split_ids(ms or None)
        ),
    }
    frame = pd.concat([frame, pd.DataFrame([total_row])], ignore_index=True)
    frame.insert(5, "percent", (100 * frame["filled"] / frame["total"]).round(1))
    return frame


def format_ihc_coverage(
    ihc: pd.DataFrame | None = None, entities: pd.DataFrame | None = None
) -> str:
    """:func:`ihc_coverage` as plain text: the headline, then one line per entity."""
    frame = ihc_coverage(ihc, entities)
    overall = frame.iloc[-1]
    lines = [
        f"IHC matrix: {overall['filled']} of {overall['total']} entity x marker cells have a "
        f"sourced result ({overall['percent']:.1f}%); {overall['read']} of them read in the "
        f"cited source. {len(frame) - 1} entities x {len(MARKERS)} markers.",
    ]
    width = max(len(str(name)) for name in frame["entity"].iloc[:-1])
    for row in frame.iloc[:-1].itertuples(index=False):
        missing = row.defining_missing.replace("|", ", ")
        lines.append(
            f"  {row.entity:<{width}}  {row.filled:>2}/{row.total}  ({row.percent:5.1f}%)"
            + (f"  defining markers with no data: {missing}" if missing else "")
        )
    return "\n".join(lines)


def _caveats_by_cell(caveats: pd.DataFrame) -> dict[tuple[str, str], list[str]]:
    """Caveat ids for each (entity, marker) cell that a caveat names."""
    cells: dict[tuple[str, str], list[str]] = {}
    for row in caveats.itertuples(index=False):
        for entity in split_ids(row.entities):
            for marker in split_ids(row.markers):
                cells.setdefault((entity, marker), []).append(str(row.caveat_id))
    return cells


def _matrix_cell(
    entity: pd.Series, marker: str, row: pd.Series | None, caveats: list[str]
) -> tuple[str, str | None]:
    where = f"{entity['short_name']} \u00b7 {MARKERS[marker]}"
    if row is None:
        title = f"{where}: no source gives this result."
        markup = (
            f'<span class="dd-cell dd-nodata" title="{html.escape(title, quote=True)}">'
            f"{NO_DATA}</span>"
        )
        return markup, None
    result = str(row["expected"])
    links = _urls(row["source"])
    title = (
        f"{where}: {RESULT_LABEL[result]}. {row['basis']}. "
        f"Source: {', '.join(label for label, _ in links)}."
    )
    if caveats:
        title += " A caveat applies: select the cell to read it."
    attributes = {
        "class": f"dd-cell dd-{result}",
        "title": title,
        "aria-label": f"{where}: {RESULT_LABEL[result]}"
        + (" (caveat applies)" if caveats else ""),
        "data-where": where,
        "data-result": RESULT_LABEL[result],
        "data-symbol": RESULT_SYMBOL[result],
        "data-basis": str(row["basis"]),
        "data-verification": VERIFICATION_LABEL[str(row["verification"])],
        "data-links": json.dumps(links),
        "data-caveats": " ".join(caveats),
    }
    rendered = " ".join(
        f'{key}="{html.escape(value, quote=True)}"' for key, value in attributes.items()
    )
    mark = '<span class="dd-caveat-mark" aria-hidden="true">*</span>' if caveats else ""
    return (
        f'<button type="button" {rendered}><span aria-hidden="true">{RESULT_SYMBOL[result]}'
        f"</span>{mark}</button>",
        str(_RESULT_ORDER[result]),
    )


def _legend() -> str:
    items = "".join(
        f'<li><span class="dd-cell dd-{result}" aria-hidden="true">{RESULT_SYMBOL[result]}</span>'
        f"{RESULT_LABEL[result]}</li>"
        for result in RESULT_SYMBOL
    )
    items += (
        f'<li><span class="dd-cell dd-nodata" aria-hidden="true">{NO_DATA}</span>'
        "no source gives a result</li>"
    )
    items += '<li><span class="dd-caveat-mark" aria-hidden="true">*</span> a caveat applies</li>'
    return f'<ul class="dd-legend" aria-label="Legend">{items}</ul>'


def marker_matrix(
    ihc: pd.DataFrame | None = None,
    entities: pd.DataFrame | None = None,
    caveats: pd.DataFrame | None = None,
    *,
    table_id: str = "dd-matrix",
) -> HTMLFragment:
    """Entities by markers, each cell a symbol and a colour; select a cell for basis and source.

    Sortable by any marker (positives first), searchable, readable without colour; the first
    column stays in view when the matrix scrolls sideways on a phone.
    """
    ihc = _ihc(ihc)
    entities = _entities(entities)
    caveats = load("differentials_caveats") if caveats is None else caveats
    by_cell = {(r.entity_id, r.marker): r for _, r in ihc.iterrows()}
    notes = _caveats_by_cell(caveats)
    statements = dict(zip(caveats["caveat_id"], caveats["statement"], strict=True))
    cells: dict[str, list[str]] = {"Entity": []}
    keys: dict[str, list[str | None]] = {"Entity": []}
    for _, entity in entities.iterrows():
        cells["Entity"].append(
            f'<span title="{_esc(entity["name"])}">{_esc(entity["short_name"])}</span>'
        )
        keys["Entity"].append(None)
        for marker, label in MARKERS.items():
            markup, key = _matrix_cell(
                entity,
                marker,
                by_cell.get((entity["entity_id"], marker)),
                notes.get((entity["entity_id"], marker), []),
            )
            cells.setdefault(label, []).append(markup)
            keys.setdefault(label, []).append(key)
    table = interactive_table(
        pd.DataFrame(cells),
        caption="Expected stain results: entities (rows) by markers (columns)",
        table_id=table_id,
        page_length=0,
        escape=False,
        sticky_first_column=True,
        sort_keys=pd.DataFrame(keys),
    )
    return HTMLFragment(
        f'<div class="dd-matrix" id="{table_id}-wrap">\n'
        f"{_legend()}\n<p class=\"dd-hint\">Hover, tap or focus a cell for the basis and the "
        "source; select a column header to sort.</p>\n"
        f"{table}\n"
        '<div class="dd-detail" aria-live="polite" hidden></div>\n'
        '<script type="application/json" class="dd-caveat-data">'
        f"{_js_json(statements)}"
        "</script>\n</div>"
    )


# --- ranking ----------------------------------------------------------------------------------


def _check_observed(observed: Mapping[str, str]) -> None:
    unknown = sorted(set(observed) - set(MARKERS))
    if unknown:
        raise ValueError(f"unknown marker(s) {unknown}; known: {', '.join(MARKERS)}")
    bad = {m: v for m, v in observed.items() if v not in OBSERVED_VALUES}
    if bad:
        raise ValueError(f"observed results must be 'positive' or 'negative', got {bad}")


def rank_entities(
    ihc: pd.DataFrame,
    observed: Mapping[str, str],
    entities: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Rank entities by how well their expected stains fit an observed profile.

    Rule (the browser filter applies the same one): an observed result opposite to an expected
    ``positive`` or ``negative`` excludes the entity and is listed as a contradiction; otherwise
    a match scores 1, an expected ``variable`` or ``focal_or_weak`` scores 0.5, and no data (or
    ``not_established``) scores 0. Compatible entities come first by score, then excluded ones by
    fewest contradictions and score; ties keep the display order of the entities.

    Parameters
    ----------
    ihc
        The ``differentials_ihc`` table.
    observed
        Marker id -> ``"positive"`` or ``"negative"``; markers not tested are left out.
    entities
        The ``differentials_entities`` table, for names; ids are shown when omitted.

    Returns
    -------
    pandas.DataFrame
        One row per entity: ``rank`` (missing when excluded), ``entity_id``, ``entity``,
        ``status`` (compatible / excluded), ``score``, ``matches``, ``half``, ``no_data``,
        ``contradictions`` (text, empty when none).
    """
    _check_observed(observed)
    if entities is None:
        names = {entity: entity for entity in ENTITY_IDS}
        ids = [e for e in ENTITY_IDS if e in set(ihc["entity_id"])]
    else:
        ordered = _entities(entities)
        names = dict(zip(ordered["entity_id"], ordered["short_name"], strict=True))
        ids = list(ordered["entity_id"])
    expected = {(r.entity_id, r.marker): r.expected for r in ihc.itertuples(index=False)}
    rows = []
    for position, entity in enumerate(ids):
        score, matches, half, no_data, against = 0.0, 0, 0, 0, []
        for marker in (m for m in MARKERS if m in observed):
            value = observed[marker]
            wanted = expected.get((entity, marker))
            if wanted in OBSERVED_VALUES:
                if wanted == value:
                    matches += 1
                    score += 1
                else:
                    against.append(
                        f"{MARKERS[marker]}: expected {RESULT_LABEL[wanted]}, observed {value}"
                    )
            elif wanted in HALF_CREDIT:
                half += 1
                score += 0.5
            else:
                no_data += 1
        rows.append(
            {
                "entity_id": entity,
                "entity": names.get(entity, entity),
                "status": "excluded" if against else "compatible",
                "score": score,
                "matches": matches,
                "half": half,
                "no_data": no_data,
                "contradictions": "; ".join(against),
                "_n_against": len(against),
                "_position": position,
            }
        )
    frame = pd.DataFrame(rows)
    frame["_excluded"] = frame["status"] == "excluded"
    frame = frame.sort_values(
        ["_excluded", "_n_against", "score", "_position"], ascending=[True, True, False, True]
    ).reset_index(drop=True)
    compatible = ~frame["_excluded"]
    frame.insert(0, "rank", pd.array([pd.NA] * len(frame), dtype="Int64"))
    frame.loc[compatible, "rank"] = range(1, int(compatible.sum()) + 1)
    return frame.drop(columns=["_excluded", "_n_against", "_position"])


# --- browser filter ---------------------------------------------------------------------------


def ihc_filter(
    ihc: pd.DataFrame | None = None,
    entities: pd.DataFrame | None = None,
    *,
    widget_id: str = "dd-filter",
) -> HTMLFragment:
    """A browser widget: enter observed stain results, see the entities ranked as by
    :func:`rank_entities`, with what contradicts the excluded ones. Offline, no dependency."""
    if not ID_PATTERN.match(widget_id):
        raise ValueError(f"widget_id must match {ID_PATTERN.pattern}, got {widget_id!r}")
    ihc = _ihc(ihc)
    ordered = _entities(entities)
    data = {
        "entities": [
            {"id": row.entity_id, "name": row.short_name, "full": row.name}
            for row in ordered.itertuples(index=False)
        ],
        "markers": [{"id": marker, "label": label} for marker, label in MARKERS.items()],
        "expected": {
            entity: dict(zip(group["marker"], group["expected"], strict=True))
            for entity, group in ihc.groupby("entity_id")
        },
        "labels": RESULT_LABEL,
        "examples": EXAMPLE_PROFILES,
    }
    selects = "\n".join(
        f'<label class="dd-field"><span>{html.escape(label)}</span>'
        f'<select data-marker="{marker}"><option value="">not tested</option>'
        '<option value="positive">positive (+)</option>'
        '<option value="negative">negative (\u2212)</option></select></label>'
        for marker, label in MARKERS.items()
    )
    examples = "".join(
        f'<button type="button" class="dd-example" data-example="{html.escape(name, quote=True)}">'
        f"{html.escape(name)}</button>"
        for name in EXAMPLE_PROFILES
    )
    return HTMLFragment(
        f"""<!--| quarto-html-table-processing: none -->
<section class="dd-filter asps-table" id="{widget_id}" aria-labelledby="{widget_id}-title">
<p class="asps-table-caption" id="{widget_id}-title">Which entities fit an observed stain profile?
</p>
<p class="dd-disclaimer" role="note"><strong>{html.escape(DISCLAIMER.split('. ', 1)[0])}.</strong>
{html.escape(DISCLAIMER.split('. ', 1)[1])}</p>
<details class="dd-rule"><summary>How the ranking works</summary>
<p>An observed result opposite to an expected positive or negative excludes the entity, and the
contradiction is listed. The others are ranked by score: 1 for each match, &frac12; where the
expected result is variable or focal/weak, 0 where no source gives one.</p></details>
<form class="dd-form" autocomplete="off">
<fieldset><legend>Observed results</legend>
<div class="dd-examples" hidden><span>Examples:</span> {examples}</div>
<div class="dd-grid">
{selects}
</div>
<button type="reset" class="dd-reset">Clear all</button>
</fieldset>
</form>
<p class="dd-summary" aria-live="polite"></p>
<div class="asps-table-scroll" tabindex="0" role="region" aria-label="Ranking">
<table class="dd-results"><thead><tr><th scope="col">Rank</th>
<th scope="col">Entity (and what excludes it)</th><th scope="col">Score</th>
<th scope="col" title="matches / half-credit / no data">Match / &frac12; / none</th>
</tr></thead><tbody></tbody></table>
</div>
<noscript><p>This filter needs JavaScript. The function
<code>asps.differentials.rank_entities</code> gives the same ranking.</p></noscript>
<script type="application/json" class="dd-data">{_js_json(data)}</script>
</section>"""
    )


# --- text tables ------------------------------------------------------------------------------


def _text_table(
    frame: pd.DataFrame,
    columns: Mapping[str, str],
    *,
    caption: str,
    table_id: str,
    sources_column: str = "sources",
    page_length: int = 0,
) -> HTMLFragment:
    shown = pd.DataFrame(
        {
            label: frame[column].map(source_links if column == sources_column else _esc)
            for column, label in columns.items()
        }
    )
    return interactive_table(
        shown, caption=caption, table_id=table_id, page_length=page_length, escape=False,
        sticky_first_column=True,
    )


def imaging_table(imaging: pd.DataFrame | None = None) -> HTMLFragment:
    """MRI of ASPS and its imaging mimics: T1, T2, enhancement and vessels, how to tell apart."""
    imaging = load("differentials_imaging") if imaging is None else imaging
    return _text_table(
        imaging,
        {
            "name": "Entity",
            "t1_signal": "T1",
            "t2_signal": "T2",
            "enhancement_and_vessels": "Enhancement and vessels",
            "distinguishing_from_asps": "Telling it from ASPS",
            "cho2014_statement": "Founding series (Cho 2014) said",
            "sources": "Sources",
        },
        caption="MRI appearance of ASPS and its imaging mimics",
        table_id="dd-imaging",
    )


def entity_table(entities: pd.DataFrame | None = None) -> HTMLFragment:
    """Histological mimics: morphology, molecular findings, how to tell each from ASPS."""
    entities = _entities(entities)
    shown = entities.assign(
        cho2014_check=entities["cho2014_check"].map(
            lambda v: None if pd.isna(v) else str(v).replace("_", " ")
        )
    )
    return _text_table(
        shown,
        {
            "name": "Entity",
            "key_morphology": "Morphology",
            "molecular": "Molecular",
            "distinguishing_from_asps": "Telling it from ASPS",
            "cho2014_statement": "Founding series (Cho 2014) said",
            "cho2014_check": "Holds up?",
            "sources": "Sources",
        },
        caption="Histological mimics of ASPS",
        table_id="dd-entities",
    )


def ihc_evidence_table(
    ihc: pd.DataFrame | None = None, entities: pd.DataFrame | None = None
) -> HTMLFragment:
    """Every expected result with its basis and source, one row each: the matrix as a list."""
    ihc = _ihc(ihc)
    names = dict(zip(_entities(entities)["entity_id"], _entities(entities)["short_name"],
                     strict=True))
    frame = ihc.assign(
        entity=ihc["entity_id"].map(names),
        marker_label=ihc["marker"].map(MARKERS),
        result=ihc["expected"].map(lambda r: f"{RESULT_SYMBOL[r]} {RESULT_LABEL[r]}"),
        checked=ihc["verification"].map(
            {"read_in_source": "read in source", "from_reference_notes": "via reference notes"}
        ),
    )
    return _text_table(
        frame,
        {
            "entity": "Entity",
            "marker_label": "Marker",
            "result": "Expected",
            "basis": "Basis",
            "source": "Source",
            "checked": "How it was checked",
        },
        caption="Expected stain results with their basis and source",
        table_id="dd-evidence",
        sources_column="source",
        page_length=25,
    )


def caveat_list(caveats: pd.DataFrame | None = None) -> HTMLFragment:
    """The caveats of the markers and the sources, as a list with their sources."""
    caveats = load("differentials_caveats") if caveats is None else caveats
    topic = {
        "specificity": "Specificity",
        "molecular": "Molecular",
        "method": "Method",
        "sources_disagree": "Sources disagree",
        "evidence_gap": "No data",
        "reference_correction": "Correction",
    }
    items = "\n".join(
        f'<li><span class="dd-topic">{html.escape(topic.get(row.topic, str(row.topic)))}</span> '
        f"{_esc(row.statement)} <span class=\"dd-sources\">Sources: {source_links(row.sources)}"
        "</span></li>"
        for row in caveats.itertuples(index=False)
    )
    return HTMLFragment(
        f'<div class="dd-caveats">\n<ul>\n{items}\n</ul></div>'
    )
