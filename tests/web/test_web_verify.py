"""audit.web.verify: link checks, DOI/PMID lookups, identifier extraction."""

from __future__ import annotations

import time

import pytest

from audit.web.cache import Cache
from audit.web.verify import (
    DoiRecord,
    HostRateLimiter,
    LinkStatus,
    PubmedRecord,
    RetryPolicy,
    VerificationUnavailable,
    check_urls,
    extract_dois,
    extract_pmids,
    is_unrelated_redirect,
    normalize_doi,
    registered_domain,
    resolve_doi,
    resolve_pmid,
    title_similarity,
    titles_match,
)

NO_WAIT = HostRateLimiter(0)


@pytest.fixture
def fast_retry(fake_sleep):
    return RetryPolicy(retries=3, backoff_base=0.5, max_wait=30, sleep=fake_sleep)


def check(urls, **kwargs):
    kwargs.setdefault("allow_private", True)
    kwargs.setdefault("per_host_interval", 0)
    return check_urls(urls, **kwargs)


# -- links --------------------------------------------------------------------


def test_live_and_dead_links(server):
    good, dead, gone = server.url("/page"), server.url("/missing"), server.url("/error")
    results = check([good, dead, gone])
    assert list(results) == [good, dead, gone]
    assert results[good] == LinkStatus(good, True, 200, good, None, None)
    assert results[dead].ok is False and results[dead].status == 404
    assert results[dead].problem == "dead: HTTP 404" and results[dead].kind == "dead"
    assert results[gone].problem == "dead: HTTP 500"


def test_head_is_tried_first(server):
    check([server.url("/page")])
    assert [method for method, _, _ in server.hits] == ["HEAD"]


def test_get_fallback_when_head_not_allowed(server):
    url = server.url("/head-405")
    assert check([url])[url].ok
    assert [method for method, _, _ in server.hits] == ["HEAD", "GET"]


def test_duplicates_checked_once(server):
    url = server.url("/page")
    assert list(check([url, url, url])) == [url]
    assert len(server.hits) == 1


def test_transport_failures_are_dead(server):
    url = server.url("/slow")
    status = check([url], timeout=(1, 0.2))[url]
    assert status.ok is False and status.kind == "dead"
    assert status.problem == "dead: timed out"


def test_too_many_redirects_is_dead(server):
    url = server.url("/redirect/6")
    assert check([url])[url].problem == "dead: too many redirects (more than 5)"


def test_benign_redirect_is_ok(server):
    url = server.url("/moved")
    status = check([url])[url]
    assert status.ok and status.final_url == server.url("/page")


def test_redirect_to_home_page_is_flagged(server):
    url = server.url("/old-article")
    status = check([url])[url]
    assert status.ok is False and status.kind == "redirected"
    assert status.status == 200
    assert status.problem == f"redirected to an unrelated page: {server.url('/')}"


def test_redirect_to_other_site_is_flagged(server):
    url = server.url("/offsite")
    status = check([url])[url]
    assert status.kind == "redirected"
    assert status.final_url == server.url("/some/article", host="localhost")


def test_private_links_refused_without_contact(server):
    url = server.url("/page")
    status = check_urls([url], per_host_interval=0)[url]
    assert status.ok is False and status.kind == "refused"
    assert status.problem == "refused: resolves to loopback address 127.0.0.1"
    assert server.hits == []


def test_private_redirect_refused_in_link_check(server, pretend_public):
    url = server.url("/to-localhost")
    status = check_urls([url], per_host_interval=0, resolver=pretend_public("127.0.0.1"))[url]
    assert status.kind == "refused"
    assert server.paths() == ["/to-localhost"]


def test_retry_after_is_honoured(server, fast_retry, fake_sleep):
    url = server.url("/flaky/a?fail=2&after=2")
    status = check([url], retry=fast_retry)[url]
    assert status.ok and status.status == 200
    assert fake_sleep.waits == [2.0, 2.0]
    assert len(server.hits) == 3


def test_retry_after_is_capped(server, fake_sleep):
    url = server.url("/flaky/b?fail=1&after=3600")
    policy = RetryPolicy(retries=2, max_wait=0.05, sleep=fake_sleep)
    assert check([url], retry=policy)[url].ok
    assert fake_sleep.waits == [0.05]


def test_real_sleep_retry_is_fast(server):
    url = server.url("/flaky/c?fail=1&after=1")
    started = time.monotonic()
    assert check([url], retry=RetryPolicy(max_wait=0.05))[url].ok
    assert time.monotonic() - started < 1


def test_exponential_backoff_without_retry_after(server, fast_retry, fake_sleep):
    url = server.url("/unavailable")
    status = check([url], retry=fast_retry)[url]
    assert status.problem == "dead: HTTP 503"
    assert fake_sleep.waits == [0.5, 1.0, 2.0]
    assert len(server.hits) == 4


def test_persistent_rate_limit_is_unverified(server, fake_sleep):
    url = server.url("/flaky/d?fail=99&after=1")
    status = check([url], retry=RetryPolicy(retries=1, sleep=fake_sleep))[url]
    assert status.kind == "unverified" and status.status == 429


