"""A small persistent cache for online verification results.

Checking a hundred citations is slow and impolite to repeat on every run, so
``--online`` results (link status, DOI and PMID metadata) are kept in one
SQLite file for a week.  The cache is a convenience, never a source of
failure: an unreadable or corrupt file is recreated, and if even that fails
the cache silently turns itself off for the rest of the run.

Location, first match wins: the ``directory`` constructor argument, the
``AUDIT_CACHE_DIR`` environment variable, ``$XDG_CACHE_HOME/audit``,
``~/.cache/audit``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Cache", "CacheEntry", "DEFAULT_TTL", "default_cache_dir"]

DEFAULT_TTL = 7 * 24 * 3600.0
CACHE_FILENAME = "web-cache.sqlite3"
#: Bumped when the table layout changes; an older file is then rebuilt.
_SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    key TEXT PRIMARY KEY,
    stored_at REAL NOT NULL,
    status TEXT NOT NULL,
    value TEXT NOT NULL
)
"""


def default_cache_dir() -> Path:
    """Where the cache lives when no directory is given."""
    override = os.environ.get("AUDIT_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "audit"


@dataclass(frozen=True)
class CacheEntry:
    """One cached result.  ``status`` is a short word chosen by the writer
    (``"ok"``, ``"dead"``, ``"not-found"`` ...), ``value`` the decoded JSON."""

    key: str
    stored_at: float
    status: str
    value: Any


class Cache:
    """Key -> (stored_at, status, JSON value) with a time-to-live.

    ``enabled=False`` (``--no-cache``) makes every read a miss and every write
    a no-op, without touching the disk.  One connection is shared behind a
    lock, which is simple and plenty for a handful of worker threads.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str] | None = None,
        *,
        ttl: float = DEFAULT_TTL,
        enabled: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.directory = Path(directory).expanduser() if directory is not None else default_cache_dir()
        self.path = self.directory / CACHE_FILENAME
        self.ttl = ttl
        self.enabled = enabled
        self._clock = clock
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    # -- connection management ---------------------------------------------

    def _connect(self) -> sqlite3.Connection | None:
        """Open (lazily) and validate the database; rebuild it if corrupt."""
        if self._conn is not None or not self.enabled:
            return self._conn
        for attempt in range(2):
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, timeout=5.0, check_same_thread=False)
                try:
                    self._prepare(conn)
                except BaseException:
                    conn.close()
                    raise
                self._conn = conn
                return conn
            except (sqlite3.OperationalError, OSError):
                # Locked by another process, unwritable directory...: the
                # file may be fine, so leave it alone and run without cache.
                break
            except sqlite3.Error:  # "file is not a database", malformed...
                if attempt == 0 and self._discard_file():
                    continue
                break
        self.enabled = False  # give up quietly: the cache is optional
        return None

    def _prepare(self, conn: sqlite3.Connection) -> None:
        """Create the table, or raise sqlite3.DatabaseError if the file is
        not a usable cache (garbage bytes, foreign schema, old version)."""
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if tables and (version != _SCHEMA_VERSION or tables != {"entries"}):
            raise sqlite3.DatabaseError("unexpected cache schema")
        conn.execute(_SCHEMA)
        columns = [row[1] for row in conn.execute("PRAGMA table_info(entries)")]
        if columns != ["key", "stored_at", "status", "value"]:
            raise sqlite3.DatabaseError("unexpected cache columns")
        conn.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
        conn.commit()
        # Losing the last few writes in a power cut is fine for a cache, and
        # a corrupt file is rebuilt anyway; skipping fsyncs keeps writes cheap.
        conn.execute("PRAGMA synchronous = OFF")

    def _discard_file(self) -> bool:
        """Delete a broken cache file (and SQLite side files).  True if the
        file is gone and a fresh one is worth trying."""
        if self._conn is not None:
            try:
                self._conn.close()
            except sqlite3.Error:
                pass
            self._conn = None
        try:
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        except OSError:
            return False
        return True

    def _run(self, operation: Callable[[sqlite3.Connection], Any], default: Any) -> Any:
        """Run ``operation`` under the lock; on a database error rebuild the
        file once and retry, and on any further error return ``default``."""
        with self._lock:
            for attempt in range(2):
                conn = self._connect()
                if conn is None:
                    return default
                try:
                    return operation(conn)
                except sqlite3.OperationalError:
                    # Locked by another process, disk full, read-only...: not
                    # corruption, so keep the file and just skip this use.
                    return default
                except sqlite3.DatabaseError:
                    if attempt == 0 and self._discard_file():
                        continue
                    self.enabled = False
                    return default
            return default

    # -- public API ---------------------------------------------------------

    def get(self, key: str) -> CacheEntry | None:
        """The live entry for ``key``, or None (missing, expired, disabled or
        undecodable)."""
        if not self.enabled:
            return None
        row = self._run(
            lambda c: c.execute(
                "SELECT stored_at, status, value FROM entries WHERE key = ?", (key,)
            ).fetchone(),
            None,
        )
        if row is None:
            return None
        stored_at, status, raw = row
        if self._clock() - stored_at > self.ttl:
            return None
        try:
            value = json.loads(raw)
        except (TypeError, ValueError):
            return None
        return CacheEntry(key=key, stored_at=stored_at, status=status, value=value)

    def set(self, key: str, value: Any, *, status: str = "ok") -> None:
        """Store ``value`` (must be JSON-serialisable) under ``key``."""
        if not self.enabled:
            return
        raw = json.dumps(value, ensure_ascii=False, sort_keys=True)
        now = self._clock()

        def write(conn: sqlite3.Connection) -> None:
            with conn:
                conn.execute(
                    "INSERT OR REPLACE INTO entries (key, stored_at, status, value) VALUES (?, ?, ?, ?)",
                    (key, now, status, raw),
                )

        self._run(write, None)

    def delete(self, key: str) -> None:
        if not self.enabled:
            return

        def remove(conn: sqlite3.Connection) -> None:
            with conn:
                conn.execute("DELETE FROM entries WHERE key = ?", (key,))

        self._run(remove, None)

    def purge_expired(self) -> int:
        """Drop expired rows; returns how many.  Optional housekeeping."""
        if not self.enabled:
            return 0
        cutoff = self._clock() - self.ttl

        def purge(conn: sqlite3.Connection) -> int:
            with conn:
                return conn.execute("DELETE FROM entries WHERE stored_at < ?", (cutoff,)).rowcount

        return self._run(purge, 0)

    def clear(self) -> None:
        """Forget everything (e.g. for an ``audit cache clear`` command)."""
        if not self.enabled:
            return

        def wipe(conn: sqlite3.Connection) -> None:
            with conn:
                conn.execute("DELETE FROM entries")

        self._run(wipe, None)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.close()
                except sqlite3.Error:
                    pass
                self._conn = None

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
