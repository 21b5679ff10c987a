"""Literature surveillance, offline: recorded E-utilities answers served by the `responses` mock.

The answers in tests/fixtures/eutils/ are hand-made from NCBI's documented JSON formats (see its
README). Every test runs on a copy of data/, never the real one, and no test touches the network:
`responses` refuses any request that no fixture answers.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import requests
import responses
import yaml
from responses import matchers

from asps.loading import DataValidationError, load_all
from asps.paths import DATA_DIR, REFERENCES_DIR, ROOT
from asps.surveil import chapter, main
from asps.surveil.eutils import (
    BASE_URL,
    INTERVAL_WITH_KEY,
    INTERVAL_WITHOUT_KEY,
    RETRY_STATUSES,
    Eutils,
    Record,
    make_session,
    retry_policy,
)
from asps.surveil.known import normalise_title, review_identifiers
from asps.surveil.screening import rules_from, screen

FIXTURES = ROOT / "tests" / "fixtures" / "eutils"
ESEARCH = BASE_URL + "esearch.fcgi"
ESUMMARY = BASE_URL + "esummary.fcgi"
TODAY = date(2026, 12, 1)
DUPLICATE = "11169942"  # portera2001, in data/series.csv and references/series.bib
NEW = ["99000005", "99000004", "99000003", "99000001"]


# -- helpers


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A copy of data/ (the CSV tables and any reports) that a test may change."""
    target = tmp_path / "data"
    target.mkdir()
    for path in DATA_DIR.glob("*.csv"):
        shutil.copy2(path, target / path.name)
    if (DATA_DIR / "surveillance").is_dir():
        shutil.copytree(DATA_DIR / "surveillance", target / "surveillance")
    return target


@pytest.fixture
def mock():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rs:
        yield rs


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def client(**kwargs) -> Eutils:
    """A client that does not really wait between requests (the spacing is tested apart)."""
    return Eutils(sleep=lambda seconds: None, **kwargs)


def serve_search(rs: responses.RequestsMock, *, last_summary: Exception | None = None) -> None:
    """Five records in three esearch pages of two, and their summaries in three batches.

    ``last_summary``: an exception the last esummary request raises instead of answering.
    """
    for page, start in enumerate([0, 2, 4], 1):
        rs.get(
            ESEARCH,
            body=fixture(f"esearch_page{page}.json"),
            content_type="application/json",
            match=[matchers.query_param_matcher({"retstart": str(start)}, strict_match=False)],
        )
    for page, ids in enumerate(["99000005,99000004", "99000003,11169942", "99000001"], 1):
        rs.get(
            ESUMMARY,
            body=(
                last_summary
                if page == 3 and last_summary
                else fixture(f"esummary_batch{page}.json")
            ),
            content_type="application/json",
            match=[matchers.query_param_matcher({"id": ids}, strict_match=False)],
        )


def surveil(data_dir: Path, *extra: str, today: date = TODAY, eutils: Eutils | None = None,
            capsys=None) -> int:
    argv = ["--today", today.isoformat(), "--batch", "2", "--data-dir", str(data_dir), *extra]
    return main(argv, client=eutils or client())


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# -- a whole search


