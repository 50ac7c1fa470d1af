"""Command-line options shared by several commands (``check``, ``batch``, ``rules``,
``rule``, ``config``).

One definition, so the commands cannot drift apart in names, types or help text.
Imports only click: ``audit --version`` must stay fast.
"""

from __future__ import annotations

import click


def _stack(*decorators):
    def apply(func):
        for deco in reversed(decorators):
            func = deco(func)
        return func

    return apply


# where the settings come from: every command that reads them takes these
settings_source = _stack(
    click.option("--config", type=click.Path(dir_okay=False), help="Settings file (skips discovery)."),
    click.option("--isolated", is_flag=True, help="Ignore all configuration files."),
)

# ... and the rules: every command that loads rules takes these
rule_sources = _stack(
    settings_source,
    click.option("--rules-path", multiple=True, type=click.Path(file_okay=False),
                 help="Extra directory of rule packs and lexicons."),
)

policy_and_selection = _stack(
    click.option("--fail-under", type=click.FloatRange(0, 100), help="Fail a source scoring below SCORE."),
    click.option("--fail-on", type=click.Choice(["info", "warning", "error", "never"]),
                 help="Fail a source with a finding at LEVEL or above.  [default: error]"),
    click.option("--exit-zero", is_flag=True, help="Exit 0 even when the policy fails."),
    click.option("--select", multiple=True, help="Rule id prefixes or categories to enable (comma-separated)."),
    click.option("--ignore", multiple=True, help="Rule id prefixes or categories to disable (comma-separated)."),
    rule_sources,
    click.option("--include", multiple=True, help="Glob of files to audit inside directories."),
    click.option("--exclude", multiple=True, help="Glob of files or directories to skip."),
    click.option("--max-size", type=click.IntRange(1), help="Largest input in bytes.  [default: 20 MB]"),
)

network = _stack(
    click.option("--online", is_flag=True,
                 help="Verify cited links, DOIs and PubMed ids over the network (off by default)."),
    click.option("--allow-private", is_flag=True,
                 help="Let URL inputs and --online checks reach loopback and private addresses."),
    click.option("--no-cache", is_flag=True, help="Do not read or write the cache of --online results."),
)
