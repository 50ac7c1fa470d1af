"""Output formats.  Reporters only read Scorecards; they never run rules.

Each format is one module with ``render(cards, ctx) -> str`` (the whole
report as text; the CLI decides where it goes).  A reporter that needs more
than the Scorecards -- rule rationale for SARIF descriptors, the root that
relative paths are computed from, the version to print -- reads it from the
:class:`ReportContext`, so goldens can pin every one of those.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

# format -> module under audit.report
FORMATS = {
    "text": "text",
    "line": "line",
    "json": "json_report",
    "jsonl": "jsonl",
    "sarif": "sarif",
    "github": "github",
    "junit": "junit",
    "markdown": "markdown",
    "html": "html",
}


@dataclass
class ReportContext:
    """What a reporter may know besides the Scorecards."""

    version: str = ""
    rules: dict[str, Any] = field(default_factory=dict)   # rule id -> rulepack.Rule (or alike)
    root: Path = field(default_factory=Path.cwd)          # relative paths and SARIF %SRCROOT%
    color: bool = False
    quiet: bool = False
    fail_under: float | None = None
    fail_on: str | None = None
    information_uri: str | None = None

    def __post_init__(self):
        if not self.version:
            from audit import __version__

            self.version = __version__


def context_for(engine=None, *, color=False, quiet=False, root: Path | None = None) -> ReportContext:
    """A context from an Engine: its full rule set, the policy it applied."""
    ctx = ReportContext(color=color, quiet=quiet, root=root or Path.cwd())
    if engine is not None:
        ctx.rules = dict(engine.ruleset.by_id())
        for r in engine.rules:          # the overridden levels/weights this run used
            ctx.rules[r.id] = r
        ctx.fail_under = engine.settings.fail_under
        ctx.fail_on = engine.settings.fail_on
    return ctx


def render(fmt: str, cards, *, color: bool = False, quiet: bool = False, context: ReportContext | None = None) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    ctx = context or ReportContext()
    if context is None:
        ctx.color, ctx.quiet = color, quiet
    module = import_module(f"audit.report.{FORMATS[fmt]}")
    return module.render(cards, ctx)
