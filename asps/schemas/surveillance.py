"""Schemas of literature surveillance: the saved searches, the screening rules, the search log.

``surveillance_queries.csv`` holds each saved database query with the date it covers from;
``screening_rules.csv`` the rules that give every record found a first screening label;
``search_log.csv`` one row per search that was run (and the baseline the review started from).
``python -m asps surveil`` reads the first two and appends to the third; it never edits any other
table. Each search also writes a report under ``data/surveillance/`` (a CSV of every record found,
described by :class:`CandidateSchema`, and the same as Markdown for an author to read); those
reports are checked here, against the log, by :func:`cross_table_problems`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from asps.paths import DATA_DIR, display_path

QUERY_ID = r"^[a-z][a-z0-9_]*$"
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
SOURCES = ["pubmed"]
DATETYPES = ["edat", "pdat", "mdat"]
LABELS = ["notice", "commentary", "trial", "case_report", "review", "series", "other"]
RULE_FIELDS = ["title", "publication_type", "journal"]
METHODS = ["baseline", "eutils"]
STATUSES = ["new", "in_review", "already_proposed"]
MATCHES = ["pmid", "doi", "title"]
REPORT_DIR = "surveillance"


class SurveillanceQuerySchema(pa.DataFrameModel):
    """A saved literature search: the query text, the database and the date it covers from."""

    query_id: Series[str] = pa.Field(
        unique=True, str_matches=QUERY_ID, description="Stable identifier of the saved search."
    )
    source: Series[str] = pa.Field(
        isin=SOURCES, description="Database searched (pubmed, through NCBI E-utilities)."
    )
    query: Series[str] = pa.Field(
        str_length={"min_value": 5}, description="The query exactly as sent to the database."
    )
    datetype: Series[str] = pa.Field(
        isin=DATETYPES,
        description="Which date the window applies to: edat (the date the record entered "
        "PubMed), pdat (publication date) or mdat (modification date).",
    )
    start_date: Series[str] = pa.Field(
        str_matches=ISO_DATE,
        description="First day the first search covers (ISO date); later searches start from "
        "the last search in the log.",
    )
    active: Series[bool] = pa.Field(description="Run by `python -m asps surveil`.")
    rationale: Series[str] = pa.Field(
        str_length={"min_value": 10}, description="Why the query and its start date are so."
    )

    class Config:
        strict = True
        ordered = False


class ScreeningRuleSchema(pa.DataFrameModel):
    """A rule giving a record found a first screening label; the first rule that matches wins."""

    rule_id: Series[str] = pa.Field(
        unique=True, str_matches=QUERY_ID, description="Stable identifier of the rule."
    )
    order: Series[int] = pa.Field(
        unique=True, ge=1, description="Rules are tried in this order; the first match labels."
    )
    label: Series[str] = pa.Field(isin=LABELS, description="The screening label the rule gives.")
    field: Series[str] = pa.Field(
        isin=RULE_FIELDS,
        description="Field of the record the pattern is matched against (publication_type is "
        "PubMed's publication types, joined by '; ').",
    )
    pattern: Series[str] = pa.Field(
        str_length={"min_value": 1},
        description="Python regular expression, case-insensitive; a group named n captures the "
        "number of patients of a series.",
    )
    screen_out: Series[bool] = pa.Field(
        description="A match screens the record out (still listed in the report, for the "
        "author to overrule)."
    )
    rationale: Series[str] = pa.Field(
        str_length={"min_value": 10}, description="Why the rule exists, in a sentence."
    )

    class Config:
        strict = True
        ordered = False

    @pa.dataframe_check(error="pattern is not a valid regular expression")
    def pattern_compiles(cls, df: pd.DataFrame) -> Series[bool]:
        def ok(pattern: str) -> bool:
            try:
                re.compile(pattern)
            except re.error:
                return False
            return True

        return df["pattern"].map(ok).astype(bool)

    @pa.dataframe_check(error="a rule that screens out must not give the label series or trial")
    def evidence_is_never_screened_out(cls, df: pd.DataFrame) -> Series[bool]:
        return ~(df["screen_out"].astype(bool) & df["label"].isin(["series", "trial"]))


class SearchLogSchema(pa.DataFrameModel):
    """One literature search that was run, with its counts; the first row is the baseline."""

    search_id: Series[str] = pa.Field(
        unique=True, str_matches=r"^[a-z0-9][a-z0-9_-]*$", description="Stable identifier."
    )
    date: Series[str] = pa.Field(str_matches=ISO_DATE, description="Day the search was run.")
    method: Series[str] = pa.Field(
        isin=METHODS,
        description="eutils: a search run by `python -m asps surveil`; baseline: the review's "
        "starting point, not a database search.",
    )
    query_id: Series[str] = pa.Field(
        nullable=True, str_matches=QUERY_ID, description="The saved search (surveillance_queries)."
    )
    query: Series[str] = pa.Field(nullable=True, description="Query text as sent.")
    mindate: Series[str] = pa.Field(
        nullable=True, str_matches=ISO_DATE, description="First day of the search window."
    )
    maxdate: Series[str] = pa.Field(
        nullable=True, str_matches=ISO_DATE, description="Last day of the search window."
    )
    records_found: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Records the database returned for the window."
    )
    already_known: Series[pd.Int64Dtype] = pa.Field(
        nullable=True,
        ge=0,
        description="Of those, records already in data/, the bibliography or an earlier report.",
    )
    new: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Records found that the review did not know."
    )
    screened_out: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="New records a screening rule screened out."
    )
    report: Series[str] = pa.Field(
        nullable=True,
        str_matches=rf"^{REPORT_DIR}/[a-z0-9_-]+\.csv$",
        description="The search's report, a CSV under data/surveillance/ (Markdown beside it).",
    )
    note: Series[str] = pa.Field(nullable=True, description="What the row stands for.")

    class Config:
        strict = True
        ordered = False

    @pa.dataframe_check(
        error="an eutils search needs query_id, query, mindate, maxdate, every count and a "
        "report; the baseline row has none of them"
    )
    def fields_match_method(cls, df: pd.DataFrame) -> Series[bool]:
        columns = ["query_id", "query", "mindate", "maxdate", "records_found", "already_known",
                   "new", "screened_out", "report"]
        present = df[columns].notna()
        searched = df["method"] == "eutils"
        return (searched & present.all(axis=1)) | (~searched & ~present.any(axis=1))

    @pa.dataframe_check(error="already_known + new must equal records_found")
    def counts_add_up(cls, df: pd.DataFrame) -> Series[bool]:
        total = df["already_known"] + df["new"]
        return (df["records_found"].isna() | (total == df["records_found"])).fillna(False)

    @pa.dataframe_check(error="screened_out must not be above new")
    def screened_within_new(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["screened_out"].isna() | (df["screened_out"] <= df["new"])).fillna(False)

    @pa.dataframe_check(error="mindate must not be after maxdate, nor maxdate after date")
    def window_in_order(cls, df: pd.DataFrame) -> Series[bool]:
        both = df["mindate"].notna() & df["maxdate"].notna()
        ordered = (df["mindate"] <= df["maxdate"]) & (df["maxdate"] <= df["date"])
        return ~both | ordered.fillna(False).astype(bool)

    @pa.dataframe_check(error="exactly one baseline row is required")
    def one_baseline(cls, df: pd.DataFrame) -> bool:
        return int((df["method"] == "baseline").sum()) == 1


class CandidateSchema(pa.DataFrameModel):
    """One record found by a search, in the report the search wrote (not a table of data/)."""

    pmid: Series[str] = pa.Field(str_matches=r"^\d+$", description="PubMed id.")
    doi: Series[str] = pa.Field(nullable=True, description="DOI, as PubMed lists it.")
    title: Series[str] = pa.Field(description="Title, as PubMed lists it.")
    journal: Series[str] = pa.Field(nullable=True, description="Journal, as PubMed lists it.")
    year: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=1800, le=2200, description="Year of publication."
    )
    publication_type: Series[str] = pa.Field(
        nullable=True, description="PubMed publication types, joined by '; '."
    )
    status: Series[str] = pa.Field(
        isin=STATUSES,
        description="new; in_review (in data/ or the bibliography); already_proposed (in an "
        "earlier report).",
    )
    matched_by: Series[str] = pa.Field(
        nullable=True, isin=MATCHES, description="What matched a known record (pmid, doi, title)."
    )
    label: Series[str] = pa.Field(isin=LABELS, description="First screening label.")
    n: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=1, description="Patients of a series, as its title states."
    )
    rule_id: Series[str] = pa.Field(description="The screening rule that gave the label.")
    screened_out: Series[bool] = pa.Field(description="The rule screens the record out.")

    class Config:
        strict = True
        ordered = False

    @pa.dataframe_check(error="matched_by is given for a known record and only then")
    def match_for_known(cls, df: pd.DataFrame) -> Series[bool]:
        return df["matched_by"].notna() == (df["status"] != "new")


TABLES = {
    "surveillance_queries.csv": SurveillanceQuerySchema,
    "screening_rules.csv": ScreeningRuleSchema,
    "search_log.csv": SearchLogSchema,
}



def cross_table_problems(
    frames: Mapping[str, pd.DataFrame], data_dir: Path | None = None
) -> list:
    """Rules across the surveillance tables and reports.

    A logged search names a saved query; its report exists, passes :class:`CandidateSchema`, and
    has as many records, new records and screened-out new records as the log says. Lines are
    physical CSV lines (these files have no embedded newlines).
    """
    from asps.loading import DataValidationError, Problem, read_table

    directory = data_dir or DATA_DIR
    log = frames.get("search_log")
    queries = frames.get("surveillance_queries")
    if log is None or log.empty or not {"query_id", "report", "new"} <= set(log.columns):
        return []
    name = display_path(directory / "search_log.csv")
    known = set(queries["query_id"]) if queries is not None and "query_id" in queries else None
    problems: list[Problem] = []
    methods = frames.get("review_methods")
    if methods is not None and {"kind", "date"} <= set(methods.columns):
        compiled = set(methods.loc[methods["kind"] == "date_compiled", "date"])
        for position, row in enumerate(log.itertuples(index=False)):
            if row.method == "baseline" and compiled and row.date not in compiled:
                problems.append(
                    Problem(name, position + 2, "date",
                            "the baseline must be the date_compiled of review_methods.csv",
                            row.date)
                )
    for position, row in enumerate(log.itertuples(index=False)):
        line = position + 2
        if known is not None and pd.notna(row.query_id) and row.query_id not in known:
            problems.append(
                Problem(name, line, "query_id", "unknown query (not in surveillance_queries.csv)",
                        row.query_id)
            )
        if pd.isna(row.report):
            continue
        path = directory / row.report
        if not path.exists():
            problems.append(Problem(name, line, "report", "report file not found", row.report))
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        columns = list(CandidateSchema.to_schema().columns)
        if len(lines) == 1 and lines[0].split(",") == columns:
            # A search that found nothing writes a report with its header only.
            report = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
            report["screened_out"] = report["screened_out"].astype(bool)
        else:
            try:
                report = read_table(path, CandidateSchema)
            except DataValidationError as err:
                problems += err.problems
                continue
        new = report["status"] == "new"
        counts = {
            "records_found": len(report),
            "new": int(new.sum()),
            "screened_out": int((new & report["screened_out"]).sum()),
        }
        for column, count in counts.items():
            if int(getattr(row, column)) != count:
                problems.append(
                    Problem(name, line, column, f"the report lists {count}",
                            str(getattr(row, column)))
                )
    return problems
