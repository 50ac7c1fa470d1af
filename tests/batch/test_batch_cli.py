"""``audit batch`` end to end: inputs of every kind, outputs, aggregates, exit codes."""

from __future__ import annotations

import csv
import gzip
import json
import subprocess
import sys

import pytest

from conftest import CLEAN, PAGE, ROOT, read_jsonl, write_warc

SCHEMA_KEYS = {"source", "format", "score", "band", "categories", "signals", "findings", "error"}


def test_directory_to_jsonl_matches_audit_check(invoke, pages, tmp_path):
    out = tmp_path / "out.jsonl"
    code, _, err = invoke("batch", pages, "--out", out, "--jobs", 2, "--chunk-size", 2, "-q")
    assert code == 1, err                   # the stem-cell pages fail the policy
    records = read_jsonl(out)
    assert len(records) == 7 and all(set(r) == SCHEMA_KEYS for r in records)
    # the same objects 'audit check --format json' prints
    code, stdout, _ = invoke("check", pages, "--format", "json")
    expected = {d["source"]: d for d in json.loads(stdout)["documents"]}
    assert {r["source"]: r for r in records} == expected


def test_every_input_form(invoke, tmp_path, pages):
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "a.md").write_text("# Title\n\nSome words about back pain.\n", encoding="utf-8")
    (tmp_path / "list.txt").write_text(f"# comment\n{tmp_path / 'more' / 'a.md'}\n\n", encoding="utf-8")
    recs = tmp_path / "recs.jsonl"
    recs.write_text("\n".join([
        json.dumps({"url": "https://www.bbc.co.uk/news/health", "html": PAGE.format(n=1)}),
        json.dumps({"source": "draft-7", "text": CLEAN}),
        "",
        "{not json",
        json.dumps({"url": "https://example.org/none"}),
    ]) + "\n", encoding="utf-8")
    with gzip.open(tmp_path / "more.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"url": "https://gz.example.com/p", "html": PAGE.format(n=2)}) + "\n")
    warc = write_warc(tmp_path / "crawl.warc.gz", [
        ("https://www.example.com/a", "200 OK", "text/html; charset=utf-8", PAGE.format(n=3)),
        ("https://www.example.com/b.txt", "200 OK", "text/plain", CLEAN),
        ("https://www.example.com/logo.png", "200 OK", "image/png", "\x89PNG"),
        ("https://www.example.com/gone", "404 Not Found", "text/html", "<p>gone</p>"),
    ])
    out = tmp_path / "out.jsonl"
    code, _, err = invoke("batch", str(pages / "*.html"), f"@{tmp_path / 'list.txt'}", recs,
                          tmp_path / "more.jsonl.gz", warc, tmp_path / "missing.html",
                          "--out", out, "--jobs", 1, "--summary", tmp_path / "s.json")
    assert code == 3, err                  # bad JSON line, record without content, missing file
    by_source = {r["source"]: r for r in read_jsonl(out)}
    assert len(by_source) == 6 + 1 + 4 + 1 + 2 + 1
    assert by_source["https://www.bbc.co.uk/news/health"]["format"] == "html"
    assert by_source["draft-7"]["format"] == "text" and by_source["draft-7"]["score"] is not None
    assert by_source[f"{recs}:4"]["error"] == (f"{recs}:4: not a JSON object "
                                              "(Expecting property name enclosed in double quotes at column 2)")
    assert "no \"html\" or \"text\"" in by_source["https://example.org/none"]["error"]
    assert by_source["https://gz.example.com/p"]["score"] is not None
    assert by_source["https://www.example.com/a"]["format"] == "html"
    assert by_source["https://www.example.com/b.txt"]["format"] == "text"
    assert "https://www.example.com/logo.png" not in by_source and "https://www.example.com/gone" not in by_source
    assert "no such file" in by_source[str(tmp_path / "missing.html")]["error"]
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["run"]["skipped_inputs"] == {"blank lines": 1, "not HTML or text": 1, "non-2xx responses": 1}
    domains = {d["domain"]: d["documents"] for d in summary["domains"]}
    assert domains == {"example.com": 3, "example.org": 1, "bbc.co.uk": 1, "(no domain)": 10}
    assert "documents" in err or "audited" in err           # a summary table and a tally were printed
    # each error record is also one line on stderr, naming the input and the problem
    errors = [line for line in err.splitlines() if line.startswith("audit batch: error: ")]
    assert errors and len(errors) == sum(1 for r in by_source.values() if r["error"])
    assert f"audit batch: error: {tmp_path / 'missing.html'}: no such file or directory" in errors


def test_errors_on_stderr_even_when_quiet_up_to_a_limit(invoke, tmp_path):
    from audit.batch.progress import MAX_ERROR_LINES

    listed = tmp_path / "list.txt"
    listed.write_text("".join(f"{tmp_path / f'gone-{i}.html'}\n" for i in range(MAX_ERROR_LINES + 5)))
    out = tmp_path / "out.jsonl"
    code, _, err = invoke("batch", f"@{listed}", "--out", out, "--jobs", 0, "-q")
    assert code == 3
    assert len(read_jsonl(out)) == MAX_ERROR_LINES + 5        # every error is in the output
    lines = err.splitlines()
    assert len(lines) == MAX_ERROR_LINES + 1                   # -q: errors only, then one pointer
    assert lines[0] == f"audit batch: error: {tmp_path / 'gone-0.html'}: no such file or directory"
    assert lines[-1] == f'audit batch: more errors are not shown here: each one is a record with "error" in {out}'


def test_summary_and_csv(invoke, pages, tmp_path):
    out, s, c = tmp_path / "o.jsonl", tmp_path / "s.json", tmp_path / "o.csv"
    code, stdout, _ = invoke("batch", pages, "--out", out, "--summary", s, "--csv", c, "--jobs", 1)
    records = read_jsonl(out)
    summary = json.loads(s.read_text())
    assert summary["documents"] == 7 and summary["errors"] == 0
    assert sum(b["documents"] for b in summary["score_histogram"]) == 7
    assert summary["failed"] == 6 and summary["passed"] == 1
    assert summary["mean_score"] == round(sum(r["score"] for r in records) / 7, 2)
    top = summary["rules"][0]
    assert top["findings"] == sum(1 for r in records for f in r["findings"] if f["rule"] == top["rule"])
    hype = summary["categories"]["hype-claim"]
    assert hype["documents"] == sum(1 for r in records if r["categories"]["hype-claim"]["findings"])
    assert summary["run"]["audited"] == 7 and summary["run"]["peak_worker_rss_mb"] > 0
    assert "score histogram" in stdout and "top rules" in stdout and "domain" in stdout
    rows = list(csv.DictReader(c.open(encoding="utf-8")))
    assert [r["source"] for r in rows] == [r["source"] for r in records]
    first = rows[0]
    rec = records[0]
    assert first["score"] == str(rec["score"]) and first["findings"] == str(len(rec["findings"]))
    assert first["hype-claim"] == str(rec["categories"]["hype-claim"]["findings"])


def test_summary_replaced_whole_not_rewritten_in_place(invoke, pages, tmp_path):
    """A reader of the summary sees the previous file or the whole new one, never a torn one:
    the new summary goes to a temporary file renamed over the old (a hard link to the old
    file keeps the old content; a write in place would have changed it too)."""
    out, s = tmp_path / "o.jsonl", tmp_path / "s.json"
    s.write_text('{"old": true}\n', encoding="utf-8")
    keep = tmp_path / "old-link.json"
    keep.hardlink_to(s)
    invoke("batch", pages, "--out", out, "--summary", s, "--jobs", 0, "-q")
    assert json.loads(keep.read_text()) == {"old": True}
    assert json.loads(s.read_text())["documents"] == 7
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]   # none left behind


