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
# The words of _WORD, lower-cased, by table: ASCII letters kept (lower-cased), every other
# byte -- the UTF-8 bytes of non-ASCII characters included -- made a space, then split().
# [A-Za-z]+ is ASCII-only, so this gives exactly _WORD's words, in C instead of one match
# object per word; counting the filler ones is a set lookup per word, also in C.  (Counting
# the whole page at once, with a separator token between blocks, measured slower: the
# per-block split is cheap and skips short blocks before any lookup.)
_LETTERS = bytes(c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 else 32 for c in range(256))


def check_filler_latin(rule, ctx):
    params = rule.params.get("params", {})
    name = params.get("lexicon", "filler-latin")
    vocab = ctx.derived(("word-set", name), lambda: {w.lower() for w in ctx.lexicons.get(name, [])})
    # the same words as bytes, for the table-split words below (only ASCII ones can match)
    known = ctx.derived(("word-bytes", name), lambda: frozenset(w.encode() for w in vocab if w.isascii()))
    min_words = int(params.get("min_words", 5))
    min_ratio = float(params.get("min_ratio", 0.6))
    counted = known.__contains__
    scope = rule.scope
    for b in ctx.doc.blocks:
        if b.kind not in scope:
            continue
        words_b = b.text.encode("utf-8", "replace").translate(_LETTERS).split()
        n = len(words_b)
        if n < min_words:
            continue
        k = sum(map(counted, words_b))
        if k < min_words or k / n < min_ratio:
            continue
        # filler: report the run from the first to the last filler word of the block (the
        # match objects, for their offsets, only now)
        filler = [m for m in _WORD.finditer(b.text) if m.group().lower() in vocab]
        start, end = filler[0].start(), filler[-1].end()
        excerpt = b.text[start:end]
        short = excerpt if len(excerpt) <= 60 else excerpt[:57] + "..."
        yield Hit(b, start, end, {"match": short})
