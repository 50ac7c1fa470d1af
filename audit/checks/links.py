"""Link text that promises a source and leads nowhere.

In plain text there are no links at all, so "click here" or a sentence
ending in a bare "Link" is always dead (a bare "Link" inside a references
section is left to Citation.LinkPlaceholder).  In HTML, the same texts are dead
when their anchor has no usable ``href`` (missing, empty, ``#`` or
``javascript:``).
"""

from __future__ import annotations

import re

from audit.checks.base import Hit

_TEXT_DEAD = re.compile(
    r"\b(?:click here|tap here|click this link|follow this link|read more here|(?:see|visit|found|read) here)\b(?=\W*$|\W*[.!)])"
    r"|(?<=[.!?] )(?:Link|Here|Source|Click here)\W*$"
    r"|^(?:Link|Click here|Here)\W*$",
    re.I)
_HTML_DEAD_TEXT = re.compile(r"^\W*(?:click here|here|link|this link|source)\W*$", re.I)   # not "More": menu toggles


def _dead_href(href: str | None) -> bool:
    if href is None:
        return True
    h = href.strip().lower()
    return h in ("", "#", "#!") or h.startswith("javascript:")


def check_dead_link_text(rule, ctx):
    doc = ctx.doc
    if doc.format == "html":
        for link in doc.links:
            if _HTML_DEAD_TEXT.match(link.text) and _dead_href(link.href):
                block = doc.blocks[link.block]
                yield Hit(block, link.raw_start, link.raw_end, {"match": link.text, "detail": " (the anchor has no href)"},
                          raw=True)
        return
    refs = set(ctx.structure.reference_blocks)   # a bare "Link" in a reference is Citation.LinkPlaceholder's
    for b in doc.blocks:
        if b.kind not in rule.scope or b.index in refs:
            continue
        for m in _TEXT_DEAD.finditer(b.text):
            yield Hit(b, m.start(), m.end(), {"match": m.group(), "detail": " (plain text cannot carry a link)"})
