"""Enumerations that announce one count and deliver another.

"There are three primary stem cell types, including:" followed by four
numbered items is a slip a reader notices at once.  The lead-in must name
a count (a word or digits) right before a counting noun from the
``count-nouns`` lexicon ("three types", "4 main ways", "two forms"), end
with a colon (or be a heading that starts with the count: "Five tips for
sleep"), and the list must follow it directly.  Lists are real lists (HTML ul/ol, text
bullets and numbers), an inline list after a colon ("two types: A and
B"), or paragraphs shaped as "Label: text" that follow a lead-in ending
with a colon.
"""

from __future__ import annotations

import re

from audit.checks.base import Hit

NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
           "ten": 10, "eleven": 11, "twelve": 12}
_NUM = r"(?P<num>\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_LABEL = re.compile(r"^[A-Z][^:.!?]{1,80}:\s+\S")


def _count_pattern(nouns: tuple[str, ...]):
    """A number, up to four words, then a count noun (longest nouns first); built once per
    engine (``Context.derived``)."""
    alt = "|".join(sorted((re.escape(n) for n in nouns), key=len, reverse=True))
    return re.compile(rf"\b{_NUM}\s+(?:[\w-]+\s+){{0,4}}?(?P<noun>{alt})\b", re.I)


def _value(word: str) -> int:
    return int(word) if word.isdigit() else NUMBERS[word.lower()]


def _inline_items(text: str) -> int | None:
    """Items of an inline list after the colon: 'A, B and C' -> 3."""
    if ":" not in text:
        return None
    tail = text.split(":", 1)[1].strip().rstrip(".")
    if not tail or len(tail.split()) > 60:
        return None
    tail = re.sub(r"\([^)]*\)", "", tail)
    if len(tail.split()) > 25:
        return None
    parts = [p for p in re.split(r",\s*(?:and|or)?\s*|\s+(?:and|or)\s+|;\s*", tail) if p.strip()]
    if len(parts) < 2 or any(len(p.split()) > 6 for p in parts):
        return None        # long clauses are prose, not list items
    return len(parts)


def check_enumeration(rule, ctx):
    name = rule.params.get("params", {}).get("lexicon", "count-nouns")
    nouns = ctx.lexicons.get(name, [])
    if not nouns:
        return
    pattern = ctx.derived(("count-pattern", name), lambda: _count_pattern(tuple(nouns)))
    blocks = ctx.doc.blocks
    candidates = _noun_blocks(ctx, name, nouns)
    if not candidates:
        return
    lists = {info.lead_in: info for info in ctx.structure.lists if info.lead_in is not None}
    for b in candidates:
        if b.kind not in rule.scope:
            continue
        for m in pattern.finditer(b.text):
            expected = _value(m.group("num"))
            s, e = ctx.sentence_of(b, m.start())
            sentence = b.text[s:e]
            found = None
            ends_lead_in = sentence.rstrip().endswith((":", "-", "\u2013")) or \
                (b.kind == "heading" and m.start() == 0)
            if b.index in lists and e >= len(b.text.rstrip()) - 1 and ends_lead_in:
                found = len(lists[b.index].items)
            elif sentence.rstrip().endswith(":") and e >= len(b.text.rstrip()) - 1:
                found = _labelled_paragraphs(blocks, b.index)
            else:
                inline = _inline_items(sentence[m.end() - s:]) if ":" in sentence[m.end() - s:] else None
                found = inline
            if found is None or found == expected:
                continue
            yield Hit(b, m.start(), m.end(), {"match": m.group(0), "expected": expected, "found": found})


def _noun_blocks(ctx, name: str, nouns: list[str]):
    """The blocks, in order, that may hold a count noun (the others cannot match the pattern).

    The count pattern tries a number at every word start of every block (~0.8 ms a page);
    one automaton pass over the page's lower-cased text finds the few blocks that hold a
    count noun at all; a page whose lower-cased text may hide a case-insensitive match from
    the automaton (``matching.case_folds_apart``) is scanned whole.
    """
    from audit.matching import blocks_with_hits, case_folds_apart, length_automaton

    blocks = ctx.doc.blocks
    auto = ctx.derived(("count-noun-automaton", name), lambda: length_automaton(nouns))
    if not auto or not blocks or case_folds_apart(ctx.structure.lower_text):
        return blocks
    return blocks_with_hits(ctx.structure, auto, _whole_noun)


def _whole_noun(low: str, start: int, end: int) -> bool:
    # the pattern puts \s+ before the noun and \b after it ("always" holds "ways")
    if start == 0 or not low[start - 1].isspace():
        return False
    after = low[end:end + 1]
    return not (after and (after.isalnum() or after == "_"))


def _labelled_paragraphs(blocks, lead: int) -> int | None:
    count = 0
    for b in blocks[lead + 1:]:
        if b.kind == "paragraph" and _LABEL.match(b.text):
            count += 1
        else:
            break
    return count or None