def test_paged_search_writes_a_report_and_a_log_row(data_dir: Path, mock, capsys) -> None:
    serve_search(mock)
    before = snapshot(data_dir)
    assert surveil(data_dir) == 0
    out = capsys.readouterr().out
    assert "5 found, 1 already known, 4 new, 1 screened out by rule" in out

    # Three esearch pages (retstart 0, 2, 4 with retmax 2), then three esummary batches.
    calls = [c.request for c in mock.calls]
    assert [c.url.split("?")[0] for c in calls] == [ESEARCH] * 3 + [ESUMMARY] * 3
    first = requests.utils.urlparse(calls[0].url)
    params = dict(p.split("=", 1) for p in first.query.split("&"))
    assert params["retmode"] == "json" and params["tool"] == "asps-living-review"
    assert params["datetype"] == "edat"
    assert params["mindate"] == "2026%2F11%2F25" and params["maxdate"] == "2026%2F12%2F01"
    assert "api_key" not in params

    log = read_csv(data_dir / "search_log.csv")
    assert len(log) == len(read_csv(DATA_DIR / "search_log.csv")) + 1
    row = log[-1]
    assert row["search_id"] == "pubmed_asps-2026-12-01"
    assert (row["records_found"], row["already_known"], row["new"], row["screened_out"]) == (
        "5", "1", "4", "1"
    )
    assert (row["mindate"], row["maxdate"]) == ("2026-11-25", "2026-12-01")

    report = read_csv(data_dir / row["report"])
    by_pmid = {r["pmid"]: r for r in report}
    assert set(by_pmid) == {DUPLICATE, *NEW}
    assert by_pmid[DUPLICATE]["status"] == "in_review"
    assert by_pmid[DUPLICATE]["matched_by"] == "pmid"
    assert [by_pmid[p]["status"] for p in NEW] == ["new"] * 4
    assert (by_pmid["99000005"]["label"], by_pmid["99000005"]["n"]) == ("series", "42")
    assert by_pmid["99000004"]["label"] == "case_report"
    assert by_pmid["99000001"]["label"] == "trial"
    assert (by_pmid["99000003"]["label"], by_pmid["99000003"]["screened_out"]) == (
        "notice", "true"
    )
    # Markup in a title is removed, entities decoded.
    assert "<i>" not in by_pmid["99000003"]["title"] and "in vivo" in by_pmid["99000003"]["title"]
    assert by_pmid["99000005"]["doi"] == "10.5555/fixture.2026.005"

    markdown = (data_dir / row["report"]).with_suffix(".md").read_text(encoding="utf-8")
    assert markdown.startswith("# Literature surveillance: search of 2026-12-01")
    assert "### New candidates (3)" in markdown and "### Screened out by rule (1)" in markdown
    assert "data/series.csv" in markdown

    # Only the log and the new report changed; the result validates with its cross-checks.
    after = snapshot(data_dir)
    changed = {name for name in after if before.get(name) != after[name]}
    assert changed == {"search_log.csv", row["report"], row["report"].replace(".csv", ".md")}
    assert not [name for name in after if name.endswith(".tmp")]
    frames = load_all(data_dir)
    assert len(frames["search_log"]) == len(log)


def test_empty_result(data_dir: Path, mock) -> None:
    mock.get(ESEARCH, body=fixture("esearch_empty.json"), content_type="application/json")
    assert surveil(data_dir) == 0
    assert [c.request.url.split("?")[0] for c in mock.calls] == [ESEARCH]  # no esummary
    row = read_csv(data_dir / "search_log.csv")[-1]
    assert (row["records_found"], row["new"], row["screened_out"]) == ("0", "0", "0")
    assert read_csv(data_dir / row["report"]) == []
    load_all(data_dir)


def test_the_next_search_starts_from_the_last_and_knows_its_report(data_dir: Path, mock) -> None:
    serve_search(mock)
    assert surveil(data_dir) == 0
    mock.reset()
    serve_search(mock)
    assert surveil(data_dir, today=date(2026, 12, 8)) == 0
    query = requests.utils.urlparse(mock.calls[0].request.url).query
    assert "mindate=2026%2F12%2F01" in query and "maxdate=2026%2F12%2F08" in query
    row = read_csv(data_dir / "search_log.csv")[-1]
    assert (row["already_known"], row["new"]) == ("5", "0")
    statuses = {r["pmid"]: r["status"] for r in read_csv(data_dir / row["report"])}
    assert statuses[DUPLICATE] == "in_review"
    assert {statuses[p] for p in NEW} == {"already_proposed"}
    load_all(data_dir)


def test_a_second_search_on_the_same_day_gets_its_own_id(data_dir: Path, mock) -> None:
    mock.get(ESEARCH, body=fixture("esearch_empty.json"), content_type="application/json")
    assert surveil(data_dir) == 0
    assert surveil(data_dir) == 0
    ids = [r["search_id"] for r in read_csv(data_dir / "search_log.csv")]
    assert ids[-2:] == ["pubmed_asps-2026-12-01", "pubmed_asps-2026-12-01-2"]
    load_all(data_dir)


def test_429_then_success(data_dir: Path, mock) -> None:
    mock.get(ESEARCH, status=429, body=fixture("rate_limit_429.json"),
             content_type="application/json")
    mock.get(ESEARCH, body=fixture("esearch_empty.json"), content_type="application/json")
    assert surveil(data_dir) == 0
    assert [c.response.status_code for c in mock.calls] == [429, 200]


