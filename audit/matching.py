"""All phrase lists of all rules in one Aho-Corasick automaton.

One pass over the document's joined, lower-cased text finds every phrase of every rule, overlapping
matches included (pyahocorasick, a C implementation: ~30x faster than one
regex alternation).  Matching runs on lower-cased normalised text; phrases
marked case-sensitive are re-checked against the original case, and
whole-token boundaries are enforced after the fact.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from audit.checks.base import Context


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
                if "\n" in phrase:            # block text never holds one
                    continue
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

    def scan_document(self, doc):
        """Phrase hits (``rule id -> [(block index, start, end)]``) and, for every prefiltered
        rule, the indices of the blocks holding one of its required literals: one automaton
        pass over the document's joined, lower-cased text (shared with the checks that read
        it), not one pass per block."""
        st = doc.structure
        text, starts = st.joined
        return self._scan(doc.blocks, text, st.lower_text, starts)

    def _scan(self, blocks, text, low, starts):
        # Blocks are joined by "\n", which no phrase holds and no block text holds, so a hit
        # never spans two blocks, and the newline is a non-word character exactly like the
        # edge of a block for the whole-token test.
        hits: dict[str, list[tuple[int, int, int]]] = {}
        candidates: dict[str, set[int]] = {rid: set() for rid in self.required}
        if self.empty or not blocks:
            return hits, candidates
        n = len(text)
        nblocks = len(blocks)
        bi, next_start = 0, starts[1] if nblocks > 1 else n + 1
        for end_idx, (length, entries, pre) in self.automaton.iter(low):
            if end_idx >= next_start:           # hits come in order of their end
                bi = bisect_right(starts, end_idx) - 1
                next_start = starts[bi + 1] if bi + 1 < nblocks else n + 1
            if pre:
                index = blocks[bi].index
                for rid in pre:
                    candidates[rid].add(index)
            if not entries:
                continue
            b = blocks[bi]
            start = end_idx - length + 1
            end = end_idx + 1
            left_ok = start == 0 or not _is_word(text[start - 1])
            right_ok = end == n or not _is_word(text[end])
            offset = starts[bi]
            for rule_id, case, whole, scope, phrase in entries:
                if b.kind not in scope:
                    continue
                if whole and ((_is_word(phrase[0]) and not left_ok) or (_is_word(phrase[-1]) and not right_ok)):
                    continue
                if case and text[start:end] != phrase:
                    continue
                hits.setdefault(rule_id, []).append((b.index, start - offset, end - offset))
        return hits, candidates


def case_folds_apart(low: str) -> bool:
    """True when lower-cased text holds a character that case-insensitive matching equates
    with an ASCII letter although lower-casing does not turn it into that letter: U+0131
    (dotless i: ``re`` matches it to "i"), U+017F (long s), U+0130 or the combining dot that
    ``str.lower()`` leaves after its "i".  A substring gate on such text could miss a match,
    so a check that finds this searches the text whole instead.  (NFKC-normalised block text
    never holds U+017F, and ``lower_same_length`` maps U+0130 to "i"; hrefs and raw text can.)
    """
    return not low.isascii() and ("\u0131" in low or "\u017f" in low or "\u0130" in low or "\u0307" in low)


_GATES: dict = {}


def gate_strings(pattern) -> tuple[str, ...] | None:
    """Short lower-case strings, one of which is in the lower-cased text of any match of
    ``pattern`` (a compiled ``re`` or ``regex`` pattern), or None when that is unknown.

    Plain ``in`` tests with them rule out, at C speed, the pages and blocks a pattern cannot
    match.  They are :func:`required_literals` cut to 8 characters: a prefix of a required
    string is required too, and "we may earn a small commission" with its 47 spellings
    becomes a handful.  Cached per pattern.
    """
    key = (pattern.pattern, int(pattern.flags))
    got = _GATES.get(key, False)
    if got is False:
        lits = required_literals(pattern)          # with its flags (re's and regex's agree)
        got = _GATES[key] = tuple(sorted({lit[:8] for lit in lits})) if lits else None
    return got


def may_match(pattern, low: str) -> bool:
    """False only when ``pattern`` cannot match a text whose lower-cased form is ``low``: the
    text holds none of its :func:`gate_strings`.  True when those are unknown, and when
    lower-casing could hide a match (:func:`case_folds_apart`)."""
    if case_folds_apart(low):
        return True
    lits = gate_strings(pattern)
    return lits is None or any(lit in low for lit in lits)


def length_automaton(strings):
    """An Aho-Corasick automaton of the lower-cased ``strings``, each valued by its length (what
    :func:`blocks_with_hits` reads), or None when there are none.  Build it once per engine
    (``Context.derived``)."""
    import ahocorasick

    auto = ahocorasick.Automaton()
    for s in strings:
        low = s.lower()
        if low:
            auto.add_word(low, len(low))
    if not len(auto):
        return None
    auto.make_automaton()
    return auto


def blocks_matching(structure, pattern):
    """The blocks of ``structure``'s document, in order, where ``pattern`` matches: one search
    over the page's text joined by newlines, moving on to the next block after each hit.  Only
    for a pattern that holds no newline and whose edges see a newline as they see the edge of
    a block (``\\b``, no ``^``/``$``): then the first hit at or after a block's start is that
    block's first match."""
    text, starts = structure.joined
    blocks = structure.doc.blocks
    out = []
    search = pattern.search
    m = search(text)
    while m is not None:
        i = bisect_right(starts, m.start()) - 1
        out.append(blocks[i])
        if i + 1 >= len(starts):
            break
        m = search(text, starts[i + 1])
    return out


