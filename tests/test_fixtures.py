"""Every annotated fixture, and every rule's own examples, behave as annotated."""

from __future__ import annotations

import pytest

from audit.fixtures import check_examples, collect, run_fixture

from _support import FIXTURES, record_harness

FILES = collect(FIXTURES)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_fixture(path, engine):
    result = run_fixture(path, engine)
    record_harness(result.counts)
    assert result.counts, f"{path} annotates no rule"
    assert result.ok, "\n".join(result.problems)


def test_every_rule_has_positive_and_negative_examples(ruleset):
    missing = [r.id for r in ruleset.rules if not r.examples.get("match") or not r.examples.get("no_match")]
    assert not missing, f"rules without both a positive and a negative example: {missing}"


def test_rule_examples_behave(engine):
    problems = [p for rule in engine.rules for p in check_examples(rule, engine)]
    assert not problems, "\n".join(problems)


def test_every_positioned_rule_has_a_fixture(engine):
    """Rules that report positions must appear in at least one annotated fixture file."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in FILES)
    positional = [r.id for r in engine.rules if r.kind != "presence"
                  and not r.params.get("params", {}).get("network")]   # online checks: tests/web
    missing = [rid for rid in positional if rid not in text]
    assert not missing, f"rules with no annotated fixture: {missing}"