def test_dry_run_writes_nothing(data_dir: Path, mock, capsys) -> None:
    serve_search(mock)
    before = snapshot(data_dir)
    assert surveil(data_dir, "--dry-run") == 0
    assert "dry run: nothing written" in capsys.readouterr().out
    assert snapshot(data_dir) == before


def test_issue_body_and_github_output(data_dir: Path, mock, tmp_path: Path, monkeypatch) -> None:
    serve_search(mock)
    output = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    body = tmp_path / "issue.md"
    assert surveil(data_dir, "--issue-body", str(body)) == 0
    text = body.read_text(encoding="utf-8")
    assert text.startswith("# Literature surveillance: search of 2026-12-01")
    for pmid in NEW:
        assert pmid in text
    values = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert values == {
        "search_date": "2026-12-01",
        "found": "5",
        "new": "4",
        "title": "Literature surveillance: search of 2026-12-01",
    }


# -- failures: one message, a non-zero exit, every file as it was


def _timeout(rs):
    rs.get(ESEARCH, body=requests.exceptions.ReadTimeout("read timed out"))


def _no_network(rs):
    rs.get(ESEARCH, body=requests.exceptions.ConnectionError("Name or service not known"))


def _connection_refused(rs):
    # urllib3 derives NewConnectionError from ConnectTimeoutError: still "no network", not a
    # timeout.
    from urllib3.exceptions import MaxRetryError, NewConnectionError

    reason = NewConnectionError(None, "Failed to establish a new connection: Connection refused")
    rs.get(ESEARCH, body=requests.exceptions.ConnectionError(MaxRetryError(None, "/", reason)))


def _always_429(rs):
    rs.get(ESEARCH, status=429, body=fixture("rate_limit_429.json"),
           content_type="application/json")


def _always_503(rs):
    rs.get(ESEARCH, status=503, body=fixture("error_page.html"), content_type="text/html")


def _html_page(rs):
    rs.get(ESEARCH, body=fixture("error_page.html"), content_type="text/html")


def _truncated(rs):
    rs.get(ESEARCH, body=fixture("esearch_truncated.json"), content_type="application/json")


def _malformed(rs):
    rs.get(ESEARCH, body=fixture("esearch_malformed.json"), content_type="application/json")


def _xml(rs):
    rs.get(ESEARCH, body=fixture("esearch_error.xml"), content_type="text/xml")


def _error_payload(rs):
    rs.get(ESEARCH, body=fixture("esearch_error.json"), content_type="application/json")


def _rate_limit_payload(rs):
    rs.get(ESEARCH, body=fixture("rate_limit_429.json"), content_type="application/json")


def _missing_page(rs):
    # Page 1 of 3, then the same page 1 again where page 2 should come: a record count mismatch
    # is impossible, but PMIDs repeat.
    rs.get(ESEARCH, body=fixture("esearch_page1.json"), content_type="application/json")


def _esummary_missing(rs):
    rs.get(ESEARCH, body=fixture("esearch_page1.json").replace('"5"', '"2"'),
           content_type="application/json")
    rs.get(ESUMMARY, body=fixture("esummary_missing_uid.json"), content_type="application/json")


def _esummary_uid_error(rs):
    rs.get(ESEARCH, body=fixture("esearch_page1.json").replace('"5"', '"2"'),
           content_type="application/json")
    rs.get(ESUMMARY, body=fixture("esummary_uid_error.json"), content_type="application/json")


def _fails_on_the_last_request(rs):
    serve_search(rs, last_summary=requests.exceptions.ReadTimeout("read timed out"))


