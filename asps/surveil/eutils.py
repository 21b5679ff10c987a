"""A small client for NCBI E-utilities (esearch, esummary), JSON only.

It follows NCBI's usage rules: every request names the tool (and an email when one is given),
carries ``NCBI_API_KEY`` when that is set, and requests are spaced to at most three a second, or
ten with a key. A 429 or a 5xx answer is retried with exponential backoff (urllib3's ``Retry``,
which also honours ``Retry-After``); every request has a connect and a read timeout. Anything
else that is not the JSON asked for (no network, a timeout, an HTML error page, malformed or
truncated JSON, an error payload, fewer records than counted) raises :class:`EutilsError` with one
sentence saying what happened.
"""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import takewhile

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ReadTimeoutError
from urllib3.util.retry import Retry

BASE_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
TOOL = "asps-living-review"
#: Seconds to connect, seconds to wait for the answer.
TIMEOUT = (10.0, 60.0)
RETRY_STATUSES = (429, 500, 502, 503, 504)
RETRIES = 4
BACKOFF_SECONDS = 1.0
#: NCBI's limits, requests per second, with a little margin.
INTERVAL_WITHOUT_KEY = 1 / 3 + 0.02
INTERVAL_WITH_KEY = 1 / 10 + 0.01
#: ESearch pages through the first 10,000 records of a search only.
ESEARCH_LIMIT = 9999
BATCH = 200


class EutilsError(RuntimeError):
    """E-utilities could not give a complete, well-formed answer; the message says why."""


class Backoff(Retry):
    """urllib3's ``Retry``, but waiting before the first retry too (1 s, 2 s, 4 s...).

    urllib3 retries the first failure at once; after a 429 NCBI asks clients to slow down.
    """

    def get_backoff_time(self) -> float:
        errors = len(
            list(takewhile(lambda h: h.redirect_location is None, reversed(self.history)))
        )
        if errors == 0 or self.backoff_factor == 0:
            return 0.0
        return float(min(self.backoff_max, self.backoff_factor * 2 ** (errors - 1)))


def retry_policy() -> Backoff:
    """The retry policy of every request: 429 and 5xx, connection errors, with backoff."""
    return Backoff(
        total=RETRIES,
        connect=RETRIES,
        read=2,
        status=RETRIES,
        backoff_factor=BACKOFF_SECONDS,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
        raise_on_status=True,
    )


def make_session() -> requests.Session:
    """A ``requests`` session whose HTTPS adapter retries as :func:`retry_policy` says."""
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry_policy())
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = f"{TOOL} (python-requests)"
    return session


@dataclass(frozen=True)
class SearchResult:
    """What esearch returned for one query and window."""

    count: int
    pmids: list[str]
    translation: str
    requests: int


@dataclass(frozen=True)
class Record:
    """One PubMed record as esummary describes it."""

    pmid: str
    doi: str | None
    title: str
    journal: str | None
    year: int | None
    publication_types: tuple[str, ...]


def _timed_out(err: BaseException) -> bool:
    seen: set[int] = set()
    stack: list[BaseException] = [err]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, NewConnectionError):
            # urllib3 derives a refused connection or an unknown host from ConnectTimeoutError.
            continue
        if isinstance(
            current,
            requests.Timeout | ReadTimeoutError | ConnectTimeoutError | TimeoutError,
        ):
            return True
        reason = getattr(current, "reason", None)
        stack += [a for a in (*current.args, reason, current.__cause__, current.__context__)
                  if isinstance(a, BaseException)]
    return False


def _root_cause(err: BaseException) -> str:
    """The innermost reason of a requests/urllib3 error ("Failed to resolve ...")."""
    current: BaseException = err
    for _ in range(10):
        inner = getattr(current, "reason", None)
        if not isinstance(inner, BaseException):
            inner = next((a for a in current.args if isinstance(a, BaseException)), None)
        if inner is None:
            break
        current = inner
    text = str(current)
    return text.split("): ", 1)[1] if "): " in text else text


def _first_line(text: str, limit: int = 160) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[:limit] + "..."


