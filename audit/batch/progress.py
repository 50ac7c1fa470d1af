"""Progress on stderr: a bar with count, rate and ETA on a terminal, plain lines otherwise.

The total is counted in a background thread (it can take a while for a million files), so
the bar starts at once and gains a percentage and an ETA when the count arrives.  For WARC
input the count is unknown; the ETA then comes from the bytes of the archives read so far.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, TextIO


def _hms(seconds: float) -> str:
    seconds = int(max(0, seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}"


# A batch can meet thousands of unreadable inputs (a crawl of binaries, a truncated archive);
# past this many, stderr says where the rest are instead of scrolling every one of them.
MAX_ERROR_LINES = 100


class Progress:
    def __init__(self, stream: TextIO, *, tty: bool, enabled: bool = True, interval: float = 10.0):
        self.stream = stream
        self.tty = tty
        self.enabled = enabled
        self.interval = 0.1 if tty else interval
        self.start = time.monotonic()
        self.last = self.start
        self.done = 0            # records written by this run
        self.skipped = 0         # already in the output (resume) or duplicates
        self.errors = 0
        self.failed = 0
        self.total: int | None = None
        self.fraction: Callable[[], float | None] | None = None    # byte-based, for WARC input
        self._drawn = False

    def count_in_background(self, counter: Callable[[], int | None]) -> None:
        def run():
            try:
                self.total = counter()
            except Exception:
                self.total = None

        threading.Thread(target=run, name="audit-count", daemon=True).start()

    def record(self, error: bool, passed: bool) -> None:
        self.done += 1
        self.errors += error
        self.failed += not passed

    def errors_text(self) -> str:
        return f"{self.errors} error{'' if self.errors == 1 else 's'}"

    def rate(self) -> float:
        elapsed = time.monotonic() - self.start
        return self.done / elapsed if elapsed > 0 else 0.0

    def line(self) -> str:
        elapsed = time.monotonic() - self.start
        rate = self.rate()
        seen = self.done + self.skipped
        parts = []
        frac = None
        if self.total:
            frac = min(1.0, seen / self.total)
            parts.append(f"{seen}/{self.total}")
        else:
            parts.append(f"{seen}")
            if self.fraction is not None:
                frac = self.fraction()
        parts.append(f"{rate:.1f} docs/s")
        if self.errors:
            parts.append(self.errors_text())
        parts.append(f"elapsed {_hms(elapsed)}")
        if frac is not None and rate > 0 and 0 < frac:
            if self.total:
                eta = (self.total - seen) / rate
            else:
                eta = elapsed * (1 - frac) / frac
            parts.append(f"ETA {_hms(eta)}")
        text = "  ".join(parts)
        if self.tty and frac is not None:
            width = 24
            full = int(width * frac)
            text = f"[{'#' * full}{'.' * (width - full)}] {frac * 100:5.1f}%  " + text
        return text

    def update(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self.last < self.interval:
            return
        self.last = now
        if self.tty:
            self.stream.write("\r" + self.line() + "\x1b[K")
            self._drawn = True
        else:
            self.stream.write("audit batch: " + self.line() + "\n")
        self.stream.flush()

    def clear(self) -> None:
        if self.enabled and self.tty and self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._drawn = False

    def error(self, text: str, out: str) -> None:
        """One line for the error record just counted by :meth:`record`; shown even with
        --quiet.  The record in ``out`` carries the same message, so after MAX_ERROR_LINES
        lines a single pointer to it replaces the rest.
        """
        if self.errors <= MAX_ERROR_LINES:
            self.message(f"error: {text}")
        elif self.errors == MAX_ERROR_LINES + 1:
            where = "the output" if out == "-" else out
            self.message(f"more errors are not shown here: each one is a record with \"error\" in {where}")

    def message(self, text: str) -> None:
        self.clear()
        self.stream.write(f"audit batch: {text}\n")
        self.stream.flush()
