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


def render(cards) -> str:
    payload = {
        "schema": SCHEMA,
        "tool": {"name": "audit", "version": __version__},
        "documents": [document(c) for c in cards],
        "summary": summary(cards),
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
