"""Ad slots, pop-ups and promo boxes found in the page's markup.

Inside the main content (<article>, <main> or role=main when the page
marks one; the whole body otherwise), a block whose ancestors carry ad-like ids, classes,
roles, aria labels or data attributes ("ad-slot", "sponsored", "modal",
"newsletter-popup", ``data-ad-unit``) is reported once per container, and
so is every iframe or script served from a known ad domain (registered
domain via tldextract, matched against the ``domains-ads`` lexicon).
Attribute values are split into tokens, so "header" never matches "ad".
"""

from __future__ import annotations

import re
from functools import lru_cache

from audit.checks.base import Hit

_SPLIT = re.compile(r"[^a-z0-9]+")
AD_TOKENS = {
    "ad": "advert slot", "ads": "advert slot", "advert": "advert slot", "adverts": "advert slot",
    "advertisement": "advert slot", "advertising": "advert slot", "adslot": "advert slot",
    "adunit": "advert slot", "adsense": "advert slot", "dfp": "advert slot", "gpt": "advert slot",
    "sponsored": "sponsored box", "sponsor": "sponsored box", "promo": "promo box",
    "promoted": "promo box", "interstitial": "interstitial", "popup": "pop-up", "modal": "pop-up",
    "newsletter": "newsletter box", "taboola": "recommendation box",
    "outbrain": "recommendation box", "paywall": "paywall box",
}
# Dialogs and modals are also video players, galleries and cookie banners: they count only when
# their text is promotional (an interstitial is a promo in a pop-up).
_POPUP_KINDS = {"pop-up"}
_PROMO_TEXT = re.compile(r"\b(?:subscribe|sign up|newsletter|offer|learn more|no thanks|buy|shop|save|discount|"
                         r"free|join|register|download|deal|sponsored|advert)\w*", re.I)
_ATTR_NAME = re.compile(r"^data-(?:ad|ads|advert|sponsor|promo)(?:-|$)")


@lru_cache(maxsize=8192)
def _classify(context: str) -> tuple[str, int] | None:
    """The kind of ad-like container in ``context`` and where its token ends (None if none)."""
    pos = 0
    for token in context.split(" "):
        pos += len(token) + 1
        name, _, value = token.partition("=")
        if _ATTR_NAME.match(name):
            return "advert slot", pos
        if name == "aria-modal" and value == "true":
            return "pop-up", pos
        if name == "role" and value in ("dialog", "alertdialog"):
            return "pop-up", pos
        if name in ("id", "class", "aria-label"):
            for part in _SPLIT.split(value.lower()):
                if part in AD_TOKENS:
                    return AD_TOKENS[part], pos
    return None


def _main_content(doc) -> bool:
    """Whether the page marks its main content (<article>, <main>, role=main)."""
    return any("tag=article" in b.context or "tag=main" in b.context or "role=main" in b.context
               for b in doc.blocks)


def check_ad_markup(rule, ctx):
    doc = ctx.doc
    has_main = _main_content(doc)
    reported: set[str] = set()
    for b in doc.blocks:
        if b.kind == "title" or not b.context:
            continue
        in_main = "tag=article" in b.context or "tag=main" in b.context or "role=main" in b.context
        if has_main and not in_main:
            continue       # page chrome (sidebars, headers, footers) is not the article
        found = _classify(b.context)
        if found is None:
            continue
        kind, end = found
        if kind in _POPUP_KINDS and not _PROMO_TEXT.search(b.text):
            continue
        container = b.context[:end]        # one finding per ad container, however many blocks it has
        if container in reported:
            continue
        reported.add(container)
        short = b.text if len(b.text) <= 60 else b.text[:57] + "..."
        article = "an" if kind[0] in "aeiou" else "a"
        yield Hit(b, 0, len(b.text), {"match": short, "detail": f"Text inside {article} {kind} in the article"})
    for embed in doc.embeds:
        if has_main and "tag=article" not in embed.context and "tag=main" not in embed.context \
                and "role=main" not in embed.context:
            continue
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
