"""The command line through click's CliRunner: every exit code, the JSON contract."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from audit.model import CATEGORIES

from _support import CLEAN, ROOT, SEEDS


def test_seeds_fail_policy_with_exit_1(run):
    result = run("check", str(SEEDS))
    assert result.exit_code == 1, result.output
    for name in ("000_", "001_", "002_", "003_", "004_"):
        assert name in result.output
    assert "5 sources audited" in result.output


def test_clean_text_passes_with_exit_0(run, tmp_path):
    p = tmp_path / "clean.txt"
    p.write_text(CLEAN, encoding="utf-8")
    result = run("check", str(p))
    assert result.exit_code == 0, result.output
    assert "[pass]" in result.output


def test_exit_zero_and_fail_on_never(run):
    assert run("check", "--exit-zero", str(SEEDS)).exit_code == 0
    # with fail-on never and fail-under 0 nothing can fail
    assert run("check", "--fail-on", "never", "--fail-under", "0", str(SEEDS)).exit_code == 0


def test_fail_under_makes_a_clean_page_fail(run, tmp_path):
    p = tmp_path / "clean.txt"
    p.write_text(CLEAN, encoding="utf-8")
    assert run("check", "--fail-under", "100", str(p)).exit_code == 1


def test_missing_path_exit_3_others_still_audited(run, tmp_path):
    p = tmp_path / "clean.txt"
    p.write_text(CLEAN, encoding="utf-8")
    result = run("check", "--format", "json", str(p), str(tmp_path / "nope.txt"))
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert [d["error"] is None for d in data["documents"]] == [True, False]
    assert "nope.txt: no such file or directory" in data["documents"][1]["error"]
    assert "Traceback" not in result.output


@pytest.mark.parametrize("content,problem", [
    (b"", "empty file"),
    (b"\x00\x01\x02\x89PNG\r\n\x1a\n" * 50, "binary content"),
])
def test_bad_files_are_error_records(run, tmp_path, content, problem):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    good = tmp_path / "good.txt"
    good.write_text(CLEAN, encoding="utf-8")
    result = run("check", str(bad), str(good))
    assert result.exit_code == 3
    assert problem in result.stderr
    assert "good.txt  score" in result.stdout


def test_size_limit(run, tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("word " * 400, encoding="utf-8")
    result = run("check", "--max-size", "100", str(big))
    assert result.exit_code == 3
    assert "over the size limit" in result.stderr


def test_empty_directory_exit_3(run, tmp_path):
    (tmp_path / "empty").mkdir()
    result = run("check", str(tmp_path / "empty"))
    assert result.exit_code == 3
    assert "no files to audit" in result.stderr


def test_stdin(run):
    result = run("check", "--format", "json", "-", input=CLEAN)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["documents"][0]["source"] == "-"


def test_invalid_config_exit_2(run, tmp_path):
    cfg = tmp_path / "audit.toml"
    cfg.write_text("fail-under = 'high'\n", encoding="utf-8")
    result = run("check", str(SEEDS))
    assert result.exit_code == 2
    assert "fail-under" in result.stderr and "audit.toml" in result.stderr
    cfg.write_text("colour = true\n", encoding="utf-8")
    result = run("check", str(SEEDS))
    assert result.exit_code == 2
    assert "unknown setting 'colour'" in result.stderr


def test_broken_rule_pack_exit_2(run, tmp_path):
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "bad.toml").write_text(
        '[[rule]]\nid = "My.Bad"\ncategory = "hype-claim"\nlevel = "warning"\nweight = 1\n'
        'message = "m"\nrationale = "r"\nkind = "existence"\npatterns = ["(unclosed"]\n', encoding="utf-8")
    result = run("check", "--rules-path", str(pack), str(SEEDS))
    assert result.exit_code == 2
    assert "bad.toml" in result.stderr and "My.Bad" in result.stderr and "'patterns'" in result.stderr
    assert "Traceback" not in result.output


def test_usage_error_exit_2(run):
    assert run("check", "--format", "yaml", str(SEEDS)).exit_code == 2
    assert run("check").exit_code == 2


def test_select_and_ignore(run):
    out = json.loads(run("check", "--format", "json", "--select", "missing-date", str(SEEDS)).stdout)
    rules = {f["rule"] for d in out["documents"] for f in d["findings"]}
    assert rules == {"Date.Missing"}
    out = json.loads(run("check", "--format", "json", "--ignore", "Ad,Placeholder", str(SEEDS)).stdout)
    rules = {f["rule"] for d in out["documents"] for f in d["findings"]}
    assert rules and not any(r.startswith(("Ad.", "Placeholder.")) for r in rules)


def test_json_contract(run):
    result = run("check", "--format", "json", str(SEEDS))
    data = json.loads(result.stdout)
    assert data["schema"] == 1
    assert data["tool"]["name"] == "audit" and data["tool"]["version"]
    assert data["summary"]["documents"] == 5 and data["summary"]["errors"] == 0
    scores = []
    for doc in data["documents"]:
        assert set(doc) == {"source", "format", "score", "band", "categories", "signals", "findings", "error"}
        assert doc["format"] == "text" and doc["error"] is None
        assert 0 <= doc["score"] <= 100
        scores.append(doc["score"])
        assert set(doc["categories"]) == set(CATEGORIES)
        for cat in doc["categories"].values():
            assert set(cat) == {"score", "points_lost", "findings"}
        for sig in doc["signals"]:
            assert set(sig) == {"name", "points", "excerpt"}
        lost = 0.0
        for f in doc["findings"]:
            assert set(f) == {"rule", "category", "level", "message", "line", "column", "end_line",
                              "end_column", "excerpt", "suggestion", "points"}
            assert f["category"] in CATEGORIES and f["level"] in ("info", "warning", "error")
            if f["line"] is None:
                assert f["column"] is None and f["excerpt"] is None
            else:
                assert f["line"] >= 1 and f["column"] >= 1 and f["excerpt"]
            lost += f["points"]
        # the points of the findings add up to what the categories lost
        assert abs(lost - sum(c["points_lost"] for c in doc["categories"].values())) < 0.1
    assert abs(data["summary"]["mean_score"] - sum(scores) / 5) < 0.01


def test_json_excerpts_are_exact_source_text(run):
    data = json.loads(run("check", "--format", "json", str(SEEDS)).stdout)
    for doc in data["documents"]:
        lines = (ROOT / doc["source"]).read_text(encoding="utf-8").split("\n") if not doc["source"].startswith("/") \
            else open(doc["source"], encoding="utf-8").read().split("\n")
        for f in doc["findings"]:
            if f["line"] is not None and f["line"] == f["end_line"]:
                assert lines[f["line"] - 1][f["column"] - 1:f["end_column"] - 1] == f["excerpt"]


def test_rules_rule_config_version(run):
    out = run("rules").output
    assert "Placeholder.FillerLatin" in out and "placeholder-text" in out
    out = run("rule", "Placeholder.FillerLatin").output
    assert "Why it matters" in out and "Lorem ipsum" in out
    result = run("rule", "No.Such")
    assert result.exit_code == 2 and "unknown rule" in result.stderr
    assert run("--version").output.startswith("audit ")


def test_config_discovery_and_origin(run, tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.audit]\nfail-under = 75\n", encoding="utf-8")
    out = run("config").output
    assert "fail-under = 75.0" in out and "pyproject.toml" in out
    out = run("config", "--isolated").output
    assert "fail-under = 60" in out and "# default" in out


def test_setup_cfg_section_is_read(run, tmp_path):
    (tmp_path / "setup.cfg").write_text("[audit]\nignore = Ad, Placeholder\nfail-on = warning\n", encoding="utf-8")
    out = run("config").output
    assert "ignore = ['Ad', 'Placeholder']" in out and "fail-on = 'warning'" in out


def test_version_and_rules_do_not_import_heavy_modules():
    code = ("import sys; from audit.cli import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "bad = [m for m in ('lxml', 'lxml.etree', 'requests', 'bs4', 'tldextract') if m in sys.modules]\n"
            "print('HEAVY', bad)")
    for args in (["--version"], ["rules"]):
        out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT)
        assert "HEAVY []" in out.stdout, out.stdout + out.stderr


def test_rule_and_rules_see_the_same_house_rules(run, tmp_path):
    """A pack named by the project's config is listed by `audit rules` and shown by `audit rule`."""
    pack = tmp_path / "house"
    pack.mkdir()
    (pack / "house.toml").write_text(
        '[[rule]]\nid = "House.NoSynergy"\ncategory = "hype-claim"\nlevel = "info"\nweight = 1\n'
        'rationale = "Jargon."\nkind = "existence"\nmessage = "Jargon: {match}"\nphrases = ["synergy"]\n',
        encoding="utf-8")
    (tmp_path / ".audit.toml").write_text('rule-paths = ["house"]\n', encoding="utf-8")
    assert "House.NoSynergy" in run("rules").output
    shown = run("rule", "House.NoSynergy")
    assert shown.exit_code == 0 and "Jargon." in shown.output
