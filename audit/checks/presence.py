"""presence: document-level requirements (an author, a date, references, a disclosure).

A missing author or date is reported once per document with no position.
``when`` patterns make a requirement conditional: "references" are only
required from a page that makes at least ``when_min`` health claims.
"""

from __future__ import annotations

from audit.checks.base import Context, Hit
from audit.rulepack import REGEX_TIMEOUT


def has(target: str, ctx: Context) -> bool:
    st = ctx.structure
    if target == "author":
        return bool(st.authors)
    if target == "date":
        return bool(st.dates)
    if target == "references":
        return bool(st.references)
    if target == "disclosure":
        return st.disclosure is not None
    raise ValueError(target)


def run(rule, ctx: Context):
    target = rule.params["require"]
    if has(target, ctx):
        return
    when = rule.params.get("_when")
    if when is not None:
        need = rule.params.get("when_min", 1)
        count = 0
        for b in ctx.doc.blocks:
            try:
                count += sum(1 for _ in when.finditer(b.text, timeout=REGEX_TIMEOUT))
            except TimeoutError:
                break
            if count >= need:
                break
        if count < need:
            return
        yield Hit(None, args={"count": count})
        return
    yield Hit(None)
