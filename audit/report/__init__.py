"""Output formats.  Reporters only read Scorecards; they never run rules."""

FORMATS = ("text", "json")


def render(fmt: str, cards, *, color: bool = False, quiet: bool = False) -> str:
    if fmt == "json":
        from audit.report.json_report import render as r

        return r(cards)
    from audit.report.text import render as r

    return r(cards, color=color, quiet=quiet)
