"""The cheap tests that spare checks a regex scan never drop a match the regex would find.

Three gates are written by hand beside their patterns (``citations._may_claim`` for CLAIM,
``experts._TITLE_OR_CREDENTIAL`` for TITLED, ``Structure._may_cite`` for URL, DOI and years);
the others are read off the pattern (``matching.gate_strings``).  Each is checked on text built from the pattern's own words,
case-mangled and glued with noise, and on every block of the seeds, the fixtures and the
shared corpus: wherever the pattern matches, the gate must let the text through.
"""

from __future__ import annotations

import pytest
from _support import CORPUS, FIXTURES, SEEDS
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.checks.citations import CLAIM, _may_claim
from audit.checks.commercial import AFFILIATE, IMPARTIAL
from audit.checks.experts import _TITLE_OR_CREDENTIAL, TITLED
from audit.document.load import Input, load
from audit.document.normalize import normalize
from audit.matching import gate_strings

CLAIM_WORDS = (
    "in a one another this that recent new small large clinical study trial survey studies trials reports "
    "surveys report several many numerous multiple scientific published show shows showed have has shown "
    "found find suggest suggests suggested indicate indicates reported demonstrate demonstrated prove "
    "proved revealed research evidence data science confirm confirms emerging preliminary growing been "
    "clinically scientifically medically proven tested validated is are generally widely now considered "
    "regarded recognized recognised accepted known to be as safe effective reliable according the Mayo "
    "Harvard Clinic of and for on analysis review project percent per cent % patients people "
    "participants subjects users cases adults children women men out times more less likely 3 10 2.5 "
    "İn ıN ſtudies STUDIES Studies").split() + [
    # whole phrases of each branch, so that generated text matches often
    "3 in 10 patients", "2 out of 5 people", "40% of patients", "12 percent of adults", "2.5 times more likely",
    "studies show", "in a recent study", "has been shown to", "clinically proven", "have clinically proven",
    "is widely considered to be safe", "according to the Mayo Clinic study", "recent studies have found",
    "new evidence", "one trial found", "research has shown"]
TITLE_WORDS = ("Dr Dr. Doctor Prof Prof. Professor M.D. MD Ph.D. PhD D.O. DO MBBS FRCS DPhil Jane Smith "
               "A. John O'Neil Lopez-Garcia said , of the clinic").split()
NOISE = [" ", "  ", ".", ",", "\n", "-", "'", "(", ")", "2024", "a", "x"]


def _text(words):
    return st.lists(st.one_of(st.sampled_from(words), st.sampled_from(NOISE)), max_size=14).map(
        lambda parts: " ".join(parts))


CLAIM_BRANCHES = [                     # one example of each branch of CLAIM
    "It worked in a recent study of adults.", "Several clinical studies have shown it works.",
    "Studies show it works.", "Emerging evidence points that way.", "It has been clinically shown to help.",
    "The device is clinically proven.", "They have scientifically proven it.",
    "It is widely considered to be safe.", "According to the Mayo Clinic study it works.",
    "About 40% of patients improved.", "Nearly 3 in 10 patients improved.", "2 out of 5 people improved.",
    "Smokers are 2.5 times more likely to fall ill.", "ſtudies ſhow it works.", "İn a study it worked.",
]


@pytest.mark.parametrize("text", CLAIM_BRANCHES)
def test_may_claim_passes_each_branch(text):
    assert CLAIM.search(text), "the example no longer matches CLAIM: update it"
    assert _may_claim(text)


@pytest.mark.parametrize("text", ["Dr. Jane Smith said so.", "Professor John A. Lopez agreed.",
                                  "Jane Smith, MD, agreed.", "John O'Neil PhD agreed.", "Jane Smith, DPhil, agreed."])
def test_title_gate_passes_each_branch(text):
    assert TITLED.search(text) and _TITLE_OR_CREDENTIAL.search(text)


@settings(max_examples=400, deadline=None)
@given(_text(CLAIM_WORDS))
def test_may_claim_passes_every_claim(text):
    if CLAIM.search(text):
        assert _may_claim(text), text


