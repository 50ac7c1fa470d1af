"""The garbage collector is tuned for the document loop, and put back afterwards.

Workers raise the young generation's threshold (worker.YOUNG_GENERATION) and the parent freezes
what exists before the fork; a serial run does both in-process.  Either way the caller's
collector is left as it was found -- the batch is also a Python API (audit.batch.main).
"""

from __future__ import annotations

import gc

from conftest import write_pages

from audit.batch.local import LocalRunner, run_serial
from audit.batch.sources import Item
from audit.batch.worker import YOUNG_GENERATION, Spec


def report_collector(items):
    """A pool worker that answers, for each item, the collector settings it runs under."""
    line = f"{gc.get_threshold()[0]} {gc.get_freeze_count() > 0}".encode()
    return [(line, None) for _ in items], 0


def test_serial_run_tunes_the_collector_and_restores_it(tmp_path):
    paths = write_pages(tmp_path, 3)
    before, frozen_before = gc.get_threshold(), gc.get_freeze_count()
    seen = []

    def emit(line, stats):
        seen.append((gc.get_threshold()[0], gc.get_freeze_count() > frozen_before, stats.error))

    run_serial(Spec(), (Item(p, path=p) for p in paths), emit)
    assert seen == [(YOUNG_GENERATION, True, None)] * 3
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen_before


def test_a_higher_threshold_is_kept(tmp_path):
    paths = write_pages(tmp_path, 1)
    before = gc.get_threshold()
    gc.set_threshold(50_000, *before[1:])
    try:
        seen = []
        run_serial(Spec(), [Item(paths[0], path=paths[0])], lambda line, stats: seen.append(gc.get_threshold()[0]))
        assert seen == [50_000]
    finally:
        gc.set_threshold(*before)


def test_pool_workers_run_tuned_and_the_parent_is_restored(tmp_path):
    paths = write_pages(tmp_path, 6)
    before, frozen_before = gc.get_threshold(), gc.get_freeze_count()
    lines = []
    runner = LocalRunner(Spec(), jobs=2, chunk_size=2, worker=report_collector)
    runner.run((Item(p, path=p) for p in paths), lambda line, stats: lines.append(line))
    assert lines == [f"{YOUNG_GENERATION} True".encode()] * 6
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen_before


def test_a_callers_own_freeze_is_left_alone(tmp_path):
    paths = write_pages(tmp_path, 2)
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        run_serial(Spec(), (Item(p, path=p) for p in paths), lambda line, stats: None)
        assert gc.get_freeze_count() == frozen
        LocalRunner(Spec(), jobs=1, worker=report_collector).run((Item(p, path=p) for p in paths),
                                                                 lambda line, stats: None)
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
