"""Shared fixtures: one compiled engine per session, paths to seeds and ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DATA = Path(__file__).resolve().parent / "data"

_HARNESS_COUNTS: dict = {}


@pytest.fixture(scope="session")
def ruleset():
    from audit.rulepack import load_rules

    return load_rules()


@pytest.fixture(scope="session")
def engine(ruleset):
    from audit.config import Settings
    from audit.engine import Engine

    return Engine(ruleset, Settings())


@pytest.fixture
def audit_text(engine):
    """Audit a string (text, markdown or html) with the default rules; returns the Scorecard."""
    from audit.document.load import parse

    def run(text, fmt="text", source="<test>"):
        return engine.audit_document(parse(text, source=source, fmt=fmt))

    return run


def record_harness(counts: dict) -> None:
    for rid, c in counts.items():
        total = _HARNESS_COUNTS.setdefault(rid, [0, 0, 0, 0])
        total[0] += c.tp
        total[1] += c.fp
        total[2] += c.fn
        total[3] += c.tn


def pytest_terminal_summary(terminalreporter):
    if not _HARNESS_COUNTS:
        return
    tr = terminalreporter
    tr.section("rule fixtures: true/false positives/negatives per rule")
    tr.write_line(f"{'rule':<34} {'TP':>4} {'FP':>4} {'FN':>4} {'TN':>4}")
    for rid in sorted(_HARNESS_COUNTS):
        tp, fp, fn, tn = _HARNESS_COUNTS[rid]
        tr.write_line(f"{rid:<34} {tp:>4} {fp:>4} {fn:>4} {tn:>4}")
