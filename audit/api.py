"""The Python API behind ``audit.audit_text`` & co. (see audit/__init__.py)."""

from __future__ import annotations

from pathlib import Path

from audit.config import Settings
from audit.engine import Engine
from audit.rulepack import RuleSet
from audit.rulepack import rules_for

# (rules, config) -> Engine.  The objects themselves are kept beside the engine and compared by
# identity, so a recycled id() can never hand back an engine built for other rules.
_ENGINES: dict[tuple[int, int], tuple[object, object, Engine]] = {}


def load_rules(*, extra_paths=(), config: Settings | None = None) -> RuleSet:
    """The built-in rules, then ``config``'s rule-paths, then ``extra_paths`` (as the CLI)."""
    return rules_for(config or Settings(), extra_paths)


def _engine(rules, config) -> Engine:
    if isinstance(rules, Engine):
        return rules
    key = (id(rules), id(config))
    cached = _ENGINES.get(key)
    if cached is not None and cached[0] is rules and cached[1] is config:
        return cached[2]
    eng = Engine(rules or load_rules(config=config), config or Settings())
    _ENGINES[key] = (rules, config, eng)
    return eng


def audit_text(text: str, *, source="<text>", fmt="text", rules=None, config=None):
    from audit.document.load import parse
    from audit.errors import InputError
    from audit.model import Scorecard

    try:
        doc = parse(text, source=source, fmt=fmt)
    except InputError as exc:
        return Scorecard(source, error=str(exc))
    return _engine(rules, config).audit_document(doc)


def audit_html(html, *, source="<html>", rules=None, config=None):
    if not isinstance(html, (str, bytes)):
        html = str(html)      # a BeautifulSoup object: same path, same findings
    if isinstance(html, bytes):
        from audit.document.decode import decode

        html, _ = decode(html, name=source)
    return audit_text(html, source=source, fmt="html", rules=rules, config=config)


def audit_path(path, *, rules=None, config=None):
    from audit.document.load import Input

    return _engine(rules, config).audit_input(Input(str(path), path=Path(path)))
