"""Paths and the fixture-harness tally shared by the test modules.

A module of its own (not conftest.py): tests/*/conftest.py files also exist, and
"from conftest import ..." would pick whichever conftest pytest imported last.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "html"      # the shared benchmark corpus; tests skip without it
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


# A short credible text: byline with credentials, a date, a cited claim, a DOI reference.
CLEAN = """Knee Pain: What The Evidence Says

By Maria Lopez, MD, Department of Orthopaedics, Example University

Published March 3, 2021

Physiotherapy helps many people with knee pain, according to a 2020 Cochrane review [1].

References

1. Smith J, et al. Exercise for knee osteoarthritis. Cochrane Database Syst Rev. 2020;4:CD004376. https://doi.org/10.1002/14651858.CD004376
"""
