"""Evidence claims with nothing behind them.

A sentence that claims evidence ("studies show", "in one study", "81% of
patients", "has been shown to", "according to the X Study", "clinically
proven") is reported unless the sentence or the next one in the same
paragraph carries attribution: a citation marker ([1], (Smith, 2020),
superscripts, a DOI, a URL), a link, a named journal or institution.  A
named study or survey counts only when the reference list mentions it.
"""

from __future__ import annotations

import re

from audit.checks.base import Hit
from audit.document.structure import CITE_MARKER
from audit.matching import case_folds_apart

# Keep _may_claim (below) in step with CLAIM: it must pass every text CLAIM can match.
CLAIM = re.compile(
    r"\b(?:in (?:one|a|another|this|that) (?:recent |new |small |large |clinical )?(?:study|trial|survey)"
    r"|(?:another|one|a|recent|new|several|many|numerous|multiple) (?:recent |clinical |scientific |published )?(?:studies|study|trials?|reports?|surveys?)"
    r" (?:show|shows|showed|have shown|has shown|found|find|have found|has found|suggest|suggests|suggested|indicate|indicates|have reported|reported|demonstrate|demonstrated|prove|proved|revealed)"
    r"|(?:studies|research|evidence|data|science|trials) (?:show|shows|showed|has shown|have shown|suggests?|indicates?|proves?|confirms?|demonstrates?)"
    r"|(?:recent|new|emerging|preliminary|growing) (?:studies|evidence|research|data)"
    r"|(?:has|have) been (?:clinically |scientifically )?(?:shown|proven|proved|demonstrated|found) to"
    r"|(?:clinically|scientifically|medically) (?:proven|tested|validated)"
    r"|(?:has|have) (?:clinically |scientifically )?prov(?:ed|en)\b"
    r"|(?:is|are) (?:generally |widely |now )?(?:considered|regarded|recognized|recognised|accepted|known) (?:to be |as )?(?:safe|effective|reliable)"
    r"|according to (?:the |a |an )?(?-i:[A-Z][\w'-]*\s+(?:(?:[A-Z][\w'-]*|of|and|for|on|in|the|&)\s+){0,7})(?:study|survey|report|trial|analysis|review|project)\b"
    r"|\d+(?:\.\d+)?\s?(?:%|percent|per cent) of (?:patients|people|participants|subjects|users|cases|adults|children|women|men)"
    r"|\d+ (?:in|out of) \d+ (?:patients|people|participants|adults|children|women|men|cases)"
    r"|\d+(?:\.\d+)? times (?:more|less) likely)\b",
    re.I)
NAMED_SOURCE = re.compile(
    r"\b(?:published in|journal|lancet|bmj|jama|nejm|new england journal|cochrane|pubmed|nature|science|"
    r"annals of|proceedings|universit\w+|institute|hospital|cdc|nih|who|fda|nhs|ema|mayo clinic|"
    r"centers for disease|world health|national (?:institute|academy|health)|et al\b|"
    r"ministry of|department of health|\(\d{4}\)|in \d{4},? (?:researchers|scientists))", re.I)
_NAMED_STUDY = re.compile(r"according to (?:the |a |an )?((?-i:[A-Z][\w'-]*\s+(?:(?:[A-Z][\w'-]*|of|and|for|on|in|the|&)\s+){0,7}))(?:study|survey|report|trial|analysis|review|project)\b", re.I)


# CLAIM is a long case-insensitive alternation that Python's re tries at every word start: at
# ~1.5 ms a page it was the costliest code check, for a couple of matches in a corpus.  Every
# branch of it holds two adjacent words from short lists ("studies show", "been shown",
# "in a", "according to", "of patients") -- some branches only together with a second pair,
# a word or a phrase -- or "<digit> in|out of <digit>".  A text without them cannot match, so
# most pages, and most blocks of the rest, are never handed to CLAIM.  The words come from a
# case-folded copy of the text: re.I lets "İ" and "ı" match "i" and "ſ" match "s", so those
# are folded first (lower() maps the Kelvin sign); lower-casing keeps word characters word
# characters, so CLAIM's \b-delimited words are whole words of the copy.
def _pairs(firsts: str, seconds: str) -> set[tuple[bytes, bytes]]:
    return {(a.encode(), b.encode()) for a in firsts.split() for b in seconds.split()}


# Pairs that are enough on their own (branches: "<several> studies show", "studies show",
# "new evidence", "has been shown to", "clinically proven", "has proven", "considered (to be |as
# )?safe").  "has shown", "have found"... count through their second pair, below.
_STRONG = (
    _pairs("studies study trial trials report reports survey surveys",
           "show shows showed found find suggest suggests suggested indicate indicates reported "
           "demonstrate demonstrated prove proved revealed")
    | _pairs("studies research evidence data science trials",
             "show shows showed suggest suggests indicate indicates prove proves confirm confirms "
             "demonstrate demonstrates")
    | _pairs("recent new emerging preliminary growing", "studies evidence research data")
    | _pairs("been", "clinically scientifically shown proven proved demonstrated found")
    | _pairs("clinically scientifically medically", "proven tested validated")
    | _pairs("has have", "clinically scientifically proved proven")
    | _pairs("considered regarded recognized recognised accepted known be as", "safe effective reliable"))
# Pairs that count only beside another: (noun, has|have) needs (has|have, shown|found|reported);
# "in a study" needs both ("in", a) and (a|adjective, study).
_NOUN_HAS = _pairs("studies study trial trials report reports survey surveys research evidence data science",
                   "has have")
