"""Citation verification for ``--online``.

Three questions are asked of a document's references:

* Do its links still work, and do they lead where they claim?
  (:func:`check_urls` -> :class:`LinkStatus`)
* Does each DOI exist, and is it the work the text says it is?
  (:func:`resolve_doi` -> :class:`DoiRecord`, then :func:`title_similarity`)
* Does each PubMed id exist?  (:func:`resolve_pmid` -> :class:`PubmedRecord`)

Everything goes through :mod:`audit.web.fetch`, so the SSRF rules apply to
every hop.  Politeness is built in: a per-host minimum interval between
requests, and retries with exponential backoff on 429/503 that honour
``Retry-After`` up to a cap.  Answers that will not change soon are cached
(see :mod:`audit.web.cache`); transient failures are not, so a flaky network
does not leave a week of false "dead link" verdicts behind.

Lookups distinguish *absent* from *unknown*: ``resolve_doi``/``resolve_pmid``
return None only when the registry says the identifier does not exist, and
raise :class:`VerificationUnavailable` when they could not find out.  Calling
a real citation fake because a server hiccupped would be the worst failure an
auditor can have.
"""

from __future__ import annotations

import email.utils
import html
import json
import re
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote, unquote, urlencode, urlsplit

import requests

from audit.web.cache import Cache
from audit.web.fetch import (
    DEFAULT_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT,
    FetchError,
    Resolver,
    new_session,
    open_url,
    read_body,
)

__all__ = [
    "DoiRecord",
    "HostRateLimiter",
    "LinkStatus",
    "PubmedRecord",
    "RetryPolicy",
    "TITLE_MATCH_THRESHOLD",
    "VerificationUnavailable",
    "check_urls",
    "extract_dois",
    "extract_pmids",
    "is_unrelated_redirect",
    "normalize_doi",
    "registered_domain",
    "resolve_doi",
    "resolve_pmid",
    "title_similarity",
    "titles_match",
]

TITLE_MATCH_THRESHOLD = 0.5
#: JSON answers from registries are small; anything bigger is not one.
_MAX_JSON_BYTES = 5_000_000
#: HEAD answers that mean "ask me with GET instead".
_HEAD_FALLBACK = frozenset({405, 501})
_RETRY_STATUSES = frozenset({429, 503})
CSL_JSON = "application/vnd.citationstyles.csl+json"


class VerificationUnavailable(Exception):
    """A registry could not be asked (network, 5xx, garbage answer).  This is
    "unknown", never "does not exist"; ``str()`` is one line."""


# ==========================================================================
# politeness: retries and per-host rate limit


@dataclass(frozen=True)
class RetryPolicy:
    """How to retry 429/503 answers.

    The wait is ``Retry-After`` (seconds or HTTP date) when the server sends
    one, otherwise ``backoff_base * 2**attempt``; either way at most
    ``max_wait`` seconds, so one grumpy server cannot stall a whole audit.
    ``sleep`` is injectable so tests need not really wait.
    """

    retries: int = 3
    backoff_base: float = 1.0
    max_wait: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False, repr=False)

    def delay(self, attempt: int, retry_after: str | None) -> float:
        wait = _parse_retry_after(retry_after)
        if wait is None:
            wait = self.backoff_base * (2**attempt)
        return max(0.0, min(wait, self.max_wait))


def _parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


class HostRateLimiter:
    """Keeps at least ``interval`` seconds between requests to one host.

    Each caller reserves the next free slot for its host under a lock and
    then sleeps outside it, so threads talking to different hosts never wait
    for each other.
    """

    def __init__(
        self,
        interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = max(0.0, interval)
        self._clock = clock
        self._sleep = sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, url: str) -> None:
        """Block until a request to ``url``'s host is allowed."""
        if self.interval <= 0:
            return
        host = (urlsplit(url).hostname or url).lower()
        with self._lock:
            now = self._clock()
            slot = max(now, self._next.get(host, now))
            self._next[host] = slot + self.interval
        if slot > now:
            self._sleep(slot - now)


#: Shared by DOI/PMID lookups that are not given a limiter, so a loop of
#: ``resolve_pmid`` calls stays under NCBI's 3 requests/second.
_REGISTRY_LIMITER = HostRateLimiter(0.4)


