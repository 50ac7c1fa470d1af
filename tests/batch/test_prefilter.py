"""The regex prefilter (audit.matching.required_literals) never drops a real match."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import regex
from _support import CORPUS, SEEDS
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.config import Settings
from audit.document.decode import decode
from audit.document.load import parse
from audit.document.normalize import lower_same_length, normalize
from audit.engine import Engine
from audit.matching import required_literals


@pytest.mark.parametrize("pattern, expected", [
    (r"\b(?:book|schedule)\s+an appointment\b", {"book an appointment", "schedule an appointment"}),
    (r"(?:foo)?barbaz", {"barbaz"}),
    (r"(?:miracle|wonder)\s+(?:cure|drug)", {"miracle cure", "miracle drug", "wonder cure", "wonder drug"}),
    (r"(?<=\w)[.;]\s+[,;](?=\s|$)", {". ,", ". ;", "; ,", "; ;"}),   # whitespace is one space
    (r"(?<=\w),\s*,", {",,", ", ,"}),                                # two punctuation marks will do
    (r"\{\{\s*\w+\s*\}\}", {"{{"}),                                 # escaped braces are not fuzzy
    (r"colou?r", {"color", "colour"}),
    (r"[a-c]x\d", None),                                             # "ax": letters and too short
    (r"[a-c]xy\d", {"axy", "bxy", "cxy"}),
    (r"\d+ year[- ]old", {" year old", " year-old"}),
    (r"(?i)FUNDED", {"funded"}),
    (r"(?:abc)+x", {"abcx"}),
    (r"a|b", None),                          # too short to be worth it
    (r"(?:foo)*bar", {"bar"}),
    (r"(?:foo)*ba", None),
    (r"\w+ing", {"ing"}),
    (r"(?:foo){e<=1}", None),                # fuzzy matching: regex-only syntax
    (r"[[:alpha:]]+ment", None),             # POSIX class: regex-only syntax
    (r"\p{Lu}\w+ment", None),                # re cannot parse it
    (r"(?V1)[a-z--aeiou]+tion", None),
    (r"caf\u00e9 au lait", {" au lait"}),    # non-ASCII literals are not used
])
def test_required_literals(pattern, expected):
    got = required_literals(regex.compile(pattern, 0 if "(?V1)" in pattern else regex.V0))
    assert (None if got is None else set(got)) == expected


def test_full_case_folding_patterns_are_not_prefiltered():
    assert required_literals(regex.compile("strasse", regex.I | regex.F)) is None
    assert required_literals(regex.compile("strasse", regex.I)) == {"strasse"}


def _rules_with_prefilter():
    from audit.rulepack import load_rules

    out = []
    for rule in load_rules().rules:
        if rule.regex is not None:
            lits = required_literals(rule.regex)
            if lits:
                out.append((rule, lits))
    return out


RULES = _rules_with_prefilter()
NOISE = [" ", "  ", "\t", "\n", ".", ",", ";", ":", "!", "-", "'", '"', "\u2013", "{", "}", "%", "[", "|", "*", "_", "2", "10%", "$", "a", "the", "your", "you", "\u00e9", "\u00df",
         "K", "\u0130", "\u017f", "\u212a", "at", "an", "or", "not"]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_no_match_is_ever_dropped(data):
    """Texts built from pieces of the literals, case-mangled, glued with noise and normalised as
    block text is: whenever a rule's pattern matches, the lower-cased text holds one of its
    required literals."""
    if not RULES:
        pytest.skip("no prefiltered rules")
    rule, lits = data.draw(st.sampled_from(RULES))
    words = sorted(lits)
    pieces = st.one_of(st.sampled_from(words), st.sampled_from(NOISE),
                       st.sampled_from(words).map(str.upper), st.sampled_from(words).map(str.title),
                       st.sampled_from(words).map(lambda w: w[: max(1, len(w) - 1)]),
                       st.text(alphabet="abcdefghijklmnopqrstuvwxyz .,'-%$0123456789", max_size=8))
    text = normalize("".join(data.draw(st.lists(pieces, max_size=12))))   # what blocks hold
    if rule.regex.search(text) is not None:
        low = lower_same_length(text)          # what the automaton scans
        assert any(lit in low for lit in lits), (rule.id, text)


def _identical(docs):
    fast = Engine.__new__(Engine)
    Engine.__init__(fast, _ruleset(), Settings())
    slow_cls = type("NoPrefilter", (Engine,), {"prefilter": False})
    slow = slow_cls(_ruleset(), Settings())
    assert fast.index.required and not slow.index.required
    for doc in docs:
        a = [f.to_json() for f in fast.audit_document(doc).findings]
        b = [f.to_json() for f in slow.audit_document(doc).findings]
        assert a == b, doc.source


_RS = []


def _ruleset():
    if not _RS:
        from audit.rulepack import load_rules

        _RS.append(load_rules())
    return _RS[0]


def test_findings_identical_with_and_without_prefilter_on_seeds_and_fixtures():
    from audit.document.load import Input, load

    paths = sorted(SEEDS.glob("*.txt")) + sorted((Path(__file__).resolve().parents[1] / "fixtures").glob("*.*"))
    _identical([load(Input(str(p), path=p)) for p in paths])


def test_findings_identical_with_and_without_prefilter_on_the_corpus():
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent (the shared benchmark corpus)")
    files = random.Random(11).sample(sorted(CORPUS.glob("*.html")), 30)
    _identical([parse(decode(p.read_bytes(), name=p.name)[0], source=str(p), fmt="html") for p in files])


@pytest.mark.parametrize("pattern, anchored", [
    (r"^a", True), (r"(?:^a)|(?:^b)", True), (r"\Aa", True), (r"^a|b", False),
    (r"(?m)^a", False), (r"(?:(?m:^a))", False), (r"a^", False),
])
def test_start_anchored(pattern, anchored):
    from audit.matching import start_anchored

    assert start_anchored(regex.compile(pattern, regex.V0)) is anchored


@pytest.mark.parametrize("pattern, can, cannot", [
    (r"^a", "a", "bA "),
    (r"(?i)^a", "aA", "b "),
    (r"^(?:x|y)?b", "xyb", "a1 "),
    (r"(?i)^\W*(?:ad|sponsored)\W*$", " -»aSA", "tT2_é"),
    (r"^[^a]b", "bxy1", "a"),
    (r"^(?=x)y", "y", "x"),                  # look-aheads are ignored: a superset is fine
])
def test_first_char_test(pattern, can, cannot):
    from audit.matching import first_char_test

    test = first_char_test(regex.compile(pattern, regex.V0))
    assert all(test(c) for c in can) and not any(test(c) for c in cannot)


def test_first_char_test_gives_up_on_any_character():
    from audit.matching import first_char_test

    assert first_char_test(regex.compile(r"^.a", regex.V0)) is None
    assert first_char_test(regex.compile(r"^(?:.|x)", regex.V0)) is None
    assert first_char_test(regex.compile(r"^(?:ad){e<=1}", regex.V0)) is None      # fuzzy: regex-only
    assert first_char_test(regex.compile(r"^[[:alpha:]]", regex.V0)) is None       # POSIX class


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("aAsSpPdDtT -»\u00e9_2.:|") + ["Advertisement", "Sponsored", "ad", "offer"]),
                max_size=6).map("".join).map(normalize))
def test_first_char_test_never_drops_a_match(text):
    """For every start-anchored built-in rule: a block it matches starts with a character the
    test lets through."""
    from audit.matching import first_char_test, start_anchored

    for rule in _ruleset().rules:
        if rule.regex is None or not start_anchored(rule.regex):
            continue
        test = first_char_test(rule.regex)
        m = rule.regex.match(text)
        if m is not None and m.end() > m.start() and test is not None:
            assert test(text[0]), (rule.id, text)