_HAS_VERB = _pairs("has have", "shown found reported")
_IN_DET = _pairs("in", "one a another this that")
_DET_NOUN = _pairs("one a another this that recent new small large clinical", "study trial survey")
_ACCORDING = _pairs("according", "to")            # and the rest of _NAMED_STUDY
_OF_PEOPLE = _pairs("of", "patients people participants subjects users cases adults children women men")
_LIKELY = _pairs("more less", "likely")
_CLAIM_PAIRS = frozenset(_STRONG | _NOUN_HAS | _HAS_VERB | _IN_DET | _DET_NOUN | _ACCORDING | _OF_PEOPLE | _LIKELY)
# "\d (?:in|out of) \d", written so that re can jump from one " in " to the next (a pattern
# that starts with a literal is searched like str.find; one that starts with \d is not).
_IN_DIGITS = re.compile(r" in (?<=\d in )\d")
_OUT_OF_DIGITS = re.compile(r" out of (?<=\d out of )\d")
_PERCENT_OF = re.compile(r"\d\s?(?:%|percent|per cent) of (?:patients|people|participants|subjects|users|cases|adults|"
                         r"children|women|men)")
# Words by table: every byte but [a-z0-9_] becomes a space (UTF-8 bytes of other characters
# too), then split().  For ASCII text that is exactly \w+; elsewhere it may cut words more
# finely, never an ASCII word delimited by non-word characters, which is all CLAIM's words
# are.  bytes.translate and split are table-driven C, several times faster than findall.
_WORD_BYTES = bytes(c if chr(c) in "abcdefghijklmnopqrstuvwxyz0123456789_" else 0x20 for c in range(256))


def _may_claim(text: str, low: str | None = None) -> bool:
    """False only when CLAIM cannot match ``text`` (see the pairs above).  ``low``: ``text``
    lower-cased already, by ``lower()`` or by ``lower_same_length`` (``Structure.lower_text``);
    where lower-casing could hide a match (``matching.case_folds_apart``) the text is folded
    the way ``re.I`` matches it first."""
    if low is None:
        low = text.lower()
    if case_folds_apart(low):
        low = text.replace("\u0130", "i").replace("\u0131", "i").replace("\u017f", "s").lower()
    words = low.encode("utf-8", "replace").translate(_WORD_BYTES).split()
    found = _CLAIM_PAIRS.intersection(zip(words, words[1:]))
    if found:
        if not found.isdisjoint(_STRONG):
            return True
        if not found.isdisjoint(_NOUN_HAS) and not found.isdisjoint(_HAS_VERB):
            return True
        if not found.isdisjoint(_IN_DET) and not found.isdisjoint(_DET_NOUN):
            return True
        if not found.isdisjoint(_ACCORDING) and _NAMED_STUDY.search(text):
            return True
        if not found.isdisjoint(_OF_PEOPLE) and _PERCENT_OF.search(low):
            return True
        if not found.isdisjoint(_LIKELY) and ("times more likely" in low or "times less likely" in low):
            return True
    # \d is any Unicode digit: a bytes pattern would miss the non-ASCII ones
    return _IN_DIGITS.search(low) is not None or (" out of " in low and _OUT_OF_DIGITS.search(low) is not None)


def _attributed(ctx, block, s, e) -> bool:
    text = block.text[s:e]
    if CITE_MARKER.search(text) or NAMED_SOURCE.search(text):
        return True
    rs, re_ = block.raw_span(s, e)
    for link in ctx.doc.links:
        if link.block == block.index and link.href and not link.href.startswith("#") and rs <= link.raw_start <= re_:
            return True
    return False


def _in_references(ctx, words: list[str]) -> bool:
    refs = " ".join(r.text.lower() for r in ctx.structure.references)
    return bool(words) and all(w.lower() in refs for w in words)


def check_uncited_claim(rule, ctx):
    st = ctx.structure
    # Most pages hold no claim-shaped pair of words at all: one test on the page's text (all
    # blocks joined by newlines, lower-cased: shared with other checks; its pairs include every
    # block's) settles them without a per-block loop.
    if not _may_claim(st.joined[0], st.lower_text):
        return
    scope = rule.scope
    blocks = [b for b in ctx.doc.blocks if b.kind in scope]
    ref_blocks = set(st.reference_blocks)
    sentences = st.sentences
    for b in blocks:
        if b.index in ref_blocks or len(b.text.split()) < 6:
            continue   # teasers and headlines ("New research investigates.") make no claim of their own
        if not _may_claim(b.text):
            continue
        done: set[int] = set()
        for m in CLAIM.finditer(b.text):
            i = st.sentence_index(b.index, m.start())
            if i in done:
                continue
            done.add(i)
            sent = sentences[i]
            if sent.block != b.index:
                continue
            named = _NAMED_STUDY.search(m.group(0))
            if named:
                words = [w for w in named.group(1).split() if len(w) > 3]
                if _in_references(ctx, words):
                    continue
                yield Hit(b, sent.start, sent.end, {"match": m.group(0),
                                                    "detail": " (the named study is not in the references)"})
                continue
            end = sent.end
            if i + 1 < len(sentences) and sentences[i + 1].block == sent.block:
                end = sentences[i + 1].end
            if _attributed(ctx, b, sent.start, end):
                continue
            yield Hit(b, sent.start, sent.end, {"match": m.group(0), "detail": ""})
