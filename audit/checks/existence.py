"""existence: report each occurrence of a phrase or pattern (Vale's most used kind).

``unless`` patterns drop a match whose sentence hedges or reports criticism;
``sentence_has`` patterns keep a match only when its sentence also says
something else (a treatment, say).  Both are checked on the one sentence
around the match, which is far cheaper than look-arounds in every pattern.
"""

from __future__ import annotations

from audit.checks.base import Context, Hit


def run(rule, ctx: Context):
    needs = rule.sentence_has
    for block, s, e in ctx.matches(rule):
        if ctx.sentence_matches(rule.unless, block, s):
            continue
        if needs is not None and not ctx.sentence_matches(needs, block, s):
            continue
        yield Hit(block, s, e, {"match": block.text[s:e]})
