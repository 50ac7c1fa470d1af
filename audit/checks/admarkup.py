"""Ad slots, pop-ups and promo boxes found in the page's markup.

Inside the page body, a block whose ancestors carry ad-like ids, classes,
roles, aria labels or data attributes ("ad-slot", "sponsored", "modal",
"newsletter-popup", ``data-ad-unit``) is reported once per container, and
so is every iframe or script served from a known ad domain (registered
domain via tldextract, matched against the ``domains-ads`` lexicon).
Attribute values are split into tokens, so "header" never matches "ad".
"""

from __future__ import annotations

import re

from audit.checks.base import Hit

_SPLIT = re.compile(r"[^a-z0-9]+")
AD_TOKENS = {
    "ad": "advert slot", "ads": "advert slot", "advert": "advert slot", "adverts": "advert slot",
    "advertisement": "advert slot", "advertising": "advert slot", "adslot": "advert slot",
    "adunit": "advert slot", "adsense": "advert slot", "dfp": "advert slot", "gpt": "advert slot",
    "sponsored": "sponsored box", "sponsor": "sponsored box", "promo": "promo box",
    "promoted": "promo box", "interstitial": "interstitial", "popup": "pop-up", "modal": "pop-up",
    "lightbox": "pop-up", "newsletter": "newsletter box", "taboola": "recommendation box",
    "outbrain": "recommendation box", "paywall": "paywall box",
}
_ATTR_NAME = re.compile(r"^data-(?:ad|ads|advert|sponsor|promo)(?:-|$)")


def _classify(context: str) -> str | None:
    for token in context.split(" "):
        name, _, value = token.partition("=")
        if _ATTR_NAME.match(name):
            return "advert slot"
        if name == "aria-modal" and value == "true":
            return "pop-up"
        if name == "role" and value in ("dialog", "alertdialog"):
            return "pop-up"
        if name in ("id", "class", "aria-label"):
            for part in _SPLIT.split(value.lower()):
                if part in AD_TOKENS:
                    return AD_TOKENS[part]
    return None


def check_ad_markup(rule, ctx):
    doc = ctx.doc
    reported: set[str] = set()
    for b in doc.blocks:
        if b.kind == "title" or not b.context:
            continue
        kind = _classify(b.context)
        if kind is None or b.context in reported:
            continue
        reported.add(b.context)
        short = b.text if len(b.text) <= 60 else b.text[:57] + "..."
        yield Hit(b, 0, len(b.text), {"match": short, "detail": f"Text inside an {kind} in the page" if kind[0] in "aeiou" else f"Text inside a {kind} in the page"})
    for embed in doc.embeds:
        if ctx.classifier.is_ad_domain(embed.src):
            b = _block_near(doc, embed.line)
            if b is None:
                continue
            yield Hit(b, 0, len(b.text), {"match": embed.src, "detail": f"{embed.tag} from an ad server near this text"})


def _block_near(doc, line: int):
    best = None
    for b in doc.blocks:
        if b.kind == "title":
            continue
        if doc.locate(b, 0, 1).line <= line:
            best = b
        else:
            break
    return best
