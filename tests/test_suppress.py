"""Suppression comments, per-domain ignores and baselines."""

from __future__ import annotations

import json

import pytest

from audit.config import Settings, apply
from audit.engine import Engine
from audit.fingerprint import card_fingerprints

TOKEN = "Placeholder.TemplateToken"


@pytest.fixture
def engine_with(ruleset):
    def make(**config):
        settings = Settings()
        if config:
            apply(settings, config, "test")
        return Engine(ruleset, settings)

    return make


def audit(engine, text, fmt="text", source="doc"):
    from audit.document.load import parse

    return engine.audit_document(parse(text, source=source, fmt=fmt))


def rules_of(findings):
    return [(f.rule, f.line) for f in findings if f.line is not None]


# -- comments ------------------------------------------------------------------------------------
def test_ignore_next_block_in_markdown(engine):
    card = audit(engine, "Title\n\n<!-- audit-ignore Placeholder.TemplateToken -- filled by the CMS -->\n"
                         "Hello {{name}}.\n\nBye {{name}}.\n", "markdown")
    assert rules_of(card.findings) == [(TOKEN, 6)]
    assert [(s.rule, s.line, s.kind, s.justification) for s in card.suppressed] == \
        [(TOKEN, 4, "inSource", "filled by the CMS")]
    assert card.suppressed[0].points == 0


def test_disable_enable_range_in_html_and_categories(engine):
    html = ("<html><body><h1>T</h1>\n<!-- audit-disable placeholder-text -->\n<p>A {{x}}.</p>\n<p>B {{y}}.</p>\n"
            "<!-- audit-enable -->\n<p>C {{z}}.</p></body></html>")
    card = audit(engine, html, "html")
    assert rules_of(card.findings) == [(TOKEN, 6)]
    assert sorted(s.line for s in card.suppressed) == [3, 4]


def test_disable_without_enable_runs_to_the_end(engine):
    card = audit(engine, "Title\n\n# audit-disable Placeholder\nA {{x}}.\n\nB {{y}}.\n")
    assert rules_of(card.findings) == [] and len(card.suppressed) == 2


def test_enable_with_ids_closes_only_those(engine):
    text = ("Title\n\n# audit-disable Placeholder.TemplateToken, Placeholder.DeadLinkText\nA {{x}}. Click here.\n"
            "# audit-enable Placeholder.TemplateToken\n\nB {{y}}. Click here.\n")
    card = audit(engine, text)
    assert rules_of(card.findings) == [(TOKEN, 7)]
    assert sorted(s.rule for s in card.suppressed) == ["Placeholder.DeadLinkText"] * 2 + [TOKEN]


def test_partly_reenabled_unused_code_is_reported_once(engine):
    text = ("Title\n\n# audit-disable Placeholder.TemplateToken, Ad.Label\nA {{x}}.\n"
            "# audit-enable Placeholder.TemplateToken\n\nB.\n")
    card = audit(engine, text)
    unused = [f for f in card.findings if f.rule == "Audit.UnusedSuppression"]
    assert len(unused) == 1 and "'Ad.Label'" in unused[0].message


def test_file_ignore_covers_document_level_findings(engine):
    card = audit(engine, "# audit-file-ignore missing-date, Authorship.Missing\nTitle\n\nA {{x}}.\n")
    assert {f.rule for f in card.findings} == {TOKEN}
    assert {s.rule for s in card.suppressed} == {"Date.Missing", "Authorship.Missing"}
    assert card.categories["missing-date"].points_lost == 0


def test_plain_text_directive_lines_are_not_audited(engine):
    card = audit(engine, "Title\n\n# audit-ignore Placeholder.TemplateToken\nA {{x}}.\n")
    assert not any("audit-ignore" in (f.excerpt or "") for f in card.findings if f.rule != "Audit.UnusedSuppression")
    assert [s.line for s in card.suppressed] == [4]


