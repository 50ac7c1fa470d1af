"""Online verification of citations (only with ``--online``).

Offline -- the default -- these checks return at once and touch nothing.
Online, they use the network layer in :mod:`audit.web` (SSRF-safe
requests, a bounded thread pool, per-host rate limits, retries, and a
persistent cache):

* ``links``: every cited URL (reference entries, bare URLs in the text, and
  in-text links that read like citations) must answer, and must not land
  on an unrelated page (a home page, another site);
* ``identifiers``: every DOI and PubMed id must exist, and where the entry
  gives a title, the registered title must match it.

Registry addresses can be pointed elsewhere (a mirror, a test server) with
``AUDIT_DOI_URL``, ``AUDIT_CROSSREF_URL`` and ``AUDIT_EUTILS_URL``.
"""

from __future__ import annotations

import os
import re

from audit.checks.base import Hit
from audit.document.structure import URL

_CITATION_TEXT = re.compile(r"\b(?:19|20)\d{2}\b|et al|doi|pubmed|journal|study|trial|review|report|\[\d+\]", re.I)


def _web_cache(ctx):
    """One cache per engine (per worker process), created on first use."""
    engine = getattr(ctx, "engine", None)
    cache = getattr(engine, "_web_cache", None)
    if cache is None:
        from audit.web.cache import Cache

        cache = Cache(enabled=ctx.settings.use_cache)
        if engine is not None:
            engine._web_cache = cache
    return cache


def _online(ctx) -> bool:
    settings = getattr(ctx, "settings", None)
    return bool(settings is not None and settings.online)


def _cited_urls(ctx) -> dict[str, tuple]:
    """``url -> (block, start, end, raw)``: where each cited URL is shown."""
    doc, st = ctx.doc, ctx.structure
    refs = set(st.reference_blocks)
    out: dict[str, tuple] = {}
    for b in doc.blocks:
        for m in URL.finditer(b.text):
            url = m.group(0).rstrip(".,;")
            if url.lower().startswith("http"):
                out.setdefault(url, (b, m.start(), m.start() + len(url), False))
    for link in doc.links:
        href = link.href or ""
        if not href.lower().startswith(("http://", "https://")):
            continue
        if link.block in refs or _CITATION_TEXT.search(link.text or ""):
            out.setdefault(href, (doc.blocks[link.block], link.raw_start, link.raw_end, True))
    return out


def check_online_citations(rule, ctx):
    if not _online(ctx):
        return
    mode = rule.params.get("params", {}).get("mode", "links")
    if mode == "links":
        yield from _check_links(rule, ctx)
    else:
        yield from _check_identifiers(rule, ctx)


def _check_links(rule, ctx):
    from audit.web.verify import check_urls

    cited = _cited_urls(ctx)
    if not cited:
        return
    statuses = check_urls(list(cited), allow_private=ctx.settings.allow_private, cache=_web_cache(ctx))
    for url, status in statuses.items():
        if status.ok or status.kind not in ("dead", "redirected"):
            continue
        b, s, e, raw = cited[url]
        yield Hit(b, s, e, {"match": url, "detail": status.problem or status.kind}, raw=raw)


def _check_identifiers(rule, ctx):
    from audit.web import verify

    cache = _web_cache(ctx)
    doi_base = os.environ.get("AUDIT_DOI_URL", "https://doi.org")
    crossref = os.environ.get("AUDIT_CROSSREF_URL", "https://api.crossref.org")
    eutils = os.environ.get("AUDIT_EUTILS_URL", "https://eutils.ncbi.nlm.nih.gov/entrez/eutils")
    titles = {ref.block: ref.title for ref in ctx.structure.references}
    seen: set[str] = set()
    for b in ctx.doc.blocks:
        found = [("DOI", d) for d in verify.extract_dois(b.text)] + \
                [("PMID", p) for p in verify.extract_pmids(b.text)]
        for kind, ident in found:
            if ident in seen:
                continue
            seen.add(ident)
            try:
                if kind == "DOI":
                    record = verify.resolve_doi(ident, base_url=doi_base, crossref_url=crossref, cache=cache,
                                                allow_private=ctx.settings.allow_private)
                else:
                    record = verify.resolve_pmid(ident, eutils_url=eutils, cache=cache,
                                                 allow_private=ctx.settings.allow_private)
            except verify.VerificationUnavailable:
                continue          # could not tell: never report a citation as fake on a guess
            i = b.text.find(ident)
            s, e = (i, i + len(ident)) if i >= 0 else (0, len(b.text))
            if record is None:
                yield Hit(b, s, e, {"match": f"{kind} {ident}", "detail": "is not registered"})
                continue
            cited = titles.get(b.index)
            if cited and record.title and not verify.titles_match(cited, record.title):
                yield Hit(b, s, e, {"match": f"{kind} {ident}",
                                    "detail": f"is registered for a different title: '{record.title}'"})