@dataclass
class _Requester:
    """The common knobs of one verification run, bundled."""

    allow_private: bool = False
    timeout: tuple[float, float] | float = DEFAULT_TIMEOUT
    session: requests.Session | None = None
    resolver: Resolver | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    limiter: HostRateLimiter | None = None
    max_redirects: int = 5

    def request(
        self,
        url: str,
        *,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        hops: list[str] | None = None,
        session: requests.Session | None = None,
    ) -> requests.Response:
        """One logical request: safe redirects, rate limit on every hop,
        retries on 429/503.  Returns the final (streaming) response."""

        def before(hop_url: str) -> None:
            if hops is not None:
                hops.append(hop_url)
            if self.limiter is not None:
                self.limiter.wait(hop_url)

        for attempt in range(self.retry.retries + 1):
            if hops is not None:
                hops.clear()
            response = open_url(
                url,
                method=method,
                allow_private=self.allow_private,
                timeout=self.timeout,
                max_redirects=self.max_redirects,
                session=session or self.session,
                resolver=self.resolver,
                headers=headers,
                before_request=before,
            )
            if response.status_code not in _RETRY_STATUSES or attempt == self.retry.retries:
                return response
            wait = self.retry.delay(attempt, response.headers.get("Retry-After"))
            response.close()
            self.retry.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def get_json(
        self, url: str, *, headers: dict[str, str] | None = None, hops: list[str] | None = None
    ) -> tuple[int, Any]:
        """(status, decoded JSON or None if the body is not JSON)."""
        response = self.request(url, headers=headers, hops=hops)
        status = response.status_code
        content_type = response.headers.get("Content-Type", "").lower()
        if status != 200 or "json" not in content_type:
            response.close()
            return status, None
        body = read_body(
            response, url, max_bytes=_MAX_JSON_BYTES, deadline=time.monotonic() + DEFAULT_TOTAL_TIMEOUT
        )
        try:
            return status, json.loads(body)
        except ValueError:
            return status, None


# ==========================================================================
# links


@dataclass(frozen=True)
class LinkStatus:
    """Outcome of checking one cited URL.

    ``problem`` is one line for the report, or None when ``ok``.  ``kind``
    is the machine-readable category: ``"dead"`` (4xx/5xx, DNS failure,
    timeout, connection refused, redirect loop), ``"redirected"`` (ends on a
    home page or another site), ``"refused"`` (the safety rules forbid
    contacting it; nothing was sent) or ``"unverified"`` (still rate-limited
    after all retries), or None when ``ok``.
    """

    url: str
    ok: bool
    status: int | None
    final_url: str | None
    problem: str | None
    kind: str | None = None


#: Hosts whose whole job is to redirect elsewhere: leaving their domain is
#: expected, not a sign the citation rotted.
REDIRECTOR_DOMAINS = frozenset(
    {
        "doi.org", "handle.net", "purl.org", "w3id.org", "perma.cc", "bit.ly",
        "t.co", "goo.gl", "tinyurl.com", "ow.ly", "buff.ly", "lnkd.in", "is.gd",
        "rb.gy", "tiny.cc", "youtu.be", "amzn.to", "fb.me", "dlvr.it", "trib.al",
    }
)
_HOME_PATHS = frozenset(
    {
        "", "/index.html", "/index.htm", "/index.php", "/index.asp", "/index.aspx",
        "/default.asp", "/default.aspx", "/home", "/home.html", "/home.php",
        "/homepage", "/start", "/main",
    }
)
_LOCALE_ROOT = re.compile(r"^/[a-z]{2}(?:[-_][a-z]{2,4})?$")

def registered_domain(host: str) -> str:
    """``news.bbc.co.uk`` -> ``bbc.co.uk``; IPs and single labels unchanged.

    One offline extractor serves the whole package (audit.document.domains):
    bundled suffix list, no download, private suffixes (``github.io``) count.
    """
    from audit.document.domains import registered_domain as _registered

    host = host.lower().rstrip(".")
    return _registered(host) or host


