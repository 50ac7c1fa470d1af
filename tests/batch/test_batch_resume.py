"""Nothing lost: SIGKILL + --resume, Ctrl-C, torn last lines, bounded work in flight."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from conftest import ROOT, write_pages

N = 160


def _big_pages(directory, n):
    """Pages heavy enough (~15 KB) that a run takes about a second on two workers."""
    paths = write_pages(directory, n)
    filler = "<p>Our clinic offers stem cell therapy for back pain, knee pain and more. " * 30 + "</p>\n"
    for p in paths:
        with open(p, "a", encoding="utf-8") as fh:
            fh.write(filler * 6)
    return paths


def _start(args, cwd):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "audit", "batch", *map(str, args)], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _lines(path) -> int:
    try:
        with open(path, "rb") as fh:
            return fh.read().count(b"\n")
    except FileNotFoundError:
        return 0


def _wait_for(path, n, proc, limit=60.0):
    deadline = time.monotonic() + limit
    while _lines(path) < n:
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline, "no progress"
        time.sleep(0.005)


def _check_complete(out, pages):
    raw = out.read_bytes()
    assert raw.endswith(b"\n")
    records = [json.loads(line) for line in raw.splitlines()]      # every line whole JSON
    sources = [r["source"] for r in records]
    assert sorted(sources) == sorted(pages)                         # exactly one per source
    assert all(r["error"] is None for r in records)


def test_sigkill_then_resume_gives_exactly_one_record_per_source(tmp_path):
    pages = _big_pages(tmp_path / "pages", N)
    out = tmp_path / "out.jsonl"
    proc = _start([tmp_path / "pages", "--out", out, "--jobs", 2, "--chunk-size", 1, "-q"], tmp_path)
    try:
        _wait_for(out, 10, proc)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)       # the whole group: parent and workers, no cleanup
        proc.wait()
    written = _lines(out)
    assert 10 <= written < N, "the run finished before it could be killed"
    with open(out, "ab") as fh:                    # a write torn by the kill
        fh.write(b'{"source": "' + pages[-1].encode() + b'", "format": "ht')
    proc = subprocess.run([sys.executable, "-m", "audit", "batch", str(tmp_path / "pages"), "--out", str(out),
                           "--resume", "--jobs", "2", "--summary", str(tmp_path / "s.json"),
                           "--csv", str(tmp_path / "r.csv")], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert proc.returncode == 1, proc.stderr       # the pages fail the policy; nothing unreadable
    assert "resuming:" in proc.stderr and "cut a partial last line" in proc.stderr
    _check_complete(out, pages)
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["documents"] == N                       # aggregates cover the resumed records too
    rows = (tmp_path / "r.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == N + 1                              # and so does the CSV (header + one row each)
    assert summary["run"]["resumed"] >= written - 1 and summary["run"]["audited"] == N - summary["run"]["resumed"]


def test_ctrl_c_stops_cleanly_and_resume_finishes(tmp_path):
    pages = _big_pages(tmp_path / "pages", N)
    out = tmp_path / "out.jsonl"
    proc = _start([tmp_path / "pages", "--out", out, "--jobs", 2, "--chunk-size", 1, "-q"], tmp_path)
    _wait_for(out, 10, proc)
    os.killpg(proc.pid, signal.SIGINT)             # what a terminal sends on Ctrl-C
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    raw = out.read_bytes()
    assert raw.endswith(b"\n") and all(json.loads(x) for x in raw.splitlines())
    assert _lines(out) < N
    code = subprocess.run([sys.executable, "-m", "audit", "batch", str(tmp_path / "pages"), "--out", str(out),
                           "--resume", "--jobs", "2", "-q"], cwd=tmp_path, timeout=120,
                          env=dict(os.environ, PYTHONPATH=str(ROOT))).returncode
    assert code == 1
    _check_complete(out, pages)


def test_resume_repairs_a_torn_last_line_and_bad_lines(invoke, tmp_path):
    pages = write_pages(tmp_path / "p", 4)
    out = tmp_path / "o.jsonl"
    invoke("batch", tmp_path / "p", "--out", out, "--jobs", 0, "-q")
    lines = out.read_bytes().splitlines(keepends=True)
    out.write_bytes(lines[0] + b"garbage that is not json\n" + lines[1] + lines[2][:20])
    code, _, err = invoke("batch", tmp_path / "p", "--out", out, "--jobs", 0, "--resume")
    assert code == 1
    assert "resuming: 2 records" in err and "dropped 1 unreadable lines" in err
    _check_complete_small = [json.loads(x) for x in out.read_bytes().splitlines()]
    assert sorted(r["source"] for r in _check_complete_small) == sorted(pages)
    # resuming a finished run does nothing and keeps the verdict
    before = out.read_bytes()
    code, _, err = invoke("batch", tmp_path / "p", "--out", out, "--jobs", 0, "--resume")
    assert code == 1 and out.read_bytes() == before and "4 already done" in err


def test_work_in_flight_is_bounded(tmp_path):
    """The runner pulls at most ``window * chunk`` documents ahead of what it has written."""
    from audit.batch.local import LocalRunner
    from audit.batch.sources import Item
    from audit.batch.worker import Spec

    paths = write_pages(tmp_path / "p", 60)
    pulled = 0
    emitted = 0
    ahead = []

    def items():
        nonlocal pulled
        for p in paths:
            pulled += 1
            ahead.append(pulled - emitted)
            yield Item(p, path=p)

    def emit(line, stats):
        nonlocal emitted
        emitted += 1

    runner = LocalRunner(Spec(), jobs=2, chunk_size=2, window=3)
    runner.run(items(), emit)
    assert emitted == 60
    assert max(ahead) <= 3 * 2 + 2      # window * chunk, plus the chunk being filled
    assert runner.peak_rss_kib > 0
