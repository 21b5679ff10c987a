"""Literature surveillance: run the saved PubMed searches and propose what is new.

``python -m asps surveil`` runs every active query of ``data/surveillance_queries.csv`` through
NCBI E-utilities (esearch, then esummary) over the days since the query's last search in
``data/search_log.csv`` (or since its start date), matches each record against what the review
already knows (PMID, DOI, normalised title in ``data/`` and ``references/*.bib``, and the reports of
earlier searches), gives every new record a first screening label from
``data/screening_rules.csv``, then writes a dated report under ``data/surveillance/`` and appends
one row per search to the search log. It never edits any other file: an author decides what
becomes data.

Nothing is written until every request has succeeded; then each file is written to a temporary
file and renamed over its target. A failure of any kind prints one message and exits non-zero,
leaving every file as it was.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import quote

HELP = "search PubMed for new ASPS records since the last search; write a report to screen"
DESCRIPTION = __doc__
REPORT_DIR = "surveillance"
LOG = "search_log.csv"
STATUS_WORDS = {
    "new": "new",
    "in_review": "in the review",
    "already_proposed": "in an earlier report",
}


class SurveillanceError(RuntimeError):
    """The search could not run or finish; nothing was written."""


@dataclass
class Candidate:
    """A record found, with what the review knows of it and its first screening label."""

    record: object  # asps.surveil.eutils.Record
    status: str
    matched_by: str | None
    where: set[str]
    label: str
    n: int | None
    rule_id: str
    screen_out: bool


@dataclass
class Search:
    """One saved query run over one window, and what it found."""

    query_id: str
    query: str
    datetype: str
    mindate: date
    maxdate: date
    run_date: date
    translation: str = ""
    candidates: list[Candidate] = field(default_factory=list)
    search_id: str = ""
    report: str = ""  # relative to data/, e.g. surveillance/2026-12-01-pubmed_asps.csv

    @property
    def new(self) -> list[Candidate]:
        return [c for c in self.candidates if c.status == "new"]

    @property
    def screened_out(self) -> list[Candidate]:
        return [c for c in self.new if c.screen_out]

    @property
    def known(self) -> list[Candidate]:
        return [c for c in self.candidates if c.status != "new"]


# -- planning: which queries, over which window


def _iso(value: str) -> date:
    return date.fromisoformat(value)


def plan(tables: dict, today: date, query_ids: list[str] | None = None) -> list[Search]:
    """The searches to run: active queries (or those named), each from its last search."""
    queries = tables["surveillance_queries"]
    log = tables["search_log"]
    if query_ids:
        unknown = sorted(set(query_ids) - set(queries["query_id"]))
        if unknown:
            raise SurveillanceError(
                f"unknown query {', '.join(unknown)}; known: {', '.join(queries['query_id'])}"
            )
        chosen = queries[queries["query_id"].isin(query_ids)]
    else:
        chosen = queries[queries["active"].astype(bool)]
    if chosen.empty:
        raise SurveillanceError("no active query in data/surveillance_queries.csv")
    searches = []
    for row in chosen.itertuples(index=False):
        done = log[(log["method"] == "eutils") & (log["query_id"] == row.query_id)]
        # The window starts on the last day already searched: records that entered PubMed later
        # that day are found, and those found before are matched against the earlier report.
        start = _iso(max(done["maxdate"])) if len(done) else _iso(row.start_date)
        if start > today:
            raise SurveillanceError(
                f"{row.query_id}: the window would start on {start}, after today ({today})"
            )
        searches.append(
            Search(row.query_id, row.query, row.datetype, start, today, run_date=today)
        )
    return searches


# -- what the review already knows


def _earlier_reports(tables: dict, data_dir: Path):
    from asps.surveil.known import Identifiers

    known = Identifiers()
    for report in tables["search_log"]["report"].dropna():
        path = data_dir / report
        if not path.exists():
            continue
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                place = f"data/{report}"
                known.pmids[row["pmid"]].add(place)
                if row.get("doi"):
                    known.add_text(row["doi"], place)
                year = row.get("year", "")
                known.add_title(row.get("title", ""), int(year) if year.isdigit() else None,
                                place)
    return known


def classify(search: Search, records: list, review, earlier, rules: list) -> None:
    """Fill ``search.candidates``: status against what is known, then the screening label."""
    from asps.surveil.screening import screen

    for record in records:
        in_review = review.match(record.pmid, record.doi, record.title, record.year)
        proposed = None if in_review else earlier.match(
            record.pmid, record.doi, record.title, record.year
        )
        if in_review:
            status, (matched_by, where) = "in_review", in_review
        elif proposed:
            status, (matched_by, where) = "already_proposed", proposed
        else:
            status, matched_by, where = "new", None, set()
        screening = screen(record, rules)
        search.candidates.append(
            Candidate(record, status, matched_by, where, screening.label, screening.n,
                      screening.rule_id, screening.screen_out)
        )


# -- the files written


def _csv_text(rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow(
            [
                "" if value is None else ("true" if value is True else "false")
                if isinstance(value, bool) else value
                for value in row
            ]
        )
    return buffer.getvalue()


REPORT_COLUMNS = [
    "pmid", "doi", "title", "journal", "year", "publication_type", "status", "matched_by",
    "label", "n", "rule_id", "screened_out",
]


def report_csv(search: Search) -> str:
    rows: list[list[object]] = [REPORT_COLUMNS]
    for c in search.candidates:
        r = c.record
        rows.append(
            [r.pmid, r.doi, r.title, r.journal, r.year, "; ".join(r.publication_types) or None,
             c.status, c.matched_by, c.label, c.n, c.rule_id, c.screen_out]
        )
    return _csv_text(rows)


def _cell(value: object) -> str:
    import html

    text = "" if value is None else " ".join(str(value).split())
    return html.escape(text, quote=False).replace("|", "\\|")


def _screening_words(c: Candidate) -> str:
    words = c.label.replace("_", " ")
    if c.n is not None:
        words += f" (N = {c.n})"
    return f"{words} [{c.rule_id}]"


def _candidate_table(candidates: list[Candidate]) -> list[str]:
    lines = [
        "| PMID | DOI | Title | Journal | Year | Publication type | First screening |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for c in candidates:
        r = c.record
        pmid = f"[{r.pmid}](https://pubmed.ncbi.nlm.nih.gov/{r.pmid}/)"
        doi = f"[{_cell(r.doi)}](https://doi.org/{quote(r.doi, safe='/.:;')})" if r.doi else ""
        lines.append(
            f"| {pmid} | {doi} | {_cell(r.title)} | {_cell(r.journal)} | {_cell(r.year)} | "
            f"{_cell('; '.join(r.publication_types))} | {_cell(_screening_words(c))} |"
        )
    return lines


def report_markdown(search: Search, heading: str = "##") -> str:
    """The report for an author (and the workflow's issue)."""
    window = (
        f"{search.mindate:%Y/%m/%d} to {search.maxdate:%Y/%m/%d} by "
        f"{'Entrez date' if search.datetype == 'edat' else search.datetype}"
    )
    kept = [c for c in search.new if not c.screen_out]
    lines = [
        f"{heading} Search `{search.search_id}`: query `{search.query_id}`, {window}",
        "",
        "Query, as sent to PubMed:",
        "",
        f"    {search.query}",
        "",
    ]
    if search.translation:
        lines += ["PubMed's translation:", "", f"    {search.translation}", ""]
    lines += [
        f"Records found: {len(search.candidates)}. Already known: {len(search.known)} "
        f"(in data/ or the bibliography: "
        f"{sum(c.status == 'in_review' for c in search.candidates)}; in an earlier report: "
        f"{sum(c.status == 'already_proposed' for c in search.candidates)}). "
        f"New: {len(search.new)}, of which screened out by rule: {len(search.screened_out)}.",
        "",
        f"{heading}# New candidates ({len(kept)})",
        "",
    ]
    lines += _candidate_table(kept) if kept else ["None."]
    lines += ["", f"{heading}# Screened out by rule ({len(search.screened_out)})", ""]
    lines += _candidate_table(search.screened_out) if search.screened_out else ["None."]
    lines += ["", f"{heading}# Already known ({len(search.known)})", ""]
    if search.known:
        lines += ["| PMID | Title | Matched by | Where |", "| --- | --- | --- | --- |"]
        for c in search.known:
            lines.append(
                f"| {c.record.pmid} | {_cell(c.record.title)} | {c.matched_by} | "
                f"{_cell(', '.join(sorted(c.where)))} |"
            )
    else:
        lines.append("None.")
    lines += [
        "",
        "Screening labels come from the rules in `data/screening_rules.csv` and are suggestions. "
        "This search changed no table but `data/search_log.csv`: an author decides which "
        "candidates become data, and records them with their sources.",
        "",
    ]
    return "\n".join(lines)


def issue_title(run_date: date) -> str:
    return f"Literature surveillance: search of {run_date.isoformat()}"


def issue_body(searches: list[Search]) -> str:
    parts = [
        f"# {issue_title(searches[0].run_date)}",
        "",
        f"New candidates: {sum(len(s.new) - len(s.screened_out) for s in searches)}; screened "
        f"out by rule: {sum(len(s.screened_out) for s in searches)}. Reports: "
        + ", ".join(f"`data/{s.report.removesuffix('.csv')}.md`" for s in searches)
        + ".",
        "",
    ]
    return "\n".join(parts + [report_markdown(s) for s in searches])


def _assign_ids(searches: list[Search], log) -> None:
    taken = set(log["search_id"])
    for search in searches:
        stem = f"{search.query_id}-{search.run_date.isoformat()}"
        search_id, number = stem, 1
        while search_id in taken:
            number += 1
            search_id = f"{stem}-{number}"
        taken.add(search_id)
        search.search_id = search_id
        suffix = "" if number == 1 else f"-{number}"
        search.report = f"{REPORT_DIR}/{search.run_date.isoformat()}-{search.query_id}{suffix}.csv"


def log_rows(searches: list[Search]) -> str:
    return _csv_text(
        [
            [
                s.search_id, s.run_date.isoformat(), "eutils", s.query_id, s.query,
                s.mindate.isoformat(), s.maxdate.isoformat(), len(s.candidates), len(s.known),
                len(s.new), len(s.screened_out), s.report, None,
            ]
            for s in searches
        ]
    )


def write_atomically(files: dict[Path, bytes]) -> None:
    """Write every file to a temporary file beside it, then rename each over its target.

    Nothing is renamed until every temporary file is written. If a rename fails, the files
    already renamed are put back as they were (removed if they are new), folders this call made
    are removed, and the error is raised: the targets end as they began.
    """
    made: list[Path] = []
    staged: list[tuple[Path, Path]] = []
    originals: dict[Path, bytes | None] = {}
    renamed: list[Path] = []
    try:
        for path, content in files.items():
            missing = [p for p in [path.parent, *path.parent.parents] if not p.exists()]
            path.parent.mkdir(parents=True, exist_ok=True)
            made += reversed(missing)
            originals[path] = path.read_bytes() if path.exists() else None
            temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            staged.append((temporary, path))
            with temporary.open("wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
        for temporary, path in staged:
            os.replace(temporary, path)
            renamed.append(path)
    except BaseException:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        for path in reversed(renamed):
            if originals[path] is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(originals[path])
        for folder in reversed(made):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        raise
    finally:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)


def files_to_write(searches: list[Search], data_dir: Path) -> dict[Path, bytes]:
    """Reports first, the search log last (the log names the reports)."""
    files: dict[Path, bytes] = {}
    for search in searches:
        csv_path = data_dir / search.report
        for path in (csv_path, csv_path.with_suffix(".md")):
            if path.exists():
                raise SurveillanceError(f"{path} exists already; it is not overwritten")
        files[csv_path] = report_csv(search).encode("utf-8")
        files[csv_path.with_suffix(".md")] = (
            f"# {issue_title(search.run_date)}\n\n" + report_markdown(search)
        ).encode("utf-8")
    log_path = data_dir / LOG
    existing = log_path.read_bytes()
    if existing and not existing.endswith(b"\n"):
        existing += b"\n"
    files[log_path] = existing + log_rows(searches).encode("utf-8")
    return files


# -- the whole run


def run(
    *,
    data_dir: Path | None = None,
    references_dir: Path | None = None,
    client=None,
    today: date | None = None,
    query_ids: list[str] | None = None,
    batch: int | None = None,
    write: bool = True,
) -> list[Search]:
    """Plan, fetch everything, classify, then (``write``) write the reports and the log.

    Raises
    ------
    SurveillanceError, asps.surveil.eutils.EutilsError, asps.loading.DataValidationError
        Before anything is written.
    """
    from asps.loading import load_all
    from asps.paths import DATA_DIR, REFERENCES_DIR
    from asps.surveil.eutils import BATCH, Eutils
    from asps.surveil.known import review_identifiers
    from asps.surveil.screening import rules_from

    data_dir = Path(data_dir or DATA_DIR)
    references_dir = Path(references_dir or REFERENCES_DIR)
    today = today or datetime.now(UTC).date()
    batch = batch or BATCH
    tables = load_all(data_dir)
    searches = plan(tables, today, query_ids)
    client = client or Eutils(
        api_key=os.environ.get("NCBI_API_KEY"), email=os.environ.get("NCBI_EMAIL")
    )
    fetched = []
    for search in searches:
        result = client.search(
            search.query, search.mindate, search.maxdate, datetype=search.datetype, batch=batch
        )
        search.translation = result.translation
        fetched.append(client.summaries(result.pmids, batch=batch))
    # Every request succeeded: from here on nothing touches the network.
    review = review_identifiers(data_dir, references_dir)
    earlier = _earlier_reports(tables, data_dir)
    rules = rules_from(tables["screening_rules"])
    for search, records in zip(searches, fetched, strict=True):
        classify(search, records, review, earlier, rules)
    _assign_ids(searches, tables["search_log"])
    if write:
        write_atomically(files_to_write(searches, data_dir))
    return searches


def summary_lines(searches: list[Search], data_dir: Path, wrote: bool) -> list[str]:
    from asps.paths import ROOT

    def shown(path: Path) -> str:
        try:
            return str(path.resolve().relative_to(ROOT))
        except ValueError:
            return str(path)

    lines = []
    for s in searches:
        lines.append(
            f"{s.search_id}: {s.mindate:%Y/%m/%d} to {s.maxdate:%Y/%m/%d} ({s.datetype}): "
            f"{len(s.candidates)} found, {len(s.known)} already known, {len(s.new)} new, "
            f"{len(s.screened_out)} screened out by rule."
        )
        for c in s.new:
            mark = "  (screened out)" if c.screen_out else ""
            lines.append(
                f"  PMID {c.record.pmid}  {_screening_words(c)}  {c.record.title} "
                f"({c.record.journal or 'journal not listed'}, "
                f"{c.record.year or 'year not listed'}){mark}"
            )
        if wrote:
            report = data_dir / s.report
            lines.append(f"  wrote {shown(report)} and {shown(report.with_suffix('.md'))}")
    if wrote:
        lines.append(f"appended {len(searches)} row(s) to {shown(data_dir / LOG)}")
    else:
        lines.append("dry run: nothing written")
    return lines


def configure(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``surveil`` options to ``parser`` and make :func:`command` its action."""
    parser.add_argument(
        "--query", action="append", metavar="ID",
        help="run this saved query only (repeatable; default: every active query)",
    )
    parser.add_argument(
        "--today", type=_iso, metavar="YYYY-MM-DD",
        help="the last day of the window and the date of the search (default: today, UTC)",
    )
    parser.add_argument("--batch", type=int, metavar="N", help="records per request (200)")
    parser.add_argument(
        "--dry-run", action="store_true", help="search and print, but write no file"
    )
    parser.add_argument(
        "--issue-body", type=Path, metavar="FILE",
        help="also write the Markdown body of the surveillance issue to FILE",
    )
    parser.add_argument("--data-dir", type=Path, metavar="DIR", help=argparse.SUPPRESS)
    parser.add_argument("--references-dir", type=Path, metavar="DIR", help=argparse.SUPPRESS)
    parser.set_defaults(run=command)
    return parser


def command(args: argparse.Namespace, client=None) -> int:
    """Run the surveillance from parsed options; print a summary, or one error message."""
    from asps.loading import DataValidationError
    from asps.paths import DATA_DIR
    from asps.surveil.eutils import EutilsError

    data_dir = Path(args.data_dir or DATA_DIR)
    try:
        searches = run(
            data_dir=data_dir,
            references_dir=args.references_dir,
            client=client,
            today=args.today,
            query_ids=args.query,
            batch=args.batch,
            write=not args.dry_run,
        )
    except DataValidationError as err:
        print(err.report(), file=sys.stderr)
        print("surveil: data/ is invalid; nothing was searched or written.", file=sys.stderr)
        return 1
    except (EutilsError, SurveillanceError, OSError) as err:
        print(f"surveil: {err}", file=sys.stderr)
        print("surveil: nothing was written; every file is as it was.", file=sys.stderr)
        return 1
    print("\n".join(summary_lines(searches, data_dir, wrote=not args.dry_run)))
    body = issue_body(searches)
    if args.issue_body:
        args.issue_body.write_text(body, encoding="utf-8")
    output = os.environ.get("GITHUB_OUTPUT")
    if output:
        with open(output, "a", encoding="utf-8") as handle:
            handle.write(f"search_date={searches[0].run_date.isoformat()}\n")
            handle.write(f"found={sum(len(s.candidates) for s in searches)}\n")
            handle.write(f"new={sum(len(s.new) for s in searches)}\n")
            handle.write(f"title={issue_title(searches[0].run_date)}\n")
    return 0


def main(argv: list[str] | None = None, client=None) -> int:
    """``python -m asps surveil [options]``; returns the exit code."""
    parser = configure(
        argparse.ArgumentParser(prog="python -m asps surveil", description=HELP)
    )
    args = parser.parse_args(argv)
    return command(args, client=client)


if __name__ == "__main__":
    sys.exit(main())