def _has_real_path(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path.rstrip("/") != "" or bool(parts.query)


def _looks_like_home(url: str) -> bool:
    parts = urlsplit(url)
    if parts.query:
        return False
    path = parts.path.rstrip("/").lower()
    return path in _HOME_PATHS or bool(_LOCALE_ROOT.match(path))


def is_unrelated_redirect(cited: str, final: str) -> bool:
    """True when a cited deep link ended on a home page or a different site:
    the classic sign of a moved or deleted page that no longer supports the
    claim, even though the server answered 200."""
    if not _has_real_path(cited):
        return False
    cited_parts, final_parts = urlsplit(cited), urlsplit(final)
    cited_host = (cited_parts.hostname or "").removeprefix("www.")
    final_host = (final_parts.hostname or "").removeprefix("www.")
    if (
        cited_host == final_host
        and cited_parts.path.rstrip("/") == final_parts.path.rstrip("/")
        and cited_parts.query == final_parts.query
    ):
        return False  # only scheme, www or a trailing slash changed
    if _looks_like_home(final):
        return True
    cited_domain = registered_domain(cited_host)
    if cited_domain in REDIRECTOR_DOMAINS:
        return False
    return cited_domain != registered_domain(final_host)


def _link_from_error(url: str, error: FetchError) -> tuple[LinkStatus, bool]:
    """(status, cacheable) for a request that raised."""
    if error.kind == "refused":
        return LinkStatus(url, False, None, None, error.problem, "refused"), False
    # A redirect loop is a property of the site; DNS, timeouts and resets
    # may be our own network, so those are not remembered.
    cacheable = error.kind == "redirects"
    return LinkStatus(url, False, error.status, None, f"dead: {error.problem}", "dead"), cacheable


def _link_from_response(url: str, status: int, final_url: str) -> tuple[LinkStatus, bool]:
    if status == 429:
        problem = "could not verify: still rate limited (HTTP 429) after retries"
        return LinkStatus(url, False, status, final_url, problem, "unverified"), False
    if status >= 400:
        # 5xx may be a passing outage: report it, but ask again next run.
        return LinkStatus(url, False, status, final_url, f"dead: HTTP {status}", "dead"), status < 500
    if status >= 300:
        return LinkStatus(url, False, status, final_url, f"dead: HTTP {status} without a target", "dead"), True
    if is_unrelated_redirect(url, final_url):
        problem = f"redirected to an unrelated page: {final_url}"
        return LinkStatus(url, False, status, final_url, problem, "redirected"), True
    return LinkStatus(url, True, status, final_url, None, None), True


def _check_one(url: str, requester: _Requester, session: requests.Session | None) -> tuple[LinkStatus, bool]:
    try:
        response = requester.request(url, method="HEAD", session=session)
        if response.status_code in _HEAD_FALLBACK:
            response.close()
            response = requester.request(url, method="GET", session=session)
        response.close()  # streaming GET: the body is never read
    except FetchError as error:
        return _link_from_error(url, error)
    return _link_from_response(url, response.status_code, response.url or url)


def _link_cache_key(url: str, allow_private: bool) -> str:
    # A verdict reached with private addresses allowed must not be replayed
    # to a run where they are forbidden.
    return ("url+private:" if allow_private else "url:") + url


def check_urls(
    urls: Iterable[str],
    *,
    allow_private: bool = False,
    workers: int = 8,
    per_host_interval: float = 0.5,
    cache: Cache | None = None,
    session: requests.Session | None = None,
    timeout: tuple[float, float] | float = DEFAULT_TIMEOUT,
    retry: RetryPolicy | None = None,
    resolver: Resolver | None = None,
) -> dict[str, LinkStatus]:
    """Check each distinct URL once, in parallel, politely.

    HEAD first (cheap), GET when HEAD is refused with 405/501; the body is
    never downloaded.  Returns ``{url: LinkStatus}`` in input order.  With no
    ``session``, each worker thread uses its own (requests sessions are not
    thread-safe); a given session is shared and must be safe to share.
    """
    ordered = list(dict.fromkeys(urls))
    results: dict[str, LinkStatus] = {}
    pending: list[str] = []
    for url in ordered:
        entry = cache.get(_link_cache_key(url, allow_private)) if cache else None
        if entry is not None:
            try:
                results[url] = LinkStatus(**entry.value)
                continue
            except TypeError:
                pass  # an older or foreign value: check again
        pending.append(url)

    requester = _Requester(
        allow_private=allow_private,
        timeout=timeout,
        session=session,
        resolver=resolver,
        retry=retry or RetryPolicy(),
        limiter=HostRateLimiter(per_host_interval),
    )
    local = threading.local()
    created: list[requests.Session] = []
    created_lock = threading.Lock()

    def thread_session() -> requests.Session | None:
        if session is not None:
            return None  # the requester's shared session is used
        if not hasattr(local, "session"):
            local.session = new_session()
            with created_lock:
                created.append(local.session)
        return local.session

    def work(url: str) -> tuple[str, LinkStatus]:
        try:
            status, cacheable = _check_one(url, requester, thread_session())
        except Exception as exc:  # noqa: BLE001 - one odd URL must not sink the batch
            problem = f"could not verify: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            status, cacheable = LinkStatus(url, False, None, None, problem.rstrip(": "), "unverified"), False
        if cache is not None and cacheable:
            cache.set(_link_cache_key(url, allow_private), asdict(status), status=status.kind or "ok")
        return url, status

    try:
        if pending:
            with ThreadPoolExecutor(max_workers=max(1, min(workers, len(pending)))) as pool:
                for url, status in pool.map(work, pending):
                    results[url] = status
    finally:
        for own in created:
            own.close()
    return {url: results[url] for url in ordered}


# ==========================================================================
# identifiers in text

_DOI_BARE = re.compile(r"\b10\.\d{4,9}/[^\s\"<>]+")
_DOI_URL = re.compile(r"(?:https?://)?(?:dx\.)?doi\.org/(10\.\d{4,9}(?:/|%2[fF])[^\s\"<>]+)", re.I)
_TRAILING = ".,;:!?'\"\u2019\u201d)]}>*"
_PMID_PATTERNS = (
    re.compile(r"\bPMID\s*:?\s*(\d{1,9})\b", re.I),
    re.compile(r"pubmed\.ncbi\.nlm\.nih\.gov/(\d{1,9})\b", re.I),
    re.compile(r"ncbi\.nlm\.nih\.gov/pubmed/(\d{1,9})\b", re.I),
)


def _trim_doi(candidate: str) -> str:
    """Drop sentence punctuation glued to a DOI, but keep a closing bracket
    that belongs to it, as in ``10.1016/S0140-6736(20)30183-5``."""
    while candidate and candidate[-1] in _TRAILING:
        last = candidate[-1]
        pairs = {")": "(", "]": "[", "}": "{"}
        if last in pairs and candidate.count(pairs[last]) >= candidate.count(last):
            break
        candidate = candidate[:-1]
    return candidate


def normalize_doi(doi: str) -> str:
    """``"doi:10.1000/X"`` or ``"https://doi.org/10.1000%2FX"`` -> ``"10.1000/X"``.

    Raises ValueError if no DOI is recognisable.  Case is kept for display;
    compare DOIs with ``.lower()`` (they are case-insensitive).
    """
    found = extract_dois(doi)
    if not found:
        raise ValueError(f"not a DOI: {doi!r}")
    return found[0]


def extract_dois(text: str) -> list[str]:
    """DOIs in ``text``, first occurrence order, without duplicates
    (case-insensitively).  Percent-encoded doi.org links are decoded."""
    found: list[tuple[int, str]] = []
    for match in _DOI_URL.finditer(text):
        found.append((match.start(1), _trim_doi(unquote(match.group(1)))))
    for match in _DOI_BARE.finditer(text):
        found.append((match.start(), _trim_doi(match.group(0))))
    found.sort(key=lambda item: item[0])
    seen: set[str] = set()
    result: list[str] = []
    for _, doi in found:
        key = doi.lower()
        if "/" in doi and not doi.endswith("/") and key not in seen:
            seen.add(key)
            result.append(doi)
    return result


def extract_pmids(text: str) -> list[str]:
    """PubMed ids written as ``PMID: 123`` or as PubMed links, in order."""
    found = sorted(
        (match.start(), match.group(1)) for pattern in _PMID_PATTERNS for match in pattern.finditer(text)
    )
    return list(dict.fromkeys(pmid.lstrip("0") or "0" for _, pmid in found))


# ==========================================================================
# titles

_STOPWORDS = frozenset(
    """a an the of in on for and or to with by from at as is are was were be been
    its it this that these those via into onto over under between among about
    after before during without within using use vs versus do does not no we
    our their how what why when which who can than toward towards""".split()
)
_TAG = re.compile(r"<[^>]+>")


def _clean_title(title: str) -> str:
    """Registries return JATS/HTML markup and entities in titles."""
    return " ".join(html.unescape(_TAG.sub(" ", title)).split())


def _content_words(text: str) -> set[str]:
    return {word for word in re.findall(r"\w+", _clean_title(text).casefold()) if word not in _STOPWORDS}


def title_similarity(a: str, b: str) -> float:
    """Jaccard overlap of content words, 0.0-1.0.

    Crude on purpose: robust to case, punctuation, markup and word order,
    and easy to explain in a report ("3 of 4 words in common").  Two empty
    titles score 0.0 because nothing was shown to match.
    """
    words_a, words_b = _content_words(a), _content_words(b)
    union = words_a | words_b
    if not union:
        return 0.0
    return len(words_a & words_b) / len(union)


def titles_match(cited: str, registered: str, threshold: float = TITLE_MATCH_THRESHOLD) -> bool:
    """Whether a cited title plausibly names the registered work."""
    return title_similarity(cited, registered) >= threshold


# ==========================================================================
# DOI and PubMed lookups


@dataclass(frozen=True)
class DoiRecord:
    """What the registry says a DOI is.  Fields are None when the DOI exists
    but no metadata could be obtained (a registrar without CSL support that
    Crossref does not know either)."""

    doi: str
    title: str | None
    year: int | None
    journal: str | None


@dataclass(frozen=True)
class PubmedRecord:
    """What PubMed says a PMID is."""

    pmid: str
    title: str | None
    year: int | None
    journal: str | None


def _first_text(value: Any) -> str | None:
    """CSL and Crossref give strings or lists of strings for the same field."""
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, str) and item.strip()), None)
    if isinstance(value, str) and value.strip():
        return _clean_title(value)
    return None