def test_exit_codes(invoke, tmp_path, pages):
    clean = tmp_path / "clean.txt"
    clean.write_text(CLEAN, encoding="utf-8")
    out = tmp_path / "o.jsonl"
    assert invoke("batch", clean, "--out", out, "-q", "--jobs", 0)[0] == 0
    assert invoke("batch", pages, "--out", out, "-q", "--jobs", 0)[0] == 1
    assert invoke("batch", pages, "--out", out, "-q", "--jobs", 0, "--exit-zero")[0] == 0
    (tmp_path / "bin.html").write_bytes(b"\x00\x01\x02" * 100)
    code, _, _ = invoke("batch", clean, tmp_path / "bin.html", "--out", out, "-q", "--jobs", 0, "--exit-zero")
    assert code == 3
    assert "binary" in read_jsonl(out)[1]["error"]
    assert invoke("batch", clean, "--out", "-", "--resume")[0] == 2
    assert invoke("batch", clean, "--out", out, "--scheduler", "tcp://x:1")[0] == 2
    assert invoke("batch", clean, "--out", tmp_path / "no" / "such" / "dir.jsonl")[0] == 2
    assert invoke("batch", clean, "--out", out, "--summary", tmp_path / "no" / "s.json")[0] == 2
    bad = tmp_path / "rules"
    bad.mkdir()
    (bad / "x.toml").write_text("[[rule]]\nid = 'bad'\n", encoding="utf-8")
    assert invoke("batch", clean, "--out", out, "--rules-path", bad)[0] == 2


