"""Document structure later rules need, derived once from the Blocks.

Sentences, title, author candidates, dates, lists with their lead-in,
the references section split into entries, citation markers and a
disclosure statement.  Everything is computed lazily (``cached_property``)
so rules that do not ask for a piece never pay for it.
"""

from __future__ import annotations

import json
import re
import weakref
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property

from audit.document.model import Document

_ABBREV = frozenset(("dr", "mr", "mrs", "ms", "prof", "st", "vs", "etc", "e.g", "i.e", "al", "fig", "no",
           "vol", "inc", "ltd", "co", "jr", "sr", "dept", "approx", "u.s", "ph.d", "m.d", "jan",
           "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mt"))
_SENT_END = re.compile(r"[.!?]+[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december|"
          "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
DATE_TEXT = (
    rf"(?:(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{MONTHS})\.?,?\s+\d{{4}}"
    rf"|(?:{MONTHS})\.?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}"
    r"|\d{1,2}/\d{1,2}/\d{2,4}"
    r"|\d{1,2}\.\d{1,2}\.\d{4})"
)
_DATE_CUE = re.compile(
    r"\b(published|posted|updated|last updated|last modified|last reviewed|reviewed|modified|"
    r"date|written|created|page last (?:reviewed|updated))\b[^.]{0,25}?"
    + DATE_TEXT, re.I)
_BYLINE_DATE = re.compile(r"^(?:by\b|written by\b).{0,80}?" + DATE_TEXT, re.I)
_BYLINE = re.compile(
    r"^(?:(?:written|reviewed|medically reviewed|fact[- ]checked|edited|posted|authored)\s+by|by|"
    r"authors?:|written by:|reviewer:)\s*:?\s+"
    r"(?P<name>(?:(?:dr\.?|prof\.?|professor)\s+)?[A-Z][\w.'\u2019-]*(?:,?\s+(?:[A-Z][\w.'\u2019-]*|de|van|von|der|la|and|&)){0,6})",
    re.I)
CREDENTIALS = re.compile(
    r"\b(M\.?D\.?|Ph\.?D\.?|D\.?O\.?|R\.?N\.?|MPH|MSc|M\.?Sc\.?|MBBS|FRCP|FACP|BSN|PharmD|DPT|"
    r"RD|MS|MA|DrPH|MBA|Dr\.|Prof\.|Professor)(?=\W|$)")
_REF_HEADING = re.compile(
    r"^(?:\d+\.?\s*)?(references?|bibliography|sources?( and references)?|works cited|citations?|"
    r"literature( cited)?|notes and references|footnotes|further reading|"
    r"quellen|literatur|références|referencias|bibliografía|bibliographie)\s*:?$", re.I)
URL = re.compile(r"\bhttps?://[^\s<>\"')\]]+|\bwww\.[^\s<>\"')\]]+", re.I)
DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+?)(?=[.,;]?(?:\s|$))", re.I)
_CITATION_LIKE = re.compile(
    r"(accessed|retrieved)\s+(on\s+)?\w+|"
    r"\(\d{4}[a-z]?\)\.|\b\d{4};\s*\d+|et al\.|\bdoi:|"
    r"^\[?\d{1,3}[.\]]\s+[A-Z][\w'-]+,\s+[A-Z]|"
    r"^[A-Z][\w'-]+,\s+(?:[A-Z]\.\s*){1,3}(?:,|&|\(|and)", re.I)
_QUOTED_TITLE = re.compile(r"[\"“]([^\"”]{8,300}?)[.?!]?[\"”]")
_APA_TITLE = re.compile(r"\(\d{4}[a-z]?(?:,[^)]*)?\)\.\s+(?P<t>.+?[.?!])(?=\s|$)")
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
_ACCESSED = re.compile(r"(?:accessed|retrieved)(?:\s+on)?\s+(" + DATE_TEXT + ")", re.I)
# A reference that names a journal, an index or a volume/issue citation is scholarly.
SCHOLARLY = re.compile(
    r"\b(?:journal|proceedings|lancet|bmj|jama|nejm|cochrane|annals of|pubmed|pmid|doi|vol\.)"
    r"|\b\d{4};\s*\d+", re.I)