def test_unexpected_errors_do_not_sink_the_batch(server, monkeypatch):
    import audit.web.verify as verify

    real = verify._check_one

    def flaky(url, requester, session):
        if url.endswith("/boom"):
            raise RuntimeError("surprise\nsecond line")
        return real(url, requester, session)

    monkeypatch.setattr(verify, "_check_one", flaky)
    good, boom = server.url("/page"), server.url("/boom")
    results = check([good, boom])
    assert results[good].ok
    assert results[boom].kind == "unverified"
    assert results[boom].problem == "could not verify: RuntimeError: surprise"


def test_per_host_interval(server):
    urls = [server.url(f"/page?n={n}") for n in range(3)]
    started = time.monotonic()
    results = check(urls, per_host_interval=0.2, workers=3)
    assert all(status.ok for status in results.values())
    assert time.monotonic() - started >= 0.39


def test_rate_limiter_spaces_same_host_only(fake_sleep):
    now = [100.0]
    limiter = HostRateLimiter(0.5, clock=lambda: now[0], sleep=fake_sleep)
    limiter.wait("https://a.example/1")
    limiter.wait("https://b.example/1")
    limiter.wait("https://a.example/2")
    limiter.wait("https://a.example/3")
    assert fake_sleep.waits == [0.5, 1.0]


def test_link_results_are_cached(server, tmp_path):
    cache = Cache(tmp_path)
    good, dead, slow = server.url("/page"), server.url("/missing"), server.url("/slow")
    first = check([good, dead, slow], cache=cache, timeout=(1, 0.2))
    server.hits.clear()
    second = check([good, dead], cache=cache)
    assert second == {good: first[good], dead: first[dead]}
    assert server.hits == []
    # Timeouts may be our own network: not remembered.
    assert cache.get("url+private:" + slow) is None


def test_no_cache_asks_again(server, tmp_path):
    url = server.url("/page")
    cache = Cache(tmp_path, enabled=False)
    check([url], cache=cache)
    check([url], cache=cache)
    assert len(server.hits) == 2


def test_private_verdicts_not_replayed_without_permission(server, tmp_path):
    cache = Cache(tmp_path)
    url = server.url("/page")
    assert check([url], cache=cache)[url].ok
    assert check_urls([url], cache=cache, per_host_interval=0)[url].kind == "refused"


@pytest.mark.parametrize(
    "cited, final, unrelated",
    [
        ("https://news.example.com/2020/story", "https://news.example.com/", True),
        ("https://example.com/report.pdf", "https://example.com/index.html", True),
        ("https://example.com/a/b", "https://example.com/en-us/", True),
        ("https://example.com/a/b", "https://other.org/a/b", True),
        ("https://blog.example.com/post", "https://www.example.com/blog/post", False),
        ("http://example.com/post", "https://www.example.com/post/", False),
        ("https://example.com/", "https://example.com/welcome", False),
        ("https://doi.org/10.1234/x", "https://journals.example.org/article/1", False),
        ("https://alice.github.io/notes", "https://bob.github.io/notes", True),
        ("https://example.com/?p=123", "https://example.com/", True),
    ],
)
def test_unrelated_redirect_rules(cited, final, unrelated):
    assert is_unrelated_redirect(cited, final) is unrelated


def test_registered_domain():
    assert registered_domain("news.bbc.co.uk") == "bbc.co.uk"
    assert registered_domain("WWW.Example.COM.") == "example.com"
    assert registered_domain("127.0.0.1") == "127.0.0.1"
    assert registered_domain("localhost") == "localhost"


# -- DOIs ---------------------------------------------------------------------


def doi_kwargs(server, **extra):
    return {
        "base_url": server.url("/doi"),
        "crossref_url": server.url("/crossref"),
        "allow_private": True,
        "limiter": NO_WAIT,
        **extra,
    }


def test_doi_content_negotiation(server):
    record = resolve_doi("https://doi.org/10.1234/good", **doi_kwargs(server))
    assert record == DoiRecord(
        doi="10.1234/good",
        title="Sleep deprivation and working memory in adults",
        year=2021,
        journal="Journal of Sleep Research",
    )
    assert server.paths() == ["/doi/10.1234/good", "/transform/10.1234/good"]
    assert not any(path.startswith("/crossref") for path in server.paths())


def test_missing_doi_is_none(server):
    assert resolve_doi("10.1234/missing", **doi_kwargs(server)) is None
    assert server.paths() == ["/doi/10.1234/missing"]


def test_redirect_inside_the_registry_is_not_proof_of_existence(server):
    assert resolve_doi("10.5555/moved-within", **doi_kwargs(server)) is None


def test_crossref_fallback_when_registrar_has_no_csl(server):
    record = resolve_doi("doi:10.5555/landing-only", **doi_kwargs(server))
    assert record == DoiRecord(
        "10.5555/landing-only", "Coffee consumption & longevity: a cohort study", 2019, "Annals of Epidemiology"
    )
    assert "/crossref/works/10.5555/landing-only" in server.paths()


