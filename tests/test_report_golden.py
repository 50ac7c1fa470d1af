"""Golden tests: every output format, byte for byte, on the seeds.

Two layers, so a change to a rule pack does not break nine reporter goldens:

1. ``tests/golden/cards.json`` freezes the Scorecards of the five seeds, two
   documents with suppression comments (tests/golden/inputs/) and one unreadable
   input, plus the descriptors of the rules they use.  Each format is rendered
   from those cards and compared with ``tests/golden/seeds.<format>``.  The version
   is pinned to ``0.0.0-golden`` and the absolute root in SARIF is normalised.
2. End to end, ``audit check --format F seeds/`` through CliRunner must equal the
   reporter run on the JSON that the same CLI prints, for every format: the CLI
   wires the context (rules, policy, paths) the way the goldens assume.

Regenerate the rendered goldens after a deliberate change to a reporter::

    AUDIT_UPDATE_GOLDEN=1 python -m pytest tests/test_report_golden.py

and re-audit the frozen cards too (after rule changes you want reflected)::

    AUDIT_UPDATE_GOLDEN=all python -m pytest tests/test_report_golden.py

then review the diff of tests/golden/ like any other change.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from audit.cli import cli
from audit.report import FORMATS, ReportContext, context_for, render
from audit.report.common import root_uri
from audit.report.json_report import card_from_json

ROOT = Path(__file__).resolve().parent.parent     # the repository (not via conftest: a nested conftest may shadow it)

GOLDEN = Path(__file__).resolve().parent / "golden"
CARDS = GOLDEN / "cards.json"
UPDATE = os.environ.get("AUDIT_UPDATE_GOLDEN", "")
VERSION = "0.0.0-golden"
SUFFIX = {"text": "text.txt", "line": "line.txt", "json": "json", "jsonl": "jsonl", "sarif": "sarif",
          "github": "github.txt", "junit": "junit.xml", "markdown": "md", "html": "html"}
INPUTS = ["seeds", "tests/golden/inputs/owned.md", "tests/golden/inputs/owned.html",
          "tests/golden/inputs/missing.txt"]


def _rule_json(rule) -> dict:
    return {"category": rule.category, "level": rule.level, "weight": rule.weight, "message": rule.message,
            "rationale": rule.rationale, "suggestion": rule.suggestion, "criterion": rule.criterion}


def _freeze() -> None:
    """Audit the inputs for real and store the Scorecards and the rules they use."""
    from audit.config import Settings
    from audit.document.load import expand
    from audit.engine import Engine
    from audit.model import Scorecard
    from audit.rulepack import load_rules

    engine = Engine(load_rules(), Settings())
    errors: list = []
    cards = [engine.audit_input(i) for i in expand(INPUTS, errors=errors)]
    cards += [Scorecard(str(e).split(":", 1)[0], error=str(e)) for e in errors]
    rules = engine.ruleset.by_id()
    used = sorted({f.rule for c in cards for f in c.findings + c.suppressed if f.rule in rules})
    payload = {
        "about": "Frozen Scorecards for the reporter goldens; regenerate with AUDIT_UPDATE_GOLDEN=all.",
        "rules": {rid: _rule_json(rules[rid]) for rid in used},
        "cards": [dict(c.to_json(), passed=c.passed,
                       suppressed=[dataclasses.asdict(s) for s in c.suppressed]) for c in cards],
    }
    CARDS.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _frozen():
    from audit.rulepack import Rule

    data = json.loads(CARDS.read_text(encoding="utf-8"))
    rules = {rid: Rule(rid, r["category"], r["level"], r["weight"], r["message"], r["rationale"], "existence", {},
                       suggestion=r["suggestion"], criterion=r["criterion"]) for rid, r in data["rules"].items()}
    return [card_from_json(c) for c in data["cards"]], rules


@pytest.fixture(scope="module")
def frozen():
    old = Path.cwd()
    os.chdir(ROOT)          # sources in the frozen cards are relative to the repository
    try:
        if UPDATE == "all" or not CARDS.exists():
            _freeze()
        yield _frozen()
    finally:
        os.chdir(old)


def _normalise(text: str) -> str:
    return text.replace(root_uri(ROOT), "file:///project/")


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_golden(fmt, frozen, monkeypatch):
    monkeypatch.chdir(ROOT)
    cards, rules = frozen
    ctx = ReportContext(version=VERSION, rules=rules, root=ROOT, fail_under=60, fail_on="error",
                        information_uri="https://example.invalid/audit")
    got = _normalise(render(fmt, cards, context=ctx))
    path = GOLDEN / f"seeds.{SUFFIX[fmt]}"
    if UPDATE or not path.exists():
        path.write_text(got, encoding="utf-8", newline="")
    want = path.read_text(encoding="utf-8")
    assert got == want, f"{path.name} differs; if the change is intended, rerun with AUDIT_UPDATE_GOLDEN=1"


def test_goldens_cover_every_format():
    assert set(SUFFIX) == set(FORMATS)


def test_golden_inputs_exercise_suppression_and_errors(frozen):
    cards, _ = frozen
    kinds = {getattr(s, "kind", None) for c in cards for s in c.suppressed}
    assert "inSource" in kinds
    rules = {f.rule for c in cards for f in c.findings}
    assert {"Audit.MalformedSuppression", "Audit.UnusedSuppression"} <= rules
    assert any(c.error for c in cards)
    assert sum(1 for c in cards if c.source.startswith("seeds/")) == 5


@pytest.fixture(scope="module")
def cli_seeds():
    """The seeds audited once through the CLI as JSON, and the context the CLI would use."""
    from audit.config import Settings
    from audit.engine import Engine
    from audit.rulepack import load_rules

    old = Path.cwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(cli, ["check", "--isolated", "--format", "json", "seeds"])
        assert result.exit_code == 1, result.output
        engine = Engine(load_rules(), Settings())
        cards = []
        for d in json.loads(result.stdout)["documents"]:
            card = card_from_json(d)
            card.passed = engine.passes(card)
            cards.append(card)
        yield cards, context_for(engine, root=ROOT)
    finally:
        os.chdir(old)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_cli_output_matches_reporter(fmt, cli_seeds, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    cards, ctx = cli_seeds
    result = CliRunner().invoke(cli, ["check", "--isolated", "--no-color", "--format", fmt, "seeds"])
    assert result.exit_code == 1, result.output     # every seed fails; the format never changes that
    assert result.stdout == render(fmt, cards, context=ctx)
