"""The bibliography in ``references/*.bib``: a small BibTeX reader, what is cited, and checks.

An entry is citable when it names its authors (people or an organisation) and carries an
identifier that was checked against a copy of the record (DOI, PMID or URL), and when no field
holds placeholder text ('unverified', 'not verified', 'TODO', a bracketed '[Title ...]').

Citations come from two places: Pandoc citations in the pages (``[@key]``, ``@key``) and keys
named by data (``bib_key`` columns, series ids, ``source`` columns holding a key), plus the
entries whose DOI or PMID a data ``source`` column gives (``doi:...``, ``pmid:...``).

``python -m asps bib-report`` prints
:func:`bibliography_report`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from asps.paths import DATA_DIR, REFERENCES_DIR, ROOT

IDENTIFIER_FIELDS = ("doi", "pmid", "url")
# Placeholder text that must not reach a rendered reference list.
PLACEHOLDER = re.compile(r"unverified|not\s+verified|\bTODO\b|\bTBD\b|\bFIXME\b|\[title", re.I)
# Data columns whose values are bibliography keys.
_KEY_COLUMNS = {
    "systemic_therapy.csv": ["bib_key"],
    "therapy_events.csv": ["bib_key"],
    "treatment_local.csv": ["bib_key"],
    "series.csv": ["series_id"],
    "series_outcomes.csv": ["source"],
}
# Data columns that may hold a DOI or PMID ('doi:...', 'pmid:...').
_SOURCE_COLUMNS = ("source", "secondary_source", "sources")


@dataclass(frozen=True)
class Entry:
    """One BibTeX entry: its key, type, fields (lower-case names) and the file it is in."""

    key: str
    kind: str
    fields: dict[str, str] = field(default_factory=dict)
    path: Path | None = None

    def has(self, name: str) -> bool:
        return bool(self.fields.get(name, "").strip())


def _braced(text: str, start: int) -> tuple[str, int]:
    """The text inside the braces opening at ``text[start]``, and the index after them."""
    depth, i = 0, start
    while i < len(text):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1 : i], i + 1
        i += 1
    raise ValueError(f"unbalanced braces from offset {start}")


def parse_bib(text: str, path: Path | None = None) -> dict[str, Entry]:
    """Entries of a BibTeX text by key. Handles nested braces and quoted values; ``%`` lines
    outside entries are comments."""
    entries: dict[str, Entry] = {}
    for match in re.finditer(r"^@(\w+)\s*\{\s*([^,\s]+)\s*,", text, flags=re.M):
        kind, key = match.group(1).lower(), match.group(2)
        body, _ = _braced(text, text.index("{", match.start()))
        body = body[body.index(",") + 1 :]
        fields: dict[str, str] = {}
        i = 0
        while True:
            m = re.compile(r"\s*,?\s*([A-Za-z][\w-]*)\s*=\s*").match(body, i)
            if not m:
                break
            name, i = m.group(1).lower(), m.end()
            if body[i] == "{":
                value, i = _braced(body, i)
            elif body[i] == '"':
                end = body.index('"', i + 1)
                value, i = body[i + 1 : end], end + 1
            else:
                m2 = re.compile(r"[^,\s}]+").match(body, i)
                value, i = m2.group(0), m2.end()
            fields[name] = " ".join(value.split())
        if key in entries:
            raise ValueError(f"{path}: duplicate key {key}")
        entries[key] = Entry(key, kind, fields, path)
    return entries


def load_bibliography(paths: Iterable[Path] | None = None) -> dict[str, Entry]:
    """Every entry of the given .bib files (default: all of ``references/``)."""
    paths = sorted(REFERENCES_DIR.glob("*.bib")) if paths is None else list(paths)
    entries: dict[str, Entry] = {}
    for path in paths:
        for key, entry in parse_bib(path.read_text(encoding="utf-8"), path).items():
            if key in entries:
                raise ValueError(f"{path}: key {key} is also in {entries[key].path}")
            entries[key] = entry
    return entries


def problems(entry: Entry) -> list[str]:
    """What keeps an entry from being cited: no author, no identifier, placeholder text."""
    found = []
    if not entry.has("author"):
        found.append("no author")
    if not any(entry.has(name) for name in IDENTIFIER_FIELDS):
        found.append("no identifier (doi, pmid or url)")
    for name, value in entry.fields.items():
        if PLACEHOLDER.search(value):
            found.append(f"placeholder text in {name}: {value[:60]!r}")
    return found


def chapter_citations(pages: Iterable[Path] | None = None) -> set[str]:
    """Keys cited with Pandoc syntax in the pages (code cells ignored; figure and table
    cross-references are not citations)."""
    if pages is None:
        pages = [ROOT / "index.qmd", *sorted((ROOT / "chapters").glob("*.qmd"))]
    cited: set[str] = set()
    for page in pages:
        text = re.sub(r"```\{python\}.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
        text = re.sub(r"`[^`]*`", "", text)
        cited |= set(re.findall(r"\[[^\]]*?@([A-Za-z0-9_:.-]*[A-Za-z0-9_])", text))
        cited |= set(re.findall(r"(?<![\w/.])@([A-Za-z0-9_-]*[A-Za-z0-9_])", text))
    return {c for c in cited if not c.startswith(("fig-", "tbl-", "sec-", "eq-"))}


def _normal_doi(value: str) -> str:
    return value.strip().lower().removeprefix("https://doi.org/")


def data_citations(
    entries: dict[str, Entry], data_dir: Path = DATA_DIR
) -> set[str]:
    """Keys that data names, directly or through a DOI or PMID in a source column."""
    by_doi = {_normal_doi(e.fields["doi"]): k for k, e in entries.items() if e.has("doi")}
    by_pmid = {e.fields["pmid"].strip(): k for k, e in entries.items() if e.has("pmid")}
    cited: set[str] = set()
    for path in sorted(data_dir.glob("*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for column in _KEY_COLUMNS.get(path.name, []):
            cited |= {v for v in frame.get(column, []) if v in entries}
        for column in _SOURCE_COLUMNS:
            for cell in frame.get(column, []):
                for part in re.split(r"[;|\s]+", cell):
                    if part.lower().startswith("doi:") and _normal_doi(part[4:]) in by_doi:
                        cited.add(by_doi[_normal_doi(part[4:])])
                    elif part.lower().startswith("pmid:") and part[5:] in by_pmid:
                        cited.add(by_pmid[part[5:]])
    return cited


def cited_keys(entries: dict[str, Entry] | None = None) -> set[str]:
    """Every key cited by a page or by data."""
    entries = load_bibliography() if entries is None else entries
    return chapter_citations() | data_citations(entries)


def bibliography_report(paths: Iterable[Path] | None = None) -> pd.DataFrame:
    """One row per .bib file and a total: entries, without author, without identifier, with
    placeholder text, incomplete (no title, container or year), and how many are cited."""
    entries = load_bibliography(paths)
    cited = cited_keys(entries) if paths is None else set()
    rows = []
    for path, group in pd.Series(list(entries.values())).groupby(
        lambda i: list(entries.values())[i].path.name, sort=True
    ):
        rows.append(_counts(path, list(group), cited))
    rows.append(_counts("total", list(entries.values()), cited))
    return pd.DataFrame(rows)


#: Fields that name where an entry was published (journal, book, site, publisher).
CONTAINER_FIELDS = ("journal", "booktitle", "howpublished", "organization", "publisher")


def missing_fields(entry: Entry) -> list[str]:
    """Parts of a full record not read yet: title, container, year (an entry may still be
    citable without them, naming what it does have)."""
    missing = [name for name in ("title", "year") if not entry.has(name)]
    if not any(entry.has(name) for name in CONTAINER_FIELDS):
        missing.append("container")
    return sorted(missing)


def _counts(name: str, group: list[Entry], cited: set[str]) -> dict[str, object]:
    return {
        "file": name,
        "entries": len(group),
        "without_author": sum(not e.has("author") for e in group),
        "without_identifier": sum(not any(e.has(f) for f in IDENTIFIER_FIELDS) for e in group),
        "placeholder": sum(
            any(PLACEHOLDER.search(v) for v in e.fields.values()) for e in group
        ),
        "incomplete": sum(bool(missing_fields(e)) for e in group),
        "cited": sum(e.key in cited for e in group),
        "cited_with_problems": sum(e.key in cited and bool(problems(e)) for e in group),
    }


def problem_table(entries: dict[str, Entry] | None = None) -> pd.DataFrame:
    """Cited entries that cannot be cited as they are, with what is wrong."""
    entries = load_bibliography() if entries is None else entries
    cited = cited_keys(entries)
    rows = [
        {"key": k, "file": e.path.name if e.path else "", "problems": "; ".join(problems(e))}
        for k, e in sorted(entries.items())
        if k in cited and problems(e)
    ]
    return pd.DataFrame(rows, columns=["key", "file", "problems"])


def incomplete_table(entries: dict[str, Entry] | None = None) -> pd.DataFrame:
    """Entries whose title, container or year was not found in a copy of the record."""
    entries = load_bibliography() if entries is None else entries
    rows = [
        {"key": k, "file": e.path.name if e.path else "", "missing": ", ".join(missing_fields(e))}
        for k, e in sorted(entries.items())
        if missing_fields(e)
    ]
    return pd.DataFrame(rows, columns=["key", "file", "missing"])


def main() -> int:
    """Print the report; exit status 1 when a cited entry has a problem."""
    with pd.option_context("display.width", 120, "display.max_colwidth", 100):
        print(bibliography_report().to_string(index=False))
        table = problem_table()
        if len(table):
            print("\nCited entries with problems:")
            print(table.to_string(index=False))
        incomplete = incomplete_table()
        if len(incomplete):
            print("\nIncomplete records (field not found in any copy of the record read):")
            print(incomplete.to_string(index=False))
    return 1 if len(table) else 0


if __name__ == "__main__":
    raise SystemExit(main())
