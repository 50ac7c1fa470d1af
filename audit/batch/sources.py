"""Batch inputs, streamed: files, directories, globs, ``@lists``, JSONL records, WARC files.

Everything here is a generator: a directory of a million pages or a 50 GB
WARC never becomes a list.  Each thing to audit becomes an :class:`Item`, a
small picklable tuple that a worker process (or a Dask worker) turns into a
Scorecard.  A file is sent as its path (the worker reads it); a JSONL record
or a WARC response is sent with its content.  Anything that cannot be read
becomes an Item with ``error`` set, which the batch writes as an error record
(the run carries on; the exit code is 3).

Argument forms (see ``audit batch --help`` and docs/scale.md):

``PATH``          a file (``*.jsonl``/``*.ndjson`` [``.gz``] are records, ``*.warc``/``*.warc.gz``
                  and ``*.arc``/``*.arc.gz`` are web archives, anything else is one document)
``DIR``           walked recursively (``--include`` / ``--exclude``; record and WARC files too)
``GLOB``          ``pages/**/*.html`` (quote it), expanded lazily
``@LIST``         a file of arguments, one per line (``#`` comments); ``@-`` reads them from stdin
``URL``           an http(s) page, fetched by the worker that audits it (as an argument or in a list)
``-``             JSONL records on stdin
"""

from __future__ import annotations

import glob as _glob
import gzip
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import IO, Iterator, NamedTuple

from audit.document.load import DEFAULT_INCLUDE, MEDIA_FORMATS, is_url

RECORD_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
BATCH_INCLUDE = DEFAULT_INCLUDE + tuple("*" + s for s in RECORD_SUFFIXES + WARC_SUFFIXES)
_GLOB_CHARS = frozenset("*?[")
# What a WARC record's Content-Type is read as: audit's media types, plus the XML types that
# crawlers record for XHTML pages served as XML.
_RECORD_FORMATS = {**MEDIA_FORMATS, "application/xhtml": "html", "text/xml": "html", "application/xml": "html"}
_MAX_LIST_DEPTH = 8


class Item(NamedTuple):
    """One thing to audit.  Exactly one of ``path``, ``data``, ``text``, ``url`` or ``error`` is set."""

    source: str                   # what the record's "source" will say: the path, the URL
    path: str | None = None       # a file the worker reads
    data: bytes | None = None     # content in hand (WARC payload), decoded by the worker
    text: str | None = None       # content already decoded (JSONL "html"/"text")
    fmt: str | None = None        # html | text | markdown; None: extension / sniffing decides
    charset: str | None = None    # declared charset (HTTP Content-Type)
    error: str | None = None      # unreadable before auditing: written as an error record
    url: str | None = None        # an http(s) address the worker fetches (safely) itself

    @property
    def size(self) -> int:
        if self.data is not None:
            return len(self.data)
        if self.text is not None:
            return len(self.text)
        return 0


def kind_of(path: str) -> str:
    """``records`` (JSONL), ``warc`` or ``document`` from the file name."""
    low = path.lower()
    if low.endswith(RECORD_SUFFIXES):
        return "records"
    if low.endswith(WARC_SUFFIXES):
        return "warc"
    return "document"


def _open(path: str) -> IO[bytes]:
    return gzip.open(path, "rb") if path.lower().endswith(".gz") else open(path, "rb")


