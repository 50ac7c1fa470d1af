"""presence: document-level requirements (an author, a date, references, a disclosure).

A missing author or date is reported once per document with no position.
``when`` patterns make a requirement conditional: "references" are only
required from a page that makes at least ``when_min`` health claims.
"""

from __future__ import annotations

from audit.checks.base import Context, Hit
from audit.rulepack import REGEX_TIMEOUT


def has(target: str, ctx: Context) -> bool:
    st = ctx.structure
    if target == "author":
        return bool(st.authors)
    if target == "date":
        return bool(st.dates)
    if target == "references":
        return bool(st.references)
    if target == "disclosure":
        return st.disclosure is not None
    raise ValueError(target)


def run(rule, ctx: Context):
    target = rule.params["require"]
    if has(target, ctx):
        return
    when = rule.when
    if when is not None:
        need = rule.params.get("when_min", 1)
        count = 0
        for b in _when_blocks(ctx, rule, when):
            try:
                count += sum(1 for _ in when.finditer(b.text, timeout=REGEX_TIMEOUT))
            except TimeoutError:
                break
            if count >= need:
                break
        if count < need:
            return
        yield Hit(None, args={"count": count})
        return
    yield Hit(None)


def _when_blocks(ctx: Context, rule, when):
    """The blocks, in document order, that may match ``when``; the others count no match.

    The ``when`` pattern runs on the time-bounded ``regex`` engine, block by block, over pages
    that mostly make no health claim at all (~1 ms a page).  One automaton pass over the
    page's lower-cased text finds the few blocks that hold one of the strings every match
    needs (lower-casing maps U+0130 to "i", as ``regex`` matches it; U+017F never survives
    NFKC normalisation).
    """
    from audit.matching import blocks_with_hits, length_automaton, required_literals

    blocks = ctx.doc.blocks
    auto = ctx.derived(("presence-when-literals", when.pattern, int(when.flags)),
                       lambda: length_automaton(required_literals(when) or ()))
    if not auto or not blocks:
        return blocks
    return blocks_with_hits(ctx.structure, auto)
