"""Registered domains (tldextract, offline) and source-domain classes (a lexicon).

tldextract is built once with its bundled public-suffix snapshot and no
cache directory: by default it downloads the list and can hang offline.
Classes come from the ``domains-<class>`` lexicons in ``rules/lexicons/``
(users extend them), then from suffix conventions (.gov, .edu, .ac.uk ...).
"""

from __future__ import annotations

import re
from functools import cached_property, lru_cache

CLASSES = ("government", "academic", "journal", "nonprofit", "news", "commercial")
_extractor = None


def _extract():
    global _extractor
    if _extractor is None:
        import tldextract

        # private suffixes count: two GitHub Pages sites are two sites
        _extractor = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None,
                                           include_psl_private_domains=True)
    return _extractor


def warm_up() -> None:
    """Import tldextract and build its suffix trie now (~0.25 s), so that processes forked
    after this (batch workers) inherit it instead of each paying for it on its first link."""
    _extract()("example.com")


def host_of(url: str) -> str:
    """The lower-cased host of a URL (or of a bare ``host/path``): no scheme, user, port, path,
    query or fragment, no trailing dot.  The one reading of a host, so that the registered
    domain, the domain class and the source domain of per-domain ignores always agree."""
    host = url.strip()
    if "://" in host:
        host = host.split("://", 1)[1]
    elif host.startswith("//"):
        host = host[2:]
    host = host.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rsplit("@", 1)[-1].split(":", 1)[0]
    return host.lower().rstrip(".")


@lru_cache(maxsize=65536)
def registered_domain(url: str) -> str | None:
    """``https://www.bbc.co.uk/x`` -> ``bbc.co.uk`` (private suffixes count: the NHS's
    ``www.nhs.uk`` is its own site, ``nhs.uk`` being a public suffix); None for things that
    are not URLs or hosts."""
    if not url:
        return None
    host = host_of(url)
    if "." not in host:
        return None
    ext = _extract()(host)
    if not ext.suffix or not ext.domain:
        return None
    return f"{ext.domain}.{ext.suffix}".lower()


def suffix_of(domain: str) -> str:
    ext = _extract()(domain)
    return ext.suffix.lower()


class DomainClassifier:
    def __init__(self, lexicons: dict[str, list[str]]):
        self.table: dict[str, str] = {}
        for cls in CLASSES + ("ads",):
            for entry in lexicons.get(f"domains-{cls}", []):
                self.table[entry.lower().lstrip(".")] = cls

    def classify(self, url: str) -> str | None:
        dom = registered_domain(url)
        if dom is None:
            return None
        host = host_of(url)
        parts = host.split(".")
        for i in range(len(parts) - 1):
            cls = self.table.get(".".join(parts[i:]))
            if cls:
                return cls
        suffix = suffix_of(dom)
        first = suffix.split(".")[0]
        if first in ("gov", "mil", "gouv", "gob", "govt", "go", "int") or suffix in ("gov", "mil", "int"):
            return "government"
        if first in ("edu", "ac") or suffix == "edu":
            return "academic"
        if "doi.org" in host:
            return "journal"
        return "commercial"

    @cached_property
    def _ad_names(self) -> re.Pattern | None:
        """One pattern for every ``ads`` domain of the table, or None when there is none."""
        ads = sorted(k for k, v in self.table.items() if v == "ads" and k)
        return re.compile("|".join(re.escape(k) for k in ads)) if ads else None

    def is_ad_domain(self, url: str) -> bool:
        """True when the URL's registered domain is listed as ``ads``.

        tldextract costs a parse per URL, and a page can embed hundreds.  A registered domain
        is made of the URL's own labels, lower-cased and joined with ASCII dots (tldextract
        reads U+3002, U+FF0E and U+FF61 as dots too), so a URL whose lower-cased,
        dot-normalised text holds no ``ads`` domain cannot be on one and is not parsed.
        """
        names = self._ad_names
        if names is None:
            return False
        low = url.lower()
        if not low.isascii():
            low = low.replace("\u3002", ".").replace("\uff0e", ".").replace("\uff61", ".")
        if not names.search(low):
            return False
        dom = registered_domain(url)
        return dom is not None and self.table.get(dom) == "ads"