class Sources:
    """Iterate the Items named by command-line arguments, lazily and in a stable order.

    ``skipped`` counts what was deliberately not audited (WARC records that are not HTML or
    text, non-2xx responses, blank lines); ``warc_bytes`` / ``warc_read`` let the progress bar
    estimate how far through the archives it is.
    """

    def __init__(self, args, *, include=None, exclude=(), max_size: int = 20 * 1024 * 1024,
                 stdin: IO[bytes] | None = None):
        self.args = list(args)
        self.include = tuple(include or BATCH_INCLUDE)
        self.exclude = tuple(exclude or ())
        self.max_size = max_size
        self.stdin = stdin
        self.skipped: Counter = Counter()
        self.warc_read = 0            # compressed bytes of WARC files consumed so far

    def __iter__(self) -> Iterator[Item]:
        for arg in self.args:
            yield from self._arg(arg, 0)

    # -- arguments ----------------------------------------------------------------------------
    def _stdin(self) -> IO[bytes]:
        return self.stdin if self.stdin is not None else sys.stdin.buffer

    def _arg(self, arg: str, depth: int) -> Iterator[Item]:
        if arg == "-":
            yield from self._records(self._stdin(), "-")
            return
        if arg.startswith("@"):
            yield from self._list(arg[1:], depth)
            return
        if is_url(arg):
            yield Item(arg, url=arg)      # fetched by the worker, in parallel, through audit.web.fetch
            return
        p = Path(arg)
        if p.exists():
            yield from self._path(arg)
            return
        if _GLOB_CHARS & set(arg):
            found = False
            for match in _glob.iglob(arg, recursive=True):
                found = True
                yield from self._path(match)
            if not found:
                yield Item(arg, error=f"{arg}: no file matches this pattern")
            return
        yield Item(arg, error=f"{arg}: no such file or directory")

    def _list(self, name: str, depth: int) -> Iterator[Item]:
        if depth >= _MAX_LIST_DEPTH:
            yield Item("@" + name, error=f"@{name}: lists nested more than {_MAX_LIST_DEPTH} deep")
            return
        try:
            fh = self._stdin() if name == "-" else open(name, "rb")
        except OSError as exc:
            yield Item("@" + name, error=f"@{name}: cannot read the list ({exc.strerror or exc})")
            return
        try:
            for raw in fh:
                line = raw.decode("utf-8", "surrogateescape").strip()
                if line and not line.startswith("#"):
                    yield from self._arg(line, depth + 1)
        finally:
            if name != "-":
                fh.close()

    def _path(self, path: str) -> Iterator[Item]:
        p = Path(path)
        if p.is_dir():
            from audit.document.load import expand

            errors: list = []
            for inp in expand([path], include=self.include, exclude=self.exclude, errors=errors):
                yield from self._file(inp.source)
            for err in errors:
                yield Item(path, error=str(err))
        elif p.is_file():
            yield from self._file(path)
        else:
            yield Item(path, error=f"{path}: not a regular file")

    def _file(self, path: str) -> Iterator[Item]:
        kind = kind_of(path)
        if kind == "document":
            yield Item(path, path=path)
            return
        try:
            fh = _open(path) if kind == "records" else open(path, "rb")   # warcio decompresses
        except OSError as exc:
            yield Item(path, error=f"{path}: cannot read ({exc.strerror or exc})")
            return
        with fh:
            if kind == "records":
                yield from self._records(fh, path)
            else:
                yield from self._warc(fh, path)

    # -- JSONL --------------------------------------------------------------------------------
    def _records(self, fh: IO[bytes], name: str) -> Iterator[Item]:
        """``{"url" or "source": ..., "html" or "text": ..., "format"?: ...}`` per line."""
        lineno = 0
        try:
            for raw in fh:
                lineno += 1
                if not raw.strip():
                    self.skipped["blank lines"] += 1
                    continue
                yield self._record(raw, name, lineno)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            yield Item(f"{name}:{lineno + 1}", error=f"{name}: cannot read past line {lineno} ({exc})")

    def _record(self, raw: bytes, name: str, lineno: int) -> Item:
        where = f"{name}:{lineno}"
        if len(raw) > self.max_size * 6 + 1024:     # JSON escapes can grow text up to 6x
            return Item(where, error=f"{where}: record is over the size limit of {self.max_size} bytes")
        try:
            rec = json.loads(raw)
        except json.JSONDecodeError as exc:
            # the decoder counts the line's own newline as a second line; only the column helps
            return Item(where, error=f"{where}: not a JSON object ({exc.msg} at column {exc.colno})"
                        if exc.lineno == 1 else f"{where}: not a JSON object ({exc.msg} at the end of the line)")
        except ValueError as exc:            # bytes that are not UTF-8/16/32
            return Item(where, error=f"{where}: not a JSON object ({exc})")
        if not isinstance(rec, dict):
            return Item(where, error=f"{where}: not a JSON object")
        source = rec.get("url") or rec.get("source")
        if not isinstance(source, str) or not source:
            source = where
        fmt = rec.get("format") if rec.get("format") in ("html", "text", "markdown") else None
        for key, default in (("html", "html"), ("text", None)):
            value = rec.get(key)
            if isinstance(value, str):
                return Item(source, text=value, fmt=fmt or default or "text")
        return Item(source, error=f"{source}: record has no \"html\" or \"text\" string ({where})")

    # -- WARC ---------------------------------------------------------------------------------
    def _warc(self, fh: IO[bytes], name: str) -> Iterator[Item]:
        try:
            from warcio.archiveiterator import ArchiveIterator
        except ImportError:
            yield Item(name, error=f"{name}: reading WARC files needs warcio: pip install 'audit[warc]'")
            return
        raw = fh
        start = self.warc_read
        try:
            for rec in ArchiveIterator(raw, arc2warc=True):
                self.warc_read = start + raw.tell()
                item = self._warc_record(rec, name)
                if item is not None:
                    yield item
        except Exception as exc:    # warcio raises a variety of errors on corrupt archives
            yield Item(name, error=f"{name}: cannot read the archive ({type(exc).__name__}: {exc})")
        self.warc_read = start + raw.tell()

    def _warc_record(self, rec, name: str) -> Item | None:
        if rec.rec_type not in ("response", "resource"):
            return None
        uri = rec.rec_headers.get_header("WARC-Target-URI") or f"{name}#{rec.rec_headers.get_header('WARC-Record-ID')}"
        if rec.rec_type == "response":
            if rec.http_headers is None:          # dns:, whois: ... responses
                self.skipped["non-HTTP responses"] += 1
                return None
            status = rec.http_headers.get_statuscode() or ""
            if not status.startswith("2"):
                self.skipped["non-2xx responses"] += 1
                return None
            ctype = rec.http_headers.get_header("Content-Type")
        else:
            ctype = rec.rec_headers.get_header("Content-Type")
        fmt, charset = content_type(ctype)
        if fmt is False:
            self.skipped["not HTML or text"] += 1
            return None
        try:
            data = rec.content_stream().read(self.max_size + 1)
        except Exception as exc:
            return Item(uri, error=f"{uri}: cannot read the record payload ({type(exc).__name__}: {exc})")
        if len(data) > self.max_size:
            return Item(uri, error=f"{uri}: payload is over the size limit of {self.max_size} bytes")
        return Item(uri, data=data, fmt=fmt, charset=charset)


