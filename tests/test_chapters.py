"""Chapter rules that hold without executing anything: no typed figures, key points, data named."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from asps.paths import ROOT
from asps.site import book_sources as chapters

PAGES = [p for p in chapters(ROOT)]
PROSE_PAGES = [p for p in PAGES if p.name not in {"references.qmd"}]

# Digits that are names, not figures: genes and bands, margins, MRI weightings, formats, the
# licence, trial phases, the paper's figure numbers, and statistical conventions.
ALLOWED = re.compile(
    r"der\(17\)t\(X;17\)\(p11\.2;q25\)|ASPSCR1|TFE3|17q25|Xp11(\.2)?|\bR[012]\b|\bT[12]\b|"
    r"PD-L1|UTF-8|CC BY 4\.0|phase 2|Figures 2 to 4|\b95%|p < 0\.05|cho2014"
)


def prose(text: str) -> str:
    """The text a reader sees typed in the .qmd: no front matter, code, inline code or links."""
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    text = re.sub(r"^(\s*)(`{3,})\s*\{python.*?^\1\2\s*$", "", text, flags=re.S | re.M | re.I)
    text = re.sub(r"`\{python\}[^`]*`", "", text)
    text = re.sub(r"`[^`]*`", "", text)
    text = re.sub(r"\[@[^\]]*\]|@[A-Za-z0-9_:-]+", "", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    return ALLOWED.sub("", text)


@pytest.mark.parametrize("page", PROSE_PAGES, ids=lambda p: p.name)
def test_no_figure_typed_into_prose(page: Path) -> None:
    typed = re.findall(r"\S*\d\S*", prose(page.read_text(encoding="utf-8")))
    assert not typed, f"{page.name}: numbers typed into prose {typed}; compute them inline"


def test_the_check_can_fail() -> None:
    assert re.findall(r"\S*\d\S*", prose("Survival was 52.6% at five years."))
    assert not re.findall(r"\S*\d\S*", prose("Survival was `{python} x`%."))


@pytest.mark.parametrize(
    "page", [p for p in PROSE_PAGES if p.name != "index.qmd"], ids=lambda p: p.name
)
def test_chapter_opens_with_key_points_and_its_data(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    body = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    if page.name == "patients.qmd":
        assert "not medical advice" in body.lower()
        return
    callout = re.search(r"::: \{\.callout-note[^}]*\}\n## Key points\n(.*?)\n:::", body, re.S)
    assert callout, f"{page.name} has no 'Key points' callout"
    assert "**Data:**" in callout.group(1), f"{page.name}: key points do not name the data"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_front_matter_has_title(page: Path) -> None:
    front = yaml.safe_load(page.read_text(encoding="utf-8").split("---")[1])
    assert front.get("title")


def test_survival_only_by_reported_factors() -> None:
    """Survival of reconstructed data is shown only by factors the paper reports it by."""
    from asps.survival import FACTORS

    assert list(FACTORS) == ["overall", "margin", "size", "metastasis", "depth"]
    text = (ROOT / "chapters" / "survival.qmd").read_text(encoding="utf-8")
    calls = re.findall(r"summarise\(patients(?:, ([^)]*))?\)", text)
    assert all(c == "" for c in calls), calls


def test_every_citation_has_a_bibliography_entry() -> None:
    keys: set[str] = set()
    for bib in (ROOT / "references").glob("*.bib"):
        keys |= set(re.findall(r"^@\w+\{([^,]+),", bib.read_text(encoding="utf-8"), re.M))
    cited: set[str] = set()
    for page in PAGES:
        text = re.sub(r"```\{python\}.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
        cited |= set(re.findall(r"\[[^\]]*?@([A-Za-z0-9_:.-]*[A-Za-z0-9_])", text))
        cited |= set(re.findall(r"(?<![\w/])@([A-Za-z0-9_-]*[A-Za-z0-9_])", text))
    cited = {c for c in cited if not c.startswith(("fig-", "tbl-"))}
    assert cited, "no citations found: the check is broken"
    assert not cited - keys, f"cited but not in references/*.bib: {sorted(cited - keys)}"