@pytest.mark.parametrize("comment,problem", [
    ("<!-- audit-ignore -->", "names no rule"),
    ("<!-- audit-ignore ALL -->", "ALL is not allowed"),
    ("<!-- audit-ignore Nope.Rule -->", "unknown rule or category 'Nope.Rule'"),
    ("<!-- audit-disabel Placeholder -->", "Unknown suppression directive 'audit-disabel'"),
    ("<!-- audit-enable -->", "no open 'audit-disable'"),
])
def test_malformed_suppressions_are_findings(engine, comment, problem):
    card = audit(engine, f"Title\n\n{comment}\nA {{{{x}}}}.\n", "markdown")
    meta = [f for f in card.findings if f.rule == "Audit.MalformedSuppression"]
    assert len(meta) == 1 and problem in meta[0].message, [f.message for f in meta]
    assert meta[0].line == 3 and meta[0].excerpt == comment and meta[0].points == 0
    assert meta[0].level == "warning"
    assert any(f.rule == TOKEN for f in card.findings), "a malformed comment silences nothing"


def test_unused_suppression_is_reported_with_the_rule_category(engine):
    card = audit(engine, "Title\n\n<!-- audit-ignore Ad.Label -->\nNothing to see.\n", "markdown")
    meta = [f for f in card.findings if f.rule == "Audit.UnusedSuppression"]
    assert len(meta) == 1 and "'Ad.Label'" in meta[0].message
    assert meta[0].category == "ad-interstitial" and meta[0].points == 0


def test_meta_findings_cost_nothing_but_can_fail_on_warning(engine_with):
    text = "Title\n\nBy Ann Lee. Published 3 March 2021.\n\n<!-- audit-ignore Ad.Label -->\nNothing to see.\n"
    quiet = audit(engine_with(), text, "markdown")
    strict = audit(engine_with(**{"fail-on": "warning"}), text, "markdown")
    assert quiet.score == strict.score
    assert any(f.rule == "Audit.UnusedSuppression" for f in strict.findings)
    assert strict.passed is False


def test_meta_rules_can_be_ignored_and_overridden(engine_with):
    text = "Title\n\n<!-- audit-ignore -->\nText.\n"
    assert not any(f.rule.startswith("Audit.") for f in audit(engine_with(ignore=["Audit"]), text, "markdown").findings)
    card = audit(engine_with(rules={"Audit.MalformedSuppression": {"level": "error"}}), text, "markdown")
    assert [f.level for f in card.findings if f.rule == "Audit.MalformedSuppression"] == ["error"]


def test_suppression_for_a_deselected_rule_is_not_unused(engine_with):
    card = audit(engine_with(ignore=["Ad"]), "Title\n\n<!-- audit-ignore Ad.Label -->\nText.\n", "markdown")
    assert not any(f.rule == "Audit.UnusedSuppression" for f in card.findings)


def test_fingerprints_do_not_change_when_a_sibling_is_suppressed(engine):
    plain = audit(engine, "Title\n\nA {{x}}.\n\nB {{x}}.\n")
    silenced = audit(engine, "Title\n\n# audit-ignore Placeholder.TemplateToken\nA {{x}}.\n\nB {{x}}.\n")
    fp = lambda c: sorted(v for f, v in ((f, card_fingerprints(c)[id(f)]) for f in c.findings + c.suppressed)
                          if f.rule == TOKEN)
    assert fp(plain) == fp(silenced)


# -- per-domain ignores -----------------------------------------------------------------------------
PAGE = ('<html><head><link rel="canonical" href="https://www.shop.example.co.uk/x"></head>'
        "<body><h1>T</h1><p>ADVERTISEMENT</p><p>Hello {{x}}.</p></body></html>")


def test_per_domain_ignores_by_canonical_url(engine_with):
    card = audit(engine_with(**{"per-domain-ignores": {"example.co.uk": ["placeholder-text"]}}), PAGE, "html")
    assert not any(f.category == "placeholder-text" for f in card.findings)
    other = audit(engine_with(**{"per-domain-ignores": {"example.com": ["placeholder-text"]}}), PAGE, "html")
    assert any(f.rule == TOKEN for f in other.findings)


def test_per_domain_ignores_by_url_source_and_subdomain_key(engine_with):
    eng = engine_with(**{"per-domain-ignores": {"blog.example.org": [TOKEN]}})
    page = "<html><body><h1>T</h1><p>Hello {{x}}.</p></body></html>"
    assert not any(f.rule == TOKEN for f in audit(eng, page, "html", source="https://blog.example.org/p").findings)
    assert any(f.rule == TOKEN for f in audit(eng, page, "html", source="https://www.example.org/p").findings)