def test_stdout_output_and_stdin_records(tmp_path):
    lines = json.dumps({"url": "https://a.example.org/x", "html": PAGE.format(n=9)}) + "\n"
    proc = subprocess.run([sys.executable, "-m", "audit", "batch", "-", "--jobs", "1", "-q"], input=lines,
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 1, proc.stderr
    [rec] = [json.loads(x) for x in proc.stdout.splitlines()]
    assert rec["source"] == "https://a.example.org/x" and rec["score"] is not None


def test_progress_lines_when_not_a_terminal(invoke, pages, tmp_path):
    code, _, err = invoke("batch", pages, "--out", tmp_path / "o.jsonl", "--jobs", 1, "--chunk-size", 1,
                          "--progress-interval", 0.05)
    assert "audit batch: 7 audited" in err
    code, _, err = invoke("batch", pages, "--out", tmp_path / "o.jsonl", "--jobs", 1, "-q")
    assert err == ""


def test_duplicate_sources_are_audited_once(invoke, tmp_path):
    recs = tmp_path / "r.jsonl"
    rec = json.dumps({"url": "https://dup.example.org/", "text": CLEAN})
    recs.write_text(rec + "\n" + rec + "\n", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    code, _, err = invoke("batch", recs, "--out", out, "--jobs", 0)
    assert code == 0 and len(read_jsonl(out)) == 1 and "1 duplicate sources" in err


@pytest.mark.parametrize("jobs", [0, 2])
def test_unexpected_exception_is_an_error_record(invoke, pages, tmp_path, monkeypatch, jobs):
    """A bug in one document costs one record, named, never the batch (pool workers are forked,
    so they inherit the patch)."""
    from audit.engine import Engine

    real = Engine.audit_document

    def boom(self, doc):
        if doc.source.endswith("page0003.html"):
            raise ValueError("synthetic failure")
        return real(self, doc)

    monkeypatch.setattr(Engine, "audit_document", boom)
    out = tmp_path / "o.jsonl"
    code, _, _ = invoke("batch", pages, "--out", out, "--jobs", jobs, "-q")
    assert code == 3
    recs = {r["source"].rsplit("/", 1)[-1]: r for r in read_jsonl(out)}
    assert len(recs) == 7
    assert recs["page0003.html"]["error"].endswith("internal error while auditing: ValueError: synthetic failure")
    assert all(r["error"] is None for k, r in recs.items() if k != "page0003.html")


def test_worker_crash_loses_only_the_crashing_document(invoke, pages, tmp_path, monkeypatch):
    import os

    from audit.batch import worker

    real = worker._scorecard

    def crash(engine, item, max_size):
        if item.source.endswith("page0002.html"):
            os._exit(9)                      # the worker dies as if segfaulted or OOM-killed
        return real(engine, item, max_size)

    monkeypatch.setattr(worker, "_scorecard", crash)
    out = tmp_path / "o.jsonl"
    code, _, err = invoke("batch", pages, "--out", out, "--jobs", 2, "--chunk-size", 2)
    assert code == 3
    recs = {r["source"].rsplit("/", 1)[-1]: r for r in read_jsonl(out)}
    assert len(recs) == 7
    assert "worker process died" in recs["page0002.html"]["error"]
    assert all(r["error"] is None for k, r in recs.items() if k != "page0002.html")
    assert "a worker process died" in err


def test_document_time_limit(invoke, pages, tmp_path, monkeypatch):
    import time

    from audit.engine import Engine

    real = Engine.audit_document

    def slow(self, doc):
        if doc.source.endswith("page0001.html"):
            time.sleep(5)
        return real(self, doc)

    monkeypatch.setattr(Engine, "audit_document", slow)
    out = tmp_path / "o.jsonl"
    started = time.monotonic()
    code, _, _ = invoke("batch", pages, "--out", out, "--jobs", 1, "--timeout", 0.3, "-q")
    assert time.monotonic() - started < 4
    recs = {r["source"].rsplit("/", 1)[-1]: r for r in read_jsonl(out)}
    assert code == 3 and "gave up after 0.3 s" in recs["page0001.html"]["error"]
