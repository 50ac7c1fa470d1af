"""`audit check URL` and `--online` end to end, against a server this test starts on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from audit.cli import cli

ARTICLE = """<!DOCTYPE html><html><head><title>Back pain and stem cells</title>
<meta name="author" content="Ana Ruiz, MD"><meta property="article:published_time" content="2024-01-02">
</head><body><article><h1>Back pain and stem cells</h1>
<p>Stem cell injections for back pain are still being studied in trials [1].</p>
<h2>References</h2><ol>
<li>Lee K. (2020). Stem cells for chronic back pain. Spine. <a href="{base}/gone">{base}/gone</a></li>
<li>Ruiz A. (2021). Disc injections for back pain. Spine J. <a href="{base}/ok">{base}/ok</a></li>
<li>Kim E. (2019). Knee cartilage repair with stem cells. Cartilage. doi:10.1234/good</li>
<li>Park J. (2018). Stem cells for chronic back pain outcomes. Spine. doi:10.9999/missing</li>
</ol></article></body></html>"""

CSL = {"DOI": "10.1234/good", "type": "journal-article", "title": "Sleep deprivation and working memory in adults",
       "container-title": "Journal of Sleep Research", "issued": {"date-parts": [[2019, 5, 1]]}}


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _send(self, status, body=b"", ctype="text/html; charset=utf-8"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        if self.path == "/article.html":
            return self._send(200, ARTICLE.format(base=base).encode())
        if self.path == "/ok":
            return self._send(200, b"<html><body><p>Trial page</p></body></html>")
        if self.path == "/doi/10.1234/good":
            return self._send(200, json.dumps(CSL).encode(), "application/vnd.citationstyles.csl+json")
        if self.path == "/image.png":
            return self._send(200, b"\x89PNG....", "image/png")
        return self._send(404, b"not found")


@pytest.fixture
def site(monkeypatch, tmp_path):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    monkeypatch.setenv("AUDIT_DOI_URL", base + "/doi")
    monkeypatch.setenv("AUDIT_CROSSREF_URL", base + "/crossref")
    monkeypatch.setenv("AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    yield base
    httpd.shutdown()
    httpd.server_close()


def _run(*args):
    return CliRunner().invoke(cli, ["check", "--isolated", "--format", "json", *args], catch_exceptions=False)


def test_url_input_is_fetched_and_records_final_url(site):
    result = _run("--allow-private", f"{site}/article.html")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)["documents"][0]
    assert doc["source"] == f"{site}/article.html"
    assert doc["fetch"]["status"] == 200 and doc["fetch"]["final_url"] == f"{site}/article.html"
    assert doc["format"] == "html"
    # offline by default: no link or identifier was checked
    assert not any(f["rule"] in ("Citation.DeadLink", "Citation.BadIdentifier") for f in doc["findings"])


def test_private_address_refused_without_flag_exit_3(site):
    result = _run(f"{site}/article.html")
    assert result.exit_code == 3
    doc = json.loads(result.stdout)["documents"][0]
    assert doc["score"] is None and "refused" in doc["error"]
    assert "Traceback" not in result.output


def test_unfetchable_url_is_an_error_record_others_still_audited(site, tmp_path):
    page = tmp_path / "local.txt"
    page.write_text("Title Line\n\nBy Ana Ruiz, MD\n\nPublished May 1, 2024\n\nPlain words here.\n", encoding="utf-8")
    result = _run("--allow-private", f"{site}/missing-page", f"{site}/image.png", str(page))
    assert result.exit_code == 3
    docs = json.loads(result.stdout)["documents"]
    assert "HTTP 404" in docs[0]["error"] and "content type" in docs[1]["error"]
    assert docs[2]["error"] is None and docs[2]["score"] is not None


def test_online_reports_dead_links_and_bad_identifiers(site):
    result = _run("--allow-private", "--online", "--no-cache", f"{site}/article.html")
    doc = json.loads(result.stdout)["documents"][0]
    dead = [f for f in doc["findings"] if f["rule"] == "Citation.DeadLink"]
    assert [f["excerpt"] for f in dead] == [f"{site}/gone"]
    assert "404" in dead[0]["message"]
    bad = {f["excerpt"]: f["message"] for f in doc["findings"] if f["rule"] == "Citation.BadIdentifier"}
    assert set(bad) == {"10.9999/missing", "10.1234/good"}
    assert "not registered" in bad["10.9999/missing"]
    assert "different title" in bad["10.1234/good"] and "Sleep deprivation" in bad["10.1234/good"]
    assert result.exit_code == 0      # warnings only; the page still passes the default policy
