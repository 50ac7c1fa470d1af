"""audit.web.cache: persistence, expiry, --no-cache and corruption."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from audit.web.cache import CACHE_FILENAME, Cache, default_cache_dir


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_round_trip_survives_reopening(tmp_path):
    with Cache(tmp_path) as cache:
        cache.set("url:https://example.com/a", {"ok": True, "status": 200}, status="ok")
    with Cache(tmp_path) as cache:
        entry = cache.get("url:https://example.com/a")
    assert entry is not None
    assert entry.value == {"ok": True, "status": 200}
    assert entry.status == "ok"
    assert (tmp_path / CACHE_FILENAME).is_file()


def test_missing_key(tmp_path):
    assert Cache(tmp_path).get("nope") is None


def test_ttl_expiry(tmp_path):
    clock = Clock()
    cache = Cache(tmp_path, ttl=60, clock=clock)
    cache.set("k", [1, 2, 3])
    clock.now += 59
    assert cache.get("k").value == [1, 2, 3]
    clock.now += 2
    assert cache.get("k") is None
    assert cache.purge_expired() == 1


def test_default_ttl_is_a_week(tmp_path):
    clock = Clock()
    cache = Cache(tmp_path, clock=clock)
    cache.set("k", "v")
    clock.now += 6.9 * 24 * 3600
    assert cache.get("k") is not None
    clock.now += 0.2 * 24 * 3600
    assert cache.get("k") is None


def test_disabled_cache_never_touches_disk(tmp_path):
    cache = Cache(tmp_path / "c", enabled=False)
    cache.set("k", "v")
    assert cache.get("k") is None
    assert not (tmp_path / "c").exists()


def test_overwrite_and_delete(tmp_path):
    cache = Cache(tmp_path)
    cache.set("k", 1)
    cache.set("k", 2, status="dead")
    assert (cache.get("k").value, cache.get("k").status) == (2, "dead")
    cache.delete("k")
    assert cache.get("k") is None
    cache.set("a", 1)
    cache.clear()
    assert cache.get("a") is None


def test_corrupt_file_is_recreated(tmp_path):
    (tmp_path / CACHE_FILENAME).write_bytes(b"this is not sqlite at all" * 100)
    cache = Cache(tmp_path)
    assert cache.get("k") is None
    cache.set("k", "fresh")
    assert Cache(tmp_path).get("k").value == "fresh"


def test_foreign_schema_is_recreated(tmp_path):
    conn = sqlite3.connect(tmp_path / CACHE_FILENAME)
    conn.execute("CREATE TABLE something_else (x)")
    conn.commit()
    conn.close()
    cache = Cache(tmp_path)
    cache.set("k", "v")
    assert cache.get("k").value == "v"


def test_corrupted_while_open_recovers(tmp_path):
    cache = Cache(tmp_path)
    cache.set("k", "v")
    cache.close()
    (tmp_path / CACHE_FILENAME).write_bytes(b"\0garbage" * 512)
    assert cache.get("k") is None  # reopened, found garbage, rebuilt
    cache.set("k", "again")
    assert cache.get("k").value == "again"


def test_undecodable_value_is_a_miss(tmp_path):
    cache = Cache(tmp_path)
    cache.set("k", "v")
    conn = sqlite3.connect(tmp_path / CACHE_FILENAME)
    conn.execute("UPDATE entries SET value = '{not json'")
    conn.commit()
    conn.close()
    assert cache.get("k") is None


def test_unusable_location_disables_quietly(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the directory should be")
    cache = Cache(blocker / "sub")
    cache.set("k", "v")
    assert cache.get("k") is None
    assert cache.enabled is False


def test_location_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIT_CACHE_DIR", str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "explicit"
    assert Cache(tmp_path / "arg").directory == tmp_path / "arg"
    monkeypatch.delenv("AUDIT_CACHE_DIR")
    assert default_cache_dir() == tmp_path / "xdg" / "audit"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == Path(tmp_path / "home" / ".cache" / "audit")


def test_threads_share_one_cache(tmp_path):
    cache = Cache(tmp_path)
    errors = []

    def writer(n):
        try:
            for i in range(50):
                cache.set(f"{n}:{i}", {"n": n, "i": i})
                assert cache.get(f"{n}:{i}").value == {"n": n, "i": i}
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Cache(tmp_path).get("7:49").value == {"n": 7, "i": 49}