FAILURES = {
    "timeout": (_timeout, r"did not answer in time \(timeout"),
    "no-network": (_no_network, r"cannot reach NCBI E-utilities .*no network"),
    "connection-refused": (_connection_refused, r"no network\?\): .*Connection refused"),
    "429-forever": (_always_429, r"kept answering with an error status \(429 or 5xx\)"),
    "503-forever": (_always_503, r"kept answering with an error status"),
    "html-error-page": (_html_page, r"HTML page instead of JSON .*NCBI - WWW Error"),
    "truncated-json": (_truncated, r"sent truncated JSON"),
    "malformed-json": (_malformed, r"sent malformed JSON"),
    "xml-instead-of-json": (_xml, r"NCBI reported an error: Invalid query syntax"),
    "error-payload": (_error_payload, r"NCBI reported an error: Invalid query syntax"),
    "rate-limit-payload": (_rate_limit_payload, r"NCBI reported an error: API rate limit"),
    "repeated-page": (_missing_page, r"pages repeat PMIDs|expected \d+ PMIDs"),
    "esummary-missing-record": (_esummary_missing, r"asked for 2 records, got 1"),
    "esummary-record-error": (_esummary_uid_error, r"error for PMID 99000004"),
    "last-request-times-out": (_fails_on_the_last_request, r"esummary: .*timeout"),
}


@pytest.mark.parametrize("name", list(FAILURES))
def test_failure_is_one_message_and_changes_nothing(name: str, data_dir: Path, mock,
                                                    capsys) -> None:
    serve, message = FAILURES[name]
    serve(mock)
    before = snapshot(data_dir)
    assert surveil(data_dir) != 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Traceback" not in captured.err
    assert re.search(message, captured.err), captured.err
    assert "nothing was written" in captured.err
    assert snapshot(data_dir) == before


@pytest.mark.parametrize("failing", [1, 2, 3], ids=["first", "second", "last"])
def test_a_failed_rename_puts_every_file_back(data_dir: Path, mock, monkeypatch,
                                               failing: int) -> None:
    import os

    # The validated-table cache (asps.cache) also renames its files: off, so that only the
    # surveillance writes are counted.
    monkeypatch.setenv("ASPS_CACHE", "0")
    serve_search(mock)
    before = snapshot(data_dir)
    folders = sorted(p for p in data_dir.rglob("*") if p.is_dir())
    real = os.replace
    calls = []

    def replace(src, dst):
        calls.append(Path(dst).name)
        if len(calls) == failing:
            raise OSError("disk full")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    assert surveil(data_dir) != 0
    monkeypatch.setattr(os, "replace", real)
    assert len(calls) == failing
    assert snapshot(data_dir) == before
    assert sorted(p for p in data_dir.rglob("*") if p.is_dir()) == folders


def test_invalid_data_stops_before_any_request(data_dir: Path, mock, capsys) -> None:
    log = data_dir / "search_log.csv"
    log.write_text(log.read_text(encoding="utf-8").replace("baseline,2026", "baseline,20x6"),
                   encoding="utf-8")
    before = snapshot(data_dir)
    assert surveil(data_dir) != 0
    assert not mock.calls
    assert "search_log.csv" in capsys.readouterr().err
    assert snapshot(data_dir) == before


def test_no_request_escapes_to_the_network(data_dir: Path, mock, capsys) -> None:
    # No fixture registered: responses refuses the request; the run fails cleanly.
    assert surveil(data_dir) != 0
    assert "cannot reach NCBI" in capsys.readouterr().err


# -- NCBI's usage rules


def test_api_key_and_email_are_sent(data_dir: Path, mock, monkeypatch) -> None:
    mock.get(ESEARCH, body=fixture("esearch_empty.json"), content_type="application/json")
    monkeypatch.setenv("NCBI_API_KEY", "fixture-key")
    monkeypatch.setenv("NCBI_EMAIL", "review@example.org")
    monkeypatch.setattr("asps.surveil.eutils.time.sleep", lambda seconds: None)
    assert main(["--today", "2026-12-01", "--data-dir", str(data_dir)]) == 0
    query = requests.utils.urlparse(mock.calls[0].request.url).query
    assert "api_key=fixture-key" in query and "email=review%40example.org" in query


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.mark.parametrize(
    ("key", "per_second"), [(None, 3), ("fixture-key", 10)], ids=["no-key", "api-key"]
)
def test_requests_are_spaced_to_ncbis_limit(mock, key, per_second) -> None:
    mock.get(ESEARCH, body=fixture("esearch_empty.json"), content_type="application/json")
    clock = FakeClock()
    eutils = Eutils(api_key=key, clock=clock, sleep=clock.sleep)
    starts = []
    for _ in range(4):
        eutils.get("esearch", {"db": "pubmed", "term": "x"})
        starts.append(clock.now)
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert all(gap >= 1 / per_second for gap in gaps), gaps
    assert eutils.interval == (INTERVAL_WITH_KEY if key else INTERVAL_WITHOUT_KEY)


