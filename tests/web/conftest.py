"""Local HTTP servers for the network-layer tests.

Every test talks to a ThreadingHTTPServer on 127.0.0.1 started here; nothing
reaches the internet.  One server plays every role, by path prefix:

* plain pages, errors, redirects, slow and oversized answers;
* ``/doi/...``       a fake doi.org doing content negotiation;
* ``/crossref/...``  a fake Crossref REST API;
* ``/eutils/...``    a fake NCBI E-utilities.

Answers use the real services' formats so the parsers are tested against
what they will meet.  ``server.hits`` records (method, host header, path) so
tests can prove what was *not* requested.
"""

from __future__ import annotations

import gzip
import ipaddress
import json
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

CSL = "application/vnd.citationstyles.csl+json"
PAGE = b"<!doctype html><html><head><title>Article</title></head><body><p>Hello</p></body></html>"
HOME = b"<!doctype html><html><head><title>Welcome</title></head><body>Home</body></html>"

CSL_RECORDS = {
    "10.1234/good": {
        "DOI": "10.1234/good",
        "type": "journal-article",
        "title": "Sleep deprivation and <i>working memory</i> in adults",
        "container-title": "Journal of Sleep Research",
        "issued": {"date-parts": [[2021, 5, 1]]},
        "publisher": "Wiley",
    },
}
CROSSREF_RECORDS = {
    "10.5555/landing-only": {
        "DOI": "10.5555/landing-only",
        "title": ["Coffee consumption &amp; longevity: a cohort study"],
        "container-title": ["Annals of Epidemiology"],
        "issued": {"date-parts": [[2019, 3]]},
    },
    "10.7777/crossref-only": {
        "DOI": "10.7777/crossref-only",
        "title": ["Urban heat islands"],
        "container-title": ["Climate"],
        "published-print": {"date-parts": [[2018]]},
    },
}
PUBMED_RECORDS = {
    "31452104": {
        "uid": "31452104",
        "pubdate": "2019 Mar",
        "epubdate": "2019 Aug 26",
        "source": "Nature",
        "title": "Quantum supremacy using a programmable superconducting processor.",
        "fulljournalname": "Nature",
    }
}


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
        pass

    def do_GET(self):
        self._dispatch()

    def do_HEAD(self):
        self._dispatch()

    # -- helpers -------------------------------------------------------------

    def _send(self, status, body=b"", content_type="text/html; charset=utf-8", headers=None):
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _redirect(self, location, status=302):
        self._send(status, b"", headers={"Location": location})

    def _json(self, status, data, content_type="application/json; charset=UTF-8"):
        self._send(status, json.dumps(data).encode(), content_type)

    def _stream_forever(self, chunk=b"x" * 65536, limit=50_000_000):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        sent = 0
        try:
            while sent < limit:
                self.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            pass  # the client hung up, as it should

    # -- routing -------------------------------------------------------------

    def _dispatch(self):
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        self.server.hits.append((self.command, self.headers.get("Host", ""), self.path))
        port = self.server.server_address[1]
        if path.startswith("/doi/"):
            return self._doi(path[len("/doi/"):])
        if path.startswith("/crossref/works/"):
            return self._crossref(path[len("/crossref/works/"):])
        if path.startswith("/transform/"):
            doi = path[len("/transform/"):]
            return self._json(200, CSL_RECORDS[doi], CSL)
        if path == "/eutils/esummary.fcgi":
            return self._eutils(query)
        if path.startswith("/redirect/"):
            left = int(path.rsplit("/", 1)[1])
            if left == 0:
                return self._send(200, PAGE)
            return self._redirect(f"/redirect/{left - 1}")
        if path.startswith("/flaky/"):
            # /flaky/<token>?fail=N&after=S: N answers 429 (Retry-After S), then 200.
            token = path.rsplit("/", 1)[1]
            fail = int(query.get("fail", ["1"])[0])
            after = query.get("after", ["1"])[0]
            self.server.counters[token] += 1
            if self.server.counters[token] <= fail:
                return self._send(429, b"slow down", "text/plain", {"Retry-After": after})
            return self._send(200, PAGE)
        route = {
            "/": lambda: self._send(200, HOME),
            "/page": lambda: self._send(200, PAGE),
            "/latin": lambda: self._send(200, "café".encode("latin-1"), "text/plain; charset=ISO-8859-1"),
            "/markdown": lambda: self._send(200, b"# Title\n", "text/markdown"),
            "/x-markdown": lambda: self._send(200, b"# Title\n\nSome text.\n", "text/x-markdown"),
            "/notype": lambda: self._send(200, b"untyped", None),
            "/image": lambda: self._send(200, b"\x89PNG....", "image/png"),
            "/missing": lambda: self._send(404, b"not found"),
            "/error": lambda: self._send(500, b"boom"),
            "/unavailable": lambda: self._send(503, b"later", "text/plain"),
            "/relative": lambda: self._redirect("page", 301),
            "/loop": lambda: self._redirect("/loop"),
            "/to-localhost": lambda: self._redirect(f"http://localhost:{port}/page"),
            "/to-metadata": lambda: self._redirect("http://169.254.169.254/latest/meta-data/"),
            "/to-file": lambda: self._redirect("file:///etc/passwd"),
            "/old-article": lambda: self._redirect("/", 301),
            "/moved": lambda: self._redirect("/page", 301),
            "/offsite": lambda: self._redirect(f"http://localhost:{port}/some/article"),
            "/some/article": lambda: self._send(200, PAGE),
            "/head-405": self._head_405,
            "/slow": self._slow,
            "/drip": self._drip,
            "/big": self._stream_forever,
            "/big-declared": lambda: self._send_declared_big(),
            "/gzip-bomb": self._gzip_bomb,
        }.get(path)
        if route is None:
            return self._send(404, b"no such route")
        return route()

    def _head_405(self):
        if self.command == "HEAD":
            return self._send(405, b"", headers={"Allow": "GET"})
        return self._send(200, PAGE)

    def _slow(self):
        time.sleep(1.0)
        try:
            self._send(200, PAGE)
        except OSError:
            pass

    def _drip(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        try:
            for _ in range(40):
                self.wfile.write(b"." * 100)
                self.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass

    def _send_declared_big(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "50000000")
        self.end_headers()
        try:
            self.wfile.write(b"x" * 1000)
        except OSError:
            pass

    def _gzip_bomb(self):
        body = gzip.compress(b"\0" * 5_000_000)
        self._send(200, body, "text/plain", {"Content-Encoding": "gzip"})

    # -- fake registries -------------------------------------------------------

    def _doi(self, doi):
        accept = self.headers.get("Accept", "")
        if doi == "10.1234/missing":
            return self._send(404, b"<html><title>Error: DOI Not Found</title></html>")
        if doi == "10.9999/down":
            return self._send(500, b"Internal Server Error")
        if doi == "10.7777/crossref-only":
            return self._send(503, b"", "text/plain", {"Retry-After": "0"})
        if doi in CSL_RECORDS and CSL in accept:
            # doi.org hands content negotiation to the registration agency.
            return self._redirect(f"/transform/{doi}", 302)
        if doi in ("10.5555/landing-only", "10.5555/nometa"):
            # Registrar without CSL support: off to the publisher's landing page.
            return self._redirect(f"http://localhost:{self.server.port}/page", 302)
        if doi == "10.5555/moved-within":
            return self._redirect("/doi/10.1234/missing", 302)  # same registry: proves nothing
        return self._send(404, b"<html><title>Error: DOI Not Found</title></html>")

    def _crossref(self, doi):
        if doi in CROSSREF_RECORDS:
            return self._json(
                200,
                {"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": CROSSREF_RECORDS[doi]},
            )
        if doi == "10.9999/down":
            return self._send(500, b"Internal Server Error", "text/plain")
        return self._send(404, b"Resource not found.", "text/plain")

    def _eutils(self, query):
        if query.get("db") != ["pubmed"] or query.get("retmode") != ["json"]:
            return self._send(400, b"bad request", "text/plain")
        pmid = query["id"][0]
        if pmid == "500":
            return self._send(500, b"oops", "text/plain")
        record = PUBMED_RECORDS.get(pmid, {"uid": pmid, "error": "cannot get document summary"})
        return self._json(
            200, {"header": {"type": "esummary", "version": "0.3"}, "result": {"uids": [pmid], pmid: record}}
        )


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hits: list[tuple[str, str, str]] = []
        self.counters: defaultdict[str, int] = defaultdict(int)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def paths(self) -> list[str]:
        return [path for _, _, path in self.hits]


@pytest.fixture(scope="session")
def server():
    httpd = _Server()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch, tmp_path, server):
    """No proxies (they would intercept 127.0.0.1), no real cache dir, and a
    fresh hit log per test."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "*")
    monkeypatch.setenv("AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    server.hits.clear()


class FakeSleep:
    """Records requested waits instead of sleeping, so backoff tests are instant."""

    def __init__(self):
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def fake_sleep():
    return FakeSleep()


@pytest.fixture
def pretend_public():
    """Factory for a check-only resolver: the listed hosts "resolve" to a
    public address (they are still reached on 127.0.0.1), other IP literals
    to themselves and other names to loopback.  This is how a test gets past
    the SSRF rules for one hop and is stopped on the next."""

    def make(*public_hosts: str):
        def resolve(host: str) -> list[str]:
            if host in public_hosts:
                return ["93.184.216.34"]
            try:
                return [str(ipaddress.ip_address(host))]
            except ValueError:
                return ["127.0.0.1"]

        return resolve

    return make