def blocks_with_hits(structure, automaton, accept=None):
    """The blocks of ``structure``'s document, in order, where ``automaton`` (values: the
    length of each key) finds a key in the page's lower-cased text -- for a check whose
    pattern cannot match a block holding none of its required strings.  ``accept(low, start,
    end)`` may refuse a hit (a key that must be a whole word, say)."""
    low = structure.lower_text      # block texts joined by "\n", each lower-cased to its own length
    starts = structure.joined[1]
    blocks = structure.doc.blocks
    out = []
    next_start = -1                             # hits come in order of their end: a block once
    for end, length in automaton.iter(low):
        if end < next_start:
            continue
        start = end - length + 1
        if accept is not None and not accept(low, start, end + 1):
            continue
        i = bisect_right(starts, start) - 1
        out.append(blocks[i])
        next_start = starts[i + 1] if i + 1 < len(starts) else len(low) + 1
    return out


# -- regex prefilter ---------------------------------------------------------------------------
# Most rule patterns cannot match unless one of a few strings occurs in the block ("book an
# appointment|schedule an appointment", ". ,|; ,", "{{").  required_literals() reads that set
# off the parsed pattern; the engine finds, in the same Aho-Corasick pass as the phrases,
# which blocks hold one, and runs the pattern only on those blocks.  The set is a necessary
# condition (never a guess): a pattern whose requirement is unclear is simply run everywhere.
#
# The strings come from runs of consecutive items whose possible spellings are few: literals,
# small character classes, optional or alternative pieces, and whitespace.  Blocks are
# normalised text, where every whitespace run is exactly one U+0020, so ``\s+`` spells " "
# and ``\s*`` spells "" or " ".  A run's spellings are the product of its items' (capped at
# _MAX_SPELLINGS); zero-width items (``\b``, ``^``, look-arounds) do not break a run.

_MAX_SPELLINGS = 2000
_ESCAPE = re.compile(r"\\.", re.S)                    # an escaped character (``\{`` is a brace)
_FUZZY = re.compile(r"\{[^}]*[eisd][^}]*\}")            # regex's fuzzy constraints: {e<=1}, {i,d}
_RE_FLAGS = None


def _re_flags():
    global _RE_FLAGS
    if _RE_FLAGS is None:
        import regex

        _RE_FLAGS = {
            "map": {regex.I: re.I, regex.M: re.M, regex.S: re.S, regex.X: re.X, regex.A: re.A, regex.U: re.U},
            "ignore": int(regex.V0),
        }
    return _RE_FLAGS


