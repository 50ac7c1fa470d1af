"""conditional: X without Y within N sentences (e.g. a statistic with no citation near it).

The window stays inside the paragraph (block) of the match: a citation in
the previous paragraph supports that paragraph's claims, not the next one's.
"""

from __future__ import annotations

from audit.checks.base import Context, Hit
from audit.rulepack import REGEX_TIMEOUT


def run(rule, ctx: Context):
    window = rule.params.get("window", 0)
    sentences = ctx.structure.sentences
    for block, s, e in ctx.matches(rule):
        if ctx.sentence_matches(rule.unless, block, s):
            continue
        i = ctx.structure.sentence_index(block.index, s)
        satisfied = False
        for j in range(max(0, i - window), min(len(sentences), i + window + 1)):
            sent = sentences[j]
            if sent.block != block.index:
                continue
            text = ctx.doc.blocks[sent.block].text
            try:
                if rule.without.search(text, sent.start, sent.end, timeout=REGEX_TIMEOUT):
                    satisfied = True
                    break
            except TimeoutError:
                satisfied = True
                break
        if not satisfied:
            yield Hit(block, s, e, {"match": block.text[s:e]})
