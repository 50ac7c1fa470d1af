"""CLI paths added for reviewers and CI: --format/--output, the step summary, test-rules, init."""

from __future__ import annotations

import json
import os
import stat
import xml.etree.ElementTree as ET

import pytest

from audit.report import FORMATS

from _support import CLEAN, SEEDS


@pytest.fixture
def pages(tmp_path):
    (tmp_path / "clean.txt").write_text(CLEAN, encoding="utf-8")
    (tmp_path / "bad.txt").write_text("Title\n\nHello {{name}}, click here.\n", encoding="utf-8")
    return tmp_path


def test_several_outputs_in_one_run(run, pages):
    (pages / "out").mkdir()
    args = ["check", "clean.txt", "bad.txt"]
    for fmt in FORMATS:
        args += ["--output", f"{fmt}:out/report.{fmt}"]
    result = run(*args)
    assert result.exit_code == 1
    assert "2 sources audited" in result.stdout            # stdout keeps --format (text)
    for fmt in FORMATS:
        assert (pages / "out" / f"report.{fmt}").stat().st_size > 0, fmt
    json.loads((pages / "out" / "report.sarif").read_text(encoding="utf-8"))
    ET.fromstring((pages / "out" / "report.junit").read_bytes())
    assert not [p for p in (pages / "out").iterdir() if p.name.startswith(".")], "temporary files left behind"
    # the file content equals what --format prints
    assert (pages / "out" / "report.line").read_text(encoding="utf-8") == run("check", "--format", "line",
                                                                               "clean.txt", "bad.txt").stdout


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_where_output_goes_never_changes_the_exit_code(run, pages, fmt):
    codes = {run("check", "--format", fmt, "bad.txt").exit_code,
             run("check", "--output", f"{fmt}:r.out", "bad.txt").exit_code,
             run("check", "--format", fmt, "--output", f"{fmt}:r2.out", "--output", "json:r3.out",
                 "bad.txt").exit_code}
    assert codes == {1}
    assert {run("check", "--format", fmt, "clean.txt").exit_code,
            run("check", "--output", f"{fmt}:r.out", "clean.txt").exit_code} == {0}
    assert run("check", "--output", f"{fmt}:r.out", "clean.txt", "missing.txt").exit_code == 3


@pytest.mark.parametrize("spec,message", [
    ("yaml:out.yaml", "unknown format 'yaml'"),
    ("out.sarif", "expected FORMAT:PATH"),
    ("sarif:", "give a file name"),
    ("sarif:-", "give a file name"),
    ("sarif:no/such/dir/out.sarif", "does not exist"),
    ("sarif:.", "is a directory"),
])
def test_bad_output_exits_2_before_auditing(run, pages, spec, message):
    result = run("check", "--output", spec, "bad.txt", "missing.txt")
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.stdout == "" and "missing.txt" not in result.stderr, "nothing may be audited"


def test_same_output_path_twice_exits_2(run, pages):
    result = run("check", "--output", "json:r.json", "--output", "sarif:r.json", "bad.txt")
    assert result.exit_code == 2 and "given twice" in result.stderr


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_directory_exits_2(run, pages):
    ro = pages / "ro"
    ro.mkdir()
    ro.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        result = run("check", "--output", "json:ro/r.json", "bad.txt")
        assert result.exit_code == 2 and "not writable" in result.stderr
    finally:
        ro.chmod(stat.S_IRWXU)


def test_unwritable_directory_check_uses_access(run, pages, monkeypatch):
    """Also as root: the up-front check asks os.access, so a read-only mount is caught."""
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if str(p).endswith("ro") else real(p, mode))
    (pages / "ro").mkdir()
    result = run("check", "--output", "json:ro/r.json", "bad.txt")
    assert result.exit_code == 2 and "not writable" in result.stderr
    result = run("check", "--write-baseline", "ro/b.json", "bad.txt")
    assert result.exit_code == 2 and "--write-baseline" in result.stderr


def test_unknown_format_exits_2(run, pages):
    result = run("check", "--format", "xml", "bad.txt")
    assert result.exit_code == 2 and "xml" in result.stderr


def test_atomic_write_keeps_the_old_report_on_failure(pages, monkeypatch):
    from audit.report import output

    target = pages / "r.json"
    target.write_text("old", encoding="utf-8")

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(output.os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        output.write_atomic(target, "new content")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in pages.iterdir() if p.name.startswith(".r.json")] == []


def test_write_failure_is_exit_2_with_a_message(run, pages, monkeypatch):
    from audit.report import output

    def full(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output.os, "replace", full)
    result = run("check", "--output", "json:r.json", "bad.txt")
    assert result.exit_code == 2 and "No space left on device" in result.stderr


