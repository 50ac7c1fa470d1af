"""The local executor: a process pool fed in chunks with a bounded number in flight.

* The parent builds the Engine before the pool forks, so workers inherit it, rules compiled
  once per batch; where processes are spawned instead, each worker builds one in its
  initializer.
* Work goes out in chunks of a few documents; at most ``window`` chunks are in flight, so the
  parent never holds more than ``window * chunk`` documents however large the input is, and
  results are written as they come back (completion order).
* A worker that dies (segfault, OOM killer) breaks the pool: the chunks that were in flight are
  re-run one document at a time in a fresh pool, so the document that kills its worker is
  found and written as an error record, and every other document still gets its real record.
* Ctrl-C (or SIGTERM): stop sending work, let the chunks already running finish and write
  them, then stop; a second Ctrl-C stops at once.  Finished records are always intact.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import (
    FIRST_COMPLETED,
    CancelledError,
    Future,
    ProcessPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Iterable, Iterator

from audit.batch.sources import Item
from audit.batch.worker import (
    Spec,
    audit_item,
    document_loop,
    error_result,
    freeze_long_lived,
    init_worker,
    run_chunk,
    thaw,
)

Emit = Callable[[bytes, object], None]


class WorkersKeepDying(RuntimeError):
    pass


def chunked(items: Iterable[Item], size: int, max_bytes: int = 8 << 20) -> Iterator[list[Item]]:
    """Lists of at most ``size`` items and (roughly) ``max_bytes`` of in-memory content."""
    it = iter(items)
    while True:
        chunk: list[Item] = []
        nbytes = 0
        for item in it:
            chunk.append(item)
            nbytes += item.size
            if len(chunk) >= size or nbytes >= max_bytes:
                break
        if not chunk:
            return
        yield chunk


class LocalRunner:
    def __init__(self, spec: Spec, *, jobs: int, chunk_size: int = 8, window: int | None = None,
                 tick: Callable[[], None] | None = None, notice: Callable[[str], None] | None = None,
                 worker: Callable = run_chunk, on_start: Callable[[], None] | None = None):
        self.spec = spec
        self.jobs = max(1, jobs)
        self.chunk_size = max(1, chunk_size)
        self.window = window or 2 * self.jobs + 1
        self.tick = tick or (lambda: None)
        self.notice = notice or (lambda msg: None)
        self.worker = worker
        self.on_start = on_start
        self.pool: ProcessPoolExecutor | None = None
        self._froze = False
        self.peak_rss_kib = 0
        self.crashes = 0
        self.interrupted = False

    # -- pool -----------------------------------------------------------------------------------
    def _start(self) -> None:
        # fork: workers start in milliseconds and inherit the imported modules; elsewhere
        # (Windows) the platform default, whose workers import audit themselves
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
        self._froze = freeze_long_lived()   # the Engine the workers inherit: see worker.YOUNG_GENERATION
        self.pool = ProcessPoolExecutor(self.jobs, mp_context=ctx, initializer=init_worker,
                                        initargs=(self.spec,))

    def _stop(self, *, now: bool = False) -> None:
        if self._froze:             # before the early return: a pool that failed to start
            thaw()
            self._froze = False
        pool, self.pool = self.pool, None
        if pool is None:
            return
        if now:
            for proc in list((getattr(pool, "_processes", None) or {}).values()):
                try:
                    proc.kill()
                except Exception:
                    pass
        try:
            pool.shutdown(wait=True, cancel_futures=True)
        except Exception:
            pass

    # -- running --------------------------------------------------------------------------------
    def run(self, items: Iterable[Item], emit: Emit) -> None:
        """Audit ``items``; call ``emit(line, stats)`` in the parent for every record."""
        self._start()
        pending: dict[Future, list[Item]] = {}
        chunks = chunked(items, self.chunk_size)
        exhausted = False
        try:
            while True:
                while not exhausted and len(pending) < self.window:
                    chunk = next(chunks, None)
                    if chunk is None:
                        exhausted = True
                        break
                    pending[self.pool.submit(self.worker, chunk)] = chunk
                    if self.on_start is not None:       # the workers exist now
                        self.on_start()
                        self.on_start = None
                if not pending:
                    break
                done, _ = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
                broken: list[Item] = []
                for fut in done:
                    chunk = pending.pop(fut)
                    if not self._collect(fut, chunk, emit):
                        broken.extend(chunk)
                if broken:
                    broken.extend(self._salvage(pending, emit))
                    self._recover(broken, emit)
                self.tick()
        except KeyboardInterrupt:
            self.interrupted = True
            self._finish_running(pending, emit)
        finally:
            self._stop(now=self.interrupted)

    def _collect(self, fut: Future, chunk: list[Item], emit: Emit) -> bool:
        """Emit a finished chunk; False if its worker died (the pool is broken)."""
        try:
            results, rss = fut.result()
        except (BrokenProcessPool, CancelledError):
            return False
        except Exception as exc:        # e.g. a result that cannot be pickled: one record each
            for item in chunk:
                emit(*error_result(item.source, f"{item.source}: internal error in the worker: "
                                                f"{type(exc).__name__}: {exc}", self.spec))
            return True
        self.peak_rss_kib = max(self.peak_rss_kib, rss)
        for line, stats in results:
            emit(line, stats)
        self.crashes = 0
        return True

    def _salvage(self, pending: dict, emit: Emit) -> list[Item]:
        """After a crash: keep results that made it back, return the items that did not."""
        lost: list[Item] = []
        for fut, chunk in list(pending.items()):
            try:
                fut.exception(timeout=5)
                ok = self._collect(fut, chunk, emit)
            except Exception:
                ok = False
            if not ok:
                lost.extend(chunk)
        pending.clear()
        return lost

    def _recover(self, items: list[Item], emit: Emit) -> None:
        """Re-run the items of broken chunks one at a time, to pin a crash on one document."""
        self.notice(f"a worker process died; re-running {len(items)} documents one at a time")
        self._stop()
        self._start()
        for item in items:
            fut = self.pool.submit(self.worker, [item])
            if self._collect(fut, [item], emit):
                continue
            self.crashes += 1
            line, stats = error_result(item.source, f"{item.source}: the worker process died while "
                                                    f"auditing this document (crash or out of memory)", self.spec)
            emit(line, stats)
            if self.crashes >= 10:
                raise WorkersKeepDying("worker processes died on 10 documents in a row; stopping")
            self._stop()
            self._start()

    def _finish_running(self, pending: dict, emit: Emit) -> None:
        for fut in pending:
            fut.cancel()
        running = [f for f in pending if not f.cancelled()]
        self.notice(f"interrupted: finishing {sum(len(pending[f]) for f in running)} documents in progress "
                    f"(Ctrl-C again to stop now)")
        try:
            for fut in running:
                try:
                    self._collect(fut, pending[fut], emit)
                except Exception:
                    pass
        except KeyboardInterrupt:
            pass


def run_serial(spec: Spec, items: Iterable[Item], emit: Emit, tick: Callable[[], None] | None = None) -> None:
    """``--jobs 0``: audit in this process (debugging, profiling)."""
    from audit.batch.worker import engine_for

    engine = engine_for(spec)
    with document_loop():
        for i, item in enumerate(items):
            line, stats = audit_item(item, spec, engine)
            emit(line, stats)
            if tick and i % 8 == 0:
                tick()
