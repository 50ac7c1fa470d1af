"""The contract every check honours: it yields Hits; the engine makes Findings.

A Hit names a span of a block's normalised text (or of its raw text, or no
span at all for document-level findings) and the values the rule's message
template may use (``{match}``, ``{count}``, ``{expected}``...).  Declarative
kinds and code checks from other packages produce the same Hits, so scoring,
de-duplication and every output format treat them alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from audit.document.model import Block, Document
    from audit.rulepack import Rule


@dataclass(slots=True)
class Hit:
    block: "Block | None"
    start: int = 0
    end: int = 0
    args: dict[str, Any] = field(default_factory=dict)
    suggestion: str | None = None
    raw: bool = False            # start/end index block.raw instead of block.text


_UNBUILT = object()     # Context.derived: a key not built yet (None is a valid result)


class Context:
    """What a check may look at besides the rule: the document and shared match results."""

    def __init__(self, doc: "Document", phrase_hits: dict[str, list[tuple[int, int, int]]]):
        self.doc = doc
        self.phrase_hits = phrase_hits     # rule id -> [(block index, start, end)]
        self.structure = doc.structure
        self.shared: dict = {}             # the engine's: data derived from lexicons, built once per run

    def derived(self, key, build):
        """Something built from rules or lexicons (a compiled pattern, a word set), once per
        engine.  ``build`` may return None ("nothing to build"): that is kept too."""
        value = self.shared.get(key, _UNBUILT)
        if value is _UNBUILT:
            value = self.shared[key] = build()
        return value

    def may_hold(self, rule: "Rule", block) -> bool:
        """False only when the rule's regex cannot match anywhere in ``block`` (see
        ``matching.PrefilteredContext``); without a prefilter, always True."""
        return True

    def regex_hits(self, rule: "Rule", pattern=None):
        """``(block, start, end)`` for the rule's regex over in-scope blocks (time-bounded)."""
        pattern = pattern or rule.regex
        if pattern is None:
            return
        yield from self.finditer_blocks(rule, pattern, self.doc.blocks)

    def finditer_blocks(self, rule: "Rule", pattern, blocks):
        """Non-empty matches of ``pattern`` in the in-scope ``blocks``; a timeout ends the rule.

        A pattern anchored at the start of the text can only match there: one ``match()`` per
        block instead of a scan that tries every position, and none at all for a block whose
        first character no match can begin with (same matches, a fraction of the time).
        """
        from audit.matching import first_char_test, start_anchored
        from audit.rulepack import REGEX_TIMEOUT

        scope = rule.scope
        try:
            if start_anchored(pattern):
                match = pattern.match
                can_start = first_char_test(pattern)
                for b in blocks:
                    if b.kind in scope:
                        text = b.text
                        if not text or (can_start is not None and not can_start(text[0])):
                            continue
                        m = match(text, timeout=REGEX_TIMEOUT)
                        if m is not None and m.end() > m.start():
                            yield b, m.start(), m.end()
                return
            finditer = pattern.finditer
            for b in blocks:
                if b.kind in scope:
                    for m in finditer(b.text, timeout=REGEX_TIMEOUT):
                        if m.end() > m.start():
                            yield b, m.start(), m.end()
        except TimeoutError:
            self.doc.extra.setdefault("timeouts", []).append(rule.id)

    def matches(self, rule: "Rule"):
        """Phrase and regex matches of a rule, in document order, as ``(block, start, end)``."""
        blocks = self.doc.blocks
        out = [(blocks[i], s, e) for i, s, e in self.phrase_hits.get(rule.id, ())]
        out.extend(self.regex_hits(rule))
        out.sort(key=lambda t: (t[0].index, t[1], -t[2]))
        return out

    def sentence_of(self, block: "Block", pos: int) -> tuple[int, int]:
        st = self.structure
        s = st.sentences[st.sentence_index(block.index, pos)]
        if s.block != block.index:
            return 0, len(block.text)
        return s.start, s.end

    def sentence_matches(self, pattern, block: "Block", start: int) -> bool:
        """True when ``pattern`` matches the sentence around ``start`` (a hedge, a negation, a context)."""
        from audit.rulepack import REGEX_TIMEOUT

        if pattern is None:
            return False
        s, e = self.sentence_of(block, start)
        try:
            return pattern.search(block.text, s, e, timeout=REGEX_TIMEOUT) is not None
        except TimeoutError:
            return False
