"""Commercial signals that need more than a phrase list.

``check_impartial_claim``: a page that declares itself impartial,
unbiased or non-profit while carrying adverts or sales prompts (at least
``params.min_promos`` of them) -- the claim is contradicted by the page.

``check_affiliate_links``: links whose target carries affiliate tracking
(Amazon ``tag=``, ``aff_id``, known affiliate redirectors), a sign the page
earns from what it recommends (HealthNewsReview: conflicts of interest).
"""

from __future__ import annotations

import re

from audit.checks.base import Hit
from audit.matching import blocks_matching, case_folds_apart, gate_strings, may_match

IMPARTIAL = re.compile(
    r"\b(?:impartial|unbiased|independent and (?:objective|unbiased)|objective (?:and )?(?:scientific|evidence-based) information|"
    r"non-?profit (?:entity|organi[sz]ation|network)|not-for-profit|no commercial (?:interest|ties)|we do not (?:sell|accept advertising))\b",
    re.I)
PROMO = re.compile(
    r"\b(?:learn more|sign up|subscribe|buy now|shop now|order now|book (?:an|your) (?:appointment|consultation)|"
    r"call (?:us )?(?:now|today)|limited[- ]time offer|special offer|discount|free consultation|"
    r"find out if you are a candidate|advertisement|sponsored)\b", re.I)
AFFILIATE = re.compile(
    r"amazon\.[a-z.]+/\S*[?&]tag=|[?&](?:aff_?id|affiliate(?:_id)?|partner_id|clickref|irclickid)=|amzn\.to/|"
    r"go\.redirectingat\.com|shareasale\.com|awin1\.com|rstyle\.me|skimresources|linksynergy|"
    r"click\.linksynergy|anrdoezrs\.net|jdoqocy\.com|tkqlhce\.com|dpbolvw\.net|kqzyfj\.com", re.I)


# Every IMPARTIAL match holds one of a few lower-case strings (matching.gate_strings reads
# them off the pattern); most pages hold none, and plain substring tests on the page's
# lower-cased text (matching.may_match) are far cheaper than IMPARTIAL on every block.


def _impartial_claims(ctx, scope):
    """``(block, first IMPARTIAL match)`` of the blocks in ``scope`` that hold one (IMPARTIAL
    holds no newline and only \\b edges, so one search of the joined text will do); the match
    is taken again on the block's own text, for block-relative offsets."""
    return [(b, IMPARTIAL.search(b.text)) for b in blocks_matching(ctx.structure, IMPARTIAL) if b.kind in scope]


def check_impartial_claim(rule, ctx):
    if not may_match(IMPARTIAL, ctx.structure.lower_text):
        return
    claims = _impartial_claims(ctx, rule.scope)
    if not claims:          # the rare part first: most pages claim no impartiality at all
        return
    need = int(rule.params.get("params", {}).get("min_promos", 2))
    promos = len(PROMO.findall(ctx.structure.lower_text))
    if promos < need:
        return
    for b, m in claims:
        s, e = ctx.sentence_of(b, m.start())
        yield Hit(b, s, e, {"match": m.group(0), "count": promos})


# Every AFFILIATE match holds one of a few (lower-case) strings, read off the pattern by
# matching.gate_strings.  AFFILIATE is a case-insensitive alternation tried at every position
# of every href (~1 ms a page); most pages hold none of the strings in any href, and the rest
# a couple, so the regex only runs on the hrefs holding one (all of them when lower-casing
# could hide a match: matching.case_folds_apart).


def check_affiliate_links(rule, ctx):
    links = ctx.doc.links
    low = "\n".join([link.href for link in links if link.href]).lower()
    if case_folds_apart(low):
        present = None                   # no shortcut: every href goes to AFFILIATE
    else:
        present = [lit for lit in gate_strings(AFFILIATE) or ("",) if lit in low]
        if not present:
            return
    for link in links:
        if not link.href:
            continue
        if present is not None:
            href = link.href.lower()
            if not any(lit in href for lit in present):
                continue
        if AFFILIATE.search(link.href):
            b = ctx.doc.blocks[link.block]
            yield Hit(b, link.raw_start, link.raw_end, {"match": link.text or link.href, "detail": link.href}, raw=True)
