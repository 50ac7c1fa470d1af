"""Annotated fixtures: the rule-testing harness (semgrep ``--test`` style).

A fixture is a document with annotation lines.  ``<!-- expect: Rule.Id -->``
(HTML, Markdown) or ``# expect: Rule.Id`` (plain text) says the next line
must get a finding of that rule; ``ok:`` says it must not.  Several ids may
be given, comma-separated.  Annotation lines are blanked before auditing, so
they never influence the document (line numbers stay the same).

For every rule annotated in a file the harness counts true/false
positives/negatives; a finding of an annotated rule on a line nobody
annotated counts as a false positive.  ``audit test-rules`` and the
project's own test suite both use this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_ANNOTATION = re.compile(r"^\s*(?:<!--\s*|#\s*)(expect|ok)\s*:\s*([A-Za-z0-9_.,\s-]+?)\s*(?:-->)?\s*$")
FIXTURE_SUFFIXES = (".txt", ".md", ".html", ".htm", ".markdown")


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0


@dataclass
class FixtureResult:
    path: str
    counts: dict[str, Counts] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def parse_annotations(text: str) -> tuple[str, dict[int, dict[str, set[str]]]]:
    """Return the text with annotation lines blanked, and ``line -> {expect|ok: ids}``."""
    lines = text.split("\n")
    notes: dict[int, dict[str, set[str]]] = {}
    pending: list[tuple[str, list[str]]] = []
    for i, line in enumerate(lines):
        m = _ANNOTATION.match(line)
        if m:
            pending.append((m.group(1), [x.strip() for x in m.group(2).split(",") if x.strip()]))
            lines[i] = ""
            continue
        if pending and line.strip():
            slot = notes.setdefault(i + 1, {"expect": set(), "ok": set()})
            for kind, ids in pending:
                slot[kind].update(ids)
            pending = []
    return "\n".join(lines), notes


def fixture_format(path: Path) -> str:
    suffix = path.suffix.lower()
    return "html" if suffix in (".html", ".htm") else "markdown" if suffix in (".md", ".markdown") else "text"


def run_fixture(path: Path, engine) -> FixtureResult:
    from audit.document.load import parse
    from audit.errors import InputError

    result = FixtureResult(str(path))
    text, notes = parse_annotations(path.read_text(encoding="utf-8"))
    try:
        doc = parse(text, source=str(path), fmt=fixture_format(path))
        findings = engine.findings(doc)
    except InputError as exc:
        result.problems.append(str(exc))
        return result
    known = {r.id for r in engine.rules}
    annotated: set[str] = set()
    for slot in notes.values():
        annotated |= slot["expect"] | slot["ok"]
    for rid in sorted(annotated - known):
        result.problems.append(f"{path}: annotation names unknown or disabled rule {rid}")
    lines_with: dict[str, set[int]] = {}
    for f in findings:
        if f.line is None or f.rule not in annotated:
            continue
        lines_with.setdefault(f.rule, set()).update(range(f.line, (f.end_line or f.line) + 1))
    for rid in sorted(annotated & known):
        c = result.counts.setdefault(rid, Counts())
        hit = lines_with.get(rid, set())
        expected_lines = {ln for ln, s in notes.items() if rid in s["expect"]}
        ok_lines = {ln for ln, s in notes.items() if rid in s["ok"]}
        for ln in sorted(expected_lines):
            if ln in hit:
                c.tp += 1
            else:
                c.fn += 1
                result.problems.append(f"{path}:{ln}: expected {rid}, got nothing")
        for ln in sorted(ok_lines):
            if ln in hit:
                c.fp += 1
                result.problems.append(f"{path}:{ln}: {rid} reported on a line marked ok")
            else:
                c.tn += 1
        for f in findings:
            if f.rule == rid and f.line is not None and \
                    not any(ln in expected_lines | ok_lines for ln in range(f.line, (f.end_line or f.line) + 1)):
                c.fp += 1
                result.problems.append(f"{path}:{f.line}: unexpected {rid}: {f.message}")
    return result


def collect(directory: Path) -> list[Path]:
    return sorted(p for p in Path(directory).rglob("*") if p.suffix.lower() in FIXTURE_SUFFIXES and p.is_file())


def check_examples(rule, engine) -> list[str]:
    """Run a rule's own ``examples``; return the problems (empty when all behave)."""
    from audit.document.load import parse
    from audit.errors import InputError

    problems = []
    network = bool(rule.params.get("params", {}).get("network"))
    for key, want in (("match", True), ("no_match", False)):
        if network and want:
            continue     # positive examples of online checks need the network; tests/web covers them
        for ex in rule.examples.get(key, []):
            fmt = "html" if ex.lstrip().startswith("<") else "text"
            try:
                doc = parse(ex, source="<example>", fmt=fmt)
            except InputError:
                problems.append(f"{rule.id}: example {ex!r} has no text")
                continue
            got = any(f.rule == rule.id for f in engine.findings(doc))
            if got != want:
                problems.append(f"{rule.id}: example {ex!r} should {'' if want else 'not '}be flagged")
    return problems