def test_retry_policy_backs_off_on_429_and_5xx() -> None:
    policy = retry_policy()
    assert set(RETRY_STATUSES) == {429, 500, 502, 503, 504}
    assert set(policy.status_forcelist) == set(RETRY_STATUSES)
    assert policy.total >= 3 and policy.respect_retry_after_header
    waits = []
    for _ in range(3):
        policy = policy.increment(method="GET", url="/", error=None,
                                  response=_fake_response(429))
        waits.append(policy.get_backoff_time())
    assert waits[0] > 0 and waits[0] < waits[1] < waits[2]
    adapter = make_session().get_adapter("https://eutils.ncbi.nlm.nih.gov/")
    assert adapter.max_retries.status_forcelist == policy.status_forcelist


def _fake_response(status: int):
    from urllib3 import HTTPResponse

    return HTTPResponse(status=status, headers={})


def test_every_request_has_a_timeout(mock) -> None:
    mock.get(ESEARCH, body=fixture("esearch_empty.json"), content_type="application/json")
    seen = {}
    eutils = client()
    original = eutils.session.get

    def get(*args, **kwargs):
        seen.update(kwargs)
        return original(*args, **kwargs)

    eutils.session.get = get
    eutils.get("esearch", {"db": "pubmed", "term": "x"})
    assert seen["timeout"] and all(t > 0 for t in seen["timeout"])


# -- matching and screening


def test_known_identifiers_come_from_data_and_the_bibliography() -> None:
    known = review_identifiers(DATA_DIR, REFERENCES_DIR)
    assert "data/series.csv" in known.pmids[DUPLICATE]
    assert "references/series.bib:portera2001" in known.pmids[DUPLICATE]
    assert known.dois["10.4055/cios.2014.6.1.80"]
    # A DOI with brackets, angle brackets and a semicolon (a Wiley SICI) is kept whole.
    assert known.match("1", "10.1002/1097-0142(20010201)91:3<585::AID-CNCR1038>3.0.CO;2-0",
                       "unrelated", None)[0] == "doi"
    # A title written over two lines of a .bib file, with braces, matches PubMed's.
    match = known.match(
        "2", None,
        "Alveolar soft part sarcoma: clinical course and patterns of metastasis in 70 patients "
        "treated at a single institution.",
        2001,
    )
    assert match and match[0] == "title"
    # ... but not in another year, and a short generic title never matches.
    assert known.match("2", None, "Alveolar soft part sarcoma: clinical course and patterns of "
                       "metastasis in 70 patients treated at a single institution", 2019) is None
    known.add_title("Alveolar soft part sarcoma", None, "x")
    assert known.match("3", None, "Alveolar soft part sarcoma.", 2026) is None


def test_normalised_title() -> None:
    assert normalise_title("Alveolar {S}oft-Part Sarcoma: <i>TFE3</i>, café.") == (
        "alveolar soft part sarcoma tfe3 cafe"
    )


RULES = rules_from(load_all()["screening_rules"])


@pytest.mark.parametrize(
    ("title", "types", "label", "n", "out"),
    [
        ("A case of ASPS of the orbit", ["Journal Article"], "case_report", None, False),
        ("ASPS of the tongue", ["Case Reports", "Review"], "case_report", None, False),
        ("ASPS of the thigh", ["Letter", "Case Reports"], "case_report", None, False),
        ("Outcome of 19 patients with ASPS", ["Journal Article"], "series", 19, False),
        ("Survival in a population-based cohort", ["Journal Article"], "series", None, False),
        ("Atezolizumab in ASPS", ["Clinical Trial, Phase II"], "trial", None, False),
        ("A phase 2 trial of X in ASPS", ["Journal Article"], "trial", None, False),
        ("ASPS: a review", ["Journal Article", "Review"], "review", None, False),
        ("Comment on: ASPS outcomes", ["Comment"], "commentary", None, True),
        ("Erratum", ["Published Erratum"], "notice", None, True),
        ("TFE3 nuclear staining in cell lines", ["Journal Article"], "other", None, False),
    ],
)
def test_screening_rules(title, types, label, n, out) -> None:
    record = Record("1", None, title, "J", 2026, tuple(types))
    result = screen(record, RULES)
    assert (result.label, result.n, result.screen_out) == (label, n, out)


