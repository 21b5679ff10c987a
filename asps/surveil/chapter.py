"""The surveillance as the methods chapter shows it, computed from the search log and reports.

Nothing here touches the network: the last search, the query, what each search found and
screened, and which of its candidates are now in ``data/`` or the bibliography.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from asps.inline import Markdown

SOURCE_NAMES = {"pubmed": "PubMed"}


@dataclass(frozen=True)
class Flow:
    """The surveillance so far."""

    baseline_date: str
    queries: pd.DataFrame  # active saved queries
    searches: pd.DataFrame  # eutils rows of the log, oldest first
    candidates: pd.DataFrame  # every new record of every report, with became_data and where

    @property
    def last(self) -> pd.Series | None:
        return None if self.searches.empty else self.searches.iloc[-1]

    @property
    def became_data(self) -> pd.DataFrame:
        return self.candidates[self.candidates["became_data"]]


def flow(
    tables: dict[str, pd.DataFrame] | None = None,
    data_dir: Path | None = None,
    references_dir: Path | None = None,
) -> Flow:
    """Read the log and the reports it names; match their new records against the review now."""
    from asps.paths import DATA_DIR, REFERENCES_DIR
    from asps.surveil.known import review_identifiers

    data_dir = Path(data_dir or DATA_DIR)
    if tables is None:
        from asps.loading import load_all

        tables = load_all(data_dir)
    log = tables["search_log"]
    queries = tables["surveillance_queries"]
    baseline = log.loc[log["method"] == "baseline", "date"].iloc[0]
    searches = log[log["method"] == "eutils"].sort_values(["date", "search_id"], kind="stable")
    review = review_identifiers(data_dir, Path(references_dir or REFERENCES_DIR))
    rows = []
    for search in searches.itertuples(index=False):
        with (data_dir / search.report).open(newline="", encoding="utf-8") as handle:
            for record in csv.DictReader(handle):
                if record["status"] != "new":
                    continue
                year = record["year"]
                match = review.match(
                    record["pmid"], record["doi"] or None, record["title"],
                    int(year) if year.isdigit() else None,
                )
                rows.append(
                    {
                        "search_id": search.search_id,
                        "date": search.date,
                        "pmid": record["pmid"],
                        "title": record["title"],
                        "label": record["label"],
                        "screened_out": record["screened_out"] == "true",
                        "became_data": match is not None,
                        "where": "" if match is None else ", ".join(sorted(match[1])),
                    }
                )
    columns = ["search_id", "date", "pmid", "title", "label", "screened_out", "became_data",
               "where"]
    candidates = pd.DataFrame(rows, columns=columns)
    candidates["screened_out"] = candidates["screened_out"].astype(bool)
    candidates["became_data"] = candidates["became_data"].astype(bool)
    return Flow(
        baseline_date=str(baseline),
        queries=queries[queries["active"].astype(bool)].reset_index(drop=True),
        searches=searches.reset_index(drop=True),
        candidates=candidates,
    )


def status(f: Flow) -> Markdown:
    """One sentence: the last search and its window, or that none has run since the baseline."""
    from asps.review import long_date, text

    last = f.last
    if last is None:
        return Markdown(
            "No database search has run yet: surveillance starts from the baseline of "
            f"{text(long_date(f.baseline_date))}, the day the data were compiled from reference "
            "notes, and the first search will cover the days since then."
        )
    return Markdown(
        f"The last search ran on {text(long_date(last['date']))}, covering "
        f"{text(long_date(last['mindate']))} to {text(long_date(last['maxdate']))}; it found "
        f"{int(last['records_found'])} records, of which {int(last['new'])} were new."
    )


def totals(f: Flow) -> dict[str, int]:
    """Counts over every search: searches, records found, new, screened out, became data."""
    s = f.searches
    return {
        "searches": len(s),
        "found": int(s["records_found"].sum()) if len(s) else 0,
        "new": int(s["new"].sum()) if len(s) else 0,
        "screened_out": int(s["screened_out"].sum()) if len(s) else 0,
        "became_data": int(f.candidates["became_data"].sum()),
    }


def log_frame(f: Flow) -> pd.DataFrame:
    """The search log for reading: one row per search, the baseline first."""
    from asps.review import long_date

    became = f.candidates.groupby("search_id")["became_data"].sum()
    rows = [
        {
            "Search": "baseline",
            "Date": long_date(f.baseline_date),
            "Query": "none: data compiled from reference notes",
            "Window": "",
            "Found": "",
            "Already known": "",
            "New": "",
            "Screened out by rule": "",
            "Became data": "",
        }
    ]
    for s in f.searches.itertuples(index=False):
        rows.append(
            {
                "Search": s.search_id,
                "Date": long_date(s.date),
                "Query": s.query_id,
                "Window": f"{s.mindate} to {s.maxdate}",
                "Found": str(s.records_found),
                "Already known": str(s.already_known),
                "New": str(s.new),
                "Screened out by rule": str(s.screened_out),
                "Became data": str(int(became.get(s.search_id, 0))),
            }
        )
    return pd.DataFrame(rows)


def log_table(f: Flow):
    """:func:`log_frame` as a page table."""
    from asps.review import static_table

    return static_table(log_frame(f), "Literature searches")


def became_data_frame(f: Flow) -> pd.DataFrame:
    """Candidates proposed by a search that are now in data/ or the bibliography."""
    rows = f.became_data
    return pd.DataFrame(
        {
            "Search": rows["search_id"],
            "PMID": rows["pmid"],
            "Title": rows["title"],
            "First screening": rows["label"].str.replace("_", " "),
            "Now in": rows["where"],
        }
    )


def became_data_table(f: Flow):
    from asps.review import static_table

    return static_table(became_data_frame(f), "Candidates that became data")


def became_data_output(f: Flow):
    """The candidates that became data as a table, or a sentence when there are none."""
    if f.became_data.empty:
        return Markdown(
            "No candidate proposed by a search has become data yet."
            if not f.searches.empty
            else "No search has proposed candidates yet."
        )
    return became_data_table(f)


def queries_markdown(f: Flow) -> Markdown:
    """Each active saved query with its database, date type and start date."""
    from asps.review import long_date, text

    words = {"edat": "Entrez date", "pdat": "publication date", "mdat": "modification date"}
    parts = [
        f"{text(q.query_id)} ({text(SOURCE_NAMES.get(q.source, q.source))}, "
        f"by {words.get(q.datetype, q.datetype)} from "
        f"{text(long_date(q.start_date))}): {text(q.query)}"
        for q in f.queries.itertuples(index=False)
    ]
    return Markdown("; ".join(parts) + "." if parts else "none is active.")
