"""Where batch results go: append-only JSONL (with resume), CSV, and the aggregates.

Durability rule: a record is one ``write()`` of one whole line to an unbuffered file, so a
batch killed at any instant leaves whole lines plus at most one partial last line.  On
``--resume`` the partial line is truncated away, every whole line is read back (its source is
skipped, its aggregates are counted again), and the run appends the rest.  Sources are
remembered as 8-byte digests, not strings, so resuming a run of millions stays small.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections import Counter
from hashlib import blake2b
from typing import Callable

from audit.batch.worker import Stats
from audit.model import CATEGORIES


def source_key(source: str) -> bytes:
    return blake2b(source.encode("utf-8", "surrogatepass"), digest_size=8).digest()


def _write_all(fh, data: bytes) -> None:
    view = memoryview(data)
    while view:                       # a raw file: normally one write() for the whole line
        n = fh.write(view)
        view = view[n:]


def _truncate_partial_line(path: str) -> int:
    """Cut a trailing line that has no newline (a write interrupted by a kill); return bytes cut."""
    with open(path, "r+b") as fh:
        end = fh.seek(0, os.SEEK_END)
        if end == 0:
            return 0
        pos = end
        block = 1 << 16
        while pos > 0:
            start = max(0, pos - block)
            fh.seek(start)
            chunk = fh.read(pos - start)
            if pos == end and chunk.endswith(b"\n"):
                return 0
            nl = chunk.rfind(b"\n")
            if nl >= 0:
                keep = start + nl + 1
                fh.truncate(keep)
                return end - keep
            pos = start
        fh.truncate(0)
        return end


class JsonlOutput:
    """The results file.  ``path`` ``-`` is stdout (no resume)."""

    def __init__(self, path: str, *, resume: bool = False):
        self.path = path
        self.resume = resume
        self.truncated = 0          # bytes of a partial last line removed on resume
        self.dropped = 0            # unreadable lines removed on resume
        self.fh = None

    def read_back(self, on_record: Callable[[dict, int], None]) -> None:
        """On resume: repair the file, then call ``on_record(record, line_bytes)`` for each line."""
        if not self.resume or self.path == "-" or not os.path.exists(self.path):
            return
        self.truncated = _truncate_partial_line(self.path)
        bad = 0
        with open(self.path, "rb") as fh:
            for line in fh:
                try:
                    rec = json.loads(line)
                    if not isinstance(rec, dict) or not isinstance(rec.get("source"), str):
                        raise ValueError("not a record")
                except ValueError:
                    bad += 1
                    continue
                on_record(rec, len(line))
        if bad:
            self._drop_bad_lines()
            self.dropped = bad

    def _drop_bad_lines(self) -> None:
        tmp = self.path + ".audit-tmp"
        with open(self.path, "rb") as src, open(tmp, "wb") as dst:
            for line in src:
                try:
                    rec = json.loads(line)
                    if isinstance(rec, dict) and isinstance(rec.get("source"), str):
                        dst.write(line)
                except ValueError:
                    pass
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(tmp, self.path)

    def open(self) -> None:
        if self.path == "-":
            self.fh = sys.stdout.buffer
            return
        mode = "ab" if self.resume else "wb"
        self.fh = open(self.path, mode, buffering=0)

    def write(self, line: bytes) -> None:
        if self.path == "-":
            self.fh.write(line)
            self.fh.flush()
        else:
            _write_all(self.fh, line)

    def close(self) -> None:
        if self.fh is not None and self.path != "-":
            self.fh.close()
        self.fh = None


CSV_FIELDS = ("source", "domain", "format", "score", "band", "passed", "findings", "error") + CATEGORIES


class CsvOutput:
    """A flat per-source table: one row per record, the findings per category as columns."""

    def __init__(self, path: str):
        self.path = path
        self.fh = open(path, "w", encoding="utf-8", newline="", errors="surrogateescape")
        self.buf = io.StringIO()
        self.writer = csv.writer(self.buf)
        self._row(CSV_FIELDS)

    def _row(self, row) -> None:
        self.writer.writerow(row)
        self.fh.write(self.buf.getvalue())   # one whole row per write
        self.fh.flush()
        self.buf.seek(0)
        self.buf.truncate()

    def add(self, s: Stats) -> None:
        per = {name: n for name, n, _ in s.categories}
        self._row([s.source, s.domain or "", s.format or "", "" if s.score is None else s.score,
                   s.band or "", "true" if s.passed else "false", s.findings, s.error or ""]
                  + [per.get(c, 0) for c in CATEGORIES])

    def close(self) -> None:
        self.fh.close()


class Summary:
    """Aggregates over every record of the output (resumed ones included)."""

    def __init__(self, max_domains: int = 100_000):
        self.documents = 0
        self.errors = 0
        self.passed = 0
        self.scores = 0
        self.score_sum = 0
        self.hist = [0] * 10                     # 0-9, 10-19, ..., 90-100
        self.bands: Counter = Counter()
        self.formats: Counter = Counter()
        self.cat_docs: Counter = Counter()
        self.cat_findings: Counter = Counter()
        self.cat_points: Counter = Counter()
        self.rule_docs: Counter = Counter()
        self.rule_findings: Counter = Counter()
        self.rule_category: dict[str, str] = {}
        self.domains: dict[str, list] = {}       # domain -> [documents, errors, failed, score sum, scored]
        self.max_domains = max_domains
        self.other_domains = [0, 0, 0, 0, 0]
        self.nbytes = 0

    def add(self, s: Stats) -> None:
        self.documents += 1
        self.nbytes += s.nbytes
        if s.error is not None:
            self.errors += 1
        if s.passed:
            self.passed += 1
        if s.format:
            self.formats[s.format] += 1
        if s.score is not None:
            self.scores += 1
            self.score_sum += s.score
            self.hist[min(9, max(0, int(s.score) // 10))] += 1
            if s.band:
                self.bands[s.band] += 1
        for name, n, points in s.categories:
            self.cat_docs[name] += 1
            self.cat_findings[name] += n
            self.cat_points[name] += points
        for rule, cat, n in s.rules:
            self.rule_docs[rule] += 1
            self.rule_findings[rule] += n
            self.rule_category[rule] = cat
        key = s.domain or "(no domain)"
        d = self.domains.get(key)
        if d is None:
            d = self.domains[key] = [0, 0, 0, 0, 0] if len(self.domains) < self.max_domains else self.other_domains
        d[0] += 1
        d[1] += s.error is not None
        d[2] += not s.passed
        if s.score is not None:
            d[3] += s.score
            d[4] += 1

    def to_json(self, **extra) -> dict:
        def mean(total, n):
            return round(total / n, 2) if n else None

        domains = sorted(self.domains.items(), key=lambda kv: (-kv[1][0], kv[0]))
        out = {
            "schema": 1,
            "documents": self.documents,
            "errors": self.errors,
            "passed": self.passed,
            "failed": self.documents - self.passed,
            "mean_score": mean(self.score_sum, self.scores),
            "bytes": self.nbytes,
            "formats": dict(sorted(self.formats.items())),
            "score_histogram": [{"from": i * 10, "to": 100 if i == 9 else i * 10 + 9, "documents": n}
                                for i, n in enumerate(self.hist)],
            "bands": dict(self.bands.most_common()),
            "categories": {c: {"documents": self.cat_docs[c], "findings": self.cat_findings[c],
                               "points_lost": round(self.cat_points[c], 2)} for c in CATEGORIES},
            "rules": [{"rule": r, "category": self.rule_category[r], "findings": n,
                       "documents": self.rule_docs[r]}
                      for r, n in sorted(self.rule_findings.items(), key=lambda kv: (-kv[1], kv[0]))],
            "domains": [{"domain": k, "documents": v[0], "errors": v[1], "failed": v[2],
                         "mean_score": mean(v[3], v[4])} for k, v in domains],
        }
        if self.other_domains[0]:
            v = self.other_domains
            out["domains_not_listed"] = {"documents": v[0], "errors": v[1], "failed": v[2],
                                         "mean_score": mean(v[3], v[4])}
        out.update(extra)
        return out


def render_table(summary: dict, *, top: int = 10) -> str:
    """The aggregates as a plain-text table (what ``--summary`` prints)."""
    lines = []
    n = summary["documents"]
    lines.append(f"documents {n}   errors {summary['errors']}   passed {summary['passed']}   "
                 f"failed {summary['failed']}   mean score {summary['mean_score']}")
    lines.append("")
    lines.append("score histogram")
    peak = max((b["documents"] for b in summary["score_histogram"]), default=0) or 1
    for b in reversed(summary["score_histogram"]):
        bar = "#" * round(40 * b["documents"] / peak)
        lines.append(f"  {b['from']:>3}-{b['to']:<3} {b['documents']:>8}  {bar}")
    lines.append("")
    lines.append(f"{'category':<20} {'documents':>9} {'findings':>9} {'points lost':>12}")
    for name, c in summary["categories"].items():
        lines.append(f"{name:<20} {c['documents']:>9} {c['findings']:>9} {c['points_lost']:>12g}")
    lines.append("")
    rules = summary["rules"][:top]
    width = max([len(r["rule"]) for r in rules] + [4])
    lines.append(f"{'top rules':<{width}} {'findings':>9} {'documents':>9}")
    for r in rules:
        lines.append(f"{r['rule']:<{width}} {r['findings']:>9} {r['documents']:>9}")
    lines.append("")
    doms = summary["domains"][:top]
    width = max([len(d["domain"]) for d in doms] + [6])
    lines.append(f"{'domain':<{width}} {'documents':>9} {'errors':>7} {'failed':>7} {'mean score':>10}")
    for d in doms:
        ms = "" if d["mean_score"] is None else f"{d['mean_score']:g}"
        lines.append(f"{d['domain']:<{width}} {d['documents']:>9} {d['errors']:>7} {d['failed']:>7} {ms:>10}")
    return "\n".join(lines) + "\n"

