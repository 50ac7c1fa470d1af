"""The command line: options in, library calls, a reporter, an exit code.

Exit codes: 0 policy met; 1 policy failed; 2 usage, config or rule error
(nothing audited); 3 some inputs could not be read (the rest were audited
and reported).  Heavy modules (lxml, requests) are imported only by the
commands that need them, so ``audit --version`` and ``audit rules`` start fast.
"""

from __future__ import annotations

import os
import sys

import click

from audit import __version__, options
from audit.errors import EXIT_INPUT, EXIT_OK, EXIT_POLICY, AuditError
from audit.report import FORMATS

_DEBUG = False


def _codes(values) -> list[str]:
    out = []
    for v in values:
        out.extend(c.strip() for c in v.split(",") if c.strip())
    return out


def _settings(config, isolated, **overrides):
    from audit.config import apply, load_settings

    settings = load_settings(config, isolated=isolated)
    data = {k: v for k, v in overrides.items() if v not in (None, [], ())}
    if data:
        apply(settings, data, "command line")
    return settings


def _policy_settings(config, isolated, *, fail_under, fail_on, select, ignore, include, exclude, max_size,
                     online, allow_private, no_cache, baseline=None):
    """The Settings of ``check`` and ``batch``: configuration files, then the policy and
    selection flags; the network flags are only ever set on the command line."""
    settings = _settings(config, isolated, **{
        "fail-under": fail_under, "fail-on": fail_on, "select": _codes(select) or None,
        "ignore": _codes(ignore) or None, "include": list(include) or None, "exclude": list(exclude) or None,
        "max-size": max_size, "baseline": baseline,
    })
    settings.online, settings.allow_private, settings.use_cache = online, allow_private, not no_cache
    return settings