def _year_from(record: dict[str, Any]) -> int | None:
    for key in ("issued", "published-print", "published-online", "published", "created"):
        try:
            year = record[key]["date-parts"][0][0]
            if year is not None:
                return int(year)
        except (KeyError, IndexError, TypeError, ValueError):
            continue
    return None


def _doi_record(doi: str, data: Any) -> DoiRecord | None:
    """Build a record from CSL-JSON or a Crossref ``message``; None if the
    answer does not look like metadata at all."""
    if not isinstance(data, dict):
        return None
    title = _first_text(data.get("title"))
    journal = _first_text(data.get("container-title"))
    year = _year_from(data)
    if title is None and journal is None and year is None:
        return None
    return DoiRecord(doi=doi, title=title, year=year, journal=journal)


def _cached_record(cache: Cache | None, key: str, factory: type) -> tuple[bool, Any]:
    """(hit, record-or-None) from the cache."""
    entry = cache.get(key) if cache else None
    if entry is None or not isinstance(entry.value, dict):
        return False, None
    if not entry.value.get("found"):
        return True, None
    try:
        return True, factory(**entry.value["record"])
    except (KeyError, TypeError):
        return False, None


def _store_record(cache: Cache | None, key: str, record: Any) -> None:
    if cache is None:
        return
    if record is None:
        cache.set(key, {"found": False}, status="not-found")
    else:
        cache.set(key, {"found": True, "record": asdict(record)}, status="ok")


