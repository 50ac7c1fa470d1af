"""Batch scoring at scale (issue 5): ``audit batch`` and the per-document function.

The pieces, each importable on its own:

* :mod:`audit.batch.sources`  inputs (files, directories, globs, ``@lists``, JSONL records,
  WARC files) streamed as small picklable :class:`~audit.batch.sources.Item` objects;
* :mod:`audit.batch.worker`   the per-document function (``audit_item``) and the per-process
  Engine cache, shared by the local process pool, Dask, and Spark/Ray through
  :func:`audit.batch.worker.audit_records`;
* :mod:`audit.batch.output`   append-only JSONL with resume, CSV, aggregates;
* :mod:`audit.batch.local` / :mod:`audit.batch.dask_engine`  the two executors;
* :mod:`audit.batch.cli`      the click command (imports only click and the stdlib at import
  time, so ``audit --version`` stays fast).
"""
