"""Named experts: placeholder names, and titles with nothing to check them against.

A quoted "Dr. John Smith" is the classic invented expert.  The check finds
titled people ("Dr. Ana Ruiz", "Prof. Lee", "Ana Ruiz, MD") and reports, by
mode (the rule's ``params.mode``):

* ``placeholder``: the name is in the placeholder-names lexicon;
* ``unaffiliated``: no mention of the person (any sentence naming their
  surname, and the sentence after it) carries an institution, an
  affiliation phrase, or a link;
* ``quote``: the quotation attributed to a placeholder-named expert.

Looking at every mention of the surname, not just the first sentence, keeps
news articles (which introduce someone once and then say "Smith said")
from being reported.
"""

from __future__ import annotations

import re

from audit.checks.base import Hit
from audit.matching import blocks_matching

_W = r"(?:[A-Z\u00c0-\u00de][\w'\-]+)"          # a capitalised word, accents included
TITLED = re.compile(
    rf"\b(?P<title>Dr\.?|Doctor|Prof\.?|Professor)\s+(?P<name>{_W}(?:\s+[A-Z]\.)?(?:\s+{_W}){{0,2}})"
    rf"|(?P<name2>{_W}(?:\s+[A-Z]\.)?\s+{_W}),?\s+(?P<cred>M\.?D\.?|Ph\.?D\.?|D\.?O\.?|MBBS|FRCS|DPhil)\b")
AFFILIATION = re.compile(
    r"\b(?:universit\w*|hospital|clinic|institut\w*|cent(?:er|re)|college|school of|faculty|department|"
    r"dept\.|laborator\w*|foundation|society|association|academy|ministry|agency|council|"
    r"NHS|NIH|CDC|FDA|WHO|Mayo|Harvard|Stanford|Johns Hopkins|Karolinska|"
    r"affiliat\w+|professor of|chair of|director of|head of|"
    # roles that identify a person in news copy, in the languages of the corpus
    r"ceo|chief|president|chair(?:man|woman)?|director|spokes\w+|minister|mayor|senator|governor|"
    r"commissioner|editor|founder|officer|author of|"
    r"universit\u00e4t|klinik\w*|krankenhaus|hochschule|ministerium|verband|b\u00fcrgermeister\w*|"
    r"vorsitzende\w*|pr\u00e4sident\w*|gesch\u00e4ftsf\u00fchr\w*|leiter\w*|sprecher\w*|"
    r"universit\u00e9|h\u00f4pital|universidad|instituto)\b", re.I)
NAMED_PLACE = re.compile(r"\b(?:at|of|from|with)\s+(?:the\s+)?[A-Z][\w&'-]+(?:\s+[A-Z][\w&'-]+)+")
_QUOTE = re.compile(r"[\"\u201c](?P<q>[^\"\u201d]{20,800})[\"\u201d]")
_NOT_PEOPLE = {"Dr", "Doctor", "Prof", "Professor", "The", "This", "That"}


def _placeholders(ctx) -> set[str]:
    return ctx.derived(("word-set", "placeholder-names"),
                       lambda: {n.lower() for n in ctx.lexicons.get("placeholder-names", [])})


# Every TITLED match holds a title or a credential, written with these capitals (TITLED is
# case-sensitive): one search over the page's text finds the few blocks that do, and TITLED,
# whose second branch starts at every capitalised word, runs on those alone.
_TITLE_OR_CREDENTIAL = re.compile(r"Dr|Doctor|Prof|M\.?D|Ph\.?D|D\.?O|MBBS|FRCS|DPhil")


def _candidate_blocks(ctx):
    """The blocks, in order, that hold a title or credential TITLED needs."""
    return blocks_matching(ctx.structure, _TITLE_OR_CREDENTIAL)


def _people(ctx, scope):
    """Titled people in ``scope``; the scan is shared by the three expert rules of a document."""
    found = ctx.doc.extra.get("_titled_people")
    if found is None:
        found = []
        for b in _candidate_blocks(ctx):
            for m in TITLED.finditer(b.text):
                name = m.group("name") or m.group("name2")
                if name.split()[0] not in _NOT_PEOPLE:
                    found.append((b, m, name))
        ctx.doc.extra["_titled_people"] = found
    return [(b, m, name) for b, m, name in found if b.kind in scope]


def _affiliated(ctx, surname: str) -> bool:
    st = ctx.structure
    sentences = st.sentences
    linked_blocks = {link.block for link in ctx.doc.links if link.href}
    pat = re.compile(r"\b" + re.escape(surname) + r"\b")
    for i, s in enumerate(sentences):
        if not pat.search(s.text):
            continue
        if s.block in linked_blocks:
            return True
        window = s.text
        if i + 1 < len(sentences) and sentences[i + 1].block == s.block:
            window += " " + sentences[i + 1].text
        stripped = pat.sub("", window)
        if AFFILIATION.search(stripped) or NAMED_PLACE.search(stripped):
            return True
    return False


def check_expert_attribution(rule, ctx):
    mode = rule.params.get("params", {}).get("mode", "placeholder")
    placeholders = _placeholders(ctx)
    needs = rule.sentence_has
    reported: set[str] = set()
    for b, m, name in _people(ctx, rule.scope):
        plain = " ".join(w for w in name.split() if not re.fullmatch(r"[A-Z]\.", w))
        is_placeholder = plain.lower() in placeholders
        if mode == "placeholder" and is_placeholder:
            yield Hit(b, m.start(), m.end(), {"match": m.group(0)})
        elif mode == "unaffiliated" and not is_placeholder and len(plain.split()) >= 1:
            surname = re.sub(r"['\u2019]s$", "", plain.split()[-1])
            if surname in reported:
                continue
            if needs is not None and not ctx.sentence_matches(needs, b, m.start()):
                continue         # named in passing, not offered as a source of what the page says
            reported.add(surname)
            if not _affiliated(ctx, surname):
                yield Hit(b, m.start(), m.end(), {"match": m.group(0)})
        elif mode == "quote" and is_placeholder:
            s, e = ctx.sentence_of(b, m.start())
            para = b.text
            q = _QUOTE.search(para, s) or _QUOTE.search(para, max(0, s - 1))
            if q and q.start() - m.end() < 200:
                yield Hit(b, q.start(), q.end(), {"match": q.group("q")[:60] + ("..." if len(q.group("q")) > 60 else ""),
                                                  "detail": m.group(0)})
