"""Code checks, found through the ``audit.checks`` entry-point group.

Built-in checks are listed here too, so a source checkout works without
installed metadata.  A third-party package adds its own with::

    [project.entry-points."audit.checks"]
    my-check = "my_pkg.checks:my_check"

A check is ``check(rule, ctx) -> Iterable[Hit]``; ``rule.params["params"]``
holds the rule's free-form parameters.
"""

from __future__ import annotations

from functools import lru_cache

BUILTIN = {
    "enumeration": "audit.checks.enumeration:check_enumeration",
    "reference-topic": "audit.checks.references:check_reference_topic",
    "reference-quality": "audit.checks.references:check_reference_quality",
    "uncited-claim": "audit.checks.citations:check_uncited_claim",
    "expert-attribution": "audit.checks.experts:check_expert_attribution",
    "ad-markup": "audit.checks.admarkup:check_ad_markup",
    "dead-link-text": "audit.checks.links:check_dead_link_text",
    "filler-latin": "audit.checks.filler:check_filler_latin",
    "stray-caption": "audit.checks.captions:check_stray_caption",
    "impartial-claim": "audit.checks.commercial:check_impartial_claim",
    "affiliate-links": "audit.checks.commercial:check_affiliate_links",
    "table-totals": "audit.checks.tables:check_table_totals",
    "online-citations": "audit.checks.online:check_online_citations",
}


@lru_cache(maxsize=1)
def _entry_points() -> dict[str, str]:
    from importlib.metadata import entry_points

    found = dict(BUILTIN)
    for ep in entry_points(group="audit.checks"):
        found[ep.name] = ep.value
    return found


def available() -> list[str]:
    return sorted(_entry_points())


@lru_cache(maxsize=None)
def get_check(name: str):
    target = _entry_points().get(name)
    if target is None:
        return None
    module, _, attr = target.partition(":")
    from importlib import import_module

    try:
        return getattr(import_module(module), attr)
    except (ImportError, AttributeError):
        return None
