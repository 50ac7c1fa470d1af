"""The per-document function every executor runs: Item -> one JSONL record.

:func:`audit_item` is the whole contract: it never raises for a bad document.  Unreadable
input, a parser that gives up, a check that blows up, a document that takes longer than the
time limit -- each becomes an error record naming the source and the problem, and the batch
goes on.  The local process pool (:mod:`audit.batch.local`), Dask
(:mod:`audit.batch.dask_engine`) and Spark/Ray (:func:`audit_records`, see docs/scale.md) all
call it, so they write byte-identical records.

An Engine is built once per process per :class:`Spec` (rules loaded, validated and compiled)
and reused for every document that process audits.
"""

from __future__ import annotations

import gc
import json
import os
import pickle
import signal
import threading
import time
from contextlib import contextmanager
from hashlib import blake2b
from typing import NamedTuple

from audit.batch.sources import Item

_ENGINES: dict[bytes, object] = {}
_CURRENT: list = [None, None]          # [spec, engine] set by the pool initializer


class Spec:
    """A picklable description of an Engine and of the per-document limits."""

    def __init__(self, settings=None, rule_paths=(), *, timeout: float | None = 120.0):
        from audit.config import Settings

        self.settings = settings or Settings()
        self.rule_paths = tuple(str(p) for p in rule_paths)
        self.timeout = timeout or None
        self.key = blake2b(pickle.dumps((self.settings, self.rule_paths)), digest_size=16).digest()

    @property
    def max_size(self) -> int:
        return self.settings.max_size

    def build(self):
        from audit.engine import Engine
        from audit.rulepack import rules_for

        ruleset = rules_for(self.settings, self.rule_paths)
        return Engine(ruleset, self.settings)


# -- the garbage collector in a process that audits many documents ------------------------------
# A page allocates some 100,000 container objects and leaves no reference cycles (a Document and
# its aligner refer to each other weakly), so the cyclic collector's young-generation passes
# find nothing to free.  At CPython's default -- one pass every 700 net allocations -- they cost
# ~1.4% of a worker's instructions; one pass every 10,000 keeps at most that many young objects
# waiting (well under a megabyte) and costs a tenth as much.  What exists before the first
# document (modules, the compiled rules) is frozen out of the collector's view: full passes no
# longer traverse it, and, frozen in the parent before the fork, a pass in a worker never writes
# to the pages it shares with the parent.
YOUNG_GENERATION = 10_000


def freeze_long_lived() -> bool:
    """Move every object alive now out of the collector's view (``gc.freeze``); undo with
    :func:`thaw` when this returns True.  Call it after the Engine is built and, for a pool,
    before it forks.  A caller that froze objects itself keeps its own arrangement (False):
    ``gc.unfreeze`` cannot tell its objects from ours."""
    if gc.get_freeze_count():
        return False
    gc.freeze()
    return True


def thaw() -> None:
    gc.unfreeze()


def collect_less_often() -> tuple[int, int, int]:
    """Raise the young generation's threshold for a document loop; returns the old thresholds
    (for ``gc.set_threshold(*old)``)."""
    old = gc.get_threshold()
    if 0 < old[0] < YOUNG_GENERATION:                # 0: collection disabled; keep it so
        gc.set_threshold(YOUNG_GENERATION, *old[1:])
    return old


@contextmanager
def document_loop():
    """Both of the above for a loop in this process, undone when it ends."""
    froze = freeze_long_lived()
    old = collect_less_often()
    try:
        yield
    finally:
        gc.set_threshold(*old)
        if froze:
            thaw()


def engine_for(spec: Spec):
    """This process's Engine for ``spec`` (built on first use, then reused)."""
    eng = _ENGINES.get(spec.key)
    if eng is None:
        eng = _ENGINES[spec.key] = spec.build()
    return eng


