"""The seeds' known problems (seeds/expected.json) are all reported, and nothing marked absent is.

For each expected finding: some finding of an allowed category whose line range overlaps the
lines of the evidence quote.  Each document-level category must be reported as a document-level
finding.  Each 'absent' quote must get no finding of that category on its lines.
"""

from __future__ import annotations

import json

import pytest

from audit.document.load import Input

from _support import SEEDS

EXPECTED = json.loads((SEEDS / "expected.json").read_text(encoding="utf-8"))


def _lines_of(text: str, quote: str) -> set[int]:
    start = text.find(quote)
    assert start >= 0, f"evidence not found in seed: {quote!r}"
    first = text.count("\n", 0, start) + 1
    return set(range(first, first + quote.count("\n") + 1))


@pytest.fixture(scope="module")
def cards(engine):
    out = {}
    for name in EXPECTED["documents"]:
        path = SEEDS / name
        out[name] = (path.read_text(encoding="utf-8"), engine.audit_input(Input(str(path), path=path)))
    return out


def _cases(kind):
    for name, spec in EXPECTED["documents"].items():
        for i, item in enumerate(spec[kind]):
            yield pytest.param(name, item, id=f"{name[:3]}-{kind}-{i}")


@pytest.mark.parametrize("name,item", list(_cases("findings")))
def test_expected_finding_is_reported(cards, name, item):
    text, card = cards[name]
    lines = _lines_of(text, item["evidence"])
    hits = [f for f in card.findings if f.category in item["categories"] and f.line is not None
            and set(range(f.line, (f.end_line or f.line) + 1)) & lines]
    assert hits, f"{name}: nothing in {item['categories']} on lines {sorted(lines)}: {item['evidence'][:70]!r}"


@pytest.mark.parametrize("name", list(EXPECTED["documents"]))
def test_document_level_categories(cards, name):
    _, card = cards[name]
    doc_cats = {f.category for f in card.findings if f.line is None}
    missing = set(EXPECTED["documents"][name]["document_findings"]) - doc_cats
    assert not missing, f"{name}: document-level categories not reported: {missing}"


@pytest.mark.parametrize("name,item", list(_cases("absent")))
def test_absent_is_not_reported(cards, name, item):
    text, card = cards[name]
    lines = _lines_of(text, item["evidence"])
    bad = [f for f in card.findings if f.category == item["category"] and f.line is not None
           and set(range(f.line, (f.end_line or f.line) + 1)) & lines]
    assert not bad, f"{name}: {item['category']} wrongly reported: {[f.message for f in bad]}"


def test_seeds_land_in_the_bottom_two_bands(cards):
    for name, (_, card) in cards.items():
        assert card.score < 40, (name, card.score, card.band)
