"""Fetch one web page safely.

``audit`` is pointed at URLs written by strangers (the document under audit,
or a user pasting a link).  A naive ``requests.get`` would happily talk to
``http://169.254.169.254/`` (cloud metadata), ``http://localhost:6379/`` or a
router admin page, follow a redirect into the same places, or read a 4 GB
response into memory.  This module is the single door to the network and
enforces, on *every* hop of a redirect chain:

* only ``http`` and ``https`` URLs;
* the host name must not resolve to a loopback, private, link-local,
  multicast, reserved, unspecified or shared (carrier-grade NAT) address,
  unless the caller explicitly passes ``allow_private=True``;
* at most ``max_redirects`` redirects, followed here rather than inside
  ``requests`` so each target is checked before anything is sent to it;
* connect/read timeouts plus an overall wall-clock limit, and a byte cap on
  the (decompressed) body;
* only textual document types for :func:`fetch`.

The address check uses an injectable ``resolver`` (host name -> IP strings).
It is *check-only*: it decides whether a host may be contacted, while
``requests`` still does its own connection.  That keeps tests offline (a
resolver can declare ``127.0.0.1`` "public" for one hop and ``localhost``
private for the next) at the cost of a small DNS-rebinding window between the
check and the connection; see ``docs/web.md``.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from audit.document.load import MEDIA_FORMATS

import requests
import urllib3

__all__ = [
    "ACCEPTED_CONTENT_TYPES",
    "FetchError",
    "FetchResult",
    "Resolver",
    "check_url",
    "fetch",
    "open_url",
    "read_body",
    "system_resolver",
    "user_agent",
]

#: Resolver signature: host name (IDNA-encoded, or an IP literal) -> addresses.
Resolver = Callable[[str], Iterable[str]]

#: Document types :func:`fetch` will hand to the document parsers: the ones they can read.
ACCEPTED_CONTENT_TYPES = frozenset(MEDIA_FORMATS)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DEFAULT_TIMEOUT = (5, 15)
DEFAULT_MAX_BYTES = 20_000_000
DEFAULT_MAX_REDIRECTS = 5
#: Wall-clock ceiling for one request including its body.  Read timeouts are
#: per socket operation, so a server dripping one byte every few seconds
#: would otherwise never time out.
DEFAULT_TOTAL_TIMEOUT = 60.0
_CHUNK = 64 * 1024


class FetchError(Exception):
    """A URL could not be fetched; ``str()`` is one line: ``"<url>: <problem>"``.

    ``problem`` is the bare reason (useful for building other messages),
    ``status`` the HTTP status when one was received, and ``kind`` a stable
    keyword callers can branch on: ``"refused"`` (the safety rules said no,
    nothing was sent), ``"http"``, ``"too-large"``, ``"content-type"``,
    ``"timeout"``, ``"redirects"``, ``"dns"`` or ``"connection"``.
    """

    def __init__(self, url: str, problem: str, *, kind: str, status: int | None = None):
        super().__init__(f"{url}: {problem}")
        self.url = url
        self.problem = problem
        self.kind = kind
        self.status = status


@dataclass(frozen=True)
class FetchResult:
    """A fetched document.  ``url`` is what was asked for, ``final_url`` where
    the redirect chain ended; ``encoding`` is the header charset (or None, so
    the caller's own detection decides)."""

    url: str
    final_url: str
    status: int
    content_type: str | None
    body: bytes
    encoding: str | None
    headers: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------
# identity


def user_agent() -> str:
    """User-Agent naming the tool, so site owners can see who is asking.

    The version is imported lazily: ``audit/__init__`` may import heavy parts
    of the package, and this module must work even while they are broken.
    """
    try:
        from audit import __version__ as version  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - any failure just means "unknown version"
        version = "dev"
    return f"audit/{version} (+credibility auditor)"


def new_session() -> requests.Session:
    """A session with our User-Agent.  Redirects are never followed by it."""
    session = requests.Session()
    session.headers["User-Agent"] = user_agent()
    return session


# --------------------------------------------------------------------------
# address policy


def system_resolver(host: str) -> list[str]:
    """Resolve ``host`` with the operating system, as the connection will."""
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    # IPv6 link-local results may carry a scope ("fe80::1%eth0").
    return [str(info[4][0]).split("%", 1)[0] for info in infos]


def _forbidden_reason(address: str) -> str | None:
    """Why ``address`` must not be contacted, or None if it is public."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unparseable address"
    if isinstance(ip, ipaddress.IPv6Address):
        # ::ffff:127.0.0.1 and friends reach the IPv4 address.
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            ip = mapped
    checks = (
        ("is_unspecified", "unspecified"),
        ("is_loopback", "loopback"),
        ("is_link_local", "link-local"),
        ("is_multicast", "multicast"),
        ("is_private", "private"),
        ("is_reserved", "reserved"),
    )
    for attribute, name in checks:
        if getattr(ip, attribute):
            return name
    if not ip.is_global:  # e.g. 100.64.0.0/10 shared address space
        return "non-public"
    return None


def _idna_host(host: str) -> str:
    """Encode a host the way ``requests`` will, so we check the same name."""
    try:
        host.encode("ascii")
        return host
    except UnicodeEncodeError:
        pass
    try:
        import idna

        return idna.encode(host, uts46=True).decode("ascii")
    except Exception:  # noqa: BLE001 - fall back to the stdlib codec
        return host.encode("idna").decode("ascii")


def check_url(
    url: str, *, allow_private: bool = False, resolver: Resolver | None = None
) -> None:
    """Raise :class:`FetchError` (kind ``"refused"`` or ``"dns"``) unless
    ``url`` may be requested.  Nothing is sent to the host.

    With ``allow_private=True`` only the scheme and host presence are checked
    (name resolution is then left to the connection itself).
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise FetchError(url, f"refused: malformed URL ({exc})", kind="refused") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = scheme or "missing"
        raise FetchError(url, f"refused: unsupported scheme {shown}", kind="refused")
    if not host:
        raise FetchError(url, "refused: no host name", kind="refused")
    if allow_private:
        return
    try:
        name = _idna_host(host.rstrip("."))
    except UnicodeError:
        raise FetchError(url, "refused: invalid host name", kind="refused") from None
    try:
        addresses = list((resolver or system_resolver)(name))
    except (OSError, UnicodeError) as exc:
        raise FetchError(url, f"cannot resolve host {host} ({_brief(exc)})", kind="dns") from None
    if not addresses:
        raise FetchError(url, f"cannot resolve host {host}", kind="dns")
    for address in addresses:
        reason = _forbidden_reason(address)
        if reason is not None:
            raise FetchError(
                url, f"refused: resolves to {reason} address {address}", kind="refused"
            )


# --------------------------------------------------------------------------
# requests


def _brief(exc: BaseException) -> str:
    """First line of an exception message, trimmed: errors must stay one line."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def _is_timeout(exc: BaseException) -> bool:
    """requests wraps body read timeouts in ConnectionError; unwrap to tell."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, urllib3.exceptions.NewConnectionError):
            return False  # subclasses ConnectTimeoutError, but means "refused"
        if isinstance(current, (requests.Timeout, urllib3.exceptions.TimeoutError, TimeoutError)):
            return True
        inner = current.args[0] if current.args and isinstance(current.args[0], BaseException) else None
        current = inner or current.__cause__ or current.__context__
    return False


def _is_dns_failure(exc: BaseException) -> bool:
    text = repr(exc)
    return "NameResolutionError" in text or "getaddrinfo failed" in text or "Name or service not known" in text


def _translate(url: str, exc: BaseException) -> FetchError:
    """Turn a requests/urllib3 exception into a one-line FetchError."""
    if _is_timeout(exc):
        return FetchError(url, "timed out", kind="timeout")
    if isinstance(exc, requests.exceptions.SSLError):
        return FetchError(url, "TLS error", kind="connection")
    if _is_dns_failure(exc):
        return FetchError(url, "cannot resolve host", kind="dns")
    if isinstance(exc, urllib3.exceptions.DecodeError):
        return FetchError(url, "undecodable compressed body", kind="connection")
    if isinstance(exc, (requests.exceptions.ConnectionError, urllib3.exceptions.ProtocolError, OSError)):
        return FetchError(url, "connection failed", kind="connection")
    return FetchError(url, f"request failed ({_brief(exc)})", kind="connection")


def open_url(
    url: str,
    *,
    method: str = "GET",
    allow_private: bool = False,
    timeout: tuple[float, float] | float = DEFAULT_TIMEOUT,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
    session: requests.Session | None = None,
    resolver: Resolver | None = None,
    headers: dict[str, str] | None = None,
    before_request: Callable[[str], None] | None = None,
) -> requests.Response:
    """Send ``method`` to ``url``, following redirects under the safety rules.

    Returns the final, *streaming* response whatever its status (the caller
    decides what a 404 means and must ``close()`` it); ``response.url`` is the
    final URL.  Raises :class:`FetchError` for refusals, too many redirects
    and transport failures.  ``before_request(url)`` is called before every
    hop, which is how the per-host rate limiter sees redirect targets too.
    """
    session = session or new_session()
    request_headers = {"User-Agent": user_agent()}
    if headers:
        request_headers.update(headers)
    current = url
    try:
        for hop in range(max_redirects + 1):
            check_url(current, allow_private=allow_private, resolver=resolver)
            if before_request is not None:
                before_request(current)
            try:
                response = session.request(
                    method,
                    current,
                    headers=request_headers,
                    timeout=timeout,
                    stream=True,
                    allow_redirects=False,
                )
            except requests.RequestException as exc:
                raise _translate(url, exc) from None
            location = response.headers.get("Location")
            if response.status_code not in REDIRECT_STATUSES or not location:
                return response
            response.close()
            if hop == max_redirects:
                break
            current = urljoin(current, location.strip())
            if response.status_code == 303 and method != "HEAD":
                method = "GET"
        raise FetchError(url, f"too many redirects (more than {max_redirects})", kind="redirects")
    except FetchError as exc:
        if exc.url != url:  # a later hop was refused: name both URLs
            raise FetchError(
                url, f"redirect to {exc.url} {exc.problem}", kind=exc.kind, status=exc.status
            ) from None
        raise


def read_body(
    response: requests.Response,
    url: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    deadline: float | None = None,
) -> bytes:
    """Read a streamed body, refusing more than ``max_bytes`` (after
    decompression, so a gzip bomb is stopped too) or reading past
    ``deadline`` (a ``time.monotonic()`` value)."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        response.close()
        raise FetchError(url, f"too large (over {max_bytes} bytes)", kind="too-large")
    raw = response.raw
    # read1 returns whatever one socket read brings, so the deadline is
    # checked even against a server dripping a few bytes at a time; plain
    # read(amt) (urllib3 < 2) would block until a whole chunk arrived.
    read = getattr(raw, "read1", None) or raw.read
    chunks: list[bytes] = []
    size = 0
    try:
        while True:
            chunk = read(_CHUNK, decode_content=True)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(url, f"too large (over {max_bytes} bytes)", kind="too-large")
            if deadline is not None and time.monotonic() > deadline:
                raise FetchError(url, "timed out", kind="timeout")
            chunks.append(chunk)
    except FetchError:
        raise
    except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
        raise _translate(url, exc) from None
    finally:
        response.close()
    return b"".join(chunks)


def _parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    """``"text/html; charset=UTF-8"`` -> ``("text/html", "UTF-8")``."""
    if not value or not value.strip():
        return None, None
    media, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, raw = param.partition("=")
        if key.strip().lower() == "charset":
            charset = raw.strip().strip("\"'") or None
    return media.strip().lower() or None, charset


def fetch(
    url: str,
    *,
    allow_private: bool = False,
    timeout: tuple[float, float] | float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
    session: requests.Session | None = None,
    resolver: Resolver | None = None,
    total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
) -> FetchResult:
    """Fetch a document to audit.  Raises :class:`FetchError` on any failure:
    refusal, transport error, HTTP status >= 400, a non-document content type,
    a body over ``max_bytes``, or more than ``total_timeout`` seconds."""
    deadline = time.monotonic() + total_timeout
    own_session = session is None
    session = session or new_session()
    try:
        response = open_url(
            url,
            allow_private=allow_private,
            timeout=timeout,
            max_redirects=max_redirects,
            session=session,
            resolver=resolver,
            headers={"Accept": _DOCUMENT_ACCEPT},
        )
        return _document_from(url, response, max_bytes=max_bytes, deadline=deadline)
    finally:
        if own_session:
            session.close()


_DOCUMENT_ACCEPT = "text/html,application/xhtml+xml,text/plain;q=0.9,text/markdown;q=0.9,*/*;q=0.1"


def _document_from(
    url: str, response: requests.Response, *, max_bytes: int, deadline: float
) -> FetchResult:
    """Apply the status / content-type / size rules to a final response."""
    status = response.status_code
    if status >= 400 or status in REDIRECT_STATUSES:
        response.close()
        raise FetchError(url, f"HTTP {status}", kind="http", status=status)
    media, charset = _parse_content_type(response.headers.get("Content-Type"))
    if media is not None and media not in ACCEPTED_CONTENT_TYPES:
        response.close()
        raise FetchError(url, f"unsupported content type {media}", kind="content-type", status=status)
    body = read_body(response, url, max_bytes=max_bytes, deadline=deadline)
    return FetchResult(
        url=url,
        final_url=response.url or url,
        status=status,
        content_type=media,
        body=body,
        encoding=charset,
        headers=dict(response.headers),
    )
