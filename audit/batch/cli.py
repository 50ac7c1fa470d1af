"""``audit batch``: score many sources into JSONL, in parallel, resumably.

This module is imported by ``audit --version``: at import time it may import only click, the
standard library and the light ``audit.options``.  Everything else is imported inside the command.
"""

from __future__ import annotations

import os
import sys

import click

from audit import options


def _default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


@click.command("batch")
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--out", default="-", show_default=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="Results file: one JSON scorecard per line (schema 1), written as produced.")
@click.option("--resume", is_flag=True,
              help="Skip sources already in --out (a partial last line is cut); append the rest.")
@click.option("-j", "--jobs", type=click.IntRange(0), default=None,
              help="Worker processes (default: all cores; 0 = audit in this process).")
@click.option("--chunk-size", type=click.IntRange(1), default=8, show_default=True,
              help="Documents sent to a worker at a time.")
@click.option("--summary", "summary_path", type=click.Path(dir_okay=False),
              help="Write aggregates as JSON (score histogram, categories, top rules, domains) "
                   "and print them as a table.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), help="Write a flat per-source CSV table.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where documents are audited.")
@click.option("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 "
                                  "(default with --engine dask: a local cluster).")
@click.option("--timeout", type=click.FloatRange(0), default=120.0, show_default=True,
              help="Seconds one document may take before it becomes an error record (0: no limit).")
@options.policy_and_selection
@click.option("-q", "--quiet", is_flag=True, help="No progress, no final tally, no summary table.")
@options.network
@click.option("--progress-interval", type=click.FloatRange(0.05), default=10.0, show_default=True,
              help="Seconds between progress lines when stderr is not a terminal.")
def batch(inputs, out, resume, jobs, chunk_size, summary_path, csv_path, engine, scheduler, timeout,
          fail_under, fail_on, exit_zero, select, ignore, config, isolated, rules_path, include, exclude,
          max_size, quiet, online, allow_private, no_cache, progress_interval):
    """Audit many sources and write one JSON scorecard per line.

    INPUTS are files, directories, globs ('pages/**/*.html'), @LIST files of inputs (one per
    line; @- reads them from stdin), JSONL record files (*.jsonl, *.ndjson, optionally .gz;
    one {"url" or "source", "html" or "text"} object per line; - reads records from stdin),
    and WARC files (*.warc, *.warc.gz: HTML and text responses; needs audit[warc]).
    http(s) URLs (as arguments or in @LIST files) are fetched by the workers, safely
    (private addresses refused unless --allow-private).

    Exit codes as 'audit check': 0 every source met the policy, 1 some source failed it,
    2 usage or configuration error, 3 some inputs could not be read, 130 interrupted.
    """
    if resume and out == "-":
        raise click.UsageError("--resume needs --out FILE (it reads back what is already there)")
    if scheduler and engine != "dask":
        raise click.UsageError("--scheduler goes with --engine dask")
    from audit.batch.main import run_batch

    code = run_batch(
        inputs=inputs, out=out, resume=resume, jobs=_default_jobs() if jobs is None else jobs,
        chunk_size=chunk_size, summary_path=summary_path, csv_path=csv_path, engine=engine,
        scheduler=scheduler, timeout=timeout, fail_under=fail_under, fail_on=fail_on, exit_zero=exit_zero,
        select=select, ignore=ignore, config=config, isolated=isolated, rules_path=rules_path,
        include=include, exclude=exclude, max_size=max_size, quiet=quiet,
        progress_interval=progress_interval, online=online, allow_private=allow_private, no_cache=no_cache)
    sys.exit(code)
