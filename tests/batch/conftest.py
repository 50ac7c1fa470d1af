"""Small corpora for the batch tests: HTML and text files, JSONL records, a WARC written with warcio."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PAGE = """<!DOCTYPE html>
<html><head><title>Stem cells for back pain {n}</title></head>
<body><article>
<h1>Stem cells for back pain {n}</h1>
<p>Stem cell therapy is a miracle cure that works for everyone, experts say.</p>
<p>Click here to book your free consultation today! Call now.</p>
<p>Page number {n} talks about discs, &amp; spines, and caf&eacute; visits.</p>
</article></body></html>
"""

CLEAN = """Exercise and back pain

By Jane Roe, RN. Published March 3, 2021.

Walking for thirty minutes a day reduced pain scores in a 2019 trial of 200 adults
(Smith et al., Spine Journal, https://doi.org/10.1000/xyz123).

References

1. Smith J. (2019). Walking and low back pain. Spine Journal. https://doi.org/10.1000/xyz123
"""


def write_pages(directory: Path, n: int, *, start: int = 0) -> list[str]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(start, start + n):
        p = directory / f"page{i:04d}.html"
        p.write_text(PAGE.format(n=i), encoding="utf-8")
        paths.append(str(p))
    return paths


def write_warc(path: Path, pages: list[tuple[str, str, str, str]]) -> Path:
    """pages: (uri, status line, content type, body); plus a request record and a warcinfo."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=str(path).endswith(".gz"))
        w.write_record(w.create_warcinfo_record(path.name, {"software": "audit tests"}))
        for uri, status, ctype, body in pages:
            req = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.org")], is_http_request=True)
            w.write_record(w.create_warc_record(uri, "request", http_headers=req))
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(uri, "response", payload=io.BytesIO(body.encode("utf-8")),
                                                http_headers=headers))
    return path


def read_jsonl(path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def run_audit(*args, cwd=None, timeout=120, **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "audit", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout, env=env, **kw)


@pytest.fixture
def pages(tmp_path) -> Path:
    d = tmp_path / "pages"
    write_pages(d, 6)
    (d / "clean.txt").write_text(CLEAN, encoding="utf-8")
    return d


@pytest.fixture
def invoke():
    """Run ``audit ARGS`` in-process (click's runner); returns (exit code, stdout, stderr)."""
    from click.testing import CliRunner

    from audit.cli import cli

    def run(*args):
        runner = CliRunner()
        result = runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return run
