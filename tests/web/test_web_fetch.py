"""audit.web.fetch: safe single-page fetching against local servers."""

from __future__ import annotations

import dataclasses
import time

import pytest

from audit.web.fetch import FetchError, FetchResult, check_url, fetch, user_agent


def _fails(url: str, **kwargs) -> FetchError:
    with pytest.raises(FetchError) as info:
        fetch(url, **kwargs)
    error = info.value
    message = str(error)
    assert "\n" not in message, "errors must be one line"
    assert message.startswith(f"{url}: ")
    return error


# -- normal fetches ---------------------------------------------------------


def test_fetches_html_page(server):
    url = server.url("/page")
    result = fetch(url, allow_private=True)
    assert isinstance(result, FetchResult)
    assert result.url == result.final_url == url
    assert result.status == 200
    assert result.content_type == "text/html"
    assert result.encoding == "utf-8"
    assert b"<title>Article</title>" in result.body
    assert result.headers["Content-Type"] == "text/html; charset=utf-8"
    assert type(result.headers) is dict
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.status = 500  # type: ignore[misc]


def test_sends_audit_user_agent(server):
    fetch(server.url("/page"), allow_private=True)
    assert user_agent().startswith("audit/")
    assert "credibility auditor" in user_agent()


def test_text_types_and_charset(server):
    latin = fetch(server.url("/latin"), allow_private=True)
    assert latin.content_type == "text/plain"
    assert latin.encoding == "ISO-8859-1"
    assert latin.body.decode(latin.encoding) == "café"
    assert fetch(server.url("/markdown"), allow_private=True).content_type == "text/markdown"


def test_every_type_the_loader_reads_is_fetched(server):
    """text/x-markdown is read as Markdown by the loader, so fetching it must not refuse it."""
    from audit.document.load import Input, load

    doc = load(Input(server.url("/x-markdown"), url=server.url("/x-markdown")), allow_private=True)
    assert doc.format == "markdown"
    assert [b.kind for b in doc.blocks] == ["title", "paragraph"]   # a leading '# ' is the title


def test_missing_content_type_is_accepted(server):
    result = fetch(server.url("/notype"), allow_private=True)
    assert result.content_type is None and result.encoding is None
    assert result.body == b"untyped"


def test_wrong_content_type_is_refused(server):
    error = _fails(server.url("/image"), allow_private=True)
    assert error.problem == "unsupported content type image/png"
    assert error.kind == "content-type"


@pytest.mark.parametrize("path, status", [("/missing", 404), ("/error", 500)])
def test_http_errors(server, path, status):
    error = _fails(server.url(path), allow_private=True)
    assert error.problem == f"HTTP {status}"
    assert error.status == status and error.kind == "http"


# -- redirects --------------------------------------------------------------


def test_redirect_chain_within_limit(server):
    url = server.url("/redirect/3")
    result = fetch(url, allow_private=True)
    assert result.url == url
    assert result.final_url == server.url("/redirect/0")
    assert server.paths() == ["/redirect/3", "/redirect/2", "/redirect/1", "/redirect/0"]


def test_exactly_max_redirects_is_fine(server):
    assert fetch(server.url("/redirect/5"), allow_private=True).status == 200


def test_too_many_redirects(server):
    error = _fails(server.url("/redirect/6"), allow_private=True)
    assert error.problem == "too many redirects (more than 5)"
    assert error.kind == "redirects"
    assert len(server.hits) == 6  # never asked for the 7th


def test_redirect_loop(server):
    assert _fails(server.url("/loop"), allow_private=True, max_redirects=2).kind == "redirects"


def test_relative_redirect(server):
    assert fetch(server.url("/relative"), allow_private=True).final_url == server.url("/page")