def resolve_doi(
    doi: str,
    *,
    base_url: str = "https://doi.org",
    crossref_url: str = "https://api.crossref.org",
    allow_private: bool = False,
    cache: Cache | None = None,
    session: requests.Session | None = None,
    timeout: tuple[float, float] | float = DEFAULT_TIMEOUT,
    retry: RetryPolicy | None = None,
    limiter: HostRateLimiter | None = None,
    resolver: Resolver | None = None,
) -> DoiRecord | None:
    """Look a DOI up: doi.org content negotiation (CSL-JSON, works for
    Crossref, DataCite and mEDRA DOIs), then the Crossref REST API.

    Returns None only when doi.org answers 404 (the DOI does not exist).
    Raises :class:`VerificationUnavailable` when existence is unknown, and
    ValueError if ``doi`` is not a DOI.
    """
    doi = normalize_doi(doi)
    key = "doi:" + doi.lower()
    hit, cached = _cached_record(cache, key, DoiRecord)
    if hit:
        return cached
    requester = _Requester(
        allow_private=allow_private,
        timeout=timeout,
        session=session,
        resolver=resolver,
        retry=retry or RetryPolicy(),
        limiter=limiter or _REGISTRY_LIMITER,
    )
    path = quote(doi, safe="/()")
    registry = registered_domain(urlsplit(base_url).hostname or "")

    def left_registry(hops: list[str]) -> bool:
        # doi.org only sends a DOI it knows elsewhere (to the agency's
        # metadata service or the landing page); leaving it proves existence.
        return any(registered_domain(urlsplit(hop).hostname or "") != registry for hop in hops)

    exists = False
    hops: list[str] = []
    try:
        status, data = requester.get_json(
            f"{base_url.rstrip('/')}/{path}", headers={"Accept": f"{CSL_JSON}, application/json;q=0.5"}, hops=hops
        )
        if status == 404 and not left_registry(hops):
            _store_record(cache, key, None)
            return None
        exists = left_registry(hops) or status == 200
        record = _doi_record(doi, data)
        if record is not None:
            _store_record(cache, key, record)
            return record
    except FetchError:
        exists = left_registry(hops)

    # doi.org could not give metadata: ask Crossref directly.
    try:
        status, data = requester.get_json(
            f"{crossref_url.rstrip('/')}/works/{path}", headers={"Accept": "application/json"}
        )
    except FetchError as error:
        if exists:
            return DoiRecord(doi, None, None, None)  # exists; metadata unknown (not cached)
        raise VerificationUnavailable(f"DOI {doi}: could not be checked ({error.problem})") from None
    message = data.get("message") if isinstance(data, dict) and data.get("status") == "ok" else None
    record = _doi_record(doi, message)
    if record is not None:
        _store_record(cache, key, record)
        return record
    if exists:
        # Registered (doi.org knew it) but neither source has metadata; this
        # is stable, so remember it like a normal answer.
        record = DoiRecord(doi, None, None, None)
        if status == 404:
            _store_record(cache, key, record)
        return record
    raise VerificationUnavailable(f"DOI {doi}: could not be checked (doi.org unreachable, Crossref HTTP {status})")


