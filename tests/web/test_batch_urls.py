"""`audit batch` with URL inputs: fetched by the workers, errors as records, SSRF rules apply."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from audit.cli import cli

PAGE = (b"<html><head><title>Knee pain</title><meta name='author' content='Ana Ruiz'>"
        b"<meta property='article:published_time' content='2024-01-01'></head>"
        b"<body><article><p>Physiotherapy helps many people with knee pain.</p></article></body></html>")


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        status, body = (200, PAGE) if self.path == "/page.html" else (404, b"gone")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def site():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _records(text):
    return {r["source"]: r for r in map(json.loads, text.splitlines())}


def test_batch_fetches_urls_from_arguments_and_lists(site, tmp_path):
    listing = tmp_path / "urls.txt"
    listing.write_text(f"{site}/gone.html\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["batch", "--isolated", "--quiet", "--jobs", "1", "--allow-private",
                                      "--out", str(out), f"{site}/page.html", f"@{listing}"])
    assert result.exit_code == 3, result.output
    recs = _records(out.read_text(encoding="utf-8"))
    assert recs[f"{site}/page.html"]["score"] is not None
    assert recs[f"{site}/page.html"]["fetch"]["status"] == 200
    assert "HTTP 404" in recs[f"{site}/gone.html"]["error"]


def test_batch_refuses_private_addresses_by_default(site, tmp_path):
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["batch", "--isolated", "--quiet", "--jobs", "1", "--out", str(out),
                                      f"{site}/page.html"])
    assert result.exit_code == 3
    rec = json.loads(out.read_text(encoding="utf-8"))
    assert rec["score"] is None and "refused" in rec["error"]
