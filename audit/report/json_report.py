"""``--format json``: the schema-1 contract documented in docs/output-schema.md."""

from __future__ import annotations

import json

from audit import __version__

SCHEMA = 1


def summary(cards) -> dict:
    scored = [c.score for c in cards if c.score is not None]
    return {
        "documents": len(cards),
        "errors": sum(1 for c in cards if c.error),
        "mean_score": round(sum(scored) / len(scored), 2) if scored else None,
    }


def document(card) -> dict:
    return card.to_json()


def render(cards, ctx=None) -> str:
    payload = {
        "schema": SCHEMA,
        "tool": {"name": "audit", "version": ctx.version if ctx is not None else __version__},
        "documents": [document(c) for c in cards],
        "summary": summary(cards),
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def card_from_json(d: dict):
    """A Scorecard back from a schema-1 document object (tests and re-rendering saved runs).

    Accepts two optional keys this module never writes, ``passed`` and
    ``suppressed`` (findings with ``kind`` and ``justification``), so a
    saved run can carry what SARIF and the policy columns need.
    """
    from audit.model import CategoryScore, Finding, Scorecard, Signal, Suppressed

    fields = Finding.__dataclass_fields__
    card = Scorecard(
        d["source"], d.get("format"), d.get("score"), d.get("band"),
        {k: CategoryScore(**v) for k, v in (d.get("categories") or {}).items()},
        [Signal(**s) for s in d.get("signals") or []],
        [Finding(**{k: v for k, v in f.items() if k in fields}) for f in d.get("findings") or []],
        d.get("error"),
    )
    card.passed = d.get("passed", card.error is None and card.score is not None)
    card.suppressed = [Suppressed(**f) for f in d.get("suppressed") or []]
    return card
