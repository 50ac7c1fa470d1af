"""``--format markdown``: a summary sized for a pull-request comment, then details per source.

Why this shape: a reviewer reads the table (source, score, band, pass/fail,
findings) and opens only the sources they care about; each source's details
sit in a collapsed ``<details>`` block.  The worst sources come first.

GitHub rejects comments over 65,536 characters, so the report stops adding
details (and, for huge runs, table rows) before ~60,000 characters and says
how many it left out; the full report is the HTML or SARIF output.

Text from the audited sources is untrusted: it is HTML-escaped (GitHub
renders inline HTML), ``|`` is escaped inside tables, ``@`` and ``#`` are
written as entities so an excerpt cannot mention a user or link an issue,
and excerpts sit in code spans.
"""

from __future__ import annotations

import html

from audit.model import CATEGORIES
from audit.report.common import display_path, one_line, summary

BUDGET = 60_000               # a pull-request comment (GitHub's limit: 65,536 characters)
STEP_SUMMARY_BUDGET = 250_000  # $GITHUB_STEP_SUMMARY: 1 MiB per step, even at 4 UTF-8 bytes a character
# Markdown-active characters in untrusted text, replaced in one pass by numeric entities.
_ENTITIES = str.maketrans({ch: f"&#{ord(ch)};" for ch in "\\|@#*_`[]~<>"})


def text(value) -> str:
    """Untrusted text for a Markdown table cell or paragraph."""
    return html.escape(one_line(str(value)), quote=False).translate(_ENTITIES)


def code(value, limit: int = 120) -> str:
    """Untrusted text as an inline code span (HTML, so entities keep it inert inside tables)."""
    out = html.escape(one_line(str(value), limit), quote=False)
    return "<code>" + out.replace("|", "&#124;").replace("@", "&#64;").replace("`", "&#96;") + "</code>"


def _order(cards):
    return sorted(cards, key=lambda c: (c.error is None, bool(c.passed), c.score if c.score is not None else -1))


def _row(card, root) -> str:
    src = code(display_path(card.source, root), 80)
    if card.error:
        return f"| {src} | \u2014 | unreadable | \u26a0\ufe0f error | \u2014 |"
    result = "\u2705 pass" if card.passed else "\u274c fail"
    return f"| {src} | {card.score} | {text(card.band)} | {result} | {len(card.findings)} |"


def details(card, root) -> str:
    src = display_path(card.source, root)
    if card.error:
        return (f"<details><summary>{code(src, 80)}: could not be read</summary>\n\n"
                f"{text(card.error)}\n\n</details>\n")
    n = len(card.findings)
    verdict = "pass" if card.passed else "FAIL"
    lines = [f"<details><summary>{code(src, 80)}: {card.score}/100, {text(card.band)}, {verdict}, "
             f"{n} finding{'s' if n != 1 else ''}</summary>", ""]
    lost = [(c, card.categories[c]) for c in CATEGORIES if c in card.categories and card.categories[c].findings]
    if lost:
        lines += ["| Category | Subscore | Points lost | Findings |", "| --- | ---: | ---: | ---: |"]
        lines += [f"| {c} | {cs.score:g} | {cs.points_lost:g} | {cs.findings} |" for c, cs in lost]
        lines.append("")
    if card.signals:
        lines.append("Signals: " + ", ".join(f"{text(s.name)} (+{s.points:g})" for s in card.signals))
        lines.append("")
    if card.findings:
        lines += ["| Where | Level | Rule | Points | Message | Excerpt |", "| --- | --- | --- | ---: | --- | --- |"]
        for f in card.findings:
            where = f"{f.line}:{f.column}" if f.line is not None else "document"
            excerpt = code(f.excerpt, 80) if f.excerpt else ""
            lines.append(f"| {where} | {f.level} | `{f.rule}` | {f.points:g} | {text(f.message)} | {excerpt} |")
        lines.append("")
    if card.suppressed:
        lines.append(f"{len(card.suppressed)} suppressed finding{'s' if len(card.suppressed) != 1 else ''} "
                     "(comments or baseline) not counted.")
        lines.append("")
    lines.append("</details>")
    return "\n".join(lines) + "\n"


def render(cards, ctx, budget: int = BUDGET) -> str:
    s = summary(cards)
    mean = f"{s['mean']:.1f}" if s["mean"] is not None else "n/a"
    head = [f"## audit: {s['sources']} source{'s' if s['sources'] != 1 else ''}, "
            f"{s['failed']} failed, mean score {mean}", ""]
    policy = []
    if ctx.fail_under is not None:
        policy.append(f"fail under {ctx.fail_under:g}")
    if ctx.fail_on:
        policy.append(f"fail on {ctx.fail_on}")
    meta = f"audit {ctx.version}" + (f" \u00b7 policy: {', '.join(policy)}" if policy else "")
    if s["findings"] or s["suppressed"] or s["errors"]:
        meta += f" \u00b7 {s['findings']} findings"
        if s["suppressed"]:
            meta += f", {s['suppressed']} suppressed"
        if s["errors"]:
            meta += f", {s['errors']} unreadable"
    head += [meta, "", "| Source | Score | Band | Result | Findings |", "| --- | ---: | --- | --- | ---: |"]
    ordered = _order(cards)
    out = "\n".join(head) + "\n"
    rows_left = len(ordered)
    for card in ordered:
        row = _row(card, ctx.root) + "\n"
        if len(out) + len(row) > budget // 2:
            break
        out += row
        rows_left -= 1
    if rows_left:
        out += f"\n_\u2026and {rows_left} more sources; see the HTML or SARIF report._\n"
    out += "\n"
    skipped = 0
    for i, card in enumerate(ordered):
        block = details(card, ctx.root) + "\n"
        if len(out) + len(block) > budget:
            skipped = len(ordered) - i
            break
        out += block
    if skipped:
        out += f"_Details of {skipped} more sources left out to fit a comment; see the HTML or SARIF report._\n"
    return out.rstrip("\n") + "\n"