# -- the tables and their cross-checks


def test_log_counts_must_match_the_report(data_dir: Path, mock) -> None:
    serve_search(mock)
    assert surveil(data_dir) == 0
    log = data_dir / "search_log.csv"
    text = log.read_text(encoding="utf-8")
    log.write_text(text.replace(",5,1,4,1,", ",5,2,3,1,"), encoding="utf-8")
    with pytest.raises(DataValidationError) as err:
        load_all(data_dir)
    assert "the report lists 4" in err.value.report()


def test_a_logged_report_must_exist(data_dir: Path, mock) -> None:
    serve_search(mock)
    assert surveil(data_dir) == 0
    for report in (data_dir / "surveillance").glob("*.csv"):
        report.unlink()
    with pytest.raises(DataValidationError) as err:
        load_all(data_dir)
    assert "report file not found" in err.value.report()


def test_the_baseline_is_the_compiled_date() -> None:
    frames = load_all()
    log = frames["search_log"]
    compiled = frames["review_methods"].query("kind == 'date_compiled'")["date"].iloc[0]
    baseline = log[log["method"] == "baseline"]
    assert list(baseline["date"]) == [compiled]
    assert baseline[["query", "records_found", "new", "report"]].isna().all(axis=None)


# -- the methods chapter's view


def test_chapter_flow_before_any_search() -> None:
    flow = chapter.flow()
    assert flow.searches.empty or chapter.totals(flow)["searches"] == len(flow.searches)
    frame = chapter.log_frame(flow)
    assert frame.iloc[0]["Search"] == "baseline"


def test_chapter_flow_shows_searches_and_what_became_data(data_dir: Path, mock,
                                                          tmp_path: Path) -> None:
    serve_search(mock)
    assert surveil(data_dir) == 0
    references = tmp_path / "references"
    shutil.copytree(REFERENCES_DIR, references)
    # An author adds the series the search proposed to the bibliography.
    with (references / "series.bib").open("a", encoding="utf-8") as handle:
        handle.write("\n@article{fixture2026,\n  title = {Fixture},\n"
                     "  doi = {10.5555/fixture.2026.005},\n  year = {2026}\n}\n")
    flow = chapter.flow(load_all(data_dir), data_dir=data_dir, references_dir=references)
    assert chapter.totals(flow) == {
        "searches": 1, "found": 5, "new": 4, "screened_out": 1, "became_data": 1
    }
    frame = chapter.log_frame(flow)
    assert list(frame["Search"]) == ["baseline", "pubmed_asps-2026-12-01"]
    assert frame.iloc[1]["Became data"] == "1"
    became = chapter.became_data_frame(flow)
    assert list(became["PMID"]) == ["99000005"]
    assert "references/series.bib:fixture2026" in became.iloc[0]["Now in"]
    assert "1 December 2026" in str(chapter.status(flow))


# -- the command line and the workflow


def test_surveil_is_a_command_of_python_m_asps() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "asps", "surveil", "--help"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "--dry-run" in done.stdout


def test_surveil_workflow_runs_weekly_with_only_its_own_token() -> None:
    path = ROOT / ".github" / "workflows" / "surveil.yml"
    text = path.read_text(encoding="utf-8")
    workflow = yaml.safe_load(text)
    triggers = workflow.get("on", workflow.get(True))
    assert "workflow_dispatch" in triggers
    cron = triggers["schedule"][0]["cron"].split()
    assert len(cron) == 5 and cron[2:4] == ["*", "*"] and cron[4] != "*"  # once a week
    assert workflow["permissions"] == {"contents": "write", "issues": "write"}
    assert set(re.findall(r"secrets\.(\w+)", text)) <= {"GITHUB_TOKEN"}
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "python -m asps surveil" in runs
    assert "gh issue create" in runs and "gh issue list" in runs
    assert all(job.get("timeout-minutes") for job in workflow["jobs"].values())
