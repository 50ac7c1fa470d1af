"""The human report: per source the score and band, findings grouped by category."""

from __future__ import annotations

from audit.model import CATEGORIES

_LEVEL_COLOR = {"error": "red", "warning": "yellow", "info": "cyan"}


def _style(text, color, **kw):
    if not color:
        return text
    import click

    return click.style(text, **kw)


def _band_color(score):
    if score is None:
        return "red"
    return "green" if score >= 80 else "yellow" if score >= 40 else "red"


def render_card(card, *, color=False, quiet=False) -> list[str]:
    lines = []
    if card.error:
        lines.append(_style(f"{card.source}: error: {card.error}", color, fg="red", bold=True))
        return lines
    verdict = "pass" if card.passed else "FAIL"
    head = f"{card.source}  score {card.score}/100  {card.band}  [{verdict}]"
    lines.append(_style(head, color, fg=_band_color(card.score), bold=True))
    if quiet:
        return lines
    for s in card.signals:
        lines.append(_style(f"  + {s.name} (+{s.points:g})", color, fg="green") + (f"  {s.excerpt}" if s.excerpt else ""))
    groups: dict[str, list] = {}
    told: set[tuple[str, str]] = set()     # a rule's advice once per source, not after every finding
    for f in card.findings:
        groups.setdefault(f.category, []).append(f)
    for cat in CATEGORIES:
        items = groups.get(cat)
        if not items:
            continue
        cs = card.categories.get(cat)
        lost = f" -{cs.points_lost:g} points" if cs else ""
        lines.append(_style(f"  {cat}{lost}", color, bold=True))
        for f in items:
            where = f"{f.line}:{f.column}" if f.line is not None else "document"
            level = _style(f.level, color, fg=_LEVEL_COLOR.get(f.level))
            lines.append(f"    {where:<9} {level:<7} {f.rule} (-{f.points:g}) {f.message}")
            if f.excerpt:
                ex = " ".join(f.excerpt.split())
                if len(ex) > 100:
                    ex = ex[:97] + "..."
                lines.append(_style(f"              \u2502 {ex}", color, dim=True))
            if f.suggestion and (f.rule, f.suggestion) not in told:
                told.add((f.rule, f.suggestion))
                lines.append(f"              suggestion: {f.suggestion}")
    return lines


def render(cards, ctx=None, *, color=False, quiet=False) -> str:
    if ctx is not None:
        color, quiet = ctx.color, ctx.quiet
    out: list[str] = []
    for card in cards:
        out.extend(render_card(card, color=color, quiet=quiet))
        if not quiet:
            out.append("")
    scored = [c for c in cards if c.score is not None]
    failed = sum(1 for c in cards if not c.passed)
    errors = sum(1 for c in cards if c.error)
    findings = sum(len(c.findings) for c in cards)
    mean = sum(c.score for c in scored) / len(scored) if scored else 0
    footer = (f"{len(cards)} source{'s' if len(cards) != 1 else ''} audited, {findings} findings, "
              f"mean score {mean:.1f}, {failed} failed the policy")
    if errors:
        footer += f", {errors} could not be read"
    suppressed = sum(len(getattr(c, "suppressed", ()) or ()) for c in cards)
    if suppressed:
        footer += f", {suppressed} suppressed"
    out.append(_style(footer, color, bold=True))
    return "\n".join(out) + "\n"
