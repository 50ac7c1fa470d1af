"""repetition: the same text several times (a repeated title, a promo box pasted twice).

Units are blocks or sentences (``unit``), compared by their normalised,
lower-cased text; only units of ``min_words`` words or more count, and
``patterns`` (optional) restrict the rule to units that look like something
specific (promotional lines, say).  ``report = "repeats"`` flags every copy
after the first; ``"all"`` flags every copy (each one is an advert).
"""

from __future__ import annotations

from collections import Counter

from audit.checks.base import Context, Hit
from audit.rulepack import REGEX_TIMEOUT


def _units(rule, ctx: Context) -> list[tuple]:
    """``(block, start, end, text)`` of every in-scope unit, in document order."""
    blocks = ctx.doc.blocks
    scope = rule.scope
    if rule.params.get("unit", "block") == "sentence":
        # a Sentence's text is its block's text[start:end]
        return [(b, s.start, s.end, s.text) for s in ctx.structure.sentences
                for b in (blocks[s.block],) if b.kind in scope]
    return [(b, 0, len(b.text), b.text) for b in blocks if b.kind in scope]


def run(rule, ctx: Context):
    min_count = rule.params.get("min_count", 2)
    min_words = rule.params.get("min_words", 4)
    report_all = rule.params.get("report", "repeats") == "all"
    units = _units(rule, ctx)
    # A unit counts when it has min_words words, and a key when min_count units share it.
    # Most units are never repeated: find the repeated keys first (C-level lower/rstrip and a
    # Counter), then count words and group only the units that carry one.  Groups come out in
    # the order of their first counted unit, as before.
    keys = [text.lower().rstrip(" .!:") for _, _, _, text in units]
    repeated = {k for k, n in Counter(keys).items() if n >= min_count}
    seen: dict[str, list] = {}
    if repeated:
        for (b, s, e, text), key in zip(units, keys):
            if key not in repeated or len(text.split()) < min_words:
                continue
            seen.setdefault(key, []).append((b, s, e))
    for key, copies in seen.items():
        if len(copies) < min_count:
            continue
        if rule.regex is not None:
            b, s, e = copies[0]
            if not ctx.may_hold(rule, b):
                continue
            try:
                if not rule.regex.search(b.text, s, e, timeout=REGEX_TIMEOUT):
                    continue
            except TimeoutError:
                continue
        for b, s, e in (copies if report_all else copies[1:]):
            yield Hit(b, s, e, {"match": b.text[s:e], "count": len(copies)})