def _parse(pattern):
    """``pattern`` (a compiled ``regex`` pattern or a str) read by the standard library's
    parser, or None when ``re`` may not mean the same by it.

    ``regex`` flags are mapped onto ``re``'s; anything only ``regex`` has (V1, FULLCASE, WORD,
    BESTMATCH, POSIX...) gives None, and so do a pattern ``re`` cannot read and syntax whose
    meaning differs between the two (fuzzy matching, POSIX classes, nested sets: ``re`` reads
    ``{e<=1}`` as literal characters).
    """
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
        if flags & ~table["ignore"]:
            return None
        if "[[" in source or "[:" in source or _FUZZY.search(_ESCAPE.sub("_", source)):
            return None
        from re import _parser as sre_parse  # 3.11+: raises for anything re cannot read

        return sre_parse.parse(source, re_flags)
    except Exception:
        return None


def required_literals(pattern) -> frozenset[str] | None:
    """Lower-case strings at least one of which occurs in any match of ``pattern`` in normalised
    text, or None.

    ``pattern`` is a compiled ``regex`` pattern (or a str).  Sound by construction: the pattern
    is read with the standard library's parser, and anything whose meaning could differ
    between ``re`` and ``regex`` (fuzzy matching, POSIX classes, full case folding, version 1
    syntax), or that ``re`` cannot parse, gives None (see :func:`_parse`).  Characters are
    ASCII or caseless only: matched text is NFKC-normalised, so the only non-ASCII characters
    that case-fold onto ASCII letters (the Kelvin sign, the long s) never occur in it, and
    lower-casing both sides is exact.  A set is only used when every string in it is
    selective: three characters that are not all spaces, or two punctuation marks ("{{", ",,").
    """
    parsed = _parse(pattern)
    if parsed is None:
        return None
    try:
        req = _LiteralAnalysis().required(parsed)
    except Exception:
        return None
    return frozenset(req) if req else None


_ANCHORED: dict = {}


def start_anchored(pattern) -> bool:
    """True when every match of ``pattern`` starts at the start of the text (each alternative
    opens with ``^`` or ``\\A``, no multi-line flag): then one ``match()`` per block finds
    exactly what ``finditer()`` would, without trying every position.  Cached per pattern."""
    got = _ANCHORED.get(pattern)
    if got is None:
        got = _ANCHORED[pattern] = _start_anchored(pattern)
    return got


def _start_anchored(pattern) -> bool:
    from re import _constants as c

    parsed = _parse(pattern)
    if parsed is None or parsed.state.flags & re.M:
        return False

    def anchored(items) -> bool:
        if not items:
            return False
        op, av = items[0]
        if op is c.AT:
            return av in (c.AT_BEGINNING, c.AT_BEGINNING_STRING)
        if op is c.SUBPATTERN:
            return not (av[1] & re.M) and anchored(av[3])
        if op is c.BRANCH:
            return all(anchored(alt) for alt in av[1])
        return False

    return anchored(list(parsed))


_FIRST: dict = {}
_CATEGORY_SOURCE = None


def first_char_test(pattern):
    """For a start-anchored pattern: a test ``char -> bool`` that is False only when no
    non-empty match can begin with that character, or None when that is unknown.

    The characters a match can begin with are read off the parsed pattern (the first items
    that consume, through optional ones and alternatives, look-arounds ignored) and compiled
    into a one-character pattern with the original flags, so case-insensitivity means exactly
    what it means to the rule.  Answers are memoised per character: a block whose first
    character cannot start a match costs a dictionary lookup instead of a regex call.
    """
    got = _FIRST.get(pattern, False)
    if got is False:
        got = _FIRST[pattern] = _first_char_test(pattern)
    return got


