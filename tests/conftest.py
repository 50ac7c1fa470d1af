"""Shared fixtures: one compiled engine per session, paths to seeds and ../shared."""

from __future__ import annotations


import pytest

from _support import DATA, FIXTURES, HARNESS_COUNTS, ROOT, SEEDS, SHARED  # noqa: F401


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
def run(monkeypatch, tmp_path):
    """Invoke the CLI in an empty directory (no project config, no GitHub Actions variables)."""
    from click.testing import CliRunner

    from audit.cli import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)

    def invoke(*args, input=None, env=None):
        return CliRunner().invoke(cli, list(args), input=input, env=env, catch_exceptions=False)

    return invoke


@pytest.fixture
def audit_text(engine):
    """Audit a string (text, markdown or html) with the default rules; returns the Scorecard."""
    from audit.document.load import parse

    def run(text, fmt="text", source="<test>"):
        return engine.audit_document(parse(text, source=source, fmt=fmt))

    return run


def pytest_terminal_summary(terminalreporter):
    if not HARNESS_COUNTS:
        return
    tr = terminalreporter
    tr.section("rule fixtures: true/false positives/negatives per rule")
    tr.write_line(f"{'rule':<34} {'TP':>4} {'FP':>4} {'FN':>4} {'TN':>4}")
    for rid in sorted(HARNESS_COUNTS):
        tp, fp, fn, tn = HARNESS_COUNTS[rid]
        tr.write_line(f"{rid:<34} {tp:>4} {fp:>4} {fn:>4} {tn:>4}")