CITE_MARKER = re.compile(
    r"\[\d{1,3}(?:\s*[,–-]\s*\d{1,3})*\]|\[[A-Z][\w-]+(?: et al\.?)?,? \d{4}\]"
    r"|\((?:[A-Z][\w'-]+(?: et al\.?| and [A-Z][\w'-]+| & [A-Z][\w'-]+)?,? (?:19|20)\d{2}[a-z]?(?:; ?)?)+\)"
    r"|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\bdoi:|\bPMID\b|https?://", re.I)
_DISCLOSURE = re.compile(
    r"\b(disclosures?|conflicts? of interest|competing interests?|financial (?:ties|relationships?)|"
    r"funded by|funding:|sponsored by|paid (?:for|partnership) by|affiliate links?|"
    r"(?:we|I) (?:may )?(?:earn|receive) (?:a )?(?:small )?(?:commission|compensation)|"
    r"has no (?:relevant )?(?:financial )?(?:relationships|conflicts)|editorial (?:policy|independence))\b",
    re.I)


@dataclass(slots=True)
class Sentence:
    block: int
    start: int
    end: int
    text: str


@dataclass(slots=True)
class Reference:
    """One entry of a references section (or a citation-like block)."""

    block: int
    text: str
    title: str | None
    urls: list[str]
    doi: str | None
    year: int | None
    accessed: str | None


@dataclass(slots=True)
class ListInfo:
    list_id: int
    items: list[int]            # block indices
    ordered: bool
    lead_in: int | None         # block index of the sentence that introduces the list


@dataclass
class Author:
    name: str
    source: str                 # meta, json-ld, byline
    credentials: list[str] = field(default_factory=list)
    block: int | None = None
    organisation: bool = False


