"""``audit test-rules DIR``: the project's rule-testing harness, for a user's own pack.

Why ship it: a rule author needs the same loop the project uses (semgrep
``--test``): write a pack, annotate a few documents, see per rule what it
caught and what it missed.  This module is a thin layer over
:mod:`audit.fixtures` (``run_fixture``, ``collect``, ``check_examples``).

Layout (the same directory works as ``--rules-path DIR``)::

    DIR/
      house.toml              [[rule]] tables
      lexicons/*.txt          lexicons (never taken as fixtures)
      fixtures/               annotated documents; when this folder is absent,
                              annotated documents anywhere in DIR are used

A fixture is a .txt, .md or .html file with at least one ``expect:`` or
``ok:`` annotation (files without one, such as a README, are skipped).  Each
rule of the pack also runs its own ``examples``.  A broken pack raises
RuleError (exit 2); any false positive, false negative, failing example or
unknown annotated rule makes the run fail (exit 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from audit.errors import RuleError
from audit.fixtures import Counts, _ANNOTATION, check_examples, collect, run_fixture


@dataclass
class RuleTestReport:
    directory: str
    fixtures: list[str] = field(default_factory=list)
    counts: dict[str, Counts] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    examples: dict[str, tuple[int, int]] = field(default_factory=dict)   # rule -> (run, failed)
    untested: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _annotated(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return True        # let run_fixture report it
    return any(_ANNOTATION.match(line) for line in text.split("\n"))


def fixture_files(directory: Path) -> list[Path]:
    base = directory / "fixtures" if (directory / "fixtures").is_dir() else directory
    out = []
    for p in collect(base):
        rel = p.relative_to(directory).parts
        if "lexicons" in rel or any(part.startswith(".") for part in rel):
            continue
        if _annotated(p):
            out.append(p)
    return out


def run(directory) -> RuleTestReport:
    from audit.config import Settings
    from audit.engine import Engine
    from audit.errors import InputError
    from audit.rulepack import load_rules

    d = Path(directory)
    root = d.resolve()
    ruleset = load_rules([str(d)])
    own = [r for r in ruleset.rules if r.origin and root in Path(r.origin).resolve().parents]
    if not own:
        raise RuleError(d, None, None, "no rules found: a pack is *.toml files of [[rule]] tables")
    engine = Engine(ruleset, Settings())      # defaults: every rule on, no user config
    report = RuleTestReport(str(d))
    for path in fixture_files(d):
        report.fixtures.append(str(path))
        try:
            result = run_fixture(path, engine)
        except (OSError, UnicodeDecodeError, InputError) as exc:
            report.problems.append(f"{path}: cannot read fixture ({exc})")
            continue
        report.problems.extend(result.problems)
        for rid, c in result.counts.items():
            total = report.counts.setdefault(rid, Counts())
            total.tp += c.tp
            total.fp += c.fp
            total.fn += c.fn
            total.tn += c.tn
    active = {r.id for r in engine.rules}
    for rule in sorted(own, key=lambda r: r.id):
        n = sum(len(rule.examples.get(k, [])) for k in ("match", "no_match"))
        problems = check_examples(rule, engine) if rule.id in active else []
        report.examples[rule.id] = (n, len(problems))
        report.problems.extend(problems)
        if rule.id not in report.counts and not n:
            report.untested.append(rule.id)
    return report


def format_report(report: RuleTestReport) -> str:
    rows = sorted(set(report.counts) | set(report.examples))
    width = max([len(r) for r in rows] + [4])
    lines = [f"{'rule':<{width}}  {'TP':>4} {'FP':>4} {'FN':>4} {'TN':>4}  examples"]
    for rid in rows:
        c = report.counts.get(rid, Counts())
        n, bad = report.examples.get(rid, (0, 0))
        ex = "-" if not n else ("ok" if not bad else f"{bad} failed") + f" ({n})"
        lines.append(f"{rid:<{width}}  {c.tp:>4} {c.fp:>4} {c.fn:>4} {c.tn:>4}  {ex}")
    if report.untested:
        lines.append("")
        lines.append("untested (no fixture annotation, no examples): " + ", ".join(report.untested))
    if report.problems:
        lines.append("")
        lines.append("problems:")
        lines.extend(f"  {p}" for p in report.problems)
    lines.append("")
    n = len(report.fixtures)
    verdict = "all rules behave" if report.ok else f"{len(report.problems)} problem{'s' if len(report.problems) != 1 else ''}"
    lines.append(f"{n} fixture file{'s' if n != 1 else ''}, {len(report.examples)} rule"
                 f"{'s' if len(report.examples) != 1 else ''} in the pack: {verdict}")
    return "\n".join(lines) + "\n"
