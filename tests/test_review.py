"""Helpers the chapters call: escaping, citations, formatting, the KM overlay frame."""

from __future__ import annotations

import markdown_it

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
