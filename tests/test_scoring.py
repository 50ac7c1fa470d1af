"""The scoring model keeps its spirit: evidence-backed pages rank high, template junk cannot."""

from __future__ import annotations

import json

from audit.config import Settings, apply
from audit.document.load import parse
from audit.engine import Engine

from _support import DATA, SEEDS


def test_clean_agency_page_reaches_top_band(engine):
    card = engine.audit_document(parse((DATA / "agency.html").read_text(encoding="utf-8"),
                                       source="agency.html", fmt="html"))
    assert card.band == "high credibility", (card.score, [f.rule for f in card.findings])
    names = {s.name for s in card.signals}
    assert {"named-author", "dated", "authoritative-references"} <= names
    assert card.passed


def test_template_junk_cannot_reach_top_band(engine):
    html = (DATA / "agency.html").read_text(encoding="utf-8").replace(
        "</article>", "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.</p></article>")
    card = engine.audit_document(parse(html, source="junk.html", fmt="html"))
    assert card.score < 80 and card.band != "high credibility"
    assert not card.passed       # an error-level finding fails the default policy


def test_every_seed_fails_the_default_policy(engine):
    from audit.document.load import Input

    for path in sorted(SEEDS.glob("*.txt")):
        card = engine.audit_input(Input(str(path), path=path))
        assert not card.passed, (path.name, card.score)


def test_points_follow_weights_caps_and_repeats(ruleset):
    doc = "Intro line here.\n\n" + "\n\n".join(["No thanks, take me back to the article."] * 6)
    settings = Settings()
    apply(settings, {"select": ["Ad.PromoPhrase"], "categories": {"ad-interstitial": {"cap": 12}}}, "test")
    card = Engine(ruleset, settings).audit_document(parse(doc, source="t", fmt="text"))
    pts = [f.points for f in card.findings]
    # two phrases per line (overlapping entries) -> repeated findings cost less, capped at 12 in total
    assert sum(pts) <= 12.01 and pts == sorted(pts, reverse=True)
    assert card.categories["ad-interstitial"].points_lost == 12


def test_rule_weight_override_changes_score(ruleset):
    text = "Intro line here.\n\nAdvertisement\n\nBody text follows here."
    base = Engine(ruleset, Settings()).audit_document(parse(text, source="t", fmt="text"))
    s = Settings()
    apply(s, {"rules": {"Ad.Label": {"weight": 0, "level": "info"}}}, "test")
    lighter = Engine(ruleset, s).audit_document(parse(text, source="t", fmt="text"))
    assert lighter.score > base.score
    assert next(f for f in lighter.findings if f.rule == "Ad.Label").level == "info"


def test_scoring_is_deterministic(engine):
    text = (SEEDS / "002_5e34a3c1b5c0183a.txt").read_text(encoding="utf-8")
    cards = [engine.audit_document(parse(text, source="s", fmt="text")) for _ in range(3)]
    assert len({json.dumps(c.to_json(), sort_keys=True) for c in cards}) == 1
