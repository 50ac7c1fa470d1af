"""What the engine produces: Findings, Signals and the Scorecard.

Reporters only read these objects; they are plain dataclasses so they pickle
(for process pools and Dask) and serialise to the JSON contract (schema 1).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

CATEGORIES = (
    "ad-interstitial",
    "placeholder-text",
    "fictional-expert",
    "unnamed-expert",
    "citation-mismatch",
    "citation-missing",
    "factual-slip",
    "hype-claim",
    "commercial-intent",
    "missing-authorship",
    "missing-date",
)
LEVELS = ("info", "warning", "error")
LEVEL_RANK = {name: i for i, name in enumerate(LEVELS)}


@dataclass(slots=True)
class Finding:
    rule: str
    category: str
    level: str
    message: str
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    excerpt: str | None = None
    suggestion: str | None = None
    points: float = 0.0

    def sort_key(self):
        return (self.line or 0, self.column or 0, self.rule, self.message)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(slots=True)
class Suppressed(Finding):
    """A finding hidden by an in-source directive or by the baseline.

    It costs no points and does not count for the policy, but it is kept on
    the Scorecard so SARIF can show it as a suppressed result (reviewers see
    what was silenced, and by what).  ``kind`` is SARIF's suppression kind:
    ``inSource`` (an ``audit-disable`` / ``audit-ignore`` comment) or
    ``external`` (the ``--baseline`` file).
    """

    kind: str = "inSource"
    justification: str | None = None

    @classmethod
    def of(cls, f: Finding, kind: str, justification: str | None = None) -> "Suppressed":
        return cls(f.rule, f.category, f.level, f.message, f.line, f.column, f.end_line, f.end_column,
                   f.excerpt, f.suggestion, 0.0, kind, justification)


@dataclass(slots=True)
class Signal:
    """A positive credibility signal that earned points (named author, date, sources...)."""

    name: str
    points: float
    excerpt: str | None = None

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(slots=True)
class CategoryScore:
    score: float
    points_lost: float
    findings: int

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Scorecard:
    """One audited source: score, band, subscores, signals, findings; or an error."""

    source: str
    format: str | None = None
    score: int | None = None
    band: str | None = None
    categories: dict[str, CategoryScore] = field(default_factory=dict)
    signals: list[Signal] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    passed: bool | None = None   # policy verdict, set by the engine from the settings
    fetch: dict | None = None    # for URL sources: final_url, status, content_type
    # findings hidden by suppression comments or the baseline (not in the schema-1 JSON)
    suppressed: list[Finding] = field(default_factory=list)
    rule_errors: list[str] = field(default_factory=list)   # a check that crashed (a plugin bug), per rule

    def to_json(self) -> dict:
        return {
            "source": self.source,
            "format": self.format,
            "score": self.score,
            "band": self.band,
            "categories": {k: v.to_json() for k, v in self.categories.items()},
            "signals": [s.to_json() for s in self.signals],
            "findings": [f.to_json() for f in self.findings],
            "error": self.error,
        } | ({"fetch": self.fetch} if self.fetch else {})