def resolve_pmid(
    pmid: str | int,
    *,
    eutils_url: str = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils",
    allow_private: bool = False,
    cache: Cache | None = None,
    session: requests.Session | None = None,
    timeout: tuple[float, float] | float = DEFAULT_TIMEOUT,
    retry: RetryPolicy | None = None,
    limiter: HostRateLimiter | None = None,
    resolver: Resolver | None = None,
) -> PubmedRecord | None:
    """Look a PMID up with E-utilities ``esummary``.

    Returns None when PubMed reports no such record; raises
    :class:`VerificationUnavailable` when PubMed could not be asked, and
    ValueError if ``pmid`` is not a number.
    """
    pmid = str(pmid).strip()
    if not pmid.isdigit():
        raise ValueError(f"not a PMID: {pmid!r}")
    pmid = pmid.lstrip("0") or "0"
    key = "pmid:" + pmid
    hit, cached = _cached_record(cache, key, PubmedRecord)
    if hit:
        return cached
    requester = _Requester(
        allow_private=allow_private,
        timeout=timeout,
        session=session,
        resolver=resolver,
        retry=retry or RetryPolicy(),
        limiter=limiter or _REGISTRY_LIMITER,
    )
    query = urlencode({"db": "pubmed", "id": pmid, "retmode": "json", "tool": "audit"})
    url = f"{eutils_url.rstrip('/')}/esummary.fcgi?{query}"
    try:
        status, data = requester.get_json(url, headers={"Accept": "application/json"})
    except FetchError as error:
        raise VerificationUnavailable(f"PMID {pmid}: could not be checked ({error.problem})") from None
    result = data.get("result") if isinstance(data, dict) else None
    if not isinstance(result, dict):
        raise VerificationUnavailable(f"PMID {pmid}: could not be checked (HTTP {status}, no result)")
    item = result.get(pmid)
    if not isinstance(item, dict) or "error" in item:
        _store_record(cache, key, None)
        return None
    year_match = re.search(r"\b(\d{4})\b", str(item.get("pubdate") or item.get("epubdate") or ""))
    record = PubmedRecord(
        pmid=pmid,
        title=_first_text(item.get("title")),
        year=int(year_match.group(1)) if year_match else None,
        journal=_first_text(item.get("fulljournalname")) or _first_text(item.get("source")),
    )
    _store_record(cache, key, record)
    return record