def content_type(value: str | None):
    """``(format or None, charset or None)``; format False for a type that is not text."""
    if not value:
        return None, None
    parts = [p.strip() for p in value.split(";")]
    mime = parts[0].lower()
    charset = None
    for p in parts[1:]:
        k, _, v = p.partition("=")
        if k.strip().lower() == "charset" and v.strip():
            charset = v.strip().strip("\"'")
    fmt = _RECORD_FORMATS.get(mime)
    if fmt is not None:
        return fmt, charset
    return False, None


def estimate_total(args, *, include=None, exclude=()) -> int | None:
    """Count the Items the arguments will produce, without reading documents.

    Runs in a background thread for the progress bar's ETA.  Returns None when the count
    cannot be known cheaply (WARC files, stdin).
    """
    src = Sources(args, include=include, exclude=exclude)
    total = 0
    for arg in _flat_args(src.args):
        if arg in ("-", "@-"):
            return None
        if is_url(arg):
            total += 1
            continue
        p = Path(arg)
        paths = [arg] if p.exists() else (_glob.iglob(arg, recursive=True) if _GLOB_CHARS & set(arg) else [arg])
        for path in paths:
            if Path(path).is_dir():
                from audit.document.load import expand

                files = (i.source for i in expand([path], include=src.include, exclude=src.exclude, errors=[]))
            else:
                files = [path]
            for f in files:
                kind = kind_of(f)
                if kind == "warc":
                    return None
                if kind == "records":
                    try:
                        with _open(f) as fh:
                            total += sum(1 for line in fh if line.strip())
                    except (OSError, EOFError):
                        total += 1
                else:
                    total += 1
    return total


def _flat_args(args, depth=0):
    for arg in args:
        if arg.startswith("@") and arg != "@-" and depth < _MAX_LIST_DEPTH:
            try:
                with open(arg[1:], "rb") as fh:
                    lines = (raw.decode("utf-8", "surrogateescape").strip() for raw in fh)
                    yield from _flat_args((ln for ln in lines if ln and not ln.startswith("#")), depth + 1)
            except OSError:
                yield arg
        else:
            yield arg


def file_size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0
