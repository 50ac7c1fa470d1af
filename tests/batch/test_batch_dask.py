"""``--engine dask`` writes the same records as the local engine (LocalCluster, in process)."""

from __future__ import annotations

import json

import pytest

from conftest import PAGE, read_jsonl

distributed = pytest.importorskip(
    "distributed", reason="dask.distributed is not installed: pip install 'audit[dask]' (the test extra has it)")


def test_dask_engine_output_equals_local_engine(invoke, pages, tmp_path):
    recs = tmp_path / "r.jsonl"
    recs.write_text("".join(json.dumps({"url": f"https://site{i}.example.org/p", "html": PAGE.format(n=i)}) + "\n"
                            for i in range(5)), encoding="utf-8")
    local, dask_out = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    code_local, _, _ = invoke("batch", pages, recs, tmp_path / "missing.html", "--out", local, "--jobs", 1, "-q")
    with distributed.LocalCluster(processes=False, n_workers=1, threads_per_worker=2,
                                  dashboard_address=None) as cluster:
        code, _, err = invoke("batch", pages, recs, tmp_path / "missing.html", "--out", dask_out,
                              "--engine", "dask", "--scheduler", cluster.scheduler_address,
                              "--chunk-size", 2, "--summary", tmp_path / "s.json", "-q")
    assert code == code_local == 3, err
    assert sorted(dask_out.read_bytes().splitlines()) == sorted(local.read_bytes().splitlines())
    assert len(read_jsonl(dask_out)) == 7 + 5 + 1
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["run"]["engine"] == "dask" and summary["documents"] == 13


def test_run_partition_is_the_function_other_engines_map(pages):
    """What Spark/Ray call: a partition of Items in, (line, stats) out; the Engine is cached."""
    from audit.batch.sources import Item
    from audit.batch.worker import Spec, _ENGINES, run_partition

    spec = Spec()
    items = [Item(str(p), path=str(p)) for p in sorted(pages.iterdir())]
    first = run_partition(items[:3], spec)
    engine = _ENGINES[spec.key]
    second = run_partition(items[:3], spec)
    assert _ENGINES[spec.key] is engine and [l for l, _ in first] == [l for l, _ in second]