_TAIL_WORD = re.compile(r"[\w.]+\Z")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of a block's text.

    A terminator followed by a space and a capital or digit ends a sentence, unless the word
    before a full stop is an abbreviation or an initial.  That word is read back from the last
    space before the stop, never by matching from the sentence start (which was quadratic in
    long blocks); three quarters of all blocks hold no terminator at all.
    """
    if "." not in text and "?" not in text and "!" not in text:
        return [(0, len(text))] if text else []
    spans, start = [], 0
    for m in _SENT_END.finditer(text):
        stop = m.start()
        if text[stop] == ".":
            cut = max(start, text.rfind(" ", start, stop) + 1)
            word = _TAIL_WORD.search(text, cut, stop) if cut < stop else None
            if word and (word.group().lower() in _ABBREV or len(word.group()) == 1):
                continue
        spans.append((start, stop + len(m.group().rstrip())))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _walk_jsonld(node, out: list) -> None:
    """Every object in a JSON-LD payload, depth first (a module function: a nested recursive
    closure is a reference cycle per document)."""
    if isinstance(node, dict):
        out.append(node)
        for v in node.values():
            if isinstance(v, (dict, list)):
                _walk_jsonld(v, out)
    elif isinstance(node, list):
        for v in node:
            _walk_jsonld(v, out)


def _may_cite(text: str) -> bool:
    """A cheap necessary condition for URL, DOI or _YEAR to match: each needs one of these
    strings ("http"/"www.", "10.", "19"/"20"; tests/test_gates.py checks them against what
    matching.gate_strings reads off the patterns).  Written out, not derived per call: this
    runs on every short block of a page without a references heading."""
    if "19" in text or "20" in text or "10." in text:
        return True
    low = text.lower()
    return "http" in low or "www." in low


class Structure:
    def __init__(self, doc: Document):
        # The document holds its Structure (a cached property); a weak reference back keeps
        # the pair out of a reference cycle, so a finished document -- its blocks, links and
        # sentences, ~2,000 objects on a corpus page -- is freed at once, not by the garbage
        # collector's scans.
        self._doc = weakref.ref(doc)

    @property
    def doc(self) -> Document:
        return self._doc()

    # -- sentences -----------------------------------------------------------------
    @cached_property
    def sentences(self) -> list[Sentence]:
        out = []
        add = out.append
        for b in self.doc.blocks:
            text = b.text
            for s, e in split_sentences(text):
                add(Sentence(b.index, s, e, text[s:e]))
        return out

    @cached_property
    def _sentence_keys(self) -> list[tuple[int, int]]:
        return [(s.block, s.start) for s in self.sentences]

    def sentence_index(self, block: int, pos: int) -> int:
        """Index into :attr:`sentences` of the sentence holding ``pos`` of ``block``."""
        return max(0, bisect_right(self._sentence_keys, (block, pos)) - 1)

    @cached_property
    def lower_text(self) -> str:
        """All blocks' text, lower-cased without changing lengths, one block per line."""
        from audit.document.normalize import lower_same_length

        return "\n".join(lower_same_length(b.text) for b in self.doc.blocks)

    @cached_property
    def word_count(self) -> int:
        return sum(len(b.text.split()) for b in self.doc.blocks)

    # -- title ----------------------------------------------------------------------
    @cached_property
    def title(self) -> str | None:
        doc = self.doc
        for key in ("og:title", "citation_title", "dc.title", "twitter:title"):
            if doc.meta.get(key):
                return doc.meta[key][0]
        if doc.html_title:
            return doc.html_title
        for b in doc.blocks[:5]:
            if b.kind in ("title", "heading"):
                return b.text
        return None

    # -- JSON-LD --------------------------------------------------------------------
    @cached_property
    def jsonld(self) -> list[dict]:
        out: list[dict] = []
        for payload in self.doc.jsonld:
            try:
                _walk_jsonld(json.loads(payload), out)
            except (ValueError, RecursionError):
                continue
        return out

    # -- authors --------------------------------------------------------------------
    @cached_property
    def authors(self) -> list[Author]:
        doc, out = self.doc, []
        for key in ("author", "article:author", "dc.creator", "citation_author", "parsely-author",
                    "sailthru.author", "byl", "dcterms.creator"):
            for v in doc.meta.get(key, []):
                if v and not v.startswith("http"):
                    out.append(Author(re.sub(r"^by\s+", "", v, flags=re.I), "meta"))
        for node in self.jsonld:
            a = node.get("author") if isinstance(node, dict) else None
            for item in a if isinstance(a, list) else [a]:
                if isinstance(item, dict) and isinstance(item.get("name"), str):
                    org = str(item.get("@type", "")).lower() in ("organization", "organisation", "newsmediaorganization")
                    out.append(Author(item["name"], "json-ld", organisation=org))
                elif isinstance(item, str) and item.strip():
                    out.append(Author(item, "json-ld"))
        blocks = doc.blocks
        candidates = blocks[:40] + blocks[-25:] if len(blocks) > 65 else blocks
        for b in candidates:
            if len(b.text) > 200:
                continue
            m = _BYLINE.match(b.text.lstrip("*_ "))
            if m:
                name = re.split(r"(?<=[a-z]{2})\.\s", m.group("name"))[0].strip(" ,&.")
                if len(name) >= 3:
                    creds = CREDENTIALS.findall(b.text)
                    org = bool(re.search(r"\b(staff|team|editors?|editorial|clinic|institute|"
                                         r"association|society|department|agency|foundation|"
                                         r"ministry|council|center|centre|service)\b", name, re.I))
                    out.append(Author(name, "byline", creds, b.index, org))
            elif "author" in b.context.lower() or "byline" in b.context.lower():
                if 2 <= len(b.text.split()) <= 8 and b.text[:1].isupper():
                    out.append(Author(b.text, "byline", CREDENTIALS.findall(b.text), b.index))
        for a in out:
            if not a.credentials:
                a.credentials = CREDENTIALS.findall(a.name)
        return out

    # -- dates ----------------------------------------------------------------------
    @cached_property
    def dates(self) -> list[tuple[str, str, int | None]]:
        """``(kind, value, block)`` for every publication or update date found."""
        doc, out = self.doc, []
        for key in ("article:published_time", "article:modified_time", "date", "dc.date",
                    "dc.date.issued", "dcterms.date", "dcterms.modified", "dcterms.created",
                    "citation_publication_date", "citation_date", "og:updated_time",
                    "last-modified", "pubdate", "publishdate", "datepublished", "datemodified",
                    "sailthru.date", "parsely-pub-date"):
            for v in doc.meta.get(key, []):
                if v:
                    out.append(("meta", v, None))
        for node in self.jsonld:
            for key in ("datePublished", "dateModified", "dateCreated"):
                v = node.get(key) if isinstance(node, dict) else None
                if isinstance(v, str) and v.strip():
                    out.append(("json-ld", v, None))
        for dt, text, block in doc.times:
            if dt or text:
                out.append(("time", dt or text, block))
        blocks = doc.blocks
        candidates = blocks[:40] + blocks[-30:] if len(blocks) > 70 else blocks
        for b in candidates:
            if len(b.text) > 300:
                continue
            m = _DATE_CUE.search(b.text) or _BYLINE_DATE.search(b.text)
            if m and not _ACCESSED.search(b.text[max(0, m.start() - 20):m.end()]):
                out.append(("text", m.group(0), b.index))
        return out

    # -- lists ----------------------------------------------------------------------
    @cached_property
    def lists(self) -> list[ListInfo]:
        groups: dict[int, ListInfo] = {}
        blocks = self.doc.blocks
        for b in blocks:
            if b.kind == "list-item" and b.list_id is not None:
                info = groups.get(b.list_id)
                if info is None:
                    lead = None
                    for j in range(b.index - 1, max(-1, b.index - 3), -1):
                        if blocks[j].kind != "list-item":
                            lead = j
                            break
                    info = groups[b.list_id] = ListInfo(b.list_id, [], b.ordered, lead)
                info.items.append(b.index)
        return list(groups.values())

    # -- references -----------------------------------------------------------------
    @cached_property
    def reference_blocks(self) -> list[int]:
        blocks = self.doc.blocks
        out: list[int] = []
        i = 0
        while i < len(blocks):
            b = blocks[i]
            if b.kind in ("heading", "title", "paragraph") and len(b.text) < 60 and _REF_HEADING.match(b.text):
                level = b.level or 1
                j = i + 1
                first_list = None
                while j < len(blocks):
                    nb = blocks[j]
                    if nb.kind == "heading" and (nb.level or 1) <= level:
                        break
                    if nb.kind == "heading" and self.doc.format != "html":
                        break
                    if first_list is None and nb.kind == "list-item":
                        first_list = nb.list_id
                    elif first_list is not None and nb.list_id != first_list:
                        break      # the list of references has ended (a disclosure, a footer...)
                    if len(nb.text) > 15:
                        out.append(j)
                    j += 1
                i = j
                continue
            i += 1
        if not out:
            for b in blocks:
                t = b.text
                if b.kind in ("paragraph", "list-item") and len(t) < 600 and _may_cite(t) \
                        and _CITATION_LIKE.search(t) and (URL.search(t) or DOI.search(t) or _YEAR.search(t)):
                    out.append(b.index)
        return out

    @cached_property
    def references(self) -> list[Reference]:
        blocks, links_by_block = self.doc.blocks, {}
        for link in self.doc.links:
            links_by_block.setdefault(link.block, []).append(link)
        out = []
        for i in self.reference_blocks:
            text = blocks[i].text
            urls = [u.rstrip(".,;") for u in URL.findall(text)]
            urls += [l.href for l in links_by_block.get(i, []) if l.href and l.href.startswith("http")]
            doi = DOI.search(text)
            title = None
            m = _QUOTED_TITLE.search(text) or _APA_TITLE.search(text)
            if m:
                title = (m.group(1) if m.re is _QUOTED_TITLE else m.group("t")).strip()
            year = _YEAR.search(text)
            acc = _ACCESSED.search(text)
            out.append(Reference(i, text, title, urls, doi.group(1) if doi else None,
                                 int(year.group(1)) if year else None, acc.group(1) if acc else None))
        return out

    # -- disclosure -----------------------------------------------------------------
    @cached_property
    def disclosure(self) -> tuple[int, int, int] | None:
        # Any disclosure phrase holds one of a few strings (read off the pattern): only the
        # blocks where one occurs are searched, in document order, so the first hit is the
        # first block's exactly as a search of every block would find it.  Text where
        # lower-casing could hide a match (a dotless i) is searched whole.
        low = self.lower_text
        starts = self.joined[1]
        from audit.matching import case_folds_apart, gate_strings

        lits = None if case_folds_apart(low) else gate_strings(_DISCLOSURE)
        found: set[int] = set() if lits else set(range(len(starts)))
        for lit in lits or ():
            i = low.find(lit)
            while i != -1:
                found.add(bisect_right(starts, i) - 1)
                i = low.find(lit, i + 1)
        blocks = self.doc.blocks
        for i in sorted(found):
            m = _DISCLOSURE.search(blocks[i].text)
            if m:
                return i, m.start(), m.end()
        return None

    @cached_property
    def joined(self) -> tuple[str, list[int]]:
        """All blocks' text joined by newlines, and where each block starts in it."""
        texts = [b.text for b in self.doc.blocks]
        starts, pos = [], 0
        for t in texts:
            starts.append(pos)
            pos += len(t) + 1
        return "\n".join(texts), starts
