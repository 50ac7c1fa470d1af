"""substitution: a wrong term with its right form, optionally only near context words.

"sperm cells" is only a slip in a text about stem cells, so each entry may
name context words; the entry fires only when one of them appears in the
document (whole word, case-insensitive).
"""

from __future__ import annotations

import re

from audit.checks.base import Context, Hit


def _doc_has(ctx: Context, words: tuple[str, ...]) -> bool:
    """Whether the document holds one of ``words`` as a whole word (one pattern per word list,
    built once per engine)."""
    pattern = ctx.derived(("substitution-context", words), lambda: re.compile(
        "|".join(r"(?<!\w)" + re.escape(w.lower()) + r"(?!\w)" for w in words)))
    return pattern.search(ctx.structure.lower_text) is not None


def run(rule, ctx: Context):
    swaps = ctx.derived(("substitution-swaps", rule.id), lambda: {k.lower(): v for k, v in rule.swaps.items()})
    for block, s, e in ctx.matches(rule):
        found = block.text[s:e]
        right, context = swaps.get(found.lower(), (None, ()))
        if right is None:
            continue
        if context and not _doc_has(ctx, context):
            continue
        if ctx.sentence_matches(rule.unless, block, s):
            continue
        if found[:1].isupper() and right[:1].islower():
            right = right[:1].upper() + right[1:]
        yield Hit(block, s, e, {"match": found, "expected": right}, suggestion=right)
