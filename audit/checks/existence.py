"""existence: report each occurrence of a phrase or pattern (Vale's most used kind)."""

from __future__ import annotations

from audit.checks.base import Context, Hit


def run(rule, ctx: Context):
    for block, s, e in ctx.matches(rule):
        if ctx.unless(rule.unless, block, s):
            continue
        yield Hit(block, s, e, {"match": block.text[s:e]})
