"""``audit batch`` behind the click command: settings, resume, executor, outputs, exit code."""

from __future__ import annotations

import json
import signal
import sys
import time

from audit.errors import EXIT_INPUT, EXIT_OK, EXIT_POLICY, AuditError

EXIT_INTERRUPTED = 130


def _cpu_seconds() -> float | None:
    try:
        import resource
    except ImportError:                  # Windows
        return None
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return round(ru.ru_utime + ru.ru_stime, 3)


def _stderr_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def run_batch(*, inputs, out, resume, jobs, chunk_size, summary_path, csv_path, engine, scheduler,
              timeout, fail_under, fail_on, exit_zero, select, ignore, config, isolated, rules_path,
              include, exclude, max_size, quiet, progress_interval, online, allow_private, no_cache) -> int:
    from audit.batch.output import (
        CsvOutput,
        JsonlOutput,
        Summary,
        render_table,
        source_key,
    )
    from audit.batch.progress import Progress
    from audit.batch.sources import (
        BATCH_INCLUDE,
        Sources,
        estimate_total,
        file_size,
        kind_of,
    )
    from audit.batch.worker import Spec, engine_for, record_stats
    from audit.cli import _policy_settings
    from audit.rulepack import rules_for

    settings = _policy_settings(config, isolated, fail_under=fail_under, fail_on=fail_on, select=select,
                                ignore=ignore, include=include, exclude=exclude, max_size=max_size,
                                online=online, allow_private=allow_private, no_cache=no_cache)
    spec = Spec(settings, rules_path, timeout=timeout or None)
    if engine == "local":
        # Build the Engine here: a broken pack exits 2 before any work, and the forked workers
        # (or --jobs 0, in this process) use it instead of compiling the rules again; workers
        # also inherit the suffix list every page with a link needs.
        engine_for(spec)
        if jobs:
            from audit.document.domains import warm_up

            warm_up()
    else:
        rules_for(settings, rules_path)       # a broken pack: exit 2 before any work
    include_globs = tuple(settings.include) if settings.include else BATCH_INCLUDE

    progress = Progress(sys.stderr, tty=_stderr_tty(), enabled=not quiet, interval=progress_interval)
    summary = Summary()
    done: set[bytes] = set()      # sources already in the output (resume)
    seen: set[bytes] = set()      # sources sent this run
    output = JsonlOutput(out, resume=resume)

    resumed = 0
    # the CSV is always rewritten: on --resume its rows for the records already in --out are
    # regenerated from them, so it matches the results file even if a kill fell between the two
    if summary_path:        # fail now, not after the run (written atomically, so its directory counts)
        from pathlib import Path

        from audit.report.output import check_writable

        check_writable(Path(summary_path), "--summary")
    try:
        csv_out = CsvOutput(csv_path) if csv_path else None
    except OSError as exc:
        raise AuditError(f"cannot write {exc.filename}: {exc.strerror}") from None

    def on_old(rec, _nbytes):
        nonlocal resumed
        resumed += 1
        done.add(source_key(rec["source"]))
        stats = record_stats(rec, settings)
        summary.add(stats)
        if csv_out is not None:
            csv_out.add(stats)

    try:
        output.read_back(on_old)
        output.open()
    except OSError as exc:
        raise AuditError(f"cannot write {out}: {exc.strerror}") from None
    if resume and (resumed or output.truncated or output.dropped) and not quiet:
        extra = f"; cut a partial last line ({output.truncated} bytes)" if output.truncated else ""
        extra += f"; dropped {output.dropped} unreadable lines" if output.dropped else ""
        progress.message(f"resuming: {resumed} records already in {out}{extra}")
    sources = Sources(inputs, include=include_globs, exclude=settings.exclude, max_size=settings.max_size)
    duplicates = 0
    skipped_done = 0

    def items():
        nonlocal duplicates, skipped_done
        for item in sources:
            key = source_key(item.source)
            if key in done or key in seen:
                if key in done:
                    skipped_done += 1
                else:
                    duplicates += 1
                progress.skipped += 1
                continue
            seen.add(key)
            yield item

    def start_counting() -> None:
        # started once the workers exist: forking a process that runs other threads is unsafe
        if progress.enabled and all(a not in ("-", "@-") for a in inputs):
            progress.count_in_background(lambda: estimate_total(inputs, include=include_globs,
                                                                exclude=settings.exclude))

    if progress.enabled:
        warcs = [a for a in inputs if kind_of(a) == "warc"]
        if warcs and len(warcs) == len(inputs):
            total_bytes = sum(file_size(a) for a in warcs)
            if total_bytes:
                progress.fraction = lambda: min(1.0, sources.warc_read / total_bytes)

    def emit(line: bytes, stats) -> None:
        output.write(line)
        if csv_out is not None:
            csv_out.add(stats)
        summary.add(stats)
        progress.record(stats.error is not None, stats.passed)
        if stats.error is not None:
            progress.error(stats.error, out)

    def tick() -> None:
        progress.update()

    def notice(msg: str) -> None:
        progress.message(msg)

    started = time.monotonic()
    interrupted = False
    peak_rss_kib = 0
    old_term = signal.getsignal(signal.SIGTERM)   # SIGTERM stops like Ctrl-C

    def on_term(signum, frame):
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGTERM, on_term)
        if engine == "dask":
            from audit.batch.dask_engine import run_dask

            start_counting()
            interrupted = run_dask(spec, items(), emit, scheduler=scheduler, partition_size=max(chunk_size, 32),
                                   tick=tick, notice=notice)
        elif jobs == 0:
            from audit.batch.local import run_serial

            start_counting()
            try:
                run_serial(spec, items(), emit, tick)
            except KeyboardInterrupt:
                interrupted = True
        else:
            from audit.batch.local import LocalRunner, WorkersKeepDying

            runner = LocalRunner(spec, jobs=jobs, chunk_size=chunk_size, tick=tick, notice=notice,
                                 on_start=start_counting)
            try:
                runner.run(items(), emit)
            except WorkersKeepDying as exc:
                raise AuditError(str(exc)) from None
            interrupted = runner.interrupted
            peak_rss_kib = runner.peak_rss_kib
    except KeyboardInterrupt:
        interrupted = True
    except BrokenPipeError:             # `audit batch ... | head`: the reader is gone; stop quietly
        interrupted = True
        quiet = True
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        signal.signal(signal.SIGTERM, old_term)
        output.close()
        if csv_out is not None:
            csv_out.close()
    elapsed = time.monotonic() - started
    progress.clear()

    data = summary.to_json(
        run={"engine": engine, "jobs": jobs if engine == "local" else None, "elapsed_seconds": round(elapsed, 3),
             "audited": progress.done, "resumed": resumed, "skipped_already_done": skipped_done,
             "skipped_duplicates": duplicates, "skipped_inputs": dict(sources.skipped),
             "documents_per_second": round(progress.done / elapsed, 2) if elapsed > 0 else None,
             "megabytes_per_second": None,
             "peak_worker_rss_mb": round(peak_rss_kib / 1024, 1) if peak_rss_kib else None,
             "parent_cpu_seconds": _cpu_seconds(),
             "interrupted": interrupted})
    if elapsed > 0 and summary.nbytes:
        data["run"]["megabytes_per_second"] = round(summary.nbytes / 1e6 / elapsed, 2)
    if summary_path:
        # atomically: a reader (or a kill now) sees the previous summary or the whole new one
        from audit.report.output import write_atomic

        try:
            write_atomic(summary_path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise AuditError(f"cannot write {summary_path}: {exc.strerror}") from None
    if not quiet:
        if summary_path:
            table = render_table(data)
            (sys.stderr if out == "-" else sys.stdout).write(table)
        rate = f"{progress.done / elapsed:.1f}/s" if elapsed > 0 else "-"
        skipped = []
        if skipped_done:
            skipped.append(f"{skipped_done} already done")
        if duplicates:
            skipped.append(f"{duplicates} duplicate sources")
        for what, n in sources.skipped.items():
            skipped.append(f"{n} {what}")
        tail = f"; skipped {', '.join(skipped)}" if skipped else ""
        progress.message(f"{progress.done} audited in {elapsed:.1f} s ({rate}), {progress.errors_text()}, "
                         f"{progress.failed} failed the policy{tail}"
                         + (f"; output {out}" if out != "-" else ""))
    if interrupted:
        if not quiet:
            progress.message("interrupted: the records written so far are whole; "
                             "run the same command with --resume to finish")
        return EXIT_INTERRUPTED
    if summary.errors:
        return EXIT_INPUT
    if not exit_zero and summary.passed < summary.documents:
        return EXIT_POLICY
    return EXIT_OK
