"""repetition: the same text several times (a repeated title, a promo box pasted twice).

Units are blocks or sentences (``unit``), compared by their normalised,
lower-cased text; only units of ``min_words`` words or more count, and
``patterns`` (optional) restrict the rule to units that look like something
specific (promotional lines, say).  ``report = "repeats"`` flags every copy
after the first; ``"all"`` flags every copy (each one is an advert).
"""

from __future__ import annotations

from audit.checks.base import Context, Hit
from audit.rulepack import REGEX_TIMEOUT


def _units(rule, ctx: Context):
    blocks = ctx.doc.blocks
    if rule.params.get("unit", "block") == "sentence":
        for s in ctx.structure.sentences:
            b = blocks[s.block]
            if b.kind in rule.scope:
                yield b, s.start, s.end
    else:
        for b in blocks:
            if b.kind in rule.scope:
                yield b, 0, len(b.text)


def run(rule, ctx: Context):
    min_count = rule.params.get("min_count", 2)
    min_words = rule.params.get("min_words", 4)
    report_all = rule.params.get("report", "repeats") == "all"
    seen: dict[str, list] = {}
    for b, s, e in _units(rule, ctx):
        text = b.text[s:e]
        if len(text.split()) < min_words:
            continue
        key = text.lower().rstrip(" .!:")
        seen.setdefault(key, []).append((b, s, e))
    for key, copies in seen.items():
        if len(copies) < min_count:
            continue
        if rule.regex is not None:
            b, s, e = copies[0]
            try:
                if not rule.regex.search(b.text, s, e, timeout=REGEX_TIMEOUT):
                    continue
            except TimeoutError:
                continue
        for b, s, e in (copies if report_all else copies[1:]):
            yield Hit(b, s, e, {"match": b.text[s:e], "count": len(copies)})