# -- results ----------------------------------------------------------------------------------
class Stats(NamedTuple):
    """What the aggregates need from one record (small: it crosses process boundaries)."""

    source: str
    format: str | None
    score: int | None
    band: str | None
    passed: bool
    error: str | None
    categories: tuple      # ((category, findings, points lost), ...) for categories with findings
    rules: tuple           # ((rule, category, findings), ...)
    findings: int
    domain: str | None
    nbytes: int


def record_stats(rec: dict, settings, nbytes: int = 0) -> Stats:
    """Aggregates and the policy verdict (``Settings.passes``) from a schema-1 record, fresh or
    read back on resume."""
    error = rec.get("error")
    score = rec.get("score")
    findings = rec.get("findings") or ()
    passed = settings.passes(error, score, (f.get("level") for f in findings))
    cats = tuple((name, c.get("findings", 0), c.get("points_lost", 0.0))
                 for name, c in (rec.get("categories") or {}).items() if c.get("findings"))
    counts: dict = {}
    for f in findings:
        key = (f.get("rule"), f.get("category"))
        counts[key] = counts.get(key, 0) + 1
    rules = tuple((r, c, n) for (r, c), n in counts.items())
    source = rec.get("source") or ""
    return Stats(source, rec.get("format"), score, rec.get("band"), passed, error, cats, rules,
                 len(findings), source_domain(source), nbytes)


def source_domain(source: str) -> str | None:
    """The registered domain of a URL source (``https://www.bbc.co.uk/x`` -> ``bbc.co.uk``), else None."""
    if "://" not in source[:16]:
        return None
    from audit.document.domains import registered_domain

    return registered_domain(source)


def encode_record(rec: dict) -> bytes:
    """One JSONL line: the same encoding as ``--format jsonl`` (report.jsonl.encode_line)."""
    from audit.report.jsonl import encode_line

    return encode_line(rec)


def error_result(source: str, message: str, spec: Spec) -> tuple[bytes, Stats]:
    from audit.model import Scorecard

    rec = Scorecard(source, error=message).to_json()
    return encode_record(rec), record_stats(rec, spec.settings)


# -- the per-document function ----------------------------------------------------------------
class DocumentTimeout(BaseException):
    """Raised by SIGALRM inside a document; a BaseException so no ``except Exception`` eats it."""


def _alarm(signum, frame):
    raise DocumentTimeout()


def _scorecard(engine, item: Item, max_size: int):
    from audit.model import Scorecard

    if item.error is not None:
        return Scorecard(item.source, error=item.error)
    if item.text is not None:
        from audit.document.load import parse, sniff_format
        from audit.errors import InputError

        text = item.text
        if len(text) > max_size:
            return Scorecard(item.source, error=f"{item.source}: input is over the size limit of {max_size} bytes")
        if not text.strip():
            return Scorecard(item.source, error=f"{item.source}: empty record, nothing to audit")
        try:
            doc = parse(text, source=item.source, fmt=sniff_format(text, item.fmt))
        except InputError as exc:
            return Scorecard(item.source, error=str(exc))
        return engine.audit_document(doc)
    from pathlib import Path

    from audit.document.load import Input

    if item.data is not None:
        inp = Input(item.source, data=item.data, declared_format=item.fmt, declared_charset=item.charset)
    elif item.url is not None:
        inp = Input(item.source, url=item.url)
    else:
        inp = Input(item.source, path=Path(item.path))
    return engine.audit_input(inp)


