"""Paths and the fixture-harness tally shared by the test modules.

A module of its own (not conftest.py): tests/*/conftest.py files also exist, and
"from conftest import ..." would pick whichever conftest pytest imported last.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DATA = Path(__file__).resolve().parent / "data"

HARNESS_COUNTS: dict = {}


def record_harness(counts: dict) -> None:
    for rid, c in counts.items():
        total = HARNESS_COUNTS.setdefault(rid, [0, 0, 0, 0])
        total[0] += c.tp
        total[1] += c.fp
        total[2] += c.fn
        total[3] += c.tn