@settings(max_examples=300, deadline=None)
@given(_text(TITLE_WORDS))
def test_title_gate_passes_every_titled_name(text):
    if TITLED.search(text):
        assert _TITLE_OR_CREDENTIAL.search(text), text


IMPARTIAL_WORDS = ("we are an independent and objective nonprofit non-profit not-for-profit entity organization "
                   "organisation network impartial unbiased scientific evidence-based information "
                   "no commercial interest ties do not sell accept advertising IMPARTIAL Unbiased").split()
AFFILIATE_PIECES = ["https://", "www.", "amazon.", "com", "co.uk", "/dp/", "?tag=", "amzn.to/", "&", "?",
                    "affid=", "aff_id=", "affiliate=", "partner_id=", "clickref=", "irclickid=",
                    "go.redirectingat.com", "shareasale.com", "AMAZON.", "x", "-20", "/"]


@settings(max_examples=300, deadline=None)
@given(_text(IMPARTIAL_WORDS))
def test_impartial_gate_passes_every_claim(text):
    text = normalize(text)
    if IMPARTIAL.search(text):
        low = text.lower()
        assert any(lit in low for lit in gate_strings(IMPARTIAL)), text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(AFFILIATE_PIECES), max_size=10).map("".join))
def test_affiliate_gate_passes_every_link(href):
    if AFFILIATE.search(href):
        low = href.lower()
        assert any(lit in low for lit in gate_strings(AFFILIATE)), href


def _real_blocks():
    paths = sorted(SEEDS.glob("*.*")) + sorted(FIXTURES.glob("*.*"))
    if CORPUS.is_dir():
        paths += sorted(CORPUS.glob("*.html"))
    for p in paths:
        if p.suffix in (".txt", ".md", ".html", ".htm"):
            yield from (b.text for b in load(Input(str(p), path=p)).blocks)


def test_hand_written_gates_pass_every_real_match():
    """On every block of the seeds, fixtures and (when present) the shared corpus."""
    checked = 0
    for text in _real_blocks():
        if CLAIM.search(text):
            checked += 1
            assert _may_claim(text), text
        if TITLED.search(text):
            checked += 1
            assert _TITLE_OR_CREDENTIAL.search(text), text
    if not checked:
        pytest.skip("no block matched either pattern")


def test_case_folds_apart_names_the_characters_lowercasing_hides():
    from audit.matching import case_folds_apart

    for text in ("\u017ftudies", "d\u0131et", "i\u0307n a study", "\u0130n"):
        assert case_folds_apart(text.lower()), text
    for text in ("plain text", "caf\u00e9 cr\u00e8me", "stra\u00dfe"):
        assert not case_folds_apart(text.lower()), text


def test_may_cite_strings_are_implied_by_the_patterns():
    """Every string URL, DOI or _YEAR requires (as gate_strings reads them) holds one of the
    strings Structure._may_cite tests, so its shortcut never drops a citation-like block."""
    from audit.document.structure import _YEAR, DOI, URL

    hand = ("19", "20", "10.", "http", "www.")
    for pattern in (URL, DOI, _YEAR):
        gates = gate_strings(pattern)
        assert gates, pattern.pattern
        assert all(any(h in g for h in hand) for g in gates), (pattern.pattern, gates)


def test_disclosure_search_keeps_matches_lowercasing_hides():
    """Structure.disclosure searches only blocks holding a gate string; a dotless i, which the
    case-insensitive pattern equates with "i" but lower-casing keeps, must not hide a disclosure."""
    from audit.document.load import parse

    for html in ("<p>Intro.</p><p>Our disclosure: none.</p>", "<p>Intro.</p><p>Our d\u0131sclosure: none.</p>"):
        doc = parse(html, source="t.html", fmt="html")         # the Structure holds it weakly
        assert doc.structure.disclosure is not None and doc.structure.disclosure[0] == 1, html
    doc = parse("<p>Nothing to declare here.</p>", source="t.html", fmt="html")
    assert doc.structure.disclosure is None
