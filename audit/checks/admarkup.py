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



def _token_kind(token: str) -> str | None:
    """The ad-like kind one ``name=value`` context token names (None if none)."""
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


# Contexts are ancestor chains, so the same few thousand tokens make up every context of every
# page: classifying a token once (a dict lookup afterwards) is far cheaper than splitting each
# distinct context's values again.  Bounded so a long batch cannot grow it without limit.
_TOKENS: dict[str, str | None] = {}
_TOKENS_MAX = 1 << 16
_UNSEEN = object()


def _kind_of_token(token: str) -> str | None:
    try:
        return _TOKENS[token]
    except KeyError:
        if len(_TOKENS) >= _TOKENS_MAX:
            _TOKENS.clear()
        kind = _TOKENS[token] = _token_kind(token)
        return kind


def _classify(context: str, memo: dict) -> tuple[str, int] | None:
    """The kind of ad-like container in ``context`` and where its token ends (None if none).

    The first ad-like token wins, so a context's answer is its parent's (the context minus its
    last token) when the parent has one, else the last token's.  ``memo`` (per document) holds
    the answers for every prefix seen: the blocks of a page share most of their ancestors, so
    each ancestor token is looked at once per page instead of once per block.
    """
    found = memo.get(context, _UNSEEN)
    if found is not _UNSEEN:
        return found
    todo = [context]
    cur = context
    while True:
        cut = cur.rfind(" ")
        if cut < 0:
            found = None
            break
        cur = cur[:cut]
        found = memo.get(cur, _UNSEEN)
        if found is not _UNSEEN:
            break
        todo.append(cur)
    for prefix in reversed(todo):
        if found is None:
            kind = _kind_of_token(prefix[prefix.rfind(" ") + 1:])
            if kind is not None:
                found = (kind, len(prefix) + 1)
        memo[prefix] = found
    return found


def _in_main(context: str) -> bool:
    return "tag=article" in context or "tag=main" in context or "role=main" in context


def check_ad_markup(rule, ctx):
    doc = ctx.doc
    blocks = doc.blocks
    # Blocks share a handful of ancestor contexts (long strings): look at each distinct one once.
    has_main = any(_in_main(c) for c in {b.context for b in blocks})
    yield from _ad_blocks(blocks, has_main)
    if not doc.embeds:
        return
    lines: list[int] = []                  # start line of each non-title block, filled as needed
    for embed in doc.embeds:
        if has_main and not _in_main(embed.context):
            continue
        if ctx.classifier.is_ad_domain(embed.src):
            b = _block_near(doc, embed.line, lines)
            if b is None:
                continue
            yield Hit(b, 0, len(b.text), {"match": embed.src, "detail": f"{embed.tag} from an ad server near this text"})


def _ad_blocks(blocks, has_main: bool):
    """Hits for blocks inside ad-like containers (one per container)."""
    judged: dict[str, tuple[str, int] | None] = {}
    prefixes: dict = {}
    reported: set[str] = set()
    for b in blocks:
        context = b.context
        if b.kind == "title" or not context:
            continue
        try:
            found = judged[context]
        except KeyError:
            if has_main and not _in_main(context):
                found = None       # page chrome (sidebars, headers, footers) is not the article
            else:
                found = _classify(context, prefixes)
            judged[context] = found
        if found is None:
            continue
        kind, end = found
        if kind in _POPUP_KINDS and not _PROMO_TEXT.search(b.text):
            continue
        container = context[:end]          # one finding per ad container, however many blocks it has
        if container in reported:
            continue
        reported.add(container)
        short = b.text if len(b.text) <= 60 else b.text[:57] + "..."
        article = "an" if kind[0] in "aeiou" else "a"
        yield Hit(b, 0, len(b.text), {"match": short, "detail": f"Text inside {article} {kind} in the article"})


def _block_near(doc, line: int, lines: list[int]):
    """The last block before the first one that starts below ``line`` (document order).

    ``lines`` caches block start lines across the embeds of one document: locating a block
    aligns it with the source, which is the costly part, and a page's ad scripts would
    otherwise locate the same leading blocks again each time.
    """
    best = None
    k = 0
    for b in doc.blocks:
        if b.kind == "title":
            continue
        if k == len(lines):
            # doc.locate(b, 0, 1).line, without the end position and excerpt it also builds
            lines.append(doc.line_col(b.source_offset(b.raw_span(0, 1)[0]))[0])
        if lines[k] <= line:
            best = b
        else:
            break
        k += 1
    return best