def test_github_step_summary(run, pages):
    summary = pages / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    result = run("check", "--format", "github", "bad.txt", "clean.txt", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 1
    assert result.stdout.startswith("::")
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n")          # appended, never replaced
    assert "| Source | Score | Band | Result | Findings |" in text and "<details>" in text
    # only when the github format is used
    before = summary.read_text(encoding="utf-8")
    run("check", "--format", "json", "bad.txt", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert summary.read_text(encoding="utf-8") == before
    run("check", "--output", "github:ann.txt", "bad.txt", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert summary.read_text(encoding="utf-8") != before


def test_version_is_real_in_reports(run, pages):
    from audit import __version__

    sarif = json.loads(run("check", "--format", "sarif", "bad.txt").stdout)
    assert sarif["runs"][0]["tool"]["driver"]["version"] == __version__
    assert f"audit {__version__}" in run("check", "--format", "html", "bad.txt").stdout


def test_seeds_in_every_format_exit_1(run):
    for fmt in FORMATS:
        result = run("check", "--isolated", "--format", fmt, str(SEEDS))
        assert result.exit_code == 1, fmt
        assert result.stdout


# -- audit test-rules ------------------------------------------------------------------------------------
PACK = """[[rule]]
id = "House.Miracle"
category = "hype-claim"
level = "warning"
weight = 4
kind = "existence"
phrases = ["miracle cure"]
message = "Hype term '{match}'."
rationale = "Sensational language (HealthNewsReview criterion 10)."
examples.match = ["Intro.\\n\\nA miracle cure for pain."]
examples.no_match = ["Intro.\\n\\nNothing to see."]
"""


def _pack(tmp_path, fixture: str, subfolder: bool = True):
    pack = tmp_path / "house"
    (pack / "lexicons").mkdir(parents=True)
    (pack / "hype.toml").write_text(PACK, encoding="utf-8")
    (pack / "lexicons" / "extra.txt").write_text("# expect: House.Miracle\nnot a fixture\n", encoding="utf-8")
    (pack / "README.md").write_text("# My pack\n\nNo annotations here.\n", encoding="utf-8")
    where = pack / "fixtures" if subfolder else pack
    where.mkdir(exist_ok=True)
    (where / "hype.txt").write_text(fixture, encoding="utf-8")
    return pack


GOOD_FIXTURE = "Title\n\n# expect: House.Miracle\nA miracle cure for all.\n\n# ok: House.Miracle\nNo cure here.\n"


@pytest.mark.parametrize("subfolder", [True, False])
def test_test_rules_passes(run, tmp_path, subfolder):
    pack = _pack(tmp_path, GOOD_FIXTURE, subfolder)
    result = run("test-rules", str(pack))
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if line.startswith("House.Miracle"))
    assert row.split()[1:5] == ["1", "0", "0", "1"]            # TP FP FN TN
    assert "1 fixture file" in result.stdout and "all rules behave" in result.stdout


def test_test_rules_reports_misses_exit_1(run, tmp_path):
    fixture = "Title\n\n# expect: House.Miracle\nNo cure.\n\n# ok: House.Miracle\nA miracle cure.\n"
    result = run("test-rules", str(_pack(tmp_path, fixture)))
    assert result.exit_code == 1
    row = next(line for line in result.stdout.splitlines() if line.startswith("House.Miracle"))
    assert row.split()[1:5] == ["0", "1", "1", "0"]
    assert "expected House.Miracle, got nothing" in result.stdout and "marked ok" in result.stdout


def test_test_rules_failing_example_exit_1(run, tmp_path):
    pack = _pack(tmp_path, GOOD_FIXTURE)
    (pack / "hype.toml").write_text(PACK.replace("Nothing to see.", "Another miracle cure."), encoding="utf-8")
    result = run("test-rules", str(pack))
    assert result.exit_code == 1 and "should not be flagged" in result.stdout


def test_test_rules_broken_pack_exit_2(run, tmp_path):
    pack = _pack(tmp_path, GOOD_FIXTURE)
    (pack / "hype.toml").write_text(PACK.replace('kind = "existence"', 'kind = "telepathy"'), encoding="utf-8")
    result = run("test-rules", str(pack))
    assert result.exit_code == 2 and "hype.toml" in result.stderr and "House.Miracle" in result.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("test-rules", str(empty))
    assert result.exit_code == 2 and "no rules found" in result.stderr
    assert run("test-rules", str(tmp_path / "nope")).exit_code == 2


# -- audit init ---------------------------------------------------------------------------------------------
def test_init_writes_a_config_that_loads(run, tmp_path):
    from audit.config import load_settings

    result = run("init")
    assert result.exit_code == 0, result.output
    path = tmp_path / ".audit.toml"
    text = path.read_text(encoding="utf-8")
    assert text.count("#") > 20, "the starter is commented"
    settings = load_settings(str(path))
    assert settings.fail_under == 60 and settings.fail_on == "error"
    assert "fail-under = 60.0" in run("config").stdout and ".audit.toml" in run("config").stdout
    assert run("check", "--format", "json", "--output", "sarif:a.sarif", str(SEEDS)).exit_code == 1


def test_init_refuses_to_overwrite(run, tmp_path):
    (tmp_path / ".audit.toml").write_text("fail-under = 70\n", encoding="utf-8")
    result = run("init")
    assert result.exit_code == 2 and "--force" in result.stderr
    assert (tmp_path / ".audit.toml").read_text(encoding="utf-8") == "fail-under = 70\n"
    assert run("init", "--force").exit_code == 0
    assert "select" in (tmp_path / ".audit.toml").read_text(encoding="utf-8")
    assert run("init", "--path", "sub/x.toml").exit_code == 2


def test_meta_rules_are_listed_and_explained(run):
    assert "Audit.UnusedSuppression" in run("rules").stdout
    result = run("rule", "Audit.MalformedSuppression")
    assert result.exit_code == 0 and "weight 0" in result.stdout and "Why it matters" in result.stdout


def test_paths_are_relative_to_the_github_workspace(run, pages, monkeypatch):
    sub = pages / "site"
    sub.mkdir()
    (sub / "bad.txt").write_text("Title\n\nHello {{name}}.\n", encoding="utf-8")
    monkeypatch.chdir(sub)
    env = {"GITHUB_WORKSPACE": str(pages)}
    out = run("check", "--format", "github", "bad.txt", env=env).stdout
    assert "file=site/bad.txt," in out
    sarif = json.loads(run("check", "--format", "sarif", "bad.txt", env=env).stdout)
    assert sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "site/bad.txt"
    assert "file=bad.txt," in run("check", "--format", "github", "bad.txt").stdout
