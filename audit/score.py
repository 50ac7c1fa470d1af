"""Findings and signals in, a 0-100 score, a band and per-category subscores out.

The model (documented in docs/scoring.md) in one paragraph: a source starts
from ``base`` points and earns positive signals (named author, credentials,
a date, authoritative references, a disclosure) up to 100.  Each finding
costs its rule's weight; repeated findings of one rule cost half as much
each time (the third "miracle" tells less than the first); each category's
loss is capped, so one noisy category cannot drown the rest.  Some categories
(filler text, invented experts, ad leftovers) put a ceiling on the score:
such a page cannot reach the top band whatever else it does well.
Everything is deterministic: same findings, same score.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from audit.model import CATEGORIES, CategoryScore, Finding, Signal

DEFAULT_CAPS = {
    "ad-interstitial": 20, "placeholder-text": 25, "fictional-expert": 25, "unnamed-expert": 12,
    "citation-mismatch": 15, "citation-missing": 15, "factual-slip": 20, "hype-claim": 15,
    "commercial-intent": 12, "missing-authorship": 10, "missing-date": 8,
}
DEFAULT_SIGNALS = {
    "named-author": 5.0, "author-credentials": 3.0, "dated": 4.0,
    "authoritative-references": 6.0, "disclosure": 2.0,
}
DEFAULT_CEILINGS = {"placeholder-text": 79, "fictional-expert": 79, "ad-interstitial": 79}
# (lowest score, name); the first band whose floor the score reaches wins.
DEFAULT_BANDS = [(80, "high credibility"), (60, "generally credible"), (40, "use with caution"),
                 (20, "low credibility"), (0, "not credible")]
CREDIBLE_THRESHOLD = 60


@dataclass
class ScoringModel:
    base: float = 80.0
    caps: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_CAPS))
    signals: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_SIGNALS))
    ceilings: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_CEILINGS))
    bands: list[tuple[float, str]] = field(default_factory=lambda: list(DEFAULT_BANDS))
    repeat_factor: float = 0.5

    def copy(self) -> "ScoringModel":
        return copy.deepcopy(self)

    def band(self, score: float) -> str:
        for floor, name in self.bands:
            if score >= floor:
                return name
        return self.bands[-1][1]


def score(findings: list[Finding], weights: dict[str, float], signals: list[Signal],
          model: ScoringModel):
    """Fill ``finding.points``; return ``(score, band, categories)``.

    ``weights`` maps rule id to its (possibly overridden) weight.
    """
    by_cat: dict[str, list[Finding]] = {c: [] for c in CATEGORIES}
    for f in findings:
        by_cat.setdefault(f.category, []).append(f)
    categories: dict[str, CategoryScore] = {}
    total_lost = 0.0
    ceiling = 100.0
    for cat, items in by_cat.items():
        seen: dict[str, int] = {}
        raw = []
        for f in items:
            k = seen.get(f.rule, 0)
            seen[f.rule] = k + 1
            raw.append(weights.get(f.rule, 0.0) * (model.repeat_factor ** k))
        lost = sum(raw)
        cap = float(model.caps.get(cat, 15))
        scale = cap / lost if lost > cap and lost > 0 else 1.0
        for f, pts in zip(items, raw):
            f.points = round(pts * scale, 2)
        lost = min(lost, cap)
        total_lost += lost
        if items and cat in model.ceilings:
            ceiling = min(ceiling, float(model.ceilings[cat]))
        sub = 100.0 if cap <= 0 else max(0.0, 100.0 * (1 - lost / cap))
        categories[cat] = CategoryScore(round(sub), round(lost, 2), len(items))
    bonus = min(sum(s.points for s in signals), 100.0 - model.base)
    value = max(0.0, min(100.0, model.base + bonus - total_lost, ceiling))
    final = int(round(value))
    return final, model.band(final), categories
