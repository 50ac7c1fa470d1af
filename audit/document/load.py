"""Inputs to Documents: find files, read bytes, decode, pick a parser.

Every failure here is an :class:`InputError` naming the input, so the caller
can record it and carry on with the other inputs.
"""

from __future__ import annotations

import fnmatch
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from audit.document.decode import decode_keeping_utf8
from audit.document.model import Document
from audit.errors import InputError

DEFAULT_INCLUDE = ("*.html", "*.htm", "*.xhtml", "*.txt", "*.md", "*.markdown", "*.text")
DEFAULT_EXCLUDE = (".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

_EXT_FORMAT = {
    ".html": "html", ".htm": "html", ".xhtml": "html", ".md": "markdown",
    ".markdown": "markdown", ".txt": "text", ".text": "text",
}
_HTML_SNIFF = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<(p|div|span|article|h[1-6])[\s>]", re.I)
_MD_SNIFF = re.compile(r"^(#{1,6} \S|```|\* \S|- \S|\d+\. \S)|\]\(\S+\)", re.M)


@dataclass(frozen=True)
class Input:
    """One thing to audit: a file path, or bytes already in hand (stdin, fetched page)."""

    source: str                  # as the user gave it
    path: Path | None = None
    data: bytes | None = None
    declared_format: str | None = None
    declared_charset: str | None = None
    url: str | None = None       # http(s) address, fetched only when loaded


def sniff_format(text: str, hint: str | None) -> str:
    """Trust the extension unless the content contradicts it."""
    head = text[:4096]
    looks_html = bool(_HTML_SNIFF.search(head))
    if hint == "html":
        return "html" if "<" in text else "text"
    if looks_html and head.lstrip().startswith("<"):
        return "html"
    if hint in ("text", "markdown"):
        return hint
    if looks_html:
        return "html"
    if _MD_SNIFF.search(head):
        return "markdown"
    return "text"


def _matches(path: Path, patterns) -> bool:
    name = path.name
    text = path.as_posix()
    return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(text, p) for p in patterns)


def is_url(arg: str) -> bool:
    """An http(s) address: fetched (safely) rather than opened as a path."""
    return arg[:8].lower().startswith(("http://", "https://"))


def expand(paths, *, include=DEFAULT_INCLUDE, exclude=(), errors: list | None = None):
    """Yield Inputs for paths (files, directories, ``-``, http(s) URLs) in a stable order.

    Missing paths and directories with nothing to audit are appended to
    ``errors`` as InputErrors rather than raised: one bad argument must not
    stop the others.
    """
    excl = tuple(DEFAULT_EXCLUDE) + tuple(exclude)
    for given in paths:
        if given == "-":
            yield Input("-", data=sys.stdin.buffer.read())
            continue
        if is_url(given):
            yield Input(given, url=given)
            continue
        p = Path(given)
        if p.is_dir():
            found = 0
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not _matches(Path(root, d), excl))
                for f in sorted(files):
                    fp = Path(root, f)
                    if _matches(fp, include) and not _matches(fp, excl):
                        found += 1
                        yield Input(str(fp), path=fp)
            if not found and errors is not None:
                errors.append(InputError(f"{given}: directory has no files to audit "
                                         f"(looked for {', '.join(include)})"))
        elif p.is_file():
            yield Input(given, path=p)
        elif p.exists():
            errors is not None and errors.append(InputError(f"{given}: not a regular file"))
        else:
            errors is not None and errors.append(InputError(f"{given}: no such file or directory"))


def read_input(item: Input, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    if item.data is not None:
        data = item.data
    else:
        try:
            size = item.path.stat().st_size
            if size > max_bytes:
                raise InputError(f"{item.source}: file is {size} bytes, over the size limit of {max_bytes} bytes")
            with open(item.path, "rb") as fh:
                data = fh.read(max_bytes + 1)
        except PermissionError:
            raise InputError(f"{item.source}: permission denied") from None
        except IsADirectoryError:
            raise InputError(f"{item.source}: is a directory") from None
        except FileNotFoundError:
            raise InputError(f"{item.source}: no such file or directory") from None
        except OSError as exc:
            raise InputError(f"{item.source}: cannot read ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise InputError(f"{item.source}: input is over the size limit of {max_bytes} bytes")
    return data


#: The media types audit reads, and the format each is parsed as: the one table behind a
#: fetched URL (web.fetch accepts exactly these) and a batch's WARC/JSONL records.
MEDIA_FORMATS = {"text/html": "html", "application/xhtml+xml": "html", "text/plain": "text",
                 "text/markdown": "markdown", "text/x-markdown": "markdown"}


def fetch_input(item: Input, *, max_bytes: int, allow_private: bool = False) -> tuple[Input, dict]:
    """Fetch a URL input (only ever called for one): the bytes, plus what the fetch saw.

    Imported lazily: offline runs never load requests.
    """
    from audit.web.fetch import FetchError, fetch

    try:
        page = fetch(item.url, allow_private=allow_private, max_bytes=max_bytes)
    except FetchError as exc:
        raise InputError(str(exc)) from None
    fetched = Input(item.source, data=page.body, declared_charset=page.encoding,
                    declared_format=MEDIA_FORMATS.get(page.content_type or ""))
    return fetched, {"url": item.url, "final_url": page.final_url, "status": page.status,
                     "content_type": page.content_type}


def load(item: Input, *, max_bytes: int = DEFAULT_MAX_BYTES, allow_private: bool = False) -> Document:
    """Read (or fetch), decode and parse one input into a Document."""
    fetched = None
    if item.url is not None and item.data is None:
        item, fetched = fetch_input(item, max_bytes=max_bytes, allow_private=allow_private)
    data = read_input(item, max_bytes=max_bytes)
    if not data.strip():
        raise InputError(f"{item.source}: empty file, nothing to audit")
    text, _enc, utf8 = decode_keeping_utf8(data, name=item.source, declared=item.declared_charset)
    hint = item.declared_format
    if hint is None and item.path is not None:
        hint = _EXT_FORMAT.get(item.path.suffix.lower())
    doc = parse(text, source=item.source, fmt=sniff_format(text, hint), utf8=utf8)
    if fetched is not None:
        doc.extra["fetch"] = fetched
    return doc


def parse(text: str, *, source: str, fmt: str, utf8: bytes | None = None) -> Document:
    """Turn decoded text into a Document with blocks.

    ``utf8``, when given, must be ``text.encode("utf-8")`` (the bytes it was decoded from):
    the HTML parser then skips encoding the text again.
    """
    doc = Document(source=source, format=fmt, content=text)
    if fmt == "html":
        from audit.document.html import parse_html

        parse_html(doc, utf8)
    else:
        from audit.document.text import parse_text

        parse_text(doc, markdown=(fmt == "markdown"))
    if not doc.blocks:
        raise InputError(f"{source}: no visible text to audit")
    return doc
