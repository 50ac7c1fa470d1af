"""Bytes to text: BOM, then the HTML meta charset, then detection.

Order matters: a BOM is authoritative; a declared charset in an HTML page is
what its author intended; only then do we guess (charset_normalizer, which
ships with requests).  Binary or undecodable input raises InputError so the
caller turns it into an error record instead of a crash.
"""

from __future__ import annotations

import codecs
import re

from audit.errors import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_\-.]+)""", re.I)


_CONTROL_BYTES = bytes(b for b in range(32) if b < 9 or 13 < b < 32)


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))   # counted in C
    return controls > len(sample) * 0.05


def decode(data: bytes, *, name: str, declared: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding)`` or raise InputError naming ``name``."""
    text, enc, _utf8 = decode_keeping_utf8(data, name=name, declared=declared)
    return text, enc


def decode_keeping_utf8(data: bytes, *, name: str,
                        declared: str | None = None) -> tuple[str, str, bytes | None]:
    """Like :func:`decode`, plus the UTF-8 bytes of the text when the input already was them.

    libxml2 parses UTF-8 bytes, and most pages are UTF-8: handing it the bytes we decoded
    spares re-encoding the whole text (a real encoding loop for any page with a character
    past U+00FF).  Only a strict UTF-8 decode of exactly those bytes counts, so the bytes
    are the text's encoding by construction.
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                body = data[len(bom):]
                return body.decode(enc), enc, body if enc == "utf-8" else None
            except UnicodeDecodeError as exc:
                raise InputError(f"{name}: cannot decode as {enc} despite its byte-order mark ({exc.reason})")
    if _looks_binary(data):
        raise InputError(f"{name}: binary content, not text or HTML")
    candidates = []
    if declared:
        candidates.append(declared)
    head = data[:4096]
    for pattern in (_META_CHARSET, _XML_ENCODING):
        m = pattern.search(head)
        if m:
            candidates.append(m.group(1).decode("ascii", "replace"))
    for enc in candidates:
        try:
            info = codecs.lookup(enc)
        except LookupError:
            continue
        try:
            return data.decode(enc), enc, data if info.name == "utf-8" else None
        except UnicodeDecodeError:
            continue
    try:
        return data.decode("utf-8"), "utf-8", data
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputError(f"{name}: cannot detect the text encoding (binary or corrupt data)")
    return str(best), best.encoding, None
