"""Reference lists: do the entries fit the document, and are they evidence at all?

``check_reference_topic``: the document's topic is its title plus the terms
it uses most; an entry whose title is about a condition (from the
``conditions`` lexicon) that the document never discusses outside its
references -- dermatitis cited in a back-pain article -- is reported with
the terms that did not match.

``check_reference_quality`` (by ``params.mode``):

* ``commercial-only``: a list whose linked sources are all commercial
  (clinic or shop sites, by registered domain and the ``domains-*``
  lexicons) and with no DOI or journal anywhere: every entry is reported;
* ``link-word``: an entry whose only "URL" is the word "Link" (entries with
  no URL at all are normal for books and notes, so they are not reported);
* ``stale-access``: an access date years older than the page's own date.
"""

from __future__ import annotations

import re

from audit.checks.base import Hit
from audit.document.normalize import lower_same_length
from audit.document.structure import SCHOLARLY

_LINK_WORD = re.compile(r"(?:^|[.\s])(Link|Available here|here)\W*$", re.I)


def _doc_terms(ctx) -> str:
    refs = set(ctx.structure.reference_blocks)
    return "\n".join(lower_same_length(b.text) for b in ctx.doc.blocks if b.index not in refs)


def _mentions(text: str, term: str) -> int:
    if term not in text:
        return 0
    return len(re.findall(r"(?<!\w)" + re.escape(term) + r"(?!\w)", text))


def check_reference_topic(rule, ctx):
    refs = ctx.structure.references
    if not refs:
        return
    conditions = sorted({c.lower() for c in ctx.lexicons.get("conditions", [])}, key=len, reverse=True)
    body = _doc_terms(ctx)
    min_mentions = int(rule.params.get("params", {}).get("min_mentions", 1))
    for ref in refs:
        subject = lower_same_length(ref.title or ref.text)
        found: list[str] = []
        for cond in conditions:
            if cond in subject and _mentions(subject, cond) and not any(cond in f for f in found):
                found.append(cond)
        if not found:
            continue
        off = [c for c in found if not _discussed(body, c, conditions, min_mentions)]
        if off and len(off) == len(found):
            b = ctx.doc.blocks[ref.block]
            start, end = _title_span(b.text, ref.title)
            yield Hit(b, start, end, {"match": ref.title or b.text[:60], "terms": ", ".join(off)})


def _discussed(body: str, cond: str, conditions: list[str], need: int) -> bool:
    """The document discusses ``cond`` itself, its last two words, or a condition named inside it."""
    if _mentions(body, cond) >= need:
        return True
    words = cond.split()
    if len(words) >= 3 and _mentions(body, " ".join(words[-2:])) >= need:
        return True     # "degenerative disc disease" is discussed as "disc disease"
    return any(other != cond and other in cond and _mentions(body, other) >= need for other in conditions)


def _title_span(text: str, title: str | None) -> tuple[int, int]:
    if title:
        i = text.find(title)
        if i >= 0:
            return i, i + len(title)
    return 0, len(text)


def _page_year(ctx) -> int | None:
    for _, value, _ in ctx.structure.dates:
        m = re.search(r"\b(19|20)\d{2}\b", value)
        if m:
            return int(m.group(0))
    return None


def check_reference_quality(rule, ctx):
    mode = rule.params.get("params", {}).get("mode", "commercial-only")
    refs = ctx.structure.references
    if not refs:
        return
    blocks = ctx.doc.blocks
    if mode == "commercial-only":
        classes = []
        for ref in refs:
            cls = {ctx.classifier.classify(u) for u in ref.urls} - {None}
            if ref.doi or SCHOLARLY.search(ref.text):
                cls.add("journal")
            classes.append(cls)
        linked = [c for c in classes if c]
        if not linked or any(c - {"commercial"} for c in classes):
            return
        for ref in refs:
            b = blocks[ref.block]
            url = ref.urls[0] if ref.urls else b.text[:60]
            i = b.text.find(url)
            start, end = (i, i + len(url)) if i >= 0 else (0, len(b.text))
            yield Hit(b, start, end, {"match": url, "count": len(refs)})
    elif mode == "link-word":
        for ref in refs:
            b = blocks[ref.block]
            m = _LINK_WORD.search(b.text)
            if m and not ref.urls and not ref.doi:
                yield Hit(b, m.start(1), m.end(1), {"match": m.group(1), "detail": "is just the word"})
    elif mode == "stale-access":
        year = _page_year(ctx)
        if year is None:   # no page date: nothing to compare with (and no clock: scores stay deterministic)
            return
        for ref in refs:
            if not ref.accessed:
                continue
            m = re.search(r"\b(19|20)\d{2}\b", ref.accessed)
            if m and year - int(m.group(0)) >= int(rule.params.get("params", {}).get("years", 3)):
                b = blocks[ref.block]
                i = b.text.find(ref.accessed)
                yield Hit(b, max(i, 0), (i + len(ref.accessed)) if i >= 0 else len(b.text),
                          {"match": ref.accessed, "count": year - int(m.group(0))})
