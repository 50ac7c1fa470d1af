"""occurrence: too many of something in one document (a count or a density per 1000 words).

One finding, placed on the first occurrence past the limit, so the reviewer
sees where the pile-up starts; the message carries the count.
"""

from __future__ import annotations

from audit.checks.base import Context, Hit


def run(rule, ctx: Context):
    hits = [(b, s, e) for b, s, e in ctx.matches(rule) if not ctx.sentence_matches(rule.unless, b, s)]
    limit = rule.params.get("max")
    density = rule.params.get("max_per_1000_words")
    count = len(hits)
    if density is not None:
        words = max(ctx.structure.word_count, 1)
        allowed = density * words / 1000.0
        limit = int(allowed) if limit is None else min(limit, int(allowed))
    if limit is None or count <= limit:
        return
    b, s, e = hits[limit]
    yield Hit(b, s, e, {"match": b.text[s:e], "count": count, "expected": limit})
