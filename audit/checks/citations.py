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
    ref_blocks = set(st.reference_blocks)
    sentences = st.sentences
    for b in ctx.doc.blocks:
        if b.kind not in rule.scope or b.index in ref_blocks or len(b.text.split()) < 6:
            continue   # teasers and headlines ("New research investigates.") make no claim of their own
        done: set[int] = set()
        for m in CLAIM.finditer(b.text):          # one pass per block; most blocks claim nothing
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
