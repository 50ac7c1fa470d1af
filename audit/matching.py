"""All phrase lists of all rules in one Aho-Corasick automaton.

One pass over each block finds every phrase of every rule, overlapping
matches included (pyahocorasick, a C implementation: ~30x faster than one
regex alternation).  Matching runs on lower-cased normalised text; phrases
marked case-sensitive are re-checked against the original case, and
whole-token boundaries are enforced after the fact.
"""

from __future__ import annotations

from audit.checks.base import Context
from audit.document.normalize import lower_same_length


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


class PhraseIndex:
    def __init__(self, rules, prefilter=()):
        """``rules``: rules with phrase lists; ``prefilter``: rules whose regex gets a literal
        prefilter (see :func:`required_literals`)."""
        import ahocorasick

        self.automaton = ahocorasick.Automaton()
        table: dict[str, list[tuple[str, bool, bool, tuple[str, ...]]]] = {}
        for rule in rules:
            whole = rule.params.get("whole_tokens", True)
            for phrase, case in rule.phrases:
                table.setdefault(phrase.lower(), []).append((rule.id, case, whole, rule.scope, phrase))
        self.required: dict[str, frozenset[str]] = {}
        literal_rules: dict[str, list[str]] = {}
        for rule in prefilter:
            lits = required_literals(rule.regex) if rule.regex is not None else None
            if lits:
                self.required[rule.id] = lits
                for lit in lits:
                    literal_rules.setdefault(lit, []).append(rule.id)
        self.empty = not table and not literal_rules
        for key in table.keys() | literal_rules.keys():
            self.automaton.add_word(key, (len(key), table.get(key, ()), tuple(literal_rules.get(key, ()))))
        if not self.empty:
            self.automaton.make_automaton()

    def scan(self, blocks) -> dict[str, list[tuple[int, int, int]]]:
        """``rule id -> [(block index, start, end)]`` over the normalised text of ``blocks``."""
        return self.scan_all(blocks)[0]

    def scan_all(self, blocks):
        """Phrase hits (as :meth:`scan`) and, for every prefiltered rule, the set of indices of
        the blocks that hold one of its required literals (one pass per block for both)."""
        hits: dict[str, list[tuple[int, int, int]]] = {}
        candidates: dict[str, set[int]] = {rid: set() for rid in self.required}
        if self.empty:
            return hits, candidates
        it = self.automaton.iter
        for b in blocks:
            text = b.text
            low = lower_same_length(text)
            n = len(text)
            pre_seen = None
            for end_idx, (length, entries, pre) in it(low):
                if pre:
                    if pre_seen is None:
                        pre_seen = {pre}
                    else:
                        pre_seen.add(pre)
                if not entries:
                    continue
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
            if pre_seen:
                for pre in pre_seen:
                    for rid in pre:
                        candidates[rid].add(b.index)
        return hits, candidates


# -- regex prefilter ---------------------------------------------------------------------------
# Most rule patterns cannot match unless one of a few literal words occurs in the block
# ("book|schedule ... appointment", "funded|participate|pay").  required_literals() reads that
# set off the parsed pattern; the engine finds, in the same Aho-Corasick pass as the phrases,
# which blocks hold one, and runs the pattern only on those blocks.  The set is a necessary
# condition (never a guess): a pattern whose requirement is unclear is simply run everywhere.

_MIN_LITERAL = 3
_RE_FLAGS = None


def _re_flags():
    global _RE_FLAGS
    if _RE_FLAGS is None:
        import re

        import regex

        _RE_FLAGS = {
            "map": {regex.I: re.I, regex.M: re.M, regex.S: re.S, regex.X: re.X, regex.A: re.A, regex.U: re.U},
            "ignore": int(regex.V0),
        }
    return _RE_FLAGS


def required_literals(pattern) -> frozenset[str] | None:
    """Lower-case strings at least one of which occurs in any match of ``pattern``, or None.

    ``pattern`` is a compiled ``regex`` pattern (or a str).  Sound by construction: the pattern
    is read with the standard library's parser, and anything whose meaning could differ
    between ``re`` and ``regex`` (fuzzy matching, POSIX classes, full case folding, version 1
    syntax), or that ``re`` cannot parse, gives None.  Literals are ASCII only: matched text is
    NFKC-normalised, so the only non-ASCII characters that case-fold onto ASCII letters (the
    Kelvin sign, the long s) never occur in it, and lower-casing both sides is exact.
    """
    import re

    try:
        if isinstance(pattern, str):
            source, flags = pattern, 0
        else:
            source, flags = pattern.pattern, int(pattern.flags)
        table = _re_flags()
        re_flags = 0
        for rflag, sflag in table["map"].items():
            if flags & int(rflag):
                re_flags |= sflag
                flags &= ~int(rflag)
        flags &= ~table["ignore"]
        if flags:                      # V1, FULLCASE, WORD, BESTMATCH, REVERSE, POSIX ...
            return None
        if "[[" in source or "[:" in source or re.search(r"\{(?!\d*,?\d*\})", source):
            return None                # POSIX classes / nested sets / fuzzy {e<=1}: regex-only
        re.compile(source, re_flags)
        from re import _parser as sre_parse   # 3.11+

        parsed = sre_parse.parse(source, re_flags)
        req = _required(parsed, sre_parse)
    except Exception:
        return None
    if not req or any(len(s) < _MIN_LITERAL for s in req):
        return None
    return frozenset(req)


def _required(seq, sp):
    from re import _constants as c

    factors = []
    run: list[str] = []

    def close_run():
        if run:
            factors.append({"".join(run)})
            run.clear()

    for op, av in seq:
        if op is c.LITERAL and av < 128:
            run.append(chr(av).lower())
            continue
        close_run()
        r = None
        if op is c.SUBPATTERN:
            r = _required(av[3], sp)
        elif op is c.ATOMIC_GROUP:
            r = _required(av, sp)
        elif op is c.BRANCH:
            alts = [_required(alt, sp) for alt in av[1]]
            if all(alts):
                r = set().union(*alts)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            lo, _hi, item = av
            if lo >= 1:
                r = _required(item, sp)
        elif op is c.IN:
            chars = set()
            for iop, iav in av:
                if iop is c.LITERAL and iav < 128:
                    chars.add(chr(iav).lower())
                else:
                    chars = None
                    break
            r = chars or None
        if r:
            factors.append(r)
    close_run()
    if not factors:
        return None
    return max(factors, key=lambda f: (min(len(s) for s in f), -len(f)))


class PrefilteredContext(Context):
    """A check Context whose :meth:`regex_hits` skips the blocks that hold none of the rule's
    required literals (its pattern cannot match there); otherwise exactly Context.regex_hits."""

    def __init__(self, doc, phrase_hits, candidates):
        super().__init__(doc, phrase_hits)
        self.candidates = candidates   # rule id -> block indices; absent: no prefilter

    def regex_hits(self, rule, pattern=None):
        pattern = pattern or rule.regex
        cands = self.candidates.get(rule.id) if pattern is not None and pattern is rule.regex else None
        if cands is None:
            yield from Context.regex_hits(self, rule, pattern)
            return
        blocks = self.doc.blocks
        yield from self.finditer_blocks(rule, pattern, (blocks[i] for i in sorted(cands)))  # document order
