"""``--format jsonl``: one schema-1 document object per line.

Why: a batch of a million pages cannot be one JSON array that a consumer
must hold in memory; JSON Lines streams, appends, and splits with ``head``,
``split`` or Spark's line reader.  Each line is exactly the object found in
``documents[]`` of ``--format json`` (docs/output-schema.md), compact, keys in
the same order; there is no envelope or summary line.
"""

from __future__ import annotations

import json

from audit.report.json_report import document


def render(cards, ctx=None) -> str:
    return "".join(json.dumps(document(c), ensure_ascii=False, separators=(",", ":")) + "\n" for c in cards)
