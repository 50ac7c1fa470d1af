"""All phrase lists of all rules in one Aho-Corasick automaton.

One pass over each block finds every phrase of every rule, overlapping
matches included (pyahocorasick, a C implementation: ~30x faster than one
regex alternation).  Matching runs on lower-cased normalised text; phrases
marked case-sensitive are re-checked against the original case, and
whole-token boundaries are enforced after the fact.
"""

from __future__ import annotations

from audit.document.normalize import lower_same_length


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


class PhraseIndex:
    def __init__(self, rules):
        import ahocorasick

        self.automaton = ahocorasick.Automaton()
        table: dict[str, list[tuple[str, bool, bool, tuple[str, ...]]]] = {}
        for rule in rules:
            whole = rule.params.get("whole_tokens", True)
            for phrase, case in rule.phrases:
                table.setdefault(phrase.lower(), []).append((rule.id, case, whole, rule.scope, phrase))
        self.empty = not table
        for key, entries in table.items():
            self.automaton.add_word(key, (len(key), entries))
        if not self.empty:
            self.automaton.make_automaton()

    def scan(self, blocks) -> dict[str, list[tuple[int, int, int]]]:
        """``rule id -> [(block index, start, end)]`` over the normalised text of ``blocks``."""
        hits: dict[str, list[tuple[int, int, int]]] = {}
        if self.empty:
            return hits
        it = self.automaton.iter
        for b in blocks:
            text = b.text
            low = lower_same_length(text)
            n = len(text)
            for end_idx, (length, entries) in it(low):
                start = end_idx - length + 1
                end = end_idx + 1
                left_ok = start == 0 or not _is_word(text[start - 1])
                right_ok = end == n or not _is_word(text[end])
                for rule_id, case, whole, scope, phrase in entries:
                    if b.kind not in scope:
                        continue
                    if whole and ((_is_word(phrase[0]) and not left_ok) or (_is_word(phrase[-1]) and not right_ok)):
                        continue
                    if case and text[start:end] != phrase:
                        continue
                    hits.setdefault(rule_id, []).append((b.index, start, end))
        return hits