def test_per_domain_ignores_config_validation():
    from audit.errors import ConfigError

    with pytest.raises(ConfigError, match="not a domain"):
        apply(Settings(), {"per-domain-ignores": {"https://example.com/x": ["Ad"]}}, "test")
    with pytest.raises(ConfigError, match="list of rule ids"):
        apply(Settings(), {"per-domain-ignores": {"example.com": "Ad"}}, "test")


# -- baseline through the CLI -------------------------------------------------------------------------
# ``run`` (tests/conftest.py): the CLI in an empty directory


DOC = "Title\n\nBy Ann Lee, published 3 March 2021.\n\nHello {{name}}.\n"


def test_baseline_round_trip_survives_line_shifts(run, tmp_path):
    page = tmp_path / "docs" / "page.txt"
    page.parent.mkdir()
    page.write_text(DOC, encoding="utf-8")
    assert run("check", "docs").exit_code == 1
    result = run("check", "--write-baseline", "audit-baseline.json", "docs")
    assert result.exit_code == 0 and "wrote" in result.stderr
    data = json.loads((tmp_path / "audit-baseline.json").read_text(encoding="utf-8"))
    assert data["audit-baseline"] == 1
    assert data["findings"] == sorted(data["findings"], key=lambda e: (e["source"], e["rule"], e["fingerprint"],
                                                                         e["excerpt"] or ""))
    assert {e["source"] for e in data["findings"]} == {"docs/page.txt"}
    # lines inserted above: the accepted finding still matches, the run passes
    page.write_text("Title\n\nBy Ann Lee, published 3 March 2021.\n\nA new paragraph.\n\nHello {{name}}.\n",
                    encoding="utf-8")
    result = run("check", "--baseline", "audit-baseline.json", "docs")
    assert result.exit_code == 0, result.output
    assert "suppressed" in result.stdout
    # a new finding fails
    page.write_text(page.read_text(encoding="utf-8") + "\nAnd {{other}}.\n", encoding="utf-8")
    result = run("check", "--baseline", "audit-baseline.json", "--format", "line", "docs")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"docs/page.txt:9:5: {TOKEN} [error] ") and "{{other}}" in lines[0]
    # SARIF keeps the accepted one as an external suppression
    sarif = json.loads(run("check", "--baseline", "audit-baseline.json", "--format", "sarif", "docs").stdout)
    kinds = [r["suppressions"][0]["kind"] for r in sarif["runs"][0]["results"] if "suppressions" in r]
    assert kinds == ["external"]


def test_baseline_paths_are_relative_to_the_baseline_file(run, tmp_path, monkeypatch):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "p.txt").write_text(DOC, encoding="utf-8")
    (tmp_path / "ci").mkdir()
    assert run("check", "--write-baseline", "ci/base.json", "site").exit_code == 0
    data = json.loads((tmp_path / "ci" / "base.json").read_text(encoding="utf-8"))
    assert {e["source"] for e in data["findings"]} == {"../site/p.txt"}
    monkeypatch.chdir(tmp_path / "site")
    assert run("check", "--baseline", "../ci/base.json", "p.txt").exit_code == 0


def test_baseline_from_config(run, tmp_path):
    (tmp_path / "p.txt").write_text(DOC, encoding="utf-8")
    run("check", "--write-baseline", "b.json", "p.txt")
    (tmp_path / ".audit.toml").write_text('baseline = "b.json"\n', encoding="utf-8")
    assert run("check", "p.txt").exit_code == 0


@pytest.mark.parametrize("content,message", [
    (None, "baseline file not found"),
    ("{not json", "not valid JSON"),
    ('{"findings": []}', "not an audit baseline"),
    ('{"audit-baseline": 1, "findings": [{"source": 1}]}', "needs 'source' and 'fingerprint'"),
])
def test_bad_baseline_exits_2_before_auditing(run, tmp_path, content, message):
    (tmp_path / "p.txt").write_text(DOC, encoding="utf-8")
    if content is not None:
        (tmp_path / "b.json").write_text(content, encoding="utf-8")
    result = run("check", "--baseline", "b.json", "p.txt")
    assert result.exit_code == 2 and message in result.stderr
    assert result.stdout == ""