def _first_char_test(pattern):
    global _CATEGORY_SOURCE
    from re import _constants as c

    import regex

    parsed = _parse(pattern)
    if parsed is None or parsed.state.flags & ~(re.I | re.U):
        return None
    if _CATEGORY_SOURCE is None:
        _CATEGORY_SOURCE = {c.CATEGORY_DIGIT: r"\d", c.CATEGORY_NOT_DIGIT: r"\D", c.CATEGORY_SPACE: r"\s",
                            c.CATEGORY_NOT_SPACE: r"\S", c.CATEGORY_WORD: r"\w", c.CATEGORY_NOT_WORD: r"\W"}

    def charset(items) -> str | None:
        parts, negate = [], False
        for op, av in items:
            if op is c.NEGATE:
                negate = True
            elif op is c.LITERAL:
                parts.append(regex.escape(chr(av)))
            elif op is c.RANGE:
                parts.append(f"{regex.escape(chr(av[0]))}-{regex.escape(chr(av[1]))}")
            elif op is c.CATEGORY and av in _CATEGORY_SOURCE:
                parts.append(_CATEGORY_SOURCE[av])
            else:
                return None
        return ("[^" if negate else "[") + "".join(parts) + "]"

    class Unknown(Exception):
        pass

    def first(items) -> tuple[list[str], bool]:
        """(one-character pieces a non-empty match may begin with, whether ``items`` can be empty)"""
        pieces: list[str] = []
        for op, av in items:
            if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
                continue                                  # zero-width: look further
            if op is c.LITERAL:
                pieces.append(regex.escape(chr(av)))
                return pieces, False
            if op is c.NOT_LITERAL:
                pieces.append(f"[^{regex.escape(chr(av))}]")
                return pieces, False
            if op is c.IN:
                piece = charset(av)
                if piece is None:
                    raise Unknown
                pieces.append(piece)
                return pieces, False
            if op is c.SUBPATTERN:
                if av[1] or av[2]:                        # scoped flags: not worth the care
                    raise Unknown
                sub, empty = first(av[3])
            elif op is c.ATOMIC_GROUP:
                sub, empty = first(av)
            elif op is c.BRANCH:
                sub, empty = [], False
                for alt in av[1]:
                    p, e = first(alt)
                    sub += p
                    empty = empty or e
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
                sub, empty = first(av[2])
                empty = empty or av[0] == 0
            else:
                raise Unknown                             # ANY, back-references ...
            pieces += sub
            if not empty:
                return pieces, False
        return pieces, True

    try:
        pieces, _ = first(list(parsed))
    except Unknown:
        return None
    if not pieces:
        return None
    test = regex.compile("|".join(pieces), int(pattern.flags))
    memo: dict[str, bool] = {}

    def can_start(ch: str) -> bool:
        ok = memo.get(ch)
        if ok is None:
            ok = memo[ch] = test.match(ch) is not None
        return ok

    return can_start


def _selective(s: str) -> bool:
    core = s.strip()
    if len(core) >= 3:
        return True
    return len(core) == 2 and not any(c.isalnum() for c in core)


def _char(code: int) -> str | None:
    ch = chr(code)
    if code < 128 or (ch.lower() == ch and ch.upper() == ch):
        return ch.lower()
    return None


def _minimal(strings: set[str]) -> set[str]:
    """Drop the strings that contain another one: the shorter one occurs whenever they do."""
    if len(strings) > 300:
        return strings
    ordered = sorted(strings, key=len)
    keep: list[str] = []
    for s in ordered:
        if not any(k in s for k in keep):
            keep.append(s)
    return set(keep)


