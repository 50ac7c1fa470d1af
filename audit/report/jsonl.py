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


def encode_line(rec: dict) -> bytes:
    """One JSONL line (UTF-8, compact, newline-terminated).  A lone surrogate (text that came
    in as a JSON string) cannot be UTF-8: that record is written with ASCII escapes instead."""
    try:
        return (json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(rec, ensure_ascii=True, separators=(",", ":")) + "\n").encode("ascii")


def render(cards, ctx=None) -> str:
    return "".join(encode_line(document(c)).decode("utf-8") for c in cards)
