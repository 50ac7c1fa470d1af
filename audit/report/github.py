"""``--format github``: GitHub Actions workflow commands, so findings show on the diff.

``::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=RULE::message``

Why the escaping matters (textlint's ``github.ts`` shipped without it): the
runner parses these lines, so a ``%``, CR or LF in a message would end or
corrupt the command, and a ``:`` or ``,`` in a property (a file name, a rule
title) would split it.  Data is escaped ``%`` -> ``%25``, CR -> ``%0D``,
LF -> ``%0A``; properties additionally ``:`` -> ``%3A`` and ``,`` -> ``%2C``.

Levels: error -> ``error``, warning -> ``warning``, info -> ``notice``.  A
document-level finding names only the file.  GitHub shows at most ten
annotations of each level per step, so the CLI also appends the full
scorecards as Markdown to ``$GITHUB_STEP_SUMMARY`` when it is set
(:func:`step_summary`).
"""

from __future__ import annotations

from audit.report.common import GITHUB_LEVEL, display_path


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **props) -> str:
    parts = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items() if v is not None)
    return f"::{level}{' ' + parts if parts else ''}::{escape_data(message)}"


def annotation(path: str, f) -> str:
    message = f.message
    if f.points:
        message += f" (-{f.points:g} points, {f.category})"
    if f.suggestion:
        message += f"\nSuggestion: {f.suggestion}"
    level = GITHUB_LEVEL.get(f.level, "warning")
    if f.line is None:
        return command(level, message, file=path, title=f.rule)
    return command(level, message, file=path, line=f.line, col=f.column, endLine=f.end_line,
                   endColumn=f.end_column, title=f.rule)


def render(cards, ctx) -> str:
    out: list[str] = []
    for card in cards:
        path = display_path(card.source, ctx.root)
        if card.error:
            out.append(command("error", card.error, file=path, title="audit: unreadable input"))
            continue
        out.extend(annotation(path, f) for f in card.findings)
    return "".join(line + "\n" for line in out)


def step_summary(cards, ctx) -> str:
    """The Markdown appended to ``$GITHUB_STEP_SUMMARY``: every scorecard, not just ten annotations."""
    from audit.report.markdown import STEP_SUMMARY_BUDGET, render as markdown

    return markdown(cards, ctx, budget=STEP_SUMMARY_BUDGET)
