"""What each output format promises: schema validity, escaping, stable fingerprints."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from audit.fingerprint import KEY, card_fingerprints, fingerprint
from audit.model import CategoryScore, Finding, Scorecard, Suppressed
from audit.report import ReportContext, render
from audit.report.github import escape_data, escape_property

SCHEMA_DIR = Path(__file__).parents[2] / "shared" / "schemas"
SCHEMA = SCHEMA_DIR / "sarif-schema-2.1.0.json"

HOSTILE = 'a <script>alert("x")</script> & 100%, 50%: |pipe| @bob #12\r\nnext'


def card(source="docs/page.md", findings=None, suppressed=None, passed=False, score=41, error=None):
    if error:
        c = Scorecard(source, error=error)
        c.passed = False
        return c
    cats = {"hype-claim": CategoryScore(60, 6.0, 1), "missing-date": CategoryScore(0, 8.0, 1)}
    c = Scorecard(source, "markdown", score, "use with caution", cats, [], findings or [])
    c.passed = passed
    c.suppressed = suppressed or []
    return c


def finding(rule="Hype.Superlative", line=3, excerpt="the best", level="warning", message="Superlative claim."):
    if line is None:
        return Finding(rule, "missing-date", level, message, points=8.0)
    return Finding(rule, "hype-claim", level, message, line, 5, line, 5 + len(excerpt), excerpt,
                   "Say what the evidence shows.", 6.0)


def ctx(root):
    return ReportContext(version="9.9.9", root=root, fail_under=60, fail_on="error")


# -- SARIF -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sarif_validator():
    if not SCHEMA.is_file():
        pytest.skip(f"SARIF schema not found at {SCHEMA} (the shared/schemas folder is absent)")
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _sarif_cards():
    doc_level = finding("Date.Missing", line=None, message="No date.")
    sup_in = Suppressed.of(finding("Ad.Label", 7, "ADVERTISEMENT"), "inSource", "sponsor box")
    sup_ext = Suppressed.of(finding("Hype.RedFlagTerm", 9, "miracle", level="info"), "external", "baseline b.json")
    return [
        card("docs/page.md", [doc_level, finding(excerpt=HOSTILE), finding(line=12)], [sup_in, sup_ext]),
        card("docs/other page.md", [finding(line=1, level="error")], passed=False),
        card("https://example.com/a", [finding(line=2, level="info")], passed=True, score=90),
        card("docs/missing.md", error="docs/missing.md: no such file or directory"),
    ]


def test_sarif_validates_against_the_official_schema(sarif_validator, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = json.loads(render("sarif", _sarif_cards(), context=ctx(tmp_path)))
    errors = sorted(sarif_validator.iter_errors(out), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_sarif_seeds_through_the_cli_validate(sarif_validator, monkeypatch):
    from click.testing import CliRunner

    from audit.cli import cli
    ROOT = Path(__file__).resolve().parent.parent

    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, ["check", "--isolated", "--format", "sarif", "seeds"])
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert not list(sarif_validator.iter_errors(out))
    assert out["runs"][0]["results"]


def test_sarif_driver_rules_results_and_locations(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = json.loads(render("sarif", _sarif_cards(), context=ctx(tmp_path)))
    run = out["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "audit" and driver["version"] == "9.9.9" and driver["informationUri"]
    ids = [r["id"] for r in driver["rules"]]
    assert ids == sorted(set(ids)), "rule descriptors must be unique"
    for r in driver["rules"]:
        assert r["fullDescription"]["text"] and r["help"]["text"] and r["properties"]["category"]
        assert r["defaultConfiguration"]["level"] in ("error", "warning", "note")
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file://")
    levels = set()
    for res in run["results"]:
        assert ids[res["ruleIndex"]] == res["ruleId"]
        levels.add(res["level"])
        loc = res["locations"][0]["physicalLocation"]
        art = loc["artifactLocation"]
        if art["uri"].startswith("https://"):
            assert "uriBaseId" not in art
        else:
            assert art["uriBaseId"] == "%SRCROOT%" and not art["uri"].startswith("/")
        if res["ruleId"] == "Date.Missing":
            assert "region" not in loc, "document-level findings have only an artifactLocation"
        else:
            assert {"startLine", "startColumn", "endLine", "endColumn", "snippet"} <= set(loc["region"])
        assert re.fullmatch(r"[0-9a-f]{32}", res["partialFingerprints"][KEY])
    assert levels == {"error", "warning", "note"}
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert "docs/other%20page.md" in uris
    kinds = {r["suppressions"][0]["kind"]: r for r in run["results"] if "suppressions" in r}
    assert set(kinds) == {"inSource", "external"}
    assert kinds["inSource"]["suppressions"][0]["justification"] == "sponsor box"
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert len(notes) == 1 and "no such file" in notes[0]["message"]["text"]
    assert run["columnKind"] == "unicodeCodePoints"


def test_fingerprints_survive_line_shifts_and_tell_repeats_apart(audit_text):
    text = "Title\n\nRead this. Click here. Click here.\n\n{{name}} and {{name}} again.\n"
    before = audit_text(text, source="a.txt")
    after = audit_text("Title\n\nA new first paragraph.\n\nAnother one.\n\n" + text.split("\n\n", 1)[1],
                       source="a.txt")
    assert sum(1 for f in before.findings if f.line) == 4
    fp_before = sorted(card_fingerprints(before).values())
    fp_after = sorted(card_fingerprints(after).values())
    assert [f.line for f in before.findings if f.line] != [f.line for f in after.findings if f.line]
    assert fp_before == fp_after
    assert len(set(fp_before)) == len(fp_before)
    # whitespace and case in the excerpt do not matter; the occurrence index does
    assert fingerprint("R.X", "The  Best", 0) == fingerprint("R.X", "the best", 0) != fingerprint("R.X", "the best", 1)


# -- GitHub ----------------------------------------------------------------------------------------
def test_github_escaping():
    assert escape_data("100%\r\nx") == "100%25%0D%0Ax"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_annotations(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    f = finding(message=HOSTILE, level="info")
    out = render("github", [card("dir/a,b:c.md", [f, finding("Date.Missing", line=None, level="error", message="No date.")])],
                 context=ctx(tmp_path))
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("::notice file=dir/a%2Cb%3Ac.md,line=3,col=5,endLine=3,endColumn=")
    assert ",title=Hype.Superlative::" in lines[0]
    assert "\r" not in out and "100%25, 50%25" in lines[0] and "%0D%0Anext" in lines[0]
    assert lines[1] == "::error file=dir/a%2Cb%3Ac.md,title=Date.Missing::No date. (-8 points, missing-date)"


# -- line, jsonl, junit, markdown ----------------------------------------------------------------
def test_line_format(tmp_path):
    out = render("line", [card("p.md", [finding("Date.Missing", line=None, message="No date."), finding(message="Two\nlines")]),
                          card("bad.txt", error="bad.txt: empty file")], context=ctx(tmp_path))
    assert out.splitlines() == [
        "p.md:1:1: Date.Missing [warning] No date. (document)",
        "p.md:3:5: Hype.Superlative [warning] Two lines",
        "bad.txt:1:1: Audit.InputError [error] bad.txt: empty file",
    ]
    pattern = re.compile(r"^[^:]+:\d+:\d+: [A-Z][\w.]+ \[(info|warning|error)\] .+$")
    assert all(pattern.match(line) for line in out.splitlines())


def test_jsonl_is_one_schema1_document_per_line(tmp_path):
    cards = _sarif_cards()
    lines = render("jsonl", cards, context=ctx(tmp_path)).splitlines()
    full = json.loads(render("json", cards, context=ctx(tmp_path)))
    assert [json.loads(line) for line in lines] == full["documents"]


def test_json_is_unchanged_by_suppressions(tmp_path):
    """Schema 1 stays byte-compatible: suppressed findings are not a field of it."""
    cards = _sarif_cards()
    doc = json.loads(render("json", cards, context=ctx(tmp_path)))["documents"][0]
    assert set(doc) == {"source", "format", "score", "band", "categories", "signals", "findings", "error"}


def test_junit(tmp_path):
    cards = [card("ok.md", [finding()], passed=True, score=85),
             card("bad.md", [finding(excerpt="x\x01y", message="ctl \x01 char")]),
             card("gone.md", error="gone.md: no such file or directory")]
    root = ET.fromstring(render("junit", cards, context=ctx(tmp_path)).encode("utf-8"))
    assert root.tag == "testsuites" and root.get("tests") == "3"
    suite = root.find("testsuite")
    assert (suite.get("failures"), suite.get("errors")) == ("1", "1")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert all(c.get("classname") == "audit" for c in cases.values())
    assert list(cases["ok.md"]) == []
    fail = cases["bad.md"].find("failure")
    assert "score 41/100" in fail.get("message") and "bad.md:3:5: Hype.Superlative" in fail.text
    assert "\ufffd" in fail.text
    assert "no such file" in cases["gone.md"].find("error").get("message")


def test_markdown_is_safe_and_collapsible(tmp_path):
    f = finding(excerpt="@alice | <img src=x onerror=alert(1)>", message="Mention @alice #7 <b>bold</b> | pipe")
    out = render("markdown", [card("a.md", [f]), card("b.md", [], passed=True, score=90)], context=ctx(tmp_path))
    assert "| Source | Score | Band | Result | Findings |" in out
    assert out.index("a.md") < out.index("b.md"), "failing sources first"
    assert "<details>" in out and "</details>" in out
    assert "@alice" not in out and "<img" not in out and "<b>" not in out
    for row in [r for r in out.splitlines() if r.startswith("| 3:5")]:
        assert row.count("|") - row.count("\\|") == 7, row     # the cell pipes stay escaped


def test_markdown_stays_under_the_comment_limit(tmp_path):
    many = [card(f"src/page-{i:04}.md", [finding(line=n, excerpt="x" * 60) for n in range(1, 30)]) for i in range(400)]
    out = render("markdown", many, context=ctx(tmp_path))
    assert len(out) < 65_536
    assert "more sources" in out


def test_text_footer_counts_suppressed(tmp_path):
    out = render("text", _sarif_cards(), context=ctx(tmp_path))
    assert out.rstrip().endswith("2 suppressed")


def test_html_escapes_everything_and_loads_nothing(tmp_path):
    f = finding(excerpt=HOSTILE, message=HOSTILE)
    out = render("html", [card('x"><script>alert(1)</script>.md', [f])], context=ctx(tmp_path))
    assert "<script>alert" not in out
    assert out.count("<script>") == 1         # the report's own script
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?(?:https?:)?//""", out, re.I)
    assert "url(" not in out and "@import" not in out
    assert "default-src 'none'" in out