def audit_item(item: Item, spec: Spec, engine=None) -> tuple[bytes, Stats]:
    """Audit one Item; return its JSONL line and its aggregates.  Never raises for the document.

    A per-document time limit (``spec.timeout``) is enforced with SIGALRM when this runs in a
    process's main thread (process-pool workers); elsewhere (Dask threads) it is not.
    """
    engine = engine or engine_for(spec)
    timer = (spec.timeout is not None and hasattr(signal, "setitimer")
             and threading.current_thread() is threading.main_thread())
    old = None
    try:
        if timer:
            old = signal.signal(signal.SIGALRM, _alarm)
            signal.setitimer(signal.ITIMER_REAL, spec.timeout)
        try:
            card = _scorecard(engine, item, spec.max_size)
        finally:
            if timer:
                signal.setitimer(signal.ITIMER_REAL, 0)
    except DocumentTimeout:
        card = None
        message = f"{item.source}: gave up after {spec.timeout:g} s (document too slow to audit)"
    except RecursionError:
        card = None
        message = f"{item.source}: document is nested too deeply to parse"
    except MemoryError:
        card = None
        message = f"{item.source}: out of memory while auditing this document"
    except Exception as exc:       # a bug must cost one record, never the batch
        card = None
        message = f"{item.source}: internal error while auditing: {type(exc).__name__}: {exc}"
    finally:
        if old is not None:
            signal.signal(signal.SIGALRM, old)
    if card is None:
        return error_result(item.source, message, spec)
    rec = card.to_json()
    return encode_record(rec), record_stats(rec, spec.settings, _nbytes(item))


def _nbytes(item: Item) -> int:
    if item.path is not None:
        try:
            return os.stat(item.path).st_size
        except OSError:
            return 0
    return item.size


# -- process-pool plumbing --------------------------------------------------------------------
def init_worker(spec: Spec) -> None:
    """Pool initializer: the Engine (inherited from the parent after a fork, else built here,
    rules compiled once per worker); the collector tuned for a document loop; ignore Ctrl-C
    (the parent decides what to finish); exit if the parent dies (a SIGKILLed batch must not
    leave orphans)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _CURRENT[0], _CURRENT[1] = spec, engine_for(spec)
    collect_less_often()
    parent = os.getppid()

    def watch():
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="audit-parent-watch", daemon=True).start()


def run_chunk(items: list[Item]) -> tuple[list[tuple[bytes, Stats]], int]:
    """Audit a chunk in a pool worker; return the results and this worker's peak RSS (KiB)."""
    spec, engine = _CURRENT
    out = [audit_item(item, spec, engine) for item in items]
    try:
        import resource
    except ImportError:                  # Windows
        return out, 0
    return out, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_partition(items: list[Item], spec: Spec) -> list[tuple[bytes, Stats]]:
    """Audit a partition anywhere (Dask, Ray, Spark): the Engine is cached per process."""
    engine = engine_for(spec)
    return [audit_item(item, spec, engine) for item in items]


# -- the Python API for other engines ----------------------------------------------------------
def audit_records(records, *, config: str | None = None, rule_paths=(), settings=None,
                  timeout: float | None = None):
    """Audit an iterable of dicts and yield schema-1 records (dicts), one per input.

    Each input is ``{"url" or "source": ..., "html" or "text": ..., "format"?: ...}`` or
    ``{"path": ...}``.  This is what a Spark ``mapPartitions`` or a Ray ``map_batches`` calls;
    the Engine is built once per process and reused.
    """
    if settings is None:
        from audit.config import load_settings

        settings = load_settings(config, isolated=config is None)
    spec = Spec(settings, rule_paths, timeout=timeout)
    engine = engine_for(spec)
    for r in records:
        yield json.loads(audit_item(to_item(r), spec, engine)[0])


def to_item(r) -> Item:
    if isinstance(r, Item):
        return r
    source = r.get("url") or r.get("source") or r.get("path") or "<record>"
    fmt = r.get("format")
    if r.get("path"):
        return Item(str(source), path=str(r["path"]), fmt=fmt)
    if isinstance(r.get("html"), str):
        return Item(source, text=r["html"], fmt=fmt or "html")
    if isinstance(r.get("html"), bytes):
        return Item(source, data=r["html"], fmt=fmt or "html")
    if isinstance(r.get("text"), str):
        return Item(source, text=r["text"], fmt=fmt or "text")
    return Item(source, error=f"{source}: record has no \"html\" or \"text\"")