# -- SSRF rules ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url, reason",
    [
        ("http://127.0.0.1:9/", "loopback address 127.0.0.1"),
        ("http://localhost:9/", "loopback address"),
        ("http://10.0.0.1/", "private address 10.0.0.1"),
        ("http://192.168.1.1/admin", "private address 192.168.1.1"),
        ("http://169.254.169.254/latest/meta-data/", "link-local address 169.254.169.254"),
        ("http://[::1]/", "loopback address ::1"),
        ("http://[::ffff:127.0.0.1]/", "loopback address ::ffff:127.0.0.1"),
        ("http://0.0.0.0/", "unspecified address 0.0.0.0"),
        ("http://2130706433/", "loopback address 127.0.0.1"),  # 127.0.0.1 as one integer
        ("http://224.0.0.1/", "multicast address 224.0.0.1"),
        ("http://240.0.0.1/", "address 240.0.0.1"),
        ("http://100.64.0.1/", "non-public address 100.64.0.1"),
        ("http://evil.example@127.0.0.1:9/", "loopback address 127.0.0.1"),
    ],
)
def test_private_addresses_refused_by_default(url, reason):
    error = _fails(url)
    assert error.kind == "refused"
    assert error.problem.startswith("refused: resolves to ")
    assert reason in error.problem


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "gopher://example.com/", "example.com/page"])
def test_only_http_schemes(url):
    error = _fails(url, allow_private=True)
    assert error.kind == "refused"
    assert "unsupported scheme" in error.problem


def test_any_private_address_refuses_the_host():
    error = _fails("http://mixed.test/", resolver=lambda host: ["93.184.216.34", "10.1.2.3"])
    assert error.problem == "refused: resolves to private address 10.1.2.3"


def test_resolver_sees_idna_names():
    seen = []
    _fails("http://bücher.test/", resolver=lambda host: seen.append(host) or ["10.0.0.1"])
    assert seen == ["xn--bcher-kva.test"]


def test_unresolvable_host():
    def resolver(host):
        raise OSError("Name or service not known")

    error = _fails("http://no-such-host.test/", resolver=resolver)
    assert error.kind == "dns"
    assert "cannot resolve host no-such-host.test" in error.problem


def test_redirect_to_private_address_refused(server, pretend_public):
    # 127.0.0.1 plays a public site; its redirect target "localhost" is private.
    url = server.url("/to-localhost")
    error = _fails(url, resolver=pretend_public("127.0.0.1"))
    assert error.kind == "refused"
    target = server.url("/page", host="localhost")
    assert error.problem == f"redirect to {target} refused: resolves to loopback address 127.0.0.1"
    assert server.paths() == ["/to-localhost"]  # the private target was never contacted


def test_redirect_to_metadata_service_refused(server, pretend_public):
    error = _fails(server.url("/to-metadata"), resolver=pretend_public("127.0.0.1"))
    assert "link-local address 169.254.169.254" in error.problem


def test_redirect_to_file_scheme_refused_even_when_private_allowed(server):
    error = _fails(server.url("/to-file"), allow_private=True)
    assert error.problem == "redirect to file:///etc/passwd refused: unsupported scheme file"


def test_public_looking_host_is_fetched(server, pretend_public):
    result = fetch(server.url("/page"), resolver=pretend_public("127.0.0.1"))
    assert result.status == 200


def test_check_url_sends_nothing(server):
    with pytest.raises(FetchError):
        check_url(server.url("/page"))
    check_url(server.url("/page"), allow_private=True)
    assert server.hits == []


# -- limits -------------------------------------------------------------------


def test_slow_server_times_out(server):
    started = time.monotonic()
    error = _fails(server.url("/slow"), allow_private=True, timeout=(1, 0.2))
    assert error.problem == "timed out" and error.kind == "timeout"
    assert time.monotonic() - started < 0.9


def test_dripping_body_hits_total_timeout(server):
    error = _fails(server.url("/drip"), allow_private=True, timeout=(1, 1), total_timeout=0.3)
    assert error.problem == "timed out"


def test_oversized_streamed_body_is_cut(server):
    error = _fails(server.url("/big"), allow_private=True, max_bytes=100_000)
    assert error.problem == "too large (over 100000 bytes)"
    assert error.kind == "too-large"


def test_oversized_declared_length_refused_before_reading(server):
    error = _fails(server.url("/big-declared"), allow_private=True)
    assert error.problem == "too large (over 20000000 bytes)"


def test_decompressed_size_counts(server):
    error = _fails(server.url("/gzip-bomb"), allow_private=True, max_bytes=100_000)
    assert error.kind == "too-large"


def test_connection_refused(server):
    # Bind-and-close gives a port nobody listens on.
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    error = _fails(f"http://127.0.0.1:{port}/", allow_private=True, timeout=(1, 1))
    assert error.problem == "connection failed" and error.kind == "connection"
