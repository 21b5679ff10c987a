"""What the review already knows: PMIDs, DOIs and titles in ``data/`` and ``references/*.bib``.

A record a search finds is matched against these by PMID, then DOI, then normalised title (and
year, where both sides have one). Every identifier keeps the files it was found in, so that the
methods chapter can say where a proposed candidate became data.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from asps.bibliography import parse_bib

# Tables of the surveillance itself: what they list is not yet known to the review.
SURVEILLANCE_TABLES = {"surveillance_queries.csv", "screening_rules.csv", "search_log.csv"}
# A title shorter than this (in words) is too generic to identify a paper ("Alveolar soft part
# sarcoma" is the title of many case reports).
MIN_TITLE_WORDS = 5

_DOI = re.compile(r"10\.\d{4,9}/[^\s\"]+")
_PMID_TEXT = re.compile(
    r"(?:PMID:?\s*|pubmed(?:\.ncbi\.nlm\.nih\.gov)?/|ncbi\.nlm\.nih\.gov/pubmed/)(\d{1,9})\b",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]+>")


def normalise_doi(doi: str) -> str:
    """A DOI for comparison: unquoted, lower case, without a resolver prefix or end punctuation."""
    text = unquote(doi.strip())
    text = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", text, flags=re.IGNORECASE)
    return text.rstrip(".,;)]}").lower()


def normalise_title(title: str) -> str:
    """A title for comparison: no markup, accents, case, punctuation or repeated spaces."""
    text = _TAG.sub(" ", title.replace("{", "").replace("}", ""))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def dois_in(text: str) -> set[str]:
    """Every DOI written in ``text`` (several may be joined by ';')."""
    found: set[str] = set()
    for match in _DOI.findall(text):
        for part in re.split(r";\s*(?=10\.\d)|,\s*(?=10\.\d)", match):
            doi = normalise_doi(part)
            if "/" in doi and len(doi.split("/", 1)[1]) > 0:
                found.add(doi)
    return found


def pmids_in(text: str) -> set[str]:
    """PMIDs written as ``PMID 123``, ``PMID: 123`` or a PubMed URL."""
    return set(_PMID_TEXT.findall(text))


@dataclass
class Identifiers:
    """PMIDs, DOIs and titles, each with the places (file names) it was found in."""

    pmids: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    dois: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # normalised title -> {year or None: places}
    titles: dict[str, dict[int | None, set[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set))
    )

    def add_text(self, text: str, place: str) -> None:
        for pmid in pmids_in(text):
            self.pmids[pmid].add(place)
        for doi in dois_in(text):
            self.dois[doi].add(place)

    def add_title(self, title: str, year: int | None, place: str) -> None:
        norm = normalise_title(title)
        if len(norm.split()) >= MIN_TITLE_WORDS:
            self.titles[norm][year].add(place)

    def match(
        self, pmid: str, doi: str | None, title: str, year: int | None
    ) -> tuple[str, set[str]] | None:
        """``(what matched, where)`` for a record, or None: by PMID, then DOI, then title."""
        if pmid in self.pmids:
            return "pmid", set(self.pmids[pmid])
        if doi and normalise_doi(doi) in self.dois:
            return "doi", set(self.dois[normalise_doi(doi)])
        years = self.titles.get(normalise_title(title))
        if years:
            places = {
                place
                for known_year, where in years.items()
                if year is None or known_year is None or known_year == year
                for place in where
            }
            if places:
                return "title", places
        return None


def review_identifiers(data_dir: Path, references_dir: Path) -> Identifiers:
    """Identifiers in every table of ``data_dir`` (but the surveillance tables) and the .bib files.

    Places are ``data/<file>`` and ``references/<file>:<key>``.
    """
    known = Identifiers()
    for path in sorted(data_dir.glob("*.csv")):
        if path.name in SURVEILLANCE_TABLES:
            continue
        place = f"data/{path.name}"
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                for column, value in row.items():
                    if not value:
                        continue
                    name = (column or "").lower()
                    if name == "pmid" and value.strip().isdigit():
                        known.pmids[value.strip()].add(place)
                    elif name == "title":
                        year = row.get("year", "")
                        known.add_title(value, int(year) if year.isdigit() else None, place)
                    known.add_text(value, place)
    for bib in sorted(references_dir.glob("*.bib")):
        for key, parsed in parse_bib(bib.read_text(encoding="utf-8"), bib).items():
            entry = parsed.fields
            place = f"references/{bib.name}:{key}"
            pmid = entry.get("pmid", "").strip()
            if pmid.isdigit():
                known.pmids[pmid].add(place)
            if entry.get("doi"):
                known.dois[normalise_doi(entry["doi"])].add(place)
            for name in ("url", "note", "eprint"):
                if entry.get(name):
                    known.add_text(entry[name], place)
            if entry.get("title"):
                year = entry.get("year", "").strip()
                known.add_title(entry["title"], int(year) if year.isdigit() else None, place)
    return known
