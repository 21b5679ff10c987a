"""Helpers the chapters call: escaping, citations, formatting, the KM overlay frame."""

from __future__ import annotations

import markdown_it
import pytest

from asps import bibliography as B
from asps import review as R


def test_text_escapes_markup_and_markdown() -> None:
    payload = '<img src=x onerror=alert(1)> *bold* [link](http://x) `code`'
    rendered = markdown_it.MarkdownIt().render(R.text(payload))
    assert "<img" not in rendered and "<em>" not in rendered and "<a " not in rendered
    assert "&lt;img src=x onerror=alert(1)&gt;" in rendered and "*bold*" in rendered


def test_cite_keeps_only_plain_keys() -> None:
    assert R.cite(["cho2014", "seer2016", "cho2014"]) == "[@cho2014; @seer2016]"
    assert R.cite(["<script>", None, float("nan")]) == ""


def test_percent_rounds_half_up() -> None:
    assert R.pct(52.5) == "53%" and R.pct(78.947, 1) == "78.9%"
    assert R.frac(2, 19) == "2 of 19 (11%)"
    assert R.pvalue(0.0004) == "p < 0.001" and R.pvalue(0.2394) == "p = 0.24"


def test_reported_survival_comes_from_the_printed_figures() -> None:
    figures = R.table("cho2014_figures")
    overlay = R.reported_survival(figures)
    printed = figures[(figures["measure"] == "km_survival_pct") & figures["time_months"].notna()]
    assert len(overlay) == len(printed.drop_duplicates(["group_variable", "group", "time_months"]))
    overall = overlay[(overlay["factor"] == "overall") & (overlay["time_months"] == 36)]
    # Cho 2014, results: "In total, 3-year survival was 78.9%".
    assert overall["survival"].iloc[0] == 0.789
    assert overall["text"].iloc[0] == "reported in Cho 2014: 78.9% at 3 years"


def test_approval_event_is_asps_specific() -> None:
    event = R.approval_event()
    assert bool(event["asps_specific"]) and event["event_type"] == "regulatory_approval"


# --- the bibliography: every cited entry has authors and a checked identifier ---------------


_ENTRIES = B.load_bibliography()
_CITED = sorted(B.cited_keys(_ENTRIES))


def test_citations_are_found_in_pages_and_data() -> None:
    assert {"cho2014", "chen2023atezolizumab", "portera2001", "kayton2006"} <= set(_CITED)
    # A DOI in a data source column resolves to its entry (prognostic_factors.csv cites Cho by DOI).
    assert "cho2014" in B.data_citations(_ENTRIES)


@pytest.mark.parametrize("key", _CITED)
def test_cited_entry_has_author_identifier_and_no_placeholder(key: str) -> None:
    assert key in _ENTRIES, f"{key} is cited but in no references/*.bib file"
    assert not B.problems(_ENTRIES[key]), f"{key}: {B.problems(_ENTRIES[key])}"


@pytest.mark.parametrize("name", ["core.bib", "series.bib", "therapy.bib"])
def test_no_working_note_reaches_the_reference_list(name: str) -> None:
    # A citation style may print 'note'; provenance lives in '%' comment lines outside entries.
    from asps.paths import REFERENCES_DIR

    entries = B.parse_bib((REFERENCES_DIR / name).read_text(encoding="utf-8"))
    assert entries
    assert not [k for k, e in entries.items() if e.has("note")]


def _write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def test_the_check_fails_on_crafted_bad_entries(tmp_path) -> None:
    bib = _write(tmp_path / "bad.bib", """
@article{good2020, author = {Doe, Jane}, title = {A {Nested {Brace}} title}, journal = {J},
  year = {2020}, doi = {10.1000/good}}
@article{noauthor2020, title = {Real title}, journal = {J}, year = {2020}, pmid = {123}}
@article{noid2020, author = {Roe, R.}, title = {Real title}, journal = {J}, year = {2020}}
@article{placeholder2020, author = {Roe, R.}, title = {[Title not verified]}, year = {2020},
  url = {https://example.org/x}}
@misc{note2020, author = {{An Organisation}}, title = "Quoted", year = 2020,
  url = {https://example.org/y}, note = {Authors UNVERIFIED; TODO}}
""")
    entries = B.load_bibliography([bib])
    assert entries["good2020"].fields["title"] == "A {Nested {Brace}} title"
    assert entries["note2020"].fields["title"] == "Quoted"
    assert B.problems(entries["good2020"]) == []
    assert B.problems(entries["noauthor2020"]) == ["no author"]
    assert B.problems(entries["noid2020"]) == ["no identifier (doi, pmid or url)"]
    assert any("placeholder text in title" in p for p in B.problems(entries["placeholder2020"]))
    assert any("placeholder text in note" in p for p in B.problems(entries["note2020"]))
    # Complete records name a title, a container and a year; the report lists the others.
    assert B.missing_fields(entries["good2020"]) == []
    assert B.missing_fields(entries["placeholder2020"]) == ["container"]
    assert B.missing_fields(entries["note2020"]) == ["container"]
    assert list(B.incomplete_table(entries)["key"]) == ["note2020", "placeholder2020"]

    page = _write(tmp_path / "page.qmd", "Text [@noauthor2020; @good2020] and @noid2020.\n"
                  "See @fig-x. `{python} R.cite(['placeholder2020'])`\n")
    assert B.chapter_citations([page]) == {"noauthor2020", "good2020", "noid2020"}
    data = tmp_path / "data"
    data.mkdir()
    _write(data / "anything.csv", "id,source\nr1,doi:10.1000/GOOD\nr2,pmid:123\n")
    _write(data / "systemic_therapy.csv", "record_id,bib_key\nr1,placeholder2020\n")
    assert B.data_citations(entries, data) == {"good2020", "noauthor2020", "placeholder2020"}


def test_duplicate_keys_are_an_error(tmp_path) -> None:
    one = _write(tmp_path / "one.bib", "@misc{same, author = {A}, url = {https://x.org}}\n")
    two = _write(tmp_path / "two.bib", "@misc{same, author = {B}, url = {https://y.org}}\n")
    with pytest.raises(ValueError, match="also in"):
        B.load_bibliography([one, two])


def test_report_counts_the_owned_files() -> None:
    report = B.bibliography_report().set_index("file")
    for name in ("core.bib", "series.bib", "therapy.bib"):
        row = report.loc[name]
        assert row["placeholder"] == 0, name
        assert row["without_identifier"] == 0, name
    assert report.loc["total", "entries"] == len(_ENTRIES)
    # Records with a field still unread: listed by `python -m asps bib-report`, never hidden.
    assert report.loc["total", "incomplete"] == len(B.incomplete_table())
