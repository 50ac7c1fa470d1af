"""Image captions and alt text that a scraper pasted into the body text.

Plain-text scrapes keep alt text as a line of its own, typically the page
title run straight into a stock-photo description ("Stem Cell Therapy for
Back Pain Doctor administering an injection...") or a participle phrase
with no finite verb ("Woman holding her lower back in pain").  HTML keeps
alt text in attributes, so only text and Markdown documents are checked.
"""

from __future__ import annotations

import re

from audit.checks.base import Hit

_PARTICIPLE = re.compile(
    r"^(?:(?:a|an|the)\s+)?(?:[\w-]+\s+){0,4}?(?:doctor|nurse|patient|woman|man|person|people|surgeon|"
    r"physician|scientist|hands?|girl|boy|senior|athlete|couple|therapist|researcher|technician|team)s?\s+"
    r"(?:[\w-]+\s+){0,2}?(?:administering|holding|giving|examining|showing|pointing|sitting|lying|standing|"
    r"smiling|wearing|looking|touching|injecting|explaining|receiving|suffering|consulting|using|"
    r"performing|preparing|working|talking|walking|running|stretching|massaging|analy[sz]ing)\b", re.I)
_FINITE = re.compile(r"\b(?:is|are|was|were|has|have|had|will|can|could|should|would|may|might|must|does|do|did)\b", re.I)
_CREDIT = re.compile(r"^(?:image|photo|picture|illustration|credit|photo credit|image credit|source)\s*:|"
                     r"\b(?:getty images|shutterstock|istock(?:photo)?|adobe stock|stock photo)\b", re.I)


def _title_prefix(ctx) -> str | None:
    title = ctx.structure.title
    if not title:
        return None
    head = re.split(r"\s[|\-\u2013\u2014:]\s", title)[0].strip()
    return head if len(head.split()) >= 3 else None


def check_stray_caption(rule, ctx):
    prefix = _title_prefix(ctx)
    for b in ctx.doc.blocks:
        if b.kind not in rule.scope or len(b.text) > 400:
            continue
        text = b.text
        if prefix and text.startswith(prefix) and text != prefix and len(text) > len(prefix) + 10:
            rest = text[len(prefix):].lstrip()
            if rest[:1].isupper() and text[len(prefix):len(prefix) + 1] == " " and _PARTICIPLE.match(rest):
                yield Hit(b, 0, len(text), {"match": text[:80], "detail": "the page title run into an image description"})
                continue
        if _PARTICIPLE.match(text) and not _FINITE.search(text) and len(text.split()) <= 40:
            yield Hit(b, 0, len(text), {"match": text[:80], "detail": "an image description"})
        elif _CREDIT.search(text) and len(text.split()) <= 25:
            yield Hit(b, 0, len(text), {"match": text[:80], "detail": "an image credit"})
