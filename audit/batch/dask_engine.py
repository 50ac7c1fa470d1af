"""``--engine dask``: the same per-document function, mapped over partitions on a Dask cluster.

The client (this process) streams the inputs, cuts them into partitions and keeps a bounded
number of partitions in flight on the cluster; each partition runs
:func:`audit.batch.worker.run_partition` on a worker (an Engine is built once per worker
process and cached), and the records come back here to be written to the same JSONL, CSV and
aggregates as the local engine -- byte-identical records.

Workers need ``audit`` installed (same version) and, for file inputs, the same paths (a
shared file system); JSONL and WARC content travels with the partition.  A partition whose
worker dies is retried by Dask; if it keeps failing its documents are re-run one by one so only
the document that kills workers becomes an error record.
"""

from __future__ import annotations

from collections import deque
from typing import Callable, Iterable

from audit.batch.local import chunked
from audit.batch.sources import Item
from audit.batch.worker import Spec, error_result, run_partition
from audit.errors import AuditError


def _client(scheduler: str | None):
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise AuditError("--engine dask needs dask.distributed: pip install 'audit[dask]'") from None
    if scheduler:
        try:
            return Client(scheduler, timeout="30s"), None
        except (OSError, TimeoutError) as exc:
            raise AuditError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    cluster = LocalCluster(processes=True, threads_per_worker=1, dashboard_address=None)
    return Client(cluster), cluster


def run_dask(spec: Spec, items: Iterable[Item], emit: Callable, *, scheduler: str | None = None,
             partition_size: int = 32, window: int | None = None, tick: Callable[[], None] | None = None,
             notice: Callable[[str], None] | None = None, client=None) -> bool:
    """Audit ``items`` on a Dask cluster; return True when interrupted (Ctrl-C)."""
    from distributed import as_completed

    own_client = client is None
    cluster = None
    if own_client:
        client, cluster = _client(scheduler)
    tick = tick or (lambda: None)
    try:
        threads = sum(w.get("nthreads", 1) for w in client.scheduler_info().get("workers", {}).values()) or 1
        window = window or 2 * threads + 2
        partitions = chunked(items, partition_size)
        retry: deque[list[Item]] = deque()     # singles from partitions that failed
        in_flight: dict = {}
        queue = as_completed()

        def submit_more() -> None:
            while len(in_flight) < window:
                part = retry.popleft() if retry else next(partitions, None)
                if part is None:
                    return
                fut = client.submit(run_partition, part, spec, pure=False)
                in_flight[fut] = part
                queue.add(fut)

        submit_more()
        try:
            for fut in queue:
                part = in_flight.pop(fut)
                try:
                    results = fut.result()
                except Exception as exc:         # KilledWorker, a lost worker, a cancelled task
                    if len(part) > 1:
                        if notice:
                            notice(f"a Dask partition failed ({type(exc).__name__}); re-running its "
                                   f"{len(part)} documents one at a time")
                        retry.extend([item] for item in part)
                        results = []
                    else:
                        results = [error_result(part[0].source, f"{part[0].source}: the Dask task failed "
                                                                f"({type(exc).__name__}: {exc})", spec)]
                for line, stats in results:
                    emit(line, stats)
                fut.release()
                submit_more()
                tick()
        except KeyboardInterrupt:
            for fut in list(in_flight):
                fut.cancel()
            return True
        return False
    finally:
        if own_client:
            client.close()
            if cluster is not None:
                cluster.close()