def test_crossref_fallback_when_doi_org_is_unavailable(server, fake_sleep):
    retry = RetryPolicy(retries=1, sleep=fake_sleep)
    record = resolve_doi("10.7777/crossref-only", **doi_kwargs(server, retry=retry))
    assert record == DoiRecord("10.7777/crossref-only", "Urban heat islands", 2018, "Climate")
    assert fake_sleep.waits == [0.0]  # Retry-After: 0 was honoured once


def test_existing_doi_without_metadata(server):
    assert resolve_doi("10.5555/nometa", **doi_kwargs(server)) == DoiRecord("10.5555/nometa", None, None, None)


def test_unknown_is_not_absent(server):
    with pytest.raises(VerificationUnavailable) as info:
        resolve_doi("10.9999/down", **doi_kwargs(server))
    assert "\n" not in str(info.value) and "10.9999/down" in str(info.value)


def test_doi_private_registry_refused_by_default(server):
    kwargs = doi_kwargs(server)
    kwargs["allow_private"] = False
    with pytest.raises(VerificationUnavailable):
        resolve_doi("10.1234/good", **kwargs)
    assert server.hits == []


def test_doi_lookups_are_cached(server, tmp_path):
    cache = Cache(tmp_path)
    found = resolve_doi("10.1234/good", cache=cache, **doi_kwargs(server))
    assert resolve_doi("10.1234/missing", cache=cache, **doi_kwargs(server)) is None
    server.hits.clear()
    assert resolve_doi("10.1234/GOOD", cache=cache, **doi_kwargs(server)) == found
    assert resolve_doi("10.1234/missing", cache=cache, **doi_kwargs(server)) is None
    assert server.hits == []


def test_doi_failures_are_not_cached(server, tmp_path):
    cache = Cache(tmp_path)
    for _ in range(2):
        with pytest.raises(VerificationUnavailable):
            resolve_doi("10.9999/down", cache=cache, **doi_kwargs(server))
    assert server.paths().count("/doi/10.9999/down") == 2


def test_not_a_doi():
    with pytest.raises(ValueError):
        normalize_doi("hello world")


# -- PubMed -------------------------------------------------------------------


def pmid_kwargs(server, **extra):
    return {"eutils_url": server.url("/eutils"), "allow_private": True, "limiter": NO_WAIT, **extra}


def test_pmid_lookup(server):
    record = resolve_pmid("31452104", **pmid_kwargs(server))
    assert record == PubmedRecord(
        "31452104", "Quantum supremacy using a programmable superconducting processor.", 2019, "Nature"
    )
    (path,) = server.paths()
    assert path.startswith("/eutils/esummary.fcgi?") and "db=pubmed" in path and "retmode=json" in path


def test_unknown_pmid_is_none(server, tmp_path):
    cache = Cache(tmp_path)
    assert resolve_pmid(99999999, cache=cache, **pmid_kwargs(server)) is None
    assert resolve_pmid("99999999", cache=cache, **pmid_kwargs(server)) is None
    assert len(server.hits) == 1


def test_pmid_server_error_is_unavailable(server):
    with pytest.raises(VerificationUnavailable):
        resolve_pmid("500", **pmid_kwargs(server))


def test_pmid_cached(server, tmp_path):
    cache = Cache(tmp_path)
    first = resolve_pmid("31452104", cache=cache, **pmid_kwargs(server))
    assert resolve_pmid("031452104", cache=cache, **pmid_kwargs(server)) == first
    assert len(server.hits) == 1


def test_not_a_pmid():
    with pytest.raises(ValueError):
        resolve_pmid("PMC123")


# -- extraction and titles -----------------------------------------------------


def test_extract_dois():
    text = (
        "As shown (doi:10.1016/S0140-6736(20)30183-5). See https://doi.org/10.1000/XYZ.123, "
        'also <a href="https://dx.doi.org/10.1038%2Fnature12373">here</a> and 10.1000/xyz.123; '
        "not a DOI: 10.12/abc or 10.1234/"
    )
    assert extract_dois(text) == ["10.1016/S0140-6736(20)30183-5", "10.1000/XYZ.123", "10.1038/nature12373"]


def test_extract_pmids():
    text = (
        "PMID: 31452104. See https://pubmed.ncbi.nlm.nih.gov/12345678/ and "
        "www.ncbi.nlm.nih.gov/pubmed/22222 and pmid 31452104 again; PMCID: PMC999 is not one."
    )
    assert extract_pmids(text) == ["31452104", "12345678", "22222"]


def test_title_similarity():
    registered = "Sleep deprivation and <i>working memory</i> in adults"
    assert title_similarity("Sleep Deprivation and Working Memory in Adults.", registered) == 1.0
    assert title_similarity("The effect of coffee on longevity", registered) == 0.0
    assert title_similarity("", "") == 0.0
    assert title_similarity("Sleep deprivation and memory", registered) == pytest.approx(3 / 5)
    assert titles_match("Working memory after sleep deprivation", registered)
    assert not titles_match("Sleep and diet", registered)
    assert titles_match("Sleep and diet", registered, threshold=0.1)
