"""Filler Latin detected by vocabulary, not by one phrase.

"Lorem ipsum" has dozens of variants (generators shuffle and extend the
vocabulary), so a block is flagged when at least ``min_ratio`` of its words
(and ``min_words`` in all) come from the filler-Latin lexicon.  Real Latin
phrases in English text ("in situ", "ad hoc") stay far below the ratio.
"""

from __future__ import annotations

import re

from audit.checks.base import Hit

_WORD = re.compile(r"[A-Za-z]+")


def check_filler_latin(rule, ctx):
    params = rule.params.get("params", {})
    name = params.get("lexicon", "filler-latin")
    vocab = ctx.derived(("word-set", name), lambda: {w.lower() for w in ctx.lexicons.get(name, [])})
    min_words = int(params.get("min_words", 5))
    min_ratio = float(params.get("min_ratio", 0.6))
    for b in ctx.doc.blocks:
        if b.kind not in rule.scope:
            continue
        words = list(_WORD.finditer(b.text))
        if len(words) < min_words:
            continue
        filler = [m for m in words if m.group().lower() in vocab]
        if len(filler) >= min_words and len(filler) / len(words) >= min_ratio:
            # report the run from the first to the last filler word of the block
            start, end = filler[0].start(), filler[-1].end()
            excerpt = b.text[start:end]
            short = excerpt if len(excerpt) <= 60 else excerpt[:57] + "..."
            yield Hit(b, start, end, {"match": short})