class _LiteralAnalysis:
    """Reads necessary substrings off a pattern parsed by ``re._parser``."""

    def __init__(self):
        from re import _constants as c

        self.c = c
        self.repeats = (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT)
        self.zero_width = (c.AT, c.ASSERT, c.ASSERT_NOT)

    # exact spellings: every string an item can consume, or None when unknown or too many
    def exact(self, op, av) -> set[str] | None:
        c = self.c
        if op is c.LITERAL:
            ch = _char(av)
            return None if ch is None else {ch}
        if op is c.IN:
            return self._charset(av)
        if op in self.zero_width:
            return {""}
        if op is c.SUBPATTERN:
            return self.exact_seq(av[3])
        if op is c.ATOMIC_GROUP:
            return self.exact_seq(av)
        if op is c.BRANCH:
            out: set[str] = set()
            for alt in av[1]:
                e = self.exact_seq(alt)
                if e is None:
                    return None
                out |= e
            return out if len(out) <= _MAX_SPELLINGS else None
        if op in self.repeats:
            lo, hi, item = av
            e = self.exact_seq(item)
            if e is None:
                return None
            if e == {" "} and lo <= 1:          # normalised text: a whitespace run is one space
                return {" "} if lo == 1 else {"", " "}
            if hi > 3:
                return None
            out, power = set(), {""}
            for k in range(hi + 1):
                if k >= lo:
                    out |= power
                power = self._product(power, e)
                if power is None:
                    return None
            return out if len(out) <= _MAX_SPELLINGS else None
        return None

    def _charset(self, items) -> set[str] | None:
        c = self.c
        out: set[str] = set()
        for op, av in items:
            if op is c.LITERAL:
                ch = _char(av)
                if ch is None:
                    return None
                out.add(ch)
            elif op is c.RANGE:
                lo, hi = av
                if hi - lo > 64:
                    return None
                for code in range(lo, hi + 1):
                    ch = _char(code)
                    if ch is None:
                        return None
                    out.add(ch)
            elif op is c.CATEGORY and av is c.CATEGORY_SPACE:
                out.add(" ")
            else:                                # NEGATE, other categories (\d, \w ...)
                return None
        return out

    def exact_seq(self, items) -> set[str] | None:
        run: set[str] | None = {""}
        for op, av in items:
            e = self.exact(op, av)
            run = None if e is None else self._product(run, e)
            if run is None:
                return None
        return run

    @staticmethod
    def _product(a: set[str], b: set[str]) -> set[str] | None:
        if len(a) * len(b) > _MAX_SPELLINGS:
            return None
        return {x + y for x in a for y in b}

    # necessary substrings of a sequence: the best of its runs and of what its groups require
    def required(self, items) -> set[str] | None:
        c = self.c
        factors: list[set[str]] = []
        run: set[str] = {""}
        for op, av in items:
            e = self.exact(op, av)
            if e is not None:
                prod = self._product(run, e)
                if prod is None:                 # too many spellings: start a new run here
                    factors.append(run)
                    prod = e
                run = prod
                continue
            factors.append(run)
            run = {""}
            r = None
            if op is c.SUBPATTERN:
                r = self.required(av[3])
            elif op is c.ATOMIC_GROUP:
                r = self.required(av)
            elif op is c.BRANCH:
                alts = [self.required(alt) for alt in av[1]]
                if all(alts):
                    r = set().union(*alts)
            elif op in self.repeats:
                lo, _hi, item = av
                if lo >= 1:
                    e = self.exact_seq(item)
                    if e is not None:
                        # the first copy ends a run (kept as a factor), the last starts one
                        last = factors.pop()
                        factors.append(self._product(last, e) or last)
                        run = e
                    else:
                        r = self.required(item)
            if r:
                factors.append(r)
        factors.append(run)
        good = [_minimal(f) for f in factors if f and all(_selective(s) for s in f)]
        if not good:
            return None
        return max(good, key=lambda f: (min(len(s.strip()) for s in f), -len(f)))


class PrefilteredContext(Context):
    """A check Context whose :meth:`regex_hits` skips the blocks that hold none of the rule's
    required literals (its pattern cannot match there); otherwise exactly Context.regex_hits."""

    def __init__(self, doc, phrase_hits, candidates):
        super().__init__(doc, phrase_hits)
        self.candidates = candidates   # rule id -> block indices; absent: no prefilter

    def may_hold(self, rule, block) -> bool:
        cands = self.candidates.get(rule.id)
        return cands is None or block.index in cands

    def regex_hits(self, rule, pattern=None):
        pattern = pattern or rule.regex
        cands = self.candidates.get(rule.id) if pattern is not None and pattern is rule.regex else None
        if cands is None:
            yield from Context.regex_hits(self, rule, pattern)
            return
        blocks = self.doc.blocks
        yield from self.finditer_blocks(rule, pattern, (blocks[i] for i in sorted(cands)))  # document order