class Eutils:
    """E-utilities over one ``requests`` session, spaced to NCBI's rate limit."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        email: str | None = None,
        tool: str = TOOL,
        base_url: str = BASE_URL,
        timeout: tuple[float, float] = TIMEOUT,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.api_key = api_key or None
        self.email = email or None
        self.tool = tool
        self.base_url = base_url.rstrip("/") + "/"
        self.timeout = timeout
        self.session = session or make_session()
        self.interval = INTERVAL_WITH_KEY if self.api_key else INTERVAL_WITHOUT_KEY
        self._clock = clock
        self._sleep = sleep
        self._last: float | None = None
        self.requests = 0

    # -- one request

    def _wait_turn(self) -> None:
        now = self._clock()
        if self._last is not None and now - self._last < self.interval:
            self._sleep(self.interval - (now - self._last))
        self._last = self._clock()

    def get(self, utility: str, params: dict[str, str | int]) -> dict:
        """GET ``<utility>.fcgi`` with the usage parameters; return its JSON object."""
        query = {**params, "retmode": "json", "tool": self.tool}
        if self.email:
            query["email"] = self.email
        if self.api_key:
            query["api_key"] = self.api_key
        url = f"{self.base_url}{utility}.fcgi"
        self._wait_turn()
        self.requests += 1
        try:
            response = self.session.get(url, params=query, timeout=self.timeout)
            text = response.text
        except requests.exceptions.RetryError as err:
            raise EutilsError(
                f"{utility}: NCBI kept answering with an error status (429 or 5xx) after "
                f"{RETRIES} retries with backoff ({_first_line(str(err))})"
            ) from err
        except (requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError) as err:
            raise EutilsError(f"{utility}: the answer was cut off (truncated response)") from err
        except requests.exceptions.RequestException as err:
            if _timed_out(err):
                raise EutilsError(
                    f"{utility}: NCBI did not answer in time (timeout: {self.timeout[0]:g} s to "
                    f"connect, {self.timeout[1]:g} s to answer, each tried {RETRIES} times)"
                ) from err
            raise EutilsError(
                f"{utility}: cannot reach NCBI E-utilities at {self.base_url} (no network?): "
                f"{_first_line(_root_cause(err))}"
            ) from err
        if response.status_code != 200:
            raise EutilsError(
                f"{utility}: NCBI answered HTTP {response.status_code} {response.reason or ''}"
                .rstrip()
            )
        return self._parse(utility, response, text)

    @staticmethod
    def _parse(utility: str, response: requests.Response, text: str) -> dict:
        kind = response.headers.get("Content-Type", "").lower()
        start = text.lstrip()[:200].lower()
        if "html" in kind or start.startswith(("<!doctype html", "<html")):
            title = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
            shown = _first_line(title.group(1)) if title else _first_line(_strip_tags(text))
            raise EutilsError(
                f"{utility}: NCBI sent an HTML page instead of JSON (an error page: {shown!r})"
            )
        if start.startswith("<"):
            error = re.search(r"<ERROR>(.*?)</ERROR>", text, re.IGNORECASE | re.DOTALL)
            if error:
                raise EutilsError(f"{utility}: NCBI reported an error: {_first_line(error[1])}")
            raise EutilsError(f"{utility}: NCBI sent XML, not the JSON asked for")
        if not text.strip():
            raise EutilsError(f"{utility}: NCBI sent an empty answer")
        try:
            payload = json.loads(text)
        except json.JSONDecodeError as err:
            where = "truncated" if _unclosed(text) else "malformed"
            raise EutilsError(
                f"{utility}: NCBI sent {where} JSON ({err.msg} at character {err.pos} of "
                f"{len(text)})"
            ) from err
        if not isinstance(payload, dict):
            raise EutilsError(f"{utility}: NCBI sent JSON that is not an object")
        if payload.get("error") or payload.get("ERROR"):
            message = payload.get("error") or payload.get("ERROR")
            raise EutilsError(f"{utility}: NCBI reported an error: {_first_line(str(message))}")
        return payload

    # -- esearch

    def search(
        self,
        term: str,
        mindate: date,
        maxdate: date,
        *,
        datetype: str = "edat",
        batch: int = BATCH,
    ) -> SearchResult:
        """Every PMID matching ``term`` in the window, paging with retstart/retmax."""
        before = self.requests
        pmids: list[str] = []
        count: int | None = None
        translation = ""
        retstart = 0
        while count is None or retstart < count:
            payload = self.get(
                "esearch",
                {
                    "db": "pubmed",
                    "term": term,
                    "datetype": datetype,
                    "mindate": mindate.strftime("%Y/%m/%d"),
                    "maxdate": maxdate.strftime("%Y/%m/%d"),
                    "retstart": retstart,
                    "retmax": batch,
                },
            )
            page_count, page, page_translation = _esearch_page(payload)
            if count is None:
                count, translation = page_count, page_translation
                if count > ESEARCH_LIMIT:
                    raise EutilsError(
                        f"esearch: {count} records in the window, more than the {ESEARCH_LIMIT} "
                        "ESearch can page through; narrow the query or the window"
                    )
            elif page_count != count:
                raise EutilsError(
                    f"esearch: the number of records changed while paging ({count}, then "
                    f"{page_count}); run the search again"
                )
            expected = min(batch, count - retstart)
            if len(page) != expected:
                raise EutilsError(
                    f"esearch: expected {expected} PMIDs from record {retstart}, got {len(page)} "
                    "(a truncated answer)"
                )
            pmids += page
            retstart += batch
            if count == 0:
                break
        if len(set(pmids)) != len(pmids):
            raise EutilsError("esearch: the pages repeat PMIDs; run the search again")
        return SearchResult(count or 0, pmids, translation, self.requests - before)

    # -- esummary

    def summaries(self, pmids: list[str], *, batch: int = BATCH) -> list[Record]:
        """One :class:`Record` per PMID, in the order given, ``batch`` PMIDs a request."""
        records: list[Record] = []
        for start in range(0, len(pmids), batch):
            wanted = pmids[start : start + batch]
            payload = self.get("esummary", {"db": "pubmed", "id": ",".join(wanted)})
            records += _esummary_records(payload, wanted)
        return records


def _unclosed(text: str) -> bool:
    """Whether JSON text ends inside a string or with brackets left open: cut off, not garbled."""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
    return in_string or depth > 0


def _strip_tags(text: str) -> str:
    return re.sub(r"<[^>]+>", " ", text)


def _esearch_page(payload: dict) -> tuple[int, list[str], str]:
    result = payload.get("esearchresult")
    if not isinstance(result, dict):
        raise EutilsError("esearch: the answer has no esearchresult (malformed JSON)")
    if result.get("ERROR") or result.get("error"):
        message = _first_line(str(result.get("ERROR") or result["error"]))
        raise EutilsError(f"esearch: NCBI reported an error: {message}")
    errors = result.get("errorlist") or {}
    if isinstance(errors, dict) and errors.get("fieldsnotfound"):
        raise EutilsError(
            "esearch: PubMed does not know the field(s) "
            f"{', '.join(map(str, errors['fieldsnotfound']))} in the query"
        )
    try:
        count = int(result["count"])
        ids = result["idlist"]
    except (KeyError, TypeError, ValueError) as err:
        raise EutilsError("esearch: the answer lacks a count or an idlist (malformed)") from err
    if not isinstance(ids, list) or not all(isinstance(i, str) and i.isdigit() for i in ids):
        raise EutilsError("esearch: the idlist is not a list of PMIDs (malformed)")
    return count, ids, str(result.get("querytranslation", ""))


def _year(doc: dict) -> int | None:
    for key in ("sortpubdate", "pubdate", "epubdate"):
        match = re.match(r"\s*(\d{4})", str(doc.get(key) or ""))
        if match:
            return int(match.group(1))
    return None


def _doi(doc: dict) -> str | None:
    for item in doc.get("articleids") or []:
        if isinstance(item, dict) and item.get("idtype") == "doi" and item.get("value"):
            return str(item["value"]).strip()
    match = re.search(r"doi:\s*(10\.\S+)", str(doc.get("elocationid") or ""))
    return match.group(1).rstrip(".") if match else None


def _esummary_records(payload: dict, wanted: list[str]) -> list[Record]:
    result = payload.get("result")
    if not isinstance(result, dict) or not isinstance(result.get("uids"), list):
        raise EutilsError("esummary: the answer has no result with uids (malformed JSON)")
    uids = [str(u) for u in result["uids"]]
    if sorted(uids) != sorted(wanted):
        raise EutilsError(
            f"esummary: asked for {len(wanted)} records, got {len(uids)} (a truncated answer)"
        )
    records: list[Record] = []
    for pmid in wanted:
        doc = result.get(pmid)
        if not isinstance(doc, dict):
            raise EutilsError(f"esummary: no summary for PMID {pmid} (a truncated answer)")
        if doc.get("error"):
            message = _first_line(str(doc["error"]))
            raise EutilsError(f"esummary: NCBI reported an error for PMID {pmid}: {message}")
        title = doc.get("title")
        if not isinstance(title, str) or not title.strip():
            raise EutilsError(f"esummary: the summary of PMID {pmid} has no title (malformed)")
        pubtypes = doc.get("pubtype") or []
        if not isinstance(pubtypes, list):
            raise EutilsError(f"esummary: the publication types of PMID {pmid} are malformed")
        journal = doc.get("fulljournalname") or doc.get("source") or None
        records.append(
            Record(
                pmid=pmid,
                doi=_doi(doc),
                title=" ".join(_strip_tags(html.unescape(title)).split()),
                journal=" ".join(str(journal).split()) if journal else None,
                year=_year(doc),
                publication_types=tuple(str(p) for p in pubtypes),
            )
        )
    return records