class _Group(click.Group):
    """Turns user errors into one line on stderr and the documented exit code."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except AuditError as exc:
            if _DEBUG:
                raise
            click.echo(f"audit: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("audit: interrupted", err=True)
            ctx.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="audit", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks for errors.")
def cli(debug):
    """Audit the credibility of written sources and score each one, with the evidence."""
    global _DEBUG
    _DEBUG = debug


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="text", show_default=True,
              help="Format on standard output.")
@click.option("--output", "outputs", multiple=True, metavar="FORMAT:PATH",
              help="Also write FORMAT to PATH (repeatable, written atomically), e.g. sarif:audit.sarif.")
@click.option("--baseline", type=click.Path(dir_okay=False),
              help="Baseline file: fail only on findings that are not in it.")
@click.option("--write-baseline", type=click.Path(dir_okay=False),
              help="Write every current finding to this baseline file (then the run passes).")
@options.policy_and_selection
@click.option("--color/--no-color", default=None, help="Colour the report (default: on a terminal).")
@click.option("-q", "--quiet", is_flag=True, help="Only the score line per source and the summary.")
@options.network
def check(paths, fmt, outputs, baseline, write_baseline, fail_under, fail_on, exit_zero, select, ignore, config,
          isolated, rules_path, include, exclude, max_size, color, quiet, online, allow_private, no_cache):
    """Audit PATHS (files, directories, http(s) URLs, or - for stdin) and print a scorecard for each."""
    from pathlib import Path

    from audit.document.load import DEFAULT_INCLUDE, expand
    from audit.engine import Engine
    from audit.model import Scorecard
    from audit.report.output import check_writable, parse_specs
    from audit.rulepack import rules_for

    # where reports go is checked before anything is audited (exit 2)
    specs = parse_specs(outputs, FORMATS)
    if write_baseline:
        check_writable(Path(write_baseline), "--write-baseline")
    settings = _policy_settings(config, isolated, fail_under=fail_under, fail_on=fail_on, select=select,
                                ignore=ignore, include=include, exclude=exclude, max_size=max_size,
                                online=online, allow_private=allow_private, no_cache=no_cache, baseline=baseline)
    ruleset = rules_for(settings, rules_path)
    engine = Engine(ruleset, settings)
    errors: list = []
    cards = []
    for item in expand(paths, include=settings.include or DEFAULT_INCLUDE, exclude=settings.exclude,
                       errors=errors):
        cards.append(engine.audit_input(item))
    for err in errors:
        cards.append(Scorecard(str(err).split(":", 1)[0], error=str(err)))
    for card in cards:
        for note in card.rule_errors:
            click.echo(f"audit: warning: {card.source}: rule failed: {note}", err=True)
    if color is None:
        color = fmt == "text" and sys.stdout.isatty()
    _report(engine, cards, fmt, specs, color=color, quiet=quiet)
    for card in cards:
        if card.error:
            click.echo(f"audit: error: {card.error}", err=True)
    if write_baseline:
        from audit.suppress import write_baseline as write

        count = write(cards, write_baseline)
        click.echo(f"audit: wrote {count} finding{'s' if count != 1 else ''} to the baseline {write_baseline}",
                   err=True)
    if any(c.error for c in cards):
        sys.exit(EXIT_INPUT)
    # a new baseline accepts every current finding, so the run passes; where reports go never matters
    if not exit_zero and not write_baseline and any(not c.passed for c in cards):
        sys.exit(EXIT_POLICY)
    sys.exit(EXIT_OK)


def _report_root():
    """Paths in reports are relative to the working directory -- or, in GitHub Actions, to the
    checkout ($GITHUB_WORKSPACE), which annotations and code scanning need even when audit runs
    in a subdirectory."""
    from pathlib import Path

    cwd = Path.cwd()
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if workspace and Path(workspace).is_dir():
        ws = Path(workspace).resolve()
        if ws == cwd.resolve() or ws in cwd.resolve().parents:
            return ws
    return cwd


def _report(engine, cards, fmt, specs, *, color, quiet):
    """Standard output in ``fmt``, each ``--output`` file, and the GitHub step summary."""
    import dataclasses

    from audit.report import context_for, render
    from audit.report.output import OutputError, write_atomic

    ctx = context_for(engine, color=color, quiet=quiet, root=_report_root())
    click.echo(render(fmt, cards, context=ctx), nl=False)
    plain = dataclasses.replace(ctx, color=False)
    for spec in specs:
        try:
            write_atomic(spec.path, render(spec.fmt, cards, context=plain))
        except OSError as exc:
            raise OutputError(f"cannot write {spec.fmt} report to {spec.path}: {exc.strerror or exc}") from None
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file and "github" in {fmt, *(s.fmt for s in specs)}:
        from audit.report.github import step_summary

        try:
            with open(summary_file, "a", encoding="utf-8") as fh:
                fh.write(step_summary(cards, plain) + "\n")
        except OSError as exc:
            click.echo(f"audit: warning: cannot append to $GITHUB_STEP_SUMMARY ({exc.strerror or exc})", err=True)


@cli.command("test-rules")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
def test_rules_cmd(directory):
    """Test a rule pack in DIRECTORY against its annotated fixtures and examples.

    DIRECTORY is a pack (*.toml, lexicons/) as given to --rules-path.  Fixtures are
    the .txt/.md/.html files with ``expect:``/``ok:`` annotations under DIRECTORY/fixtures/,
    or under DIRECTORY itself (lexicons/ excluded) when there is no fixtures/ folder.
    Exit 0 all behave, 1 a rule missed or over-fired, 2 the pack is broken.
    """
    from audit.ruletest import format_report, run

    report = run(directory)
    click.echo(format_report(report), nl=False)
    sys.exit(EXIT_OK if report.ok else EXIT_POLICY)


@cli.command("init")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.option("--path", "path", default=".audit.toml", show_default=True, type=click.Path(dir_okay=False),
              help="Where to write the settings.")
def init_cmd(force, path):
    """Write a commented starter settings file (.audit.toml)."""
    from pathlib import Path

    from audit.config import STARTER, load_settings
    from audit.report.output import check_writable, write_atomic

    target = Path(path)
    if target.exists() and not force:
        raise AuditError(f"{path} already exists; use --force to overwrite it")
    check_writable(target, "init")
    write_atomic(target, STARTER)
    load_settings(str(target))           # the starter must always load cleanly
    click.echo(f"wrote {path}: edit it, then run 'audit config' to see the resolved settings")


@cli.command("rules")
@options.rule_sources
def rules_cmd(rules_path, config, isolated):
    """List the rules: id, category, level, weight and what each looks for."""
    from audit.rulepack import rules_for

    settings = _settings(config, isolated)
    ruleset = rules_for(settings, rules_path)
    rows = sorted(ruleset.rules, key=lambda r: (r.category, r.id))
    width = max((len(r.id) for r in rows), default=10)
    for r in rows:
        over = settings.rules.get(r.id, {})
        level, weight = over.get("level", r.level), over.get("weight", r.weight)
        on = "" if settings.selected(r.id, r.category) and over.get("enabled", r.enabled) else "  (off)"
        click.echo(f"{r.id:<{width}}  {r.category:<18} {level:<7} {weight:>4g}  {r.summary()}{on}")
    from audit.suppress import META_RULES

    for rid, spec in META_RULES.items():     # built into the engine: suppression comments
        level = settings.rules.get(rid, {}).get("level", spec["level"])
        on = "" if settings.selected(rid, "") else "  (off)"
        click.echo(f"{rid:<{width}}  {'(named rule)':<18} {level:<7} {0:>4g}  {spec['message'].rstrip('.')}{on}")


@cli.command("rule")
@click.argument("rule_id")
@options.rule_sources
def rule_cmd(rule_id, rules_path, config, isolated):
    """Show one rule: what it checks, why it matters, and examples."""
    from audit.rulepack import rules_for

    ruleset = rules_for(_settings(config, isolated), rules_path)
    rule = ruleset.by_id().get(rule_id)
    from audit.suppress import META_RULES

    if rule is None and rule_id in META_RULES:
        spec = META_RULES[rule_id]
        click.echo(f"{rule_id}  [category of the rule it names, {spec['level']}, weight 0, built in]")
        click.echo(f"\nMessage: {spec['message']}\n\nWhy it matters:\n  {spec['rationale']}")
        click.echo(f"\nFix: {spec['suggestion']}\n\nSee docs/reports.md (suppression comments).")
        return
    if rule is None:
        raise AuditError(f"unknown rule {rule_id!r} (see 'audit rules')")
    click.echo(f"{rule.id}  [{rule.category}, {rule.level}, weight {rule.weight:g}, kind {rule.kind}]")
    click.echo(f"\nMessage: {rule.message}")
    click.echo(f"\nWhy it matters:\n  {rule.rationale}")
    if rule.criterion:
        click.echo(f"\nCriterion: {rule.criterion}")
    for key, label in (("match", "Flags"), ("no_match", "Does not flag")):
        if rule.examples.get(key):
            click.echo(f"\n{label}:")
            for ex in rule.examples[key]:
                click.echo(f"  - {ex}")
    click.echo(f"\nDefined in: {rule.origin}")


@cli.command("config")
@options.settings_source
def config_cmd(config, isolated):
    """Print the resolved settings and the file each came from."""
    from audit.config import describe

    settings = _settings(config, isolated)
    click.echo(f"# config file: {settings.config_file or '(none found)'}")
    for key, value, origin in describe(settings):
        click.echo(f"{key} = {value!r}    # {origin}")


def main(argv=None):
    cli.main(args=argv, prog_name="audit")


from audit.batch.cli import batch; cli.add_command(batch)  # noqa: E402,E702  audit batch (issue 5)
