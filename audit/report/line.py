"""``--format line``: one finding per line, ``path:line:col: RULE [level] message``.

Why: editors (Vim's errorformat, Emacs compilation-mode, VS Code problem
matchers), reviewdog and plain grep all read the compiler convention.  Every
line has the same four-field prefix so a single pattern parses them all:

* a finding with a position: ``seeds/a.txt:26:180: Placeholder.DeadLinkText [warning] ...``
* a document-level finding (no author, no date) has no position; it is
  reported at ``1:1`` -- line 0 is rejected or mis-placed by most of those
  consumers -- and the message ends with ``(document)`` so it is not mistaken
  for text on line 1;
* an input that could not be read: ``path:1:1: Audit.InputError [error] ...``.

Messages are flattened to one line.  There is no summary line: the exit code
says whether the policy passed.
"""

from __future__ import annotations

from audit.report.common import one_line


def format_finding(source: str, f) -> str:
    if f.line is None:
        return f"{source}:1:1: {f.rule} [{f.level}] {one_line(f.message)} (document)"
    return f"{source}:{f.line}:{f.column}: {f.rule} [{f.level}] {one_line(f.message)}"


def render(cards, ctx=None) -> str:
    out: list[str] = []
    for card in cards:
        if card.error:
            out.append(f"{card.source}:1:1: Audit.InputError [error] {one_line(card.error)}")
            continue
        out.extend(format_finding(card.source, f) for f in card.findings)
    return "".join(line + "\n" for line in out)
